//! What every lockfile parser returns, and which parser reads which file.
//!
//! A parser turns a lockfile's text into [`Package`]s: name, exact version, ecosystem and the
//! 1-based line where the package's entry starts, so findings point at it. Packages that do not
//! come from the ecosystem's public registry (workspace members, path, `link:`, git and
//! editable sources) are left out: advisories describe registry releases, and a local package
//! that happens to share a name would only produce false alarms. Duplicates (same name and
//! version) are reported once, at their first entry.

use std::collections::BTreeSet;

use super::version::Scheme;

/// A package ecosystem, as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ecosystem {
    /// Rust crates from crates.io.
    CratesIo,
    /// JavaScript packages from the npm registry.
    Npm,
    /// Python packages from PyPI.
    PyPi,
    /// Go modules.
    Go,
}

impl Ecosystem {
    /// The OSV ecosystem name (`crates.io`, `npm`, `PyPI`, `Go`).
    pub(crate) fn osv_name(self) -> &'static str {
        match self {
            Self::CratesIo => "crates.io",
            Self::Npm => "npm",
            Self::PyPi => "PyPI",
            Self::Go => "Go",
        }
    }

    /// The ecosystem of an OSV `package.ecosystem` value; `None` for the ones vigil does not
    /// read (Maven, NuGet, …). A suffix such as `Debian:11` never names one of ours.
    pub(crate) fn from_osv(name: &str) -> Option<Self> {
        match name {
            "crates.io" => Some(Self::CratesIo),
            "npm" => Some(Self::Npm),
            "PyPI" => Some(Self::PyPi),
            "Go" => Some(Self::Go),
            _ => None,
        }
    }

    /// How versions of this ecosystem are ordered in `ECOSYSTEM` ranges.
    pub(crate) fn scheme(self) -> Scheme {
        match self {
            Self::PyPi => Scheme::Pep440,
            Self::CratesIo | Self::Npm | Self::Go => Scheme::SemVer,
        }
    }

    /// The package name as advisories are keyed: PEP 503-normalized for PyPI (`Jinja2`,
    /// `jinja_2` → `jinja2`, `jinja-2`), unchanged elsewhere.
    pub(crate) fn normalize_name(self, name: &str) -> String {
        match self {
            Self::PyPi => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                    } else {
                        if sep && !out.is_empty() {
                            out.push('-');
                        }
                        sep = false;
                        out.push(c.to_ascii_lowercase());
                    }
                }
                out
            }
            Self::CratesIo | Self::Npm | Self::Go => name.trim().to_owned(),
        }
    }
}

/// One locked package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// Name as written in the lockfile.
    pub(crate) name: String,
    /// Exact version as written in the lockfile.
    pub(crate) version: String,
    /// Where it comes from.
    pub(crate) ecosystem: Ecosystem,
    /// 1-based line where its entry starts.
    pub(crate) line: u32,
}

/// A lockfile format vigil reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `Cargo.lock`.
    CargoLock,
    /// `package-lock.json` or `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
    PackageLock,
    /// `yarn.lock`, classic (v1) or berry (YAML).
    YarnLock,
    /// `pnpm-lock.yaml`, lockfile versions 5, 6 and 9.
    PnpmLock,
    /// `requirements*.txt`, `*-requirements.txt` or `requirements/*.txt`.
    Requirements,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `go.sum`.
    GoSum,
}

impl Format {
    /// The format of the file at repo-relative `path`, if it is a lockfile vigil reads.
    ///
    /// Files inside `node_modules` are never lockfiles of the project (npm writes
    /// `node_modules/.package-lock.json` and packages ship their own).
    pub(crate) fn of(path: &str) -> Option<Self> {
        let mut parts = path.rsplit('/');
        let name = parts.next()?;
        let parent = parts.next();
        if path.split('/').any(|c| c == "node_modules") {
            return None;
        }
        Some(match name {
            "Cargo.lock" => Self::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::PackageLock,
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "poetry.lock" => Self::PoetryLock,
            "uv.lock" => Self::UvLock,
            "go.sum" => Self::GoSum,
            _ if name.ends_with(".txt")
                && (name.starts_with("requirements")
                    || name.ends_with("-requirements.txt")
                    || parent == Some("requirements")) =>
            {
                Self::Requirements
            }
            _ => return None,
        })
    }
}

/// What reading one lockfile gave.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Locked packages, deduplicated by name and version, in file order.
    pub(crate) packages: Vec<Package>,
    /// Requirements that are not pinned to one version and so cannot be checked, with their
    /// line (requirements files only).
    pub(crate) unpinned: Vec<(u32, String)>,
}

/// Read a lockfile of `format`. The error is a one-line reason, with a line number when one is
/// known.
pub(crate) fn parse(format: Format, text: &str) -> Result<Parsed, String> {
    let (packages, unpinned) = match format {
        Format::CargoLock => (super::cargo_lock::parse(text)?, Vec::new()),
        Format::PackageLock => (super::npm_lock::parse(text)?, Vec::new()),
        Format::YarnLock => (super::yarn_lock::parse(text)?, Vec::new()),
        Format::PnpmLock => (super::pnpm_lock::parse(text)?, Vec::new()),
        Format::Requirements => super::requirements::parse(text),
        Format::PoetryLock => (super::poetry_lock::parse(text)?, Vec::new()),
        Format::UvLock => (super::uv_lock::parse(text)?, Vec::new()),
        Format::GoSum => (super::go_sum::parse(text)?, Vec::new()),
    };
    let mut sorted = packages;
    sorted.sort_by_key(|p| p.line);
    let mut seen = BTreeSet::new();
    sorted.retain(|p| seen.insert((p.name.clone(), p.version.clone())));
    Ok(Parsed {
        packages: sorted,
        unpinned,
    })
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    crate::walk::line_of(text, offset)
}

/// Test helper: parsed packages as (name, version, line), in line order; a parse error fails
/// the test with its message.
#[cfg(test)]
pub(crate) fn sorted_tuples(parsed: Result<Vec<Package>, String>) -> Vec<(String, String, u32)> {
    let mut v: Vec<_> = parsed
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|p| (p.name, p.version, p.line))
        .collect();
    v.sort_by_key(|t| t.2);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_lockfile_names() {
        assert_eq!(Format::of("Cargo.lock"), Some(Format::CargoLock));
        assert_eq!(
            Format::of("web/package-lock.json"),
            Some(Format::PackageLock)
        );
        assert_eq!(Format::of("npm-shrinkwrap.json"), Some(Format::PackageLock));
        assert_eq!(Format::of("a/yarn.lock"), Some(Format::YarnLock));
        assert_eq!(Format::of("pnpm-lock.yaml"), Some(Format::PnpmLock));
        assert_eq!(Format::of("requirements.txt"), Some(Format::Requirements));
        assert_eq!(
            Format::of("requirements-dev.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(
            Format::of("requirements/base.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(Format::of("poetry.lock"), Some(Format::PoetryLock));
        assert_eq!(Format::of("uv.lock"), Some(Format::UvLock));
        assert_eq!(Format::of("go.sum"), Some(Format::GoSum));
        assert_eq!(Format::of("notes.txt"), None);
        assert_eq!(Format::of("package.json"), None);
        assert_eq!(Format::of("node_modules/.package-lock.json"), None);
        assert_eq!(Format::of("node_modules/x/package-lock.json"), None);
    }

    #[test]
    fn pep503_normalization() {
        let n = |s| Ecosystem::PyPi.normalize_name(s);
        assert_eq!(n("Jinja2"), "jinja2");
        assert_eq!(n("zope.interface"), "zope-interface");
        assert_eq!(n("Foo__Bar-._baz"), "foo-bar-baz");
        assert_eq!(Ecosystem::Npm.normalize_name("@Scope/Pkg"), "@Scope/Pkg");
    }
}
