//! `--git-history`: scan the lines added by every commit.
//!
//! `git log --all --reverse -p -U0` is streamed from a child process through a `BufReader`,
//! oldest commit first, so the first commit that added a secret is the one reported. The added
//! lines of one file in one commit are gathered into a buffer (with the line number each has
//! in that commit's version of the file) and handed to the same [`Scanner`] as the working
//! tree. Merge commits show no diff (`git log` without `-m`), so a secret is attributed to the
//! commit that introduced it, not to every merge that carried it. Renames are detected, so a
//! moved file is not re-reported as new lines.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::allowlist::PathMatcher;
use super::engine::{Found, Scanner};
use crate::model::Region;

/// A secret found in a commit.
#[derive(Debug)]
pub(crate) struct HistoryHit {
    /// What the scanner found (offsets into the commit's added lines, not the file).
    pub found: Found,
    /// Path in that commit.
    pub path: String,
    /// Full commit id.
    pub commit: String,
    /// Author date, strict ISO 8601.
    pub date: String,
    /// Lines and columns in that commit's version of the file.
    pub region: Region,
}

/// Marker that starts each commit's header line in the `git log` output.
const COMMIT_MARK: &[u8] = b"\x1eCOMMIT ";

/// The added lines of one file in one commit.
#[derive(Default)]
struct Pending {
    path: Option<String>,
    text: String,
    /// Line number in the new file of each line of `text`.
    lines: Vec<u32>,
    next_line: u32,
    in_hunk: bool,
}

/// Scan the history of the repository at `root`; `on_hit` receives each secret found.
///
/// Files larger than `max_bytes` of added lines in one commit are scanned up to that size.
/// Paths matching `exclude` are skipped.
pub(crate) fn scan(
    root: &Path,
    scanner: &Scanner,
    exclude: &PathMatcher,
    max_bytes: usize,
    mut on_hit: impl FnMut(HistoryHit),
) -> Result<()> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--all",
            "--reverse",
            "-p",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--format=%x1eCOMMIT %H %aI",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("--git-history: cannot run `git`; is git installed?")?;
    let stdout = child.stdout.take().context("git log: no stdout")?;
    let mut stderr = child.stderr.take().context("git log: no stderr")?;
    // Drain stderr on its own thread so a chatty git cannot block on a full pipe.
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut raw = Vec::with_capacity(256);
    let mut commit: Option<(String, String)> = None;
    let mut pending = Pending::default();
    let mut emit = |pending: &mut Pending, commit: &Option<(String, String)>| {
        flush(pending, commit, scanner, exclude, &mut on_hit);
    };
    loop {
        raw.clear();
        let n = reader
            .read_until(b'\n', &mut raw)
            .context("reading `git log` output")?;
        if n == 0 {
            break;
        }
        let line = raw.strip_suffix(b"\n").unwrap_or(&raw);
        if let Some(rest) = line.strip_prefix(COMMIT_MARK) {
            emit(&mut pending, &commit);
            let rest = String::from_utf8_lossy(rest);
            let mut parts = rest.split_whitespace();
            commit = Some((
                parts.next().unwrap_or_default().to_owned(),
                parts.next().unwrap_or_default().to_owned(),
            ));
            continue;
        }
        if line.starts_with(b"diff --git ") {
            emit(&mut pending, &commit);
            pending.path = None;
            pending.in_hunk = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"@@ ") {
            pending.next_line = new_start(rest);
            pending.in_hunk = true;
            continue;
        }
        if !pending.in_hunk {
            if let Some(rest) = line.strip_prefix(b"+++ ") {
                pending.path = new_path(&String::from_utf8_lossy(rest));
            }
            continue;
        }
        if let Some(added) = line.strip_prefix(b"+") {
            if pending.path.is_some() && pending.text.len() + added.len() < max_bytes {
                let added = String::from_utf8_lossy(added);
                pending.text.push_str(added.trim_end_matches('\r'));
                pending.text.push('\n');
                pending.lines.push(pending.next_line);
            }
            pending.next_line += 1;
        }
    }
    emit(&mut pending, &commit);
    let status = child.wait().context("waiting for `git log`")?;
    let err = errors.join().unwrap_or_default();
    if !status.success() {
        bail!(
            "--git-history: `git log` failed in {}: {}",
            root.display(),
            err.lines().next().unwrap_or("no message")
        );
    }
    Ok(())
}

/// Scan the pending buffer and reset it.
fn flush(
    pending: &mut Pending,
    commit: &Option<(String, String)>,
    scanner: &Scanner,
    exclude: &PathMatcher,
    on_hit: &mut impl FnMut(HistoryHit),
) {
    let text = std::mem::take(&mut pending.text);
    let lines = std::mem::take(&mut pending.lines);
    let (Some(path), Some((id, date))) = (pending.path.as_deref(), commit) else {
        return;
    };
    if text.is_empty() || exclude.is_match(path) {
        return;
    }
    for found in scanner.scan(path, &text, Some(id)) {
        let mut region = super::finding::region_of(&text, found.start, found.end);
        region.start_line = file_line(&lines, region.start_line);
        region.end_line = region.end_line.map(|l| file_line(&lines, l));
        on_hit(HistoryHit {
            found,
            path: path.to_owned(),
            commit: id.clone(),
            date: date.clone(),
            region,
        });
    }
}

/// Line in the commit's file of line `l` (1-based) of the added-lines buffer.
fn file_line(lines: &[u32], l: u32) -> u32 {
    usize::try_from(l)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| lines.get(i))
        .copied()
        .unwrap_or(l)
}

/// First line of the new side of a hunk header (`-a,b +c,d @@`).
fn new_start(rest: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(rest);
    text.split_whitespace()
        .find_map(|p| p.strip_prefix('+'))
        .and_then(|p| p.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Path of a `+++ b/path` header; `None` for `/dev/null` (a deleted file).
fn new_path(raw: &str) -> Option<String> {
    let raw = raw.trim_end_matches(['\r', '\t']);
    if raw == "/dev/null" {
        return None;
    }
    let unquoted = if raw.starts_with('"') && raw.ends_with('"') && raw.len() >= 2 {
        unquote(&raw[1..raw.len() - 1])
    } else {
        raw.to_owned()
    };
    Some(unquoted.strip_prefix("b/").unwrap_or(&unquoted).to_owned())
}

/// Undo git's C-style quoting of a path (`\t`, `\n`, `\"`, `\\`, octal bytes).
fn unquote(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let c = bytes[i + 1];
            let octal = bytes
                .get(i + 1..i + 4)
                .filter(|o| o.iter().all(|b| (b'0'..=b'7').contains(b)));
            if let Some(o) = octal {
                let v = o.iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 4;
                continue;
            }
            out.push(match c {
                b't' => b'\t',
                b'n' => b'\n',
                b'r' => b'\r',
                other => other,
            });
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hunk_headers_and_paths() {
        assert_eq!(new_start(b"-0,0 +1,3 @@"), 1);
        assert_eq!(new_start(b"-4 +7 @@ fn x()"), 7);
        assert_eq!(new_path("b/src/a.rs"), Some("src/a.rs".to_owned()));
        assert_eq!(new_path("/dev/null"), None);
        assert_eq!(
            new_path("\"b/with\\ttab.txt\""),
            Some("with\ttab.txt".to_owned())
        );
        assert_eq!(
            new_path("\"b/caf\\303\\251.txt\""),
            Some("café.txt".to_owned())
        );
    }
}
