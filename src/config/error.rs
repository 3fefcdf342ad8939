//! Errors of configuration loading: always naming the file, and the line and key path when known.

use std::fmt;
use std::path::PathBuf;

/// A configuration problem the user must fix; maps to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read configuration: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML/JSON, or a key is unknown, mistyped or out of range.
    #[error("{}", Invalid { file, line: *line, column: *column, key: key.as_deref(), message })]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Dotted key path such as `gates.security_score_min.threshold`.
        key: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },
}

struct Invalid<'a> {
    file: &'a PathBuf,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&'a str>,
    message: &'a str,
}

impl fmt::Display for Invalid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        f.write_str(": invalid configuration")?;
        if let Some(key) = self.key {
            write!(f, " at key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
