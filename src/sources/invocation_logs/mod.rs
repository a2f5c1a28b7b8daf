//! The invocation-log source: Bedrock's model invocation logs, the only AWS record with both
//! the **token counts** and the **caller** of every call (bedrock-facts §3) — cost per
//! principal, per tag, per model.
//!
//! Model invocation logging is a per-Region setting of the account, off by default. When on,
//! Bedrock writes one JSON object per call to a CloudWatch Logs group and/or to S3 under
//! `PREFIX/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`.
//!
//! The ways in (this folder fetches; the record parser turns messages and files into
//! records):
//! - [`fetch_logs`]: `--log-group NAME`: FilterLogEvents over time slices, concurrently;
//! - [`fetch_s3`]: `--logs s3://BUCKET/PREFIX`: only the hour folders of the range;
//! - [`destination`]: neither given: ask Bedrock where each Region's logs go;
//! - [`insights`]: `--engine logs-insights`: aggregate inside CloudWatch with a Logs Insights
//!   query and map its rows;
//! - [`profiles`]: application inference profiles and their tags → alias-file entries.

pub mod destination;
pub mod fetch_logs;
pub mod fetch_s3;
pub mod insights;
pub mod profiles;
