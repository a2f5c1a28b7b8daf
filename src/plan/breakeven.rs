//! Break-even: the daily volume from which provisioned throughput costs no more than paying
//! per token on demand (see [`BreakEven`] for the shape of the two cost curves).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::report::{BreakEven, MonthPlan, OptionCost};
use super::traffic;
use super::workload::Tokens;
use crate::catalog::Mode;

/// What the break-even of one term is worked out from.
pub struct Inputs<'a> {
    /// The month the comparison is made in (the plan's first).
    pub month: &'a MonthPlan,
    /// That month's all-on-demand cost; must be complete.
    pub on_demand: &'a OptionCost,
    pub term: Mode,
    /// Hourly rate of one model unit on `term`.
    pub unit_hour_usd: Decimal,
    /// Tokens per minute one model unit serves.
    pub capacity: u64,
    /// Busiest hour's share of a day, as (weight, sum of weights).
    pub peak_share: (Decimal, Decimal),
    pub tokens: &'a Tokens,
}

/// The break-even of one term, or `None` when on-demand cannot be priced per request
/// (incomplete, or no traffic that month).
pub fn break_even(i: &Inputs<'_>) -> Option<BreakEven> {
    let m = i.month;
    if !i.on_demand.complete
        || m.requests == 0
        || m.traffic_days == 0
        || i.on_demand.total_usd <= Decimal::ZERO
    {
        return None;
    }
    let per_request = i.on_demand.total_usd / Decimal::from(m.requests);
    let unit_month = i.unit_hour_usd * Decimal::from(m.hours);
    let unit_daily = traffic::daily_for_tpm(Decimal::from(i.capacity), i.peak_share, i.tokens);
    // On-demand for d requests a day costs d × traffic days × per_request a month; one unit
    // costs unit_month. They meet at:
    let meet = unit_month / (Decimal::from(m.traffic_days) * per_request);
    let (requests_per_day, utilization) = if meet <= unit_daily {
        (meet.ceil().to_u64(), Some((meet / unit_daily).round_dp(4)))
    } else {
        (None, None)
    };
    Some(BreakEven {
        term: i.term,
        month: m.month,
        unit_hour_usd: i.unit_hour_usd,
        unit_month_usd: unit_month,
        unit_capacity_requests_per_day: unit_daily.round_dp(2),
        on_demand_per_request_usd: per_request.round_dp(10),
        requests_per_day,
        utilization,
        current_requests_per_day: m.requests_per_day,
    })
}
