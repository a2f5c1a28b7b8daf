//! Offer files a user downloaded from the AWS pricing host
//! (`https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/index.json`
//! or `index.csv`, or a Region's file listed in `region_index.json`).
//!
//! - Bulk JSON: `{"offerCode", "version", "publicationDate", "products": {sku: {sku,
//!   productFamily, attributes}}, "terms": {"OnDemand": {sku: {termCode: {effectiveDate,
//!   priceDimensions}}}, "Reserved": …}}`.
//! - CSV: five metadata rows (`"FormatVersion","v1.0"`, `"Disclaimer",…`,
//!   `"Publication Date","2025-11-20T18:30:16Z"`, `"Version",…`, `"OfferCode",…`), then a
//!   header row starting with `SKU`, then one row per price dimension (`TermType`,
//!   `PriceDescription`, `EffectiveDate`, `StartingRange`, `Unit`, `PricePerUnit`, `Currency`,
//!   then the product's attributes as columns: `Product Family`, `usageType`, `Region Code`…).
//!
//! A bad product is counted and reported (file, position, field) and the rest are read.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use super::item::{
    ItemError, ItemOrigin, PriceDimension, PriceItem, attribute_key, date_of, from_product,
};

/// What one offer file held.
#[derive(Debug, Default)]
pub struct OfferFile {
    pub offer_code: Option<String>,
    pub version: Option<String>,
    pub publication: Option<jiff::civil::Date>,
    pub items: Vec<PriceItem>,
    /// Products or rows that could not be read.
    pub errors: Vec<ItemError>,
    /// Rows of other term types (Reserved), not read.
    pub skipped_terms: u64,
}

/// Reads a bulk JSON or CSV offer file; the form is told by its first character.
pub fn read_offer(name: &str, text: &str) -> Result<OfferFile, ItemError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        read_bulk_json(name, text)
    } else {
        read_offer_csv(name, text)
    }
}

fn whole_file(name: &str, field: &str, message: String) -> ItemError {
    ItemError {
        origin: ItemOrigin {
            source: name.to_string(),
            position: "whole file".into(),
        },
        field: field.to_string(),
        message,
    }
}

/// Reads a bulk offer JSON file.
pub fn read_bulk_json(name: &str, text: &str) -> Result<OfferFile, ItemError> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| whole_file(name, "", format!("not a JSON offer file: {e}")))?;
    let Some(Value::Object(products)) = v.get("products") else {
        return Err(whole_file(
            name,
            "products",
            "missing: not a Price List offer file".into(),
        ));
    };
    let text_of = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let mut out = OfferFile {
        offer_code: text_of("offerCode"),
        version: text_of("version"),
        publication: text_of("publicationDate").as_deref().and_then(date_of),
        ..OfferFile::default()
    };
    let on_demand = v.pointer("/terms/OnDemand");
    let service_code = out.offer_code.clone().unwrap_or_default();
    for (sku, product) in products {
        let origin = ItemOrigin {
            source: name.to_string(),
            position: format!("product {sku}"),
        };
        let terms = on_demand.and_then(|t| t.get(sku));
        match from_product(product, terms, &service_code, out.publication, origin) {
            Ok(item) => out.items.push(item),
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

/// Reads an offer CSV file.
pub fn read_offer_csv(name: &str, text: &str) -> Result<OfferFile, ItemError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = OfferFile::default();
    let mut headers: Option<Vec<String>> = None;
    for (i, rec) in reader.records().enumerate() {
        let line = i + 1;
        let origin = ItemOrigin {
            source: name.to_string(),
            position: format!("line {line}"),
        };
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(ItemError {
                    origin,
                    field: String::new(),
                    message: format!("not a CSV row: {e}"),
                });
                continue;
            }
        };
        let Some(cols) = &headers else {
            let first = rec.get(0).unwrap_or_default().trim();
            match attribute_key(first).as_str() {
                "sku" => headers = Some(rec.iter().map(attribute_key).collect()),
                "publicationdate" => out.publication = rec.get(1).and_then(date_of),
                "version" => out.version = rec.get(1).map(str::to_string),
                "offercode" => out.offer_code = rec.get(1).map(str::to_string),
                _ => {}
            }
            continue;
        };
        let row: BTreeMap<String, String> = cols
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        let get = |k: &str| row.get(k).map(String::as_str).unwrap_or_default();
        if !get("termtype").eq_ignore_ascii_case("OnDemand") {
            out.skipped_terms += 1;
            continue;
        }
        let err = |field: &str, message: String| ItemError {
            origin: origin.clone(),
            field: field.to_string(),
            message,
        };
        if get("currency") != "USD" {
            out.errors
                .push(err("Currency", format!("`{}` is not USD", get("currency"))));
            continue;
        }
        let usd = match Decimal::from_str(get("priceperunit").trim()) {
            Ok(d) => d,
            Err(_) => {
                out.errors.push(err(
                    "PricePerUnit",
                    format!("`{}` is not a decimal number", get("priceperunit")),
                ));
                continue;
            }
        };
        const TERM_COLUMNS: &[&str] = &[
            "sku",
            "offertermcode",
            "ratecode",
            "termtype",
            "pricedescription",
            "effectivedate",
            "startingrange",
            "endingrange",
            "unit",
            "priceperunit",
            "currency",
            "relatedto",
            "productfamily",
        ];
        let attributes = row
            .iter()
            .filter(|(k, v)| !TERM_COLUMNS.contains(&k.as_str()) && !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.items.push(PriceItem {
            service_code: out.offer_code.clone().unwrap_or_default(),
            sku: get("sku").to_string(),
            product_family: get("productfamily").to_string(),
            attributes,
            dimensions: vec![PriceDimension {
                rate_code: get("ratecode").to_string(),
                description: get("pricedescription").to_string(),
                unit: get("unit").to_string(),
                usd,
                begin_range: get("startingrange").to_string(),
                effective: date_of(get("effectivedate")),
            }],
            publication: out.publication,
            origin,
        });
    }
    if headers.is_none() {
        return Err(whole_file(
            name,
            "SKU",
            "no header row starting with `SKU`: not a Price List offer CSV".into(),
        ));
    }
    for item in &mut out.items {
        item.service_code = out.offer_code.clone().unwrap_or_default();
    }
    Ok(out)
}
