//! The few paths read inside request and response bodies; everything else in a body is
//! skipped unread (`IgnoredAny`), so a large prompt or completion costs parsing time only.
//!
//! - Request (`input.inputBodyJson`) of image models: Titan Image Generator and Nova Canvas
//!   `imageGenerationConfig.{numberOfImages, width, height, quality}`; Stability `count`.
//! - Response (`output.outputBodyJson`), an object (InvokeModel, Converse, ConverseStream) or
//!   a list of stream chunks (InvokeModelWithResponseStream). In any object, or any chunk:
//!   `usage` (Anthropic `input_tokens`, `output_tokens`, `cache_read_input_tokens`,
//!   `cache_creation_input_tokens`, `cache_creation.ephemeral_{5m,1h}_input_tokens`; Converse
//!   `inputTokens`, `outputTokens`, `cacheReadInputTokens`, `cacheWriteInputTokens`),
//!   `message.usage` (the Anthropic `message_start` chunk), `amazon-bedrock-invocationMetrics`
//!   (the last chunk of a stream), and stream error chunks (`throttlingException`, …).
//!   A later chunk's count replaces an earlier one (Anthropic's `message_delta` carries the
//!   final cumulative `output_tokens`).

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::count::Count;
use crate::sources::cloudtrail::lenient::{Fields, Obj, Scalar, read_fields};

/// `input.inputBodyJson`: the image request fields.
#[derive(Debug, Default)]
pub struct InputBody<'de> {
    pub image_config: Obj<ImageConfig<'de>>,
    /// Stability's `count`.
    pub count: Count,
}

impl<'de> Fields<'de> for InputBody<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "imageGenerationConfig" => 1,
            "count" => 2,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.image_config = map.next_value()?,
            _ => self.count = map.next_value()?,
        }
        Ok(())
    }
}

/// `imageGenerationConfig` (Titan Image Generator, Nova Canvas).
#[derive(Debug, Default)]
pub struct ImageConfig<'de> {
    pub number_of_images: Count,
    pub width: Count,
    pub height: Count,
    pub quality: Scalar<'de>,
}

impl<'de> Fields<'de> for ImageConfig<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "numberOfImages" => 1,
            "width" => 2,
            "height" => 3,
            "quality" => 4,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.number_of_images = map.next_value()?,
            2 => self.width = map.next_value()?,
            3 => self.height = map.next_value()?,
            _ => self.quality = map.next_value()?,
        }
        Ok(())
    }
}

/// Token counts found in a response body (`usage` or `message.usage`).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Usage {
    pub input: Count,
    pub output: Count,
    pub cache_read: Count,
    pub cache_write: Count,
    /// Anthropic `cache_creation.ephemeral_5m_input_tokens`.
    pub write_5m: Count,
    /// Anthropic `cache_creation.ephemeral_1h_input_tokens`.
    pub write_1h: Count,
    /// Whether `cache_creation` was there but not an object.
    pub split_wrong: Option<&'static str>,
}

impl Usage {
    fn take_later(&mut self, later: &Usage) {
        self.input.take_later(later.input);
        self.output.take_later(later.output);
        self.cache_read.take_later(later.cache_read);
        self.cache_write.take_later(later.cache_write);
        self.write_5m.take_later(later.write_5m);
        self.write_1h.take_later(later.write_1h);
        if later.split_wrong.is_some() {
            self.split_wrong = later.split_wrong;
        }
    }
}

impl<'de> Fields<'de> for Usage {
    fn key(name: &str) -> u8 {
        match name {
            "input_tokens" | "inputTokens" => 1,
            "output_tokens" | "outputTokens" => 2,
            "cache_read_input_tokens" | "cacheReadInputTokens" => 3,
            "cache_creation_input_tokens" | "cacheWriteInputTokens" => 4,
            "cache_creation" => 5,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.input = map.next_value()?,
            2 => self.output = map.next_value()?,
            3 => self.cache_read = map.next_value()?,
            4 => self.cache_write = map.next_value()?,
            _ => match map.next_value::<Obj<CacheCreation>>()? {
                Obj::Map(c) => {
                    self.write_5m = c.write_5m;
                    self.write_1h = c.write_1h;
                }
                Obj::Wrong(kind) => self.split_wrong = Some(kind),
                Obj::Absent | Obj::Null => {}
            },
        }
        Ok(())
    }
}

/// Anthropic `usage.cache_creation`.
#[derive(Debug, Default)]
struct CacheCreation {
    write_5m: Count,
    write_1h: Count,
}

impl<'de> Fields<'de> for CacheCreation {
    fn key(name: &str) -> u8 {
        match name {
            "ephemeral_5m_input_tokens" => 1,
            "ephemeral_1h_input_tokens" => 2,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.write_5m = map.next_value()?,
            _ => self.write_1h = map.next_value()?,
        }
        Ok(())
    }
}

/// `amazon-bedrock-invocationMetrics`, the last chunk of a stream.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub input: Count,
    pub output: Count,
    pub cache_read: Count,
    pub cache_write: Count,
}

impl<'de> Fields<'de> for Metrics {
    fn key(name: &str) -> u8 {
        match name {
            "inputTokenCount" => 1,
            "outputTokenCount" => 2,
            "cacheReadInputTokenCount" => 3,
            "cacheWriteInputTokenCount" => 4,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.input = map.next_value()?,
            2 => self.output = map.next_value()?,
            3 => self.cache_read = map.next_value()?,
            _ => self.cache_write = map.next_value()?,
        }
        Ok(())
    }
}

/// The error names a stream can end with, as chunk keys, and the error code each means.
const STREAM_ERRORS: [(&str, &str); 7] = [
    ("internalServerException", "InternalServerException"),
    ("modelStreamErrorException", "ModelStreamErrorException"),
    ("validationException", "ValidationException"),
    ("throttlingException", "ThrottlingException"),
    ("modelTimeoutException", "ModelTimeoutException"),
    ("serviceUnavailableException", "ServiceUnavailableException"),
    ("accessDeniedException", "AccessDeniedException"),
];

/// One object of a response body (the body itself, or one stream chunk).
#[derive(Debug, Default)]
struct Chunk {
    usage: Usage,
    usage_wrong: Option<&'static str>,
    metrics: Obj<Metrics>,
    error: Option<&'static str>,
}

impl<'de> Fields<'de> for Chunk {
    fn key(name: &str) -> u8 {
        match name {
            "usage" => 1,
            "message" => 2,
            "amazon-bedrock-invocationMetrics" => 3,
            other => STREAM_ERRORS
                .iter()
                .position(|(k, _)| *k == other)
                .map_or(0, |i| 10 + i as u8),
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => match map.next_value::<Obj<Usage>>()? {
                Obj::Map(u) => self.usage = u,
                Obj::Wrong(kind) => self.usage_wrong = Some(kind),
                _ => {}
            },
            2 => {
                if let Obj::Map(m) = map.next_value::<Obj<Message>>()? {
                    match m.usage {
                        Obj::Map(u) => self.usage.take_later(&u),
                        Obj::Wrong(kind) => self.usage_wrong = Some(kind),
                        _ => {}
                    }
                }
            }
            3 => self.metrics = map.next_value()?,
            n => {
                map.next_value::<IgnoredAny>()?;
                self.error = Some(STREAM_ERRORS[usize::from(n - 10)].1);
            }
        }
        Ok(())
    }
}

/// Anthropic's `message_start` chunk: `{"type": "message_start", "message": {"usage": …}}`.
#[derive(Debug, Default)]
struct Message {
    usage: Obj<Usage>,
}

impl<'de> Fields<'de> for Message {
    fn key(name: &str) -> u8 {
        u8::from(name == "usage")
    }
    fn field<A: MapAccess<'de>>(&mut self, _: u8, map: &mut A) -> Result<(), A::Error> {
        self.usage = map.next_value()?;
        Ok(())
    }
}

/// What a response body (`output.outputBodyJson`) told, all chunks merged.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OutputBody {
    /// Absent, null, an object (`Map(())`), a list (also `Map(())`), or another type.
    pub shape: Obj<()>,
    /// Whether the body was a list of stream chunks.
    pub streamed: bool,
    pub usage: Usage,
    /// `usage` (or `message.usage`) was there but not an object.
    pub usage_wrong: Option<&'static str>,
    pub metrics: Metrics,
    /// `amazon-bedrock-invocationMetrics` was there but not an object.
    pub metrics_wrong: Option<&'static str>,
    /// The error code of a stream error chunk.
    pub error: Option<&'static str>,
}

impl OutputBody {
    fn merge(&mut self, chunk: Chunk) {
        self.usage.take_later(&chunk.usage);
        if chunk.usage_wrong.is_some() {
            self.usage_wrong = chunk.usage_wrong;
        }
        match chunk.metrics {
            Obj::Map(m) => {
                self.metrics.input.take_later(m.input);
                self.metrics.output.take_later(m.output);
                self.metrics.cache_read.take_later(m.cache_read);
                self.metrics.cache_write.take_later(m.cache_write);
            }
            Obj::Wrong(kind) => self.metrics_wrong = Some(kind),
            Obj::Absent | Obj::Null => {}
        }
        if self.error.is_none() {
            self.error = chunk.error;
        }
    }
}

impl<'de> de::Deserialize<'de> for OutputBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OutputVisitor)
    }
}

struct OutputVisitor;

fn wrong(kind: &'static str) -> OutputBody {
    OutputBody {
        shape: Obj::Wrong(kind),
        ..OutputBody::default()
    }
}

impl<'de> Visitor<'de> for OutputVisitor {
    type Value = OutputBody;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OutputBody, A::Error> {
        let mut chunk = Chunk::default();
        read_fields(&mut chunk, &mut map)?;
        let mut body = OutputBody {
            shape: Obj::Map(()),
            ..OutputBody::default()
        };
        body.merge(chunk);
        Ok(body)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OutputBody, A::Error> {
        let mut body = OutputBody {
            shape: Obj::Map(()),
            streamed: true,
            ..OutputBody::default()
        };
        // Chunks that are not objects carry nothing read here.
        while let Some(chunk) = seq.next_element::<Obj<Chunk>>()? {
            if let Obj::Map(chunk) = chunk {
                body.merge(chunk);
            }
        }
        Ok(body)
    }
    fn visit_unit<E: de::Error>(self) -> Result<OutputBody, E> {
        Ok(OutputBody {
            shape: Obj::Null,
            ..OutputBody::default()
        })
    }
    fn visit_none<E: de::Error>(self) -> Result<OutputBody, E> {
        self.visit_unit()
    }
    // A body that is text (a non-JSON model response logged as a string) holds no counts.
    fn visit_str<E>(self, _: &str) -> Result<OutputBody, E> {
        Ok(wrong("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<OutputBody, E> {
        Ok(wrong("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<OutputBody, E> {
        Ok(wrong("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<OutputBody, E> {
        Ok(wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<OutputBody, E> {
        Ok(wrong("a number"))
    }
}
