//! The on-disk shape of a policy file, as parsed from TOML. Values stay spanned and loosely
//! typed so that validation reports every bad value with its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default)]
    pub allow: Vec<Spanned<RawAllow>>,
    pub thresholds: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAllow {
    pub principal: Option<Spanned<toml::Value>>,
    pub models: Option<Spanned<toml::Value>>,
    pub regions: Option<Spanned<toml::Value>>,
    /// Free text for the reader (which application, who approved it).
    pub note: Option<Spanned<toml::Value>>,
}
