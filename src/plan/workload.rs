//! What a workload is once its file has been read and checked: traffic and when it comes,
//! token sizes, prompt caching, batch share, growth, horizon and provisioned capacity.

use rust_decimal::Decimal;

use super::calendar::Month;
use crate::catalog::{Mode, Origin};
use crate::estimate::CacheTtl;
use crate::resolve::Resolved;

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
