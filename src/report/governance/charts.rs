//! The governance report's chart (HTML output): calls and errors of the busiest principals.

use std::collections::BTreeMap;

use super::GovernanceReport;
use crate::export::{Chart, ChartKind, Series};

/// Principals drawn.
pub const TOP_PRINCIPALS: usize = 10;

pub fn governance_charts(report: &GovernanceReport) -> Vec<Chart> {
    let mut per: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in &report.rows {
        let e = per.entry(r.principal.as_str()).or_default();
        e.0 += r.calls;
        e.1 += r.error_calls;
    }
    let mut ranked: Vec<(&str, (u64, u64))> = per.into_iter().collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let top = &ranked[..ranked.len().min(TOP_PRINCIPALS)];
    let mut chart = Chart::new(ChartKind::Bars, "Calls and errors by principal", "calls");
    chart.x_labels = top.iter().map(|(p, _)| p.to_string()).collect();
    chart.series = vec![
        Series {
            name: "calls".into(),
            values: top.iter().map(|(_, (c, _))| Some(*c as f64)).collect(),
        },
        Series {
            name: "errors".into(),
            values: top.iter().map(|(_, (_, e))| Some(*e as f64)).collect(),
        },
    ];
    if ranked.len() > TOP_PRINCIPALS {
        chart.caption = Some(format!(
            "the {TOP_PRINCIPALS} busiest of {} principals; the table has them all",
            ranked.len()
        ));
    }
    vec![chart]
}
