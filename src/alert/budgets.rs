//! The budgets file (TOML): budgets with a period, an amount, thresholds, a scope and the
//! channels to notify; and the channels themselves. `examples/budgets.toml` documents every
//! key. Every problem is reported with file, line and field, all at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;
use toml::Spanned;

use super::period::PeriodKind;
use crate::catalog::Catalog;
use crate::catalog::diagnostic::{Diagnostic, LineIndex, Severity};
use crate::catalog::is_region_code;
use crate::report::governance::policy::glob;

/// Thresholds when a budget names none: 50%, 80% and 100% of the amount.
pub const DEFAULT_THRESHOLDS: [u32; 3] = [50, 80, 100];

/// The budgets file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BudgetsError {
    #[error("cannot read budgets file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}", crate::catalog::diagnostic::summarize_errors("budgets file", .0))]
    Invalid(Vec<Diagnostic>),
}

/// What a budget counts: usage matching every non-empty list (an empty list matches all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// Patterns (`*` wildcards) over catalog model IDs and raw ModelId series.
    pub models: Vec<String>,
    pub regions: Vec<String>,
    /// Patterns over principals (ARNs): invocation logs only.
    pub principals: Vec<String>,
    /// Tag key → value pattern: invocation logs only.
    pub tags: BTreeMap<String, String>,
}

impl Scope {
    /// Whether the scope names callers or tags, which CloudWatch metrics do not have.
    pub fn needs_logs(&self) -> bool {
        !self.principals.is_empty() || !self.tags.is_empty()
    }

    /// Whether a model series (raw `model_id`, resolved catalog `model`) is in scope.
    pub fn matches_model(&self, model_id: &str, resolved: Option<&str>) -> bool {
        self.models.is_empty()
            || self.models.iter().any(|p| {
                glob::matches(p, model_id, true)
                    || resolved.is_some_and(|m| glob::matches(p, m, true))
            })
    }

    pub fn matches_region(&self, region: &str) -> bool {
        self.regions.is_empty() || self.regions.iter().any(|r| r.eq_ignore_ascii_case(region))
    }

    /// Principal and tags of one usage record.
    pub fn matches_caller(&self, principal: Option<&str>, tags: &BTreeMap<String, String>) -> bool {
        let p_ok = self.principals.is_empty()
            || principal.is_some_and(|p| self.principals.iter().any(|g| glob::matches(g, p, true)));
        let t_ok = self
            .tags
            .iter()
            .all(|(k, pat)| tags.get(k).is_some_and(|v| glob::matches(pat, v, false)));
        p_ok && t_ok
    }
}

/// One budget.
#[derive(Debug, Clone)]
pub struct Budget {
    pub name: String,
    pub period: PeriodKind,
    /// IANA name of the time zone whose midnights cut the period.
    pub timezone: String,
    pub tz: jiff::tz::TimeZone,
    pub amount_usd: Decimal,
    /// Percent of the amount, ascending, each in (0, 1000].
    pub thresholds: Vec<u32>,
    /// Alert when the forecast crosses these (empty: no forecast alerts).
    pub forecast_thresholds: Vec<u32>,
    pub scope: Scope,
    /// Names of `[channels.NAME]` entries.
    pub channels: Vec<String>,
    /// Where the budget is written, for messages.
    pub file: String,
    pub line: usize,
}

/// A webhook URL: a secret (it usually embeds a token). Never printed; `Debug` hides it.
#[derive(Clone, PartialEq)]
pub struct SecretUrl(pub String);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl(host {})", host_of(&self.0))
    }
}

/// The host of a URL, the only part of a webhook URL that messages show.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials in `user:pass@host` are secret too.
    host.rsplit('@').next().unwrap_or("").to_string()
}

/// Where a webhook's URL comes from: an environment variable (read when the alert is
/// sent, so the file can be shared without the secret), or the file itself.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookUrl {
    Env(String),
    Literal(SecretUrl),
}

impl WebhookUrl {
    /// The URL, or why there is none (naming the variable, never a value).
    pub fn resolve(&self) -> Result<SecretUrl, String> {
        match self {
            WebhookUrl::Literal(u) => Ok(u.clone()),
            WebhookUrl::Env(var) => match std::env::var(var) {
                Ok(v) if v.trim().starts_with("https://") || v.trim().starts_with("http://") => {
                    Ok(SecretUrl(v.trim().to_string()))
                }
                Ok(v) if !v.trim().is_empty() => Err(format!(
                    "the environment variable {var} does not hold an http(s):// URL"
                )),
                _ => Err(format!(
                    "the environment variable {var} is not set (it should hold the webhook URL)"
                )),
            },
        }
    }
}

/// Where alerts go.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelKind {
    /// Publish to an SNS topic (its Region is read from the ARN).
    Sns { topic_arn: String },
    /// HTTP POST of a JSON document with a Slack-compatible `text` field.
    Webhook {
        url: WebhookUrl,
        timeout_secs: u64,
        /// Retries after the first attempt, with exponential backoff from `backoff_ms`.
        retries: u32,
        backoff_ms: u64,
    },
    /// The alert text on standard output.
    Stdout,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
}

/// A validated budgets file.
#[derive(Debug, Clone)]
pub struct BudgetsFile {
    pub budgets: Vec<Budget>,
    pub channels: BTreeMap<String, Channel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: Option<RawDefaults>,
    #[serde(default)]
    budget: Vec<Spanned<RawBudget>>,
    #[serde(default)]
    channels: BTreeMap<String, Spanned<RawChannel>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    timezone: Option<Spanned<String>>,
    thresholds: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    channels: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    name: Option<Spanned<String>>,
    period: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    amount_usd: Option<Spanned<toml::Value>>,
    thresholds: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    forecast: Option<Spanned<bool>>,
    forecast_thresholds: Option<Spanned<Vec<Spanned<toml::Value>>>>,
    channels: Option<Spanned<Vec<String>>>,
    models: Option<Spanned<Vec<String>>>,
    regions: Option<Spanned<Vec<String>>>,
    principals: Option<Spanned<Vec<String>>>,
    tags: Option<Spanned<BTreeMap<String, String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    topic_arn: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    timeout_secs: Option<Spanned<i64>>,
    retries: Option<Spanned<i64>>,
    backoff_ms: Option<Spanned<i64>>,
}

struct Ck<'a> {
    file: &'a str,
    lines: LineIndex,
    diags: Vec<Diagnostic>,
}

impl Ck<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.lines.line(s.span().start)
    }

    fn error(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            file: self.file.to_string(),
            line,
            field: Some(field.to_string()),
            message: message.into(),
        });
    }

    fn percents(&mut self, v: &Spanned<Vec<Spanned<toml::Value>>>, field: &str) -> Vec<u32> {
        let mut out = Vec::new();
        if v.get_ref().is_empty() {
            let l = self.line(v);
            self.error(
                l,
                field,
                "an empty list: give at least one percentage, like [50, 80, 100]",
            );
        }
        for item in v.get_ref() {
            let l = self.line(item);
            match item.get_ref() {
                toml::Value::Integer(n) if (1..=1000).contains(n) => out.push(*n as u32),
                toml::Value::Integer(n) => self.error(
                    l,
                    field,
                    format!(
                        "{n} is out of range: thresholds are percentages of the amount, 1 to 1000"
                    ),
                ),
                other => self.error(
                    l,
                    field,
                    format!(
                        "expected a whole percentage like 80, found {}",
                        other.type_str()
                    ),
                ),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Reads and validates a budgets file; model patterns are checked against `catalog`.
pub fn load(path: &Path, catalog: &Catalog) -> Result<BudgetsFile, BudgetsError> {
    let text = std::fs::read_to_string(path).map_err(|error| BudgetsError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&path.display().to_string(), &text, catalog)
}

/// Validates a budgets file's text; `file` names it in messages.
pub fn parse(file: &str, text: &str, catalog: &Catalog) -> Result<BudgetsFile, BudgetsError> {
    let mut ck = Ck {
        file,
        lines: LineIndex::new(text),
        diags: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| ck.lines.line(s.start)).unwrap_or(1);
            let message = e.message().trim().to_string();
            let field = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string)
                .unwrap_or_else(|| key_on_line(text, line));
            ck.error(line, &field, message);
            return Err(BudgetsError::Invalid(ck.diags));
        }
    };
    let mut channels = BTreeMap::new();
    for (name, c) in &raw.channels {
        if let Some(ch) = channel(&mut ck, name, c) {
            channels.insert(name.clone(), ch);
        }
    }
    let (def_tz, def_thresholds, def_channels) = match &raw.defaults {
        Some(d) => (
            d.timezone.clone(),
            d.thresholds
                .as_ref()
                .map(|t| ck.percents(t, "defaults.thresholds")),
            d.channels.clone(),
        ),
        None => (None, None, None),
    };
    if raw.budget.is_empty() {
        ck.error(1, "budget", "no [[budget]] entry: nothing to check");
    }
    let mut budgets: Vec<Budget> = Vec::new();
    for b in &raw.budget {
        let line = ck.line(b);
        let r = b.get_ref();
        let name = match &r.name {
            Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().trim().to_string(),
            Some(n) => {
                let l = ck.line(n);
                ck.error(l, "name", "must not be empty");
                continue;
            }
            None => {
                ck.error(line, "name", "every [[budget]] needs a name");
                continue;
            }
        };
        if budgets.iter().any(|o| o.name == name) {
            ck.error(
                line,
                "name",
                format!(
                    "a second budget named `{name}`: names key the alert state and must be unique"
                ),
            );
        }
        let period = match r
            .period
            .as_ref()
            .map(|p| (ck.line(p), p.get_ref().trim().to_ascii_lowercase()))
        {
            Some((_, p)) if p == "month" => PeriodKind::Month,
            Some((_, p)) if p == "day" => PeriodKind::Day,
            Some((l, p)) => {
                ck.error(l, "period", format!("`{p}`: expected `day` or `month`"));
                PeriodKind::Month
            }
            None => {
                ck.error(line, "period", "missing: `day` or `month`");
                PeriodKind::Month
            }
        };
        let tz_s = r.timezone.clone().or_else(|| def_tz.clone());
        let (timezone, tz) = match &tz_s {
            Some(z) => match jiff::tz::TimeZone::get(z.get_ref()) {
                Ok(tz) => (z.get_ref().clone(), tz),
                Err(e) => {
                    let l = ck.line(z);
                    ck.error(
                        l,
                        "timezone",
                        format!(
                            "`{}` is not an IANA time zone name like UTC or Europe/Berlin: {e}",
                            z.get_ref()
                        ),
                    );
                    ("UTC".to_string(), jiff::tz::TimeZone::UTC)
                }
            },
            None => ("UTC".to_string(), jiff::tz::TimeZone::UTC),
        };
        let amount_usd = match &r.amount_usd {
            Some(a) => {
                let l = ck.line(a);
                let parsed = match a.get_ref() {
                    toml::Value::Integer(n) => Some(Decimal::from(*n)),
                    toml::Value::Float(f) => Decimal::from_f64(*f).map(|d| d.round_dp(6)),
                    toml::Value::String(s) => {
                        s.trim().trim_start_matches('$').parse::<Decimal>().ok()
                    }
                    _ => None,
                };
                match parsed {
                    Some(d) if d > Decimal::ZERO => d,
                    Some(d) => {
                        ck.error(
                            l,
                            "amount_usd",
                            format!("{d} is not a budget: the amount must be more than $0"),
                        );
                        Decimal::ONE
                    }
                    None => {
                        ck.error(
                            l,
                            "amount_usd",
                            format!(
                                "expected an amount in USD like 500 or \"499.50\", found {}",
                                a.get_ref()
                            ),
                        );
                        Decimal::ONE
                    }
                }
            }
            None => {
                ck.error(line, "amount_usd", "missing: the budget's amount in USD");
                Decimal::ONE
            }
        };
        let thresholds = match &r.thresholds {
            Some(t) => ck.percents(t, "thresholds"),
            None => def_thresholds
                .clone()
                .unwrap_or_else(|| DEFAULT_THRESHOLDS.to_vec()),
        };
        let forecast_on = r.forecast.as_ref().is_some_and(|f| *f.get_ref());
        let forecast_thresholds = match &r.forecast_thresholds {
            Some(t) if !forecast_on => {
                let l = ck.line(t);
                ck.error(
                    l,
                    "forecast_thresholds",
                    "set, but `forecast = true` is not: forecast alerts are off",
                );
                Vec::new()
            }
            Some(t) => ck.percents(t, "forecast_thresholds"),
            None if forecast_on => vec![100],
            None => Vec::new(),
        };
        let chan = r.channels.clone().or_else(|| def_channels.clone());
        let chan_names = match &chan {
            Some(c) => {
                let l = ck.line(c);
                for n in c.get_ref() {
                    if !raw.channels.contains_key(n) {
                        let known: Vec<&str> = raw.channels.keys().map(String::as_str).collect();
                        ck.error(
                            l,
                            "channels",
                            format!(
                                "no channel named `{n}` (defined: {}); add a [channels.{n}] table",
                                if known.is_empty() {
                                    "none".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        );
                    }
                }
                if c.get_ref().is_empty() {
                    ck.error(l, "channels", "an empty list: alerts would go nowhere");
                }
                c.get_ref().clone()
            }
            None => {
                ck.error(
                    line,
                    "channels",
                    "missing: the channels to notify, like [\"ops\"] (a [channels.ops] table)",
                );
                Vec::new()
            }
        };
        let mut scope = Scope::default();
        if let Some(m) = &r.models {
            let l = ck.line(m);
            for p in m.get_ref() {
                if let Err(msg) = check_model_pattern(catalog, p) {
                    ck.error(l, "models", msg);
                }
            }
            scope.models = m.get_ref().iter().map(|s| s.trim().to_string()).collect();
        }
        if let Some(rg) = &r.regions {
            let l = ck.line(rg);
            for reg in rg.get_ref() {
                if !is_region_code(&reg.trim().to_ascii_lowercase()) {
                    ck.error(
                        l,
                        "regions",
                        format!("`{reg}` is not an AWS Region code (like us-east-1)"),
                    );
                }
            }
            scope.regions = rg
                .get_ref()
                .iter()
                .map(|s| s.trim().to_ascii_lowercase())
                .collect();
        }
        if let Some(p) = &r.principals {
            scope.principals = p.get_ref().clone();
        }
        if let Some(t) = &r.tags {
            scope.tags = t.get_ref().clone();
        }
        budgets.push(Budget {
            name,
            period,
            timezone,
            tz,
            amount_usd,
            thresholds,
            forecast_thresholds,
            scope,
            channels: chan_names,
            file: file.to_string(),
            line,
        });
    }
    if ck.diags.is_empty() {
        Ok(BudgetsFile { budgets, channels })
    } else {
        Err(BudgetsError::Invalid(ck.diags))
    }
}

/// A model pattern must match at least one catalog model (a typo would silently match
/// nothing and the budget would never fire).
fn check_model_pattern(catalog: &Catalog, pattern: &str) -> Result<(), String> {
    let p = pattern.trim();
    if p.is_empty() {
        return Err("an empty model pattern".to_string());
    }
    let bare = crate::resolve::id_forms::split_profile_prefix(p)
        .map(|(_, rest)| rest)
        .unwrap_or(p);
    let hit = catalog.models().iter().any(|m| {
        glob::matches(p, &m.id, true)
            || glob::matches(bare, &m.id, true)
            || glob::matches(p, &m.name, true)
    });
    if hit {
        return Ok(());
    }
    let wanted = bare.replace('*', "");
    let s = crate::resolve::suggestions(catalog, &wanted, 3);
    Err(if s.is_empty() {
        format!("`{pattern}` matches no model of the catalog (see `bedrock-meter models`)")
    } else {
        format!(
            "`{pattern}` matches no model of the catalog; did you mean: {}?",
            s.join(", ")
        )
    })
}

fn channel(ck: &mut Ck<'_>, name: &str, c: &Spanned<RawChannel>) -> Option<Channel> {
    let line = ck.line(c);
    let r = c.get_ref();
    let field = |f: &str| format!("channels.{name}.{f}");
    let kind = match &r.kind {
        Some(k) => k.get_ref().trim().to_ascii_lowercase(),
        None => {
            ck.error(
                line,
                &field("type"),
                "missing: `sns`, `webhook` or `stdout`",
            );
            return None;
        }
    };
    let int = |ck: &mut Ck<'_>, v: &Option<Spanned<i64>>, f: &str, default: i64, max: i64| -> i64 {
        match v {
            Some(x) if (0..=max).contains(x.get_ref()) => *x.get_ref(),
            Some(x) => {
                let l = ck.line(x);
                ck.error(
                    l,
                    &field(f),
                    format!("{} is out of range 0..={max}", x.get_ref()),
                );
                default
            }
            None => default,
        }
    };
    let kind = match kind.as_str() {
        "sns" => {
            let Some(arn) = &r.topic_arn else {
                ck.error(
                    line,
                    &field("topic_arn"),
                    "missing: the SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)",
                );
                return None;
            };
            let a = arn.get_ref().trim();
            let parts: Vec<&str> = a.split(':').collect();
            if parts.len() != 6
                || parts[0] != "arn"
                || parts[2] != "sns"
                || !is_region_code(parts[3])
            {
                let l = ck.line(arn);
                ck.error(
                    l,
                    &field("topic_arn"),
                    format!("`{a}` is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"),
                );
                return None;
            }
            ChannelKind::Sns {
                topic_arn: a.to_string(),
            }
        }
        "webhook" => {
            let url = match (&r.url, &r.url_env) {
                (Some(_), Some(e)) => {
                    let l = ck.line(e);
                    ck.error(l, &field("url_env"), "give `url` or `url_env`, not both");
                    return None;
                }
                (Some(u), None) => {
                    let url = u.get_ref().trim().to_string();
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        let l = ck.line(u);
                        ck.error(l, &field("url"), "the webhook URL must start with https:// (or http:// for a local endpoint)");
                        return None;
                    }
                    return Some(Channel {
                        name: name.to_string(),
                        kind: ChannelKind::Webhook {
                            url: WebhookUrl::Literal(SecretUrl(url)),
                            timeout_secs: int(ck, &r.timeout_secs, "timeout_secs", 10, 300).max(1)
                                as u64,
                            retries: int(ck, &r.retries, "retries", 3, 10) as u32,
                            backoff_ms: int(ck, &r.backoff_ms, "backoff_ms", 1000, 60_000) as u64,
                        },
                    });
                }
                (None, Some(e)) => {
                    let var = e.get_ref().trim().to_string();
                    if var.is_empty() || var.contains(['=', '\0']) {
                        let l = ck.line(e);
                        ck.error(
                            l,
                            &field("url_env"),
                            "must name an environment variable, like SLACK_WEBHOOK_URL",
                        );
                        return None;
                    }
                    var
                }
                (None, None) => {
                    ck.error(line, &field("url_env"), "missing: `url_env = \"VAR\"` (an environment variable holding the URL; preferred, the URL is a secret) or `url`");
                    return None;
                }
            };
            ChannelKind::Webhook {
                url: WebhookUrl::Env(url),
                timeout_secs: int(ck, &r.timeout_secs, "timeout_secs", 10, 300).max(1) as u64,
                retries: int(ck, &r.retries, "retries", 3, 10) as u32,
                backoff_ms: int(ck, &r.backoff_ms, "backoff_ms", 1000, 60_000) as u64,
            }
        }
        "stdout" => ChannelKind::Stdout,
        other => {
            let l = r.kind.as_ref().map(|k| ck.line(k)).unwrap_or(line);
            ck.error(
                l,
                &field("type"),
                format!("`{other}`: expected `sns`, `webhook` or `stdout`"),
            );
            return None;
        }
    };
    Some(Channel {
        name: name.to_string(),
        kind,
    })
}

/// The key written on `line`, or the table header nearest above it.
fn key_on_line(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    if let Some(l) = lines.get(at) {
        let l = l.trim();
        if !l.starts_with('[')
            && let Some((key, _)) = l.split_once('=')
        {
            return key.trim().trim_matches('"').to_string();
        }
    }
    lines
        .iter()
        .take(at + 1)
        .rev()
        .find(|l| l.trim().starts_with('['))
        .map(|l| l.trim().trim_matches(|c| c == '[' || c == ']').to_string())
        .unwrap_or_else(|| "(file)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = r#"
[channels.ops]
type = "sns"
topic_arn = "arn:aws:sns:eu-north-1:123456789012:budgets"

[channels.console]
type = "stdout"

[[budget]]
name = "claude-monthly"
period = "month"
timezone = "Europe/Berlin"
amount_usd = 500
forecast = true
channels = ["ops", "console"]
models = ["anthropic.claude-*"]
regions = ["eu-north-1"]
"#;

    fn errors(text: &str) -> Vec<Diagnostic> {
        let catalog = Catalog::load(None).unwrap();
        match parse("budgets.toml", text, &catalog) {
            Err(BudgetsError::Invalid(d)) => d,
            other => panic!("expected errors, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_parses_with_defaults() {
        let catalog = Catalog::load(None).unwrap();
        let f = parse("budgets.toml", GOOD, &catalog).unwrap();
        let b = &f.budgets[0];
        assert_eq!(b.thresholds, vec![50, 80, 100]);
        assert_eq!(b.forecast_thresholds, vec![100]);
        assert_eq!(b.amount_usd, Decimal::from(500));
        assert_eq!(b.line, 9);
        assert!(b.scope.matches_model(
            "eu.anthropic.claude-3-haiku",
            Some("anthropic.claude-3-haiku-20240307-v1:0")
        ));
        assert!(
            !b.scope
                .matches_model("amazon.nova-lite-v1:0", Some("amazon.nova-lite-v1:0"))
        );
        assert_eq!(f.channels.len(), 2);
    }

    #[test]
    fn bad_values_are_named_by_line_and_field() {
        let text = GOOD
            .replace("amount_usd = 500", "amount_usd = -5")
            .replace(
                "forecast = true",
                "thresholds = [50, 0, 2000]\nforecast = true",
            )
            .replace("anthropic.claude-*", "anthropic.clawde-sonet-*");
        let d = errors(&text);
        let shown: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        let all = shown.join("\n");
        assert!(
            all.contains("budgets.toml:13: error in `amount_usd`: -5 is not a budget"),
            "{all}"
        );
        assert!(
            all.contains("budgets.toml:14: error in `thresholds`: 0 is out of range"),
            "{all}"
        );
        assert!(all.contains("2000 is out of range"), "{all}");
        assert!(all.contains("error in `models`: `anthropic.clawde-sonet-*` matches no model of the catalog; did you mean:"), "{all}");
        assert_eq!(d.len(), 4, "{all}");
    }

    #[test]
    fn unknown_keys_and_channels_are_errors() {
        let d = errors(&GOOD.replace("regions =", "regoins ="));
        assert_eq!(d[0].field.as_deref(), Some("regoins"));
        let d = errors(&GOOD.replace("[\"ops\", \"console\"]", "[\"pager\"]"));
        assert!(
            d[0].message.contains("no channel named `pager`"),
            "{:?}",
            d[0]
        );
        let d = errors(&GOOD.replace("arn:aws:sns:eu-north-1:123456789012:budgets", "budgets"));
        assert_eq!(d[0].field.as_deref(), Some("channels.ops.topic_arn"));
        assert_eq!(d[0].line, 4);
    }

    #[test]
    fn the_commented_example_parses() {
        let catalog = Catalog::load(None).unwrap();
        let f = parse(
            "examples/budgets.toml",
            include_str!("../../examples/budgets.toml"),
            &catalog,
        )
        .unwrap();
        assert_eq!(f.budgets.len(), 2);
        assert_eq!(f.budgets[1].thresholds, vec![80, 100]);
        assert_eq!(f.budgets[0].channels.len(), 3);
        assert!(
            matches!(&f.channels["slack"].kind, ChannelKind::Webhook { url: WebhookUrl::Env(v), retries: 3, .. } if v == "SLACK_WEBHOOK_URL")
        );
    }

    #[test]
    fn webhook_urls_are_secrets() {
        let u = SecretUrl("https://hooks.example.com/services/T000/B000/XXXXSECRET".into());
        let shown = format!("{u:?}");
        assert!(
            !shown.contains("SECRET") && shown.contains("hooks.example.com"),
            "{shown}"
        );
        assert_eq!(
            host_of("https://user:pw@h.example:8443/x?y"),
            "h.example:8443"
        );
    }

    proptest! {
        /// Any text: errors or a file, never a panic; every error names the file and a line
        /// inside it.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let catalog = Catalog::load(None).unwrap();
            if let Err(BudgetsError::Invalid(d)) = parse("b.toml", &text, &catalog) {
                for x in d {
                    prop_assert_eq!(x.file.as_str(), "b.toml");
                    prop_assert!(x.line >= 1 && x.line <= text.lines().count().max(1));
                }
            }
        }

        /// The good file with one line cut or replaced: still no panic, errors in range.
        #[test]
        fn mutated_files_never_panic(cut in 0usize..20, junk in "[a-z_=\\[\\]\" 0-9-]{0,30}") {
            let catalog = Catalog::load(None).unwrap();
            let mut lines: Vec<String> = GOOD.lines().map(str::to_string).collect();
            let i = cut % lines.len();
            lines[i] = junk;
            let text = lines.join("\n");
            if let Err(BudgetsError::Invalid(d)) = parse("b.toml", &text, &catalog) {
                prop_assert!(!d.is_empty());
                for x in d {
                    prop_assert!(x.line >= 1 && x.line <= lines.len());
                    prop_assert!(x.field.is_some());
                }
            }
        }
    }
}
