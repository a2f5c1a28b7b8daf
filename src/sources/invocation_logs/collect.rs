//! One record stream from wherever the invocation logs are: local files and folders,
//! `s3://` delivery prefixes, CloudWatch Logs groups — or, with none named, the destinations
//! Bedrock's logging configuration gives per Region. Records are deduplicated by
//! `requestId` across all of them (one [`LogReader`]), tagged with their application
//! inference profile's tags (alias file), and folded into daily [`UsageRecord`]s.
//!
//! With [`Engine::LogsInsights`] the aggregation runs inside CloudWatch Logs Insights instead
//! (log groups only): the result rows become the same usage records, without the 1-hour
//! cache split (Insights sums the envelope's counts).

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::aggregate::{Failure, aggregate, classify};
use super::destination;
use super::fetch_logs::{self, LogsConfig};
use super::fetch_s3::{self, S3LogsConfig};
use super::files::{LogError, LogReader};
use super::insights;
use super::record::InvocationRecord;
use crate::aws::logs::{Logs, Polling};
use crate::aws::s3::{S3, parse_s3_uri};
use crate::aws::{Aws, AwsError, AwsOptions};
use crate::records::{Principal, Source, UsageRecord};
use crate::resolve::Aliases;
use crate::sources::cloudtrail::TimeRange;
use crate::sources::objects;

/// Where the aggregation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Read every record here (exact, 1-hour cache writes, images).
    #[default]
    Local,
    /// `stats … by …` in CloudWatch Logs Insights (log groups only).
    LogsInsights,
}

/// What to read.
#[derive(Debug, Clone)]
pub struct LogSources {
    pub aws: AwsOptions,
    /// Local files or folders, and `s3://BUCKET/PREFIX` delivery prefixes.
    pub logs: Vec<String>,
    /// CloudWatch Logs groups (read in the first of `regions`, else the configuration's).
    pub log_groups: Vec<String>,
    /// Regions: to discover destinations in, to narrow S3 folders, to read log groups in.
    pub regions: Vec<String>,
    pub since: Timestamp,
    pub until: Timestamp,
    /// Days of the usage records start at midnight of this zone.
    pub timezone: TimeZone,
    pub strict: bool,
    pub engine: Engine,
    /// Tag keys a Logs Insights query must group by (`--by tag:KEY`).
    pub tag_keys: Vec<String>,
}

/// Why no records could be read.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("{0}")]
    Read(#[from] LogError),
    #[error("{0}")]
    Usage(String),
}

/// The records of a run and what was read.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    pub records: Vec<UsageRecord>,
    /// The JSON `sources` object: what was read and what was wrong.
    pub sources: Value,
    pub notes: Vec<String>,
    /// Regions seen in the records.
    pub regions: Vec<String>,
}

/// Reads every source and folds the records into daily usage records.
pub fn collect_blocking(src: &LogSources, aliases: &Aliases) -> Result<Collected, CollectError> {
    crate::aws::runtime().block_on(collect(src, aliases))
}

pub async fn collect(src: &LogSources, aliases: &Aliases) -> Result<Collected, CollectError> {
    let aws = Arc::new(Aws::load(&src.aws).await);
    let mut notes = Vec::new();
    let mut logs = src.logs.clone();
    let mut groups: Vec<(Option<String>, String)> = src
        .log_groups
        .iter()
        .map(|g| (src.regions.first().cloned(), g.clone()))
        .collect();
    let mut found_json = Vec::new();
    if logs.is_empty() && groups.is_empty() {
        let regions = if src.regions.is_empty() {
            vec![aws.region_or(None)]
        } else {
            src.regions.clone()
        };
        let d = destination::discover(aws.clone(), &regions).await?;
        notes.extend(d.notes.iter().cloned());
        if d.found.is_empty() {
            return Err(CollectError::Usage(
                d.off
                    .iter()
                    .map(|r| destination::logging_off(r))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        for f in &d.found {
            found_json.push(json!({
                "region": f.region,
                "log_group": f.log_group,
                "s3": f.s3.as_ref().map(|l| format!("s3://{}/{}", l.bucket, l.prefix)),
            }));
            // One destination per Region is enough: S3 when both are set (cheaper to read).
            match (&f.s3, &f.log_group) {
                (Some(l), _) if src.engine == Engine::Local => {
                    logs.push(format!("s3://{}/{}", l.bucket, l.prefix))
                }
                (_, Some(g)) => groups.push((Some(f.region.clone()), g.clone())),
                (Some(l), None) => logs.push(format!("s3://{}/{}", l.bucket, l.prefix)),
                (None, None) => {}
            }
        }
    }
    if src.engine == Engine::LogsInsights {
        if !logs.is_empty() {
            return Err(CollectError::Usage(
                "--engine logs-insights reads CloudWatch Logs groups only (--log-group), not files or S3".into(),
            ));
        }
        return insights_records(&aws, src, &groups, notes, found_json).await;
    }

    let mut reader = LogReader::new(
        src.strict,
        TimeRange {
            since: Some(src.since),
            until: Some(src.until),
        },
    );
    let mut records: Vec<InvocationRecord> = Vec::new();
    let mut s3_json = Vec::new();
    let mut group_json = Vec::new();
    for l in &logs {
        if l.starts_with("s3://") {
            let location = parse_s3_uri(l)?;
            let cfg = S3LogsConfig {
                location,
                since: src.since,
                until: src.until,
                regions: src.regions.clone(),
                concurrency: 8,
            };
            let region = aws.region_or(src.regions.first().map(String::as_str));
            let s3 = S3::new(&aws, &region);
            let mut stop: Option<LogError> = None;
            let mut on_file = |name: &str, bytes: Vec<u8>| {
                if stop.is_none()
                    && let Err(e) =
                        reader.read_object(objects::from_bytes(name, bytes), &mut records)
                {
                    stop = Some(e);
                }
            };
            let stats = fetch_s3::collect(&s3, &cfg, &mut on_file).await?;
            if let Some(e) = stop {
                return Err(e.into());
            }
            s3_json.push(json!({
                "uri": l,
                "list_calls": stats.list_calls,
                "listed_prefixes": stats.listed_prefixes.len(),
                "objects_fetched": stats.fetched_keys.len(),
                "bytes_downloaded": stats.bytes,
                "accounts": stats.accounts,
            }));
        } else {
            let path = Path::new(l);
            if !path.exists() {
                return Err(CollectError::Usage(format!(
                    "--logs {l}: no such file or folder"
                )));
            }
            reader.read_path(path, &mut records)?;
        }
    }
    for (region, group) in &groups {
        let cfg = LogsConfig {
            aws: src.aws.clone(),
            region: region.clone(),
            log_group: group.clone(),
            since: src.since,
            until: src.until,
            slice: jiff::SignedDuration::from_hours(6),
            concurrency: 8,
            page_limit: None,
        };
        let out = fetch_logs::collect_with(aws.clone(), &cfg).await?;
        notes.extend(out.notes.iter().cloned());
        // The group's events read as one JSON Lines file: line n is the n-th event.
        let mut text = out.messages.join("\n");
        text.push('\n');
        reader.read(
            &format!("log group {group} ({})", out.region),
            text.as_bytes(),
            &mut records,
        )?;
        group_json.push(json!({
            "log_group": group,
            "region": out.region,
            "filter_log_events_calls": out.stats.calls,
            "events": out.stats.events,
            "slices": out.stats.slices,
        }));
    }
    apply_alias_tags(&mut records, aliases);
    let usage = aggregate(&records, &src.timezone);
    let s = &reader.stats;
    let problems: Vec<String> = s.problems.iter().map(|p| p.to_string()).collect();
    if s.problem_count() > 0 {
        notes.push(format!(
            "{} bad line(s) and {} bad file(s) were skipped (the rest was read); first: {}",
            s.bad_lines,
            s.bad_files,
            problems.first().cloned().unwrap_or_default()
        ));
    }
    if s.duplicates > 0 {
        notes.push(format!(
            "{} duplicate record(s) (same requestId) were dropped",
            s.duplicates
        ));
    }
    if records.iter().any(|r| r.bodies_in_s3) {
        notes.push("some bodies were delivered to S3 (large requests): their counts are the log envelope's, cache fields of the body were not read".into());
    }
    notes.push("calls through Bedrock's OpenAI-compatible endpoint (Mantle) are not in invocation logs: a report from logs may miss them".into());
    let regions = regions_of(&usage);
    let sources = json!({
        "kind": "invocation-logs",
        "engine": "local",
        "discovered": found_json,
        "files": s.files,
        "files_ignored": s.files_ignored,
        "bytes": s.bytes,
        "lines": s.lines,
        "records_read": s.records,
        "kept": s.kept,
        "skipped_other_schemas": s.skipped,
        "duplicates": s.duplicates,
        "out_of_range": s.out_of_range,
        "bad_lines": s.bad_lines,
        "bad_files": s.bad_files,
        "problems": problems,
        "problems_not_listed": s.problems_not_kept,
        "s3": s3_json,
        "log_groups": group_json,
    });
    Ok(Collected {
        records: usage,
        sources,
        notes,
        regions,
    })
}

/// Application inference profile tags (from the alias file) on the records that name the
/// profile; the caller's own `requestMetadata` wins over a profile tag of the same key.
fn apply_alias_tags(records: &mut [InvocationRecord], aliases: &Aliases) {
    for r in records.iter_mut() {
        if let Some(tags) = aliases.tags(&r.model_id) {
            for (k, v) in tags {
                r.tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

fn regions_of(records: &[UsageRecord]) -> Vec<String> {
    let mut r: Vec<String> = records.iter().map(|u| u.region.clone()).collect();
    r.sort();
    r.dedup();
    r
}

async fn insights_records(
    aws: &Aws,
    src: &LogSources,
    groups: &[(Option<String>, String)],
    mut notes: Vec<String>,
    found_json: Vec<Value>,
) -> Result<Collected, CollectError> {
    let mut records: Vec<UsageRecord> = Vec::new();
    let mut runs = Vec::new();
    for (region, group) in groups {
        let region = aws.region_or(region.as_deref());
        let logs = Logs::new(aws, &region);
        let out = insights::run(
            &logs,
            std::slice::from_ref(group),
            src.since,
            src.until,
            &src.tag_keys,
            Polling::default(),
            src.strict,
        )
        .await?;
        for row in &out.rows {
            let mut u = UsageRecord::new(row.day, row.region.clone(), row.model_id.clone());
            u.principal = Some(Principal::from_arn(&row.principal_arn).key);
            u.tags = row.tags.clone();
            u.invocations = row.calls;
            u.input_tokens = row.input_tokens;
            u.output_tokens = row.output_tokens;
            u.cache_read_tokens = row.cache_read;
            u.cache_write_tokens = row.cache_write;
            u.source = Source::InvocationLogs;
            records.push(u);
        }
        for e in &out.errors {
            let mut u = UsageRecord::new(e.day, e.region.clone(), e.model_id.clone());
            u.principal = Some(Principal::from_arn(&e.principal_arn).key);
            u.source = Source::InvocationLogs;
            match classify(&e.error_code) {
                Failure::Throttle => u.throttles = e.errors,
                Failure::Server => u.server_errors = e.errors,
                Failure::Client => u.client_errors = e.errors,
            }
            records.push(u);
        }
        let problems: Vec<String> = out.problems.iter().map(|p| p.to_string()).collect();
        if !problems.is_empty() {
            notes.push(format!(
                "{} Logs Insights result row(s) could not be read and were skipped; first: {}",
                problems.len(),
                problems[0]
            ));
        }
        runs.push(json!({
            "log_group": group,
            "region": region,
            "rows": out.rows.len(),
            "error_rows": out.errors.len(),
            "polls": out.polls,
            "problems": problems,
        }));
    }
    notes.push("Logs Insights sums the log envelope's counts: 1-hour cache writes are priced at the 5-minute rate, and days are UTC (bin(1d))".into());
    let regions = regions_of(&records);
    Ok(Collected {
        records,
        sources: json!({
            "kind": "invocation-logs",
            "engine": "logs-insights",
            "discovered": found_json,
            "queries": runs,
        }),
        notes,
        regions,
    })
}
