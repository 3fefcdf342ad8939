//! github-action-benchmark's custom JSON: `[{"name", "unit", "value", "range"?, "extra"?}]`.
//!
//! The file does not say whether smaller or bigger values are better (the action's `tool`
//! setting does), so it is only imported when listed in `performance.imports` with the format
//! `custom-smaller-is-better` or `custom-bigger-is-better`. Time units (`ns`, `us`, `µs`,
//! `ms`, `s`) are converted to milliseconds; other units are kept as they are. An entry
//! repeated under the same name adds a sample.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ParseError, parse_json};
use crate::pipelines::performance::stats::Summary;
use crate::pipelines::performance::{Series, Source, Unit};

#[derive(Deserialize)]
struct Entry {
    name: String,
    unit: String,
    value: f64,
}

/// Factor from a time unit to milliseconds.
fn to_millis(unit: &str) -> Option<f64> {
    match unit.trim() {
        "ns" => Some(1e-6),
        "us" | "µs" | "μs" => Some(1e-3),
        "ms" => Some(1.0),
        "s" | "sec" | "seconds" => Some(1000.0),
        _ => None,
    }
}

/// Whether `text` is a JSON array of `{name, unit, value}` objects.
pub(super) fn looks_like(text: &str) -> bool {
    serde_json::from_str::<Vec<Entry>>(text).is_ok_and(|v| !v.is_empty())
}

/// Series of a custom JSON file.
pub(super) fn parse(
    origin: &str,
    text: &str,
    bigger_is_better: bool,
) -> Result<Vec<Series>, ParseError> {
    let entries: Vec<Entry> = parse_json(text)?;
    let mut found: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for e in entries {
        found.entry((e.name, e.unit)).or_default().push(e.value);
    }
    let mut out = Vec::new();
    for ((name, unit), values) in found {
        let (unit, values) = match to_millis(&unit) {
            Some(k) if !bigger_is_better => (Unit::Millis, values.iter().map(|v| v * k).collect()),
            _ => (
                Unit::Other {
                    name: unit,
                    bigger_is_better,
                },
                values,
            ),
        };
        let mut s = Series::new(name, Source::Custom, origin.to_owned(), unit);
        s.summary = Summary::of(&values);
        out.push(s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_units_become_millis_and_others_stay() {
        let text = r#"[{"name":"a","unit":"us","value":1500},{"name":"b","unit":"ops/s","value":7,"range":"± 1"}]"#;
        let s = parse("c.json", text, false).expect("parses");
        assert_eq!(s[0].unit, Unit::Millis);
        assert_eq!(s[0].summary.expect("summary").mean, 1.5);
        assert_eq!(
            s[1].unit,
            Unit::Other {
                name: "ops/s".into(),
                bigger_is_better: false
            }
        );
        let bigger = parse("c.json", text, true).expect("parses");
        assert!(bigger[0].unit.bigger_is_better());
        assert!(looks_like(text));
        assert!(!looks_like(r#"{"results": []}"#));
    }
}
