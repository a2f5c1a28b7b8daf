//! Two scenarios side by side: the same workloads with another model, with and without
//! caching, another growth rate. Rows are matched by workload name, month and option; every
//! difference is B − A, with its percentage of A.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::Serialize;

use super::calendar::Month;
use super::report::{OptionTotal, Plan, PlanOption, WorkloadPlan};
use crate::money;

fn opt_money<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => money::serialize_number(d, s),
        None => s.serialize_none(),
    }
}

fn opt_number<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => rust_decimal::serde::arbitrary_precision::serialize(&d.normalize(), s),
        None => s.serialize_none(),
    }
}

/// One compared line.
#[derive(Debug, Clone, Serialize)]
pub struct DiffRow {
    /// Workload name, or `TOTAL` for all workloads together.
    pub workload: String,
    /// The month, or `None` for the whole horizon.
    pub month: Option<Month>,
    /// A [`PlanOption`] spelling, or `cheapest` (each side's cheapest option).
    pub option: String,
    #[serde(serialize_with = "opt_money")]
    pub a_usd: Option<Decimal>,
    #[serde(serialize_with = "opt_money")]
    pub b_usd: Option<Decimal>,
    /// B − A, when both are priced.
    #[serde(serialize_with = "opt_money")]
    pub diff_usd: Option<Decimal>,
    /// (B − A) ÷ A × 100, rounded to two decimals; `None` when A is zero or missing.
    #[serde(serialize_with = "opt_number")]
    pub diff_pct: Option<Decimal>,
    /// Why a side is missing or incomplete, or which option is cheapest on each side.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The `plan --compare` JSON contract: both plans in full, then the differences.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: Plan,
    pub b: Plan,
    /// Per workload: each month and option, then each option over the horizon, then the
    /// cheapest option over the horizon.
    pub differences: Vec<DiffRow>,
    /// All workloads: on demand and each on its cheapest option, per month and in total.
    pub totals: Vec<DiffRow>,
}

/// A side's value: cost and whether it is complete, or why there is none.
type Side = Result<(Decimal, bool), &'static str>;

fn row(workload: &str, month: Option<Month>, option: &str, a: Side, b: Side) -> DiffRow {
    let mut notes = Vec::new();
    for (label, side) in [("A", &a), ("B", &b)] {
        match side {
            Ok((_, false)) => notes.push(format!("{label} incomplete (part unpriced)")),
            Err(why) => notes.push(format!("{why} in {label}")),
            Ok(_) => {}
        }
    }
    let a_usd = a.ok().map(|x| x.0);
    let b_usd = b.ok().map(|x| x.0);
    let diff_usd = a_usd.zip(b_usd).map(|(a, b)| b - a);
    let diff_pct = a_usd
        .zip(diff_usd)
        .filter(|(a, _)| !a.is_zero())
        .map(|(a, d)| (d / a * Decimal::ONE_HUNDRED).round_dp(2));
    DiffRow {
        workload: workload.to_string(),
        month,
        option: option.to_string(),
        a_usd,
        b_usd,
        diff_usd,
        diff_pct,
        note: notes.join("; "),
    }
}

fn month_side(w: Option<&WorkloadPlan>, month: Month, option: PlanOption) -> Side {
    let w = w.ok_or("no such workload")?;
    let m = w
        .months
        .iter()
        .find(|m| m.month == month)
        .ok_or("outside the horizon")?;
    m.option(option)
        .map(|o| (o.total_usd, o.complete))
        .ok_or("unpriced")
}

fn total_side(w: Option<&WorkloadPlan>, option: PlanOption) -> Side {
    let w = w.ok_or("no such workload")?;
    w.total(option)
        .map(|t| (t.total_usd, t.complete))
        .ok_or("unpriced")
}

fn cheapest_side(w: Option<&WorkloadPlan>) -> (Side, Option<PlanOption>) {
    match w.map(|w| w.cheapest.as_ref()) {
        None => (Err("no such workload"), None),
        Some(None) => (Err("no complete price"), None),
        Some(Some(OptionTotal {
            option, total_usd, ..
        })) => (Ok((*total_usd, true)), Some(*option)),
    }
}

/// Compares plan `b` with plan `a`.
pub fn compare(a: Plan, b: Plan) -> Comparison {
    let mut names: Vec<&str> = a.workloads.iter().map(|w| w.name.as_str()).collect();
    for w in &b.workloads {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&w.name)) {
            names.push(&w.name);
        }
    }
    let find = |p: &'_ Plan, name: &str| -> Option<usize> {
        p.workloads
            .iter()
            .position(|w| w.name.eq_ignore_ascii_case(name))
    };
    let mut differences = Vec::new();
    for name in &names {
        let wa = find(&a, name).map(|i| &a.workloads[i]);
        let wb = find(&b, name).map(|i| &b.workloads[i]);
        let months: BTreeSet<Month> = wa
            .into_iter()
            .chain(wb)
            .flat_map(|w| w.months.iter().map(|m| m.month))
            .collect();
        let options: BTreeSet<PlanOption> = wa
            .into_iter()
            .chain(wb)
            .flat_map(|w| w.totals.iter().map(|t| t.option))
            .collect();
        for &month in &months {
            for &option in &options {
                differences.push(row(
                    name,
                    Some(month),
                    option.as_str(),
                    month_side(wa, month, option),
                    month_side(wb, month, option),
                ));
            }
        }
        for &option in &options {
            differences.push(row(
                name,
                None,
                option.as_str(),
                total_side(wa, option),
                total_side(wb, option),
            ));
        }
        let (sa, oa) = cheapest_side(wa);
        let (sb, ob) = cheapest_side(wb);
        let mut r = row(name, None, "cheapest", sa, sb);
        let which: Vec<String> = [("A", oa), ("B", ob)]
            .into_iter()
            .filter_map(|(l, o)| o.map(|o| format!("{l}: {o}")))
            .collect();
        if !which.is_empty() {
            r.note = [which.join(", "), r.note]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
        }
        differences.push(r);
    }

    let months: BTreeSet<Month> = a
        .totals
        .months
        .iter()
        .chain(&b.totals.months)
        .map(|m| m.month)
        .collect();
    let mut totals = Vec::new();
    let month_total = |p: &Plan, month: Month, cheapest: bool| -> Side {
        p.totals
            .months
            .iter()
            .find(|m| m.month == month)
            .map(|m| {
                (
                    if cheapest {
                        m.cheapest_usd
                    } else {
                        m.on_demand_usd
                    },
                    m.complete,
                )
            })
            .ok_or("outside the horizon")
    };
    for (label, cheapest) in [("on-demand", false), ("cheapest", true)] {
        for &month in &months {
            totals.push(row(
                "TOTAL",
                Some(month),
                label,
                month_total(&a, month, cheapest),
                month_total(&b, month, cheapest),
            ));
        }
        let whole = |p: &Plan| -> Side {
            Ok((
                if cheapest {
                    p.totals.cheapest_usd
                } else {
                    p.totals.on_demand_usd
                },
                p.totals.complete,
            ))
        };
        totals.push(row("TOTAL", None, label, whole(&a), whole(&b)));
    }
    Comparison {
        a,
        b,
        differences,
        totals,
    }
}
