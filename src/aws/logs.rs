//! CloudWatch Logs: FilterLogEvents over a log group (paged) and Logs Insights queries
//! (StartQuery, then GetQueryResults polled until the query ends), as plain data — what the
//! invocation-log source needs when Bedrock delivers its model invocation logs to a log group.
//!
//! **The NextToken quirk.** FilterLogEvents searches a time range stream by stream and may
//! return a page with *no events but a token* (it ran out of time or scanned streams with
//! nothing in range). Such a page does not mean the end: the walk keeps going until no token
//! comes back. A token that comes back unchanged means the service has nothing more (the
//! paginators of the AWS SDKs stop there too), so the walk stops rather than loop forever.
//!
//! **Insights.** StartQuery returns an id at once; the query runs in CloudWatch and its
//! status goes Scheduled → Running → Complete (or Failed, Cancelled, Timeout). Results are
//! read with GetQueryResults, polled with a growing delay. Times of StartQuery are seconds
//! since the epoch; those of FilterLogEvents milliseconds.
//!
//! IAM actions: `logs:FilterLogEvents`, `logs:StartQuery`, `logs:GetQueryResults`.

use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::Region;
use aws_sdk_cloudwatchlogs::types::{FilteredLogEvent, QueryStatus, ResultField};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "CloudWatch Logs",
    env: "CLOUDWATCH_LOGS",
    host: "logs",
};

/// FilterLogEvents' largest page.
pub const MAX_EVENTS_PER_PAGE: i32 = 10_000;

/// One event as FilterLogEvents returns it; `message` is the raw text the producer wrote
/// (for Bedrock, one invocation-log JSON object) and is untrusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub event_id: String,
    /// Milliseconds since the epoch (0 if the page had none).
    pub timestamp_ms: i64,
    pub message: String,
}

/// One row of Logs Insights results: `(field, value)` pairs in the order CloudWatch gave.
pub type InsightsResultRow = Vec<(String, String)>;

/// How a Logs Insights query ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryState {
    /// Still going (Scheduled, Running, or a status this build does not know).
    Pending,
    Complete,
    Failed,
    Cancelled,
    Timeout,
}

impl QueryState {
    /// The state of a GetQueryResults status (the wire string, like `Complete`).
    pub fn from_status(status: &str) -> QueryState {
        match status {
            "Complete" => QueryState::Complete,
            "Failed" => QueryState::Failed,
            "Cancelled" => QueryState::Cancelled,
            "Timeout" => QueryState::Timeout,
            _ => QueryState::Pending,
        }
    }
}

/// How to poll GetQueryResults: the first delay, doubled after each poll up to `max_delay`,
/// for at most `max_polls` polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub max_polls: u32,
}

impl Default for Polling {
    /// 0.5 s doubling to 10 s, 120 polls: about 19 minutes of waiting before giving up
    /// (Insights itself ends a query as Timeout after 60 minutes).
    fn default() -> Self {
        Polling {
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_polls: 120,
        }
    }
}

impl Polling {
    /// The delay before poll number `n` (0-based).
    pub fn delay(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.min(16));
        self.first_delay
            .saturating_mul(factor)
            .min(self.max_delay.max(self.first_delay))
    }
}

/// The token to send next, or `None` when paging is over: no token, an empty one, or the
/// one just sent (see the module documentation).
pub fn next_token(sent: Option<&str>, received: Option<&str>) -> Option<String> {
    match received {
        Some(t) if !t.is_empty() && Some(t) != sent => Some(t.to_string()),
        _ => None,
    }
}

/// CloudWatch Logs of one Region.
pub struct Logs {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
    page_limit: i32,
}

impl Logs {
    pub fn new(aws: &Aws, region: &str) -> Logs {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        Logs {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
            page_limit: MAX_EVENTS_PER_PAGE,
        }
    }

    /// Asks FilterLogEvents for at most `limit` events per page (1 to
    /// [`MAX_EVENTS_PER_PAGE`]; the default is the largest), to page a small group in tests.
    pub fn with_page_limit(mut self, limit: i32) -> Logs {
        self.page_limit = limit.clamp(1, MAX_EVENTS_PER_PAGE);
        self
    }

    /// The Region this client reads.
    pub fn region(&self) -> &str {
        &self.region
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// Every event of `group` in `[start_ms, end_ms)` (milliseconds since the epoch),
    /// following NextToken (empty pages included, see the module documentation); `on_page`
    /// gets each page's events as they arrive. Returns the number of calls made.
    pub async fn filter_log_events(
        &self,
        group: &str,
        start_ms: i64,
        end_ms: i64,
        on_page: &mut (dyn FnMut(Vec<LogEvent>) + Send),
    ) -> Result<u64, AwsError> {
        if start_ms >= end_ms {
            return Err(AwsError::Invalid(format!(
                "empty time range: {start_ms} ms is not before {end_ms} ms"
            )));
        }
        let site = self.site("logs:FilterLogEvents");
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .filter_log_events()
                .log_group_name(group)
                .start_time(start_ms)
                // FilterLogEvents' end time is inclusive; the range here is not.
                .end_time(end_ms - 1)
                .limit(self.page_limit)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            on_page(resp.events().iter().map(plain_event).collect());
            match next_token(token.as_deref(), resp.next_token()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(calls)
    }

    /// Starts a Logs Insights query over `groups` for `[start_s, end_s]` (seconds since the
    /// epoch; Insights treats both ends as inclusive) and returns its id.
    pub async fn start_query(
        &self,
        groups: &[String],
        start_s: i64,
        end_s: i64,
        query: &str,
    ) -> Result<String, AwsError> {
        if groups.is_empty() {
            return Err(AwsError::Invalid(
                "a Logs Insights query needs at least one log group".into(),
            ));
        }
        let site = self.site("logs:StartQuery");
        let resp = self
            .client
            .start_query()
            .set_log_group_names(Some(groups.to_vec()))
            .start_time(start_s)
            .end_time(end_s)
            .query_string(query)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        resp.query_id()
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(|| AwsError::Other {
                action: site.action.to_string(),
                region: self.region.clone(),
                detail: "StartQuery returned no queryId".into(),
            })
    }

    /// One GetQueryResults call: the state and the rows so far.
    pub async fn query_results_once(
        &self,
        query_id: &str,
    ) -> Result<(QueryState, Vec<InsightsResultRow>), AwsError> {
        let site = self.site("logs:GetQueryResults");
        let resp = self
            .client
            .get_query_results()
            .query_id(query_id)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        let state = resp
            .status()
            .map(QueryStatus::as_str)
            .map_or(QueryState::Pending, QueryState::from_status);
        Ok((state, resp.results().iter().map(|r| plain_row(r)).collect()))
    }

    /// Polls GetQueryResults (with `polling`'s growing delay) until the query ends, and
    /// returns its rows and the number of polls. A query that Failed, was Cancelled, timed
    /// out, or is still pending after `max_polls` polls is an error that says so.
    pub async fn get_query_results(
        &self,
        query_id: &str,
        polling: Polling,
    ) -> Result<(Vec<InsightsResultRow>, u32), AwsError> {
        let fail = |detail: String| AwsError::Other {
            action: "logs:GetQueryResults".into(),
            region: self.region.clone(),
            detail,
        };
        for n in 0..polling.max_polls.max(1) {
            if n > 0 {
                tokio::time::sleep(polling.delay(n - 1)).await;
            }
            let (state, rows) = self.query_results_once(query_id).await?;
            match state {
                QueryState::Complete => return Ok((rows, n + 1)),
                QueryState::Pending => continue,
                ended => {
                    return Err(fail(format!(
                        "Logs Insights query {query_id} ended as {ended:?}: no results"
                    )));
                }
            }
        }
        Err(fail(format!(
            "Logs Insights query {query_id} still not complete after {} polls",
            polling.max_polls.max(1)
        )))
    }
}

fn plain_event(e: &FilteredLogEvent) -> LogEvent {
    LogEvent {
        event_id: e.event_id().unwrap_or_default().to_string(),
        timestamp_ms: e.timestamp().unwrap_or(0),
        message: e.message().unwrap_or_default().to_string(),
    }
}

fn plain_row(fields: &[ResultField]) -> InsightsResultRow {
    fields
        .iter()
        .map(|f| {
            (
                f.field().unwrap_or_default().to_string(),
                f.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_on_no_token_empty_token_or_the_same_token() {
        assert_eq!(next_token(None, Some("a")), Some("a".into()));
        assert_eq!(next_token(Some("a"), Some("b")), Some("b".into()));
        assert_eq!(next_token(Some("a"), None), None);
        assert_eq!(next_token(Some("a"), Some("")), None);
        assert_eq!(next_token(Some("a"), Some("a")), None);
        assert_eq!(next_token(None, None), None);
    }

    #[test]
    fn statuses_map_to_states() {
        assert_eq!(QueryState::from_status("Complete"), QueryState::Complete);
        assert_eq!(QueryState::from_status("Failed"), QueryState::Failed);
        assert_eq!(QueryState::from_status("Cancelled"), QueryState::Cancelled);
        assert_eq!(QueryState::from_status("Timeout"), QueryState::Timeout);
        assert_eq!(QueryState::from_status("Running"), QueryState::Pending);
        assert_eq!(QueryState::from_status("Scheduled"), QueryState::Pending);
        assert_eq!(QueryState::from_status("Unknown"), QueryState::Pending);
        // The SDK's enum agrees with the wire strings.
        assert_eq!(QueryStatus::Complete.as_str(), "Complete");
        assert_eq!(QueryStatus::Timeout.as_str(), "Timeout");
    }

    #[test]
    fn polling_delays_double_up_to_the_cap() {
        let p = Polling {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
            max_polls: 10,
        };
        let d: Vec<u128> = (0..5).map(|n| p.delay(n).as_millis()).collect();
        assert_eq!(d, [100, 200, 400, 700, 700]);
        assert_eq!(p.delay(u32::MAX), Duration::from_millis(700));
    }

    #[test]
    fn sdk_shapes_become_plain_data() {
        let e = FilteredLogEvent::builder()
            .event_id("e-1")
            .timestamp(1_767_225_600_000)
            .message("{\"schemaType\":\"ModelInvocationLog\"}")
            .build();
        assert_eq!(
            plain_event(&e),
            LogEvent {
                event_id: "e-1".into(),
                timestamp_ms: 1_767_225_600_000,
                message: "{\"schemaType\":\"ModelInvocationLog\"}".into()
            }
        );
        let row = plain_row(&[
            ResultField::builder().field("calls").value("3").build(),
            ResultField::builder().field("modelId").build(),
        ]);
        assert_eq!(
            row,
            [
                ("calls".to_string(), "3".to_string()),
                ("modelId".to_string(), String::new())
            ]
        );
    }
}
