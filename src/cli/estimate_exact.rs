//! `estimate` with `--exact`, `--calibrate N` or `--calibration FILE`: the hooks the
//! request-input path (`estimate_inputs`) calls, so that file stays about inputs.
//!
//! - `--exact`: every prompt, body and batch record is counted by CountTokens; the exact
//!   count replaces the local input count of each record.
//! - `--calibrate N` (with `--batch`): N records drawn with `--seed` are counted both ways;
//!   the file is then counted locally as usual, and the totals take the sample's exact
//!   counts and scale the rest by the measured mean ratio.
//! - `--calibration FILE`: the totals are scaled by the file's ratio, without calls.

use std::io::{BufRead, Read};
use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;

use super::args::{EstimateArgs, ExactMode};
use super::exact::{self, Session};
use crate::aws::bedrock_runtime::CountBody;
use crate::catalog::Model;
use crate::count_tokens::batch::{self, ExactBatchError};
use crate::count_tokens::body;
use crate::count_tokens::calibrate::Measurement;
use crate::estimate::requests::{RequestCount, Totals};
use crate::estimate::stream::{self, Row, StreamError, StreamOptions};
use crate::export::Document;
use crate::request::{BodyFormat, batch as jsonl};

/// A measurement and where it came from, applied to the totals.
struct Applied {
    measurement: Measurement,
    from: String,
}

/// The estimate's CountTokens and calibration state.
pub struct Exact {
    session: Option<Session>,
    calibrate: Option<(u64, u64)>,
    file: Option<Applied>,
    applied: Vec<Applied>,
    notes: Vec<String>,
}

impl Exact {
    /// Reads the flags; opens a CountTokens session for `--exact` and `--calibrate`.
    pub fn open(args: &EstimateArgs, model: &Model) -> anyhow::Result<Exact> {
        let mut notes = Vec::new();
        let file = exact::load_calibration(args.exact.calibration.as_deref(), model, &mut notes)?
            .map(|c| Applied {
                from: format!(
                    "calibration file {} ({}, seed {})",
                    args.exact
                        .calibration
                        .as_deref()
                        .unwrap_or(Path::new(""))
                        .display(),
                    c.date,
                    c.seed
                ),
                measurement: c.measurement,
            });
        let session = match (args.exact.exact, args.calibrate) {
            (Some(mode), _) => Some(Session::open(mode, &args.exact.api, model)?),
            (None, Some(_)) => Some(Session::open(ExactMode::On, &args.exact.api, model)?),
            (None, None) => None,
        };
        Ok(Exact {
            session,
            calibrate: args.calibrate.map(|n| (n, args.seed)),
            file,
            applied: Vec::new(),
            notes,
        })
    }

    fn exact_mode(&self) -> bool {
        self.calibrate.is_none() && self.session.as_ref().is_some_and(Session::is_exact)
    }

    /// Replaces the local counts of prompts and single files by CountTokens answers.
    /// `singles` are (id, format) as `estimate_inputs` named them: `prompt N` or a path.
    pub fn singles(
        &mut self,
        args: &EstimateArgs,
        singles: &[(String, BodyFormat)],
        counts: &mut [RequestCount],
    ) -> anyhow::Result<()> {
        if !self.exact_mode() || singles.is_empty() {
            return Ok(());
        }
        let mut bodies = Vec::new();
        for (id, format) in singles {
            bodies.push(single_body(args, id, *format)?);
        }
        let session = self.session.as_mut().expect("exact mode has a session");
        if let Some(answers) = session.count(&bodies)? {
            for (((id, _), c), a) in singles.iter().zip(counts.iter_mut()).zip(answers) {
                let n = a.map_err(|reason| anyhow::anyhow!("{id}: {reason}"))?;
                *c = batch::with_exact(c.clone(), n);
            }
        }
        Ok(())
    }

    /// Counts one batch file: exactly, with a calibrating sample, or locally (then scaled
    /// by a calibration file).
    pub fn run_batch(
        &mut self,
        path: &Path,
        input: Box<dyn BufRead + Send>,
        model: &Model,
        opts: &StreamOptions<'_>,
        mut on_chunk: impl FnMut(&[Row], u64) -> anyhow::Result<()>,
    ) -> Result<Totals, StreamError> {
        if self.exact_mode() {
            let mut emitted = false;
            let counter = self
                .session
                .as_mut()
                .and_then(Session::counter)
                .expect("exact mode has a counter");
            let result = batch::exact_run(input, model, counter, opts, |rows, bytes| {
                emitted = true;
                on_chunk(rows, bytes)
            });
            return match result {
                Ok(t) => Ok(t),
                Err(ExactBatchError::Stream(e)) => Err(e),
                Err(ExactBatchError::Exact(e)) => {
                    let session = self.session.as_mut().expect("session");
                    if emitted || path.as_os_str() == "-" {
                        return Err(StreamError::Sink(e.into()));
                    }
                    session.failed(e).map_err(StreamError::Sink)?;
                    let again = reopen(path)?;
                    stream::run(again, model, opts, on_chunk)
                }
            };
        }
        let (sampled, input) = match self.calibrate {
            Some((n, seed)) => {
                if path.as_os_str() == "-" {
                    return Err(StreamError::Sink(anyhow::anyhow!(
                        "--calibrate reads the batch twice (sample, then all): give a file, not stdin"
                    )));
                }
                let counter = self
                    .session
                    .as_mut()
                    .and_then(Session::counter)
                    .expect("--calibrate opens a strict session");
                let s = batch::sample_run(input, model, counter, opts, n as usize, seed).map_err(
                    |e| match e {
                        ExactBatchError::Stream(e) => e,
                        ExactBatchError::Exact(e) => StreamError::Sink(e.into()),
                    },
                )?;
                (Some(s), reopen(path)?)
            }
            None => (None, input),
        };
        let mut totals = stream::run(input, model, opts, on_chunk)?;
        if let Some(s) = sampled {
            let name = path.display();
            for (line, reason) in s.unusable.iter().take(5) {
                self.notes.push(format!(
                    "--calibrate: {name}: sampled line {line} not used: {reason}"
                ));
            }
            match s.measure() {
                Some(m) => {
                    batch::adjust_totals(
                        &mut totals,
                        s.local_sum(),
                        s.exact_sum(),
                        m.ratio_mean,
                        opts.price.output,
                    );
                    self.applied.push(Applied {
                        from: format!(
                            "CountTokens on {} of {} record(s) of {name} (seed {})",
                            m.sample,
                            s.records,
                            self.calibrate.map_or(0, |c| c.1)
                        ),
                        measurement: m,
                    });
                }
                None => self.notes.push(format!(
                    "--calibrate: {name}: no sampled record could be counted both ways: the totals are the local estimate"
                )),
            }
        } else if let Some(f) = &self.file {
            batch::adjust_totals(
                &mut totals,
                0,
                0,
                f.measurement.ratio_mean,
                opts.price.output,
            );
        }
        Ok(totals)
    }

    /// Scales the totals of prompts and single files by a calibration file.
    pub fn scale_singles(
        &self,
        totals: &mut Totals,
        output: crate::estimate::requests::OutputExpectation,
    ) {
        if let Some(f) = &self.file {
            batch::adjust_totals(totals, 0, 0, f.measurement.ratio_mean, output);
        }
    }

    /// Adds what counted the tokens to the document: a summary line, notes and JSON.
    pub fn finish(mut self, doc: &mut Document) {
        if let Some(f) = self.file.take() {
            self.applied.push(f);
        }
        let source = if self.exact_mode() {
            exact::SOURCE_EXACT
        } else if !self.applied.is_empty() {
            exact::SOURCE_CALIBRATED
        } else {
            exact::SOURCE_LOCAL
        };
        if let Some(s) = &mut self.session {
            doc.summary.push(("Counted by".into(), s.describe()));
            doc.notes.append(&mut s.notes);
            doc.json["count_tokens"] = s.json();
        }
        for a in &self.applied {
            doc.summary.push((
                "Calibration".into(),
                format!("{}: {}", a.from, a.measurement.describe()),
            ));
        }
        if let Some(a) = self.applied.last() {
            doc.notes.push(format!(
                "input tokens: the local estimate scaled by the measured exact/local ratio {:.4}; measured band -{:.1}%/+{:.1}% replaces the documented one",
                a.measurement.ratio_mean, a.measurement.minus_pct, a.measurement.plus_pct
            ));
            doc.json["calibration"] = exact::calibration_json(&a.measurement, &a.from);
        }
        doc.notes.append(&mut self.notes);
        if let Some(Value::Object(it)) = doc.json.get_mut("input_tokens") {
            it.insert("source".into(), Value::from(source));
        }
    }
}

/// `--exact` and `--calibration` count requests: with known counts they would do nothing.
pub fn refuse_known_counts(args: &EstimateArgs) -> anyhow::Result<()> {
    if args.exact.exact.is_some() || args.exact.calibration.is_some() {
        return Err(super::ExitError::usage(
            "--exact and --calibration count request inputs: give --prompt, -f, --dir or --batch",
        )
        .into());
    }
    Ok(())
}

fn reopen(path: &Path) -> Result<Box<dyn BufRead + Send>, StreamError> {
    jsonl::open(path).map_err(StreamError::Io)
}

/// The CountTokens body of a prompt or a single file, as `estimate_inputs` read it.
fn single_body(args: &EstimateArgs, id: &str, format: BodyFormat) -> anyhow::Result<CountBody> {
    if let Some(n) = id.strip_prefix("prompt ")
        && let Ok(i) = n.parse::<usize>()
        && let Some(p) = args.prompt.get(i.wrapping_sub(1))
    {
        return Ok(body::from_text(p));
    }
    let path = Path::new(id);
    let mut bytes = Vec::new();
    jsonl::open(path)
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {id}"))?;
    let text = crate::tokenize::utf8_text(id, bytes).map_err(anyhow::Error::msg)?;
    match serde_json::from_str::<Value>(&text) {
        Ok(json) if json.is_object() => {
            body::from_body(&json, format).map_err(|e| anyhow::anyhow!("{id}: {e}"))
        }
        _ => Ok(body::from_text(&text)),
    }
}
