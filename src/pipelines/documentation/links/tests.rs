//! Tests of the links check: the fixture's answer list, metrics, and trees built on the fly
//! for git-ignored, excluded and symlinked targets.

use std::collections::BTreeSet;

use super::*;
use crate::config::Config;
use crate::model::Finding;
use crate::pipelines::testing::{fixture, render, run_check, run_check_with_metrics};

/// `(path, line, rule)` of each finding.
fn places(findings: &[Finding]) -> BTreeSet<(String, u32, String)> {
    findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().expect("links findings have a location");
            (
                loc.path.clone(),
                loc.start_line().expect("and a line"),
                f.rule_id.clone(),
            )
        })
        .collect()
}

/// The rows of an answer list: `path<TAB>line<TAB>rule`, `#` comments skipped.
fn answer_list(rel: &str) -> BTreeSet<(String, u32, String)> {
    let text = std::fs::read_to_string(fixture(rel)).expect("answer list");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "bad row {l:?}");
            (
                cols[0].to_owned(),
                cols[1].parse().expect("a line number"),
                cols[2].to_owned(),
            )
        })
        .collect()
}

#[test]
fn fixture_answer_list() {
    let outcome = run_check_with_metrics(
        &SPEC,
        &fixture("documentation/links/tree"),
        &Config::default(),
    );
    let expected = answer_list("documentation/links/EXPECTED.tsv");
    let got = places(&outcome.findings);
    let missed: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed: {missed:#?}\nreported but valid: {extra:#?}\n{}",
        render(&outcome.findings)
    );
    assert_eq!(
        outcome.findings.len(),
        expected.len(),
        "one finding per broken reference"
    );
    insta::assert_snapshot!(render(&outcome.findings));

    let total = outcome.metric(LINKS_TOTAL).expect("links total");
    assert!(total >= 60.0, "the fixture has {total} checked links");
    assert_eq!(outcome.metric(LINKS_BROKEN), Some(expected.len() as f64));
    assert_eq!(outcome.metric(REFERENCES_TOTAL), Some(total));
    assert_eq!(
        outcome.metric(REFERENCES_BROKEN),
        Some(expected.len() as f64)
    );
    let anchor_rows = expected.iter().filter(|r| r.2 == "broken-anchor").count();
    assert_eq!(outcome.metric(ANCHORS_BROKEN), Some(anchor_rows as f64));
}

#[test]
fn messages_say_what_is_wrong() {
    let findings = run_check(
        &SPEC,
        &fixture("documentation/links/tree"),
        &Config::default(),
    );
    let message = |needle: &str| {
        findings
            .iter()
            .find(|f| f.message.contains(needle))
            .map(|f| (f.message.clone(), f.help.clone().unwrap_or_default()))
            .unwrap_or_else(|| panic!("no finding mentions {needle}: {}", render(&findings)))
    };
    assert_eq!(message("upper.md").0, "`docs/upper.md` does not exist");
    assert_eq!(
        message("instalation").0,
        "`docs/guide.md#instalation`: `docs/guide.md` has no heading or anchor `#instalation`"
    );
    assert_eq!(
        message("#L21").0,
        "`src/lib.rs#L21`: `src/lib.rs` has only 20 line(s)"
    );
    assert_eq!(
        message("guide.md/").0,
        "`docs/guide.md/` is a file, not a folder"
    );
    assert_eq!(
        message("#nowhere").0,
        "`#nowhere`: this page has no heading or anchor `#nowhere`"
    );
    assert_eq!(
        message("missing-in-quote").0,
        "`missing-in-quote.md` (`docs/missing-in-quote.md`) does not exist"
    );
}

#[test]
fn suggests_the_slug_of_a_heading_written_as_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("a.md"),
        "# Getting Started\n\n[x](#Getting%20Started!) [y](#getting-started)\n",
    )
    .expect("write");
    let findings = run_check(&SPEC, tmp.path(), &Config::default());
    assert_eq!(findings.len(), 1, "{}", render(&findings));
    assert!(
        findings[0]
            .help
            .as_deref()
            .is_some_and(|h| h.starts_with("Did you mean `#getting-started`?")),
        "{:?}",
        findings[0].help
    );
}

#[test]
fn ignored_excluded_and_symlinked_targets() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::create_dir_all(root.join("build")).expect("mkdir");
    std::fs::create_dir_all(root.join("vendor/lib")).expect("mkdir");
    std::fs::write(root.join(".gitignore"), "build/\n").expect("write");
    std::fs::write(root.join("build/out.html"), "x").expect("write");
    std::fs::write(root.join("vendor/lib/README.md"), "# Vendor\n").expect("write");
    std::fs::write(root.join("real.md"), "# Real\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink("real.md", root.join("alias.md")).expect("symlink");
    std::fs::write(
        root.join("README.md"),
        "[built](build/out.html)\n[vendored](vendor/lib/README.md)\n[alias](alias.md)\n[gone](gone.md)\n",
    )
    .expect("write");
    let mut config = Config::default();
    config.paths.exclude = vec!["vendor/".to_owned()];
    let outcome = run_check_with_metrics(&SPEC, root, &config);
    insta::assert_snapshot!(render(&outcome.findings), @r"
    README.md:1:1 broken-link medium `build/out.html` is ignored by git, so it is not in the repository
    README.md:4:1 broken-link medium `gone.md` does not exist
    ");
    assert_eq!(outcome.findings.len(), 2);
    assert_eq!(outcome.metric(LINKS_TOTAL), Some(4.0));
}

#[test]
fn excluded_targets_and_disabled_line_anchors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("code.rs"), "fn main() {}\n").expect("write");
    std::fs::write(
        tmp.path().join("README.md"),
        "[a](generated/api.md) [b](code.rs#L99) [c](missing.md)\n",
    )
    .expect("write");
    let mut config = Config::default();
    config.documentation.links.exclude = vec![crate::config::schema::RegexPattern(
        "^generated/".to_owned(),
    )];
    config.documentation.links.line_anchors = false;
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &config);
    assert_eq!(
        crate::pipelines::testing::rule_ids(&outcome.findings),
        ["broken-link"]
    );
    assert_eq!(outcome.metric(LINKS_TOTAL), Some(2.0));
}

#[test]
fn a_page_without_links_reports_zero_metrics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("README.md"), "# Nothing\n").expect("write");
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &Config::default());
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.metric(LINKS_TOTAL), Some(0.0));
    assert_eq!(outcome.metric(REFERENCES_TOTAL), Some(0.0));
}

#[test]
fn line_counts() {
    assert_eq!(line_count(""), 0);
    assert_eq!(line_count("a"), 1);
    assert_eq!(line_count("a\n"), 1);
    assert_eq!(line_count("a\nb"), 2);
}
