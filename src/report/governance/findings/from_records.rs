//! Findings that need each call's time or error message, so they take call records:
//! bursts of denied or invalid requests, model-availability probing, and legacy models
//! that answered `ResourceNotFoundException` ("This Model is marked by provider as Legacy").

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;

use super::from_aggregates::is_model_call;
use super::{Finding, FindingKind, Severity, listing};
use crate::records::CallRecord;
use crate::report::governance::thresholds::Thresholds;
use crate::resolve::Resolver;

/// Error codes of calls the caller was not allowed to make.
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
];

/// Operations that tell a caller which models an account can use.
pub const PROBING_EVENTS: &[&str] = &[
    "GetFoundationModelAvailability",
    "ListFoundationModels",
    "GetFoundationModel",
];

/// The index ranges (inclusive) of `times` (sorted) where at least `threshold` events lie
/// within `window` of each other (last − first ≤ window), overlapping windows merged; with
/// the largest count in any one window of each range.
pub fn burst_ranges(
    times: &[jiff::Timestamp],
    threshold: u64,
    window: SignedDuration,
) -> Vec<(usize, usize, usize)> {
    let threshold = threshold.max(1) as usize;
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize, usize)> = None;
    let mut i = 0;
    for j in 0..times.len() {
        while times[j].duration_since(times[i]) > window {
            i += 1;
        }
        let n = j - i + 1;
        if n < threshold {
            continue;
        }
        cur = match cur {
            Some((s, e, peak)) if i <= e => Some((s, j, peak.max(n))),
            Some(done) => {
                out.push(done);
                Some((i, j, n))
            }
            None => Some((i, j, n)),
        };
    }
    out.extend(cur);
    out
}

/// One finding per burst of `calls` matching `select`, per principal.
fn bursts<'a>(
    calls: impl Iterator<Item = &'a CallRecord>,
    threshold: u64,
    window_minutes: u64,
    kind: FindingKind,
    severity: Severity,
    what: &str,
) -> Vec<Finding> {
    let mut by_principal: BTreeMap<&str, Vec<&CallRecord>> = BTreeMap::new();
    for c in calls {
        by_principal
            .entry(c.principal.key.as_str())
            .or_default()
            .push(c);
    }
    let window = SignedDuration::from_mins(window_minutes.min(i64::MAX as u64 / 60) as i64);
    let mut out = Vec::new();
    for (principal, mut list) in by_principal {
        list.sort_by_key(|c| c.time);
        let times: Vec<_> = list.iter().map(|c| c.time).collect();
        for (s, e, peak) in burst_ranges(&times, threshold, window) {
            let burst = &list[s..=e];
            let models: BTreeSet<&str> =
                burst.iter().filter_map(|c| c.model_id.as_deref()).collect();
            let ips: BTreeSet<&str> = burst
                .iter()
                .filter_map(|c| c.source_ip.as_deref())
                .collect();
            let mut labels: BTreeMap<&str, u64> = BTreeMap::new();
            for c in burst {
                let label = c.error_code.as_deref().unwrap_or(c.event_name.as_str());
                *labels.entry(label).or_default() += 1;
            }
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut detail = format!(
                "{} {what} ({}), up to {peak} within {window_minutes} minute(s) (threshold {threshold}); models: {}; source IPs: {}",
                burst.len(),
                labels.join(", "),
                if models.is_empty() {
                    "none".to_string()
                } else {
                    listing(&models, 5)
                },
                if ips.is_empty() {
                    "none".to_string()
                } else {
                    listing(&ips, 5)
                },
            );
            if models.len() > 1 {
                detail.push_str(&format!(" ({} distinct models)", models.len()));
            }
            out.push(Finding {
                kind,
                severity,
                principal: principal.to_string(),
                model_id: (models.len() == 1).then(|| models.iter().next().unwrap().to_string()),
                count: burst.len() as u64,
                first_seen: burst[0].time,
                last_seen: burst[burst.len() - 1].time,
                detail,
            });
        }
    }
    out
}

/// `access-denied-burst` (high).
pub fn access_denied_bursts(calls: &[CallRecord], th: &Thresholds) -> Vec<Finding> {
    bursts(
        calls.iter().filter(|c| {
            c.error_code
                .as_deref()
                .is_some_and(|e| ACCESS_DENIED_CODES.contains(&e))
        }),
        th.access_denied_burst,
        th.access_denied_window_minutes,
        FindingKind::AccessDeniedBurst,
        Severity::High,
        "access-denied error(s)",
    )
}

/// `validation-burst` (medium): bad requests, as tools probing for usable models send.
pub fn validation_bursts(calls: &[CallRecord], th: &Thresholds) -> Vec<Finding> {
    bursts(
        calls
            .iter()
            .filter(|c| c.error_code.as_deref() == Some("ValidationException")),
        th.validation_burst,
        th.validation_window_minutes,
        FindingKind::ValidationBurst,
        Severity::Medium,
        "ValidationException error(s)",
    )
}

/// `availability-probing` (high): model-availability checks, succeeded or not.
pub fn availability_probing(calls: &[CallRecord], th: &Thresholds) -> Vec<Finding> {
    bursts(
        calls
            .iter()
            .filter(|c| PROBING_EVENTS.contains(&c.event_name.as_str())),
        th.availability_probing,
        th.probing_window_minutes,
        FindingKind::AvailabilityProbing,
        Severity::High,
        "model-availability call(s)",
    )
}

/// `legacy-model` (low) from errors: model calls answered `ResourceNotFoundException`
/// with a message that mentions "Legacy", for models the catalog does not already mark
/// legacy (those are found from aggregates).
pub fn legacy_errors(calls: &[CallRecord], resolver: &Resolver<'_>) -> Vec<Finding> {
    let mut by: BTreeMap<(&str, &str), Vec<&CallRecord>> = BTreeMap::new();
    for c in calls {
        let mentions_legacy = c.error_code.as_deref() == Some("ResourceNotFoundException")
            && c.error_message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("legacy"));
        if !mentions_legacy || !is_model_call(&c.event_name) {
            continue;
        }
        let model = c.model_id.as_deref().unwrap_or("");
        let catalog_legacy = resolver.resolve(model).is_ok_and(|r| r.model.legacy);
        if !catalog_legacy {
            by.entry((c.principal.key.as_str(), model))
                .or_default()
                .push(c);
        }
    }
    by.into_iter()
        .map(|((principal, model), list)| {
            let first = list.iter().map(|c| c.time).min().unwrap_or_default();
            let last = list.iter().map(|c| c.time).max().unwrap_or_default();
            let message = list[0].error_message.clone().unwrap_or_default();
            Finding {
                kind: FindingKind::LegacyModel,
                severity: Severity::Low,
                principal: principal.to_string(),
                model_id: (!model.is_empty()).then(|| model.to_string()),
                count: list.len() as u64,
                first_seen: first,
                last_seen: last,
                detail: format!(
                    "{} call(s) refused as legacy (ResourceNotFoundException: {message})",
                    list.len()
                ),
            }
        })
        .collect()
}

/// Every record-based finding (unsorted).
pub fn from_records(
    calls: &[CallRecord],
    resolver: &Resolver<'_>,
    th: &Thresholds,
) -> Vec<Finding> {
    let mut out = access_denied_bursts(calls, th);
    out.extend(validation_bursts(calls, th));
    out.extend(availability_probing(calls, th));
    out.extend(legacy_errors(calls, resolver));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000 + min * 60).unwrap()
    }

    #[test]
    fn windows_merge_and_count_their_peak() {
        let times: Vec<_> = [0, 1, 2, 3, 30, 31, 32].map(t).to_vec();
        assert_eq!(
            burst_ranges(&times, 3, SignedDuration::from_mins(10)),
            vec![(0, 3, 4), (4, 6, 3)]
        );
        assert_eq!(
            burst_ranges(&times, 5, SignedDuration::from_mins(10)),
            vec![]
        );
        // Inclusive window: 0 and 10 minutes are within 10 minutes of each other.
        let edge: Vec<_> = [0, 10].map(t).to_vec();
        assert_eq!(
            burst_ranges(&edge, 2, SignedDuration::from_mins(10)),
            vec![(0, 1, 2)]
        );
    }
}
