//! Turns mapped Price List rates into catalog rates: one per model × Region × mode ×
//! dimension × threshold × image tier, with the route scope the catalog uses.
//!
//! The Price List prices three routes: in-Region (a bare model ID), geographic profiles
//! ("regional CRIS") and the `global.` profile. The catalog's scopes are `any`, `geo` (geo
//! profiles *and* bare IDs) and `global`. Per rate:
//! - a global rate that differs from the in-Region / geo rate → a `global` row and a `geo`
//!   row (Claude Sonnet 4.5 and later: geo = global + 10%);
//! - all routes at one price → one `any` row;
//! - only a global rate → `global`; only a geo rate → `geo`; only an in-Region rate →
//!   `geo` when the model has a geo premium in that Region (another rate splits), else `any`;
//! - in-Region and geo rates that differ, or two rates for one route → a conflict, reported
//!   and left out.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::map::{Mapped, Unmatched};
use super::reading::Route;
use crate::catalog::types::{Dimension, Mode, Quality, Resolution, Scope};

/// A catalog rate built from the Price List (one Region).
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub scope: Scope,
    /// The Price List rate it came from.
    pub from: Mapped,
}

type Key = (
    String,
    String,
    Mode,
    Dimension,
    Option<u64>,
    Option<Resolution>,
    Option<Quality>,
);

fn per_unit(m: &Mapped) -> Decimal {
    m.usd / m.unit.size()
}

/// Groups rates and assigns scopes; conflicting rates come back as unmatched.
pub fn assemble(mapped: Vec<Mapped>) -> (Vec<Rate>, Vec<Unmatched>) {
    let mut groups: BTreeMap<Key, BTreeMap<Route, Vec<Mapped>>> = BTreeMap::new();
    for m in mapped {
        let key = (
            m.model_id.clone(),
            m.region.clone(),
            m.mode,
            m.dimension,
            m.above_input_tokens,
            m.resolution,
            m.quality,
        );
        groups
            .entry(key)
            .or_default()
            .entry(m.route)
            .or_default()
            .push(m);
    }
    // Model × Region pairs with a geo premium: some rate differs between global and local.
    let split: std::collections::BTreeSet<(String, String)> = groups
        .iter()
        .filter(|(_, routes)| {
            let price = |r: Route| routes.get(&r).and_then(|v| v.first()).map(per_unit);
            let global = price(Route::Global);
            let local = price(Route::InRegion).or(price(Route::Geo));
            matches!((global, local), (Some(g), Some(l)) if g != l)
        })
        .map(|(k, _)| (k.0.clone(), k.1.clone()))
        .collect();
    let mut rates = Vec::new();
    let mut conflicts = Vec::new();
    let conflict = |m: &Mapped, why: String| Unmatched {
        service_code: m.service_code.clone(),
        usage_type: m.usage_type.clone(),
        name: m.price_list_name.clone(),
        region: m.region.clone(),
        origin: format!("{} {}", m.model_id, m.dimension),
        reason: why,
    };
    'groups: for (key, routes) in groups {
        let premium = split.contains(&(key.0.clone(), key.1.clone()));
        let mut one: BTreeMap<Route, Mapped> = BTreeMap::new();
        for (route, ms) in routes {
            let first = ms[0].clone();
            if let Some(other) = ms.iter().find(|m| per_unit(m) != per_unit(&first)) {
                conflicts.push(conflict(
                    other,
                    format!(
                        "two {route:?} rates for one price: {} ({}) and {} ({}); left out",
                        first.usd, first.usage_type, other.usd, other.usage_type
                    ),
                ));
                continue 'groups;
            }
            one.insert(route, first);
        }
        let local = match (one.get(&Route::InRegion), one.get(&Route::Geo)) {
            (Some(r), Some(g)) if per_unit(r) != per_unit(g) => {
                conflicts.push(conflict(
                    g,
                    format!(
                        "in-Region rate {} ({}) and geo-profile rate {} ({}) differ; the catalog prices both alike; left out",
                        r.usd, r.usage_type, g.usd, g.usage_type
                    ),
                ));
                continue;
            }
            (Some(r), _) => Some((r.clone(), true)),
            (None, Some(g)) => Some((g.clone(), false)),
            (None, None) => None,
        };
        let global = one.get(&Route::Global).cloned();
        match (local, global) {
            (Some((l, _)), Some(g)) if per_unit(&l) != per_unit(&g) => {
                rates.push(Rate {
                    scope: Scope::Global,
                    from: g,
                });
                rates.push(Rate {
                    scope: Scope::Geo,
                    from: l,
                });
            }
            (Some((l, in_region)), _) => {
                // A geo rate alone says nothing about bare IDs; an in-Region one (with or
                // without an equal global rate) holds for every route.
                let scope = if one.contains_key(&Route::Global) || (in_region && !premium) {
                    Scope::Any
                } else {
                    Scope::Geo
                };
                rates.push(Rate { scope, from: l });
            }
            (None, Some(g)) => rates.push(Rate {
                scope: Scope::Global,
                from: g,
            }),
            (None, None) => {}
        }
    }
    (rates, conflicts)
}
