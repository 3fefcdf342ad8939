//! One HTTP probe: send the request, time the answer, and judge it against the expectations.
//!
//! The client is `ureq` (blocking, rustls), the crate the documentation and dependency checks
//! already use. Each probe gets a fresh agent, so its latency includes connecting, as a user's
//! first request would; redirects are not followed (a probe may expect a 301); loopback hosts
//! bypass any configured proxy. Latency runs from sending the request to the last byte of the
//! body (at most [`BODY_LIMIT`] bytes are read).

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use regex::Regex;
use serde_json::Value;

use crate::config::schema::HttpMethod;

/// Most bytes of an answer body read and judged.
pub(crate) const BODY_LIMIT: u64 = 4 * 1024 * 1024;

/// A probe ready to send: URLs resolved, patterns compiled.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    /// Name from the configuration.
    pub(crate) name: String,
    /// Absolute URL.
    pub(crate) url: String,
    /// HTTP method.
    pub(crate) method: HttpMethod,
    /// Request headers (values never shown).
    pub(crate) headers: Vec<(String, String)>,
    /// Request body.
    pub(crate) body: Option<String>,
    /// Status the answer must have.
    pub(crate) expect_status: u16,
    /// Latency budget in ms.
    pub(crate) latency_budget_ms: Option<f64>,
    /// Pattern the body must match.
    pub(crate) body_regex: Option<Regex>,
    /// JSON pointer that must resolve in the body.
    pub(crate) json_pointer: Option<String>,
    /// Value expected at the pointer.
    pub(crate) expect_value: Option<Value>,
    /// Time allowed for the whole exchange.
    pub(crate) timeout: Duration,
}

/// Why a probe failed; a probe may fail in several ways at once (slow and wrong).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// No answer: connection refused, timeout, TLS error…
    Unreachable(String),
    /// The answer had another status.
    Status {
        /// Status received.
        got: u16,
        /// Status expected.
        expected: u16,
    },
    /// The answer took longer than the budget.
    Slow {
        /// Measured latency, ms.
        ms: f64,
        /// Budget, ms.
        budget: f64,
    },
    /// The body did not match the regex or the JSON expectation (the reason).
    Body(String),
}

/// What one probe gave.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProbeResult {
    /// Latency in ms, when the server answered.
    pub(crate) latency_ms: Option<f64>,
    /// Status received, when the server answered.
    pub(crate) status: Option<u16>,
    /// Everything wrong with the answer; empty means the probe passed.
    pub(crate) failures: Vec<Failure>,
}

/// Whether a URL's host is the loopback interface.
fn is_loopback(url: &str) -> bool {
    [
        "http://127.",
        "http://localhost",
        "http://[::1]",
        "https://127.",
        "https://localhost",
    ]
    .iter()
    .any(|p| url.starts_with(p))
}

/// An agent that returns every status and redirect to the caller.
fn agent(url: &str, timeout: Duration) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(format!(
            "vigil/{} (+https://github.com/vigil-ci/vigil)",
            env!("CARGO_PKG_VERSION")
        ));
    if is_loopback(url) {
        config = config.proxy(None);
    }
    config.build().into()
}

/// The request of `probe`; errors name what is invalid (a header name, the URL).
pub(crate) fn request(probe: &Probe) -> Result<ureq::http::Request<Vec<u8>>> {
    let mut builder = ureq::http::Request::builder()
        .method(probe.method.as_str())
        .uri(&probe.url);
    for (name, value) in &probe.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(probe.body.clone().unwrap_or_default().into_bytes())
        .with_context(|| format!("probe `{}`: invalid URL or header", probe.name))
}

/// Send `probe` and judge the answer.
pub(crate) fn execute(probe: &Probe) -> ProbeResult {
    let agent = agent(&probe.url, probe.timeout);
    let start = Instant::now();
    let answer = exchange(&agent, probe);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match answer {
        Ok((status, body)) => ProbeResult {
            latency_ms: Some(ms),
            status: Some(status),
            failures: judge(probe, status, &body, ms),
        },
        Err(why) => ProbeResult {
            latency_ms: None,
            status: None,
            failures: vec![Failure::Unreachable(why)],
        },
    }
}

/// One exchange: the status and up to [`BODY_LIMIT`] bytes of body, or why there is none.
fn exchange(agent: &ureq::Agent, probe: &Probe) -> std::result::Result<(u16, Vec<u8>), String> {
    let request = request(probe).map_err(|e| format!("{e:#}"))?;
    let has_body = probe.body.is_some();
    let sent = if has_body {
        agent.run(request)
    } else {
        let (parts, _) = request.into_parts();
        agent.run(ureq::http::Request::from_parts(parts, ()))
    };
    let mut response = sent.map_err(|e| describe(&e, probe.timeout))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(BODY_LIMIT)
        .read_to_end(&mut body)
        .map_err(|e| format!("the answer broke off: {e}"))?;
    Ok((status, body))
}

/// A short reason for a request that got no answer.
fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!(
            "no answer within {} s",
            crate::gate::fmt_num(timeout.as_secs_f64())
        ),
        other => other.to_string(),
    }
}

/// Everything wrong with an answer. Body expectations are judged only when the status is the
/// expected one (the body of an error page says nothing about the service).
pub(crate) fn judge(probe: &Probe, status: u16, body: &[u8], ms: f64) -> Vec<Failure> {
    let mut failures = Vec::new();
    if status != probe.expect_status {
        failures.push(Failure::Status {
            got: status,
            expected: probe.expect_status,
        });
    } else {
        if let Some(re) = &probe.body_regex
            && !re.is_match(&String::from_utf8_lossy(body))
        {
            failures.push(Failure::Body(format!(
                "the body does not match `{}`",
                re.as_str()
            )));
        }
        if let Some(pointer) = &probe.json_pointer
            && let Some(why) = json_mismatch(body, pointer, probe.expect_value.as_ref())
        {
            failures.push(Failure::Body(why));
        }
    }
    if let Some(budget) = probe.latency_budget_ms
        && ms > budget
    {
        failures.push(Failure::Slow { ms, budget });
    }
    failures
}

/// Why the JSON body does not hold `expected` (or anything) at `pointer`, if it does not.
fn json_mismatch(body: &[u8], pointer: &str, expected: Option<&Value>) -> Option<String> {
    let doc: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("the body is not JSON ({e})")),
    };
    let Some(found) = doc.pointer(pointer) else {
        return Some(format!("the JSON body has no value at `{pointer}`"));
    };
    match expected {
        Some(want) if !same_json(found, want) => Some(format!(
            "the JSON value at `{pointer}` is {}, expected {}",
            short(found),
            short(want)
        )),
        _ => None,
    }
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A JSON value as compact text, at most 80 characters.
fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= 80 {
        text
    } else {
        let mut s: String = text.chars().take(80).collect();
        s.push('…');
        s
    }
}

/// GET `url` once: its status, or why there was none. Used to wait for readiness.
pub(crate) fn status_of(url: &str, timeout: Duration) -> std::result::Result<u16, String> {
    let agent = agent(url, timeout);
    let mut response = agent.get(url).call().map_err(|e| describe(&e, timeout))?;
    // Drain a little of the body so the server is not cut off mid-write.
    let _ = response
        .body_mut()
        .as_reader()
        .take(64 * 1024)
        .read_to_end(&mut Vec::new());
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe() -> Probe {
        Probe {
            name: "p".into(),
            url: "http://127.0.0.1:1/".into(),
            method: HttpMethod::Get,
            headers: Vec::new(),
            body: None,
            expect_status: 200,
            latency_budget_ms: Some(100.0),
            body_regex: None,
            json_pointer: None,
            expect_value: None,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn status_and_latency_are_judged_independently() {
        let p = probe();
        assert!(judge(&p, 200, b"", 50.0).is_empty());
        assert_eq!(
            judge(&p, 500, b"", 150.0),
            vec![
                Failure::Status {
                    got: 500,
                    expected: 200
                },
                Failure::Slow {
                    ms: 150.0,
                    budget: 100.0
                }
            ]
        );
    }

    #[test]
    fn body_expectations_apply_only_to_the_expected_status() {
        let mut p = probe();
        p.body_regex = Some(Regex::new("\"ok\"").expect("regex"));
        assert!(judge(&p, 200, br#"{"status":"ok"}"#, 1.0).is_empty());
        assert_eq!(
            judge(&p, 200, b"down", 1.0),
            vec![Failure::Body("the body does not match `\"ok\"`".into())]
        );
        // A 500 is reported for its status, not for its body.
        assert_eq!(judge(&p, 500, b"down", 1.0).len(), 1);
    }

    #[test]
    fn json_pointer_must_resolve_and_equal_the_expected_value() {
        let mut p = probe();
        p.json_pointer = Some("/checks/0/up".into());
        let body = br#"{"checks":[{"up":true,"n":1.0}]}"#;
        assert!(judge(&p, 200, body, 1.0).is_empty());
        p.expect_value = Some(Value::Bool(false));
        assert_eq!(
            judge(&p, 200, body, 1.0),
            vec![Failure::Body(
                "the JSON value at `/checks/0/up` is true, expected false".into()
            )]
        );
        p.json_pointer = Some("/checks/0/n".into());
        p.expect_value = Some(serde_json::json!(1));
        assert!(judge(&p, 200, body, 1.0).is_empty(), "1 equals 1.0");
        p.json_pointer = Some("/missing".into());
        assert_eq!(
            judge(&p, 200, body, 1.0),
            vec![Failure::Body(
                "the JSON body has no value at `/missing`".into()
            )]
        );
        assert!(matches!(
            judge(&p, 200, b"<html>", 1.0).as_slice(),
            [Failure::Body(why)] if why.starts_with("the body is not JSON")
        ));
    }
}
