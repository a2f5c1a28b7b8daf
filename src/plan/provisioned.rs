//! Provisioned throughput: how many model units a peak needs, how many a commitment holds,
//! and what they cost.
//!
//! A *model unit* is a fixed slice of a model's serving capacity, billed by the hour whether
//! it is busy or idle. Its capacity is a number of tokens per minute, which AWS publishes for
//! few models, so it comes from the workload file (`tokens_per_minute_per_unit`). Units must
//! cover the busiest minute of the busiest day, because traffic above capacity is throttled,
//! not queued for later. And they run every hour of every day, including nights and weekends
//! of a business-days workload.
//!
//! Terms: *no commitment* is billed by the hour and can follow traffic month by month; a
//! *1-month* or *6-month* commitment buys units for that long at a lower hourly rate. A unit
//! bought on a 6-month term is paid for six months even if traffic falls, so the planner keeps
//! committed units until their term ends (see [`held_units`]). A commitment that starts near
//! the end of the horizon runs past it; the months after the horizon are not in the plan.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::catalog::{Dimension, Mode, Model, Price, RateContext, RateQuery};

/// Months a term commits to: 1 for no commitment (units can change every month) and for the
/// 1-month term, 6 for the 6-month term.
pub fn term_months(term: Mode) -> u32 {
    match term {
        Mode::Provisioned6Month => 6,
        _ => 1,
    }
}

/// Model units needed to serve `peak_tpm` tokens per minute with units of `capacity` tokens
/// per minute each: rounded up, and at least one (there is no fraction of a unit).
pub fn units_needed(peak_tpm: Decimal, capacity: u64) -> u64 {
    let units = (peak_tpm / Decimal::from(capacity.max(1))).ceil();
    units.to_u64().unwrap_or(u64::MAX).max(1)
}

/// Units paid for each month when every unit bought is held for `term_months` months.
///
/// Each month buys what the units still under commitment do not cover; a purchase expires
/// `term_months` later and is bought again if still needed. With growing traffic this is
/// just the units needed; with shrinking traffic it keeps paying for committed units.
pub fn held_units(needed: &[u64], term_months: u32) -> Vec<u64> {
    let term = term_months.max(1) as usize;
    let mut bought: Vec<u64> = Vec::with_capacity(needed.len());
    let mut held = Vec::with_capacity(needed.len());
    for (i, &need) in needed.iter().enumerate() {
        let from = (i + 1).saturating_sub(term);
        let active: u64 = bought[from..i].iter().sum();
        let buy = need.saturating_sub(active);
        bought.push(buy);
        held.push(active + buy);
    }
    held
}

/// The hourly rate of one model unit on `term`. A customized copy without its own rate uses
/// the base model's.
pub fn unit_hour_price<'m>(
    model: &'m Model,
    ctx: &RateContext<'_>,
    term: Mode,
) -> Option<&'m Price> {
    let q = RateQuery::new(term, Dimension::ModelUnitHour);
    model.rate(ctx, &q).or_else(|| {
        let base = RateContext {
            custom: false,
            ..*ctx
        };
        model.rate(&base, &q)
    })
}

/// What `units` model units cost for `hours` hours at `price`.
pub fn cost(price: &Price, units: u64, hours: u32) -> Decimal {
    price.cost(Decimal::from(units) * Decimal::from(hours))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_and_never_drop_to_zero() {
        assert_eq!(units_needed(Decimal::from(10_000), 10_000), 1);
        assert_eq!(units_needed(Decimal::from(10_001), 10_000), 2);
        assert_eq!(units_needed(Decimal::from(5), 10_000), 1);
        assert_eq!(units_needed(Decimal::ZERO, 10_000), 1);
    }

    #[test]
    fn commitments_hold_units_for_their_term() {
        // Shrinking traffic on a 6-month term keeps paying for the units bought in month 0
        // until month 5; month 6 buys again what it needs.
        assert_eq!(
            held_units(&[3, 2, 1, 1, 1, 1, 1, 1], 6),
            vec![3, 3, 3, 3, 3, 3, 1, 1]
        );
        // Growth: each month tops up.
        assert_eq!(held_units(&[1, 2, 4], 6), vec![1, 2, 4]);
        // 3-month term: month 0's unit expires after month 2; the 4-unit top-up of month 2
        // is held to month 4.
        assert_eq!(held_units(&[1, 1, 5, 1, 1, 1], 3), vec![1, 1, 5, 4, 4, 1]);
        // No commitment follows need.
        assert_eq!(held_units(&[3, 1, 2], 1), vec![3, 1, 2]);
    }
}
