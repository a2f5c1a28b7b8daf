//! Helpers for tests against the moto server that `scripts/test.sh` starts.
//!
//! Tests share one server and run in parallel, so each test owns its data: a *slot* of
//! days (no two tests read the same days of the same Region) and, where it counts calls,
//! a Region of its own. The days lie 20 to 360 days back, shifted by the server's port, so
//! that a second run against a long-lived server does not read the first run's data.

#![allow(dead_code)]

use std::sync::OnceLock;

use aws_config::BehaviorVersion;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::{Credentials, Region};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use jiff::ToSpan;
use jiff::civil::Date;

/// The moto endpoint, or a failing test that says how to get one.
pub fn endpoint() -> String {
    match std::env::var("BEDROCK_METER_TEST_ENDPOINT") {
        Ok(e) if !e.is_empty() => e,
        _ => panic!(
            "BEDROCK_METER_TEST_ENDPOINT is not set: this test needs the moto server. Run the suite with scripts/test.sh, which installs moto into .venv, starts it and sets the variable"
        ),
    }
}

/// A CloudWatch client for seeding and inspecting the test server.
pub fn client(region: &str) -> Client {
    let conf = aws_sdk_cloudwatch::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    Client::from_conf(conf)
}

/// A runtime for the async SDK calls of a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn offset_days() -> i64 {
    static OFFSET: OnceLock<i64> = OnceLock::new();
    *OFFSET.get_or_init(|| {
        let port: i64 = endpoint()
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or(0);
        20 + port % 200
    })
}

/// The first of 5 days owned by `slot` (0..=24; every test file uses its own slots).
pub fn slot_start(slot: i64) -> Date {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    today
        .checked_sub((offset_days() + 6 * slot + 6).days())
        .unwrap()
}

/// `day + n` days.
pub fn plus(day: Date, n: i64) -> Date {
    day.checked_add(n.days()).unwrap()
}

/// Noon UTC of `day`, plus `hours`.
pub fn at(day: Date, hours: i64) -> DateTime {
    let ts = day
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second()
        + 12 * 3600
        + hours * 3600;
    DateTime::from_secs(ts)
}

/// One data point of a Bedrock metric.
pub fn datum(model_id: &str, metric: &str, when: DateTime, value: f64) -> MetricDatum {
    MetricDatum::builder()
        .metric_name(metric)
        .dimensions(Dimension::builder().name("ModelId").value(model_id).build())
        .timestamp(when)
        .value(value)
        .unit(if metric == "InvocationLatency" {
            StandardUnit::Milliseconds
        } else {
            StandardUnit::Count
        })
        .build()
}

/// Writes data points to `AWS/Bedrock` (PutMetricData, 500 per call).
pub async fn put(client: &Client, data: Vec<MetricDatum>) {
    for chunk in data.chunks(500) {
        client
            .put_metric_data()
            .namespace("AWS/Bedrock")
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PutMetricData to the moto server failed: {}",
                    aws_sdk_cloudwatch::error::DisplayErrorContext(&e)
                )
            });
    }
}
