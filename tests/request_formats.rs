//! Every request-body format: parsed from `examples/`, counted, and priced. Expected tokens
//! are computed here from the *reference* tokenizers on the texts written out by hand, plus
//! the template constants documented in `src/request/template.rs`; expected costs from
//! rates written out here (per 1M or 1K tokens, bedrock-facts §6 / seed 002).

use std::str::FromStr;

use bedrock_meter::catalog::{Catalog, Mode, Model, Quality};
use bedrock_meter::estimate::requests::{
    OutputExpectation, PriceOptions, RequestCount, count_request, record_usage,
};
use bedrock_meter::estimate::{ModeSelection, Usage, estimate};
use bedrock_meter::request::{BodyFormat, Request, detect, parse_for};
use bedrock_meter::resolve::{Aliases, Resolver};
use bedrock_meter::tokenize::approx::{Base, calibration, cjk_share};
use bedrock_meter::tokenize::{Engine, counter};
use rust_decimal::Decimal;
use serde_json::Value;

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::embedded().unwrap())
}

fn model(id: &str) -> &'static Model {
    catalog().get(id).unwrap_or_else(|| panic!("no {id}"))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Reference count of one text for a family (approximate families: base vocabulary ×
/// factor, rounded, as documented in tokenize::approx).
fn tok(family: &str, text: &str) -> u64 {
    match calibration(family) {
        Some(cal) => {
            let base = match cal.base {
                Base::ClaudeLegacy => "claude-legacy",
                Base::Cl100k => "cl100k",
                Base::O200k => "o200k",
            };
            let n = counter(base, Engine::Reference).unwrap().count(text);
            cal.apply(n, cjk_share(text)).0
        }
        None => counter(family, Engine::Reference).unwrap().count(text) as u64,
    }
}

fn toks(family: &str, texts: &[&str]) -> u64 {
    texts.iter().map(|t| tok(family, t)).sum()
}

fn example(name: &str) -> Value {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn parsed(name: &str, id: &str) -> (BodyFormat, Request, RequestCount) {
    let m = model(id);
    let (format, req) = parse_for(&example(name), m, None).unwrap();
    let count = count_request(&req, format, m).unwrap();
    (format, req, count)
}

/// On-demand cost of `usage` on `id` in us-east-1.
fn on_demand(id: &str, usage: Usage) -> Decimal {
    let r = Resolver::new(catalog(), Aliases::default());
    let res = r.resolve(id).unwrap();
    let e = estimate(
        &res,
        "us-east-1",
        "2026-11-01".parse().unwrap(),
        &usage,
        &ModeSelection::Only(vec![Mode::OnDemand]),
    );
    e.mode(Mode::OnDemand)
        .unwrap_or_else(|| panic!("no on-demand price: {e:#?}"))
        .total_usd
}

// Template constants, written out (see src/request/template.rs).
const CLAUDE_PER_REQUEST: u64 = 3;
const CLAUDE_PER_MESSAGE: u64 = 4;
const CLAUDE_GENERATION: u64 = 1;
const CLAUDE_TOOLS: u64 = 346;
const OTHER_PER_MESSAGE: u64 = 3;
const OTHER_GENERATION: u64 = 3;

#[test]
fn anthropic_messages_with_tools_image_and_cache_marker() {
    let id = "anthropic.claude-3-haiku-20240307-v1:0";
    let (format, req, c) = parsed("anthropic-messages.json", id);
    assert_eq!(format, BodyFormat::AnthropicMessages);
    assert_eq!(req.messages.len(), 3);
    let f = "claude";
    let tool = r#"{"name":"lookup_order","description":"Look up an order by its ID.","input_schema":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}}"#;
    let system =
        "You are a support assistant for Example Corp. Answer briefly and cite the policy section.";
    // 300 × 150 px PNG: ⌈45000 / 750⌉ = 60 tokens.
    let image = 60;
    let prefix =
        CLAUDE_PER_REQUEST + CLAUDE_TOOLS + tok(f, tool) + CLAUDE_PER_MESSAGE + tok(f, system);
    let rest = 3 * CLAUDE_PER_MESSAGE
        + toks(
            f,
            &[
                "Where is my order 8812? The photo shows the label.",
                r#"lookup_order{"order_id":"8812"}"#,
                "Shipped on 2026-11-18, arriving 2026-11-21.",
            ],
        )
        + image
        + CLAUDE_GENERATION;
    assert_eq!(c.cache_prefix_tokens, Some(prefix));
    assert_eq!(c.input_tokens, prefix + rest);
    assert_eq!(c.image_tokens, 60);
    assert_eq!(c.output_ceiling, 512);
    assert!(!c.exact && !c.ceiling_defaulted);

    // Haiku 3: $0.00025 / 1K in, $0.00125 / 1K out.
    let cost = on_demand(
        id,
        Usage {
            input_tokens: c.input_tokens,
            output_tokens: 512,
            ..Usage::default()
        },
    );
    let expected = Decimal::from(prefix + rest) * d("0.00025") / d("1000")
        + Decimal::from(512) * d("0.00125") / d("1000");
    assert_eq!(cost.normalize(), expected.normalize());

    // A cache hit rate of 0.8 reads 80% of the prefix and writes the rest.
    let u = record_usage(
        &c,
        model(id),
        &PriceOptions {
            output: OutputExpectation::Ratio(0.5),
            cache_hit_rate: Some(0.8),
        },
    );
    assert_eq!(u.cache_read_tokens, (prefix as f64 * 0.8).round() as u64);
    assert_eq!(u.cache_read_tokens + u.cache_write_tokens, prefix);
    assert_eq!(u.input_tokens, rest);
    assert_eq!(
        u.output_expected,
        ((prefix + rest) as f64 * 0.5).round() as u64
    );
}

#[test]
fn anthropic_text_completion() {
    let (format, _, c) = parsed("anthropic-text-completion.json", "anthropic.claude-v2:1");
    assert_eq!(format, BodyFormat::AnthropicText);
    let text = "\n\nHuman: Write a haiku about invoices.\n\nAssistant:";
    assert_eq!(c.input_tokens, tok("claude-legacy", text));
    assert!(c.exact, "legacy Claude vocabulary, raw prompt: exact");
    assert_eq!(c.output_ceiling, 200);
    // Claude 2.1: $0.008 / 1K in, $0.024 / 1K out.
    let cost = on_demand(
        "anthropic.claude-v2:1",
        Usage {
            input_tokens: c.input_tokens,
            output_tokens: 200,
            ..Usage::default()
        },
    );
    let expected = Decimal::from(c.input_tokens) * d("0.008") / d("1000") + d("0.0048");
    assert_eq!(cost.normalize(), expected.normalize());
}

#[test]
fn titan_text_and_embeddings() {
    let (format, _, c) = parsed("titan-text.json", "amazon.titan-text-express-v1");
    assert_eq!(format, BodyFormat::TitanText);
    let text = "User: Summarise the benefits of batch inference in two sentences.\nBot:";
    assert_eq!(c.input_tokens, tok("titan", text));
    assert_eq!(c.output_ceiling, 256);

    let (format, _, c) = parsed("titan-embed.json", "amazon.titan-embed-text-v2:0");
    assert_eq!(format, BodyFormat::TitanEmbed);
    let text = "Bedrock batch inference costs half of on-demand.";
    assert_eq!(c.input_tokens, tok("titan", text));
    assert_eq!(c.output_ceiling, 0);
    // Titan Text Embeddings V2: $0.00002 / 1K tokens.
    let cost = on_demand(
        "amazon.titan-embed-text-v2:0",
        Usage {
            input_tokens: c.input_tokens,
            ..Usage::default()
        },
    );
    assert_eq!(
        cost.normalize(),
        (Decimal::from(c.input_tokens) * d("0.00002") / d("1000")).normalize()
    );
}

#[test]
fn nova_messages_and_converse() {
    let (format, _, c) = parsed("nova-messages.json", "amazon.nova-lite-v1:0");
    assert_eq!(format, BodyFormat::NovaMessages);
    let expected = OTHER_PER_MESSAGE
        + tok("nova", "You are a concise travel planner.")
        + OTHER_PER_MESSAGE
        + tok("nova", "Plan one day in Lisbon for a rainy Sunday.")
        + OTHER_GENERATION;
    assert_eq!(c.input_tokens, expected);
    assert_eq!(c.output_ceiling, 400);
    // Nova Lite: $0.00006 / 1K in, $0.00024 / 1K out.
    let cost = on_demand(
        "amazon.nova-lite-v1:0",
        Usage {
            input_tokens: expected,
            output_tokens: 400,
            ..Usage::default()
        },
    );
    let want = Decimal::from(expected) * d("0.00006") / d("1000") + d("0.000096");
    assert_eq!(cost.normalize(), want.normalize());

    // The Converse request works for any text model; its cachePoint ends the prefix
    // after the system text (tools come first in cache order).
    let id = "anthropic.claude-3-5-haiku-20241022-v1:0";
    let (format, _, c) = parsed("converse.json", id);
    assert_eq!(format, BodyFormat::Converse);
    let f = "claude";
    let tool = r#"{"toolSpec":{"name":"set_category","description":"Set the ticket category","inputSchema":{"json":{"type":"object","properties":{"category":{"type":"string"}}}}}}"#;
    let prefix = CLAUDE_PER_REQUEST
        + CLAUDE_TOOLS
        + tok(f, tool)
        + CLAUDE_PER_MESSAGE
        + tok(
            f,
            "You classify support tickets into billing, shipping or other.",
        );
    let total = prefix
        + CLAUDE_PER_MESSAGE
        + tok(f, "Ticket: I was charged twice for order 1182.")
        + CLAUDE_GENERATION;
    assert_eq!(c.cache_prefix_tokens, Some(prefix));
    assert_eq!(c.input_tokens, total);
    assert_eq!(c.output_ceiling, 100);
    // The same Converse body works for Llama 3 (exact template).
    let (_, _, l) = parsed("converse.json", "meta.llama3-1-8b-instruct-v1:0");
    let f = "llama3";
    assert_eq!(
        l.input_tokens,
        1 + tok(f, tool)
            + 5
            + tok(
                f,
                "You classify support tickets into billing, shipping or other."
            )
            + 5
            + tok(f, "Ticket: I was charged twice for order 1182.")
            + 4
    );
    assert!(l.exact);
}

#[test]
fn llama_prompt_counts_special_tokens_once() {
    let id = "meta.llama3-1-8b-instruct-v1:0";
    let (format, _, c) = parsed("llama.json", id);
    assert_eq!(format, BodyFormat::Llama);
    // 9 special tokens; the text between them counted as text.
    let pieces = [
        "system",
        "\n\nYou are a helpful assistant.",
        "user",
        "\n\nExplain prompt caching in one paragraph.",
        "assistant",
        "\n\n",
    ];
    let expected = 9 + toks("llama3", &pieces);
    assert_eq!(c.input_tokens, expected);
    assert!(c.exact);
    assert_eq!(c.output_ceiling, 300);
    // Llama 3.1 8B: $0.22 / 1M in and out.
    let cost = on_demand(
        id,
        Usage {
            input_tokens: expected,
            output_tokens: 300,
            ..Usage::default()
        },
    );
    let want = Decimal::from(expected + 300) * d("0.22") / d("1000000");
    assert_eq!(cost.normalize(), want.normalize());
}

#[test]
fn mistral_prompt_and_chat() {
    let id = "mistral.mistral-7b-instruct-v0:2";
    let (format, _, c) = parsed("mistral-prompt.json", id);
    assert_eq!(format, BodyFormat::MistralPrompt);
    // `<s>` is one token; the rest is text.
    assert_eq!(
        c.input_tokens,
        1 + tok(
            "mistral-v1",
            "[INST] Give three names for a billing dashboard. [/INST]"
        )
    );
    assert!(c.exact);
    assert_eq!(c.output_ceiling, 100);

    let id = "mistral.mistral-large-2402-v1:0";
    let (format, _, c) = parsed("mistral-chat.json", id);
    assert_eq!(format, BodyFormat::MistralChat);
    let expected = 2 * 8
        + toks(
            "mistral-v2",
            &["Answer in French.", "What does batch inference mean?"],
        );
    assert_eq!(c.input_tokens, expected);
    assert!(!c.exact, "assumed template overhead");
    assert_eq!(c.output_ceiling, 200);
}

#[test]
fn cohere_command_r_command_and_embed() {
    let id = "cohere.command-r-v1:0";
    let (format, req, c) = parsed("cohere-command-r.json", id);
    assert_eq!(format, BodyFormat::CohereCommandR);
    assert_eq!(req.documents.len(), 2);
    let f = "cohere";
    let expected = OTHER_PER_MESSAGE
        + tok(f, "You answer from the documents only.")
        + tok(
            f,
            "title: Refund policy\nsnippet: Refunds are accepted within 30 days of delivery.",
        )
        + tok(
            f,
            "title: Shipping\nsnippet: Orders ship within 2 business days.",
        )
        + 3 * OTHER_PER_MESSAGE
        + toks(
            f,
            &["Hi", "Hello! How can I help?", "What is the refund window?"],
        )
        + OTHER_GENERATION;
    assert_eq!(c.input_tokens, expected);
    assert_eq!(c.output_ceiling, 300);
    // Command R: $0.0005 / 1K in, $0.0015 / 1K out.
    let cost = on_demand(
        id,
        Usage {
            input_tokens: expected,
            output_tokens: 300,
            ..Usage::default()
        },
    );
    let want = Decimal::from(expected) * d("0.0005") / d("1000") + d("0.00045");
    assert_eq!(cost.normalize(), want.normalize());

    // Legacy Command: raw prompt, default max_tokens 20.
    let m = model("cohere.command-text-v14");
    let body: Value = serde_json::json!({"prompt": "Name a colour."});
    assert_eq!(detect(&body, m).unwrap(), BodyFormat::CohereCommand);
    let (fmt, req) = parse_for(&body, m, None).unwrap();
    let c = count_request(&req, fmt, m).unwrap();
    assert_eq!(c.input_tokens, tok(f, "Name a colour."));
    assert_eq!((c.output_ceiling, c.ceiling_defaulted), (20, true));

    let (format, _, c) = parsed("cohere-embed.json", "cohere.embed-english-v3");
    assert_eq!(format, BodyFormat::CohereEmbed);
    assert_eq!(
        c.input_tokens,
        toks(
            f,
            &[
                "first passage to embed",
                "second passage, a little longer than the first"
            ]
        )
    );
    assert_eq!(c.output_ceiling, 0);
}

#[test]
fn ai21_j2_and_jamba() {
    let m = model("ai21.j2-mid-v1");
    let body = serde_json::json!({"prompt": "Complete: the invoice total is", "maxTokens": 40});
    let (fmt, req) = parse_for(&body, m, None).unwrap();
    assert_eq!(fmt, BodyFormat::Ai21J2);
    let c = count_request(&req, fmt, m).unwrap();
    assert_eq!(
        c.input_tokens,
        tok("ai21-j2", "Complete: the invoice total is")
    );
    assert_eq!(c.output_ceiling, 40);

    let (format, _, c) = parsed("ai21-jamba.json", "ai21.j2-mid-v1");
    assert_eq!(format, BodyFormat::Ai21Jamba);
    assert_eq!(
        c.input_tokens,
        2 * OTHER_PER_MESSAGE
            + toks(
                "ai21-j2",
                &["You are terse.", "List two uses of embeddings."]
            )
            + OTHER_GENERATION
    );
    assert_eq!(c.output_ceiling, 150);
}

#[test]
fn deepseek_prompt_and_gpt_oss_chat() {
    let id = "deepseek.r1-v1:0";
    let (format, _, c) = parsed("deepseek.json", id);
    assert_eq!(format, BodyFormat::DeepSeek);
    // Three special tokens, then text.
    let expected = 3 + toks(
        "deepseek",
        &[
            "Prove that the square root of 2 is irrational.",
            "<think>\n",
        ],
    );
    assert_eq!(c.input_tokens, expected);
    assert!(c.exact);
    assert_eq!(c.output_ceiling, 2048);
    // DeepSeek-R1: $0.00135 / 1K in, $0.0054 / 1K out.
    let cost = on_demand(
        id,
        Usage {
            input_tokens: expected,
            output_tokens: 2048,
            ..Usage::default()
        },
    );
    let want = Decimal::from(expected) * d("0.00135") / d("1000")
        + Decimal::from(2048) * d("0.0054") / d("1000");
    assert_eq!(cost.normalize(), want.normalize());

    let id = "openai.gpt-oss-120b-1:0";
    let (format, _, c) = parsed("gpt-oss.json", id);
    assert_eq!(format, BodyFormat::OpenAiChat);
    let tool = r#"{"type":"function","function":{"name":"convert","description":"Unit conversion","parameters":{"type":"object","properties":{"value":{"type":"number"}}}}}"#;
    let expected = tok("gpt-oss", tool)
        + 2 * 4
        + toks(
            "gpt-oss",
            &[
                "Reasoning: low",
                "Convert 72 degrees Fahrenheit to Celsius.",
            ],
        )
        + 2;
    assert_eq!(c.input_tokens, expected);
    assert_eq!(c.output_ceiling, 500);
}

#[test]
fn image_generation_is_priced_per_image() {
    let id = "amazon.titan-image-generator-v1";
    let (format, _, c) = parsed("titan-image.json", id);
    assert_eq!(format, BodyFormat::TitanImage);
    let g = c.image_generation.unwrap();
    assert_eq!(
        (g.count, g.width, g.height, g.quality),
        (3, 512, 512, Quality::Premium)
    );
    let u = record_usage(
        &c,
        model(id),
        &PriceOptions {
            output: OutputExpectation::Ceiling,
            cache_hit_rate: None,
        },
    );
    assert_eq!((u.images, u.input_tokens, u.output_expected), (3, 0, 0));
    // Titan Image G1, 512×512 premium: $0.01 per image.
    let cost = on_demand(
        id,
        Usage {
            images: 3,
            image_resolution: Some(g.resolution()),
            image_quality: Some(g.quality),
            ..Usage::default()
        },
    );
    assert_eq!(cost.normalize(), d("0.03"));

    let id = "stability.sd3-5-large-v1:0";
    let (format, _, c) = parsed("stability.json", id);
    assert_eq!(format, BodyFormat::Stability);
    let g = c.image_generation.unwrap();
    assert_eq!((g.count, g.width, g.height), (1, 1344, 768));
    // SD3.5 Large: $0.08 per image.
    let cost = on_demand(
        id,
        Usage {
            images: 1,
            image_resolution: Some(g.resolution()),
            image_quality: Some(g.quality),
            ..Usage::default()
        },
    );
    assert_eq!(cost.normalize(), d("0.08"));

    // SDXL: text_prompts, samples, more than 50 steps is premium.
    let m = model("stability.stable-diffusion-xl-v1");
    let body = serde_json::json!({"text_prompts": [{"text": "a red fox"}], "samples": 2, "steps": 70, "width": 1024, "height": 1024});
    let (fmt, req) = parse_for(&body, m, None).unwrap();
    let c = count_request(&req, fmt, m).unwrap();
    let g = c.image_generation.unwrap();
    assert_eq!((g.count, g.quality), (2, Quality::Premium));
}

#[test]
fn a_body_for_another_model_is_refused() {
    let claude = model("anthropic.claude-3-haiku-20240307-v1:0");
    let e = parse_for(&example("titan-text.json"), claude, None).unwrap_err();
    assert!(e.to_string().contains("Amazon Titan text"), "{e}");
    assert!(e.to_string().contains("does not accept"), "{e}");
    let llama = model("meta.llama3-1-8b-instruct-v1:0");
    let e = parse_for(&example("anthropic-messages.json"), llama, None).unwrap_err();
    assert!(e.to_string().contains("Anthropic Messages"), "{e}");
    // Forcing a format that does not fit is refused too.
    let e = parse_for(&example("llama.json"), claude, Some(BodyFormat::Llama)).unwrap_err();
    assert!(e.to_string().contains("does not accept"), "{e}");
}

#[test]
fn wrong_types_name_the_path() {
    let m = model("anthropic.claude-3-haiku-20240307-v1:0");
    let body = serde_json::json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, 5]}]});
    let e = parse_for(&body, m, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "messages[0].content[1]: expected an object with `type`, found a number"
    );
    let body = serde_json::json!({"anthropic_version": "x", "max_tokens": "ten", "messages": []});
    let e = parse_for(&body, m, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "max_tokens: expected a non-negative integer, found a string"
    );
    let e = parse_for(&serde_json::json!({"foo": 1}), m, None).unwrap_err();
    assert!(e.to_string().contains("cannot tell the body format"), "{e}");
}
