//! `bedrock-meter report daily` end to end: the binary against the moto server for CSV /
//! JSON output and `--append` idempotency, and against small local responders for the
//! errors a user must understand (server down, access denied, no credentials) and for the
//! throttling the SDK's retries must hide.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use jiff::civil::Date;
use predicates::prelude::*;
use support::{at, client, datum, plus, put, runtime, slot_start};

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

/// `report daily` over `since..until` in `region`, against moto.
fn report(region: &str, since: Date, until: Date) -> Command {
    support::endpoint();
    let mut c = meter();
    c.args(["report", "daily", "--no-percentiles", "--no-progress"])
        .args(["--region", region])
        .args(["--since", &since.to_string(), "--until", &until.to_string()]);
    c
}

fn csv_rows(out: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(out.to_vec()).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const NOVA_PRO_PRIORITY: &str = "amazon.nova-pro-v1:0+priority";

#[test]
fn csv_and_json_reports_from_the_binary() {
    let d1 = slot_start(10);
    let d2 = plus(d1, 1);
    runtime().block_on(async {
        put(
            &client("us-west-2"),
            vec![
                datum(NOVA_LITE, "Invocations", at(d1, 0), 1000.0),
                datum(NOVA_LITE, "InputTokenCount", at(d1, 0), 10_000_000.0),
                datum(NOVA_LITE, "OutputTokenCount", at(d1, 0), 1_000_000.0),
                datum(NOVA_PRO_PRIORITY, "Invocations", at(d2, 0), 10.0),
                datum(NOVA_PRO_PRIORITY, "InputTokenCount", at(d2, 0), 1_000_000.0),
                datum(NOVA_PRO_PRIORITY, "OutputTokenCount", at(d2, 0), 100_000.0),
            ],
        )
        .await;
    });
    let out = report("us-west-2", d1, plus(d2, 1))
        .args(["--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let header = String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(header.starts_with("date,region,model_id,resolved_model,invocations,input_tokens"));
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Nova Lite on demand: $0.06 / $0.24 per 1M → 0.60 + 0.24.
    assert_eq!(rows[0][0], d1.to_string());
    assert_eq!(rows[0][2], NOVA_LITE);
    assert_eq!(&rows[0][4..7], ["1000", "10000000", "1000000"]);
    assert_eq!(rows[0][15], "0.84");
    assert_eq!(rows[0][23], "ok");
    // Nova Pro priority tier: $1.40 / $5.60 per 1M → 1.40 + 0.56.
    assert_eq!(rows[1][2], NOVA_PRO_PRIORITY);
    assert_eq!(rows[1][3], "amazon.nova-pro-v1:0");
    assert_eq!(rows[1][15], "1.96");

    let json = report("us-west-2", d1, plus(d2, 1))
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 2);
    assert_eq!(v["totals"]["total_cost_usd"].to_string(), "2.80");
    assert_eq!(v["totals"]["invocations"], 1010);
    assert_eq!(v["rows"][1]["latency_avg_ms"], serde_json::Value::Null);

    // Table format ends with a totals row.
    report("us-west-2", d1, plus(d2, 1))
        .assert()
        .success()
        .stdout(predicate::str::contains("TOTAL").and(predicate::str::contains("$2.80")));
}

#[test]
fn append_is_idempotent_and_replaces_overlapping_days() {
    let d1 = slot_start(11);
    let (d2, d3, d4) = (plus(d1, 1), plus(d1, 2), plus(d1, 3));
    let model = "meta.llama3-1-70b-instruct-v1:0";
    let seed = |day: Date, n: f64| {
        runtime().block_on(async {
            put(
                &client("us-east-1"),
                vec![
                    datum(model, "Invocations", at(day, 0), n),
                    datum(model, "InputTokenCount", at(day, 0), n * 1000.0),
                ],
            )
            .await;
        })
    };
    seed(d1, 1.0);
    seed(d2, 2.0);
    seed(d3, 3.0);
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    let append = |since: Date, until: Date, region: &str| {
        report(region, since, until)
            .arg("--append")
            .arg(&history)
            .assert()
            .success()
            .stderr(predicate::str::contains("history.csv"));
        std::fs::read(&history).unwrap()
    };
    let mine = |bytes: &[u8]| -> Vec<(String, String)> {
        csv_rows(bytes)
            .into_iter()
            .filter(|r| r[2] == model)
            .map(|r| (r[0].clone(), r[4].clone()))
            .collect()
    };

    let first = append(d1, d3, "us-east-1");
    assert_eq!(
        mine(&first),
        vec![(d1.to_string(), "1".into()), (d2.to_string(), "2".into())]
    );
    // Same run again: the same bytes.
    assert_eq!(append(d1, d3, "us-east-1"), first);

    // Late data for d2 arrives; an overlapping run (d2..d4) replaces d2, adds d3.
    seed(d2, 5.0);
    let second = append(d2, d4, "us-east-1");
    assert_eq!(
        mine(&second),
        vec![
            (d1.to_string(), "1".into()),
            (d2.to_string(), "7".into()),
            (d3.to_string(), "3".into()),
        ]
    );
    assert_eq!(append(d2, d4, "us-east-1"), second);
    // A run for another Region leaves us-east-1's rows alone.
    assert_eq!(append(d1, d4, "ap-south-1"), second);
    // Every row appears once.
    let rows = csv_rows(&second);
    let mut keys: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n);

    // --append keeps one row per day × Region × model.
    report("us-east-1", d1, d2)
        .args(["--by", "model", "--append"])
        .arg(&history)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--append"));
}

#[test]
fn an_empty_range_is_a_usage_error() {
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-03-05",
            "--until",
            "2026-03-05",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty range"));
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-03-05",
            "--until",
            "2026-03-01",
        ])
        .assert()
        .code(2);
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-05",
        ])
        .args(["--timezone", "Mars/Olympus_Mons"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("IANA"));
}

#[test]
fn days_without_data_give_an_empty_report() {
    let d = slot_start(12);
    report("ca-central-1", d, plus(d, 2))
        .assert()
        .success()
        .stdout(predicate::str::contains("no Bedrock usage"));
}

#[test]
fn server_down_names_the_endpoint() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-02",
        ])
        .args(["--region", "us-east-1", "--no-progress"])
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "cannot reach CloudWatch at {endpoint}"
        )));
}

/// A local HTTP endpoint that answers each request with the next canned response
/// (status, body) chosen by the request's `Action`, and counts requests.
struct Responder {
    endpoint: String,
    requests: Arc<AtomicUsize>,
    actions: Arc<Mutex<Vec<String>>>,
}

type Answer = fn(action: &str, nth_of_action: usize) -> (u16, String);

impl Responder {
    fn start(answer: Answer) -> Responder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let actions = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (requests.clone(), actions.clone());
        std::thread::spawn(move || {
            // Bounded: a test needs a handful of requests.
            for stream in listener.incoming().take(20).flatten() {
                let body = read_request(&stream);
                let action = body
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("Action="))
                    .unwrap_or("")
                    .to_string();
                count.fetch_add(1, Ordering::SeqCst);
                let nth = {
                    let mut s = seen.lock().unwrap();
                    s.push(action.clone());
                    s.iter().filter(|a| **a == action).count() - 1
                };
                let (status, xml) = answer(&action, nth);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                    xml.len()
                );
            }
        });
        Responder {
            endpoint,
            requests,
            actions,
        }
    }
}

fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    String::from_utf8_lossy(&body).into_owned()
}

fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>6f1c2b8e-test</RequestId></ErrorResponse>"
    )
}

fn run_against(endpoint: &str, attempts: &str) -> assert_cmd::assert::Assert {
    meter()
        .args(["--format", "csv", "report", "daily"])
        .args(["--since", "2026-01-05", "--until", "2026-01-06"])
        .args(["--region", "us-east-1", "--no-progress", "--no-percentiles"])
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_MAX_ATTEMPTS", attempts)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
}

#[test]
fn access_denied_names_the_missing_iam_action() {
    let r = Responder::start(|_, _| {
        (
            403,
            error_xml(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:ListMetrics",
            ),
        )
    });
    run_against(&r.endpoint, "3")
        .code(1)
        .stderr(predicate::str::contains(
            "missing IAM permission cloudwatch:ListMetrics in us-east-1",
        ));
    // Access denied is not retried.
    assert_eq!(r.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn throttling_is_retried_and_never_reaches_the_user() {
    let r = Responder::start(|action, nth| {
        match (action, nth) {
        (_, 0) => (400, error_xml("Throttling", "Rate exceeded")),
        ("ListMetrics", _) => (
            200,
            "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ListMetricsResult><Metrics><member><Namespace>AWS/Bedrock</Namespace><MetricName>Invocations</MetricName><Dimensions><member><Name>ModelId</Name><Value>anthropic.claude-3-haiku-20240307-v1:0</Value></member></Dimensions></member></Metrics></ListMetricsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListMetricsResponse>".to_string(),
        ),
        _ => (
            200,
            "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricDataResult><MetricDataResults><member><Id>q0</Id><Label>Invocations</Label><Timestamps><member>2026-01-05T00:00:00Z</member></Timestamps><Values><member>42.0</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetMetricDataResponse>".to_string(),
        ),
    }
    });
    let out = run_against(&r.endpoint, "3")
        .success()
        .stderr(predicate::str::contains("error").not())
        .get_output()
        .stdout
        .clone();
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "2026-01-05");
    assert_eq!(rows[0][4], "42");
    assert_eq!(
        *r.actions.lock().unwrap(),
        [
            "ListMetrics",
            "ListMetrics",
            "GetMetricData",
            "GetMetricData"
        ]
    );
}

#[test]
fn throttling_that_outlasts_the_retries_says_so() {
    let r = Responder::start(|_, _| (400, error_xml("Throttling", "Rate exceeded")));
    run_against(&r.endpoint, "2")
        .code(1)
        .stderr(predicate::str::contains(
            "kept throttling cloudwatch:ListMetrics",
        ));
    assert_eq!(r.requests.load(Ordering::SeqCst), 2);
}

#[test]
fn missing_credentials_say_how_to_provide_them() {
    let r = Responder::start(|_, _| (500, String::new()));
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-01-05",
            "--until",
            "2026-01-06",
        ])
        .args(["--region", "us-east-1", "--no-progress"])
        .env("AWS_ENDPOINT_URL", &r.endpoint)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no AWS credentials"));
    assert_eq!(r.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn grouping_cloudwatch_by_principal_or_tag_says_where_callers_come_from() {
    for by in ["principal", "day,tag:team"] {
        meter()
            .args([
                "report",
                "daily",
                "--since",
                "2026-03-01",
                "--until",
                "2026-03-02",
            ])
            .args(["--by", by])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("CloudWatch"))
            .stderr(predicate::str::contains("invocation logs"));
    }
    meter()
        .args([
            "report",
            "daily",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-02",
        ])
        .args(["--by", "team"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tag:KEY"));
}
