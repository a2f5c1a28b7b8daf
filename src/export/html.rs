//! One self-contained HTML file: title, summary, charts (inline SVG drawn by
//! [`super::svg_chart`]), the table and the notes. Inline CSS only: no scripts, fonts or
//! external resources, so the file can be mailed, attached to a ticket or served from S3,
//! and it prints readably.
//!
//! Every string is escaped with [`for_html`] (control characters made visible first), so
//! model IDs, principals and user agents from AWS records come out as inert text. The
//! markup is also well-formed XML (every element closed, attributes quoted).

use super::sanitize::for_html;
use super::svg_chart::{colour_hex, svg};
use super::{Cell, Chart, Document, Exporter};

pub struct HtmlExporter;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;margin-bottom:.5rem}
h2{font-size:1.1rem;margin:0 0 .3rem}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0}
dl.summary dt{font-weight:600}
dl.summary dd{margin:0}
figure.chart{margin:1.5rem 0;break-inside:avoid;page-break-inside:avoid}
figure.chart svg{max-width:100%;height:auto;display:block}
ul.legend{list-style:none;padding:0;margin:.2rem 0 .4rem;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:.85rem}
ul.legend li{display:flex;align-items:center;gap:.35rem;word-break:break-all}
span.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
p.caption{font-size:.85rem;color:#555;margin:.2rem 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f4f6;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid #999}
ul.notes{font-size:.9rem}
footer{font-size:.8rem;color:#777;margin-top:2rem}
@media print{body{margin:0;max-width:none}th{position:static}.table-wrap{overflow:visible}}
";

fn chart_html(out: &mut String, index: usize, chart: &Chart) -> anyhow::Result<()> {
    let kind = match chart.kind {
        super::ChartKind::StackedBars => "stacked-bars",
        super::ChartKind::Lines => "lines",
        super::ChartKind::Bars => "bars",
    };
    out.push_str(&format!(
        "<figure class=\"chart\" id=\"chart-{index}\" data-kind=\"{kind}\">\n<h2>{}</h2>\n<ul class=\"legend\">\n",
        for_html(&chart.title)
    ));
    for (i, s) in chart.series.iter().enumerate() {
        let colour = colour_hex(i);
        out.push_str(&format!(
            "<li data-colour=\"{colour}\"><span class=\"swatch\" style=\"background:{colour}\"></span>{}</li>\n",
            for_html(&s.name)
        ));
    }
    for m in &chart.markers {
        out.push_str(&format!(
            "<li class=\"marker\"><span class=\"swatch\" style=\"background:#D62728\"></span>{}</li>\n",
            for_html(&m.label)
        ));
    }
    out.push_str("</ul>\n");
    out.push_str(&svg(chart)?);
    if let Some(c) = &chart.caption {
        out.push_str(&format!("<p class=\"caption\">{}</p>\n", for_html(c)));
    }
    out.push_str("</figure>\n");
    Ok(())
}

impl Exporter for HtmlExporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>> {
        let title = doc.title.as_deref().unwrap_or("bedrock-meter");
        let mut out = String::new();
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
        out.push_str(&format!("<title>{}</title>\n", for_html(title)));
        out.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
        out.push_str(&format!("<h1>{}</h1>\n", for_html(title)));
        if !doc.summary.is_empty() {
            out.push_str("<dl class=\"summary\">\n");
            for (k, v) in &doc.summary {
                out.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>\n",
                    for_html(k),
                    for_html(v)
                ));
            }
            out.push_str("</dl>\n");
        }
        let drawn: Vec<&Chart> = doc.charts.iter().filter(|c| c.has_data()).collect();
        if !drawn.is_empty() {
            out.push_str("<section class=\"charts\">\n");
            for (i, c) in drawn.iter().enumerate() {
                chart_html(&mut out, i, c)?;
            }
            out.push_str("</section>\n");
        }
        if !doc.table.headers.is_empty() {
            out.push_str("<div class=\"table-wrap\">\n<table>\n<thead><tr>");
            for h in &doc.table.headers {
                out.push_str(&format!("<th>{}</th>", for_html(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in &doc.table.rows {
                let total = matches!(row.first(), Some(Cell::Text(t)) if t == "TOTAL");
                out.push_str(if total {
                    "<tr class=\"total\">"
                } else {
                    "<tr>"
                });
                for c in row {
                    let class = if c.is_numeric() { " class=\"num\"" } else { "" };
                    out.push_str(&format!("<td{class}>{}</td>", for_html(&c.human())));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n</div>\n");
        }
        if !doc.notes.is_empty() {
            out.push_str("<ul class=\"notes\">\n");
            for n in &doc.notes {
                out.push_str(&format!("<li>{}</li>\n", for_html(n)));
            }
            out.push_str("</ul>\n");
        }
        out.push_str(&format!(
            "<footer>bedrock-meter {}: the same numbers as the CSV and JSON output; charts round, tables do not.</footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        ));
        Ok(out.into_bytes())
    }
}
