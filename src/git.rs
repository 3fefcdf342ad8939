//! Facts from git, read by running the `git` command (no git library: the CLI is everywhere CI
//! runs, and these are a handful of cheap calls per run).

use std::path::Path;
use std::process::Command;

use crate::model::RepoInfo;

/// Run `git -C root args…` and return trimmed stdout when it succeeds.
pub fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Commit, branch and dirty flag of the work tree at `root`; empty when it is not a git repo.
pub fn repo_info(root: &Path) -> RepoInfo {
    let Some(commit) = git(root, &["rev-parse", "--verify", "-q", "HEAD"]) else {
        return RepoInfo::default();
    };
    let branch = git(root, &["symbolic-ref", "--short", "-q", "HEAD"])
        .filter(|b| !b.is_empty())
        .or_else(|| {
            // Detached HEAD in CI: GitHub tells the branch in the environment.
            ["GITHUB_HEAD_REF", "GITHUB_REF_NAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        });
    let dirty = git(root, &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    RepoInfo {
        commit: Some(commit),
        branch,
        dirty,
    }
}
