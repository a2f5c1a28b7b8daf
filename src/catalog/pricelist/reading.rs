//! What a price dimension bills, as read from a usage type or a description: the billed
//! quantity (a catalog dimension name), the pricing mode, the invocation route and whether it
//! is the long-context rate.

use crate::catalog::types::Mode;

/// The invocation route a Price List rate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// A bare model ID called in the Region itself.
    InRegion,
    /// A geographic cross-Region profile (`us.`, `eu.`, `apac.`…): "regional CRIS".
    Geo,
    /// The `global.` cross-Region profile.
    Global,
}

/// The meaning of one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// A catalog dimension name (`input-tokens`, `cache-write-1h`, `audio-input-tokens`…),
    /// parsed into [`crate::catalog::Dimension`] later so that names the schema does not
    /// have yet are reported, not lost.
    pub dimension: String,
    pub mode: Mode,
    pub route: Route,
    pub long_context: bool,
    /// A rate of the OpenAI-compatible "Mantle" endpoint.
    pub mantle: bool,
}

/// Splits text into lower-case words at non-alphanumerics and camel-case humps
/// (`CacheWrite1hInputTokenCount` → cache, write, 1h, input, token, count).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && !cur.is_empty()
        {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Reads the Marketplace word rules (bedrock-facts §5) from the words of a description or
/// a Marketplace usage type. `what` names the text in errors.
pub fn read_words(text: &str) -> Result<Reading, String> {
    let w = words(text);
    let flat: String = w.concat();
    let has = |s: &str| w.iter().any(|x| x == s);
    let any = |xs: &[&str]| xs.iter().any(|s| flat.contains(s));
    if any(&["latencyoptimized", "latencyoptimised"]) {
        return Err(format!(
            "`{text}`: the latency-optimized tier is not in the catalog schema"
        ));
    }
    if any(&[
        "reserved",
        "provisioned",
        "throughput",
        "modelunit",
        "customization",
    ]) {
        return Err(format!(
            "`{text}`: provisioned-throughput, reserved and customization rates are not read by refresh"
        ));
    }
    let dimension = if any(&["cacheread"]) {
        "cache-read"
    } else if any(&["cachewrite"]) {
        if any(&["1h", "1hour", "1hr", "onehour", "60m"]) {
            "cache-write-1h"
        } else if any(&["30m", "30min"]) {
            "cache-write-30m"
        } else {
            "cache-write-5m"
        }
    } else if has("audio") {
        if any(&["output", "response"]) {
            "audio-output-tokens"
        } else {
            "audio-input-tokens"
        }
    } else if has("video") {
        "video-input"
    } else if any(&["searchunit", "rerank", "quer"]) {
        "rerank-queries"
    } else if has("image") || has("images") {
        if has("edit") || has("edits") {
            "image-edit"
        } else if has("input") || has("embedding") || has("embeddings") {
            "input-image"
        } else {
            "image"
        }
    } else if has("input") || has("prompt") {
        "input-tokens"
    } else if has("output") || has("response") || has("completion") {
        "output-tokens"
    } else {
        return Err(format!(
            "`{text}` names no billed quantity (input/output/response tokens, cache read/write, image, video, audio, search unit)"
        ));
    };
    let mode = if has("batch") {
        Mode::Batch
    } else if has("flex") {
        Mode::Flex
    } else if has("priority") {
        Mode::Priority
    } else {
        Mode::OnDemand
    };
    let route = if has("global") {
        Route::Global
    } else if has("cris") || any(&["crossregion", "geo"]) {
        Route::Geo
    } else {
        Route::InRegion
    };
    Ok(Reading {
        dimension: dimension.to_string(),
        mode,
        route,
        long_context: any(&["longcontext", "lctx"]),
        mantle: has("mantle"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_humps_and_punctuation() {
        assert_eq!(
            words("CacheWrite1hInputTokenCount_Global-Units"),
            [
                "cache", "write1h", "input", "token", "count", "global", "units"
            ]
        );
        assert_eq!(
            words("input_tokens_standard"),
            ["input", "tokens", "standard"]
        );
    }

    #[test]
    fn marketplace_words() {
        let r = read_words("Million Input Tokens Regional").unwrap();
        assert_eq!(
            (r.dimension.as_str(), r.mode, r.route),
            ("input-tokens", Mode::OnDemand, Route::InRegion)
        );
        let r = read_words("Million Cache Write 1 hour Input Tokens Global").unwrap();
        assert_eq!(
            (r.dimension.as_str(), r.route),
            ("cache-write-1h", Route::Global)
        );
        let r = read_words("CacheWrite1hInputTokenCount").unwrap();
        assert_eq!(r.dimension, "cache-write-1h");
        let r = read_words("Million Response Tokens Batch regional cris").unwrap();
        assert_eq!(
            (r.dimension.as_str(), r.mode, r.route),
            ("output-tokens", Mode::Batch, Route::Geo)
        );
        assert!(read_words("InputTokenCount_LCtx").unwrap().long_context);
        assert!(read_words("Latency Optimized Input Tokens").is_err());
        assert!(read_words("Units").is_err());
    }
}
