//! The plan's charts (HTML output): each workload's options month by month, with the month
//! its traffic first reaches a provisioned term's break-even volume marked.

use super::report::Plan;
use crate::export::chart::value;
use crate::export::{Chart, ChartKind, Marker, Series};

pub fn plan_charts(p: &Plan) -> Vec<Chart> {
    let mut charts = Vec::new();
    for w in &p.workloads {
        let mut chart = Chart::new(
            ChartKind::Lines,
            format!("{}: options by month", w.name),
            "cost (USD)",
        );
        chart.x_labels = w.months.iter().map(|m| m.month.to_string()).collect();
        let mut options: Vec<_> = Vec::new();
        for m in &w.months {
            for o in &m.options {
                if !options.contains(&o.option) {
                    options.push(o.option);
                }
            }
        }
        for option in options {
            chart.series.push(Series {
                name: option.as_str().to_string(),
                values: w
                    .months
                    .iter()
                    .map(|m| {
                        m.options
                            .iter()
                            .find(|o| o.option == option && o.complete)
                            .map(|o| value(o.total_usd))
                    })
                    .collect(),
            });
        }
        for be in &w.break_even {
            let Some(needed) = be.requests_per_day else {
                continue;
            };
            let needed = rust_decimal::Decimal::from(needed);
            if let Some(at) = w.months.iter().position(|m| m.requests_per_day >= needed) {
                chart.markers.push(Marker {
                    at,
                    label: format!("break-even {} ({needed} requests/day)", be.term),
                });
            }
        }
        charts.push(chart);
    }
    charts
}
