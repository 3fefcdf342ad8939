//! `self-hosted-public-trigger`: self-hosted runners in workflows outsiders can start.
//!
//! A self-hosted runner is a machine of yours that is not wiped between jobs. In a public
//! repository, anyone can open a pull request or a comment, so a workflow triggered that way
//! runs their code (or their text, via injection) on that machine, where it can persist.

use super::document::Document;
use super::yaml::Node;
use super::{Report, SELF_HOSTED_PUBLIC_TRIGGER, region_of};

/// Events that anyone with a GitHub account can cause on a public repository.
const PUBLIC_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
];

const HELP: &str = "Run jobs that outsiders can trigger on GitHub-hosted runners, or use \
ephemeral, isolated self-hosted runners and require approval for fork pull requests.";

/// Audit `runs-on:` of every job of a publicly triggerable workflow.
pub(super) fn audit(doc: &Document<'_>, report: &mut Report<'_>) {
    let Some(trigger) = PUBLIC_TRIGGERS.iter().find(|t| doc.has_trigger(t)) else {
        return;
    };
    for job in doc.jobs() {
        let Some(runs_on) = job.body.get("runs-on") else {
            continue;
        };
        let label = self_hosted_label(runs_on).or_else(|| {
            // `runs-on: ${{ matrix.runner }}`: look for the label among the matrix values.
            let is_matrix = runs_on
                .as_str()
                .is_some_and(|s| s.contains("${{") && s.contains("matrix."));
            is_matrix
                .then(|| job.body.get("strategy").and_then(|s| s.get("matrix")))
                .flatten()
                .and_then(|m| m.scalars().into_iter().find(|n| is_self_hosted(n)))
        });
        if let Some(label) = label {
            report.emit(
                &SELF_HOSTED_PUBLIC_TRIGGER,
                SELF_HOSTED_PUBLIC_TRIGGER.default_severity,
                region_of(label),
                format!(
                    "job `{}` runs on a self-hosted runner in a workflow triggered by `{trigger}`, which outsiders can cause on a public repository",
                    job.id
                ),
                HELP,
                job.id,
            );
        }
    }
}

/// The `self-hosted` label of a `runs-on:` value: a string, a list, or `{ group, labels }`.
fn self_hosted_label(runs_on: &Node) -> Option<&Node> {
    if is_self_hosted(runs_on) {
        return Some(runs_on);
    }
    let labels = runs_on.get("labels").unwrap_or(runs_on);
    if is_self_hosted(labels) {
        return Some(labels);
    }
    labels.items().iter().find(|n| is_self_hosted(n))
}

fn is_self_hosted(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("self-hosted"))
}
