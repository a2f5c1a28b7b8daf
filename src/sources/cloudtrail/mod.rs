//! The CloudTrail source: Bedrock's API calls (`eventSource` = `bedrock.amazonaws.com`) as
//! CloudTrail recorded them — who called which operation on which model, from where, and
//! which calls failed. CloudTrail has no token counts: its records feed governance reports.
//!
//! Three ways to the records, each a module that fetches raw data through [`crate::aws`]:
//! - [`lookup`]: the event history (LookupEvents), last 90 days, paced at 2 calls per second
//!   per Region; no trail needed;
//! - [`trail_s3`]: a trail's log files in S3 (`AWSLogs/<account>/CloudTrail/<region>/…`),
//!   listing only the day folders of the range;
//! - [`athena`]: a query over the standard CloudTrail Athena table that aggregates the
//!   events where they live (for accounts too large to download).

pub mod athena;
pub mod lookup;
pub mod trail_s3;
