//! criterion.rs results: `target/criterion/<benchmark>/{new,<baseline>}/*.json`.
//!
//! Each benchmark folder holds `new/` (the last run) and one folder per saved baseline (`base`
//! by default; `cargo bench -- --save-baseline NAME` saves others). In each: `benchmark.json`
//! (the benchmark's full id), `sample.json` (`iters` and total `times` in ns of each sample, so
//! one sample is `times[i] / iters[i]` ns per iteration) and `estimates.json` (bootstrap point
//! estimates of mean, median, standard deviation and MAD). The samples are used when present;
//! the estimates otherwise (with an unknown sample count, so no significance test).
//!
//! criterion overwrites `base` with every run unless told otherwise, so after a plain
//! `cargo bench` `base` equals `new`; such a baseline is ignored with a note. Compare against a
//! named baseline: `cargo bench -- --save-baseline main` on the base branch, then
//! `cargo bench -- --baseline main` on the change (and `criterion_baseline: main`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ParseError;
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{Series, Source, Unit};

/// File names criterion writes in a run folder.
const FILES: [&str; 3] = ["benchmark.json", "sample.json", "estimates.json"];
/// Most criterion files read from one folder outside the walk.
const MAX_FILES: usize = 20_000;
/// Nanoseconds to milliseconds.
const NS_TO_MS: f64 = 1e-6;

/// Whether `path` is a file criterion writes for the last run or for `baseline`.
pub(crate) fn is_criterion_file(path: &str, baseline: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (Some(file), Some(run)) = (parts.next(), parts.next()) else {
        return false;
    };
    FILES.contains(&file) && (run == "new" || run == baseline) && parts.next().is_some()
}

/// Criterion files gathered from the walk or from disk: path → bytes.
pub(crate) type Files = BTreeMap<String, Vec<u8>>;

/// Read every criterion file under the folder `abs` (not following links), naming them
/// `display/<relative path>`. Errors name the folder.
pub(crate) fn read_folder(
    abs: &Path,
    display: &str,
    baseline: &str,
    into: &mut Files,
) -> Result<(), String> {
    let mut stack = vec![(abs.to_path_buf(), display.trim_end_matches('/').to_owned())];
    let mut count = 0usize;
    while let Some((dir, shown)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{shown}: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{shown}: {e}"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{shown}/{name}");
            let kind = entry.file_type().map_err(|e| format!("{path}: {e}"))?;
            if kind.is_dir() && name != "report" {
                stack.push((entry.path(), path));
            } else if kind.is_file() && is_criterion_file(&path, baseline) {
                count += 1;
                if count > MAX_FILES {
                    return Err(format!(
                        "{display}: more than {MAX_FILES} criterion files; list the benchmarks \
                         to import in performance.imports"
                    ));
                }
                let bytes = std::fs::read(entry.path()).map_err(|e| format!("{path}: {e}"))?;
                into.insert(path, bytes);
            }
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct BenchmarkId {
    full_id: String,
}

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
    std_dev: Estimate,
    median_abs_dev: Estimate,
}

/// One run folder's files.
#[derive(Default)]
struct RunFiles<'a> {
    benchmark: Option<(&'a str, &'a [u8])>,
    sample: Option<(&'a str, &'a [u8])>,
    estimates: Option<(&'a str, &'a [u8])>,
}

/// What the files gave: series, unreadable files (path and error), notes.
#[derive(Default)]
pub(crate) struct Assembled {
    /// One series per benchmark with a `new` run.
    pub(crate) series: Vec<Series>,
    /// Files that could not be read.
    pub(crate) errors: Vec<(String, ParseError)>,
    /// Remarks for the report.
    pub(crate) notes: Vec<String>,
}

/// Build one series per benchmark folder that has a `new/` run.
pub(crate) fn assemble(files: &Files, baseline: &str) -> Assembled {
    // benchmark folder → run folder name → files
    let mut folders: BTreeMap<&str, BTreeMap<&str, RunFiles<'_>>> = BTreeMap::new();
    for (path, bytes) in files {
        let Some((dir, file)) = path.rsplit_once('/') else {
            continue;
        };
        let Some((bench_dir, run)) = dir.rsplit_once('/') else {
            continue;
        };
        let slot = folders
            .entry(bench_dir)
            .or_default()
            .entry(run)
            .or_default();
        let item = Some((path.as_str(), bytes.as_slice()));
        match file {
            "benchmark.json" => slot.benchmark = item,
            "sample.json" => slot.sample = item,
            "estimates.json" => slot.estimates = item,
            _ => {}
        }
    }
    let mut out = Assembled::default();
    let mut same_as_new = Vec::new();
    for (bench_dir, runs) in &folders {
        let Some(new) = runs.get("new") else {
            continue;
        };
        let name = match new
            .benchmark
            .map(|(p, b)| (p, parse_json::<BenchmarkId>(b)))
        {
            Some((_, Ok(id))) if !id.full_id.is_empty() => id.full_id,
            Some((p, Err(e))) => {
                out.errors.push((p.to_owned(), e));
                continue;
            }
            _ => default_name(bench_dir),
        };
        let summary = match run_summary(new) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err((p, e)) => {
                out.errors.push((p, e));
                continue;
            }
        };
        let origin = format!("{bench_dir}/new");
        let mut series = Series::new(name, Source::Criterion, origin, Unit::Millis);
        series.summary = Some(summary);
        if let Some(base) = runs.get(baseline) {
            match run_summary(base) {
                Ok(Some(b)) if b == summary => same_as_new.push(series.name.clone()),
                Ok(Some(b)) => series.tool_baseline = Some(b),
                Ok(None) => {}
                Err((p, e)) => out.errors.push((p, e)),
            }
        }
        out.series.push(series);
    }
    if !same_as_new.is_empty() {
        out.notes.push(format!(
            "criterion's `{baseline}` baseline equals its last run for {} (criterion overwrites \
             `base` on every run), so it was not used: save a baseline with `cargo bench -- \
             --save-baseline NAME`, compare with `-- --baseline NAME`, and set \
             performance.regression.criterion_baseline",
            list(&same_as_new)
        ));
    }
    out
}

/// Summary of one run folder in ms: from `sample.json`, else `estimates.json`.
fn run_summary(run: &RunFiles<'_>) -> Result<Option<Summary>, (String, ParseError)> {
    if let Some((path, bytes)) = run.sample {
        let sample: Sample = parse_json(bytes).map_err(|e| (path.to_owned(), e))?;
        if sample.iters.len() != sample.times.len() {
            return Err((
                path.to_owned(),
                ParseError::whole("`iters` and `times` have different lengths"),
            ));
        }
        let per_iter: Vec<f64> = sample
            .times
            .iter()
            .zip(&sample.iters)
            .filter(|(_, i)| **i > 0.0)
            .map(|(t, i)| t / i * NS_TO_MS)
            .collect();
        return match Summary::of(&per_iter) {
            Some(s) => Ok(Some(s)),
            None => Err((path.to_owned(), ParseError::whole("no usable sample"))),
        };
    }
    if let Some((path, bytes)) = run.estimates {
        let e: Estimates = parse_json(bytes).map_err(|e| (path.to_owned(), e))?;
        let summary = Summary {
            n: 0,
            mean: e.mean.point_estimate,
            stddev: Some(e.std_dev.point_estimate),
            median: Some(e.median.point_estimate),
            min: None,
            max: None,
            p95: None,
            p99: None,
            mad: Some(e.median_abs_dev.point_estimate),
        };
        return Ok(Some(summary.scaled(NS_TO_MS)));
    }
    Ok(None)
}

/// Name from the folder when `benchmark.json` is missing: the part after `criterion/`.
fn default_name(bench_dir: &str) -> String {
    bench_dir
        .rsplit_once("criterion/")
        .map_or(bench_dir, |(_, rest)| rest)
        .to_owned()
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| ParseError::at(e.to_string(), e.line()))
}

fn list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    if names.len() > 3 {
        format!("{} and {} more", shown.join(", "), names.len() - 3)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_run_files() {
        assert!(is_criterion_file(
            "target/criterion/fib/new/estimates.json",
            "base"
        ));
        assert!(is_criterion_file(
            "target/criterion/fib/main/sample.json",
            "main"
        ));
        assert!(!is_criterion_file(
            "target/criterion/fib/main/sample.json",
            "base"
        ));
        assert!(!is_criterion_file(
            "target/criterion/fib/change/estimates.json",
            "base"
        ));
        assert!(!is_criterion_file("new/estimates.json", "base"));
        assert!(!is_criterion_file("fib/new/tukey.json", "base"));
    }

    #[test]
    fn samples_are_per_iteration_and_estimates_are_the_fallback() {
        let mut files = Files::new();
        files.insert(
            "target/criterion/a/new/sample.json".into(),
            br#"{"sampling_mode":"Linear","iters":[1.0,2.0,4.0],"times":[1000000.0,2000000.0,8000000.0]}"#.to_vec(),
        );
        files.insert(
            "target/criterion/b/new/estimates.json".into(),
            br#"{"mean":{"point_estimate":2000000.0},"median":{"point_estimate":1500000.0},
                "std_dev":{"point_estimate":100000.0},"median_abs_dev":{"point_estimate":5.0},
                "slope":null}"#
                .to_vec(),
        );
        files.insert(
            "target/criterion/b/new/benchmark.json".into(),
            br#"{"full_id":"group/b"}"#.to_vec(),
        );
        let out = assemble(&files, "base");
        assert!(out.errors.is_empty());
        let a = &out.series[0];
        assert_eq!(a.name, "a");
        let s = a.summary.expect("summary");
        // 1 ms, 1 ms, 2 ms per iteration.
        assert_eq!((s.n, s.median), (3, Some(1.0)));
        let b = &out.series[1];
        assert_eq!(b.name, "group/b");
        let s = b.summary.expect("summary");
        assert_eq!((s.n, s.mean, s.median), (0, 2.0, Some(1.5)));
    }

    #[test]
    fn malformed_files_are_errors_naming_the_file() {
        let mut files = Files::new();
        files.insert("c/a/new/sample.json".into(), b"{\"iters\": [1.0".to_vec());
        files.insert(
            "c/b/new/sample.json".into(),
            br#"{"iters":[1.0],"times":[]}"#.to_vec(),
        );
        let out = assemble(&files, "base");
        assert!(out.series.is_empty());
        let paths: Vec<&str> = out.errors.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["c/a/new/sample.json", "c/b/new/sample.json"]);
    }
}
