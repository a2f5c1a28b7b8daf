//! Streaming, parallel counting of a batch-inference file.
//!
//! One reader thread cuts the input into chunks of whole lines (about `chunk_bytes` each)
//! and sends them over a bounded channel; `jobs` workers parse, count and price the records
//! of a chunk and send back its partial sums (and per-record rows when asked); the calling
//! thread adds the chunks up *in input order* (a small reorder buffer), so rows come out in
//! line order and `--strict` stops at the first bad line. Memory is bounded by the channel
//! capacities × the chunk size, whatever the file size.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use super::requests::{
    PriceOptions, RecordPricer, RecordUsage, RequestCount, TextCounter, Totals, count_request_with,
    record_usage,
};
use crate::catalog::Model;
use crate::request::batch::{Chunk, LineReader, MAX_LINE, is_blank, parse_record};
use crate::request::{BodyFormat, parse_for};

/// One record of the per-record output.
#[derive(Debug, Clone)]
pub struct Row {
    pub record_id: String,
    pub line: u64,
    pub usage: RecordUsage,
    pub exact: bool,
    /// Cost per priced mode, in the pricer's mode order.
    pub costs: Vec<Option<Decimal>>,
}

/// How to run.
pub struct StreamOptions<'a> {
    pub jobs: usize,
    pub chunk_bytes: usize,
    pub max_line: usize,
    pub strict: bool,
    pub forced: Option<BodyFormat>,
    pub price: PriceOptions,
    /// Set to build per-record rows (with costs).
    pub pricer: Option<&'a RecordPricer<'a>>,
    /// Input size in bytes, if known (small inputs skip building fast tokenizer tables).
    pub size_hint: Option<u64>,
}

impl Default for StreamOptions<'_> {
    fn default() -> Self {
        StreamOptions {
            jobs: 1,
            chunk_bytes: 2 << 20,
            max_line: MAX_LINE,
            strict: false,
            forced: None,
            price: PriceOptions {
                output: super::requests::OutputExpectation::Ceiling,
                cache_hit_rate: None,
            },
            pricer: None,
            size_hint: None,
        }
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
    /// `--strict` and a bad record.
    #[error("line {line}: {reason}")]
    Bad { line: u64, reason: String },
    #[error("{0}")]
    Sink(anyhow::Error),
}

struct ChunkResult {
    seq: u64,
    bytes: u64,
    totals: Totals,
    rows: Vec<Row>,
}

/// Counts one record line.
pub fn count_line(
    line: &[u8],
    model: &Model,
    counter: &TextCounter,
    forced: Option<BodyFormat>,
    price: &PriceOptions,
) -> Result<(Option<String>, RequestCount, RecordUsage), String> {
    let record = parse_record(line).map_err(|e| e.to_string())?;
    let (format, req) = parse_for(&record.model_input, model, forced)
        .map_err(|e| e.under("modelInput").to_string())?;
    let count = count_request_with(&req, format, model, counter);
    let usage = record_usage(&count, model, price);
    Ok((record.record_id, count, usage))
}

fn process(
    chunk: Chunk,
    model: &Model,
    counter: &TextCounter,
    opts: &StreamOptions<'_>,
) -> ChunkResult {
    let mut totals = Totals::default();
    let mut rows = Vec::new();
    for l in &chunk.lines {
        if let Some(len) = l.too_long {
            totals.fail(
                l.number,
                format!(
                    "the line is {len} bytes, longer than the {} MiB limit",
                    opts.max_line >> 20
                ),
            );
            continue;
        }
        let bytes = chunk.line(l);
        if is_blank(bytes) {
            totals.empty += 1;
            continue;
        }
        match count_line(bytes, model, counter, opts.forced, &opts.price) {
            Ok((id, count, usage)) => {
                totals.add(&count, &usage);
                if let Some(p) = opts.pricer {
                    rows.push(Row {
                        record_id: id.unwrap_or_default(),
                        line: l.number,
                        costs: p.costs(&usage, &count),
                        exact: count.exact,
                        usage,
                    });
                }
            }
            Err(reason) => totals.fail(l.number, reason),
        }
    }
    ChunkResult {
        seq: chunk.seq,
        bytes: chunk.bytes,
        totals,
        rows,
    }
}

/// Reads, counts and adds up every record of `input`. `on_chunk` gets each chunk's rows
/// (in line order) and its input byte count, for the per-record file and the progress bar.
pub fn run<R: BufRead + Send>(
    input: R,
    model: &Model,
    opts: &StreamOptions<'_>,
    mut on_chunk: impl FnMut(&[Row], u64) -> anyhow::Result<()>,
) -> Result<Totals, StreamError> {
    let jobs = opts.jobs.max(1);
    let hint = opts.size_hint.map_or(usize::MAX, |n| n as usize);
    let engine = crate::tokenize::engine_for(&model.tokenizer, hint);
    let counter =
        TextCounter::new(&model.tokenizer, engine).map_err(|e| StreamError::Sink(e.into()))?;
    let counter = &counter;
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(jobs * 2);
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (result_tx, result_rx) = sync_channel::<ChunkResult>(jobs * 2);
        let stop = &stop;
        let reader = s.spawn(move || -> std::io::Result<()> {
            let mut lines = LineReader::with_limit(input, opts.max_line);
            while !stop.load(Ordering::Relaxed) {
                match lines.next_chunk(opts.chunk_bytes)? {
                    Some(c) => {
                        if chunk_tx.send(c).is_err() {
                            break;
                        }
                    }
                    None => break,
                }
            }
            Ok(())
        });
        for worker in 0..jobs {
            let rx = Arc::clone(&chunk_rx);
            let tx = result_tx.clone();
            s.spawn(move || {
                // The first worker uses the registry's engine, the others their own copy.
                let own = if worker > 0 {
                    counter.private_copy(engine)
                } else {
                    counter.clone()
                };
                loop {
                    let next = rx.lock().expect("chunk queue").recv();
                    let Ok(chunk) = next else { break };
                    if tx.send(process(chunk, model, &own, opts)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(chunk_rx);
        drop(result_tx);

        let mut totals = Totals::default();
        let mut pending: BTreeMap<u64, ChunkResult> = BTreeMap::new();
        let mut next = 0u64;
        let mut failure: Option<StreamError> = None;
        'receive: for r in result_rx.iter() {
            pending.insert(r.seq, r);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                if opts.strict
                    && let Some(bad) = r.totals.bad.first()
                {
                    failure = Some(StreamError::Bad {
                        line: bad.line,
                        reason: bad.reason.clone(),
                    });
                    break 'receive;
                }
                if let Err(e) = on_chunk(&r.rows, r.bytes) {
                    failure = Some(StreamError::Sink(e));
                    break 'receive;
                }
                totals.merge(r.totals);
            }
        }
        if failure.is_some() {
            stop.store(true, Ordering::Relaxed);
        }
        // Dropping the receiver ends the workers, whose exit closes the chunk queue, which
        // ends the reader.
        drop(result_rx);
        let read = reader.join().expect("reader thread");
        if let Some(f) = failure {
            return Err(f);
        }
        read?;
        Ok(totals)
    })
}
