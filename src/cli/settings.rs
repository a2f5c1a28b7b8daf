//! Effective settings: flags and environment (through clap, which knows where each value
//! came from) over the config file over defaults — see [`crate::config`] — written back
//! into the parsed command line, and `config show`.
//!
//! A new command that takes `--region`, `--profile` or `--timezone` gets the file's
//! defaults by adding a line for its arguments to [`leaf_mut`].

use std::path::PathBuf;

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde_json::{Map, Value, json};

use super::args::{AliasesCommand, Cli, Command, ConfigShowArgs, ReportCommand};
use crate::config::{ConfigFile, Origin, Setting, pick};
use crate::export::{Cell, Document, Format, Table};

/// Every setting's effective value and origin.
#[derive(Debug, Clone)]
pub struct Effective {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    pub regions: Setting<Vec<String>>,
    pub profile: Setting<Option<String>>,
    pub timezone: Setting<String>,
    pub format: Setting<Format>,
    pub pricing: Setting<Option<PathBuf>>,
    pub aliases: Setting<Option<PathBuf>>,
    pub budgets: Setting<Option<PathBuf>>,
}

/// The per-command settings of the command being run, when it has them.
struct Leaf<'a> {
    regions: Option<&'a mut Vec<String>>,
    profile: Option<&'a mut Option<String>>,
    timezone: Option<&'a mut String>,
}

fn leaf_mut(cmd: &mut Command) -> Leaf<'_> {
    let none = Leaf {
        regions: None,
        profile: None,
        timezone: None,
    };
    match cmd {
        Command::Report(ReportCommand::Daily(a)) => Leaf {
            regions: Some(&mut a.region),
            profile: Some(&mut a.profile),
            timezone: Some(&mut a.timezone),
        },
        Command::Report(ReportCommand::Chargeback(a)) => Leaf {
            regions: Some(&mut a.region),
            profile: Some(&mut a.profile),
            timezone: Some(&mut a.timezone),
        },
        Command::Report(ReportCommand::Governance(a)) => Leaf {
            regions: Some(&mut a.region),
            profile: Some(&mut a.profile),
            ..none
        },
        Command::Aliases(AliasesCommand::Sync(a)) => Leaf {
            regions: Some(&mut a.region),
            profile: Some(&mut a.profile),
            ..none
        },
        Command::Config(super::args::ConfigCommand::Show(ConfigShowArgs {
            region,
            profile,
            timezone,
        })) => Leaf {
            regions: Some(region),
            profile: Some(profile),
            timezone: Some(timezone),
        },
        _ => none,
    }
}

/// The matches of the innermost subcommand (where per-command flags live).
fn leaf_matches(m: &ArgMatches) -> &ArgMatches {
    let mut m = m;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m
}

/// Where clap took a present value from: the flag or its environment variable.
fn given_origin(m: &ArgMatches, id: &str, flag: &'static str, env: &'static str) -> Option<Origin> {
    match m
        .try_contains_id(id)
        .ok()?
        .then(|| m.value_source(id))
        .flatten()
    {
        Some(ValueSource::CommandLine) => Some(Origin::Flag(flag)),
        Some(ValueSource::EnvVariable) => Some(Origin::Env(env)),
        _ => None,
    }
}

/// Resolves every setting and writes the effective values into `cli`.
pub fn apply(cli: &mut Cli, matches: &ArgMatches, file: Option<&ConfigFile>) -> Effective {
    let path = file.map(|f| f.path.as_path());
    let leaf_m = leaf_matches(matches);
    let from = |get: fn(&ConfigFile) -> Option<_>| file.and_then(get);

    let format = pick(
        given_origin(matches, "format", "--format", "BEDROCK_METER_FORMAT")
            .map(|o| (cli.format, o)),
        from(|f| f.format),
        path,
        Format::Table,
    );
    let pricing = pick(
        cli.pricing
            .clone()
            .zip(given_origin(
                matches,
                "pricing",
                "--pricing",
                "BEDROCK_METER_PRICING",
            ))
            .map(|(p, o)| (Some(p), o)),
        file.and_then(|f| f.pricing.clone())
            .map(|(p, l)| (Some(p), l)),
        path,
        None,
    );
    let aliases = pick(
        cli.aliases
            .clone()
            .zip(given_origin(
                matches,
                "aliases",
                "--aliases",
                "BEDROCK_METER_ALIASES",
            ))
            .map(|(p, o)| (Some(p), o)),
        file.and_then(|f| f.aliases.clone())
            .map(|(p, l)| (Some(p), l)),
        path,
        None,
    );
    let budgets = pick(
        std::env::var_os("BEDROCK_METER_BUDGETS")
            .filter(|v| !v.is_empty())
            .map(|v| (Some(PathBuf::from(v)), Origin::Env("BEDROCK_METER_BUDGETS"))),
        file.and_then(|f| f.budgets.clone())
            .map(|(p, l)| (Some(p), l)),
        path,
        None,
    );
    cli.format = format.value;
    cli.pricing = pricing.value.clone();
    cli.aliases = aliases.value.clone();

    let leaf = leaf_mut(&mut cli.command);
    let regions = pick(
        leaf.regions
            .as_ref()
            .filter(|r| !r.is_empty())
            .zip(given_origin(
                leaf_m,
                "region",
                "--region",
                "BEDROCK_METER_REGIONS",
            ))
            .map(|(r, o)| (r.to_vec(), o)),
        file.and_then(|f| f.regions.clone()),
        path,
        Vec::new(),
    );
    let profile = pick(
        leaf.profile
            .as_ref()
            .and_then(|p| (**p).clone())
            .zip(given_origin(
                leaf_m,
                "profile",
                "--profile",
                "BEDROCK_METER_PROFILE",
            ))
            .map(|(p, o)| (Some(p), o)),
        file.and_then(|f| f.profile.clone())
            .map(|(p, l)| (Some(p), l)),
        path,
        None,
    );
    let timezone = pick(
        leaf.timezone
            .as_ref()
            .map(|t| t.to_string())
            .zip(given_origin(
                leaf_m,
                "timezone",
                "--timezone",
                "BEDROCK_METER_TIMEZONE",
            )),
        file.and_then(|f| f.timezone.clone()),
        path,
        "UTC".to_string(),
    );
    if let Some(r) = leaf.regions {
        *r = regions.value.clone();
    }
    if let Some(p) = leaf.profile {
        *p = profile.value.clone();
    }
    if let Some(t) = leaf.timezone {
        *t = timezone.value.clone();
    }
    Effective {
        file: path.map(|p| p.to_path_buf()),
        regions,
        profile,
        timezone,
        format,
        pricing,
        aliases,
        budgets,
    }
}

fn format_name(f: Format) -> String {
    clap::ValueEnum::to_possible_value(&f)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// `config show`: one row per setting — value and origin.
pub fn show_document(e: &Effective) -> Document {
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    let rows: Vec<(&str, Option<String>, &Origin, &str)> = vec![
        (
            "regions",
            (!e.regions.value.is_empty()).then(|| e.regions.value.join(",")),
            &e.regions.origin,
            "AWS_REGION, AWS_DEFAULT_REGION, the profile's Region, else us-east-1",
        ),
        (
            "profile",
            e.profile.value.clone(),
            &e.profile.origin,
            "the AWS default chain (AWS_PROFILE)",
        ),
        (
            "timezone",
            Some(e.timezone.value.clone()),
            &e.timezone.origin,
            "",
        ),
        (
            "format",
            Some(format_name(e.format.value)),
            &e.format.origin,
            "",
        ),
        (
            "pricing",
            path(&e.pricing.value),
            &e.pricing.origin,
            "the embedded catalog",
        ),
        (
            "aliases",
            path(&e.aliases.value),
            &e.aliases.origin,
            "no alias file",
        ),
        (
            "budgets",
            path(&e.budgets.value),
            &e.budgets.origin,
            "no budgets file",
        ),
    ];
    let mut table = Table::new(&["setting", "value", "source"]);
    let mut settings = Map::new();
    for (name, value, origin, unset) in &rows {
        let shown = match value {
            Some(v) => v.clone(),
            None => format!("(unset: {unset})"),
        };
        table.push(vec![
            Cell::from(*name),
            Cell::Text(shown),
            Cell::Text(origin.to_string()),
        ]);
        settings.insert(
            name.to_string(),
            json!({
                "value": value.clone().map(Value::String).unwrap_or(Value::Null),
                "source": origin.to_string(),
            }),
        );
    }
    let file = e.file.as_ref().map(|p| p.display().to_string());
    Document {
        title: Some("bedrock-meter settings".into()),
        summary: vec![(
            "Config file".into(),
            file.clone().unwrap_or_else(|| {
                match crate::config::location(|k| std::env::var(k).ok()) {
                    Some((p, _)) => format!("none ({} does not exist)", p.display()),
                    None => "none (BEDROCK_METER_CONFIG is empty)".into(),
                }
            }),
        )],
        table,
        notes: vec!["precedence: flag > environment variable > config file > default".into()],
        json: json!({ "config_file": file, "settings": settings }),
        drop_order: vec![],
        ..Document::default()
    }
}
