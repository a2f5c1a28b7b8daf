//! Human-readable table for terminals, drawn by prettytable-rs.

use prettytable::format::{self, Alignment};
use prettytable::{Cell as PCell, Row};

use super::sanitize::for_terminal;
use super::{Document, Exporter};

pub struct TableExporter;

impl Exporter for TableExporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>> {
        let mut out = String::new();
        if let Some(title) = &doc.title {
            out.push_str(&for_terminal(title));
            out.push('\n');
        }
        for (k, v) in &doc.summary {
            out.push_str(&format!("{}: {}\n", for_terminal(k), for_terminal(v)));
        }
        if !doc.table.headers.is_empty() {
            let mut t = prettytable::Table::new();
            t.set_format(*format::consts::FORMAT_BOX_CHARS);
            t.set_titles(Row::new(
                doc.table
                    .headers
                    .iter()
                    .map(|h| PCell::new(&for_terminal(h)).style_spec("b"))
                    .collect(),
            ));
            for row in &doc.table.rows {
                t.add_row(Row::new(
                    row.iter()
                        .map(|c| {
                            let cell = PCell::new(&for_terminal(&c.human()));
                            if c.is_numeric() {
                                cell.with_style(prettytable::Attr::Bold)
                                    .tap_align(Alignment::RIGHT)
                            } else {
                                cell
                            }
                        })
                        .collect(),
                ));
            }
            out.push_str(&t.to_string());
        }
        for n in &doc.notes {
            out.push_str(&format!("note: {}\n", for_terminal(n)));
        }
        Ok(out.into_bytes())
    }
}

trait TapAlign {
    fn tap_align(self, a: Alignment) -> Self;
}

impl TapAlign for PCell {
    fn tap_align(mut self, a: Alignment) -> Self {
        self.align(a);
        self
    }
}
