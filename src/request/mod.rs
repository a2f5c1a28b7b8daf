//! Bedrock request bodies: every format `InvokeModel` accepts, the Converse API request and
//! batch-inference JSONL records, parsed into one internal form, [`Request`].
//!
//! Users rarely know their token counts; they have request bodies. Each provider has its own
//! body shape (Anthropic Messages, Titan `inputText`, Llama `prompt` + `max_gen_len`, …), one
//! small file per provider here. [`detect`] tells the format from the body's keys and the
//! model, or `--body-format` forces it. Counting and pricing happen in
//! [`crate::estimate::requests`]; this module only knows what a body *says*: the texts the
//! model reads, the images it sees, the cache markers, the output-token bound and, for image
//! models, how many images of what size are asked for.
//!
//! Chat-template overheads per tokenizer family (the tokens a model's template adds around
//! each message) are constants with their sources in [`template`].

pub mod ai21;
pub mod amazon;
pub mod anthropic;
pub mod batch;
pub mod cohere;
pub mod converse;
pub mod detect;
pub mod image;
pub mod images;
pub mod json;
pub mod meta;
pub mod mistral;
pub mod openai;
pub mod template;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::catalog::{Model, Quality, Resolution};

pub use detect::detect;

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `user`, `assistant`, `system`, `tool`… as the body says.
    pub role: String,
    pub parts: Vec<Part>,
}

/// A piece of a message the model reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text, tool calls and tool results (as their JSON text), text documents.
    Text(String),
    /// An input image; its tokens depend on the model family (see [`template::image_tokens`]).
    Image(ImageRef),
}

/// An input image. Width and height come from the image header (PNG, JPEG, GIF, WebP);
/// `None` when the body gives only a URL or an unknown format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef {
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// What an image-generation body asks for: billed per image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageGeneration {
    pub count: u64,
    pub width: u32,
    pub height: u32,
    pub quality: Quality,
}

impl ImageGeneration {
    pub fn resolution(&self) -> Resolution {
        Resolution {
            width: self.width,
            height: self.height,
        }
    }
}

/// The internal form of any Bedrock request body.
///
/// Items are kept in the order a model reads them — tools, system, documents, messages —
/// which is also the order prompt caching works in: the cache prefix is everything up to
/// and including the item carrying the last cache marker (`cache_prefix_items`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// A raw prompt whose chat template (if any) the caller already wrote
    /// (`prompt`, `inputText`…); no template overhead is added to it.
    pub prompt: Option<String>,
    pub system: Vec<String>,
    pub messages: Vec<Message>,
    /// The JSON text of each tool definition, counted as text.
    pub tools: Vec<String>,
    /// Grounding documents given beside the messages (Cohere `documents`).
    pub documents: Vec<String>,
    /// Texts to embed (embedding models): no template, no output.
    pub embed_texts: Vec<String>,
    /// Images sent to a multimodal embedding model (billed per image).
    pub embed_images: u64,
    /// The request's output bound (`max_tokens`, `max_gen_len`, `maxTokenCount`…).
    pub max_output_tokens: Option<u64>,
    /// Items (tools, then system blocks, then documents, then message parts) up to and
    /// including the last cache marker (`cache_control`, `cachePoint`).
    pub cache_prefix_items: Option<usize>,
    /// Image generation: count, size and quality.
    pub image_generation: Option<ImageGeneration>,
    /// Parts of the body that are not counted, and why (e.g. a base64 PDF).
    pub notes: Vec<String>,
}

impl Request {
    /// A plain-text prompt sent as one user message.
    pub fn user_text(text: impl Into<String>) -> Request {
        Request {
            messages: vec![Message {
                role: "user".into(),
                parts: vec![Part::Text(text.into())],
            }],
            ..Request::default()
        }
    }

    /// Items read so far in cache order.
    pub fn item_count(&self) -> usize {
        self.tools.len()
            + self.system.len()
            + self.documents.len()
            + self.messages.iter().map(|m| m.parts.len()).sum::<usize>()
    }

    /// Marks everything read so far as the cache prefix.
    pub fn mark_cache(&mut self) {
        self.cache_prefix_items = Some(self.item_count());
    }

    /// Every input image of the messages.
    pub fn input_images(&self) -> impl Iterator<Item = &ImageRef> {
        self.messages.iter().flat_map(|m| {
            m.parts.iter().filter_map(|p| match p {
                Part::Image(i) => Some(i),
                Part::Text(_) => None,
            })
        })
    }
}

/// Where in a body it went wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct BodyError {
    /// JSON path, e.g. `messages[0].content[1]` (empty: the body as a whole).
    pub path: String,
    pub reason: String,
}

impl BodyError {
    /// The same error under an outer path (`modelInput`).
    pub fn under(self, outer: &str) -> BodyError {
        BodyError {
            path: if self.path.is_empty() {
                outer.to_string()
            } else {
                json::join(outer, &self.path)
            },
            reason: self.reason,
        }
    }
}

macro_rules! formats {
    ($($variant:ident => $name:literal, $label:literal;)+) => {
        /// A request-body format.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum BodyFormat { $($variant),+ }

        impl BodyFormat {
            pub const ALL: &'static [BodyFormat] = &[$(BodyFormat::$variant),+];
            /// The `--body-format` spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(BodyFormat::$variant => $name),+ }
            }
            /// Human name, for messages.
            pub fn label(self) -> &'static str {
                match self { $(BodyFormat::$variant => $label),+ }
            }
        }
    };
}

formats! {
    AnthropicMessages => "anthropic-messages", "Anthropic Messages";
    AnthropicText => "anthropic-text", "Anthropic text completion (prompt, max_tokens_to_sample)";
    TitanText => "titan-text", "Amazon Titan text (inputText, textGenerationConfig)";
    TitanEmbed => "titan-embed", "Amazon Titan embeddings (inputText / inputImage)";
    NovaMessages => "nova-messages", "Amazon Nova messages-v1";
    Converse => "converse", "Converse API request";
    Llama => "llama", "Meta Llama (prompt, max_gen_len)";
    MistralPrompt => "mistral-prompt", "Mistral text completion (prompt, max_tokens)";
    MistralChat => "mistral-chat", "Mistral chat (messages)";
    CohereCommand => "cohere-command", "Cohere Command (prompt)";
    CohereCommandR => "cohere-command-r", "Cohere Command R (message, chat_history, documents)";
    CohereEmbed => "cohere-embed", "Cohere Embed (texts, images)";
    Ai21J2 => "ai21-j2", "AI21 Jurassic-2 (prompt, maxTokens)";
    Ai21Jamba => "ai21-jamba", "AI21 Jamba (messages)";
    DeepSeek => "deepseek", "DeepSeek (prompt, max_tokens)";
    OpenAiChat => "openai-chat", "OpenAI chat completions (messages)";
    TitanImage => "titan-image", "Amazon Titan Image / Nova Canvas (taskType)";
    Stability => "stability", "Stability AI (text_prompts or prompt)";
}

impl fmt::Display for BodyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BodyFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        BodyFormat::ALL
            .iter()
            .copied()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown body format `{s}` (expected one of: {})",
                    BodyFormat::ALL
                        .iter()
                        .map(|f| f.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl BodyFormat {
    /// Whether `model` accepts bodies of this format (Converse works for every text model).
    pub fn fits(self, model: &Model) -> bool {
        use crate::catalog::ModelKind::*;
        use BodyFormat::*;
        let p = model.provider.as_str();
        let id = model.id.as_str();
        match self {
            AnthropicMessages | AnthropicText => p == "anthropic",
            TitanText => p == "amazon" && id.contains("titan-text"),
            TitanEmbed => p == "amazon" && matches!(model.kind, Embedding | MultimodalEmbedding),
            NovaMessages => p == "amazon" && id.contains("nova") && model.kind == Text,
            Converse => model.kind == Text,
            Llama => p == "meta" || id == "amazon.custom-model-import",
            MistralPrompt | MistralChat => p == "mistral",
            CohereCommand | CohereCommandR => p == "cohere" && model.kind == Text,
            CohereEmbed => p == "cohere" && matches!(model.kind, Embedding | MultimodalEmbedding),
            Ai21J2 | Ai21Jamba => p == "ai21",
            DeepSeek => p == "deepseek",
            OpenAiChat => matches!(p, "openai" | "deepseek"),
            TitanImage => p == "amazon" && model.kind == Image,
            Stability => p == "stability",
        }
    }

    /// The output bound Bedrock applies when the body gives none, where documented
    /// (Bedrock model-parameters pages); `None`: the model's own limit (see
    /// [`crate::estimate::requests`]).
    pub fn default_max_output(self) -> Option<u64> {
        use BodyFormat::*;
        match self {
            TitanText => Some(512),
            Llama => Some(512),
            MistralPrompt | MistralChat => Some(512),
            CohereCommand => Some(20),
            Ai21J2 => Some(16),
            Ai21Jamba => Some(4096),
            _ => None,
        }
    }
}

/// Parses a body of a known format.
pub fn parse_as(format: BodyFormat, body: &Value) -> Result<Request, BodyError> {
    use BodyFormat::*;
    let map = json::object(body, "")?;
    match format {
        AnthropicMessages => anthropic::messages(map),
        AnthropicText => anthropic::text_completion(map),
        TitanText => amazon::titan_text(map),
        TitanEmbed => amazon::titan_embed(map),
        NovaMessages | Converse => converse::parse(map),
        Llama => meta::llama(map),
        MistralPrompt => mistral::prompt(map),
        MistralChat => openai::chat(map, "max_tokens"),
        CohereCommand => cohere::command(map),
        CohereCommandR => cohere::command_r(map),
        CohereEmbed => cohere::embed(map),
        Ai21J2 => ai21::j2(map),
        Ai21Jamba => openai::chat(map, "max_tokens"),
        DeepSeek => openai::deepseek(map),
        OpenAiChat => openai::chat(map, "max_completion_tokens"),
        TitanImage => image::titan(map),
        Stability => image::stability(map),
    }
}

/// Detects (or takes the forced) format, checks that `model` accepts it, and parses.
pub fn parse_for(
    body: &Value,
    model: &Model,
    forced: Option<BodyFormat>,
) -> Result<(BodyFormat, Request), BodyError> {
    let format = match forced {
        Some(f) => f,
        None => detect(body, model)?,
    };
    if !format.fits(model) {
        return Err(json::err(
            "",
            format!(
                "the body is in {} format, which {} does not accept",
                format.label(),
                model.id
            ),
        ));
    }
    Ok((format, parse_as(format, body)?))
}
