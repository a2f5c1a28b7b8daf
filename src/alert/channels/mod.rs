//! Channels deliver an alert [`Message`]: an SNS topic ([`sns`]), a webhook ([`webhook`]) or
//! standard output ([`stdout`]). A delivery either succeeds — then the state file records it —
//! or returns an error that names the channel (and for webhooks only the URL's host: the
//! URL is a secret).

pub mod sns;
pub mod stdout;
pub mod webhook;

use super::budgets::{Channel, ChannelKind};
use super::message::Message;
use crate::aws::AwsOptions;

/// A delivery that did not happen.
#[derive(Debug, Clone, thiserror::Error)]
#[error("channel `{channel}`: {detail}")]
pub struct DeliveryError {
    pub channel: String,
    pub detail: String,
}

/// Delivers `msg` on `channel`.
pub fn deliver(channel: &Channel, msg: &Message, aws: &AwsOptions) -> Result<(), DeliveryError> {
    let fail = |detail: String| DeliveryError {
        channel: channel.name.clone(),
        detail,
    };
    match &channel.kind {
        ChannelKind::Sns { topic_arn } => sns::publish(aws, topic_arn, msg).map_err(fail),
        ChannelKind::Webhook {
            url,
            timeout_secs,
            retries,
            backoff_ms,
        } => url.resolve().map_err(&fail).and_then(|url| {
            webhook::post(
                &url,
                &webhook::Policy {
                    timeout: std::time::Duration::from_secs(*timeout_secs),
                    retries: *retries,
                    backoff: std::time::Duration::from_millis(*backoff_ms),
                },
                msg,
            )
            .map_err(fail)
        }),
        ChannelKind::Stdout => stdout::print(msg).map_err(fail),
    }
}
