//! OSV-format advisories: the schema subset vigil reads, a loader for a local database folder,
//! and matching of locked packages against them.
//!
//! A database folder is read recursively: every `*.json`, `*.yaml` and `*.yml` file is one
//! advisory (the layout of osv.dev exports, the PyPA advisory database and the GitHub advisory
//! database); hidden folders such as `.git` and `.github` are skipped. A file that is not a
//! valid advisory is an error naming it. Withdrawn advisories are dropped at load time, and so
//! are affected entries of ecosystems vigil does not read.
//!
//! An affected entry matches a version when the version is in its explicit `versions` list or
//! inside one of its `SEMVER` or `ECOSYSTEM` ranges (see [`super::version`]); `GIT` ranges
//! name commits, not releases, and are skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::advisory::{Hit, Kind, Origin, decide_severity};
use super::lockfile::{Ecosystem, Package};
use super::version::{Event, Scheme, Version, listed, range_affects};

/// One OSV advisory, as much of the schema as matching and reporting need.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Advisory {
    /// Advisory id.
    pub(crate) id: String,
    /// Last modification time (RFC 3339), used to validate caches.
    #[serde(default)]
    pub(crate) modified: Option<Value>,
    /// Set when the advisory was withdrawn.
    #[serde(default)]
    withdrawn: Option<Value>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    affected: Option<Vec<Affected>>,
    #[serde(default)]
    severity: Option<Vec<SeverityScore>>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct Affected {
    #[serde(default)]
    package: Option<AffectedPackage>,
    #[serde(default)]
    ranges: Option<Vec<Range>>,
    #[serde(default)]
    versions: Option<Vec<Value>>,
    #[serde(default)]
    severity: Option<Vec<SeverityScore>>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct AffectedPackage {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<HashMap<String, Value>>,
}

#[derive(Debug, Clone, Deserialize)]
struct SeverityScore {
    #[serde(rename = "type")]
    kind: String,
    score: Value,
}

/// Text of a version-like value: YAML may hand an unquoted `1.0` over as a number.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Range {
    /// The events in order; unknown event kinds make the range unusable (`None`).
    fn events(&self) -> Option<Vec<Event>> {
        let mut out = Vec::with_capacity(self.events.len());
        for e in &self.events {
            for (k, v) in e {
                let t = text_of(v)?;
                out.push(match k.as_str() {
                    "introduced" => Event::Introduced(t),
                    "fixed" => Event::Fixed(t),
                    "last_affected" => Event::LastAffected(t),
                    "limit" => Event::Limit(t),
                    _ => return None,
                });
            }
        }
        Some(out)
    }
}

impl Advisory {
    /// Whether the advisory was withdrawn.
    pub(crate) fn is_withdrawn(&self) -> bool {
        self.withdrawn.as_ref().is_some_and(|w| !w.is_null())
    }

    fn affected(&self) -> &[Affected] {
        self.affected.as_deref().unwrap_or_default()
    }

    /// Affected entries about `package`'s ecosystem and (normalized) name.
    fn entries_for<'a>(&'a self, package: &'a Package) -> impl Iterator<Item = &'a Affected> {
        let name = package.ecosystem.normalize_name(&package.name);
        self.affected().iter().filter(move |a| {
            a.package.as_ref().is_some_and(|p| {
                Ecosystem::from_osv(&p.ecosystem) == Some(package.ecosystem)
                    && package.ecosystem.normalize_name(&p.name) == name
            })
        })
    }

    /// The hit for `package` when this advisory affects it.
    pub(crate) fn hit(&self, package: &Package, origin: Origin) -> Option<Hit> {
        let mut fixed: Vec<String> = Vec::new();
        let mut matched: Option<&Affected> = None;
        for a in self.entries_for(package) {
            if let Some(f) = affected_fixes(a, package) {
                if matched.is_none() {
                    matched = Some(a);
                }
                fixed.extend(f);
            }
        }
        self.make_hit(Some(matched?), fixed, origin)
    }

    /// A hit for `package` on the word of the OSV API, which decided that the advisory
    /// applies even where the local evaluation cannot (e.g. only `GIT` ranges).
    pub(crate) fn trusted_hit(&self, package: &Package) -> Option<Hit> {
        self.make_hit(self.entries_for(package).next(), Vec::new(), Origin::OsvApi)
    }

    fn make_hit(
        &self,
        affected: Option<&Affected>,
        mut fixed: Vec<String>,
        origin: Origin,
    ) -> Option<Hit> {
        let kind = match affected
            .and_then(informational)
            .or_else(|| informational_top(self))
        {
            Some("unmaintained") => Kind::Unmaintained,
            Some("unsound") => Kind::Unsound,
            Some(_) => return None, // notices and other informational kinds
            None => Kind::Vulnerability,
        };
        fixed.sort();
        fixed.dedup();
        let scores: Vec<String> = self
            .severity
            .iter()
            .flatten()
            .chain(
                affected
                    .and_then(|a| a.severity.as_ref())
                    .into_iter()
                    .flatten(),
            )
            .filter(|s| s.kind.starts_with("CVSS"))
            .filter_map(|s| text_of(&s.score))
            .collect();
        let rating = self
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(Value::as_str);
        let (severity, cvss) = decide_severity(scores.iter().map(String::as_str), rating);
        let summary = self
            .summary
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.details.as_deref())
            .map(first_sentence)
            .unwrap_or_default();
        Some(Hit {
            id: self.id.clone(),
            aliases: self.aliases.clone().unwrap_or_default(),
            kind,
            summary,
            url: format!("https://osv.dev/vulnerability/{}", self.id),
            fixed,
            severity,
            cvss,
            origin,
        })
    }
}

/// `database_specific.informational` of an affected entry (RustSec's OSV export).
fn informational(a: &Affected) -> Option<&str> {
    a.database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .and_then(Value::as_str)
}

fn informational_top(adv: &Advisory) -> Option<&str> {
    adv.database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .and_then(Value::as_str)
}

/// When `a` affects `package`: the fixed versions above it in the matching ranges (possibly
/// none). `None` when it does not affect the package.
fn affected_fixes(a: &Affected, package: &Package) -> Option<Vec<String>> {
    let eco_scheme = package.ecosystem.scheme();
    let raw = package.version.as_str();
    let version = Version::parse(eco_scheme, raw);
    let list: Vec<String> = a.versions.iter().flatten().filter_map(text_of).collect();
    let mut hit = listed(eco_scheme, &list, raw, version.as_ref());
    let mut fixed = Vec::new();
    for r in a.ranges.iter().flatten() {
        let scheme = match r.kind.as_str() {
            "SEMVER" => Scheme::SemVer,
            "ECOSYSTEM" => eco_scheme,
            _ => continue,
        };
        let (Some(v), Some(events)) = (Version::parse(scheme, raw), r.events()) else {
            continue;
        };
        if range_affects(scheme, &events, &v) == Some(true) {
            hit = true;
            let mut above: Vec<(Version, String)> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Fixed(f) => Some(f),
                    _ => None,
                })
                .filter_map(|f| Some((Version::parse(scheme, f)?, f.clone())))
                .filter(|(fv, _)| fv.compare(&v).is_some_and(std::cmp::Ordering::is_gt))
                .collect();
            above.sort_by(|x, y| x.0.compare(&y.0).unwrap_or(std::cmp::Ordering::Equal));
            fixed.extend(above.into_iter().take(1).map(|(_, f)| f));
        }
    }
    hit.then_some(fixed)
}

/// First sentence or line of a text, at most 200 characters.
fn first_sentence(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    let cut = line.find(". ").map_or(line, |i| &line[..=i]);
    let mut s: String = cut.chars().take(200).collect();
    if s.len() < cut.len() {
        s.push('…');
    }
    s
}

/// Parse one advisory file (JSON, or YAML by extension).
pub(crate) fn parse_file(path: &Path, text: &str) -> Result<Advisory> {
    let is_yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if is_yaml {
        serde_yaml_ng::from_str(text).map_err(anyhow::Error::from)
    } else {
        serde_json::from_str(text).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("{}: not a valid OSV advisory", path.display()))
}

/// A set of OSV advisories indexed by ecosystem and normalized package name.
#[derive(Debug, Default)]
pub(crate) struct Database {
    advisories: Vec<Advisory>,
    index: HashMap<(Ecosystem, String), Vec<usize>>,
}

impl Database {
    /// Load every advisory under `dir`.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            anyhow::bail!(
                "OSV database `{}` is not a folder; pass --osv-db DIR or set security.deps.osv_db",
                dir.display()
            );
        }
        let mut files = Vec::new();
        collect_files(dir, &mut files)?;
        let advisories = files
            .par_iter()
            .map(|p| {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                parse_file(p, &text)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::from_advisories(advisories))
    }

    /// Index advisories, dropping withdrawn ones and those about other ecosystems.
    pub(crate) fn from_advisories(all: Vec<Advisory>) -> Self {
        let mut db = Self::default();
        for adv in all {
            if adv.is_withdrawn() {
                continue;
            }
            let keys: Vec<(Ecosystem, String)> = adv
                .affected()
                .iter()
                .filter_map(|a| a.package.as_ref())
                .filter_map(|p| {
                    let eco = Ecosystem::from_osv(&p.ecosystem)?;
                    Some((eco, eco.normalize_name(&p.name)))
                })
                .collect();
            if keys.is_empty() {
                continue;
            }
            let slot = db.advisories.len();
            db.advisories.push(adv);
            for k in keys {
                let list = db.index.entry(k).or_default();
                if list.last() != Some(&slot) {
                    list.push(slot);
                }
            }
        }
        db
    }

    /// Number of advisories kept.
    pub(crate) fn len(&self) -> usize {
        self.advisories.len()
    }

    /// Every advisory that affects `package`.
    pub(crate) fn hits(&self, package: &Package) -> Vec<Hit> {
        let key = (
            package.ecosystem,
            package.ecosystem.normalize_name(&package.name),
        );
        self.index
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.advisories[i].hit(package, Origin::OsvLocal))
            .collect()
    }
}

/// Advisory files under `dir`, recursively, skipping hidden folders; sorted for determinism.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the OSV database folder {}", dir.display()))?
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("reading the OSV database folder {}", dir.display()))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let ty = e
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        if ty.is_dir() {
            collect_files(&path, out)?;
        } else if [".json", ".yaml", ".yml"]
            .iter()
            .any(|x| name.to_ascii_lowercase().ends_with(x))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(eco: Ecosystem, name: &str, version: &str) -> Package {
        Package {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem: eco,
            line: 1,
        }
    }

    fn db(json: &str) -> Database {
        let adv: Advisory = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        Database::from_advisories(vec![adv])
    }

    const WS: &str = r#"{"id": "GHSA-ws", "aliases": ["CVE-1"], "summary": "ws DoS",
      "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
      "affected": [
        {"package": {"ecosystem": "npm", "name": "ws"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "7.0.0"}, {"fixed": "7.5.10"}]}]},
        {"package": {"ecosystem": "npm", "name": "ws"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "8.0.0"}, {"fixed": "8.17.1"}]}]},
        {"package": {"ecosystem": "Maven", "name": "ws"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}
      ]}"#;

    #[test]
    fn several_affected_entries_and_relevant_fix() {
        let db = db(WS);
        let hits = db.hits(&pkg(Ecosystem::Npm, "ws", "7.4.0"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].fixed, vec!["7.5.10"]);
        assert_eq!(hits[0].severity, crate::model::Severity::High);
        assert_eq!(hits[0].aliases, vec!["CVE-1"]);
        assert_eq!(
            db.hits(&pkg(Ecosystem::Npm, "ws", "8.2.0"))[0].fixed,
            vec!["8.17.1"]
        );
        assert!(db.hits(&pkg(Ecosystem::Npm, "ws", "7.5.10")).is_empty());
        assert!(db.hits(&pkg(Ecosystem::Npm, "ws", "6.9.0")).is_empty());
        assert!(db.hits(&pkg(Ecosystem::PyPi, "ws", "7.4.0")).is_empty());
    }

    #[test]
    fn withdrawn_and_foreign_advisories_are_dropped() {
        let withdrawn = WS.replacen(
            "\"id\"",
            "\"withdrawn\": \"2024-01-01T00:00:00Z\", \"id\"",
            1,
        );
        assert_eq!(db(&withdrawn).len(), 0);
        let foreign =
            r#"{"id": "X", "affected": [{"package": {"ecosystem": "Debian:11", "name": "ws"}}]}"#;
        assert_eq!(db(foreign).len(), 0);
    }

    #[test]
    fn pypi_names_are_normalized_and_git_ranges_skipped() {
        let json = r#"{"id": "PYSEC-1", "details": "Bad thing. More words.",
          "database_specific": {"severity": "LOW"},
          "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
            "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}, {"fixed": "abc"}]},
                       {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}],
            "versions": ["2.10", "2.11.2"]}]}"#;
        let db = db(json);
        let hits = db.hits(&pkg(Ecosystem::PyPi, "jinja2", "2.10.0"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].summary, "Bad thing.");
        assert_eq!(hits[0].severity, crate::model::Severity::Low);
        assert!(
            db.hits(&pkg(Ecosystem::PyPi, "JINJA2", "2.11.3"))
                .is_empty()
        );
    }

    #[test]
    fn rustsec_informational_kinds() {
        let json = r#"{"id": "RUSTSEC-2020-0036", "summary": "failure is officially deprecated/unmaintained",
          "affected": [{"package": {"ecosystem": "crates.io", "name": "failure"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}],
            "database_specific": {"informational": "unmaintained"}}]}"#;
        let hits = db(json).hits(&pkg(Ecosystem::CratesIo, "failure", "0.1.8"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, Kind::Unmaintained);
        let notice = json.replace("unmaintained\"}", "notice\"}");
        assert!(
            db(&notice)
                .hits(&pkg(Ecosystem::CratesIo, "failure", "0.1.8"))
                .is_empty()
        );
    }

    #[test]
    fn yaml_numbers_are_versions() {
        let yaml = "id: PYSEC-2\naffected:\n- package:\n    name: x\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.5\n";
        let adv = parse_file(Path::new("a.yaml"), yaml).unwrap_or_else(|e| panic!("{e:#}"));
        let db = Database::from_advisories(vec![adv]);
        assert_eq!(db.hits(&pkg(Ecosystem::PyPi, "x", "1.4")).len(), 1);
        assert!(db.hits(&pkg(Ecosystem::PyPi, "x", "1.5")).is_empty());
        let err = parse_file(Path::new("b.json"), "{\"affected\": []}").err();
        assert!(err.is_some_and(|e| format!("{e:#}").contains("b.json")));
    }
}
