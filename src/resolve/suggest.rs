//! "Did you mean" suggestions for unknown model IDs.

use crate::catalog::Catalog;

/// Up to `limit` catalog IDs that look like `wanted`, best first.
pub fn suggestions(catalog: &Catalog, wanted: &str, limit: usize) -> Vec<String> {
    let w = normalize(wanted);
    if w.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = catalog
        .models()
        .iter()
        .map(|m| {
            let id = normalize(&m.id);
            let name = normalize(&m.name);
            let mut score =
                strsim::jaro_winkler(&w, &id).max(strsim::normalized_levenshtein(&w, &id));
            score = score.max(strsim::jaro_winkler(&w, &name));
            if id.contains(&w) || name.contains(&w) {
                score += 0.5;
            }
            (score, m.id.as_str())
        })
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, id)| id.to_string())
        .collect()
}

/// Lower case, provider-agnostic spelling: drops a profile prefix and separators.
fn normalize(s: &str) -> String {
    let s = s.trim().to_ascii_lowercase();
    let s = super::id_forms::split_profile_prefix(&s)
        .map(|(_, rest)| rest.to_string())
        .unwrap_or(s);
    s.replace([' ', '_'], "-")
}
