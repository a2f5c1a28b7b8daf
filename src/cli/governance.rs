//! `bedrock-meter report governance`: CloudTrail calls → rows, findings and changes.
//!
//! Reads the baseline window and the range in one pass (LookupEvents, trail files on S3 or
//! on disk, or an Athena query), splits the calls at `--since`, and hands both to
//! [`crate::report::governance`]. With `--apportion-cost` it also reads CloudWatch's daily
//! usage of the range and puts its cost, split by successful calls, on the rows.

use std::path::Path;

use anyhow::Context as _;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use super::args::GovernanceArgs;
use super::{Context, ExitError};
use crate::aws::s3::{S3, parse_s3_uri};
use crate::aws::{Aws, AwsOptions, region_from_env};
use crate::export::write::atomic_write;
use crate::export::{Format, exporter};
use crate::records::CallRecord;
use crate::report::governance::{
    self, GovKey, GovernanceOptions, GovernanceReport, Severity, Thresholds,
};
use crate::resolve::Resolver;
use crate::sources::cloudtrail::{
    TimeRange, TrailError, TrailReader, athena as ct_athena, lookup, trail_s3,
};
use crate::sources::objects;

/// Midnight UTC of `day`.
fn utc_midnight(day: Date) -> anyhow::Result<Timestamp> {
    Ok(day.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

pub fn run(ctx: &Context, args: &GovernanceArgs) -> anyhow::Result<i32> {
    if args.since >= args.until {
        return Err(ExitError::usage(format!(
            "empty range: --since {} is not before --until {} (the report covers since ≤ day < until)",
            args.since, args.until
        ))
        .into());
    }
    let by = GovKey::parse_list(&args.by.join(",")).map_err(ExitError::usage)?;
    let fail_on = args
        .fail_on
        .as_deref()
        .map(|s| s.parse::<Severity>())
        .transpose()
        .map_err(|e| ExitError::usage(format!("--fail-on: {e}")))?;
    if args.apportion_cost {
        governance::cost::check_keys(&by).map_err(ExitError::usage)?;
    }
    let policy = match &args.policy {
        Some(p) => Some(governance::policy::load(p).map_err(|e| ExitError::usage(e.to_string()))?),
        None => None,
    };
    let thresholds = policy
        .as_ref()
        .map(|p| p.thresholds.clone())
        .unwrap_or_else(Thresholds::default);
    let opts = GovernanceOptions {
        since: args.since,
        until: args.until,
        by,
        policy,
        thresholds,
        baseline_days: args.baseline_days,
    };
    let mut regions = args.region.clone();
    let mut seen = std::collections::BTreeSet::new();
    regions.retain(|r| seen.insert(r.clone()));
    // A trail's Region folders are narrowed by `--region` only: a Region from the
    // environment (AWS_REGION) must not silently drop the other Regions' calls.
    let trail_regions = regions.clone();
    if regions.is_empty()
        && let Some(r) = region_from_env()
    {
        regions.push(r);
    }
    let aws_opts = AwsOptions {
        profile: args.profile.clone(),
        max_attempts: args.max_attempts,
        ..AwsOptions::default()
    };
    let read_from = utc_midnight(opts.baseline_start())?;
    let since = utc_midnight(args.since)?;
    let until = utc_midnight(args.until)?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());

    let (mut report, range_calls) = if let Some(table) = &args.athena {
        let rep = from_athena(
            args, table, &regions, &aws_opts, read_from, until, &resolver, &opts,
        )?;
        (rep, None)
    } else {
        let mut reader = TrailReader::new(
            args.strict,
            TimeRange {
                since: Some(read_from),
                until: Some(until),
            },
        );
        let mut calls = Vec::new();
        let mut sources = json!({
            "kind": if args.trail.is_empty() { "lookup-events" } else { "trail-files" },
        });
        if args.trail.is_empty() {
            sources = from_lookup(
                &mut reader,
                &regions,
                &aws_opts,
                read_from,
                until,
                &mut calls,
            )?;
        } else {
            let mut s3 = Vec::new();
            for t in &args.trail {
                if t.starts_with("s3://") {
                    s3.push(from_s3(
                        &mut reader,
                        t,
                        &trail_regions,
                        regions.first().map(String::as_str),
                        &aws_opts,
                        read_from,
                        until,
                        &mut calls,
                    )?);
                } else {
                    read_local(&mut reader, Path::new(t), &mut calls)?;
                }
            }
            if !s3.is_empty() {
                sources["s3"] = Value::Array(s3);
            }
        }
        let (baseline, range): (Vec<CallRecord>, Vec<CallRecord>) =
            calls.into_iter().partition(|c| c.time < since);
        let mut rep = governance::governance(&range, &baseline, &resolver, &opts);
        let s = &reader.stats;
        let problems: Vec<String> = s.problems.iter().map(|p| p.to_string()).collect();
        if s.problem_count() > 0 {
            rep.notes.push(format!(
                "{} bad record(s) and {} bad file(s) were skipped (the rest was read); first: {}",
                s.bad_records,
                s.bad_files,
                problems.first().cloned().unwrap_or_default()
            ));
        }
        if s.duplicates > 0 {
            rep.notes.push(format!(
                "{} duplicate record(s) (same eventID) were dropped",
                s.duplicates
            ));
        }
        if let Value::Object(m) = &mut sources {
            m.insert("files".into(), Value::from(s.files));
            m.insert("files_ignored".into(), Value::from(s.files_ignored));
            m.insert("bytes".into(), Value::from(s.bytes));
            m.insert("records_read".into(), Value::from(s.records));
            m.insert("kept".into(), Value::from(s.kept));
            m.insert("skipped_other_sources".into(), Value::from(s.skipped));
            m.insert("out_of_range".into(), Value::from(s.out_of_range));
            m.insert("duplicates".into(), Value::from(s.duplicates));
            m.insert("bad_records".into(), Value::from(s.bad_records));
            m.insert("bad_files".into(), Value::from(s.bad_files));
            m.insert("problems".into(), json!(problems));
            m.insert(
                "problems_not_listed".into(),
                Value::from(s.problems_not_kept),
            );
            m.insert("baseline_calls".into(), Value::from(baseline.len() as u64));
        }
        rep.sources = sources;
        (rep, Some(range))
    };

    if args.apportion_cost {
        apportion(
            ctx,
            &mut report,
            range_calls.as_deref(),
            &regions,
            &aws_opts,
            args,
        )?;
    }

    report
        .notes
        .extend(ctx.catalog.staleness_note(super::today()));
    let for_people = matches!(
        ctx.output.format,
        Format::Table | Format::Markdown | Format::Html
    );
    ctx.output
        .write(&governance::document(&report, for_people))?;
    if let Some(path) = &args.findings_csv {
        let doc = governance::findings_document(&report.findings);
        atomic_write(path, &exporter(Format::Csv).export(&doc)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(governance::exit_code(&report.findings, fail_on))
}

/// A strict-mode stop or an unreadable path, as a command error.
fn trail_error(e: TrailError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn read_local(
    reader: &mut TrailReader,
    path: &Path,
    out: &mut Vec<CallRecord>,
) -> anyhow::Result<()> {
    if !path.exists() {
        return Err(ExitError::usage(format!(
            "--trail {}: no such file or folder",
            path.display()
        ))
        .into());
    }
    reader.read_path(path, out).map_err(trail_error)
}

fn from_lookup(
    reader: &mut TrailReader,
    regions: &[String],
    aws: &AwsOptions,
    since: Timestamp,
    until: Timestamp,
    out: &mut Vec<CallRecord>,
) -> anyhow::Result<Value> {
    let mut cfg = lookup::LookupConfig::new(regions.to_vec(), since, until);
    cfg.aws = aws.clone();
    let got = lookup::collect_blocking(&cfg)?;
    for (region, event) in &got.events {
        reader
            .read_slice(&format!("LookupEvents ({region})"), event.as_bytes(), out)
            .map_err(trail_error)?;
    }
    Ok(json!({
        "kind": "lookup-events",
        "regions": got.regions,
        "lookup_events_calls": got.stats.calls,
        "events_returned": got.stats.events,
        "notes": got.notes,
    }))
}

#[allow(clippy::too_many_arguments)]
fn from_s3(
    reader: &mut TrailReader,
    uri: &str,
    regions: &[String],
    default_region: Option<&str>,
    aws: &AwsOptions,
    since: Timestamp,
    until: Timestamp,
    out: &mut Vec<CallRecord>,
) -> anyhow::Result<Value> {
    let location = parse_s3_uri(uri).map_err(|e| ExitError::usage(e.to_string()))?;
    let cfg = trail_s3::TrailConfig {
        location,
        since,
        until,
        regions: regions.to_vec(),
        concurrency: trail_s3::DEFAULT_CONCURRENCY,
    };
    let mut stop: Option<TrailError> = None;
    let stats = crate::aws::runtime().block_on(async {
        let aws = Aws::load(aws).await;
        let bucket_region = aws.region_or(regions.first().map(String::as_str).or(default_region));
        let s3 = S3::new(&aws, &bucket_region);
        let mut on_file = |name: &str, bytes: Vec<u8>| {
            if stop.is_some() {
                return;
            }
            if let Err(e) = reader.read_object(objects::from_bytes(name, bytes), out) {
                stop = Some(e);
            }
        };
        trail_s3::collect(&s3, &cfg, &mut on_file).await
    })?;
    if let Some(e) = stop {
        return Err(trail_error(e));
    }
    Ok(json!({
        "uri": uri,
        "list_calls": stats.list_calls,
        "listed_prefixes": stats.listed_prefixes.len(),
        "objects_fetched": stats.fetched_keys.len(),
        "bytes_downloaded": stats.bytes,
        "accounts": stats.accounts,
    }))
}

#[allow(clippy::too_many_arguments)]
fn from_athena(
    args: &GovernanceArgs,
    table: &str,
    regions: &[String],
    aws: &AwsOptions,
    read_from: Timestamp,
    until: Timestamp,
    resolver: &Resolver<'_>,
    opts: &GovernanceOptions,
) -> anyhow::Result<GovernanceReport> {
    let table = ct_athena::CloudTrailTable {
        table: ct_athena::TableName::parse(table).map_err(|e| ExitError::usage(e.to_string()))?,
        since: read_from,
        until,
        day_partition: None,
    };
    let run = ct_athena::AthenaRun {
        workgroup: args.workgroup.clone(),
        output_location: args.output_location.clone(),
        database: None,
        strict: args.strict,
    };
    let (aggs, control) = crate::aws::runtime().block_on(async {
        let aws = Aws::load(aws).await;
        let region = aws.region_or(regions.first().map(String::as_str));
        let athena = crate::aws::athena::Athena::new(&aws, &region);
        let aggs = ct_athena::governance(&athena, &table, &run).await?;
        let control = ct_athena::control_plane(&athena, &table, &run).await?;
        Ok::<_, ct_athena::AthenaSourceError>((aggs, control))
    })?;
    let (baseline, range): (Vec<_>, Vec<_>) =
        aggs.items.iter().cloned().partition(|a| a.day < opts.since);
    let mut rep = governance::governance_from_aggregates(&range, &baseline, resolver, opts);
    // The control-plane events come back whole: they give the change list and the
    // findings that need each call's time (availability probing among them).
    let records: Vec<CallRecord> = control
        .items
        .iter()
        .filter_map(ct_athena_record)
        .filter(|c| c.time >= utc_midnight(opts.since).unwrap_or(c.time))
        .collect();
    rep.notes
        .retain(|n| !n.contains("not evaluated from aggregates"));
    rep.notes.push("with --athena, access-denied and validation bursts on model calls are not evaluated (they need each call; run on --trail files for them)".to_string());
    rep.findings.extend(
        governance::findings::from_records(&records, resolver, &opts.thresholds)
            .into_iter()
            .filter(|f| {
                !matches!(
                    f.kind,
                    governance::FindingKind::AccessDeniedBurst
                        | governance::FindingKind::ValidationBurst
                )
            }),
    );
    governance::findings::sort(&mut rep.findings);
    rep.changes = governance::changes(&records);
    let bad: Vec<String> = aggs
        .bad_rows
        .iter()
        .chain(control.bad_rows.iter())
        .map(|r| r.to_string())
        .collect();
    if !bad.is_empty() {
        rep.notes.push(format!(
            "{} Athena result row(s) could not be read and were skipped; first: {}",
            bad.len(),
            bad[0]
        ));
    }
    if aggs.truncated || control.truncated {
        rep.notes
            .push("an Athena query hit its row limit: the report may be incomplete".into());
    }
    rep.sources = json!({
        "kind": "athena",
        "table": args.athena,
        "aggregate_rows": aggs.items.len(),
        "control_plane_events": control.items.len(),
        "bad_rows": bad,
    });
    Ok(rep)
}

/// A control-plane event from Athena as a call record (`None` when its time is unreadable).
fn ct_athena_record(e: &ct_athena::ControlPlaneEvent) -> Option<CallRecord> {
    let time = crate::sources::cloudtrail::parse_time(&e.event_time).ok()?;
    let model_id = e.request_parameters.as_deref().and_then(|p| {
        serde_json::from_str::<Value>(p).ok().and_then(|v| {
            [
                "modelId",
                "modelIdentifier",
                "modelArn",
                "baseModelIdentifier",
            ]
            .iter()
            .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        })
    });
    Some(CallRecord {
        time,
        region: e.region.clone(),
        event_name: e.event_name.clone(),
        model_id,
        principal: e.principal.clone(),
        source_ip: e.source_ip.clone(),
        user_agent: e.user_agent.clone(),
        client: crate::sources::cloudtrail::event::client_kind(
            e.user_agent.as_deref(),
            false,
            matches!(e.principal.kind, crate::records::PrincipalType::AwsService),
            false,
        ),
        error_code: e.error_code.clone(),
        error_message: e.error_message.clone(),
        inference_region: e.inference_region.clone(),
        request_id: None,
        event_id: e.event_id.clone(),
        read_only: Some(false),
        parameters: e
            .request_parameters
            .as_ref()
            .map(|p| p.chars().take(300).collect()),
    })
}

/// `--apportion-cost`: CloudWatch's daily usage of the range, priced, split over the
/// principals of the range's successful calls, and put on the rows.
fn apportion(
    ctx: &Context,
    report: &mut GovernanceReport,
    calls: Option<&[CallRecord]>,
    regions: &[String],
    aws: &AwsOptions,
    args: &GovernanceArgs,
) -> anyhow::Result<()> {
    let Some(calls) = calls else {
        return Err(ExitError::usage(
            "--apportion-cost needs call records: use it with LookupEvents or --trail, not --athena",
        )
        .into());
    };
    // Read CloudWatch in every Region the calls were made in (and the ones asked for).
    let mut cw_regions: Vec<String> = regions.to_vec();
    for c in calls {
        if !cw_regions.contains(&c.region) {
            cw_regions.push(c.region.clone());
        }
    }
    let cfg = crate::sources::cloudwatch::MonitorConfig {
        aws: aws.clone(),
        regions: cw_regions,
        since: args.since,
        until: args.until,
        timezone: jiff::tz::TimeZone::UTC,
        percentiles: false,
        extra_series: Vec::new(),
        progress: !args.no_progress,
    };
    let collected = crate::sources::cloudwatch::collect_blocking(&cfg)?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let priced = crate::report::price_all(&collected.records, &resolver, ctx.as_of_flag);
    let aggs = governance::aggregate(calls);
    let (parts, mut notes) = crate::report::apportion::apportion(&priced, &aggs);
    notes.extend(governance::cost::attach(report, &parts));
    notes.extend(collected.notes);
    report.notes.extend(notes);
    if let Value::Object(m) = &mut report.sources {
        m.insert(
            "cloudwatch".into(),
            json!({
                "regions": collected.regions,
                "list_metrics_calls": collected.stats.list_metrics_calls,
                "get_metric_data_calls": collected.stats.get_metric_data_calls,
                "series_days": collected.records.len(),
            }),
        );
    }
    Ok(())
}
