//! Lays a governance report out as export [`Document`]s.
//!
//! - [`document`]: the rows as the table (CSV, table, Markdown) and the whole report as JSON
//!   (`rows[]`, `findings[]`, `changes[]`, `notes[]`, `sources`). For people (table and
//!   Markdown) the findings and the first changes follow the rows as notes; the CSV carries
//!   the rows only, with the source IP and user agent lists.
//! - [`findings_document`] and [`changes_document`]: those lists as tables of their own,
//!   for `--findings-csv FILE` and the like.
//!
//! Every string from AWS records stays `Text` and raw here: the exporters neutralise
//! spreadsheet formulas and terminal escapes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::GovernanceReport;
use super::changes::Change;
use super::findings::{Finding, Severity};
use super::keys::GovKey;
use super::rows::GovRow;
use crate::export::{Cell, Document, Table};

/// The row columns, in order; `event` and `error` appear only when grouped by them, the
/// lists (`source_ip_list`, `user_agent_list`, `regions`) only in the CSV.
pub const ROW_COLUMNS: &[&str] = &[
    "principal",
    "principal_type",
    "account",
    "model_id",
    "resolved_model",
    "region",
    "day",
    "event",
    "error",
    "calls",
    "invoke_calls",
    "apportioned_cost_usd",
    "operations",
    "errors",
    "error_calls",
    "error_share_pct",
    "source_ips",
    "user_agents",
    "rerouted_calls",
    "first_seen",
    "last_seen",
    "source_ip_list",
    "user_agent_list",
    "regions",
];

/// The columns of [`findings_document`].
pub const FINDING_COLUMNS: &[&str] = &[
    "severity",
    "kind",
    "principal",
    "model_id",
    "count",
    "first_seen",
    "last_seen",
    "detail",
];

/// The columns of [`changes_document`].
pub const CHANGE_COLUMNS: &[&str] = &[
    "time",
    "principal",
    "principal_type",
    "event",
    "region",
    "resource",
    "error",
    "error_message",
    "parameters",
    "source_ip",
    "event_id",
];

/// How many changes the people's formats list in the notes.
pub const MAX_CHANGES_IN_NOTES: usize = 20;

/// `InvokeModel=3;Converse=2`.
pub fn counts_cell(map: &BTreeMap<String, u64>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn columns(by: &[GovKey], csv: bool, apportioned: bool) -> Vec<&'static str> {
    ROW_COLUMNS
        .iter()
        .copied()
        .filter(|c| match *c {
            "event" => by.contains(&GovKey::Event),
            "error" => by.contains(&GovKey::Error),
            "apportioned_cost_usd" => apportioned,
            "source_ip_list" | "user_agent_list" | "regions" => csv,
            _ => true,
        })
        .collect()
}

fn row_cell(r: &GovRow, column: &str) -> Cell {
    let text = |s: &str| Cell::Text(s.to_string());
    match column {
        "principal" => text(&r.principal),
        "principal_type" => text(&r.principal_type),
        "account" => text(&r.account),
        "model_id" => text(&r.model_id),
        "resolved_model" => text(&r.resolved_model),
        "region" => text(&r.region),
        "day" => text(&r.day),
        "event" => text(&r.event),
        "error" => text(&r.error),
        "calls" => Cell::Int(r.calls),
        "invoke_calls" => Cell::Int(r.invoke_calls),
        "apportioned_cost_usd" => r
            .apportioned_cost_usd
            .map(Cell::Money)
            .unwrap_or(Cell::Empty),
        "operations" => Cell::Text(counts_cell(&r.operations)),
        "errors" => Cell::Text(counts_cell(&r.errors)),
        "error_calls" => Cell::Int(r.error_calls),
        "error_share_pct" => Cell::Number(r.error_share_pct),
        "source_ips" => Cell::Int(r.source_ip_count as u64),
        "user_agents" => Cell::Int(r.user_agent_count as u64),
        "rerouted_calls" => Cell::Int(r.rerouted_calls),
        "first_seen" => Cell::Text(r.first_seen.to_string()),
        "last_seen" => Cell::Text(r.last_seen.to_string()),
        "source_ip_list" => Cell::Text(r.source_ips.join("; ")),
        "user_agent_list" => Cell::Text(r.user_agents.join("; ")),
        "regions" => Cell::Text(r.regions.join("; ")),
        other => unreachable!("no row column {other}"),
    }
}

fn number(d: Decimal) -> Value {
    d.normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn counts_json(map: &BTreeMap<String, u64>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::from(*v)))
            .collect::<Map<_, _>>(),
    )
}

/// A row as JSON (the contract's field names); `apportioned_cost_usd` only with
/// `--apportion-cost`.
pub fn row_json(r: &GovRow, apportioned: bool) -> Value {
    let mut v = row_fields(r);
    if apportioned && let Value::Object(m) = &mut v {
        m.insert(
            "apportioned_cost_usd".into(),
            r.apportioned_cost_usd
                .map(|d| number(crate::money::display(d)))
                .unwrap_or(Value::Null),
        );
    }
    v
}

fn row_fields(r: &GovRow) -> Value {
    json!({
        "principal": r.principal,
        "principal_type": r.principal_type,
        "account": r.account,
        "model_id": r.model_id,
        "resolved_model": r.resolved_model,
        "region": r.region,
        "day": r.day,
        "event": r.event,
        "error": r.error,
        "calls": r.calls,
        "invoke_calls": r.invoke_calls,
        "operations": counts_json(&r.operations),
        "errors": counts_json(&r.errors),
        "error_calls": r.error_calls,
        "error_share_pct": number(r.error_share_pct),
        "source_ip_count": r.source_ip_count,
        "source_ips": r.source_ips,
        "user_agent_count": r.user_agent_count,
        "user_agents": r.user_agents,
        "regions": r.regions,
        "rerouted_calls": r.rerouted_calls,
        "first_seen": r.first_seen.to_string(),
        "last_seen": r.last_seen.to_string(),
    })
}

/// A finding as JSON.
pub fn finding_json(f: &Finding) -> Value {
    json!({
        "kind": f.kind.as_str(),
        "severity": f.severity.as_str(),
        "principal": f.principal,
        "model_id": f.model_id,
        "count": f.count,
        "first_seen": f.first_seen.to_string(),
        "last_seen": f.last_seen.to_string(),
        "detail": f.detail,
    })
}

/// A change as JSON.
pub fn change_json(c: &Change) -> Value {
    json!({
        "time": c.time.to_string(),
        "principal": c.principal,
        "principal_type": c.principal_type,
        "event": c.event,
        "region": c.region,
        "resource": c.resource,
        "error": c.error,
        "error_message": c.error_message,
        "parameters": c.parameters,
        "source_ip": c.source_ip,
        "event_id": c.event_id,
    })
}

/// `2 critical, 1 high` (most severe first), or `none`.
fn severity_counts(findings: &[Finding]) -> String {
    let mut n: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *n.entry(f.severity).or_default() += 1;
    }
    if n.is_empty() {
        return "none".to_string();
    }
    n.iter()
        .rev()
        .map(|(s, k)| format!("{k} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A finding as one line of notes.
pub fn finding_line(f: &Finding) -> String {
    let model = f
        .model_id
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    format!(
        "[{}] {}: {}{model}, {} call(s) {} to {}: {}",
        f.severity.as_str().to_ascii_uppercase(),
        f.kind,
        f.principal,
        f.count,
        f.first_seen,
        f.last_seen,
        f.detail
    )
}

fn change_line(c: &Change) -> String {
    let mut s = format!(
        "change {} {} {} in {}",
        c.time, c.principal, c.event, c.region
    );
    if let Some(r) = &c.resource {
        s.push_str(&format!(" on {r}"));
    }
    if let Some(e) = &c.error {
        s.push_str(&format!(" (failed: {e})"));
    }
    s
}

/// The report as a document. `for_people` (table, Markdown) adds findings and changes to
/// the notes and leaves the IP/user-agent lists out of the table; otherwise (CSV) the
/// table has every column and only the rows.
pub fn document(report: &GovernanceReport, for_people: bool) -> Document {
    let cols = columns(&report.by, !for_people, report.apportioned);
    let mut table = Table::new(&cols);
    for r in &report.rows {
        table.push(cols.iter().map(|c| row_cell(r, c)).collect());
    }
    let by: Vec<&str> = report.by.iter().map(|k| k.label()).collect();
    let last = report
        .until
        .checked_sub(jiff::ToSpan::day(1))
        .unwrap_or(report.until);
    let mut summary = vec![
        (
            "Days".to_string(),
            format!(
                "{} to {} (UTC, until is exclusive)",
                report.since, report.until
            ),
        ),
        ("Grouped by".to_string(), by.join(", ")),
        ("Calls".to_string(), report.calls.to_string()),
        ("Findings".to_string(), severity_counts(&report.findings)),
        (
            "Control-plane changes".to_string(),
            report.changes.len().to_string(),
        ),
    ];
    if let Some(p) = &report.policy {
        summary.push(("Policy".to_string(), p.clone()));
    }
    let mut notes = Vec::new();
    if report.rows.is_empty() {
        notes.push("no Bedrock calls in CloudTrail for these days".to_string());
    }
    if for_people {
        notes.extend(report.findings.iter().map(finding_line));
        notes.extend(
            report
                .changes
                .iter()
                .take(MAX_CHANGES_IN_NOTES)
                .map(change_line),
        );
        if report.changes.len() > MAX_CHANGES_IN_NOTES {
            notes.push(format!(
                "… and {} more change(s) (see the JSON output)",
                report.changes.len() - MAX_CHANGES_IN_NOTES
            ));
        }
    } else if !report.findings.is_empty() {
        notes.push(format!(
            "{} finding(s) ({}): see the JSON output or --findings-csv",
            report.findings.len(),
            severity_counts(&report.findings)
        ));
    }
    notes.extend(report.notes.iter().cloned());
    let json = json!({
        "since": report.since.to_string(),
        "until": report.until.to_string(),
        "group_by": by,
        "policy": report.policy,
        "calls": report.calls,
        "rows": report.rows.iter().map(|r| row_json(r, report.apportioned)).collect::<Vec<_>>(),
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "changes": report.changes.iter().map(change_json).collect::<Vec<_>>(),
        "notes": report.notes,
        "sources": report.sources,
        "cost_basis": if report.apportioned { Value::from("apportioned-estimate") } else { Value::Null },
    });
    Document {
        title: Some(format!("Bedrock governance, {} to {}", report.since, last)),
        summary,
        table,
        notes,
        json,
        charts: super::charts::governance_charts(report),
        drop_order: [
            "account",
            "principal_type",
            "resolved_model",
            "first_seen",
            "last_seen",
            "operations",
            "rerouted_calls",
            "user_agents",
            "source_ips",
            "invoke_calls",
            "errors",
            "error_share_pct",
        ]
        .map(String::from)
        .to_vec(),
    }
}

/// The findings as a document of their own (one row per finding).
pub fn findings_document(findings: &[Finding]) -> Document {
    let mut table = Table::new(FINDING_COLUMNS);
    for f in findings {
        table.push(vec![
            Cell::from(f.severity.as_str()),
            Cell::from(f.kind.as_str()),
            Cell::Text(f.principal.clone()),
            f.model_id.clone().map(Cell::Text).unwrap_or(Cell::Empty),
            Cell::Int(f.count),
            Cell::Text(f.first_seen.to_string()),
            Cell::Text(f.last_seen.to_string()),
            Cell::Text(f.detail.clone()),
        ]);
    }
    Document {
        title: Some("Governance findings".to_string()),
        summary: vec![("Findings".to_string(), severity_counts(findings))],
        table,
        notes: Vec::new(),
        json: Value::Array(findings.iter().map(finding_json).collect()),
        ..Document::default()
    }
}

/// The control-plane changes as a document of their own (one row per change).
pub fn changes_document(changes: &[Change]) -> Document {
    let opt = |s: &Option<String>| s.clone().map(Cell::Text).unwrap_or(Cell::Empty);
    let mut table = Table::new(CHANGE_COLUMNS);
    for c in changes {
        table.push(vec![
            Cell::Text(c.time.to_string()),
            Cell::Text(c.principal.clone()),
            Cell::Text(c.principal_type.clone()),
            Cell::Text(c.event.clone()),
            Cell::Text(c.region.clone()),
            opt(&c.resource),
            opt(&c.error),
            opt(&c.error_message),
            opt(&c.parameters),
            opt(&c.source_ip),
            Cell::Text(c.event_id.clone()),
        ]);
    }
    Document {
        title: Some("Control-plane changes".to_string()),
        summary: vec![("Changes".to_string(), changes.len().to_string())],
        table,
        notes: Vec::new(),
        json: Value::Array(changes.iter().map(change_json).collect()),
        ..Document::default()
    }
}
