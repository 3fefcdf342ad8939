//! The coverage model every report parser produces, how reports merge, and the totals.
//!
//! A parser turns one report into a [`CoverageReport`]: per source file (keyed by the path as
//! the report wrote it) the execution count of every *instrumented* line and, per line, how
//! many branches there are and how many were taken. Lines a report does not list are not
//! code (blank lines, comments, declarations) and count neither as covered nor as missed.
//!
//! Several reports merge line by line, keeping the highest count: the usual case is one report
//! per test suite (unit, integration) over the same sources, and a line any suite ran is
//! covered. Branch counts merge the same way, per line (`covered` and `total` each take their
//! maximum): reports do not share a branch identity across formats, so the union of two
//! suites' branches cannot be known, and the maximum never overstates it.

use std::collections::BTreeMap;
use std::fmt;

/// A problem in a report, with the 1-based line of the report where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Line of the report file, when the parser knows it.
    pub(crate) line: Option<u64>,
    /// What is wrong, in words.
    pub(crate) message: String,
}

impl ParseError {
    /// An error at a known line of the report.
    pub(crate) fn at(line: u64, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about the report as a whole.
    pub(crate) fn whole(message: impl Into<String>) -> Self {
        Self {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The report formats vigil reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Format {
    /// lcov tracefile (`lcov.info`, `*.lcov`).
    Lcov,
    /// Cobertura XML (`coverage.xml`, `cobertura.xml`).
    Cobertura,
    /// JaCoCo XML (`jacoco.xml`, `jacocoTestReport.xml`).
    Jacoco,
    /// `llvm-cov export` / `cargo llvm-cov --json`.
    LlvmJson,
}

impl Format {
    /// Human name of the format.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Lcov => "lcov",
            Self::Cobertura => "Cobertura XML",
            Self::Jacoco => "JaCoCo XML",
            Self::LlvmJson => "llvm-cov JSON",
        }
    }
}

/// Branches of one line: how many exist and how many were taken at least once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Branches {
    /// Branches taken at least once.
    pub(crate) covered: u32,
    /// All branches.
    pub(crate) total: u32,
}

/// Coverage of one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileCoverage {
    /// Execution count of every instrumented line, by 1-based line number.
    pub(crate) lines: BTreeMap<u32, u64>,
    /// Branch counts by 1-based line number (lines with branches only).
    pub(crate) branches: BTreeMap<u32, Branches>,
}

impl FileCoverage {
    /// Record `hits` for `line`, keeping the highest count seen.
    pub(crate) fn hit(&mut self, line: u32, hits: u64) {
        let slot = self.lines.entry(line).or_insert(0);
        *slot = (*slot).max(hits);
    }

    /// Record branch counts for `line`, keeping the highest of each.
    pub(crate) fn branch(&mut self, line: u32, b: Branches) {
        let slot = self.branches.entry(line).or_default();
        slot.covered = slot.covered.max(b.covered);
        slot.total = slot.total.max(b.total);
    }

    /// Merge `other` into `self`, line by line.
    pub(crate) fn merge(&mut self, other: &Self) {
        for (&line, &hits) in &other.lines {
            self.hit(line, hits);
        }
        for (&line, &b) in &other.branches {
            self.branch(line, b);
        }
    }
}

/// One parsed report, with paths as the report wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CoverageReport {
    /// Format it was read as.
    pub(crate) format: Format,
    /// Coverage by file path as written in the report.
    pub(crate) files: BTreeMap<String, FileCoverage>,
    /// Folders the report's relative paths are relative to (Cobertura `<source>`), in order.
    pub(crate) source_roots: Vec<String>,
}

impl CoverageReport {
    /// An empty report of `format`.
    pub(crate) fn new(format: Format) -> Self {
        Self {
            format,
            files: BTreeMap::new(),
            source_roots: Vec::new(),
        }
    }

    /// The entry of `path`, created empty when missing.
    pub(crate) fn file(&mut self, path: &str) -> &mut FileCoverage {
        self.files.entry(path.to_owned()).or_default()
    }
}

/// Coverage of the repository: every report merged, by repo-relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// Coverage by repo-relative, `/`-separated path.
    pub(crate) files: BTreeMap<String, FileCoverage>,
}

/// Line and branch totals of a [`Coverage`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Instrumented lines.
    pub(crate) lines_total: u64,
    /// Instrumented lines that ran.
    pub(crate) lines_covered: u64,
    /// Branches.
    pub(crate) branches_total: u64,
    /// Branches taken.
    pub(crate) branches_covered: u64,
}

impl Coverage {
    /// Merge one file's coverage in under its repo-relative path.
    pub(crate) fn add(&mut self, path: String, file: &FileCoverage) {
        self.files.entry(path).or_default().merge(file);
    }

    /// Sums over every file.
    pub(crate) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in self.files.values() {
            t.lines_total += f.lines.len() as u64;
            t.lines_covered += f.lines.values().filter(|&&h| h > 0).count() as u64;
            for b in f.branches.values() {
                t.branches_total += u64::from(b.total);
                t.branches_covered += u64::from(b.covered.min(b.total));
            }
        }
        t
    }
}

/// `part / whole` in percent, rounded *down* to two decimals; `None` when `whole` is 0.
///
/// Rounding down means a gate at 90 is never passed by 89.996 % showing as 90.00.
pub(crate) fn percent(part: u64, whole: u64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    let hundredths = u128::from(part.min(whole)) * 10_000 / u128::from(whole);
    // At most 10 000: exact in an f64.
    Some(hundredths as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_down_to_two_decimals() {
        assert_eq!(percent(3, 4), Some(75.0));
        assert_eq!(percent(14, 23), Some(60.86));
        assert_eq!(percent(2, 3), Some(66.66));
        assert_eq!(percent(8999, 9000), Some(99.98));
        assert_eq!(percent(0, 7), Some(0.0));
        assert_eq!(percent(5, 5), Some(100.0));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn merge_keeps_the_highest_count_per_line() {
        let mut a = FileCoverage::default();
        a.hit(1, 0);
        a.hit(2, 3);
        a.branch(
            2,
            Branches {
                covered: 1,
                total: 2,
            },
        );
        let mut b = FileCoverage::default();
        b.hit(1, 2);
        b.hit(3, 0);
        b.branch(
            2,
            Branches {
                covered: 2,
                total: 2,
            },
        );
        let mut cov = Coverage::default();
        cov.add("x.rs".into(), &a);
        cov.add("x.rs".into(), &b);
        let f = &cov.files["x.rs"];
        assert_eq!(f.lines, BTreeMap::from([(1, 2), (2, 3), (3, 0)]));
        assert_eq!(
            f.branches[&2],
            Branches {
                covered: 2,
                total: 2
            }
        );
        assert_eq!(
            cov.totals(),
            Totals {
                lines_total: 3,
                lines_covered: 2,
                branches_total: 2,
                branches_covered: 2
            }
        );
    }
}
