//! `completions SHELL` and `man`: generated from the same clap definitions as the parser,
//! so they never drift from the real flags.

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, ManArgs};
use crate::export::write::emit;

/// Prints (or writes to `-o`) the completion script for one shell.
pub fn completions(a: &CompletionsArgs, output: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "bedrock-meter", &mut out);
    emit(output, &out)?;
    Ok(0)
}

/// Prints the main man page (roff), or writes every page into `--dir`.
pub fn man(a: &ManArgs, output: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let cmd = Cli::command();
    match &a.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .map_err(|e| anyhow::anyhow!("cannot write man pages to {}: {e}", dir.display()))?;
            eprintln!("wrote the man pages to {}", dir.display());
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            emit(output, &out)?;
        }
    }
    Ok(0)
}
