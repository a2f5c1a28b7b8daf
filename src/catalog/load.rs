//! Turns pricing files into catalog entries, collecting every problem with file and line.

use std::str::FromStr;

use rust_decimal::Decimal;
use toml::Spanned;

use super::diagnostic::{Diagnostic, LineIndex, Severity};
use super::model::{Origin, Price};
use super::schema::{RawDefaults, RawFile, RawModel, RawPrice};
use super::types::{Dimension, Mode, ModelKind, Quality, Resolution, Scope, Unit};

/// A pricing file's name (for messages) and text.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub name: String,
    pub text: String,
}

/// A model entry as written in one file. In the base catalog every field must be present;
/// in an override file, fields left out keep the base catalog's value.
#[derive(Debug, Clone)]
pub struct ModelPatch {
    pub id: String,
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    pub name: Option<String>,
    pub kind: Option<ModelKind>,
    pub context_window: Option<u64>,
    pub tokenizer: Option<String>,
    pub legacy: Option<bool>,
    pub default_tpm_quota: Option<u64>,
    pub note: Option<String>,
    pub prices: Vec<Price>,
    pub origin: Origin,
    /// A model-level field was given but invalid (already reported): do not report it
    /// again as missing.
    pub broken: bool,
}

/// A negotiated / private-pricing discount from an override file.
#[derive(Debug, Clone)]
pub struct Discount {
    /// Exact model ID, or a prefix followed by `*`.
    pub models: String,
    /// Modes it applies to; empty means all.
    pub modes: Vec<Mode>,
    pub percent: Decimal,
    pub origin: Origin,
}

impl Discount {
    pub fn matches(&self, model_id: &str, mode: Mode) -> bool {
        let id_ok = match self.models.strip_suffix('*') {
            Some(prefix) => model_id
                .to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase()),
            None => model_id.eq_ignore_ascii_case(&self.models),
        };
        id_ok && (self.modes.is_empty() || self.modes.contains(&mode))
    }
}

/// What one file yielded.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub models: Vec<ModelPatch>,
    pub discounts: Vec<Discount>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Ctx<'a> {
    file: &'a str,
    lines: LineIndex,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.lines.line(s.span().start)
    }

    fn origin<T>(&self, s: &Spanned<T>) -> Origin {
        Origin {
            file: self.file.to_string(),
            line: self.line(s),
        }
    }

    fn push(&mut self, severity: Severity, line: usize, field: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity,
            file: self.file.to_string(),
            line,
            field: (!field.is_empty()).then(|| field.to_string()),
            message: message.into(),
        });
    }

    fn error(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.push(Severity::Error, line, field, message);
    }

    /// Parses a spanned string into `T`, reporting a failure at its line.
    fn parse<T: FromStr<Err = String>>(&mut self, s: &Spanned<String>, field: &str) -> Option<T> {
        match s.get_ref().parse() {
            Ok(v) => Some(v),
            Err(e) => {
                let line = self.line(s);
                self.error(line, field, e);
                None
            }
        }
    }

    fn non_negative(&mut self, v: &Spanned<i64>, field: &str) -> Option<u64> {
        match u64::try_from(*v.get_ref()) {
            Ok(n) if n > 0 => Some(n),
            _ => {
                let line = self.line(v);
                self.error(
                    line,
                    field,
                    format!("must be a positive whole number, got {}", v.get_ref()),
                );
                None
            }
        }
    }

    fn date(&mut self, s: &Spanned<String>, field: &str) -> Option<jiff::civil::Date> {
        match jiff::civil::Date::from_str(s.get_ref()) {
            Ok(d) => Some(d),
            Err(_) => {
                let line = self.line(s);
                self.error(
                    line,
                    field,
                    format!("`{}` is not a date in YYYY-MM-DD form", s.get_ref()),
                );
                None
            }
        }
    }

    fn regions(&mut self, list: &[Spanned<String>], field: &str) -> Option<Vec<String>> {
        let mut ok = true;
        let mut out = Vec::new();
        for r in list {
            if is_region_code(r.get_ref()) {
                out.push(r.get_ref().to_ascii_lowercase());
            } else {
                let line = self.line(r);
                self.error(
                    line,
                    field,
                    format!(
                        "`{}` is not an AWS Region code (like us-east-1)",
                        r.get_ref()
                    ),
                );
                ok = false;
            }
        }
        if out.is_empty() && ok {
            return None;
        }
        ok.then_some(out)
    }

    /// A decimal amount written as a string; floats are refused because they are not exact.
    fn amount(&mut self, v: &Spanned<toml::Value>, field: &str) -> Option<Decimal> {
        let line = self.line(v);
        match v.get_ref() {
            toml::Value::String(s) => match Decimal::from_str(s.trim()) {
                Ok(d) => Some(d),
                Err(_) => {
                    self.error(line, field, format!("`{s}` is not a decimal number"));
                    None
                }
            },
            toml::Value::Float(f) => {
                self.error(
                    line,
                    field,
                    format!("write the amount as a string (\"{f}\") so it stays an exact decimal"),
                );
                None
            }
            toml::Value::Integer(i) => {
                self.error(
                    line,
                    field,
                    format!("write the amount as a string (\"{i}\") so it stays an exact decimal"),
                );
                None
            }
            other => {
                self.error(
                    line,
                    field,
                    format!("expected a decimal string, found {}", other.type_str()),
                );
                None
            }
        }
    }
}

/// True for strings shaped like AWS Region codes: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`.
pub fn is_region_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (geo, rest) = match parts.as_slice() {
        [geo, "gov", dir, n] => (*geo, [*dir, *n]),
        [geo, dir, n] => (*geo, [*dir, *n]),
        _ => return false,
    };
    geo.len() == 2
        && geo.bytes().all(|b| b.is_ascii_lowercase())
        && !rest[0].is_empty()
        && rest[0].bytes().all(|b| b.is_ascii_lowercase())
        && !rest[1].is_empty()
        && rest[1].bytes().all(|b| b.is_ascii_digit())
}

/// Parses one pricing file. Every problem found is recorded; entries with errors are dropped.
pub fn parse_file(src: &SourceText) -> ParsedFile {
    let mut ctx = Ctx {
        file: &src.name,
        lines: LineIndex::new(&src.text),
        diags: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(&src.text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| ctx.lines.line(s.start)).unwrap_or(1);
            let message = e.message().trim().to_string();
            ctx.error(line, "", message);
            return ParsedFile {
                diagnostics: ctx.diags,
                ..Default::default()
            };
        }
    };
    if let Some(schema) = &raw.schema
        && *schema.get_ref() != 1
    {
        let line = ctx.line(schema);
        ctx.error(
            line,
            "schema",
            format!(
                "unsupported schema version {} (this build reads 1)",
                schema.get_ref()
            ),
        );
    }
    let defaults = Defaults::read(&mut ctx, &raw.defaults);
    let mut out = ParsedFile::default();
    for m in &raw.models {
        if let Some(patch) = model_patch(&mut ctx, &raw, &defaults, m) {
            out.models.push(patch);
        }
    }
    for d in &raw.discounts {
        let origin = ctx.origin(d);
        let d = d.get_ref();
        let modes = d
            .modes
            .iter()
            .flatten()
            .filter_map(|m| ctx.parse::<Mode>(m, "discounts.modes"))
            .collect();
        let Some(percent) = ctx.amount(&d.percent, "discounts.percent") else {
            continue;
        };
        if percent <= Decimal::ZERO || percent >= Decimal::ONE_HUNDRED {
            let line = ctx.line(&d.percent);
            ctx.error(
                line,
                "discounts.percent",
                format!("{percent} is not between 0 and 100"),
            );
            continue;
        }
        out.discounts.push(Discount {
            models: d.models.get_ref().clone(),
            modes,
            percent,
            origin,
        });
    }
    out.diagnostics = ctx.diags;
    out
}

struct Defaults {
    regions: Option<Vec<String>>,
    effective: Option<jiff::civil::Date>,
    source: Option<String>,
}

impl Defaults {
    fn read(ctx: &mut Ctx<'_>, raw: &RawDefaults) -> Self {
        Defaults {
            regions: raw
                .regions
                .as_ref()
                .and_then(|r| ctx.regions(r, "defaults.regions")),
            effective: raw
                .effective
                .as_ref()
                .and_then(|d| ctx.date(d, "defaults.effective")),
            source: raw
                .source
                .as_ref()
                .map(|s| s.get_ref().trim().to_string())
                .filter(|s| !s.is_empty()),
        }
    }
}

fn model_patch(
    ctx: &mut Ctx<'_>,
    file: &RawFile,
    defaults: &Defaults,
    spanned: &Spanned<RawModel>,
) -> Option<ModelPatch> {
    let m = spanned.get_ref();
    let origin = ctx.origin(spanned);
    let errors_before = ctx.diags.len();
    let id = m.id.get_ref().trim().to_string();
    if id.is_empty() || id.contains(char::is_whitespace) {
        let line = ctx.line(&m.id);
        ctx.error(line, "id", format!("`{id}` is not a model ID"));
        return None;
    }
    let id_provider = id.split('.').next().unwrap_or_default().to_string();
    if let Some(provider) = &file.provider
        && !provider.eq_ignore_ascii_case(&id_provider)
    {
        let line = ctx.line(&m.id);
        ctx.error(
            line,
            "id",
            format!("model `{id}` does not belong to provider `{provider}` of this file"),
        );
    }
    let kind = m
        .kind
        .as_ref()
        .and_then(|k| ctx.parse::<ModelKind>(k, "kind"));
    let tokenizer = m.tokenizer.as_ref().and_then(|t| {
        if crate::tokenize::is_family(t.get_ref()) {
            Some(t.get_ref().clone())
        } else {
            let line = ctx.line(t);
            ctx.error(
                line,
                "tokenizer",
                format!(
                    "unknown tokenizer family `{}` (known: {})",
                    t.get_ref(),
                    crate::tokenize::family_names()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            None
        }
    });
    let context_window = m
        .context_window
        .as_ref()
        .and_then(|c| ctx.non_negative(c, "context_window"));
    let default_tpm_quota = m
        .default_tpm_quota
        .as_ref()
        .and_then(|c| ctx.non_negative(c, "default_tpm_quota"));
    let broken = ctx.diags.len() > errors_before;
    let prices = m
        .prices
        .iter()
        .filter_map(|p| price_row(ctx, defaults, p))
        .collect();
    Some(ModelPatch {
        broken,
        id,
        provider: Some(id_provider),
        provider_name: file.provider_name.clone().or_else(|| file.provider.clone()),
        name: m.name.clone(),
        kind,
        context_window,
        tokenizer,
        legacy: m.legacy,
        default_tpm_quota,
        note: m.note.clone(),
        prices,
        origin,
    })
}

fn price_row(ctx: &mut Ctx<'_>, defaults: &Defaults, spanned: &Spanned<RawPrice>) -> Option<Price> {
    let row_line = ctx.line(spanned);
    let errors_before = ctx.diags.len();
    let p = spanned.get_ref();
    let mode = ctx.parse::<Mode>(&p.mode, "mode");
    let dimension = ctx.parse::<Dimension>(&p.dimension, "dimension");
    let unit = ctx.parse::<Unit>(&p.unit, "unit");
    let usd = ctx.amount(&p.usd, "usd");
    if let Some(usd) = usd
        && usd <= Decimal::ZERO
    {
        ctx.error(
            row_line,
            "usd",
            format!(
                "price must be greater than zero, got {usd} (leave the row out if it is not priced)"
            ),
        );
    }
    let scope = p
        .scope
        .as_ref()
        .and_then(|s| ctx.parse::<Scope>(s, "scope"))
        .unwrap_or(Scope::Any);
    let quality = p
        .quality
        .as_ref()
        .and_then(|q| ctx.parse::<Quality>(q, "quality"));
    let resolution = p
        .resolution
        .as_ref()
        .and_then(|r| ctx.parse::<Resolution>(r, "resolution"));
    let above_input_tokens = p
        .above_input_tokens
        .as_ref()
        .and_then(|t| ctx.non_negative(t, "above_input_tokens"));
    let regions = match &p.regions {
        Some(r) => ctx.regions(r, "regions"),
        None => defaults.regions.clone(),
    };
    if regions.is_none() && p.regions.is_none() {
        ctx.error(
            row_line,
            "regions",
            "no Regions: set `regions` on the row or in [defaults]",
        );
    }
    let effective = match &p.effective {
        Some(d) => ctx.date(d, "effective"),
        None => defaults.effective,
    };
    if p.effective.is_none() && effective.is_none() {
        ctx.error(
            row_line,
            "effective",
            "no effective date: set `effective` on the row or in [defaults]",
        );
    }
    let source = p
        .source
        .as_ref()
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| defaults.source.clone());
    if source.is_none() {
        ctx.error(
            row_line,
            "source",
            "no source: say where the price comes from (AWS page or Price List usage type)",
        );
    }
    if let (Some(mode), Some(dim)) = (mode, dimension)
        && !dim.fits_mode(mode)
    {
        ctx.error(
            row_line,
            "dimension",
            format!("dimension `{dim}` is not billed in mode `{mode}`"),
        );
    }
    if let (Some(dim), Some(unit)) = (dimension, unit)
        && !dim.fits_unit(unit)
    {
        ctx.error(
            row_line,
            "unit",
            format!("unit `{unit}` does not fit dimension `{dim}`"),
        );
    }
    if let Some(dim) = dimension {
        if above_input_tokens.is_some() && !dim.is_request_tokens() {
            ctx.error(
                row_line,
                "above_input_tokens",
                format!(
                    "a long-context threshold only applies to per-request token rows, not `{dim}`"
                ),
            );
        }
        if dim == Dimension::Image && (resolution.is_none() || quality.is_none()) {
            ctx.error(
                row_line,
                "resolution",
                "image rows need both `resolution` and `quality`",
            );
        }
        if !dim.is_images() && (p.resolution.is_some() || p.quality.is_some()) {
            ctx.error(
                row_line,
                "resolution",
                format!("`resolution`/`quality` only apply to image rows, not `{dim}`"),
            );
        }
    }
    if ctx.diags.len() > errors_before {
        return None;
    }
    Some(Price {
        regions: regions?,
        mode: mode?,
        dimension: dimension?,
        unit: unit?,
        usd: usd?,
        effective: effective?,
        source: source?,
        scope,
        custom: p.custom.unwrap_or(false),
        above_input_tokens,
        resolution,
        quality,
        note: p.note.clone(),
        origin: Origin {
            file: ctx.file.to_string(),
            line: row_line,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-2",
            "us-gov-west-1",
        ] {
            assert!(is_region_code(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-x",
            "u-east-1",
            "",
        ] {
            assert!(!is_region_code(bad), "{bad}");
        }
    }
}
