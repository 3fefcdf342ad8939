//! Checkouts: `dangerous-trigger-checkout` (a privileged trigger checks out the pull request's
//! code) and `checkout-persist-credentials` (the token is left in `.git/config`).
//!
//! `pull_request_target`, `workflow_run` and `issue_comment` workflows run in the base
//! repository's context, with its secrets and a token that can write. Checking out the pull
//! request's head there — through `actions/checkout`'s `ref:`/`repository:` inputs or with
//! `git fetch`/`gh pr checkout` in a script — hands that power to whoever opened the pull
//! request, as soon as any later step builds, tests or installs the checked-out code.

use super::document::{DocKind, Document, Step};
use super::yaml::Node;
use super::{
    CHECKOUT_PERSIST_CREDENTIALS, DANGEROUS_TRIGGER_CHECKOUT, Report, region_between, region_of,
};

/// Triggers that run with the base repository's privileges on events outsiders cause.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

/// Fragments of a `ref:` or script that name the pull request's head (lower case).
const HEAD_MARKERS: &[&str] = &[
    "head.sha",
    "head.ref",
    "head_sha",
    "head_ref",
    "head-sha",
    "head-ref",
    "head_branch",
    "head_commit",
    "merge_commit_sha",
    "refs/pull/",
];

/// Fragments of a `repository:` input that name the fork the pull request comes from.
const FORK_MARKERS: &[&str] = &["head.repo.full_name", "head_repository.full_name"];

const DANGEROUS_HELP: &str = "Do not check out the pull request's code in a privileged \
workflow: use `on: pull_request` for building and testing it, and let a separate \
`workflow_run` job consume only its artifacts as data.";
const PERSIST_HELP: &str = "Add `with: persist-credentials: false` to the checkout step, and \
pass a token explicitly to the one step that needs to push.";

/// Audit every checkout of a workflow or composite action.
pub(super) fn audit(doc: &Document<'_>, report: &mut Report<'_>) {
    let trigger = (doc.kind == DocKind::Workflow)
        .then(|| {
            PRIVILEGED_TRIGGERS
                .iter()
                .find(|t| doc.has_trigger(t))
                .copied()
        })
        .flatten();
    for step in doc.steps() {
        if step.runs_action("actions/checkout") {
            persist_credentials(report, &step);
            if let Some(trigger) = trigger {
                checkout_inputs(report, &step, trigger);
            }
        } else if let Some(trigger) = trigger
            && let Some(run) = step.body.get("run")
        {
            script_checkout(report, &step, run, trigger);
        }
    }
}

fn persist_credentials(report: &mut Report<'_>, step: &Step<'_>) {
    if step.input("persist-credentials").is_some() {
        // `false` is the fix; an explicit `true` or an expression is a deliberate choice.
        return;
    }
    let Some((uses, _)) = step.uses() else {
        return;
    };
    report.emit(
        &CHECKOUT_PERSIST_CREDENTIALS,
        CHECKOUT_PERSIST_CREDENTIALS.default_severity,
        region_of(uses),
        "actions/checkout stores the GITHUB_TOKEN in .git/config, where every later step and any uploaded workspace can read it; set `persist-credentials: false`".to_owned(),
        PERSIST_HELP,
        &format!("{}\u{0}{}", step.job, step.label()),
    );
}

fn checkout_inputs(report: &mut Report<'_>, step: &Step<'_>, trigger: &str) {
    for (input, markers) in [("ref", HEAD_MARKERS), ("repository", FORK_MARKERS)] {
        let Some(node) = step.input(input) else {
            continue;
        };
        let value = node.as_str().unwrap_or_default();
        let lower = value.to_ascii_lowercase();
        let names_head = (lower.contains("${{") || lower.contains("refs/pull/"))
            && markers.iter().any(|m| lower.contains(m));
        if names_head {
            report.emit(
                &DANGEROUS_TRIGGER_CHECKOUT,
                DANGEROUS_TRIGGER_CHECKOUT.default_severity,
                region_of(node),
                format!(
                    "`{trigger}` workflow checks out the pull request's code (`{input}: {}`) with the base repository's secrets and write token",
                    value.trim()
                ),
                DANGEROUS_HELP,
                &format!("{}\u{0}{input}\u{0}{}", step.job, value.trim()),
            );
        }
    }
}

/// `gh pr checkout`, or `git fetch/checkout` of a pull request ref, in a `run:` script.
fn script_checkout(report: &mut Report<'_>, step: &Step<'_>, run: &Node, trigger: &str) {
    let raw = report.src.raw(run);
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        let is_git = ["git fetch", "git checkout", "git switch", "git pull"]
            .iter()
            .any(|g| lower.contains(g));
        let names_head = lower.contains("refs/pull/")
            || lower.contains("pull/${{")
            || (lower.contains("${{") && HEAD_MARKERS.iter().any(|m| lower.contains(m)));
        if lower.contains("gh pr checkout") || (is_git && names_head) {
            let lead = line.len() - line.trim_start().len();
            let start = report.src.pos_in(run, offset + lead);
            let end = report.src.pos_in(run, offset + line.trim_end().len());
            let command = line.trim();
            report.emit(
                &DANGEROUS_TRIGGER_CHECKOUT,
                DANGEROUS_TRIGGER_CHECKOUT.default_severity,
                region_between(start, end),
                format!(
                    "`{trigger}` workflow fetches the pull request's code (`{command}`) with the base repository's secrets and write token"
                ),
                DANGEROUS_HELP,
                &format!("{}\u{0}{command}", step.job),
            );
        }
        offset += line.len();
    }
}
