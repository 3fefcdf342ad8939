//! Tests of the SARIF renderer: snapshot, OASIS schema, GitHub's upload rules, edge cases.

use super::*;
use crate::render::sample;

fn sarif_value(report: &RunReport) -> Value {
    serde_json::from_str(&render(report).expect("render")).expect("valid JSON")
}

fn schema_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemas/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read schema"))
        .expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

#[test]
fn sample_snapshot() {
    let mut v = sarif_value(&sample::report());
    // The catalogue grows with every new check: keep only the rules the sample uses, so the
    // snapshot changes when those change. Other tests cover the full list and the indexes.
    let used: BTreeSet<String> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId").to_owned())
        .collect();
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules");
    rules.retain(|r| used.contains(r["id"].as_str().expect("id")));
    insta::assert_json_snapshot!(v, {
        ".runs[].results[].ruleIndex" => "[index]",
    });
}

#[test]
fn sample_is_valid_against_the_oasis_schema() {
    let validator = schema_validator();
    let v = sarif_value(&sample::report());
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what the schema forbids.
    let mut bad = v.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sample_meets_github_upload_rules() {
    let v = sarif_value(&sample::report());
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let mut ids = BTreeSet::new();
    for r in rules {
        let id = r["id"].as_str().expect("rule id");
        assert!(ids.insert(id), "duplicate rule {id}");
        for key in ["shortDescription", "fullDescription"] {
            let text = r[key]["text"].as_str().unwrap_or("");
            assert!(!text.trim().is_empty(), "rule {id} lacks {key}");
        }
        let help = r["helpUri"].as_str().unwrap_or("");
        assert!(help.starts_with("https://"), "rule {id} helpUri {help:?}");
    }
    let catalogue: Vec<&str> = crate::pipelines::all_rules().map(|r| r.id).collect();
    let listed: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(&listed[..catalogue.len()], &catalogue[..], "registry order");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), sample::report().findings().count());
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        assert!(ids.contains(id), "ruleId {id} not in tool.driver.rules");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex of {id}");
        assert!(r["level"].as_str().is_some_and(|l| !l.is_empty()));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains("://"),
            "{uri}"
        );
        assert!(!uri.contains(' '), "{uri} is not percent-encoded");
        assert!(loc["region"]["startLine"].as_u64().expect("startLine") >= 1);
        assert!(r["partialFingerprints"][FINGERPRINT_KEY].is_string());
    }
    assert_eq!(run["automationDetails"]["id"], "vigil/");
    assert!(run.get("originalUriBaseIds").is_none());
}

#[test]
fn imported_rules_are_synthesized_once_with_their_tool() {
    let v = sarif_value(&sample::report());
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let eslint: Vec<&Value> = rules
        .iter()
        .filter(|r| r["id"] == "eslint/no-unused-vars")
        .collect();
    assert_eq!(eslint.len(), 1);
    assert_eq!(eslint[0]["properties"]["tool"], json!(["eslint"]));
    assert!(
        eslint[0]["shortDescription"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("eslint"))
    );
    assert_eq!(
        eslint[0]["helpUri"],
        "https://eslint.org/docs/latest/rules/no-unused-vars"
    );
}

#[test]
fn suppressions_and_baseline_states() {
    let v = sarif_value(&sample::report());
    let results = v["runs"][0]["results"].as_array().expect("results");
    let by_message = |needle: &str| {
        results
            .iter()
            .find(|r| {
                r["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(needle))
            })
            .unwrap_or_else(|| panic!("no result with {needle}"))
    };
    let inline = by_message("off by one");
    assert_eq!(inline["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        inline["suppressions"][0]["justification"],
        "tracked in #12 <soon>"
    );
    assert!(inline.get("baselineState").is_none());
    let config = by_message("upstream this patch");
    assert_eq!(config["suppressions"][0]["kind"], "external");
    assert_eq!(
        config["suppressions"][0]["properties"]["owner"],
        "@platform"
    );
    assert_eq!(by_message("stream instead")["baselineState"], "unchanged");
    assert_eq!(by_message("HACK")["baselineState"], "new");
}

#[test]
fn repo_wide_findings_get_a_location() {
    let mut report = sample::report();
    report.pipelines[0].findings[0]
        .properties
        .insert("path".into(), json!("SECURITY.md"));
    let v = sarif_value(&report);
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .take(2)
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert_eq!(uris, ["SECURITY.md", REPO_WIDE_URI]);
}

#[test]
fn unknown_vigil_rule_without_tool_is_synthesized() {
    let mut report = sample::report();
    report.pipelines[1].findings[0].rule_id = "retired-rule".into();
    let v = sarif_value(&report);
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let r = rules
        .iter()
        .find(|r| r["id"] == "retired-rule")
        .expect("synthesized rule");
    assert!(
        r["shortDescription"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("not in this version"))
    );
    assert_eq!(r["helpUri"], imported_help_uri());
    assert!(schema_validator().is_valid(&v));
}

#[test]
fn results_beyond_githubs_limit_are_left_out_least_severe_first() {
    let mut report = sample::report();
    let template = report.pipelines[1].findings[2].clone();
    let mut findings: Vec<Finding> = (0..MAX_RESULTS)
        .map(|i| {
            let mut f = template.clone();
            f.severity = Severity::Info;
            f.message = format!("info {i}");
            f
        })
        .collect();
    findings.insert(7, template.clone());
    findings[9].suppression = Some(Suppression::Baseline);
    findings[9].severity = Severity::Critical;
    findings[0].related = vec![crate::model::Location::line("a.rs", 1); 150];
    report.pipelines = vec![report.pipelines[1].clone()];
    report.pipelines[0].findings = findings;
    let v = sarif_value(&report);
    let run = &v["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), MAX_RESULTS);
    assert_eq!(run["properties"]["omittedResults"], 1);
    assert_eq!(
        results[7]["level"], "error",
        "the critical active finding is kept"
    );
    // Results are serialized in parallel chunks: report order survives the splice.
    for (k, r) in results.iter().enumerate().skip(9) {
        assert_eq!(r["message"]["text"], format!("info {k}"), "result {k}");
    }
    assert!(
        !results.iter().any(|r| r["baselineState"] == "unchanged"),
        "the baselined finding goes first"
    );
    assert_eq!(
        results[0]["relatedLocations"].as_array().map(Vec::len),
        Some(MAX_RELATED)
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notes.iter().any(|n| n["level"] == "warning"));
}

#[test]
fn paths_become_relative_encoded_uris() {
    assert_eq!(encode_path("src/a b/c.rs"), "src/a%20b/c.rs");
    assert_eq!(encode_path("./docs/#1?.md"), "docs/%231%3F.md");
    assert_eq!(encode_path("/abs/ü.rs"), "abs/%C3%BC.rs");
    assert_eq!(encode_path("win\\path.rs"), "win/path.rs");
    assert_eq!(encode_path("100%.md"), "100%25.md");
}

#[test]
fn rule_full_description_is_the_what_it_finds_paragraph() {
    let todo = crate::pipelines::rule("todo-marker").expect("todo-marker");
    assert_eq!(
        first_paragraph(todo.doc_section()).as_deref(),
        Some("A `TODO` comment: work that was planned but not done.")
    );
    assert_eq!(first_paragraph("# only a title\n"), None);
    assert_eq!(
        first_paragraph("## x\nplain text\nwrapped\n\nnext"),
        Some("plain text wrapped".to_owned())
    );
}

#[test]
fn security_rules_carry_security_severity() {
    let v = sarif_value(&sample::report());
    for r in v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
    {
        let is_security = r["properties"]["pipeline"] == "security";
        assert_eq!(
            r["properties"]["security-severity"].is_string(),
            is_security,
            "{}",
            r["id"]
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    let r = sample::report();
    assert_eq!(render(&r).expect("first"), render(&r).expect("second"));
}
