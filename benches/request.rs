//! Parse + count per record, for a few body formats (criterion), and the streaming
//! pipeline on an in-memory batch of records with 1 and 2 workers.
//!
//! The large-file measurement (MB/s, records/s and peak RSS of the release binary on a
//! generated file of 1 GB) is `scripts/measure_batch.sh`; its numbers are in README.md.

use std::hint::black_box;

use bedrock_meter::catalog::Catalog;
use bedrock_meter::estimate::requests::{OutputExpectation, PriceOptions, TextCounter};
use bedrock_meter::estimate::stream::{self, StreamOptions, count_line};
use bedrock_meter::tokenize::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn line(body: &str) -> Vec<u8> {
    format!(r#"{{"recordId":"R1","modelInput":{body}}}"#).into_bytes()
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded().unwrap();
    let price = PriceOptions {
        output: OutputExpectation::Ceiling,
        cache_hit_rate: None,
    };
    let text = "Summarise the customer's ticket about a late delivery and propose a refund or a voucher, citing the policy. ".repeat(12);
    let cases = [
        (
            "llama3-prompt",
            "meta.llama3-1-8b-instruct-v1:0",
            format!(
                r#"{{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{text}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n","max_gen_len":256}}"#
            ),
        ),
        (
            "anthropic-messages",
            "anthropic.claude-3-haiku-20240307-v1:0",
            format!(
                r#"{{"anthropic_version":"bedrock-2023-05-31","max_tokens":512,"system":"You are terse.","messages":[{{"role":"user","content":[{{"type":"text","text":"{text}"}}]}}]}}"#
            ),
        ),
        (
            "converse-nova",
            "amazon.nova-lite-v1:0",
            format!(
                r#"{{"schemaVersion":"messages-v1","messages":[{{"role":"user","content":[{{"text":"{text}"}}]}}],"inferenceConfig":{{"max_new_tokens":300}}}}"#
            ),
        ),
        (
            "gpt-oss-chat",
            "openai.gpt-oss-20b-1:0",
            format!(
                r#"{{"messages":[{{"role":"user","content":"{text}"}}],"max_completion_tokens":300}}"#
            ),
        ),
    ];
    let mut g = c.benchmark_group("parse_and_count_record");
    for (name, id, body) in &cases {
        let model = catalog.get(id).unwrap();
        let l = line(body);
        let counter = TextCounter::new(&model.tokenizer, Engine::Fast).unwrap();
        count_line(&l, model, &counter, None, &price).unwrap();
        g.throughput(Throughput::Bytes(l.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| count_line(black_box(&l), model, &counter, None, &price).unwrap())
        });
    }
    g.finish();

    // The pipeline on ~8 MB of Llama records.
    let model = catalog.get("meta.llama3-1-8b-instruct-v1:0").unwrap();
    let one = line(&cases[0].2);
    let mut input = Vec::new();
    while input.len() < 8 << 20 {
        input.extend_from_slice(&one);
        input.push(b'\n');
    }
    let mut g = c.benchmark_group("stream_8mb");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(input.len() as u64));
    for jobs in [1, 2] {
        g.bench_function(format!("jobs{jobs}"), |b| {
            b.iter(|| {
                let opts = StreamOptions {
                    jobs,
                    price,
                    ..StreamOptions::default()
                };
                stream::run(&input[..], model, &opts, |_, _| Ok(())).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
