//! llvm-cov JSON export (`llvm-cov export -format=text`, `cargo llvm-cov --json`).
//!
//! The document is `{"type": "llvm.coverage.json.export", "version": "2.0.1", "data":
//! [{"files": [{"filename", "segments", "branches", "summary", …}], …}]}`. Per-line counts are
//! not in the file: they are derived from the *segments*
//! `[line, col, count, has_count, is_region_entry, is_gap_region]` exactly as llvm-cov derives
//! its own line report (`LineCoverageStats` in LLVM's `CoverageMapping.cpp`), so the totals
//! here equal the `summary.lines` llvm-cov prints. A branch entry
//! `[line, col, end_line, end_col, true_count, false_count, …]` is two branches (true and
//! false) on its first line, as llvm-cov counts them.
//!
//! An export made with `--summary-only` has no segments; it cannot be merged or checked
//! against a diff, so it is reported as unusable rather than half-read.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};

use super::data::{CoverageReport, FileCoverage, Format, ParseError};

/// The value of `type` in an llvm-cov export.
const EXPORT_TYPE: &str = "llvm.coverage.json.export";

/// Whether `bytes` look like an llvm-cov JSON export: a JSON object naming the export type,
/// or — since llvm-cov writes `type` last, after the data — one with `segments` arrays, so a
/// truncated export is still recognised and reported as broken.
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|s| bytes[s] == b'{')
        && (memchr::memmem::find(bytes, EXPORT_TYPE.as_bytes()).is_some()
            || memchr::memmem::find(bytes, b"\"segments\"").is_some())
}

#[derive(Deserialize)]
struct Export {
    #[serde(rename = "type")]
    kind: String,
    data: Vec<Data>,
}

#[derive(Deserialize)]
struct Data {
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    segments: Option<Vec<Segment>>,
    #[serde(default)]
    branches: Vec<Branch>,
}

/// `[line, col, count, has_count, is_region_entry, is_gap_region]`; the last is absent in
/// exports older than version 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    line: u32,
    count: u64,
    has_count: bool,
    is_region_entry: bool,
    is_gap_region: bool,
}

/// `[line, col, end_line, end_col, true_count, false_count, …]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Branch {
    line: u32,
    true_count: u64,
    false_count: u64,
}

struct SegmentVisitor;

impl<'de> Visitor<'de> for SegmentVisitor {
    type Value = Segment;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a segment [line, col, count, has_count, is_region_entry, is_gap_region]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Segment, A::Error> {
        let line: u32 = need(&mut seq, 0, &self)?;
        let _col: u32 = need(&mut seq, 1, &self)?;
        let count: u64 = need(&mut seq, 2, &self)?;
        let has_count: bool = need(&mut seq, 3, &self)?;
        let is_region_entry: bool = need(&mut seq, 4, &self)?;
        let is_gap_region: bool = seq.next_element()?.unwrap_or(false);
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Segment {
            line,
            count,
            has_count,
            is_region_entry,
            is_gap_region,
        })
    }
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(SegmentVisitor)
    }
}

struct BranchVisitor;

impl<'de> Visitor<'de> for BranchVisitor {
    type Value = Branch;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a branch [line, col, end_line, end_col, true_count, false_count, …]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Branch, A::Error> {
        let line: u32 = need(&mut seq, 0, &self)?;
        let _col: u32 = need(&mut seq, 1, &self)?;
        let _end_line: u32 = need(&mut seq, 2, &self)?;
        let _end_col: u32 = need(&mut seq, 3, &self)?;
        let true_count: u64 = need(&mut seq, 4, &self)?;
        let false_count: u64 = need(&mut seq, 5, &self)?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Branch {
            line,
            true_count,
            false_count,
        })
    }
}

impl<'de> Deserialize<'de> for Branch {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(BranchVisitor)
    }
}

fn need<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    seq: &mut A,
    index: usize,
    exp: &dyn de::Expected,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, exp))
}

/// Parse an llvm-cov JSON export.
pub(crate) fn parse(bytes: &[u8]) -> Result<CoverageReport, ParseError> {
    let export: Export = serde_json::from_slice(bytes).map_err(|e| ParseError {
        line: (e.line() > 0).then_some(e.line() as u64),
        message: format!("invalid llvm-cov JSON: {e}"),
    })?;
    if export.kind != EXPORT_TYPE {
        return Err(ParseError::whole(format!(
            "`type` is `{}`, not `{EXPORT_TYPE}`",
            export.kind
        )));
    }
    let mut report = CoverageReport::new(Format::LlvmJson);
    for data in export.data {
        for file in data.files {
            let Some(segments) = file.segments else {
                return Err(ParseError::whole(format!(
                    "`{}` has no `segments` (was the export made with --summary-only?); per-line \
                     data is needed",
                    file.filename
                )));
            };
            check_order(&file.filename, &segments)?;
            let mut cov = line_coverage(&segments);
            for b in &file.branches {
                if b.line == 0 {
                    continue;
                }
                let covered = u32::from(b.true_count > 0) + u32::from(b.false_count > 0);
                let slot = cov.branches.entry(b.line).or_default();
                slot.total = slot.total.saturating_add(2);
                slot.covered = slot.covered.saturating_add(covered);
            }
            report.file(&file.filename).merge(&cov);
        }
    }
    Ok(report)
}

/// Most lines one file's segments may span; more means a corrupt export (and would make the
/// line walk below take unbounded time).
const MAX_SPAN: u32 = 10_000_000;

/// Segments must be in line order and span a plausible number of lines.
fn check_order(file: &str, segments: &[Segment]) -> Result<(), ParseError> {
    if segments.windows(2).any(|w| w[1].line < w[0].line) {
        return Err(ParseError::whole(format!(
            "the segments of `{file}` are not in line order: a corrupt export"
        )));
    }
    if let (Some(first), Some(last)) = (segments.first(), segments.last())
        && last.line - first.line > MAX_SPAN
    {
        return Err(ParseError::whole(format!(
            "the segments of `{file}` span lines {} to {}: a corrupt export",
            first.line, last.line
        )));
    }
    Ok(())
}

/// Per-line counts from a file's segments, by llvm-cov's own rules.
///
/// Walking lines from the first segment's to the last's: a line is *mapped* when a counted
/// region starts on it or a counted region wraps into it from an earlier line, unless the line
/// starts a skipped region; its count is the highest of the wrapped count and the counts of the
/// non-gap regions starting on it.
fn line_coverage(segments: &[Segment]) -> FileCoverage {
    let mut cov = FileCoverage::default();
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
        return cov;
    };
    let mut wrapped: Option<&Segment> = None;
    let mut next = 0usize;
    for line in first.line..=last.line {
        let start = next;
        while next < segments.len() && segments[next].line == line {
            next += 1;
        }
        let on_line = &segments[start..next];
        let is_start = |s: &&Segment| !s.is_gap_region && s.has_count && s.is_region_entry;
        let starts = on_line.iter().filter(is_start).count();
        let skipped = on_line
            .first()
            .is_some_and(|s| !s.has_count && s.is_region_entry);
        let mapped = !skipped && (wrapped.is_some_and(|w| w.has_count) || starts > 0);
        if mapped {
            let mut count = wrapped.map_or(0, |w| w.count);
            for s in on_line.iter().filter(is_start) {
                count = count.max(s.count);
            }
            cov.hit(line, count);
        }
        if let Some(last_on_line) = on_line.last() {
            wrapped = Some(last_on_line);
        }
    }
    cov
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::data::Branches;
    use super::*;

    #[test]
    fn derives_lines_like_llvm_cov() {
        // Line 1 starts a region run once; line 2 a nested one; line 3 starts a region never
        // run, but the region wrapping in from line 2 ran, so llvm-cov shows the higher count;
        // line 4 has only a gap and a non-entry segment, so the wrapped count (0, from line
        // 3) stands; lines 5-7 have no region start and take the wrapped count 1.
        let json = br#"{"type":"llvm.coverage.json.export","version":"2.0.1","data":[{"files":[{"filename":"/r/src/f.c",
          "segments":[[1,10,1,true,true,false],[2,6,1,true,true,false],[3,5,0,true,true,false],[4,3,1,true,false,true],[4,4,1,true,false,false],[7,2,0,false,false,false]],
          "branches":[[2,6,2,7,1,0,0,0,4]]}]}]}"#;
        let r = parse(json).expect("valid");
        let f = &r.files["/r/src/f.c"];
        assert_eq!(
            f.lines,
            BTreeMap::from([(1, 1), (2, 1), (3, 1), (4, 0), (5, 1), (6, 1), (7, 1)])
        );
        assert_eq!(
            f.branches[&2],
            Branches {
                covered: 1,
                total: 2
            }
        );
    }

    #[test]
    fn skipped_regions_are_not_mapped() {
        let segs = [
            Segment {
                line: 1,
                count: 1,
                has_count: true,
                is_region_entry: true,
                is_gap_region: false,
            },
            Segment {
                line: 2,
                count: 0,
                has_count: false,
                is_region_entry: true,
                is_gap_region: false,
            },
            Segment {
                line: 3,
                count: 0,
                has_count: false,
                is_region_entry: false,
                is_gap_region: false,
            },
        ];
        let cov = line_coverage(&segs);
        assert_eq!(cov.lines, BTreeMap::from([(1, 1)]));
    }

    #[test]
    fn bad_exports_are_errors() {
        let err = parse(b"{\"type\":\"llvm.coverage.json.export\",\n\"data\":[{\"files\":[{\"filename\":\"a\",\"summary\":{}}]}]}")
            .expect_err("summary only");
        assert!(err.message.contains("--summary-only"), "{err}");
        let err = parse(b"{\"type\":\"llvm.coverage.json.export\",\n\"data\": [\n{\"files\": [{\"filename\": \"a\", \"segments\": [[1, 2]]}]}]}")
            .expect_err("short segment");
        assert_eq!(err.line, Some(3), "{err}");
        let err = parse(b"{\"type\":\"llvm.coverage.json.export\",\"data\":[{\"files\":[{\"filename\":\"a\",\"segments\":[[1,1,0,true,true],[4000000000,1,0,false,false]]}]}]}")
            .expect_err("implausible span");
        assert!(err.message.contains("corrupt"), "{err}");
        let err = parse(b"{\"type\":\"llvm.coverage.json.export\",\"data\":[{\"files\":[{\"filename\":\"a\",\"segments\":[[5,1,0,true,true],[2,1,0,false,false]]}]}]}")
            .expect_err("out of order");
        assert!(err.message.contains("line order"), "{err}");
        let err = parse(b"{\"type\":\"other\",\"data\":[]}").expect_err("other type");
        assert!(err.message.contains("`other`"), "{err}");
        assert!(sniff(
            b"  {\"data\":[],\"type\":\"llvm.coverage.json.export\"}"
        ));
        assert!(sniff(b"{\"data\":[{\"files\":[{\"segments\":[[1,"));
        assert!(!sniff(b"{\"meta\":{\"version\":\"7\"},\"files\":{}}"));
    }
}
