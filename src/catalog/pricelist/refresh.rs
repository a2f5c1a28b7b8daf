//! The refresh pipeline without I/O: Price List items in, merged catalog, difference and
//! unmatched products out.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::assemble::{Rate, assemble};
use super::item::{ItemError, PriceItem};
use super::map::{Mapper, ModelNames, Unmatched, price_list_name};
use super::merge::{Merged, merge};
use super::offer_file::read_offer;
use super::tables::Tables;
use super::write::provider_files;
use crate::catalog::{Catalog, SourceText, Validated};

/// Items gathered from the API or offer files.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<PriceItem>,
    /// Items that could not be read (file or page, position, field).
    pub errors: Vec<ItemError>,
    /// `AmazonBedrock 20251120183016 (2025-11-20)` per offer or service code read.
    pub offers: Vec<String>,
    /// GetProducts pages read (0 for offer files).
    pub pages: u64,
}

impl Collected {
    /// The newest publication date of the items.
    pub fn publication(&self) -> Option<Date> {
        self.items.iter().filter_map(|i| i.publication).max()
    }
}

/// Reads offer files (bulk JSON or CSV).
pub fn read_offer_files(files: &[(String, String)]) -> Collected {
    let mut out = Collected::default();
    for (name, text) in files {
        match read_offer(name, text) {
            Ok(o) => {
                out.offers.push(format!(
                    "{} {} ({}) from {name}",
                    o.offer_code.as_deref().unwrap_or("unknown offer"),
                    o.version.as_deref().unwrap_or("unknown version"),
                    o.publication
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "no publication date".into())
                ));
                out.items.extend(o.items);
                out.errors.extend(o.errors);
            }
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// The result of a refresh.
#[derive(Debug)]
pub struct Outcome {
    pub rates: Vec<Rate>,
    pub merged: Merged,
    pub unmatched: Vec<Unmatched>,
}

/// Maps, assembles and merges `items` into `base` as of `today`.
pub fn run(items: &[PriceItem], base: &Catalog, names: &ModelNames, today: Date) -> Outcome {
    let tables = Tables::embedded();
    let mapper = Mapper {
        tables: &tables,
        catalog: base,
        names,
    };
    let mut mapped = Vec::new();
    let mut unmatched = Vec::new();
    for item in items {
        for r in mapper.map(item) {
            match r {
                Ok(m) => mapped.push(m),
                Err(u) => unmatched.push(u),
            }
        }
    }
    let (rates, conflicts) = assemble(mapped);
    unmatched.extend(conflicts);
    unmatched.sort_by(|a, b| {
        (
            &a.service_code,
            &a.name,
            &a.region,
            &a.usage_type,
            &a.reason,
        )
            .cmp(&(
                &b.service_code,
                &b.name,
                &b.region,
                &b.usage_type,
                &b.reason,
            ))
    });
    unmatched.dedup();
    let merged = merge(base, &rates, today);
    Outcome {
        rates,
        merged,
        unmatched,
    }
}

/// The Regions with products whose name and usage-type segment the mapping table does not
/// have: where the optional ListFoundationModels join can help.
pub fn regions_needing_names(items: &[PriceItem]) -> BTreeSet<String> {
    let tables = Tables::embedded();
    items
        .iter()
        .filter(|i| {
            let name = price_list_name(i, &i.service_code);
            let segment = super::usage_type::parse(i.usage_type())
                .map(|u| u.segment)
                .unwrap_or_default();
            !name.is_empty()
                && tables.by_name(&name).is_none()
                && (segment.is_empty() || tables.by_segment(&segment).is_none())
        })
        .filter_map(|i| i.attr("regioncode").map(str::to_string))
        .collect()
}

/// The pricing files of a merged catalog, and the catalog they load as (checked).
pub fn files_of(outcome: &Outcome, header: &str) -> (Vec<(String, String)>, Validated) {
    let files = provider_files(&outcome.merged.models, header);
    let sources: Vec<SourceText> = files
        .iter()
        .map(|(n, t)| SourceText {
            name: n.clone(),
            text: t.clone(),
        })
        .collect();
    let validated = Catalog::build(&sources, None);
    (files, validated)
}
