//! `--format html` end to end: daily (from invocation logs the test writes), chargeback,
//! governance (a trail file the test writes), plan and estimate. Each file must be
//! well-formed markup (tokenised with xmlparser, every element closed), carry no live
//! hostile strings, and draw one mark per data point with heights (bars) or positions
//! (line dots) proportional to the values of the JSON output of the same run.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

const ACCT: &str = "111122223333";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const HAIKU35: &str = "anthropic.claude-3-5-haiku-20241022-v1:0";
/// An unknown model ID that tries to break out of an attribute.
const HOSTILE_MODEL: &str = "\"><svg onload=alert(1)>";
const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
const ANSI: &str = "bob\u{1b}[31mred\u{1b}]0;title\u{7}";

fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env_remove("BEDROCK_METER_FORMAT")
        .env("BEDROCK_METER_CONFIG", "");
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---------- a small DOM over xmlparser tokens ----------

#[derive(Debug, Default, Clone)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn num(&self, k: &str) -> f64 {
        self.attr(k)
            .unwrap_or_else(|| panic!("no {k} on {self:?}"))
            .parse()
            .unwrap()
    }
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
    fn find(&self, name: &str) -> Vec<&El> {
        let mut v = Vec::new();
        self.all(name, &mut v);
        v
    }
    /// All text below this element (raw, entities unresolved).
    fn all_text(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.all_text());
        }
        s
    }
}

/// Parses the document strictly: a tokenizer error or an unbalanced tag fails the test.
fn parse(html: &str) -> El {
    let mut stack = vec![El {
        name: "#document".into(),
        ..El::default()
    }];
    for token in xmlparser::Tokenizer::from(html) {
        let token = token.unwrap_or_else(|e| panic!("not well-formed: {e}"));
        match token {
            xmlparser::Token::ElementStart { local, .. } => stack.push(El {
                name: local.as_str().to_string(),
                ..El::default()
            }),
            xmlparser::Token::Attribute { local, value, .. } => stack
                .last_mut()
                .unwrap()
                .attrs
                .push((local.as_str().to_string(), value.as_str().to_string())),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(_, name) => {
                    let el = stack.pop().unwrap();
                    assert_eq!(el.name, name.as_str(), "mismatched end tag");
                    stack.last_mut().unwrap().children.push(el);
                }
                xmlparser::ElementEnd::Empty => {
                    let el = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(el);
                }
            },
            xmlparser::Token::Text { text } => {
                stack.last_mut().unwrap().text.push_str(text.as_str());
            }
            _ => {}
        }
    }
    assert_eq!(
        stack.len(),
        1,
        "unclosed elements: {:?}",
        stack.iter().map(|e| &e.name).collect::<Vec<_>>()
    );
    stack.pop().unwrap()
}

/// The document's structure: one html/head/body, no script, no event handler attribute,
/// no control character, no external resource.
fn check_inert(html: &str, doc: &El) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(doc.find("html").len(), 1);
    assert_eq!(doc.find("body").len(), 1);
    assert!(doc.find("script").is_empty(), "a script element");
    fn walk(e: &El) {
        for (k, v) in &e.attrs {
            assert!(!k.starts_with("on"), "event handler attribute {k}={v}");
            assert!(k != "href" && k != "src", "external resource {k}={v}");
        }
        e.children.iter().for_each(walk);
    }
    walk(doc);
    assert!(
        !html.chars().any(|c| c.is_control() && c != '\n'),
        "a control character in the HTML"
    );
    assert!(!html.contains("http://evil") || html.contains("=HYPERLINK(&quot;http://evil"));
}

/// A chart's figure, by the start of its title.
fn figure<'a>(doc: &'a El, title: &str) -> &'a El {
    doc.find("figure")
        .into_iter()
        .find(|f| {
            f.find("h2")
                .first()
                .is_some_and(|h| h.all_text().starts_with(title))
        })
        .unwrap_or_else(|| panic!("no chart `{title}`"))
}

/// Legend: series name (raw text, escaped) → colour.
fn legend(fig: &El) -> Vec<(String, String)> {
    fig.find("li")
        .into_iter()
        .filter_map(|li| Some((li.all_text(), li.attr("data-colour")?.to_string())))
        .collect()
}

/// The data rects of one colour, in drawing order.
fn rects<'a>(fig: &'a El, colour: &str) -> Vec<&'a El> {
    fig.find("rect")
        .into_iter()
        .filter(|r| r.attr("fill") == Some(colour))
        .collect()
}

/// Asserts that marks are proportional to values: one `k` (pixels per unit) for all,
/// each mark within 1.5 pixels of `k × value` (plotters rounds edges to whole pixels).
fn assert_proportional(pixels: &[f64], values: &[f64]) {
    assert_eq!(pixels.len(), values.len(), "one mark per data point");
    assert!(!values.is_empty());
    let (i, vmax) = values
        .iter()
        .copied()
        .enumerate()
        .fold((0, 0.0), |a, (i, v)| if v > a.1 { (i, v) } else { a });
    let k = pixels[i] / vmax;
    assert!(k > 0.0);
    for (p, v) in pixels.iter().zip(values) {
        assert!(
            (p - k * v).abs() <= 1.5,
            "mark of {p}px for value {v} (expected {}px)",
            k * v
        );
    }
}

/// A number of the JSON output.
fn f(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

// ---------- fixtures ----------

fn log_record(
    id: usize,
    day: &str,
    model: &str,
    who: &str,
    team: &str,
    input: u64,
    output: u64,
) -> Value {
    json!({
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": format!("{day}T10:{:02}:00Z", id % 60),
        "accountId": ACCT,
        "identity": {"arn": format!("arn:aws:iam::{ACCT}:user/{who}")},
        "region": "us-west-2",
        "requestId": format!("req-{id}"),
        "operation": "Converse",
        "modelId": model,
        "requestMetadata": {"team": team},
        "input": {"inputContentType": "application/json", "inputTokenCount": input},
        "output": {"outputContentType": "application/json", "outputTokenCount": output},
    })
}

/// Five days of calls by four principals (three with hostile names) on two priced models
/// and one hostile unknown model.
fn write_logs(dir: &Path) {
    let mut lines = Vec::new();
    let who = ["alice", SCRIPT, FORMULA, ANSI];
    let mut id = 0;
    for (d, day) in [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
    ]
    .iter()
    .enumerate()
    {
        for (w, name) in who.iter().enumerate() {
            for (m, model) in [NOVA_LITE, HAIKU35, HOSTILE_MODEL].iter().enumerate() {
                if (d + w + m) % 4 == 3 {
                    continue;
                }
                id += 1;
                let input = 1000 * (d as u64 + 1) * (w as u64 + 1) + 17 * m as u64;
                let output = 300 * (w as u64 + 2) + 50 * d as u64;
                lines.push(
                    log_record(
                        id,
                        day,
                        model,
                        name,
                        if w % 2 == 0 { SCRIPT } else { "ml" },
                        input,
                        output,
                    )
                    .to_string(),
                );
            }
        }
    }
    std::fs::write(dir.join("invocations.jsonl"), lines.join("\n") + "\n").unwrap();
}

fn daily(dir: &Path, format: &str) -> String {
    run(meter()
        .args(["--format", format, "report", "daily", "--no-progress"])
        .args(["--since", "2026-03-01", "--until", "2026-03-06", "--logs"])
        .arg(dir))
}

#[test]
fn daily_html_draws_the_json_numbers_and_keeps_hostile_strings_inert() {
    let tmp = tempfile::tempdir().unwrap();
    write_logs(tmp.path());
    let json: Value = serde_json::from_str(&daily(tmp.path(), "json")).unwrap();
    let html = daily(tmp.path(), "html");
    let doc = parse(&html);
    check_inert(&html, &doc);
    assert!(
        html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"),
        "the hostile model ID is shown, escaped"
    );

    // Cost by model: per model, one rect per day with a positive cost, heights ∝ cost.
    let rows = json["rows"].as_array().unwrap();
    let mut cost: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut tokens: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in rows {
        let key = (
            r["model_id"].as_str().unwrap().to_string(),
            r["date"].as_str().unwrap().to_string(),
        );
        *cost.entry(key).or_default() += f(&r["total_cost_usd"]);
        let t = tokens
            .entry(r["date"].as_str().unwrap().to_string())
            .or_default();
        t.0 += f(&r["input_tokens"]);
        t.1 += f(&r["output_tokens"]);
    }
    let fig = figure(&doc, "Daily cost by model");
    let keys = legend(fig);
    assert_eq!(keys.len(), 3, "{keys:?}");
    let mut pixels = Vec::new();
    let mut values = Vec::new();
    for (name, colour) in &keys {
        let model = if name.contains("svg onload") {
            HOSTILE_MODEL
        } else {
            name.as_str()
        };
        let mut v: Vec<f64> = cost
            .iter()
            .filter(|((m, _), c)| m == model && **c > 0.0)
            .map(|(_, c)| *c)
            .collect();
        let r = rects(fig, colour);
        assert_eq!(r.len(), v.len(), "rects of {name}");
        pixels.extend(r.iter().map(|r| r.num("height")));
        values.append(&mut v);
    }
    assert!(values.len() >= 8, "{values:?}");
    assert_proportional(&pixels, &values);
    // Stacks: the rects of one day sit on one another (each starts where the last ended).
    assert!(fig.find("svg").len() == 1);

    // Tokens by kind: input and output stacks per day ∝ the JSON sums.
    let fig = figure(&doc, "Tokens by kind");
    let legend = legend(fig);
    let colour = |n: &str| legend.iter().find(|(k, _)| k == n).unwrap().1.clone();
    let input: Vec<f64> = tokens.values().map(|t| t.0).collect();
    let output: Vec<f64> = tokens.values().map(|t| t.1).collect();
    let mut px: Vec<f64> = rects(fig, &colour("input"))
        .iter()
        .map(|r| r.num("height"))
        .collect();
    px.extend(
        rects(fig, &colour("output"))
            .iter()
            .map(|r| r.num("height")),
    );
    assert_proportional(&px, &[input, output].concat());
    assert!(
        rects(fig, &colour("cache read")).is_empty(),
        "no cache reads: no marks"
    );

    // The table has every row and the TOTAL row; the hostile principal does not appear as
    // markup anywhere.
    let table = doc.find("tbody");
    assert_eq!(table[0].find("tr").len(), rows.len() + 1);
}

#[test]
fn chargeback_html_ranks_principals_with_escaped_labels() {
    let tmp = tempfile::tempdir().unwrap();
    write_logs(tmp.path());
    let cb = |format: &str| {
        run(meter()
            .args([
                "--format",
                format,
                "report",
                "chargeback",
                "--month",
                "2026-03",
                "--logs",
            ])
            .arg(tmp.path()))
    };
    let json: Value = serde_json::from_str(&cb("json")).unwrap();
    let html = cb("html");
    let doc = parse(&html);
    check_inert(&html, &doc);
    let fig = figure(&doc, "Top principal by cost");
    let (_, colour) = legend(fig).into_iter().next().unwrap();
    let values: Vec<f64> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| f(&r["total_cost_usd"]))
        .filter(|v| *v > 0.0)
        .collect();
    assert_eq!(values.len(), 4);
    let px: Vec<f64> = rects(fig, &colour)
        .iter()
        .map(|r| r.num("height"))
        .collect();
    assert_proportional(&px, &values);
    // Axis labels are the principals, escaped by plotters; the control characters made visible.
    let labels: String = fig.find("text").iter().map(|t| t.all_text()).collect();
    assert!(labels.contains("&lt;script&gt;"), "{labels}");
    assert!(labels.contains("\\x1b[31mred"), "{labels}");

    // By tag: the hostile tag value is a label too.
    let html = run(meter()
        .args([
            "--format",
            "html",
            "report",
            "chargeback",
            "--month",
            "2026-03",
            "--by",
            "tag:team",
            "--logs",
        ])
        .arg(tmp.path()));
    let doc = parse(&html);
    check_inert(&html, &doc);
    assert_eq!(rects(figure(&doc, "Top tag:team"), "#1F77B4").len(), 2);
}

#[test]
fn governance_html_counts_calls_per_principal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    let people = [("alice", 5u64, 1u64), (SCRIPT, 3, 0), (FORMULA, 7, 2)];
    let mut n = 0;
    for (who, calls, errors) in people {
        for i in 0..calls {
            n += 1;
            let mut r = json!({
                "eventVersion": "1.09",
                "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::{ACCT}:user/{who}"), "accountId": ACCT, "userName": who},
                "eventTime": format!("2026-03-02T10:{:02}:00Z", n),
                "eventSource": "bedrock.amazonaws.com",
                "eventName": "InvokeModel",
                "awsRegion": "us-west-2",
                "sourceIPAddress": "203.0.113.10",
                "userAgent": ANSI,
                "requestParameters": {"modelId": NOVA_LITE},
                "responseElements": null,
                "requestID": format!("req-{n}"),
                "eventID": format!("ev-{n}"),
                "readOnly": true,
                "eventType": "AwsApiCall",
                "managementEvent": false,
                "recipientAccountId": ACCT,
            });
            if i < errors {
                r["errorCode"] = "ThrottlingException".into();
            }
            records.push(r);
        }
    }
    let file = tmp.path().join("trail.json");
    std::fs::write(&file, json!({"Records": records}).to_string()).unwrap();
    let gov = |format: &str| {
        run(meter()
            .args([
                "--format",
                format,
                "report",
                "governance",
                "--no-progress",
                "--by",
                "principal",
            ])
            .args(["--since", "2026-03-01", "--until", "2026-03-05", "--trail"])
            .arg(&file))
    };
    let json: Value = serde_json::from_str(&gov("json")).unwrap();
    let html = gov("html");
    let doc = parse(&html);
    check_inert(&html, &doc);
    let fig = figure(&doc, "Calls and errors by principal");
    let legend = legend(fig);
    let mut rows: Vec<(f64, f64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (f(&r["calls"]), f(&r["error_calls"])))
        .collect();
    rows.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![7.0, 5.0, 3.0]
    );
    let calls: Vec<f64> = rects(fig, &legend[0].1)
        .iter()
        .map(|r| r.num("height"))
        .collect();
    let errors: Vec<f64> = rects(fig, &legend[1].1)
        .iter()
        .map(|r| r.num("height"))
        .collect();
    let mut px = calls.clone();
    px.extend(&errors);
    let values: Vec<f64> = rows
        .iter()
        .map(|r| r.0)
        .chain(rows.iter().map(|r| r.1).filter(|e| *e > 0.0))
        .collect();
    assert_proportional(&px, &values);
}

#[test]
fn plan_html_lines_follow_the_months_and_mark_break_even() {
    let workload = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/workload.toml");
    let json: Value =
        serde_json::from_str(&run(meter().args(["--format", "json", "plan", workload]))).unwrap();
    let html = run(meter().args(["--format", "html", "plan", workload]));
    let doc = parse(&html);
    check_inert(&html, &doc);
    let figures = doc.find("figure");
    let workloads = json["workloads"].as_array().unwrap();
    assert_eq!(figures.len(), workloads.len());
    for (fig, w) in figures.iter().zip(workloads) {
        let months = w["months"].as_array().unwrap();
        // (dot y, value) of every series: all on one line y = base − k·value.
        let mut points: Vec<(f64, f64)> = Vec::new();
        for (name, colour) in legend(fig) {
            if name.starts_with("break-even") {
                continue;
            }
            let values: Vec<f64> = months
                .iter()
                .filter_map(|m| {
                    m["options"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|o| o["option"] == name.as_str() && o["complete"] == true)
                        .map(|o| f(&o["total_usd"]))
                })
                .filter(|v| *v > 0.0)
                .collect();
            let dots: Vec<f64> = fig
                .find("circle")
                .into_iter()
                .filter(|c| c.attr("fill") == Some(colour.as_str()))
                .map(|c| c.num("cy"))
                .collect();
            assert_eq!(dots.len(), values.len(), "dots of {name}");
            points.extend(dots.into_iter().zip(values));
        }
        assert!(points.len() >= 4, "{points:?}");
        let n = points.len() as f64;
        let (my, mv) = (
            points.iter().map(|p| p.0).sum::<f64>() / n,
            points.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let slope = points.iter().map(|p| (p.0 - my) * (p.1 - mv)).sum::<f64>()
            / points.iter().map(|p| (p.1 - mv).powi(2)).sum::<f64>();
        assert!(slope < 0.0, "higher cost, higher dot");
        let base = my - slope * mv;
        for (y, v) in &points {
            assert!((y - (base + slope * v)).abs() <= 1.5, "dot at {y} for {v}");
        }
        // The line meets value 0 at the plot's bottom edge (340 px − 12 margin − 40 labels).
        assert!((base - 288.0).abs() <= 2.0, "zero at {base}");
        let markers = fig
            .find("li")
            .iter()
            .filter(|l| l.attr("class") == Some("marker"))
            .count();
        let expected = w["break_even"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| {
                b["requests_per_day"].as_u64().is_some_and(|need| {
                    months
                        .iter()
                        .any(|m| f(&m["requests_per_day"]) >= need as f64)
                })
            })
            .count();
        assert_eq!(markers, expected);
    }
}

#[test]
fn estimate_html_has_a_bar_per_mode() {
    let args = [
        "estimate",
        "--model",
        HAIKU35,
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "200000",
    ];
    let json: Value =
        serde_json::from_str(&run(meter().args(["--format", "json"]).args(args))).unwrap();
    let html = run(meter().args(["--format", "html"]).args(args));
    let doc = parse(&html);
    check_inert(&html, &doc);
    let fig = figure(&doc, "Cost by pricing mode");
    let values: Vec<f64> = json["modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| f(&m["total_usd"]))
        .collect();
    assert!(values.len() >= 2, "{values:?}");
    let px: Vec<f64> = rects(fig, "#1F77B4")
        .iter()
        .map(|r| r.num("height"))
        .collect();
    assert_proportional(&px, &values);
}
