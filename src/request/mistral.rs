//! Mistral bodies: text completion (`prompt` with `<s>[INST] … [/INST]` written by the
//! caller, `max_tokens`, default 512). The chat form (`messages`, `tools`, `max_tokens`)
//! follows the OpenAI chat shape and is parsed in [`super::openai::chat`].

use serde_json::{Map, Value};

use super::json::{opt_u64, req_str};
use super::{BodyError, Request};

pub fn prompt(map: &Map<String, Value>) -> Result<Request, BodyError> {
    Ok(Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "max_tokens", "")?,
        ..Request::default()
    })
}
