//! `bedrock-meter report reconcile`: Cost Explorer's bill against the estimate from
//! CloudWatch metrics (or invocation logs), per day × Region × model × dimension.

use jiff::ToSpan;
use serde_json::json;

use super::args::ReconcileArgs;
use super::{Context, ExitError};
use crate::aws::{AwsOptions, region_from_env};
use crate::catalog::pricelist::tables::Tables;
use crate::catalog::pricelist::usage_type;
use crate::records::Source;
use crate::report::{self, reconcile};
use crate::resolve::Resolver;
use crate::sources::cloudwatch::{self, MonitorConfig};
use crate::sources::cost_explorer::{self, BillQuery};

pub fn run(ctx: &Context, args: &ReconcileArgs) -> anyhow::Result<i32> {
    if args.since >= args.until {
        return Err(ExitError::usage(format!(
            "empty range: --since {} is not before --until {} (the report covers since ≤ day < until)",
            args.since, args.until
        ))
        .into());
    }
    if args.tolerance.is_sign_negative() {
        return Err(ExitError::usage("--tolerance is a percentage of at least 0").into());
    }
    let aws = AwsOptions {
        profile: args.profile.clone(),
        max_attempts: args.max_attempts,
        ..AwsOptions::default()
    };
    // A day is final once it ended 48 hours ago.
    let final_before = jiff::Timestamp::now()
        .checked_sub(48.hours())?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let fetched = cost_explorer::fetch_blocking(&BillQuery {
        aws: aws.clone(),
        since: args.since,
        until: args.until,
        use_cache: !args.no_cache,
        final_before,
    })?;
    let tables = Tables::embedded();

    let mut regions = args.region.clone();
    if regions.is_empty() {
        regions = fetched
            .bill
            .usage
            .iter()
            .filter_map(|l| {
                let prefix = usage_type::parse(&l.key)
                    .map(|u| u.prefix)
                    .ok()
                    .or_else(|| l.key.split_once('-').map(|(p, _)| p.to_string()))?;
                tables.region_of(&prefix).map(str::to_string)
            })
            .collect();
        regions.sort();
        regions.dedup();
    }
    let utc = jiff::tz::TimeZone::UTC;
    let (records, source, mut notes, usage_summary) = if args.logs.any() {
        let c = super::report::read_logs(
            ctx,
            &args.logs,
            &args.region,
            args.profile.clone(),
            args.max_attempts,
            args.since,
            args.until,
            &utc,
            Vec::new(),
        )?;
        let s = &c.sources;
        let summary = format!(
            "model-invocation logs: {} record(s) kept of {} read, {} bad line(s)",
            s["kept"], s["records_read"], s["bad_lines"]
        );
        (c.records, Source::InvocationLogs, c.notes, summary)
    } else {
        if regions.is_empty()
            && let Some(r) = region_from_env()
        {
            regions.push(r);
        }
        let c = cloudwatch::collect_blocking(&MonitorConfig {
            aws,
            regions: regions.clone(),
            since: args.since,
            until: args.until,
            timezone: utc,
            percentiles: false,
            extra_series: args.series.clone(),
            progress: !args.no_progress,
        })?;
        let summary = format!(
            "CloudWatch in {}: {} ListMetrics, {} GetMetricData",
            c.regions.join(", "),
            c.stats.list_metrics_calls,
            c.stats.get_metric_data_calls
        );
        (c.records, Source::CloudWatch, c.notes, summary)
    };
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let priced = report::price_all(&records, &resolver, ctx.as_of_flag);
    let mut rec = reconcile::reconcile(
        &fetched.bill,
        &priced,
        &tables,
        &reconcile::Options {
            since: args.since,
            until: args.until,
            tolerance_pct: args.tolerance,
            final_before,
            source,
        },
    );
    rec.notes.append(&mut notes);
    rec.notes.extend(ctx.catalog.staleness_note(super::today()));
    let calls = fetched.get_dimension_values_calls + fetched.get_cost_and_usage_calls;
    let cache = match &fetched.cache {
        Some((p, true)) => format!("answered from the cache ({})", p.display()),
        Some((p, false)) => format!("finished range cached in {}", p.display()),
        None if args.no_cache => "not used (--no-cache)".to_string(),
        None => "not cached (the range has days that are not final yet)".to_string(),
    };
    let summary = vec![
        (
            "Cost Explorer calls".to_string(),
            format!(
                "{calls} (${}): {} GetDimensionValues, {} GetCostAndUsage",
                rust_decimal::Decimal::new(calls as i64, 2),
                fetched.get_dimension_values_calls,
                fetched.get_cost_and_usage_calls
            ),
        ),
        ("Cache".to_string(), cache),
        ("Usage source".to_string(), usage_summary),
    ];
    eprintln!(
        "Cost Explorer: {calls} call(s) made ({} GetDimensionValues, {} GetCostAndUsage)",
        fetched.get_dimension_values_calls, fetched.get_cost_and_usage_calls
    );
    let calls_json = json!({
        "cost_explorer": calls,
        "get_dimension_values": fetched.get_dimension_values_calls,
        "get_cost_and_usage": fetched.get_cost_and_usage_calls,
        "cached": matches!(fetched.cache, Some((_, true))),
    });
    ctx.output
        .write(&reconcile::document::document(&rec, summary, calls_json))?;
    Ok(0)
}
