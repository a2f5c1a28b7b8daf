//! Governance rows: call aggregates grouped by the keys of `--by`.
//!
//! A row answers "who called what, from where, and how did it go" for one combination of
//! the grouped keys; keys that are not grouped read `all` (the day reads the report's
//! range). Rows are computed from [`CallAggregate`]s alone, so records aggregated locally
//! and aggregates returned by a query engine give the same rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::keys::GovKey;
use crate::records::call::CallAggregate;
use crate::resolve::Resolver;

/// The value of a key a row does not group by.
pub const ALL: &str = "all";
/// The value of a grouped model or error key for calls without one.
pub const NONE: &str = "(none)";
/// At most this many source IPs and user agents are listed per row (the counts stay
/// complete).
pub const MAX_LISTED: usize = 20;

/// One line of a governance report.
#[derive(Debug, Clone, PartialEq)]
pub struct GovRow {
    /// The principal key, or `all`.
    pub principal: String,
    /// CloudTrail's identity type (`AssumedRole`, `Root`…), or `all`.
    pub principal_type: String,
    /// The 12-digit account (empty when the record has none), or `all`.
    pub account: String,
    /// The model ID as called, `(none)` for calls without a model, or `all`.
    pub model_id: String,
    /// The catalog model the ID resolves to; empty when unknown or not grouped.
    pub resolved_model: String,
    /// The Region called, or `all`.
    pub region: String,
    /// `YYYY-MM-DD`, or the range `FIRST..LAST` when days are not grouped.
    pub day: String,
    /// The operation when grouped by event, else `all`.
    pub event: String,
    /// The error code when grouped by error (`(none)` for successes), else `all`.
    pub error: String,
    /// Calls by operation (`InvokeModel`, `Converse`, `GetFoundationModelAvailability`…).
    pub operations: BTreeMap<String, u64>,
    pub calls: u64,
    /// Calls that ran a model (the operations of [`crate::records::call::INVOCATION_EVENTS`]).
    pub invoke_calls: u64,
    /// Failed calls by error code.
    pub errors: BTreeMap<String, u64>,
    pub error_calls: u64,
    /// `error_calls / calls × 100`, rounded half away from zero to two decimals.
    pub error_share_pct: Decimal,
    /// Distinct source IPs (a lower bound when a query engine capped its lists).
    pub source_ip_count: usize,
    /// The first [`MAX_LISTED`] distinct source IPs, sorted.
    pub source_ips: Vec<String>,
    pub user_agent_count: usize,
    /// The first [`MAX_LISTED`] distinct user agents, sorted (raw, untrusted text).
    pub user_agents: Vec<String>,
    /// Regions called, sorted.
    pub regions: Vec<String>,
    /// Calls a cross-Region profile served in another Region.
    pub rerouted_calls: u64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// With `--apportion-cost`: the CloudWatch cost of the row's series-days split over
    /// principals by successful calls (an estimate, see [`super::cost`]). `None`: unknown.
    pub apportioned_cost_usd: Option<Decimal>,
}

/// The percentage `part / whole × 100`, rounded half away from zero to two decimals
/// (0 when `whole` is 0).
pub fn share_pct(part: u64, whole: u64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Whether `event` runs a model.
pub fn is_invocation(event: &str) -> bool {
    crate::records::call::INVOCATION_EVENTS.contains(&event)
}

/// One value of a row's key, borrowed from the aggregates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    Day(jiff::civil::Date),
    Text(&'a str),
}

type GroupKey<'a> = Vec<Part<'a>>;

struct Acc<'a> {
    first: &'a CallAggregate,
    operations: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    calls: u64,
    invoke_calls: u64,
    error_calls: u64,
    ips: BTreeSet<&'a str>,
    agents: BTreeSet<&'a str>,
    regions: BTreeSet<&'a str>,
    rerouted: u64,
    first_seen: Timestamp,
    last_seen: Timestamp,
}

fn key_part(a: &CallAggregate, k: GovKey) -> Part<'_> {
    match k {
        GovKey::Principal => Part::Text(&a.principal.key),
        GovKey::Model => Part::Text(a.model_id.as_deref().unwrap_or(NONE)),
        GovKey::Day => Part::Day(a.day),
        GovKey::Region => Part::Text(&a.region),
        GovKey::Event => Part::Text(&a.event_name),
        GovKey::Error => Part::Text(a.error_code.as_deref().unwrap_or(NONE)),
    }
}

/// Groups aggregates by `by`. `range` labels the day of rows that do not group by day.
/// Rows are sorted by their key values in `by` order.
pub fn group(
    aggs: &[CallAggregate],
    by: &[GovKey],
    resolver: &Resolver<'_>,
    range: &str,
) -> Vec<GovRow> {
    let mut map: BTreeMap<GroupKey, Acc> = BTreeMap::new();
    for a in aggs {
        let key: GroupKey = by.iter().map(|k| key_part(a, *k)).collect();
        let acc = map.entry(key).or_insert_with(|| Acc {
            first: a,
            operations: BTreeMap::new(),
            errors: BTreeMap::new(),
            calls: 0,
            invoke_calls: 0,
            error_calls: 0,
            ips: BTreeSet::new(),
            agents: BTreeSet::new(),
            regions: BTreeSet::new(),
            rerouted: 0,
            first_seen: a.first_seen,
            last_seen: a.last_seen,
        });
        match acc.operations.get_mut(&a.event_name) {
            Some(n) => *n += a.calls,
            None => {
                acc.operations.insert(a.event_name.clone(), a.calls);
            }
        }
        acc.calls += a.calls;
        if is_invocation(&a.event_name) {
            acc.invoke_calls += a.calls;
        }
        if let Some(code) = &a.error_code {
            match acc.errors.get_mut(code) {
                Some(n) => *n += a.calls,
                None => {
                    acc.errors.insert(code.clone(), a.calls);
                }
            }
            acc.error_calls += a.calls;
        }
        acc.ips.extend(a.source_ips.iter().map(String::as_str));
        acc.agents.extend(a.user_agents.iter().map(String::as_str));
        acc.regions.insert(&a.region);
        acc.rerouted += a.rerouted_calls;
        acc.first_seen = acc.first_seen.min(a.first_seen);
        acc.last_seen = acc.last_seen.max(a.last_seen);
    }
    let mut resolved: HashMap<String, String> = HashMap::new();
    map.into_values()
        .map(|acc| row(acc, by, resolver, range, &mut resolved))
        .collect()
}

fn row(
    acc: Acc<'_>,
    by: &[GovKey],
    resolver: &Resolver<'_>,
    range: &str,
    cache: &mut HashMap<String, String>,
) -> GovRow {
    let a = acc.first;
    let grouped = |k: GovKey| by.contains(&k);
    let (principal, principal_type, account) = if grouped(GovKey::Principal) {
        (
            a.principal.key.clone(),
            a.principal.kind.as_str().to_string(),
            a.principal.account.clone().unwrap_or_default(),
        )
    } else {
        (ALL.into(), ALL.into(), ALL.into())
    };
    let (model_id, resolved_model) = if grouped(GovKey::Model) {
        match &a.model_id {
            Some(id) => {
                let r = cache
                    .entry(id.clone())
                    .or_insert_with(|| {
                        resolver
                            .resolve(id)
                            .map(|r| r.model.id.clone())
                            .unwrap_or_default()
                    })
                    .clone();
                (id.clone(), r)
            }
            None => (NONE.to_string(), String::new()),
        }
    } else {
        (ALL.into(), String::new())
    };
    let pick = |k: GovKey, v: String, otherwise: &str| {
        if grouped(k) { v } else { otherwise.to_string() }
    };
    GovRow {
        apportioned_cost_usd: None,
        principal,
        principal_type,
        account,
        model_id,
        resolved_model,
        region: pick(GovKey::Region, a.region.clone(), ALL),
        day: pick(GovKey::Day, a.day.to_string(), range),
        event: pick(GovKey::Event, a.event_name.clone(), ALL),
        error: pick(
            GovKey::Error,
            a.error_code.clone().unwrap_or_else(|| NONE.to_string()),
            ALL,
        ),
        operations: acc.operations,
        calls: acc.calls,
        invoke_calls: acc.invoke_calls,
        error_share_pct: share_pct(acc.error_calls, acc.calls),
        errors: acc.errors,
        error_calls: acc.error_calls,
        source_ip_count: acc.ips.len(),
        source_ips: acc
            .ips
            .into_iter()
            .take(MAX_LISTED)
            .map(str::to_string)
            .collect(),
        user_agent_count: acc.agents.len(),
        user_agents: acc
            .agents
            .into_iter()
            .take(MAX_LISTED)
            .map(str::to_string)
            .collect(),
        regions: acc.regions.into_iter().map(str::to_string).collect(),
        rerouted_calls: acc.rerouted,
        first_seen: acc.first_seen,
        last_seen: acc.last_seen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_exact_and_rounded_half_away_from_zero() {
        assert_eq!(share_pct(1, 8).to_string(), "12.5");
        assert_eq!(share_pct(1, 3).to_string(), "33.33");
        assert_eq!(share_pct(2, 3).to_string(), "66.67");
        assert_eq!(share_pct(1, 800).to_string(), "0.13");
        assert_eq!(share_pct(0, 0), Decimal::ZERO);
        assert_eq!(share_pct(5, 5).to_string(), "100");
    }
}
