//! GitHub Actions integration: step summary, outputs and annotations.

use crate::common::{fixture, read, vigil};

#[test]
fn github_actions_gets_summary_outputs_and_annotations() {
    let (tmp, repo) = fixture("cli/basic");
    let out = tmp.path().join("out");
    let summary = tmp.path().join("step_summary.md");
    let outputs = tmp.path().join("github_output");
    std::fs::write(&summary, "previous step\n").expect("seed summary");
    let assert = vigil()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .args(["check", "--pipeline", "quality", "--out"])
        .arg(&out)
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));

    let s = read(&summary);
    assert!(
        s.starts_with("previous step\n"),
        "summary must be appended: {s}"
    );
    let md = read(&out.join("latest/summary.md"));
    assert!(
        s.contains(md.trim()),
        "step summary lacks the report summary"
    );

    let o = read(&outputs);
    let report = crate::common::read_json(&out.join("latest/report.json"));
    let status = report["overall_status"].as_str().expect("status");
    assert!(o.contains(&format!("status={status}")), "{o}");
    assert!(o.contains("findings=2"), "{o}");
    assert!(o.lines().any(|l| l.starts_with("score=")), "{o}");
    assert!(
        o.lines()
            .any(|l| l.starts_with("sarif=") && l.ends_with("results.sarif")),
        "{o}"
    );

    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::warning file=src/main.rs,line=4")),
        "{stdout}"
    );
}

#[test]
fn outside_github_nothing_is_written_there() {
    let (tmp, repo) = fixture("cli/basic");
    let summary = tmp.path().join("step_summary.md");
    let assert = vigil()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--pipeline", "quality", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&repo)
        .assert()
        .code(predicates::ord::lt(2));
    assert!(!summary.exists());
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(!stdout.contains("::warning"), "{stdout}");
}
