//! Control-plane changes: every call that is neither a model call nor a read — model
//! access requested, logging configured, guardrails and provisioned throughput created or
//! deleted, custom models trained — in time order, failed attempts included.

use jiff::Timestamp;

use super::findings::is_model_call;
use crate::records::CallRecord;

/// Runtime operations that change nothing but are not model calls either.
const RUNTIME_READS: &[&str] = &["ApplyGuardrail", "Retrieve", "RetrieveAndGenerate"];

/// Name prefixes of read operations.
const READ_PREFIXES: &[&str] = &["Get", "List", "Describe", "Search", "Head"];

/// Whether `event` changes the account's Bedrock configuration. A record marked
/// `readOnly: true` is a read whatever its name.
pub fn is_change(event: &str, read_only: Option<bool>) -> bool {
    read_only != Some(true)
        && !is_model_call(event)
        && !RUNTIME_READS.contains(&event)
        && !READ_PREFIXES.iter().any(|p| event.starts_with(p))
}

/// One control-plane change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub time: Timestamp,
    /// Principal key (raw, untrusted text).
    pub principal: String,
    pub principal_type: String,
    pub event: String,
    pub region: String,
    /// The model or resource the change named, when the record says.
    pub resource: Option<String>,
    /// The error code of a failed attempt.
    pub error: Option<String>,
    pub error_message: Option<String>,
    /// A short summary of the request parameters.
    pub parameters: Option<String>,
    pub source_ip: Option<String>,
    pub event_id: String,
}

/// The changes among `calls`, sorted by time (then event ID).
pub fn changes(calls: &[CallRecord]) -> Vec<Change> {
    let mut out: Vec<Change> = calls
        .iter()
        .filter(|c| is_change(&c.event_name, c.read_only))
        .map(|c| Change {
            time: c.time,
            principal: c.principal.key.clone(),
            principal_type: c.principal.kind.as_str().to_string(),
            event: c.event_name.clone(),
            region: c.region.clone(),
            resource: c.model_id.clone(),
            error: c.error_code.clone(),
            error_message: c.error_message.clone(),
            parameters: c.parameters.clone(),
            source_ip: c.source_ip.clone(),
            event_id: c.event_id.clone(),
        })
        .collect();
    out.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_model_calls_are_not_changes() {
        assert!(is_change(
            "DeleteModelInvocationLoggingConfiguration",
            Some(false)
        ));
        assert!(is_change("PutUseCaseForModelAccess", None));
        assert!(!is_change("InvokeModel", None));
        assert!(!is_change("CountTokens", None));
        assert!(!is_change("GetFoundationModelAvailability", None));
        assert!(!is_change("ListFoundationModels", Some(false)));
        assert!(!is_change("CreateSomething", Some(true)));
    }
}
