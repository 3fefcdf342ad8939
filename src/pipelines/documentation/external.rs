//! External links in Markdown, checked over HTTP only with `--online`.
//!
//! Every `http(s)` link, image, autolink, HTML `href`/`src` and bare URL of every page is
//! gathered; each distinct URL (without its `#fragment`) is asked once, however many pages use
//! it (`client`: concurrent, per-host limit, timeouts, retries with backoff, `Retry-After`,
//! HEAD then GET, redirects followed). URLs that worked within the cache's time-to-live are not
//! asked again (`cache`). A broken URL is reported at every place that uses it, so each can
//! be fixed or suppressed where it is; a URL whose first answer is a permanent redirect
//! (301/308) is reported once per place as `info`, with its new address.
//!
//! Without `--online` (and always with `--offline`) the check is skipped with that reason, so a
//! run never touches the network by surprise.

mod cache;
mod client;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Result;
use regex::Regex;

use self::client::{ClientConfig, Outcome};
use super::markdown::{self, Extract, MdLink};
use super::target::{self, Target};
use super::{REFERENCES_BROKEN, REFERENCES_TOTAL, at, count, shown};
use crate::model::{Metric, Pipeline, Severity};
use crate::pipelines::{Built, Check, CheckContext, CheckSpec, RuleMeta, Sink};
use crate::walk::{FileIndex, SourceFile};

const DOCS: &str = include_str!("external.md");

/// Rules of this check.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "broken-external-link",
        name: "Broken external link",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Medium,
        summary: "An http(s) link answers with an error, times out or cannot be reached.",
        docs: DOCS,
    },
    RuleMeta {
        id: "redirected-external-link",
        name: "Permanently redirected link",
        pipeline: Pipeline::Documentation,
        default_severity: Severity::Info,
        summary: "An http(s) link has moved permanently (301 or 308) to a new address.",
        docs: DOCS,
    },
];

/// Registry entry.
pub const SPEC: CheckSpec = CheckSpec {
    id: "external",
    pipeline: Pipeline::Documentation,
    rules: RULES,
    docs: DOCS,
    build,
};

/// Metric: external link occurrences checked.
pub const EXTERNAL_TOTAL: &str = "documentation.external_total";
/// Metric: external link occurrences found broken.
pub const EXTERNAL_BROKEN: &str = "documentation.external_broken";

/// Why the check does not run without `--online`.
pub const OFFLINE_REASON: &str = "external links are checked only with --online";

fn build(ctx: &CheckContext<'_>) -> Result<Built> {
    if !ctx.online || ctx.offline {
        return Ok(Built::Skipped(OFFLINE_REASON.to_owned()));
    }
    let cfg = &ctx.config.documentation.external;
    let exclude = cfg
        .exclude
        .iter()
        .map(|p| Regex::new(&p.0))
        .collect::<Result<Vec<_>, _>>()?;
    let cache_dir = match &cfg.cache_dir {
        Some(dir) => Some(match dir.strip_prefix("~/").zip(std::env::var_os("HOME")) {
            Some((rest, home)) => PathBuf::from(home).join(rest),
            None => ctx.root.join(dir),
        }),
        None => super::default_cache_dir(),
    };
    Ok(Built::Ready(Box::new(ExternalCheck {
        client: ClientConfig {
            concurrency: cfg.concurrency.get(),
            per_host: cfg.per_host.get(),
            timeout: Duration::from_secs(cfg.timeout_seconds.get()),
            retries: cfg.retries,
            max_retry_after: Duration::from_secs(cfg.max_retry_after_seconds),
            accept: cfg.accept.clone(),
        },
        exclude,
        cache_file: cache_dir.map(|d| d.join("links.json")),
        ttl_secs: (cfg.cache_ttl_hours.0 * 3600.0) as i64,
        pages: Mutex::new(Vec::new()),
    })))
}

/// Checks external links.
struct ExternalCheck {
    client: ClientConfig,
    exclude: Vec<Regex>,
    cache_file: Option<PathBuf>,
    ttl_secs: i64,
    /// Each page's external links.
    pages: Mutex<Vec<(String, Vec<MdLink>)>>,
}

/// The URL asked for a link: without its fragment.
fn request_url(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

impl Check for ExternalCheck {
    fn wants(&self, path: &str) -> bool {
        markdown::is_markdown(path)
    }

    fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
        let doc = markdown::parse(
            file.text,
            Extract {
                code: false,
                bare_urls: true,
            },
        );
        let links: Vec<MdLink> = doc
            .links
            .into_iter()
            .filter_map(|mut l| match target::classify(&l.dest, file.path) {
                Target::External(url) => {
                    l.dest = url;
                    Some(l)
                }
                _ => None,
            })
            .filter(|l| !self.exclude.iter().any(|r| r.is_match(&l.dest)))
            .collect();
        if !links.is_empty() {
            self.pages
                .lock()
                .map_err(|_| anyhow::anyhow!("external links state poisoned"))?
                .push((file.path.to_owned(), links));
        }
        Ok(())
    }

    fn check_repo(
        &self,
        _ctx: &CheckContext<'_>,
        _index: &FileIndex,
        sink: &mut Sink,
    ) -> Result<()> {
        let mut pages = std::mem::take(
            &mut *self
                .pages
                .lock()
                .map_err(|_| anyhow::anyhow!("external links state poisoned"))?,
        );
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        let now = chrono::Utc::now().timestamp();
        let mut cache = self
            .cache_file
            .as_deref()
            .map(|p| cache::LinkCache::load(p, self.ttl_secs, now));
        // Distinct URLs, and which of them the cache does not vouch for.
        let mut outcomes: BTreeMap<String, Option<Outcome>> = BTreeMap::new();
        for (_, links) in &pages {
            for l in links {
                outcomes
                    .entry(request_url(&l.dest).to_owned())
                    .or_insert(None);
            }
        }
        let mut from_cache = 0usize;
        if let Some(c) = &cache {
            for (url, slot) in &mut outcomes {
                if let Some(e) = c.get(url) {
                    *slot = Some(Outcome::Ok {
                        status: e.status,
                        moved: None,
                    });
                    from_cache += 1;
                }
            }
        }
        let to_check: Vec<String> = outcomes
            .iter()
            .filter(|(_, o)| o.is_none())
            .map(|(u, _)| u.clone())
            .collect();
        let checked = client::check_all(&to_check, &self.client);
        for (url, outcome) in to_check.iter().zip(checked) {
            if let (Some(c), Outcome::Ok { status, .. }) = (&mut cache, &outcome) {
                c.insert(url, *status, now);
            }
            outcomes.insert(url.clone(), Some(outcome));
        }
        if let Some(c) = &cache
            && let Err(e) = c.save()
        {
            sink.note(format!("could not write the link cache: {e:#}"));
        }
        sink.note(format!(
            "{} distinct URL(s): {} asked, {from_cache} from the cache",
            outcomes.len(),
            to_check.len()
        ));

        let (mut total, mut broken) = (0usize, 0usize);
        for (page, links) in &pages {
            for l in links {
                total += 1;
                let Some(Some(outcome)) = outcomes.get(request_url(&l.dest)) else {
                    continue;
                };
                let location = Some(at(page, l.line, l.column));
                match outcome {
                    Outcome::Ok { moved: None, .. } => {}
                    Outcome::Ok {
                        moved: Some((status, to)),
                        ..
                    } => {
                        let mut f = RULES[1].finding(
                            format!(
                                "{} moved permanently ({status}) to {}",
                                shown(&l.dest),
                                shown(to)
                            ),
                            location,
                            &l.dest,
                        );
                        f.help = Some(
                            "Link to the new address; old ones break when the redirect is dropped."
                                .into(),
                        );
                        f.properties
                            .insert("redirect".into(), serde_json::Value::String(to.clone()));
                        sink.push(f);
                    }
                    Outcome::Broken { status, reason } => {
                        broken += 1;
                        let mut f = RULES[0].finding(
                            format!("{} {reason}", shown(&l.dest)),
                            location,
                            &l.dest,
                        );
                        f.help = Some(
                            "Update or remove the link, or point it at an archived copy; add the URL to documentation.external.exclude if it only fails for robots.".into(),
                        );
                        if let Some(s) = status {
                            f.properties
                                .insert("status".into(), serde_json::Value::from(*s));
                        }
                        sink.push(f);
                    }
                }
            }
        }
        for (name, value) in [
            (EXTERNAL_TOTAL, total),
            (EXTERNAL_BROKEN, broken),
            (REFERENCES_TOTAL, total),
            (REFERENCES_BROKEN, broken),
        ] {
            sink.metric(Metric::new(name, count(value), "count"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
