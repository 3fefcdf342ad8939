//! `go test -bench` text output: lines such as
//! `BenchmarkSort-8   2000   14357 ns/op   26.94 MB/s   920 B/op   2 allocs/op`.
//!
//! Each line is one sample (`-count=N` prints N lines per benchmark). The `-8` suffix is
//! GOMAXPROCS: it is dropped from the name, so machines with different core counts compare,
//! unless one benchmark ran with several values (`-cpu=1,4`), which then stay apart. A `pkg:`
//! line prefixes the names that follow with the package path. `B/op`, `allocs/op` and `MB/s`
//! become extra metrics (their means).

use std::collections::BTreeMap;

use super::ParseError;
use crate::pipelines::performance::stats::{Summary, mean};
use crate::pipelines::performance::{Series, Source, Unit};

#[derive(Default)]
struct Samples {
    ns_per_op: Vec<f64>,
    bytes_per_op: Vec<f64>,
    allocs_per_op: Vec<f64>,
    mb_per_s: Vec<f64>,
}

/// Whether `text` has at least one benchmark result line.
pub(super) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| parse_line(l).is_some())
}

/// One result line.
struct ResultLine<'a> {
    /// Benchmark name without the GOMAXPROCS suffix.
    name: &'a str,
    /// The GOMAXPROCS suffix, when present.
    procs: Option<u32>,
    /// `(value, unit)` pairs, e.g. `(14357.0, "ns/op")`.
    pairs: Vec<(f64, &'a str)>,
}

/// A result line, or `None` for any other line.
fn parse_line(line: &str) -> Option<ResultLine<'_>> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?;
    if !name.starts_with("Benchmark") {
        return None;
    }
    fields.next()?.parse::<u64>().ok()?;
    let rest: Vec<&str> = fields.collect();
    let mut pairs = Vec::new();
    for pair in rest.chunks(2) {
        let [value, unit] = pair else {
            return None;
        };
        pairs.push((value.parse::<f64>().ok()?, *unit));
    }
    if !pairs.iter().any(|(_, u)| *u == "ns/op") {
        return None;
    }
    let (base, procs) = match name.rsplit_once('-') {
        Some((b, p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
            (b, p.parse().ok())
        }
        _ => (name, None),
    };
    Some(ResultLine {
        name: base,
        procs,
        pairs,
    })
}

/// Series of `go test -bench` output.
pub(super) fn parse(origin: &str, text: &str) -> Result<Vec<Series>, ParseError> {
    let mut pkg = String::new();
    // (package, name, GOMAXPROCS) → samples, in order of appearance.
    let mut found: BTreeMap<(String, String, Option<u32>), Samples> = BTreeMap::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("pkg: ") {
            pkg = p.trim().to_owned();
            continue;
        }
        let Some(ResultLine { name, procs, pairs }) = parse_line(line) else {
            continue;
        };
        let s = found
            .entry((pkg.clone(), name.to_owned(), procs))
            .or_default();
        for (v, unit) in pairs {
            match unit {
                "ns/op" => s.ns_per_op.push(v),
                "B/op" => s.bytes_per_op.push(v),
                "allocs/op" => s.allocs_per_op.push(v),
                "MB/s" => s.mb_per_s.push(v),
                _ => {}
            }
        }
    }
    if found.is_empty() {
        return Err(ParseError::whole(
            "no `BenchmarkName  N  T ns/op` line; is this `go test -bench` output?",
        ));
    }
    let mut procs_per_name: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (p, n, _) in found.keys() {
        *procs_per_name.entry((p, n)).or_default() += 1;
    }
    let mut out = Vec::new();
    for ((p, n, procs), s) in &found {
        let mut name = if p.is_empty() {
            n.clone()
        } else {
            format!("{p}/{n}")
        };
        if procs_per_name.get(&(p.as_str(), n.as_str())).copied() > Some(1)
            && let Some(procs) = procs
        {
            name.push_str(&format!("-{procs}"));
        }
        let mut series = Series::new(name, Source::GoBench, origin.to_owned(), Unit::Millis);
        let ms: Vec<f64> = s.ns_per_op.iter().map(|v| v * 1e-6).collect();
        series.summary = Summary::of(&ms);
        for (values, suffix, unit) in [
            (&s.bytes_per_op, "bytes_per_op", "bytes"),
            (&s.allocs_per_op, "allocs_per_op", "count"),
            (&s.mb_per_s, "mb_per_s", "MB/s"),
        ] {
            if !values.is_empty() {
                series.extra.push((suffix, mean(values), unit));
            }
        }
        out.push(series);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procs_suffix_is_kept_only_when_it_distinguishes() {
        let text = "pkg: a/b\nBenchmarkX-1 10 100 ns/op\nBenchmarkX-4 10 50 ns/op\n\
                    BenchmarkY-4 10 7 ns/op 3 B/op\nBenchmarkY-4 10 9 ns/op 5 B/op\nPASS\n";
        let series = parse("go.txt", text).expect("parses");
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["a/b/BenchmarkX-1", "a/b/BenchmarkX-4", "a/b/BenchmarkY"]
        );
        let y = &series[2];
        assert_eq!(y.summary.expect("summary").n, 2);
        assert_eq!(y.extra, vec![("bytes_per_op", 4.0, "bytes")]);
    }

    #[test]
    fn lines_that_are_not_results_are_ignored() {
        assert!(parse_line("BenchmarkX-8 \t 1000 \t 12 ns/op").is_some());
        assert!(parse_line("BenchmarkX-8 some text").is_none());
        assert!(parse_line("BenchmarkX 10 12 B/op").is_none());
        assert!(parse_line("--- FAIL: BenchmarkX").is_none());
        assert!(parse("x", "PASS\nok x 1s\n").is_err());
    }
}
