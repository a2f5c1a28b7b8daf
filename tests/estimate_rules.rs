//! Estimate arithmetic, checked against hand-computed values (rates from bedrock-facts §6
//! and seed 002, written out here rather than read back from the catalog).

use std::str::FromStr;

use bedrock_meter::catalog::{Catalog, Dimension, Mode, Quality, Resolution};
use bedrock_meter::estimate::{CacheTtl, Estimate, ModeSelection, Usage, estimate};
use bedrock_meter::resolve::{Aliases, Resolver};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap().normalize()
}

fn run(id: &str, region: &str, usage: Usage, modes: ModeSelection) -> Estimate {
    let c = Box::leak(Box::new(Catalog::embedded().unwrap()));
    let r = Resolver::new(c, Aliases::default());
    let res = r.resolve(id).unwrap();
    estimate(&res, region, "2026-11-01".parse().unwrap(), &usage, &modes)
}

fn total(e: &Estimate, mode: Mode) -> Decimal {
    e.mode(mode)
        .unwrap_or_else(|| panic!("no {mode} in {e:#?}"))
        .total_usd
        .normalize()
}

#[test]
fn claude_3_haiku_million_tokens_on_demand_and_batch() {
    let e = run(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us-east-1",
        Usage {
            requests: 10,
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
            ..Default::default()
        },
        ModeSelection::All,
    );
    assert_eq!(total(&e, Mode::OnDemand), d("1.50"));
    assert_eq!(total(&e, Mode::Batch), d("0.75"));
    assert!(e.unpriced.is_empty());
    assert!(e.modes.iter().all(|m| m.complete));
}

#[test]
fn prompt_cache_reads_and_writes_use_their_own_rates() {
    // Claude 3.5 Haiku: input 0.80, output 4.00, 5m write 1.00, read 0.08 per 1M.
    let usage = Usage {
        input_tokens: 2_000,
        output_tokens: 500,
        cache_read_tokens: 50_000,
        cache_write_tokens: 10_000,
        ..Default::default()
    };
    let e = run(
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "us-west-2",
        usage,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    let expected = (d("2000") * d("0.80")
        + d("500") * d("4.00")
        + d("50000") * d("0.08")
        + d("10000") * d("1.00"))
        / d("1000000");
    assert_eq!(total(&e, Mode::OnDemand), expected.normalize());
    let dims: Vec<Dimension> = e.modes[0].line_items.iter().map(|l| l.dimension).collect();
    assert_eq!(
        dims,
        vec![
            Dimension::InputTokens,
            Dimension::OutputTokens,
            Dimension::CacheRead,
            Dimension::CacheWrite5m
        ]
    );
}

#[test]
fn one_hour_cache_writes_cost_twice_the_input_rate() {
    // Haiku 4.5 global: input 1.00 → 1h write 2.00 per 1M.
    let usage = Usage {
        input_tokens: 0,
        output_tokens: 0,
        cache_write_tokens: 1_000_000,
        cache_ttl: CacheTtl::OneHour,
        requests: 10,
        ..Default::default()
    };
    let e = run(
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "us-east-1",
        usage,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert_eq!(total(&e, Mode::OnDemand), d("2.00"));
}

#[test]
fn long_context_bills_the_whole_request_and_counts_cached_tokens() {
    // Sonnet 4: 190k input + 20k cache read = 210k > 200k → every dimension at LC rates:
    // in 6.00, out 22.50, read 0.60 per 1M.
    let usage = Usage {
        input_tokens: 190_000,
        output_tokens: 1_000,
        cache_read_tokens: 20_000,
        ..Default::default()
    };
    let e = run(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "us-east-1",
        usage.clone(),
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    let expected =
        (d("190000") * d("6") + d("1000") * d("22.5") + d("20000") * d("0.6")) / d("1000000");
    assert_eq!(total(&e, Mode::OnDemand), expected.normalize());
    // Below the threshold: standard rates (3.00 / 15.00 / 0.30).
    let small = Usage {
        input_tokens: 150_000,
        ..usage.clone()
    };
    let e = run(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "us-east-1",
        small,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    let expected =
        (d("150000") * d("3") + d("1000") * d("15") + d("20000") * d("0.3")) / d("1000000");
    assert_eq!(total(&e, Mode::OnDemand), expected.normalize());
    // The same 210k total spread over 2 requests is not long context.
    let spread = Usage {
        requests: 2,
        ..usage
    };
    let e = run(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "us-east-1",
        spread,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    let expected =
        (d("190000") * d("3") + d("1000") * d("15") + d("20000") * d("0.3")) / d("1000000");
    assert_eq!(total(&e, Mode::OnDemand), expected.normalize());
}

#[test]
fn long_context_without_rates_in_a_mode_is_unpriced_not_guessed() {
    let usage = Usage {
        input_tokens: 300_000,
        output_tokens: 100,
        ..Default::default()
    };
    let e = run(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "us-east-1",
        usage,
        ModeSelection::Only(vec![Mode::OnDemand, Mode::Batch]),
    );
    assert!(e.mode(Mode::Batch).is_none());
    assert!(
        e.unpriced.contains(&"batch/input-tokens".to_string()),
        "{:?}",
        e.unpriced
    );
}

#[test]
fn modes_the_model_lacks_are_unpriced_never_zero() {
    let usage = Usage {
        input_tokens: 1000,
        output_tokens: 1000,
        ..Default::default()
    };
    let e = run(
        "anthropic.claude-v2",
        "us-east-1",
        usage.clone(),
        ModeSelection::Only(vec![Mode::OnDemand, Mode::Flex, Mode::Provisioned1Month]),
    );
    assert_eq!(e.modes.len(), 1);
    assert_eq!(
        e.unpriced,
        vec!["flex".to_string(), "provisioned-1-month".to_string()]
    );
    // A cache read on a model without cache prices: the dimension is unpriced, the mode incomplete.
    let cached = Usage {
        cache_read_tokens: 10,
        ..usage.clone()
    };
    let e = run(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us-east-1",
        cached,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert!(!e.modes[0].complete);
    assert_eq!(e.unpriced, vec!["on-demand/cache-read".to_string()]);
    // A Region without prices.
    let e = run(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "ap-south-2",
        usage.clone(),
        ModeSelection::All,
    );
    assert!(e.modes.is_empty());
    assert_eq!(e.unpriced, vec!["on-demand".to_string()]);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("no prices in ap-south-2"))
    );
    // A model with no price at all.
    let e = run(
        "anthropic.claude-v1",
        "us-east-1",
        usage,
        ModeSelection::All,
    );
    assert!(e.modes.is_empty() && !e.unpriced.is_empty());
}

#[test]
fn image_models_bill_per_image_by_size_and_quality() {
    let usage = |n, w, q| Usage {
        images: n,
        image_resolution: Some(Resolution {
            width: w,
            height: w,
        }),
        image_quality: Some(q),
        ..Default::default()
    };
    let e = run(
        "amazon.titan-image-generator-v1",
        "us-east-1",
        usage(10, 512, Quality::Premium),
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.10"));
    let e = run(
        "stability.stable-diffusion-xl-v0",
        "us-east-1",
        usage(3, 768, Quality::Standard),
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.108"));
    let e = run(
        "stability.sd3-5-large-v1:0",
        "us-east-1",
        Usage {
            images: 5,
            ..Default::default()
        },
        ModeSelection::All,
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.40"));
}

#[test]
fn embeddings_and_multimodal_embeddings() {
    let e = run(
        "amazon.titan-embed-text-v2:0",
        "us-east-1",
        Usage {
            input_tokens: 1_000_000,
            requests: 1000,
            ..Default::default()
        },
        ModeSelection::All,
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.02"));
    // Titan Multimodal Embeddings: 0.0008 per 1K tokens + 0.00006 per image.
    let e = run(
        "amazon.titan-embed-image-v1",
        "us-east-1",
        Usage {
            input_tokens: 10_000,
            images: 100,
            requests: 100,
            ..Default::default()
        },
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.014"));
}

#[test]
fn custom_copies_use_custom_rates_where_listed() {
    let usage = Usage {
        images: 1,
        image_quality: Some(Quality::Standard),
        image_resolution: Some(Resolution {
            width: 512,
            height: 512,
        }),
        ..Default::default()
    };
    let e = run(
        "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-image-generator-v1:0/abc",
        "us-east-1",
        usage,
        ModeSelection::Only(vec![Mode::OnDemand]),
    );
    assert_eq!(total(&e, Mode::OnDemand), d("0.018"));
}
