//! The link cache: URLs that worked recently are not asked again until their time-to-live runs
//! out.
//!
//! Only working links are cached. A broken link is asked again on every run, so fixing it (or
//! the site coming back) shows at once, and a transient failure never sticks. The file is
//! JSON, sorted by URL, written atomically; a cache that cannot be read is ignored and
//! rewritten, never an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Layout version of the cache file.
const VERSION: u32 = 1;

/// One remembered working URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// When it was checked, in seconds since the Unix epoch.
    pub(crate) checked: i64,
    /// The status it answered.
    pub(crate) status: u16,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    links: BTreeMap<String, Entry>,
}

/// The cache of one run.
#[derive(Debug)]
pub(crate) struct LinkCache {
    path: PathBuf,
    ttl_secs: i64,
    links: BTreeMap<String, Entry>,
}

impl LinkCache {
    /// Load `path`, keeping entries younger than `ttl_secs` at time `now`.
    pub(crate) fn load(path: &Path, ttl_secs: i64, now: i64) -> Self {
        let links = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|f| f.version == VERSION)
            .map(|f| f.links)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, e)| now - e.checked < ttl_secs && e.checked <= now)
            .collect();
        Self {
            path: path.to_path_buf(),
            ttl_secs,
            links,
        }
    }

    /// The fresh entry of `url`, if any.
    pub(crate) fn get(&self, url: &str) -> Option<Entry> {
        self.links.get(url).copied()
    }

    /// Remember that `url` worked at `now`.
    pub(crate) fn insert(&mut self, url: &str, status: u16, now: i64) {
        self.links.insert(
            url.to_owned(),
            Entry {
                checked: now,
                status,
            },
        );
    }

    /// Write the cache (nothing when the time-to-live is 0).
    pub(crate) fn save(&self) -> anyhow::Result<()> {
        if self.ttl_secs <= 0 {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File {
            version: VERSION,
            links: self.links.clone(),
        };
        crate::render::write_atomic(&self.path, &serde_json::to_vec_pretty(&file)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_fresh_entries_and_survives_garbage() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("sub/links.json");
        let mut cache = LinkCache::load(&path, 100, 1_000);
        assert!(cache.get("https://a").is_none());
        cache.insert("https://a", 200, 1_000);
        cache.insert("https://b", 200, 950);
        cache.save().expect("save");
        let later = LinkCache::load(&path, 100, 1_060);
        assert_eq!(later.get("https://a").map(|e| e.status), Some(200));
        assert!(later.get("https://b").is_none(), "older than the TTL");
        std::fs::write(&path, "{ garbage").expect("write");
        assert!(
            LinkCache::load(&path, 100, 1_000)
                .get("https://a")
                .is_none()
        );
        let off = LinkCache::load(&tmp.path().join("off.json"), 0, 0);
        off.save().expect("no-op");
        assert!(!tmp.path().join("off.json").exists());
    }
}
