//! Sends a document to stdout or a file in the chosen format.

use std::path::PathBuf;

use std::io::IsTerminal;

use crate::export::{Document, Format, exporter_fitted, write::emit};

/// `--format`, `--output` and the width tables are fitted to.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
    /// Characters a table may take (`None`: every column, full width).
    pub width: Option<usize>,
}

impl Output {
    pub fn write(&self, doc: &Document) -> anyhow::Result<()> {
        let bytes = exporter_fitted(self.format, self.width).export(doc)?;
        emit(self.path.as_deref(), &bytes)
    }
}

/// The width a table is fitted to: none with `--wide` or `-o FILE`; else `COLUMNS` when set
/// to a number; else the terminal's width when stdout is a terminal; else none — output
/// piped to `less`, `grep` or a file keeps every column, as AWS CLI's tables do
/// (`less -S` scrolls sideways).
pub fn table_width(wide: bool, to_file: bool) -> Option<usize> {
    if wide || to_file {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if std::io::stdout().is_terminal() {
        return terminal_size::terminal_size().map(|(w, _)| w.0 as usize);
    }
    None
}
