//! The state file: which alerts have been delivered, so each budget × period × kind ×
//! threshold alerts once per channel. A new period has new keys, so it re-arms by itself.
//!
//! The file is JSON, written atomically (a temporary file renamed over the old one): a run
//! killed at any point leaves the old state or the new one, never a torn file. A delivery
//! that failed is not recorded, so the next run tries that channel again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::export::write::atomic_write;

/// One alert's deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    /// Channels that accepted the alert.
    pub channels: Vec<String>,
    /// When the first channel accepted it (RFC 3339).
    pub first_sent: String,
    /// End of the alert's period (RFC 3339): old entries are dropped after it.
    pub period_end: String,
    /// Spend when it was sent (USD).
    pub spent_usd: String,
}

/// The whole state: alert key → deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub alerts: BTreeMap<String, Sent>,
}

/// Days an entry is kept after its period ended (backfills with `--at` inside this window
/// do not re-send).
pub const KEEP_DAYS: i64 = 100;

/// The key of one alert: `budget|period|kind|threshold`.
pub fn key(budget: &str, period: &str, kind: &str, threshold: u32) -> String {
    format!("{budget}|{period}|{kind}|{threshold}")
}

impl State {
    /// Reads the state; a missing file is an empty state. A file that does not parse is an
    /// error (sending every alert again would be worse than stopping).
    pub fn load(path: &Path) -> anyhow::Result<State> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| {
                format!(
                    "the alert state file {} is not valid JSON; move it away to start afresh (every crossed threshold alerts again)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
                version: 1,
                ..State::default()
            }),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Writes the state atomically, creating its folder.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        atomic_write(path, &bytes)
    }

    /// Whether `channel` already has the alert `key`.
    pub fn delivered(&self, key: &str, channel: &str) -> bool {
        self.alerts
            .get(key)
            .is_some_and(|s| s.channels.iter().any(|c| c == channel))
    }

    /// Records that `channel` accepted alert `key`.
    pub fn record(&mut self, key: &str, channel: &str, now: &str, period_end: &str, spent: &str) {
        let e = self.alerts.entry(key.to_string()).or_insert_with(|| Sent {
            first_sent: now.to_string(),
            period_end: period_end.to_string(),
            spent_usd: spent.to_string(),
            ..Sent::default()
        });
        if !e.channels.iter().any(|c| c == channel) {
            e.channels.push(channel.to_string());
        }
    }

    /// Drops entries whose period ended more than [`KEEP_DAYS`] before `now`.
    pub fn prune(&mut self, now: jiff::Timestamp) {
        let cutoff = now.as_second() - KEEP_DAYS * 86_400;
        self.alerts.retain(|_, s| {
            s.period_end
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_second() >= cutoff)
                .unwrap_or(true)
        });
    }
}

/// The default state file: the platform's state folder (`$XDG_STATE_HOME`, else the local
/// data folder), `bedrock-meter/alert-state.json`.
pub fn default_path() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("bedrock-meter").join("alert-state.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_record_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let mut s = State::load(&path).unwrap();
        assert!(s.alerts.is_empty());
        let k = key("b", "2026-11", "actual", 50);
        s.record(
            &k,
            "ops",
            "2026-11-10T00:00:00Z",
            "2026-12-01T00:00:00Z",
            "250",
        );
        s.record(
            &k,
            "ops",
            "2026-11-11T00:00:00Z",
            "2026-12-01T00:00:00Z",
            "260",
        );
        s.record(
            &k,
            "slack",
            "2026-11-11T00:00:00Z",
            "2026-12-01T00:00:00Z",
            "260",
        );
        s.save(&path).unwrap();
        let back = State::load(&path).unwrap();
        assert_eq!(back, s);
        assert!(back.delivered(&k, "ops") && back.delivered(&k, "slack"));
        assert!(!back.delivered(&k, "pager"));
        assert_eq!(back.alerts[&k].first_sent, "2026-11-10T00:00:00Z");
        let mut p = back.clone();
        p.prune("2027-03-01T00:00:00Z".parse().unwrap());
        assert_eq!(p.alerts.len(), 1);
        p.prune("2027-03-12T00:00:00Z".parse().unwrap());
        assert!(p.alerts.is_empty());
        std::fs::write(&path, b"{\"version\": 1, \"alerts\": {").unwrap();
        let e = State::load(&path).unwrap_err().to_string();
        assert!(e.contains("not valid JSON"), "{e}");
    }
}
