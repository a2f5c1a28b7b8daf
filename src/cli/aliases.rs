//! `bedrock-meter aliases sync`: the account's application inference profiles → the alias
//! file (their model, and their tags), merged into what the user wrote.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use super::ExitError;
use super::args::AliasSyncArgs;
use crate::aws::{Aws, AwsOptions, region_from_env};
use crate::export::write::atomic_write;
use crate::sources::invocation_logs::profiles::{self, TagsSection};

/// Runs the sync. `global` is `-o/--output`, else the `--aliases` file: the default target.
pub fn sync(args: &AliasSyncArgs, global: Option<&Path>) -> anyhow::Result<i32> {
    let mut regions = args.region.clone();
    if regions.is_empty() {
        regions.push(region_from_env().unwrap_or_else(|| "us-east-1".to_string()));
    }
    let opts = AwsOptions {
        profile: args.profile.clone(),
        max_attempts: args.max_attempts,
        ..AwsOptions::default()
    };
    let (entries, notes) = crate::aws::runtime().block_on(async {
        let aws = Arc::new(Aws::load(&opts).await);
        profiles::collect(aws, &regions).await
    })?;
    let target = args.file.as_deref().or(global);
    let (existing, name) = match target {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => (t, p.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (String::new(), p.display().to_string())
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
        },
        None => (String::new(), "aliases.toml".to_string()),
    };
    let tags = if args.no_tags {
        TagsSection::Omit
    } else {
        TagsSection::Write
    };
    let merged = profiles::merge(&existing, &name, &entries, tags).map_err(ExitError::usage)?;
    for n in &notes {
        eprintln!("note: {}", crate::export::sanitize::for_terminal(n));
    }
    for arn in &merged.kept_user {
        eprintln!(
            "note: {}: kept your own alias (not replaced by the synced one)",
            crate::export::sanitize::for_terminal(arn)
        );
    }
    match target {
        Some(p) => {
            atomic_write(p, merged.text.as_bytes())?;
            eprintln!(
                "{}: {} application inference profile(s) from {}",
                p.display(),
                entries.len(),
                regions.join(", ")
            );
        }
        None => print!("{}", merged.text),
    }
    Ok(0)
}
