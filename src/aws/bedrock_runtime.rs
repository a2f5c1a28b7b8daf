//! Amazon Bedrock's runtime: `CountTokens`, the free call that returns the input tokens a
//! request would be billed for, without running the model.
//!
//! The wire is REST-JSON, `POST /model/{modelId}/count-tokens` with a body
//! `{"input": {"invokeModel": {"body": "<base64 InvokeModel body>"}}}` or
//! `{"input": {"converse": {"messages": […], "system": […], "toolConfig": {…}}}}`, answered by
//! `{"inputTokens": N}` (bedrock-facts §4). Only bare foundation-model IDs are accepted (no
//! inference-profile IDs): callers map profiles to their base model first.
//!
//! An InvokeModel body is sent as the bytes the user wrote; a Converse request needs the
//! SDK's typed Converse input, built from its JSON in [`converse_tokens`](super::converse_tokens),
//! which refuses what it cannot convert faithfully rather than count something else.
//!
//! IAM action: `bedrock:CountTokens`. Throttling (`ThrottlingException`) is retried by the
//! SDK's retry policy (see [`super::config`]), up to `--max-attempts` attempts.

use aws_sdk_bedrockruntime::Client;
use aws_sdk_bedrockruntime::config::Region;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{CountTokensInput, InvokeModelTokensRequest};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "Bedrock Runtime",
    env: "BEDROCK_RUNTIME",
    host: "bedrock-runtime",
};

/// The IAM action of CountTokens, for messages.
pub const COUNT_TOKENS_ACTION: &str = "bedrock:CountTokens";

/// What to count: a request as InvokeModel or Converse would receive it.
#[derive(Debug, Clone, PartialEq)]
pub enum CountBody {
    /// The InvokeModel body, as bytes (the model's native JSON).
    InvokeModel(Vec<u8>),
    /// A Converse request as JSON (`messages`, `system`, `toolConfig`,
    /// `additionalModelRequestFields`; inference parameters are ignored, they add no input).
    Converse(serde_json::Value),
}

/// Bedrock's runtime in one Region.
pub struct BedrockRuntime {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl BedrockRuntime {
    pub fn new(aws: &Aws, region: &str) -> BedrockRuntime {
        let conf = aws_sdk_bedrockruntime::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        BedrockRuntime {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    /// The Region calls go to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The billed input tokens of `body` for the bare model `model_id`.
    pub async fn count_tokens(&self, model_id: &str, body: &CountBody) -> Result<u64, AwsError> {
        let site = CallSite {
            service: SERVICE.name,
            action: COUNT_TOKENS_ACTION,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        };
        let input = match body {
            CountBody::InvokeModel(bytes) => CountTokensInput::InvokeModel(
                InvokeModelTokensRequest::builder()
                    .body(Blob::new(bytes.clone()))
                    .build()
                    .map_err(|e| AwsError::Invalid(format!("InvokeModel body: {e}")))?,
            ),
            CountBody::Converse(json) => {
                CountTokensInput::Converse(super::converse_tokens::request(json)?)
            }
        };
        let resp = self
            .client
            .count_tokens()
            .model_id(model_id)
            .input(input)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        u64::try_from(resp.input_tokens()).map_err(|_| AwsError::Other {
            action: COUNT_TOKENS_ACTION.to_string(),
            region: self.region.clone(),
            detail: format!("negative inputTokens {}", resp.input_tokens()),
        })
    }
}
