//! The chargeback view: what each principal (or each value of a tag, like `team` or
//! `cost-center`) spent over a period, and its share of the total — from model-invocation
//! logs, which know the caller and the tokens of every request.
//!
//! Rows are the daily report's priced records grouped by the chargeback key alone. A row
//! whose usage is only partly priced says so (`unpriced_series_days`, `status`): its cost
//! is the priced part, and the total's `complete` flag is false — never a silent $0.
//! Shares are of the priced total, exact decimals rounded half away from zero to 2 places.

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use super::document::row_json;
use super::rows::{self, GroupBy, Row};
use super::{DailyOptions, Priced};
use crate::export::{Cell, Document, Table};
use crate::money;

/// A chargeback row: a daily-report row grouped by the key, with its share.
#[derive(Debug, Clone)]
pub struct ChargebackRow {
    pub row: Row,
    /// Share of the priced total, in percent; `None` when the row has no priced cost.
    pub share_pct: Option<Decimal>,
}

/// The chargeback of a period.
#[derive(Debug, Clone)]
pub struct Chargeback {
    pub since: jiff::civil::Date,
    pub until: jiff::civil::Date,
    pub key: GroupBy,
    /// Most expensive first (unpriced rows last), then by key.
    pub rows: Vec<ChargebackRow>,
    pub totals: Row,
    pub notes: Vec<String>,
}

/// The key's value of a row (`(none)` when the usage had no principal or tag).
pub fn key_value(row: &Row, key: &GroupBy) -> String {
    match key {
        GroupBy::Tag(k) => row
            .tags
            .iter()
            .find(|(tk, _)| tk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| rows::NONE_LABEL.to_string()),
        _ => row
            .principal
            .clone()
            .unwrap_or_else(|| rows::NONE_LABEL.to_string()),
    }
}

/// Groups priced records by `key` (principal or `tag:KEY`) and computes shares.
pub fn chargeback(priced: &[Priced], key: GroupBy, opts: &DailyOptions) -> Chargeback {
    let report = super::daily_priced(
        priced,
        &DailyOptions {
            by: vec![key.clone()],
            ..opts.clone()
        },
    );
    let total = report.totals.costs.total.unwrap_or(Decimal::ZERO);
    let mut out: Vec<ChargebackRow> = report
        .rows
        .into_iter()
        .map(|row| {
            let share_pct = row.costs.total.map(|c| {
                if total.is_zero() {
                    Decimal::ZERO
                } else {
                    (c * Decimal::ONE_HUNDRED / total)
                        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                }
            });
            ChargebackRow { row, share_pct }
        })
        .collect();
    out.sort_by(|a, b| {
        b.row
            .costs
            .total
            .is_some()
            .cmp(&a.row.costs.total.is_some())
            .then(b.row.costs.total.cmp(&a.row.costs.total))
            .then(key_value(&a.row, &key).cmp(&key_value(&b.row, &key)))
    });
    let mut notes = report.notes;
    let unpriced = out
        .iter()
        .filter(|r| r.row.unpriced_series_days > 0)
        .count();
    if unpriced > 0 {
        notes.insert(
            0,
            format!(
                "{unpriced} row(s) include unpriced usage: their cost is the priced part only, and the total is incomplete (see status)"
            ),
        );
    }
    Chargeback {
        since: opts.since,
        until: opts.until,
        key,
        rows: out,
        totals: report.totals,
        notes,
    }
}

/// The columns of a chargeback: the key, then counts, cost and share.
pub fn columns(key: &GroupBy) -> Vec<String> {
    let mut c = vec![key.label()];
    c.extend(
        [
            "invocations",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "images",
            "total_cost_usd",
            "share_pct",
            "client_errors",
            "server_errors",
            "throttles",
            "series_days",
            "unpriced_series_days",
            "status",
        ]
        .map(str::to_string),
    );
    c
}

fn cells(r: &Row, key: &GroupBy, share: Option<Decimal>) -> Vec<Cell> {
    vec![
        Cell::Text(key_value(r, key)),
        Cell::Int(r.invocations),
        Cell::Int(r.input_tokens),
        Cell::Int(r.output_tokens),
        Cell::Int(r.cache_read_tokens),
        Cell::Int(r.cache_write_tokens),
        Cell::Int(r.images),
        r.costs.total.map(Cell::Money).unwrap_or(Cell::Empty),
        share.map(Cell::Number).unwrap_or(Cell::Empty),
        Cell::Int(r.client_errors),
        Cell::Int(r.server_errors),
        Cell::Int(r.throttles),
        Cell::Int(r.series_days as u64),
        Cell::Int(r.unpriced_series_days as u64),
        Cell::Text(r.status.clone()),
    ]
}

/// The chargeback as a document; `totals_row` adds a TOTAL line (table and Markdown).
pub fn document(c: &Chargeback, totals_row: bool) -> Document {
    let cols = columns(&c.key);
    let headers: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut table = Table::new(&headers);
    for r in &c.rows {
        table.push(cells(&r.row, &c.key, r.share_pct));
    }
    if totals_row && !c.rows.is_empty() {
        let mut t = cells(
            &c.totals,
            &c.key,
            c.totals.costs.total.map(|_| Decimal::ONE_HUNDRED),
        );
        t[0] = Cell::from("TOTAL");
        table.push(t);
    }
    let complete = c.totals.unpriced_series_days == 0;
    let total = match c.totals.costs.total {
        Some(d) if complete => money::usd(d),
        Some(d) => format!("{} (incomplete: unpriced usage left out)", money::usd(d)),
        None if c.rows.is_empty() => "no usage".into(),
        None => "unpriced".into(),
    };
    let last = c.until.checked_sub(jiff::ToSpan::day(1)).unwrap_or(c.until);
    let rows_json: Vec<Value> = c
        .rows
        .iter()
        .map(|r| {
            let mut v = row_json(&r.row);
            if let Value::Object(m) = &mut v {
                m.insert("key".into(), Value::String(key_value(&r.row, &c.key)));
                m.insert(
                    "share_pct".into(),
                    r.share_pct
                        .and_then(|d| d.normalize().to_string().parse::<serde_json::Number>().ok())
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                );
                m.insert(
                    "unpriced_series_days".into(),
                    Value::from(r.row.unpriced_series_days as u64),
                );
            }
            v
        })
        .collect();
    Document {
        title: Some(format!("Bedrock chargeback, {} to {last}", c.since)),
        summary: vec![
            (
                "Days".into(),
                format!("{} to {} (until is exclusive)", c.since, c.until),
            ),
            ("By".into(), c.key.label()),
            ("Total cost".into(), total),
        ],
        table,
        notes: c.notes.clone(),
        json: json!({
            "since": c.since.to_string(),
            "until": c.until.to_string(),
            "group_by": c.key.label(),
            "rows": rows_json,
            "totals": row_json(&c.totals),
            "complete": complete,
            "notes": c.notes,
        }),
        charts: super::charts::chargeback_charts(c),
        drop_order: [
            "series_days",
            "unpriced_series_days",
            "images",
            "cache_write_tokens",
            "cache_read_tokens",
            "server_errors",
            "client_errors",
            "throttles",
            "input_tokens",
            "output_tokens",
            "status",
        ]
        .map(String::from)
        .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Source, UsageRecord};
    use crate::report::Costs;
    use jiff::civil::date;

    fn priced(principal: &str, team: Option<&str>, total: Option<&str>) -> Priced {
        let mut record = UsageRecord::new(date(2026, 11, 3), "us-east-1", "m");
        record.principal = Some(principal.into());
        if let Some(t) = team {
            record.tags.insert("team".into(), t.into());
        }
        record.invocations = 1;
        record.source = Source::InvocationLogs;
        let t = total.map(|t| t.parse::<Decimal>().unwrap());
        Priced {
            record,
            resolved_model: Some("m".into()),
            costs: Costs {
                input: t,
                total: t,
                ..Costs::default()
            },
            unpriced: if t.is_none() {
                vec!["unknown model".into()]
            } else {
                vec![]
            },
            warnings: vec![],
        }
    }

    fn opts() -> DailyOptions {
        DailyOptions {
            since: date(2026, 11, 1),
            until: date(2026, 12, 1),
            timezone: "UTC".into(),
            regions: vec!["us-east-1".into()],
            by: vec![],
            as_of: None,
            source: Source::InvocationLogs,
        }
    }

    #[test]
    fn shares_are_of_the_priced_total_and_unpriced_rows_say_so() {
        let p = vec![
            priced("a", Some("x"), Some("1.00")),
            priced("b", Some("y"), Some("2.00")),
            priced("c", None, None),
            priced("a", Some("x"), Some("0.50")),
        ];
        let c = chargeback(&p, GroupBy::Principal, &opts());
        let got: Vec<(String, Option<Decimal>)> = c
            .rows
            .iter()
            .map(|r| (key_value(&r.row, &c.key), r.share_pct))
            .collect();
        assert_eq!(
            got,
            vec![
                ("b".into(), Some("57.14".parse().unwrap())),
                ("a".into(), Some("42.86".parse().unwrap())),
                ("c".into(), None),
            ]
        );
        assert_eq!(c.totals.costs.total, Some("3.50".parse().unwrap()));
        assert!(c.notes[0].contains("1 row(s) include unpriced usage"));
        let doc = document(&c, true);
        assert_eq!(doc.json["complete"], false);
        assert_eq!(doc.table.headers[0], "principal");
        assert_eq!(doc.table.rows.len(), 4);

        let by_team = chargeback(&p, GroupBy::Tag("team".into()), &opts());
        let teams: Vec<String> = by_team
            .rows
            .iter()
            .map(|r| key_value(&r.row, &by_team.key))
            .collect();
        assert_eq!(teams, vec!["y", "x", "(none)"]);
        assert_eq!(document(&by_team, false).table.headers[0], "tag:team");
    }
}
