//! SNS: Publish to a topic (alert delivery).
//!
//! IAM action: `sns:Publish` on the topic.

use aws_sdk_sns::Client;
use aws_sdk_sns::config::Region;

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "SNS",
    env: "SNS",
    host: "sns",
};

/// SNS of one Region.
pub struct Sns {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl Sns {
    pub fn new(aws: &Aws, region: &str) -> Sns {
        let conf = aws_sdk_sns::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        Sns {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    /// Publishes `message` with `subject` (at most 100 characters) to `topic_arn`; returns
    /// the message ID.
    pub async fn publish(
        &self,
        topic_arn: &str,
        subject: &str,
        message: &str,
    ) -> Result<String, AwsError> {
        let site = CallSite {
            service: SERVICE.name,
            action: "sns:Publish",
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        };
        let subject: String = subject
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        let resp = self
            .client
            .publish()
            .topic_arn(topic_arn)
            .subject(subject)
            .message(message)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        Ok(resp.message_id().unwrap_or_default().to_string())
    }
}
