//! The online sources (`--online`) against a loopback server that answers like the OSV API
//! and the crates.io sparse index.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::pipelines::testing::fixture;

use super::super::DepsCheck;
use super::super::sources::Sources;
use super::{run_direct, summaries};

/// A loopback HTTP server answering like the OSV API and the crates.io sparse index; counts
/// the advisory downloads.
fn serve(downloads: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let lodash = std::fs::read_to_string(fixture("security/deps/osv/npm/GHSA-35jh-r3h4-6jhm.json"))
        .expect("fixture advisory");
    let modified =
        serde_json::from_str::<serde_json::Value>(&lodash).expect("advisory JSON")["modified"]
            .clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_owned();
            let (status, text) = if path == "/v1/querybatch" {
                let q: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let results: Vec<serde_json::Value> = q["queries"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|query| {
                        if query["package"]["name"] == "lodash" && query["version"] == "4.17.20" {
                            serde_json::json!({"vulns": [{"id": "GHSA-35jh-r3h4-6jhm", "modified": modified}]})
                        } else {
                            serde_json::json!({})
                        }
                    })
                    .collect();
                (
                    "200 OK",
                    serde_json::json!({ "results": results }).to_string(),
                )
            } else if path == "/v1/vulns/GHSA-35jh-r3h4-6jhm" {
                downloads.fetch_add(1, Ordering::SeqCst);
                ("200 OK", lodash.clone())
            } else if path == "/sm/al/smallvec" {
                (
                    "200 OK",
                    "{\"name\":\"smallvec\",\"vers\":\"1.6.0\",\"yanked\":true}\n{\"name\":\"smallvec\",\"vers\":\"1.6.1\",\"yanked\":false}\n".to_owned(),
                )
            } else {
                ("404 Not Found", String::new())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn online_sources_use_the_osv_api_and_the_index_and_cache_advisories() {
    let downloads = Arc::new(AtomicUsize::new(0));
    let base = serve(Arc::clone(&downloads));
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).expect("repo folder");
    std::fs::write(
        root.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .expect("write Cargo.lock");
    std::fs::write(
        root.join("package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/lodash\": {\"version\": \"4.17.20\"},\n    \"node_modules/qs\": {\"version\": \"6.10.3\"}\n  }\n}\n",
    )
    .expect("write package-lock.json");
    let run = || {
        let check = DepsCheck {
            sources: Sources {
                rustsec: None,
                fetch: false,
                osv: None,
                online: Some((base.clone(), base.clone())),
                cache: Some(tmp.path().join("cache")),
            },
            ignore: Vec::new(),
            lockfiles: Mutex::new(Vec::new()),
        };
        run_direct(&check, &root)
    };
    let first = run();
    assert_eq!(first.notes, [format!("OSV API: {base}")]);
    let first = first.findings;
    assert_eq!(
        summaries(&first),
        [
            "Cargo.lock:3 yanked-dependency smallvec 1.6.0",
            "package-lock.json:4 vulnerable-dependency lodash 4.17.20 GHSA-35jh-r3h4-6jhm",
        ]
    );
    assert_eq!(first[1].properties["database"], "osv.dev");
    assert_eq!(
        first[1].properties["fixed_versions"],
        serde_json::json!(["4.17.21"])
    );
    assert!(
        tmp.path()
            .join("cache/osv/GHSA-35jh-r3h4-6jhm.json")
            .is_file()
    );
    // The second run reads the advisory from the cache: its `modified` time is unchanged.
    let second = run().findings;
    assert_eq!(summaries(&second), summaries(&first));
    assert_eq!(downloads.load(Ordering::SeqCst), 1);
}
