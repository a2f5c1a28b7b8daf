//! Reads an invocation-log folder with [`LogReader`] and sums tokens per principal, file by
//! file (what the reader holds at a time: one file's records), printing decompressed MB/s.
//! `--generate DIR MIB` writes a generated folder instead (see `benches/support/logs_gen.rs`).
//! Used by `scripts/logs_speed.sh`.
//!
//! `cargo run --release --example logs_read -- DIR`

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use bedrock_meter::sources::invocation_logs::{LogReader, classify};
use bedrock_meter::sources::objects;

#[path = "../benches/support/logs_gen.rs"]
mod logs_gen;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--generate") {
        let (dir, mib) = (&args[1], args[2].parse().expect("MIB"));
        let (files, bytes, records) = logs_gen::write_logs(Path::new(dir), mib).unwrap();
        println!("generated {files} files, {records} records, {bytes} bytes decompressed");
        return;
    }
    let Some(path) = args.first() else {
        eprintln!("usage: logs_read DIR | logs_read --generate DIR MIB");
        std::process::exit(2);
    };
    let start = Instant::now();
    let listing = objects::list(Path::new(path)).expect("list");
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    // principal → (calls, input, output, cache read, cache write)
    let mut sums: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for file in &listing.files {
        let object = objects::open_file(file).expect("open");
        reader.read_object(object, &mut out).expect("read");
        for r in out.drain(..) {
            let s = sums.entry(r.principal.key.clone()).or_default();
            s[0] += 1;
            if r.error_code.as_deref().map(classify).is_none() {
                s[1] += r.input_tokens;
                s[2] += r.output_tokens;
                s[3] += r.cache_read_tokens;
                s[4] += r.cache_write_tokens();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let s = &reader.stats;
    let total: u64 = sums.values().map(|v| v[1] + v[2]).sum();
    println!(
        "files {}, records {}, kept {}, bad lines {}, principals {}, input+output tokens {total}",
        s.files,
        s.records,
        s.kept,
        s.bad_lines,
        sums.len()
    );
    println!(
        "{} bytes decompressed in {secs:.3} s: {:.1} MB/s",
        s.bytes,
        s.bytes as f64 / 1e6 / secs
    );
}
