//! Model-ID resolution: any identifier Bedrock accepts or CloudWatch reports → a catalog
//! model, plus what the identifier says about pricing (Region, route, tier, custom copy).
//!
//! The route matters for price: for Claude Sonnet 4.5 and later the `global.` profile is
//! billed at the base rate while geographic profiles and in-Region calls cost 10% more
//! (catalog rows with `scope = "global"` / `"geo"`); for other models every route costs the
//! same as the source Region. See [`crate::catalog::Scope`].

pub mod aliases;
pub mod id_forms;
mod suggest;

use crate::catalog::{Catalog, Mode, Model, Scope};

pub use aliases::Aliases;
pub use id_forms::ArnKind;
pub use suggest::suggestions;

/// How a request reached the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Bare model ID: served in the Region called.
    InRegion,
    /// Cross-Region inference profile with this prefix (`us`, `eu`, `global`…).
    Profile(String),
}

impl Route {
    /// The price scope this route is billed under.
    pub fn scope(&self) -> Scope {
        match self {
            Route::Profile(p) if p.eq_ignore_ascii_case(id_forms::GLOBAL_PREFIX) => Scope::Global,
            _ => Scope::Geo,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Route::InRegion => "in-Region (bare model ID)".to_string(),
            Route::Profile(p) if p.eq_ignore_ascii_case(id_forms::GLOBAL_PREFIX) => {
                "global cross-Region inference profile".to_string()
            }
            Route::Profile(p) => format!("{p} geographic cross-Region inference profile"),
        }
    }
}

/// A model identifier resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Resolved<'c> {
    /// What the user or the AWS record said.
    pub input: String,
    pub model: &'c Model,
    pub route: Route,
    /// Region named by an ARN, if any.
    pub region: Option<String>,
    /// `flex`/`priority` for CloudWatch `+flex`/`+priority` series.
    pub tier: Option<Mode>,
    /// The ARN kind, when the input (or its alias) was an ARN.
    pub arn_kind: Option<ArnKind>,
    /// A customized (fine-tuned) copy of the model.
    pub custom: bool,
    /// Steps taken, for `pricing show` and warnings ("alias from file", "context variant").
    pub notes: Vec<String>,
}

impl Resolved<'_> {
    pub fn scope(&self) -> Scope {
        self.route.scope()
    }
}

/// Why an identifier did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("unknown model `{input}`{}", did_you_mean(.suggestions))]
    Unknown {
        input: String,
        suggestions: Vec<String>,
    },
    #[error("`{input}` is a {} whose model cannot be read from the ARN: map it to a model ID in an alias file (--aliases FILE, [aliases] \"{input}\" = \"MODEL-ID\")", .kind.label())]
    NeedsAlias { input: String, kind: ArnKind },
    #[error("{0}")]
    BadArn(String),
    #[error("alias loop at `{0}`")]
    AliasLoop(String),
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// Resolves identifiers with a catalog and the user's aliases.
pub struct Resolver<'c> {
    catalog: &'c Catalog,
    aliases: Aliases,
}

/// The catalog ID of the pseudo-model that carries Custom Model Import rates; imported-model
/// ARNs without an alias resolve to it.
pub const CUSTOM_MODEL_IMPORT_ID: &str = "amazon.custom-model-import";

impl<'c> Resolver<'c> {
    pub fn new(catalog: &'c Catalog, aliases: Aliases) -> Self {
        Resolver { catalog, aliases }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    pub fn resolve(&self, input: &str) -> Result<Resolved<'c>, ResolveError> {
        let input = input.trim();
        let (base, tier) = id_forms::split_tier(input);
        let mut r = self.resolve_inner(base, input, 0)?;
        r.tier = tier;
        r.input = input.to_string();
        if let Some(t) = tier {
            r.notes
                .push(format!("CloudWatch `+{t}` series: priced in the {t} tier"));
        }
        Ok(r)
    }

    fn resolve_inner(
        &self,
        id: &str,
        original: &str,
        depth: usize,
    ) -> Result<Resolved<'c>, ResolveError> {
        if depth > 4 {
            return Err(ResolveError::AliasLoop(id.to_string()));
        }
        if let Some(target) = self.aliases.get(id) {
            let mut r = self.resolve_inner(target, original, depth + 1)?;
            if id.starts_with("arn:")
                && let Ok(arn) = id_forms::parse_arn(id)
            {
                r.region = Some(arn.region.clone());
                r.arn_kind = Some(arn.kind);
            }
            r.notes
                .insert(0, format!("`{id}` is an alias of `{target}` (alias file)"));
            return Ok(r);
        }
        if id.starts_with("arn:") {
            return self.resolve_arn(id, original, depth);
        }
        if let Some((prefix, rest)) = id_forms::split_profile_prefix(id)
            && let Ok(mut r) = self.resolve_bare(rest, original)
        {
            r.route = Route::Profile(prefix.to_ascii_lowercase());
            return Ok(r);
        }
        self.resolve_bare(id, original)
    }

    fn resolve_arn(
        &self,
        id: &str,
        original: &str,
        depth: usize,
    ) -> Result<Resolved<'c>, ResolveError> {
        let arn = id_forms::parse_arn(id).map_err(ResolveError::BadArn)?;
        let mut r = match arn.kind {
            ArnKind::FoundationModel | ArnKind::InferenceProfile => {
                self.resolve_inner(&arn.resource, original, depth + 1)?
            }
            ArnKind::CustomModel => {
                // custom-model/BASE-MODEL-ID/UNIQUE-SUFFIX
                let base = arn
                    .resource
                    .rsplit_once('/')
                    .map_or(arn.resource.as_str(), |(b, _)| b);
                let mut r = self.resolve_inner(base, original, depth + 1).map_err(|_| {
                    ResolveError::NeedsAlias {
                        input: id.to_string(),
                        kind: arn.kind,
                    }
                })?;
                r.custom = true;
                r.notes
                    .push(format!("custom (fine-tuned) copy of {}", r.model.id));
                r
            }
            ArnKind::ImportedModel => match self.catalog.get(CUSTOM_MODEL_IMPORT_ID) {
                Some(model) => Resolved {
                    input: original.to_string(),
                    model,
                    route: Route::InRegion,
                    region: None,
                    tier: None,
                    arn_kind: None,
                    custom: false,
                    notes: vec![
                        "imported model: billed per custom model unit (Custom Model Import)".into(),
                    ],
                },
                None => {
                    return Err(ResolveError::NeedsAlias {
                        input: id.to_string(),
                        kind: arn.kind,
                    });
                }
            },
            ArnKind::ProvisionedModel | ArnKind::ApplicationInferenceProfile => {
                return Err(ResolveError::NeedsAlias {
                    input: id.to_string(),
                    kind: arn.kind,
                });
            }
        };
        r.region = Some(arn.region);
        r.arn_kind = Some(arn.kind);
        Ok(r)
    }

    fn resolve_bare(&self, id: &str, original: &str) -> Result<Resolved<'c>, ResolveError> {
        let found = |model: &'c Model, notes: Vec<String>| Resolved {
            input: original.to_string(),
            model,
            route: Route::InRegion,
            region: None,
            tier: None,
            arn_kind: None,
            custom: false,
            notes,
        };
        if let Some(m) = self.catalog.get(id) {
            return Ok(found(m, Vec::new()));
        }
        // Provisioned context-length variants: `…-v1:0:200k` → `…-v1:0`, `…-v1:2:8k` → `…-v1`.
        let mut cur = id;
        while let Some(shorter) = id_forms::strip_variant_suffix(cur) {
            if let Some(m) = self.catalog.get(shorter) {
                return Ok(found(
                    m,
                    vec![format!("`{id}` is a context-length variant of {}", m.id)],
                ));
            }
            cur = shorter;
        }
        if let Some(m) = self
            .catalog
            .models()
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(id))
        {
            return Ok(found(m, vec![format!("`{id}` is the name of {}", m.id)]));
        }
        Err(ResolveError::Unknown {
            input: original.to_string(),
            suggestions: suggestions(self.catalog, id, 3),
        })
    }
}
