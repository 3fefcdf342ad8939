//! `hyperfine --export-json FILE`: `{"results": [{"command", "mean", "stddev", "median",
//! "user", "system", "min", "max", "times": [s…], "exit_codes": [..]}]}`, times in seconds.
//!
//! Each result is a series named by its command (or by `-n NAME`). With `--ignore-failure`
//! hyperfine keeps failing runs: their exit codes give the error rate and their times are left
//! out of the statistics, as vigil does with its own benchmarks. `user` and `system` (mean CPU
//! seconds per run) give the CPU %.

use serde::Deserialize;

use super::{ParseError, parse_json};
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{RunCount, Series, Source, Unit};

#[derive(Deserialize)]
struct Export {
    results: Vec<Result>,
}

#[derive(Deserialize)]
struct Result {
    command: String,
    mean: f64,
    stddev: Option<f64>,
    median: Option<f64>,
    user: Option<f64>,
    system: Option<f64>,
    times: Option<Vec<f64>>,
    exit_codes: Option<Vec<Option<i32>>>,
}

/// Series of a hyperfine export.
pub(super) fn parse(origin: &str, text: &str) -> std::result::Result<Vec<Series>, ParseError> {
    let export: Export = parse_json(text)?;
    let mut out = Vec::new();
    for r in export.results {
        let mut series = Series::new(
            r.command,
            Source::Hyperfine,
            origin.to_owned(),
            Unit::Millis,
        );
        let codes = r.exit_codes.unwrap_or_default();
        let times = r.times.unwrap_or_default();
        let summary = if !times.is_empty() && codes.len() == times.len() {
            let ok: Vec<f64> = times
                .iter()
                .zip(&codes)
                .filter(|(_, c)| **c == Some(0))
                .map(|(t, _)| t * 1000.0)
                .collect();
            let failed = codes.iter().filter(|c| **c != Some(0)).count();
            series.runs = Some(RunCount {
                total: codes.len(),
                failed,
                last_failure: codes
                    .iter()
                    .rev()
                    .find(|c| **c != Some(0))
                    .map(|c| match c {
                        Some(code) => format!("exited with status {code}"),
                        None => "was killed by a signal".to_owned(),
                    }),
            });
            Summary::of(&ok)
        } else if !times.is_empty() {
            Summary::of(&times.iter().map(|t| t * 1000.0).collect::<Vec<_>>())
        } else {
            Some(
                Summary {
                    n: 0,
                    stddev: r.stddev,
                    median: r.median,
                    ..Summary::single(r.mean)
                }
                .scaled(1000.0),
            )
        };
        if let (Some(user), Some(system)) = (r.user, r.system)
            && r.mean > 0.0
        {
            series
                .extra
                .push(("cpu_pct", 100.0 * (user + system) / r.mean, "%"));
        }
        series.summary = summary;
        out.push(series);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_runs_count_as_errors_and_leave_the_statistics() {
        let text = r#"{"results":[{"command":"x","mean":0.2,"stddev":0.1,"median":0.2,
            "user":0.05,"system":0.05,"min":0.1,"max":0.3,"times":[0.1,0.2,0.3],
            "exit_codes":[0,3,0]}]}"#;
        let series = parse("h.json", text).expect("parses");
        let s = &series[0];
        let runs = s.runs.as_ref().expect("runs");
        assert_eq!((runs.total, runs.failed), (3, 1));
        assert_eq!(runs.last_failure.as_deref(), Some("exited with status 3"));
        let sum = s.summary.expect("summary");
        assert_eq!(sum.n, 2);
        assert!((sum.mean - 200.0).abs() < 1e-9);
        assert_eq!(s.extra, vec![("cpu_pct", 50.0, "%")]);
    }
}
