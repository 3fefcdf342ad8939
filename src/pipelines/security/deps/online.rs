//! Network sources, used only with `--online` (never with `--offline`):
//!
//! * the OSV API: `POST /v1/querybatch` with every locked package, then `GET /v1/vulns/{id}`
//!   for each advisory it names. Full advisories are cached as `<cache>/osv/<id>.json` and
//!   reused while their `modified` time is unchanged. The base URL is
//!   `https://api.osv.dev`, or `VIGIL_OSV_API_URL` (tests point it at a local server).
//! * the crates.io sparse index, to learn which locked crates were yanked: one
//!   `GET /<prefix>/<name>` per crate, eight at a time. The base URL is
//!   `https://index.crates.io`, or `VIGIL_CRATES_INDEX_URL`.
//!
//! The HTTP client is `ureq` (blocking, rustls): a small tree for a batch tool that makes a
//! handful of requests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::json;

use super::advisory::{Hit, Origin};
use super::lockfile::{Ecosystem, Package};
use super::osv;

/// Default OSV API base URL.
pub(crate) const OSV_API: &str = "https://api.osv.dev";
/// Default crates.io sparse index base URL.
pub(crate) const CRATES_INDEX: &str = "https://index.crates.io";
/// Most queries the OSV API accepts in one batch.
const BATCH: usize = 1000;
/// Concurrent index requests.
const INDEX_WORKERS: usize = 8;

/// An HTTP agent for `base`: timeouts, vigil's user agent, and no proxy for loopback hosts.
fn agent(base: &str) -> ureq::Agent {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| base.starts_with(p));
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .user_agent(format!(
            "vigil/{} (+https://github.com/vigil-ci/vigil)",
            env!("CARGO_PKG_VERSION")
        ));
    if loopback {
        config = config.proxy(None);
    }
    config.build().into()
}

/// The version string the OSV API expects (Go versions without their `v`).
fn api_version(p: &Package) -> &str {
    match p.ecosystem {
        Ecosystem::Go => p.version.strip_prefix('v').unwrap_or(&p.version),
        _ => &p.version,
    }
}

#[derive(Deserialize)]
struct BatchResponse {
    #[serde(default)]
    results: Vec<BatchResult>,
}

#[derive(Deserialize)]
struct BatchResult {
    #[serde(default)]
    vulns: Vec<VulnRef>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct VulnRef {
    id: String,
    #[serde(default)]
    modified: Option<String>,
}

/// Client of the OSV API.
#[derive(Debug)]
pub(crate) struct OsvApi {
    agent: ureq::Agent,
    base: String,
    cache: Option<PathBuf>,
}

impl OsvApi {
    /// A client for `base` that caches advisories under `cache/osv` when a cache is given.
    pub(crate) fn new(base: &str, cache: Option<&Path>) -> Self {
        Self {
            agent: agent(base),
            base: base.trim_end_matches('/').to_owned(),
            cache: cache.map(|c| c.join("osv")),
        }
    }

    fn post(&self, body: &serde_json::Value) -> Result<BatchResponse> {
        let url = format!("{}/v1/querybatch", self.base);
        let text = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .and_then(|mut r| r.body_mut().with_config().limit(64 << 20).read_to_string())
            .with_context(|| format!("POST {url}"))?;
        serde_json::from_str(&text).with_context(|| format!("POST {url}: unexpected answer"))
    }

    /// Ids (and modification times) of the advisories that affect each package, in order.
    fn query(&self, packages: &[&Package]) -> Result<Vec<Vec<VulnRef>>> {
        let query_of = |p: &Package, token: Option<&str>| {
            let mut q = json!({
                "package": {"name": p.name, "ecosystem": p.ecosystem.osv_name()},
                "version": api_version(p),
            });
            if let Some(t) = token {
                q["page_token"] = json!(t);
            }
            q
        };
        let mut out: Vec<Vec<VulnRef>> = Vec::with_capacity(packages.len());
        for chunk in packages.chunks(BATCH) {
            let queries: Vec<_> = chunk.iter().map(|p| query_of(p, None)).collect();
            let answer = self.post(&json!({ "queries": queries }))?;
            if answer.results.len() != chunk.len() {
                anyhow::bail!(
                    "OSV API answered {} results for {} queries",
                    answer.results.len(),
                    chunk.len()
                );
            }
            for (p, mut result) in chunk.iter().zip(answer.results) {
                let mut vulns = std::mem::take(&mut result.vulns);
                let mut token = result.next_page_token;
                while let Some(t) = token.take() {
                    let page = self.post(&json!({ "queries": [query_of(p, Some(&t))] }))?;
                    if let Some(r) = page.results.into_iter().next() {
                        vulns.extend(r.vulns);
                        token = r.next_page_token;
                    }
                }
                out.push(vulns);
            }
        }
        Ok(out)
    }

    /// The full advisory `id`, from the cache when its `modified` time matches.
    fn advisory(&self, id: &str, modified: Option<&str>) -> Result<osv::Advisory> {
        let safe_id: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let cached = self
            .cache
            .as_ref()
            .map(|c| c.join(format!("{safe_id}.json")));
        if let (Some(path), Some(modified)) = (&cached, modified)
            && let Ok(text) = std::fs::read_to_string(path)
            && let Ok(adv) = osv::parse_file(path, &text)
            && adv.modified.as_ref().and_then(|m| m.as_str()) == Some(modified)
        {
            return Ok(adv);
        }
        let url = format!("{}/v1/vulns/{id}", self.base);
        let text = self
            .agent
            .get(&url)
            .call()
            .and_then(|mut r| r.body_mut().with_config().limit(16 << 20).read_to_string())
            .with_context(|| format!("GET {url}"))?;
        let adv = osv::parse_file(Path::new("osv.json"), &text)
            .with_context(|| format!("GET {url}: unexpected answer"))?;
        if let Some(path) = &cached
            && let Some(dir) = path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            // A cache that cannot be written only costs a download next time.
            let _ = crate::render::write_atomic(path, text.as_bytes());
        }
        Ok(adv)
    }

    /// Hits for every package, in order. Advisories the API names are trusted to apply; the
    /// local evaluation only supplies fixed versions and the kind, and a withdrawn advisory is
    /// dropped.
    pub(crate) fn hits(&self, packages: &[&Package]) -> Result<Vec<Vec<Hit>>> {
        let refs = self.query(packages)?;
        let mut wanted: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for v in refs.iter().flatten() {
            wanted.insert(&v.id, v.modified.as_deref());
        }
        let mut advisories: BTreeMap<&str, osv::Advisory> = BTreeMap::new();
        for (id, modified) in wanted {
            advisories.insert(id, self.advisory(id, modified)?);
        }
        Ok(packages
            .iter()
            .zip(&refs)
            .map(|(p, vulns)| {
                vulns
                    .iter()
                    .filter_map(|v| advisories.get(v.id.as_str()))
                    .filter(|a| !a.is_withdrawn())
                    .filter_map(|a| a.hit(p, Origin::OsvApi).or_else(|| a.trusted_hit(p)))
                    .collect()
            })
            .collect())
    }
}

#[derive(Deserialize)]
struct IndexLine {
    vers: String,
    #[serde(default)]
    yanked: bool,
}

/// Path of a crate in a cargo index (`1/a`, `2/ab`, `3/a/abc`, `se/rd/serde`).
fn index_path(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    match n.len() {
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    }
}

/// Which `(name, version)` pairs of `crates` are yanked on the crates.io index at `base`.
pub(crate) fn yanked(base: &str, crates: &[(&str, &str)]) -> Result<BTreeSet<(String, String)>> {
    let agent = agent(base);
    let base = base.trim_end_matches('/');
    let names: Vec<&str> = crates
        .iter()
        .map(|c| c.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let next = AtomicUsize::new(0);
    let found: Mutex<Result<BTreeMap<String, BTreeSet<String>>>> = Mutex::new(Ok(BTreeMap::new()));
    std::thread::scope(|s| {
        for _ in 0..INDEX_WORKERS.min(names.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let url = format!("{base}/{}", index_path(name));
                    let got = match agent.get(&url).call() {
                        Ok(mut r) => r
                            .body_mut()
                            .with_config()
                            .limit(64 << 20)
                            .read_to_string()
                            .map(Some),
                        Err(ureq::Error::StatusCode(404 | 410 | 451)) => Ok(None),
                        Err(e) => Err(e),
                    }
                    .with_context(|| format!("GET {url}"));
                    let mut guard = found
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match (got, guard.as_mut()) {
                        (Ok(Some(text)), Ok(map)) => {
                            let versions = text
                                .lines()
                                .filter_map(|l| serde_json::from_str::<IndexLine>(l).ok())
                                .filter(|l| l.yanked)
                                .map(|l| l.vers)
                                .collect();
                            map.insert((*name).to_owned(), versions);
                        }
                        (Err(e), Ok(_)) => *guard = Err(e),
                        _ => {}
                    }
                }
            });
        }
    });
    let map = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)?;
    Ok(crates
        .iter()
        .filter(|(n, v)| map.get(*n).is_some_and(|y| y.contains(*v)))
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Serde"), "se/rd/serde");
    }
}
