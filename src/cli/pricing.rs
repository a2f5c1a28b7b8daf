//! `bedrock-meter pricing show` and `pricing validate`.

use std::path::Path;

use serde_json::json;

use super::Context;
use super::args::ShowArgs;
use super::output::Output;
use crate::catalog::{Catalog, Price, Severity};
use crate::export::{Cell, Document, Table};
use crate::resolve::Resolver;

/// Whether a row is the one in force on `as_of`, an older one, or a future one.
fn row_status(p: &Price, all: &[Price], as_of: jiff::civil::Date) -> &'static str {
    if p.effective > as_of {
        return "future";
    }
    let newer = all.iter().any(|q| {
        q.key() == p.key()
            && q.effective > p.effective
            && q.effective <= as_of
            && q.regions.iter().any(|r| p.applies_in(r))
    });
    if newer { "superseded" } else { "current" }
}

pub fn show(ctx: &Context, args: &ShowArgs) -> anyhow::Result<i32> {
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let r = resolver.resolve(&args.model)?;
    let m = r.model;
    let mut table = Table::new(&[
        "regions",
        "mode",
        "dimension",
        "applies_to",
        "unit",
        "usd",
        "effective",
        "status",
        "source",
    ]);
    let mut rows = Vec::new();
    for p in m
        .prices
        .iter()
        .filter(|p| args.region.as_ref().is_none_or(|reg| p.applies_in(reg)))
    {
        let status = row_status(p, &m.prices, ctx.as_of);
        table.push(vec![
            Cell::Text(p.regions.join(" ")),
            Cell::from(p.mode.as_str()),
            Cell::from(p.dimension.as_str()),
            Cell::Text(p.qualifiers()),
            Cell::from(p.unit.as_str()),
            Cell::Number(p.usd),
            Cell::Text(p.effective.to_string()),
            Cell::from(status),
            Cell::Text(p.source.clone()),
        ]);
        rows.push(json!({
            "regions": p.regions,
            "mode": p.mode.as_str(),
            "dimension": p.dimension.as_str(),
            "scope": p.scope.as_str(),
            "custom": p.custom,
            "above_input_tokens": p.above_input_tokens,
            "resolution": p.resolution.map(|r| r.to_string()),
            "quality": p.quality.map(|q| q.as_str()),
            "unit": p.unit.as_str(),
            "usd": p.usd.normalize().to_string(),
            "effective": p.effective.to_string(),
            "status": status,
            "source": p.source,
            "note": p.note,
            "defined_at": format!("{}:{}", p.origin.file, p.origin.line),
        }));
    }
    let mut summary = vec![
        ("Model".to_string(), format!("{} ({})", m.id, m.name)),
        ("Provider".to_string(), m.provider_name.clone()),
        ("Kind".to_string(), m.kind.to_string()),
        (
            "Context window".to_string(),
            m.context_window
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ),
        ("Tokenizer".to_string(), m.tokenizer.clone()),
        (
            "Route".to_string(),
            format!("{} (price scope: {})", r.route.describe(), r.scope()),
        ),
    ];
    if m.legacy {
        summary.push(("Status".into(), "legacy".into()));
    }
    if let Some(n) = &m.note {
        summary.push(("Note".into(), n.clone()));
    }
    let mut notes = r.notes.clone();
    if table.rows.is_empty() {
        notes.push(match &args.region {
            Some(reg) => format!("{} has no price in {reg}: it is unpriced there", m.id),
            None => format!("{} has no price in the catalog: it is unpriced", m.id),
        });
    }
    let doc = Document {
        title: Some(format!("Rates of {}", args.model)),
        summary,
        table,
        notes: notes.clone(),
        json: json!({
            "model_id": r.input,
            "resolved_model": m.id,
            "name": m.name,
            "provider": m.provider,
            "kind": m.kind.as_str(),
            "context_window": m.context_window,
            "tokenizer": m.tokenizer,
            "legacy": m.legacy,
            "route": r.route.describe(),
            "scope": r.scope().as_str(),
            "as_of": ctx.as_of.to_string(),
            "prices": rows,
            "notes": notes,
        }),
        drop_order: ["source", "effective", "applies_to", "status"]
            .map(String::from)
            .to_vec(),
        ..Document::default()
    };
    ctx.output.write(&doc)?;
    Ok(0)
}

pub fn validate(path: Option<&Path>, output: &Output) -> anyhow::Result<i32> {
    let v = Catalog::validate(path)?;
    let errors = v.errors().count();
    let warnings = v.diagnostics.len() - errors;
    let models = v.catalog.models().len();
    let rows: usize = v.catalog.models().iter().map(|m| m.prices.len()).sum();
    let mut table = Table::new(&["severity", "file", "line", "field", "message"]);
    for d in &v.diagnostics {
        table.push(vec![
            Cell::from(if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            }),
            Cell::Text(d.file.clone()),
            Cell::Int(d.line as u64),
            Cell::Text(d.field.clone().unwrap_or_default()),
            Cell::Text(d.message.clone()),
        ]);
    }
    let what = crate::catalog::CatalogSource::for_flag(path).describe();
    let verdict = if errors == 0 { "OK" } else { "INVALID" };
    let doc = Document {
        title: Some(format!(
            "{verdict}: {what}: {errors} error(s), {warnings} warning(s); {models} models, {rows} price rows"
        )),
        summary: vec![],
        table,
        notes: vec![],
        json: json!({
            "valid": errors == 0,
            "checked": what,
            "errors": errors,
            "warnings": warnings,
            "models": models,
            "price_rows": rows,
            "diagnostics": v.diagnostics,
        }),
        ..Document::default()
    };
    output.write(&doc)?;
    Ok(if errors == 0 { 0 } else { 1 })
}
