//! The webhook channel: an HTTP POST of the alert's JSON document (with a Slack-compatible
//! `text` field, so a Slack or Mattermost incoming webhook shows the text as is).
//!
//! Each attempt has a timeout; failures (connection errors, timeouts, 429 and 5xx answers)
//! are retried with exponential backoff (`backoff`, 2×, 4×…); other 4xx answers are not
//! retried (the request itself is wrong). The URL usually embeds a token: errors name only
//! its host, and the transport's error text is scrubbed of the URL.

use std::time::Duration;

use crate::alert::budgets::{SecretUrl, host_of};
use crate::alert::message::Message;

/// Timeouts and retries of one webhook.
#[derive(Debug, Clone)]
pub struct Policy {
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
    pub backoff: Duration,
}

enum Attempt {
    Done,
    Retry(String),
    Fatal(String),
}

pub fn post(url: &SecretUrl, policy: &Policy, msg: &Message) -> Result<(), String> {
    let host = host_of(&url.0);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(policy.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::to_vec(&msg.json).map_err(|e| e.to_string())?;
    let mut last = String::new();
    for attempt in 0..=policy.retries {
        if attempt > 0 {
            std::thread::sleep(policy.backoff * 2u32.saturating_pow(attempt - 1));
        }
        match once(&agent, url, &body) {
            Attempt::Done => return Ok(()),
            Attempt::Fatal(e) => return Err(format!("webhook at host {host}: {e}")),
            Attempt::Retry(e) => last = e,
        }
    }
    Err(format!(
        "webhook at host {host}: {last} (after {} attempt(s))",
        policy.retries + 1
    ))
}

fn once(agent: &ureq::Agent, url: &SecretUrl, body: &[u8]) -> Attempt {
    let resp = agent
        .post(&url.0)
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("bedrock-meter/", env!("CARGO_PKG_VERSION")),
        )
        .send(body);
    match resp {
        Ok(r) => {
            let status = r.status().as_u16();
            if (200..300).contains(&status) {
                Attempt::Done
            } else if status == 429 || status >= 500 {
                Attempt::Retry(format!("answered HTTP {status}"))
            } else {
                Attempt::Fatal(format!(
                    "answered HTTP {status} (not retried: the request was refused)"
                ))
            }
        }
        Err(e) => Attempt::Retry(scrub(&e.to_string(), &url.0)),
    }
}

/// `text` with the URL (and its path) replaced by its host.
fn scrub(text: &str, url: &str) -> String {
    let host = host_of(url);
    let mut out = text.replace(url, &host);
    if let Some((_, rest)) = url.split_once("://")
        && let Some((_, path)) = rest.split_once('/')
        && !path.is_empty()
    {
        out = out.replace(path, "…");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_show_the_url() {
        let url = "https://hooks.example.com/services/T0/B0/SECRET";
        let e = scrub(&format!("io: connect to {url} failed"), url);
        assert!(!e.contains("SECRET"), "{e}");
        assert!(e.contains("hooks.example.com"), "{e}");
    }
}
