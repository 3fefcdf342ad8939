//! `requirements*.txt`: pip requirement lines.
//!
//! Only requirements pinned to one version (`name==1.2.3` or `name===1.2.3`, with optional
//! extras, environment markers and `--hash` options) are packages: anything else (`>=`, `~=`,
//! a bare name, a wildcard `==1.*`, a URL, a local path, `-e`) could resolve to many versions
//! and is returned as *unpinned*, so the check can say it was not checked. Comments, blank
//! lines, option lines (`-r`, `-c`, `--index-url`, …) and line continuations (`\`) are handled;
//! an included file (`-r other.txt`) is read on its own when its name marks it as a
//! requirements file. Environment markers are not evaluated: a pinned package is checked
//! whatever its marker says.

use super::lockfile::{Ecosystem, Package};

/// Pinned packages and unpinned requirements (line, text) of a requirements file.
pub(crate) fn parse(text: &str) -> (Vec<Package>, Vec<(u32, String)>) {
    let mut packages = Vec::new();
    let mut unpinned = Vec::new();
    for (line, logical) in logical_lines(text) {
        let content = strip_comment(&logical).trim();
        if content.is_empty() || content.starts_with('-') {
            // Options: -r/-c includes, --index-url, -e editable installs (never pinned to a
            // registry release), a lone --hash continuation.
            if content.starts_with("-e") || content.starts_with("--editable") {
                unpinned.push((line, content.to_owned()));
            }
            continue;
        }
        // Drop per-requirement options such as `--hash=sha256:…`.
        let requirement = content
            .split(" --")
            .next()
            .unwrap_or(content)
            .split("\t--")
            .next()
            .unwrap_or(content)
            .trim();
        match pinned(requirement) {
            Some((name, version)) => packages.push(Package {
                name,
                version,
                ecosystem: Ecosystem::PyPi,
                line,
            }),
            None => unpinned.push((line, requirement.to_owned())),
        }
    }
    (packages, unpinned)
}

/// Physical lines joined at trailing backslashes, each with the line it starts on.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.trim_end_matches('\r');
        let (body, continues) = match raw.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        let (start, mut buf) = current.take().unwrap_or((line, String::new()));
        buf.push_str(body);
        if continues {
            buf.push(' ');
            current = Some((start, buf));
        } else {
            out.push((start, buf));
        }
    }
    if let Some(last) = current {
        out.push(last);
    }
    out
}

/// The text before a comment: `#` at the start or after whitespace (pip's rule, so URL
/// fragments such as `#egg=` survive).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// `(name, version)` when `requirement` pins exactly one version.
fn pinned(requirement: &str) -> Option<(String, String)> {
    let spec = requirement.split(';').next().unwrap_or(requirement).trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut rest = spec[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let close = after.find(']')?;
        rest = after[close + 1..].trim_start();
    }
    if rest.starts_with('@') {
        return None; // direct URL reference
    }
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    let mut version = None;
    for clause in rest.split(',') {
        let clause = clause.trim();
        let v = clause
            .strip_prefix("===")
            .or_else(|| clause.strip_prefix("=="))
            .map(str::trim);
        if let Some(v) = v
            && !v.is_empty()
            && !v.contains('*')
            && !v.contains(char::is_whitespace)
        {
            version = Some(v.to_owned());
        }
    }
    version.map(|v| (name.to_owned(), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_lines_with_extras_markers_hashes_and_continuations() {
        let text = "# comment\n\
                    Django==3.2.0  # inline comment\n\
                    requests[security,socks] == 2.19.0 ; python_version >= \"3.6\"\n\
                    jinja2==2.10 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n\
                    -r requirements-dev.txt\n\
                    --index-url https://pypi.org/simple\n\
                    flask>=2.0\n\
                    numpy\n\
                    pillow==9.*\n\
                    pkg @ https://example.com/pkg-1.0.tar.gz\n\
                    -e ./local\n\
                    urllib3===1.26.4\n\
                    \n";
        let (packages, unpinned) = parse(text);
        let got: Vec<(String, String, u32)> = packages
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Django".into(), "3.2.0".into(), 2),
                ("requests".into(), "2.19.0".into(), 3),
                ("jinja2".into(), "2.10".into(), 4),
                ("urllib3".into(), "1.26.4".into(), 14),
            ]
        );
        let lines: Vec<u32> = unpinned.iter().map(|u| u.0).collect();
        assert_eq!(lines, vec![9, 10, 11, 12, 13]);
        assert_eq!(unpinned[0].1, "flask>=2.0");
    }

    #[test]
    fn comment_rule_keeps_url_fragments() {
        assert_eq!(strip_comment("a#b # c"), "a#b ");
        assert_eq!(strip_comment("# all"), "");
    }
}
