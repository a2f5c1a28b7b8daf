//! Batch-inference input: JSONL with one `{"recordId": "…", "modelInput": <InvokeModel
//! body>}` per line, as Bedrock batch jobs read it from S3. All records of a job go to one
//! model.
//!
//! [`LineReader`] cuts the input into chunks of whole lines (with their line numbers) for
//! the parallel workers, with bounded memory: a line longer than [`MAX_LINE`] is not kept
//! but reported as a bad record. Files ending in `.gz` (or starting with the gzip magic
//! bytes) are decompressed on the fly; `-` is stdin.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use super::BodyError;
use super::json::{err, kind};

/// Longest line accepted (64 MiB): longer ones are bad records, never an out-of-memory.
pub const MAX_LINE: usize = 64 << 20;

/// Opens a batch file (`-`: stdin), decompressing gzip.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    let mut buffered = BufReader::with_capacity(1 << 20, raw);
    let gz = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// One line of a chunk.
#[derive(Debug, Clone)]
pub struct ChunkLine {
    /// 1-based line number in the file.
    pub number: u64,
    /// Byte range in [`Chunk::data`] (without the line end).
    pub start: usize,
    pub end: usize,
    /// Length of a line that exceeded the limit (its bytes are not kept).
    pub too_long: Option<u64>,
}

/// Consecutive lines of the input.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Position of the chunk in the input (0, 1, 2…).
    pub seq: u64,
    pub data: Vec<u8>,
    pub lines: Vec<ChunkLine>,
    /// Input bytes the chunk covers (line ends included).
    pub bytes: u64,
}

impl Chunk {
    pub fn line(&self, l: &ChunkLine) -> &[u8] {
        &self.data[l.start..l.end]
    }
}

/// Reads whole lines into chunks of about `target` bytes.
pub struct LineReader<R> {
    inner: R,
    line: u64,
    seq: u64,
    max_line: usize,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_LINE)
    }

    pub fn with_limit(inner: R, max_line: usize) -> Self {
        LineReader {
            inner,
            line: 0,
            seq: 0,
            max_line,
        }
    }

    /// The next chunk, `None` at the end of the input.
    pub fn next_chunk(&mut self, target: usize) -> io::Result<Option<Chunk>> {
        let mut chunk = Chunk {
            seq: self.seq,
            ..Chunk::default()
        };
        while chunk.data.len() < target {
            let start = chunk.data.len();
            let Some((consumed, too_long)) = self.read_line(&mut chunk.data)? else {
                break;
            };
            self.line += 1;
            let mut end = chunk.data.len();
            if chunk.data[start..end].ends_with(b"\n") {
                end -= 1;
            }
            if chunk.data[start..end].ends_with(b"\r") {
                end -= 1;
            }
            chunk.data.truncate(end);
            chunk.bytes += consumed;
            chunk.lines.push(ChunkLine {
                number: self.line,
                start,
                end,
                too_long,
            });
        }
        if chunk.lines.is_empty() {
            return Ok(None);
        }
        self.seq += 1;
        Ok(Some(chunk))
    }

    /// Appends one line (with its `\n`) to `out`; a line over the limit is skipped to its
    /// end and reported by length. `None` at the end of the input.
    fn read_line(&mut self, out: &mut Vec<u8>) -> io::Result<Option<(u64, Option<u64>)>> {
        let start = out.len();
        let mut consumed = 0u64;
        let mut too_long = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if !too_long {
                if out.len() - start + take > self.max_line {
                    too_long = true;
                    out.truncate(start);
                } else {
                    out.extend_from_slice(&buf[..take]);
                }
            }
            self.inner.consume(take);
            consumed += take as u64;
            if done {
                break;
            }
        }
        if consumed == 0 {
            return Ok(None);
        }
        Ok(Some((consumed, too_long.then_some(consumed))))
    }
}

/// One parsed batch record.
#[derive(Debug)]
pub struct Record {
    pub record_id: Option<String>,
    /// The InvokeModel body.
    pub model_input: Value,
}

/// Whether a line is blank (skipped, and counted as empty, not as a bad record).
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Parses one JSONL line into a record.
pub fn parse_record(line: &[u8]) -> Result<Record, BodyError> {
    let text = std::str::from_utf8(line).map_err(|e| {
        err(
            "",
            format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| err("", format!("invalid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(err(
            "",
            format!(
                "expected a record object {{\"recordId\", \"modelInput\"}}, found {}",
                kind(&value)
            ),
        ));
    };
    let record_id = match map.remove("recordId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            return Err(err(
                "recordId",
                format!("expected a string, found {}", kind(&other)),
            ));
        }
    };
    let model_input = match map.remove("modelInput") {
        Some(v @ Value::Object(_)) => v,
        Some(other) => {
            return Err(err(
                "modelInput",
                format!("expected an object, found {}", kind(&other)),
            ));
        }
        None => return Err(err("", "missing `modelInput`")),
    };
    Ok(Record {
        record_id,
        model_input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_line_numbers_and_cut_long_lines() {
        let input = b"a\r\n\nbbbbbbbbbb\nc";
        let mut r = LineReader::with_limit(&input[..], 5);
        let c = r.next_chunk(1 << 20).unwrap().unwrap();
        let lines: Vec<(u64, &[u8], Option<u64>)> = c
            .lines
            .iter()
            .map(|l| (l.number, c.line(l), l.too_long))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, &b"a"[..], None),
                (2, &b""[..], None),
                (3, &b""[..], Some(11)),
                (4, &b"c"[..], None)
            ]
        );
        assert_eq!(c.bytes, input.len() as u64);
        assert!(r.next_chunk(10).unwrap().is_none());
    }
}
