//! Records: the hand-off types of the data flow **sources → records → pricing → reports →
//! exporters**.
//!
//! A source ([`crate::sources`]) turns raw AWS data into records; reports price and group
//! them. Records know nothing of prices, of AWS SDK types or of the command line.
//! - [`UsageRecord`]: what one model series consumed on one day in one Region, optionally
//!   by one principal and with tags (invocation logs know both; CloudWatch neither);
//! - [`CallRecord`]: one API call as CloudTrail saw it (who, what, from where, which error);
//! - [`Bill`] / [`BillLine`]: what Cost Explorer says AWS billed, by day and usage type;
//! - [`Principal`]: a normalised IAM identity, the key of "who spent it";
//! - [`BatchJobRecord`]: a batch inference job with what its manifest says it consumed.

pub mod batch_job;
pub mod bill;
pub mod call;
pub mod principal;
pub mod usage;

pub use batch_job::{BatchJobRecord, InputEstimate, Manifest, ManifestState};
pub use bill::{Bill, BillLine};
pub use call::{CallAggregate, CallRecord, ClientKind};
pub use principal::{Principal, PrincipalType};
pub use usage::{Latency, Source, UsageRecord};
