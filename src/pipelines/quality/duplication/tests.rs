//! Tests of the duplication check on its fixtures: planted clones found at their exact places,
//! decoys that must stay silent (and would not, were they not what they are), the settings,
//! fingerprints that survive moves and renames, and hostile input.

use std::path::Path;

use super::*;
use crate::config::Config;
use crate::model::Finding;
use crate::pipelines::testing::{CheckOutcome, fixture, run_check_with_metrics};

/// `path:start-end` of every copy of a finding, first copy first.
fn copies(f: &Finding) -> Vec<String> {
    f.location
        .iter()
        .chain(f.related.iter())
        .map(|l| {
            let r = l.region.as_ref().expect("copies have a region");
            let end = r.end_line.expect("copies have an end line");
            format!("{}:{}-{end}", l.path, r.start_line)
        })
        .collect()
}

/// One line per finding: severity, message, then every copy.
fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}\n    {}\n",
                f.severity,
                f.message,
                copies(f).join(" = ")
            )
        })
        .collect()
}

fn run(dir: &Path, config: &Config) -> CheckOutcome {
    run_check_with_metrics(&SPEC, dir, config)
}

fn config(edit: impl FnOnce(&mut crate::config::schema::DuplicationConfig)) -> Config {
    let mut config = Config::default();
    edit(&mut config.quality.duplication);
    config
}

/// Write `files` (path, content) under a fresh temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture("quality/duplication").join(rel)).expect("fixture")
}

#[test]
fn fires() {
    let out = run(&fixture("quality/duplication/fires"), &Config::default());
    insta::assert_snapshot!(render(&out.findings));
    let found: Vec<Vec<String>> = out.findings.iter().map(copies).collect();
    assert_eq!(
        found,
        [
            // Python, across files: variables renamed, literals changed, a comment inserted.
            ["app/invoices.py:11-21", "app/orders.py:7-16"],
            // Rust, across files: renamed, other literals and comments, shifted lines.
            ["src/billing.rs:6-16", "src/shipping.rs:17-27"],
            // Rust, within one file.
            ["src/report.rs:4-14", "src/report.rs:17-27"],
            // JavaScript and TypeScript are one family; the typed signatures differ.
            ["web/cart.js:4-15", "web/checkout.ts:7-18"],
        ]
    );
    assert!(out.findings.iter().all(|f| f.severity == Severity::Info));
    let tokens: Vec<u64> = out
        .findings
        .iter()
        .map(|f| f.properties["tokens"].as_u64().expect("a count"))
        .collect();
    assert_eq!(tokens, [76, 93, 100, 62]);
    // Counted by hand in the README: 112 code lines, 88 of them in a copy.
    assert_eq!(out.metric(DUPLICATED_LINES), Some(88.0));
    assert_eq!(out.metric(DUPLICATION), Some(78.57));
    assert_eq!(out.metric(DUPLICATED_BLOCKS), Some(8.0));
}

#[test]
fn decoys() {
    let out = run(&fixture("quality/duplication/decoys"), &Config::default());
    insta::assert_snapshot!(render(&out.findings), @"");
    assert_eq!(out.findings.len(), 0);
    assert_eq!(out.metric(DUPLICATED_LINES), Some(0.0));
    assert_eq!(out.metric(DUPLICATION), Some(0.0));
    assert_eq!(out.metric(DUPLICATED_BLOCKS), Some(0.0));
}

#[test]
fn decoys_fire_once_they_are_ordinary_files() {
    // The vendored and minified copies of pad.js, under ordinary names.
    let pad = read("decoys/pad.js");
    let copy = tree(&[
        ("pad.js", &pad),
        ("lib/pad_copy.js", &read("decoys/vendor/left-pad/index.js")),
        ("lib/pad_min.js", &read("decoys/static/pad.min.js")),
    ]);
    let found = run(copy.path(), &Config::default()).findings;
    assert_eq!(found.len(), 1, "{}", render(&found));
    // The one-line copy spans fewer than min_lines lines, so it is not a copy of the block.
    assert_eq!(copies(&found[0]), ["lib/pad_copy.js:2-13", "pad.js:2-13"]);

    // The generated files without their generator's marker.
    let strip = |rel: &str| read(rel).lines().skip(1).collect::<Vec<_>>().join("\n");
    let unmarked = tree(&[
        ("schema.rs", &strip("decoys/codegen/schema.rs")),
        ("admin.rs", &strip("decoys/codegen/admin.rs")),
        ("api.go", &read("decoys/codegen/api.pb.go")),
        ("events.go", &read("decoys/codegen/events.pb.go")),
    ]);
    let found = run(unmarked.path(), &Config::default()).findings;
    assert_eq!(found.len(), 2, "{}", render(&found));

    // The same Java text under a Java name: a clone.
    let java = tree(&[
        ("Sum.java", &read("decoys/families/Sum.java")),
        ("Total.java", &read("decoys/families/Sum.cs")),
    ]);
    assert_eq!(run(java.path(), &Config::default()).findings.len(), 1);

    // The one-line expression, broken over lines.
    let spread = |rel: &str| read(rel).replace(" + ", "\n        + ");
    let lines = tree(&[
        ("a.rs", &spread("decoys/oneline/a.rs")),
        ("b.rs", &spread("decoys/oneline/b.rs")),
    ]);
    assert_eq!(run(lines.path(), &Config::default()).findings.len(), 1);
}

#[test]
fn thresholds_and_excludes_are_honoured() {
    let fires = fixture("quality/duplication/fires");
    let places = |config: &Config| -> Vec<String> {
        run(&fires, config)
            .findings
            .iter()
            .map(|f| copies(f)[0].clone())
            .collect()
    };
    assert_eq!(
        places(&config(|d| d.min_tokens = 80)),
        ["src/billing.rs:6-16", "src/report.rs:4-14"]
    );
    // Every copy must span min_lines lines: 12 and 12 for the JavaScript pair only.
    assert_eq!(places(&config(|d| d.min_lines = 12)), ["web/cart.js:4-15"]);
    let rust_only = config(|d| d.exclude = vec!["*.py".into(), "web/**".into()]);
    assert_eq!(
        places(&rust_only),
        ["src/billing.rs:6-16", "src/report.rs:4-14"]
    );
    // Excluded files leave the percentage too: 44 of the 52 Rust code lines.
    assert_eq!(run(&fires, &rust_only).metric(DUPLICATION), Some(84.62));
}

#[test]
fn invalid_exclude_glob_is_an_error_naming_the_key() {
    let ctx_config = config(|d| d.exclude = vec!["a/{b".into()]);
    let ctx = CheckContext {
        root: Path::new("."),
        config: &ctx_config,
        offline: true,
        git_history: false,
        online: false,
        advisories: Default::default(),
        diff_base: None,
        cache_dir: None,
    };
    let err = (SPEC.build)(&ctx).err().expect("an invalid glob fails");
    assert!(
        format!("{err:#}").contains("quality.duplication.exclude"),
        "{err:#}"
    );
}

#[test]
fn large_clones_are_more_severe() {
    const TEMPLATES: [&str; 7] = [
        "let v = compute(input, 1) * scale;",
        "if state.ready() { total += 2; }",
        "for k in 0..3 { acc = acc.wrapping_add(k); }",
        "match code { 4 => return None, _ => {} }",
        "while count < 5 { count += step; }",
        "out.push(format!(\"{}\", v));",
        "let w = [a, b, c].iter().sum::<u32>();",
    ];
    let mut x = 7u32;
    let body: String = (0..60)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            format!("    {}\n", TEMPLATES[(x >> 16) as usize % TEMPLATES.len()])
        })
        .collect();
    let long = format!("pub fn a(input: u32) -> u32 {{\n{body}    0\n}}\n");
    let copy = tree(&[("a.rs", &long), ("b.rs", &long.replace("fn a", "fn b"))]);
    let found = run(copy.path(), &Config::default()).findings;
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert_eq!(copies(&found[0]), ["a.rs:1-63", "b.rs:1-63"]);
    assert_eq!(found[0].severity, Severity::Low);
    assert!(
        found[0].message.starts_with("63 lines ("),
        "{}",
        found[0].message
    );

    // Sixty statements of one shape are a repetitive stretch, not a block worth reporting.
    let like: String = (0..60)
        .map(|i| format!("    let v{i} = compute(input, {i}) * scale + offset_{i}(state);\n"))
        .collect();
    let like = format!("pub fn a(input: u32) -> u32 {{\n{like}    0\n}}\n");
    let copy = tree(&[("a.rs", &like), ("b.rs", &like)]);
    assert_eq!(run(copy.path(), &Config::default()).findings.len(), 0);
}

#[test]
fn fingerprints_survive_moves_and_renames() {
    let billing = read("fires/src/billing.rs");
    let shipping = read("fires/src/shipping.rs");
    let fingerprint = |billing: &str, shipping: &str| -> (String, Vec<String>) {
        let dir = tree(&[("billing.rs", billing), ("shipping.rs", shipping)]);
        let found = run(dir.path(), &Config::default()).findings;
        assert_eq!(found.len(), 1, "{}", render(&found));
        (found[0].fingerprint.clone(), copies(&found[0]))
    };
    let (before, at_before) = fingerprint(&billing, &shipping);
    let moved = format!("const UNRELATED: u8 = 7;\n\n\n\n{billing}");
    let renamed = shipping.replace("weight", "mass_total");
    let (after, at_after) = fingerprint(&moved, &renamed);
    assert_eq!(before, after);
    assert_eq!(at_before, ["billing.rs:6-16", "shipping.rs:17-27"]);
    assert_eq!(at_after, ["billing.rs:10-20", "shipping.rs:17-27"]);
}

#[test]
fn hostile_input_is_data_not_a_crash() {
    let mut binary_ish = b"fn f() { \xff\xfe \"unterminated\n".to_vec();
    binary_ish.extend(std::iter::repeat_n(b'(', 100_000));
    let dir = tree(&[
        ("empty.py", ""),
        ("comments.js", "// only\n/* comments */\n"),
        ("open.rs", &"/*".repeat(10_000)),
        ("quotes.py", &"'''".repeat(1_001)),
        ("long.c", &"x+".repeat(200_000)),
    ]);
    std::fs::write(dir.path().join("latin1.rs"), &binary_ish).expect("write");
    let out = run(dir.path(), &Config::default());
    assert_eq!(out.findings.len(), 0, "{}", render(&out.findings));
    assert_eq!(out.metric(DUPLICATION), Some(0.0));
}

#[test]
fn a_tree_without_source_is_skipped_with_a_reason() {
    let dir = tree(&[("README.md", "# title\n"), ("data.json", "{}")]);
    let root = dir.path().canonicalize().expect("canonical");
    let config = Config::default();
    let ctx = CheckContext {
        root: &root,
        config: &config,
        offline: true,
        git_history: false,
        online: false,
        advisories: Default::default(),
        diff_base: None,
        cache_dir: None,
    };
    let Ok(Built::Ready(check)) = (SPEC.build)(&ctx) else {
        panic!("the check builds");
    };
    let mut sink = Sink::default();
    check
        .check_repo(&ctx, &FileIndex::default(), &mut sink)
        .expect("no error");
    assert!(sink.skipped.is_some_and(|s| s.contains("no source file")));
    assert!(sink.metrics.is_empty());
}

#[test]
fn only_the_largest_clone_classes_become_findings_past_the_limit() {
    let class = |len: u32, copies: u32| CloneClass {
        spans: (0..copies)
            .map(|file| Span {
                file,
                start: 0,
                len,
            })
            .collect(),
    };
    // Duplicated tokens: 50, 300, 50, 120.
    let classes = [class(50, 2), class(100, 4), class(50, 2), class(60, 3)];
    assert_eq!(largest_classes(&classes, 10), [0, 1, 2, 3]);
    // The two largest, in their original order; of equal weights the earlier wins.
    assert_eq!(largest_classes(&classes, 2), [1, 3]);
    assert_eq!(largest_classes(&classes, 3), [0, 1, 3]);
}
