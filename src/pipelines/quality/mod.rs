//! Quality pipeline checks: code markers (and, later, metrics, complexity, duplication, coverage).

pub mod complexity;
pub mod coverage;
pub mod duplication;
pub mod imported;
pub mod loc;
pub mod markers;
