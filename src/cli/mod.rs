//! The command line: the only module that knows about arguments, exit codes and stdout.

mod alert;
mod aliases;
mod args;
mod batch_jobs;
mod calibrate;
mod chargeback;
mod completions;
mod count;
mod count_exact;
mod estimate;
mod estimate_exact;
mod estimate_inputs;
mod estimate_s3;
mod exact;
mod governance;
mod models;
mod output;
mod plan;
mod pricing;
mod pricing_refresh;
mod reconcile;
mod report;
mod settings;

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

pub use args::{Cli, Command};

use crate::catalog::Catalog;
use crate::resolve::{Aliases, ResolveError};

/// Exit status for usage errors and unknown models.
pub const EXIT_USAGE: i32 = 2;

/// Exit status of `alert check` when a new alert fired (or, with `--dry-run`, would fire).
pub const EXIT_ALERT: i32 = 3;

/// An error that carries its own exit status.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitError {
    pub code: i32,
    pub message: String,
}

impl ExitError {
    pub fn usage(message: impl Into<String>) -> Self {
        ExitError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

/// Parses the process arguments, runs the command, prints errors; returns the exit status.
pub fn main() -> i32 {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match with_settings(cli, &matches).and_then(run) {
        Ok(code) => code,
        Err(e) => {
            let code = if let Some(x) = e.downcast_ref::<ExitError>() {
                x.code
            } else if e.downcast_ref::<ResolveError>().is_some() {
                EXIT_USAGE
            } else {
                1
            };
            eprintln!(
                "error: {}",
                crate::export::sanitize::for_terminal(&format!("{e:#}")).replace("\\n", "\n")
            );
            code
        }
    }
}

/// Applies the config file under the flags and environment (see [`crate::config`]);
/// `completions` and `man` do not read it.
fn with_settings(mut cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<Cli> {
    if matches!(cli.command, Command::Completions(_) | Command::Man(_)) {
        return Ok(cli);
    }
    let file = crate::config::load(|k| std::env::var(k).ok())
        .map_err(|e| ExitError::usage(format!("config file: {e}")))?;
    let effective = settings::apply(&mut cli, matches, file.as_ref());
    cli.budgets = effective.budgets.value.clone();
    if let Command::Config(args::ConfigCommand::Show(_)) = &cli.command {
        cli.effective = Some(effective);
    }
    Ok(cli)
}

/// Shared state of one invocation.
pub struct Context {
    pub catalog: Catalog,
    pub aliases: Aliases,
    pub output: output::Output,
    pub as_of: jiff::civil::Date,
    /// `--as-of` as given (`None`: not given; reports then price each day on its own date).
    pub as_of_flag: Option<jiff::civil::Date>,
    /// The budgets file (`BEDROCK_METER_BUDGETS` or the config file's `budgets`).
    pub budgets: Option<PathBuf>,
}

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let output = output::Output {
        format: cli.format,
        path: cli.output.clone(),
        width: output::table_width(cli.wide, cli.output.is_some()),
    };
    match &cli.command {
        Command::Completions(a) => return completions::completions(a, cli.output.as_deref()),
        Command::Man(a) => return completions::man(a, cli.output.as_deref()),
        Command::Config(args::ConfigCommand::Show(_)) => {
            let effective = cli
                .effective
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("settings were not resolved"))?;
            output.write(&settings::show_document(effective))?;
            return Ok(0);
        }
        _ => {}
    }
    if let Command::Aliases(args::AliasesCommand::Sync(a)) = &cli.command {
        // Before the alias file is loaded: the sync may be what creates it.
        let target = cli.output.as_deref().or(cli.aliases.as_deref());
        let code = aliases::sync(a, target)?;
        return Ok(code);
    }
    if let Command::Pricing(args::PricingCommand::Validate { path }) = &cli.command {
        let target: Option<PathBuf> = path.clone().or_else(|| cli.pricing.clone());
        return pricing::validate(target.as_deref(), &output);
    }
    let catalog = match Catalog::load(cli.pricing.as_deref()) {
        // A broken refreshed folder must not stop the refresh that replaces it.
        Err(e)
            if matches!(
                cli.command,
                Command::Pricing(args::PricingCommand::Refresh(_))
            ) =>
        {
            eprintln!(
                "note: the pricing data in use does not load ({e}); refreshing onto the embedded catalog"
            );
            Catalog::embedded()?
        }
        other => other?,
    };
    let aliases = match &cli.aliases {
        Some(p) => Aliases::load(p)?,
        None => Aliases::default(),
    };
    let as_of = cli.as_of.unwrap_or_else(|| jiff::Zoned::now().date());
    let ctx = Context {
        catalog,
        aliases,
        output,
        as_of,
        as_of_flag: cli.as_of,
        budgets: cli.budgets.clone(),
    };
    match cli.command {
        Command::Models(a) => models::run(&ctx, &a),
        Command::Pricing(args::PricingCommand::Show(a)) => pricing::show(&ctx, &a),
        Command::Pricing(args::PricingCommand::Validate { .. }) => unreachable!("handled above"),
        Command::Pricing(args::PricingCommand::Refresh(a)) => {
            pricing_refresh::run(&ctx, &a, cli.output.as_deref(), cli.pricing.as_deref())
        }
        Command::Estimate(a) => estimate::run(&ctx, &a),
        Command::Count(a) => count::run(&ctx, &a),
        Command::Plan(a) => plan::run(&ctx, &a),
        Command::Report(args::ReportCommand::Daily(a)) => report::daily(&ctx, &a),
        Command::Report(args::ReportCommand::Governance(a)) => governance::run(&ctx, &a),
        Command::Report(args::ReportCommand::Chargeback(a)) => chargeback::run(&ctx, &a),
        Command::Report(args::ReportCommand::BatchJobs(a)) => batch_jobs::run(&ctx, &a),
        Command::Report(args::ReportCommand::Reconcile(a)) => reconcile::run(&ctx, &a),
        Command::Aliases(_) => unreachable!("handled above"),
        Command::Tokenizer(args::TokenizerCommand::Calibrate(a)) => calibrate::run(&ctx, &a),
        Command::Alert(args::AlertCommand::Check(a)) => alert::check(&ctx, &a),
        Command::Alert(args::AlertCommand::Watch(a)) => alert::watch(&ctx, &a),
        Command::Alert(args::AlertCommand::Alarms(a)) => alert::alarms(&ctx, &a),
        Command::Config(_) | Command::Completions(_) | Command::Man(_) => {
            unreachable!("handled above")
        }
    }
}

/// Today's date (local time), for the catalog's staleness note.
pub fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// The Region a command prices in: the flag, else the ARN's Region, else the AWS
/// environment, else us-east-1.
pub fn default_region(flag: Option<&str>, arn_region: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| arn_region.map(str::to_string))
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            std::env::var("AWS_DEFAULT_REGION")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "us-east-1".to_string())
        .to_ascii_lowercase()
}
