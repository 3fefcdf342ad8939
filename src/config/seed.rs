//! The seed project's `config/monitoring.json` layout, read as is and mapped onto [`Config`].
//!
//! ```json
//! { "performance_targets": { "response_time_p95_ms": 1000, "throughput_ops_per_sec": 10,
//!                            "memory_efficiency_percent": 50, "error_rate_percent": 1 },
//!   "quality_targets":     { "security_score_min": 80, "test_coverage_percent": 90,
//!                            "quality_gate_pass_rate_percent": 95,
//!                            "documentation_accuracy_percent": 80 },
//!   "operational_targets": { "availability_percent": 99.9, "mttr_hours": 2, "mtbf_hours": 720,
//!                            "change_failure_rate_percent": 5 },
//!   "monitoring":          { "refresh_interval_seconds": 30, "retention_days": 30,
//!                            "alert_escalation_minutes": [15, 30, 60, 120] } }
//! ```

use serde::Deserialize;

use super::schema::{Config, GateConfig, NonNegative, Percent};

/// Top-level keys that identify the seed layout.
const SEED_KEYS: [&str; 4] = [
    "\"performance_targets\"",
    "\"quality_targets\"",
    "\"operational_targets\"",
    "\"monitoring\"",
];

/// Whether JSON text uses the seed layout rather than vigil's own.
pub(super) fn looks_like_seed(text: &str) -> bool {
    SEED_KEYS.iter().any(|k| text.contains(k))
}

/// The seed file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct SeedConfig {
    performance_targets: PerformanceTargets,
    quality_targets: QualityTargets,
    operational_targets: OperationalTargets,
    monitoring: Monitoring,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PerformanceTargets {
    response_time_p95_ms: Option<NonNegative>,
    throughput_ops_per_sec: Option<NonNegative>,
    memory_efficiency_percent: Option<Percent>,
    error_rate_percent: Option<Percent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct QualityTargets {
    security_score_min: Option<Percent>,
    test_coverage_percent: Option<Percent>,
    quality_gate_pass_rate_percent: Option<Percent>,
    documentation_accuracy_percent: Option<Percent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct OperationalTargets {
    availability_percent: Option<Percent>,
    mttr_hours: Option<NonNegative>,
    mtbf_hours: Option<NonNegative>,
    change_failure_rate_percent: Option<Percent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Monitoring {
    refresh_interval_seconds: Option<NonNegative>,
    retention_days: Option<NonNegative>,
    alert_escalation_minutes: Option<Vec<NonNegative>>,
}

fn gate<T>(threshold: Option<T>) -> Option<GateConfig<T>> {
    threshold.map(|t| GateConfig {
        threshold: Some(t),
        mode: None,
    })
}

impl SeedConfig {
    /// The equivalent vigil configuration (everything else at defaults).
    pub(super) fn into_config(self) -> Config {
        let mut c = Config::default();
        let p = self.performance_targets;
        c.gates.response_time_p95_ms = gate(p.response_time_p95_ms);
        c.gates.throughput_ops = gate(p.throughput_ops_per_sec);
        c.gates.memory_efficiency_min = gate(p.memory_efficiency_percent);
        c.gates.error_rate_max = gate(p.error_rate_percent);
        let q = self.quality_targets;
        c.gates.security_score_min = gate(q.security_score_min);
        c.gates.coverage_min = gate(q.test_coverage_percent);
        c.gates.gate_pass_rate_min = gate(q.quality_gate_pass_rate_percent);
        c.gates.documentation_accuracy_min = gate(q.documentation_accuracy_percent);
        let o = self.operational_targets;
        let ops = &mut c.operations;
        if let Some(v) = o.availability_percent {
            ops.availability_min = v;
        }
        if let Some(v) = o.mttr_hours {
            ops.mttr_hours_max = v;
        }
        if let Some(v) = o.mtbf_hours {
            ops.mtbf_hours_min = v;
        }
        if let Some(v) = o.change_failure_rate_percent {
            ops.change_failure_rate_max = v;
        }
        let m = self.monitoring;
        if let Some(v) = m.refresh_interval_seconds {
            ops.refresh_seconds = v;
        }
        if let Some(v) = m.retention_days {
            ops.retention_days = v;
        }
        if let Some(v) = m.alert_escalation_minutes {
            ops.escalation_minutes = v;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::parse;

    #[test]
    fn seed_layout_maps_onto_gates_and_operations() {
        let text = r#"{
  "performance_targets": { "response_time_p95_ms": 750 },
  "quality_targets": { "security_score_min": 85, "test_coverage_percent": 70 },
  "operational_targets": { "availability_percent": 99.5 },
  "monitoring": { "retention_days": 14 }
}"#;
        let c = parse(Path::new("config/monitoring.json"), text).expect("seed config loads");
        assert_eq!(
            c.gates
                .response_time_p95_ms
                .and_then(|g| g.threshold)
                .map(|t| t.0),
            Some(750.0)
        );
        assert_eq!(
            c.gates
                .security_score_min
                .and_then(|g| g.threshold)
                .map(|t| t.0),
            Some(85.0)
        );
        assert_eq!(
            c.gates.coverage_min.and_then(|g| g.threshold).map(|t| t.0),
            Some(70.0)
        );
        assert_eq!(c.operations.availability_min.0, 99.5);
        assert_eq!(c.operations.retention_days.0, 14.0);
    }

    #[test]
    fn seed_unknown_key_is_an_error_with_line() {
        let text = "{\n  \"quality_targets\": {\n    \"coverage\": 90\n  }\n}\n";
        let e = parse(Path::new("config/monitoring.json"), text)
            .expect_err("unknown seed key")
            .to_string();
        assert!(e.starts_with("config/monitoring.json:3:"), "{e}");
        assert!(e.contains("`quality_targets.coverage`"), "{e}");
    }
}
