//! An advisory that applies to a locked package — the common shape the RustSec database, a
//! local OSV database and the OSV API all produce — and how its severity is decided.
//!
//! Severity comes from the CVSS base score when the advisory has a CVSS v3 vector (v4, then
//! v2, when that is all there is): 9.0 and above is critical, 7.0 high, 4.0 medium, below
//! that low. Without a vector, the database's own rating (`database_specific.severity`, e.g.
//! GitHub's `MODERATE`) is used, and without either the advisory counts as medium.

use std::str::FromStr;

use crate::model::Severity;

/// What an advisory warns about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A security vulnerability.
    Vulnerability,
    /// The package is no longer maintained (RustSec informational).
    Unmaintained,
    /// The package's safe API can cause undefined behaviour (RustSec informational).
    Unsound,
}

/// Where an advisory was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Origin {
    /// The RustSec advisory database.
    RustSec,
    /// A local OSV database folder.
    OsvLocal,
    /// The OSV API (`--online`).
    OsvApi,
}

impl Origin {
    /// Name used in finding properties.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::RustSec => "rustsec",
            Self::OsvLocal => "osv",
            Self::OsvApi => "osv.dev",
        }
    }
}

/// A CVSS vector and its base score.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cvss {
    /// The vector as written, e.g. `CVSS:3.1/AV:N/AC:L/…`.
    pub(crate) vector: String,
    /// Base score, 0.0–10.0.
    pub(crate) score: f64,
}

/// An advisory matched to one package version.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    /// Advisory id (`RUSTSEC-2020-0071`, `GHSA-…`, `PYSEC-…`).
    pub(crate) id: String,
    /// Other ids of the same issue (CVE, GHSA, …).
    pub(crate) aliases: Vec<String>,
    /// Vulnerability or informational kind.
    pub(crate) kind: Kind,
    /// One-line title.
    pub(crate) summary: String,
    /// Advisory page.
    pub(crate) url: String,
    /// Versions or requirements that fix it, most relevant first; empty when none is known.
    pub(crate) fixed: Vec<String>,
    /// Severity decided as described in the module docs.
    pub(crate) severity: Severity,
    /// The CVSS vector the severity came from, if any.
    pub(crate) cvss: Option<Cvss>,
    /// Database it came from.
    pub(crate) origin: Origin,
}

impl Hit {
    /// Whether this hit and `other` describe the same issue (an id of one is an id or alias
    /// of the other).
    pub(crate) fn same_issue(&self, other: &Self) -> bool {
        let ids = |h: &Self| {
            std::iter::once(h.id.clone())
                .chain(h.aliases.iter().cloned())
                .collect::<Vec<_>>()
        };
        let mine = ids(self);
        ids(other).iter().any(|i| mine.contains(i))
    }
}

/// Severity for a CVSS base score.
pub(crate) fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// The best CVSS of several vectors: a v3 vector first, then v4, then v2; unparseable vectors
/// are ignored.
pub(crate) fn best_cvss<'a>(vectors: impl IntoIterator<Item = &'a str>) -> Option<Cvss> {
    let mut best: Option<(u8, Cvss)> = None;
    for v in vectors {
        let Ok(parsed) = cvss::Cvss::from_str(v.trim()) else {
            continue;
        };
        let rank = match parsed {
            cvss::Cvss::CvssV30(_) | cvss::Cvss::CvssV31(_) => 3,
            cvss::Cvss::CvssV40(_) => 2,
            _ => 1,
        };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((
                rank,
                Cvss {
                    vector: v.trim().to_owned(),
                    score: parsed.score(),
                },
            ));
        }
    }
    best.map(|(_, c)| c)
}

/// Severity from a database's own rating word (`LOW`, `MODERATE`, `MEDIUM`, `HIGH`,
/// `CRITICAL`, any case).
pub(crate) fn severity_of_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "moderate" | "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        _ => None,
    }
}

/// Severity and CVSS from what an advisory offers, in the order of the module docs.
pub(crate) fn decide_severity<'a>(
    vectors: impl IntoIterator<Item = &'a str>,
    rating: Option<&str>,
) -> (Severity, Option<Cvss>) {
    if let Some(c) = best_cvss(vectors) {
        return (severity_of_score(c.score), Some(c));
    }
    (
        rating
            .and_then(severity_of_word)
            .unwrap_or(Severity::Medium),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_thresholds() {
        assert_eq!(severity_of_score(9.0), Severity::Critical);
        assert_eq!(severity_of_score(8.9), Severity::High);
        assert_eq!(severity_of_score(7.0), Severity::High);
        assert_eq!(severity_of_score(6.9), Severity::Medium);
        assert_eq!(severity_of_score(4.0), Severity::Medium);
        assert_eq!(severity_of_score(3.9), Severity::Low);
        assert_eq!(severity_of_score(0.0), Severity::Low);
    }

    #[test]
    fn cvss_base_scores_from_vectors() {
        // smallvec RUSTSEC-2021-0003: 9.8
        let (sev, c) = decide_severity(["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"], None);
        assert_eq!(sev, Severity::Critical);
        assert_eq!(c.map(|c| c.score), Some(9.8));
        // time RUSTSEC-2020-0071: 6.2
        let (sev, c) = decide_severity(["CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"], None);
        assert_eq!(sev, Severity::Medium);
        assert_eq!(c.map(|c| c.score), Some(6.2));
        // A scope change: 6.1
        let (sev, _) = decide_severity(["CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"], None);
        assert_eq!(sev, Severity::Medium);
    }

    #[test]
    fn v3_beats_v4_and_fallbacks_apply() {
        let c = best_cvss([
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L",
        ]);
        assert!(c.is_some_and(|c| c.vector.starts_with("CVSS:3.1")));
        assert_eq!(
            decide_severity(["garbage"], Some("MODERATE")).0,
            Severity::Medium
        );
        assert_eq!(decide_severity([], Some("HIGH")).0, Severity::High);
        assert_eq!(decide_severity([], Some("weird")).0, Severity::Medium);
        assert_eq!(decide_severity([], None), (Severity::Medium, None));
    }

    #[test]
    fn same_issue_through_aliases() {
        let hit = |id: &str, aliases: &[&str]| Hit {
            id: id.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            kind: Kind::Vulnerability,
            summary: String::new(),
            url: String::new(),
            fixed: Vec::new(),
            severity: Severity::Medium,
            cvss: None,
            origin: Origin::OsvLocal,
        };
        let a = hit(
            "RUSTSEC-2020-0071",
            &["CVE-2020-26235", "GHSA-wcg3-cvx6-7396"],
        );
        let b = hit("GHSA-wcg3-cvx6-7396", &["CVE-2020-26235"]);
        let c = hit("GHSA-other", &[]);
        assert!(a.same_issue(&b));
        assert!(b.same_issue(&a));
        assert!(!a.same_issue(&c));
    }
}
