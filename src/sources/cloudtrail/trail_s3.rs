//! A trail's log files in S3, read for a time range without listing the whole bucket.
//!
//! CloudTrail delivers files under `s3://BUCKET/PREFIX/` as
//! - `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz` (a trail of one
//!   account), or
//! - `AWSLogs/<o-orgid>/<account>/CloudTrail/<region>/YYYY/MM/DD/…` (an organization trail),
//!
//! each file a gzipped JSON object `{"Records": [...]}`. The walk:
//! 1. lists the folders under `AWSLogs/` with the delimiter `/` (accounts, and organization
//!    ids whose folders are listed once more for their accounts);
//! 2. lists `<account>/CloudTrail/` for its Regions (optionally keeping only requested ones);
//! 3. lists only the **day folders of the range**, one per account × Region × day;
//! 4. downloads the files, up to [`TrailConfig::concurrency`] at a time, and hands each
//!    `(s3://bucket/key, bytes)` to the caller in key order, folder by folder.
//!
//! **Delivery delay.** A folder's date is the day (UTC) the file was *delivered*, and "a
//! log file delivered at a specific time can contain records written at any point before
//! that time" (CloudTrail user guide): files in day D's folder hold events from late D-1.
//! Events of the last day of the range can therefore sit in the next day's folder, so the
//! walk lists **one extra day after the range**. Events are never delivered before they
//! happen, so no day before the range is needed. The caller's time filter drops the extra
//! events those files carry.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::aws::AwsError;
use crate::aws::s3::{S3, S3Location};
use crate::sources::s3_walk::{is_account, leaf, list_and_fetch};

/// Downloads in flight by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What to read.
#[derive(Debug, Clone)]
pub struct TrailConfig {
    /// `s3://BUCKET/PREFIX` of the trail (the folder that holds `AWSLogs/`).
    pub location: S3Location,
    /// Start of the range (inclusive).
    pub since: Timestamp,
    /// End of the range (exclusive).
    pub until: Timestamp,
    /// Regions to read; empty: every Region the trail has folders for.
    pub regions: Vec<String>,
    /// Downloads in flight (at least 1).
    pub concurrency: usize,
}

/// What a walk listed and fetched, so a test (or a user) can check it read only the range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailStats {
    /// Every prefix listed, in order: discovery listings first, then the day folders.
    pub listed_prefixes: Vec<String>,
    /// ListObjectsV2 calls.
    pub list_calls: u64,
    /// Keys downloaded, in the order they were handed to the caller.
    pub fetched_keys: Vec<String>,
    /// Bytes downloaded (as stored, compressed).
    pub bytes: u64,
    /// Accounts found, as `<account>` or `<o-orgid>/<account>`.
    pub accounts: Vec<String>,
    /// Objects in day folders that are not log files (not `.json.gz`/`.json`), not fetched.
    pub skipped_keys: Vec<String>,
    /// Folders under `AWSLogs/` that are neither an account nor an organization.
    pub skipped_folders: Vec<String>,
}

/// The UTC days whose folders may hold events of `[since, until)`: the days of the range
/// and one more (delivery delay, see the module documentation).
pub fn folder_days(since: Timestamp, until: Timestamp) -> Result<Vec<Date>, AwsError> {
    if since >= until {
        return Err(AwsError::Invalid(format!(
            "empty time range: {since} is not before {until}"
        )));
    }
    let first = since.to_zoned(TimeZone::UTC).date();
    let last_in_range = (until - SignedDuration::from_nanos(1))
        .to_zoned(TimeZone::UTC)
        .date();
    let end = last_in_range.checked_add(1.day())?;
    let mut days = Vec::new();
    let mut d = first;
    while d <= end {
        days.push(d);
        d = d.checked_add(1.day())?;
    }
    Ok(days)
}

/// The folder of one account × Region × day: `…/CloudTrail/<region>/YYYY/MM/DD/`.
pub fn day_prefix(region_prefix: &str, day: Date) -> String {
    format!("{region_prefix}{}/", day.strftime("%Y/%m/%d"))
}

/// An AWS Organizations id: `o-` and 10 to 32 lowercase letters or digits.
fn is_org(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Walks the trail and hands every log file of the range to `on_file` (see the module
/// documentation). Returns what was listed and fetched.
pub async fn collect(
    s3: &S3,
    cfg: &TrailConfig,
    on_file: &mut (dyn FnMut(&str, Vec<u8>) + Send),
) -> Result<TrailStats, AwsError> {
    let days = folder_days(cfg.since, cfg.until)?;
    let bucket = cfg.location.bucket.as_str();
    let mut stats = TrailStats::default();
    let list_prefixes = async |stats: &mut TrailStats, prefix: String| {
        let (found, calls) = s3.list_common_prefixes(bucket, &prefix).await?;
        stats.listed_prefixes.push(prefix);
        stats.list_calls += calls;
        Ok::<_, AwsError>(found)
    };

    // 1. Accounts, directly or under organization ids.
    let logs = format!("{}AWSLogs/", cfg.location.prefix);
    let mut accounts: Vec<(String, String)> = Vec::new(); // (label, account prefix)
    for folder in list_prefixes(&mut stats, logs).await? {
        let name = leaf(&folder).to_string();
        if is_account(&name) {
            accounts.push((name, folder));
        } else if is_org(&name) {
            for member in list_prefixes(&mut stats, folder.clone()).await? {
                let account = leaf(&member);
                if is_account(account) {
                    accounts.push((format!("{name}/{account}"), member));
                } else {
                    stats.skipped_folders.push(member);
                }
            }
        } else {
            stats.skipped_folders.push(folder);
        }
    }
    stats.accounts = accounts.iter().map(|(label, _)| label.clone()).collect();

    // 2. Regions of each account.
    let mut region_prefixes = Vec::new();
    for (_, account_prefix) in &accounts {
        let trail = format!("{account_prefix}CloudTrail/");
        for region_prefix in list_prefixes(&mut stats, trail).await? {
            let region = leaf(&region_prefix);
            if cfg.regions.is_empty() || cfg.regions.iter().any(|r| r == region) {
                region_prefixes.push(region_prefix);
            }
        }
    }

    // 3. Only the day folders of the range.
    let day_prefixes: Vec<String> = region_prefixes
        .iter()
        .flat_map(|rp| days.iter().map(move |d| day_prefix(rp, *d)))
        .collect();
    let walked = list_and_fetch(s3, bucket, day_prefixes, cfg.concurrency, on_file).await?;
    for (prefix, calls) in walked.listed {
        stats.listed_prefixes.push(prefix);
        stats.list_calls += calls;
    }
    stats.skipped_keys.extend(walked.skipped_keys);
    stats.fetched_keys = walked.fetched_keys;
    stats.bytes = walked.bytes;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::s3_walk::is_log_file;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn folder_days_cover_the_range_and_the_day_after() {
        let days = folder_days(ts("2026-01-05T00:00:00Z"), ts("2026-01-07T00:00:00Z")).unwrap();
        let s: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        assert_eq!(s, ["2026-01-05", "2026-01-06", "2026-01-07"]);
        // A range inside one day.
        let one = folder_days(ts("2026-01-05T10:00:00Z"), ts("2026-01-05T11:00:00Z")).unwrap();
        assert_eq!(one.len(), 2);
        // Across a month's end, ending mid-day.
        let eom = folder_days(ts("2026-01-31T23:00:00Z"), ts("2026-02-01T01:00:00Z")).unwrap();
        let s: Vec<String> = eom.iter().map(|d| d.to_string()).collect();
        assert_eq!(s, ["2026-01-31", "2026-02-01", "2026-02-02"]);
        assert!(folder_days(ts("2026-01-05T00:00:00Z"), ts("2026-01-05T00:00:00Z")).is_err());
    }

    #[test]
    fn day_prefixes_and_folder_names() {
        let d: Date = "2026-03-09".parse().unwrap();
        assert_eq!(
            day_prefix("logs/AWSLogs/111122223333/CloudTrail/us-east-1/", d),
            "logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/09/"
        );
        assert!(is_account("111122223333"));
        assert!(!is_account("11112222333"));
        assert!(!is_account("o-abcdefghij"));
        assert!(is_org("o-abcdefghij"));
        assert!(!is_org("o-short"));
        assert!(!is_org("o-ABCDEFGHIJ"));
        assert_eq!(leaf("a/AWSLogs/o-abcdefghij/"), "o-abcdefghij");
        assert!(is_log_file(
            "x/1_CloudTrail_us-east-1_20260101T0000Z_a.json.gz"
        ));
        assert!(!is_log_file("x/CloudTrail-Digest.json.gz.sig"));
    }
}
