//! Which files are coverage reports, and in which format: decided by name for the walk, by
//! content for parsing.
//!
//! The walk offers files with a usual report name ([`is_well_known`]) and configured ones. The
//! content then decides the format: an XML root `<coverage>` is Cobertura, `<report>` JaCoCo;
//! a JSON object with llvm-cov's export type (or its `segments`) is llvm-cov JSON; `TN:`/`SF:`
//! records are lcov. An auto-detected file whose content is none of these (coverage.py's own
//! `coverage.json`, a settings file called `coverage.xml`) is not a report and only noted; a
//! configured file that is none of these is a parse failure.

use super::data::{CoverageReport, Format, ParseError};
use super::{cobertura, jacoco, lcov, llvm, xml};

/// File names that are coverage reports by convention, matched on the last path component.
const WELL_KNOWN: &[&str] = &[
    "lcov.info",
    "coverage.xml",
    "cobertura.xml",
    "cobertura-coverage.xml",
    "coverage.cobertura.xml",
    "jacoco.xml",
    "jacocoTestReport.xml",
    "coverage.json",
    "llvm-cov.json",
];

/// Whether `path` has a usual coverage report name (see the module docs).
pub(crate) fn is_well_known(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    WELL_KNOWN.contains(&name)
        || name.ends_with(".lcov")
        || name.ends_with(".lcov.info")
        || name.ends_with(".cobertura.xml")
}

/// What reading one file gave.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A parsed report.
    Parsed(CoverageReport),
    /// A report that could not be parsed, with the format tried (if known).
    Failed(Option<Format>, ParseError),
    /// Not a coverage report after all (an auto-detected name with other content).
    NotCoverage(String),
}

/// Decide the format of a report from its content and parse it.
///
/// `explicit` is set for configured files: anything unrecognised is then a parse failure, where
/// an auto-detected file with foreign content is merely not a coverage report.
pub(crate) fn read_report(path: &str, bytes: &[u8], text: &str, explicit: bool) -> Outcome {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let outcome = if trimmed.starts_with('<') {
        match xml::root_element(trimmed).as_deref() {
            Some("coverage") => Some((Format::Cobertura, cobertura::parse(trimmed))),
            Some("report") => Some((Format::Jacoco, jacoco::parse(trimmed))),
            Some(other) => {
                return not_coverage(explicit, format!("its root element is <{other}>"));
            }
            // Malformed XML: let the parser the name suggests say where.
            None if path.ends_with("jacoco.xml") || path.ends_with("jacocoTestReport.xml") => {
                Some((Format::Jacoco, jacoco::parse(trimmed)))
            }
            None => Some((Format::Cobertura, cobertura::parse(trimmed))),
        }
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if llvm::sniff(bytes) {
            Some((Format::LlvmJson, llvm::parse(bytes)))
        } else {
            return not_coverage(explicit, "it is JSON but not an llvm-cov export".to_owned());
        }
    } else if lcov::sniff(trimmed) || path.ends_with("lcov.info") || path.ends_with(".lcov") {
        Some((Format::Lcov, lcov::parse(text)))
    } else {
        None
    };
    match outcome {
        Some((_, Ok(report))) => Outcome::Parsed(report),
        Some((format, Err(e))) => Outcome::Failed(Some(format), e),
        None if explicit => Outcome::Failed(
            None,
            ParseError::whole(
                "not an lcov, Cobertura, JaCoCo or llvm-cov JSON report (unrecognised content)",
            ),
        ),
        None => Outcome::NotCoverage("its content is not a known coverage format".to_owned()),
    }
}

fn not_coverage(explicit: bool, why: String) -> Outcome {
    if explicit {
        Outcome::Failed(
            None,
            ParseError::whole(format!(
                "not an lcov, Cobertura, JaCoCo or llvm-cov JSON report: {why}"
            )),
        )
    } else {
        Outcome::NotCoverage(why)
    }
}
