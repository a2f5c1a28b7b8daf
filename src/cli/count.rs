//! `bedrock-meter count`: tokens of plain text for a model, per input and in total.

use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::json;

use super::Context;
use super::args::CountArgs;
use crate::export::{Cell, Document, Table};
use crate::resolve::Resolver;
use crate::tokenize::{self, ErrorBand, TokenCount};

/// One counted input, as `count --format json` reports it.
#[derive(Debug, Serialize)]
pub struct CountRow {
    /// `text`, `stdin`, or the file path.
    pub source: String,
    pub model_id: String,
    pub family: String,
    pub tokens: u64,
    pub exact: bool,
    pub error_band: Option<ErrorBand>,
}

/// Reads an input as UTF-8, naming the file and the byte offset of the first bad byte.
fn read_utf8(path: &PathBuf) -> anyhow::Result<(String, String)> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        ("stdin".to_string(), b)
    } else {
        let b = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        (path.display().to_string(), b)
    };
    let text = tokenize::utf8_text(&name, bytes).map_err(anyhow::Error::msg)?;
    Ok((name, text))
}

pub fn run(ctx: &Context, args: &CountArgs) -> anyhow::Result<i32> {
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let resolved = resolver.resolve(&args.model)?;
    let family = resolved.model.tokenizer.clone();
    let mut inputs: Vec<(String, String)> = Vec::new();
    if let Some(t) = &args.text {
        inputs.push(("text".to_string(), t.clone()));
    }
    for f in &args.files {
        inputs.push(read_utf8(f)?);
    }
    if inputs.is_empty() {
        return Err(super::ExitError::usage("give TEXT or -f FILE (use -f - for stdin)").into());
    }
    let mut rows = Vec::new();
    for (source, text) in &inputs {
        let TokenCount {
            family,
            tokens,
            exact,
            error_band,
        } = tokenize::count(&family, text)?;
        rows.push(CountRow {
            source: source.clone(),
            model_id: args.model.clone(),
            family,
            tokens,
            exact,
            error_band,
        });
    }
    let total: u64 = rows.iter().map(|r| r.tokens).sum();
    let exact = rows.iter().all(|r| r.exact);
    let total_band = rows
        .iter()
        .filter_map(|r| r.error_band)
        .reduce(ErrorBand::widest);
    let band = |b: &Option<ErrorBand>| {
        b.map(|b| {
            format!(
                "-{:.0}%/+{:.0}%{}",
                b.minus_pct,
                b.plus_pct,
                if b.measured { "" } else { " (unmeasured)" }
            )
        })
        .unwrap_or_default()
    };
    let mut table = Table::new(&[
        "source",
        "model_id",
        "family",
        "tokens",
        "exact",
        "error_band",
    ]);
    for r in &rows {
        table.push(vec![
            Cell::Text(r.source.clone()),
            Cell::Text(r.model_id.clone()),
            Cell::Text(r.family.clone()),
            Cell::Int(r.tokens),
            Cell::from(if r.exact { "yes" } else { "no" }),
            Cell::Text(band(&r.error_band)),
        ]);
    }
    if rows.len() > 1 {
        table.push(vec![
            Cell::from("total"),
            Cell::Empty,
            Cell::Empty,
            Cell::Int(total),
            Cell::from(if exact { "yes" } else { "no" }),
            Cell::Text(band(&total_band)),
        ]);
    }
    let json = if rows.len() == 1 {
        let r = &rows[0];
        json!({ "model_id": r.model_id, "family": r.family, "tokens": r.tokens, "exact": r.exact, "error_band": r.error_band })
    } else {
        json!({ "inputs": rows, "total": { "model_id": args.model, "family": family, "tokens": total, "exact": exact, "error_band": total_band } })
    };
    let mut notes = resolved.notes.clone();
    if !exact {
        notes.push(format!(
            "{} has no public tokenizer: counts are estimates ({})",
            resolved.model.id,
            tokenize::source(&family)
        ));
    }
    notes.push("plain text: no chat template, no BOS/EOS".into());
    let doc = Document {
        title: Some(format!(
            "Tokens for {} ({} tokenizer)",
            resolved.model.id, family
        )),
        summary: vec![],
        table,
        notes,
        json,
        ..Document::default()
    };
    ctx.output.write(&doc)?;
    Ok(0)
}
