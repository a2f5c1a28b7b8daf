//! Human-readable table for terminals, drawn by prettytable-rs: a ruled header, no rule
//! between rows (as AWS CLI's `--output table` and psql), money to a sensible precision
//! ([`brief_usd`]).
//!
//! With a width (the terminal's, see `cli::output`), the table is fitted to it
//! ([`super::fit`]): columns are left out in the document's `drop_order`, long text cells
//! wrapped, and a note names what was left out. Without one (`--wide`, or output that is not
//! a terminal) every column is drawn at full width.

use prettytable::format::{Alignment, FormatBuilder, LinePosition, LineSeparator, TableFormat};
use prettytable::{Cell as PCell, Row};

use super::fit::{layout, wrap};
use super::precision::brief_usd;
use super::sanitize::for_terminal;
use super::{Cell, Document, Exporter};

pub struct TableExporter {
    /// Characters the table may take; `None`: every column at full width.
    pub width: Option<usize>,
}

/// Box-drawn borders, a rule under the header, none between rows.
fn table_format() -> TableFormat {
    FormatBuilder::new()
        .column_separator('│')
        .borders('│')
        .separator(LinePosition::Top, LineSeparator::new('─', '┬', '┌', '┐'))
        .separator(LinePosition::Title, LineSeparator::new('─', '┼', '├', '┤'))
        .separator(LinePosition::Bottom, LineSeparator::new('─', '┴', '└', '┘'))
        .padding(1, 1)
        .build()
}

/// A cell as the table shows it.
fn shown(c: &Cell) -> String {
    match c {
        Cell::Money(d) => brief_usd(*d),
        other => for_terminal(&other.human()),
    }
}

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
        let mut notes = Vec::new();
        if !doc.table.headers.is_empty() {
            let headers: Vec<String> = doc.table.headers.iter().map(|h| for_terminal(h)).collect();
            let cells: Vec<Vec<String>> = doc
                .table
                .rows
                .iter()
                .map(|r| r.iter().map(shown).collect())
                .collect();
            let numeric: Vec<bool> = (0..headers.len())
                .map(|i| {
                    doc.table
                        .rows
                        .iter()
                        .filter_map(|r| r.get(i))
                        .any(Cell::is_numeric)
                })
                .collect();
            let fitted = self
                .width
                .map(|w| layout(&headers, &cells, &numeric, &doc.drop_order, w));
            let (keep, widths): (Vec<usize>, Vec<Option<usize>>) = match &fitted {
                Some(l) => (l.keep.clone(), l.widths.iter().map(|w| Some(*w)).collect()),
                None => ((0..headers.len()).collect(), vec![None; headers.len()]),
            };
            let fit = |s: &str, k: usize| match widths[k] {
                Some(w) => wrap(s, w),
                None => s.to_string(),
            };
            let mut t = prettytable::Table::new();
            t.set_format(table_format());
            t.set_titles(Row::new(
                keep.iter()
                    .enumerate()
                    .map(|(k, &i)| PCell::new(&fit(&headers[i], k)).style_spec("b"))
                    .collect(),
            ));
            for (row, texts) in doc.table.rows.iter().zip(&cells) {
                t.add_row(Row::new(
                    keep.iter()
                        .enumerate()
                        .map(|(k, &i)| {
                            let text = texts.get(i).map(String::as_str).unwrap_or("");
                            let mut cell = PCell::new(&fit(text, k));
                            if row.get(i).is_some_and(Cell::is_numeric) {
                                cell.align(Alignment::RIGHT);
                            }
                            cell
                        })
                        .collect(),
                ));
            }
            out.push_str(&t.to_string());
            if let Some(l) = fitted.filter(|l| !l.dropped.is_empty()) {
                notes.push(format!(
                    "{} column(s) left out to fit {} characters: {} (--wide shows every column; CSV and JSON have them all)",
                    l.dropped.len(),
                    self.width.unwrap_or_default(),
                    l.dropped.join(", ")
                ));
            }
        }
        for n in doc.notes.iter().map(|n| for_terminal(n)).chain(notes) {
            out.push_str(&format!("note: {n}\n"));
        }
        Ok(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Table;

    fn doc() -> Document {
        let mut table = Table::new(&["id", "regions", "cost"]);
        table.push(vec![
            Cell::from("anthropic.claude-3-haiku-20240307-v1:0"),
            Cell::from("us-east-1 us-west-2 eu-west-1 ap-northeast-1"),
            Cell::Money("0.00059875".parse().unwrap()),
        ]);
        table.push(vec![
            Cell::from("b"),
            Cell::from("us-east-1"),
            Cell::Money("1234.5".parse().unwrap()),
        ]);
        Document {
            table,
            drop_order: vec!["regions".into()],
            ..Document::default()
        }
    }

    #[test]
    fn full_width_has_no_rule_between_rows_and_brief_money() {
        let out = String::from_utf8(TableExporter { width: None }.export(&doc()).unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6, "{out}");
        assert!(
            lines[0].starts_with('┌') && lines[2].starts_with('├') && lines[5].starts_with('└')
        );
        assert!(
            lines[3].contains("$0.000599") && lines[4].contains("$1234.50"),
            "{out}"
        );
        assert!(lines[3].contains("ap-northeast-1"));
    }

    #[test]
    fn narrow_terminal_drops_then_wraps() {
        let out =
            String::from_utf8(TableExporter { width: Some(40) }.export(&doc()).unwrap()).unwrap();
        for line in out.lines().filter(|l| !l.starts_with("note:")) {
            assert!(line.chars().count() <= 40, "{line:?} in\n{out}");
        }
        assert!(!out.lines().nth(1).unwrap().contains("regions"), "{out}");
        assert!(out.contains("note: 1 column(s) left out to fit 40 characters: regions"));
        // The long ID is wrapped, not cut: its pieces are all there.
        assert!(out.contains("anthropic.claude-"), "{out}");
    }
}
