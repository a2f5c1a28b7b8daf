//! Whole-catalog sanity checks: duplicates (errors) and suspicious prices (warnings).

use std::collections::HashMap;

use super::diagnostic::{Diagnostic, Severity};
use super::model::{Model, PriceKey};
use super::types::{Mode, Scope};

fn diag(severity: Severity, file: &str, line: usize, field: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        file: file.to_string(),
        line,
        field: Some(field.to_string()),
        message,
    }
}

/// Two rows of one model with the same key that share a Region.
pub fn duplicate_rows(model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: HashMap<(PriceKey, &str, jiff::civil::Date), usize> = HashMap::new();
    for p in &model.prices {
        for r in &p.regions {
            if let Some(first) = seen.insert((p.key(), r.as_str(), p.effective), p.origin.line) {
                out.push(diag(
                    Severity::Error,
                    &p.origin.file,
                    p.origin.line,
                    "prices",
                    format!(
                        "duplicate price for {} {} {} in {r} effective {} (first at line {first})",
                        model.id, p.mode, p.dimension, p.effective
                    ),
                ));
            }
        }
    }
    out
}

/// Prices that parse but look wrong.
pub fn suspicious_prices(model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !model.is_priced() {
        out.push(diag(
            Severity::Warning,
            &model.origin.file,
            model.origin.line,
            "prices",
            format!("{} has no price: it will be reported as unpriced", model.id),
        ));
    }
    for p in &model.prices {
        for r in &p.regions {
            let twin = |mode: Mode, scope: Scope| {
                model.prices.iter().find(|q| {
                    q.mode == mode
                        && q.scope == scope
                        && q.dimension == p.dimension
                        && q.custom == p.custom
                        && q.above_input_tokens == p.above_input_tokens
                        && q.resolution == p.resolution
                        && q.quality == p.quality
                        && q.unit == p.unit
                        && q.effective == p.effective
                        && q.applies_in(r)
                })
            };
            if p.mode == Mode::Batch
                && let Some(od) = twin(Mode::OnDemand, p.scope)
                && p.usd > od.usd
            {
                out.push(diag(
                    Severity::Warning,
                    &p.origin.file,
                    p.origin.line,
                    "usd",
                    format!(
                        "{} batch {} in {r} ({}) is dearer than on-demand ({})",
                        model.id, p.dimension, p.usd, od.usd
                    ),
                ));
            }
            if p.scope == Scope::Geo
                && let Some(global) = twin(p.mode, Scope::Global)
                && p.usd < global.usd
            {
                out.push(diag(
                    Severity::Warning,
                    &p.origin.file,
                    p.origin.line,
                    "usd",
                    format!(
                        "{} geo {} in {r} ({}) is cheaper than its global rate ({})",
                        model.id, p.dimension, p.usd, global.usd
                    ),
                ));
            }
        }
    }
    out
}
