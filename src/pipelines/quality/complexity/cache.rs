//! Per-file measurements kept between runs, so an unchanged file is not parsed again.
//!
//! Parsing is nearly all of the complexity check's time (about 10 MB/s per core with
//! tree-sitter), and between two CI runs of the same repository almost every file is
//! unchanged. The cache maps each file's path to its length, a 64-bit hash of its bytes, whether
//! its tree had parse errors and its functions' measurements; a file whose length and hash match
//! is not parsed. Limits are not part of it: findings are derived from the measurements with
//! the run's own limits.
//!
//! It lives in `<out>/cache/complexity.json`, written once per run (atomically) with exactly
//! the files of that run, so deleted files drop out. A file of another format or vigil version,
//! or one that does not parse, is ignored and rewritten: the cache can only make a run faster,
//! never change its results. In CI, keep `<out>/cache` between runs (e.g. `actions/cache`).

use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::analyze::FunctionMetrics;

/// File name inside the cache folder.
const FILE: &str = "complexity.json";

/// Bumped whenever what is measured, or how, changes (tables, grammars, the stored shape).
const FORMAT: u32 = 1;

/// What is kept of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// Length of the file in bytes.
    pub(super) len: u64,
    /// [`content_hash`] of its bytes.
    pub(super) hash: u64,
    /// Whether its syntax tree had errors.
    pub(super) has_error: bool,
    /// Its functions, as the check measured them.
    pub(super) functions: Vec<FunctionMetrics>,
}

/// A function as stored: name, line, column, end column, end line, length, parameters,
/// cyclomatic and cognitive complexity (a tuple keeps the file small).
type StoredFunction = (String, u32, u32, u32, u32, u32, u32, u32, u32);

/// One file as stored: path, length, hash, parse errors, functions.
type StoredEntry = (String, u64, u64, bool, Vec<StoredFunction>);

/// The cache file.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    format: u32,
    vigil: String,
    files: Vec<StoredEntry>,
}

/// The cache of one run: what the previous run left, and what this run measured.
#[derive(Debug)]
pub(super) struct Cache {
    path: PathBuf,
    previous: HashMap<String, Entry>,
    current: Mutex<Vec<(String, Entry)>>,
}

/// A hash of a file's bytes: `DefaultHasher::new` always starts from the same keys, so the same
/// bytes hash the same in every run of one vigil build (the cache is tied to its version).
pub(super) fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

impl Cache {
    /// The cache in `dir`, or an empty one when the file is missing, unreadable or stale.
    pub(super) fn load(dir: &Path) -> Self {
        let path = dir.join(FILE);
        let previous = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.format == FORMAT && s.vigil == env!("CARGO_PKG_VERSION"))
            .map(|s| s.files.into_iter().map(from_stored).collect())
            .unwrap_or_default();
        Self {
            path,
            previous,
            current: Mutex::new(Vec::new()),
        }
    }

    /// The previous run's entry for `path`, if the file has not changed since.
    pub(super) fn get(&self, path: &str, len: u64, hash: u64) -> Option<&Entry> {
        self.previous
            .get(path)
            .filter(|e| e.len == len && e.hash == hash)
    }

    /// Keep `entry` for `path` for the next run.
    pub(super) fn put(&self, path: &str, entry: Entry) {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((path.to_owned(), entry));
    }

    /// Write this run's entries, replacing the file.
    pub(super) fn save(&self) -> Result<()> {
        let mut files =
            std::mem::take(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let stored = Stored {
            format: FORMAT,
            vigil: env!("CARGO_PKG_VERSION").to_owned(),
            files: files.into_iter().map(to_stored).collect(),
        };
        let bytes = serde_json::to_vec(&stored).context("serializing the complexity cache")?;
        crate::render::write_atomic(&self.path, &bytes)
            .with_context(|| format!("writing the complexity cache {}", self.path.display()))
    }
}

fn to_stored((path, e): (String, Entry)) -> StoredEntry {
    let functions = e
        .functions
        .into_iter()
        .map(|f| {
            (
                f.name,
                f.line,
                f.column,
                f.end_column,
                f.end_line,
                f.length,
                f.parameters,
                f.cyclomatic,
                f.cognitive,
            )
        })
        .collect();
    (path, e.len, e.hash, e.has_error, functions)
}

fn from_stored((path, len, hash, has_error, functions): StoredEntry) -> (String, Entry) {
    let functions = functions
        .into_iter()
        .map(
            |(
                name,
                line,
                column,
                end_column,
                end_line,
                length,
                parameters,
                cyclomatic,
                cognitive,
            )| {
                FunctionMetrics {
                    name,
                    line,
                    column,
                    end_column,
                    end_line,
                    length,
                    parameters,
                    cyclomatic,
                    cognitive,
                }
            },
        )
        .collect();
    (
        path,
        Entry {
            len,
            hash,
            has_error,
            functions,
        },
    )
}
