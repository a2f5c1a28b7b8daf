//! Walking a delivery layout in S3 (CloudTrail trail files, model-invocation logs): the
//! folder helpers both layouts share, and the last two steps of every walk — list the leaf
//! folders of the range, download their log files — bounded and in key order.

use std::collections::VecDeque;

use crate::aws::AwsError;
use crate::aws::s3::S3;

/// A 12-digit AWS account id.
pub(crate) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The last folder name of a delimiter listing's prefix (`a/b/c/` → `c`).
pub(crate) fn leaf(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Whether a key is a log file (`.json.gz` or `.json`); digests, permission checks and the
/// like are not.
pub(crate) fn is_log_file(key: &str) -> bool {
    key.ends_with(".json.gz") || key.ends_with(".json")
}

/// What listing the leaf folders and downloading their log files did.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// The leaf folders, in order, with the ListObjectsV2 calls each took.
    pub listed: Vec<(String, u64)>,
    /// Keys downloaded, in the order they were handed over.
    pub fetched_keys: Vec<String>,
    /// Bytes downloaded (as stored).
    pub bytes: u64,
    /// Objects that are not log files, not fetched.
    pub skipped_keys: Vec<String>,
}

/// Lists every folder of `prefixes` (at most `limit` listings in flight), then downloads
/// their log files (at most `limit` at once) and hands each `(s3://bucket/key, bytes)` to
/// `on_file` in key order.
pub(crate) async fn list_and_fetch(
    s3: &S3,
    bucket: &str,
    prefixes: Vec<String>,
    limit: usize,
    on_file: &mut (dyn FnMut(&str, Vec<u8>) + Send),
) -> Result<Walked, AwsError> {
    let limit = limit.max(1);
    let mut walked = Walked::default();
    let mut listings = Vec::new();
    in_order(prefixes.clone(), limit, {
        let (s3, bucket) = (s3.clone(), bucket.to_string());
        move |prefix: String| {
            let (s3, bucket) = (s3.clone(), bucket.clone());
            async move { s3.list_objects(&bucket, &prefix).await }
        }
    })
    .run(|listing| {
        listings.push(listing);
        Ok(())
    })
    .await?;
    let mut keys = Vec::new();
    for (prefix, (objects, calls)) in prefixes.into_iter().zip(listings) {
        walked.listed.push((prefix, calls));
        for o in objects {
            if is_log_file(&o.key) {
                keys.push(o.key);
            } else {
                walked.skipped_keys.push(o.key);
            }
        }
    }
    let mut next = keys.clone().into_iter();
    in_order(keys, limit, {
        let (s3, bucket) = (s3.clone(), bucket.to_string());
        move |key: String| {
            let (s3, bucket) = (s3.clone(), bucket.clone());
            async move { s3.get_object(&bucket, &key).await }
        }
    })
    .run(|bytes| {
        let key = next.next().expect("one key per download");
        walked.bytes += bytes.len() as u64;
        on_file(&format!("s3://{bucket}/{key}"), bytes);
        walked.fetched_keys.push(key);
        Ok(())
    })
    .await?;
    Ok(walked)
}

/// Runs `job` on every item with at most `limit` in flight, and hands the results over in
/// the items' order (a slow first item holds back the others' results, not their work).
pub(crate) struct InOrder<I, F> {
    items: Vec<I>,
    limit: usize,
    job: F,
}

pub(crate) fn in_order<I, F>(items: Vec<I>, limit: usize, job: F) -> InOrder<I, F> {
    InOrder { items, limit, job }
}

impl<I, F, Fut, T> InOrder<I, F>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, AwsError>> + Send + 'static,
    T: Send + 'static,
{
    pub(crate) async fn run(
        self,
        mut each: impl FnMut(T) -> Result<(), AwsError>,
    ) -> Result<(), AwsError> {
        let mut pending = self.items.into_iter();
        let mut running: VecDeque<tokio::task::JoinHandle<Result<T, AwsError>>> = VecDeque::new();
        loop {
            while running.len() < self.limit {
                match pending.next() {
                    Some(item) => running.push_back(tokio::spawn((self.job)(item))),
                    None => break,
                }
            }
            let Some(first) = running.pop_front() else {
                return Ok(());
            };
            let result = first
                .await
                .expect("an S3 task panicked")
                .and_then(&mut each);
            if let Err(e) = result {
                running.iter().for_each(|h| h.abort());
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_bounded_and_delivered_in_order() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut got = Vec::new();
        let (n, m) = (now.clone(), max.clone());
        rt.block_on(
            in_order((0..20).collect(), 3, move |i: usize| {
                let (n, m) = (n.clone(), m.clone());
                async move {
                    let running = n.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(running, Ordering::SeqCst);
                    // Later items finish first: order must come from the queue.
                    for _ in 0..(20 - i) {
                        tokio::task::yield_now().await;
                    }
                    n.fetch_sub(1, Ordering::SeqCst);
                    Ok(i * 10)
                }
            })
            .run(|v| {
                got.push(v);
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(got, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(max.load(Ordering::SeqCst), 3);
        // An error stops the walk and is returned.
        let err = rt
            .block_on(
                in_order((0..5).collect(), 2, |i: usize| async move {
                    if i == 1 {
                        Err(AwsError::Invalid("boom".into()))
                    } else {
                        Ok(i)
                    }
                })
                .run(|_| Ok(())),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "boom");
    }

    #[test]
    fn runs_are_bounded_and_in_order() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (n, m) = (now.clone(), max.clone());
        let mut got = Vec::new();
        rt.block_on(
            in_order((0..12).collect(), 4, move |i: usize| {
                let (n, m) = (n.clone(), m.clone());
                async move {
                    m.fetch_max(n.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    for _ in 0..(12 - i) {
                        tokio::task::yield_now().await;
                    }
                    n.fetch_sub(1, Ordering::SeqCst);
                    Ok(i)
                }
            })
            .run(|v| {
                got.push(v);
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(got, (0..12).collect::<Vec<_>>());
        assert_eq!(max.load(Ordering::SeqCst), 4);
    }
}
