//! Cohere bodies: Command (`prompt`, `max_tokens`, default 20), Command R / R+ (`message`,
//! `chat_history` of `{role, message}`, `preamble`, `documents`, `tools`, `max_tokens`) and
//! Embed (`texts`, and `images` as data URIs for Embed v4).
//!
//! Command R renders each document as `key: value` lines, as Cohere's grounded-generation
//! template does.

use serde_json::{Map, Value};

use super::json::{
    self, err, field, index, join, object, opt_array, opt_str, opt_u64, req_str, string,
};
use super::{BodyError, Message, Part, Request};

pub fn command(map: &Map<String, Value>) -> Result<Request, BodyError> {
    Ok(Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "max_tokens", "")?,
        ..Request::default()
    })
}

pub fn command_r(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request {
        max_output_tokens: opt_u64(map, "max_tokens", "")?,
        ..Request::default()
    };
    if let Some(tools) = opt_array(map, "tools", "")? {
        for (i, t) in tools.iter().enumerate() {
            object(t, &index("tools", i))?;
            req.tools.push(t.to_string());
        }
    }
    if let Some(p) = opt_str(map, "preamble", "")? {
        req.system.push(p.to_string());
    }
    if let Some(docs) = opt_array(map, "documents", "")? {
        for (i, d) in docs.iter().enumerate() {
            let p = index("documents", i);
            let doc = object(d, &p)?;
            let text: Vec<String> = doc
                .iter()
                .map(|(k, v)| format!("{k}: {}", json::text_of(v)))
                .collect();
            req.documents.push(text.join("\n"));
        }
    }
    if let Some(history) = opt_array(map, "chat_history", "")? {
        for (i, h) in history.iter().enumerate() {
            let p = index("chat_history", i);
            let ho = object(h, &p)?;
            let role = req_str(ho, "role", &p)?.to_string();
            let mut parts = Vec::new();
            if let Some(m) = opt_str(ho, "message", &p)? {
                parts.push(Part::Text(m.to_string()));
            }
            if let Some(calls) = field(ho, "tool_calls") {
                parts.push(Part::Text(calls.to_string()));
            }
            req.messages.push(Message { role, parts });
        }
    }
    let message = req_str(map, "message", "")?;
    let mut parts = vec![Part::Text(message.to_string())];
    if let Some(results) = field(map, "tool_results") {
        parts.push(Part::Text(results.to_string()));
    }
    req.messages.push(Message {
        role: "USER".into(),
        parts,
    });
    Ok(req)
}

pub fn embed(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request::default();
    if let Some(texts) = opt_array(map, "texts", "")? {
        for (i, t) in texts.iter().enumerate() {
            req.embed_texts
                .push(string(t, &index("texts", i))?.to_string());
        }
    }
    if let Some(imgs) = opt_array(map, "images", "")? {
        for (i, t) in imgs.iter().enumerate() {
            string(t, &index("images", i))?;
        }
        req.embed_images = imgs.len() as u64;
    }
    if req.embed_texts.is_empty() && req.embed_images == 0 {
        return Err(err(&join("", "texts"), "missing `texts` (or `images`)"));
    }
    Ok(req)
}
