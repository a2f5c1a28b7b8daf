//! Usage records: what one model series consumed in one Region on one day — and, where the
//! source knows it, by which principal and under which tags.
//!
//! A source produces records; [`crate::report`] prices them and lays them out. CloudWatch
//! metrics give day × Region × series only; invocation logs also give the caller and the
//! caller's `requestMetadata` tags; CloudTrail calls apportioned over CloudWatch costs give
//! an *estimated* split by principal.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// Where a usage record came from: it decides which grouping keys a report can offer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// CloudWatch `AWS/Bedrock` metrics: no caller, no tags.
    #[default]
    CloudWatch,
    /// CloudWatch costs split over principals in proportion to their CloudTrail calls.
    CloudTrailApportioned,
    /// Model-invocation logs: the caller and `requestMetadata` tags of every request.
    InvocationLogs,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::CloudWatch => "cloudwatch",
            Source::CloudTrailApportioned => "cloudtrail-apportioned",
            Source::InvocationLogs => "invocation-logs",
        }
    }

    /// Whether records of this source carry a principal.
    pub fn has_principals(self) -> bool {
        !matches!(self, Source::CloudWatch)
    }

    /// Whether records of this source carry tags.
    pub fn has_tags(self) -> bool {
        matches!(self, Source::InvocationLogs)
    }
}

/// Invocation latency of one series-day, in milliseconds, as CloudWatch reports it
/// (`InvocationLatency`: request sent → last token received). `None` when CloudWatch returned
/// no value for that statistic (no traffic, or a statistic that was not requested).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    pub avg_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// One day × Region × model series.
///
/// `model_id` is the raw CloudWatch `ModelId` dimension: the string callers passed to
/// Bedrock (bare ID, cross-Region profile ID, ARN) or a `MODEL+flex` / `MODEL+priority` tier
/// series. It is untrusted text.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord {
    /// Calendar day in the reporting time zone.
    pub day: Date,
    /// The Region whose CloudWatch recorded the traffic: the Region called, even when a
    /// cross-Region profile served the request elsewhere.
    pub region: String,
    pub model_id: String,
    /// Accepted requests (`Invocations`; throttled requests are not counted here).
    pub invocations: u64,
    /// Input tokens billed at the input rate (cache reads and writes excluded).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// The part of `cache_write_tokens` written with the 1-hour TTL (billed at the 1-hour
    /// write rate). Only invocation logs show it (Anthropic response bodies); 0 elsewhere.
    pub cache_write_1h_tokens: u64,
    /// Generated images (`OutputImageCount`).
    pub images: u64,
    pub latency: Latency,
    pub client_errors: u64,
    pub server_errors: u64,
    pub throttles: u64,
    /// The normalised caller ([`super::Principal::key`]), when the source knows it.
    pub principal: Option<String>,
    /// Tags of the usage (`requestMetadata` of invocation logs, an application inference
    /// profile's tags), key → value.
    pub tags: BTreeMap<String, String>,
    pub source: Source,
}

impl UsageRecord {
    /// An empty record for one series-day.
    pub fn new(day: Date, region: impl Into<String>, model_id: impl Into<String>) -> Self {
        UsageRecord {
            day,
            region: region.into(),
            model_id: model_id.into(),
            invocations: 0,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            cache_write_1h_tokens: 0,
            images: 0,
            latency: Latency::default(),
            client_errors: 0,
            server_errors: 0,
            throttles: 0,
            principal: None,
            tags: BTreeMap::new(),
            source: Source::CloudWatch,
        }
    }

    /// The sort and identity key of a record: day, Region, series, then principal.
    pub fn key(&self) -> (Date, &str, &str, &str) {
        (
            self.day,
            &self.region,
            &self.model_id,
            self.principal.as_deref().unwrap_or(""),
        )
    }
}
