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
    /// Documentation pipeline settings.
    pub documentation: DocumentationConfig,
    /// Performance pipeline settings.
    pub performance: PerformanceConfig,
    /// Integration pipeline settings.
    pub integration: IntegrationConfig,
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
    /// Minimum share of passing tests in the JUnit reports, in % (default 100).
    pub test_pass_rate_min: Option<GateConfig<Percent>>,
    /// Maximum number of failed test commands (default 0).
    pub test_commands_failed_max: Option<GateConfig<NonNegative>>,
    /// Minimum share of HTTP probes that passed, in % (default 100).
    pub probe_success_rate_min: Option<GateConfig<Percent>>,
    /// Minimum share of listed commands that answer `--help`, in % (default 100).
    pub commands_ready_min: Option<GateConfig<Percent>>,
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
    /// Hard-coded secret detection settings.
    pub secrets: SecretsConfig,
    /// Vulnerable dependency settings.
    pub deps: DepsConfig,
}

/// Vulnerable dependency settings (`security.deps`). Relative paths are relative to the
/// repository root; `~/` is the home folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DepsConfig {
    /// RustSec advisory database folder (a copy of github.com/rustsec/advisory-db).
    pub advisory_db: Option<String>,
    /// Folder of OSV advisories (`*.json`, `*.yaml`, read recursively).
    pub osv_db: Option<String>,
    /// Cache for fetched databases and OSV API answers (default `~/.cache/vigil`).
    pub cache_dir: Option<String>,
    /// Query the OSV API and the crates.io index, as `--online` does; `--offline` wins.
    pub online: bool,
    /// Advisories not reported, each with the reason.
    pub ignore: Vec<IgnoredAdvisory>,
}

/// An advisory accepted on purpose (`security.deps.ignore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoredAdvisory {
    /// Advisory id or one of its aliases: `RUSTSEC-…`, `GHSA-…`, `PYSEC-…`, `CVE-…`.
    pub id: String,
    /// Why the advisory does not apply or is accepted (required, not empty).
    #[serde(deserialize_with = "non_empty_reason")]
    pub reason: String,
}

fn non_empty_reason<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "the reason must not be empty; say why the advisory is accepted",
        ));
    }
    Ok(s)
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

/// Hard-coded secret detection settings (`security.secrets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// Rule ids of the secrets check not to run, e.g. `jwt`.
    pub disabled_rules: Vec<String>,
    /// Values, patterns and paths never reported.
    pub allowlist: SecretsAllowlist,
    /// Extra detection rules, reported under `custom-secret-rule`.
    pub extra_rules: Vec<CustomSecretRule>,
    /// Least Shannon entropy, in bits per character, of a value assigned to a secret-looking
    /// name (default 3.5).
    pub generic_min_entropy: NonNegative,
    /// Least length of a value assigned to a secret-looking name (default 8).
    pub generic_min_length: usize,
    /// Read `.gitleaks.toml` at the repository root for extra rules and allowlists (default true).
    pub gitleaks_config: bool,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            disabled_rules: Vec::new(),
            allowlist: SecretsAllowlist::default(),
            extra_rules: Vec::new(),
            generic_min_entropy: NonNegative(3.5),
            generic_min_length: 8,
            gitleaks_config: true,
        }
    }
}

/// What the secrets check never reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsAllowlist {
    /// Gitignore-style globs of paths that are not scanned for secrets.
    pub paths: Vec<String>,
    /// Regular expressions; a secret matching any of them is not reported.
    pub regexes: Vec<RegexPattern>,
    /// Exact secret values, or `sha256:<hex>` of a value, that are not reported.
    pub values: Vec<String>,
    /// Words; a secret containing any of them (ignoring case) is not reported.
    pub stopwords: Vec<String>,
}

/// A user-defined secret rule (the shape of a gitleaks `[[rules]]` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomSecretRule {
    /// Identifier shown in the finding, e.g. `acme-api-key`.
    pub id: String,
    /// What the rule finds.
    #[serde(default)]
    pub description: Option<String>,
    /// Regular expression matching the secret.
    pub regex: RegexPattern,
    /// Capture group holding the secret; 0 (default) means the first group, or the whole match.
    #[serde(default)]
    pub secret_group: usize,
    /// Least Shannon entropy of the secret, in bits per character.
    #[serde(default)]
    pub entropy: Option<NonNegative>,
    /// Words of which one must occur in a file for the rule to run (ignoring case).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Severity of its findings (default high).
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A regular expression (Rust `regex` syntax), checked when the configuration is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegexPattern(pub String);

impl<'de> Deserialize<'de> for RegexPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        regex::Regex::new(&s)
            .map(|_| Self(s))
            .map_err(|e| serde::de::Error::custom(format!("invalid regular expression: {e}")))
    }
}

/// Quality pipeline settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    /// TODO/FIXME marker settings.
    pub markers: MarkersConfig,
    /// Coverage reports and diff coverage.
    pub coverage: CoverageConfig,
    /// Findings imported from other tools (SARIF, clippy, eslint).
    pub imports: ImportsConfig,
    /// Per-function complexity limits.
    pub complexity: ComplexityConfig,
    /// Duplicated-code detection.
    pub duplication: DuplicationConfig,
}

/// Duplicated-code detection settings (`quality.duplication`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DuplicationConfig {
    /// Least length of a clone in normalized tokens (default 50, at least 10).
    #[serde(deserialize_with = "at_least_ten")]
    pub min_tokens: usize,
    /// Least length of a clone in lines, in every copy (default 5, at least 1).
    #[serde(deserialize_with = "at_least_one")]
    pub min_lines: u32,
    /// Gitignore-style globs of files not scanned for clones (also left out of the
    /// duplication percentage).
    pub exclude: Vec<String>,
}

impl Default for DuplicationConfig {
    fn default() -> Self {
        Self {
            min_tokens: 50,
            min_lines: 5,
            exclude: Vec::new(),
        }
    }
}

fn at_least_ten<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n < 10 {
        return Err(serde::de::Error::custom(format!(
            "{n} is too small; a clone must be at least 10 tokens long"
        )));
    }
    Ok(n)
}

fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom(
            "0 is too small; a clone must span at least 1 line",
        ));
    }
    Ok(n)
}

/// Coverage report settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoverageConfig {
    /// Report files (lcov, Cobertura, JaCoCo, llvm-cov JSON) relative to the repository root, or
    /// globs over the files the walk sees. A plain path is read even when it is git-ignored.
    pub reports: Vec<String>,
    /// Also use reports found under their usual names (`lcov.info`, `coverage.xml`, …).
    pub auto_detect: bool,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        Self {
            reports: Vec::new(),
            auto_detect: true,
        }
    }
}

/// Outputs of other tools whose findings join the quality pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportsConfig {
    /// SARIF 2.1.0 files, relative to the repository root, or globs.
    pub sarif: Vec<String>,
    /// `cargo clippy --message-format json` outputs (JSON lines), or globs.
    pub clippy: Vec<String>,
    /// `eslint -f json` outputs, or globs.
    pub eslint: Vec<String>,
    /// Also import every `*.sarif` / `*.sarif.json` file the walk finds.
    pub auto_detect: bool,
}

impl Default for ImportsConfig {
    fn default() -> Self {
        Self {
            sarif: Vec::new(),
            clippy: Vec::new(),
            eslint: Vec::new(),
            auto_detect: true,
        }
    }
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

/// Per-function complexity limits; a function over a limit is a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplexityConfig {
    /// Highest cyclomatic complexity allowed (default 15).
    pub cyclomatic_max: u32,
    /// Highest cognitive complexity allowed (default 15).
    pub cognitive_max: u32,
    /// Longest function allowed, in lines (default 100).
    pub function_length_max: u32,
    /// Most parameters allowed (default 6).
    pub parameters_max: u32,
}

impl Default for ComplexityConfig {
    fn default() -> Self {
        Self {
            cyclomatic_max: 15,
            cognitive_max: 15,
            function_length_max: 100,
            parameters_max: 6,
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

/// Documentation pipeline settings (`documentation`), one section per check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentationConfig {
    /// Local links, images and anchors in Markdown.
    pub links: LinksConfig,
    /// Paths and commands named in inline code and shell code blocks.
    pub references: ReferencesConfig,
    /// External links, checked only with `--online`.
    pub external: ExternalLinksConfig,
    /// Public API documentation coverage.
    pub api_docs: ApiDocsConfig,
    /// Front-matter dates and what changed since.
    pub freshness: FreshnessConfig,
}

/// Local link settings (`documentation.links`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// Check that `#L10`-style anchors fit in their file (default true). The links check then
    /// asks the walk for every file, to count its lines.
    pub line_anchors: bool,
    /// Regular expressions; a link target matching any of them is not checked.
    pub exclude: Vec<RegexPattern>,
}

impl Default for LinksConfig {
    fn default() -> Self {
        Self {
            line_anchors: true,
            exclude: Vec::new(),
        }
    }
}

/// Referenced path and command settings (`documentation.references`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferencesConfig {
    /// Check repository paths written in inline code, e.g. `src/main.rs` (default true).
    pub inline_code: bool,
    /// Check scripts, make targets and package scripts run in shell code blocks (default true).
    pub shell_blocks: bool,
}

impl Default for ReferencesConfig {
    fn default() -> Self {
        Self {
            inline_code: true,
            shell_blocks: true,
        }
    }
}

/// External link settings (`documentation.external`); used only with `--online`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalLinksConfig {
    /// Requests in flight at once (default 8).
    pub concurrency: std::num::NonZeroUsize,
    /// Requests in flight at once to one host (default 2).
    pub per_host: std::num::NonZeroUsize,
    /// Time allowed for one request, in seconds (default 20).
    pub timeout_seconds: std::num::NonZeroU64,
    /// Retries after a network error, a 5xx or a 429 answer, with exponential backoff
    /// (default 2).
    pub retries: u32,
    /// Longest wait honoured from a `Retry-After` header, in seconds (default 60).
    pub max_retry_after_seconds: u64,
    /// How long a working link is trusted without asking again, in hours (default 24; 0 turns
    /// the cache off).
    pub cache_ttl_hours: NonNegative,
    /// Cache folder (default `$XDG_CACHE_HOME/vigil` or `~/.cache/vigil`); the cache file is
    /// `links.json` in it.
    pub cache_dir: Option<String>,
    /// HTTP statuses counted as working besides 2xx, e.g. 403 for sites that refuse robots.
    pub accept: Vec<u16>,
    /// Regular expressions; a URL matching any of them is not checked. The default skips
    /// loopback hosts and the `example.*` domains.
    pub exclude: Vec<RegexPattern>,
}

impl Default for ExternalLinksConfig {
    fn default() -> Self {
        Self {
            concurrency: std::num::NonZeroUsize::new(8).unwrap_or(std::num::NonZeroUsize::MIN),
            per_host: std::num::NonZeroUsize::new(2).unwrap_or(std::num::NonZeroUsize::MIN),
            timeout_seconds: std::num::NonZeroU64::new(20).unwrap_or(std::num::NonZeroU64::MIN),
            retries: 2,
            max_retry_after_seconds: 60,
            cache_ttl_hours: NonNegative(24.0),
            cache_dir: None,
            accept: Vec::new(),
            exclude: [
                r"^https?://(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/?#]|$)",
                r"^https?://([^/?#]*\.)?example\.(com|org|net)([:/?#]|$)",
            ]
            .map(|r| RegexPattern(r.to_owned()))
            .to_vec(),
        }
    }
}

/// Public API documentation settings (`documentation.api_docs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiDocsConfig {
    /// Most `undocumented-public-item` findings listed (default 50); the coverage metric
    /// always counts every item.
    pub max_findings: usize,
    /// Gitignore-style globs of source files not counted (default: tests, benches, examples
    /// and fixtures).
    pub exclude: Vec<String>,
}

impl Default for ApiDocsConfig {
    fn default() -> Self {
        Self {
            max_findings: 50,
            exclude: [
                "tests/",
                "test/",
                "benches/",
                "examples/",
                "fixtures/",
                "__tests__/",
                "test_*.py",
                "*_test.py",
                "conftest.py",
                "*.test.*",
                "*.spec.*",
                "*.d.ts",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

/// Freshness settings (`documentation.freshness`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessConfig {
    /// A page whose front-matter date is older than this many days is stale (default 180).
    pub max_age_days: u32,
    /// Also compare the date with the last commit of the files the page links to (default
    /// true; needs git).
    pub compare_git: bool,
}

impl Default for FreshnessConfig {
    fn default() -> Self {
        Self {
            max_age_days: 180,
            compare_git: true,
        }
    }
}

/// A custom metric (`integration.metrics[]`): a number a command prints, or a number in a JSON
/// file, recorded with its unit and gated against its target.
///
/// Exactly one of `command` and `file` is given; `regex`, `timeout_seconds`, `env` and
/// `working_dir` belong to a command, `pointer` to a file. The check verifies the combination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomMetricConfig {
    /// Names the metric (`integration.custom.<name>`) and its gate (`custom.<name>`); unique.
    #[serde(deserialize_with = "metric_name")]
    pub name: String,
    /// What the number is, shown beside it in the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Unit of the value, e.g. `bytes`, `ms`, `%`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Command whose standard output holds the number: a line for `sh -c`, or a list
    /// `[program, arg, …]` run without a shell.
    #[serde(default)]
    pub command: Option<BenchmarkCommand>,
    /// Regular expression whose one capture group is the number in the command's output;
    /// without it the whole output, trimmed, must be the number.
    #[serde(default)]
    pub regex: Option<CaptureRegex>,
    /// Seconds the command may run before it is stopped (default 60).
    #[serde(default = "default_metric_timeout")]
    pub timeout_seconds: Positive,
    /// Extra environment variables of the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working folder of the command, relative to the repository root (default: the root).
    #[serde(default)]
    pub working_dir: Option<String>,
    /// JSON file holding the number, relative to the repository root; read even when
    /// git-ignored.
    #[serde(default)]
    pub file: Option<String>,
    /// JSON pointer (RFC 6901) to the number in `file`, e.g. `/assets/0/size`; not set: the
    /// whole document is the number.
    #[serde(default)]
    pub pointer: Option<JsonPointer>,
    /// `{ max: N }` (lower is better) or `{ min: N }`; without a target the metric is recorded
    /// and kept in history, not gated.
    #[serde(default)]
    pub target: Option<MetricTarget>,
    /// What a missed target does: `fail` (default), `warn` or `off`.
    #[serde(default)]
    pub mode: GateMode,
}

impl Named for CustomMetricConfig {
    fn name(&self) -> &str {
        &self.name
    }
}

fn default_metric_timeout() -> Positive {
    Positive(60.0)
}

/// A custom metric's name: lower-case letters, digits and `_`, starting with a letter.
fn metric_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let valid = s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(s)
    } else {
        Err(serde::de::Error::custom(format!(
            "`{s}` is not a metric name; use lower-case letters, digits and `_`, starting with \
             a letter, e.g. `binary_size`"
        )))
    }
}

/// The target of a custom metric, written `{ max: N }` or `{ min: N }`: which way is better,
/// and the limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricTarget {
    /// Lower is better: the value must be at most this (e.g. a binary size).
    Max(f64),
    /// Higher is better: the value must be at least this (e.g. a hit rate).
    Min(f64),
}

impl<'de> Deserialize<'de> for MetricTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            max: Option<f64>,
            min: Option<f64>,
        }
        let raw = Raw::deserialize(d)?;
        let target = match (raw.max, raw.min) {
            (Some(v), None) => Self::Max(v),
            (None, Some(v)) => Self::Min(v),
            _ => {
                return Err(serde::de::Error::custom(
                    "write the target as `{ max: N }` (lower is better) or `{ min: N }` (higher \
                     is better), one of the two",
                ));
            }
        };
        let (Self::Max(v) | Self::Min(v)) = target;
        if v.is_finite() {
            Ok(target)
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is impossible here; the limit must be a finite number"
            )))
        }
    }
}

/// A regular expression with exactly one capture group, checked when the configuration is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureRegex(pub String);

impl<'de> Deserialize<'de> for CaptureRegex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let re = regex::Regex::new(&s)
            .map_err(|e| serde::de::Error::custom(format!("invalid regular expression: {e}")))?;
        if re.captures_len() != 2 {
            return Err(serde::de::Error::custom(format!(
                "the regular expression has {} capture groups; it needs exactly one, around the \
                 number, e.g. `size: (\\d+)` (write other groups as `(?:…)`)",
                re.captures_len() - 1
            )));
        }
        Ok(Self(s))
    }
}

/// A JSON pointer (RFC 6901): empty, or `/`-separated reference tokens such as `/a/0/b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonPointer(pub String);

impl<'de> Deserialize<'de> for JsonPointer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || s.starts_with('/') {
            Ok(Self(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{s}` is not a JSON pointer; write it from the root with `/`, e.g. `/{s}`"
            )))
        }
    }
}

/// Integration pipeline settings: test results and what vigil runs against the build.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrationConfig {
    /// JUnit XML test reports.
    pub junit: JunitConfig,
    /// Test commands vigil runs before reading the test reports.
    #[serde(deserialize_with = "unique_names")]
    pub tests: Vec<TestCommandConfig>,
    /// Service under test and the HTTP probes run against it.
    pub service: ServiceConfig,
    /// Commands that must answer `--help` with exit status 0 (command readiness).
    pub commands: Vec<ReadinessCommandConfig>,
    /// Custom metrics: numbers from a command's output or a JSON file, with targets.
    #[serde(deserialize_with = "unique_names")]
    pub metrics: Vec<CustomMetricConfig>,
}

/// JUnit XML report settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JunitConfig {
    /// Report files relative to the repository root, or globs over the files the walk sees.
    /// A plain path is read even when it is git-ignored.
    pub reports: Vec<String>,
    /// Also use reports found under their usual names (`junit*.xml`, `TEST-*.xml`, nextest).
    pub auto_detect: bool,
}

impl Default for JunitConfig {
    fn default() -> Self {
        Self {
            reports: Vec::new(),
            auto_detect: true,
        }
    }
}
/// Something with a name that must be unique in its list.
trait Named {
    /// The name.
    fn name(&self) -> &str;
}

/// A list whose entries' names are unique (they name metrics and findings).
fn unique_names<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Named,
{
    let list = Vec::<T>::deserialize(d)?;
    let mut seen = std::collections::BTreeSet::new();
    for item in &list {
        if !seen.insert(item.name()) {
            return Err(serde::de::Error::custom(format!(
                "the name `{}` is used twice; names must be unique in the list",
                item.name()
            )));
        }
    }
    Ok(list)
}

/// A name that is not blank.
fn non_blank<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "the name must not be empty; it names the entry in reports and metrics",
        ));
    }
    Ok(s)
}

/// A test command vigil runs (`integration.tests[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCommandConfig {
    /// Name shown in reports and used in metric names; unique.
    #[serde(deserialize_with = "non_blank")]
    pub name: String,
    /// A command line for `sh -c`, or a list `[program, arg, …]` run without a shell.
    pub command: BenchmarkCommand,
    /// Seconds the command may run before it is stopped and reported (default 600).
    #[serde(default = "default_test_timeout")]
    pub timeout_seconds: Positive,
    /// Extra environment variables of the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working folder, relative to the repository root (default: the root).
    #[serde(default)]
    pub working_dir: Option<String>,
    /// JUnit XML report the command writes, relative to the repository root; the `junit`
    /// check reads it when `integration.junit` lists or auto-detects it.
    #[serde(default)]
    pub junit: Option<String>,
}

impl Named for TestCommandConfig {
    fn name(&self) -> &str {
        &self.name
    }
}

fn default_test_timeout() -> Positive {
    Positive(600.0)
}

/// The service under test (`integration.service`): how to start it, when it is ready, and
/// the HTTP probes run against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceConfig {
    /// Command that starts the service and keeps running; without one, the probes go to a
    /// service that is already running.
    pub command: Option<BenchmarkCommand>,
    /// Extra environment variables of the start command.
    pub env: BTreeMap<String, String>,
    /// Working folder of the start command, relative to the repository root.
    pub working_dir: Option<String>,
    /// Base URL that relative probe and readiness URLs are resolved against.
    pub base_url: Option<HttpUrl>,
    /// URL that answers 2xx once the service is ready (absolute, or a path under `base_url`);
    /// default: `base_url`.
    pub readiness_url: Option<String>,
    /// Seconds the service gets to become ready (default 30).
    pub readiness_timeout_seconds: Positive,
    /// HTTP requests whose answers are checked.
    #[serde(deserialize_with = "unique_names")]
    pub probes: Vec<ProbeConfig>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            command: None,
            env: BTreeMap::new(),
            working_dir: None,
            base_url: None,
            readiness_url: None,
            readiness_timeout_seconds: Positive(30.0),
            probes: Vec::new(),
        }
    }
}

/// An absolute `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpUrl(pub String);

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let rest = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("https://"));
        match rest {
            Some(r) if !r.is_empty() && !r.starts_with('/') => Ok(Self(s)),
            _ => Err(serde::de::Error::custom(format!(
                "`{s}` is not an absolute URL; write e.g. `http://127.0.0.1:8080`"
            ))),
        }
    }
}

/// One HTTP probe (`integration.service.probes[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// Name shown in reports and used in metric names; unique.
    #[serde(deserialize_with = "non_blank")]
    pub name: String,
    /// Absolute URL, or a path resolved against `integration.service.base_url`.
    pub url: String,
    /// HTTP method (default GET).
    #[serde(default)]
    pub method: HttpMethod,
    /// Request headers; their values are never printed.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body.
    #[serde(default)]
    pub body: Option<String>,
    /// Status the answer must have (default 200).
    #[serde(default = "default_expect_status")]
    pub expect_status: HttpStatus,
    /// Most milliseconds the answer may take; slower is a finding.
    #[serde(default)]
    pub latency_ms: Option<Positive>,
    /// Regular expression the answer body must match.
    #[serde(default)]
    pub body_regex: Option<RegexPattern>,
    /// JSON pointer (RFC 6901, e.g. `/status`) into the answer body, which must be JSON; the
    /// value must exist, and equal `expect_value` when that is set.
    #[serde(default)]
    pub json_pointer: Option<JsonPointer>,
    /// Value expected at `json_pointer`.
    #[serde(default)]
    pub expect_value: Option<serde_json::Value>,
    /// Seconds the request may take before it counts as unreachable (default 10).
    #[serde(default = "default_probe_timeout")]
    pub timeout_seconds: Positive,
}

impl Named for ProbeConfig {
    fn name(&self) -> &str {
        &self.name
    }
}

fn default_expect_status() -> HttpStatus {
    HttpStatus(200)
}

fn default_probe_timeout() -> Positive {
    Positive(10.0)
}

/// HTTP methods a probe may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET.
    #[default]
    Get,
    /// HEAD.
    Head,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// OPTIONS.
    Options,
}

impl HttpMethod {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
        }
    }
}

/// An HTTP status code, 100 to 599.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HttpStatus(pub u16);

impl<'de> Deserialize<'de> for HttpStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u16::deserialize(d)?;
        if (100..600).contains(&v) {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is not an HTTP status; use a number from 100 to 599"
            )))
        }
    }
}

/// A command that must answer `--help` (`integration.commands[]`): a command line or a list,
/// or `{ command, timeout_seconds }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadinessCommandConfig {
    /// The command, without `--help` (vigil appends it).
    pub command: BenchmarkCommand,
    /// Seconds the command may take to answer (default 10).
    pub timeout_seconds: Positive,
}

impl<'de> Deserialize<'de> for ReadinessCommandConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            command: BenchmarkCommand,
            #[serde(default = "default_readiness_timeout")]
            timeout_seconds: Positive,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ReadinessCommandConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a command line, a list of program and arguments, or a map with `command`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let command =
                    BenchmarkCommand::deserialize(serde::de::value::StrDeserializer::<E>::new(v))?;
                Ok(ReadinessCommandConfig {
                    command,
                    timeout_seconds: default_readiness_timeout(),
                })
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                let command = BenchmarkCommand::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(ReadinessCommandConfig {
                    command,
                    timeout_seconds: default_readiness_timeout(),
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let full = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ReadinessCommandConfig {
                    command: full.command,
                    timeout_seconds: full.timeout_seconds,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn default_readiness_timeout() -> Positive {
    Positive(10.0)
}

/// Performance pipeline settings: benchmarks vigil runs, results of other tools, regressions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PerformanceConfig {
    /// Commands vigil runs and times.
    pub benchmarks: Vec<BenchmarkConfig>,
    /// Memory a benchmark may use, for memory efficiency; when not set, the memory available on
    /// the host when the run starts. A benchmark's own `memory_budget` wins.
    pub memory_budget: Option<ByteSize>,
    /// Result files of other benchmark tools (relative to the repository root, or globs).
    pub imports: Vec<BenchmarkImport>,
    /// Also import results found under their usual names, and criterion's `target/criterion`.
    pub auto_detect: bool,
    /// How slowdowns against the baseline are judged.
    pub regression: RegressionConfig,
}

impl Default for PerformanceConfig {
    fn default() -> Self {
        Self {
            benchmarks: Vec::new(),
            memory_budget: None,
            imports: Vec::new(),
            auto_detect: true,
            regression: RegressionConfig::default(),
        }
    }
}

/// One benchmark vigil runs (`performance.benchmarks[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkConfig {
    /// Name shown in reports and used in metric names; unique.
    #[serde(deserialize_with = "non_empty_name")]
    pub name: String,
    /// A command line for `sh -c`, or a list `[program, arg, …]` run without a shell.
    pub command: BenchmarkCommand,
    /// Untimed runs before the measured ones (default 1).
    #[serde(default = "default_warmup")]
    pub warmup: u32,
    /// Measured runs (default 10).
    #[serde(default = "default_runs")]
    pub runs: std::num::NonZeroU32,
    /// Seconds one run may take before it is stopped and counted as failed (default 300).
    #[serde(default = "default_benchmark_timeout")]
    pub timeout: Positive,
    /// Extra environment variables of the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working folder, relative to the repository root (default: the root).
    #[serde(default)]
    pub cwd: Option<String>,
    /// Operations one run performs, for throughput (default 1).
    #[serde(default = "default_ops_per_run")]
    pub ops_per_run: Positive,
    /// Memory budget of this benchmark; overrides `performance.memory_budget`.
    #[serde(default)]
    pub memory_budget: Option<ByteSize>,
}

fn default_warmup() -> u32 {
    1
}

fn default_runs() -> std::num::NonZeroU32 {
    std::num::NonZeroU32::new(10).unwrap_or(std::num::NonZeroU32::MIN)
}

fn default_benchmark_timeout() -> Positive {
    Positive(300.0)
}

fn default_ops_per_run() -> Positive {
    Positive(1.0)
}

fn non_empty_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "the name must not be empty; it names the benchmark in reports and metrics",
        ));
    }
    Ok(s)
}

/// A benchmark's command: a shell line or an argument list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum BenchmarkCommand {
    /// Run by `/bin/sh -c`.
    Shell(String),
    /// Program and arguments, run without a shell.
    Argv(Vec<String>),
}

impl<'de> Deserialize<'de> for BenchmarkCommand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = BenchmarkCommand;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a command line or a list of program and arguments")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim().is_empty() {
                    return Err(E::custom("the command is empty"));
                }
                Ok(BenchmarkCommand::Shell(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut args = Vec::new();
                while let Some(a) = seq.next_element::<String>()? {
                    args.push(a);
                }
                if args.first().is_none_or(|p| p.is_empty()) {
                    return Err(serde::de::Error::custom(
                        "the command list must start with a program name",
                    ));
                }
                Ok(BenchmarkCommand::Argv(args))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A finite number greater than 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Positive(pub f64);

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is impossible here; use a number greater than 0"
            )))
        }
    }
}

/// A result file of another benchmark tool (`performance.imports[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkImport {
    /// Path relative to the repository root (read even when git-ignored), or a glob over the
    /// files the walk sees.
    pub path: String,
    /// Format; decided from the content when omitted (custom JSON always needs it).
    #[serde(default)]
    pub format: Option<BenchmarkFormat>,
}

/// Formats of benchmark results vigil imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BenchmarkFormat {
    /// criterion's `estimates.json` / `sample.json` (a folder or one of its files).
    Criterion,
    /// `hyperfine --export-json`.
    Hyperfine,
    /// `pytest --benchmark-json` or a `.benchmarks/` save.
    PytestBenchmark,
    /// `go test -bench` text output.
    GoBench,
    /// `cargo bench` text output of the libtest harness.
    CargoBench,
    /// github-action-benchmark custom JSON, smaller values are better.
    CustomSmallerIsBetter,
    /// github-action-benchmark custom JSON, bigger values are better.
    CustomBiggerIsBetter,
}

/// How a slowdown against the baseline is judged (`performance.regression`). The slowdown
/// threshold is the `regression_pct` gate's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegressionConfig {
    /// Significance level: a change counts only when Welch's t-test gives a p-value below it
    /// (default 0.05).
    pub alpha: Probability,
    /// Least samples on each side for a test; fewer means "insufficient history" (default 5).
    #[serde(deserialize_with = "at_least_two")]
    pub min_samples: u32,
    /// Consecutive runs that must breach the threshold before a regression is reported
    /// (default 1: the first breach).
    pub confirmations: std::num::NonZeroU32,
    /// Branch whose latest run is the baseline when the merge-base has no run (default: the
    /// remote's HEAD branch, else `main` or `master`).
    pub default_branch: Option<String>,
    /// criterion baseline used when history has no run (default `base`; `cargo bench --
    /// --save-baseline NAME` saves others).
    pub criterion_baseline: String,
}

impl Default for RegressionConfig {
    fn default() -> Self {
        Self {
            alpha: Probability(0.05),
            min_samples: 5,
            confirmations: std::num::NonZeroU32::MIN,
            default_branch: None,
            criterion_baseline: "base".to_owned(),
        }
    }
}

fn at_least_two<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n < 2 {
        return Err(serde::de::Error::custom(format!(
            "{n} is too few; a test needs at least 2 samples on each side"
        )));
    }
    Ok(n)
}

/// A probability strictly between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probability(pub f64);

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v > 0.0 && v < 1.0 {
            Ok(Self(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is not a probability; use a number between 0 and 1, e.g. 0.05"
            )))
        }
    }
}
