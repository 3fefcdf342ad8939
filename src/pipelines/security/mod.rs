//! Security pipeline checks: repository hygiene (and, later, secrets, dependencies, workflows,
//! Dockerfiles).

pub mod hygiene;
