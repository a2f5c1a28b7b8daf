//! CloudTrail files: the real published samples parse to what their JSON says (expectations
//! computed here from `serde_json::Value`, not from the program), and bad input is counted
//! and named (file, position, field) while the rest is read; strict mode stops at the first.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bedrock_meter::records::CallRecord;
use bedrock_meter::sources::cloudtrail::{Position, TimeRange, TrailError, TrailReader};
use bedrock_meter::sources::objects;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

fn samples() -> PathBuf {
    let beside = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/samples/real"
    ));
    if beside.exists() {
        beside.to_path_buf()
    } else {
        PathBuf::from("/work/shared/samples/real")
    }
}

fn sample_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(samples())
        .expect("the real samples folder")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name.starts_with("cloudtrail_") || name.starts_with("lookupevents_"))
                && name.ends_with(".json")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 4, "samples: {files:?}");
    files
}

/// The records of a sample, as plain JSON: whatever the file's shape.
fn json_records(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    if let Some(a) = v.as_array() {
        return a.clone();
    }
    if let Some(a) = v.get("Records").and_then(Value::as_array) {
        return a.clone();
    }
    if let Some(a) = v.get("Events").and_then(Value::as_array) {
        return a
            .iter()
            .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
            .collect();
    }
    vec![v]
}

/// eventID, eventName, principal key, model ID, error code.
type Summary = (String, String, String, Option<String>, Option<String>);

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn read_one(path: &Path) -> (Vec<CallRecord>, TrailReader) {
    let mut reader = TrailReader::default();
    let mut out = Vec::new();
    reader.read_path(path, &mut out).unwrap();
    (out, reader)
}

#[test]
fn every_real_sample_parses_to_what_its_json_says() {
    for path in sample_files() {
        let records = json_records(&path);
        let bedrock: Vec<&Value> = records
            .iter()
            .filter(|r| r["eventSource"] == "bedrock.amazonaws.com")
            .collect();
        let (mut out, reader) = read_one(&path);
        let s = &reader.stats;
        let name = path.display();
        assert_eq!(s.problem_count(), 0, "{name}: {:?}", s.problems);
        assert_eq!(s.records, records.len() as u64, "{name}");
        assert_eq!(s.skipped, (records.len() - bedrock.len()) as u64, "{name}");
        assert_eq!(out.len(), bedrock.len(), "{name}");

        let mut expected: Vec<Summary> = bedrock
            .iter()
            .map(|r| {
                (
                    text(&r["eventID"]).unwrap(),
                    text(&r["eventName"]).unwrap(),
                    text(&r["userIdentity"]["arn"]).unwrap(),
                    text(&r["requestParameters"]["modelId"]),
                    text(&r["errorCode"]),
                )
            })
            .collect();
        expected.sort();
        out.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        let got: Vec<_> = out
            .iter()
            .map(|c| {
                (
                    c.event_id.clone(),
                    c.event_name.clone(),
                    c.principal.key.clone(),
                    c.model_id.clone(),
                    c.error_code.clone(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{name}");
        for c in &out {
            let r = bedrock
                .iter()
                .find(|r| text(&r["eventID"]).as_deref() == Some(c.event_id.as_str()))
                .unwrap();
            assert_eq!(
                c.principal.role_arn,
                text(&r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"])
            );
            assert_eq!(c.region, text(&r["awsRegion"]).unwrap());
            assert_eq!(c.read_only, r["readOnly"].as_bool());
            assert_eq!(c.source_ip, text(&r["sourceIPAddress"]));
            assert_eq!(c.user_agent, text(&r["userAgent"]));
        }
    }
}

#[test]
fn the_invoke_model_sample_has_its_errors_and_times() {
    let path = samples().join("cloudtrail_stratus_red_team_bedrock_invoke_model_detonation.json");
    let records = json_records(&path);
    let (out, _) = read_one(&path);
    let mut errors: Vec<String> = records
        .iter()
        .filter_map(|r| text(&r["errorCode"]))
        .collect();
    let mut got: Vec<String> = out.iter().filter_map(|c| c.error_code.clone()).collect();
    errors.sort();
    got.sort();
    assert_eq!(got, errors);
    let invocations = records
        .iter()
        .filter(|r| r["eventName"] == "InvokeModel")
        .count();
    assert_eq!(
        out.iter().filter(|c| c.is_invocation()).count(),
        invocations
    );
    assert!(invocations >= 1);
    for c in &out {
        let r = records
            .iter()
            .find(|r| text(&r["eventID"]).as_deref() == Some(c.event_id.as_str()))
            .unwrap();
        let t = text(&r["eventTime"]).unwrap();
        assert_eq!(c.time.to_string(), t, "{t}");
    }
}

#[test]
fn space_separated_times_are_utc_and_control_plane_calls_keep_parameters() {
    let path = samples().join("cloudtrail_stratus_red_team_bedrock_guardrail_delete.json");
    let record = &json_records(&path)[0];
    let (out, _) = read_one(&path);
    let t = text(&record["eventTime"]).unwrap(); // "2025-03-26 16:43:57.000000000"
    assert_eq!(
        out[0].time.to_string(),
        format!("{}T{}Z", &t[..10], &t[11..19])
    );
    let params: Value = serde_json::from_str(out[0].parameters.as_deref().unwrap()).unwrap();
    assert_eq!(params, record["requestParameters"]);
}

#[test]
fn the_lookup_events_sample_parses_and_counts_as_skipped() {
    let path = samples().join("lookupevents_awscli_example_response_consolelogin_NOT_BEDROCK.json");
    let (out, reader) = read_one(&path);
    assert!(out.is_empty());
    assert_eq!(reader.stats.records, 1);
    assert_eq!(reader.stats.skipped, 1);
    assert_eq!(reader.stats.problem_count(), 0);
}

#[test]
fn the_samples_folder_is_read_whole_with_duplicates_across_files_dropped() {
    let files = sample_files();
    let mut seen = HashSet::new();
    let (mut bedrock, mut duplicates, mut all) = (0, 0, 0);
    for f in &files {
        for r in json_records(f) {
            all += 1;
            if r["eventSource"] == "bedrock.amazonaws.com" {
                if seen.insert(text(&r["eventID"]).unwrap()) {
                    bedrock += 1;
                } else {
                    duplicates += 1;
                }
            }
        }
    }
    // The folder also has an invocation-log sample: only the two file families are read.
    let dir = tempfile::tempdir().unwrap();
    for f in &files {
        fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let (out, reader) = read_one(dir.path());
    assert_eq!(reader.stats.files, files.len() as u64);
    assert_eq!(reader.stats.records, all);
    assert_eq!(out.len(), bedrock);
    assert_eq!(reader.stats.duplicates, duplicates);
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn record(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"2024-10-17T20:11:24Z","eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel","awsRegion":"us-east-1","eventID":"{id}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"}},"requestParameters":{{"modelId":"amazon.nova-lite-v1:0"}}}}"#
    )
}

fn trail(ids: std::ops::Range<usize>) -> String {
    let records: Vec<String> = ids.map(|i| record(&format!("id-{i}"))).collect();
    format!(r#"{{"Records":[{}]}}"#, records.join(","))
}

/// A folder with good files around one of each kind of bad file.
fn bad_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("a_good.json.gz"), gz(trail(0..10).as_bytes())).unwrap();
    let whole = gz(trail(10..2010).as_bytes());
    fs::write(p.join("b_truncated.json.gz"), &whole[..whole.len() / 2]).unwrap();
    fs::write(p.join("c_not_json.json"), b"<html>Access Denied</html>").unwrap();
    fs::write(p.join("d_no_records.json"), br#"{"NextToken": "abc"}"#).unwrap();
    let wrong = format!(
        "[{},{},{}]",
        record("w1").replace(r#""eventTime":"2024-10-17T20:11:24Z""#, r#""eventTime":5"#),
        record("w2").replace(
            r#""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"}"#,
            r#""userIdentity":"x""#
        ),
        record("w3"),
    );
    fs::write(p.join("e_wrong_types.json"), wrong).unwrap();
    fs::write(p.join("f_good.json"), trail(5000..5005)).unwrap();
    fs::write(p.join("README.txt"), b"not a trail file").unwrap();
    dir
}

#[test]
fn bad_files_and_records_are_counted_and_named_and_the_rest_is_read() {
    let dir = bad_folder();
    let mut reader = TrailReader::default();
    let mut out = Vec::new();
    reader.read_path(dir.path(), &mut out).unwrap();
    let s = &reader.stats;
    assert_eq!(s.files, 6);
    assert_eq!(s.files_ignored, 1);
    assert_eq!(s.bad_files, 3);
    assert_eq!(s.bad_records, 2);
    let ids: HashSet<&str> = out.iter().map(|c| c.event_id.as_str()).collect();
    for want in ["id-0", "id-9", "w3", "id-5000", "id-5004", "id-10"] {
        assert!(ids.contains(want), "{want} missing");
    }
    // The truncated file kept the records before the cut.
    let truncated = out.iter().filter(|c| {
        let n: usize = c
            .event_id
            .strip_prefix("id-")
            .map_or(0, |n| n.parse().unwrap());
        (10..2010).contains(&n)
    });
    let kept_from_truncated = truncated.count();
    assert!(kept_from_truncated > 0 && kept_from_truncated < 2000);

    let by_file = |name: &str| {
        s.problems
            .iter()
            .filter(|p| p.file.ends_with(name))
            .collect::<Vec<_>>()
    };
    let t = by_file("b_truncated.json.gz");
    assert_eq!(t.len(), 1);
    assert_eq!(
        t[0].position,
        Position::Record(kept_from_truncated as u64 + 1)
    );
    assert!(t[0].what.contains("reading failed"), "{}", t[0]);
    let n = by_file("c_not_json.json");
    assert!(
        matches!(n[0].position, Position::Line { line: 1, column: 1 }),
        "{}",
        n[0]
    );
    assert!(n[0].what.contains("not valid JSON"), "{}", n[0]);
    let r = by_file("d_no_records.json");
    assert_eq!(r[0].position, Position::File);
    assert!(r[0].what.contains("no CloudTrail records"), "{}", r[0]);
    let w = by_file("e_wrong_types.json");
    assert_eq!(w.len(), 2);
    assert_eq!(w[0].position, Position::Record(1));
    assert!(
        w[0].what.contains("`eventTime`") && w[0].what.contains("a number"),
        "{}",
        w[0]
    );
    assert_eq!(w[0].event_id.as_deref(), Some("w1"));
    assert_eq!(w[1].position, Position::Record(2));
    assert!(
        w[1].what.contains("`userIdentity`") && w[1].what.contains("a string"),
        "{}",
        w[1]
    );
}

#[test]
fn strict_mode_stops_at_the_first_bad_file() {
    let dir = bad_folder();
    let mut reader = TrailReader::new(true, TimeRange::default());
    let mut out = Vec::new();
    let err = reader.read_path(dir.path(), &mut out).unwrap_err();
    let TrailError::Bad(problem) = &err else {
        panic!("{err}")
    };
    assert!(problem.file.ends_with("b_truncated.json.gz"), "{err}");
    assert_eq!(
        reader.stats.files, 2,
        "nothing after the first bad file is read"
    );
}

#[test]
fn a_record_with_a_100_mb_field_is_read_and_its_parameters_cut() {
    let huge = "x".repeat(100 * 1024 * 1024);
    let big = format!(
        r#"{{"eventTime":"2024-10-17T20:11:24Z","eventSource":"bedrock.amazonaws.com","eventName":"CreateGuardrail","awsRegion":"us-east-1","eventID":"big","requestParameters":{{"blockedInputMessaging":"{huge}"}}}}"#
    );
    drop(huge);
    let text = format!(
        r#"{{"Records":[{},{big},{}]}}"#,
        record("before"),
        record("after")
    );
    drop(big);
    let object = objects::from_bytes("s3://bucket/big.json.gz", gz(text.as_bytes()));
    let mut reader = TrailReader::default();
    let mut out = Vec::new();
    reader.read_object(object, &mut out).unwrap();
    assert_eq!(reader.stats.problem_count(), 0);
    let ids: Vec<&str> = out.iter().map(|c| c.event_id.as_str()).collect();
    assert_eq!(ids, ["before", "big", "after"]);
    let params = out[1].parameters.as_deref().unwrap();
    assert!(params.len() <= 300 && params.starts_with(r#"{"blockedInputMessaging":"xxx"#));
    assert_eq!(reader.stats.bytes, text.len() as u64);
}

#[test]
fn a_folder_of_ten_thousand_small_files_is_read_with_its_bad_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10_000 {
        let sub = dir.path().join(format!("{:02}", i % 100));
        fs::create_dir_all(&sub).unwrap();
        let body = if i % 1000 == 999 {
            format!("[{}", record(&format!("f{i}"))) // cut off: not valid JSON
        } else {
            format!("[{}]", record(&format!("f{i}")))
        };
        fs::write(sub.join(format!("{i:05}.json")), body).unwrap();
    }
    let mut reader = TrailReader::default();
    let mut out = Vec::new();
    reader.read_path(dir.path(), &mut out).unwrap();
    let s = &reader.stats;
    assert_eq!(s.files, 10_000);
    assert_eq!(s.bad_files, 10);
    assert_eq!(out.len(), 10_000, "records before the cut are kept too");
    assert_eq!(s.problems.len(), 10);
    assert!(
        s.problems[0].file.ends_with("99/00999.json"),
        "{}",
        s.problems[0]
    );
    assert!(matches!(
        s.problems[0].position,
        Position::Line { line: 1, .. }
    ));
}
