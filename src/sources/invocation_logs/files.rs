//! Invocation-log files → invocation records, one line at a time.
//!
//! Bedrock delivers JSON Lines (one record per line) to
//! `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`; exports
//! and saved CloudWatch events also come as a JSON array (`[{...}, ...]`) or as one
//! pretty-printed object. The shape is told from the content: a file starting with `[` is an
//! array, a file whose first line is a lone `{` holds pretty-printed objects, anything else
//! is JSON Lines.
//!
//! Memory is bounded by the longest line (JSON Lines: the line is parsed from one reused
//! buffer with borrowed strings) or the largest record (arrays and pretty-printed objects
//! are streamed), never by the file. A bad line (not JSON, a wrong field) is counted and
//! named by file, line and field, and the next line is read; broken JSON in an array ends
//! that file with the line and column; a read failure (a truncated gzip) ends the file and
//! keeps the records before it. [`LogReader::strict`] makes the first bad line or file an
//! error. Records repeated across files (same `requestId`) are counted and dropped.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::error::Category;

use super::record::{InvocationRecord, Parsed, RawLog, not_an_object};
use super::stats::{LogStats, Position, Problem};
use crate::sources::cloudtrail::TimeRange;
use crate::sources::cloudtrail::lenient::Obj;
use crate::sources::objects;

/// A line buffer grown past this (by a huge line) is released after the file.
const KEEP_BUFFER: usize = 8 * 1024 * 1024;

/// Why reading stopped.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Strict mode: the first bad line or file.
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

/// Reads invocation-log files into records, keeping counts across files and dropping
/// records whose `requestId` was seen before.
#[derive(Debug, Default)]
pub struct LogReader {
    /// Stop at the first bad line or file.
    pub strict: bool,
    /// Records kept: `timestamp` in `[since, until)`.
    pub range: TimeRange,
    pub stats: LogStats,
    seen_ids: HashSet<Box<str>>,
    /// The line buffer, reused from line to line and file to file.
    line: Vec<u8>,
}

impl LogReader {
    pub fn new(strict: bool, range: TimeRange) -> LogReader {
        LogReader {
            strict,
            range,
            ..LogReader::default()
        }
    }

    /// Reads every file under `path` (a file or a folder, see [`objects::list`]).
    pub fn read_path(
        &mut self,
        path: &Path,
        out: &mut Vec<InvocationRecord>,
    ) -> Result<(), LogError> {
        let listing = objects::list(path).map_err(|source| LogError::List {
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
                        field: String::new(),
                        what: format!("cannot open: {e}"),
                        request_id: None,
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
        out: &mut Vec<InvocationRecord>,
    ) -> Result<(), LogError> {
        self.read(&object.name, object.reader, out)
    }

    /// Reads one file's records (decompressed bytes) into `out`; `name` is used in problems.
    pub fn read(
        &mut self,
        name: &str,
        reader: impl Read,
        out: &mut Vec<InvocationRecord>,
    ) -> Result<(), LogError> {
        self.stats.files += 1;
        let mut bytes = 0u64;
        let mut line = std::mem::take(&mut self.line);
        let result = {
            let counted = Counted {
                inner: reader,
                bytes: &mut bytes,
            };
            let mut input = BufReader::with_capacity(256 * 1024, counted);
            let mut sink = Sink {
                strict: self.strict,
                range: self.range,
                seen_ids: &mut self.seen_ids,
                stats: &mut self.stats,
                out,
                name,
                stop: None,
            };
            let end = read_file(&mut sink, &mut input, &mut line);
            (end, sink.stop)
        };
        self.stats.bytes += bytes;
        line.clear();
        if line.capacity() <= KEEP_BUFFER {
            self.line = line;
        }
        match result {
            (_, Some(stop)) => Err(LogError::Bad(stop)),
            (Some(problem), None) => self.bad_file(problem),
            (None, None) => Ok(()),
        }
    }

    fn bad_file(&mut self, problem: Problem) -> Result<(), LogError> {
        self.stats.bad_files += 1;
        if self.strict {
            return Err(LogError::Bad(problem));
        }
        self.stats.keep(problem);
        Ok(())
    }
}

/// Where each record goes: counted, range-checked, deduplicated, kept or named.
struct Sink<'a> {
    strict: bool,
    range: TimeRange,
    seen_ids: &'a mut HashSet<Box<str>>,
    stats: &'a mut LogStats,
    out: &'a mut Vec<InvocationRecord>,
    name: &'a str,
    /// Strict mode: the problem that stopped the file.
    stop: Option<Problem>,
}

impl Sink<'_> {
    /// Takes one record; `false` when reading must stop (strict mode, a bad record).
    fn take(
        &mut self,
        position: Position,
        parsed: Result<Obj<RawLog<'_>>, serde_json::Error>,
    ) -> bool {
        self.stats.records += 1;
        let (field, what, request_id) = match parsed {
            Ok(Obj::Map(raw)) => {
                let hint = raw.request_id_hint();
                match raw.into_record() {
                    Ok(Parsed::Record(record)) => {
                        self.keep(*record);
                        return true;
                    }
                    Ok(Parsed::Skipped(_)) => {
                        self.stats.skipped += 1;
                        return true;
                    }
                    Err(e) => (e.field, e.problem, hint),
                }
            }
            Ok(other) => (String::new(), not_an_object(&other).problem, None),
            Err(e) => (
                String::new(),
                format!("not valid JSON: {}", message(&e)),
                None,
            ),
        };
        self.bad_line(Problem {
            file: self.name.to_string(),
            position,
            field,
            what,
            request_id,
        })
    }

    fn keep(&mut self, record: InvocationRecord) {
        if !self.range.contains(record.time) {
            self.stats.out_of_range += 1;
            return;
        }
        if let Some(id) = &record.request_id
            && !self.seen_ids.insert(id.as_str().into())
        {
            self.stats.duplicates += 1;
            return;
        }
        self.stats.kept += 1;
        self.out.push(record);
    }

    fn bad_line(&mut self, problem: Problem) -> bool {
        self.stats.bad_lines += 1;
        if self.strict {
            self.stop = Some(problem);
            return false;
        }
        self.stats.keep(problem);
        true
    }

    fn file_problem(&self, position: Position, what: String) -> Problem {
        Problem {
            file: self.name.to_string(),
            position,
            field: String::new(),
            what,
            request_id: None,
        }
    }
}

/// Reads a file in the shape its content shows; the problem that ended it, if any.
fn read_file<R: BufRead>(
    sink: &mut Sink<'_>,
    input: &mut R,
    line: &mut Vec<u8>,
) -> Option<Problem> {
    // Leading whitespace tells nothing; the first byte after it tells the shape.
    let first = loop {
        match input.fill_buf() {
            Ok([]) => return None,
            Ok(buf) => {
                let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
                if blank < buf.len() {
                    let first = buf[blank];
                    let newlines = buf[..blank].iter().filter(|b| **b == b'\n').count();
                    sink.stats.lines += newlines as u64;
                    input.consume(blank);
                    break (first, newlines as u64);
                }
                let newlines = buf.iter().filter(|b| **b == b'\n').count();
                sink.stats.lines += newlines as u64;
                let n = buf.len();
                input.consume(n);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Some(sink.file_problem(Position::Line(1), format!("reading failed: {e}")));
            }
        }
    };
    let (first, skipped_lines) = first;
    if first == b'[' {
        return read_streamed(sink, input, io::empty(), true);
    }
    read_lines(sink, input, line, skipped_lines)
}

/// Reads JSON Lines: each non-blank line is one record.
fn read_lines<R: BufRead>(
    sink: &mut Sink<'_>,
    input: &mut R,
    line: &mut Vec<u8>,
    mut number: u64,
) -> Option<Problem> {
    let mut first = true;
    loop {
        line.clear();
        match input.read_until(b'\n', line) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                return Some(
                    sink.file_problem(Position::Line(number + 1), format!("reading failed: {e}")),
                );
            }
        }
        number += 1;
        sink.stats.lines += 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        if first && text == b"{" {
            // A pretty-printed object: parse records as a stream from here.
            let head = io::Cursor::new(std::mem::take(line));
            let problem = read_streamed(sink, head, input, false);
            return problem;
        }
        first = false;
        let mut de = serde_json::Deserializer::from_slice(text);
        let parsed = Obj::<RawLog>::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        if !sink.take(Position::Line(number), parsed) {
            return None;
        }
    }
}

/// Reads a JSON array of records (`array`) or top-level records one after another, streamed.
fn read_streamed<A: Read, B: Read>(
    sink: &mut Sink<'_>,
    head: A,
    rest: B,
    array: bool,
) -> Option<Problem> {
    let mut index = 0u64;
    let result = if array {
        let mut de = serde_json::Deserializer::from_reader(head.chain(rest));
        de.deserialize_seq(ArrayVisitor {
            sink: &mut *sink,
            index: &mut index,
        })
        .and_then(|()| de.end())
    } else {
        let mut stream =
            serde_json::Deserializer::from_reader(head.chain(rest)).into_iter::<Obj<RawLog>>();
        loop {
            match stream.next() {
                None => break Ok(()),
                Some(Ok(value)) => {
                    index += 1;
                    if !sink.take(Position::Record(index), Ok(value)) {
                        break Ok(());
                    }
                }
                Some(Err(e)) => break Err(e),
            }
        }
    };
    match result {
        Ok(()) => None,
        Err(_) if sink.stop.is_some() => None,
        Err(e) if e.classify() == Category::Io => Some(sink.file_problem(
            Position::Record(index + 1),
            format!("reading failed: {}", message(&e)),
        )),
        Err(e) => Some(sink.file_problem(
            Position::Text {
                line: e.line(),
                column: e.column(),
            },
            format!("not valid JSON: {}", message(&e)),
        )),
    }
}

/// Takes each element of a JSON array as a record.
struct ArrayVisitor<'s, 'a> {
    sink: &'s mut Sink<'a>,
    index: &'s mut u64,
}

impl<'de> Visitor<'de> for ArrayVisitor<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(value) = seq.next_element::<Obj<RawLog<'de>>>()? {
            *self.index += 1;
            if !self.sink.take(Position::Record(*self.index), Ok(value)) {
                return Err(de::Error::custom("stopped at the first bad record"));
            }
        }
        Ok(())
    }
}

/// serde_json's message without its own " at line L column C" for I/O and EOF errors.
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) if e.classify() == Category::Io => text[..i].to_string(),
        _ => text,
    }
}

/// Counts the bytes read through it.
struct Counted<'a, R> {
    inner: R,
    bytes: &'a mut u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.bytes += n as u64;
        Ok(n)
    }
}
