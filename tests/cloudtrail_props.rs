//! Property tests of the CloudTrail file reader: generated records with mutated fields (wrong
//! types, missing keys, odd time formats, unicode and control characters) in every file
//! shape, gzipped or not, and raw or mutated bytes. Zero panics; every record is accounted
//! for; every problem names the file and a position, and a bad record names a field that the
//! generator actually broke.
//!
//! Cases: `BEDROCK_METER_FUZZ_CASES` (default 256), e.g.
//! `BEDROCK_METER_FUZZ_CASES=20000 cargo test --release --test cloudtrail_props`.

use std::collections::BTreeSet;
use std::io::Write;

use bedrock_meter::sources::cloudtrail::{Position, TrailReader, TrailStats};
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
    /// Another JSON type (or null, or an empty string).
    Wrong(Value),
    /// A string with unicode and control characters (starts with `x`: never empty).
    Odd(String),
}

/// A time in one of the accepted forms, or one no parser should accept.
#[derive(Debug, Clone)]
enum TimeMutation {
    Valid(String),
    Invalid(String),
    Other(Mutation),
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
            Just('é'),
            Just('\u{202e}'),
            Just(' '),
        ],
        0..12,
    )
    .prop_map(|cs| format!("x{}", cs.into_iter().collect::<String>()))
}

fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(json!("")),
        Just(json!("   ")),
        Just(json!([])),
        Just(json!([1, "a"])),
        Just(json!({})),
        Just(json!({"a": {"b": [null]}})),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => Just(Mutation::Keep),
        1 => Just(Mutation::Remove),
        1 => wrong_value().prop_map(Mutation::Wrong),
        1 => odd_string().prop_map(Mutation::Odd),
    ]
}

fn time_mutation() -> impl Strategy<Value = TimeMutation> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "2024-10-17T20:09:52Z",
            "2024-10-17T20:09:49.0000000Z",
            "2025-03-26 16:43:57.000000000",
            "2025-03-26 16:43:57",
            "2024-10-17T20:09:52+02:00",
            " 2024-10-17T20:09:52.123Z ",
        ])
        .prop_map(|s| TimeMutation::Valid(s.to_string())),
        1 => prop::sample::select(vec![
            "yesterday",
            "2024-13-45T00:00:00Z",
            "20:09:52",
            "2024-10-17T25:00:00Z",
            "1729195792",
        ])
        .prop_map(|s| TimeMutation::Invalid(s.to_string())),
        1 => mutation().prop_map(TimeMutation::Other),
    ]
}

/// The fields a generated record has, with whether a missing value breaks the record.
const FIELDS: &[(&str, bool)] = &[
    ("eventName", true),
    ("awsRegion", true),
    ("eventID", true),
    ("sourceIPAddress", false),
    ("userAgent", false),
    ("errorCode", false),
    ("errorMessage", false),
    ("requestID", false),
    ("userIdentity.type", false),
    ("userIdentity.arn", false),
    ("userIdentity.sessionContext.sessionIssuer.arn", false),
    ("requestParameters.modelId", false),
    ("additionalEventData.inferenceRegion", false),
];

/// Fields holding objects: replaced whole (after their inner fields were mutated).
const OBJECTS: &[&str] = &["userIdentity", "requestParameters", "additionalEventData"];

#[derive(Debug, Clone)]
struct RecordPlan {
    time: TimeMutation,
    /// `None`: Bedrock; `Some(m)`: the event source mutated.
    source: Mutation,
    read_only: Mutation,
    fields: Vec<Mutation>,
    objects: Vec<Mutation>,
}

fn record_plan() -> impl Strategy<Value = RecordPlan> {
    (
        time_mutation(),
        prop_oneof![8 => Just(Mutation::Keep), 1 => mutation()],
        mutation(),
        prop::collection::vec(mutation(), FIELDS.len()),
        prop::collection::vec(
            prop_oneof![6 => Just(Mutation::Keep), 1 => mutation()],
            OBJECTS.len(),
        ),
    )
        .prop_map(|(time, source, read_only, fields, objects)| RecordPlan {
            time,
            source,
            read_only,
            fields,
            objects,
        })
}

fn set(v: &mut Value, path: &str, m: &Mutation) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap();
    let mut cur = v;
    for p in parts {
        cur = &mut cur[p];
    }
    let Some(obj) = cur.as_object_mut() else {
        return;
    };
    match m {
        Mutation::Keep => {}
        Mutation::Remove => {
            obj.remove(last);
        }
        Mutation::Wrong(w) => {
            obj.insert(last.to_string(), w.clone());
        }
        Mutation::Odd(s) => {
            obj.insert(last.to_string(), Value::from(s.clone()));
        }
    }
}

/// Whether a mutation makes a field holding a string wrong (`required`: must be there).
fn breaks_text(m: &Mutation, required: bool) -> bool {
    match m {
        Mutation::Keep | Mutation::Odd(_) => false,
        Mutation::Remove => required,
        Mutation::Wrong(Value::Null) => required,
        Mutation::Wrong(Value::String(s)) => required && s.trim().is_empty(),
        Mutation::Wrong(_) => true,
    }
}

/// Builds record `i` and says what the reader must make of it: `Ok(true)` kept, `Ok(false)`
/// skipped (another service), `Err(fields)` bad with one of these fields named.
fn build(i: usize, plan: &RecordPlan) -> (Value, Result<bool, BTreeSet<String>>) {
    let mut v = json!({
        "eventVersion": "1.09",
        "eventTime": "2024-10-17T20:11:24Z",
        "eventSource": "bedrock.amazonaws.com",
        "eventName": "InvokeModel",
        "awsRegion": "us-east-1",
        "eventID": format!("id-{i}"),
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "Boto3/1.35.0",
        "errorCode": "ThrottlingException",
        "errorMessage": "Too many requests",
        "requestID": "r",
        "readOnly": true,
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/r/s",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/r"}}},
        "requestParameters": {"modelId": "amazon.nova-lite-v1:0"},
        "additionalEventData": {"inferenceRegion": "us-west-2"},
        "tlsDetails": {"clientProvidedHostHeader": "bedrock-runtime.us-east-1.amazonaws.com"}
    });
    let mut broken = BTreeSet::new();
    // The event ID stays unique: an odd one keeps its number.
    let mut fields = plan.fields.clone();
    if let Mutation::Odd(s) = &mut fields[2] {
        *s = format!("id-{i}-{s}");
    }
    for ((path, required), m) in FIELDS.iter().zip(&fields) {
        set(&mut v, path, m);
        if breaks_text(m, *required) {
            broken.insert(path.to_string());
        }
    }
    for (path, m) in OBJECTS.iter().zip(&plan.objects) {
        set(&mut v, path, m);
        match m {
            Mutation::Keep => {}
            // Gone or null: none of its fields can be wrong any more.
            Mutation::Remove | Mutation::Wrong(Value::Null) => {
                broken.retain(|b| !b.starts_with(&format!("{path}.")));
            }
            Mutation::Wrong(Value::Object(_)) => {
                // An object without the fields read: as harmless as removing them.
                broken.retain(|b| !b.starts_with(&format!("{path}.")));
            }
            _ => {
                broken.retain(|b| !b.starts_with(&format!("{path}.")));
                broken.insert(path.to_string());
            }
        }
    }
    // readOnly accepts booleans and their strings.
    let read_only = match &plan.read_only {
        Mutation::Wrong(Value::Bool(_)) => Mutation::Keep,
        other => other.clone(),
    };
    set(&mut v, "readOnly", &read_only);
    match &read_only {
        Mutation::Wrong(Value::String(s)) if s.trim().is_empty() => {}
        Mutation::Wrong(Value::Null) | Mutation::Keep | Mutation::Remove => {}
        _ => {
            broken.insert("readOnly".into());
        }
    }
    match &plan.time {
        TimeMutation::Valid(t) => v["eventTime"] = Value::from(t.clone()),
        TimeMutation::Invalid(t) => {
            v["eventTime"] = Value::from(t.clone());
            broken.insert("eventTime".into());
        }
        TimeMutation::Other(m) => {
            set(&mut v, "eventTime", m);
            if !matches!(m, Mutation::Keep) {
                broken.insert("eventTime".into());
            }
        }
    }
    set(&mut v, "eventSource", &plan.source);
    let outcome = match &plan.source {
        Mutation::Odd(_) => Ok(false),
        m if breaks_text(m, true) => Err(BTreeSet::from(["eventSource".to_string()])),
        _ if broken.is_empty() => Ok(true),
        _ => Err(broken),
    };
    (v, outcome)
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Lays records out in one of the file shapes.
fn file_text(records: &[Value], shape: u8) -> (String, bool) {
    match shape % 4 {
        0 => (json!({"Records": records}).to_string(), false),
        1 => (Value::from(records.to_vec()).to_string(), false),
        2 => {
            let events: Vec<Value> = records
                .iter()
                .map(|r| json!({"EventId": "x", "CloudTrailEvent": r.to_string()}))
                .collect();
            (
                json!({"Events": events, "NextToken": "t"}).to_string(),
                true,
            )
        }
        _ => {
            let lines: Vec<String> = records.iter().map(Value::to_string).collect();
            (lines.join("\n"), false)
        }
    }
}

fn read(name: &str, bytes: Vec<u8>, gzip: bool) -> (Vec<String>, TrailStats) {
    let bytes = if gzip { gz(&bytes) } else { bytes };
    let mut reader = TrailReader::default();
    let mut out = Vec::new();
    reader
        .read_object(objects::from_bytes(name, bytes), &mut out)
        .unwrap();
    let ids = out.into_iter().map(|c| c.event_id).collect();
    (ids, reader.stats)
}

/// Invariants every run keeps, whatever the input.
fn check_accounting(name: &str, s: &TrailStats) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        s.records,
        s.kept + s.skipped + s.out_of_range + s.duplicates + s.bad_records
    );
    prop_assert!(s.bad_files <= 1);
    for p in &s.problems {
        prop_assert_eq!(&p.file, name);
        prop_assert!(!p.what.is_empty());
        match &p.position {
            Position::Record(n) => {
                prop_assert!(*n >= 1 && *n <= s.records + 1, "{}", p);
                if !p.what.starts_with("reading failed") {
                    prop_assert!(
                        p.what.starts_with("field `") || p.what.starts_with("expected a record"),
                        "a bad record names its field: {}",
                        p
                    );
                }
            }
            Position::Line { line, .. } => prop_assert!(*line >= 1, "{}", p),
            Position::File => prop_assert!(s.bad_files == 1, "{}", p),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn mutated_records_are_kept_skipped_or_named(
        plans in prop::collection::vec(record_plan(), 1..6),
        shape in any::<u8>(),
        gzip in any::<bool>(),
    ) {
        let built: Vec<(Value, Result<bool, BTreeSet<String>>)> =
            plans.iter().enumerate().map(|(i, p)| build(i, p)).collect();
        let records: Vec<Value> = built.iter().map(|(v, _)| v.clone()).collect();
        let (text, lookup) = file_text(&records, shape);
        let name = "s3://bucket/AWSLogs/1/CloudTrail/us-east-1/2024/10/17/f.json.gz";
        let (ids, stats) = read(name, text.into_bytes(), gzip);
        check_accounting(name, &stats)?;
        prop_assert_eq!(stats.bad_files, 0, "{:?}", stats.problems);
        prop_assert_eq!(stats.records, records.len() as u64);

        let mut bad = stats.problems.iter();
        let mut kept = Vec::new();
        for (i, (v, outcome)) in built.iter().enumerate() {
            match outcome {
                Ok(true) => kept.push(v["eventID"].as_str().unwrap().trim().to_string()),
                Ok(false) => {}
                Err(fields) => {
                    let p = bad.next().expect("a problem for each bad record");
                    prop_assert_eq!(&p.position, &Position::Record(i as u64 + 1));
                    let named = p.what.strip_prefix("field `").and_then(|w| w.split_once('`')).map(|(f, _)| f);
                    let named = named.map(|f| if lookup { f.strip_prefix("CloudTrailEvent.").unwrap_or(f) } else { f });
                    prop_assert!(
                        named.is_some_and(|f| fields.contains(f)),
                        "record {} {}: named {:?}, broken {:?}", i, p, named, fields
                    );
                }
            }
        }
        prop_assert!(bad.next().is_none(), "{:?}", stats.problems);
        prop_assert_eq!(ids, kept);
        let skipped = built.iter().filter(|(_, o)| matches!(o, Ok(false))).count();
        prop_assert_eq!(stats.skipped, skipped as u64);
    }

    #[test]
    fn raw_bytes_never_panic_and_problems_name_file_and_position(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        gzip in any::<bool>(),
    ) {
        let (_, stats) = read("raw.bin", bytes, gzip);
        check_accounting("raw.bin", &stats)?;
    }

    #[test]
    fn mutated_files_never_panic_and_problems_name_file_and_position(
        plans in prop::collection::vec(record_plan(), 1..4),
        shape in any::<u8>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
        gzip in any::<bool>(),
    ) {
        let records: Vec<Value> = plans.iter().enumerate().map(|(i, p)| build(i, p).0).collect();
        let mut bytes = file_text(&records, shape).0.into_bytes();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        if !gzip {
            // Streamed and in-memory reading see the same records and problems.
            let (mut streamed, mut sliced) = (TrailReader::default(), TrailReader::default());
            let (mut a, mut b) = (Vec::new(), Vec::new());
            streamed.read_stream("m.json", bytes.as_slice(), &mut a).unwrap();
            sliced.read_slice("m.json", &bytes, &mut b).unwrap();
            // serde_json's reader and slice parsers may place an error one column apart, or
            // on either side of a line break.
            let (mut x, mut y) = (streamed.stats.clone(), sliced.stats.clone());
            for (p, q) in x.problems.iter_mut().zip(y.problems.iter_mut()) {
                if let (Position::Line { line: l1, column: c1 }, Position::Line { line: l2, column: c2 }) =
                    (&p.position, &q.position)
                {
                    prop_assert!(l1.abs_diff(*l2) <= 1, "{} / {}", p, q);
                    prop_assert!(l1 != l2 || c1.abs_diff(*c2) <= 1, "{} / {}", p, q);
                    q.position = p.position.clone();
                }
            }
            prop_assert_eq!(x, y);
            prop_assert_eq!(a, b);
        }
        let mut packed = if gzip { gz(&bytes) } else { bytes };
        // Sometimes cut the (compressed) stream short.
        let keep = cut.index(packed.len() * 2 + 1);
        if keep < packed.len() {
            packed.truncate(keep);
        }
        let mut reader = TrailReader::default();
        let mut out = Vec::new();
        reader.read_object(objects::from_bytes("m.json", packed), &mut out).unwrap();
        check_accounting("m.json", &reader.stats)?;
    }
}
