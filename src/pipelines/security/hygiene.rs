//! Repository hygiene in the spirit of OpenSSF Scorecard (placeholder until implemented).

use anyhow::Result;

use crate::model::{Pipeline, Severity};
use crate::pipelines::{Built, CheckContext, CheckSpec, RuleMeta};

const DOCS: &str = "# hygiene\n";

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[RuleMeta {
    id: "missing-readme",
    name: "No README",
    pipeline: Pipeline::Security,
    default_severity: Severity::Medium,
    summary: "The repository has no README.",
    docs: DOCS,
}];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "hygiene",
    pipeline: Pipeline::Security,
    rules: RULES,
    docs: DOCS,
    build,
};

fn build(_ctx: &CheckContext<'_>) -> Result<Built> {
    Ok(Built::Skipped("not implemented".into()))
}
