//! The RustSec advisory database, through the `rustsec` crate (the library behind
//! `cargo audit`).
//!
//! The database is a folder in the layout of github.com/rustsec/advisory-db
//! (`crates/<name>/RUSTSEC-*.md`), loaded with `rustsec::Database::open`; it need not be a git
//! repository. Matching uses RustSec's own `patched`/`unaffected` semantics. Withdrawn
//! advisories are ignored; informational advisories are reported apart as unmaintained or
//! unsound (notices and other kinds are not reported).

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result};
use rustsec::advisory::Informational;
use rustsec::database::Query;
use rustsec::{Collection, Database};

use super::advisory::{Hit, Kind, Origin, decide_severity};
use super::lockfile::{Ecosystem, Package};

/// A loaded RustSec database.
pub(crate) struct RustSecDatabase {
    db: Database,
}

impl std::fmt::Debug for RustSecDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustSecDatabase")
            .field("advisories", &self.len())
            .finish()
    }
}

impl RustSecDatabase {
    /// Load the database folder at `dir`.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        if !dir.join("crates").is_dir() {
            anyhow::bail!(
                "advisory database `{}` has no `crates/` folder; pass the root of a copy of \
                 https://github.com/rustsec/advisory-db (--advisory-db DIR) or use \
                 --fetch-advisories",
                dir.display()
            );
        }
        let db = Database::open(dir)
            .with_context(|| format!("loading the RustSec advisory database {}", dir.display()))?;
        Ok(Self { db })
    }

    /// Number of advisories, withdrawn ones included.
    pub(crate) fn len(&self) -> usize {
        self.db.iter().count()
    }

    /// Every advisory that applies to a crates.io `package`.
    pub(crate) fn hits(&self, package: &Package) -> Vec<Hit> {
        if package.ecosystem != Ecosystem::CratesIo {
            return Vec::new();
        }
        let (Ok(name), Ok(version)) = (
            rustsec::package::Name::from_str(&package.name),
            rustsec::Version::parse(&package.version),
        ) else {
            return Vec::new();
        };
        let query = Query::new()
            .collection(Collection::Crates)
            .withdrawn(false)
            .package_name(name)
            .package_version(version.clone());
        self.db
            .query(&query)
            .into_iter()
            .filter_map(|adv| {
                let meta = &adv.metadata;
                let kind = match &meta.informational {
                    None => Kind::Vulnerability,
                    Some(Informational::Unmaintained) => Kind::Unmaintained,
                    Some(Informational::Unsound) => Kind::Unsound,
                    Some(_) => return None,
                };
                let vector = meta.cvss.as_ref().map(ToString::to_string);
                let (severity, cvss) = decide_severity(vector.as_deref(), None);
                Some(Hit {
                    id: meta.id.to_string(),
                    aliases: meta.aliases.iter().map(ToString::to_string).collect(),
                    kind,
                    summary: meta.title.clone(),
                    url: format!("https://rustsec.org/advisories/{}.html", meta.id),
                    fixed: relevant_first(adv.versions.patched(), &version),
                    severity,
                    cvss,
                    origin: Origin::RustSec,
                })
            })
            .collect()
    }
}

/// The lowest version a requirement admits (its `>=`, `=`, `^`, `~` or `>` bound).
fn lower_bound(req: &rustsec::VersionReq) -> Option<rustsec::Version> {
    use rustsec::semver::Op;
    req.comparators
        .iter()
        .filter(|c| {
            matches!(
                c.op,
                Op::GreaterEq | Op::Exact | Op::Caret | Op::Tilde | Op::Greater
            )
        })
        .map(|c| {
            let mut v = rustsec::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
            v.pre = c.pre.clone();
            v
        })
        .min()
}

/// Patched requirements as text, the one that fixes `current` most directly first: the
/// lowest lower bound above `current`, then the others in order.
fn relevant_first(patched: &[rustsec::VersionReq], current: &rustsec::Version) -> Vec<String> {
    let mut ranked: Vec<(bool, Option<rustsec::Version>, String)> = patched
        .iter()
        .map(|r| {
            let low = lower_bound(r);
            let is_above = low.as_ref().is_some_and(|l| l > current);
            (!is_above, if is_above { low } else { None }, r.to_string())
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_for_the_current_line_comes_first() {
        let reqs: Vec<rustsec::VersionReq> = [">= 0.6.14, < 1.0.0", ">= 1.6.1"]
            .iter()
            .filter_map(|r| rustsec::VersionReq::parse(r).ok())
            .collect();
        let v = |s: &str| rustsec::Version::parse(s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            relevant_first(&reqs, &v("1.6.0")),
            vec![">=1.6.1", ">=0.6.14, <1.0.0"]
        );
        assert_eq!(
            relevant_first(&reqs, &v("0.6.5")),
            vec![">=0.6.14, <1.0.0", ">=1.6.1"]
        );
        let reqs: Vec<rustsec::VersionReq> = [">= 0.2.1", ">= 0.1.3, < 0.2.0"]
            .iter()
            .filter_map(|r| rustsec::VersionReq::parse(r).ok())
            .collect();
        assert_eq!(
            relevant_first(&reqs, &v("0.1.2")),
            vec![">=0.1.3, <0.2.0", ">=0.2.1"]
        );
    }
}
