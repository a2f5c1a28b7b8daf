//! Prices known token (and image) counts under each pricing mode of a model.
//!
//! The result follows the JSON contract documented in README.md ("estimate JSON"):
//! one entry per priced mode with its line items, plus the modes and dimensions that could
//! not be priced (`unpriced`) — never a silent $0.

use rust_decimal::Decimal;
use serde::Serialize;

use jiff::civil::Date;

use crate::catalog::{
    Dimension, Mode, ModelKind, Price, Quality, RateContext, RateQuery, Resolution, Unit,
};
use crate::money;
use crate::resolve::{Resolved, Route};

pub mod charts;
pub mod requests;
pub mod stream;

/// Input tokens counted from request bodies (request inputs only).
#[derive(Debug, Clone, Serialize)]
pub struct InputTokens {
    /// Every input token: text, chat template, images and cached prefixes.
    pub total: u64,
    /// Billed at the input rate (the total less cache reads and writes).
    pub billed_input: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    /// Of the total, tokens that stand for input images.
    pub image_tokens: u64,
    /// True when every record was counted exactly (exact tokenizer and template, no images).
    pub exact: bool,
}

/// Output tokens of request inputs: the bodies' bound and the priced expectation.
#[derive(Debug, Clone, Serialize)]
pub struct OutputTokens {
    /// Sum of the requests' max-tokens bounds (defaults where a body has none).
    pub ceiling: u64,
    /// The priced value.
    pub expected: u64,
    /// `ceiling`, `output-tokens` (per request) or `output-ratio`.
    pub expected_from: String,
}

/// Records of request inputs.
#[derive(Debug, Clone, Serialize)]
pub struct Records {
    pub ok: u64,
    pub failed: u64,
    /// Blank lines of batch files, skipped.
    pub empty_lines: u64,
    /// The first bad records (line and reason).
    pub bad: Vec<requests::BadRecord>,
}

/// On-demand against batch pricing of the same records.
#[derive(Debug, Clone, Serialize)]
pub struct BatchSavings {
    #[serde(serialize_with = "money::serialize_number")]
    pub on_demand_usd: Decimal,
    #[serde(serialize_with = "money::serialize_number")]
    pub batch_usd: Decimal,
    #[serde(serialize_with = "money::serialize_number")]
    pub saving_usd: Decimal,
    /// Saving as a percentage of on-demand, two decimals.
    #[serde(serialize_with = "money::serialize_number")]
    pub saving_pct: Decimal,
}

/// Which cache time-to-live prompt-cache writes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheTtl {
    #[default]
    FiveMinutes,
    OneHour,
    /// Models served through Bedrock's Mantle engine cache for 30 minutes.
    ThirtyMinutes,
}

impl CacheTtl {
    pub fn dimension(self) -> Dimension {
        match self {
            CacheTtl::FiveMinutes => Dimension::CacheWrite5m,
            CacheTtl::OneHour => Dimension::CacheWrite1h,
            CacheTtl::ThirtyMinutes => Dimension::CacheWrite30m,
        }
    }

    /// `5m`, `30m` or `1h`, as the command line spells them.
    pub fn from_flag(flag: &str) -> Option<CacheTtl> {
        match flag {
            "5m" => Some(CacheTtl::FiveMinutes),
            "30m" => Some(CacheTtl::ThirtyMinutes),
            "1h" => Some(CacheTtl::OneHour),
            _ => None,
        }
    }
}

/// Quantities billed apart from text tokens and generated images: audio tokens of speech
/// models, seconds of video, rerank queries. Image edits are counted as `Usage::images` of
/// a model that bills `image-edit` rather than `image`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaUsage {
    pub audio_input_tokens: u64,
    pub audio_output_tokens: u64,
    /// Seconds of input video (priced per second or per minute, whichever the row says).
    pub video_seconds: u64,
    /// Rerank queries (one query ranks up to 100 documents).
    pub rerank_queries: u64,
}

/// What one request, or `requests` requests together, consumed.
#[derive(Debug, Clone)]
pub struct Usage {
    /// How many requests the counts add up over (at least 1). Long-context rates and the
    /// context window apply per request, so they are judged on the average request.
    pub requests: u64,
    /// Input tokens billed at the normal input rate (cache reads/writes not included).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub cache_ttl: CacheTtl,
    /// Generated images (image models) or input images (multimodal embedding models).
    pub images: u64,
    pub image_resolution: Option<Resolution>,
    pub image_quality: Option<Quality>,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            requests: 1,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            cache_ttl: CacheTtl::default(),
            images: 0,
            image_resolution: None,
            image_quality: None,
        }
    }
}

impl Usage {
    /// Input size of the average request, which decides long-context pricing: cached
    /// tokens count too.
    pub fn input_per_request(&self) -> u64 {
        (self.input_tokens + self.cache_read_tokens + self.cache_write_tokens)
            .div_ceil(self.requests.max(1))
    }

    pub fn output_per_request(&self) -> u64 {
        self.output_tokens.div_ceil(self.requests.max(1))
    }
}

/// Modes to price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeSelection {
    /// Every per-request mode the model has in the Region (or the tier a `+flex`/`+priority`
    /// series names).
    All,
    Only(Vec<Mode>),
}

/// One billed dimension of one mode.
#[derive(Debug, Clone, Serialize)]
pub struct LineItem {
    pub dimension: Dimension,
    pub quantity: u64,
    pub unit: Unit,
    #[serde(serialize_with = "money::serialize_number")]
    pub unit_price_usd: Decimal,
    #[serde(serialize_with = "money::serialize_number")]
    pub cost_usd: Decimal,
    /// Qualifiers of the rate used (route, long context, image tier).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rate: String,
    /// Where the price comes from.
    pub source: String,
}

/// The cost of the usage under one mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeCost {
    pub mode: Mode,
    #[serde(serialize_with = "money::serialize_number")]
    pub total_usd: Decimal,
    /// False when a dimension of this mode is unpriced (it is then listed in `unpriced`
    /// as `MODE/DIMENSION` and `total_usd` covers the priced dimensions only).
    pub complete: bool,
    pub line_items: Vec<LineItem>,
}

/// A priced usage: the `estimate` JSON contract.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub model_id: String,
    pub resolved_model: String,
    pub model_name: String,
    pub region: String,
    pub route: String,
    /// Prices in effect on this date were used.
    pub as_of: String,
    /// Requests the counts add up over.
    pub requests: u64,
    /// Request inputs only: tokens counted from the bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<InputTokens>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<OutputTokens>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Records>,
    /// Batch files only: on-demand vs batch totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_savings: Option<BatchSavings>,
    pub modes: Vec<ModeCost>,
    pub unpriced: Vec<String>,
    pub warnings: Vec<String>,
}

impl Estimate {
    pub fn mode(&self, mode: Mode) -> Option<&ModeCost> {
        self.modes.iter().find(|m| m.mode == mode)
    }
}

/// Prices `usage` for `resolved` in `region`.
pub fn estimate(
    resolved: &Resolved<'_>,
    region: &str,
    as_of: Date,
    usage: &Usage,
    selection: &ModeSelection,
) -> Estimate {
    estimate_media(
        resolved,
        region,
        as_of,
        usage,
        &MediaUsage::default(),
        selection,
    )
}

/// [`estimate`] with audio, video and rerank quantities as well.
pub fn estimate_media(
    resolved: &Resolved<'_>,
    region: &str,
    as_of: Date,
    usage: &Usage,
    media: &MediaUsage,
    selection: &ModeSelection,
) -> Estimate {
    let model = resolved.model;
    let ctx = RateContext {
        region,
        scope: resolved.scope(),
        custom: resolved.custom,
        as_of,
    };
    let base_ctx = RateContext {
        custom: false,
        ..ctx
    };
    let mut warnings = Vec::new();
    let mut unpriced = Vec::new();

    if model.legacy {
        warnings.push(format!(
            "{} is a legacy model: check that it is still offered before budgeting for it",
            model.id
        ));
    }
    if let Route::Profile(_) = resolved.route {
        warnings.push(format!(
            "{}: priced at the rates of the source Region {region}",
            resolved.route.describe()
        ));
    }
    if let Some(arn_region) = &resolved.region
        && !arn_region.eq_ignore_ascii_case(region)
    {
        warnings.push(format!(
            "the ARN names Region {arn_region}, but {region} was priced"
        ));
    }
    if let Some(window) = model.context_window
        && usage.input_per_request() + usage.output_per_request() > window
    {
        warnings.push(format!(
            "{} input + {} output tokens per request exceed the context window of {} ({window} tokens); use --requests N if the counts are totals over N requests",
            usage.input_per_request(),
            usage.output_per_request(),
            model.id
        ));
    }
    if !model.is_priced() {
        warnings.push(format!("the catalog has no price for {}", model.id));
    } else if model.modes(Some(region)).is_empty() {
        let regions: Vec<&str> = model.regions().into_iter().collect();
        warnings.push(format!(
            "{} has no prices in {region}; it is priced in: {}",
            model.id,
            regions.join(", ")
        ));
    }

    let modes: Vec<Mode> = match selection {
        ModeSelection::Only(list) => list.clone(),
        ModeSelection::All => match resolved.tier {
            Some(tier) => vec![tier],
            None => {
                let found: Vec<Mode> = Mode::ALL
                    .iter()
                    .copied()
                    .filter(|m| {
                        m.is_per_request()
                            && (model.has_mode(&ctx, *m) || model.has_mode(&base_ctx, *m))
                    })
                    .collect();
                if found.is_empty() {
                    vec![Mode::OnDemand]
                } else {
                    found
                }
            }
        },
    };

    let mut costs = Vec::new();
    for mode in modes {
        if !mode.is_per_request() {
            unpriced.push(mode.to_string());
            warnings.push(format!(
                "{mode} is billed per {}, not per request: see `bedrock-meter pricing show {}`",
                if mode.is_provisioned() {
                    "model-unit hour"
                } else {
                    "training job, month or model unit"
                },
                model.id
            ));
            continue;
        }
        match price_mode(resolved, &ctx, usage, media, mode, &mut warnings) {
            ModeOutcome::Missing => {
                unpriced.push(mode.to_string());
                warnings.push(format!(
                    "{} has no {mode} price in {region} for this route",
                    model.id
                ));
            }
            ModeOutcome::Priced(cost, missing) => {
                unpriced.extend(missing.iter().map(|d| format!("{mode}/{d}")));
                // A mode whose every dimension is unpriced shows up only in `unpriced`.
                if !cost.line_items.is_empty() {
                    costs.push(cost);
                }
            }
        }
    }
    warnings.dedup();
    Estimate {
        model_id: resolved.input.clone(),
        resolved_model: model.id.clone(),
        model_name: model.name.clone(),
        region: region.to_string(),
        route: resolved.route.describe(),
        as_of: as_of.to_string(),
        requests: usage.requests.max(1),
        input_tokens: None,
        output_tokens: None,
        records: None,
        batch_savings: None,
        modes: costs,
        unpriced,
        warnings,
    }
}

enum ModeOutcome {
    /// The model has no row of this mode for this route and Region.
    Missing,
    /// Priced line items, and the dimensions that had a quantity but no rate.
    Priced(ModeCost, Vec<Dimension>),
}

fn price_mode(
    resolved: &Resolved<'_>,
    ctx: &RateContext<'_>,
    usage: &Usage,
    media: &MediaUsage,
    mode: Mode,
    warnings: &mut Vec<String>,
) -> ModeOutcome {
    let model = resolved.model;
    // A customized copy uses its own rates where the catalog has them, else the base model's.
    let mut ctx = *ctx;
    if ctx.custom && !model.has_mode(&ctx, mode) {
        ctx.custom = false;
        if model.has_mode(&ctx, mode) {
            warnings.push(format!(
                "no {mode} rate for custom copies of {}: priced at the base model's rate",
                model.id
            ));
        }
    }
    if !model.has_mode(&ctx, mode) {
        return ModeOutcome::Missing;
    }
    let long_context = model.long_context_threshold(&ctx, usage.input_per_request());
    if let Some(t) = long_context {
        warnings.push(format!(
            "{} input tokens per request exceed {t}: whole requests are billed at long-context rates (unpriced in modes without them)",
            usage.input_per_request()
        ));
    }

    let mut wanted: Vec<(Dimension, u64)> = Vec::new();
    match model.kind {
        ModelKind::Image => {
            if usage.input_tokens + usage.output_tokens > 0 {
                warnings.push(format!(
                    "{} bills per image, not per token: token counts are ignored",
                    model.id
                ));
            }
            // Image-editing tools bill each edited image at one rate, whatever its size.
            let edits_only = model.rows_of(&ctx, mode, Dimension::ImageEdit)
                && !model.rows_of(&ctx, mode, Dimension::Image);
            if edits_only {
                wanted.push((Dimension::ImageEdit, usage.images));
            } else {
                wanted.push((Dimension::Image, usage.images));
            }
        }
        ModelKind::Rerank => {
            if usage.input_tokens + usage.output_tokens > 0 {
                warnings.push(format!(
                    "{} bills per rerank query, not per token: token counts are ignored",
                    model.id
                ));
            }
            wanted.push((Dimension::RerankQueries, media.rerank_queries));
        }
        ModelKind::Embedding | ModelKind::MultimodalEmbedding => {
            if usage.output_tokens > 0 {
                warnings.push(format!(
                    "{} is an embedding model: it produces no output tokens",
                    model.id
                ));
            }
            wanted.push((Dimension::InputTokens, usage.input_tokens));
            if model.kind == ModelKind::MultimodalEmbedding || usage.images > 0 {
                wanted.push((Dimension::InputImage, usage.images));
            }
        }
        ModelKind::Text => {
            wanted.push((Dimension::InputTokens, usage.input_tokens));
            wanted.push((Dimension::OutputTokens, usage.output_tokens));
            if usage.images > 0 {
                warnings.push(format!("{} is a text model: the image count is ignored (count image tokens as input tokens)", model.id));
            }
        }
    }
    if usage.cache_read_tokens > 0 {
        wanted.push((Dimension::CacheRead, usage.cache_read_tokens));
    }
    if usage.cache_write_tokens > 0 {
        wanted.push((usage.cache_ttl.dimension(), usage.cache_write_tokens));
    }
    for (dimension, quantity) in [
        (Dimension::AudioInputTokens, media.audio_input_tokens),
        (Dimension::AudioOutputTokens, media.audio_output_tokens),
        (Dimension::VideoInput, media.video_seconds),
    ] {
        if quantity > 0 {
            wanted.push((dimension, quantity));
        }
    }
    if media.rerank_queries > 0 && model.kind != ModelKind::Rerank {
        wanted.push((Dimension::RerankQueries, media.rerank_queries));
    }

    let image = (model.kind == ModelKind::Image).then(|| {
        (
            usage.image_resolution.unwrap_or(Resolution {
                width: 1024,
                height: 1024,
            }),
            usage.image_quality.unwrap_or(Quality::Standard),
        )
    });
    let mut items = Vec::new();
    let mut missing = Vec::new();
    for (dimension, quantity) in wanted {
        let q = RateQuery {
            mode,
            dimension,
            long_context,
            image: if dimension == Dimension::Image {
                image
            } else {
                None
            },
        };
        match model.rate(&ctx, &q) {
            Some(price) => items.push(line_item(price, dimension, quantity)),
            None if quantity > 0 => missing.push(dimension),
            None => {}
        }
    }
    let total = items.iter().map(|i| i.cost_usd).sum();
    ModeOutcome::Priced(
        ModeCost {
            mode,
            total_usd: total,
            complete: missing.is_empty(),
            line_items: items,
        },
        missing,
    )
}

fn line_item(price: &Price, dimension: Dimension, quantity: u64) -> LineItem {
    // Video is counted in seconds; a per-minute row bills seconds / 60 minutes.
    let billed = if dimension == Dimension::VideoInput && price.unit == Unit::Minute {
        Decimal::from(quantity) / Decimal::from(60)
    } else {
        Decimal::from(quantity)
    };
    LineItem {
        dimension,
        quantity,
        unit: price.unit,
        unit_price_usd: price.usd,
        cost_usd: price.cost(billed),
        rate: price.qualifiers(),
        source: price.source.clone(),
    }
}
