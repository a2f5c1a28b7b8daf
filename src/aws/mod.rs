//! The only module that uses AWS SDK crates.
//!
//! [`config`] loads the shared configuration once (credential chain, `--profile`, Regions,
//! endpoint overrides, retries with backoff); each service has one small file that makes its
//! calls, follows its paging and returns plain Rust data; [`error`] turns every SDK failure
//! into an [`AwsError`] that names the IAM action or the unreachable endpoint. No SDK type
//! leaves this module: sources ([`crate::sources`]) see only the plain types defined here.

pub mod athena;
pub mod bedrock;
pub mod bedrock_runtime;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
mod converse_tokens;
pub mod costexplorer;
pub mod error;
pub mod logs;
pub mod pace;
pub mod pricing;
pub mod s3;
pub mod sns;

pub use config::{Aws, AwsOptions, Service, region_from_env};
pub use error::AwsError;
pub use pace::Pacer;

/// A multi-threaded runtime of two workers, for callers that are not async (the CLI).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}
