//! Why the triage store could not do something, in words a press officer can
//! act on. SQLite's result codes are sorted here into the few cases a caller
//! treats differently (read-only, full, busy, damaged…).

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// A store failure. Every variant's `Display` is one line that names the file
/// and, where there is one, the way out.
#[derive(Debug)]
pub enum StoreError {
    /// The state path is a symbolic link; the store refuses to follow it.
    Symlink(PathBuf),
    /// The file, its folder or the filesystem cannot be written.
    ReadOnly(PathBuf),
    /// The file could be written, but not its `-wal` or `-shm` (`blocker`),
    /// left by a teammate without group write.
    ReadOnlyFor { path: PathBuf, blocker: PathBuf },
    /// The disk (or a quota) is full.
    Full(PathBuf),
    /// Another process held the database locked past the busy timeout.
    Busy(PathBuf),
    /// The file could not be opened or created at all.
    CannotOpen { path: PathBuf, reason: String },
    /// What is at the path is not a communique state file (a folder, a FIFO,
    /// another program's file or database), or a link is planted beside it:
    /// it is left exactly as it is.
    Refused { path: PathBuf, reason: String },
    /// The file went bad while open (it is moved aside on the next open).
    Corrupt(PathBuf),
    /// A newer communique wrote this file; it is left alone.
    Newer {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The request itself was wrong (an empty tag, an unknown status…).
    Invalid(String),
    /// Anything else SQLite or the filesystem reported.
    Other { path: PathBuf, detail: String },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Symlink(path) => write!(
                f,
                "refusing the state file {}: it is a symbolic link; give the real file's path instead",
                path.display()
            ),
            StoreError::ReadOnly(path) if super::postgres_url(path).is_some() => write!(
                f,
                "cannot save: read-only (your database role may only read {})",
                path.display()
            ),
            StoreError::ReadOnly(path) => {
                write!(
                    f,
                    "cannot save: the state file {} is read-only",
                    path.display()
                )
            }
            StoreError::ReadOnlyFor { path, blocker } => write!(
                f,
                "cannot save: the state file {} is read-only for you, because you may not write {} (its owner opening communique once, or `chmod g+w` on it, lets the team in)",
                path.display(),
                blocker.display()
            ),
            StoreError::Full(path) => write!(
                f,
                "cannot save: the disk holding the state file {} is full",
                path.display()
            ),
            StoreError::Busy(path) => write!(
                f,
                "the state file {} is busy: another communique has kept it locked; try again",
                path.display()
            ),
            StoreError::CannotOpen { path, reason } => {
                write!(f, "cannot open the state file {}: {reason}", path.display())
            }
            StoreError::Refused { path, reason } => {
                write!(
                    f,
                    "cannot use {} as the state file: it {reason}",
                    path.display()
                )
            }
            StoreError::Corrupt(path) => write!(
                f,
                "the state file {} is damaged; the next browser or `communique mark` to open it moves it aside and starts a fresh one",
                path.display()
            ),
            StoreError::Newer {
                path,
                found,
                supported,
            } => write!(
                f,
                "the state file {} was written by a newer communique (format {found}, this one reads up to {supported}); upgrade, or choose another --state file",
                path.display()
            ),
            StoreError::Invalid(message) => f.write_str(message),
            StoreError::Other { path, detail } => {
                write!(f, "state file {}: {detail}", path.display())
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// Sorts a SQLite failure on the file at `path` into a variant; for
    /// "read-only", looks for the teammate's file that makes it so.
    pub(super) fn from_sqlite(path: &Path, error: &rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        match error.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => match super::files::unwritable_companion(&path) {
                Some(blocker) => StoreError::ReadOnlyFor { path, blocker },
                None => StoreError::ReadOnly(path),
            },
            Some(ErrorCode::DiskFull) => StoreError::Full(path),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(path),
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(path),
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen {
                path,
                reason: "it could not be opened or created (does its folder exist, and may you write there?)"
                    .to_owned(),
            },
            Some(ErrorCode::PermissionDenied) => StoreError::CannotOpen {
                path,
                reason: "permission denied".to_owned(),
            },
            Some(ErrorCode::SystemIoFailure) => StoreError::Other {
                path,
                detail: format!("the disk reported an input/output error ({error})"),
            },
            _ => StoreError::Other {
                path,
                detail: error.to_string(),
            },
        }
    }

    /// Whether the failure means "this file cannot be written", so the store
    /// should fall back to reading it.
    pub(super) fn is_unwritable(&self) -> bool {
        matches!(
            self,
            StoreError::ReadOnly(_)
                | StoreError::ReadOnlyFor { .. }
                | StoreError::CannotOpen { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn sqlite_codes_map_to_the_cases_callers_branch_on() {
        let path = Path::new("/srv/triage.db");
        let cases = [
            (rusqlite::ffi::SQLITE_READONLY, "read-only"),
            (rusqlite::ffi::SQLITE_FULL, "is full"),
            (rusqlite::ffi::SQLITE_BUSY, "busy"),
            (rusqlite::ffi::SQLITE_LOCKED, "busy"),
            (rusqlite::ffi::SQLITE_NOTADB, "damaged"),
            (rusqlite::ffi::SQLITE_CORRUPT, "damaged"),
            (rusqlite::ffi::SQLITE_CANTOPEN, "cannot open"),
        ];
        for (code, words) in cases {
            let message = StoreError::from_sqlite(path, &sqlite(code)).to_string();
            assert!(message.contains(words), "{code}: {message}");
            assert!(message.contains("/srv/triage.db"), "{code}: {message}");
            assert!(!message.contains('\n'));
        }
        assert!(matches!(
            StoreError::from_sqlite(path, &sqlite(rusqlite::ffi::SQLITE_READONLY)),
            StoreError::ReadOnly(_)
        ));
        assert!(matches!(
            StoreError::from_sqlite(path, &sqlite(rusqlite::ffi::SQLITE_FULL)),
            StoreError::Full(_)
        ));
    }
}
