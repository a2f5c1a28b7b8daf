//! Parsing a batch job's `manifest.json.out`, and where it is.
//!
//! Bedrock writes a job's outputs under `{outputDataConfig.s3OutputDataConfig.s3Uri}/{job
//! id}/` (the job id is the last segment of the job ARN): one `<input>.jsonl.out` per input
//! file and `manifest.json.out`, one JSON object with `totalRecordCount`,
//! `processedRecordCount`, `successRecordCount`, `errorRecordCount`, `inputTokenCount` and
//! `outputTokenCount` (AWS docs, "View the results of a batch inference job").
//!
//! The record counts are required; the token counts may be absent (a job that processed
//! nothing). Any other shape is an error that names the object and the field: a manifest is
//! reported as unreadable, never guessed at.

use serde_json::Value;

use crate::records::Manifest;
use crate::records::batch_job::job_id;

/// The manifest's file name.
pub const MANIFEST_NAME: &str = "manifest.json.out";

/// `s3://bucket/prefix/{job id}/manifest.json.out` for a job's output location and ARN.
pub fn manifest_uri(output_s3_uri: &str, job_arn: &str) -> String {
    let base = output_s3_uri.trim_end_matches('/');
    format!("{base}/{}/{MANIFEST_NAME}", job_id(job_arn))
}

/// Parses the bytes of the manifest at `uri`. Errors start with `uri` and name the field.
pub fn parse_manifest(uri: &str, bytes: &[u8]) -> Result<Manifest, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "{uri}: not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(map) = value else {
        return Err(format!(
            "{uri}: expected a JSON object, found {}",
            kind(&value)
        ));
    };
    let field = |name: &str, required: bool| -> Result<Option<u64>, String> {
        match map.get(name) {
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => Err(format!("{uri}: field {name} is missing")),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                format!(
                    "{uri}: field {name} must be a whole number of zero or more, found {}",
                    short(v)
                )
            }),
        }
    };
    let m = Manifest {
        total_records: field("totalRecordCount", true)?.unwrap_or(0),
        processed_records: field("processedRecordCount", true)?.unwrap_or(0),
        success_records: field("successRecordCount", true)?.unwrap_or(0),
        error_records: field("errorRecordCount", true)?.unwrap_or(0),
        input_tokens: field("inputTokenCount", false)?,
        output_tokens: field("outputTokenCount", false)?,
    };
    if m.success_records + m.error_records > m.processed_records.max(m.total_records) {
        return Err(format!(
            "{uri}: successRecordCount {} + errorRecordCount {} exceed the {} records of the job",
            m.success_records,
            m.error_records,
            m.processed_records.max(m.total_records)
        ));
    }
    Ok(m)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for an error message: at most 40 characters.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const URI: &str = "s3://bm-batch-out/results/job1/manifest.json.out";

    #[test]
    fn the_manifest_sits_under_the_job_id() {
        let arn = "arn:aws:bedrock:us-east-2:111122223333:model-invocation-job/k2j4h5g6";
        assert_eq!(
            manifest_uri("s3://bm-batch-out/results/", arn),
            "s3://bm-batch-out/results/k2j4h5g6/manifest.json.out"
        );
        assert_eq!(
            manifest_uri("s3://bm-batch-out/results", arn),
            "s3://bm-batch-out/results/k2j4h5g6/manifest.json.out"
        );
    }

    #[test]
    fn documented_manifests_parse() {
        let m = parse_manifest(
            URI,
            br#"{"totalRecordCount": 100, "processedRecordCount": 100, "successRecordCount": 98, "errorRecordCount": 2, "inputTokenCount": 51234, "outputTokenCount": 20011}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            Manifest {
                total_records: 100,
                processed_records: 100,
                success_records: 98,
                error_records: 2,
                input_tokens: Some(51234),
                output_tokens: Some(20011),
            }
        );
        // Token counts may be absent; other fields are ignored.
        let m = parse_manifest(
            URI,
            br#"{"totalRecordCount": 3, "processedRecordCount": 0, "successRecordCount": 0, "errorRecordCount": 0, "extra": "x"}"#,
        )
        .unwrap();
        assert_eq!(m.input_tokens, None);
    }

    #[test]
    fn bad_manifests_name_the_object_and_field() {
        for (bytes, want) in [
            (&b"not json"[..], "not JSON"),
            (b"[1]", "expected a JSON object"),
            (
                br#"{"processedRecordCount": 1, "successRecordCount": 1, "errorRecordCount": 0}"#,
                "field totalRecordCount is missing",
            ),
            (
                br#"{"totalRecordCount": -1, "processedRecordCount": 1, "successRecordCount": 1, "errorRecordCount": 0}"#,
                "field totalRecordCount must be a whole number",
            ),
            (
                br#"{"totalRecordCount": 1, "processedRecordCount": 1, "successRecordCount": 1, "errorRecordCount": 0, "inputTokenCount": "12"}"#,
                "field inputTokenCount",
            ),
            (
                br#"{"totalRecordCount": 1, "processedRecordCount": 1, "successRecordCount": 5, "errorRecordCount": 0}"#,
                "exceed",
            ),
        ] {
            let e = parse_manifest(URI, bytes).unwrap_err();
            assert!(e.starts_with(URI), "{e}");
            assert!(e.contains(want), "{e} lacks {want}");
        }
    }

    proptest! {
        #[test]
        fn any_bytes_give_a_manifest_or_a_named_error(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            match parse_manifest(URI, &bytes) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.starts_with(URI)),
            }
        }

        #[test]
        fn mutated_manifests_never_panic(
            counts in proptest::collection::vec(0u64..1_000_000, 6),
            drop_field in 0usize..7,
            junk in "\\PC{0,12}",
        ) {
            let names = ["totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount", "inputTokenCount", "outputTokenCount"];
            let mut map = serde_json::Map::new();
            for (i, (n, c)) in names.iter().zip(&counts).enumerate() {
                if i != drop_field {
                    map.insert(n.to_string(), serde_json::json!(c));
                }
            }
            let text = serde_json::Value::Object(map).to_string();
            match parse_manifest(URI, text.as_bytes()) {
                Ok(m) => {
                    prop_assert!(drop_field >= 4);
                    prop_assert_eq!(m.total_records, counts[0]);
                }
                Err(e) => prop_assert!(e.starts_with(URI) && (e.contains("field") || e.contains("exceed")), "{}", e),
            }
            // A truncated or mangled copy still answers with a named error or a manifest.
            let cut = text.len() / 2;
            let mangled = format!("{}{}", &text[..cut], junk);
            if let Err(e) = parse_manifest(URI, mangled.as_bytes()) {
                prop_assert!(e.starts_with(URI));
            }
        }
    }
}
