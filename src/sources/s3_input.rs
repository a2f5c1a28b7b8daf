//! Batch-inference input where it lives: JSONL objects in S3, read as byte streams for the
//! same line-oriented pipeline as local files ([`crate::estimate::stream`]).
//!
//! `s3://BUCKET/KEY` names one object when an object has that key; `s3://BUCKET/PREFIX/`
//! (or a key that names no object) means every `.jsonl` / `.jsonl.gz` under the prefix, in
//! key order — what a Bedrock batch job reads from its input location.
//!
//! Memory stays bounded whatever the objects' size: each object is cut into parts (8 MiB by
//! default) fetched with ranged GetObject calls, at most a few at once across object
//! boundaries (the next object's first parts download while the current one is counted),
//! and handed over in order through a bounded channel to one [`Read`] per object. gzip is
//! detected from the magic bytes and decompressed on the fly.
//!
//! IAM actions: `s3:ListBucket`, `s3:GetObject`.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use flate2::bufread::MultiGzDecoder;

use super::s3_walk::in_order;
use crate::aws::AwsError;
use crate::aws::s3::{S3, parse_s3_uri};

/// One object to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputObject {
    pub bucket: String,
    pub key: String,
    /// Bytes, as stored (compressed for `.gz`).
    pub size: u64,
}

impl InputObject {
    /// `s3://bucket/key`, the object's name in messages.
    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// The objects an input location names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// In key order.
    pub objects: Vec<InputObject>,
    /// Objects under the prefix that are not batch input (by name), not read.
    pub skipped: Vec<String>,
}

impl Selection {
    /// Bytes of every object, as stored.
    pub fn bytes(&self) -> u64 {
        self.objects.iter().map(|o| o.size).sum()
    }
}

/// Whether a key names batch-inference input: `.jsonl` or `.jsonl.gz` (any case).
pub fn is_batch_input(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with(".jsonl") || k.ends_with(".jsonl.gz")
}

/// Splits `s3://BUCKET/KEY_OR_PREFIX` (the bucket checked as [`parse_s3_uri`] does; the
/// rest kept exactly, without a `/` added).
pub fn split_uri(uri: &str) -> Result<(String, String), AwsError> {
    let loc = parse_s3_uri(uri)?;
    let rest = uri
        .strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .map(|(_, k)| k.trim_start_matches('/'))
        .unwrap_or_default();
    Ok((loc.bucket, rest.to_string()))
}

/// The objects `uri` names: the object with that exact key, else every batch-input object
/// under it as a folder. An empty result is an error that names the location.
pub async fn select(s3: &S3, uri: &str) -> Result<Selection, AwsError> {
    let (bucket, key) = split_uri(uri)?;
    if !key.is_empty() && !key.ends_with('/') {
        let (listed, _) = s3.list_objects(&bucket, &key).await?;
        if let Some(o) = listed.iter().find(|o| o.key == key) {
            return Ok(Selection {
                objects: vec![InputObject {
                    bucket,
                    key,
                    size: o.size,
                }],
                skipped: Vec::new(),
            });
        }
    }
    let prefix = if key.is_empty() || key.ends_with('/') {
        key.clone()
    } else {
        format!("{key}/")
    };
    let (listed, _) = s3.list_objects(&bucket, &prefix).await?;
    let mut sel = Selection::default();
    for o in listed {
        if is_batch_input(&o.key) {
            sel.objects.push(InputObject {
                bucket: bucket.clone(),
                key: o.key,
                size: o.size,
            });
        } else {
            sel.skipped.push(o.key);
        }
    }
    sel.objects.sort_by(|a, b| a.key.cmp(&b.key));
    if sel.objects.is_empty() {
        return Err(AwsError::Invalid(format!(
            "no batch input at {uri}: no object has that key, and no .jsonl or .jsonl.gz object is under s3://{bucket}/{prefix}{}",
            if sel.skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} other object(s) skipped)", sel.skipped.len())
            }
        )));
    }
    Ok(sel)
}

/// How objects are downloaded.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Bytes per ranged GET.
    pub part_bytes: u64,
    /// Ranged GETs in flight at once (across objects).
    pub parts_in_flight: usize,
    /// Downloaded parts waiting to be read.
    pub queued_parts: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            part_bytes: 8 << 20,
            parts_in_flight: 4,
            queued_parts: 2,
        }
    }
}

impl FetchOptions {
    /// The most object bytes held in memory at once.
    pub fn max_buffered_bytes(&self) -> u64 {
        self.part_bytes * (self.parts_in_flight.max(1) + self.queued_parts.max(1) + 1) as u64
    }
}

/// One ranged GET of the plan: bytes `start..end` of object `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    index: usize,
    start: u64,
    end: u64,
    /// The object's last piece (an empty object has one, empty).
    last: bool,
}

fn plan(objects: &[InputObject], part_bytes: u64) -> Vec<Piece> {
    let part = part_bytes.max(1);
    let mut pieces = Vec::new();
    for (index, o) in objects.iter().enumerate() {
        if o.size == 0 {
            pieces.push(Piece {
                index,
                start: 0,
                end: 0,
                last: true,
            });
            continue;
        }
        let mut start = 0;
        while start < o.size {
            let end = (start + part).min(o.size);
            pieces.push(Piece {
                index,
                start,
                end,
                last: end == o.size,
            });
            start = end;
        }
    }
    pieces
}

enum Msg {
    Part(usize, Vec<u8>),
    End(usize),
    Failed(usize, String),
}

impl Msg {
    fn index(&self) -> usize {
        match self {
            Msg::Part(i, _) | Msg::End(i) | Msg::Failed(i, _) => *i,
        }
    }
}

/// Objects being downloaded in the background, read one after the other.
pub struct Downloads {
    objects: Vec<InputObject>,
    next: usize,
    rx: Option<Receiver<Msg>>,
    producer: Option<std::thread::JoinHandle<()>>,
    on_bytes: Arc<dyn Fn(u64) + Send + Sync>,
}

impl Downloads {
    /// Starts downloading `objects` on `runtime`; `on_bytes` hears of every part as it is
    /// read (stored bytes: a progress bar's unit).
    pub fn start(
        runtime: &tokio::runtime::Handle,
        s3: &S3,
        objects: Vec<InputObject>,
        opts: FetchOptions,
        on_bytes: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Downloads {
        let (tx, rx) = sync_channel::<Msg>(opts.queued_parts.max(1));
        let pieces = plan(&objects, opts.part_bytes);
        let names: Vec<(String, String)> = objects
            .iter()
            .map(|o| (o.bucket.clone(), o.key.clone()))
            .collect();
        let (s3, handle) = (s3.clone(), runtime.clone());
        let producer = std::thread::spawn(move || {
            let names = Arc::new(names);
            let job = {
                let names = names.clone();
                move |p: Piece| {
                    let (s3, names) = (s3.clone(), names.clone());
                    async move {
                        let (bucket, key) = &names[p.index];
                        let got = s3.get_object_range(bucket, key, p.start, p.end).await;
                        Ok::<_, AwsError>((p, got))
                    }
                }
            };
            let _ = handle.block_on(in_order(pieces, opts.parts_in_flight.max(1), job).run(
                |(p, got)| {
                    let stop = || AwsError::Invalid("download stopped".into());
                    match got {
                        Ok(bytes) => {
                            if !bytes.is_empty() {
                                tx.send(Msg::Part(p.index, bytes)).map_err(|_| stop())?;
                            }
                            if p.last {
                                tx.send(Msg::End(p.index)).map_err(|_| stop())?;
                            }
                            Ok(())
                        }
                        Err(e) => {
                            let _ = tx.send(Msg::Failed(p.index, e.to_string()));
                            Err(stop())
                        }
                    }
                },
            ));
        });
        Downloads {
            objects,
            next: 0,
            rx: Some(rx),
            producer: Some(producer),
            on_bytes,
        }
    }

    /// The next object and a reader of its (decompressed) bytes, `None` after the last.
    /// A reader left before its end is drained by the next call.
    pub fn next_object(
        &mut self,
    ) -> Option<io::Result<(InputObject, Box<dyn BufRead + Send + '_>)>> {
        let object = self.objects.get(self.next)?.clone();
        let index = self.next;
        self.next += 1;
        let rx = self.rx.as_mut().expect("receiver lives until drop");
        let raw = ObjectReader {
            rx,
            index,
            buf: Vec::new(),
            pos: 0,
            done: false,
            on_bytes: self.on_bytes.as_ref(),
            uri: object.uri(),
        };
        Some(open(raw).map(|r| (object, r)))
    }
}

impl Drop for Downloads {
    fn drop(&mut self) {
        // Closing the channel stops the producer at its next part; then wait for it, so no
        // download outlives the runtime.
        self.rx.take();
        if let Some(p) = self.producer.take() {
            let _ = p.join();
        }
    }
}

/// Decompresses gzip (by its magic bytes), else passes the bytes through.
fn open<'a, R: Read + Send + 'a>(raw: R) -> io::Result<Box<dyn BufRead + Send + 'a>> {
    let mut buffered = BufReader::with_capacity(1 << 20, raw);
    let gz = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            1 << 20,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// The bytes of one object, part after part, as the background download hands them over.
struct ObjectReader<'a> {
    rx: &'a mut Receiver<Msg>,
    index: usize,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
    on_bytes: &'a (dyn Fn(u64) + Send + Sync),
    uri: String,
}

impl Read for ObjectReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            let msg = self.rx.recv().map_err(|_| {
                io::Error::other(format!("{}: the download stopped early", self.uri))
            })?;
            if msg.index() < self.index {
                // What is left of an earlier object that was not read to its end.
                continue;
            }
            if msg.index() > self.index {
                return Err(io::Error::other(format!(
                    "{}: the download skipped this object",
                    self.uri
                )));
            }
            match msg {
                Msg::Part(_, bytes) => {
                    (self.on_bytes)(bytes.len() as u64);
                    self.buf = bytes;
                    self.pos = 0;
                }
                Msg::End(_) => self.done = true,
                Msg::Failed(_, e) => return Err(io::Error::other(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(key: &str, size: u64) -> InputObject {
        InputObject {
            bucket: "b".into(),
            key: key.into(),
            size,
        }
    }

    #[test]
    fn plans_cover_every_byte_once_in_order() {
        let objects = [obj("a", 10), obj("b", 0), obj("c", 4)];
        let p = plan(&objects, 4);
        let spans: Vec<(usize, u64, u64, bool)> = p
            .iter()
            .map(|p| (p.index, p.start, p.end, p.last))
            .collect();
        assert_eq!(
            spans,
            [
                (0, 0, 4, false),
                (0, 4, 8, false),
                (0, 8, 10, true),
                (1, 0, 0, true),
                (2, 0, 4, true)
            ]
        );
    }

    #[test]
    fn only_jsonl_names_are_batch_input() {
        assert!(is_batch_input("in/part-1.jsonl"));
        assert!(is_batch_input("in/part-1.JSONL.GZ"));
        assert!(!is_batch_input("in/manifest.json.out"));
        assert!(!is_batch_input("in/readme.txt"));
        assert!(!is_batch_input("in/x.jsonl.out"));
    }

    #[test]
    fn uris_keep_the_key_as_given() {
        assert_eq!(
            split_uri("s3://bm-batch-in/jobs/a.jsonl").unwrap(),
            ("bm-batch-in".to_string(), "jobs/a.jsonl".to_string())
        );
        assert_eq!(
            split_uri("s3://bm-batch-in/jobs/").unwrap().1,
            "jobs/".to_string()
        );
        assert_eq!(split_uri("s3://bm-batch-in").unwrap().1, String::new());
        assert!(split_uri("https://x/y").is_err());
    }

    proptest::proptest! {
        #[test]
        fn split_uris_never_panic_and_keep_the_key(s in "\\PC{0,40}", k in "[a-z0-9/._-]{0,30}") {
            let _ = split_uri(&s);
            let (b, key) = split_uri(&format!("s3://bucket-1/{k}")).unwrap();
            proptest::prop_assert_eq!(b, "bucket-1");
            proptest::prop_assert_eq!(key, k.trim_start_matches('/'));
        }
    }

    #[test]
    fn readers_take_their_own_parts_and_skip_leftovers() {
        let (tx, mut rx) = sync_channel::<Msg>(16);
        tx.send(Msg::Part(0, b"left".to_vec())).unwrap();
        tx.send(Msg::End(0)).unwrap();
        tx.send(Msg::Part(1, b"ab".to_vec())).unwrap();
        tx.send(Msg::Part(1, b"cd".to_vec())).unwrap();
        tx.send(Msg::End(1)).unwrap();
        tx.send(Msg::Failed(2, "s3://b/c: denied".into())).unwrap();
        let seen = std::sync::atomic::AtomicU64::new(0);
        let count = |n: u64| {
            seen.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        };
        let mut text = String::new();
        ObjectReader {
            rx: &mut rx,
            index: 1,
            buf: Vec::new(),
            pos: 0,
            done: false,
            on_bytes: &count,
            uri: "s3://b/b".into(),
        }
        .read_to_string(&mut text)
        .unwrap();
        assert_eq!(text, "abcd");
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 4);
        let err = ObjectReader {
            rx: &mut rx,
            index: 2,
            buf: Vec::new(),
            pos: 0,
            done: false,
            on_bytes: &count,
            uri: "s3://b/c".into(),
        }
        .read_to_string(&mut text)
        .unwrap_err();
        assert!(err.to_string().contains("s3://b/c: denied"), "{err}");
        drop(tx);
        let err = ObjectReader {
            rx: &mut rx,
            index: 3,
            buf: Vec::new(),
            pos: 0,
            done: false,
            on_bytes: &count,
            uri: "s3://b/d".into(),
        }
        .read_to_string(&mut text)
        .unwrap_err();
        assert!(err.to_string().contains("s3://b/d"), "{err}");
    }
}
