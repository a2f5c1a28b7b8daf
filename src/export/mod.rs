//! Writers of command results: table, CSV, JSON, Markdown, HTML — one small file per format
//! behind one trait. Commands build a [`Document`]; exporters only lay it out. Charts are
//! specified in the document ([`chart`]) and drawn only by the HTML exporter.
//!
//! Text that may come from AWS records or user files is untrusted: the table and Markdown
//! writers strip terminal control sequences, and the CSV writer neutralises spreadsheet
//! formulas (see [`sanitize`]).

pub mod chart;
mod csv;
pub mod fit;
mod html;
mod json;
mod markdown;
pub mod precision;
pub mod sanitize;
pub mod svg_chart;
mod table;
pub mod write;

pub use chart::{Chart, ChartKind, Marker, Series};
pub use csv::read_csv;

use rust_decimal::Decimal;

use crate::money;

/// Output formats every command accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
    /// One self-contained HTML file with charts (inline CSS and SVG).
    Html,
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Untrusted or free text.
    Text(String),
    Int(u64),
    /// A dollar amount.
    Money(Decimal),
    /// A plain decimal (a rate, a percentage).
    Number(Decimal),
    Empty,
}

impl Cell {
    /// The value as written in machine-readable formats (no `$`, exact decimals).
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(d) => money::display(*d).to_string(),
            Cell::Number(d) => d.normalize().to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// The value as shown to a person.
    pub fn human(&self) -> String {
        match self {
            Cell::Money(d) => money::usd(*d),
            other => other.plain(),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Money(_) | Cell::Number(_))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(n)
    }
}

/// Rows under headers.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }
}

/// A command's result, ready for any exporter.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Shown above the table (table and Markdown only).
    pub title: Option<String>,
    /// Key facts shown above the table (table and Markdown only).
    pub summary: Vec<(String, String)>,
    /// The rows: all of CSV, the body of table and Markdown.
    pub table: Table,
    /// Warnings and unpriced items (table and Markdown print them after the table; CSV
    /// carries unpriced items as rows of their own, JSON in its own fields).
    pub notes: Vec<String>,
    /// The JSON form of the result.
    pub json: serde_json::Value,
    /// Charts of the result (HTML only; see [`chart`]).
    pub charts: Vec<Chart>,
    /// Columns a terminal table leaves out, in this order, when it does not fit the terminal
    /// (least useful first); columns not named here are always shown. See [`fit`].
    pub drop_order: Vec<String>,
}

/// Lays out a document in one format.
pub trait Exporter {
    fn export(&self, doc: &Document) -> anyhow::Result<Vec<u8>>;
}

/// The exporter for `format` (tables at full width).
pub fn exporter(format: Format) -> Box<dyn Exporter> {
    exporter_fitted(format, None)
}

/// The exporter for `format`; a table is fitted to `width` characters when given.
pub fn exporter_fitted(format: Format, width: Option<usize>) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter { width }),
        Format::Html => Box::new(html::HtmlExporter),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Json => Box::new(json::JsonExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
    }
}
