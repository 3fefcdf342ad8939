//! Tests of the references check: the fixture's answer list, metrics, and small trees for the
//! cases where nothing can be known.

use super::*;
use crate::config::Config;
use crate::model::Finding;
use crate::pipelines::testing::{fixture, render, run_check, run_check_with_metrics};

/// `(path, line, column, rule)` of each finding, sorted.
fn places(findings: &[Finding]) -> Vec<(String, u32, u32, String)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().expect("a location");
            let region = loc.region.as_ref().expect("a region");
            (
                loc.path.clone(),
                region.start_line,
                region.start_column.expect("a column"),
                f.rule_id.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn answer_list(rel: &str) -> Vec<(String, u32, u32, String)> {
    let text = std::fs::read_to_string(fixture(rel)).expect("answer list");
    let mut v: Vec<_> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 4, "bad row {l:?}");
            (
                c[0].to_owned(),
                c[1].parse().expect("line"),
                c[2].parse().expect("column"),
                c[3].to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn fixture_answer_list() {
    let outcome = run_check_with_metrics(
        &SPEC,
        &fixture("documentation/references/tree"),
        &Config::default(),
    );
    let expected = answer_list("documentation/references/EXPECTED.tsv");
    assert_eq!(
        places(&outcome.findings),
        expected,
        "{}",
        render(&outcome.findings)
    );
    insta::assert_snapshot!(render(&outcome.findings));
    let paths_broken = expected
        .iter()
        .filter(|r| r.3 == "missing-referenced-path")
        .count();
    assert_eq!(outcome.metric(PATHS_BROKEN), Some(paths_broken as f64));
    assert_eq!(
        outcome.metric(COMMANDS_BROKEN),
        Some((expected.len() - paths_broken) as f64)
    );
    // Counted by hand from the fixture. Paths: 11 in inline code (7 in the README — three
    // spellings of src/main.rs, src/missing.rs, scripts/, scripts/gone/, src/Main.rs — and 4 in
    // the guide) and 16 run as scripts (4 inline commands, 8 in the bash block, ./start.sh,
    // gen.py in the unlabelled session, setup.sh after `cd tool`, the guide's ./build.sh).
    // Named commands: 8 inline, 14 in the bash block (`yarn eslint` is a dependency's binary,
    // not counted), 2 in the console block.
    assert_eq!(outcome.metric(PATHS_TOTAL), Some(27.0));
    assert_eq!(outcome.metric(COMMANDS_TOTAL), Some(24.0));
    assert_eq!(outcome.metric(REFERENCES_TOTAL), Some(51.0));
}

#[test]
fn commands_for_manifests_the_repository_lacks_are_not_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("README.md"),
        "```sh\nnpm run build\nmake deploy\njust x\ncargo run --bin y\n./missing.sh\n```\n",
    )
    .expect("write");
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &Config::default());
    assert_eq!(
        render(&outcome.findings),
        "README.md:6:1 missing-referenced-path medium `./missing.sh`: `missing.sh` does not exist\n"
    );
    assert_eq!(outcome.metric(COMMANDS_TOTAL), Some(0.0));
    assert_eq!(outcome.metric(PATHS_TOTAL), Some(1.0));
}

#[test]
fn broken_manifests_are_notes_not_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("package.json"), "{ not json").expect("write");
    std::fs::write(tmp.path().join("README.md"), "`npm run build`\n").expect("write");
    let outcome = run_check_with_metrics(&SPEC, tmp.path(), &Config::default());
    // The only package.json cannot be read: its scripts are unknown, so nothing is reported
    // or counted (the run's note names the file).
    assert!(outcome.findings.is_empty(), "{}", render(&outcome.findings));
    assert_eq!(outcome.metric(COMMANDS_TOTAL), Some(0.0));
}

#[test]
fn switches_turn_sources_off() {
    let mut config = Config::default();
    config.documentation.references.inline_code = false;
    config.documentation.references.shell_blocks = false;
    let findings = run_check(&SPEC, &fixture("documentation/references/tree"), &config);
    assert!(findings.is_empty(), "{}", render(&findings));
}

#[test]
fn inline_spans() {
    for ok in [
        "src/main.rs",
        "docs/",
        "./a/b.md",
        "src/walk.rs:42",
        "src/walk.rs:42:7",
        "src/a.rs#L3",
        "../x/y",
    ] {
        assert!(path_like(ok).is_some(), "{ok}");
    }
    for not in [
        "main.rs",
        "text html",
        "a/*.rs",
        "owner/x@v1",
        "$HOME/x",
        "/etc/hosts",
        "~/x",
        "a::b/c",
        "https://x.io/a",
        "-f/x",
        "src/<x>.rs",
        "a//b",
        "src/...",
    ] {
        assert!(path_like(not).is_none(), "{not}");
    }
    assert_eq!(path_like("src/walk.rs:42"), Some("src/walk.rs"));
    assert!(inline_command("make lint").is_some());
    assert!(inline_command("$ python x.py").is_some());
    assert!(inline_command("./run.sh").is_some());
    assert!(inline_command("cd docs").is_none());
    assert!(inline_command("make").is_none());
    assert!(inline_command("the make tool").is_none());
}
