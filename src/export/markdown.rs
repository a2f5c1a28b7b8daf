//! GitHub-flavoured Markdown: summary as a list, the table as a pipe table, notes as a list.

use super::sanitize::for_terminal;
use super::{Document, Exporter};

pub struct MarkdownExporter;

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    for_terminal(s).replace('\\', "\\\\").replace('|', "\\|")
}

impl Exporter for MarkdownExporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>> {
        let mut out = String::new();
        if let Some(title) = &doc.title {
            out.push_str(&format!("## {}\n\n", cell(title)));
        }
        for (k, v) in &doc.summary {
            out.push_str(&format!("- **{}**: {}\n", cell(k), cell(v)));
        }
        if !doc.summary.is_empty() {
            out.push('\n');
        }
        if !doc.table.headers.is_empty() {
            out.push_str(&format!(
                "| {} |\n",
                doc.table
                    .headers
                    .iter()
                    .map(|h| cell(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            let first = doc.table.rows.first();
            let aligns: Vec<&str> = (0..doc.table.headers.len())
                .map(|i| {
                    if first.and_then(|r| r.get(i)).is_some_and(|c| c.is_numeric()) {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            out.push_str(&format!("| {} |\n", aligns.join(" | ")));
            for row in &doc.table.rows {
                out.push_str(&format!(
                    "| {} |\n",
                    row.iter()
                        .map(|c| cell(&c.human()))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
        }
        if !doc.notes.is_empty() {
            out.push('\n');
            for n in &doc.notes {
                out.push_str(&format!("- {}\n", cell(n)));
            }
        }
        Ok(out.into_bytes())
    }
}
