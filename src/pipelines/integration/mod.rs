//! Integration pipeline: test results the build produced (JUnit XML) and, later, what vigil
//! runs against the build itself (test commands, probes, custom metrics).

pub mod commands;
pub mod junit;
pub mod metrics;
pub mod readiness;
pub mod service;
