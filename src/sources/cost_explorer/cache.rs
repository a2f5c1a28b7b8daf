//! The response cache of finished ranges: Cost Explorer charges $0.01 a request, and the
//! figures of a day no longer change once it is final.
//!
//! One JSON file per range and account under `<cache dir>/cost-explorer/` (the cache dir of
//! [`crate::tokenize::cache::dir`]: `$BEDROCK_METER_CACHE_DIR`, `off` disables it). The
//! file name hashes the range, the profile, the access key id of the environment and the
//! endpoint, so two accounts never share an entry. A damaged entry is ignored and fetched
//! again; a cache that cannot be written is skipped.

use std::path::{Path, PathBuf};

use super::BillQuery;
use crate::aws::costexplorer::CostData;

/// The cache folder of Cost Explorer responses.
pub fn dir() -> Option<PathBuf> {
    crate::tokenize::cache::dir().map(|d| d.join("cost-explorer"))
}

/// The file name of `q`'s entry.
pub fn key(q: &BillQuery) -> String {
    let env = |v: &str| std::env::var(v).unwrap_or_default();
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}",
        q.since,
        q.until,
        q.aws.profile.as_deref().unwrap_or(""),
        env("AWS_PROFILE"),
        env("AWS_ACCESS_KEY_ID"),
        env("AWS_ENDPOINT_URL"),
        env("AWS_ENDPOINT_URL_COST_EXPLORER"),
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{}_{}_{h:016x}.json", q.since, q.until)
}

/// The cached responses at `path`, if readable.
pub fn load(path: &Path) -> Option<CostData> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes `data` to `path` (atomically); `false` when it cannot.
pub fn store(path: &Path, data: &CostData) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    if std::fs::create_dir_all(parent).is_err() {
        return false;
    }
    match serde_json::to_vec_pretty(data) {
        Ok(bytes) => crate::export::write::atomic_write(path, &bytes).is_ok(),
        Err(_) => false,
    }
}
