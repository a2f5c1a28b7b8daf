//! Where refreshed pricing data lives and how it is replaced.
//!
//! `pricing refresh` writes a pricing folder (the TOML schema of `pricing/README.md`, one
//! file per provider) plus `refresh.json`, a manifest with the offers' publication date, to
//! `$BEDROCK_METER_DATA_DIR/pricing/`, else `<user data dir>/bedrock-meter/pricing/`
//! (`~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
//! Windows). Later runs use that folder instead of the embedded catalog unless `--pricing`
//! is given. The folder is written next to its final place and renamed into it, so a reader
//! never sees half a refresh.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Overrides the data directory (tests, shared machines).
pub const DATA_DIR_ENV: &str = "BEDROCK_METER_DATA_DIR";

/// The manifest's file name inside a refreshed folder.
pub const MANIFEST: &str = "refresh.json";

/// What a refreshed folder was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The newest publication date of the offers read (`YYYY-MM-DD`).
    pub publication_date: String,
    /// When the refresh ran (RFC 3339).
    pub refreshed_at: String,
    /// `AmazonBedrock 20251120183016 (2025-11-20)`, one per offer read.
    pub offers: Vec<String>,
    /// Regions asked for (empty: all).
    pub regions: Vec<String>,
}

impl Manifest {
    pub fn publication(&self) -> Option<jiff::civil::Date> {
        self.publication_date.parse().ok()
    }
}

/// The folder refreshed data is written to and read from by default.
pub fn refreshed_dir() -> Option<PathBuf> {
    let base = match std::env::var_os(DATA_DIR_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => dirs::data_dir()?.join("bedrock-meter"),
    };
    Some(base.join("pricing"))
}

/// The manifest of a refreshed folder, if it has one that parses.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Whether `dir` holds refreshed data (a manifest written by `pricing refresh`).
pub fn is_refreshed(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Replaces `dir` with a folder holding `files` and the manifest: written to a sibling
/// temporary folder, then renamed into place (the old folder is renamed away first and
/// deleted after).
pub fn write_folder(
    dir: &Path,
    files: &[(String, String)],
    manifest: &Manifest,
) -> std::io::Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".pricing-refresh-")
        .tempdir_in(parent)?;
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text)?;
    }
    let json = serde_json::to_string_pretty(manifest).map_err(std::io::Error::other)?;
    std::fs::write(tmp.path().join(MANIFEST), json + "\n")?;
    let staged = tmp.keep();
    let old = parent.join(format!(".pricing-old-{}", std::process::id()));
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(dir, &old)?;
    }
    if let Err(e) = std::fs::rename(&staged, dir) {
        if had_old {
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    if had_old {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("pricing");
        let m = Manifest {
            publication_date: "2026-11-20".into(),
            refreshed_at: "2026-12-01T00:00:00Z".into(),
            offers: vec![],
            regions: vec![],
        };
        write_folder(
            &dir,
            &[("a.toml".into(), "x".into()), ("b.toml".into(), "y".into())],
            &m,
        )
        .unwrap();
        write_folder(&dir, &[("a.toml".into(), "z".into())], &m).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.toml")).unwrap(), "z");
        assert!(!dir.join("b.toml").exists());
        assert_eq!(
            read_manifest(&dir).unwrap().publication(),
            "2026-11-20".parse().ok()
        );
        // Nothing staged is left beside it.
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
