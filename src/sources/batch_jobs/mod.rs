//! Batch inference jobs as records: Bedrock's job APIs (ListModelInvocationJobs,
//! GetModelInvocationJob) for what ran, and each finished job's `manifest.json.out` in S3
//! for what it really consumed ([`manifest`]).
//!
//! A job still running has no manifest ([`ManifestState::NotYet`]); a finished job whose
//! manifest is missing or malformed is kept with the reason
//! ([`ManifestState::Unreadable`]), so a report shows it instead of a silent zero.

pub mod manifest;

use crate::aws::bedrock::{Bedrock, InvocationJob, JobFilter};
use crate::aws::s3::S3;
use crate::aws::{Aws, AwsError};
use crate::records::batch_job::job_id;
use crate::records::{BatchJobRecord, ManifestState};

pub use manifest::{manifest_uri, parse_manifest};

/// Which jobs to read.
#[derive(Debug, Clone)]
pub struct JobsQuery {
    pub regions: Vec<String>,
    /// Jobs submitted at or after.
    pub since: jiff::Timestamp,
    /// Jobs submitted before.
    pub until: jiff::Timestamp,
    /// Only jobs with this status.
    pub status: Option<String>,
}

/// What listing jobs and reading their manifests gave.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// By Region (in the order asked), then newest first as Bedrock lists them.
    pub jobs: Vec<BatchJobRecord>,
    /// ListModelInvocationJobs calls, all Regions.
    pub list_calls: u64,
    /// Manifests read (GetObject calls).
    pub manifests_read: u64,
}

/// Lists the jobs of every Region of `query` and reads the manifest of each finished one.
pub async fn collect(aws: &Aws, query: &JobsQuery) -> Result<Collected, AwsError> {
    let mut out = Collected::default();
    let filter = JobFilter {
        submitted_after: Some(query.since),
        submitted_before: Some(query.until),
        status: query.status.clone(),
    };
    for region in &query.regions {
        let bedrock = Bedrock::new(aws, region);
        let s3 = S3::new(aws, region);
        let (jobs, calls) = bedrock.list_invocation_jobs(&filter).await?;
        out.list_calls += calls;
        for job in jobs {
            // The API filters by submit time; keep the range exact even if it did not.
            if job.submitted < query.since || job.submitted >= query.until {
                continue;
            }
            let (record, read) = with_manifest(&s3, job, region).await;
            out.manifests_read += u64::from(read);
            out.jobs.push(record);
        }
    }
    Ok(out)
}

/// One job by ARN or name (GetModelInvocationJob), with its manifest when it has finished.
pub async fn fetch(aws: &Aws, region: &str, id: &str) -> Result<BatchJobRecord, AwsError> {
    let job = Bedrock::new(aws, region).get_invocation_job(id).await?;
    Ok(with_manifest(&S3::new(aws, region), job, region).await.0)
}

/// The record of `job`, its manifest read when the job is no longer running; the bool
/// says whether a GetObject was made.
async fn with_manifest(s3: &S3, job: InvocationJob, region: &str) -> (BatchJobRecord, bool) {
    let mut record = BatchJobRecord {
        id: job_id(&job.arn).to_string(),
        arn: job.arn,
        name: job.name,
        region: region.to_string(),
        model_id: job.model_id,
        status: job.status,
        message: job.message,
        submitted: job.submitted,
        ended: job.ended,
        input_s3_uri: job.input_s3_uri,
        output_s3_uri: job.output_s3_uri,
        manifest: ManifestState::NotYet,
    };
    if record.running() {
        return (record, false);
    }
    let Some(output) = record.output_s3_uri.as_deref() else {
        record.manifest = ManifestState::Unreadable {
            uri: None,
            reason: "the job names no S3 output location".into(),
        };
        return (record, false);
    };
    let uri = manifest_uri(output, &record.arn);
    record.manifest = read_manifest(s3, &uri, &record.status).await;
    (record, true)
}

async fn read_manifest(s3: &S3, uri: &str, status: &str) -> ManifestState {
    let unreadable = |reason: String| ManifestState::Unreadable {
        uri: Some(uri.to_string()),
        reason,
    };
    let (bucket, key) = match super::s3_input::split_uri(uri) {
        Ok(bk) => bk,
        Err(e) => return unreadable(e.to_string()),
    };
    match s3.get_object(&bucket, &key).await {
        Ok(bytes) => match parse_manifest(uri, &bytes) {
            Ok(manifest) => ManifestState::Read {
                uri: uri.to_string(),
                manifest,
            },
            Err(e) => unreadable(e),
        },
        Err(e) => {
            let text = e.to_string();
            if text.contains("NoSuchKey") || text.contains("does not exist") {
                unreadable(format!("no manifest at {uri} (job status {status})"))
            } else {
                unreadable(format!("cannot read {uri}: {text}"))
            }
        }
    }
}
