//! Reading spanned TOML values of a workload file into exact numbers, recording each problem
//! as a [`Diagnostic`] with its file, line and field.

use std::ops::RangeInclusive;
use std::str::FromStr;

use rust_decimal::Decimal;
use toml::Spanned;

use crate::catalog::diagnostic::{Diagnostic, LineIndex, Severity};

/// Collects the diagnostics of one workload file.
pub struct Checker<'a> {
    pub file: &'a str,
    lines: LineIndex,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new(file: &'a str, text: &str) -> Self {
        Checker {
            file,
            lines: LineIndex::new(text),
            diags: Vec::new(),
        }
    }

    pub fn line_at(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    pub fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.line_at(s.span().start)
    }

    pub fn error(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            file: self.file.to_string(),
            line,
            field: (!field.is_empty()).then(|| field.to_string()),
            message: message.into(),
        });
    }

    pub fn error_count(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// A string value.
    pub fn text(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<String> {
        match v.get_ref() {
            toml::Value::String(s) => Some(s.trim().to_string()),
            other => {
                let line = self.line(v);
                self.error(
                    line,
                    field,
                    format!("expected a string, found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// A number, exact: integers, strings (`"0.05"`) and floats as written (`0.05` is read
    /// from its shortest decimal spelling, so it stays exactly 0.05).
    pub fn decimal(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Decimal> {
        let line = self.line(v);
        let parsed = match v.get_ref() {
            toml::Value::Integer(i) => Ok(Decimal::from(*i)),
            toml::Value::Float(f) if f.is_finite() => {
                Decimal::from_str(&f.to_string()).map_err(|_| f.to_string())
            }
            toml::Value::Float(f) => Err(f.to_string()),
            toml::Value::String(s) => Decimal::from_str(s.trim()).map_err(|_| format!("`{s}`")),
            other => {
                self.error(
                    line,
                    field,
                    format!("expected a number, found {}", other.type_str()),
                );
                return None;
            }
        };
        match parsed {
            Ok(d) => Some(d),
            Err(text) => {
                self.error(line, field, format!("{text} is not a decimal number"));
                None
            }
        }
    }

    /// A number that must not be negative.
    pub fn non_negative(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Decimal> {
        let d = self.decimal(v, field)?;
        if d.is_sign_negative() && !d.is_zero() {
            let line = self.line(v);
            self.error(line, field, format!("must not be negative, got {d}"));
            return None;
        }
        Some(d)
    }

    /// A number that must be greater than zero.
    pub fn positive(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Decimal> {
        let d = self.decimal(v, field)?;
        if d <= Decimal::ZERO {
            let line = self.line(v);
            let why = if d.is_zero() {
                "must be greater than zero".to_string()
            } else {
                format!("must not be negative, got {d}")
            };
            self.error(line, field, why);
            return None;
        }
        Some(d)
    }

    /// A fraction from 0 to 1 inclusive (`0.25` is 25%).
    pub fn fraction(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Decimal> {
        let d = self.decimal(v, field)?;
        if d < Decimal::ZERO || d > Decimal::ONE {
            let line = self.line(v);
            let hint = if d > Decimal::ONE && d <= Decimal::ONE_HUNDRED {
                format!(
                    " (if you meant {d}%, write {})",
                    (d / Decimal::ONE_HUNDRED).normalize()
                )
            } else {
                String::new()
            };
            self.error(
                line,
                field,
                format!("{d} is out of range: give a fraction from 0 to 1{hint}"),
            );
            return None;
        }
        Some(d)
    }

    /// A whole number (tokens, months, capacity) within `range`.
    pub fn whole(
        &mut self,
        v: &Spanned<toml::Value>,
        field: &str,
        range: RangeInclusive<u64>,
    ) -> Option<u64> {
        let line = self.line(v);
        match v.get_ref() {
            toml::Value::Integer(i) => match u64::try_from(*i) {
                Ok(n) if range.contains(&n) => Some(n),
                Ok(n) if n < *range.start() => {
                    let min = range.start();
                    self.error(line, field, format!("must be at least {min}, got {n}"));
                    None
                }
                Ok(n) => {
                    let max = range.end();
                    self.error(line, field, format!("{n} is out of range: at most {max}"));
                    None
                }
                Err(_) => {
                    self.error(line, field, format!("must not be negative, got {i}"));
                    None
                }
            },
            other => {
                self.error(
                    line,
                    field,
                    format!("expected a whole number, found {}", other.type_str()),
                );
                None
            }
        }
    }
}
