//! `userIdentity`: who made a call, as CloudTrail records it, turned into a [`Principal`].
//!
//! The `type` decides which fields name the caller:
//! - `IAMUser`: `arn` (`arn:aws:iam::ACCOUNT:user/NAME`);
//! - `AssumedRole`: `arn` is the STS session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/
//!   SESSION`), the key; `sessionContext.sessionIssuer.arn` is the role's IAM ARN with its
//!   path (`role/aws-reserved/sso.amazonaws.com/...` for Identity Center permission sets);
//! - `Root`, `FederatedUser`: `arn`;
//! - `IdentityCenterUser`: no ARN; `onBehalfOf.userId` in `onBehalfOf.identityStoreArn`;
//! - `AWSService`: `invokedBy` (`bedrock.amazonaws.com`);
//! - `AWSAccount`: another account, by `principalId`/`accountId`.
//!
//! Real records carry trailing spaces in IDs: every field is trimmed.

use serde::de::MapAccess;

use super::event::EventError;
use super::lenient::{Fields, Obj, Scalar};
use crate::records::{Principal, PrincipalType};

/// The `userIdentity` fields this parser reads.
#[derive(Debug, Default)]
pub struct Identity<'de> {
    pub kind: Scalar<'de>,
    pub arn: Scalar<'de>,
    pub account_id: Scalar<'de>,
    pub principal_id: Scalar<'de>,
    pub user_name: Scalar<'de>,
    pub invoked_by: Scalar<'de>,
    pub session_context: Obj<SessionContext<'de>>,
    pub on_behalf_of: Obj<OnBehalfOf<'de>>,
}

impl<'de> Fields<'de> for Identity<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "type" => 1,
            "arn" => 2,
            "accountId" => 3,
            "principalId" => 4,
            "userName" => 5,
            "invokedBy" => 6,
            "sessionContext" => 7,
            "onBehalfOf" => 8,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.kind = map.next_value()?,
            2 => self.arn = map.next_value()?,
            3 => self.account_id = map.next_value()?,
            4 => self.principal_id = map.next_value()?,
            5 => self.user_name = map.next_value()?,
            6 => self.invoked_by = map.next_value()?,
            7 => self.session_context = map.next_value()?,
            _ => self.on_behalf_of = map.next_value()?,
        }
        Ok(())
    }
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default)]
pub struct SessionContext<'de> {
    pub session_issuer: Obj<SessionIssuer<'de>>,
    /// Some producers put the console mark here rather than at the top of the record.
    pub from_console: Scalar<'de>,
}

impl<'de> Fields<'de> for SessionContext<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "sessionIssuer" => 1,
            "sessionCredentialFromConsole" => 2,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.session_issuer = map.next_value()?,
            _ => self.from_console = map.next_value()?,
        }
        Ok(())
    }
}

/// `userIdentity.sessionContext.sessionIssuer`: the role behind a session.
#[derive(Debug, Default)]
pub struct SessionIssuer<'de> {
    pub arn: Scalar<'de>,
}

impl<'de> Fields<'de> for SessionIssuer<'de> {
    fn key(name: &str) -> u8 {
        u8::from(name == "arn")
    }
    fn field<A: MapAccess<'de>>(&mut self, _: u8, map: &mut A) -> Result<(), A::Error> {
        self.arn = map.next_value()?;
        Ok(())
    }
}

/// `userIdentity.onBehalfOf`: the Identity Center user.
#[derive(Debug, Default)]
pub struct OnBehalfOf<'de> {
    pub user_id: Scalar<'de>,
    pub identity_store_arn: Scalar<'de>,
}

impl<'de> Fields<'de> for OnBehalfOf<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "userId" => 1,
            "identityStoreArn" => 2,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.user_id = map.next_value()?,
            _ => self.identity_store_arn = map.next_value()?,
        }
        Ok(())
    }
}

/// What the identity says about the caller, beyond the principal.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub principal: Principal,
    /// `invokedBy`: the AWS service that made the call for the principal.
    pub invoked_by: Option<String>,
    /// `sessionContext.sessionCredentialFromConsole`.
    pub from_console: Option<bool>,
}

impl Identity<'_> {
    /// The caller; errors name the field (`userIdentity.arn`, …) that had a wrong type.
    pub fn caller(&self) -> Result<Caller, EventError> {
        let kind = self.kind.text("userIdentity.type")?.unwrap_or("");
        let arn = self.arn.text("userIdentity.arn")?;
        let account = self.account_id.text("userIdentity.accountId")?;
        let principal_id = self.principal_id.text("userIdentity.principalId")?;
        let user_name = self.user_name.text("userIdentity.userName")?;
        let invoked_by = self.invoked_by.string("userIdentity.invokedBy")?;
        let context = self.session_context.get("userIdentity.sessionContext")?;
        let issuer_arn = match context {
            Some(c) => match c
                .session_issuer
                .get("userIdentity.sessionContext.sessionIssuer")?
            {
                Some(i) => i
                    .arn
                    .text("userIdentity.sessionContext.sessionIssuer.arn")?,
                None => None,
            },
            None => None,
        };
        let from_console = match context {
            Some(c) => c
                .from_console
                .flag("userIdentity.sessionContext.sessionCredentialFromConsole")?,
            None => None,
        };
        let on_behalf = self.on_behalf_of.get("userIdentity.onBehalfOf")?;

        let kind = PrincipalType::parse(kind);
        let mut principal = match &kind {
            PrincipalType::IamUser => match (arn, account, user_name) {
                (Some(arn), _, _) => Principal::from_arn(arn),
                (None, Some(a), Some(u)) => {
                    Principal::from_arn(&format!("arn:aws:iam::{a}:user/{u}"))
                }
                _ => by_name(principal_id.or(user_name)),
            },
            PrincipalType::AssumedRole => {
                let mut p = match arn {
                    Some(arn) => Principal::from_arn(arn),
                    None => by_name(principal_id.or(issuer_arn)),
                };
                if let Some(role) = issuer_arn {
                    p.role_arn = Some(role.to_string());
                }
                if p.session.is_none() {
                    // `principalId` is `ROLEID:SESSION`.
                    p.session = principal_id
                        .and_then(|id| id.split_once(':'))
                        .map(|(_, s)| s.to_string());
                }
                p
            }
            PrincipalType::Root => match (arn, account) {
                (Some(arn), _) => Principal::from_arn(arn),
                (None, Some(a)) => Principal::from_arn(&format!("arn:aws:iam::{a}:root")),
                _ => by_name(principal_id),
            },
            PrincipalType::IdentityCenterUser => {
                let (user_id, store) = match on_behalf {
                    Some(o) => (
                        o.user_id.text("userIdentity.onBehalfOf.userId")?,
                        o.identity_store_arn
                            .text("userIdentity.onBehalfOf.identityStoreArn")?,
                    ),
                    None => (None, None),
                };
                let user = user_id.or(user_name).or(principal_id).unwrap_or("unknown");
                let scope = store.or(account).unwrap_or("unknown");
                Principal {
                    key: format!("identitycenter:{scope}/{user}"),
                    ..Principal::unknown()
                }
            }
            PrincipalType::AwsService => {
                Principal::service(invoked_by.as_deref().or(principal_id).unwrap_or("unknown"))
            }
            PrincipalType::AwsAccount => by_name(arn.or(principal_id).or(account)),
            _ => match arn {
                Some(arn) => Principal::from_arn(arn),
                None => by_name(principal_id.or(user_name)),
            },
        };
        if principal.account.is_none() {
            principal.account = account.map(str::to_string);
        }
        principal.kind = kind;
        Ok(Caller {
            principal,
            invoked_by,
            from_console,
        })
    }
}

fn by_name(name: Option<&str>) -> Principal {
    match name {
        Some(n) => Principal {
            key: n.to_string(),
            ..Principal::unknown()
        },
        None => Principal::unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(json: &str) -> Result<Caller, EventError> {
        let id: Obj<Identity> = serde_json::from_str(json).unwrap();
        match id {
            Obj::Map(id) => id.caller(),
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn assumed_roles_key_on_the_session_and_keep_the_role_path() {
        let c = caller(
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::847129010505:assumed-role/AWSReservedSSO_DevAdmin_6/ariel.ropek ",
                "accountId":"847129010505","principalId":"AIDA:ariel.ropek",
                "sessionContext":{"attributes":{"mfaAuthenticated":"false"},
                  "sessionIssuer":{"arn":"arn:aws:iam::847129010505:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_6","type":"Role"}}}"#,
        )
        .unwrap();
        let p = c.principal;
        assert_eq!(
            p.key,
            "arn:aws:sts::847129010505:assumed-role/AWSReservedSSO_DevAdmin_6/ariel.ropek"
        );
        assert_eq!(p.kind, PrincipalType::AssumedRole);
        assert_eq!(p.session.as_deref(), Some("ariel.ropek"));
        assert_eq!(
            p.role_arn.as_deref(),
            Some(
                "arn:aws:iam::847129010505:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_6"
            )
        );
        assert_eq!(p.account.as_deref(), Some("847129010505"));
    }

    #[test]
    fn each_identity_type_has_its_key() {
        let user = caller(r#"{"type":"IAMUser","accountId":"1","userName":"bob "}"#).unwrap();
        assert_eq!(user.principal.key, "arn:aws:iam::1:user/bob");
        assert_eq!(user.principal.kind, PrincipalType::IamUser);

        let root = caller(r#"{"type":"Root","accountId":"111122223333"}"#).unwrap();
        assert_eq!(root.principal.key, "arn:aws:iam::111122223333:root");
        assert_eq!(root.principal.kind, PrincipalType::Root);

        let fed = caller(r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/carol"}"#)
            .unwrap();
        assert_eq!(fed.principal.kind, PrincipalType::FederatedUser);

        let ic = caller(
            r#"{"type":"IdentityCenterUser","accountId":"1",
                "onBehalfOf":{"userId":"u-123 ","identityStoreArn":"arn:aws:identitystore::1:identitystore/d-9"}}"#,
        )
        .unwrap();
        assert_eq!(
            ic.principal.key,
            "identitycenter:arn:aws:identitystore::1:identitystore/d-9/u-123"
        );
        assert_eq!(ic.principal.kind, PrincipalType::IdentityCenterUser);
        let ic =
            caller(r#"{"type":"IdentityCenterUser","accountId":"1","userName":"dan"}"#).unwrap();
        assert_eq!(ic.principal.key, "identitycenter:1/dan");

        let svc = caller(r#"{"type":"AWSService","invokedBy":"bedrock.amazonaws.com "}"#).unwrap();
        assert_eq!(svc.principal.key, "bedrock.amazonaws.com");
        assert_eq!(svc.principal.kind, PrincipalType::AwsService);
        assert_eq!(svc.invoked_by.as_deref(), Some("bedrock.amazonaws.com"));

        let acct =
            caller(r#"{"type":"AWSAccount","accountId":"444455556666","principalId":"AIDAX"}"#)
                .unwrap();
        assert_eq!(acct.principal.key, "AIDAX");
        assert_eq!(acct.principal.kind, PrincipalType::AwsAccount);
        assert_eq!(acct.principal.account.as_deref(), Some("444455556666"));

        let odd = caller(r#"{"type":"SAMLUser","principalId":"p","userName":"e"}"#).unwrap();
        assert_eq!(odd.principal.key, "p");
        assert_eq!(odd.principal.kind, PrincipalType::Other("SAMLUser".into()));
    }

    #[test]
    fn wrong_types_name_the_nested_field() {
        let err = caller(r#"{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":7}}}"#)
            .unwrap_err();
        assert_eq!(err.field, "userIdentity.sessionContext.sessionIssuer.arn");
        let err = caller(r#"{"type":"AssumedRole","sessionContext":[]}"#).unwrap_err();
        assert_eq!(err.field, "userIdentity.sessionContext");
        let err = caller(r#"{"type":5}"#).unwrap_err();
        assert_eq!(err.field, "userIdentity.type");
        let c = caller(
            r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionCredentialFromConsole":"true"}}"#,
        )
        .unwrap();
        assert_eq!(c.from_console, Some(true));
    }
}
