//! Report rows: priced records, grouped by the keys of `--by` (day, Region, model, and —
//! where the source knows them — principal and `tag:KEY`).
//!
//! Grouping sums counts and costs. A money cell adds up the amounts that are known and is
//! empty only when none is; a row that includes unpriced usage says so in `status`.
//! Latency averages are combined weighted by invocations; percentiles cannot be combined,
//! so a row that merges several series-days leaves them empty.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::price::{Costs, Priced};
use crate::records::{Latency, Source};

/// A grouping key of `--by`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupBy {
    Day,
    Region,
    Model,
    /// The normalised caller (sources with principals only).
    Principal,
    /// The value of one tag, `tag:KEY` (sources with tags only).
    Tag(String),
}

/// The label of rows without a value for a grouped principal or tag.
pub const NONE_LABEL: &str = "(none)";

impl GroupBy {
    /// The three keys of CloudWatch's own grain: one row per day × Region × series.
    pub const ALL: [GroupBy; 3] = [GroupBy::Day, GroupBy::Region, GroupBy::Model];

    /// The key as `--by` spells it (`day`, `principal`, `tag:team`).
    pub fn label(&self) -> String {
        match self {
            GroupBy::Day => "day".into(),
            GroupBy::Region => "region".into(),
            GroupBy::Model => "model".into(),
            GroupBy::Principal => "principal".into(),
            GroupBy::Tag(k) => format!("tag:{k}"),
        }
    }

    /// Whether records of `source` can answer this key; the error says why not and where
    /// the key can be had.
    pub fn check_source(&self, source: Source) -> Result<(), String> {
        match self {
            GroupBy::Principal if !source.has_principals() => Err(format!(
                "--by principal: {} has no caller. Per-principal usage comes from model-invocation logs, or as an apportioned estimate from `report governance --apportion-cost` (CloudTrail)",
                source_name(source)
            )),
            GroupBy::Tag(k) if !source.has_tags() => Err(format!(
                "--by tag:{k}: {} has no tags. Tags come from model-invocation logs (requestMetadata) and application inference profiles",
                source_name(source)
            )),
            _ => Ok(()),
        }
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::CloudWatch => "CloudWatch (AWS/Bedrock metrics)",
        Source::CloudTrailApportioned => "CloudTrail",
        Source::InvocationLogs => "the invocation logs",
    }
}

impl std::str::FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if let Some(key) = t.strip_prefix("tag:").or_else(|| t.strip_prefix("TAG:")) {
            if key.is_empty() {
                return Err("`tag:` needs a tag key, like tag:team".to_string());
            }
            return Ok(GroupBy::Tag(key.to_string()));
        }
        match t.to_ascii_lowercase().as_str() {
            "day" | "date" => Ok(GroupBy::Day),
            "region" => Ok(GroupBy::Region),
            "model" | "model_id" => Ok(GroupBy::Model),
            "principal" | "caller" => Ok(GroupBy::Principal),
            _ => Err(format!(
                "unknown grouping `{s}` (expected day, region, model, principal or tag:KEY)"
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
    /// The principal, when grouped by principal (`(none)` for usage without one).
    pub principal: Option<String>,
    /// The values of the grouped tags, in `--by` order (`(none)` for untagged usage).
    pub tags: Vec<(String, String)>,
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
            principal: r.principal.clone(),
            tags: r.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
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

/// The labels of a group: the key columns of its row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labels {
    pub date: String,
    pub region: String,
    pub model_id: String,
    pub principal: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl Labels {
    fn plain(date: String, region: String, model_id: String) -> Labels {
        Labels {
            date,
            region,
            model_id,
            principal: None,
            tags: Vec::new(),
        }
    }
}

/// Merges rows into one, under the given labels.
pub fn merge(date: String, region: String, model_id: String, rows: &[&Row]) -> Row {
    merge_labelled(Labels::plain(date, region, model_id), rows)
}

/// Merges rows into one, under the given labels (principal and tags included).
pub fn merge_labelled(labels: Labels, rows: &[&Row]) -> Row {
    let Labels {
        date,
        region,
        model_id,
        principal,
        tags,
    } = labels;
    if let [only] = rows {
        return Row {
            date,
            region,
            model_id,
            principal,
            tags,
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
        principal,
        tags,
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

/// Groups priced records by `by` (day, Region and model alone: one row per record).
/// `range` labels the date column when days are not a key. Rows are sorted by date,
/// Region, model, then principal and tag values.
pub fn group(priced: &[Priced], by: &[GroupBy], range: &str) -> Vec<Row> {
    let singles: Vec<Row> = priced.iter().map(Row::of).collect();
    let tag_keys: Vec<&str> = by
        .iter()
        .filter_map(|g| match g {
            GroupBy::Tag(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let mut groups: BTreeMap<Labels, Vec<&Row>> = BTreeMap::new();
    for r in &singles {
        let labels = Labels {
            date: if by.contains(&GroupBy::Day) {
                r.date.clone()
            } else {
                range.to_string()
            },
            region: if by.contains(&GroupBy::Region) {
                r.region.clone()
            } else {
                "all".to_string()
            },
            model_id: if by.contains(&GroupBy::Model) {
                r.model_id.clone()
            } else {
                "all".to_string()
            },
            principal: by
                .contains(&GroupBy::Principal)
                .then(|| r.principal.clone().unwrap_or_else(|| NONE_LABEL.into())),
            tags: tag_keys
                .iter()
                .map(|k| {
                    let v = r
                        .tags
                        .iter()
                        .find(|(tk, _)| tk == k)
                        .map(|(_, v)| v.clone());
                    (k.to_string(), v.unwrap_or_else(|| NONE_LABEL.into()))
                })
                .collect(),
        };
        groups.entry(labels).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(labels, rows)| merge_labelled(labels, &rows))
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
    let first = &rows[0];
    let labels = Labels {
        principal: first.principal.as_ref().map(|_| "all".to_string()),
        tags: first
            .tags
            .iter()
            .map(|(k, _)| (k.clone(), "all".to_string()))
            .collect(),
        ..Labels::plain(range.into(), "all".into(), "all".into())
    };
    let mut t = merge_labelled(labels, &all);
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
    use crate::records::UsageRecord;
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

    fn with_caller(p: Priced, principal: Option<&str>, team: Option<&str>) -> Priced {
        let mut p = p;
        p.record.principal = principal.map(str::to_string);
        if let Some(t) = team {
            p.record.tags.insert("team".into(), t.into());
        }
        p.record.source = Source::InvocationLogs;
        p
    }

    #[test]
    fn grouping_by_principal_and_tag_keeps_callers_apart() {
        let alice = "arn:aws:iam::1:user/alice";
        let bob = "arn:aws:sts::1:assumed-role/app/bob";
        let p = vec![
            with_caller(
                priced(1, "us-east-1", "a", 1, Some(100)),
                Some(alice),
                Some("x"),
            ),
            with_caller(
                priced(1, "us-east-1", "a", 2, Some(200)),
                Some(bob),
                Some("y"),
            ),
            with_caller(priced(2, "us-east-1", "a", 4, Some(400)), Some(alice), None),
            with_caller(priced(2, "us-east-1", "b", 8, None), None, Some("x")),
        ];
        let by_principal = group(&p, &[GroupBy::Principal], "r");
        let got: Vec<(Option<&str>, u64)> = by_principal
            .iter()
            .map(|r| (r.principal.as_deref(), r.invocations))
            .collect();
        assert_eq!(
            got,
            vec![(Some("(none)"), 8), (Some(alice), 5), (Some(bob), 2)]
        );
        assert_eq!(by_principal[1].costs.total, Some(Decimal::new(500, 2)));
        assert_eq!(by_principal[1].region, "all");

        let by_team = group(&p, &[GroupBy::Tag("team".into())], "r");
        let got: Vec<(String, u64)> = by_team
            .iter()
            .map(|r| (r.tags[0].1.clone(), r.invocations))
            .collect();
        assert_eq!(
            got,
            vec![("(none)".into(), 4), ("x".into(), 9), ("y".into(), 2)]
        );
        assert_eq!(by_team[1].status, "partial: 1 of 2 series-days unpriced");
        let t = totals(&by_team, "r");
        assert_eq!(t.tags, vec![("team".to_string(), "all".to_string())]);
        assert_eq!(t.invocations, 15);

        // Without principal in --by, a caller's rows of the same series-day merge.
        let plain = group(&p, &GroupBy::ALL, "r");
        assert_eq!(plain.len(), 3);
        assert_eq!(plain[0].invocations, 3);
        assert_eq!(plain[0].principal, None);
    }

    #[test]
    fn keys_a_source_cannot_answer_are_refused_with_the_reason() {
        assert!(GroupBy::Model.check_source(Source::CloudWatch).is_ok());
        let e = GroupBy::Principal
            .check_source(Source::CloudWatch)
            .unwrap_err();
        assert!(
            e.contains("CloudWatch") && e.contains("invocation logs"),
            "{e}"
        );
        assert!(
            GroupBy::Principal
                .check_source(Source::CloudTrailApportioned)
                .is_ok()
        );
        let e = GroupBy::Tag("team".into())
            .check_source(Source::CloudTrailApportioned)
            .unwrap_err();
        assert!(e.contains("tag:team"), "{e}");
        assert!(
            GroupBy::Tag("team".into())
                .check_source(Source::InvocationLogs)
                .is_ok()
        );
        assert_eq!(
            "tag:cost-center".parse::<GroupBy>().unwrap().label(),
            "tag:cost-center"
        );
        assert_eq!("Principal".parse::<GroupBy>().unwrap(), GroupBy::Principal);
        assert!("tag:".parse::<GroupBy>().is_err());
        assert!("team".parse::<GroupBy>().unwrap_err().contains("tag:KEY"));
    }
}
