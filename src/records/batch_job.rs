//! A batch inference job and what it really consumed, as its output manifest reports it.
//!
//! A Bedrock batch inference job (a *model invocation job*) reads JSONL records from S3 and
//! writes, under `{output location}/{job id}/`, one `.jsonl.out` per input file and a
//! `manifest.json.out` summary:
//! `{"totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount",
//! "inputTokenCount", "outputTokenCount"}` (AWS docs: "View the results of a batch inference
//! job"). The token counts are what the job is billed for, at the batch rates.
//!
//! A running job has no manifest yet; a manifest that cannot be read or parsed is kept as
//! the reason, never replaced by a guess.

use serde::Serialize;

/// Statuses of a job that is still going: no manifest to read yet.
pub const RUNNING_STATUSES: &[&str] = &[
    "Submitted",
    "Validating",
    "Scheduled",
    "InProgress",
    "Stopping",
];

/// The counts of a `manifest.json.out`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub total_records: u64,
    pub processed_records: u64,
    pub success_records: u64,
    pub error_records: u64,
    /// Input tokens billed (absent in manifests of jobs that processed nothing).
    pub input_tokens: Option<u64>,
    /// Output tokens billed.
    pub output_tokens: Option<u64>,
}

/// What reading a job's manifest gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ManifestState {
    /// Read and parsed, from this location.
    Read { uri: String, manifest: Manifest },
    /// The job is still running (or never ran): no manifest expected.
    NotYet,
    /// Expected but missing or unreadable; `reason` names the object and what went wrong.
    Unreadable { uri: Option<String>, reason: String },
}

impl ManifestState {
    pub fn manifest(&self) -> Option<&Manifest> {
        match self {
            ManifestState::Read { manifest, .. } => Some(manifest),
            _ => None,
        }
    }
}

/// One batch inference job with its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchJobRecord {
    pub arn: String,
    /// The last segment of the ARN: the folder of the job's outputs.
    pub id: String,
    pub name: String,
    pub region: String,
    /// The model as the job names it (ID, ARN or inference profile).
    pub model_id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(serialize_with = "as_text")]
    pub submitted: jiff::Timestamp,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "option_as_text"
    )]
    pub ended: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_s3_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_s3_uri: Option<String>,
    pub manifest: ManifestState,
}

impl BatchJobRecord {
    /// Whether the job is still going (no manifest yet).
    pub fn running(&self) -> bool {
        RUNNING_STATUSES.contains(&self.status.as_str())
    }
}

/// What counting a job's input locally gave (tokenizer estimate of the same records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputEstimate {
    /// Records counted.
    pub records: u64,
    /// Records that could not be counted (bad lines).
    pub failed_records: u64,
    pub input_tokens: u64,
    /// Expected output tokens (`output_from` says how: ceiling, output-ratio, output-tokens).
    pub output_tokens: u64,
    pub output_from: String,
    /// Whether every input count is exact (public vocabularies).
    pub exact: bool,
}

fn as_text<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

fn option_as_text<S: serde::Serializer>(
    t: &Option<jiff::Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_none(),
    }
}

/// The job id of a job ARN (`arn:aws:bedrock:REGION:ACCOUNT:model-invocation-job/ID` → `ID`).
pub fn job_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_are_the_last_segment() {
        assert_eq!(
            job_id("arn:aws:bedrock:us-east-2:111122223333:model-invocation-job/abc123xyz"),
            "abc123xyz"
        );
        assert_eq!(job_id("plain"), "plain");
    }
}
