//! The `--log-group NAME` way in: the raw invocation-log messages of a CloudWatch Logs group
//! for `[since, until)`.
//!
//! FilterLogEvents scans one time range at a time and pages slowly through busy groups, so
//! the range is cut into slices (6 hours by default) read concurrently, at most
//! [`DEFAULT_CONCURRENCY`] in flight. Each slice's events are sorted by time (then event id:
//! FilterLogEvents interleaves streams) and the slices are concatenated in time order, so
//! the messages come out in time order overall. An event id seen twice (a page repeated
//! after a retry) is kept once; an event outside its slice (a server that ignores the
//! range) is dropped and counted.
//!
//! This module does not parse messages: the invocation-log parser turns each into a record.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::aws::logs::{LogEvent, Logs};
use crate::aws::{Aws, AwsError, AwsOptions};

/// Width of one slice by default.
pub const DEFAULT_SLICE: SignedDuration = SignedDuration::from_hours(6);

/// Slices in flight by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What to read.
#[derive(Debug, Clone)]
pub struct LogsConfig {
    pub aws: AwsOptions,
    /// The Region of the log group; `None`: the configuration's, else us-east-1.
    pub region: Option<String>,
    pub log_group: String,
    /// Start of the range (inclusive).
    pub since: Timestamp,
    /// End of the range (exclusive).
    pub until: Timestamp,
    /// Width of a slice (at least one second).
    pub slice: SignedDuration,
    /// Slices in flight (at least 1).
    pub concurrency: usize,
    /// Events per FilterLogEvents page; `None`: the largest (10,000).
    pub page_limit: Option<i32>,
}

impl LogsConfig {
    /// A configuration with the default options, slice and concurrency.
    pub fn new(log_group: &str, since: Timestamp, until: Timestamp) -> LogsConfig {
        LogsConfig {
            aws: AwsOptions::default(),
            region: None,
            log_group: log_group.to_string(),
            since,
            until,
            slice: DEFAULT_SLICE,
            concurrency: DEFAULT_CONCURRENCY,
            page_limit: None,
        }
    }
}

/// API use of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogsStats {
    /// FilterLogEvents calls (the SDK's retries not counted).
    pub calls: u64,
    /// Events kept.
    pub events: u64,
    /// Slices read.
    pub slices: u64,
    /// Events dropped because their id was already seen.
    pub duplicates: u64,
    /// Events dropped because their time was outside their slice.
    pub out_of_range: u64,
}

/// The messages read and what it cost.
#[derive(Debug, Clone, Default)]
pub struct LogsOutput {
    pub region: String,
    /// Raw messages (untrusted text), in time order.
    pub messages: Vec<String>,
    pub stats: LogsStats,
    /// Things the user should know.
    pub notes: Vec<String>,
}

/// `[since, until)` in milliseconds, cut into consecutive slices of `width` (the last one
/// shorter). An empty or reversed range is an error.
pub fn slices(
    since: Timestamp,
    until: Timestamp,
    width: SignedDuration,
) -> Result<Vec<(i64, i64)>, AwsError> {
    if since >= until {
        return Err(AwsError::Invalid(format!(
            "empty time range: {since} is not before {until}"
        )));
    }
    let (start, end) = (since.as_millisecond(), until.as_millisecond());
    let step = width.as_millis().clamp(1_000, i64::MAX as i128) as i64;
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let next = at.saturating_add(step).min(end);
        out.push((at, next));
        at = next;
    }
    Ok(out)
}

/// Reads the messages of `cfg.log_group`.
pub async fn collect(cfg: &LogsConfig) -> Result<LogsOutput, AwsError> {
    let aws = Arc::new(Aws::load(&cfg.aws).await);
    collect_with(aws, cfg).await
}

/// [`collect`] on a runtime of its own, for callers that are not async (the CLI).
pub fn collect_blocking(cfg: &LogsConfig) -> Result<LogsOutput, AwsError> {
    crate::aws::runtime().block_on(collect(cfg))
}

/// [`collect`] with configuration already loaded.
pub async fn collect_with(aws: Arc<Aws>, cfg: &LogsConfig) -> Result<LogsOutput, AwsError> {
    let ranges = slices(cfg.since, cfg.until, cfg.slice)?;
    let region = aws.region_or(cfg.region.as_deref());
    let mut logs = Logs::new(&aws, &region);
    if let Some(limit) = cfg.page_limit {
        logs = logs.with_page_limit(limit);
    }
    let logs = Arc::new(logs);
    let limit = cfg.concurrency.max(1);
    let mut done: Vec<Option<(u64, Vec<LogEvent>)>> = vec![None; ranges.len()];
    let mut tasks = tokio::task::JoinSet::new();
    let mut pending = ranges.iter().copied().enumerate();
    loop {
        while tasks.len() < limit {
            let Some((i, (start, end))) = pending.next() else {
                break;
            };
            let (logs, group) = (logs.clone(), cfg.log_group.clone());
            tasks.spawn(async move {
                let mut events = Vec::new();
                let calls = logs
                    .filter_log_events(&group, start, end, &mut |page| events.extend(page))
                    .await?;
                Ok::<_, AwsError>((i, calls, events))
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (i, calls, events) = joined.expect("a slice task panicked")?;
        done[i] = Some((calls, events));
    }

    let mut out = LogsOutput {
        region,
        ..LogsOutput::default()
    };
    let mut seen: HashSet<String> = HashSet::new();
    for ((start, end), slice) in ranges.iter().zip(done) {
        let (calls, mut events) = slice.expect("every slice task reported");
        out.stats.slices += 1;
        out.stats.calls += calls;
        events.sort_by(|a, b| (a.timestamp_ms, &a.event_id).cmp(&(b.timestamp_ms, &b.event_id)));
        for e in events {
            if !(*start..*end).contains(&e.timestamp_ms) {
                out.stats.out_of_range += 1;
                continue;
            }
            if !e.event_id.is_empty() && !seen.insert(e.event_id) {
                out.stats.duplicates += 1;
                continue;
            }
            out.stats.events += 1;
            out.messages.push(e.message);
        }
    }
    if out.stats.events == 0 {
        out.notes.push(format!(
            "log group {} in {} has no events between {} and {}: is it the group model invocation logging writes to (see `destination`)?",
            cfg.log_group, out.region, cfg.since, cfg.until
        ));
    }
    if out.stats.out_of_range > 0 {
        out.notes.push(format!(
            "{} event(s) outside the requested range were returned and dropped",
            out.stats.out_of_range
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_are_cut_into_consecutive_slices() {
        let s = slices(
            ts("2026-01-05T00:00:00Z"),
            ts("2026-01-06T03:00:00Z"),
            DEFAULT_SLICE,
        )
        .unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].0, ts("2026-01-05T00:00:00Z").as_millisecond());
        assert_eq!(s[0].1, ts("2026-01-05T06:00:00Z").as_millisecond());
        assert_eq!(s[4].1 - s[4].0, 3 * 3_600_000);
        for w in s.windows(2) {
            assert_eq!(w[0].1, w[1].0, "gap or overlap");
        }
        // A tiny width is raised to one second, not an endless loop.
        let tiny = slices(
            ts("2026-01-05T00:00:00Z"),
            ts("2026-01-05T00:00:05Z"),
            SignedDuration::ZERO,
        )
        .unwrap();
        assert_eq!(tiny.len(), 5);
        let e = slices(
            ts("2026-01-05T00:00:00Z"),
            ts("2026-01-05T00:00:00Z"),
            DEFAULT_SLICE,
        )
        .unwrap_err();
        assert!(e.to_string().contains("empty time range"), "{e}");
    }
}
