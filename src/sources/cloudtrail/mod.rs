//! The CloudTrail source: Bedrock API calls (`eventSource` = `bedrock.amazonaws.com`) as
//! CloudTrail recorded them, turned into [`CallRecord`](crate::records::CallRecord)s (who
//! called which operation on which model, from where, with which error). CloudTrail has **no
//! token counts**: call records feed governance reports and an apportioned cost per principal.
//!
//! What each way in sees:
//! - **LookupEvents** (event history, [`lookup`]): management events of the last 90 days, one
//!   Region per call, paced at 2 requests/second per Region. Bedrock's `InvokeModel`,
//!   `Converse`… are management events (`readOnly: true`), so they are there. No trail needed.
//! - **Trails** (files in S3, [`trail_s3`]: `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`,
//!   organization trails one level deeper): whatever the trail logs, for as long as the files
//!   are kept; only the day folders of the range are listed. A trail that logs only *write*
//!   management events misses every `InvokeModel`: its files show control-plane changes only.
//! - **Saved files**: trail files copied locally, saved LookupEvents responses, exports; read
//!   by [`TrailReader`] in any of the shapes [`files`] lists.
//! - **Athena** ([`athena`]): a query over the standard CloudTrail Athena table that
//!   aggregates the events where they live (for accounts too large to download).
//!
//! Parts:
//! - [`event`]: one record → one call record (or "another service's record", skipped);
//! - [`identity`]: `userIdentity` → [`Principal`](crate::records::Principal);
//! - [`files`]: a file's records, streamed, with per-run [`TrailStats`] (duplicates by
//!   `eventID`, bad records and files named by file, position and field);
//! - `shapes`: the file shapes as serde visitors, used by [`files`];
//! - [`lenient`]: the serde shapes that let a wrong type in one record be reported without
//!   ending the file.

pub mod athena;
pub mod event;
pub mod files;
pub mod identity;
pub mod lenient;
pub mod lookup;
mod shapes;
pub mod stats;
pub mod trail_s3;

pub use event::{BEDROCK_SOURCE, EventError, Parsed, parse_event, parse_time};
pub use files::{TimeRange, TrailError, TrailReader};
pub use stats::{KEPT_PROBLEMS, Position, Problem, TrailStats};
