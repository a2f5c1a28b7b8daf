//! Argument definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::{Mode, Quality, Resolution, is_region_code};
use crate::export::Format;
use crate::report::GroupBy;
use crate::request::BodyFormat;

const AFTER_HELP: &str = "\
Examples:
  bedrock-meter models --provider anthropic
  bedrock-meter pricing show us.anthropic.claude-sonnet-4-5-20250929-v1:0
  bedrock-meter estimate --model anthropic.claude-3-haiku-20240307-v1:0 --input-tokens 1000000 --output-tokens 1000000
  bedrock-meter --format json estimate --model global.anthropic.claude-haiku-4-5-20251001-v1:0 --input-tokens 5000 --output-tokens 800 --mode on-demand,batch
  bedrock-meter pricing validate my-prices.toml
  bedrock-meter plan examples/workload.toml
  bedrock-meter report daily --since 2026-06-01 --until 2026-07-01 --region us-east-1,us-west-2 --format csv -o june.csv";

/// Estimate and monitor Amazon Bedrock costs.
#[derive(Debug, Parser)]
#[command(name = "bedrock-meter", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Pricing data: a folder of pricing TOML files replacing the embedded catalog, or one
    /// override file (private pricing, discounts) applied on top of it.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "BEDROCK_METER_PRICING"
    )]
    pub pricing: Option<PathBuf>,

    /// Alias file mapping opaque ARNs (application inference profiles, provisioned models)
    /// to model IDs.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "BEDROCK_METER_ALIASES"
    )]
    pub aliases: Option<PathBuf>,

    /// Output format (html: one self-contained file with charts).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = Format::Table,
        env = "BEDROCK_METER_FORMAT"
    )]
    pub format: Format,

    /// Tables: every column at full width, even when the terminal is narrower.
    #[arg(long, global = true)]
    pub wide: bool,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use the prices in effect on this date (YYYY-MM-DD); default today.
    #[arg(long, global = true, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,

    #[command(subcommand)]
    pub command: Command,

    /// The budgets file (from the environment or the config file; no flag yet).
    #[arg(skip)]
    pub budgets: Option<PathBuf>,

    /// The resolved settings, for `config show`.
    #[arg(skip)]
    pub(crate) effective: Option<super::settings::Effective>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the models of the price catalog.
    #[command(
        after_help = "Examples:\n  bedrock-meter models\n  bedrock-meter models --provider meta --region us-west-2\n  bedrock-meter models --format csv -o models.csv"
    )]
    Models(ModelsArgs),
    /// Show or check price data.
    #[command(subcommand)]
    Pricing(PricingCommand),
    /// Count the tokens of plain text for a model (per input and in total).
    #[command(
        after_help = "Examples:\n  bedrock-meter count --model meta.llama3-1-70b-instruct-v1:0 \"How many tokens is this?\"\n  bedrock-meter count --model us.anthropic.claude-sonnet-4-5-20250929-v1:0 -f prompt.txt -f system.txt\n  cat notes.md | bedrock-meter --format json count --model amazon.nova-lite-v1:0 -f -"
    )]
    Count(CountArgs),
    /// Cost of known token counts, prompts, request bodies or batch-inference files under
    /// each pricing mode.
    #[command(
        after_help = "Examples:\n  bedrock-meter estimate --model anthropic.claude-3-haiku-20240307-v1:0 -f examples/anthropic-messages.json\n  bedrock-meter estimate --model anthropic.claude-3-haiku-20240307-v1:0 --batch examples/batch-claude.jsonl --output-ratio 0.3 --per-record records.csv\n  bedrock-meter estimate --model meta.llama3-1-8b-instruct-v1:0 --prompt \"Summarise this\" --output-tokens 200\n  bedrock-meter estimate --model anthropic.claude-3-haiku-20240307-v1:0 --input-tokens 1000000 --output-tokens 1000000\n  bedrock-meter estimate --model us.anthropic.claude-sonnet-4-5-20250929-v1:0 --input-tokens 250000 --output-tokens 2000 --cache-read-tokens 100000 --mode on-demand\n  bedrock-meter estimate --model stability.sd3-5-large-v1:0 --images 10\n  bedrock-meter --format json estimate --model amazon.nova-pro-v1:0 --input-tokens 2000 --output-tokens 500 --mode all"
    )]
    Estimate(Box<EstimateArgs>),
    /// Monthly budget of planned workloads under every pricing mode, provisioned-throughput
    /// break-even, and scenario comparison.
    #[command(
        after_help = "Examples:\n  bedrock-meter plan examples/workload.toml\n  bedrock-meter plan examples/workload.toml --format csv -o plan.csv\n  bedrock-meter plan --compare examples/workload.toml examples/workload-sonnet.toml\n\nThe workload file format is documented in examples/workload.toml."
    )]
    Plan(PlanArgs),
    /// Reports of what Bedrock was used for, what it cost and who spent it (CloudWatch,
    /// CloudTrail, model-invocation logs).
    #[command(subcommand)]
    Report(ReportCommand),
    /// The alias file: names of application inference profiles and other opaque ARNs.
    #[command(subcommand)]
    Aliases(AliasesCommand),
    /// Local tokenizers measured against Bedrock CountTokens.
    #[command(subcommand)]
    Tokenizer(TokenizerCommand),
    /// Alerts on spending thresholds: check budgets (exit 3 when an alert fired), watch
    /// them in a loop, or turn them into CloudWatch alarms.
    #[command(subcommand)]
    Alert(AlertCommand),
    /// The config file: `config show` prints every effective setting and where it came from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  bedrock-meter completions bash > ~/.local/share/bash-completion/completions/bedrock-meter\n  bedrock-meter completions zsh > ~/.zfunc/_bedrock-meter\n  bedrock-meter completions fish > ~/.config/fish/completions/bedrock-meter.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a folder.
    #[command(
        after_help = "Examples:\n  bedrock-meter man | man -l -\n  bedrock-meter man --dir ~/.local/share/man/man1"
    )]
    Man(ManArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every setting's effective value and its source (flag, env, file:line, default).
    #[command(
        after_help = "Precedence: flag > environment variable > config file > default.\nThe file: BEDROCK_METER_CONFIG, else ~/.config/bedrock-meter/config.toml (the platform's config folder).\n\nExamples:\n  bedrock-meter config show\n  bedrock-meter --format json config show --timezone Europe/Berlin"
    )]
    Show(ConfigShowArgs),
}

/// The per-command settings, to see how flags combine with the environment and the file.
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// Default Regions of the reports.
    #[arg(long, value_delimiter = ',', value_parser = parse_region, env = "BEDROCK_METER_REGIONS")]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long, env = "BEDROCK_METER_PROFILE")]
    pub profile: Option<String>,
    /// Time zone (IANA name) whose midnights start the days.
    #[arg(
        long,
        default_value = "UTC",
        value_name = "ZONE",
        env = "BEDROCK_METER_TIMEZONE"
    )]
    pub timezone: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write bedrock-meter.1 and one page per command (bedrock-meter-report-daily.1, …)
    /// into this folder instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Spend, forecast and thresholds of every budget in the current period; notify each
    /// newly crossed threshold once. Exit status 0: no new alert, 3: an alert fired, 1: error.
    #[command(
        after_help = "Examples:\n  bedrock-meter alert check --budgets examples/budgets.toml\n  bedrock-meter alert check --budgets budgets.toml --region us-east-1 --dry-run\n  bedrock-meter alert check --budgets budgets.toml --log-group /bedrock/invocations --state /var/lib/bm/state.json\n  bedrock-meter alert check --budgets budgets.toml --at 2026-11-20T18:00:00Z --dry-run\n\nThe budgets file format is documented in examples/budgets.toml."
    )]
    Check(AlertCheckArgs),
    /// `alert check` in a loop (a container or a service); stops cleanly on SIGTERM or
    /// Ctrl-C. The state file keeps alerts from repeating across restarts.
    #[command(
        after_help = "Examples:\n  bedrock-meter alert watch --budgets budgets.toml --interval 5m\n  bedrock-meter alert watch --budgets budgets.toml --interval 15m --state /data/alert-state.json"
    )]
    Watch(AlertWatchArgs),
    /// CloudWatch metric-math alarms that compute each budget's spend from the AWS/Bedrock
    /// token metrics × catalog prices; printed as JSON or CloudFormation, created with --apply.
    #[command(
        after_help = "Examples:\n  bedrock-meter alert alarms --budgets budgets.toml --region us-east-1 --cloudformation > alarms.yaml\n  bedrock-meter --format json alert alarms --budgets budgets.toml\n  bedrock-meter alert alarms --budgets budgets.toml --apply\n\nNeeds cloudwatch:ListMetrics (and cloudwatch:PutMetricAlarm with --apply)."
    )]
    Alarms(AlertAlarmsArgs),
}

#[derive(Debug, Args, Clone)]
pub struct AlertCheckArgs {
    /// The budgets file (TOML; see examples/budgets.toml). Default: BEDROCK_METER_BUDGETS,
    /// else the config file's `budgets`.
    #[arg(long, value_name = "FILE")]
    pub budgets: Option<PathBuf>,
    /// The alert state file (default: the user's state folder,
    /// bedrock-meter/alert-state.json).
    #[arg(long, value_name = "FILE", env = "BEDROCK_METER_ALERT_STATE")]
    pub state: Option<PathBuf>,
    /// Evaluate as of this instant (RFC 3339, like 2026-11-20T18:00:00Z; default now): the
    /// period containing it is the current one, its day is the last counted.
    #[arg(long, value_name = "TIMESTAMP")]
    pub at: Option<jiff::Timestamp>,
    /// Evaluate and print, but notify nobody and leave the state file alone.
    #[arg(long)]
    pub dry_run: bool,
    /// Regions to read (repeatable or comma separated) for budgets without `regions`
    /// (default: AWS_REGION, the profile's Region, else us-east-1).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Read spend from model-invocation logs (needed for budgets scoped by principals or
    /// tags) instead of CloudWatch metrics.
    #[command(flatten)]
    pub logs: LogArgs,
    /// Also query this ModelId series (repeatable): ListMetrics only lists series with data
    /// in the last two weeks.
    #[arg(long = "series", value_name = "MODEL_ID")]
    pub series: Vec<String>,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct AlertWatchArgs {
    #[command(flatten)]
    pub check: AlertCheckArgs,
    /// Time between checks: 30s, 5m, 1h (at least 10s).
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub interval: String,
}

#[derive(Debug, Args)]
pub struct AlertAlarmsArgs {
    /// The budgets file (TOML; see examples/budgets.toml). Default: BEDROCK_METER_BUDGETS,
    /// else the config file's `budgets`.
    #[arg(long, value_name = "FILE")]
    pub budgets: Option<PathBuf>,
    /// Regions for budgets without `regions` (default: AWS_REGION, the profile's Region,
    /// else us-east-1).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Create (or update) the alarms with PutMetricAlarm.
    #[arg(long)]
    pub apply: bool,
    /// Print a CloudFormation template (YAML) instead of the table / JSON.
    #[arg(long)]
    pub cloudformation: bool,
    /// Attempts per AWS request.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum AliasesCommand {
    /// Write or merge the alias file from the account's application inference profiles
    /// (their model and tags), so their ARNs resolve and carry the profiles' tags.
    #[command(
        after_help = "Needs bedrock:ListInferenceProfiles and bedrock:ListTagsForResource.\n\nExamples:\n  bedrock-meter aliases sync --region us-east-1,us-west-2 -o aliases.toml\n  bedrock-meter --aliases aliases.toml report chargeback --since 2026-11-01 --until 2026-12-01 --by tag:team"
    )]
    Sync(AliasSyncArgs),
}

#[derive(Debug, Args)]
pub struct AliasSyncArgs {
    /// Regions to list, repeatable or comma separated (default: AWS_REGION, else us-east-1).
    #[arg(long, value_delimiter = ',', value_parser = parse_region, env = "BEDROCK_METER_REGIONS")]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long, env = "BEDROCK_METER_PROFILE")]
    pub profile: Option<String>,
    /// The alias file to write or merge into (atomically); default: `-o/--output`, then the
    /// global --aliases file, else the merged file goes to stdout.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Do not write the profiles' tags.
    #[arg(long)]
    pub no_tags: bool,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

/// Where model-invocation logs are read from (`report daily`, `report chargeback`).
#[derive(Debug, Args, Clone)]
pub struct LogArgs {
    /// Model-invocation logs: s3://BUCKET/PREFIX (the folder above AWSLogs/), or a local
    /// folder or file (.json, .jsonl, .gz). Repeatable.
    #[arg(long = "logs", value_name = "S3_URI|DIR|FILE")]
    pub logs: Vec<String>,
    /// A CloudWatch Logs group that receives the invocation logs. Repeatable.
    #[arg(long = "log-group", value_name = "NAME")]
    pub log_groups: Vec<String>,
    /// Where the aggregation runs: here (every record read), or inside CloudWatch Logs
    /// Insights (log groups only; for groups too large to pull).
    #[arg(long, value_enum, default_value = "local")]
    pub engine: EngineArg,
    /// Stop at the first bad line or file instead of counting it and going on.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    Local,
    LogsInsights,
}

impl LogArgs {
    /// Whether any invocation-log source was named.
    pub fn any(&self) -> bool {
        !self.logs.is_empty() || !self.log_groups.is_empty()
    }
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// Model ID in any form (bare, profile, ARN, `+flex` series).
    #[arg(long, short = 'm')]
    pub model: String,
    /// Text to count.
    pub text: Option<String>,
    /// Files to count (UTF-8); `-` reads stdin.
    #[arg(long = "file", short = 'f', value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub exact: ExactArgs,
}

/// `--exact` / `--exact=auto`, `--calibration FILE` and how CountTokens is reached
/// (`count`, `estimate`).
#[derive(Debug, Args, Clone)]
pub struct ExactArgs {
    /// Count with Bedrock CountTokens (exact billed input tokens; free; needs
    /// bedrock:CountTokens). `--exact=auto`: the local estimate, with a note, when the model
    /// is not supported or CountTokens cannot be reached.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "on", value_name = "auto", conflicts_with = "calibration")]
    pub exact: Option<ExactMode>,
    /// A calibration file (`tokenizer calibrate --write FILE`): local counts are scaled by its
    /// measured ratio and carry its measured band.
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
    #[command(flatten)]
    pub api: CountTokensArgs,
}

/// How `--exact` is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExactMode {
    /// Exact, or an error.
    On,
    /// Exact where possible, else the local estimate with a note.
    Auto,
}

/// Reaching CountTokens.
#[derive(Debug, Args, Clone)]
pub struct CountTokensArgs {
    /// Region CountTokens is called in (default: AWS_REGION, the profile's Region, else
    /// us-east-1).
    #[arg(long, value_parser = parse_region, value_name = "REGION")]
    pub count_region: Option<String>,
    /// Named profile of the AWS config files (CountTokens, S3 inputs, --job).
    #[arg(long)]
    pub profile: Option<String>,
    /// CountTokens calls in flight at once.
    #[arg(long, default_value_t = crate::count_tokens::DEFAULT_CONCURRENCY as u32, value_parser = clap::value_parser!(u32).range(1..=64), value_name = "N")]
    pub concurrency: u32,
    /// CountTokens calls started per second at most.
    #[arg(long, default_value_t = crate::count_tokens::DEFAULT_PER_SECOND, value_parser = clap::value_parser!(u32).range(1..=10000), value_name = "N")]
    pub rate: u32,
    /// Neither read nor write the cache of exact answers.
    #[arg(long)]
    pub no_cache: bool,
    /// Attempts per AWS request (CountTokens, S3 inputs, --job); throttling is retried with
    /// exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum TokenizerCommand {
    /// Measure the local estimate against Bedrock CountTokens on your requests: mean and
    /// spread of exact/local over a reproducible sample; optionally write a calibration file.
    #[command(
        after_help = "Needs bedrock:CountTokens (free).\n\nExamples:\n  bedrock-meter tokenizer calibrate --model anthropic.claude-sonnet-4-20250514-v1:0 examples/batch.jsonl\n  bedrock-meter tokenizer calibrate --model us.anthropic.claude-3-5-haiku-20241022-v1:0 prompts/ --sample 200 --seed 7 --write claude-cal.toml\n  bedrock-meter estimate --model anthropic.claude-sonnet-4-20250514-v1:0 --batch big.jsonl --calibration claude-cal.toml"
    )]
    Calibrate(CalibrateArgs),
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Model ID in any form (profile IDs are counted for their base model).
    #[arg(long, short = 'm')]
    pub model: String,
    /// Batch JSONL files, request bodies (.json) or text files; folders are walked.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Records to count with CountTokens (a reproducible random sample of all records).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100000), value_name = "N")]
    pub sample: u64,
    /// Seed of the sample.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the measurement to this calibration file (TOML, atomically).
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Force the body format instead of detecting it.
    #[arg(long, value_parser = |s: &str| s.parse::<BodyFormat>())]
    pub body_format: Option<BodyFormat>,
    #[command(flatten)]
    pub api: CountTokensArgs,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per day × Region × model series from CloudWatch's AWS/Bedrock metrics:
    /// invocations, tokens, cost, latency, errors and throttles.
    #[command(after_help = DAILY_HELP)]
    Daily(DailyArgs),
    /// Who called which Bedrock model, from where, with which errors, and which
    /// control-plane changes happened (CloudTrail), with security findings.
    #[command(after_help = GOVERNANCE_HELP)]
    Governance(GovernanceArgs),
    /// What each principal (or each value of a tag) spent, and its share, from
    /// model-invocation logs.
    #[command(after_help = CHARGEBACK_HELP)]
    Chargeback(ChargebackArgs),
    /// Batch inference jobs: what each really used (its manifest) against an estimate of
    /// its input, in tokens and cost at batch rates.
    #[command(after_help = BATCH_JOBS_HELP)]
    BatchJobs(BatchJobsArgs),
    /// What AWS billed (Cost Explorer) against what bedrock-meter estimates from CloudWatch
    /// (or invocation logs), per day × Region × model × dimension, in dollars and tokens.
    #[command(after_help = RECONCILE_HELP)]
    Reconcile(ReconcileArgs),
}

const BATCH_JOBS_HELP: &str = "\
Needs bedrock:ListModelInvocationJobs, and s3:GetObject and s3:ListBucket on the jobs' input
and output buckets (see README, \"IAM policy\"). Differences are estimate - actual, percent of
the actual.

Examples:
  bedrock-meter report batch-jobs --since 2026-11-01 --until 2026-12-01
  bedrock-meter report batch-jobs --since 2026-11-01 --until 2026-12-01 --region us-east-1,us-west-2 --output-ratio 0.4
  bedrock-meter --format csv report batch-jobs --since 2026-11-01 --until 2026-12-01 --status Completed -o jobs.csv
  bedrock-meter report batch-jobs --since 2026-11-01 --until 2026-12-01 --no-estimate";

#[derive(Debug, Args)]
pub struct BatchJobsArgs {
    /// First day, inclusive (YYYY-MM-DD, UTC): jobs submitted on or after it.
    #[arg(long, value_name = "DATE")]
    pub since: jiff::civil::Date,
    /// Day after the last day (YYYY-MM-DD, UTC): jobs submitted before it.
    #[arg(long, value_name = "DATE")]
    pub until: jiff::civil::Date,
    /// Regions to read, repeatable or comma separated (default: AWS_REGION,
    /// AWS_DEFAULT_REGION, the profile's Region, else us-east-1).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<String>,
    /// Named profile of the AWS config files (default: the default chain, AWS_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// Only jobs with this status (Completed, PartiallyCompleted, InProgress, Failed…).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Skip the estimate (do not read the jobs' inputs): actual tokens and cost only.
    #[arg(long)]
    pub no_estimate: bool,
    /// Estimate: expected output tokens = R × each request's input tokens (else
    /// --output-tokens per request, else each request's max-tokens ceiling).
    #[arg(long, value_name = "R", conflicts_with = "output_tokens", value_parser = parse_ratio)]
    pub output_ratio: Option<f64>,
    /// Estimate: expected output tokens per request.
    #[arg(long, value_parser = parse_count)]
    pub output_tokens: Option<u64>,
    /// Worker threads for counting inputs (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

const CHARGEBACK_HELP: &str = "\
Sources: --logs s3://BUCKET/PREFIX | DIR | FILE, --log-group NAME, or (neither) the destinations of
Bedrock's logging configuration in each --region (bedrock:GetModelInvocationLoggingConfiguration).

Examples:
  bedrock-meter report chargeback --month 2026-11 --logs s3://acme-bedrock-logs/prod
  bedrock-meter report chargeback --since 2026-11-01 --until 2026-12-01 --log-group /bedrock/invocations --by tag:team
  bedrock-meter --format csv report chargeback --month 2026-11 --region us-east-1,eu-west-1 -o chargeback.csv";

#[derive(Debug, Args)]
pub struct ChargebackArgs {
    /// The calendar month (YYYY-MM), instead of --since/--until.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["since", "until"])]
    pub month: Option<String>,
    /// First day, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "until")]
    pub since: Option<jiff::civil::Date>,
    /// Day after the last day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "since")]
    pub until: Option<jiff::civil::Date>,
    /// One row per: principal (default), or the value of a tag (tag:KEY, e.g. tag:team).
    #[arg(long, default_value = "principal", value_parser = |s: &str| s.parse::<GroupBy>())]
    pub by: GroupBy,
    /// Regions: where to look for the logging configuration, and which S3 folders to read.
    #[arg(long, value_delimiter = ',', value_parser = parse_region, env = "BEDROCK_METER_REGIONS")]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long, env = "BEDROCK_METER_PROFILE")]
    pub profile: Option<String>,
    /// Time zone (IANA name) whose midnights start the days.
    #[arg(
        long,
        default_value = "UTC",
        value_name = "ZONE",
        env = "BEDROCK_METER_TIMEZONE"
    )]
    pub timezone: String,
    #[command(flatten)]
    pub source: LogArgs,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

const GOVERNANCE_HELP: &str = "\
Sources: LookupEvents (default; cloudtrail:LookupEvents, management events of the last 90 days),
--trail s3://BUCKET/PREFIX (s3:ListBucket, s3:GetObject) or --trail DIR|FILE, or --athena TABLE.
Exit status: 0 (findings or not), 4 with --fail-on and a finding at or above it (README: \"Exit status\").

Examples:
  bedrock-meter report governance --since 2026-11-01 --until 2026-12-01 --region us-east-1,us-west-2
  bedrock-meter report governance --since 2026-11-01 --until 2026-12-01 --trail s3://acme-trail/org --policy policy.toml --fail-on high
  bedrock-meter --format json report governance --since 2026-11-01 --until 2026-12-01 --trail ./trail-files --by principal,day
  bedrock-meter report governance --since 2026-11-01 --until 2026-12-01 --apportion-cost --by principal";

#[derive(Debug, Args)]
pub struct GovernanceArgs {
    /// First day, inclusive (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: jiff::civil::Date,
    /// Day after the last day: the report covers since ≤ day < until (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub until: jiff::civil::Date,
    /// Regions to read, repeatable or comma separated. LookupEvents: one call stream per
    /// Region (default AWS_REGION, the profile's, else us-east-1). Trails on S3: only these
    /// Regions' folders (default: every Region of the trail).
    #[arg(long, value_delimiter = ',', value_parser = parse_region, env = "BEDROCK_METER_REGIONS")]
    pub region: Vec<String>,
    /// Named profile of the AWS config files (default: the default chain, AWS_PROFILE).
    #[arg(long, env = "BEDROCK_METER_PROFILE")]
    pub profile: Option<String>,
    /// Trail log files instead of LookupEvents: s3://BUCKET/PREFIX (the prefix above
    /// AWSLogs/), or a local folder or file (.json, .json.gz; {"Records": [...]}, a bare array, or
    /// a saved LookupEvents response). Repeatable.
    #[arg(long, value_name = "S3_URI|DIR|FILE")]
    pub trail: Vec<String>,
    /// Run the aggregation in Athena over this CloudTrail table (DATABASE.TABLE or TABLE).
    #[arg(long, value_name = "TABLE", conflicts_with = "trail")]
    pub athena: Option<String>,
    /// Athena workgroup (with --athena).
    #[arg(long, value_name = "NAME", requires = "athena")]
    pub workgroup: Option<String>,
    /// Athena query result location (with --athena), s3://BUCKET/PREFIX/.
    #[arg(long, value_name = "S3_URI", requires = "athena")]
    pub output_location: Option<String>,
    /// Allowed models and Regions per principal pattern, and finding thresholds (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Days before --since whose principals count as known (new-principal findings).
    #[arg(long, default_value_t = 30, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=365))]
    pub baseline_days: u32,
    /// Group rows by: principal, model, day, region, event, error; comma separated.
    #[arg(long, value_delimiter = ',', default_value = "principal,model")]
    pub by: Vec<String>,
    /// Exit with status 4 when a finding has this severity or a higher one
    /// (info, low, medium, high, critical).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Also write the findings as CSV to this file (atomically).
    #[arg(long, value_name = "FILE")]
    pub findings_csv: Option<PathBuf>,
    /// Split CloudWatch's daily cost of each model series over principals in proportion to
    /// their successful calls (an estimate; exact per-principal cost needs invocation logs).
    #[arg(long)]
    pub apportion_cost: bool,
    /// Stop at the first bad record or file instead of counting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

const DAILY_HELP: &str = "\
Needs cloudwatch:ListMetrics and cloudwatch:GetMetricData (see README, \"IAM policy\").
Credentials and endpoint come from the AWS default chain (AWS_PROFILE, AWS_ENDPOINT_URL...).

Examples:
  bedrock-meter report daily --since 2026-06-01 --until 2026-06-08
  bedrock-meter report daily --since 2026-06-01 --until 2026-07-01 --region us-east-1,us-west-2 --by model
  bedrock-meter --format csv report daily --since 2026-06-01 --until 2026-06-02 --append history.csv
  bedrock-meter report daily --since 2026-06-01 --until 2026-06-08 --timezone Europe/Berlin --profile prod";

#[derive(Debug, Args)]
pub struct DailyArgs {
    /// First day, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: jiff::civil::Date,
    /// Day after the last day: the report covers since ≤ day < until (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: jiff::civil::Date,
    /// Regions to read, repeatable or comma separated (default: AWS_REGION,
    /// AWS_DEFAULT_REGION, the profile's Region, else us-east-1).
    #[arg(long, value_delimiter = ',', value_parser = parse_region, env = "BEDROCK_METER_REGIONS")]
    pub region: Vec<String>,
    /// Named profile of the AWS config files (default: the default chain, AWS_PROFILE).
    #[arg(long, env = "BEDROCK_METER_PROFILE")]
    pub profile: Option<String>,
    /// Time zone (IANA name) whose midnights start the days.
    #[arg(
        long,
        default_value = "UTC",
        value_name = "ZONE",
        env = "BEDROCK_METER_TIMEZONE"
    )]
    pub timezone: String,
    /// Group rows by: day, region, model; comma separated (default: all three, one row per
    /// day × Region × model series). `principal` and `tag:KEY` need a source that knows
    /// callers and tags: CloudWatch metrics know neither.
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<GroupBy>())]
    pub by: Vec<GroupBy>,
    /// Merge the rows into this CSV history file (atomically): rows of the days and Regions
    /// of this run are replaced, others kept, so re-running is idempotent.
    #[arg(long, value_name = "HISTORY.csv")]
    pub append: Option<PathBuf>,
    /// Also query this ModelId series (repeatable): ListMetrics only lists series with data
    /// in the last two weeks.
    #[arg(long = "series", value_name = "MODEL_ID")]
    pub series: Vec<String>,
    /// Skip p50/p90/p99 latency (three fewer GetMetricData queries per series).
    #[arg(long)]
    pub no_percentiles: bool,
    /// Read model-invocation logs instead of CloudWatch metrics (they know the caller and
    /// the tags: `--by principal`, `--by tag:KEY`).
    #[command(flatten)]
    pub logs: LogArgs,
    /// With --logs/--log-group: also read CloudWatch metrics for the same days and list the
    /// series whose token totals differ by more than 1%.
    #[arg(long)]
    pub check_cloudwatch: bool,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Only this provider (key like `anthropic`, or display name).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only models priced in this Region; prices shown are this Region's (default us-east-1).
    #[arg(long, value_parser = parse_region)]
    pub region: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// Every rate of one model.
    #[command(
        after_help = "Examples:\n  bedrock-meter pricing show anthropic.claude-3-haiku-20240307-v1:0\n  bedrock-meter pricing show global.anthropic.claude-opus-4-5-20251101-v1:0 --region us-west-2"
    )]
    Show(ShowArgs),
    /// Check pricing data (schema and sanity); exit status 1 on errors.
    #[command(
        after_help = "Examples:\n  bedrock-meter pricing validate            # the embedded catalog\n  bedrock-meter pricing validate pricing/   # a folder replacing it\n  bedrock-meter pricing validate mine.toml  # an override file on top of it"
    )]
    Validate {
        /// Folder or override file (default: --pricing, else the embedded catalog).
        path: Option<PathBuf>,
    },
    /// Read current prices from the AWS Price List (Pricing API, or offer files you
    /// downloaded), write them as a pricing folder that later runs use, and print what
    /// changed against the catalog in use.
    #[command(
        after_help = "Needs pricing:GetProducts (and, optionally, bedrock:ListFoundationModels for the name join).\nThe folder goes to $BEDROCK_METER_DATA_DIR/pricing, else the user data dir's bedrock-meter/pricing, or -o DIR.\nPrecedence of pricing data: --pricing > refreshed data > embedded catalog.\n\nExamples:\n  bedrock-meter pricing refresh\n  bedrock-meter pricing refresh --region eu-west-1,eu-central-1 -o ./pricing-eu\n  bedrock-meter pricing refresh --offer-file AmazonBedrock-index.json --offer-file AmazonBedrockFoundationModels.csv\n  bedrock-meter pricing refresh --check   # exit 1 when the embedded catalog differs"
    )]
    Refresh(RefreshArgs),
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Regions to read, repeatable or comma separated (default: every Region).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<String>,
    /// Read a downloaded offer file (bulk JSON `index.json` or `index.csv`) instead of the
    /// Pricing API. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub offer_file: Vec<PathBuf>,
    /// Compare the embedded catalog with the Price List and exit 1 when they differ; writes
    /// nothing.
    #[arg(long)]
    pub check: bool,
    /// Do not join unknown Price List names with ListFoundationModels.
    #[arg(long)]
    pub no_model_names: bool,
    /// Named profile of the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Model ID in any form (bare, profile, ARN, `+flex` series).
    pub model: String,
    /// Only rates of this Region.
    #[arg(long, value_parser = parse_region)]
    pub region: Option<String>,
}

/// `estimate` quantities billed apart from text tokens and images.
#[derive(Debug, Clone, Args, Default)]
pub struct EstimateMediaArgs {
    /// Audio input tokens (speech models such as Nova Sonic).
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub audio_input_tokens: u64,
    /// Audio output tokens (speech models).
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub audio_output_tokens: u64,
    /// Seconds of input video (video models such as TwelveLabs Marengo and Pegasus).
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub video_seconds: u64,
    /// Rerank queries (one query ranks up to 100 documents; a Cohere search unit).
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub rerank_queries: u64,
}

#[derive(Debug, Clone, Args)]
#[command(allow_negative_numbers = true)]
pub struct EstimateArgs {
    /// Model ID in any form: bare ID, cross-Region profile (us., eu., apac., jp., au., global.),
    /// ARN, or CloudWatch `MODEL+flex` / `MODEL+priority` series.
    #[arg(long, short = 'm', required_unless_present = "job")]
    pub model: Option<String>,
    /// Number of requests the counts add up over (long-context rates and the context window
    /// apply per request).
    #[arg(long, value_parser = parse_count, default_value_t = 1)]
    pub requests: u64,
    /// Input tokens (not counting cache reads and writes).
    #[arg(long, value_parser = parse_count)]
    pub input_tokens: Option<u64>,
    /// Output tokens.
    #[arg(long, value_parser = parse_count)]
    pub output_tokens: Option<u64>,
    /// Region to price in (default: the ARN's Region, AWS_REGION, AWS_DEFAULT_REGION, us-east-1).
    #[arg(long, value_parser = parse_region)]
    pub region: Option<String>,
    /// Pricing modes, comma separated (on-demand, batch, flex, priority…) or `all`
    /// (default: every per-request mode the model has).
    #[arg(long, value_delimiter = ',', value_parser = parse_mode)]
    pub mode: Vec<ModeArg>,
    /// Input tokens read from the prompt cache.
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub cache_read_tokens: u64,
    /// Input tokens written to the prompt cache.
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub cache_write_tokens: u64,
    /// Time-to-live of cache writes: 5m (default), 1h, or 30m (models served through Mantle).
    #[arg(long, default_value = "5m", value_parser = ["5m", "1h", "30m"])]
    pub cache_ttl: String,
    /// Images generated (image models) or sent (multimodal embedding models).
    #[arg(long, value_parser = parse_count, default_value_t = 0)]
    pub images: u64,
    #[command(flatten)]
    pub media: EstimateMediaArgs,
    /// Size of generated images (default 1024x1024).
    #[arg(long, value_parser = |s: &str| s.parse::<Resolution>())]
    pub image_size: Option<Resolution>,
    /// Quality of generated images: standard (default) or premium.
    #[arg(long, value_parser = |s: &str| s.parse::<Quality>())]
    pub image_quality: Option<Quality>,
    /// A prompt to estimate, sent as one user message (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub prompt: Vec<String>,
    /// A request body (JSON, any InvokeModel format or a Converse request) or a plain-text
    /// prompt; repeatable; `.gz` accepted.
    #[arg(long = "file", short = 'f', value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Every file of a folder (and its subfolders), as with -f.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// A batch-inference JSONL file ({"recordId", "modelInput"} per line); `-` reads stdin;
    /// `.gz` accepted; or S3: `s3://BUCKET/KEY.jsonl`, or `s3://BUCKET/PREFIX/` for every
    /// .jsonl / .jsonl.gz under it, in key order, read in the AWS configuration's Region
    /// (s3:ListBucket, s3:GetObject). Adds on-demand vs batch savings.
    #[arg(long, value_name = "FILE.jsonl|S3_URI")]
    pub batch: Option<PathBuf>,
    /// A Bedrock batch inference job (ARN or name): its model and S3 input
    /// (bedrock:GetModelInvocationJob), estimated at batch and on-demand rates. A job
    /// named by ARN is read in the ARN's Region, else in --region.
    #[arg(long, value_name = "JOB_ARN_OR_NAME", conflicts_with_all = ["model", "batch", "files", "dir", "prompt"])]
    pub job: Option<String>,
    /// Force the body format instead of detecting it (anthropic-messages, converse, llama…).
    #[arg(long, value_parser = |s: &str| s.parse::<BodyFormat>())]
    pub body_format: Option<BodyFormat>,
    /// With request inputs: expected output tokens = R × each request's input tokens
    /// (else --output-tokens per request, else the request's max-tokens ceiling).
    #[arg(long, value_name = "R", conflicts_with = "output_tokens", value_parser = parse_ratio)]
    pub output_ratio: Option<f64>,
    /// Share (0 to 1) of each request's cache-marked prefix read from the prompt cache; the
    /// rest is written to it. Needs cache markers (cache_control, cachePoint) in the bodies.
    #[arg(long, value_name = "H", value_parser = parse_fraction)]
    pub cache_hit_rate: Option<f64>,
    /// Write one CSV row per record (tokens and cost per mode) to this file, atomically.
    #[arg(long, value_name = "FILE.csv")]
    pub per_record: Option<PathBuf>,
    /// Stop at the first bad record (exit status 1) instead of counting and reporting it.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads for batch files (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub exact: ExactArgs,
    /// With --batch: count N records (a reproducible random sample) with CountTokens,
    /// scale the local counts of the rest by the measured exact/local ratio, and report the
    /// measured band.
    #[arg(long, value_name = "N", requires = "batch", conflicts_with_all = ["exact", "calibration"], value_parser = clap::value_parser!(u64).range(1..=100000))]
    pub calibrate: Option<u64>,
    /// Seed of the --calibrate sample.
    #[arg(long, default_value_t = 1, requires = "calibrate")]
    pub seed: u64,
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r >= 0.0 => Ok(r),
        _ => Err(format!("expected a non-negative number, got `{s}`")),
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("expected a number from 0 to 1, got `{s}`")),
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Workload file (TOML; a commented example is examples/workload.toml).
    #[arg(
        value_name = "FILE",
        required_unless_present = "compare",
        conflicts_with = "compare"
    )]
    pub file: Option<PathBuf>,
    /// Compare two workload files; differences are B − A.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<PathBuf>>,
}

/// A `--mode` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeArg {
    All,
    One(Mode),
}

fn parse_mode(s: &str) -> Result<ModeArg, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        Ok(ModeArg::All)
    } else {
        s.parse::<Mode>().map(ModeArg::One)
    }
}

/// A count: digits, optionally grouped with `_` or `,`. Negative and fractional values are refused.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.starts_with('-') {
        return Err(format!("`{s}`: counts cannot be negative"));
    }
    let digits: String = t.chars().filter(|c| *c != '_' && *c != ',').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{s}` is not a whole number"));
    }
    digits.parse().map_err(|_| format!("`{s}` is too large"))
}

fn parse_region(s: &str) -> Result<String, String> {
    let r = s.trim().to_ascii_lowercase();
    if is_region_code(&r) {
        Ok(r)
    } else {
        Err(format!("`{s}` is not an AWS Region code (like us-east-1)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1,000"), Ok(1000));
        assert!(parse_count("-5").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("abc").is_err());
        assert!(parse_count("").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

const RECONCILE_HELP: &str = "\
Needs ce:GetDimensionValues and ce:GetCostAndUsage (Cost Explorer charges $0.01 per request; a
range costs 3 requests when nothing pages, 0 when its finished days are cached), plus what the
usage source needs (cloudwatch:ListMetrics and cloudwatch:GetMetricData, or the log reads).

Statuses: ok (within --tolerance), over / under (estimate above / below the bill), billed-only,
metrics-only, unmapped usage type, not final yet (last 48 hours, or Cost Explorer's Estimated).

Examples:
  bedrock-meter report reconcile --since 2026-11-01 --until 2026-12-01
  bedrock-meter report reconcile --since 2026-11-01 --until 2026-11-08 --region us-east-1,eu-west-1 --tolerance 2
  bedrock-meter --format json report reconcile --since 2026-11-01 --until 2026-12-01 --logs s3://acme-logs/bedrock -o recon.json";

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// First day, inclusive (YYYY-MM-DD, UTC: Cost Explorer's days).
    #[arg(long, value_name = "DATE")]
    pub since: jiff::civil::Date,
    /// Day after the last day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: jiff::civil::Date,
    /// Regions whose usage to read, repeatable or comma separated (default: every Region
    /// the bill names, from its usage types' billing prefixes).
    #[arg(long, value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<String>,
    /// Named profile of the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// A row is `ok` when the estimate is within this many percent of the bill.
    #[arg(long, default_value = "1", value_name = "PERCENT")]
    pub tolerance: rust_decimal::Decimal,
    /// Do not read or write the cache of Cost Explorer responses for finished days.
    #[arg(long)]
    pub no_cache: bool,
    /// Also query this ModelId series in CloudWatch (repeatable).
    #[arg(long = "series", value_name = "MODEL_ID")]
    pub series: Vec<String>,
    /// Estimate from model-invocation logs instead of CloudWatch metrics.
    #[command(flatten)]
    pub logs: LogArgs,
    /// Attempts per AWS request; throttling is retried with exponential backoff.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}
