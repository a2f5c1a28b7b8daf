//! Sends a document to stdout or a file in the chosen format.

use std::path::PathBuf;

use crate::export::{Document, Format, exporter, write::emit};

/// `--format` and `--output`.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl Output {
    pub fn write(&self, doc: &Document) -> anyhow::Result<()> {
        let bytes = exporter(self.format).export(doc)?;
        emit(self.path.as_deref(), &bytes)
    }
}
