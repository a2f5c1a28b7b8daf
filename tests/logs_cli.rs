//! `report chargeback` / `report daily` over model-invocation logs from AWS, end to end
//! through the binary against the moto server `scripts/test.sh` starts: the same delivered
//! files read from a local folder, from an `s3://` prefix, from a CloudWatch Logs group and
//! from the destination Bedrock's logging configuration names must give the same rows;
//! `--check-cloudwatch` compares the logs with seeded CloudWatch metrics; the Logs Insights
//! engine's call path runs (moto does not compute `stats`); and `aliases sync` against a
//! small REST-JSON responder (moto has no inference profiles) writes the profile → model
//! alias and tags that a chargeback by team then uses.
//!
//! Each test owns its bucket, log group, Region or days (CloudWatch slots 22 and up).

mod support;

use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use assert_cmd::Command;
use aws_config::BehaviorVersion;
use aws_sdk_s3::primitives::ByteStream;
use flate2::Compression;
use flate2::write::GzEncoder;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const ACCT: &str = "111122223333";
const SONNET_G: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU35: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

/// A name of this test run alone (a long-lived server keeps earlier runs' data).
fn unique(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

fn alice() -> String {
    format!("arn:aws:iam::{ACCT}:user/alice")
}

fn session(name: &str) -> String {
    format!("arn:aws:sts::{ACCT}:assumed-role/batch-runner/{name}")
}

/// One InvokeModel record with Anthropic's body: envelope counts and the 5 m / 1 h split.
/// `tokens`: input, output, cache read, 5-minute writes, 1-hour writes.
fn record(
    id: &str,
    time: Timestamp,
    region: &str,
    who: &str,
    model: &str,
    team: Option<&str>,
    tokens: [u64; 5],
) -> Value {
    let [input, output, read, w5, w1] = tokens;
    let mut r = json!({
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": time.to_string(),
        "accountId": ACCT,
        "identity": {"arn": who},
        "region": region,
        "requestId": id,
        "operation": "InvokeModel",
        "modelId": model,
        "input": {
            "inputContentType": "application/json",
            "inputTokenCount": input,
            "cacheReadInputTokenCount": read,
            "cacheWriteInputTokenCount": w5 + w1,
        },
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "type": "message",
                "usage": {
                    "input_tokens": input,
                    "output_tokens": output,
                    "cache_read_input_tokens": read,
                    "cache_creation_input_tokens": w5 + w1,
                    "cache_creation": {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1},
                },
            },
            "outputTokenCount": output,
        },
    });
    if let Some(t) = team {
        r["requestMetadata"] = json!({"team": t});
    }
    r
}

fn noon(day: Date, minutes: i64) -> Timestamp {
    day.to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .checked_add((12 * 60 + minutes).minutes())
        .unwrap()
}

/// Records over `days` in `regions` (the first two at least): two principals, two teams,
/// three models, 1-hour cache writes.
fn records(tag: &str, days: &[Date], regions: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    for (d, day) in days.iter().enumerate() {
        for (r, region) in regions.iter().enumerate() {
            let n = (d * 10 + r) as u64;
            let id = |k: &str| format!("{tag}-{d}-{r}-{k}");
            out.push(record(
                &id("a"),
                noon(*day, 0),
                region,
                &alice(),
                SONNET_G,
                Some("search"),
                [1800 + n, 420, 12_000, 3000, 5000 + n],
            ));
            out.push(record(
                &id("b"),
                noon(*day, 75),
                region,
                &session("session-a"),
                HAIKU35,
                Some("ads"),
                [5000, 900 + n, 100, 2000, 0],
            ));
            out.push(record(
                &id("c"),
                noon(*day, 130),
                region,
                &session("session-b"),
                NOVA_LITE,
                None,
                [1200 + n, 300, 0, 0, 0],
            ));
        }
    }
    out
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// The records as delivered files: one gzipped JSON Lines file per Region × hour, under
/// `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/`. Returns the
/// relative keys and bytes, and writes them under `dir`.
fn deliver(dir: &Path, recs: &[Value]) -> Vec<(String, Vec<u8>)> {
    let mut files: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in recs {
        let t = r["timestamp"].as_str().unwrap();
        let (y, mo, d, h) = (&t[0..4], &t[5..7], &t[8..10], &t[11..13]);
        let key = format!(
            "AWSLogs/{ACCT}/BedrockModelInvocationLogs/{}/{y}/{mo}/{d}/{h}/{y}{mo}{d}T{h}00Z_part.json.gz",
            r["region"].as_str().unwrap()
        );
        files.entry(key).or_default().push(r.to_string());
    }
    files
        .into_iter()
        .map(|(k, lines)| {
            let bytes = gzip(&(lines.join("\n") + "\n"));
            let p = dir.join(&k);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &bytes).unwrap();
            (k, bytes)
        })
        .collect()
}

fn s3_client() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(support::endpoint())
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn upload(bucket: &str, prefix: &str, files: &[(String, Vec<u8>)]) {
    support::runtime().block_on(async {
        let c = s3_client();
        c.create_bucket().bucket(bucket).send().await.unwrap();
        for (k, bytes) in files {
            c.put_object()
                .bucket(bucket)
                .key(format!("{prefix}{k}"))
                .body(ByteStream::from(bytes.clone()))
                .send()
                .await
                .unwrap_or_else(|e| panic!("PutObject {k}: {e:?}"));
        }
    });
}

fn logs_client(region: &str) -> aws_sdk_cloudwatchlogs::Client {
    use aws_sdk_cloudwatchlogs::config::{Credentials, Region};
    let conf = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(support::endpoint())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(conf)
}

/// Puts `(ms, message)` events, in time order, into one stream of a new `group`.
fn put_events(region: &str, group: &str, mut events: Vec<(i64, String)>) {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    events.sort();
    support::runtime().block_on(async {
        let c = logs_client(region);
        c.create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
        c.create_log_stream()
            .log_group_name(group)
            .log_stream_name("s")
            .send()
            .await
            .unwrap();
        let resp = c
            .put_log_events()
            .log_group_name(group)
            .log_stream_name("s")
            .set_log_events(Some(
                events
                    .iter()
                    .map(|(t, m)| {
                        InputLogEvent::builder()
                            .timestamp(*t)
                            .message(m)
                            .build()
                            .unwrap()
                    })
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
        assert!(resp.rejected_log_events_info().is_none(), "{resp:?}");
    });
}

fn events_of(recs: &[Value]) -> Vec<(i64, String)> {
    recs.iter()
        .map(|r| {
            let t: Timestamp = r["timestamp"].as_str().unwrap().parse().unwrap();
            (t.as_millisecond(), r.to_string())
        })
        .collect()
}

/// Runs `--format json ARGS…` and parses stdout.
fn json_run(args: &[&str]) -> Value {
    support::endpoint();
    let out = meter()
        .args(["--format", "json"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// Recent days (CloudWatch Logs refuses events older than 14 days).
fn recent_day(days_ago: i64) -> Date {
    Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_sub(days_ago.days())
        .unwrap()
}

fn assert_same_rows(got: &Value, want: &Value) {
    assert!(
        !want["rows"].as_array().unwrap().is_empty(),
        "the local run found rows"
    );
    assert_eq!(got["rows"], want["rows"]);
    assert_eq!(got["totals"], want["totals"]);
}

#[test]
fn an_s3_prefix_gives_the_rows_of_the_same_files_read_locally() {
    let dir = tempfile::tempdir().unwrap();
    let days = [Date::constant(2025, 11, 3), Date::constant(2025, 11, 17)];
    let recs = records("s3", &days, &["us-east-1", "us-west-2"]);
    let files = deliver(dir.path(), &recs);
    let bucket = unique("chargeback-s3");
    upload(&bucket, "prod/", &files);

    let d = dir.path().to_str().unwrap();
    let local = json_run(&["report", "chargeback", "--month", "2025-11", "--logs", d]);
    let uri = format!("s3://{bucket}/prod");
    let s3 = json_run(&["report", "chargeback", "--month", "2025-11", "--logs", &uri]);
    assert_same_rows(&s3, &local);
    assert_eq!(local["rows"].as_array().unwrap().len(), 3);
    let s = &s3["sources"]["s3"][0];
    assert_eq!(s["uri"], uri.as_str());
    assert_eq!(s["objects_fetched"], files.len());
    assert_eq!(s3["sources"]["kept"], recs.len());
    // The same by team.
    let local_t = json_run(&[
        "report",
        "chargeback",
        "--month",
        "2025-11",
        "--by",
        "tag:team",
        "--logs",
        d,
    ]);
    let s3_t = json_run(&[
        "report",
        "chargeback",
        "--month",
        "2025-11",
        "--by",
        "tag:team",
        "--logs",
        &uri,
    ]);
    assert_same_rows(&s3_t, &local_t);
}

#[test]
fn a_log_group_gives_the_rows_of_the_same_records_read_locally() {
    let region = "eu-west-2";
    let group = format!("/bedrock-meter/{}", unique("chargeback-group"));
    let days = [recent_day(3), recent_day(2)];
    let recs = records("group", &days, &["us-east-1", "us-west-2"]);
    let dir = tempfile::tempdir().unwrap();
    deliver(dir.path(), &recs);
    let mut events = events_of(&recs);
    events.push((noon(days[0], 1).as_millisecond(), "not JSON at all".into()));
    put_events(region, &group, events);

    let (since, until) = (
        days[0].to_string(),
        (days[1].tomorrow().unwrap()).to_string(),
    );
    let range = ["--since", since.as_str(), "--until", until.as_str()];
    let d = dir.path().to_str().unwrap();
    let local = json_run(&[&["report", "chargeback", "--logs", d][..], &range].concat());
    let cw = json_run(
        &[
            &[
                "report",
                "chargeback",
                "--log-group",
                &group,
                "--region",
                region,
            ][..],
            &range,
        ]
        .concat(),
    );
    assert_same_rows(&cw, &local);
    let g = &cw["sources"]["log_groups"][0];
    assert_eq!(g["log_group"], group.as_str());
    assert_eq!(g["region"], region);
    assert_eq!(g["events"], recs.len() + 1);
    assert_eq!(cw["sources"]["bad_lines"], 1);
    let problem = cw["sources"]["problems"][0].as_str().unwrap();
    assert!(
        problem.contains(&group) && problem.contains("not valid JSON"),
        "{problem}"
    );
}

#[test]
fn with_neither_flag_the_logging_configuration_names_the_destination() {
    use aws_sdk_bedrock::types::{LoggingConfig, S3Config};
    let (on, off) = ("us-west-2", "sa-east-1");
    let dir = tempfile::tempdir().unwrap();
    let days = [Date::constant(2025, 12, 4), Date::constant(2025, 12, 30)];
    // A Region's configuration delivers that Region's records.
    let recs = records("disc", &days, &[on]);
    let files = deliver(dir.path(), &recs);
    let bucket = unique("chargeback-disc");
    upload(&bucket, "org/", &files);
    support::runtime().block_on(async {
        let conf = aws_sdk_bedrock::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_bedrock::config::Region::new(on))
            .endpoint_url(support::endpoint())
            .credentials_provider(aws_sdk_bedrock::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .build();
        aws_sdk_bedrock::Client::from_conf(conf)
            .put_model_invocation_logging_configuration()
            .logging_config(
                LoggingConfig::builder()
                    .s3_config(
                        S3Config::builder()
                            .bucket_name(&bucket)
                            .key_prefix("org")
                            .build()
                            .unwrap(),
                    )
                    .text_data_delivery_enabled(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    let d = dir.path().to_str().unwrap();
    let local = json_run(&["report", "chargeback", "--month", "2025-12", "--logs", d]);
    let found = json_run(&["report", "chargeback", "--month", "2025-12", "--region", on]);
    assert_same_rows(&found, &local);
    let disc = &found["sources"]["discovered"];
    assert_eq!(disc.as_array().unwrap().len(), 1, "{disc}");
    assert_eq!(disc[0]["region"], on);
    assert_eq!(disc[0]["s3"], format!("s3://{bucket}/org/").as_str());
    assert_eq!(found["sources"]["kept"], recs.len());

    let out = meter()
        .args([
            "report",
            "chargeback",
            "--month",
            "2025-12",
            "--region",
            off,
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("logging is off in {off}")), "{err}");
    assert!(err.contains("report governance --apportion-cost"), "{err}");
}

#[test]
fn check_cloudwatch_lists_exactly_the_series_that_differ() {
    use support::{at, client, datum, put, runtime, slot_start};
    let region = "ap-southeast-1";
    let day = slot_start(22);
    let t = Timestamp::from_second(at(day, 0).secs()).unwrap();
    // Nova Lite: logs and CloudWatch agree; Haiku: the logs have 10% more tokens.
    let recs = vec![
        record(
            "cc-1",
            t,
            region,
            &alice(),
            NOVA_LITE,
            None,
            [700, 100, 0, 0, 0],
        ),
        record(
            "cc-2",
            t,
            region,
            &alice(),
            NOVA_LITE,
            None,
            [300, 100, 0, 0, 0],
        ),
        record(
            "cc-3",
            t,
            region,
            &alice(),
            HAIKU35,
            None,
            [1000, 100, 0, 0, 0],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    deliver(dir.path(), &recs);
    runtime().block_on(put(
        &client(region),
        vec![
            datum(NOVA_LITE, "Invocations", at(day, 0), 2.0),
            datum(NOVA_LITE, "InputTokenCount", at(day, 0), 1000.0),
            datum(NOVA_LITE, "OutputTokenCount", at(day, 0), 200.0),
            datum(HAIKU35, "Invocations", at(day, 0), 1.0),
            datum(HAIKU35, "InputTokenCount", at(day, 0), 900.0),
            datum(HAIKU35, "OutputTokenCount", at(day, 0), 100.0),
        ],
    ));
    let (since, until) = (day.to_string(), day.tomorrow().unwrap().to_string());
    let doc = json_run(&[
        "report",
        "daily",
        "--no-progress",
        "--since",
        &since,
        "--until",
        &until,
        "--region",
        region,
        "--check-cloudwatch",
        "--logs",
        dir.path().to_str().unwrap(),
    ]);
    let checks: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|n| n.starts_with("check:"))
        .collect();
    // Logs 1100 tokens, CloudWatch 1000: +10%.
    assert_eq!(
        checks,
        [format!(
            "check: {day} {region} {HAIKU35}: invocation logs 1100 tokens, CloudWatch 1000 (+10%)"
        )],
        "{doc:#}"
    );
}

#[test]
fn the_logs_insights_engine_runs_its_queries_and_reports_unreadable_rows() {
    let region = "eu-south-1";
    let group = format!("/bedrock-meter/{}", unique("chargeback-insights"));
    let day = recent_day(2);
    let recs = vec![record(
        "ins-1",
        noon(day, 0),
        "us-east-1",
        &alice(),
        HAIKU35,
        Some("ads"),
        [1000, 100, 0, 0, 0],
    )];
    put_events(region, &group, events_of(&recs));
    let (since, until) = (day.to_string(), day.tomorrow().unwrap().to_string());
    let args = [
        "report",
        "chargeback",
        "--since",
        &since,
        "--until",
        &until,
        "--by",
        "tag:team",
        "--log-group",
        &group,
        "--region",
        region,
        "--engine",
        "logs-insights",
    ];
    let doc = json_run(&args);
    let s = &doc["sources"];
    assert_eq!(s["engine"], "logs-insights");
    let q = &s["queries"][0];
    assert_eq!(q["log_group"], group.as_str());
    assert_eq!(q["region"], region);
    // moto completes the queries at once but does not compute `stats … by bin(1d)`: it hands
    // back the raw record for each of the two queries, and neither row has a day. Both are
    // reported; nothing is invented.
    assert_eq!(
        (q["rows"].as_u64(), q["error_rows"].as_u64()),
        (Some(0), Some(0))
    );
    let problems = q["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{q}");
    for p in problems {
        assert!(p.as_str().unwrap().contains("field day: missing"), "{p}");
    }
    assert_eq!(doc["rows"], json!([]));
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("2 Logs Insights result row(s) could not be read"),
        "{notes}"
    );
    assert!(
        notes.contains("1-hour cache writes are priced at the 5-minute rate"),
        "{notes}"
    );

    // --strict stops at the first unreadable row.
    let out = meter()
        .args(args)
        .arg("--strict")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Logs Insights result row 1: field day: missing"),
        "{err}"
    );
}

// --- aliases sync: a REST-JSON responder (moto has no inference profiles) -------------------

const PROFILE_ARN: &str =
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/chatbot01";

/// Serves `GET /inference-profiles` (one application profile on Claude 3.5 Haiku) and
/// `POST /listTagsForResource` (team = platform); returns the endpoint and the request
/// lines seen.
fn profiles_responder() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(50).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
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
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8_lossy(&body).into_owned();
            let line = request_line.trim().to_string();
            log.lock().unwrap().push(format!("{line} {body}"));
            let answer = if line.starts_with("GET /inference-profiles?") {
                json!({"inferenceProfileSummaries": [{
                    "inferenceProfileName": "chatbot",
                    "inferenceProfileArn": PROFILE_ARN,
                    "inferenceProfileId": "chatbot01",
                    "models": [{"modelArn": format!("arn:aws:bedrock:us-east-1::foundation-model/{HAIKU35}")}],
                    "status": "ACTIVE",
                    "type": "APPLICATION",
                }]})
            } else if line.starts_with("POST /listTagsForResource ") {
                json!({"tags": [{"key": "team", "value": "platform"}, {"key": "cost-center", "value": "cc-7"}]})
            } else {
                json!({"message": format!("unexpected {line}")})
            };
            let text = answer.to_string();
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                )
                .as_bytes(),
            );
        }
    });
    (endpoint, seen)
}

#[test]
fn synced_profiles_give_logs_their_model_and_team() {
    let (endpoint, seen) = profiles_responder();
    let dir = tempfile::tempdir().unwrap();
    let aliases = dir.path().join("aliases.toml");
    meter()
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args([
            "aliases",
            "sync",
            "--region",
            "us-east-1",
            "--max-attempts",
            "1",
            "-o",
        ])
        .arg(&aliases)
        .assert()
        .success();
    let text = std::fs::read_to_string(&aliases).unwrap();
    assert!(
        text.contains(&format!("\"{PROFILE_ARN}\" = \"{HAIKU35}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("[tags.\"{PROFILE_ARN}\"]")),
        "{text}"
    );
    assert!(text.contains("\"team\" = \"platform\""), "{text}");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("GET /inference-profiles?") && l.contains("type=APPLICATION")),
        "{seen:?}"
    );

    // Calls through the profile: two untagged ones take the profile's team; one whose
    // caller tagged it keeps the caller's.
    let day = Date::constant(2026, 2, 10);
    let logs = dir.path().join("logs");
    let calls = [
        ("p1", None, [4000u64, 800, 0, 0, 0]),
        ("p2", None, [2500, 300, 10_000, 1200, 0]),
        ("p3", Some("research"), [1000, 100, 0, 0, 0]),
    ];
    let recs: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (id, team, tokens))| {
            record(
                id,
                noon(day, i as i64),
                "us-east-1",
                &alice(),
                PROFILE_ARN,
                *team,
                *tokens,
            )
        })
        .collect();
    deliver(&logs, &recs);
    let out = meter()
        .arg("--aliases")
        .arg(&aliases)
        .args([
            "--format",
            "json",
            "report",
            "chargeback",
            "--by",
            "tag:team",
        ])
        .args(["--since", "2026-02-01", "--until", "2026-03-01", "--logs"])
        .arg(&logs)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    // pricing/anthropic.toml, "anthropic.claude-3-5-haiku-20241022-v1:0", on-demand per 1M:
    // input 0.80, output 4.00, cache read 0.08, cache write 5m 1.00.
    let cost = |t: &[u64; 5]| {
        (Decimal::from(t[0]) * Decimal::from_str("0.80").unwrap()
            + Decimal::from(t[1]) * Decimal::from(4)
            + Decimal::from(t[2]) * Decimal::from_str("0.08").unwrap()
            + Decimal::from(t[3]))
            / Decimal::from(1_000_000)
    };
    let platform = cost(&calls[0].2) + cost(&calls[1].2);
    let research = cost(&calls[2].2);
    let rows: Vec<(String, Decimal, u64, String, String)> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                Decimal::from_str(&r["total_cost_usd"].to_string()).unwrap(),
                r["invocations"].as_u64().unwrap(),
                r["resolved_model"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("platform".into(), platform, 2, HAIKU35.into(), "ok".into()),
            ("research".into(), research, 1, HAIKU35.into(), "ok".into()),
        ],
        "{doc:#}"
    );
    assert_eq!(doc["complete"], true);
}
