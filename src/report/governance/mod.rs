//! The governance report: who called which Bedrock model, from where, with which errors,
//! and which control-plane changes happened — with findings that point at stolen-key abuse
//! ("LLMjacking": probing which models answer, requesting model access, bursts of denied
//! or invalid requests, calls from new callers, invocation logging switched off).
//!
//! The data flows records → aggregates → rows: [`aggregate::aggregate`] folds
//! [`CallRecord`]s into [`CallAggregate`]s (the grain a query engine such as Athena returns
//! too), [`rows::group`] groups those by `--by`. Findings that aggregates can tell come from
//! [`findings::from_aggregates`]; bursts and probing need each call's time and come from
//! [`findings::from_records`]. [`governance_from_aggregates`] is the path for a query
//! engine (no per-call findings, no change list); [`governance`] the local one.
//!
//! Days are UTC calendar days; `until` is exclusive.

pub mod aggregate;
pub mod changes;
pub mod charts;
pub mod cost;
pub mod document;
pub mod findings;
pub mod keys;
pub mod policy;
pub mod rows;
pub mod thresholds;

use std::borrow::Cow;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::records::CallRecord;
use crate::records::call::CallAggregate;
use crate::resolve::Resolver;

pub use aggregate::aggregate;
pub use changes::{Change, changes};
pub use document::{
    CHANGE_COLUMNS, FINDING_COLUMNS, ROW_COLUMNS, changes_document, document, findings_document,
};
pub use findings::{Finding, FindingKind, Severity, exit_code};
pub use keys::GovKey;
pub use policy::Policy;
pub use rows::GovRow;
pub use thresholds::Thresholds;

/// What a governance report covers and how it is grouped.
#[derive(Debug, Clone)]
pub struct GovernanceOptions {
    /// First day (inclusive, UTC).
    pub since: Date,
    /// Last day (exclusive, UTC).
    pub until: Date,
    /// Grouping keys of the rows.
    pub by: Vec<GovKey>,
    pub policy: Option<Policy>,
    /// Usually the policy's thresholds (defaults with its `[thresholds]` applied).
    pub thresholds: Thresholds,
    /// How many days before `since` the baseline covers (`--baseline-days`).
    pub baseline_days: u32,
}

impl GovernanceOptions {
    /// Options for `since..until` with the default keys, thresholds and a 30-day baseline.
    pub fn new(since: Date, until: Date) -> Self {
        GovernanceOptions {
            since,
            until,
            by: GovKey::DEFAULT.to_vec(),
            policy: None,
            thresholds: Thresholds::default(),
            baseline_days: 30,
        }
    }

    /// The last day covered.
    pub fn last_day(&self) -> Date {
        self.until.checked_sub(1.day()).unwrap_or(self.until)
    }

    /// The day label of rows that do not group by day: `FIRST..LAST`.
    pub fn range_label(&self) -> String {
        format!("{}..{}", self.since, self.last_day())
    }

    fn covers(&self, day: Date) -> bool {
        day >= self.since && day < self.until
    }

    /// The first baseline day: `baseline_days` before `since`.
    pub fn baseline_start(&self) -> Date {
        self.since
            .checked_sub(i64::from(self.baseline_days).days())
            .unwrap_or(Date::MIN)
    }

    fn covers_baseline(&self, day: Date) -> bool {
        day >= self.baseline_start() && day < self.since
    }
}

/// A governance report, ready for [`document`].
#[derive(Debug, Clone)]
pub struct GovernanceReport {
    pub since: Date,
    pub until: Date,
    pub by: Vec<GovKey>,
    /// The policy file's name, when one was given.
    pub policy: Option<String>,
    pub rows: Vec<GovRow>,
    /// Sorted by severity (most severe first), then first seen.
    pub findings: Vec<Finding>,
    pub changes: Vec<Change>,
    /// Calls in the report (inside the range).
    pub calls: u64,
    pub notes: Vec<String>,
    /// Where the calls came from (files, trails, API calls made): filled by the caller,
    /// written as the JSON `sources` object.
    pub sources: serde_json::Value,
    /// Rows carry an apportioned cost (`--apportion-cost`, see [`cost`]).
    pub apportioned: bool,
}

/// The report from call records: `calls` should cover the range (calls outside it are
/// left out and counted in a note), `baseline` the `baseline_days` days before `since`
/// (baseline calls outside that window are ignored).
pub fn governance(
    calls: &[CallRecord],
    baseline: &[CallRecord],
    resolver: &Resolver<'_>,
    opts: &GovernanceOptions,
) -> GovernanceReport {
    let in_range = |c: &CallRecord| opts.covers(aggregate::utc_day(c.time));
    let inside: Cow<'_, [CallRecord]> = if calls.iter().all(in_range) {
        Cow::Borrowed(calls)
    } else {
        Cow::Owned(calls.iter().filter(|c| in_range(c)).cloned().collect())
    };
    let outside = calls.len() - inside.len();
    let aggs = aggregate(&inside);
    let base = aggregate(baseline);
    let mut report = from_aggregates(&aggs, &base, resolver, opts);
    report
        .findings
        .extend(findings::from_records(&inside, resolver, &opts.thresholds));
    findings::sort(&mut report.findings);
    report.changes = changes(&inside);
    if outside > 0 {
        report.notes.push(format!(
            "{outside} call(s) outside {} (UTC) were left out",
            opts.range_label()
        ));
    }
    report
}

/// The report from aggregates (as a query engine returns them): rows and the findings
/// aggregates can tell. Bursts, probing, legacy-model errors and the change list need call
/// records; a note says they were not evaluated.
pub fn governance_from_aggregates(
    aggs: &[CallAggregate],
    baseline: &[CallAggregate],
    resolver: &Resolver<'_>,
    opts: &GovernanceOptions,
) -> GovernanceReport {
    let mut report = from_aggregates(aggs, baseline, resolver, opts);
    report.notes.push(
        "access-denied-burst, validation-burst, availability-probing, legacy-model errors and the change list need call records: not evaluated from aggregates"
            .to_string(),
    );
    report
}

fn from_aggregates(
    aggs: &[CallAggregate],
    baseline: &[CallAggregate],
    resolver: &Resolver<'_>,
    opts: &GovernanceOptions,
) -> GovernanceReport {
    let inside: Vec<CallAggregate> = aggs
        .iter()
        .filter(|a| opts.covers(a.day))
        .cloned()
        .collect();
    let baseline: Vec<CallAggregate> = baseline
        .iter()
        .filter(|a| opts.covers_baseline(a.day))
        .cloned()
        .collect();
    let rows = rows::group(&inside, &opts.by, resolver, &opts.range_label());
    let (mut found, mut notes) = findings::from_aggregates(
        &inside,
        &baseline,
        opts.baseline_days,
        resolver,
        opts.policy.as_ref(),
        &opts.thresholds,
    );
    findings::sort(&mut found);
    notes.insert(0, "days are UTC calendar days".to_string());
    GovernanceReport {
        since: opts.since,
        until: opts.until,
        by: opts.by.clone(),
        policy: opts.policy.as_ref().map(|p| p.name.clone()),
        calls: inside.iter().map(|a| a.calls).sum(),
        rows,
        findings: found,
        changes: Vec::new(),
        notes,
        sources: serde_json::Value::Object(serde_json::Map::new()),
        apportioned: false,
    }
}
