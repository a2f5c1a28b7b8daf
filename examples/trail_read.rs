//! Reads a folder (or file) of CloudTrail files with `TrailReader` and prints what it saw,
//! with the elapsed time and decompressed MB/s; or writes a synthetic trail folder.
//!
//! ```text
//! cargo run --release --example trail_read -- PATH [--strict] [--count-only]
//! cargo run --release --example trail_read -- --generate DIR MIB
//! ```
//! `--count-only` drops each file's records once counted (what the reader itself holds:
//! one file's buffer and the set of event IDs). `scripts/trail_speed.sh` uses all of these
//! to compare with a Python `json.load` reader.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bedrock_meter::sources::cloudtrail::{TimeRange, TrailError, TrailReader};
use bedrock_meter::sources::objects;

#[path = "../benches/support/trail_gen.rs"]
mod trail_gen;

/// Reads file by file, dropping the records of each.
fn count_only(reader: &mut TrailReader, path: &Path) -> Result<(), TrailError> {
    let listing = objects::list(path).map_err(|source| TrailError::List {
        path: path.display().to_string(),
        source,
    })?;
    reader.stats.files_ignored += listing.skipped;
    let mut out = Vec::new();
    for file in &listing.files {
        let object = objects::open_file(file).expect("open");
        reader.read(&object.name, object.reader, &mut out)?;
        out.clear();
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--generate") {
        let (Some(dir), Some(mb)) = (args.get(1), args.get(2).and_then(|m| m.parse().ok())) else {
            eprintln!("usage: trail_read --generate DIR MIB");
            return ExitCode::FAILURE;
        };
        let (files, bytes, records) = trail_gen::write_trail(Path::new(dir), mb).unwrap();
        println!("generated {files} files, {records} records, {bytes} bytes decompressed");
        return ExitCode::SUCCESS;
    }
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: trail_read PATH [--strict] | --generate DIR MIB");
        return ExitCode::FAILURE;
    };
    let strict = args.iter().any(|a| a == "--strict");
    let mut reader = TrailReader::new(strict, TimeRange::default());
    let mut out = Vec::new();
    let start = Instant::now();
    let result = if args.iter().any(|a| a == "--count-only") {
        count_only(&mut reader, Path::new(path))
    } else {
        reader.read_path(Path::new(path), &mut out)
    };
    let secs = start.elapsed().as_secs_f64();
    let s = &reader.stats;
    println!(
        "files {} (ignored {}), records {}, kept {}, skipped {}, duplicates {}, out of range {}, bad records {}, bad files {}",
        s.files,
        s.files_ignored,
        s.records,
        s.kept,
        s.skipped,
        s.duplicates,
        s.out_of_range,
        s.bad_records,
        s.bad_files
    );
    for p in &s.problems {
        println!(
            "  {}",
            bedrock_meter::export::sanitize::for_terminal(&p.to_string())
        );
    }
    if s.problems_not_kept > 0 {
        println!("  … and {} more", s.problems_not_kept);
    }
    println!(
        "{} bytes decompressed in {secs:.3} s: {:.1} MB/s",
        s.bytes,
        s.bytes as f64 / 1e6 / secs
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
