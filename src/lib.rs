//! bedrock-meter: estimate and monitor Amazon Bedrock costs.
//!
//! Data flows one way: **sources → usage records → pricing → reports → exporters**.
//! - [`catalog`] knows prices and model IDs;
//! - [`resolve`] turns any model-ID form Bedrock accepts or reports into a catalog entry;
//! - [`tokenize`] counts tokens locally per model family;
//! - [`estimate`] prices token counts under each pricing mode;
//! - [`plan`] budgets planned workloads month by month under every pricing mode;
//! - [`monitor`] reads Bedrock's CloudWatch metrics into [`usage`] records (the only module
//!   that knows the AWS SDK);
//! - [`report`] prices usage records and lays them out as rows;
//! - [`export`] writes documents as table, CSV, JSON or Markdown;
//! - [`cli`] is the only place that knows the command line.

pub mod catalog;
pub mod cli;
pub mod estimate;
pub mod export;
pub mod money;
pub mod monitor;
pub mod plan;
pub mod report;
pub mod request;
pub mod resolve;
pub mod tokenize;
pub mod usage;
