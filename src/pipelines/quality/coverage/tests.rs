//! Tests of the coverage check on real reports (see `fixtures/quality/coverage/README.md` for
//! how each was produced) and on a git repository built by the test for diff coverage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::config::Config;
use crate::model::{CheckStatus, GateStatus, Metric};
use crate::pipelines::testing::{fixture, git, render};
use crate::walk::{WalkOptions, walk};

/// What the check produced on one tree.
struct RunOutcome {
    sink: Sink,
}

impl RunOutcome {
    fn metric(&self, name: &str) -> Option<f64> {
        self.sink
            .metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    fn metrics(&self) -> BTreeMap<&str, f64> {
        self.sink
            .metrics
            .iter()
            .map(|m: &Metric| (m.name.as_str(), m.value))
            .collect()
    }
}

/// Build the check, walk `dir` with it, run the repository hook.
fn run_on(dir: &Path, config: &Config, diff_base: Option<&str>) -> Result<RunOutcome> {
    let root = dir.canonicalize().expect("fixture exists");
    let ctx = CheckContext {
        root: &root,
        config,
        offline: true,
        git_history: false,
        online: false,
        advisories: Default::default(),
        diff_base,
        cache_dir: None,
    };
    let Built::Ready(check) = build(&ctx)? else {
        panic!("the coverage check never declines at build time");
    };
    let opts = WalkOptions {
        root: root.clone(),
        exclude: Vec::new(),
        max_file_size: config.paths.max_file_size.0,
        skip_dirs: Vec::new(),
        threads: 2,
    };
    let out = walk(&opts, &[check.as_ref()], None)?;
    let mut sink = Sink::default();
    for mut o in out.sinks {
        assert!(o.errors.is_empty(), "{:?}", o.errors);
        sink.append(&mut o.sink);
    }
    check.check_repo(&ctx, &out.index, &mut sink)?;
    sink.findings.sort_by(crate::model::Finding::cmp_order);
    Ok(RunOutcome { sink })
}

fn run(dir: &Path) -> RunOutcome {
    run_on(dir, &Config::default(), None).expect("the check runs")
}

/// Parse one fixture report on its own, with paths resolved against its folder.
fn parsed(dir: &str, report: &str) -> Coverage {
    let root = fixture(dir).canonicalize().expect("fixture");
    let bytes = std::fs::read(root.join(report)).expect("report");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let Outcome::Parsed(rep) = read_report(report, &bytes, &text, true) else {
        panic!("{report} does not parse");
    };
    let files: Vec<crate::walk::FileEntry> = walk_files(&root);
    let index = FileIndex {
        files,
        ignores: Default::default(),
    };
    let resolver = PathResolver::new(&root, &index);
    let mut cov = Coverage::default();
    for (raw, f) in &rep.files {
        let rel = resolver
            .resolve(raw, &rep.source_roots)
            .unwrap_or_else(|| panic!("{raw} resolves"));
        cov.add(rel, f);
    }
    cov
}

fn walk_files(root: &Path) -> Vec<crate::walk::FileEntry> {
    let opts = WalkOptions {
        root: root.to_path_buf(),
        exclude: Vec::new(),
        max_file_size: 1 << 30,
        skip_dirs: Vec::new(),
        threads: 1,
    };
    walk(&opts, &[], None).expect("walk").index.files
}

#[test]
fn coverage_py_lcov_and_cobertura_agree() {
    let lcov = parsed("quality/coverage/python", "lcov.info");
    let xml = parsed("quality/coverage/python", "coverage.xml");
    assert_eq!(lcov, xml, "the two exports of one coverage.py run differ");
    assert_eq!(
        lcov.files.keys().collect::<Vec<_>>(),
        ["src/shapes/__init__.py", "src/shapes/geometry.py"]
    );
    // `coverage report`: 23 statements, 9 missed (7-9, 16, 22, 29-32); 14 branches, 6 taken.
    let g = &lcov.files["src/shapes/geometry.py"];
    let missed: Vec<u32> = g
        .lines
        .iter()
        .filter(|(_, h)| **h == 0)
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(missed, [7, 8, 9, 16, 22, 29, 30, 31, 32]);

    let out = run(&fixture("quality/coverage/python"));
    assert!(out.sink.findings.is_empty());
    assert_eq!(
        out.metrics(),
        BTreeMap::from([
            ("coverage.branch", 42.85),
            ("coverage.branches_covered", 6.0),
            ("coverage.branches_total", 14.0),
            ("coverage.line", 60.86),
            ("coverage.lines_covered", 14.0),
            ("coverage.lines_total", 23.0),
        ])
    );
    assert_eq!(out.sink.skipped, None);
    assert_eq!(
        out.sink.notes,
        [
            "coverage from coverage.xml (Cobertura XML), lcov.info (lcov)",
            "diff coverage not computed: no --diff-base given and not a GitHub pull request"
        ]
    );
}

#[test]
fn jacoco_report_resolves_package_paths() {
    let out = run(&fixture("quality/coverage/jacoco"));
    assert!(out.sink.findings.is_empty());
    // JaCoCo's own counters in the report: LINE missed 3 covered 10, BRANCH missed 5 covered 5.
    assert_eq!(
        out.metrics(),
        BTreeMap::from([
            ("coverage.branch", 50.0),
            ("coverage.branches_covered", 5.0),
            ("coverage.branches_total", 10.0),
            ("coverage.line", 76.92),
            ("coverage.lines_covered", 10.0),
            ("coverage.lines_total", 13.0),
        ])
    );
    let cov = parsed("quality/coverage/jacoco", "target/site/jacoco/jacoco.xml");
    assert_eq!(
        cov.files.keys().collect::<Vec<_>>(),
        ["src/main/java/org/example/Grades.java"]
    );
}

#[test]
fn llvm_json_matches_llvm_covs_own_lcov() {
    let json = parsed("quality/coverage/llvm", "coverage.json");
    let lcov = parsed("quality/coverage/llvm", "calc.lcov");
    assert_eq!(
        json, lcov,
        "segments → lines must match llvm-cov's own line report"
    );
    // `llvm-cov report`: 26 lines, 8 missed; 12 branches, 6 missed.
    let out = run(&fixture("quality/coverage/llvm"));
    assert!(out.sink.findings.is_empty());
    assert_eq!(
        out.metrics(),
        BTreeMap::from([
            ("coverage.branch", 50.0),
            ("coverage.branches_covered", 6.0),
            ("coverage.branches_total", 12.0),
            ("coverage.line", 69.23),
            ("coverage.lines_covered", 18.0),
            ("coverage.lines_total", 26.0),
        ])
    );
}

#[test]
fn malformed_reports_become_findings_and_the_rest_still_counts() {
    let out = run(&fixture("quality/coverage/malformed"));
    let rules: Vec<&str> = out
        .sink
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    assert_eq!(rules, ["unparseable-coverage-report"; 5]);
    insta::assert_snapshot!(render(&out.sink.findings));
    // good.lcov still counts: 2 of 4 lines.
    assert_eq!(out.metric("coverage.line"), Some(50.0));
    assert_eq!(out.metric("coverage.branch"), None);
}

#[test]
fn decoys_leave_the_check_skipped_with_reasons() {
    let out = run(&fixture("quality/coverage/decoys"));
    assert!(out.sink.findings.is_empty());
    assert!(out.sink.metrics.is_empty());
    let reason = out.sink.skipped.as_deref().expect("skipped");
    assert!(reason.starts_with("no coverage report found"), "{reason}");
    assert_eq!(
        out.sink.notes,
        [
            "config/coverage.xml is not a coverage report: its root element is <settings>",
            "coverage.json is not a coverage report: it is JSON but not an llvm-cov export"
        ]
    );
}

#[test]
fn without_a_report_the_run_shows_the_check_and_gates_skipped() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("main.rs"), "fn main() {}\n").expect("write");
    let opts = crate::runner::RunOptions {
        root: dir.path().canonicalize().expect("root"),
        pipelines: vec![Pipeline::Quality],
        offline: true,
        ..Default::default()
    };
    let report = crate::runner::execute(&Config::default(), &opts, None).expect("run");
    let quality = &report.pipelines[0];
    let run = quality
        .checks
        .iter()
        .find(|c| c.id == "coverage")
        .expect("coverage check listed");
    assert_eq!(run.status, CheckStatus::Skipped);
    assert!(
        run.note
            .as_deref()
            .is_some_and(|n| n.starts_with("no coverage report found")),
        "{run:?}"
    );
    for name in ["coverage_min", "diff_coverage_min"] {
        let gate = quality.gates.iter().find(|g| g.name == name).expect("gate");
        assert_eq!(gate.status, GateStatus::Skipped, "{gate:?}");
    }
}

#[test]
fn configured_reports_are_read_even_when_git_ignored() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::create_dir_all(root.join("out")).expect("mkdir");
    std::fs::write(root.join(".gitignore"), "out/\n").expect("write");
    std::fs::write(root.join("src/lib.rs"), "fn a() {}\nfn b() {}\n").expect("write");
    std::fs::write(
        root.join("out/lcov.info"),
        format!(
            "SF:{}/src/lib.rs\nDA:1,1\nDA:2,0\nend_of_record\n",
            root.canonicalize().expect("root").display()
        ),
    )
    .expect("write");

    let skipped = run_on(root, &Config::default(), None).expect("runs");
    assert!(
        skipped.sink.skipped.is_some(),
        "ignored file must not be auto-detected"
    );

    let mut config = Config::default();
    config.quality.coverage.reports = vec!["out/lcov.info".into(), "**/*.lcov".into()];
    let out = run_on(root, &config, None).expect("runs");
    assert_eq!(out.metric("coverage.line"), Some(50.0));
    assert!(
        out.sink.notes[1].starts_with("quality.coverage.reports: `**/*.lcov` matches no file"),
        "{:?}",
        out.sink.notes
    );

    config.quality.coverage.reports = vec!["out/missing.info".into()];
    let err = run_on(root, &config, None)
        .err()
        .expect("missing report is an error");
    assert!(
        format!("{err:#}")
            .starts_with("quality.coverage.reports: `out/missing.info` cannot be read"),
        "{err:#}"
    );
}

fn write(root: &Path, path: &str, text: &str) {
    let p: PathBuf = root.join(path);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

const LIB_BASE: &str = "pub fn a() -> i32 {\n    1\n}\n\npub fn b() -> i32 {\n    2\n}\n";

/// A repository whose feature branch changes covered and uncovered lines; see the test.
fn feature_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    git(root, &["init", "-q"]);
    git(root, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    write(root, "src/lib.rs", LIB_BASE);
    write(root, "src/old.rs", "pub fn old() {}\n");
    write(root, "src/gone.rs", "pub fn gone() {}\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    // Committed on the feature branch: line 2 edited, lines 8-15 added, a pure rename and a
    // deletion (neither adds a line).
    write(
        root,
        "src/lib.rs",
        &format!(
            "{}\npub fn c(x: i32) -> i32 {{\n    if x > 0 {{\n        return x;\n    }}\n    // negative input\n    -x\n}}\n",
            LIB_BASE.replace("    1\n", "    10\n")
        ),
    );
    git(root, &["mv", "src/old.rs", "src/new.rs"]);
    git(root, &["rm", "-q", "src/gone.rs"]);
    git(root, &["commit", "-q", "-a", "-m", "feature"]);
    // Meanwhile main moves on and edits line 1: not part of the feature's change.
    git(root, &["checkout", "-q", "main"]);
    write(
        root,
        "src/lib.rs",
        &LIB_BASE.replace("pub fn a()", "pub fn a1()"),
    );
    git(root, &["commit", "-q", "-a", "-m", "main moves on"]);
    git(root, &["checkout", "-q", "feature"]);
    // Uncommitted work: line 5 edited, and a new untracked file.
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("lib");
    write(root, "src/lib.rs", &lib.replace("b() -> i32", "b() -> i64"));
    write(root, "src/extra.rs", "pub fn extra() -> i32 {\n    3\n}\n");
    // The coverage report of the tests run on this work tree.
    write(
        root,
        "lcov.info",
        "SF:src/lib.rs\nDA:1,1\nDA:2,1\nDA:3,1\nDA:5,1\nDA:6,0\nDA:7,0\nDA:9,1\nDA:10,1\nDA:11,0\nDA:14,0\nDA:15,1\nend_of_record\n\
         SF:src/extra.rs\nDA:1,1\nDA:2,0\nDA:3,1\nend_of_record\n\
         SF:src/new.rs\nDA:1,0\nend_of_record\n",
    );
    dir
}

#[test]
fn diff_coverage_of_a_feature_branch() {
    let repo = feature_repo();
    let out = run_on(repo.path(), &Config::default(), Some("main")).expect("runs");
    // Changed and instrumented since the merge-base (main's later edit of line 1 excluded):
    // src/lib.rs 2, 5 (uncommitted), 9, 10, 11, 14, 15 — of which 11 and 14 never ran (6 and
    // 7 never ran either, but did not change);
    // src/extra.rs (untracked) 1, 2, 3 — of which 2 never ran. 7 of 10 covered.
    assert_eq!(out.metric("coverage.diff"), Some(70.0));
    assert_eq!(out.metric("coverage.diff_lines_total"), Some(10.0));
    assert_eq!(out.metric("coverage.diff_lines_covered"), Some(7.0));
    let runs: Vec<(String, u32, Option<u32>)> = out
        .sink
        .findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().expect("located");
            let r = loc.region.as_ref().expect("region");
            (loc.path.clone(), r.start_line, r.end_line)
        })
        .collect();
    assert_eq!(
        runs,
        [
            ("src/extra.rs".to_owned(), 2, None),
            ("src/lib.rs".to_owned(), 11, Some(14)),
        ]
    );
    insta::assert_snapshot!(render(&out.sink.findings), @r"
    src/extra.rs:2 uncovered-changed-line low changed line 2 is not covered by tests
    src/lib.rs:11 uncovered-changed-line low changed lines 11–14 are not covered by tests (2 instrumented lines)
    ");
    // The fingerprint of the committed run comes from its text, not its line numbers.
    let lib = &out.sink.findings[1];
    assert_eq!(
        lib.fingerprint,
        crate::pipelines::fingerprint("uncovered-changed-line", "src/lib.rs", "return x;\n-x")
    );
}

#[test]
fn diff_coverage_explains_why_it_did_not_run() {
    let repo = feature_repo();
    let out = run_on(repo.path(), &Config::default(), Some("no-such-branch")).expect("runs");
    assert_eq!(out.metric("coverage.diff"), None);
    assert!(
        out.sink
            .notes
            .iter()
            .any(|n| n
                .starts_with("diff coverage not computed: base `no-such-branch` is not a commit")),
        "{:?}",
        out.sink.notes
    );
    let plain = tempfile::tempdir().expect("tmp");
    write(
        plain.path(),
        "lcov.info",
        "SF:a.rs\nDA:1,1\nend_of_record\n",
    );
    write(plain.path(), "a.rs", "fn a() {}\n");
    let out = run_on(plain.path(), &Config::default(), Some("main")).expect("runs");
    assert_eq!(out.metric("coverage.line"), Some(100.0));
    assert!(
        out.sink
            .notes
            .iter()
            .any(|n| n.contains("not a git work tree")),
        "{:?}",
        out.sink.notes
    );
}

#[test]
fn reports_over_the_size_limit_are_noted_or_read_when_listed() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "a.rs", "fn a() {}\n");
    write(dir.path(), "lcov.info", "SF:a.rs\nDA:1,1\nend_of_record\n");
    let mut config = Config::default();
    config.paths.max_file_size = crate::config::schema::ByteSize(16);
    let out = run_on(dir.path(), &config, None).expect("runs");
    assert!(out.sink.skipped.is_some());
    assert_eq!(
        out.sink.notes,
        [
            "not read, larger than paths.max_file_size: lcov.info (list a report in \
          quality.coverage.reports to read it regardless of size)"
        ]
    );
    config.quality.coverage.reports = vec!["lcov.info".into()];
    let out = run_on(dir.path(), &config, None).expect("runs");
    assert_eq!(out.metric("coverage.line"), Some(100.0));
    assert!(
        !out.sink.notes.iter().any(|n| n.starts_with("not read")),
        "{:?}",
        out.sink.notes
    );
}
