//! Findings that call aggregates can tell: who the root user was, which callers are new,
//! which calls the policy does not allow, legacy models, high error rates (and, in
//! [`super::control`], control-plane changes). Both the local path (records folded into
//! aggregates) and a query engine's aggregates use these functions.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::{Finding, FindingKind, Severity, listing};
use crate::records::call::CallAggregate;
use crate::records::{Principal, PrincipalType};
use crate::report::governance::policy::{Policy, Verdict};
use crate::report::governance::rows::{is_invocation, share_pct};
use crate::report::governance::thresholds::Thresholds;
use crate::resolve::Resolver;

/// Whether `event` uses a model: an invocation or `CountTokens`.
pub fn is_model_call(event: &str) -> bool {
    is_invocation(event) || event == "CountTokens"
}

/// The identity a caller is known by across sessions: the role ARN for an assumed role
/// (session names change with every session), the principal key otherwise.
pub fn identity(p: &Principal) -> String {
    match (&p.kind, &p.role_arn) {
        (PrincipalType::AssumedRole, Some(role)) => role.clone(),
        _ => p.key.clone(),
    }
}

/// Calls, first and last seen, and the distinct values of one attribute, summed over
/// aggregates.
#[derive(Default)]
struct Tally<'a> {
    calls: u64,
    errors: BTreeMap<&'a str, u64>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    values: BTreeSet<&'a str>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, a: &'a CallAggregate, value: &'a str) {
        self.calls += a.calls;
        if let Some(code) = &a.error_code {
            *self.errors.entry(code).or_default() += a.calls;
        }
        self.first = Some(self.first.map_or(a.first_seen, |f| f.min(a.first_seen)));
        self.last = Some(self.last.map_or(a.last_seen, |l| l.max(a.last_seen)));
        self.values.insert(value);
    }

    fn error_calls(&self) -> u64 {
        self.errors.values().sum()
    }

    fn finding(
        &self,
        kind: FindingKind,
        severity: Severity,
        principal: String,
        model_id: Option<String>,
        detail: String,
    ) -> Finding {
        Finding {
            kind,
            severity,
            principal,
            model_id,
            count: self.calls,
            first_seen: self.first.unwrap_or(Timestamp::UNIX_EPOCH),
            last_seen: self.last.unwrap_or(Timestamp::UNIX_EPOCH),
            detail,
        }
    }
}

/// `key=count` pairs joined by `, `.
fn counts(map: &BTreeMap<&str, u64>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `root-account-use` (high): one finding per root user, with the operations it called.
pub fn root_use(aggs: &[CallAggregate]) -> Vec<Finding> {
    let mut by_root: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut ops: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for a in aggs
        .iter()
        .filter(|a| a.principal.kind == PrincipalType::Root)
    {
        by_root
            .entry(&a.principal.key)
            .or_default()
            .add(a, &a.region);
        *ops.entry(&a.principal.key)
            .or_default()
            .entry(&a.event_name)
            .or_default() += a.calls;
    }
    by_root
        .into_iter()
        .map(|(key, t)| {
            let detail = format!(
                "{} call(s) by the account's root user (operations: {}; Regions: {}); root credentials should not be used for Bedrock",
                t.calls,
                counts(&ops[key]),listing(&t.values, 5)
            );
            t.finding(
                FindingKind::RootAccountUse,
                Severity::High,
                key.to_string(),
                None,detail,
            )
        })
        .collect()
}

/// The outcome of comparing the report's callers with the baseline's.
#[derive(Debug, Clone, Default)]
pub struct NewPrincipals {
    /// One `new-principal` finding per new identity.
    pub findings: Vec<Finding>,
    /// The new identities (see [`identity`]).
    pub identities: BTreeSet<String>,
    /// Why nothing was compared, when there was no baseline.
    pub note: Option<String>,
}

/// `new-principal` (medium): identities seen in `current` but not in `baseline` (the
/// `baseline_days` days before the report). Without any baseline calls every caller would
/// be "new", so no finding fires and the note says why.
pub fn new_principals(
    current: &[CallAggregate],
    baseline: &[CallAggregate],
    baseline_days: u32,
) -> NewPrincipals {
    if baseline.is_empty() {
        return NewPrincipals {
            note: Some(format!(
                "new-principal not evaluated: no Bedrock calls in the baseline window ({baseline_days} day(s) before --since), so every caller would count as new"
            )),
            ..NewPrincipals::default()
        };
    }
    let known: BTreeSet<String> = baseline.iter().map(|a| identity(&a.principal)).collect();
    let mut new: BTreeMap<String, Tally<'_>> = BTreeMap::new();
    for a in current {
        let id = identity(&a.principal);
        if !known.contains(&id) {
            new.entry(id).or_default().add(a, &a.principal.key);
        }
    }
    let identities = new.keys().cloned().collect();
    let findings = new
        .into_iter()
        .map(|(id, t)| {
            let detail = format!(
                "not seen in the {baseline_days} baseline day(s) before the report; {} call(s) as {}",
                t.calls,
                listing(&t.values, 5)
            );
            t.finding(FindingKind::NewPrincipal, Severity::Medium, id, None, detail)
        })
        .collect();
    NewPrincipals {
        findings,
        identities,
        note: None,
    }
}

/// `model-outside-policy` and `region-outside-policy` (high): model calls to models the
/// policy does not allow the caller (or by a caller no `[[allow]]` entry names), and calls
/// of any operation in Regions it does not allow.
pub fn outside_policy(aggs: &[CallAggregate], policy: &Policy) -> Vec<Finding> {
    let mut models: BTreeMap<(&str, &str), (Tally, Verdict)> = BTreeMap::new();
    let mut regions: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for a in aggs {
        let model = a
            .model_id
            .as_deref()
            .filter(|_| is_model_call(&a.event_name));
        match policy.check(&a.principal, model, &a.region) {
            Verdict::Allowed => {}
            v @ (Verdict::NoEntry | Verdict::ModelNotAllowed) => {
                let Some(m) = model else { continue };
                let e = models
                    .entry((&a.principal.key, m))
                    .or_insert_with(|| (Tally::default(), v));
                e.0.add(a, &a.event_name);
            }
            Verdict::RegionNotAllowed => regions
                .entry((&a.principal.key, &a.region))
                .or_default()
                .add(a, &a.event_name),
        }
    }
    let mut out = Vec::new();
    for ((principal, model), (t, verdict)) in models {
        let why = match verdict {
            Verdict::NoEntry => "no [[allow]] entry of the policy matches this principal",
            _ => "the policy's [[allow]] entries for this principal do not list this model",
        };
        let detail = format!(
            "{} call(s) ({}): {why} (policy {})",
            t.calls,
            listing(&t.values, 5),
            policy.name
        );
        out.push(t.finding(
            FindingKind::ModelOutsidePolicy,
            Severity::High,
            principal.to_string(),
            Some(model.to_string()),
            detail,
        ));
    }
    for ((principal, region), t) in regions {
        let detail = format!(
            "{} call(s) in {region} ({}): the policy's [[allow]] entries for this principal do not list this Region (policy {})",
            t.calls,
            listing(&t.values, 5),
            policy.name
        );
        out.push(t.finding(
            FindingKind::RegionOutsidePolicy,
            Severity::High,
            principal.to_string(),
            None,
            detail,
        ));
    }
    out
}

/// `legacy-model` (low): model calls to models the catalog marks legacy.
pub fn legacy_models(aggs: &[CallAggregate], resolver: &Resolver<'_>) -> Vec<Finding> {
    let mut legacy: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut hits: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for a in aggs.iter().filter(|a| is_model_call(&a.event_name)) {
        let Some(id) = &a.model_id else { continue };
        let model = legacy.entry(id).or_insert_with(|| {
            resolver
                .resolve(id)
                .ok()
                .filter(|r| r.model.legacy)
                .map(|r| r.model.id.clone())
        });
        if model.is_some() {
            hits.entry((&a.principal.key, id))
                .or_default()
                .add(a, &a.event_name);
        }
    }
    hits.into_iter()
        .map(|((principal, id), t)| {
            let catalog_id = legacy[id].clone().unwrap_or_default();let detail = format!(
                "{} call(s) to {catalog_id}, which AWS lists as legacy (it will stop answering; plan a migration); {} failed",
                t.calls,
                t.error_calls()
            );
            t.finding(
                FindingKind::LegacyModel,
                Severity::Low,
                principal.to_string(),
                Some(id.to_string()),detail,
            )
        })
        .collect()
}

/// `high-error-rate` (medium): a principal × model with at least
/// `high_error_rate_min_calls` model calls of which at least `high_error_rate_pct` percent
/// failed.
pub fn high_error_rate(aggs: &[CallAggregate], th: &Thresholds) -> Vec<Finding> {
    let mut by: BTreeMap<(&str, &str), Tally> = BTreeMap::new();
    for a in aggs.iter().filter(|a| is_model_call(&a.event_name)) {
        if let Some(id) = &a.model_id {
            by.entry((&a.principal.key, id))
                .or_default()
                .add(a, &a.event_name);
        }
    }
    by.into_iter()
        .filter(|(_, t)| {
            let failed = rust_decimal::Decimal::from(t.error_calls());
            t.calls >= th.high_error_rate_min_calls
                && failed * rust_decimal::Decimal::ONE_HUNDRED
                    >= th.high_error_rate_pct * rust_decimal::Decimal::from(t.calls)
        })
        .map(|((principal, id), t)| {
            let detail = format!(
                "{} of {} model call(s) failed ({}%; threshold {}% of at least {} calls): {}",
                t.error_calls(),
                t.calls,
                share_pct(t.error_calls(), t.calls),
                th.high_error_rate_pct.normalize(),
                th.high_error_rate_min_calls,
                counts(&t.errors)
            );
            t.finding(
                FindingKind::HighErrorRate,
                Severity::Medium,
                principal.to_string(),
                Some(id.to_string()),
                detail,
            )
        })
        .collect()
}

/// Every aggregate-based finding (unsorted), and notes on what could not be evaluated.
pub fn from_aggregates(
    current: &[CallAggregate],
    baseline: &[CallAggregate],
    baseline_days: u32,
    resolver: &Resolver<'_>,
    policy: Option<&Policy>,
    th: &Thresholds,
) -> (Vec<Finding>, Vec<String>) {
    let mut notes = Vec::new();
    let new = new_principals(current, baseline, baseline_days);
    notes.extend(new.note.clone());
    let mut out = root_use(current);
    out.extend(super::control_findings(current, &new.identities));
    out.extend(new.findings);
    match policy {
        Some(p) => out.extend(outside_policy(current, p)),
        None => notes.push(
            "model-outside-policy and region-outside-policy not evaluated: no --policy file"
                .to_string(),
        ),
    }
    out.extend(legacy_models(current, resolver));
    out.extend(high_error_rate(current, th));
    (out, notes)
}
