//! `bedrock-meter alert check | watch | alarms`: budgets against priced usage, alerts once
//! per crossing, and CloudWatch alarms that evaluate budgets inside AWS.
//!
//! Exit status of `alert check`: 0 when no new alert fired, 3 ([`super::EXIT_ALERT`]) when
//! one did (with `--dry-run`: would have), 1 when a delivery or a read failed, 2 for a bad
//! budgets file or flags.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::args::{AlertAlarmsArgs, AlertCheckArgs, AlertWatchArgs};
use super::{Context, EXIT_ALERT, ExitError};
use crate::alert::budgets::{self, Budget, BudgetsFile};
use crate::alert::channels::{self, DeliveryError};
use crate::alert::evaluate::{self, Evaluation};
use crate::alert::period::Period;
use crate::alert::{alarms as alarm_plan, message, state};
use crate::aws::{AwsOptions, region_from_env};
use crate::export::{Cell, Document, Format, Table};
use crate::report::{self, Priced};
use crate::resolve::Resolver;
use crate::sources::cloudwatch::{self, MonitorConfig};

/// The budgets file: `--budgets`, else `BEDROCK_METER_BUDGETS` or the config file's
/// `budgets` (see `config show`).
fn load_budgets(ctx: &Context, flag: &Option<std::path::PathBuf>) -> anyhow::Result<BudgetsFile> {
    let path = flag.as_ref().or(ctx.budgets.as_ref()).ok_or_else(|| {
        ExitError::usage(
            "no budgets file: give --budgets FILE, set BEDROCK_METER_BUDGETS, or `budgets` in the config file",
        )
    })?;
    budgets::load(path, &ctx.catalog).map_err(|e| ExitError::usage(e.to_string()).into())
}

/// Every webhook a budget uses must have its URL before anything is read or sent.
fn check_webhook_urls(file: &BudgetsFile) -> anyhow::Result<()> {
    for b in &file.budgets {
        for ch in &b.channels {
            if let Some(budgets::Channel {
                kind: budgets::ChannelKind::Webhook { url, .. },
                ..
            }) = file.channels.get(ch)
                && let Err(e) = url.resolve()
            {
                return Err(
                    ExitError::usage(format!("channel `{ch}` (budget `{}`): {e}", b.name)).into(),
                );
            }
        }
    }
    Ok(())
}

fn aws_options(profile: &Option<String>, max_attempts: u32) -> AwsOptions {
    AwsOptions {
        profile: profile.clone(),
        max_attempts,
        ..AwsOptions::default()
    }
}

/// Regions of a budget: its own, else the flag's, else the environment's, else us-east-1.
fn budget_regions(b: &Budget, flag: &[String]) -> Vec<String> {
    if !b.scope.regions.is_empty() {
        return b.scope.regions.clone();
    }
    if !flag.is_empty() {
        return flag.to_vec();
    }
    vec![region_from_env().unwrap_or_else(|| "us-east-1".to_string())]
}

/// One alert on one channel, and how its delivery went.
struct Delivery {
    budget: String,
    kind: String,
    threshold: u32,
    channel: String,
    result: Result<(), DeliveryError>,
}

/// What one run found and did.
struct Outcome {
    evaluations: Vec<Evaluation>,
    deliveries: Vec<Delivery>,
    notes: Vec<String>,
    state_path: PathBuf,
}

impl Outcome {
    fn fired(&self) -> bool {
        self.deliveries.iter().any(|d| d.result.is_ok())
    }
    fn failures(&self) -> Vec<&DeliveryError> {
        self.deliveries
            .iter()
            .filter_map(|d| d.result.as_ref().err())
            .collect()
    }
}

/// Reads the spend of every budget's period and prices it.
fn priced_usage(
    ctx: &Context,
    args: &AlertCheckArgs,
    file: &BudgetsFile,
    at: Timestamp,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<(String, Vec<Priced>)>> {
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let from_logs = args.logs.any();
    if !from_logs && let Some(b) = file.budgets.iter().find(|b| b.scope.needs_logs()) {
        return Err(ExitError::usage(format!(
            "{}:{}: budget `{}` is scoped by {}: CloudWatch metrics have no caller and no tags. Read model-invocation logs with --logs or --log-group",
            b.file,
            b.line,
            b.name,
            if b.scope.principals.is_empty() { "tags" } else { "principals" }
        ))
        .into());
    }
    // One read per time zone: days are cut at its midnights.
    let mut zones: BTreeMap<String, Vec<&Budget>> = BTreeMap::new();
    for b in &file.budgets {
        zones.entry(b.timezone.clone()).or_default().push(b);
    }
    let mut out = Vec::new();
    for (zone, budgets) in zones {
        let tz = budgets[0].tz.clone();
        let mut since = None::<jiff::civil::Date>;
        let mut regions = BTreeSet::new();
        for b in &budgets {
            let p = Period::containing(b.period, at, &b.tz)?;
            since = Some(since.map_or(p.first_day(), |s| s.min(p.first_day())));
            regions.extend(budget_regions(b, &args.region));
        }
        let since = since.expect("at least one budget");
        let until = at.to_zoned(tz.clone()).date().tomorrow()?;
        let regions: Vec<String> = regions.into_iter().collect();
        let records = if from_logs {
            let tag_keys: BTreeSet<String> = budgets
                .iter()
                .flat_map(|b| b.scope.tags.keys().cloned())
                .collect();
            let c = super::report::read_logs(
                ctx,
                &args.logs,
                &regions,
                args.profile.clone(),
                args.max_attempts,
                since,
                until,
                &tz,
                tag_keys.into_iter().collect(),
            )?;
            notes.extend(c.notes);
            c.records
        } else {
            let cfg = MonitorConfig {
                aws: aws_options(&args.profile, args.max_attempts),
                regions: regions.clone(),
                since,
                until,
                timezone: tz.clone(),
                percentiles: false,
                extra_series: args.series.clone(),
                progress: !args.no_progress,
            };
            let c = cloudwatch::collect_blocking(&cfg)?;
            notes.extend(c.notes);
            c.records
        };
        out.push((zone, report::price_all(&records, &resolver, ctx.as_of_flag)));
    }
    Ok(out)
}

fn state_path(args: &AlertCheckArgs) -> anyhow::Result<PathBuf> {
    match &args.state {
        Some(p) => Ok(p.clone()),
        None => state::default_path().ok_or_else(|| {
            ExitError::usage("no state folder on this platform: give --state FILE").into()
        }),
    }
}

/// One check: evaluate every budget, deliver what is due, record what was delivered.
fn check_once(ctx: &Context, args: &AlertCheckArgs, file: &BudgetsFile) -> anyhow::Result<Outcome> {
    let at = args.at.unwrap_or_else(Timestamp::now);
    let mut notes = Vec::new();
    let priced = priced_usage(ctx, args, file, at, &mut notes)?;
    let by_zone: BTreeMap<&str, &Vec<Priced>> =
        priced.iter().map(|(z, p)| (z.as_str(), p)).collect();
    let state_path = state_path(args)?;
    let mut st = state::State::load(&state_path)?;
    let aws = aws_options(&args.profile, args.max_attempts);
    let mut evaluations = Vec::new();
    let mut deliveries = Vec::new();
    let now = Timestamp::now().to_string();
    for b in &file.budgets {
        let e = evaluate::evaluate(b, by_zone[b.timezone.as_str()], at)?;
        if b.scope.regions.is_empty() {
            notes.push(format!(
                "budget `{}` has no `regions`: it counts the Regions read ({})",
                b.name,
                budget_regions(b, &args.region).join(", ")
            ));
        }
        let period = e.period.key();
        let period_end = e.period.end.timestamp().to_string();
        for due in e.due(&st) {
            let c = &due.crossing;
            let msg = message::build(&e, c.kind, c.threshold, &c.covers);
            for ch in &due.channels {
                let result = if args.dry_run {
                    Ok(())
                } else {
                    let channel = &file.channels[ch];
                    let r = channels::deliver(channel, &msg, &aws);
                    if r.is_ok() {
                        for t in &c.covers {
                            let key = state::key(&b.name, &period, c.kind.as_str(), *t);
                            st.record(&key, ch, &now, &period_end, &e.spent.to_string());
                        }
                        // Saved after every delivery: a run killed later does not send it again.
                        st.prune(at);
                        st.save(&state_path)?;
                    }
                    r
                };
                deliveries.push(Delivery {
                    budget: b.name.clone(),
                    kind: c.kind.as_str().to_string(),
                    threshold: c.threshold,
                    channel: ch.clone(),
                    result,
                });
            }
        }
        evaluations.push(e);
    }
    notes.push(format!("forecast: {}", crate::alert::forecast::METHOD));
    if args.dry_run {
        notes.push("--dry-run: nobody was notified and the state file was not written".into());
    }
    Ok(Outcome {
        evaluations,
        deliveries,
        notes,
        state_path,
    })
}

fn money_cell(d: Option<rust_decimal::Decimal>) -> Cell {
    d.map(Cell::Money).unwrap_or(Cell::Empty)
}

// `..Default::default()` on purpose: `Document` gains fields this command does not set.
fn document(o: &Outcome, dry_run: bool) -> Document {
    let mut table = Table::new(&[
        "budget",
        "period",
        "timezone",
        "amount_usd",
        "spent_usd",
        "percent",
        "forecast_usd",
        "forecast_percent",
        "status",
        "alerts",
    ]);
    let mut budgets_json = Vec::new();
    for e in &o.evaluations {
        let b = &e.budget;
        let alerts: Vec<String> = o
            .deliveries
            .iter()
            .filter(|d| d.budget == b.name)
            .map(|d| {
                let verb = match (&d.result, dry_run) {
                    (Ok(()), true) => "would notify",
                    (Ok(()), false) => "sent to",
                    (Err(_), _) => "FAILED on",
                };
                format!("{} {}% {verb} {}", d.kind, d.threshold, d.channel)
            })
            .collect();
        table.push(vec![
            Cell::Text(b.name.clone()),
            Cell::Text(e.period.key()),
            Cell::Text(b.timezone.clone()),
            Cell::Money(b.amount_usd),
            Cell::Money(e.spent),
            Cell::Number(e.percent()),
            money_cell(e.forecast),
            e.forecast_percent()
                .map(Cell::Number)
                .unwrap_or(Cell::Empty),
            Cell::Text(e.status()),
            Cell::Text(alerts.join("; ")),
        ]);
        budgets_json.push(serde_json::json!({
            "budget": b.name,
            "period": b.period.as_str(),
            "period_key": e.period.key(),
            "period_start": e.period.start.timestamp().to_string(),
            "period_end": e.period.end.timestamp().to_string(),
            "timezone": b.timezone,
            "amount_usd": crate::money::display(b.amount_usd).to_string(),
            "spent_usd": crate::money::display(e.spent).to_string(),
            "percent": e.percent().to_string(),
            "forecast_usd": e.forecast.map(|f| crate::money::display(f).to_string()),
            "forecast_percent": e.forecast_percent().map(|f| f.to_string()),
            "status": e.status(),
            "unpriced_series_days": e.unpriced_series_days,
            "daily": e.daily.iter().map(|(d, x)| serde_json::json!({"day": d.to_string(), "spent_usd": crate::money::display(*x).to_string()})).collect::<Vec<_>>(),
            "crossed": e.crossings.iter().map(|c| serde_json::json!({"kind": c.kind.as_str(), "threshold_percent": c.threshold, "covers_percent": c.covers})).collect::<Vec<_>>(),
        }));
    }
    let alerts_json: Vec<serde_json::Value> = o
        .deliveries
        .iter()
        .map(|d| {
            serde_json::json!({
                "budget": d.budget, "kind": d.kind, "threshold_percent": d.threshold, "channel": d.channel,
                "delivered": d.result.is_ok() && !dry_run,
                "error": d.result.as_ref().err().map(|e| e.to_string()),
            })
        })
        .collect();
    let fired = o.deliveries.iter().filter(|d| d.result.is_ok()).count();
    Document {
        title: Some("Bedrock budgets".into()),
        summary: vec![
            (
                "Evaluated at".into(),
                o.evaluations
                    .first()
                    .map(|e| e.at.to_string())
                    .unwrap_or_default(),
            ),
            ("State file".into(), o.state_path.display().to_string()),
            (
                "Alerts".into(),
                format!(
                    "{fired} {}, {} failed",
                    if dry_run { "would be sent" } else { "sent" },
                    o.failures().len()
                ),
            ),
        ],
        table,
        notes: o.notes.clone(),
        json: serde_json::json!({
            "evaluated_at": o.evaluations.first().map(|e| e.at.to_string()),
            "dry_run": dry_run,
            "state_file": o.state_path.display().to_string(),
            "budgets": budgets_json,
            "alerts": alerts_json,
            "notes": o.notes,
        }),
        ..Default::default()
    }
}

/// The exit status of a finished check.
fn status(o: &Outcome) -> i32 {
    for f in o.failures() {
        eprintln!("error: alert not delivered (it will be retried on the next run): {f}");
    }
    if !o.failures().is_empty() {
        1
    } else if o.fired() {
        EXIT_ALERT
    } else {
        0
    }
}

pub fn check(ctx: &Context, args: &AlertCheckArgs) -> anyhow::Result<i32> {
    let file = load_budgets(ctx, &args.budgets)?;
    if !args.dry_run {
        check_webhook_urls(&file)?;
    }
    let o = check_once(ctx, args, &file)?;
    ctx.output.write(&document(&o, args.dry_run))?;
    Ok(status(&o))
}

/// `30s`, `5m`, `1h`, `90` (seconds).
fn parse_interval(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("--interval `{s}`: expected a duration like 30s, 5m or 1h"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        other => {
            return Err(format!(
                "--interval `{s}`: unknown unit `{other}` (s, m or h)"
            ));
        }
    };
    if secs < 10 {
        return Err(format!(
            "--interval `{s}`: at least 10s (CloudWatch is not faster than that)"
        ));
    }
    Ok(Duration::from_secs(secs))
}

/// A thread that reports SIGTERM / SIGINT on the returned channel.
fn shutdown_signals() -> std::sync::mpsc::Receiver<&'static str> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("signal runtime");
        rt.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
                tokio::select! {
                    _ = term.recv() => { let _ = tx.send("SIGTERM"); }
                    _ = tokio::signal::ctrl_c() => { let _ = tx.send("SIGINT"); }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
                let _ = tx.send("Ctrl-C");
            }
        });
    });
    rx
}

pub fn watch(ctx: &Context, args: &AlertWatchArgs) -> anyhow::Result<i32> {
    if args.check.at.is_some() || args.check.dry_run {
        return Err(ExitError::usage(
            "alert watch runs as of now and notifies: --at and --dry-run are for alert check",
        )
        .into());
    }
    let interval = parse_interval(&args.interval).map_err(ExitError::usage)?;
    let file = load_budgets(ctx, &args.check.budgets)?;
    check_webhook_urls(&file)?;
    let stop = shutdown_signals();
    let mut round: u64 = 0;
    loop {
        round += 1;
        match check_once(ctx, &args.check, &file) {
            Ok(o) => {
                let sent = o.deliveries.iter().filter(|d| d.result.is_ok()).count();
                let failed = o.failures().len();
                for f in o.failures() {
                    eprintln!("alert watch: not delivered (retried next round): {f}");
                }
                eprintln!(
                    "alert watch: round {round} at {}: {} budget(s), {sent} alert(s) sent, {failed} failed",
                    Timestamp::now(),
                    o.evaluations.len()
                );
                if ctx.output.path.is_some() {
                    ctx.output.write(&document(&o, false))?;
                }
            }
            // A transient AWS error must not stop a service: say it and try next round.
            Err(e) => eprintln!(
                "alert watch: round {round} failed: {}",
                crate::export::sanitize::for_terminal(&format!("{e:#}"))
            ),
        }
        match stop.recv_timeout(interval) {
            Ok(sig) => {
                eprintln!("alert watch: {sig}: stopping (state saved)");
                return Ok(0);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(0),
        }
    }
}

pub fn alarms(ctx: &Context, args: &AlertAlarmsArgs) -> anyhow::Result<i32> {
    use crate::aws::Aws;
    use crate::aws::cloudwatch::CloudWatch;
    use crate::sources::cloudwatch::discover;

    let file = load_budgets(ctx, &args.budgets)?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let mut notes = Vec::new();
    let mut all = Vec::new();
    let opts = aws_options(&args.profile, args.max_attempts);
    let rt = crate::aws::runtime();
    rt.block_on(async {
        let aws = Aws::load(&opts).await;
        let mut listed: BTreeMap<String, Vec<discover::SeriesMetric>> = BTreeMap::new();
        for b in &file.budgets {
            if b.scope.needs_logs() {
                notes.push(format!(
                    "budget `{}` is scoped by principals or tags, which CloudWatch metrics do not have: no alarm (use alert check --logs)",
                    b.name
                ));
                continue;
            }
            for region in budget_regions(b, &args.region) {
                if !listed.contains_key(&region) {
                    let (found, _) = discover::list(&CloudWatch::new(&aws, &region)).await?;
                    listed.insert(region.clone(), found);
                }
                let p = alarm_plan::plan(b, &file.channels, &region, &listed[&region], &resolver, ctx.as_of);
                notes.extend(p.notes);
                all.extend(p.alarms.into_iter().map(|a| (region.clone(), a)));
            }
        }
        if args.apply {
            for (region, a) in &all {
                CloudWatch::new(&aws, region).put_metric_alarm(a).await?;
            }
        }
        Ok::<(), crate::aws::AwsError>(())
    })?;
    if args.apply {
        eprintln!(
            "alert alarms: {} alarm(s) created or updated with PutMetricAlarm",
            all.len()
        );
    }
    let defs: Vec<_> = all.iter().map(|(_, a)| a.clone()).collect();
    if args.cloudformation {
        crate::export::write::emit(
            ctx.output.path.as_deref(),
            alarm_plan::cloudformation(&defs).as_bytes(),
        )?;
        for n in &notes {
            eprintln!("note: {n}");
        }
        return Ok(0);
    }
    let mut table = Table::new(&[
        "alarm",
        "region",
        "threshold_usd",
        "metrics",
        "expression",
        "actions",
    ]);
    for (region, a) in &all {
        let expr = a
            .queries
            .iter()
            .find_map(|q| q.expression.clone())
            .unwrap_or_default();
        table.push(vec![
            Cell::Text(a.name.clone()),
            Cell::Text(region.clone()),
            Cell::Number(rust_decimal::Decimal::try_from(a.threshold).unwrap_or_default()),
            Cell::Int(a.queries.iter().filter(|q| q.metric.is_some()).count() as u64),
            Cell::Text(expr),
            Cell::Text(a.alarm_actions.join(" ")),
        ]);
    }
    let doc = Document {
        title: Some(if args.apply {
            "CloudWatch budget alarms (applied)".into()
        } else {
            "CloudWatch budget alarms (not applied: --apply creates them)".into()
        }),
        table,
        notes: notes.clone(),
        json: serde_json::json!({"applied": args.apply, "alarms": alarm_plan::json(&defs), "notes": notes}),
        ..Default::default()
    };
    if matches!(ctx.output.format, Format::Csv) {
        // CSV carries the table only; the alarm definitions need JSON or CloudFormation.
        eprintln!("note: the full alarm definitions are in --format json or --cloudformation");
    }
    ctx.output.write(&doc)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_interval("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_interval("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_interval("5s").unwrap_err().contains("at least 10s"));
        assert!(parse_interval("5d").unwrap_err().contains("unknown unit"));
    }
}
