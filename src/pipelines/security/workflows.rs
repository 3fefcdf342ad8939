//! GitHub Actions workflow risks, in the spirit of zizmor: unpinned actions, missing or broad
//! token permissions, `pull_request_target` checkouts of untrusted code, script injection from
//! `${{ github.event.* }}`, `secrets: inherit`, persisted checkout credentials and self-hosted
//! runners reachable from public events.
//!
//! Files audited: `.github/workflows/*.yml|yaml` (at any depth, so monorepo sub-projects count)
//! and every `action.yml|yaml` that declares `runs:` (composite, docker and JavaScript actions).
//! Each file is parsed into a YAML tree with positions (`yaml`), viewed as a workflow or an
//! action (`document`), and handed to one audit module per family of rules: `pinning`,
//! `permissions`, `checkout`, `injection` and `runners`. A file that is not valid YAML
//! becomes one `unparseable-workflow` finding naming the parser's complaint; the other files are
//! still audited.

mod checkout;
mod document;
mod injection;
mod permissions;
mod pinning;
mod runners;
mod yaml;

use anyhow::Result;

use crate::model::{Finding, Location, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::SourceFile;

use document::{DocKind, Document};
use yaml::{Node, Pos, Source};

const DOCS: &str = include_str!("workflows.md");

const UNPINNED_ACTION: RuleMeta = RuleMeta {
    id: "unpinned-action",
    name: "Action not pinned to a commit",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "A `uses:` reference names a tag, branch or image tag that can be moved instead of a full commit SHA or image digest.",
    docs: DOCS,
};

const MISSING_PERMISSIONS: RuleMeta = RuleMeta {
    id: "missing-permissions",
    name: "Default token permissions",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "A job runs with the repository's default GITHUB_TOKEN permissions because neither it nor the workflow sets `permissions:`.",
    docs: DOCS,
};

const EXCESSIVE_PERMISSIONS: RuleMeta = RuleMeta {
    id: "excessive-permissions",
    name: "Overly broad token permissions",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "`permissions: write-all` or `read-all`, or write access granted to every job at the workflow level.",
    docs: DOCS,
};

const DANGEROUS_TRIGGER_CHECKOUT: RuleMeta = RuleMeta {
    id: "dangerous-trigger-checkout",
    name: "Privileged workflow checks out untrusted code",
    pipeline: Pipeline::Security,
    default_severity: Severity::Critical,
    summary: "A `pull_request_target`, `workflow_run` or `issue_comment` workflow checks out the pull request's head, running attacker code with secrets and a write token.",
    docs: DOCS,
};

const TEMPLATE_INJECTION: RuleMeta = RuleMeta {
    id: "template-injection",
    name: "Expression injection in a script",
    pipeline: Pipeline::Security,
    default_severity: Severity::High,
    summary: "An attacker-controlled `${{ … }}` expression is pasted into a shell or github-script script.",
    docs: DOCS,
};

const SECRETS_INHERIT: RuleMeta = RuleMeta {
    id: "secrets-inherit",
    name: "Reusable workflow inherits every secret",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "`secrets: inherit` passes all of the caller's secrets to a reusable workflow.",
    docs: DOCS,
};

const CHECKOUT_PERSIST_CREDENTIALS: RuleMeta = RuleMeta {
    id: "checkout-persist-credentials",
    name: "Checkout persists the token",
    pipeline: Pipeline::Security,
    default_severity: Severity::Low,
    summary: "actions/checkout without `persist-credentials: false` leaves the GITHUB_TOKEN in `.git/config` for every later step.",
    docs: DOCS,
};

const SELF_HOSTED_PUBLIC_TRIGGER: RuleMeta = RuleMeta {
    id: "self-hosted-public-trigger",
    name: "Self-hosted runner on a public trigger",
    pipeline: Pipeline::Security,
    default_severity: Severity::High,
    summary: "A job runs on a self-hosted runner in a workflow that outsiders can trigger (pull requests, comments, issues).",
    docs: DOCS,
};

const UNPARSEABLE_WORKFLOW: RuleMeta = RuleMeta {
    id: "unparseable-workflow",
    name: "Workflow file cannot be parsed",
    pipeline: Pipeline::Security,
    default_severity: Severity::Low,
    summary: "A workflow or action file is not valid YAML or not a mapping, so GitHub rejects it and vigil cannot audit it.",
    docs: DOCS,
};

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    UNPINNED_ACTION,
    MISSING_PERMISSIONS,
    EXCESSIVE_PERMISSIONS,
    DANGEROUS_TRIGGER_CHECKOUT,
    TEMPLATE_INJECTION,
    SECRETS_INHERIT,
    CHECKOUT_PERSIST_CREDENTIALS,
    SELF_HOSTED_PUBLIC_TRIGGER,
    UNPARSEABLE_WORKFLOW,
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "workflows",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

fn build(_ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Ready(Box::new(WorkflowsCheck)))
}

/// Audits GitHub Actions workflows and action metadata files.
struct WorkflowsCheck;

impl Check for WorkflowsCheck {
    fn wants(&self, path: &str) -> bool {
        doc_kind(path).is_some()
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        if let Some(kind) = doc_kind(file.path) {
            for finding in audit_file(file.path, file.text, kind) {
                sink.push(finding);
            }
        }
        Ok(())
    }
}

/// Whether `path` is a workflow or an action metadata file, and which.
fn doc_kind(path: &str) -> Option<DocKind> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    if name == "action.yml" || name == "action.yaml" {
        return Some(DocKind::Action);
    }
    let is_yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    let in_workflows = dir == ".github/workflows" || dir.ends_with("/.github/workflows");
    (is_yaml && in_workflows).then_some(DocKind::Workflow)
}

/// Every finding of one file.
fn audit_file(path: &str, text: &str, kind: DocKind) -> Vec<Finding> {
    let mut report = Report::new(path, text);
    let what = match kind {
        DocKind::Workflow => "workflow",
        DocKind::Action => "action metadata",
    };
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(err) => {
            report.unparseable(
                err.line,
                &format!(
                    "{what} `{path}` is not valid YAML (line {}: {}); GitHub rejects it and vigil could not audit it",
                    err.line, err.message
                ),
            );
            return report.finish();
        }
    };
    if kind == DocKind::Workflow && docs.is_empty() {
        report.unparseable(1, &format!("workflow `{path}` is empty"));
    }
    for root in &docs {
        if !root.is_map() {
            if kind == DocKind::Workflow {
                report.unparseable(
                    root.start.line,
                    &format!("workflow `{path}` is not a mapping of `on:`, `jobs:` and the like"),
                );
            }
            continue;
        }
        if kind == DocKind::Action && root.get("runs").is_none() {
            // An `action.yml` without `runs:` is some other tool's file, not a GitHub action.
            continue;
        }
        let doc = Document::new(kind, root);
        pinning::audit(&doc, &mut report);
        permissions::audit(&doc, &mut report);
        checkout::audit(&doc, &mut report);
        injection::audit(&doc, &mut report);
        runners::audit(&doc, &mut report);
    }
    report.finish()
}

/// Collects one file's findings, with locations in that file.
struct Report<'a> {
    path: &'a str,
    src: Source<'a>,
    findings: Vec<Finding>,
}

impl<'a> Report<'a> {
    fn new(path: &'a str, text: &'a str) -> Self {
        Self {
            path,
            src: Source::new(text),
            findings: Vec::new(),
        }
    }

    /// Record a finding of `rule` at `region`.
    ///
    /// `identity` is the content key of the fingerprint: it names the job and the offending
    /// text, never a line number.
    fn emit(
        &mut self,
        rule: &'static RuleMeta,
        severity: Severity,
        region: Region,
        message: String,
        help: &str,
        identity: &str,
    ) {
        let location = Location {
            path: self.path.to_owned(),
            region: Some(region),
        };
        let mut finding = rule.finding(message, Some(location), identity);
        finding.severity = severity;
        finding.help = Some(help.to_owned());
        self.findings.push(finding);
    }

    fn unparseable(&mut self, line: u32, message: &str) {
        self.emit(
            &UNPARSEABLE_WORKFLOW,
            UNPARSEABLE_WORKFLOW.default_severity,
            Region::line(line),
            message.to_owned(),
            "Fix the YAML (GitHub shows the same error on the Actions tab), then re-run vigil.",
            "unparseable",
        );
    }

    /// Findings sorted, with duplicates (the same node reached through a YAML alias) removed.
    fn finish(mut self) -> Vec<Finding> {
        self.findings.sort_by(Finding::cmp_order);
        self.findings
            .dedup_by(|a, b| a.sort_key() == b.sort_key() && a.location == b.location);
        self.findings
    }
}

/// The region a node covers: its exact span when it sits on one line, else its first line.
fn region_of(node: &Node) -> Region {
    region_between(node.start, node.end)
}

fn region_between(start: Pos, end: Pos) -> Region {
    if start.line == end.line && end.col > start.col {
        Region::span(start.line, start.col, end.col)
    } else {
        Region::line(start.line)
    }
}

#[cfg(test)]
mod tests;
