//! `estimate` on what users have: prompts (`--prompt`), request bodies or text files (`-f`,
//! `--dir`) and batch-inference JSONL (`--batch`), counted, priced under every mode, with
//! the batch saving and an optional per-record CSV.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rust_decimal::Decimal;

use super::Context;
use super::args::EstimateArgs;
use crate::catalog::{Mode, Model};
use crate::estimate::requests::{
    OutputExpectation, PriceOptions, RecordPricer, Totals, count_request, priced_modes,
    record_usage,
};
use crate::estimate::stream::{Row, StreamError, StreamOptions};
use crate::estimate::{
    BatchSavings, CacheTtl, InputTokens, ModeSelection, OutputTokens, Records, Usage, estimate,
};
use crate::export::write::AtomicFile;
use crate::money;
use crate::request::{self, BodyFormat, Request, batch};
use crate::resolve::Resolver;

/// Whether the command line gives request inputs.
pub fn wanted(args: &EstimateArgs) -> bool {
    !args.prompt.is_empty() || !args.files.is_empty() || args.dir.is_some() || args.batch.is_some()
}

/// Per-record CSV sink.
struct PerRecord {
    csv: csv::Writer<AtomicFile>,
}

impl PerRecord {
    fn create(path: &Path, modes: &[Mode]) -> anyhow::Result<PerRecord> {
        let mut csv = csv::Writer::from_writer(AtomicFile::create(path)?);
        let mut header: Vec<String> = [
            "record_id",
            "line",
            "input_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "output_tokens_ceiling",
            "output_tokens_expected",
            "images",
            "exact",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(modes.iter().map(|m| format!("cost_{m}_usd")));
        csv.write_record(&header)?;
        Ok(PerRecord { csv })
    }

    fn write(&mut self, rows: &[Row]) -> anyhow::Result<()> {
        for r in rows {
            let mut rec = vec![
                crate::export::sanitize::for_csv(&r.record_id),
                if r.line == 0 {
                    String::new()
                } else {
                    r.line.to_string()
                },
                r.usage.input_total.to_string(),
                r.usage.cache_read_tokens.to_string(),
                r.usage.cache_write_tokens.to_string(),
                r.usage.output_ceiling.to_string(),
                r.usage.output_expected.to_string(),
                r.usage.images.to_string(),
                r.exact.to_string(),
            ];
            rec.extend(r.costs.iter().map(|c| match c {
                Some(d) => money::display(*d).to_string(),
                None => String::new(),
            }));
            self.csv.write_record(&rec)?;
        }
        Ok(())
    }

    fn commit(self) -> anyhow::Result<()> {
        let file = self
            .csv
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write the per-record file: {}", e.error()))?;
        file.commit()
    }
}

/// Reads a file, decompressing `.gz`.
fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut r = batch::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
}

/// Whether a path names a JSONL batch file.
fn is_jsonl(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")
}

/// A request body or a plain-text prompt from one file.
fn file_request(
    path: &Path,
    model: &Model,
    forced: Option<BodyFormat>,
) -> anyhow::Result<(BodyFormat, Request)> {
    let name = path.display();
    let bytes = read_file(path)?;
    let text = crate::tokenize::utf8_text(&name.to_string(), bytes).map_err(anyhow::Error::msg)?;
    let lower = path.to_string_lossy().to_ascii_lowercase();
    let json_name = lower.ends_with(".json") || lower.ends_with(".json.gz");
    let looks_json = text.trim_start().starts_with('{');
    if json_name || looks_json || forced.is_some() {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(body) => {
                return request::parse_for(&body, model, forced)
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"));
            }
            Err(e) if json_name || forced.is_some() => {
                return Err(anyhow::anyhow!("{name}: invalid JSON: {e}"));
            }
            Err(_) => {}
        }
    }
    Ok((BodyFormat::Converse, Request::user_text(text)))
}

/// Every file under `dir`, sorted, hidden ones skipped.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read folder {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            files_under(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn progress_bar(args: &EstimateArgs, path: &Path) -> ProgressBar {
    if args.no_progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let len = (path.as_os_str() != "-" && !path.to_string_lossy().ends_with(".gz"))
        .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
        .flatten();
    let bar = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let style = if len.is_some() {
        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
    } else {
        "{spinner} {bytes} read, {bytes_per_sec}"
    };
    if let Ok(s) = ProgressStyle::with_template(style) {
        bar.set_style(s);
    }
    bar
}

pub fn run(ctx: &Context, args: &EstimateArgs, selection: ModeSelection) -> anyhow::Result<i32> {
    ctx.output.write(&document(ctx, args, selection)?)?;
    Ok(0)
}

/// The estimate of the request inputs, laid out.
pub fn document(
    ctx: &Context,
    args: &EstimateArgs,
    selection: ModeSelection,
) -> anyhow::Result<crate::export::Document> {
    if args.input_tokens.is_some()
        || args.cache_read_tokens > 0
        || args.cache_write_tokens > 0
        || args.images > 0
        || args.requests != 1
    {
        return Err(super::ExitError::usage(
            "--input-tokens, --cache-read-tokens, --cache-write-tokens, --images and --requests describe known counts: they do not combine with --prompt, -f, --dir or --batch",
        )
        .into());
    }
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let resolved = resolver.resolve(super::estimate::model_arg(args)?)?;
    let region = super::default_region(args.region.as_deref(), resolved.region.as_deref());
    let model = resolved.model;
    let mut exact = super::estimate_exact::Exact::open(args, model)?;
    let cache_ttl = CacheTtl::from_flag(&args.cache_ttl).unwrap_or_default();
    let price = PriceOptions {
        output: match (args.output_tokens, args.output_ratio) {
            (Some(n), _) => OutputExpectation::PerRequest(n),
            (None, Some(r)) => OutputExpectation::Ratio(r),
            _ => OutputExpectation::Ceiling,
        },
        cache_hit_rate: args.cache_hit_rate,
    };
    let probe = estimate(&resolved, &region, ctx.as_of, &Usage::default(), &selection);
    let modes = priced_modes(&probe);
    let pricer = RecordPricer {
        resolved: &resolved,
        region: &region,
        as_of: ctx.as_of,
        modes: modes.clone(),
        cache_ttl,
    };
    let mut sink = match &args.per_record {
        Some(p) => Some(PerRecord::create(p, &modes)?),
        None => None,
    };
    let mut totals = Totals::default();

    // Prompts and files: one record each.
    let mut files = args.files.clone();
    if let Some(d) = &args.dir {
        files_under(d, &mut files)?;
    }
    let mut batches: Vec<PathBuf> = Vec::new();
    let mut singles: Vec<(String, BodyFormat, Request)> = Vec::new();
    for (i, p) in args.prompt.iter().enumerate() {
        singles.push((
            format!("prompt {}", i + 1),
            BodyFormat::Converse,
            Request::user_text(p.clone()),
        ));
    }
    for f in &files {
        if is_jsonl(f) {
            batches.push(f.clone());
            continue;
        }
        let (format, req) = file_request(f, model, args.body_format)?;
        singles.push((f.display().to_string(), format, req));
    }
    let mut single_rows = Vec::new();
    let mut counts = Vec::new();
    for (_, format, req) in &singles {
        counts.push(count_request(req, *format, model)?);
    }
    let ids: Vec<(String, BodyFormat)> = singles.iter().map(|s| (s.0.clone(), s.1)).collect();
    exact.singles(args, &ids, &mut counts)?;
    for ((id, _, _), count) in singles.iter().zip(counts) {
        let usage = record_usage(&count, model, &price);
        totals.add(&count, &usage);
        if sink.is_some() {
            single_rows.push(Row {
                record_id: id.clone(),
                line: 0,
                costs: pricer.costs(&usage, &count),
                exact: count.exact,
                usage,
            });
        }
    }
    if let Some(s) = sink.as_mut() {
        s.write(&single_rows)?;
    }
    exact.scale_singles(&mut totals, price.output);

    // Batch files: streamed.
    let is_batch = args.batch.is_some();
    batches.extend(args.batch.iter().cloned());
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    for path in &batches {
        if let Some(uri) = super::estimate_s3::s3_uri(path) {
            let s3 = super::estimate_s3::S3Batch {
                uri,
                args,
                model,
                jobs,
                price,
                pricer: sink.is_some().then_some(&pricer),
                region: None,
            };
            totals.merge(s3.count(&mut |rows| match sink.as_mut() {
                Some(s) => s.write(rows),
                None => Ok(()),
            })?);
            continue;
        }
        let input: Box<dyn BufRead + Send> =
            batch::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let bar = progress_bar(args, path);
        let opts = StreamOptions {
            jobs,
            strict: args.strict,
            forced: args.body_format,
            price,
            pricer: sink.is_some().then_some(&pricer),
            size_hint: (path.as_os_str() != "-" && !path.to_string_lossy().ends_with(".gz"))
                .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
                .flatten(),
            ..StreamOptions::default()
        };
        let result = exact.run_batch(path, input, model, &opts, |rows, bytes| {
            if let Some(s) = sink.as_mut() {
                s.write(rows)?;
            }
            bar.inc(bytes);
            Ok(())
        });
        bar.finish_and_clear();
        let name = if path.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            path.display().to_string()
        };
        match result {
            Ok(t) => {
                let mut t = t;
                for b in &mut t.bad {
                    b.reason = format!("{name}: line {}: {}", b.line, b.reason);
                }
                totals.merge(t);
            }
            Err(StreamError::Bad { line, reason }) => {
                return Err(anyhow::anyhow!(
                    "{name}: line {line}: {reason} (--strict stops at the first bad record)"
                ));
            }
            Err(e) => return Err(anyhow::anyhow!("{name}: {e}")),
        }
    }
    if let Some(s) = sink {
        s.commit()?;
    }

    let usage = totals.usage(cache_ttl);
    let mut est = estimate(&resolved, &region, ctx.as_of, &usage, &selection);
    let mut warnings = Vec::new();
    est.input_tokens = Some(InputTokens {
        total: totals.input_total,
        billed_input: totals.input_tokens,
        cache_read: totals.cache_read_tokens,
        cache_write: totals.cache_write_tokens,
        image_tokens: totals.image_tokens,
        exact: totals.inexact == 0,
    });
    est.output_tokens = Some(OutputTokens {
        ceiling: totals.output_ceiling,
        expected: totals.output_expected,
        expected_from: match price.output {
            OutputExpectation::Ceiling => "ceiling",
            OutputExpectation::PerRequest(_) => "output-tokens",
            OutputExpectation::Ratio(_) => "output-ratio",
        }
        .to_string(),
    });
    est.records = Some(Records {
        ok: totals.ok,
        failed: totals.failed,
        empty_lines: totals.empty,
        bad: totals.bad.clone(),
    });
    if model.kind == crate::catalog::ModelKind::Text && price.output == OutputExpectation::Ceiling {
        warnings.push("expected output = each request's max-tokens ceiling (an upper bound): give --output-tokens N or --output-ratio R for a typical value".to_string());
    }
    if totals.ceilings_defaulted > 0 {
        warnings.push(format!(
            "{} request(s) give no max-tokens bound: their ceiling is the format's documented default, else min(context window, 4096)",
            totals.ceilings_defaulted
        ));
    }
    match (args.cache_hit_rate, totals.with_cache_marker) {
        (Some(_), 0) => warnings.push(
            "--cache-hit-rate: no request has a cache marker (cache_control, cachePoint): no cache pricing applied".to_string(),
        ),
        (None, n) if n > 0 => warnings.push(format!(
            "{n} request(s) have cache markers: give --cache-hit-rate H to price cache reads and writes (priced as plain input now)"
        )),
        _ => {}
    }
    if totals.inexact > 0 {
        warnings.push(format!(
            "{} of {} request(s) are estimates (approximate tokenizer, assumed chat-template overhead or image tokens): see README, \"Request bodies\"",
            totals.inexact, totals.ok
        ));
    }
    if totals.uncounted_parts > 0 {
        warnings.push(format!(
            "{} part(s) of the bodies (PDF documents, video) are not counted",
            totals.uncounted_parts
        ));
    }
    if totals.mixed_image_generation {
        warnings.push("records ask for different image sizes or qualities: the totals price every image at the first record's size (the per-record CSV prices each at its own)".to_string());
    }
    if totals.failed > 0 {
        let shown: Vec<&str> = totals
            .bad
            .iter()
            .take(5)
            .map(|b| b.reason.as_str())
            .collect();
        warnings.push(format!(
            "{} bad record(s) skipped (not priced), e.g. {}",
            totals.failed,
            shown.join("; ")
        ));
    }
    if totals.ok == 0 {
        warnings.push("no request could be counted: the totals are empty, not free".to_string());
    }
    if is_batch {
        let both = estimate(
            &resolved,
            &region,
            ctx.as_of,
            &usage,
            &ModeSelection::Only(vec![Mode::OnDemand, Mode::Batch]),
        );
        match (both.mode(Mode::OnDemand), both.mode(Mode::Batch)) {
            (Some(od), Some(b)) if od.complete && b.complete => {
                let saving = od.total_usd - b.total_usd;
                let pct = if od.total_usd.is_zero() {
                    Decimal::ZERO
                } else {
                    (saving * Decimal::from(100) / od.total_usd).round_dp(2)
                };
                est.batch_savings = Some(BatchSavings {
                    on_demand_usd: od.total_usd,
                    batch_usd: b.total_usd,
                    saving_usd: saving,
                    saving_pct: pct,
                });
            }
            _ => warnings.push(format!(
                "{} has no complete batch price in {region} for these requests: no batch saving shown",
                model.id
            )),
        }
    }
    est.warnings.extend(warnings);
    let mut doc = super::estimate::document(&est, resolved.notes.clone());
    exact.finish(&mut doc);
    Ok(doc)
}
