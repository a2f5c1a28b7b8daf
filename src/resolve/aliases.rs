//! User alias file: names the model behind opaque ARNs.
//!
//! Application inference profiles, provisioned models and imported models have ARNs whose ID
//! says nothing about the model they serve. Users list them in a TOML file:
//!
//! ```toml
//! [aliases]
//! "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3" = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
//! "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz789" = "amazon.titan-text-express-v1"
//! ```
//!
//! The target may be any ID form the resolver accepts (a bare ID, a profile ID, another ARN).
//!
//! An alias may also carry tags (`bedrock-meter aliases sync` writes an application inference
//! profile's tags, like `team` and `cost-center`): usage through that ARN is then tagged with
//! them, so `--by tag:team` works even when callers send no `requestMetadata`.
//!
//! ```toml
//! [tags."arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"]
//! team = "search"
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

/// ARN (or any identifier) → model ID it stands for.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    map: HashMap<String, String>,
    tags: HashMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    #[serde(default)]
    aliases: HashMap<String, String>,
    #[serde(default)]
    tags: HashMap<String, BTreeMap<String, String>>,
}

impl Aliases {
    pub fn from_toml(text: &str, name: &str) -> anyhow::Result<Self> {
        let file: AliasFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .unwrap_or(1);
            anyhow::anyhow!("{name}:{line}: {}", e.message().trim())
        })?;
        Ok(Aliases {
            map: file
                .aliases
                .into_iter()
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
            tags: file
                .tags
                .into_iter()
                .map(|(k, v)| (k.trim().to_string(), v))
                .collect(),
        })
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read alias file {}: {e}", path.display()))?;
        Self::from_toml(&text, &path.display().to_string())
    }

    pub fn insert(&mut self, from: impl Into<String>, to: impl Into<String>) {
        self.map.insert(from.into(), to.into());
    }

    /// The tags of an aliased identifier (an application inference profile's), if any.
    pub fn tags(&self, id: &str) -> Option<&BTreeMap<String, String>> {
        self.tags.get(id.trim())
    }

    pub fn get(&self, id: &str) -> Option<&str> {
        self.map.get(id).map(String::as_str)
    }
}
