//! The on-disk shape of a workload file (documented in `examples/workload.toml`), as parsed
//! from TOML.
//!
//! Values are kept spanned and loosely typed (`toml::Value`) so that validation can report
//! every bad value with its line, not just the first one serde trips over.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// First month of the plan, `YYYY-MM`.
    pub start: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub workload: Vec<Spanned<RawWorkload>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub name: Option<Spanned<toml::Value>>,
    pub model: Option<Spanned<toml::Value>>,
    pub region: Option<Spanned<toml::Value>>,
    pub requests_per_day: Option<Spanned<toml::Value>>,
    pub requests_per_hour: Option<Spanned<toml::Value>>,
    pub daily_shape: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    pub days: Option<Spanned<toml::Value>>,
    pub input_tokens: Option<Spanned<toml::Value>>,
    pub input_tokens_p50: Option<Spanned<toml::Value>>,
    pub input_tokens_p95: Option<Spanned<toml::Value>>,
    pub output_tokens: Option<Spanned<toml::Value>>,
    pub output_tokens_p50: Option<Spanned<toml::Value>>,
    pub output_tokens_p95: Option<Spanned<toml::Value>>,
    pub samples: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    pub cache_hit_rate: Option<Spanned<toml::Value>>,
    pub cached_prefix_tokens: Option<Spanned<toml::Value>>,
    pub cache_ttl: Option<Spanned<toml::Value>>,
    pub batch_share: Option<Spanned<toml::Value>>,
    pub monthly_growth: Option<Spanned<toml::Value>>,
    pub horizon_months: Option<Spanned<toml::Value>>,
    pub provisioned: Option<Spanned<RawProvisioned>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvisioned {
    pub tokens_per_minute_per_unit: Option<Spanned<toml::Value>>,
    pub terms: Option<Spanned<Vec<Spanned<toml::Value>>>>,
}
