//! `--exact`, `--calibrate`, `tokenizer calibrate` and `--calibration` end to end, through
//! the real SDK against a responder speaking bedrock-runtime's REST-JSON protocol
//! (`POST /model/{modelId}/count-tokens` → `{"inputTokens": N}`). The responder knows the
//! exact count of each test body (by a `MARKn` word in its text), throttles on request,
//! and records every call, so the tests see calls, model IDs, concurrency and retries.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use base64::Engine as _;
use serde_json::{Value, json};

const HAIKU35: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
const HAIKU35_US: &str = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";

/// One recorded call.
#[derive(Debug, Clone)]
struct Call {
    model: String,
    /// `invokeModel` or `converse`.
    kind: String,
    /// The marker number found in the body, if any.
    marker: Option<u64>,
    /// The decoded body text (InvokeModel body, or the Converse input's JSON).
    text: String,
}

#[derive(Default)]
struct State {
    calls: Mutex<Vec<Call>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Attempts seen per marker (for throttling).
    attempts: Mutex<HashMap<u64, u32>>,
}

/// How the responder answers.
#[derive(Clone, Default)]
struct Script {
    /// Exact count per marker; bodies without a known marker get 1000 + marker (or 7).
    counts: HashMap<u64, u64>,
    /// Answer the first N attempts of each body with ThrottlingException.
    throttle_first: u32,
    /// Hold each answer this long, so that concurrent calls overlap.
    hold_ms: u64,
}

struct Responder {
    endpoint: String,
    state: Arc<State>,
}

impl Responder {
    fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }
}

fn marker(text: &str) -> Option<u64> {
    let at = text.find("MARK")?;
    let digits: String = text[at + 4..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn answer(stream: &mut std::net::TcpStream, status: &str, headers: &str, body: &str) {
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

fn handle(mut stream: std::net::TcpStream, state: &State, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
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
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let Some(model) = path
        .strip_prefix("/model/")
        .and_then(|p| p.strip_suffix("/count-tokens"))
    else {
        answer(
            &mut stream,
            "404 Not Found",
            "",
            "{\"message\":\"unexpected path\"}",
        );
        return;
    };
    let model = percent_decode(model);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let (kind, text) = if let Some(b) = v["input"]["invokeModel"]["body"].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b).unwrap();
        ("invokeModel", String::from_utf8(bytes).unwrap())
    } else {
        ("converse", v["input"]["converse"].to_string())
    };
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    if script.hold_ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(script.hold_ms));
    }
    let mark = marker(&text);
    state.calls.lock().unwrap().push(Call {
        model: model.clone(),
        kind: kind.to_string(),
        marker: mark,
        text: text.clone(),
    });
    let attempt = {
        let mut a = state.attempts.lock().unwrap();
        let n = a.entry(mark.unwrap_or(u64::MAX)).or_insert(0);
        *n += 1;
        *n
    };
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    if attempt <= script.throttle_first {
        answer(
            &mut stream,
            "429 Too Many Requests",
            "x-amzn-errortype: ThrottlingException\r\n",
            "{\"message\":\"Too many requests, please wait before trying again.\"}",
        );
        return;
    }
    if !model.starts_with("anthropic.") || text.contains("REFUSE") {
        answer(
            &mut stream,
            "400 Bad Request",
            "x-amzn-errortype: ValidationException\r\n",
            "{\"message\":\"The provided model doesn't support counting tokens.\"}",
        );
        return;
    }
    let n = match mark {
        Some(m) => script.counts.get(&m).copied().unwrap_or(1000 + m),
        None => 7,
    };
    answer(
        &mut stream,
        "200 OK",
        "",
        &json!({"inputTokens": n}).to_string(),
    );
}

fn responder(script: Script) -> Responder {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(State::default());
    let st = state.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(5000).flatten() {
            let (st, script) = (st.clone(), script.clone());
            std::thread::spawn(move || handle(stream, &st, &script));
        }
    });
    Responder { endpoint, state }
}

/// The binary pointed at `endpoint` with test credentials and its own answer cache.
fn meter(endpoint: &str, cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("BEDROCK_METER_CACHE_DIR", cache);
    c
}

fn json_of(c: &mut Command) -> Value {
    let out = c.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

/// A batch file of `n` Anthropic Messages records; record i says `MARKi` and has
/// i-dependent length.
fn batch_file(dir: &Path, n: u64) -> std::path::PathBuf {
    let mut text = String::new();
    for i in 1..=n {
        let words = "lorem ipsum dolor sit amet ".repeat((i % 9 + 1) as usize);
        let rec = json!({"recordId": format!("R{i}"), "modelInput": {
            "anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
            "messages": [{"role": "user", "content": format!("MARK{i} {words}")}]}});
        text.push_str(&rec.to_string());
        text.push('\n');
    }
    let p = dir.join("batch.jsonl");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn count_exact_maps_profile_ids_to_the_bare_model() {
    let r = responder(Script {
        counts: HashMap::from([(1, 42)]),
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format", "json", "count", "--exact", "--model", HAIKU35_US,
            ])
            .arg("MARK1 How many tokens is this?"),
    );
    assert_eq!(v["tokens"], 42);
    assert_eq!(v["exact"], true);
    assert_eq!(v["source"], "count-tokens");
    assert!(v["error_band"].is_null());
    let calls = r.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].model, HAIKU35, "profile IDs go to the bare model");
    assert_eq!(calls[0].kind, "converse");
    assert!(calls[0].text.contains("How many tokens is this?"));
    // The table says where the count came from.
    let table = meter(&r.endpoint, dir.path())
        .args(["count", "--exact", "--no-cache", "--model", HAIKU35])
        .arg("MARK1 How many tokens is this?")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&table).contains("yes (count-tokens)"));
}

#[test]
fn estimate_exact_counts_every_record_in_pages_within_the_concurrency_limit() {
    let r = responder(Script {
        hold_ms: 30,
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let n = 300; // more than one page of 256
    let f = batch_file(dir.path(), n);
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format", "json", "estimate", "--model", HAIKU35, "--exact",
            ])
            .args(["--concurrency", "3", "--rate", "10000", "--batch"])
            .arg(&f),
    );
    let calls = r.calls();
    assert_eq!(calls.len() as u64, n, "one call per record");
    assert!(
        calls
            .iter()
            .all(|c| c.kind == "invokeModel" && c.model == HAIKU35)
    );
    let mut marks: Vec<u64> = calls.iter().filter_map(|c| c.marker).collect();
    marks.sort();
    assert_eq!(marks, (1..=n).collect::<Vec<_>>(), "every record once");
    let expected: u64 = (1..=n).map(|i| 1000 + i).sum();
    assert_eq!(v["input_tokens"]["total"], expected);
    assert_eq!(v["input_tokens"]["exact"], true);
    assert_eq!(v["input_tokens"]["source"], "count-tokens");
    assert_eq!(v["count_tokens"]["calls"], n);
    let max = r.state.max_in_flight.load(Ordering::SeqCst);
    assert!(max <= 3, "at most 3 in flight, saw {max}");
    assert!(max >= 2, "calls overlap, saw {max}");
}

#[test]
fn throttled_calls_are_retried_then_reported() {
    let r = responder(Script {
        throttle_first: 1,
        counts: HashMap::from([(5, 55)]),
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format",
                "json",
                "count",
                "--exact",
                "--max-attempts",
                "3",
            ])
            .args(["--model", HAIKU35, "MARK5 retried"]),
    );
    assert_eq!(v["tokens"], 55);
    assert_eq!(r.calls().len(), 2, "one throttled attempt, one answer");

    let r = responder(Script {
        throttle_first: 5,
        ..Script::default()
    });
    let out = meter(&r.endpoint, dir.path())
        .args([
            "count",
            "--exact",
            "--max-attempts",
            "2",
            "--model",
            HAIKU35,
            "MARK6 x",
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("kept throttling bedrock:CountTokens"), "{err}");
    assert_eq!(r.calls().len(), 2);
}

#[test]
fn a_rerun_makes_no_calls() {
    let r = responder(Script::default());
    let dir = tempfile::tempdir().unwrap();
    let f = batch_file(dir.path(), 12);
    let run = |extra: &[&str]| {
        json_of(
            meter(&r.endpoint, dir.path())
                .args([
                    "--format", "json", "estimate", "--model", HAIKU35, "--exact", "--batch",
                ])
                .arg(&f)
                .args(extra),
        )
    };
    let first = run(&[]);
    assert_eq!(r.calls().len(), 12);
    let second = run(&[]);
    assert_eq!(r.calls().len(), 12, "the re-run is answered from the cache");
    assert_eq!(second["count_tokens"]["calls"], 0);
    assert_eq!(second["count_tokens"]["cached"], 12);
    assert_eq!(first["input_tokens"], second["input_tokens"]);
    run(&["--no-cache"]);
    assert_eq!(r.calls().len(), 24, "--no-cache asks again");
    assert!(dir.path().join("count-tokens").is_dir());
}

#[test]
fn an_unsupported_model_is_a_clear_error_and_auto_falls_back() {
    let r = responder(Script::default());
    let dir = tempfile::tempdir().unwrap();
    let out = meter(&r.endpoint, dir.path())
        .args(["count", "--exact", "--model", NOVA_LITE, "MARK1 hi"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("amazon.nova-lite-v1:0 is not a model Bedrock CountTokens counts for"),
        "{err}"
    );
    assert!(err.contains("--exact=auto"), "{err}");
    let v = json_of(meter(&r.endpoint, dir.path()).args([
        "--format",
        "json",
        "count",
        "--exact=auto",
        "--model",
        NOVA_LITE,
        "MARK1 hi",
    ]));
    assert_eq!(v["exact"], false);
    assert_eq!(v["source"], "local");
    assert!(v["error_band"]["plus_pct"].as_f64().unwrap() > 0.0);
    assert_eq!(r.calls().len(), 0, "no call for an unsupported model");
}

#[test]
fn missing_credentials_name_bedrock_count_tokens() {
    let r = responder(Script::default());
    let dir = tempfile::tempdir().unwrap();
    let no_credentials = |c: &mut Command| {
        c.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_MAX_ATTEMPTS", "1");
    };
    let mut c = meter(&r.endpoint, dir.path());
    no_credentials(&mut c);
    let out = c
        .args(["count", "--exact", "--model", HAIKU35, "MARK1 hi"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("bedrock:CountTokens"), "{err}");
    assert!(err.contains("no AWS credentials"), "{err}");
    let mut c = meter(&r.endpoint, dir.path());
    no_credentials(&mut c);
    let v = json_of(c.args([
        "--format",
        "json",
        "count",
        "--exact=auto",
        "--model",
        HAIKU35,
        "MARK1 hi",
    ]));
    assert_eq!(v["source"], "local");
    assert_eq!(v["exact"], false);
    assert_eq!(r.calls().len(), 0);
}

#[test]
fn converse_bodies_are_sent_as_typed_converse_input() {
    let r = responder(Script::default());
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("req.json");
    std::fs::write(
        &body,
        json!({
            "system": [{"text": "MARK9 You classify tickets."}, {"cachePoint": {"type": "default"}}],
            "messages": [{"role": "user", "content": [{"text": "Charged twice."}]}],
            "toolConfig": {"tools": [{"toolSpec": {"name": "set_category", "inputSchema": {"json": {"type": "object"}}}}]},
            "inferenceConfig": {"maxTokens": 50}
        })
        .to_string(),
    )
    .unwrap();
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format", "json", "estimate", "--model", HAIKU35, "--exact", "-f",
            ])
            .arg(&body),
    );
    assert_eq!(v["input_tokens"]["total"], 1009);
    assert_eq!(v["input_tokens"]["source"], "count-tokens");
    let calls = r.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].kind, "converse");
    let sent: Value = serde_json::from_str(&calls[0].text).unwrap();
    assert_eq!(sent["messages"][0]["content"][0]["text"], "Charged twice.");
    assert_eq!(sent["system"][1]["cachePoint"]["type"], "default");
    assert_eq!(
        sent["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "set_category"
    );
    assert!(sent.get("inferenceConfig").is_none());
}

/// Local per-record input tokens of a batch file, by line.
fn local_counts(endpoint: &str, dir: &Path, f: &Path) -> Vec<u64> {
    let csv = dir.join("local.csv");
    meter(endpoint, dir)
        .args([
            "--format", "json", "estimate", "--model", HAIKU35, "--batch",
        ])
        .arg(f)
        .arg("--per-record")
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "input_tokens").unwrap();
    lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect()
}

fn measured(pairs: &[(u64, u64)]) -> (f64, f64, f64, f64) {
    let r: Vec<f64> = pairs.iter().map(|(l, e)| *e as f64 / *l as f64).collect();
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / r.len() as f64).sqrt();
    let min = r.iter().copied().fold(f64::MAX, f64::min);
    let max = r.iter().copied().fold(f64::MIN, f64::max);
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    (
        mean,
        sd,
        round1((1.0 - min / mean) * 100.0),
        round1((max / mean - 1.0) * 100.0),
    )
}

#[test]
fn calibration_measures_the_ratio_and_band_the_test_computes() {
    let dir = tempfile::tempdir().unwrap();
    let n = 40;
    let f = batch_file(dir.path(), n);
    let probe = responder(Script::default());
    let local = local_counts(&probe.endpoint, dir.path(), &f);
    assert_eq!(local.len() as u64, n);
    // Exact = local × (1.00 + 0.03 × (i mod 5)): ratios 1.00 … 1.12.
    let exact: Vec<u64> = local
        .iter()
        .enumerate()
        .map(|(i, l)| (*l as f64 * (1.0 + 0.03 * ((i + 1) % 5) as f64)).round() as u64)
        .collect();
    let counts: HashMap<u64, u64> = (1..=n).map(|i| (i, exact[(i - 1) as usize])).collect();
    let r = responder(Script {
        counts,
        ..Script::default()
    });
    let sample = 12;
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format",
                "json",
                "estimate",
                "--model",
                HAIKU35,
                "--output-ratio",
                "0.5",
            ])
            .args([
                "--calibrate",
                &sample.to_string(),
                "--seed",
                "5",
                "--rate",
                "10000",
                "--batch",
            ])
            .arg(&f),
    );
    let calls = r.calls();
    assert_eq!(calls.len(), sample, "N calls for N sampled records");
    let picked: Vec<usize> = calls
        .iter()
        .map(|c| c.marker.unwrap() as usize - 1)
        .collect();
    let pairs: Vec<(u64, u64)> = picked.iter().map(|&i| (local[i], exact[i])).collect();
    let (mean, sd, minus, plus) = measured(&pairs);
    let cal = &v["calibration"];
    assert!(
        (cal["ratio_mean"].as_f64().unwrap() - mean).abs() < 1e-9,
        "{cal}"
    );
    assert!(
        (cal["ratio_sd"].as_f64().unwrap() - sd).abs() < 1e-9,
        "{cal}"
    );
    assert_eq!(cal["error_band"]["minus_pct"].as_f64().unwrap(), minus);
    assert_eq!(cal["error_band"]["plus_pct"].as_f64().unwrap(), plus);
    assert_eq!(cal["error_band"]["measured"], true);
    assert_eq!(cal["sample"], sample);
    let local_total: u64 = local.iter().sum();
    let (ls, es): (u64, u64) = pairs.iter().fold((0, 0), |a, p| (a.0 + p.0, a.1 + p.1));
    let expected = (es as f64 + mean * (local_total - ls) as f64).round() as u64;
    assert_eq!(v["input_tokens"]["total"], expected);
    assert_eq!(v["input_tokens"]["source"], "local-calibrated");
    // The same seed draws the same sample.
    let again = responder(Script::default());
    meter(&again.endpoint, dir.path())
        .args([
            "--format",
            "json",
            "estimate",
            "--model",
            HAIKU35,
            "--no-cache",
        ])
        .args([
            "--calibrate",
            &sample.to_string(),
            "--seed",
            "5",
            "--rate",
            "10000",
            "--batch",
        ])
        .arg(&f)
        .assert()
        .success();
    let mut a: Vec<u64> = again.calls().iter().filter_map(|c| c.marker).collect();
    let mut b: Vec<u64> = calls.iter().filter_map(|c| c.marker).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn a_calibration_file_is_written_and_used_by_later_runs() {
    let dir = tempfile::tempdir().unwrap();
    let f = batch_file(dir.path(), 20);
    let probe = responder(Script::default());
    let local = local_counts(&probe.endpoint, dir.path(), &f);
    // Every record: exact = 1.25 × local.
    let counts: HashMap<u64, u64> = (1..=20u64)
        .map(|i| (i, (local[(i - 1) as usize] as f64 * 1.25).round() as u64))
        .collect();
    let r = responder(Script {
        counts,
        ..Script::default()
    });
    let cal = dir.path().join("cal.toml");
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format",
                "json",
                "tokenizer",
                "calibrate",
                "--model",
                HAIKU35,
            ])
            .arg(&f)
            .args(["--sample", "100", "--rate", "10000", "--write"])
            .arg(&cal),
    );
    assert_eq!(r.calls().len(), 20);
    assert_eq!(v["measurement"]["sample"], 20);
    let mean = v["measurement"]["ratio_mean"].as_f64().unwrap();
    assert!((mean - 1.25).abs() < 0.01, "{mean}");
    let text = std::fs::read_to_string(&cal).unwrap();
    assert!(
        text.contains("model = \"anthropic.claude-3-5-haiku-20241022-v1:0\""),
        "{text}"
    );
    assert!(text.contains("sample = 20"), "{text}");
    assert!(text.contains("date = "), "{text}");

    // A later run scales its local count by the file's ratio, with no call.
    let before = r.calls().len();
    let local_one = json_of(meter(&r.endpoint, dir.path()).args([
        "--format",
        "json",
        "count",
        "--model",
        HAIKU35,
        "some words to count",
    ]));
    let scaled = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format",
                "json",
                "count",
                "--model",
                HAIKU35,
                "--calibration",
            ])
            .arg(&cal)
            .arg("some words to count"),
    );
    let l = local_one["tokens"].as_u64().unwrap();
    assert_eq!(scaled["tokens"], (l as f64 * mean).round() as u64);
    assert_eq!(scaled["source"], "local-calibrated");
    assert_eq!(scaled["error_band"]["measured"], true);
    let est = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format",
                "json",
                "estimate",
                "--model",
                HAIKU35,
                "--calibration",
            ])
            .arg(&cal)
            .arg("--batch")
            .arg(&f),
    );
    let local_total: u64 = local.iter().sum();
    assert_eq!(
        est["input_tokens"]["total"],
        (local_total as f64 * mean).round() as u64
    );
    assert_eq!(r.calls().len(), before, "a calibration file needs no call");

    // A file for another tokenizer family is refused.
    let out = meter(&r.endpoint, dir.path())
        .args(["count", "--model", NOVA_LITE, "--calibration"])
        .arg(&cal)
        .arg("x")
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("measured for tokenizer family `claude`"));
}

#[test]
fn a_body_count_tokens_refuses_is_a_bad_record_and_the_rest_go_on() {
    let r = responder(Script::default());
    let dir = tempfile::tempdir().unwrap();
    let f = batch_file(dir.path(), 5);
    let mut text = std::fs::read_to_string(&f).unwrap();
    text = text.replace("MARK3 ", "MARK3 REFUSE ");
    std::fs::write(&f, text).unwrap();
    let v = json_of(
        meter(&r.endpoint, dir.path())
            .args([
                "--format", "json", "estimate", "--model", HAIKU35, "--exact", "--batch",
            ])
            .arg(&f),
    );
    assert_eq!(v["records"]["ok"], 4);
    assert_eq!(v["records"]["failed"], 1);
    let reason = v["records"]["bad"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("line 3"), "{reason}");
    assert!(reason.contains("CountTokens"), "{reason}");
    assert!(
        reason.contains("doesn't support counting tokens"),
        "{reason}"
    );
    assert_eq!(v["input_tokens"]["total"], 1001 + 1002 + 1004 + 1005);
    let out = meter(&r.endpoint, dir.path())
        .args([
            "estimate", "--model", HAIKU35, "--exact", "--strict", "--batch",
        ])
        .arg(&f)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn exact_with_known_counts_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = meter("http://127.0.0.1:9", dir.path())
        .args([
            "estimate",
            "--model",
            HAIKU35,
            "--input-tokens",
            "5",
            "--exact",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("--exact and --calibration count request inputs"),
        "{err}"
    );
}
