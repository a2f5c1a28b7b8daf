//! AI21 bodies: Jurassic-2 (`prompt`, `maxTokens`, default 16). Jamba takes the OpenAI chat
//! shape (`messages`, `max_tokens`, default 4096), parsed in [`super::openai::chat`].

use serde_json::{Map, Value};

use super::json::{opt_u64, req_str};
use super::{BodyError, Request};

pub fn j2(map: &Map<String, Value>) -> Result<Request, BodyError> {
    Ok(Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "maxTokens", "")?,
        ..Request::default()
    })
}
