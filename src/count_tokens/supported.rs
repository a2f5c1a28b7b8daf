//! Which models Bedrock's CountTokens counts for: data, not code.
//!
//! Source: bedrock-facts §4 (Claude 3.5 Haiku, 3.5 and 3.7 Sonnet, Sonnet 4, Opus 4, and
//! later Claude models as each model card says) and the Bedrock user guide, "Monitor your
//! token usage by counting tokens before running inference" (docs.aws.amazon.com/bedrock/
//! latest/userguide/count-tokens.html), which also warns that some Claude models launched
//! for cross-Region inference only do not support CountTokens on `bedrock-runtime`.
//! Models not listed here (Claude 3 Haiku/Sonnet/Opus, the 4.6 and 4.7 generation until a
//! model card confirms it, every non-Claude model) are refused by `--exact` and counted
//! locally by `--exact=auto`. A wrong entry is a one-line edit here.
//!
//! CountTokens takes bare foundation-model IDs only: inference-profile IDs (`us.`,
//! `global.`…) are first resolved to their base model (see [`crate::resolve`]).

/// Bare model IDs CountTokens accepts.
pub const COUNT_TOKENS_MODELS: &[&str] = &[
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "anthropic.claude-opus-4-20250514-v1:0",
    // Later Claude models whose model cards list CountTokens.
    "anthropic.claude-opus-4-1-20250805-v1:0",
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-opus-4-5-20251101-v1:0",
];

/// Whether CountTokens counts for the bare model `model_id`.
pub fn supports(model_id: &str) -> bool {
    COUNT_TOKENS_MODELS.contains(&model_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_claude_models_of_the_catalog() {
        let catalog = crate::catalog::Catalog::load(None).unwrap();
        for id in COUNT_TOKENS_MODELS {
            let m = catalog
                .get(id)
                .unwrap_or_else(|| panic!("{id} is not in the catalog"));
            assert_eq!(m.provider, "anthropic", "{id}");
        }
        assert!(supports("anthropic.claude-sonnet-4-20250514-v1:0"));
        assert!(!supports("us.anthropic.claude-sonnet-4-20250514-v1:0"));
        assert!(!supports("anthropic.claude-3-haiku-20240307-v1:0"));
        assert!(!supports("amazon.nova-lite-v1:0"));
    }
}
