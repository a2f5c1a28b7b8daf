//! The price catalog: every Bedrock model the tool knows, with its rates per Region and mode.
//!
//! Prices live in TOML files under `pricing/` (schema in `pricing/README.md`), embedded at
//! build time. `--pricing DIR` replaces them; `--pricing FILE` layers an override file
//! (negotiated discounts, private pricing, models we do not know yet) on top.
//!
//! A model or dimension without a row is *unpriced*; nothing here ever treats it as $0.

mod checks;
pub mod diagnostic;
mod load;
pub mod model;
pub mod pricelist;
mod rate;
mod schema;
pub mod types;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{Discount, SourceText, is_region_code};
pub use model::{Model, Origin, Price, PriceKey};
pub use rate::{RateContext, RateQuery};
pub use types::{Dimension, Mode, ModelKind, Quality, Resolution, Scope, Unit};

use load::{ModelPatch, ParsedFile, parse_file};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_pricing.rs"));
}

/// The catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read pricing data {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", format_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

fn format_diagnostics(diags: &[Diagnostic]) -> String {
    crate::catalog::diagnostic::summarize_errors("pricing data", diags)
}

/// All models and their prices.
#[derive(Debug, Clone)]
pub struct Catalog {
    models: Vec<Model>,
    index: HashMap<String, usize>,
    /// How current the data is, for the staleness note (see [`Catalog::staleness_note`]).
    dated: Option<Dated>,
}

/// How current a catalog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub date: jiff::civil::Date,
    /// `true`: the publication date of the Price List a refresh read; `false`: the newest
    /// effective date of the embedded rows.
    pub refreshed: bool,
}

/// Which pricing data a command uses. Precedence: `--pricing` (a folder replacing the
/// catalog, or an override file on the embedded one) > the folder `pricing refresh` wrote
/// (`$BEDROCK_METER_DATA_DIR/pricing`, else the user data dir's `bedrock-meter/pricing`;
/// models it lacks that this build embeds are added from the embedded catalog) > the
/// embedded catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSource {
    Embedded,
    Refreshed(PathBuf),
    Folder(PathBuf),
    Override(PathBuf),
}

impl CatalogSource {
    /// The source for a `--pricing` flag (given or not).
    pub fn for_flag(pricing: Option<&Path>) -> CatalogSource {
        match pricing {
            Some(p) if p.is_dir() => CatalogSource::Folder(p.to_path_buf()),
            Some(p) => CatalogSource::Override(p.to_path_buf()),
            None => match pricelist::store::refreshed_dir() {
                Some(d) if pricelist::store::is_refreshed(&d) => CatalogSource::Refreshed(d),
                _ => CatalogSource::Embedded,
            },
        }
    }

    pub fn describe(&self) -> String {
        match self {
            CatalogSource::Embedded => "embedded catalog".into(),
            CatalogSource::Refreshed(d) => format!("refreshed Price List data in {}", d.display()),
            CatalogSource::Folder(d) => format!("folder {}", d.display()),
            CatalogSource::Override(f) => {
                format!("override file {} (on the embedded catalog)", f.display())
            }
        }
    }
}

/// Days after which a catalog is called out of date.
pub const STALE_AFTER_DAYS: i32 = 30;

/// A catalog together with everything the loader and the checks found.
#[derive(Debug)]
pub struct Validated {
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
}

impl Validated {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The catalog, or every error if there was one.
    pub fn into_result(self) -> Result<Catalog, CatalogError> {
        if self.has_errors() {
            Err(CatalogError::Invalid(self.diagnostics))
        } else {
            Ok(self.catalog)
        }
    }
}

/// The pricing files compiled into the binary.
pub fn embedded_sources() -> Vec<SourceText> {
    embedded::FILES
        .iter()
        .map(|(name, text)| SourceText {
            name: format!("pricing/{name}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Reads every `*.toml` file of a folder, sorted by name.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<SourceText>, CatalogError> {
    let io = |source| CatalogError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| read_source(p)).collect()
}

/// Reads one pricing file.
pub fn read_source(path: &Path) -> Result<SourceText, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(SourceText {
        name: path.display().to_string(),
        text,
    })
}

impl Catalog {
    /// The embedded catalog. Its data is checked by the test suite, so failure here is a bug.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let mut c = Self::build(&embedded_sources(), None).into_result()?;
        c.dated = c.newest_effective().map(|date| Dated {
            date,
            refreshed: false,
        });
        Ok(c)
    }

    /// The catalog a command should use: embedded, a folder's files instead, or the embedded
    /// files with one override file on top.
    pub fn load(pricing: Option<&Path>) -> Result<Catalog, CatalogError> {
        Self::validate(pricing)?.into_result()
    }

    /// Builds the catalog `load` would, keeping warnings and errors for `pricing validate`.
    /// The precedence is [`CatalogSource::for_flag`]'s.
    pub fn validate(pricing: Option<&Path>) -> Result<Validated, CatalogError> {
        Self::validate_source(&CatalogSource::for_flag(pricing))
    }

    /// Builds the catalog of one source, keeping warnings and errors.
    pub fn validate_source(source: &CatalogSource) -> Result<Validated, CatalogError> {
        Ok(match source {
            CatalogSource::Embedded => {
                let mut v = Self::build(&embedded_sources(), None);
                v.catalog.dated = v.catalog.newest_effective().map(|date| Dated {
                    date,
                    refreshed: false,
                });
                v
            }
            CatalogSource::Refreshed(d) => {
                let mut v = Self::build(&read_dir_sources(d)?, None);
                // Models a newer build embeds that the refresh did not write stay available.
                v.catalog
                    .add_missing(&Self::build(&embedded_sources(), None).catalog);
                v.catalog.dated = pricelist::store::read_manifest(d)
                    .and_then(|m| m.publication())
                    .map(|date| Dated {
                        date,
                        refreshed: true,
                    });
                v
            }
            CatalogSource::Folder(d) => Self::build(&read_dir_sources(d)?, None),
            CatalogSource::Override(p) => Self::build(&embedded_sources(), Some(&read_source(p)?)),
        })
    }

    /// Builds a catalog from base files and an optional override file.
    pub fn build(base: &[SourceText], overlay: Option<&SourceText>) -> Validated {
        let mut diagnostics = Vec::new();
        let mut models: Vec<Model> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for src in base {
            let ParsedFile {
                models: patches,
                discounts,
                diagnostics: d,
            } = parse_file(src);
            diagnostics.extend(d);
            for d in discounts {
                diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    file: d.origin.file,
                    line: d.origin.line,
                    field: Some("discounts".into()),
                    message: "discounts belong in an override file (--pricing FILE), not in the base catalog".into(),
                });
            }
            for patch in patches {
                let key = patch.id.to_ascii_lowercase();
                if let Some(&i) = index.get(&key) {
                    diagnostics.push(Diagnostic {
                        severity: Severity::Error,
                        file: patch.origin.file.clone(),
                        line: patch.origin.line,
                        field: Some("id".into()),
                        message: format!(
                            "duplicate model `{}` (first in {}:{})",
                            patch.id, models[i].origin.file, models[i].origin.line
                        ),
                    });
                    continue;
                }
                match complete(patch, &mut diagnostics) {
                    Some(m) => {
                        index.insert(key, models.len());
                        models.push(m);
                    }
                    None => continue,
                }
            }
        }
        if let Some(src) = overlay {
            let ParsedFile {
                models: patches,
                discounts,
                diagnostics: d,
            } = parse_file(src);
            diagnostics.extend(d);
            for patch in patches {
                match index.get(&patch.id.to_ascii_lowercase()) {
                    Some(&i) => apply_patch(&mut models[i], patch),
                    None => {
                        if let Some(m) = complete(patch, &mut diagnostics) {
                            index.insert(m.id.to_ascii_lowercase(), models.len());
                            models.push(m);
                        }
                    }
                }
            }
            for d in &discounts {
                apply_discount(&mut models, d, &mut diagnostics);
            }
        }
        for m in &models {
            diagnostics.extend(checks::duplicate_rows(m));
            diagnostics.extend(checks::suspicious_prices(m));
        }
        diagnostics
            .sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
        Validated {
            catalog: Catalog {
                models,
                index,
                dated: None,
            },
            diagnostics,
        }
    }

    /// How current the data is: the Price List publication date of refreshed data, the
    /// newest effective date of the embedded catalog; `None` for `--pricing` data (the
    /// user's own, of unknown date).
    pub fn dated(&self) -> Option<Dated> {
        self.dated
    }

    /// Adds the models of `other` this catalog does not have.
    fn add_missing(&mut self, other: &Catalog) {
        for m in &other.models {
            let key = m.id.to_ascii_lowercase();
            if !self.index.contains_key(&key) {
                self.index.insert(key, self.models.len());
                self.models.push(m.clone());
            }
        }
    }

    /// The newest effective date of any row.
    pub fn newest_effective(&self) -> Option<jiff::civil::Date> {
        self.models
            .iter()
            .flat_map(|m| m.prices.iter().map(|p| p.effective))
            .max()
    }

    /// One note for reports when the catalog in use is older than
    /// [`STALE_AFTER_DAYS`] days on `today`; `None` when it is current or of unknown date.
    pub fn staleness_note(&self, today: jiff::civil::Date) -> Option<String> {
        let d = self.dated?;
        let age = (today - d.date).get_days();
        if age <= STALE_AFTER_DAYS {
            return None;
        }
        Some(if d.refreshed {
            format!(
                "prices are from the AWS Price List published {} ({age} days ago): run `bedrock-meter pricing refresh` for current ones",
                d.date
            )
        } else {
            format!(
                "the embedded price catalog's newest price is from {} ({age} days ago): run `bedrock-meter pricing refresh` for current prices",
                d.date
            )
        })
    }

    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// Exact (case-insensitive) lookup of a bare model ID.
    pub fn get(&self, id: &str) -> Option<&Model> {
        self.index
            .get(&id.to_ascii_lowercase())
            .map(|&i| &self.models[i])
    }
}

/// Turns a base-catalog patch into a model, reporting missing required fields.
fn complete(p: ModelPatch, diagnostics: &mut Vec<Diagnostic>) -> Option<Model> {
    if p.broken {
        return None;
    }
    let mut missing = Vec::new();
    if p.name.is_none() {
        missing.push("name");
    }
    if p.kind.is_none() {
        missing.push("kind");
    }
    if p.tokenizer.is_none() {
        missing.push("tokenizer");
    }
    if !missing.is_empty() {
        for field in missing {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: p.origin.file.clone(),
                line: p.origin.line,
                field: Some(field.into()),
                message: format!("model `{}` needs `{field}`", p.id),
            });
        }
        return None;
    }
    Some(Model {
        provider: p.provider.unwrap_or_default(),
        provider_name: p.provider_name.unwrap_or_default(),
        name: p.name?,
        kind: p.kind?,
        context_window: p.context_window,
        tokenizer: p.tokenizer?,
        legacy: p.legacy.unwrap_or(false),
        default_tpm_quota: p.default_tpm_quota,
        note: p.note,
        prices: p.prices,
        origin: p.origin,
        id: p.id,
    })
}

/// Applies an override entry to an existing model: given fields win, each given price row
/// replaces base rows with its key in the Regions it names.
fn apply_patch(model: &mut Model, p: ModelPatch) {
    if let Some(v) = p.name {
        model.name = v;
    }
    if let Some(v) = p.kind {
        model.kind = v;
    }
    if let Some(v) = p.tokenizer {
        model.tokenizer = v;
    }
    if p.context_window.is_some() {
        model.context_window = p.context_window;
    }
    if let Some(v) = p.legacy {
        model.legacy = v;
    }
    if p.default_tpm_quota.is_some() {
        model.default_tpm_quota = p.default_tpm_quota;
    }
    if p.note.is_some() {
        model.note = p.note;
    }
    for row in p.prices {
        let key = row.key();
        for base in model.prices.iter_mut().filter(|b| b.key() == key) {
            base.regions.retain(|r| !row.regions.contains(r));
        }
        model.prices.retain(|b| !b.regions.is_empty());
        model.prices.push(row);
    }
}

fn apply_discount(models: &mut [Model], d: &Discount, diagnostics: &mut Vec<Diagnostic>) {
    let factor = (Decimal::ONE_HUNDRED - d.percent) / Decimal::ONE_HUNDRED;
    let mut hit = false;
    for m in models.iter_mut() {
        for p in m.prices.iter_mut().filter(|p| d.matches(&m.id, p.mode)) {
            hit = true;
            p.usd *= factor;
            let note = format!(
                "{}% discount from {}:{}",
                d.percent, d.origin.file, d.origin.line
            );
            p.note = Some(match p.note.take() {
                Some(n) => format!("{n}; {note}"),
                None => note,
            });
        }
    }
    if !hit {
        diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            file: d.origin.file.clone(),
            line: d.origin.line,
            field: Some("discounts.models".into()),
            message: format!("discount for `{}` matches no price", d.models),
        });
    }
}
