//! Lays a daily report out as an export [`Document`]: the CSV columns, an optional totals
//! row (table and Markdown), the JSON form with totals, and notes.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::DailyReport;
use super::rows::{GroupBy, Row};
use crate::export::{Cell, Document, Table};
use crate::money;
use crate::records::Source;

/// The report's columns, in CSV order. `--append` history files have these headers.
pub const COLUMNS: [&str; 24] = [
    "date",
    "region",
    "model_id",
    "resolved_model",
    "invocations",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "images",
    "input_cost_usd",
    "output_cost_usd",
    "cache_read_cost_usd",
    "cache_write_cost_usd",
    "image_cost_usd",
    "total_cost_usd",
    "latency_avg_ms",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p99_ms",
    "client_errors",
    "server_errors",
    "throttles",
    "status",
];

fn money_cell(d: Option<Decimal>) -> Cell {
    d.map(Cell::Money).unwrap_or(Cell::Empty)
}

/// Milliseconds, two decimals.
fn ms(v: Option<f64>) -> Option<Decimal> {
    v.and_then(|v| Decimal::try_from(v).ok())
        .map(|d| d.round_dp(2).normalize())
}

fn ms_cell(v: Option<f64>) -> Cell {
    ms(v).map(Cell::Number).unwrap_or(Cell::Empty)
}

/// The cells of a row, in [`COLUMNS`] order. Strings from AWS stay `Text` (sanitised by
/// the exporters).
pub fn cells(r: &Row) -> Vec<Cell> {
    vec![
        Cell::Text(r.date.clone()),
        Cell::Text(r.region.clone()),
        Cell::Text(r.model_id.clone()),
        Cell::Text(r.resolved_model.clone()),
        Cell::Int(r.invocations),
        Cell::Int(r.input_tokens),
        Cell::Int(r.output_tokens),
        Cell::Int(r.cache_read_tokens),
        Cell::Int(r.cache_write_tokens),
        Cell::Int(r.images),
        money_cell(r.costs.input),
        money_cell(r.costs.output),
        money_cell(r.costs.cache_read),
        money_cell(r.costs.cache_write),
        money_cell(r.costs.image),
        money_cell(r.costs.total),
        ms_cell(r.latency.avg_ms),
        ms_cell(r.latency.p50_ms),
        ms_cell(r.latency.p90_ms),
        ms_cell(r.latency.p99_ms),
        Cell::Int(r.client_errors),
        Cell::Int(r.server_errors),
        Cell::Int(r.throttles),
        Cell::Text(r.status.clone()),
    ]
}

/// The columns of a report grouped by `by`: [`COLUMNS`], with a `principal` column and one
/// `tag:KEY` column per grouped tag after `model_id` when those keys are grouped.
pub fn columns(by: &[GroupBy]) -> Vec<String> {
    let mut cols: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let extra: Vec<String> = by
        .iter()
        .filter(|g| matches!(g, GroupBy::Principal | GroupBy::Tag(_)))
        .map(GroupBy::label)
        .collect();
    let at = COLUMNS.iter().position(|c| *c == "model_id").unwrap_or(2) + 1;
    cols.splice(at..at, extra);
    cols
}

/// The cells of a row under [`columns`]: principal and tag cells after `model_id`.
fn cells_for(r: &Row) -> Vec<Cell> {
    let mut c = cells(r);
    let mut extra: Vec<Cell> = Vec::new();
    if let Some(p) = &r.principal {
        extra.push(Cell::Text(p.clone()));
    }
    extra.extend(r.tags.iter().map(|(_, v)| Cell::Text(v.clone())));
    let at = COLUMNS.iter().position(|c| *c == "model_id").unwrap_or(2) + 1;
    c.splice(at..at, extra);
    c
}

/// A JSON object of a row: money and latency as exact numbers or `null` (unknown).
pub fn row_json(r: &Row) -> Value {
    let mut obj = Map::new();
    for (name, cell) in COLUMNS.iter().zip(cells(r)) {
        let v = match cell {
            Cell::Text(s) => Value::String(s),
            Cell::Int(n) => Value::from(n),
            Cell::Money(d) => number(money::display(d)),
            Cell::Number(d) => number(d),
            Cell::Empty => Value::Null,
        };
        obj.insert(name.to_string(), v);
        if *name == "model_id" {
            if let Some(p) = &r.principal {
                obj.insert("principal".into(), Value::String(p.clone()));
            }
            if !r.tags.is_empty() {
                let tags: Map<String, Value> = r
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                obj.insert("tags".into(), Value::Object(tags));
            }
        }
    }
    obj.insert("series_days".into(), Value::from(r.series_days as u64));
    Value::Object(obj)
}

fn number(d: Decimal) -> Value {
    d.to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The report as a document. `totals_row` appends the totals as a last table row (for
/// people: table and Markdown); CSV leaves it out so the file stays one row per key.
pub fn document(report: &DailyReport, totals_row: bool) -> Document {
    let cols = columns(&report.by);
    let headers: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut table = Table::new(&headers);
    for r in &report.rows {
        table.push(cells_for(r));
    }
    if totals_row && !report.rows.is_empty() {
        let mut t = report.totals.clone();
        t.date = "TOTAL".into();
        table.push(cells_for(&t));
    }
    let by: Vec<String> = report.by.iter().map(GroupBy::label).collect();
    let total = match report.totals.costs.total {
        Some(d) => money::usd(d),
        None if report.rows.is_empty() => "no usage".into(),
        None => "unpriced".into(),
    };
    let mut summary = vec![
        (
            "Days".to_string(),
            format!(
                "{} to {} (until is exclusive), time zone {}",
                report.since, report.until, report.timezone
            ),
        ),
        ("Regions".to_string(), report.regions.join(", ")),
        ("Grouped by".to_string(), by.join(", ")),
        ("Total cost".to_string(), total),
    ];
    summary.extend(report.summary.iter().cloned());
    let mut notes = report.notes.clone();
    if report.rows.is_empty() {
        let source = match report.source {
            Source::CloudWatch => "CloudWatch",
            Source::CloudTrailApportioned => "CloudTrail",
            Source::InvocationLogs => "the invocation logs",
        };
        notes.insert(
            0,
            format!("no Bedrock usage in {source} for these days and Regions"),
        );
    }
    let json = json!({
        "since": report.since.to_string(),
        "until": report.until.to_string(),
        "timezone": report.timezone,
        "regions": report.regions,
        "group_by": by,
        "rows": report.rows.iter().map(row_json).collect::<Vec<_>>(),
        "totals": row_json(&report.totals),
        "notes": notes,
    });
    Document {
        title: Some(format!(
            "Bedrock usage and cost, {} to {}",
            report.since,
            report.last_day()
        )),
        summary,
        table,
        notes,
        json,
        charts: super::charts::daily_charts(report),
        drop_order: [
            "resolved_model",
            "cache_write_cost_usd",
            "cache_read_cost_usd",
            "image_cost_usd",
            "images",
            "cache_write_tokens",
            "latency_avg_ms",
            "latency_p50_ms",
            "latency_p90_ms",
            "input_cost_usd",
            "output_cost_usd",
            "server_errors",
            "client_errors",
            "cache_read_tokens",
            "latency_p99_ms",
            "throttles",
            "region",
            "status",
        ]
        .map(String::from)
        .to_vec(),
    }
}
