//! Terminal output: the only module that prints. Honours `--quiet`, `-v`, `--color` and
//! `NO_COLOR`, and ends quietly when stdout is a closed pipe.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, GlobalArgs};

/// Printing preferences of this invocation.
#[derive(Debug, Clone)]
pub struct Ui {
    /// Print only errors.
    pub quiet: bool,
    /// Verbosity level (`-v` count).
    pub verbose: u8,
    /// Whether to colour stderr.
    pub color: bool,
    /// Whether a progress bar may be drawn (stderr is a terminal, not CI, not quiet).
    pub progress: bool,
}

impl Ui {
    /// Preferences from the global flags and the environment.
    pub fn new(g: &GlobalArgs) -> Self {
        let is_tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color,
        };
        let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        Self {
            quiet: g.quiet,
            verbose: g.verbose,
            color,
            progress: is_tty && !in_ci && !g.quiet,
        }
    }

    /// Quiet, colourless preferences for tests.
    pub fn plain() -> Self {
        Self {
            quiet: false,
            verbose: 0,
            color: false,
            progress: false,
        }
    }

    /// Print a line to stdout unless quiet; a closed pipe is ignored.
    pub fn out(&self, line: &str) {
        if !self.quiet {
            stdout_line(line);
        }
    }

    /// Print a line to stdout even when quiet (the output the user asked for).
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Print an informational line to stderr unless quiet.
    pub fn info(&self, line: &str) {
        if !self.quiet {
            eprintln_safe(line);
        }
    }

    /// Print a detail line to stderr when `-v` was given.
    pub fn detail(&self, line: &str) {
        if self.verbose > 0 && !self.quiet {
            eprintln_safe(line);
        }
    }

    /// Print a warning to stderr unless quiet.
    pub fn warn(&self, line: &str) {
        if !self.quiet {
            eprintln_safe(&format!("{}: {line}", self.paint("warning", "33")));
        }
    }

    /// Wrap `text` in an ANSI colour when colours are on.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn stdout_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

fn eprintln_safe(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Print a fatal error to stderr.
pub fn error(msg: &str) {
    eprintln_safe(&format!("error: {msg}"));
}
