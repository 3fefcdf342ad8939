//! Renderers: every output is a function of the [`RunReport`](crate::model::RunReport) alone
//! (plus the static rule catalogue), so `--report-only` reproduces them byte for byte.
//!
//! Every file is written to a temp file in its own folder ([`stage`]) and renamed into place
//! ([`Staged::commit`], [`commit_all`], or [`write_atomic`] for both at once), so an
//! interrupted or failed run never leaves a half-written report and the previous
//! `report.json` survives any failure.

pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
#[cfg(test)]
pub(crate) mod sample;
pub mod sarif;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Write `bytes` to `path` atomically: a temp file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    stage(path, bytes)?.commit()
}

/// A file's new content in a temp file beside it, not yet in place; dropped, it is deleted.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl Staged {
    /// Rename the temp file over the destination.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("replacing {}", path.display()))?;
        Ok(())
    }
}

/// Put staged files in place in order; a failed rename leaves the rest as they were.
pub fn commit_all(staged: Vec<Staged>) -> Result<()> {
    staged.into_iter().try_for_each(Staged::commit)
}

/// Write `bytes` to a temp file in `path`'s folder (created if missing), to be committed.
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".vigil-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    // No fsync: rename is atomic for readers and for an interrupted process, which is the
    // contract; surviving power loss is not worth an fsync per file on every CI run.
    tmp.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile creates 0600; reports are meant to be read by others (CI artifacts, Pages).
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("setting permissions of {}", path.display()))?;
    }
    Ok(Staged {
        path: path.to_owned(),
        tmp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a/report.json");
        write_atomic(&p, b"one").expect("first write");
        write_atomic(&p, b"two").expect("second write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
