//! One model-invocation log record (`schemaType: "ModelInvocationLog"`) → one
//! [`InvocationRecord`].
//!
//! Bedrock writes one JSON object per request. Fields read (key order does not matter:
//! records since 2026 put `identity` and `schemaType` last): `schemaType`, `timestamp`,
//! `accountId`, `identity.arn`, `region`, `requestId`, `operation`, `modelId`,
//! `inferenceRegion`, `requestMetadata`, `errorCode`, and in `input` / `output` the counts
//! `inputTokenCount`, `cacheReadInputTokenCount`, `cacheWriteInputTokenCount`,
//! `outputTokenCount`, the S3 pointers `inputBodyS3Path` / `outputBodyS3Path`, and a few
//! paths of the bodies ([`super::body`]).
//!
//! **Counts.** The envelope's counts come first. `inputTokenCount` excludes cached tokens.
//! Older records have no cache fields: then they come from the response body (Anthropic
//! `usage.cache_*`, Converse `usage.cache*InputTokens`, a stream's
//! `amazon-bedrock-invocationMetrics`). The 1-hour cache writes are visible **only** in
//! Anthropic's `usage.cache_creation.ephemeral_1h_input_tokens`: when that split is there,
//! the write total is split by it (5 minutes = total − 1 hour), whatever gave the total.
//! With text delivery off, or bodies moved to S3 ([`InvocationRecord::bodies_in_s3`]), only
//! the envelope's counts remain.
//!
//! A record with a wrong type in a field that is read gives an [`EventError`] naming the
//! field (`input.inputTokenCount: expected a count, found a string`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::body::{InputBody, OutputBody};
use super::count::Count;
use crate::records::Principal;
use crate::sources::cloudtrail::lenient::{Compact, Fields, Obj, Scalar, Transcode};
use crate::sources::cloudtrail::{EventError, parse_time};

/// The `schemaType` of the records this parser reads.
pub const SCHEMA_TYPE: &str = "ModelInvocationLog";

/// The most text kept of a non-string `requestMetadata` value (stringified JSON).
pub const TAG_VALUE_LIMIT: usize = 256;

/// The images an image-model request asked for (successful calls generate them).
///
/// Kept for a later pricing step: image prices depend on size and quality
/// (Titan Image Generator: 512×512 vs 1024×1024, standard vs premium).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// `imageGenerationConfig.numberOfImages`, Stability's `count`; 1 when not given.
    pub count: u64,
    /// `"WIDTHxHEIGHT"` (`"1024x1024"`), when the request gave both.
    pub size: Option<String>,
    /// `imageGenerationConfig.quality` as given (`"standard"`, `"premium"`).
    pub quality: Option<String>,
}

/// One request, as the invocation log recorded it. Strings are untrusted AWS text.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationRecord {
    pub time: Timestamp,
    pub account: Option<String>,
    /// The Region called.
    pub region: String,
    pub principal: Principal,
    /// `InvokeModel`, `Converse`, `ConverseStream`, `InvokeModelWithResponseStream`, …
    pub operation: Option<String>,
    /// As given, trimmed: a bare model ID, an inference-profile ID, a system-profile ARN or
    /// an application-inference-profile ARN.
    pub model_id: String,
    pub request_id: Option<String>,
    /// Input tokens billed at the input rate (cached tokens excluded).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    /// Cache writes with the 5-minute TTL (all writes, when the split is unknown).
    pub cache_write_5m_tokens: u64,
    /// Cache writes with the 1-hour TTL (only Anthropic response bodies show them).
    pub cache_write_1h_tokens: u64,
    /// For image models (Titan Image Generator, Nova Canvas, Stability).
    pub images: Option<Images>,
    /// The Region that served the request, when a cross-Region profile rerouted it.
    pub inference_region: Option<String>,
    /// `requestMetadata`: string values as given, other values as compact JSON.
    pub tags: BTreeMap<String, String>,
    /// `errorCode`, or the error a response stream ended with. `None`: the call succeeded.
    pub error_code: Option<String>,
    /// The bodies were moved to S3 (`inputBodyS3Path` / `outputBodyS3Path`): the counts are
    /// the envelope's only.
    pub bodies_in_s3: bool,
    /// The response body was a list of stream chunks.
    pub streamed: bool,
}

impl InvocationRecord {
    /// All cache writes, 5-minute and 1-hour.
    pub fn cache_write_tokens(&self) -> u64 {
        self.cache_write_5m_tokens + self.cache_write_1h_tokens
    }
}

/// A record read: an invocation, or a record of another `schemaType` (skipped).
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Record(Box<InvocationRecord>),
    /// Another `schemaType` (or none), as found.
    Skipped(String),
}

/// Parses one record given as JSON text.
pub fn parse_log(json: &str) -> Result<Parsed, EventError> {
    match serde_json::from_str::<Obj<RawLog>>(json) {
        Ok(Obj::Map(raw)) => raw.into_record(),
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

/// Whether a model ID names an image-generation model (its requests carry image counts).
pub fn is_image_model(model_id: &str) -> bool {
    let m = model_id.to_ascii_lowercase();
    [
        "titan-image",
        "nova-canvas",
        "stability.",
        "stable-diffusion",
        "sd3",
    ]
    .iter()
    .any(|k| m.contains(k))
}

/// The fields of a record this parser reads.
#[derive(Debug, Default)]
pub struct RawLog<'de> {
    schema_type: Scalar<'de>,
    timestamp: Scalar<'de>,
    account_id: Scalar<'de>,
    identity: Obj<Identity<'de>>,
    region: Scalar<'de>,
    request_id: Scalar<'de>,
    operation: Scalar<'de>,
    model_id: Scalar<'de>,
    inference_region: Scalar<'de>,
    error_code: Scalar<'de>,
    metadata: Metadata,
    input: Obj<Input<'de>>,
    output: Obj<Output<'de>>,
}

impl<'de> Fields<'de> for RawLog<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "schemaType" => 1,
            "timestamp" => 2,
            "accountId" => 3,
            "identity" => 4,
            "region" => 5,
            "requestId" => 6,
            "operation" => 7,
            "modelId" => 8,
            "inferenceRegion" => 9,
            "errorCode" => 10,
            "requestMetadata" => 11,
            "input" => 12,
            "output" => 13,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.schema_type = map.next_value()?,
            2 => self.timestamp = map.next_value()?,
            3 => self.account_id = map.next_value()?,
            4 => self.identity = map.next_value()?,
            5 => self.region = map.next_value()?,
            6 => self.request_id = map.next_value()?,
            7 => self.operation = map.next_value()?,
            8 => self.model_id = map.next_value()?,
            9 => self.inference_region = map.next_value()?,
            10 => self.error_code = map.next_value()?,
            11 => self.metadata = map.next_value()?,
            12 => self.input = map.next_value()?,
            _ => self.output = map.next_value()?,
        }
        Ok(())
    }
}

/// `identity`.
#[derive(Debug, Default)]
struct Identity<'de> {
    arn: Scalar<'de>,
}

impl<'de> Fields<'de> for Identity<'de> {
    fn key(name: &str) -> u8 {
        u8::from(name == "arn")
    }
    fn field<A: MapAccess<'de>>(&mut self, _: u8, map: &mut A) -> Result<(), A::Error> {
        self.arn = map.next_value()?;
        Ok(())
    }
}

/// `input`.
#[derive(Debug, Default)]
struct Input<'de> {
    tokens: Count,
    cache_read: Count,
    cache_write: Count,
    body: Obj<InputBody<'de>>,
    s3_path: Scalar<'de>,
}

impl<'de> Fields<'de> for Input<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "inputTokenCount" => 1,
            "cacheReadInputTokenCount" => 2,
            "cacheWriteInputTokenCount" => 3,
            "inputBodyJson" => 4,
            "inputBodyS3Path" => 5,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.tokens = map.next_value()?,
            2 => self.cache_read = map.next_value()?,
            3 => self.cache_write = map.next_value()?,
            4 => self.body = map.next_value()?,
            _ => self.s3_path = map.next_value()?,
        }
        Ok(())
    }
}

/// `output`.
#[derive(Debug, Default)]
struct Output<'de> {
    tokens: Count,
    body: OutputBody,
    s3_path: Scalar<'de>,
}

impl<'de> Fields<'de> for Output<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "outputTokenCount" => 1,
            "outputBodyJson" => 2,
            "outputBodyS3Path" => 3,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.tokens = map.next_value()?,
            2 => self.body = map.next_value()?,
            _ => self.s3_path = map.next_value()?,
        }
        Ok(())
    }
}

/// `requestMetadata`: key → value; values that are not strings are kept as compact JSON.
#[derive(Debug, Default)]
struct Metadata {
    shape: Obj<()>,
    tags: BTreeMap<String, String>,
}

impl<'de> de::Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MetadataVisitor)
    }
}

struct MetadataVisitor;

fn metadata_wrong(kind: &'static str) -> Metadata {
    Metadata {
        shape: Obj::Wrong(kind),
        tags: BTreeMap::new(),
    }
}

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = Metadata;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metadata, A::Error> {
        let mut tags = BTreeMap::new();
        let mut first = true;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if first && key == "$serde_json::private::Number" {
                map.next_value::<de::IgnoredAny>()?;
                return Ok(metadata_wrong("a number"));
            }
            first = false;
            let mut text = Compact::new(TAG_VALUE_LIMIT);
            map.next_value_seed(Transcode(&mut text, ""))?;
            let json = text.finish();
            // A string value is kept unquoted and unescaped.
            let value = match serde_json::from_str::<String>(&json) {
                Ok(s) => s,
                Err(_) => json,
            };
            tags.insert(key.into_owned(), value);
        }
        Ok(Metadata {
            shape: Obj::Map(()),
            tags,
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Metadata, E> {
        Ok(Metadata {
            shape: Obj::Null,
            tags: BTreeMap::new(),
        })
    }
    fn visit_none<E: de::Error>(self) -> Result<Metadata, E> {
        self.visit_unit()
    }
    fn visit_str<E>(self, _: &str) -> Result<Metadata, E> {
        Ok(metadata_wrong("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Metadata, E> {
        Ok(metadata_wrong("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Metadata, E> {
        Ok(metadata_wrong("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Metadata, E> {
        Ok(metadata_wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Metadata, E> {
        Ok(metadata_wrong("a number"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Metadata, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(metadata_wrong("an array"))
    }
}

/// The first of `counts` that is present, checked (`field` names it in an error).
fn first_count(counts: &[(Count, &str)]) -> Result<Option<u64>, EventError> {
    for (count, field) in counts {
        if count.present() {
            return count.get(field);
        }
    }
    Ok(None)
}

const BODY: &str = "output.outputBodyJson";

impl RawLog<'_> {
    /// The `requestId`, if it is readable text (for naming a bad record).
    pub fn request_id_hint(&self) -> Option<String> {
        self.request_id.text("").ok().flatten().map(str::to_string)
    }

    /// Checks the fields and builds the record (or says it is of another `schemaType`).
    /// The error names the first field that was wrong or missing.
    pub fn into_record(self) -> Result<Parsed, EventError> {
        match self.schema_type.text("schemaType")? {
            Some(SCHEMA_TYPE) => {}
            Some(other) => return Ok(Parsed::Skipped(other.to_string())),
            None => return Ok(Parsed::Skipped("no schemaType".to_string())),
        }
        let time_text = self.timestamp.required("timestamp")?;
        let time = parse_time(time_text).map_err(|e| EventError::new("timestamp", e))?;
        let region = self.region.required("region")?.to_string();
        let model_id = self.model_id.required("modelId")?.to_string();
        let principal = match self.identity.get("identity")? {
            Some(identity) => match identity.arn.text("identity.arn")? {
                Some(arn) => Principal::from_arn(arn),
                None => Principal::unknown(),
            },
            None => Principal::unknown(),
        };
        self.metadata.shape.get("requestMetadata")?;

        let empty_input = Input::default();
        let input = self.input.get("input")?.unwrap_or(&empty_input);
        let empty_output = Output::default();
        let output = self.output.get("output")?.unwrap_or(&empty_output);
        let body = &output.body;
        match &body.shape {
            Obj::Wrong("a string") | Obj::Absent | Obj::Null | Obj::Map(()) => {}
            Obj::Wrong(kind) => {
                return Err(EventError::wrong_type(BODY, "an object or a list", kind));
            }
        }
        if let Some(kind) = body.usage_wrong {
            return Err(EventError::wrong_type(
                "output.outputBodyJson.usage",
                "an object",
                kind,
            ));
        }
        if let Some(kind) = body.metrics_wrong {
            return Err(EventError::wrong_type(
                "output.outputBodyJson.amazon-bedrock-invocationMetrics",
                "an object",
                kind,
            ));
        }
        if let Some(kind) = body.usage.split_wrong {
            return Err(EventError::wrong_type(
                "output.outputBodyJson.usage.cache_creation",
                "an object",
                kind,
            ));
        }
        let (u, m) = (&body.usage, &body.metrics);
        let input_tokens = first_count(&[
            (input.tokens, "input.inputTokenCount"),
            (
                m.input,
                "output.outputBodyJson.amazon-bedrock-invocationMetrics.inputTokenCount",
            ),
            (u.input, "output.outputBodyJson.usage.input_tokens"),
        ])?;
        let output_tokens = first_count(&[
            (output.tokens, "output.outputTokenCount"),
            (
                m.output,
                "output.outputBodyJson.amazon-bedrock-invocationMetrics.outputTokenCount",
            ),
            (u.output, "output.outputBodyJson.usage.output_tokens"),
        ])?;
        let cache_read = first_count(&[
            (input.cache_read, "input.cacheReadInputTokenCount"),
            (
                u.cache_read,
                "output.outputBodyJson.usage.cache_read_input_tokens",
            ),
            (
                m.cache_read,
                "output.outputBodyJson.amazon-bedrock-invocationMetrics.cacheReadInputTokenCount",
            ),
        ])?;
        let write_total = first_count(&[
            (input.cache_write, "input.cacheWriteInputTokenCount"),
            (
                u.cache_write,
                "output.outputBodyJson.usage.cache_creation_input_tokens",
            ),
            (
                m.cache_write,
                "output.outputBodyJson.amazon-bedrock-invocationMetrics.cacheWriteInputTokenCount",
            ),
        ])?;
        let write_5m = u
            .write_5m
            .get("output.outputBodyJson.usage.cache_creation.ephemeral_5m_input_tokens")?;
        let write_1h = u
            .write_1h
            .get("output.outputBodyJson.usage.cache_creation.ephemeral_1h_input_tokens")?;
        let split_total = match (write_5m, write_1h) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        let total = write_total.or(split_total).unwrap_or(0);
        // The split decides the 1-hour part; the total (envelope first) stays the total.
        let write_1h = write_1h.unwrap_or(0).min(total);

        let bodies_in_s3 = input.s3_path.text("input.inputBodyS3Path")?.is_some()
            | output.s3_path.text("output.outputBodyS3Path")?.is_some();
        let images = if is_image_model(&model_id) {
            Some(images(input)?)
        } else {
            None
        };
        let error_code = match self.error_code.string("errorCode")? {
            Some(code) => Some(code),
            None => body.error.map(str::to_string),
        };
        Ok(Parsed::Record(Box::new(InvocationRecord {
            time,
            account: self.account_id.string("accountId")?,
            region,
            principal,
            operation: self.operation.string("operation")?,
            model_id,
            request_id: self.request_id.string("requestId")?,
            input_tokens: input_tokens.unwrap_or(0),
            output_tokens: output_tokens.unwrap_or(0),
            cache_read_tokens: cache_read.unwrap_or(0),
            cache_write_5m_tokens: total - write_1h,
            cache_write_1h_tokens: write_1h,
            images,
            inference_region: self.inference_region.string("inferenceRegion")?,
            tags: self.metadata.tags,
            error_code,
            bodies_in_s3,
            streamed: body.streamed,
        })))
    }
}

/// The images an image-model request asked for.
fn images(input: &Input<'_>) -> Result<Images, EventError> {
    const CONFIG: &str = "input.inputBodyJson.imageGenerationConfig";
    let mut out = Images {
        count: 1,
        size: None,
        quality: None,
    };
    let Some(body) = input.body.get("input.inputBodyJson")? else {
        return Ok(out);
    };
    if let Some(n) = body.count.get("input.inputBodyJson.count")? {
        out.count = n;
    }
    if let Some(config) = body.image_config.get(CONFIG)? {
        if let Some(n) = config
            .number_of_images
            .get("input.inputBodyJson.imageGenerationConfig.numberOfImages")?
        {
            out.count = n;
        }
        let width = config
            .width
            .get("input.inputBodyJson.imageGenerationConfig.width")?;
        let height = config
            .height
            .get("input.inputBodyJson.imageGenerationConfig.height")?;
        if let (Some(w), Some(h)) = (width, height) {
            out.size = Some(format!("{w}x{h}"));
        }
        out.quality = config
            .quality
            .string("input.inputBodyJson.imageGenerationConfig.quality")?;
    }
    Ok(out)
}
