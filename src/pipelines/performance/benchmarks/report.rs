//! What the benchmarks check puts in the report: per-benchmark metrics, the headline metrics
//! the gates read, findings for failed runs and regressions, and notes.
//!
//! Per benchmark (`performance.<slug>.…`, statistics of time series in ms): `samples`, `mean`,
//! `stddev`, `p50`, `p95`, `p99`, `mad`, `min`, `max`, `throughput_ops`, `error_rate`,
//! `cpu_pct`, `user_cpu_ms`, `system_cpu_ms`, `peak_rss_bytes`, `memory_efficiency`, the
//! tool's extras (`bytes_per_op`, `allocs_per_op`, `mb_per_s`), and against the baseline
//! `change_pct`, `p_value` and `breach`. Each is present only when measured.
//!
//! Headline metrics, the worst over all benchmarks: `performance.p95_ms` (largest P95),
//! `performance.throughput_ops` (smallest), `performance.memory_efficiency` (smallest),
//! `performance.error_rate` (largest), `performance.regression_pct` (largest counted
//! slowdown, see the regression module), plus `performance.benchmarks` and
//! `performance.benchmarks_without_baseline`. Each headline metric carries its gate's target,
//! from which the performance score is computed.

use crate::config::schema::GatesConfig;
use crate::gate::{GATES, fmt_num};
use crate::model::{GateMode, Metric, Target};
use crate::pipelines::Sink;
use crate::pipelines::performance::regression::{Judgement, Verdict};
use crate::pipelines::performance::{MetricNames, Series, Unit};

use super::RULES;

/// A benchmark with its metric names and its comparison with the baseline.
#[derive(Debug)]
pub(super) struct Measured {
    /// The measurements.
    pub(super) series: Series,
    /// Its metric names.
    pub(super) names: MetricNames,
    /// The comparison with its baseline.
    pub(super) verdict: Verdict,
}

/// The target of a catalogue gate as configured; `None` when the gate is off.
pub(crate) fn gate_target(gates: &GatesConfig, name: &str) -> Option<Target> {
    let def = GATES.iter().find(|d| d.name == name)?;
    let configured = match name {
        "response_time_p95_ms" => gates
            .response_time_p95_ms
            .map(|g| (g.threshold.map(|t| t.0), g.mode)),
        "throughput_ops" => gates
            .throughput_ops
            .map(|g| (g.threshold.map(|t| t.0), g.mode)),
        "memory_efficiency_min" => gates
            .memory_efficiency_min
            .map(|g| (g.threshold.map(|t| t.0), g.mode)),
        "error_rate_max" => gates
            .error_rate_max
            .map(|g| (g.threshold.map(|t| t.0), g.mode)),
        "regression_pct" => gates
            .regression_pct
            .map(|g| (g.threshold.map(|t| t.0), g.mode)),
        _ => None,
    };
    let (threshold, mode) = configured.unwrap_or((None, None));
    if mode.unwrap_or(def.mode) == GateMode::Off {
        return None;
    }
    Some(Target {
        comparator: def.comparator,
        value: threshold.unwrap_or(def.threshold),
    })
}

/// The regression threshold in %: the `regression_pct` gate's, even when the gate is off.
pub(crate) fn regression_threshold(gates: &GatesConfig) -> f64 {
    gates
        .regression_pct
        .and_then(|g| g.threshold)
        .map(|t| t.0)
        .or_else(|| {
            GATES
                .iter()
                .find(|d| d.name == "regression_pct")
                .map(|d| d.threshold)
        })
        .unwrap_or(10.0)
}

/// Metrics, findings and notes of every measured benchmark, then the headline metrics.
///
/// `confirmations` is the number of consecutive breaches that make a regression.
pub(super) fn emit(
    measured: &[Measured],
    gates: &GatesConfig,
    confirmations: u32,
    sink: &mut Sink,
) {
    for m in measured {
        per_benchmark(m, confirmations, sink);
    }
    headline(measured, gates, sink);
}

fn per_benchmark(m: &Measured, confirmations: u32, sink: &mut Sink) {
    let (s, n) = (&m.series, &m.names);
    let unit = match &s.unit {
        Unit::Millis => "ms".to_owned(),
        Unit::Other { name, .. } => name.clone(),
    };
    if let Some(sum) = s.summary {
        if sum.n > 0 {
            sink.metric(Metric::new(n.plain("samples"), sum.n as f64, "count"));
        }
        let stats = [
            ("mean", Some(sum.mean)),
            ("stddev", sum.stddev),
            ("p50", sum.median),
            ("p95", sum.p95),
            ("p99", sum.p99),
            ("mad", sum.mad),
            ("min", sum.min),
            ("max", sum.max),
        ];
        for (stat, value) in stats {
            if let Some(v) = value {
                sink.metric(Metric::new(n.stat(stat), v, &unit));
            }
        }
    }
    if let Some(ops) = s.throughput() {
        sink.metric(Metric::new(n.plain("throughput_ops"), ops, "ops/s"));
    }
    if let Some(runs) = &s.runs {
        sink.metric(Metric::new(n.plain("error_rate"), runs.error_rate(), "%"));
        if runs.failed > 0 {
            sink.push(failed(
                s,
                runs.failed,
                runs.total,
                runs.last_failure.as_deref(),
            ));
        }
    }
    if let Some(p) = &s.process {
        sink.metric(Metric::new(n.plain("cpu_pct"), p.cpu_pct, "%"));
        sink.metric(Metric::new(n.plain("user_cpu_ms"), p.user_ms, "ms"));
        sink.metric(Metric::new(n.plain("system_cpu_ms"), p.system_ms, "ms"));
        sink.metric(Metric::new(
            n.plain("peak_rss_bytes"),
            p.peak_rss_bytes as f64,
            "bytes",
        ));
        if let Some(e) = p.memory_efficiency() {
            sink.metric(Metric::new(n.plain("memory_efficiency"), e, "%"));
        }
    }
    for (suffix, value, unit) in &s.extra {
        sink.metric(Metric::new(n.plain(suffix), *value, unit));
    }
    match &m.verdict {
        Verdict::Judged(j) => {
            sink.metric(Metric::new(n.plain("change_pct"), j.change_pct, "%"));
            sink.metric(Metric::new(n.plain("p_value"), j.p_value, "probability"));
            sink.metric(Metric::new(
                n.plain("breach"),
                if j.breach { 1.0 } else { 0.0 },
                "count",
            ));
            if j.breach && j.confirmed {
                sink.push(regression(s, j, &unit));
            } else if j.breach {
                sink.note(format!(
                    "`{}` breached the regression threshold ({:+.1} % against {}): breach {} of \
                     the {confirmations} consecutive ones needed to report it",
                    s.name,
                    j.change_pct,
                    j.baseline.describe(),
                    j.streak + 1,
                ));
            }
        }
        Verdict::Insufficient(why) => {
            sink.note(format!("insufficient history for `{}`: {why}", s.name));
        }
    }
}

fn headline(measured: &[Measured], gates: &GatesConfig, sink: &mut Sink) {
    let with_target = |name: &str, value: f64, unit: &str, gate: &str| Metric {
        target: gate_target(gates, gate),
        ..Metric::new(name, value, unit)
    };
    let series = || measured.iter().map(|m| &m.series);
    sink.metric(Metric::new(
        "performance.benchmarks",
        measured.len() as f64,
        "count",
    ));
    let p95 = series()
        .filter(|s| s.unit == Unit::Millis)
        .filter_map(|s| s.summary.and_then(|x| x.p95))
        .reduce(f64::max);
    if let Some(v) = p95 {
        sink.metric(with_target(
            "performance.p95_ms",
            v,
            "ms",
            "response_time_p95_ms",
        ));
    }
    if let Some(v) = series().filter_map(Series::throughput).reduce(f64::min) {
        sink.metric(with_target(
            "performance.throughput_ops",
            v,
            "ops/s",
            "throughput_ops",
        ));
    }
    let efficiency = series()
        .filter_map(|s| s.process.and_then(|p| p.memory_efficiency()))
        .reduce(f64::min);
    if let Some(v) = efficiency {
        sink.metric(with_target(
            "performance.memory_efficiency",
            v,
            "%",
            "memory_efficiency_min",
        ));
    }
    let errors = series()
        .filter_map(|s| s.runs.as_ref().map(super::super::RunCount::error_rate))
        .reduce(f64::max);
    if let Some(v) = errors {
        sink.metric(with_target(
            "performance.error_rate",
            v,
            "%",
            "error_rate_max",
        ));
    }
    let judged: Vec<&Judgement> = measured
        .iter()
        .filter_map(|m| match &m.verdict {
            Verdict::Judged(j) => Some(j),
            Verdict::Insufficient(_) => None,
        })
        .collect();
    if let Some(v) = judged.iter().map(|j| j.counted_slowdown()).reduce(f64::max) {
        sink.metric(with_target(
            "performance.regression_pct",
            v,
            "%",
            "regression_pct",
        ));
    }
    sink.metric(Metric::new(
        "performance.benchmarks_without_baseline",
        (measured.len() - judged.len()) as f64,
        "count",
    ));
}

/// Identity of a benchmark in fingerprints: its source and name.
fn identity(s: &Series) -> String {
    format!("{}:{}", s.source.name(), s.name)
}

fn failed(s: &Series, failed: usize, total: usize, last: Option<&str>) -> crate::model::Finding {
    let last = last.map_or(String::new(), |l| format!("; the last failed run {l}"));
    let mut f = RULES[1].finding(
        format!(
            "benchmark `{}` ({}) failed {failed} of {total} runs{last}",
            s.name,
            s.source.name()
        ),
        None,
        &identity(s),
    );
    f.help = Some(
        "Run the benchmark's command by hand in the same folder and environment and fix what \
         makes it fail, or raise its timeout if it is just slow."
            .to_owned(),
    );
    f.properties.insert(
        "benchmark".to_owned(),
        serde_json::Value::from(s.name.clone()),
    );
    f.properties
        .insert("failed_runs".to_owned(), serde_json::Value::from(failed));
    f.properties
        .insert("runs".to_owned(), serde_json::Value::from(total));
    f
}

fn regression(s: &Series, j: &Judgement, unit: &str) -> crate::model::Finding {
    let new = s.summary.map_or(0.0, |x| x.mean);
    let new_median = s.summary.and_then(|x| x.median);
    let direction = if s.unit.bigger_is_better() {
        format!("{} % lower", fmt_num(j.slowdown_pct))
    } else {
        format!("{} % slower", fmt_num(j.slowdown_pct))
    };
    let show = |v: f64| fmt_value(v, unit);
    let medians = match (j.baseline.median, new_median) {
        (Some(old), Some(new)) => format!(", median {} → {}", show(old), show(new)),
        _ => String::new(),
    };
    let mut f = RULES[0].finding(
        format!(
            "`{}` is {direction} than {}: mean {} → {}{medians}, Welch {}",
            s.name,
            j.baseline.describe(),
            show(j.baseline.mean),
            show(new),
            fmt_p(j.p_value),
        ),
        None,
        &identity(s),
    );
    f.help = Some(
        "Find the change that slowed it (compare the two commits, profile the benchmark), and \
         fix it; if the slowdown is intended, suppress this finding with a reason."
            .to_owned(),
    );
    let num = |v: f64| serde_json::Value::from(v);
    let text = |v: &str| serde_json::Value::from(v);
    f.properties.insert("benchmark".into(), text(&s.name));
    f.properties
        .insert("baseline_mean".into(), num(j.baseline.mean));
    f.properties.insert("mean".into(), num(new));
    if let Some(m) = j.baseline.median {
        f.properties.insert("baseline_median".into(), num(m));
    }
    if let Some(m) = new_median {
        f.properties.insert("median".into(), num(m));
    }
    f.properties.insert("unit".into(), text(unit));
    f.properties.insert("change_pct".into(), num(j.change_pct));
    f.properties.insert("p_value".into(), num(j.p_value));
    if let Some(run) = &j.baseline.run_id {
        f.properties.insert("baseline_run".into(), text(run));
    }
    f
}

/// A number with four significant digits, without exponent for everyday magnitudes.
fn fmt_sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return fmt_num(v);
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A value with its unit; times in ms are shown in the unit that reads best (ns to s).
fn fmt_value(v: f64, unit: &str) -> String {
    if unit != "ms" {
        return format!("{} {unit}", fmt_sig(v));
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{} s", fmt_sig(v / 1000.0))
    } else if a >= 1.0 || a == 0.0 {
        format!("{} ms", fmt_sig(v))
    } else if a >= 1e-3 {
        format!("{} µs", fmt_sig(v * 1e3))
    } else {
        format!("{} ns", fmt_sig(v * 1e6))
    }
}

/// `p = 0.0123`, or `p < 0.0001` for smaller values.
fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        "p < 0.0001".to_owned()
    } else {
        format!("p = {p:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::schema::{GateConfig, NonNegative};

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_sig(54.4021), "54.4");
        assert_eq!(fmt_sig(0.0541234), "0.05412");
        assert_eq!(fmt_sig(12345.6), "12346");
        assert_eq!(fmt_p(0.03), "p = 0.0300");
        assert_eq!(fmt_p(1e-9), "p < 0.0001");
        assert_eq!(fmt_value(0.05412, "ms"), "54.12 µs");
        assert_eq!(fmt_value(2500.0, "ms"), "2.5 s");
        assert_eq!(fmt_value(0.000148, "ms"), "148 ns");
        assert_eq!(fmt_value(12.0, "ms"), "12 ms");
        assert_eq!(fmt_value(1520.5, "req/s"), "1520 req/s");
    }

    #[test]
    fn targets_follow_the_configuration() {
        let mut gates = GatesConfig::default();
        let t = gate_target(&gates, "response_time_p95_ms").expect("on by default");
        assert_eq!(t.value, 1000.0);
        gates.response_time_p95_ms = Some(GateConfig {
            threshold: Some(NonNegative(250.0)),
            mode: None,
        });
        assert_eq!(
            gate_target(&gates, "response_time_p95_ms").map(|t| t.value),
            Some(250.0)
        );
        gates.regression_pct = Some(GateConfig {
            threshold: Some(NonNegative(5.0)),
            mode: Some(GateMode::Off),
        });
        assert_eq!(gate_target(&gates, "regression_pct"), None);
        assert_eq!(regression_threshold(&gates), 5.0);
        assert_eq!(regression_threshold(&GatesConfig::default()), 10.0);
    }
}
