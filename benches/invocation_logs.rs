//! Invocation-log reading, in decompressed MB/s on one core: open, gunzip, parse and build
//! invocation records over a generated folder of gzipped JSON Lines (`read_path`), and the
//! parse alone on the same lines in memory (`read` of uncompressed bytes).
//!
//! Size: `BEDROCK_METER_BENCH_LOGS_MB` (decompressed MiB, default 64). The comparison with a
//! Python `json.loads` reader (and peak RSS) is `scripts/logs_speed.sh`.

use std::hint::black_box;
use std::io::Read;

use bedrock_meter::sources::invocation_logs::LogReader;
use bedrock_meter::sources::objects;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/logs_gen.rs"]
mod logs_gen;

fn bench(c: &mut Criterion) {
    let mb: u64 = std::env::var("BEDROCK_METER_BENCH_LOGS_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let dir = tempfile::tempdir().unwrap();
    let (files, bytes, records) = logs_gen::write_logs(dir.path(), mb).unwrap();
    eprintln!("log folder: {files} files, {records} records, {bytes} bytes decompressed");

    let mut group = c.benchmark_group("invocation_logs");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("read_path (gunzip + parse)", |b| {
        b.iter(|| {
            let mut reader = LogReader::default();
            let mut out = Vec::new();
            reader.read_path(dir.path(), &mut out).unwrap();
            assert_eq!(reader.stats.records, records);
            black_box(out.len())
        })
    });
    let listing = objects::list(dir.path()).unwrap();
    let plain: Vec<Vec<u8>> = listing
        .files
        .iter()
        .map(|f| {
            let mut v = Vec::new();
            objects::open_file(f)
                .unwrap()
                .reader
                .read_to_end(&mut v)
                .unwrap();
            v
        })
        .collect();
    group.bench_function("parse only (decompressed, in memory)", |b| {
        b.iter(|| {
            let mut reader = LogReader::default();
            let mut out = Vec::new();
            for bytes in &plain {
                reader.read("mem", &bytes[..], &mut out).unwrap();
            }
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
