//! What the jobs may do with the GITHUB_TOKEN and the caller's secrets:
//! `missing-permissions`, `excessive-permissions` and `secrets-inherit`.

use crate::model::Severity;

use super::document::{DocKind, Document};
use super::yaml::Node;
use super::{EXCESSIVE_PERMISSIONS, MISSING_PERMISSIONS, Report, SECRETS_INHERIT, region_of};

const MISSING_HELP: &str = "Add `permissions: contents: read` (or `{}`) at the top of the \
workflow and grant each job only the scopes it needs.";
const BLANKET_HELP: &str = "List the scopes the job needs instead, e.g. \
`permissions: { contents: read, pull-requests: write }`.";
const WORKFLOW_WRITE_HELP: &str = "Set `permissions: contents: read` at the top and grant the \
write scope on the one job that needs it.";
const INHERIT_HELP: &str = "Pass only the secrets the called workflow declares: \
`secrets: { NPM_TOKEN: ${{ secrets.NPM_TOKEN }} }`.";

/// Audit the `permissions:` and `secrets:` of a workflow.
pub(super) fn audit(doc: &Document<'_>, report: &mut Report<'_>) {
    if doc.kind != DocKind::Workflow {
        return;
    }
    let jobs = doc.jobs();
    match doc.root.get("permissions") {
        Some(perms) => {
            blanket(report, "", perms);
            if jobs.len() > 1 {
                workflow_level_writes(report, perms);
            }
        }
        None => {
            // A reusable workflow runs with what its caller grants; the caller is audited.
            let only_called =
                !doc.triggers.is_empty() && doc.triggers.iter().all(|t| t == "workflow_call");
            if !only_called {
                for job in jobs.iter().filter(|j| j.body.get("permissions").is_none()) {
                    report.emit(
                        &MISSING_PERMISSIONS,
                        MISSING_PERMISSIONS.default_severity,
                        region_of(job.key),
                        format!(
                            "job `{}` runs with the default GITHUB_TOKEN permissions (often read-write to everything): neither the workflow nor the job sets `permissions:`",
                            job.id
                        ),
                        MISSING_HELP,
                        job.id,
                    );
                }
            }
        }
    }
    for job in &jobs {
        if let Some(perms) = job.body.get("permissions") {
            blanket(report, job.id, perms);
        }
        if let Some(secrets) = job.body.get("secrets")
            && secrets.as_str() == Some("inherit")
        {
            report.emit(
                &SECRETS_INHERIT,
                SECRETS_INHERIT.default_severity,
                region_of(secrets),
                format!(
                    "job `{}` passes every secret of this repository to the reusable workflow with `secrets: inherit`",
                    job.id
                ),
                INHERIT_HELP,
                job.id,
            );
        }
    }
}

/// `permissions: write-all` (high) or `read-all` (low) on the workflow (`job` empty) or a job.
fn blanket(report: &mut Report<'_>, job: &str, perms: &Node) {
    let Some(value @ ("write-all" | "read-all")) = perms.as_str() else {
        return;
    };
    let scope = if job.is_empty() {
        "every job of the workflow".to_owned()
    } else {
        format!("job `{job}`")
    };
    let (severity, access) = if value == "write-all" {
        (Severity::High, "write")
    } else {
        (Severity::Low, "read")
    };
    report.emit(
        &EXCESSIVE_PERMISSIONS,
        severity,
        region_of(perms),
        format!(
            "`permissions: {value}` gives {scope} {access} access to every scope of the repository"
        ),
        BLANKET_HELP,
        &format!("{job}\u{0}{value}"),
    );
}

/// Write scopes granted at the workflow level, which every job then receives.
fn workflow_level_writes(report: &mut Report<'_>, perms: &Node) {
    for (scope, level) in perms.entries() {
        if level.as_str() != Some("write") {
            continue;
        }
        let name = scope.as_str().unwrap_or_default();
        report.emit(
            &EXCESSIVE_PERMISSIONS,
            Severity::Medium,
            region_of(scope),
            format!(
                "workflow-level `{name}: write` is granted to every job; grant it only to the jobs that need it"
            ),
            WORKFLOW_WRITE_HELP,
            &format!("\u{0}{name}"),
        );
    }
}
