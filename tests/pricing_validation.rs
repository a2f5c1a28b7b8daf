//! Each kind of malformed pricing entry is caught with its file, line and field.

use bedrock_meter::catalog::{Catalog, Diagnostic, Severity, SourceText};

const HEADER: &str = r#"schema = 1
provider = "acme"
provider_name = "Acme"

[defaults]
regions = ["us-east-1"]
effective = "2025-01-01"
source = "https://example.com/pricing"
"#;

/// Builds a one-file catalog from HEADER + `body` and returns its errors.
fn errors_of(body: &str) -> Vec<Diagnostic> {
    let text = format!("{HEADER}{body}");
    let v = Catalog::build(
        &[SourceText {
            name: "acme.toml".into(),
            text,
        }],
        None,
    );
    v.diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

const MODEL: &str = "\n[[models]]\nid = \"acme.m1\"\nname = \"M1\"\nkind = \"text\"\ntokenizer = \"llama3\"\ncontext_window = 8000\n";

fn with_row(row: &str) -> String {
    format!("{MODEL}prices = [\n  {row},\n]\n")
}

/// Asserts exactly one error, at `line` (1-based, counted in HEADER + body), naming `field`,
/// whose message contains `needle`.
fn assert_error(body: &str, line: usize, field: Option<&str>, needle: &str) {
    let errs = errors_of(body);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    let e = &errs[0];
    assert_eq!(e.file, "acme.toml");
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    assert!(
        e.message.contains(needle),
        "`{}` does not mention `{needle}`",
        e.message
    );
}

const ROW_LINE: usize = 17;

#[test]
fn a_valid_row_has_no_error() {
    assert!(
        errors_of(&with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "0.5" }"#
        ))
        .is_empty()
    );
}

#[test]
fn unknown_mode_dimension_unit_scope() {
    assert_error(
        &with_row(
            r#"{ mode = "spot", dimension = "input-tokens", unit = "1M tokens", usd = "0.5" }"#,
        ),
        ROW_LINE,
        Some("mode"),
        "unknown mode `spot`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "tokens", unit = "1M tokens", usd = "0.5" }"#,
        ),
        ROW_LINE,
        Some("dimension"),
        "unknown dimension",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "per token", usd = "0.5" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "unknown unit",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "0.5", scope = "local" }"#,
        ),
        ROW_LINE,
        Some("scope"),
        "unknown scope",
    );
}

#[test]
fn prices_must_be_positive_exact_decimals() {
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = 0.5 }"#,
        ),
        ROW_LINE,
        Some("usd"),
        "as a string",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "abc" }"#,
        ),
        ROW_LINE,
        Some("usd"),
        "not a decimal",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "-1" }"#,
        ),
        ROW_LINE,
        Some("usd"),
        "greater than zero",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "0" }"#,
        ),
        ROW_LINE,
        Some("usd"),
        "greater than zero",
    );
}

#[test]
fn dimension_must_fit_mode_and_unit() {
    assert_error(
        &with_row(
            r#"{ mode = "provisioned-1-month", dimension = "input-tokens", unit = "1M tokens", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("dimension"),
        "not billed in mode",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "hour", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "does not fit",
    );
    assert_error(
        &with_row(r#"{ mode = "on-demand", dimension = "image", unit = "image", usd = "1" }"#),
        ROW_LINE,
        Some("resolution"),
        "need both",
    );
    assert_error(
        &with_row(
            r#"{ mode = "provisioned-1-month", dimension = "model-unit-hour", unit = "hour", usd = "1", above_input_tokens = 200000 }"#,
        ),
        ROW_LINE,
        Some("above_input_tokens"),
        "long-context",
    );
}

#[test]
fn regions_dates_and_sources() {
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1", regions = ["virginia"] }"#,
        ),
        ROW_LINE,
        Some("regions"),
        "not an AWS Region",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1", effective = "2025-13-01" }"#,
        ),
        ROW_LINE,
        Some("effective"),
        "not a date",
    );
    let no_defaults = "schema = 1\nprovider = \"acme\"\n[[models]]\nid = \"acme.m1\"\nname = \"M1\"\nkind = \"text\"\ntokenizer = \"llama3\"\nprices = [\n  { mode = \"on-demand\", dimension = \"input-tokens\", unit = \"1M tokens\", usd = \"1\", regions = [\"us-east-1\"], effective = \"2025-01-01\" },\n]\n";
    let v = Catalog::build(
        &[SourceText {
            name: "x.toml".into(),
            text: no_defaults.into(),
        }],
        None,
    );
    let errs: Vec<_> = v
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        (errs[0].line, errs[0].field.as_deref()),
        (9, Some("source"))
    );
}

#[test]
fn model_fields() {
    assert_error(
        &format!("{MODEL}tokenizer_x = 1\n"),
        16,
        None,
        "unknown field `tokenizer_x`",
    );
    assert_error(
        "\n[[models]]\nid = \"acme.m1\"\nname = \"M1\"\nkind = \"text\"\ntokenizer = \"gpt-7\"\n",
        14,
        Some("tokenizer"),
        "unknown tokenizer family",
    );
    assert_error(
        "\n[[models]]\nid = \"acme.m1\"\nname = \"M1\"\nkind = \"robot\"\ntokenizer = \"llama3\"\n",
        13,
        Some("kind"),
        "unknown modelkind",
    );
    assert_error(
        "\n[[models]]\nid = \"acme.m1\"\nkind = \"text\"\ntokenizer = \"llama3\"\n",
        10,
        Some("name"),
        "needs `name`",
    );
    assert_error(
        "\n[[models]]\nid = \"other.m1\"\nname = \"M1\"\nkind = \"text\"\ntokenizer = \"llama3\"\n",
        11,
        Some("id"),
        "does not belong to provider",
    );
    assert_error(
        "\n[[models]]\nid = \"acme.m1\"\nname = \"M1\"\nkind = \"text\"\ntokenizer = \"llama3\"\ncontext_window = -5\n",
        15,
        Some("context_window"),
        "positive",
    );
}

#[test]
fn duplicates() {
    let dup_model = format!("{MODEL}{}", MODEL.replace("M1", "M1 again"));
    let errs = errors_of(&dup_model);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("duplicate model `acme.m1`"));
    let row =
        r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1" }"#;
    let dup_row = format!("{MODEL}prices = [\n  {row},\n  {row},\n]\n");
    let errs = errors_of(&dup_row);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].line, ROW_LINE + 1);
    assert!(
        errs[0].message.contains("first at line 17"),
        "{}",
        errs[0].message
    );
    // Same key with a later effective date is history, not a duplicate.
    let history = format!(
        "{MODEL}prices = [\n  {row},\n  {},\n]\n",
        row.replace(" }", r#", effective = "2026-01-01" }"#)
    );
    assert!(errors_of(&history).is_empty());
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let errs = errors_of("\n[[models]]\nid = \"acme.m1\nname = \"x\"\n");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line, 11, "{}", errs[0]);
}

#[test]
fn warnings_do_not_fail_validation() {
    let body = format!(
        "{MODEL}prices = [\n  {},\n  {},\n]\n",
        r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1" }"#,
        r#"{ mode = "batch", dimension = "input-tokens", unit = "1M tokens", usd = "2" }"#
    );
    let v = Catalog::build(
        &[SourceText {
            name: "acme.toml".into(),
            text: format!("{HEADER}{body}"),
        }],
        None,
    );
    assert!(!v.has_errors());
    assert!(v.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message.contains("dearer than on-demand")));
}

#[test]
fn override_files_replace_rows_add_models_and_apply_discounts() {
    let base = SourceText {
        name: "acme.toml".into(),
        text: format!(
            "{HEADER}{}",
            with_row(
                r#"{ mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "1.00" }"#
            )
        ),
    };
    let overlay = SourceText {
        name: "mine.toml".into(),
        text: r#"
[defaults]
regions = ["us-east-1"]
effective = "2025-06-01"
source = "private pricing agreement"

[[models]]
id = "acme.m1"
prices = [ { mode = "on-demand", dimension = "output-tokens", unit = "1M tokens", usd = "4" } ]

[[models]]
id = "acme.m2"
name = "M2"
kind = "text"
tokenizer = "llama3"
prices = [ { mode = "on-demand", dimension = "input-tokens", unit = "1M tokens", usd = "2" } ]

[[discounts]]
models = "acme.*"
modes = ["on-demand"]
percent = "25"
"#
        .into(),
    };
    let v = Catalog::build(&[base], Some(&overlay));
    assert!(!v.has_errors(), "{:#?}", v.diagnostics);
    let c = v.catalog;
    let m1 = c.get("acme.m1").unwrap();
    assert_eq!(m1.prices.len(), 2);
    let usd: Vec<String> = m1
        .prices
        .iter()
        .map(|p| p.usd.normalize().to_string())
        .collect();
    assert_eq!(usd, vec!["0.75", "3"]);
    assert_eq!(
        c.get("acme.m2").unwrap().prices[0]
            .usd
            .normalize()
            .to_string(),
        "1.5"
    );
    let bad = SourceText {
        name: "bad.toml".into(),
        text: "[[discounts]]\nmodels = \"x\"\npercent = \"150\"\n".into(),
    };
    let v = Catalog::build(&[], Some(&bad));
    assert!(
        v.errors()
            .any(|d| d.line == 3 && d.message.contains("between 0 and 100"))
    );
}

#[test]
fn new_rate_kinds_validate_their_units_modes_and_qualifiers() {
    for ok in [
        r#"{ mode = "on-demand", dimension = "audio-input-tokens", unit = "1M tokens", usd = "3" }"#,
        r#"{ mode = "on-demand", dimension = "audio-output-tokens", unit = "1K tokens", usd = "0.012" }"#,
        r#"{ mode = "on-demand", dimension = "video-input", unit = "second", usd = "0.0007" }"#,
        r#"{ mode = "batch", dimension = "video-input", unit = "minute", usd = "0.042" }"#,
        r#"{ mode = "on-demand", dimension = "rerank-queries", unit = "1K queries", usd = "2" }"#,
        r#"{ mode = "on-demand", dimension = "image-edit", unit = "image", usd = "0.07" }"#,
        r#"{ mode = "flex", dimension = "cache-write-30m", unit = "1M tokens", usd = "2.5" }"#,
        r#"{ mode = "on-demand", dimension = "cache-write-30m", unit = "1M tokens", usd = "5", above_input_tokens = 272000 }"#,
    ] {
        let errs = errors_of(&with_row(ok));
        assert!(errs.is_empty(), "{ok}: {errs:#?}");
    }
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "video-input", unit = "1M tokens", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "unit `1M tokens` does not fit dimension `video-input`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "rerank-queries", unit = "image", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "does not fit dimension `rerank-queries`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "audio-input-tokens", unit = "second", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "does not fit dimension `audio-input-tokens`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "provisioned-1-month", dimension = "rerank-queries", unit = "1K queries", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("dimension"),
        "dimension `rerank-queries` is not billed in mode `provisioned-1-month`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "customization-training", dimension = "image-edit", unit = "image", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("dimension"),
        "not billed in mode `customization-training`",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "video-input", unit = "second", usd = "1", above_input_tokens = 1000 }"#,
        ),
        ROW_LINE,
        Some("above_input_tokens"),
        "only applies to per-request token rows",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "rerank-queries", unit = "1K queries", usd = "1", resolution = "512x512" }"#,
        ),
        ROW_LINE,
        Some("resolution"),
        "only apply to image rows",
    );
    assert_error(
        &with_row(
            r#"{ mode = "on-demand", dimension = "video-input", unit = "hours", usd = "1" }"#,
        ),
        ROW_LINE,
        Some("unit"),
        "unknown unit",
    );
}

#[test]
fn a_rerank_model_kind_parses() {
    let body = "\n[[models]]\nid = \"acme.rerank\"\nname = \"R\"\nkind = \"rerank\"\ntokenizer = \"cohere\"\nprices = [\n  { mode = \"on-demand\", dimension = \"rerank-queries\", unit = \"1K queries\", usd = \"2\" },\n]\n";
    assert!(errors_of(body).is_empty(), "{:#?}", errors_of(body));
    let bad = body.replace("kind = \"rerank\"", "kind = \"ranker\"");
    let errs = errors_of(&bad);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].message.contains("unknown modelkind `ranker`"),
        "{}",
        errs[0]
    );
}
