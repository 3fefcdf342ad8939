//! Shared helpers: a scrubbed command, fixture copies, file reads.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `vigil` binary with a cleared environment (PATH and HOME kept for git).
pub(crate) fn vigil() -> Command {
    let mut cmd = Command::cargo_bin("vigil").expect("the vigil binary is built");
    cmd.env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Root of the vigil source tree.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy `fixtures/<name>` into a fresh temp folder; returns the guard and the copy's path.
pub(crate) fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dst = tmp.path().join("repo");
    copy_dir(&repo_root().join("fixtures").join(name), &dst);
    (tmp, dst)
}

/// Recursively copy a folder.
pub(crate) fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create destination");
    for entry in std::fs::read_dir(src).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}

/// Read a file as UTF-8.
pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Parse a JSON file.
pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}
