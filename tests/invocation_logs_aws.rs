//! The AWS side of the invocation-log source through the real SDK: CloudWatch Logs
//! (FilterLogEvents over slices, Logs Insights' call path), the S3 hourly layout and Bedrock's
//! logging configuration against the moto server (`scripts/test.sh` starts it); application
//! inference profiles and their tags against a small REST-JSON responder in this file (moto
//! has no inference profiles). Each test owns its log group, bucket or Region, so they run in
//! parallel against one server.

mod support;

use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_sdk_cloudwatchlogs::config::{Credentials, Region};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use bedrock_meter::aws::{Aws, AwsOptions};
use bedrock_meter::sources::invocation_logs::fetch_logs::{self, LogsConfig};
use jiff::{SignedDuration, Timestamp};

/// A name of this test run alone (a long-lived server keeps earlier runs' data).
fn unique(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

async fn aws() -> Arc<Aws> {
    Arc::new(
        Aws::load(&AwsOptions {
            max_attempts: 1,
            endpoint_url: Some(support::endpoint()),
            ..AwsOptions::default()
        })
        .await,
    )
}

fn logs_client(region: &str) -> aws_sdk_cloudwatchlogs::Client {
    let conf = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(support::endpoint())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(conf)
}

/// The start of an hour two days ago (CloudWatch Logs accepts events of the last 14 days).
fn recent_hour() -> Timestamp {
    let now = Timestamp::now().as_second();
    Timestamp::from_second(now - now % 3600 - 48 * 3600).unwrap()
}

fn message(n: usize, at_ms: i64) -> String {
    serde_json::json!({
        "schemaType": "ModelInvocationLog",
        "requestId": format!("req-{n:05}"),
        "timestamp": at_ms,
        "modelId": "amazon.nova-lite-v1:0",
    })
    .to_string()
}

/// Puts `(ms, message)` events into three streams of `group`, in batches of 500.
async fn put_events(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    events: &[(i64, String)],
) {
    client
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    for s in 0..3 {
        let stream = format!("stream-{s}");
        client
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(&stream)
            .send()
            .await
            .unwrap();
        let mut mine: Vec<&(i64, String)> = events
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == s)
            .map(|(_, e)| e)
            .collect();
        mine.sort();
        for batch in mine.chunks(500) {
            let resp = client
                .put_log_events()
                .log_group_name(group)
                .log_stream_name(&stream)
                .set_log_events(Some(
                    batch
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
        }
    }
}

#[test]
fn log_group_slices_return_every_event_in_range_once_and_in_order() {
    let region = "eu-north-1";
    let group = format!("/bedrock-meter/{}", unique("slices"));
    let since = recent_hour();
    let until = since + SignedDuration::from_hours(30);
    let (s, u) = (since.as_millisecond(), until.as_millisecond());
    // Every 37 s from an hour before the range to an hour after it, plus both edges.
    let mut events: Vec<(i64, String)> = Vec::new();
    let mut t = s - 3_600_000;
    while t < u + 3_600_000 {
        events.push((t, message(events.len(), t)));
        t += 37_000;
    }
    events.push((s, message(events.len(), s)));
    events.push((u, message(events.len(), u)));
    let mut want: Vec<(i64, String)> = events
        .iter()
        .filter(|(t, _)| (s..u).contains(t))
        .cloned()
        .collect();
    want.sort();
    assert!(want.len() > 2_900, "{}", want.len());

    let rt = support::runtime();
    rt.block_on(put_events(&logs_client(region), &group, &events));
    let out = rt
        .block_on(async {
            let cfg = LogsConfig {
                region: Some(region.to_string()),
                concurrency: 3,
                page_limit: Some(250),
                ..LogsConfig::new(&group, since, until)
            };
            fetch_logs::collect_with(aws().await, &cfg).await
        })
        .unwrap();

    assert_eq!(out.region, region);
    assert_eq!(out.stats.slices, 5);
    assert_eq!(out.stats.events as usize, want.len());
    assert_eq!(out.stats.duplicates, 0);
    assert_eq!(out.stats.out_of_range, 0);
    // About 590 events per 6-hour slice in pages of 250: three pages each, and one empty
    // page never ends a slice early.
    assert!(out.stats.calls >= 5 * 3, "{:?}", out.stats);
    // In time order (the messages carry their time), each exactly once.
    let got_ids: Vec<String> = out
        .messages
        .iter()
        .map(|m| serde_json::from_str::<serde_json::Value>(m).unwrap()["requestId"].to_string())
        .collect();
    let want_ids: Vec<String> = want
        .iter()
        .map(|(_, m)| {
            serde_json::from_str::<serde_json::Value>(m).unwrap()["requestId"].to_string()
        })
        .collect();
    let mut sorted_got = got_ids.clone();
    sorted_got.sort();
    sorted_got.dedup();
    assert_eq!(sorted_got.len(), got_ids.len(), "duplicates");
    let times: Vec<i64> = out
        .messages
        .iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(m).unwrap()["timestamp"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not in time order");
    assert_eq!(times.first(), Some(&s), "the range's first instant is in");
    assert!(times.iter().all(|t| (s..u).contains(t)));
    let mut sorted_want = want_ids.clone();
    sorted_want.sort();
    assert_eq!(sorted_got, sorted_want);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn a_missing_log_group_is_an_error_naming_the_action() {
    let rt = support::runtime();
    let since = recent_hour();
    let e = rt
        .block_on(async {
            let cfg = LogsConfig {
                region: Some("eu-north-1".into()),
                ..LogsConfig::new(
                    &format!("/bedrock-meter/{}", unique("missing")),
                    since,
                    since + SignedDuration::from_hours(1),
                )
            };
            fetch_logs::collect_with(aws().await, &cfg).await
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("logs:FilterLogEvents"), "{e}");
    assert!(e.contains("eu-north-1"), "{e}");
}
