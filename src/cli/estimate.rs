//! `bedrock-meter estimate`: price known counts under each pricing mode.

use super::Context;
use super::args::{EstimateArgs, ModeArg};
use crate::catalog::ModelKind;
use crate::estimate::{CacheTtl, Estimate, MediaUsage, ModeSelection, Usage, estimate_media};
use crate::export::{Cell, Document, Table};
use crate::resolve::Resolver;

/// The modes `--mode` asks for.
fn selection(args: &EstimateArgs) -> ModeSelection {
    if args.mode.is_empty() || args.mode.contains(&ModeArg::All) {
        ModeSelection::All
    } else {
        let mut modes = Vec::new();
        for m in &args.mode {
            if let ModeArg::One(m) = m
                && !modes.contains(m)
            {
                modes.push(*m);
            }
        }
        ModeSelection::Only(modes)
    }
}

/// `--model`, which clap requires unless `--job` names the model.
pub fn model_arg(args: &EstimateArgs) -> anyhow::Result<&str> {
    args.model
        .as_deref()
        .ok_or_else(|| super::ExitError::usage("give --model (or --job)").into())
}

pub fn run(ctx: &Context, args: &EstimateArgs) -> anyhow::Result<i32> {
    if args.job.is_some() {
        return super::estimate_s3::job(ctx, args, selection(args));
    }
    if super::estimate_inputs::wanted(args) {
        return super::estimate_inputs::run(ctx, args, selection(args));
    }
    super::estimate_exact::refuse_known_counts(args)?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let resolved = resolver.resolve(model_arg(args)?)?;
    let region = super::default_region(args.region.as_deref(), resolved.region.as_deref());

    let media = MediaUsage {
        audio_input_tokens: args.media.audio_input_tokens,
        audio_output_tokens: args.media.audio_output_tokens,
        video_seconds: args.media.video_seconds,
        rerank_queries: args.media.rerank_queries,
    };
    if resolved.model.kind == ModelKind::Rerank && media.rerank_queries == 0 {
        return Err(super::ExitError::usage(format!(
            "{} bills per rerank query: give --rerank-queries N",
            resolved.model.id
        ))
        .into());
    }
    let needs_tokens = !matches!(resolved.model.kind, ModelKind::Image | ModelKind::Rerank);
    if needs_tokens
        && args.input_tokens.is_none()
        && args.output_tokens.is_none()
        && args.images == 0
        && media == MediaUsage::default()
    {
        return Err(super::ExitError::usage(
            "give --input-tokens (and --output-tokens) to estimate",
        )
        .into());
    }
    if resolved.model.kind == ModelKind::Image && args.images == 0 {
        return Err(super::ExitError::usage(format!(
            "{} bills per image: give --images N",
            resolved.model.id
        ))
        .into());
    }
    if args.requests == 0 {
        return Err(super::ExitError::usage("--requests must be at least 1").into());
    }
    let usage = Usage {
        requests: args.requests,
        input_tokens: args.input_tokens.unwrap_or(0),
        output_tokens: args.output_tokens.unwrap_or(0),
        cache_read_tokens: args.cache_read_tokens,
        cache_write_tokens: args.cache_write_tokens,
        cache_ttl: CacheTtl::from_flag(&args.cache_ttl).unwrap_or_default(),
        images: args.images,
        image_resolution: args.image_size,
        image_quality: args.image_quality,
    };
    let est = estimate_media(
        &resolved,
        &region,
        ctx.as_of,
        &usage,
        &media,
        &selection(args),
    );
    ctx.output.write(&document(&est, resolved.notes.clone()))?;
    Ok(0)
}

/// Lays out an estimate: one row per line item, a total row per mode, a row per unpriced item.
pub fn document(est: &Estimate, mut notes: Vec<String>) -> Document {
    let mut table = Table::new(&[
        "mode",
        "dimension",
        "quantity",
        "unit",
        "unit_price_usd",
        "cost_usd",
        "note",
    ]);
    for m in &est.modes {
        for li in &m.line_items {
            table.push(vec![
                Cell::from(m.mode.as_str()),
                Cell::from(li.dimension.as_str()),
                Cell::Int(li.quantity),
                Cell::from(li.unit.as_str()),
                Cell::Number(li.unit_price_usd),
                Cell::Money(li.cost_usd),
                Cell::Text(li.rate.clone()),
            ]);
        }
        table.push(vec![
            Cell::from(m.mode.as_str()),
            Cell::from("total"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Money(m.total_usd),
            Cell::from(if m.complete {
                ""
            } else {
                "incomplete: see unpriced"
            }),
        ]);
    }
    for u in &est.unpriced {
        let (mode, dim) = u.split_once('/').unwrap_or((u.as_str(), ""));
        table.push(vec![
            Cell::from(mode),
            Cell::from(dim),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::from("UNPRICED"),
        ]);
    }
    notes.extend(est.warnings.iter().cloned());
    if !est.unpriced.is_empty() {
        notes.push(format!(
            "unpriced (not counted in any total): {}",
            est.unpriced.join("; ")
        ));
    }
    let mut summary = vec![
        (
            "Model".into(),
            format!("{} ({})", est.resolved_model, est.model_name),
        ),
        ("Region".into(), est.region.clone()),
        ("Route".into(), est.route.clone()),
        ("Requests".into(), est.requests.to_string()),
        ("Prices as of".into(), est.as_of.clone()),
    ];
    if let Some(r) = &est.records {
        summary.push((
            "Records".into(),
            format!(
                "{} ok, {} failed, {} empty lines",
                r.ok, r.failed, r.empty_lines
            ),
        ));
    }
    if let Some(i) = &est.input_tokens {
        summary.push((
            "Input tokens".into(),
            format!(
                "{} ({} at the input rate, {} cache read, {} cache write; {})",
                i.total,
                i.billed_input,
                i.cache_read,
                i.cache_write,
                if i.exact { "exact" } else { "estimate" }
            ),
        ));
    }
    if let Some(o) = &est.output_tokens {
        summary.push((
            "Output tokens".into(),
            format!(
                "{} expected (from {}), {} ceiling",
                o.expected, o.expected_from, o.ceiling
            ),
        ));
    }
    if let Some(b) = &est.batch_savings {
        summary.push((
            "Batch saving".into(),
            format!(
                "{} on demand vs {} batch: saves {} ({}%)",
                crate::money::usd(b.on_demand_usd),
                crate::money::usd(b.batch_usd),
                crate::money::usd(b.saving_usd),
                b.saving_pct
            ),
        ));
    }
    Document {
        title: Some(format!("Estimate for {}", est.model_id)),
        summary,
        table,
        notes,
        json: serde_json::to_value(est).expect("estimate serializes"),
        charts: crate::estimate::charts::estimate_charts(est),
        drop_order: vec!["unit".into(), "unit_price_usd".into()],
    }
}
