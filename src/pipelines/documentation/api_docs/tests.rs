//! Tests of API documentation coverage against hand-counted fixtures.

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, run_check_with_metrics};

/// `(items, documented, undocumented names)` of one fixture folder.
fn measure(
    rel: &str,
) -> (
    f64,
    f64,
    Vec<String>,
    crate::pipelines::testing::CheckOutcome,
) {
    let outcome = run_check_with_metrics(&SPEC, &fixture(rel), &Config::default());
    let names = outcome
        .findings
        .iter()
        .map(|f| {
            let name = f.message.split('`').nth(1).unwrap_or("").to_owned();
            let loc = f.location.as_ref().expect("a location");
            format!("{}:{} {name}", loc.path, loc.start_line().unwrap_or(0))
        })
        .collect();
    (
        outcome.metric(API_ITEMS).unwrap_or(-1.0),
        outcome.metric(API_DOCUMENTED).unwrap_or(-1.0),
        names,
        outcome,
    )
}

#[test]
fn rust_counts_match_the_hand_count() {
    let (items, documented, names, outcome) = measure("documentation/api_docs/rust");
    assert_eq!(
        (items, documented),
        (28.0, 14.0),
        "{}",
        render(&outcome.findings)
    );
    assert_eq!(
        names,
        [
            "src/bare_mod.rs:1 in_bare",
            "src/file_mod.rs:3 in_file",
            "src/lib.rs:6 undocumented",
            "src/lib.rs:20 Undocumented",
            "src/lib.rs:27 Plain",
            "src/lib.rs:34 NoDoc",
            "src/lib.rs:40 NoAlias",
            "src/lib.rs:42 NO_DOC_CONST",
            "src/lib.rs:47 four_slashes",
            "src/lib.rs:50 plain_comment",
            "src/lib.rs:62 inner_undocumented",
            "src/lib.rs:68 bare_mod",
            "src/lib.rs:72 Thing",
            "src/lib.rs:77 undocumented_method",
        ]
    );
    assert_eq!(outcome.metric(API_COVERAGE), Some(50.0));
    assert_eq!(
        outcome.metric("documentation.api_coverage.rust"),
        Some(50.0)
    );
    insta::assert_snapshot!(render(&outcome.findings));
}

#[test]
fn python_counts_match_the_hand_count() {
    let (items, documented, names, outcome) = measure("documentation/api_docs/python");
    assert_eq!(
        (items, documented),
        (11.0, 5.0),
        "{}",
        render(&outcome.findings)
    );
    assert_eq!(
        names,
        [
            "pkg/module.py:8 undocumented",
            "pkg/module.py:22 Documented.undocumented_method",
            "pkg/module.py:43 decorated_undocumented",
            "pkg/module.py:47 Undocumented",
            "pkg/with_all.py:4 exported",
            "pkg/with_all.py:15 Exported.method",
        ]
    );
    assert_eq!(
        outcome.metric("documentation.api_coverage.python"),
        Some(100.0 * 5.0 / 11.0)
    );
}

#[test]
fn javascript_counts_match_the_hand_count() {
    let (items, documented, names, _) = measure("documentation/api_docs/js");
    assert_eq!((items, documented), (6.0, 3.0));
    assert_eq!(
        names,
        [
            "lib.js:4 undocumented",
            "lib.js:7 plain",
            "lib.js:14 default"
        ]
    );
}

#[test]
fn typescript_counts_match_the_hand_count() {
    let (items, documented, names, _) = measure("documentation/api_docs/ts");
    assert_eq!((items, documented), (7.0, 3.0));
    assert_eq!(
        names,
        [
            "types.ts:6 Undocumented",
            "types.ts:13 NoDoc",
            "types.ts:15 Color",
            "types.ts:22 load"
        ]
    );
}

#[test]
fn all_languages_together_and_the_findings_cap() {
    let (items, documented, names, outcome) = measure("documentation/api_docs");
    assert_eq!((items, documented), (52.0, 25.0));
    assert_eq!(names.len(), 27);
    assert_eq!(outcome.metric(API_COVERAGE), Some(100.0 * 25.0 / 52.0));

    let mut config = Config::default();
    config.documentation.api_docs.max_findings = 5;
    let capped = run_check_with_metrics(&SPEC, &fixture("documentation/api_docs"), &config);
    assert_eq!(capped.findings.len(), 5);
    assert_eq!(
        capped.metric(API_ITEMS),
        Some(52.0),
        "the metric still counts everything"
    );
}

#[test]
fn excludes_can_be_replaced() {
    let mut config = Config::default();
    config.documentation.api_docs.exclude = Vec::new();
    let outcome = run_check_with_metrics(&SPEC, &fixture("documentation/api_docs/rust"), &config);
    // tests/it.rs now counts: one more undocumented item.
    assert_eq!(outcome.metric(API_ITEMS), Some(29.0));
}

#[test]
fn no_sources_is_a_skip_not_a_zero() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("README.md"), "# x\n").expect("write");
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &Config::default());
    assert!(outcome.metric(API_COVERAGE).is_none());
}

#[test]
fn module_files_follow_rust_rules() {
    assert_eq!(
        module_files("src/lib.rs", "a"),
        ["src/a.rs", "src/a/mod.rs"]
    );
    assert_eq!(
        module_files("src/x/mod.rs", "a"),
        ["src/x/a.rs", "src/x/a/mod.rs"]
    );
    assert_eq!(
        module_files("src/x.rs", "a"),
        ["src/x/a.rs", "src/x/a/mod.rs"]
    );
    assert_eq!(module_files("main.rs", "a"), ["a.rs", "a/mod.rs"]);
}

#[test]
fn broken_sources_do_not_fail() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("bad.rs"),
        "pub fn (((\n/// doc\npub fn ok() {}\n",
    )
    .expect("write");
    std::fs::write(tmp.path().join("bad.py"), "def (:\n").expect("write");
    std::fs::write(tmp.path().join("latin1.js"), b"export const x = '\xe9';\n").expect("write");
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &Config::default());
    assert!(outcome.metric(API_ITEMS).is_some());
}
