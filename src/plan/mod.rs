//! The workload planner: what a planned Bedrock workload will cost month by month under every
//! way of buying it, which way is cheapest, and where provisioned throughput starts to pay.
//!
//! # The buying options
//!
//! The same traffic can be bought several ways (see [`crate::catalog::Mode`]):
//! - **on-demand**: per token, as you go;
//! - **batch**: asynchronous jobs over S3 files at about half the on-demand rate. Only traffic
//!   that can wait (hours, not seconds) can go there, so the planner prices a *split*: the
//!   workload's `batch_share` at batch rates, the rest on demand;
//! - **flex** and **priority** service tiers, cheaper-but-may-queue and dearer-but-first, for
//!   the models that have them;
//! - **provisioned throughput**: dedicated capacity rented by the *model-unit hour*. A model
//!   unit is a slice of a model's serving capacity that processes some number of tokens per
//!   minute. You pay for every hour the units exist, busy or idle, with no commitment or at a
//!   lower rate for a one- or six-month commitment. Whether that beats paying per token depends
//!   entirely on how many tokens per minute one unit serves, and AWS does not publish that
//!   number for most models (you get it from the console or your account team). So the
//!   planner takes it from the workload file and refuses to guess.
//!
//! Prompt caching cuts the input bill of requests that share a long prefix (system prompt,
//! documents, tool definitions): a request that finds the prefix in the cache pays the cheap
//! cache-read rate for it, one that misses pays the dearer cache-write rate.
//!
//! # Data flow
//!
//! workload file → [`file`] (parse and validate, every error with file, line and field) into
//! a [`Workload`] →
//! [`calendar`] and [`traffic`] (real months, requests per month with growth, tokens per
//! request, peak tokens per minute) → [`cost`] (one [`crate::estimate::Usage`] per month and
//! option, priced by [`crate::estimate::estimate`]; model units × hours × term rate for
//! [`provisioned`]) → [`breakeven`] → a [`Plan`] (JSON contract in `report`) →
//! [`compare`] for two scenarios. The command line lays plans out as a
//! [`crate::export::Document`].

pub mod breakeven;
pub mod calendar;
pub mod charts;
pub mod compare;
pub mod cost;
pub mod file;
pub mod provisioned;
pub mod report;
pub mod samples;
mod schema;
pub mod traffic;
mod value;
pub mod workload;

pub use calendar::Month;
pub use compare::{Comparison, compare};
pub use cost::plan;
pub use file::{WorkloadError, load, parse};
pub use report::{BreakEven, MonthPlan, OptionCost, Plan, PlanOption, Totals, WorkloadPlan};
pub use workload::{Cache, Days, Provisioned, TokenCount, Tokens, Traffic, Workload, WorkloadFile};
