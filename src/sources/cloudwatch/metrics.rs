//! The CloudWatch metrics Bedrock publishes (namespace `AWS/Bedrock`) and what each one
//! counts for a cost report.
//!
//! Every runtime metric carries a `ModelId` dimension: the identifier the caller passed
//! (bare ID, cross-Region profile, ARN), or `MODEL+flex` / `MODEL+priority` for traffic on a
//! service tier. `OutputImageCount` adds `ImageSize` and `BucketedStepSize` dimensions, so one
//! model has several image series; their sums add up.

/// The namespace of Bedrock runtime metrics.
pub const NAMESPACE: &str = "AWS/Bedrock";
/// The dimension that names the model series.
pub const MODEL_DIMENSION: &str = "ModelId";

/// Daily buckets: CloudWatch's `Period` for a 24-hour day. Days of a daylight-saving change
/// are 23 or 25 hours long and get their own period (see [`super::days`]).
pub const DAY_SECONDS: i64 = 86_400;

/// What a metric contributes to a usage record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `Invocations`: accepted requests (throttled ones are not counted).
    Invocations,
    /// `InputTokenCount`: input tokens billed at the input rate.
    InputTokens,
    /// `OutputTokenCount`.
    OutputTokens,
    /// Prompt-cache reads (`CacheReadInputTokens`; the name is discovered, see [`classify`]).
    CacheReadTokens,
    /// Prompt-cache writes (`CacheWriteInputTokens`).
    CacheWriteTokens,
    /// `OutputImageCount`: generated images.
    Images,
    /// `InvocationLatency`, milliseconds.
    Latency,
    /// `InvocationClientErrors` (4xx).
    ClientErrors,
    /// `InvocationServerErrors` (5xx).
    ServerErrors,
    /// `InvocationThrottles`.
    Throttles,
}

/// The metric names of the fields whose names are documented and stable.
pub const KNOWN: &[(&str, Field)] = &[
    ("Invocations", Field::Invocations),
    ("InputTokenCount", Field::InputTokens),
    ("OutputTokenCount", Field::OutputTokens),
    ("OutputImageCount", Field::Images),
    ("InvocationLatency", Field::Latency),
    ("InvocationClientErrors", Field::ClientErrors),
    ("InvocationServerErrors", Field::ServerErrors),
    ("InvocationThrottles", Field::Throttles),
];

/// Cache metric names to query for a series that ListMetrics did not return (see
/// `--series`), when no other series showed which names this account's metrics use.
pub const DEFAULT_CACHE_METRICS: &[(&str, Field)] = &[
    ("CacheReadInputTokens", Field::CacheReadTokens),
    ("CacheWriteInputTokens", Field::CacheWriteTokens),
];

/// The field a metric name feeds, or `None` for metrics a cost report does not use
/// (`TimeToFirstToken`, `EstimatedTPMQuotaUsage`, …).
///
/// Prompt-cache metric names differ between documentation pages (`CacheReadInputTokens`,
/// `CacheReadInputTokenCount`…), so they are recognised by their words: a name with
/// "cache", "token" and "read" (or "write") in it.
pub fn classify(metric_name: &str) -> Option<Field> {
    if let Some((_, f)) = KNOWN.iter().find(|(n, _)| *n == metric_name) {
        return Some(*f);
    }
    let lower = metric_name.to_ascii_lowercase();
    if lower.contains("cache") && lower.contains("token") {
        if lower.contains("read") {
            return Some(Field::CacheReadTokens);
        }
        if lower.contains("write") {
            return Some(Field::CacheWriteTokens);
        }
    }
    None
}

/// A CloudWatch statistic the monitor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stat {
    Sum,
    Average,
    P50,
    P90,
    P99,
}

impl Stat {
    /// The statistic as the CloudWatch API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Sum => "Sum",
            Stat::Average => "Average",
            Stat::P50 => "p50",
            Stat::P90 => "p90",
            Stat::P99 => "p99",
        }
    }
}

/// The statistics to fetch for a field: sums for counts; average (and, if asked,
/// percentiles) for latency. Each statistic is one GetMetricData query.
pub fn stats(field: Field, percentiles: bool) -> &'static [Stat] {
    match (field, percentiles) {
        (Field::Latency, true) => &[Stat::Average, Stat::P50, Stat::P90, Stat::P99],
        (Field::Latency, false) => &[Stat::Average],
        _ => &[Stat::Sum],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_metric_names_are_recognised_by_their_words() {
        assert_eq!(
            classify("CacheReadInputTokens"),
            Some(Field::CacheReadTokens)
        );
        assert_eq!(
            classify("CacheReadInputTokenCount"),
            Some(Field::CacheReadTokens)
        );
        assert_eq!(
            classify("CacheWriteInputTokens"),
            Some(Field::CacheWriteTokens)
        );
        assert_eq!(classify("InputTokenCount"), Some(Field::InputTokens));
        assert_eq!(classify("TimeToFirstToken"), None);
        assert_eq!(classify("CacheHitRatio"), None);
    }

    #[test]
    fn latency_has_average_and_optional_percentiles() {
        assert_eq!(stats(Field::Latency, true).len(), 4);
        assert_eq!(stats(Field::Latency, false), &[Stat::Average]);
        assert_eq!(stats(Field::Invocations, true), &[Stat::Sum]);
    }
}
