//! Call records: one API call to Bedrock as CloudTrail saw it — who called which operation
//! on which model, from where, and whether it failed.
//!
//! CloudTrail has the caller but **no token counts** and no prompts, so a call record is
//! the input of governance reports (who, what, from where, which errors) and, apportioned
//! over CloudWatch's daily costs, of an estimated cost per principal. Every string in it
//! comes from an AWS record and is untrusted.

use jiff::Timestamp;

use super::principal::Principal;

/// How the caller reached the API, from the user agent and the console's marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientKind {
    /// The AWS Management Console (or an AWS service's console).
    Console,
    /// The AWS CLI.
    Cli,
    /// An AWS SDK (boto3, the JavaScript, Java, Go, Rust… SDKs).
    Sdk,
    /// An AWS service acting for the account (`bedrock.amazonaws.com`, …).
    AwsService,
    /// Anything else (a browser, curl, a hand-rolled client, no user agent).
    Other,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Console => "console",
            ClientKind::Cli => "cli",
            ClientKind::Sdk => "sdk",
            ClientKind::AwsService => "aws-service",
            ClientKind::Other => "other",
        }
    }
}

/// One CloudTrail event of `bedrock.amazonaws.com`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// `eventTime`.
    pub time: Timestamp,
    /// `awsRegion`: the Region called (even when a profile served the call elsewhere).
    pub region: String,
    /// `eventName`: the operation (`InvokeModel`, `Converse`, `PutUseCaseForModelAccess`…).
    pub event_name: String,
    /// `requestParameters.modelId` (or `modelIdentifier`, `modelArn`…), untrusted text.
    pub model_id: Option<String>,
    pub principal: Principal,
    /// `sourceIPAddress`: an IP address, or a service name for calls AWS made.
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub client: ClientKind,
    /// `errorCode` (`AccessDenied`, `ValidationException`, `ThrottlingException`…).
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// `additionalEventData.inferenceRegion`: present only when a cross-Region profile
    /// served the call in another Region.
    pub inference_region: Option<String>,
    /// `requestID`.
    pub request_id: Option<String>,
    /// `eventID`: unique per event; duplicates across files are dropped by it.
    pub event_id: String,
    /// `readOnly`, when the record says.
    pub read_only: Option<bool>,
    /// A short, compact summary of `requestParameters` for control-plane changes (kept for
    /// the report's evidence; at most a few hundred characters).
    pub parameters: Option<String>,
}

impl CallRecord {
    /// Whether the call failed.
    pub fn failed(&self) -> bool {
        self.error_code.is_some()
    }

    /// Whether a cross-Region inference profile served the call in another Region.
    pub fn rerouted(&self) -> bool {
        self.inference_region
            .as_deref()
            .is_some_and(|r| !r.is_empty() && r != self.region)
    }

    /// Whether the operation runs a model (and is billed by tokens or images).
    pub fn is_invocation(&self) -> bool {
        INVOCATION_EVENTS.contains(&self.event_name.as_str())
    }
}

/// The Bedrock runtime operations that run a model.
pub const INVOCATION_EVENTS: &[&str] = &[
    "InvokeModel",
    "InvokeModelWithResponseStream",
    "InvokeModelWithBidirectionalStream",
    "Converse",
    "ConverseStream",
];

/// Calls counted at the finest grain a governance report groups by: day × Region ×
/// principal × model × operation × error code. Built from [`CallRecord`]s locally, or
/// returned by a query engine (Athena over trail files) that aggregated the events where
/// they live; reports group these further by `--by`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallAggregate {
    /// Calendar day (UTC) of the calls.
    pub day: jiff::civil::Date,
    pub region: String,
    pub principal: Principal,
    pub model_id: Option<String>,
    pub event_name: String,
    pub error_code: Option<String>,
    pub calls: u64,
    /// Calls a cross-Region profile served in another Region.
    pub rerouted_calls: u64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Distinct source IPs (sorted; a query engine may cap the list).
    pub source_ips: Vec<String>,
    /// Distinct user agents (sorted; a query engine may cap the list).
    pub user_agents: Vec<String>,
}
