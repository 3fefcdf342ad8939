//! Test commands run for real: pass, fail, time out, cannot start, and JUnit reports.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, rule_ids, run_check_with_metrics};
use crate::process::is_gone;

fn config(yaml: &str) -> Config {
    crate::config::parse(Path::new("vigil.yml"), yaml)
        .unwrap_or_else(|e| panic!("test config must load: {e}\n{yaml}"))
}

fn suite() -> String {
    fixture("integration/commands/suite.sh")
        .display()
        .to_string()
}

#[test]
fn pass_fail_timeout_and_missing_program() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pid_file = tmp.path().join("hang.pid");
    let yaml = format!(
        r#"
integration:
  tests:
    - name: unit
      command: "sh {suite} pass"
    - name: api
      command: [sh, "{suite}", fail]
      env: {{ API_TOKEN: tok_0123456789abcdef }}
    - name: e2e
      command: "sh {suite} hang"
      env: {{ PID_FILE: "{pid}" }}
      timeout_seconds: 0.3
    - name: lint
      command: [vigil-no-such-program-xyz]
"#,
        suite = suite(),
        pid = pid_file.display()
    );
    let start = Instant::now();
    let out = run_check_with_metrics(&SPEC, tmp.path(), &config(&yaml));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let f = &out.findings;
    assert_eq!(
        rule_ids(f),
        [
            "test-command-failed",
            "test-command-failed",
            "test-command-timed-out"
        ],
        "{}",
        render(f)
    );

    let api = f
        .iter()
        .find(|x| x.message.contains("`api`"))
        .expect("api finding");
    assert!(
        api.message
            .starts_with("test command `api` exited with status 3 after "),
        "{}",
        api.message
    );
    assert!(
        api.message.ends_with(": 2 passed, 1 failed"),
        "{}",
        api.message
    );
    assert_eq!(api.properties["exit_code"], 3);
    let tail = api.properties["output_tail"].as_str().expect("tail");
    assert!(tail.contains("connecting with tok_…[redacted]"), "{tail}");
    assert!(
        !tail.contains("0123456789abcdef"),
        "the token leaked: {tail}"
    );
    assert!(tail.contains("test_login ... FAILED"), "{tail}");

    let e2e = &f[2];
    assert_eq!(
        e2e.message,
        "test command `e2e` timed out after 0.3 s and was stopped: waiting for the database..."
    );
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .expect("pid file")
        .trim()
        .parse()
        .expect("pid");
    assert!(
        is_gone(pid),
        "the timed-out suite (pid {pid}) is still running"
    );

    let lint = f
        .iter()
        .find(|x| x.message.contains("`lint`"))
        .expect("lint");
    assert!(
        lint.message
            .starts_with("test command `lint` could not be started"),
        "{}",
        lint.message
    );

    assert_eq!(out.metric(METRIC_COUNT), Some(4.0));
    assert_eq!(out.metric(METRIC_FAILED), Some(3.0));
    let unit = out.metric(&duration_metric("unit")).expect("unit duration");
    assert!((0.0..5000.0).contains(&unit), "{unit}");
    let e2e_ms = out.metric(&duration_metric("e2e")).expect("e2e duration");
    assert!((300.0..5000.0).contains(&e2e_ms), "{e2e_ms}");
    // A command that could not start has no duration.
    assert_eq!(out.metric(&duration_metric("lint")), None);
}

#[test]
fn junit_reports_written_before_the_walk_and_missing_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An old report the second command fails to rewrite.
    std::fs::create_dir_all(tmp.path().join("old")).expect("dir");
    std::fs::write(tmp.path().join("old/junit.xml"), "<testsuite/>").expect("old report");
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(tmp.path().join("old/junit.xml"))
        .and_then(|f| f.set_modified(old))
        .expect("age the report");
    let yaml = format!(
        r#"
integration:
  tests:
    - name: writes
      command: "sh {suite} report out/junit.xml"
      junit: out/junit.xml
    - name: stale
      command: "sh {suite} pass"
      junit: old/junit.xml
    - name: nothing
      command: "sh {suite} pass"
      junit: reports/results.xml
"#,
        suite = suite()
    );
    let cfg = config(&yaml);
    let out = run_check_with_metrics(&SPEC, tmp.path(), &cfg);
    assert_eq!(
        render(&out.findings),
        "(repo) test-report-missing medium test command `nothing` did not write its JUnit \
         report reports/results.xml\n(repo) test-report-missing medium test command `stale` did \
         not write its JUnit report old/junit.xml\n"
    );
    // The first command's report exists before the junit check walks the tree.
    assert!(tmp.path().join("out/junit.xml").is_file());
    let junit = run_check_with_metrics(
        &crate::pipelines::integration::junit::SPEC,
        tmp.path(),
        &cfg,
    );
    assert_eq!(junit.metric("integration.tests_total"), Some(1.0));
}

#[test]
fn a_report_the_junit_check_would_not_read_is_noted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let yaml = format!(
        "integration:\n  tests:\n    - name: a\n      command: \"sh {} report r/out.xml\"\n      \
         junit: r/out.xml\n",
        suite()
    );
    let ctx_config = config(&yaml);
    let root = tmp.path().canonicalize().expect("root");
    let ctx = CheckContext::new(&root, &ctx_config);
    let Ok(Built::Ready(check)) = (SPEC.build)(&ctx) else {
        panic!("the check builds");
    };
    let mut sink = Sink::default();
    check
        .check_repo(&ctx, &FileIndex::default(), &mut sink)
        .expect("report");
    assert!(
        sink.notes
            .iter()
            .any(|n| n.contains("r/out.xml, which the junit check does not read")),
        "{:?}",
        sink.notes
    );
    assert!(sink.findings.is_empty());
}

#[test]
fn no_test_commands_skips_with_a_reason() {
    let cfg = Config::default();
    let ctx = CheckContext::new(Path::new("."), &cfg);
    assert!(
        matches!((SPEC.build)(&ctx), Ok(Built::Skipped(why)) if why.contains("integration.tests"))
    );
}

#[test]
fn duplicate_names_are_a_config_error() {
    let err = crate::config::parse(
        Path::new("vigil.yml"),
        "integration:\n  tests:\n    - { name: a, command: x }\n    - { name: a, command: y }\n",
    )
    .expect_err("duplicate");
    assert!(err.to_string().contains("used twice"), "{err}");
}
