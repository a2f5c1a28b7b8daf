//! The batch-jobs view: for each batch inference job, what it **really** consumed (its
//! manifest's token counts, priced at the batch rates of its Region) next to what a local
//! **estimate** of the same input says — the check that tells a team whether to trust the
//! tokenizer bands and the `--output-ratio` guess for the next, bigger job.
//!
//! Differences are *estimate − actual*: positive when the estimate was too high. Percent is
//! of the actual value, exact decimals rounded half away from zero to 2 places; none when
//! the actual value is zero or unknown. A job without a manifest (still running, or one that
//! cannot be read) has no actual columns and says why; a model or Region without a batch
//! price has no cost and is listed as unpriced — never a silent $0.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::json;

use crate::catalog::Mode;
use crate::estimate::{ModeSelection, Usage, estimate};
use crate::export::{Cell, Document, Table};
use crate::money;
use crate::records::{BatchJobRecord, InputEstimate, ManifestState};
use crate::resolve::Resolver;

/// A job and, when asked, the local estimate of its input (or why there is none).
#[derive(Debug, Clone)]
pub struct JobInput {
    pub job: BatchJobRecord,
    /// `None`: not asked (`--no-estimate`); `Some(Err)`: the input could not be counted.
    pub estimate: Option<Result<InputEstimate, String>>,
}

/// Tokens and cost of one side (actual or estimate).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Side {
    pub records: Option<u64>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// At the batch rates; `None` when unpriced or the tokens are unknown.
    #[serde(serialize_with = "opt_number")]
    pub batch_cost_usd: Option<Decimal>,
}

/// Estimate − actual, in units and percent of the actual.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Difference {
    pub input_tokens: Option<i128>,
    #[serde(serialize_with = "opt_number")]
    pub input_pct: Option<Decimal>,
    pub output_tokens: Option<i128>,
    #[serde(serialize_with = "opt_number")]
    pub output_pct: Option<Decimal>,
    #[serde(serialize_with = "opt_number")]
    pub cost_usd: Option<Decimal>,
    #[serde(serialize_with = "opt_number")]
    pub cost_pct: Option<Decimal>,
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub job: BatchJobRecord,
    /// The catalog model the job's model resolved to.
    pub resolved_model: Option<String>,
    pub actual: Side,
    pub estimate: Side,
    pub difference: Difference,
    /// How the estimate's output tokens were set (ceiling, output-ratio, output-tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_output_from: Option<String>,
    /// Whether every estimated input count is exact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate_exact: Option<bool>,
    /// Why a column is empty (no manifest yet, unreadable manifest, unpriced, …).
    pub notes: Vec<String>,
}

/// An optional decimal as an exact JSON number, or null.
fn opt_number<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => money::serialize_number(d, s),
        None => s.serialize_none(),
    }
}

/// The report over a set of jobs.
#[derive(Debug, Clone, Serialize)]
pub struct BatchJobsReport {
    #[serde(rename = "jobs")]
    pub rows: Vec<JobRow>,
    /// Jobs with both an actual and an estimated cost: the ones the sums cover.
    pub compared_jobs: usize,
    /// Actual batch cost of the compared jobs.
    #[serde(serialize_with = "money::serialize_number")]
    pub actual_batch_usd: Decimal,
    /// Estimated batch cost of the same jobs.
    #[serde(serialize_with = "money::serialize_number")]
    pub estimated_batch_usd: Decimal,
    /// `JOB: what` for every cost left out of the sums.
    pub unpriced: Vec<String>,
}

fn pct(diff: Decimal, of: Decimal) -> Option<Decimal> {
    (!of.is_zero()).then(|| {
        (diff * Decimal::from(100) / of)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    })
}

fn token_diff(est: Option<u64>, actual: Option<u64>) -> (Option<i128>, Option<Decimal>) {
    match (est, actual) {
        (Some(e), Some(a)) => {
            let d = e as i128 - a as i128;
            (Some(d), pct(Decimal::from(d), Decimal::from(a)))
        }
        _ => (None, None),
    }
}

/// Batch cost of `input`/`output` tokens over `requests`; `Err` lists what is unpriced.
fn batch_cost(
    resolver: &Resolver<'_>,
    model: &str,
    region: &str,
    as_of: jiff::civil::Date,
    requests: u64,
    input: u64,
    output: u64,
) -> Result<(String, Decimal), String> {
    let resolved = resolver.resolve(model).map_err(|e| e.to_string())?;
    let usage = Usage {
        requests: requests.max(1),
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    };
    let est = estimate(
        &resolved,
        region,
        as_of,
        &usage,
        &ModeSelection::Only(vec![Mode::Batch]),
    );
    match est.mode(Mode::Batch) {
        Some(m) if m.complete => Ok((resolved.model.id.clone(), m.total_usd)),
        _ => Err(format!(
            "{} has no complete batch price in {region}{}",
            resolved.model.id,
            if est.unpriced.is_empty() {
                String::new()
            } else {
                format!(" ({})", est.unpriced.join(", "))
            }
        )),
    }
}

/// Prices and compares every job. `as_of`: the prices' date (default: each job's submit
/// day, UTC).
pub fn batch_jobs(
    inputs: &[JobInput],
    resolver: &Resolver<'_>,
    as_of: Option<jiff::civil::Date>,
) -> BatchJobsReport {
    let mut rows = Vec::new();
    let mut unpriced = Vec::new();
    let (mut actual_total, mut estimated_total) = (Decimal::ZERO, Decimal::ZERO);
    let mut compared = 0;
    for input in inputs {
        let job = &input.job;
        let day = as_of.unwrap_or_else(|| job.submitted.to_zoned(jiff::tz::TimeZone::UTC).date());
        let mut notes = Vec::new();
        let mut resolved_model = resolver
            .resolve(&job.model_id)
            .map(|r| r.model.id.clone())
            .map_err(|e| notes.push(format!("model: {e}")))
            .ok();
        let mut actual = Side::default();
        match &job.manifest {
            ManifestState::Read { manifest: m, .. } => {
                actual.records = Some(m.processed_records);
                actual.input_tokens = m.input_tokens;
                actual.output_tokens = m.output_tokens;
                if m.input_tokens.is_none() || m.output_tokens.is_none() {
                    notes.push("the manifest has no token counts".into());
                }
            }
            ManifestState::NotYet => notes.push(format!("{}: no manifest yet", job.status)),
            ManifestState::Unreadable { reason, .. } => notes.push(reason.clone()),
        }
        let mut price = |side: &mut Side, what: &str| {
            let (Some(i), Some(o)) = (side.input_tokens, side.output_tokens) else {
                return;
            };
            match batch_cost(
                resolver,
                &job.model_id,
                &job.region,
                day,
                side.records.unwrap_or(1),
                i,
                o,
            ) {
                Ok((model, usd)) => {
                    resolved_model.get_or_insert(model);
                    side.batch_cost_usd = Some(usd);
                }
                Err(e) => {
                    let line = format!("{}: {what} cost unpriced: {e}", job.name);
                    if !unpriced.contains(&line) {
                        unpriced.push(line);
                    }
                }
            }
        };
        price(&mut actual, "actual");
        let mut est = Side::default();
        let (mut output_from, mut exact) = (None, None);
        match &input.estimate {
            Some(Ok(e)) => {
                est.records = Some(e.records);
                est.input_tokens = Some(e.input_tokens);
                est.output_tokens = Some(e.output_tokens);
                output_from = Some(e.output_from.clone());
                exact = Some(e.exact);
                if e.failed_records > 0 {
                    notes.push(format!(
                        "{} input record(s) could not be counted",
                        e.failed_records
                    ));
                }
                price(&mut est, "estimated");
            }
            Some(Err(e)) => notes.push(format!("no estimate: {e}")),
            None => {}
        }
        let (input_tokens, input_pct) = token_diff(est.input_tokens, actual.input_tokens);
        let (output_tokens, output_pct) = token_diff(est.output_tokens, actual.output_tokens);
        let (cost_usd, cost_pct) = match (est.batch_cost_usd, actual.batch_cost_usd) {
            (Some(e), Some(a)) => {
                compared += 1;
                actual_total += a;
                estimated_total += e;
                (Some(e - a), pct(e - a, a))
            }
            _ => (None, None),
        };
        rows.push(JobRow {
            job: job.clone(),
            resolved_model,
            actual,
            estimate: est,
            difference: Difference {
                input_tokens,
                input_pct,
                output_tokens,
                output_pct,
                cost_usd,
                cost_pct,
            },
            estimate_output_from: output_from,
            estimate_exact: exact,
            notes,
        });
    }
    BatchJobsReport {
        rows,
        compared_jobs: compared,
        actual_batch_usd: actual_total,
        estimated_batch_usd: estimated_total,
        unpriced,
    }
}

fn int(n: Option<u64>) -> Cell {
    n.map(Cell::Int).unwrap_or(Cell::Empty)
}

fn signed(n: Option<i128>) -> Cell {
    n.map(|n| Cell::Number(Decimal::from(n)))
        .unwrap_or(Cell::Empty)
}

fn number(n: Option<Decimal>) -> Cell {
    n.map(Cell::Number).unwrap_or(Cell::Empty)
}

fn usd(n: Option<Decimal>) -> Cell {
    n.map(Cell::Money).unwrap_or(Cell::Empty)
}

/// The table columns, in order.
pub const COLUMNS: &[&str] = &[
    "job",
    "region",
    "model",
    "status",
    "records",
    "input_tokens",
    "output_tokens",
    "batch_cost_usd",
    "est_input_tokens",
    "est_output_tokens",
    "est_batch_cost_usd",
    "input_diff_tokens",
    "input_diff_pct",
    "output_diff_tokens",
    "output_diff_pct",
    "cost_diff_pct",
    "note",
];

/// Lays the report out: one row per job; `header` facts go to the summary and the JSON.
// `..Default::default()` keeps this building when `Document` gains fields.
pub fn document(
    report: &BatchJobsReport,
    header: Vec<(String, String)>,
    json_header: serde_json::Value,
    mut notes: Vec<String>,
) -> Document {
    let mut table = Table::new(COLUMNS);
    for r in &report.rows {
        table.push(vec![
            Cell::Text(r.job.name.clone()),
            Cell::Text(r.job.region.clone()),
            Cell::Text(
                r.resolved_model
                    .clone()
                    .unwrap_or_else(|| r.job.model_id.clone()),
            ),
            Cell::Text(r.job.status.clone()),
            int(r.actual.records.or(r.estimate.records)),
            int(r.actual.input_tokens),
            int(r.actual.output_tokens),
            usd(r.actual.batch_cost_usd),
            int(r.estimate.input_tokens),
            int(r.estimate.output_tokens),
            usd(r.estimate.batch_cost_usd),
            signed(r.difference.input_tokens),
            number(r.difference.input_pct),
            signed(r.difference.output_tokens),
            number(r.difference.output_pct),
            number(r.difference.cost_pct),
            Cell::Text(r.notes.join("; ")),
        ]);
    }
    let mut summary = header;
    let with_manifest = report
        .rows
        .iter()
        .filter(|r| r.job.manifest.manifest().is_some())
        .count();
    summary.push((
        "Jobs".into(),
        format!("{} ({} with a manifest)", report.rows.len(), with_manifest),
    ));
    summary.push((
        "Compared".into(),
        format!(
            "{} job(s) with an actual and an estimated cost: actual {} vs estimate {}",
            report.compared_jobs,
            money::usd(report.actual_batch_usd),
            money::usd(report.estimated_batch_usd)
        ),
    ));
    if !report.unpriced.is_empty() {
        notes.push(format!(
            "unpriced (not counted in any total): {}",
            report.unpriced.join("; ")
        ));
    }
    let mut json = json_header;
    if let (serde_json::Value::Object(m), serde_json::Value::Object(r)) = (
        &mut json,
        serde_json::to_value(report).expect("the report serializes"),
    ) {
        m.extend(r);
        m.insert("with_manifest".into(), json!(with_manifest));
        m.insert("notes".into(), json!(notes));
    }
    Document {
        title: Some("Batch inference jobs: actual vs estimate".into()),
        summary,
        table,
        notes,
        json,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::records::Manifest;
    use crate::resolve::Aliases;

    fn job(model: &str, region: &str, manifest: ManifestState) -> BatchJobRecord {
        BatchJobRecord {
            arn: "arn:aws:bedrock:us-east-1:111122223333:model-invocation-job/j1".into(),
            id: "j1".into(),
            name: "j1".into(),
            region: region.into(),
            model_id: model.into(),
            status: "Completed".into(),
            message: None,
            submitted: "2026-11-02T10:00:00Z".parse().unwrap(),
            ended: None,
            input_s3_uri: None,
            output_s3_uri: None,
            manifest,
        }
    }

    fn read(input: u64, output: u64) -> ManifestState {
        ManifestState::Read {
            uri: "s3://b/out/j1/manifest.json.out".into(),
            manifest: Manifest {
                total_records: 4,
                processed_records: 4,
                success_records: 4,
                error_records: 0,
                input_tokens: Some(input),
                output_tokens: Some(output),
            },
        }
    }

    fn estimate(input: u64, output: u64) -> Option<Result<InputEstimate, String>> {
        Some(Ok(InputEstimate {
            records: 4,
            failed_records: 0,
            input_tokens: input,
            output_tokens: output,
            output_from: "output-ratio".into(),
            exact: false,
        }))
    }

    #[test]
    fn differences_are_estimate_minus_actual_in_percent_of_actual() {
        assert_eq!(
            token_diff(Some(1000), Some(1200)),
            (Some(-200), Some(Decimal::new(-1667, 2)))
        );
        assert_eq!(token_diff(Some(5), Some(0)), (Some(5), None));
        assert_eq!(token_diff(None, Some(3)), (None, None));
        // Half away from zero, both signs.
        assert_eq!(
            pct(Decimal::from(1), Decimal::from(8)),
            Some(Decimal::new(1250, 2))
        );
        assert_eq!(
            pct(Decimal::new(-1, 0), Decimal::from(800)),
            Some(Decimal::new(-13, 2))
        );
    }

    #[test]
    fn unknown_models_and_regions_are_unpriced_not_free() {
        let catalog = Catalog::load(None).unwrap();
        let resolver = Resolver::new(&catalog, Aliases::default());
        let inputs = [
            JobInput {
                job: job("vendor.no-such-model-v9", "us-east-1", read(100, 10)),
                estimate: estimate(90, 12),
            },
            JobInput {
                job: job(
                    "anthropic.claude-3-haiku-20240307-v1:0",
                    "us-east-1",
                    read(1000, 2000),
                ),
                estimate: estimate(800, 2500),
            },
        ];
        let r = batch_jobs(&inputs, &resolver, None);
        assert!(
            r.rows[0].notes[0].starts_with("model: "),
            "{:?}",
            r.rows[0].notes
        );
        assert_eq!(r.rows[0].actual.batch_cost_usd, None);
        assert_eq!(r.rows[0].actual.input_tokens, Some(100));
        assert_eq!(r.unpriced.len(), 2, "{:?}", r.unpriced);
        // Haiku batch: 0.000125 / 0.000625 per 1K tokens.
        let actual = Decimal::new(125, 6) + Decimal::new(125, 5);
        assert_eq!(r.rows[1].actual.batch_cost_usd, Some(actual));
        let est = Decimal::new(1, 4) + Decimal::new(15625, 7);
        assert_eq!(r.rows[1].estimate.batch_cost_usd, Some(est));
        assert_eq!(r.rows[1].difference.cost_usd, Some(est - actual));
        assert_eq!(r.compared_jobs, 1);
        assert_eq!(r.actual_batch_usd, actual);
        let doc = document(&r, Vec::new(), serde_json::json!({}), Vec::new());
        assert_eq!(doc.table.rows.len(), 2);
        assert!(doc.notes.iter().any(|n| n.starts_with("unpriced")));
        assert_eq!(doc.json["compared_jobs"], serde_json::json!(1));
    }
}
