//! Tests of the imported-findings check on real tool output (see
//! `fixtures/quality/imported/README.md` for how each file was produced).

use std::path::Path;

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render};
use crate::walk::{WalkOptions, walk};

/// Build the check, walk `dir` with it, run the repository hook.
fn run_on(dir: &Path, config: &Config) -> Sink {
    let root = dir.canonicalize().expect("fixture exists");
    let ctx = CheckContext {
        root: &root,
        config,
        offline: true,
        git_history: false,
        online: false,
        advisories: Default::default(),
        diff_base: None,
        cache_dir: None,
    };
    let Built::Ready(check) = build(&ctx).expect("builds") else {
        panic!("the imported check never declines at build time");
    };
    let opts = WalkOptions {
        root: root.clone(),
        exclude: Vec::new(),
        max_file_size: config.paths.max_file_size.0,
        skip_dirs: Vec::new(),
        threads: 2,
    };
    let out = walk(&opts, &[check.as_ref()], None).expect("walk");
    let mut sink = Sink::default();
    for mut o in out.sinks {
        assert!(o.errors.is_empty(), "{:?}", o.errors);
        sink.append(&mut o.sink);
    }
    check
        .check_repo(&ctx, &out.index, &mut sink)
        .expect("check_repo");
    sink.findings.sort_by(Finding::cmp_order);
    sink
}

/// `path:line:col rule severity [tool] message`, one finding per line.
fn table(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let line = render(std::slice::from_ref(f));
        let tool = f.tool.as_deref().unwrap_or("-");
        out.push_str(&line.replacen(
            &format!(" {} ", f.rule_id),
            &format!(" {} [{tool}] ", f.rule_id),
            1,
        ));
    }
    out
}

#[test]
fn ruff_sarif_is_found_and_imported() {
    let sink = run_on(&fixture("quality/imported/ruff"), &Config::default());
    assert_eq!(sink.findings.len(), 4);
    insta::assert_snapshot!(table(&sink.findings), @r"
    pkg/tool.py:1:8 ruff/F401 [ruff] high `os` imported but unused
    pkg/tool.py:6:5 ruff/F841 [ruff] high Local variable `result` is assigned to but never used
    pkg/tool.py:7:12 ruff/S602 [ruff] high `subprocess` call with `shell=True` identified, security issue
    pkg/tool.py:11:13 ruff/E711 [ruff] high Comparison to `None` should be `cond is None`
    ");
    let f401 = &sink.findings[0];
    assert_eq!(
        f401.properties.get("help_uri").and_then(|v| v.as_str()),
        Some("https://docs.astral.sh/ruff/rules/unused-import")
    );
    let region = f401.location.as_ref().and_then(|l| l.region.clone());
    assert_eq!(
        region,
        Some(Region {
            start_line: 1,
            start_column: Some(8),
            end_line: Some(1),
            end_column: Some(10)
        })
    );
    assert_eq!(sink.notes, ["imported findings from ruff.sarif (ruff): 4"]);
}

#[test]
fn sarif_edge_cases_resolve_rules_paths_and_messages() {
    let sink = run_on(&fixture("quality/imported/sarif-edge"), &Config::default());
    assert_eq!(sink.findings.len(), 4);
    insta::assert_snapshot!(table(&sink.findings), @r#"
    (repo) example-scanner/repo/missing-policy [Example Scanner] medium The repository has no SECURITY.md.
    src/app/handler.py:6:36 example-scanner/py/command-injection [Example Scanner] critical This command depends on request.args["name"], a user-provided value.
    src/app/handler.py:9 example-scanner/py/unused-function [Example Scanner] low Function ping is never called.
    src/app/util.py:2:16 example-scanner/py/magic-number [Example Scanner] medium Magic number 2.
    "#);
    let injection = &sink.findings[1];
    assert_eq!(
        injection.fingerprint,
        fingerprint(
            "example-scanner/py/command-injection",
            "src/app/handler.py",
            "primaryLocationLineHash=3a1f9c2e77b0d415:1"
        )
    );
    assert_eq!(
        injection.help.as_deref(),
        Some("Pass arguments as a list and do not use shell=True.")
    );
    assert_eq!(
        sink.notes,
        [
            "imported findings from previous-vigil-run.sarif: 0, scanner.sarif (Example Scanner): 4",
            "1 result(s) left out: SARIF results of kind pass or notApplicable",
            "1 result(s) left out: SARIF results whose baselineState is absent (already fixed)",
            "1 result(s) left out: on files outside this repository",
            "1 result(s) left out: suppressed in the SARIF by the tool",
            "1 result(s) left out: vigil's own SARIF is not imported",
        ]
    );
}

#[test]
fn clippy_json_lines_become_findings() {
    let mut config = Config::default();
    config.quality.imports.clippy = vec!["clippy.json".into()];
    let sink = run_on(&fixture("quality/imported/clippy"), &config);
    assert_eq!(sink.findings.len(), 3);
    insta::assert_snapshot!(table(&sink.findings), @r"
    src/main.rs:3:5 clippy/needless_return [clippy] high unneeded `return` statement
    src/main.rs:6:16 clippy/ptr_arg [clippy] medium writing `&Vec` instead of `&[_]` involves a new object where a slice will do
    src/main.rs:11:9 rustc/unused_variables [clippy] medium unused variable: `unused`
    ");
    let ret = &sink.findings[0];
    assert_eq!(ret.help.as_deref(), Some("remove `return`"));
    assert_eq!(
        ret.fingerprint,
        fingerprint("clippy/needless_return", "src/main.rs", "return x * 2;")
    );
    assert_eq!(
        ret.properties.get("help_uri").and_then(|v| v.as_str()),
        Some("https://rust-lang.github.io/rust-clippy/master/index.html#needless_return")
    );
}

#[test]
fn eslint_json_becomes_findings() {
    let mut config = Config::default();
    config.quality.imports.eslint = vec!["eslint.json".into()];
    let sink = run_on(&fixture("quality/imported/eslint"), &config);
    assert_eq!(sink.findings.len(), 6);
    insta::assert_snapshot!(table(&sink.findings), @r"
    web/src/app.js:1:7 eslint/no-unused-vars [eslint] high 'unused' is assigned a value but never used.
    web/src/app.js:4:12 eslint/eqeqeq [eslint] medium Expected '===' and instead saw '=='.
    web/src/app.js:5:5 eslint/no-console [eslint] medium Unexpected console statement.
    web/src/app.js:5:5 eslint/no-undef [eslint] high 'console' is not defined.
    web/src/app.js:7:18 eslint/no-undef [eslint] high 'nme' is not defined.
    web/src/broken.js:4:9 eslint/parse-error [eslint] high Parsing error: Unexpected token ;
    ");
    let nme = &sink.findings[4];
    assert_eq!(
        nme.fingerprint,
        fingerprint("eslint/no-undef", "web/src/app.js", "return \"hi \" + nme;")
    );
}

#[test]
fn malformed_files_are_findings() {
    let mut config = Config::default();
    config.quality.imports.clippy = vec!["clippy.txt".into()];
    config.quality.imports.eslint = vec!["eslint.json".into()];
    let sink = run_on(&fixture("quality/imported/malformed"), &config);
    assert_eq!(sink.findings.len(), 4);
    assert!(
        sink.findings
            .iter()
            .all(|f| f.rule_id == "unparseable-import")
    );
    insta::assert_snapshot!(render(&sink.findings));
}

#[test]
fn nothing_to_import_skips_the_check() {
    let sink = run_on(&fixture("quality/coverage/python"), &Config::default());
    assert!(sink.findings.is_empty());
    assert!(
        sink.skipped
            .as_deref()
            .is_some_and(|s| s.starts_with("nothing to import")),
        "{:?}",
        sink.skipped
    );
}

#[test]
fn auto_detection_can_be_turned_off() {
    let mut config = Config::default();
    config.quality.imports.auto_detect = false;
    let sink = run_on(&fixture("quality/imported/ruff"), &config);
    assert!(sink.findings.is_empty());
    assert!(sink.skipped.is_some());
}

#[test]
fn sarif_fixtures_are_valid_sarif_2_1_0() {
    let schema_path = fixture("schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema"))
            .expect("schema is JSON");
    let validator = jsonschema::options()
        .build(&schema)
        .expect("schema compiles");
    for file in [
        "quality/imported/ruff/ruff.sarif",
        "quality/imported/sarif-edge/scanner.sarif",
        "quality/imported/sarif-edge/previous-vigil-run.sarif",
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(file)).expect("read"))
                .expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
    }
}

#[test]
fn sarif_names() {
    assert!(is_sarif_name("a/results.sarif"));
    assert!(is_sarif_name("B.SARIF.JSON"));
    assert!(!is_sarif_name("sarif"));
    assert!(!is_sarif_name("a.sarif.bak"));
}

#[test]
fn slugs_and_levels() {
    assert_eq!(slug("Example Scanner"), "example-scanner");
    assert_eq!(slug("CodeQL"), "codeql");
    assert_eq!(slug("  ~~ "), "tool");
    assert_eq!(severity_of_level("error"), Severity::High);
    assert_eq!(severity_of_level("WARNING"), Severity::Medium);
    assert_eq!(severity_of_level("note"), Severity::Low);
    assert_eq!(severity_of_level("none"), Severity::Info);
}
