//! Findings of the dependency check, built from the rule metadata with structured properties.
//!
//! Every finding points at the lockfile line where the package's entry starts. Its
//! fingerprint is derived from the rule, the lockfile path, the package, its version and the
//! advisory id, so it survives unrelated lines moving and changes when the package is
//! upgraded.

use serde_json::{Value, json};

use crate::model::{Finding, Location};

use super::RULES;
use super::advisory::{Hit, Kind};
use super::lockfile::Package;

/// How many unpinned requirements a message lists by name.
const LISTED_UNPINNED: usize = 5;

fn rule(id: &str) -> &'static crate::pipelines::RuleMeta {
    RULES.iter().find(|r| r.id == id).unwrap_or(&RULES[0])
}

/// A `vulnerable-dependency`, `unmaintained-dependency` or `unsound-dependency` finding.
pub(super) fn advisory(path: &str, package: &Package, hit: &Hit) -> Finding {
    let rule = match hit.kind {
        Kind::Vulnerability => rule("vulnerable-dependency"),
        Kind::Unmaintained => rule("unmaintained-dependency"),
        Kind::Unsound => rule("unsound-dependency"),
    };
    let (name, version) = (&package.name, &package.version);
    let aliases = if hit.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", hit.aliases.join(", "))
    };
    let what = match hit.kind {
        Kind::Vulnerability => "is vulnerable",
        Kind::Unmaintained => "is unmaintained",
        Kind::Unsound => "is unsound",
    };
    let fixed = if hit.fixed.is_empty() {
        String::new()
    } else {
        format!("; fixed in {}", hit.fixed.join(" or "))
    };
    let message = format!(
        "{name} {version} {what}: {}{aliases} {}{fixed}",
        hit.id,
        hit.summary.trim()
    );
    let identity = format!("{name}@{version} {}", hit.id);
    let mut f = rule.finding(message, Some(Location::line(path, package.line)), &identity);
    if hit.kind == Kind::Vulnerability {
        f.severity = hit.severity;
    }
    f.help = Some(match (hit.kind, hit.fixed.first()) {
        (_, Some(first)) => format!(
            "Upgrade {name} to a fixed version ({first}) and regenerate the lockfile, or list {} \
             in security.deps.ignore with the reason it does not apply.",
            hit.id
        ),
        (Kind::Vulnerability, None) => format!(
            "No fixed version is known: replace or remove {name}, or list {} in \
             security.deps.ignore with the reason the risk is accepted.",
            hit.id
        ),
        (Kind::Unmaintained | Kind::Unsound, None) => format!(
            "Read {} and move to the alternative it recommends, or list {} in \
             security.deps.ignore with a reason.",
            hit.url, hit.id
        ),
    });
    let props = &mut f.properties;
    props.insert("package".into(), json!(name));
    props.insert("version".into(), json!(version));
    props.insert("ecosystem".into(), json!(package.ecosystem.osv_name()));
    props.insert("advisory_id".into(), json!(hit.id));
    props.insert("aliases".into(), json!(hit.aliases));
    props.insert("fixed_versions".into(), json!(hit.fixed));
    props.insert("summary".into(), json!(hit.summary));
    props.insert("url".into(), json!(hit.url));
    props.insert("database".into(), json!(hit.origin.as_str()));
    if let Some(c) = &hit.cvss {
        props.insert("cvss_vector".into(), json!(c.vector));
        props.insert("cvss_score".into(), json!(c.score));
    }
    f
}

/// A `yanked-dependency` finding.
pub(super) fn yanked(path: &str, package: &Package) -> Finding {
    let (name, version) = (&package.name, &package.version);
    let mut f = rule("yanked-dependency").finding(
        format!("{name} {version} was yanked from crates.io"),
        Some(Location::line(path, package.line)),
        &format!("{name}@{version}"),
    );
    f.help = Some(format!(
        "Run `cargo update -p {name}` to move to a version that is not yanked."
    ));
    f.properties.insert("package".into(), json!(name));
    f.properties.insert("version".into(), json!(version));
    f.properties.insert("ecosystem".into(), json!("crates.io"));
    f
}

/// An `unparseable-lockfile` finding. The line of the problem, when the reason names one
/// (`line N: …` from vigil's parsers, `… at line N column M` from serde's), becomes the
/// location.
pub(super) fn unparseable(path: &str, why: &str) -> Finding {
    let leading = why
        .strip_prefix("line ")
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse::<u32>().ok());
    let trailing = || {
        let at = why.find(" at line ")?;
        why[at + 9..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse::<u32>()
            .ok()
    };
    let location = match leading.or_else(trailing) {
        Some(l) => Location::line(path, l),
        None => Location::file(path),
    };
    let mut f = rule("unparseable-lockfile").finding(
        format!("{path}: cannot read this lockfile, its dependencies were not checked: {why}"),
        Some(location),
        "unparseable",
    );
    f.help = Some(
        "Regenerate the lockfile with its package manager (or fix the line named), then run \
         vigil again."
            .into(),
    );
    f.properties
        .insert("error".into(), Value::String(why.to_owned()));
    f
}

/// The `unpinned-requirements` finding of one requirements file.
pub(super) fn unpinned(path: &str, unpinned: &[(u32, String)]) -> Finding {
    let names: Vec<&str> = unpinned.iter().map(|(_, r)| r.as_str()).collect();
    let mut listed = names
        .iter()
        .take(LISTED_UNPINNED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED_UNPINNED {
        listed.push_str(&format!(" and {} more", names.len() - LISTED_UNPINNED));
    }
    let first_line = unpinned.first().map_or(1, |u| u.0);
    let mut f = rule("unpinned-requirements").finding(
        format!(
            "{} requirement{} not pinned to one version and not checked: {listed}",
            names.len(),
            if names.len() == 1 { " is" } else { "s are" }
        ),
        Some(Location::line(path, first_line)),
        "unpinned",
    );
    f.help = Some(
        "Pin exact versions (`pip-compile`, `uv pip compile` or `pip freeze` write `name==x.y.z`) \
         so the file is reproducible and can be checked."
            .into(),
    );
    f.properties.insert("requirements".into(), json!(names));
    f
}
