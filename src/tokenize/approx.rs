//! Approximate families: models whose vocabulary is not public.
//!
//! Each is counted with a public vocabulary and scaled by a calibration factor; the result
//! carries `exact: false` and an error band. Where the numbers come from (all from
//! `../shared/reference/bedrock-facts.md` §7, measured on a 53.6 MB English/code/CJK corpus
//! against the providers' own billed counts):
//!
//! | family | counted with | factor | band | source |
//! |---|---|---|---|---|
//! | `claude` (Claude 3 to 4.6) | legacy Claude vocabulary | 1.10 | ±5% | Anthropic's CountTokens vs the legacy tokenizer |
//! | `claude-opus-4-7` (Opus 4.7 and later) | legacy Claude vocabulary | 1.10 × 1.175 | ±15% | newer tokenizer uses 1.0–1.35× the tokens of 4.6; midpoint |
//! | `nova`, `titan` | cl100k_base | 1.00 | ±15% | Bedrock's reported input tokens vs cl100k |
//! | `cohere` | o200k_base | 1.00 | ±25% | unmeasured: a wide band until measured |
//! | `jamba` | o200k_base | 1.00 | ±25% | unmeasured |
//! | `image-prompt` | cl100k_base | 1.00 | ±25% | unmeasured; image models bill per image, not per token |
//! | `video-prompt` | cl100k_base | 1.00 | ±25% | unmeasured; video models bill per second of video |
//! | `gpt-5` (OpenAI GPT-5.x, GPT-6.x on Bedrock) | o200k_base | 1.00 | ±10% | unmeasured; OpenAI's GPT-4o/GPT-5 models use o200k_base, later ones publish no vocabulary |
//! | `gemma`, `glm`, `kimi`, `nemotron`, `minimax`, `palmyra`, `grok` | o200k_base | 1.00 | ±25% | unmeasured: large multilingual BPE vocabularies (150k–260k tokens) sit closest to o200k; no registry package ships their exact vocabulary in a form checked here |
//!
//! CJK-heavy text is where borrowed vocabularies disagree most, so the band widens with the
//! share of CJK characters: `band × (1 + 2 × cjk_share)`.

use serde::Serialize;

/// How far the true count may lie from the estimate, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorBand {
    pub minus_pct: f64,
    pub plus_pct: f64,
    /// Whether the band was measured, or is a wide placeholder.
    pub measured: bool,
}

/// A calibration: which public vocabulary to count with, the factor and the band.
#[derive(Debug, Clone, Copy)]
pub struct Calibration {
    pub base: Base,
    pub factor: f64,
    pub band_pct: f64,
    pub measured: bool,
}

/// Public vocabularies approximations count with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    ClaudeLegacy,
    Cl100k,
    O200k,
}

/// The calibration of an approximate family, or `None` for exact families.
pub fn calibration(family: &str) -> Option<Calibration> {
    let c = |base, factor, band_pct, measured| {
        Some(Calibration {
            base,
            factor,
            band_pct,
            measured,
        })
    };
    match family {
        "claude" => c(Base::ClaudeLegacy, 1.10, 5.0, true),
        "claude-opus-4-7" => c(Base::ClaudeLegacy, 1.10 * 1.175, 15.0, true),
        "nova" | "titan" => c(Base::Cl100k, 1.0, 15.0, true),
        "cohere" | "jamba" | "image-prompt" => c(Base::O200k, 1.0, 25.0, false),
        "video-prompt" => c(Base::Cl100k, 1.0, 25.0, false),
        "gpt-5" => c(Base::O200k, 1.0, 10.0, false),
        "gemma" | "glm" | "kimi" | "nemotron" | "minimax" | "palmyra" | "grok" => {
            c(Base::O200k, 1.0, 25.0, false)
        }
        _ => None,
    }
}

/// Share of characters in CJK scripts (Han, Hiragana, Katakana, Hangul).
pub fn cjk_share(text: &str) -> f64 {
    let (mut cjk, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
        {
            cjk += 1;
        }
    }
    if all == 0 {
        0.0
    } else {
        cjk as f64 / all as f64
    }
}

impl ErrorBand {
    /// The wider of two bands (the band of a sum of estimates is at most the widest one).
    pub fn widest(self, other: ErrorBand) -> ErrorBand {
        ErrorBand {
            minus_pct: self.minus_pct.max(other.minus_pct),
            plus_pct: self.plus_pct.max(other.plus_pct),
            measured: self.measured && other.measured,
        }
    }
}

impl Calibration {
    /// Scales a base count and gives its band for this text.
    pub fn apply(&self, base_count: usize, text_cjk_share: f64) -> (u64, ErrorBand) {
        let tokens = (base_count as f64 * self.factor).round() as u64;
        let band = (self.band_pct * (1.0 + 2.0 * text_cjk_share) * 10.0).round() / 10.0;
        (
            tokens,
            ErrorBand {
                minus_pct: band,
                plus_pct: band,
                measured: self.measured,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_widens_the_band() {
        let c = calibration("claude").unwrap();
        let (n, plain) = c.apply(100, cjk_share("hello world"));
        assert_eq!(n, 110);
        assert_eq!(plain.plus_pct, 5.0);
        let (_, cjk) = c.apply(100, cjk_share("日本語のテキスト"));
        assert_eq!(cjk.plus_pct, 15.0);
        assert!(calibration("llama3").is_none());
    }
}
