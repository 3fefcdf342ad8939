//! The presence rules: README, license, security policy, contribution guide, CI and
//! dependency-update configuration, judged from the file list alone.
//!
//! Names are compared case-insensitively where GitHub does (community files), exactly where the
//! tool reading them does (CI and bot configurations).

use std::collections::BTreeMap;

use super::lockfiles::{self, Manifest};
use super::{CI_CONFIG, CONTRIBUTING, DEPENDENCY_UPDATES, LICENSE, README, SECURITY_POLICY};
use crate::pipelines::{RuleMeta, Sink};
use crate::walk::FileIndex;

/// Exact paths of CI configurations, besides the folders below.
const CI_FILES: [&str; 13] = [
    ".gitlab-ci.yml",
    ".gitlab-ci.yaml",
    ".circleci/config.yml",
    ".circleci/config.yaml",
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    "Jenkinsfile",
    ".travis.yml",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    ".woodpecker.yml",
    "appveyor.yml",
    ".cirrus.yml",
];

/// Folders whose YAML files are CI workflows (direct children only).
const CI_WORKFLOW_FOLDERS: [&str; 3] = [
    ".github/workflows/",
    ".gitea/workflows/",
    ".forgejo/workflows/",
];

/// Folders whose mere content is a CI configuration.
const CI_FOLDERS: [&str; 2] = [".buildkite/", ".woodpecker/"];

/// Paths of Dependabot and Renovate configurations.
const DEPENDENCY_UPDATE_FILES: [&str; 11] = [
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

/// File names of dependency manifests that Dependabot or Renovate can keep up to date.
const DEPENDENCY_MANIFESTS: [&str; 16] = [
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "go.mod",
    "Gemfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "mix.exs",
    "pubspec.yaml",
    "Package.swift",
];

/// Which hygiene files the tree has.
#[derive(Debug, Default)]
pub(super) struct Present {
    readme: bool,
    license: bool,
    security_policy: bool,
    contributing: bool,
    ci_config: bool,
    dependency_updates: bool,
    /// First dependency manifest found, in path order.
    manifest: Option<String>,
}

impl Present {
    /// One pass over the index.
    pub(super) fn scan(index: &FileIndex, manifests: &BTreeMap<String, Manifest>) -> Self {
        let mut p = Self {
            dependency_updates: matches!(
                manifests.get("package.json"),
                Some(Manifest::Npm(npm)) if npm.has_renovate
            ),
            ..Self::default()
        };
        for entry in &index.files {
            let path = entry.path.as_str();
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let stem = name.split('.').next().unwrap_or(name);
            let community_dir = matches!(dir, "" | ".github" | "docs");
            p.readme |= community_dir && stem.eq_ignore_ascii_case("readme");
            p.security_policy |= community_dir && stem.eq_ignore_ascii_case("security");
            p.contributing |= community_dir && stem.eq_ignore_ascii_case("contributing");
            p.license |= (dir.is_empty() && is_license_name(name))
                || (path.starts_with("LICENSES/") && !dir.contains('/'));
            p.ci_config |= is_ci_config(path, dir, name);
            p.dependency_updates |= DEPENDENCY_UPDATE_FILES.contains(&path);
            if p.manifest.is_none()
                && !lockfiles::is_installed_dependency(path)
                && is_dependency_manifest(name)
            {
                p.manifest = Some(path.to_owned());
            }
        }
        p
    }

    /// Push a repository-wide finding for every missing file.
    pub(super) fn report(&self, sink: &mut Sink) {
        let mut missing = |rule: &RuleMeta, present: bool, message: String, help: &str| {
            if !present {
                let mut f = rule.finding(message, None, rule.id);
                f.help = Some(help.to_owned());
                sink.push(f);
            }
        };
        missing(
            README,
            self.readme,
            "no README in the repository root, .github/ or docs/".into(),
            "Add a README.md that says what the project is, how to install and use it, and \
             where to get help.",
        );
        missing(
            LICENSE,
            self.license,
            "no license file at the repository root (LICENSE, COPYING, LICENSE-MIT… or a \
             LICENSES/ folder)"
                .into(),
            "Add the full license text as LICENSE at the root; without one, nobody may legally \
             use, change or share the code.",
        );
        missing(
            SECURITY_POLICY,
            self.security_policy,
            "no SECURITY.md in the repository root, .github/ or docs/".into(),
            "Add SECURITY.md saying how to report a vulnerability privately and which versions \
             receive fixes.",
        );
        missing(
            CONTRIBUTING,
            self.contributing,
            "no CONTRIBUTING.md in the repository root, .github/ or docs/".into(),
            "Add CONTRIBUTING.md explaining how to build, test and propose changes.",
        );
        missing(
            CI_CONFIG,
            self.ci_config,
            "no CI configuration found (GitHub Actions, GitLab CI, CircleCI, Azure Pipelines, \
             Jenkins, Buildkite…)"
                .into(),
            "Run the build and tests on every change, e.g. with a .github/workflows/ci.yml.",
        );
        if let Some(manifest) = &self.manifest {
            missing(
                DEPENDENCY_UPDATES,
                self.dependency_updates,
                format!(
                    "dependencies are declared (`{manifest}`) but there is no Dependabot or \
                     Renovate configuration"
                ),
                "Add .github/dependabot.yml (or a renovate.json) so outdated and vulnerable \
                 dependencies get update pull requests.",
            );
        }
    }
}

/// Whether a root file name is a license text GitHub and Scorecard recognise.
fn is_license_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let base = [".MD", ".TXT", ".RST", ".MARKDOWN"]
        .iter()
        .find_map(|ext| upper.strip_suffix(ext))
        .unwrap_or(&upper);
    ["LICENSE", "LICENCE", "COPYING", "UNLICENSE", "COPYRIGHT"]
        .iter()
        .any(|word| {
            base == *word
                || base.strip_prefix(word).is_some_and(|rest| {
                    rest.starts_with('-') || rest.starts_with('_') || rest.starts_with('.')
                })
        })
        || base.ends_with("-LICENSE")
}

fn is_ci_config(path: &str, dir: &str, name: &str) -> bool {
    CI_FILES.contains(&path)
        || CI_FOLDERS.iter().any(|f| path.starts_with(f))
        || CI_WORKFLOW_FOLDERS.iter().any(|f| {
            f.strip_suffix('/') == Some(dir) && (name.ends_with(".yml") || name.ends_with(".yaml"))
        })
}

fn is_dependency_manifest(name: &str) -> bool {
    DEPENDENCY_MANIFESTS.contains(&name)
        || (name.starts_with("requirements") && name.ends_with(".txt"))
        || name.ends_with(".csproj")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_names_and_places() {
        for name in [
            "LICENSE",
            "license.md",
            "COPYING",
            "LICENSE-APACHE",
            "MIT-LICENSE",
            "UNLICENSE",
            "Licence.txt",
            "COPYING.LESSER",
        ] {
            assert!(is_license_name(name), "{name}");
        }
        for name in ["LICENSES", "LICENSES.txt", "my-license-notes", "NOTICE"] {
            assert!(!is_license_name(name), "{name}");
        }
        assert!(is_ci_config(
            ".github/workflows/ci.yaml",
            ".github/workflows",
            "ci.yaml"
        ));
        assert!(is_ci_config(
            ".buildkite/pipeline.yml",
            ".buildkite",
            "pipeline.yml"
        ));
        assert!(!is_ci_config(
            ".github/workflows/a/ci.yml",
            ".github/workflows/a",
            "ci.yml"
        ));
        assert!(!is_ci_config(
            ".github/workflows/README.md",
            ".github/workflows",
            "README.md"
        ));
    }
}
