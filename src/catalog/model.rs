//! Catalog entries: a model and its price rows.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::types::{Dimension, Mode, ModelKind, Quality, Resolution, Scope, Unit};

/// Where a catalog entry was written: a data file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// One rate: what `usd` buys, where and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub regions: Vec<String>,
    pub mode: Mode,
    pub dimension: Dimension,
    pub unit: Unit,
    /// USD per `unit`.
    pub usd: Decimal,
    pub effective: jiff::civil::Date,
    /// An AWS page, or a Price List usage type.
    pub source: String,
    pub scope: Scope,
    /// Rate for a customized (fine-tuned) copy of the model.
    pub custom: bool,
    /// Long-context rate: the whole request is billed at this rate once its input tokens
    /// (cached ones included) exceed this threshold.
    pub above_input_tokens: Option<u64>,
    /// Image rows: the largest image this rate covers.
    pub resolution: Option<Resolution>,
    /// Image rows: quality tier.
    pub quality: Option<Quality>,
    pub note: Option<String>,
    pub origin: Origin,
}

/// The identity of a rate apart from its Regions: two rows with the same key and a shared
/// Region are duplicates; an override row replaces base rows with its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PriceKey {
    pub mode: Mode,
    pub dimension: Dimension,
    pub scope: Scope,
    pub custom: bool,
    pub above_input_tokens: Option<u64>,
    pub resolution: Option<Resolution>,
    pub quality: Option<Quality>,
}

impl Price {
    pub fn key(&self) -> PriceKey {
        PriceKey {
            mode: self.mode,
            dimension: self.dimension,
            scope: self.scope,
            custom: self.custom,
            above_input_tokens: self.above_input_tokens,
            resolution: self.resolution,
            quality: self.quality,
        }
    }

    pub fn applies_in(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r.eq_ignore_ascii_case(region))
    }

    /// Cost of `quantity` counted things (tokens, images, hours…) at this rate, exact.
    pub fn cost(&self, quantity: Decimal) -> Decimal {
        quantity * self.usd / self.unit.size()
    }

    /// Qualifiers that tell apart rows of one mode and dimension, for display.
    pub fn qualifiers(&self) -> String {
        let mut parts = Vec::new();
        if self.scope != Scope::Any {
            parts.push(format!("{} route", self.scope));
        }
        if self.custom {
            parts.push("custom model".to_string());
        }
        if let Some(t) = self.above_input_tokens {
            parts.push(format!("input > {t} tokens"));
        }
        if let Some(r) = self.resolution {
            parts.push(format!("up to {r}"));
        }
        if let Some(q) = self.quality {
            parts.push(q.to_string());
        }
        parts.join(", ")
    }
}

/// A Bedrock model and everything the catalog knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Bare foundation-model ID, e.g. `anthropic.claude-3-haiku-20240307-v1:0`.
    pub id: String,
    pub name: String,
    /// Provider key, the part of the ID before the first dot.
    pub provider: String,
    pub provider_name: String,
    pub kind: ModelKind,
    /// Maximum tokens (input + output) per request.
    pub context_window: Option<u64>,
    /// Tokenizer family (see `crate::tokenize::family_names`).
    pub tokenizer: String,
    /// AWS lists the model as legacy or end-of-life.
    pub legacy: bool,
    /// Default on-demand tokens-per-minute quota, where known.
    pub default_tpm_quota: Option<u64>,
    pub note: Option<String>,
    pub prices: Vec<Price>,
    pub origin: Origin,
}

impl Model {
    /// Regions with at least one price.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.prices
            .iter()
            .flat_map(|p| p.regions.iter().map(String::as_str))
            .collect()
    }

    /// Modes priced in `region` (every Region when `None`).
    pub fn modes(&self, region: Option<&str>) -> BTreeSet<Mode> {
        self.prices
            .iter()
            .filter(|p| region.is_none_or(|r| p.applies_in(r)))
            .map(|p| p.mode)
            .collect()
    }

    pub fn is_priced(&self) -> bool {
        !self.prices.is_empty()
    }
}
