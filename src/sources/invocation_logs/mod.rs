//! The invocation-log source: Bedrock's model invocation logs, the only AWS record with both
//! the **token counts** and the **caller** of every call (bedrock-facts §3) — cost per
//! principal, per `requestMetadata` tag, per model. Requests through the OpenAI-compatible
//! endpoint (Mantle) are not logged.
//!
//! Model invocation logging is a per-Region setting of the account, off by default. When on,
//! Bedrock writes one JSON object per call to a CloudWatch Logs group and/or to S3 under
//! `PREFIX/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`
//! (JSON Lines).
//!
//! The ways in:
//! - [`fetch_logs`]: `--log-group NAME`: FilterLogEvents over time slices, concurrently;
//! - [`fetch_s3`]: `--logs s3://BUCKET/PREFIX`: only the hour folders of the range;
//! - `--logs DIR|FILE`: the same files on disk ([`files`]);
//! - [`destination`]: none given: ask Bedrock where each Region's logs go;
//! - [`insights`]: `--engine logs-insights`: aggregate inside CloudWatch with a Logs Insights
//!   query and map its rows;
//! - [`collect`]: all of these as one record stream, deduplicated by `requestId`.
//!
//! Parts:
//! - [`record`]: one record → [`InvocationRecord`] (counts from the envelope, or from the
//!   response body: cache reads and writes, the 1-hour cache writes, stream metrics);
//! - `body`, `count`: the lenient serde shapes of the few body paths and counts read;
//! - [`files`]: files and in-memory objects → records ([`LogReader`]: JSON Lines, arrays,
//!   pretty-printed objects; duplicates by `requestId`; a time range; strict mode);
//! - [`stats`]: what a run saw ([`LogStats`]: counts, the first bad lines named by file,
//!   line and field);
//! - [`aggregate`]: records → daily [`UsageRecord`](crate::records::UsageRecord)s per
//!   Region × model × principal × tags;
//! - [`profiles`]: application inference profiles and their tags → alias-file entries.

pub mod aggregate;
mod body;
pub mod collect;
mod count;
pub mod destination;
pub mod fetch_logs;
pub mod fetch_s3;
pub mod files;
pub mod insights;
pub mod profiles;
pub mod record;
pub mod stats;

pub use aggregate::{Failure, aggregate, classify};
pub use count::Count;
pub use files::{LogError, LogReader};
pub use record::{Images, InvocationRecord, Parsed, SCHEMA_TYPE, parse_log};
pub use stats::{KEPT_PROBLEMS, LogStats, Position, Problem};
