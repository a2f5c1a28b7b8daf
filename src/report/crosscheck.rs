//! `report daily --logs … --check-cloudwatch`: invocation logs and CloudWatch metrics count
//! the same calls, so their token totals per day × Region × model series should agree.
//! When they do not, something is missing: logging not enabled in every Region or account,
//! log deliveries that failed (`ModelInvocationLogs…DeliveryFailure` metrics), or traffic
//! through the OpenAI-compatible endpoint (Mantle) that invocation logs do not record.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::records::UsageRecord;

/// A series whose totals differ by more than the tolerance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub day: Date,
    pub region: String,
    pub model_id: String,
    /// Input + output + cache read + cache write tokens in the logs.
    pub logs_tokens: u64,
    pub cloudwatch_tokens: u64,
    /// `(logs − cloudwatch) / cloudwatch × 100`, 2 decimals (100 when CloudWatch has none).
    pub diff_pct: Decimal,
}

fn tokens(r: &UsageRecord) -> u64 {
    r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens
}

fn totals(records: &[UsageRecord]) -> BTreeMap<(Date, String, String), u64> {
    let mut out = BTreeMap::new();
    for r in records {
        *out.entry((r.day, r.region.clone(), r.model_id.clone()))
            .or_default() += tokens(r);
    }
    out
}

/// The series whose token totals differ by more than `tolerance_pct` percent, in day,
/// Region, model order.
pub fn compare(
    logs: &[UsageRecord],
    cloudwatch: &[UsageRecord],
    tolerance_pct: Decimal,
) -> Vec<Mismatch> {
    let l = totals(logs);
    let c = totals(cloudwatch);
    let mut keys: Vec<&(Date, String, String)> = l.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let lt = l.get(k).copied().unwrap_or(0);
            let ct = c.get(k).copied().unwrap_or(0);
            if lt == ct {
                return None;
            }
            let diff_pct = if ct == 0 {
                Decimal::ONE_HUNDRED
            } else {
                ((Decimal::from(lt) - Decimal::from(ct)) * Decimal::ONE_HUNDRED / Decimal::from(ct))
                    .round_dp(2)
            };
            (diff_pct.abs() > tolerance_pct).then(|| Mismatch {
                day: k.0,
                region: k.1.clone(),
                model_id: k.2.clone(),
                logs_tokens: lt,
                cloudwatch_tokens: ct,
                diff_pct,
            })
        })
        .collect()
}

/// A mismatch as a note line.
pub fn note(m: &Mismatch) -> String {
    format!(
        "check: {} {} {}: invocation logs {} tokens, CloudWatch {} ({:+}%)",
        m.day, m.region, m.model_id, m.logs_tokens, m.cloudwatch_tokens, m.diff_pct
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rec(model: &str, principal: Option<&str>, input: u64) -> UsageRecord {
        let mut r = UsageRecord::new(date(2026, 11, 2), "us-east-1", model);
        r.principal = principal.map(str::to_string);
        r.input_tokens = input;
        r
    }

    #[test]
    fn series_beyond_the_tolerance_are_listed_both_ways() {
        let logs = [
            rec("a", Some("p1"), 600),
            rec("a", Some("p2"), 400), // a: 1000 in logs
            rec("b", Some("p1"), 1_000),
            rec("c", Some("p1"), 5),
        ];
        let cw = [
            rec("a", None, 1_005), // 0.5% off: within 1%
            rec("b", None, 2_000), // logs miss half
            rec("d", None, 50),    // not in the logs at all
        ];
        let m = compare(&logs, &cw, Decimal::ONE);
        let got: Vec<(&str, Decimal)> = m
            .iter()
            .map(|x| (x.model_id.as_str(), x.diff_pct))
            .collect();
        assert_eq!(
            got,
            vec![
                ("b", Decimal::new(-50, 0)),
                ("c", Decimal::ONE_HUNDRED),
                ("d", Decimal::new(-100, 0)),
            ]
        );
        assert!(note(&m[0]).contains("-50"), "{}", note(&m[0]));
    }
}
