//! Trail files → call records, one record at a time.
//!
//! A file holds records in one of these shapes (detected from the content):
//! - `{"Records": [...]}`: what a trail delivers to S3 (`*.json.gz`);
//! - `[...]`: a bare array (exports, published samples);
//! - `{"Events": [{"CloudTrailEvent": "<record as a JSON string>", ...}], "NextToken": ...}`:
//!   a saved LookupEvents response (`aws cloudtrail lookup-events > file.json`);
//! - a single record object, or several top-level values one after the other (JSON Lines).
//!
//! Memory is bounded, whatever the file's size: a file of up to [`SLICE_LIMIT`] (32 MiB
//! decompressed; trail files are far smaller) is parsed from one reused buffer with borrowed
//! strings, a larger one is streamed and the parser holds one record at a time (serde's
//! `from_reader` with a seq visitor). A record with a wrong field is counted and named (file,
//! record number, field) and the rest of the file is read; broken JSON ends the file (no
//! parser can find the next record after it) with the line and column, keeping the records
//! read before it. [`TrailReader::strict`] makes the first bad record or file an error.

use std::collections::HashSet;
use std::io::{self, BufReader, Read};
use std::path::Path;

use jiff::Timestamp;
use serde_json::error::Category;

use super::shapes::FileCtx;
use super::stats::{Position, Problem, TrailStats};
use crate::records::CallRecord;
use crate::sources::objects;

/// Records kept: `[since, until)`, either end open when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeRange {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

/// Why reading stopped.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// Strict mode: the first bad record or file.
    #[error("{0}")]
    Bad(Problem),
    /// The path given could not be listed.
    #[error("cannot list {path}: {source}")]
    List {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Reads trail files into call records, keeping counts across files and dropping records
/// whose `eventID` was seen before (trails overlap; LookupEvents saves repeat).
#[derive(Debug, Default)]
pub struct TrailReader {
    /// Stop at the first bad record or file.
    pub strict: bool,
    pub range: TimeRange,
    seen_ids: HashSet<Box<str>>,
    pub stats: TrailStats,
    /// The buffer of [`TrailReader::read`], reused from file to file.
    buffer: Vec<u8>,
}

/// The largest decompressed file [`TrailReader::read`] parses from memory (32 MiB); larger
/// files are streamed. Trail files are far smaller: CloudTrail delivers every 5 minutes.
pub const SLICE_LIMIT: usize = 32 * 1024 * 1024;

impl TrailReader {
    pub fn new(strict: bool, range: TimeRange) -> TrailReader {
        TrailReader {
            strict,
            range,
            ..TrailReader::default()
        }
    }

    /// Reads every file under `path` (a file or a folder, see [`objects::list`]).
    pub fn read_path(&mut self, path: &Path, out: &mut Vec<CallRecord>) -> Result<(), TrailError> {
        let listing = objects::list(path).map_err(|source| TrailError::List {
            path: path.display().to_string(),
            source,
        })?;
        self.stats.files_ignored += listing.skipped;
        for file in &listing.files {
            match objects::open_file(file) {
                Ok(object) => self.read(&object.name, object.reader, out)?,
                Err(e) => {
                    self.stats.files += 1;
                    self.bad_file(Problem {
                        file: file.display().to_string(),
                        position: Position::File,
                        what: format!("cannot open: {e}"),
                        event_id: None,
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Reads an object fetched into memory (see [`objects::from_bytes`]).
    pub fn read_object(
        &mut self,
        object: objects::Object,
        out: &mut Vec<CallRecord>,
    ) -> Result<(), TrailError> {
        self.read(&object.name, object.reader, out)
    }

    /// Reads one file's records (decompressed bytes) into `out`; `name` is used in problems.
    ///
    /// A file of up to [`SLICE_LIMIT`] bytes is read into a buffer and parsed from memory
    /// ([`TrailReader::read_slice`]: borrowed strings, about 1.7 times faster); a larger one
    /// is streamed ([`TrailReader::read_stream`]), so memory stays bounded by the limit and
    /// the largest record, never by the file.
    pub fn read(
        &mut self,
        name: &str,
        mut reader: impl Read,
        out: &mut Vec<CallRecord>,
    ) -> Result<(), TrailError> {
        let mut head = std::mem::take(&mut self.buffer);
        head.clear();
        let filled = reader
            .by_ref()
            .take(SLICE_LIMIT as u64 + 1)
            .read_to_end(&mut head);
        let result = match filled {
            Ok(n) if n <= SLICE_LIMIT => self.read_slice(name, &head, out),
            // Too large for the buffer: stream what was read, then the rest.
            Ok(_) => self.read_stream(name, io::Cursor::new(&head[..]).chain(reader), out),
            // Reading failed (a truncated gzip): parse what came, then report the failure
            // at the record it interrupted.
            Err(e) => self.read_stream(
                name,
                io::Cursor::new(&head[..]).chain(Failing(Some(e))),
                out,
            ),
        };
        if head.capacity() <= SLICE_LIMIT + 1 {
            self.buffer = head;
        }
        result
    }

    /// Reads one file's records (decompressed bytes) into `out`, streaming: the parser holds
    /// one record at a time, whatever the file's size.
    pub fn read_stream(
        &mut self,
        name: &str,
        reader: impl Read,
        out: &mut Vec<CallRecord>,
    ) -> Result<(), TrailError> {
        let mut counted = Counted {
            inner: reader,
            bytes: 0,
        };
        let buffered = BufReader::with_capacity(256 * 1024, &mut counted);
        let mut de = serde_json::Deserializer::from_reader(buffered);
        let (result, file) = self.parse(name, &mut de, out);
        drop(de);
        self.stats.bytes += counted.bytes;
        self.finish(name, result, file)
    }

    /// Reads one file's records from decompressed bytes already in memory (an S3 object,
    /// a response body): faster than [`TrailReader::read`], strings are borrowed.
    pub fn read_slice(
        &mut self,
        name: &str,
        bytes: &[u8],
        out: &mut Vec<CallRecord>,
    ) -> Result<(), TrailError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let (result, file) = self.parse(name, &mut de, out);
        self.stats.bytes += bytes.len() as u64;
        self.finish(name, result, file)
    }

    /// Parses a file's records into `out`.
    fn parse<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        name: &str,
        de: &mut serde_json::Deserializer<R>,
        out: &mut Vec<CallRecord>,
    ) -> (Result<(), serde_json::Error>, FileEnd) {
        self.stats.files += 1;
        let mut file = FileCtx {
            strict: self.strict,
            range: self.range,
            seen_ids: &mut self.seen_ids,
            stats: &mut self.stats,
            name,
            out,
            index: 0,
            found: false,
            shape: None,
            stop: None,
        };
        let result = file.parse(de);
        let end = FileEnd {
            index: file.index,
            found: file.found,
            shape: file.shape,
            stop: file.stop,
        };
        (result, end)
    }

    /// Counts and reports how a file ended.
    fn finish(
        &mut self,
        name: &str,
        result: Result<(), serde_json::Error>,
        end: FileEnd,
    ) -> Result<(), TrailError> {
        if let Some(problem) = end.stop {
            return Err(TrailError::Bad(problem));
        }
        let problem = match result {
            Err(e) => Some(broken(name, end.index, &e)),
            Ok(()) if !end.found => Some(Problem {
                file: name.to_string(),
                position: Position::File,
                what: end.shape.unwrap_or_else(|| {
                    "no CloudTrail records: expected {\"Records\": [...]}, [...], \
                     {\"Events\": [...]} or a record"
                        .to_string()
                }),
                event_id: None,
            }),
            Ok(()) => None,
        };
        match problem {
            Some(p) => self.bad_file(p),
            None => Ok(()),
        }
    }

    fn bad_file(&mut self, problem: Problem) -> Result<(), TrailError> {
        self.stats.bad_files += 1;
        if self.strict {
            return Err(TrailError::Bad(problem));
        }
        self.stats.keep(problem);
        Ok(())
    }
}

/// The problem of a file whose JSON broke off or could not be read.
fn broken(name: &str, records_before: u64, e: &serde_json::Error) -> Problem {
    let (position, what) = match e.classify() {
        // Reading failed (a truncated or corrupt gzip stream): no text position exists.
        Category::Io => (
            Position::Record(records_before + 1),
            format!("reading failed: {e}"),
        ),
        _ => (
            Position::Line {
                line: e.line(),
                column: e.column(),
            },
            format!("not valid JSON: {}", strip_position(e)),
        ),
    };
    Problem {
        file: name.to_string(),
        position,
        what,
        event_id: None,
    }
}

/// serde_json's message without its own " at line L column C" (the position says it).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// What is left of a file's state once it is parsed.
struct FileEnd {
    index: u64,
    found: bool,
    shape: Option<String>,
    stop: Option<Problem>,
}

/// A reader that fails with the error another reader failed with.
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| io::Error::other("read after a failure")))
    }
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, time: &str, source: &str) -> String {
        format!(
            r#"{{"eventTime":"{time}","eventSource":"{source}","eventName":"Converse","awsRegion":"us-east-1","eventID":"{id}",
               "userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}},"requestParameters":{{"modelId":"m"}}}}"#
        )
    }

    fn read(
        reader: &mut TrailReader,
        name: &str,
        text: &str,
    ) -> (Vec<CallRecord>, Result<(), TrailError>) {
        let mut out = Vec::new();
        let r = reader.read(name, text.as_bytes(), &mut out);
        (out, r)
    }

    #[test]
    fn the_three_shapes_and_a_single_record_read_alike() {
        let a = record("a", "2024-01-01T00:00:00Z", BEDROCK);
        let trail = format!(r#"{{"Records":[{a}]}}"#);
        let bare = format!("[{a}]");
        let lookup = format!(
            r#"{{"Events":[{{"EventId":"a","CloudTrailEvent":{}}}],"NextToken":"t"}}"#,
            serde_json::to_string(&a).unwrap()
        );
        for text in [&trail, &bare, &lookup, &a] {
            let mut r = TrailReader::default();
            let (out, res) = read(&mut r, "f.json", text);
            res.unwrap();
            assert_eq!(out.len(), 1, "{text}");
            assert_eq!(out[0].event_id, "a");
            assert_eq!(out[0].model_id.as_deref(), Some("m"));
            assert_eq!(r.stats.records, 1);
            assert_eq!(r.stats.problem_count(), 0, "{:?}", r.stats.problems);
        }
    }

    const BEDROCK: &str = "bedrock.amazonaws.com";

    #[test]
    fn skipped_duplicates_and_out_of_range_are_counted_not_bad() {
        let range = TimeRange {
            since: Some("2024-01-01T00:00:00Z".parse().unwrap()),
            until: Some("2024-02-01T00:00:00Z".parse().unwrap()),
        };
        let mut r = TrailReader::new(false, range);
        let text = format!(
            r#"{{"Records":[{},{},{},{},{}]}}"#,
            record("a", "2024-01-01T00:00:00Z", BEDROCK),
            record("a", "2024-01-02T00:00:00Z", BEDROCK),
            record("b", "2024-02-01T00:00:00Z", BEDROCK),
            record("c", "2023-12-31T23:59:59Z", BEDROCK),
            record("d", "2024-01-05T00:00:00Z", "s3.amazonaws.com"),
        );
        let (out, res) = read(&mut r, "f", &text);
        res.unwrap();
        assert_eq!(out.len(), 1);
        // A second file repeating `a` is a duplicate across files.
        let (out2, _) = read(
            &mut r,
            "g",
            &format!("[{}]", record("a", "2024-01-03T00:00:00Z", BEDROCK)),
        );
        assert!(out2.is_empty());
        let s = &r.stats;
        assert_eq!((s.files, s.records, s.kept), (2, 6, 1));
        assert_eq!((s.duplicates, s.out_of_range, s.skipped), (2, 2, 1));
        assert_eq!(s.problem_count(), 0);
    }

    #[test]
    fn a_bad_record_is_named_and_the_rest_is_read() {
        let good = record("a", "2024-01-01T00:00:00Z", BEDROCK);
        let bad = record("b", "2024-01-01T00:00:00Z", BEDROCK)
            .replace(r#""eventTime":"2024-01-01T00:00:00Z""#, r#""eventTime":5"#);
        let text = format!(
            r#"{{"Records":[{good},{bad},7,{}]}}"#,
            record("c", "2024-01-01T00:00:00Z", BEDROCK)
        );
        let mut r = TrailReader::default();
        let (out, res) = read(&mut r, "x.json", &text);
        res.unwrap();
        assert_eq!(
            out.iter().map(|c| c.event_id.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(r.stats.bad_records, 2);
        let p = &r.stats.problems[0];
        assert_eq!(
            p.to_string(),
            "x.json: record 2: field `eventTime`: expected a string, found a number (eventID b)"
        );
        assert_eq!(r.stats.problems[1].position, Position::Record(3));

        let mut strict = TrailReader::new(true, TimeRange::default());
        let (out, res) = read(&mut strict, "x.json", &text);
        assert_eq!(out.len(), 1);
        let err = res.unwrap_err().to_string();
        assert!(err.contains("x.json: record 2: field `eventTime`"), "{err}");
        assert_eq!(
            strict.stats.records, 2,
            "strict stops at the first bad record"
        );
    }

    #[test]
    fn broken_json_keeps_earlier_records_and_names_line_and_column() {
        let text = format!(
            "[{},\n{{\"eventTime\": tru",
            record("a", "2024-01-01T00:00:00Z", BEDROCK)
        );
        let mut r = TrailReader::default();
        let (out, res) = read(&mut r, "cut.json", &text);
        res.unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(r.stats.bad_files, 1);
        let p = &r.stats.problems[0];
        let last_line = text.lines().count();
        assert!(
            matches!(p.position, Position::Line { line, .. } if line == last_line),
            "{p}"
        );
        assert!(p.what.starts_with("not valid JSON"), "{p}");
    }

    #[test]
    fn files_without_records_are_bad_files() {
        for (text, what) in [
            ("{}", "no CloudTrail records"),
            (r#"{"foo":1}"#, "no CloudTrail records"),
            (r#""x""#, "the file is a string"),
            ("5", "the file is a number"),
            (
                r#"{"Records":{"a":1}}"#,
                "`Records` is an object, not an array",
            ),
            (r#"{"Events":3}"#, "`Events` is a number, not an array"),
            ("", "not valid JSON"),
            ("hello", "not valid JSON"),
        ] {
            let mut r = TrailReader::default();
            let (out, res) = read(&mut r, "n.json", text);
            res.unwrap();
            assert!(out.is_empty());
            assert_eq!(r.stats.bad_files, 1, "{text}");
            assert!(
                r.stats.problems[0].what.contains(what),
                "{text}: {}",
                r.stats.problems[0]
            );
            let mut strict = TrailReader::new(true, TimeRange::default());
            assert!(read(&mut strict, "n.json", text).1.is_err(), "{text}");
        }
        let mut r = TrailReader::default();
        let (_, res) = read(&mut r, "e.json", r#"{"Records":[]}"#);
        res.unwrap();
        assert_eq!(r.stats.problem_count(), 0, "an empty trail file is fine");
    }

    #[test]
    fn large_files_are_streamed_with_the_same_result() {
        // Just over the in-memory limit: the head is parsed as a stream, then the rest.
        let one = record("a", "2024-01-01T00:00:00Z", BEDROCK);
        let pad = " ".repeat(SLICE_LIMIT);
        let text = format!(
            "[{one},{pad}{}]",
            record("b", "2024-01-01T00:00:00Z", BEDROCK)
        );
        let mut r = TrailReader::default();
        let (out, res) = read(&mut r, "big.json", &text);
        res.unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(r.stats.bytes, text.len() as u64);
        let mut s = TrailReader::default();
        let mut streamed = Vec::new();
        s.read_stream("big.json", text.as_bytes(), &mut streamed)
            .unwrap();
        assert_eq!(streamed, out);
        assert_eq!(s.stats, r.stats);
    }

    #[test]
    fn a_read_failure_keeps_the_records_before_it() {
        let text = format!("[{},", record("a", "2024-01-01T00:00:00Z", BEDROCK));
        let failing = text
            .as_bytes()
            .chain(Failing(Some(io::Error::other("gzip cut"))));
        let mut r = TrailReader::default();
        let mut out = Vec::new();
        r.read("cut.json.gz", failing, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(r.stats.problems[0].position, Position::Record(2));
        assert!(
            r.stats.problems[0].what.contains("gzip cut"),
            "{}",
            r.stats.problems[0]
        );
    }

    #[test]
    fn json_lines_of_records_are_read_one_by_one() {
        let text = format!(
            "{}\n{}\n",
            record("a", "2024-01-01T00:00:00Z", BEDROCK).replace('\n', " "),
            record("b", "2024-01-01T00:00:00Z", BEDROCK).replace('\n', " ")
        );
        let mut r = TrailReader::default();
        let (out, res) = read(&mut r, "l.jsonl", &text);
        res.unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(r.stats.bytes, text.len() as u64);
    }

    #[test]
    fn lookup_events_with_bad_embedded_records_name_the_embedded_field() {
        let text = r#"{"Events":[{"EventId":"e1","CloudTrailEvent":"{\"eventSource\":\"bedrock.amazonaws.com\",\"eventTime\":[]}"},
                                 {"EventId":"e2","CloudTrailEvent":"{not json"},
                                 {"EventId":"e3"}]}"#;
        let mut r = TrailReader::default();
        let (_, res) = read(&mut r, "lookup.json", text);
        res.unwrap();
        let what: Vec<String> = r.stats.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(r.stats.bad_records, 3, "{what:?}");
        assert!(what[0].contains("record 1: field `CloudTrailEvent.eventTime`: expected a string, found an array (eventID e1)"), "{what:?}");
        assert!(
            what[1].contains("record 2: field `CloudTrailEvent`: not JSON"),
            "{what:?}"
        );
        assert!(
            what[2].contains("record 3: field `CloudTrailEvent`: missing"),
            "{what:?}"
        );
    }
}
