//! `performance_score`: 0–100 from how far the headline performance metrics are from their
//! gates' targets.
//!
//! Each headline metric that was measured and whose gate is not `off` — P95, throughput,
//! memory efficiency, error rate and regression, the metrics that carry a target — is worth
//! [`WEIGHT`] points. A metric that meets its target costs nothing; one that misses it costs
//! `WEIGHT × min(1, miss)`, where `miss` is the distance past the target relative to the
//! target (a P95 of 1,500 ms against `< 1000` misses by 50 % and costs 10 points; an error
//! rate three times the allowed one costs all 20). Metrics not measured cost nothing and are
//! listed in the breakdown as such. The score starts at 100 and is clamped to 0..=100; with no
//! headline metric measured there is no score.

use crate::gate::fmt_num;
use crate::model::{Comparator, PipelineResult, Score, ScoreItem};

/// Name of the score and of its metric.
pub const SCORE: &str = "performance_score";

/// Points one headline metric is worth.
const WEIGHT: f64 = 20.0;

/// Headline metrics, in the order they are scored.
const HEADLINE: [&str; 5] = [
    "performance.p95_ms",
    "performance.throughput_ops",
    "performance.memory_efficiency",
    "performance.error_rate",
    "performance.regression_pct",
];

/// The performance score of a performance pipeline result, with its breakdown; `None` when no
/// headline metric with a target was measured.
pub fn score(result: &PipelineResult) -> Option<Score> {
    let mut breakdown = vec![ScoreItem {
        reason: "start".to_owned(),
        points: 100.0,
    }];
    let mut total = 100.0;
    let mut scored = 0;
    for name in HEADLINE {
        let Some(metric) = result.metrics.iter().find(|m| m.name == name) else {
            breakdown.push(ScoreItem {
                reason: format!("{name}: not measured"),
                points: 0.0,
            });
            continue;
        };
        let Some(target) = metric.target else {
            continue;
        };
        scored += 1;
        let (v, t) = (metric.value, target.value);
        let wanted = format!(
            "{name} = {}, target {} {}",
            fmt_num(v),
            target.comparator.symbol(),
            fmt_num(t)
        );
        if target.comparator.holds(v, t) {
            breakdown.push(ScoreItem {
                reason: format!("{wanted}: met"),
                points: 0.0,
            });
            continue;
        }
        let gap = match target.comparator {
            Comparator::Below | Comparator::AtMost => v - t,
            Comparator::Above | Comparator::AtLeast => t - v,
        };
        let miss = if t > 0.0 {
            (gap / t).clamp(0.0, 1.0)
        } else {
            1.0
        };
        // A value exactly on a strict bound misses by nothing but still misses.
        let lost = (WEIGHT * miss).max(if gap <= 0.0 { 1.0 } else { 0.0 });
        breakdown.push(ScoreItem {
            reason: format!("{wanted}: missed by {} %", fmt_num(miss * 100.0)),
            points: -lost,
        });
        total -= lost;
    }
    (scored > 0).then(|| Score {
        value: f64::clamp(total, 0.0, 100.0),
        breakdown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metric, Pipeline, PipelineStatus, Target};

    fn result(metrics: Vec<Metric>) -> PipelineResult {
        PipelineResult {
            pipeline: Pipeline::Performance,
            status: PipelineStatus::Passed,
            duration_ms: 0,
            checks: vec![],
            findings: vec![],
            metrics,
            gates: vec![],
            hotspots: vec![],
        }
    }

    fn with(name: &str, value: f64, comparator: Comparator, t: f64) -> Metric {
        Metric {
            target: Some(Target {
                comparator,
                value: t,
            }),
            ..Metric::new(name, value, "")
        }
    }

    #[test]
    fn misses_cost_in_proportion_and_are_capped() {
        let s = score(&result(vec![
            with("performance.p95_ms", 1500.0, Comparator::Below, 1000.0),
            with("performance.throughput_ops", 50.0, Comparator::Above, 10.0),
            with("performance.error_rate", 3.0, Comparator::Below, 1.0),
            with("performance.regression_pct", 0.0, Comparator::AtMost, 10.0),
        ]))
        .expect("score");
        // 100 − 10 (P95 50 % over) − 20 (error rate 200 % over, capped) = 70
        assert_eq!(s.value, 70.0);
        let reasons: Vec<&str> = s.breakdown.iter().map(|i| i.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "start",
                "performance.p95_ms = 1500, target < 1000: missed by 50 %",
                "performance.throughput_ops = 50, target > 10: met",
                "performance.memory_efficiency: not measured",
                "performance.error_rate = 3, target < 1: missed by 100 %",
                "performance.regression_pct = 0, target <= 10: met",
            ]
        );
    }

    #[test]
    fn no_measurement_no_score() {
        assert_eq!(score(&result(vec![])), None);
        // A metric whose gate is off carries no target and is not scored.
        let untargeted = Metric::new("performance.p95_ms", 5000.0, "ms");
        assert_eq!(score(&result(vec![untargeted])), None);
    }

    #[test]
    fn a_value_on_a_strict_bound_still_costs() {
        let s = score(&result(vec![with(
            "performance.error_rate",
            1.0,
            Comparator::Below,
            1.0,
        )]))
        .expect("score");
        assert_eq!(s.value, 99.0);
    }
}
