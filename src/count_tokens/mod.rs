//! Exact input-token counts from Bedrock's CountTokens, and calibration of local estimates.
//!
//! Claude's current tokenizer is not public: locally its counts are the legacy Claude
//! vocabulary × 1.10 with a ±5% band ([`crate::tokenize::approx`]). Bedrock's CountTokens
//! (free; IAM `bedrock:CountTokens`) returns the input tokens a request would be billed for.
//! This module uses it three ways:
//!
//! - **exact counts** (`count --exact`, `estimate --exact`): every text or body is counted by
//!   the API ([`ExactCounter`]), `exact: true`, `source: count-tokens`;
//! - **calibration on a sample** (`estimate --batch F --calibrate N`): N records drawn
//!   reproducibly ([`sample`]) are counted exactly, the rest locally; the local counts are
//!   scaled by the measured mean of exact/local and the measured band replaces the
//!   documented one ([`calibrate`]);
//! - **calibration files** (`tokenizer calibrate … --write FILE`, then `--calibration FILE`).
//!
//! Calls run [`DEFAULT_CONCURRENCY`] at a time and at most [`DEFAULT_PER_SECOND`] starts per
//! second ([`crate::aws::Pacer`]); throttled calls are retried by the SDK's retry policy with
//! exponential backoff (`--max-attempts`). Work is done in pages of [`PAGE`] bodies: each
//! page's answers are cached ([`cache`], by model and body hash) before the next starts, so
//! an interrupted run keeps what it paid for in time, and a re-run makes no call.

pub mod batch;
pub mod body;
pub mod cache;
pub mod calibrate;
pub mod sample;
pub mod supported;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::aws::bedrock_runtime::{BedrockRuntime, CountBody};
use crate::aws::{Aws, AwsError, AwsOptions, Pacer};

/// Calls in flight at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Call starts per second, by default (CountTokens has its own per-account quota; this stays
/// well below the runtime quotas of a fresh account).
pub const DEFAULT_PER_SECOND: u32 = 10;
/// Bodies per page of work (cached before the next page starts).
pub const PAGE: usize = 256;

/// How to reach CountTokens.
#[derive(Debug, Clone)]
pub struct ExactSettings {
    pub aws: AwsOptions,
    /// Region to call (default: the configuration's, else us-east-1).
    pub region: Option<String>,
    pub concurrency: usize,
    pub per_second: u32,
    /// Read and write the answer cache.
    pub cache: bool,
}

impl Default for ExactSettings {
    fn default() -> Self {
        ExactSettings {
            aws: AwsOptions::default(),
            region: None,
            concurrency: DEFAULT_CONCURRENCY,
            per_second: DEFAULT_PER_SECOND,
            cache: true,
        }
    }
}

/// Why exact counting cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ExactError {
    #[error(
        "{model} is not a model Bedrock CountTokens counts for (it counts {}; see README, \"Exact counts\"); use --exact=auto to fall back to the local estimate",
        supported::COUNT_TOKENS_MODELS.join(", ")
    )]
    Unsupported { model: String },
    #[error("Bedrock CountTokens (bedrock:CountTokens) in {region}: {source}")]
    Aws {
        region: String,
        #[source]
        source: Box<AwsError>,
    },
}

/// The answer for one body: its tokens, or why this body (only) was not counted.
pub type Answer = Result<u64, String>;

/// Calls made and answers taken from the cache, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallStats {
    pub calls: u64,
    pub cached: u64,
}

/// Counts bodies for one bare model with CountTokens, cached, paced and concurrent.
pub struct ExactCounter {
    rt: tokio::runtime::Runtime,
    client: Arc<BedrockRuntime>,
    model_id: Arc<str>,
    cache: cache::Cache,
    concurrency: usize,
    pacer: Arc<Pacer>,
    stats: CallStats,
}

/// Whether an AWS failure stops the whole run (credentials, permissions, network,
/// throttling beyond the retries) rather than one body.
fn is_fatal(e: &AwsError) -> bool {
    !matches!(e, AwsError::Other { .. } | AwsError::Invalid(_))
}

impl ExactCounter {
    /// A counter for the bare model `model_id` (a profile ID must be resolved first).
    pub fn new(settings: &ExactSettings, model_id: &str) -> Result<ExactCounter, ExactError> {
        if !supported::supports(model_id) {
            return Err(ExactError::Unsupported {
                model: model_id.to_string(),
            });
        }
        let rt = crate::aws::runtime();
        let aws = rt.block_on(Aws::load(&settings.aws));
        let region = aws.region_or(settings.region.as_deref());
        let client = BedrockRuntime::new(&aws, &region);
        Ok(ExactCounter {
            rt,
            client: Arc::new(client),
            model_id: Arc::from(model_id),
            cache: cache::Cache::open(model_id, settings.cache),
            concurrency: settings.concurrency.max(1),
            pacer: Arc::new(Pacer::new(settings.per_second)),
            stats: CallStats::default(),
        })
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    pub fn region(&self) -> &str {
        self.client.region()
    }

    pub fn stats(&self) -> CallStats {
        self.stats
    }

    /// Counts every body, in pages; answers are in input order. A body the API refuses
    /// (validation) or that cannot be converted gets its own `Err`; credentials,
    /// permissions, network and lasting throttling stop the run.
    pub fn count_all(&mut self, bodies: &[CountBody]) -> Result<Vec<Answer>, ExactError> {
        let mut out = Vec::with_capacity(bodies.len());
        for page in bodies.chunks(PAGE) {
            let result = self.count_page(page);
            self.cache.save();
            out.extend(result?);
        }
        Ok(out)
    }

    fn count_page(&mut self, page: &[CountBody]) -> Result<Vec<Answer>, ExactError> {
        let hashes: Vec<u128> = page.iter().map(cache::body_hash).collect();
        let mut answers: Vec<Option<Answer>> =
            hashes.iter().map(|h| self.cache.get(*h).map(Ok)).collect();
        let todo: Vec<usize> = (0..page.len()).filter(|i| answers[*i].is_none()).collect();
        self.stats.cached += (page.len() - todo.len()) as u64;
        if !todo.is_empty() {
            let bodies: Arc<Vec<CountBody>> =
                Arc::new(todo.iter().map(|i| page[*i].clone()).collect());
            let got = self.rt.block_on(run_calls(
                self.client.clone(),
                self.model_id.clone(),
                bodies,
                self.concurrency,
                self.pacer.clone(),
            ));
            self.stats.calls += got.calls as u64;
            let region = self.region().to_string();
            for (k, r) in got.results.into_iter().enumerate() {
                let i = todo[k];
                match r {
                    Some(Ok(n)) => {
                        self.cache.insert(hashes[i], n);
                        answers[i] = Some(Ok(n));
                    }
                    Some(Err(e)) if is_fatal(&e) => {
                        return Err(ExactError::Aws {
                            region,
                            source: Box::new(e),
                        });
                    }
                    Some(Err(e)) => answers[i] = Some(Err(format!("CountTokens: {e}"))),
                    None => {}
                }
            }
            if let Some(e) = got.fatal {
                return Err(ExactError::Aws {
                    region,
                    source: Box::new(e),
                });
            }
        }
        Ok(answers
            .into_iter()
            .map(|a| a.expect("every body answered"))
            .collect())
    }
}

/// Each body's call result, in order (`None`: not called, after a fatal error).
type CallResults = Vec<Option<Result<u64, AwsError>>>;

struct Calls {
    results: CallResults,
    calls: usize,
    fatal: Option<AwsError>,
}

/// Runs the calls with `concurrency` workers taking the next body in turn, each waiting
/// for the pacer before it starts a call. The first fatal error stops the workers.
async fn run_calls(
    client: Arc<BedrockRuntime>,
    model: Arc<str>,
    bodies: Arc<Vec<CountBody>>,
    concurrency: usize,
    pacer: Arc<Pacer>,
) -> Calls {
    let n = bodies.len();
    let next = Arc::new(AtomicUsize::new(0));
    let made = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let results: Arc<Mutex<CallResults>> = Arc::new(Mutex::new((0..n).map(|_| None).collect()));
    let fatal: Arc<Mutex<Option<AwsError>>> = Arc::new(Mutex::new(None));
    let mut workers = Vec::new();
    for _ in 0..concurrency.min(n) {
        let (client, model, bodies, pacer) =
            (client.clone(), model.clone(), bodies.clone(), pacer.clone());
        let (next, made, stop, results, fatal) = (
            next.clone(),
            made.clone(),
            stop.clone(),
            results.clone(),
            fatal.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return;
                }
                pacer.wait().await;
                made.fetch_add(1, Ordering::Relaxed);
                let r = client.count_tokens(&model, &bodies[i]).await;
                match r {
                    Err(e) if is_fatal(&e) => {
                        stop.store(true, Ordering::Relaxed);
                        fatal.lock().expect("fatal lock").get_or_insert(e);
                        return;
                    }
                    r => results.lock().expect("results lock")[i] = Some(r),
                }
            }
        }));
    }
    for w in workers {
        w.await.expect("CountTokens worker");
    }
    let results = std::mem::take(&mut *results.lock().expect("results lock"));
    let fatal = fatal.lock().expect("fatal lock").take();
    Calls {
        results,
        calls: made.load(Ordering::Relaxed),
        fatal,
    }
}
