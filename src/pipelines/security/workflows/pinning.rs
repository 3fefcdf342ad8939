//! `unpinned-action`: `uses:` references that are not pinned to something immutable.
//!
//! A full commit SHA (or, for `docker://`, an image digest) is the only reference its owner
//! cannot move. Severity follows how easily the code behind the reference can change and who
//! controls it:
//!
//! | reference | first party (`actions/*`, `github/*`) | anyone else |
//! |---|---|---|
//! | version tag (`v4`, `1.2.3`) or abbreviated SHA | low | medium |
//! | branch-like ref (`main`, `stable`, `release/x`) | medium | high |
//! | no ref at all | high | high |
//!
//! Docker images: a tag without a digest is medium, no tag or `latest` is high.

use crate::model::Severity;

use super::document::{DocKind, Document, Uses, is_commit_sha};
use super::yaml::Node;
use super::{Report, UNPINNED_ACTION, region_of};

const HELP: &str = "Pin the full 40-character commit SHA and keep the version in a comment \
(`uses: owner/repo@<sha> # v1.2.3`); Dependabot and Renovate update such pins.";
const DOCKER_HELP: &str = "Pin the image by digest (`docker://image:tag@sha256:…`).";

/// Check every `uses:` of steps and reusable-workflow jobs, and a docker action's `image:`.
pub(super) fn audit(doc: &Document<'_>, report: &mut Report<'_>) {
    for step in doc.steps() {
        if let Some((node, uses)) = step.uses() {
            check(report, step.job, node, uses);
        }
    }
    for job in doc.jobs() {
        if let Some(node) = job.body.get("uses")
            && let Some(uses) = node.as_str().and_then(Uses::parse)
        {
            check(report, job.id, node, uses);
        }
    }
    if doc.kind == DocKind::Action
        && let Some(node) = doc.root.get("runs").and_then(|r| r.get("image"))
        && let Some(uses @ Uses::Docker { .. }) = node.as_str().and_then(Uses::parse)
    {
        check(report, "", node, uses);
    }
}

fn check(report: &mut Report<'_>, job: &str, node: &Node, uses: Uses<'_>) {
    let value = node.as_str().unwrap_or_default().trim();
    let identity = format!("{job}\u{0}{value}");
    let (severity, message, help) = match uses {
        Uses::Local => return,
        Uses::Docker { image } => match docker_pin(image) {
            ImagePin::Digest => return,
            ImagePin::Tag(tag) => (
                Severity::Medium,
                format!("`{value}` uses image tag `{tag}`, which can be re-pushed; pin a digest"),
                DOCKER_HELP,
            ),
            ImagePin::Latest => (
                Severity::High,
                format!("`{value}` uses the image's `latest` tag, which changes with every push"),
                DOCKER_HELP,
            ),
        },
        Uses::Repo { owner, git_ref, .. } => {
            let first_party = ["actions", "github"]
                .iter()
                .any(|o| owner.eq_ignore_ascii_case(o));
            match git_ref {
                Some(r) if is_commit_sha(r) => return,
                None => (
                    Severity::High,
                    format!("`{value}` has no `@ref`; pin the full commit SHA"),
                    HELP,
                ),
                Some(r) if is_short_sha(r) => (
                    if first_party {
                        Severity::Low
                    } else {
                        Severity::Medium
                    },
                    format!(
                        "`{value}` uses abbreviated commit `{r}`, which a branch or tag can shadow; pin the full commit SHA"
                    ),
                    HELP,
                ),
                Some(r) if looks_like_version(r) => (
                    if first_party {
                        Severity::Low
                    } else {
                        Severity::Medium
                    },
                    format!(
                        "`{value}` is pinned to `{r}`, which its owner can move to other code; pin the full commit SHA"
                    ),
                    HELP,
                ),
                Some(r) => (
                    if first_party {
                        Severity::Medium
                    } else {
                        Severity::High
                    },
                    format!(
                        "`{value}` follows branch-like ref `{r}`, which changes with every push; pin the full commit SHA"
                    ),
                    HELP,
                ),
            }
        }
    };
    report.emit(
        &UNPINNED_ACTION,
        severity,
        region_of(node),
        message,
        help,
        &identity,
    );
}

/// How a docker image reference is pinned.
#[derive(Debug, PartialEq, Eq)]
enum ImagePin<'a> {
    /// `@sha256:…`.
    Digest,
    /// A tag other than `latest`.
    Tag(&'a str),
    /// No tag, or `latest`.
    Latest,
}

/// Pinning of an image reference such as `ghcr.io:443/org/img:1.2@sha256:…`.
fn docker_pin(image: &str) -> ImagePin<'_> {
    if image.contains("@sha256:") {
        return ImagePin::Digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if !tag.is_empty() && tag != "latest" => ImagePin::Tag(tag),
        _ => ImagePin::Latest,
    }
}

/// `v4`, `v4.1.1`, `1.2.3-rc1`: a release tag rather than a branch.
fn looks_like_version(r: &str) -> bool {
    r.trim_start_matches(['v', 'V'])
        .starts_with(|c: char| c.is_ascii_digit())
}

/// A 7–39 digit hex prefix of a commit: ambiguous, and resolvable to a colliding object.
fn is_short_sha(r: &str) -> bool {
    (7..40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_references() {
        assert_eq!(docker_pin("alpine"), ImagePin::Latest);
        assert_eq!(docker_pin("alpine:latest"), ImagePin::Latest);
        assert_eq!(docker_pin("alpine:3.20"), ImagePin::Tag("3.20"));
        assert_eq!(docker_pin("localhost:5000/img"), ImagePin::Latest);
        assert_eq!(docker_pin("alpine:3@sha256:abcd"), ImagePin::Digest);
    }

    #[test]
    fn version_and_branch_refs() {
        assert!(looks_like_version("v4"));
        assert!(looks_like_version("1.2.3-rc1"));
        assert!(!looks_like_version("main"));
        assert!(!looks_like_version("stable"));
        assert!(is_short_sha("b4ffde6"));
        assert!(!is_short_sha("deadline"));
    }
}
