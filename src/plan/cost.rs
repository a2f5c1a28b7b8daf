//! Costing: every workload, month by month, under every buying option.
//!
//! Per-request options are priced by [`crate::estimate::estimate`] on the month's token
//! totals, at the rates in effect on the month's first day: the planner applies no pricing
//! rule of its own. Provisioned options are model units × hours × the catalog's hourly rate.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::breakeven::{self, Inputs};
use super::calendar::Month;
use super::provisioned;
use super::report::{
    MonthPlan, MonthTotal, OptionCost, OptionTotal, Part, Plan, PlanOption, TokensReport, Totals,
    WorkloadPlan,
};
use super::traffic;
use super::workload::{Days, Workload, WorkloadFile};
use crate::catalog::{Dimension, Mode, RateContext, RateQuery};
use crate::estimate::{CacheTtl, ModeSelection, estimate};

/// Prices every workload of a validated file.
pub fn plan(file: &WorkloadFile<'_>) -> Plan {
    let workloads: Vec<WorkloadPlan> = file
        .workloads
        .iter()
        .map(|w| workload(w, file.start))
        .collect();
    let totals = totals(&workloads);
    Plan {
        file: file.name.clone(),
        start: file.start,
        assumptions: assumptions(file),
        workloads,
        totals,
    }
}

/// Warnings and unpriced items of one workload, each once, in the order found.
#[derive(Default)]
struct Notes {
    warnings: Vec<String>,
    unpriced: Vec<String>,
}

impl Notes {
    fn warn(&mut self, s: String) {
        if !self.warnings.contains(&s) {
            self.warnings.push(s);
        }
    }

    fn unpriced(&mut self, item: &str, why: String) {
        self.not_offered(item);
        self.warn(why);
    }

    /// An option the catalog has no price for at all for this model, Region and route (the
    /// `unpriced` list says so; no warning of its own).
    fn not_offered(&mut self, item: &str) {
        if !self.unpriced.iter().any(|u| u == item) {
            self.unpriced.push(item.to_string());
        }
    }
}

fn rate_context<'w>(w: &'w Workload<'_>, as_of: Date) -> RateContext<'w> {
    RateContext {
        region: &w.region,
        scope: w.model.scope(),
        custom: w.model.custom,
        as_of,
    }
}

/// Whether `mode` has any rate in this context (a customized copy falls back to the base
/// model's rates, as `estimate` does).
fn has_mode(w: &Workload<'_>, as_of: Date, mode: Mode) -> bool {
    let ctx = rate_context(w, as_of);
    let base = RateContext {
        custom: false,
        ..ctx
    };
    w.model.model.has_mode(&ctx, mode) || w.model.model.has_mode(&base, mode)
}

/// Whether `mode` has a prompt-cache read rate: modes without one are priced uncached.
fn has_cache_rates(w: &Workload<'_>, as_of: Date, mode: Mode) -> bool {
    let ctx = rate_context(w, as_of);
    let base = RateContext {
        custom: false,
        ..ctx
    };
    let q = RateQuery::new(mode, Dimension::CacheRead);
    w.model.model.rate(&ctx, &q).is_some() || w.model.model.rate(&base, &q).is_some()
}

/// Prices one per-request option: `parts` are (mode, requests) shares of the month's traffic.
/// `None` when a mode has no price at all (the option is then unpriced).
fn per_request(
    w: &Workload<'_>,
    option: PlanOption,
    parts: &[(Mode, u64)],
    as_of: Date,
    notes: &mut Notes,
) -> Option<OptionCost> {
    let mut cost = OptionCost {
        option,
        total_usd: Decimal::ZERO,
        complete: true,
        parts: Vec::new(),
        model_units: None,
        utilization: None,
        unit_hour_usd: None,
        unpriced: Vec::new(),
    };
    for &(mode, requests) in parts {
        let cached = w.cache.filter(|_| has_cache_rates(w, as_of, mode));
        if w.cache.is_some() && cached.is_none() {
            notes.warn(format!(
                "{} has no prompt-cache rates for {mode} in {}: {mode} requests are priced without the cache (the prefix as ordinary input)",
                w.model.model.id, w.region
            ));
        }
        let usage = traffic::usage(requests, &w.tokens, cached.as_ref());
        let est = estimate(
            &w.model,
            &w.region,
            as_of,
            &usage,
            &ModeSelection::Only(vec![mode]),
        );
        for warning in &est.warnings {
            notes.warn(warning.clone());
        }
        let Some(mc) = est.mode(mode) else {
            notes.unpriced(
                option.as_str(),
                format!(
                    "{option} is unpriced: {} has no {mode} price in {} for this route",
                    w.model.model.id, w.region
                ),
            );
            return None;
        };
        for item in &est.unpriced {
            if !cost.unpriced.contains(item) {
                cost.unpriced.push(item.clone());
            }
            notes.unpriced(
                item,
                format!(
                    "{item} is unpriced: {option} totals leave it out and are marked incomplete"
                ),
            );
        }
        cost.total_usd += mc.total_usd;
        cost.complete &= mc.complete;
        cost.parts.push(Part {
            mode,
            requests,
            total_usd: mc.total_usd,
            complete: mc.complete,
            cached: cached.is_some(),
        });
    }
    Some(cost)
}

/// The per-request options of one month, and the on-demand prompt-cache savings.
fn per_request_options(
    w: &Workload<'_>,
    requests: u64,
    as_of: Date,
    notes: &mut Notes,
) -> (Vec<OptionCost>, Option<Decimal>) {
    let mut options = Vec::new();
    let on_demand = per_request(
        w,
        PlanOption::OnDemand,
        &[(Mode::OnDemand, requests)],
        as_of,
        notes,
    );
    let mut savings = None;
    if let Some(od) = &on_demand
        && od.complete
        && w.cache.is_some()
        && has_cache_rates(w, as_of, Mode::OnDemand)
    {
        let plain = traffic::usage(requests, &w.tokens, None);
        let est = estimate(
            &w.model,
            &w.region,
            as_of,
            &plain,
            &ModeSelection::Only(vec![Mode::OnDemand]),
        );
        savings = est
            .mode(Mode::OnDemand)
            .filter(|m| m.complete)
            .map(|m| m.total_usd - od.total_usd);
    }
    options.extend(on_demand);
    if w.batch_share > Decimal::ZERO {
        let batch = traffic::whole(Decimal::from(requests) * w.batch_share).min(requests);
        let parts: Vec<(Mode, u64)> = [(Mode::OnDemand, requests - batch), (Mode::Batch, batch)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
        if !parts.is_empty() {
            options.extend(per_request(w, PlanOption::BatchSplit, &parts, as_of, notes));
        }
    }
    for (option, mode) in [
        (PlanOption::Flex, Mode::Flex),
        (PlanOption::Priority, Mode::Priority),
    ] {
        if has_mode(w, as_of, mode) {
            options.extend(per_request(w, option, &[(mode, requests)], as_of, notes));
        } else {
            notes.not_offered(option.as_str());
        }
    }
    (options, savings)
}

/// Adds each provisioned term's monthly cost to `months`.
fn add_provisioned(
    w: &Workload<'_>,
    months: &mut [MonthPlan],
    peaks: &[Decimal],
    notes: &mut Notes,
) {
    let terms = &w.provisioned.terms;
    let Some(capacity) = w.provisioned.tokens_per_minute_per_unit else {
        // Validation lets capacity be missing only where provisioned has no price.
        for term in terms {
            notes.not_offered(term.as_str());
        }
        return;
    };
    let needed: Vec<u64> = peaks
        .iter()
        .map(|p| provisioned::units_needed(*p, capacity))
        .collect();
    for &term in terms {
        let held = provisioned::held_units(&needed, provisioned::term_months(term));
        for (i, m) in months.iter_mut().enumerate() {
            let ctx = rate_context(w, m.month.first_day());
            let Some(price) = provisioned::unit_hour_price(w.model.model, &ctx, term) else {
                // Not priced at all for this model (the common case), or only in some months
                // (a price that starts or ends inside the horizon).
                notes.not_offered(term.as_str());
                continue;
            };
            let units = held[i];
            let unit_capacity = Decimal::from(units) * Decimal::from(capacity);
            m.options.push(OptionCost {
                option: PlanOption::Provisioned(term),
                total_usd: provisioned::cost(price, units, m.hours),
                complete: true,
                parts: Vec::new(),
                model_units: Some(units),
                utilization: Some((peaks[i] / unit_capacity).round_dp(4)),
                unit_hour_usd: Some(price.cost(Decimal::ONE)),
                unpriced: Vec::new(),
            });
        }
    }
}

/// The cheapest complete option (the first listed on a tie).
fn cheapest(options: &[OptionCost]) -> Option<PlanOption> {
    options
        .iter()
        .filter(|o| o.complete)
        .fold(None::<&OptionCost>, |best, o| match best {
            Some(b) if b.total_usd <= o.total_usd => Some(b),
            _ => Some(o),
        })
        .map(|o| o.option)
}

fn workload(w: &Workload<'_>, start: Month) -> WorkloadPlan {
    let mut notes = Notes::default();
    let share = traffic::peak_hour_share(w.traffic.daily_shape.as_deref());
    let capacity = w.provisioned.tokens_per_minute_per_unit;
    let mut months = Vec::new();
    let mut peaks = Vec::new();
    for i in 0..w.horizon_months {
        let month = start.plus(i);
        let daily = traffic::daily_requests(w.traffic.requests_per_day, w.monthly_growth, i);
        let traffic_days = w.traffic.days.in_month(month);
        let requests = traffic::requests_in_month(daily, traffic_days);
        let peak = traffic::peak_tpm(daily, share, &w.tokens);
        let (options, cache_savings_usd) =
            per_request_options(w, requests, month.first_day(), &mut notes);
        months.push(MonthPlan {
            month,
            days: month.days(),
            traffic_days,
            hours: month.hours(),
            requests_per_day: daily.round_dp(2),
            requests,
            peak_tpm: traffic::whole(peak.ceil()),
            model_units_needed: capacity.map(|c| provisioned::units_needed(peak, c)),
            options,
            cheapest: None,
            cache_savings_usd,
        });
        peaks.push(peak);
    }
    add_provisioned(w, &mut months, &peaks, &mut notes);
    for m in &mut months {
        m.cheapest = cheapest(&m.options);
    }

    let mut sums: BTreeMap<PlanOption, (Decimal, usize, bool)> = BTreeMap::new();
    for m in &months {
        for o in &m.options {
            let e = sums.entry(o.option).or_insert((Decimal::ZERO, 0, true));
            e.0 += o.total_usd;
            e.1 += 1;
            e.2 &= o.complete;
        }
    }
    let totals: Vec<OptionTotal> = sums
        .into_iter()
        .map(|(option, (total_usd, n, complete))| OptionTotal {
            option,
            total_usd,
            complete: complete && n == months.len(),
        })
        .collect();
    let best = totals
        .iter()
        .filter(|t| t.complete)
        .fold(None::<&OptionTotal>, |best, t| match best {
            Some(b) if b.total_usd <= t.total_usd => Some(b),
            _ => Some(t),
        })
        .cloned();
    let cheapest_by_month_usd = months
        .iter()
        .map(|m| m.cheapest.and_then(|c| m.option(c)).map(|o| o.total_usd))
        .sum::<Option<Decimal>>();
    let cache_savings_usd = if w.cache.is_some() {
        months
            .iter()
            .map(|m| m.cache_savings_usd)
            .sum::<Option<Decimal>>()
    } else {
        None
    };

    let break_even = match (capacity, months.first()) {
        (Some(capacity), Some(first)) => first
            .option(PlanOption::OnDemand)
            .map(|od| {
                first
                    .options
                    .iter()
                    .filter_map(|o| match (o.option, o.unit_hour_usd) {
                        (PlanOption::Provisioned(term), Some(rate)) => {
                            breakeven::break_even(&Inputs {
                                month: first,
                                on_demand: od,
                                term,
                                unit_hour_usd: rate,
                                capacity,
                                peak_share: share,
                                tokens: &w.tokens,
                            })
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };

    let peak_tpm = months.iter().map(|m| m.peak_tpm).max().unwrap_or(0);
    if let Some(quota) = w.model.model.default_tpm_quota
        && let Some(over) = months.iter().find(|m| m.peak_tpm > quota)
    {
        notes.warn(format!(
            "peak {} tokens per minute in {} exceeds the default on-demand quota of {quota} tokens per minute for {}: ask AWS for a quota increase before launch, or plan provisioned throughput",
            over.peak_tpm, over.month, w.model.model.id
        ));
    }

    WorkloadPlan {
        name: w.name.clone(),
        model_id: w.model.input.clone(),
        resolved_model: w.model.model.id.clone(),
        model_name: w.model.model.name.clone(),
        region: w.region.clone(),
        route: w.model.route.describe(),
        days: w.traffic.days.as_str(),
        requests_per_day: w.traffic.requests_per_day,
        monthly_growth: w.monthly_growth,
        batch_share: w.batch_share,
        tokens: TokensReport {
            input: w.tokens.input.typical,
            output: w.tokens.output.typical,
            input_peak: w.tokens.input.peak,
            output_peak: w.tokens.output.peak,
            cached_prefix: w.cache.map(|c| c.prefix_tokens),
            cache_hit_rate: w.cache.map(|c| c.hit_rate),
            cache_ttl: w.cache.map(|c| match c.ttl {
                CacheTtl::FiveMinutes => "5m",
                CacheTtl::OneHour => "1h",
                CacheTtl::ThirtyMinutes => "30m",
            }),
        },
        tokens_per_minute_per_unit: capacity,
        default_tpm_quota: w.model.model.default_tpm_quota,
        peak_tpm,
        months,
        totals,
        cheapest: best,
        cheapest_by_month_usd,
        cache_savings_usd,
        break_even,
        unpriced: notes.unpriced,
        warnings: notes.warnings,
    }
}

/// All workloads together: on-demand, and each workload on its cheapest option.
fn totals(workloads: &[WorkloadPlan]) -> Totals {
    let mut by_month: BTreeMap<Month, MonthTotal> = BTreeMap::new();
    for w in workloads {
        for m in &w.months {
            let t = by_month.entry(m.month).or_insert(MonthTotal {
                month: m.month,
                on_demand_usd: Decimal::ZERO,
                cheapest_usd: Decimal::ZERO,
                complete: true,
            });
            match m.option(PlanOption::OnDemand) {
                Some(o) => {
                    t.on_demand_usd += o.total_usd;
                    t.complete &= o.complete;
                }
                None => t.complete = false,
            }
            match w.cheapest.as_ref().and_then(|c| m.option(c.option)) {
                Some(o) => t.cheapest_usd += o.total_usd,
                None => t.complete = false,
            }
        }
    }
    let months: Vec<MonthTotal> = by_month.into_values().collect();
    Totals {
        on_demand_usd: months.iter().map(|m| m.on_demand_usd).sum(),
        cheapest_usd: months.iter().map(|m| m.cheapest_usd).sum(),
        complete: months.iter().all(|m| m.complete),
        months,
    }
}

fn assumptions(file: &WorkloadFile<'_>) -> Vec<String> {
    let mut out = vec![
        "each month is priced at the catalog rates in effect on its first day".to_string(),
        "traffic grows month on month, compounding; monthly request counts are rounded to whole requests".to_string(),
        "a request's cost uses the mean token counts, or the median (p50) when percentiles are given; peak capacity uses the 95th percentile when given".to_string(),
        "peak: the busiest hour of the daily shape (an even day when none is given), spread evenly over its 60 minutes".to_string(),
    ];
    if file
        .workloads
        .iter()
        .any(|w| w.traffic.days == Days::BusinessDays)
    {
        out.push(
            "business days are Monday to Friday; public holidays are not taken out".to_string(),
        );
    }
    if file.workloads.iter().any(|w| w.cache.is_some()) {
        out.push("prompt cache: the hit-rate share of requests reads the cached prefix, the rest write it; the remaining input is ordinary input".to_string());
    }
    if file
        .workloads
        .iter()
        .any(|w| w.provisioned.tokens_per_minute_per_unit.is_some())
    {
        out.push("provisioned throughput: enough model units for the busiest minute, billed every hour of every day; committed units are held for their whole term, and commitment months after the horizon are not included".to_string());
    }
    out
}
