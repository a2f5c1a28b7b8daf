//! `bedrock-meter report batch-jobs`: Bedrock batch inference jobs → what each really used
//! (its `manifest.json.out`) against a local estimate of the same input, in tokens and in
//! cost at the batch rates.

use serde_json::json;

use super::args::BatchJobsArgs;
use super::estimate_s3::{count_location, load_aws};
use super::{Context, ExitError};
use crate::aws::region_from_env;
use crate::aws::s3::S3;
use crate::estimate::requests::{OutputExpectation, PriceOptions, Totals};
use crate::estimate::stream::StreamOptions;
use crate::records::InputEstimate;
use crate::report::batch_jobs::{self, JobInput};
use crate::resolve::Resolver;
use crate::sources::batch_jobs::{JobsQuery, collect};

fn midnight(d: jiff::civil::Date) -> anyhow::Result<jiff::Timestamp> {
    Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

fn estimate_of(t: &Totals, output_from: &str) -> InputEstimate {
    InputEstimate {
        records: t.ok,
        failed_records: t.failed,
        input_tokens: t.input_total,
        output_tokens: t.output_expected,
        output_from: output_from.to_string(),
        exact: t.inexact == 0,
    }
}

pub fn run(ctx: &Context, args: &BatchJobsArgs) -> anyhow::Result<i32> {
    if args.since >= args.until {
        return Err(ExitError::usage(format!(
            "empty range: --since {} is not before --until {}",
            args.since, args.until
        ))
        .into());
    }
    let rt = crate::aws::runtime();
    let aws = load_aws(&rt, args.profile.clone(), args.max_attempts);
    let mut regions = args.region.clone();
    let mut seen = std::collections::BTreeSet::new();
    regions.retain(|r| seen.insert(r.clone()));
    if regions.is_empty() {
        regions.push(aws.region_or(region_from_env().as_deref()));
    }
    let query = JobsQuery {
        regions: regions.clone(),
        since: midnight(args.since)?,
        until: midnight(args.until)?,
        status: args.status.clone(),
    };
    let collected = rt.block_on(collect(&aws, &query))?;

    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let price = PriceOptions {
        output: match (args.output_tokens, args.output_ratio) {
            (Some(n), _) => OutputExpectation::PerRequest(n),
            (None, Some(r)) => OutputExpectation::Ratio(r),
            _ => OutputExpectation::Ceiling,
        },
        cache_hit_rate: None,
    };
    let output_from = match price.output {
        OutputExpectation::Ceiling => "ceiling",
        OutputExpectation::PerRequest(_) => "output-tokens",
        OutputExpectation::Ratio(_) => "output-ratio",
    };
    let threads = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let mut inputs = Vec::new();
    for job in collected.jobs {
        let estimate = (!args.no_estimate).then(|| {
            let uri = job
                .input_s3_uri
                .clone()
                .ok_or_else(|| "the job names no S3 input location".to_string())?;
            let resolved = resolver.resolve(&job.model_id).map_err(|e| e.to_string())?;
            let s3 = S3::new(&aws, &job.region);
            count_location(
                &rt,
                &s3,
                &uri,
                resolved.model,
                StreamOptions {
                    jobs: threads,
                    price,
                    ..StreamOptions::default()
                },
                args.no_progress,
                &mut |_| Ok(()),
            )
            .map(|t| estimate_of(&t, output_from))
            .map_err(|e| format!("{e:#}"))
        });
        inputs.push(JobInput { job, estimate });
    }
    let report = batch_jobs::batch_jobs(&inputs, &resolver, ctx.as_of_flag);
    let mut notes = Vec::new();
    if !args.no_estimate && price.output == OutputExpectation::Ceiling {
        notes.push("estimated output = each request's max-tokens ceiling (an upper bound): give --output-ratio R or --output-tokens N for a typical value".to_string());
    }
    notes.push(
        "differences are estimate - actual (positive: the estimate was high), percent of the actual"
            .to_string(),
    );
    let header = vec![
        (
            "Submitted".to_string(),
            format!("{} to {} (UTC, until exclusive)", args.since, args.until),
        ),
        ("Regions".to_string(), regions.join(", ")),
    ];
    let json_header = json!({
        "since": args.since.to_string(),
        "until": args.until.to_string(),
        "regions": regions,
        "status": args.status,
        "estimated": !args.no_estimate,
        "estimate_output_from": (!args.no_estimate).then_some(output_from),
        "list_calls": collected.list_calls,
        "manifests_read": collected.manifests_read,
    });
    ctx.output
        .write(&batch_jobs::document(&report, header, json_header, notes))?;
    Ok(0)
}
