//! Merges Price List rates into a catalog and records the difference.
//!
//! Rates keep their history (see [`crate::catalog::RateQuery`]): for each Price List rate
//! (one Region),
//! - the same price as the row in force today → that Region's row now cites the Price List
//!   (usage type and publication date) and keeps its effective date;
//! - another price → the old row stays for the days it was in force and a new row starts on
//!   the term's effective date (or the offer's publication date when that is not later);
//! - no row → a new row from the term's effective date.
//!
//! Per-request rows the Price List lacks for a model × Region it does price are reported as
//! removed and kept (the Price List may have moved or renamed a usage type; a user can
//! delete them). Models the catalog lacks are added when the mapping table gives their kind
//! and tokenizer.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::assemble::Rate;
use crate::catalog::Catalog;
use crate::catalog::model::{Model, Origin, Price};
use crate::catalog::types::{Dimension, Mode, Unit};

/// What changed for one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    NewModel,
    NewPrice,
    Changed,
    Removed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NewModel => "new model",
            Change::NewPrice => "new price",
            Change::Changed => "changed",
            Change::Removed => "removed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One line of the difference.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub change: Change,
    pub model_id: String,
    pub region: String,
    pub mode: Mode,
    pub dimension: Dimension,
    /// Scope, threshold, image tier (as `pricing show` prints them).
    pub qualifiers: String,
    pub unit: Unit,
    /// Old and new price in `unit`.
    pub old_usd: Option<Decimal>,
    pub new_usd: Option<Decimal>,
    pub usage_type: String,
    pub note: String,
}

/// The merged catalog content and its difference to the base.
#[derive(Debug, Clone)]
pub struct Merged {
    pub models: Vec<Model>,
    pub diff: Vec<DiffRow>,
}

/// The `source` of a refreshed row.
pub fn source_of(r: &Rate) -> String {
    let published = r
        .from
        .publication
        .map(|d| d.to_string())
        .unwrap_or_else(|| "unknown date".into());
    format!(
        "AWS Price List {} usage type {}, offer published {published}",
        r.from.service_code, r.from.usage_type
    )
}

fn in_unit(usd: Decimal, from: Unit, to: Unit) -> Decimal {
    (usd / from.size() * to.size()).normalize()
}

/// Merges `rates` into `base`, as of `today`.
pub fn merge(base: &Catalog, rates: &[Rate], today: Date) -> Merged {
    let mut models: BTreeMap<String, (Model, usize)> = BTreeMap::new();
    let mut diff = Vec::new();
    let mut skipped_new: BTreeMap<String, ()> = BTreeMap::new();
    for r in rates {
        let m = &r.from;
        let key = m.model_id.to_ascii_lowercase();
        if !models.contains_key(&key) {
            match base.get(&m.model_id) {
                Some(b) => {
                    models.insert(key.clone(), (b.clone(), b.prices.len()));
                }
                None => match &m.new_model {
                    Some(f) => {
                        let provider = m.model_id.split('.').next().unwrap_or_default().to_string();
                        let provider_name = base
                            .models()
                            .iter()
                            .find(|x| x.provider == provider)
                            .map(|x| x.provider_name.clone())
                            .unwrap_or_else(|| provider.clone());
                        let model = Model {
                            id: m.model_id.clone(),
                            name: m.price_list_name.clone(),
                            provider,
                            provider_name,
                            kind: f.kind,
                            context_window: f.context_window,
                            tokenizer: f.tokenizer.clone(),
                            legacy: false,
                            default_tpm_quota: None,
                            note: Some(
                                "added by `pricing refresh` from the AWS Price List (kind, tokenizer and context window from pricing/pricelist/models.csv)".into(),
                            ),
                            prices: Vec::new(),
                            origin: Origin {
                                file: "pricing refresh".into(),
                                line: 0,
                            },
                        };
                        diff.push(DiffRow {
                            change: Change::NewModel,
                            model_id: m.model_id.clone(),
                            region: m.region.clone(),
                            mode: m.mode,
                            dimension: m.dimension,
                            qualifiers: String::new(),
                            unit: m.unit,
                            old_usd: None,
                            new_usd: None,
                            usage_type: m.usage_type.clone(),
                            note: format!("`{}` in the Price List", m.price_list_name),
                        });
                        models.insert(key.clone(), (model, 0));
                    }
                    None => {
                        if skipped_new.insert(key.clone(), ()).is_none() {
                            diff.push(DiffRow {
                                change: Change::NewModel,
                                model_id: m.model_id.clone(),
                                region: m.region.clone(),
                                mode: m.mode,
                                dimension: m.dimension,
                                qualifiers: String::new(),
                                unit: m.unit,
                                old_usd: None,
                                new_usd: None,
                                usage_type: m.usage_type.clone(),
                                note: "not written: add the model to pricing/, or its kind and tokenizer to pricing/pricelist/models.csv".into(),
                            });
                        }
                        continue;
                    }
                },
            }
        }
        let (model, base_len) = models.get_mut(&key).expect("inserted above");
        let mut row = Price {
            regions: vec![m.region.clone()],
            mode: m.mode,
            dimension: m.dimension,
            unit: m.unit,
            usd: m.usd.normalize(),
            effective: m.effective.or(m.publication).unwrap_or(today),
            source: source_of(r),
            scope: r.scope,
            custom: false,
            above_input_tokens: m.above_input_tokens,
            resolution: m.resolution,
            quality: m.quality,
            note: None,
            origin: Origin {
                file: "pricing refresh".into(),
                line: 0,
            },
        };
        let current = (0..*base_len)
            .filter(|&i| {
                let p = &model.prices[i];
                p.key() == row.key() && p.applies_in(&m.region) && p.effective <= today
            })
            .max_by_key(|&i| model.prices[i].effective);
        let mut d = DiffRow {
            change: Change::NewPrice,
            model_id: m.model_id.clone(),
            region: m.region.clone(),
            mode: m.mode,
            dimension: m.dimension,
            qualifiers: row.qualifiers(),
            unit: m.unit,
            old_usd: None,
            new_usd: Some(row.usd),
            usage_type: m.usage_type.clone(),
            note: String::new(),
        };
        match current {
            Some(i) => {
                let cur = model.prices[i].clone();
                d.old_usd = Some(in_unit(cur.usd, cur.unit, m.unit));
                if cur.usd / cur.unit.size() == m.usd / m.unit.size() {
                    d.change = Change::Unchanged;
                    row.unit = cur.unit;
                    row.usd = cur.usd;
                    row.effective = cur.effective;
                    row.note = cur.note.clone();
                    model.prices[i]
                        .regions
                        .retain(|x| !x.eq_ignore_ascii_case(&m.region));
                } else {
                    d.change = Change::Changed;
                    if row.effective <= cur.effective {
                        row.effective = match m.publication {
                            Some(p) if p > cur.effective => p,
                            _ => cur.effective.checked_add(1.day()).unwrap_or(cur.effective),
                        };
                    }
                    d.note = format!("from {} (was since {})", row.effective, cur.effective);
                }
            }
            None if *base_len == 0 => d.change = Change::NewModel,
            None => {}
        }
        diff.push(d);
        model.prices.push(row);
    }
    // Rows the Price List no longer has, for model × Region pairs it prices.
    for (model, base_len) in models.values() {
        for p in &model.prices[..*base_len] {
            if !p.mode.is_per_request() || p.effective > today {
                continue;
            }
            for region in &p.regions {
                let priced_here = model.prices[*base_len..]
                    .iter()
                    .any(|n| n.applies_in(region));
                let replaced = model.prices[*base_len..]
                    .iter()
                    .any(|n| n.key() == p.key() && n.applies_in(region));
                let superseded = model.prices[..*base_len].iter().any(|q| {
                    q.key() == p.key()
                        && q.applies_in(region)
                        && q.effective > p.effective
                        && q.effective <= today
                });
                if priced_here && !replaced && !superseded {
                    diff.push(DiffRow {
                        change: Change::Removed,
                        model_id: model.id.clone(),
                        region: region.clone(),
                        mode: p.mode,
                        dimension: p.dimension,
                        qualifiers: p.qualifiers(),
                        unit: p.unit,
                        old_usd: Some(p.usd),
                        new_usd: None,
                        usage_type: String::new(),
                        note: "not in the Price List; kept in the written folder".into(),
                    });
                }
            }
        }
    }
    let mut out: Vec<Model> = base
        .models()
        .iter()
        .map(|b| match models.remove(&b.id.to_ascii_lowercase()) {
            Some((m, _)) => m,
            None => b.clone(),
        })
        .collect();
    out.extend(models.into_values().map(|(m, _)| m));
    for m in &mut out {
        m.prices.retain(|p| !p.regions.is_empty());
    }
    diff.sort_by(|a, b| {
        (
            a.change,
            &a.model_id,
            &a.region,
            a.mode,
            a.dimension,
            &a.qualifiers,
        )
            .cmp(&(
                b.change,
                &b.model_id,
                &b.region,
                b.mode,
                b.dimension,
                &b.qualifiers,
            ))
    });
    Merged { models: out, diff }
}

/// Whether the merge changed anything (new models, new, changed or removed prices).
pub fn differs(diff: &[DiffRow]) -> bool {
    diff.iter().any(|d| d.change != Change::Unchanged)
}
