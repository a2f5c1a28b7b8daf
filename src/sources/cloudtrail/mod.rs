//! The CloudTrail source: Bedrock API calls as CloudTrail recorded them, turned into
//! [`CallRecord`](crate::records::CallRecord)s (who called which operation on which model,
//! from where, with which error). CloudTrail has **no token counts**: call records feed
//! governance reports and an apportioned cost per principal.
//!
//! What each way in sees:
//! - **LookupEvents** (event history): management events of the last 90 days, one Region per
//!   call, 2 requests/second. Bedrock's `InvokeModel`, `Converse`… are management events
//!   (`readOnly: true`), so they are there.
//! - **Trails** (files in S3, `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`):
//!   whatever the trail logs, for as long as the files are kept. A trail that logs only
//!   *write* management events misses every `InvokeModel`: its files show control-plane
//!   changes only.
//! - **Saved files**: trail files copied locally, saved LookupEvents responses, exports; read
//!   by [`TrailReader`] in any of the shapes [`files`] lists.
//!
//! Parts:
//! - [`event`]: one record → one call record (or "another service's record", skipped);
//! - [`identity`]: `userIdentity` → [`Principal`](crate::records::Principal);
//! - [`files`]: a file's records, streamed, with per-run [`TrailStats`] (duplicates by
//!   `eventID`, bad records and files named by file, position and field);
//! - `shapes`: the file shapes as serde visitors, used by [`files`];
//! - [`lenient`]: the serde shapes that let a wrong type in one record be reported without
//!   ending the file.

pub mod event;
pub mod files;
pub mod identity;
pub mod lenient;
mod shapes;
pub mod stats;

pub use event::{BEDROCK_SOURCE, EventError, Parsed, parse_event, parse_time};
pub use files::{TimeRange, TrailError, TrailReader};
pub use stats::{KEPT_PROBLEMS, Position, Problem, TrailStats};
