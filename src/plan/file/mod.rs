//! The workload file: parsing and validation.
//!
//! A workload file is TOML (a commented example is `examples/workload.toml`): an optional
//! `start = "YYYY-MM"` and one `[[workload]]` table per workload. Every problem is reported
//! with its file, line and field, and all of them are collected before giving up, so one run
//! shows everything to fix.

mod capacity;
mod tokens;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rust_decimal::Decimal;
use toml::Spanned;

use super::calendar::Month;
use super::schema::{RawFile, RawWorkload};
use super::traffic::growth_factor;
use super::value::Checker;
use super::workload::{Days, Traffic, Workload, WorkloadFile};
use crate::catalog::diagnostic::Diagnostic;
use crate::catalog::{ModelKind, Origin, SourceText, is_region_code};
use crate::resolve::{Resolved, Resolver};
use capacity::provisioned;
use tokens::{cache, tokens};

/// The longest plan, in months.
pub const MAX_HORIZON_MONTHS: u64 = 60;
/// Tokens per request above this are refused (no model has a context window near it).
pub const MAX_TOKENS_PER_REQUEST: u64 = 10_000_000;
/// Daily requests, growth included, above this are refused: far beyond any real workload,
/// and it keeps a month's token totals well inside 64-bit counts.
pub const MAX_REQUESTS_PER_DAY: u64 = 10_000_000_000;
/// The horizon when a workload does not give one.
pub const DEFAULT_HORIZON_MONTHS: u32 = 12;

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
    crate::catalog::diagnostic::summarize_errors("workload file", diags)
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
