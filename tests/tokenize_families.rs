//! Every tokenizer family the catalog names works; approximations say so; the shipped
//! vocabularies are the ones the manifest describes.

use bedrock_meter::catalog::Catalog;
use bedrock_meter::tokenize::{self, EXACT_FAMILIES, Engine, cache, counter};
use sha2::{Digest, Sha256};

#[test]
fn every_catalog_family_counts() {
    let c = Catalog::embedded().unwrap();
    let families: std::collections::BTreeSet<&str> =
        c.models().iter().map(|m| m.tokenizer.as_str()).collect();
    for fam in families {
        let n = tokenize::count(fam, "Amazon Bedrock bills by the token.")
            .unwrap_or_else(|e| panic!("{fam}: {e}"));
        assert!(
            n.tokens >= 5 && n.tokens <= 20,
            "{fam}: {} tokens",
            n.tokens
        );
        assert_eq!(n.exact, EXACT_FAMILIES.contains(&fam), "{fam}");
        assert_eq!(
            n.error_band.is_none(),
            n.exact,
            "{fam}: exact counts have no band, estimates do"
        );
    }
    assert!(tokenize::count("no-such-family", "x").is_err());
}

#[test]
fn approximations_scale_the_base_vocabulary_and_widen_for_cjk() {
    let english = "The quarterly report covers invocations, tokens and costs per model.";
    let legacy = counter("claude-legacy", Engine::Reference)
        .unwrap()
        .count(english) as f64;
    let claude = tokenize::count("claude", english).unwrap();
    assert_eq!(claude.tokens, (legacy * 1.10).round() as u64);
    assert!(!claude.exact);
    let band = claude.error_band.unwrap();
    assert_eq!(
        (band.minus_pct, band.plus_pct, band.measured),
        (5.0, 5.0, true)
    );
    let cjk = tokenize::count("claude", "亚马逊云科技的基础模型服务按令牌计费。").unwrap();
    assert!(
        cjk.error_band.unwrap().plus_pct > 10.0,
        "CJK text widens the band"
    );
    let opus = tokenize::count("claude-opus-4-7", english).unwrap();
    assert!(opus.tokens > claude.tokens);
    assert_eq!(opus.error_band.unwrap().plus_pct, 15.0);
    let cohere = tokenize::count("cohere", english).unwrap();
    assert!(!cohere.error_band.unwrap().measured);
}

#[test]
fn shipped_vocabularies_match_the_manifest() {
    #[derive(serde::Deserialize)]
    struct Entry {
        family: String,
        file: Option<String>,
        sha256_gz: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        vocab: Vec<Entry>,
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/vocab/");
    let manifest: Manifest =
        toml::from_str(&std::fs::read_to_string(format!("{root}MANIFEST.toml")).unwrap()).unwrap();
    let mut checked = 0;
    for e in manifest.vocab {
        // gpt-oss ships nothing: its vocabulary is built into tiktoken-rs.
        let (Some(file), Some(sha)) = (
            e.file.filter(|f| !f.is_empty()),
            e.sha256_gz.filter(|s| !s.is_empty()),
        ) else {
            continue;
        };
        let bytes = std::fs::read(format!("{root}{file}")).unwrap();
        assert_eq!(
            format!("{:x}", Sha256::digest(&bytes)),
            sha,
            "{} ({file})",
            e.family
        );
        assert!(
            std::path::Path::new(&format!("{root}{}/LICENSE", e.family)).is_file(),
            "{} has no LICENSE",
            e.family
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn fast_engine_tables_are_cached_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: tests of this binary only read the variable through the tokenizer cache;
    // entries of other families they may write here meanwhile are ignored below.
    unsafe { std::env::set_var("BEDROCK_METER_CACHE_DIR", dir.path()) };
    let text = "cache me if you can";
    let n = counter("llama3", Engine::Fast).unwrap().count(text);
    let llama3: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("llama3-bpe-"))
        .collect();
    assert_eq!(llama3.len(), 1, "one cache entry for llama3");
    assert!(cache::exists(&llama3[0]));
    assert_eq!(n, counter("llama3", Engine::Reference).unwrap().count(text));
    assert_eq!(
        tokenize::engine_for("llama3", 10),
        Engine::Fast,
        "a loaded fast engine is used even for short text"
    );
}
