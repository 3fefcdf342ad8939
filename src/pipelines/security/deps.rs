//! Vulnerable dependencies: locked package versions matched against advisory databases.
//!
//! The shared walk hands every lockfile to `DepsCheck::check_file`, which parses it (one
//! parser per format under `deps/`) and keeps the packages; the databases are loaded and the
//! packages matched once, in `DepsCheck::check_repo`. Sources, any combination of:
//!
//! * the RustSec advisory database (`--advisory-db DIR`, `security.deps.advisory_db`, or the
//!   copy `--fetch-advisories` keeps in the cache folder) for `Cargo.lock`, read with the
//!   `rustsec` crate, including its unmaintained and unsound advisories;
//! * a local folder of OSV advisories (`--osv-db DIR`, `security.deps.osv_db`) for every
//!   ecosystem: npm, PyPI, Go and crates.io;
//! * with `--online`, the OSV API, and the crates.io index for yanked crates.
//!
//! `--offline` never touches the network: no fetch, no API. Without any source the check is
//! skipped with a note saying how to provide one — a silent pass would read as "no
//! vulnerabilities". A repository without lockfiles runs and reports zero packages. A
//! lockfile that cannot be read is a finding, never a failure of the check. The same issue
//! found in several sources (an id of one is an alias of another) is reported once, RustSec
//! first. Advisories listed in `security.deps.ignore` are reported as suppressed, with the
//! reason given, and counted.

mod advisory;
mod cargo_lock;
mod fetch;
mod go_sum;
mod json_lines;
mod lockfile;
mod npm_lock;
mod online;
mod osv;
mod pnpm_lock;
mod poetry_lock;
mod report;
mod requirements;
mod rustsec_db;
mod sources;
mod toml_lock;
mod uv_lock;
mod version;
mod yaml_lines;
mod yarn_lock;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use crate::config::schema::IgnoredAdvisory;
use crate::model::{Metric, Pipeline, Severity, Suppression};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, FileKind, SourceFile};

use self::advisory::{Hit, Kind};
use self::lockfile::{Format, Parsed};
use self::sources::Sources;

const DOCS: &str = include_str!("deps.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "vulnerable-dependency",
        name: "Vulnerable dependency",
        pipeline: Pipeline::Security,
        default_severity: Severity::High,
        summary: "A locked dependency version is affected by a published security advisory.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unmaintained-dependency",
        name: "Unmaintained dependency",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "A locked dependency is reported as unmaintained by an advisory.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unsound-dependency",
        name: "Unsound dependency",
        pipeline: Pipeline::Security,
        default_severity: Severity::Medium,
        summary: "A locked Rust dependency can cause undefined behaviour from safe code.",
        docs: DOCS,
    },
    RuleMeta {
        id: "yanked-dependency",
        name: "Yanked dependency",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "A locked crate version was yanked from crates.io (checked with --online).",
        docs: DOCS,
    },
    RuleMeta {
        id: "unparseable-lockfile",
        name: "Unreadable lockfile",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "A lockfile could not be read, so its dependencies were not checked.",
        docs: DOCS,
    },
    RuleMeta {
        id: "unpinned-requirements",
        name: "Unpinned Python requirements",
        pipeline: Pipeline::Security,
        default_severity: Severity::Info,
        summary: "Requirements not pinned with `==` cannot be checked for advisories.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "deps",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: distinct locked packages (per lockfile) with at least one vulnerability.
pub const METRIC_VULNERABLE: &str = "security.vulnerable_dependencies";
/// Metric: locked registry packages checked.
pub const METRIC_SCANNED: &str = "security.dependencies_scanned";
/// Metric: advisory matches suppressed by `security.deps.ignore`.
pub const METRIC_IGNORED: &str = "security.advisories_ignored";

/// Note of the skipped check when no advisory source is available.
const NO_DATABASE: &str = "no advisory database: pass --advisory-db DIR / --osv-db DIR or \
                           --fetch-advisories, or --online";

/// Advisory sources named on the command line (`--advisory-db`, `--osv-db`,
/// `--fetch-advisories`); they take precedence over `security.deps`.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryOptions {
    /// `--advisory-db DIR`: RustSec advisory database folder.
    pub advisory_db: Option<PathBuf>,
    /// `--osv-db DIR`: folder of OSV advisories.
    pub osv_db: Option<PathBuf>,
    /// `--fetch-advisories`: clone or update the RustSec database before checking.
    pub fetch: bool,
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let sources = match Sources::resolve(ctx)? {
        Ok(sources) => sources,
        Err(note) => return Ok(Built::Skipped(note)),
    };
    Ok(Built::Ready(Box::new(DepsCheck {
        sources,
        ignore: ctx.config.security.deps.ignore.clone(),
        lockfiles: Mutex::new(Vec::new()),
    })))
}

/// One lockfile the walk handed over, parsed.
struct Lockfile {
    path: String,
    parsed: Result<Parsed, String>,
}

/// Finds vulnerable, unmaintained, unsound and yanked locked dependencies.
struct DepsCheck {
    sources: Sources,
    ignore: Vec<IgnoredAdvisory>,
    lockfiles: Mutex<Vec<Lockfile>>,
}

impl DepsCheck {
    /// The ignore-list entry that matches `hit`, by id or alias.
    fn ignored(&self, hit: &Hit) -> Option<&IgnoredAdvisory> {
        self.ignore
            .iter()
            .find(|i| i.id == hit.id || hit.aliases.contains(&i.id))
    }
}

impl Check for DepsCheck {
    fn wants(&self, path: &str) -> bool {
        Format::of(path).is_some()
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let Some(format) = Format::of(file.path) else {
            return Ok(());
        };
        let parsed = match std::str::from_utf8(file.bytes) {
            Ok(text) => lockfile::parse(format, text),
            Err(e) => Err(format!(
                "not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            )),
        };
        let entry = Lockfile {
            path: file.path.to_owned(),
            parsed,
        };
        self.lockfiles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(entry);
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut lockfiles = std::mem::take(
            &mut *self
                .lockfiles
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for f in index.find(|p| Format::of(p).is_some()) {
            let why = match f.kind {
                FileKind::Huge => format!(
                    "{} bytes is over the size limit; raise paths.max_file_size to check it",
                    f.size
                ),
                FileKind::Binary => "it looks binary (contains a NUL byte)".to_owned(),
                _ => continue,
            };
            lockfiles.push(Lockfile {
                path: f.path.clone(),
                parsed: Err(why),
            });
        }
        lockfiles.sort_by(|a, b| a.path.cmp(&b.path));

        let mut readable: Vec<(&str, &Parsed)> = Vec::new();
        for l in &lockfiles {
            match &l.parsed {
                Ok(p) => readable.push((&l.path, p)),
                Err(why) => sink.push(report::unparseable(&l.path, why)),
            }
        }
        for (path, parsed) in &readable {
            if !parsed.unpinned.is_empty() {
                sink.push(report::unpinned(path, &parsed.unpinned));
            }
        }
        let scanned: usize = readable.iter().map(|(_, p)| p.packages.len()).sum();
        let mut vulnerable = 0usize;
        let mut ignored = 0usize;
        if scanned > 0 {
            let hits = self.sources.match_all(&readable, &mut sink.notes)?;
            for ((path, parsed), per_package) in readable.iter().zip(&hits) {
                for (package, hits) in parsed.packages.iter().zip(per_package) {
                    let mut is_vulnerable = false;
                    for hit in hits {
                        let mut finding = report::advisory(path, package, hit);
                        if let Some(entry) = self.ignored(hit) {
                            // Kept, marked suppressed: SARIF shows it as accepted, with the
                            // reason, and no gate counts it.
                            ignored += 1;
                            finding.suppression = Some(Suppression::Config {
                                reason: entry.reason.clone(),
                                owner: None,
                                until: None,
                            });
                        } else {
                            is_vulnerable |= hit.kind == Kind::Vulnerability;
                        }
                        sink.push(finding);
                    }
                    vulnerable += usize::from(is_vulnerable);
                }
            }
            let has_crates = readable
                .iter()
                .flat_map(|(_, p)| p.packages.iter())
                .any(|p| p.ecosystem == lockfile::Ecosystem::CratesIo);
            match &self.sources.online {
                Some((_, index_url)) => self.report_yanked(index_url, &readable, sink)?,
                None if has_crates => {
                    sink.note(
                        "yanked crates not checked: that needs the crates.io index (--online)",
                    );
                }
                None => {}
            }
        }
        sink.metric(Metric::new(METRIC_SCANNED, scanned as f64, "count"));
        sink.metric(Metric::new(METRIC_VULNERABLE, vulnerable as f64, "count"));
        sink.metric(Metric::new(METRIC_IGNORED, ignored as f64, "count"));
        Ok(())
    }
}

impl DepsCheck {
    /// `yanked-dependency` findings for the crates.io packages of `Cargo.lock` files.
    fn report_yanked(
        &self,
        index_url: &str,
        lockfiles: &[(&str, &Parsed)],
        sink: &mut Sink,
    ) -> Result<()> {
        let crates: Vec<(&str, &str)> = lockfiles
            .iter()
            .flat_map(|(_, p)| p.packages.iter())
            .filter(|p| p.ecosystem == lockfile::Ecosystem::CratesIo)
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if crates.is_empty() {
            return Ok(());
        }
        let yanked = online::yanked(index_url, &crates)?;
        for (path, parsed) in lockfiles {
            for p in &parsed.packages {
                if p.ecosystem == lockfile::Ecosystem::CratesIo
                    && yanked.contains(&(p.name.clone(), p.version.clone()))
                {
                    sink.push(report::yanked(path, p));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
