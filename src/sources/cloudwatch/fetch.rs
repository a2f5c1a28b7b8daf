//! GetMetricData: one query per (series metric, statistic), up to 500 queries per call,
//! following NextToken.
//!
//! API economy: for each day window the number of calls is `ceil(queries / 500)` per page
//! of results; a page ends when a call's answer exceeds 100,800 data points (about 200 days
//! of 500 daily queries), so a report of under 200 days is one page.

use super::days::Window;
use super::discover::SeriesMetric;
use super::metrics;
use super::results::{Accumulator, QuerySpec};
use crate::aws::AwsError;
use crate::aws::cloudwatch::{CloudWatch, MetricQuery};

/// GetMetricData's limit of queries per call.
pub const MAX_QUERIES_PER_CALL: usize = crate::aws::cloudwatch::MAX_QUERIES_PER_CALL;

/// Every query to run for these series metrics: one per statistic.
pub fn plan(found: &[SeriesMetric], percentiles: bool) -> Vec<QuerySpec<'_>> {
    found
        .iter()
        .flat_map(|m| {
            metrics::stats(m.field, percentiles)
                .iter()
                .map(move |stat| QuerySpec {
                    metric: m,
                    stat: *stat,
                })
        })
        .collect()
}

/// Calls needed for one page of one window.
pub fn calls_per_page(queries: usize) -> usize {
    queries.div_ceil(MAX_QUERIES_PER_CALL)
}

/// The query id of the `i`-th query of a call: ids must start with a lowercase letter.
fn query_id(i: usize) -> String {
    format!("q{i}")
}

/// The GetMetricData query of one spec.
pub fn query(id: String, spec: &QuerySpec<'_>, period: i64) -> MetricQuery {
    MetricQuery {
        id,
        namespace: metrics::NAMESPACE.to_string(),
        metric_name: spec.metric.metric_name.clone(),
        dimensions: spec.metric.dimensions.clone(),
        period_secs: period,
        stat: spec.stat.as_str().to_string(),
    }
}

/// Runs every query over one window; returns the number of GetMetricData calls made.
/// `on_call` is told after each call (progress).
pub async fn fetch_window(
    cloudwatch: &CloudWatch,
    region: &str,
    window: &Window,
    specs: &[QuerySpec<'_>],
    acc: &mut Accumulator,
    on_call: &(dyn Fn() + Send + Sync),
) -> Result<u64, AwsError> {
    let mut calls = 0;
    let start = window.start.as_second();
    let end = window.end().as_second();
    for batch in specs.chunks(MAX_QUERIES_PER_CALL) {
        let queries: Vec<MetricQuery> = batch
            .iter()
            .enumerate()
            .map(|(i, s)| query(query_id(i), s, window.period_secs))
            .collect();
        let spec_of = |id: &str| {
            id.strip_prefix('q')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| batch.get(i).copied())
        };
        let mut on_page = |results: Vec<_>| {
            on_call();
            for r in &results {
                acc.apply(r, spec_of, window, region);
            }
        };
        calls += cloudwatch
            .get_metric_data(&queries, start, end, &mut on_page)
            .await?;
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::cloudwatch::metrics::{Field, Stat};

    #[test]
    fn plan_has_one_query_per_statistic_and_batches_of_500() {
        let found: Vec<SeriesMetric> = (0..200)
            .flat_map(|i| {
                [
                    ("Invocations", Field::Invocations),
                    ("InvocationLatency", Field::Latency),
                ]
                .map(|(n, f)| SeriesMetric {
                    model_id: format!("m{i}"),
                    metric_name: n.into(),
                    field: f,
                    dimensions: vec![("ModelId".into(), format!("m{i}"))],
                })
            })
            .collect();
        assert_eq!(plan(&found, true).len(), 200 * 5);
        assert_eq!(plan(&found, false).len(), 200 * 2);
        assert_eq!(calls_per_page(1000), 2);
        assert_eq!(calls_per_page(1001), 3);
        assert_eq!(calls_per_page(0), 0);
    }

    #[test]
    fn queries_name_the_exact_metric() {
        let m = SeriesMetric {
            model_id: "us.x".into(),
            metric_name: "OutputImageCount".into(),
            field: Field::Images,
            dimensions: vec![
                ("ImageSize".into(), "512x512".into()),
                ("ModelId".into(), "us.x".into()),
            ],
        };
        let q = query(
            query_id(7),
            &QuerySpec {
                metric: &m,
                stat: Stat::Sum,
            },
            86_400,
        );
        assert_eq!(q.id, "q7");
        assert_eq!(q.stat, "Sum");
        assert_eq!(q.period_secs, 86_400);
        assert_eq!(q.namespace, "AWS/Bedrock");
        assert_eq!(q.dimensions.len(), 2);
    }
}
