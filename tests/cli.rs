//! Each command and format end to end, including the error cases.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const HAIKU_3: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn cmd() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES");
    c
}

fn json_of(args: &[&str]) -> Value {
    let out = cmd()
        .args(["--format", "json"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn estimate_json_contract() {
    let v = json_of(&[
        "estimate",
        "--model",
        HAIKU_3,
        "--region",
        "us-east-1",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
    ]);
    assert_eq!(v["model_id"], HAIKU_3);
    assert_eq!(v["resolved_model"], HAIKU_3);
    assert_eq!(v["region"], "us-east-1");
    let modes = v["modes"].as_array().unwrap();
    let find = |m: &str| {
        modes
            .iter()
            .find(|x| x["mode"] == m)
            .unwrap_or_else(|| panic!("no {m}"))
    };
    // Exact decimal numbers in the JSON text.
    assert_eq!(find("on-demand")["total_usd"].to_string(), "1.50");
    assert_eq!(find("batch")["total_usd"].to_string(), "0.75");
    let li = &find("on-demand")["line_items"][0];
    for key in [
        "dimension",
        "quantity",
        "unit",
        "unit_price_usd",
        "cost_usd",
    ] {
        assert!(li.get(key).is_some(), "line item lacks {key}");
    }
    assert!(v["unpriced"].as_array().unwrap().is_empty());
    assert!(v["warnings"].is_array());
}

#[test]
fn estimate_every_format() {
    let args = [
        "estimate",
        "--model",
        HAIKU_3,
        "--input-tokens",
        "1_000",
        "--output-tokens",
        "500",
        "--mode",
        "on-demand",
    ];
    cmd()
        .args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains("on-demand").and(predicate::str::contains("$0.000875")));
    let csv = cmd()
        .args(["--format", "csv"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("mode,dimension,quantity,unit,unit_price_usd,cost_usd,note")
    );
    assert_eq!(
        lines.next(),
        Some("on-demand,input-tokens,1000,1K tokens,0.00025,0.00025,")
    );
    assert_eq!(
        lines.next(),
        Some("on-demand,output-tokens,500,1K tokens,0.00125,0.000625,")
    );
    assert_eq!(lines.next(), Some("on-demand,total,,,,0.000875,"));
    cmd()
        .args(["--format", "markdown"])
        .args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains("| on-demand | total |"));
}

#[test]
fn estimate_output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("est.json");
    cmd()
        .args([
            "--format",
            "json",
            "--output",
            path.to_str().unwrap(),
            "estimate",
            "--model",
            HAIKU_3,
            "--input-tokens",
            "10",
            "--output-tokens",
            "10",
        ])
        .assert()
        .success()
        .stdout("");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["resolved_model"], HAIKU_3);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "est.json")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
    cmd()
        .args([
            "--output",
            "/nonexistent-dir/x.csv",
            "estimate",
            "--model",
            HAIKU_3,
            "--input-tokens",
            "10",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/nonexistent-dir"));
}

#[test]
fn estimate_unpriced_mode_is_listed_not_zero() {
    let v = json_of(&[
        "estimate",
        "--model",
        "anthropic.claude-v2",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1",
        "--mode",
        "on-demand,batch,provisioned-6-month",
    ]);
    assert_eq!(v["modes"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["unpriced"],
        serde_json::json!(["batch", "provisioned-6-month"])
    );
    let csv = cmd()
        .args([
            "--format",
            "csv",
            "estimate",
            "--model",
            "anthropic.claude-v2",
            "--input-tokens",
            "1",
            "--mode",
            "batch",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(csv)
            .unwrap()
            .contains("batch,,,,,,UNPRICED")
    );
}

#[test]
fn estimate_errors() {
    cmd()
        .args([
            "estimate",
            "--model",
            "anthropic.claude-3-haiku",
            "--input-tokens",
            "1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown model").and(predicate::str::contains(HAIKU_3)));
    cmd()
        .args(["estimate", "--model", HAIKU_3, "--input-tokens", "-5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("negative"));
    cmd()
        .args(["estimate", "--model", HAIKU_3, "--input-tokens", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a whole number"));
    cmd()
        .args(["estimate", "--model", HAIKU_3])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--input-tokens"));
    cmd()
        .args([
            "estimate",
            "--model",
            HAIKU_3,
            "--input-tokens",
            "1",
            "--region",
            "mars-1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an AWS Region"));
    cmd()
        .args([
            "estimate",
            "--model",
            HAIKU_3,
            "--input-tokens",
            "1",
            "--mode",
            "spot",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown mode"));
    cmd()
        .args([
            "estimate",
            "--model",
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1",
            "--input-tokens",
            "1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("alias file"));
}

#[test]
fn estimate_with_alias_file_and_env_region() {
    let dir = tempfile::tempdir().unwrap();
    let aliases = dir.path().join("aliases.toml");
    std::fs::write(&aliases, "[aliases]\n\"arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/x1\" = \"global.anthropic.claude-haiku-4-5-20251001-v1:0\"\n").unwrap();
    let out = cmd()
        .args(["--format", "json", "--aliases", aliases.to_str().unwrap()])
        .args([
            "estimate",
            "--model",
            "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/x1",
            "--input-tokens",
            "1000000",
            "--requests",
            "100",
            "--mode",
            "on-demand",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["region"], "us-west-2", "the ARN's Region is used");
    assert_eq!(
        v["modes"][0]["total_usd"].to_string(),
        "1.00",
        "global Haiku 4.5 input is 1.00 per 1M"
    );
    let v: Value = serde_json::from_slice(
        &cmd()
            .env("AWS_REGION", "us-west-2")
            .args([
                "--format",
                "json",
                "estimate",
                "--model",
                HAIKU_3,
                "--input-tokens",
                "1",
            ])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["region"], "us-west-2");
}

#[test]
fn models_every_format_and_filters() {
    cmd()
        .args(["models"])
        .assert()
        .success()
        .stdout(predicate::str::contains(HAIKU_3).and(predicate::str::contains("legacy")));
    let v = json_of(&["models", "--provider", "meta"]);
    let models = v["models"].as_array().unwrap();
    assert!(models.len() >= 10);
    assert!(models.iter().all(|m| m["provider"] == "meta"));
    let csv = String::from_utf8(
        cmd()
            .args(["--format", "csv", "models", "--provider", "Anthropic"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(csv.starts_with("provider,model_id,name,kind,context_window,tokenizer,"));
    assert!(csv.contains(&format!(
        "anthropic,{HAIKU_3},Claude 3 Haiku,text,200000,claude,0.25,1.25,"
    )));
    cmd()
        .args(["--format", "markdown", "models", "--region", "us-west-2"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("## "));
    cmd()
        .args(["models", "--provider", "nobody"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("providers:"));
    // No model is priced there (no source prices il-central-1): say so rather than print an
    // empty table.
    cmd()
        .args(["models", "--region", "il-central-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no model matches in il-central-1"));
}

#[test]
fn pricing_show_every_format() {
    cmd()
        .args(["pricing", "show", HAIKU_3])
        .assert()
        .success()
        .stdout(predicate::str::contains("batch").and(predicate::str::contains("0.00025")));
    let v = json_of(&[
        "pricing",
        "show",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "--region",
        "us-east-1",
    ]);
    assert_eq!(v["scope"], "global");
    assert!(
        v["prices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["scope"] == "geo" && p["usd"] == "3.3")
    );
    let v = json_of(&[
        "--as-of",
        "2026-11-01",
        "pricing",
        "show",
        "amazon.titan-text-lite-v1",
    ]);
    let statuses: Vec<&str> = v["prices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["mode"] == "on-demand")
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"current") && statuses.contains(&"superseded"),
        "{statuses:?}"
    );
    cmd()
        .args(["--format", "csv", "pricing", "show", HAIKU_3])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("regions,mode,dimension,"));
    cmd()
        .args(["--format", "markdown", "pricing", "show", HAIKU_3])
        .assert()
        .success()
        .stdout(predicate::str::contains("| us-east-1 us-west-2 |"));
    cmd()
        .args(["pricing", "show", "anthropic.claude-v1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("unpriced"));
    cmd()
        .args(["pricing", "show", "claude-9000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown model"));
}

#[test]
fn pricing_validate_embedded_folder_and_override() {
    cmd()
        .args(["pricing", "validate"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("OK: embedded catalog"));
    cmd()
        .args([
            "pricing",
            "validate",
            concat!(env!("CARGO_MANIFEST_DIR"), "/pricing"),
        ])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[models]]\nid = \"anthropic.claude-3-haiku-20240307-v1:0\"\nprices = [\n  { mode = \"on-demand\", dimension = \"input-tokens\", unit = \"1M tokens\", usd = 0.2, regions = [\"us-east-1\"], effective = \"2026-01-01\", source = \"deal\" },\n]\n",
    )
    .unwrap();
    cmd()
        .args(["pricing", "validate", bad.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("INVALID").and(predicate::str::contains("as a string")));
    let v: Value = serde_json::from_slice(
        &cmd()
            .args([
                "--format",
                "json",
                "pricing",
                "validate",
                bad.to_str().unwrap(),
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["diagnostics"][0]["line"], 4);
    assert_eq!(v["diagnostics"][0]["field"], "usd");
    // The same broken file as --pricing: every command refuses it.
    cmd()
        .args([
            "--pricing",
            bad.to_str().unwrap(),
            "estimate",
            "--model",
            HAIKU_3,
            "--input-tokens",
            "1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.toml:4"));
}

#[test]
fn override_file_changes_prices() {
    let dir = tempfile::tempdir().unwrap();
    let deal = dir.path().join("deal.toml");
    std::fs::write(
        &deal,
        "[[discounts]]\nmodels = \"anthropic.*\"\nmodes = [\"on-demand\"]\npercent = \"20\"\n",
    )
    .unwrap();
    let v = json_of(&[
        "--pricing",
        deal.to_str().unwrap(),
        "estimate",
        "--model",
        HAIKU_3,
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--requests",
        "10",
    ]);
    let od = v["modes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == "on-demand")
        .unwrap();
    assert_eq!(od["total_usd"].to_string(), "1.20");
}

#[test]
fn untrusted_text_is_neutralised_in_csv_and_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.toml");
    std::fs::write(
        &evil,
        "schema = 1\nprovider = \"evil\"\n[defaults]\nregions = [\"us-east-1\"]\neffective = \"2025-01-01\"\nsource = \"x\"\n[[models]]\nid = \"evil.m1\"\nname = \"=HYPERLINK(\\\"http://x\\\")\\u001b[31m\"\nkind = \"text\"\ntokenizer = \"llama3\"\nprices = [ { mode = \"on-demand\", dimension = \"input-tokens\", unit = \"1M tokens\", usd = \"1\" } ]\n",
    )
    .unwrap();
    let csv = String::from_utf8(
        cmd()
            .args([
                "--pricing",
                evil.to_str().unwrap(),
                "--format",
                "csv",
                "models",
                "--provider",
                "evil",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(csv.contains(",\"'=HYPERLINK("), "{csv}");
    let table = cmd()
        .args([
            "--pricing",
            evil.to_str().unwrap(),
            "models",
            "--provider",
            "evil",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!table.contains(&0x1b), "raw ESC reached the terminal");
}

#[test]
fn help_has_examples() {
    cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    cmd()
        .args(["estimate", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}
