//! What a run over trail files saw: counts of everything read and dropped, and the bad
//! records and files with where they were and what was wrong.

use std::fmt;

/// How many problems are kept in full; later ones are only counted.
pub const KEPT_PROBLEMS: usize = 20;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// The n-th record of the file (1-based).
    Record(u64),
    /// A place in the (decompressed) text, as the JSON parser reports it (1-based).
    Line { line: usize, column: usize },
    /// The file as a whole (it could not be opened, or holds no records).
    File,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Record(n) => write!(f, "record {n}"),
            Position::Line { line, column } => write!(f, "line {line}, column {column}"),
            Position::File => f.write_str("file"),
        }
    }
}

/// One bad record or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file path or `s3://bucket/key`.
    pub file: String,
    pub position: Position,
    /// What was wrong (for a record: `field `eventTime`: expected a string, found a number`).
    pub what: String,
    /// The record's `eventID`, when it could be read.
    pub event_id: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.position, self.what)?;
        if let Some(id) = &self.event_id {
            write!(f, " (eventID {id})")?;
        }
        Ok(())
    }
}

/// Counts of one run (any number of files).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailStats {
    /// Files opened (bad ones included).
    pub files: u64,
    /// Files a folder walk passed over because of their name.
    pub files_ignored: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Records met, whatever became of them.
    pub records: u64,
    /// Bedrock call records kept.
    pub kept: u64,
    /// Records of another `eventSource`.
    pub skipped: u64,
    /// Bedrock records outside the time range.
    pub out_of_range: u64,
    /// Bedrock records whose `eventID` was already read (in this file or another).
    pub duplicates: u64,
    pub bad_records: u64,
    /// Files that could not be opened, were not JSON, held no records, or broke off.
    pub bad_files: u64,
    /// The first [`KEPT_PROBLEMS`] problems.
    pub problems: Vec<Problem>,
    /// Problems beyond those kept.
    pub problems_not_kept: u64,
}

impl TrailStats {
    /// Files and records that were bad.
    pub fn problem_count(&self) -> u64 {
        self.bad_records + self.bad_files
    }

    pub(crate) fn keep(&mut self, problem: Problem) {
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.problems_not_kept += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_file_and_position_and_only_the_first_are_kept() {
        let p = Problem {
            file: "a.json.gz".into(),
            position: Position::Record(3),
            what: "field `eventTime`: expected a string, found a number".into(),
            event_id: Some("e".into()),
        };
        assert_eq!(
            p.to_string(),
            "a.json.gz: record 3: field `eventTime`: expected a string, found a number (eventID e)"
        );
        let l = Position::Line { line: 2, column: 9 };
        assert_eq!(l.to_string(), "line 2, column 9");
        let mut s = TrailStats::default();
        for _ in 0..KEPT_PROBLEMS + 5 {
            s.keep(p.clone());
        }
        assert_eq!(s.problems.len(), KEPT_PROBLEMS);
        assert_eq!(s.problems_not_kept, 5);
    }
}
