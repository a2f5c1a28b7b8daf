//! The Marketplace description rules (bedrock-facts §5).
//!
//! `AmazonBedrockFoundationModels` products (Claude 3.5 and later, Cohere, AI21…) often
//! give `Units` as the unit; the real unit and meaning are in the description, whose last
//! `|`-separated field reads like `Million Input Tokens Regional`,
//! `Million Cache Write 1h Input Tokens Global` or `Million Response Tokens Batch regional
//! cris`. The prices are per **million** tokens.

use super::reading::{Reading, read_words};

/// The meaningful field of a description: its last `|` field.
pub fn meaning(description: &str) -> &str {
    description.rsplit('|').next().unwrap_or_default().trim()
}

/// Reads a Marketplace description.
pub fn parse(description: &str) -> Result<Reading, String> {
    let m = meaning(description);
    if m.is_empty() {
        return Err("empty description".into());
    }
    read_words(m).map_err(|e| format!("description {e}"))
}

/// The catalog unit name of a price dimension: its `unit` when that is a real unit, else
/// the one its description names (`Units` + "Million Input Tokens" → `1M tokens`). The
/// result is parsed with the catalog's unit names, so units the schema gains later
/// (`second`, `1K queries`) pass through.
pub fn unit_of(unit: &str, description: &str) -> Result<String, String> {
    let u = unit.trim().to_ascii_lowercase();
    let from_words = |text: &str| -> Option<&'static str> {
        let t = text.to_ascii_lowercase();
        let has = |s: &str| t.contains(s);
        if has("million") || has("1m ") || t.starts_with("1m") {
            Some("1M tokens")
        } else if (has("thousand") || has("1k") || has("1,000") || has("1000"))
            && (has("quer") || has("search unit"))
        {
            Some("1K queries")
        } else if has("thousand") || has("1k") || has("1,000") || has("1000") {
            Some("1K tokens")
        } else if has("image") {
            Some("image")
        } else if has("second") {
            Some("second")
        } else if has("minute") {
            Some("minute")
        } else if has("hour") || has("hrs") {
            Some("hour")
        } else {
            None
        }
    };
    let named = match u.as_str() {
        "1k tokens" | "1000 tokens" | "1k token" | "thousand tokens" => Some("1K tokens"),
        "1m tokens" | "1m token" | "million tokens" => Some("1M tokens"),
        "image" | "images" => Some("image"),
        "second" | "seconds" => Some("second"),
        "minute" | "minutes" => Some("minute"),
        "hour" | "hours" | "hrs" => Some("hour"),
        "units" | "unit" | "" => None,
        other => from_words(other),
    };
    named
        .or_else(|| from_words(meaning(description)))
        .map(str::to_string)
        .ok_or_else(|| format!("unit `{unit}` with description `{description}` names no unit"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::pricelist::reading::Route;
    use crate::catalog::types::Mode;

    #[test]
    fn units_come_from_the_description_when_the_unit_says_units() {
        let d = "AWS Marketplace software usage|us-east-1|Million Input Tokens Regional";
        assert_eq!(unit_of("Units", d).unwrap(), "1M tokens");
        assert_eq!(unit_of("1K tokens", "anything").unwrap(), "1K tokens");
        assert_eq!(unit_of("1000 Tokens", "").unwrap(), "1K tokens");
        assert!(unit_of("Units", "AWS Marketplace software usage|us-east-1|Tokens").is_err());
        let r = parse(d).unwrap();
        assert_eq!(
            (r.dimension.as_str(), r.mode, r.route),
            ("input-tokens", Mode::OnDemand, Route::InRegion)
        );
    }
}
