//! The governance policy: which principals may call which models in which Regions, and the
//! thresholds of findings. A TOML file (`examples/governance-policy.toml`):
//!
//! ```toml
//! [[allow]]
//! principal = "arn:aws:sts::*:assumed-role/app-*/*"   # glob: * matches any run of chars
//! models = ["anthropic.claude-*", "amazon.nova-*"]     # left out: any model
//! regions = ["us-east-1", "us-west-2"]                 # left out: any Region
//! [thresholds]
//! access_denied_burst = 10
//! ```
//!
//! A call is inside the policy when one `[[allow]]` entry matches its principal, its model
//! and its Region. A principal that no entry matches is outside the policy for every model.

pub mod glob;
mod load;
mod schema;

use crate::records::Principal;
use crate::resolve::id_forms;

use super::thresholds::Thresholds;

pub use glob::matches;
pub use load::{PolicyError, load, parse};

/// One `[[allow]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowRule {
    /// Matched (case-sensitively) against the principal key and, for assumed roles, the
    /// role ARN (`arn:aws:iam::ACCOUNT:role/NAME`).
    pub principal: String,
    /// Matched without case against the model ID with any ARN and cross-Region profile
    /// prefix stripped (`us.anthropic.claude…` and its ARN both read `anthropic.claude…`);
    /// `None` allows any model.
    pub models: Option<Vec<String>>,
    /// Matched without case against the Region called; `None` allows any Region.
    pub regions: Option<Vec<String>>,
    /// The entry's line in the policy file.
    pub line: usize,
}

impl AllowRule {
    fn matches_principal(&self, p: &Principal) -> bool {
        matches(&self.principal, &p.key, false)
            || p.role_arn
                .as_deref()
                .is_some_and(|r| matches(&self.principal, r, false))
    }

    fn allows_model(&self, bare_model: &str) -> bool {
        self.models
            .as_ref()
            .is_none_or(|ms| ms.iter().any(|m| matches(m, bare_model, true)))
    }

    fn allows_region(&self, region: &str) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|rs| rs.iter().any(|r| matches(r, region, true)))
    }
}

/// A loaded policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The file's name, for evidence ("policy governance.toml").
    pub name: String,
    pub allow: Vec<AllowRule>,
    /// The default thresholds with the file's `[thresholds]` applied.
    pub thresholds: Thresholds,
}

/// Whether a call is inside the policy, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// No `[[allow]]` entry matches the principal.
    NoEntry,
    /// Entries match the principal but none lists the model.
    ModelNotAllowed,
    /// Entries match the principal (and model) but none lists the Region.
    RegionNotAllowed,
}

/// The model ID a policy matches: without ARN (`…:foundation-model/ID`,
/// `…:inference-profile/ID`) and without a cross-Region profile prefix (`us.`, `global.`).
pub fn bare_model_id(id: &str) -> &str {
    let id = id.trim();
    let id = match id
        .rsplit_once(":foundation-model/")
        .or_else(|| id.rsplit_once(":inference-profile/"))
    {
        Some((head, rest)) if head.starts_with("arn:") => rest,
        _ => id,
    };
    id_forms::split_profile_prefix(id).map_or(id, |(_, rest)| rest)
}

impl Policy {
    /// Checks one call: `model` is the model of a model call (`None` for other operations,
    /// which only the Region lists restrict).
    pub fn check(&self, principal: &Principal, model: Option<&str>, region: &str) -> Verdict {
        let rules: Vec<&AllowRule> = self
            .allow
            .iter()
            .filter(|r| r.matches_principal(principal))
            .collect();
        if rules.is_empty() {
            return Verdict::NoEntry;
        }
        let rules: Vec<&AllowRule> = match model {
            Some(m) => {
                let bare = bare_model_id(m);
                let r: Vec<&AllowRule> =
                    rules.into_iter().filter(|r| r.allows_model(bare)).collect();
                if r.is_empty() {
                    return Verdict::ModelNotAllowed;
                }
                r
            }
            None => rules,
        };
        if rules.iter().any(|r| r.allows_region(region)) {
            Verdict::Allowed
        } else {
            Verdict::RegionNotAllowed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_lose_arns_and_profile_prefixes() {
        assert_eq!(
            bare_model_id("us.anthropic.claude-3-haiku-20240307-v1:0"),
            "anthropic.claude-3-haiku-20240307-v1:0"
        );
        assert_eq!(
            bare_model_id("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"),
            "amazon.nova-lite-v1:0"
        );
        assert_eq!(
            bare_model_id(
                "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0"
            ),
            "anthropic.claude-sonnet-4-5-20250929-v1:0"
        );
        assert_eq!(
            bare_model_id("meta.llama3-8b-instruct-v1:0"),
            "meta.llama3-8b-instruct-v1:0"
        );
    }

    #[test]
    fn verdicts_name_what_is_outside() {
        let policy = Policy {
            name: "p.toml".into(),
            allow: vec![AllowRule {
                principal: "arn:aws:iam::*:role/app-*".into(),
                models: Some(vec!["anthropic.claude-*".into()]),
                regions: Some(vec!["us-east-1".into()]),
                line: 1,
            }],
            thresholds: Thresholds::default(),
        };
        let app = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/app-chat/s1");
        let other = Principal::from_arn("arn:aws:iam::111122223333:user/mallory");
        let claude = Some("us.anthropic.claude-3-haiku-20240307-v1:0");
        assert_eq!(policy.check(&app, claude, "us-east-1"), Verdict::Allowed);
        assert_eq!(
            policy.check(&app, claude, "eu-west-1"),
            Verdict::RegionNotAllowed
        );
        assert_eq!(
            policy.check(&app, Some("amazon.nova-lite-v1:0"), "us-east-1"),
            Verdict::ModelNotAllowed
        );
        assert_eq!(policy.check(&other, claude, "us-east-1"), Verdict::NoEntry);
        assert_eq!(policy.check(&app, None, "us-east-1"), Verdict::Allowed);
    }
}
