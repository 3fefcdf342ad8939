//! Benchmark results written by other tools: which files are imported and how they are read.
//!
//! **Which files.** Every file listed in `performance.imports` (a path, read even when
//! git-ignored, or a glob over the files the walk sees — the rules of the coverage check's
//! report lists, see `quality::coverage::inputs`) and, with `auto_detect`, files under their
//! usual names: criterion's run files (`…/criterion/<bench>/new/*.json`), pytest-benchmark
//! saves (`.benchmarks/**/*.json`), and JSON or text files whose name contains `bench` or
//! `hyperfine` (`bench.txt`, `hyperfine.json`, `benchmark-results.json`, …).
//!
//! **criterion's folder.** criterion writes to `target/criterion`, and `target/` is git-ignored
//! almost everywhere, so the walk never offers it. With `auto_detect`, the check therefore
//! reads `<root>/target/criterion` itself when it exists — the same exception the coverage
//! check makes for listed reports: a build artefact at a fixed, well-known place is an input
//! handed to vigil, not part of the tree to scan. A listed folder (`path: target/criterion`) is
//! read the same way.
//!
//! **Which format.** A listed file's `format` wins; otherwise the content decides: a JSON
//! object with `results[].command` is hyperfine, with `benchmarks[].stats` pytest-benchmark;
//! text with `BenchmarkX  N  T ns/op` lines is `go test -bench`, with
//! `test X ... bench: N ns/iter` lines `cargo bench`. github-action-benchmark's custom JSON
//! must be listed with its format (the file does not say which direction is better).

pub(crate) mod criterion;
mod custom;
mod gobench;
mod hyperfine;
mod libtest;
mod pytest;

use std::fmt;

use crate::config::schema::BenchmarkFormat;
use crate::pipelines::performance::Series;

/// Why a file could not be read, with the line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// What is wrong.
    pub(crate) message: String,
    /// 1-based line, when known.
    pub(crate) line: Option<usize>,
}

impl ParseError {
    /// An error about the whole file.
    pub(crate) fn whole(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            line: None,
        }
    }

    /// An error at a line (0 means unknown).
    pub(crate) fn at(message: impl Into<String>, line: usize) -> Self {
        Self {
            message: message.into(),
            line: (line > 0).then_some(line),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Deserialize JSON text, keeping serde's line in the error.
fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        let line = e.line();
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m)
            .to_owned();
        ParseError::at(msg, line)
    })
}

/// Name of a format in messages.
pub(crate) fn format_name(f: BenchmarkFormat) -> &'static str {
    match f {
        BenchmarkFormat::Criterion => "criterion",
        BenchmarkFormat::Hyperfine => "hyperfine",
        BenchmarkFormat::PytestBenchmark => "pytest-benchmark",
        BenchmarkFormat::GoBench => "go-bench",
        BenchmarkFormat::CargoBench => "cargo-bench",
        BenchmarkFormat::CustomSmallerIsBetter => "custom-smaller-is-better",
        BenchmarkFormat::CustomBiggerIsBetter => "custom-bigger-is-better",
    }
}

/// Whether auto-detection looks at `path` (criterion run files are matched separately).
pub(crate) fn is_well_known(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext_ok = [".json", ".txt", ".out", ".log"]
        .iter()
        .any(|e| file.ends_with(e));
    let in_pytest_store = path.starts_with(".benchmarks/") || path.contains("/.benchmarks/");
    (in_pytest_store && file.ends_with(".json"))
        || (ext_ok && (file.contains("bench") || file.contains("hyperfine")))
}

/// The format of `text`, judged from its content (criterion files are recognized by path).
pub(crate) fn detect(text: &str) -> Option<BenchmarkFormat> {
    let head = text.trim_start();
    if head.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let first = |key: &str| v.get(key)?.as_array()?.first().cloned();
        if first("results").is_some_and(|r| r.get("command").is_some()) {
            return Some(BenchmarkFormat::Hyperfine);
        }
        if first("benchmarks").is_some_and(|b| b.get("stats").is_some()) {
            return Some(BenchmarkFormat::PytestBenchmark);
        }
        return None;
    }
    if head.starts_with('[') {
        return None;
    }
    if gobench::looks_like(text) {
        return Some(BenchmarkFormat::GoBench);
    }
    if libtest::looks_like(text) {
        return Some(BenchmarkFormat::CargoBench);
    }
    None
}

/// What one result file gave.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Its benchmarks.
    Parsed(BenchmarkFormat, Vec<Series>),
    /// It could not be read as the format it was listed with (or looked like).
    Failed(Option<BenchmarkFormat>, ParseError),
    /// Not a benchmark result (auto-detected names only), and why.
    NotBenchmarks(String),
}

/// Read one result file. `format` is the listed format; `explicit` says whether the file was
/// listed (then anything unreadable is a failure rather than "not a benchmark file").
pub(crate) fn read(
    origin: &str,
    text: &str,
    format: Option<BenchmarkFormat>,
    explicit: bool,
) -> Outcome {
    let format = match format.or_else(|| detect(text)) {
        Some(f) => f,
        None if custom::looks_like(text) => {
            let why = "it looks like github-action-benchmark custom JSON, which needs the \
                       format custom-smaller-is-better or custom-bigger-is-better in \
                       performance.imports";
            return if explicit {
                Outcome::Failed(None, ParseError::whole(why))
            } else {
                Outcome::NotBenchmarks(why.to_owned())
            };
        }
        None if explicit => {
            return Outcome::Failed(
                None,
                ParseError::whole(
                    "not a format vigil reads (criterion, hyperfine, pytest-benchmark, \
                     go-bench, cargo-bench, custom JSON); set `format` if it is one of them",
                ),
            );
        }
        None => return Outcome::NotBenchmarks("no known benchmark format".to_owned()),
    };
    let parsed = match format {
        BenchmarkFormat::Hyperfine => hyperfine::parse(origin, text),
        BenchmarkFormat::PytestBenchmark => pytest::parse(origin, text),
        BenchmarkFormat::GoBench => gobench::parse(origin, text),
        BenchmarkFormat::CargoBench => libtest::parse(origin, text),
        BenchmarkFormat::CustomSmallerIsBetter => custom::parse(origin, text, false),
        BenchmarkFormat::CustomBiggerIsBetter => custom::parse(origin, text, true),
        BenchmarkFormat::Criterion => Err(ParseError::whole(
            "a criterion result is a folder (target/criterion) or one of its \
             `new/estimates.json`, `new/sample.json` files",
        )),
    };
    match parsed {
        Ok(series) if series.is_empty() => Outcome::Failed(
            Some(format),
            ParseError::whole("the file holds no benchmark result"),
        ),
        Ok(series) => Outcome::Parsed(format, series),
        Err(e) => Outcome::Failed(Some(format), e),
    }
}

#[cfg(test)]
mod tests;
