//! Families shipped as Hugging Face `tokenizer.json` (DeepSeek, legacy Claude) or converted
//! to it (Llama 2 from llama-tokenizer-js's vocabulary and merges).
//!
//! The reference engine is Hugging Face `tokenizers`. kitoken reads the same file and is much
//! faster; it is used only for families where the tests show identical counts on the test
//! corpus (see `super::Engine`).

use super::Tokenizer;

/// Hugging Face `tokenizers`: the reference engine.
pub struct Reference(tokenizers::Tokenizer);

impl Reference {
    pub fn from_json(json: &[u8]) -> Self {
        let mut t = tokenizers::Tokenizer::from_bytes(json).expect("valid tokenizer.json");
        // Special-token strings in a prompt are plain text: do not match them as added tokens.
        t.set_encode_special_tokens(true);
        Reference(t)
    }
}

impl Tokenizer for Reference {
    fn count(&self, text: &str) -> usize {
        // No chat template and no BOS/EOS: plain text only.
        self.0
            .encode_fast(text, false)
            .expect("tokenizers encodes any text")
            .len()
    }
}

/// kitoken, the fast engine for `tokenizer.json` and SentencePiece models.
pub struct Kitoken(kitoken::Kitoken);

impl Kitoken {
    pub fn from_tokenizer_json(json: &[u8]) -> Self {
        Kitoken(
            kitoken::Kitoken::from_tokenizers_slice(json).expect("kitoken reads tokenizer.json"),
        )
    }

    /// Reads kitoken's own serialized form from the local cache, or converts the
    /// tokenizer.json (parsing it is most of the load time) and caches the result.
    pub fn cached(cache_key: &str, json: impl FnOnce() -> Vec<u8>) -> Self {
        if let Some(bytes) = super::cache::read(cache_key)
            && let Ok(k) = kitoken::Kitoken::from_slice(&bytes)
        {
            return Kitoken(k);
        }
        let k = Self::from_tokenizer_json(&json());
        super::cache::write(cache_key, &k.0.to_vec());
        k
    }

    pub fn from_sentencepiece(model: &[u8]) -> Self {
        Kitoken(
            kitoken::Kitoken::from_sentencepiece_slice(model)
                .expect("kitoken reads the SentencePiece model"),
        )
    }
}

impl Tokenizer for Kitoken {
    fn count(&self, text: &str) -> usize {
        // `false`: special-token strings in the text are encoded as ordinary text.
        self.0
            .encode(text, false)
            .map(|t| t.len())
            .unwrap_or_else(|_| text.len())
    }
}

/// Builds a Llama 2 `tokenizer.json` from the vocabulary and merges extracted from
/// llama-tokenizer-js (format in `vocab/README.md`). It mirrors Meta's SentencePiece model as
/// Hugging Face ships it: spaces become `▁`, a `▁` is prepended (SentencePiece's dummy
/// prefix), BPE merges in priority order, unknown bytes fall back to `<0xNN>` pieces.
pub fn llama2_tokenizer_json(extracted: &[u8]) -> Vec<u8> {
    #[derive(serde::Deserialize)]
    struct Extracted {
        vocab: Vec<String>,
        merges: Vec<[usize; 2]>,
    }
    let e: Extracted = serde_json::from_slice(extracted).expect("llama2 vocabulary JSON");
    let vocab: serde_json::Map<String, serde_json::Value> = e
        .vocab
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), serde_json::Value::from(i)))
        .collect();
    let merges: Vec<String> = e
        .merges
        .iter()
        .map(|[l, r]| format!("{} {}", e.vocab[*l], e.vocab[*r]))
        .collect();
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [
            {"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
        ],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u{2581}"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u{2581}"}
        ]},
        "pre_tokenizer": null,
        "post_processor": null,
        "decoder": null,
        "model": {
            "type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
            "vocab": vocab, "merges": merges
        }
    });
    serde_json::to_vec(&json).expect("serializable")
}

/// kitoken guarded by the reference engine: kitoken and Hugging Face disagree only on text
/// that contains one of the vocabulary's added-token strings (legacy Claude's `<EOT>`,
/// `<META>`…), so such text goes to the reference engine (loaded only when first needed)
/// and everything else to kitoken.
///
/// For byte-level vocabularies (`Split::Lines`) only the lines around an added-token string
/// go to the reference: a line break followed by a non-space character ends every
/// pre-token of those tokenizers, so counts add up across such boundaries. Vocabularies that
/// prepend a space marker to the whole text (Llama 2) have no such boundary (`Split::Whole`).
pub struct Guarded {
    fast: Kitoken,
    literals: Vec<String>,
    json: Box<dyn Fn() -> Vec<u8> + Send + Sync>,
    split: Split,
    reference: std::sync::OnceLock<Reference>,
}

/// How [`Guarded`] may divide a text between its engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Lines,
    Whole,
}

impl Guarded {
    /// `literals`: the vocabulary's added-token strings (see [`added_token_strings`]).
    pub fn new(
        fast: Kitoken,
        literals: Vec<String>,
        json: impl Fn() -> Vec<u8> + Send + Sync + 'static,
        split: Split,
    ) -> Self {
        Guarded {
            fast,
            literals,
            json: Box::new(json),
            split,
            reference: std::sync::OnceLock::new(),
        }
    }

    fn has_literal(&self, text: &str) -> bool {
        self.literals.iter().any(|l| text.contains(l.as_str()))
    }

    fn reference(&self) -> &Reference {
        self.reference
            .get_or_init(|| Reference::from_json(&(self.json)()))
    }
}

/// The `added_tokens` strings of a tokenizer.json.
pub fn added_token_strings(json: &[u8]) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Added {
        content: String,
    }
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        added_tokens: Vec<Added>,
    }
    let file: File = serde_json::from_slice(json).expect("tokenizer.json");
    file.added_tokens.into_iter().map(|a| a.content).collect()
}

/// Splits `text` after each line break that is followed by a non-whitespace character.
fn safe_blocks(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let at = i;
            i += 1;
            if bytes[at] == b'\n' && i < bytes.len() && !text[i..].starts_with(char::is_whitespace)
            {
                let block = &text[start..i];
                start = i;
                return Some(block);
            }
        }
        (start < bytes.len()).then(|| {
            let block = &text[start..];
            start = bytes.len();
            block
        })
    })
}

impl Tokenizer for Guarded {
    fn count(&self, text: &str) -> usize {
        if !self.has_literal(text) {
            return self.fast.count(text);
        }
        match self.split {
            Split::Whole => self.reference().count(text),
            Split::Lines => {
                // Runs of blocks without a literal go to kitoken in one piece.
                let mut total = 0;
                let mut run_start: Option<usize> = None;
                let base = text.as_ptr() as usize;
                for block in safe_blocks(text) {
                    let offset = block.as_ptr() as usize - base;
                    if self.has_literal(block) {
                        if let Some(s) = run_start.take() {
                            total += self.fast.count(&text[s..offset]);
                        }
                        total += self.reference().count(block);
                    } else if run_start.is_none() {
                        run_start = Some(offset);
                    }
                }
                if let Some(s) = run_start {
                    total += self.fast.count(&text[s..]);
                }
                total
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_blocks_split_before_non_space_after_newline() {
        let blocks: Vec<&str> = safe_blocks("a\nb\n\n  c\nd").collect();
        assert_eq!(blocks, vec!["a\n", "b\n\n  c\n", "d"]);
        assert_eq!(safe_blocks("").count(), 0);
        assert_eq!(safe_blocks("x\n").collect::<Vec<_>>(), vec!["x\n"]);
    }
}
