//! Amazon Bedrock's control plane: where model invocation logs go
//! (GetModelInvocationLoggingConfiguration), the account's application inference profiles
//! (ListInferenceProfiles, `typeEquals = APPLICATION`, paged) and a resource's tags
//! (ListTagsForResource), as plain data.
//!
//! Model invocation logging is a per-Region setting of the account: off by default; when on,
//! Bedrock writes one JSON record per call to a CloudWatch Logs group, to S3, or both (large
//! bodies of a log-group delivery can spill to a second S3 location). An application
//! inference profile is an ARN the account creates to call a model (or a system
//! cross-Region profile) under its own name and tags; its `models` list the foundation-model
//! ARNs it can route to.
//!
//! Batch inference jobs (model invocation jobs) read JSONL records from an S3 input location
//! and write results and a `manifest.json.out` under their output location:
//! GetModelInvocationJob and ListModelInvocationJobs (paged, filtered by submit time and
//! status) return them as [`InvocationJob`].
//!
//! IAM actions: `bedrock:GetModelInvocationLoggingConfiguration`,
//! `bedrock:ListInferenceProfiles`, `bedrock:ListTagsForResource`,
//! `bedrock:ListFoundationModels` (the Region's foundation models: ID, name, provider).
//! `bedrock:GetModelInvocationJob`, `bedrock:ListModelInvocationJobs`.

use std::collections::BTreeMap;

use aws_sdk_bedrock::Client;
use aws_sdk_bedrock::config::Region;
use aws_sdk_bedrock::primitives::DateTime;
use aws_sdk_bedrock::types::{
    InferenceProfileSummary, InferenceProfileType, ModelInvocationJobInputDataConfig,
    ModelInvocationJobOutputDataConfig, ModelInvocationJobStatus, S3Config,
};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "Bedrock",
    env: "BEDROCK",
    host: "bedrock",
};

/// ListInferenceProfiles' largest page.
pub const MAX_PROFILES_PER_PAGE: i32 = 1000;

/// An S3 location of a delivery: bucket and key prefix (empty when none is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Destination {
    pub bucket: String,
    pub prefix: String,
}

/// Where a Region's model invocation logs go and what they carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingConfig {
    /// The CloudWatch Logs group, when logs go to CloudWatch Logs.
    pub log_group: Option<String>,
    /// The role Bedrock assumes to write to the log group.
    pub role_arn: Option<String>,
    /// The bucket, when logs go to S3.
    pub s3_bucket: Option<String>,
    /// The key prefix in that bucket (may be empty).
    pub s3_prefix: Option<String>,
    /// Where bodies too large for a log event go (log-group delivery only).
    pub large_data_s3: Option<S3Destination>,
    /// Whether text, image and embedding bodies are delivered (token counts always are).
    pub text: bool,
    pub image: bool,
    pub embedding: bool,
}

/// An application inference profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub arn: String,
    pub id: String,
    pub name: String,
    /// The foundation-model ARNs it routes to (one per Region of a cross-Region profile).
    pub models: Vec<String>,
    /// `ACTIVE`.
    pub status: String,
}

/// ListModelInvocationJobs' largest page.
pub const MAX_JOBS_PER_PAGE: i32 = 1000;

/// A batch inference job (model invocation job) as Bedrock describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationJob {
    pub arn: String,
    pub name: String,
    /// The model as the job names it: a model ID, a foundation-model ARN or an inference
    /// profile (ID or ARN).
    pub model_id: String,
    /// `Submitted`, `Validating`, `Scheduled`, `InProgress`, `Completed`,
    /// `PartiallyCompleted`, `Failed`, `Stopping`, `Stopped`, `Expired` (or a newer one).
    pub status: String,
    /// Why a job failed or stopped.
    pub message: Option<String>,
    pub submitted: jiff::Timestamp,
    pub ended: Option<jiff::Timestamp>,
    /// The input location (`s3://…`, one JSONL object or a folder of them).
    pub input_s3_uri: Option<String>,
    /// The output location; results and the manifest go under `{output}/{job id}/`.
    pub output_s3_uri: Option<String>,
    /// Record counts Bedrock reports on the job itself (newer API versions), if any.
    pub total_records: Option<u64>,
    pub processed_records: Option<u64>,
    pub success_records: Option<u64>,
    pub error_records: Option<u64>,
}

/// Which jobs ListModelInvocationJobs returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Submitted at or after.
    pub submitted_after: Option<jiff::Timestamp>,
    /// Submitted before.
    pub submitted_before: Option<jiff::Timestamp>,
    /// Only this status (`Completed`…).
    pub status: Option<String>,
}

/// Bedrock's control plane in one Region.
pub struct Bedrock {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl Bedrock {
    pub fn new(aws: &Aws, region: &str) -> Bedrock {
        let conf = aws_sdk_bedrock::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        Bedrock {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    /// The Region this client reads.
    pub fn region(&self) -> &str {
        &self.region
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// Where this Region's model invocation logs go; `None` when logging is off (no
    /// configuration, or one with neither a log group nor a bucket).
    pub async fn logging_configuration(&self) -> Result<Option<LoggingConfig>, AwsError> {
        let site = self.site("bedrock:GetModelInvocationLoggingConfiguration");
        let resp = self
            .client
            .get_model_invocation_logging_configuration()
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(resp.logging_config().and_then(plain_logging_config))
    }

    /// Every application inference profile of the Region, following nextToken. Returns the
    /// profiles and the number of calls made.
    pub async fn list_application_inference_profiles(
        &self,
    ) -> Result<(Vec<Profile>, u64), AwsError> {
        let site = self.site("bedrock:ListInferenceProfiles");
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .list_inference_profiles()
                .type_equals(InferenceProfileType::Application)
                .max_results(MAX_PROFILES_PER_PAGE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            found.extend(resp.inference_profile_summaries().iter().map(plain_profile));
            match resp.next_token() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok((found, calls))
    }

    /// The tags of a Bedrock resource (an inference profile, a custom model…), by key.
    pub async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, AwsError> {
        let site = self.site("bedrock:ListTagsForResource");
        let resp = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(resp
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }
}

/// A foundation model of a Region as ListFoundationModels names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundationModel {
    /// `anthropic.claude-3-haiku-20240307-v1:0`, or a provisioned-only variant with a
    /// context suffix (`…-v1:0:200k`).
    pub id: String,
    /// The display name, as the `AmazonBedrock` Price List's `model` attribute spells it.
    pub name: String,
    pub provider: String,
}

impl Bedrock {
    /// Every foundation model offered in the Region (one unpaged call).
    pub async fn list_foundation_models(&self) -> Result<Vec<FoundationModel>, AwsError> {
        let site = self.site("bedrock:ListFoundationModels");
        let resp = self
            .client
            .list_foundation_models()
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(resp
            .model_summaries()
            .iter()
            .map(|m| FoundationModel {
                id: m.model_id().to_string(),
                name: m.model_name().unwrap_or_default().to_string(),
                provider: m.provider_name().unwrap_or_default().to_string(),
            })
            .collect())
    }
}

impl Bedrock {
    /// One batch inference job by ARN or name (GetModelInvocationJob).
    pub async fn get_invocation_job(&self, id: &str) -> Result<InvocationJob, AwsError> {
        let site = self.site("bedrock:GetModelInvocationJob");
        let r = self
            .client
            .get_model_invocation_job()
            .job_identifier(id)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(InvocationJob {
            arn: r.job_arn().to_string(),
            name: r.job_name().unwrap_or_default().to_string(),
            model_id: r.model_id().to_string(),
            status: r.status().map(status_text).unwrap_or_default(),
            message: r.message().map(str::to_string),
            submitted: timestamp(r.submit_time()),
            ended: r.end_time().map(timestamp),
            input_s3_uri: input_uri(r.input_data_config()),
            output_s3_uri: output_uri(r.output_data_config()),
            total_records: count(r.total_record_count()),
            processed_records: count(r.processed_record_count()),
            success_records: count(r.success_record_count()),
            error_records: count(r.error_record_count()),
        })
    }

    /// Every batch inference job `filter` selects, following nextToken, newest first.
    /// Returns the jobs and the number of calls made.
    pub async fn list_invocation_jobs(
        &self,
        filter: &JobFilter,
    ) -> Result<(Vec<InvocationJob>, u64), AwsError> {
        let site = self.site("bedrock:ListModelInvocationJobs");
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        let to_sdk = |t: &jiff::Timestamp| {
            DateTime::from_nanos(t.as_nanosecond()).expect("a jiff timestamp fits")
        };
        loop {
            let resp = self
                .client
                .list_model_invocation_jobs()
                .set_submit_time_after(filter.submitted_after.as_ref().map(to_sdk))
                .set_submit_time_before(filter.submitted_before.as_ref().map(to_sdk))
                .set_status_equals(filter.status.as_deref().map(ModelInvocationJobStatus::from))
                .max_results(MAX_JOBS_PER_PAGE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            found.extend(
                resp.invocation_job_summaries()
                    .iter()
                    .map(|j| InvocationJob {
                        arn: j.job_arn().to_string(),
                        name: j.job_name().to_string(),
                        model_id: j.model_id().to_string(),
                        status: j.status().map(status_text).unwrap_or_default(),
                        message: j.message().map(str::to_string),
                        submitted: timestamp(j.submit_time()),
                        ended: j.end_time().map(timestamp),
                        input_s3_uri: input_uri(j.input_data_config()),
                        output_s3_uri: output_uri(j.output_data_config()),
                        total_records: count(j.total_record_count()),
                        processed_records: count(j.processed_record_count()),
                        success_records: count(j.success_record_count()),
                        error_records: count(j.error_record_count()),
                    }),
            );
            match resp.next_token() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok((found, calls))
    }
}

fn status_text(s: &ModelInvocationJobStatus) -> String {
    s.as_str().to_string()
}

fn timestamp(t: &DateTime) -> jiff::Timestamp {
    jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn count(n: Option<i64>) -> Option<u64> {
    n.map(|n| n.max(0) as u64)
}

fn input_uri(c: Option<&ModelInvocationJobInputDataConfig>) -> Option<String> {
    c.and_then(|c| c.as_s3_input_data_config().ok())
        .map(|s| s.s3_uri().to_string())
        .filter(|s| !s.is_empty())
}

fn output_uri(c: Option<&ModelInvocationJobOutputDataConfig>) -> Option<String> {
    c.and_then(|c| c.as_s3_output_data_config().ok())
        .map(|s| s.s3_uri().to_string())
        .filter(|s| !s.is_empty())
}

fn plain_s3(s: &S3Config) -> Option<S3Destination> {
    (!s.bucket_name().is_empty()).then(|| S3Destination {
        bucket: s.bucket_name().to_string(),
        prefix: s.key_prefix().unwrap_or_default().to_string(),
    })
}

fn plain_logging_config(c: &aws_sdk_bedrock::types::LoggingConfig) -> Option<LoggingConfig> {
    let cw = c
        .cloud_watch_config()
        .filter(|cw| !cw.log_group_name().is_empty());
    let s3 = c.s3_config().and_then(plain_s3);
    if cw.is_none() && s3.is_none() {
        return None;
    }
    Some(LoggingConfig {
        log_group: cw.map(|cw| cw.log_group_name().to_string()),
        role_arn: cw
            .map(|cw| cw.role_arn().to_string())
            .filter(|r| !r.is_empty()),
        s3_bucket: s3.as_ref().map(|s| s.bucket.clone()),
        s3_prefix: s3.map(|s| s.prefix),
        large_data_s3: cw
            .and_then(|cw| cw.large_data_delivery_s3_config())
            .and_then(plain_s3),
        text: c.text_data_delivery_enabled().unwrap_or(false),
        image: c.image_data_delivery_enabled().unwrap_or(false),
        embedding: c.embedding_data_delivery_enabled().unwrap_or(false),
    })
}

fn plain_profile(p: &InferenceProfileSummary) -> Profile {
    Profile {
        arn: p.inference_profile_arn().to_string(),
        id: p.inference_profile_id().to_string(),
        name: p.inference_profile_name().to_string(),
        models: p
            .models()
            .iter()
            .filter_map(|m| m.model_arn().map(str::to_string))
            .collect(),
        status: p.status().as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrock::types::{CloudWatchConfig, InferenceProfileModel, InferenceProfileStatus};

    fn s3(bucket: &str, prefix: Option<&str>) -> S3Config {
        S3Config::builder()
            .bucket_name(bucket)
            .set_key_prefix(prefix.map(str::to_string))
            .build()
            .unwrap()
    }

    #[test]
    fn logging_configurations_become_plain_data() {
        let both = aws_sdk_bedrock::types::LoggingConfig::builder()
            .cloud_watch_config(
                CloudWatchConfig::builder()
                    .log_group_name("/bedrock/invocations")
                    .role_arn("arn:aws:iam::111122223333:role/bedrock-logs")
                    .large_data_delivery_s3_config(s3("big-bodies", None))
                    .build()
                    .unwrap(),
            )
            .s3_config(s3("invocation-logs", Some("bedrock")))
            .text_data_delivery_enabled(true)
            .embedding_data_delivery_enabled(false)
            .build();
        assert_eq!(
            plain_logging_config(&both),
            Some(LoggingConfig {
                log_group: Some("/bedrock/invocations".into()),
                role_arn: Some("arn:aws:iam::111122223333:role/bedrock-logs".into()),
                s3_bucket: Some("invocation-logs".into()),
                s3_prefix: Some("bedrock".into()),
                large_data_s3: Some(S3Destination {
                    bucket: "big-bodies".into(),
                    prefix: String::new()
                }),
                text: true,
                image: false,
                embedding: false,
            })
        );
        let s3_only = aws_sdk_bedrock::types::LoggingConfig::builder()
            .s3_config(s3("invocation-logs", None))
            .build();
        let c = plain_logging_config(&s3_only).unwrap();
        assert_eq!(c.log_group, None);
        assert_eq!(c.s3_prefix.as_deref(), Some(""));
        // Neither destination: logging is off.
        let empty = aws_sdk_bedrock::types::LoggingConfig::builder()
            .text_data_delivery_enabled(true)
            .build();
        assert_eq!(plain_logging_config(&empty), None);
    }

    #[test]
    fn profiles_become_plain_data() {
        let p = InferenceProfileSummary::builder()
            .inference_profile_arn(
                "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123",
            )
            .inference_profile_id("abc123")
            .inference_profile_name("team-search")
            .models(
                InferenceProfileModel::builder()
                    .model_arn("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0")
                    .build(),
            )
            .models(InferenceProfileModel::builder().build())
            .status(InferenceProfileStatus::Active)
            .r#type(InferenceProfileType::Application)
            .build()
            .unwrap();
        let plain = plain_profile(&p);
        assert_eq!(plain.id, "abc123");
        assert_eq!(plain.name, "team-search");
        assert_eq!(
            plain.models,
            ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"]
        );
        assert_eq!(plain.status, "ACTIVE");
    }
}
