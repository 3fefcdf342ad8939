//! `cargo bench` output of the built-in (libtest) harness: lines such as
//! `test benches::sum ... bench:     161,454.72 ns/iter (+/- 113,815.97)` (older toolchains
//! print whole numbers).
//!
//! The value is the median of libtest's samples; the `+/-` figure is their range, not a
//! standard deviation, so it is not used. Each line is one sample: one `cargo bench` run gives
//! one value per benchmark, which is too few for a significance test; several runs' outputs
//! concatenated in one file give several.

use std::collections::BTreeMap;

use super::ParseError;
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{Series, Source, Unit};

/// `(name, ns per iteration)` of a result line.
fn parse_line(line: &str) -> Option<(&str, f64)> {
    let rest = line.strip_prefix("test ")?;
    let (name, rest) = rest.split_once(" ... bench:")?;
    let (value, rest) = rest.trim_start().split_once(' ')?;
    if !rest.trim_start().starts_with("ns/iter") {
        return None;
    }
    let value: f64 = value.replace(',', "").parse().ok()?;
    Some((name.trim(), value))
}

/// Whether `text` has at least one benchmark result line.
pub(super) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| parse_line(l).is_some())
}

/// Series of `cargo bench` output.
pub(super) fn parse(origin: &str, text: &str) -> Result<Vec<Series>, ParseError> {
    let mut found: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((name, ns)) = parse_line(line) {
            found.entry(name).or_default().push(ns * 1e-6);
        }
    }
    if found.is_empty() {
        return Err(ParseError::whole(
            "no `test NAME ... bench: N ns/iter` line; is this `cargo bench` output?",
        ));
    }
    Ok(found
        .into_iter()
        .map(|(name, ms)| {
            let mut s = Series::new(
                name.to_owned(),
                Source::CargoBench,
                origin.to_owned(),
                Unit::Millis,
            );
            s.summary = Summary::of(&ms);
            s
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_number_formats() {
        assert_eq!(
            parse_line("test bench_a   ... bench:          87 ns/iter (+/- 0)"),
            Some(("bench_a", 87.0))
        );
        assert_eq!(
            parse_line("test m::b ... bench:     161,454.72 ns/iter (+/- 113,815.97)"),
            Some(("m::b", 161_454.72))
        );
        assert_eq!(parse_line("test m::b ... ok"), None);
        assert_eq!(parse_line("test m::b ... bench: 5 MB/s"), None);
    }
}
