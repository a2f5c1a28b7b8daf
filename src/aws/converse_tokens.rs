//! A Converse request's JSON → the SDK's typed `ConverseTokensRequest` for CountTokens.
//!
//! CountTokens takes the Converse input as typed structures, not as JSON, so the JSON a
//! user wrote is converted block by block: `messages` (text, image and document bytes,
//! text documents, toolUse, toolResult, reasoningContent, guardContent text, cachePoint),
//! `system` (text, guardContent text, cachePoint), `toolConfig` (toolSpec with its JSON
//! schema, cachePoint, toolChoice) and `additionalModelRequestFields`. Anything else —
//! video, audio, S3 sources, search results, a content block of an unknown kind — is
//! refused with the JSON path of the block: a count of a *different* request would be
//! exact about the wrong thing. Inference parameters (`inferenceConfig`) add no input tokens
//! and are not sent.

use std::collections::HashMap;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, AutoToolChoice, CachePointBlock, CachePointType, CacheTtl, ContentBlock,
    ConversationRole, ConverseTokensRequest, DocumentBlock, DocumentContentBlock, DocumentFormat,
    DocumentSource, GuardrailConverseContentBlock, GuardrailConverseTextBlock, ImageBlock,
    ImageFormat, ImageSource, Message, ReasoningContentBlock, ReasoningTextBlock,
    SpecificToolChoice, SystemContentBlock, Tool, ToolChoice, ToolConfiguration, ToolInputSchema,
    ToolResultBlock, ToolResultContentBlock, ToolResultStatus, ToolSpecification, ToolUseBlock,
};
use aws_smithy_types::{Document, Number};
use base64::Engine as _;
use serde_json::{Map, Value};

use super::error::AwsError;

type Obj = Map<String, Value>;

fn bad(path: &str, reason: impl std::fmt::Display) -> AwsError {
    AwsError::Invalid(format!(
        "Converse request {path}: {reason} (CountTokens needs a body it can convert faithfully)"
    ))
}

fn obj<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, AwsError> {
    v.as_object().ok_or_else(|| bad(path, "expected an object"))
}

fn arr<'a>(m: &'a Obj, key: &str, path: &str) -> Result<Option<&'a Vec<Value>>, AwsError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(bad(&format!("{path}.{key}"), "expected an array")),
    }
}

fn string<'a>(m: &'a Obj, key: &str, path: &str) -> Result<&'a str, AwsError> {
    m.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, format!("missing string `{key}`")))
}

/// The only key of a one-key block (Converse content blocks are unions).
fn only_key<'a>(m: &'a Obj, path: &str) -> Result<(&'a str, &'a Value), AwsError> {
    let mut it = m.iter();
    match (it.next(), it.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        _ => Err(bad(path, "expected a block with exactly one key")),
    }
}

/// JSON → the SDK's document type.
pub fn document(v: &Value) -> Document {
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(document).collect()),
        Value::Object(o) => Document::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), document(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>, path: &str) -> Result<T, AwsError> {
    r.map_err(|e| bad(path, e))
}

fn base64_bytes(s: &str, path: &str) -> Result<Blob, AwsError> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map(Blob::new)
        .map_err(|e| bad(path, format!("bytes are not base64: {e}")))
}

fn cache_point(v: &Value, path: &str) -> Result<CachePointBlock, AwsError> {
    let m = obj(v, path)?;
    let mut b = CachePointBlock::builder().r#type(CachePointType::Default);
    if let Some(t) = m.get("type").and_then(Value::as_str)
        && t != "default"
    {
        return Err(bad(path, format!("unknown cachePoint type `{t}`")));
    }
    match m.get("ttl").and_then(Value::as_str) {
        None => {}
        Some("5m") => b = b.ttl(CacheTtl::FiveMinutes),
        Some("1h") => b = b.ttl(CacheTtl::OneHour),
        Some(other) => return Err(bad(path, format!("unknown cachePoint ttl `{other}`"))),
    }
    built(b.build(), path)
}

fn image(v: &Value, path: &str) -> Result<ImageBlock, AwsError> {
    let m = obj(v, path)?;
    let format = string(m, "format", path)?;
    let format = ImageFormat::try_parse(format)
        .map_err(|_| bad(path, format!("unknown image format `{format}`")))?;
    let source = obj(
        m.get("source")
            .ok_or_else(|| bad(path, "missing `source`"))?,
        path,
    )?;
    let sp = format!("{path}.source");
    let (kind, value) = only_key(source, &sp)?;
    let source = match kind {
        "bytes" => ImageSource::Bytes(base64_bytes(
            value
                .as_str()
                .ok_or_else(|| bad(&sp, "bytes: expected a string"))?,
            &sp,
        )?),
        other => return Err(bad(&sp, format!("image source `{other}` is not supported"))),
    };
    built(
        ImageBlock::builder().format(format).source(source).build(),
        path,
    )
}

fn document_block(v: &Value, path: &str) -> Result<DocumentBlock, AwsError> {
    let m = obj(v, path)?;
    let mut b = DocumentBlock::builder().name(string(m, "name", path)?);
    if let Some(f) = m.get("format").and_then(Value::as_str) {
        b = b.format(
            DocumentFormat::try_parse(f)
                .map_err(|_| bad(path, format!("unknown document format `{f}`")))?,
        );
    }
    if let Some(c) = m.get("context").and_then(Value::as_str) {
        b = b.context(c);
    }
    let source = obj(
        m.get("source")
            .ok_or_else(|| bad(path, "missing `source`"))?,
        path,
    )?;
    let sp = format!("{path}.source");
    let (kind, value) = only_key(source, &sp)?;
    let source = match kind {
        "bytes" => DocumentSource::Bytes(base64_bytes(
            value
                .as_str()
                .ok_or_else(|| bad(&sp, "bytes: expected a string"))?,
            &sp,
        )?),
        "text" => DocumentSource::Text(
            value
                .as_str()
                .ok_or_else(|| bad(&sp, "text: expected a string"))?
                .to_string(),
        ),
        "content" => {
            let items = value
                .as_array()
                .ok_or_else(|| bad(&sp, "content: expected an array"))?;
            let mut blocks = Vec::new();
            for (i, it) in items.iter().enumerate() {
                let ip = format!("{sp}.content[{i}]");
                let t = string(obj(it, &ip)?, "text", &ip)?;
                blocks.push(DocumentContentBlock::Text(t.to_string()));
            }
            DocumentSource::Content(blocks)
        }
        other => {
            return Err(bad(
                &sp,
                format!("document source `{other}` is not supported"),
            ));
        }
    };
    built(b.source(source).build(), path)
}

fn guard_text(v: &Value, path: &str) -> Result<GuardrailConverseContentBlock, AwsError> {
    let m = obj(v, path)?;
    let text = m
        .get("text")
        .ok_or_else(|| bad(path, "only text guardContent is supported"))?;
    let t = string(obj(text, path)?, "text", path)?;
    Ok(GuardrailConverseContentBlock::Text(built(
        GuardrailConverseTextBlock::builder().text(t).build(),
        path,
    )?))
}

fn tool_result(v: &Value, path: &str) -> Result<ToolResultBlock, AwsError> {
    let m = obj(v, path)?;
    let mut b = ToolResultBlock::builder().tool_use_id(string(m, "toolUseId", path)?);
    if let Some(s) = m.get("status").and_then(Value::as_str) {
        b = b.status(
            ToolResultStatus::try_parse(s)
                .map_err(|_| bad(path, format!("unknown status `{s}`")))?,
        );
    }
    for (i, c) in arr(m, "content", path)?.into_iter().flatten().enumerate() {
        let cp = format!("{path}.content[{i}]");
        let (kind, value) = only_key(obj(c, &cp)?, &cp)?;
        b = b.content(match kind {
            "text" => ToolResultContentBlock::Text(
                value
                    .as_str()
                    .ok_or_else(|| bad(&cp, "text: expected a string"))?
                    .to_string(),
            ),
            "json" => ToolResultContentBlock::Json(document(value)),
            "image" => ToolResultContentBlock::Image(image(value, &format!("{cp}.image"))?),
            "document" => {
                ToolResultContentBlock::Document(document_block(value, &format!("{cp}.document"))?)
            }
            other => return Err(bad(&cp, format!("tool result `{other}` is not supported"))),
        });
    }
    built(b.build(), path)
}

fn content_block(v: &Value, path: &str) -> Result<ContentBlock, AwsError> {
    let (kind, value) = only_key(obj(v, path)?, path)?;
    let kp = format!("{path}.{kind}");
    Ok(match kind {
        "text" => ContentBlock::Text(
            value
                .as_str()
                .ok_or_else(|| bad(&kp, "expected a string"))?
                .to_string(),
        ),
        "image" => ContentBlock::Image(image(value, &kp)?),
        "document" => ContentBlock::Document(document_block(value, &kp)?),
        "cachePoint" => ContentBlock::CachePoint(cache_point(value, &kp)?),
        "guardContent" => ContentBlock::GuardContent(guard_text(value, &kp)?),
        "toolResult" => ContentBlock::ToolResult(tool_result(value, &kp)?),
        "toolUse" => {
            let m = obj(value, &kp)?;
            ContentBlock::ToolUse(built(
                ToolUseBlock::builder()
                    .tool_use_id(string(m, "toolUseId", &kp)?)
                    .name(string(m, "name", &kp)?)
                    .input(document(m.get("input").unwrap_or(&Value::Null)))
                    .build(),
                &kp,
            )?)
        }
        "reasoningContent" => {
            let m = obj(value, &kp)?;
            let rt = m
                .get("reasoningText")
                .ok_or_else(|| bad(&kp, "only reasoningText is supported"))?;
            let rp = format!("{kp}.reasoningText");
            let rm = obj(rt, &rp)?;
            let mut b = ReasoningTextBlock::builder().text(string(rm, "text", &rp)?);
            if let Some(s) = rm.get("signature").and_then(Value::as_str) {
                b = b.signature(s);
            }
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(built(
                b.build(),
                &rp,
            )?))
        }
        other => {
            return Err(bad(
                path,
                format!("content block `{other}` is not supported"),
            ));
        }
    })
}

fn tool_config(v: &Value, path: &str) -> Result<ToolConfiguration, AwsError> {
    let m = obj(v, path)?;
    let mut b = ToolConfiguration::builder();
    for (i, t) in arr(m, "tools", path)?.into_iter().flatten().enumerate() {
        let tp = format!("{path}.tools[{i}]");
        let (kind, value) = only_key(obj(t, &tp)?, &tp)?;
        b = b.tools(match kind {
            "cachePoint" => Tool::CachePoint(cache_point(value, &tp)?),
            "toolSpec" => {
                let sp = format!("{tp}.toolSpec");
                let s = obj(value, &sp)?;
                let mut spec = ToolSpecification::builder().name(string(s, "name", &sp)?);
                if let Some(d) = s.get("description").and_then(Value::as_str) {
                    spec = spec.description(d);
                }
                if let Some(strict) = s.get("strict").and_then(Value::as_bool) {
                    spec = spec.strict(strict);
                }
                let schema = s
                    .get("inputSchema")
                    .and_then(Value::as_object)
                    .and_then(|o| o.get("json"))
                    .ok_or_else(|| bad(&sp, "missing `inputSchema.json`"))?;
                spec = spec.input_schema(ToolInputSchema::Json(document(schema)));
                Tool::ToolSpec(built(spec.build(), &sp)?)
            }
            other => return Err(bad(&tp, format!("tool `{other}` is not supported"))),
        });
    }
    if let Some(choice) = m.get("toolChoice") {
        let cp = format!("{path}.toolChoice");
        let (kind, value) = only_key(obj(choice, &cp)?, &cp)?;
        b = b.tool_choice(match kind {
            "auto" => ToolChoice::Auto(AutoToolChoice::builder().build()),
            "any" => ToolChoice::Any(AnyToolChoice::builder().build()),
            "tool" => ToolChoice::Tool(built(
                SpecificToolChoice::builder()
                    .name(string(obj(value, &cp)?, "name", &cp)?)
                    .build(),
                &cp,
            )?),
            other => return Err(bad(&cp, format!("unknown toolChoice `{other}`"))),
        });
    }
    built(b.build(), path)
}

/// The typed CountTokens Converse input of a Converse request's JSON.
pub fn request(json: &Value) -> Result<ConverseTokensRequest, AwsError> {
    let m = obj(json, "(body)")?;
    let mut b = ConverseTokensRequest::builder();
    let messages =
        arr(m, "messages", "(body)")?.ok_or_else(|| bad("(body)", "missing `messages`"))?;
    for (i, msg) in messages.iter().enumerate() {
        let mp = format!("messages[{i}]");
        let mo = obj(msg, &mp)?;
        let role = match string(mo, "role", &mp)? {
            "user" => ConversationRole::User,
            "assistant" => ConversationRole::Assistant,
            other => return Err(bad(&mp, format!("unknown role `{other}`"))),
        };
        let mut mb = Message::builder().role(role);
        let content = arr(mo, "content", &mp)?.ok_or_else(|| bad(&mp, "missing `content`"))?;
        for (j, c) in content.iter().enumerate() {
            mb = mb.content(content_block(c, &format!("{mp}.content[{j}]"))?);
        }
        b = b.messages(built(mb.build(), &mp)?);
    }
    for (i, s) in arr(m, "system", "(body)")?
        .into_iter()
        .flatten()
        .enumerate()
    {
        let sp = format!("system[{i}]");
        let (kind, value) = only_key(obj(s, &sp)?, &sp)?;
        b = b.system(match kind {
            "text" => SystemContentBlock::Text(
                value
                    .as_str()
                    .ok_or_else(|| bad(&sp, "text: expected a string"))?
                    .to_string(),
            ),
            "cachePoint" => SystemContentBlock::CachePoint(cache_point(value, &sp)?),
            "guardContent" => SystemContentBlock::GuardContent(guard_text(value, &sp)?),
            other => return Err(bad(&sp, format!("system block `{other}` is not supported"))),
        });
    }
    if let Some(tc) = m.get("toolConfig").filter(|v| !v.is_null()) {
        b = b.tool_config(tool_config(tc, "toolConfig")?);
    }
    if let Some(extra) = m
        .get("additionalModelRequestFields")
        .filter(|v| !v.is_null())
    {
        b = b.additional_model_request_fields(document(extra));
    }
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_system_tools_and_cache_points_convert() {
        let r = request(&json!({
            "system": [{"text": "Be brief."}, {"cachePoint": {"type": "default"}}],
            "messages": [
                {"role": "user", "content": [{"text": "Hi"}, {"document": {"name": "n", "format": "txt", "source": {"text": "doc"}}}]},
                {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}}}]},
                {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"ok": true}}]}}]}
            ],
            "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}], "toolChoice": {"auto": {}}},
            "inferenceConfig": {"maxTokens": 10}
        }))
        .unwrap();
        assert_eq!(r.messages().len(), 3);
        assert_eq!(r.system().len(), 2);
        assert!(matches!(r.system()[1], SystemContentBlock::CachePoint(_)));
        assert_eq!(r.tool_config().unwrap().tools().len(), 1);
        assert!(matches!(
            r.messages()[0].content()[1],
            ContentBlock::Document(_)
        ));
    }

    #[test]
    fn what_cannot_be_converted_is_refused_with_its_path() {
        let e = request(
            &json!({"messages": [{"role": "user", "content": [{"text": "a"}, {"video": {}}]}]}),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("messages[0].content[1]"), "{e}");
        assert!(e.contains("`video` is not supported"), "{e}");
        let e = request(&json!({"messages": [{"role": "user", "content": [{"image": {"format": "png", "source": {"s3Location": {"uri": "s3://b/k"}}}}]}]}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("s3Location"), "{e}");
        assert!(request(&json!({"messages": "x"})).is_err());
        assert!(
            request(&json!({}))
                .unwrap_err()
                .to_string()
                .contains("missing `messages`")
        );
    }

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(document(&json!(3)), Document::Number(Number::PosInt(3)));
        assert_eq!(document(&json!(-3)), Document::Number(Number::NegInt(-3)));
        assert_eq!(document(&json!(0.5)), Document::Number(Number::Float(0.5)));
    }
}
