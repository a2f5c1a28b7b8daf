//! The shapes a Bedrock model identifier takes.
//!
//! Callers name a model in many ways, and CloudWatch reports whatever the caller used:
//! - a bare foundation-model ID: `anthropic.claude-3-haiku-20240307-v1:0` (in-Region call);
//! - a cross-Region inference profile: the ID with a geography prefix (`us.`, `eu.`, `apac.`,
//!   `jp.`, `au.`, `ca.`, `us-gov.`) or `global.`; the request may be served in another Region
//!   of that geography (or anywhere, for `global.`);
//! - ARNs: `arn:aws:bedrock:REGION::foundation-model/ID`,
//!   `arn:aws:bedrock:REGION:ACCOUNT:inference-profile/PROFILE-ID`,
//!   `…:custom-model/BASE-ID/SUFFIX` (fine-tuned copy), `…:provisioned-model/OPAQUE`,
//!   `…:application-inference-profile/OPAQUE`, `…:imported-model/OPAQUE`;
//! - CloudWatch series of the flex and priority tiers: `MODEL+flex`, `MODEL+priority`.

use crate::catalog::Mode;

/// Geography prefixes of cross-Region inference profiles.
pub const GEO_PREFIXES: &[&str] = &["us", "us-gov", "eu", "apac", "jp", "au", "ca"];

/// The prefix of global cross-Region inference profiles.
pub const GLOBAL_PREFIX: &str = "global";

/// ARN resource types Bedrock uses for invocable things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArnKind {
    FoundationModel,
    InferenceProfile,
    ApplicationInferenceProfile,
    ProvisionedModel,
    CustomModel,
    ImportedModel,
}

impl ArnKind {
    fn from_resource_type(t: &str) -> Option<Self> {
        Some(match t {
            "foundation-model" => ArnKind::FoundationModel,
            "inference-profile" => ArnKind::InferenceProfile,
            "application-inference-profile" => ArnKind::ApplicationInferenceProfile,
            "provisioned-model" => ArnKind::ProvisionedModel,
            "custom-model" => ArnKind::CustomModel,
            "imported-model" => ArnKind::ImportedModel,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            ArnKind::FoundationModel => "foundation-model ARN",
            ArnKind::InferenceProfile => "inference-profile ARN",
            ArnKind::ApplicationInferenceProfile => "application-inference-profile ARN",
            ArnKind::ProvisionedModel => "provisioned-model ARN",
            ArnKind::CustomModel => "custom-model ARN",
            ArnKind::ImportedModel => "imported-model ARN",
        }
    }
}

/// A parsed Bedrock ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedrockArn {
    pub region: String,
    pub account: String,
    pub kind: ArnKind,
    /// Everything after `TYPE/`.
    pub resource: String,
}

/// Parses `arn:PARTITION:bedrock:REGION:ACCOUNT:TYPE/RESOURCE`.
pub fn parse_arn(s: &str) -> Result<BedrockArn, String> {
    let mut parts = s.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(format!(
            "`{s}` is not an ARN (arn:aws:bedrock:REGION:ACCOUNT:TYPE/ID)"
        ));
    };
    if service != "bedrock" {
        return Err(format!(
            "`{s}` is an ARN of service `{service}`, not bedrock"
        ));
    }
    let (rtype, resource) = rest
        .split_once('/')
        .ok_or_else(|| format!("`{s}` has no resource type/ID part"))?;
    let kind = ArnKind::from_resource_type(rtype)
        .ok_or_else(|| format!("`{s}`: unknown Bedrock resource type `{rtype}`"))?;
    if resource.is_empty() {
        return Err(format!("`{s}` has an empty resource ID"));
    }
    Ok(BedrockArn {
        region: region.to_string(),
        account: account.to_string(),
        kind,
        resource: resource.to_string(),
    })
}

/// Splits a CloudWatch `MODEL+flex` / `MODEL+priority` series name.
pub fn split_tier(s: &str) -> (&str, Option<Mode>) {
    if let Some((base, tier)) = s.rsplit_once('+') {
        match tier.to_ascii_lowercase().as_str() {
            "flex" => return (base, Some(Mode::Flex)),
            "priority" => return (base, Some(Mode::Priority)),
            _ => {}
        }
    }
    (s, None)
}

/// Splits a cross-Region profile prefix off an ID: `us.anthropic…` → (`us`, `anthropic…`).
pub fn split_profile_prefix(id: &str) -> Option<(&str, &str)> {
    let (head, rest) = id.split_once('.')?;
    let head_l = head.to_ascii_lowercase();
    (head_l == GLOBAL_PREFIX || GEO_PREFIXES.contains(&head_l.as_str())).then_some((head, rest))
}

/// The ID with its last `:segment` removed, for provisioned context-length variants such as
/// `anthropic.claude-3-haiku-20240307-v1:0:200k` or `amazon.titan-embed-text-v1:2:8k`.
pub fn strip_variant_suffix(id: &str) -> Option<&str> {
    id.rsplit_once(':')
        .map(|(head, _)| head)
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_parse() {
        let a = parse_arn("arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc").unwrap();
        assert_eq!(a.kind, ArnKind::CustomModel);
        assert_eq!(a.region, "us-west-2");
        assert_eq!(a.resource, "amazon.titan-text-express-v1:0:8k/abc");
        assert!(parse_arn("arn:aws:s3:::bucket/x").is_err());
        assert!(parse_arn("arn:aws:bedrock:us-east-1::knowledge-base/x").is_err());
        assert!(parse_arn("arn:aws:bedrock").is_err());
    }

    #[test]
    fn tiers_and_prefixes() {
        assert_eq!(
            split_tier("openai.gpt-oss-120b-1:0+flex"),
            ("openai.gpt-oss-120b-1:0", Some(Mode::Flex))
        );
        assert_eq!(split_tier("x+PRIORITY"), ("x", Some(Mode::Priority)));
        assert_eq!(split_tier("x+other"), ("x+other", None));
        assert_eq!(
            split_profile_prefix("apac.amazon.nova-lite-v1:0"),
            Some(("apac", "amazon.nova-lite-v1:0"))
        );
        assert_eq!(split_profile_prefix("amazon.nova-lite-v1:0"), None);
        assert_eq!(strip_variant_suffix("a.b-v1:0:200k"), Some("a.b-v1:0"));
    }
}
