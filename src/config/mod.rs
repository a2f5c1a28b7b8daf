//! The config file and where each effective setting comes from.
//!
//! Precedence, for every setting: **command-line flag > environment variable > config file >
//! default**. The file is `BEDROCK_METER_CONFIG` when set (empty: no file), else
//! `config.toml` in the platform's config folder (`~/.config/bedrock-meter/config.toml` on
//! Linux, `~/Library/Application Support/bedrock-meter/config.toml` on macOS,
//! `%APPDATA%\bedrock-meter\config.toml` on Windows). A missing file at the default place is
//! no error; a missing `BEDROCK_METER_CONFIG` file is.
//!
//! The command line reads the flags and environment (clap knows which a value came from);
//! this module only parses the file ([`file`]) and records origins ([`Origin`]).

pub mod file;

use std::path::{Path, PathBuf};

pub use file::{ConfigError, ConfigFile};

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "BEDROCK_METER_CONFIG";

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag (its name, like `--timezone`).
    Flag(&'static str),
    /// An environment variable (its name).
    Env(&'static str),
    /// The config file, at this line.
    File(PathBuf, usize),
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "flag {name}"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File(path, line) => write!(f, "file {}:{line}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// An effective value and its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// Picks a value by precedence: `given` (a flag or environment variable, with its origin)
/// beats the file's value (with its line), which beats `default`.
pub fn pick<T>(
    given: Option<(T, Origin)>,
    from_file: Option<(T, usize)>,
    file: Option<&Path>,
    default: T,
) -> Setting<T> {
    match (given, from_file, file) {
        (Some((value, origin)), _, _) => Setting { value, origin },
        (None, Some((value, line)), Some(path)) => Setting {
            value,
            origin: Origin::File(path.to_path_buf(), line),
        },
        _ => Setting {
            value: default,
            origin: Origin::Default,
        },
    }
}

/// Where the config file is looked for (`None`: `BEDROCK_METER_CONFIG` is empty, or there is
/// no config folder), and whether it was named explicitly.
pub fn location(env: impl Fn(&str) -> Option<String>) -> Option<(PathBuf, bool)> {
    match env(CONFIG_ENV) {
        Some(p) if p.is_empty() => None,
        Some(p) => Some((PathBuf::from(p), true)),
        None => dirs::config_dir().map(|d| (d.join("bedrock-meter").join("config.toml"), false)),
    }
}

/// Loads the config file: `Ok(None)` when there is none (not configured, or absent at the
/// default place).
pub fn load(env: impl Fn(&str) -> Option<String>) -> Result<Option<ConfigFile>, ConfigError> {
    match location(env) {
        None => Ok(None),
        Some((path, false)) if !path.exists() => Ok(None),
        Some((path, _)) => file::read(&path).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_flag_env_file_default() {
        let f = Some(Path::new("/c.toml"));
        let s = pick(Some((1, Origin::Flag("--x"))), Some((2, 3)), f, 0);
        assert_eq!((s.value, s.origin), (1, Origin::Flag("--x")));
        let s = pick(Some((1, Origin::Env("X"))), Some((2, 3)), f, 0);
        assert_eq!(s.origin.to_string(), "env X");
        let s = pick(None, Some((2, 3)), f, 0);
        assert_eq!(
            (s.value, s.origin.to_string()),
            (2, "file /c.toml:3".to_string())
        );
        let s = pick(None, None, f, 0);
        assert_eq!((s.value, s.origin), (0, Origin::Default));
    }

    #[test]
    fn location_and_missing_files() {
        assert_eq!(location(|_| Some(String::new())), None);
        assert_eq!(
            location(|_| Some("/x/c.toml".into())),
            Some((PathBuf::from("/x/c.toml"), true))
        );
        let missing = "/nonexistent/bedrock-meter-config.toml".to_string();
        let e = load(|_| Some(missing.clone())).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{missing}: cannot read the config file")),
            "{e}"
        );
    }
}
