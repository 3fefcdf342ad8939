//! Security pipeline checks: repository hygiene (and, later, secrets, dependencies, workflows,
//! Dockerfiles).

pub mod deps;
pub mod dockerfile;
pub mod hygiene;
pub mod secrets;
pub mod workflows;
