//! One Price List product with its on-demand price dimensions, from any of its three forms:
//! a GetProducts item (a JSON document *as a string* inside the API's JSON answer), a
//! product of a bulk offer file (`products` + `terms.OnDemand`), or a row of an offer CSV.
//!
//! A product is a SKU with attributes (`regionCode`, `usagetype`, `model`, `servicename`…);
//! its `OnDemand` term lists *price dimensions*: a rate code, a unit (`1K tokens`, `Units`…),
//! a USD price per unit as a decimal string, and a description. Attribute names are kept
//! normalised (lower case, letters and digits only) so that the JSON's `regionCode`, the
//! CSV's `Region Code` and `service_tier`/`serviceTier` read the same.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// Where an item was read: the file or API call, and the position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOrigin {
    /// A file path, or `GetProducts AmazonBedrock` for the API.
    pub source: String,
    /// `item 3 of page 2`, `line 17`, `product ABCD1234`.
    pub position: String,
}

impl fmt::Display for ItemOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.source, self.position)
    }
}

/// A Price List item that cannot be read: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: field `{field}`: {message}")]
pub struct ItemError {
    pub origin: ItemOrigin,
    pub field: String,
    pub message: String,
}

/// One on-demand price dimension of a product.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceDimension {
    pub rate_code: String,
    /// `AWS Marketplace software usage|us-east-1|Million Input Tokens Regional`, or plain text.
    pub description: String,
    /// As written: `1K tokens`, `1M tokens`, `Units`, `image`…
    pub unit: String,
    pub usd: Decimal,
    /// `0` for an untiered rate.
    pub begin_range: String,
    /// The term's effective date.
    pub effective: Option<jiff::civil::Date>,
}

/// A product and its on-demand price dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceItem {
    /// `AmazonBedrock`, `AmazonBedrockService`, `AmazonBedrockFoundationModels`.
    pub service_code: String,
    pub sku: String,
    pub product_family: String,
    /// Attribute values by normalised name (see [`attribute_key`]).
    pub attributes: BTreeMap<String, String>,
    pub dimensions: Vec<PriceDimension>,
    /// The offer's publication date.
    pub publication: Option<jiff::civil::Date>,
    pub origin: ItemOrigin,
}

impl PriceItem {
    /// An attribute by any spelling of its name (`regionCode`, `Region Code`).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .get(&attribute_key(name))
            .map(String::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    pub fn usage_type(&self) -> &str {
        self.attr("usagetype").unwrap_or_default()
    }
}

/// An attribute name reduced to lower-case letters and digits.
pub fn attribute_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The date part of a Price List timestamp (`2025-11-20T18:30:16Z`, `2025-11-20`).
pub fn date_of(text: &str) -> Option<jiff::civil::Date> {
    let t = text.trim();
    jiff::civil::Date::from_str(t.get(..10).unwrap_or(t)).ok()
}

/// Reads one GetProducts `PriceList` entry (the JSON document as text).
pub fn parse_item(text: &str, origin: ItemOrigin) -> Result<PriceItem, ItemError> {
    let err = |field: &str, message: String| ItemError {
        origin: origin.clone(),
        field: field.to_string(),
        message,
    };
    let v: Value = serde_json::from_str(text)
        .map_err(|e| err("PriceList", format!("not a JSON document: {e}")))?;
    let product = v
        .get("product")
        .ok_or_else(|| err("product", "missing".into()))?;
    let sku = product
        .get("sku")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let on_demand = v.pointer("/terms/OnDemand");
    let service_code = v
        .get("serviceCode")
        .and_then(Value::as_str)
        .or_else(|| {
            product
                .pointer("/attributes/servicecode")
                .and_then(Value::as_str)
        })
        .unwrap_or_default()
        .to_string();
    let publication = v
        .get("publicationDate")
        .and_then(Value::as_str)
        .and_then(date_of);
    from_product(
        product,
        on_demand,
        &service_code,
        publication,
        origin.clone(),
    )
    .map(|mut i| {
        if i.sku.is_empty() {
            i.sku = sku.to_string();
        }
        i
    })
}

/// Builds an item from a product object and the `OnDemand` terms of its SKU
/// (`{offerTermCode: {effectiveDate, priceDimensions: {rateCode: {...}}}}`).
pub fn from_product(
    product: &Value,
    on_demand: Option<&Value>,
    service_code: &str,
    publication: Option<jiff::civil::Date>,
    origin: ItemOrigin,
) -> Result<PriceItem, ItemError> {
    let err = |field: &str, message: String| ItemError {
        origin: origin.clone(),
        field: field.to_string(),
        message,
    };
    let sku = product
        .get("sku")
        .and_then(Value::as_str)
        .ok_or_else(|| err("product.sku", "missing".into()))?
        .to_string();
    let attributes: BTreeMap<String, String> = match product.get("attributes") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (attribute_key(k), text)
            })
            .collect(),
        Some(_) => return Err(err("product.attributes", "not an object".into())),
        None => return Err(err("product.attributes", "missing".into())),
    };
    // The OnDemand terms may be keyed by SKU (bulk file) or hold the terms directly (API).
    let terms = match on_demand {
        Some(Value::Object(m)) => match m.get(&sku) {
            Some(Value::Object(inner)) => inner.clone(),
            _ => m.clone(),
        },
        Some(_) => return Err(err("terms.OnDemand", "not an object".into())),
        None => serde_json::Map::new(),
    };
    let mut dimensions = Vec::new();
    for (term_code, term) in &terms {
        let effective = term
            .get("effectiveDate")
            .and_then(Value::as_str)
            .and_then(date_of);
        let Some(Value::Object(dims)) = term.get("priceDimensions") else {
            return Err(err(
                &format!("terms.OnDemand.{term_code}.priceDimensions"),
                "missing or not an object".into(),
            ));
        };
        for (rate_code, d) in dims {
            let field = |f: &str| format!("priceDimensions.{rate_code}.{f}");
            let usd_text = d
                .pointer("/pricePerUnit/USD")
                .and_then(Value::as_str)
                .ok_or_else(|| err(&field("pricePerUnit.USD"), "missing".into()))?;
            let usd = Decimal::from_str(usd_text.trim()).map_err(|_| {
                err(
                    &field("pricePerUnit.USD"),
                    format!("`{usd_text}` is not a decimal number"),
                )
            })?;
            let text = |f: &str| {
                d.get(f)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            dimensions.push(PriceDimension {
                rate_code: rate_code.clone(),
                description: text("description"),
                unit: text("unit"),
                usd,
                begin_range: text("beginRange"),
                effective,
            });
        }
    }
    Ok(PriceItem {
        service_code: service_code.to_string(),
        sku,
        product_family: product
            .get("productFamily")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        attributes,
        dimensions,
        publication,
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> ItemOrigin {
        ItemOrigin {
            source: "test".into(),
            position: "item 1".into(),
        }
    }

    #[test]
    fn a_get_products_item_reads_with_its_dimensions() {
        let text = r#"{"product":{"sku":"ABC","productFamily":"Amazon Bedrock","attributes":{"regionCode":"us-east-1","usagetype":"USE1-NovaMicro-input-tokens","model":"Nova Micro"}},
          "serviceCode":"AmazonBedrock","publicationDate":"2026-11-20T10:00:00Z",
          "terms":{"OnDemand":{"ABC.JRTCKXETXF":{"effectiveDate":"2026-11-01T00:00:00Z","priceDimensions":{"ABC.JRTCKXETXF.6YS6EN2CT7":{"unit":"1K tokens","description":"per 1K input tokens","pricePerUnit":{"USD":"0.0000350000"},"beginRange":"0"}}}}}}"#;
        let item = parse_item(text, origin()).unwrap();
        assert_eq!(item.attr("Region Code"), Some("us-east-1"));
        assert_eq!(item.usage_type(), "USE1-NovaMicro-input-tokens");
        assert_eq!(item.dimensions.len(), 1);
        assert_eq!(
            item.dimensions[0].usd,
            Decimal::from_str("0.000035").unwrap()
        );
        assert_eq!(item.publication, date_of("2026-11-20"));
        assert_eq!(item.dimensions[0].effective, date_of("2026-11-01"));
    }

    #[test]
    fn errors_name_the_item_and_field() {
        let bad = r#"{"product":{"sku":"X","attributes":{}},"terms":{"OnDemand":{"X.T":{"priceDimensions":{"X.T.R":{"unit":"1K tokens","pricePerUnit":{"USD":"cheap"}}}}}}}"#;
        let e = parse_item(bad, origin()).unwrap_err();
        assert_eq!(e.field, "priceDimensions.X.T.R.pricePerUnit.USD");
        assert!(e.to_string().contains("test, item 1"), "{e}");
        assert!(parse_item("[", origin()).is_err());
    }
}
