//! Folding call records into [`CallAggregate`]s, the finest grain a governance report
//! groups by (UTC day × Region × principal × model × operation × error code).
//!
//! Rows and most findings are computed from aggregates only, so a query engine that
//! aggregates trail files where they live (Athena) feeds the same code as local records.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::records::call::CallAggregate;
use crate::records::{CallRecord, Principal};

/// The UTC calendar day of a call.
pub fn utc_day(t: jiff::Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

type Key = (
    Date,
    String,
    Principal,
    Option<String>,
    String,
    Option<String>,
);

struct Acc {
    agg: CallAggregate,
    ips: BTreeSet<String>,
    agents: BTreeSet<String>,
}

/// Folds `calls` into aggregates, sorted by day, Region, principal, model, operation and
/// error code. Source IPs and user agents are kept complete (not capped).
pub fn aggregate(calls: &[CallRecord]) -> Vec<CallAggregate> {
    let mut map: BTreeMap<Key, Acc> = BTreeMap::new();
    for c in calls {
        let day = utc_day(c.time);
        let key = (
            day,
            c.region.clone(),
            c.principal.clone(),
            c.model_id.clone(),
            c.event_name.clone(),
            c.error_code.clone(),
        );
        let acc = map.entry(key).or_insert_with(|| Acc {
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
        acc.agg.calls += 1;
        acc.agg.rerouted_calls += u64::from(c.rerouted());
        acc.agg.first_seen = acc.agg.first_seen.min(c.time);
        acc.agg.last_seen = acc.agg.last_seen.max(c.time);
        if let Some(ip) = &c.source_ip {
            acc.ips.insert(ip.clone());
        }
        if let Some(ua) = &c.user_agent {
            acc.agents.insert(ua.clone());
        }
    }
    map.into_values()
        .map(|mut a| {
            a.agg.source_ips = a.ips.into_iter().collect();
            a.agg.user_agents = a.agents.into_iter().collect();
            a.agg
        })
        .collect()
}
