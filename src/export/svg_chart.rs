//! Draws a [`Chart`] as an SVG image with plotters' SVG backend.
//!
//! Every data point is one mark: a `<rect>` (bars; stacked bars draw one rect per segment)
//! or a `<circle>` (lines), filled with its series' colour from [`PALETTE`]; the HTML
//! exporter shows the legend (series name → colour) beside the image. Zero and missing
//! values draw nothing. Heights are proportional to the values (the y axis starts at 0).
//!
//! plotters escapes `<`, `>`, `&` and quotes in text and attributes; control characters are
//! made visible before text reaches it (they are not allowed in XML).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::chart::{Chart, ChartKind};
use super::sanitize::for_terminal;

/// Series colours, in order (a chart has at most this many series; reports fold the rest
/// into an "other" series). None of them is the marker colour.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0x7F, 0x7F, 0x7F),
    RGBColor(0xBC, 0xBD, 0x22),
    RGBColor(0x17, 0xBE, 0xCF),
    RGBColor(0x39, 0x3B, 0x79),
];

/// Markers (break-even and the like).
pub const MARKER: RGBColor = RGBColor(0xD6, 0x27, 0x28);

pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 340;

/// `#RRGGBB` of series `i`, as written in the SVG.
pub fn colour_hex(i: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Shortens a label for an axis, keeping its end (the distinctive part of ARNs and model
/// IDs: `…user/alice`); the full text is in the table.
fn axis_label(s: &str, max: usize) -> String {
    let clean = for_terminal(s);
    let count = clean.chars().count();
    if count <= max {
        clean
    } else {
        let tail: String = clean.chars().skip(count + 1 - max).collect();
        format!("…{tail}")
    }
}

/// The chart as an SVG document (`<svg …>…</svg>`).
pub fn svg(chart: &Chart) -> anyhow::Result<String> {
    let mut buf = String::new();
    draw(chart, &mut buf)
        .map_err(|e| anyhow::anyhow!("cannot draw chart `{}`: {e}", chart.title))?;
    Ok(buf)
}

fn draw(chart: &Chart, buf: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let n = chart.x_labels.len().max(1);
    let y_max = match chart.y_max() {
        m if m > 0.0 => m * 1.08,
        _ => 1.0,
    };
    let labels: Vec<String> = chart
        .x_labels
        .iter()
        .map(|l| axis_label(l, (120 / n.max(4)).max(10)))
        .collect();
    // Label every `step`-th category, so that labels (about 6.5 px a character at 12 px)
    // do not overlap on the ~800 px axis.
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) + 2;
    let step = ((n * longest) as f64 * 6.5 / 800.0).ceil().max(1.0) as usize;
    let y_label = for_terminal(&chart.y_label);
    let root = SVGBackend::with_string(buf, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    // Category i is centred on x = i: whole numbers are ticks plotters picks by itself.
    let mut ctx = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max)?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(0xF2, 0xF2, 0xF2))
        .x_labels(n.min(31))
        .x_label_formatter(&|x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize).is_multiple_of(step) {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_style(("sans-serif", 12))
        .y_desc(y_label.as_str())
        .y_label_formatter(&|v: &f64| short_number(*v))
        .draw()?;
    draw_marks(chart, &mut ctx, n)?;
    for (k, m) in chart.markers.iter().filter(|m| m.at < n).enumerate() {
        let x = m.at as f64;
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, y_max)],
            MARKER.stroke_width(2),
        )))?;
        ctx.draw_series(std::iter::once(Text::new(
            axis_label(&m.label, 40),
            // Stacked captions, so markers at nearby months stay readable.
            (x, y_max * (0.99 - 0.06 * k as f64)),
            ("sans-serif", 12).into_font().color(&MARKER),
        )))?;
    }
    root.present()?;
    Ok(())
}

type Ctx<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_marks(
    chart: &Chart,
    ctx: &mut Ctx<'_, '_>,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let positive = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
    match chart.kind {
        ChartKind::StackedBars => {
            let mut base = vec![0f64; n];
            for (k, s) in chart.series.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                let mut rects = Vec::new();
                for (i, v) in s.values.iter().enumerate().take(n) {
                    if let Some(v) = positive(*v) {
                        let x0 = i as f64 - 0.38;
                        rects.push(Rectangle::new(
                            [(x0, base[i] + v), (x0 + 0.76, base[i])],
                            colour.filled(),
                        ));
                        base[i] += v;
                    }
                }
                ctx.draw_series(rects).map_err(|e| e.to_string())?;
            }
        }
        ChartKind::Bars => {
            let width = 0.8 / chart.series.len().max(1) as f64;
            for (k, s) in chart.series.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                let rects: Vec<_> = s
                    .values
                    .iter()
                    .enumerate()
                    .take(n)
                    .filter_map(|(i, v)| positive(*v).map(|v| (i, v)))
                    .map(|(i, v)| {
                        let x0 = i as f64 - 0.4 + k as f64 * width;
                        Rectangle::new([(x0, v), (x0 + width * 0.92, 0.0)], colour.filled())
                    })
                    .collect();
                ctx.draw_series(rects).map_err(|e| e.to_string())?;
            }
        }
        ChartKind::Lines => {
            for (k, s) in chart.series.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                // One polyline per run of present values; a dot on every value.
                let mut run: Vec<(f64, f64)> = Vec::new();
                let mut runs = Vec::new();
                for (i, v) in s.values.iter().enumerate().take(n) {
                    match positive(*v) {
                        Some(v) => run.push((i as f64, v)),
                        None => runs.push(std::mem::take(&mut run)),
                    }
                }
                runs.push(run);
                for r in runs.iter().filter(|r| r.len() > 1) {
                    ctx.draw_series(std::iter::once(PathElement::new(
                        r.clone(),
                        colour.stroke_width(2),
                    )))
                    .map_err(|e| e.to_string())?;
                }
                let dots: Vec<_> = runs
                    .iter()
                    .flatten()
                    .map(|p| Circle::new(*p, 3, colour.filled()))
                    .collect();
                ctx.draw_series(dots).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// `1.5k`, `2.3M`, `0.004` for axis ticks.
fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::chart::Series;

    #[test]
    fn one_rect_per_positive_value_and_escaped_labels() {
        let mut c = Chart::new(ChartKind::StackedBars, "t", "cost <USD>");
        c.x_labels = vec!["<script>".into(), "b".into()];
        c.series = vec![Series {
            name: "s".into(),
            values: vec![Some(2.0), Some(0.0)],
        }];
        let s = svg(&c).unwrap();
        assert_eq!(s.matches(&format!("fill=\"{}\"", colour_hex(0))).count(), 1);
        assert!(!s.contains("<script>"), "{s}");
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.contains("cost &lt;USD&gt;"));
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(1_500_000.0), "1.5M");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(42.0), "42");
    }
}
