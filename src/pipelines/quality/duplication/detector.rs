//! Clone detection over the normalized tokens of every file: fingerprints, seeds, maximal
//! extension, clone classes.
//!
//! **Fingerprints (per file, on the walk's threads).** A Rabin-Karp rolling hash runs over every
//! window of [`Params::window`] tokens. Keeping every hash would cost 16 bytes per token, so
//! winnowing (Schleimer, Wilkerson and Aiken, *Winnowing: local algorithms for document
//! fingerprinting*, SIGMOD 2003, the algorithm behind Moss) keeps only the smallest hash of each
//! run of [`Params::spread`] consecutive windows. Window and spread add up to `min_tokens + 1`,
//! which guarantees that two copies of any run of `min_tokens` tokens share at least one kept
//! fingerprint. Windows that repeat themselves a few tokens later (tables, lists of like
//! statements) are not kept: after normalization every row of a table looks like every other,
//! and such runs are repetition, not copied logic.
//!
//! **Seeds (after the walk).** All fingerprints are sorted by hash; in each group of equal hashes
//! the windows are compared token by token (a hash is only a hint), and equal ones become
//! seeds: every pair in a small group, each member with the first in a large one, so the work
//! stays linear in the number of fingerprints however common a window is.
//!
//! **Extension.** Seeds are sorted by file pair and diagonal (the distance between the two
//! positions); along a diagonal the first seed is extended token by token as far as both
//! copies agree, backwards and forwards, and the seeds it covers are skipped. A run that
//! overlaps itself in one file is cut to its period. Runs shorter than `min_tokens`, or spanning
//! fewer than `min_lines` lines in either copy, are dropped.
//!
//! **Classes.** Copies of exactly the same run are joined into one clone class, reported once
//! at its first copy.

use std::collections::{HashMap, VecDeque};

use rayon::prelude::*;

use super::tokenizer::Tokens;

/// Groups of at most this many equal windows are paired all with all; larger ones pair each
/// member with the first.
const ALL_PAIRS_MAX: usize = 8;

/// Fewest tokens a repetitive stretch spans (see [`informative_len`]).
const MIN_STRETCH: usize = 12;

/// Multiplier of the rolling hash (odd, so that it is invertible modulo 2^64).
const BASE: u64 = 0x0000_0100_0000_01b3;

/// Detection settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Params {
    /// Least clone length, in tokens.
    pub(super) min_tokens: usize,
    /// Least clone length, in lines, in every copy.
    pub(super) min_lines: u32,
}

impl Params {
    /// Tokens per hashed window.
    pub(super) fn window(&self) -> usize {
        self.min_tokens - self.min_tokens / 3
    }

    /// Consecutive windows that share one kept fingerprint.
    pub(super) fn spread(&self) -> usize {
        self.min_tokens / 3 + 1
    }
}

/// One file's tokens and kept fingerprints, held from the walk until detection.
#[derive(Debug)]
pub(super) struct FileTokens {
    /// Repository-relative path.
    pub(super) path: String,
    /// Normalized tokens and their lines.
    pub(super) tokens: Tokens,
    /// Kept fingerprints: hash and position of the window's first token.
    pub(super) fingerprints: Vec<Fingerprint>,
}

/// A kept fingerprint: the window's hash (32 bits are plenty, since every match is verified
/// token by token) and the position of its first token.
pub(super) type Fingerprint = (u32, u32);

/// One copy of a clone: a run of tokens in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Span {
    /// Index of the file in the slice given to [`detect`].
    pub(super) file: u32,
    /// Index of the first token.
    pub(super) start: u32,
    /// Number of tokens.
    pub(super) len: u32,
}

impl Span {
    /// Token range of the span.
    pub(super) fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// Places that hold the same normalized token run, sorted; the first is the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CloneClass {
    /// The copies, sorted by file and position.
    pub(super) spans: Vec<Span>,
}

/// Final mixing of a window hash, so that the low bits are as good as the high ones.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Kept fingerprints of one file's tokens. `seed` separates language families, whose tokens
/// must never be compared with each other.
pub(super) fn fingerprints(kinds: &[u16], seed: u64, params: &Params) -> Vec<Fingerprint> {
    let k = params.window();
    if kinds.len() < params.min_tokens || k == 0 {
        return Vec::new();
    }
    let n = kinds.len() - k + 1;
    let mut hashes = Vec::with_capacity(n);
    let pow = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut h = kinds[..k].iter().fold(0u64, |h, &t| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(t))
    });
    hashes.push(h);
    for i in 1..n {
        h = h
            .wrapping_sub(u64::from(kinds[i - 1]).wrapping_mul(pow))
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(kinds[i + k - 1]));
        hashes.push(h);
    }
    let mixed: Vec<u64> = hashes.iter().map(|&h| mix(h ^ seed)).collect();
    // A window equal to one at most `k` tokens away lies in a periodic run.
    let periodic = |i: usize| {
        (1..=k).any(|p| {
            (i + p < n && hashes[i + p] == hashes[i]) || (i >= p && hashes[i - p] == hashes[i])
        })
    };
    let w = params.spread();
    let mut out = Vec::with_capacity(2 * n / (w + 1) + 1);
    // Monotonic queue of window indices: the front holds the rightmost minimum of the run.
    let mut queue: VecDeque<usize> = VecDeque::with_capacity(w + 1);
    let mut last = usize::MAX;
    for i in 0..n {
        while queue.back().is_some_and(|&j| mixed[j] >= mixed[i]) {
            queue.pop_back();
        }
        queue.push_back(i);
        if i + 1 < w {
            continue;
        }
        let first = i + 1 - w;
        while queue.front().is_some_and(|&j| j < first) {
            queue.pop_front();
        }
        if let Some(&m) = queue.front()
            && m != last
        {
            last = m;
            if !periodic(m) {
                let hash = u32::try_from(mixed[m] >> 32).unwrap_or(u32::MAX);
                out.push((hash, u32::try_from(m).unwrap_or(u32::MAX)));
            }
        }
    }
    out
}

/// A pair of equal windows: where to start extending.
#[derive(Debug, Clone, Copy)]
struct Seed {
    a_file: u32,
    b_file: u32,
    a_pos: u32,
    b_pos: u32,
}

impl Seed {
    fn diagonal(&self) -> i64 {
        i64::from(self.b_pos) - i64::from(self.a_pos)
    }
}

/// Every clone class among `files`, sorted by first copy. Consumes the files' fingerprints.
pub(super) fn detect(files: &mut [FileTokens], params: &Params) -> Vec<CloneClass> {
    let total = files.iter().map(|f| f.fingerprints.len()).sum();
    let mut all: Vec<(u32, u32, u32)> = Vec::with_capacity(total);
    for (id, f) in files.iter_mut().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        all.extend(
            std::mem::take(&mut f.fingerprints)
                .into_iter()
                .map(|(h, pos)| (h, id, pos)),
        );
    }
    all.par_sort_unstable();
    keep_shared(&mut all);
    let files: &[FileTokens] = files;
    let k = params.window();
    let mut seeds: Vec<Seed> = all
        .par_chunk_by(|a, b| a.0 == b.0)
        .filter(|group| group.len() > 1)
        .flat_map_iter(|group| seeds_of(group, files, k))
        .collect();
    drop(all);
    seeds.par_sort_unstable_by_key(|s| (s.a_file, s.b_file, s.diagonal(), s.a_pos));
    let pairs: Vec<(Span, Span)> = seeds
        .par_chunk_by(|a, b| {
            (a.a_file, a.b_file, a.diagonal()) == (b.a_file, b.b_file, b.diagonal())
        })
        .flat_map_iter(|run| extend_run(run, files, params))
        .collect();
    drop(seeds);
    classes(pairs)
}

/// Drop the fingerprints whose hash occurs once (most of them): they can seed nothing.
fn keep_shared(all: &mut Vec<(u32, u32, u32)>) {
    let mut kept = 0;
    let mut i = 0;
    while i < all.len() {
        let hash = all[i].0;
        let end = i + all[i..].partition_point(|e| e.0 == hash);
        if end - i > 1 {
            all.copy_within(i..end, kept);
            kept += end - i;
        }
        i = end;
    }
    all.truncate(kept);
    all.shrink_to_fit();
}

/// Seeds of one group of fingerprints with equal hashes, sorted by file and position.
///
/// Members whose windows differ from the first (a hash collision) form groups of their own.
fn seeds_of(group: &[(u32, u32, u32)], files: &[FileTokens], k: usize) -> Vec<Seed> {
    let window = |&(_, file, pos): &(u32, u32, u32)| {
        let start = pos as usize;
        &files[file as usize].tokens.kinds[start..start + k]
    };
    let seed = |a: &(u32, u32, u32), b: &(u32, u32, u32)| Seed {
        a_file: a.1,
        b_file: b.1,
        a_pos: a.2,
        b_pos: b.2,
    };
    let mut out = Vec::new();
    let mut rest: Vec<(u32, u32, u32)> = group.to_vec();
    while rest.len() > 1 {
        let reference = window(&rest[0]);
        let (members, others): (Vec<_>, Vec<_>) = rest.iter().partition(|m| window(m) == reference);
        if members.len() <= ALL_PAIRS_MAX {
            for (i, a) in members.iter().enumerate() {
                out.extend(members[i + 1..].iter().map(|b| seed(a, b)));
            }
        } else {
            out.extend(members[1..].iter().map(|b| seed(&members[0], b)));
        }
        rest = others;
    }
    out
}

/// Clone pairs from the seeds of one file pair and diagonal, sorted by position.
fn extend_run(run: &[Seed], files: &[FileTokens], params: &Params) -> Vec<(Span, Span)> {
    let k = params.window();
    let mut out = Vec::new();
    let mut covered_end = 0usize;
    for seed in run {
        if (seed.a_pos as usize) < covered_end {
            continue;
        }
        let a = &files[seed.a_file as usize].tokens;
        let b = &files[seed.b_file as usize].tokens;
        let (mut sa, mut sb) = (seed.a_pos as usize, seed.b_pos as usize);
        while sa > 0 && sb > 0 && a.kinds[sa - 1] == b.kinds[sb - 1] {
            sa -= 1;
            sb -= 1;
        }
        let (mut ea, mut eb) = (seed.a_pos as usize, seed.b_pos as usize);
        while ea < a.kinds.len() && eb < b.kinds.len() && a.kinds[ea] == b.kinds[eb] {
            ea += 1;
            eb += 1;
        }
        covered_end = ea;
        let mut len = ea - sa;
        if seed.a_file == seed.b_file {
            // A run overlapping itself repeats with period `sb - sa`: one period is the clone.
            len = len.min(sb - sa);
        }
        if len < params.min_tokens
            || informative_len(&a.kinds[sa..sa + len], k, params.min_tokens) < params.min_tokens
        {
            continue;
        }
        let lines = |t: &Tokens, start: usize| t.line_of(start + len - 1) - t.line_of(start) + 1;
        if lines(a, sa) < params.min_lines || lines(b, sb) < params.min_lines {
            continue;
        }
        let span = |file: u32, start: usize| Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(u32::MAX),
        };
        out.push((span(seed.a_file, sa), span(seed.b_file, sb)));
    }
    out
}

/// Length of `run` when each repetitive stretch in it counts as one period, or any value of
/// at least `enough` once it is known to reach it.
///
/// A stretch is repetitive when a unit of at most `max_period` tokens occurs at least three
/// times in a row, over at least [`MIN_STRETCH`] tokens: rows of a table, fields of a struct,
/// a list of like calls. Two such stretches of the same shape are equal once names and
/// literals are set aside, yet only one unit of each carries structure; measured this way a
/// table copied nowhere is short, and not a clone.
fn informative_len(run: &[u16], max_period: usize, enough: usize) -> usize {
    let n = run.len();
    let mut len = 0;
    let mut i = 0;
    'scan: while i < n && len < enough {
        for p in 1..=max_period {
            // Positions that must equal the one a period later: the stretch's length - p.
            let need = (3 * p).max(MIN_STRETCH) - p;
            if i + need + p > n {
                break;
            }
            if (0..need).all(|j| run[i + j] == run[i + j + p]) {
                let mut j = need;
                while i + j + p < n && run[i + j] == run[i + j + p] {
                    j += 1;
                }
                len += p;
                i += j + p;
                continue 'scan;
            }
        }
        len += 1;
        i += 1;
    }
    len
}

/// Join pairs that share a copy into classes.
fn classes(pairs: Vec<(Span, Span)>) -> Vec<CloneClass> {
    let mut index: HashMap<Span, usize> = HashMap::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut id = |s: Span, spans: &mut Vec<Span>, parent: &mut Vec<usize>| {
        *index.entry(s).or_insert_with(|| {
            spans.push(s);
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (a, b) in pairs {
        let ia = id(a, &mut spans, &mut parent);
        let ib = id(b, &mut spans, &mut parent);
        let (ra, rb) = (root(&mut parent, ia), root(&mut parent, ib));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: HashMap<usize, Vec<Span>> = HashMap::new();
    for (i, span) in spans.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(*span);
    }
    let mut out: Vec<CloneClass> = groups
        .into_values()
        .map(|mut spans| {
            spans.sort_unstable();
            CloneClass { spans }
        })
        .collect();
    out.sort_unstable_by(|a, b| a.spans[0].cmp(&b.spans[0]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::quality::duplication::tokenizer::LineStart;

    const PARAMS: Params = Params {
        min_tokens: 20,
        min_lines: 1,
    };

    /// A file whose token `i` is on line `i + 1`.
    fn file(path: &str, kinds: Vec<u16>) -> FileTokens {
        let lines = (0..kinds.len())
            .map(|i| LineStart {
                line: u32::try_from(i).expect("small") + 1,
                first: u32::try_from(i).expect("small"),
            })
            .collect();
        let fingerprints = fingerprints(&kinds, 0, &PARAMS);
        FileTokens {
            path: path.to_owned(),
            tokens: Tokens {
                code_lines: u32::try_from(kinds.len()).expect("small"),
                kinds,
                lines,
            },
            fingerprints,
        }
    }

    /// Pseudo-random, non-periodic tokens drawn from 50 kinds starting at `base`.
    fn noise(seed: u64, n: usize, base: u16) -> Vec<u16> {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                u16::try_from(x % 50).expect("small") + base
            })
            .collect()
    }

    /// The shared content of the tests, from an alphabet no filler uses.
    fn shared(seed: u64, n: usize) -> Vec<u16> {
        noise(seed, n, 10)
    }

    /// Filler of file number `file`, from an alphabet of its own.
    fn filler(file: u16, seed: u64, n: usize) -> Vec<u16> {
        noise(seed, n, 100 * (file + 1))
    }

    fn spans(classes: &[CloneClass]) -> Vec<Vec<(u32, u32, u32)>> {
        classes
            .iter()
            .map(|c| c.spans.iter().map(|s| (s.file, s.start, s.len)).collect())
            .collect()
    }

    #[test]
    fn window_and_spread_guarantee_min_tokens() {
        for min_tokens in [10, 20, 50, 51, 100, 333] {
            let p = Params {
                min_tokens,
                min_lines: 1,
            };
            assert_eq!(p.window() + p.spread() - 1, min_tokens);
        }
    }

    #[test]
    fn every_shared_run_of_min_tokens_shares_a_fingerprint() {
        for shift in 0..30 {
            let common = shared(7, 20);
            let a = [filler(0, 1, shift), common.clone(), filler(0, 2, 17)].concat();
            let b = [filler(1, 3, 11), common, filler(1, 4, shift)].concat();
            let fa: std::collections::HashSet<u32> = fingerprints(&a, 0, &PARAMS)
                .into_iter()
                .map(|f| f.0)
                .collect();
            assert!(
                fingerprints(&b, 0, &PARAMS)
                    .iter()
                    .any(|f| fa.contains(&f.0)),
                "shift {shift}"
            );
        }
    }

    #[test]
    fn clones_are_extended_to_their_maximal_length() {
        let common = shared(9, 60);
        let mut files = vec![
            file(
                "a",
                [filler(0, 1, 30), common.clone(), filler(0, 2, 30)].concat(),
            ),
            file("b", [filler(1, 3, 5), common, filler(1, 4, 40)].concat()),
        ];
        let found = detect(&mut files, &PARAMS);
        assert_eq!(spans(&found), vec![vec![(0, 30, 60), (1, 5, 60)]]);
    }

    #[test]
    fn three_copies_form_one_class_and_short_runs_none() {
        let common = shared(5, 25);
        let short = noise(6, 15, 50);
        let mut files = vec![
            file(
                "a",
                [common.clone(), filler(0, 1, 40), short.clone()].concat(),
            ),
            file(
                "b",
                [filler(1, 2, 10), common.clone(), short.clone()].concat(),
            ),
            file(
                "c",
                [filler(2, 3, 20), common, filler(2, 4, 3), short].concat(),
            ),
        ];
        let found = detect(&mut files, &PARAMS);
        assert_eq!(
            spans(&found),
            vec![vec![(0, 0, 25), (1, 10, 25), (2, 20, 25)]]
        );
    }

    #[test]
    fn a_clone_within_one_file_does_not_overlap_itself() {
        let common = shared(8, 30);
        let mut files = vec![file(
            "a",
            [common.clone(), filler(0, 1, 10), common, filler(0, 2, 5)].concat(),
        )];
        let found = detect(&mut files, &PARAMS);
        assert_eq!(spans(&found), vec![vec![(0, 0, 30), (0, 40, 30)]]);
    }

    #[test]
    fn repetitive_runs_are_not_clones() {
        let unit = shared(3, 7);
        let table: Vec<u16> = unit.iter().copied().cycle().take(200).collect();
        let mut files = vec![file("a", table.clone()), file("b", table)];
        assert!(files.iter().all(|f| f.fingerprints.is_empty()));
        assert!(detect(&mut files, &PARAMS).is_empty());
    }

    #[test]
    fn tables_of_the_same_shape_are_not_clones() {
        // A frame of 9 tokens around 30 rows of the same 6-token shape, in two files: 180
        // equal tokens, but only 15 once the rows count as one.
        let row = shared(12, 6);
        let table: Vec<u16> = row.iter().copied().cycle().take(180).collect();
        let body = [shared(11, 5), table, shared(14, 4)].concat();
        let mut files = vec![
            file("a", [filler(0, 1, 10), body.clone()].concat()),
            file("b", [filler(1, 2, 10), body].concat()),
        ];
        assert!(detect(&mut files, &PARAMS).is_empty());
    }

    #[test]
    fn repetitive_stretches_count_as_one_period() {
        let unit = [7u16, 8, 9, 10, 11];
        let stretch: Vec<u16> = unit.iter().copied().cycle().take(60).collect();
        assert_eq!(informative_len(&stretch, 20, usize::MAX), 5);
        let plain = shared(13, 40);
        assert_eq!(informative_len(&plain, 20, usize::MAX), 40);
        // A unit twice, or three times over fewer than 12 tokens: not repetitive.
        assert_eq!(informative_len(&stretch[..14], 20, usize::MAX), 14);
        assert_eq!(
            informative_len(&[1, 2, 1, 2, 1, 2, 1, 2], 20, usize::MAX),
            8
        );
        assert_eq!(informative_len(&stretch[..15], 20, usize::MAX), 5);
        // A unit longer than the longest period looked for.
        assert_eq!(informative_len(&stretch, 4, usize::MAX), 60);
        // Counting stops once it is enough.
        assert_eq!(informative_len(&plain, 20, 10), 10);
        assert_eq!(
            informative_len(&[plain.clone(), stretch, plain].concat(), 20, usize::MAX),
            85
        );
    }

    #[test]
    fn different_families_never_match() {
        let kinds = shared(4, 40);
        let a = fingerprints(&kinds, 1, &PARAMS);
        let b = fingerprints(&kinds, 2, &PARAMS);
        assert!(a.iter().all(|x| b.iter().all(|y| x.0 != y.0)));
    }
}
