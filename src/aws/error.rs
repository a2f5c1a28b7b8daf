//! What went wrong talking to AWS, in terms a user can act on: the IAM action that is
//! missing, the endpoint that cannot be reached, how to provide credentials. One error type
//! for every service; no SDK error leaves [`crate::aws`].

use std::error::Error as StdError;

// The smithy error types every AWS SDK crate shares (re-exported by each one).
use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// An AWS failure. Messages name the service, the IAM action (`cloudwatch:ListMetrics`,
/// `cloudtrail:LookupEvents`, `s3:GetObject`…) and the Region.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "missing IAM permission {action} in {region}: {service} answered {code}: {message}. Grant the caller {action} (README: \"IAM policy\")"
    )]
    AccessDenied {
        service: &'static str,
        action: String,
        region: String,
        code: String,
        message: String,
    },
    #[error(
        "cannot reach {service} at {endpoint} ({region}): {detail}. Is the endpoint right (AWS_ENDPOINT_URL, --region) and the network up?"
    )]
    Unreachable {
        service: &'static str,
        endpoint: String,
        region: String,
        detail: String,
    },
    #[error(
        "no AWS credentials: {detail}. Provide them through the default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile (--profile NAME or AWS_PROFILE; `aws sso login` for SSO profiles), or an instance or container role"
    )]
    NoCredentials { detail: String },
    #[error(
        "the credentials were rejected by {service} in {region} ({code}: {message}); check the profile, or refresh an expired session"
    )]
    BadCredentials {
        service: &'static str,
        region: String,
        code: String,
        message: String,
    },
    #[error(
        "{service} kept throttling {action} in {region} after {attempts} attempt(s) ({code}); try again later, or raise --max-attempts"
    )]
    Throttled {
        service: &'static str,
        action: String,
        region: String,
        attempts: u32,
        code: String,
    },
    #[error("{action} failed in {region}: {detail}")]
    Other {
        action: String,
        region: String,
        detail: String,
    },
    /// A request that cannot be made as asked (a bad bucket URI, a time out of range).
    #[error("{0}")]
    Invalid(String),
    #[error("cannot build the day buckets: {0}")]
    Time(#[from] jiff::Error),
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
];
const BAD_CREDENTIALS: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "LimitExceeded",
];

/// Where a request was sent, for error messages.
#[derive(Debug, Clone)]
pub struct CallSite<'a> {
    /// The service's name in messages (`CloudWatch`).
    pub service: &'static str,
    /// The IAM action of the operation, like `cloudwatch:GetMetricData`.
    pub action: &'a str,
    pub region: &'a str,
    pub endpoint: &'a str,
    /// Attempts the retry policy allows.
    pub attempts: u32,
}

/// Turns an SDK error into an [`AwsError`].
pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>, at: &CallSite<'_>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    let other = |detail: String| AwsError::Other {
        action: at.action.to_string(),
        region: at.region.to_string(),
        detail,
    };
    if mentions_missing_credentials(&err) {
        return AwsError::NoCredentials {
            detail: root_cause(&err),
        };
    }
    match &err {
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => AwsError::Unreachable {
            service: at.service,
            endpoint: at.endpoint.to_string(),
            region: at.region.to_string(),
            detail: root_cause(&err),
        },
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            service: at.service,
            endpoint: at.endpoint.to_string(),
            region: at.region.to_string(),
            detail: "timed out".to_string(),
        },
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            if ACCESS_DENIED.contains(&code.as_str()) {
                AwsError::AccessDenied {
                    service: at.service,
                    action: at.action.to_string(),
                    region: at.region.to_string(),
                    code,
                    message,
                }
            } else if BAD_CREDENTIALS.contains(&code.as_str()) {
                AwsError::BadCredentials {
                    service: at.service,
                    region: at.region.to_string(),
                    code,
                    message,
                }
            } else if THROTTLED.contains(&code.as_str()) {
                AwsError::Throttled {
                    service: at.service,
                    action: at.action.to_string(),
                    region: at.region.to_string(),
                    attempts: at.attempts,
                    code,
                }
            } else {
                other(detail)
            }
        }
        _ => other(detail),
    }
}

/// Whether the error chain says the credential provider chain found nothing.
fn mentions_missing_credentials(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("no credentials")
            || text.contains("credentials not loaded")
            || text.contains("failed to load credentials")
            || text.contains("could not load credentials")
            || text.contains("provided credentials")
            || text.contains("credential provider was not enabled")
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The innermost message of an error chain ("Connection refused (os error 111)").
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut cur: &(dyn StdError + 'static) = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
