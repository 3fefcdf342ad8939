//! lcov tracefiles (`lcov.info`, `*.lcov`), as written by lcov/geninfo, `llvm-cov export
//! -format=lcov`, `cargo llvm-cov --lcov`, coverage.py, Istanbul/nyc, c8 and others.
//!
//! A tracefile is a list of records, one per source file: `SF:<path>` opens one,
//! `end_of_record` closes it. Inside, `DA:<line>,<hits>[,<checksum>]` gives a line's count and
//! `BRDA:<line>,<block>,<branch>,<taken>` one branch (`taken` is `-` when the block never ran).
//! The summary lines `LF`/`LH`/`BRF`/`BRH` are not used: totals are recomputed from the
//! `DA`/`BRDA` lines, because only per-line data can be merged with other reports and checked
//! against a diff. Function records (`FN`, `FNDA`, …), `TN`, `VER` and unknown keys are ignored.
//!
//! A file may hold several records for the same source (one per test name, `TN:`): line counts
//! keep the highest, and branches are merged by their `(block, branch)` identity before being
//! counted per line, so two tests taking different branches of one line add up.

use std::collections::{BTreeMap, HashMap};

use super::data::{Branches, CoverageReport, FileCoverage, Format, ParseError};

/// Whether `text` looks like an lcov tracefile (its first record key is a known one).
pub(crate) fn sniff(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| ["TN:", "SF:", "VER:"].iter().any(|k| l.starts_with(k)))
}

/// Parse an lcov tracefile.
pub(crate) fn parse(text: &str) -> Result<CoverageReport, ParseError> {
    // One entry per source file, however many records name it; `current` indexes the open one,
    // so DA and BRDA lines cost no path lookup.
    let mut files: Vec<Record<'_>> = Vec::new();
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u64 + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            current = None;
            continue;
        }
        let Some((key, value)) = line
            .split_once(':')
            .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_uppercase()))
        else {
            return Err(ParseError::at(
                n,
                format!("`{}` is not an lcov record (KEY:value)", clip(line)),
            ));
        };
        match key {
            "SF" => {
                let path = value.trim();
                if path.is_empty() {
                    return Err(ParseError::at(n, "SF: without a file path"));
                }
                let idx = *by_path.entry(path).or_insert_with(|| {
                    files.push(Record {
                        path,
                        coverage: FileCoverage::default(),
                        branches: BTreeMap::new(),
                    });
                    files.len() - 1
                });
                current = Some(idx);
            }
            "DA" => {
                let idx = current.ok_or_else(|| outside(n, "DA"))?;
                let mut parts = value.split(',');
                let line_no = to_u32(number(parts.next(), n, "DA line number")?, n)?;
                let hits = hits(parts.next(), n)?;
                if line_no > 0 {
                    files[idx].coverage.hit(line_no, hits);
                }
            }
            "BRDA" => {
                let idx = current.ok_or_else(|| outside(n, "BRDA"))?;
                let parts: Vec<&str> = value.split(',').collect();
                if parts.len() < 4 {
                    return Err(ParseError::at(
                        n,
                        "BRDA needs four fields: line,block,branch,taken",
                    ));
                }
                let line_no = to_u32(number(Some(parts[0]), n, "BRDA line number")?, n)?;
                // The count is always the last field; be lenient with commas in branch names.
                let taken_field = parts[parts.len() - 1].trim();
                let taken = if taken_field == "-" {
                    0
                } else {
                    hits(Some(taken_field), n)?
                };
                let block = parts[1].trim();
                let branch = &value[parts[0].len() + parts[1].len() + 2
                    ..value.len() - parts[parts.len() - 1].len() - 1];
                if line_no > 0 {
                    let slot = files[idx]
                        .branches
                        .entry((line_no, block, branch))
                        .or_insert(0);
                    *slot = slot.saturating_add(taken);
                }
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(ParseError::whole(
            "no `SF:` record: the file is empty or not an lcov tracefile",
        ));
    }
    let mut report = CoverageReport::new(Format::Lcov);
    for mut rec in files {
        let mut per_line: BTreeMap<u32, Branches> = BTreeMap::new();
        for ((line, _, _), taken) in rec.branches {
            let b = per_line.entry(line).or_default();
            b.total = b.total.saturating_add(1);
            if taken > 0 {
                b.covered = b.covered.saturating_add(1);
            }
        }
        for (line, b) in per_line {
            rec.coverage.branch(line, b);
        }
        report.file(rec.path).merge(&rec.coverage);
    }
    Ok(report)
}

/// Everything the records of one source file said.
struct Record<'t> {
    path: &'t str,
    coverage: FileCoverage,
    /// `(line, block, branch)` → times taken, summed over records.
    branches: BTreeMap<(u32, &'t str, &'t str), u64>,
}

fn outside(n: u64, key: &str) -> ParseError {
    ParseError::at(
        n,
        format!("{key} outside a record (no `SF:` line before it)"),
    )
}

fn number(field: Option<&str>, n: u64, what: &str) -> Result<u64, ParseError> {
    let f = field.map(str::trim).unwrap_or("");
    f.parse::<u64>()
        .map_err(|_| ParseError::at(n, format!("{what} `{}` is not a number", clip(f))))
}

/// An execution count; negative counts (old gcov overflow bugs) and floats (some JS tools) are
/// read leniently: below zero is 0, a fraction is truncated.
fn hits(field: Option<&str>, n: u64) -> Result<u64, ParseError> {
    let f = field.map(str::trim).unwrap_or("");
    if let Ok(v) = f.parse::<u64>() {
        return Ok(v);
    }
    match f.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(if v <= 0.0 { 0 } else { v as u64 }),
        _ => Err(ParseError::at(
            n,
            format!("execution count `{}` is not a number", clip(f)),
        )),
    }
}

fn to_u32(v: u64, n: u64) -> Result<u32, ParseError> {
    u32::try_from(v).map_err(|_| ParseError::at(n, format!("line number {v} is out of range")))
}

/// At most 60 characters of `s`, for error messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_branches() {
        let text = "TN:\nSF:src/a.rs\nDA:1,3\nDA:2,0\nDA:3,1,abcdef\nBRDA:3,0,0,2\nBRDA:3,0,1,-\nLF:3\nLH:2\nend_of_record\n";
        let r = parse(text).expect("valid");
        let f = &r.files["src/a.rs"];
        assert_eq!(f.lines, BTreeMap::from([(1, 3), (2, 0), (3, 1)]));
        assert_eq!(
            f.branches[&3],
            Branches {
                covered: 1,
                total: 2
            }
        );
    }

    #[test]
    fn records_of_several_tests_add_branches_by_identity() {
        let text = "TN:a\nSF:x.c\nDA:5,1\nBRDA:5,0,0,1\nBRDA:5,0,1,0\nend_of_record\nTN:b\nSF:x.c\nDA:5,0\nDA:6,0\nBRDA:5,0,0,0\nBRDA:5,0,1,4\nend_of_record\n";
        let r = parse(text).expect("valid");
        let f = &r.files["x.c"];
        assert_eq!(f.lines, BTreeMap::from([(5, 1), (6, 0)]));
        assert_eq!(
            f.branches[&5],
            Branches {
                covered: 2,
                total: 2
            }
        );
    }

    #[test]
    fn malformed_input_names_the_line() {
        let err = parse("SF:a.rs\nDA:1,1\nDA:x,1\n").expect_err("bad number");
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("`x`"), "{err}");
        let err = parse("DA:1,1\n").expect_err("outside");
        assert_eq!(
            err.to_string(),
            "line 1: DA outside a record (no `SF:` line before it)"
        );
        let err = parse("<html>\n").expect_err("not lcov");
        assert_eq!(err.line, Some(1));
        let err = parse("\n\n").expect_err("empty");
        assert_eq!(err.line, None);
        let err = parse("SF:a\nBRDA:1,0\n").expect_err("short BRDA");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn sniffs_tracefiles() {
        assert!(sniff("\nTN:\nSF:a\n"));
        assert!(sniff("SF:/abs/a.c\n"));
        assert!(!sniff("{\"data\": []}"));
    }
}
