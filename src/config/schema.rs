//! Configuration types, as read from `vigil.yml`, `.vigil.yml` or `vigil.json`.
//!
//! Validation lives in the types: every struct denies unknown keys, and bounded values
//! (percentages, dates, sizes) are newtypes whose `Deserialize` rejects impossible values, so
//! the parser reports the exact line and key path of any mistake. Every field has a default,
//! which is the seed's target where the seed names one.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::model::{GateMode, Pipeline, Severity};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Layout version of the file; only `1` exists.
    pub version: ConfigVersion,
    /// Where and what to write.
    pub output: OutputConfig,
    /// Which paths the walk reads.
    pub paths: PathsConfig,
    /// Pipelines `vigil check` runs when `--pipeline` is not given.
    pub pipelines: Option<Vec<Pipeline>>,
    /// Fail the run when an active finding is at or above this severity.
    pub fail_on: Option<Severity>,
    /// Gate thresholds and modes.
    pub gates: GatesConfig,
    /// Per-rule overrides, by rule id.
    pub rules: BTreeMap<String, RuleOverride>,
    /// Accepted findings, with a reason.
    pub suppressions: Vec<SuppressionConfig>,
    /// Baseline file of accepted fingerprints (relative to the repository root).
    pub baseline: Option<String>,
    /// Security pipeline settings.
    pub security: SecurityConfig,
    /// Quality pipeline settings.
    pub quality: QualityConfig,
    /// Operational targets and monitor settings (SLA, MTTR, retention, escalation).
    pub operations: OperationsConfig,
}

/// The `version` key: must be 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConfigVersion(pub u32);

impl Default for ConfigVersion {
    fn default() -> Self {
        Self(1)
    }
}

impl<'de> Deserialize<'de> for ConfigVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        if v == 1 {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported version {v}; this vigil reads version 1"
            )))
        }
    }
}

/// Report output settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Folder for `latest/`, `runs/`, `logs/` (relative to the working directory).
    pub dir: String,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            dir: "reports".to_owned(),
        }
    }
}

/// Which files the walk reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PathsConfig {
    /// Gitignore-style globs to leave out, in addition to `.gitignore`.
    pub exclude: Vec<String>,
    /// Files larger than this are skipped and counted, e.g. `5MiB`, `500kB` or a byte count.
    pub max_file_size: ByteSize,
}

impl Default for PathsConfig {
    fn default() -> Self {
        Self {
            exclude: Vec::new(),
            max_file_size: ByteSize(5 * 1024 * 1024),
        }
    }
}

/// A size in bytes, written as a number or with a unit (`kB`, `KiB`, `MB`, `MiB`, `GB`, `GiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Text(String),
        }
        let raw = Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom("expected a size such as 1048576, `512kB` or `5MiB`")
        })?;
        let n = match raw {
            Raw::Num(n) => n,
            Raw::Text(s) => parse_size(&s).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{s}` is not a size; write e.g. 1048576, `512kB` or `5MiB`"
                ))
            })?,
        };
        if n == 0 {
            return Err(serde::de::Error::custom("size must be greater than 0"));
        }
        Ok(Self(n))
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "kB" | "KB" | "k" => 1_000,
        "KiB" => 1024,
        "MB" | "M" => 1_000_000,
        "MiB" => 1024 * 1024,
        "GB" | "G" => 1_000_000_000,
        "GiB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A number between 0 and 100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percent(pub f64);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=100.0).contains(&v) {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is not a percentage; use a number from 0 to 100"
            )))
        }
    }
}

/// A finite number that is not negative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NonNegative(pub f64);

impl<'de> Deserialize<'de> for NonNegative {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v >= 0.0 {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is impossible here; use a number of 0 or more"
            )))
        }
    }
}

/// A calendar date `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date(pub chrono::NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Self)
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a date; write YYYY-MM-DD")))
    }
}

/// One gate's threshold and mode; the threshold type bounds what is possible.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig<T> {
    /// The threshold; omitted keeps the default.
    pub threshold: Option<T>,
    /// fail, warn or off; omitted keeps the gate's default mode.
    pub mode: Option<GateMode>,
}

/// Thresholds of every gate; defaults are the seed's targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatesConfig {
    /// Minimum security score (default 80).
    pub security_score_min: Option<GateConfig<Percent>>,
    /// Minimum quality score (default 70).
    pub quality_score_min: Option<GateConfig<Percent>>,
    /// Minimum line coverage in % (default 90).
    pub coverage_min: Option<GateConfig<Percent>>,
    /// Minimum coverage of changed lines in % (default 90).
    pub diff_coverage_min: Option<GateConfig<Percent>>,
    /// Minimum share of passing gates in % (default 95).
    pub gate_pass_rate_min: Option<GateConfig<Percent>>,
    /// Minimum documentation accuracy in % (default 80).
    pub documentation_accuracy_min: Option<GateConfig<Percent>>,
    /// Maximum P95 response time in ms (default 1000).
    pub response_time_p95_ms: Option<GateConfig<NonNegative>>,
    /// Minimum throughput in ops/s (default 10).
    pub throughput_ops: Option<GateConfig<NonNegative>>,
    /// Minimum memory efficiency in % (default 50).
    pub memory_efficiency_min: Option<GateConfig<Percent>>,
    /// Maximum error rate in % (default 1).
    pub error_rate_max: Option<GateConfig<Percent>>,
    /// Maximum slowdown vs the baseline in % (default 10).
    pub regression_pct: Option<GateConfig<NonNegative>>,
    /// Maximum number of TODO/FIXME/XXX/HACK markers (default off).
    pub todo_markers_max: Option<GateConfig<NonNegative>>,
}

/// Override of one rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleOverride {
    /// New severity.
    pub severity: Option<Severity>,
    /// `false` drops the rule's findings entirely.
    pub enabled: Option<bool>,
    /// Globs of paths where the rule does not apply.
    pub exclude: Vec<String>,
}

/// An accepted finding or group of findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionConfig {
    /// Rule id (or `*`).
    pub rule: String,
    /// Glob of paths it applies to; all paths when omitted.
    #[serde(default)]
    pub path: Option<String>,
    /// Fingerprint of one finding; all matching findings when omitted.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Why the finding is accepted (required).
    pub reason: String,
    /// Who decided.
    #[serde(default)]
    pub owner: Option<String>,
    /// Last day it applies; after that it stops suppressing and is reported.
    #[serde(default)]
    pub until: Option<Date>,
}

/// Security pipeline settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Repository hygiene settings.
    pub hygiene: HygieneConfig,
}

/// Whether the repository is an application (which must commit its lockfile).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectKind {
    /// Decide from the manifests (a Rust crate with a binary, a package.json without `main`…).
    #[default]
    Auto,
    /// An application: lockfiles must be committed.
    Application,
    /// A library: a missing lockfile is fine.
    Library,
}

/// Repository hygiene settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HygieneConfig {
    /// Application or library; decides whether a lockfile is required.
    pub project_kind: ProjectKind,
}

/// Quality pipeline settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    /// TODO/FIXME marker settings.
    pub markers: MarkersConfig,
}

/// TODO/FIXME/XXX/HACK marker settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkersConfig {
    /// Markers to look for (upper case, matched as whole words).
    pub tags: Vec<String>,
}

impl Default for MarkersConfig {
    fn default() -> Self {
        Self {
            tags: ["TODO", "FIXME", "XXX", "HACK"].map(str::to_owned).to_vec(),
        }
    }
}

/// Operational targets and monitor settings; defaults are the seed's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperationsConfig {
    /// Availability target in % (default 99.9).
    pub availability_min: Percent,
    /// Mean time to recovery target in hours (default 2).
    pub mttr_hours_max: NonNegative,
    /// Mean time between failures target in hours (default 720).
    pub mtbf_hours_min: NonNegative,
    /// Change-failure rate target in % (default 5).
    pub change_failure_rate_max: Percent,
    /// Dashboard and monitor refresh interval in seconds (default 30).
    pub refresh_seconds: NonNegative,
    /// History retention in days (default 30).
    pub retention_days: NonNegative,
    /// Alert escalation steps in minutes (default 15, 30, 60, 120).
    pub escalation_minutes: Vec<NonNegative>,
}

impl Default for OperationsConfig {
    fn default() -> Self {
        Self {
            availability_min: Percent(99.9),
            mttr_hours_max: NonNegative(2.0),
            mtbf_hours_min: NonNegative(720.0),
            change_failure_rate_max: Percent(5.0),
            refresh_seconds: NonNegative(30.0),
            retention_days: NonNegative(30.0),
            escalation_minutes: [15.0, 30.0, 60.0, 120.0].map(NonNegative).to_vec(),
        }
    }
}
