//! Where advisories come from in a run, and matching locked packages against all of them.
//!
//! Precedence: command-line flags, then `security.deps`, then a RustSec database fetched
//! earlier into the cache folder. `--offline` turns off fetching and every online source.
//! Matches from several sources are merged per package; the same issue (an id of one is an
//! id or alias of another) is kept once, from the first source in the order RustSec, local
//! OSV, OSV API.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::pipelines::CheckContext;

use super::advisory::Hit;
use super::lockfile::{Package, Parsed};
use super::{NO_DATABASE, fetch, online, osv, rustsec_db};

/// Where advisories come from in this run.
#[derive(Debug)]
pub(super) struct Sources {
    /// RustSec database folder.
    pub(super) rustsec: Option<PathBuf>,
    /// Clone or update `rustsec` from GitHub first.
    pub(super) fetch: bool,
    /// OSV database folder.
    pub(super) osv: Option<PathBuf>,
    /// OSV API and crates.io index base URLs, when online.
    pub(super) online: Option<(String, String)>,
    /// Cache folder for OSV API answers.
    pub(super) cache: Option<PathBuf>,
}

/// `~/…` under the home folder; a relative path under `root`.
fn config_path(root: &Path, p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => root.join(p),
    }
}

/// `$XDG_CACHE_HOME/vigil`, else `~/.cache/vigil`.
fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("vigil"))
}

/// OSV API and crates.io index base URLs: `VIGIL_OSV_API_URL` and `VIGIL_CRATES_INDEX_URL`
/// from `var` when set and not blank, else the public services.
pub(super) fn endpoints(var: impl Fn(&str) -> Option<String>) -> (String, String) {
    let pick = |name: &str, default: &str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    (
        pick("VIGIL_OSV_API_URL", online::OSV_API),
        pick("VIGIL_CRATES_INDEX_URL", online::CRATES_INDEX),
    )
}

impl Sources {
    /// The sources for this run, or the note of a skipped check when there is none.
    pub(super) fn resolve(ctx: &CheckContext<'_>) -> Result<Result<Self, String>> {
        let cfg = &ctx.config.security.deps;
        let flags = &ctx.advisories;
        let cache = cfg
            .cache_dir
            .as_deref()
            .map(|c| config_path(ctx.root, c))
            .or_else(default_cache_dir);
        let online = !ctx.offline && (ctx.online || cfg.online);
        let fetch = !ctx.offline && flags.fetch;
        let mut rustsec = flags
            .advisory_db
            .clone()
            .or_else(|| cfg.advisory_db.as_deref().map(|p| config_path(ctx.root, p)));
        if rustsec.is_none()
            && let Some(cached) = cache.as_ref().map(|c| c.join("advisory-db"))
            && (fetch || cached.join("crates").is_dir())
        {
            rustsec = Some(cached);
        }
        if fetch && rustsec.is_none() {
            anyhow::bail!(
                "--fetch-advisories needs a folder to clone into: set security.deps.cache_dir \
                 (neither XDG_CACHE_HOME nor HOME is set)"
            );
        }
        let osv = flags
            .osv_db
            .clone()
            .or_else(|| cfg.osv_db.as_deref().map(|p| config_path(ctx.root, p)));
        if rustsec.is_none() && osv.is_none() && !online {
            let mut note = NO_DATABASE.to_owned();
            if ctx.offline {
                note.push_str(" (--offline: nothing is fetched)");
            }
            return Ok(Err(note));
        }
        if let Some(dir) = &rustsec
            && !fetch
            && !dir.is_dir()
        {
            anyhow::bail!(
                "advisory database `{}` does not exist; pass the folder of a copy of {} \
                 (--advisory-db DIR or security.deps.advisory_db) or use --fetch-advisories",
                dir.display(),
                fetch::ADVISORY_DB_URL
            );
        }
        if let Some(dir) = &osv
            && !dir.is_dir()
        {
            anyhow::bail!(
                "OSV database `{}` does not exist; pass a folder of OSV advisories \
                 (--osv-db DIR or security.deps.osv_db)",
                dir.display()
            );
        }
        let online = online.then(|| endpoints(|k| std::env::var(k).ok()));
        Ok(Ok(Self {
            rustsec,
            fetch,
            osv,
            online,
            cache,
        }))
    }

    /// Hits per package of every lockfile (same shape as `lockfiles`), deduplicated by issue.
    /// Hits per package of every lockfile (same shape as `lockfiles`), deduplicated by issue;
    /// `notes` receives one line per source used.
    pub(super) fn match_all(
        &self,
        lockfiles: &[(&str, &Parsed)],
        notes: &mut Vec<String>,
    ) -> Result<Vec<Vec<Vec<Hit>>>> {
        let s = self;
        if s.fetch
            && let Some(dir) = &s.rustsec
        {
            fetch::clone_or_update(fetch::ADVISORY_DB_URL, dir)?;
        }
        let (rustsec, osv) = rayon::join(
            || {
                s.rustsec
                    .as_deref()
                    .map(rustsec_db::RustSecDatabase::load)
                    .transpose()
            },
            || s.osv.as_deref().map(osv::Database::load).transpose(),
        );
        let (rustsec, osv) = (rustsec?, osv?);
        if let (Some(db), Some(dir)) = (&rustsec, &s.rustsec) {
            notes.push(format!(
                "RustSec advisory database: {} advisories from {}",
                db.len(),
                dir.display()
            ));
        }
        if let (Some(db), Some(dir)) = (&osv, &s.osv) {
            notes.push(format!(
                "OSV database: {} advisories from {}",
                db.len(),
                dir.display()
            ));
        }
        let mut all: Vec<Vec<Vec<Hit>>> = lockfiles
            .iter()
            .map(|(_, parsed)| {
                parsed
                    .packages
                    .iter()
                    .map(|p| {
                        let mut hits = Vec::new();
                        if let Some(db) = &rustsec {
                            hits.extend(db.hits(p));
                        }
                        if let Some(db) = &osv {
                            hits.extend(db.hits(p));
                        }
                        hits
                    })
                    .collect()
            })
            .collect();
        if let Some((api, _)) = &s.online {
            let packages: Vec<&Package> = lockfiles
                .iter()
                .flat_map(|(_, parsed)| parsed.packages.iter())
                .collect();
            notes.push(format!("OSV API: {api}"));
            let client = online::OsvApi::new(api, s.cache.as_deref());
            let mut remote = client.hits(&packages)?.into_iter();
            for per_file in &mut all {
                for hits in per_file.iter_mut() {
                    hits.extend(remote.next().unwrap_or_default());
                }
            }
        }
        for hits in all.iter_mut().flatten() {
            let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
            for h in hits.drain(..) {
                if !kept.iter().any(|k| k.same_issue(&h)) {
                    kept.push(h);
                }
            }
            *hits = kept;
        }
        Ok(all)
    }
}
