//! The floor under the complexity check's cold time: tree-sitter parsing alone.
//!
//! Walks a tree the way `vigil check` does (the `ignore` crate, `.gitignore` honoured, both
//! cores), reads every file and hands it to `complexity::parse_only`, which parses exactly
//! what the complexity check parses (same languages, same skips of generated and huge files,
//! same grammars, one reused parser per language and thread) and does nothing else: no
//! syntax-tree walk, no measurements, no report. No tree-sitter-based complexity pass can be
//! faster than this. `scripts/bench-quality.sh` runs it beside tokei.
//!
//! Usage: `cargo run --release --example parse_floor -- TREE`
//! Prints: files parsed, megabytes parsed, wall seconds, MB/s.

// A measuring tool: its one line of output is its result.
#![allow(clippy::print_stdout)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use vigil::pipelines::quality::complexity::parse_only;

fn main() -> anyhow::Result<()> {
    let root = std::env::args().nth(1).context("usage: parse_floor TREE")?;
    let start = Instant::now();
    let paths: Vec<_> = ignore::WalkBuilder::new(&root)
        .hidden(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .collect();
    let (files, bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    paths
        .par_iter()
        .try_for_each(|path| -> anyhow::Result<()> {
            let Ok(source) = std::fs::read(path) else {
                return Ok(());
            };
            if parse_only(&path.to_string_lossy(), &source)?.is_some() {
                files.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(source.len() as u64, Ordering::Relaxed);
            }
            Ok(())
        })?;
    let wall = start.elapsed().as_secs_f64();
    let mb = bytes.into_inner() as f64 / 1e6;
    println!(
        "parsed {} files, {mb:.1} MB, in {wall:.2} s ({:.1} MB/s)",
        files.into_inner(),
        mb / wall
    );
    Ok(())
}
