//! Calibration: how far the local estimate is from CountTokens on *your* requests.
//!
//! For each sampled record `i` the local count `lᵢ` (the estimate `estimate` would make:
//! tokenizer family, chat template, images) and the exact count `eᵢ` give a ratio
//! `rᵢ = eᵢ / lᵢ`. The measurement is their mean `r̄`, standard deviation and extremes;
//! local counts are then scaled by `r̄`, and the *measured band* replaces the documented one:
//! `−(1 − min rᵢ / r̄)` to `+(max rᵢ / r̄ − 1)`, in percent — the worst record of the sample,
//! so a sum of many records is usually much closer than the band says. Records with a local
//! count of 0 have no ratio and are left out (counted in `skipped`).
//!
//! A measurement can be written to a small TOML file (`tokenizer calibrate --write FILE`)
//! with its date and sample size, and read back by `--calibration FILE`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::tokenize::ErrorBand;

/// What a sample measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Records with both counts (and a local count above 0).
    pub sample: u64,
    /// Records left out: local count 0.
    pub skipped: u64,
    pub ratio_mean: f64,
    /// Population standard deviation of the ratios.
    pub ratio_sd: f64,
    pub ratio_min: f64,
    pub ratio_max: f64,
    /// The measured band, percent below and above the scaled count.
    pub minus_pct: f64,
    pub plus_pct: f64,
    pub local_total: u64,
    pub exact_total: u64,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Measures `(local, exact)` pairs; `None` when no pair has a local count above 0.
pub fn measure(pairs: &[(u64, u64)]) -> Option<Measurement> {
    let ratios: Vec<f64> = pairs
        .iter()
        .filter(|(l, _)| *l > 0)
        .map(|(l, e)| *e as f64 / *l as f64)
        .collect();
    if ratios.is_empty() {
        return None;
    }
    let n = ratios.len() as f64;
    let mean = ratios.iter().sum::<f64>() / n;
    let var = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n;
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Measurement {
        sample: ratios.len() as u64,
        skipped: (pairs.len() - ratios.len()) as u64,
        ratio_mean: mean,
        ratio_sd: var.sqrt(),
        ratio_min: min,
        ratio_max: max,
        minus_pct: round((1.0 - min / mean) * 100.0, 1).max(0.0),
        plus_pct: round((max / mean - 1.0) * 100.0, 1).max(0.0),
        local_total: pairs.iter().map(|p| p.0).sum(),
        exact_total: pairs.iter().map(|p| p.1).sum(),
    })
}

impl Measurement {
    /// The band to report for counts scaled by this measurement.
    pub fn band(&self) -> ErrorBand {
        ErrorBand {
            minus_pct: self.minus_pct,
            plus_pct: self.plus_pct,
            measured: true,
        }
    }

    /// A local count scaled by the mean ratio.
    pub fn scale(&self, local: u64) -> u64 {
        (local as f64 * self.ratio_mean).round() as u64
    }

    /// One line for a summary: ratio, spread, band and sample size.
    pub fn describe(&self) -> String {
        format!(
            "exact/local = {:.4} (sd {:.4}, min {:.4}, max {:.4}) over {} record(s); band -{:.1}%/+{:.1}% (measured)",
            self.ratio_mean,
            self.ratio_sd,
            self.ratio_min,
            self.ratio_max,
            self.sample,
            self.minus_pct,
            self.plus_pct
        )
    }
}

/// Schema version of calibration files.
pub const SCHEMA: u32 = 1;

/// A calibration file: a measurement and what it was measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationFile {
    pub schema: u32,
    /// The bare model the exact counts came from.
    pub model: String,
    /// Its local tokenizer family (the counts the ratio applies to).
    pub family: String,
    /// The day of the measurement (YYYY-MM-DD).
    pub date: String,
    /// How the sample was drawn, and from which files.
    pub source: String,
    pub seed: u64,
    /// The numbers (a `[measurement]` table).
    pub measurement: Measurement,
}

/// Why a calibration file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct CalibrationError {
    pub file: String,
    pub reason: String,
}

impl CalibrationFile {
    /// The file's TOML text, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("calibration serializes");
        format!(
            "# bedrock-meter tokenizer calibration: local counts of `family` x ratio_mean = CountTokens\n# counts of `model`, measured on `sample` records; use with --calibration FILE.\n{body}"
        )
    }

    /// Parses and checks a calibration file's text; errors name the file and the field.
    pub fn parse(file: &str, text: &str) -> Result<CalibrationFile, CalibrationError> {
        let err = |reason: String| CalibrationError {
            file: file.to_string(),
            reason,
        };
        let c: CalibrationFile =
            toml::from_str(text).map_err(|e| err(e.to_string().trim().replace('\n', " ")))?;
        if c.schema != SCHEMA {
            return Err(err(format!("schema: expected {SCHEMA}, got {}", c.schema)));
        }
        let m = &c.measurement;
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(err(format!("{name}: expected a positive number, got {v}")))
            }
        };
        positive("ratio_mean", m.ratio_mean)?;
        positive("ratio_min", m.ratio_min)?;
        positive("ratio_max", m.ratio_max)?;
        for (name, v) in [
            ("ratio_sd", m.ratio_sd),
            ("minus_pct", m.minus_pct),
            ("plus_pct", m.plus_pct),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(err(format!("{name}: expected a number ≥ 0, got {v}")));
            }
        }
        if m.ratio_min > m.ratio_mean || m.ratio_mean > m.ratio_max {
            return Err(err(format!(
                "ratio_mean: {} is not between ratio_min {} and ratio_max {}",
                m.ratio_mean, m.ratio_min, m.ratio_max
            )));
        }
        if m.sample == 0 {
            return Err(err("sample: a calibration needs at least one record".into()));
        }
        if !crate::tokenize::is_family(&c.family) {
            return Err(err(format!(
                "family: unknown tokenizer family `{}`",
                c.family
            )));
        }
        Ok(c)
    }

    /// Reads and checks a calibration file.
    pub fn load(path: &Path) -> Result<CalibrationFile, CalibrationError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CalibrationError {
            file: name.clone(),
            reason: format!("cannot read: {e}"),
        })?;
        CalibrationFile::parse(&name, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_ratio_has_no_spread() {
        let m = measure(&[(100, 110), (200, 220), (0, 5)]).unwrap();
        assert!((m.ratio_mean - 1.1).abs() < 1e-12);
        assert!(m.ratio_sd.abs() < 1e-12);
        assert_eq!((m.minus_pct, m.plus_pct), (0.0, 0.0));
        assert_eq!((m.sample, m.skipped), (2, 1));
        assert_eq!(m.scale(1000), 1100);
        assert!(measure(&[(0, 3)]).is_none());
        assert!(measure(&[]).is_none());
    }

    #[test]
    fn the_band_is_the_worst_record_around_the_mean() {
        // Ratios 0.9, 1.0, 1.1 → mean 1.0, band −10%/+10%, sd √(0.02/3).
        let m = measure(&[(100, 90), (100, 100), (100, 110)]).unwrap();
        assert!((m.ratio_mean - 1.0).abs() < 1e-12);
        assert_eq!((m.minus_pct, m.plus_pct), (10.0, 10.0));
        assert!((m.ratio_sd - (0.02f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!((m.local_total, m.exact_total), (300, 300));
    }

    fn file() -> CalibrationFile {
        CalibrationFile {
            schema: SCHEMA,
            model: "anthropic.claude-3-5-haiku-20241022-v1:0".into(),
            family: "claude".into(),
            date: "2026-12-02".into(),
            source: "test".into(),
            seed: 1,
            measurement: measure(&[(100, 104), (50, 51)]).unwrap(),
        }
    }

    #[test]
    fn a_written_file_reads_back() {
        let f = file();
        let text = f.to_toml();
        assert_eq!(CalibrationFile::parse("c.toml", &text).unwrap(), f);
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let text = file().to_toml().replace("schema = 1", "schema = 2");
        let e = CalibrationFile::parse("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml: schema"), "{e}");
        let text = file()
            .to_toml()
            .replace("family = \"claude\"", "family = \"klingon\"");
        let e = CalibrationFile::parse("c.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("family"), "{e}");
        let e = CalibrationFile::parse("c.toml", "schema = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml: ") && e.contains("missing field"),
            "{e}"
        );
    }

    fn cases() -> u32 {
        std::env::var("BEDROCK_METER_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases()))]

        /// Any text is read or refused with an error that names the file; none panics.
        #[test]
        fn any_text_is_parsed_or_refused_naming_the_file(text in "(?s).{0,400}") {
            if let Err(e) = CalibrationFile::parse("any.toml", &text) {
                proptest::prop_assert!(e.to_string().starts_with("any.toml: "));
            }
        }

        /// A valid file with text cut out and other text put in: read, or refused naming the
        /// file; a file that reads has checked numbers.
        #[test]
        fn mutated_files_are_read_or_refused(
            at in 0usize..1000,
            cut in 0usize..40,
            insert in "[ -~\n]{0,20}",
        ) {
            let valid = file().to_toml();
            let boundary = |mut i: usize| {
                while !valid.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let at = boundary(at % valid.len());
            let end = boundary((at + cut).min(valid.len()));
            let text = format!("{}{insert}{}", &valid[..at], &valid[end..]);
            match CalibrationFile::parse("m.toml", &text) {
                Ok(c) => {
                    let m = &c.measurement;
                    proptest::prop_assert!(m.ratio_mean.is_finite() && m.ratio_mean > 0.0);
                    proptest::prop_assert!(m.ratio_min <= m.ratio_mean && m.ratio_mean <= m.ratio_max);
                    proptest::prop_assert!(m.sample > 0);
                }
                Err(e) => proptest::prop_assert!(e.to_string().starts_with("m.toml: ")),
            }
        }
    }
}
