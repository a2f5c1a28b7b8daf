//! JSON: the document's own JSON value, pretty-printed. Money is written as exact numbers.

use super::{Document, Exporter};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(&doc.json)?;
        out.push(b'\n');
        Ok(out)
    }
}
