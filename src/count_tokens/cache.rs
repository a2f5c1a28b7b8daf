//! Exact answers kept on disk: a re-run of the same requests makes no CountTokens call.
//!
//! Key: (bare model ID, hash of the body as sent — its kind, InvokeModel or Converse, and
//! its bytes). A count depends on nothing else. One small JSON-lines file per model under
//! `<cache dir>/count-tokens/` (the cache folder of [`crate::tokenize::cache::dir`]:
//! `$BEDROCK_METER_CACHE_DIR`, else the platform cache folder), each line
//! `{"h": "<32 hex digits>", "n": <input tokens>}`. Saving re-reads the file and merges, so
//! two runs at once lose nothing but the race's own entries; a damaged line is skipped. A
//! cache that cannot be read or written costs calls, never a wrong count of another body:
//! the hash is 128-bit FNV-1a over the whole body.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use crate::aws::bedrock_runtime::CountBody;

/// 128-bit FNV-1a of a body, with its kind.
pub fn body_hash(body: &CountBody) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let (kind, bytes): (u8, Vec<u8>) = match body {
        CountBody::InvokeModel(b) => (1, b.clone()),
        CountBody::Converse(v) => (2, v.to_string().into_bytes()),
    };
    let mut h = OFFSET;
    for b in std::iter::once(kind).chain(bytes) {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// The cached counts of one model.
#[derive(Debug)]
pub struct Cache {
    path: Option<PathBuf>,
    entries: HashMap<u128, u64>,
    added: HashMap<u128, u64>,
}

fn file_name(model_id: &str) -> String {
    let safe: String = model_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.jsonl")
}

fn read_entries(path: &PathBuf) -> HashMap<u128, u64> {
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let h = v["h"]
            .as_str()
            .and_then(|h| u128::from_str_radix(h, 16).ok());
        if let (Some(h), Some(n)) = (h, v["n"].as_u64()) {
            out.insert(h, n);
        }
    }
    out
}

impl Cache {
    /// The cache of `model_id` in the user's cache folder; `enabled = false` (`--no-cache`)
    /// or no cache folder: an empty cache that keeps nothing.
    pub fn open(model_id: &str, enabled: bool) -> Cache {
        let path = enabled
            .then(crate::tokenize::cache::dir)
            .flatten()
            .map(|d| d.join("count-tokens").join(file_name(model_id)));
        let entries = path.as_ref().map(read_entries).unwrap_or_default();
        Cache {
            path,
            entries,
            added: HashMap::new(),
        }
    }

    pub fn get(&self, hash: u128) -> Option<u64> {
        self.entries.get(&hash).copied()
    }

    pub fn insert(&mut self, hash: u128, tokens: u64) {
        if self.path.is_some() && self.entries.insert(hash, tokens) != Some(tokens) {
            self.added.insert(hash, tokens);
        }
    }

    /// Writes new entries (merged with what another run may have written meanwhile);
    /// failures are ignored: they only cost calls next time.
    pub fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if self.added.is_empty() {
            return;
        }
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut all = read_entries(path);
        all.extend(self.added.drain());
        let mut text = String::new();
        let mut keys: Vec<_> = all.iter().collect();
        keys.sort();
        for (h, n) in keys {
            text.push_str(&format!("{{\"h\":\"{h:032x}\",\"n\":{n}}}\n"));
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir)
            && tmp.write_all(text.as_bytes()).is_ok()
        {
            let _ = tmp.persist(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_tells_bodies_and_kinds_apart() {
        let a = CountBody::InvokeModel(b"{\"a\":1}".to_vec());
        let b = CountBody::InvokeModel(b"{\"a\":2}".to_vec());
        let c = CountBody::Converse(json!({"a": 1}));
        assert_eq!(body_hash(&a), body_hash(&a.clone()));
        assert_ne!(body_hash(&a), body_hash(&b));
        assert_ne!(body_hash(&a), body_hash(&c));
    }

    #[test]
    fn file_names_keep_model_ids_readable_and_safe() {
        assert_eq!(
            file_name("anthropic.claude-3-5-haiku-20241022-v1:0"),
            "anthropic.claude-3-5-haiku-20241022-v1_0.jsonl"
        );
        assert_eq!(file_name("../x"), ".._x.jsonl");
    }
}
