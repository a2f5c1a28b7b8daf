//! CountTokens over batch-inference files and request lists: every record exact
//! (`--exact`), or a reproducible sample of N records that calibrates the local counts of
//! the rest (`--calibrate N`).
//!
//! Exact runs read the file in chunks of whole lines; each chunk's records are counted
//! locally (for the cache-prefix share and the output ceiling) and by CountTokens, whose
//! count replaces the local input count. A record the API refuses is a bad record (counted
//! and reported, the rest go on; `--strict` stops). Calibrating runs read the file twice:
//! once to draw the sample (reservoir sampling, [`super::sample`]), once for the usual
//! parallel local count ([`crate::estimate::stream`]); the totals are then adjusted with
//! [`adjust_totals`].

use std::io::BufRead;

use super::calibrate::{self, Measurement};
use super::sample::Reservoir;
use super::{ExactCounter, ExactError, body};
use crate::aws::bedrock_runtime::CountBody;
use crate::catalog::Model;
use crate::estimate::requests::{
    OutputExpectation, RecordUsage, RequestCount, TextCounter, Totals, count_request_with,
    record_usage,
};
use crate::estimate::stream::{Row, StreamError, StreamOptions};
use crate::request::batch::{LineReader, is_blank, parse_record};
use crate::request::parse_for;

/// One record parsed for CountTokens: its local count and the body to send.
pub struct Prepared {
    pub record_id: Option<String>,
    pub count: RequestCount,
    pub body: CountBody,
}

/// Parses one batch line: local count and CountTokens body, or why not.
pub fn prepare_line(
    line: &[u8],
    model: &Model,
    counter: &TextCounter,
    opts: &StreamOptions<'_>,
) -> Result<Prepared, String> {
    let record = parse_record(line).map_err(|e| e.to_string())?;
    let (format, req) = parse_for(&record.model_input, model, opts.forced)
        .map_err(|e| e.under("modelInput").to_string())?;
    let count = count_request_with(&req, format, model, counter);
    let body = body::from_body(&record.model_input, format)?;
    Ok(Prepared {
        record_id: record.record_id,
        count,
        body,
    })
}

/// A local count with the exact input tokens in place of the local ones: the cache prefix
/// keeps its share of the input, the record is exact.
pub fn with_exact(mut c: RequestCount, exact: u64) -> RequestCount {
    if let Some(p) = c.cache_prefix_tokens {
        let share = if c.input_tokens == 0 {
            0.0
        } else {
            p as f64 / c.input_tokens as f64
        };
        c.cache_prefix_tokens = Some(((exact as f64 * share).round() as u64).min(exact));
    }
    c.input_tokens = exact;
    c.image_tokens = c.image_tokens.min(exact);
    c.exact = true;
    c
}

/// Why an exact batch run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExactBatchError {
    #[error(transparent)]
    Stream(#[from] StreamError),
    #[error(transparent)]
    Exact(#[from] ExactError),
}

/// A prepared record and its exact count, or why the record is bad.
type Counted = Result<(Prepared, u64), String>;

/// Counts every record of a batch file with CountTokens.
pub fn exact_run<R: BufRead>(
    input: R,
    model: &Model,
    exact: &mut ExactCounter,
    opts: &StreamOptions<'_>,
    mut on_chunk: impl FnMut(&[Row], u64) -> anyhow::Result<()>,
) -> Result<Totals, ExactBatchError> {
    let counter =
        TextCounter::for_input(&model.tokenizer, 0).map_err(|e| StreamError::Sink(e.into()))?;
    let mut lines = LineReader::with_limit(input, opts.max_line);
    let mut totals = Totals::default();
    while let Some(chunk) = lines
        .next_chunk(opts.chunk_bytes)
        .map_err(StreamError::Io)?
    {
        let mut prepared: Vec<(u64, Prepared)> = Vec::new();
        let mut bad: Vec<(u64, String)> = Vec::new();
        for l in &chunk.lines {
            if let Some(len) = l.too_long {
                bad.push((
                    l.number,
                    format!(
                        "the line is {len} bytes, longer than the {} MiB limit",
                        opts.max_line >> 20
                    ),
                ));
                continue;
            }
            let bytes = chunk.line(l);
            if is_blank(bytes) {
                totals.empty += 1;
                continue;
            }
            match prepare_line(bytes, model, &counter, opts) {
                Ok(p) => prepared.push((l.number, p)),
                Err(reason) => bad.push((l.number, reason)),
            }
        }
        let bodies: Vec<CountBody> = prepared.iter().map(|(_, p)| p.body.clone()).collect();
        let answers = exact.count_all(&bodies)?;
        let mut rows = Vec::new();
        let mut results: Vec<(u64, Counted)> = bad
            .into_iter()
            .map(|(line, reason)| (line, Err(reason)))
            .collect();
        for ((line, p), a) in prepared.into_iter().zip(answers) {
            results.push((line, a.map(|n| (p, n))));
        }
        results.sort_by_key(|(line, _)| *line);
        for (line, r) in results {
            match r {
                Ok((p, n)) => {
                    let count = with_exact(p.count, n);
                    let usage: RecordUsage = record_usage(&count, model, &opts.price);
                    totals.add(&count, &usage);
                    if let Some(pricer) = opts.pricer {
                        rows.push(Row {
                            record_id: p.record_id.unwrap_or_default(),
                            line,
                            costs: pricer.costs(&usage, &count),
                            exact: true,
                            usage,
                        });
                    }
                }
                Err(reason) => {
                    if opts.strict {
                        return Err(StreamError::Bad { line, reason }.into());
                    }
                    totals.fail(line, reason);
                }
            }
        }
        on_chunk(&rows, chunk.bytes).map_err(StreamError::Sink)?;
    }
    Ok(totals)
}

/// A measured sample: the pairs, and what could not be used.
#[derive(Debug, Clone, Default)]
pub struct Sampled {
    /// (local, exact) input tokens of each usable sampled record.
    pub pairs: Vec<(u64, u64)>,
    /// Non-blank records in the file.
    pub records: u64,
    /// Sampled records that were bad or refused by CountTokens, with the reason.
    pub unusable: Vec<(u64, String)>,
}

impl Sampled {
    pub fn local_sum(&self) -> u64 {
        self.pairs.iter().map(|p| p.0).sum()
    }

    pub fn exact_sum(&self) -> u64 {
        self.pairs.iter().map(|p| p.1).sum()
    }

    pub fn measure(&self) -> Option<Measurement> {
        calibrate::measure(&self.pairs)
    }
}

/// Draws `size` non-blank records of a batch file with `seed` and counts them both ways.
pub fn sample_run<R: BufRead>(
    input: R,
    model: &Model,
    exact: &mut ExactCounter,
    opts: &StreamOptions<'_>,
    size: usize,
    seed: u64,
) -> Result<Sampled, ExactBatchError> {
    let mut reservoir: Reservoir<(u64, Vec<u8>)> = Reservoir::new(size, seed);
    let mut lines = LineReader::with_limit(input, opts.max_line);
    let mut too_long = Vec::new();
    while let Some(chunk) = lines
        .next_chunk(opts.chunk_bytes)
        .map_err(StreamError::Io)?
    {
        for l in &chunk.lines {
            if l.too_long.is_some() {
                too_long.push(l.number);
                continue;
            }
            let bytes = chunk.line(l);
            if !is_blank(bytes) {
                reservoir.offer_lazy(|| (l.number, bytes.to_vec()));
            }
        }
    }
    let records = reservoir.seen() + too_long.len() as u64;
    let counter =
        TextCounter::for_input(&model.tokenizer, 0).map_err(|e| StreamError::Sink(e.into()))?;
    let mut out = Sampled {
        records,
        ..Sampled::default()
    };
    let mut prepared = Vec::new();
    for (_, (line, bytes)) in reservoir.into_sorted() {
        match prepare_line(&bytes, model, &counter, opts) {
            Ok(p) => prepared.push((line, p)),
            Err(reason) => out.unusable.push((line, reason)),
        }
    }
    let bodies: Vec<CountBody> = prepared.iter().map(|(_, p)| p.body.clone()).collect();
    for ((line, p), a) in prepared.into_iter().zip(exact.count_all(&bodies)?) {
        match a {
            Ok(n) => out.pairs.push((p.count.input_tokens, n)),
            Err(reason) => out.unusable.push((line, reason)),
        }
    }
    out.unusable.sort_by_key(|u| u.0);
    Ok(out)
}

/// Adjusts locally counted totals: the records with exact counts (`exact_sum`, whose
/// local counts were `local_sum`) take their exact counts, the rest are scaled by
/// `ratio`. Every input field is scaled by the same factor (so cache reads and writes
/// keep their share), and so is a ratio-derived expected output.
pub fn adjust_totals(
    t: &mut Totals,
    local_sum: u64,
    exact_sum: u64,
    ratio: f64,
    output: OutputExpectation,
) {
    let local_total = t.input_total;
    if local_total == 0 {
        return;
    }
    let rest = local_total.saturating_sub(local_sum) as f64;
    let adjusted = (exact_sum as f64 + ratio * rest).round() as u64;
    let f = adjusted as f64 / local_total as f64;
    let scale = |n: u64| (n as f64 * f).round() as u64;
    t.cache_read_tokens = scale(t.cache_read_tokens);
    t.cache_write_tokens = scale(t.cache_write_tokens);
    t.input_total = adjusted;
    t.input_tokens = adjusted.saturating_sub(t.cache_read_tokens + t.cache_write_tokens);
    t.image_tokens = t.image_tokens.min(adjusted);
    if let OutputExpectation::Ratio(_) = output {
        t.output_expected = scale(t.output_expected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_counts_keep_the_cache_share() {
        let c = RequestCount {
            input_tokens: 100,
            cache_prefix_tokens: Some(40),
            exact: false,
            ..RequestCount::default()
        };
        let e = with_exact(c, 150);
        assert_eq!(e.input_tokens, 150);
        assert_eq!(e.cache_prefix_tokens, Some(60));
        assert!(e.exact);
    }

    #[test]
    fn totals_take_the_exact_sample_and_scale_the_rest() {
        let mut t = Totals {
            input_total: 1000,
            input_tokens: 800,
            cache_read_tokens: 150,
            cache_write_tokens: 50,
            output_expected: 300,
            ..Totals::default()
        };
        // 100 local tokens were sampled and counted 120 exactly; the other 900 × 1.2.
        adjust_totals(&mut t, 100, 120, 1.2, OutputExpectation::Ratio(0.3));
        assert_eq!(t.input_total, 1200);
        assert_eq!(t.cache_read_tokens, 180);
        assert_eq!(t.cache_write_tokens, 60);
        assert_eq!(t.input_tokens, 960);
        assert_eq!(t.output_expected, 360);
        let mut t = Totals {
            input_total: 1000,
            input_tokens: 1000,
            output_expected: 50,
            ..Totals::default()
        };
        adjust_totals(&mut t, 0, 0, 0.9, OutputExpectation::Ceiling);
        assert_eq!((t.input_total, t.output_expected), (900, 50));
    }
}
