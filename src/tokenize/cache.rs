//! A local cache of engine tables derived from the shipped vocabularies.
//!
//! The fast `bpe` engine needs tables that take about a second to build from a rank file
//! but a few milliseconds to read back. They are derived data (nothing is downloaded), so
//! the first use of a family builds them and stores them under the user's cache folder;
//! later runs read them. A missing, stale or damaged entry is rebuilt; a cache that cannot
//! be written is skipped silently — it only ever costs time.
//!
//! Location: `$BEDROCK_METER_CACHE_DIR` (set it to `off` to disable), else
//! `$XDG_CACHE_HOME/bedrock-meter`, else `~/.cache/bedrock-meter`.

use std::io::Write;
use std::path::PathBuf;

/// The cache folder, or `None` when disabled or no home is known.
pub fn dir() -> Option<PathBuf> {
    match std::env::var_os("BEDROCK_METER_CACHE_DIR") {
        Some(v) if v == "off" || v.is_empty() => None,
        Some(v) => Some(PathBuf::from(v)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(|x| PathBuf::from(x).join("bedrock-meter"))
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache").join("bedrock-meter"))
            }),
    }
}

/// A name that changes whenever the source vocabulary or this build's table format does.
pub fn key(family: &str, engine: &str, source: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{family}-{engine}-{}-{h:016x}.bin",
        env!("CARGO_PKG_VERSION")
    )
}

/// The cached bytes under `key`, if any.
pub fn read(key: &str) -> Option<Vec<u8>> {
    std::fs::read(dir()?.join(key)).ok()
}

/// Stores `bytes` under `key` atomically; failures are ignored.
pub fn write(key: &str, bytes: &[u8]) {
    let Some(dir) = dir() else { return };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&dir)
        && tmp.write_all(bytes).is_ok()
    {
        let _ = tmp.persist(dir.join(key));
    }
}

/// Whether an entry exists under `key`.
pub fn exists(key: &str) -> bool {
    dir().is_some_and(|d| d.join(key).is_file())
}
