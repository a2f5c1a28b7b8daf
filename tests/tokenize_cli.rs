//! `count` end to end: formats, inputs, ID forms and errors.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(
        &cmd()
            .args(["--format", "json", "count"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap()
}

#[test]
fn one_input_prints_one_object() {
    let v = json(&["--model", "meta.llama3-1-8b-instruct-v1:0", "Hello, world!"]);
    assert_eq!(v["model_id"], "meta.llama3-1-8b-instruct-v1:0");
    assert_eq!(v["family"], "llama3");
    assert_eq!(v["tokens"], 4, "Hello | , | world | !");
    assert_eq!(v["exact"], true);
    assert!(v["error_band"].is_null());
}

#[test]
fn several_inputs_print_an_array_and_a_total() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/");
    let golden: Value = serde_json::from_str(include_str!("corpus/reference-counts.json")).unwrap();
    let v = json(&[
        "--model",
        "mistral.mistral-7b-instruct-v0:2",
        "-f",
        &format!("{corpus}english.txt"),
        "-f",
        &format!("{corpus}cjk.txt"),
    ]);
    let inputs = v["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    let want = golden["mistral-v1"]["english.txt"]["total"]
        .as_u64()
        .unwrap()
        + golden["mistral-v1"]["cjk.txt"]["total"].as_u64().unwrap();
    assert_eq!(v["total"]["tokens"].as_u64().unwrap(), want);
    assert_eq!(
        inputs[0]["source"].as_str().unwrap(),
        format!("{corpus}english.txt")
    );
}

#[test]
fn stdin_and_every_id_form() {
    let out = cmd()
        .args([
            "--format",
            "json",
            "count",
            "--model",
            "deepseek.r1-v1:0",
            "-f",
            "-",
        ])
        .write_stdin("fn main() {}\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["family"], "deepseek");
    for id in [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc",
        "openai.gpt-oss-20b-1:0+flex",
        "anthropic.claude-3-haiku-20240307-v1:0:200k",
    ] {
        let v = json(&["--model", id, "two words"]);
        assert!(v["tokens"].as_u64().unwrap() >= 2, "{id}");
    }
}

#[test]
fn approximate_models_carry_a_band_in_every_format() {
    let v = json(&["--model", "amazon.nova-pro-v1:0", "Summarise this ticket."]);
    assert_eq!(v["exact"], false);
    assert_eq!(v["error_band"]["plus_pct"], 15.0);
    cmd()
        .args(["count", "--model", "amazon.nova-pro-v1:0", "x"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-15%/+15%"));
    cmd()
        .args([
            "--format",
            "csv",
            "count",
            "--model",
            "amazon.nova-pro-v1:0",
            "x",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "source,model_id,family,tokens,exact,error_band\n",
        ));
    cmd()
        .args([
            "--format",
            "markdown",
            "count",
            "--model",
            "amazon.nova-pro-v1:0",
            "x",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("| text |"));
}

#[test]
fn errors() {
    cmd()
        .args(["count", "--model", "meta.llama-9", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown model"));
    cmd()
        .args(["count", "--model", "meta.llama3-1-8b-instruct-v1:0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give TEXT"));
    cmd()
        .args([
            "count",
            "--model",
            "meta.llama3-1-8b-instruct-v1:0",
            "-f",
            "/no/such/file",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/no/such/file"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.txt");
    std::fs::write(&bad, b"caf\xe9 au lait").unwrap();
    cmd()
        .args([
            "count",
            "--model",
            "meta.llama3-1-8b-instruct-v1:0",
            "-f",
            bad.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "latin1.txt: not UTF-8 text (invalid byte at offset 3)",
        ));
}
