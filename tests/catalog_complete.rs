//! The complete catalog (issue 13): every model the public price references list, checkable
//! sources, the new rate kinds priced end to end, and README's coverage table kept true.
//!
//! Expected prices are transcribed from the references (litellm 1.110.2's price map and
//! genai-prices 0.2.3), not read back from pricing/.

use std::collections::BTreeSet;
use std::str::FromStr;

use bedrock_meter::catalog::{Catalog, Dimension, Mode, ModelKind, RateContext, RateQuery, Scope};
use bedrock_meter::estimate::{
    CacheTtl, Estimate, MediaUsage, ModeSelection, Usage, estimate_media,
};
use bedrock_meter::resolve::{Aliases, Resolver};
use bedrock_meter::tokenize;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap().normalize()
}

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::embedded().unwrap())
}

fn run(id: &str, region: &str, usage: &Usage, media: &MediaUsage) -> Estimate {
    let r = Resolver::new(catalog(), Aliases::default());
    let res = r.resolve(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    estimate_media(
        &res,
        region,
        "2026-11-01".parse().unwrap(),
        usage,
        media,
        &ModeSelection::Only(vec![Mode::OnDemand]),
    )
}

fn on_demand(e: &Estimate) -> Decimal {
    e.mode(Mode::OnDemand)
        .unwrap_or_else(|| panic!("no on-demand in {e:#?}"))
        .total_usd
        .normalize()
}

#[test]
fn no_source_cites_documents_users_do_not_have() {
    for m in catalog().models() {
        for p in &m.prices {
            let s = p.source.to_ascii_lowercase();
            assert!(
                !s.contains("bedrock-facts") && !s.contains("seed 002"),
                "{} {}:{} cites `{}`",
                m.id,
                p.origin.file,
                p.origin.line,
                p.source
            );
        }
    }
}

#[test]
fn every_source_is_one_a_user_can_check() {
    let checkable = [
        "https://aws.amazon.com/bedrock/pricing/",
        "AWS pricing page, 2024",
        "litellm 1.110.2 model_prices `",
        "genai-prices 0.2.3 aws",
    ];
    for m in catalog().models() {
        for p in &m.prices {
            assert!(
                checkable.iter().any(|c| p.source.starts_with(c)),
                "{} {}:{}: `{}` is not a checkable source",
                m.id,
                p.origin.file,
                p.origin.line,
                p.source
            );
        }
    }
}

/// The models the issue names, each with its on-demand input / output per 1M tokens on the
/// route given (litellm 1.110.2 / genai-prices 0.2.3, us-east-1).
#[test]
fn the_issue_models_are_priced() {
    let table: &[(&str, &str, &str, &str)] = &[
        ("global.anthropic.claude-opus-4-8", "us-east-1", "5", "25"),
        ("us.anthropic.claude-opus-4-8", "us-east-1", "5.5", "27.5"),
        ("global.anthropic.claude-opus-5", "us-east-1", "5", "25"),
        ("global.anthropic.claude-opus-5-5", "us-east-1", "4", "20"),
        ("global.anthropic.claude-sonnet-5", "us-east-1", "2", "10"),
        ("us.anthropic.claude-sonnet-5-5", "us-east-1", "2.2", "11"),
        ("eu.anthropic.claude-haiku-5-5", "eu-west-1", "0.11", "0.55"),
        (
            "us-gov.anthropic.claude-sonnet-5-5",
            "us-gov-west-1",
            "2.4",
            "12",
        ),
        ("global.amazon.nova-2-lite-v1:0", "us-east-1", "0.3", "2.5"),
        (
            "meta.llama3-1-405b-instruct-v1:0",
            "us-east-1",
            "2.4",
            "2.4",
        ),
        (
            "mistral.mistral-large-3-675b-instruct",
            "us-east-1",
            "0.5",
            "1.5",
        ),
        ("mistral.pixtral-large-2502-v1:0", "us-east-1", "2", "6"),
        ("mistral.devstral-2-123b", "us-east-1", "0.4", "2"),
        ("mistral.voxtral-small-24b-2507", "us-east-1", "0.1", "0.3"),
        ("ai21.jamba-1-5-large-v1:0", "us-east-1", "2", "8"),
        ("openai.gpt-oss-safeguard-120b", "us-east-1", "0.15", "0.6"),
        ("global.openai.gpt-6-sol", "us-east-1", "2", "10"),
        ("qwen.qwen3-32b-v1:0", "us-east-1", "0.15", "0.6"),
        ("google.gemma-3-27b-it", "us-east-1", "0.23", "0.38"),
        ("nvidia.nemotron-super-3-120b", "us-east-1", "0.15", "0.65"),
        ("writer.palmyra-x5-v1:0", "us-east-1", "0.6", "6"),
        ("global.xai.grok-4.6", "us-east-1", "2", "6"),
        ("global.zai.glm-5.3", "us-east-1", "1.68", "5.28"),
        (
            "bedrock/ap-south-1/minimax.minimax-m2.5",
            "ap-south-1",
            "0.36",
            "1.44",
        ),
        ("moonshotai.kimi-k2.5", "sa-east-1", "0.72", "3.6"),
        ("deepseek.v3.2", "eu-north-1", "0.74", "2.22"),
    ];
    for (id, region, input, output) in table {
        let id = id.rsplit('/').next().unwrap();
        let e = run(
            id,
            region,
            &Usage {
                requests: 100,
                input_tokens: 1_000_000,
                output_tokens: 1_000_000,
                ..Default::default()
            },
            &MediaUsage::default(),
        );
        assert_eq!(
            on_demand(&e),
            d(input) + d(output),
            "{id} in {region}: {e:#?}"
        );
        assert!(e.unpriced.is_empty(), "{id} {region}: {:?}", e.unpriced);
    }
}

/// The issue's first complaint: an EU profile in an EU Region printed UNPRICED.
#[test]
fn an_eu_profile_in_eu_west_1_is_priced_at_the_geo_rate() {
    let e = run(
        "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "eu-west-1",
        &Usage {
            requests: 100,
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
            ..Default::default()
        },
        &MediaUsage::default(),
    );
    assert_eq!(on_demand(&e), d("3.30") + d("16.50"), "{e:#?}");
}

#[test]
fn speech_video_rerank_image_edit_and_30_minute_cache_are_priced() {
    // Nova 2 Sonic: text in 0.33 / out 2.75, audio in 3 / out 12 per 1M (both references).
    let e = run(
        "amazon.nova-2-sonic-v1:0",
        "us-east-1",
        &Usage {
            requests: 100,
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
            ..Default::default()
        },
        &MediaUsage {
            audio_input_tokens: 1_000_000,
            audio_output_tokens: 2_000_000,
            ..Default::default()
        },
    );
    assert_eq!(on_demand(&e), d("0.33") + d("2.75") + d("3") + d("24"));
    let dims: BTreeSet<Dimension> = e.modes[0].line_items.iter().map(|l| l.dimension).collect();
    assert!(
        dims.contains(&Dimension::AudioInputTokens) && dims.contains(&Dimension::AudioOutputTokens)
    );

    // Cohere Rerank 3.5: $2.00 per 1,000 queries (litellm: 0.002 per query).
    let e = run(
        "cohere.rerank-v3-5:0",
        "us-east-1",
        &Usage::default(),
        &MediaUsage {
            rerank_queries: 2_500,
            ..Default::default()
        },
    );
    assert_eq!(on_demand(&e), d("5"));

    // TwelveLabs Marengo 3.0: video at 0.0007 per second.
    let e = run(
        "twelvelabs.marengo-embed-3-0-v1:0",
        "us-east-1",
        &Usage::default(),
        &MediaUsage {
            video_seconds: 600,
            ..Default::default()
        },
    );
    assert_eq!(on_demand(&e), d("0.42"));

    // Stability inpaint: 0.07 per edited image, whatever its size.
    let e = run(
        "stability.stable-image-inpaint-v1:0",
        "us-east-1",
        &Usage {
            images: 3,
            ..Default::default()
        },
        &MediaUsage::default(),
    );
    assert_eq!(on_demand(&e), d("0.21"));
    assert_eq!(e.modes[0].line_items[0].dimension, Dimension::ImageEdit);

    // GPT-5.6 Sol (global): cache writes last 30 minutes, 5.00 per 1M; a 5-minute write has
    // no rate and is reported, never priced at $0.
    let cached = Usage {
        requests: 100,
        input_tokens: 1_000,
        cache_write_tokens: 1_000_000,
        cache_ttl: CacheTtl::ThirtyMinutes,
        ..Default::default()
    };
    let e = run(
        "global.openai.gpt-5.6-sol",
        "us-east-1",
        &cached,
        &MediaUsage::default(),
    );
    assert_eq!(on_demand(&e), d("5") + d("0.004"));
    let five = Usage {
        cache_ttl: CacheTtl::FiveMinutes,
        ..cached
    };
    let e = run(
        "global.openai.gpt-5.6-sol",
        "us-east-1",
        &five,
        &MediaUsage::default(),
    );
    assert_eq!(e.unpriced, vec!["on-demand/cache-write-5m".to_string()]);
    assert!(!e.modes[0].complete);
}

#[test]
fn a_region_no_reference_prices_stays_unpriced_never_zero() {
    let e = run(
        "anthropic.claude-sonnet-5",
        "me-central-1",
        &Usage {
            input_tokens: 1_000,
            output_tokens: 1_000,
            ..Default::default()
        },
        &MediaUsage::default(),
    );
    assert!(e.modes.is_empty(), "{e:#?}");
    assert_eq!(e.unpriced, vec!["on-demand".to_string()]);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("no prices in me-central-1")),
        "{:?}",
        e.warnings
    );
}

/// `count` and `estimate` work for every catalog model: each tokenizer family counts, and
/// each model prices a small request in a Region it is priced in without a $0 line.
#[test]
fn every_catalog_model_counts_and_estimates() {
    let text = "Amazon Bedrock bills every model by its own units: 東京のリージョン.";
    for m in catalog().models() {
        let n = tokenize::count(&m.tokenizer, text).unwrap_or_else(|e| panic!("{}: {e}", m.id));
        assert!(n.tokens >= 5, "{}: {} tokens", m.id, n.tokens);
        assert_eq!(n.exact, n.error_band.is_none(), "{}", m.id);
        let Some(region) = m.regions().into_iter().next() else {
            continue;
        };
        let usage = Usage {
            input_tokens: 1_000,
            output_tokens: if m.kind == ModelKind::Text { 100 } else { 0 },
            images: if matches!(m.kind, ModelKind::Image | ModelKind::MultimodalEmbedding) {
                1
            } else {
                0
            },
            ..Default::default()
        };
        let media = MediaUsage {
            rerank_queries: if m.kind == ModelKind::Rerank { 10 } else { 0 },
            ..Default::default()
        };
        let r = Resolver::new(catalog(), Aliases::default());
        let res = r.resolve(&m.id).unwrap_or_else(|e| panic!("{}: {e}", m.id));
        let e = estimate_media(
            &res,
            region,
            "2026-11-01".parse().unwrap(),
            &usage,
            &media,
            &ModeSelection::All,
        );
        for mc in &e.modes {
            for li in &mc.line_items {
                assert!(
                    li.quantity == 0 || li.cost_usd > Decimal::ZERO,
                    "{} {region} {}: {li:?}",
                    m.id,
                    mc.mode
                );
            }
        }
        assert!(
            !e.modes.is_empty() || !e.unpriced.is_empty(),
            "{} {region}: neither priced nor reported unpriced: {e:#?}",
            m.id
        );
    }
}

#[test]
fn the_catalog_covers_the_references_regions_and_govcloud() {
    let regions: BTreeSet<&str> = catalog()
        .models()
        .iter()
        .flat_map(|m| m.regions())
        .collect();
    for r in [
        "us-east-1",
        "us-west-2",
        "us-east-2",
        "us-gov-west-1",
        "us-gov-east-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "eu-south-1",
        "ap-northeast-1",
        "ap-south-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "sa-east-1",
    ] {
        assert!(regions.contains(r), "no model priced in {r}");
    }
    assert!(
        catalog().models().len() >= 170,
        "{}",
        catalog().models().len()
    );
    // Premium Claude models: global and geo rows differ by 10%.
    let m = catalog().get("anthropic.claude-opus-5").unwrap();
    let rate = |scope| {
        let ctx = RateContext {
            region: "eu-west-1",
            scope,
            custom: false,
            as_of: "2026-11-01".parse().unwrap(),
        };
        m.rate(
            &ctx,
            &RateQuery::new(Mode::OnDemand, Dimension::InputTokens),
        )
        .map(|p| p.usd.normalize())
    };
    assert_eq!(rate(Scope::Global), Some(d("5")));
    assert_eq!(rate(Scope::Geo), Some(d("5.5")));
}

/// README's coverage table is generated from the catalog; `BEDROCK_METER_WRITE_COVERAGE=1`
/// rewrites it.
#[test]
fn readme_coverage_table_is_current() {
    let table = coverage_table(catalog());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    const BEGIN: &str = "<!-- coverage:begin (generated by tests/catalog_complete.rs) -->\n";
    const END: &str = "<!-- coverage:end -->";
    let start = readme.find(BEGIN).expect("README has the coverage markers") + BEGIN.len();
    let end = readme
        .find(END)
        .expect("README has the coverage end marker");
    if std::env::var_os("BEDROCK_METER_WRITE_COVERAGE").is_some() {
        let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README coverage table is stale: rerun with BEDROCK_METER_WRITE_COVERAGE=1"
    );
}

fn coverage_table(c: &Catalog) -> String {
    use std::fmt::Write as _;
    let mut models: Vec<_> = c.models().iter().collect();
    models.sort_by(|a, b| a.id.cmp(&b.id));
    let all_regions: BTreeSet<&str> = models.iter().flat_map(|m| m.regions()).collect();
    let mut out = String::new();
    writeln!(
        out,
        "{} models, {} Regions. Modes: od = on-demand, b = batch, f = flex, p = priority, pt = provisioned, ft = fine-tuning, cmi = Custom Model Import.\n",
        models.len(),
        all_regions.len()
    )
    .unwrap();
    out.push_str("| model | kind | tokenizer | Regions | modes |\n|---|---|---|---|---|\n");
    for m in models {
        let regions: Vec<&str> = m.regions().into_iter().collect();
        let mut modes: Vec<&str> = Vec::new();
        for mode in m.modes(None) {
            let short = match mode {
                Mode::OnDemand => "od",
                Mode::Batch => "b",
                Mode::Flex => "f",
                Mode::Priority => "p",
                m if m.is_provisioned() => "pt",
                Mode::CustomModelImport => "cmi",
                _ => "ft",
            };
            if !modes.contains(&short) {
                modes.push(short);
            }
        }
        writeln!(
            out,
            "| `{}`{} | {} | {} | {} ({}) | {} |",
            m.id,
            if m.legacy { " (legacy)" } else { "" },
            m.kind,
            m.tokenizer,
            regions.len(),
            regions.join(" "),
            modes.join(" ")
        )
        .unwrap();
    }
    out
}

/// The command line takes the new quantities: `--rerank-queries` prices a rerank model, and
/// without it the error says which flag is needed (exit status 2, a usage error).
#[test]
fn estimate_command_prices_rerank_queries_and_asks_for_them() {
    let bin = env!("CARGO_BIN_EXE_bedrock-meter");
    let out = std::process::Command::new(bin)
        .args([
            "estimate",
            "-m",
            "cohere.rerank-v3-5:0",
            "--rerank-queries",
            "25000",
            "--format",
            "json",
        ])
        .env("BEDROCK_METER_CACHE_DIR", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["modes"][0]["line_items"][0]["dimension"],
        "rerank-queries"
    );
    assert_eq!(json["modes"][0]["total_usd"].to_string(), "50.00");
    let out = std::process::Command::new(bin)
        .args(["estimate", "-m", "cohere.rerank-v3-5:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--rerank-queries"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
