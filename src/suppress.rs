//! Policy applied once to every finding, before gates and rendering: per-rule overrides
//! (disable, exclude paths, severity), inline `vigil:ignore` comments, configured suppressions
//! with reason/owner/until, and the baseline of accepted fingerprints.
//!
//! Suppressed and baselined findings are kept and marked, never dropped, so the report counts
//! them. An expired configured suppression stops suppressing and is itself reported
//! (`expired-suppression`); an inline ignore without a reason still suppresses but is reported
//! (`ignore-without-reason`), because an unexplained ignore is unreviewable.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use globset::{Glob, GlobMatcher};

use crate::config::Config;
use crate::config::schema::SuppressionConfig;
use crate::model::{Finding, Location, Pipeline, Severity, Suppression};
use crate::pipelines::RuleMeta;
use crate::walk::InlineIgnore;

const DOCS: &str = include_str!("suppress.md");

/// Rules emitted by the policy step itself.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "expired-suppression",
        name: "Expired suppression",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Medium,
        summary: "A configured suppression is past its `until` date and no longer applies.",
        docs: DOCS,
    },
    RuleMeta {
        id: "ignore-without-reason",
        name: "Inline ignore without a reason",
        pipeline: Pipeline::Quality,
        default_severity: Severity::Low,
        summary: "A `vigil:ignore` comment gives no reason after `--`.",
        docs: DOCS,
    },
];

struct RuleRules {
    enabled: bool,
    severity: Option<Severity>,
    exclude: Vec<GlobMatcher>,
}

struct ConfiguredSuppression<'a> {
    entry: &'a SuppressionConfig,
    path: Option<GlobMatcher>,
    expired: bool,
}

/// The compiled policy of one run.
pub struct Policy<'a> {
    rules: BTreeMap<String, RuleRules>,
    suppressions: Vec<ConfiguredSuppression<'a>>,
    baseline: BTreeSet<String>,
}

fn glob(pattern: &str) -> Result<GlobMatcher> {
    Ok(Glob::new(pattern)
        .with_context(|| format!("invalid glob `{pattern}`"))?
        .compile_matcher())
}

impl<'a> Policy<'a> {
    /// Compile the policy from the configuration, today's date and the accepted fingerprints.
    pub fn new(
        config: &'a Config,
        today: chrono::NaiveDate,
        baseline: BTreeSet<String>,
    ) -> Result<Self> {
        let mut rules = BTreeMap::new();
        for (id, o) in &config.rules {
            let exclude = o
                .exclude
                .iter()
                .map(|g| glob(g))
                .collect::<Result<Vec<_>>>()
                .with_context(|| format!("rules.{id}.exclude"))?;
            rules.insert(
                id.clone(),
                RuleRules {
                    enabled: o.enabled.unwrap_or(true),
                    severity: o.severity,
                    exclude,
                },
            );
        }
        let suppressions = config
            .suppressions
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let path = entry
                    .path
                    .as_deref()
                    .map(glob)
                    .transpose()
                    .with_context(|| format!("suppressions[{i}].path"))?;
                let expired = entry.until.is_some_and(|d| d.0 < today);
                Ok(ConfiguredSuppression {
                    entry,
                    path,
                    expired,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            rules,
            suppressions,
            baseline,
        })
    }

    /// Apply the policy to one pipeline's findings. Returns the findings to keep (marked),
    /// with policy findings added.
    pub fn apply(
        &self,
        pipeline: Pipeline,
        findings: Vec<Finding>,
        ignores: &BTreeMap<String, Vec<InlineIgnore>>,
    ) -> Vec<Finding> {
        let mut out = Vec::with_capacity(findings.len());
        let mut used_expired: BTreeSet<usize> = BTreeSet::new();
        for mut f in findings {
            let path = f.location.as_ref().map(|l| l.path.as_str()).unwrap_or("");
            if let Some(r) = self.rules.get(&f.rule_id) {
                if !r.enabled || (!path.is_empty() && r.exclude.iter().any(|g| g.is_match(path))) {
                    continue;
                }
                if let Some(s) = r.severity {
                    f.severity = s;
                }
            }
            // A check may have suppressed a finding itself (an ignored advisory): that stays.
            f.suppression = f
                .suppression
                .take()
                .or_else(|| self.inline(&f, ignores))
                .or_else(|| self.configured(&f, &mut used_expired));
            if f.suppression.is_none() && self.baseline.contains(&f.fingerprint) {
                f.suppression = Some(Suppression::Baseline);
            }
            out.push(f);
        }
        for i in used_expired {
            let s = &self.suppressions[i];
            let until = s.entry.until.map(|d| d.0.to_string()).unwrap_or_default();
            let mut f = RULES[0].finding(
                format!(
                    "suppression of `{}`{} expired on {until} and no longer applies (reason was: {})",
                    s.entry.rule,
                    s.entry.path.as_deref().map(|p| format!(" for `{p}`")).unwrap_or_default(),
                    s.entry.reason
                ),
                None,
                &format!("{i}:{}:{until}", s.entry.rule),
            );
            f.pipeline = pipeline;
            f.help = Some(
                "Fix the findings, or renew the suppression with a new `until` date and a reason."
                    .into(),
            );
            out.push(f);
        }
        out
    }

    fn inline(
        &self,
        f: &Finding,
        ignores: &BTreeMap<String, Vec<InlineIgnore>>,
    ) -> Option<Suppression> {
        let loc = f.location.as_ref()?;
        let line = loc.start_line()?;
        let list = ignores.get(&loc.path)?;
        list.iter()
            .find(|i| {
                (i.line == line || i.line + 1 == line)
                    && i.rules
                        .iter()
                        .any(|r| r == "*" || r == "all" || *r == f.rule_id)
            })
            .map(|i| Suppression::Inline {
                reason: i.reason.clone(),
            })
    }

    fn configured(&self, f: &Finding, used_expired: &mut BTreeSet<usize>) -> Option<Suppression> {
        let path = f.location.as_ref().map(|l| l.path.as_str());
        for (i, s) in self.suppressions.iter().enumerate() {
            let e = s.entry;
            let rule_ok = e.rule == "*" || e.rule == f.rule_id;
            let path_ok = match (&s.path, path) {
                (None, _) => true,
                (Some(g), Some(p)) => g.is_match(p),
                (Some(_), None) => false,
            };
            let fp_ok = e.fingerprint.as_ref().is_none_or(|fp| *fp == f.fingerprint);
            if rule_ok && path_ok && fp_ok {
                if s.expired {
                    used_expired.insert(i);
                    continue;
                }
                return Some(Suppression::Config {
                    reason: e.reason.clone(),
                    owner: e.owner.clone(),
                    until: e.until.map(|d| d.0.to_string()),
                });
            }
        }
        None
    }
}

/// Findings for inline ignores that give no reason, for the given pipeline's files.
pub fn unexplained_ignores(ignores: &BTreeMap<String, Vec<InlineIgnore>>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, list) in ignores {
        for i in list.iter().filter(|i| i.reason.is_empty()) {
            let mut f = RULES[1].finding(
                format!("`vigil:ignore {}` has no reason", i.rules.join(",")),
                Some(Location::line(path.clone(), i.line)),
                &i.rules.join(","),
            );
            f.help = Some("Add `-- why this is acceptable` after the rule ids.".into());
            out.push(f);
        }
    }
    out
}

/// Give findings that share a fingerprint distinct ones, by order of appearance.
///
/// Two identical TODO lines in one file would otherwise collide; the n-th repeat gets the
/// fingerprint hashed with `n`, which stays stable as long as their relative order does.
pub fn disambiguate_fingerprints(findings: &mut [Finding]) {
    // First the repeats and their ordinals, borrowing; then the new fingerprints.
    let mut seen: std::collections::HashMap<&str, u32> =
        std::collections::HashMap::with_capacity(findings.len());
    let repeats: Vec<(usize, u32)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let n = seen.entry(f.fingerprint.as_str()).or_insert(0);
            *n += 1;
            (*n > 1).then_some((i, *n - 1))
        })
        .collect();
    for (i, n) in repeats {
        let f = &mut findings[i];
        f.fingerprint = crate::pipelines::fingerprint(&f.rule_id, &f.fingerprint, &n.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::schema::{Date, RuleOverride};

    fn todo(path: &str, line: u32, text: &str) -> Finding {
        crate::pipelines::quality::markers::RULES[0].finding(
            "TODO",
            Some(Location::line(path, line)),
            text,
        )
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date")
    }

    #[test]
    fn inline_ignore_covers_its_line_and_the_next() {
        let config = Config::default();
        let policy = Policy::new(&config, today(), BTreeSet::new()).expect("policy");
        let mut ignores = BTreeMap::new();
        ignores.insert(
            "a.rs".to_owned(),
            vec![InlineIgnore {
                line: 3,
                rules: vec!["todo-marker".into()],
                reason: "later".into(),
            }],
        );
        let out = policy.apply(
            Pipeline::Quality,
            vec![
                todo("a.rs", 3, "x"),
                todo("a.rs", 4, "y"),
                todo("a.rs", 5, "z"),
            ],
            &ignores,
        );
        let states: Vec<bool> = out.iter().map(Finding::is_active).collect();
        assert_eq!(states, vec![false, false, true]);
    }

    #[test]
    fn expired_suppression_stops_and_is_reported() {
        let mut config = Config::default();
        config.suppressions.push(SuppressionConfig {
            rule: "todo-marker".into(),
            path: Some("legacy/**".into()),
            fingerprint: None,
            reason: "old code".into(),
            owner: Some("@team".into()),
            until: Some(Date(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            )),
        });
        config.suppressions.push(SuppressionConfig {
            rule: "todo-marker".into(),
            path: Some("vendor/**".into()),
            fingerprint: None,
            reason: "third party".into(),
            owner: None,
            until: Some(Date(
                chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            )),
        });
        let policy = Policy::new(&config, today(), BTreeSet::new()).expect("policy");
        let out = policy.apply(
            Pipeline::Quality,
            vec![todo("legacy/a.rs", 1, "x"), todo("vendor/b.rs", 1, "y")],
            &BTreeMap::new(),
        );
        assert_eq!(out.len(), 3);
        assert!(out[0].is_active(), "expired suppression must not suppress");
        assert!(!out[1].is_active());
        assert_eq!(out[2].rule_id, "expired-suppression");
        assert!(out[2].message.contains("2026-01-01"));
    }

    #[test]
    fn overrides_disable_exclude_and_reseverity() {
        let mut config = Config::default();
        config.rules.insert(
            "todo-marker".into(),
            RuleOverride {
                severity: Some(Severity::High),
                enabled: None,
                exclude: vec!["gen/**".into()],
            },
        );
        let policy = Policy::new(&config, today(), BTreeSet::new()).expect("policy");
        let out = policy.apply(
            Pipeline::Quality,
            vec![todo("gen/a.rs", 1, "x"), todo("src/a.rs", 1, "y")],
            &BTreeMap::new(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::High);
    }

    #[test]
    fn baseline_marks_known_fingerprints() {
        let config = Config::default();
        let f = todo("a.rs", 1, "x");
        let policy = Policy::new(&config, today(), [f.fingerprint.clone()].into()).expect("policy");
        let out = policy.apply(
            Pipeline::Quality,
            vec![f, todo("a.rs", 2, "new")],
            &BTreeMap::new(),
        );
        assert_eq!(out[0].suppression, Some(Suppression::Baseline));
        assert!(out[1].is_active());
    }

    #[test]
    fn repeated_fingerprints_become_distinct() {
        let mut fs = vec![todo("a.rs", 1, "x"), todo("a.rs", 9, "x")];
        disambiguate_fingerprints(&mut fs);
        assert_ne!(fs[0].fingerprint, fs[1].fingerprint);
        assert_eq!(fs[0].fingerprint, todo("a.rs", 5, "x").fingerprint);
    }
}
