//! One module per subcommand; each exposes `run(args, ui) -> Result<ExitStatus>`.

pub mod check;
pub mod explain;
pub mod init;
pub mod monitor;
