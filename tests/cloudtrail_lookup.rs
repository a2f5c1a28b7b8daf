//! The event history source through the real SDK against a small CloudTrail responder (moto
//! has no LookupEvents): a local HTTP server that speaks CloudTrail's JSON 1.1 protocol,
//! serves each Region's events in pages of 50 with NextToken, checks every request (one
//! LookupAttribute `EventSource = bedrock.amazonaws.com`, MaxResults ≤ 50, the range),
//! records when each request arrived, and can answer some calls with ThrottlingException.
//!
//! The SDK needs credentials (any: the responder does not check signatures): run with
//! `scripts/test.sh`, which sets dummy ones, or with `AWS_ACCESS_KEY_ID` and
//! `AWS_SECRET_ACCESS_KEY` set.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bedrock_meter::aws::AwsOptions;
use bedrock_meter::sources::cloudtrail::lookup::{self, LookupConfig, LookupOutput};
use jiff::Timestamp;

/// The JSON 1.1 target the SDK sends (the service's shape name and the operation).
const TARGET: &str = "CloudTrail_20131101.LookupEvents";
const SINCE: &str = "2026-01-05T00:00:00Z";
const UNTIL: &str = "2026-01-06T00:00:00Z";

/// How the responder answers.
#[derive(Clone, Default)]
struct Script {
    /// Events per Region.
    events: BTreeMap<String, usize>,
    /// 0-based request numbers (per Region) answered with ThrottlingException.
    throttle: Vec<usize>,
    /// Answer everything with AccessDeniedException.
    deny: bool,
}

#[derive(Default)]
struct Seen {
    /// Arrival times of requests, per Region (from the signature's credential scope).
    arrivals: BTreeMap<String, Vec<Instant>>,
    /// What was wrong with requests (should stay empty).
    violations: Vec<String>,
}

struct Responder {
    endpoint: String,
    seen: Arc<Mutex<Seen>>,
}

impl Responder {
    fn start(script: Script) -> Responder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        let script = Arc::new(script);
        std::thread::spawn(move || {
            // Bounded: the tests make a few dozen requests.
            for stream in listener.incoming().take(200).flatten() {
                let (seen, script) = (shared.clone(), script.clone());
                std::thread::spawn(move || serve(stream, &script, &seen));
            }
        });
        Responder { endpoint, seen }
    }

    fn arrivals(&self, region: &str) -> Vec<Instant> {
        let mut a = self
            .seen
            .lock()
            .unwrap()
            .arrivals
            .get(region)
            .cloned()
            .unwrap_or_default();
        a.sort();
        a
    }

    fn violations(&self) -> Vec<String> {
        self.seen.lock().unwrap().violations.clone()
    }
}

fn read_request(stream: &TcpStream) -> (BTreeMap<String, String>, String) {
    let mut reader = BufReader::new(stream);
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    (headers, String::from_utf8_lossy(&body).into_owned())
}

/// The Region of a SigV4-signed request: `Credential=KEY/DATE/REGION/cloudtrail/aws4_request`.
fn region_of(headers: &BTreeMap<String, String>) -> String {
    headers
        .get("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or("?")
        .to_string()
}

fn event_id(region: &str, i: usize) -> String {
    format!("{region}-event-{i:04}")
}

fn record(region: &str, i: usize) -> String {
    serde_json::json!({
        "eventVersion": "1.09",
        "eventTime": "2026-01-05T12:00:00Z",
        "eventSource": "bedrock.amazonaws.com",
        "eventName": "InvokeModel",
        "awsRegion": region,
        "eventID": event_id(region, i),
        "requestParameters": {"modelId": "amazon.nova-lite-v1:0"},
    })
    .to_string()
}

fn serve(mut stream: TcpStream, script: &Script, seen: &Mutex<Seen>) {
    let arrived = Instant::now();
    let (headers, body) = read_request(&stream);
    let region = region_of(&headers);
    let nth = {
        let mut s = seen.lock().unwrap();
        let list = s.arrivals.entry(region.clone()).or_default();
        list.push(arrived);
        let nth = list.len() - 1;
        let problems = check(&headers, &body);
        s.violations.extend(
            problems
                .into_iter()
                .map(|p| format!("{region} #{nth}: {p}")),
        );
        nth
    };
    let req: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let (status, answer) = if script.deny {
        (
            400,
            serde_json::json!({"__type": "AccessDeniedException", "message": "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: cloudtrail:LookupEvents"}),
        )
    } else if script.throttle.contains(&nth) {
        (
            400,
            serde_json::json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        )
    } else {
        let total = script.events.get(&region).copied().unwrap_or(0);
        let start: usize = req["NextToken"]
            .as_str()
            .and_then(|t| t.strip_prefix("from-"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let end = (start + 50).min(total);
        let events: Vec<serde_json::Value> = (start..end)
            .map(|i| {
                serde_json::json!({
                    "EventId": event_id(&region, i),
                    "EventName": "InvokeModel",
                    "ReadOnly": "true",
                    "EventTime": 1_767_614_400,
                    "EventSource": "bedrock.amazonaws.com",
                    "Username": "ci",
                    "Resources": [],
                    "CloudTrailEvent": record(&region, i),
                })
            })
            .collect();
        let mut page = serde_json::json!({ "Events": events });
        if end < total {
            page["NextToken"] = format!("from-{end}").into();
        }
        (200, page)
    };
    let text = answer.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: req-{nth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// What is wrong with a LookupEvents request, if anything.
fn check(headers: &BTreeMap<String, String>, body: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if headers.get("x-amz-target").map(String::as_str) != Some(TARGET) {
        problems.push(format!("X-Amz-Target {:?}", headers.get("x-amz-target")));
    }
    if headers.get("content-type").map(String::as_str) != Some("application/x-amz-json-1.1") {
        problems.push(format!("Content-Type {:?}", headers.get("content-type")));
    }
    let Ok(req) = serde_json::from_str::<serde_json::Value>(body) else {
        problems.push(format!("body is not JSON: {body:?}"));
        return problems;
    };
    let attrs = req["LookupAttributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if attrs.len() != 1
        || attrs[0]["AttributeKey"] != "EventSource"
        || attrs[0]["AttributeValue"] != "bedrock.amazonaws.com"
    {
        problems.push(format!("LookupAttributes {}", req["LookupAttributes"]));
    }
    match req["MaxResults"].as_i64() {
        Some(n) if (1..=50).contains(&n) => {}
        other => problems.push(format!("MaxResults {other:?}")),
    }
    let secs = |t: &str| t.parse::<Timestamp>().unwrap().as_second() as f64;
    if req["StartTime"].as_f64() != Some(secs(SINCE)) {
        problems.push(format!("StartTime {}", req["StartTime"]));
    }
    if req["EndTime"].as_f64() != Some(secs(UNTIL)) {
        problems.push(format!("EndTime {}", req["EndTime"]));
    }
    problems
}

fn require_credentials() {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        panic!(
            "AWS_ACCESS_KEY_ID is not set: run with scripts/test.sh (dummy credentials), or set any AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        );
    }
}

fn run(endpoint: &str, regions: &[&str]) -> Result<LookupOutput, bedrock_meter::aws::AwsError> {
    require_credentials();
    let mut cfg = LookupConfig::new(
        regions.iter().map(|r| r.to_string()).collect(),
        SINCE.parse().unwrap(),
        UNTIL.parse().unwrap(),
    );
    cfg.aws = AwsOptions {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(20),
        endpoint_url: Some(endpoint.to_string()),
        ..AwsOptions::default()
    };
    lookup::collect_blocking(&cfg)
}

fn expected(region: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (region.to_string(), record(region, i)))
        .collect()
}

/// No more than `n` arrivals in any one-second window.
fn at_most_per_second(arrivals: &[Instant], n: usize) -> Result<(), String> {
    for w in arrivals.windows(n + 1) {
        let span = w[n] - w[0];
        if span < Duration::from_secs(1) {
            return Err(format!("{} requests within {span:?}", n + 1));
        }
    }
    Ok(())
}

#[test]
fn regions_are_paged_by_50_paced_and_read_concurrently() {
    let script = Script {
        events: BTreeMap::from([
            ("us-east-1".to_string(), 260),
            ("us-west-2".to_string(), 120),
            ("eu-central-1".to_string(), 0),
        ]),
        ..Script::default()
    };
    let r = Responder::start(script);
    let out = run(&r.endpoint, &["us-east-1", "us-west-2", "eu-central-1"]).unwrap();
    assert_eq!(r.violations(), Vec::<String>::new());
    assert_eq!(out.regions, ["us-east-1", "us-west-2", "eu-central-1"]);
    // ⌈events / 50⌉ calls, and one call for a Region without events.
    assert_eq!(
        out.stats.calls,
        BTreeMap::from([
            ("eu-central-1".to_string(), 1),
            ("us-east-1".to_string(), 6),
            ("us-west-2".to_string(), 3),
        ])
    );
    assert_eq!(out.stats.total_events(), 380);
    let mut want = expected("us-east-1", 260);
    want.extend(expected("us-west-2", 120));
    assert_eq!(out.events, want);
    // The fixed range lies more than 90 days back once the clock passes 2026-04-05.
    let old = SINCE.parse::<Timestamp>().unwrap()
        < Timestamp::now() - jiff::SignedDuration::from_hours(24 * 90);
    assert_eq!(out.notes.len(), usize::from(old), "{:?}", out.notes);
    if old {
        assert!(out.notes[0].contains("older days need --trail"));
    }

    for region in ["us-east-1", "us-west-2", "eu-central-1"] {
        let a = r.arrivals(region);
        assert_eq!(a.len() as u64, out.stats.calls[region], "{region}");
        at_most_per_second(&a, 2).unwrap_or_else(|e| panic!("{region}: {e}"));
    }
    // Concurrent, not one Region after the other: us-west-2 started before us-east-1's
    // paced pages were done, and finished before them.
    let (east, west) = (r.arrivals("us-east-1"), r.arrivals("us-west-2"));
    assert!(west[0] < east[east.len() - 1]);
    assert!(east[0] < west[west.len() - 1]);
}

#[test]
fn throttled_calls_are_retried_and_return_the_same_events() {
    let events = BTreeMap::from([("ap-south-1".to_string(), 160)]);
    let calm = Responder::start(Script {
        events: events.clone(),
        ..Script::default()
    });
    let stormy = Responder::start(Script {
        events,
        throttle: vec![0, 2, 3],
        ..Script::default()
    });
    let a = run(&calm.endpoint, &["ap-south-1"]).unwrap();
    let b = run(&stormy.endpoint, &["ap-south-1"]).unwrap();
    assert_eq!(calm.violations(), Vec::<String>::new());
    assert_eq!(stormy.violations(), Vec::<String>::new());
    assert_eq!(a.events, expected("ap-south-1", 160));
    assert_eq!(b.events, a.events);
    // Four pages either way; the SDK retried the three throttled requests.
    assert_eq!(a.stats.total_calls(), 4);
    assert_eq!(b.stats.total_calls(), 4);
    assert_eq!(calm.arrivals("ap-south-1").len(), 4);
    assert_eq!(stormy.arrivals("ap-south-1").len(), 7);
}

#[test]
fn access_denied_names_the_missing_iam_action() {
    let r = Responder::start(Script {
        deny: true,
        ..Script::default()
    });
    let err = run(&r.endpoint, &["eu-west-1"]).unwrap_err().to_string();
    assert!(
        err.contains("missing IAM permission cloudtrail:LookupEvents in eu-west-1"),
        "{err}"
    );
    // Access denied is not retried.
    assert_eq!(r.arrivals("eu-west-1").len(), 1);
}

#[test]
fn report_governance_reads_every_region_from_lookup_events() {
    require_credentials();
    let events = BTreeMap::from([
        ("us-east-1".to_string(), 120usize),
        ("eu-west-1".to_string(), 51usize),
    ]);
    let r = Responder::start(Script {
        events: events.clone(),
        ..Script::default()
    });
    let day = |t: &str| t[..10].to_string();
    let out = assert_cmd::Command::cargo_bin("bedrock-meter")
        .unwrap()
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env("AWS_ENDPOINT_URL", &r.endpoint)
        .args(["--format", "json", "report", "governance", "--no-progress"])
        // No baseline: the responder checks that the calls ask for exactly the range.
        .args(["--baseline-days", "0"])
        .args(["--since", &day(SINCE), "--until", &day(UNTIL)])
        .args(["--region", "us-east-1,eu-west-1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(r.violations(), Vec::<String>::new());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every served event lies in the range (noon of its one day).
    let served: usize = events.values().sum();
    let total: u64 = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["calls"].as_u64().unwrap())
        .sum();
    assert_eq!(total, served as u64);
    assert_eq!(v["sources"]["kind"], "lookup-events");
    for (region, n) in &events {
        let pages = n.div_ceil(50) as u64;
        assert_eq!(
            v["sources"]["lookup_events_calls"][region].as_u64(),
            Some(pages),
            "{region}: {}",
            v["sources"]
        );
        assert_eq!(r.arrivals(region).len() as u64, pages, "{region}");
    }
}
