//! `bedrock-meter models`: the catalog as a table.

use rust_decimal::Decimal;
use serde_json::json;

use super::Context;
use super::args::ModelsArgs;
use crate::catalog::{Dimension, Mode, Model, RateContext, RateQuery, Scope};
use crate::export::{Cell, Document, Table};
use crate::money;

/// On-demand rate of a token dimension per 1M tokens for a bare-ID call in `region`.
fn per_million(
    model: &Model,
    region: &str,
    as_of: jiff::civil::Date,
    dimension: Dimension,
) -> Option<Decimal> {
    let ctx = RateContext {
        region,
        scope: Scope::Geo,
        custom: false,
        as_of,
    };
    model
        .rate(&ctx, &RateQuery::new(Mode::OnDemand, dimension))
        .map(|p| p.usd * Decimal::from(1_000_000) / p.unit.size())
}

pub fn run(ctx: &Context, args: &ModelsArgs) -> anyhow::Result<i32> {
    let price_region = args
        .region
        .clone()
        .unwrap_or_else(|| "us-east-1".to_string());
    let selected: Vec<&Model> = ctx
        .catalog
        .models()
        .iter()
        .filter(|m| {
            args.provider.as_ref().is_none_or(|p| {
                m.provider.eq_ignore_ascii_case(p) || m.provider_name.eq_ignore_ascii_case(p)
            })
        })
        .filter(|m| {
            args.region
                .as_ref()
                .is_none_or(|r| !m.modes(Some(r)).is_empty())
        })
        .collect();
    if selected.is_empty() {
        let providers: std::collections::BTreeSet<&str> = ctx
            .catalog
            .models()
            .iter()
            .map(|m| m.provider.as_str())
            .collect();
        return Err(super::ExitError::usage(format!(
            "no model matches{}{} (providers: {})",
            args.provider
                .as_ref()
                .map(|p| format!(" provider `{p}`"))
                .unwrap_or_default(),
            args.region
                .as_ref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default(),
            providers.into_iter().collect::<Vec<_>>().join(", ")
        ))
        .into());
    }

    let mut table = Table::new(&[
        "provider",
        "model_id",
        "name",
        "kind",
        "context_window",
        "tokenizer",
        &format!("input_per_1m_usd ({price_region})"),
        &format!("output_per_1m_usd ({price_region})"),
        "modes",
        "regions",
        "status",
    ]);
    let mut json_models = Vec::new();
    for m in &selected {
        let modes: Vec<String> = m
            .modes(args.region.as_deref())
            .iter()
            .map(Mode::to_string)
            .collect();
        let regions: Vec<&str> = m.regions().into_iter().collect();
        let input = per_million(m, &price_region, ctx.as_of, Dimension::InputTokens);
        let output = per_million(m, &price_region, ctx.as_of, Dimension::OutputTokens);
        let mut status = Vec::new();
        if m.legacy {
            status.push("legacy");
        }
        if !m.is_priced() {
            status.push("unpriced");
        }
        let money_cell = |d: Option<Decimal>| d.map(Cell::Money).unwrap_or(Cell::Empty);
        table.push(vec![
            Cell::from(m.provider.as_str()),
            Cell::from(m.id.as_str()),
            Cell::from(m.name.as_str()),
            Cell::from(m.kind.as_str()),
            m.context_window.map(Cell::Int).unwrap_or(Cell::Empty),
            Cell::from(m.tokenizer.as_str()),
            money_cell(input),
            money_cell(output),
            Cell::Text(modes.join(" ")),
            Cell::Text(regions.join(" ")),
            Cell::Text(status.join(" ")),
        ]);
        json_models.push(json!({
            "id": m.id,
            "name": m.name,
            "provider": m.provider,
            "kind": m.kind.as_str(),
            "context_window": m.context_window,
            "tokenizer": m.tokenizer,
            "legacy": m.legacy,
            "priced": m.is_priced(),
            "regions": regions,
            "modes": modes,
            "on_demand_per_1m_usd": {
                "region": price_region,
                "input": input.map(|d| money::display(d).to_string()),
                "output": output.map(|d| money::display(d).to_string()),
            },
        }));
    }
    let doc = Document {
        title: Some(format!("{} model(s)", selected.len())),
        summary: vec![],
        table,
        notes: vec![format!(
            "per-1M prices: on-demand, bare model ID in {price_region}, in effect {}",
            ctx.as_of
        )],
        json: json!({ "as_of": ctx.as_of.to_string(), "models": json_models }),
        // Narrow terminals keep provider, ID, prices and status.
        drop_order: [
            "regions",
            "modes",
            "tokenizer",
            "kind",
            "context_window",
            "name",
        ]
        .map(String::from)
        .to_vec(),
        ..Document::default()
    };
    ctx.output.write(&doc)?;
    Ok(0)
}
