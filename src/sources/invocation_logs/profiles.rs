//! Alias sync: application inference profiles (ListInferenceProfiles) and their tags
//! (ListTagsForResource) → entries of the alias file ([`crate::resolve::aliases`]), so the
//! opaque `application-inference-profile/…` ARNs that metrics and invocation logs carry
//! resolve to a model, and their tags (team, cost centre) can label reports.
//!
//! A profile's model is the model ID of its **first** model ARN
//! (`arn:aws:bedrock:REGION::foundation-model/ID` → `ID`). A profile copied from a system
//! cross-Region profile lists one foundation-model ARN per Region it routes to: all of the
//! same model, so the first is as good as any (it is priced as the bare ID, scope `geo`).
//!
//! The synced entries live between marker comments in the alias file, so a second sync
//! replaces them and keeps everything the user wrote; a user's own entry for the same ARN
//! wins over the synced one. The alias format has no place for tags, so tags go to a sibling
//! table `[tags."ARN"]` (also between markers), which the alias loader reads as the tags of
//! that ARN; [`TagsSection::Omit`] leaves them out.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::aws::bedrock::{Bedrock, Profile};
use crate::aws::{Aws, AwsError};
use crate::resolve::ArnKind;
use crate::resolve::id_forms::parse_arn;

/// First line of the synced aliases.
pub const BEGIN: &str = "# >>> bedrock-meter sync: application inference profiles (rewritten by each sync; edit outside these markers)";
/// First line of the synced tags.
pub const BEGIN_TAGS: &str =
    "# >>> bedrock-meter sync: tags of application inference profiles (rewritten by each sync)";
/// Last line of a synced block.
pub const END: &str = "# <<< bedrock-meter sync";

/// Marks every synced block's first line.
const BEGIN_MARK: &str = "# >>> bedrock-meter sync";

/// One synced alias: a profile ARN, the model it serves, its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasEntry {
    pub arn: String,
    pub model_id: String,
    /// The profile's name (written as a comment).
    pub name: String,
    pub tags: BTreeMap<String, String>,
}

/// Whether the merged file carries the `[tags."ARN"]` tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagsSection {
    Write,
    Omit,
}

/// The model ID of a profile's first model ARN, or why there is none.
pub fn model_of(profile: &Profile) -> Result<String, String> {
    let first = profile
        .models
        .first()
        .ok_or_else(|| format!("profile {} lists no model", profile.arn))?;
    let arn = parse_arn(first).map_err(|e| format!("profile {}: {e}", profile.arn))?;
    match arn.kind {
        ArnKind::FoundationModel | ArnKind::InferenceProfile => Ok(arn.resource),
        other => Err(format!(
            "profile {}: its model {first} is a {}, not a foundation model",
            profile.arn,
            other.label()
        )),
    }
}

/// Alias entries of `profiles` with their `tags` (by profile ARN), sorted by ARN; profiles
/// whose model cannot be read are left out with a note.
pub fn entries(
    profiles: &[Profile],
    tags: &BTreeMap<String, BTreeMap<String, String>>,
) -> (Vec<AliasEntry>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for p in profiles {
        match model_of(p) {
            Ok(model_id) => out.push(AliasEntry {
                arn: p.arn.clone(),
                model_id,
                name: p.name.clone(),
                tags: tags.get(&p.arn).cloned().unwrap_or_default(),
            }),
            Err(e) => notes.push(e),
        }
    }
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out.dedup_by(|a, b| a.arn == b.arn);
    (out, notes)
}

/// Lists every Region's application inference profiles and their tags, and turns them into
/// entries. Returns the entries and notes (profiles left out).
pub async fn collect(
    aws: Arc<Aws>,
    regions: &[String],
) -> Result<(Vec<AliasEntry>, Vec<String>), AwsError> {
    let mut profiles = Vec::new();
    let mut tags = BTreeMap::new();
    for region in regions {
        let bedrock = Bedrock::new(&aws, region);
        let (found, _) = bedrock.list_application_inference_profiles().await?;
        for p in &found {
            tags.insert(p.arn.clone(), bedrock.list_tags(&p.arn).await?);
        }
        profiles.extend(found);
    }
    Ok(entries(&profiles, &tags))
}

/// The result of a merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    /// ARNs not synced because the user's own entry names them.
    pub kept_user: Vec<String>,
}

/// A TOML basic string (also a quoted key), escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `existing` without its synced blocks.
fn without_synced(existing: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in existing.split_inclusive('\n') {
        let t = line.trim();
        if !inside && t.starts_with(BEGIN_MARK) {
            inside = true;
        } else if inside && t == END {
            inside = false;
        } else if !inside {
            out.push_str(line);
        }
    }
    out
}

/// Merges synced `entries` into an alias file's text (`name` for messages): the previous
/// synced blocks are replaced, every other line is kept as written, a user entry for the
/// same ARN wins. The synced aliases go right after the `[aliases]` header (added at the end
/// when the file has none); the tags at the end. The result is checked to be valid TOML.
pub fn merge(
    existing: &str,
    name: &str,
    entries: &[AliasEntry],
    tags: TagsSection,
) -> Result<Merged, String> {
    let mut base = without_synced(existing);
    let table: toml::Table = toml::from_str(&base).map_err(|e| {
        let line = e
            .span()
            .map(|s| base[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        format!("{name}:{line}: {}", e.message().trim())
    })?;
    let user: Vec<&str> = table
        .get("aliases")
        .and_then(|a| a.as_table())
        .map(|a| a.keys().map(|k| k.trim()).collect())
        .unwrap_or_default();
    let (synced, kept_user): (Vec<&AliasEntry>, Vec<&AliasEntry>) = entries
        .iter()
        .partition(|e| !user.contains(&e.arn.as_str()));

    let mut block = format!("{BEGIN}\n");
    for e in &synced {
        block.push_str(&format!("# {}\n", e.name.replace(['\n', '\r'], " ")));
        block.push_str(&format!("{} = {}\n", quoted(&e.arn), quoted(&e.model_id)));
    }
    block.push_str(END);
    block.push('\n');

    if !base.is_empty() && !base.ends_with('\n') {
        base.push('\n');
    }
    let header = base
        .split_inclusive('\n')
        .scan(0usize, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start + line.len(), line))
        })
        .find(|(_, line)| line.trim() == "[aliases]")
        .map(|(end, _)| end);
    let mut text = match header {
        Some(end) => format!("{}{block}{}", &base[..end], &base[end..]),
        None => {
            let sep = if base.is_empty() { "" } else { "\n" };
            format!("{base}{sep}[aliases]\n{block}")
        }
    };
    let tagged: Vec<&&AliasEntry> = synced.iter().filter(|e| !e.tags.is_empty()).collect();
    if tags == TagsSection::Write && !tagged.is_empty() {
        if !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(BEGIN_TAGS);
        text.push('\n');
        for e in tagged {
            text.push_str(&format!("[tags.{}]\n", quoted(&e.arn)));
            for (k, v) in &e.tags {
                text.push_str(&format!("{} = {}\n", quoted(k), quoted(v)));
            }
        }
        text.push_str(END);
        text.push('\n');
    }
    toml::from_str::<toml::Table>(&text).map_err(|e| {
        format!(
            "{name}: the merged alias file is not valid TOML: {}",
            e.message()
        )
    })?;
    Ok(Merged {
        text,
        kept_user: kept_user.into_iter().map(|e| e.arn.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Aliases;

    const AIP: &str = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/";

    fn profile(id: &str, models: &[&str]) -> Profile {
        Profile {
            arn: format!("{AIP}{id}"),
            id: id.into(),
            name: format!("profile {id}"),
            models: models.iter().map(|m| m.to_string()).collect(),
            status: "ACTIVE".into(),
        }
    }

    fn sample() -> Vec<AliasEntry> {
        let profiles = [
            profile(
                "zz9",
                &["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"],
            ),
            profile(
                "aa1",
                &[
                    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
                    "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
                ],
            ),
            profile("empty", &[]),
        ];
        let mut tags = BTreeMap::new();
        tags.insert(
            format!("{AIP}aa1"),
            BTreeMap::from([
                ("team".to_string(), "search".to_string()),
                ("cost-centre".to_string(), "CC \"42\"".to_string()),
            ]),
        );
        let (e, notes) = entries(&profiles, &tags);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("lists no model"), "{notes:?}");
        e
    }

    #[test]
    fn profiles_become_sorted_entries_with_their_first_model() {
        let e = sample();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].arn, format!("{AIP}aa1"));
        assert_eq!(e[0].model_id, "anthropic.claude-3-5-haiku-20241022-v1:0");
        assert_eq!(e[0].tags["team"], "search");
        assert_eq!(e[1].model_id, "amazon.nova-lite-v1:0");
        assert!(e[1].tags.is_empty());
        let odd = profile(
            "p",
            &["arn:aws:bedrock:us-east-1:111122223333:provisioned-model/x"],
        );
        assert!(
            model_of(&odd)
                .unwrap_err()
                .contains("not a foundation model")
        );
    }

    #[test]
    fn merging_keeps_user_entries_and_replaces_synced_ones() {
        let user = format!(
            "# my aliases\n[aliases]\n\"arn:aws:bedrock:us-west-2:111122223333:provisioned-model/xyz\" = \"amazon.titan-text-express-v1\"\n\"{AIP}zz9\" = \"amazon.nova-pro-v1:0\" # mine\n"
        );
        let first = merge(&user, "aliases.toml", &sample(), TagsSection::Omit).unwrap();
        assert_eq!(first.kept_user, [format!("{AIP}zz9")]);
        assert!(first.text.starts_with("# my aliases\n[aliases]\n"));
        assert!(first.text.contains("# mine"));
        // Today's loader reads it: the synced alias, the user's (winning) one.
        let a = Aliases::from_toml(&first.text, "aliases.toml").unwrap();
        assert_eq!(
            a.get(&format!("{AIP}aa1")),
            Some("anthropic.claude-3-5-haiku-20241022-v1:0")
        );
        assert_eq!(a.get(&format!("{AIP}zz9")), Some("amazon.nova-pro-v1:0"));
        assert_eq!(
            a.get("arn:aws:bedrock:us-west-2:111122223333:provisioned-model/xyz"),
            Some("amazon.titan-text-express-v1")
        );
        // A second sync with other profiles replaces the block, and is stable.
        let later = vec![AliasEntry {
            arn: format!("{AIP}bb2"),
            model_id: "amazon.nova-micro-v1:0".into(),
            name: "b".into(),
            tags: BTreeMap::new(),
        }];
        let second = merge(&first.text, "aliases.toml", &later, TagsSection::Omit).unwrap();
        assert!(!second.text.contains("aa1"), "{}", second.text);
        assert!(second.text.contains("bb2"));
        assert_eq!(second.text.matches(BEGIN).count(), 1);
        let again = merge(&second.text, "aliases.toml", &later, TagsSection::Omit).unwrap();
        assert_eq!(again.text, second.text);
    }

    #[test]
    fn tags_go_to_a_sibling_table_and_files_without_aliases_get_one() {
        let m = merge("", "new.toml", &sample(), TagsSection::Write).unwrap();
        assert!(m.text.starts_with("[aliases]\n"), "{}", m.text);
        let v: toml::Table = toml::from_str(&m.text).unwrap();
        let t = &v["tags"][&format!("{AIP}aa1")];
        assert_eq!(t["team"].as_str(), Some("search"));
        assert_eq!(t["cost-centre"].as_str(), Some("CC \"42\""));
        assert_eq!(
            v["aliases"][&format!("{AIP}zz9")].as_str(),
            Some("amazon.nova-lite-v1:0")
        );
        // The alias loader reads the tags table: usage through the profile gets its tags.
        let loaded = Aliases::from_toml(&m.text, "new.toml").unwrap();
        assert_eq!(
            loaded
                .tags(&format!("{AIP}aa1"))
                .and_then(|t| t.get("team"))
                .map(String::as_str),
            Some("search")
        );
        // Re-merging removes the old tags block too.
        let again = merge(&m.text, "new.toml", &sample(), TagsSection::Write).unwrap();
        assert_eq!(again.text, m.text);
        let omitted = merge(&m.text, "new.toml", &sample(), TagsSection::Omit).unwrap();
        assert!(!omitted.text.contains("[tags."));
    }

    #[test]
    fn a_broken_alias_file_is_an_error_naming_file_and_line() {
        let e = merge(
            "[aliases]\n\"a\" = \n",
            "aliases.toml",
            &[],
            TagsSection::Omit,
        )
        .unwrap_err();
        assert!(e.starts_with("aliases.toml:2:"), "{e}");
    }
}
