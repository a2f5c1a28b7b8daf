//! `bedrock-meter report chargeback` and `report daily --logs` end to end, over a month of
//! model-invocation logs the test writes in Bedrock's S3 delivery layout
//! (`AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`, gzipped
//! JSON Lines): an IAM user, two sessions of one role and a user of an unknown model; two
//! teams in `requestMetadata`; Anthropic InvokeModel bodies with 5-minute and 1-hour cache
//! writes (with and without the envelope's cache counts), Converse records, a throttled
//! call, a record repeated in two files, a line that is not JSON, a truncated gzip file and
//! records just outside the month.
//!
//! Every expected number is computed here from the tokens the test wrote and the published
//! per-1M rates of `pricing/*.toml` (hard-coded below, each naming its catalog row).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

const ACCT: &str = "111122223333";
const MONTH: &str = "2026-03";
const SONNET_G: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU35: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const UNKNOWN: &str = "acme.mystery-model-v1:0";

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

/// Per-1M-token rates: input, output, cache read, 5-minute write, 1-hour write.
struct Rates([&'static str; 5]);

/// The published on-demand rates of the catalog rows the fixture uses.
fn rates(model: &str) -> Option<Rates> {
    match model {
        // pricing/anthropic.toml, "anthropic.claude-sonnet-4-5-20250929-v1:0", on-demand
        // rows with scope = "global" (global. profile): 3.00 / 15.00 / read 0.30 /
        // write-5m 3.75 / write-1h 6.00.
        SONNET_G => Some(Rates(["3.00", "15.00", "0.30", "3.75", "6.00"])),
        // pricing/anthropic.toml, "anthropic.claude-3-5-haiku-20241022-v1:0", on-demand:
        // 0.80 / 4.00 / read 0.08 / write-5m 1.00 (no 1-hour row; the fixture writes none).
        HAIKU35 => Some(Rates(["0.80", "4.00", "0.08", "1.00", "0"])),
        // pricing/amazon.toml, "amazon.nova-lite-v1:0", on-demand: 0.06 / 0.24 / read
        // 0.015 (no cache-write row; the fixture writes none).
        NOVA_LITE => Some(Rates(["0.06", "0.24", "0.015", "0", "0"])),
        _ => None,
    }
}

/// How a record is written.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// InvokeModel, Anthropic body; envelope cache counts and the body's 5 m / 1 h split.
    Anthropic,
    /// InvokeModel, Anthropic body, an older record: cache counts only in the body; and
    /// `identity` / `schemaType` last (as 2026 records have them).
    AnthropicBodyOnly,
    /// Converse: envelope counts and the Converse body's `usage`.
    Converse,
    /// A throttled call: `errorCode`, no counts.
    Throttled,
    /// Text delivery off: envelope counts only.
    CountsOnly,
}

#[derive(Clone)]
struct Call {
    id: &'static str,
    time: &'static str,
    region: &'static str,
    who: String,
    model: &'static str,
    team: Option<&'static str>,
    shape: Shape,
    input: u64,
    output: u64,
    cache_read: u64,
    write_5m: u64,
    write_1h: u64,
}

impl Call {
    fn ok(&self) -> bool {
        self.shape != Shape::Throttled
    }
    fn day(&self) -> &str {
        &self.time[..10]
    }
    fn in_month(&self) -> bool {
        self.time.starts_with(MONTH)
    }
    /// The call's cost at the published rates; `None` for an unknown model.
    fn cost(&self) -> Option<Decimal> {
        if !self.ok() {
            return Some(Decimal::ZERO);
        }
        let r = rates(self.model)?;
        let per_m = |tokens: u64, rate: &str| {
            Decimal::from(tokens) * Decimal::from_str(rate).unwrap() / Decimal::from(1_000_000)
        };
        Some(
            per_m(self.input, r.0[0])
                + per_m(self.output, r.0[1])
                + per_m(self.cache_read, r.0[2])
                + per_m(self.write_5m, r.0[3])
                + per_m(self.write_1h, r.0[4]),
        )
    }

    fn record(&self) -> Value {
        let writes = self.write_5m + self.write_1h;
        let anthropic_usage = json!({
            "input_tokens": self.input,
            "output_tokens": self.output,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation_input_tokens": writes,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.write_5m,
                "ephemeral_1h_input_tokens": self.write_1h,
            },
        });
        let anthropic_in = json!({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 1024,
            "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            "messages": [{"role": "user", "content": "Summarise the report."}],
        });
        let anthropic_out = json!({
            "id": format!("msg_{}", self.id),
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "Done."}],
            "stop_reason": "end_turn",
            "usage": anthropic_usage,
        });
        let (operation, input, output, error) = match self.shape {
            Shape::Anthropic => (
                "InvokeModel",
                json!({
                    "inputContentType": "application/json",
                    "inputBodyJson": anthropic_in,
                    "inputTokenCount": self.input,
                    "cacheReadInputTokenCount": self.cache_read,
                    "cacheWriteInputTokenCount": writes,
                }),
                json!({
                    "outputContentType": "application/json",
                    "outputBodyJson": anthropic_out,
                    "outputTokenCount": self.output,
                }),
                None,
            ),
            Shape::AnthropicBodyOnly => (
                "InvokeModel",
                json!({
                    "inputContentType": "application/json",
                    "inputBodyJson": anthropic_in,
                    "inputTokenCount": self.input,
                }),
                json!({
                    "outputContentType": "application/json",
                    "outputBodyJson": anthropic_out,
                    "outputTokenCount": self.output,
                }),
                None,
            ),
            Shape::Converse => (
                "Converse",
                json!({
                    "inputContentType": "application/json",
                    "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "hello"}]}]},
                    "inputTokenCount": self.input,
                    "cacheReadInputTokenCount": self.cache_read,
                    "cacheWriteInputTokenCount": 0,
                }),
                json!({
                    "outputContentType": "application/json",
                    "outputBodyJson": {
                        "output": {"message": {"role": "assistant", "content": [{"text": "Hi."}]}},
                        "stopReason": "end_turn",
                        "metrics": {"latencyMs": 300},
                        "usage": {
                            "inputTokens": self.input,
                            "outputTokens": self.output,
                            "cacheReadInputTokens": self.cache_read,
                            "totalTokens": self.input + self.output + self.cache_read,
                        },
                    },
                    "outputTokenCount": self.output,
                }),
                None,
            ),
            Shape::Throttled => (
                "InvokeModel",
                json!({}),
                json!({}),
                Some("ThrottlingException"),
            ),
            Shape::CountsOnly => (
                "InvokeModel",
                json!({"inputContentType": "application/json", "inputTokenCount": self.input}),
                json!({"outputContentType": "application/json", "outputTokenCount": self.output}),
                None,
            ),
        };
        let mut m = serde_json::Map::new();
        let late = self.shape == Shape::AnthropicBodyOnly;
        if !late {
            m.insert("schemaType".into(), json!("ModelInvocationLog"));
        }
        m.insert("schemaVersion".into(), json!("1.0"));
        m.insert("timestamp".into(), json!(self.time));
        m.insert("accountId".into(), json!(ACCT));
        if !late {
            m.insert("identity".into(), json!({"arn": self.who}));
        }
        m.insert("region".into(), json!(self.region));
        m.insert("requestId".into(), json!(self.id));
        m.insert("operation".into(), json!(operation));
        m.insert("modelId".into(), json!(self.model));
        if let Some(t) = self.team {
            m.insert("requestMetadata".into(), json!({"team": t, "ticket": 42}));
        }
        if let Some(e) = error {
            m.insert("errorCode".into(), json!(e));
        }
        m.insert("input".into(), input);
        m.insert("output".into(), output);
        if late {
            m.insert("identity".into(), json!({"arn": self.who}));
            m.insert("schemaType".into(), json!("ModelInvocationLog"));
        }
        Value::Object(m)
    }
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:user/{name}")
}

fn session(name: &str) -> String {
    format!("arn:aws:sts::{ACCT}:assumed-role/batch-runner/{name}")
}

#[allow(clippy::too_many_arguments)]
fn call(
    id: &'static str,
    time: &'static str,
    region: &'static str,
    who: String,
    model: &'static str,
    team: Option<&'static str>,
    shape: Shape,
    tokens: [u64; 5],
) -> Call {
    Call {
        id,
        time,
        region,
        who,
        model,
        team,
        shape,
        input: tokens[0],
        output: tokens[1],
        cache_read: tokens[2],
        write_5m: tokens[3],
        write_1h: tokens[4],
    }
}

fn calls() -> Vec<Call> {
    use Shape::*;
    let (alice, carol) = (user("alice"), user("carol"));
    let (sa, sb) = (session("session-a"), session("session-b"));
    vec![
        call(
            "a1",
            "2026-03-02T09:15:00Z",
            "us-east-1",
            alice.clone(),
            SONNET_G,
            Some("search"),
            Anthropic,
            [1800, 420, 12_000, 3000, 5000],
        ),
        call(
            "a2",
            "2026-03-02T17:40:00Z",
            "us-east-1",
            alice.clone(),
            NOVA_LITE,
            Some("search"),
            Converse,
            [950, 210, 4000, 0, 0],
        ),
        call(
            "a3",
            "2026-03-15T11:05:00Z",
            "us-west-2",
            alice.clone(),
            SONNET_G,
            Some("search"),
            AnthropicBodyOnly,
            [2200, 610, 8000, 1500, 2500],
        ),
        call(
            "a4",
            "2026-03-31T23:59:59Z",
            "us-east-1",
            alice.clone(),
            HAIKU35,
            Some("search"),
            Anthropic,
            [700, 150, 2000, 600, 0],
        ),
        call(
            "a5",
            "2026-03-15T11:06:00Z",
            "us-east-1",
            alice.clone(),
            SONNET_G,
            Some("search"),
            Throttled,
            [0; 5],
        ),
        call(
            "b1",
            "2026-03-02T10:00:00Z",
            "us-east-1",
            sa.clone(),
            HAIKU35,
            Some("ads"),
            Anthropic,
            [5000, 900, 0, 2000, 0],
        ),
        call(
            "b2",
            "2026-03-15T08:00:00Z",
            "us-west-2",
            sa.clone(),
            SONNET_G,
            Some("ads"),
            Anthropic,
            [3100, 800, 20_000, 0, 6000],
        ),
        call(
            "b3",
            "2026-03-31T12:00:00Z",
            "us-east-1",
            sa.clone(),
            NOVA_LITE,
            Some("ads"),
            Converse,
            [400, 100, 0, 0, 0],
        ),
        call(
            "c1",
            "2026-03-15T13:30:00Z",
            "us-east-1",
            sb.clone(),
            NOVA_LITE,
            Some("ads"),
            Converse,
            [1200, 300, 600, 0, 0],
        ),
        call(
            "c2",
            "2026-03-31T06:00:00Z",
            "us-east-1",
            sb.clone(),
            SONNET_G,
            Some("search"),
            AnthropicBodyOnly,
            [900, 250, 0, 0, 3000],
        ),
        call(
            "d1",
            "2026-03-15T14:00:00Z",
            "us-east-1",
            carol.clone(),
            UNKNOWN,
            None,
            CountsOnly,
            [1000, 100, 0, 0, 0],
        ),
        // Just outside the month.
        call(
            "x1",
            "2026-02-28T23:59:59Z",
            "us-east-1",
            alice.clone(),
            SONNET_G,
            Some("search"),
            Anthropic,
            [9999, 999, 0, 0, 0],
        ),
        call(
            "x2",
            "2026-04-01T00:00:00Z",
            "us-east-1",
            alice,
            SONNET_G,
            Some("search"),
            Anthropic,
            [9999, 999, 0, 0, 0],
        ),
    ]
}

fn by_id(all: &[Call], id: &str) -> Call {
    all.iter().find(|c| c.id == id).unwrap().clone()
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// The delivery key of a file of `region` in the hour of `time`.
fn key(region: &str, time: &str, n: u32) -> String {
    let (y, mo, d, h) = (&time[0..4], &time[5..7], &time[8..10], &time[11..13]);
    format!(
        "AWSLogs/{ACCT}/BedrockModelInvocationLogs/{region}/{y}/{mo}/{d}/{h}/{y}{mo}{d}T{h}0000Z_{n:04}.json.gz"
    )
}

/// Where the fixture's bad lines and files are (relative to the folder).
struct Fixture {
    bad_line_file: String,
    truncated_file: String,
}

/// Writes the month's files under `dir`.
fn write_fixture(dir: &Path, all: &[Call]) -> Fixture {
    let line = |id: &str| by_id(all, id).record().to_string();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut plain = |ids: &[&str], extra: Option<&str>, n: u32| {
        let first = by_id(all, ids[0]);
        let mut text: Vec<String> = ids.iter().map(|id| line(id)).collect();
        if let Some(e) = extra {
            text.push(e.to_string());
        }
        let k = key(first.region, first.time, n);
        files.push((k.clone(), gzip(&(text.join("\n") + "\n"))));
        k
    };
    plain(&["a1", "b1"], None, 1);
    let bad_line_file = plain(&["a2"], Some("this line is not JSON {"), 2);
    plain(&["a3", "b2"], None, 3);
    plain(&["a5", "c1", "d1"], None, 4);
    // c1 again: the same requestId in a second file.
    plain(&["c2", "b3", "c1"], None, 5);
    plain(&["x1"], None, 6);
    plain(&["x2"], None, 7);
    // a4, then a long record of another schema whose end the truncation cuts off.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let pad: String = (0..60_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b"0123456789abcdef"[(seed % 16) as usize])
        })
        .collect();
    let text = format!(
        "{}\n{}\n",
        line("a4"),
        json!({"schemaType": "SomethingElse", "pad": pad})
    );
    let full = gzip(&text);
    let cut = full[..full.len() * 3 / 4].to_vec();
    let a4 = by_id(all, "a4");
    let truncated_file = key(a4.region, a4.time, 8);
    files.push((truncated_file.clone(), cut));
    for (k, bytes) in &files {
        let p = dir.join(k);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    Fixture {
        bad_line_file,
        truncated_file,
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn json_out(args: &[&str], dir: &Path) -> Value {
    let out = meter()
        .args(["--format", "json"])
        .args(args)
        .arg("--logs")
        .arg(dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// What a row should hold: calls, tokens, throttles and cost (`None`: some usage unpriced).
#[derive(Debug, Default, PartialEq)]
struct Want {
    invocations: u64,
    input: u64,
    output: u64,
    cache_read: u64,
    cache_write: u64,
    throttles: u64,
    /// The priced part.
    cost: Decimal,
    unpriced: bool,
    any_priced: bool,
}

fn add(w: &mut Want, c: &Call) {
    if c.ok() {
        w.invocations += 1;
        w.input += c.input;
        w.output += c.output;
        w.cache_read += c.cache_read;
        w.cache_write += c.write_5m + c.write_1h;
    } else {
        w.throttles += 1;
    }
    match c.cost() {
        Some(d) => {
            w.cost += d;
            w.any_priced = true;
        }
        None => w.unpriced = true,
    }
}

fn got(row: &Value) -> Want {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    Want {
        invocations: n("invocations"),
        input: n("input_tokens"),
        output: n("output_tokens"),
        cache_read: n("cache_read_tokens"),
        cache_write: n("cache_write_tokens"),
        throttles: n("throttles"),
        cost: if row["total_cost_usd"].is_null() {
            Decimal::ZERO
        } else {
            dec(&row["total_cost_usd"])
        },
        unpriced: row["status"].as_str().unwrap() != "ok",
        any_priced: !row["total_cost_usd"].is_null(),
    }
}

fn share(cost: Decimal, total: Decimal) -> Decimal {
    (cost * Decimal::ONE_HUNDRED / total)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Checks a chargeback document against the calls grouped by `key`.
fn check_chargeback(doc: &Value, all: &[Call], key: impl Fn(&Call) -> String) {
    let mut want: BTreeMap<String, Want> = BTreeMap::new();
    for c in all.iter().filter(|c| c.in_month()) {
        add(want.entry(key(c)).or_default(), c);
    }
    let total: Decimal = want.values().map(|w| w.cost).sum();
    let rows = doc["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    // Most expensive first, unpriced rows last.
    let mut order: Vec<(&String, &Want)> = want.iter().collect();
    order.sort_by(|a, b| {
        b.1.any_priced
            .cmp(&a.1.any_priced)
            .then(b.1.cost.cmp(&a.1.cost))
            .then(a.0.cmp(b.0))
    });
    let want_keys: Vec<&str> = order.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, want_keys, "{doc:#}");
    for row in rows {
        let k = row["key"].as_str().unwrap();
        let w = &want[k];
        assert_eq!(&got(row), w, "row {k}: {row:#}");
        if w.any_priced {
            assert_eq!(dec(&row["share_pct"]), share(w.cost, total), "share of {k}");
        } else {
            assert!(row["share_pct"].is_null(), "{row}");
            assert!(row["total_cost_usd"].is_null(), "never $0: {row}");
            assert_eq!(row["status"], "unpriced: unknown model", "{row}");
            assert_eq!(row["unpriced_series_days"], 1, "{row}");
        }
    }
    assert_eq!(dec(&doc["totals"]["total_cost_usd"]), total);
    assert_eq!(
        doc["complete"], false,
        "an unknown model leaves the total incomplete"
    );
}

#[test]
fn chargeback_per_principal_and_per_team_over_a_month_of_delivered_files() {
    let dir = tempfile::tempdir().unwrap();
    let all = calls();
    let fx = write_fixture(dir.path(), &all);
    let doc = json_out(&["report", "chargeback", "--month", MONTH], dir.path());
    assert_eq!(doc["since"], "2026-03-01");
    assert_eq!(doc["until"], "2026-04-01");
    assert_eq!(doc["group_by"], "principal");
    check_chargeback(&doc, &all, |c| c.who.clone());
    // The two sessions of one role are two principals.
    let keys: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&session("session-a").as_str()));
    assert!(keys.contains(&session("session-b").as_str()));

    let s = &doc["sources"];
    let in_month = all.iter().filter(|c| c.in_month()).count() as u64;
    assert_eq!(s["kept"], in_month, "{s:#}");
    assert_eq!(s["duplicates"], 1, "{s:#}");
    assert_eq!(s["out_of_range"], 2, "{s:#}");
    assert_eq!(s["bad_lines"], 1, "{s:#}");
    assert_eq!(s["bad_files"], 1, "{s:#}");
    assert_eq!(s["files"], 8, "{s:#}");
    let problems: Vec<&str> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains(&fx.bad_line_file) && problems[0].contains("line 2"),
        "{problems:?}"
    );
    assert!(problems[1].contains(&fx.truncated_file), "{problems:?}");
    let notes = doc["notes"].to_string();
    assert!(notes.contains("1 row(s) include unpriced usage"), "{notes}");
    assert!(notes.contains("duplicate"), "{notes}");

    let teams = json_out(
        &["report", "chargeback", "--month", MONTH, "--by", "tag:team"],
        dir.path(),
    );
    assert_eq!(teams["group_by"], "tag:team");
    check_chargeback(&teams, &all, |c| {
        c.team
            .map(str::to_string)
            .unwrap_or_else(|| "(none)".into())
    });
}

#[test]
fn strict_stops_at_the_first_bad_line_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let fx = write_fixture(dir.path(), &calls());
    let out = meter()
        .args(["--format", "json", "report", "chargeback", "--month", MONTH])
        .arg("--logs")
        .arg(dir.path())
        .arg("--strict")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&fx.bad_line_file), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn daily_rows_per_day_principal_and_model() {
    let dir = tempfile::tempdir().unwrap();
    let all = calls();
    write_fixture(dir.path(), &all);
    let doc = json_out(
        &[
            "report",
            "daily",
            "--since",
            "2026-03-01",
            "--until",
            "2026-04-01",
            "--by",
            "day,principal,model",
        ],
        dir.path(),
    );
    let mut want: BTreeMap<(String, String, String), Want> = BTreeMap::new();
    for c in all.iter().filter(|c| c.in_month()) {
        add(
            want.entry((c.day().to_string(), c.who.clone(), c.model.to_string()))
                .or_default(),
            c,
        );
    }
    let rows = doc["rows"].as_array().unwrap();
    let mut seen = BTreeMap::new();
    for row in rows {
        let k = (
            row["date"].as_str().unwrap().to_string(),
            row["principal"].as_str().unwrap().to_string(),
            row["model_id"].as_str().unwrap().to_string(),
        );
        seen.insert(k, got(row));
    }
    assert_eq!(seen, want, "{doc:#}");
    let total: Decimal = want.values().map(|w| w.cost).sum();
    assert_eq!(dec(&doc["totals"]["total_cost_usd"]), total);
    assert_eq!(doc["sources"]["kind"], "invocation-logs");
}

fn history_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[test]
fn append_is_idempotent_and_an_overlapping_run_replaces_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let all = calls();
    write_fixture(dir.path(), &all);
    let out = tempfile::tempdir().unwrap();
    let history = out.path().join("history.csv");
    let append = |logs: &Path, since: &str, until: &str| {
        meter()
            .args(["--format", "csv", "report", "daily"])
            .args(["--since", since, "--until", until])
            .args(["--by", "day,region,model,principal", "--append"])
            .arg(&history)
            .arg("--logs")
            .arg(logs)
            .assert()
            .success();
        std::fs::read_to_string(&history).unwrap()
    };
    let first = append(dir.path(), "2026-03-01", "2026-04-01");
    assert_eq!(append(dir.path(), "2026-03-01", "2026-04-01"), first);
    let (headers, rows) = history_rows(&first);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (date, region, model, principal, calls_col) = (
        col("date"),
        col("region"),
        col("model_id"),
        col("principal"),
        col("invocations"),
    );
    let keys = |rows: &[Vec<String>]| -> Vec<(String, String, String, String, String)> {
        rows.iter()
            .map(|r| {
                (
                    r[date].clone(),
                    r[region].clone(),
                    r[model].clone(),
                    r[principal].clone(),
                    r[calls_col].clone(),
                )
            })
            .collect()
    };
    let mut want: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
    for c in all.iter().filter(|c| c.in_month()) {
        *want
            .entry((
                c.day().to_string(),
                c.region.to_string(),
                c.model.to_string(),
                c.who.clone(),
            ))
            .or_default() += u64::from(c.ok());
    }
    let mut got_first: Vec<_> = keys(&rows);
    got_first.sort();
    let want_first: Vec<_> = want
        .iter()
        .map(|((d, r, m, p), n)| (d.clone(), r.clone(), m.clone(), p.clone(), n.to_string()))
        .collect();
    assert_eq!(got_first, want_first);

    // Late files arrive for the 31st: a run over the second half replaces those days only.
    let late = Call {
        id: "late1",
        time: "2026-03-31T15:00:00Z",
        ..by_id(&all, "a4")
    };
    let late_west = Call {
        id: "late2",
        time: "2026-03-31T16:00:00Z",
        region: "us-west-2",
        ..by_id(&all, "a3")
    };
    for (c, n) in [(&late, 20), (&late_west, 21)] {
        let p = dir.path().join(key(c.region, c.time, n));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, gzip(&(c.record().to_string() + "\n"))).unwrap();
    }
    let second = append(dir.path(), "2026-03-15", "2026-04-01");
    assert_eq!(append(dir.path(), "2026-03-15", "2026-04-01"), second);
    for c in [&late, &late_west] {
        *want
            .entry((
                c.day().to_string(),
                c.region.to_string(),
                c.model.to_string(),
                c.who.clone(),
            ))
            .or_default() += 1;
    }
    let (_, rows2) = history_rows(&second);
    let mut got_second = keys(&rows2);
    got_second.sort();
    let want_second: Vec<_> = want
        .iter()
        .map(|((d, r, m, p), n)| (d.clone(), r.clone(), m.clone(), p.clone(), n.to_string()))
        .collect();
    assert_eq!(got_second, want_second);
    // The first half's rows are the first run's, byte for byte.
    let early = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .filter(|r| r[date].as_str() < "2026-03-15")
            .cloned()
            .collect()
    };
    assert_eq!(early(&rows2), early(&rows));
}

#[test]
fn usage_errors_exit_2_and_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let range = ["--since", "2026-03-01", "--until", "2026-03-02"];
    let err = |args: &[&str]| -> String {
        let out = meter().args(args).assert().code(2).get_output().clone();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = err(&[&["report", "daily", "--by", "principal"][..], &range].concat());
    assert!(e.contains("--logs"), "{e}");
    let e = err(&[&["report", "daily", "--check-cloudwatch"][..], &range].concat());
    assert!(e.contains("--logs"), "{e}");
    let d = dir.path().to_str().unwrap();
    let e = err(&["report", "chargeback", "--month", "2026-13", "--logs", d]);
    assert!(e.contains("--month"), "{e}");
    let e = err(&[
        "report",
        "chargeback",
        "--month",
        MONTH,
        "--by",
        "model",
        "--logs",
        d,
    ]);
    assert!(e.contains("principal or tag:KEY"), "{e}");
}
