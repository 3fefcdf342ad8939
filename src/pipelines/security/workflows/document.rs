//! What a workflow or composite action contains, read from the YAML tree: its triggers, jobs,
//! steps and `uses:` references. The audits ask these questions instead of walking YAML.

use super::yaml::Node;

/// Which kind of file a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DocKind {
    /// `.github/workflows/*.yml`.
    Workflow,
    /// `action.yml` of a (composite, docker or JavaScript) action.
    Action,
}

/// A parsed workflow or action document.
pub(super) struct Document<'a> {
    /// Workflow or action.
    pub(super) kind: DocKind,
    /// The root mapping.
    pub(super) root: &'a Node,
    /// Lower-case event names of `on:` (empty for actions).
    pub(super) triggers: Vec<String>,
}

impl<'a> Document<'a> {
    /// View `root` as a document of `kind`.
    pub(super) fn new(kind: DocKind, root: &'a Node) -> Self {
        let triggers = match root.get("on") {
            Some(on) => trigger_names(on),
            None => Vec::new(),
        };
        Self {
            kind,
            root,
            triggers,
        }
    }

    /// Whether the workflow runs on `event`.
    pub(super) fn has_trigger(&self, event: &str) -> bool {
        self.triggers.iter().any(|t| t == event)
    }

    /// The jobs of a workflow, in order; empty for actions.
    pub(super) fn jobs(&self) -> Vec<Job<'a>> {
        if self.kind != DocKind::Workflow {
            return Vec::new();
        }
        self.root
            .get("jobs")
            .map(|jobs| {
                jobs.entries()
                    .iter()
                    .filter(|(_, body)| body.is_map())
                    .filter_map(|(key, body)| key.as_str().map(|id| Job { id, key, body }))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every step: those of every job of a workflow, or `runs.steps` of a composite action.
    pub(super) fn steps(&self) -> Vec<Step<'a>> {
        match self.kind {
            DocKind::Workflow => self
                .jobs()
                .into_iter()
                .flat_map(|job| steps_of(job.id, job.body.get("steps")))
                .collect(),
            DocKind::Action => steps_of("", self.root.get("runs").and_then(|r| r.get("steps"))),
        }
    }
}

fn steps_of<'a>(job: &'a str, steps: Option<&'a Node>) -> Vec<Step<'a>> {
    steps
        .map(|s| {
            s.items()
                .iter()
                .enumerate()
                .filter(|(_, body)| body.is_map())
                .map(|(index, body)| Step { job, index, body })
                .collect()
        })
        .unwrap_or_default()
}

/// Event names of an `on:` value: a string, a list of strings, or a mapping keyed by event.
fn trigger_names(on: &Node) -> Vec<String> {
    if let Some(one) = on.as_str() {
        return vec![one.to_ascii_lowercase()];
    }
    let names = on
        .items()
        .iter()
        .filter_map(Node::as_str)
        .chain(on.entries().iter().filter_map(|(k, _)| k.as_str()));
    names.map(str::to_ascii_lowercase).collect()
}

/// A job of a workflow.
pub(super) struct Job<'a> {
    /// Its id (the key under `jobs:`).
    pub(super) id: &'a str,
    /// The key node, for locations.
    pub(super) key: &'a Node,
    /// The job's mapping.
    pub(super) body: &'a Node,
}

/// A step of a job or of a composite action.
pub(super) struct Step<'a> {
    /// Id of the job it belongs to; empty in a composite action.
    pub(super) job: &'a str,
    /// Position of the step in its list, 0-based.
    pub(super) index: usize,
    /// The step's mapping.
    pub(super) body: &'a Node,
}

impl<'a> Step<'a> {
    /// A name for the step that survives unrelated edits: its `id:`, else its `name:`, else
    /// its position.
    pub(super) fn label(&self) -> String {
        ["id", "name"]
            .iter()
            .find_map(|k| self.body.get(k).and_then(Node::as_str))
            .map_or_else(|| format!("#{}", self.index + 1), str::to_owned)
    }

    /// The parsed `uses:` reference, with its node, if the step has one.
    pub(super) fn uses(&self) -> Option<(&'a Node, Uses<'a>)> {
        let node = self.body.get("uses")?;
        Some((node, Uses::parse(node.as_str()?)?))
    }

    /// Whether the step runs the action `owner/repo` (case-insensitive), at any ref.
    pub(super) fn runs_action(&self, owner_repo: &str) -> bool {
        self.uses().is_some_and(|(_, u)| u.is_action(owner_repo))
    }

    /// The value of input `name` under `with:`.
    pub(super) fn input(&self, name: &str) -> Option<&'a Node> {
        self.body.get("with")?.get(name)
    }
}

/// What a `uses:` value refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Uses<'a> {
    /// `./path` in the same repository.
    Local,
    /// `docker://image[:tag][@digest]`.
    Docker {
        /// Everything after `docker://`.
        image: &'a str,
    },
    /// `owner/repo[/path]@ref`: an action or a reusable workflow in another repository.
    Repo {
        /// Owner (user or organization).
        owner: &'a str,
        /// Repository name.
        repo: &'a str,
        /// Git ref after `@`, if any.
        git_ref: Option<&'a str>,
    },
}

impl<'a> Uses<'a> {
    /// Parse a `uses:` value; `None` for expressions and values that name nothing.
    pub(super) fn parse(value: &'a str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() || value.contains("${{") {
            return None;
        }
        if value.starts_with("./") || value.starts_with(".\\") {
            return Some(Self::Local);
        }
        if let Some(image) = value.strip_prefix("docker://") {
            return Some(Self::Docker { image });
        }
        let (path, git_ref) = match value.split_once('@') {
            Some((p, r)) => (p, Some(r)),
            None => (value, None),
        };
        let mut parts = path.split('/');
        let owner = parts.next().filter(|s| !s.is_empty())?;
        let repo = parts.next().filter(|s| !s.is_empty())?;
        Some(Self::Repo {
            owner,
            repo,
            git_ref,
        })
    }

    /// Whether this is the action `owner/repo` (case-insensitive).
    pub(super) fn is_action(&self, owner_repo: &str) -> bool {
        match self {
            Self::Repo { owner, repo, .. } => owner_repo.split_once('/').is_some_and(|(o, r)| {
                owner.eq_ignore_ascii_case(o) && repo.eq_ignore_ascii_case(r)
            }),
            _ => false,
        }
    }
}

/// Whether `s` is a full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
pub(super) fn is_commit_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::super::yaml;
    use super::*;

    #[test]
    fn uses_forms() {
        assert_eq!(Uses::parse("./.github/actions/x"), Some(Uses::Local));
        assert_eq!(
            Uses::parse("docker://alpine:3"),
            Some(Uses::Docker { image: "alpine:3" })
        );
        assert_eq!(
            Uses::parse("org/repo/.github/workflows/ci.yml@main"),
            Some(Uses::Repo {
                owner: "org",
                repo: "repo",
                git_ref: Some("main")
            })
        );
        assert_eq!(Uses::parse("${{ matrix.action }}"), None);
        assert!(
            Uses::parse("Actions/Checkout@v4").is_some_and(|u| u.is_action("actions/checkout"))
        );
    }

    #[test]
    fn trigger_forms() {
        for text in [
            "on: pull_request_target\n",
            "on: [push, pull_request_target]\n",
            "on:\n  pull_request_target:\n    types: [opened]\n",
        ] {
            let docs = yaml::parse(text).expect("valid");
            let d = Document::new(DocKind::Workflow, &docs[0]);
            assert!(d.has_trigger("pull_request_target"), "{text}");
        }
    }

    #[test]
    fn sha_shapes() {
        assert!(is_commit_sha("b4ffde65f46336ab88eb53be808477a3936bae11"));
        assert!(!is_commit_sha("b4ffde6"));
        assert!(!is_commit_sha("v4.1.1"));
    }
}
