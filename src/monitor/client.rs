//! AWS access the AWS way: aws-config's default credential and configuration chain
//! (environment, `~/.aws/config` profiles including SSO, container and instance roles),
//! `--profile`, one client per Region, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_CLOUDWATCH`
//! for a local or private endpoint, and the SDK's standard retry policy: throttling and
//! transient errors are retried with exponential backoff and jitter.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::Region;

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// A named profile of `~/.aws/config`; `None` follows the default chain (`AWS_PROFILE`…).
    pub profile: Option<String>,
    /// Attempts per request, first one included (the SDK retries throttling with backoff).
    pub max_attempts: u32,
    /// First retry delay; later ones grow exponentially (with jitter) up to 20 s.
    pub initial_backoff: Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            max_attempts: 8,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

/// Loaded shared configuration: credentials chain, endpoint override, retry policy.
pub struct Aws {
    config: aws_config::SdkConfig,
}

impl Aws {
    /// Loads the configuration once for every Region of the run.
    pub async fn load(opts: &AwsOptions) -> Aws {
        let retry = RetryConfig::standard()
            .with_max_attempts(opts.max_attempts.max(1))
            .with_initial_backoff(opts.initial_backoff)
            .with_max_backoff(Duration::from_secs(20));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(60))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        Aws {
            config: loader.load().await,
        }
    }

    /// The Region of the configuration (environment or profile), if any.
    pub fn region(&self) -> Option<String> {
        self.config.region().map(|r| r.to_string())
    }

    /// A CloudWatch client for `region`.
    pub fn cloudwatch(&self, region: &str) -> Client {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .build();
        Client::from_conf(conf)
    }

    /// The endpoint requests to `region` go to, for error messages.
    pub fn endpoint(&self, region: &str) -> String {
        std::env::var("AWS_ENDPOINT_URL_CLOUDWATCH")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| self.config.endpoint_url().map(str::to_string))
            .unwrap_or_else(|| format!("https://monitoring.{region}.amazonaws.com"))
    }
}
