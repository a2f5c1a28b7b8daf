//! Who spent it, without invocation logs: CloudWatch's priced daily usage of each
//! (day, Region, model series) split over the principals CloudTrail saw calling that series,
//! in proportion to their **successful** model invocations.
//!
//! This is an *estimate*: it assumes every successful call of a series cost the same. A
//! principal sending long prompts is under-charged, one sending short prompts over-charged.
//! Exact per-principal cost needs model-invocation logs (they carry each call's tokens).
//! Every row this module makes is labelled `cloudtrail-apportioned`.
//!
//! The split is exact: each part is `whole × calls / total` rounded to 10 decimal places,
//! and the last principal takes what is left, so the parts of a series-day add up to its
//! CloudWatch cost to the last digit. Token and call counts are split the same way, in whole
//! numbers. Usage with no matching CloudTrail calls stays whole under `(unattributed)`.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::price::{Costs, Priced};
use crate::records::{CallAggregate, Source};

/// The principal label of usage no CloudTrail call explains (logging gaps, trails that do
/// not log read-only management events, or calls outside the trail's Regions).
pub const UNATTRIBUTED: &str = "(unattributed)";

/// Successful invocations per (day, Region, model series), by principal key.
type CallsBySeries = BTreeMap<(Date, String, String), BTreeMap<String, u64>>;

fn successful_calls(calls: &[CallAggregate]) -> CallsBySeries {
    let mut out = CallsBySeries::new();
    for a in calls {
        if a.error_code.is_some()
            || !crate::records::call::INVOCATION_EVENTS.contains(&a.event_name.as_str())
        {
            continue;
        }
        let Some(model) = &a.model_id else { continue };
        *out.entry((a.day, a.region.clone(), model.trim().to_string()))
            .or_default()
            .entry(a.principal.key.clone())
            .or_default() += a.calls;
    }
    out
}

/// The CloudTrail series a CloudWatch series matches: the same string, or — for a
/// `MODEL+flex` / `MODEL+priority` tier series, which CloudTrail records without the
/// suffix — the base model ID.
fn series_key(model_id: &str) -> [&str; 2] {
    let base = model_id.split_once('+').map(|(b, _)| b).unwrap_or(model_id);
    [model_id, base]
}

/// Splits each priced record over the principals of its series-day. Returns the parts and
/// the notes that explain the split.
pub fn apportion(priced: &[Priced], calls: &[CallAggregate]) -> (Vec<Priced>, Vec<String>) {
    let by_series = successful_calls(calls);
    let mut out = Vec::new();
    let mut unattributed = 0usize;
    for p in priced {
        let r = &p.record;
        let shares = series_key(&r.model_id).into_iter().find_map(|k| {
            by_series
                .get(&(r.day, r.region.clone(), k.to_string()))
                .filter(|m| m.values().sum::<u64>() > 0)
        });
        match shares {
            None => {
                unattributed += 1;
                let mut whole = p.clone();
                whole.record.principal = Some(UNATTRIBUTED.to_string());
                whole.record.source = Source::CloudTrailApportioned;
                out.push(whole);
            }
            Some(shares) => out.extend(split(p, shares)),
        }
    }
    let mut notes = vec![
        "cost per principal is an apportioned estimate: each series-day's CloudWatch cost is split over principals in proportion to their successful CloudTrail invocations (exact per-principal cost needs model-invocation logs)".to_string(),
    ];
    if unattributed > 0 {
        notes.push(format!(
            "{unattributed} series-day(s) had no matching successful CloudTrail invocation and are shown as {UNATTRIBUTED} (does the trail log read-only management events in every Region?)"
        ));
    }
    (out, notes)
}

fn split(p: &Priced, shares: &BTreeMap<String, u64>) -> Vec<Priced> {
    let total: u64 = shares.values().sum();
    let n = shares.len();
    let mut parts: Vec<Priced> = Vec::with_capacity(n);
    let mut given_counts = [0u64; 9];
    let mut given_money = [Decimal::ZERO; 6];
    for (i, (principal, calls)) in shares.iter().enumerate() {
        let last = i + 1 == n;
        let mut part = p.clone();
        part.record.principal = Some(principal.clone());
        part.record.source = Source::CloudTrailApportioned;
        let r = &mut part.record;
        let counts = [
            &mut r.invocations,
            &mut r.input_tokens,
            &mut r.output_tokens,
            &mut r.cache_read_tokens,
            &mut r.cache_write_tokens,
            &mut r.images,
            &mut r.client_errors,
            &mut r.server_errors,
            &mut r.throttles,
        ];
        for (k, c) in counts.into_iter().enumerate() {
            let whole = *c;
            *c = if last {
                whole - given_counts[k]
            } else {
                ((whole as u128 * *calls as u128) / total as u128) as u64
            };
            given_counts[k] += *c;
        }
        let money = |whole: Option<Decimal>, k: usize, given: &mut [Decimal; 6]| {
            whole.map(|w| {
                let v = if last {
                    w - given[k]
                } else {
                    (w * Decimal::from(*calls) / Decimal::from(total)).round_dp(10)
                };
                given[k] += v;
                v
            })
        };
        let c = &p.costs;
        part.costs = Costs {
            input: money(c.input, 0, &mut given_money),
            output: money(c.output, 1, &mut given_money),
            cache_read: money(c.cache_read, 2, &mut given_money),
            cache_write: money(c.cache_write, 3, &mut given_money),
            image: money(c.image, 4, &mut given_money),
            total: money(c.total, 5, &mut given_money),
        };
        parts.push(part);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Principal, UsageRecord};
    use jiff::civil::date;

    fn agg(
        principal: &str,
        model: &str,
        event: &str,
        error: Option<&str>,
        n: u64,
    ) -> CallAggregate {
        let t: jiff::Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        CallAggregate {
            day: date(2026, 3, 2),
            region: "us-east-1".into(),
            principal: Principal::from_arn(principal),
            model_id: Some(model.into()),
            event_name: event.into(),
            error_code: error.map(str::to_string),
            calls: n,
            rerouted_calls: 0,
            first_seen: t,
            last_seen: t,
            source_ips: vec![],
            user_agents: vec![],
        }
    }

    fn priced(model: &str, invocations: u64, total: &str) -> Priced {
        let mut record = UsageRecord::new(date(2026, 3, 2), "us-east-1", model);
        record.invocations = invocations;
        record.input_tokens = 1_000_001;
        let t: Decimal = total.parse().unwrap();
        Priced {
            record,
            resolved_model: Some(model.into()),
            costs: Costs {
                input: Some(t),
                output: None,
                cache_read: Some(Decimal::ZERO),
                cache_write: Some(Decimal::ZERO),
                image: Some(Decimal::ZERO),
                total: Some(t),
            },
            unpriced: vec!["on-demand/output-tokens".into()],
            warnings: vec![],
        }
    }

    const A: &str = "arn:aws:iam::1:user/a";
    const B: &str = "arn:aws:sts::1:assumed-role/r/b";
    const C: &str = "arn:aws:iam::1:user/c";

    #[test]
    fn parts_follow_successful_calls_and_add_up_exactly() {
        let calls = [
            agg(A, "m", "InvokeModel", None, 1),
            agg(B, "m", "Converse", None, 1),
            agg(C, "m", "ConverseStream", None, 1),
            // Failed calls and control-plane calls do not count.
            agg(A, "m", "InvokeModel", Some("ThrottlingException"), 50),
            agg(B, "m", "GetFoundationModel", None, 50),
        ];
        let (parts, notes) = apportion(&[priced("m", 3, "1.00")], &calls);
        assert_eq!(parts.len(), 3);
        let totals: Vec<Decimal> = parts.iter().map(|p| p.costs.total.unwrap()).collect();
        assert_eq!(totals[0], "0.3333333333".parse::<Decimal>().unwrap());
        assert_eq!(totals.iter().copied().sum::<Decimal>(), Decimal::ONE);
        let tokens: u64 = parts.iter().map(|p| p.record.input_tokens).sum();
        assert_eq!(tokens, 1_000_001);
        assert_eq!(parts[0].record.invocations, 1);
        // An unknown dimension stays unknown in every part, never $0.
        assert!(parts.iter().all(|p| p.costs.output.is_none()));
        assert!(
            parts
                .iter()
                .all(|p| p.record.source == Source::CloudTrailApportioned)
        );
        assert!(notes[0].contains("apportioned estimate"));
    }

    #[test]
    fn usage_without_calls_is_unattributed_and_tiers_match_their_base_model() {
        let calls = [agg(A, "m", "InvokeModel", None, 4)];
        let (parts, notes) = apportion(
            &[priced("m+priority", 4, "2.00"), priced("other", 1, "0.50")],
            &calls,
        );
        assert_eq!(parts[0].record.principal.as_deref(), Some(A));
        assert_eq!(parts[0].costs.total, Some("2.00".parse().unwrap()));
        assert_eq!(parts[1].record.principal.as_deref(), Some(UNATTRIBUTED));
        assert!(notes[1].contains("1 series-day"));
    }
}
