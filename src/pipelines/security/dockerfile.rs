//! Dockerfile risks, in the spirit of hadolint and Docker's build checks: containers that run
//! as root, floating base images, `curl | sh`, `ADD` from a URL, secrets in `ENV`/`ARG`, and
//! package caches left in the image.
//!
//! Files: `Dockerfile`, `Containerfile`, `*.Dockerfile`, `*.dockerfile` and `Dockerfile.<variant>`
//! (`Dockerfile.dev`; not `Dockerfile.md` or `Dockerfile.dockerignore`). Each file is read into
//! instructions by `parse`, then split into build stages. `FROM` images are resolved through
//! the default values of the `ARG`s declared before the first `FROM`; `FROM <earlier stage>`
//! inherits that stage's user and is never "unpinned". Rules about what ends up in the shipped
//! image (root user, package caches) look only at the final stage and the stages it is built
//! `FROM`; stages used only through `COPY --from` are discarded by the build.

mod commands;
mod parse;
mod secrets;
mod stages;

use std::collections::BTreeMap;

use anyhow::Result;

use crate::model::{Finding, Location, Pipeline, Region, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::SourceFile;

use stages::Stage;

const DOCS: &str = include_str!("dockerfile.md");

const RUNS_AS_ROOT: RuleMeta = RuleMeta {
    id: "container-runs-as-root",
    name: "Container runs as root",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "The final stage sets no `USER`, or sets it to root, so the container's process runs as root.",
    docs: DOCS,
};

const UNPINNED_BASE_IMAGE: RuleMeta = RuleMeta {
    id: "unpinned-base-image",
    name: "Base image not pinned",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "`FROM` names no tag or `latest` (medium), or a tag without an `@sha256:` digest (low).",
    docs: DOCS,
};

const CURL_PIPE_SHELL: RuleMeta = RuleMeta {
    id: "curl-pipe-shell",
    name: "Downloaded script piped to a shell",
    pipeline: Pipeline::Security,
    default_severity: Severity::High,
    summary: "A `RUN` downloads a script with curl or wget and executes it unverified (`curl … | sh`, `bash <(curl …)`).",
    docs: DOCS,
};

const ADD_FROM_URL: RuleMeta = RuleMeta {
    id: "add-from-url",
    name: "ADD from a URL without checksum",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "`ADD https://…` fetches a remote file without `--checksum`, so its content is never verified.",
    docs: DOCS,
};

const SECRET_IN_ENV: RuleMeta = RuleMeta {
    id: "secret-in-env",
    name: "Secret in ENV or ARG",
    pipeline: Pipeline::Security,
    default_severity: Severity::High,
    summary: "An `ENV` or `ARG` named like a secret has a value baked into the image (high) or is a build argument recorded in its history (low).",
    docs: DOCS,
};

const APT_NO_CLEANUP: RuleMeta = RuleMeta {
    id: "apt-no-cleanup",
    name: "Package cache left in the image",
    pipeline: Pipeline::Security,
    default_severity: Severity::Low,
    summary: "`apt-get install`, `apk add`, `yum`/`dnf install` without removing the package cache in the same `RUN`.",
    docs: DOCS,
};

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RUNS_AS_ROOT,
    UNPINNED_BASE_IMAGE,
    CURL_PIPE_SHELL,
    ADD_FROM_URL,
    SECRET_IN_ENV,
    APT_NO_CLEANUP,
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "dockerfile",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

fn build(_ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Ready(Box::new(DockerfileCheck)))
}

/// Audits Dockerfiles and Containerfiles.
struct DockerfileCheck;

impl Check for DockerfileCheck {
    fn wants(&self, path: &str) -> bool {
        is_dockerfile(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, sink: &mut Sink) -> Result<()> {
        for finding in audit(file.path, file.text) {
            sink.push(finding);
        }
        Ok(())
    }
}

/// Whether the file name is one Docker or Podman builds from.
fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let bases = ["dockerfile", "containerfile"];
    if bases.contains(&name.as_str()) {
        return true;
    }
    if let Some((stem, ext)) = name.rsplit_once('.')
        && bases.contains(&ext)
        && !stem.is_empty()
    {
        return true;
    }
    const NOT_DOCKERFILES: &[&str] = &[
        "md",
        "txt",
        "rst",
        "html",
        "dockerignore",
        "orig",
        "rej",
        "bak",
        "swp",
        "json",
        "yml",
        "yaml",
        "toml",
        "xml",
        "lock",
        "sh",
        "rs",
        "py",
        "go",
        "js",
        "ts",
        "java",
        "rb",
        "c",
        "h",
        "cpp",
        "kt",
        "cs",
        "php",
    ];
    bases.iter().any(|b| {
        name.strip_prefix(b)
            .and_then(|rest| rest.strip_prefix(['.', '-']))
            .is_some_and(|variant| !variant.is_empty() && !NOT_DOCKERFILES.contains(&variant))
    })
}

/// Collects one file's findings.
struct Report<'a> {
    path: &'a str,
    findings: Vec<Finding>,
}

impl Report<'_> {
    fn emit(
        &mut self,
        rule: &'static RuleMeta,
        severity: Severity,
        line: u32,
        message: String,
        help: &str,
        identity: &str,
    ) {
        let location = Location {
            path: self.path.to_owned(),
            region: Some(Region::line(line)),
        };
        let mut finding = rule.finding(message, Some(location), identity);
        finding.severity = severity;
        finding.help = Some(help.to_owned());
        self.findings.push(finding);
    }
}

/// Every finding of one Dockerfile.
fn audit(path: &str, text: &str) -> Vec<Finding> {
    let instructions = parse::parse(text);
    let mut report = Report {
        path,
        findings: Vec::new(),
    };
    let mut global_args: BTreeMap<String, String> = BTreeMap::new();
    let mut built: Vec<Stage<'_>> = Vec::new();
    for ins in &instructions {
        let keyword = ins.keyword.as_str();
        match keyword {
            "FROM" => {
                let stage = stages::new_stage(ins, &built, &global_args);
                stages::base_image(&mut report, &stage);
                built.push(stage);
            }
            "ARG" if built.is_empty() => {
                for (name, value) in secrets::assignments(&ins.args, false) {
                    global_args.insert(name, value.unwrap_or_default());
                }
            }
            "USER" => {
                if let Some(stage) = built.last_mut() {
                    stage.user = Some(ins);
                }
            }
            "RUN" => {
                if let Some(stage) = built.last_mut() {
                    stage.runs.push(ins);
                }
            }
            _ => {}
        }
        // ONBUILD instructions run in every image built from this one: audit them too.
        let inner = (keyword == "ONBUILD")
            .then(|| ins.onbuild_inner())
            .flatten();
        let ins = inner.as_ref().unwrap_or(ins);
        match ins.keyword.as_str() {
            "RUN" => commands::curl_pipe_shell(&mut report, ins),
            "ADD" => commands::add_from_url(&mut report, ins),
            "ENV" | "ARG" => secrets::secrets(&mut report, ins),
            _ => {}
        }
    }
    if let Some(last) = built.len().checked_sub(1) {
        stages::runs_as_root(&mut report, &built, last);
        let mut shipped = Some(last);
        while let Some(i) = shipped {
            for run in &built[i].runs {
                commands::package_cache(&mut report, run);
            }
            shipped = built[i].parent;
        }
    }
    report.findings.sort_by(Finding::cmp_order);
    report.findings
}

#[cfg(test)]
mod tests;
