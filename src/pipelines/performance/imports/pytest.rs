//! pytest-benchmark JSON (`pytest --benchmark-json FILE`, or a `.benchmarks/` save):
//! `{"benchmarks": [{"fullname", "stats": {"mean", "stddev", "median", "min", "max", "rounds",
//! "data": [s…]?}}]}`, times in seconds per iteration.
//!
//! `--benchmark-json` includes every round's time (`data`); saves made with `--benchmark-autosave`
//! keep only the statistics, whose `rounds` is then the sample count.

use serde::Deserialize;

use super::{ParseError, parse_json};
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{Series, Source, Unit};

#[derive(Deserialize)]
struct Export {
    benchmarks: Vec<Benchmark>,
}

#[derive(Deserialize)]
struct Benchmark {
    fullname: Option<String>,
    name: String,
    stats: Stats,
}

#[derive(Deserialize)]
struct Stats {
    mean: f64,
    stddev: Option<f64>,
    median: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    rounds: Option<usize>,
    data: Option<Vec<f64>>,
}

/// Series of a pytest-benchmark file.
pub(super) fn parse(origin: &str, text: &str) -> Result<Vec<Series>, ParseError> {
    let export: Export = parse_json(text)?;
    let mut out = Vec::new();
    for b in export.benchmarks {
        let name = b.fullname.unwrap_or(b.name);
        let mut series = Series::new(
            name,
            Source::PytestBenchmark,
            origin.to_owned(),
            Unit::Millis,
        );
        let st = b.stats;
        series.summary = match st.data.as_deref() {
            Some(data) if !data.is_empty() => Summary::of(data).map(|s| s.scaled(1000.0)),
            _ => Some(
                Summary {
                    n: st.rounds.unwrap_or(0),
                    stddev: st.stddev,
                    median: st.median,
                    min: st.min,
                    max: st.max,
                    ..Summary::single(st.mean)
                }
                .scaled(1000.0),
            ),
        };
        out.push(series);
    }
    Ok(out)
}
