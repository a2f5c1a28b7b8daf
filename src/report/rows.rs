//! Report rows: priced records, grouped by the keys of `--by` (day, Region, model).
//!
//! Grouping sums counts and costs. A money cell adds up the amounts that are known and is
//! empty only when none is; a row that includes unpriced usage says so in `status`.
//! Latency averages are combined weighted by invocations; percentiles cannot be combined,
//! so a row that merges several series-days leaves them empty.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::price::{Costs, Priced};
use crate::usage::Latency;

/// A grouping key of `--by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupBy {
    Day,
    Region,
    Model,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::Day, GroupBy::Region, GroupBy::Model];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Region => "region",
            GroupBy::Model => "model",
        }
    }
}

impl std::str::FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "date" => Ok(GroupBy::Day),
            "region" => Ok(GroupBy::Region),
            "model" | "model_id" => Ok(GroupBy::Model),
            _ => Err(format!(
                "unknown grouping `{s}` (expected day, region or model)"
            )),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `YYYY-MM-DD`, or the range `FIRST..LAST` when days are not a grouping key.
    pub date: String,
    /// A Region, or `all`.
    pub region: String,
    /// The raw ModelId series, or `all`.
    pub model_id: String,
    /// The catalog model, empty when unknown or mixed.
    pub resolved_model: String,
    pub invocations: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub images: u64,
    pub costs: Costs,
    pub latency: Latency,
    pub client_errors: u64,
    pub server_errors: u64,
    pub throttles: u64,
    /// `ok`, `unpriced: …` for one series-day, `partial: N of M series-days unpriced`.
    pub status: String,
    /// Series-days in the row, and how many of them are not fully priced.
    pub series_days: usize,
    pub unpriced_series_days: usize,
}

impl Row {
    /// The row of one priced record.
    pub fn of(p: &Priced) -> Row {
        let r = &p.record;
        Row {
            date: r.day.to_string(),
            region: r.region.clone(),
            model_id: r.model_id.clone(),
            resolved_model: p.resolved_model.clone().unwrap_or_default(),
            invocations: r.invocations,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cache_read_tokens: r.cache_read_tokens,
            cache_write_tokens: r.cache_write_tokens,
            images: r.images,
            costs: p.costs.clone(),
            latency: r.latency,
            client_errors: r.client_errors,
            server_errors: r.server_errors,
            throttles: r.throttles,
            status: p.status(),
            series_days: 1,
            unpriced_series_days: usize::from(!p.unpriced.is_empty()),
        }
    }
}

fn sum_money(values: impl Iterator<Item = Option<Decimal>>) -> Option<Decimal> {
    values.flatten().reduce(|a, b| a + b)
}

/// Merges rows into one, under the given labels.
pub fn merge(date: String, region: String, model_id: String, rows: &[&Row]) -> Row {
    if let [only] = rows {
        return Row {
            date,
            region,
            model_id,
            ..(*only).clone()
        };
    }
    let sum = |f: fn(&Row) -> u64| rows.iter().map(|r| f(r)).sum::<u64>();
    let money = |f: fn(&Costs) -> Option<Decimal>| sum_money(rows.iter().map(|r| f(&r.costs)));
    let invocations = sum(|r| r.invocations);
    let averaged: Vec<(f64, u64)> = rows
        .iter()
        .filter_map(|r| r.latency.avg_ms.map(|a| (a, r.invocations)))
        .collect();
    let weight: u64 = averaged.iter().map(|(_, w)| w).sum();
    let avg_ms = if averaged.is_empty() {
        None
    } else if weight == 0 {
        Some(averaged.iter().map(|(a, _)| a).sum::<f64>() / averaged.len() as f64)
    } else {
        Some(averaged.iter().map(|(a, w)| a * *w as f64).sum::<f64>() / weight as f64)
    };
    let series_days: usize = rows.iter().map(|r| r.series_days).sum();
    let unpriced: usize = rows.iter().map(|r| r.unpriced_series_days).sum();
    let first_model = rows
        .first()
        .map(|r| r.resolved_model.as_str())
        .unwrap_or("");
    Row {
        date,
        region,
        model_id,
        resolved_model: if rows.iter().all(|r| r.resolved_model == first_model) {
            first_model.to_string()
        } else {
            String::new()
        },
        invocations,
        input_tokens: sum(|r| r.input_tokens),
        output_tokens: sum(|r| r.output_tokens),
        cache_read_tokens: sum(|r| r.cache_read_tokens),
        cache_write_tokens: sum(|r| r.cache_write_tokens),
        images: sum(|r| r.images),
        costs: Costs {
            input: money(|c| c.input),
            output: money(|c| c.output),
            cache_read: money(|c| c.cache_read),
            cache_write: money(|c| c.cache_write),
            image: money(|c| c.image),
            total: money(|c| c.total),
        },
        latency: Latency {
            avg_ms,
            ..Latency::default()
        },
        client_errors: sum(|r| r.client_errors),
        server_errors: sum(|r| r.server_errors),
        throttles: sum(|r| r.throttles),
        status: if unpriced == 0 {
            "ok".to_string()
        } else {
            format!("partial: {unpriced} of {series_days} series-days unpriced")
        },
        series_days,
        unpriced_series_days: unpriced,
    }
}

/// Groups priced records by `by` (all three keys: one row per record). `range` labels the
/// date column when days are not a key. Rows are sorted by date, Region and model.
pub fn group(priced: &[Priced], by: &[GroupBy], range: &str) -> Vec<Row> {
    let singles: Vec<Row> = priced.iter().map(Row::of).collect();
    let mut groups: BTreeMap<(String, String, String), Vec<&Row>> = BTreeMap::new();
    for r in &singles {
        let key = (
            if by.contains(&GroupBy::Day) {
                r.date.clone()
            } else {
                range.to_string()
            },
            if by.contains(&GroupBy::Region) {
                r.region.clone()
            } else {
                "all".to_string()
            },
            if by.contains(&GroupBy::Model) {
                r.model_id.clone()
            } else {
                "all".to_string()
            },
        );
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((d, r, m), rows)| merge(d, r, m, &rows))
        .collect()
}

/// The totals of all rows.
pub fn totals(rows: &[Row], range: &str) -> Row {
    if rows.is_empty() {
        let mut empty = merge(range.into(), "all".into(), "all".into(), &[]);
        empty.status = "no data".into();
        return empty;
    }
    let all: Vec<&Row> = rows.iter().collect();
    let mut t = merge(range.into(), "all".into(), "all".into(), &all);
    if rows.len() == 1 {
        // A single row keeps its percentiles in `merge`; totals show the average only.
        t.latency = Latency {
            avg_ms: t.latency.avg_ms,
            ..Latency::default()
        };
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::UsageRecord;
    use jiff::civil::date;

    fn priced(day: u8, region: &str, model: &str, inv: u64, total: Option<i64>) -> Priced {
        let mut record = UsageRecord::new(date(2026, 2, day as i8), region, model);
        record.invocations = inv;
        record.latency.avg_ms = Some(100.0 * inv as f64);
        record.latency.p99_ms = Some(5000.0);
        let money = total.map(|c| Decimal::new(c, 2));
        Priced {
            record,
            resolved_model: Some(model.to_string()),
            costs: Costs {
                input: money,
                total: money,
                ..Costs::default()
            },
            unpriced: if total.is_none() {
                vec!["unknown model".into()]
            } else {
                vec![]
            },
            warnings: vec![],
        }
    }

    #[test]
    fn grouping_sums_counts_and_known_costs() {
        let p = vec![
            priced(1, "us-east-1", "a", 1, Some(100)),
            priced(2, "us-east-1", "a", 3, Some(50)),
            priced(1, "us-west-2", "a", 2, None),
            priced(1, "us-west-2", "b", 4, Some(25)),
        ];
        let all = group(&p, &GroupBy::ALL, "r");
        assert_eq!(all.len(), 4);
        assert_eq!(all[1].costs.total, None);
        assert_eq!(all[1].status, "unpriced: unknown model");
        assert_eq!(all[0].latency.p99_ms, Some(5000.0));

        let by_model = group(&p, &[GroupBy::Model], "2026-02-01..2026-02-02");
        assert_eq!(by_model.len(), 2);
        let a = &by_model[0];
        assert_eq!(
            (a.date.as_str(), a.region.as_str()),
            ("2026-02-01..2026-02-02", "all")
        );
        assert_eq!(a.invocations, 6);
        assert_eq!(a.costs.total, Some(Decimal::new(150, 2)));
        assert_eq!(a.status, "partial: 1 of 3 series-days unpriced");
        // Latency: average weighted by invocations; percentiles cannot be merged.
        let expected = (100.0 * 1.0 + 300.0 * 3.0 + 200.0 * 2.0) / 6.0;
        assert_eq!(a.latency.avg_ms, Some(expected));
        assert_eq!(a.latency.p99_ms, None);

        let t = totals(&by_model, "r");
        assert_eq!(t.invocations, 10);
        assert_eq!(t.costs.total, Some(Decimal::new(175, 2)));
        assert_eq!(t.series_days, 4);
    }

    #[test]
    fn a_group_of_unpriced_rows_has_no_cost_never_zero() {
        let p = vec![
            priced(1, "us-east-1", "x", 1, None),
            priced(2, "us-east-1", "x", 1, None),
        ];
        let g = group(&p, &[GroupBy::Region], "r");
        assert_eq!(g[0].costs.total, None);
        assert_eq!(g[0].costs.input, None);
        assert_eq!(totals(&[], "r").status, "no data");
    }
}
