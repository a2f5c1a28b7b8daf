//! CloudTrail file reading, in decompressed MB/s on one core: the file path (open, gunzip,
//! parse, build call records) over a generated trail folder, and the parse alone on the same
//! records in memory, streamed (`read_stream`, what files over 32 MiB get) and from a slice
//! (`read_slice`, what `read` does for smaller files).
//!
//! Size: `BEDROCK_METER_BENCH_TRAIL_MB` (decompressed MiB, default 64). On 1 GB:
//! `BEDROCK_METER_BENCH_TRAIL_MB=1024 cargo bench --bench cloudtrail`. The comparison with
//! a Python `json.load` reader (and peak RSS) is `scripts/trail_speed.sh`.

use std::hint::black_box;
use std::io::Read;

use bedrock_meter::sources::cloudtrail::TrailReader;
use bedrock_meter::sources::objects;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/trail_gen.rs"]
mod trail_gen;

fn bench(c: &mut Criterion) {
    let mb: u64 = std::env::var("BEDROCK_METER_BENCH_TRAIL_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let dir = tempfile::tempdir().unwrap();
    let (files, bytes, records) = trail_gen::write_trail(dir.path(), mb).unwrap();
    eprintln!("trail folder: {files} files, {records} records, {bytes} bytes decompressed");

    let mut group = c.benchmark_group("cloudtrail");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("read_path (gunzip + parse)", |b| {
        b.iter(|| {
            let mut reader = TrailReader::default();
            let mut out = Vec::new();
            reader.read_path(dir.path(), &mut out).unwrap();
            assert_eq!(reader.stats.records, records);
            black_box(out.len())
        })
    });

    // The same records decompressed in memory: the parse alone.
    let listing = objects::list(dir.path()).unwrap();
    let texts: Vec<Vec<u8>> = listing
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
    group.bench_function("read_stream (parse only, streamed from memory)", |b| {
        b.iter(|| {
            let mut reader = TrailReader::default();
            let mut out = Vec::new();
            for t in &texts {
                reader.read_stream("mem", t.as_slice(), &mut out).unwrap();
            }
            black_box(out.len())
        })
    });
    group.bench_function(
        "read_slice (parse only, in memory, borrowed strings)",
        |b| {
            b.iter(|| {
                let mut reader = TrailReader::default();
                let mut out = Vec::new();
                for t in &texts {
                    reader.read_slice("mem", t, &mut out).unwrap();
                }
                black_box(out.len())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
