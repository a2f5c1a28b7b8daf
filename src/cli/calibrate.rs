//! `bedrock-meter tokenizer calibrate --model M FILES…`: the local estimate measured against
//! Bedrock CountTokens on the user's own requests, optionally written to a calibration file.
//!
//! Every record of the files (a batch JSONL line, a request body file, a text file) takes
//! part in one reproducible sample (`--sample N`, `--seed S`); each sampled record is
//! counted locally as `estimate` would and by CountTokens, and the ratios are measured
//! ([`crate::count_tokens::calibrate`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::Context;
use super::args::{CalibrateArgs, ExactMode};
use super::exact::{self, Session};
use crate::catalog::Model;
use crate::count_tokens::batch::prepare_line;
use crate::count_tokens::body;
use crate::count_tokens::calibrate::{CalibrationFile, SCHEMA, measure};
use crate::count_tokens::sample::Reservoir;
use crate::estimate::requests::{TextCounter, count_request_with};
use crate::estimate::stream::StreamOptions;
use crate::export::{Cell, Document, Table};
use crate::request::batch::{LineReader, is_blank};
use crate::request::{self, BodyFormat, Request};
use crate::resolve::Resolver;

/// One record of the input: where, and its bytes.
struct Item {
    file: String,
    /// 1-based line of a JSONL file; 0 for a whole file.
    line: u64,
    bytes: Vec<u8>,
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("cannot read folder {}", p.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if !e
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                walk(&e, out)?;
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

fn is_jsonl(p: &Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".jsonl") || n.ends_with(".jsonl.gz")
}

/// Local count and CountTokens body of a whole-file record (a body, or text).
fn prepare_file(
    item: &Item,
    model: &Model,
    counter: &TextCounter,
    forced: Option<BodyFormat>,
) -> Result<(u64, crate::aws::bedrock_runtime::CountBody), String> {
    let text = crate::tokenize::utf8_text(&item.file, item.bytes.clone())?;
    if let Ok(json @ Value::Object(_)) = serde_json::from_str::<Value>(&text) {
        let (format, req) = request::parse_for(&json, model, forced).map_err(|e| e.to_string())?;
        let c = count_request_with(&req, format, model, counter);
        return Ok((c.input_tokens, body::from_body(&json, format)?));
    }
    let req = Request::user_text(text.clone());
    let c = count_request_with(&req, BodyFormat::Converse, model, counter);
    Ok((c.input_tokens, body::from_text(&text)))
}

pub fn run(ctx: &Context, args: &CalibrateArgs) -> anyhow::Result<i32> {
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let resolved = resolver.resolve(&args.model)?;
    let model = resolved.model;
    let mut files = Vec::new();
    for f in &args.files {
        walk(f, &mut files)?;
    }
    let mut reservoir: Reservoir<Item> = Reservoir::new(args.sample as usize, args.seed);
    for f in &files {
        let name = f.display().to_string();
        let mut input = request::batch::open(f).with_context(|| format!("cannot read {name}"))?;
        if is_jsonl(f) {
            let mut lines = LineReader::new(input);
            while let Some(chunk) = lines
                .next_chunk(2 << 20)
                .with_context(|| format!("cannot read {name}"))?
            {
                for l in &chunk.lines {
                    let bytes = chunk.line(l);
                    if l.too_long.is_none() && !is_blank(bytes) {
                        reservoir.offer_lazy(|| Item {
                            file: name.clone(),
                            line: l.number,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
            }
        } else {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
            reservoir.offer(Item {
                file: name,
                line: 0,
                bytes,
            });
        }
    }
    let records = reservoir.seen();
    let counter = TextCounter::for_input(&model.tokenizer, 0)?;
    let opts = StreamOptions {
        forced: args.body_format,
        ..StreamOptions::default()
    };
    let mut prepared = Vec::new();
    let mut unusable = Vec::new();
    for (_, item) in reservoir.into_sorted() {
        let r = if item.line > 0 {
            prepare_line(&item.bytes, model, &counter, &opts)
                .map(|p| (p.count.input_tokens, p.body))
        } else {
            prepare_file(&item, model, &counter, args.body_format)
        };
        match r {
            Ok((local, b)) => prepared.push((item, local, b)),
            Err(reason) => unusable.push(format!("{}:{}: {reason}", item.file, item.line)),
        }
    }
    let mut session = Session::open(ExactMode::On, &args.api, model)?;
    let bodies: Vec<_> = prepared.iter().map(|p| p.2.clone()).collect();
    let answers = session.count(&bodies)?.unwrap_or_default();
    let mut table = Table::new(&["file", "line", "local_tokens", "exact_tokens", "ratio"]);
    let mut pairs = Vec::new();
    for ((item, local, _), a) in prepared.iter().zip(answers) {
        match a {
            Ok(n) => {
                pairs.push((*local, n));
                let ratio = if *local == 0 {
                    Cell::Empty
                } else {
                    Cell::Number(
                        Decimal::from_f64_retain(n as f64 / *local as f64)
                            .unwrap_or_default()
                            .round_dp(4),
                    )
                };
                table.push(vec![
                    Cell::Text(item.file.clone()),
                    if item.line == 0 {
                        Cell::Empty
                    } else {
                        Cell::Int(item.line)
                    },
                    Cell::Int(*local),
                    Cell::Int(n),
                    ratio,
                ]);
            }
            Err(reason) => unusable.push(format!("{}:{}: {reason}", item.file, item.line)),
        }
    }
    let m = measure(&pairs).ok_or_else(|| {
        anyhow::anyhow!(
            "no sampled record could be counted both ways ({} unusable{})",
            unusable.len(),
            unusable
                .first()
                .map(|u| format!(", e.g. {u}"))
                .unwrap_or_default()
        )
    })?;
    let documented = crate::tokenize::approx::calibration(&model.tokenizer)
        .map(|c| format!("x{:.4}, +/-{:.0}%", c.factor, c.band_pct))
        .unwrap_or_else(|| "exact family (no factor)".to_string());
    let source = format!(
        "CountTokens vs the local estimate on {} of {} record(s) of {}",
        m.sample,
        records,
        args.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let file = CalibrationFile {
        schema: SCHEMA,
        model: model.id.clone(),
        family: model.tokenizer.clone(),
        date: ctx.as_of.to_string(),
        source: source.clone(),
        seed: args.seed,
        measurement: m.clone(),
    };
    let mut notes = resolved.notes.clone();
    notes.append(&mut session.notes);
    for u in unusable.iter().take(5) {
        notes.push(format!("not used: {u}"));
    }
    if unusable.len() > 5 {
        notes.push(format!("{} more record(s) not used", unusable.len() - 5));
    }
    if let Some(w) = &args.write {
        crate::export::write::atomic_write(w, file.to_toml().as_bytes())?;
        notes.push(format!(
            "calibration written to {}: use it with --calibration {}",
            w.display(),
            w.display()
        ));
    }
    let summary = vec![
        ("Model".into(), model.id.clone()),
        ("Tokenizer family".into(), model.tokenizer.clone()),
        (
            "Records".into(),
            format!(
                "{records} in the files, {} sampled (seed {})",
                pairs.len(),
                args.seed
            ),
        ),
        ("Exact/local".into(), m.describe()),
        (
            "Totals".into(),
            format!("{} local, {} exact", m.local_total, m.exact_total),
        ),
        ("Documented band".into(), documented.clone()),
        ("Counted by".into(), session.describe()),
    ];
    let json = json!({
        "model_id": model.id,
        "family": model.tokenizer,
        "records": records,
        "seed": args.seed,
        "documented": documented,
        "measurement": m,
        "error_band": m.band(),
        "source": exact::SOURCE_EXACT,
        "count_tokens": session.json(),
        "unusable": unusable,
    });
    let mut doc = Document {
        title: Some(format!(
            "Calibration of the {} estimate for {}",
            model.tokenizer, model.id
        )),
        table,
        notes,
        json,
        ..Default::default()
    };
    doc.summary = summary;
    ctx.output.write(&doc)?;
    Ok(0)
}
