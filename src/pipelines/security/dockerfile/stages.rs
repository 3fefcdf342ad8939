//! Build stages and the rules about them: `unpinned-base-image` (each `FROM`) and
//! `container-runs-as-root` (the final stage, following `FROM <earlier stage>` chains).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Severity;

use super::parse::Instruction;
use super::{RUNS_AS_ROOT, Report, UNPINNED_BASE_IMAGE};

/// A build stage: from its `FROM` to the next.
pub(super) struct Stage<'a> {
    pub(super) from: &'a Instruction,
    /// Index of the earlier stage this one is built `FROM`.
    pub(super) parent: Option<usize>,
    /// Resolved image reference, when every variable in it has a default.
    pub(super) image: Option<String>,
    /// Lower-case `AS` name.
    pub(super) alias: Option<String>,
    /// Last `USER` of the stage.
    pub(super) user: Option<&'a Instruction>,
    /// `RUN` instructions of the stage.
    pub(super) runs: Vec<&'a Instruction>,
}

/// Start the stage a `FROM` opens, resolving its image through the global `ARG` defaults.
pub(super) fn new_stage<'a>(
    from: &'a Instruction,
    stages: &[Stage<'_>],
    args: &BTreeMap<String, String>,
) -> Stage<'a> {
    let (_, rest) = from.flags();
    let mut words = rest.split_whitespace();
    let raw_image = words.next().unwrap_or_default();
    let alias = match (words.next(), words.next()) {
        (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
        _ => None,
    };
    let image = substitute(raw_image, args);
    let parent = image.as_ref().and_then(|img| {
        let lower = img.to_ascii_lowercase();
        stages
            .iter()
            .rposition(|s| s.alias.as_deref() == Some(lower.as_str()))
    });
    Stage {
        from,
        parent,
        image,
        alias,
        user: None,
        runs: Vec::new(),
    }
}

/// Replace `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` from `args`; `None` when a
/// variable has no value.
pub(super) fn substitute(text: &str, args: &BTreeMap<String, String>) -> Option<String> {
    static VAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))",
        )
        .expect("the variable pattern is a valid regex")
    });
    let mut unresolved = false;
    let out = VAR.replace_all(text, |c: &regex::Captures<'_>| {
        let name = c.get(1).or_else(|| c.get(4)).map_or("", |m| m.as_str());
        let value = args.get(name).filter(|v| !v.is_empty());
        let resolved = match (c.get(2).map(|m| m.as_str()), value) {
            (Some("-"), None) => c.get(3).map(|m| m.as_str().to_owned()),
            (Some("+"), Some(_)) => c.get(3).map(|m| m.as_str().to_owned()),
            (Some("+"), None) => Some(String::new()),
            (_, v) => v.cloned(),
        };
        resolved.unwrap_or_else(|| {
            unresolved = true;
            String::new()
        })
    });
    (!unresolved && !out.is_empty()).then(|| out.into_owned())
}

const PIN_HELP: &str = "Use a specific tag and pin its digest (`FROM image:1.2.3@sha256:…`); \
Dependabot and Renovate update digests.";

/// `unpinned-base-image`: the image a `FROM` names, unless it is a stage or `scratch`.
pub(super) fn base_image(report: &mut Report<'_>, stage: &Stage<'_>) {
    let Some(image) = &stage.image else {
        return;
    };
    if stage.parent.is_some() || image.eq_ignore_ascii_case("scratch") || image.contains("@sha256:")
    {
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let (severity, message) = match last.split_once(':') {
        Some((_, tag)) if !tag.is_empty() && tag != "latest" => (
            Severity::Low,
            format!(
                "base image `{image}` is pinned to a tag, which can be re-pushed; add its `@sha256:` digest"
            ),
        ),
        Some(_) => (
            Severity::Medium,
            format!("base image `{image}` uses `latest`, which changes with every release"),
        ),
        None => (
            Severity::Medium,
            format!(
                "base image `{image}` has no tag, so it is `latest` and changes with every release"
            ),
        ),
    };
    report.emit(
        &UNPINNED_BASE_IMAGE,
        severity,
        stage.from.line,
        message,
        PIN_HELP,
        &format!("FROM {image}"),
    );
}

const ROOT_HELP: &str = "Create an unprivileged user and switch to it at the end of the final \
stage: `RUN useradd --system app` then `USER app` (or a numeric `USER 10001`).";

/// `container-runs-as-root`: the user the final stage (stage `last`) ends with.
pub(super) fn runs_as_root(report: &mut Report<'_>, stages: &[Stage<'_>], last: usize) {
    let mut stage = Some(last);
    let mut origin = last;
    while let Some(i) = stage {
        origin = i;
        if let Some(user) = stages[i].user {
            let name = user.args.split_whitespace().next().unwrap_or_default();
            let account = name.split(':').next().unwrap_or_default();
            if account == "root" || account == "0" {
                report.emit(
                    &RUNS_AS_ROOT,
                    RUNS_AS_ROOT.default_severity,
                    user.line,
                    format!(
                        "the final stage switches to `USER {name}`, so the container runs as root"
                    ),
                    ROOT_HELP,
                    &format!("USER {name}"),
                );
            }
            return;
        }
        stage = stages[i].parent;
    }
    let final_stage = &stages[last];
    // Images documented to default to an unprivileged user (distroless `:nonroot`, …).
    if stages[origin]
        .image
        .as_deref()
        .is_some_and(|img| img.to_ascii_lowercase().contains("nonroot"))
    {
        return;
    }
    report.emit(
        &RUNS_AS_ROOT,
        RUNS_AS_ROOT.default_severity,
        final_stage.from.line,
        "the final stage sets no `USER`, so the container runs as root unless its base image says otherwise".to_owned(),
        ROOT_HELP,
        "no USER",
    );
}
