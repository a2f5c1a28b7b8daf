//! CloudTrail event history: LookupEvents for Bedrock's events of one Region, paged and
//! paced, as plain data.
//!
//! LookupEvents returns management events of the last 90 days, one Region per call, at most
//! 50 per page, and allows exactly one LookupAttribute: we ask for
//! `EventSource = bedrock.amazonaws.com` and filter operation names locally. Its rate limit
//! is 2 requests per second per account and Region, so every call waits for a [`Pacer`]
//! first. Each event carries the full CloudTrail record as a JSON string
//! (`CloudTrailEvent`), which the CloudTrail source parses.
//!
//! IAM action: `cloudtrail:LookupEvents`.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::Region;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};
use super::pace::Pacer;

pub const SERVICE: Service = Service {
    name: "CloudTrail",
    env: "CLOUDTRAIL",
    host: "cloudtrail",
};

/// LookupEvents' largest page.
pub const MAX_RESULTS: i32 = 50;

/// The event source of every Bedrock API (runtime and control plane).
pub const BEDROCK_EVENT_SOURCE: &str = "bedrock.amazonaws.com";

/// One event of the history: its id and the record as CloudTrail wrote it (untrusted JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedUpEvent {
    pub event_id: String,
    /// `CloudTrailEvent`: the full record as a JSON string (empty if the page had none).
    pub record: String,
}

/// CloudTrail of one Region.
pub struct CloudTrail {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl CloudTrail {
    pub fn new(aws: &Aws, region: &str) -> CloudTrail {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        CloudTrail {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    /// The Region this client reads.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Every Bedrock event of `[since, until)` (seconds since the epoch), newest first as
    /// CloudTrail returns them, following NextToken; each call waits for `pacer` first and
    /// `on_page` gets each page's events as it arrives. Returns the number of calls made
    /// (the SDK's retries of a throttled call are not counted).
    pub async fn lookup_events(
        &self,
        since: i64,
        until: i64,
        pacer: &Pacer,
        on_page: &mut (dyn FnMut(Vec<LookedUpEvent>) + Send),
    ) -> Result<u64, AwsError> {
        let site = CallSite {
            service: SERVICE.name,
            action: "cloudtrail:LookupEvents",
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        };
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventSource)
            .attribute_value(BEDROCK_EVENT_SOURCE)
            .build()
            .map_err(|e| AwsError::Invalid(format!("LookupAttribute: {e}")))?;
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            pacer.wait().await;
            let resp = self
                .client
                .lookup_events()
                .lookup_attributes(attribute.clone())
                .start_time(DateTime::from_secs(since))
                .end_time(DateTime::from_secs(until))
                .max_results(MAX_RESULTS)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            on_page(resp.events().iter().map(plain_event).collect());
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(calls)
    }
}

fn plain_event(e: &Event) -> LookedUpEvent {
    LookedUpEvent {
        event_id: e.event_id().unwrap_or_default().to_string(),
        record: e.cloud_trail_event().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_events_become_plain_events() {
        let e = Event::builder()
            .event_id("0e1f-id")
            .event_name("InvokeModel")
            .cloud_trail_event("{\"eventName\":\"InvokeModel\"}")
            .build();
        assert_eq!(
            plain_event(&e),
            LookedUpEvent {
                event_id: "0e1f-id".into(),
                record: "{\"eventName\":\"InvokeModel\"}".into()
            }
        );
        let bare = plain_event(&Event::builder().build());
        assert_eq!(bare.event_id, "");
        assert_eq!(bare.record, "");
    }
}
