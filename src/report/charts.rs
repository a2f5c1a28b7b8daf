//! Charts of the daily and chargeback reports (drawn in their HTML output): daily cost
//! stacked by model, tokens by kind, latency percentiles of the busiest series, errors and
//! throttles, and the top principals or tag values of a chargeback.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::DailyReport;
use super::chargeback::{Chargeback, key_value};
use super::rows::Row;
use crate::export::chart::value;
use crate::export::{Chart, ChartKind, Series};

/// Models drawn on their own in the cost chart; the others are added up as "other models".
pub const TOP_MODELS: usize = 7;
/// Principals or tag values in the chargeback chart.
pub const TOP_KEYS: usize = 10;

/// The days of the rows, in order (the x axis).
fn days(rows: &[Row]) -> Vec<String> {
    let mut d: Vec<String> = rows.iter().map(|r| r.date.clone()).collect();
    d.sort();
    d.dedup();
    d
}

fn series_by_day(
    name: &str,
    days: &[String],
    rows: &[Row],
    f: impl Fn(&Row) -> Option<f64>,
) -> Series {
    let mut values = vec![None; days.len()];
    for r in rows {
        if let (Ok(i), Some(v)) = (days.binary_search(&r.date), f(r)) {
            values[i] = Some(values[i].unwrap_or(0.0) + v);
        }
    }
    Series {
        name: name.to_string(),
        values,
    }
}

/// The daily report's charts.
pub fn daily_charts(report: &DailyReport) -> Vec<Chart> {
    let rows = &report.rows;
    let days = days(rows);
    let mut charts = Vec::new();

    // Cost by model: the most expensive models on their own, the rest together.
    let mut by_model: BTreeMap<&str, Decimal> = BTreeMap::new();
    for r in rows {
        *by_model.entry(r.model_id.as_str()).or_default() += r.costs.total.unwrap_or_default();
    }
    let mut ranked: Vec<(&str, Decimal)> = by_model.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<&str> = ranked.iter().take(TOP_MODELS).map(|(m, _)| *m).collect();
    let mut cost = Chart::new(ChartKind::StackedBars, "Daily cost by model", "cost (USD)");
    cost.x_labels = days.clone();
    for m in &top {
        cost.series.push(series_by_day(m, &days, rows, |r| {
            (r.model_id == *m)
                .then(|| r.costs.total.map(value))
                .flatten()
        }));
    }
    if ranked.len() > TOP_MODELS {
        cost.series.push(series_by_day(
            &format!("{} other models", ranked.len() - TOP_MODELS),
            &days,
            rows,
            |r| {
                (!top.contains(&r.model_id.as_str()))
                    .then(|| r.costs.total.map(value))
                    .flatten()
            },
        ));
    }
    let unpriced = rows.iter().filter(|r| r.costs.total.is_none()).count();
    if unpriced > 0 {
        cost.caption = Some(format!(
            "{unpriced} row(s) without a price are not drawn (see the table's status column)"
        ));
    }
    charts.push(cost);

    let mut tokens = Chart::new(ChartKind::StackedBars, "Tokens by kind", "tokens");
    tokens.x_labels = days.clone();
    tokens.series = vec![
        series_by_day("input", &days, rows, |r| Some(r.input_tokens as f64)),
        series_by_day("output", &days, rows, |r| Some(r.output_tokens as f64)),
        series_by_day("cache read", &days, rows, |r| {
            Some(r.cache_read_tokens as f64)
        }),
        series_by_day("cache write", &days, rows, |r| {
            Some(r.cache_write_tokens as f64)
        }),
    ];
    charts.push(tokens);

    // Percentiles do not add up over series: draw those of the busiest series.
    let mut calls: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for r in rows {
        *calls
            .entry((r.region.as_str(), r.model_id.as_str()))
            .or_default() += r.invocations;
    }
    if let Some(((region, model), _)) = calls
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
    {
        let busiest: Vec<Row> = rows
            .iter()
            .filter(|r| r.region == *region && r.model_id == *model)
            .cloned()
            .collect();
        let mut latency = Chart::new(
            ChartKind::Lines,
            format!("Latency of the busiest series: {model} in {region}"),
            "latency (ms)",
        );
        latency.x_labels = days.clone();
        latency.series = vec![
            series_by_day("p50", &days, &busiest, |r| r.latency.p50_ms),
            series_by_day("p90", &days, &busiest, |r| r.latency.p90_ms),
            series_by_day("p99", &days, &busiest, |r| r.latency.p99_ms),
        ];
        if busiest.len() != rows.len() {
            latency.caption = Some("percentiles of different series cannot be combined: this chart shows the series with the most invocations".into());
        }
        charts.push(latency);
    }

    let mut errors = Chart::new(ChartKind::StackedBars, "Errors and throttles", "requests");
    errors.x_labels = days.clone();
    errors.series = vec![
        series_by_day("client errors", &days, rows, |r| {
            Some(r.client_errors as f64)
        }),
        series_by_day("server errors", &days, rows, |r| {
            Some(r.server_errors as f64)
        }),
        series_by_day("throttles", &days, rows, |r| Some(r.throttles as f64)),
    ];
    charts.push(errors);
    charts
}

/// The chargeback's chart: the principals (or tag values) that spent most.
pub fn chargeback_charts(c: &Chargeback) -> Vec<Chart> {
    let mut ranked: Vec<(String, Decimal)> = c
        .rows
        .iter()
        .filter_map(|r| r.row.costs.total.map(|t| (key_value(&r.row, &c.key), t)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chart = Chart::new(
        ChartKind::Bars,
        format!("Top {} by cost", c.key.label()),
        "cost (USD)",
    );
    chart.x_labels = ranked
        .iter()
        .take(TOP_KEYS)
        .map(|(k, _)| k.clone())
        .collect();
    chart.series = vec![Series {
        name: "cost".into(),
        values: ranked
            .iter()
            .take(TOP_KEYS)
            .map(|(_, v)| Some(value(*v)))
            .collect(),
    }];
    if ranked.len() > TOP_KEYS {
        chart.caption = Some(format!(
            "the {TOP_KEYS} largest of {}; the table has them all",
            ranked.len()
        ));
    }
    vec![chart]
}
