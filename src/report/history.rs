//! `--append HISTORY.csv`: merging a run into a history file, idempotently.
//!
//! The run owns every (date, Region) pair it covered: the history's rows for those pairs
//! are replaced by the run's rows, whatever models they name, and all other rows are kept.
//! Re-running the same days therefore rewrites the same bytes, an overlapping run replaces
//! the overlap, and a day that now has no usage loses its stale rows. Rows are sorted by
//! date, Region and model.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::document::COLUMNS;
use crate::export::{Cell, Table};

/// Why a history file cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "the history file has columns that differ from this report's ({found}); it was not written by `report daily`, or by another version: use a new file"
    )]
    Columns { found: String },
    #[error("history row {row}: `{value}` is not a date (YYYY-MM-DD)")]
    BadDate { row: usize, value: String },
}

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeStats {
    pub kept: usize,
    pub replaced: usize,
    pub added: usize,
}

/// Merges `run` (rows of the days `since..until` and `regions`) into `history` (`None`:
/// no file yet). Both tables have the same columns: the report's [`COLUMNS`], with the
/// `principal` and `tag:KEY` columns of invocation-log reports after `model_id`.
pub fn merge(
    history: Option<Table>,
    run: &Table,
    since: Date,
    until: Date,
    regions: &[String],
) -> Result<(Table, MergeStats), HistoryError> {
    let headers: Vec<&str> = if run.headers.is_empty() {
        COLUMNS.to_vec()
    } else {
        run.headers.iter().map(String::as_str).collect()
    };
    let mut out = Table::new(&headers);
    let key_len = headers
        .iter()
        .position(|h| *h == "resolved_model")
        .unwrap_or(3);
    let mut stats = MergeStats {
        kept: 0,
        replaced: 0,
        added: run.rows.len(),
    };
    let regions: BTreeSet<&str> = regions.iter().map(String::as_str).collect();
    if let Some(h) = history {
        if h.headers != out.headers {
            return Err(HistoryError::Columns {
                found: h.headers.join(","),
            });
        }
        for (i, row) in h.rows.into_iter().enumerate() {
            let date = row[0].plain();
            let day: Date = date.parse().map_err(|_| HistoryError::BadDate {
                row: i + 2,
                value: date.clone(),
            })?;
            if day >= since && day < until && regions.contains(row[1].plain().as_str()) {
                stats.replaced += 1;
            } else {
                stats.kept += 1;
                out.rows.push(row);
            }
        }
    }
    out.rows.extend(run.rows.iter().cloned());
    out.rows.sort_by_cached_key(|r| key(r, key_len));
    Ok((out, stats))
}

/// The identity of a row: date, Region, model, and principal and tags when present.
fn key(row: &[Cell], key_len: usize) -> Vec<String> {
    row.iter().take(key_len).map(Cell::plain).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn table(rows: &[(&str, &str, &str, u64)]) -> Table {
        let mut t = Table::new(&COLUMNS);
        for (d, r, m, n) in rows {
            let mut row = vec![Cell::Empty; COLUMNS.len()];
            row[0] = Cell::from(*d);
            row[1] = Cell::from(*r);
            row[2] = Cell::from(*m);
            row[4] = Cell::Int(*n);
            t.push(row);
        }
        t
    }

    fn keys(t: &Table) -> Vec<String> {
        t.rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r[0].plain(),
                    r[1].plain(),
                    r[2].plain(),
                    r[4].plain()
                )
            })
            .collect()
    }

    #[test]
    fn a_run_replaces_its_days_and_regions_and_keeps_the_rest() {
        let history = table(&[
            ("2026-01-01", "us-east-1", "a", 1),
            ("2026-01-02", "us-east-1", "a", 2),
            ("2026-01-02", "us-east-1", "gone", 9),
            ("2026-01-02", "us-west-2", "a", 3),
        ]);
        let run = table(&[
            ("2026-01-03", "us-east-1", "a", 30),
            ("2026-01-02", "us-east-1", "a", 20),
        ]);
        let regions = vec!["us-east-1".to_string()];
        let (merged, stats) = merge(
            Some(history),
            &run,
            date(2026, 1, 2),
            date(2026, 1, 4),
            &regions,
        )
        .unwrap();
        assert_eq!(
            keys(&merged),
            [
                "2026-01-01 us-east-1 a 1",
                "2026-01-02 us-east-1 a 20",
                "2026-01-02 us-west-2 a 3",
                "2026-01-03 us-east-1 a 30",
            ]
        );
        assert_eq!(
            stats,
            MergeStats {
                kept: 2,
                replaced: 2,
                added: 2
            }
        );
        // Merging the same run again changes nothing.
        let (again, _) = merge(
            Some(merged.clone()),
            &run,
            date(2026, 1, 2),
            date(2026, 1, 4),
            &regions,
        )
        .unwrap();
        assert_eq!(keys(&again), keys(&merged));
    }

    #[test]
    fn foreign_files_are_refused() {
        let mut other = Table::new(&["date", "cost"]);
        other.push(vec![Cell::from("2026-01-01"), Cell::Int(1)]);
        let run = table(&[]);
        let err = merge(Some(other), &run, date(2026, 1, 1), date(2026, 1, 2), &[]).unwrap_err();
        assert!(matches!(err, HistoryError::Columns { .. }));
        let bad = table(&[("yesterday", "us-east-1", "a", 1)]);
        let err = merge(Some(bad), &run, date(2026, 1, 1), date(2026, 1, 2), &[]).unwrap_err();
        assert!(err.to_string().contains("row 2"), "{err}");
    }
}
