//! Tokenizer throughput (MB/s, one core) per family and engine on a mixed corpus, and the
//! time to load each family. Run: `cargo bench --bench tokenize`.
//!
//! Targets (issue 3): the fast engine ≥ 2× tiktoken-rs on tiktoken-format vocabularies and
//! ≥ 4× Hugging Face tokenizers on tokenizer.json / SentencePiece ones; loading one family
//! < 50 ms.

mod corpus;

use std::hint::black_box;
use std::time::Duration;

use bedrock_meter::tokenize::{Engine, build, counter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const EXACT: &[&str] = &[
    "llama3",
    "llama4",
    "mistral-tekken",
    "gpt-oss",
    "deepseek",
    "claude-legacy",
    "llama2",
    "mistral-v1",
    "mistral-v7",
];

fn throughput(c: &mut Criterion) {
    let each: usize = std::env::var("BENCH_CORPUS_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400_000);
    let text: String = corpus::parts(each)
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("bench corpus: {} bytes", text.len());
    let mut g = c.benchmark_group("throughput");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for fam in EXACT {
        for (engine, label) in [(Engine::Fast, "fast"), (Engine::Reference, "reference")] {
            let t = counter(fam, engine).unwrap();
            g.bench_function(format!("{fam}/{label}"), |b| {
                b.iter(|| black_box(t.count(black_box(&text))))
            });
        }
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    // Make sure the fast engines' table cache exists, so "fast" measures the cached load.
    for fam in EXACT {
        let _ = counter(fam, Engine::Fast);
    }
    for fam in EXACT {
        for (engine, label) in [
            (Engine::Fast, "fast-cached"),
            (Engine::Reference, "reference"),
        ] {
            g.bench_function(format!("{fam}/{label}"), |b| {
                b.iter(|| black_box(build(fam, engine).unwrap()))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, throughput, load);
criterion_main!(benches);
