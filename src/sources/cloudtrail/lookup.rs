//! The event history: LookupEvents over several Regions at once, returning each event's
//! record (the `CloudTrailEvent` JSON string) with the Region it was read from.
//!
//! LookupEvents reads one Region per call and allows 2 calls per second per account and
//! Region, so each Region runs as its own task with its own [`Pacer`]: ten Regions page ten
//! times faster than one, and none exceeds its limit. The history keeps 90 days of
//! management events; older days need a trail ([`super::trail_s3`], [`super::athena`]).
//!
//! This module does not parse records: the CloudTrail parser turns the strings into call
//! records and drops duplicates by `eventID`.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use crate::aws::cloudtrail::CloudTrail;
use crate::aws::pace::LOOKUP_EVENTS_PER_SECOND;
use crate::aws::{Aws, AwsError, AwsOptions, Pacer};

/// How long the event history keeps management events.
pub const HISTORY_DAYS: i64 = 90;

/// What to read.
#[derive(Debug, Clone)]
pub struct LookupConfig {
    pub aws: AwsOptions,
    /// Regions to read, each concurrently. Empty: the configuration's Region, else us-east-1.
    pub regions: Vec<String>,
    /// Start of the range (inclusive).
    pub since: Timestamp,
    /// End of the range (exclusive).
    pub until: Timestamp,
    /// Call starts per second per Region ([`LOOKUP_EVENTS_PER_SECOND`] unless AWS raised it).
    pub per_second: u32,
}

impl LookupConfig {
    /// A configuration with the default options and pace.
    pub fn new(regions: Vec<String>, since: Timestamp, until: Timestamp) -> LookupConfig {
        LookupConfig {
            aws: AwsOptions::default(),
            regions,
            since,
            until,
            per_second: LOOKUP_EVENTS_PER_SECOND,
        }
    }
}

/// API use of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupStats {
    /// LookupEvents calls per Region (the SDK's retries of throttled calls not counted).
    pub calls: BTreeMap<String, u64>,
    /// Events returned per Region.
    pub events: BTreeMap<String, u64>,
}

impl LookupStats {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    pub fn total_events(&self) -> u64 {
        self.events.values().sum()
    }
}

/// The records read and what it cost.
#[derive(Debug, Clone, Default)]
pub struct LookupOutput {
    /// The Regions read.
    pub regions: Vec<String>,
    /// `(Region read, CloudTrailEvent JSON)`, Region by Region in the order of
    /// [`LookupOutput::regions`], each in CloudTrail's order (newest first). Untrusted text.
    pub events: Vec<(String, String)>,
    pub stats: LookupStats,
    /// Things the user should know (the 90-day limit).
    pub notes: Vec<String>,
}

/// Reads the event history of every Region of `cfg`.
pub async fn collect(cfg: &LookupConfig) -> Result<LookupOutput, AwsError> {
    let aws = Arc::new(Aws::load(&cfg.aws).await);
    collect_with(aws, cfg).await
}

/// [`collect`] with configuration already loaded.
pub async fn collect_with(aws: Arc<Aws>, cfg: &LookupConfig) -> Result<LookupOutput, AwsError> {
    if cfg.since >= cfg.until {
        return Err(AwsError::Invalid(format!(
            "empty time range: {} is not before {}",
            cfg.since, cfg.until
        )));
    }
    let mut regions: Vec<String> = Vec::new();
    for r in &cfg.regions {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    if regions.is_empty() {
        regions.push(aws.region_or(None));
    }
    let (since, until) = (cfg.since.as_second(), cfg.until.as_second());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, region) in regions.iter().enumerate() {
        let (aws, region, per_second) = (aws.clone(), region.clone(), cfg.per_second);
        tasks.spawn(async move {
            let trail = CloudTrail::new(&aws, &region);
            let pacer = Pacer::new(per_second);
            let mut records = Vec::new();
            let calls = trail
                .lookup_events(since, until, &pacer, &mut |page| {
                    records.extend(page.into_iter().map(|e| e.record));
                })
                .await?;
            Ok::<_, AwsError>((i, calls, records))
        });
    }
    let mut per_region: Vec<Option<(u64, Vec<String>)>> = vec![None; regions.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, calls, records) = joined.expect("a Region task panicked")?;
        per_region[i] = Some((calls, records));
    }
    let mut out = LookupOutput {
        notes: retention_note(cfg.since, Timestamp::now())
            .into_iter()
            .collect(),
        ..LookupOutput::default()
    };
    for (region, done) in regions.iter().zip(per_region) {
        let (calls, records) = done.expect("every Region task reported");
        out.stats.calls.insert(region.clone(), calls);
        out.stats
            .events
            .insert(region.clone(), records.len() as u64);
        out.events
            .extend(records.into_iter().map(|r| (region.clone(), r)));
    }
    out.regions = regions;
    Ok(out)
}

/// [`collect`] on a runtime of its own, for callers that are not async (the CLI).
pub fn collect_blocking(cfg: &LookupConfig) -> Result<LookupOutput, AwsError> {
    crate::aws::runtime().block_on(collect(cfg))
}

/// The note for a range that starts before the history's 90 days (counted from `now`).
pub fn retention_note(since: Timestamp, now: Timestamp) -> Option<String> {
    let oldest = now
        .checked_sub(SignedDuration::from_hours(24 * HISTORY_DAYS))
        .ok()?;
    (since < oldest).then(|| {
        format!(
            "LookupEvents keeps 90 days of management events; older days need --trail (the history starts about {})",
            oldest.strftime("%Y-%m-%d")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_older_than_90_days_get_a_note() {
        let now: Timestamp = "2026-04-10T12:00:00Z".parse().unwrap();
        let inside: Timestamp = "2026-01-11T00:00:00Z".parse().unwrap();
        let outside: Timestamp = "2026-01-10T00:00:00Z".parse().unwrap();
        assert_eq!(retention_note(inside, now), None);
        let note = retention_note(outside, now).unwrap();
        assert!(note.contains("90 days"), "{note}");
        assert!(note.contains("--trail"), "{note}");
        assert!(note.contains("2026-01-10"), "{note}");
    }
}
