//! CSV for spreadsheets and cost tools: the document's table, one header row, exact
//! decimals without currency signs. Text cells are protected against formula injection.
//! [`read_csv`] reads such a file back (for `--append` history files).

use super::sanitize::for_csv;
use super::{Cell, Document, Exporter, Table};

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(&doc.table.headers)?;
        for row in &doc.table.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => for_csv(s),
                other => other.plain(),
            }))?;
        }
        Ok(w.into_inner()?)
    }
}

/// Reads a CSV file with a header row into a table of text cells, as written (a cell that
/// the writer protected with a leading `'` keeps it, so writing the table again gives the
/// same bytes).
pub fn read_csv(bytes: &[u8]) -> anyhow::Result<Table> {
    let mut r = ::csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let mut table = Table {
        headers,
        rows: Vec::new(),
    };
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| anyhow::anyhow!("CSV row {}: {e}", i + 2))?;
        table.rows.push(
            rec.iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_csv_reads_back_to_the_same_bytes() {
        let mut table = Table::new(&["id", "n", "cost"]);
        table.push(vec![
            Cell::from("=cmd()"),
            Cell::Int(3),
            Cell::Money("0.5".parse().unwrap()),
        ]);
        table.push(vec![Cell::from("a,b \"q\""), Cell::Empty, Cell::Empty]);
        let doc = Document {
            table,
            ..Document::default()
        };
        let first = CsvExporter.export(&doc).unwrap();
        let again = Document {
            table: read_csv(&first).unwrap(),
            ..Document::default()
        };
        assert_eq!(CsvExporter.export(&again).unwrap(), first);
    }
}
