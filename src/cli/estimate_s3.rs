//! `estimate --batch s3://…` and `estimate --job JOB`: batch-inference input counted where
//! it lives. The objects are streamed through the same bounded pipeline as local files
//! ([`crate::estimate::stream`]) by [`crate::sources::s3_input`]; errors name the object
//! (`s3://bucket/key`) and the line; progress is by stored bytes.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;
use super::args::EstimateArgs;
use crate::aws::s3::S3;
use crate::aws::{Aws, AwsOptions, region_from_env};
use crate::catalog::{Mode, Model};
use crate::estimate::ModeSelection;
use crate::estimate::requests::{PriceOptions, RecordPricer, Totals};
use crate::estimate::stream::{self, Row, StreamError, StreamOptions};
use crate::records::ManifestState;
use crate::sources::s3_input::{self, Downloads, FetchOptions};

/// The `s3://` location a `--batch` value names, if it is one.
pub fn s3_uri(path: &Path) -> Option<String> {
    let s = path.to_str()?;
    s.starts_with("s3://").then(|| s.to_string())
}

/// AWS access as the estimate's flags ask.
pub fn load_aws(rt: &tokio::runtime::Runtime, profile: Option<String>, attempts: u32) -> Aws {
    rt.block_on(Aws::load(&AwsOptions {
        profile,
        max_attempts: attempts,
        ..AwsOptions::default()
    }))
}

/// A progress bar over `total` stored bytes (hidden when asked or not on a terminal).
pub fn bytes_bar(hidden: bool, total: u64) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(s) = ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
    ) {
        bar.set_style(s);
    }
    bar
}

/// Counts every object an S3 location names, in key order, into one [`Totals`] (bad
/// records carry `s3://bucket/key: line N: …`).
pub struct S3Batch<'a> {
    pub uri: String,
    pub args: &'a EstimateArgs,
    pub model: &'a Model,
    pub jobs: usize,
    pub price: PriceOptions,
    pub pricer: Option<&'a RecordPricer<'a>>,
    /// The S3 client's Region (default: the AWS configuration's: AWS_REGION, the profile's,
    /// else us-east-1; `--region` is the pricing Region).
    pub region: Option<String>,
}

impl S3Batch<'_> {
    pub fn count(
        &self,
        on_rows: &mut dyn FnMut(&[Row]) -> anyhow::Result<()>,
    ) -> anyhow::Result<Totals> {
        let rt = crate::aws::runtime();
        let aws = load_aws(
            &rt,
            self.args.exact.api.profile.clone(),
            self.args.exact.api.max_attempts,
        );
        let region = aws.region_or(self.region.as_deref().or(region_from_env().as_deref()));
        let s3 = S3::new(&aws, &region);
        count_location(
            &rt,
            &s3,
            &self.uri,
            self.model,
            StreamOptions {
                jobs: self.jobs,
                strict: self.args.strict,
                forced: self.args.body_format,
                price: self.price,
                pricer: self.pricer,
                ..StreamOptions::default()
            },
            self.args.no_progress,
            on_rows,
        )
    }
}

/// Lists the objects of `uri` and counts them one after the other while the next ones
/// download.
#[allow(clippy::too_many_arguments)]
pub fn count_location(
    rt: &tokio::runtime::Runtime,
    s3: &S3,
    uri: &str,
    model: &Model,
    opts: StreamOptions<'_>,
    no_progress: bool,
    on_rows: &mut dyn FnMut(&[Row]) -> anyhow::Result<()>,
) -> anyhow::Result<Totals> {
    let selection = rt.block_on(s3_input::select(s3, uri))?;
    let bar = bytes_bar(no_progress, selection.bytes());
    let progress = bar.clone();
    let mut downloads = Downloads::start(
        rt.handle(),
        s3,
        selection.objects.clone(),
        FetchOptions::default(),
        Arc::new(move |n| progress.inc(n)),
    );
    let mut totals = Totals::default();
    let opts = StreamOptions {
        size_hint: Some(selection.bytes()),
        ..opts
    };
    while let Some(next) = downloads.next_object() {
        let (object, reader) = next.map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = object.uri();
        bar.set_message(object.key.clone());
        let result = stream::run(reader, model, &opts, |rows, _| on_rows(rows));
        match result {
            Ok(mut t) => {
                for b in &mut t.bad {
                    b.reason = format!("{name}: line {}: {}", b.line, b.reason);
                }
                totals.merge(t);
            }
            Err(StreamError::Bad { line, reason }) => {
                bar.finish_and_clear();
                return Err(anyhow::anyhow!(
                    "{name}: line {line}: {reason} (--strict stops at the first bad record)"
                ));
            }
            Err(e) => {
                bar.finish_and_clear();
                return Err(anyhow::anyhow!("{name}: {e}"));
            }
        }
    }
    bar.finish_and_clear();
    Ok(totals)
}

/// `estimate --job`: the job's model and input, estimated like `--batch`, with the job's
/// facts (and its manifest's actual counts, once it has finished) in the summary and JSON.
pub fn job(ctx: &Context, args: &EstimateArgs, selection: ModeSelection) -> anyhow::Result<i32> {
    let id = args.job.clone().expect("--job given");
    let region = parse_arn_region(&id)
        .or_else(|| args.region.clone())
        .or_else(region_from_env);
    let rt = crate::aws::runtime();
    let aws = load_aws(
        &rt,
        args.exact.api.profile.clone(),
        args.exact.api.max_attempts,
    );
    let region = aws.region_or(region.as_deref());
    let job = rt.block_on(crate::sources::batch_jobs::fetch(&aws, &region, &id))?;
    drop(rt);
    let Some(input) = job.input_s3_uri.clone() else {
        return Err(anyhow::anyhow!(
            "batch job {} ({}) names no S3 input location",
            job.name,
            job.arn
        ));
    };
    let mut inner = args.clone();
    inner.job = None;
    inner.model = Some(job.model_id.clone());
    inner.batch = Some(input.clone().into());
    if inner.region.is_none() {
        inner.region = Some(region.clone());
    }
    let selection = match selection {
        ModeSelection::All if args.mode.is_empty() => {
            ModeSelection::Only(vec![Mode::OnDemand, Mode::Batch])
        }
        s => s,
    };
    let mut doc = super::estimate_inputs::document(ctx, &inner, selection)
        .map_err(|e| anyhow::anyhow!("batch job {}: {e:#}", job.name))?;
    let mut facts = vec![
        ("Job".to_string(), format!("{} ({})", job.name, job.arn)),
        ("Status".to_string(), job.status.clone()),
        ("Input".to_string(), input),
    ];
    match &job.manifest {
        ManifestState::Read { manifest: m, .. } => facts.push((
            "Manifest (actual)".into(),
            format!(
                "{} records ({} ok, {} failed), {} input / {} output tokens",
                m.processed_records,
                m.success_records,
                m.error_records,
                m.input_tokens.map_or("?".into(), |n| n.to_string()),
                m.output_tokens.map_or("?".into(), |n| n.to_string()),
            ),
        )),
        ManifestState::NotYet => facts.push(("Manifest (actual)".into(), "none yet".into())),
        ManifestState::Unreadable { reason, .. } => {
            doc.notes.push(format!("manifest: {reason}"));
        }
    }
    doc.summary.splice(0..0, facts);
    if let serde_json::Value::Object(m) = &mut doc.json {
        m.insert("job".into(), serde_json::to_value(&job)?);
    }
    ctx.output.write(&doc)?;
    Ok(0)
}

/// The Region of an ARN (`arn:aws:bedrock:REGION:…`), if `s` is one.
pub fn parse_arn_region(s: &str) -> Option<String> {
    let mut parts = s.strip_prefix("arn:")?.split(':');
    let region = parts.nth(2)?;
    (!region.is_empty()).then(|| region.to_string())
}
