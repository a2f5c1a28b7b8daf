//! Amazon Titan bodies: text generation (`inputText`, `textGenerationConfig.maxTokenCount`)
//! and embeddings (`inputText`, and `inputImage` for the multimodal model). Nova's
//! messages-v1 body has the Converse shape and is parsed in [`super::converse`]; image
//! generation (Titan Image, Nova Canvas) in [`super::image`].

use serde_json::{Map, Value};

use super::json::{opt_object, opt_str, opt_u64, req_str};
use super::{BodyError, Request};

/// Titan text: the `inputText` is the whole prompt (Titan's `User:`/`Bot:` turns are
/// written by the caller).
pub fn titan_text(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request {
        prompt: Some(req_str(map, "inputText", "")?.to_string()),
        ..Request::default()
    };
    if let Some(cfg) = opt_object(map, "textGenerationConfig", "")? {
        req.max_output_tokens = opt_u64(cfg, "maxTokenCount", "textGenerationConfig")?;
    }
    Ok(req)
}

/// Titan embeddings: one text, and for the multimodal model optionally one image.
pub fn titan_embed(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request::default();
    if let Some(t) = opt_str(map, "inputText", "")? {
        req.embed_texts.push(t.to_string());
    }
    if opt_str(map, "inputImage", "")?.is_some() {
        req.embed_images = 1;
    }
    if req.embed_texts.is_empty() && req.embed_images == 0 {
        return Err(super::json::err(
            "",
            "missing `inputText` (or `inputImage`)",
        ));
    }
    Ok(req)
}
