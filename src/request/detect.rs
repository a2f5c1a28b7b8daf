//! Tells a body's format from its keys and the model it is sent to.
//!
//! Distinctive keys decide first (`taskType`, `text_prompts`, `inputText`, `texts`,
//! `message`, `anthropic_version`, `schemaVersion`, `max_tokens_to_sample`, `max_gen_len`,
//! `maxTokens`); a Converse-shaped `messages` (content blocks without `type`) is Converse
//! (or Nova's own body for Nova models); otherwise the model's provider decides between the
//! formats that share keys (`prompt`, `messages`). A body for another provider is then
//! rejected by [`super::BodyFormat::fits`].

use serde_json::Value;

use super::json::{err, object};
use super::{BodyError, BodyFormat};
use crate::catalog::{Model, ModelKind};

/// The format of `body` as sent to `model`.
pub fn detect(body: &Value, model: &Model) -> Result<BodyFormat, BodyError> {
    use BodyFormat::*;
    let map = object(body, "")?;
    let has = |k: &str| map.get(k).is_some_and(|v| !v.is_null());
    let p = model.provider.as_str();
    if has("modelInput") {
        return Err(err(
            "",
            "this is a batch-inference record (recordId, modelInput): give the file with --batch",
        ));
    }
    if has("taskType")
        || map
            .keys()
            .any(|k| k.ends_with("Params") && k != "additionalModelRequestFields")
    {
        return Ok(TitanImage);
    }
    if has("text_prompts") || (p == "stability" && has("prompt")) {
        return Ok(Stability);
    }
    if has("inputText") || has("inputImage") {
        let embedding = matches!(
            model.kind,
            ModelKind::Embedding | ModelKind::MultimodalEmbedding
        );
        return Ok(
            if !has("textGenerationConfig")
                && (embedding
                    || has("inputImage")
                    || has("dimensions")
                    || has("normalize")
                    || has("embeddingConfig"))
            {
                TitanEmbed
            } else {
                TitanText
            },
        );
    }
    if has("texts") || (has("images") && has("input_type")) {
        return Ok(CohereEmbed);
    }
    if map.get("message").is_some_and(Value::is_string) || has("chat_history") {
        return Ok(CohereCommandR);
    }
    if has("messages") {
        if has("anthropic_version") {
            return Ok(AnthropicMessages);
        }
        let nova = p == "amazon" && model.id.contains("nova");
        if has("schemaVersion") || (nova && converse_shaped(body)) {
            return Ok(NovaMessages);
        }
        if converse_shaped(body) {
            return Ok(Converse);
        }
        return Ok(match p {
            "anthropic" => AnthropicMessages,
            "mistral" => MistralChat,
            "ai21" => Ai21Jamba,
            "amazon" if nova => NovaMessages,
            _ => OpenAiChat,
        });
    }
    if has("prompt") {
        if has("max_tokens_to_sample") {
            return Ok(AnthropicText);
        }
        if has("max_gen_len") {
            return Ok(Llama);
        }
        if has("maxTokens") {
            return Ok(Ai21J2);
        }
        return Ok(match p {
            "anthropic" => AnthropicText,
            "meta" => Llama,
            "mistral" => MistralPrompt,
            "cohere" => CohereCommand,
            "ai21" => Ai21J2,
            "deepseek" => DeepSeek,
            _ if model.id == "amazon.custom-model-import" => Llama,
            _ => {
                return Err(err(
                    "",
                    format!("a `prompt` body is not a format {} accepts", model.id),
                ));
            }
        });
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
    Err(err(
        "",
        format!(
            "cannot tell the body format from its keys [{}] (expected messages, prompt, inputText, texts, message, textToImageParams or text_prompts; or give --body-format)",
            keys.join(", ")
        ),
    ))
}

/// Converse-shaped: `inferenceConfig` / `toolConfig`, a system of `{text}` blocks, or message
/// content blocks keyed by kind (`{"text": …}`) instead of `{"type": …}`.
fn converse_shaped(body: &Value) -> bool {
    let no_type = |v: &Value| v.as_object().is_some_and(|o| !o.contains_key("type"));
    if body.get("inferenceConfig").is_some() || body.get("toolConfig").is_some() {
        return true;
    }
    if let Some(Value::Array(sys)) = body.get("system")
        && sys.first().is_some_and(no_type)
    {
        return true;
    }
    body.get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("content").and_then(Value::as_array))
        .flatten()
        .next()
        .is_some_and(no_type)
}
