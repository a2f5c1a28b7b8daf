//! Token sizes from sample prompts: the seam to the tokenizer.
//!
//! A workload may name sample prompts or request bodies (`samples = ["prompts/a.txt"]`)
//! instead of token counts; their token counts, in the model's own tokenizer, give the typical
//! (median) and peak (95th percentile) input size. The tokenizer module is not built yet, so
//! this one function refuses for now; wiring it to `crate::tokenize` changes nothing else.

use std::path::PathBuf;

use super::workload::TokenCount;
use crate::catalog::Model;

/// Input tokens per request measured on `paths` with `model`'s tokenizer: median as the
/// typical size, 95th percentile as the peak size.
pub fn sample_tokens(model: &Model, paths: &[PathBuf]) -> Result<TokenCount, String> {
    let _ = (model, paths);
    Err("sample prompts need the tokenizer (not built yet): give input_tokens, or input_tokens_p50 and input_tokens_p95, instead".to_string())
}
