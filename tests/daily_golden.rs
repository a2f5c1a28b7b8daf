//! `report daily` output is a contract: the CSV and JSON of a fixed data set, seeded into the
//! moto server, must stay byte-identical across refactors (the golden files under
//! `tests/golden/daily/` were written by the pre-reshape `monitor` module). The data lives in
//! il-central-1, which no other test uses (ListMetrics counts stay deterministic) and which no
//! price source covers, so only the test override file prices it. (Until the catalog grew to
//! every Region a reference prices, this was ca-central-1; the golden files changed only in
//! that name.)
//!
//! The seeded days move with the calendar (see `support::slot_start`), so the output's dates
//! are replaced by `D1` to `D4` before comparing. Regenerate the golden files only for an
//! intended change of output: `BEDROCK_METER_BLESS=1 scripts/test.sh --test daily_golden`.

mod support;

use std::path::PathBuf;

use assert_cmd::Command;
use jiff::civil::Date;
use support::{at, client, datum, plus, put, runtime, slot_start};

const REGION: &str = "il-central-1";

fn seed(d1: Date) {
    let (d2, d3) = (plus(d1, 1), plus(d1, 2));
    let lite = "amazon.nova-lite-v1:0";
    let sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let priority = "amazon.nova-pro-v1:0+priority";
    let unknown = "acme.mystery-model-v9:0";
    let image = "stability.sd3-5-large-v1:0";
    let mut data = vec![
        datum(lite, "Invocations", at(d1, 0), 1200.0),
        datum(lite, "InputTokenCount", at(d1, 0), 3_400_000.0),
        datum(lite, "OutputTokenCount", at(d1, 1), 250_000.0),
        datum(lite, "InvocationLatency", at(d1, 0), 410.0),
        datum(lite, "InvocationLatency", at(d1, 2), 530.0),
        datum(lite, "InvocationClientErrors", at(d1, 0), 3.0),
        datum(lite, "Invocations", at(d2, 0), 800.0),
        datum(lite, "InputTokenCount", at(d2, 0), 1_000_001.0),
        datum(lite, "OutputTokenCount", at(d2, 0), 99_999.0),
        datum(sonnet, "Invocations", at(d1, 3), 40.0),
        datum(sonnet, "InputTokenCount", at(d1, 3), 120_000.0),
        datum(sonnet, "OutputTokenCount", at(d1, 3), 30_000.0),
        datum(sonnet, "CacheReadInputTokenCount", at(d1, 3), 900_000.0),
        datum(sonnet, "CacheWriteInputTokenCount", at(d1, 3), 200_000.0),
        datum(sonnet, "InvocationThrottles", at(d1, 3), 7.0),
        datum(sonnet, "InvocationServerErrors", at(d3, 0), 1.0),
        datum(sonnet, "Invocations", at(d3, 0), 5.0),
        datum(sonnet, "InputTokenCount", at(d3, 0), 5_000.0),
        datum(sonnet, "OutputTokenCount", at(d3, 0), 1_000.0),
        datum(priority, "Invocations", at(d2, 0), 10.0),
        datum(priority, "InputTokenCount", at(d2, 0), 1_000_000.0),
        datum(priority, "OutputTokenCount", at(d2, 0), 100_000.0),
        datum(unknown, "Invocations", at(d2, 0), 2.0),
        datum(unknown, "InputTokenCount", at(d2, 0), 2_000.0),
    ];
    data.push(datum(image, "Invocations", at(d3, 0), 4.0));
    let mut img = datum(image, "OutputImageCount", at(d3, 0), 4.0);
    img.dimensions.get_or_insert_with(Vec::new).push(
        aws_sdk_cloudwatch::types::Dimension::builder()
            .name("ImageSize")
            .value("1024x1024")
            .build(),
    );
    data.push(img);
    runtime().block_on(async {
        // Seed once per server: a rerun against a long-lived server must not double the sums.
        let seeded = client(REGION)
            .list_metrics()
            .namespace("AWS/Bedrock")
            .metric_name("InputTokenCount")
            .dimensions(
                aws_sdk_cloudwatch::types::DimensionFilter::builder()
                    .name("ModelId")
                    .value(unknown)
                    .build(),
            )
            .send()
            .await
            .expect("ListMetrics on the moto server");
        if seeded.metrics().is_empty() {
            put(&client(REGION), data).await;
        }
    });
}

fn run(d1: Date, format: &str, by: Option<&str>) -> String {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env_remove("BEDROCK_METER_PRICING")
        .env_remove("BEDROCK_METER_ALIASES")
        .arg("--pricing")
        .arg(golden("il-central-1-prices.toml"))
        .args([
            "--format",
            format,
            "report",
            "daily",
            "--no-progress",
            "--no-percentiles",
        ])
        .args(["--region", REGION])
        .args([
            "--since",
            &d1.to_string(),
            "--until",
            &plus(d1, 3).to_string(),
        ]);
    if let Some(by) = by {
        c.args(["--by", by]);
    }
    let out = c.assert().success().get_output().stdout.clone();
    let mut text = String::from_utf8(out).unwrap();
    for (i, day) in [d1, plus(d1, 1), plus(d1, 2), plus(d1, 3)]
        .iter()
        .enumerate()
    {
        text = text.replace(&day.to_string(), &format!("D{}", i + 1));
    }
    text
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/daily")
        .join(name)
}

fn check(name: &str, got: &str) {
    let path = golden(name);
    if std::env::var_os("BEDROCK_METER_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden file {} is missing ({e})", path.display()));
    assert!(
        got == want,
        "report daily output changed from {}:\n--- want\n{want}\n--- got\n{got}",
        path.display()
    );
}

#[test]
fn report_daily_output_is_byte_identical_to_the_golden_files() {
    support::endpoint();
    let d1 = slot_start(20);
    seed(d1);
    check("by-all.csv", &run(d1, "csv", None));
    check("by-all.json", &run(d1, "json", None));
    check("by-model.csv", &run(d1, "csv", Some("model")));
    check("by-model.json", &run(d1, "json", Some("model")));
    check("by-day-region.md", &run(d1, "markdown", Some("day,region")));
}
