//! Batch-inference input in S3 through the real SDK against the moto server
//! (`scripts/test.sh` starts it): a prefix of several objects (plain and gzip, nested, with
//! a non-JSONL object to skip) is read in key order through ranged parts and counted exactly
//! as the same records in a local file; a bad line is named by object and line; a missing
//! object and an access-denied answer are errors that name the object and the IAM action.
//!
//! moto enforces bucket policies only with IAM authentication switched on for the whole
//! server (shared by every test), so the access-denied answer comes from a small responder
//! speaking S3's REST-XML error protocol instead (what S3 sends for a denied call).
//!
//! Buckets are named `bm-batch-…` and created in us-east-2; a long-lived server keeps
//! earlier runs' buckets, so each name carries the process id and a clock reading.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use assert_cmd::Command;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use bedrock_meter::aws::s3::S3;
use bedrock_meter::aws::{Aws, AwsOptions};
use bedrock_meter::sources::s3_input::{self, Downloads, FetchOptions, InputObject};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const REGION: &str = "us-east-2";

fn seeding_client() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
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

/// One batch record for Claude (Anthropic Messages body).
fn record(id: &str, text: &str, max_tokens: u64) -> String {
    json!({
        "recordId": id,
        "modelInput": {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": text}],
        }
    })
    .to_string()
}

fn lines(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            record(
                &format!("{prefix}{i:04}"),
                &format!("Summarise ticket {i} of batch {prefix}: the parcel arrived {} days late and the box was damaged.", i % 7),
                100 + i as u64,
            ) + "\n"
        })
        .collect()
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

async fn create(client: &aws_sdk_s3::Client, bucket: &str) {
    client
        .create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
}

async fn put(client: &aws_sdk_s3::Client, bucket: &str, key: &str, body: Vec<u8>) {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
}

/// The seeded prefix: `(key, stored bytes, text)` in key order, plus objects that are not
/// input. Returns the bucket and the input objects' texts in key order.
fn seed_prefix(test: &str) -> (String, Vec<(String, String)>) {
    let bucket = bucket_name(test);
    let a = lines("A", 40);
    let b = lines("B", 25);
    let c = lines("C", 3);
    support::runtime().block_on(async {
        let client = seeding_client();
        create(&client, &bucket).await;
        // Put out of order: the reader must sort by key.
        put(&client, &bucket, "in/b.jsonl", b.clone().into_bytes()).await;
        put(&client, &bucket, "in/a.jsonl.gz", gzip(&a)).await;
        put(&client, &bucket, "in/sub/c.jsonl", c.clone().into_bytes()).await;
        put(&client, &bucket, "in/notes.txt", b"not input".to_vec()).await;
        put(&client, &bucket, "in/empty.jsonl", Vec::new()).await;
        put(
            &client,
            &bucket,
            "other/x.jsonl",
            lines("X", 2).into_bytes(),
        )
        .await;
    });
    (
        bucket,
        vec![
            ("in/a.jsonl.gz".into(), a),
            ("in/b.jsonl".into(), b),
            ("in/empty.jsonl".into(), String::new()),
            ("in/sub/c.jsonl".into(), c),
        ],
    )
}

async fn library_s3() -> S3 {
    let aws = Aws::load(&AwsOptions {
        max_attempts: 1,
        endpoint_url: Some(support::endpoint()),
        ..AwsOptions::default()
    })
    .await;
    S3::new(&aws, REGION)
}

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_REGION", REGION);
    c
}

fn estimate_json(batch: &str) -> Value {
    let out = meter()
        .args([
            "--format",
            "json",
            "--as-of",
            "2026-11-01",
            "estimate",
            "--model",
            HAIKU,
        ])
        .args(["--region", "us-east-1"])
        .args(["--no-progress", "--output-ratio", "0.5", "--batch", batch])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn prefixes_are_read_in_key_order_through_ranged_parts() {
    let (bucket, want) = seed_prefix("order");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s3 = rt.block_on(library_s3());
    let sel = rt
        .block_on(s3_input::select(&s3, &format!("s3://{bucket}/in/")))
        .unwrap();
    let keys: Vec<&str> = sel.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        want.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(sel.skipped, ["in/notes.txt"]);
    // Parts of 97 bytes, three in flight: many ranged GETs per object, across objects.
    let read = Arc::new(AtomicU64::new(0));
    let counter = read.clone();
    let mut downloads = Downloads::start(
        rt.handle(),
        &s3,
        sel.objects.clone(),
        FetchOptions {
            part_bytes: 97,
            parts_in_flight: 3,
            queued_parts: 1,
        },
        Arc::new(move |n| {
            counter.fetch_add(n, Ordering::SeqCst);
        }),
    );
    let mut got = Vec::new();
    while let Some(next) = downloads.next_object() {
        let (object, mut reader) = next.unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        got.push((object.key, text));
    }
    assert_eq!(got, want);
    // Progress counts stored bytes (the gzip object compressed).
    assert_eq!(read.load(Ordering::SeqCst), sel.bytes());

    // A single key names that object alone, even with siblings sharing its prefix.
    let one = rt
        .block_on(s3_input::select(&s3, &format!("s3://{bucket}/in/b.jsonl")))
        .unwrap();
    assert_eq!(one.objects.len(), 1);
    assert_eq!(one.objects[0].key, "in/b.jsonl");
    // A key without a trailing slash that names no object is read as a folder.
    let folder = rt
        .block_on(s3_input::select(&s3, &format!("s3://{bucket}/in/sub")))
        .unwrap();
    assert_eq!(folder.objects[0].key, "in/sub/c.jsonl");
}

#[test]
fn an_s3_prefix_estimates_like_the_same_records_on_disk() {
    let (bucket, objects) = seed_prefix("same");
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("all.jsonl");
    std::fs::write(
        &local,
        objects.iter().map(|(_, t)| t.as_str()).collect::<String>(),
    )
    .unwrap();
    let remote = estimate_json(&format!("s3://{bucket}/in/"));
    let on_disk = estimate_json(local.to_str().unwrap());
    assert_eq!(remote["records"]["ok"], json!(68));
    assert_eq!(remote["records"], on_disk["records"]);
    assert_eq!(remote["input_tokens"], on_disk["input_tokens"]);
    assert_eq!(remote["output_tokens"], on_disk["output_tokens"]);
    assert_eq!(remote["batch_savings"], on_disk["batch_savings"]);
    assert_eq!(remote["modes"], on_disk["modes"]);
}

#[test]
fn bad_lines_are_named_by_object_and_line_and_the_rest_is_counted() {
    let bucket = bucket_name("bad");
    let good = lines("G", 3);
    let bad = format!(
        "{}{{\"recordId\": \"broken\", \"modelInput\": 7}}\n{}",
        lines("H", 1),
        lines("I", 1)
    );
    support::runtime().block_on(async {
        let client = seeding_client();
        create(&client, &bucket).await;
        put(&client, &bucket, "jobs/1-good.jsonl", good.into_bytes()).await;
        put(&client, &bucket, "jobs/2-bad.jsonl.gz", gzip(&bad)).await;
    });
    let v = estimate_json(&format!("s3://{bucket}/jobs/"));
    assert_eq!(v["records"]["ok"], json!(5));
    assert_eq!(v["records"]["failed"], json!(1));
    let reason = v["records"]["bad"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!("s3://{bucket}/jobs/2-bad.jsonl.gz: line 2: ")),
        "{reason}"
    );
    // --strict stops there, naming the same object and line.
    let err = meter()
        .args([
            "estimate",
            "--model",
            HAIKU,
            "--no-progress",
            "--strict",
            "--batch",
        ])
        .arg(format!("s3://{bucket}/jobs/"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(&format!("s3://{bucket}/jobs/2-bad.jsonl.gz: line 2:")),
        "{err}"
    );
}

#[test]
fn missing_objects_are_errors_that_name_them() {
    let (bucket, _) = seed_prefix("missing");
    let err = meter()
        .args(["estimate", "--model", HAIKU, "--no-progress", "--batch"])
        .arg(format!("s3://{bucket}/nothing-here.jsonl"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(&format!(
            "no batch input at s3://{bucket}/nothing-here.jsonl"
        )),
        "{err}"
    );
    // An object listed but gone by the time it is read: the reader's error names it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s3 = rt.block_on(library_s3());
    let gone = InputObject {
        bucket: bucket.clone(),
        key: "in/deleted.jsonl".into(),
        size: 500,
    };
    let mut downloads = Downloads::start(
        rt.handle(),
        &s3,
        vec![gone],
        FetchOptions::default(),
        Arc::new(|_| {}),
    );
    let e = match downloads.next_object().unwrap() {
        Err(e) => e.to_string(),
        Ok((_, mut r)) => r
            .read_to_string(&mut String::new())
            .unwrap_err()
            .to_string(),
    };
    assert!(
        e.contains(&format!("s3://{bucket}/in/deleted.jsonl")),
        "{e}"
    );
    assert!(e.contains("s3:GetObject"), "{e}");
}

/// Answers every request with S3's 403 AccessDenied error document; returns the endpoint
/// and the request lines seen.
fn denying_responder() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(20).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap_or(0);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            log.lock().unwrap().push(request_line.trim().to_string());
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>";
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    (endpoint, seen)
}

#[test]
fn access_denied_names_the_iam_action_and_the_object() {
    let (endpoint, seen) = denying_responder();
    let err = meter()
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(["estimate", "--model", HAIKU, "--no-progress", "--batch"])
        .arg("s3://bm-batch-denied/in/")
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains("missing IAM permission s3:ListBucket"),
        "{err}"
    );
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET /bm-batch-denied?list-type=2") || l.contains("list-type=2")),
        "{lines:?}"
    );

    // GetObject denied on a listed object: the reader's error names the action and object.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s3 = rt.block_on(async {
        let aws = Aws::load(&AwsOptions {
            max_attempts: 1,
            endpoint_url: Some(endpoint.clone()),
            ..AwsOptions::default()
        })
        .await;
        S3::new(&aws, REGION)
    });
    let mut downloads = Downloads::start(
        rt.handle(),
        &s3,
        vec![InputObject {
            bucket: "bm-batch-denied".into(),
            key: "in/a.jsonl".into(),
            size: 10,
        }],
        FetchOptions::default(),
        Arc::new(|_| {}),
    );
    let e = match downloads.next_object().unwrap() {
        Err(e) => e.to_string(),
        Ok((_, mut r)) => r
            .read_to_string(&mut String::new())
            .unwrap_err()
            .to_string(),
    };
    assert!(e.contains("missing IAM permission s3:GetObject"), "{e}");
    assert!(e.contains("s3://bm-batch-denied/in/a.jsonl"), "{e}");
}
