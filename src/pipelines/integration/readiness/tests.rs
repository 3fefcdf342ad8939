//! `--help` run for real on fixture commands.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, run_check_with_metrics};

#[test]
fn commands_that_answer_help_and_those_that_do_not() {
    let yaml = r#"
integration:
  commands:
    - "sh good.sh"
    - [sh, bad.sh]
    - command: "sh slow.sh"
      timeout_seconds: 0.3
    - [vigil-no-such-program-xyz]
"#;
    let config: Config = crate::config::parse(Path::new("vigil.yml"), yaml).expect("config");
    let start = Instant::now();
    let out = run_check_with_metrics(&SPEC, &fixture("integration/readiness"), &config);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let text = render(&out.findings);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "(repo) command-not-ready medium `sh bad.sh --help` exited with status 2: error: \
         unexpected argument '--help'"
    );
    assert_eq!(
        lines[1],
        "(repo) command-not-ready medium `sh slow.sh --help` did not answer within 0.3 s"
    );
    assert!(
        lines[2].starts_with(
            "(repo) command-not-ready medium `vigil-no-such-program-xyz --help` could not be started"
        ),
        "{}",
        lines[2]
    );
    assert_eq!(out.metric(METRIC_CHECKED), Some(4.0));
    assert_eq!(out.metric(METRIC_READY), Some(1.0));
    assert_eq!(out.metric(METRIC_READY_PCT), Some(25.0));
}

#[test]
fn entries_may_be_lines_lists_or_maps() {
    let yaml = "integration:\n  commands:\n    - a b\n    - [c, d]\n    - { command: e, timeout_seconds: 2 }\n";
    let config: Config = crate::config::parse(Path::new("vigil.yml"), yaml).expect("config");
    let c = &config.integration.commands;
    assert_eq!(c[0].command, BenchmarkCommand::Shell("a b".into()));
    assert_eq!(c[0].timeout_seconds.0, 10.0);
    assert_eq!(
        c[1].command,
        BenchmarkCommand::Argv(vec!["c".into(), "d".into()])
    );
    assert_eq!(c[2].timeout_seconds.0, 2.0);
    let err = crate::config::parse(
        Path::new("vigil.yml"),
        "integration:\n  commands:\n    - { command: e, timeout: 2 }\n",
    )
    .expect_err("unknown key");
    assert!(err.to_string().contains("timeout"), "{err}");
}
