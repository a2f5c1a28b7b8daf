//! Every exact tokenizer family counts the test corpus exactly as its reference
//! implementation does. The golden numbers in tests/corpus/reference-counts.json come from the
//! providers' own libraries (tiktoken, sentencepiece, tokenizers, llama-tokenizer-js) via
//! scripts/reference_counts.py; both of our engines must match them, per file and per line.

use std::collections::BTreeMap;

use bedrock_meter::tokenize::{Engine, counter};
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    total: usize,
    lines: Vec<usize>,
}

fn corpus() -> BTreeMap<String, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn goldens() -> BTreeMap<String, BTreeMap<String, Golden>> {
    serde_json::from_str(include_str!("corpus/reference-counts.json")).unwrap()
}

/// Lines with their line breaks, as Python's `splitlines(keepends=True)` gives them for this corpus.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn check(family: &str, engine: Engine) -> Vec<String> {
    let goldens = goldens();
    let golden = goldens
        .get(family)
        .unwrap_or_else(|| panic!("no golden counts for {family}"));
    let c = counter(family, engine).unwrap();
    let mut errors = Vec::new();
    for (name, text) in corpus() {
        let g = &golden[&name];
        let got = c.count(&text);
        if got != g.total {
            errors.push(format!(
                "{family} {engine:?} {name}: {got} tokens, reference {}",
                g.total
            ));
        }
        let ls = lines(&text);
        assert_eq!(
            ls.len(),
            g.lines.len(),
            "{name}: line split differs from the golden file"
        );
        for (i, (l, want)) in ls.iter().zip(&g.lines).enumerate() {
            let got = c.count(l);
            if got != *want {
                errors.push(format!(
                    "{family} {engine:?} {name}:{}: {got} tokens, reference {want}: {l:?}",
                    i + 1
                ));
            }
        }
    }
    errors
}

macro_rules! family_tests {
    ($($name:ident => $family:literal),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                let mut errors = check($family, Engine::Reference);
                errors.extend(check($family, Engine::Fast));
                assert!(errors.is_empty(), "{} mismatches:\n{}", errors.len(), errors.join("\n"));
            }
        )+
    };
}

family_tests! {
    llama3 => "llama3",
    llama4 => "llama4",
    mistral_tekken => "mistral-tekken",
    mistral_v1 => "mistral-v1",
    mistral_v2 => "mistral-v2",
    mistral_v3 => "mistral-v3",
    mistral_v7 => "mistral-v7",
    deepseek => "deepseek",
    claude_legacy => "claude-legacy",
    llama2 => "llama2",
    qwen3 => "qwen3",
}

#[test]
fn gpt_oss_fast_engine_matches_tiktoken_rs_o200k_harmony() {
    let reference = counter("gpt-oss", Engine::Reference).unwrap();
    let fast = counter("gpt-oss", Engine::Fast).unwrap();
    for (name, text) in corpus() {
        assert_eq!(fast.count(&text), reference.count(&text), "{name}");
        for l in lines(&text) {
            assert_eq!(fast.count(l), reference.count(l), "{name}: {l:?}");
        }
    }
}
