//! Findings on control-plane operations that change what an account can do or see: model
//! access requested, invocation logging switched off, guardrails removed, provisioned
//! throughput bought. Failed attempts are findings too (an attacker's denied
//! `DeleteModelInvocationLoggingConfiguration` is evidence); the detail says how many
//! succeeded.

use std::collections::{BTreeMap, BTreeSet};

use super::from_aggregates::identity;
use super::{Finding, FindingKind, Severity, listing};
use crate::records::call::CallAggregate;

/// The operations that request or grant access to a model.
pub const MODEL_ACCESS_EVENTS: &[&str] = &[
    "PutUseCaseForModelAccess",
    "CreateFoundationModelAgreement",
    "PutFoundationModelEntitlement",
];

/// Whether `event` requests or grants model access.
pub fn is_model_access_event(event: &str) -> bool {
    MODEL_ACCESS_EVENTS.contains(&event)
}

/// The kind and severity of a control-plane operation worth a finding, and what it means.
fn classify(event: &str) -> Option<(FindingKind, Severity, &'static str)> {
    Some(match event {
        e if is_model_access_event(e) => (
            FindingKind::ModelAccessGranted,
            Severity::Medium,
            "model access requested or granted",
        ),
        "DeleteModelInvocationLoggingConfiguration" => (
            FindingKind::LoggingChanged,
            Severity::Critical,
            "model invocation logging deleted: prompts and responses are no longer recorded",
        ),
        "PutModelInvocationLoggingConfiguration" => (
            FindingKind::LoggingChanged,
            Severity::Medium,
            "model invocation logging configured or changed",
        ),
        "DeleteGuardrail" => (
            FindingKind::GuardrailDeleted,
            Severity::High,
            "guardrail deleted",
        ),
        "UpdateGuardrail" => (
            FindingKind::GuardrailChanged,
            Severity::Low,
            "guardrail changed",
        ),
        "CreateProvisionedModelThroughput" => (
            FindingKind::ProvisionedThroughputBought,
            Severity::Medium,
            "provisioned throughput bought: billed per model unit and hour, with any commitment term, whether used or not",
        ),
        _ => return None,
    })
}

#[derive(Default)]
struct Group {
    calls: u64,
    failed: BTreeMap<String, u64>,
    regions: BTreeSet<String>,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
    is_new: bool,
}

/// Control-plane findings, one per principal × operation × model. A model-access finding
/// is high instead of medium when its principal's identity is in `new_identities`.
pub fn control_findings(aggs: &[CallAggregate], new_identities: &BTreeSet<String>) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, String, Option<String>), Group> = BTreeMap::new();
    for a in aggs {
        if classify(&a.event_name).is_none() {
            continue;
        }
        let g = groups
            .entry((
                a.principal.key.clone(),
                a.event_name.clone(),
                a.model_id.clone(),
            ))
            .or_default();
        g.calls += a.calls;
        if let Some(code) = &a.error_code {
            *g.failed.entry(code.clone()).or_default() += a.calls;
        }
        g.regions.insert(a.region.clone());
        g.first = Some(g.first.map_or(a.first_seen, |f| f.min(a.first_seen)));
        g.last = Some(g.last.map_or(a.last_seen, |l| l.max(a.last_seen)));
        g.is_new |= new_identities.contains(&identity(&a.principal));
    }
    groups
        .into_iter()
        .filter_map(|((principal, event, model), g)| {
            let (kind, mut severity, what) = classify(&event)?;
            let mut detail = format!("{event} ×{} in {}: {what}", g.calls, listing(&g.regions, 5));
            let failed: u64 = g.failed.values().sum();
            if failed > 0 {
                let codes: Vec<String> = g.failed.iter().map(|(c, n)| format!("{c}={n}")).collect();
                detail.push_str(&format!(
                    " ({} succeeded, {failed} failed: {})",
                    g.calls - failed,
                    codes.join(", ")
                ));
            }
            if kind == FindingKind::ModelAccessGranted && g.is_new {
                severity = Severity::High;
                detail.push_str("; the principal is new (not seen in the baseline)");
            }
            Some(Finding {
                kind,
                severity,
                principal,
                model_id: model,
                count: g.calls,
                first_seen: g.first.unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                last_seen: g.last.unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                detail,
            })
        })
        .collect()
}
