//! When each path last changed in git: one `git log` walk for many paths, stopped as soon as
//! every path has its newest commit.
//!
//! `git log --name-only` lists commits newest first with the files each touched, so the first
//! commit that names a file (or a file under a folder) is that path's last change. Paths are
//! passed as `:(literal)` pathspecs, so names with `*` or `?` are not globs, in batches that
//! keep the command line short.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Paths per `git log` call.
const BATCH: usize = 200;

/// Whether `root` is inside a git work tree.
pub(crate) fn is_work_tree(root: &Path) -> bool {
    crate::git::git(root, &["rev-parse", "--is-inside-work-tree"]).as_deref() == Some("true")
}

/// Committer date (RFC 3339) of the last commit touching each of `paths` (files or folders,
/// repository-relative); paths git never saw are absent.
pub(crate) fn last_changed(root: &Path, paths: &[String]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for batch in paths.chunks(BATCH) {
        scan(root, batch, &mut found);
    }
    found
}

fn scan(root: &Path, paths: &[String], found: &mut BTreeMap<String, String>) {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(root)
        .args([
            "log",
            "--format=%x00%cI",
            "--name-only",
            "--no-renames",
            "--",
        ])
        .args(paths.iter().map(|p| format!(":(literal){p}")))
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let Ok(mut child) = cmd.spawn() else {
        return;
    };
    let Some(stdout) = child.stdout.take() else {
        let _ = child.wait();
        return;
    };
    let mut remaining: Vec<&String> = paths.iter().filter(|p| !found.contains_key(*p)).collect();
    let mut date = String::new();
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(d) = line.strip_prefix('\0') {
            d.clone_into(&mut date);
            continue;
        }
        if line.is_empty() || date.is_empty() {
            continue;
        }
        remaining.retain(|p| {
            let hit = line == **p
                || (line.starts_with(p.as_str()) && line.as_bytes().get(p.len()) == Some(&b'/'));
            if hit {
                found.insert((*p).clone(), date.clone());
            }
            !hit
        });
        if remaining.is_empty() {
            let _ = child.kill();
            break;
        }
    }
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::testing::git_at as git;

    #[test]
    fn newest_commit_per_path_and_folder() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        git(d, &["init", "-q"], "2020-01-01T00:00:00Z");
        std::fs::create_dir_all(d.join("src")).expect("mkdir");
        std::fs::write(d.join("src/a.rs"), "1").expect("write");
        std::fs::write(d.join("b*.md"), "1").expect("write");
        git(d, &["add", "."], "2020-01-01T00:00:00Z");
        git(d, &["commit", "-q", "-m", "one"], "2020-01-01T00:00:00Z");
        std::fs::write(d.join("src/a.rs"), "2").expect("write");
        git(d, &["commit", "-q", "-am", "two"], "2021-06-01T00:00:00Z");
        assert!(is_work_tree(d));
        let got = last_changed(
            d,
            &[
                "src".into(),
                "b*.md".into(),
                "src/a.rs".into(),
                "nope".into(),
            ],
        );
        assert_eq!(got.get("src").map(|s| &s[..10]), Some("2021-06-01"));
        assert_eq!(got.get("src/a.rs").map(|s| &s[..10]), Some("2021-06-01"));
        assert_eq!(got.get("b*.md").map(|s| &s[..10]), Some("2020-01-01"));
        assert!(!got.contains_key("nope"));
        let plain = tempfile::tempdir().expect("tempdir");
        assert!(!is_work_tree(plain.path()));
    }
}
