//! `vigil explain` and `vigil init`.

use crate::common::{read, vigil};

#[test]
fn explain_prints_the_rule_sections() {
    let assert = vigil().args(["explain", "todo-marker"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for part in [
        "todo-marker",
        "What it finds",
        "Why it matters",
        "How to fix",
        "Example",
        "Suppress",
    ] {
        assert!(out.contains(part), "missing {part}: {out}");
    }
    // Only the rule's own section, not its neighbours'.
    assert!(!out.contains("## fixme-marker"), "{out}");
}

#[test]
fn explain_unknown_rule_suggests() {
    let assert = vigil().args(["explain", "todo"]).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("unknown rule `todo`"), "{err}");
    assert!(err.contains("todo-marker"), "{err}");
}

#[test]
fn explain_list_names_every_rule() {
    let assert = vigil().args(["explain", "--list"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for id in [
        "todo-marker",
        "fixme-marker",
        "hack-marker",
        "expired-suppression",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing: {out}"
        );
    }
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("vigil.yml");
    vigil()
        .args(["init", "--output"])
        .arg(&path)
        .assert()
        .code(0);
    let text = read(&path);
    assert!(text.contains("gates:"), "{text}");
    // The written file is a valid configuration: check loads it without complaint.
    std::fs::write(tmp.path().join("README.md"), "# x\n").expect("readme");
    vigil()
        .args(["check", "--pipeline", "quality", "--out"])
        .arg(tmp.path().join("out"))
        .arg(tmp.path())
        .assert()
        .code(predicates::ord::lt(2));
    vigil()
        .args(["init", "--output"])
        .arg(&path)
        .assert()
        .code(2);
    vigil()
        .args(["init", "--force", "--output"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn help_shows_examples() {
    let assert = vigil().args(["check", "--help"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        out.contains("Examples:") && out.contains("--report-only"),
        "{out}"
    );
}
