//! Who made a call: an IAM identity, normalised so that the same caller seen by different
//! sources (a CloudTrail `userIdentity`, an invocation log's `identity.arn`) gets one key.
//!
//! The key is the ARN a user knows from `aws sts get-caller-identity`:
//! - an IAM user: `arn:aws:iam::111122223333:user/alice`;
//! - an assumed role: the session ARN `arn:aws:sts::111122223333:assumed-role/ROLE/SESSION`
//!   (the role and the session name, so a chargeback can split one role by session);
//! - the account's root user: `arn:aws:iam::111122223333:root`;
//! - a federated user: `arn:aws:sts::111122223333:federated-user/NAME`;
//! - an AWS service acting for the account: its service principal (`bedrock.amazonaws.com`).
//!
//! Every part of a principal comes from AWS records and is untrusted text: exporters
//! neutralise it before it reaches a CSV cell or a terminal.

use serde::Serialize;

/// The kind of identity, as CloudTrail's `userIdentity.type` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PrincipalType {
    IamUser,
    AssumedRole,
    Root,
    FederatedUser,
    IdentityCenterUser,
    AwsService,
    AwsAccount,
    /// A type this version does not know (kept verbatim), or none given.
    Other(String),
}

impl PrincipalType {
    /// The type as CloudTrail spells it (`IAMUser`, `AssumedRole`, …).
    pub fn as_str(&self) -> &str {
        match self {
            PrincipalType::IamUser => "IAMUser",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::Root => "Root",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::IdentityCenterUser => "IdentityCenterUser",
            PrincipalType::AwsService => "AWSService",
            PrincipalType::AwsAccount => "AWSAccount",
            PrincipalType::Other(s) => s,
        }
    }

    /// Parses CloudTrail's `userIdentity.type`.
    pub fn parse(s: &str) -> PrincipalType {
        match s.trim() {
            "IAMUser" => PrincipalType::IamUser,
            "AssumedRole" => PrincipalType::AssumedRole,
            "Root" => PrincipalType::Root,
            "FederatedUser" => PrincipalType::FederatedUser,
            "IdentityCenterUser" => PrincipalType::IdentityCenterUser,
            "AWSService" => PrincipalType::AwsService,
            "AWSAccount" => PrincipalType::AwsAccount,
            other => PrincipalType::Other(other.to_string()),
        }
    }
}

/// A normalised caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal {
    /// The grouping key (see the module documentation).
    pub key: String,
    pub kind: PrincipalType,
    /// The 12-digit account the identity belongs to, when known.
    pub account: Option<String>,
    /// For assumed roles: the role's IAM ARN (with its path) when the record gives it.
    pub role_arn: Option<String>,
    /// For assumed roles: the session name (often the human or the workload).
    pub session: Option<String>,
}

impl Principal {
    /// A principal nobody could name (a record without identity).
    pub fn unknown() -> Principal {
        Principal {
            key: "unknown".to_string(),
            kind: PrincipalType::Other(String::new()),
            account: None,
            role_arn: None,
            session: None,
        }
    }

    /// Normalises an identity ARN, as invocation logs give it (`identity.arn`) and as
    /// CloudTrail's `userIdentity.arn` does. Trailing whitespace is dropped; an ARN this
    /// function does not recognise is kept as the key, typed `Other`.
    pub fn from_arn(arn: &str) -> Principal {
        let arn = arn.trim();
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Principal {
                key: arn.to_string(),
                kind: PrincipalType::Other(String::new()),
                ..Principal::unknown()
            };
        }
        let (service, account, resource) = (parts[2], parts[4], parts[5]);
        let account = (!account.is_empty()).then(|| account.to_string());
        let base = Principal {
            key: arn.to_string(),
            kind: PrincipalType::Other(String::new()),
            account,
            role_arn: None,
            session: None,
        };
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Principal {
                kind: PrincipalType::Root,
                ..base
            },
            ("iam", Some(("user", _))) => Principal {
                kind: PrincipalType::IamUser,
                ..base
            },
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = match rest.rsplit_once('/') {
                    Some((r, s)) => (r, Some(s.to_string())),
                    None => (rest, None),
                };
                Principal {
                    kind: PrincipalType::AssumedRole,
                    role_arn: base
                        .account
                        .as_ref()
                        .map(|a| format!("arn:{}:iam::{a}:role/{role}", parts[1])),
                    session,
                    ..base
                }
            }
            ("sts", Some(("federated-user", _))) => Principal {
                kind: PrincipalType::FederatedUser,
                ..base
            },
            _ => base,
        }
    }

    /// An AWS service principal (`bedrock.amazonaws.com`) acting for the account.
    pub fn service(name: &str) -> Principal {
        Principal {
            key: name.trim().to_string(),
            kind: PrincipalType::AwsService,
            ..Principal::unknown()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_normalise_to_the_callers_identity() {
        let u = Principal::from_arn("arn:aws:iam::111122223333:user/alice ");
        assert_eq!(u.kind, PrincipalType::IamUser);
        assert_eq!(u.key, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(u.account.as_deref(), Some("111122223333"));

        let r = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/app-role/i-0abc");
        assert_eq!(r.kind, PrincipalType::AssumedRole);
        assert_eq!(r.session.as_deref(), Some("i-0abc"));
        assert_eq!(
            r.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/app-role")
        );

        assert_eq!(
            Principal::from_arn("arn:aws:iam::111122223333:root").kind,
            PrincipalType::Root
        );
        assert_eq!(
            Principal::from_arn("arn:aws-us-gov:sts::1:federated-user/bob").kind,
            PrincipalType::FederatedUser
        );
        let odd = Principal::from_arn("not an arn");
        assert_eq!(odd.key, "not an arn");
        assert_eq!(odd.kind, PrincipalType::Other(String::new()));
    }

    #[test]
    fn types_round_trip_cloudtrail_spelling() {
        for t in [
            "IAMUser",
            "AssumedRole",
            "Root",
            "FederatedUser",
            "IdentityCenterUser",
            "AWSService",
            "AWSAccount",
            "Weird",
        ] {
            assert_eq!(PrincipalType::parse(t).as_str(), t);
        }
    }
}
