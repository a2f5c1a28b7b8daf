//! `estimate` on prompts, request bodies and batch-inference JSONL, end to end: the JSON
//! contract's `records`, `input_tokens`, `output_tokens` and `batch_savings`, per-record CSV
//! totals, and bad input (truncated JSON, wrong types, a body for another model, empty
//! lines, invalid UTF-8, a 50 MB line, gzip, stdin, --strict).

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use assert_cmd::Command;
use bedrock_meter::tokenize::{Engine, counter};
use rust_decimal::Decimal;
use serde_json::Value;

const LLAMA: &str = "meta.llama3-1-8b-instruct-v1:0";
const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn cmd() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

fn estimate_json(args: &[&str]) -> Value {
    let out = cmd()
        .args(["--format", "json", "--as-of", "2026-11-01", "estimate"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap()
}

fn mode_total(j: &Value, mode: &str) -> Decimal {
    let m = j["modes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == mode)
        .unwrap_or_else(|| panic!("no {mode}: {j}"));
    dec(&m["total_usd"])
}

/// Reads the per-record CSV: header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column_sum(header: &[String], rows: &[Vec<String>], name: &str) -> Decimal {
    let i = header.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| Decimal::from_str(&r[i]).unwrap()).sum()
}

const TOPICS: [&str; 10] = [
    "a late delivery",
    "a double charge",
    "a broken zipper",
    "a password reset",
    "an address change",
    "a coupon that failed",
    "a missing invoice",
    "a subscription cancel",
    "a damaged parcel",
    "a gift card balance",
];

#[test]
fn llama_batch_tokens_costs_records_and_per_record_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("records.csv");
    let j = estimate_json(&[
        "--model",
        LLAMA,
        "--batch",
        "examples/batch-llama.jsonl",
        "--per-record",
        csv.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(j["records"]["ok"], 20);
    assert_eq!(j["records"]["failed"], 0);

    // Independently: 6 special tokens per prompt, the rest counted with the reference
    // Llama 3 tokenizer.
    let llama3 = counter("llama3", Engine::Reference).unwrap();
    let mut input = 0u64;
    for i in 0..20 {
        let text = format!(
            "\n\nSummarise a customer ticket about {} in one line. Ticket #{}.",
            TOPICS[i % 10],
            2000 + i
        );
        input += 6 + ["user", &text, "assistant", "\n\n"]
            .iter()
            .map(|t| llama3.count(t) as u64)
            .sum::<u64>();
    }
    let ceiling: u64 = (0..20).map(|i| [64u64, 128][i % 2]).sum();
    assert_eq!(j["input_tokens"]["total"], input);
    assert_eq!(j["input_tokens"]["exact"], true);
    assert_eq!(j["output_tokens"]["ceiling"], ceiling);
    assert_eq!(j["output_tokens"]["expected"], ceiling);
    assert_eq!(j["requests"], 20);

    // $0.22 / 1M in and out on demand, $0.11 batch.
    let od = Decimal::from(input + ceiling) * Decimal::from_str("0.22").unwrap()
        / Decimal::from(1_000_000);
    assert_eq!(mode_total(&j, "on-demand").normalize(), od.normalize());
    let b = Decimal::from(input + ceiling) * Decimal::from_str("0.11").unwrap()
        / Decimal::from(1_000_000);
    assert_eq!(mode_total(&j, "batch").normalize(), b.normalize());
    assert_eq!(
        dec(&j["batch_savings"]["saving_usd"]).normalize(),
        (od - b).normalize()
    );
    assert_eq!(dec(&j["batch_savings"]["saving_pct"]), Decimal::from(50));

    // The per-record CSV adds up to the totals.
    let (header, rows) = read_csv(&csv);
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0][0], "L0001");
    assert_eq!(rows[19][1], "20");
    assert_eq!(
        column_sum(&header, &rows, "input_tokens"),
        Decimal::from(input)
    );
    assert_eq!(
        column_sum(&header, &rows, "output_tokens_expected"),
        Decimal::from(ceiling)
    );
    for mode in ["on-demand", "batch"] {
        assert_eq!(
            column_sum(&header, &rows, &format!("cost_{mode}_usd")).normalize(),
            mode_total(&j, mode).normalize()
        );
    }
}

#[test]
fn claude_batch_with_output_ratio_and_cache_hit_rate() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("records.csv");
    let j = estimate_json(&[
        "--model",
        HAIKU,
        "--batch",
        "examples/batch.jsonl",
        "--output-ratio",
        "0.5",
        "--per-record",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(j["records"]["ok"], 20);
    assert_eq!(j["output_tokens"]["expected_from"], "output-ratio");
    let (header, rows) = read_csv(&csv);
    assert_eq!(
        Decimal::from(j["input_tokens"]["total"].as_u64().unwrap()),
        column_sum(&header, &rows, "input_tokens")
    );
    assert_eq!(
        Decimal::from(j["output_tokens"]["expected"].as_u64().unwrap()),
        column_sum(&header, &rows, "output_tokens_expected")
    );
    for mode in ["on-demand", "batch"] {
        assert_eq!(
            column_sum(&header, &rows, &format!("cost_{mode}_usd")).normalize(),
            mode_total(&j, mode).normalize()
        );
    }
    assert!(j["batch_savings"]["saving_usd"].is_number());
    let w = j["warnings"].to_string();
    assert!(w.contains("have cache markers"), "{w}");

    // Claude 3 Haiku has no cache rates: a hit rate is applied to the marked records, and
    // the mode lists the cache dimension as unpriced rather than $0.
    let j = estimate_json(&[
        "--model",
        HAIKU,
        "--batch",
        "examples/batch.jsonl",
        "--cache-hit-rate",
        "0.9",
    ]);
    assert!(j["input_tokens"]["cache_read"].as_u64().unwrap() > 0);
    assert!(j["unpriced"].to_string().contains("cache-read"), "{j}");
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

const GOOD: &str = r#"{"recordId":"a","modelInput":{"prompt":"Hello there","max_gen_len":10}}"#;

fn bad_file() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(GOOD.as_bytes());
    f.push(b'\n');
    // 2: truncated JSON
    f.extend_from_slice(br#"{"recordId":"b","modelInput":{"prompt":"Hel"#);
    f.push(b'\n');
    // 3: wrong type
    f.extend_from_slice(br#"{"recordId":"c","modelInput":{"prompt":42,"max_gen_len":10}}"#);
    f.push(b'\n');
    // 4: a body for another model (Titan)
    f.extend_from_slice(br#"{"recordId":"d","modelInput":{"inputText":"hi","textGenerationConfig":{"maxTokenCount":5}}}"#);
    f.push(b'\n');
    // 5: empty line
    f.extend_from_slice(b"   \n");
    // 6: invalid UTF-8
    f.extend_from_slice(b"{\"recordId\":\"e\",\"modelInput\":{\"prompt\":\"caf\xe9\"}}\n");
    // 7: good
    f.extend_from_slice(GOOD.as_bytes());
    f.push(b'\n');
    f
}

#[test]
fn bad_records_are_counted_and_reported_and_the_rest_is_priced() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.jsonl", &bad_file());
    let j = estimate_json(&["--model", LLAMA, "--batch", &path, "--jobs", "2"]);
    assert_eq!(j["records"]["ok"], 2);
    assert_eq!(j["records"]["failed"], 4);
    assert_eq!(j["records"]["empty_lines"], 1);
    let bad: Vec<(u64, String)> = j["records"]["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["line"].as_u64().unwrap(),
                b["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lines: Vec<u64> = bad.iter().map(|b| b.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 6]);
    assert!(
        bad[0].1.contains("line 2: invalid JSON: EOF while parsing"),
        "{}",
        bad[0].1
    );
    assert!(
        bad[1]
            .1
            .contains("line 3: modelInput.prompt: expected a string, found a number"),
        "{}",
        bad[1].1
    );
    assert!(
        bad[2]
            .1
            .contains("line 4: modelInput: the body is in Amazon Titan text"),
        "{}",
        bad[2].1
    );
    assert!(bad[3].1.contains("line 6: not UTF-8"), "{}", bad[3].1);
    let llama3 = counter("llama3", Engine::Reference).unwrap();
    assert_eq!(
        j["input_tokens"]["total"],
        2 * llama3.count("Hello there") as u64
    );
    assert!(
        j["warnings"]
            .to_string()
            .contains("4 bad record(s) skipped")
    );
}

#[test]
fn strict_stops_at_the_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.jsonl", &bad_file());
    let out = cmd()
        .args(["estimate", "--model", LLAMA, "--strict", "--batch", &path])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("bad.jsonl: line 2: invalid JSON"), "{err}");
    assert!(err.contains("--strict"), "{err}");
}

#[test]
fn gzip_and_stdin_give_the_same_totals() {
    let plain =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/batch-llama.jsonl"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gz_path = write(dir.path(), "batch.jsonl.gz", &gz.finish().unwrap());
    let a = estimate_json(&["--model", LLAMA, "--batch", "examples/batch-llama.jsonl"]);
    let b = estimate_json(&["--model", LLAMA, "--batch", &gz_path]);
    assert_eq!(a["input_tokens"], b["input_tokens"]);
    assert_eq!(a["modes"], b["modes"]);
    let out = cmd()
        .args([
            "--format",
            "json",
            "--as-of",
            "2026-11-01",
            "estimate",
            "--model",
            LLAMA,
            "--batch",
            "-",
            "--jobs",
            "1",
        ])
        .write_stdin(plain)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let c: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(a["input_tokens"], c["input_tokens"]);
    assert_eq!(a["records"], c["records"]);
}

#[test]
fn a_50_mb_single_line_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let word = "tokens ";
    let n = 50 * 1024 * 1024 / word.len();
    f.write_all(br#"{"recordId":"big","modelInput":{"max_gen_len":1,"prompt":""#)
        .unwrap();
    for _ in 0..n {
        f.write_all(word.as_bytes()).unwrap();
    }
    f.write_all(b"\"}}\n").unwrap();
    f.write_all(GOOD.as_bytes()).unwrap();
    f.write_all(b"\n").unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 50 * 1024 * 1024);
    let j = estimate_json(&["--model", LLAMA, "--batch", path.to_str().unwrap()]);
    assert_eq!(j["records"]["ok"], 2);
    assert_eq!(j["records"]["failed"], 0);
    // "tokens " repeated counts linearly (one token per word, plus the trailing space):
    // measured on two small samples with the reference tokenizer, extrapolated to n.
    let llama3 = counter("llama3", Engine::Reference).unwrap();
    let f1 = llama3.count(&word.repeat(1000)) as u64;
    let f2 = llama3.count(&word.repeat(2000)) as u64;
    let per_word = (f2 - f1) / 1000;
    let base = f1 - per_word * 1000;
    let expected = per_word * n as u64 + base + llama3.count("Hello there") as u64;
    assert_eq!(j["input_tokens"]["total"].as_u64().unwrap(), expected);
}

#[test]
fn files_folders_and_prompts() {
    // Every example body, with a model that takes it.
    let cases = [
        ("anthropic-messages.json", HAIKU),
        ("anthropic-text-completion.json", "anthropic.claude-v2:1"),
        ("titan-text.json", "amazon.titan-text-express-v1"),
        ("titan-embed.json", "amazon.titan-embed-text-v2:0"),
        ("nova-messages.json", "amazon.nova-lite-v1:0"),
        ("llama.json", LLAMA),
        ("mistral-prompt.json", "mistral.mistral-7b-instruct-v0:2"),
        ("mistral-chat.json", "mistral.mistral-large-2402-v1:0"),
        ("cohere-command-r.json", "cohere.command-r-v1:0"),
        ("cohere-embed.json", "cohere.embed-english-v3"),
        ("ai21-jamba.json", "ai21.j2-mid-v1"),
        ("deepseek.json", "deepseek.r1-v1:0"),
        ("gpt-oss.json", "openai.gpt-oss-20b-1:0"),
        ("titan-image.json", "amazon.titan-image-generator-v1"),
        ("stability.json", "stability.sd3-5-large-v1:0"),
        (
            "converse.json",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
    ];
    for (file, model) in cases {
        let j = estimate_json(&["--model", model, "-f", &format!("examples/{file}")]);
        assert_eq!(j["records"]["ok"], 1, "{file}: {j}");
        assert!(!j["modes"].as_array().unwrap().is_empty(), "{file}: {j}");
    }

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"Plain text prompt number one.");
    write(
        dir.path(),
        "b.json",
        br#"{"prompt":"Hello there","max_gen_len":10}"#,
    );
    let j = estimate_json(&[
        "--model",
        LLAMA,
        "--dir",
        dir.path().to_str().unwrap(),
        "--prompt",
        "Hello there",
        "--output-tokens",
        "7",
    ]);
    assert_eq!(j["records"]["ok"], 3);
    let llama3 = counter("llama3", Engine::Reference).unwrap();
    // Plain text and --prompt are one user message: 1 + 5 + text + 4 (Llama 3 template).
    let expected = (10 + llama3.count("Plain text prompt number one.") as u64)
        + llama3.count("Hello there") as u64
        + (10 + llama3.count("Hello there") as u64);
    assert_eq!(j["input_tokens"]["total"], expected);
    assert_eq!(j["output_tokens"]["expected"], 21);

    // A broken JSON file names the file.
    let bad = write(dir.path(), "c.json", br#"{"prompt": "#);
    let err = cmd()
        .args(["estimate", "--model", LLAMA, "-f", &bad])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("c.json: invalid JSON"), "{err}");

    // Token-count flags do not mix with request inputs.
    cmd()
        .args([
            "estimate",
            "--model",
            LLAMA,
            "--prompt",
            "x",
            "--input-tokens",
            "5",
        ])
        .assert()
        .code(2);
}

#[test]
fn one_and_two_jobs_agree() {
    let a = estimate_json(&[
        "--model",
        HAIKU,
        "--batch",
        "examples/batch.jsonl",
        "--jobs",
        "1",
    ]);
    let b = estimate_json(&[
        "--model",
        HAIKU,
        "--batch",
        "examples/batch.jsonl",
        "--jobs",
        "2",
    ]);
    assert_eq!(a["input_tokens"], b["input_tokens"]);
    assert_eq!(a["modes"], b["modes"]);
}
