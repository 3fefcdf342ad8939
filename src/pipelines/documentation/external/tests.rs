//! Tests of the external links check against a local HTTP server on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;
use crate::config::Config;
use crate::config::schema::RegexPattern;
use crate::pipelines::testing::{fixture, render};
use crate::walk::{WalkOptions, walk};

/// Requests the server saw, by path and method.
#[derive(Default)]
struct Seen {
    limited: AtomicUsize,
    ok: AtomicUsize,
    error: AtomicUsize,
    slow_active: AtomicUsize,
    slow_max: AtomicUsize,
}

/// Start the test server; returns its base URL. Each connection is served on its own thread
/// and closed after one answer; `/hang` holds its connection for 5 s without answering.
fn server(seen: Arc<Seen>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || serve(stream, &seen));
        }
    });
    format!("http://{addr}")
}

fn serve(mut stream: TcpStream, seen: &Seen) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let (status, extra) = match path.as_str() {
        "/ok" => {
            seen.ok.fetch_add(1, Ordering::SeqCst);
            ("200 OK", String::new())
        }
        "/moved" => ("301 Moved Permanently", "Location: /ok\r\n".to_owned()),
        "/temp" => ("302 Found", "Location: /ok\r\n".to_owned()),
        "/head-refused" if method == "HEAD" => ("405 Method Not Allowed", String::new()),
        "/head-refused" => ("200 OK", String::new()),
        "/limited" => {
            if seen.limited.fetch_add(1, Ordering::SeqCst) == 0 {
                ("429 Too Many Requests", "Retry-After: 1\r\n".to_owned())
            } else {
                ("200 OK", String::new())
            }
        }
        "/error" => {
            seen.error.fetch_add(1, Ordering::SeqCst);
            ("500 Internal Server Error", String::new())
        }
        p if p.starts_with("/slow") => {
            let now = seen.slow_active.fetch_add(1, Ordering::SeqCst) + 1;
            seen.slow_max.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(150));
            seen.slow_active.fetch_sub(1, Ordering::SeqCst);
            ("200 OK", String::new())
        }
        "/hang" => {
            std::thread::sleep(Duration::from_secs(5));
            return;
        }
        _ => ("404 Not Found", String::new()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

/// A configuration for tests: short timeout, one quick retry, cache in `cache`.
fn config(cache: &std::path::Path) -> Config {
    let mut config = Config::default();
    let ext = &mut config.documentation.external;
    ext.timeout_seconds = std::num::NonZeroU64::new(1).expect("1 is not zero");
    ext.retries = 1;
    ext.cache_dir = Some(cache.display().to_string());
    ext.exclude = vec![RegexPattern(r"^http://localhost:1/".to_owned())];
    config
}

/// Run the check with `--online` on `dir`, as the runner would.
fn run_online(dir: &std::path::Path, config: &Config) -> (Vec<crate::model::Finding>, Sink) {
    let ctx = CheckContext {
        root: dir,
        config,
        offline: false,
        git_history: false,
        online: true,
        advisories: Default::default(),
        diff_base: None,
        cache_dir: None,
    };
    let Ok(Built::Ready(check)) = build(&ctx) else {
        panic!("the check builds when online");
    };
    let opts = WalkOptions {
        root: dir.to_path_buf(),
        exclude: Vec::new(),
        max_file_size: 1 << 20,
        skip_dirs: Vec::new(),
        threads: 1,
    };
    let out = walk(&opts, &[check.as_ref()], None).expect("walk");
    let mut sink = Sink::default();
    check
        .check_repo(&ctx, &out.index, &mut sink)
        .expect("check_repo");
    let mut findings = std::mem::take(&mut sink.findings);
    findings.sort_by(crate::model::Finding::cmp_order);
    (findings, sink)
}

fn metric(sink: &Sink, name: &str) -> Option<f64> {
    sink.metrics
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.value)
}

#[test]
fn checks_every_answer_kind_and_caches_working_links() {
    let seen = Arc::new(Seen::default());
    let base = server(Arc::clone(&seen));
    let tmp = tempfile::tempdir().expect("tempdir");
    let page = std::fs::read_to_string(fixture("documentation/external/page.md.in")).expect("page");
    std::fs::write(tmp.path().join("README.md"), page.replace("{base}", &base)).expect("write");
    let cache = tempfile::tempdir().expect("cache dir");
    let config = config(cache.path());

    let started = Instant::now();
    let (findings, sink) = run_online(tmp.path(), &config);
    let elapsed = started.elapsed();
    let text = render(&findings).replace(&base, "{base}");
    insta::assert_snapshot!(text, @r"
    README.md:4:3 redirected-external-link info `{base}/moved` moved permanently (301) to `{base}/ok`
    README.md:6:3 broken-external-link medium `{base}/missing.png` answered 404 Not Found
    README.md:9:3 broken-external-link medium `{base}/error` answered 500 Internal Server Error
    README.md:10:9 broken-external-link medium `{base}/missing-bare` answered 404 Not Found
    ");
    assert_eq!(findings.len(), 4);
    assert_eq!(
        findings[1].properties.get("status"),
        Some(&serde_json::Value::from(404))
    );
    // 9 link occurrences: `ok` twice; the excluded and the code-span URL are not counted.
    assert_eq!(metric(&sink, EXTERNAL_TOTAL), Some(9.0));
    assert_eq!(metric(&sink, EXTERNAL_BROKEN), Some(3.0));
    assert_eq!(metric(&sink, REFERENCES_TOTAL), Some(9.0));
    // 429 then 200: waited for Retry-After (1 s) and asked twice.
    assert_eq!(seen.limited.load(Ordering::SeqCst), 2);
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    // 500: one HEAD and one GET per attempt, two attempts.
    assert_eq!(seen.error.load(Ordering::SeqCst), 4);

    // Second run: working links come from the cache; broken ones are asked again.
    let ok_before = seen.ok.load(Ordering::SeqCst);
    let errors_before = seen.error.load(Ordering::SeqCst);
    let (again, sink) = run_online(tmp.path(), &config);
    assert_eq!(
        again
            .iter()
            .filter(|f| f.rule_id == "broken-external-link")
            .count(),
        3
    );
    assert_eq!(
        seen.ok.load(Ordering::SeqCst),
        ok_before,
        "/ok came from the cache"
    );
    assert!(
        seen.error.load(Ordering::SeqCst) > errors_before,
        "/error was asked again"
    );
    assert!(
        sink.notes.iter().any(|n| n.contains("from the cache")),
        "{:?}",
        sink.notes
    );
    let cached = std::fs::read_to_string(cache.path().join("links.json")).expect("cache file");
    assert!(cached.contains(&format!("{base}/ok")));
    assert!(!cached.contains(&format!("{base}/error")));
}

#[test]
fn a_hanging_server_times_out_within_the_timeout() {
    let base = server(Arc::new(Seen::default()));
    let cfg = ClientConfig {
        concurrency: 1,
        per_host: 1,
        timeout: Duration::from_secs(1),
        retries: 0,
        max_retry_after: Duration::from_secs(5),
        accept: Vec::new(),
    };
    let started = Instant::now();
    let outcomes = client::check_all(&[format!("{base}/hang")], &cfg);
    let elapsed = started.elapsed();
    assert_eq!(
        outcomes,
        [Outcome::Broken {
            status: None,
            reason: "timed out after 1 s".to_owned()
        }]
    );
    assert!(elapsed < Duration::from_millis(2500), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_millis(900), "took {elapsed:?}");
}

#[test]
fn a_long_retry_after_is_not_waited_for() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let cfg = ClientConfig {
        concurrency: 1,
        per_host: 1,
        timeout: Duration::from_secs(2),
        retries: 3,
        max_retry_after: Duration::from_secs(60),
        accept: Vec::new(),
    };
    let started = Instant::now();
    let outcomes = client::check_all(&[format!("http://{addr}/x")], &cfg);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        outcomes,
        [Outcome::Broken {
            status: Some(429),
            reason: "rate limited; the server asks to wait 3600 s".to_owned()
        }]
    );
}

#[test]
fn the_per_host_limit_holds() {
    let run = |per_host: usize| {
        let seen = Arc::new(Seen::default());
        let base = server(Arc::clone(&seen));
        let urls: Vec<String> = (0..4).map(|i| format!("{base}/slow/{i}")).collect();
        let cfg = ClientConfig {
            concurrency: 4,
            per_host,
            timeout: Duration::from_secs(2),
            retries: 0,
            max_retry_after: Duration::from_secs(1),
            accept: Vec::new(),
        };
        let outcomes = client::check_all(&urls, &cfg);
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Outcome::Ok { status: 200, .. })),
            "{outcomes:?}"
        );
        seen.slow_max.load(Ordering::SeqCst)
    };
    assert_eq!(run(1), 1, "one request at a time to the host");
    assert!(run(4) >= 2, "requests to the host overlap when allowed");
}

#[test]
fn skipped_without_online() {
    let config = Config::default();
    let ctx = CheckContext {
        root: std::path::Path::new("."),
        config: &config,
        offline: false,
        git_history: false,
        online: false,
        advisories: Default::default(),
        diff_base: None,
        cache_dir: None,
    };
    match build(&ctx) {
        Ok(Built::Skipped(why)) => assert_eq!(why, OFFLINE_REASON),
        _ => panic!("must skip without --online"),
    }
}

#[test]
fn default_excludes_skip_loopback_and_example_domains() {
    let config = Config::default();
    let res: Vec<Regex> = config
        .documentation
        .external
        .exclude
        .iter()
        .map(|p| Regex::new(&p.0).expect("valid"))
        .collect();
    let excluded = |u: &str| res.iter().any(|r| r.is_match(u));
    for u in [
        "http://localhost:8080/x",
        "https://127.0.0.1/",
        "https://example.com",
        "https://docs.example.org/a",
        "http://[::1]:3000",
    ] {
        assert!(excluded(u), "{u}");
    }
    for u in [
        "https://github.com/x",
        "https://localhost.dev/",
        "https://example.community/",
    ] {
        assert!(!excluded(u), "{u}");
    }
}
