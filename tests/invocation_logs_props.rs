//! Property tests of the invocation-log reader: generated records with mutated fields (wrong
//! types, missing keys, unicode and control characters), gzipped or not, and raw or mutated
//! bytes. Zero panics; every record is accounted for; every problem names the file and a
//! line, and a bad line names a field that the generator actually broke.
//!
//! Cases: `BEDROCK_METER_FUZZ_CASES` (default 256), e.g.
//! `BEDROCK_METER_FUZZ_CASES=20000 cargo test --release --test invocation_logs_props`.

use std::collections::BTreeSet;
use std::io::Write;

use bedrock_meter::sources::invocation_logs::{LogReader, LogStats, Position};
use bedrock_meter::sources::objects;
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use serde_json::{Value, json};

fn cases() -> u32 {
    std::env::var("BEDROCK_METER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// What the generator did to one field.
#[derive(Debug, Clone)]
enum Mutation {
    Keep,
    Remove,
    /// A value of a type the field does not take.
    Wrong(Value),
    /// A string with unicode and control characters (starts with `x`: never blank).
    Odd(String),
}

fn odd_string() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>(),
            Just('\u{1b}'),
            Just('\u{0}'),
            Just('\n'),
            Just('"'),
            Just('\\'),
            Just('\u{202e}'),
            Just(' '),
        ],
        0..10,
    )
    .prop_map(|c| format!("x{}", c.into_iter().collect::<String>()))
}

/// Values that are not strings.
fn not_a_string() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(json!([1, "a"])),
        Just(json!({"k": "v"})),
        Just(json!(1.5)),
    ]
}

/// Values that are not counts.
fn not_a_count() -> impl Strategy<Value = Value> {
    prop_oneof![
        odd_string().prop_map(Value::from),
        (i64::MIN..0).prop_map(Value::from),
        Just(json!(2.5)),
        any::<bool>().prop_map(Value::from),
        Just(json!([])),
        Just(json!({"n": 1})),
    ]
}

fn string_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => Just(Mutation::Keep),
        1 => Just(Mutation::Remove),
        1 => not_a_string().prop_map(Mutation::Wrong),
        1 => odd_string().prop_map(Mutation::Odd),
    ]
}

fn count_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => Just(Mutation::Keep),
        1 => Just(Mutation::Remove),
        1 => not_a_count().prop_map(Mutation::Wrong),
    ]
}

/// The string fields (path, whether a record without it is bad).
const STRINGS: [(&str, bool); 7] = [
    ("timestamp", true),
    ("region", true),
    ("modelId", true),
    ("identity.arn", false),
    ("requestId", false),
    ("operation", false),
    ("accountId", false),
];

const COUNTS: [&str; 4] = [
    "input.inputTokenCount",
    "input.cacheReadInputTokenCount",
    "input.cacheWriteInputTokenCount",
    "output.outputTokenCount",
];

#[derive(Debug, Clone)]
struct Generated {
    strings: Vec<Mutation>,
    counts: Vec<(u64, Mutation)>,
    schema: Mutation,
    tags: Vec<(String, Value)>,
    body_usage: Option<Mutation>,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        prop::collection::vec(string_mutation(), STRINGS.len()),
        prop::collection::vec((0u64..1_000_000, count_mutation()), COUNTS.len()),
        prop_oneof![8 => Just(Mutation::Keep), 1 => Just(Mutation::Remove),
                    1 => not_a_string().prop_map(Mutation::Wrong), 1 => odd_string().prop_map(Mutation::Odd)],
        prop::collection::vec(
            (odd_string(), prop_oneof![odd_string().prop_map(Value::from), not_a_string()]),
            0..3,
        ),
        prop::option::of(count_mutation()),
    )
        .prop_map(|(strings, counts, schema, tags, body_usage)| Generated {
            strings,
            counts,
            schema,
            tags,
            body_usage,
        })
}

fn set(v: &mut Value, path: &str, m: &Mutation, keep: Value) {
    let (parent, key) = match path.split_once('.') {
        Some((p, k)) => (&mut v[p], k),
        None => (v, path),
    };
    let obj = parent.as_object_mut().unwrap();
    match m {
        Mutation::Keep => {
            obj.insert(key.to_string(), keep);
        }
        Mutation::Remove => {
            obj.remove(key);
        }
        Mutation::Wrong(w) => {
            obj.insert(key.to_string(), w.clone());
        }
        Mutation::Odd(s) => {
            obj.insert(key.to_string(), Value::from(s.clone()));
        }
    }
}

/// A record as JSON, and what should become of it: `Ok(true)` kept, `Ok(false)` skipped,
/// `Err(fields)` a bad line naming one of `fields`.
fn build(i: usize, g: &Generated) -> (Value, Result<bool, BTreeSet<String>>) {
    let mut v = json!({"identity": {}, "input": {}, "output": {"outputBodyJson": {}}});
    let keeps = [
        Value::from("2025-06-01T12:00:00.5Z"),
        Value::from("us-east-1"),
        Value::from("anthropic.claude-3-haiku-20240307-v1:0"),
        Value::from("arn:aws:iam::111122223333:user/u"),
        Value::from(format!("req-{i}")),
        Value::from("InvokeModel"),
        Value::from("111122223333"),
    ];
    let mut broken = BTreeSet::new();
    for ((path, required), (m, keep)) in STRINGS.iter().zip(g.strings.iter().zip(keeps)) {
        set(&mut v, path, m, keep);
        let bad = match m {
            Mutation::Wrong(_) => true,
            Mutation::Remove => *required,
            // A time no parser takes.
            Mutation::Odd(_) => *path == "timestamp",
            Mutation::Keep => false,
        };
        if bad {
            broken.insert(path.to_string());
        }
    }
    for (path, (n, m)) in COUNTS.iter().zip(&g.counts) {
        set(&mut v, path, m, Value::from(*n));
        if matches!(m, Mutation::Wrong(_)) {
            broken.insert(path.to_string());
        }
    }
    if let Some(m) = &g.body_usage {
        let body = &mut v["output"]["outputBodyJson"];
        body["usage"] = json!({});
        set(body, "usage.cache_read_input_tokens", m, Value::from(7));
        // Read only when the envelope has no cache-read count.
        if matches!(m, Mutation::Wrong(_)) && matches!(g.counts[1].1, Mutation::Remove) {
            broken.insert("output.outputBodyJson.usage.cache_read_input_tokens".to_string());
        }
    }
    if !g.tags.is_empty() {
        v["requestMetadata"] = Value::Object(g.tags.iter().cloned().collect());
    }
    set(
        &mut v,
        "schemaType",
        &g.schema,
        Value::from("ModelInvocationLog"),
    );
    let outcome = match &g.schema {
        Mutation::Wrong(_) => Err(BTreeSet::from(["schemaType".to_string()])),
        Mutation::Remove | Mutation::Odd(_) => Ok(false),
        Mutation::Keep if broken.is_empty() => Ok(true),
        Mutation::Keep => Err(broken),
    };
    (v, outcome)
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn read(name: &str, bytes: Vec<u8>) -> LogStats {
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader
        .read_object(objects::from_bytes(name, bytes), &mut out)
        .unwrap();
    assert_eq!(out.len() as u64, reader.stats.kept);
    reader.stats
}

fn counts_add_up(s: &LogStats) {
    assert_eq!(
        s.kept + s.skipped + s.duplicates + s.out_of_range + s.bad_lines,
        s.records,
        "{s:?}"
    );
    assert_eq!(
        s.problems.len() as u64 + s.problems_not_kept,
        s.problem_count(),
        "{s:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn generated_records_are_kept_skipped_or_named_by_line_and_field(
        records in prop::collection::vec(generated(), 1..25),
        packed in any::<bool>(),
    ) {
        let built: Vec<_> = records.iter().enumerate().map(|(i, g)| build(i, g)).collect();
        let text: String = built.iter().map(|(v, _)| v.to_string() + "\n").collect();
        let bytes = if packed { gz(text.as_bytes()) } else { text.into_bytes() };
        let s = read("gen.jsonl.gz", bytes);
        counts_add_up(&s);
        prop_assert_eq!(s.records, built.len() as u64);
        prop_assert_eq!(s.bad_files, 0);
        let kept = built.iter().filter(|(_, o)| matches!(o, Ok(true))).count() as u64;
        let skipped = built.iter().filter(|(_, o)| matches!(o, Ok(false))).count() as u64;
        // Odd request IDs may repeat: a repeat is a duplicate, not lost.
        prop_assert_eq!(s.kept + s.duplicates, kept);
        prop_assert_eq!(s.skipped, skipped);
        prop_assert_eq!(s.bad_lines, built.len() as u64 - kept - skipped);
        for p in &s.problems {
            prop_assert_eq!(&p.file, "gen.jsonl.gz");
            let Position::Line(n) = p.position else {
                return Err(TestCaseError::fail(format!("not a line: {p}")));
            };
            let expected = &built[n as usize - 1].1;
            match expected {
                Err(fields) => prop_assert!(fields.contains(&p.field), "{} not in {:?}", p, fields),
                Ok(_) => prop_assert!(false, "line {} should be fine: {}", n, p),
            }
        }
    }

    #[test]
    fn mutated_and_raw_bytes_never_panic_and_every_problem_has_a_place(
        records in prop::collection::vec(generated(), 1..8),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..12),
        raw in prop::collection::vec(any::<u8>(), 0..300),
        mode in 0u8..4,
    ) {
        let text: String = records.iter().enumerate().map(|(i, g)| build(i, g).0.to_string() + "\n").collect();
        let mut bytes = text.into_bytes();
        for (at, byte, op) in &edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = *byte,
                1 => bytes.insert(i, *byte),
                _ => { bytes.remove(i); }
            }
        }
        let input = match mode {
            0 => bytes,
            1 => gz(&bytes),
            2 => { let g = gz(&bytes); let cut = raw.len() % g.len().max(1); g[..cut].to_vec() }
            _ => raw,
        };
        let s = read("m.jsonl", input);
        counts_add_up(&s);
        for p in &s.problems {
            prop_assert_eq!(&p.file, "m.jsonl");
            match p.position {
                Position::Line(n) => prop_assert!(n >= 1 && n <= s.lines + 1, "{} of {} lines", p, s.lines),
                Position::Record(n) => prop_assert!(n >= 1 && n <= s.records + 1, "{p}"),
                Position::Text { line, .. } => prop_assert!(line >= 1, "{p}"),
                Position::File => prop_assert!(false, "a read file has a place: {p}"),
            }
            if !p.field.is_empty() {
                let top = p.field.split('.').next().unwrap();
                prop_assert!(
                    ["schemaType", "timestamp", "region", "modelId", "identity", "requestId",
                     "operation", "accountId", "inferenceRegion", "errorCode", "requestMetadata",
                     "input", "output"].contains(&top),
                    "{p}"
                );
            }
        }
    }
}
