//! Fixture tests: every planted risk fires exactly where expected, the safe forms stay quiet.

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, run_check};

/// Every finding expected on `fixtures/security/workflows/fires`: (path, line, rule).
const FIRES: &[(&str, u32, &str)] = &[
    (
        ".github/actions/setup/action.yml",
        9,
        "checkout-persist-credentials",
    ),
    (".github/actions/setup/action.yml", 9, "unpinned-action"),
    (".github/actions/setup/action.yml", 12, "template-injection"),
    (".github/actions/setup/action.yml", 13, "template-injection"),
    (
        ".github/workflows/anchors.yml",
        9,
        "checkout-persist-credentials",
    ),
    (".github/workflows/anchors.yml", 10, "unpinned-action"),
    (
        ".github/workflows/broad-permissions.yaml",
        4,
        "excessive-permissions",
    ),
    (
        ".github/workflows/broad-permissions.yaml",
        5,
        "excessive-permissions",
    ),
    (".github/workflows/broken.yml", 5, "unparseable-workflow"),
    (
        ".github/workflows/comment-ops.yml",
        14,
        "dangerous-trigger-checkout",
    ),
    (".github/workflows/empty.yml", 1, "unparseable-workflow"),
    (".github/workflows/injection.yml", 10, "template-injection"),
    (".github/workflows/injection.yml", 14, "template-injection"),
    (".github/workflows/injection.yml", 15, "template-injection"),
    (".github/workflows/injection.yml", 19, "template-injection"),
    (".github/workflows/injection.yml", 23, "template-injection"),
    (".github/workflows/injection.yml", 24, "template-injection"),
    (".github/workflows/injection.yml", 25, "template-injection"),
    (".github/workflows/injection.yml", 25, "template-injection"),
    (".github/workflows/injection.yml", 26, "template-injection"),
    (".github/workflows/injection.yml", 27, "template-injection"),
    (
        ".github/workflows/matrix-layout.yml",
        10,
        "self-hosted-public-trigger",
    ),
    (
        ".github/workflows/matrix-layout.yml",
        14,
        "template-injection",
    ),
    (".github/workflows/read-all.yml", 2, "excessive-permissions"),
    (
        ".github/workflows/permissions.yml",
        5,
        "missing-permissions",
    ),
    (
        ".github/workflows/permissions.yml",
        11,
        "excessive-permissions",
    ),
    (
        ".github/workflows/persist.yml",
        8,
        "checkout-persist-credentials",
    ),
    (
        ".github/workflows/persist.yml",
        9,
        "checkout-persist-credentials",
    ),
    (
        ".github/workflows/pwn-request.yml",
        13,
        "dangerous-trigger-checkout",
    ),
    (
        ".github/workflows/pwn-request.yml",
        21,
        "dangerous-trigger-checkout",
    ),
    (
        ".github/workflows/pwn-request.yml",
        25,
        "dangerous-trigger-checkout",
    ),
    (
        ".github/workflows/secrets-inherit.yml",
        7,
        "secrets-inherit",
    ),
    (
        ".github/workflows/self-hosted.yml",
        8,
        "self-hosted-public-trigger",
    ),
    (
        ".github/workflows/self-hosted.yml",
        12,
        "self-hosted-public-trigger",
    ),
    (
        ".github/workflows/self-hosted.yml",
        18,
        "self-hosted-public-trigger",
    ),
    (
        ".github/workflows/self-hosted.yml",
        24,
        "self-hosted-public-trigger",
    ),
    (".github/workflows/unpinned.yml", 10, "unpinned-action"),
    (".github/workflows/unpinned.yml", 13, "unpinned-action"),
    (".github/workflows/unpinned.yml", 14, "unpinned-action"),
    (".github/workflows/unpinned.yml", 15, "unpinned-action"),
    (".github/workflows/unpinned.yml", 16, "unpinned-action"),
    (".github/workflows/unpinned.yml", 17, "unpinned-action"),
    (".github/workflows/unpinned.yml", 18, "unpinned-action"),
    (".github/workflows/unpinned.yml", 19, "unpinned-action"),
    (".github/workflows/unpinned.yml", 23, "unpinned-action"),
    (
        ".github/workflows/workflow-run.yml",
        14,
        "dangerous-trigger-checkout",
    ),
    (
        ".github/workflows/write-all.yml",
        2,
        "excessive-permissions",
    ),
    ("docker-action/action.yaml", 4, "unpinned-action"),
];

fn triples(findings: &[Finding]) -> Vec<(String, u32, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            let loc = f
                .location
                .as_ref()
                .expect("workflow findings have a location");
            (
                loc.path.clone(),
                loc.start_line().expect("workflow findings have a line"),
                f.rule_id.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fires_on_every_planted_risk() {
    let findings = run_check(
        &SPEC,
        &fixture("security/workflows/fires"),
        &Config::default(),
    );
    let mut expected: Vec<_> = FIRES
        .iter()
        .map(|(p, l, r)| ((*p).to_owned(), *l, (*r).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(triples(&findings), expected);
    insta::assert_snapshot!("workflows_fires", render(&findings));
}

#[test]
fn decoys_are_quiet() {
    let findings = run_check(
        &SPEC,
        &fixture("security/workflows/decoys"),
        &Config::default(),
    );
    assert_eq!(render(&findings), "");
}

#[test]
fn every_rule_fires_in_the_fixture() {
    let findings = run_check(
        &SPEC,
        &fixture("security/workflows/fires"),
        &Config::default(),
    );
    for rule in RULES {
        assert!(
            findings.iter().any(|f| f.rule_id == rule.id),
            "rule {} never fires",
            rule.id
        );
    }
}

#[test]
fn severities_follow_the_documented_grades() {
    let findings = run_check(
        &SPEC,
        &fixture("security/workflows/fires"),
        &Config::default(),
    );
    let severity_at = |path: &str, line: u32| {
        findings
            .iter()
            .filter(|f| {
                f.location
                    .as_ref()
                    .is_some_and(|l| l.path.ends_with(path) && l.start_line() == Some(line))
            })
            .map(|f| f.severity)
            .max()
    };
    // first-party tag, first-party branch, third-party tag, third-party branch, no ref
    assert_eq!(severity_at("unpinned.yml", 10), Some(Severity::Low));
    assert_eq!(severity_at("unpinned.yml", 13), Some(Severity::Medium));
    assert_eq!(severity_at("unpinned.yml", 14), Some(Severity::Medium));
    assert_eq!(severity_at("unpinned.yml", 15), Some(Severity::High));
    assert_eq!(severity_at("unpinned.yml", 16), Some(Severity::High));
    assert_eq!(severity_at("permissions.yml", 11), Some(Severity::High));
    assert_eq!(severity_at("pwn-request.yml", 13), Some(Severity::Critical));
    assert_eq!(severity_at("injection.yml", 26), Some(Severity::Low));
}

#[test]
fn injection_points_at_the_expression_inside_a_block() {
    let findings = audit_file(
        ".github/workflows/x.yml",
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo ok\n          echo \"${{ github.event.issue.body }}\"\n",
        DocKind::Workflow,
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    let region = findings[0]
        .location
        .as_ref()
        .and_then(|l| l.region.clone())
        .expect("region");
    assert_eq!(region.start_line, 9);
    assert_eq!(region.start_column, Some(17));
}

#[test]
fn fingerprints_survive_moved_lines() {
    let text =
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: foo/bar@v1\n";
    let moved = format!("# a new comment\n\n{text}");
    let fp = |t: &str| {
        audit_file(".github/workflows/x.yml", t, DocKind::Workflow)
            .into_iter()
            .map(|f| (f.rule_id, f.fingerprint))
            .collect::<Vec<_>>()
    };
    assert_eq!(fp(text), fp(&moved));
    assert_eq!(fp(text).len(), 2);
}

#[test]
fn only_workflow_and_action_files_are_wanted() {
    assert_eq!(
        doc_kind(".github/workflows/ci.yml"),
        Some(DocKind::Workflow)
    );
    assert_eq!(
        doc_kind("sub/.github/workflows/ci.yaml"),
        Some(DocKind::Workflow)
    );
    assert_eq!(doc_kind("action.yml"), Some(DocKind::Action));
    assert_eq!(doc_kind("a/b/action.yaml"), Some(DocKind::Action));
    assert_eq!(doc_kind(".github/workflows/sub/ci.yml"), None);
    assert_eq!(doc_kind(".github/dependabot.yml"), None);
    assert_eq!(doc_kind(".github/workflows/README.md"), None);
}

#[test]
fn hostile_input_is_a_finding_not_a_panic() {
    for text in [
        "\u{0}\u{1}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "on: push\njobs: *undefined\n",
        "jobs:\n  a:\n    steps: [{run: \"${{ github.event.issue.title\"}]\n",
        "on: [push\n",
        "- just\n- a list\n",
        "jobs:\n  a:\n    steps:\n      - run: 'é ${{ github.event.issue.title }} ü'\n",
    ] {
        let findings = audit_file(".github/workflows/x.yml", text, DocKind::Workflow);
        for f in &findings {
            assert!(f.location.is_some(), "{text:?}: {f:?}");
        }
    }
}
