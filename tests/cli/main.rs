//! Command-line tests: run the real `vigil` binary on fixture repositories copied into temp
//! folders, with a cleared environment, and assert exit codes, messages and files written.

mod check;
mod common;
mod config_errors;
mod custom_metrics;
mod explain_init;
mod github;
mod monitor;
mod secrets_output;
