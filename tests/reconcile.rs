//! `report reconcile` end to end through the binary: Cost Explorer's GetCostAndUsage
//! answered by the moto server `scripts/test.sh` starts (results seeded through
//! `POST /moto-api/static/ce/cost-and-usage-results`) through the real SDK, CloudWatch
//! metrics seeded into moto for the same days, and GetDimensionValues (which moto 5.2.1
//! lacks) answered by a small awsJson1.1 responder that forwards every other Cost Explorer
//! request to moto and records them all.
//!
//! Isolation on a shared server: moto's queue of cost-and-usage results is per account,
//! so each test assumes a role in an account of its own (moto's STS switches account for
//! any role ARN) and seeds, reads CloudWatch and runs the binary with those credentials.
//! No other test sees its results or metrics, and a second run against a long-lived
//! server gets fresh accounts. Days: tests/support slots 17–18.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use aws_config::BehaviorVersion;
use aws_sdk_cloudwatch::config::{Credentials, Region};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const MICRO: &str = "amazon.nova-micro-v1:0";
const LITE: &str = "amazon.nova-lite-v1:0";
const PRO: &str = "amazon.nova-pro-v1:0";
const HAIKU: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
const HAIKU_SERVICE: &str = "Claude 3.5 Haiku (Amazon Bedrock Edition)";
/// On-demand us-east-1 rates of pricing/amazon.toml and pricing/anthropic.toml, $ per 1M.
const MICRO_IN: &str = "0.035";
const MICRO_OUT: &str = "0.14";
const LITE_IN: &str = "0.06";
const PRO_IN: &str = "0.80";
const HAIKU_IN: &str = "0.80";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

/// Credentials of an account of this test run alone.
struct Account {
    id: String,
    key: String,
    secret: String,
    token: String,
}

fn xml_field(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {tag} in {xml}"))
        + open.len();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    xml[start..end].to_string()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Assumes a role in a fresh 12-digit account (moto's STS does not check the role).
fn account(salt: u64) -> Account {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let id = format!(
        "{:012}",
        (nanos ^ (u64::from(std::process::id()) << 20) ^ salt) % 900_000_000_000 + 100_000_000_000
    );
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A{id}%3Arole%2Freconcile&RoleSessionName=reconcile&DurationSeconds=3600"
    );
    let mut resp = agent()
        .post(format!("{}/", support::endpoint()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
        )
        .send(body.as_bytes())
        .unwrap();
    let text = resp.body_mut().read_to_string().unwrap();
    Account {
        id,
        key: xml_field(&text, "AccessKeyId"),
        secret: xml_field(&text, "SecretAccessKey"),
        token: xml_field(&text, "SessionToken"),
    }
}

/// Queues GetCostAndUsage results for `acct` (answered in order, one per distinct request).
fn seed_ce(acct: &Account, results: Vec<Value>) {
    let resp = agent()
        .post(format!(
            "{}/moto-api/static/ce/cost-and-usage-results",
            support::endpoint()
        ))
        .header("content-type", "application/json")
        .send(
            json!({"account_id": acct.id, "results": results})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
}

fn cloudwatch(acct: &Account) -> aws_sdk_cloudwatch::Client {
    let conf = aws_sdk_cloudwatch::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(support::endpoint())
        .credentials_provider(Credentials::new(
            &acct.key,
            &acct.secret,
            Some(acct.token.clone()),
            None,
            "test",
        ))
        .build();
    aws_sdk_cloudwatch::Client::from_conf(conf)
}

/// A Cost Explorer endpoint: GetDimensionValues answered in `pages` (each a list of
/// service names; every page but the last carries a NextPageToken), everything else
/// forwarded to moto. Records `target body` of each request.
fn ce_responder(pages: Vec<Vec<&'static str>>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let moto = support::endpoint();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(200).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0;
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    let k = k.trim().to_ascii_lowercase();
                    if k == "content-length" {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    headers.push((k, v.trim().to_string()));
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let target = headers
                .iter()
                .find(|(k, _)| k == "x-amz-target")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).into_owned();
            log.lock().unwrap().push(format!("{target} {text}"));
            let (status, answer) = if target.ends_with(".GetDimensionValues") {
                let asked: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let page: usize = asked["NextPageToken"]
                    .as_str()
                    .and_then(|t| t.strip_prefix("dv-"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let values: Vec<Value> = pages[page]
                    .iter()
                    .map(|v| json!({"Value": v, "Attributes": {}}))
                    .collect();
                let mut a = json!({"DimensionValues": values, "ReturnSize": values.len(), "TotalSize": values.len()});
                if page + 1 < pages.len() {
                    a["NextPageToken"] = json!(format!("dv-{}", page + 1));
                }
                (200, a.to_string())
            } else {
                let mut req = agent().post(format!("{moto}/"));
                for (k, v) in &headers {
                    if matches!(
                        k.as_str(),
                        "content-type"
                            | "x-amz-target"
                            | "authorization"
                            | "x-amz-date"
                            | "x-amz-security-token"
                    ) {
                        req = req.header(k.as_str(), v.as_str());
                    }
                }
                let mut resp = req.send(&body[..]).unwrap();
                let status = resp.status().as_u16();
                (status, resp.body_mut().read_to_string().unwrap_or_default())
            };
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 {status} OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                )
                .as_bytes(),
            );
        }
    });
    (endpoint, seen)
}

fn metric(cost: &str, qty: &str, unit: &str) -> Value {
    json!({"UnblendedCost": {"Amount": cost, "Unit": "USD"}, "UsageQuantity": {"Amount": qty, "Unit": unit}})
}

fn group(service: &str, key: &str, cost: &str, qty: &str, unit: &str) -> Value {
    json!({"Keys": [service, key], "Metrics": metric(cost, qty, unit)})
}

fn day_result(day: Date, estimated: bool, groups: Vec<Value>) -> Value {
    json!({
        "TimePeriod": {"Start": day.to_string(), "End": support::plus(day, 1).to_string()},
        "Total": {},
        "Groups": groups,
        "Estimated": estimated,
    })
}

fn run(acct: &Account, ce: &str, cache: &std::path::Path, args: &[&str]) -> std::process::Output {
    meter()
        .env("AWS_ENDPOINT_URL", support::endpoint())
        .env("AWS_ENDPOINT_URL_COST_EXPLORER", ce)
        .env("AWS_ACCESS_KEY_ID", &acct.key)
        .env("AWS_SECRET_ACCESS_KEY", &acct.secret)
        .env("AWS_SESSION_TOKEN", &acct.token)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("BEDROCK_METER_CACHE_DIR", cache)
        .args(args)
        .output()
        .unwrap()
}

fn row<'a>(rows: &'a [Value], day: Date, model: &str, dim: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["date"] == day.to_string() && r["model_id"] == model && r["dimension"] == dim)
        .unwrap_or_else(|| panic!("no row {day} {model} {dim} in {rows:#?}"))
}

fn usd(v: &Value) -> Decimal {
    d(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}")))
}

#[test]
fn every_status_paging_call_count_unmapped_usage_types_and_credits() {
    let acct = account(17);
    let day0 = support::slot_start(17);
    let day1 = support::plus(day0, 1);
    let until = support::plus(day0, 2);

    // CloudWatch: what bedrock-meter will estimate from.
    let cw = cloudwatch(&acct);
    support::runtime().block_on(support::put(
        &cw,
        vec![
            support::datum(MICRO, "Invocations", support::at(day0, 0), 100.0),
            support::datum(MICRO, "InputTokenCount", support::at(day0, 0), 10_000_000.0),
            support::datum(MICRO, "OutputTokenCount", support::at(day0, 0), 1_000_000.0),
            support::datum(LITE, "Invocations", support::at(day0, 0), 10.0),
            support::datum(LITE, "InputTokenCount", support::at(day0, 0), 1_000_000.0),
            support::datum(PRO, "Invocations", support::at(day0, 0), 5.0),
            support::datum(PRO, "InputTokenCount", support::at(day0, 0), 1_000_000.0),
            support::datum(HAIKU, "Invocations", support::at(day0, 0), 20.0),
            support::datum(HAIKU, "InputTokenCount", support::at(day0, 0), 2_000_000.0),
            support::datum(MICRO, "Invocations", support::at(day1, 0), 10.0),
            support::datum(MICRO, "InputTokenCount", support::at(day1, 0), 1_000_000.0),
        ],
    ));

    // The bill. Estimates: Micro input 10M × 0.035 = 0.35 (billed 0.35: ok), Micro output
    // 1M × 0.14 = 0.14 (billed 0.12: over), Lite input 1M × 0.06 = 0.06 (billed 0.10:
    // under), Haiku input 2M × 0.80 = 1.60 (billed 1.60 for 2 Marketplace units: ok), Pro
    // input 0.80 with no bill line (metrics-only).
    let micro_in = d("10") * d(MICRO_IN);
    let micro_out = d(MICRO_OUT);
    let lite_in = d(LITE_IN);
    let pro_in = d(PRO_IN);
    let haiku_in = d("2") * d(HAIKU_IN);
    let page1 = json!({
        "ResultsByTime": [day_result(day0, false, vec![
            group("Amazon Bedrock", "USE1-NovaMicro-input-tokens", &micro_in.to_string(), "10000", "1K tokens"),
            group("Amazon Bedrock", "USE1-NovaMicro-output-tokens", "0.12", "1000", "1K tokens"),
            group("Amazon Bedrock", "USE1-NovaLite-input-tokens", "0.10", "1000", "1K tokens"),
            group(HAIKU_SERVICE, "USE1-MP:USE1_InputTokenCount-Units", &haiku_in.to_string(), "2", "Units"),
            group("Amazon Bedrock", "USE1-NovaMicro-ProvisionedThroughput-ModelUnits", "20.00", "1", "Hrs"),
            group("Amazon Bedrock", "USE1-QuantumWidget-sparkles", "1.23", "7", "Units"),
        ])],
        "NextPageToken": "usage-page-2",
        "DimensionValueAttributes": [],
    });
    let page2 = json!({
        "ResultsByTime": [day_result(day1, true, vec![
            group("Amazon Bedrock", "USE1-NovaMicro-input-tokens", "0.035", "1000", "1K tokens"),
        ])],
        "DimensionValueAttributes": [],
    });
    let adjustments = json!({
        "ResultsByTime": [
            day_result(day0, false, vec![group("Amazon Bedrock", "Credit", "-5.00", "0", "N/A")]),
            day_result(day1, true, vec![group(HAIKU_SERVICE, "Tax", "0.16", "0", "N/A")]),
        ],
        "DimensionValueAttributes": [],
    });
    seed_ce(&acct, vec![page1, page2, adjustments]);
    let (ce, seen) = ce_responder(vec![
        vec!["Amazon Bedrock", "Amazon Bedrock AgentCore"],
        vec![HAIKU_SERVICE],
    ]);
    let cache = tempfile::tempdir().unwrap();
    let (since, until_s) = (day0.to_string(), until.to_string());
    let out = run(
        &acct,
        &ce,
        cache.path(),
        &[
            "--format",
            "json",
            "report",
            "reconcile",
            "--since",
            &since,
            "--until",
            &until_s,
            "--region",
            "us-east-1",
            "--no-progress",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("5 call(s) made (2 GetDimensionValues, 3 GetCostAndUsage)"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Requests: 2 GetDimensionValues pages, 2 usage pages (the second with the token), 1
    // adjustments query, filtered to Bedrock's services only.
    let seen = seen.lock().unwrap().clone();
    let dv: Vec<&String> = seen
        .iter()
        .filter(|s| s.contains("GetDimensionValues"))
        .collect();
    let cu: Vec<&String> = seen
        .iter()
        .filter(|s| s.contains("GetCostAndUsage"))
        .collect();
    assert_eq!((dv.len(), cu.len()), (2, 3), "{seen:#?}");
    assert!(dv[1].contains("\"NextPageToken\":\"dv-1\""), "{}", dv[1]);
    assert!(cu[1].contains("usage-page-2"), "{}", cu[1]);
    assert!(
        cu[0].contains("\"DAILY\"")
            && cu[0].contains("USAGE_TYPE")
            && cu[0].contains("UsageQuantity")
    );
    assert!(
        cu[2].contains("RECORD_TYPE") && cu[2].contains("\"Not\""),
        "{}",
        cu[2]
    );
    assert!(
        cu[0].contains(HAIKU_SERVICE) && !cu[0].contains("AgentCore"),
        "{}",
        cu[0]
    );
    assert_eq!(v["calls"]["cost_explorer"], 5);

    let rows = v["rows"].as_array().unwrap();
    let r = row(rows, day0, MICRO, "input-tokens");
    assert_eq!(r["status"], "ok");
    assert_eq!(usd(&r["difference_usd"]), Decimal::ZERO);
    assert_eq!(d(r["billed_quantity"].as_str().unwrap()), d("10000000"));
    assert_eq!(d(r["estimated_quantity"].as_str().unwrap()), d("10000000"));

    let r = row(rows, day0, MICRO, "output-tokens");
    assert_eq!(r["status"], "over");
    let diff = micro_out - d("0.12");
    assert_eq!(usd(&r["difference_usd"]), diff);
    assert_eq!(
        d(r["percent"].as_str().unwrap()),
        (diff / d("0.12") * d("100")).round_dp(2)
    );

    let r = row(rows, day0, LITE, "input-tokens");
    assert_eq!(r["status"], "under");
    assert_eq!(usd(&r["difference_usd"]), lite_in - d("0.10"));
    assert_eq!(d(r["percent"].as_str().unwrap()), d("-40"));

    let r = row(rows, day0, HAIKU, "input-tokens");
    assert_eq!(r["status"], "ok", "{r:#}");
    assert_eq!(d(r["billed_quantity"].as_str().unwrap()), d("2000000"));
    assert_eq!(r["billed_quantity_raw"], "2 Units");

    let r = row(rows, day0, PRO, "input-tokens");
    assert_eq!(r["status"], "metrics-only");
    assert_eq!(usd(&r["estimated_usd"]), pro_in);
    assert!(r["billed_usd"].is_null());

    let r = row(rows, day0, MICRO, "provisioned throughput");
    assert_eq!(r["status"], "billed-only");
    assert_eq!(usd(&r["billed_usd"]), d("20"));

    let unmapped: Vec<&Value> = rows
        .iter()
        .filter(|r| r["status"] == "unmapped usage type")
        .collect();
    assert_eq!(unmapped.len(), 1, "{rows:#?}");
    assert_eq!(unmapped[0]["usage_types"][0], "USE1-QuantumWidget-sparkles");
    assert_eq!(unmapped[0]["region"], "us-east-1");
    assert!(
        unmapped[0]["detail"]
            .as_str()
            .unwrap()
            .contains("QuantumWidget")
    );

    let r = row(rows, day1, MICRO, "input-tokens");
    assert_eq!(r["status"], "not final yet");
    assert!(
        r["detail"].as_str().unwrap().contains("would be ok"),
        "{r:#}"
    );

    // Every status appears.
    let counts = &v["status_counts"];
    for s in [
        "ok",
        "over",
        "under",
        "billed-only",
        "metrics-only",
        "unmapped usage type",
        "not final yet",
    ] {
        assert!(
            counts[s].as_u64().unwrap_or(0) >= 1,
            "{s} missing: {counts}"
        );
    }

    // Totals per day and range; credits and tax apart from usage.
    let billed0 = micro_in + d("0.12") + d("0.10") + haiku_in + d("20") + d("1.23");
    let est0 = micro_in + micro_out + lite_in + pro_in + haiku_in;
    let days = v["days"].as_array().unwrap();
    assert_eq!(usd(&days[0]["billed_usd"]), billed0);
    assert_eq!(usd(&days[0]["estimated_usd"]), est0);
    assert_eq!(usd(&days[0]["difference_usd"]), est0 - billed0);
    assert_eq!(usd(&days[0]["adjustments_usd"]), d("-5"));
    assert_eq!(usd(&days[0]["unmapped_usd"]), d("1.23"));
    assert_eq!(usd(&days[0]["billed_only_usd"]), d("20"));
    assert_eq!(usd(&days[1]["adjustments_usd"]), d("0.16"));
    let t = &v["totals"];
    assert_eq!(usd(&t["billed_usd"]), billed0 + d("0.035"));
    assert_eq!(usd(&t["adjustments_usd"]), d("-4.84"));
    assert_eq!(usd(&t["net_billed_usd"]), billed0 + d("0.035") - d("4.84"));
    assert_eq!(usd(&v["adjustments_by_type"]["Credit"]), d("-5"));
    assert_eq!(usd(&v["adjustments_by_type"]["Tax"]), d("0.16"));
    assert_eq!(v["adjustments"].as_array().unwrap().len(), 2);

    // A range with an Estimated day is not cached: the same run asks again.
    assert!(
        std::fs::read_dir(cache.path())
            .map(|d| d.count())
            .unwrap_or(0)
            == 0
            || std::fs::read_dir(cache.path().join("cost-explorer"))
                .map(|d| d.count())
                .unwrap_or(0)
                == 0
    );

    // The table and CSV forms carry the same statuses and totals.
    let out = run(
        &acct,
        &ce,
        cache.path(),
        &[
            "--format",
            "csv",
            "report",
            "reconcile",
            "--since",
            &since,
            "--until",
            &until_s,
            "--region",
            "us-east-1",
            "--no-progress",
        ],
    );
    assert!(out.status.success());
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("date,region,model_id,dimension,usage_types,billed_usd"),
        "{csv}"
    );
    assert!(
        csv.contains("unmapped usage type") && csv.contains("range total"),
        "{csv}"
    );
}

#[test]
fn a_finished_range_is_cached_and_no_cache_asks_again() {
    let acct = account(18);
    let day0 = support::slot_start(18);
    let until = support::plus(day0, 1);
    let cw = cloudwatch(&acct);
    support::runtime().block_on(support::put(
        &cw,
        vec![
            support::datum(MICRO, "Invocations", support::at(day0, 0), 1.0),
            support::datum(MICRO, "InputTokenCount", support::at(day0, 0), 1_000_000.0),
        ],
    ));
    let usage = json!({
        "ResultsByTime": [day_result(day0, false, vec![
            group("Amazon Bedrock", "USE1-NovaMicro-input-tokens", "0.035", "1000", "1K tokens"),
        ])],
        "DimensionValueAttributes": [],
    });
    let adjustments =
        json!({"ResultsByTime": [day_result(day0, false, vec![])], "DimensionValueAttributes": []});
    seed_ce(&acct, vec![usage, adjustments]);
    let (ce, seen) = ce_responder(vec![vec!["Amazon Bedrock"]]);
    let cache = tempfile::tempdir().unwrap();
    let (since, until_s) = (day0.to_string(), until.to_string());
    let args = [
        "--format",
        "json",
        "report",
        "reconcile",
        "--since",
        &since,
        "--until",
        &until_s,
        "--region",
        "us-east-1",
        "--no-progress",
    ];
    let first: Value =
        serde_json::from_slice(&run(&acct, &ce, cache.path(), &args).stdout).unwrap();
    assert_eq!(first["calls"]["cost_explorer"], 3);
    assert_eq!(first["rows"][0]["status"], "ok", "{first:#}");
    let files: Vec<_> = std::fs::read_dir(cache.path().join("cost-explorer"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);

    let second: Value =
        serde_json::from_slice(&run(&acct, &ce, cache.path(), &args).stdout).unwrap();
    assert_eq!(second["calls"]["cost_explorer"], 0);
    assert_eq!(second["calls"]["cached"], true);
    assert_eq!(second["rows"], first["rows"]);
    assert_eq!(seen.lock().unwrap().len(), 3);

    let mut no_cache = args.to_vec();
    no_cache.push("--no-cache");
    let third: Value =
        serde_json::from_slice(&run(&acct, &ce, cache.path(), &no_cache).stdout).unwrap();
    assert_eq!(third["calls"]["cost_explorer"], 3);
    assert_eq!(seen.lock().unwrap().len(), 6);
    assert_eq!(third["rows"], first["rows"]);
}
