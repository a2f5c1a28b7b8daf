//! The house rules that a grep can check: only `src/aws/` may name AWS SDK crates
//! (`aws_sdk_*`, `aws_config`, `aws_smithy_*`), so no SDK type leaks into sources, records or
//! reports.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_aws_module_names_aws_sdk_crates() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let aws = src.join("aws");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    assert!(
        files.iter().any(|f| f.starts_with(&aws)),
        "src/aws/ is missing"
    );
    let mut offenders = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&aws)) {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if ["aws_sdk_", "aws_config", "aws_smithy_"]
                .iter()
                .any(|needle| line.contains(needle))
            {
                offenders.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "AWS SDK names outside src/aws/:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn every_source_has_its_own_folder() {
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sources");
    assert!(sources.join("cloudwatch").is_dir());
    assert!(sources.join("cloudwatch/mod.rs").is_file());
}
