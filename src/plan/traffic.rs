//! Traffic arithmetic: requests per month with compounding growth, the busiest minute of the
//! day, and the token usage a month's requests add up to.
//!
//! Everything is exact decimal arithmetic. Request counts are rounded to whole requests once,
//! at the end (half away from zero: 10.5 → 11), so growth compounds on the exact daily volume,
//! not on rounded counts.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::workload::{Cache, Tokens};
use crate::estimate::Usage;

/// Rounds a non-negative amount to a whole count, half away from zero.
pub fn whole(d: Decimal) -> u64 {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u64()
        .unwrap_or(0)
}

/// (1 + growth)^months: growth compounds month on month. `None` if it overflows.
pub fn growth_factor(growth: Decimal, months: u32) -> Option<Decimal> {
    let step = Decimal::ONE + growth;
    (0..months).try_fold(Decimal::ONE, |acc, _| acc.checked_mul(step))
}

/// Requests on one traffic day of month `index` (0 is the first month). The workload file's
/// validation keeps this within [`super::file::MAX_REQUESTS_PER_DAY`].
pub fn daily_requests(first_month_daily: Decimal, growth: Decimal, index: u32) -> Decimal {
    growth_factor(growth, index)
        .and_then(|f| f.checked_mul(first_month_daily))
        .expect("traffic growth is bounded by workload validation")
}

/// Requests in a month with `traffic_days` days of traffic, rounded to whole requests.
pub fn requests_in_month(daily: Decimal, traffic_days: u32) -> u64 {
    whole(daily * Decimal::from(traffic_days))
}

/// The busiest hour's share of a day's requests, as (busiest weight, sum of weights): an even
/// spread is (1, 24). Kept as a fraction so that peak arithmetic divides once, at the end.
pub fn peak_hour_share(shape: Option<&[Decimal]>) -> (Decimal, Decimal) {
    match shape {
        Some(w) if !w.is_empty() => (
            w.iter().copied().max().unwrap_or(Decimal::ONE),
            w.iter().copied().sum(),
        ),
        _ => (Decimal::ONE, Decimal::from(24)),
    }
}

/// Peak tokens per minute: the busiest hour's requests spread evenly over its 60 minutes,
/// each the peak size (95th percentile when given) of input plus output tokens.
///
/// This is what capacity must absorb: on-demand quotas and model units are sized in tokens
/// per minute. (Quota accounting may weigh tokens differently from this plain sum: some models
/// count output tokens several times against the quota. Check the model's quota page.)
pub fn peak_tpm(daily: Decimal, share: (Decimal, Decimal), tokens: &Tokens) -> Decimal {
    let per_request = Decimal::from(tokens.input.peak + tokens.output.peak);
    daily * share.0 * per_request / (share.1 * Decimal::from(60))
}

/// Daily requests at which the busiest minute needs exactly `tpm` tokens per minute: the
/// inverse of [`peak_tpm`].
pub fn daily_for_tpm(tpm: Decimal, share: (Decimal, Decimal), tokens: &Tokens) -> Decimal {
    let per_request = Decimal::from(tokens.input.peak + tokens.output.peak);
    tpm * share.1 * Decimal::from(60) / (share.0 * per_request)
}

/// The token usage of `requests` typical requests, for [`crate::estimate::estimate`].
///
/// With a cache, each request's input is its cached prefix plus the rest. A share
/// `hit_rate` of requests (rounded to whole requests) read the prefix from the cache; the
/// others miss and write it. The rest of the input is billed as ordinary input tokens.
/// Without a cache (or `cache` = `None`), the whole input is ordinary input.
pub fn usage(requests: u64, tokens: &Tokens, cache: Option<&Cache>) -> Usage {
    let mut u = Usage {
        requests: requests.max(1),
        input_tokens: requests * tokens.input.typical,
        output_tokens: requests * tokens.output.typical,
        ..Default::default()
    };
    if requests == 0 {
        return u;
    }
    if let Some(c) = cache {
        let hits = whole(Decimal::from(requests) * c.hit_rate).min(requests);
        let misses = requests - hits;
        u.input_tokens = requests * (tokens.input.typical - c.prefix_tokens);
        u.cache_read_tokens = hits * c.prefix_tokens;
        u.cache_write_tokens = misses * c.prefix_tokens;
        u.cache_ttl = c.ttl;
    }
    u
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::plan::workload::TokenCount;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn tokens(input: u64, output: u64) -> Tokens {
        Tokens {
            input: TokenCount {
                typical: input,
                peak: input,
            },
            output: TokenCount {
                typical: output,
                peak: output,
            },
        }
    }

    #[test]
    fn growth_compounds() {
        assert_eq!(growth_factor(d("0.1"), 2), Some(d("1.21")));
        assert_eq!(growth_factor(d("10"), 59), None);
        assert_eq!(daily_requests(d("1000"), d("0.1"), 3), d("1331"));
        assert_eq!(requests_in_month(d("100.5"), 1), 101);
        assert_eq!(growth_factor(d("-0.5"), 1), Some(d("0.5")));
    }

    #[test]
    fn peak_of_an_even_and_a_shaped_day() {
        let t = tokens(1000, 200);
        // 14,400 requests a day, evenly: 10 a minute × 1,200 tokens.
        assert_eq!(peak_tpm(d("14400"), peak_hour_share(None), &t), d("12000"));
        let mut shape = vec![Decimal::ONE; 24];
        shape[12] = d("3");
        // Busiest hour holds 3/26 of the day.
        let share = peak_hour_share(Some(&shape));
        assert_eq!(share, (d("3"), d("26")));
        assert_eq!(peak_tpm(d("26000"), share, &t), d("60000"));
        assert_eq!(daily_for_tpm(d("60000"), share, &t), d("26000"));
    }

    #[test]
    fn cache_split() {
        let t = tokens(3000, 400);
        let c = Cache {
            hit_rate: d("0.9"),
            prefix_tokens: 2000,
            ttl: Default::default(),
        };
        let u = usage(100, &t, Some(&c));
        assert_eq!(u.input_tokens, 100 * 1000);
        assert_eq!(u.cache_read_tokens, 90 * 2000);
        assert_eq!(u.cache_write_tokens, 10 * 2000);
        assert_eq!(u.output_tokens, 40_000);
        let plain = usage(100, &t, None);
        assert_eq!(plain.input_tokens, 300_000);
        assert_eq!(plain.cache_read_tokens, 0);
    }
}
