//! Provisioned-throughput settings of a `[[workload]]` table: model-unit capacity and terms.

use toml::Spanned;

use crate::catalog::Mode;
use crate::plan::schema::{RawProvisioned, RawWorkload};
use crate::plan::value::Checker;
use crate::plan::workload::Provisioned;
use crate::resolve::Resolved;

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

pub(super) fn provisioned(
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
