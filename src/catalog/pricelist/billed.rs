//! A bill line's usage type → model × Region × mode × dimension × route.
//!
//! Cost Explorer and the Cost and Usage Report name what was billed by the same usage-type
//! strings as the Price List (`USE1-NovaMicro-input-tokens`,
//! `USE1-MP:USE1_InputTokenCount-Units`), together with the billing service ("Amazon
//! Bedrock", or "Claude Sonnet 4.5 (Amazon Bedrock Edition)" for a model sold through AWS
//! Marketplace, whose usage types do not name the model). This is the join from a bill line
//! back to what `bedrock-meter` estimates: the usage-type grammar of [`super::usage_type`],
//! the Region of the billing prefix and the model of the explicit tables of [`super::tables`].

use std::str::FromStr;

use super::reading::Route;
use super::tables::Tables;
use super::usage_type;
use crate::catalog::types::{Dimension, Mode};

const MARKETPLACE_SUFFIX: &str = "(Amazon Bedrock Edition)";

/// What one usage type bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledUsage {
    pub model_id: String,
    pub region: String,
    pub mode: Mode,
    pub dimension: Dimension,
    pub route: Route,
    /// Sold through AWS Marketplace (quantities in the description's unit, often millions).
    pub marketplace: bool,
}

/// Maps the usage type of a bill line of `service` to what it bills, or says why it
/// cannot (naming the usage type).
pub fn billed_usage(
    tables: &Tables,
    service: &str,
    usage_type: &str,
) -> Result<BilledUsage, String> {
    let parsed = usage_type::parse(usage_type)?;
    let region = tables
        .region_of(&parsed.prefix)
        .ok_or_else(|| {
            format!(
                "usage type `{usage_type}`: billing prefix `{}` is not in pricing/pricelist/billing-prefixes.csv",
                parsed.prefix
            )
        })?
        .to_string();
    let model_name = service.replace(MARKETPLACE_SUFFIX, "").trim().to_string();
    let entry = if parsed.marketplace || service.contains(MARKETPLACE_SUFFIX) {
        tables.by_name(&model_name).ok_or_else(|| {
            format!(
                "usage type `{usage_type}` of service `{service}`: no entry for Price List name `{model_name}` in pricing/pricelist/models.csv"
            )
        })?
    } else {
        tables.by_segment(&parsed.segment).ok_or_else(|| {
            format!(
                "usage type `{usage_type}`: no entry for usage-type segment `{}` in pricing/pricelist/models.csv",
                parsed.segment
            )
        })?
    };
    let dimension = Dimension::from_str(&parsed.reading.dimension).map_err(|_| {
        format!(
            "usage type `{usage_type}`: dimension `{}` is not in the catalog schema",
            parsed.reading.dimension
        )
    })?;
    Ok(BilledUsage {
        model_id: entry.model_id.clone(),
        region,
        mode: parsed.reading.mode,
        dimension,
        route: parsed.reading.route,
        marketplace: parsed.marketplace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_usage_types_name_their_model_by_segment() {
        let t = Tables::embedded();
        let b = billed_usage(&t, "Amazon Bedrock", "USE1-NovaMicro-input-tokens").unwrap();
        assert_eq!(b.model_id, "amazon.nova-micro-v1:0");
        assert_eq!(b.region, "us-east-1");
        assert_eq!(b.mode, Mode::OnDemand);
        assert_eq!(b.dimension, Dimension::InputTokens);
        assert_eq!(b.route, Route::InRegion);
        assert!(!b.marketplace);
        let o = billed_usage(&t, "Amazon Bedrock", "USE1-NovaLite-output-tokens-batch").unwrap();
        assert_eq!(
            (o.dimension, o.mode),
            (Dimension::OutputTokens, Mode::Batch)
        );
    }

    #[test]
    fn marketplace_usage_types_name_their_model_by_service() {
        let t = Tables::embedded();
        let name = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/pricing/pricelist/models.csv"
        ))
        .unwrap()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() > 2 && f[0] == "name" && f[2].starts_with("anthropic."))
                .then(|| (f[1].to_string(), f[2].to_string()))
        })
        .expect("an Anthropic model in models.csv");
        let service = format!("{} (Amazon Bedrock Edition)", name.0);
        let b = billed_usage(&t, &service, "USE1-MP:USE1_OutputTokenCount-Units").unwrap();
        assert_eq!(b.model_id, name.1);
        assert_eq!(b.dimension, Dimension::OutputTokens);
        assert!(b.marketplace);
        let g = billed_usage(&t, &service, "USE1-MP:USE1_InputTokenCount_Global-Units").unwrap();
        assert_eq!(g.route, Route::Global);
    }

    #[test]
    fn unknown_prefix_segment_or_service_is_an_error_naming_the_usage_type() {
        let t = Tables::embedded();
        let e = billed_usage(&t, "Amazon Bedrock", "ZZZ9-NovaMicro-input-tokens").unwrap_err();
        assert!(
            e.contains("ZZZ9") && e.contains("billing-prefixes.csv"),
            "{e}"
        );
        let e = billed_usage(&t, "Amazon Bedrock", "USE1-NoSuchModel-input-tokens").unwrap_err();
        assert!(e.contains("NoSuchModel"), "{e}");
        let e = billed_usage(
            &t,
            "Nobody Model (Amazon Bedrock Edition)",
            "USE1-MP:USE1_InputTokenCount-Units",
        )
        .unwrap_err();
        assert!(e.contains("Nobody Model"), "{e}");
        assert!(billed_usage(&t, "Amazon Bedrock", "USE1-ProvisionedThroughput").is_err());
    }
}
