//! The two data tables of a refresh, kept as data in `pricing/pricelist/` and embedded at
//! build time: billing prefixes ↔ Regions (`billing-prefixes.csv`) and Price List names /
//! usage-type segments → model IDs (`models.csv`). See the comments in each file.

use std::collections::HashMap;

use crate::catalog::types::ModelKind;

const PREFIXES: &str = include_str!("../../../pricing/pricelist/billing-prefixes.csv");
const MODELS: &str = include_str!("../../../pricing/pricelist/models.csv");

/// What `models.csv` says about a model the catalog may not have yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewModelFacts {
    pub kind: ModelKind,
    pub tokenizer: String,
    pub context_window: Option<u64>,
}

/// One entry of `models.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    pub model_id: String,
    pub facts: Option<NewModelFacts>,
}

/// The join tables.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    prefix_of: HashMap<String, String>,
    region_of: HashMap<String, String>,
    by_name: HashMap<String, ModelEntry>,
    by_segment: HashMap<String, ModelEntry>,
}

fn key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

impl Tables {
    /// The embedded tables. They are checked by the test suite, so failure is a bug.
    pub fn embedded() -> Tables {
        Tables::parse(PREFIXES, MODELS).expect("pricing/pricelist tables")
    }

    /// Parses the two CSV texts; errors name the file and line.
    pub fn parse(prefixes: &str, models: &str) -> Result<Tables, String> {
        let mut t = Tables::default();
        for (i, rec) in reader(prefixes).records().enumerate() {
            let rec = rec.map_err(|e| format!("billing-prefixes.csv: {e}"))?;
            let (region, prefix) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
            if !crate::catalog::is_region_code(region) || prefix.is_empty() {
                return Err(format!(
                    "billing-prefixes.csv record {}: `{region}`,`{prefix}` is not a Region and a prefix",
                    i + 1
                ));
            }
            t.prefix_of.insert(region.to_string(), prefix.to_string());
            t.region_of
                .insert(prefix.to_ascii_uppercase(), region.to_string());
        }
        for (i, rec) in reader(models).records().enumerate() {
            let at = |what: String| format!("models.csv record {}: {what}", i + 1);
            let rec = rec.map_err(|e| at(e.to_string()))?;
            let field = |n: usize| rec.get(n).unwrap_or("").to_string();
            let (kind, text, id) = (field(0), field(1), field(2));
            if text.is_empty() || id.is_empty() || id.contains(char::is_whitespace) {
                return Err(at(format!("`{text}` → `{id}` needs a text and a model ID")));
            }
            let facts = if field(3).is_empty() {
                None
            } else {
                let kind: ModelKind = field(3).parse().map_err(&at)?;
                let tokenizer = field(4);
                if !crate::tokenize::is_family(&tokenizer) {
                    return Err(at(format!("unknown tokenizer family `{tokenizer}`")));
                }
                let context_window = match field(5).as_str() {
                    "" => None,
                    n => Some(
                        n.parse()
                            .map_err(|_| at(format!("`{n}` is not a number")))?,
                    ),
                };
                Some(NewModelFacts {
                    kind,
                    tokenizer,
                    context_window,
                })
            };
            let entry = ModelEntry {
                model_id: id,
                facts,
            };
            let map = match kind.as_str() {
                "name" => &mut t.by_name,
                "segment" => &mut t.by_segment,
                other => return Err(at(format!("match `{other}` is not `name` or `segment`"))),
            };
            if let Some(old) = map.insert(key(&text), entry.clone())
                && old.model_id != entry.model_id
            {
                return Err(at(format!(
                    "`{text}` maps to both {} and {}",
                    old.model_id, entry.model_id
                )));
            }
        }
        Ok(t)
    }

    /// The billing prefix of a Region (`ap-south-1` → `APS3`).
    pub fn prefix_of(&self, region: &str) -> Option<&str> {
        self.prefix_of.get(region).map(String::as_str)
    }

    /// The Region of a billing prefix (`APS3` → `ap-south-1`).
    pub fn region_of(&self, prefix: &str) -> Option<&str> {
        self.region_of
            .get(&prefix.to_ascii_uppercase())
            .map(String::as_str)
    }

    /// The model a Price List name stands for.
    pub fn by_name(&self, name: &str) -> Option<&ModelEntry> {
        self.by_name.get(&key(name))
    }

    /// The model a usage-type segment stands for.
    pub fn by_segment(&self, segment: &str) -> Option<&ModelEntry> {
        self.by_segment.get(&key(segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_tables_parse_and_join() {
        let t = Tables::embedded();
        assert_eq!(t.prefix_of("ap-south-1"), Some("APS3"));
        assert_eq!(t.region_of("eu"), Some("eu-west-1"));
        assert_eq!(
            t.by_name("claude  sonnet 4.5").map(|e| e.model_id.as_str()),
            Some("anthropic.claude-sonnet-4-5-20250929-v1:0")
        );
        assert_eq!(
            t.by_segment("NovaMicro").map(|e| e.model_id.as_str()),
            Some("amazon.nova-micro-v1:0")
        );
        assert!(t.by_name("Claude Opus 4.8").is_none());
    }

    #[test]
    fn bad_tables_are_refused_with_their_record() {
        let e = Tables::parse("region,prefix\nuseast,USE1\n", "match,text,model_id\n").unwrap_err();
        assert!(e.contains("record 1"), "{e}");
        let e = Tables::parse(
            "region,prefix\n",
            "match,text,model_id\nname,A,x.a\nname,a,x.b\n",
        )
        .unwrap_err();
        assert!(e.contains("maps to both"), "{e}");
    }
}
