//! Invocation-log files: the real published record parses to what its JSON says
//! (expectations read here with `serde_json::Value`), every record shape of the reference
//! (bedrock-facts §3) gives the right counts, and bad input is counted and named (file, line,
//! field) while the rest is read; strict mode stops at the first.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bedrock_meter::records::PrincipalType;
use bedrock_meter::sources::cloudtrail::TimeRange;
use bedrock_meter::sources::invocation_logs::{
    InvocationRecord, LogError, LogReader, Parsed, Position, aggregate, parse_log,
};
use bedrock_meter::sources::objects;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

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

fn record(json: &Value) -> InvocationRecord {
    match parse_log(&json.to_string()).unwrap() {
        Parsed::Record(r) => *r,
        other => panic!("{other:?}"),
    }
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A minimal successful record; `extra` keys are added (or replace) at the top level.
fn base(id: &str, extra: Value) -> Value {
    let mut v = json!({
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2025-06-01T12:00:00Z",
        "accountId": "111122223333",
        "identity": {"arn": "arn:aws:sts::111122223333:assumed-role/app/worker-1"},
        "region": "us-east-1",
        "requestId": id,
        "operation": "InvokeModel",
        "modelId": "anthropic.claude-3-5-haiku-20241022-v1:0",
        "input": {"inputContentType": "application/json", "inputTokenCount": 10},
        "output": {"outputContentType": "application/json", "outputTokenCount": 5}
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| r.to_string() + "\n").collect()
}

#[test]
fn the_real_record_parses_to_what_its_json_says() {
    let path =
        samples().join("invocationlog_dheerajoruganty_conversestream_nova_lite_cache_fields.json");
    let text = fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // The file is pretty-printed: the reader takes it as one object.
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader.read_path(&path, &mut out).unwrap();
    assert_eq!(
        reader.stats.problem_count(),
        0,
        "{:?}",
        reader.stats.problems
    );
    assert_eq!(out.len(), 1);
    let r = &out[0];
    assert_eq!(r.time, v["timestamp"].as_str().unwrap().parse().unwrap());
    assert_eq!(r.account.as_deref(), v["accountId"].as_str());
    assert_eq!(r.region, v["region"].as_str().unwrap());
    assert_eq!(r.principal.key, v["identity"]["arn"].as_str().unwrap());
    assert_eq!(r.principal.kind, PrincipalType::IamUser);
    assert_eq!(r.operation.as_deref(), v["operation"].as_str());
    assert_eq!(r.model_id, v["modelId"].as_str().unwrap());
    assert_eq!(r.request_id.as_deref(), v["requestId"].as_str());
    assert_eq!(Some(r.input_tokens), v["input"]["inputTokenCount"].as_u64());
    assert_eq!(
        Some(r.output_tokens),
        v["output"]["outputTokenCount"].as_u64()
    );
    assert_eq!(
        Some(r.cache_read_tokens),
        v["input"]["cacheReadInputTokenCount"].as_u64()
    );
    assert_eq!(
        Some(r.cache_write_tokens()),
        v["input"]["cacheWriteInputTokenCount"].as_u64()
    );
    assert_eq!(r.error_code, None);
    assert!(!r.bodies_in_s3 && !r.streamed);
    assert!(r.tags.is_empty());
    // The same record as one JSON line reads alike.
    let mut reader = LogReader::default();
    let mut again = Vec::new();
    reader
        .read("one.jsonl", format!("{v}\n").as_bytes(), &mut again)
        .unwrap();
    assert_eq!(again, out);
}

#[test]
fn anthropic_cache_creation_splits_writes_into_5_minutes_and_1_hour() {
    let body = json!({"id": "msg_1", "type": "message", "content": [{"type": "text", "text": "hi"}],
        "usage": {"input_tokens": 12, "output_tokens": 7, "cache_read_input_tokens": 900,
                  "cache_creation_input_tokens": 300,
                  "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 200}}});
    // Old record: no envelope cache fields; counts come from the body.
    let old = record(&base(
        "a",
        json!({"output": {"outputTokenCount": 7, "outputBodyJson": body}}),
    ));
    assert_eq!(old.cache_read_tokens, 900);
    assert_eq!(
        (old.cache_write_5m_tokens, old.cache_write_1h_tokens),
        (100, 200)
    );
    assert_eq!(
        old.input_tokens, 10,
        "the envelope's input count comes first"
    );
    // New record: the envelope has the total; the body's split still decides the 1-hour part.
    let new = record(&base(
        "b",
        json!({"input": {"inputTokenCount": 10, "cacheReadInputTokenCount": 900, "cacheWriteInputTokenCount": 300},
               "output": {"outputTokenCount": 7, "outputBodyJson": body}}),
    ));
    assert_eq!(
        (new.cache_write_5m_tokens, new.cache_write_1h_tokens),
        (100, 200)
    );
    assert_eq!(new.cache_write_tokens(), 300);
    // Without a split, every write is a 5-minute write.
    let plain = record(&base(
        "c",
        json!({"input": {"inputTokenCount": 1, "cacheWriteInputTokenCount": 40}}),
    ));
    assert_eq!(
        (plain.cache_write_5m_tokens, plain.cache_write_1h_tokens),
        (40, 0)
    );
}

#[test]
fn converse_usage_gives_cache_counts_when_the_envelope_has_none() {
    let r = record(&base(
        "a",
        json!({"operation": "Converse", "modelId": "us.amazon.nova-pro-v1:0",
               "output": {"outputTokenCount": 3, "outputBodyJson": {"output": {"message": {"role": "assistant", "content": [{"text": "x"}]}},
                   "usage": {"inputTokens": 10, "outputTokens": 3, "totalTokens": 63, "cacheReadInputTokens": 40, "cacheWriteInputTokens": 10}}}}),
    ));
    assert_eq!((r.input_tokens, r.output_tokens), (10, 3));
    assert_eq!((r.cache_read_tokens, r.cache_write_tokens()), (40, 10));
    assert_eq!(r.model_id, "us.amazon.nova-pro-v1:0");
}

#[test]
fn streamed_chunks_give_message_start_usage_and_invocation_metrics() {
    let chunks = json!([
        {"type": "message_start", "message": {"id": "m", "usage": {"input_tokens": 25, "output_tokens": 1,
            "cache_read_input_tokens": 500, "cache_creation_input_tokens": 60,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 60}}}},
        {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hello"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 42}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 25, "outputTokenCount": 42,
            "invocationLatency": 1200, "firstByteLatency": 300}}
    ]);
    let r = record(&base(
        "s",
        json!({"operation": "InvokeModelWithResponseStream",
               "input": {"inputBodyJson": {"messages": [{"role": "user", "content": "hi"}]}},
               "output": {"outputBodyJson": chunks}}),
    ));
    assert!(r.streamed);
    assert_eq!((r.input_tokens, r.output_tokens), (25, 42));
    assert_eq!(r.cache_read_tokens, 500);
    assert_eq!((r.cache_write_5m_tokens, r.cache_write_1h_tokens), (0, 60));
}

#[test]
fn text_delivery_off_s3_bodies_and_guardrail_blocks_keep_the_envelope_counts() {
    let off = record(&base("a", json!({})));
    assert_eq!((off.input_tokens, off.output_tokens), (10, 5));
    assert!(!off.bodies_in_s3);
    let s3 = record(&base(
        "b",
        json!({"input": {"inputTokenCount": 70000, "inputBodyS3Path": "s3://bucket/data/in.json"},
               "output": {"outputTokenCount": 900, "outputBodyS3Path": "s3://bucket/data/out.json"}}),
    ));
    assert!(s3.bodies_in_s3);
    assert_eq!((s3.input_tokens, s3.output_tokens), (70000, 900));
    let blocked = record(&base(
        "c",
        json!({"input": {"inputTokenCount": 0, "inputBodyJson": {"messages": []}},
               "output": {"outputTokenCount": 0, "outputBodyJson": {"amazon-bedrock-guardrailAction": "INTERVENED"}}}),
    ));
    assert_eq!((blocked.input_tokens, blocked.output_tokens), (0, 0));
    assert_eq!(blocked.error_code, None);
}

#[test]
fn errors_come_from_error_code_or_a_stream_error_chunk() {
    let failed = record(&base(
        "a",
        json!({"errorCode": "ThrottlingException", "input": {}, "output": {}}),
    ));
    assert_eq!(failed.error_code.as_deref(), Some("ThrottlingException"));
    let stream = record(&base(
        "b",
        json!({"output": {"outputBodyJson": [{"type": "message_start", "message": {"usage": {"input_tokens": 3}}},
                                             {"modelStreamErrorException": {"message": "boom"}}]}}),
    ));
    assert_eq!(
        stream.error_code.as_deref(),
        Some("ModelStreamErrorException")
    );
    let rows = aggregate(&[failed, stream], &jiff::tz::TimeZone::UTC);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].throttles,
            rows[0].server_errors,
            rows[0].invocations
        ),
        (1, 1, 0)
    );
    assert_eq!(rows[0].input_tokens, 0);
}

#[test]
fn image_models_count_images_with_size_and_quality() {
    let titan = record(&base(
        "a",
        json!({"modelId": "amazon.titan-image-generator-v2:0",
               "input": {"inputBodyJson": {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a cat"},
                   "imageGenerationConfig": {"numberOfImages": 3, "width": 1024, "height": 1024, "quality": "premium"}}}}),
    ));
    let images = titan.images.unwrap();
    assert_eq!(images.count, 3);
    assert_eq!(images.size.as_deref(), Some("1024x1024"));
    assert_eq!(images.quality.as_deref(), Some("premium"));
    let canvas = record(&base(
        "b",
        json!({"modelId": "amazon.nova-canvas-v1:0", "input": {"inputBodyJson": {"taskType": "TEXT_IMAGE"}}}),
    ));
    assert_eq!(
        canvas.images.unwrap().count,
        1,
        "one image unless asked for more"
    );
    let sd = record(&base(
        "c",
        json!({"modelId": "stability.sd3-5-large-v1:0", "input": {"inputBodyJson": {"prompt": "x", "count": 2}}}),
    ));
    assert_eq!(sd.images.unwrap().count, 2);
    assert_eq!(
        record(&base("d", json!({}))).images,
        None,
        "a text model has no images"
    );
}

#[test]
fn request_metadata_tags_and_profile_arns_are_kept_as_given() {
    let aip = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6 ";
    let r = record(&base(
        "a",
        json!({"modelId": aip, "inferenceRegion": "us-west-2",
               "requestMetadata": {"team": "search", "cost-centre": "cc-42", "priority": 3, "flags": {"a": true}}}),
    ));
    assert_eq!(r.model_id, aip.trim());
    assert_eq!(r.inference_region.as_deref(), Some("us-west-2"));
    assert_eq!(r.tags["team"], "search");
    assert_eq!(r.tags["cost-centre"], "cc-42");
    assert_eq!(r.tags["priority"], "3");
    assert_eq!(r.tags["flags"], r#"{"a":true}"#);
    let profile = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0";
    assert_eq!(
        record(&base("b", json!({"modelId": profile}))).model_id,
        profile
    );
}

#[test]
fn records_with_identity_and_schema_type_last_read_alike() {
    // 2026-style key order, written by hand so the order is the file's.
    let text = r#"{"timestamp":"2026-01-05T08:00:00.123Z","accountId":"111122223333","region":"eu-west-1","requestId":"r-2026","operation":"Converse","modelId":"eu.anthropic.claude-haiku-4-5-20251001-v1:0","input":{"inputTokenCount":8,"cacheReadInputTokenCount":2,"cacheWriteInputTokenCount":0},"output":{"outputTokenCount":4},"identity":{"arn":"arn:aws:iam::111122223333:user/carol"},"schemaType":"ModelInvocationLog","schemaVersion":"1.0"}"#;
    let r = match parse_log(text).unwrap() {
        Parsed::Record(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.principal.key, "arn:aws:iam::111122223333:user/carol");
    assert_eq!(r.time, "2026-01-05T08:00:00.123Z".parse().unwrap());
    assert_eq!(
        (r.input_tokens, r.cache_read_tokens, r.output_tokens),
        (8, 2, 4)
    );
}

#[test]
fn other_schema_types_are_skipped_and_counted() {
    let text = lines(&[
        base("a", json!({})),
        base("b", json!({"schemaType": "SomethingElse"})),
        json!({"eventSource": "bedrock.amazonaws.com"}),
    ]);
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader
        .read("mixed.jsonl", text.as_bytes(), &mut out)
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!((reader.stats.records, reader.stats.skipped), (3, 2));
    assert_eq!(reader.stats.problem_count(), 0);
}

#[test]
fn bad_lines_are_named_and_the_rest_is_read_and_strict_stops() {
    let text = lines(&[
        base("a", json!({})),
        base("b", json!({"input": {"inputTokenCount": "ten"}})),
        base("c", json!({"modelId": "vendor.unknown-model-v9:0"})),
        base("d", json!({"timestamp": 5})),
    ]) + "this is not json\n"
        + &lines(&[base("e", json!({}))]);
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader.read("bad.jsonl", text.as_bytes(), &mut out).unwrap();
    let ids: Vec<&str> = out
        .iter()
        .map(|r| r.request_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["a", "c", "e"], "an unknown model is kept as is");
    let s = &reader.stats;
    assert_eq!((s.lines, s.records, s.kept, s.bad_lines), (6, 6, 3, 3));
    let p: Vec<String> = s.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        p[0],
        "bad.jsonl: line 2: field `input.inputTokenCount`: expected a count, found a string (requestId b)"
    );
    assert_eq!(
        p[1],
        "bad.jsonl: line 4: field `timestamp`: expected a string, found a number (requestId d)"
    );
    assert!(
        p[2].starts_with("bad.jsonl: line 5: not valid JSON"),
        "{}",
        p[2]
    );

    let mut strict = LogReader::new(true, TimeRange::default());
    let mut out = Vec::new();
    let err = strict
        .read("bad.jsonl", text.as_bytes(), &mut out)
        .unwrap_err();
    assert!(
        matches!(&err, LogError::Bad(p) if p.position == Position::Line(2)),
        "{err}"
    );
    assert_eq!(out.len(), 1);
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let records: Vec<Value> = (0..2000)
        .map(|i| base(&format!("r{i}"), json!({})))
        .collect();
    let packed = gz(lines(&records).as_bytes());
    let cut = packed[..packed.len() / 2].to_vec();
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader
        .read_object(objects::from_bytes("s3://b/cut.json.gz", cut), &mut out)
        .unwrap();
    assert!(!out.is_empty() && out.len() < 2000, "{}", out.len());
    assert_eq!(reader.stats.bad_files, 1);
    let p = &reader.stats.problems[0];
    assert_eq!(p.file, "s3://b/cut.json.gz");
    assert!(p.what.starts_with("reading failed"), "{p}");
    assert!(
        matches!(p.position, Position::Line(n) if n as usize > out.len()),
        "{p}"
    );
}

#[test]
fn duplicates_across_files_and_the_time_range_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let hour = dir
        .path()
        .join("AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2025/06/01/12");
    fs::create_dir_all(&hour).unwrap();
    fs::write(
        hour.join("a.json.gz"),
        gz(lines(&[base("a", json!({})), base("b", json!({}))]).as_bytes()),
    )
    .unwrap();
    fs::write(
        hour.join("b.json.gz"),
        gz(lines(&[
            base("b", json!({})),
            base("c", json!({"timestamp": "2025-06-02T00:00:00Z"})),
        ])
        .as_bytes()),
    )
    .unwrap();
    // A JSON array file is read too.
    fs::write(hour.join("c.json"), format!("[{}]", base("d", json!({})))).unwrap();
    fs::write(hour.join("notes.txt"), "x").unwrap();
    let range = TimeRange {
        since: Some("2025-06-01T00:00:00Z".parse().unwrap()),
        until: Some("2025-06-02T00:00:00Z".parse().unwrap()),
    };
    let mut reader = LogReader::new(false, range);
    let mut out = Vec::new();
    reader.read_path(dir.path(), &mut out).unwrap();
    let s = &reader.stats;
    assert_eq!((s.files, s.files_ignored, s.records), (3, 1, 5));
    assert_eq!((s.kept, s.duplicates, s.out_of_range), (3, 1, 1));
    assert_eq!(s.problem_count(), 0);
    let rows = aggregate(&out, &jiff::tz::TimeZone::UTC);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].invocations, rows[0].input_tokens), (3, 30));
}

#[test]
fn a_50_mb_line_is_read_and_the_next_line_too() {
    let big = "x".repeat(50 * 1024 * 1024);
    let huge = base(
        "big",
        json!({"input": {"inputTokenCount": 12000000, "inputBodyJson": {"messages": [{"role": "user", "content": big}]}}}),
    );
    let text = lines(&[huge, base("next", json!({}))]);
    let mut reader = LogReader::default();
    let mut out = Vec::new();
    reader
        .read("huge.jsonl", text.as_bytes(), &mut out)
        .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].input_tokens, 12_000_000);
    assert_eq!(reader.stats.bytes, text.len() as u64);
}
