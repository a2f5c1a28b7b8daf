//! The vocabulary files shipped in `vocab/` (see `vocab/README.md` and `vocab/MANIFEST.toml`),
//! compiled into the binary gzip-compressed and inflated on first use of a family.

use std::io::Read;

macro_rules! vocab {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vocab/", $path))
    };
}

pub static LLAMA3: &[u8] = vocab!("llama3/tokenizer.model.gz");
pub static LLAMA4: &[u8] = vocab!("llama4/tokenizer.model.gz");
pub static TEKKEN: &[u8] = vocab!("mistral-tekken/tekken_240911.json.gz");
pub static MISTRAL_V1: &[u8] = vocab!("mistral-v1/tokenizer.model.v1.gz");
pub static MISTRAL_V2: &[u8] = vocab!("mistral-v2/mistral_instruct_tokenizer_240216.model.v2.gz");
pub static MISTRAL_V3: &[u8] = vocab!("mistral-v3/mistral_instruct_tokenizer_240323.model.v3.gz");
pub static MISTRAL_V7: &[u8] = vocab!("mistral-v7/mistral_instruct_tokenizer_241114.model.v7.gz");
pub static DEEPSEEK: &[u8] = vocab!("deepseek/tokenizer.json.gz");
pub static CLAUDE_LEGACY: &[u8] = vocab!("claude-legacy/tokenizer.json.gz");
pub static LLAMA2: &[u8] = vocab!("llama2/llama2-vocab-merges.json.gz");
pub static AI21_J2: &[u8] = vocab!("ai21-j2/j2-tokenizer.model.gz");
pub static QWEN3: &[u8] = vocab!("qwen3/qwen.tiktoken.gz");

/// Inflates a shipped `.gz` file.
pub fn inflate(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(gz.len() * 4);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .expect("shipped vocabularies are valid gzip (checked by tests)");
    out
}
