//! Version orderings and OSV range evaluation.
//!
//! OSV describes affected versions as ranges of *events* (`introduced`, `fixed`,
//! `last_affected`, `limit`) plus an optional explicit `versions` list. Evaluating a range needs
//! the ordering of the package's ecosystem:
//!
//! * **SemVer** (`SEMVER` ranges; npm, crates.io and Go `ECOSYSTEM` ranges): SemVer 2.0
//!   precedence with pre-releases (`1.0.0-alpha < 1.0.0`), build metadata ignored (`+incompatible`
//!   in Go). A leading `v` or `=` is accepted and a short version is padded (`1.0` is `1.0.0`),
//!   because real advisories contain both. Go pseudo-versions
//!   (`v0.0.0-20210101000000-abcdef123456`) are ordinary SemVer pre-releases.
//! * **PEP 440** (PyPI `ECOSYSTEM` ranges): epochs, pre-, post- and dev-releases and local
//!   versions, via `pep440_rs`, the implementation uv uses.
//!
//! Evaluation follows the OSV schema: events are sorted by version (`introduced: "0"` first),
//! then `introduced` turns "affected" on for versions at or above it, `fixed` turns it off for
//! versions at or above it (exclusive bound), `last_affected` turns it off for versions strictly
//! above it (inclusive bound), and `limit` caps the range. A version or bound that does not parse
//! makes the range undecidable: it never matches, so garbage can only cause a miss, never a
//! panic or a false alarm.

use std::cmp::Ordering;
use std::str::FromStr;

/// How versions of an ecosystem are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// SemVer 2.0 precedence (npm, crates.io, Go, and every `SEMVER` range).
    SemVer,
    /// PEP 440 (PyPI).
    Pep440,
}

/// A parsed version, comparable with versions of the same scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Version {
    /// SemVer with build metadata removed.
    SemVer(semver::Version),
    /// PEP 440.
    Pep440(pep440_rs::Version),
}

impl Version {
    /// Parse `text` under `scheme`; `None` when it is not a version of that scheme.
    pub(crate) fn parse(scheme: Scheme, text: &str) -> Option<Self> {
        match scheme {
            Scheme::SemVer => parse_semver(text).map(Self::SemVer),
            Scheme::Pep440 => pep440_rs::Version::from_str(text.trim())
                .ok()
                .map(Self::Pep440),
        }
    }

    /// Ordering of two versions; `None` when they belong to different schemes.
    pub(crate) fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::SemVer(a), Self::SemVer(b)) => Some(a.cmp(b)),
            (Self::Pep440(a), Self::Pep440(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.compare(other)
    }
}

/// Lenient SemVer: optional `v`/`=` prefix, missing minor/patch padded with zeros, build
/// metadata dropped (it has no precedence).
fn parse_semver(text: &str) -> Option<semver::Version> {
    let t = text.trim();
    let t = t.strip_prefix('=').unwrap_or(t).trim_start();
    let t = t
        .strip_prefix('v')
        .or_else(|| t.strip_prefix('V'))
        .unwrap_or(t);
    let mut v = match semver::Version::parse(t) {
        Ok(v) => v,
        Err(_) => {
            // Pad `1` / `1.2` (optionally followed by `-pre` or `+build`) to three parts.
            let end = t.find(['-', '+']).unwrap_or(t.len());
            let (core, rest) = t.split_at(end);
            let parts = core.split('.').count();
            if parts == 0
                || parts >= 3
                || !core
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            let padded = format!("{core}{}{rest}", ".0".repeat(3 - parts));
            semver::Version::parse(&padded).ok()?
        }
    };
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

/// One event of an OSV range, as written in the advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// First affected version; `"0"` means every version before the next event.
    Introduced(String),
    /// First version that is no longer affected (exclusive upper bound).
    Fixed(String),
    /// Last version that is still affected (inclusive upper bound).
    LastAffected(String),
    /// Upper limit of the range (exclusive); mostly used by `GIT` ranges.
    Limit(String),
}

/// A bound of a sorted event: the beginning of time or a parsed version.
#[derive(Debug, Clone)]
enum Bound {
    Zero,
    At(Version),
}

impl Bound {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Zero, Self::Zero) => Ordering::Equal,
            (Self::Zero, Self::At(_)) => Ordering::Less,
            (Self::At(_), Self::Zero) => Ordering::Greater,
            (Self::At(a), Self::At(b)) => a.compare(b).unwrap_or(Ordering::Equal),
        }
    }

    /// `version >= self`.
    fn is_at_or_below(&self, version: &Version) -> bool {
        match self {
            Self::Zero => true,
            Self::At(b) => version.compare(b).is_some_and(Ordering::is_ge),
        }
    }

    /// `version > self`.
    fn is_below(&self, version: &Version) -> bool {
        match self {
            Self::Zero => true,
            Self::At(b) => version.compare(b).is_some_and(Ordering::is_gt),
        }
    }
}

/// Whether `version` falls in the range described by `events`, or `None` when a bound does not
/// parse under `scheme` (the range cannot be decided).
pub(crate) fn range_affects(scheme: Scheme, events: &[Event], version: &Version) -> Option<bool> {
    #[derive(Clone, Copy)]
    enum Kind {
        Introduced,
        Fixed,
        LastAffected,
        Limit,
    }
    let mut sorted: Vec<(Kind, Bound)> = Vec::with_capacity(events.len());
    for e in events {
        let (kind, text) = match e {
            Event::Introduced(t) => (Kind::Introduced, t),
            Event::Fixed(t) => (Kind::Fixed, t),
            Event::LastAffected(t) => (Kind::LastAffected, t),
            Event::Limit(t) => (Kind::Limit, t),
        };
        let bound = if matches!(kind, Kind::Introduced) && text.trim() == "0" {
            Bound::Zero
        } else if matches!(kind, Kind::Limit) && text.trim() == "*" {
            continue; // `limit: "*"` means no limit.
        } else {
            Bound::At(Version::parse(scheme, text)?)
        };
        sorted.push((kind, bound));
    }
    sorted.sort_by(|a, b| a.1.compare(&b.1));
    let mut affected = false;
    for (kind, bound) in &sorted {
        match kind {
            Kind::Introduced => {
                if bound.is_at_or_below(version) {
                    affected = true;
                }
            }
            Kind::Fixed => {
                if bound.is_at_or_below(version) {
                    affected = false;
                }
            }
            Kind::LastAffected => {
                if bound.is_below(version) {
                    affected = false;
                }
            }
            Kind::Limit => {
                if bound.is_at_or_below(version) {
                    return Some(false);
                }
            }
        }
    }
    Some(affected)
}

/// Whether `version` equals one of an explicit `versions` list, compared under `scheme` when
/// both parse (so PEP 440 `2.0` equals `2.0.0`) and as text otherwise.
pub(crate) fn listed(
    scheme: Scheme,
    list: &[String],
    raw: &str,
    version: Option<&Version>,
) -> bool {
    list.iter().any(|item| {
        if item.trim() == raw.trim() {
            return true;
        }
        match (version, Version::parse(scheme, item)) {
            (Some(v), Some(other)) => v.compare(&other) == Some(Ordering::Equal),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(s: &str) -> Version {
        Version::parse(Scheme::SemVer, s).unwrap_or_else(|| panic!("semver {s}"))
    }

    fn pv(s: &str) -> Version {
        Version::parse(Scheme::Pep440, s).unwrap_or_else(|| panic!("pep440 {s}"))
    }

    fn intro(s: &str) -> Event {
        Event::Introduced(s.to_owned())
    }
    fn fixed(s: &str) -> Event {
        Event::Fixed(s.to_owned())
    }
    fn last(s: &str) -> Event {
        Event::LastAffected(s.to_owned())
    }

    fn affects(scheme: Scheme, events: &[Event], v: &str) -> Option<bool> {
        let v = Version::parse(scheme, v)?;
        range_affects(scheme, events, &v)
    }

    #[test]
    fn fixed_is_exclusive_and_last_affected_inclusive() {
        let fixed_range = [intro("0"), fixed("4.17.21")];
        assert_eq!(affects(Scheme::SemVer, &fixed_range, "4.17.20"), Some(true));
        assert_eq!(
            affects(Scheme::SemVer, &fixed_range, "4.17.21"),
            Some(false)
        );
        assert_eq!(affects(Scheme::SemVer, &fixed_range, "0.0.1"), Some(true));

        let last_range = [intro("0"), last("1.1.8")];
        assert_eq!(affects(Scheme::SemVer, &last_range, "1.1.8"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &last_range, "1.1.9"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &last_range, "2.0.0"), Some(false));
    }

    #[test]
    fn introduced_is_inclusive_lower_bound() {
        let r = [intro("2.1.0"), fixed("5.2.4")];
        assert_eq!(affects(Scheme::SemVer, &r, "2.0.9"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "2.1.0"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "5.2.3"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "5.2.4"), Some(false));
    }

    #[test]
    fn only_introduced_affects_everything_after() {
        let r = [intro("0")];
        assert_eq!(affects(Scheme::SemVer, &r, "0.1.1"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "99.0.0"), Some(true));
    }

    #[test]
    fn several_intervals_in_one_range_in_any_order() {
        // Events out of order: evaluation sorts them first.
        let r = [
            fixed("2.5.0"),
            intro("2.0.0"),
            fixed("1.5.0"),
            intro("1.0.0"),
        ];
        assert_eq!(affects(Scheme::SemVer, &r, "0.9.0"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "1.2.0"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "1.7.0"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "2.4.9"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "3.0.0"), Some(false));
    }

    #[test]
    fn semver_pre_releases_order_before_their_release() {
        // express: introduced 5.0.0-alpha.1, fixed 5.0.0-beta.3
        let r = [intro("5.0.0-alpha.1"), fixed("5.0.0-beta.3")];
        assert_eq!(affects(Scheme::SemVer, &r, "4.99.0"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0-alpha.1"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0-alpha.10"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0-beta.2"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0-beta.3"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0-rc.1"), Some(false));
        assert_eq!(affects(Scheme::SemVer, &r, "5.0.0"), Some(false));
        // A pre-release of a fixed release precedes it, so it is still affected.
        let r = [intro("0"), fixed("4.17.21")];
        assert_eq!(affects(Scheme::SemVer, &r, "4.17.21-rc.1"), Some(true));
    }

    #[test]
    fn semver_leniency_and_build_metadata() {
        assert_eq!(sv("1.0"), sv("1.0.0"));
        assert_eq!(sv("v1.2.3"), sv("1.2.3"));
        assert_eq!(sv("=1.2.3"), sv("1.2.3"));
        assert_eq!(sv("2.0.0+incompatible"), sv("2.0.0"));
        assert_eq!(sv("1-beta"), sv("1.0.0-beta"));
        // node-fetch writes `introduced: "1.0"`.
        let r = [intro("1.0"), fixed("3.1.1")];
        assert_eq!(affects(Scheme::SemVer, &r, "1.0.0"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "0.9.9"), Some(false));
        for bad in [
            "*", "", "latest", "1.x", "^1.2.3", "1.2.3.4", "a.b.c", "1..2",
        ] {
            assert!(
                Version::parse(Scheme::SemVer, bad).is_none(),
                "{bad} parsed"
            );
        }
    }

    #[test]
    fn go_pseudo_versions_are_pre_releases() {
        let r = [intro("0"), fixed("0.0.0-20211202192323-5770296d904e")];
        assert_eq!(
            affects(Scheme::SemVer, &r, "v0.0.0-20210921155107-089bfa567519"),
            Some(true)
        );
        assert_eq!(
            affects(Scheme::SemVer, &r, "v0.0.0-20211202192323-5770296d904e"),
            Some(false)
        );
        assert_eq!(affects(Scheme::SemVer, &r, "v0.1.0"), Some(false));
        let r = [intro("0"), fixed("2.1.0")];
        assert_eq!(
            affects(Scheme::SemVer, &r, "v2.0.0+incompatible"),
            Some(true)
        );
    }

    #[test]
    fn unparseable_bounds_or_versions_never_match_or_panic() {
        let r = [intro("0"), fixed("not a version")];
        assert_eq!(affects(Scheme::SemVer, &r, "1.0.0"), None);
        assert_eq!(affects(Scheme::SemVer, &[intro("0")], "*"), None);
        assert_eq!(
            affects(Scheme::SemVer, &[intro("*"), fixed("1.0.0")], "0.5.0"),
            None
        );
        assert_eq!(
            range_affects(Scheme::SemVer, &[], &sv("1.0.0")),
            Some(false)
        );
    }

    #[test]
    fn limit_caps_the_range() {
        let r = [intro("0"), Event::Limit("2.0.0".into())];
        assert_eq!(affects(Scheme::SemVer, &r, "1.9.9"), Some(true));
        assert_eq!(affects(Scheme::SemVer, &r, "2.0.0"), Some(false));
        let r = [intro("1.0.0"), Event::Limit("*".into())];
        assert_eq!(affects(Scheme::SemVer, &r, "9.0.0"), Some(true));
    }

    #[test]
    fn pep440_ordering_edge_cases() {
        // Epochs dominate everything.
        assert!(pv("1!0.1") > pv("2024.1"));
        // dev < pre < release < post
        assert!(pv("1.0.dev1") < pv("1.0a1"));
        assert!(pv("1.0a1") < pv("1.0b1"));
        assert!(pv("1.0b1") < pv("1.0rc1"));
        assert!(pv("1.0rc1") < pv("1.0"));
        assert!(pv("1.0") < pv("1.0.post1"));
        assert!(pv("1.0a1.dev1") < pv("1.0a1"));
        // Local versions sort after their public version.
        assert!(pv("1.0+local.1") > pv("1.0"));
        assert!(pv("1.0+local.1") < pv("1.0.post1"));
        // Trailing zeros are insignificant; spelling variants normalize.
        assert_eq!(pv("2.0").compare(&pv("2.0.0")), Some(Ordering::Equal));
        assert_eq!(pv("1.0-RC1").compare(&pv("1.0rc1")), Some(Ordering::Equal));
        assert_eq!(pv("v1.0").compare(&pv("1.0")), Some(Ordering::Equal));
        assert!(Version::parse(Scheme::Pep440, "1.0.*").is_none());
        assert!(Version::parse(Scheme::Pep440, "*").is_none());
    }

    #[test]
    fn pep440_ranges() {
        let r = [intro("0"), fixed("2.7.2")];
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.1"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.2rc1"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.2"), Some(false));
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.2.post1"), Some(false));
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.1.post3"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "2.7.1+ubuntu1"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "1!1.0"), Some(false));
        let r = [intro("1.5"), last("2.0")];
        assert_eq!(affects(Scheme::Pep440, &r, "1.4.9"), Some(false));
        assert_eq!(affects(Scheme::Pep440, &r, "1.5.0"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "2.0.0"), Some(true));
        assert_eq!(affects(Scheme::Pep440, &r, "2.0.post1"), Some(false));
    }

    #[test]
    fn explicit_lists_compare_by_scheme() {
        let list = vec!["2.0".to_owned(), "2.1rc1".to_owned()];
        assert!(listed(Scheme::Pep440, &list, "2.0.0", Some(&pv("2.0.0"))));
        assert!(listed(
            Scheme::Pep440,
            &list,
            "2.1.0rc1",
            Some(&pv("2.1.0rc1"))
        ));
        assert!(!listed(Scheme::Pep440, &list, "2.1", Some(&pv("2.1"))));
        assert!(listed(
            Scheme::SemVer,
            &["0.7.29".to_owned()],
            "0.7.29",
            None
        ));
        assert!(!listed(Scheme::SemVer, &["0.7.29".to_owned()], "*", None));
    }
}
