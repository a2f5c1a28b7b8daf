//! AWS Cost Explorer: what AWS billed, by day, as plain data.
//!
//! Two operations, each $0.01 a request, so every call is counted:
//!
//! - GetDimensionValues `SERVICE` (search string `Bedrock`): the billing services of the
//!   range. Bedrock bills under "Amazon Bedrock" and, for models sold through AWS
//!   Marketplace, under one service per model, "Claude Sonnet 4.5 (Amazon Bedrock Edition)".
//! - GetCostAndUsage, `DAILY`, metrics `UnblendedCost` and `UsageQuantity`, filtered to the
//!   given services and to one side of `RECORD_TYPE`: the usage query (`RECORD_TYPE =
//!   Usage`) is grouped by `SERVICE` × `USAGE_TYPE` (the usage type carries the Region's
//!   billing prefix, the service names a Marketplace model); the adjustments query
//!   (`RECORD_TYPE ≠ Usage`: credits, discounts, refunds, tax…) by `SERVICE` × `RECORD_TYPE`.
//!
//! Both follow `NextPageToken`. Cost Explorer is a global service answered in us-east-1.
//!
//! IAM actions: `ce:GetDimensionValues`, `ce:GetCostAndUsage`.

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::config::Region;
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType, ResultByTime,
};
use serde::{Deserialize, Serialize};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "Cost Explorer",
    env: "COST_EXPLORER",
    host: "ce",
};

/// The Region Cost Explorer answers in.
pub const CE_REGION: &str = "us-east-1";

/// One group of one day as Cost Explorer reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// The day (`TimePeriod.Start`, `YYYY-MM-DD`).
    pub day: String,
    /// Cost Explorer's `Estimated` flag: the day's figures may still change.
    pub estimated: bool,
    /// The billing service (`Amazon Bedrock`, `… (Amazon Bedrock Edition)`).
    pub service: String,
    /// The usage type (usage query) or the record type (adjustments query).
    pub key: String,
    /// `UnblendedCost.Amount` as text (exact), and its unit (`USD`).
    pub cost: String,
    pub cost_unit: String,
    /// `UsageQuantity.Amount` as text and its unit as Cost Explorer names it.
    pub quantity: String,
    pub quantity_unit: String,
}

/// Everything one range's queries returned, with the calls made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostData {
    pub services: Vec<String>,
    /// Usage lines (`RECORD_TYPE = Usage`), `key` = usage type.
    pub usage: Vec<CostLine>,
    /// Credits, discounts, refunds, tax…, `key` = record type.
    pub adjustments: Vec<CostLine>,
    /// Days whose `Estimated` flag was set, in either query.
    pub estimated_days: Vec<String>,
    pub get_dimension_values_calls: u64,
    pub get_cost_and_usage_calls: u64,
}

/// Cost Explorer (global, in us-east-1).
pub struct CostExplorer {
    client: Client,
    endpoint: String,
    attempts: u32,
}

impl CostExplorer {
    pub fn new(aws: &Aws) -> CostExplorer {
        let conf = aws_sdk_costexplorer::config::Builder::from(&aws.config)
            .region(Region::new(CE_REGION))
            .build();
        CostExplorer {
            client: Client::from_conf(conf),
            endpoint: aws.endpoint(SERVICE, CE_REGION),
            attempts: aws.max_attempts,
        }
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: CE_REGION,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// Service names of `[start, end)` (days `YYYY-MM-DD`) that contain "Bedrock", with
    /// the number of calls made.
    pub async fn bedrock_services(
        &self,
        start: &str,
        end: &str,
    ) -> Result<(Vec<String>, u64), AwsError> {
        let site = self.site("ce:GetDimensionValues");
        let mut out = Vec::new();
        let mut calls = 0;
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client
                .get_dimension_values()
                .time_period(interval(start, end, &site)?)
                .dimension(Dimension::Service)
                .search_string("Bedrock")
                .set_next_page_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            out.extend(
                resp.dimension_values()
                    .iter()
                    .filter_map(|v| v.value().map(str::to_string)),
            );
            token = resp.next_page_token().map(str::to_string);
            if token.as_deref().is_none_or(str::is_empty) {
                break;
            }
        }
        Ok((out, calls))
    }

    /// Daily usage lines (`adjustments = false`) or credit/discount/refund/tax lines
    /// (`adjustments = true`) of `services` over `[start, end)`, with the calls made.
    pub async fn daily_costs(
        &self,
        start: &str,
        end: &str,
        services: &[String],
        adjustments: bool,
    ) -> Result<(Vec<CostLine>, Vec<String>, u64), AwsError> {
        let site = self.site("ce:GetCostAndUsage");
        let service_filter = Expression::builder()
            .dimensions(
                DimensionValues::builder()
                    .key(Dimension::Service)
                    .set_values(Some(services.to_vec()))
                    .build(),
            )
            .build();
        let usage = Expression::builder()
            .dimensions(
                DimensionValues::builder()
                    .key(Dimension::RecordType)
                    .values("Usage")
                    .build(),
            )
            .build();
        let record_filter = if adjustments {
            Expression::builder().not(usage).build()
        } else {
            usage
        };
        let filter = Expression::builder()
            .and(service_filter)
            .and(record_filter)
            .build();
        let second = if adjustments {
            "RECORD_TYPE"
        } else {
            "USAGE_TYPE"
        };
        let mut lines = Vec::new();
        let mut estimated = Vec::new();
        let mut calls = 0;
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client
                .get_cost_and_usage()
                .time_period(interval(start, end, &site)?)
                .granularity(Granularity::Daily)
                .metrics("UnblendedCost")
                .metrics("UsageQuantity")
                .filter(filter.clone())
                .group_by(group("SERVICE"))
                .group_by(group(second))
                .set_next_page_token(token.clone())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            calls += 1;
            for r in resp.results_by_time() {
                read_day(r, &mut lines, &mut estimated);
            }
            token = resp.next_page_token().map(str::to_string);
            if token.as_deref().is_none_or(str::is_empty) {
                break;
            }
        }
        Ok((lines, estimated, calls))
    }
}

fn group(key: &str) -> GroupDefinition {
    GroupDefinition::builder()
        .r#type(GroupDefinitionType::Dimension)
        .key(key)
        .build()
}

fn interval(start: &str, end: &str, site: &CallSite<'_>) -> Result<DateInterval, AwsError> {
    DateInterval::builder()
        .start(start)
        .end(end)
        .build()
        .map_err(|e| AwsError::Other {
            action: site.action.to_string(),
            region: CE_REGION.to_string(),
            detail: e.to_string(),
        })
}

/// The groups of one day. A group keyed by one value only (no second key) keeps it as the
/// service and an empty key.
fn read_day(r: &ResultByTime, lines: &mut Vec<CostLine>, estimated: &mut Vec<String>) {
    let day = r
        .time_period()
        .map(|t| t.start().to_string())
        .unwrap_or_default();
    if r.estimated() && !estimated.contains(&day) {
        estimated.push(day.clone());
    }
    for g in r.groups() {
        let keys = g.keys();
        let metric = |name: &str| -> (String, String) {
            g.metrics()
                .and_then(|m| m.get(name))
                .map(|v| {
                    (
                        v.amount().unwrap_or_default().to_string(),
                        v.unit().unwrap_or_default().to_string(),
                    )
                })
                .unwrap_or_default()
        };
        let (cost, cost_unit) = metric("UnblendedCost");
        let (quantity, quantity_unit) = metric("UsageQuantity");
        lines.push(CostLine {
            day: day.clone(),
            estimated: r.estimated(),
            service: keys.first().cloned().unwrap_or_default(),
            key: keys.get(1).cloned().unwrap_or_default(),
            cost,
            cost_unit,
            quantity,
            quantity_unit,
        });
    }
}
