//! Bad workload files are refused with every problem's file, line and field.

use std::path::Path;

use bedrock_meter::catalog::{Catalog, Diagnostic, SourceText};
use bedrock_meter::plan::file::WorkloadError;
use bedrock_meter::plan::{self, WorkloadFile};
use bedrock_meter::resolve::{Aliases, Resolver};

fn parse_in(dir: &Path, toml: &str) -> Result<WorkloadFile<'static>, Vec<Diagnostic>> {
    let c: &'static Catalog = Box::leak(Box::new(Catalog::embedded().unwrap()));
    let r = Resolver::new(c, Aliases::default());
    let src = SourceText {
        name: "plans/w.toml".into(),
        text: toml.into(),
    };
    match plan::parse(&src, dir, &r, "2026-11-22".parse().unwrap()) {
        Ok(f) => Ok(f),
        Err(WorkloadError::Invalid(d)) => Err(d),
        Err(e) => panic!("{e}"),
    }
}

fn errors(toml: &str) -> Vec<Diagnostic> {
    parse_in(Path::new("."), toml).expect_err("the file should be refused")
}

/// The one error about `field`.
fn error_on<'a>(diags: &'a [Diagnostic], field: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.field.as_deref() == Some(field))
        .collect();
    assert_eq!(found.len(), 1, "errors on `{field}` in {diags:#?}");
    found[0]
}

const GOOD: &str = r#"start = "2027-01"
[[workload]]
name = "w"
model = "anthropic.claude-3-haiku-20240307-v1:0"
requests_per_day = 1000
input_tokens = 1000
output_tokens = 100
"#;

#[test]
fn a_good_file_parses_with_defaults() {
    let f = parse_in(Path::new("."), GOOD).unwrap();
    assert_eq!(f.start.to_string(), "2027-01");
    let w = &f.workloads[0];
    assert_eq!(w.region, "us-east-1");
    assert_eq!(w.horizon_months, 12);
    assert!(w.cache.is_none());
    assert!(w.batch_share.is_zero());
    // No start: the month after "today" (2026-11-22).
    let f = parse_in(Path::new("."), &GOOD.replace("start = \"2027-01\"\n", "")).unwrap();
    assert_eq!(f.start.to_string(), "2026-12");
    // requests_per_hour is the average hour.
    let f = parse_in(
        Path::new("."),
        &GOOD.replace("requests_per_day = 1000", "requests_per_hour = 50"),
    )
    .unwrap();
    assert_eq!(f.workloads[0].traffic.requests_per_day.to_string(), "1200");
}

#[test]
fn negative_traffic() {
    let d = errors(&GOOD.replace("requests_per_day = 1000", "requests_per_day = -1000"));
    let e = error_on(&d, "requests_per_day");
    assert_eq!((e.file.as_str(), e.line), ("plans/w.toml", 5));
    assert!(e.message.contains("negative"), "{e}");
    assert_eq!(
        e.to_string(),
        "plans/w.toml:5: error in `requests_per_day`: must not be negative, got -1000"
    );
    let d = errors(&GOOD.replace("requests_per_day = 1000", "requests_per_hour = -2.5"));
    assert_eq!(error_on(&d, "requests_per_hour").line, 5);
}

#[test]
fn unknown_model_with_suggestions() {
    let d = errors(&GOOD.replace(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-haiku-20240307-v9:0",
    ));
    let e = error_on(&d, "model");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("unknown model"), "{e}");
    assert!(
        e.message
            .contains("did you mean: anthropic.claude-3-haiku-20240307-v1:0"),
        "{e}"
    );
}

#[test]
fn percentages_out_of_range() {
    let toml = GOOD.replace(
        "output_tokens = 100",
        "output_tokens = 100\ncache_hit_rate = 85\ncached_prefix_tokens = 500\nbatch_share = -0.2",
    );
    let d = errors(&toml);
    let hit = error_on(&d, "cache_hit_rate");
    assert_eq!(hit.line, 8);
    assert!(hit.message.contains("out of range"), "{hit}");
    assert!(hit.message.contains("write 0.85"), "{hit}");
    assert_eq!(error_on(&d, "batch_share").line, 10);
}

#[test]
fn missing_capacity_for_a_model_with_provisioned_prices() {
    // Titan Text Express has provisioned-throughput prices: capacity is required.
    let toml = GOOD.replace(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "amazon.titan-text-express-v1",
    );
    let d = errors(&toml);
    let e = error_on(&d, "provisioned.tokens_per_minute_per_unit");
    assert_eq!(e.line, 2, "the workload's [[workload]] line");
    assert!(e.message.contains("no model-unit capacity"), "{e}");
    assert!(e.message.contains("provisioned-6-month"), "{e}");
    // Leaving provisioned out explicitly is fine.
    parse_in(
        Path::new("."),
        &format!("{toml}[workload.provisioned]\nterms = []\n"),
    )
    .unwrap();
    // A provisioned table without capacity is refused even where provisioned is unpriced.
    let d = errors(&format!(
        "{GOOD}\n[workload.provisioned]\nterms = [\"1-month\"]\n"
    ));
    let e = error_on(&d, "provisioned.tokens_per_minute_per_unit");
    assert_eq!(e.line, 9);
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let d = errors(
        r#"start = "2027-13"

[[workload]]
name = "a"
model = "no.such-model"
requests_per_day = 0
input_tokens_p50 = 900
input_tokens_p95 = 800
output_tokens = 1.5
horizon_months = 61
monthly_growth = -1
daily_shape = [1, 2]
days = "weekends"

[[workload]]
name = "a"
model = "amazon.nova-lite-v1:0"
requests_per_day = 10
requests_per_hour = 10
input_tokens = 100
input_tokens_p50 = 100
cached_prefix_tokens = 50
cache_ttl = "10m"
"#,
    );
    let seen: Vec<(usize, &str)> = d
        .iter()
        .map(|e| (e.line, e.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "start"),
            (5, "model"),
            (6, "requests_per_day"),
            (8, "input_tokens_p95"),
            (9, "output_tokens"),
            (10, "horizon_months"),
            (11, "monthly_growth"),
            (12, "daily_shape"),
            (13, "days"),
            (15, "output_tokens"),
            (16, "name"),
            (19, "requests_per_hour"),
            (20, "input_tokens"),
            (22, "cache_hit_rate"),
            (23, "cache_ttl"),
        ],
        "{d:#?}"
    );
    assert!(d.iter().all(|e| e.file == "plans/w.toml"));
}

#[test]
fn missing_fields_point_at_the_workload() {
    let d = errors("[[workload]]\nrequests_per_day = 5\n");
    let fields: Vec<&str> = d.iter().filter_map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, ["name", "model", "input_tokens", "output_tokens"]);
    assert!(d.iter().all(|e| e.line == 1));
    let d = errors("start = \"2027-01\"\n");
    assert_eq!(
        error_on(&d, "workload").message,
        "no [[workload]] table: nothing to plan"
    );
}

#[test]
fn syntax_errors_and_unknown_fields() {
    let d = errors(&GOOD.replace("output_tokens = 100", "output_tokens = 100\nrequests = 5"));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, 8);
    assert!(
        d[0].message.contains("unknown field `requests`"),
        "{}",
        d[0]
    );
    let d = errors("[[workload]\nname = 1\n");
    assert_eq!(d[0].line, 1);
}

#[test]
fn image_models_are_not_planned() {
    let d = errors(&GOOD.replace(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "stability.sd3-5-large-v1:0",
    ));
    assert!(error_on(&d, "model").message.contains("bills per image"));
}

#[test]
fn samples_are_counted_with_the_model_tokenizer() {
    use bedrock_meter::tokenize::{Engine, counter};
    let dir = tempfile::tempdir().unwrap();
    let prompts = [
        "Summarise the ticket below in two sentences.",
        "Translate to French: the invoice is overdue and the customer has asked for a refund.",
        "Classify the sentiment of this review: great product, terrible delivery, would buy again.",
    ];
    for (i, p) in prompts.iter().enumerate() {
        std::fs::write(dir.path().join(format!("p{i}.txt")), p).unwrap();
    }
    let toml = GOOD
        .replace(
            "anthropic.claude-3-haiku-20240307-v1:0",
            "meta.llama3-1-8b-instruct-v1:0",
        )
        .replace(
            "input_tokens = 1000",
            "samples = [\"p0.txt\", \"p1.txt\", \"p2.txt\"]",
        );
    let f = parse_in(dir.path(), &toml).unwrap_or_else(|d| panic!("{d:#?}"));
    let llama3 = counter("llama3", Engine::Reference).unwrap();
    let mut want: Vec<u64> = prompts.iter().map(|p| llama3.count(p) as u64).collect();
    want.sort();
    let t = f.workloads[0].tokens.input;
    assert_eq!(t.typical, want[1], "median of three");
    assert_eq!(t.peak, want[2], "nearest-rank p95 of three is the largest");
    // A missing sample file is named.
    let d = parse_in(dir.path(), &toml.replace("p1.txt", "gone.txt")).unwrap_err();
    assert!(
        error_on(&d, "samples")
            .message
            .contains("no file `gone.txt`")
    );
    // A sample that is not text is refused with the file named.
    std::fs::write(dir.path().join("bin.txt"), b"\xff\xfe").unwrap();
    let d = parse_in(dir.path(), &toml.replace("p1.txt", "bin.txt")).unwrap_err();
    assert!(error_on(&d, "samples").message.contains("not UTF-8"));
    // Samples and token counts together are refused.
    let both = GOOD.replace(
        "input_tokens = 1000",
        "input_tokens = 1000\nsamples = [\"p0.txt\"]",
    );
    let d = parse_in(dir.path(), &both).unwrap_err();
    assert!(error_on(&d, "samples").message.contains("not both"));
}

#[test]
fn runaway_traffic_and_token_counts_are_refused() {
    let d = errors(&GOOD.replace(
        "output_tokens = 100",
        "output_tokens = 100\nmonthly_growth = 10\nhorizon_months = 60",
    ));
    let e = error_on(&d, "monthly_growth");
    assert_eq!(e.line, 8);
    assert!(e.message.contains("too large to plan"), "{e}");
    let d = errors(&GOOD.replace("input_tokens = 1000", "input_tokens = 100000000"));
    assert!(
        error_on(&d, "input_tokens")
            .message
            .contains("out of range")
    );
}
