//! The `vigil` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = vigil::cli::Cli::parse();
    match vigil::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            vigil::output::error(&format!("{err:#}"));
            vigil::ExitStatus::Error.into()
        }
    }
}
