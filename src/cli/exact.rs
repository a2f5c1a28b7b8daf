//! `--exact`, `--exact=auto` and `--calibration FILE` for `count` and `estimate`: one
//! session of CountTokens calls per command, with the fallback and the notes.

use std::path::Path;

use serde_json::json;

use super::args::{CountTokensArgs, ExactArgs, ExactMode};
use crate::aws::AwsOptions;
use crate::aws::bedrock_runtime::CountBody;
use crate::catalog::Model;
use crate::count_tokens::calibrate::CalibrationFile;
use crate::count_tokens::{Answer, CallStats, ExactCounter, ExactError, ExactSettings};

/// What counted the tokens, as JSON says it (`source`).
pub const SOURCE_EXACT: &str = "count-tokens";
pub const SOURCE_LOCAL: &str = "local";
pub const SOURCE_CALIBRATED: &str = "local-calibrated";

/// CountTokens settings from the command line.
pub fn settings(api: &CountTokensArgs) -> ExactSettings {
    ExactSettings {
        aws: AwsOptions {
            profile: api.profile.clone(),
            max_attempts: api.max_attempts,
            ..AwsOptions::default()
        },
        region: api.count_region.clone(),
        concurrency: api.concurrency as usize,
        per_second: api.rate,
        cache: !api.no_cache,
    }
}

/// A command's CountTokens session: the counter, or (with `--exact=auto`) why the local
/// estimate is used instead.
pub struct Session {
    mode: ExactMode,
    counter: Option<ExactCounter>,
    pub notes: Vec<String>,
    stats: CallStats,
}

impl Session {
    /// Opens a session for `model` (its catalog ID is the bare model: profile IDs are
    /// already resolved). Errors only without `auto`.
    pub fn open(mode: ExactMode, api: &CountTokensArgs, model: &Model) -> anyhow::Result<Session> {
        let mut s = Session {
            mode,
            counter: None,
            notes: Vec::new(),
            stats: CallStats::default(),
        };
        match ExactCounter::new(&settings(api), &model.id) {
            Ok(c) => s.counter = Some(c),
            Err(e) => s.fall_back(e)?,
        }
        Ok(s)
    }

    /// Starts a session if `--exact` was given.
    pub fn from_args(args: &ExactArgs, model: &Model) -> anyhow::Result<Option<Session>> {
        match args.exact {
            Some(mode) => Session::open(mode, &args.api, model).map(Some),
            None => Ok(None),
        }
    }

    fn fall_back(&mut self, e: ExactError) -> anyhow::Result<()> {
        if let Some(c) = self.counter.take() {
            self.stats = c.stats();
        }
        match self.mode {
            ExactMode::On => Err(e.into()),
            ExactMode::Auto => {
                self.notes.push(format!(
                    "--exact=auto: local estimate instead of CountTokens: {e}"
                ));
                Ok(())
            }
        }
    }

    /// Whether counts come from CountTokens (so far).
    pub fn is_exact(&self) -> bool {
        self.counter.is_some()
    }

    /// Counts the bodies; `None` when the session fell back to the local estimate.
    pub fn count(&mut self, bodies: &[CountBody]) -> anyhow::Result<Option<Vec<Answer>>> {
        let Some(c) = self.counter.as_mut() else {
            return Ok(None);
        };
        match c.count_all(bodies) {
            Ok(a) => Ok(Some(a)),
            Err(e) => {
                self.fall_back(e)?;
                Ok(None)
            }
        }
    }

    /// The counter, while exact.
    pub fn counter(&mut self) -> Option<&mut ExactCounter> {
        self.counter.as_mut()
    }

    /// Falls back after a failure of a caller that used [`Session::counter`] directly.
    pub fn failed(&mut self, e: ExactError) -> anyhow::Result<()> {
        self.fall_back(e)
    }

    pub fn stats(&self) -> CallStats {
        self.counter.as_ref().map_or(self.stats, |c| c.stats())
    }

    /// One line for a summary: where the counts came from and what they cost in calls.
    pub fn describe(&self) -> String {
        let s = self.stats();
        match &self.counter {
            Some(c) => format!(
                "Bedrock CountTokens ({} in {}): {} call(s), {} from the cache",
                c.model_id(),
                c.region(),
                s.calls,
                s.cached
            ),
            None => "local estimate (CountTokens not used, see notes)".to_string(),
        }
    }

    /// The JSON `count_tokens` object of a result.
    pub fn json(&self) -> serde_json::Value {
        let s = self.stats();
        json!({
            "used": self.is_exact(),
            "model_id": self.counter.as_ref().map(|c| c.model_id().to_string()),
            "region": self.counter.as_ref().map(|c| c.region().to_string()),
            "calls": s.calls,
            "cached": s.cached,
        })
    }
}

/// Reads `--calibration FILE` for `model`: its family must be the model's.
pub fn load_calibration(
    path: Option<&Path>,
    model: &Model,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<CalibrationFile>> {
    let Some(path) = path else { return Ok(None) };
    let cal = CalibrationFile::load(path)?;
    if cal.family != model.tokenizer {
        anyhow::bail!(
            "{}: measured for tokenizer family `{}` ({}), but {} counts with `{}`",
            path.display(),
            cal.family,
            cal.model,
            model.id,
            model.tokenizer
        );
    }
    if cal.model != model.id {
        notes.push(format!(
            "calibration {} was measured on {}, applied to {} (same tokenizer family `{}`)",
            path.display(),
            cal.model,
            model.id,
            cal.family
        ));
    }
    notes.push(format!(
        "local counts scaled by the calibration of {} ({}, {} records): {}",
        path.display(),
        cal.date,
        cal.measurement.sample,
        cal.measurement.describe()
    ));
    Ok(Some(cal))
}

/// The JSON of a calibration in a result.
pub fn calibration_json(
    m: &crate::count_tokens::calibrate::Measurement,
    from: &str,
) -> serde_json::Value {
    json!({
        "from": from,
        "sample": m.sample,
        "ratio_mean": m.ratio_mean,
        "ratio_sd": m.ratio_sd,
        "ratio_min": m.ratio_min,
        "ratio_max": m.ratio_max,
        "error_band": m.band(),
    })
}
