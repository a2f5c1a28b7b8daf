//! Token sizes from sample prompts: the seam to the tokenizer.
//!
//! A workload may name sample prompts (`samples = ["prompts/a.txt"]`) instead of token
//! counts. Each file is one typical prompt, counted as plain text with the model's own
//! tokenizer (`crate::tokenize`): the median gives the typical input size, the 95th
//! percentile (nearest rank) the peak size. For families without a public vocabulary the
//! counts are estimates; the planner says so through the tokenizer's `exact` flag.

use std::path::PathBuf;

use super::workload::TokenCount;
use crate::catalog::Model;
use crate::tokenize;

/// Input tokens per request measured on `paths` with `model`'s tokenizer: median as the
/// typical size, 95th percentile as the peak size.
pub fn sample_tokens(model: &Model, paths: &[PathBuf]) -> Result<TokenCount, String> {
    let mut counts = Vec::with_capacity(paths.len());
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let text = tokenize::utf8_text(&p.display().to_string(), bytes)?;
        let n = tokenize::count(&model.tokenizer, &text).map_err(|e| e.to_string())?;
        counts.push(n.tokens);
    }
    if counts.is_empty() {
        return Err("no sample prompts".to_string());
    }
    counts.sort_unstable();
    Ok(TokenCount {
        typical: percentile(&counts, 50),
        peak: percentile(&counts, 95),
    })
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: usize) -> u64 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(percentile(&v, 50), 10);
        assert_eq!(percentile(&v, 95), 19);
        assert_eq!(percentile(&[7], 95), 7);
    }
}
