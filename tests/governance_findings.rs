//! Governance findings and rows from crafted call records: for each finding kind one set
//! of calls that must fire and one (at the boundary) that must not; rows grouped by each
//! key; exact error shares; untrusted strings raw in records, neutralised in CSV and
//! table output; and the findings of real CloudTrail records (stratus-red-team detonations).

use std::sync::atomic::{AtomicU64, Ordering};

use bedrock_meter::catalog::Catalog;
use bedrock_meter::export::{Format, exporter};
use bedrock_meter::records::call::CallAggregate;
use bedrock_meter::records::{CallRecord, ClientKind, Principal};
use bedrock_meter::report::governance::{
    self, Finding, FindingKind, GovKey, GovernanceOptions, GovernanceReport, Severity, aggregate,
    document, exit_code, findings_document, policy,
};
use bedrock_meter::resolve::{Aliases, Resolver};
use jiff::Timestamp;

const APP: &str = "arn:aws:sts::111122223333:assumed-role/app-chat/i-0abc";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const MALLORY: &str = "arn:aws:iam::111122223333:user/mallory";
const ROOT: &str = "arn:aws:iam::111122223333:root";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA: &str = "amazon.nova-lite-v1:0";

fn resolver() -> Resolver<'static> {
    let c = Box::leak(Box::new(Catalog::embedded().unwrap()));
    Resolver::new(c, Aliases::default())
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Minutes in a day.
const DAY: i64 = 24 * 60;

/// 2025-03-10T08:00:00Z plus `minutes`.
fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_741_593_600 + minutes * 60).unwrap()
}

/// A call record builder: `call(ALICE, "InvokeModel").model(HAIKU).at(3).done()`.
struct B(CallRecord);

fn call(principal: &str, event: &str) -> B {
    B(CallRecord {
        time: at(0),
        region: "us-east-1".into(),
        event_name: event.into(),
        model_id: None,
        principal: Principal::from_arn(principal),
        source_ip: Some("198.51.100.7".into()),
        user_agent: Some("Boto3/1.35.0".into()),
        client: ClientKind::Sdk,
        error_code: None,
        error_message: None,
        inference_region: None,
        request_id: None,
        event_id: format!("ev-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
        read_only: None,
        parameters: None,
    })
}

fn invoke(principal: &str, model: &str) -> B {
    call(principal, "InvokeModel").model(model)
}

impl B {
    fn at(mut self, minutes: i64) -> B {
        self.0.time = at(minutes);
        self
    }
    fn at_second(mut self, seconds: i64) -> B {
        self.0.time = Timestamp::from_second(1_741_593_600 + seconds).unwrap();
        self
    }
    fn model(mut self, m: &str) -> B {
        self.0.model_id = Some(m.into());
        self
    }
    fn region(mut self, r: &str) -> B {
        self.0.region = r.into();
        self
    }
    fn error(mut self, code: &str) -> B {
        self.0.error_code = Some(code.into());
        self
    }
    fn message(mut self, m: &str) -> B {
        self.0.error_message = Some(m.into());
        self
    }
    fn ip(mut self, ip: &str) -> B {
        self.0.source_ip = Some(ip.into());
        self
    }
    fn agent(mut self, ua: &str) -> B {
        self.0.user_agent = Some(ua.into());
        self
    }
    fn served_in(mut self, r: &str) -> B {
        self.0.inference_region = Some(r.into());
        self
    }
    fn params(mut self, p: &str) -> B {
        self.0.parameters = Some(p.into());
        self
    }
    fn done(self) -> CallRecord {
        self.0
    }
}

/// `n` calls made by `make(i)`.
fn many(n: i64, make: impl Fn(i64) -> B) -> Vec<CallRecord> {
    (0..n).map(|i| make(i).done()).collect()
}

fn opts() -> GovernanceOptions {
    GovernanceOptions::new("2025-03-10".parse().unwrap(), "2025-03-12".parse().unwrap())
}

fn run_with(
    calls: &[CallRecord],
    baseline: &[CallRecord],
    o: &GovernanceOptions,
) -> GovernanceReport {
    governance::governance(calls, baseline, &resolver(), o)
}

fn run(calls: &[CallRecord]) -> GovernanceReport {
    run_with(calls, &[], &opts())
}

fn of_kind(r: &GovernanceReport, kind: FindingKind) -> Vec<&Finding> {
    r.findings.iter().filter(|f| f.kind == kind).collect()
}

fn one(r: &GovernanceReport, kind: FindingKind) -> &Finding {
    let found = of_kind(r, kind);
    assert_eq!(found.len(), 1, "expected one {kind}: {:#?}", r.findings);
    found[0]
}

// ---- root-account-use ----

#[test]
fn root_use_fires_for_the_root_user_only() {
    let r = run(&[
        invoke(ROOT, HAIKU).at(5).done(),
        call(ROOT, "ListFoundationModels").at(7).done(),
        invoke(ALICE, HAIKU).done(),
    ]);
    let f = one(&r, FindingKind::RootAccountUse);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.principal, ROOT);
    assert_eq!(f.count, 2);
    assert_eq!((f.first_seen, f.last_seen), (at(5), at(7)));
    assert!(f.detail.contains("InvokeModel=1"), "{}", f.detail);

    let r = run(&[invoke(ALICE, HAIKU).done(), invoke(APP, HAIKU).done()]);
    assert!(of_kind(&r, FindingKind::RootAccountUse).is_empty());
}

// ---- new-principal ----

#[test]
fn new_principals_are_those_missing_from_the_baseline() {
    let baseline = [
        invoke(ALICE, HAIKU).at(-DAY).done(),
        // The same role in another session: the role is known, whatever the session.
        invoke(
            "arn:aws:sts::111122223333:assumed-role/app-chat/i-0old",
            HAIKU,
        )
        .at(-29 * DAY)
        .done(),
        // Older than the 30 baseline days: Mallory is still new.
        invoke(MALLORY, HAIKU).at(-31 * DAY).done(),
    ];
    let r = run_with(
        &[
            invoke(ALICE, HAIKU).done(),
            invoke(APP, HAIKU).done(),
            invoke(MALLORY, HAIKU).at(3).done(),
            invoke(MALLORY, NOVA).at(9).done(),
        ],
        &baseline,
        &opts(),
    );
    let f = one(&r, FindingKind::NewPrincipal);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.principal, MALLORY);
    assert_eq!(f.count, 2);
    assert_eq!((f.first_seen, f.last_seen), (at(3), at(9)));
}

#[test]
fn without_a_baseline_nobody_is_new_and_a_note_says_why() {
    // A "baseline" call inside the report's own range is not a baseline.
    let r = run_with(
        &[invoke(MALLORY, HAIKU).done()],
        &[invoke(ALICE, HAIKU).done()],
        &opts(),
    );
    assert!(of_kind(&r, FindingKind::NewPrincipal).is_empty());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("new-principal not evaluated")),
        "{:?}",
        r.notes
    );
}

// ---- access-denied-burst ----

fn denied(n: i64, spacing_seconds: i64) -> Vec<CallRecord> {
    many(n, |i| {
        let code = [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
        ][i as usize % 3];
        invoke(MALLORY, HAIKU)
            .at_second(i * spacing_seconds)
            .error(code)
    })
}

#[test]
fn ten_denials_within_ten_minutes_are_a_burst() {
    let r = run(&denied(10, 60)); // 0..9 minutes
    let f = one(&r, FindingKind::AccessDeniedBurst);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.count, 10);
    assert_eq!(f.model_id.as_deref(), Some(HAIKU));
    assert_eq!((f.first_seen, f.last_seen), (at(0), at(9)));
    // Exactly ten minutes from first to last is still inside the window: nine denials a
    // minute apart and a tenth at minute 10 make a burst only with an inclusive window.
    let mut edge = denied(9, 60);
    edge.push(invoke(MALLORY, HAIKU).at(10).error("AccessDenied").done());
    let r = run(&edge);
    let f = one(&r, FindingKind::AccessDeniedBurst);
    assert_eq!((f.count, f.last_seen), (10, at(10)));
}

#[test]
fn nine_denials_or_ten_spread_over_eleven_minutes_are_not() {
    assert!(of_kind(&run(&denied(9, 10)), FindingKind::AccessDeniedBurst).is_empty());
    let spread = denied(10, 11 * 60 / 9 + 1); // first and last 11 minutes apart
    assert!(spread[9].time.duration_since(spread[0].time).as_secs() > 660);
    assert!(of_kind(&run(&spread), FindingKind::AccessDeniedBurst).is_empty());
    // Ten denials split over two principals are not one principal's burst.
    let mut split = denied(5, 10);
    split.extend(many(5, |i| {
        invoke(ALICE, HAIKU).at_second(i).error("AccessDenied")
    }));
    assert!(of_kind(&run(&split), FindingKind::AccessDeniedBurst).is_empty());
    // Throttling is not a denial.
    let throttled = many(12, |i| {
        invoke(MALLORY, HAIKU)
            .at_second(i)
            .error("ThrottlingException")
    });
    assert!(of_kind(&run(&throttled), FindingKind::AccessDeniedBurst).is_empty());
}

#[test]
fn the_policy_file_can_lower_the_burst_threshold() {
    let p = policy::parse(
        "p.toml",
        "[[allow]]\nprincipal = \"*\"\n[thresholds]\naccess_denied_burst = 3\n",
    )
    .unwrap();
    let mut o = opts();
    o.thresholds = p.thresholds.clone();
    o.policy = Some(p);
    let r = run_with(&denied(3, 10), &[], &o);
    assert_eq!(one(&r, FindingKind::AccessDeniedBurst).count, 3);
}

// ---- validation-burst ----

#[test]
fn validation_bursts_fire_at_ten_not_nine() {
    let bad = |n| {
        many(n, |i| {
            invoke(MALLORY, if i % 2 == 0 { HAIKU } else { NOVA })
                .at_second(i * 30)
                .error("ValidationException")
        })
    };
    let r = run(&bad(10));
    let f = one(&r, FindingKind::ValidationBurst);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.count, 10);
    assert_eq!(f.model_id, None, "two models: no single model");
    assert!(f.detail.contains("2 distinct models"), "{}", f.detail);
    assert!(of_kind(&run(&bad(9)), FindingKind::ValidationBurst).is_empty());
}

// ---- model-outside-policy / region-outside-policy ----

const POLICY: &str = r#"
[[allow]]
principal = "arn:aws:sts::*:assumed-role/app-*/*"
models = ["anthropic.claude-*"]
regions = ["us-east-1", "us-west-2"]
"#;

fn with_policy() -> GovernanceOptions {
    let mut o = opts();
    o.policy = Some(policy::parse("gov.toml", POLICY).unwrap());
    o
}

#[test]
fn calls_outside_the_policy_are_high_findings() {
    let r = run_with(
        &[
            invoke(APP, &format!("us.{HAIKU}")).done(),
            invoke(APP, NOVA).at(1).done(),
            invoke(APP, NOVA).at(2).done(),
            invoke(APP, HAIKU).region("eu-west-1").at(3).done(),
            invoke(MALLORY, HAIKU).at(4).done(),
        ],
        &[],
        &with_policy(),
    );
    let models = of_kind(&r, FindingKind::ModelOutsidePolicy);
    assert_eq!(models.len(), 2, "{models:#?}");
    let nova = models.iter().find(|f| f.principal == APP).unwrap();
    assert_eq!((nova.model_id.as_deref(), nova.count), (Some(NOVA), 2));
    assert_eq!(nova.severity, Severity::High);
    let stranger = models.iter().find(|f| f.principal == MALLORY).unwrap();
    assert!(
        stranger.detail.contains("no [[allow]] entry"),
        "{}",
        stranger.detail
    );
    let region = one(&r, FindingKind::RegionOutsidePolicy);
    assert_eq!((region.principal.as_str(), region.count), (APP, 1));
    assert!(region.detail.contains("eu-west-1"), "{}", region.detail);
}

#[test]
fn calls_inside_the_policy_or_without_one_are_not() {
    let inside = [
        invoke(APP, &format!("us.{HAIKU}")).done(),
        invoke(
            APP,
            &format!("arn:aws:bedrock:us-west-2::foundation-model/{HAIKU}"),
        )
        .region("us-west-2")
        .done(),
    ];
    let r = run_with(&inside, &[], &with_policy());
    assert!(of_kind(&r, FindingKind::ModelOutsidePolicy).is_empty());
    assert!(of_kind(&r, FindingKind::RegionOutsidePolicy).is_empty());
    let r = run(&[invoke(MALLORY, NOVA).region("eu-west-1").done()]);
    assert!(of_kind(&r, FindingKind::ModelOutsidePolicy).is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("no --policy file")),
        "{:?}",
        r.notes
    );
}

// ---- legacy-model ----

#[test]
fn legacy_models_fire_from_the_catalog_and_from_legacy_errors() {
    let r = run(&[
        invoke(ALICE, "ai21.j2-ultra-v1").done(),
        invoke(ALICE, "ai21.j2-ultra-v1").at(1).done(),
        invoke(ALICE, "example.retired-model-v1")
            .at(2)
            .error("ResourceNotFoundException")
            .message("This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days.")
            .done(),
    ]);
    let found = of_kind(&r, FindingKind::LegacyModel);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|f| f.severity == Severity::Low));
    let catalog = found
        .iter()
        .find(|f| f.model_id.as_deref() == Some("ai21.j2-ultra-v1"))
        .unwrap();
    assert_eq!(catalog.count, 2);
    assert!(
        found
            .iter()
            .any(|f| f.model_id.as_deref() == Some("example.retired-model-v1"))
    );
}

#[test]
fn current_models_and_other_not_found_errors_are_not_legacy() {
    let r = run(&[
        invoke(ALICE, HAIKU).done(),
        invoke(ALICE, "example.typo-v1")
            .error("ResourceNotFoundException")
            .message("Could not resolve the foundation model from the provided model identifier.")
            .done(),
    ]);
    assert!(of_kind(&r, FindingKind::LegacyModel).is_empty());
}

// ---- model-access-granted ----

#[test]
fn model_access_requests_are_medium_and_high_for_a_new_principal() {
    let calls = [
        call(ALICE, "PutUseCaseForModelAccess").done(),
        call(MALLORY, "CreateFoundationModelAgreement")
            .model(HAIKU)
            .at(1)
            .done(),
        call(MALLORY, "PutFoundationModelEntitlement")
            .model(HAIKU)
            .at(2)
            .done(),
    ];
    let r = run_with(&calls, &[invoke(ALICE, HAIKU).at(-DAY).done()], &opts());
    let found = of_kind(&r, FindingKind::ModelAccessGranted);
    assert_eq!(found.len(), 3, "{found:#?}");
    let alice = found.iter().find(|f| f.principal == ALICE).unwrap();
    assert_eq!(alice.severity, Severity::Medium);
    assert!(
        found
            .iter()
            .filter(|f| f.principal == MALLORY)
            .all(|f| f.severity == Severity::High && f.detail.contains("new"))
    );
    // Reading model details is not a request for access.
    let r = run(&[call(ALICE, "GetFoundationModel").model(HAIKU).done()]);
    assert!(of_kind(&r, FindingKind::ModelAccessGranted).is_empty());
}

// ---- availability-probing ----

fn probes(n: i64, spacing_minutes: i64) -> Vec<CallRecord> {
    let events = [
        "GetFoundationModelAvailability",
        "ListFoundationModels",
        "GetFoundationModel",
    ];
    many(n, |i| {
        call(MALLORY, events[i as usize % 3])
            .model(HAIKU)
            .at(i * spacing_minutes)
    })
}

#[test]
fn five_availability_checks_within_an_hour_are_probing() {
    let r = run(&probes(5, 15)); // 0..60 minutes
    let f = one(&r, FindingKind::AvailabilityProbing);
    assert_eq!((f.severity, f.count), (Severity::High, 5));
    assert!(of_kind(&run(&probes(4, 1)), FindingKind::AvailabilityProbing).is_empty());
    // Five checks whose first and last are 64 minutes apart are not.
    assert!(of_kind(&run(&probes(5, 16)), FindingKind::AvailabilityProbing).is_empty());
}

// ---- logging, guardrails, provisioned throughput ----

#[test]
fn logging_changes_are_critical_when_deleted_and_medium_when_set() {
    let r = run(&[
        call(MALLORY, "DeleteModelInvocationLoggingConfiguration")
            .at(5)
            .done(),
        call(ALICE, "PutModelInvocationLoggingConfiguration").done(),
    ]);
    let found = of_kind(&r, FindingKind::LoggingChanged);
    assert_eq!(found.len(), 2);
    assert_eq!(
        (found[0].severity, found[0].principal.as_str()),
        (Severity::Critical, MALLORY)
    );
    assert_eq!(found[1].severity, Severity::Medium);
    assert!(
        of_kind(
            &run(&[call(ALICE, "GetModelInvocationLoggingConfiguration").done()]),
            FindingKind::LoggingChanged
        )
        .is_empty()
    );
}

#[test]
fn a_failed_attempt_to_delete_logging_is_still_a_finding_that_says_so() {
    let r = run(&[call(MALLORY, "DeleteModelInvocationLoggingConfiguration")
        .error("AccessDenied")
        .done()]);
    let f = one(&r, FindingKind::LoggingChanged);
    assert!(
        f.detail.contains("0 succeeded, 1 failed: AccessDenied=1"),
        "{}",
        f.detail
    );
}

#[test]
fn guardrail_and_provisioned_throughput_changes() {
    let r = run(&[
        call(ALICE, "DeleteGuardrail").done(),
        call(ALICE, "UpdateGuardrail").done(),
        call(ALICE, "CreateProvisionedModelThroughput")
            .model(HAIKU)
            .done(),
    ]);
    assert_eq!(
        one(&r, FindingKind::GuardrailDeleted).severity,
        Severity::High
    );
    assert_eq!(
        one(&r, FindingKind::GuardrailChanged).severity,
        Severity::Low
    );
    let p = one(&r, FindingKind::ProvisionedThroughputBought);
    assert_eq!(
        (p.severity, p.model_id.as_deref()),
        (Severity::Medium, Some(HAIKU))
    );
    let r = run(&[
        call(ALICE, "GetGuardrail").done(),
        call(ALICE, "ListProvisionedModelThroughputs").done(),
        call(ALICE, "CreateGuardrail").done(),
    ]);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

// ---- high-error-rate ----

fn with_errors(calls: i64, errors: i64) -> Vec<CallRecord> {
    many(calls, |i| {
        let b = invoke(APP, HAIKU).at(i);
        if i < errors {
            b.error("ThrottlingException")
        } else {
            b
        }
    })
}

#[test]
fn a_quarter_of_twenty_calls_failing_is_a_high_error_rate() {
    let r = run(&with_errors(20, 5));
    let f = one(&r, FindingKind::HighErrorRate);
    assert_eq!((f.severity, f.count), (Severity::Medium, 20));
    assert!(
        f.detail.contains("5 of 20") && f.detail.contains("25%"),
        "{}",
        f.detail
    );
}

#[test]
fn fewer_calls_or_a_smaller_share_is_not() {
    assert!(of_kind(&run(&with_errors(19, 10)), FindingKind::HighErrorRate).is_empty());
    assert!(of_kind(&run(&with_errors(20, 4)), FindingKind::HighErrorRate).is_empty());
}

// ---- order and exit code ----

#[test]
fn findings_sort_by_severity_then_first_seen_and_fail_on_sets_the_exit_code() {
    let mut calls = vec![
        call(ALICE, "UpdateGuardrail").at(1).done(),
        call(ALICE, "DeleteGuardrail").at(30).done(),
        invoke(ROOT, HAIKU).at(20).done(),
        call(MALLORY, "DeleteModelInvocationLoggingConfiguration")
            .at(40)
            .done(),
    ];
    calls.reverse();
    let r = run(&calls);
    let order: Vec<(Severity, FindingKind)> =
        r.findings.iter().map(|f| (f.severity, f.kind)).collect();
    assert_eq!(
        order,
        vec![
            (Severity::Critical, FindingKind::LoggingChanged),
            (Severity::High, FindingKind::RootAccountUse),
            (Severity::High, FindingKind::GuardrailDeleted),
            (Severity::Low, FindingKind::GuardrailChanged),
        ]
    );
    assert_eq!(exit_code(&r.findings, Some(Severity::Critical)), 4);
    assert_eq!(exit_code(&r.findings, None), 0);
    let low_only = run(&[call(ALICE, "UpdateGuardrail").done()]);
    assert_eq!(exit_code(&low_only.findings, Some(Severity::Medium)), 0);
    assert_eq!(exit_code(&low_only.findings, Some(Severity::Low)), 4);
}

// ---- rows ----

fn mixed() -> Vec<CallRecord> {
    vec![
        invoke(ALICE, &format!("us.{HAIKU}"))
            .at(0)
            .served_in("us-west-2")
            .ip("198.51.100.1")
            .done(),
        call(ALICE, "Converse")
            .model(&format!("us.{HAIKU}"))
            .at(60)
            .ip("198.51.100.2")
            .done(),
        invoke(ALICE, NOVA)
            .at(24 * 60 + 5)
            .region("us-west-2")
            .error("AccessDenied")
            .done(),
        invoke(APP, NOVA)
            .at(10)
            .error("ValidationException")
            .agent("aws-cli/2.17")
            .done(),
        call(APP, "ListFoundationModels").at(11).done(),
    ]
}

fn grouped(by: &[GovKey]) -> Vec<governance::GovRow> {
    let mut o = opts();
    o.by = by.to_vec();
    run_with(&mixed(), &[], &o).rows
}

#[test]
fn rows_by_principal_and_model_resolve_models_and_count_operations() {
    let rows = grouped(&GovKey::DEFAULT);
    assert_eq!(rows.len(), 4);
    let haiku = rows
        .iter()
        .find(|r| r.principal == ALICE && r.model_id == format!("us.{HAIKU}"))
        .unwrap();
    assert_eq!(haiku.principal_type, "IAMUser");
    assert_eq!(haiku.account, "111122223333");
    assert_eq!(haiku.resolved_model, HAIKU);
    assert_eq!(haiku.calls, 2);
    assert_eq!(haiku.invoke_calls, 2);
    assert_eq!(haiku.operations.get("InvokeModel"), Some(&1));
    assert_eq!(haiku.operations.get("Converse"), Some(&1));
    assert_eq!(haiku.rerouted_calls, 1);
    assert_eq!(haiku.source_ip_count, 2);
    assert_eq!(haiku.source_ips, vec!["198.51.100.1", "198.51.100.2"]);
    assert_eq!(haiku.day, "2025-03-10..2025-03-11");
    assert_eq!(haiku.region, "all");
    assert_eq!((haiku.first_seen, haiku.last_seen), (at(0), at(60)));
    let list = rows
        .iter()
        .find(|r| r.principal == APP && r.model_id == "(none)")
        .unwrap();
    assert_eq!(
        (list.calls, list.invoke_calls, list.resolved_model.as_str()),
        (1, 0, "")
    );
}

#[test]
fn rows_by_day_region_event_and_error() {
    let by_day = grouped(&[GovKey::Day]);
    let days: Vec<(&str, u64)> = by_day.iter().map(|r| (r.day.as_str(), r.calls)).collect();
    assert_eq!(days, vec![("2025-03-10", 4), ("2025-03-11", 1)]);
    assert_eq!(by_day[0].principal, "all");
    assert_eq!(by_day[0].model_id, "all");

    let by_region = grouped(&[GovKey::Region]);
    let regions: Vec<(&str, u64)> = by_region
        .iter()
        .map(|r| (r.region.as_str(), r.calls))
        .collect();
    assert_eq!(regions, vec![("us-east-1", 4), ("us-west-2", 1)]);

    let by_event = grouped(&[GovKey::Event]);
    let events: Vec<(&str, u64)> = by_event
        .iter()
        .map(|r| (r.event.as_str(), r.calls))
        .collect();
    assert_eq!(
        events,
        vec![
            ("Converse", 1),
            ("InvokeModel", 3),
            ("ListFoundationModels", 1)
        ]
    );

    let by_error = grouped(&[GovKey::Error]);
    let errors: Vec<(&str, u64, u64)> = by_error
        .iter()
        .map(|r| (r.error.as_str(), r.calls, r.error_calls))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("(none)", 3, 0),
            ("AccessDenied", 1, 1),
            ("ValidationException", 1, 1)
        ]
    );

    let all = grouped(&[GovKey::Principal]);
    let alice = all.iter().find(|r| r.principal == ALICE).unwrap();
    assert_eq!(alice.regions, vec!["us-east-1", "us-west-2"]);
    assert_eq!(alice.errors.get("AccessDenied"), Some(&1));
    assert_eq!(alice.model_id, "all");
}

#[test]
fn error_shares_are_exact_percentages() {
    let r = run(&[
        invoke(ALICE, HAIKU).done(),
        invoke(ALICE, HAIKU).error("ThrottlingException").done(),
        invoke(ALICE, HAIKU).done(),
    ]);
    assert_eq!(r.rows[0].error_share_pct.to_string(), "33.33");
    let json = document(&r, false).json;
    assert_eq!(json["rows"][0]["error_share_pct"].to_string(), "33.33");
    let r = run(&many(8, |i| {
        let b = invoke(ALICE, HAIKU);
        if i == 0 {
            b.error("ValidationException")
        } else {
            b
        }
    }));
    assert_eq!(r.rows[0].error_share_pct.to_string(), "12.5");
}

#[test]
fn rows_from_aggregates_equal_rows_from_records() {
    let calls = mixed();
    let o = opts();
    let from_records = governance::governance(&calls, &[], &resolver(), &o);
    let aggs: Vec<CallAggregate> = aggregate(&calls);
    assert!(aggs.len() < calls.len() + 1);
    let from_aggs = governance::governance_from_aggregates(&aggs, &[], &resolver(), &o);
    assert_eq!(from_records.rows, from_aggs.rows);
    assert!(
        from_aggs
            .notes
            .iter()
            .any(|n| n.contains("need call records")),
        "{:?}",
        from_aggs.notes
    );
}

#[test]
fn calls_outside_the_range_are_left_out_and_counted() {
    let r = run(&[
        invoke(ALICE, HAIKU).done(),
        invoke(ALICE, HAIKU).at(3 * 24 * 60).done(),
    ]);
    assert_eq!(r.calls, 1);
    assert!(
        r.notes.iter().any(|n| n.starts_with("1 call(s) outside")),
        "{:?}",
        r.notes
    );
}

// ---- untrusted strings ----

#[test]
fn untrusted_strings_stay_raw_in_records_and_are_neutralised_on_output() {
    let evil_agent = "=cmd|' /C calc'!A0";
    let evil_principal = "arn:aws:iam::111122223333:user/\x1b[31mred";
    let calls = [
        invoke(ALICE, HAIKU).agent(evil_agent).done(),
        invoke(evil_principal, HAIKU).done(),
        invoke(ALICE, HAIKU).at(1).error("AccessDenied").done(),
    ];
    let r = run(&calls);
    assert_eq!(calls[0].user_agent.as_deref(), Some(evil_agent));
    let alice = r.rows.iter().find(|r| r.principal == ALICE).unwrap();
    assert_eq!(alice.user_agents, vec![evil_agent, "Boto3/1.35.0"]);

    let csv =
        String::from_utf8(exporter(Format::Csv).export(&document(&r, false)).unwrap()).unwrap();
    assert!(csv.contains("'=cmd|"), "{csv}");
    assert!(!csv.contains(",=cmd"), "{csv}");

    let table =
        String::from_utf8(exporter(Format::Table).export(&document(&r, true)).unwrap()).unwrap();
    assert!(!table.contains('\x1b'), "{table}");
    assert!(table.contains("\\x1b[31mred"), "{table}");

    let json = document(&r, false).json;
    let raw = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["principal"] == ALICE)
        .unwrap();
    assert_eq!(raw["user_agents"][0], evil_agent);
}

// ---- documents ----

#[test]
fn the_json_document_carries_the_contract_fields() {
    let mut r = run(&[
        invoke(ALICE, HAIKU).done(),
        call(MALLORY, "DeleteModelInvocationLoggingConfiguration")
            .params("{}")
            .done(),
    ]);
    r.sources = serde_json::json!({"files": 1});
    let json = document(&r, false).json;
    for key in [
        "principal",
        "principal_type",
        "account",
        "model_id",
        "resolved_model",
        "region",
        "day",
        "calls",
        "operations",
        "errors",
        "error_calls",
        "error_share_pct",
        "source_ips",
        "user_agents",
        "regions",
        "rerouted_calls",
        "first_seen",
        "last_seen",
    ] {
        assert!(
            json["rows"][0].get(key).is_some(),
            "rows[0] lacks {key}: {}",
            json["rows"][0]
        );
    }
    for key in [
        "kind",
        "severity",
        "principal",
        "model_id",
        "count",
        "first_seen",
        "last_seen",
        "detail",
    ] {
        assert!(
            json["findings"][0].get(key).is_some(),
            "findings[0] lacks {key}"
        );
    }
    assert_eq!(json["findings"][0]["kind"], "logging-changed");
    assert_eq!(json["findings"][0]["severity"], "critical");
    assert_eq!(json["findings"][0]["first_seen"], "2025-03-10T08:00:00Z");
    assert_eq!(
        json["changes"][0]["event"],
        "DeleteModelInvocationLoggingConfiguration"
    );
    assert_eq!(json["changes"][0]["parameters"], "{}");
    assert_eq!(json["changes"].as_array().unwrap().len(), 1);
    assert_eq!(json["sources"]["files"], 1);
    assert_eq!(json["rows"][0]["operations"]["InvokeModel"], 1);
}

#[test]
fn people_see_findings_after_the_rows_and_the_csv_keeps_rows_only() {
    let r = run(&[
        call(MALLORY, "DeleteGuardrail").done(),
        invoke(ALICE, HAIKU).done(),
    ]);
    let md = String::from_utf8(
        exporter(Format::Markdown)
            .export(&document(&r, true))
            .unwrap(),
    )
    .unwrap();
    assert!(md.contains("[HIGH] guardrail-deleted"), "{md}");
    assert!(md.contains("change 2025-03-10T08:00:00Z"), "{md}");
    let csv =
        String::from_utf8(exporter(Format::Csv).export(&document(&r, false)).unwrap()).unwrap();
    assert!(!csv.contains("guardrail-deleted"), "{csv}");
    assert!(csv.starts_with("principal,principal_type,account,model_id,resolved_model,region,day,calls,invoke_calls,operations,errors"), "{csv}");
    let findings = String::from_utf8(
        exporter(Format::Csv)
            .export(&findings_document(&r.findings))
            .unwrap(),
    )
    .unwrap();
    assert!(
        findings.starts_with("severity,kind,principal,model_id,count"),
        "{findings}"
    );
    assert!(findings.contains("high,guardrail-deleted"), "{findings}");
}

// ---- real CloudTrail records ----

fn samples_dir() -> std::path::PathBuf {
    let near = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/samples/real"
    ));
    if near.is_dir() {
        near.to_path_buf()
    } else {
        std::path::PathBuf::from("/work/shared/samples/real")
    }
}

/// A minimal reading of real records for this test (the CloudTrail source has the real
/// parser): the fields the findings use.
fn sample_calls(file: &str) -> Vec<CallRecord> {
    let text = std::fs::read_to_string(samples_dir().join(file)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let records = match v {
        serde_json::Value::Array(a) => a,
        one => vec![one],
    };
    records
        .iter()
        .map(|r| {
            let s = |v: &serde_json::Value| v.as_str().map(|s| s.trim().to_string());
            let time = s(&r["eventTime"]).unwrap().replace(' ', "T");
            let time = if time.ends_with('Z') {
                time
            } else {
                format!("{time}Z")
            };
            CallRecord {
                time: time.parse().unwrap(),
                region: s(&r["awsRegion"]).unwrap(),
                event_name: s(&r["eventName"]).unwrap(),
                model_id: s(&r["requestParameters"]["modelId"]),
                principal: Principal::from_arn(&s(&r["userIdentity"]["arn"]).unwrap()),
                source_ip: s(&r["sourceIPAddress"]),
                user_agent: s(&r["userAgent"]),
                client: ClientKind::Other,
                error_code: s(&r["errorCode"]),
                error_message: s(&r["errorMessage"]),
                inference_region: None,
                request_id: s(&r["requestID"]),
                event_id: s(&r["eventID"]).unwrap(),
                read_only: r["readOnly"].as_bool(),
                parameters: None,
            }
        })
        .collect()
}

#[test]
fn the_stratus_detonations_give_the_expected_findings() {
    let mut calls =
        sample_calls("cloudtrail_stratus_red_team_bedrock_invoke_model_detonation.json");
    let mut o =
        GovernanceOptions::new("2024-10-17".parse().unwrap(), "2024-10-18".parse().unwrap());
    let r = run_with(&calls, &[], &o);
    let probing = one(&r, FindingKind::AvailabilityProbing);
    assert_eq!(probing.count, 10);
    assert_eq!(
        probing.model_id.as_deref(),
        Some("anthropic.claude-3-sonnet-20240229-v1:0")
    );
    assert_eq!(of_kind(&r, FindingKind::ModelAccessGranted).len(), 3);
    let events: Vec<&str> = r.changes.iter().map(|c| c.event.as_str()).collect();
    assert_eq!(
        events,
        vec![
            "PutUseCaseForModelAccess",
            "CreateFoundationModelAgreement",
            "PutFoundationModelEntitlement"
        ]
    );
    assert_eq!(r.rows.iter().map(|r| r.calls).sum::<u64>(), 15);

    calls =
        sample_calls("cloudtrail_stratus_red_team_bedrock_model_invocation_logging_delete.json");
    calls.extend(sample_calls(
        "cloudtrail_stratus_red_team_bedrock_guardrail_delete.json",
    ));
    o = GovernanceOptions::new("2025-03-26".parse().unwrap(), "2025-03-27".parse().unwrap());
    let r = run_with(&calls, &[], &o);
    let kinds: Vec<(Severity, FindingKind)> =
        r.findings.iter().map(|f| (f.severity, f.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Severity::Critical, FindingKind::LoggingChanged),
            (Severity::High, FindingKind::GuardrailDeleted),
        ]
    );
    assert_eq!(exit_code(&r.findings, Some(Severity::High)), 4);
}
