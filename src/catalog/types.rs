//! The vocabulary of a price: pricing modes, billed dimensions, units, scopes.
//!
//! Amazon Bedrock bills the same model in several *modes*: per token on demand, at half
//! price in asynchronous batch jobs, in the `flex` (cheaper, may queue) and `priority`
//! (dearer, served first) service tiers, or per *model-unit hour* of provisioned throughput.
//! A model unit is a slice of dedicated capacity whose token throughput AWS mostly does not
//! publish; you buy it with no commitment, or for one or six months at a lower hourly rate.
//! Fine-tuning is billed per training token (or image) and per month of custom-model storage,
//! and Custom Model Import per custom-model-unit minute and month.
//!
//! Newer models bill more than text tokens: speech-to-speech models (Nova Sonic) count audio
//! tokens at their own rates, video models (TwelveLabs) bill seconds or minutes of video,
//! rerank models bill per 1,000 queries, image-editing tools per edited image, and models
//! served through Bedrock's *Mantle* engine (OpenAI, Moonshot, Z.ai, xAI…) write their prompt
//! cache with a 30-minute time-to-live. Mantle's service tiers (standard, flex, priority) are
//! the same per-request modes as everywhere else, so they need no notion of their own.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The spelling used in data files, on the command line and in reports.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
                    format!("unknown {} `{}` (expected one of: {})", stringify!($name).to_ascii_lowercase(), s,
                        $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "))
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
    };
}

string_enum! {
    /// How a request is bought.
    Mode {
        /// Pay per token (or image) as you go.
        OnDemand => "on-demand",
        /// Asynchronous batch inference jobs over S3 JSONL files (typically 50% of on-demand).
        Batch => "batch",
        /// The flex service tier: cheaper, requests may wait for capacity.
        Flex => "flex",
        /// The priority service tier: dearer, served ahead of standard traffic.
        Priority => "priority",
        /// Provisioned throughput bought by the hour with no commitment.
        ProvisionedNoCommit => "provisioned-no-commit",
        /// Provisioned throughput with a one-month commitment.
        Provisioned1Month => "provisioned-1-month",
        /// Provisioned throughput with a six-month commitment.
        Provisioned6Month => "provisioned-6-month",
        /// Fine-tuning or continued pre-training job.
        CustomizationTraining => "customization-training",
        /// Monthly storage of a customized model.
        CustomizationStorage => "customization-storage",
        /// Custom Model Import: your own weights served by Bedrock.
        CustomModelImport => "custom-model-import",
    }
}

impl Mode {
    /// Modes billed per token or per image of each request (the ones `estimate` can price
    /// from token counts).
    pub fn is_per_request(self) -> bool {
        matches!(
            self,
            Mode::OnDemand | Mode::Batch | Mode::Flex | Mode::Priority
        )
    }

    /// Provisioned-throughput modes, billed per model-unit hour.
    pub fn is_provisioned(self) -> bool {
        matches!(
            self,
            Mode::ProvisionedNoCommit | Mode::Provisioned1Month | Mode::Provisioned6Month
        )
    }
}

string_enum! {
    /// What is counted and billed.
    Dimension {
        /// Prompt tokens not read from or written to the prompt cache.
        InputTokens => "input-tokens",
        /// Generated tokens.
        OutputTokens => "output-tokens",
        /// Prompt tokens written to the cache with the default 5-minute time-to-live.
        CacheWrite5m => "cache-write-5m",
        /// Prompt tokens written to the cache with a 1-hour time-to-live.
        CacheWrite1h => "cache-write-1h",
        /// Prompt tokens written to the cache with a 30-minute time-to-live (models served
        /// through Bedrock's Mantle engine; Price List usage type `…-cache-write-tokens-30m`).
        CacheWrite30m => "cache-write-30m",
        /// Prompt tokens served from the cache.
        CacheRead => "cache-read",
        /// Audio input tokens of a speech model (Nova Sonic bills them apart from text tokens).
        AudioInputTokens => "audio-input-tokens",
        /// Audio output tokens of a speech model.
        AudioOutputTokens => "audio-output-tokens",
        /// Video sent to a video model (TwelveLabs Marengo embeddings, Pegasus), per second or
        /// per minute of video.
        VideoInput => "video-input",
        /// Rerank queries, priced per 1,000. One query ranks up to 100 documents; Cohere's
        /// "search unit" is exactly that (a query with more documents counts one search unit
        /// per 100 documents), so search-unit prices are written as `rerank-queries`.
        RerankQueries => "rerank-queries",
        /// An image edited by an image-editing tool (inpaint, erase, upscale, recolor…),
        /// billed per output image whatever its size.
        ImageEdit => "image-edit",
        /// A generated image.
        Image => "image",
        /// An image sent to a multimodal embedding model.
        InputImage => "input-image",
        /// One model unit of provisioned throughput for one hour.
        ModelUnitHour => "model-unit-hour",
        /// Tokens processed by a fine-tuning job (tokens in the data set × epochs).
        TrainingTokens => "training-tokens",
        /// Images seen by an image-model fine-tuning job.
        TrainingImage => "training-image",
        /// One customized model stored for one month.
        ModelStorageMonth => "model-storage-month",
        /// One custom model unit of an imported model for one minute.
        CmuMinute => "cmu-minute",
        /// One custom model unit of an imported model stored for one month.
        CmuMonth => "cmu-month",
    }
}

impl Dimension {
    /// Dimensions measured in tokens.
    pub fn is_tokens(self) -> bool {
        matches!(
            self,
            Dimension::InputTokens
                | Dimension::OutputTokens
                | Dimension::CacheWrite5m
                | Dimension::CacheWrite1h
                | Dimension::CacheWrite30m
                | Dimension::CacheRead
                | Dimension::AudioInputTokens
                | Dimension::AudioOutputTokens
                | Dimension::TrainingTokens
        )
    }

    /// Token dimensions billed per request (those a long-context threshold may apply to).
    pub fn is_request_tokens(self) -> bool {
        self.is_tokens() && self != Dimension::TrainingTokens
    }

    /// Dimensions measured in images.
    pub fn is_images(self) -> bool {
        matches!(
            self,
            Dimension::Image
                | Dimension::InputImage
                | Dimension::TrainingImage
                | Dimension::ImageEdit
        )
    }

    /// Whether a price in `mode` may bill this dimension.
    pub fn fits_mode(self, mode: Mode) -> bool {
        use Dimension as D;
        match mode {
            Mode::OnDemand | Mode::Batch | Mode::Flex | Mode::Priority => matches!(
                self,
                D::InputTokens
                    | D::OutputTokens
                    | D::CacheWrite5m
                    | D::CacheWrite1h
                    | D::CacheWrite30m
                    | D::CacheRead
                    | D::AudioInputTokens
                    | D::AudioOutputTokens
                    | D::VideoInput
                    | D::RerankQueries
                    | D::Image
                    | D::InputImage
                    | D::ImageEdit
            ),
            Mode::ProvisionedNoCommit | Mode::Provisioned1Month | Mode::Provisioned6Month => {
                self == D::ModelUnitHour
            }
            Mode::CustomizationTraining => matches!(self, D::TrainingTokens | D::TrainingImage),
            Mode::CustomizationStorage => self == D::ModelStorageMonth,
            Mode::CustomModelImport => matches!(self, D::CmuMinute | D::CmuMonth),
        }
    }

    /// Whether `unit` is a valid unit for this dimension.
    pub fn fits_unit(self, unit: Unit) -> bool {
        match self {
            d if d.is_tokens() => matches!(unit, Unit::Tokens1K | Unit::Tokens1M),
            d if d.is_images() => unit == Unit::Image,
            Dimension::ModelUnitHour => unit == Unit::Hour,
            Dimension::ModelStorageMonth | Dimension::CmuMonth => unit == Unit::Month,
            Dimension::CmuMinute => unit == Unit::Minute,
            Dimension::VideoInput => matches!(unit, Unit::Second | Unit::Minute),
            Dimension::RerankQueries => unit == Unit::Queries1K,
            _ => false,
        }
    }
}

string_enum! {
    /// The unit a price is quoted in.
    Unit {
        /// Per thousand tokens (the legacy AWS page and the `AmazonBedrock` Price List offer).
        Tokens1K => "1K tokens",
        /// Per million tokens (the current AWS page and `AmazonBedrockFoundationModels`).
        Tokens1M => "1M tokens",
        /// Per image.
        Image => "image",
        /// Per hour.
        Hour => "hour",
        /// Per month.
        Month => "month",
        /// Per minute.
        Minute => "minute",
        /// Per second (video input).
        Second => "second",
        /// Per thousand rerank queries (or search units).
        Queries1K => "1K queries",
    }
}

impl Unit {
    /// How many counted things one priced unit holds (1,000 for "1K tokens").
    pub fn size(self) -> Decimal {
        match self {
            Unit::Tokens1K => Decimal::from(1_000),
            Unit::Tokens1M => Decimal::from(1_000_000),
            Unit::Queries1K => Decimal::from(1_000),
            _ => Decimal::ONE,
        }
    }
}

string_enum! {
    /// Which invocation routes a price applies to.
    ///
    /// Cross-Region inference profiles spread requests over several Regions. For most models a
    /// profile costs what the source Region costs. From Claude Sonnet 4.5 on, AWS charges the
    /// `global.` profile the base rate and *geographic* profiles (`us.`, `eu.`, `apac.`, `jp.`,
    /// `au.`) as well as in-Region bare model IDs 10% more, because those keep data inside
    /// a geography and so have less capacity to draw on.
    Scope {
        /// The price holds for every route.
        Any => "any",
        /// Only the `global.` cross-Region profile.
        Global => "global",
        /// Geographic profiles and in-Region (bare ID) invocation.
        Geo => "geo",
    }
}

string_enum! {
    /// Image quality tier. For Stability models "premium" means more than 50 diffusion steps.
    Quality {
        Standard => "standard",
        Premium => "premium",
    }
}

string_enum! {
    /// What a model produces.
    ModelKind {
        Text => "text",
        Embedding => "embedding",
        Image => "image",
        MultimodalEmbedding => "multimodal-embedding",
        /// Ranks documents against a query (billed per query).
        Rerank => "rerank",
    }
}

/// An image size in pixels, `WIDTHxHEIGHT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

impl Resolution {
    pub fn pixels(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl FromStr for Resolution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a resolution like 1024x1024");
        let (w, h) = s
            .trim()
            .to_ascii_lowercase()
            .split_once(['x', '×'])
            .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
            .ok_or_else(bad)?;
        let width: u32 = w.parse().map_err(|_| bad())?;
        let height: u32 = h.parse().map_err(|_| bad())?;
        if width == 0 || height == 0 {
            return Err(bad());
        }
        Ok(Resolution { width, height })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for m in Mode::ALL {
            assert_eq!(m.as_str().parse::<Mode>().unwrap(), *m);
        }
        for d in Dimension::ALL {
            assert_eq!(d.as_str().parse::<Dimension>().unwrap(), *d);
        }
        assert_eq!("1M tokens".parse::<Unit>().unwrap(), Unit::Tokens1M);
        assert!("per token".parse::<Unit>().is_err());
    }

    #[test]
    fn dimension_mode_and_unit_compatibility() {
        assert!(Dimension::InputTokens.fits_mode(Mode::Batch));
        assert!(!Dimension::InputTokens.fits_mode(Mode::Provisioned1Month));
        assert!(Dimension::ModelUnitHour.fits_mode(Mode::ProvisionedNoCommit));
        assert!(Dimension::InputTokens.fits_unit(Unit::Tokens1K));
        assert!(!Dimension::InputTokens.fits_unit(Unit::Hour));
        assert!(Dimension::Image.fits_unit(Unit::Image));
    }

    #[test]
    fn new_rate_kinds_fit_only_their_units_and_modes() {
        use Dimension as D;
        for d in [D::AudioInputTokens, D::AudioOutputTokens, D::CacheWrite30m] {
            assert!(d.is_tokens() && d.is_request_tokens(), "{d}");
            assert!(
                d.fits_unit(Unit::Tokens1M) && d.fits_unit(Unit::Tokens1K),
                "{d}"
            );
            assert!(
                !d.fits_unit(Unit::Second) && !d.fits_unit(Unit::Image),
                "{d}"
            );
        }
        assert!(D::VideoInput.fits_unit(Unit::Second));
        assert!(D::VideoInput.fits_unit(Unit::Minute));
        assert!(!D::VideoInput.fits_unit(Unit::Tokens1M));
        assert!(D::RerankQueries.fits_unit(Unit::Queries1K));
        assert!(!D::RerankQueries.fits_unit(Unit::Tokens1K));
        assert!(D::ImageEdit.fits_unit(Unit::Image));
        assert!(!D::ImageEdit.fits_unit(Unit::Hour));
        assert!(!D::TrainingTokens.is_request_tokens());
        for d in [
            D::AudioInputTokens,
            D::VideoInput,
            D::RerankQueries,
            D::ImageEdit,
            D::CacheWrite30m,
        ] {
            for m in Mode::ALL {
                assert_eq!(d.fits_mode(*m), m.is_per_request(), "{d} in {m}");
            }
        }
        assert_eq!(Unit::Queries1K.size(), Decimal::from(1000));
        assert_eq!(Unit::Second.size(), Decimal::ONE);
        assert_eq!("1K queries".parse::<Unit>().unwrap(), Unit::Queries1K);
        assert_eq!("second".parse::<Unit>().unwrap(), Unit::Second);
        assert_eq!("rerank".parse::<ModelKind>().unwrap(), ModelKind::Rerank);
    }

    #[test]
    fn resolutions_parse() {
        assert_eq!(
            "1024x768".parse::<Resolution>().unwrap().pixels(),
            1024 * 768
        );
        assert!("1024".parse::<Resolution>().is_err());
        assert!("0x5".parse::<Resolution>().is_err());
    }
}
