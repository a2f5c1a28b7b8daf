//! The estimate's chart (HTML output): the cost under each pricing mode.

use super::Estimate;
use crate::export::chart::value;
use crate::export::{Chart, ChartKind, Series};

pub fn estimate_charts(est: &Estimate) -> Vec<Chart> {
    let mut chart = Chart::new(ChartKind::Bars, "Cost by pricing mode", "cost (USD)");
    chart.x_labels = est.modes.iter().map(|m| m.mode.to_string()).collect();
    chart.series = vec![Series {
        name: "total".into(),
        values: est.modes.iter().map(|m| Some(value(m.total_usd))).collect(),
    }];
    if est.modes.iter().any(|m| !m.complete) {
        chart.caption =
            Some("incomplete modes (unpriced dimensions) show their priced part".into());
    }
    vec![chart]
}
