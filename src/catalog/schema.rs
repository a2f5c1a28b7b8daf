//! The on-disk shape of a pricing file (see `pricing/README.md`), as parsed from TOML.
//!
//! Fields are kept as spanned strings so that the loader can report every bad value with
//! its file and line instead of stopping at the first one.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub schema: Option<Spanned<i64>>,
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub models: Vec<Spanned<RawModel>>,
    #[serde(default)]
    pub discounts: Vec<Spanned<RawDiscount>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    pub regions: Option<Vec<Spanned<String>>>,
    pub effective: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub kind: Option<Spanned<String>>,
    pub context_window: Option<Spanned<i64>>,
    pub tokenizer: Option<Spanned<String>>,
    pub legacy: Option<bool>,
    pub default_tpm_quota: Option<Spanned<i64>>,
    pub note: Option<String>,
    #[serde(default)]
    pub prices: Vec<Spanned<RawPrice>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrice {
    pub mode: Spanned<String>,
    pub dimension: Spanned<String>,
    pub unit: Spanned<String>,
    pub usd: Spanned<toml::Value>,
    pub regions: Option<Vec<Spanned<String>>>,
    pub effective: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub scope: Option<Spanned<String>>,
    pub custom: Option<bool>,
    pub above_input_tokens: Option<Spanned<i64>>,
    pub resolution: Option<Spanned<String>>,
    pub quality: Option<Spanned<String>>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiscount {
    pub models: Spanned<String>,
    pub modes: Option<Vec<Spanned<String>>>,
    pub percent: Spanned<toml::Value>,
}
