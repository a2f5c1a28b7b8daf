//! Every model-ID form resolves to the right catalog entry, route and price.

use std::str::FromStr;

use bedrock_meter::catalog::{Catalog, Dimension, Mode, RateContext, RateQuery, Scope};
use bedrock_meter::estimate::{ModeSelection, Usage, estimate};
use bedrock_meter::resolve::{Aliases, ArnKind, ResolveError, Resolver, Route};
use rust_decimal::Decimal;

const SONNET_45: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU_3: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn resolver(c: &Catalog) -> Resolver<'_> {
    let mut aliases = Aliases::default();
    aliases.insert(
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        format!("us.{SONNET_45}"),
    );
    aliases.insert(
        "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/pm42",
        "amazon.titan-text-express-v1",
    );
    Resolver::new(c, aliases)
}

/// On-demand cost of 1M input tokens as priced for `input` in us-east-1 today.
fn input_per_million(c: &Catalog, input: &str) -> Option<Decimal> {
    let r = resolver(c).resolve(input).unwrap();
    // 1,000 requests of 1,000 tokens: below any long-context threshold.
    let usage = Usage {
        requests: 1000,
        input_tokens: 1_000_000,
        ..Default::default()
    };
    let est = estimate(
        &r,
        "us-east-1",
        "2026-11-01".parse().unwrap(),
        &usage,
        &ModeSelection::Only(vec![Mode::OnDemand]),
    );
    est.mode(Mode::OnDemand).map(|m| m.total_usd.normalize())
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap().normalize()
}

#[test]
fn id_forms_resolve_to_the_right_entry_route_and_scope() {
    let c = Catalog::embedded().unwrap();
    let r = resolver(&c);
    // (input, model, route prefix or None for in-Region, scope, ARN kind, Region from ARN, tier)
    type Row<'a> = (
        String,
        &'a str,
        Option<&'a str>,
        Scope,
        Option<ArnKind>,
        Option<&'a str>,
        Option<Mode>,
    );
    let table: Vec<Row> = vec![
        (HAIKU_3.to_string(), HAIKU_3, None, Scope::Geo, None, None, None),
        ("ANTHROPIC.CLAUDE-3-HAIKU-20240307-V1:0".to_string(), HAIKU_3, None, Scope::Geo, None, None, None),
        (format!("us.{HAIKU_3}"), HAIKU_3, Some("us"), Scope::Geo, None, None, None),
        (format!("eu.{HAIKU_3}"), HAIKU_3, Some("eu"), Scope::Geo, None, None, None),
        (format!("apac.{HAIKU_3}"), HAIKU_3, Some("apac"), Scope::Geo, None, None, None),
        (format!("jp.{SONNET_45}"), SONNET_45, Some("jp"), Scope::Geo, None, None, None),
        (format!("au.{SONNET_45}"), SONNET_45, Some("au"), Scope::Geo, None, None, None),
        (format!("global.{SONNET_45}"), SONNET_45, Some("global"), Scope::Global, None, None, None),
        (format!("arn:aws:bedrock:us-west-2::foundation-model/{HAIKU_3}"), HAIKU_3, None, Scope::Geo, Some(ArnKind::FoundationModel), Some("us-west-2"), None),
        (
            format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.{SONNET_45}"),
            SONNET_45,
            Some("global"),
            Scope::Global,
            Some(ArnKind::InferenceProfile),
            Some("us-east-1"),
            None,
        ),
        (
            format!("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.{HAIKU_3}"),
            HAIKU_3,
            Some("eu"),
            Scope::Geo,
            Some(ArnKind::InferenceProfile),
            Some("eu-west-1"),
            None,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123".to_string(),
            SONNET_45,
            Some("us"),
            Scope::Geo,
            Some(ArnKind::ApplicationInferenceProfile),
            Some("us-east-1"),
            None,
        ),
        (
            "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/pm42".to_string(),
            "amazon.titan-text-express-v1",
            None,
            Scope::Geo,
            Some(ArnKind::ProvisionedModel),
            Some("us-west-2"),
            None,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/ly16hhi765j4".to_string(),
            "amazon.titan-text-express-v1",
            None,
            Scope::Geo,
            Some(ArnKind::CustomModel),
            Some("us-east-1"),
            None,
        ),
        ("openai.gpt-oss-120b-1:0+flex".to_string(), "openai.gpt-oss-120b-1:0", None, Scope::Geo, None, None, Some(Mode::Flex)),
        ("amazon.nova-pro-v1:0+priority".to_string(), "amazon.nova-pro-v1:0", None, Scope::Geo, None, None, Some(Mode::Priority)),
        ("us.amazon.nova-pro-v1:0+flex".to_string(), "amazon.nova-pro-v1:0", Some("us"), Scope::Geo, None, None, Some(Mode::Flex)),
        (format!("{HAIKU_3}:200k"), HAIKU_3, None, Scope::Geo, None, None, None),
        ("amazon.titan-embed-text-v1:2:8k".to_string(), "amazon.titan-embed-text-v1", None, Scope::Geo, None, None, None),
    ];
    for (input, model, prefix, scope, arn, region, tier) in table {
        let got = r.resolve(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got.model.id, model, "{input}");
        assert_eq!(
            got.route,
            prefix.map_or(Route::InRegion, |p| Route::Profile(p.into())),
            "{input}"
        );
        assert_eq!(got.scope(), scope, "{input}");
        assert_eq!(got.arn_kind, arn, "{input}");
        assert_eq!(got.region.as_deref(), region, "{input}");
        assert_eq!(got.tier, tier, "{input}");
    }
    let custom = r.resolve("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-image-generator-v1:0/x1").unwrap();
    assert!(custom.custom);
}

#[test]
fn geo_premium_applies_only_where_aws_charges_it() {
    let c = Catalog::embedded().unwrap();
    // Sonnet 4.5: global is the base rate, geographic profiles and bare IDs +10%.
    assert_eq!(
        input_per_million(&c, &format!("global.{SONNET_45}")),
        Some(d("3.00"))
    );
    assert_eq!(
        input_per_million(&c, &format!("us.{SONNET_45}")),
        Some(d("3.30"))
    );
    assert_eq!(
        input_per_million(&c, &format!("eu.{SONNET_45}")),
        Some(d("3.30"))
    );
    assert_eq!(input_per_million(&c, SONNET_45), Some(d("3.30")));
    assert_eq!(
        input_per_million(
            &c,
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
        ),
        Some(d("3.30"))
    );
    // Haiku 4.5 and Opus 4.5 the same way.
    assert_eq!(
        input_per_million(&c, "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
        Some(d("1.00"))
    );
    assert_eq!(
        input_per_million(&c, "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        Some(d("1.10"))
    );
    assert_eq!(
        input_per_million(&c, "global.anthropic.claude-opus-4-5-20251101-v1:0"),
        Some(d("5.00"))
    );
    assert_eq!(
        input_per_million(&c, "apac.anthropic.claude-opus-4-5-20251101-v1:0"),
        Some(d("5.50"))
    );
    // Older models: every profile costs what the source Region costs.
    for id in [
        HAIKU_3.to_string(),
        format!("us.{HAIKU_3}"),
        format!("apac.{HAIKU_3}"),
    ] {
        assert_eq!(input_per_million(&c, &id), Some(d("0.25")), "{id}");
    }
    assert_eq!(
        input_per_million(&c, "us.anthropic.claude-sonnet-4-20250514-v1:0"),
        Some(d("3.00"))
    );
}

#[test]
fn flex_and_priority_series_price_in_their_tier() {
    let c = Catalog::embedded().unwrap();
    let r = resolver(&c);
    let usage = Usage {
        requests: 1000,
        input_tokens: 1_000_000,
        output_tokens: 1_000_000,
        ..Default::default()
    };
    let on = |id: &str| {
        let res = r.resolve(id).unwrap();
        estimate(
            &res,
            "us-east-1",
            "2026-11-01".parse().unwrap(),
            &usage,
            &ModeSelection::All,
        )
    };
    let flex = on("openai.gpt-oss-120b-1:0+flex");
    assert_eq!(flex.modes.len(), 1);
    assert_eq!(flex.modes[0].mode, Mode::Flex);
    assert_eq!(
        flex.modes[0].total_usd.normalize(),
        d("0.375"),
        "flex = 0.5 x (0.15 + 0.60)"
    );
    let priority = on("openai.gpt-oss-120b-1:0+priority");
    assert_eq!(
        priority.modes[0].total_usd.normalize(),
        d("1.3125"),
        "priority = 1.75 x 0.75"
    );
}

#[test]
fn unknown_ids_get_suggestions_and_opaque_arns_ask_for_an_alias() {
    let c = Catalog::embedded().unwrap();
    let r = resolver(&c);
    match r.resolve("anthropic.claude-3-haiku") {
        Err(ResolveError::Unknown { suggestions, .. }) => {
            assert_eq!(suggestions.first().map(String::as_str), Some(HAIKU_3))
        }
        other => panic!("{other:?}"),
    }
    match r.resolve("us.anthropic.claude-sonet-4-5-20250929-v1:0") {
        Err(ResolveError::Unknown { suggestions, .. }) => assert!(
            suggestions.iter().any(|s| s == SONNET_45),
            "{suggestions:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.resolve("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/unknown"),
        Err(ResolveError::NeedsAlias {
            kind: ArnKind::ApplicationInferenceProfile,
            ..
        })
    ));
    assert!(matches!(
        r.resolve("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/zzz"),
        Err(ResolveError::NeedsAlias { .. })
    ));
    assert!(matches!(
        r.resolve("arn:aws:s3:::bucket/key"),
        Err(ResolveError::BadArn(_))
    ));
    match r.resolve("completely-unrelated-xyz") {
        Err(ResolveError::Unknown { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn imported_models_use_custom_model_import_rates() {
    let c = Catalog::embedded().unwrap();
    let r = resolver(&c);
    let got = r
        .resolve("arn:aws:bedrock:us-east-1:123456789012:imported-model/abc")
        .unwrap();
    let ctx = RateContext {
        region: "us-east-1",
        scope: got.scope(),
        custom: false,
        as_of: "2026-11-01".parse().unwrap(),
    };
    let cmu = got
        .model
        .rate(
            &ctx,
            &RateQuery::new(Mode::CustomModelImport, Dimension::CmuMinute),
        )
        .unwrap();
    assert_eq!(cmu.usd.normalize(), d("0.05718"));
}

#[test]
fn alias_files_parse_and_report_bad_lines() {
    let ok = Aliases::from_toml("[aliases]\n\"arn:aws:bedrock:us-east-1:1:application-inference-profile/x\" = \"amazon.nova-lite-v1:0\"\n", "a.toml").unwrap();
    assert_eq!(
        ok.get("arn:aws:bedrock:us-east-1:1:application-inference-profile/x"),
        Some("amazon.nova-lite-v1:0")
    );
    let err = Aliases::from_toml("[aliases]\n\"x\" = 5\n", "a.toml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("a.toml:2:"), "{err}");
}
