//! Gates, pipeline status, overall status and the exit status — decided here and nowhere else.
//!
//! A gate reads one metric of one pipeline and compares it with a threshold. The catalogue
//! ([`GATES`]) holds every gate with the seed's default threshold and mode; the configuration
//! may change the threshold or the mode (`fail`, `warn`, `off`). A gate whose metric was not
//! produced is `skipped`, never silently passed. `--fail-on SEVERITY` adds one gate per
//! pipeline counting active findings at or above that severity. Beside the catalogue, the
//! configuration may define gates on metrics of its own ([`ConfigGate`], from
//! [`config_gates`]: the targets of custom metrics); they are evaluated, counted and recorded
//! exactly like the catalogue's.

use crate::ExitStatus;
use crate::config::Config;
use crate::config::schema::{GateConfig, GatesConfig};
use crate::model::{
    CheckStatus, Comparator, Counts, Gate, GateMode, GateStatus, OverallStatus, Pipeline,
    PipelineResult, PipelineStatus, RunReport, Severity, Target,
};

/// A gate of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct GateDef {
    /// Config key and report name.
    pub name: &'static str,
    /// Metric the gate reads.
    pub metric: &'static str,
    /// Pipeline whose metrics hold it.
    pub pipeline: Pipeline,
    /// Comparison the metric must satisfy.
    pub comparator: Comparator,
    /// Default threshold (the seed's target).
    pub threshold: f64,
    /// Default mode.
    pub mode: GateMode,
    /// One-line description.
    pub summary: &'static str,
}

/// Name of the metric the gate-pass-rate gate reads.
pub const GATE_PASS_RATE: &str = "gate_pass_rate";

/// Every gate, in report order. Defaults are the seed's targets.
pub const GATES: &[GateDef] = &[
    GateDef {
        name: "security_score_min",
        metric: "security_score",
        pipeline: Pipeline::Security,
        comparator: Comparator::AtLeast,
        threshold: 80.0,
        mode: GateMode::Fail,
        summary: "security score at least the threshold",
    },
    GateDef {
        name: "quality_score_min",
        metric: "quality_score",
        pipeline: Pipeline::Quality,
        comparator: Comparator::AtLeast,
        threshold: 70.0,
        mode: GateMode::Warn,
        summary: "quality score at least the threshold",
    },
    GateDef {
        name: "coverage_min",
        metric: "coverage.line",
        pipeline: Pipeline::Quality,
        comparator: Comparator::AtLeast,
        threshold: 90.0,
        mode: GateMode::Fail,
        summary: "line coverage (%) at least the threshold",
    },
    GateDef {
        name: "diff_coverage_min",
        metric: "coverage.diff",
        pipeline: Pipeline::Quality,
        comparator: Comparator::AtLeast,
        threshold: 90.0,
        mode: GateMode::Fail,
        summary: "coverage of changed lines (%) at least the threshold",
    },
    GateDef {
        name: "todo_markers_max",
        metric: "quality.todo_markers",
        pipeline: Pipeline::Quality,
        comparator: Comparator::AtMost,
        threshold: 0.0,
        mode: GateMode::Off,
        summary: "TODO/FIXME/XXX/HACK markers at most the threshold",
    },
    GateDef {
        name: "documentation_accuracy_min",
        metric: "documentation_accuracy",
        pipeline: Pipeline::Documentation,
        comparator: Comparator::AtLeast,
        threshold: 80.0,
        mode: GateMode::Fail,
        summary: "verified documentation references (%) at least the threshold",
    },
    GateDef {
        name: "response_time_p95_ms",
        metric: "performance.p95_ms",
        pipeline: Pipeline::Performance,
        comparator: Comparator::Below,
        threshold: 1000.0,
        mode: GateMode::Fail,
        summary: "P95 response time (ms) below the threshold",
    },
    GateDef {
        name: "throughput_ops",
        metric: "performance.throughput_ops",
        pipeline: Pipeline::Performance,
        comparator: Comparator::Above,
        threshold: 10.0,
        mode: GateMode::Fail,
        summary: "throughput (ops/s) above the threshold",
    },
    GateDef {
        name: "memory_efficiency_min",
        metric: "performance.memory_efficiency",
        pipeline: Pipeline::Performance,
        comparator: Comparator::Above,
        threshold: 50.0,
        mode: GateMode::Fail,
        summary: "memory efficiency (%) above the threshold",
    },
    GateDef {
        name: "error_rate_max",
        metric: "performance.error_rate",
        pipeline: Pipeline::Performance,
        comparator: Comparator::Below,
        threshold: 1.0,
        mode: GateMode::Fail,
        summary: "error rate (%) below the threshold",
    },
    GateDef {
        name: "regression_pct",
        metric: "performance.regression_pct",
        pipeline: Pipeline::Performance,
        comparator: Comparator::AtMost,
        threshold: 10.0,
        mode: GateMode::Fail,
        summary: "slowdown vs the baseline (%) at most the threshold",
    },
    GateDef {
        name: "test_pass_rate_min",
        metric: "integration.pass_rate",
        pipeline: Pipeline::Integration,
        comparator: Comparator::AtLeast,
        threshold: 100.0,
        mode: GateMode::Fail,
        summary: "passing tests of the JUnit reports (%) at least the threshold",
    },
    GateDef {
        name: "test_commands_failed_max",
        metric: "integration.test_commands_failed",
        pipeline: Pipeline::Integration,
        comparator: Comparator::AtMost,
        threshold: 0.0,
        mode: GateMode::Fail,
        summary: "failed test commands at most the threshold",
    },
    GateDef {
        name: "probe_success_rate_min",
        metric: "integration.probe_success_rate",
        pipeline: Pipeline::Integration,
        comparator: Comparator::AtLeast,
        threshold: 100.0,
        mode: GateMode::Fail,
        summary: "HTTP probes that passed (%) at least the threshold",
    },
    GateDef {
        name: "commands_ready_min",
        metric: "integration.commands_ready_pct",
        pipeline: Pipeline::Integration,
        comparator: Comparator::AtLeast,
        threshold: 100.0,
        mode: GateMode::Fail,
        summary: "listed commands answering --help (%) at least the threshold",
    },
    GateDef {
        name: "gate_pass_rate_min",
        metric: GATE_PASS_RATE,
        pipeline: Pipeline::Quality,
        comparator: Comparator::AtLeast,
        threshold: 95.0,
        mode: GateMode::Warn,
        summary: "share of evaluated gates that passed (%) at least the threshold",
    },
];

/// A gate defined by the configuration on a metric of its own, outside the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigGate {
    /// Report name; never one of the catalogue's (those have no `.`).
    pub name: String,
    /// Metric the gate reads.
    pub metric: String,
    /// Pipeline whose metrics hold it.
    pub pipeline: Pipeline,
    /// Threshold and comparison.
    pub target: Target,
    /// fail, warn or off.
    pub mode: GateMode,
}

/// Every gate the configuration defines outside the catalogue, in configuration order: the
/// targets of `integration.metrics`.
pub fn config_gates(config: &Config) -> Vec<ConfigGate> {
    crate::pipelines::integration::metrics::gates(&config.integration.metrics)
}

/// Threshold and mode configured for a gate, if any.
fn configured(gates: &GatesConfig, name: &str) -> (Option<f64>, Option<GateMode>) {
    fn pick<T: Copy>(
        g: Option<GateConfig<T>>,
        f: impl Fn(T) -> f64,
    ) -> (Option<f64>, Option<GateMode>) {
        g.map_or((None, None), |g| (g.threshold.map(f), g.mode))
    }
    match name {
        "security_score_min" => pick(gates.security_score_min, |t| t.0),
        "quality_score_min" => pick(gates.quality_score_min, |t| t.0),
        "coverage_min" => pick(gates.coverage_min, |t| t.0),
        "diff_coverage_min" => pick(gates.diff_coverage_min, |t| t.0),
        "todo_markers_max" => pick(gates.todo_markers_max, |t| t.0),
        "documentation_accuracy_min" => pick(gates.documentation_accuracy_min, |t| t.0),
        "response_time_p95_ms" => pick(gates.response_time_p95_ms, |t| t.0),
        "throughput_ops" => pick(gates.throughput_ops, |t| t.0),
        "memory_efficiency_min" => pick(gates.memory_efficiency_min, |t| t.0),
        "error_rate_max" => pick(gates.error_rate_max, |t| t.0),
        "regression_pct" => pick(gates.regression_pct, |t| t.0),
        "gate_pass_rate_min" => pick(gates.gate_pass_rate_min, |t| t.0),
        "test_pass_rate_min" => pick(gates.test_pass_rate_min, |t| t.0),
        "test_commands_failed_max" => pick(gates.test_commands_failed_max, |t| t.0),
        "probe_success_rate_min" => pick(gates.probe_success_rate_min, |t| t.0),
        "commands_ready_min" => pick(gates.commands_ready_min, |t| t.0),
        _ => (None, None),
    }
}

/// Evaluate one gate against a value.
pub fn evaluate(
    name: &str,
    metric: &str,
    threshold: Target,
    mode: GateMode,
    actual: Option<f64>,
) -> Gate {
    let (status, message) = match (mode, actual) {
        (GateMode::Off, _) => (GateStatus::Skipped, "gate is off".to_owned()),
        (_, None) => (
            GateStatus::Skipped,
            format!("no value for `{metric}` in this run, so the gate was not evaluated"),
        ),
        (_, Some(v)) if threshold.comparator.holds(v, threshold.value) => (
            GateStatus::Passed,
            format!(
                "{} = {} {} {}",
                metric,
                fmt_num(v),
                threshold.comparator.symbol(),
                fmt_num(threshold.value)
            ),
        ),
        (mode, Some(v)) => (
            if mode == GateMode::Warn {
                GateStatus::Warned
            } else {
                GateStatus::Failed
            },
            format!(
                "{} = {}, required {} {}",
                metric,
                fmt_num(v),
                threshold.comparator.symbol(),
                fmt_num(threshold.value)
            ),
        ),
    };
    Gate {
        name: name.to_owned(),
        metric: metric.to_owned(),
        threshold,
        mode,
        actual,
        status,
        message,
    }
}

/// A number with at most two decimals and no trailing zeros.
pub fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Evaluate the catalogue's gates (except the pass-rate gate), the configuration's own gates
/// of this pipeline (`extra`, see [`config_gates`]) and the `--fail-on` gate of one pipeline,
/// appending them to its `gates`.
pub fn evaluate_pipeline(
    result: &mut PipelineResult,
    gates: &GatesConfig,
    extra: &[ConfigGate],
    fail_on: Option<Severity>,
) {
    for def in GATES
        .iter()
        .filter(|d| d.pipeline == result.pipeline && d.metric != GATE_PASS_RATE)
    {
        let (threshold, mode) = configured(gates, def.name);
        let target = Target {
            comparator: def.comparator,
            value: threshold.unwrap_or(def.threshold),
        };
        let gate = evaluate(
            def.name,
            def.metric,
            target,
            mode.unwrap_or(def.mode),
            result.metric(def.metric),
        );
        result.gates.push(gate);
    }
    for g in extra.iter().filter(|g| g.pipeline == result.pipeline) {
        let gate = evaluate(
            &g.name,
            &g.metric,
            g.target,
            g.mode,
            result.metric(&g.metric),
        );
        result.gates.push(gate);
    }
    if let Some(sev) = fail_on {
        let n = result
            .active_findings()
            .filter(|f| f.severity >= sev)
            .count() as f64;
        let metric = format!("{}.findings_at_or_above_{}", result.pipeline, sev);
        result
            .metrics
            .push(crate::model::Metric::new(metric.clone(), n, "count"));
        result.gates.push(evaluate(
            &format!("fail_on_{sev}"),
            &metric,
            Target {
                comparator: Comparator::AtMost,
                value: 0.0,
            },
            GateMode::Fail,
            Some(n),
        ));
    }
}

/// Evaluate the gate-pass-rate gate over every other evaluated gate of the run.
///
/// The rate is passed / (passed + warned + failed); skipped gates do not count. The metric and
/// gate go to the quality pipeline when it ran.
pub fn evaluate_pass_rate(pipelines: &mut [PipelineResult], gates: &GatesConfig) {
    let (mut passed, mut total) = (0u32, 0u32);
    for g in pipelines.iter().flat_map(|p| p.gates.iter()) {
        match g.status {
            GateStatus::Passed => {
                passed += 1;
                total += 1;
            }
            GateStatus::Warned | GateStatus::Failed => total += 1,
            GateStatus::Skipped => {}
        }
    }
    let Some(quality) = pipelines
        .iter_mut()
        .find(|p| p.pipeline == Pipeline::Quality)
    else {
        return;
    };
    let Some(def) = GATES.iter().find(|d| d.metric == GATE_PASS_RATE) else {
        return;
    };
    let rate = (total > 0).then(|| f64::from(passed) * 100.0 / f64::from(total));
    if let Some(r) = rate {
        quality
            .metrics
            .push(crate::model::Metric::new(GATE_PASS_RATE, r, "%"));
    }
    let (threshold, mode) = configured(gates, def.name);
    let target = Target {
        comparator: def.comparator,
        value: threshold.unwrap_or(def.threshold),
    };
    quality.gates.push(evaluate(
        def.name,
        def.metric,
        target,
        mode.unwrap_or(def.mode),
        rate,
    ));
}

/// Status of a pipeline from its checks and gates.
pub fn pipeline_status(p: &PipelineResult) -> PipelineStatus {
    if p.checks.iter().any(|c| c.status == CheckStatus::Error) {
        PipelineStatus::Error
    } else if p.gates.iter().any(|g| g.status == GateStatus::Failed) {
        PipelineStatus::Failed
    } else if p.gates.iter().any(|g| g.status == GateStatus::Warned) {
        PipelineStatus::Warned
    } else {
        PipelineStatus::Passed
    }
}

/// Totals over every pipeline.
pub fn counts(pipelines: &[PipelineResult]) -> Counts {
    let mut c = Counts::default();
    for sev in Severity::ALL_DESC {
        c.by_severity.insert(sev.as_str().to_owned(), 0);
    }
    for f in pipelines.iter().flat_map(|p| p.findings.iter()) {
        match &f.suppression {
            None => {
                c.active += 1;
                *c.by_severity
                    .entry(f.severity.as_str().to_owned())
                    .or_default() += 1;
            }
            Some(crate::model::Suppression::Baseline) => c.baselined += 1,
            Some(_) => c.suppressed += 1,
        }
    }
    for g in pipelines.iter().flat_map(|p| p.gates.iter()) {
        match g.status {
            GateStatus::Passed => c.gates_passed += 1,
            GateStatus::Warned => c.gates_warned += 1,
            GateStatus::Failed => c.gates_failed += 1,
            GateStatus::Skipped => {}
        }
    }
    c
}

/// Overall health of the run.
///
/// CRITICAL: a check errored or an active critical finding exists. DEGRADED: a gate failed.
/// WARNING: a gate warned or an active high finding exists. HEALTHY otherwise.
pub fn overall_status(pipelines: &[PipelineResult], counts: &Counts) -> OverallStatus {
    let active = |s: Severity| counts.by_severity.get(s.as_str()).copied().unwrap_or(0);
    let errored = pipelines.iter().any(|p| p.status == PipelineStatus::Error);
    if errored || active(Severity::Critical) > 0 {
        OverallStatus::Critical
    } else if counts.gates_failed > 0 {
        OverallStatus::Degraded
    } else if counts.gates_warned > 0 || active(Severity::High) > 0 {
        OverallStatus::Warning
    } else {
        OverallStatus::Healthy
    }
}

/// Exit status of a finished report: 2 if a check errored, 1 if a gate failed, else 0.
pub fn exit_status(report: &RunReport) -> ExitStatus {
    if report.has_errors() {
        ExitStatus::Error
    } else if report.gates().any(|g| g.status == GateStatus::Failed) {
        ExitStatus::GateFailed
    } else {
        ExitStatus::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(metrics: &[(&str, f64)]) -> PipelineResult {
        PipelineResult {
            pipeline: Pipeline::Security,
            status: PipelineStatus::Passed,
            duration_ms: 0,
            checks: vec![],
            findings: vec![],
            metrics: metrics
                .iter()
                .map(|(n, v)| crate::model::Metric::new(*n, *v, ""))
                .collect(),
            gates: vec![],
            hotspots: vec![],
        }
    }

    #[test]
    fn gate_passes_fails_and_skips() {
        let t = Target {
            comparator: Comparator::AtLeast,
            value: 80.0,
        };
        assert_eq!(
            evaluate("g", "m", t, GateMode::Fail, Some(80.0)).status,
            GateStatus::Passed
        );
        assert_eq!(
            evaluate("g", "m", t, GateMode::Fail, Some(79.9)).status,
            GateStatus::Failed
        );
        assert_eq!(
            evaluate("g", "m", t, GateMode::Warn, Some(10.0)).status,
            GateStatus::Warned
        );
        assert_eq!(
            evaluate("g", "m", t, GateMode::Off, Some(10.0)).status,
            GateStatus::Skipped
        );
        assert_eq!(
            evaluate("g", "m", t, GateMode::Fail, None).status,
            GateStatus::Skipped
        );
    }

    #[test]
    fn configured_threshold_and_mode_apply() {
        let gates = GatesConfig {
            security_score_min: Some(GateConfig {
                threshold: Some(crate::config::schema::Percent(95.0)),
                mode: Some(GateMode::Warn),
            }),
            ..GatesConfig::default()
        };
        let mut r = result(&[("security_score", 90.0)]);
        evaluate_pipeline(&mut r, &gates, &[], None);
        let g = r
            .gates
            .iter()
            .find(|g| g.name == "security_score_min")
            .expect("gate present");
        assert_eq!(g.status, GateStatus::Warned);
        assert_eq!(g.threshold.value, 95.0);
    }

    #[test]
    fn every_catalogue_gate_is_configurable() {
        // A gate missing from `configured` could never be changed by users.
        let mut gates = GatesConfig::default();
        let cfg = Some(GateConfig {
            threshold: Some(crate::config::schema::Percent(1.0)),
            mode: Some(GateMode::Warn),
        });
        let nn = Some(GateConfig {
            threshold: Some(crate::config::schema::NonNegative(1.0)),
            mode: Some(GateMode::Warn),
        });
        gates.security_score_min = cfg;
        gates.quality_score_min = cfg;
        gates.coverage_min = cfg;
        gates.diff_coverage_min = cfg;
        gates.todo_markers_max = nn;
        gates.documentation_accuracy_min = cfg;
        gates.response_time_p95_ms = nn;
        gates.throughput_ops = nn;
        gates.memory_efficiency_min = cfg;
        gates.error_rate_max = cfg;
        gates.regression_pct = nn;
        gates.gate_pass_rate_min = cfg;
        gates.test_pass_rate_min = cfg;
        gates.test_commands_failed_max = nn;
        gates.probe_success_rate_min = cfg;
        gates.commands_ready_min = cfg;
        for def in GATES {
            assert_eq!(
                configured(&gates, def.name),
                (Some(1.0), Some(GateMode::Warn)),
                "{}",
                def.name
            );
        }
    }

    #[test]
    fn config_gates_join_their_pipeline_and_the_pass_rate() {
        let extra = [
            ConfigGate {
                name: "custom.binary_size".into(),
                metric: "integration.custom.binary_size".into(),
                pipeline: Pipeline::Integration,
                target: Target {
                    comparator: Comparator::AtMost,
                    value: 100.0,
                },
                mode: GateMode::Fail,
            },
            ConfigGate {
                name: "custom.elsewhere".into(),
                metric: "x".into(),
                pipeline: Pipeline::Security,
                target: Target {
                    comparator: Comparator::AtLeast,
                    value: 1.0,
                },
                mode: GateMode::Fail,
            },
        ];
        let mut r = result(&[("integration.custom.binary_size", 150.0)]);
        r.pipeline = Pipeline::Integration;
        evaluate_pipeline(&mut r, &GatesConfig::default(), &extra, None);
        // The catalogue's integration gates are skipped: their metrics were not measured.
        let evaluated: Vec<&Gate> = r
            .gates
            .iter()
            .filter(|g| g.status != GateStatus::Skipped)
            .collect();
        assert_eq!(evaluated.len(), 1, "{:?}", r.gates);
        let g = evaluated[0];
        assert_eq!(g.name, "custom.binary_size");
        assert_eq!(g.status, GateStatus::Failed);
        assert_eq!(
            g.message,
            "integration.custom.binary_size = 150, required <= 100"
        );
        let mut quality = result(&[]);
        quality.pipeline = Pipeline::Quality;
        let mut all = vec![quality, r];
        evaluate_pass_rate(&mut all, &GatesConfig::default());
        // The custom gate is the only evaluated one: 0 of 1 passed.
        assert_eq!(all[0].metric(GATE_PASS_RATE), Some(0.0));
    }

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(fmt_num(80.0), "80");
        assert_eq!(fmt_num(99.95), "99.95");
        assert_eq!(fmt_num(1.0 / 3.0), "0.33");
    }
}
