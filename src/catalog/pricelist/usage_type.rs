//! The usage-type grammar of Bedrock's Price List (bedrock-facts §5).
//!
//! `AmazonBedrock` / `AmazonBedrockService`:
//! `<BILLING-PREFIX>-<ModelSegment>[-mantle]-<suffix>`, where the suffix is one of
//!
//! - `(input|output)-tokens` followed by modifiers: a tier (`standard`, `batch`, `flex`,
//!   `priority`), `long-context`, a route (`cross-region-global`, `cross-region-geo`);
//! - `cache-(read|write)-input-token-count` with the same modifiers (and `1h` for the
//!   one-hour cache write);
//! - `(input|output)-image-(token-count|count)`;
//! - Mantle's `cache-read-tokens`, `cache-write-tokens-30m`;
//! - `reserved-…` (reserved capacity, not read).
//!
//! The model segment is a marketing name that may itself contain hyphens
//! (`TitanEmbeddingsG1-Text`): the suffix is found as the first `-`-separated position from
//! which the rest parses. `AmazonBedrockFoundationModels` (Marketplace):
//! `<PREFIX>-MP:<PREFIX>_<Words>-Units` (`USE1-MP:USE1_CacheWriteInputTokenCount_Global-Units`,
//! newer ones in snake case `input_tokens_standard-Units`); its words follow the Marketplace
//! word rules ([`super::reading::read_words`]).

use super::reading::{Reading, Route, read_words};
use crate::catalog::types::Mode;

/// A parsed usage type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageType {
    /// `USE1`, `EU`, `APS3`.
    pub prefix: String,
    /// The model segment (`NovaMicro`); empty for Marketplace usage types, which name the
    /// model only in the product's `servicename`.
    pub segment: String,
    pub marketplace: bool,
    pub reading: Reading,
}

/// Why a usage type did not parse, naming it.
fn bad(usage_type: &str, why: impl std::fmt::Display) -> String {
    format!("usage type `{usage_type}`: {why}")
}

/// Parses a usage type.
pub fn parse(usage_type: &str) -> Result<UsageType, String> {
    let ut = usage_type.trim();
    let (prefix, rest) = ut
        .split_once('-')
        .ok_or_else(|| bad(ut, "no billing prefix (expected PREFIX-…)"))?;
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad(ut, format!("`{prefix}` is not a billing prefix")));
    }
    if let Some(mp) = rest.strip_prefix("MP:") {
        let words = mp.split_once('_').map(|(_, w)| w).unwrap_or(mp);
        let words = words.strip_suffix("-Units").unwrap_or(words);
        let reading = read_words(words).map_err(|e| bad(ut, e))?;
        return Ok(UsageType {
            prefix: prefix.to_string(),
            segment: String::new(),
            marketplace: true,
            reading,
        });
    }
    let parts: Vec<&str> = rest.split('-').collect();
    let mut last_err = None;
    for start in 1..parts.len() {
        let mut segment_parts = &parts[..start];
        let mut mantle = false;
        if segment_parts.len() > 1 && segment_parts.last() == Some(&"mantle") {
            segment_parts = &segment_parts[..segment_parts.len() - 1];
            mantle = true;
        }
        match suffix(&parts[start..]) {
            Ok(Some(mut reading)) => {
                reading.mantle = mantle;
                return Ok(UsageType {
                    prefix: prefix.to_string(),
                    segment: segment_parts.join("-"),
                    marketplace: false,
                    reading,
                });
            }
            Ok(None) => {}
            Err(e) => {
                last_err.get_or_insert(e);
            }
        }
    }
    Err(bad(
        ut,
        last_err.unwrap_or_else(|| {
            "no known suffix (input-tokens, output-tokens, cache-read-input-token-count, …)"
                .to_string()
        }),
    ))
}

/// Parses the suffix words; `Ok(None)` when they do not start with a suffix head (the
/// segment then goes on), `Err` when they do but a modifier is unknown.
fn suffix(words: &[&str]) -> Result<Option<Reading>, String> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let w: Vec<&str> = lower.iter().map(String::as_str).collect();
    let (dimension, used) = match w.as_slice() {
        ["reserved", ..] => {
            return Err("reserved capacity (`reserved-…`) is not read by refresh".into());
        }
        ["input", "tokens", ..] => ("input-tokens", 2),
        ["output", "tokens", ..] => ("output-tokens", 2),
        ["cache", "read", "input", "token", "count", ..] => ("cache-read", 5),
        ["cache", "write", "input", "token", "count", ..] => ("cache-write-5m", 5),
        ["cache", "write", "1h", "input", "token", "count", ..] => ("cache-write-1h", 6),
        ["cache", "read", "tokens", ..] => ("cache-read", 3),
        ["cache", "write", "tokens", "30m", ..] => ("cache-write-30m", 4),
        ["cache", "write", "tokens", ..] => ("cache-write-5m", 3),
        ["input", "image", "token", "count", ..] => {
            return Err(
                "image input billed as tokens (`input-image-token-count`) is not in the catalog schema"
                    .into(),
            );
        }
        ["output", "image", "token", "count", ..] => {
            return Err(
                "image output billed as tokens (`output-image-token-count`) is not in the catalog schema"
                    .into(),
            );
        }
        ["input", "image", "count", ..] => ("input-image", 3),
        ["output", "image", "count", ..] => ("image", 3),
        _ => return Ok(None),
    };
    let mut dimension = dimension.to_string();
    let mut mode = Mode::OnDemand;
    let mut route = Route::InRegion;
    let mut long_context = false;
    let mut i = used;
    while i < w.len() {
        match &w[i..] {
            ["standard", ..] => i += 1,
            ["batch", ..] => {
                mode = Mode::Batch;
                i += 1
            }
            ["flex", ..] => {
                mode = Mode::Flex;
                i += 1
            }
            ["priority", ..] => {
                mode = Mode::Priority;
                i += 1
            }
            ["long", "context", ..] => {
                long_context = true;
                i += 2
            }
            ["cross", "region", "global", ..] => {
                route = Route::Global;
                i += 3
            }
            ["cross", "region", "geo", ..] => {
                route = Route::Geo;
                i += 3
            }
            ["1h", ..] if dimension == "cache-write-5m" => {
                dimension = "cache-write-1h".into();
                i += 1
            }
            ["5m", ..] if dimension.starts_with("cache-write") => i += 1,
            [other, ..] => {
                return Err(format!(
                    "unknown word `{other}` after `{}`",
                    words[..used].join("-")
                ));
            }
            [] => break,
        }
    }
    Ok(Some(Reading {
        dimension,
        mode,
        route,
        long_context,
        mantle: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ut: &str) -> (String, String, Mode, Route, bool) {
        let u = parse(ut).unwrap();
        (
            u.prefix,
            u.segment,
            u.reading.mode,
            u.reading.route,
            u.reading.long_context,
        )
    }

    #[test]
    fn amazon_bedrock_usage_types() {
        assert_eq!(
            read("USE1-NovaMicro-input-tokens"),
            (
                "USE1".into(),
                "NovaMicro".into(),
                Mode::OnDemand,
                Route::InRegion,
                false
            )
        );
        assert_eq!(
            read("APS3-TitanEmbeddingsG1-Text-input-tokens-batch").1,
            "TitanEmbeddingsG1-Text"
        );
        assert_eq!(
            read("USE1-Claude4Sonnet-input-tokens-long-context-cross-region-global"),
            (
                "USE1".into(),
                "Claude4Sonnet".into(),
                Mode::OnDemand,
                Route::Global,
                true
            )
        );
        assert_eq!(
            read("EU-Nova2.0Lite-output-tokens-priority").2,
            Mode::Priority
        );
        let c = parse("USE1-Claude4Sonnet-cache-write-input-token-count-cross-region-geo").unwrap();
        assert_eq!(
            (c.reading.dimension.as_str(), c.reading.route),
            ("cache-write-5m", Route::Geo)
        );
        let m = parse("USE1-GptOss120b-mantle-cache-write-tokens-30m").unwrap();
        assert!(m.reading.mantle);
        assert_eq!(m.reading.dimension, "cache-write-30m");
        assert_eq!(
            parse("USE1-TitanImage-output-image-count")
                .unwrap()
                .reading
                .dimension,
            "image"
        );
    }

    #[test]
    fn marketplace_usage_types() {
        let u = parse("USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units").unwrap();
        assert!(u.marketplace);
        assert_eq!(
            (u.reading.dimension.as_str(), u.reading.route),
            ("cache-write-1h", Route::Global)
        );
        let u = parse("APS3-MP:APS3_cache_read_tokens_global_standard-Units").unwrap();
        assert_eq!(u.prefix, "APS3");
        assert_eq!(u.reading.dimension, "cache-read");
    }

    #[test]
    fn errors_name_the_usage_type() {
        for bad in [
            "",
            "USE1",
            "USE1-Nova",
            "USE1-Nova-input-tokens-weekly",
            "USE1-X-reserved-1-month",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
    }
}
