//! `--fetch-advisories`: clone or update a copy of the RustSec advisory database with the
//! `git` command.
//!
//! The first fetch is a shallow clone (`git clone --depth 1`); later ones fetch the newest
//! commit and reset to it, so local edits in the cache never survive. The `git` CLI is used
//! rather than a git library because it is everywhere CI runs and keeps the build small.
//! Never called with `--offline`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

/// Where the RustSec advisory database lives.
pub(crate) const ADVISORY_DB_URL: &str = "https://github.com/rustsec/advisory-db";

fn run_git(args: &[&str], cwd: Option<&Path>) -> Result<()> {
    let mut cmd = Command::new("git");
    if let Some(dir) = cwd {
        cmd.arg("-C").arg(dir);
    }
    let out = cmd
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .context("running `git` (is it installed and on PATH?)")?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        anyhow::bail!(
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim().lines().last().unwrap_or("no message")
        );
    }
    Ok(())
}

/// Clone `url` into `dest`, or update the clone already there.
pub(crate) fn clone_or_update(url: &str, dest: &Path) -> Result<()> {
    if dest.join(".git").exists() {
        run_git(
            &["fetch", "--depth", "1", "--quiet", url, "HEAD"],
            Some(dest),
        )
        .with_context(|| format!("updating {}", dest.display()))?;
        run_git(&["reset", "--hard", "--quiet", "FETCH_HEAD"], Some(dest))
            .with_context(|| format!("updating {}", dest.display()))?;
        return Ok(());
    }
    if dest.exists() && std::fs::read_dir(dest).is_ok_and(|mut d| d.next().is_some()) {
        anyhow::bail!(
            "{} exists and is not a git clone; remove it or choose another cache folder \
             (security.deps.cache_dir)",
            dest.display()
        );
    }
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let dest_text = dest.to_string_lossy();
    run_git(
        &["clone", "--depth", "1", "--quiet", url, dest_text.as_ref()],
        None,
    )
    .with_context(|| format!("cloning {url} into {}", dest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clones and updates a local repository (no network): the same commands as for GitHub.
    #[test]
    fn clones_then_updates_a_local_repository() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let origin = tmp.path().join("origin");
        std::fs::create_dir_all(origin.join("crates/x")).unwrap_or_else(|e| panic!("{e}"));
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(&origin)
                .args([
                    "-c",
                    "commit.gpgsign=false",
                    "-c",
                    "init.defaultBranch=main",
                ])
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@t")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@t")
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        std::fs::write(origin.join("crates/x/a.md"), "one").unwrap_or_else(|e| panic!("{e}"));
        git(&["add", "."]);
        git(&["commit", "-qm", "one"]);
        let url = format!("file://{}", origin.display());
        let dest = tmp.path().join("cache/advisory-db");
        clone_or_update(&url, &dest).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(dest.join("crates/x/a.md").is_file());
        std::fs::write(origin.join("crates/x/b.md"), "two").unwrap_or_else(|e| panic!("{e}"));
        git(&["add", "."]);
        git(&["commit", "-qm", "two"]);
        clone_or_update(&url, &dest).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(dest.join("crates/x/b.md").is_file());

        let occupied = tmp.path().join("occupied");
        std::fs::create_dir_all(&occupied).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(occupied.join("f"), "x").unwrap_or_else(|e| panic!("{e}"));
        let err = clone_or_update(&url, &occupied).err();
        assert!(err.is_some_and(|e| e.to_string().contains("not a git clone")));
    }
}
