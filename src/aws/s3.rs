//! Amazon S3: delimiter listings, object listings and downloads, as plain data — what the
//! CloudTrail source needs to read trail files (`AWSLogs/<account>/CloudTrail/<region>/…`).
//!
//! With an endpoint override (a local test server, a private endpoint) requests use
//! path-style addressing (`http://host/bucket/key`), which such servers expect.
//!
//! IAM actions: `s3:ListBucket` (ListObjectsV2), `s3:GetObject`.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::Region;

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "S3",
    env: "S3",
    host: "s3",
};

/// An object as ListObjectsV2 lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    /// Bytes.
    pub size: u64,
}

/// S3 in one Region (cheap to clone: clones share the connection pool).
#[derive(Clone)]
pub struct S3 {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl S3 {
    pub fn new(aws: &Aws, region: &str) -> S3 {
        let overridden = aws.endpoint_override(SERVICE).is_some();
        let conf = aws_sdk_s3::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .force_path_style(overridden)
            .build();
        S3 {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// The "folders" directly under `prefix` (ListObjectsV2 with delimiter `/`), each a
    /// full prefix ending in `/`, in S3's (lexicographic) order, following continuation.
    /// Returns the prefixes and the number of calls made.
    pub async fn list_common_prefixes(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<(Vec<String>, u64), AwsError> {
        let site = self.site("s3:ListBucket");
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .delimiter("/")
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            found.extend(
                resp.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_string)),
            );
            match resp.next_continuation_token() {
                Some(t) if resp.is_truncated() == Some(true) && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok((found, calls))
    }

    /// Every object whose key starts with `prefix`, in key order, following continuation.
    /// Returns the objects and the number of calls made.
    pub async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<(Vec<ListedObject>, u64), AwsError> {
        let site = self.site("s3:ListBucket");
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        let mut calls = 0;
        loop {
            let resp = self
                .client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            found.extend(resp.contents().iter().filter_map(|o| {
                Some(ListedObject {
                    key: o.key()?.to_string(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                })
            }));
            match resp.next_continuation_token() {
                Some(t) if resp.is_truncated() == Some(true) && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok((found, calls))
    }

    /// The bytes of one object (the whole body, as stored: a `.json.gz` stays gzipped).
    pub async fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, AwsError> {
        let site = self.site("s3:GetObject");
        let resp = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| from_sdk(e, &site))?;
        let body = resp.body.collect().await.map_err(|e| AwsError::Other {
            action: site.action.to_string(),
            region: self.region.clone(),
            detail: format!("reading s3://{bucket}/{key}: {e}"),
        })?;
        Ok(body.into_bytes().to_vec())
    }

    /// Bytes `start..end` (end exclusive) of one object: a ranged GetObject
    /// (`Range: bytes=start-(end-1)`), so a multi-gigabyte object is read a part at a time.
    /// Errors name the object (`s3://bucket/key`).
    pub async fn get_object_range(
        &self,
        bucket: &str,
        key: &str,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, AwsError> {
        let site = self.site("s3:GetObject");
        let named = |e: AwsError| name_object(e, bucket, key);
        if end <= start {
            return Ok(Vec::new());
        }
        let resp = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes={start}-{}", end - 1))
            .send()
            .await
            .map_err(|e| named(from_sdk(e, &site)))?;
        let body = resp.body.collect().await.map_err(|e| AwsError::Other {
            action: site.action.to_string(),
            region: self.region.clone(),
            detail: format!("reading s3://{bucket}/{key} bytes {start}-{}: {e}", end - 1),
        })?;
        // One buffer per part: no copy when the body arrived in one piece.
        Ok(Vec::from(body.into_bytes()))
    }
}

/// Adds the object to an error's text (`… s3://bucket/key …`) where the SDK's own does not
/// say which object failed.
fn name_object(e: AwsError, bucket: &str, key: &str) -> AwsError {
    let object = format!("s3://{bucket}/{key}");
    match e {
        AwsError::AccessDenied {
            service,
            action,
            region,
            code,
            message,
        } => AwsError::AccessDenied {
            service,
            action,
            region,
            code,
            message: format!("{message} (reading {object})"),
        },
        AwsError::Other {
            action,
            region,
            detail,
        } => AwsError::Other {
            action,
            region,
            detail: format!("{object}: {detail}"),
        },
        other => other,
    }
}

/// A bucket and a key prefix, from `s3://BUCKET/PREFIX` (the prefix may be empty; a
/// trailing `/` is added when missing, so `s3://b/logs` and `s3://b/logs/` are the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Empty, or ends with `/`.
    pub prefix: String,
}

/// Parses `s3://BUCKET[/PREFIX]`. Bucket names follow S3's rules (3–63 characters of
/// lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit).
pub fn parse_s3_uri(uri: &str) -> Result<S3Location, AwsError> {
    let bad = |why: &str| {
        AwsError::Invalid(format!(
            "not an S3 location: {uri:?} ({why}); expected s3://BUCKET/PREFIX"
        ))
    };
    let rest = uri
        .strip_prefix("s3://")
        .ok_or_else(|| bad("it must start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad("no bucket name"));
    }
    let valid_chars = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=63).contains(&bucket.len())
        || !valid_chars
        || !ends_ok(bucket.bytes().next())
        || !ends_ok(bucket.bytes().last())
    {
        return Err(bad(
            "a bucket name has 3 to 63 lowercase letters, digits, '.' or '-'",
        ));
    }
    if prefix.chars().any(char::is_control) {
        return Err(bad("the prefix has a control character"));
    }
    let prefix = prefix.trim_start_matches('/');
    let prefix = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    Ok(S3Location {
        bucket: bucket.to_string(),
        prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn s3_uris_become_bucket_and_prefix() {
        let l = parse_s3_uri("s3://my-trail-bucket/org/logs").unwrap();
        assert_eq!(l.bucket, "my-trail-bucket");
        assert_eq!(l.prefix, "org/logs/");
        assert_eq!(parse_s3_uri("s3://my-trail-bucket/org/logs/").unwrap(), l);
        let bare = parse_s3_uri("s3://b.example-1").unwrap();
        assert_eq!(bare.prefix, "");
        assert_eq!(parse_s3_uri("s3://b.example-1/").unwrap().prefix, "");
    }

    #[test]
    fn bad_uris_say_what_is_wrong() {
        for (uri, why) in [
            ("https://bucket/x", "s3://"),
            ("s3://", "no bucket"),
            ("s3:///prefix", "no bucket"),
            ("s3://Upper/x", "bucket name"),
            ("s3://ab/x", "bucket name"),
            ("s3://-bucket/x", "bucket name"),
            ("s3://bucket/a\u{1b}[2Jb", "control"),
        ] {
            let e = parse_s3_uri(uri).unwrap_err().to_string();
            assert!(e.contains(why), "{uri}: {e}");
            assert!(e.contains("s3://BUCKET/PREFIX"), "{e}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_keeps_the_prefix(s in "\\PC{0,40}", p in "[a-z0-9/]{0,20}") {
            let _ = parse_s3_uri(&s);
            let _ = parse_s3_uri(&format!("s3://{s}"));
            let l = parse_s3_uri(&format!("s3://bucket-1/{p}")).unwrap();
            prop_assert_eq!(l.bucket, "bucket-1");
            prop_assert!(l.prefix.is_empty() || l.prefix.ends_with('/'));
            prop_assert_eq!(l.prefix.trim_end_matches('/'), p.trim_start_matches('/').trim_end_matches('/'));
        }
    }
}
