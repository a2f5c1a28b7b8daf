//! `plan` and `plan --compare` end to end, in every format.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const EXAMPLE: &str = "examples/workload.toml";
const SONNET: &str = "examples/workload-sonnet.toml";

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

fn workload<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

#[test]
fn plan_json_contract() {
    let v = json_of(&["plan", EXAMPLE]);
    assert_eq!(v["file"], EXAMPLE);
    assert_eq!(v["start"], "2027-01");
    let chat = workload(&v, "support-chat");
    assert_eq!(
        chat["resolved_model"],
        "anthropic.claude-haiku-4-5-20251001-v1:0"
    );
    assert_eq!(chat["route"], "global cross-Region inference profile");
    let jan = &chat["months"][0];
    assert_eq!(jan["month"], "2027-01");
    assert_eq!(jan["requests"], 744_000);
    let od = &jan["options"][0];
    assert_eq!(od["option"], "on-demand");
    // 744,000 requests of 1,000 ordinary input + 2,500 prefix (85% read, 15% written) and
    // 350 output tokens at $1.00 / $0.10 / $1.25 / $5.00 per 1M: exact in the JSON text.
    assert_eq!(od["total_usd"].to_string(), "2552.85");
    assert_eq!(od["complete"], true);
    assert_eq!(jan["cheapest"], "on-demand");
    for key in [
        "days",
        "traffic_days",
        "hours",
        "requests_per_day",
        "peak_tpm",
        "model_units_needed",
        "options",
    ] {
        assert!(jan.get(key).is_some(), "month lacks {key}");
    }
    for key in [
        "totals",
        "cheapest",
        "cheapest_by_month_usd",
        "cache_savings_usd",
        "break_even",
        "peak_tpm",
        "unpriced",
        "warnings",
        "tokens",
    ] {
        assert!(chat.get(key).is_some(), "workload lacks {key}");
    }
    assert_eq!(chat["months"].as_array().unwrap().len(), 12);
    let unpriced = chat["unpriced"].as_array().unwrap();
    assert!(unpriced.iter().any(|u| u == "provisioned-6-month"));

    let summaries = workload(&v, "ticket-summaries");
    assert_eq!(summaries["cheapest"]["option"], "batch-split");

    let emb = workload(&v, "search-embeddings");
    let be = emb["break_even"].as_array().unwrap();
    let six = be
        .iter()
        .find(|b| b["term"] == "provisioned-6-month")
        .unwrap();
    // $6.41 × 744 h = $4,769.04 a unit-month; on demand 400 tokens × $0.10 / 1M = $0.00004 a
    // request: 4,769.04 / (31 × 0.00004) = 3,845,999.99… → 3,846,000 requests a day.
    assert_eq!(six["unit_month_usd"].to_string(), "4769.04");
    assert_eq!(six["requests_per_day"], 3_846_000);
    assert_eq!(emb["months"][0]["options"][3]["model_units"], 1);

    assert!(v["totals"]["months"].as_array().unwrap().len() == 12);
    assert!(v["totals"]["on_demand_usd"].is_number());
    assert!(!v["assumptions"].as_array().unwrap().is_empty());
}

#[test]
fn plan_every_format() {
    cmd()
        .args(["plan", EXAMPLE])
        .assert()
        .success()
        .stdout(predicate::str::contains("Plan for examples/workload.toml"))
        .stdout(predicate::str::contains("support-chat: cheapest"))
        .stdout(predicate::str::contains("$2552.85"))
        .stdout(predicate::str::contains("UNPRICED"));
    let csv = cmd()
        .args(["--format", "csv", "plan", EXAMPLE])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "workload,month,option,requests,model_units,cost_usd,cheapest,note"
    );
    assert_eq!(
        lines.next().unwrap(),
        "support-chat,2027-01,on-demand,744000,,2552.85,yes,"
    );
    assert!(csv.contains("TOTAL,total,on-demand,,,"));
    cmd()
        .args(["--format", "markdown", "plan", EXAMPLE])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "## Plan for examples/workload.toml",
        ))
        .stdout(predicate::str::contains(
            "| workload | month | option | requests |",
        ));
}

#[test]
fn plan_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    cmd()
        .args(["--format", "json", "plan", EXAMPLE, "--output"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["start"], "2027-01");
}

#[test]
fn compare_sonnet_with_haiku() {
    let v = json_of(&["plan", "--compare", EXAMPLE, SONNET]);
    assert_eq!(v["a"]["file"], EXAMPLE);
    assert_eq!(v["b"]["file"], SONNET);
    let rows = v["differences"].as_array().unwrap();
    let find = |w: &str, m: Value, o: &str| {
        rows.iter()
            .find(|r| r["workload"] == w && r["month"] == m && r["option"] == o)
            .unwrap_or_else(|| panic!("no row {w} {m} {o}"))
    };
    // Sonnet 4.5 global costs three times Haiku 4.5 global on every dimension.
    let jan = find("support-chat", "2027-01".into(), "on-demand");
    assert_eq!(jan["a_usd"].to_string(), "2552.85");
    assert_eq!(jan["b_usd"].to_string(), "7658.55");
    assert_eq!(jan["diff_usd"].to_string(), "5105.70");
    assert_eq!(jan["diff_pct"].to_string(), "200");
    // The unchanged workloads differ by nothing.
    let same = find("ticket-summaries", Value::Null, "batch-split");
    assert_eq!(same["diff_usd"].to_string(), "0.00");
    let cheapest = find("support-chat", Value::Null, "cheapest");
    assert_eq!(cheapest["note"], "A: on-demand, B: on-demand");
    let totals = v["totals"].as_array().unwrap();
    let grand = totals
        .iter()
        .find(|r| r["month"].is_null() && r["option"] == "on-demand")
        .unwrap();
    // Only the chatbot changed: its whole on-demand difference.
    assert_eq!(grand["diff_usd"].to_string(), "75348.53175");

    for format in ["table", "csv", "markdown"] {
        cmd()
            .args(["--format", format, "plan", "--compare", EXAMPLE, SONNET])
            .assert()
            .success()
            .stdout(predicate::str::contains("support-chat"))
            .stdout(predicate::str::contains("5105.70"));
    }
}

#[test]
fn bad_files_exit_2_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[workload]]\nname = \"x\"\nmodel = \"anthropic.claude-3-haiku-20240307-v1:0\"\nrequests_per_day = -3\ninput_tokens = 10\noutput_tokens = 1\nbatch_share = 2\n",
    )
    .unwrap();
    let shown = bad.display().to_string();
    cmd()
        .arg("plan")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid workload file (2 error(s))",
        ))
        .stderr(predicate::str::contains(format!(
            "{shown}:4: error in `requests_per_day`: must not be negative"
        )))
        .stderr(predicate::str::contains(format!(
            "{shown}:7: error in `batch_share`"
        )));
    cmd()
        .args(["plan", "no-such-file.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot read workload file no-such-file.toml",
        ));
    cmd().arg("plan").assert().code(2);
    cmd()
        .args(["plan", EXAMPLE, "--compare", EXAMPLE, SONNET])
        .assert()
        .code(2);
}
