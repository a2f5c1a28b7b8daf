//! What a plan finds: the `plan --format json` contract (documented in README.md, "plan JSON
//! contract"). Fields will only ever be added, not renamed or removed.
//!
//! Money is exact decimal, written as exact JSON numbers. An option the catalog cannot price
//! is never shown as $0: it is left out of `options` and named in `unpriced`; an option with
//! some unpriced dimension has `complete: false` and is never the cheapest.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use super::calendar::Month;
use crate::catalog::Mode;
use crate::money;

/// One way of buying a workload's traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanOption {
    /// All traffic on demand (the standard tier).
    OnDemand,
    /// The batch-tolerant share in batch jobs, the rest on demand.
    BatchSplit,
    /// All traffic in the flex tier.
    Flex,
    /// All traffic in the priority tier.
    Priority,
    /// Provisioned throughput on one term (`Mode::Provisioned…`).
    Provisioned(Mode),
}

impl PlanOption {
    /// The spelling in reports: `on-demand`, `batch-split`, `flex`, `priority`,
    /// `provisioned-no-commit`, `provisioned-1-month`, `provisioned-6-month`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanOption::OnDemand => "on-demand",
            PlanOption::BatchSplit => "batch-split",
            PlanOption::Flex => "flex",
            PlanOption::Priority => "priority",
            PlanOption::Provisioned(m) => m.as_str(),
        }
    }
}

impl fmt::Display for PlanOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PlanOption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn opt_money<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => money::serialize_number(d, s),
        None => s.serialize_none(),
    }
}

/// A plain exact number (counts with decimals, fractions).
fn number<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::arbitrary_precision::serialize(&d.normalize(), s)
}

fn opt_number<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => number(d, s),
        None => s.serialize_none(),
    }
}

/// The requests of one option billed in one mode.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub mode: Mode,
    pub requests: u64,
    #[serde(serialize_with = "money::serialize_number")]
    pub total_usd: Decimal,
    pub complete: bool,
    /// Whether these requests were priced with the prompt cache (a mode without cache rates
    /// in the catalog is priced without it).
    pub cached: bool,
}

/// The cost of one option in one month.
#[derive(Debug, Clone, Serialize)]
pub struct OptionCost {
    pub option: PlanOption,
    #[serde(serialize_with = "money::serialize_number")]
    pub total_usd: Decimal,
    /// False when a dimension is unpriced: `total_usd` then covers the priced part only.
    pub complete: bool,
    /// Per-request options: the modes the requests were billed in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Provisioned options: model units paid for this month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_units: Option<u64>,
    /// Provisioned options: peak tokens per minute ÷ capacity of the units paid for.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_number")]
    pub utilization: Option<Decimal>,
    /// Provisioned options: the hourly rate of one model unit.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_money")]
    pub unit_hour_usd: Option<Decimal>,
    /// `MODE/DIMENSION` with a quantity but no price.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced: Vec<String>,
}

/// One month of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct MonthPlan {
    pub month: Month,
    /// Calendar days; provisioned units are billed for all of them (`hours`).
    pub days: u32,
    /// Days with traffic (all days, or Monday to Friday).
    pub traffic_days: u32,
    pub hours: u32,
    /// Requests on one traffic day this month, growth included.
    #[serde(serialize_with = "number")]
    pub requests_per_day: Decimal,
    /// Requests this month, rounded to whole requests.
    pub requests: u64,
    /// Tokens per minute in the busiest minute, rounded up.
    pub peak_tpm: u64,
    /// Model units the peak needs (when the capacity is known).
    pub model_units_needed: Option<u64>,
    pub options: Vec<OptionCost>,
    /// The cheapest complete option this month.
    pub cheapest: Option<PlanOption>,
    /// On demand: cost without the prompt cache minus cost with it (negative when the cache
    /// costs more than it saves, as with a low hit rate).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_money")]
    pub cache_savings_usd: Option<Decimal>,
}

impl MonthPlan {
    pub fn option(&self, option: PlanOption) -> Option<&OptionCost> {
        self.options.iter().find(|o| o.option == option)
    }
}

/// An option's cost over a whole horizon.
#[derive(Debug, Clone, Serialize)]
pub struct OptionTotal {
    pub option: PlanOption,
    #[serde(serialize_with = "money::serialize_number")]
    pub total_usd: Decimal,
    /// False when some month is incomplete or unpriced.
    pub complete: bool,
}

/// Where provisioned throughput on one term starts to beat on-demand, worked out for the
/// first month's calendar and rates.
///
/// On-demand cost grows in a straight line with traffic; provisioned cost is a staircase, one
/// step per model unit. One unit serves up to `unit_capacity_requests_per_day` at the peak
/// and costs `unit_month_usd` whatever the traffic. Provisioned first matches on-demand where
/// the on-demand bill reaches one unit's monthly cost. Each further unit costs what the first
/// did and serves as much, so if a fully used unit does not beat on-demand, no number of
/// units does. Just past each step (a new unit barely used) on-demand can be cheaper again.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    pub term: Mode,
    pub month: Month,
    #[serde(serialize_with = "money::serialize_number")]
    pub unit_hour_usd: Decimal,
    /// One model unit for every hour of the month.
    #[serde(serialize_with = "money::serialize_number")]
    pub unit_month_usd: Decimal,
    /// Daily requests one unit serves when the busiest minute fills it.
    #[serde(serialize_with = "number")]
    pub unit_capacity_requests_per_day: Decimal,
    /// On-demand cost of one typical request.
    #[serde(serialize_with = "money::serialize_number")]
    pub on_demand_per_request_usd: Decimal,
    /// The smallest daily volume (requests per traffic day) at which this term costs no more
    /// than on-demand; `None` when it never does.
    pub requests_per_day: Option<u64>,
    /// Peak utilization of the unit at that volume (0–1).
    #[serde(serialize_with = "opt_number")]
    pub utilization: Option<Decimal>,
    /// The workload's first-month daily volume, to compare.
    #[serde(serialize_with = "number")]
    pub current_requests_per_day: Decimal,
}

/// Token sizes and cache settings as planned.
#[derive(Debug, Clone, Serialize)]
pub struct TokensReport {
    pub input: u64,
    pub output: u64,
    pub input_peak: u64,
    pub output_peak: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_prefix: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_number")]
    pub cache_hit_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_ttl: Option<&'static str>,
}

/// Everything planned for one workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPlan {
    pub name: String,
    pub model_id: String,
    pub resolved_model: String,
    pub model_name: String,
    pub region: String,
    pub route: String,
    pub days: &'static str,
    /// First-month requests per traffic day.
    #[serde(serialize_with = "number")]
    pub requests_per_day: Decimal,
    #[serde(serialize_with = "number")]
    pub monthly_growth: Decimal,
    #[serde(serialize_with = "number")]
    pub batch_share: Decimal,
    pub tokens: TokensReport,
    pub tokens_per_minute_per_unit: Option<u64>,
    pub default_tpm_quota: Option<u64>,
    /// The highest monthly peak over the horizon.
    pub peak_tpm: u64,
    pub months: Vec<MonthPlan>,
    /// Each option over the whole horizon.
    pub totals: Vec<OptionTotal>,
    /// The cheapest complete option over the whole horizon.
    pub cheapest: Option<OptionTotal>,
    /// Sum of each month's cheapest option (switching options from month to month).
    #[serde(serialize_with = "opt_money")]
    pub cheapest_by_month_usd: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_money")]
    pub cache_savings_usd: Option<Decimal>,
    pub break_even: Vec<BreakEven>,
    /// Options with no price (`flex`, `provisioned-6-month`, `batch-split`…) and
    /// `MODE/DIMENSION` items with a quantity but no price.
    pub unpriced: Vec<String>,
    pub warnings: Vec<String>,
}

impl WorkloadPlan {
    pub fn total(&self, option: PlanOption) -> Option<&OptionTotal> {
        self.totals.iter().find(|t| t.option == option)
    }
}

/// All workloads together, month by month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthTotal {
    pub month: Month,
    #[serde(serialize_with = "money::serialize_number")]
    pub on_demand_usd: Decimal,
    #[serde(serialize_with = "money::serialize_number")]
    pub cheapest_usd: Decimal,
    /// False when a workload has no complete price this month.
    pub complete: bool,
}

/// The plan's totals over all workloads.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub months: Vec<MonthTotal>,
    #[serde(serialize_with = "money::serialize_number")]
    pub on_demand_usd: Decimal,
    /// Each workload's cheapest option over its horizon, added up.
    #[serde(serialize_with = "money::serialize_number")]
    pub cheapest_usd: Decimal,
    pub complete: bool,
}

/// A priced workload file: the `plan` JSON contract.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub file: String,
    pub start: Month,
    pub workloads: Vec<WorkloadPlan>,
    pub totals: Totals,
    /// Assumptions the numbers rest on.
    pub assumptions: Vec<String>,
}
