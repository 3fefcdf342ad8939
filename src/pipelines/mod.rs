//! Checks, the interface they share, and the single ordered registry of them.
//!
//! A check is one module under `src/pipelines/<pipeline>/`. It declares its rules as data
//! ([`RuleMeta`]), is built once per run from the validated configuration (it may decline to
//! run with a reason, e.g. offline or no database), and then receives:
//!
//! * every file it [`wants`](Check::wants) from the shared walk — the walk reads each file once
//!   and offers the same bytes to every interested check ([`Check::check_file`]);
//! * one call after the walk with the whole [`FileIndex`](crate::walk::FileIndex) for
//!   repository-wide facts ([`Check::check_repo`]).
//!
//! Checks never read files on their own and never apply suppressions, severity overrides or
//! gates: the runner does that once for all of them.

pub mod documentation;
pub mod integration;
pub mod performance;
pub mod quality;
pub mod security;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::config::Config;
use crate::model::{Finding, Hotspot, Location, Metric, Pipeline, Severity};
use crate::walk::{FileIndex, SourceFile};

/// Base URL of the rule documentation; a rule's help URI is this plus `#<rule-id>`.
pub const DOCS_BASE: &str = "https://github.com/vigil-ci/vigil/blob/main/docs/rules.md";

/// Static description of one rule a check can emit.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Kebab-case id, forever stable.
    pub id: &'static str,
    /// Short human title.
    pub name: &'static str,
    /// Pipeline the rule reports into.
    pub pipeline: Pipeline,
    /// Severity before config overrides.
    pub default_severity: Severity,
    /// One-line description.
    pub summary: &'static str,
    /// Markdown docs of the check that owns the rule (sections per rule).
    pub docs: &'static str,
}

impl RuleMeta {
    /// URL of the rule's documentation.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}#{}", self.id)
    }

    /// The rule's own section of its check's docs: from `## <id>` to the next `## `.
    pub fn doc_section(&self) -> &'static str {
        section_of(self.docs, self.id).unwrap_or(self.docs)
    }

    /// Start a finding of this rule with its id, pipeline and default severity filled in.
    ///
    /// The fingerprint is derived from the rule, the path and `identity` — a content-based key
    /// the check chooses (e.g. the trimmed line text), never a line number, so it survives
    /// unrelated lines moving.
    pub fn finding(
        &self,
        message: impl Into<String>,
        location: Option<Location>,
        identity: &str,
    ) -> Finding {
        let path = location.as_ref().map_or("", |l| l.path.as_str());
        Finding {
            rule_id: self.id.to_owned(),
            pipeline: self.pipeline,
            severity: self.default_severity,
            message: message.into(),
            fingerprint: fingerprint(self.id, path, identity),
            location,
            related: Vec::new(),
            help: None,
            tool: None,
            suppression: None,
            properties: BTreeMap::new(),
        }
    }
}

/// Text of the `## <id>` section of a Markdown document, if present.
fn section_of<'a>(docs: &'a str, id: &str) -> Option<&'a str> {
    let heading = format!("## {id}");
    let start = docs
        .match_indices(&heading)
        .find(|(i, _)| {
            (*i == 0 || docs.as_bytes()[i - 1] == b'\n')
                && docs[i + heading.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == '\n' || c == '\r')
        })
        .map(|(i, _)| i)?;
    let rest = &docs[start + heading.len()..];
    let end = rest
        .find("\n## ")
        .map_or(docs.len(), |e| start + heading.len() + e + 1);
    Some(docs[start..end].trim_end())
}

/// Stable fingerprint: SHA-256 over rule, path and a content identity, hex, 32 chars.
pub fn fingerprint(rule: &str, path: &str, identity: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Run-wide facts a check may read while it is built and while it runs.
#[derive(Debug)]
pub struct CheckContext<'a> {
    /// Root of the repository being checked.
    pub root: &'a Path,
    /// Validated configuration.
    pub config: &'a Config,
    /// `--offline`: never touch the network.
    pub offline: bool,
    /// `--git-history`: also scan the lines added by every commit.
    pub git_history: bool,
    /// `--online`: checks may query network services; always false with `--offline`.
    pub online: bool,
    /// `--diff-base`: git revision whose merge-base with HEAD starts the change under review.
    pub diff_base: Option<&'a str>,
    /// `--advisory-db`, `--osv-db`, `--fetch-advisories`.
    pub advisories: security::deps::AdvisoryOptions,
    /// Folder where checks keep results between runs (`<out>/cache`); `None`: no cache.
    pub cache_dir: Option<&'a Path>,
}

impl<'a> CheckContext<'a> {
    /// A context with every option at its default (no network, no history, no diff base);
    /// set the rest with struct update syntax: `CheckContext { online: true, ..CheckContext::new(root, &config) }`.
    pub fn new(root: &'a Path, config: &'a Config) -> Self {
        Self {
            root,
            config,
            offline: false,
            git_history: false,
            online: false,
            diff_base: None,
            advisories: security::deps::AdvisoryOptions::default(),
            cache_dir: None,
        }
    }
}

/// Where a check's hooks put what they found.
#[derive(Debug, Default)]
pub struct Sink {
    /// Findings produced.
    pub findings: Vec<Finding>,
    /// Metrics produced (summed by name when several hooks report the same name).
    pub metrics: Vec<Metric>,
    /// The most complex functions, most complex first, for the pipeline's hotspot table.
    pub hotspots: Vec<Hotspot>,
    /// Remarks for the check's entry in the report (e.g. why an optional part did not run).
    pub notes: Vec<String>,
    /// Set when the check found nothing to work on (e.g. no coverage report): the runner
    /// records it as skipped with this reason instead of as a silent pass.
    pub skipped: Option<String>,
}

impl Sink {
    /// Add a remark for the check's entry in the report.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Declare that the check had nothing to work on, and why.
    pub fn skip(&mut self, reason: impl Into<String>) {
        self.skipped = Some(reason.into());
    }

    /// Add a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Add a metric.
    pub fn metric(&mut self, metric: Metric) {
        self.metrics.push(metric);
    }

    /// Add a hotspot (callers add them most complex first).
    pub fn hotspot(&mut self, hotspot: Hotspot) {
        self.hotspots.push(hotspot);
    }

    /// Move everything from `other` into `self`.
    pub fn append(&mut self, other: &mut Self) {
        move_all(&mut self.findings, &mut other.findings);
        self.metrics.append(&mut other.metrics);
        self.hotspots.append(&mut other.hotspots);
        self.notes.append(&mut other.notes);
        if self.skipped.is_none() {
            self.skipped = other.skipped.take();
        }
    }
}

/// Move every item of `src` to the end of `dst`, leaving `src` empty. Into an empty `dst`
/// the buffers are swapped: tens of thousands of findings are not copied again.
pub(crate) fn move_all<T>(dst: &mut Vec<T>, src: &mut Vec<T>) {
    if dst.is_empty() {
        std::mem::swap(dst, src);
    } else {
        dst.append(src);
    }
}

/// A check built for one run. Implement only the hooks you need.
pub trait Check: Send + Sync {
    /// Whether the walk should hand this file to [`check_file`](Check::check_file).
    fn wants(&self, _path: &str) -> bool {
        false
    }

    /// Called once for each wanted, readable, non-binary file, possibly on several threads.
    fn check_file(&self, _file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        Ok(())
    }

    /// Called once after the walk with the index of every file seen.
    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        _sink: &mut Sink,
    ) -> Result<()> {
        Ok(())
    }
}

/// What building a check gave.
pub enum Built {
    /// Ready to run.
    Ready(Box<dyn Check>),
    /// Declines to run this time, with the reason shown in the report.
    Skipped(String),
}

/// Registry entry: a check's identity, rules, docs and constructor.
#[derive(Clone, Copy)]
pub struct CheckSpec {
    /// Check id (kebab-case), e.g. `markers`.
    pub id: &'static str,
    /// Pipeline it belongs to.
    pub pipeline: Pipeline,
    /// Rules it can emit.
    pub rules: &'static [RuleMeta],
    /// Its Markdown docs (the `<check>.md` beside it).
    pub docs: &'static str,
    /// Build the check for this run.
    pub build: fn(&CheckContext<'_>) -> Result<Built>,
}

impl std::fmt::Debug for CheckSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckSpec").field("id", &self.id).finish()
    }
}

/// Every check vigil has, in the order of `vigil explain --list` and SARIF rules.
pub static REGISTRY: &[CheckSpec] = &[
    security::hygiene::SPEC,
    security::secrets::SPEC,
    security::deps::SPEC,
    security::workflows::SPEC,
    security::dockerfile::SPEC,
    quality::markers::SPEC,
    quality::loc::SPEC,
    quality::complexity::SPEC,
    quality::duplication::SPEC,
    quality::coverage::SPEC,
    quality::imported::SPEC,
    documentation::links::SPEC,
    documentation::references::SPEC,
    documentation::external::SPEC,
    documentation::api_docs::SPEC,
    documentation::freshness::SPEC,
    performance::benchmarks::SPEC,
    performance::host::SPEC,
    integration::commands::SPEC,
    integration::junit::SPEC,
    integration::metrics::SPEC,
    integration::service::SPEC,
    integration::readiness::SPEC,
];

/// Every rule: those of every registered check in registry order, then the policy's own.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY
        .iter()
        .flat_map(|c| c.rules.iter())
        .chain(crate::suppress::RULES.iter())
}

/// Look up a rule by id.
pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    all_rules().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut seen = BTreeSet::new();
        for r in all_rules() {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "rule id {} is not kebab-case",
                r.id
            );
        }
        assert!(seen.len() >= 2);
    }

    #[test]
    fn every_rule_has_docs_with_all_sections() {
        for r in all_rules() {
            let section = section_of(r.docs, r.id)
                .unwrap_or_else(|| panic!("rule {} has no `## {}` section", r.id, r.id));
            for part in [
                "What it finds",
                "Why it matters",
                "How to fix",
                "Example",
                "Suppress",
            ] {
                assert!(
                    section.contains(part),
                    "docs of rule {} lack the section `{part}`",
                    r.id
                );
            }
        }
    }

    #[test]
    fn every_check_has_a_fixture_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for c in REGISTRY {
            let dir = root.join(c.pipeline.as_str()).join(c.id);
            assert!(dir.is_dir(), "check {} has no fixture folder {dir:?}", c.id);
        }
    }

    #[test]
    fn fingerprint_ignores_line_numbers() {
        let a = fingerprint("todo-marker", "src/a.rs", "// TODO: x");
        let b = fingerprint("todo-marker", "src/a.rs", "// TODO: x");
        let c = fingerprint("todo-marker", "src/b.rs", "// TODO: x");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn section_stops_at_next_rule() {
        let docs = "# x\n\n## a-rule\nalpha\n\n## a-rule-two\nbeta\n";
        assert_eq!(section_of(docs, "a-rule"), Some("## a-rule\nalpha"));
        assert_eq!(section_of(docs, "a-rule-two"), Some("## a-rule-two\nbeta"));
        assert_eq!(section_of(docs, "missing"), None);
    }
}
