//! Which projects are applications, and whether their lockfiles are committed.
//!
//! The manifests (`Cargo.toml`, `package.json`, `pyproject.toml`) are parsed while the walk
//! reads them, into the few facts this rule needs; a manifest that does not parse is left out
//! (its own tool reports it better). After the walk, [`missing_lockfiles`] decides per project
//! where its lockfile must be and whether it is required:
//!
//! * **Rust** — a package with a binary target (`src/main.rs`, `src/bin/`, or `[[bin]]`) is an
//!   application. The lockfile belongs to the workspace root: the package's
//!   `package.workspace`, else the nearest ancestor `Cargo.toml` with a `[workspace]` table that
//!   does not `exclude` it, else the package itself. Vendored crates (a
//!   `.cargo-checksum.json` beside the manifest) are ignored.
//! * **npm, Yarn, pnpm, Bun** — a `package.json` is an application when it is `private`, or when
//!   it declares nothing to publish (no `main`, `module`, `exports`, `browser`, `bin`, `types`,
//!   `typings` or `files`). A package under an ancestor with `workspaces` or a
//!   `pnpm-workspace.yaml` is a workspace member: the workspace root carries the lockfile.
//!   Anything under `node_modules/` is ignored.
//! * **Python** — only tools with a lockfile: Poetry (`[tool.poetry]` → `poetry.lock`), uv
//!   (`[tool.uv]` → `uv.lock`) and Pipenv (`Pipfile` → `Pipfile.lock`). A Poetry or uv project
//!   is an application when it has no `[build-system]` (uv's own definition of an application)
//!   or sets `package-mode = false` / `package = false`; a Pipfile is always an application.
//!   Members of a uv workspace share the root's `uv.lock`.
//!
//! `security.hygiene.project_kind` overrides the decision: `application` requires a lockfile
//! for every project found, `library` for none.

use std::collections::BTreeMap;

use crate::config::schema::ProjectKind;
use crate::walk::FileIndex;

/// Lockfile names that satisfy a `package.json`.
const NPM_LOCKS: [&str; 6] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// `package.json` keys that say the package publishes code for others to import or run.
const NPM_PUBLISH_KEYS: [&str; 8] = [
    "main", "module", "exports", "browser", "bin", "types", "typings", "files",
];

/// Facts of one parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Manifest {
    /// A `Cargo.toml`.
    Cargo(CargoManifest),
    /// A `package.json`.
    Npm(NpmManifest),
    /// A `pyproject.toml`.
    PyProject(PyProject),
}

/// What a `Cargo.toml` says about packages, binaries and workspaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct CargoManifest {
    /// Has a `[package]` table.
    has_package: bool,
    /// Declares `[[bin]]` targets.
    has_bin_table: bool,
    /// `package.autobins` (default true).
    autobins: bool,
    /// `package.workspace`: explicit path to the workspace root.
    workspace_path: Option<String>,
    /// `workspace.exclude`, when the manifest has a `[workspace]` table.
    workspace_exclude: Option<Vec<String>>,
}

/// What a `package.json` says about publishing and workspaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NpmManifest {
    /// `"private": true`.
    private: bool,
    /// Declares any of [`NPM_PUBLISH_KEYS`].
    publishes: bool,
    /// Declares `workspaces`.
    has_workspaces: bool,
    /// Carries a `renovate` configuration key.
    pub(super) has_renovate: bool,
}

/// What a `pyproject.toml` says about its tooling and packaging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PyProject {
    /// Has `[tool.poetry]`.
    poetry: bool,
    /// Has `[tool.uv]`.
    uv: bool,
    /// Has `[tool.uv.workspace]`.
    uv_workspace: bool,
    /// Has `[build-system]`.
    build_system: bool,
    /// `tool.poetry.package-mode = false` or `tool.uv.package = false`.
    not_a_package: bool,
}

/// Whether the walk should hand this file name to the manifest parser.
pub(super) fn is_parsed_manifest(name: &str) -> bool {
    matches!(name, "Cargo.toml" | "package.json" | "pyproject.toml")
}

/// Whether a path lies in a folder of installed third-party packages.
pub(super) fn is_installed_dependency(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// Parse a manifest by file name; `None` when it is not one or does not parse.
pub(super) fn parse(name: &str, text: &str) -> Option<Manifest> {
    match name {
        "Cargo.toml" => parse_cargo(text).map(Manifest::Cargo),
        "package.json" => parse_npm(text).map(Manifest::Npm),
        "pyproject.toml" => parse_pyproject(text).map(Manifest::PyProject),
        _ => None,
    }
}

fn parse_cargo(text: &str) -> Option<CargoManifest> {
    let doc: toml::Table = text.parse().ok()?;
    let package = doc.get("package").and_then(toml::Value::as_table);
    let workspace = doc.get("workspace").and_then(toml::Value::as_table);
    Some(CargoManifest {
        has_package: package.is_some(),
        has_bin_table: doc
            .get("bin")
            .and_then(toml::Value::as_array)
            .is_some_and(|a| !a.is_empty()),
        autobins: package
            .and_then(|p| p.get("autobins"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true),
        workspace_path: package
            .and_then(|p| p.get("workspace"))
            .and_then(toml::Value::as_str)
            .map(str::to_owned),
        workspace_exclude: workspace.map(|w| {
            w.get("exclude")
                .and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(toml::Value::as_str)
                        .map(|s| s.trim_matches('/').to_owned())
                        .collect()
                })
                .unwrap_or_default()
        }),
    })
}

fn parse_npm(text: &str) -> Option<NpmManifest> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let obj = doc.as_object()?;
    Some(NpmManifest {
        private: obj
            .get("private")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        publishes: NPM_PUBLISH_KEYS.iter().any(|k| obj.contains_key(*k)),
        has_workspaces: obj.contains_key("workspaces"),
        has_renovate: obj.contains_key("renovate"),
    })
}

fn parse_pyproject(text: &str) -> Option<PyProject> {
    let doc: toml::Table = text.parse().ok()?;
    let tool = doc.get("tool").and_then(toml::Value::as_table);
    let poetry = tool
        .and_then(|t| t.get("poetry"))
        .and_then(toml::Value::as_table);
    let uv = tool
        .and_then(|t| t.get("uv"))
        .and_then(toml::Value::as_table);
    let is_false = |t: Option<&toml::Table>, key: &str| {
        t.and_then(|t| t.get(key))
            .and_then(toml::Value::as_bool)
            .is_some_and(|b| !b)
    };
    Some(PyProject {
        poetry: poetry.is_some(),
        uv: uv.is_some(),
        uv_workspace: uv.is_some_and(|u| u.contains_key("workspace")),
        build_system: doc.contains_key("build-system"),
        not_a_package: is_false(poetry, "package-mode") || is_false(uv, "package"),
    })
}

/// A project whose lockfile should be committed but is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MissingLockfile {
    /// The manifest the finding points at (for Rust, the workspace root's `Cargo.toml`).
    pub(super) manifest: String,
    /// One sentence: what is missing and why it is required.
    pub(super) message: String,
}

/// Every project, among `manifests` (by path) and the index, that needs a lockfile it lacks.
pub(super) fn missing_lockfiles(
    manifests: &BTreeMap<String, Manifest>,
    index: &FileIndex,
    kind: ProjectKind,
) -> Vec<MissingLockfile> {
    if kind == ProjectKind::Library {
        return Vec::new();
    }
    let mut out = rust(manifests, index, kind);
    out.extend(npm(manifests, index, kind));
    out.extend(python(manifests, index, kind));
    out.sort_by(|a, b| a.manifest.cmp(&b.manifest));
    out
}

fn rust(
    manifests: &BTreeMap<String, Manifest>,
    index: &FileIndex,
    kind: ProjectKind,
) -> Vec<MissingLockfile> {
    // Lockfile folder -> binary packages that rely on it.
    let mut roots: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (path, m) in manifests {
        let Manifest::Cargo(cargo) = m else { continue };
        let dir = parent(path);
        if index.contains(&join(dir, ".cargo-checksum.json")) {
            continue;
        }
        let Some(root) = cargo_workspace_root(dir, cargo, manifests) else {
            continue;
        };
        let bins = roots.entry(root).or_default();
        if cargo.has_package && cargo_has_binary(dir, cargo, index) {
            bins.push(path);
        }
    }
    roots
        .into_iter()
        .filter(|(root, bins)| {
            (kind == ProjectKind::Application || !bins.is_empty())
                && !index.contains(&join(root, "Cargo.lock"))
        })
        .map(|(root, bins)| {
            let manifest = join(&root, "Cargo.toml");
            let why = match bins.first() {
                Some(bin) if *bin == manifest => "it builds a binary".to_owned(),
                Some(bin) => format!("`{bin}` builds a binary"),
                None => "project_kind is application".to_owned(),
            };
            MissingLockfile {
                message: format!("no Cargo.lock is committed beside `{manifest}`, and {why}"),
                manifest,
            }
        })
        .collect()
}

/// Folder whose `Cargo.lock` serves the package in `dir`; `None` when it is outside the tree.
fn cargo_workspace_root(
    dir: &str,
    cargo: &CargoManifest,
    manifests: &BTreeMap<String, Manifest>,
) -> Option<String> {
    if let Some(explicit) = &cargo.workspace_path {
        return normalize(&join(dir, explicit));
    }
    if cargo.workspace_exclude.is_some() {
        return Some(dir.to_owned());
    }
    for ancestor in ancestors(dir) {
        let Some(Manifest::Cargo(candidate)) = manifests.get(&join(ancestor, "Cargo.toml")) else {
            continue;
        };
        let Some(exclude) = &candidate.workspace_exclude else {
            continue;
        };
        let rel = relative_to(dir, ancestor);
        let excluded = exclude.iter().any(|e| {
            rel == e
                || rel
                    .strip_prefix(e.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        });
        return Some(if excluded { dir } else { ancestor }.to_owned());
    }
    Some(dir.to_owned())
}

fn cargo_has_binary(dir: &str, cargo: &CargoManifest, index: &FileIndex) -> bool {
    if cargo.has_bin_table {
        return true;
    }
    if !cargo.autobins {
        return false;
    }
    if index.contains(&join(dir, "src/main.rs")) {
        return true;
    }
    // The index is sorted by path, so the files under `src/bin/` are one contiguous run.
    let bin_dir = join(dir, "src/bin/");
    let first = index
        .files
        .partition_point(|f| f.path.as_str() < bin_dir.as_str());
    index.files[first..]
        .iter()
        .take_while(|f| f.path.starts_with(&bin_dir))
        .any(|f| f.path.ends_with(".rs"))
}

fn npm(
    manifests: &BTreeMap<String, Manifest>,
    index: &FileIndex,
    kind: ProjectKind,
) -> Vec<MissingLockfile> {
    let mut out = Vec::new();
    for (path, m) in manifests {
        let Manifest::Npm(pkg) = m else { continue };
        let dir = parent(path);
        let is_member = ancestors(dir).any(|a| {
            index.contains(&join(a, "pnpm-workspace.yaml"))
                || matches!(
                    manifests.get(&join(a, "package.json")),
                    Some(Manifest::Npm(root)) if root.has_workspaces
                )
        });
        if is_member || NPM_LOCKS.iter().any(|l| index.contains(&join(dir, l))) {
            continue;
        }
        let why = if kind == ProjectKind::Application {
            "project_kind is application"
        } else if pkg.private {
            "it is private (an application)"
        } else if !pkg.publishes {
            "it publishes nothing (no main, exports, bin or files), so it is an application"
        } else {
            continue;
        };
        out.push(MissingLockfile {
            manifest: path.clone(),
            message: format!(
                "no lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lock) is \
                 committed beside `{path}`, and {why}"
            ),
        });
    }
    out
}

fn python(
    manifests: &BTreeMap<String, Manifest>,
    index: &FileIndex,
    kind: ProjectKind,
) -> Vec<MissingLockfile> {
    let mut out = Vec::new();
    for (path, m) in manifests {
        let Manifest::PyProject(py) = m else { continue };
        let dir = parent(path);
        let lock = match (py.poetry, py.uv) {
            (true, _) => "poetry.lock",
            (false, true) => "uv.lock",
            (false, false) => continue,
        };
        let in_uv_workspace = ancestors(dir).any(|a| {
            matches!(
                manifests.get(&join(a, "pyproject.toml")),
                Some(Manifest::PyProject(root)) if root.uv_workspace
            )
        });
        if in_uv_workspace
            || index.contains(&join(dir, "poetry.lock"))
            || index.contains(&join(dir, "uv.lock"))
        {
            continue;
        }
        let why = if kind == ProjectKind::Application {
            "project_kind is application"
        } else if py.not_a_package {
            "it is not packaged for distribution (an application)"
        } else if !py.build_system {
            "it has no [build-system], so it is an application"
        } else {
            continue;
        };
        out.push(MissingLockfile {
            manifest: path.clone(),
            message: format!("no {lock} is committed beside `{path}`, and {why}"),
        });
    }
    for pipfile in index.find(|p| p == "Pipfile" || p.ends_with("/Pipfile")) {
        let lock = format!("{}.lock", pipfile.path);
        if !index.contains(&lock) {
            out.push(MissingLockfile {
                manifest: pipfile.path.clone(),
                message: format!(
                    "no Pipfile.lock is committed beside `{}`, and Pipenv projects are \
                     applications",
                    pipfile.path
                ),
            });
        }
    }
    out
}

/// Folder of a `/`-separated path; `""` for the root.
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir/name`, or `name` when `dir` is the root.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Strict ancestors of a folder, nearest first, ending with the root `""`.
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    let mut next = (!dir.is_empty()).then(|| parent(dir));
    std::iter::from_fn(move || {
        let current = next?;
        next = (!current.is_empty()).then(|| parent(current));
        Some(current)
    })
}

/// `dir` relative to its ancestor `base`.
fn relative_to<'a>(dir: &'a str, base: &str) -> &'a str {
    if base.is_empty() {
        dir
    } else {
        dir.strip_prefix(base)
            .map_or(dir, |r| r.trim_start_matches('/'))
    }
}

/// Resolve `.` and `..` segments; `None` when the path leaves the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cargo_facts() {
        let m = parse_cargo(
            "[package]\nname = \"x\"\nworkspace = \"../..\"\nautobins = false\n[[bin]]\nname = \"x\"\n",
        )
        .expect("valid toml");
        assert!(m.has_package && m.has_bin_table && !m.autobins);
        assert_eq!(m.workspace_path.as_deref(), Some("../.."));
        assert_eq!(m.workspace_exclude, None);
        let ws = parse_cargo("[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"tools/x/\"]\n")
            .expect("valid toml");
        assert!(!ws.has_package);
        assert_eq!(ws.workspace_exclude, Some(vec!["tools/x".to_owned()]));
        assert_eq!(parse_cargo("[package\nname ="), None);
    }

    #[test]
    fn parses_npm_and_python_facts() {
        let npm = parse_npm(r#"{"private": true, "workspaces": ["a"], "renovate": {}}"#)
            .expect("valid json");
        assert!(npm.private && npm.has_workspaces && npm.has_renovate && !npm.publishes);
        assert!(parse_npm(r#"{"exports": "./x.js"}"#).is_some_and(|n| n.publishes));
        assert_eq!(parse_npm("[1, 2]"), None);
        assert_eq!(parse_npm("{ // comment\n}"), None);
        let py = parse_pyproject("[tool.poetry]\npackage-mode = false\n[build-system]\n")
            .expect("valid toml");
        assert!(py.poetry && py.not_a_package && py.build_system && !py.uv);
        let uv = parse_pyproject("[tool.uv.workspace]\nmembers = [\"p/*\"]\n").expect("valid");
        assert!(uv.uv && uv.uv_workspace && !uv.not_a_package);
    }

    #[test]
    fn path_helpers() {
        assert_eq!(parent("a/b/Cargo.toml"), "a/b");
        assert_eq!(parent("Cargo.toml"), "");
        assert_eq!(join("", "x"), "x");
        assert_eq!(join("a", "x"), "a/x");
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a/b", "a", ""]);
        assert_eq!(ancestors("").count(), 0);
        assert_eq!(relative_to("a/b/c", "a"), "b/c");
        assert_eq!(relative_to("a/b", ""), "a/b");
        assert_eq!(normalize("crates/x/../.."), Some(String::new()));
        assert_eq!(normalize("a/./b/../c"), Some("a/c".to_owned()));
        assert_eq!(normalize("a/../.."), None);
    }
}
