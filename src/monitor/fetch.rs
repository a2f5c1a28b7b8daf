//! GetMetricData: one query per (series metric, statistic), up to 500 queries per call,
//! following NextToken.
//!
//! API economy: for each day window the number of calls is `ceil(queries / 500)` per page
//! of results; a page ends when a call's answer exceeds 100,800 data points (about 200 days
//! of 500 daily queries), so a report of under 200 days is one page.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};

use super::days::Window;
use super::discover::SeriesMetric;
use super::error::{CallSite, MonitorError, from_sdk};
use super::metrics;
use super::results::{Accumulator, QuerySpec};

/// GetMetricData's limit of queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

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

fn query(id: String, spec: &QuerySpec<'_>, period: i64) -> MetricDataQuery {
    let mut metric = Metric::builder()
        .namespace(metrics::NAMESPACE)
        .metric_name(&spec.metric.metric_name);
    for (name, value) in &spec.metric.dimensions {
        metric = metric.dimensions(Dimension::builder().name(name).value(value).build());
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(period as i32)
                .stat(spec.stat.as_str())
                .build(),
        )
        .return_data(true)
        .build()
}

/// Runs every query over one window; returns the number of GetMetricData calls made.
/// `on_call` is told after each call (progress).
pub async fn fetch_window(
    client: &Client,
    at: &CallSite<'_>,
    window: &Window,
    specs: &[QuerySpec<'_>],
    acc: &mut Accumulator,
    on_call: &(dyn Fn() + Send + Sync),
) -> Result<u64, MonitorError> {
    let mut calls = 0;
    let start = DateTime::from_secs(window.start.as_second());
    let end = DateTime::from_secs(window.end().as_second());
    for batch in specs.chunks(MAX_QUERIES_PER_CALL) {
        let queries: Vec<MetricDataQuery> = batch
            .iter()
            .enumerate()
            .map(|(i, s)| query(query_id(i), s, window.period_secs))
            .collect();
        let spec_of = |id: &str| {
            id.strip_prefix('q')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| batch.get(i).copied())
        };
        let mut token: Option<String> = None;
        loop {
            let resp = client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(start)
                .end_time(end)
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, at))?;
            calls += 1;
            on_call();
            for r in resp.metric_data_results() {
                acc.apply(r, spec_of, window, at.region);
            }
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::metrics::{Field, Stat};

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
        assert_eq!(q.id(), Some("q7"));
        let stat = q.metric_stat().unwrap();
        assert_eq!(stat.stat(), Some("Sum"));
        assert_eq!(stat.period(), Some(86_400));
        let metric = stat.metric().unwrap();
        assert_eq!(metric.namespace(), Some("AWS/Bedrock"));
        assert_eq!(metric.dimensions().len(), 2);
    }
}
