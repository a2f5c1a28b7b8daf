//! What CountTokens is sent for each kind of input.
//!
//! - An InvokeModel body (Anthropic Messages or text completion): the body itself, as
//!   InvokeModel would receive it.
//! - A Converse request (or an Amazon Nova messages-v1 body, the same shape): the Converse
//!   input, converted to typed blocks in [`crate::aws`].
//! - Plain text (`count`, `--prompt`, a text file): one user message of the text, as
//!   Converse. The count therefore includes the few tokens the message wrapper adds; the
//!   local `count` of plain text does not.

use serde_json::{Value, json};

use crate::aws::bedrock_runtime::CountBody;
use crate::request::BodyFormat;

/// Plain text sent as one user message.
pub fn from_text(text: &str) -> CountBody {
    CountBody::Converse(json!({"messages": [{"role": "user", "content": [{"text": text}]}]}))
}

/// A parsed request body of a known format; `Err` names the formats CountTokens takes.
pub fn from_body(body: &Value, format: BodyFormat) -> Result<CountBody, String> {
    match format {
        BodyFormat::AnthropicMessages | BodyFormat::AnthropicText => Ok(CountBody::InvokeModel(
            serde_json::to_vec(body).expect("JSON serializes"),
        )),
        BodyFormat::Converse | BodyFormat::NovaMessages => Ok(CountBody::Converse(body.clone())),
        other => Err(format!(
            "CountTokens is given Anthropic InvokeModel bodies or Converse requests; this body is in {} format",
            other.label()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_goes_the_way_bedrock_reads_it() {
        let b = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": []});
        match from_body(&b, BodyFormat::AnthropicMessages).unwrap() {
            CountBody::InvokeModel(bytes) => {
                assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), b)
            }
            other => panic!("{other:?}"),
        }
        let c = json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}]});
        assert_eq!(
            from_body(&c, BodyFormat::Converse).unwrap(),
            CountBody::Converse(c.clone())
        );
        assert_eq!(from_text("hi"), CountBody::Converse(c));
        let e = from_body(&json!({"prompt": "x"}), BodyFormat::Llama).unwrap_err();
        assert!(e.contains("Meta Llama"), "{e}");
    }
}
