//! The everyday conventions, through the binary: the config file and its precedence
//! (flag > environment > file > default) for every setting with `config show`, settings
//! reaching a report, a malformed file's error; shell completions for every shell and the
//! man page; tables fitted to the terminal width.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const ENVS: [&str; 8] = [
    "BEDROCK_METER_PRICING",
    "BEDROCK_METER_ALIASES",
    "BEDROCK_METER_FORMAT",
    "BEDROCK_METER_REGIONS",
    "BEDROCK_METER_PROFILE",
    "BEDROCK_METER_TIMEZONE",
    "BEDROCK_METER_BUDGETS",
    "COLUMNS",
];

/// The binary with none of our variables set and no config file.
fn meter() -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    for e in ENVS {
        c.env_remove(e);
    }
    c.env("BEDROCK_METER_CONFIG", "");
    c
}

fn with_file(path: &Path) -> Command {
    let mut c = meter();
    c.env("BEDROCK_METER_CONFIG", path);
    c
}

fn out(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn show(c: &mut Command) -> Value {
    serde_json::from_str(&out(c.args(["--format", "json", "config", "show"]))).unwrap()
}

const FILE: &str = "# test config\nregions = [\"eu-west-1\", \"eu-central-1\"]\nprofile = \"from-file\"\ntimezone = \"Asia/Tokyo\"\nformat = \"csv\"\npricing = \"prices.toml\"\naliases = \"/opt/aliases.toml\"\nbudgets = \"budgets.toml\"\n";

fn config(dir: &Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("config.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn setting<'a>(v: &'a Value, name: &str) -> (&'a Value, &'a str) {
    let s = &v["settings"][name];
    (&s["value"], s["source"].as_str().unwrap())
}

#[test]
fn defaults_without_a_file() {
    let v = show(&mut meter());
    assert_eq!(v["config_file"], Value::Null);
    for name in [
        "regions", "profile", "timezone", "pricing", "aliases", "budgets",
    ] {
        assert_eq!(setting(&v, name).1, "default", "{name}");
    }
    assert_eq!(setting(&v, "timezone").0, "UTC");
    assert_eq!(setting(&v, "regions").0, &Value::Null);
    // --format json was a flag.
    assert_eq!(
        setting(&v, "format"),
        (&Value::from("json"), "flag --format")
    );
}

#[test]
fn the_file_beats_defaults_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config(tmp.path(), FILE);
    let v = show(&mut with_file(&p));
    let file = |line: usize| format!("file {}:{line}", p.display());
    assert_eq!(v["config_file"], p.display().to_string());
    assert_eq!(
        setting(&v, "regions"),
        (&Value::from("eu-west-1,eu-central-1"), file(2).as_str())
    );
    assert_eq!(
        setting(&v, "profile"),
        (&Value::from("from-file"), file(3).as_str())
    );
    assert_eq!(
        setting(&v, "timezone"),
        (&Value::from("Asia/Tokyo"), file(4).as_str())
    );
    let pricing = tmp.path().join("prices.toml").display().to_string();
    assert_eq!(
        setting(&v, "pricing"),
        (&Value::from(pricing), file(6).as_str())
    );
    assert_eq!(
        setting(&v, "aliases"),
        (&Value::from("/opt/aliases.toml"), file(7).as_str())
    );
    let budgets = tmp.path().join("budgets.toml").display().to_string();
    assert_eq!(
        setting(&v, "budgets"),
        (&Value::from(budgets), file(8).as_str())
    );
    // The file's format applies when no flag or variable says otherwise: CSV.
    let csv = out(with_file(&p).args(["config", "show"]));
    assert!(csv.starts_with("setting,value,source\n"), "{csv}");
    assert!(csv.contains(&format!("format,csv,{}", file(5))), "{csv}");
}

#[test]
fn environment_beats_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config(tmp.path(), FILE);
    let mut c = with_file(&p);
    c.env("BEDROCK_METER_REGIONS", "ap-south-1")
        .env("BEDROCK_METER_PROFILE", "from-env")
        .env("BEDROCK_METER_TIMEZONE", "Europe/Paris")
        .env("BEDROCK_METER_PRICING", "/env/prices.toml")
        .env("BEDROCK_METER_ALIASES", "/env/aliases.toml")
        .env("BEDROCK_METER_BUDGETS", "/env/budgets.toml")
        .env("BEDROCK_METER_FORMAT", "markdown");
    let md = out(c.args(["config", "show"]));
    for (name, value, var) in [
        ("regions", "ap-south-1", "BEDROCK_METER_REGIONS"),
        ("profile", "from-env", "BEDROCK_METER_PROFILE"),
        ("timezone", "Europe/Paris", "BEDROCK_METER_TIMEZONE"),
        ("format", "markdown", "BEDROCK_METER_FORMAT"),
        ("pricing", "/env/prices.toml", "BEDROCK_METER_PRICING"),
        ("aliases", "/env/aliases.toml", "BEDROCK_METER_ALIASES"),
        ("budgets", "/env/budgets.toml", "BEDROCK_METER_BUDGETS"),
    ] {
        assert!(
            md.contains(&format!("| {name} | {value} | env {var} |")),
            "{name} in\n{md}"
        );
    }
}

#[test]
fn flags_beat_environment_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config(tmp.path(), FILE);
    let mut c = with_file(&p);
    c.env("BEDROCK_METER_REGIONS", "ap-south-1")
        .env("BEDROCK_METER_PROFILE", "from-env")
        .env("BEDROCK_METER_TIMEZONE", "Europe/Paris")
        .env("BEDROCK_METER_PRICING", "/env/prices.toml")
        .env("BEDROCK_METER_ALIASES", "/env/aliases.toml")
        .env("BEDROCK_METER_FORMAT", "markdown");
    c.args(["--pricing", "/flag/p.toml", "--aliases", "/flag/a.toml"]);
    c.args(["--format", "json", "config", "show"]).args([
        "--region",
        "us-west-2,us-east-2",
        "--profile",
        "from-flag",
        "--timezone",
        "America/Denver",
    ]);
    let v: Value = serde_json::from_str(&out(&mut c)).unwrap();
    assert_eq!(
        setting(&v, "regions"),
        (&Value::from("us-west-2,us-east-2"), "flag --region")
    );
    assert_eq!(
        setting(&v, "profile"),
        (&Value::from("from-flag"), "flag --profile")
    );
    assert_eq!(
        setting(&v, "timezone"),
        (&Value::from("America/Denver"), "flag --timezone")
    );
    assert_eq!(
        setting(&v, "format"),
        (&Value::from("json"), "flag --format")
    );
    assert_eq!(
        setting(&v, "pricing"),
        (&Value::from("/flag/p.toml"), "flag --pricing")
    );
    assert_eq!(
        setting(&v, "aliases"),
        (&Value::from("/flag/a.toml"), "flag --aliases")
    );
}

#[test]
fn file_settings_reach_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config(tmp.path(), "timezone = \"Asia/Tokyo\"\nformat = \"json\"\n");
    let logs = tmp.path().join("logs.jsonl");
    std::fs::write(&logs, "").unwrap();
    let run = |extra: &[&str]| -> Value {
        let mut c = with_file(&p);
        c.args([
            "report",
            "daily",
            "--no-progress",
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-02",
        ])
        .arg("--logs")
        .arg(&logs)
        .args(extra);
        serde_json::from_str(&out(&mut c)).unwrap()
    };
    // JSON because the file says so; the file's time zone unless the flag says otherwise.
    assert_eq!(run(&[])["timezone"], "Asia/Tokyo");
    assert_eq!(run(&["--timezone", "UTC"])["timezone"], "UTC");
    // The file's pricing path is used (and, missing, named in the error).
    let p = config(tmp.path(), "pricing = \"no-such-prices.toml\"\n");
    let o = with_file(&p).args(["models"]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-prices.toml"));
}

#[test]
fn a_malformed_file_names_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let p = config(
        tmp.path(),
        "profile = \"ok\"\n\ntimezone = \"Mars/Olympus\"\n",
    );
    let o = with_file(&p).args(["models"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "config file: {}:3: field `timezone`: `Mars/Olympus`",
            p.display()
        )),
        "{err}"
    );
    let p = config(tmp.path(), "format = \"json\"\nregion = \"us-east-1\"\n");
    let err = String::from_utf8_lossy(&with_file(&p).args(["models"]).output().unwrap().stderr)
        .to_string();
    assert!(err.contains(":2: field `region`: unknown setting"), "{err}");
    let p = config(tmp.path(), "format = [\n");
    let err = String::from_utf8_lossy(&with_file(&p).args(["models"]).output().unwrap().stderr)
        .to_string();
    assert!(err.contains("not valid TOML"), "{err}");
    // Named but missing: an error; missing at the default place: no file.
    let o = meter()
        .env("BEDROCK_METER_CONFIG", tmp.path().join("nope.toml"))
        .args(["models"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = meter()
        .env_remove("BEDROCK_METER_CONFIG")
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path())
        .args(["--format", "json", "config", "show"])
        .output()
        .unwrap();
    assert!(o.status.success());
}

#[test]
fn completions_for_every_shell_and_the_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bedrock-meter"),
        ("fish", "complete -c bedrock-meter"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[bedrock-meter]"),
    ] {
        let s = out(meter().args(["completions", shell]));
        assert!(s.contains(marker), "{shell}: {marker}");
        for word in ["chargeback", "governance", "timezone", "wide"] {
            assert!(s.contains(word), "{shell} completes {word}");
        }
    }
    meter().args(["completions", "tcsh"]).assert().code(2);
    let man = out(meter().arg("man"));
    assert!(
        man.starts_with(".ie") || man.contains(".TH bedrock-meter 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("report") && man.contains("completions"));
    let tmp = tempfile::tempdir().unwrap();
    meter()
        .args(["man", "--dir"])
        .arg(tmp.path())
        .assert()
        .success();
    for page in [
        "bedrock-meter.1",
        "bedrock-meter-report.1",
        "bedrock-meter-report-daily.1",
        "bedrock-meter-config-show.1",
    ] {
        let text = std::fs::read_to_string(tmp.path().join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    // A malformed config file does not stop completions or man.
    let p = config(tmp.path(), "nonsense = 1\n");
    with_file(&p)
        .args(["completions", "bash"])
        .assert()
        .success();
}

#[test]
fn tables_fit_the_terminal_and_wide_shows_everything() {
    let wide = out(meter().args(["models", "--provider", "anthropic"]));
    let header = wide.lines().find(|l| l.contains("model_id")).unwrap();
    assert!(header.contains("regions") && header.contains("tokenizer"));
    assert!(wide.lines().map(|l| l.chars().count()).max().unwrap() > 150);
    // One rule under the header, none between rows.
    assert_eq!(wide.lines().filter(|l| l.starts_with('├')).count(), 1);
    assert!(wide.lines().filter(|l| l.starts_with('│')).count() > 5);

    for width in [80usize, 120] {
        let fitted = out(meter().env("COLUMNS", width.to_string()).args([
            "models",
            "--provider",
            "anthropic",
        ]));
        for line in fitted
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '├', '└']))
        {
            assert!(
                line.chars().count() <= width,
                "{} > {width}: {line}",
                line.chars().count()
            );
        }
        let header = fitted.lines().find(|l| l.contains("model_id")).unwrap();
        assert!(!header.contains("regions"), "{header}");
        assert!(
            fitted.contains("left out to fit") && fitted.contains("--wide"),
            "{fitted}"
        );
        let again = out(meter().env("COLUMNS", width.to_string()).args([
            "--wide",
            "models",
            "--provider",
            "anthropic",
        ]));
        assert_eq!(again, wide, "--wide ignores COLUMNS");
    }
    // Money to a sensible precision in the table, exact in CSV.
    let table = out(meter().args([
        "estimate",
        "--model",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "--input-tokens",
        "2395",
        "--output-tokens",
        "0",
        "--mode",
        "on-demand",
    ]));
    assert!(table.contains("$0.000599"), "{table}");
    let csv = out(meter().args([
        "--format",
        "csv",
        "estimate",
        "--model",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "--input-tokens",
        "2395",
        "--output-tokens",
        "0",
        "--mode",
        "on-demand",
    ]));
    assert!(csv.contains("0.00059875"), "{csv}");
}
