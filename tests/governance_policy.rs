//! The governance policy file, by property: generated files load with what they say;
//! mutated and arbitrary files never panic, and every error names the file, a line of it
//! and a field.

use bedrock_meter::report::governance::policy::{PolicyError, parse};
use proptest::prelude::*;

const FILE: &str = "governance-policy.toml";

#[derive(Debug, Clone)]
struct Entry {
    principal: String,
    models: Option<Vec<String>>,
    regions: Option<Vec<String>>,
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        "arn:aws:(sts|iam)::[0-9*]{1,12}:[a-z*/-]{1,20}",
        proptest::option::of(proptest::collection::vec(
            "[a-z]{2,8}\\.[a-z0-9*.:-]{1,20}",
            1..4,
        )),
        proptest::option::of(proptest::collection::vec(
            prop_oneof![
                Just("us-east-1".to_string()),
                Just("eu-west-3".to_string()),
                Just("us-gov-west-1".to_string()),
                Just("ap-*".to_string()),
            ],
            1..3,
        )),
    )
        .prop_map(|(principal, models, regions)| Entry {
            principal,
            models,
            regions,
        })
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn render(entries: &[Entry], burst: Option<u64>) -> String {
    let mut out = String::from("# generated\n");
    for e in entries {
        out.push_str(&format!("[[allow]]\nprincipal = \"{}\"\n", e.principal));
        if let Some(m) = &e.models {
            out.push_str(&format!("models = {}\n", list(m)));
        }
        if let Some(r) = &e.regions {
            out.push_str(&format!("regions = {}\n", list(r)));
        }
        out.push('\n');
    }
    if let Some(b) = burst {
        out.push_str(&format!("[thresholds]\naccess_denied_burst = {b}\n"));
    }
    out
}

/// Every diagnostic names the file, a line inside it (or just after its end, for
/// "unexpected end of file") and a field.
fn check_error(text: &str, e: &PolicyError) -> Result<(), TestCaseError> {
    let diags = e.diagnostics();
    prop_assert!(
        !diags.is_empty(),
        "an invalid file without diagnostics: {e}"
    );
    let lines = text.lines().count().max(1);
    for d in diags {
        prop_assert_eq!(&d.file, FILE);
        prop_assert!(
            d.line >= 1 && d.line <= lines + 1,
            "line {} of {lines}: {d}",
            d.line
        );
        prop_assert!(
            d.field.as_deref().is_some_and(|f| !f.is_empty()),
            "no field: {d}"
        );
        let shown = format!("{FILE}:{}", d.line);
        prop_assert!(e.to_string().contains(&shown), "{e}");
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    Truncate(usize),
    Insert(usize, String),
    WrongValue(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            "[\\[\\]=\"', a-z0-9\n\u{0}-\u{1f}\u{e9}]{1,6}"
        )
            .prop_map(|(at, s)| Mutation::Insert(at, s)),
        (
            any::<usize>(),
            prop_oneof![
                Just("0"),
                Just("-3"),
                Just("\"ten\""),
                Just("[]"),
                Just("[1, 2]"),
                Just("{ a = 1 }"),
                Just("\"\""),
                Just("2.5"),
                Just("true"),
                Just("[\"mars-1\"]"),
            ]
        )
            .prop_map(|(at, v)| Mutation::WrongValue(at, v)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
        }
        Mutation::DuplicateLine(i) => {
            if !lines.is_empty() {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
        }
        Mutation::Truncate(i) => {
            let mut cut = i % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text[..cut].to_string();
        }
        Mutation::Insert(i, s) => {
            let mut at = i % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            return format!("{}{s}{}", &text[..at], &text[at..]);
        }
        Mutation::WrongValue(i, v) => {
            let with_value: Vec<usize> = (0..lines.len())
                .filter(|&k| lines[k].contains(" = "))
                .collect();
            if !with_value.is_empty() {
                let k = with_value[i % with_value.len()];
                let key = lines[k].split(" = ").next().unwrap().to_string();
                lines[k] = format!("{key} = {v}");
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn generated_files_load_with_what_they_say(
        entries in proptest::collection::vec(entry(), 1..5),
        burst in proptest::option::of(1u64..1000),
    ) {
        let text = render(&entries, burst);
        let p = parse(FILE, &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(p.allow.len(), entries.len());
        for (rule, e) in p.allow.iter().zip(&entries) {
            prop_assert_eq!(&rule.principal, &e.principal);
            prop_assert_eq!(&rule.models, &e.models);
            prop_assert_eq!(&rule.regions, &e.regions);
            prop_assert_eq!(text.lines().nth(rule.line - 1), Some("[[allow]]"));
        }
        prop_assert_eq!(p.thresholds.access_denied_burst, burst.unwrap_or(10));
    }

    #[test]
    fn mutated_files_never_panic_and_errors_name_file_line_and_field(
        entries in proptest::collection::vec(entry(), 1..4),
        burst in proptest::option::of(1u64..100),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut text = render(&entries, burst);
        for m in &mutations {
            text = apply(&text, m);
        }
        if let Err(e) = parse(FILE, &text) {
            check_error(&text, &e)?;
        }
    }

    #[test]
    fn a_wrong_value_is_an_error_at_its_line_and_key(
        entries in proptest::collection::vec(entry(), 1..4),
        burst in proptest::option::of(1u64..100),
        at in any::<usize>(),
        value in prop_oneof![Just("[]"), Just("\"\""), Just("{ a = 1 }"), Just("0")],
    ) {
        let text = render(&entries, burst);
        let with_value: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.contains(" = ")).map(|(i, _)| i).collect();
        let k = with_value[at % with_value.len()];
        let mutated = apply(&text, &Mutation::WrongValue(at, value));
        let key = text.lines().nth(k).unwrap().split(" = ").next().unwrap().to_string();
        let e = parse(FILE, &mutated).expect_err(&mutated);
        check_error(&mutated, &e)?;
        let d = &e.diagnostics()[0];
        prop_assert_eq!(d.line, k + 1, "{}\n{}", e, mutated);
        let field = d.field.clone().unwrap();
        prop_assert!(field.ends_with(&key), "field {} for key {}: {}", field, key, e);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(\\PC|\n){0,200}") {
        if let Err(e) = parse(FILE, &text) {
            check_error(&text, &e)?;
        }
    }

    #[test]
    fn a_bad_threshold_is_reported_at_its_line(
        pad in 0usize..5,
        value in prop_oneof![Just("0"), Just("-1"), Just("\"x\""), Just("1.5")],
    ) {
        let text = format!("[[allow]]\nprincipal = \"*\"\n{}[thresholds]\nvalidation_burst = {value}\n", "\n".repeat(pad));
        let e = parse(FILE, &text).unwrap_err();
        let d = &e.diagnostics()[0];
        prop_assert_eq!(d.line, 4 + pad);
        prop_assert_eq!(d.field.as_deref(), Some("thresholds.validation_burst"));
    }
}

#[test]
fn the_example_policy_loads_with_the_default_thresholds() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/governance-policy.toml");
    let p = bedrock_meter::report::governance::policy::load(&path).unwrap();
    assert_eq!(p.allow.len(), 3);
    assert_eq!(
        p.thresholds,
        bedrock_meter::report::governance::Thresholds::default()
    );
    let app = bedrock_meter::records::Principal::from_arn(
        "arn:aws:sts::111122223333:assumed-role/data-science-lab/alice",
    );
    use bedrock_meter::report::governance::policy::Verdict;
    assert_eq!(
        p.check(&app, Some("meta.llama3-8b-instruct-v1:0"), "eu-west-1"),
        Verdict::Allowed
    );
    assert_eq!(
        p.check(&app, Some("meta.llama3-8b-instruct-v1:0"), "us-east-1"),
        Verdict::RegionNotAllowed
    );
}
