//! Repository hygiene in the spirit of OpenSSF Scorecard.
//!
//! Most rules are facts about the file list alone: is there a README, a LICENSE, a security
//! policy, contribution guidelines, a CI configuration, a Dependabot or Renovate
//! configuration? Those come from the [`FileIndex`] after the walk and are repository-wide
//! findings without a location (module `presence`). Two rules need more:
//!
//! * `missing-lockfile` needs to know whether a project is an application, so the walk hands
//!   this check the manifests (`Cargo.toml`, `package.json`, `pyproject.toml`); their facts are
//!   kept in a mutex until the repository hook decides (module `lockfiles`).
//! * `committed-binary` needs to know which files are binary, so the check asks the walk for
//!   every file whose name does not tell (module `binaries`); the walk sniffs them and records
//!   [`FileKind::Binary`]. A root `.gitattributes` is read too, so data tracked by Git LFS is
//!   not reported as a binary blob.
//!
//! The folders searched and the names accepted follow what GitHub itself recognises.

mod binaries;
mod lockfiles;
mod presence;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::schema::ProjectKind;
use crate::model::{Location, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, FileKind, SourceFile};

use binaries::FileClass;
use lockfiles::Manifest;
use presence::Present;

const DOCS: &str = include_str!("hygiene.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "missing-readme",
        name: "No README",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "The repository has no README in its root, .github/ or docs/.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-license",
        name: "No license file",
        pipeline: Pipeline::Security,
        default_severity: Severity::Medium,
        summary: "The repository has no LICENSE, COPYING or LICENSES/ at its root.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-security-policy",
        name: "No security policy",
        pipeline: Pipeline::Security,
        default_severity: Severity::Medium,
        summary: "The repository has no SECURITY.md telling how to report a vulnerability.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-contributing",
        name: "No contribution guide",
        pipeline: Pipeline::Security,
        default_severity: Severity::Info,
        summary: "The repository has no CONTRIBUTING guide.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-ci-config",
        name: "No CI configuration",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "No continuous-integration configuration was found.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-dependency-update-config",
        name: "No dependency-update configuration",
        pipeline: Pipeline::Security,
        default_severity: Severity::Low,
        summary: "The repository has dependencies but no Dependabot or Renovate configuration.",
        docs: DOCS,
    },
    RuleMeta {
        id: "missing-lockfile",
        name: "Application without a committed lockfile",
        pipeline: Pipeline::Security,
        default_severity: Severity::Medium,
        summary: "An application's dependency lockfile is not committed.",
        docs: DOCS,
    },
    RuleMeta {
        id: "committed-binary",
        name: "Committed binary artifact",
        pipeline: Pipeline::Security,
        default_severity: Severity::Medium,
        summary: "A compiled binary, package or archive is committed to the repository.",
        docs: DOCS,
    },
];

const README: &RuleMeta = &RULES[0];
const LICENSE: &RuleMeta = &RULES[1];
const SECURITY_POLICY: &RuleMeta = &RULES[2];
const CONTRIBUTING: &RuleMeta = &RULES[3];
const CI_CONFIG: &RuleMeta = &RULES[4];
const DEPENDENCY_UPDATES: &RuleMeta = &RULES[5];
const LOCKFILE: &RuleMeta = &RULES[6];
const BINARY: &RuleMeta = &RULES[7];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "hygiene",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Most `committed-binary` findings reported one by one; the rest are summed up in one more.
pub const MAX_BINARY_FINDINGS: usize = 50;

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Ready(Box::new(HygieneCheck {
        project_kind: ctx.config.security.hygiene.project_kind,
        seen: Mutex::new(Seen::default()),
    })))
}

/// Checks repository hygiene.
struct HygieneCheck {
    project_kind: ProjectKind,
    seen: Mutex<Seen>,
}

/// What the file hook learned, for the repository hook.
#[derive(Debug, Default)]
struct Seen {
    /// Parsed manifests by path.
    manifests: BTreeMap<String, Manifest>,
    /// Patterns of the root `.gitattributes` that have `filter=lfs`.
    lfs_patterns: Vec<String>,
}

/// Last segment of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Check for HygieneCheck {
    fn wants(&self, path: &str) -> bool {
        let name = file_name(path);
        path == ".gitattributes"
            || (lockfiles::is_parsed_manifest(name) && !lockfiles::is_installed_dependency(path))
            || binaries::classify(name).needs_content()
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        if file.path == ".gitattributes" {
            let patterns = lfs_patterns(file.text);
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .lfs_patterns = patterns;
        } else if !lockfiles::is_installed_dependency(file.path)
            && let Some(manifest) = lockfiles::parse(file_name(file.path), file.text)
        {
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .manifests
                .insert(file.path.to_owned(), manifest);
        }
        Ok(())
    }

    fn check_repo(&self, ctx: &CheckContext<'_>, index: &FileIndex, sink: &mut Sink) -> Result<()> {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner));
        let present = Present::scan(index, &seen.manifests);
        present.report(sink);
        for missing in lockfiles::missing_lockfiles(&seen.manifests, index, self.project_kind) {
            let mut f = LOCKFILE.finding(
                missing.message,
                Some(Location::file(missing.manifest.clone())),
                &missing.manifest,
            );
            f.help = Some(
                "Commit the lockfile your package manager writes (cargo generate-lockfile, npm \
                 install, poetry lock, uv lock, pipenv lock), or set \
                 security.hygiene.project_kind: library if this is a library."
                    .into(),
            );
            sink.push(f);
        }
        let lfs = lfs_matcher(ctx, &seen.lfs_patterns)?;
        report_binaries(index, &lfs, sink);
        Ok(())
    }
}

/// Patterns of a `.gitattributes` whose attributes include `filter=lfs`.
fn lfs_patterns(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let pattern = parts.next()?;
            let is_lfs = parts.any(|a| a == "filter=lfs");
            (is_lfs && !pattern.starts_with('#') && !pattern.starts_with('!'))
                .then(|| pattern.to_owned())
        })
        .collect()
}

/// A matcher of the LFS patterns (gitattributes patterns follow gitignore's rules).
fn lfs_matcher(ctx: &CheckContext<'_>, patterns: &[String]) -> Result<Gitignore> {
    let mut builder = GitignoreBuilder::new(ctx.root);
    for p in patterns {
        // An unparsable pattern is git's problem, not ours: it simply matches nothing.
        let _ = builder.add_line(None, p);
    }
    builder.build().context("building the Git LFS patterns")
}

/// One finding per committed binary, at most [`MAX_BINARY_FINDINGS`], plus one summing up.
fn report_binaries(index: &FileIndex, lfs: &Gitignore, sink: &mut Sink) {
    let mut reported = 0usize;
    let mut unlisted = 0usize;
    for entry in &index.files {
        let class = binaries::classify(file_name(&entry.path));
        let what = match (class, entry.kind) {
            (FileClass::Artifact(what), FileKind::Binary | FileKind::Huge) => what,
            (FileClass::Unknown, FileKind::Binary)
                if !lfs
                    .matched_path_or_any_parents(&entry.path, false)
                    .is_ignore() =>
            {
                "binary file of no known image, font or document type"
            }
            _ => continue,
        };
        if reported == MAX_BINARY_FINDINGS {
            unlisted += 1;
            continue;
        }
        reported += 1;
        let mut f = BINARY.finding(
            format!("committed {what} ({} bytes)", entry.size),
            Some(Location::file(entry.path.clone())),
            "",
        );
        f.help = Some(
            "Build it from source in CI or publish it as a release asset, and remove it with \
             `git rm --cached`; if it must stay (test data), suppress it with a reason."
                .into(),
        );
        sink.push(f);
    }
    if unlisted > 0 {
        let mut f = BINARY.finding(
            format!(
                "{unlisted} more committed binary files are not listed (only the first \
                 {MAX_BINARY_FINDINGS} are reported)"
            ),
            None,
            "unlisted",
        );
        f.help = Some(
            "Handle the listed files first, or suppress a folder of test data by path; the next \
             run lists the rest."
                .into(),
        );
        sink.push(f);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::config::schema::ByteSize;
    use crate::pipelines::testing::{fixture, render, rule_ids, run_check};

    fn findings_in(dir: &Path, config: &Config) -> Vec<crate::model::Finding> {
        run_check(&SPEC, dir, config)
    }

    fn only<'a>(
        findings: &'a [crate::model::Finding],
        rule: &str,
    ) -> Vec<&'a crate::model::Finding> {
        findings.iter().filter(|f| f.rule_id == rule).collect()
    }

    fn paths(findings: &[&crate::model::Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                f.location
                    .as_ref()
                    .map_or("(repo)".to_owned(), |l| l.path.clone())
            })
            .collect()
    }

    fn write(root: &Path, path: &str, bytes: &[u8]) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }

    fn with_project_kind(kind: ProjectKind) -> Config {
        let mut config = Config::default();
        config.security.hygiene.project_kind = kind;
        config
    }

    #[test]
    fn fires() {
        let findings = findings_in(&fixture("security/hygiene/fires"), &Config::default());
        insta::assert_snapshot!(render(&findings));
        assert_eq!(findings.len(), 13, "{}", render(&findings));
        for rule in RULES {
            assert!(
                findings.iter().any(|f| f.rule_id == rule.id),
                "rule {} did not fire",
                rule.id
            );
        }
        assert_eq!(
            paths(&only(&findings, "committed-binary")),
            [
                "bin/blob",
                "dist/tool.exe",
                "lib/helper.jar",
                "native/libfoo.so",
                "native/libfoo.so.1",
                "vendor/archive.tar.gz",
            ]
        );
        assert_eq!(paths(&only(&findings, "missing-lockfile")), ["Cargo.toml"]);
        for f in &findings {
            assert!(f.help.is_some(), "{} has no help", f.rule_id);
            let repo_wide = f.rule_id.starts_with("missing-") && f.rule_id != "missing-lockfile";
            assert_eq!(f.location.is_none(), repo_wide, "{}", f.rule_id);
        }
    }

    #[test]
    fn decoys() {
        let findings = findings_in(&fixture("security/hygiene/decoys"), &Config::default());
        insta::assert_snapshot!(render(&findings));
        assert_eq!(findings.len(), 0, "{}", render(&findings));
    }

    #[test]
    fn lockfiles_auto() {
        let findings = findings_in(&fixture("security/hygiene/lockfiles"), &Config::default());
        let lockfiles = only(&findings, "missing-lockfile");
        let lines: Vec<_> = lockfiles.iter().map(|f| (*f).clone()).collect();
        insta::assert_snapshot!(render(&lines));
        assert_eq!(
            paths(&lockfiles),
            [
                "npm-app/package.json",
                "npm-site/package.json",
                "pipenv-app/Pipfile",
                "poetry-app/pyproject.toml",
                "rust-bin-dir/Cargo.toml",
                "rust-bin/Cargo.toml",
                "rust-ws-unlocked/Cargo.toml",
                "rust-ws/tools/gen/Cargo.toml",
                "uv-app-unlocked/pyproject.toml",
            ]
        );
        // Manifests that do not parse are data, not errors.
        assert!(!paths(&lockfiles).iter().any(|p| p.starts_with("broken/")));
    }

    #[test]
    fn lockfiles_project_kind_overrides_detection() {
        let dir = fixture("security/hygiene/lockfiles");
        let app = findings_in(&dir, &with_project_kind(ProjectKind::Application));
        let app = paths(&only(&app, "missing-lockfile"));
        assert_eq!(app.len(), 13, "{app:?}");
        for lib in [
            "npm-lib/package.json",
            "poetry-lib/pyproject.toml",
            "rust-autobins-off/Cargo.toml",
            "rust-lib/Cargo.toml",
        ] {
            assert!(app.iter().any(|p| p == lib), "{lib} missing from {app:?}");
        }
        for covered in [
            "rust-ws/Cargo.toml",
            "npm-ws/packages/a/package.json",
            "vendor/dep/Cargo.toml",
        ] {
            assert!(!app.iter().any(|p| p == covered), "{covered} in {app:?}");
        }
        let lib = findings_in(&dir, &with_project_kind(ProjectKind::Library));
        assert!(only(&lib, "missing-lockfile").is_empty());
        // The override touches only the lockfile rule.
        assert!(!only(&lib, "missing-readme").is_empty());
    }

    #[test]
    fn gitignored_lockfile_is_not_committed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(root, "Cargo.toml", b"[package]\nname = \"app\"\n");
        write(root, "src/main.rs", b"fn main() {}\n");
        write(root, "Cargo.lock", b"version = 4\n");
        let committed = findings_in(root, &Config::default());
        assert!(only(&committed, "missing-lockfile").is_empty());
        write(root, ".gitignore", b"/Cargo.lock\n");
        let ignored = findings_in(root, &Config::default());
        assert_eq!(paths(&only(&ignored, "missing-lockfile")), ["Cargo.toml"]);
    }

    #[test]
    fn git_lfs_data_is_not_a_binary_blob_but_lfs_executables_are() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        write(
            root,
            ".gitattributes",
            b"# binaries\n*.bin filter=lfs diff=lfs merge=lfs -text\nassets/** filter=lfs\n*.exe filter=lfs\n*.txt text\n",
        );
        write(root, "models/weights.bin", b"\x00weights");
        write(root, "assets/raw/blob", b"\x00raw");
        write(root, "tools/setup.exe", b"MZ\x00\x00");
        write(root, "data/blob.dat", b"\x00data");
        let findings = findings_in(root, &Config::default());
        assert_eq!(
            paths(&only(&findings, "committed-binary")),
            ["data/blob.dat", "tools/setup.exe"]
        );
    }

    #[test]
    fn binary_findings_are_capped_with_a_summary() {
        let tmp = tempfile::tempdir().expect("tempdir");
        for i in 0..MAX_BINARY_FINDINGS + 7 {
            write(tmp.path(), &format!("blobs/{i:03}.dat"), b"\x00\x01");
        }
        let findings = findings_in(tmp.path(), &Config::default());
        let binaries = only(&findings, "committed-binary");
        assert_eq!(binaries.len(), MAX_BINARY_FINDINGS + 1);
        let summary: Vec<_> = binaries.iter().filter(|f| f.location.is_none()).collect();
        assert_eq!(summary.len(), 1);
        assert!(
            summary[0]
                .message
                .starts_with("7 more committed binary files")
        );
        // The first 50 in path order are listed.
        assert!(binaries.iter().any(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| l.path == "blobs/049.dat")
        }));
        assert!(!binaries.iter().any(|f| {
            f.location
                .as_ref()
                .is_some_and(|l| l.path == "blobs/050.dat")
        }));
    }

    #[test]
    fn huge_artifacts_are_reported_by_name_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "dist/image.iso", &[b'x'; 64]);
        write(tmp.path(), "data/big.dat", &[b'x'; 64]);
        let mut config = Config::default();
        config.paths.max_file_size = ByteSize(16);
        let findings = findings_in(tmp.path(), &config);
        assert_eq!(
            paths(&only(&findings, "committed-binary")),
            ["dist/image.iso"]
        );
    }

    #[test]
    fn renovate_in_package_json_counts_and_manifestless_repos_need_no_bot() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "notes.md", b"just notes\n");
        let none = findings_in(tmp.path(), &Config::default());
        assert!(only(&none, "missing-dependency-update-config").is_empty());
        assert_eq!(
            rule_ids(&none),
            [
                "missing-ci-config",
                "missing-contributing",
                "missing-license",
                "missing-readme",
                "missing-security-policy",
            ]
        );
        write(tmp.path(), "package.json", b"{\"main\": \"x.js\"}");
        let npm = findings_in(tmp.path(), &Config::default());
        assert_eq!(only(&npm, "missing-dependency-update-config").len(), 1);
        write(
            tmp.path(),
            "package.json",
            b"{\"main\": \"x.js\", \"renovate\": {}}",
        );
        let renovate = findings_in(tmp.path(), &Config::default());
        assert!(only(&renovate, "missing-dependency-update-config").is_empty());
    }
}
