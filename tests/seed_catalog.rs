//! Every model of seed 002's 2024 table is in the catalog with the seed's prices.
//! The expected values below are transcribed from the seed document, not from pricing/.

use std::str::FromStr;

use bedrock_meter::catalog::{
    Catalog, Dimension, Mode, Quality, RateContext, RateQuery, Resolution, Scope,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Seed 002 was written in 2024; later price changes are kept as history.
fn seed_ctx(region: &str) -> RateContext<'_> {
    RateContext {
        region,
        scope: Scope::Geo,
        custom: false,
        as_of: "2024-07-01".parse().unwrap(),
    }
}

/// USD per 1,000 units (tokens) at the catalog rate, whatever unit the row is written in.
fn per_1k(
    catalog: &Catalog,
    id: &str,
    region: &str,
    mode: Mode,
    dim: Dimension,
) -> Option<Decimal> {
    let m = catalog
        .get(id)
        .unwrap_or_else(|| panic!("{id} missing from the catalog"));
    m.rate(&seed_ctx(region), &RateQuery::new(mode, dim))
        .map(|p| (p.usd * Decimal::from(1000) / p.unit.size()).normalize())
}

/// (model ID, input per 1K, output per 1K or None) from seed 002's on-demand table.
const SEED_TEXT: &[(&str, &str, Option<&str>)] = &[
    ("ai21.j2-ultra-v1", "0.0188", Some("0.0188")),
    ("ai21.j2-mid-v1", "0.0125", Some("0.0125")),
    ("amazon.titan-text-lite-v1", "0.0003", Some("0.0004")),
    ("amazon.titan-text-express-v1", "0.0008", Some("0.0016")),
    ("amazon.titan-embed-text-v1", "0.0001", None),
    ("amazon.titan-embed-image-v1", "0.0008", None),
    (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "0.003",
        Some("0.015"),
    ),
    (
        "anthropic.claude-3-opus-20240229-v1:0",
        "0.015",
        Some("0.075"),
    ),
    (
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "0.003",
        Some("0.015"),
    ),
    (
        "anthropic.claude-3-haiku-20240307-v1:0",
        "0.00025",
        Some("0.00125"),
    ),
    ("anthropic.claude-v2:1", "0.008", Some("0.024")),
    ("anthropic.claude-v2", "0.008", Some("0.024")),
    ("anthropic.claude-instant-v1", "0.0008", Some("0.0024")),
    ("cohere.command-r-plus-v1:0", "0.003", Some("0.015")),
    ("cohere.command-r-v1:0", "0.0005", Some("0.0015")),
    ("cohere.command-text-v14", "0.0015", Some("0.002")),
    ("cohere.command-light-text-v14", "0.0003", Some("0.0006")),
    ("cohere.embed-english-v3", "0.0001", None),
    ("cohere.embed-multilingual-v3", "0.0001", None),
    ("meta.llama3-8b-instruct-v1:0", "0.0003", Some("0.0006")),
    ("meta.llama3-70b-instruct-v1:0", "0.00265", Some("0.0035")),
    ("meta.llama2-13b-chat-v1", "0.00075", Some("0.001")),
    ("meta.llama2-70b-chat-v1", "0.00195", Some("0.00256")),
    (
        "mistral.mistral-7b-instruct-v0:2",
        "0.00015",
        Some("0.0002"),
    ),
    (
        "mistral.mixtral-8x7b-instruct-v0:1",
        "0.00045",
        Some("0.0007"),
    ),
    ("mistral.mistral-small-2402-v1:0", "0.001", Some("0.003")),
    ("mistral.mistral-large-2402-v1:0", "0.004", Some("0.012")),
];

/// Seed models with no token price (image models, and Claude v1 which the seed does not price).
const SEED_OTHER: &[&str] = &[
    "amazon.titan-image-generator-v1",
    "anthropic.claude-v1",
    "stability.stable-diffusion-xl-v0",
    "stability.stable-diffusion-xl-v1",
];

/// (model, max tokens) from the seed table.
const SEED_CONTEXT: &[(&str, u64)] = &[
    ("ai21.j2-ultra-v1", 8191),
    ("anthropic.claude-v2:1", 200_000),
    ("anthropic.claude-v2", 100_000),
    ("cohere.command-text-v14", 4000),
    ("meta.llama2-13b-chat-v1", 4096),
    ("cohere.embed-english-v3", 512),
    ("amazon.titan-embed-image-v1", 128),
];

#[test]
fn every_seed_text_model_has_the_seed_on_demand_prices_in_both_regions() {
    let c = Catalog::embedded().unwrap();
    for region in ["us-east-1", "us-west-2"] {
        for (id, input, output) in SEED_TEXT {
            assert_eq!(
                per_1k(&c, id, region, Mode::OnDemand, Dimension::InputTokens),
                Some(d(input)),
                "{id} input in {region}"
            );
            match output {
                Some(o) => assert_eq!(
                    per_1k(&c, id, region, Mode::OnDemand, Dimension::OutputTokens),
                    Some(d(o)),
                    "{id} output in {region}"
                ),
                None => assert_eq!(
                    per_1k(&c, id, region, Mode::OnDemand, Dimension::OutputTokens),
                    None,
                    "{id} has no output price"
                ),
            }
        }
    }
    for id in SEED_OTHER {
        assert!(c.get(id).is_some(), "{id} missing");
    }
    assert!(
        !c.get("anthropic.claude-v1").unwrap().is_priced(),
        "the seed gives Claude v1 no price: it must stay unpriced"
    );
}

#[test]
fn seed_context_windows() {
    let c = Catalog::embedded().unwrap();
    for (id, window) in SEED_CONTEXT {
        assert_eq!(c.get(id).unwrap().context_window, Some(*window), "{id}");
    }
}

#[test]
fn seed_provisioned_and_customization_prices() {
    let c = Catalog::embedded().unwrap();
    let hour = |id: &str, mode| {
        c.get(id)
            .unwrap()
            .rate(
                &seed_ctx("us-east-1"),
                &RateQuery::new(mode, Dimension::ModelUnitHour),
            )
            .map(|p| p.usd.normalize())
    };
    // (model, no commitment, 1 month, 6 months)
    let table: &[(&str, Option<&str>, &str, &str)] = &[
        ("amazon.titan-text-lite-v1", Some("7.10"), "6.40", "5.10"),
        (
            "amazon.titan-text-express-v1",
            Some("20.50"),
            "18.40",
            "14.80",
        ),
        ("amazon.titan-embed-text-v1", None, "6.40", "5.10"),
        ("anthropic.claude-v2", None, "63.00", "35.00"),
        ("anthropic.claude-instant-v1", None, "39.60", "22.00"),
        ("cohere.command-text-v14", Some("49.50"), "39.60", "23.77"),
        (
            "cohere.command-light-text-v14",
            Some("8.56"),
            "6.85",
            "4.11",
        ),
        ("cohere.embed-english-v3", Some("7.12"), "6.76", "6.41"),
        ("meta.llama2-70b-chat-v1", None, "21.18", "13.08"),
        ("stability.stable-diffusion-xl-v1", None, "49.86", "46.18"),
        ("amazon.titan-embed-image-v1", Some("9.38"), "8.45", "6.75"),
    ];
    for (id, none, one, six) in table {
        assert_eq!(
            hour(id, Mode::ProvisionedNoCommit),
            none.map(|s| d(s).normalize()),
            "{id} no-commit"
        );
        assert_eq!(
            hour(id, Mode::Provisioned1Month),
            Some(d(one).normalize()),
            "{id} 1 month"
        );
        assert_eq!(
            hour(id, Mode::Provisioned6Month),
            Some(d(six).normalize()),
            "{id} 6 months"
        );
    }
    assert_eq!(
        per_1k(
            &c,
            "amazon.titan-text-express-v1",
            "us-east-1",
            Mode::CustomizationTraining,
            Dimension::TrainingTokens
        ),
        Some(d("0.008"))
    );
    assert_eq!(
        per_1k(
            &c,
            "meta.llama2-13b-chat-v1",
            "us-east-1",
            Mode::CustomizationTraining,
            Dimension::TrainingTokens
        ),
        Some(d("0.00149"))
    );
    let storage = c.get("cohere.command-text-v14").unwrap().rate(
        &seed_ctx("us-east-1"),
        &RateQuery::new(Mode::CustomizationStorage, Dimension::ModelStorageMonth),
    );
    assert_eq!(storage.map(|p| p.usd.normalize()), Some(d("1.95")));
}

#[test]
fn seed_image_prices() {
    let c = Catalog::embedded().unwrap();
    let image = |id: &str, w: u32, q: Quality, custom: bool| {
        let ctx = RateContext {
            custom,
            ..seed_ctx("us-east-1")
        };
        let q = RateQuery {
            image: Some((
                Resolution {
                    width: w,
                    height: w,
                },
                q,
            )),
            ..RateQuery::new(Mode::OnDemand, Dimension::Image)
        };
        c.get(id).unwrap().rate(&ctx, &q).map(|p| p.usd.normalize())
    };
    assert_eq!(
        image(
            "amazon.titan-image-generator-v1",
            512,
            Quality::Standard,
            false
        ),
        Some(d("0.008"))
    );
    assert_eq!(
        image(
            "amazon.titan-image-generator-v1",
            1024,
            Quality::Standard,
            false
        ),
        Some(d("0.01"))
    );
    assert_eq!(
        image(
            "amazon.titan-image-generator-v1",
            512,
            Quality::Premium,
            false
        ),
        Some(d("0.01"))
    );
    assert_eq!(
        image(
            "amazon.titan-image-generator-v1",
            1024,
            Quality::Premium,
            false
        ),
        Some(d("0.012"))
    );
    assert_eq!(
        image(
            "amazon.titan-image-generator-v1",
            1024,
            Quality::Premium,
            true
        ),
        Some(d("0.022"))
    );
    assert_eq!(
        image(
            "stability.stable-diffusion-xl-v0",
            512,
            Quality::Standard,
            false
        ),
        Some(d("0.018"))
    );
    assert_eq!(
        image(
            "stability.stable-diffusion-xl-v0",
            768,
            Quality::Standard,
            false
        ),
        Some(d("0.036"))
    );
    assert_eq!(
        image(
            "stability.stable-diffusion-xl-v0",
            1024,
            Quality::Premium,
            false
        ),
        Some(d("0.072"))
    );
    assert_eq!(
        image(
            "stability.stable-diffusion-xl-v1",
            1024,
            Quality::Premium,
            false
        ),
        Some(d("0.08"))
    );
    assert_eq!(
        image(
            "stability.stable-diffusion-xl-v1",
            2048,
            Quality::Standard,
            false
        ),
        None,
        "no tier holds 2048x2048"
    );
    let input_image = c.get("amazon.titan-embed-image-v1").unwrap().rate(
        &seed_ctx("us-east-1"),
        &RateQuery::new(Mode::OnDemand, Dimension::InputImage),
    );
    assert_eq!(input_image.map(|p| p.usd.normalize()), Some(d("0.00006")));
}

#[test]
fn price_history_serves_the_rate_of_the_date_asked() {
    let c = Catalog::embedded().unwrap();
    let m = c.get("amazon.titan-text-lite-v1").unwrap();
    let at = |date: &str| {
        let ctx = RateContext {
            as_of: date.parse().unwrap(),
            ..seed_ctx("us-east-1")
        };
        m.rate(
            &ctx,
            &RateQuery::new(Mode::OnDemand, Dimension::InputTokens),
        )
        .map(|p| p.cost(Decimal::from(1_000_000)).normalize())
    };
    assert_eq!(at("2024-07-01"), Some(d("0.3")));
    assert_eq!(at("2026-11-01"), Some(d("0.15")));
    assert_eq!(
        at("2020-01-01"),
        None,
        "nothing was priced before the first effective date"
    );
}

#[test]
fn current_families_are_covered_in_both_regions() {
    let c = Catalog::embedded().unwrap();
    let now = RateContext {
        region: "us-east-1",
        scope: Scope::Geo,
        custom: false,
        as_of: "2026-11-01".parse().unwrap(),
    };
    // (ID, input per 1M, output per 1M), bare ID (in-Region) rates, from bedrock-facts §6.
    let table: &[(&str, &str, &str)] = &[
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "0.80", "4.00"),
        ("anthropic.claude-sonnet-4-20250514-v1:0", "3.00", "15.00"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "3.30", "16.50"),
        ("anthropic.claude-haiku-4-5-20251001-v1:0", "1.10", "5.50"),
        ("anthropic.claude-opus-4-1-20250805-v1:0", "15.00", "75.00"),
        ("amazon.nova-micro-v1:0", "0.035", "0.14"),
        ("amazon.nova-pro-v1:0", "0.80", "3.20"),
        ("amazon.titan-text-premier-v1:0", "0.50", "1.50"),
        ("meta.llama3-1-70b-instruct-v1:0", "0.72", "0.72"),
        ("meta.llama4-maverick-17b-instruct-v1:0", "0.24", "0.97"),
        ("deepseek.r1-v1:0", "1.35", "5.40"),
        ("openai.gpt-oss-120b-1:0", "0.15", "0.60"),
    ];
    for region in ["us-east-1", "us-west-2"] {
        let ctx = RateContext { region, ..now };
        for (id, input, output) in table {
            let m = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            let per_m = |dim| {
                m.rate(&ctx, &RateQuery::new(Mode::OnDemand, dim))
                    .map(|p| p.cost(Decimal::from(1_000_000)).normalize())
            };
            assert_eq!(
                per_m(Dimension::InputTokens),
                Some(d(input).normalize()),
                "{id} input {region}"
            );
            assert_eq!(
                per_m(Dimension::OutputTokens),
                Some(d(output).normalize()),
                "{id} output {region}"
            );
        }
    }
    let tokenizer_families: std::collections::BTreeSet<&str> =
        c.models().iter().map(|m| m.tokenizer.as_str()).collect();
    for fam in [
        "llama3",
        "llama4",
        "gpt-oss",
        "mistral-v1",
        "deepseek",
        "claude-legacy",
        "claude",
        "nova",
        "titan",
        "cohere",
    ] {
        assert!(
            tokenizer_families.contains(fam),
            "no model uses tokenizer family {fam}"
        );
    }
}

#[test]
fn embedded_catalog_has_no_errors() {
    let v = Catalog::validate(None).unwrap();
    let errors: Vec<String> = v.errors().map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(v.catalog.models().len() >= 60);
}
