//! The model-invocation-log source: one JSON record per Bedrock request, delivered to S3
//! (`AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`, JSON
//! Lines) or to a CloudWatch Logs group (one event per call). The only source with both the
//! **tokens** and the **caller** of every request: cost per principal and per
//! `requestMetadata` tag. Requests through the OpenAI-compatible endpoint are not logged.
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
//!   Region × model × principal × tags.

pub mod aggregate;
mod body;
mod count;
pub mod files;
pub mod record;
pub mod stats;

pub use aggregate::{Failure, aggregate, classify};
pub use count::Count;
pub use files::{LogError, LogReader};
pub use record::{Images, InvocationRecord, Parsed, SCHEMA_TYPE, parse_log};
pub use stats::{KEPT_PROBLEMS, LogStats, Position, Problem};
