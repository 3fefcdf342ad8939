//! Tests of the complexity check: hand-computed values per function per language, written in
//! the fixtures beside each function (`expect NAME: cyclomatic N, cognitive M, …`), the check's
//! findings and metrics, and robustness on hostile input.

use std::collections::BTreeMap;
use std::path::Path;

use super::analyze::{FunctionMetrics, analyze};
use super::syntax::{Lang, RoleTable};
use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, rule_ids, run_check_with_metrics};

/// Every function of the file at `path`, and whether its tree has errors.
fn measure(path: &Path) -> (Vec<FunctionMetrics>, bool) {
    let name = path.to_string_lossy();
    let lang = super::syntax::lang_of(&name).unwrap_or_else(|| panic!("{name}: no language"));
    let source = std::fs::read(path).expect("fixture is readable");
    measure_source(lang, &source)
}

fn measure_source(lang: Lang, source: &[u8]) -> (Vec<FunctionMetrics>, bool) {
    let tree = crate::syntax::parse(lang, source)
        .expect("grammar loads")
        .expect("parser returns a tree");
    let table = RoleTable::new(lang, &lang.language());
    (
        analyze(&tree, source, &table).functions,
        tree.root_node().has_error(),
    )
}

/// The `expect` annotations of a fixture: name → (line of the function, expected values).
fn expectations(path: &Path) -> BTreeMap<String, (u32, BTreeMap<String, u32>)> {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.split("expect ").nth(1) else {
            continue;
        };
        let Some((name, values)) = rest.split_once(": ") else {
            continue;
        };
        let values: BTreeMap<String, u32> = values
            .trim_end_matches("*/")
            .split(',')
            .filter_map(|kv| {
                let (k, v) = kv.trim().split_once(' ')?;
                Some((k.to_owned(), v.trim().parse().ok()?))
            })
            .collect();
        // The function's name is on the first following line that is not a comment.
        let target = lines[i + 1..]
            .iter()
            .position(|l| {
                let t = l.trim_start();
                !(t.starts_with("//") || t.starts_with('#') || t.starts_with('*'))
            })
            .map(|p| i + 2 + p)
            .expect("an annotation precedes a function");
        let previous = out.insert(
            name.to_owned(),
            (u32::try_from(target).unwrap_or(0), values),
        );
        assert!(
            previous.is_none(),
            "{}: `{name}` annotated twice",
            path.display()
        );
    }
    out
}

fn check_fixture(path: &Path) {
    let expected = expectations(path);
    let (functions, has_errors) = measure(path);
    assert!(!has_errors, "{} has a syntax error", path.display());
    assert!(
        !expected.is_empty(),
        "{} has no expectations",
        path.display()
    );
    let mut problems = Vec::new();
    for f in &functions {
        let Some((line, values)) = expected.get(&f.name) else {
            problems.push(format!("`{}` (line {}) has no expectation", f.name, f.line));
            continue;
        };
        if *line != f.line {
            problems.push(format!("`{}` is on line {}, not {line}", f.name, f.line));
        }
        for (key, want) in values {
            let got = match key.as_str() {
                "cyclomatic" => f.cyclomatic,
                "cognitive" => f.cognitive,
                "parameters" => f.parameters,
                "length" => f.length,
                other => panic!("unknown key {other}"),
            };
            if got != *want {
                problems.push(format!("`{}`: {key} is {got}, expected {want}", f.name));
            }
        }
    }
    for name in expected.keys() {
        if !functions.iter().any(|f| &f.name == name) {
            problems.push(format!("`{name}` was not found"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        path.display(),
        problems.join("\n")
    );
}

#[test]
fn rust_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/rust/sample.rs"));
}

#[test]
fn python_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/python/sample.py"));
}

#[test]
fn javascript_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/javascript/sample.js"));
}

#[test]
fn typescript_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/typescript/sample.ts"));
    check_fixture(&fixture("quality/complexity/typescript/view.tsx"));
}

#[test]
fn go_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/go/sample.go"));
}

#[test]
fn java_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/java/Sample.java"));
}

#[test]
fn c_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/c/sample.c"));
}

#[test]
fn cpp_values_match_the_hand_computed_ones() {
    check_fixture(&fixture("quality/complexity/cpp/sample.cpp"));
}

#[test]
fn functions_are_located_at_their_name() {
    let (functions, _) = measure(&fixture("quality/complexity/rust/sample.rs"));
    let plain = functions.iter().find(|f| f.name == "plain").expect("plain");
    assert_eq!((plain.line, plain.column, plain.end_column), (4, 4, 9));
    assert_eq!(plain.end_line, 6);
}

#[test]
fn syntax_errors_are_counted_and_recovered_from() {
    let path = fixture("quality/complexity/broken/broken.py");
    let (functions, has_errors) = measure(&path);
    assert!(has_errors);
    let fine = functions
        .iter()
        .find(|f| f.name == "fine")
        .expect("the function after the error is measured");
    assert_eq!((fine.cyclomatic, fine.cognitive), (2, 1));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 20_000;
    let mut source = String::from("fn deep(a: bool) {\n    if a {}\n");
    source.push_str(&"    else if a {}\n".repeat(depth));
    source.push_str("}\n");
    let (functions, _) = measure_source(Lang::Rust, source.as_bytes());
    let deep = &functions[0];
    assert_eq!(deep.cyclomatic, u32::try_from(depth).expect("fits") + 2);
    // An `else if` chain does not nest: one flat increment per branch.
    assert_eq!(deep.cognitive, u32::try_from(depth).expect("fits") + 1);

    let mut nested = String::from("def f(a):\n");
    for i in 0..200 {
        nested.push_str(&format!("{}if a:\n", " ".repeat(4 * (i + 1))));
    }
    nested.push_str(&format!("{}pass\n", " ".repeat(4 * 201)));
    let (functions, _) = measure_source(Lang::Python, nested.as_bytes());
    // Cognitive: 1 + 2 + … + 200.
    assert_eq!(functions[0].cognitive, 200 * 201 / 2);
}

#[test]
fn binary_and_empty_input_do_not_panic() {
    for lang in Lang::ALL {
        for source in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"fn (((((",
            b"}}}}",
            b"def",
        ] {
            let _ = measure_source(lang, source);
        }
    }
}

#[test]
fn every_fixture_function_is_within_the_default_limits() {
    let out = run_check_with_metrics(&SPEC, &fixture("quality/complexity"), &Config::default());
    assert!(out.findings.is_empty(), "{}", render(&out.findings));
    assert_eq!(out.metric("quality.parse_errors"), Some(1.0));
    // generated/tables.c says it is generated: its 17-branch function is not measured.
    assert_eq!(out.metric("quality.generated_files"), Some(1.0));
    assert_eq!(out.metric("quality.cyclomatic_max"), Some(9.0));
    assert_eq!(out.metric("quality.cognitive_max"), Some(13.0));
    let functions = out.metric("quality.functions").expect("functions");
    assert!(functions >= 50.0, "only {functions} functions");
}

#[test]
fn functions_over_the_limits_are_findings() {
    let mut config = Config::default();
    config.quality.complexity = ComplexityConfig {
        cyclomatic_max: 8,
        cognitive_max: 10,
        function_length_max: 20,
        parameters_max: 3,
    };
    let out = run_check_with_metrics(&SPEC, &fixture("quality/complexity"), &config);
    let ids = rule_ids(&out.findings);
    assert_eq!(ids.iter().filter(|r| **r == "complex-function").count(), 3);
    assert_eq!(
        ids.iter().filter(|r| **r == "cognitive-complexity").count(),
        2
    );
    let complex = out
        .findings
        .iter()
        .find(|f| f.rule_id == "complex-function")
        .expect("a complex function");
    assert_eq!(complex.properties["language"], "java");
    insta::assert_snapshot!(render(&out.findings));
}

#[test]
fn generated_files_are_recognised_by_their_header() {
    assert!(is_generated(
        b"// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n"
    ));
    assert!(is_generated(
        b"#!/x\n\n\n/* Automatically @generated by tree-sitter */\n"
    ));
    assert!(!is_generated(b"fn main() {}\n"));
    // Only the first five lines are read.
    assert!(!is_generated(b"1\n2\n3\n4\n5\n// @generated\n"));
}

#[test]
fn parse_only_parses_what_the_check_parses() {
    let ok = |path, bytes| parse_only(path, bytes).expect("grammar loads");
    assert_eq!(
        ok("src/lib.rs", b"fn main() { if a { b() } }\n"),
        Some(false)
    );
    assert_eq!(ok("x.py", b"def f(:\n"), Some(true));
    assert_eq!(ok("notes.txt", b"fn main() {}\n"), None);
    assert_eq!(
        ok(
            "gen.go",
            b"// Code generated by x. DO NOT EDIT.\npackage x\n"
        ),
        None
    );
    let huge = vec![b' '; MAX_PARSED_BYTES + 1];
    assert_eq!(ok("big.c", &huge), None);
}

#[test]
fn the_most_complex_functions_are_the_hotspots() {
    let out = run_check_with_metrics(&SPEC, &fixture("quality/complexity"), &Config::default());
    assert_eq!(out.hotspots.len(), HOTSPOTS);
    assert_eq!(
        out.metric("quality.cognitive_max"),
        Some(f64::from(out.hotspots[0].cognitive))
    );
    assert!(
        out.hotspots
            .windows(2)
            .all(|w| hotspot_key(&w[0]) < hotspot_key(&w[1]))
    );
    let table: String = out
        .hotspots
        .iter()
        .map(|h| {
            format!(
                "{}:{} {} ({}) cognitive {}, cyclomatic {}, length {}, parameters {}\n",
                h.path,
                h.line,
                h.function,
                h.language,
                h.cognitive,
                h.cyclomatic,
                h.length,
                h.parameters
            )
        })
        .collect();
    insta::assert_snapshot!(table);
}

#[test]
fn hotspots_do_not_depend_on_the_order_functions_are_seen() {
    let function = |name: &str, line: u32, cognitive: u32, cyclomatic: u32| FunctionMetrics {
        name: name.to_owned(),
        line,
        column: 1,
        end_column: 2,
        end_line: line + 3,
        length: 4,
        parameters: 0,
        cyclomatic,
        cognitive,
    };
    let functions: Vec<FunctionMetrics> = (0..25)
        .map(|i| function(&format!("f{i}"), i + 1, i % 7, i % 4))
        .collect();
    let mut forward = Totals::default();
    for f in &functions {
        forward.offer_hotspot("a.rs", Lang::Rust, f);
    }
    let mut backward = Totals::default();
    for f in functions.iter().rev() {
        backward.offer_hotspot("a.rs", Lang::Rust, f);
    }
    assert_eq!(forward.hotspots, backward.hotspots);
    assert_eq!(forward.hotspots.len(), HOTSPOTS);
    // Cognitive 6 comes first (f6, f13, f20); among them cyclomatic 2 (f6) and 1 (f13) before 0 (f20).
    let names: Vec<&str> = forward
        .hotspots
        .iter()
        .map(|h| h.function.as_str())
        .collect();
    assert_eq!(&names[..3], ["f6", "f13", "f20"]);
}

#[test]
fn the_cache_gives_the_same_results_and_follows_edits_and_deletions() {
    use crate::pipelines::CheckContext;
    use crate::pipelines::testing::run_check_in;

    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).expect("mkdir");
    let root = root.canonicalize().expect("canonical");
    let cache_dir = dir.path().join("cache");
    let branchy = |n: usize| -> String {
        let arms: String = (0..n)
            .map(|i| format!("    if x == {i} {{\n        return {i};\n    }}\n"))
            .collect();
        format!("fn branchy(x: u32) -> u32 {{\n{arms}    x\n}}\n")
    };
    std::fs::write(root.join("a.rs"), branchy(12)).expect("write");
    std::fs::write(root.join("b.py"), "def f(x):\n    return x\n").expect("write");
    let mut config = Config::default();
    config.quality.complexity.cyclomatic_max = 10;
    let ctx = CheckContext {
        cache_dir: Some(&cache_dir),
        ..CheckContext::new(&root, &config)
    };
    let summary = |o: &crate::pipelines::testing::CheckOutcome| {
        (
            render(&o.findings),
            o.metric("quality.functions"),
            o.metric("quality.cyclomatic_max"),
            o.metric("quality.parse_errors"),
        )
    };

    let uncached = summary(&run_check_with_metrics(&SPEC, &root, &config));
    let first = summary(&run_check_in(&SPEC, &ctx));
    let cache_file = cache_dir.join("complexity.json");
    assert!(cache_file.is_file(), "the first run writes the cache");
    assert!(first.0.contains("`branchy`"), "{}", first.0);
    assert_eq!(first, uncached, "a cold cache changes nothing");
    let second = summary(&run_check_in(&SPEC, &ctx));
    assert_eq!(second, uncached, "results read from the cache are the same");

    // The cache is used: a forged entry for an unchanged file is what the check reports.
    let text = std::fs::read_to_string(&cache_file).expect("read cache");
    let forged = text.replace("\"branchy\",1,4,11,", "\"forged\",1,4,11,");
    assert_ne!(
        forged, text,
        "the entry of a.rs is where the test expects it: {text}"
    );
    std::fs::write(&cache_file, forged).expect("write cache");
    let from_cache = run_check_in(&SPEC, &ctx);
    assert!(
        from_cache
            .findings
            .iter()
            .any(|f| f.message.contains("`forged`")),
        "{}",
        render(&from_cache.findings)
    );

    // An edited file is measured again; a deleted one leaves the cache.
    std::fs::write(root.join("a.rs"), branchy(3)).expect("write");
    std::fs::remove_file(root.join("b.py")).expect("remove");
    let edited = run_check_in(&SPEC, &ctx);
    assert_eq!(edited.metric("quality.cyclomatic_max"), Some(4.0));
    assert!(edited.findings.is_empty(), "{}", render(&edited.findings));
    let text = std::fs::read_to_string(&cache_file).expect("read cache");
    assert!(!text.contains("b.py"), "{text}");

    // A damaged cache is ignored and rewritten, never an error.
    std::fs::write(&cache_file, "{ not json").expect("write cache");
    let after_damage = run_check_in(&SPEC, &ctx);
    assert_eq!(after_damage.metric("quality.cyclomatic_max"), Some(4.0));
    let text = std::fs::read_to_string(&cache_file).expect("read cache");
    assert!(text.starts_with("{\"format\":"), "{text}");
}
