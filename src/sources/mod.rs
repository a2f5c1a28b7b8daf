//! Sources: one folder per place usage comes from, each turning raw AWS data into
//! [`crate::records`]. Sources use [`crate::aws`] for their calls and see no SDK type.
//! - [`cloudwatch`]: `AWS/Bedrock` metrics → daily usage records per Region × model series.
//! - [`cloudtrail`]: Bedrock's API calls as CloudTrail recorded them (event history, trail
//!   files in S3, Athena).
//! - [`cost_explorer`]: Cost Explorer's daily Bedrock bill → [`crate::records::Bill`].
//! - [`invocation_logs`]: model-invocation logs → per-request records with tokens and the
//!   caller, summed into daily usage records per principal and tags.
//! - [`batch_jobs`]: batch inference jobs and their output manifests → job records.
//! - [`s3_input`]: batch-inference JSONL in S3, streamed in ranged parts.
//!
//! Adding a source means adding a folder here; reports take its records unchanged.

pub mod batch_jobs;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod cost_explorer;
pub mod invocation_logs;
pub mod objects;
pub mod s3_input;
pub(crate) mod s3_walk;
