//! The single parallel walk of the repository, shared by every content check.
//!
//! The walk uses the `ignore` crate (ripgrep's engine): `.gitignore`, `.ignore`, git excludes
//! and the configured `exclude` globs are honoured; the `.git` folder and vigil's own output
//! folder are never entered; symbolic links are not followed, so link loops cannot occur.
//!
//! Each file is read **once**, and only when at least one check wants it. Files larger than the
//! size limit and files that look binary (a NUL byte in the first 8 KiB, as git decides) are
//! skipped and counted. The bytes are then offered to every interested check on the same
//! thread, so a file is never held in memory longer than its checks need it; so is its syntax
//! tree, parsed by the first check that asks for it ([`SourceFile::with_syntax`]).
//!
//! The walk also collects inline `vigil:ignore` comments, because it is the only place that
//! sees every file's text.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use tree_sitter::Tree;

use crate::model::WalkStats;
use crate::pipelines::{Check, Sink};
use crate::syntax::{Grammar, SyntaxCell};

/// How many leading bytes are inspected for a NUL byte to decide a file is binary.
const BINARY_SNIFF_LEN: usize = 8 * 1024;
/// How many unreadable paths are listed by name in the report.
const MAX_LISTED_ERRORS: usize = 100;

/// A file the walk read, as offered to checks.
#[derive(Debug)]
pub struct SourceFile<'a> {
    /// Path relative to the root, `/`-separated.
    pub path: &'a str,
    /// Absolute path on disk.
    pub abs_path: &'a Path,
    /// Raw bytes.
    pub bytes: &'a [u8],
    /// Text; invalid UTF-8 sequences are replaced by U+FFFD.
    pub text: &'a str,
    /// Its syntax tree, parsed by the first check that asks (see [`crate::syntax`]).
    syntax: SyntaxCell,
}

impl SourceFile<'_> {
    /// Call `f` with the file's syntax tree for `grammar`: parsed by the first check that
    /// asks, shared with the others (`None` only if tree-sitter gave up).
    pub fn with_syntax<R>(
        &self,
        grammar: Grammar,
        f: impl FnOnce(Option<&Tree>) -> R,
    ) -> Result<R> {
        self.syntax.with(grammar, self.bytes, f)
    }

    /// 1-based line number of a byte offset into [`text`](Self::text).
    pub fn line_of(&self, offset: usize) -> u32 {
        line_of(self.text, offset)
    }
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    u32::try_from(memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() + 1)
        .unwrap_or(u32::MAX)
}

/// What the walk learned about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Read and offered to checks.
    Text,
    /// Looks binary; not offered to checks.
    Binary,
    /// Larger than the size limit; not read.
    Huge,
    /// No check wanted it, so it was not read.
    NotRead,
    /// Could not be read.
    Unreadable,
}

/// One file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Size in bytes; 0 when the file was not read ([`FileKind::NotRead`]).
    pub size: u64,
    /// What happened to it.
    pub kind: FileKind,
}

/// An inline `vigil:ignore RULE -- reason` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// Line of the comment (1-based); it covers this line and the next.
    pub line: u32,
    /// Rule ids named (`*` or `all` for every rule).
    pub rules: Vec<String>,
    /// Reason after `--`; empty when none was given.
    pub reason: String,
}

/// Everything the walk saw: every file, sorted by path, and the inline ignores by path.
#[derive(Debug, Default)]
pub struct FileIndex {
    /// Files sorted by path.
    pub files: Vec<FileEntry>,
    /// Inline ignore comments by file path.
    pub ignores: BTreeMap<String, Vec<InlineIgnore>>,
}

impl FileIndex {
    /// Whether a file with exactly this path exists.
    pub fn contains(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }

    /// Files whose path satisfies `pred`.
    pub fn find<'a>(
        &'a self,
        pred: impl Fn(&str) -> bool + 'a,
    ) -> impl Iterator<Item = &'a FileEntry> {
        self.files.iter().filter(move |f| pred(&f.path))
    }
}

/// Settings of one walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Root folder.
    pub root: PathBuf,
    /// Gitignore-style globs to leave out.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Absolute folders never to enter (e.g. the report folder).
    pub skip_dirs: Vec<PathBuf>,
    /// Worker threads; 0 picks the number of CPUs.
    pub threads: usize,
}

/// Result of a walk: the index, counters and what each check produced.
#[derive(Debug)]
pub struct WalkOutput {
    /// Every file seen.
    pub index: FileIndex,
    /// Counters.
    pub stats: WalkStats,
    /// Per check (same order as the `checks` argument): findings, metrics and any errors.
    pub sinks: Vec<CheckOutput>,
}

/// What one check produced during the walk.
#[derive(Debug, Default)]
pub struct CheckOutput {
    /// Findings and metrics.
    pub sink: Sink,
    /// Errors the check's file hook returned, with the file they happened on.
    pub errors: Vec<String>,
    /// Time spent in the check's file hook, summed over threads, in microseconds.
    pub micros: u64,
}

struct Shared<'c> {
    checks: &'c [&'c dyn Check],
    root: &'c Path,
    max_file_size: u64,
    files: Mutex<Vec<FileEntry>>,
    ignores: Mutex<BTreeMap<String, Vec<InlineIgnore>>>,
    outputs: Mutex<Vec<CheckOutput>>,
    bytes: AtomicU64,
    errors: Mutex<Vec<String>>,
    unreadable: AtomicU64,
    progress: Option<&'c (dyn Fn(u64) + Sync)>,
    seen: AtomicU64,
}

/// Walk `opts.root` once, offering each wanted file to `checks`.
///
/// `progress`, when given, is called with the running count of files seen.
pub fn walk(
    opts: &WalkOptions,
    checks: &[&dyn Check],
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<WalkOutput> {
    let root = &opts.root;
    let mut overrides = OverrideBuilder::new(root);
    for glob in &opts.exclude {
        overrides
            .add(&format!("!{glob}"))
            .with_context(|| format!("invalid exclude glob `{glob}`"))?;
    }
    let overrides = overrides.build().context("building exclude globs")?;

    // Entry paths are `root` joined with names, and `root` is canonical, so comparing against
    // absolute, canonical skip folders needs no per-directory syscall.
    let cwd = std::env::current_dir().unwrap_or_default();
    let skip_dirs: Vec<PathBuf> = opts
        .skip_dirs
        .iter()
        .map(|d| d.canonicalize().unwrap_or_else(|_| cwd.join(d)))
        .collect();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .threads(threads)
        .filter_entry(move |e| {
            if e.file_type().is_some_and(|t| t.is_dir()) {
                if e.file_name() == ".git" {
                    return false;
                }
                if skip_dirs.iter().any(|d| d == e.path()) {
                    return false;
                }
            }
            true
        });

    let shared = Shared {
        checks,
        root,
        max_file_size: opts.max_file_size,
        files: Mutex::new(Vec::new()),
        ignores: Mutex::new(BTreeMap::new()),
        outputs: Mutex::new((0..checks.len()).map(|_| CheckOutput::default()).collect()),
        bytes: AtomicU64::new(0),
        errors: Mutex::new(Vec::new()),
        unreadable: AtomicU64::new(0),
        progress,
        seen: AtomicU64::new(0),
    };

    builder.build_parallel().run(|| {
        let mut worker = Worker::new(&shared);
        Box::new(move |entry| {
            worker.visit(entry);
            WalkState::Continue
        })
    });

    let mut files = shared.files.into_inner().unwrap_or_else(|p| p.into_inner());
    files.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let mut stats = WalkStats::default();
    for f in &files {
        match f.kind {
            FileKind::Text | FileKind::NotRead => stats.files_scanned += 1,
            FileKind::Binary => stats.binary_skipped += 1,
            FileKind::Huge => stats.huge_skipped += 1,
            FileKind::Unreadable => {}
        }
    }
    stats.bytes_scanned = shared.bytes.load(Ordering::Relaxed);
    stats.unreadable = shared.unreadable.load(Ordering::Relaxed);
    let mut errors = shared
        .errors
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    errors.sort();
    errors.truncate(MAX_LISTED_ERRORS);
    stats.errors = errors;
    let mut ignores = shared
        .ignores
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    for v in ignores.values_mut() {
        v.sort_by_key(|i| i.line);
    }
    Ok(WalkOutput {
        index: FileIndex { files, ignores },
        stats,
        sinks: shared
            .outputs
            .into_inner()
            .unwrap_or_else(|p| p.into_inner()),
    })
}

/// What reading one file gave.
enum Read {
    /// The whole file is in the buffer; its size.
    Whole(u64),
    /// A NUL byte in the head: binary, read no further; its size.
    Binary(u64),
    /// Over the size limit (the size is in `Worker::last_size`).
    Huge,
}

/// Per-thread state: results are kept locally and merged once when the thread ends.
struct Worker<'s, 'c> {
    shared: &'s Shared<'c>,
    files: Vec<FileEntry>,
    ignores: Vec<(String, Vec<InlineIgnore>)>,
    outputs: Vec<CheckOutput>,
    wanted: Vec<usize>,
    bytes: u64,
    /// Reused read buffer: one allocation per thread, not per file.
    buf: Vec<u8>,
    last_size: u64,
}

impl<'s, 'c> Worker<'s, 'c> {
    fn new(shared: &'s Shared<'c>) -> Self {
        Self {
            shared,
            files: Vec::new(),
            ignores: Vec::new(),
            outputs: (0..shared.checks.len())
                .map(|_| CheckOutput::default())
                .collect(),
            wanted: Vec::new(),
            bytes: 0,
            buf: Vec::new(),
            last_size: 0,
        }
    }

    fn error(&self, msg: String) {
        self.shared.unreadable.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut e) = self.shared.errors.lock() {
            e.push(msg);
        }
    }

    fn visit(&mut self, entry: std::result::Result<ignore::DirEntry, ignore::Error>) {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                self.error(err.to_string());
                return;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return;
        }
        let abs = entry.path();
        let rel = relative_path(self.shared.root, abs);
        if let Some(p) = self.shared.progress {
            p(self.shared.seen.fetch_add(1, Ordering::Relaxed) + 1);
        }
        self.wanted.clear();
        for (i, c) in self.shared.checks.iter().enumerate() {
            if c.wants(&rel) {
                self.wanted.push(i);
            }
        }
        if self.wanted.is_empty() {
            // Nobody needs the content: no open, no stat.
            self.files.push(FileEntry {
                path: rel,
                size: 0,
                kind: FileKind::NotRead,
            });
            return;
        }
        let (size, kind) = match self.read(abs) {
            Ok(Read::Whole(size)) => {
                let buf = std::mem::take(&mut self.buf);
                let kind = self.offer(&rel, abs, &buf);
                self.buf = buf;
                (size, kind)
            }
            Ok(Read::Binary(size)) => (size, FileKind::Binary),
            Ok(Read::Huge) => (self.last_size, FileKind::Huge),
            Err(err) => {
                self.error(format!("{rel}: {err}"));
                (0, FileKind::Unreadable)
            }
        };
        self.files.push(FileEntry {
            path: rel,
            size,
            kind,
        });
    }

    /// Read a file into the reusable buffer. A file over the size limit is not read further
    /// than its head (its size is left in `last_size`); a binary one (a NUL byte in its first
    /// [`BINARY_SNIFF_LEN`] bytes) is read no further than that. Most files are smaller than
    /// the head: for them it is one open and two reads, with no fstat.
    fn read(&mut self, abs: &Path) -> std::io::Result<Read> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(abs)?;
        self.buf.clear();
        // The head first: an archive or image of many megabytes is judged by it alone.
        let head = (BINARY_SNIFF_LEN as u64).min(self.shared.max_file_size + 1);
        (&mut file).take(head).read_to_end(&mut self.buf)?;
        let whole = (self.buf.len() as u64) < head; // read_to_end stopped at the end
        if whole && self.buf.len() as u64 <= self.shared.max_file_size {
            return Ok(if memchr::memchr(0, &self.buf).is_some() {
                Read::Binary(self.buf.len() as u64)
            } else {
                Read::Whole(self.buf.len() as u64)
            });
        }
        let size = file.metadata()?.len();
        if size > self.shared.max_file_size {
            self.last_size = size;
            return Ok(Read::Huge);
        }
        if memchr::memchr(0, &self.buf).is_some() {
            return Ok(Read::Binary(size));
        }
        // The file may grow while we read it: never read past the limit.
        (&mut file)
            .take(self.shared.max_file_size + 1 - self.buf.len() as u64)
            .read_to_end(&mut self.buf)?;
        if self.buf.len() as u64 > self.shared.max_file_size {
            self.last_size = self.buf.len() as u64;
            return Ok(Read::Huge);
        }
        Ok(Read::Whole(self.buf.len() as u64))
    }

    fn offer(&mut self, rel: &str, abs: &Path, bytes: &[u8]) -> FileKind {
        let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
        if memchr::memchr(0, sniff).is_some() {
            return FileKind::Binary;
        }
        self.bytes += bytes.len() as u64;
        // `from_utf8` has a fast ASCII path; the lossy decoder is several times slower, so it
        // only runs on the rare file that is not valid UTF-8.
        let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let ignores = inline_ignores(&text);
        if !ignores.is_empty() {
            self.ignores.push((rel.to_owned(), ignores));
        }
        let file = SourceFile {
            path: rel,
            abs_path: abs,
            bytes,
            text: &text,
            syntax: SyntaxCell::default(),
        };
        for &i in &self.wanted {
            let out = &mut self.outputs[i];
            let start = std::time::Instant::now();
            if let Err(err) = self.shared.checks[i].check_file(&file, &mut out.sink) {
                out.errors.push(format!("{rel}: {err:#}"));
            }
            out.micros += u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        }
        FileKind::Text
    }
}

impl Drop for Worker<'_, '_> {
    fn drop(&mut self) {
        self.shared.bytes.fetch_add(self.bytes, Ordering::Relaxed);
        if let Ok(mut files) = self.shared.files.lock() {
            files.append(&mut self.files);
        }
        if let Ok(mut ig) = self.shared.ignores.lock() {
            ig.extend(self.ignores.drain(..));
        }
        if let Ok(mut outs) = self.shared.outputs.lock() {
            for (dst, src) in outs.iter_mut().zip(self.outputs.iter_mut()) {
                dst.sink.append(&mut src.sink);
                dst.errors.append(&mut src.errors);
                dst.micros += src.micros;
            }
        }
    }
}

/// `abs` relative to `root`, with `/` separators.
pub fn relative_path(root: &Path, abs: &Path) -> String {
    // Walked paths are `root` joined with names: a byte prefix at a `/` boundary is the common
    // case, and far cheaper than comparing path components.
    if std::path::MAIN_SEPARATOR == '/' {
        let (a, r) = (
            abs.as_os_str().as_encoded_bytes(),
            root.as_os_str().as_encoded_bytes(),
        );
        if let Some(rest) = a.strip_prefix(r)
            && (r.ends_with(b"/") || rest.is_empty() || rest.starts_with(b"/"))
        {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            if let Ok(s) = std::str::from_utf8(rest)
                && !s.starts_with(['.', '/'])
                && !s.contains("//")
            {
                return s.to_owned();
            }
        }
    }
    let rel = abs.strip_prefix(root).unwrap_or(abs);
    let s = rel.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '/' {
        s.to_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Comment openers of the common languages: `//` (and `///`, `//!`), `#`, `/*`, `*` inside a
/// block, `--`, `;`, `<!--`, `%`, `{-`, `(*`.
const COMMENT_OPENERS: &[&[u8]] = &[
    b"//", b"//!", b"#", b"/*", b"*", b"--", b";", b"<!--", b"%", b"{-", b"(*",
];

/// Whether the text before something on its line is empty or, spaces aside, ends with a
/// comment opener: then that something opens its comment (or its line). Shared by the inline
/// ignores and the marker check.
pub(crate) fn opens_comment(prefix: &[u8]) -> bool {
    let p = prefix.trim_ascii_end();
    p.is_empty() || COMMENT_OPENERS.iter().any(|o| p.ends_with(o))
}

/// Every `vigil:ignore RULE[,RULE…] [-- reason]` comment in `text`: the directive must open
/// its comment (or its line), so the words inside a string literal are not one.
pub fn inline_ignores(text: &str) -> Vec<InlineIgnore> {
    const TAG: &[u8] = b"vigil:ignore";
    let mut out = Vec::new();
    for pos in memchr::memmem::find_iter(text.as_bytes(), TAG) {
        let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
        if !opens_comment(&text.as_bytes()[line_start..pos]) {
            continue; // e.g. inside a string literal: `"vigil:ignore"`
        }
        let after = &text[pos + TAG.len()..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let rest = after[..line_end].trim_end_matches(['\r']);
        // Strip a closing comment marker such as `-->` or `*/`.
        let rest = rest
            .trim_end()
            .trim_end_matches("-->")
            .trim_end_matches("*/")
            .trim_end();
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue; // e.g. `vigil:ignored`
        }
        let (rules_part, reason) = match rest.find("--") {
            Some(i) => (&rest[..i], rest[i + 2..].trim()),
            None => (rest, ""),
        };
        let rules: Vec<String> = rules_part
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        out.push(InlineIgnore {
            line: line_of(text, pos),
            rules: if rules.is_empty() {
                vec!["*".to_owned()]
            } else {
                rules
            },
            reason: reason.to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the length and a checksum of every file it is offered.
    #[derive(Default)]
    struct Recorder(Mutex<BTreeMap<String, (usize, u64)>>);

    impl Check for Recorder {
        fn wants(&self, _path: &str) -> bool {
            true
        }
        fn check_file(&self, file: &SourceFile<'_>, _sink: &mut Sink) -> Result<()> {
            let sum = file.bytes.iter().map(|&b| u64::from(b)).sum();
            if let Ok(mut seen) = self.0.lock() {
                seen.insert(file.path.to_owned(), (file.bytes.len(), sum));
            }
            Ok(())
        }
    }

    #[test]
    fn relative_paths_are_slash_separated_and_rooted_at_the_root() {
        let cases = [
            ("/r", "/r/a/b.rs", "a/b.rs"),
            ("/r/", "/r/a.rs", "a.rs"),
            ("/", "/etc/x", "etc/x"),
            ("/r", "/r", ""),
            ("/r", "/r//a.rs", "a.rs"),
            ("/r", "/r/./a.rs", "a.rs"),
            ("/r", "/r/.github/ci.yml", ".github/ci.yml"),
            ("/r", "/rx/a.rs", "/rx/a.rs"),
        ];
        for (root, abs, want) in cases {
            assert_eq!(
                relative_path(Path::new(root), Path::new(abs)),
                want,
                "{root} {abs}"
            );
        }
    }

    /// What the walk recorded of the file `name`: its kind and size.
    fn kind_of(out: &WalkOutput, name: &str) -> Option<(FileKind, u64)> {
        out.index
            .files
            .iter()
            .find(|f| f.path == name)
            .map(|f| (f.kind, f.size))
    }

    #[test]
    fn files_are_read_whole_around_the_head_size_and_limits_hold() {
        let dir = tempfile::tempdir().expect("tempdir");
        let head = BINARY_SNIFF_LEN;
        let text = |n: usize| -> Vec<u8> { (0..n).map(|i| b'a' + (i % 26) as u8).collect() };
        let sizes = [0, 1, head - 1, head, head + 1, 3 * head + 7];
        for n in sizes {
            std::fs::write(dir.path().join(format!("t{n}.txt")), text(n)).expect("write");
        }
        // A NUL past the head does not make a file binary; one inside it does.
        let mut late_nul = text(head + 100);
        late_nul[head + 50] = 0;
        std::fs::write(dir.path().join("late-nul.txt"), &late_nul).expect("write");
        let mut early_nul = text(head + 100);
        early_nul[10] = 0;
        std::fs::write(dir.path().join("early-nul.bin"), &early_nul).expect("write");

        let walk_with = |max_file_size: u64| {
            let recorder = Recorder::default();
            let opts = WalkOptions {
                root: dir.path().canonicalize().expect("canonical"),
                exclude: Vec::new(),
                max_file_size,
                skip_dirs: Vec::new(),
                threads: 2,
            };
            let out = walk(&opts, &[&recorder], None).expect("walk");
            let seen = recorder.0.into_inner().expect("lock");
            (out, seen)
        };

        let (out, seen) = walk_with(10 * head as u64);
        for n in sizes {
            let want = text(n);
            let sum: u64 = want.iter().map(|&b| u64::from(b)).sum();
            assert_eq!(seen.get(&format!("t{n}.txt")), Some(&(n, sum)), "t{n}.txt");
        }
        let late_sum: u64 = late_nul.iter().map(|&b| u64::from(b)).sum();
        assert_eq!(seen.get("late-nul.txt"), Some(&(head + 100, late_sum)));
        assert!(!seen.contains_key("early-nul.bin"));
        assert_eq!(
            kind_of(&out, "early-nul.bin"),
            Some((FileKind::Binary, (head + 100) as u64))
        );
        assert_eq!(out.stats.binary_skipped, 1);

        // A limit below the head: a file of exactly the limit is read, one byte more is huge,
        // and a huge file's real size is recorded.
        let (out, seen) = walk_with(head as u64 - 1);
        assert_eq!(
            seen.get(&format!("t{}.txt", head - 1)).map(|s| s.0),
            Some(head - 1)
        );
        assert!(!seen.contains_key(&format!("t{head}.txt")));
        assert_eq!(
            kind_of(&out, &format!("t{head}.txt")),
            Some((FileKind::Huge, head as u64))
        );
        let big = 3 * head + 7;
        assert_eq!(
            kind_of(&out, &format!("t{big}.txt")),
            Some((FileKind::Huge, big as u64))
        );
    }

    #[test]
    fn parses_inline_ignores() {
        let text = "a\n// vigil:ignore todo-marker, fixme-marker -- tracked in #12\nb\n# vigil:ignore\n<!-- vigil:ignore broken-link -- moved -->\nvigil:ignored x\nlet s = \"vigil:ignore secrets\";\nx = f('vigil:ignore') # not one\n";
        let got = inline_ignores(text);
        // The two in string literals on the last lines are not directives.
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].line, 2);
        assert_eq!(got[0].rules, vec!["todo-marker", "fixme-marker"]);
        assert_eq!(got[0].reason, "tracked in #12");
        assert_eq!(got[1].rules, vec!["*"]);
        assert_eq!(got[1].reason, "");
        assert_eq!(got[2].rules, vec!["broken-link"]);
        assert_eq!(got[2].reason, "moved");
    }

    #[test]
    fn line_numbers_are_one_based() {
        assert_eq!(line_of("abc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(line_of("a\n", 99), 2);
    }
}
