//! `vigil init`: write the commented default configuration.

use anyhow::{Context, Result};

use crate::ExitStatus;
use crate::cli::InitArgs;
use crate::output::Ui;

/// The commented default configuration, also shipped as `config/vigil.example.yml`.
pub const TEMPLATE: &str = include_str!("../../config/vigil.example.yml");

/// Run `vigil init`.
pub fn run(args: &InitArgs, ui: &Ui) -> Result<ExitStatus> {
    if args.output.exists() && !args.force {
        crate::output::error(&format!(
            "{} already exists; use --force to overwrite it",
            args.output.display()
        ));
        return Ok(ExitStatus::Error);
    }
    crate::render::write_atomic(&args.output, TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    ui.info(&format!("wrote {}", args.output.display()));
    Ok(ExitStatus::Passed)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use serde_json::Value;

    use super::TEMPLATE;
    use crate::config::{Config, parse};
    use crate::gate::GATES;

    /// The seed layout shipped as `config/monitoring.json`.
    const MONITORING: &str = include_str!("../../config/monitoring.json");

    /// Whether `body` (a comment's text after `# `) is a commented-out `key:` line.
    fn is_setting(body: &str) -> bool {
        body.split_once(':').is_some_and(|(key, _)| {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
    }

    /// The template with every commented-out setting switched on.
    ///
    /// A commented-out setting is a line `<indent># key:` (a lower-case key right after `# `)
    /// and the lines under it written `<indent>#   …`; prose comments never have that shape.
    /// Switching it on removes the `# ` after the indentation.
    fn uncommented(template: &str) -> String {
        let mut out = String::new();
        let mut block: Option<usize> = None;
        for line in template.lines() {
            let indent = line.len() - line.trim_start().len();
            let body = line[indent..].strip_prefix("# ");
            block = match body {
                Some(b) if is_setting(b) => Some(indent),
                Some(b) if block == Some(indent) && b.starts_with("  ") => block,
                _ => None,
            };
            match (block, body) {
                (Some(_), Some(b)) => {
                    out.push_str(&line[..indent]);
                    out.push_str(b);
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        out
    }

    /// Every object key of a JSON value, except the keys of the maps whose keys are data:
    /// `rules` (rule ids) and a benchmark's `env` (variable names).
    fn keys(value: &Value, parent: &str, into: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if parent != "rules" && parent != "env" {
                        into.insert(k.clone());
                    }
                    keys(v, k, into);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, parent, into)),
            _ => {}
        }
    }

    fn uncommented_config() -> Config {
        let text = uncommented(TEMPLATE);
        parse(Path::new("vigil.yml"), &text)
            .unwrap_or_else(|e| panic!("the example with every setting on must load: {e}\n{text}"))
    }

    #[test]
    fn example_config_loads_and_is_the_defaults() {
        let config = parse(Path::new("config/vigil.example.yml"), TEMPLATE)
            .unwrap_or_else(|e| panic!("the example config must load: {e}"));
        assert_eq!(config, Config::default());
    }

    #[test]
    fn example_config_documents_every_key() {
        // The defaults hold every struct field; the example with its commented-out settings
        // switched on adds the fields of list entries (rules, suppressions, …).
        let mut all = BTreeSet::new();
        let defaults = serde_json::to_value(Config::default()).expect("config serializes");
        keys(&defaults, "", &mut all);
        let full = serde_json::to_value(uncommented_config()).expect("config serializes");
        keys(&full, "", &mut all);
        assert!(all.len() > 30, "too few keys found: {all:?}");
        let missing: Vec<&String> = all
            .iter()
            .filter(|k| !TEMPLATE.contains(&format!("{k}:")))
            .collect();
        assert!(
            missing.is_empty(),
            "keys the example does not show: {missing:?}"
        );
    }

    #[test]
    fn commented_out_settings_load_and_show_the_gate_defaults() {
        let full = serde_json::to_value(uncommented_config()).expect("config serializes");
        assert_eq!(full["pipelines"].as_array().map(Vec::len), Some(5));
        assert!(full["fail_on"].is_string());
        assert!(full["baseline"].is_string());
        assert_eq!(full["rules"].as_object().map(serde_json::Map::len), Some(2));
        assert_eq!(full["suppressions"].as_array().map(Vec::len), Some(2));
        let gates = &full["gates"];
        for def in GATES {
            let gate = &gates[def.name];
            assert_eq!(
                gate["threshold"].as_f64(),
                Some(def.threshold),
                "threshold of {}",
                def.name
            );
            assert_eq!(
                gate["mode"],
                serde_json::to_value(def.mode).expect("mode serializes"),
                "mode of {}",
                def.name
            );
        }
        assert_eq!(
            gates.as_object().map(serde_json::Map::len),
            Some(GATES.len()),
            "the example and the catalogue list different gates"
        );
    }

    /// Dotted paths of the leaves of a JSON object tree (arrays and empty objects are leaves).
    fn dotted(value: &Value, prefix: &str, into: &mut Vec<String>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    dotted(v, &path, into);
                }
            }
            _ => into.push(prefix.to_owned()),
        }
    }

    #[test]
    fn readme_reference_names_every_key() {
        const README: &str = include_str!("../../README.md");
        let mut missing = Vec::new();
        let mut paths = Vec::new();
        let defaults = serde_json::to_value(Config::default()).expect("config serializes");
        dotted(&defaults, "", &mut paths);
        for path in &paths {
            // Gates are listed by name in the gates table.
            let shown = path.strip_prefix("gates.").unwrap_or(path);
            if !README.contains(&format!("`{shown}`")) {
                missing.push(shown.to_owned());
            }
        }
        // Keys of list entries and rule overrides, as the example shows them.
        let full = serde_json::to_value(uncommented_config()).expect("config serializes");
        let mut entry_keys = BTreeSet::new();
        for list in [
            &full["suppressions"],
            &full["security"]["secrets"]["extra_rules"],
            &full["security"]["deps"]["ignore"],
            &full["performance"]["benchmarks"],
            &full["performance"]["imports"],
            &full["integration"]["metrics"],
        ] {
            assert!(
                list.as_array().is_some_and(|a| !a.is_empty()),
                "the example shows no entry of a list: {list}"
            );
            keys(list, "", &mut entry_keys);
        }
        keys(&full["rules"], "rules", &mut entry_keys);
        for key in entry_keys {
            if !README.contains(&format!("`{key}`")) {
                missing.push(key);
            }
        }
        assert!(paths.len() > 30, "too few keys found: {paths:?}");
        assert!(missing.is_empty(), "README.md does not name: {missing:?}");
    }

    #[test]
    fn uncommenting_switches_on_settings_only() {
        let text = "# Prose: not a setting.\n# fail_on: high\nsection:\n  # key: 1\n  #   - x\n  # Prose again.\n";
        assert_eq!(
            uncommented(text),
            "# Prose: not a setting.\nfail_on: high\nsection:\n  key: 1\n    - x\n  # Prose again.\n"
        );
    }

    #[test]
    fn seed_monitoring_json_loads_with_the_seed_targets() {
        let config = parse(Path::new("config/monitoring.json"), MONITORING)
            .unwrap_or_else(|e| panic!("config/monitoring.json must load: {e}"));
        // The seed's targets are vigil's defaults: every gate it sets has the default
        // threshold, and the operational targets are the default ones.
        let gates = serde_json::to_value(&config.gates).expect("gates serialize");
        let mut set = 0;
        for def in GATES {
            if let Some(t) = gates[def.name]["threshold"].as_f64() {
                assert_eq!(t, def.threshold, "seed target of {}", def.name);
                set += 1;
            }
        }
        assert_eq!(set, 8, "the seed names eight gate targets");
        assert_eq!(config.operations, Config::default().operations);
        let rest = Config {
            gates: Config::default().gates,
            ..config
        };
        assert_eq!(rest, Config::default());
    }
}
