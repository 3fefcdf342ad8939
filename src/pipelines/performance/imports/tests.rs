//! The import parsers on real outputs of each tool (`fixtures/performance/benchmarks/imports`,
//! see its README for how each file was made).

use super::criterion::{Files, assemble, read_folder};
use super::*;
use crate::pipelines::performance::{Source, Unit};
use crate::pipelines::testing::fixture;

fn text(name: &str) -> String {
    let path = fixture("performance/benchmarks/imports").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parsed(name: &str, format: Option<BenchmarkFormat>) -> (BenchmarkFormat, Vec<Series>) {
    match read(name, &text(name), format, format.is_some()) {
        Outcome::Parsed(f, s) => (f, s),
        other => panic!("{name}: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn hyperfine_export() {
    let (format, series) = parsed("hyperfine.json", None);
    assert_eq!(format, BenchmarkFormat::Hyperfine);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["sleep 0.01", "sleep 0.02"]);
    let s = &series[0];
    assert_eq!(s.source, Source::Hyperfine);
    assert_eq!(s.unit, Unit::Millis);
    let sum = s.summary.expect("summary");
    assert_eq!(sum.n, 10);
    // hyperfine's own mean and median, in ms.
    assert!(close(sum.mean, 17.461_587_400_000_003), "{}", sum.mean);
    assert!(close(sum.median.expect("median"), 15.645_781), "{sum:?}");
    assert_eq!(s.runs.as_ref().map(|r| r.error_rate()), Some(0.0));
    assert!(s.extra.iter().any(|(n, _, _)| *n == "cpu_pct"));
}

#[test]
fn hyperfine_failures_are_runs_without_times() {
    let (_, series) = parsed("hyperfine-failing.json", None);
    let s = &series[0];
    assert_eq!(s.name, "sh -c 'exit 3'");
    let runs = s.runs.as_ref().expect("runs");
    assert_eq!((runs.total, runs.failed), (5, 5));
    assert_eq!(runs.error_rate(), 100.0);
    assert_eq!(runs.last_failure.as_deref(), Some("exited with status 3"));
    assert!(s.summary.is_none());
}

#[test]
fn pytest_benchmark_with_and_without_round_data() {
    let (format, series) = parsed("pytest-benchmark.json", None);
    assert_eq!(format, BenchmarkFormat::PytestBenchmark);
    let large = series
        .iter()
        .find(|s| s.name == "test_sort.py::test_sort_large")
        .expect("test_sort_large");
    let sum = large.summary.expect("summary");
    assert_eq!(sum.n, 20);
    assert!(close(sum.mean, 8.386_230_250_016_524), "{}", sum.mean);
    assert!(sum.p95.is_some(), "raw rounds give percentiles");

    // A `.benchmarks/` save keeps only the statistics: rounds count, no percentiles.
    let (_, saved) = parsed("pytest-autosave.json", None);
    let small = saved
        .iter()
        .find(|s| s.name == "test_sort.py::test_sort_small")
        .expect("test_sort_small");
    let sum = small.summary.expect("summary");
    assert_eq!(sum.n, 30);
    assert!(close(sum.mean, 0.150_561_500_049_661_84), "{}", sum.mean);
    assert!(sum.stddev.is_some());
    assert_eq!(sum.p95, None);
}

#[test]
fn go_test_bench_output() {
    let (format, series) = parsed("gobench.txt", None);
    assert_eq!(format, BenchmarkFormat::GoBench);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "example.com/sorter/BenchmarkSortCopy100",
            "example.com/sorter/BenchmarkSortCopy10k"
        ]
    );
    let small = series[0].summary.expect("summary");
    assert_eq!(small.n, 5);
    // Median of 14357, 14723, 9863, 6196, 6775 ns.
    assert!(close(small.median.expect("median"), 0.009_863), "{small:?}");
    let extra: Vec<&str> = series[1].extra.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(extra, ["bytes_per_op", "allocs_per_op", "mb_per_s"]);
    let allocs = series[1].extra[1].1;
    assert_eq!(allocs, 2.0);
}

#[test]
fn cargo_bench_libtest_output() {
    let (format, series) = parsed("cargo-bench.txt", None);
    assert_eq!(format, BenchmarkFormat::CargoBench);
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].name, "benches::bench_sum_large");
    let s = series[0].summary.expect("summary");
    assert_eq!(s.n, 1);
    assert!(close(s.mean, 0.161_454_72), "{}", s.mean);
}

#[test]
fn custom_json_needs_its_format() {
    let text = r#"[{"name": "startup", "unit": "ms", "value": 42.5}]"#;
    match read("custom.json", text, None, false) {
        Outcome::NotBenchmarks(why) => assert!(why.contains("custom-smaller-is-better"), "{why}"),
        other => panic!("{other:?}"),
    }
    match read("custom.json", text, None, true) {
        Outcome::Failed(None, e) => assert!(e.message.contains("format"), "{e}"),
        other => panic!("{other:?}"),
    }
    match read(
        "custom.json",
        text,
        Some(BenchmarkFormat::CustomSmallerIsBetter),
        true,
    ) {
        Outcome::Parsed(_, s) => assert_eq!(s[0].summary.map(|x| x.mean), Some(42.5)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn criterion_folder_with_a_named_baseline() {
    let mut files = Files::new();
    let dir = fixture("performance/benchmarks/imports/criterion");
    read_folder(&dir, "target/criterion", "main", &mut files).expect("reads");
    // benchmark.json, sample.json and estimates.json of new/ and main/ for two benchmarks;
    // change/ and tukey.json are not read.
    assert_eq!(files.len(), 12, "{:?}", files.keys().collect::<Vec<_>>());
    let out = assemble(&files, "main");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let names: Vec<&str> = out.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["mix/hash 64", "parse/small"]);
    let parse = &out.series[1];
    let new = parse.summary.expect("new");
    let base = parse.tool_baseline.expect("the `main` baseline");
    assert_eq!((new.n, base.n), (100, 100));
    // criterion reported [88.486 µs 91.552 µs 94.797 µs] for the mean of the new run (a slope
    // estimate); the per-iteration sample mean is close to it.
    assert!((0.085..=0.095).contains(&new.mean), "{}", new.mean);
    assert!(new.mean > base.mean * 1.4, "{} vs {}", new.mean, base.mean);
    // Asking for a baseline that does not exist leaves it out.
    let none = assemble(&files, "base");
    assert!(none.series.iter().all(|s| s.tool_baseline.is_none()));
}

#[test]
fn criterion_baseline_equal_to_the_run_is_ignored_with_a_note() {
    let mut files = Files::new();
    let dir = fixture("performance/benchmarks/imports/criterion");
    read_folder(&dir, "c", "main", &mut files).expect("reads");
    // Make `main` a copy of `new`, as criterion's default `base` is after a plain run.
    let copies: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(k, _)| k.contains("/new/"))
        .map(|(k, v)| (k.replace("/new/", "/main/"), v.clone()))
        .collect();
    files.extend(copies);
    let out = assemble(&files, "main");
    assert!(out.series.iter().all(|s| s.tool_baseline.is_none()));
    assert_eq!(out.notes.len(), 1);
    assert!(out.notes[0].contains("--save-baseline"), "{}", out.notes[0]);
}

#[test]
fn broken_files_name_their_line() {
    let truncated = &text("hyperfine.json")[..300];
    match read("h.json", truncated, Some(BenchmarkFormat::Hyperfine), true) {
        Outcome::Failed(Some(BenchmarkFormat::Hyperfine), e) => {
            assert!(e.line.is_some(), "{e}");
            assert!(e.message.contains("EOF"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Without a listing, a broken JSON file is not recognized as anything.
    assert!(matches!(
        read("h.json", truncated, None, false),
        Outcome::NotBenchmarks(_)
    ));
    match read("x.txt", "nothing here", None, true) {
        Outcome::Failed(None, e) => assert!(e.message.contains("not a format"), "{e}"),
        other => panic!("{other:?}"),
    }
    // Binary garbage and invalid UTF-8 (decoded lossily by the walk) are not a panic.
    let garbage = String::from_utf8_lossy(&[0xff, 0xfe, b'{', 0x80, b'"']).into_owned();
    assert!(matches!(
        read(
            "x.json",
            &garbage,
            Some(BenchmarkFormat::PytestBenchmark),
            true
        ),
        Outcome::Failed(..)
    ));
}

#[test]
fn well_known_names() {
    for yes in [
        "bench.txt",
        "results/hyperfine.json",
        "ci/benchmark-results.json",
        ".benchmarks/Linux-CPython-3.11-64bit/0001_x.json",
        "py/.benchmarks/a/b.json",
        "BENCH_go.out",
    ] {
        assert!(is_well_known(yes), "{yes}");
    }
    for no in [
        "benches/parse.rs",
        "bench_test.go",
        "bench.md",
        "package.json",
        "x.txt",
    ] {
        assert!(!is_well_known(no), "{no}");
    }
}
