//! AWS access the AWS way: aws-config's default credential and configuration chain
//! (environment, `~/.aws/config` profiles including SSO, container and instance roles),
//! `--profile`, one client per Region, `AWS_ENDPOINT_URL` and the per-service
//! `AWS_ENDPOINT_URL_<SERVICE>` variables for a local or private endpoint, and the SDK's
//! standard retry policy: throttling and transient errors are retried with exponential
//! backoff and jitter, up to `--max-attempts` attempts.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// A named profile of `~/.aws/config`; `None` follows the default chain (`AWS_PROFILE`…).
    pub profile: Option<String>,
    /// Attempts per request, first one included (the SDK retries throttling with backoff).
    pub max_attempts: u32,
    /// First retry delay; later ones grow exponentially (with jitter) up to 20 s.
    pub initial_backoff: Duration,
    /// An endpoint for every service (a local test server, a private endpoint), set in code.
    /// `None` keeps the environment's (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`).
    pub endpoint_url: Option<String>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            max_attempts: 8,
            initial_backoff: Duration::from_secs(1),
            endpoint_url: None,
        }
    }
}

/// One AWS service as the SDK's configuration names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The name in messages (`CloudWatch`).
    pub name: &'static str,
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>` (`CLOUDWATCH`, `CLOUDTRAIL`, `S3`).
    pub env: &'static str,
    /// The endpoint host prefix (`monitoring` for CloudWatch).
    pub host: &'static str,
}

/// Loaded shared configuration: credentials chain, endpoint override, retry policy.
pub struct Aws {
    pub(crate) config: aws_config::SdkConfig,
    pub(crate) max_attempts: u32,
}

impl Aws {
    /// Loads the configuration once for every Region and service of the run.
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
        if let Some(url) = opts.endpoint_url.as_deref().filter(|u| !u.is_empty()) {
            loader = loader.endpoint_url(url);
        }
        Aws {
            config: loader.load().await,
            max_attempts: opts.max_attempts.max(1),
        }
    }

    /// The Region of the configuration (environment or profile), if any.
    pub fn region(&self) -> Option<String> {
        self.config.region().map(|r| r.to_string())
    }

    /// `preferred` when given, else the Region of the configuration, else us-east-1: the
    /// Region a call goes to when the user named none.
    pub fn region_or(&self, preferred: Option<&str>) -> String {
        preferred
            .map(str::to_string)
            .or_else(|| self.region())
            .unwrap_or_else(|| "us-east-1".to_string())
    }

    /// The endpoint requests of `service` to `region` go to, for error messages.
    pub fn endpoint(&self, service: Service, region: &str) -> String {
        self.endpoint_override(service)
            .unwrap_or_else(|| format!("https://{}.{region}.amazonaws.com", service.host))
    }

    /// The endpoint set for `service` instead of AWS's (`AWS_ENDPOINT_URL_<SERVICE>`, else
    /// `AWS_ENDPOINT_URL` or [`AwsOptions::endpoint_url`]), if any.
    pub fn endpoint_override(&self, service: Service) -> Option<String> {
        std::env::var(format!("AWS_ENDPOINT_URL_{}", service.env))
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| self.config.endpoint_url().map(str::to_string))
    }
}

/// The Region a command reads when the user names none: `AWS_REGION`, then
/// `AWS_DEFAULT_REGION` (lowercased), else none (the profile's Region, else us-east-1).
pub fn region_from_env() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map(|r| r.to_ascii_lowercase())
}
