//! `bedrock-meter report governance` end to end: the binary over a trail folder the test
//! writes (CloudTrail's real layout, gzipped `{"Records": [...]}` files) with a baseline,
//! regular callers, a root call and a stolen-key pattern (availability probing, a model
//! access request, a burst of denied calls, invocation logging deleted), plus a duplicated
//! file, a corrupt file, a bad record and a record of another service. The same files are
//! then read from S3 (the moto server `scripts/test.sh` starts), and a day of CloudWatch
//! usage seeded into moto is apportioned over the day's callers.
//!
//! Every expected value is computed here from the events the test wrote.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const ACCT: &str = "111122223333";
const SINCE: &str = "2026-03-01";
const UNTIL: &str = "2026-03-03";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const HAIKU3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const OPUS3: &str = "anthropic.claude-3-opus-20240229-v1:0";
const EVIL_AGENT: &str = "=cmd|' /C calc'!A0";
const BOTO: &str = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10 lang/python#3.12.6";
const REQUESTS: &str = "python-requests/2.31.0";

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

/// A caller: its principal key in reports, its identity (what new-principal compares) and
/// the `userIdentity` of its records.
#[derive(Clone)]
struct Who {
    key: String,
    identity: String,
    user_identity: Value,
}

fn role(name: &str, session: &str) -> Who {
    let role_arn = format!("arn:aws:iam::{ACCT}:role/{name}");
    let key = format!("arn:aws:sts::{ACCT}:assumed-role/{name}/{session}");
    Who {
        key: key.clone(),
        identity: role_arn.clone(),
        user_identity: json!({
            "type": "AssumedRole",
            "principalId": format!("AROAEXAMPLE{}:{session}", name.to_uppercase()),
            "arn": key,
            "accountId": ACCT,
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": format!("AROAEXAMPLE{}", name.to_uppercase()),
                    "arn": role_arn,
                    "accountId": ACCT,
                    "userName": name,
                },
                "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"},
            },
        }),
    }
}

fn user(name: &str) -> Who {
    let arn = format!("arn:aws:iam::{ACCT}:user/{name}");
    Who {
        key: arn.clone(),
        identity: arn.clone(),
        user_identity: json!({
            "type": "IAMUser",
            "principalId": format!("AIDAEXAMPLE{}", name.to_uppercase()),
            "arn": arn,
            "accountId": ACCT,
            "accessKeyId": "AKIAEXAMPLE",
            "userName": name,
        }),
    }
}

fn root() -> Who {
    let arn = format!("arn:aws:iam::{ACCT}:root");
    Who {
        key: arn.clone(),
        identity: arn.clone(),
        user_identity: json!({
            "type": "Root",
            "principalId": ACCT,
            "arn": arn,
            "accountId": ACCT,
            "accessKeyId": "ASIAEXAMPLEROOT",
        }),
    }
}

/// One Bedrock call the test writes.
#[derive(Clone)]
struct Ev {
    time: Timestamp,
    region: &'static str,
    name: &'static str,
    who: Who,
    model: Option<&'static str>,
    error: Option<&'static str>,
    agent: &'static str,
    read_only: bool,
    id: String,
}

impl Ev {
    fn day(&self) -> Date {
        self.time.to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    fn record(&self) -> Value {
        let mut r = json!({
            "eventVersion": "1.09",
            "userIdentity": self.who.user_identity,
            "eventTime": self.time.to_string(),
            "eventSource": "bedrock.amazonaws.com",
            "eventName": self.name,
            "awsRegion": self.region,
            "sourceIPAddress": "203.0.113.10",
            "userAgent": self.agent,
            "requestParameters": self.model.map(|m| json!({"modelId": m})),
            "responseElements": null,
            "requestID": format!("req-{}", self.id),
            "eventID": self.id,
            "readOnly": self.read_only,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": ACCT,
        });
        if let Some(code) = self.error {
            r["errorCode"] = code.into();
            r["errorMessage"] = format!("{code} (test)").into();
        }
        r
    }
}

fn ts(day: &str, hh: i64, mm: i64, ss: i64) -> Timestamp {
    let d: Date = day.parse().unwrap();
    d.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp() + (hh * 3600 + mm * 60 + ss).seconds()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Builds the events, numbering their IDs.
#[derive(Default)]
struct Events(Vec<Ev>);

impl Events {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        time: Timestamp,
        region: &'static str,
        name: &'static str,
        who: &Who,
        model: Option<&'static str>,
        error: Option<&'static str>,
        agent: &'static str,
        read_only: bool,
    ) {
        let id = format!("ev-{:05}", self.0.len());
        self.0.push(Ev {
            time,
            region,
            name,
            who: who.clone(),
            model,
            error,
            agent,
            read_only,
            id,
        });
    }
}

fn app() -> Who {
    role("app", "s-1")
}
fn alice() -> Who {
    user("alice")
}
fn svc() -> Who {
    user("svc-legacy-deploy")
}

/// The scenario: baseline, two regular callers, root, and (if `attack`) the stolen key.
fn scenario(logging_delete: bool) -> Vec<Ev> {
    let mut e = Events::default();
    let base = "2026-02-20";
    // Baseline: the regular callers (the role under another session) and one caller only
    // seen there.
    let app_base = role("app", "s-base");
    e.add(
        ts(base, 10, 0, 0),
        "us-east-1",
        "Converse",
        &app_base,
        Some(NOVA_LITE),
        None,
        BOTO,
        true,
    );
    e.add(
        ts(base, 10, 5, 0),
        "us-east-1",
        "Converse",
        &app_base,
        Some(NOVA_LITE),
        None,
        BOTO,
        true,
    );
    e.add(
        ts(base, 11, 0, 0),
        "us-west-2",
        "InvokeModel",
        &alice(),
        Some(HAIKU3),
        None,
        BOTO,
        true,
    );
    e.add(
        ts(base, 12, 0, 0),
        "us-east-1",
        "InvokeModel",
        &user("old-batch"),
        Some(NOVA_LITE),
        None,
        BOTO,
        true,
    );
    // Long before the baseline: read, but out of range.
    e.add(
        ts("2025-12-01", 9, 0, 0),
        "us-east-1",
        "Converse",
        &role("app", "s-old"),
        Some(NOVA_LITE),
        None,
        BOTO,
        true,
    );
    // Day 1.
    let d1 = SINCE;
    for i in 0..4 {
        let err = (i == 2).then_some("ThrottlingException");
        e.add(
            ts(d1, 9, i, 0),
            "us-east-1",
            "Converse",
            &app(),
            Some(NOVA_LITE),
            err,
            BOTO,
            true,
        );
    }
    for i in 0..2 {
        e.add(
            ts(d1, 14, i, 0),
            "us-west-2",
            "InvokeModel",
            &alice(),
            Some(HAIKU3),
            None,
            EVIL_AGENT,
            true,
        );
    }
    e.add(
        ts(d1, 15, 0, 0),
        "us-east-1",
        "ListFoundationModels",
        &root(),
        None,
        None,
        "AWS Internal",
        true,
    );
    // Day 2.
    let d2 = "2026-03-02";
    for i in 0..2 {
        e.add(
            ts(d2, 9, i, 0),
            "us-east-1",
            "Converse",
            &app(),
            Some(NOVA_LITE),
            None,
            BOTO,
            true,
        );
    }
    for i in 0..3 {
        let err = (i == 1).then_some("ValidationException");
        e.add(
            ts(d2, 10, i, 0),
            "us-west-2",
            "InvokeModel",
            &alice(),
            Some(HAIKU3),
            err,
            BOTO,
            true,
        );
    }
    // The stolen key: probing, access request, denied burst, logging deleted.
    for i in 0..6 {
        e.add(
            ts(d2, 2, 5 * i, 0),
            "us-east-1",
            "GetFoundationModelAvailability",
            &svc(),
            Some(OPUS3),
            None,
            REQUESTS,
            true,
        );
    }
    e.add(
        ts(d2, 2, 40, 0),
        "us-east-1",
        "PutUseCaseForModelAccess",
        &svc(),
        None,
        None,
        REQUESTS,
        false,
    );
    for i in 0..12 {
        e.add(
            ts(d2, 3, 0, 20 * i),
            "us-east-1",
            "InvokeModel",
            &svc(),
            Some(OPUS3),
            Some("AccessDenied"),
            REQUESTS,
            true,
        );
    }
    if logging_delete {
        e.add(
            ts(d2, 3, 30, 0),
            "us-east-1",
            "DeleteModelInvocationLoggingConfiguration",
            &svc(),
            None,
            None,
            REQUESTS,
            false,
        );
    }
    e.0
}

fn in_range(e: &Ev) -> bool {
    e.day() >= date(SINCE) && e.day() < date(UNTIL)
}

fn is_baseline(e: &Ev) -> bool {
    let since = date(SINCE);
    e.day() < since && e.day() >= since.checked_sub(30.days()).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// What was written: file keys (relative to the trail root) and counts.
struct Written {
    events: Vec<Ev>,
    /// Every file, relative to the root, with its gzipped bytes.
    files: Vec<(String, Vec<u8>)>,
    records: u64,
    duplicates: u64,
    corrupt: String,
    bad_record_file: Option<String>,
}

fn folder(region: &str, day: Date) -> String {
    format!(
        "AWSLogs/{ACCT}/CloudTrail/{region}/{}/",
        day.strftime("%Y/%m/%d")
    )
}

fn file_name(region: &str, day: Date, n: usize) -> String {
    format!(
        "{ACCT}_CloudTrail_{region}_{}T2355Z_file{n:03}.json.gz",
        day.strftime("%Y%m%d")
    )
}

/// Writes the scenario's files: one per Region × day, a copy of alice's first day, a
/// corrupt file, and (if `bad_record`) a bad record; plus one record of another service.
fn build(logging_delete: bool, bad_record: bool) -> Written {
    let events = scenario(logging_delete);
    let mut groups: BTreeMap<(&str, Date), Vec<Value>> = BTreeMap::new();
    for e in &events {
        groups
            .entry((e.region, e.day()))
            .or_default()
            .push(e.record());
    }
    let d1 = date(SINCE);
    let d2 = date("2026-03-02");
    groups.get_mut(&("us-east-1", d1)).unwrap().push(json!({
        "eventVersion": "1.09",
        "eventTime": format!("{SINCE}T08:00:00Z"),
        "eventSource": "s3.amazonaws.com",
        "eventName": "ListBuckets",
        "awsRegion": "us-east-1",
        "eventID": "other-service-1",
    }));
    let mut bad_record_file = None;
    if bad_record {
        groups.get_mut(&("us-west-2", d2)).unwrap().push(json!({
            "eventVersion": "1.09",
            "eventTime": 5,
            "eventSource": "bedrock.amazonaws.com",
            "eventName": "InvokeModel",
            "awsRegion": "us-west-2",
            "eventID": "bad-time-1",
        }));
        bad_record_file = Some(file_name("us-west-2", d2, 0));
    }
    let mut files = Vec::new();
    let mut records = 0;
    let mut duplicates = 0;
    for ((region, day), recs) in &groups {
        let body = gzip(json!({ "Records": recs }).to_string().as_bytes());
        records += recs.len() as u64;
        files.push((
            format!("{}{}", folder(region, *day), file_name(region, *day, 0)),
            body.clone(),
        ));
        if (*region, *day) == ("us-west-2", d1) {
            // The same records delivered twice (same eventIDs).
            records += recs.len() as u64;
            duplicates += recs.len() as u64;
            files.push((
                format!("{}{}", folder(region, *day), file_name(region, *day, 1)),
                body,
            ));
        }
    }
    let corrupt = file_name("us-east-1", d2, 7);
    files.push((
        format!("{}{corrupt}", folder("us-east-1", d2)),
        gzip(b"this is not JSON at all"),
    ));
    files.sort();
    Written {
        events,
        files,
        records,
        duplicates,
        corrupt,
        bad_record_file,
    }
}

fn write_to(dir: &Path, w: &Written) {
    for (key, body) in &w.files {
        let path = dir.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
}

fn trail(logging_delete: bool, bad_record: bool) -> (tempfile::TempDir, Written) {
    let dir = tempfile::tempdir().unwrap();
    let w = build(logging_delete, bad_record);
    write_to(dir.path(), &w);
    (dir, w)
}

fn governance(trail: &str) -> Command {
    let mut c = meter();
    c.args(["report", "governance", "--no-progress"])
        .args(["--since", SINCE, "--until", UNTIL, "--trail", trail]);
    c
}

fn json_of(c: &mut Command) -> Value {
    let out = c.args(["--format", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

type Tally = (u64, u64, BTreeMap<String, u64>);

/// `(principal, model)` → (calls, error calls, errors by code), from the events.
fn expected_rows(events: &[Ev]) -> BTreeMap<(String, String), Tally> {
    let mut m: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for e in events.iter().filter(|e| in_range(e)) {
        let t = m
            .entry((e.who.key.clone(), e.model.unwrap_or("(none)").to_string()))
            .or_default();
        t.0 += 1;
        if let Some(code) = e.error {
            t.1 += 1;
            *t.2.entry(code.to_string()).or_default() += 1;
        }
    }
    m
}

fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| v.to_string().parse().expect("a count"))
}

fn actual_rows(v: &Value) -> BTreeMap<(String, String), Tally> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let errors = r["errors"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, n)| (k.clone(), u(n)))
                .collect();
            (
                (
                    r["principal"].as_str().unwrap().to_string(),
                    r["model_id"].as_str().unwrap().to_string(),
                ),
                (u(&r["calls"]), u(&r["error_calls"]), errors),
            )
        })
        .collect()
}

fn kinds(v: &Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

fn findings_of<'a>(v: &'a Value, kind: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

#[test]
fn local_trail_rows_findings_changes_and_sources() {
    let (dir, w) = trail(true, true);
    let v = json_of(&mut governance(&path_str(dir.path())));

    assert_eq!(actual_rows(&v), expected_rows(&w.events));
    let in_range_calls = w.events.iter().filter(|e| in_range(e)).count() as u64;
    assert_eq!(u(&v["calls"]), in_range_calls);
    // The caller seen only in the baseline has no row.
    assert!(
        !v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["principal"].as_str().unwrap().ends_with("user/old-batch"))
    );

    let k = kinds(&v);
    for want in [
        "root-account-use",
        "new-principal",
        "availability-probing",
        "access-denied-burst",
        "model-access-granted",
        "logging-changed",
    ] {
        assert!(k.contains(want), "{want} missing from {k:?}");
    }
    for absent in [
        "validation-burst",
        "high-error-rate",
        "model-outside-policy",
        "region-outside-policy",
        "guardrail-deleted",
        "provisioned-throughput-bought",
    ] {
        assert!(!k.contains(absent), "{absent} unexpected in {k:?}");
    }
    // New principals: the range's identities that the baseline does not have.
    let known: BTreeSet<&str> = w
        .events
        .iter()
        .filter(|e| is_baseline(e))
        .map(|e| e.who.identity.as_str())
        .collect();
    let new: BTreeSet<String> = w
        .events
        .iter()
        .filter(|e| in_range(e) && !known.contains(e.who.identity.as_str()))
        .map(|e| e.who.identity.clone())
        .collect();
    let found_new: BTreeSet<String> = findings_of(&v, "new-principal")
        .iter()
        .map(|f| f["principal"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found_new, new);
    assert_eq!(new.len(), 2, "root and the stolen key");

    let svc_key = svc().key;
    let count_of = |name: &str, err: Option<&str>| {
        w.events
            .iter()
            .filter(|e| in_range(e) && e.who.key == svc_key && e.name == name && e.error == err)
            .count() as u64
    };
    let probing = findings_of(&v, "availability-probing");
    assert_eq!(probing.len(), 1);
    assert_eq!(probing[0]["principal"], svc_key.as_str());
    assert_eq!(
        u(&probing[0]["count"]),
        count_of("GetFoundationModelAvailability", None)
    );
    let denied = findings_of(&v, "access-denied-burst");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["principal"], svc_key.as_str());
    assert_eq!(
        u(&denied[0]["count"]),
        count_of("InvokeModel", Some("AccessDenied"))
    );
    assert_eq!(denied[0]["severity"], "high");
    let access = findings_of(&v, "model-access-granted");
    assert_eq!(access.len(), 1);
    // A new principal asking for model access is high, not medium.
    assert_eq!(access[0]["severity"], "high");
    let logging = findings_of(&v, "logging-changed");
    assert_eq!(logging.len(), 1);
    assert_eq!(logging[0]["severity"], "critical");
    assert_eq!(logging[0]["principal"], svc_key.as_str());
    let roots = findings_of(&v, "root-account-use");
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0]["principal"], root().key.as_str());

    // Changes: the writes of the range, in time order.
    let mut want_changes: Vec<&Ev> = w
        .events
        .iter()
        .filter(|e| in_range(e) && !e.read_only)
        .collect();
    want_changes.sort_by_key(|e| e.time);
    let got: Vec<(String, String, String)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["event"].as_str().unwrap().to_string(),
                c["principal"].as_str().unwrap().to_string(),
                c["event_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = want_changes
        .iter()
        .map(|e| (e.name.to_string(), e.who.key.clone(), e.id.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(want.len(), 2);

    // Sources.
    let s = &v["sources"];
    assert_eq!(u(&s["files"]), w.files.len() as u64);
    // The bad record counts as read; the corrupt file has none.
    assert_eq!(u(&s["records_read"]), w.records);
    assert_eq!(u(&s["duplicates"]), w.duplicates);
    assert!(w.duplicates > 0);
    assert_eq!(u(&s["bad_records"]), 1);
    assert_eq!(u(&s["bad_files"]), 1);
    assert_eq!(u(&s["skipped_other_sources"]), 1);
    let out_of_range = w
        .events
        .iter()
        .filter(|e| !in_range(e) && !is_baseline(e))
        .count() as u64;
    assert_eq!(u(&s["out_of_range"]), out_of_range);
    assert_eq!(
        u(&s["baseline_calls"]),
        w.events.iter().filter(|e| is_baseline(e)).count() as u64
    );
    let problems: Vec<&str> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains(&w.corrupt)),
        "{problems:?}"
    );
    let bad_file = w.bad_record_file.as_deref().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains(bad_file) && p.contains("eventTime")),
        "{problems:?}"
    );
}

#[test]
fn fail_on_exit_codes_and_findings_csv() {
    let (dir, _) = trail(true, true);
    let root_dir = path_str(dir.path());
    let csv_path = dir.path().join("out").join("findings.csv");
    std::fs::create_dir_all(csv_path.parent().unwrap()).unwrap();
    // The findings file lives beside the trail, not in it: a second trail path below.
    let v = json_of(
        governance(&format!("{root_dir}/AWSLogs"))
            .arg("--findings-csv")
            .arg(&csv_path),
    );
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["severity", "kind", "principal"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), v["findings"].as_array().unwrap().len());
    assert!(
        rows.iter()
            .any(|r| &r[0] == "critical" && &r[1] == "logging-changed")
    );

    governance(&root_dir).assert().code(0);
    governance(&root_dir)
        .args(["--fail-on", "high"])
        .assert()
        .code(4);
    governance(&root_dir)
        .args(["--fail-on", "critical"])
        .assert()
        .code(4);

    let (quiet, _) = trail(false, true);
    let quiet_dir = path_str(quiet.path());
    let qv = json_of(&mut governance(&quiet_dir));
    assert!(!kinds(&qv).contains("logging-changed"));
    governance(&quiet_dir)
        .args(["--fail-on", "critical"])
        .assert()
        .code(0);
    governance(&quiet_dir)
        .args(["--fail-on", "high"])
        .assert()
        .code(4);
}

#[test]
fn strict_stops_at_the_corrupt_file() {
    let (dir, w) = trail(true, false);
    let out = governance(&path_str(dir.path()))
        .arg("--strict")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&w.corrupt), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn policy_findings_and_policy_errors() {
    let (dir, w) = trail(true, true);
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[[allow]]\nprincipal = \"arn:aws:sts::*:assumed-role/app/*\"\nmodels = [\"amazon.nova-*\"]\n\n\
             [[allow]]\nprincipal = \"arn:aws:iam::{ACCT}:user/alice\"\nmodels = [\"amazon.nova-*\"]\n"
        ),
    )
    .unwrap();
    let v = json_of(
        governance(&path_str(&dir.path().join("AWSLogs")))
            .arg("--policy")
            .arg(&policy),
    );
    let outside = findings_of(&v, "model-outside-policy");
    let alice_calls = w
        .events
        .iter()
        .filter(|e| in_range(e) && e.who.key == alice().key && e.model == Some(HAIKU3))
        .count() as u64;
    let alice_f: Vec<&&Value> = outside
        .iter()
        .filter(|f| f["principal"] == alice().key.as_str())
        .collect();
    assert_eq!(alice_f.len(), 1, "{outside:?}");
    assert_eq!(alice_f[0]["model_id"], HAIKU3);
    assert_eq!(u(&alice_f[0]["count"]), alice_calls);
    assert_eq!(alice_f[0]["severity"], "high");
    // The role's Nova calls are allowed.
    assert!(!outside.iter().any(|f| f["principal"] == app().key.as_str()));

    let bad = dir.path().join("bad-policy.toml");
    std::fs::write(
        &bad,
        "# thresholds\n[thresholds]\naccess_denied_burst = \"ten\"\n",
    )
    .unwrap();
    let out = governance(&path_str(dir.path()))
        .arg("--policy")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // `FILE:LINE: error in `FIELD`…`: the value is on the file's third line.
    let at = format!("{}:3:", bad.display());
    assert!(err.contains(&at), "{at} not in {err}");
    assert!(err.contains("thresholds.access_denied_burst"), "{err}");
}

#[test]
fn by_principal_and_day() {
    let (dir, w) = trail(true, true);
    let v = json_of(governance(&path_str(dir.path())).args(["--by", "principal,day"]));
    let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
    for e in w.events.iter().filter(|e| in_range(e)) {
        *want
            .entry((e.who.key.clone(), e.day().to_string()))
            .or_default() += 1;
    }
    let got: BTreeMap<(String, String), u64> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["principal"].as_str().unwrap().to_string(),
                    r["day"].as_str().unwrap().to_string(),
                ),
                u(&r["calls"]),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["rows"].as_array().unwrap().len(), want.len());
}

#[test]
fn csv_output_neutralises_formulas_in_user_agents() {
    let (dir, _) = trail(true, true);
    let out = governance(&path_str(dir.path()))
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (p, agents) = (col("principal"), col("user_agent_list"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let alice_row = rows.iter().find(|r| r[p] == alice().key).unwrap();
    let cell = &alice_row[agents];
    assert!(cell.contains(EVIL_AGENT), "{cell}");
    for value in cell.split(';').map(str::trim) {
        assert!(!value.starts_with('='), "{cell}");
    }
    assert!(cell.starts_with('\''), "{cell}");
    // No cell anywhere starts a formula.
    for r in &rows {
        for c in r.iter() {
            assert!(!c.starts_with(['=', '+', '@']), "{c}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let (dir, _) = trail(true, true);
    let d = path_str(dir.path());
    meter()
        .args(["report", "governance", "--trail", &d])
        .args(["--since", "2026-03-02", "--until", "2026-03-02"])
        .assert()
        .code(2);
    meter()
        .args(["report", "governance", "--trail", &d])
        .args(["--since", "2026-03-03", "--until", "2026-03-01"])
        .assert()
        .code(2);
    governance(&d)
        .args(["--apportion-cost", "--by", "event"])
        .assert()
        .code(2);
}

// --- S3 (moto) ------------------------------------------------------------------------

fn s3_client() -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(support::endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn bucket_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("gov-cli-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

#[test]
fn s3_trail_gives_the_same_rows_and_findings_as_the_folder() {
    let endpoint = support::endpoint();
    let (dir, w) = trail(true, true);
    let bucket = bucket_name();
    let prefix = "org-trail/";
    support::runtime().block_on(async {
        let client = s3_client();
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        for (key, body) in &w.files {
            client
                .put_object()
                .bucket(&bucket)
                .key(format!("{prefix}{key}"))
                .body(aws_sdk_s3::primitives::ByteStream::from(body.clone()))
                .send()
                .await
                .unwrap();
        }
    });
    let local = json_of(&mut governance(&path_str(dir.path())));
    let remote = json_of(
        governance(&format!("s3://{bucket}/{}", prefix.trim_end_matches('/')))
            .env("AWS_ENDPOINT_URL", &endpoint),
    );
    assert_eq!(remote["rows"], local["rows"]);
    assert_eq!(remote["findings"], local["findings"]);
    assert_eq!(remote["changes"], local["changes"]);
    // The folders of the baseline and the range (and the day after it) are fetched; the
    // one of December is not.
    let first = date(SINCE).checked_sub(30.days()).unwrap();
    let last = date(UNTIL);
    let in_folders = w
        .files
        .iter()
        .filter(|(key, _)| {
            let parts: Vec<&str> = key.split('/').collect();
            let day = date(&format!("{}-{}-{}", parts[4], parts[5], parts[6]));
            day >= first && day <= last
        })
        .count() as u64;
    assert!(in_folders < w.files.len() as u64);
    assert_eq!(
        u(&remote["sources"]["s3"][0]["objects_fetched"]),
        in_folders
    );
    assert_eq!(u(&remote["sources"]["files"]), in_folders);
    assert_eq!(u(&remote["sources"]["duplicates"]), w.duplicates);
    assert_eq!(u(&remote["sources"]["bad_files"]), 1);
}

// --- --apportion-cost (CloudWatch in moto) ----------------------------------------------

#[test]
fn apportioned_cost_splits_the_day_by_successful_calls() {
    let day = support::slot_start(21);
    let next = support::plus(day, 1);
    let (input_tokens, output_tokens) = (1_234_567u64, 345_678u64);
    support::runtime().block_on(async {
        support::put(
            &support::client("us-west-2"),
            vec![
                support::datum(NOVA_LITE, "Invocations", support::at(day, 0), 4.0),
                support::datum(
                    NOVA_LITE,
                    "InputTokenCount",
                    support::at(day, 0),
                    input_tokens as f64,
                ),
                support::datum(
                    NOVA_LITE,
                    "OutputTokenCount",
                    support::at(day, 0),
                    output_tokens as f64,
                ),
            ],
        )
        .await;
    });
    let d = day.to_string();
    let (heavy, light) = (role("batch", "s-1"), user("carol"));
    let mut e = Events::default();
    for i in 0..3 {
        e.add(
            ts(&d, 8, i, 0),
            "us-west-2",
            "InvokeModel",
            &heavy,
            Some(NOVA_LITE),
            None,
            BOTO,
            true,
        );
    }
    e.add(
        ts(&d, 9, 0, 0),
        "us-west-2",
        "InvokeModel",
        &light,
        Some(NOVA_LITE),
        None,
        BOTO,
        true,
    );
    for i in 0..2 {
        e.add(
            ts(&d, 9, 10 + i, 0),
            "us-west-2",
            "InvokeModel",
            &light,
            Some(NOVA_LITE),
            Some("ThrottlingException"),
            BOTO,
            true,
        );
    }
    let records: Vec<Value> = e.0.iter().map(Ev::record).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join(folder("us-west-2", day))
        .join(file_name("us-west-2", day, 0));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        gzip(json!({ "Records": records }).to_string().as_bytes()),
    )
    .unwrap();

    let v = json_of(
        meter()
            .args(["report", "governance", "--no-progress", "--apportion-cost"])
            .args(["--trail", &path_str(dir.path()), "--region", "us-west-2"])
            .args(["--since", &d, "--until", &next.to_string()])
            .args(["--by", "principal,model"]),
    );
    assert_eq!(v["cost_basis"], "apportioned-estimate");
    // Nova Lite on demand: $0.06 / $0.24 per 1M input / output tokens.
    let million = Decimal::from(1_000_000);
    let cost = Decimal::from(input_tokens) * Decimal::from_str("0.06").unwrap() / million
        + Decimal::from(output_tokens) * Decimal::from_str("0.24").unwrap() / million;
    let row_cost = |who: &Who| {
        let row = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["principal"] == who.key.as_str() && r["model_id"] == NOVA_LITE)
            .unwrap_or_else(|| panic!("no row for {}: {}", who.key, v["rows"]));
        let c = &row["apportioned_cost_usd"];
        Decimal::from_str(c.as_str().map_or(c.to_string(), str::to_string).trim()).unwrap()
    };
    let ok = |who: &Who| {
        e.0.iter()
            .filter(|x| x.who.key == who.key && x.error.is_none())
            .count() as u64
    };
    let total_ok = Decimal::from(ok(&heavy) + ok(&light));
    let (a, b) = (row_cost(&heavy), row_cost(&light));
    assert_eq!(a, cost * Decimal::from(ok(&heavy)) / total_ok);
    assert_eq!(b, cost * Decimal::from(ok(&light)) / total_ok);
    assert_eq!(a + b, cost);
}
