//! The triage store: marks on statements (read, flag, status, tags, note,
//! each with who set it and when), saved searches and query history, kept in
//! one SQLite file that any number of communique processes may share.
//!
//! The store never looks at the archive: marks are keyed by statement id and
//! outlive a statement leaving the archive. A statement with no row has
//! [`Marks::default`]. Every call commits before it returns; there is no save.
//!
//! ```text
//! Store::open(path, user)  -> (Store, Option<warning>)   create, migrate, or move a bad file aside
//! Store::open_read_only(path)                            read marks, never write (scripts, `list --json`)
//! Store::default_path()    $XDG_STATE_HOME/communique/triage.db, else ~/.local/state/communique/triage.db
//! Store::user()            $COMMUNIQUE_USER, else $USER, else $LOGNAME, else the account's name
//! store.with_clock(f)      stamp changes with f() instead of the system clock (tests)
//! store.apply(&change)     -> Applied { before, after }  one IMMEDIATE transaction for all ids
//! store.marks() / marks_for(ids) / tags()
//! store.changed_since_last_check()                       did another process commit? (cheap; poll it)
//! store.save_search / saved_searches / delete_search     shared by everyone using the file
//! store.push_history / history                           per user, oldest first, last 500
//! store.save_note(ids, text, opened) -> Saved | Conflict  only if no one changed it since it was opened
//! store.save_draft / drafts / drop_drafts                 per user, until saved or thrown away
//! ```
//!
//! Undo is `apply(&Change::Revert { marks: applied.before, field })`, redo
//! the same with `applied.after`: the one field the change touched goes back,
//! stamps included, and marks made since (by anyone) stay.
//!
//! Read state is each user's own (like mail): [`Marks::read`] is the store's
//! user's, [`Marks::read_by_others`] everyone else's, and only a user's own
//! store changes their read mark. Flag, status, tags and note are shared.
//! Every version of a note is kept ([`Marks::note_history`]).
//!
//! Attribution: each mark keeps who set it and when. Repeating a change
//! (flagging a flagged statement, re-adding a tag, setting the same status or
//! note) keeps the original stamp; removing a mark removes its stamp. Tags are
//! single words; a blank note removes the note.
//!
//! On disk: WAL journal, `synchronous = FULL`, a 5 s busy timeout, the schema
//! version in `PRAGMA user_version` and our mark in `PRAGMA application_id`.
//! A path that is a symlink, or has one planted as its `-wal`, `-shm` or
//! `.lock`, is refused (see `files`, which also makes files in a team folder
//! group-writable). A communique file that is damaged is renamed to
//! `<name>.corrupt-<YYYYMMDDTHHMMSS>` (with its `-wal`/`-shm`, never over
//! anything) and a fresh one started, with a warning; anything else (a
//! folder, a FIFO, another program's file or database) is refused with
//! [`StoreError::Refused`] and left as it is. A store whose file is replaced
//! under it (moved aside by another process) reopens the path before its
//! next change or at its next poll, and says so ([`Store::take_notice`]). A file
//! from a newer communique is left alone ([`StoreError::Newer`]): others may
//! be using it. A file that cannot be written opens read-only, with a
//! warning, and every change then fails with [`StoreError::ReadOnly`] (if its
//! folder cannot be written either and no one else has it open, SQLite can
//! only read it as immutable, and others' later changes show after a reopen).
//! Writers waiting on each other poll every millisecond or two (see
//! `schema::wait_for_lock`), so a busy shared file does not starve anyone.
//!
//! PostgreSQL ([`PgStore`]) sits behind the same [`TriageStore`]. The
//! browser reaches it through [`RemoteStore`] ([`open_for_browser`]): a
//! thread of its own owns the connection, every change is first written to
//! a [`Journal`] (flushed) and shown from a cache, and the journal is sent
//! once the database is reachable, each change once.

mod backend;
mod engine;
mod error;
mod files;
mod journal;
mod marks;
mod notes;
mod postgres;
mod remote;
mod rows;
mod schema;
mod transfer;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior, params};

pub use backend::{
    TriageStore, open as open_any, open_for_browser, open_read_only as open_any_read_only,
    postgres_url,
};
pub use error::StoreError;
pub use journal::{Entry as JournalEntry, Job as JournalJob, Journal};
pub use marks::{Change, MarkField, Marks, NoteVersion, Stamp, Status};
pub use notes::{Draft, NoteSaved, OpenedNote};
pub use postgres::{PgStore, login_name, redact};
pub use remote::{NoteConflict, RemoteStore};
pub use transfer::{Snapshot, Value};

/// How many queries of history are kept for each user.
pub const HISTORY_LIMIT: usize = 500;

/// The marks of every id a change touched, before and after it, in the order
/// the ids were first given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub before: Vec<(String, Marks)>,
    pub after: Vec<(String, Marks)>,
}

/// An open state file. See the module documentation.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    user: String,
    read_only: bool,
    /// How it was opened, to open it the same way again.
    opening: Opening,
    /// The file this connection has open (device, inode).
    file: Option<(u64, u64)>,
    /// Something to tell the person (see [`Store::take_notice`]).
    notice: Option<String>,
    clock: Box<dyn Fn() -> i64 + Send>,
    /// What `changed_since_last_check` saw last time.
    last_seen: Seen,
}

/// How a store was opened: with [`Store::open`] (and whether that gave
/// only reading), or [`Store::open_read_only`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    Writable(bool),
    ReadOnly,
}

/// A cheap sign of other writers. SQLite's `data_version` is exact, but a
/// read-only connection to a WAL file may rebuild its index on every read and
/// bump it each time; there the file sizes and times serve instead.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    DataVersion(i64),
    Files([Option<(u64, SystemTime)>; 2]),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("user", &self.user)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if need be) the state file at `path`, attributing
    /// changes to `user`. The warning, when there is one, says the file was
    /// moved aside or can only be read; show it to the person.
    ///
    /// # Errors
    /// [`StoreError::Symlink`] for a symlink, [`StoreError::Newer`] for a file
    /// from a newer communique, and otherwise whatever stopped the file from
    /// being opened even for reading.
    pub fn open(path: &Path, user: &str) -> Result<(Store, Option<String>), StoreError> {
        let opened = schema::open(path)?;
        let store = Store::new(opened.conn, path, user, Opening::Writable(opened.read_only))?;
        Ok((store, opened.warning))
    }

    /// Opens an existing state file for reading only; nothing is created,
    /// migrated or moved, and every change fails with [`StoreError::ReadOnly`].
    ///
    /// # Errors
    /// When the file is missing, a symlink, damaged or not ours.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = schema::open_read_only(path)?;
        Store::new(conn, path, &Store::user(), Opening::ReadOnly)
    }

    fn new(
        conn: Connection,
        path: &Path,
        user: &str,
        opening: Opening,
    ) -> Result<Store, StoreError> {
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            user: Some(marks::clean_name(user))
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "unknown".to_owned()),
            read_only: opening != Opening::Writable(false),
            opening,
            file: files::identity(path),
            notice: None,
            clock: Box::new(system_clock),
            last_seen: Seen::DataVersion(0),
        };
        store.last_seen = store.seen()?;
        Ok(store)
    }

    /// Opens the path again when the file there is no longer the one this
    /// store has open: another process moved a damaged file aside (and
    /// perhaps started a fresh one), or someone replaced or removed it.
    /// Without this, changes would go on into the moved file, reported as
    /// saved, where no one would ever see them. The notice says what
    /// happened; [`Store::take_notice`] hands it over.
    fn follow_path(&mut self) -> Result<bool, StoreError> {
        if files::identity(&self.path) == self.file {
            return Ok(false);
        }
        let (conn, read_only, warning) = match self.opening {
            Opening::ReadOnly => (schema::open_read_only(&self.path)?, true, None),
            Opening::Writable(_) => {
                let opened = schema::open(&self.path)?;
                (opened.conn, opened.read_only, opened.warning)
            }
        };
        self.conn = conn;
        self.read_only = read_only;
        if let Opening::Writable(_) = self.opening {
            self.opening = Opening::Writable(read_only);
        }
        self.file = files::identity(&self.path);
        self.last_seen = Seen::DataVersion(-1);
        let mut notice = format!(
            "reopened the state file {}: it had been replaced (moved aside by another communique?), and marks now come from the new one",
            self.path.display()
        );
        if let Some(warning) = warning {
            notice = format!("{notice}; {warning}");
        }
        self.notice = Some(notice);
        Ok(true)
    }

    /// What the person should be told about the file since the last call
    /// (it was replaced and reopened), if anything.
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// Stamps changes with `clock()` (unix seconds) instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + 'static) -> Store {
        self.clock = Box::new(clock);
        self
    }

    /// `$XDG_STATE_HOME/communique/triage.db`, else
    /// `~/.local/state/communique/triage.db` (relative to the working folder
    /// if there is no home either).
    #[must_use]
    pub fn default_path() -> PathBuf {
        default_path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
    }

    /// Who changes are attributed to: `$COMMUNIQUE_USER` (for staff sharing
    /// one login), else `$USER`, else `$LOGNAME`, else the name of the
    /// account the browser runs as (read state is personal, so two people
    /// without `$USER`, as under some cron jobs and tmux setups, must not be
    /// one "unknown"), else `uid N`; without
    /// characters the screen would not show (bidi overrides, zero-width
    /// characters, controls), so no name can pass for another.
    #[must_use]
    pub fn user() -> String {
        user_from(|name| std::env::var(name).ok(), account_name)
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the file could only be opened for reading.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Applies `change` to all its ids in one transaction, committed on
    /// return, and gives each id's marks before and after.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad tag; [`StoreError::ReadOnly`],
    /// [`StoreError::Full`], [`StoreError::Busy`]… when it cannot be saved, in
    /// which case nothing of it was saved.
    pub fn apply(&mut self, change: &Change) -> Result<Applied, StoreError> {
        let mut applied = self.apply_all(std::slice::from_ref(change))?;
        Ok(applied.pop().unwrap_or_default())
    }

    /// Applies several changes, in order, in one transaction: every one is
    /// checked first, and either all are saved or none is (`mark` with
    /// several options). Gives what each change did.
    ///
    /// # Errors
    /// As [`Store::apply`]; nothing is saved when any change is refused.
    pub fn apply_all(&mut self, changes: &[Change]) -> Result<Vec<Applied>, StoreError> {
        for change in changes {
            change.check()?;
        }
        if changes.iter().all(|change| change.plan().is_empty()) {
            return Ok(vec![Applied::default(); changes.len()]);
        }
        self.follow_path()?;
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        let stamp = Stamp {
            by: self.user.clone(),
            at: (self.clock)(),
        };
        let path = &self.path;
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let mut all = Vec::with_capacity(changes.len());
        for change in changes {
            all.push(engine::apply_in(&mut rows::Sqlite(&tx), change, &stamp).map_err(fail)?);
        }
        tx.commit().map_err(fail)?;
        Ok(all)
    }

    /// Every statement that has any mark.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn marks(&self) -> Result<HashMap<String, Marks>, StoreError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.fail(&e))?;
        rows::load_all(&tx, &self.user).map_err(|e| self.fail(&e))
    }

    /// The marks of each of `ids`, in the order given (default when unmarked).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn marks_for(&self, ids: &[String]) -> Result<Vec<(String, Marks)>, StoreError> {
        // One read transaction, so the answer is a single moment's state.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.fail(&e))?;
        ids.iter()
            .map(|id| Ok((id.clone(), rows::load(&tx, id, &self.user)?)))
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.fail(&e))
    }

    /// True when another connection (this process or another) has committed
    /// since the last call; this store's own changes do not count. Cheap
    /// enough to poll every second: `PRAGMA data_version`, or for a read-only
    /// store the sizes and times of the file and its `-wal`.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn changed_since_last_check(&mut self) -> Result<bool, StoreError> {
        let reopened = self.follow_path()?;
        let now = self.seen()?;
        let changed = now != self.last_seen;
        self.last_seen = now;
        Ok(changed || reopened)
    }

    /// Tags in use, alphabetically, with how many statements carry each.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn tags(&self) -> Result<Vec<(String, usize)>, StoreError> {
        rows::tag_counts(&self.conn).map_err(|e| self.fail(&e))
    }

    /// Saves `query` under `name`, replacing a search of that name.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a blank name or one with invisible
    /// characters; otherwise when it cannot be saved.
    pub fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "a saved search needs a name".to_owned(),
            ));
        }
        marks::check_shown_as_written("a saved search's name", name)?;
        let (by, at) = (self.user.clone(), (self.clock)());
        self.write(
            "INSERT OR REPLACE INTO saved_searches (name, query, by, at) VALUES (?1, ?2, ?3, ?4)",
            params![name, query, by, at],
        )
    }

    /// Saved searches as (name, query), by name.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn saved_searches(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.conn
            .prepare("SELECT name, query FROM saved_searches ORDER BY name")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.fail(&e))
    }

    /// Deletes the saved search `name`; false when there was none.
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn delete_search(&mut self, name: &str) -> Result<bool, StoreError> {
        self.follow_path()?;
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        self.conn
            .execute("DELETE FROM saved_searches WHERE name = ?1", [name.trim()])
            .map(|n| n > 0)
            .map_err(|e| self.fail(&e))
    }

    /// Records `query` as this user's newest; an earlier copy is dropped and
    /// only the last [`HISTORY_LIMIT`] are kept. Blank queries are ignored.
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn push_history(&mut self, query: &str) -> Result<(), StoreError> {
        if query.trim().is_empty() {
            return Ok(());
        }
        self.follow_path()?;
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        let at = (self.clock)();
        let path = &self.path;
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute(
            "DELETE FROM history WHERE by = ?1 AND query = ?2",
            params![self.user, query],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO history (by, query, at) VALUES (?1, ?2, ?3)",
            params![self.user, query, at],
        )
        .map_err(fail)?;
        tx.execute(
            "DELETE FROM history WHERE by = ?1 AND seq NOT IN \
             (SELECT seq FROM history WHERE by = ?1 ORDER BY seq DESC LIMIT ?2)",
            params![self.user, HISTORY_LIMIT],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// This user's query history, oldest first.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn history(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare("SELECT query FROM history WHERE by = ?1 ORDER BY seq")
            .and_then(|mut stmt| stmt.query_map([&self.user], |row| row.get(0))?.collect())
            .map_err(|e| self.fail(&e))
    }

    fn write(&mut self, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
        self.follow_path()?;
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        self.conn
            .execute(sql, params)
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    fn seen(&self) -> Result<Seen, StoreError> {
        if self.read_only {
            let stat = |path: &Path| {
                std::fs::metadata(path)
                    .and_then(|meta| Ok((meta.len(), meta.modified()?)))
                    .ok()
            };
            let mut wal = self.path.as_os_str().to_owned();
            wal.push("-wal");
            return Ok(Seen::Files([stat(&self.path), stat(Path::new(&wal))]));
        }
        self.conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map(Seen::DataVersion)
            .map_err(|e| self.fail(&e))
    }

    fn fail(&self, error: &rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, error)
    }
}

fn system_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn default_path_from(state_home: Option<OsString>, home: Option<OsString>) -> PathBuf {
    // The XDG spec says to ignore a relative $XDG_STATE_HOME.
    let base = state_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            home.filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("state"))
        })
        .unwrap_or_default();
    base.join("communique").join("triage.db")
}

fn user_from(var: impl Fn(&str) -> Option<String>, account: impl Fn() -> String) -> String {
    ["COMMUNIQUE_USER", "USER", "LOGNAME"]
        .iter()
        .filter_map(|name| var(name))
        .map(|value| marks::clean_name(&value))
        .find(|value| !value.is_empty())
        .unwrap_or_else(|| marks::clean_name(&account()))
}

/// The login name of the real user id from the password database, else
/// `uid N` (a container without an entry for its user).
fn account_name() -> String {
    let uid = nix::unistd::getuid();
    nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map_or_else(|| format!("uid {uid}"), |user| user.name)
}

#[cfg(test)]
mod tests;
