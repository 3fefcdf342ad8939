//! Tests of the `junit` check on real and hand-written reports of five runners.

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{CheckOutcome, fixture, render, rule_ids, run_check_with_metrics};

fn run(dir: &str) -> CheckOutcome {
    run_check_with_metrics(
        &SPEC,
        &fixture(&format!("integration/junit/{dir}")),
        &Config::default(),
    )
}

/// `(total, passed, failed, errors, skipped)` of an outcome.
fn counts(o: &CheckOutcome) -> [Option<f64>; 5] {
    [
        o.metric(METRIC_TOTAL),
        o.metric(METRIC_PASSED),
        o.metric(METRIC_FAILED),
        o.metric(METRIC_ERRORS),
        o.metric(METRIC_SKIPPED),
    ]
}

fn some(v: [f64; 5]) -> [Option<f64>; 5] {
    v.map(Some)
}

#[test]
fn pytest_report() {
    let o = run("pytest");
    assert_eq!(counts(&o), some([5.0, 2.0, 1.0, 1.0, 1.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(50.0));
    assert_eq!(o.metric(METRIC_RELIABILITY), Some(50.0));
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn nextest_report_with_retries() {
    let o = run("nextest");
    // nextest leaves `#[ignore]`d tests out of its JUnit output.
    assert_eq!(counts(&o), some([3.0, 2.0, 1.0, 0.0, 0.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(66.67));
    assert_eq!(o.metric(METRIC_RELIABILITY), Some(33.33));
    assert_eq!(rule_ids(&o.findings), ["flaky-test", "test-failure"]);
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn jest_junit_report() {
    let o = run("jest");
    assert_eq!(counts(&o), some([5.0, 3.0, 1.0, 0.0, 1.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(75.0));
    assert_eq!(o.metric(METRIC_SLOWEST), Some(871.0));
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn surefire_report() {
    let o = run("surefire");
    assert_eq!(counts(&o), some([6.0, 3.0, 1.0, 1.0, 1.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(60.0));
    assert_eq!(o.metric(METRIC_RELIABILITY), Some(40.0));
    // `time="1,203.5"`: Surefire groups thousands with a comma.
    assert_eq!(o.metric(METRIC_SLOWEST), Some(1_203_500.0));
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn go_junit_report() {
    let o = run("go");
    assert_eq!(counts(&o), some([4.0, 2.0, 1.0, 0.0, 1.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(66.67));
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn flaky_across_reports_counts_once_as_passed() {
    let o = run("flaky");
    assert_eq!(counts(&o), some([2.0, 2.0, 0.0, 0.0, 0.0]));
    assert_eq!(o.metric(METRIC_PASS_RATE), Some(100.0));
    assert_eq!(o.metric(METRIC_RELIABILITY), Some(50.0));
    assert_eq!(o.metric(METRIC_SLOWEST), Some(2000.0));
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn malformed_reports_are_findings_and_the_good_one_counts() {
    let o = run("malformed");
    assert_eq!(counts(&o), some([1.0, 1.0, 0.0, 0.0, 0.0]));
    assert_eq!(
        rule_ids(&o.findings),
        ["unparseable-junit", "unparseable-junit"]
    );
    insta::assert_snapshot!(render(&o.findings));
}

#[test]
fn decoys_are_not_reports() {
    let o = run("empty");
    assert!(o.findings.is_empty(), "{}", render(&o.findings));
    assert!(o.metrics.is_empty(), "{:?}", o.metrics);
}

#[test]
fn listed_git_ignored_report_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".git")).expect("git dir");
    std::fs::write(root.join(".gitignore"), "target/\n").expect("gitignore");
    let dir = root.join("target/nextest/ci");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(
        fixture("integration/junit/nextest/junit.xml"),
        dir.join("junit.xml"),
    )
    .expect("copy");
    // Not listed: the walk does not see it, nothing to read.
    let o = run_check_with_metrics(&SPEC, root, &Config::default());
    assert_eq!(o.metric(METRIC_TOTAL), None);
    let mut config = Config::default();
    config.integration.junit.reports = vec!["target/nextest/ci/junit.xml".into()];
    let o = run_check_with_metrics(&SPEC, root, &config);
    assert_eq!(o.metric(METRIC_TOTAL), Some(3.0));
    assert_eq!(o.metric(METRIC_FAILED), Some(1.0));
}

#[test]
fn well_known_names() {
    assert!(is_well_known("junit.xml"));
    assert!(is_well_known("reports/junit-unit.xml"));
    assert!(is_well_known(
        "build/test-results/TEST-com.example.AppTest.xml"
    ));
    assert!(is_well_known("target/nextest/default/run.xml"));
    assert!(is_well_known("crates/a/target/nextest/ci/junit.xml"));
    assert!(!is_well_known("pom.xml"));
    assert!(!is_well_known("junit.json"));
    assert!(!is_well_known("test-results.xml"));
}
