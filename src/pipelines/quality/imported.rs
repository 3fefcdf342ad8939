//! Findings imported from other tools: SARIF 2.1.0, `cargo clippy --message-format json` and
//! `eslint -f json`.
//!
//! **Which files.** Every `*.sarif` / `*.sarif.json` file the walk sees (unless
//! `quality.imports.auto_detect` is false), plus the files listed under `quality.imports.sarif`,
//! `.clippy` and `.eslint` (paths or globs). Listed paths the walk did not offer — lint output
//! is often git-ignored — are read by the repository hook, as for coverage reports (see
//! `coverage::inputs` for why). vigil's own SARIF (driver `vigil`) is never
//! imported back, and the walk never enters the report folder.
//!
//! **Rule ids.** An imported finding's rule id is `<tool>/<rule>`: `ruff/F401`,
//! `clippy/needless_return`, `rustc/unused_variables`, `eslint/no-unused-vars`. vigil's own ids
//! are kebab-case without `/`, so imported ids can never collide with them, and they stay valid
//! SARIF `ruleId`s (the SARIF renderer synthesizes a rule for each from the finding's `tool`).
//! The tool part is the SARIF driver name in lower case with anything but letters, digits, `.`,
//! `_` and `-` turned into `-`; clippy output yields `clippy/…` for Clippy lints and `rustc/…`
//! for compiler diagnostics (`rustc/E0308`). `Finding::tool` holds the tool name as the file
//! wrote it (`ruff`, `CodeQL`) or `clippy` / `eslint`. Per-rule overrides and suppressions work
//! on these ids like on any other.
//!
//! **Severity.** error → high, warning → medium, note → low, none → info (SARIF `level`, or the
//! rule's default level; clippy's level; eslint 2 / 1). A SARIF rule with a
//! `security-severity` property is ranked by it instead, as GitHub code scanning does (≥ 9
//! critical, ≥ 7 high, ≥ 4 medium, else low).
//!
//! **Fingerprints** hash tool rule, path and a content identity: the SARIF result's
//! `partialFingerprints` (else `fingerprints`, else its region snippet), the source line clippy
//! and eslint quote, and the message when nothing better exists. Without line text a message
//! identifies a finding only up to repeats in the same file; the runner then numbers the
//! repeats, so such fingerprints can shift when an identical finding is added above.
//!
//! Results the tool itself suppressed (SARIF `suppressions`), results of kind `pass` or
//! `notApplicable`, results whose `baselineState` is `absent`, and results on files outside the
//! repository are left out and counted in the check's notes. Identical findings (clippy reports
//! a lint once per target) are kept once. Imported findings join the quality pipeline and count
//! in its score and gates like any other.

pub(crate) mod clippy;
pub(crate) mod eslint;
pub(crate) mod sarif;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use super::coverage::data::ParseError;
use super::coverage::inputs::Selection;
use super::coverage::paths::PathResolver;
use crate::model::{Finding, Location, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink, fingerprint};
use crate::walk::{FileIndex, FileKind, SourceFile};

const DOCS: &str = include_str!("imported.md");

/// Rules of this check (the imported findings carry their tools' own rule ids).
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "unparseable-import",
    name: "Unparseable imported report",
    pipeline: Pipeline::Quality,
    default_severity: Severity::High,
    summary: "A SARIF, clippy or eslint output file could not be read, so its findings are missing.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "imported",
    pipeline: Pipeline::Quality,
    rules: RULES,
    docs: DOCS,
    build,
};

/// The kinds of tool output this check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// SARIF 2.1.0.
    Sarif,
    /// `cargo clippy --message-format json` (JSON lines).
    Clippy,
    /// `eslint -f json`.
    Eslint,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Sarif => "SARIF",
            Self::Clippy => "clippy JSON",
            Self::Eslint => "eslint JSON",
        }
    }
}

/// One finding as another tool reported it, before paths are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Imported {
    /// Tool name as the file writes it (`ruff`, `CodeQL`, `clippy`, `eslint`).
    pub(crate) tool: String,
    /// Namespace of the rule id (`ruff`, `clippy`, `rustc`, `eslint`), already a slug.
    pub(crate) namespace: String,
    /// The tool's own rule id (`F401`, `needless_return`).
    pub(crate) rule: String,
    /// Mapped severity.
    pub(crate) severity: Severity,
    /// The tool's message.
    pub(crate) message: String,
    /// File path or URI as written, when the finding has a location.
    pub(crate) path: Option<String>,
    /// Folders a relative `path` is relative to (SARIF `uriBaseId`), tried in order.
    pub(crate) roots: Vec<String>,
    /// Lines and columns.
    pub(crate) region: Option<Region>,
    /// Content identity for the fingerprint, when the tool gives one.
    pub(crate) identity: Option<String>,
    /// How to fix it, when the tool says.
    pub(crate) help: Option<String>,
    /// Documentation of the tool's rule.
    pub(crate) help_uri: Option<String>,
}

/// What parsing one file gave.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The findings.
    pub(crate) items: Vec<Imported>,
    /// Results left out on purpose, with the reason (e.g. `suppressed in the SARIF`).
    pub(crate) left_out: BTreeMap<&'static str, usize>,
    /// Tool names seen, for the notes.
    pub(crate) tools: BTreeSet<String>,
}

/// `error` → high, `warning` → medium, `note` → low, anything else → info.
pub(crate) fn severity_of_level(level: &str) -> Severity {
    match level.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        _ => Severity::Info,
    }
}

/// A tool name as a rule-id namespace: lower case, `[a-z0-9._-]`, no leading or trailing `-`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "tool".to_owned()
    } else {
        out
    }
}

/// `line` of `text` (1-based), trimmed; for content identities.
pub(crate) fn line_text(text: &str, line: u32) -> Option<&str> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    text.lines()
        .nth(idx)
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.quality.imports;
    Ok(Built::Ready(Box::new(ImportedCheck {
        root: ctx.root.to_path_buf(),
        lists: [
            (
                Kind::Sarif,
                Selection::new("quality.imports.sarif", &cfg.sarif)?,
            ),
            (
                Kind::Clippy,
                Selection::new("quality.imports.clippy", &cfg.clippy)?,
            ),
            (
                Kind::Eslint,
                Selection::new("quality.imports.eslint", &cfg.eslint)?,
            ),
        ],
        auto_detect: cfg.auto_detect,
        reads: Mutex::new(Vec::new()),
    })))
}

/// Whether `path` is named like a SARIF file.
fn is_sarif_name(path: &str) -> bool {
    // Called for every file of the walk: compare bytes, allocate nothing.
    let ends_with = |suffix: &str| {
        let (p, s) = (path.as_bytes(), suffix.as_bytes());
        p.len() >= s.len() && p[p.len() - s.len()..].eq_ignore_ascii_case(s)
    };
    ends_with(".sarif") || ends_with(".sarif.json")
}

/// One file and what it gave.
#[derive(Debug)]
struct Read {
    path: String,
    in_repo: bool,
    kind: Kind,
    outcome: std::result::Result<Parsed, ParseError>,
}

/// Imports findings from other tools' output.
struct ImportedCheck {
    root: PathBuf,
    lists: [(Kind, Selection); 3],
    auto_detect: bool,
    reads: Mutex<Vec<Read>>,
}

impl ImportedCheck {
    /// The kind of output `path` is configured or named as.
    fn kind_of(&self, path: &str) -> Option<Kind> {
        self.lists
            .iter()
            .find(|(_, s)| s.matches(path))
            .map(|(k, _)| *k)
            .or_else(|| (self.auto_detect && is_sarif_name(path)).then_some(Kind::Sarif))
    }
}

fn parse(kind: Kind, bytes: &[u8]) -> std::result::Result<Parsed, ParseError> {
    match kind {
        Kind::Sarif => sarif::parse(bytes),
        Kind::Clippy => clippy::parse(&String::from_utf8_lossy(bytes)),
        Kind::Eslint => eslint::parse(bytes),
    }
}

impl Check for ImportedCheck {
    fn wants(&self, path: &str) -> bool {
        self.kind_of(path).is_some()
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let Some(kind) = self.kind_of(file.path) else {
            return Ok(());
        };
        let read = Read {
            path: file.path.to_owned(),
            in_repo: true,
            kind,
            outcome: parse(kind, file.bytes),
        };
        self.reads
            .lock()
            .map_err(|_| anyhow::anyhow!("import state poisoned by a panic"))?
            .push(read);
        Ok(())
    }

    fn check_repo(&self, ctx: &CheckContext<'_>, index: &FileIndex, sink: &mut Sink) -> Result<()> {
        let mut reads = std::mem::take(
            &mut *self
                .reads
                .lock()
                .map_err(|_| anyhow::anyhow!("import state poisoned by a panic"))?,
        );
        let offered: BTreeSet<String> = reads.iter().map(|r| r.path.clone()).collect();
        let mut notes = Vec::new();
        for (kind, selection) in &self.lists {
            for outside in selection.read_outside(&self.root, index, &offered)? {
                let outcome = match &outside.bytes {
                    Ok(bytes) => parse(*kind, bytes),
                    Err(why) => Err(ParseError::whole(why.clone())),
                };
                reads.push(Read {
                    path: outside.display,
                    in_repo: outside.in_repo,
                    kind: *kind,
                    outcome,
                });
            }
            for glob in selection.unmatched_globs(index) {
                notes.push(format!(
                    "`{glob}` ({}) matches no file the walk saw (globs do not see git-ignored \
                     files; list such a file by its path)",
                    kind.name()
                ));
            }
        }
        reads.sort_by(|a, b| a.path.cmp(&b.path));
        let huge: Vec<&str> = index
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Huge && self.wants(&f.path))
            .filter(|f| !reads.iter().any(|r| r.path == f.path))
            .map(|f| f.path.as_str())
            .collect();
        if !huge.is_empty() {
            notes.push(format!(
                "not read, larger than paths.max_file_size: {} (list a file under \
                 quality.imports to read it regardless of size)",
                huge.join(", ")
            ));
        }
        if reads.is_empty() {
            sink.skip(
                "nothing to import: no *.sarif file in the tree and none listed under \
                 quality.imports (sarif, clippy, eslint)",
            );
            for n in notes {
                sink.note(n);
            }
            return Ok(());
        }

        let resolver = PathResolver::new(ctx.root, index);
        let mut seen: BTreeSet<(String, Option<Location>, String)> = BTreeSet::new();
        let mut left_out: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut summary = Vec::new();
        for read in &reads {
            let parsed = match &read.outcome {
                Ok(p) => p,
                Err(err) => {
                    sink.push(unparseable(read, err));
                    continue;
                }
            };
            for (why, n) in &parsed.left_out {
                *left_out.entry(why).or_default() += n;
            }
            let mut count = 0usize;
            for item in &parsed.items {
                let Some(finding) = to_finding(item, &resolver) else {
                    *left_out
                        .entry("on files outside this repository")
                        .or_default() += 1;
                    continue;
                };
                let key = (
                    finding.rule_id.clone(),
                    finding.location.clone(),
                    finding.message.clone(),
                );
                if seen.insert(key) {
                    sink.push(finding);
                    count += 1;
                }
            }
            let tools = parsed.tools.iter().cloned().collect::<Vec<_>>().join(", ");
            summary.push(if tools.is_empty() {
                format!("{}: {count}", read.path)
            } else {
                format!("{} ({tools}): {count}", read.path)
            });
        }
        if !summary.is_empty() {
            notes.insert(0, format!("imported findings from {}", summary.join(", ")));
        }
        for (why, n) in left_out {
            notes.push(format!("{n} result(s) left out: {why}"));
        }
        for n in notes {
            sink.note(n);
        }
        Ok(())
    }
}

/// The finding for an imported item; `None` when its file is not in the repository.
fn to_finding(item: &Imported, resolver: &PathResolver<'_>) -> Option<Finding> {
    let location = match &item.path {
        None => None,
        Some(raw) => Some(Location {
            path: resolver.resolve(raw, &item.roots)?,
            region: item.region.clone(),
        }),
    };
    let rule_id = format!("{}/{}", item.namespace, item.rule);
    let path = location.as_ref().map_or("", |l| l.path.as_str());
    let identity = item.identity.as_deref().unwrap_or(&item.message);
    let mut properties = BTreeMap::new();
    if let Some(uri) = &item.help_uri {
        properties.insert("help_uri".to_owned(), serde_json::Value::from(uri.clone()));
    }
    Some(Finding {
        fingerprint: fingerprint(&rule_id, path, identity),
        rule_id,
        pipeline: Pipeline::Quality,
        severity: item.severity,
        message: item.message.clone(),
        location,
        related: Vec::new(),
        help: item.help.clone(),
        tool: Some(item.tool.clone()),
        suppression: None,
        properties,
    })
}

fn unparseable(read: &Read, err: &ParseError) -> Finding {
    let location = read.in_repo.then(|| Location {
        path: read.path.clone(),
        region: err
            .line
            .map(|l| Region::line(u32::try_from(l).unwrap_or(u32::MAX))),
    });
    let mut f = RULES[0].finding(
        format!(
            "{} file `{}` cannot be read: {err}",
            read.kind.name(),
            read.path
        ),
        location,
        &format!("{}:{}", read.path, read.kind.name()),
    );
    f.help = Some(
        "Regenerate the file with the tool (JSON output must not be mixed with other output), \
         or stop listing it under quality.imports."
            .to_owned(),
    );
    f
}

#[cfg(test)]
mod tests;
