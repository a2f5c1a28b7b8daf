//! Maps each price dimension of a Price List product to model × Region × mode × dimension ×
//! route × long-context threshold × unit — or says why it cannot.
//!
//! The model comes from the explicit table (`pricing/pricelist/models.csv`) by Price List
//! name, then by usage-type segment, then (where the caller has them) by the exact model
//! names ListFoundationModels reports for the Region. Nothing is matched by similarity: a
//! product no rule maps is returned as [`Unmatched`] with its usage type and the reason.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::description;
use super::item::{PriceDimension, PriceItem};
use super::reading::{Reading, Route};
use super::tables::{NewModelFacts, Tables};
use super::usage_type;
use crate::catalog::types::{Dimension, Mode, Quality, Resolution, Unit};
use crate::catalog::{Catalog, Model};

/// The input size above which Bedrock bills a whole request at the long-context rates
/// (Claude Sonnet 4 / 4.5: "requests with more than 200K input tokens"). The Price List
/// marks long-context rates but does not state the threshold.
pub const LONG_CONTEXT_THRESHOLD: u64 = 200_000;

const MARKETPLACE_SUFFIX: &str = "(Amazon Bedrock Edition)";

/// One rate read from the Price List.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub model_id: String,
    /// The Price List's name for the model (`Nova Micro`, `Claude Sonnet 4.5`).
    pub price_list_name: String,
    /// Facts for a model the catalog does not have, from the mapping table.
    pub new_model: Option<NewModelFacts>,
    pub region: String,
    pub mode: Mode,
    pub dimension: Dimension,
    pub route: Route,
    pub above_input_tokens: Option<u64>,
    pub unit: Unit,
    pub usd: Decimal,
    pub resolution: Option<Resolution>,
    pub quality: Option<Quality>,
    pub service_code: String,
    pub usage_type: String,
    pub effective: Option<jiff::civil::Date>,
    pub publication: Option<jiff::civil::Date>,
}

/// A product (or one of its rates) that could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub service_code: String,
    pub usage_type: String,
    /// The model as the Price List names it, if it does.
    pub name: String,
    pub region: String,
    /// Where the product was read.
    pub origin: String,
    pub reason: String,
}

/// Exact model names per Region from ListFoundationModels: (Region, lower-case name) →
/// model IDs with that name.
pub type ModelNames = HashMap<(String, String), Vec<String>>;

/// Everything a mapping needs.
pub struct Mapper<'a> {
    pub tables: &'a Tables,
    /// The catalog rows are written into (for image tiers and model presence).
    pub catalog: &'a Catalog,
    pub names: &'a ModelNames,
}

impl Mapper<'_> {
    /// Maps every price dimension of `item`.
    // Both sides are plain data handed on at once; boxing buys nothing here.
    #[allow(clippy::result_large_err)]
    pub fn map(&self, item: &PriceItem) -> Vec<Result<Mapped, Unmatched>> {
        let service_code = if item.service_code.is_empty() {
            item.attr("servicecode").unwrap_or_default().to_string()
        } else {
            item.service_code.clone()
        };
        let usage_type = item.usage_type().to_string();
        let name = price_list_name(item, &service_code);
        let unmatched = |region: &str, reason: String| Unmatched {
            service_code: service_code.clone(),
            usage_type: usage_type.clone(),
            name: name.clone(),
            region: region.to_string(),
            origin: item.origin.to_string(),
            reason,
        };
        let parsed = usage_type::parse(&usage_type);
        let region = match self.region(item, parsed.as_ref().ok().map(|u| u.prefix.as_str())) {
            Ok(r) => r,
            Err(e) => return vec![Err(unmatched("", e))],
        };
        if item.dimensions.is_empty() {
            return vec![Err(unmatched(
                &region,
                "no on-demand price dimension".into(),
            ))];
        }
        let segment = parsed
            .as_ref()
            .map(|u| u.segment.clone())
            .unwrap_or_default();
        let entry = self
            .tables
            .by_name(&name)
            .or_else(|| {
                (!segment.is_empty())
                    .then(|| self.tables.by_segment(&segment))
                    .flatten()
            })
            .cloned();
        let model_id = match entry.as_ref() {
            Some(e) => e.model_id.clone(),
            None => match self.names.get(&(region.clone(), name.to_ascii_lowercase())) {
                Some(ids) => {
                    let plain: Vec<&String> =
                        ids.iter().filter(|id| !has_context_suffix(id)).collect();
                    match plain.as_slice() {
                        [one] => (*one).clone(),
                        _ => {
                            return vec![Err(unmatched(
                                &region,
                                format!(
                                    "ListFoundationModels names {} models `{name}` ({}): ambiguous",
                                    ids.len(),
                                    ids.join(", ")
                                ),
                            ))];
                        }
                    }
                }
                None => {
                    return vec![Err(unmatched(
                        &region,
                        format!(
                            "no entry for Price List name `{name}` or usage-type segment `{segment}` in pricing/pricelist/models.csv"
                        ),
                    ))];
                }
            },
        };
        let new_model = match self.catalog.get(&model_id) {
            Some(_) => None,
            None => entry.as_ref().and_then(|e| e.facts.clone()),
        };
        let model = self.catalog.get(&model_id);
        item.dimensions
            .iter()
            .map(|d| {
                self.dimension(item, d, parsed.as_ref(), model)
                    .map(|(reading, dimension, unit, res, qual)| Mapped {
                        model_id: model_id.clone(),
                        price_list_name: name.clone(),
                        new_model: new_model.clone(),
                        region: region.clone(),
                        mode: reading.mode,
                        dimension,
                        route: reading.route,
                        above_input_tokens: reading.long_context.then_some(LONG_CONTEXT_THRESHOLD),
                        unit,
                        usd: d.usd,
                        resolution: res,
                        quality: qual,
                        service_code: service_code.clone(),
                        usage_type: usage_type.clone(),
                        effective: d.effective,
                        publication: item.publication,
                    })
                    .map_err(|reason| unmatched(&region, reason))
            })
            .collect()
    }

    /// The product's Region: `regionCode`, else the billing prefix's; the two must agree.
    fn region(&self, item: &PriceItem, prefix: Option<&str>) -> Result<String, String> {
        let by_prefix = prefix.and_then(|p| self.tables.region_of(p));
        match (item.attr("regioncode"), by_prefix) {
            (Some(r), Some(p)) if !r.eq_ignore_ascii_case(p) => Err(format!(
                "billing prefix {} is {p} (pricing/pricelist/billing-prefixes.csv) but regionCode says {r}",
                prefix.unwrap_or_default()
            )),
            (Some(r), _) if crate::catalog::is_region_code(r) => Ok(r.to_string()),
            (Some(r), _) => Err(format!("regionCode `{r}` is not a Region code")),
            (None, Some(p)) => Ok(p.to_string()),
            (None, None) => Err(format!(
                "no regionCode and no known billing prefix ({})",
                prefix.unwrap_or("none")
            )),
        }
    }

    #[allow(clippy::type_complexity)]
    fn dimension(
        &self,
        item: &PriceItem,
        d: &PriceDimension,
        parsed: Result<&usage_type::UsageType, &String>,
        model: Option<&Model>,
    ) -> Result<
        (
            Reading,
            Dimension,
            Unit,
            Option<Resolution>,
            Option<Quality>,
        ),
        String,
    > {
        if d.usd <= Decimal::ZERO {
            return Err(format!("price {} is not above zero", d.usd));
        }
        if !d.begin_range.is_empty() && d.begin_range != "0" {
            return Err(format!(
                "tiered rate from {} on is not in the schema",
                d.begin_range
            ));
        }
        // Marketplace products: the description is the authority, the usage type a check.
        let marketplace = parsed.is_ok_and(|u| u.marketplace)
            || d.description.contains('|')
            || d.unit.eq_ignore_ascii_case("units");
        let reading = if marketplace {
            match (description::parse(&d.description), parsed) {
                (Ok(desc), Ok(u)) if u.marketplace && u.reading.dimension != desc.dimension => {
                    return Err(format!(
                        "usage type says {} but description `{}` says {}",
                        u.reading.dimension, d.description, desc.dimension
                    ));
                }
                (Ok(desc), _) => desc,
                (Err(_), Ok(u)) => u.reading.clone(),
                (Err(e), Err(_)) => return Err(e),
            }
        } else {
            parsed.map_err(Clone::clone)?.reading.clone()
        };
        if reading.mantle {
            return Err(
                "rates of the Mantle (OpenAI-compatible) endpoint are not in the schema".into(),
            );
        }
        let feature = item
            .attr("feature")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if feature.contains("provisioned") || feature.contains("customization") {
            return Err(format!("feature `{feature}` is not read by refresh"));
        }
        let dimension = Dimension::from_str(&reading.dimension)
            .map_err(|_| format!("dimension `{}` not in schema", reading.dimension))?;
        let unit_name = description::unit_of(&d.unit, &d.description)?;
        let unit =
            Unit::from_str(&unit_name).map_err(|_| format!("unit `{unit_name}` not in schema"))?;
        if !dimension.fits_unit(unit) {
            return Err(format!(
                "unit `{unit}` does not fit dimension `{dimension}`"
            ));
        }
        if !dimension.fits_mode(reading.mode) {
            return Err(format!(
                "dimension `{dimension}` is not billed in mode `{}`",
                reading.mode
            ));
        }
        let (resolution, quality) = if dimension == Dimension::Image {
            let (r, q) = image_tier(item, d, model, reading.mode)?;
            (Some(r), Some(q))
        } else {
            (None, None)
        };
        Ok((reading, dimension, unit, resolution, quality))
    }
}

/// The model as a product names it: a Marketplace product's `servicename` without
/// " (Amazon Bedrock Edition)", else the `model` (or `titanModel`) attribute.
pub fn price_list_name(item: &PriceItem, service_code: &str) -> String {
    item.attr("servicename")
        .filter(|n| {
            service_code == "AmazonBedrockFoundationModels" || n.contains(MARKETPLACE_SUFFIX)
        })
        .map(|n| n.replace(MARKETPLACE_SUFFIX, "").trim().to_string())
        .or_else(|| item.attr("model").map(str::to_string))
        .or_else(|| item.attr("titanmodel").map(str::to_string))
        .unwrap_or_default()
}

/// ListFoundationModels IDs of provisioned-only variants carry a context suffix
/// (`…-v1:0:200k`, `…-v1:0:28k`, `…:mm`).
fn has_context_suffix(id: &str) -> bool {
    id.matches(':').count() >= 2
}

/// Size and quality of an image rate: from the product's attributes or description
/// (`1024x1024`, `premium`), else the model's one image tier in the catalog.
fn image_tier(
    item: &PriceItem,
    d: &PriceDimension,
    model: Option<&Model>,
    mode: Mode,
) -> Result<(Resolution, Quality), String> {
    let texts: Vec<&str> = item
        .attributes
        .iter()
        .filter(|(k, _)| {
            k.contains("resolution")
                || k.contains("size")
                || k.contains("quality")
                || k.contains("step")
        })
        .map(|(_, v)| v.as_str())
        .chain([d.description.as_str(), item.usage_type()])
        .collect();
    let resolution = texts.iter().find_map(|t| {
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '×'))
            .find_map(|w| w.parse::<Resolution>().ok())
    });
    let lower = texts.join(" ").to_ascii_lowercase();
    let quality = if lower.contains("premium") {
        Some(Quality::Premium)
    } else if lower.contains("standard") {
        Some(Quality::Standard)
    } else {
        None
    };
    if let (Some(r), Some(q)) = (resolution, quality) {
        return Ok((r, q));
    }
    let tiers: std::collections::BTreeSet<(Resolution, Quality)> = model
        .into_iter()
        .flat_map(|m| m.prices.iter())
        .filter(|p| p.dimension == Dimension::Image && p.mode == mode && !p.custom)
        .filter_map(|p| Some((p.resolution?, p.quality?)))
        .collect();
    let fits: Vec<_> = tiers
        .iter()
        .filter(|(r, q)| resolution.is_none_or(|x| x == *r) && quality.is_none_or(|x| x == *q))
        .collect();
    match fits.as_slice() {
        [one] => Ok(**one),
        [] => Err("image rate without size and quality, and no image tier in the catalog to take them from".into()),
        _ => Err(format!(
            "image rate without size and quality; the catalog has {} image tiers for this model",
            fits.len()
        )),
    }
}
