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
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// A server answering the given statuses in turn (then 200); records each body.
    fn server(statuses: Vec<u16>) -> (SecretUrl, Arc<Mutex<Vec<String>>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = SecretUrl(format!("http://{}/hook/SECRET", l.local_addr().unwrap()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for stream in l.incoming() {
                let mut stream = stream.unwrap();
                let mut r = BufReader::new(stream.try_clone().unwrap());
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    let t = line.trim_end().to_ascii_lowercase();
                    if t.is_empty() {
                        break;
                    }
                    if let Some(v) = t.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                s2.lock().unwrap().push(String::from_utf8(body).unwrap());
                let code = statuses.next().unwrap_or(200);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        (url, seen)
    }

    fn msg() -> Message {
        Message {
            subject: "s".into(),
            text: "budget at 80%".into(),
            json: serde_json::json!({"text": "budget at 80%", "threshold_percent": 80}),
        }
    }

    fn policy(retries: u32) -> Policy {
        Policy {
            timeout: Duration::from_secs(5),
            retries,
            backoff: Duration::from_millis(5),
        }
    }

    #[test]
    fn server_errors_are_retried_and_refusals_are_not() {
        let (url, seen) = server(vec![500, 429]);
        post(&url, &policy(2), &msg()).unwrap();
        let bodies = seen.lock().unwrap().clone();
        assert_eq!(bodies.len(), 3);
        let j: serde_json::Value = serde_json::from_str(&bodies[2]).unwrap();
        assert_eq!(j["text"], "budget at 80%");
        // Out of retries: the last answer is named, the URL is not.
        let (url, _) = server(vec![503, 503]);
        let e = post(&url, &policy(1), &msg()).unwrap_err();
        assert!(e.contains("answered HTTP 503 (after 2 attempt(s))"), "{e}");
        assert!(!e.contains("SECRET"), "{e}");
        // A 404 is the request's fault: one attempt only.
        let (url, seen) = server(vec![404]);
        let e = post(&url, &policy(3), &msg()).unwrap_err();
        assert!(e.contains("HTTP 404 (not retried"), "{e}");
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn errors_never_show_the_url() {
        let url = "https://hooks.example.com/services/T0/B0/SECRET";
        let e = scrub(&format!("io: connect to {url} failed"), url);
        assert!(!e.contains("SECRET"), "{e}");
        assert!(e.contains("hooks.example.com"), "{e}");
    }
}
