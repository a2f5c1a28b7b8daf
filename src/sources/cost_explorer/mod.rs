//! Cost Explorer → [`Bill`]: what AWS billed for Bedrock, by day and usage type.
//!
//! One range costs 3 requests when nothing pages: GetDimensionValues finds Bedrock's
//! billing services ("Amazon Bedrock" and the Marketplace-sold "… (Amazon Bedrock
//! Edition)"), then one GetCostAndUsage for usage and one for credits, discounts, refunds
//! and tax (see [`crate::aws::costexplorer`]). A range whose days are all final (ended more
//! than 48 hours ago and not marked `Estimated`) is cached ([`cache`]): asking again costs
//! nothing.

pub mod cache;
pub mod read;

use jiff::civil::Date;

use crate::aws::costexplorer::{CostData, CostExplorer};
use crate::aws::{Aws, AwsError, AwsOptions};
use crate::records::Bill;

/// What to fetch.
#[derive(Debug, Clone)]
pub struct BillQuery {
    pub aws: AwsOptions,
    /// First day (inclusive), last day (exclusive), UTC (Cost Explorer's days).
    pub since: Date,
    pub until: Date,
    /// Read and write the response cache.
    pub use_cache: bool,
    /// The first day that is not final yet (today − 2 days, UTC): a range ending on or
    /// before it may be cached.
    pub final_before: Date,
}

/// A bill with where it came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bill: Bill,
    /// Requests made by this run (0 when answered from the cache).
    pub get_dimension_values_calls: u64,
    pub get_cost_and_usage_calls: u64,
    /// The cache file read or written, if any.
    pub cache: Option<(std::path::PathBuf, bool)>,
}

/// Keeps the services Bedrock bills under.
pub fn bedrock_services(all: &[String]) -> Vec<String> {
    let mut out: Vec<String> = all
        .iter()
        .filter(|s| s.as_str() == "Amazon Bedrock" || s.ends_with("(Amazon Bedrock Edition)"))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Fetches (or reads from the cache) the bill of `[since, until)`.
pub async fn fetch(q: &BillQuery) -> Result<Fetched, AwsError> {
    let key = cache::key(q);
    let path = cache::dir().map(|d| d.join(&key));
    if q.use_cache
        && let Some(p) = &path
        && let Some(data) = cache::load(p)
    {
        return Ok(Fetched {
            bill: read::bill(&data),
            get_dimension_values_calls: 0,
            get_cost_and_usage_calls: 0,
            cache: Some((p.clone(), true)),
        });
    }
    let aws = Aws::load(&q.aws).await;
    let ce = CostExplorer::new(&aws);
    let (start, end) = (q.since.to_string(), q.until.to_string());
    let (all, dv_calls) = ce.bedrock_services(&start, &end).await?;
    let services = bedrock_services(&all);
    let mut data = CostData {
        services: services.clone(),
        get_dimension_values_calls: dv_calls,
        ..CostData::default()
    };
    if !services.is_empty() {
        let (usage, est_u, calls_u) = ce.daily_costs(&start, &end, &services, false).await?;
        let (adj, est_a, calls_a) = ce.daily_costs(&start, &end, &services, true).await?;
        data.usage = usage;
        data.adjustments = adj;
        data.estimated_days = est_u;
        for d in est_a {
            if !data.estimated_days.contains(&d) {
                data.estimated_days.push(d);
            }
        }
        data.get_cost_and_usage_calls = calls_u + calls_a;
    }
    let mut written = None;
    if q.use_cache
        && q.until <= q.final_before
        && data.estimated_days.is_empty()
        && let Some(p) = &path
        && cache::store(p, &data)
    {
        written = Some((p.clone(), false));
    }
    Ok(Fetched {
        bill: read::bill(&data),
        get_dimension_values_calls: data.get_dimension_values_calls,
        get_cost_and_usage_calls: data.get_cost_and_usage_calls,
        cache: written,
    })
}

/// [`fetch`] on a runtime of its own, for callers that are not async.
pub fn fetch_blocking(q: &BillQuery) -> Result<Fetched, AwsError> {
    crate::aws::runtime().block_on(fetch(q))
}
