//! Scores: 0–100 numbers with the items that earned or lost points, visible in the report.
//!
//! The finding-based scores (`security_score`, `quality_score`) start at 100 and lose points
//! per **active** finding by severity — critical 25, high 10, medium 4, low 1, info 0 — with at
//! most [`RULE_CAP`] points lost to any one rule, so a single noisy rule cannot zero a score on
//! its own. Suppressed and baselined findings cost nothing. The result is clamped to 0..=100.
//! Each score is also added to its pipeline's metrics so gates can read it.
//! `documentation_accuracy` (verified references, %) comes from
//! [`crate::pipelines::documentation::accuracy_score`]; `performance_score` (distance of the
//! headline performance metrics to their targets) from [`crate::pipelines::performance::score`].

use std::collections::BTreeMap;

use crate::model::{Metric, Pipeline, PipelineResult, Score, ScoreItem, Severity};

/// Most points one rule can take off a score.
pub const RULE_CAP: f64 = 40.0;

/// Points an active finding of a severity costs.
pub fn weight(sev: Severity) -> f64 {
    match sev {
        Severity::Critical => 25.0,
        Severity::High => 10.0,
        Severity::Medium => 4.0,
        Severity::Low => 1.0,
        Severity::Info => 0.0,
    }
}

/// Name of the score a pipeline's findings feed, if it has a finding-based score.
pub fn score_name(p: Pipeline) -> Option<&'static str> {
    match p {
        Pipeline::Security => Some("security_score"),
        Pipeline::Quality => Some("quality_score"),
        _ => None,
    }
}

/// Score of one pipeline from its active findings.
pub fn finding_score(result: &PipelineResult) -> Score {
    // rule -> (severity -> count)
    let mut per_rule: BTreeMap<&str, BTreeMap<Severity, u32>> = BTreeMap::new();
    for f in result.active_findings() {
        *per_rule
            .entry(&f.rule_id)
            .or_default()
            .entry(f.severity)
            .or_default() += 1;
    }
    let mut breakdown = vec![ScoreItem {
        reason: "start".to_owned(),
        points: 100.0,
    }];
    let mut total = 100.0;
    for (rule, sevs) in per_rule {
        let mut lost = 0.0;
        let mut parts = Vec::new();
        for (sev, n) in sevs.iter().rev() {
            let w = weight(*sev);
            if w == 0.0 {
                continue;
            }
            lost += w * f64::from(*n);
            parts.push(format!("{n} {sev} × {w}"));
        }
        if lost == 0.0 {
            continue;
        }
        let capped = lost.min(RULE_CAP);
        let mut reason = format!("{rule}: {}", parts.join(" + "));
        if capped < lost {
            reason.push_str(&format!(" (capped at {RULE_CAP})"));
        }
        breakdown.push(ScoreItem {
            reason,
            points: -capped,
        });
        total -= capped;
    }
    Score {
        value: total.clamp(0.0, 100.0),
        breakdown,
    }
}

/// Compute the finding-based score of every pipeline that has one, add it as a metric, and
/// return the scores by name.
pub fn score_pipelines(pipelines: &mut [PipelineResult]) -> BTreeMap<String, Score> {
    let mut scores = BTreeMap::new();
    for p in pipelines.iter_mut() {
        if let Some(name) = score_name(p.pipeline) {
            let s = finding_score(p);
            p.metrics.push(Metric::new(name, s.value, "score"));
            scores.insert(name.to_owned(), s);
        }
        if p.pipeline == Pipeline::Documentation
            && let Some(s) = crate::pipelines::documentation::accuracy_score(p)
        {
            use crate::pipelines::documentation::ACCURACY;
            p.metrics.push(Metric::new(ACCURACY, s.value, "%"));
            scores.insert(ACCURACY.to_owned(), s);
        }
        if p.pipeline == Pipeline::Performance
            && let Some(s) = crate::pipelines::performance::score(p)
        {
            use crate::pipelines::performance::SCORE;
            p.metrics.push(Metric::new(SCORE, s.value, "score"));
            scores.insert(SCORE.to_owned(), s);
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, PipelineStatus};

    fn finding(rule: &str, sev: Severity) -> Finding {
        let meta = crate::pipelines::RuleMeta {
            id: "x",
            name: "x",
            pipeline: Pipeline::Security,
            default_severity: sev,
            summary: "",
            docs: "",
        };
        let mut f = meta.finding("m", None, rule);
        f.rule_id = rule.to_owned();
        f
    }

    fn pipeline(findings: Vec<Finding>) -> PipelineResult {
        PipelineResult {
            pipeline: Pipeline::Security,
            status: PipelineStatus::Passed,
            duration_ms: 0,
            checks: vec![],
            findings,
            metrics: vec![],
            gates: vec![],
            hotspots: vec![],
        }
    }

    #[test]
    fn weights_and_caps() {
        let mut fs = vec![finding("a", Severity::High), finding("b", Severity::Medium)];
        for _ in 0..10 {
            fs.push(finding("c", Severity::Critical));
        }
        let s = finding_score(&pipeline(fs));
        // 100 - 10 (a) - 4 (b) - 40 (c capped) = 46
        assert_eq!(s.value, 46.0);
        assert_eq!(s.breakdown.len(), 4);
        assert!(s.breakdown[3].reason.contains("capped"));
    }

    #[test]
    fn suppressed_findings_are_free() {
        let mut f = finding("a", Severity::Critical);
        f.suppression = Some(crate::model::Suppression::Baseline);
        assert_eq!(finding_score(&pipeline(vec![f])).value, 100.0);
    }

    #[test]
    fn score_never_below_zero() {
        let fs: Vec<_> = (0..5)
            .map(|i| finding(&format!("r{i}"), Severity::Critical))
            .collect();
        assert_eq!(finding_score(&pipeline(fs)).value, 0.0);
    }
}
