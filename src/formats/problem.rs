//! A problem found while reading an archive, located by file, line, column
//! and record: what every format adapter and the loader report.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a problem is. Notices (a GOV.UK item of a kind we do not show)
/// are not counted as problems by `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

/// Which record of a file a problem is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// Zero-based position in the file's array, or line number for JSON Lines.
    Index(usize),
    Id(String),
}

/// Something wrong with the archive, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub record: Option<RecordRef>,
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    /// A problem at a (line, column) of `path`.
    #[must_use]
    pub fn new(
        path: &Path,
        (line, column): (usize, usize),
        record: Option<RecordRef>,
        message: String,
        severity: Severity,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            column,
            record,
            message,
            severity,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        match self.severity {
            Severity::Error => {}
            Severity::Warning => f.write_str("warning: ")?,
            Severity::Notice => f.write_str("notice: ")?,
        }
        match &self.record {
            Some(RecordRef::Id(id)) => write!(f, "record {id:?}: ")?,
            Some(RecordRef::Index(index)) => write!(f, "record #{}: ", index + 1)?,
            None => {}
        }
        f.write_str(&self.message)
    }
}
