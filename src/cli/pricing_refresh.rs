//! `bedrock-meter pricing refresh`: the AWS Price List → a pricing folder later runs use,
//! and the difference to the catalog in use (or, with `--check`, to the embedded one).

use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use super::Context;
use super::args::RefreshArgs;
use super::output::Output;
use crate::aws::pricing::PriceList;
use crate::aws::{Aws, AwsOptions};
use crate::catalog::pricelist::item::{ItemOrigin, parse_item};
use crate::catalog::pricelist::map::ModelNames;
use crate::catalog::pricelist::merge::{Change, differs};
use crate::catalog::pricelist::refresh::{self, Collected, Outcome};
use crate::catalog::pricelist::store::{self, Manifest};
use crate::catalog::{Catalog, CatalogSource};
use crate::export::{Cell, Document, Table};

/// The service codes that hold Bedrock prices.
pub const SERVICE_CODES: &[&str] = &[
    "AmazonBedrock",
    "AmazonBedrockService",
    "AmazonBedrockFoundationModels",
];

/// `out_dir`: `-o/--output`; `pricing`: the `--pricing` flag (an override file is not merged
/// into the refresh: its discounts are the user's, not the Price List's).
pub fn run(
    ctx: &Context,
    args: &RefreshArgs,
    out_dir: Option<&Path>,
    pricing: Option<&Path>,
) -> anyhow::Result<i32> {
    let today = jiff::Zoned::now().date();
    let (collected, names, mut notes) = if args.offer_file.is_empty() {
        from_api(args)?
    } else {
        let mut files = Vec::new();
        for p in &args.offer_file {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read offer file {}", p.display()))?;
            files.push((p.display().to_string(), text));
        }
        let mut c = refresh::read_offer_files(&files);
        if !args.region.is_empty() {
            c.items.retain(|i| {
                i.attr("regioncode")
                    .is_none_or(|r| args.region.iter().any(|x| x == r))
            });
        }
        (c, ModelNames::new(), Vec::new())
    };
    if collected.items.is_empty() {
        anyhow::bail!(
            "the Price List returned no Bedrock products{}; nothing to refresh",
            if collected.errors.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} could not be read, first: {})",
                    collected.errors.len(),
                    collected.errors[0]
                )
            }
        );
    }
    let embedded;
    let overlay = matches!(CatalogSource::for_flag(pricing), CatalogSource::Override(_));
    let base: &Catalog = if args.check || overlay {
        embedded = Catalog::embedded()?;
        &embedded
    } else {
        &ctx.catalog
    };
    let outcome = refresh::run(&collected.items, base, &names, today);
    let publication = collected.publication();
    for e in &collected.errors {
        notes.push(format!("unreadable Price List item: {e}"));
    }
    let changed = differs(&outcome.merged.diff);
    let mut written = None;
    if !args.check {
        let header = format!(
            "Written by `bedrock-meter pricing refresh` on {today} from the AWS Price List\n(offers: {}).\nEvery refreshed row's `source` names its usage type and the offer's publication date.",
            collected.offers.join("; ")
        );
        let (files, validated) = refresh::files_of(&outcome, &header);
        if validated.has_errors() {
            let errs: Vec<String> = validated.errors().take(5).map(|d| d.to_string()).collect();
            anyhow::bail!(
                "the refreshed catalog does not validate, nothing written:\n{}",
                errs.join("\n")
            );
        }
        let dir = match out_dir {
            Some(d) => d.to_path_buf(),
            None => store::refreshed_dir().ok_or_else(|| {
                anyhow::anyhow!(
                    "no user data directory on this system: give -o DIR or set {}",
                    store::DATA_DIR_ENV
                )
            })?,
        };
        let manifest = Manifest {
            publication_date: publication
                .map(|d| d.to_string())
                .unwrap_or_else(|| today.to_string()),
            refreshed_at: jiff::Timestamp::now().to_string(),
            offers: collected.offers.clone(),
            regions: args.region.clone(),
        };
        store::write_folder(&dir, &files, &manifest)
            .with_context(|| format!("cannot write the pricing folder {}", dir.display()))?;
        written = Some(dir);
    }
    let baseline = if args.check || overlay {
        CatalogSource::Embedded.describe()
    } else {
        "the catalog in use".to_string()
    };
    let doc = document(
        &outcome,
        &collected,
        publication,
        written.as_deref(),
        &baseline,
        notes,
    );
    let output = Output {
        format: ctx.output.format,
        path: None,
        width: ctx.output.width,
    };
    output.write(&doc)?;
    Ok(if args.check && changed { 1 } else { 0 })
}

/// Reads every service code (per Region when asked) through GetProducts, and the Regions'
/// model names through ListFoundationModels when allowed.
fn from_api(args: &RefreshArgs) -> anyhow::Result<(Collected, ModelNames, Vec<String>)> {
    let opts = AwsOptions {
        profile: args.profile.clone(),
        max_attempts: args.max_attempts,
        ..AwsOptions::default()
    };
    crate::aws::runtime().block_on(async {
        let aws = Aws::load(&opts).await;
        let api = PriceList::new(&aws);
        let mut c = Collected::default();
        let regions: Vec<Option<&str>> = if args.region.is_empty() {
            vec![None]
        } else {
            args.region.iter().map(|r| Some(r.as_str())).collect()
        };
        for code in SERVICE_CODES {
            let mut count = 0;
            for region in &regions {
                let pages = api.products(code, *region).await?;
                c.pages += pages.pages;
                for (i, text) in pages.items.iter().enumerate() {
                    let origin = ItemOrigin {
                        source: format!("GetProducts {code}{}", region.map(|r| format!(" {r}")).unwrap_or_default()),
                        position: format!("item {}", i + 1),
                    };
                    match parse_item(text, origin) {
                        Ok(mut item) => {
                            if item.service_code.is_empty() {
                                item.service_code = code.to_string();
                            }
                            c.items.push(item);
                            count += 1;
                        }
                        Err(e) => c.errors.push(e),
                    }
                }
            }
            let published = c
                .items
                .iter()
                .filter(|i| i.service_code == *code)
                .filter_map(|i| i.publication)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no publication date".into());
            c.offers.push(format!("{code} via GetProducts, {count} product(s), published {published}"));
        }
        let mut names = ModelNames::new();
        let mut notes = Vec::new();
        if !args.no_model_names {
            for region in refresh::regions_needing_names(&c.items) {
                let bedrock = crate::aws::bedrock::Bedrock::new(&aws, &region);
                match bedrock.list_foundation_models().await {
                    Ok(models) => {
                        for m in models {
                            names
                                .entry((region.clone(), m.name.to_ascii_lowercase()))
                                .or_default()
                                .push(m.id);
                        }
                    }
                    Err(e) => notes.push(format!(
                        "model names of {region} not joined (ListFoundationModels: {e}); only pricing/pricelist/models.csv maps names there"
                    )),
                }
            }
        }
        Ok::<_, anyhow::Error>((c, names, notes))
    })
}

fn money(d: Option<rust_decimal::Decimal>) -> Cell {
    d.map(|d| Cell::Number(d.normalize()))
        .unwrap_or(Cell::Empty)
}

/// The difference and the unmatched products as one table.
// `..Default::default()`: Document gains fields other commands set.
pub fn document(
    outcome: &Outcome,
    collected: &Collected,
    publication: Option<jiff::civil::Date>,
    written: Option<&Path>,
    baseline: &str,
    mut notes: Vec<String>,
) -> Document {
    let mut table = Table::new(&[
        "change",
        "model",
        "region",
        "mode",
        "dimension",
        "applies_to",
        "unit",
        "old_usd",
        "new_usd",
        "usage_type",
        "note",
    ]);
    let count = |c: Change| outcome.merged.diff.iter().filter(|d| d.change == c).count();
    for d in outcome
        .merged
        .diff
        .iter()
        .filter(|d| d.change != Change::Unchanged)
    {
        table.push(vec![
            Cell::from(d.change.as_str()),
            Cell::Text(d.model_id.clone()),
            Cell::Text(d.region.clone()),
            Cell::from(d.mode.as_str()),
            Cell::from(d.dimension.as_str()),
            Cell::Text(d.qualifiers.clone()),
            Cell::from(d.unit.as_str()),
            money(d.old_usd),
            money(d.new_usd),
            Cell::Text(d.usage_type.clone()),
            Cell::Text(d.note.clone()),
        ]);
    }
    for u in &outcome.unmatched {
        table.push(vec![
            Cell::from("unmatched"),
            Cell::Text(u.name.clone()),
            Cell::Text(u.region.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Text(u.usage_type.clone()),
            Cell::Text(format!("{} ({})", u.reason, u.origin)),
        ]);
    }
    let new_models: std::collections::BTreeSet<&str> = outcome
        .merged
        .diff
        .iter()
        .filter(|d| d.change == Change::NewModel)
        .map(|d| d.model_id.as_str())
        .collect();
    let title = format!(
        "Price List against {baseline}: {} new model(s), {} new, {} changed, {} removed price(s), {} unchanged; {} unmatched",
        new_models.len(),
        count(Change::NewPrice),
        count(Change::Changed),
        count(Change::Removed),
        count(Change::Unchanged),
        outcome.unmatched.len()
    );
    let mut summary = vec![
        ("Offers".to_string(), collected.offers.join("; ")),
        (
            "Publication date".to_string(),
            publication
                .map(|d| d.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ),
        (
            "Products read".to_string(),
            format!(
                "{} ({} rate(s) mapped)",
                collected.items.len(),
                outcome.rates.len()
            ),
        ),
    ];
    match written {
        Some(d) => summary.push(("Written to".into(), d.display().to_string())),
        None => summary.push(("Written to".into(), "nothing (--check)".into())),
    }
    if !outcome.unmatched.is_empty() {
        notes.push(format!(
            "{} Price List rate(s) could not be mapped and were left out (change = unmatched); map their names in pricing/pricelist/models.csv",
            outcome.unmatched.len()
        ));
    }
    let changes: Vec<_> = outcome
        .merged
        .diff
        .iter()
        .filter(|d| d.change != Change::Unchanged)
        .map(|d| {
            json!({
                "change": d.change.as_str(),
                "model": d.model_id,
                "region": d.region,
                "mode": d.mode.as_str(),
                "dimension": d.dimension.as_str(),
                "applies_to": d.qualifiers,
                "unit": d.unit.as_str(),
                "old_usd": d.old_usd.map(|x| x.normalize().to_string()),
                "new_usd": d.new_usd.map(|x| x.normalize().to_string()),
                "usage_type": d.usage_type,
                "note": d.note,
            })
        })
        .collect();
    let unmatched: Vec<_> = outcome
        .unmatched
        .iter()
        .map(|u| {
            json!({
                "service_code": u.service_code,
                "name": u.name,
                "region": u.region,
                "usage_type": u.usage_type,
                "reason": u.reason,
                "origin": u.origin,
            })
        })
        .collect();
    Document {
        title: Some(title),
        summary,
        table,
        notes: notes.clone(),
        json: json!({
            "baseline": baseline,
            "differs": differs(&outcome.merged.diff),
            "publication_date": publication.map(|d| d.to_string()),
            "offers": collected.offers,
            "products": collected.items.len(),
            "pages": collected.pages,
            "rates": outcome.rates.len(),
            "counts": {
                "new_models": new_models.len(),
                "new": count(Change::NewPrice),
                "changed": count(Change::Changed),
                "removed": count(Change::Removed),
                "unchanged": count(Change::Unchanged),
                "unmatched": outcome.unmatched.len(),
            },
            "written_to": written.map(|d| d.display().to_string()),
            "changes": changes,
            "unmatched": unmatched,
            "unreadable": collected.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            "notes": notes,
        }),
        ..Default::default()
    }
}
