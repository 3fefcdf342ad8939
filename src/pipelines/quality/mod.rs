//! Quality pipeline checks: code markers (and, later, metrics, complexity, duplication, coverage).

pub mod markers;
