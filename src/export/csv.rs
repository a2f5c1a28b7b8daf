//! CSV for spreadsheets and cost tools: the document's table, one header row, exact
//! decimals without currency signs. Text cells are protected against formula injection.

use super::sanitize::for_csv;
use super::{Cell, Document, Exporter};

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
