//! The Converse API request (`messages`, `system`, `toolConfig`, `inferenceConfig`), which
//! works for every text model, and Amazon Nova's InvokeModel body (`schemaVersion:
//! "messages-v1"`), which has the same shape with `inferenceConfig.max_new_tokens`.
//!
//! Content blocks are objects with one key: `text`, `image` (base64 `source.bytes`: size read
//! from the header), `document` (text formats counted; PDF and office formats noted),
//! `toolUse`, `toolResult`, `reasoningContent`, `guardContent`, and `cachePoint`, which ends
//! the cache prefix at the point where it stands.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::json::{
    self, err, field, first_u64, index, join, object, opt_array, opt_object, opt_str, req_str,
};
use super::{BodyError, ImageRef, Message, Part, Request, images};

/// A Converse request or a Nova messages-v1 body.
pub fn parse(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request::default();
    if let Some(cfg) = opt_object(map, "inferenceConfig", "")? {
        req.max_output_tokens =
            first_u64(cfg, &["maxTokens", "max_new_tokens"], "inferenceConfig")?;
    }
    if let Some(tc) = opt_object(map, "toolConfig", "")?
        && let Some(tools) = opt_array(tc, "tools", "toolConfig")?
    {
        for (i, t) in tools.iter().enumerate() {
            let p = index("toolConfig.tools", i);
            let tool = object(t, &p)?;
            if tool.contains_key("cachePoint") {
                req.mark_cache();
            } else {
                req.tools.push(Value::Object(tool.clone()).to_string());
            }
        }
    }
    if let Some(system) = opt_array(map, "system", "")? {
        for (i, b) in system.iter().enumerate() {
            let p = index("system", i);
            let block = object(b, &p)?;
            if block.contains_key("cachePoint") {
                req.mark_cache();
            } else if let Some(t) = opt_str(block, "text", &p)? {
                req.system.push(t.to_string());
            } else if let Some(g) = opt_object(block, "guardContent", &p)? {
                req.system.push(guard_text(g, &join(&p, "guardContent"))?);
            } else {
                return Err(err(
                    &p,
                    "expected a system block with `text`, `guardContent` or `cachePoint`",
                ));
            }
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
        let content = opt_array(mo, "content", &p)?.ok_or_else(|| err(&p, "missing `content`"))?;
        for (j, b) in content.iter().enumerate() {
            block(&mut req, b, &index(&cp, j))?;
        }
    }
    Ok(req)
}

fn guard_text(g: &Map<String, Value>, p: &str) -> Result<String, BodyError> {
    let t = field(g, "text").ok_or_else(|| err(p, "missing `text`"))?;
    let to = object(t, &join(p, "text"))?;
    Ok(req_str(to, "text", &join(p, "text"))?.to_string())
}

fn push(req: &mut Request, part: Part) {
    req.messages
        .last_mut()
        .expect("a message is open")
        .parts
        .push(part);
}

/// An image block's size from `source.bytes`.
pub fn image_block(img: &Map<String, Value>, p: &str) -> Result<ImageRef, BodyError> {
    let unknown = ImageRef {
        width: None,
        height: None,
    };
    let Some(source) = opt_object(img, "source", p)? else {
        return Ok(unknown);
    };
    Ok(match opt_str(source, "bytes", &join(p, "source"))? {
        Some(b) => images::from_base64(b),
        None => unknown,
    })
}

fn block(req: &mut Request, b: &Value, p: &str) -> Result<(), BodyError> {
    let Some(o) = b.as_object() else {
        return Err(err(
            p,
            format!(
                "expected a content block object (text, image, document, toolUse, toolResult, cachePoint), found {}",
                json::kind(b)
            ),
        ));
    };
    if o.contains_key("cachePoint") {
        req.mark_cache();
    } else if let Some(t) = field(o, "text") {
        push(
            req,
            Part::Text(json::string(t, &join(p, "text"))?.to_string()),
        );
    } else if let Some(img) = opt_object(o, "image", p)? {
        let image = image_block(img, &join(p, "image"))?;
        push(req, Part::Image(image));
    } else if let Some(doc) = opt_object(o, "document", p)? {
        let dp = join(p, "document");
        let format = opt_str(doc, "format", &dp)?.unwrap_or("pdf");
        let source = opt_object(doc, "source", &dp)?;
        let text = match source {
            Some(s) if matches!(format, "txt" | "md" | "csv" | "html") => {
                if let Some(t) = opt_str(s, "text", &join(&dp, "source"))? {
                    Some(t.to_string())
                } else {
                    opt_str(s, "bytes", &join(&dp, "source"))?
                        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                }
            }
            _ => None,
        };
        match text {
            Some(t) => push(req, Part::Text(t)),
            None => req.notes.push(format!(
                "{dp}: a {format} document is not counted (its tokens depend on its pages)"
            )),
        }
    } else if let Some(tu) = opt_object(o, "toolUse", p)? {
        let name = opt_str(tu, "name", &join(p, "toolUse"))?.unwrap_or_default();
        let input = field(tu, "input").map(json::text_of).unwrap_or_default();
        push(req, Part::Text(format!("{name}{input}")));
    } else if let Some(tr) = opt_object(o, "toolResult", p)? {
        let tp = join(p, "toolResult");
        if let Some(items) = opt_array(tr, "content", &tp)? {
            for (k, it) in items.iter().enumerate() {
                let ip = index(&join(&tp, "content"), k);
                let io = object(it, &ip)?;
                if let Some(j) = field(io, "json") {
                    push(req, Part::Text(j.to_string()));
                } else {
                    block(req, it, &ip)?;
                }
            }
        }
    } else if let Some(rc) = opt_object(o, "reasoningContent", p)? {
        let rp = join(p, "reasoningContent");
        if let Some(rt) = opt_object(rc, "reasoningText", &rp)? {
            push(
                req,
                Part::Text(req_str(rt, "text", &join(&rp, "reasoningText"))?.to_string()),
            );
        }
    } else if let Some(g) = opt_object(o, "guardContent", p)? {
        let t = guard_text(g, &join(p, "guardContent"))?;
        push(req, Part::Text(t));
    } else if o.contains_key("video") {
        req.notes.push(format!("{p}: video input is not counted"));
    } else {
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        return Err(err(
            p,
            format!(
                "unknown content block with keys [{}] (expected text, image, document, toolUse, toolResult or cachePoint)",
                keys.join(", ")
            ),
        ));
    }
    Ok(())
}
