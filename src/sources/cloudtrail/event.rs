//! One CloudTrail record → one [`CallRecord`].
//!
//! A record is read into [`RawEvent`], which keeps only the fields a call record needs and
//! accepts any JSON type in each (see [`super::lenient`]); [`RawEvent::into_call`] then checks
//! the types and names the first field that was wrong. Records of another `eventSource`
//! than `bedrock.amazonaws.com` are [`Parsed::Skipped`], not errors: trails log every service.
//!
//! Fields read: `eventTime`, `eventSource`, `eventName`, `awsRegion`, `userIdentity`,
//! `requestParameters` (the model ID, and a short compact copy for control-plane calls),
//! `errorCode`, `errorMessage`, `sourceIPAddress`, `userAgent`,
//! `additionalEventData.inferenceRegion`, `requestID`, `eventID`, `readOnly`,
//! `sessionCredentialFromConsole`.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::identity::Identity;
use super::lenient::{Compact, Fields, Obj, Scalar, Transcode};
use crate::records::{CallRecord, ClientKind, Principal};

/// The `eventSource` of Bedrock's records.
pub const BEDROCK_SOURCE: &str = "bedrock.amazonaws.com";

/// The most `requestParameters` text kept in [`CallRecord::parameters`], in bytes.
pub const PARAMETERS_LIMIT: usize = 300;

/// What was wrong with a record: the field (a dotted path, empty for the record itself)
/// and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", if field.is_empty() { String::new() } else { format!("field `{field}`: ") })]
pub struct EventError {
    pub field: String,
    pub problem: String,
}

impl EventError {
    pub fn new(field: &str, problem: impl Into<String>) -> EventError {
        EventError {
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    pub fn wrong_type(field: &str, expected: &str, found: &str) -> EventError {
        EventError::new(field, format!("expected {expected}, found {found}"))
    }
}

/// A record read: a Bedrock call, or a record of another service.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Call(Box<CallRecord>),
    /// Another service's record, by its `eventSource`.
    Skipped(String),
}

/// Parses one record given as JSON text (a LookupEvents `CloudTrailEvent`, a line).
pub fn parse_event(json: &str) -> Result<Parsed, EventError> {
    match serde_json::from_str::<Obj<RawEvent>>(json) {
        Ok(Obj::Map(raw)) => raw.into_call(),
        Ok(other) => Err(not_an_object(&other)),
        Err(e) => Err(EventError::new("", format!("not JSON: {e}"))),
    }
}

/// The error for a record that is not a JSON object.
pub fn not_an_object<T>(found: &Obj<T>) -> EventError {
    let kind = match found {
        Obj::Absent => "nothing",
        Obj::Null => "null",
        Obj::Wrong(kind) => kind,
        Obj::Map(_) => "an object",
    };
    EventError::new("", format!("expected a record (an object), found {kind}"))
}

/// The fields of a record this parser reads.
#[derive(Debug, Default)]
pub struct RawEvent<'de> {
    event_time: Scalar<'de>,
    event_source: Scalar<'de>,
    event_name: Scalar<'de>,
    aws_region: Scalar<'de>,
    source_ip: Scalar<'de>,
    user_agent: Scalar<'de>,
    error_code: Scalar<'de>,
    error_message: Scalar<'de>,
    request_id: Scalar<'de>,
    event_id: Scalar<'de>,
    read_only: Scalar<'de>,
    from_console: Scalar<'de>,
    user_identity: Obj<Identity<'de>>,
    request_parameters: Params<'de>,
    additional: Obj<Additional<'de>>,
}

impl<'de> Fields<'de> for RawEvent<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "eventTime" => 1,
            "eventSource" => 2,
            "eventName" => 3,
            "awsRegion" => 4,
            "sourceIPAddress" => 5,
            "userAgent" => 6,
            "errorCode" => 7,
            "errorMessage" => 8,
            "requestID" => 9,
            "eventID" => 10,
            "readOnly" => 11,
            "sessionCredentialFromConsole" => 12,
            "userIdentity" => 13,
            "requestParameters" => 14,
            "additionalEventData" => 15,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.event_time = map.next_value()?,
            2 => self.event_source = map.next_value()?,
            3 => self.event_name = map.next_value()?,
            4 => self.aws_region = map.next_value()?,
            5 => self.source_ip = map.next_value()?,
            6 => self.user_agent = map.next_value()?,
            7 => self.error_code = map.next_value()?,
            8 => self.error_message = map.next_value()?,
            9 => self.request_id = map.next_value()?,
            10 => self.event_id = map.next_value()?,
            11 => self.read_only = map.next_value()?,
            12 => self.from_console = map.next_value()?,
            13 => self.user_identity = map.next_value()?,
            14 => self.request_parameters = map.next_value()?,
            _ => self.additional = map.next_value()?,
        }
        Ok(())
    }
}

/// `additionalEventData`.
#[derive(Debug, Default)]
struct Additional<'de> {
    inference_region: Scalar<'de>,
}

impl<'de> Fields<'de> for Additional<'de> {
    fn key(name: &str) -> u8 {
        u8::from(name == "inferenceRegion")
    }
    fn field<A: MapAccess<'de>>(&mut self, _: u8, map: &mut A) -> Result<(), A::Error> {
        self.inference_region = map.next_value()?;
        Ok(())
    }
}

/// The keys of `requestParameters` that name the model, in the order they are preferred.
const MODEL_KEYS: [&str; 5] = [
    "modelId",
    "modelIdentifier",
    "modelArn",
    "baseModelIdentifier",
    "foundationModel",
];

/// `requestParameters`: the model keys, and the whole object as compact JSON (cut).
#[derive(Debug, Default)]
struct Params<'de> {
    /// Whether it was an object (`Obj::Map(())`), null, absent or another type.
    shape: Obj<()>,
    models: [Scalar<'de>; 5],
    compact: Option<String>,
}

impl<'de> de::Deserialize<'de> for Params<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = Params<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut params = Params {
            shape: Obj::Map(()),
            ..Params::default()
        };
        let mut out = Compact::new(PARAMETERS_LIMIT);
        let mut first = true;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if first && key == "$serde_json::private::Number" {
                map.next_value::<de::IgnoredAny>()?;
                params.shape = Obj::Wrong("a number");
                return Ok(params);
            }
            out.push(if first { "{" } else { "," });
            first = false;
            out.push_string(&key);
            out.push(":");
            match MODEL_KEYS.iter().position(|k| *k == key) {
                Some(i) => {
                    let value: Scalar<'de> = map.next_value()?;
                    match &value {
                        Scalar::Str(s) => out.push_string(s),
                        Scalar::Bool(b) => out.push(if *b { "true" } else { "false" }),
                        _ => out.push("null"),
                    }
                    params.models[i] = value;
                }
                None => map.next_value_seed(Transcode(&mut out, ""))?,
            }
        }
        out.push(if first { "{}" } else { "}" });
        params.compact = Some(out.finish());
        Ok(params)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Params {
            shape: Obj::Null,
            ..Params::default()
        })
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Params {
            shape: Obj::Null,
            ..Params::default()
        })
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(wrong("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(wrong("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(wrong("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(wrong("a number"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(wrong("an array"))
    }
}

fn wrong<'de>(kind: &'static str) -> Params<'de> {
    Params {
        shape: Obj::Wrong(kind),
        ..Params::default()
    }
}

/// Parses `eventTime`: RFC 3339 with any number of fractional digits up to 9 and a `Z` or an
/// offset, or `YYYY-MM-DD HH:MM:SS[.fffffffff]` without a zone, which is UTC.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    match s.parse::<DateTime>() {
        Ok(dt) => dt
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| format!("{s:?} is out of range: {e}")),
        Err(_) => Err(format!(
            "{s:?} is not a time (expected 2024-10-17T20:09:52Z or 2025-03-26 16:43:57)"
        )),
    }
}

/// How the caller reached the API. In order: the console (its user agents, or a session
/// credential from the console), an AWS service (the identity type or `invokedBy`), the CLI,
/// an SDK; anything else is `Other`.
pub fn client_kind(
    user_agent: Option<&str>,
    from_console: bool,
    service_identity: bool,
    invoked_by: bool,
) -> ClientKind {
    let ua = user_agent.unwrap_or("");
    if from_console || ua.contains("console.amazonaws.com") || ua.contains("AWS Internal") {
        return ClientKind::Console;
    }
    if service_identity || invoked_by {
        return ClientKind::AwsService;
    }
    let lower = ua.to_ascii_lowercase();
    if lower.contains("aws-cli/") {
        return ClientKind::Cli;
    }
    const SDK_MARKS: [&str; 6] = [
        "boto3/",
        "botocore/",
        "aws-sdk-",
        "apn/",
        "aws-chalice/",
        "aws-amplify/",
    ];
    if SDK_MARKS.iter().any(|m| lower.contains(m)) {
        return ClientKind::Sdk;
    }
    ClientKind::Other
}

impl RawEvent<'_> {
    /// The `eventID`, if it is readable text (for naming a bad record).
    pub fn event_id_hint(&self) -> Option<String> {
        self.event_id.text("").ok().flatten().map(str::to_string)
    }

    /// Checks the fields and builds the call record (or says the record is another
    /// service's). The error names the first field that was wrong or missing.
    pub fn into_call(self) -> Result<Parsed, EventError> {
        let source = self.event_source.required("eventSource")?;
        if source != BEDROCK_SOURCE {
            return Ok(Parsed::Skipped(source.to_string()));
        }
        let time_text = self.event_time.required("eventTime")?;
        let time = parse_time(time_text).map_err(|e| EventError::new("eventTime", e))?;
        let event_name = self.event_name.required("eventName")?.to_string();
        let region = self.aws_region.required("awsRegion")?.to_string();
        let event_id = self.event_id.required("eventID")?.to_string();

        let (principal, invoked_by, identity_console) =
            match self.user_identity.get("userIdentity")? {
                Some(identity) => {
                    let c = identity.caller()?;
                    (c.principal, c.invoked_by, c.from_console)
                }
                None => (Principal::unknown(), None, None),
            };
        let from_console = self.from_console.flag("sessionCredentialFromConsole")?;
        let user_agent = self.user_agent.string("userAgent")?;

        self.request_parameters.shape.get("requestParameters")?;
        let mut model_id = None;
        for (value, key) in self.request_parameters.models.iter().zip(MODEL_KEYS) {
            let field = format!("requestParameters.{key}");
            if let Some(m) = value.text(&field)?
                && model_id.is_none()
            {
                model_id = Some(m.to_string());
            }
        }
        let inference_region = match self.additional.get("additionalEventData")? {
            Some(a) => a
                .inference_region
                .string("additionalEventData.inferenceRegion")?,
            None => None,
        };

        let client = client_kind(
            user_agent.as_deref(),
            from_console == Some(true) || identity_console == Some(true),
            principal.kind == crate::records::PrincipalType::AwsService,
            invoked_by.is_some(),
        );
        let mut call = CallRecord {
            time,
            region,
            event_name,
            model_id,
            principal,
            source_ip: self.source_ip.string("sourceIPAddress")?,
            user_agent,
            client,
            error_code: self.error_code.string("errorCode")?,
            error_message: self.error_message.string("errorMessage")?,
            inference_region,
            request_id: self.request_id.string("requestID")?,
            event_id,
            read_only: self.read_only.flag("readOnly")?,
            parameters: None,
        };
        if !call.is_invocation() {
            call.parameters = self.request_parameters.compact;
        }
        Ok(Parsed::Call(Box::new(call)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOKE: &str = r#"{
        "eventVersion":"1.10","eventTime":"2024-10-17T20:11:24Z","eventSource":"bedrock.amazonaws.com",
        "eventName":"InvokeModel","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9 ",
        "userAgent":"Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux",
        "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/app/worker-1",
          "accountId":"1","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/app"}}},
        "requestParameters":{"modelId":"us.anthropic.claude-3-5-haiku-20241022-v1:0 "},
        "responseElements":null,"additionalEventData":{"inferenceRegion":"us-west-2"},
        "requestID":"r-1","eventID":"e-1","readOnly":true,"managementEvent":true}"#;

    fn call(json: &str) -> CallRecord {
        match parse_event(json).unwrap() {
            Parsed::Call(c) => *c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_invocation_becomes_a_call_record() {
        let c = call(INVOKE);
        assert_eq!(c.time, "2024-10-17T20:11:24Z".parse::<Timestamp>().unwrap());
        assert_eq!(c.event_name, "InvokeModel");
        assert_eq!(c.region, "us-east-1");
        assert_eq!(
            c.model_id.as_deref(),
            Some("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        );
        assert_eq!(c.principal.key, "arn:aws:sts::1:assumed-role/app/worker-1");
        assert_eq!(c.principal.session.as_deref(), Some("worker-1"));
        assert_eq!(c.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(c.client, ClientKind::Sdk);
        assert_eq!(c.inference_region.as_deref(), Some("us-west-2"));
        assert!(c.rerouted());
        assert_eq!(c.request_id.as_deref(), Some("r-1"));
        assert_eq!(c.event_id, "e-1");
        assert_eq!(c.read_only, Some(true));
        assert_eq!(c.parameters, None, "invocations keep no parameters");
        assert!(!c.failed());
    }

    #[test]
    fn times_in_the_three_published_forms() {
        let utc = |s: &str| parse_time(s).unwrap().to_string();
        assert_eq!(utc("2024-10-17T20:09:52Z"), "2024-10-17T20:09:52Z");
        assert_eq!(utc("2024-10-17T20:09:49.0000000Z"), "2024-10-17T20:09:49Z");
        assert_eq!(utc("2025-03-26 16:43:57.000000000"), "2025-03-26T16:43:57Z");
        assert_eq!(utc("2025-03-26 16:43:57.5"), "2025-03-26T16:43:57.5Z");
        assert_eq!(utc("2021-11-18T09:41:02-08:00"), "2021-11-18T17:41:02Z");
        assert!(parse_time("yesterday").unwrap_err().contains("yesterday"));
        assert!(parse_time("2024-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn control_plane_calls_keep_their_parameters_and_other_model_keys() {
        let c = call(
            r#"{"eventTime":"2025-03-26 17:22:33.000000000","eventSource":"bedrock.amazonaws.com",
                "eventName":"CreateModelCustomizationJob","awsRegion":"us-west-2","eventID":"x",
                "readOnly":"false",
                "requestParameters":{"jobName":"j\u0007","baseModelIdentifier":"amazon.titan-text-express-v1",
                  "hyperParameters":{"epochCount":"2"},"n":[1,2.5]}}"#,
        );
        assert_eq!(c.model_id.as_deref(), Some("amazon.titan-text-express-v1"));
        assert_eq!(c.read_only, Some(false));
        assert_eq!(
            c.parameters.as_deref(),
            Some(
                r#"{"jobName":"j\u0007","baseModelIdentifier":"amazon.titan-text-express-v1","hyperParameters":{"epochCount":"2"},"n":[1,2.5]}"#
            )
        );
        assert_eq!(c.principal, Principal::unknown());
        assert_eq!(c.client, ClientKind::Other);

        let long = format!(
            r#"{{"eventTime":"2025-03-26T17:22:33Z","eventSource":"bedrock.amazonaws.com","eventName":"PutModelInvocationLoggingConfiguration","awsRegion":"us-west-2","eventID":"y","requestParameters":{{"loggingConfig":"{}"}}}}"#,
            "ü".repeat(500)
        );
        let p = call(&long).parameters.unwrap();
        assert!(
            p.len() <= PARAMETERS_LIMIT && p.ends_with('…'),
            "{}",
            p.len()
        );
    }

    #[test]
    fn model_key_preference_follows_the_list() {
        let c = call(
            r#"{"eventTime":"2025-03-26T17:22:33Z","eventSource":"bedrock.amazonaws.com","eventName":"GetFoundationModel","awsRegion":"r","eventID":"z",
                "requestParameters":{"modelArn":"arn:b","modelIdentifier":"a"}}"#,
        );
        assert_eq!(c.model_id.as_deref(), Some("a"));
    }

    #[test]
    fn other_services_are_skipped_even_when_oddly_shaped() {
        let p = parse_event(r#"{"eventSource":"s3.amazonaws.com","eventTime":5}"#).unwrap();
        assert_eq!(p, Parsed::Skipped("s3.amazonaws.com".into()));
    }

    #[test]
    fn wrong_types_and_missing_fields_name_the_field() {
        let cases = [
            (
                INVOKE.replace(r#""2024-10-17T20:11:24Z""#, "5"),
                "eventTime",
            ),
            (
                INVOKE.replace(r#""2024-10-17T20:11:24Z""#, r#""noon""#),
                "eventTime",
            ),
            (
                INVOKE.replace(r#""eventID":"e-1""#, r#""eventID":"""#),
                "eventID",
            ),
            (
                INVOKE.replace(r#""eventName":"InvokeModel","#, ""),
                "eventName",
            ),
            (
                INVOKE.replace(r#""readOnly":true"#, r#""readOnly":"yes""#),
                "readOnly",
            ),
            (
                INVOKE.replace(r#""readOnly":true"#, r#""readOnly":[true]"#),
                "readOnly",
            ),
            (
                INVOKE.replace(
                    r#""sourceIPAddress":"203.0.113.9 ""#,
                    r#""sourceIPAddress":{}"#,
                ),
                "sourceIPAddress",
            ),
            (
                INVOKE.replace(
                    r#""modelId":"us.anthropic.claude-3-5-haiku-20241022-v1:0 ""#,
                    r#""modelId":1"#,
                ),
                "requestParameters.modelId",
            ),
            (
                INVOKE.replace(r#"{"inferenceRegion":"us-west-2"}"#, r#""us-west-2""#),
                "additionalEventData",
            ),
            (
                INVOKE.replace(
                    r#""eventSource":"bedrock.amazonaws.com""#,
                    r#""eventSource":false"#,
                ),
                "eventSource",
            ),
        ];
        for (json, field) in cases {
            let err = parse_event(&json).unwrap_err();
            assert_eq!(err.field, field, "{err}");
            assert!(err.to_string().contains(field), "{err}");
        }
        let bad_identity = INVOKE.replace(
            r#""userIdentity":{"type":"AssumedRole""#,
            r#""userIdentity":"x","u":{"type":"AssumedRole""#,
        );
        let err = parse_event(&bad_identity).unwrap_err();
        assert_eq!(err.field, "userIdentity");
        assert!(err.problem.contains("a string"), "{err}");
        let err = parse_event(r#"{"requestParameters":1,"eventSource":"bedrock.amazonaws.com"}"#)
            .unwrap_err();
        assert_eq!(err.field, "eventTime");
        assert_eq!(parse_event("[1]").unwrap_err().field, "");
        assert!(
            parse_event("{")
                .unwrap_err()
                .problem
                .starts_with("not JSON")
        );
    }

    #[test]
    fn clients_by_user_agent_and_identity() {
        let k = |ua, console, svc, inv| client_kind(Some(ua), console, svc, inv);
        assert_eq!(k("AWS Internal", false, false, false), ClientKind::Console);
        assert_eq!(
            k(
                "aws-cli/2.17.0 Python/3.11 botocore/2.4",
                false,
                false,
                false
            ),
            ClientKind::Cli
        );
        assert_eq!(
            k("aws-sdk-java/2.20 Linux", false, false, false),
            ClientKind::Sdk
        );
        assert_eq!(
            k("APN/1.0 HashiCorp/1.0 Terraform/1.9", false, false, false),
            ClientKind::Sdk
        );
        assert_eq!(
            k("Boto3/1.35 Python", true, false, false),
            ClientKind::Console
        );
        assert_eq!(
            k("bedrock.amazonaws.com", false, true, false),
            ClientKind::AwsService
        );
        assert_eq!(k("Boto3/1.35", false, false, true), ClientKind::AwsService);
        assert_eq!(k("curl/8.0", false, false, false), ClientKind::Other);
        assert_eq!(client_kind(None, false, false, false), ClientKind::Other);
    }
}
