//! Folding call records into [`CallAggregate`]s, the finest grain a governance report
//! groups by (UTC day × Region × principal × model × operation × error code).
//!
//! Rows and most findings are computed from aggregates only, so a query engine that
//! aggregates trail files where they live (Athena) feeds the same code as local records.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rustc_hash::FxHashMap;

use crate::records::call::CallAggregate;
use crate::records::{CallRecord, Principal};

/// The UTC calendar day of a call.
pub fn utc_day(t: jiff::Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

type Key<'a> = (
    Date,
    &'a str,
    &'a Principal,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
);

struct Acc<'a> {
    agg: CallAggregate,
    ips: BTreeSet<&'a str>,
    agents: BTreeSet<&'a str>,
}

/// Folds `calls` into aggregates, sorted by day, Region, principal, model, operation and
/// error code. Source IPs and user agents are kept complete (not capped).
pub fn aggregate(calls: &[CallRecord]) -> Vec<CallAggregate> {
    // Keys borrow from the records: strings are copied once per aggregate, not per call.
    let mut index: FxHashMap<Key<'_>, usize> = FxHashMap::default();
    let mut accs: Vec<Acc<'_>> = Vec::new();
    for c in calls {
        let day = utc_day(c.time);
        let key = (
            day,
            c.region.as_str(),
            &c.principal,
            c.model_id.as_deref(),
            c.event_name.as_str(),
            c.error_code.as_deref(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            accs.push(Acc {
                agg: CallAggregate {
                    day,
                    region: c.region.clone(),
                    principal: c.principal.clone(),
                    model_id: c.model_id.clone(),
                    event_name: c.event_name.clone(),
                    error_code: c.error_code.clone(),
                    calls: 0,
                    rerouted_calls: 0,
                    first_seen: c.time,
                    last_seen: c.time,
                    source_ips: Vec::new(),
                    user_agents: Vec::new(),
                },
                ips: BTreeSet::new(),
                agents: BTreeSet::new(),
            });
            accs.len() - 1
        });
        let acc = &mut accs[i];
        acc.agg.calls += 1;
        acc.agg.rerouted_calls += u64::from(c.rerouted());
        acc.agg.first_seen = acc.agg.first_seen.min(c.time);
        acc.agg.last_seen = acc.agg.last_seen.max(c.time);
        if let Some(ip) = &c.source_ip {
            acc.ips.insert(ip);
        }
        if let Some(ua) = &c.user_agent {
            acc.agents.insert(ua);
        }
    }
    let mut out: Vec<CallAggregate> = accs
        .into_iter()
        .map(|a| CallAggregate {
            source_ips: a.ips.into_iter().map(str::to_string).collect(),
            user_agents: a.agents.into_iter().map(str::to_string).collect(),
            ..a.agg
        })
        .collect();
    out.sort_by(|a, b| {
        (
            a.day,
            &a.region,
            &a.principal,
            &a.model_id,
            &a.event_name,
            &a.error_code,
        )
            .cmp(&(
                b.day,
                &b.region,
                &b.principal,
                &b.model_id,
                &b.event_name,
                &b.error_code,
            ))
    });
    out
}
