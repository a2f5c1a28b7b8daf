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

use std::collections::VecDeque;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::aws::AwsError;
use crate::aws::s3::{S3, S3Location};

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

/// A 12-digit AWS account id.
fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The last folder name of a delimiter listing's prefix (`a/b/c/` → `c`).
fn leaf(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Whether a key is an invocation-log file.
fn is_log_file(key: &str) -> bool {
    key.ends_with(".json.gz") || key.ends_with(".json")
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
    let limit = cfg.concurrency.max(1);
    let mut listed = Vec::new();
    in_order(hour_prefixes.clone(), limit, {
        let (s3, bucket) = (s3.clone(), bucket.to_string());
        move |prefix: String| {
            let (s3, bucket) = (s3.clone(), bucket.clone());
            async move { s3.list_objects(&bucket, &prefix).await }
        }
    })
    .run(|listing| {
        listed.push(listing);
        Ok(())
    })
    .await?;
    let mut keys = Vec::new();
    for (prefix, (objects, calls)) in hour_prefixes.into_iter().zip(listed) {
        stats.listed_prefixes.push(prefix);
        stats.list_calls += calls;
        for o in objects {
            if is_log_file(&o.key) {
                keys.push(o.key);
            } else {
                stats.skipped_keys.push(o.key);
            }
        }
    }

    // 4. Downloads, bounded, delivered in key order.
    let mut next = keys.clone().into_iter();
    in_order(keys, limit, {
        let (s3, bucket) = (s3.clone(), bucket.to_string());
        move |key: String| {
            let (s3, bucket) = (s3.clone(), bucket.clone());
            async move { s3.get_object(&bucket, &key).await }
        }
    })
    .run(|bytes| {
        let key = next.next().expect("one key per download");
        stats.bytes += bytes.len() as u64;
        on_file(&format!("s3://{bucket}/{key}"), bytes);
        stats.fetched_keys.push(key);
        Ok(())
    })
    .await?;
    Ok(stats)
}

/// Runs `job` on every item with at most `limit` in flight, and hands the results over in
/// the items' order (a copy of the CloudTrail walk's runner, which is private to it).
struct InOrder<I, F> {
    items: Vec<I>,
    limit: usize,
    job: F,
}

fn in_order<I, F>(items: Vec<I>, limit: usize, job: F) -> InOrder<I, F> {
    InOrder { items, limit, job }
}

impl<I, F, Fut, T> InOrder<I, F>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, AwsError>> + Send + 'static,
    T: Send + 'static,
{
    async fn run(self, mut each: impl FnMut(T) -> Result<(), AwsError>) -> Result<(), AwsError> {
        let mut pending = self.items.into_iter();
        let mut running: VecDeque<tokio::task::JoinHandle<Result<T, AwsError>>> = VecDeque::new();
        loop {
            while running.len() < self.limit {
                match pending.next() {
                    Some(item) => running.push_back(tokio::spawn((self.job)(item))),
                    None => break,
                }
            }
            let Some(first) = running.pop_front() else {
                return Ok(());
            };
            let result = first
                .await
                .expect("an S3 task panicked")
                .and_then(&mut each);
            if let Err(e) = result {
                running.iter().for_each(|h| h.abort());
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn runs_are_bounded_and_in_order() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (n, m) = (now.clone(), max.clone());
        let mut got = Vec::new();
        rt.block_on(
            in_order((0..12).collect(), 4, move |i: usize| {
                let (n, m) = (n.clone(), m.clone());
                async move {
                    m.fetch_max(n.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    for _ in 0..(12 - i) {
                        tokio::task::yield_now().await;
                    }
                    n.fetch_sub(1, Ordering::SeqCst);
                    Ok(i)
                }
            })
            .run(|v| {
                got.push(v);
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(got, (0..12).collect::<Vec<_>>());
        assert_eq!(max.load(Ordering::SeqCst), 4);
    }
}
