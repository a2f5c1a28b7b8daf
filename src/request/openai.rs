//! OpenAI chat-completions bodies, used by gpt-oss (`max_completion_tokens`), DeepSeek,
//! Mistral chat and AI21 Jamba (`max_tokens`): `messages` of `{role, content}` where content
//! is a string or an array of `{type: "text" | "image_url", …}` parts, `tool_calls`, and
//! `tools` (each definition counted as its JSON text). DeepSeek also takes a raw `prompt`.

use serde_json::{Map, Value};

use super::json::{
    self, err, field, first_u64, index, join, object, opt_array, opt_str, opt_u64, req_str,
};
use super::{BodyError, ImageRef, Message, Part, Request, images};

/// A chat body; `max_key` is the format's own output-bound field, tried first.
pub fn chat(map: &Map<String, Value>, max_key: &str) -> Result<Request, BodyError> {
    let mut req = Request {
        max_output_tokens: first_u64(map, &[max_key, "max_completion_tokens", "max_tokens"], "")?,
        ..Request::default()
    };
    if let Some(tools) = opt_array(map, "tools", "")? {
        for (i, t) in tools.iter().enumerate() {
            object(t, &index("tools", i))?;
            req.tools.push(t.to_string());
        }
    }
    let msgs = opt_array(map, "messages", "")?.ok_or_else(|| err("", "missing `messages`"))?;
    for (i, m) in msgs.iter().enumerate() {
        let p = index("messages", i);
        let mo = object(m, &p)?;
        let role = req_str(mo, "role", &p)?.to_string();
        let mut parts = Vec::new();
        let cp = join(&p, "content");
        match field(mo, "content") {
            None => {}
            Some(Value::String(s)) => parts.push(Part::Text(s.clone())),
            Some(Value::Array(items)) => {
                for (j, it) in items.iter().enumerate() {
                    let ip = index(&cp, j);
                    let io = match it.as_object() {
                        Some(o) if o.contains_key("type") => o,
                        _ => {
                            return Err(err(
                                &ip,
                                format!("expected an object with `type`, found {}", json::kind(it)),
                            ));
                        }
                    };
                    match req_str(io, "type", &ip)? {
                        "text" => parts.push(Part::Text(req_str(io, "text", &ip)?.to_string())),
                        "image_url" => {
                            let url = field(io, "image_url")
                                .and_then(Value::as_object)
                                .and_then(|u| u.get("url"))
                                .and_then(Value::as_str)
                                .unwrap_or_default();
                            parts.push(Part::Image(if url.starts_with("data:") {
                                images::from_base64(url)
                            } else {
                                ImageRef {
                                    width: None,
                                    height: None,
                                }
                            }));
                        }
                        other => {
                            return Err(err(
                                &join(&ip, "type"),
                                format!("unknown content part type `{other}`"),
                            ));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(err(
                    &cp,
                    format!(
                        "expected a string or an array of content parts, found {}",
                        json::kind(other)
                    ),
                ));
            }
        }
        if let Some(calls) = field(mo, "tool_calls") {
            parts.push(Part::Text(calls.to_string()));
        }
        if let Some(r) = opt_str(mo, "reasoning_content", &p)? {
            parts.push(Part::Text(r.to_string()));
        }
        req.messages.push(Message { role, parts });
    }
    Ok(req)
}

/// DeepSeek: a raw `prompt` (R1's documented InvokeModel form) or a chat body.
pub fn deepseek(map: &Map<String, Value>) -> Result<Request, BodyError> {
    if field(map, "messages").is_some() {
        return chat(map, "max_tokens");
    }
    Ok(Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "max_tokens", "")?,
        ..Request::default()
    })
}
