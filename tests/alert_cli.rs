//! `bedrock-meter alert check` and `alert alarms` end to end against the moto server:
//! metrics seeded in this file's own Regions (eu-north-1, eu-south-2, ap-east-1), alerts
//! read back from an SQS queue subscribed to the SNS topic and from a webhook server in the
//! test. The catalog has no prices in these Regions: an override file (`--pricing`) gives
//! Nova Lite round prices there ($1 input, $4 output per 1M tokens), so 10M input tokens
//! are $10.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use jiff::ToSpan;
use jiff::civil::Date;
use support::{at, client, datum, put, runtime, slot_start};

const LITE: &str = "amazon.nova-lite-v1:0";
const MICRO: &str = "amazon.nova-micro-v1:0";

const PRICES: &str = r#"
schema = 1
provider = "amazon"

[[models]]
id = "amazon.nova-lite-v1:0"
prices = [
  { mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1.00", regions = ["eu-north-1", "eu-south-2", "ap-east-1"], effective = "2024-01-01", source = "test prices" },
  { mode = "on-demand", dimension = "output-tokens", unit = "1M tokens", usd = "4.00", regions = ["eu-north-1", "eu-south-2", "ap-east-1"], effective = "2024-01-01", source = "test prices" },
]

[[models]]
id = "amazon.nova-micro-v1:0"
prices = [
  { mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "0.50", regions = ["ap-east-1"], effective = "2024-01-01", source = "test prices" },
  { mode = "on-demand", dimension = "output-tokens", unit = "1M tokens", usd = "2.00", regions = ["ap-east-1"], effective = "2024-01-01", source = "test prices" },
]
"#;

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(budgets: &str) -> Files {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("prices.toml"), PRICES).unwrap();
        std::fs::write(dir.path().join("budgets.toml"), budgets).unwrap();
        Files { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn state(&self) -> PathBuf {
        self.path("state.json")
    }
}

fn meter(files: &Files) -> Command {
    support::endpoint();
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_ALIASES")
        .env_remove("BEDROCK_METER_ALERT_STATE")
        .arg("--pricing")
        .arg(files.path("prices.toml"));
    c
}

fn check(files: &Files, when: &str) -> Command {
    let mut c = meter(files);
    c.args(["--format", "json", "alert", "check", "--no-progress"])
        .arg("--budgets")
        .arg(files.path("budgets.toml"))
        .arg("--state")
        .arg(files.state())
        .args(["--at", when]);
    c
}

/// Daily spend on Nova Lite: `usd` dollars of input tokens at noon UTC of `day`.
async fn spend(region: &str, day: Date, usd: u64) {
    put(
        &client(region),
        vec![
            datum(LITE, "Invocations", at(day, 0), 10.0),
            datum(
                LITE,
                "InputTokenCount",
                at(day, 0),
                (usd * 1_000_000) as f64,
            ),
        ],
    )
    .await;
}

fn first_of_month(d: Date) -> Date {
    d.first_of_month()
}

/// A webhook server: answers 200 after `delay`, records every body.
#[derive(Clone)]
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Hook {
    fn start(delay: Duration) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/services/T000/B000/secret-token",
            listener.local_addr().unwrap()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut len = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end().to_ascii_lowercase();
                        if l.is_empty() {
                            break;
                        }
                        if let Some(v) = l.strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).unwrap();
                    seen.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                    std::thread::sleep(delay);
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    );
                });
            }
        });
        Hook { url, bodies }
    }

    fn texts(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| b["text"].as_str().unwrap().to_string())
            .collect()
    }
}

/// An SNS topic in `region` with an SQS queue subscribed; returns (topic ARN, queue URL).
async fn topic_with_queue(region: &str, name: &str) -> (String, String) {
    use aws_sdk_sns::config::{Credentials, Region};
    let creds = Credentials::new("testing", "testing", None, None, "test");
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::Config::builder()
            .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(support::endpoint())
            .credentials_provider(creds.clone())
            .build(),
    );
    let topic = sns
        .create_topic()
        .name(name)
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    let sqs = sqs_client(region);
    let queue = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(arn)
        .send()
        .await
        .unwrap();
    (topic, queue)
}

fn sqs_client(region: &str) -> aws_sdk_sqs::Client {
    use aws_sdk_sqs::config::{Credentials, Region};
    aws_sdk_sqs::Client::from_conf(
        aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(support::endpoint())
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .build(),
    )
}

/// The SNS messages waiting in the queue (the SNS envelope's `Message`), deleted once read.
async fn drain(region: &str, queue: &str) -> Vec<String> {
    let sqs = sqs_client(region);
    let mut out = Vec::new();
    loop {
        let r = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let msgs = r.messages();
        if msgs.is_empty() {
            return out;
        }
        for m in msgs {
            let envelope: serde_json::Value = serde_json::from_str(m.body().unwrap()).unwrap();
            assert_eq!(envelope["Type"], "Notification");
            assert!(
                envelope["Subject"]
                    .as_str()
                    .unwrap()
                    .starts_with("bedrock-meter: ")
            );
            out.push(envelope["Message"].as_str().unwrap().to_string());
            sqs.delete_message()
                .queue_url(queue)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn evening(day: Date) -> String {
    format!("{day}T20:00:00Z")
}

#[test]
fn thresholds_alert_once_on_sns_and_webhook_and_a_new_month_rearms() {
    let region = "eu-north-1";
    let m = first_of_month(slot_start(13));
    let next = m.checked_add(1.month()).unwrap();
    let hook = Hook::start(Duration::ZERO);
    let (topic, queue) = runtime().block_on(topic_with_queue(region, "alert-cli-thresholds"));
    let files = Files::new(&format!(
        r#"
[channels.ops]
type = "sns"
topic_arn = "{topic}"
[channels.hook]
type = "webhook"
url_env = "ALERT_TEST_HOOK"
retries = 0
[[budget]]
name = "lite-monthly"
period = "month"
amount_usd = 100
channels = ["ops", "hook"]
models = ["amazon.nova-lite*"]
regions = ["{region}"]
"#
    ));
    let run = |when: String, code: i32| -> serde_json::Value {
        let out = check(&files, &when)
            .env("ALERT_TEST_HOOK", &hook.url)
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        json_of(&out)
    };
    // $30 + $25 = $55: 50% crossed.
    runtime().block_on(async {
        spend(region, m, 30).await;
        spend(region, m.tomorrow().unwrap(), 25).await;
    });
    let day2 = m.tomorrow().unwrap();
    let j = run(evening(day2), 3);
    assert_eq!(j["budgets"][0]["spent_usd"], "55.00");
    assert_eq!(j["budgets"][0]["percent"], "55.0");
    assert_eq!(j["alerts"].as_array().unwrap().len(), 2, "{j}");
    let sns = runtime().block_on(drain(region, &queue));
    assert_eq!(sns.len(), 1, "{sns:?}");
    assert!(
        sns[0].contains("has reached 50% of its budget: spent $55.00 of $100.00"),
        "{}",
        sns[0]
    );
    assert!(
        sns[0].contains("Top models: amazon.nova-lite-v1:0 $55.00"),
        "{}",
        sns[0]
    );
    assert_eq!(hook.texts(), sns, "the webhook's text is the SNS message");
    let body = hook.bodies.lock().unwrap()[0].clone();
    assert_eq!(body["threshold_percent"], 50);
    assert_eq!(body["kind"], "actual");
    assert_eq!(
        body["period_key"],
        format!("{:04}-{:02}", m.year(), m.month())
    );

    // Again: nothing new.
    let j = run(evening(day2), 0);
    assert!(j["alerts"].as_array().unwrap().is_empty(), "{j}");
    assert!(runtime().block_on(drain(region, &queue)).is_empty());
    assert_eq!(hook.texts().len(), 1);

    // $30 more: 85%, the 80% threshold fires, once.
    let day3 = day2.tomorrow().unwrap();
    runtime().block_on(spend(region, day3, 30));
    run(evening(day3), 3);
    let sns = runtime().block_on(drain(region, &queue));
    assert_eq!(sns.len(), 1);
    assert!(sns[0].contains("has reached 80%"), "{}", sns[0]);
    assert_eq!(hook.texts().len(), 2);
    run(evening(day3), 0);

    // Next month: re-armed. Nothing spent yet: no alert; $60 on its first day: 50% again.
    let j = run(format!("{next}T01:00:00Z"), 0);
    assert_eq!(j["budgets"][0]["spent_usd"], "0.00");
    runtime().block_on(spend(region, next, 60));
    run(evening(next), 3);
    let sns = runtime().block_on(drain(region, &queue));
    assert_eq!(sns.len(), 1);
    assert!(
        sns[0].contains("has reached 50%") && sns[0].contains("$60.00"),
        "{}",
        sns[0]
    );
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(files.state()).unwrap()).unwrap();
    let keys: Vec<&String> = state["alerts"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
}

/// A month of synthetic spend, checked every evening: the day-by-day table (spend,
/// forecast, alerts) is printed (`cargo test --test alert_cli month -- --nocapture`).
#[test]
fn a_month_of_spend_forecast_alerts_come_before_actual_crossings() {
    let region = "eu-south-2";
    let m = first_of_month(slot_start(14));
    let days = {
        let mut n = 0;
        let mut d = m;
        while d.month() == m.month() {
            n += 1;
            d = d.tomorrow().unwrap();
        }
        n
    };
    // Weekdays $10, weekends $4, from day 15 a launch: +$4 a day.
    let mut plan = Vec::new();
    for i in 0..days {
        let d = m.checked_add(i.days()).unwrap();
        let weekend = matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        let base: u64 = if weekend { 4 } else { 10 };
        let ramp: u64 = if i >= 14 { 4 * (i as u64 - 13) } else { 0 };
        plan.push((d, base + ramp));
    }
    runtime().block_on(async {
        for (d, usd) in &plan {
            spend(region, *d, *usd).await;
        }
    });
    let files = Files::new(&format!(
        r#"
[channels.console]
type = "stdout"
[[budget]]
name = "month-of-spend"
period = "month"
amount_usd = 400
forecast = true
channels = ["console"]
regions = ["{region}"]
"#
    ));
    let mut first_fired: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0;
    eprintln!("day         spend  cumulative  forecast  alerts fired that evening");
    for (i, (d, usd)) in plan.iter().enumerate() {
        total += usd;
        let out = check(&files, &format!("{d}T23:00:00Z")).output().unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 3,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        // The stdout channel prints ALERT lines before the JSON document.
        let json_start = text.find('{').unwrap();
        let alert_lines: Vec<&str> = text[..json_start].lines().collect();
        let j: serde_json::Value = serde_json::from_str(&text[json_start..]).unwrap();
        let b = &j["budgets"][0];
        assert_eq!(b["spent_usd"], format!("{total}.00"), "day {d}");
        let fired: Vec<String> = j["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{} {}%",
                    a["kind"].as_str().unwrap(),
                    a["threshold_percent"]
                )
            })
            .collect();
        assert_eq!(code == 3, !fired.is_empty());
        for f in &fired {
            assert!(
                first_fired.insert(f.clone(), i + 1).is_none(),
                "{f} fired twice"
            );
        }
        assert_eq!(alert_lines.len(), fired.len(), "one ALERT line per alert");
        eprintln!(
            "{d}  {usd:>5}  {total:>10}  {:>8}  {}",
            b["forecast_usd"].as_str().unwrap_or("-"),
            fired.join(", ")
        );
        for l in alert_lines {
            eprintln!("            {l}");
        }
    }
    eprintln!("first day of each alert: {first_fired:?}");
    for t in ["actual 50%", "actual 80%", "actual 100%", "forecast 100%"] {
        assert!(
            first_fired.contains_key(t),
            "{t} never fired: {first_fired:?}"
        );
    }
    assert!(first_fired["actual 50%"] < first_fired["actual 80%"]);
    assert!(first_fired["actual 80%"] < first_fired["actual 100%"]);
    assert!(
        first_fired["forecast 100%"] < first_fired["actual 100%"],
        "the forecast must warn before the budget is spent: {first_fired:?}"
    );
}

#[test]
fn a_failed_webhook_is_not_marked_sent_and_is_retried() {
    let region = "ap-east-1";
    let m = first_of_month(slot_start(15));
    runtime().block_on(spend(region, m, 8));
    let files = Files::new(&format!(
        r#"
[channels.hook]
type = "webhook"
url_env = "ALERT_TEST_HOOK"
retries = 1
backoff_ms = 10
timeout_secs = 2
[[budget]]
name = "retry-me"
period = "month"
amount_usd = 10
thresholds = [50]
channels = ["hook"]
regions = ["{region}"]
"#
    ));
    // A port nobody listens on.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://{}/services/T0/B0/very-secret-token",
            l.local_addr().unwrap()
        )
    };
    let out = check(&files, &evening(m))
        .env("ALERT_TEST_HOOK", &dead)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("channel `hook`: webhook at host 127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("after 2 attempt(s)"), "{err}");
    assert!(
        !err.contains("very-secret-token")
            && !String::from_utf8_lossy(&out.stdout).contains("very-secret-token"),
        "{err}"
    );
    assert!(
        !files.state().exists(),
        "nothing delivered, nothing recorded"
    );
    // The webhook is back: the same alert goes out now.
    let hook = Hook::start(Duration::ZERO);
    check(&files, &evening(m))
        .env("ALERT_TEST_HOOK", &hook.url)
        .assert()
        .code(3);
    assert_eq!(hook.texts().len(), 1);
    assert!(hook.texts()[0].contains("has reached 50%"));
    check(&files, &evening(m))
        .env("ALERT_TEST_HOOK", &hook.url)
        .assert()
        .code(0);
    // --dry-run reports what would fire without sending or writing.
    let before = std::fs::read(files.state()).unwrap();
    let mut c = check(&files, &evening(m));
    c.arg("--dry-run").env("ALERT_TEST_HOOK", &hook.url);
    let m2 = m.checked_add(1.month()).unwrap();
    runtime().block_on(spend(region, m2, 9));
    check(&files, &evening(m2))
        .arg("--dry-run")
        .env("ALERT_TEST_HOOK", &hook.url)
        .assert()
        .code(3);
    assert_eq!(hook.texts().len(), 1, "--dry-run sent nothing");
    assert_eq!(
        std::fs::read(files.state()).unwrap(),
        before,
        "--dry-run wrote nothing"
    );
}

#[test]
fn kill_9_in_the_middle_of_a_run_leaves_the_old_or_the_new_state() {
    let region = "ap-east-1";
    let m = first_of_month(slot_start(16));
    runtime().block_on(spend(region, m, 20));
    let fast = Hook::start(Duration::ZERO);
    let slow = Hook::start(Duration::from_secs(60));
    let files = Files::new(&format!(
        r#"
[channels.fast]
type = "webhook"
url_env = "FAST_HOOK"
[channels.slow]
type = "webhook"
url_env = "SLOW_HOOK"
timeout_secs = 120
[[budget]]
name = "kill-me"
period = "month"
amount_usd = 10
thresholds = [100]
channels = ["fast", "slow"]
regions = ["{region}"]
"#
    ));
    let old = r#"{"version": 1, "alerts": {"older|2026-01|actual|50": {"channels": ["fast"], "first_sent": "2026-01-02T00:00:00Z", "period_end": "2099-02-01T00:00:00Z", "spent_usd": "5"}}}"#;
    std::fs::write(files.state(), old).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("bedrock-meter");
    let mut child = std::process::Command::new(bin)
        .arg("--pricing")
        .arg(files.path("prices.toml"))
        .args(["alert", "check", "--no-progress", "--budgets"])
        .arg(files.path("budgets.toml"))
        .arg("--state")
        .arg(files.state())
        .args(["--at", &evening(m)])
        .env("FAST_HOOK", &fast.url)
        .env("SLOW_HOOK", &slow.url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the slow webhook holds the run (the fast one was delivered before it).
    for _ in 0..600 {
        if !slow.texts().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        slow.texts().len(),
        1,
        "the run never reached the slow webhook"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let text = std::fs::read_to_string(files.state()).unwrap();
    let state: serde_json::Value =
        serde_json::from_str(&text).expect("the state file is never torn");
    let alerts = state["alerts"].as_object().unwrap();
    assert!(
        alerts.contains_key("older|2026-01|actual|50"),
        "old entries survive: {text}"
    );
    let period = format!("{:04}-{:02}", m.year(), m.month());
    let key = format!("kill-me|{period}|actual|100");
    // The fast delivery finished before the kill, so its record is there — and only fast's.
    assert_eq!(
        alerts[&key]["channels"],
        serde_json::json!(["fast"]),
        "{text}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(files.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".bedrock-meter-")
        })
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

/// A tiny evaluator for the expressions `alert alarms` emits:
/// `(FILL(mN,0)*C+FILL(mN,0)*C…)/1000000`.
fn evaluate(expr: &str, values: &std::collections::HashMap<String, f64>) -> f64 {
    let inner = expr
        .strip_prefix('(')
        .and_then(|e| e.strip_suffix(")/1000000"))
        .unwrap_or_else(|| panic!("unexpected expression shape: {expr}"));
    let mut sum = 0.0;
    for term in inner.split('+') {
        let (fill, coef) = term.split_once('*').unwrap();
        let id = fill
            .strip_prefix("FILL(")
            .and_then(|f| f.strip_suffix(",0)"))
            .unwrap_or_else(|| panic!("unexpected term: {term}"));
        let c: f64 = coef.parse().unwrap();
        sum += values.get(id).copied().unwrap_or(0.0) * c;
    }
    sum / 1_000_000.0
}

#[test]
fn alarms_apply_creates_metric_math_that_computes_dollars() {
    let region = "ap-east-1";
    let d = slot_start(16);
    runtime().block_on(async {
        put(
            &client(region),
            vec![
                datum(LITE, "InputTokenCount", at(d, 0), 1.0),
                datum(LITE, "OutputTokenCount", at(d, 0), 1.0),
                datum(MICRO, "InputTokenCount", at(d, 0), 1.0),
                datum(MICRO, "OutputTokenCount", at(d, 0), 1.0),
            ],
        )
        .await;
    });
    let (topic, _) = runtime().block_on(topic_with_queue(region, "alert-cli-alarms"));
    let files = Files::new(&format!(
        r#"
[channels.ops]
type = "sns"
topic_arn = "{topic}"
[[budget]]
name = "alarm-test"
period = "month"
amount_usd = 365
channels = ["ops"]
models = ["amazon.nova-lite*", "amazon.nova-micro*"]
regions = ["{region}"]
"#
    ));
    let out = meter(&files)
        .args([
            "--format",
            "json",
            "alert",
            "alarms",
            "--apply",
            "--budgets",
        ])
        .arg(files.path("budgets.toml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed = json_of(&out);
    assert_eq!(printed["applied"], true);
    let described = runtime().block_on(async {
        client(region)
            .describe_alarms()
            .alarm_name_prefix("bedrock-meter-alarm-test-")
            .send()
            .await
            .unwrap()
    });
    let alarms = described.metric_alarms();
    assert_eq!(alarms.len(), 1);
    let a = &alarms[0];
    assert_eq!(a.alarm_name(), Some("bedrock-meter-alarm-test-ap-east-1"));
    // A month budget alarms on its daily pro-rata: 365 × 12 / 365 = $12 in 24 hours.
    assert_eq!(a.threshold(), Some(12.0));
    assert_eq!(a.alarm_actions(), std::slice::from_ref(&topic));
    let metrics = a.metrics();
    let expr = metrics
        .iter()
        .find(|q| q.return_data() == Some(true))
        .and_then(|q| q.expression())
        .unwrap()
        .to_string();
    // Known token counts per (model, metric): Lite 2M in / 0.5M out, Micro 10M in / 1M out.
    let counts = |model: &str, metric: &str| -> f64 {
        match (model, metric) {
            (LITE, "InputTokenCount") => 2_000_000.0,
            (LITE, "OutputTokenCount") => 500_000.0,
            (MICRO, "InputTokenCount") => 10_000_000.0,
            (MICRO, "OutputTokenCount") => 1_000_000.0,
            _ => 0.0,
        }
    };
    let mut values = std::collections::HashMap::new();
    for q in metrics.iter().filter(|q| q.metric_stat().is_some()) {
        let s = q.metric_stat().unwrap();
        assert_eq!(s.period(), Some(86_400));
        assert_eq!(s.stat(), Some("Sum"));
        let m = s.metric().unwrap();
        assert_eq!(m.namespace(), Some("AWS/Bedrock"));
        let model = m.dimensions()[0].value().unwrap();
        values.insert(
            q.id().unwrap().to_string(),
            counts(model, m.metric_name().unwrap()),
        );
    }
    assert_eq!(values.len(), 4, "{expr}");
    // Lite: 2 × $1 + 0.5 × $4 = $4; Micro: 10 × $0.50 + 1 × $2 = $7.
    let usd = evaluate(&expr, &values);
    assert!((usd - 11.0).abs() < 1e-9, "{expr} gave {usd}");
    // Only Lite input: $2.
    let only: std::collections::HashMap<String, f64> = values
        .iter()
        .map(|(k, v)| (k.clone(), if *v == 2_000_000.0 { *v } else { 0.0 }))
        .collect();
    assert!((evaluate(&expr, &only) - 2.0).abs() < 1e-9);
    // The CloudFormation form carries the same expression.
    let yaml = meter(&files)
        .args(["alert", "alarms", "--cloudformation", "--budgets"])
        .arg(files.path("budgets.toml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let yaml = String::from_utf8(yaml).unwrap();
    assert!(yaml.contains(&format!("Expression: \"{expr}\"")), "{yaml}");
}

/// `alert watch`: a round, SIGTERM, a clean exit; a restart does not repeat the alert.
#[test]
fn watch_stops_on_sigterm_and_does_not_repeat_across_restarts() {
    use std::sync::mpsc;
    let region = "eu-south-2";
    // watch runs as of now: the spend is today's (this Region is this file's own).
    let now = jiff::Timestamp::now().as_second();
    runtime().block_on(put(
        &client(region),
        vec![
            datum(
                MICRO,
                "InputTokenCount",
                aws_sdk_cloudwatch::primitives::DateTime::from_secs(now - 120),
                1.0,
            ),
            datum(
                LITE,
                "InputTokenCount",
                aws_sdk_cloudwatch::primitives::DateTime::from_secs(now - 120),
                5_000_000.0,
            ),
        ],
    ));
    let hook = Hook::start(Duration::ZERO);
    let files = Files::new(&format!(
        r#"
[channels.hook]
type = "webhook"
url_env = "WATCH_HOOK"
[[budget]]
name = "watched"
period = "day"
amount_usd = 1
thresholds = [100]
channels = ["hook"]
models = ["amazon.nova-lite*"]
regions = ["{region}"]
"#
    ));
    let bin = assert_cmd::cargo::cargo_bin("bedrock-meter");
    let run = || {
        let mut child = std::process::Command::new(&bin)
            .arg("--pricing")
            .arg(files.path("prices.toml"))
            .args([
                "alert",
                "watch",
                "--interval",
                "10s",
                "--no-progress",
                "--budgets",
            ])
            .arg(files.path("budgets.toml"))
            .arg("--state")
            .arg(files.state())
            .env("WATCH_HOOK", &hook.url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a first round");
        assert!(first.contains("round 1"), "{first}");
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let mut rest = Vec::new();
        while let Ok(l) = rx.recv_timeout(Duration::from_secs(20)) {
            rest.push(l);
        }
        let status = child.wait().unwrap();
        (first, rest.join("\n"), status.code())
    };
    let (first, rest, code) = run();
    assert!(first.contains("1 alert(s) sent"), "{first}");
    assert!(rest.contains("SIGTERM: stopping"), "{rest}");
    assert_eq!(code, Some(0));
    let (first, _, code) = run();
    assert!(first.contains("0 alert(s) sent"), "{first}");
    assert_eq!(code, Some(0));
    assert_eq!(hook.texts().len(), 1, "{:?}", hook.texts());
}
