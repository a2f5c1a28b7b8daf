//! The SNS channel: Publish the alert text to a topic, in the topic's Region (read from its
//! ARN). Subscribers get the plain text (e-mail, SMS, chat integrations); an SQS or Lambda
//! subscriber receives SNS's JSON envelope with the text as `Message`.

use crate::alert::message::Message;
use crate::aws::sns::Sns;
use crate::aws::{Aws, AwsOptions};

pub fn publish(opts: &AwsOptions, topic_arn: &str, msg: &Message) -> Result<(), String> {
    let region = topic_arn
        .split(':')
        .nth(3)
        .unwrap_or("us-east-1")
        .to_string();
    crate::aws::runtime().block_on(async {
        let aws = Aws::load(opts).await;
        Sns::new(&aws, &region)
            .publish(topic_arn, &msg.subject, &msg.text)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}
