//! What a run over invocation-log files saw: counts of everything read and dropped, and the
//! first [`KEPT_PROBLEMS`] bad lines and files with where they were and what was wrong.

use std::fmt;

/// How many problems are kept in full; later ones are only counted.
pub const KEPT_PROBLEMS: usize = 20;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// The n-th line of a JSON Lines file (1-based).
    Line(u64),
    /// The n-th record of a file holding a JSON array or pretty-printed objects (1-based).
    Record(u64),
    /// A place in the (decompressed) text, as the JSON parser reports it (1-based).
    Text { line: usize, column: usize },
    /// The file as a whole (it could not be opened, or holds no records).
    File,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Record(n) => write!(f, "record {n}"),
            Position::Text { line, column } => write!(f, "line {line}, column {column}"),
            Position::File => f.write_str("file"),
        }
    }
}

/// One bad line or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file path or `s3://bucket/key`.
    pub file: String,
    pub position: Position,
    /// The field that was wrong (a dotted path: `input.inputTokenCount`); empty when the
    /// line or file itself was (not JSON, not an object, a truncated gzip).
    pub field: String,
    /// What was wrong.
    pub what: String,
    /// The record's `requestId`, when it could be read.
    pub request_id: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.file, self.position)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.what)?;
        if let Some(id) = &self.request_id {
            write!(f, " (requestId {id})")?;
        }
        Ok(())
    }
}

/// Counts of one run (any number of files). Every record met ends in exactly one of
/// `kept`, `skipped`, `duplicates`, `out_of_range` or `bad_lines`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogStats {
    /// Files opened (bad ones included).
    pub files: u64,
    /// Files a folder walk passed over because of their name.
    pub files_ignored: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Lines read (JSON Lines files; blank lines included).
    pub lines: u64,
    /// Records met (non-blank lines, array elements), whatever became of them.
    pub records: u64,
    /// Invocation records kept.
    pub kept: u64,
    /// Records of another `schemaType` (or none).
    pub skipped: u64,
    /// Records whose `requestId` was already read (in this file or another).
    pub duplicates: u64,
    /// Records outside the time range.
    pub out_of_range: u64,
    /// Records (lines) that were not JSON or had a wrong field.
    pub bad_lines: u64,
    /// Files that could not be opened or read to the end, or held no JSON.
    pub bad_files: u64,
    /// The first [`KEPT_PROBLEMS`] problems.
    pub problems: Vec<Problem>,
    /// Problems beyond those kept.
    pub problems_not_kept: u64,
}

impl LogStats {
    /// Lines and files that were bad.
    pub fn problem_count(&self) -> u64 {
        self.bad_lines + self.bad_files
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
    fn problems_name_file_line_and_field_and_only_the_first_are_kept() {
        let p = Problem {
            file: "a.json.gz".into(),
            position: Position::Line(3),
            field: "input.inputTokenCount".into(),
            what: "expected a count, found a string".into(),
            request_id: Some("r".into()),
        };
        assert_eq!(
            p.to_string(),
            "a.json.gz: line 3: field `input.inputTokenCount`: expected a count, found a string (requestId r)"
        );
        let whole = Problem {
            field: String::new(),
            position: Position::File,
            request_id: None,
            what: "reading failed".into(),
            ..p.clone()
        };
        assert_eq!(whole.to_string(), "a.json.gz: file: reading failed");
        let mut s = LogStats::default();
        for _ in 0..KEPT_PROBLEMS + 5 {
            s.keep(p.clone());
        }
        assert_eq!(s.problems.len(), KEPT_PROBLEMS);
        assert_eq!(s.problems_not_kept, 5);
    }
}
