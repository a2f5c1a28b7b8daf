//! Lays a [`Reconciliation`] out as an export [`Document`].
//!
//! The table (every format): one row per compared line, then per day a `day total` row and
//! a `range total` row (status `total`). Credits, discounts, refunds and tax are in the
//! summary and in JSON, never mixed into the usage rows.
//!
//! JSON contract (`"report": "reconcile"`, amounts as decimal strings, quantities in tokens
//! or images, `null` when unknown):
//!
//! ```text
//! { "report": "reconcile", "since", "until" (exclusive), "tolerance_percent", "source",
//!   "services": [..],
//!   "rows": [ { "date", "region", "model_id", "dimension", "usage_types": [..],
//!               "billed_usd", "estimated_usd", "difference_usd", "percent",
//!               "billed_quantity", "billed_quantity_raw", "estimated_quantity",
//!               "quantity_difference", "status", "detail" } ],
//!   "days": [ { "date", "billed_usd", "estimated_usd", "difference_usd", "compared_billed_usd",
//!               "compared_estimated_usd", "billed_only_usd", "unmapped_usd",
//!               "metrics_only_usd", "adjustments_usd", "net_billed_usd" } ],
//!   "totals": { same fields as a day without "date", "unpriced_rows" },
//!   "adjustments": [ { "date", "service", "record_type", "amount_usd" } ],
//!   "adjustments_by_type": { "Credit": "-5.00", .. },
//!   "status_counts": { "ok": 3, .. }, "calls": { .. }, "notes": [..] }
//! ```

use jiff::ToSpan;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{Reconciliation, Row, Status, Totals};
use crate::export::{Cell, Document, Table};
use crate::money;

/// The table's columns.
pub const COLUMNS: [&str; 15] = [
    "date",
    "region",
    "model_id",
    "dimension",
    "usage_types",
    "billed_usd",
    "estimated_usd",
    "difference_usd",
    "percent",
    "billed_quantity",
    "estimated_quantity",
    "quantity_difference",
    "billed_quantity_raw",
    "status",
    "detail",
];

fn money_cell(d: Option<Decimal>) -> Cell {
    d.map(Cell::Money).unwrap_or(Cell::Empty)
}

fn num_cell(d: Option<Decimal>) -> Cell {
    d.map(|d| Cell::Number(d.normalize()))
        .unwrap_or(Cell::Empty)
}

fn usd(d: Option<Decimal>) -> Value {
    d.map(|d| Value::String(money::display(d).to_string()))
        .unwrap_or(Value::Null)
}

fn num(d: Option<Decimal>) -> Value {
    d.map(|d| Value::String(d.normalize().to_string()))
        .unwrap_or(Value::Null)
}

fn row_cells(r: &Row) -> Vec<Cell> {
    vec![
        Cell::Text(r.day.to_string()),
        Cell::Text(r.region.clone()),
        Cell::Text(r.model.clone()),
        Cell::Text(r.dimension.clone()),
        Cell::Text(r.usage_types.join(" ")),
        money_cell(r.billed),
        money_cell(r.estimated),
        money_cell(r.difference),
        num_cell(r.percent),
        num_cell(r.billed_quantity),
        num_cell(r.estimated_quantity),
        num_cell(r.quantity_difference),
        Cell::Text(r.billed_quantity_raw.clone()),
        Cell::Text(r.status.as_str().to_string()),
        Cell::Text(r.detail.clone()),
    ]
}

fn pct(t: &Totals) -> Option<Decimal> {
    (!t.billed.is_zero())
        .then(|| ((t.estimated - t.billed) / t.billed * Decimal::from(100)).round_dp(2))
}

fn total_cells(label: &str, what: &str, t: &Totals) -> Vec<Cell> {
    let mut c = vec![
        Cell::Text(label.to_string()),
        Cell::Empty,
        Cell::Text(what.to_string()),
        Cell::Empty,
        Cell::Empty,
        Cell::Money(t.billed),
        Cell::Money(t.estimated),
        Cell::Money(t.estimated - t.billed),
        num_cell(pct(t)),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Text("total".into()),
    ];
    c.push(Cell::Text(format!(
        "like for like {} billed vs {} estimated; billed-only {}, unmapped {}, metrics-only {}; adjustments {}, net billed {}",
        money::usd(t.compared_billed),
        money::usd(t.compared_estimated),
        money::usd(t.billed_only),
        money::usd(t.unmapped),
        money::usd(t.metrics_only),
        money::usd(t.adjustments),
        money::usd(t.net_billed()),
    )));
    c
}

fn totals_json(t: &Totals) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("billed_usd".into(), usd(Some(t.billed)));
    m.insert("estimated_usd".into(), usd(Some(t.estimated)));
    m.insert("difference_usd".into(), usd(Some(t.estimated - t.billed)));
    m.insert("compared_billed_usd".into(), usd(Some(t.compared_billed)));
    m.insert(
        "compared_estimated_usd".into(),
        usd(Some(t.compared_estimated)),
    );
    m.insert("billed_only_usd".into(), usd(Some(t.billed_only)));
    m.insert("unmapped_usd".into(), usd(Some(t.unmapped)));
    m.insert("metrics_only_usd".into(), usd(Some(t.metrics_only)));
    m.insert("adjustments_usd".into(), usd(Some(t.adjustments)));
    m.insert("net_billed_usd".into(), usd(Some(t.net_billed())));
    m
}

// Another field may join Document: `..Default::default()` keeps this building.
#[allow(clippy::needless_update)]
/// The document; `summary` and `calls` are the run's facts (API calls, cache).
pub fn document(rec: &Reconciliation, summary: Vec<(String, String)>, calls: Value) -> Document {
    let mut table = Table::new(&COLUMNS);
    for (day, t) in &rec.days {
        table
            .rows
            .extend(rec.rows.iter().filter(|r| r.day == *day).map(row_cells));
        table
            .rows
            .push(total_cells(&day.to_string(), "day total", t));
    }
    let last = rec.until.checked_sub(1.day()).unwrap_or(rec.until);
    table.rows.push(total_cells(
        &format!("{}..{}", rec.since, last),
        "range total",
        &rec.total,
    ));
    let mut s = vec![
        (
            "Range".to_string(),
            format!("{} to {} (UTC days)", rec.since, last),
        ),
        ("Billed usage".into(), money::usd(rec.total.billed)),
        (
            "Estimated".into(),
            format!(
                "{} from {}",
                money::usd(rec.total.estimated),
                match rec.source {
                    crate::records::Source::InvocationLogs => "model-invocation logs",
                    _ => "CloudWatch metrics",
                }
            ),
        ),
        (
            "Like for like".into(),
            format!(
                "{} billed vs {} estimated",
                money::usd(rec.total.compared_billed),
                money::usd(rec.total.compared_estimated)
            ),
        ),
    ];
    if rec.adjustments_by_type.is_empty() {
        s.push(("Credits, discounts, refunds, tax".into(), "none".into()));
    } else {
        for (k, v) in &rec.adjustments_by_type {
            s.push((format!("Adjustment: {k}"), money::usd(*v)));
        }
    }
    s.push(("Net billed".into(), money::usd(rec.total.net_billed())));
    s.push((
        "Statuses".into(),
        Status::ALL
            .iter()
            .filter_map(|st| rec.counts.get(st).map(|n| format!("{} {n}", st.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    s.push(("Tolerance".into(), format!("{}%", rec.tolerance_pct)));
    s.extend(summary);

    let rows: Vec<Value> = rec
        .rows
        .iter()
        .map(|r| {
            json!({
                "date": r.day.to_string(),
                "region": r.region,
                "model_id": r.model,
                "dimension": r.dimension,
                "usage_types": r.usage_types,
                "billed_usd": usd(r.billed),
                "estimated_usd": usd(r.estimated),
                "difference_usd": usd(r.difference),
                "percent": num(r.percent),
                "billed_quantity": num(r.billed_quantity),
                "billed_quantity_raw": r.billed_quantity_raw,
                "estimated_quantity": num(r.estimated_quantity),
                "quantity_difference": num(r.quantity_difference),
                "status": r.status.as_str(),
                "detail": r.detail,
            })
        })
        .collect();
    let days: Vec<Value> = rec
        .days
        .iter()
        .map(|(d, t)| {
            let mut m = Map::new();
            m.insert("date".into(), Value::String(d.to_string()));
            m.extend(totals_json(t));
            Value::Object(m)
        })
        .collect();
    let mut totals = totals_json(&rec.total);
    totals.insert("unpriced_rows".into(), json!(rec.total.unpriced));
    let adjustments: Vec<Value> = rec
        .adjustments
        .iter()
        .map(|a| {
            json!({
                "date": a.day.to_string(),
                "service": a.service,
                "record_type": a.record_type,
                "amount_usd": usd(Some(a.amount)),
            })
        })
        .collect();
    let by_type: Map<String, Value> = rec
        .adjustments_by_type
        .iter()
        .map(|(k, v)| (k.clone(), usd(Some(*v))))
        .collect();
    let counts: Map<String, Value> = rec
        .counts
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), json!(v)))
        .collect();
    let json = json!({
        "report": "reconcile",
        "since": rec.since.to_string(),
        "until": rec.until.to_string(),
        "tolerance_percent": rec.tolerance_pct.to_string(),
        "source": rec.source.as_str(),
        "services": rec.services,
        "rows": rows,
        "days": days,
        "totals": totals,
        "adjustments": adjustments,
        "adjustments_by_type": by_type,
        "status_counts": counts,
        "calls": calls,
        "notes": rec.notes,
    });
    Document {
        title: Some(format!(
            "Bedrock bill reconciliation {} to {}",
            rec.since, last
        )),
        summary: s,
        table,
        notes: rec.notes.clone(),
        json,
        ..Default::default()
    }
}
