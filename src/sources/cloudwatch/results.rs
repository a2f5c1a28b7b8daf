//! Folding GetMetricData results into usage records.
//!
//! Each result carries the query `id` it answers, and parallel lists of bucket timestamps
//! and values. The id, never the label, says which series and statistic it is: labels are
//! free text. Counts are sums of whole numbers, exact in a double up to 2^53.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::days::Window;
use super::discover::SeriesMetric;
use super::metrics::{Field, Stat};
use crate::aws::cloudwatch::{MetricResult, ResultStatus};
use crate::records::UsageRecord;

/// What one query asks for.
#[derive(Debug, Clone, Copy)]
pub struct QuerySpec<'m> {
    pub metric: &'m SeriesMetric,
    pub stat: Stat,
}

/// Usage records being built, keyed by (day, Region, ModelId).
#[derive(Debug, Default)]
pub struct Accumulator {
    records: BTreeMap<(Date, String, String), UsageRecord>,
    /// Problems CloudWatch reported inside successful responses.
    pub notes: Vec<String>,
}

impl Accumulator {
    /// The records, sorted by day, Region and ModelId.
    pub fn into_records(self) -> (Vec<UsageRecord>, Vec<String>) {
        (self.records.into_values().collect(), self.notes)
    }

    fn record(&mut self, day: Date, region: &str, model_id: &str) -> &mut UsageRecord {
        self.records
            .entry((day, region.to_string(), model_id.to_string()))
            .or_insert_with(|| UsageRecord::new(day, region, model_id))
    }

    /// Adds one result. `spec` finds the query of an id.
    pub fn apply<'m>(
        &mut self,
        result: &MetricResult,
        spec: impl Fn(&str) -> Option<QuerySpec<'m>>,
        window: &Window,
        region: &str,
    ) {
        let Some(q) = result.id.as_deref().and_then(&spec) else {
            self.notes.push(format!(
                "CloudWatch returned a result for an unknown query id {:?} in {region}: ignored",
                result.id.as_deref().unwrap_or("")
            ));
            return;
        };
        match result.status {
            ResultStatus::InternalError | ResultStatus::Forbidden => {
                let messages: Vec<&str> = result.messages.iter().map(String::as_str).collect();
                self.notes.push(format!(
                    "CloudWatch could not return {} {} of {} in {region} ({}): that statistic is missing",
                    q.metric.metric_name,
                    q.stat.as_str(),
                    q.metric.model_id,
                    messages.join("; ")
                ));
            }
            _ => {}
        }
        for (ts, value) in &result.points {
            if !value.is_finite() {
                continue;
            }
            let Some(day) = window.day_of(*ts) else {
                continue;
            };
            let r = self.record(day, region, &q.metric.model_id);
            let count = value.max(0.0).round() as u64;
            match (q.metric.field, q.stat) {
                (Field::Latency, Stat::Average) => r.latency.avg_ms = Some(*value),
                (Field::Latency, Stat::P50) => r.latency.p50_ms = Some(*value),
                (Field::Latency, Stat::P90) => r.latency.p90_ms = Some(*value),
                (Field::Latency, Stat::P99) => r.latency.p99_ms = Some(*value),
                (Field::Latency, Stat::Sum) => {}
                (Field::Invocations, _) => r.invocations += count,
                (Field::InputTokens, _) => r.input_tokens += count,
                (Field::OutputTokens, _) => r.output_tokens += count,
                (Field::CacheReadTokens, _) => r.cache_read_tokens += count,
                (Field::CacheWriteTokens, _) => r.cache_write_tokens += count,
                (Field::Images, _) => r.images += count,
                (Field::ClientErrors, _) => r.client_errors += count,
                (Field::ServerErrors, _) => r.server_errors += count,
                (Field::Throttles, _) => r.throttles += count,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::cloudwatch::days::windows;
    use jiff::civil::date;
    use jiff::tz::TimeZone;

    fn series(model: &str, name: &str, field: Field) -> SeriesMetric {
        SeriesMetric {
            model_id: model.to_string(),
            metric_name: name.to_string(),
            field,
            dimensions: vec![("ModelId".into(), model.into())],
        }
    }

    fn result(id: &str, points: &[(i64, f64)]) -> MetricResult {
        MetricResult {
            id: Some(id.to_string()),
            status: ResultStatus::Complete,
            messages: Vec::new(),
            points: points.to_vec(),
        }
    }

    /// moto does not compute percentiles, so their mapping is checked here (the SDK's
    /// response types become these plain results in `aws::cloudwatch`): p50/p90/p99 results land in the latency of the right day.
    #[test]
    fn percentile_results_map_to_latency_by_query_id() {
        let w = windows(date(2026, 5, 1), date(2026, 5, 3), &TimeZone::UTC).unwrap();
        let w = &w[0];
        let d0 = w.start.as_second();
        let d1 = d0 + 86_400;
        let lat = series(
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "InvocationLatency",
            Field::Latency,
        );
        let specs = [
            ("q0", Stat::Average),
            ("q1", Stat::P50),
            ("q2", Stat::P90),
            ("q3", Stat::P99),
        ];
        let spec = |id: &str| {
            specs
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, stat)| QuerySpec {
                    metric: &lat,
                    stat: *stat,
                })
        };
        let mut acc = Accumulator::default();
        // Results arrive in any order; p99 has only the second day.
        acc.apply(&result("q3", &[(d1, 2400.0)]), spec, w, "us-east-1");
        acc.apply(
            &result("q1", &[(d0, 610.5), (d1, 700.0)]),
            spec,
            w,
            "us-east-1",
        );
        acc.apply(
            &result("q2", &[(d0, 1500.0), (d1, 1600.0)]),
            spec,
            w,
            "us-east-1",
        );
        acc.apply(
            &result("q0", &[(d0, 820.25), (d1, 900.0)]),
            spec,
            w,
            "us-east-1",
        );
        let (records, notes) = acc.into_records();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(records.len(), 2);
        let first = &records[0].latency;
        assert_eq!(records[0].day, date(2026, 5, 1));
        assert_eq!(first.avg_ms, Some(820.25));
        assert_eq!(first.p50_ms, Some(610.5));
        assert_eq!(first.p90_ms, Some(1500.0));
        assert_eq!(first.p99_ms, None);
        let second = &records[1].latency;
        assert_eq!(
            (second.avg_ms, second.p50_ms, second.p90_ms, second.p99_ms),
            (Some(900.0), Some(700.0), Some(1600.0), Some(2400.0))
        );
        assert_eq!(records[1].invocations, 0);
    }

    #[test]
    fn sums_add_up_across_pages_and_dimension_sets() {
        let w = &windows(date(2026, 5, 1), date(2026, 5, 2), &TimeZone::UTC).unwrap()[0];
        let d0 = w.start.as_second();
        let small = series(
            "stability.sd3-5-large-v1:0",
            "OutputImageCount",
            Field::Images,
        );
        let large = small.clone();
        let spec = |id: &str| match id {
            "a" => Some(QuerySpec {
                metric: &small,
                stat: Stat::Sum,
            }),
            "b" => Some(QuerySpec {
                metric: &large,
                stat: Stat::Sum,
            }),
            _ => None,
        };
        let mut acc = Accumulator::default();
        acc.apply(&result("a", &[(d0, 3.0)]), spec, w, "us-west-2");
        acc.apply(&result("b", &[(d0, 4.0)]), spec, w, "us-west-2");
        acc.apply(&result("zz", &[(d0, 4.0)]), spec, w, "us-west-2");
        let (records, notes) = acc.into_records();
        assert_eq!(records[0].images, 7);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn an_internal_error_status_becomes_a_note() {
        let w = &windows(date(2026, 5, 1), date(2026, 5, 2), &TimeZone::UTC).unwrap()[0];
        let m = series("m", "InvocationLatency", Field::Latency);
        let r = MetricResult {
            id: Some("q0".into()),
            status: ResultStatus::InternalError,
            messages: vec![],
            points: vec![],
        };
        let mut acc = Accumulator::default();
        acc.apply(
            &r,
            |_| {
                Some(QuerySpec {
                    metric: &m,
                    stat: Stat::P99,
                })
            },
            w,
            "us-east-1",
        );
        let (records, notes) = acc.into_records();
        assert!(records.is_empty());
        assert!(notes[0].contains("InvocationLatency p99"), "{notes:?}");
    }
}
