//! Rules about what `RUN` and `ADD` do: `curl-pipe-shell`, `add-from-url` and
//! `apt-no-cleanup`.

use std::sync::LazyLock;

use regex::Regex;

use super::parse::{self, Instruction};
use super::{ADD_FROM_URL, APT_NO_CLEANUP, CURL_PIPE_SHELL, Report};

const PIPE_HELP: &str = "Download to a file, verify its checksum or signature, then run it \
(`curl -fsSLo install.sh URL && echo \"<sha256>  install.sh\" | sha256sum -c && sh install.sh`), \
or install from a package manager.";

/// `curl-pipe-shell`: the first download piped into an interpreter in a `RUN`.
pub(super) fn curl_pipe_shell(report: &mut Report<'_>, run: &Instruction) {
    static PATTERNS: LazyLock<[Regex; 3]> = LazyLock::new(|| {
        let shell = r"(?:\S*/)?(?:ba|z|da|k|a)?sh|python[0-9.]*|perl|ruby|node|php";
        [
            format!(
                r"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:{shell})\b"
            ),
            format!(r#"\b(?:{shell})\s+(?:-\S+\s+)*["']?\$\(\s*(?:curl|wget)\b"#),
            r"<\(\s*(?:curl|wget)\b".to_owned(),
        ]
        .map(|p| Regex::new(&p).expect("the curl-pipe-shell patterns are valid regexes"))
    });
    let script = &run.args;
    let hits = PATTERNS.iter().filter_map(|re| re.find(script));
    let Some(first) = hits.min_by_key(regex::Match::start) else {
        return;
    };
    let command = first.as_str();
    report.emit(
        &CURL_PIPE_SHELL,
        CURL_PIPE_SHELL.default_severity,
        run.line_at(first.start()),
        format!(
            "`{}` runs a downloaded script without verifying it",
            elide(command)
        ),
        PIPE_HELP,
        &format!("RUN {command}"),
    );
}

/// `curl … | sh` for a matched command: the downloader and the shell, never the URL or
/// headers in between, which may carry a token.
fn elide(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let Some(dl) = words
        .iter()
        .position(|w| w.contains("curl") || w.contains("wget"))
    else {
        return command.to_owned();
    };
    match command.rfind('|') {
        Some(pipe) if command[..pipe].contains(words[dl]) => {
            format!("{} … | {}", words[dl], command[pipe + 1..].trim())
        }
        _ => format!("{} …)", words[..=dl].join(" ")),
    }
}

const ADD_HELP: &str = "Use `ADD --checksum=sha256:<digest> URL DEST`, or download with curl \
and verify the checksum in the same `RUN`.";

/// `add-from-url`: each http(s) source of an `ADD` without `--checksum`.
pub(super) fn add_from_url(report: &mut Report<'_>, add: &Instruction) {
    let (flags, rest) = add.flags();
    if flags.iter().any(|(name, _)| *name == "checksum") {
        return;
    }
    let words: Vec<String> = parse::exec_form(rest)
        .unwrap_or_else(|| rest.split_whitespace().map(str::to_owned).collect());
    let sources = &words[..words.len().saturating_sub(1)];
    for url in sources {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            report.emit(
                &ADD_FROM_URL,
                ADD_FROM_URL.default_severity,
                add.line,
                format!(
                    "`ADD {}` downloads a file without verifying its checksum",
                    redact_userinfo(url)
                ),
                ADD_HELP,
                &format!("ADD {url}"),
            );
        }
    }
}

/// A URL with any `user:password@` part replaced by `…@`.
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

const CACHE_HELP: &str = "Clean up in the same `RUN`: `apt-get install … && rm -rf \
/var/lib/apt/lists/*`, `apk add --no-cache …`, `dnf install … && dnf clean all` — or use a \
cache mount (`RUN --mount=type=cache,target=/var/cache/apt …`).";

/// `apt-no-cleanup`: package installs in a `RUN` that leave the cache behind.
pub(super) fn package_cache(report: &mut Report<'_>, run: &Instruction) {
    static MANAGERS: LazyLock<[(Regex, &'static str); 3]> = LazyLock::new(|| {
        [
            (r"\bapt(?:-get)?\s+(?:(?:-\S+|\S+=\S*)\s+)*install\b", "apt"),
            (r"\bapk\s+(?:(?:-\S+|\S+=\S*)\s+)*add\b", "apk"),
            (
                r"\b(?:yum|dnf|microdnf)\s+(?:(?:-\S+|\S+=\S*)\s+)*install\b",
                "yum",
            ),
        ]
        .map(|(p, m)| {
            (
                Regex::new(p).expect("the package-manager patterns are valid regexes"),
                m,
            )
        })
    });
    let (flags, _) = run.flags();
    let cache_mounts: Vec<&str> = flags
        .iter()
        .filter(|(name, value)| *name == "mount" && value.contains("type=cache"))
        .map(|(_, value)| *value)
        .collect();
    let script = &run.args;
    for (re, manager) in MANAGERS.iter() {
        let Some(m) = re.find(script) else {
            continue;
        };
        let (cleaned, cache_dir) = match *manager {
            "apt" => (
                script.contains("/var/lib/apt/lists") && script.contains("rm "),
                "/var/lib/apt",
            ),
            "apk" => (
                script.contains("--no-cache") || script.contains("/var/cache/apk"),
                "/var/cache/apk",
            ),
            _ => (
                script.contains(" clean all")
                    || script.contains("/var/cache/yum")
                    || script.contains("/var/cache/dnf"),
                "/var/cache/",
            ),
        };
        let mounted = cache_mounts.iter().any(|m| m.contains(cache_dir));
        if cleaned || mounted {
            continue;
        }
        let command = m.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
        report.emit(
            &APT_NO_CLEANUP,
            APT_NO_CLEANUP.default_severity,
            run.line_at(m.start()),
            format!("`{command}` leaves the package manager's cache in the image layer"),
            CACHE_HELP,
            &format!("RUN {command}"),
        );
    }
}
