//! Objects to read: the files of a folder (or one file), and objects fetched from S3, each
//! opened as a plain byte stream whatever its compression.
//!
//! CloudTrail delivers `*.json.gz` files under `AWSLogs/<account>/CloudTrail/<region>/
//! YYYY/MM/DD/`; invocation logs are `*.json.gz` too; people also save responses and exports
//! as `.json` or `.jsonl`. Compression is detected from the **gzip magic bytes** (`1f 8b`),
//! not from the name (S3 objects are renamed, `Content-Encoding` is lost on download), and
//! concatenated gzip members are read as one stream ([`MultiGzDecoder`]).
//!
//! No AWS call happens here: S3 objects arrive as bytes fetched elsewhere.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

/// The endings of the files a folder walk accepts.
pub const ACCEPTED_ENDINGS: &[&str] = &[".json", ".json.gz", ".jsonl", ".jsonl.gz", ".gz"];

/// The two bytes every gzip member starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The files found under a path.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Listing {
    /// Files to read, sorted by path.
    pub files: Vec<PathBuf>,
    /// Files passed over because of their name (`README.txt`, `.DS_Store`, digests…).
    pub skipped: u64,
}

/// Whether a file name ends in one of [`ACCEPTED_ENDINGS`] (case-insensitive).
pub fn accepted_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ACCEPTED_ENDINGS.iter().any(|end| lower.ends_with(end))
}

/// Lists `path`: a file is listed as itself (whatever its name: the user asked for it), a
/// folder is walked recursively and its accepted files are returned in sorted order.
/// Symbolic links to files are followed; links to folders are not (no cycles).
pub fn list(path: &Path) -> io::Result<Listing> {
    let meta = fs::metadata(path).map_err(|e| named(path, e))?;
    let mut listing = Listing::default();
    if meta.is_file() {
        listing.files.push(path.to_path_buf());
    } else {
        walk(path, &mut listing)?;
        listing.files.sort();
    }
    Ok(listing)
}

fn walk(dir: &Path, listing: &mut Listing) -> io::Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| named(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| named(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| named(&path, e))?;
        if kind.is_dir() {
            walk(&path, listing)?;
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file()))
            && accepted_name(&entry.file_name().to_string_lossy())
        {
            listing.files.push(path);
        } else {
            listing.skipped += 1;
        }
    }
    Ok(())
}

fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// An opened object: its decompressed bytes and the name errors use.
pub struct Object {
    /// The file path, or `s3://bucket/key`.
    pub name: String,
    /// The object's bytes, gunzipped if they were gzip.
    pub reader: Box<dyn Read + Send>,
    /// Whether the object was gzip-compressed.
    pub gzip: bool,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("name", &self.name)
            .field("gzip", &self.gzip)
            .finish_non_exhaustive()
    }
}

/// Opens a file, gunzipping it if it starts with the gzip magic bytes.
pub fn open_file(path: &Path) -> io::Result<Object> {
    let file = File::open(path).map_err(|e| named(path, e))?;
    let name = path.display().to_string();
    let buffered = BufReader::with_capacity(128 * 1024, file);
    decoded(name, buffered).map_err(|e| named(path, e))
}

/// Turns an object fetched into memory (from S3, named `s3://bucket/key`) into the same kind
/// of reader as [`open_file`].
pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Object {
    // A cursor never fails to fill its buffer.
    decoded(name.into(), Cursor::new(bytes)).expect("reading from memory cannot fail")
}

fn decoded<R: BufRead + Send + 'static>(name: String, mut input: R) -> io::Result<Object> {
    let gzip = starts_with_gzip_magic(&mut input)?;
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(input))
    } else {
        Box::new(input)
    };
    Ok(Object { name, reader, gzip })
}

fn starts_with_gzip_magic<R: BufRead>(input: &mut R) -> io::Result<bool> {
    let head = input.fill_buf()?;
    Ok(head.len() >= 2 && head[..2] == GZIP_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn read_all(mut o: Object) -> Vec<u8> {
        let mut v = Vec::new();
        o.reader.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn folders_are_walked_in_sorted_order_and_other_files_counted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/2024/01")).unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        for name in [
            "b/2024/01/x.json.gz",
            "a/z.json",
            "a/y.JSONL",
            "a/notes.txt",
            "b/digest.sig",
            "c.gz",
        ] {
            fs::write(root.join(name), b"[]").unwrap();
        }
        let listing = list(root).unwrap();
        let names: Vec<String> = listing
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            ["a/y.JSONL", "a/z.json", "b/2024/01/x.json.gz", "c.gz"]
        );
        assert_eq!(listing.skipped, 2);
    }

    #[test]
    fn a_file_is_listed_as_itself_and_a_missing_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.txt");
        fs::write(&file, b"{}").unwrap();
        assert_eq!(list(&file).unwrap().files, vec![file.clone()]);
        let err = list(&dir.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn gzip_is_detected_by_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.gz");
        let packed = dir.path().join("packed.json");
        fs::write(&plain, b"[1]").unwrap();
        fs::write(&packed, gz(b"[2]")).unwrap();
        let o = open_file(&plain).unwrap();
        assert!(!o.gzip);
        assert_eq!(read_all(o), b"[1]");
        let o = open_file(&packed).unwrap();
        assert!(o.gzip);
        assert_eq!(o.name, packed.display().to_string());
        assert_eq!(read_all(o), b"[2]");
    }

    #[test]
    fn concatenated_gzip_members_and_memory_objects_read_whole() {
        let mut bytes = gz(b"[1,");
        bytes.extend(gz(b"2]"));
        let o = from_bytes("s3://bucket/key.json.gz", bytes);
        assert_eq!(o.name, "s3://bucket/key.json.gz");
        assert_eq!(read_all(o), b"[1,2]");
        assert_eq!(read_all(from_bytes("s3://b/k", b"x".to_vec())), b"x");
        assert_eq!(read_all(from_bytes("s3://b/empty", Vec::new())), b"");
    }

    #[test]
    fn truncated_gzip_fails_when_read() {
        let bytes = gz(&b"[1,2,3]".repeat(1000));
        let mut o = from_bytes("s3://b/cut.gz", bytes[..bytes.len() / 2].to_vec());
        let mut v = Vec::new();
        assert!(o.reader.read_to_end(&mut v).is_err());
    }
}
