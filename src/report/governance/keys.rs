//! The grouping keys of `report governance --by`: who (`principal`), what (`model`,
//! `event`), where (`region`), when (`day`) and how it went (`error`).

use std::fmt;
use std::str::FromStr;

/// One key of `--by`. Rows show `all` for a key that is not grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GovKey {
    /// The normalised caller ([`crate::records::Principal::key`]).
    Principal,
    /// The model ID as the caller wrote it (profile prefix and ARN kept).
    Model,
    /// The UTC calendar day.
    Day,
    /// The Region called (`awsRegion`).
    Region,
    /// The operation (`eventName`).
    Event,
    /// The error code (`(none)` for calls that succeeded).
    Error,
}

impl GovKey {
    /// `--by principal,model`: who called which model.
    pub const DEFAULT: [GovKey; 2] = [GovKey::Principal, GovKey::Model];

    /// The key as `--by` spells it.
    pub fn label(self) -> &'static str {
        match self {
            GovKey::Principal => "principal",
            GovKey::Model => "model",
            GovKey::Day => "day",
            GovKey::Region => "region",
            GovKey::Event => "event",
            GovKey::Error => "error",
        }
    }

    /// Parses a comma-separated `--by` list; duplicates are dropped, order is kept.
    pub fn parse_list(s: &str) -> Result<Vec<GovKey>, String> {
        let mut keys = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k: GovKey = part.parse()?;
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            return Err(
                "--by needs at least one key (principal, model, day, region, event, error)".into(),
            );
        }
        Ok(keys)
    }
}

impl fmt::Display for GovKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for GovKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "principal" | "caller" => Ok(GovKey::Principal),
            "model" | "model_id" => Ok(GovKey::Model),
            "day" | "date" => Ok(GovKey::Day),
            "region" => Ok(GovKey::Region),
            "event" | "operation" | "event_name" => Ok(GovKey::Event),
            "error" | "error_code" => Ok(GovKey::Error),
            _ => Err(format!(
                "unknown grouping `{s}` for a governance report (expected principal, model, day, region, event or error)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_in_order_without_duplicates() {
        assert_eq!(
            GovKey::parse_list("day, principal,day,ERROR").unwrap(),
            vec![GovKey::Day, GovKey::Principal, GovKey::Error]
        );
        assert!(GovKey::parse_list(" , ").is_err());
        let e = GovKey::parse_list("principal,tag:team").unwrap_err();
        assert!(e.contains("tag:team"), "{e}");
    }
}
