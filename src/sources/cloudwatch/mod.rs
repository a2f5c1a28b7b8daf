//! The CloudWatch source: Bedrock's runtime metrics (namespace `AWS/Bedrock`) turned into
//! daily [`UsageRecord`]s, one per day × Region × `ModelId` series. Metrics have no caller
//! and no tags: reports from this source cannot be grouped by principal or tag.
//!
//! The calls themselves are made by [`crate::aws::cloudwatch`]. For each Region it
//! 1. discovers every model series with ListMetrics ([`discover`]),
//! 2. cuts the day range into windows of equal-length local days ([`days`]),
//! 3. fetches each metric's daily Sum (latency: Average and p50/p90/p99) with GetMetricData,
//!    up to 500 queries per call, following NextToken ([`fetch`]),
//! 4. folds the answers into records by query id ([`results`]).
//!
//! Regions are fetched concurrently. Throttling is retried by the SDK with backoff; errors
//! that reach the caller name the IAM action or the endpoint ([`AwsError`]).

pub mod days;
pub mod discover;
pub mod fetch;
pub mod metrics;
mod progress;
pub mod results;

use std::sync::Arc;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::aws::cloudwatch::CloudWatch;
use crate::aws::{Aws, AwsError, AwsOptions};
use crate::records::UsageRecord;

use progress::Progress;
use results::Accumulator;

/// What to fetch.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    pub aws: AwsOptions,
    /// Regions to read, each with its own CloudWatch. Empty: the Region of the AWS
    /// configuration (profile), else us-east-1.
    pub regions: Vec<String>,
    /// First day (inclusive).
    pub since: Date,
    /// Last day (exclusive).
    pub until: Date,
    /// Days start at midnight of this time zone.
    pub timezone: TimeZone,
    /// Fetch p50/p90/p99 latency (three extra queries per series).
    pub percentiles: bool,
    /// ModelIds to query even if ListMetrics does not list them (quiet for two weeks).
    pub extra_series: Vec<String>,
    /// Draw a progress bar on stderr (only if it is a terminal).
    pub progress: bool,
}

/// API use of a run, for tests and the report's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    pub list_metrics_calls: u64,
    pub get_metric_data_calls: u64,
    /// GetMetricData queries per window (all Regions).
    pub queries: u64,
    /// Distinct (Region, ModelId) series.
    pub series: u64,
    /// Day windows (more than one only around daylight-saving changes).
    pub windows: u64,
}

impl FetchStats {
    fn add(&mut self, o: &FetchStats) {
        self.list_metrics_calls += o.list_metrics_calls;
        self.get_metric_data_calls += o.get_metric_data_calls;
        self.queries += o.queries;
        self.series += o.series;
        self.windows = self.windows.max(o.windows);
    }
}

/// The records of a run and what it cost in API calls.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// The Regions read.
    pub regions: Vec<String>,
    /// Sorted by day, Region, ModelId. Series-days without any data point have no record.
    pub records: Vec<UsageRecord>,
    pub stats: FetchStats,
    /// Things the user should know (partial data, retention).
    pub notes: Vec<String>,
}

/// CloudWatch keeps data points of one-hour (and longer) periods for 455 days.
const RETENTION_DAYS: i64 = 455;

/// Fetches usage records for every Region of `cfg`.
pub async fn collect(cfg: &MonitorConfig) -> Result<Collected, AwsError> {
    let windows = Arc::new(days::windows(cfg.since, cfg.until, &cfg.timezone)?);
    let aws = Arc::new(Aws::load(&cfg.aws).await);
    let progress = Progress::new(cfg.progress);
    let regions = if cfg.regions.is_empty() {
        vec![aws.region_or(None)]
    } else {
        cfg.regions.clone()
    };
    let mut tasks = tokio::task::JoinSet::new();
    for region in &regions {
        let (aws, windows, progress) = (aws.clone(), windows.clone(), progress.clone());
        let (region, cfg) = (region.clone(), cfg.clone());
        tasks.spawn(async move { collect_region(&aws, &region, &windows, &cfg, &progress).await });
    }
    let mut out = Collected {
        regions,
        ..Collected::default()
    };
    while let Some(joined) = tasks.join_next().await {
        let (records, stats, notes) = joined.expect("a Region task panicked")?;
        out.records.extend(records);
        out.stats.add(&stats);
        out.notes.extend(notes);
    }
    progress.finish();
    out.records.sort_by(|a, b| a.key().cmp(&b.key()));
    let oldest = jiff::Zoned::now()
        .with_time_zone(cfg.timezone.clone())
        .date()
        .checked_sub(jiff::Span::new().days(RETENTION_DAYS))
        .ok();
    if let Some(oldest) = oldest
        && cfg.since < oldest
    {
        out.notes.push(format!(
            "CloudWatch keeps daily data for 15 months: days before {oldest} have none"
        ));
    }
    Ok(out)
}

async fn collect_region(
    aws: &Aws,
    region: &str,
    windows: &[days::Window],
    cfg: &MonitorConfig,
    progress: &Progress,
) -> Result<(Vec<UsageRecord>, FetchStats, Vec<String>), AwsError> {
    let cloudwatch = CloudWatch::new(aws, region);
    progress.message(format!("{region}: listing metrics"));
    let (mut found, list_calls) = discover::list(&cloudwatch).await?;
    discover::add_named_series(&mut found, &cfg.extra_series);
    let specs = fetch::plan(&found, cfg.percentiles);
    let mut stats = FetchStats {
        list_metrics_calls: list_calls,
        queries: specs.len() as u64,
        series: {
            let mut ids: Vec<&str> = found.iter().map(|m| m.model_id.as_str()).collect();
            ids.dedup();
            ids.len() as u64
        },
        windows: windows.len() as u64,
        ..FetchStats::default()
    };
    progress.plan((fetch::calls_per_page(specs.len()) * windows.len()) as u64);
    progress.message(format!("{region}: {} series", stats.series));
    let mut acc = Accumulator::default();
    let on_call = || progress.call_done();
    for w in windows {
        stats.get_metric_data_calls +=
            fetch::fetch_window(&cloudwatch, region, w, &specs, &mut acc, &on_call).await?;
    }
    let (records, notes) = acc.into_records();
    Ok((records, stats, notes))
}

/// [`collect`] on a runtime of its own, for callers that are not async (the CLI).
pub fn collect_blocking(cfg: &MonitorConfig) -> Result<Collected, AwsError> {
    crate::aws::runtime().block_on(collect(cfg))
}
