//! Tests of the line counter against tokei's numbers, and of the check's metrics.

use super::count::{LineCounts, count};
use super::languages::{Detected, Table};
use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, run_check_with_metrics};

fn table() -> Table {
    Table::load().expect("the embedded table loads")
}

/// Count `text` as the language of `path`.
fn lines(table: &Table, path: &str, text: &str) -> (u64, u64, u64) {
    let lang = match table.detect_path(path) {
        Detected::Language(i) => i,
        other => panic!("{path}: {other:?}"),
    };
    let LineCounts {
        code,
        comments,
        blanks,
    } = count(table, lang, text.as_bytes());
    (code, comments, blanks)
}

/// tokei 15.0.0's (code, comments, blanks) for each fixture file, from
/// `tokei --hidden -o json fixtures/quality/loc` (embedded blocks folded into their host).
const TOKEI: &[(&str, u64, u64, u64)] = &[
    ("Dockerfile", 2, 1, 1),    // Dockerfile
    ("Main.hs", 3, 2, 1),       // Haskell
    ("Main.java", 6, 4, 0),     // Java
    ("Main.kt", 4, 2, 0),       // Kotlin
    ("Main.scala", 3, 2, 0),    // Scala
    ("Makefile", 2, 1, 1),      // Makefile
    ("Program.cs", 8, 2, 0),    // C#
    ("README.md", 0, 9, 2),     // Markdown
    ("app.rb", 3, 4, 0),        // Ruby
    ("component.tsx", 7, 1, 1), // TSX
    ("config.toml", 6, 1, 1),   // TOML
    ("config.yaml", 4, 1, 1),   // YAML
    ("data.json", 4, 0, 1),     // JSON
    ("index.php", 2, 3, 0),     // PHP
    ("init.lua", 2, 3, 0),      // Lua
    ("javascript.js", 4, 5, 1), // JavaScript
    ("lib.c", 5, 4, 1),         // C
    ("lib.cpp", 6, 1, 2),       // C++
    ("lib.h", 4, 1, 2),         // C Header
    ("lib.hpp", 3, 1, 1),       // C++ Header
    ("main.go", 7, 2, 2),       // Go
    ("main.swift", 2, 1, 0),    // Swift
    ("notes.md", 1, 8, 3),      // Markdown
    ("page.html", 12, 2, 0),    // HTML
    ("python.py", 10, 2, 3),    // Python
    ("query.sql", 2, 3, 0),     // SQL
    ("run", 1, 2, 0),           // BASH
    ("rust.rs", 10, 9, 3),      // Rust
    ("script.sh", 2, 2, 1),     // Shell
    ("style.css", 4, 1, 1),     // CSS
    ("typescript.ts", 4, 4, 1), // TypeScript
];

#[test]
fn fixture_files_agree_with_tokei() {
    let t = table();
    let dir = fixture("quality/loc");
    let mut mismatches = Vec::new();
    for &(file, code, comments, blanks) in TOKEI {
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture is readable");
        let lang = match t.detect_path(file) {
            Detected::Language(i) => i,
            Detected::ByShebang => t.detect_shebang(text.as_bytes()).expect("shebang"),
            Detected::Unknown => panic!("{file}: unknown language"),
        };
        let got = count(&t, lang, text.as_bytes());
        let want = LineCounts {
            code,
            comments,
            blanks,
        };
        if got != want {
            mismatches.push(format!("{file}: got {got:?}, tokei {want:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(TOKEI.len() >= 25, "every fixture file has tokei's numbers");
}

#[test]
fn nested_comments_nest_only_where_the_language_says() {
    let t = table();
    let text = "/* a /* b */\nstill */\nx();\n";
    // Rust nests: the comment runs to line 2 (tokei: 1 code, 2 comments).
    assert_eq!(lines(&t, "a.rs", text), (1, 2, 0));
    // C does not: the first `*/` closes it, so line 2 is code (tokei: 2 code, 1 comment).
    assert_eq!(lines(&t, "a.c", text), (2, 1, 0));
}

#[test]
fn comment_markers_inside_strings_are_code() {
    let t = table();
    assert_eq!(lines(&t, "a.js", "const a = \"// no\";\n"), (1, 0, 0));
    assert_eq!(lines(&t, "a.py", "s = '# no'\n"), (1, 0, 0));
    // An escaped quote does not end the string.
    assert_eq!(lines(&t, "a.js", "x = \"\\\" /* no\";\ny();\n"), (2, 0, 0));
}

#[test]
fn mixed_lines_are_code_and_block_comment_lines_are_comments() {
    let t = table();
    assert_eq!(lines(&t, "a.go", "x := 1 // note\n"), (1, 0, 0));
    assert_eq!(lines(&t, "a.go", "/* open\n\n   close */\n"), (0, 3, 0));
    assert_eq!(lines(&t, "a.go", "/* open\n close */ x := 1\n"), (0, 2, 0));
    assert_eq!(lines(&t, "a.go", "x := 1 /* open\n close */\n"), (1, 1, 0));
}

#[test]
fn docstrings_and_blank_lines_in_strings_are_code() {
    let t = table();
    let text = "def f():\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n    # comment\n\n";
    assert_eq!(lines(&t, "a.py", text), (5, 1, 1));
}

#[test]
fn rust_doc_comments_are_markdown_comments() {
    let t = table();
    let text = "/// Docs.\n///\n/// ```rust\n/// let x = 1;\n/// ```\nfn f() {}\n";
    // Prose and fences are comments, the blank doc line is blank, the example is code.
    assert_eq!(lines(&t, "a.rs", text), (2, 3, 1));
}

#[test]
fn byte_order_mark_and_crlf_do_not_change_counts() {
    let t = table();
    assert_eq!(
        lines(&t, "a.c", "\u{feff}// c\r\nint x;\r\n\r\n"),
        (1, 1, 1)
    );
}

fn prefix_lines(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}\n")).collect()
}

#[test]
fn pathological_input_does_not_panic() {
    let t = table();
    // Each fence line both closes one block and opens the next: tokei counts 3000 comment
    // lines for these 2000 physical ones, and so does vigil.
    let fences = "/// ```rust\n".repeat(2000) + &"x\n".repeat(10);
    assert_eq!(lines(&t, "a.rs", &fences), (10, 3000, 0));
    // Embedding nested deeper than the limit is counted, not followed.
    let mut nested = String::from("x\n");
    for _ in 0..50 {
        nested = format!("/// ```rust\n{}/// ```\n", prefix_lines(&nested, "/// "));
    }
    let (code, comments, blanks) = lines(&t, "a.rs", &nested);
    assert!(code + comments + blanks > 0);
    for text in ["\"", "/*", "r#\"", "\\", "```", "<script>", "\n\n\n", ""] {
        for path in ["a.rs", "a.md", "a.html", "a.py", "a.cpp"] {
            let _ = lines(&t, path, text);
        }
    }
    assert_eq!(lines(&t, "a.rs", ""), (0, 0, 0));
}

#[test]
fn check_reports_metrics_by_language_and_totals() {
    let out = run_check_with_metrics(&SPEC, &fixture("quality/loc"), &Config::default());
    assert!(out.findings.is_empty());
    let m = |name: &str| {
        out.metric(name)
            .unwrap_or_else(|| panic!("metric {name} missing"))
    };
    assert_eq!(m("loc.rust.code"), 10.0);
    assert_eq!(m("loc.rust.comments"), 9.0);
    assert_eq!(m("loc.rust.blanks"), 3.0);
    assert_eq!(m("loc.rust.files"), 1.0);
    assert_eq!(m("loc.markdown.files"), 2.0);
    assert_eq!(m("loc.bash.files"), 1.0, "`run` is found by its shebang");
    assert_eq!(m("loc.cppheader.code"), 3.0);
    // tokei's "Total" row for this folder.
    assert_eq!(m("loc.code"), 133.0);
    assert_eq!(m("loc.comments"), 84.0);
    assert_eq!(m("loc.blanks"), 30.0);
    assert_eq!(m("loc.files"), 31.0);
    // Markdown (prose) and JSON (no comments) are left out of the ratio: 67 / (128 + 67).
    assert_eq!(m(COMMENT_RATIO), 34.36);
    let languages = out
        .metrics
        .iter()
        .filter(|x| x.name.ends_with(".files") && x.name != "loc.files")
        .count();
    assert!(languages >= 25, "only {languages} languages counted");
}
