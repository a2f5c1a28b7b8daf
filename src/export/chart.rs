//! Chart specifications: what a report wants drawn, not how. Reports fill them in
//! [`Document::charts`](super::Document::charts); only the HTML exporter draws them (as inline
//! SVG, see [`super::svg_chart`]); table, CSV, JSON and Markdown ignore them.
//!
//! Giving a new report charts in its HTML output is a matter of pushing `Chart`s onto its
//! document: a kind, the x-axis labels, one named series of values per stack or line, and
//! optional markers (a break-even month, a deployment day).

/// How a chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One bar per x label, the series stacked on one another (cost by model per day).
    StackedBars,
    /// One line per series, a dot on each value (latency percentiles, plan options by month).
    Lines,
    /// One bar per x label and series, side by side (top principals).
    Bars,
}

/// One named series: a value per x label; `None` (or, for bars, zero) draws nothing there.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Untrusted text allowed (model IDs, principals): the HTML exporter escapes it.
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A vertical line at one x label with a caption (e.g. "break-even").
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Index into [`Chart::x_labels`].
    pub at: usize,
    pub label: String,
}

/// One chart of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    /// What the y axis measures, with its unit ("cost (USD)", "tokens", "ms").
    pub y_label: String,
    /// One label per category on the x axis (days, months, principals, modes).
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    /// Shown under the chart (what was left out, how values were chosen).
    pub caption: Option<String>,
}

impl Chart {
    pub fn new(kind: ChartKind, title: impl Into<String>, y_label: impl Into<String>) -> Chart {
        Chart {
            title: title.into(),
            kind,
            y_label: y_label.into(),
            x_labels: Vec::new(),
            series: Vec::new(),
            markers: Vec::new(),
            caption: None,
        }
    }

    /// Whether anything would be drawn (some series has a positive value).
    pub fn has_data(&self) -> bool {
        self.series
            .iter()
            .flat_map(|s| s.values.iter())
            .any(|v| v.is_some_and(|v| v > 0.0 && v.is_finite()))
    }

    /// The largest value the y axis must reach: the highest stack for stacked bars, else
    /// the highest single value.
    pub fn y_max(&self) -> f64 {
        let finite = |v: &Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
        match self.kind {
            ChartKind::StackedBars => (0..self.x_labels.len())
                .map(|i| {
                    self.series
                        .iter()
                        .filter_map(|s| s.values.get(i).and_then(finite))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
            _ => self
                .series
                .iter()
                .flat_map(|s| s.values.iter().filter_map(finite))
                .fold(0.0, f64::max),
        }
    }
}

/// A decimal as a chart value (charts need not be exact; tables and JSON are).
pub fn value(d: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_max_is_the_highest_stack() {
        let mut c = Chart::new(ChartKind::StackedBars, "t", "y");
        c.x_labels = vec!["a".into(), "b".into()];
        c.series = vec![
            Series {
                name: "s1".into(),
                values: vec![Some(1.0), Some(4.0)],
            },
            Series {
                name: "s2".into(),
                values: vec![Some(2.5), None],
            },
        ];
        assert_eq!(c.y_max(), 4.0);
        c.series[1].values[1] = Some(0.5);
        assert_eq!(c.y_max(), 4.5);
        c.kind = ChartKind::Lines;
        assert_eq!(c.y_max(), 4.0);
        assert!(c.has_data());
        c.series.clear();
        assert!(!c.has_data());
    }
}
