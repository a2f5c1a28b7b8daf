//! A mixed English / code / CJK corpus assembled at bench time from files already on the
//! machine (nothing third-party is committed): license texts for English, this project's and
//! the cargo registry's Rust sources for code, CPython's `test/cjkencodings/*-utf8.txt` and
//! the shared seed documents for CJK.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, limit: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if ext.is_empty() || p.extension().is_some_and(|x| x == ext) {
                out.push(p);
                if out.len() >= limit {
                    return out;
                }
            }
        }
    }
    out
}

fn read_up_to(paths: &[PathBuf], budget: usize) -> String {
    let mut s = String::new();
    for p in paths {
        if s.len() >= budget {
            break;
        }
        if let Ok(t) = std::fs::read_to_string(p) {
            s.push_str(&t);
            s.push('\n');
        }
    }
    s.truncate(s.floor_char_boundary(budget.min(s.len())));
    s
}

/// (name, text) parts of the corpus, each at most `each` bytes.
pub fn parts(each: usize) -> Vec<(&'static str, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let english = read_up_to(
        &files_under(Path::new("/usr/share/common-licenses"), "", 200),
        each,
    );
    let mut code_files = files_under(&root.join("src"), "rs", 400);
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        code_files.extend(files_under(&home.join("registry/src"), "rs", 400));
    }
    let code = read_up_to(&code_files, each);
    let mut cjk_files: Vec<PathBuf> = Vec::new();
    if let Ok(out) = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, test; print(os.path.dirname(test.__file__))",
        ])
        .output()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("cjkencodings");
        cjk_files.extend(
            files_under(&dir, "txt", 100)
                .into_iter()
                .filter(|p| p.to_string_lossy().ends_with("-utf8.txt")),
        );
    }
    cjk_files.extend(files_under(&root.join("../shared/seeds"), "txt", 20));
    let cjk = read_up_to(&cjk_files, each);
    let mut parts = vec![("english", english), ("code", code), ("cjk", cjk)];
    parts.retain(|(name, t)| {
        if t.is_empty() {
            eprintln!("bench corpus: no {name} text found on this machine; left out");
        }
        !t.is_empty()
    });
    parts
}
