//! Findings: patterns in the calls that a security team should look at — root use, new
//! callers, bursts of denied or invalid requests, model-access requests, calls outside
//! the policy, invocation logging or guardrails changed (the steps of stolen-key
//! "LLMjacking": probe which models answer, request access, switch logging off, invoke).
//!
//! [`from_aggregates`] computes what aggregates can tell (so a query engine's aggregates
//! get the same findings); [`from_records`] needs each call's time or error message and takes
//! the records.

mod control;
mod from_aggregates;
mod from_records;

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

pub use control::{MODEL_ACCESS_EVENTS, control_findings, is_model_access_event};
pub use from_aggregates::{
    NewPrincipals, from_aggregates, high_error_rate, identity, is_model_call, legacy_models,
    new_principals, outside_policy, root_use,
};
pub use from_records::{
    ACCESS_DENIED_CODES, PROBING_EVENTS, access_denied_bursts, availability_probing, burst_ranges,
    from_records, legacy_errors, validation_bursts,
};

/// How urgent a finding is, ordered from `Info` to `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity `{s}` (expected info, low, medium, high or critical)"
            )),
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// Any call by the account's root user.
    RootAccountUse,
    /// A caller not seen in the baseline days before the report.
    NewPrincipal,
    /// Many access-denied errors by one caller in a short window.
    AccessDeniedBurst,
    /// Many `ValidationException` errors by one caller in a short window.
    ValidationBurst,
    /// Calls to a model the policy does not allow for the caller.
    ModelOutsidePolicy,
    /// Calls in a Region the policy does not allow for the caller.
    RegionOutsidePolicy,
    /// Calls to models AWS lists as legacy.
    LegacyModel,
    /// Model access requested or granted (use case form, agreement, entitlement).
    ModelAccessGranted,
    /// Many model-availability checks by one caller within an hour.
    AvailabilityProbing,
    /// Model invocation logging deleted or changed.
    LoggingChanged,
    GuardrailDeleted,
    GuardrailChanged,
    /// Provisioned throughput bought (a commitment billed by the hour).
    ProvisionedThroughputBought,
    /// A caller × model where a large share of calls failed.
    HighErrorRate,
}

impl FindingKind {
    /// The kind's name in reports (`access-denied-burst`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::RootAccountUse => "root-account-use",
            FindingKind::NewPrincipal => "new-principal",
            FindingKind::AccessDeniedBurst => "access-denied-burst",
            FindingKind::ValidationBurst => "validation-burst",
            FindingKind::ModelOutsidePolicy => "model-outside-policy",
            FindingKind::RegionOutsidePolicy => "region-outside-policy",
            FindingKind::LegacyModel => "legacy-model",
            FindingKind::ModelAccessGranted => "model-access-granted",
            FindingKind::AvailabilityProbing => "availability-probing",
            FindingKind::LoggingChanged => "logging-changed",
            FindingKind::GuardrailDeleted => "guardrail-deleted",
            FindingKind::GuardrailChanged => "guardrail-changed",
            FindingKind::ProvisionedThroughputBought => "provisioned-throughput-bought",
            FindingKind::HighErrorRate => "high-error-rate",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// The principal key (raw, untrusted text).
    pub principal: String,
    /// The model concerned, when the finding is about one.
    pub model_id: Option<String>,
    /// The calls that make up the finding.
    pub count: u64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// The evidence, in words.
    pub detail: String,
}

/// Sorts findings by severity (most severe first), then first seen, then kind, principal
/// and model (so equal inputs always give the same order).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.principal.cmp(&b.principal))
            .then_with(|| a.model_id.cmp(&b.model_id))
    });
}

/// The process exit code for `--fail-on`: 4 when any finding is at least `fail_on`
/// severe, else 0 (also 0 without `--fail-on`).
pub fn exit_code(findings: &[Finding], fail_on: Option<Severity>) -> i32 {
    match fail_on {
        Some(min) if findings.iter().any(|f| f.severity >= min) => 4,
        _ => 0,
    }
}

/// Up to `max` items joined by `, `, with `(+N more)` when there are more.
pub(crate) fn listing<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I, max: usize) -> String {
    let all: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    let mut out = all.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > max {
        out.push_str(&format!(" (+{} more)", all.len() - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn listings_are_capped() {
        assert_eq!(listing(["a", "b", "c"], 2), "a, b (+1 more)");
        assert_eq!(listing(["a"], 2), "a");
    }
}
