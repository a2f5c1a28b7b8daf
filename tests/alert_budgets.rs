//! Bad budgets files through the binary: clear errors naming file, line and field, exit
//! status 2, and nothing read from AWS. No test server needed.

use assert_cmd::Command;

fn check(budgets: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("budgets.toml");
    std::fs::write(&path, budgets).unwrap();
    let out = Command::cargo_bin("bedrock-meter")
        .unwrap()
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        // Nowhere to go: an AWS call would fail loudly rather than reach a real account.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["alert", "check", "--no-progress", "--budgets"])
        .arg(&path)
        .arg("--state")
        .arg(dir.path().join("state.json"))
        .output()
        .unwrap();
    assert!(!dir.path().join("state.json").exists());
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

const CHANNELS: &str = "[channels.console]\ntype = \"stdout\"\n";

fn budget(body: &str) -> String {
    format!(
        "{CHANNELS}[[budget]]\nname = \"b\"\nperiod = \"month\"\nchannels = [\"console\"]\n{body}"
    )
}

#[test]
fn negative_amounts_are_refused_with_file_line_and_field() {
    let (code, err) = check(&budget("amount_usd = -100\n"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("budgets.toml:7: error in `amount_usd`: -100 is not a budget"),
        "{err}"
    );
    let (code, err) = check(&budget("amount_usd = \"lots\"\n"));
    assert_eq!(code, 2);
    assert!(err.contains("expected an amount in USD"), "{err}");
}

#[test]
fn unknown_model_patterns_get_suggestions() {
    let (code, err) = check(&budget(
        "amount_usd = 10\nmodels = [\"anthropic.claude-sonet-4-5*\"]\n",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(":8: error in `models`: `anthropic.claude-sonet-4-5*` matches no model of the catalog; did you mean: anthropic.claude-sonnet-"), "{err}");
}

#[test]
fn thresholds_out_of_range_are_refused() {
    let (code, err) = check(&budget("amount_usd = 10\nthresholds = [0, 50, 1001]\n"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(":8: error in `thresholds`: 0 is out of range"),
        "{err}"
    );
    assert!(err.contains("1001 is out of range"), "{err}");
    assert!(err.contains("(2 error(s))"), "{err}");
}

#[test]
fn a_principal_scope_needs_invocation_logs() {
    let (code, err) = check(&budget(
        "amount_usd = 10\nprincipals = [\"arn:aws:iam::*:role/app\"]\n",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("budgets.toml:3: budget `b` is scoped by principals: CloudWatch metrics have no caller and no tags. Read model-invocation logs with --logs or --log-group"), "{err}");
    let (code, err) = check(&budget("amount_usd = 10\ntags = { team = \"search\" }\n"));
    assert_eq!(code, 2);
    assert!(err.contains("scoped by tags"), "{err}");
}

#[test]
fn a_missing_webhook_variable_is_named_without_a_url() {
    let (code, err) = check(
        "[channels.hook]\ntype = \"webhook\"\nurl_env = \"BM_TEST_UNSET_HOOK\"\n[[budget]]\nname = \"b\"\nperiod = \"day\"\namount_usd = 1\nchannels = [\"hook\"]\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "channel `hook` (budget `b`): the environment variable BM_TEST_UNSET_HOOK is not set"
        ),
        "{err}"
    );
}

#[test]
fn syntax_errors_and_unknown_keys_name_the_line() {
    let (code, err) = check(&budget("amount_usd = 10\nthreshold = [50]\n"));
    assert_eq!(code, 2);
    assert!(
        err.contains(":8: error in `threshold`: unknown field `threshold`"),
        "{err}"
    );
    let (code, err) = check("[[budget]\nname = 1\n");
    assert_eq!(code, 2);
    assert!(err.contains("budgets.toml:1: error"), "{err}");
}

/// One invocation-log record of Nova Lite in us-east-1 ($0.06 per 1M input tokens).
fn log_line(id: &str, who: &str, team: &str, input: u64) -> String {
    serde_json::json!({
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-11-10T10:00:00Z",
        "accountId": "123456789012",
        "identity": {"arn": format!("arn:aws:iam::123456789012:user/{who}")},
        "region": "us-east-1",
        "requestId": id,
        "operation": "InvokeModel",
        "modelId": "amazon.nova-lite-v1:0",
        "requestMetadata": {"team": team},
        "input": {"inputContentType": "application/json", "inputTokenCount": input},
        "output": {"outputContentType": "application/json", "outputTokenCount": 0},
    })
    .to_string()
}

#[test]
fn principal_and_tag_budgets_read_invocation_logs() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    // alice (search) $6, bob (ads) $6, alice (ads) $3: only the first is in scope.
    let lines = [
        log_line("r1", "alice", "search", 100_000_000),
        log_line("r2", "bob", "ads", 100_000_000),
        log_line("r3", "alice", "ads", 50_000_000),
    ];
    std::fs::write(logs.join("calls.jsonl"), lines.join("\n")).unwrap();
    let budgets = dir.path().join("budgets.toml");
    std::fs::write(
        &budgets,
        "[channels.console]\ntype = \"stdout\"\n[[budget]]\nname = \"alice-search\"\nperiod = \"month\"\namount_usd = 10\nchannels = [\"console\"]\nprincipals = [\"*:user/alice\"]\ntags = { team = \"search\" }\n",
    )
    .unwrap();
    let out = Command::cargo_bin("bedrock-meter")
        .unwrap()
        .env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args([
            "alert",
            "check",
            "--no-progress",
            "--region",
            "us-east-1",
            "--budgets",
        ])
        .arg(&budgets)
        .arg("--state")
        .arg(dir.path().join("state.json"))
        .arg("--logs")
        .arg(&logs)
        .args(["--at", "2026-11-10T20:00:00Z"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alert = stdout.lines().find(|l| l.starts_with("ALERT: ")).unwrap();
    assert!(
        alert.contains("has reached 50% of its budget: spent $6.00 of $10.00 (60.0%)"),
        "{alert}"
    );
    assert!(
        alert.contains("Top principals: ")
            && alert.contains("alice $6.00")
            && !alert.contains("bob"),
        "{alert}"
    );
}
