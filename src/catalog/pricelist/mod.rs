//! `pricing refresh`: reading the AWS Price List into the catalog's schema.
//!
//! The Price List holds Bedrock's prices under three service codes: `AmazonBedrock`
//! (Amazon, Meta, Mistral, DeepSeek, OpenAI… per 1K tokens), `AmazonBedrockService` (some
//! Anthropic cross-Region rates) and `AmazonBedrockFoundationModels` (models sold through
//! AWS Marketplace: Anthropic, Cohere, AI21…, per 1M tokens, the meaning in the description).
//! The pipeline: items ([`item`], from the API or [`offer_file`]s) → rates mapped to model ×
//! Region × mode × dimension × route × threshold × unit ([`map`], with the usage-type grammar
//! of [`usage_type`], the Marketplace rules of [`description`] and the join tables of
//! [`tables`]) → catalog scopes ([`assemble`]) → merged into the current catalog with a
//! difference ([`merge`]) → written as a pricing folder ([`write`], [`store`]).

pub mod assemble;
pub mod billed;
pub mod description;
pub mod item;
pub mod map;
pub mod merge;
pub mod offer_file;
pub mod reading;
pub mod refresh;
pub mod store;
pub mod tables;
pub mod usage_type;
pub mod write;
