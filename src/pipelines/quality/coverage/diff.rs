//! Diff coverage: which lines a change added or modified, and how many of them tests ran.
//!
//! **What is compared.** The merge-base of the base (`--diff-base REF`, or the pull request's
//! base in GitHub Actions) and `HEAD`, against the **work tree**: that is the code the tests
//! just ran on — in CI the checked-out commit, locally the commit plus uncommitted edits — so
//! the coverage report and the diff describe the same text. Untracked files that git does not
//! ignore are new files: every instrumented line of them counts as changed.
//!
//! **How.** `git diff --unified=0 -M --relative <merge-base>` lists, per file, the hunks
//! `@@ -a,b +c,d @@`: lines `c..c+d` of the new file are added or modified. Deleted files,
//! pure renames and binary files add no line; a renamed-and-edited file counts its edited lines
//! under its new name. Prefixes, colours, external diff drivers and path quoting are pinned on
//! the command line so user configuration cannot change the output.
//!
//! **What counts.** A changed line is *coverable* when the coverage report instruments it (so
//! blank lines, comments and declarations never count); `coverage.diff` is the share of
//! coverable changed lines that ran. Runs of uncovered changed lines become one finding each;
//! non-instrumented lines between two uncovered lines do not split a run.

use std::collections::BTreeMap;
use std::path::Path;

use super::data::Coverage;

/// The changed lines of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Changed {
    /// Added or modified lines with their new text.
    Lines(BTreeMap<u32, String>),
    /// A new, untracked file: every line is new (its text is not known here).
    WholeFile,
}

/// Changed lines by repo-relative path.
pub(crate) type Changes = BTreeMap<String, Changed>;

/// A run of uncovered changed lines in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncovered {
    /// Repo-relative path.
    pub(crate) path: String,
    /// First line of the run.
    pub(crate) start: u32,
    /// Last line of the run (inclusive).
    pub(crate) end: u32,
    /// How many instrumented, uncovered lines the run holds.
    pub(crate) lines: u32,
    /// Trimmed text of those lines, joined by `\n` (empty for untracked files).
    pub(crate) text: String,
}

/// Result of comparing changes with coverage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DiffCoverage {
    /// Changed lines the report instruments.
    pub(crate) coverable: u64,
    /// Of those, lines that ran.
    pub(crate) covered: u64,
    /// Runs of uncovered changed lines, by path and line.
    pub(crate) uncovered: Vec<Uncovered>,
}

/// Compare `changes` with `coverage`.
pub(crate) fn diff_coverage(changes: &Changes, coverage: &Coverage) -> DiffCoverage {
    let mut out = DiffCoverage::default();
    for (path, changed) in changes {
        let Some(file) = coverage.files.get(path) else {
            continue;
        };
        let is_changed = |line: u32| match changed {
            Changed::WholeFile => true,
            Changed::Lines(lines) => lines.contains_key(&line),
        };
        let mut run: Option<Uncovered> = None;
        for (&line, &hits) in &file.lines {
            if !is_changed(line) {
                close(&mut run, &mut out.uncovered);
                continue;
            }
            out.coverable += 1;
            if hits > 0 {
                out.covered += 1;
                close(&mut run, &mut out.uncovered);
                continue;
            }
            let text = match changed {
                Changed::Lines(lines) => lines.get(&line).map_or("", |t| t.trim()),
                Changed::WholeFile => "",
            };
            match &mut run {
                Some(r) => {
                    r.end = line;
                    r.lines += 1;
                    if !text.is_empty() {
                        if !r.text.is_empty() {
                            r.text.push('\n');
                        }
                        r.text.push_str(text);
                    }
                }
                None => {
                    run = Some(Uncovered {
                        path: path.clone(),
                        start: line,
                        end: line,
                        lines: 1,
                        text: text.to_owned(),
                    });
                }
            }
        }
        close(&mut run, &mut out.uncovered);
    }
    out
}

fn close(run: &mut Option<Uncovered>, into: &mut Vec<Uncovered>) {
    if let Some(r) = run.take() {
        into.push(r);
    }
}

/// Why diff coverage could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unavailable(pub(crate) String);

/// The changed lines of the work tree at `root` since the merge-base of `base` and `HEAD`.
pub(crate) fn changes_since(root: &Path, base: &str) -> Result<Changes, Unavailable> {
    use crate::git::git;
    if base.starts_with('-') || base.trim().is_empty() {
        return Err(Unavailable(format!("`{base}` is not a git revision")));
    }
    if git(root, &["rev-parse", "--verify", "-q", "HEAD"]).is_none() {
        return Err(Unavailable(
            "not a git work tree with a commit, so there is no diff".to_owned(),
        ));
    }
    let commit = format!("{base}^{{commit}}");
    if git(root, &["rev-parse", "--verify", "-q", &commit]).is_none() {
        return Err(Unavailable(format!(
            "base `{base}` is not a commit in this clone (a shallow clone? fetch it, e.g. \
             actions/checkout with `fetch-depth: 0`)"
        )));
    }
    let Some(merge_base) = git(root, &["merge-base", base, "HEAD"]).filter(|s| !s.is_empty())
    else {
        return Err(Unavailable(format!(
            "`{base}` and HEAD have no common ancestor here (a shallow clone? fetch more \
             history, e.g. actions/checkout with `fetch-depth: 0`)"
        )));
    };
    let diff = git(
        root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--unified=0",
            "-M",
            "--relative",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            &merge_base,
            "--",
        ],
    )
    .ok_or_else(|| Unavailable(format!("`git diff {merge_base}` failed")))?;
    let mut changes = parse_diff(&diff);
    let untracked =
        git(root, &["ls-files", "--others", "--exclude-standard", "-z"]).unwrap_or_default();
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        changes.insert(path.to_owned(), Changed::WholeFile);
    }
    Ok(changes)
}

/// Added and modified lines of a `git diff --unified=0` output, by new path.
pub(crate) fn parse_diff(diff: &str) -> Changes {
    let mut changes = Changes::new();
    let mut path: Option<String> = None;
    // Lines still expected in the current hunk: (old, new); (0, 0) between hunks.
    let mut pending = (0u32, 0u32);
    let mut next_line = 0u32;
    for line in diff.lines() {
        if pending.1 > 0
            && let Some(text) = line.strip_prefix('+')
        {
            if let Some(p) = &path
                && let Changed::Lines(lines) = changes
                    .entry(p.clone())
                    .or_insert_with(|| Changed::Lines(BTreeMap::new()))
            {
                lines.insert(next_line, text.to_owned());
            }
            next_line = next_line.saturating_add(1);
            pending.1 -= 1;
            continue;
        }
        if pending.0 > 0 && line.starts_with('-') {
            pending.0 -= 1;
            continue;
        }
        if line.starts_with('\\') {
            continue; // "\ No newline at end of file"
        }
        // Between hunks (or a truncated hunk: resynchronise on this header).
        pending = (0, 0);
        if line.starts_with("diff --git ") {
            path = None;
        } else if let Some(target) = line.strip_prefix("+++ ") {
            path = new_path(target);
        } else if let Some(header) = line.strip_prefix("@@ ")
            && let Some((old, new_start, new_count)) = hunk(header)
        {
            pending = (old, new_count);
            next_line = new_start;
        }
    }
    changes
}

/// The path of a `+++` header, `None` for `/dev/null` (a deleted file).
fn new_path(target: &str) -> Option<String> {
    let target = target.trim_end_matches(['\r']);
    if target == "/dev/null" {
        return None;
    }
    let unquoted = if target.starts_with('"') {
        unquote(target)
    } else {
        // git appends a tab when the name has a space: `+++ b/a b\t`.
        target.trim_end_matches('\t').to_owned()
    };
    Some(unquoted.strip_prefix("b/").unwrap_or(&unquoted).to_owned())
}

/// Old line count, new start and new count of `-a,b +c,d @@…`.
fn hunk(header: &str) -> Option<(u32, u32, u32)> {
    let mut parts = header.split_whitespace();
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |s: &str| -> Option<(u32, u32)> {
        match s.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = count(old)?;
    let (new_start, new_count) = count(new)?;
    Some((old_count, new_start, new_count))
}

/// Undo git's C-style quoting of a path: `"b/a\"b\303\251"` → `b/a"bé`.
fn unquote(s: &str) -> String {
    let inner = s.trim_start_matches('"');
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut bytes = Vec::with_capacity(inner.len());
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(0x07),
            Some(b'b') => bytes.push(0x08),
            Some(b'f') => bytes.push(0x0c),
            Some(b'v') => bytes.push(0x0b),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(u8::try_from(v).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The diff base GitHub Actions gives a pull request run, from its environment: the event's
/// `pull_request.base.sha` (from the file `GITHUB_EVENT_PATH`), else `origin/$GITHUB_BASE_REF`.
/// `None` outside a pull request event.
pub(crate) fn github_base(
    env: &dyn Fn(&str) -> Option<String>,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<String> {
    let event = env("GITHUB_EVENT_NAME")?;
    if event != "pull_request" && event != "pull_request_target" {
        return None;
    }
    let from_event = env("GITHUB_EVENT_PATH")
        .and_then(|p| read(Path::new(&p)))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| {
            v.pointer("/pull_request/base/sha")
                .and_then(|s| s.as_str())
                .map(str::to_owned)
        })
        .filter(|s| !s.is_empty());
    from_event.or_else(|| {
        env("GITHUB_BASE_REF")
            .filter(|r| !r.is_empty())
            .map(|r| format!("origin/{r}"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::data::FileCoverage;
    use super::*;

    #[test]
    fn parses_hunks_renames_deletions_and_binaries() {
        let diff = "diff --git a/src/a.rs b/src/a.rs
index 1..2 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -3 +3 @@ fn x() {
-    old();
+    new();
@@ -10,0 +11,2 @@
+++counter;
+--other;
@@ -20,2 +21,0 @@
-gone
-gone too
diff --git a/old.rs b/new.rs
similarity index 90%
rename from old.rs
rename to new.rs
--- a/old.rs
+++ b/new.rs
@@ -1 +1 @@
-a
+b
diff --git a/moved.rs b/moved2.rs
similarity index 100%
rename from moved.rs
rename to moved2.rs
diff --git a/del.rs b/del.rs
deleted file mode 100644
--- a/del.rs
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
diff --git \"a/sp\\303\\251cial \\\"q\\\".rs\" \"b/sp\\303\\251cial \\\"q\\\".rs\"
--- \"a/sp\\303\\251cial \\\"q\\\".rs\"
+++ \"b/sp\\303\\251cial \\\"q\\\".rs\"
@@ -0,0 +1 @@
+fn f() {}
\\ No newline at end of file
";
        let c = parse_diff(diff);
        let lines = |p: &str| match &c[p] {
            Changed::Lines(l) => l.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
            Changed::WholeFile => panic!("whole file"),
        };
        assert_eq!(
            lines("src/a.rs"),
            [(3, "    new();"), (11, "++counter;"), (12, "--other;")]
        );
        assert_eq!(lines("new.rs"), [(1, "b")]);
        assert_eq!(lines("spécial \"q\".rs"), [(1, "fn f() {}")]);
        assert_eq!(c.len(), 3, "{c:?}");
    }

    #[test]
    fn groups_uncovered_changed_lines() {
        let mut file = FileCoverage::default();
        for (l, h) in [
            (1, 1),
            (2, 0),
            (3, 0),
            (5, 0),
            (6, 1),
            (7, 0),
            (8, 0),
            (9, 0),
        ] {
            file.hit(l, h);
        }
        let mut cov = Coverage::default();
        cov.add("a.rs".into(), &file);
        let changed: BTreeMap<u32, String> = [1, 2, 3, 4, 5, 6, 7, 9]
            .into_iter()
            .map(|l| (l, format!("  line {l}  ")))
            .collect();
        let changes = Changes::from([
            ("a.rs".to_owned(), Changed::Lines(changed)),
            (
                "README.md".to_owned(),
                Changed::Lines(BTreeMap::from([(1, "x".into())])),
            ),
        ]);
        let d = diff_coverage(&changes, &cov);
        assert_eq!((d.covered, d.coverable), (2, 7));
        let runs: Vec<(u32, u32, u32, &str)> = d
            .uncovered
            .iter()
            .map(|u| (u.start, u.end, u.lines, u.text.as_str()))
            .collect();
        // 4 is not instrumented: 2..5 stays one run; 8 is instrumented but unchanged: splits.
        assert_eq!(
            runs,
            [
                (2, 5, 3, "line 2\nline 3\nline 5"),
                (7, 7, 1, "line 7"),
                (9, 9, 1, "line 9")
            ]
        );
        let whole = Changes::from([("a.rs".to_owned(), Changed::WholeFile)]);
        let d = diff_coverage(&whole, &cov);
        assert_eq!((d.covered, d.coverable), (2, 8));
        assert_eq!(d.uncovered.len(), 2);
    }

    #[test]
    fn github_pull_requests_give_their_base() {
        let event = r#"{"pull_request": {"base": {"sha": "abc123", "ref": "main"}}}"#;
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let read = |_: &Path| Some(event.to_owned());
        let no_file = |_: &Path| None;
        let pr = env(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", "/e.json"),
            ("GITHUB_BASE_REF", "main"),
        ]);
        assert_eq!(github_base(&pr, &read).as_deref(), Some("abc123"));
        assert_eq!(github_base(&pr, &no_file).as_deref(), Some("origin/main"));
        let push = env(&[("GITHUB_EVENT_NAME", "push"), ("GITHUB_BASE_REF", "")]);
        assert_eq!(github_base(&push, &read), None);
        assert_eq!(github_base(&env(&[]), &read), None);
    }
}
