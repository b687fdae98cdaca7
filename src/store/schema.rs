//! Opening the state file: refusing a symlink, creating the file, checking
//! that it is ours before writing a byte to it, migrating its schema, and
//! moving a damaged or foreign file aside so a fresh one can start.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::StoreError;
use super::files::{self, Found, Sharing};

/// Written into the SQLite header (`PRAGMA application_id`) so a file can be
/// told apart from any other SQLite database: "Comq".
pub(super) const APPLICATION_ID: i32 = 0x436f_6d71;

/// How long a writer waits for another process's transaction to finish.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Schema steps; `PRAGMA user_version` counts how many have been applied.
/// Append a step to change the schema; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: marks, tags, saved searches, per-user query history.
    "CREATE TABLE marks (
        id TEXT PRIMARY KEY NOT NULL,
        read_by TEXT, read_at INTEGER,
        flagged_by TEXT, flagged_at INTEGER,
        status TEXT NOT NULL DEFAULT 'new', status_by TEXT, status_at INTEGER,
        note TEXT, note_by TEXT, note_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE tags (
        id TEXT NOT NULL, tag TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_by_tag ON tags (tag);
    CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY NOT NULL, query TEXT NOT NULL,
        by TEXT NOT NULL, at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE history (
        seq INTEGER PRIMARY KEY, by TEXT NOT NULL, query TEXT NOT NULL, at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX history_by_query ON history (by, query);",
    // 2: read state is each person's own (a read mark stays with whoever
    // set it); every version of a note is kept; each person's draft notes.
    "CREATE TABLE reads (
        id TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (id, by)
    ) WITHOUT ROWID;
    INSERT INTO reads (id, by, at)
        SELECT id, read_by, read_at FROM marks
        WHERE read_by IS NOT NULL AND read_at IS NOT NULL;
    ALTER TABLE marks DROP COLUMN read_by;
    ALTER TABLE marks DROP COLUMN read_at;
    DELETE FROM marks
        WHERE flagged_by IS NULL AND status_by IS NULL AND note IS NULL;
    CREATE TABLE note_versions (
        id TEXT NOT NULL, version INTEGER NOT NULL,
        note TEXT, by TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (id, version)
    ) WITHOUT ROWID;
    INSERT INTO note_versions (id, version, note, by, at)
        SELECT id, 1, note, note_by, note_at FROM marks
        WHERE note IS NOT NULL AND note_by IS NOT NULL AND note_at IS NOT NULL;
    CREATE TABLE note_drafts (
        id TEXT NOT NULL, by TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL,
        base_note TEXT, base_by TEXT, base_at INTEGER,
        PRIMARY KEY (id, by)
    ) WITHOUT ROWID;",
];

/// The schema version this build writes and reads.
pub(super) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Tables the current schema must have.
const TABLES: &[&str] = &[
    "history",
    "marks",
    "note_drafts",
    "note_versions",
    "reads",
    "saved_searches",
    "tags",
];

/// A connection ready for use, and what the person opening it should be told.
pub(super) struct Opened {
    pub conn: Connection,
    pub read_only: bool,
    pub warning: Option<String>,
}

/// Why a writable open did not produce a connection.
enum Failure {
    /// The file is damaged, or a database that is not ours: move it aside.
    Unusable(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

/// What is in a file, judged before anything is written to it.
enum Verdict {
    /// Empty (new, or zero bytes): ours to initialise.
    Fresh,
    /// Ours, at this schema version.
    Ours(i64),
}

/// Opens `path` for reading and writing, creating it and its folders; falls
/// back to reading when it cannot be written; moves a damaged communique
/// file aside and starts afresh. Anything else found at the path (a folder,
/// a FIFO, another program's file or database) is refused and left alone.
pub(super) fn open(path: &Path) -> Result<Opened, StoreError> {
    files::refuse_links(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| StoreError::CannotOpen {
            path: path.to_path_buf(),
            reason: format!("its folder could not be created ({e})"),
        })?;
    }
    // Refuse what is plainly not a state file before making a lock beside it.
    if files::examine(path)? == Found::File {
        recognise(path)?;
    }
    let sharing = Sharing::of(path);
    // Processes opening the file at the same moment take turns: one that
    // found it half-created could otherwise move it aside as damaged while
    // another already writes to it.
    let _guard = files::lock(path, sharing)?;
    let opened = open_locked(path, sharing)?;
    files::share_ours(path, sharing);
    Ok(opened)
}

fn open_locked(path: &Path, sharing: Sharing) -> Result<Opened, StoreError> {
    let mut moved_aside = None;
    // Another process may find the same damage and move the file first; then
    // the next attempt simply opens the fresh file it made.
    for _attempt in 0..3 {
        let found = files::identity(path);
        if files::examine(path)? == Found::Missing {
            files::create(path, sharing)?;
        }
        match open_writable(path) {
            Ok(conn) => {
                let warning = moved_aside.map(|(aside, reason): (PathBuf, String)| {
                    format!(
                        "the state file {} {reason}: it was moved aside to {} and a fresh one started",
                        path.display(),
                        aside.display()
                    )
                });
                return Ok(Opened {
                    conn,
                    read_only: false,
                    warning,
                });
            }
            Err(Failure::Unusable(reason)) => {
                // Only a file whose header says it is ours is moved: a
                // damaged header could be anyone's file.
                if recognise(path)? != Header::Ours {
                    return Err(StoreError::Refused {
                        path: path.to_path_buf(),
                        reason: format!(
                            "{reason}, and is not recognisably a communique state file, so it was left as it is"
                        ),
                    });
                }
                if found.is_some() && found == files::identity(path) {
                    let aside = move_aside(path, &reason)?;
                    moved_aside = Some((aside, reason));
                }
            }
            Err(Failure::Store(error)) if error.is_unwritable() && path.exists() => {
                let conn = open_readable(path)?;
                return Ok(Opened {
                    conn,
                    read_only: true,
                    warning: Some(match error {
                        StoreError::ReadOnlyFor { .. } => {
                            format!("{error}; marks are shown, but changes cannot be saved")
                        }
                        _ => format!(
                            "the state file {} cannot be written: marks are shown, but changes cannot be saved",
                            path.display()
                        ),
                    }),
                });
            }
            Err(Failure::Store(error)) => return Err(error),
        }
    }
    Err(StoreError::CannotOpen {
        path: path.to_path_buf(),
        reason: "it kept turning out damaged after being replaced".to_owned(),
    })
}

/// Opens an existing state file without ever writing to it; in a team
/// folder a `-shm` this makes is left writable for the team.
pub(super) fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    files::refuse_links(path)?;
    match files::examine(path)? {
        Found::Missing => {
            return Err(StoreError::CannotOpen {
                path: path.to_path_buf(),
                reason: "there is no such file".to_owned(),
            });
        }
        Found::File => {
            recognise(path)?;
        }
        Found::Empty => {}
    }
    let conn = open_readable(path)?;
    files::share_ours(path, Sharing::of(path));
    Ok(conn)
}

fn open_writable(path: &Path) -> Result<Connection, Failure> {
    let sqlite = |e: rusqlite::Error| failure(path, &e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_handler(Some(wait_for_lock)).map_err(sqlite)?;
    // Commits reach the disk before `apply` returns, even on power loss.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sqlite)?;
    // SQLite quietly opens a write-protected file read-only.
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(sqlite)? {
        return Err(Failure::Store(StoreError::ReadOnly(path.to_path_buf())));
    }
    // Judge the file before writing to it, so a foreign one is moved aside
    // exactly as it was found.
    if let Verdict::Ours(VERSION) = inspect(&conn, path)? {
        return Ok(conn);
    }
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(sqlite)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    // Judge again under the write lock: another process may have just
    // created the schema.
    let from = match inspect(&tx, path)? {
        Verdict::Fresh => 0,
        Verdict::Ours(version) => version,
    };
    for step in MIGRATIONS
        .iter()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        tx.execute_batch(step).map_err(sqlite)?;
    }
    if from < VERSION {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sqlite)?;
        tx.pragma_update(None, "user_version", VERSION)
            .map_err(sqlite)?;
    }
    tx.commit().map_err(sqlite)?;
    Ok(conn)
}

fn open_readable(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let sqlite = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
    let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_handler(Some(wait_for_lock)).map_err(sqlite)?;
    let conn = match inspect(&conn, path) {
        // Reading a WAL file needs its `-shm` index, which SQLite cannot
        // create in a folder it may not write. With no `-wal` beside it no
        // writer has the file open, so read it as immutable: a writer that
        // starts later is seen only on the next open.
        Err(Failure::Store(StoreError::ReadOnly(_) | StoreError::ReadOnlyFor { .. }))
            if fs::symlink_metadata(files::with_suffix(path, "-wal")).is_err() =>
        {
            let conn = Connection::open_with_flags(
                immutable_uri(path),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(sqlite)?;
            inspect(&conn, path).map(|verdict| (conn, verdict))
        }
        verdict => verdict.map(|verdict| (conn, verdict)),
    };
    match conn {
        Ok((conn, Verdict::Ours(VERSION))) => Ok(conn),
        // Empty, or an older schema that cannot be migrated without writing.
        Ok(_) => Err(StoreError::ReadOnly(path.to_path_buf())),
        Err(Failure::Unusable(_)) => Err(StoreError::Corrupt(path.to_path_buf())),
        Err(Failure::Store(error)) => Err(error),
    }
}

/// What a file's header says, as far as telling ours from others goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// It carries communique's application id.
    Ours,
    /// A SQLite database with no application id and no tables: being
    /// created (ours keeps its header in the `-wal` until a checkpoint).
    Unmarked,
}

/// Tells a communique state file from any other file before anything is
/// written, from the header and table list alone: a file that is not a
/// SQLite database, or another program's database (one with another
/// application id, or with tables but none), is refused. SQLite reads it
/// (as immutable, so nothing, not even a `-shm`, is made beside it): it
/// never closes a file on which this process holds locks, which reading
/// the header by hand would drop.
fn recognise(path: &Path) -> Result<Header, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW
        | OpenFlags::SQLITE_OPEN_URI;
    let read = || -> rusqlite::Result<(i32, rusqlite::Result<i64>)> {
        let conn = Connection::open_with_flags(immutable_uri(path), flags)?;
        let id = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
        let tables = conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0));
        Ok((id, tables))
    };
    // Read as immutable, a header a writer is just checkpointing could be
    // seen half-written: a refusal is only given when a second look agrees.
    let mut verdict = judge(path, read());
    if verdict.is_err() {
        thread::sleep(Duration::from_millis(20));
        verdict = judge(path, read());
    }
    verdict
}

fn judge(
    path: &Path,
    read: rusqlite::Result<(i32, rusqlite::Result<i64>)>,
) -> Result<Header, StoreError> {
    match read {
        Ok((APPLICATION_ID, _)) => Ok(Header::Ours),
        Ok((0, Ok(0) | Err(_))) => Ok(Header::Unmarked),
        Ok(_) => Err(files::not_ours(path)),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
            ) =>
        {
            match files::damaged_header_id(path) {
                Some(APPLICATION_ID) => Ok(Header::Ours),
                Some(_) => Err(StoreError::Refused {
                    path: path.to_path_buf(),
                    reason: "is damaged, and is not recognisably a communique state file, so it was left as it is".to_owned(),
                }),
                None => Err(files::not_a_database(path)),
            }
        }
        Err(e) => Err(StoreError::from_sqlite(path, &e)),
    }
}

/// `file:<path>?immutable=1`, with the path percent-encoded as URIs need.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            uri.push('%');
            uri.push(char::from(HEX[usize::from(byte >> 4)]));
            uri.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Reads the header fields and table list, and checks the file's structure.
fn inspect(conn: &Connection, path: &Path) -> Result<Verdict, Failure> {
    let failure = |e: rusqlite::Error| failure(path, &e);
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(failure)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(failure)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(failure)?;
    if application_id == 0 && version == 0 && tables.is_empty() {
        return Ok(Verdict::Fresh);
    }
    if application_id != APPLICATION_ID || version == 0 {
        return Err(Failure::Store(files::not_ours(path)));
    }
    if version > VERSION {
        return Err(Failure::Store(StoreError::Newer {
            path: path.to_path_buf(),
            found: version,
            supported: VERSION,
        }));
    }
    let check: String = conn
        .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
        .map_err(failure)?;
    if check != "ok" {
        return Err(Failure::Unusable(format!("is damaged ({check})")));
    }
    if version == VERSION && !TABLES.iter().all(|t| tables.iter().any(|have| have == t)) {
        return Err(Failure::Unusable(
            "is missing some of communique's tables".to_owned(),
        ));
    }
    Ok(Verdict::Ours(version))
}

/// SQLite's busy handler: waits up to [`BUSY_TIMEOUT`] for another
/// process's lock, in short, slightly uneven naps. SQLite's own handler naps
/// up to 100 ms at a time, and with other writers busy (measured: 8 processes
/// on 2 CPUs) a waiter kept missing the gaps between their transactions and
/// timed out; naps of a millisecond or two keep turns roughly fair.
fn wait_for_lock(attempt: i32) -> bool {
    thread_local! {
        static WAITING_SINCE: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let now = Instant::now();
    let since = WAITING_SINCE.with(|since| {
        if attempt == 0 {
            since.set(Some(now));
        }
        since.get().unwrap_or(now)
    });
    if now.duration_since(since) >= BUSY_TIMEOUT {
        return false;
    }
    let jitter = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos() % 1500));
    thread::sleep(Duration::from_micros(500 + jitter));
    true
}

/// Sorts an error met while opening: damage means "move it aside".
fn failure(path: &Path, error: &rusqlite::Error) -> Failure {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Failure::Unusable("is damaged or is not a database".to_owned())
        }
        _ => Failure::Store(StoreError::from_sqlite(path, error)),
    }
}

/// Renames the file (and any `-wal`, `-shm`, `-journal` beside it, which
/// belong to it and must not be read as part of the fresh file) to
/// `<name>.corrupt-<YYYYMMDDTHHMMSS>`, adding `-2`, `-3`… if that is taken.
fn move_aside(path: &Path, reason: &str) -> Result<PathBuf, StoreError> {
    let cannot = |e: std::io::Error| StoreError::CannotOpen {
        path: path.to_path_buf(),
        reason: format!("it {reason}, and could not be moved aside ({e})"),
    };
    let name = path.file_name().map_or_else(
        || "triage.db".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let stamp = chrono::Local::now().format("%Y%m%dT%H%M%S");
    let mut aside = path.with_file_name(format!("{name}.corrupt-{stamp}"));
    let taken = |aside: &Path| {
        ["", "-wal", "-shm", "-journal"]
            .iter()
            .any(|suffix| fs::symlink_metadata(files::with_suffix(aside, suffix)).is_ok())
    };
    let mut n = 2;
    while taken(&aside) {
        aside = path.with_file_name(format!("{name}.corrupt-{stamp}-{n}"));
        n += 1;
    }
    // Never over anything: a name taken meanwhile (or planted) is an error.
    for suffix in ["-wal", "-shm", "-journal"] {
        let companion = files::with_suffix(path, suffix);
        if fs::symlink_metadata(&companion).is_ok() {
            files::rename_new(&companion, &files::with_suffix(&aside, suffix)).map_err(cannot)?;
        }
    }
    files::rename_new(path, &aside).map_err(cannot)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immutable_uri_escapes_what_uris_reserve() {
        assert_eq!(
            immutable_uri(Path::new("/srv/press office/a?b#c%d.db")),
            "file:/srv/press%20office/a%3Fb%23c%25d.db?immutable=1"
        );
    }
}
