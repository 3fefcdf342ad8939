//! Checking URLs over HTTP: a small pool of threads with a per-host limit, HEAD then GET,
//! redirects followed by hand (so a permanent move can be reported), retries with exponential
//! backoff, and `429 Too Many Requests` answered by waiting for its `Retry-After`.
//!
//! The client is `ureq` (blocking, rustls), already used by the dependency checks: a batch tool
//! that checks a few hundred links gains nothing from an async runtime, and a blocking client
//! on a bounded pool keeps the per-host limit a simple counter under a lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Most redirects followed for one URL.
const MAX_REDIRECTS: usize = 10;
/// First retry delay; each further retry doubles it.
const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// How to check.
#[derive(Debug, Clone)]
pub(crate) struct ClientConfig {
    /// Threads, each with one request in flight.
    pub(crate) concurrency: usize,
    /// Requests in flight to one host.
    pub(crate) per_host: usize,
    /// Time allowed for one request (connect, send, headers).
    pub(crate) timeout: Duration,
    /// Retries after a network error, a 5xx or a 429.
    pub(crate) retries: u32,
    /// Longest `Retry-After` honoured; a longer one ends the attempts.
    pub(crate) max_retry_after: Duration,
    /// Statuses that count as working besides 2xx.
    pub(crate) accept: Vec<u16>,
}

/// What checking one URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It works; `moved` is `(status, final URL)` when the first redirect was permanent.
    Ok {
        /// Final status.
        status: u16,
        /// A permanent redirect and where the chain ended.
        moved: Option<(u16, String)>,
    },
    /// It does not.
    Broken {
        /// Final status, when the server answered.
        status: Option<u16>,
        /// Why, in words.
        reason: String,
    },
}

/// One answer or a transport failure.
enum Attempt {
    /// The server answered.
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        moved: Option<(u16, String)>,
    },
    /// No usable answer.
    Failed(String),
}

/// An agent that returns every status and redirect to the caller.
fn agent(cfg: &ClientConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(cfg.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(format!(
            "vigil/{} (+https://github.com/vigil-ci/vigil)",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .into()
}

/// Host part of a URL (`host:port`), used to limit requests per host.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// `location` resolved against `base`.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(net) = location.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..host_end]);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = &rest[host_end..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{origin}{dir}/{location}")
}

/// `Retry-After` as a duration: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// One request with `method`, following redirects by hand.
fn request(agent: &ureq::Agent, method: &str, url: &str) -> Attempt {
    let mut current = url.to_owned();
    let mut moved: Option<(u16, String)> = None;
    for _ in 0..=MAX_REDIRECTS {
        let result = match method {
            "HEAD" => agent.head(&current).call(),
            _ => agent.get(&current).call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => return Attempt::Failed("timed out".to_owned()),
            Err(e) => return Attempt::Failed(e.to_string()),
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        if (300..400).contains(&status)
            && let Some(location) = header("location")
        {
            let next = resolve(&current, &location);
            if matches!(status, 301 | 308) && moved.is_none() && current == url {
                moved = Some((status, next.clone()));
            }
            current = next;
            continue;
        }
        if let Some((_, target)) = &mut moved {
            target.clone_from(&current);
        }
        return Attempt::Answered {
            status,
            retry_after: header("retry-after").and_then(|v| retry_after(&v)),
            moved,
        };
    }
    Attempt::Failed(format!("more than {MAX_REDIRECTS} redirects"))
}

/// Whether a status means the link works.
fn works(status: u16, cfg: &ClientConfig) -> bool {
    (200..300).contains(&status) || cfg.accept.contains(&status)
}

/// Check one URL: HEAD, then GET when HEAD is refused or fails, with retries.
pub(crate) fn check(agent: &ureq::Agent, url: &str, cfg: &ClientConfig) -> Outcome {
    let mut attempt = 0u32;
    loop {
        let mut answer = request(agent, "HEAD", url);
        let head_refused = match &answer {
            Attempt::Answered { status, .. } => !works(*status, cfg) && *status != 429,
            Attempt::Failed(_) => false,
        };
        if head_refused {
            // Many servers answer HEAD with 403, 404 or 405 while GET works.
            answer = request(agent, "GET", url);
        }
        let (wait, last) = match answer {
            Attempt::Answered { status, moved, .. } if works(status, cfg) => {
                return Outcome::Ok { status, moved };
            }
            Attempt::Answered {
                status: 429,
                retry_after,
                ..
            } => {
                let wait = retry_after.unwrap_or(BACKOFF_BASE * 2u32.saturating_pow(attempt));
                if wait > cfg.max_retry_after {
                    return Outcome::Broken {
                        status: Some(429),
                        reason: format!(
                            "rate limited; the server asks to wait {} s",
                            wait.as_secs()
                        ),
                    };
                }
                (
                    wait,
                    Outcome::Broken {
                        status: Some(429),
                        reason: "rate limited (429 Too Many Requests)".to_owned(),
                    },
                )
            }
            Attempt::Answered { status, .. } if status >= 500 => (
                BACKOFF_BASE * 2u32.saturating_pow(attempt),
                Outcome::Broken {
                    status: Some(status),
                    reason: format!("answered {}", status_text(status)),
                },
            ),
            Attempt::Answered { status, .. } => {
                return Outcome::Broken {
                    status: Some(status),
                    reason: format!("answered {}", status_text(status)),
                };
            }
            Attempt::Failed(reason) => {
                let reason = if reason == "timed out" {
                    format!("timed out after {} s", cfg.timeout.as_secs_f64())
                } else {
                    reason
                };
                (
                    BACKOFF_BASE * 2u32.saturating_pow(attempt),
                    Outcome::Broken {
                        status: None,
                        reason,
                    },
                )
            }
        };
        if attempt >= cfg.retries {
            return last;
        }
        attempt += 1;
        std::thread::sleep(wait);
    }
}

/// `404 Not Found` and the like.
fn status_text(status: u16) -> String {
    let text = http_reason(status);
    if text.is_empty() {
        status.to_string()
    } else {
        format!("{status} {text}")
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Which URLs wait, and how many requests each host has in flight.
struct Queue {
    pending: VecDeque<usize>,
    active: HashMap<String, usize>,
}

/// Check every URL, at most `concurrency` at a time and `per_host` per host; outcomes are in
/// the order of `urls`.
pub(crate) fn check_all(urls: &[String], cfg: &ClientConfig) -> Vec<Outcome> {
    let agent = agent(cfg);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; urls.len()]);
    let queue = Mutex::new(Queue {
        pending: (0..urls.len()).collect(),
        active: HashMap::new(),
    });
    let ready = Condvar::new();
    let workers = cfg.concurrency.clamp(1, urls.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some(i) = next_job(&queue, &ready, urls, cfg.per_host) else {
                        return;
                    };
                    let outcome = check(&agent, &urls[i], cfg);
                    if let Ok(mut o) = outcomes.lock() {
                        o[i] = Some(outcome);
                    }
                    if let Ok(mut q) = queue.lock()
                        && let Some(n) = q.active.get_mut(host_of(&urls[i]))
                    {
                        *n = n.saturating_sub(1);
                    }
                    ready.notify_all();
                }
            });
        }
    });
    outcomes
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Broken {
                status: None,
                reason: "not checked".to_owned(),
            })
        })
        .collect()
}

/// The next URL whose host has room, waiting while every pending URL's host is busy; `None`
/// when nothing is left.
fn next_job(
    queue: &Mutex<Queue>,
    ready: &Condvar,
    urls: &[String],
    per_host: usize,
) -> Option<usize> {
    let mut q = queue.lock().ok()?;
    loop {
        if q.pending.is_empty() {
            return None;
        }
        let pos = q
            .pending
            .iter()
            .position(|&i| q.active.get(host_of(&urls[i])).copied().unwrap_or(0) < per_host);
        if let Some(pos) = pos {
            let i = q.pending.remove(pos)?;
            *q.active.entry(host_of(&urls[i]).to_owned()).or_insert(0) += 1;
            return Some(i);
        }
        q = ready.wait(q).ok()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_redirect_targets() {
        assert_eq!(host_of("https://user@x.io:8080/a?b"), "x.io:8080");
        assert_eq!(host_of("http://x.io"), "x.io");
        assert_eq!(resolve("https://x.io/a/b?q", "c"), "https://x.io/a/c");
        assert_eq!(resolve("https://x.io/a/b", "/c"), "https://x.io/c");
        assert_eq!(resolve("https://x.io/a", "//y.io/z"), "https://y.io/z");
        assert_eq!(resolve("https://x.io/a", "http://y.io/"), "http://y.io/");
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }
}
