//! The service under test (`integration.service`): start it, wait until it is ready, send the
//! HTTP probes, and stop it — its whole process group, whatever happens.
//!
//! **Lifecycle** (module `lifecycle`). With a start `command`, vigil starts it through
//! [`crate::process::run`] in its own process group and polls `readiness_url` (default
//! `base_url`) until it answers 2xx, for at most `readiness_timeout_seconds`. A service that
//! exits first is `service-start-failed`; one that does not answer in time `service-not-ready`.
//! Without a command the probes go to a service that already runs (staging, `vigil monitor`),
//! after the same readiness wait when a readiness URL is set. Teardown is guaranteed by a drop
//! guard and a thread scope: after success, failure, a panic, or Ctrl-C.
//!
//! **Probes** (module `probe`), one after the other: method, headers, body; expected status,
//! latency budget, body regex, JSON pointer and value. Each way a probe fails is its own rule,
//! so a slow but correct endpoint can be tolerated (`rules: { probe-too-slow: { severity:
//! low } }`) without hiding a wrong answer.
//!
//! **Secrets.** Header values and the service's `env` values are masked in every message and
//! never shown; URLs lose any `user:password@`.
//!
//! The check runs in `vigil check` (integration pipeline) and in every `vigil monitor` cycle.

mod lifecycle;
pub(crate) mod probe;

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::json;

use self::lifecycle::{Session, Startup};
use self::probe::{Failure, Probe, ProbeResult};
use super::commands::tail;
use crate::config::schema::{BenchmarkCommand, ServiceConfig};
use crate::model::{Finding, Metric, Pipeline, Severity};
use crate::pipelines::performance::slug;
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::process::{Capture, Invocation, Program};
use crate::walk::FileIndex;

const DOCS: &str = include_str!("service.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "service-start-failed",
        name: "Service under test did not start",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "The service's start command could not start or exited before it was ready.",
        docs: DOCS,
    },
    RuleMeta {
        id: "service-not-ready",
        name: "Service under test not ready in time",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "The readiness URL did not answer 2xx within the readiness timeout.",
        docs: DOCS,
    },
    RuleMeta {
        id: "probe-unreachable",
        name: "Probe got no answer",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "An HTTP probe got no answer: connection refused, timeout or TLS error.",
        docs: DOCS,
    },
    RuleMeta {
        id: "probe-unexpected-status",
        name: "Probe answered with the wrong status",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "An HTTP probe's answer had another status than expected.",
        docs: DOCS,
    },
    RuleMeta {
        id: "probe-body-mismatch",
        name: "Probe answer has the wrong content",
        pipeline: Pipeline::Integration,
        default_severity: Severity::High,
        summary: "An HTTP probe's answer body did not match its regex or JSON expectation.",
        docs: DOCS,
    },
    RuleMeta {
        id: "probe-too-slow",
        name: "Probe over its latency budget",
        pipeline: Pipeline::Integration,
        default_severity: Severity::Medium,
        summary: "An HTTP probe's answer took longer than its latency budget.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "service",
    pipeline: Pipeline::Integration,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Time from starting the service to its first 2xx readiness answer, in ms.
pub const METRIC_READY_MS: &str = "integration.service_ready_ms";
/// Probes configured.
pub const METRIC_PROBES: &str = "integration.probes";
/// Probes that passed every expectation.
pub const METRIC_PROBES_PASSED: &str = "integration.probes_passed";
/// Passed probes in % of all probes (0 when the service did not become ready).
pub const METRIC_SUCCESS_RATE: &str = "integration.probe_success_rate";

/// Name of the metric holding one probe's latency.
pub fn latency_metric(name: &str) -> String {
    format!("integration.probe.{}.latency_ms", slug(name))
}

/// The service and its probes, resolved and validated.
#[derive(Debug)]
pub(crate) struct Plan {
    /// How to start the service, if vigil starts it.
    pub(crate) start: Option<Invocation>,
    /// URL that answers 2xx when the service is ready.
    pub(crate) readiness: Option<String>,
    /// How long readiness may take.
    pub(crate) readiness_timeout: Duration,
    /// The probes, in configuration order.
    pub(crate) probes: Vec<Probe>,
    /// Values masked in every message (the service's env and the probes' header values).
    pub(crate) secrets: BTreeMap<String, String>,
}

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    let cfg = &ctx.config.integration.service;
    if cfg.command.is_none() && cfg.probes.is_empty() {
        return Ok(Built::Skipped(
            "no service or probes configured (integration.service)".to_owned(),
        ));
    }
    Ok(Built::Ready(Box::new(ServiceCheck {
        plan: plan(cfg, ctx.root)?,
    })))
}

/// `value` with each `${NAME}` replaced by the environment variable `NAME` (read with
/// `lookup`), so a probe's token can come from a CI secret instead of the committed file. A
/// `$` not followed by `{` is kept; a variable that is not set is an error naming it.
pub(crate) fn expand_env(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            bail!("`${{` without a closing `}}`");
        };
        let name = &after[..end];
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            bail!("`${{{name}}}` is not an environment variable name");
        }
        let Some(v) = lookup(name) else {
            bail!("the environment variable {name} is not set");
        };
        out.push_str(&v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Resolve and validate the configuration; errors name the key to fix.
pub(crate) fn plan(cfg: &ServiceConfig, root: &std::path::Path) -> Result<Plan> {
    let base = cfg.base_url.as_ref().map(|u| u.0.as_str());
    let readiness = match (&cfg.readiness_url, base) {
        (Some(url), _) => Some(resolve(url, base).context("integration.service.readiness_url")?),
        (None, Some(b)) if cfg.command.is_some() => Some(b.to_owned()),
        (None, None) if cfg.command.is_some() => bail!(
            "integration.service: a start command needs readiness_url or base_url, so vigil \
             knows when the service is up"
        ),
        _ => None,
    };
    let start = cfg.command.as_ref().map(|command| {
        let program = match command {
            BenchmarkCommand::Shell(line) => Program::Shell(line.clone()),
            BenchmarkCommand::Argv(args) => Program::Argv(args.clone()),
        };
        let cwd = cfg
            .working_dir
            .as_deref()
            .map_or(root.to_path_buf(), |d| root.join(d));
        let mut inv = Invocation::new(program, cwd);
        inv.env = cfg.env.clone();
        inv.stdout = Capture::Last(tail::CAPTURE_BYTES);
        inv.stderr = Capture::Last(tail::CAPTURE_BYTES);
        inv
    });
    let mut secrets = cfg.env.clone();
    let mut probes = Vec::new();
    for (i, p) in cfg.probes.iter().enumerate() {
        let key = format!("integration.service.probes[{i}]");
        let probe = Probe {
            name: p.name.clone(),
            url: resolve(&p.url, base).with_context(|| format!("{key}.url"))?,
            method: p.method,
            headers: p
                .headers
                .iter()
                .map(|(k, v)| {
                    let value = expand_env(v, &|name| std::env::var(name).ok())
                        .with_context(|| format!("{key}.headers.{k}"))?;
                    Ok((k.clone(), value))
                })
                .collect::<Result<_>>()?,
            body: p.body.clone(),
            expect_status: p.expect_status.0,
            latency_budget_ms: p.latency_ms.map(|l| l.0),
            body_regex: p
                .body_regex
                .as_ref()
                .map(|r| regex::Regex::new(&r.0))
                .transpose()
                .with_context(|| format!("{key}.body_regex"))?,
            json_pointer: p.json_pointer.as_ref().map(|j| j.0.clone()),
            expect_value: p.expect_value.clone(),
            timeout: Duration::from_secs_f64(p.timeout_seconds.0),
        };
        probe::request(&probe).with_context(|| format!("{key}: invalid URL or header"))?;
        if probe.expect_value.is_some() && probe.json_pointer.is_none() {
            bail!("{key}: expect_value needs json_pointer, the place in the JSON body to compare");
        }
        for (name, value) in &probe.headers {
            secrets.insert(format!("header {name}"), value.clone());
        }
        probes.push(probe);
    }
    Ok(Plan {
        start,
        readiness,
        readiness_timeout: Duration::from_secs_f64(cfg.readiness_timeout_seconds.0),
        probes,
        secrets,
    })
}

/// `url` as an absolute URL: as is when absolute, else appended to `base`.
fn resolve(url: &str, base: Option<&str>) -> Result<String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(url.to_owned());
    }
    let Some(base) = base else {
        bail!("`{url}` is not an absolute URL and integration.service.base_url is not set");
    };
    Ok(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        url.trim_start_matches('/')
    ))
}

/// Starts the service, probes it, stops it.
struct ServiceCheck {
    plan: Plan,
}

impl Check for ServiceCheck {
    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let session = run(&self.plan)?;
        report(&self.plan, &session, sink);
        Ok(())
    }
}

/// Start, probe and stop; errors only when vigil is interrupted.
pub(crate) fn run(plan: &Plan) -> Result<Session<Vec<ProbeResult>>> {
    lifecycle::with_service(
        plan.start.as_ref(),
        plan.readiness.as_deref(),
        plan.readiness_timeout,
        || plan.probes.iter().map(probe::execute).collect(),
    )
}

/// Findings and metrics of one session.
pub(crate) fn report(plan: &Plan, session: &Session<Vec<ProbeResult>>, sink: &mut Sink) {
    let mask = |text: String| tail::mask(&text, &plan.secrets);
    let command = plan
        .start
        .as_ref()
        .map(|inv| mask(inv.program.display()))
        .unwrap_or_default();
    match &session.startup {
        Startup::Ready(took) => {
            if plan.readiness.is_some() {
                sink.metric(Metric::new(
                    METRIC_READY_MS,
                    round(took.as_secs_f64() * 1000.0),
                    "ms",
                ));
            }
        }
        Startup::CouldNotStart(why) => {
            let mut f = RULES[0].finding(
                mask(format!(
                    "the service under test could not be started: {why}"
                )),
                None,
                "start",
            );
            f.help = Some(format!(
                "Check that `{command}` exists and runs from integration.service.working_dir."
            ));
            sink.push(f);
        }
        Startup::Exited { end, output } => {
            let tail = tail::last_lines(output, &[], &plan.secrets);
            let mut message = format!(
                "the service under test {} before it was ready",
                end.describe()
            );
            if let Some(line) = tail::last_line(&tail) {
                message.push_str(&format!(": {line}"));
            }
            let mut f = RULES[0].finding(mask(message), None, "start");
            f.help = Some(format!(
                "Run `{command}` locally: it must keep running and serve the readiness URL."
            ));
            if !tail.is_empty() {
                f.properties.insert("output_tail".into(), json!(tail));
            }
            sink.push(f);
        }
        Startup::NotReady { waited, last } => {
            let url = plan
                .readiness
                .as_deref()
                .map(display_url)
                .unwrap_or_default();
            let mut f = RULES[1].finding(
                mask(format!(
                    "the service under test was not ready after {} s: {url} — {last}",
                    crate::gate::fmt_num((waited.as_secs_f64() * 10.0).round() / 10.0)
                )),
                None,
                "ready",
            );
            f.help = Some(
                "Make the readiness URL answer 2xx once the service serves requests, or raise \
                 integration.service.readiness_timeout_seconds."
                    .into(),
            );
            sink.push(f);
        }
    }
    if let Some(end) = session.died {
        sink.note(format!(
            "the service under test {} while the probes ran",
            end.describe()
        ));
    }
    if plan.probes.is_empty() {
        return;
    }
    let results = session.value.as_deref().unwrap_or_default();
    let mut passed = 0u64;
    for (probe, result) in plan.probes.iter().zip(results) {
        if let Some(ms) = result.latency_ms {
            sink.metric(Metric::new(latency_metric(&probe.name), round(ms), "ms"));
        }
        if result.failures.is_empty() {
            passed += 1;
        }
        for failure in &result.failures {
            let mut f = probe_finding(probe, failure);
            f.message = mask(f.message);
            if let Some(status) = result.status {
                f.properties.insert("status".into(), json!(status));
            }
            if let Some(ms) = result.latency_ms {
                f.properties.insert("latency_ms".into(), json!(round(ms)));
            }
            sink.push(f);
        }
    }
    let total = plan.probes.len() as u64;
    sink.metric(Metric::new(METRIC_PROBES, total as f64, "count"));
    sink.metric(Metric::new(METRIC_PROBES_PASSED, passed as f64, "count"));
    let rate = passed as f64 * 100.0 / total as f64;
    sink.metric(Metric::new(
        METRIC_SUCCESS_RATE,
        (rate * 100.0).round() / 100.0,
        "%",
    ));
}

/// The finding for one way a probe failed.
fn probe_finding(probe: &Probe, failure: &Failure) -> Finding {
    let what = format!(
        "probe `{}` ({} {})",
        probe.name,
        probe.method.as_str(),
        display_url(&probe.url)
    );
    let (rule, message, help, kind) = match failure {
        Failure::Unreachable(why) => (
            &RULES[2],
            format!("{what} got no answer: {why}"),
            "Check that the service listens on this host and port and answers within the \
             probe's timeout_seconds.",
            "unreachable",
        ),
        Failure::Status { got, expected } => (
            &RULES[3],
            format!("{what} answered {got}, expected {expected}"),
            "Fix the endpoint, or set the probe's expect_status if the answer is right.",
            "status",
        ),
        Failure::Body(why) => (
            &RULES[4],
            format!("{what}: {why}"),
            "Fix the endpoint's answer, or the probe's body_regex / json_pointer / \
             expect_value.",
            "body",
        ),
        Failure::Slow { ms, budget } => (
            &RULES[5],
            format!(
                "{what} took {} ms, over its {} ms budget",
                ms.round(),
                crate::gate::fmt_num(*budget)
            ),
            "Find what makes the endpoint slow, or raise the probe's latency_ms if the budget \
             was too tight.",
            "slow",
        ),
    };
    let mut f = rule.finding(message, None, &format!("{}\0{kind}", probe.name));
    f.help = Some(help.to_owned());
    f.properties.insert("probe".into(), json!(probe.name));
    f
}

/// A URL without any `user:password@`.
fn display_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..host_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://…[redacted]@{host}{}", &rest[host_end..]),
        None => url.to_owned(),
    }
}

/// `v` rounded to 0.1.
fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(all(test, unix))]
mod tests;
