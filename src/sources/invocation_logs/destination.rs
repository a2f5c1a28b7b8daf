//! Where the logs are, when the user names neither `--logs s3://…` nor `--log-group NAME`:
//! each Region's GetModelInvocationLoggingConfiguration says whether model invocation
//! logging is on and where it writes — a CloudWatch Logs group, an S3 bucket and prefix, or
//! both. A Region with logging off has **no per-principal usage at all** (CloudWatch metrics
//! have no caller; CloudTrail has no tokens), and the message says what to do instead.

use std::sync::Arc;

use crate::aws::bedrock::{Bedrock, LoggingConfig};
use crate::aws::s3::S3Location;
use crate::aws::{Aws, AwsError};

/// Where one Region's model invocation logs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub region: String,
    /// The CloudWatch Logs group (read with FilterLogEvents or Logs Insights).
    pub log_group: Option<String>,
    /// The bucket and prefix (the folder that holds `AWSLogs/`).
    pub s3: Option<S3Location>,
    /// Whether request and response bodies are delivered too (token counts always are).
    pub text: bool,
}

impl Destination {
    /// A destination from a Region's configuration; `None` when logging is off.
    pub fn from_config(region: &str, config: Option<&LoggingConfig>) -> Option<Destination> {
        let c = config?;
        let s3 = c.s3_bucket.as_ref().map(|bucket| {
            let p = c.s3_prefix.as_deref().unwrap_or("").trim_matches('/');
            S3Location {
                bucket: bucket.clone(),
                prefix: if p.is_empty() {
                    String::new()
                } else {
                    format!("{p}/")
                },
            }
        });
        if c.log_group.is_none() && s3.is_none() {
            return None;
        }
        Some(Destination {
            region: region.to_string(),
            log_group: c.log_group.clone(),
            s3,
            text: c.text,
        })
    }

    /// `REGION: log group NAME, s3://BUCKET/PREFIX`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(g) = &self.log_group {
            parts.push(format!("log group {g}"));
        }
        if let Some(s) = &self.s3 {
            parts.push(format!("s3://{}/{}", s.bucket, s.prefix));
        }
        format!("{}: {}", self.region, parts.join(", "))
    }
}

/// What every Region asked said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destinations {
    /// Regions with logging on, in the order asked.
    pub found: Vec<Destination>,
    /// Regions with logging off.
    pub off: Vec<String>,
    /// One message per Region with logging off.
    pub notes: Vec<String>,
}

impl Destinations {
    /// The destinations, or (when every Region has logging off) an error that says why
    /// there is nothing to read.
    pub fn require(self) -> Result<Vec<Destination>, AwsError> {
        if self.found.is_empty() {
            return Err(AwsError::Invalid(self.notes.join("\n")));
        }
        Ok(self.found)
    }
}

/// The message for a Region with logging off.
pub fn logging_off(region: &str) -> String {
    format!(
        "model invocation logging is off in {region}: no per-principal usage exists; enable it (README) or use `report governance --apportion-cost`"
    )
}

/// Asks every Region (each concurrently) where its logs go.
pub async fn discover(aws: Arc<Aws>, regions: &[String]) -> Result<Destinations, AwsError> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, region) in regions.iter().enumerate() {
        let (aws, region) = (aws.clone(), region.clone());
        tasks.spawn(async move {
            let config = Bedrock::new(&aws, &region).logging_configuration().await?;
            Ok::<_, AwsError>((i, config))
        });
    }
    let mut configs: Vec<Option<LoggingConfig>> = vec![None; regions.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, config) = joined.expect("a Region task panicked")?;
        configs[i] = config;
    }
    let mut out = Destinations::default();
    for (region, config) in regions.iter().zip(&configs) {
        match Destination::from_config(region, config.as_ref()) {
            Some(d) => out.found.push(d),
            None => {
                out.off.push(region.clone());
                out.notes.push(logging_off(region));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(group: Option<&str>, bucket: Option<&str>, prefix: Option<&str>) -> LoggingConfig {
        LoggingConfig {
            log_group: group.map(str::to_string),
            role_arn: None,
            s3_bucket: bucket.map(str::to_string),
            s3_prefix: prefix.map(str::to_string),
            large_data_s3: None,
            text: false,
            image: false,
            embedding: false,
        }
    }

    #[test]
    fn configurations_become_destinations() {
        let both = config(Some("/bedrock/inv"), Some("logs-bucket"), Some("/bedrock/"));
        let d = Destination::from_config("eu-west-1", Some(&both)).unwrap();
        assert_eq!(d.log_group.as_deref(), Some("/bedrock/inv"));
        assert_eq!(
            d.s3,
            Some(S3Location {
                bucket: "logs-bucket".into(),
                prefix: "bedrock/".into()
            })
        );
        assert_eq!(
            d.describe(),
            "eu-west-1: log group /bedrock/inv, s3://logs-bucket/bedrock/"
        );
        let bare = config(None, Some("logs-bucket"), None);
        let d = Destination::from_config("us-east-1", Some(&bare)).unwrap();
        assert_eq!(d.s3.unwrap().prefix, "");
        assert_eq!(Destination::from_config("us-east-1", None), None);
        assert_eq!(
            Destination::from_config("us-east-1", Some(&config(None, None, None))),
            None
        );
    }

    #[test]
    fn all_regions_off_is_an_error_that_says_what_to_do() {
        let none = Destinations {
            found: vec![],
            off: vec!["us-east-1".into()],
            notes: vec![logging_off("us-east-1")],
        };
        let e = none.require().unwrap_err().to_string();
        assert!(
            e.contains("model invocation logging is off in us-east-1"),
            "{e}"
        );
        assert!(e.contains("report governance --apportion-cost"), "{e}");
    }
}
