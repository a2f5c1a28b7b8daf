//! The config file: TOML with top-level keys only. Every error names the file, the line and
//! the field.
//!
//! ```toml
//! regions = ["us-east-1", "us-west-2"]   # or "us-east-1,us-west-2"
//! profile = "prod"
//! timezone = "Europe/Berlin"
//! format = "table"                       # table, csv, json, markdown, html
//! pricing = "prices/private.toml"        # paths: relative to this file's folder, or ~/…
//! aliases = "aliases.toml"
//! budgets = "budgets.toml"
//! ```

use std::path::{Path, PathBuf};

use crate::catalog::is_region_code;
use crate::export::Format;

/// The keys a config file may set.
pub const KEYS: [&str; 7] = [
    "regions", "profile", "timezone", "format", "pricing", "aliases", "budgets",
];

/// A config file's values, each with the line it was set on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub regions: Option<(Vec<String>, usize)>,
    pub profile: Option<(String, usize)>,
    pub timezone: Option<(String, usize)>,
    pub format: Option<(Format, usize)>,
    pub pricing: Option<(PathBuf, usize)>,
    pub aliases: Option<(PathBuf, usize)>,
    pub budgets: Option<(PathBuf, usize)>,
}

/// A config file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the file could not be read at all.
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The line a top-level key is set on (the first line starting with it and `=`).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            let t = t
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('"'))
                .or_else(|| t.strip_prefix(key));
            t.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// The line a table header `[key]` or `[[key]]` is on.
fn table_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim().trim_start_matches('[').trim_start();
            l.trim_start().starts_with('[') && t.starts_with(key)
        })
        .map(|i| i + 1)
}

/// A path from the file: `~/` is the home folder, relative paths are from the file's folder.
fn resolve_path(file: &Path, s: &str) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    let p = PathBuf::from(s);
    if p.is_absolute() {
        p
    } else {
        file.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// Parses the text of the config file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let file = path.display().to_string();
    let err = |line: usize, field: Option<&str>, message: String| ConfigError {
        file: file.clone(),
        line,
        field: field.map(str::to_string),
        message,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        err(line, None, format!("not valid TOML: {}", e.message()))
    })?;
    let mut out = ConfigFile {
        path: path.to_path_buf(),
        ..ConfigFile::default()
    };
    for (key, value) in &table {
        let line = if value.is_table()
            || value
                .as_array()
                .is_some_and(|a| a.iter().all(|v| v.is_table()) && !a.is_empty())
        {
            table_line(text, key).unwrap_or_else(|| key_line(text, key))
        } else {
            key_line(text, key)
        };
        let string = || {
            value.as_str().map(str::to_string).ok_or_else(|| {
                err(
                    line,
                    Some(key),
                    format!("expected a string, found {}", value.type_str()),
                )
            })
        };
        match key.as_str() {
            "regions" => {
                let list: Vec<String> = match value {
                    toml::Value::String(s) => s.split(',').map(|r| r.trim().to_string()).collect(),
                    toml::Value::Array(a) => a
                        .iter()
                        .map(|v| {
                            v.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                                err(
                                    line,
                                    Some(key),
                                    format!(
                                        "expected Region codes (strings), found {}",
                                        v.type_str()
                                    ),
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    other => {
                        return Err(err(
                            line,
                            Some(key),
                            format!(
                                "expected a list of Region codes, found {}",
                                other.type_str()
                            ),
                        ));
                    }
                };
                let mut regions = Vec::new();
                for r in list {
                    let r = r.to_ascii_lowercase();
                    if !is_region_code(&r) {
                        return Err(err(
                            line,
                            Some(key),
                            format!("`{r}` is not an AWS Region code (like us-east-1)"),
                        ));
                    }
                    if !regions.contains(&r) {
                        regions.push(r);
                    }
                }
                if regions.is_empty() {
                    return Err(err(line, Some(key), "the list is empty".into()));
                }
                out.regions = Some((regions, line));
            }
            "profile" => {
                let p = string()?;
                if p.trim().is_empty() {
                    return Err(err(line, Some(key), "the profile name is empty".into()));
                }
                out.profile = Some((p, line));
            }
            "timezone" => {
                let z = string()?;
                jiff::tz::TimeZone::get(&z).map_err(|e| {
                    err(
                        line,
                        Some(key),
                        format!(
                            "`{z}` is not an IANA time zone name like UTC or Europe/Berlin: {e}"
                        ),
                    )
                })?;
                out.timezone = Some((z, line));
            }
            "format" => {
                let f = string()?;
                let format = <Format as clap::ValueEnum>::from_str(&f, true).map_err(|_| {
                    err(
                        line,
                        Some(key),
                        format!("`{f}` is not a format (table, csv, json, markdown, html)"),
                    )
                })?;
                out.format = Some((format, line));
            }
            "pricing" | "aliases" | "budgets" => {
                let s = string()?;
                if s.is_empty() {
                    return Err(err(line, Some(key), "the path is empty".into()));
                }
                let p = (resolve_path(path, &s), line);
                match key.as_str() {
                    "pricing" => out.pricing = Some(p),
                    "aliases" => out.aliases = Some(p),
                    _ => out.budgets = Some(p),
                }
            }
            other => {
                return Err(err(
                    line,
                    Some(other),
                    format!("unknown setting (known: {})", KEYS.join(", ")),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads and parses the config file at `path`.
pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        line: 0,
        field: None,
        message: format!("cannot read the config file: {e}"),
    })?;
    parse(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "# mine\nregions = [\"us-east-1\", \"EU-west-1\"]\nprofile = \"prod\"\ntimezone = \"Europe/Berlin\"\nformat = \"html\"\npricing = \"p.toml\"\naliases = \"/etc/a.toml\"\nbudgets = \"b.toml\"\n";

    #[test]
    fn every_setting_is_read_with_its_line() {
        let c = parse(Path::new("/cfg/config.toml"), GOOD).unwrap();
        assert_eq!(
            c.regions,
            Some((vec!["us-east-1".into(), "eu-west-1".into()], 2))
        );
        assert_eq!(c.profile, Some(("prod".into(), 3)));
        assert_eq!(c.timezone, Some(("Europe/Berlin".into(), 4)));
        assert_eq!(c.format, Some((Format::Html, 5)));
        assert_eq!(c.pricing, Some((PathBuf::from("/cfg/p.toml"), 6)));
        assert_eq!(c.aliases, Some((PathBuf::from("/etc/a.toml"), 7)));
        assert_eq!(c.budgets, Some((PathBuf::from("/cfg/b.toml"), 8)));
        let c = parse(Path::new("c.toml"), "regions = \"us-east-1, us-west-2\"").unwrap();
        assert_eq!(c.regions.unwrap().0.len(), 2);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = parse(
            Path::new("c.toml"),
            "profile = \"p\"\n\ntimezone = \"Mars/Olympus\"\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("timezone")));
        assert!(
            e.to_string()
                .starts_with("c.toml:3: field `timezone`: `Mars/Olympus`"),
            "{e}"
        );
        let e = parse(Path::new("c.toml"), "format = \"yaml\"").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("format"));
        let e = parse(Path::new("c.toml"), "\nregions = [\"us-east-1\", 3]").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("regions")));
        let e = parse(Path::new("c.toml"), "\nregions = [\"mars-1\"]").unwrap_err();
        assert!(e.message.contains("mars-1"));
        let e = parse(Path::new("c.toml"), "profile = 3").unwrap_err();
        assert!(
            e.message.contains("expected a string, found integer"),
            "{e}"
        );
        let e = parse(Path::new("c.toml"), "region = \"us-east-1\"").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("region"));
        assert!(e.message.contains("unknown setting"));
        let e = parse(Path::new("c.toml"), "profile = \"a\"\n\n[daily]\nx = 1\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("daily")));
        let e = parse(Path::new("c.toml"), "profile = \"a\"\nformat = \n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, None));
        assert!(e.message.starts_with("not valid TOML"));
    }

    proptest! {
        /// Mutated files never panic; an error always names the file and a line in it.
        #[test]
        fn mutated_files_fail_cleanly(cut in 0usize..200, insert in "[\\[\\]=\"a-z0-9 ,\n#]{0,6}") {
            let mut text = GOOD.to_string();
            let at = (0..=cut.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text.insert_str(at, &insert);
            match parse(Path::new("cfg.toml"), &text) {
                Ok(c) => prop_assert_eq!(c.path, PathBuf::from("cfg.toml")),
                Err(e) => {
                    prop_assert_eq!(&e.file, "cfg.toml");
                    prop_assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1, "line {} of {:?}", e.line, text);
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
            let _ = parse(Path::new("x.toml"), &text);
        }
    }
}
