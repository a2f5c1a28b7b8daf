//! Reports: usage records priced and turned into rows.
//!
//! [`price`] prices each record (day × Region × model series) through the resolver and the
//! catalog at the prices of its day; [`rows`] groups them by `--by`; [`document`] lays them
//! out for the exporters; [`reconcile`] compares them with the bill; [`history`] merges a run into an `--append` history file.
//! Reports know nothing of AWS (records come from [`crate::sources`]) nor of the command
//! line.

pub mod apportion;
pub mod batch_jobs;
pub mod chargeback;
pub mod charts;
pub mod crosscheck;
pub mod document;
pub mod governance;
pub mod history;
pub mod price;
pub mod reconcile;
pub mod rows;

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::records::{Source, UsageRecord};
use crate::resolve::Resolver;

pub use document::{COLUMNS, document};
pub use price::{Costs, Priced, price};
pub use rows::{GroupBy, Row};

/// What a daily report covers and how it is grouped.
#[derive(Debug, Clone)]
pub struct DailyOptions {
    /// First day (inclusive).
    pub since: Date,
    /// Last day (exclusive).
    pub until: Date,
    /// IANA name of the time zone days are cut in.
    pub timezone: String,
    pub regions: Vec<String>,
    /// Grouping keys; all three give one row per day × Region × model series.
    pub by: Vec<GroupBy>,
    /// Price every day at this date's prices instead of its own.
    pub as_of: Option<Date>,
    /// Where the records came from (decides the keys `by` may use).
    pub source: Source,
}

/// Checks that every key of `by` can be answered by records of `source`.
pub fn check_keys(by: &[GroupBy], source: Source) -> Result<(), String> {
    by.iter().try_for_each(|g| g.check_source(source))
}

/// A priced, grouped daily report.
#[derive(Debug, Clone)]
pub struct DailyReport {
    pub since: Date,
    pub until: Date,
    pub timezone: String,
    pub regions: Vec<String>,
    pub by: Vec<GroupBy>,
    pub source: Source,
    pub rows: Vec<Row>,
    pub totals: Row,
    /// Extra key facts for the summary (API calls made, …).
    pub summary: Vec<(String, String)>,
    pub notes: Vec<String>,
}

impl DailyReport {
    /// The last day covered (`until` is exclusive).
    pub fn last_day(&self) -> Date {
        self.until.checked_sub(1.day()).unwrap_or(self.until)
    }
}

/// Prices `records` and groups them into a report.
pub fn daily(records: &[UsageRecord], resolver: &Resolver<'_>, opts: &DailyOptions) -> DailyReport {
    daily_priced(&price_all(records, resolver, opts.as_of), opts)
}

/// Prices every record at the prices of its day (or of `as_of`).
pub fn price_all(
    records: &[UsageRecord],
    resolver: &Resolver<'_>,
    as_of: Option<Date>,
) -> Vec<Priced> {
    records.iter().map(|r| price(r, resolver, as_of)).collect()
}

/// Groups already-priced records into a report (e.g. CloudWatch usage apportioned over
/// principals, see [`apportion`]).
pub fn daily_priced(priced: &[Priced], opts: &DailyOptions) -> DailyReport {
    let priced = priced.to_vec();
    let last = opts.until.checked_sub(1.day()).unwrap_or(opts.until);
    let range = format!("{}..{}", opts.since, last);
    let rows = rows::group(&priced, &opts.by, &range);
    let totals = rows::totals(&rows, &range);
    DailyReport {
        since: opts.since,
        until: opts.until,
        timezone: opts.timezone.clone(),
        regions: opts.regions.clone(),
        by: opts.by.clone(),
        source: opts.source,
        rows,
        totals,
        summary: Vec::new(),
        notes: notes(&priced, opts.as_of, opts.source),
    }
}

/// The report's notes: what was assumed, and why series are unpriced (each once).
fn notes(priced: &[Priced], as_of: Option<Date>, source: Source) -> Vec<String> {
    let mut notes = Vec::new();
    notes.push(match as_of {
        Some(d) => format!("every day is priced at the prices in effect on {d} (--as-of)"),
        None => "each day is priced at the prices in effect that day".to_string(),
    });
    let mut seen = BTreeSet::new();
    let unpriced: usize = priced.iter().filter(|p| !p.unpriced.is_empty()).count();
    if unpriced > 0 {
        notes.push(format!(
            "{unpriced} series-day(s) are not fully priced: their unknown costs are left empty, not counted as $0, and totals exclude them (see status)"
        ));
    }
    if source == Source::CloudWatch && priced.iter().any(|p| p.record.cache_write_tokens > 0) {
        notes.push("cache writes are priced at the 5-minute cache rate: CloudWatch does not tell 5-minute from 1-hour writes".to_string());
    }
    if priced.iter().any(|p| p.record.images > 0) {
        notes.push(if source == Source::CloudWatch {
            "images are priced as 1024x1024 standard-quality images, summed over CloudWatch's ImageSize series"
                .to_string()
        } else {
            "images are priced as 1024x1024 standard-quality images".to_string()
        });
    }
    for p in priced {
        for w in &p.warnings {
            if seen.insert(w.clone()) {
                notes.push(format!("{}: {w}", p.record.model_id));
            }
        }
    }
    notes
}
