//! `pricing refresh`: the AWS Price List read through the real SDK from a local responder
//! that speaks the Pricing API's JSON 1.1 protocol (`X-Amz-Target:
//! AWSPriceListService.GetProducts`, items as JSON strings inside JSON, NextToken paging) and
//! Bedrock's ListFoundationModels, and from offer files in the bulk JSON and CSV layouts.
//!
//! The served items are written in the real shapes of each service code from the embedded
//! catalog's own rows (per 1K tokens for `AmazonBedrock`, per 1M for `AmazonBedrockService`,
//! `Units` + description for `AmazonBedrockFoundationModels`), so the refreshed catalog must
//! price every request exactly as the hand-written rows do — except one price the responder
//! changes on purpose, which must show in the difference.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use bedrock_meter::catalog::pricelist::{description, offer_file, usage_type};
use bedrock_meter::catalog::{
    Catalog, CatalogSource, Dimension, Mode, RateContext, RateQuery, Scope, Unit,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const NOVA_PRO: &str = "amazon.nova-pro-v1:0";
const SONNET_4: &str = "anthropic.claude-sonnet-4-20250514-v1:0";
const SONNET_45: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const PUBLISHED: &str = "2026-11-25T09:00:00Z";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pricelist")
        .join(name)
}

fn bin(data_dir: &Path) -> Command {
    let mut c = Command::cargo_bin("bedrock-meter").unwrap();
    c.env("BEDROCK_METER_DATA_DIR", data_dir)
        .env_remove("BEDROCK_METER_PRICING")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_MAX_ATTEMPTS", "1");
    c
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// One Price List item (`product` + `terms.OnDemand`), as GetProducts returns it.
fn item(service_code: &str, attributes: Value, unit: &str, usd: &str, description: &str) -> Value {
    let ut = attributes["usagetype"].as_str().unwrap().to_string();
    let sku = format!(
        "SKU{:08X}",
        ut.bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
    );
    let term = format!("{sku}.JRTCKXETXF");
    let rate = format!("{term}.6YS6EN2CT7");
    json!({
        "product": {"productFamily": "Amazon Bedrock", "attributes": attributes, "sku": sku},
        "serviceCode": service_code,
        "terms": {"OnDemand": {term.clone(): {
            "priceDimensions": {rate.clone(): {
                "unit": unit, "endRange": "Inf", "description": description, "appliesTo": [],
                "rateCode": rate, "beginRange": "0", "pricePerUnit": {"USD": usd}
            }},
            "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}
        }}},
        "version": "20261125090000",
        "publicationDate": PUBLISHED
    })
}

/// Per-request rows of a model in us-east-1 in the embedded catalog.
fn embedded_rows(id: &str) -> Vec<bedrock_meter::catalog::Price> {
    let c = Catalog::embedded().unwrap();
    c.get(id)
        .unwrap()
        .prices
        .iter()
        .filter(|p| p.mode.is_per_request() && p.applies_in("us-east-1") && !p.custom)
        .cloned()
        .collect()
}

fn per_1m(p: &bedrock_meter::catalog::Price) -> Decimal {
    p.usd / p.unit.size() * Decimal::from(1_000_000)
}

/// `AmazonBedrock`: Nova Pro per 1K tokens (on-demand, batch, flex, priority, cache read).
fn nova_pro_items() -> Vec<Value> {
    embedded_rows(NOVA_PRO)
        .iter()
        .map(|p| {
            let head = match p.dimension {
                Dimension::InputTokens => "input-tokens",
                Dimension::OutputTokens => "output-tokens",
                Dimension::CacheRead => "cache-read-input-token-count",
                d => panic!("unexpected Nova Pro dimension {d}"),
            };
            let tier = match p.mode {
                Mode::OnDemand => "",
                Mode::Batch => "-batch",
                Mode::Flex => "-flex",
                Mode::Priority => "-priority",
                m => panic!("unexpected mode {m}"),
            };
            let per_1k = (per_1m(p) / Decimal::from(1000)).normalize().to_string();
            item(
                "AmazonBedrock",
                json!({"usagetype": format!("USE1-NovaPro-{head}{tier}"), "model": "Nova Pro",
                       "provider": "Amazon", "regionCode": "us-east-1", "servicecode": "AmazonBedrock",
                       "feature": if p.mode == Mode::Batch { "Batch Inference" } else { "On-demand Inference" },
                       "inferenceType": head, "operation": "Usage", "location": "US East (N. Virginia)"}),
                "1K tokens",
                &per_1k,
                &format!("${per_1k} per 1K tokens for Nova Pro"),
            )
        })
        .collect()
}

/// `AmazonBedrockService`: Sonnet 4 per 1M tokens, each rate in-Region, for geo profiles and
/// for the global profile at the same price (older models: every route costs the same).
fn sonnet_4_items() -> Vec<Value> {
    let mut out = Vec::new();
    for p in embedded_rows(SONNET_4) {
        let head = match p.dimension {
            Dimension::InputTokens => "input-tokens",
            Dimension::OutputTokens => "output-tokens",
            Dimension::CacheWrite5m => "cache-write-input-token-count",
            Dimension::CacheRead => "cache-read-input-token-count",
            d => panic!("unexpected Sonnet 4 dimension {d}"),
        };
        let lc = if p.above_input_tokens.is_some() {
            "-long-context"
        } else {
            ""
        };
        let batch = if p.mode == Mode::Batch { "-batch" } else { "" };
        for route in ["", "-cross-region-geo", "-cross-region-global"] {
            let ut = format!("USE1-Claude4Sonnet-{head}{lc}{route}{batch}");
            out.push(item(
                "AmazonBedrockService",
                json!({"usagetype": ut, "model": "Claude Sonnet 4", "provider": "Anthropic",
                       "regionCode": "us-east-1", "servicecode": "AmazonBedrockService"}),
                "1M tokens",
                &per_1m(&p).normalize().to_string(),
                &format!("Claude Sonnet 4 {ut}"),
            ));
        }
    }
    out
}

/// `AmazonBedrockFoundationModels`: Sonnet 4.5 in Marketplace form, unit `Units`, the
/// meaning in the description; the geo rows are served as in-Region ("Regional") rates.
/// The in-Region output price is raised by $0.50 (the change the diff must show).
fn sonnet_45_items(change: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for p in embedded_rows(SONNET_45) {
        let (camel, words) = match p.dimension {
            Dimension::InputTokens => ("InputTokenCount", "Input Tokens"),
            Dimension::OutputTokens => ("OutputTokenCount", "Response Tokens"),
            Dimension::CacheWrite5m => ("CacheWriteInputTokenCount", "Cache Write Input Tokens"),
            Dimension::CacheWrite1h => {
                ("CacheWrite1hInputTokenCount", "Cache Write 1h Input Tokens")
            }
            Dimension::CacheRead => ("CacheReadInputTokenCount", "Cache Read Input Tokens"),
            d => panic!("unexpected Sonnet 4.5 dimension {d}"),
        };
        let lc = if p.above_input_tokens.is_some() {
            "_LCtx"
        } else {
            ""
        };
        let lc_words = if p.above_input_tokens.is_some() {
            " Long Context"
        } else {
            ""
        };
        let (route, route_words) = match p.scope {
            Scope::Global => ("_Global", "Global"),
            _ => ("", "Regional"),
        };
        let (batch, batch_words) = if p.mode == Mode::Batch {
            ("_Batch", " Batch")
        } else {
            ("", "")
        };
        let mut usd = per_1m(&p);
        if change
            && p.mode == Mode::OnDemand
            && p.dimension == Dimension::OutputTokens
            && p.scope == Scope::Geo
            && p.above_input_tokens.is_none()
        {
            usd += Decimal::new(50, 2);
        }
        out.push(item(
            "AmazonBedrockFoundationModels",
            json!({"usagetype": format!("USE1-MP:USE1_{camel}{lc}{route}{batch}-Units"),
                   "servicename": "Claude Sonnet 4.5 (Amazon Bedrock Edition)",
                   "regionCode": "us-east-1", "servicecode": "AmazonBedrockFoundationModels",
                   "location": "US East (N. Virginia)"}),
            "Units",
            &usd.normalize().to_string(),
            &format!("AWS Marketplace software usage|us-east-1|Million {words}{lc_words}{batch_words} {route_words}"),
        ));
    }
    out
}

/// `AmazonBedrock`: the SD 3.5 Large image rate (unit `image`; size and quality from the
/// catalog's one image tier of the model).
fn image_items() -> Vec<Value> {
    let c = Catalog::embedded().unwrap();
    let row = c
        .get("stability.sd3-5-large-v1:0")
        .unwrap()
        .prices
        .iter()
        .find(|p| {
            p.dimension == Dimension::Image && p.mode == Mode::OnDemand && p.applies_in("us-east-1")
        })
        .unwrap()
        .clone();
    vec![item(
        "AmazonBedrock",
        json!({"usagetype": "USE1-SD3.5Large-output-image-count", "model": "Stable Diffusion 3.5 Large",
               "provider": "Stability AI", "regionCode": "us-east-1", "servicecode": "AmazonBedrock"}),
        "image",
        &row.usd.normalize().to_string(),
        "per image generated",
    )]
}

/// Products no rule maps: a model the table does not know (a name-matching peer priced
/// it as Opus 4), a Mantle rate, and a name only ListFoundationModels knows (joined).
fn other_items() -> Vec<Value> {
    vec![
        item(
            "AmazonBedrockFoundationModels",
            json!({"usagetype": "USE1-MP:USE1_InputTokenCount-Units", "regionCode": "us-east-1",
                   "servicename": "Claude Opus 4.8 (Amazon Bedrock Edition)"}),
            "Units",
            "5.5",
            "AWS Marketplace software usage|us-east-1|Million Input Tokens Regional",
        ),
        item(
            "AmazonBedrock",
            json!({"usagetype": "USE1-GptOss120b-mantle-cache-write-tokens-30m", "regionCode": "us-east-1",
                   "model": "gpt-oss-120b"}),
            "1M tokens",
            "0.2",
            "Mantle cache write",
        ),
        item(
            "AmazonBedrock",
            json!({"usagetype": "USE1-NovaLiteX-input-tokens", "regionCode": "us-east-1",
                   "model": "Nova Lite Renamed"}),
            "1K tokens",
            "0.00006",
            "$0.00006 per 1K input tokens",
        ),
    ]
}

/// A Price List + Bedrock responder (`change`: with the changed Sonnet 4.5 price). Pages GetProducts answers by 4 items; returns the
/// endpoint and every request seen (`target body` or `request-line`).
fn responder(change: bool) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let mut by_code: std::collections::HashMap<&str, Vec<Value>> = Default::default();
    by_code.insert("AmazonBedrock", [nova_pro_items(), image_items()].concat());
    by_code.insert("AmazonBedrockService", sonnet_4_items());
    by_code.insert("AmazonBedrockFoundationModels", sonnet_45_items(change));
    for i in other_items() {
        let code = i["serviceCode"].as_str().unwrap().to_string();
        by_code
            .iter_mut()
            .find(|(k, _)| **k == code)
            .unwrap()
            .1
            .push(i);
    }
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(200).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let (mut target, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("x-amz-target:") {
                    target = line[line.len() - v.len()..].trim().to_string();
                }
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body).into_owned();
            let (content_type, answer) = if target == "AWSPriceListService.GetProducts" {
                log.lock().unwrap().push(format!("{target} {body}"));
                let req: Value = serde_json::from_str(&body).unwrap_or_default();
                let code = req["ServiceCode"].as_str().unwrap_or_default();
                let region = req["Filters"][0]["Value"].as_str();
                let all: Vec<&Value> = by_code
                    .get(code)
                    .map(|v| v.iter().collect::<Vec<_>>())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|i| {
                        region.is_none_or(|r| i["product"]["attributes"]["regionCode"] == r)
                    })
                    .collect();
                let start: usize = req["NextToken"]
                    .as_str()
                    .and_then(|t| t.strip_prefix("page-"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let page: Vec<String> = all
                    .iter()
                    .skip(start)
                    .take(4)
                    .map(|v| v.to_string())
                    .collect();
                let mut answer = json!({"FormatVersion": "aws_v1", "PriceList": page});
                if start + 4 < all.len() {
                    answer["NextToken"] = json!(format!("page-{}", start + 4));
                }
                ("application/x-amz-json-1.1", answer)
            } else {
                log.lock().unwrap().push(request_line.trim().to_string());
                if request_line.starts_with("GET /foundation-models") {
                    (
                        "application/json",
                        json!({"modelSummaries": [{
                            "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
                            "modelId": "amazon.nova-lite-v1:0",
                            "modelName": "Nova Lite Renamed",
                            "providerName": "Amazon"
                        }]}),
                    )
                } else {
                    ("application/json", json!({"message": "not here"}))
                }
            };
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (endpoint, seen)
}

/// The rate a catalog charges per 1M units for one request kind, if any.
fn rate_per_1m(
    c: &Catalog,
    id: &str,
    scope: Scope,
    mode: Mode,
    dim: Dimension,
    lc: Option<u64>,
) -> Option<Decimal> {
    let ctx = RateContext {
        region: "us-east-1",
        scope,
        custom: false,
        as_of: today(),
    };
    let q = RateQuery {
        long_context: lc,
        ..RateQuery::new(mode, dim)
    };
    c.get(id)?.rate(&ctx, &q).map(|p| per_1m(p).normalize())
}

#[test]
fn refresh_through_the_sdk_prices_like_the_hand_written_rows() {
    let (endpoint, seen) = responder(true);
    let data = tempfile::tempdir().unwrap();
    let out = bin(data.path())
        .env("AWS_ENDPOINT_URL", &endpoint)
        .args([
            "--format",
            "json",
            "pricing",
            "refresh",
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Every service code was asked for us-east-1, through every page.
    let requests = seen.lock().unwrap().clone();
    for code in [
        "AmazonBedrock",
        "AmazonBedrockService",
        "AmazonBedrockFoundationModels",
    ] {
        assert!(
            requests
                .iter()
                .any(|r| r.contains(&format!("\"ServiceCode\":\"{code}\""))
                    && r.contains("\"Field\":\"regionCode\"")
                    && r.contains("\"Value\":\"us-east-1\"")
                    && r.contains("TERM_MATCH")),
            "{requests:#?}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|r| r.contains("\"NextToken\":\"page-4\"")),
        "{requests:#?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /foundation-models")),
        "{requests:#?}"
    );
    let served = nova_pro_items().len()
        + image_items().len()
        + sonnet_4_items().len()
        + sonnet_45_items(true).len()
        + other_items().len();
    assert_eq!(doc["products"], served as u64, "{doc:#}");
    assert!(doc["pages"].as_u64().unwrap() > 3, "{doc:#}");

    // Written to the data dir, with the manifest; later runs use it.
    let dir = data.path().join("pricing");
    assert_eq!(doc["written_to"], dir.display().to_string());
    let refreshed = Catalog::validate_source(&CatalogSource::Refreshed(dir.clone()))
        .unwrap()
        .into_result()
        .unwrap();
    let embedded = Catalog::embedded().unwrap();
    assert_eq!(
        refreshed.models().len(),
        embedded.models().len(),
        "no new model: Opus 4.8 is unmatched, not guessed"
    );

    // Same prices as the hand-written rows, route by route, except the changed one.
    let mut compared = 0;
    for id in [NOVA_PRO, SONNET_4, SONNET_45] {
        for p in embedded_rows(id) {
            let scopes = match p.scope {
                Scope::Any => vec![Scope::Global, Scope::Geo],
                s => vec![s],
            };
            for s in scopes {
                let want = rate_per_1m(&embedded, id, s, p.mode, p.dimension, p.above_input_tokens);
                let got = rate_per_1m(&refreshed, id, s, p.mode, p.dimension, p.above_input_tokens);
                let changed = id == SONNET_45
                    && s == Scope::Geo
                    && p.mode == Mode::OnDemand
                    && p.dimension == Dimension::OutputTokens
                    && p.above_input_tokens.is_none();
                if changed {
                    assert_eq!(
                        got,
                        want.map(|w| (w + Decimal::new(50, 2)).normalize()),
                        "{id} {s} {} {}",
                        p.mode,
                        p.dimension
                    );
                } else {
                    assert_eq!(
                        got, want,
                        "{id} {s} {} {} {:?}",
                        p.mode, p.dimension, p.above_input_tokens
                    );
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 40, "{compared}");
    let image = |c: &Catalog| {
        let ctx = RateContext {
            region: "us-east-1",
            scope: Scope::Geo,
            custom: false,
            as_of: today(),
        };
        let q = RateQuery {
            image: Some((
                "1024x1024".parse().unwrap(),
                bedrock_meter::catalog::Quality::Standard,
            )),
            ..RateQuery::new(Mode::OnDemand, Dimension::Image)
        };
        c.get("stability.sd3-5-large-v1:0")
            .unwrap()
            .rate(&ctx, &q)
            .map(|p| (p.usd, p.source.clone()))
            .unwrap()
    };
    assert_eq!(image(&refreshed).0, image(&embedded).0);
    assert!(
        image(&refreshed)
            .1
            .contains("USE1-SD3.5Large-output-image-count")
    );
    // The old price stays for the days before the new term: history is kept.
    let before_term = RateContext {
        region: "us-east-1",
        scope: Scope::Geo,
        custom: false,
        as_of: "2026-10-31".parse().unwrap(),
    };
    let out_before = refreshed
        .get(SONNET_45)
        .unwrap()
        .rate(
            &before_term,
            &RateQuery::new(Mode::OnDemand, Dimension::OutputTokens),
        )
        .unwrap();
    assert_eq!(per_1m(out_before).normalize(), Decimal::new(165, 1));
    let on_term = RateContext {
        as_of: "2026-11-01".parse().unwrap(),
        ..before_term
    };
    let out_after = refreshed
        .get(SONNET_45)
        .unwrap()
        .rate(
            &on_term,
            &RateQuery::new(Mode::OnDemand, Dimension::OutputTokens),
        )
        .unwrap();
    assert_eq!(per_1m(out_after).normalize(), Decimal::from(17));
    // Refreshed rows cite their usage type and the offer's publication date; Nova Pro's
    // per-1K rates were stored as the catalog had them (same price, unit kept).
    let np = refreshed.get(NOVA_PRO).unwrap();
    let od_in = np
        .prices
        .iter()
        .find(|p| {
            p.mode == Mode::OnDemand
                && p.dimension == Dimension::InputTokens
                && p.applies_in("us-east-1")
        })
        .unwrap();
    assert_eq!(
        od_in.source,
        "AWS Price List AmazonBedrock usage type USE1-NovaPro-input-tokens, offer published 2026-11-25"
    );
    assert_eq!(od_in.unit, Unit::Tokens1M);
    // Sonnet 4: every route one price → `any` rows, not a global/geo pair.
    let s4 = refreshed.get(SONNET_4).unwrap();
    assert!(
        s4.prices
            .iter()
            .filter(|p| p.applies_in("us-east-1"))
            .all(|p| p.scope == Scope::Any)
    );

    // The difference: the changed price, nothing else changed; the unmatched products with
    // their usage type and reason; the name ListFoundationModels knows was joined.
    let changes = doc["changes"].as_array().unwrap();
    let changed: Vec<&Value> = changes
        .iter()
        .filter(|c| c["change"] == "changed")
        .collect();
    assert_eq!(changed.len(), 1, "{doc:#}");
    assert_eq!(changed[0]["model"], SONNET_45);
    assert_eq!(changed[0]["dimension"], "output-tokens");
    assert_eq!(changed[0]["applies_to"], "geo route");
    assert_eq!(changed[0]["old_usd"], "16.5");
    assert_eq!(changed[0]["new_usd"], "17");
    let unmatched = doc["unmatched"].as_array().unwrap();
    let opus = unmatched
        .iter()
        .find(|u| u["name"] == "Claude Opus 4.8")
        .expect("Opus 4.8 unmatched");
    assert_eq!(opus["usage_type"], "USE1-MP:USE1_InputTokenCount-Units");
    assert!(
        opus["reason"]
            .as_str()
            .unwrap()
            .contains("no entry for Price List name `Claude Opus 4.8`"),
        "{opus}"
    );
    let mantle = unmatched
        .iter()
        .find(|u| u["usage_type"] == "USE1-GptOss120b-mantle-cache-write-tokens-30m")
        .unwrap();
    assert!(
        mantle["reason"].as_str().unwrap().contains("Mantle"),
        "{mantle}"
    );
    assert!(
        !unmatched.iter().any(|u| u["name"] == "Nova Lite Renamed"),
        "{doc:#}"
    );
    let lite = refreshed.get("amazon.nova-lite-v1:0").unwrap();
    assert!(
        lite.prices
            .iter()
            .any(|p| p.source.contains("USE1-NovaLiteX-input-tokens"))
    );

    // A later run without --pricing uses the refreshed folder; --pricing still wins.
    let show = bin(data.path())
        .args([
            "--format",
            "json",
            "pricing",
            "show",
            SONNET_45,
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert!(
        shown["prices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["usd"] == "17"),
        "{shown:#}"
    );
    let pinned = bin(data.path())
        .args(["--format", "json", "--pricing"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"))
        .args(["pricing", "show", SONNET_45, "--region", "us-east-1"])
        .output()
        .unwrap();
    let pinned: Value = serde_json::from_slice(&pinned.stdout).unwrap();
    assert!(
        !pinned["prices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["usd"] == "17")
    );

    // --check compares the embedded catalog: it differs (the changed price) → exit 1, and
    // writes nothing.
    let before = std::fs::read_to_string(dir.join("refresh.json")).unwrap();
    let check = bin(data.path())
        .env("AWS_ENDPOINT_URL", &endpoint)
        .args([
            "--format",
            "json",
            "pricing",
            "refresh",
            "--region",
            "us-east-1",
            "--check",
            "--no-model-names",
        ])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let check: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(check["differs"], true);
    assert_eq!(check["written_to"], Value::Null);
    assert_eq!(
        std::fs::read_to_string(dir.join("refresh.json")).unwrap(),
        before
    );
}

#[test]
fn offer_files_in_the_bulk_json_and_csv_layouts() {
    let data = tempfile::tempdir().unwrap();
    let out_dir = data.path().join("out");
    let out = bin(data.path())
        .args(["--format", "json", "-o"])
        .arg(&out_dir)
        .args(["pricing", "refresh", "--offer-file"])
        .arg(fixture("bedrock-offer.json"))
        .arg("--offer-file")
        .arg(fixture("foundation-models-offer.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["publication_date"], "2026-11-20", "{doc:#}");
    assert_eq!(doc["written_to"], out_dir.display().to_string());
    assert!(
        !data.path().join("pricing").exists(),
        "-o DIR replaces the data dir"
    );
    // The unreadable CSV row is reported with its file, line and field; the others read.
    let unreadable = doc["unreadable"].to_string();
    assert!(
        unreadable.contains("foundation-models-offer.csv, line 18: field `PricePerUnit`"),
        "{unreadable}"
    );

    let c = Catalog::load(Some(&out_dir)).unwrap();
    let embedded = Catalog::embedded().unwrap();
    // New Regions: Nova Micro in eu-west-1 (per 1K in the file) and flex in ap-south-1
    // (billing prefix APS3).
    let micro = c.get("amazon.nova-micro-v1:0").unwrap();
    let eu = micro
        .prices
        .iter()
        .find(|p| {
            p.applies_in("eu-west-1")
                && p.mode == Mode::OnDemand
                && p.dimension == Dimension::InputTokens
        })
        .unwrap();
    assert_eq!((eu.usd, eu.unit), (Decimal::new(46, 6), Unit::Tokens1K));
    assert!(
        eu.source
            .contains("EU-NovaMicro-input-tokens, offer published 2026-11-20"),
        "{}",
        eu.source
    );
    assert!(
        micro
            .prices
            .iter()
            .any(|p| p.applies_in("ap-south-1") && p.mode == Mode::Flex)
    );
    // us-east-1 Nova Micro, Haiku 4.5 (Units + descriptions, global vs regional, 5 m and
    // 1 h cache writes, a lone regional rate of a model with a geo premium → geo) and the
    // SD 3.5 image price the same as the hand-written rows.
    let haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
    let cases = [
        (
            "amazon.nova-micro-v1:0",
            Scope::Geo,
            Mode::OnDemand,
            Dimension::InputTokens,
        ),
        (
            "amazon.nova-micro-v1:0",
            Scope::Global,
            Mode::OnDemand,
            Dimension::OutputTokens,
        ),
        (
            "amazon.nova-micro-v1:0",
            Scope::Geo,
            Mode::Batch,
            Dimension::InputTokens,
        ),
        (haiku, Scope::Global, Mode::OnDemand, Dimension::InputTokens),
        (haiku, Scope::Geo, Mode::OnDemand, Dimension::InputTokens),
        (
            haiku,
            Scope::Global,
            Mode::OnDemand,
            Dimension::OutputTokens,
        ),
        (haiku, Scope::Geo, Mode::OnDemand, Dimension::OutputTokens),
        (
            haiku,
            Scope::Global,
            Mode::OnDemand,
            Dimension::CacheWrite5m,
        ),
        (haiku, Scope::Geo, Mode::OnDemand, Dimension::CacheWrite5m),
        (haiku, Scope::Geo, Mode::OnDemand, Dimension::CacheWrite1h),
        (haiku, Scope::Global, Mode::OnDemand, Dimension::CacheRead),
        (haiku, Scope::Geo, Mode::Batch, Dimension::InputTokens),
    ];
    for (id, scope, mode, dim) in cases {
        let got = rate_per_1m(&c, id, scope, mode, dim, None);
        assert!(got.is_some(), "{id} {scope} {mode} {dim} unpriced");
        assert_eq!(
            got,
            rate_per_1m(&embedded, id, scope, mode, dim, None),
            "{id} {scope} {mode} {dim}"
        );
    }
    let refreshed_haiku = c.get(haiku).unwrap();
    let one_hour = refreshed_haiku
        .prices
        .iter()
        .find(|p| p.dimension == Dimension::CacheWrite1h && p.source.contains("Price List"))
        .unwrap();
    assert_eq!(one_hour.scope, Scope::Geo);
    let sd = c.get("stability.sd3-5-large-v1:0").unwrap();
    let img = sd
        .prices
        .iter()
        .find(|p| p.dimension == Dimension::Image && p.source.contains("Price List"))
        .unwrap();
    assert_eq!(
        (img.usd, img.resolution.map(|r| r.to_string())),
        (Decimal::new(8, 2), Some("1024x1024".into()))
    );

    // Unmatched: unknown names, reserved capacity; never guessed into a model.
    let unmatched = doc["unmatched"].as_array().unwrap();
    let reasons = |name: &str| -> Vec<String> {
        unmatched
            .iter()
            .filter(|u| u["name"] == name)
            .map(|u| format!("{} {}", u["usage_type"], u["reason"]))
            .collect()
    };
    assert!(
        reasons("Nova Ultra")[0].contains("USE1-NovaUltra-input-tokens"),
        "{unmatched:#?}"
    );
    assert!(
        reasons("Claude Opus 4.8")[0].contains("no entry for Price List name"),
        "{unmatched:#?}"
    );
    assert!(
        reasons("Nova Micro").iter().any(|r| r.contains("reserved")),
        "{unmatched:#?}"
    );
    // Unmatched means not guessed: the Opus 4.8 product's $15 input rate went nowhere — the
    // catalog's Opus 4.8 (when the embedded catalog has it) keeps exactly its own rows.
    let embedded = Catalog::embedded().unwrap();
    let rows = |cat: &Catalog| -> Vec<(String, String)> {
        cat.get("anthropic.claude-opus-4-8")
            .map(|m| {
                m.prices
                    .iter()
                    .map(|p| (p.usd.to_string(), p.source.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(rows(&c), rows(&embedded));
    assert!(
        rows(&c).iter().all(|(_, src)| !src.contains("USE1-MP:")),
        "{:?}",
        rows(&c)
    );
}

#[test]
fn staleness_is_one_note_about_the_catalog_in_use() {
    let data = tempfile::tempdir().unwrap();
    let out_dir = data.path().join("pricing");
    let out = bin(data.path())
        .args(["--format", "json", "pricing", "refresh", "--offer-file"])
        .arg(fixture("bedrock-offer.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A model the refreshed folder lacks (written by an older build) comes from the
    // embedded catalog.
    std::fs::remove_file(out_dir.join("ai21.toml")).unwrap();
    let c = Catalog::validate_source(&CatalogSource::Refreshed(out_dir))
        .unwrap()
        .into_result()
        .unwrap();
    assert!(c.get("ai21.j2-ultra-v1").is_some());
    assert!(
        c.get("amazon.nova-micro-v1:0")
            .unwrap()
            .prices
            .iter()
            .any(|p| p.applies_in("eu-west-1"))
    );
    let published: jiff::civil::Date = "2026-11-20".parse().unwrap();
    assert_eq!(
        c.dated().map(|d| (d.date, d.refreshed)),
        Some((published, true))
    );
    assert_eq!(
        c.staleness_note(published.checked_add(jiff::ToSpan::days(30)).unwrap()),
        None
    );
    let note = c
        .staleness_note(published.checked_add(jiff::ToSpan::days(31)).unwrap())
        .unwrap();
    assert!(
        note.contains("published 2026-11-20 (31 days ago)"),
        "{note}"
    );
    let embedded = Catalog::embedded().unwrap();
    let newest = embedded.newest_effective().unwrap();
    assert!(embedded.staleness_note(newest).is_none());
    assert!(
        embedded
            .staleness_note(newest.checked_add(jiff::ToSpan::days(60)).unwrap())
            .unwrap()
            .contains("pricing refresh")
    );
    // `--pricing` data is the user's own: no date, no note.
    let own = Catalog::load(Some(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("pricing")
            .as_path(),
    ))
    .unwrap();
    assert_eq!(
        own.staleness_note(newest.checked_add(jiff::ToSpan::days(600)).unwrap()),
        None
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Usage types, generated from the grammar's own words and mutated: no panic, and every
    /// error names the usage type.
    #[test]
    fn usage_types_parse_or_say_which(
        parts in proptest::collection::vec(prop_oneof![
            Just("USE1".to_string()), Just("APS3".to_string()), Just("MP:USE1_InputTokenCount".to_string()),
            Just("NovaMicro".to_string()), Just("input".to_string()), Just("output".to_string()),
            Just("tokens".to_string()), Just("cache".to_string()), Just("read".to_string()),
            Just("write".to_string()), Just("token".to_string()), Just("count".to_string()),
            Just("batch".to_string()), Just("cross".to_string()), Just("region".to_string()),
            Just("global".to_string()), Just("long".to_string()), Just("context".to_string()),
            Just("mantle".to_string()), Just("image".to_string()), "[A-Za-z0-9:_.]{0,6}",
        ], 0..9),
        junk in "\\PC{0,3}",
    ) {
        let ut = format!("{}{junk}", parts.join("-"));
        if let Err(e) = usage_type::parse(&ut) {
            prop_assert!(e.contains(&format!("`{}`", ut.trim())), "{e}");
        }
    }

    /// Descriptions and units: no panic; errors quote the text.
    #[test]
    fn descriptions_parse_or_say_which(text in "\\PC{0,60}", unit in "(Units|1K tokens|image|\\PC{0,8})") {
        if let Err(e) = description::parse(&text) {
            prop_assert!(e.contains("description") , "{e}");
        }
        if let Err(e) = description::unit_of(&unit, &text) {
            prop_assert!(e.contains(&format!("`{unit}`")), "{e}");
        }
    }

    /// Offer files with a byte changed or cut short: no panic; every error names the file.
    #[test]
    fn mutated_offer_files_never_panic(pos in 0usize..12_000, byte in any::<u8>(), cut in any::<bool>(), csv in any::<bool>()) {
        let name = if csv { "foundation-models-offer.csv" } else { "bedrock-offer.json" };
        let mut bytes = std::fs::read(fixture(name)).unwrap();
        let at = pos % bytes.len();
        if cut { bytes.truncate(at) } else { bytes[at] = byte }
        let text = String::from_utf8_lossy(&bytes);
        match offer_file::read_offer(name, &text) {
            Ok(o) => for e in o.errors { prop_assert_eq!(e.origin.source.as_str(), name) },
            Err(e) => prop_assert!(e.to_string().starts_with(name), "{e}"),
        }
    }
}

/// Runs `report chargeback` over one invocation-log record and returns its notes.
fn chargeback_notes(data_dir: &Path, pricing: Option<&Path>) -> Vec<String> {
    let logs = data_dir.join("logs.jsonl");
    let record = json!({
        "schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
        "timestamp": "2026-03-10T12:00:00Z", "accountId": "111122223333",
        "identity": {"arn": "arn:aws:iam::111122223333:user/alice"},
        "region": "us-east-1", "requestId": "req-1", "operation": "Converse",
        "modelId": NOVA_PRO,
        "input": {"inputContentType": "application/json", "inputTokenCount": 1000},
        "output": {"outputContentType": "application/json", "outputTokenCount": 100}
    });
    std::fs::write(&logs, format!("{record}\n")).unwrap();
    let mut c = bin(data_dir);
    if let Some(p) = pricing {
        c.arg("--pricing").arg(p);
    }
    let out = c
        .args([
            "--format",
            "json",
            "report",
            "chargeback",
            "--month",
            "2026-03",
            "--logs",
        ])
        .arg(&logs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reports_carry_the_staleness_note_of_the_catalog_in_use() {
    let today = today();
    let stale = |notes: &[String]| -> Vec<String> {
        notes
            .iter()
            .filter(|n| n.contains("days ago"))
            .cloned()
            .collect()
    };
    // Embedded catalog: the note is exactly the catalog's, once (or none while it is current).
    let data = tempfile::tempdir().unwrap();
    let expected: Vec<String> = Catalog::embedded()
        .unwrap()
        .staleness_note(today)
        .into_iter()
        .collect();
    assert_eq!(stale(&chargeback_notes(data.path(), None)), expected);
    // --pricing data carries no note.
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing");
    assert!(stale(&chargeback_notes(data.path(), Some(&own))).is_empty());
    // Refreshed data: dated by the Price List's publication date.
    let out = bin(data.path())
        .args(["--format", "json", "pricing", "refresh", "--offer-file"])
        .arg(fixture("bedrock-offer.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let refreshed =
        Catalog::validate_source(&CatalogSource::Refreshed(data.path().join("pricing")))
            .unwrap()
            .catalog;
    let expected: Vec<String> = refreshed.staleness_note(today).into_iter().collect();
    assert_eq!(stale(&chargeback_notes(data.path(), None)), expected);
}

#[test]
fn a_broken_refreshed_folder_is_reported_and_replaced_by_the_next_refresh() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("pricing");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("amazon.toml"), "schema = 1\n[[models]]\nid = 3\n").unwrap();
    std::fs::write(
        dir.join("refresh.json"),
        r#"{"publication_date":"2026-01-01","refreshed_at":"x","offers":[],"regions":[]}"#,
    )
    .unwrap();
    // Other commands name the broken file.
    let show = bin(data.path())
        .args(["pricing", "show", NOVA_PRO])
        .output()
        .unwrap();
    assert!(!show.status.success());
    assert!(String::from_utf8_lossy(&show.stderr).contains("amazon.toml"));
    // The refresh itself goes on from the embedded catalog and replaces the folder.
    let out = bin(data.path())
        .args(["--format", "json", "pricing", "refresh", "--offer-file"])
        .arg(fixture("bedrock-offer.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("refreshing onto the embedded catalog"));
    let again = bin(data.path())
        .args(["pricing", "show", NOVA_PRO])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn check_passes_when_the_price_list_agrees_with_the_embedded_catalog() {
    let (endpoint, _) = responder(false);
    let data = tempfile::tempdir().unwrap();
    let out = bin(data.path())
        .env("AWS_ENDPOINT_URL", &endpoint)
        .args([
            "--format",
            "json",
            "pricing",
            "refresh",
            "--region",
            "us-east-1",
            "--check",
            "--no-model-names",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["differs"], false);
    assert!(doc["counts"]["unchanged"].as_u64().unwrap() > 40, "{doc:#}");
    // Unmatched products are listed but are no difference the check can assert.
    assert!(doc["counts"]["unmatched"].as_u64().unwrap() >= 3, "{doc:#}");
    assert!(!data.path().join("pricing").exists());
}
