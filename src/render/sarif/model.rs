//! The slice of the SARIF 2.1.0 object model vigil writes, as serde structs.
//!
//! Field order is output order, optional fields are skipped when empty, and property bags are
//! `BTreeMap`s, so the same report always serializes to the same bytes. Names follow the spec
//! (§3.13 sarifLog onwards); only what vigil fills is modelled.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// A property bag (§3.8): sorted keys, arbitrary JSON values.
pub(super) type Properties = BTreeMap<String, Value>;

/// A result's property bag, borrowed from its finding: sorted keys, values as they are.
pub(super) type ResultProperties<'a> = BTreeMap<&'a str, PropertyValue<'a>>;

/// A value in a [`ResultProperties`] bag.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum PropertyValue<'a> {
    /// A JSON value of the finding's own properties.
    Json(&'a Value),
    /// A string vigil adds (severity, pipeline, tool, help).
    Str(&'a str),
}

/// The top-level `sarifLog` object.
#[derive(Debug, Serialize)]
pub(super) struct Log {
    #[serde(rename = "$schema")]
    pub(super) schema: &'static str,
    pub(super) version: &'static str,
    pub(super) runs: Vec<Run>,
}

/// One `run`: a single invocation of vigil.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Run {
    pub(super) tool: Tool,
    pub(super) automation_details: AutomationDetails,
    pub(super) invocations: Vec<Invocation>,
    pub(super) column_kind: &'static str,
    /// Always empty here: `render` serializes the results in parallel and splices them in.
    pub(super) results: [(); 0],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) properties: Properties,
}

/// `tool` with its `driver` component.
#[derive(Debug, Serialize)]
pub(super) struct Tool {
    pub(super) driver: Driver,
}

/// `toolComponent` describing vigil and every rule it can report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Driver {
    pub(super) name: &'static str,
    pub(super) version: String,
    pub(super) information_uri: &'static str,
    pub(super) rules: Vec<Rule>,
}

/// A `reportingDescriptor` for one rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Rule {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) short_description: Text,
    pub(super) full_description: Text,
    pub(super) help: Help,
    pub(super) help_uri: String,
    pub(super) default_configuration: Configuration,
    pub(super) properties: Properties,
}

/// A `message` or plain-text `multiformatMessageString`.
#[derive(Debug, Serialize)]
pub(super) struct Text {
    pub(super) text: String,
}

/// A `multiformatMessageString` with both plain text and Markdown.
#[derive(Debug, Serialize)]
pub(super) struct Help {
    pub(super) text: String,
    pub(super) markdown: String,
}

/// `reportingConfiguration`: only the default level.
#[derive(Debug, Serialize)]
pub(super) struct Configuration {
    pub(super) level: &'static str,
}

/// `runAutomationDetails`: the id GitHub turns into the analysis category.
#[derive(Debug, Serialize)]
pub(super) struct AutomationDetails {
    pub(super) id: &'static str,
}

/// An `invocation`: whether the run succeeded, when, and what went wrong.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Invocation {
    pub(super) execution_successful: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) start_time_utc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) end_time_utc: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tool_execution_notifications: Vec<Notification>,
}

/// A `notification` about a check that errored or was skipped.
#[derive(Debug, Serialize)]
pub(super) struct Notification {
    pub(super) level: &'static str,
    pub(super) message: Text,
    pub(super) properties: Properties,
}

/// A `result`: one finding.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifResult<'a> {
    pub(super) rule_id: &'a str,
    pub(super) rule_index: usize,
    pub(super) level: &'static str,
    pub(super) message: Message<'a>,
    pub(super) locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) related_locations: Vec<Location<'a>>,
    pub(super) partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) suppressions: Vec<Suppression<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) baseline_state: Option<&'static str>,
    pub(super) properties: ResultProperties<'a>,
}

/// A result's `message`, borrowed from its finding.
#[derive(Debug, Serialize)]
pub(super) struct Message<'a> {
    pub(super) text: &'a str,
}

/// `partialFingerprints`: vigil's content fingerprint under [`super::FINGERPRINT_KEY`].
#[derive(Debug)]
pub(super) struct Fingerprints<'a> {
    /// The finding's fingerprint.
    pub(super) vigil: &'a str,
}

impl Serialize for Fingerprints<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(super::FINGERPRINT_KEY, self.vigil)?;
        map.end()
    }
}

/// A `location` with a physical location and, for related locations, an id and message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<usize>,
    pub(super) physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) message: Option<Text>,
}

/// A `physicalLocation`: file and region.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PhysicalLocation<'a> {
    pub(super) artifact_location: ArtifactLocation<'a>,
    pub(super) region: Region,
}

/// An `artifactLocation` relative to the `%SRCROOT%` base.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArtifactLocation<'a> {
    pub(super) uri: Cow<'a, str>,
    pub(super) uri_base_id: &'static str,
}

/// A `region` in lines and columns, all 1-based.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Region {
    pub(super) start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) end_column: Option<u32>,
}

/// A `suppression`: where it is recorded and why.
#[derive(Debug, Serialize)]
pub(super) struct Suppression<'a> {
    pub(super) kind: &'static str,
    pub(super) status: &'static str,
    pub(super) justification: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) properties: Properties,
}
