//! Anthropic Claude bodies: the Messages API (`anthropic_version`, `system`, `messages` of
//! content blocks, `tools`, `max_tokens`, `cache_control`) and legacy text completions
//! (`prompt` with `\n\nHuman:` / `\n\nAssistant:` turns, `max_tokens_to_sample`).
//!
//! Content blocks: `text`, `image` (base64 source: the size is read from the image header),
//! `document` (text sources are counted; PDFs are noted, not counted), `tool_use` (name and
//! JSON input counted as text), `tool_result` (its content), `thinking`. A
//! `cache_control` on a block, system block or tool ends the cache prefix *after* it.

use serde_json::{Map, Value};

use super::json::{self, err, field, index, join, object, opt_array, opt_str, opt_u64, req_str};
use super::{BodyError, Message, Part, Request, images};

/// A Messages API body.
pub fn messages(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request {
        max_output_tokens: opt_u64(map, "max_tokens", "")?,
        ..Request::default()
    };
    if let Some(tools) = opt_array(map, "tools", "")? {
        for (i, t) in tools.iter().enumerate() {
            let p = index("tools", i);
            let tool = object(t, &p)?;
            let mut def = tool.clone();
            def.remove("cache_control");
            req.tools.push(Value::Object(def).to_string());
            if field(tool, "cache_control").is_some() {
                req.mark_cache();
            }
        }
    }
    match field(map, "system") {
        None => {}
        Some(Value::String(s)) => req.system.push(s.clone()),
        Some(Value::Array(blocks)) => {
            for (i, b) in blocks.iter().enumerate() {
                let p = index("system", i);
                let block = object(b, &p)?;
                req.system.push(req_str(block, "text", &p)?.to_string());
                if field(block, "cache_control").is_some() {
                    req.mark_cache();
                }
            }
        }
        Some(other) => {
            return Err(err(
                "system",
                format!(
                    "expected a string or an array of text blocks, found {}",
                    json::kind(other)
                ),
            ));
        }
    }
    let msgs = opt_array(map, "messages", "")?.ok_or_else(|| err("", "missing `messages`"))?;
    for (i, m) in msgs.iter().enumerate() {
        let p = index("messages", i);
        let mo = object(m, &p)?;
        let role = req_str(mo, "role", &p)?.to_string();
        req.messages.push(Message {
            role,
            parts: Vec::new(),
        });
        let cp = join(&p, "content");
        match field(mo, "content") {
            Some(Value::String(s)) => push(&mut req, Part::Text(s.clone())),
            Some(Value::Array(blocks)) => {
                for (j, b) in blocks.iter().enumerate() {
                    content_block(&mut req, b, &index(&cp, j))?;
                }
            }
            Some(other) => {
                return Err(err(
                    &cp,
                    format!(
                        "expected a string or an array of content blocks, found {}",
                        json::kind(other)
                    ),
                ));
            }
            None => return Err(err(&p, "missing `content`")),
        }
    }
    Ok(req)
}

fn push(req: &mut Request, part: Part) {
    req.messages
        .last_mut()
        .expect("a message is open")
        .parts
        .push(part);
}

fn content_block(req: &mut Request, b: &Value, p: &str) -> Result<(), BodyError> {
    let block = match b.as_object() {
        Some(o) if o.contains_key("type") => o,
        _ => {
            return Err(err(
                p,
                format!("expected an object with `type`, found {}", json::kind(b)),
            ));
        }
    };
    let ty = req_str(block, "type", p)?;
    match ty {
        "text" => push(req, Part::Text(req_str(block, "text", p)?.to_string())),
        "thinking" => push(req, Part::Text(req_str(block, "thinking", p)?.to_string())),
        "redacted_thinking" => {}
        "image" => {
            let sp = join(p, "source");
            let source = field(block, "source")
                .ok_or_else(|| err(p, "missing `source`"))
                .and_then(|s| object(s, &sp))?;
            let image = match opt_str(source, "data", &sp)? {
                Some(data) => images::from_base64(data),
                None => super::ImageRef {
                    width: None,
                    height: None,
                },
            };
            push(req, Part::Image(image));
        }
        "document" => {
            let sp = join(p, "source");
            let source = field(block, "source")
                .ok_or_else(|| err(p, "missing `source`"))
                .and_then(|s| object(s, &sp))?;
            match opt_str(source, "type", &sp)? {
                Some("text") => push(req, Part::Text(req_str(source, "data", &sp)?.to_string())),
                Some("content") => {
                    if let Some(items) = opt_array(source, "content", &sp)? {
                        for (k, it) in items.iter().enumerate() {
                            content_block(req, it, &index(&join(&sp, "content"), k))?;
                        }
                    }
                }
                other => {
                    req.notes.push(format!(
                        "{p}: a {} document is not counted (its tokens depend on its pages)",
                        other.unwrap_or("base64")
                    ));
                }
            }
        }
        "tool_use" | "server_tool_use" => {
            let name = opt_str(block, "name", p)?.unwrap_or_default();
            let input = field(block, "input").map(json::text_of).unwrap_or_default();
            push(req, Part::Text(format!("{name}{input}")));
        }
        "tool_result" => match field(block, "content") {
            None => {}
            Some(Value::String(s)) => push(req, Part::Text(s.clone())),
            Some(Value::Array(items)) => {
                let cp = join(p, "content");
                for (k, it) in items.iter().enumerate() {
                    content_block(req, it, &index(&cp, k))?;
                }
            }
            Some(other) => {
                return Err(err(
                    &join(p, "content"),
                    format!(
                        "expected a string or an array of content blocks, found {}",
                        json::kind(other)
                    ),
                ));
            }
        },
        other => {
            return Err(err(
                &join(p, "type"),
                format!("unknown content block type `{other}`"),
            ));
        }
    }
    if field(block, "cache_control").is_some() {
        req.mark_cache();
    }
    Ok(())
}

/// A legacy text-completion body (Claude 2.x, Instant): the prompt already holds the
/// `\n\nHuman:` / `\n\nAssistant:` turns.
pub fn text_completion(map: &Map<String, Value>) -> Result<Request, BodyError> {
    Ok(Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "max_tokens_to_sample", "")?,
        ..Request::default()
    })
}
