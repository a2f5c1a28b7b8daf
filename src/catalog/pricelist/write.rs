//! Writes catalog models as pricing TOML files (the schema of `pricing/README.md`), one file
//! per provider, every row with its Regions, effective date and source spelled out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::catalog::model::{Model, Price};

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn row(p: &Price) -> String {
    let mut fields = vec![
        format!("mode = {}", quoted(p.mode.as_str())),
        format!("dimension = {}", quoted(p.dimension.as_str())),
        format!("unit = {}", quoted(p.unit.as_str())),
        format!("usd = {}", quoted(&p.usd.normalize().to_string())),
        format!(
            "regions = [{}]",
            p.regions
                .iter()
                .map(|r| quoted(r))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ];
    if p.scope != crate::catalog::Scope::Any {
        fields.push(format!("scope = {}", quoted(p.scope.as_str())));
    }
    if p.custom {
        fields.push("custom = true".into());
    }
    if let Some(t) = p.above_input_tokens {
        fields.push(format!("above_input_tokens = {t}"));
    }
    if let Some(r) = p.resolution {
        fields.push(format!("resolution = {}", quoted(&r.to_string())));
    }
    if let Some(q) = p.quality {
        fields.push(format!("quality = {}", quoted(q.as_str())));
    }
    fields.push(format!("effective = {}", quoted(&p.effective.to_string())));
    fields.push(format!("source = {}", quoted(&p.source)));
    if let Some(n) = &p.note {
        fields.push(format!("note = {}", quoted(n)));
    }
    format!("  {{ {} }},\n", fields.join(", "))
}

fn model(m: &Model) -> String {
    let mut s = String::from("[[models]]\n");
    let _ = writeln!(s, "id = {}", quoted(&m.id));
    let _ = writeln!(s, "name = {}", quoted(&m.name));
    let _ = writeln!(s, "kind = {}", quoted(m.kind.as_str()));
    if let Some(c) = m.context_window {
        let _ = writeln!(s, "context_window = {c}");
    }
    let _ = writeln!(s, "tokenizer = {}", quoted(&m.tokenizer));
    if m.legacy {
        s.push_str("legacy = true\n");
    }
    if let Some(q) = m.default_tpm_quota {
        let _ = writeln!(s, "default_tpm_quota = {q}");
    }
    if let Some(n) = &m.note {
        let _ = writeln!(s, "note = {}", quoted(n));
    }
    s.push_str("prices = [\n");
    for p in &m.prices {
        s.push_str(&row(p));
    }
    s.push_str("]\n");
    s
}

/// `(file name, text)` per provider, sorted by file name. `header` goes on top of each file
/// as comment lines.
pub fn provider_files(models: &[Model], header: &str) -> Vec<(String, String)> {
    let mut by_provider: BTreeMap<&str, Vec<&Model>> = BTreeMap::new();
    for m in models {
        by_provider.entry(m.provider.as_str()).or_default().push(m);
    }
    by_provider
        .into_iter()
        .map(|(provider, ms)| {
            let mut s = String::new();
            for line in header.lines() {
                let _ = writeln!(s, "# {line}");
            }
            let _ = writeln!(s, "\nschema = 1\nprovider = {}", quoted(provider));
            let _ = writeln!(s, "provider_name = {}\n", quoted(&ms[0].provider_name));
            for m in ms {
                s.push_str(&model(m));
                s.push('\n');
            }
            (format!("{provider}.toml"), s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, SourceText};

    #[test]
    fn the_embedded_catalog_round_trips_through_the_writer() {
        let c = Catalog::embedded().unwrap();
        let files = provider_files(c.models(), "test\nfile");
        let sources: Vec<SourceText> = files
            .iter()
            .map(|(n, t)| SourceText {
                name: n.clone(),
                text: t.clone(),
            })
            .collect();
        let again = Catalog::build(&sources, None).into_result().unwrap();
        assert_eq!(again.models().len(), c.models().len());
        for (a, b) in again.models().iter().zip(c.models()) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.prices.len(), b.prices.len(), "{}", a.id);
            for (x, y) in a.prices.iter().zip(&b.prices) {
                assert_eq!(
                    (x.key(), &x.regions, x.usd, x.effective, &x.source),
                    (y.key(), &y.regions, y.usd, y.effective, &y.source)
                );
            }
        }
    }
}
