//! The `--logs s3://BUCKET/PREFIX` way in: invocation-log files in S3, read for a time range
//! without listing the whole bucket.
//!
//! Bedrock delivers files under `s3://BUCKET/PREFIX/` as
//! `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/<file>.json.gz`, each
//! a gzipped file of JSON objects, one per line. The walk:
//! 1. lists the folders under `AWSLogs/` with the delimiter `/` (accounts);
//! 2. lists `<account>/BedrockModelInvocationLogs/` for its Regions (optionally only the
//!    requested ones);
//! 3. lists only the **hour folders of the range**, plus the hour after it: a folder's hour
//!    is when the file was delivered (UTC), and a call late in the last hour can be
//!    delivered in the next one. The caller's time filter drops the extra records;
//! 4. downloads the files, up to [`S3LogsConfig::concurrency`] at a time, and hands each
//!    `(s3://bucket/key, bytes)` to the caller in key order, folder by folder.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::aws::AwsError;
use crate::aws::s3::{S3, S3Location};
use crate::sources::s3_walk::{is_account, leaf, list_and_fetch};

/// Downloads in flight by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The folder between the account and the Region.
pub const LOGS_FOLDER: &str = "BedrockModelInvocationLogs";

/// What to read.
#[derive(Debug, Clone)]
pub struct S3LogsConfig {
    /// `s3://BUCKET/PREFIX` (the folder that holds `AWSLogs/`).
    pub location: S3Location,
    /// Start of the range (inclusive).
    pub since: Timestamp,
    /// End of the range (exclusive).
    pub until: Timestamp,
    /// Regions to read; empty: every Region with a folder.
    pub regions: Vec<String>,
    /// Listings and downloads in flight (at least 1).
    pub concurrency: usize,
}

/// What a walk listed and fetched, so a test (or a user) can check it read only the range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3LogsStats {
    /// Every prefix listed, in order: discovery listings first, then the hour folders.
    pub listed_prefixes: Vec<String>,
    /// ListObjectsV2 calls.
    pub list_calls: u64,
    /// Keys downloaded, in the order they were handed to the caller.
    pub fetched_keys: Vec<String>,
    /// Bytes downloaded (as stored, compressed).
    pub bytes: u64,
    /// Accounts found.
    pub accounts: Vec<String>,
    /// Objects in hour folders that are not log files (not `.json.gz`/`.json`), not fetched.
    pub skipped_keys: Vec<String>,
    /// Folders under `AWSLogs/` that are not accounts.
    pub skipped_folders: Vec<String>,
}

/// The hour folders (`YYYY/MM/DD/HH/`, UTC) that may hold calls of `[since, until)`: the
/// hours of the range and the one after (delivery delay).
pub fn hour_folders(since: Timestamp, until: Timestamp) -> Result<Vec<String>, AwsError> {
    if since >= until {
        return Err(AwsError::Invalid(format!(
            "empty time range: {since} is not before {until}"
        )));
    }
    let first = since.as_second().div_euclid(3600);
    let last = (until - SignedDuration::from_nanos(1))
        .as_second()
        .div_euclid(3600)
        + 1;
    (first..=last)
        .map(|h| {
            let t = Timestamp::from_second(h * 3600)?;
            Ok(format!(
                "{}/",
                t.to_zoned(TimeZone::UTC).strftime("%Y/%m/%d/%H")
            ))
        })
        .collect()
}

/// Walks the layout and hands every log file of the range to `on_file` (see the module
/// documentation). Returns what was listed and fetched.
pub async fn collect(
    s3: &S3,
    cfg: &S3LogsConfig,
    on_file: &mut (dyn FnMut(&str, Vec<u8>) + Send),
) -> Result<S3LogsStats, AwsError> {
    let hours = hour_folders(cfg.since, cfg.until)?;
    let bucket = cfg.location.bucket.as_str();
    let mut stats = S3LogsStats::default();

    // 1. Accounts.
    let logs = format!("{}AWSLogs/", cfg.location.prefix);
    let (folders, calls) = s3.list_common_prefixes(bucket, &logs).await?;
    stats.listed_prefixes.push(logs);
    stats.list_calls += calls;
    let mut accounts = Vec::new();
    for folder in folders {
        if is_account(leaf(&folder)) {
            stats.accounts.push(leaf(&folder).to_string());
            accounts.push(folder);
        } else {
            stats.skipped_folders.push(folder);
        }
    }

    // 2. Regions of each account.
    let mut region_prefixes = Vec::new();
    for account in &accounts {
        let root = format!("{account}{LOGS_FOLDER}/");
        let (found, calls) = s3.list_common_prefixes(bucket, &root).await?;
        stats.listed_prefixes.push(root);
        stats.list_calls += calls;
        region_prefixes.extend(
            found
                .into_iter()
                .filter(|rp| cfg.regions.is_empty() || cfg.regions.iter().any(|r| r == leaf(rp))),
        );
    }

    // 3. Only the hour folders of the range.
    let hour_prefixes: Vec<String> = region_prefixes
        .iter()
        .flat_map(|rp| hours.iter().map(move |h| format!("{rp}{h}")))
        .collect();
    let walked = list_and_fetch(s3, bucket, hour_prefixes, cfg.concurrency, on_file).await?;
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
    fn hour_folders_cover_the_range_and_the_hour_after() {
        let h = hour_folders(ts("2026-01-05T10:00:00Z"), ts("2026-01-05T12:00:00Z")).unwrap();
        assert_eq!(h, ["2026/01/05/10/", "2026/01/05/11/", "2026/01/05/12/"]);
        // Mid-hour edges; across a month's end.
        let h = hour_folders(ts("2026-01-31T22:30:00Z"), ts("2026-02-01T00:10:00Z")).unwrap();
        assert_eq!(
            h,
            [
                "2026/01/31/22/",
                "2026/01/31/23/",
                "2026/02/01/00/",
                "2026/02/01/01/"
            ]
        );
        let e = hour_folders(ts("2026-01-05T10:00:00Z"), ts("2026-01-05T10:00:00Z")).unwrap_err();
        assert!(e.to_string().contains("empty time range"), "{e}");
    }

    #[test]
    fn folder_and_file_names() {
        assert!(is_account("111122223333"));
        assert!(!is_account("o-abcdefghij"));
        assert_eq!(
            leaf("p/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/"),
            "us-east-1"
        );
        assert!(is_log_file("x/20260105T1012Z_abc.json.gz"));
        assert!(!is_log_file(
            "x/amazon_bedrock_model_invocation_logs_permission_check"
        ));
    }
}
