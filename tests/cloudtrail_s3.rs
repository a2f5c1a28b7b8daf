//! Trail files in S3 through the real SDK against the moto server (`scripts/test.sh` starts
//! it): a bucket with CloudTrail's real layout — two accounts, one of them under an
//! organization id, several Regions and days — is walked for a two-day range; only the day
//! folders of the range (and the day after, for delivery delay) may be listed, and only
//! their files fetched.

mod support;

use std::io::{Read, Write};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use bedrock_meter::aws::s3::{S3, parse_s3_uri};
use bedrock_meter::aws::{Aws, AwsOptions};
use bedrock_meter::sources::cloudtrail::trail_s3::{self, TrailConfig, TrailStats};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

const DIRECT: &str = "111122223333";
const ORG: &str = "o-abcdefghij";
const MEMBER: &str = "444455556666";
const DAYS: &[&str] = &[
    "2026/01/03",
    "2026/01/04",
    "2026/01/05",
    "2026/01/06",
    "2026/01/07",
    "2026/01/08",
];

fn seeding_client() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(support::endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// A bucket of this test alone (a long-lived server keeps earlier runs' buckets).
fn bucket_name(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("ct-{test}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

fn gzip_records(ids: &[String]) -> Vec<u8> {
    let records: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"eventID": id, "eventSource": "bedrock.amazonaws.com"}))
        .collect();
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(
        serde_json::json!({ "Records": records })
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    gz.finish().unwrap()
}

/// The account folders of the layout: `(folder under AWSLogs/, account)`.
fn accounts() -> Vec<(String, &'static str)> {
    vec![
        (DIRECT.to_string(), DIRECT),
        (format!("{ORG}/{MEMBER}"), MEMBER),
    ]
}

const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-south-1"];

/// Puts two files per account × Region × day, plus things the walk must not take for log
/// files. Returns every log-file key.
async fn seed(client: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    client.create_bucket().bucket(bucket).send().await.unwrap();
    let mut keys = Vec::new();
    let put = |key: String, body: Vec<u8>| async move {
        client
            .put_object()
            .bucket(bucket)
            .key(&key)
            .body(ByteStream::from(body))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject {key}: {e:?}"));
    };
    for (folder, account) in accounts() {
        for region in REGIONS {
            for day in DAYS {
                let stamp = day.replace('/', "");
                for hhmm in ["0005", "2355"] {
                    let key = format!(
                        "{prefix}AWSLogs/{folder}/CloudTrail/{region}/{day}/{account}_CloudTrail_{region}_{stamp}T{hhmm}Z_abcdefgh12345678.json.gz"
                    );
                    let body = gzip_records(&[format!("{account}-{region}-{stamp}-{hhmm}")]);
                    put(key.clone(), body).await;
                    keys.push(key);
                }
            }
        }
        // Digests live beside CloudTrail/: never listed.
        put(
            format!(
                "{prefix}AWSLogs/{folder}/CloudTrail-Digest/us-east-1/2026/01/05/digest.json.gz"
            ),
            b"digest".to_vec(),
        )
        .await;
    }
    // Not a log file, in a day folder of the range: listed, not fetched.
    put(
        format!("{prefix}AWSLogs/{DIRECT}/CloudTrail/us-east-1/2026/01/05/notes.txt"),
        b"hello".to_vec(),
    )
    .await;
    // Neither an account nor an organization.
    put(
        format!("{prefix}AWSLogs/not-an-account/CloudTrail/us-east-1/2026/01/05/x.json.gz"),
        b"x".to_vec(),
    )
    .await;
    keys.sort();
    keys
}

async fn walk(
    uri: &str,
    since: &str,
    until: &str,
    regions: &[&str],
) -> (TrailStats, Vec<(String, Vec<String>)>) {
    let aws = Aws::load(&AwsOptions {
        max_attempts: 2,
        endpoint_url: Some(support::endpoint()),
        ..AwsOptions::default()
    })
    .await;
    let s3 = S3::new(&aws, "us-east-1");
    let cfg = TrailConfig {
        location: parse_s3_uri(uri).unwrap(),
        since: since.parse().unwrap(),
        until: until.parse().unwrap(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        concurrency: 3,
    };
    let mut files = Vec::new();
    let stats = trail_s3::collect(&s3, &cfg, &mut |uri, bytes| {
        let mut text = String::new();
        GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ids = v["Records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["eventID"].as_str().unwrap().to_string())
            .collect();
        files.push((uri.to_string(), ids));
    })
    .await
    .unwrap();
    (stats, files)
}

/// The day of a day-folder prefix or key (`…/2026/01/05/…` → `2026/01/05`).
fn day_of(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(3).find_map(|w| {
        (w[0].len() == 4 && w[0].starts_with("20") && w[1].len() == 2 && w[2].len() == 2)
            .then(|| w.join("/"))
    })
}

#[test]
fn only_the_day_folders_of_the_range_are_listed_and_fetched() {
    let bucket = bucket_name("range");
    let prefix = "trails/main/";
    let rt = support::runtime();
    let all_keys = rt.block_on(seed(&seeding_client(), &bucket, prefix));
    let (stats, files) = rt.block_on(walk(
        &format!("s3://{bucket}/trails/main"),
        "2026-01-05T00:00:00Z",
        "2026-01-07T00:00:00Z",
        &[],
    ));

    // Discovery: AWSLogs/, the organization, then each account's CloudTrail/.
    let logs = format!("{prefix}AWSLogs/");
    assert_eq!(
        stats.listed_prefixes[..4],
        [
            logs.clone(),
            format!("{logs}{ORG}/"),
            format!("{logs}{DIRECT}/CloudTrail/"),
            format!("{logs}{ORG}/{MEMBER}/CloudTrail/"),
        ]
    );
    assert_eq!(
        stats.accounts,
        [DIRECT.to_string(), format!("{ORG}/{MEMBER}")]
    );
    assert_eq!(stats.skipped_folders, [format!("{logs}not-an-account/")]);

    // Then exactly the range's days and the day after (delivery delay), per account × Region.
    let in_range = ["2026/01/05", "2026/01/06", "2026/01/07"];
    let day_listings = &stats.listed_prefixes[4..];
    assert_eq!(day_listings.len(), 2 * REGIONS.len() * in_range.len());
    for p in day_listings {
        let day = day_of(p).unwrap_or_else(|| panic!("not a day folder: {p}"));
        assert!(in_range.contains(&day.as_str()), "listed {p}");
    }
    assert_eq!(stats.list_calls as usize, stats.listed_prefixes.len());

    // Fetched: every log file of those folders, nothing else; in key order per folder.
    let mut want: Vec<String> = all_keys
        .iter()
        .filter(|k| in_range.contains(&day_of(k).unwrap().as_str()))
        .cloned()
        .collect();
    assert_eq!(want.len(), 2 * REGIONS.len() * 3 * 2);
    let mut fetched = stats.fetched_keys.clone();
    fetched.sort();
    want.sort();
    assert_eq!(fetched, want);
    for pair in stats.fetched_keys.windows(2) {
        let same_folder =
            pair[0].rsplit_once('/').unwrap().0 == pair[1].rsplit_once('/').unwrap().0;
        if same_folder {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
    }
    assert_eq!(
        stats.skipped_keys,
        [format!(
            "{logs}{DIRECT}/CloudTrail/us-east-1/2026/01/05/notes.txt"
        )]
    );

    // The callback got each file's bytes under its s3:// name, in the same order.
    assert_eq!(files.len(), stats.fetched_keys.len());
    for ((uri, ids), key) in files.iter().zip(&stats.fetched_keys) {
        assert_eq!(uri, &format!("s3://{bucket}/{key}"));
        let file = key.rsplit('/').next().unwrap();
        let account = &file[..12];
        let stamp = &file.split('_').nth(3).unwrap()[..8];
        assert_eq!(ids.len(), 1);
        assert!(
            ids[0].starts_with(account) && ids[0].contains(stamp),
            "{ids:?} in {key}"
        );
    }
    assert!(stats.bytes > 0);
}

#[test]
fn requested_regions_limit_the_walk() {
    let bucket = bucket_name("regions");
    let rt = support::runtime();
    rt.block_on(seed(&seeding_client(), &bucket, ""));
    let (stats, files) = rt.block_on(walk(
        &format!("s3://{bucket}"),
        "2026-01-08T06:00:00Z",
        "2026-01-08T18:00:00Z",
        &["eu-west-1"],
    ));
    // One day in range, plus the day after, which the bucket does not have yet.
    let day_listings = &stats.listed_prefixes[4..];
    assert_eq!(
        day_listings,
        [
            format!("AWSLogs/{DIRECT}/CloudTrail/eu-west-1/2026/01/08/"),
            format!("AWSLogs/{DIRECT}/CloudTrail/eu-west-1/2026/01/09/"),
            format!("AWSLogs/{ORG}/{MEMBER}/CloudTrail/eu-west-1/2026/01/08/"),
            format!("AWSLogs/{ORG}/{MEMBER}/CloudTrail/eu-west-1/2026/01/09/"),
        ]
    );
    assert_eq!(files.len(), 4);
    assert!(
        stats
            .fetched_keys
            .iter()
            .all(|k| k.contains("/eu-west-1/2026/01/08/"))
    );
}
