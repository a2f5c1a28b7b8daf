//! Reading a policy file, collecting every problem with its file, line and field (the
//! approach of the workload and pricing files: spanned TOML values, one diagnostic each).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use toml::Spanned;

use super::schema::{RawAllow, RawPolicy};
use super::{AllowRule, Policy};
use crate::catalog::diagnostic::{Diagnostic, LineIndex, Severity};
use crate::catalog::is_region_code;
use crate::report::governance::thresholds::{THRESHOLD_NAMES, Thresholds};

/// The policy file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}", crate::catalog::diagnostic::summarize_errors("policy file", .0))]
    Invalid(Vec<Diagnostic>),
}

impl PolicyError {
    /// The diagnostics of an invalid file (none for a file that could not be read).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            PolicyError::Invalid(d) => d,
            PolicyError::Io { .. } => &[],
        }
    }
}

/// Reads and validates a policy file.
pub fn load(path: &Path) -> Result<Policy, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|error| PolicyError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&path.display().to_string(), &text)
}

struct Ck<'a> {
    file: &'a str,
    text: &'a str,
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

    fn string(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<String> {
        match v.get_ref() {
            toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            toml::Value::String(_) => {
                let l = self.line(v);
                self.error(l, field, "must not be empty");
                None
            }
            other => {
                let l = self.line(v);
                self.error(
                    l,
                    field,
                    format!("expected a string, found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// A non-empty list of non-empty strings.
    fn strings(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Vec<String>> {
        let l = self.line(v);
        let toml::Value::Array(items) = v.get_ref() else {
            let found = v.get_ref().type_str();
            self.error(
                l,
                field,
                format!("expected a list of strings, found {found}"),
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                l,
                field,
                "an empty list allows nothing; leave the key out to allow any",
            );
            return None;
        }
        let mut out = Vec::new();
        for item in items {
            match item {
                toml::Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                other => {
                    let what = match other {
                        toml::Value::String(_) => "an empty string".to_string(),
                        o => format!("a {}", o.type_str()),
                    };
                    self.error(
                        l,
                        field,
                        format!("expected non-empty strings, found {what}"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// The field a TOML syntax or shape error is about: the key written on its line, or the
/// table whose header is on (or nearest above) that line.
fn field_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    if let Some(l) = lines.get(at) {
        let l = l.trim();
        if !l.starts_with('[')
            && let Some((key, _)) = l.split_once('=')
        {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            if !key.is_empty() {
                return key.to_string();
            }
        }
    }
    for l in lines.iter().take(at + 1).rev() {
        let l = l.trim();
        if l.starts_with('[') {
            let name = l
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            if !name.is_empty() {
                return name.to_string();
            }
        }
    }
    "(file)".to_string()
}

/// Validates a policy file's text; `file` names it in messages.
pub fn parse(file: &str, text: &str) -> Result<Policy, PolicyError> {
    let mut ck = Ck {
        file,
        text,
        lines: LineIndex::new(text),
        diags: Vec::new(),
    };
    let raw: RawPolicy = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| ck.lines.line(s.start)).unwrap_or(1);
            let message = e.message().trim().to_string();
            let field = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string)
                .unwrap_or_else(|| field_at(ck.text, line));
            ck.error(line, &field, message);
            return Err(PolicyError::Invalid(ck.diags));
        }
    };
    let mut allow = Vec::new();
    for entry in &raw.allow {
        allow.extend(allow_rule(&mut ck, entry));
    }
    let mut thresholds = Thresholds::default();
    if let Some(t) = &raw.thresholds {
        for (name, v) in t.get_ref() {
            threshold(&mut ck, &mut thresholds, name, v);
        }
    }
    if raw.allow.is_empty() && raw.thresholds.is_none() {
        ck.error(
            1,
            "allow",
            "the policy has no [[allow]] entry and no [thresholds]: every call would be outside it",
        );
    }
    ck.diags.sort_by_key(|d| d.line);
    if ck.diags.is_empty() {
        Ok(Policy {
            name: file.to_string(),
            allow,
            thresholds,
        })
    } else {
        Err(PolicyError::Invalid(ck.diags))
    }
}

fn allow_rule(ck: &mut Ck<'_>, entry: &Spanned<RawAllow>) -> Option<AllowRule> {
    let line = ck.line(entry);
    let e = entry.get_ref();
    let errors = ck.diags.len();
    let principal = match &e.principal {
        Some(v) => ck.string(v, "allow.principal"),
        None => {
            ck.error(
                line,
                "allow.principal",
                "each [[allow]] entry needs a `principal` pattern",
            );
            None
        }
    };
    let models = e
        .models
        .as_ref()
        .and_then(|v| ck.strings(v, "allow.models"));
    let regions = match &e.regions {
        Some(v) => match ck.strings(v, "allow.regions") {
            Some(list) => {
                let l = ck.line(v);
                for r in &list {
                    if !r.contains('*') && !is_region_code(&r.to_ascii_lowercase()) {
                        ck.error(
                            l,
                            "allow.regions",
                            format!("`{r}` is not an AWS Region code (like us-east-1) nor a pattern with *"),
                        );
                    }
                }
                Some(list)
            }
            None => None,
        },
        None => None,
    };
    if let Some(v) = &e.note {
        ck.string(v, "allow.note");
    }
    (ck.diags.len() == errors).then(|| AllowRule {
        principal: principal.unwrap_or_default(),
        models,
        regions,
        line,
    })
}

fn threshold(ck: &mut Ck<'_>, th: &mut Thresholds, name: &str, v: &Spanned<toml::Value>) {
    let line = ck.line(v);
    let field = format!("thresholds.{name}");
    if name == "high_error_rate_pct" {
        let parsed = match v.get_ref() {
            toml::Value::Integer(i) => Some(Decimal::from(*i)),
            toml::Value::Float(f) if f.is_finite() => Decimal::from_str(&f.to_string()).ok(),
            toml::Value::String(s) => Decimal::from_str(s.trim()).ok(),
            _ => None,
        };
        match parsed {
            Some(d) if d > Decimal::ZERO && d <= Decimal::ONE_HUNDRED => {
                th.high_error_rate_pct = d;
            }
            _ => ck.error(
                line,
                &field,
                format!(
                    "must be a percentage above 0 and at most 100, got {}",
                    v.get_ref()
                ),
            ),
        }
        return;
    }
    let Some(slot) = th.count_mut(name) else {
        ck.error(
            line,
            &field,
            format!(
                "unknown threshold `{name}` (expected one of {})",
                THRESHOLD_NAMES.join(", ")
            ),
        );
        return;
    };
    match v.get_ref() {
        toml::Value::Integer(i) if *i >= 1 => *slot = *i as u64,
        other => ck.error(
            line,
            &field,
            format!("must be a whole number of at least 1, got {other}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_loads_with_its_thresholds() {
        let p = parse(
            "gov.toml",
            r#"
[[allow]]
principal = "arn:aws:sts::*:assumed-role/app-*/*"
models = ["anthropic.claude-*", "amazon.nova-*"]
regions = ["us-east-1", "us-west-2"]

[[allow]]
principal = "arn:aws:iam::*:user/ci"

[thresholds]
access_denied_burst = 4
high_error_rate_pct = 12.5
"#,
        )
        .unwrap();
        assert_eq!(p.allow.len(), 2);
        assert_eq!(p.allow[0].line, 2);
        assert_eq!(p.allow[1].models, None);
        assert_eq!(p.thresholds.access_denied_burst, 4);
        assert_eq!(p.thresholds.high_error_rate_pct.to_string(), "12.5");
        assert_eq!(p.thresholds.validation_burst, 10);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = parse(
            "gov.toml",
            "[[allow]]\nprincipal = \"x\"\nregions = [\"us-east-1\", \"mars-1\"]\n[thresholds]\naccess_denied_burst = 0\nbogus = 3\n",
        )
        .unwrap_err();
        let d = e.diagnostics();
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(
            (d[0].line, d[0].field.as_deref()),
            (3, Some("allow.regions"))
        );
        assert_eq!(
            (d[1].line, d[1].field.as_deref()),
            (5, Some("thresholds.access_denied_burst"))
        );
        assert_eq!(
            (d[2].line, d[2].field.as_deref()),
            (6, Some("thresholds.bogus"))
        );
        assert!(e.to_string().contains("gov.toml:3"), "{e}");

        let e = parse(
            "gov.toml",
            "[[allow]]\nprincipal = \"x\"\nmodel = [\"a\"]\n",
        )
        .unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!((d.line, d.field.as_deref()), (3, Some("model")), "{d}");

        let e = parse(
            "gov.toml",
            "[[allow]]\nprincipal = \"x\"\nmodels = [\"a\"\n",
        )
        .unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(d.field.as_deref(), Some("models"), "{d}");
    }
}
