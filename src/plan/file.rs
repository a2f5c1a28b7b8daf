//! The workload file: parsing and validation.
//!
//! A workload file is TOML (a commented example is `examples/workload.toml`): an optional
//! `start = "YYYY-MM"` and one `[[workload]]` table per workload. Every problem is reported
//! with its file, line and field, and all of them are collected before giving up, so one run
//! shows everything to fix.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rust_decimal::Decimal;
use toml::Spanned;

use super::calendar::Month;
use super::samples;
use super::schema::{RawFile, RawProvisioned, RawWorkload};
use super::traffic::growth_factor;
use super::value::Checker;
use crate::catalog::diagnostic::{Diagnostic, Severity};
use crate::catalog::{Mode, ModelKind, Origin, SourceText, is_region_code};
use crate::estimate::CacheTtl;
use crate::resolve::{Resolved, Resolver};

/// The longest plan, in months.
pub const MAX_HORIZON_MONTHS: u64 = 60;
/// Tokens per request above this are refused (no model has a context window near it).
pub const MAX_TOKENS_PER_REQUEST: u64 = 10_000_000;
/// Daily requests, growth included, above this are refused: far beyond any real workload,
/// and it keeps a month's token totals well inside 64-bit counts.
pub const MAX_REQUESTS_PER_DAY: u64 = 10_000_000_000;
/// The horizon when a workload does not give one.
pub const DEFAULT_HORIZON_MONTHS: u32 = 12;

/// A validated workload file.
#[derive(Debug, Clone)]
pub struct WorkloadFile<'c> {
    /// The file name, for reports.
    pub name: String,
    /// First month of the plan.
    pub start: Month,
    pub workloads: Vec<Workload<'c>>,
}

/// Which days traffic comes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Days {
    EveryDay,
    /// Monday to Friday (public holidays not taken out).
    BusinessDays,
}

impl Days {
    pub fn as_str(self) -> &'static str {
        match self {
            Days::EveryDay => "every-day",
            Days::BusinessDays => "business-days",
        }
    }

    /// Days with traffic in `month`.
    pub fn in_month(self, month: Month) -> u32 {
        match self {
            Days::EveryDay => month.days(),
            Days::BusinessDays => month.business_days(),
        }
    }
}

/// How much traffic comes, and when.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Requests on a day with traffic, in the first month (before growth).
    pub requests_per_day: Decimal,
    /// 24 relative weights, hour 0 to hour 23, of how a day's requests spread over its hours;
    /// `None` is an even spread. Only the shape matters: the weights are divided by their sum.
    pub daily_shape: Option<Vec<Decimal>>,
    pub days: Days,
}

/// Tokens of one request: the typical size bills, the peak size decides capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCount {
    /// Mean, or the median (p50) when percentiles are given: what a request costs.
    pub typical: u64,
    /// The 95th percentile when given (else the mean): what capacity must absorb at peak.
    pub peak: u64,
}

/// Tokens per request. `input` is the whole prompt, cached prefix included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokens {
    pub input: TokenCount,
    pub output: TokenCount,
}

/// Prompt caching of a shared prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cache {
    /// Share of requests (0–1) that find the prefix in the cache.
    pub hit_rate: Decimal,
    /// Tokens of the shared prefix, part of each request's input.
    pub prefix_tokens: u64,
    pub ttl: CacheTtl,
}

/// Provisioned-throughput settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// Tokens per minute one model unit serves (input + output). AWS publishes this for few
    /// models, so it comes from the file; `None` only when provisioned is not priced.
    pub tokens_per_minute_per_unit: Option<u64>,
    /// Terms to price: `provisioned-no-commit`, `-1-month`, `-6-month`.
    pub terms: Vec<Mode>,
}

/// One validated workload.
#[derive(Debug, Clone)]
pub struct Workload<'c> {
    pub name: String,
    pub model: Resolved<'c>,
    pub region: String,
    pub traffic: Traffic,
    pub tokens: Tokens,
    pub cache: Option<Cache>,
    /// Share of requests (0–1) that tolerate batch latency.
    pub batch_share: Decimal,
    /// Month-on-month growth of traffic, compounding (0.05 = +5% a month).
    pub monthly_growth: Decimal,
    pub horizon_months: u32,
    pub provisioned: Provisioned,
    pub origin: Origin,
}

/// The workload file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("cannot read workload file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}", format_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

fn format_diagnostics(diags: &[Diagnostic]) -> String {
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    format!(
        "invalid workload file ({} error(s)):\n{}",
        errors.len(),
        errors.join("\n")
    )
}

/// Reads and validates a workload file. `today` decides the default start (next month).
pub fn load<'c>(
    path: &Path,
    resolver: &Resolver<'c>,
    today: Date,
) -> Result<WorkloadFile<'c>, WorkloadError> {
    let text = std::fs::read_to_string(path).map_err(|error| WorkloadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let src = SourceText {
        name: path.display().to_string(),
        text,
    };
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&src, base, resolver, today)
}

/// Validates a workload file's text. Sample paths are relative to `base_dir`.
pub fn parse<'c>(
    src: &SourceText,
    base_dir: &Path,
    resolver: &Resolver<'c>,
    today: Date,
) -> Result<WorkloadFile<'c>, WorkloadError> {
    let mut ck = Checker::new(&src.name, &src.text);
    let raw: RawFile = match toml::from_str(&src.text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| ck.line_at(s.start)).unwrap_or(1);
            ck.error(line, "", e.message().trim().to_string());
            return Err(WorkloadError::Invalid(ck.diags));
        }
    };
    let start = match &raw.start {
        Some(v) => ck.text(v, "start").and_then(|s| match s.parse::<Month>() {
            Ok(m) => Some(m),
            Err(e) => {
                let line = ck.line(v);
                ck.error(line, "start", e);
                None
            }
        }),
        None => Some(Month::containing(today).next()),
    };
    if raw.workload.is_empty() {
        ck.error(1, "workload", "no [[workload]] table: nothing to plan");
    }
    let mut workloads = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for w in &raw.workload {
        if let Some(v) = &w.get_ref().name
            && let toml::Value::String(name) = v.get_ref()
        {
            let line = ck.line(v);
            if let Some(first) = names.insert(name.trim().to_ascii_lowercase(), line) {
                ck.error(
                    line,
                    "name",
                    format!("duplicate workload name `{name}` (first at line {first})"),
                );
            }
        }
        workloads.extend(workload(&mut ck, w, base_dir, resolver));
    }
    ck.diags.sort_by_key(|d| d.line);
    match start {
        Some(start) if ck.error_count() == 0 => Ok(WorkloadFile {
            name: src.name.clone(),
            start,
            workloads,
        }),
        _ => Err(WorkloadError::Invalid(ck.diags)),
    }
}

/// Validates one `[[workload]]` table; `None` when it has errors (already recorded).
fn workload<'c>(
    ck: &mut Checker<'_>,
    spanned: &Spanned<RawWorkload>,
    base_dir: &Path,
    resolver: &Resolver<'c>,
) -> Option<Workload<'c>> {
    let w = spanned.get_ref();
    let line = ck.line(spanned);
    let errors_before = ck.error_count();

    let name = match &w.name {
        Some(v) => ck.text(v, "name").filter(|n| {
            let ok = !n.is_empty();
            if !ok {
                let l = ck.line(v);
                ck.error(l, "name", "the name is empty");
            }
            ok
        }),
        None => {
            ck.error(line, "name", "each workload needs a `name`");
            None
        }
    };
    let model = model(ck, w, line, resolver);
    let region = region(ck, w, model.as_ref());
    let traffic = traffic(ck, w, line);
    let tokens = tokens(ck, w, line, model.as_ref(), base_dir);
    let cache = cache(ck, w, tokens.as_ref());
    let batch_share = match &w.batch_share {
        Some(v) => ck.fraction(v, "batch_share"),
        None => Some(Decimal::ZERO),
    };
    let monthly_growth = match &w.monthly_growth {
        Some(v) => ck.decimal(v, "monthly_growth").filter(|g| {
            let ok = *g > -Decimal::ONE && *g <= Decimal::TEN;
            if !ok {
                let l = ck.line(v);
                ck.error(
                    l,
                    "monthly_growth",
                    format!("{g} is out of range: give a fraction above -1 and at most 10 (0.05 = +5% a month)"),
                );
            }
            ok
        }),
        None => Some(Decimal::ZERO),
    };
    let horizon_months = match &w.horizon_months {
        Some(v) => ck.whole(v, "horizon_months", 1..=MAX_HORIZON_MONTHS),
        None => Some(u64::from(DEFAULT_HORIZON_MONTHS)),
    };
    if let (Some(t), Some(g), Some(h)) = (&traffic, monthly_growth, horizon_months) {
        too_much_traffic(ck, w, t.requests_per_day, g, h);
    }
    let provisioned = provisioned(ck, w, line, model.as_ref(), region.as_deref());

    if ck.error_count() > errors_before {
        return None;
    }
    Some(Workload {
        name: name?,
        model: model?,
        region: region?,
        traffic: traffic?,
        tokens: tokens?,
        cache: cache?,
        batch_share: batch_share?,
        monthly_growth: monthly_growth?,
        horizon_months: u32::try_from(horizon_months?).ok()?,
        provisioned: provisioned?,
        origin: Origin {
            file: ck.file.to_string(),
            line,
        },
    })
}

/// Refuses traffic that would pass [`MAX_REQUESTS_PER_DAY`] within the horizon.
fn too_much_traffic(
    ck: &mut Checker<'_>,
    w: &RawWorkload,
    daily: Decimal,
    growth: Decimal,
    horizon: u64,
) {
    let last = u32::try_from(horizon).unwrap_or(u32::MAX).saturating_sub(1);
    let last_daily = growth_factor(growth, last).and_then(|f| f.checked_mul(daily));
    let max = Decimal::from(MAX_REQUESTS_PER_DAY);
    if last_daily.is_some_and(|d| d <= max) && daily <= max {
        return;
    }
    let (field, value) = if daily > max {
        match &w.requests_per_day {
            Some(v) => ("requests_per_day", v),
            None => (
                "requests_per_hour",
                w.requests_per_hour.as_ref().expect("traffic was given"),
            ),
        }
    } else {
        (
            "monthly_growth",
            w.monthly_growth
                .as_ref()
                .expect("growth makes traffic grow"),
        )
    };
    let l = ck.line(value);
    ck.error(
        l,
        field,
        format!("traffic would pass {MAX_REQUESTS_PER_DAY} requests a day within the horizon: too large to plan"),
    );
}

fn model<'c>(
    ck: &mut Checker<'_>,
    w: &RawWorkload,
    line: usize,
    resolver: &Resolver<'c>,
) -> Option<Resolved<'c>> {
    let Some(v) = &w.model else {
        ck.error(
            line,
            "model",
            "each workload needs a `model` (any Bedrock model ID form)",
        );
        return None;
    };
    let id = ck.text(v, "model")?;
    let l = ck.line(v);
    match resolver.resolve(&id) {
        Ok(r) if r.model.kind == ModelKind::Image => {
            ck.error(
                l,
                "model",
                format!(
                    "{} bills per image: the planner prices token traffic (use `estimate --images`)",
                    r.model.id
                ),
            );
            None
        }
        Ok(r) => Some(r),
        Err(e) => {
            ck.error(l, "model", e.to_string());
            None
        }
    }
}

/// The Region: the file's, else the model ARN's, else us-east-1. (Not the AWS environment
/// variables: a plan should price the same on every machine.)
fn region(ck: &mut Checker<'_>, w: &RawWorkload, model: Option<&Resolved<'_>>) -> Option<String> {
    match &w.region {
        Some(v) => {
            let r = ck.text(v, "region")?.to_ascii_lowercase();
            if is_region_code(&r) {
                Some(r)
            } else {
                let l = ck.line(v);
                ck.error(
                    l,
                    "region",
                    format!("`{r}` is not an AWS Region code (like us-east-1)"),
                );
                None
            }
        }
        None => Some(
            model
                .and_then(|m| m.region.clone())
                .unwrap_or_else(|| "us-east-1".to_string()),
        ),
    }
}

fn traffic(ck: &mut Checker<'_>, w: &RawWorkload, line: usize) -> Option<Traffic> {
    let per_day = match (&w.requests_per_day, &w.requests_per_hour) {
        (Some(d), None) => ck.positive(d, "requests_per_day"),
        (None, Some(h)) => ck
            .positive(h, "requests_per_hour")
            .map(|h| h * Decimal::from(24)),
        (Some(_), Some(h)) => {
            let l = ck.line(h);
            ck.error(
                l,
                "requests_per_hour",
                "give either requests_per_day or requests_per_hour, not both",
            );
            None
        }
        (None, None) => {
            ck.error(
                line,
                "requests_per_day",
                "each workload needs `requests_per_day` (or `requests_per_hour`)",
            );
            None
        }
    };
    let shape = match &w.daily_shape {
        None => Some(None),
        Some(list) => {
            let l = ck.line(list);
            let weights: Vec<Option<Decimal>> = list
                .get_ref()
                .iter()
                .map(|v| ck.non_negative(v, "daily_shape"))
                .collect();
            if list.get_ref().len() != 24 {
                ck.error(
                    l,
                    "daily_shape",
                    format!(
                        "give 24 hourly weights (hour 0 to 23), got {}",
                        list.get_ref().len()
                    ),
                );
                None
            } else if weights.iter().any(Option::is_none) {
                None
            } else {
                let weights: Vec<Decimal> = weights.into_iter().flatten().collect();
                if weights.iter().all(Decimal::is_zero) {
                    ck.error(l, "daily_shape", "every weight is zero");
                    None
                } else {
                    Some(Some(weights))
                }
            }
        }
    };
    let days = match &w.days {
        None => Some(Days::EveryDay),
        Some(v) => match ck.text(v, "days")?.as_str() {
            "every-day" => Some(Days::EveryDay),
            "business-days" => Some(Days::BusinessDays),
            other => {
                let l = ck.line(v);
                ck.error(
                    l,
                    "days",
                    format!("`{other}`: expected `every-day` or `business-days`"),
                );
                None
            }
        },
    };
    Some(Traffic {
        requests_per_day: per_day?,
        daily_shape: shape?,
        days: days?,
    })
}

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

fn tokens(
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

fn cache(ck: &mut Checker<'_>, w: &RawWorkload, tokens: Option<&Tokens>) -> Option<Option<Cache>> {
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

/// Parses a term name: `no-commit`, `1-month`, `6-month` (or the full mode name).
fn term(name: &str) -> Option<Mode> {
    let full = if name.starts_with("provisioned-") {
        name.to_string()
    } else {
        format!("provisioned-{name}")
    };
    full.parse::<Mode>().ok().filter(|m| m.is_provisioned())
}

const ALL_TERMS: [Mode; 3] = [
    Mode::ProvisionedNoCommit,
    Mode::Provisioned1Month,
    Mode::Provisioned6Month,
];

fn provisioned(
    ck: &mut Checker<'_>,
    w: &RawWorkload,
    line: usize,
    model: Option<&Resolved<'_>>,
    region: Option<&str>,
) -> Option<Provisioned> {
    let raw: Option<&Spanned<RawProvisioned>> = w.provisioned.as_ref();
    let capacity = match raw.and_then(|p| p.get_ref().tokens_per_minute_per_unit.as_ref()) {
        Some(v) => Some(ck.whole(v, "provisioned.tokens_per_minute_per_unit", 1..=u64::MAX)?),
        None => None,
    };
    let terms = match raw.and_then(|p| p.get_ref().terms.as_ref()) {
        None => ALL_TERMS.to_vec(),
        Some(list) => {
            let mut terms = Vec::new();
            for v in list.get_ref() {
                let name = ck.text(v, "provisioned.terms")?;
                match term(&name) {
                    Some(m) if !terms.contains(&m) => terms.push(m),
                    Some(_) => {}
                    None => {
                        let l = ck.line(v);
                        ck.error(
                            l,
                            "provisioned.terms",
                            format!("`{name}`: expected `no-commit`, `1-month` or `6-month`"),
                        );
                        return None;
                    }
                }
            }
            terms
        }
    };
    if capacity.is_none() && !terms.is_empty() {
        let (model, region) = (model?, region?);
        let priced: Vec<String> = model
            .model
            .modes(Some(region))
            .into_iter()
            .filter(|m| m.is_provisioned() && terms.contains(m))
            .map(|m| m.to_string())
            .collect();
        if raw.is_some() || !priced.is_empty() {
            let l = raw.map(|p| ck.line(p)).unwrap_or(line);
            let why = if priced.is_empty() {
                "[workload.provisioned] asks for provisioned throughput".to_string()
            } else {
                format!(
                    "{} has provisioned-throughput prices in {region} ({})",
                    model.model.id,
                    priced.join(", ")
                )
            };
            ck.error(
                l,
                "provisioned.tokens_per_minute_per_unit",
                format!(
                    "{why} but no model-unit capacity: add `[workload.provisioned]` with `tokens_per_minute_per_unit = N`, the tokens per minute one model unit serves (AWS does not publish it for most models: ask your account team or read it in the console), or `terms = []` there to leave provisioned throughput out"
                ),
            );
            return None;
        }
    }
    Some(Provisioned {
        tokens_per_minute_per_unit: capacity,
        terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_names() {
        assert_eq!(term("6-month"), Some(Mode::Provisioned6Month));
        assert_eq!(
            term("provisioned-no-commit"),
            Some(Mode::ProvisionedNoCommit)
        );
        assert_eq!(term("on-demand"), None);
        assert_eq!(term("provisioned-batch"), None);
        assert_eq!(term("2-month"), None);
    }
}
