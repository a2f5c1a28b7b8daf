//! Load measurement of the CloudWatch monitor: a 90-day daily report over 200 model
//! series, against a local test server (moto). Not a test: it prints the numbers.
//!
//! ```sh
//! .venv/bin/moto_server -H 127.0.0.1 -p 5055 &
//! AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
//!     cargo run --example monitor_load [-- SERIES DAYS METRICS]
//! ```
//!
//! It writes metrics, so it refuses to run without `AWS_ENDPOINT_URL` pointing at a server
//! on this machine.

use std::time::Instant;

use aws_config::BehaviorVersion;
use aws_sdk_cloudwatch::config::{Credentials, Region};
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use bedrock_meter::aws::AwsOptions;
use bedrock_meter::catalog::Catalog;
use bedrock_meter::records::Source;
use bedrock_meter::report::{self, DailyOptions, GroupBy};
use bedrock_meter::resolve::{Aliases, Resolver};
use bedrock_meter::sources::cloudwatch::{self as monitor, MonitorConfig};
use jiff::ToSpan;

const REGION: &str = "sa-east-1";
const METRICS: [&str; 8] = [
    "Invocations",
    "InputTokenCount",
    "OutputTokenCount",
    "CacheReadInputTokens",
    "InvocationLatency",
    "InvocationClientErrors",
    "InvocationServerErrors",
    "InvocationThrottles",
];
/// Forms of each catalog model ID: bare, geographic and global profiles.
const FORMS: [&str; 3] = ["", "us.", "global."];

fn main() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "set AWS_ENDPOINT_URL to a local test server (it writes metrics)"
    );
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let series = *args.first().unwrap_or(&200);
    let days = *args.get(1).unwrap_or(&90) as i64;
    let metrics = *args.get(2).unwrap_or(&METRICS.len());
    let until = jiff::Zoned::now().date();
    let since = until.checked_sub(days.days()).unwrap();

    // Series: catalog models in several ID forms.
    let catalog = Catalog::load(None).unwrap();
    let ids: Vec<String> = FORMS
        .iter()
        .flat_map(|f| catalog.models().iter().map(move |m| format!("{f}{}", m.id)))
        .take(series)
        .collect();
    assert_eq!(ids.len(), series, "the catalog has fewer model forms");

    // Seed: every series has one data point per metric, on one of the days.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = Instant::now();
    rt.block_on(async {
        let conf = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(&endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "load"))
            .build();
        let client = aws_sdk_cloudwatch::Client::from_conf(conf);
        let mut data = Vec::new();
        for (i, model) in ids.iter().enumerate() {
            let day = since.checked_add(((i as i64) % days).days()).unwrap();
            let t = day
                .to_zoned(jiff::tz::TimeZone::UTC)
                .unwrap()
                .timestamp()
                .as_second()
                + 43_200;
            for m in &METRICS[..metrics] {
                data.push(
                    MetricDatum::builder()
                        .metric_name(*m)
                        .dimensions(Dimension::builder().name("ModelId").value(model).build())
                        .timestamp(DateTime::from_secs(t))
                        .value(1000.0 + i as f64)
                        .build(),
                );
            }
        }
        for chunk in data.chunks(500) {
            client
                .put_metric_data()
                .namespace("AWS/Bedrock")
                .set_metric_data(Some(chunk.to_vec()))
                .send()
                .await
                .expect("PutMetricData");
        }
    });
    println!(
        "seeded {series} series x {metrics} metrics in {:.1}s",
        seeded.elapsed().as_secs_f64()
    );

    let cfg = MonitorConfig {
        aws: AwsOptions::default(),
        regions: vec![REGION.to_string()],
        since,
        until,
        timezone: jiff::tz::TimeZone::UTC,
        percentiles: false, // moto computes no percentiles
        extra_series: Vec::new(),
        progress: true,
    };
    let started = Instant::now();
    let collected = monitor::collect_blocking(&cfg).expect("collect");
    let fetched = started.elapsed();
    let resolver = Resolver::new(&catalog, Aliases::default());
    let rep = report::daily(
        &collected.records,
        &resolver,
        &DailyOptions {
            since,
            until,
            timezone: "UTC".into(),
            regions: collected.regions.clone(),
            by: GroupBy::ALL.to_vec(),
            as_of: None,
            source: Source::CloudWatch,
        },
    );
    let s = collected.stats;
    println!(
        "{days}-day report, {} series: {} ListMetrics + {} GetMetricData calls ({} queries; ceil(queries/500) = {}), {} rows, fetch {:.1}s, total {:.1}s",
        s.series,
        s.list_metrics_calls,
        s.get_metric_data_calls,
        s.queries,
        s.queries.div_ceil(500),
        rep.rows.len(),
        fetched.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
