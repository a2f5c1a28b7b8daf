//! Token sizes, sample prompts and prompt caching of a `[[workload]]` table.

use std::path::Path;

use toml::Spanned;

use super::MAX_TOKENS_PER_REQUEST;
use crate::catalog::ModelKind;
use crate::estimate::CacheTtl;
use crate::plan::samples;
use crate::plan::schema::RawWorkload;
use crate::plan::value::Checker;
use crate::plan::workload::{Cache, TokenCount, Tokens};
use crate::resolve::Resolved;

type Spv = Option<Spanned<toml::Value>>;

/// One token size: a mean, or p50 + p95. `Ok(None)`: none given.
fn token_count(
    ck: &mut Checker<'_>,
    (mean, p50, p95): (&Spv, &Spv, &Spv),
    what: &str,
) -> Result<Option<TokenCount>, ()> {
    let f = |suffix: &str| format!("{what}{suffix}");
    match (mean, p50, p95) {
        (None, None, None) => Ok(None),
        (Some(m), None, None) => {
            let n = ck.whole(m, &f(""), 0..=MAX_TOKENS_PER_REQUEST).ok_or(())?;
            Ok(Some(TokenCount {
                typical: n,
                peak: n,
            }))
        }
        (Some(m), _, _) => {
            let l = ck.line(m);
            ck.error(
                l,
                &f(""),
                format!("give either {what} (the mean) or {what}_p50 and {what}_p95, not both"),
            );
            Err(())
        }
        (None, Some(a), Some(b)) => {
            let p50 = ck.whole(a, &f("_p50"), 0..=MAX_TOKENS_PER_REQUEST);
            let p95 = ck.whole(b, &f("_p95"), 0..=MAX_TOKENS_PER_REQUEST);
            let (p50, p95) = (p50.ok_or(())?, p95.ok_or(())?);
            if p95 < p50 {
                let l = ck.line(b);
                ck.error(
                    l,
                    &f("_p95"),
                    format!("the 95th percentile ({p95}) is below the median ({p50})"),
                );
                return Err(());
            }
            Ok(Some(TokenCount {
                typical: p50,
                peak: p95,
            }))
        }
        (None, Some(a), None) => {
            let l = ck.line(a);
            ck.error(l, &f("_p95"), format!("{what}_p50 needs {what}_p95 too"));
            Err(())
        }
        (None, None, Some(b)) => {
            let l = ck.line(b);
            ck.error(l, &f("_p50"), format!("{what}_p95 needs {what}_p50 too"));
            Err(())
        }
    }
}

pub(super) fn tokens(
    ck: &mut Checker<'_>,
    w: &RawWorkload,
    line: usize,
    model: Option<&Resolved<'_>>,
    base_dir: &Path,
) -> Option<Tokens> {
    let input = token_count(
        ck,
        (&w.input_tokens, &w.input_tokens_p50, &w.input_tokens_p95),
        "input_tokens",
    );
    let output = token_count(
        ck,
        (&w.output_tokens, &w.output_tokens_p50, &w.output_tokens_p95),
        "output_tokens",
    );
    let from_samples = match &w.samples {
        None => Ok(None),
        Some(list) => sample_tokens(ck, list, model, base_dir, matches!(input, Ok(Some(_)))),
    };
    let input = match (input, from_samples) {
        (Ok(Some(t)), Ok(None)) | (Ok(None), Ok(Some(t))) => Some(t),
        (Ok(None), Ok(None)) => {
            ck.error(
                line,
                "input_tokens",
                "each workload needs `input_tokens` (or `input_tokens_p50` and `input_tokens_p95`)",
            );
            None
        }
        _ => None,
    };
    if input.is_some_and(|t| t.typical == 0) {
        ck.error(
            line,
            "input_tokens",
            "a request has at least one input token",
        );
        return None;
    }
    let embedding = model.is_some_and(|m| {
        matches!(
            m.model.kind,
            ModelKind::Embedding | ModelKind::MultimodalEmbedding
        )
    });
    let output = match output {
        Ok(Some(t)) => Some(t),
        Ok(None) if embedding => Some(TokenCount {
            typical: 0,
            peak: 0,
        }),
        Ok(None) => {
            ck.error(
                line,
                "output_tokens",
                "each workload needs `output_tokens` (or `output_tokens_p50` and `output_tokens_p95`)",
            );
            None
        }
        Err(()) => None,
    };
    Some(Tokens {
        input: input?,
        output: output?,
    })
}

/// Checks `samples` (paths exist, relative to the workload file) and hands them to the
/// tokenizer seam. `Ok(None)` is never returned for a non-empty list that tokenized.
fn sample_tokens(
    ck: &mut Checker<'_>,
    list: &Spanned<Vec<Spanned<toml::Value>>>,
    model: Option<&Resolved<'_>>,
    base_dir: &Path,
    input_given: bool,
) -> Result<Option<TokenCount>, ()> {
    let l = ck.line(list);
    if input_given {
        ck.error(
            l,
            "samples",
            "give either samples or input token counts, not both",
        );
        return Err(());
    }
    if list.get_ref().is_empty() {
        ck.error(l, "samples", "the list is empty");
        return Err(());
    }
    let mut paths = Vec::new();
    for v in list.get_ref() {
        let Some(p) = ck.text(v, "samples") else {
            return Err(());
        };
        let path = base_dir.join(&p);
        if !path.is_file() {
            let vl = ck.line(v);
            ck.error(
                vl,
                "samples",
                format!("no file `{}` (paths are relative to the workload file)", p),
            );
            return Err(());
        }
        paths.push(path);
    }
    let Some(model) = model else {
        return Err(());
    };
    match samples::sample_tokens(model.model, &paths) {
        Ok(t) => Ok(Some(t)),
        Err(e) => {
            ck.error(l, "samples", e);
            Err(())
        }
    }
}

pub(super) fn cache(
    ck: &mut Checker<'_>,
    w: &RawWorkload,
    tokens: Option<&Tokens>,
) -> Option<Option<Cache>> {
    let ttl = match &w.cache_ttl {
        None => Some(CacheTtl::FiveMinutes),
        Some(v) => match ck.text(v, "cache_ttl")?.as_str() {
            "5m" => Some(CacheTtl::FiveMinutes),
            "1h" => Some(CacheTtl::OneHour),
            other => {
                let l = ck.line(v);
                ck.error(l, "cache_ttl", format!("`{other}`: expected `5m` or `1h`"));
                None
            }
        },
    };
    let hit = w
        .cache_hit_rate
        .as_ref()
        .map(|v| ck.fraction(v, "cache_hit_rate"));
    let prefix = w
        .cached_prefix_tokens
        .as_ref()
        .map(|v| ck.whole(v, "cached_prefix_tokens", 1..=MAX_TOKENS_PER_REQUEST));
    match (hit, prefix) {
        (None, None) => Some(None),
        (Some(h), Some(p)) => {
            let (h, p, ttl) = (h?, p?, ttl?);
            if let Some(t) = tokens
                && p > t.input.typical
            {
                let v = w.cached_prefix_tokens.as_ref()?;
                let l = ck.line(v);
                ck.error(
                    l,
                    "cached_prefix_tokens",
                    format!(
                        "the cached prefix ({p} tokens) is longer than a typical request's input ({} tokens); input_tokens counts the whole prompt, prefix included",
                        t.input.typical
                    ),
                );
                return None;
            }
            Some(Some(Cache {
                hit_rate: h,
                prefix_tokens: p,
                ttl,
            }))
        }
        (Some(_), None) => {
            let l = ck.line(w.cache_hit_rate.as_ref()?);
            ck.error(
                l,
                "cached_prefix_tokens",
                "cache_hit_rate needs cached_prefix_tokens: how many tokens of each prompt are the shared, cached prefix",
            );
            None
        }
        (None, Some(_)) => {
            let l = ck.line(w.cached_prefix_tokens.as_ref()?);
            ck.error(
                l,
                "cache_hit_rate",
                "cached_prefix_tokens needs cache_hit_rate: the share of requests (0 to 1) that find the prefix in the cache",
            );
            None
        }
    }
}
