//! `report batch-jobs` and `estimate --job` end to end, through the real SDK: Bedrock's job
//! APIs (ListModelInvocationJobs, GetModelInvocationJob) come from a responder speaking
//! Bedrock's REST-JSON protocol (moto lacks them), the jobs' inputs and manifests from the
//! moto server's S3 (`scripts/test.sh` starts it).
//!
//! The responder serves two pages of us-east-1 jobs (completed, running, completed without
//! a manifest, partially completed through an inference profile, failed with a malformed
//! manifest, and one submitted before the range) and one us-east-2 job (a Region without
//! a batch price). The test sets each manifest's counts and computes the expected cost and
//! differences itself from the catalog's batch rates.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// pricing/anthropic.toml, Claude 3 Haiku, batch, per 1K tokens (us-east-1).
const BATCH_IN_PER_1K: &str = "0.000125";
const BATCH_OUT_PER_1K: &str = "0.000625";
const ACCOUNT: &str = "111122223333";

fn arn(region: &str, id: &str) -> String {
    format!("arn:aws:bedrock:{region}:{ACCOUNT}:model-invocation-job/{id}")
}

fn seeding_client() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-2"))
        .endpoint_url(support::endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn bucket_name(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "bm-batch-{test}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000
    )
}

fn records(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            json!({
                "recordId": format!("{prefix}{i:04}"),
                "modelInput": {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 300,
                    "messages": [{"role": "user", "content": format!("Translate note {i} of {prefix} into French: the meeting moves to Thursday at {} o'clock.", 9 + i % 5)}],
                }
            })
            .to_string()
                + "\n"
        })
        .collect()
}

fn manifest(total: u64, ok: u64, failed: u64, input: u64, output: u64) -> Vec<u8> {
    json!({
        "totalRecordCount": total,
        "processedRecordCount": ok + failed,
        "successRecordCount": ok,
        "errorRecordCount": failed,
        "inputTokenCount": input,
        "outputTokenCount": output,
    })
    .to_string()
    .into_bytes()
}

/// Seeds inputs and manifests; returns the bucket.
fn seed(test: &str) -> String {
    let bucket = bucket_name(test);
    let objects: Vec<(String, Vec<u8>)> = vec![
        ("in/alpha/part-1.jsonl".into(), records("A", 30).into_bytes()),
        ("in/alpha/part-2.jsonl".into(), records("B", 20).into_bytes()),
        ("in/beta.jsonl".into(), records("C", 5).into_bytes()),
        ("in/gamma/x.jsonl".into(), records("D", 4).into_bytes()),
        ("in/delta/x.jsonl".into(), records("E", 10).into_bytes()),
        ("in/epsilon/x.jsonl".into(), records("F", 2).into_bytes()),
        ("in/zeta/x.jsonl".into(), records("G", 3).into_bytes()),
        (
            "out/alpha01/manifest.json.out".into(),
            manifest(50, 49, 1, 2_000, 4_100),
        ),
        (
            "out/delta04/manifest.json.out".into(),
            manifest(10, 6, 4, 500, 700),
        ),
        (
            "out/epsilon05/manifest.json.out".into(),
            br#"{"totalRecordCount": 2, "processedRecordCount": 2, "successRecordCount": 0, "errorRecordCount": 2, "inputTokenCount": "many"}"#.to_vec(),
        ),
        (
            "out/zeta06/manifest.json.out".into(),
            manifest(3, 3, 0, 90, 120),
        ),
    ];
    support::runtime().block_on(async {
        let client = seeding_client();
        client
            .create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::UsEast2)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        for (key, body) in objects {
            client
                .put_object()
                .bucket(&bucket)
                .key(&key)
                .body(ByteStream::from(body))
                .send()
                .await
                .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
        }
    });
    bucket
}

/// A job as Bedrock's REST-JSON protocol returns it.
fn job(
    bucket: &str,
    region: &str,
    id: &str,
    name: &str,
    model: &str,
    status: &str,
    submitted: &str,
) -> Value {
    json!({
        "jobArn": arn(region, id),
        "jobName": name,
        "modelId": model,
        "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/batch"),
        "status": status,
        "submitTime": submitted,
        "lastModifiedTime": submitted,
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": format!("s3://{bucket}/in/{name}{}", if name == "beta" { ".jsonl" } else { "/" }), "s3InputFormat": "JSONL"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": format!("s3://{bucket}/out/")}},
    })
}

fn pages(bucket: &str, region: &str) -> (Vec<Value>, Vec<Value>) {
    if region == "us-east-2" {
        return (
            vec![job(
                bucket,
                region,
                "zeta06",
                "zeta",
                HAIKU,
                "Completed",
                "2026-11-03T10:00:00Z",
            )],
            Vec::new(),
        );
    }
    let profile_arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}");
    (
        vec![
            job(
                bucket,
                region,
                "alpha01",
                "alpha",
                HAIKU,
                "Completed",
                "2026-11-20T08:00:00Z",
            ),
            job(
                bucket,
                region,
                "beta02",
                "beta",
                &profile_arn,
                "InProgress",
                "2026-11-19T08:00:00Z",
            ),
            job(
                bucket,
                region,
                "gamma03",
                "gamma",
                HAIKU,
                "Completed",
                "2026-11-18T08:00:00Z",
            ),
        ],
        vec![
            job(
                bucket,
                region,
                "delta04",
                "delta",
                &format!("us.{HAIKU}"),
                "PartiallyCompleted",
                "2026-11-10T08:00:00Z",
            ),
            job(
                bucket,
                region,
                "epsilon05",
                "epsilon",
                HAIKU,
                "Failed",
                "2026-11-05T08:00:00Z",
            ),
            // Before --since: the API filters by time, the reader checks it again.
            job(
                bucket,
                region,
                "old07",
                "old",
                HAIKU,
                "Completed",
                "2026-10-15T08:00:00Z",
            ),
        ],
    )
}

type Seen = Arc<Mutex<Vec<String>>>;

/// Serves ListModelInvocationJobs (two pages per Region, the Region read from the request's
/// signature) and GetModelInvocationJob; returns the endpoint and the request lines seen
/// (`REGION METHOD PATH`).
fn bedrock_responder(bucket: &str) -> (String, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let bucket = bucket.to_string();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(100).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap_or(0);
            let (mut length, mut region) = (0, String::from("?"));
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if let Some(v) = lower.strip_prefix("authorization:")
                    && let Some(cred) = v.split("credential=").nth(1)
                {
                    region = cred.split('/').nth(2).unwrap_or("?").to_string();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let line = request_line.trim().to_string();
            log.lock().unwrap().push(format!("{region} {line}"));
            let (first, second) = pages(&bucket, &region);
            let (status, answer) = if line.starts_with("GET /model-invocation-jobs") {
                if line.contains("nextToken=page-2") {
                    (200, json!({ "invocationJobSummaries": second }))
                } else if second.is_empty() {
                    (200, json!({ "invocationJobSummaries": first }))
                } else {
                    (
                        200,
                        json!({ "invocationJobSummaries": first, "nextToken": "page-2" }),
                    )
                }
            } else if let Some(rest) = line.strip_prefix("GET /model-invocation-job/") {
                let id = rest.split(' ').next().unwrap_or_default();
                let wanted = id.replace("%3A", ":").replace("%2F", "/");
                let all: Vec<Value> = first.into_iter().chain(second).collect();
                match all.into_iter().find(|j| {
                    j["jobArn"].as_str() == Some(wanted.as_str())
                        || j["jobName"].as_str() == Some(wanted.as_str())
                }) {
                    Some(j) => (200, j),
                    None => (404, json!({"message": format!("job {wanted} not found")})),
                }
            } else {
                (400, json!({"message": format!("unexpected {line}")}))
            };
            let text = answer.to_string();
            let extra = if status == 404 {
                "x-amzn-errortype: ResourceNotFoundException\r\n"
            } else {
                ""
            };
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                )
                .as_bytes(),
            );
        }
    });
    (endpoint, seen)
}

fn meter(bedrock: &str) -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env("AWS_ENDPOINT_URL_BEDROCK", bedrock)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_REGION", "us-east-1");
    c
}

fn json_of(c: &mut Command) -> Value {
    let out = c.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

fn pct(diff: Decimal, of: Decimal) -> Decimal {
    (diff * Decimal::from(100) / of)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// What `estimate --batch` says of the same input (tokens in, expected tokens out).
fn estimated(bedrock: &str, uri: &str) -> (u64, u64) {
    let v = json_of(
        meter(bedrock)
            .args([
                "--format",
                "json",
                "estimate",
                "--model",
                HAIKU,
                "--no-progress",
            ])
            .args(["--output-ratio", "2", "--batch", uri]),
    );
    (
        v["input_tokens"]["total"].as_u64().unwrap(),
        v["output_tokens"]["expected"].as_u64().unwrap(),
    )
}

#[test]
fn the_report_compares_each_jobs_manifest_with_an_estimate_of_its_input() {
    let bucket = seed("report");
    let (endpoint, seen) = bedrock_responder(&bucket);
    let v = json_of(
        meter(&endpoint)
            .args(["--format", "json", "report", "batch-jobs", "--no-progress"])
            .args(["--since", "2026-11-01", "--until", "2026-12-01"])
            .args(["--region", "us-east-1,us-east-2", "--output-ratio", "2"]),
    );
    let jobs = v["jobs"].as_array().unwrap();
    let names: Vec<&str> = jobs
        .iter()
        .map(|j| j["job"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    );
    // Paging: two list calls in us-east-1 (the second with the token), one in us-east-2,
    // each with the submit-time range.
    let seen = seen.lock().unwrap().clone();
    let lists: Vec<&String> = seen
        .iter()
        .filter(|l| l.contains("/model-invocation-jobs"))
        .collect();
    assert_eq!(lists.len(), 3, "{seen:?}");
    assert!(
        lists[1].starts_with("us-east-1 ") && lists[1].contains("nextToken=page-2"),
        "{seen:?}"
    );
    assert!(lists[2].starts_with("us-east-2 "), "{seen:?}");
    assert!(
        lists
            .iter()
            .all(|l| l.contains("submitTimeAfter=2026-11-01T00%3A00%3A00Z")
                && l.contains("submitTimeBefore=2026-12-01T00%3A00%3A00Z")),
        "{seen:?}"
    );
    assert_eq!(v["list_calls"], json!(3));
    // Manifests are read for the five finished jobs, not for the running one.
    assert_eq!(v["manifests_read"], json!(5));

    let by = |name: &str| {
        jobs.iter()
            .find(|j| j["job"]["name"] == json!(name))
            .unwrap()
    };

    // alpha: the arithmetic, computed here.
    let alpha = by("alpha");
    assert_eq!(alpha["job"]["manifest"]["state"], json!("read"));
    assert_eq!(
        alpha["job"]["manifest"]["uri"],
        json!(format!("s3://{bucket}/out/alpha01/manifest.json.out"))
    );
    assert_eq!(alpha["actual"]["records"], json!(50));
    assert_eq!(alpha["actual"]["input_tokens"], json!(2000));
    assert_eq!(alpha["actual"]["output_tokens"], json!(4100));
    let rate_in = Decimal::from_str(BATCH_IN_PER_1K).unwrap() / Decimal::from(1000);
    let rate_out = Decimal::from_str(BATCH_OUT_PER_1K).unwrap() / Decimal::from(1000);
    let actual_cost = Decimal::from(2000) * rate_in + Decimal::from(4100) * rate_out;
    assert_eq!(dec(&alpha["actual"]["batch_cost_usd"]), actual_cost);
    let (est_in, est_out) = estimated(&endpoint, &format!("s3://{bucket}/in/alpha/"));
    assert_eq!(alpha["estimate"]["records"], json!(50));
    assert_eq!(alpha["estimate"]["input_tokens"], json!(est_in));
    assert_eq!(alpha["estimate"]["output_tokens"], json!(est_out));
    let est_cost = Decimal::from(est_in) * rate_in + Decimal::from(est_out) * rate_out;
    assert_eq!(dec(&alpha["estimate"]["batch_cost_usd"]), est_cost);
    let d_in = est_in as i64 - 2000;
    let d_out = est_out as i64 - 4100;
    assert_eq!(alpha["difference"]["input_tokens"], json!(d_in));
    assert_eq!(
        dec(&alpha["difference"]["input_pct"]),
        pct(Decimal::from(d_in), Decimal::from(2000))
    );
    assert_eq!(alpha["difference"]["output_tokens"], json!(d_out));
    assert_eq!(
        dec(&alpha["difference"]["output_pct"]),
        pct(Decimal::from(d_out), Decimal::from(4100))
    );
    assert_eq!(
        dec(&alpha["difference"]["cost_usd"]),
        est_cost - actual_cost
    );
    assert_eq!(
        dec(&alpha["difference"]["cost_pct"]),
        pct(est_cost - actual_cost, actual_cost)
    );
    assert_eq!(alpha["estimate_output_from"], json!("output-ratio"));

    // beta: running, no manifest; its model is a foundation-model ARN.
    let beta = by("beta");
    assert_eq!(beta["job"]["manifest"]["state"], json!("not_yet"));
    assert_eq!(beta["resolved_model"], json!(HAIKU));
    assert_eq!(beta["actual"]["input_tokens"], Value::Null);
    assert_eq!(beta["difference"]["input_pct"], Value::Null);
    assert_eq!(beta["estimate"]["records"], json!(5));
    assert!(
        beta["notes"][0]
            .as_str()
            .unwrap()
            .contains("InProgress: no manifest yet")
    );

    // gamma: finished, manifest missing: reported, not guessed.
    let gamma = by("gamma");
    assert_eq!(gamma["job"]["manifest"]["state"], json!("unreadable"));
    let reason = gamma["job"]["manifest"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!(
            "no manifest at s3://{bucket}/out/gamma03/manifest.json.out"
        )),
        "{reason}"
    );
    assert_eq!(gamma["actual"]["batch_cost_usd"], Value::Null);

    // delta: through a cross-Region profile; counts as the manifest says.
    let delta = by("delta");
    assert_eq!(delta["resolved_model"], json!(HAIKU));
    assert_eq!(delta["actual"]["records"], json!(10));
    assert_eq!(
        dec(&delta["actual"]["batch_cost_usd"]),
        Decimal::from(500) * rate_in + Decimal::from(700) * rate_out
    );

    // epsilon: a malformed manifest names the object and the field.
    let reason = by("epsilon")["job"]["manifest"]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.contains("epsilon05/manifest.json.out") && reason.contains("field inputTokenCount"),
        "{reason}"
    );

    // zeta: us-east-2 has no batch price: unpriced, not $0.
    let zeta = by("zeta");
    assert_eq!(zeta["actual"]["input_tokens"], json!(90));
    assert_eq!(zeta["actual"]["batch_cost_usd"], Value::Null);
    let unpriced = v["unpriced"].as_array().unwrap();
    assert!(
        unpriced.iter().any(|u| u
            .as_str()
            .unwrap()
            .starts_with("zeta: actual cost unpriced")),
        "{unpriced:?}"
    );

    // Totals cover the jobs with both costs (alpha and delta), like with like.
    assert_eq!(v["compared_jobs"], json!(2));
    let delta_cost = dec(&delta["actual"]["batch_cost_usd"]);
    assert_eq!(dec(&v["actual_batch_usd"]), actual_cost + delta_cost);
    assert_eq!(
        dec(&v["estimated_batch_usd"]),
        est_cost + dec(&delta["estimate"]["batch_cost_usd"])
    );
}

#[test]
fn status_filters_and_tables_and_csv_carry_the_same_rows() {
    let bucket = seed("formats");
    let (endpoint, seen) = bedrock_responder(&bucket);
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("jobs.csv");
    meter(&endpoint)
        .args(["--format", "csv", "-o"])
        .arg(&csv_path)
        .args([
            "report",
            "batch-jobs",
            "--no-progress",
            "--no-estimate",
            "--status",
            "Completed",
        ])
        .args(["--since", "2026-11-01", "--until", "2026-12-01"])
        .assert()
        .success();
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|l| !l.contains("/model-invocation-jobs") || l.contains("statusEquals=Completed"))
    );
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "job,region,model,status,records,input_tokens,output_tokens,batch_cost_usd,est_input_tokens,est_output_tokens,est_batch_cost_usd,input_diff_tokens,input_diff_pct,output_diff_tokens,output_diff_pct,cost_diff_pct,note"
    );
    let alpha = lines.next().unwrap();
    assert!(
        alpha.starts_with(&format!("alpha,us-east-1,{HAIKU},Completed,50,2000,4100,")),
        "{alpha}"
    );
    let table = meter(&endpoint)
        .args(["report", "batch-jobs", "--no-progress", "--no-estimate"])
        .args(["--since", "2026-11-01", "--until", "2026-12-01"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8_lossy(&table);
    assert!(
        table.contains("Batch inference jobs: actual vs estimate"),
        "{table}"
    );
    assert!(table.contains("InProgress: no manifest yet"), "{table}");
}

#[test]
fn estimate_job_reads_the_jobs_model_and_input() {
    let bucket = seed("job");
    let (endpoint, _) = bedrock_responder(&bucket);
    let v = json_of(
        meter(&endpoint)
            .args([
                "--format",
                "json",
                "estimate",
                "--no-progress",
                "--output-ratio",
                "2",
            ])
            .args(["--job", &arn("us-east-1", "alpha01")]),
    );
    assert_eq!(v["job"]["name"], json!("alpha"));
    assert_eq!(
        v["job"]["manifest"]["manifest"]["input_tokens"],
        json!(2000)
    );
    assert_eq!(v["records"]["ok"], json!(50));
    let modes: Vec<&str> = v["modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["on-demand", "batch"]);
    let (est_in, _) = estimated(&endpoint, &format!("s3://{bucket}/in/alpha/"));
    assert_eq!(v["input_tokens"]["total"], json!(est_in));
    assert!(
        v["batch_savings"]["saving_usd"].is_number()
            || v["batch_savings"]["saving_usd"].is_string()
    );
    // A job by name, in the Region given; an unknown one is an error naming the action.
    let v = json_of(meter(&endpoint).args([
        "--format",
        "json",
        "estimate",
        "--no-progress",
        "--region",
        "us-east-1",
        "--job",
        "beta",
    ]));
    assert_eq!(v["job"]["status"], json!("InProgress"));
    assert_eq!(v["records"]["ok"], json!(5));
    let err = meter(&endpoint)
        .args(["estimate", "--no-progress", "--job", "nope"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("bedrock:GetModelInvocationJob"), "{err}");
}
