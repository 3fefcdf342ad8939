//! Documentation pipeline: does what the docs say still match the repository?
//!
//! Five checks share the Markdown model of `markdown` (one `pulldown-cmark` pass per page and
//! check), GitHub's heading slugs (`slug`) and its way of resolving link targets
//! (`target`):
//!
//! * [`links`] — local links, images and `#anchors`;
//! * [`references`] — paths in inline code and scripts, make targets and package scripts run
//!   in shell code blocks;
//! * [`external`] — `http(s)` links, only with `--online`;
//! * [`api_docs`] — public API documentation coverage (Rust, Python, JavaScript/TypeScript);
//! * [`freshness`] — front-matter dates against their age and against git history.
//!
//! **Documentation accuracy.** Every local link, referenced path or command, and (with
//! `--online`) external link is one *reference*; the checks report how many they verified as
//! `documentation.references_total` and how many were broken as
//! `documentation.references_broken`, with per-kind parts. [`accuracy_score`] turns that into
//! `documentation_accuracy` = 100 × (references − active broken-reference findings) /
//! references, so a suppressed or baselined broken link no longer counts against the gate
//! `documentation_accuracy_min`, exactly as suppressed findings cost no score points elsewhere.

pub mod api_docs;
pub mod external;
pub mod freshness;
mod html;
pub mod links;
mod markdown;
pub mod references;
mod slug;
mod target;

use crate::model::{Location, PipelineResult, Region, Score, ScoreItem};

/// Metric read by the `documentation_accuracy_min` gate.
pub const ACCURACY: &str = "documentation_accuracy";
/// Metric: references checked (links, paths, commands, and external links when online).
pub const REFERENCES_TOTAL: &str = "documentation.references_total";
/// Metric: references found broken (before suppressions).
pub const REFERENCES_BROKEN: &str = "documentation.references_broken";

/// Rules whose findings are broken references and lower [`ACCURACY`].
pub const REFERENCE_RULES: &[&str] = &[
    "broken-link",
    "broken-image",
    "broken-anchor",
    "link-outside-repo",
    "missing-referenced-path",
    "unknown-script",
    "broken-external-link",
];

/// `documentation_accuracy` of a pipeline result, with the rules that lost points; `None`
/// when no reference was checked (the gate is then skipped, not passed).
pub fn accuracy_score(result: &PipelineResult) -> Option<Score> {
    let total = result.metric(REFERENCES_TOTAL)?;
    if total <= 0.0 {
        return None;
    }
    let mut per_rule: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for f in result.active_findings() {
        if let Some(rule) = REFERENCE_RULES.iter().find(|r| **r == f.rule_id) {
            *per_rule.entry(rule).or_default() += 1;
        }
    }
    let mut breakdown = vec![ScoreItem {
        reason: format!("{total} references checked"),
        points: 100.0,
    }];
    let mut value = 100.0;
    for (rule, n) in per_rule {
        let points = 100.0 * n as f64 / total;
        breakdown.push(ScoreItem {
            reason: format!("{rule}: {n} of {total} references broken"),
            points: -points,
        });
        value -= points;
    }
    Some(Score {
        value: value.clamp(0.0, 100.0),
        breakdown,
    })
}

/// A location at a line and column of a page.
fn at(path: &str, line: u32, column: u32) -> Location {
    Location {
        path: path.to_owned(),
        region: Some(Region {
            start_line: line.max(1),
            start_column: Some(column.max(1)),
            end_line: None,
            end_column: None,
        }),
    }
}

/// `count` as a metric value.
fn count(n: usize) -> f64 {
    n as f64
}

/// Quote a target for a message, shortened when very long.
fn shown(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        format!("`{s}`")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("`{cut}…`")
    }
}

/// `$XDG_CACHE_HOME/vigil`, else `~/.cache/vigil`.
fn default_cache_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .map(|c| c.join("vigil"))
}

/// Matcher of gitignore-style `globs` relative to `root`.
fn glob_matcher(
    root: &std::path::Path,
    globs: &[String],
) -> anyhow::Result<ignore::gitignore::Gitignore> {
    use anyhow::Context;
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for g in globs {
        builder
            .add_line(None, g)
            .with_context(|| format!("invalid glob `{g}`"))?;
    }
    builder.build().context("building globs")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metric, Pipeline, PipelineStatus};
    use crate::pipelines::RuleMeta;

    fn result(total: f64, rules: &[&str], suppressed: usize) -> PipelineResult {
        let meta = RuleMeta {
            id: "x",
            name: "x",
            pipeline: Pipeline::Documentation,
            default_severity: crate::model::Severity::Medium,
            summary: "",
            docs: "",
        };
        let findings = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut f = meta.finding("m", None, r);
                f.rule_id = (*r).to_owned();
                if i < suppressed {
                    f.suppression = Some(crate::model::Suppression::Baseline);
                }
                f
            })
            .collect();
        PipelineResult {
            pipeline: Pipeline::Documentation,
            status: PipelineStatus::Passed,
            duration_ms: 0,
            checks: vec![],
            findings,
            metrics: vec![Metric::new(REFERENCES_TOTAL, total, "count")],
            gates: vec![],
            hotspots: vec![],
        }
    }

    #[test]
    fn accuracy_counts_active_broken_references_only() {
        let r = result(
            40.0,
            &[
                "broken-link",
                "broken-link",
                "unknown-script",
                "stale-doc",
                "broken-anchor",
            ],
            1,
        );
        let s = accuracy_score(&r).expect("a score");
        // 3 active broken references (one broken-link is baselined; stale-doc is no reference).
        assert_eq!(s.value, 100.0 * 37.0 / 40.0);
        let reasons: Vec<&str> = s.breakdown.iter().map(|i| i.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "40 references checked",
                "broken-anchor: 1 of 40 references broken",
                "broken-link: 1 of 40 references broken",
                "unknown-script: 1 of 40 references broken",
            ]
        );
    }

    #[test]
    fn no_references_means_no_accuracy() {
        assert!(accuracy_score(&result(0.0, &[], 0)).is_none());
        let mut r = result(1.0, &[], 0);
        r.metrics.clear();
        assert!(accuracy_score(&r).is_none());
    }
}
