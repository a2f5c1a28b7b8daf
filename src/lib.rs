//! bedrock-meter: estimate and monitor Amazon Bedrock costs.
//!
//! Data flows one way: **sources → records → pricing → reports → exporters**.
//! - [`aws`] is the only module that uses AWS SDK crates (configuration, retries, errors that
//!   name the IAM action; one file per service; plain data out);
//! - [`sources`] has one folder per source (CloudWatch metrics, …) turning raw data into
//!   [`records`]: usage (optionally by principal and tags) and calls;
//! - [`catalog`] knows prices and model IDs;
//! - [`resolve`] turns any model-ID form Bedrock accepts or reports into a catalog entry;
//! - [`tokenize`] counts tokens locally per model family;
//! - [`count_tokens`] counts exactly with Bedrock CountTokens and calibrates local estimates;
//! - [`estimate`] prices token counts under each pricing mode;
//! - [`plan`] budgets planned workloads month by month under every pricing mode;
//! - [`report`] prices usage records and lays them out as rows;
//! - [`alert`] checks budgets against priced usage and delivers alerts (SNS, webhooks);
//! - [`export`] writes documents as table, CSV, JSON, Markdown or HTML (with charts);
//! - [`config`] reads the config file and records where each setting came from;
//! - [`cli`] is the only place that knows the command line.

pub mod alert;
pub mod aws;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod count_tokens;
pub mod estimate;
pub mod export;
pub mod money;
pub mod plan;
pub mod records;
pub mod report;
pub mod request;
pub mod resolve;
pub mod sources;
pub mod tokenize;
