//! `bedrock-meter report daily`: CloudWatch usage → priced daily rows.

use std::path::Path;

use anyhow::Context as _;

use super::args::DailyArgs;
use super::{Context, ExitError};
use crate::aws::{AwsOptions, region_from_env};
use crate::export::write::atomic_write;
use crate::export::{Document, Format, exporter, read_csv};
use crate::records::Source;
use crate::report::{self, DailyOptions, GroupBy, history};
use crate::resolve::Resolver;
use crate::sources::cloudwatch::{self, MonitorConfig};

pub fn daily(ctx: &Context, args: &DailyArgs) -> anyhow::Result<i32> {
    if args.since >= args.until {
        return Err(ExitError::usage(format!(
            "empty range: --since {} is not before --until {} (the report covers since ≤ day < until; for one day, give the next day as --until)",
            args.since, args.until
        ))
        .into());
    }
    let timezone = jiff::tz::TimeZone::get(&args.timezone).map_err(|e| {
        ExitError::usage(format!(
            "--timezone `{}` is not an IANA time zone name like UTC or Europe/Berlin: {e}",
            args.timezone
        ))
    })?;
    let mut by = args.by.clone();
    if by.is_empty() {
        by = GroupBy::ALL.to_vec();
    }
    by.sort();
    by.dedup();
    report::check_keys(&by, Source::CloudWatch).map_err(ExitError::usage)?;
    if args.append.is_some() && by != GroupBy::ALL {
        return Err(ExitError::usage(
            "--append keeps one row per day × Region × model: it cannot be combined with --by",
        )
        .into());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut regions = args.region.clone();
    regions.retain(|r| seen.insert(r.clone()));
    if regions.is_empty()
        && let Some(r) = region_from_env()
    {
        regions.push(r);
    }

    let cfg = MonitorConfig {
        aws: AwsOptions {
            profile: args.profile.clone(),
            max_attempts: args.max_attempts,
            ..AwsOptions::default()
        },
        regions,
        since: args.since,
        until: args.until,
        timezone,
        percentiles: !args.no_percentiles,
        extra_series: args.series.clone(),
        progress: !args.no_progress,
    };
    let collected = cloudwatch::collect_blocking(&cfg)?;

    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let opts = DailyOptions {
        since: args.since,
        until: args.until,
        timezone: args.timezone.clone(),
        regions: collected.regions.clone(),
        by,
        as_of: ctx.as_of_flag,
        source: Source::CloudWatch,
    };
    let mut rep = report::daily(&collected.records, &resolver, &opts);
    let s = collected.stats;
    rep.summary.push((
        "CloudWatch API calls".into(),
        format!(
            "{} ListMetrics, {} GetMetricData ({} queries over {} series)",
            s.list_metrics_calls, s.get_metric_data_calls, s.queries, s.series
        ),
    ));
    rep.notes.extend(collected.notes);

    if let Some(path) = &args.append {
        append(path, &rep)?;
    }
    let totals_row = matches!(ctx.output.format, Format::Table | Format::Markdown);
    ctx.output.write(&report::document(&rep, totals_row))?;
    Ok(0)
}

/// Merges the report's rows into the history file at `path`.
fn append(path: &Path, rep: &report::DailyReport) -> anyhow::Result<()> {
    let existing = match std::fs::read(path) {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => None,
        Ok(b) => Some(read_csv(&b).with_context(|| format!("cannot read {}", path.display()))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let run = report::document(rep, false).table;
    let (merged, stats) = history::merge(existing, &run, rep.since, rep.until, &rep.regions)
        .with_context(|| format!("cannot merge into {}", path.display()))?;
    let rows = merged.rows.len();
    let doc = Document {
        table: merged,
        ..Document::default()
    };
    atomic_write(path, &exporter(Format::Csv).export(&doc)?)?;
    eprintln!(
        "{}: {rows} row(s): {} from this run ({} replaced), {} kept",
        path.display(),
        stats.added,
        stats.replaced,
        stats.kept
    );
    Ok(())
}
