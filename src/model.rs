//! The report model: the single source of truth every renderer reads.
//!
//! A run produces one [`RunReport`]: per pipeline its checks, findings, metrics and gates, plus
//! scores and an overall status. `report.json` is the serialization of this type, and
//! `vigil check --report-only` deserializes it back, so every type here round-trips through
//! serde without loss (a test guards that). Renderers never filter, re-rank or re-score: all of
//! that happens before the report is built.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the `report.json` layout; bump on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

/// How bad a finding is, ordered from least to most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never fails a gate by default.
    Info,
    /// Minor issue.
    Low,
    /// Should be fixed.
    Medium,
    /// Must be fixed soon.
    High,
    /// Must be fixed now.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL_DESC: [Self; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];

    /// Lower-case name as used in config and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// SARIF `level` for this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Self::Critical | Self::High => "error",
            Self::Medium | Self::Low => "warning",
            Self::Info => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the five pipelines of a run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Pipeline {
    /// Secrets, vulnerable dependencies, workflow and container risks, repo hygiene.
    Security,
    /// Code metrics, complexity, duplication, coverage, markers.
    Quality,
    /// Links, referenced paths, API doc coverage, freshness.
    #[value(alias = "docs")]
    #[serde(alias = "docs")]
    Documentation,
    /// Benchmarks and regressions.
    Performance,
    /// Tests, JUnit results, service probes, custom metrics.
    Integration,
}

impl Pipeline {
    /// Every pipeline in report order.
    pub const ALL: [Self; 5] = [
        Self::Security,
        Self::Quality,
        Self::Documentation,
        Self::Performance,
        Self::Integration,
    ];

    /// Lower-case name as used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Quality => "quality",
            Self::Documentation => "documentation",
            Self::Performance => "performance",
            Self::Integration => "integration",
        }
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line/column range inside a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Region {
    /// First line, 1-based.
    pub start_line: u32,
    /// First column, 1-based, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    /// Last line, 1-based, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Column just past the end, 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

impl Region {
    /// A region covering one whole line.
    pub fn line(line: u32) -> Self {
        Self {
            start_line: line.max(1),
            start_column: None,
            end_line: None,
            end_column: None,
        }
    }

    /// A region on one line between two 1-based columns (end exclusive).
    pub fn span(line: u32, start_column: u32, end_column: u32) -> Self {
        Self {
            start_line: line.max(1),
            start_column: Some(start_column.max(1)),
            end_line: Some(line.max(1)),
            end_column: Some(end_column.max(start_column.max(1))),
        }
    }
}

/// Where a finding is: a repo-relative path with `/` separators and an optional region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// Lines and columns; `None` means the whole file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

impl Location {
    /// A location pointing at a whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            region: None,
        }
    }

    /// A location pointing at one line of a file.
    pub fn line(path: impl Into<String>, line: u32) -> Self {
        Self {
            path: path.into(),
            region: Some(Region::line(line)),
        }
    }

    /// First line of the location, if it has a region.
    pub fn start_line(&self) -> Option<u32> {
        self.region.as_ref().map(|r| r.start_line)
    }
}

/// Why a finding does not count against gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Suppression {
    /// An inline `vigil:ignore RULE -- reason` comment.
    Inline {
        /// Reason written after `--`.
        reason: String,
    },
    /// A suppression entry of the configuration.
    Config {
        /// Why it is accepted.
        reason: String,
        /// Who owns the decision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// Last day the suppression applies (YYYY-MM-DD).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
    /// The fingerprint is in the accepted baseline.
    Baseline,
}

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Kebab-case rule id, e.g. `todo-marker`.
    pub rule_id: String,
    /// Pipeline the rule belongs to.
    pub pipeline: Pipeline,
    /// Effective severity after config overrides.
    pub severity: Severity,
    /// One-sentence message; never contains a secret in clear.
    pub message: String,
    /// Where it is; `None` for repository-wide findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Other places that belong to the same finding (e.g. the other copy of a clone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Location>,
    /// Content-based identity, stable when unrelated lines move.
    pub fingerprint: String,
    /// How to fix it, in one or two sentences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Tool that produced the finding when it was imported from another tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Set when the finding is suppressed or baselined: it stays visible but does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// Extra structured facts (package, version, advisory id, …), sorted by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// Whether the finding counts against gates (not suppressed or baselined).
    pub fn is_active(&self) -> bool {
        self.suppression.is_none()
    }

    /// Ordering key used everywhere findings are listed: path, line, rule, message.
    pub fn sort_key(&self) -> (&str, u32, &str, &str) {
        let (path, line) = match &self.location {
            Some(l) => (l.path.as_str(), l.start_line().unwrap_or(0)),
            None => ("", 0),
        };
        (path, line, &self.rule_id, &self.message)
    }

    /// [`Self::sort_key`] order as a comparator, for `sort_by` (borrows instead of cloning).
    pub fn cmp_order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.sort_key().cmp(&b.sort_key())
    }
}

/// Comparison a metric must satisfy against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    /// Value must be at least the threshold.
    #[serde(rename = ">=")]
    AtLeast,
    /// Value must be strictly greater than the threshold.
    #[serde(rename = ">")]
    Above,
    /// Value must be at most the threshold.
    #[serde(rename = "<=")]
    AtMost,
    /// Value must be strictly less than the threshold.
    #[serde(rename = "<")]
    Below,
}

impl Comparator {
    /// Whether `value` satisfies the comparison against `threshold`.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::AtLeast => value >= threshold,
            Self::Above => value > threshold,
            Self::AtMost => value <= threshold,
            Self::Below => value < threshold,
        }
    }

    /// The operator as text (`>=`, `>`, `<=`, `<`).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => ">=",
            Self::Above => ">",
            Self::AtMost => "<=",
            Self::Below => "<",
        }
    }
}

/// A target a metric is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// How to compare.
    pub comparator: Comparator,
    /// The threshold.
    pub value: f64,
}

/// A measured number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Dotted snake_case name, e.g. `quality.todo_markers`.
    pub name: String,
    /// The value.
    pub value: f64,
    /// Unit such as `count`, `%`, `ms`, `ops/s`, `bytes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Target the value should meet, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

impl Metric {
    /// A metric without a target.
    pub fn new(name: impl Into<String>, value: f64, unit: &str) -> Self {
        Self {
            name: name.into(),
            value,
            unit: Some(unit.to_owned()),
            target: None,
        }
    }
}

/// What a breached gate does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum GateMode {
    /// A breach fails the run (exit 1).
    #[default]
    Fail,
    /// A breach is reported as a warning only.
    Warn,
    /// The gate is not evaluated.
    Off,
}

/// Result of evaluating one gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    /// The metric meets the threshold.
    Passed,
    /// Breached, mode `warn`.
    Warned,
    /// Breached, mode `fail`.
    Failed,
    /// Not evaluated: gate off or metric missing (see message).
    Skipped,
}

/// A threshold on a metric with a mode and its evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// Gate name as configured, e.g. `security_score_min`.
    pub name: String,
    /// Metric the gate reads.
    pub metric: String,
    /// Threshold and comparison.
    pub threshold: Target,
    /// fail, warn or off.
    pub mode: GateMode,
    /// Measured value, if the metric was produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<f64>,
    /// Outcome.
    pub status: GateStatus,
    /// Human explanation of the outcome.
    pub message: String,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Ran to completion.
    Ran,
    /// Did not run because a prerequisite is absent (see note).
    Skipped,
    /// Failed with an error (see note); the run exits 2.
    Error,
}

/// Record of one check's execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    /// Check id, e.g. `markers`.
    pub id: String,
    /// Outcome.
    pub status: CheckStatus,
    /// Wall time spent in the check's own hooks, in milliseconds.
    pub duration_ms: u64,
    /// Why it was skipped or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Status of a pipeline or of the whole run's gate evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PipelineStatus {
    /// All gates passed.
    Passed,
    /// Some gate warned.
    Warned,
    /// A gate failed.
    Failed,
    /// A check errored.
    Error,
}

/// Everything one pipeline produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineResult {
    /// Which pipeline.
    pub pipeline: Pipeline,
    /// Overall status of the pipeline.
    pub status: PipelineStatus,
    /// Wall time of the pipeline's checks in milliseconds (sum of its checks).
    pub duration_ms: u64,
    /// Checks that ran, were skipped or errored.
    pub checks: Vec<CheckRun>,
    /// Findings, sorted by path, line and rule.
    pub findings: Vec<Finding>,
    /// Metrics, sorted by name.
    pub metrics: Vec<Metric>,
    /// Gates evaluated for this pipeline.
    pub gates: Vec<Gate>,
    /// The most complex functions, most complex first (quality only; empty elsewhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hotspots: Vec<Hotspot>,
}

/// One of the most complex functions of a run: where refactoring pays first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotspot {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// 1-based line of the function's name.
    pub line: u32,
    /// Name as written (`(anonymous)` when it has none).
    pub function: String,
    /// Lower-case language name, e.g. `rust`.
    pub language: String,
    /// McCabe cyclomatic complexity.
    pub cyclomatic: u32,
    /// SonarSource cognitive complexity.
    pub cognitive: u32,
    /// Length in lines.
    pub length: u32,
    /// Declared parameters.
    pub parameters: u32,
}

impl PipelineResult {
    /// Findings that count (not suppressed, not baselined).
    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_active())
    }

    /// Value of a metric by name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }
}

/// Health of the whole run, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OverallStatus {
    /// Every gate passed and no high or critical finding is active.
    Healthy,
    /// Warnings only.
    Warning,
    /// A gate failed.
    Degraded,
    /// A critical finding is active or a check errored.
    Critical,
}

impl OverallStatus {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "HEALTHY",
            Self::Warning => "WARNING",
            Self::Degraded => "DEGRADED",
            Self::Critical => "CRITICAL",
        }
    }
}

/// One line of a score's explanation: what earned or lost points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreItem {
    /// What was counted, e.g. `2 high findings × 10`.
    pub reason: String,
    /// Points added (positive) or removed (negative).
    pub points: f64,
}

/// A 0–100 score (or percentage) with the items that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Final value, clamped to 0..=100.
    pub value: f64,
    /// How it was computed, in order.
    pub breakdown: Vec<ScoreItem>,
}

/// Repository facts at the time of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepoInfo {
    /// Full commit id of HEAD, when the root is a git work tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Current branch name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Whether tracked files have uncommitted changes.
    pub dirty: bool,
}

/// Counters of the shared walk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkStats {
    /// Files visited and read.
    pub files_scanned: u64,
    /// Bytes read.
    pub bytes_scanned: u64,
    /// Files skipped because they look binary.
    pub binary_skipped: u64,
    /// Files skipped because they exceed the size limit.
    pub huge_skipped: u64,
    /// Files or directories that could not be read (see log).
    pub unreadable: u64,
    /// Paths that could not be read and why (at most 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Tool identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// Always `vigil`.
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// Headline numbers of the previous run, kept so the summary can show deltas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousRun {
    /// Run id of the previous run.
    pub run_id: String,
    /// Its overall status.
    pub overall_status: OverallStatus,
    /// Its scores by name.
    pub scores: BTreeMap<String, f64>,
    /// Its count of active findings.
    pub active_findings: u64,
}

/// Totals over all pipelines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Active findings by severity name.
    pub by_severity: BTreeMap<String, u64>,
    /// All active findings.
    pub active: u64,
    /// Suppressed (inline or config) findings.
    pub suppressed: u64,
    /// Baselined findings.
    pub baselined: u64,
    /// Gates that passed.
    pub gates_passed: u64,
    /// Gates that warned.
    pub gates_warned: u64,
    /// Gates that failed.
    pub gates_failed: u64,
}

/// The full result of one `vigil check` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Layout version of this document.
    pub schema_version: String,
    /// Tool name and version.
    pub tool: ToolInfo,
    /// `<UTC timestamp>-<short sha>`, also the history file name.
    pub run_id: String,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// End time, RFC 3339 UTC.
    pub finished_at: String,
    /// Wall time of the whole run in milliseconds.
    pub duration_ms: u64,
    /// Repository facts.
    pub repo: RepoInfo,
    /// SHA-256 of the effective configuration.
    pub config_digest: String,
    /// Severity at or above which an active finding fails the run, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
    /// Walk counters.
    pub walk: WalkStats,
    /// Per-pipeline results, in pipeline order.
    pub pipelines: Vec<PipelineResult>,
    /// Scores by name (`security_score`, `quality_score`, …).
    pub scores: BTreeMap<String, Score>,
    /// Totals.
    pub counts: Counts,
    /// Health of the run.
    pub overall_status: OverallStatus,
    /// Headline numbers of the previous run, when one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousRun>,
}

impl RunReport {
    /// All findings of all pipelines.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.pipelines.iter().flat_map(|p| p.findings.iter())
    }

    /// All gates of all pipelines.
    pub fn gates(&self) -> impl Iterator<Item = &Gate> {
        self.pipelines.iter().flat_map(|p| p.gates.iter())
    }

    /// Whether any check errored.
    pub fn has_errors(&self) -> bool {
        self.pipelines
            .iter()
            .flat_map(|p| p.checks.iter())
            .any(|c| c.status == CheckStatus::Error)
    }

    /// Short commit id, or `nogit`.
    pub fn short_sha(&self) -> &str {
        self.repo
            .commit
            .as_deref()
            .map_or("nogit", |c| &c[..c.len().min(7)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotspots_are_optional_in_report_json() {
        let json = r#"{"pipeline":"quality","status":"passed","duration_ms":1,"checks":[],"findings":[],"metrics":[],"gates":[]}"#;
        let old: PipelineResult =
            serde_json::from_str(json).expect("a report without hotspots loads");
        assert!(old.hotspots.is_empty());
        // Written back byte for byte: no empty `hotspots` key appears.
        assert_eq!(serde_json::to_string(&old).expect("serializes"), json);
    }
}
