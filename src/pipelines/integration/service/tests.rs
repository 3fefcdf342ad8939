//! Probes against a server the test starts, and the service lifecycle with real processes:
//! every test that starts a process proves it is gone afterwards.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::config::Config;
use crate::pipelines::testing::{fixture, render, rule_ids};
use crate::process::is_gone;

fn config(yaml: &str) -> Config {
    crate::config::parse(Path::new("vigil.yml"), yaml)
        .unwrap_or_else(|e| panic!("test config must load: {e}\n{yaml}"))
}

/// Plan, run and report the service section of `yaml` with the repository at `root`.
fn check(yaml: &str, root: &Path) -> (Vec<Finding>, Vec<Metric>) {
    let cfg = config(yaml);
    let plan = plan(&cfg.integration.service, root).expect("plan");
    let session = run(&plan).expect("not interrupted");
    let mut sink = Sink::default();
    report(&plan, &session, &mut sink);
    let mut findings = sink.findings;
    findings.sort_by(Finding::cmp_order);
    (findings, sink.metrics)
}

fn metric(metrics: &[Metric], name: &str) -> Option<f64> {
    metrics.iter().find(|m| m.name == name).map(|m| m.value)
}

/// Serve the fixture routes on a loopback port from a thread of the test; returns the base URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://{addr}")
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match path {
        "/ok" => (200, r#"{"status":"ok"}"#),
        "/error" => (500, r#"{"error":"boom"}"#),
        "/slow" => {
            std::thread::sleep(Duration::from_millis(400));
            (200, r#"{"status":"ok"}"#)
        }
        "/mismatch" => (200, r#"{"status":"degraded"}"#),
        _ => (404, "{}"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Probes for the four outcomes, against `base`.
fn probes(base: &str) -> String {
    format!(
        r#"
integration:
  service:
    base_url: {base}
    probes:
      - name: ok
        url: /ok
        latency_ms: 5000
        json_pointer: /status
        expect_value: ok
      - name: error
        url: /error
      - name: slow
        url: /slow
        latency_ms: 150
      - name: mismatch
        url: /mismatch
        body_regex: '"ok"'
"#
    )
}

#[test]
fn probes_against_a_local_server_find_each_failure() {
    let base = serve();
    let (findings, metrics) = check(&probes(&base), Path::new("."));
    assert_eq!(
        rule_ids(&findings),
        [
            "probe-body-mismatch",
            "probe-too-slow",
            "probe-unexpected-status"
        ],
        "{}",
        render(&findings)
    );
    let by_rule = |id: &str| {
        findings
            .iter()
            .find(|f| f.rule_id == id)
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        by_rule("probe-unexpected-status"),
        format!("probe `error` (GET {base}/error) answered 500, expected 200")
    );
    assert_eq!(
        by_rule("probe-body-mismatch"),
        format!("probe `mismatch` (GET {base}/mismatch): the body does not match `\"ok\"`")
    );
    assert!(
        by_rule("probe-too-slow").ends_with("ms, over its 150 ms budget"),
        "{}",
        by_rule("probe-too-slow")
    );
    assert_eq!(metric(&metrics, METRIC_PROBES), Some(4.0));
    assert_eq!(metric(&metrics, METRIC_PROBES_PASSED), Some(1.0));
    assert_eq!(metric(&metrics, METRIC_SUCCESS_RATE), Some(25.0));
    let slow = metric(&metrics, &latency_metric("slow")).expect("slow latency");
    assert!(slow >= 400.0, "{slow} ms");
    assert!(metric(&metrics, &latency_metric("ok")).is_some_and(|ms| ms < 400.0));
    // No start command: nothing to wait for, no readiness metric.
    assert_eq!(metric(&metrics, METRIC_READY_MS), None);
}

#[test]
fn a_closed_port_is_unreachable_and_headers_stay_secret() {
    // Bind and drop: the port is (very likely) closed now.
    let port = free_port();
    let yaml = format!(
        r#"
integration:
  service:
    probes:
      - name: admin
        url: http://127.0.0.1:{port}/admin?key=tok_0123456789abcdef
        headers: {{ Authorization: "tok_0123456789abcdef" }}
        timeout_seconds: 2
"#
    );
    let (findings, metrics) = check(&yaml, Path::new("."));
    assert_eq!(rule_ids(&findings), ["probe-unreachable"]);
    let message = &findings[0].message;
    assert!(message.contains("got no answer"), "{message}");
    assert!(!message.contains("0123456789abcdef"), "{message}");
    assert!(message.contains("tok_…[redacted]"), "{message}");
    assert_eq!(metric(&metrics, METRIC_SUCCESS_RATE), Some(0.0));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The service section starting `fixtures/integration/service/server.py`.
fn python_service(port: u16, pid_file: &Path, extra_env: &str, probes: &str) -> String {
    let dir = fixture("integration/service");
    format!(
        r#"
integration:
  service:
    command: [python3, server.py]
    working_dir: "{dir}"
    env: {{ PORT: "{port}", PID_FILE: "{pid}"{extra_env} }}
    base_url: http://127.0.0.1:{port}
    readiness_url: /health
    readiness_timeout_seconds: 20
{probes}"#,
        dir = dir.display(),
        pid = pid_file.display(),
    )
}

#[test]
fn service_started_by_vigil_is_probed_and_stopped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pid_file = tmp.path().join("pid");
    let port = free_port();
    let probes = r#"    probes:
      - name: health
        url: /health
        json_pointer: /version
        expect_value: 2.0
      - name: error
        url: /error
      - name: slow
        url: /slow
        latency_ms: 150
      - name: mismatch
        url: /mismatch
        json_pointer: /status
        expect_value: ok
"#;
    let yaml = python_service(port, &pid_file, "", probes);
    let (findings, metrics) = check(&yaml, Path::new("."));
    let pid = read_pid(&pid_file);
    assert!(is_gone(pid), "the service (pid {pid}) survived the check");
    assert_eq!(findings.len(), 3, "{}", render(&findings));
    let rendered = render(&findings).replace(&port.to_string(), "PORT");
    let text = regex::Regex::new(r"took \d+ ms")
        .expect("regex")
        .replace_all(&rendered, "took [N] ms");
    insta::assert_snapshot!(text.as_ref());
    let ready = metric(&metrics, METRIC_READY_MS).expect("readiness time");
    assert!(ready > 0.0 && ready < 20_000.0, "{ready} ms");
    assert_eq!(metric(&metrics, METRIC_PROBES_PASSED), Some(1.0));
}

#[test]
fn a_service_that_dies_at_start_is_reported_with_its_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pid_file = tmp.path().join("pid");
    let yaml = python_service(
        free_port(),
        &pid_file,
        r#", EXIT_AT_START: "3""#,
        "    probes: [{ name: health, url: /health }]\n",
    );
    let (findings, metrics) = check(&yaml, Path::new("."));
    assert_eq!(rule_ids(&findings), ["service-start-failed"]);
    assert_eq!(
        findings[0].message,
        "the service under test exited with status 3 before it was ready: fatal: cannot open \
         the database"
    );
    let tail = findings[0].properties["output_tail"].as_str().unwrap_or("");
    assert!(tail.contains("starting up"), "{tail}");
    // Probes count as failed when the service never became ready.
    assert_eq!(metric(&metrics, METRIC_SUCCESS_RATE), Some(0.0));
    assert!(is_gone(read_pid(&pid_file)));
}

#[test]
fn a_service_never_ready_is_stopped_at_the_timeout() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pid_file = tmp.path().join("pid");
    let yaml = format!(
        r#"
integration:
  service:
    command: 'echo $$ > "{pid}"; exec sleep 30'
    base_url: http://127.0.0.1:{port}
    readiness_timeout_seconds: 0.5
"#,
        pid = pid_file.display(),
        port = free_port()
    );
    let start = Instant::now();
    let (findings, _) = check(&yaml, Path::new("."));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(rule_ids(&findings), ["service-not-ready"]);
    assert!(
        findings[0]
            .message
            .starts_with("the service under test was not ready after 0.5 s"),
        "{}",
        findings[0].message
    );
    assert!(is_gone(read_pid(&pid_file)), "sleep survived");
}

#[test]
fn a_panic_during_the_probes_still_stops_the_service() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pid_file = tmp.path().join("pid");
    let port = free_port();
    let cfg = config(&python_service(port, &pid_file, "", ""));
    let plan = plan(&cfg.integration.service, Path::new(".")).expect("plan");
    let outcome = std::panic::catch_unwind(|| {
        lifecycle::with_service(
            plan.start.as_ref(),
            plan.readiness.as_deref(),
            plan.readiness_timeout,
            || panic!("a probe blew up"),
        )
    });
    assert!(outcome.is_err(), "the panic propagates");
    assert!(is_gone(read_pid(&pid_file)), "the service survived a panic");
}

#[test]
fn configuration_mistakes_name_the_key() {
    let err = plan(
        &config("integration:\n  service:\n    probes: [{ name: a, url: /health }]\n")
            .integration
            .service,
        Path::new("."),
    )
    .expect_err("relative URL without base");
    assert!(
        format!("{err:#}").contains("integration.service.probes[0].url"),
        "{err:#}"
    );
    let err = plan(
        &config("integration:\n  service:\n    command: app serve\n")
            .integration
            .service,
        Path::new("."),
    )
    .expect_err("no readiness URL");
    assert!(format!("{err:#}").contains("readiness_url"), "{err:#}");
    let err = crate::config::parse(
        Path::new("vigil.yml"),
        "integration:\n  service:\n    probes:\n      - { name: a, url: /a, expect_status: 700 }\n",
    )
    .expect_err("impossible status");
    assert!(err.to_string().contains("700"), "{err}");
    assert_eq!(
        display_url("https://user:pw@example.com/x?y"),
        "https://…[redacted]@example.com/x?y"
    );
}

fn read_pid(path: &Path) -> i32 {
    // The service writes the file as it starts; give a slow machine a moment.
    for _ in 0..100 {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no pid in {}", path.display());
}

#[test]
fn header_values_name_environment_variables() {
    let env = |name: &str| match name {
        "TOKEN" => Some("tok_9f8e7d6c5b4a".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let ok = |v: &str| expand_env(v, &env).unwrap_or_else(|e| panic!("{v}: {e:#}"));
    assert_eq!(ok("Bearer ${TOKEN}"), "Bearer tok_9f8e7d6c5b4a");
    assert_eq!(ok("${TOKEN}:${EMPTY}x"), "tok_9f8e7d6c5b4a:x");
    assert_eq!(ok("price $5 and $TOKEN"), "price $5 and $TOKEN");
    for (value, why) in [
        ("${MISSING}", "MISSING is not set"),
        ("${1X}", "not an environment variable name"),
        ("${}", "not an environment variable name"),
        ("Bearer ${TOKEN", "without a closing"),
    ] {
        let err = expand_env(value, &env).expect_err(value);
        assert!(format!("{err:#}").contains(why), "{value}: {err:#}");
    }

    // In a plan: PATH is set wherever tests run; the expanded value is kept for redaction, and
    // an unset variable is an error naming the key to fix.
    let with_header = |header: &str| {
        let cfg = config(&format!(
            "integration:\n  service:\n    probes:\n      - name: api\n        \
             url: http://127.0.0.1:9/health\n        headers: {{ {header} }}\n"
        ));
        plan(&cfg.integration.service, Path::new("."))
    };
    let path = std::env::var("PATH").expect("PATH is set");
    let planned = with_header(r#"X-Path: "p=${PATH}""#).expect("plan");
    let want = format!("p={path}");
    assert_eq!(
        planned.probes[0].headers,
        [("X-Path".to_owned(), want.clone())]
    );
    assert!(planned.secrets.values().any(|v| *v == want));
    let err = with_header(r#"Authorization: "Bearer ${VIGIL_TEST_UNSET_TOKEN_7F3A}""#)
        .expect_err("unset variable");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("integration.service.probes[0].headers.Authorization")
            && msg.contains("VIGIL_TEST_UNSET_TOKEN_7F3A is not set"),
        "{msg}"
    );
}
