//! `bedrock-meter plan`: a workload file's monthly budget under every buying option, and
//! `plan --compare A B` for two scenarios.

use std::path::Path;

use rust_decimal::Decimal;

use super::Context;
use super::args::PlanArgs;
use crate::export::{Cell, Document, Table};
use crate::money;
use crate::plan::compare::DiffRow;
use crate::plan::file::WorkloadError;
use crate::plan::{self, BreakEven, Comparison, Plan, PlanOption, WorkloadPlan};
use crate::resolve::Resolver;

pub fn run(ctx: &Context, args: &PlanArgs) -> anyhow::Result<i32> {
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    match (&args.file, args.compare.as_deref()) {
        (None, Some([a, b])) => {
            let a = load(ctx, &resolver, a)?;
            let b = load(ctx, &resolver, b)?;
            ctx.output.write(&compare_document(&plan::compare(a, b)))?;
        }
        (Some(file), None) => {
            let p = load(ctx, &resolver, file)?;
            ctx.output.write(&plan_document(&p))?;
        }
        _ => {
            return Err(super::ExitError::usage("give a workload FILE, or --compare A B").into());
        }
    }
    Ok(0)
}

/// Loads, validates and prices one workload file. An invalid file is a usage error (exit 2),
/// with every problem listed.
fn load(ctx: &Context, resolver: &Resolver<'_>, path: &Path) -> anyhow::Result<Plan> {
    match plan::load(path, resolver, ctx.as_of) {
        Ok(file) => Ok(plan::plan(&file)),
        Err(e @ WorkloadError::Invalid(_)) => Err(super::ExitError::usage(e.to_string()).into()),
        Err(e) => Err(e.into()),
    }
}

/// Dollars rounded to cents, for summary sentences (tables and JSON keep exact amounts).
fn cents(d: Decimal) -> String {
    money::usd(d.round_dp(2))
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

fn break_even_text(b: &BreakEven) -> String {
    match (b.requests_per_day, b.utilization) {
        (Some(n), Some(u)) => format!(
            "{} costs no more than on-demand from {n} requests/day ({} of one unit's peak capacity; {} a unit-month); planned now: {} requests/day",
            b.term,
            pct(u),
            cents(b.unit_month_usd),
            b.current_requests_per_day.normalize()
        ),
        _ => format!(
            "{} never beats on-demand: one fully used unit ({} a month, {} requests/day at peak capacity) costs more than that traffic on demand",
            b.term,
            cents(b.unit_month_usd),
            b.unit_capacity_requests_per_day.round_dp(0)
        ),
    }
}

fn workload_summary(w: &WorkloadPlan, summary: &mut Vec<(String, String)>) {
    let n = &w.name;
    summary.push((
        n.clone(),
        format!(
            "{} ({}), {}, {}",
            w.resolved_model, w.model_name, w.region, w.route
        ),
    ));
    let growth = if w.monthly_growth.is_zero() {
        String::new()
    } else {
        format!(
            ", {:+}% a month",
            (w.monthly_growth * Decimal::ONE_HUNDRED).normalize()
        )
    };
    summary.push((
        format!("{n}: traffic"),
        format!(
            "{} requests/day ({}){growth}, {} month(s); {} in + {} out tokens per request; peak {} tokens/min",
            w.requests_per_day.normalize(),
            w.days,
            w.months.len(),
            w.tokens.input,
            w.tokens.output,
            w.peak_tpm
        ),
    ));
    let on_demand = w
        .total(PlanOption::OnDemand)
        .map(|t| cents(t.total_usd))
        .unwrap_or_else(|| "unpriced".into());
    summary.push((
        format!("{n}: cheapest"),
        match &w.cheapest {
            Some(c) if c.option == PlanOption::OnDemand => {
                format!("on-demand at {} over the horizon", cents(c.total_usd))
            }
            Some(c) => format!(
                "{} at {} over the horizon (all on-demand: {on_demand})",
                c.option,
                cents(c.total_usd)
            ),
            None => "no option is completely priced".to_string(),
        },
    ));
    if let Some(s) = w.cache_savings_usd {
        summary.push((
            format!("{n}: prompt cache"),
            if s.is_sign_negative() {
                format!("costs {} more than no cache, on demand", cents(-s))
            } else {
                format!("saves {} on demand over the horizon", cents(s))
            },
        ));
    }
    // The term that breaks even soonest, else the cheapest unit.
    if let Some(best) = w
        .break_even
        .iter()
        .filter(|b| b.requests_per_day.is_some())
        .min_by_key(|b| b.requests_per_day)
        .or_else(|| w.break_even.iter().min_by_key(|b| b.unit_month_usd))
    {
        summary.push((format!("{n}: break-even"), break_even_text(best)));
    }
}

/// Lays out a plan: one row per workload, month and option, the horizon totals of each
/// option, the unpriced options, then the totals of all workloads.
pub fn plan_document(p: &Plan) -> Document {
    let mut table = Table::new(&[
        "workload",
        "month",
        "option",
        "requests",
        "model_units",
        "cost_usd",
        "cheapest",
        "note",
    ]);
    let mut summary = vec![("Plan".to_string(), format!("{}, from {}", p.file, p.start))];
    let mut notes = Vec::new();
    for w in &p.workloads {
        workload_summary(w, &mut summary);
        for m in &w.months {
            for o in &m.options {
                let mut note = Vec::new();
                if o.option == PlanOption::BatchSplit
                    && let Some(b) = o
                        .parts
                        .iter()
                        .find(|x| x.mode == crate::catalog::Mode::Batch)
                {
                    note.push(format!("{} requests in batch", b.requests));
                }
                if let Some(u) = o.utilization {
                    note.push(format!("peak utilization {}", pct(u)));
                }
                if !o.complete {
                    note.push(format!("incomplete: {} unpriced", o.unpriced.join(", ")));
                }
                table.push(vec![
                    Cell::Text(w.name.clone()),
                    Cell::Text(m.month.to_string()),
                    Cell::from(o.option.as_str()),
                    Cell::Int(m.requests),
                    o.model_units.map(Cell::Int).unwrap_or(Cell::Empty),
                    Cell::Money(o.total_usd),
                    Cell::from(if m.cheapest == Some(o.option) {
                        "yes"
                    } else {
                        ""
                    }),
                    Cell::Text(note.join("; ")),
                ]);
            }
        }
        let requests: u64 = w.months.iter().map(|m| m.requests).sum();
        for t in &w.totals {
            table.push(vec![
                Cell::Text(w.name.clone()),
                Cell::from("total"),
                Cell::from(t.option.as_str()),
                Cell::Int(requests),
                Cell::Empty,
                Cell::Money(t.total_usd),
                Cell::from(
                    if w.cheapest.as_ref().is_some_and(|c| c.option == t.option) {
                        "yes"
                    } else {
                        ""
                    },
                ),
                Cell::from(if t.complete {
                    ""
                } else {
                    "incomplete: see unpriced"
                }),
            ]);
        }
        for u in w.unpriced.iter().filter(|u| !u.contains('/')) {
            table.push(vec![
                Cell::Text(w.name.clone()),
                Cell::Empty,
                Cell::Text(u.clone()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::from("UNPRICED"),
            ]);
        }
        notes.extend(w.warnings.iter().map(|x| format!("{}: {x}", w.name)));
        if !w.unpriced.is_empty() {
            notes.push(format!(
                "{}: unpriced (no price in the catalog for this model, Region and route; in no total): {}",
                w.name,
                w.unpriced.join(", ")
            ));
        }
    }
    let total_row = |month: String, option: &str, usd: Decimal, complete: bool| {
        let mut note = Vec::new();
        if option == "cheapest" {
            note.push("each workload on its cheapest option over the horizon");
        }
        if !complete {
            note.push("incomplete: see unpriced");
        }
        vec![
            Cell::from("TOTAL"),
            Cell::Text(month),
            Cell::from(option),
            Cell::Empty,
            Cell::Empty,
            Cell::Money(usd),
            Cell::Empty,
            Cell::Text(note.join("; ")),
        ]
    };
    for m in &p.totals.months {
        table.push(total_row(
            m.month.to_string(),
            "on-demand",
            m.on_demand_usd,
            m.complete,
        ));
        table.push(total_row(
            m.month.to_string(),
            "cheapest",
            m.cheapest_usd,
            m.complete,
        ));
    }
    table.push(total_row(
        "total".into(),
        "on-demand",
        p.totals.on_demand_usd,
        p.totals.complete,
    ));
    table.push(total_row(
        "total".into(),
        "cheapest",
        p.totals.cheapest_usd,
        p.totals.complete,
    ));
    summary.push((
        "Total".to_string(),
        format!(
            "{} all on-demand; {} with each workload on its cheapest option{}",
            cents(p.totals.on_demand_usd),
            cents(p.totals.cheapest_usd),
            if p.totals.complete {
                ""
            } else {
                " (incomplete: see unpriced)"
            }
        ),
    ));
    notes.extend(p.assumptions.iter().map(|a| format!("assumption: {a}")));
    Document {
        title: Some(format!("Plan for {}", p.file)),
        summary,
        table,
        notes,
        json: serde_json::to_value(p).expect("plan serializes"),
        charts: crate::plan::charts::plan_charts(p),
        drop_order: vec!["model_units".into(), "requests".into(), "cheapest".into()],
    }
}

fn diff_cells(r: &DiffRow) -> Vec<Cell> {
    let money_cell = |d: Option<Decimal>| d.map(Cell::Money).unwrap_or(Cell::Empty);
    vec![
        Cell::Text(r.workload.clone()),
        Cell::Text(
            r.month
                .map(|m| m.to_string())
                .unwrap_or_else(|| "total".into()),
        ),
        Cell::Text(r.option.clone()),
        money_cell(r.a_usd),
        money_cell(r.b_usd),
        money_cell(r.diff_usd),
        r.diff_pct.map(Cell::Number).unwrap_or(Cell::Empty),
        Cell::Text(r.note.clone()),
    ]
}

/// Lays out a comparison: A and B side by side with B − A and its percentage of A.
pub fn compare_document(c: &Comparison) -> Document {
    let mut table = Table::new(&[
        "workload", "month", "option", "a_usd", "b_usd", "diff_usd", "diff_pct", "note",
    ]);
    for r in c.differences.iter().chain(&c.totals) {
        table.push(diff_cells(r));
    }
    let mut summary = vec![
        ("A".to_string(), format!("{}, from {}", c.a.file, c.a.start)),
        ("B".to_string(), format!("{}, from {}", c.b.file, c.b.start)),
    ];
    for r in c.totals.iter().filter(|r| r.month.is_none()) {
        let show = |d: Option<Decimal>| d.map(cents).unwrap_or_else(|| "-".into());
        summary.push((
            format!("Total {}", r.option),
            format!(
                "A {}, B {}: {} ({})",
                show(r.a_usd),
                show(r.b_usd),
                show(r.diff_usd),
                r.diff_pct
                    .map(|p| format!("{:+}%", p.normalize()))
                    .unwrap_or_else(|| "-".into())
            ),
        ));
    }
    let mut notes = Vec::new();
    for (label, p) in [("A", &c.a), ("B", &c.b)] {
        for w in &p.workloads {
            notes.extend(
                w.warnings
                    .iter()
                    .map(|x| format!("{label} {}: {x}", w.name)),
            );
            if !w.unpriced.is_empty() {
                notes.push(format!(
                    "{label} {}: unpriced (in no total): {}",
                    w.name,
                    w.unpriced.join(", ")
                ));
            }
        }
    }
    notes.push("differences are B − A; percentages are of A".to_string());
    Document {
        title: Some(format!("Plan comparison: {} → {}", c.a.file, c.b.file)),
        summary,
        table,
        notes,
        json: serde_json::to_value(c).expect("comparison serializes"),
        drop_order: vec!["diff_pct".into()],
        ..Document::default()
    }
}
