//! `bedrock-meter report daily`: CloudWatch usage (or model-invocation logs) → priced daily
//! rows.

use std::path::Path;

use anyhow::Context as _;

use super::args::{DailyArgs, EngineArg, LogArgs};
use super::{Context, ExitError};
use crate::aws::{AwsOptions, region_from_env};
use crate::export::write::atomic_write;
use crate::export::{Document, Format, exporter, read_csv};
use crate::records::Source;
use crate::report::{self, DailyOptions, GroupBy, history};
use crate::resolve::Resolver;
use crate::sources::cloudwatch::{self, MonitorConfig};
use crate::sources::invocation_logs::collect::{self as logs, Engine, LogSources};

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
    let source = if args.logs.any() {
        Source::InvocationLogs
    } else {
        Source::CloudWatch
    };
    report::check_keys(&by, source).map_err(|e| {
        ExitError::usage(format!(
            "{e} (report daily reads them with --logs or --log-group; see also report chargeback)"
        ))
    })?;
    if args.append.is_some() && !GroupBy::ALL.iter().all(|k| by.contains(k)) {
        return Err(ExitError::usage(
            "--append keeps one row per day × Region × model (and principal or tag when grouped): --by must include day, region and model",
        )
        .into());
    }
    if args.check_cloudwatch && !args.logs.any() {
        return Err(ExitError::usage(
            "--check-cloudwatch compares invocation logs with CloudWatch: give --logs or --log-group",
        )
        .into());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut regions = args.region.clone();
    regions.retain(|r| seen.insert(r.clone()));
    if source == Source::InvocationLogs {
        // Only the Regions asked for: AWS_REGION must not narrow which S3 folders are read
        // nor which Regions' history rows an --append replaces.
        return daily_from_logs(ctx, args, by, regions, timezone);
    }
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
    rep.notes.extend(ctx.catalog.staleness_note(super::today()));

    if let Some(path) = &args.append {
        append(path, &rep)?;
    }
    let totals_row = matches!(
        ctx.output.format,
        Format::Table | Format::Markdown | Format::Html
    );
    ctx.output.write(&report::document(&rep, totals_row))?;
    Ok(0)
}

/// Reads invocation logs for `[since, until)` (days in `timezone`). `regions` are the
/// Regions asked for (`--region`), none when not given: then every Region's S3 folders are
/// read, and discovery and log groups use the SDK's Region (AWS_REGION, the profile's).
#[allow(clippy::too_many_arguments)]
pub fn read_logs(
    ctx: &Context,
    src: &LogArgs,
    regions: &[String],
    profile: Option<String>,
    max_attempts: u32,
    since: jiff::civil::Date,
    until: jiff::civil::Date,
    timezone: &jiff::tz::TimeZone,
    tag_keys: Vec<String>,
) -> anyhow::Result<logs::Collected> {
    let start = |d: jiff::civil::Date| -> anyhow::Result<jiff::Timestamp> {
        Ok(d.to_zoned(timezone.clone())?.start_of_day()?.timestamp())
    };
    let sources = LogSources {
        aws: AwsOptions {
            profile,
            max_attempts,
            ..AwsOptions::default()
        },
        logs: src.logs.clone(),
        log_groups: src.log_groups.clone(),
        regions: regions.to_vec(),
        since: start(since)?,
        until: start(until)?,
        timezone: timezone.clone(),
        strict: src.strict,
        engine: match src.engine {
            EngineArg::Local => Engine::Local,
            EngineArg::LogsInsights => Engine::LogsInsights,
        },
        tag_keys,
    };
    logs::collect_blocking(&sources, &ctx.aliases).map_err(|e| match e {
        logs::CollectError::Usage(m) => ExitError::usage(m).into(),
        other => anyhow::Error::new(other),
    })
}

/// `report daily --logs … | --log-group …`: the same rows from invocation logs, which may
/// also be grouped by principal and tag.
fn daily_from_logs(
    ctx: &Context,
    args: &DailyArgs,
    by: Vec<GroupBy>,
    regions: Vec<String>,
    timezone: jiff::tz::TimeZone,
) -> anyhow::Result<i32> {
    let tag_keys: Vec<String> = by
        .iter()
        .filter_map(|g| match g {
            GroupBy::Tag(k) => Some(k.clone()),
            _ => None,
        })
        .collect();
    let collected = read_logs(
        ctx,
        &args.logs,
        &regions,
        args.profile.clone(),
        args.max_attempts,
        args.since,
        args.until,
        &timezone,
        tag_keys,
    )?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    // The run owns the Regions asked for and every Region its records came from (local
    // files are not narrowed by --region): an --append replaces exactly those.
    let mut report_regions = regions.clone();
    report_regions.extend(collected.regions.iter().cloned());
    report_regions.sort();
    report_regions.dedup();
    let opts = DailyOptions {
        since: args.since,
        until: args.until,
        timezone: args.timezone.clone(),
        regions: report_regions,
        by,
        as_of: ctx.as_of_flag,
        source: Source::InvocationLogs,
    };
    let mut rep = report::daily(&collected.records, &resolver, &opts);
    let s = &collected.sources;
    rep.summary.push((
        "Source".into(),
        format!(
            "model-invocation logs: {} record(s) kept of {} read, {} file(s), {} duplicate(s), {} bad line(s)",
            s["kept"], s["records_read"], s["files"], s["duplicates"], s["bad_lines"]
        ),
    ));
    rep.notes.extend(collected.notes.iter().cloned());
    if args.check_cloudwatch {
        let cfg = MonitorConfig {
            aws: AwsOptions {
                profile: args.profile.clone(),
                max_attempts: args.max_attempts,
                ..AwsOptions::default()
            },
            regions: opts.regions.clone(),
            since: args.since,
            until: args.until,
            timezone: timezone.clone(),
            percentiles: false,
            extra_series: args.series.clone(),
            progress: !args.no_progress,
        };
        let cw = cloudwatch::collect_blocking(&cfg)?;
        let found = report::crosscheck::compare(
            &collected.records,
            &cw.records,
            rust_decimal::Decimal::ONE,
        );
        rep.summary.push((
            "CloudWatch check".into(),
            if found.is_empty() {
                "every series' token totals agree within 1%".to_string()
            } else {
                format!("{} series differ by more than 1% (see notes)", found.len())
            },
        ));
        rep.notes.extend(found.iter().map(report::crosscheck::note));
    }
    rep.notes.extend(ctx.catalog.staleness_note(super::today()));
    if let Some(path) = &args.append {
        append(path, &rep)?;
    }
    let totals_row = matches!(
        ctx.output.format,
        Format::Table | Format::Markdown | Format::Html
    );
    let mut doc = report::document(&rep, totals_row);
    if let serde_json::Value::Object(m) = &mut doc.json {
        m.insert("sources".into(), collected.sources.clone());
    }
    ctx.output.write(&doc)?;
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
