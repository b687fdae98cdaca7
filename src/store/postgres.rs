//! Triage state in a PostgreSQL database, for teams on several hosts: the
//! same tables, rules and answers as the SQLite file ([`super::Store`]),
//! behind the same [`super::TriageStore`] interface.
//!
//! Writers take turns on one advisory lock per transaction (as SQLite's
//! write lock makes them), so no read-modify-write of a statement's marks
//! loses another's; every committed change is announced with `NOTIFY` on
//! `communique_changes`, which [`PgStore::changed_since_last_check`] reads
//! without querying a table. The address is libpq's URL form
//! (`postgres://user@host/db`, `?host=/run/postgresql` for a Unix socket);
//! `sslmode` may be `disable`, `prefer`, `require` (encrypted, not
//! verified, as libpq), `verify-ca` or `verify-full` (the server's
//! certificate checked against `sslrootcert`, `$PGSSLROOTCERT`,
//! `~/.postgresql/root.crt` or the system's authorities; `verify-full`
//! also checks the host name). The password comes from `$PGPASSWORD`, else
//! the password file (`~/.pgpass`), when the address has none.

mod connect;
mod pgpass;
mod rows;
mod schema;

use std::collections::HashMap;
use std::fmt;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator as _;

use super::engine::{self, Rows as _};
use super::marks::{self, Change, Stamp};
use super::notes::{Draft, NoteSaved, OpenedNote};
use super::transfer::{Snapshot, TABLES, Value, delete_sql, insert_sql, is_int, key_positions};
use super::{Applied, HISTORY_LIMIT, StoreError};

pub use connect::{login_name, redact};

/// How long a check for others' changes waits for the socket.
const NOTIFY_WAIT: std::time::Duration = std::time::Duration::from_millis(2);

/// How long asking whether the connection still works may take.
const ALIVE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// An open connection to a PostgreSQL triage database.
pub struct PgStore {
    db: Client,
    place: String,
    user: String,
    read_only: bool,
    /// This connection's server process: its own `NOTIFY`s are not news.
    backend: i32,
    clock: Box<dyn Fn() -> i64 + Send>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("place", &self.place)
            .field("user", &self.user)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url`, creating or migrating its tables.
    /// Changes are attributed to the database role it logs in as
    /// (`current_user`), which the server authenticated: not to `$USER` or
    /// `$COMMUNIQUE_USER`, which anyone can set.
    ///
    /// # Errors
    /// [`StoreError::CannotOpen`] when the server cannot be reached or
    /// refuses the login; [`StoreError::Newer`] for a newer schema.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let (mut db, place) = connect::connect(url)?;
        schema::migrate(&mut db, &place)?;
        // A role granted only SELECT (a restricted reader) is a read-only
        // store from the start, not one that fails at its first change.
        let may_write: bool = db
            .query_one("SELECT has_table_privilege('marks', 'INSERT')", &[])
            .map_err(|e| error(&place, &e))?
            .get(0);
        PgStore::ready(db, place, !may_write)
    }

    /// Connects for reading only: nothing is created, every transaction is
    /// read-only, and every change fails with [`StoreError::ReadOnly`].
    ///
    /// # Errors
    /// As [`PgStore::open`]; also when the database has no communique tables.
    pub fn open_read_only(url: &str) -> Result<PgStore, StoreError> {
        let (mut db, place) = connect::connect(url)?;
        let found = schema::version(&mut db).map_err(|e| error(&place, &e))?;
        schema::newer(found, &place)?;
        if found < schema::VERSION {
            return Err(StoreError::CannotOpen {
                path: place.into(),
                reason: "it holds no communique state yet (open it once for writing)".to_owned(),
            });
        }
        db.batch_execute("SET default_transaction_read_only = on")
            .map_err(|e| error(&place, &e))?;
        PgStore::ready(db, place, true)
    }

    fn ready(mut db: Client, place: String, read_only: bool) -> Result<PgStore, StoreError> {
        let fail = |e: postgres::Error| error(&place, &e);
        db.batch_execute(&format!("LISTEN {}", schema::CHANNEL))
            .map_err(fail)?;
        let me = db
            .query_one("SELECT pg_backend_pid(), current_user::text", &[])
            .map_err(fail)?;
        let backend: i32 = me.get(0);
        let user: String = me.get(1);
        Ok(PgStore {
            db,
            user: Some(marks::clean_name(&user))
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "unknown".to_owned()),
            place,
            read_only,
            backend,
            clock: Box::new(super::system_clock),
        })
    }

    /// Stamps changes with `clock()` (unix seconds) instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + 'static) -> PgStore {
        self.clock = Box::new(clock);
        self
    }

    fn fail(&self) -> impl Fn(postgres::Error) -> StoreError + '_ {
        |e| error(&self.place, &e)
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            by: self.user.clone(),
            at: (self.clock)(),
        }
    }

    /// Runs `work` in one write transaction: refused on a read-only
    /// store, under the writers' lock, announced to every listener on
    /// commit. `work` returning `Ok(None)` rolls back (a note conflict).
    fn write<T>(
        &mut self,
        work: impl FnOnce(&mut postgres::Transaction<'_>, &Stamp) -> Result<Option<T>, postgres::Error>,
    ) -> Result<Option<T>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.place.clone().into()));
        }
        let stamp = self.stamp();
        let place = self.place.clone();
        let fail = |e: postgres::Error| error(&place, &e);
        let mut tx = self.db.transaction().map_err(fail)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::WRITE_LOCK])
            .map_err(fail)?;
        let Some(done) = work(&mut tx, &stamp).map_err(fail)? else {
            tx.rollback().map_err(fail)?;
            return Ok(None);
        };
        tx.batch_execute(&format!("NOTIFY {}", schema::CHANNEL))
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(Some(done))
    }

    /// As [`super::Store::apply_all`].
    ///
    /// # Errors
    /// As [`super::Store::apply_all`].
    pub fn apply_all(&mut self, changes: &[Change]) -> Result<Vec<Applied>, StoreError> {
        for change in changes {
            change.check()?;
        }
        if changes.iter().all(|change| change.plan().is_empty()) {
            return Ok(vec![Applied::default(); changes.len()]);
        }
        let done = self.write(|tx, stamp| {
            let mut rows = rows::Pg(tx);
            changes
                .iter()
                .map(|change| engine::apply_in(&mut rows, change, stamp))
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        })?;
        Ok(done.unwrap_or_default())
    }

    /// As [`super::Store::save_note`].
    ///
    /// # Errors
    /// As [`super::Store::save_note`].
    pub fn save_note(
        &mut self,
        ids: &[String],
        text: Option<&str>,
        opened: &[OpenedNote],
    ) -> Result<NoteSaved, StoreError> {
        let change = Change::Note {
            ids: ids.to_vec(),
            note: text.map(str::to_owned),
        };
        let mut conflict = Vec::new();
        let saved = self.write(
            |tx, stamp| match note_in(tx, stamp, ids, &change, opened)? {
                Ok(applied) => Ok(Some(applied)),
                Err(changed) => {
                    conflict = changed;
                    Ok(None)
                }
            },
        )?;
        Ok(match saved {
            Some(applied) => NoteSaved::Saved(applied),
            None => NoteSaved::Conflict(conflict),
        })
    }

    /// Applies `changes` in one transaction unless a change with `key` was
    /// applied before (then `None`, and nothing is done): the journal's
    /// replay, which may repeat a change whose commit it did not see.
    ///
    /// # Errors
    /// As [`super::Store::apply_all`].
    pub fn apply_all_once(
        &mut self,
        key: &str,
        changes: &[Change],
    ) -> Result<Option<Vec<Applied>>, StoreError> {
        for change in changes {
            change.check()?;
        }
        self.write(|tx, stamp| {
            if !claim(tx, key, stamp)? {
                return Ok(None);
            }
            let mut rows = rows::Pg(tx);
            changes
                .iter()
                .map(|change| engine::apply_in(&mut rows, change, stamp))
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        })
    }

    /// As [`PgStore::save_note`], once for `key`: `None` when a change with
    /// that key was applied before.
    ///
    /// # Errors
    /// As [`super::Store::save_note`].
    pub fn save_note_once(
        &mut self,
        key: &str,
        ids: &[String],
        text: Option<&str>,
        opened: &[OpenedNote],
    ) -> Result<Option<NoteSaved>, StoreError> {
        let change = Change::Note {
            ids: ids.to_vec(),
            note: text.map(str::to_owned),
        };
        change.check()?;
        let mut conflict = Vec::new();
        let mut repeated = false;
        let saved = self.write(|tx, stamp| {
            if !claim(tx, key, stamp)? {
                repeated = true;
                return Ok(None);
            }
            match note_in(tx, stamp, ids, &change, opened)? {
                Ok(applied) => Ok(Some(applied)),
                Err(changed) => {
                    conflict = changed;
                    Ok(None)
                }
            }
        })?;
        Ok(match saved {
            _ if repeated => None,
            Some(applied) => Some(NoteSaved::Saved(applied)),
            None => Some(NoteSaved::Conflict(conflict)),
        })
    }

    /// True when the connection is gone (the server stopped or the network
    /// dropped): what failed should be tried again on a new connection,
    /// not given up. Asks the server, waiting at most two seconds.
    pub fn connection_lost(&mut self) -> bool {
        self.db.is_closed() || self.db.is_valid(ALIVE_WAIT).is_err()
    }

    /// The database role changes are attributed to.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.user
    }

    /// As [`super::Store::marks`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn marks(&mut self) -> Result<HashMap<String, marks::Marks>, StoreError> {
        let place = self.place.clone();
        let fail = |e: postgres::Error| error(&place, &e);
        // One snapshot for every table.
        let mut tx = self
            .db
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let all = rows::load_all(&mut tx, &self.user).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(all)
    }

    /// As [`super::Store::marks_for`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn marks_for(&mut self, ids: &[String]) -> Result<Vec<(String, marks::Marks)>, StoreError> {
        let place = self.place.clone();
        let fail = |e: postgres::Error| error(&place, &e);
        let mut tx = self
            .db
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let mut rows = rows::Pg(&mut tx);
        let all = ids
            .iter()
            .map(|id| Ok((id.clone(), rows.load(id, &self.user)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(all)
    }

    /// True when another connection has committed a change since the last
    /// call: a `NOTIFY` from another server process is waiting. Reads what
    /// the server has sent, waiting at most a few milliseconds.
    ///
    /// # Errors
    /// When the connection is gone.
    pub fn changed_since_last_check(&mut self) -> Result<bool, StoreError> {
        let place = self.place.clone();
        let backend = self.backend;
        let mut changed = false;
        {
            let mut notifications = self.db.notifications();
            // A short wait, not none: the client's reactor only reads the
            // socket while it waits, so `iter()` would never see a NOTIFY
            // that arrived between calls.
            let mut pending = notifications.timeout_iter(NOTIFY_WAIT);
            while let Some(notification) = pending.next().map_err(|e| error(&place, &e))? {
                changed |= notification.process_id() != backend;
            }
        }
        if self.db.is_closed() {
            return Err(StoreError::CannotOpen {
                path: place.into(),
                reason: "the connection to the database was lost".to_owned(),
            });
        }
        Ok(changed)
    }

    /// As [`super::Store::tags`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn tags(&mut self) -> Result<Vec<(String, usize)>, StoreError> {
        let place = self.place.clone();
        rows::tag_counts(&mut self.db).map_err(|e| error(&place, &e))
    }

    /// As [`super::Store::save_search`].
    ///
    /// # Errors
    /// As [`super::Store::save_search`].
    pub fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "a saved search needs a name".to_owned(),
            ));
        }
        marks::check_shown_as_written("a saved search's name", name)?;
        self.write(|tx, stamp| {
            tx.execute(
                "INSERT INTO saved_searches (name, query, by, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (team, name) DO UPDATE SET query = EXCLUDED.query, \
                 by = EXCLUDED.by, at = EXCLUDED.at",
                &[&name, &query, &stamp.by, &stamp.at],
            )
            .map(|_| Some(()))
        })
        .map(drop)
    }

    /// As [`super::Store::saved_searches`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn saved_searches(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT name, query FROM saved_searches ORDER BY name COLLATE \"C\"",
                &[],
            )
            .map_err(self.fail())?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// As [`super::Store::delete_search`].
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn delete_search(&mut self, name: &str) -> Result<bool, StoreError> {
        let name = name.trim();
        let deleted = self.write(|tx, _| {
            tx.execute("DELETE FROM saved_searches WHERE name = $1", &[&name])
                .map(|n| Some(n > 0))
        })?;
        Ok(deleted.unwrap_or(false))
    }

    /// As [`super::Store::push_history`].
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn push_history(&mut self, query: &str) -> Result<(), StoreError> {
        if query.trim().is_empty() {
            return Ok(());
        }
        let limit = i64::try_from(HISTORY_LIMIT).unwrap_or(i64::MAX);
        self.write(|tx, stamp| {
            tx.execute(
                "DELETE FROM history WHERE by = $1 AND query = $2",
                &[&stamp.by, &query],
            )?;
            tx.execute(
                "INSERT INTO history (by, query, at) VALUES ($1, $2, $3)",
                &[&stamp.by, &query, &stamp.at],
            )?;
            tx.execute(
                "DELETE FROM history WHERE by = $1 AND seq NOT IN \
                 (SELECT seq FROM history WHERE by = $1 ORDER BY seq DESC LIMIT $2)",
                &[&stamp.by, &limit],
            )?;
            Ok(Some(()))
        })
        .map(drop)
    }

    /// As [`super::Store::history`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn history(&mut self) -> Result<Vec<String>, StoreError> {
        let user = self.user.clone();
        let rows = self
            .db
            .query(
                "SELECT query FROM history WHERE by = $1 ORDER BY seq",
                &[&user],
            )
            .map_err(self.fail())?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// As [`super::Store::save_draft`].
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn save_draft(
        &mut self,
        ids: &[String],
        text: &str,
        opened: &[OpenedNote],
    ) -> Result<(), StoreError> {
        self.write(|tx, stamp| {
            for (id, opened) in ids
                .iter()
                .zip(opened.iter().chain(std::iter::repeat(&None)))
            {
                let (note, note_by, note_at) = match opened {
                    Some((note, base)) => {
                        (Some(note.as_str()), Some(base.by.as_str()), Some(base.at))
                    }
                    None => (None, None, None),
                };
                tx.execute(
                    "INSERT INTO note_drafts (id, by, text, at, base_note, base_by, base_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (team, id, by) DO UPDATE SET text = EXCLUDED.text, at = EXCLUDED.at, \
                     base_note = EXCLUDED.base_note, base_by = EXCLUDED.base_by, \
                     base_at = EXCLUDED.base_at",
                    &[id, &stamp.by, &text, &stamp.at, &note, &note_by, &note_at],
                )?;
            }
            Ok(Some(()))
        })
        .map(drop)
    }

    /// As [`super::Store::drop_drafts`].
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn drop_drafts(&mut self, ids: &[String]) -> Result<(), StoreError> {
        self.write(|tx, stamp| {
            for id in ids {
                tx.execute(
                    "DELETE FROM note_drafts WHERE id = $1 AND by = $2",
                    &[id, &stamp.by],
                )?;
            }
            Ok(Some(()))
        })
        .map(drop)
    }

    /// As [`super::Store::drafts`].
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn drafts(&mut self) -> Result<HashMap<String, Draft>, StoreError> {
        let user = self.user.clone();
        let rows = self
            .db
            .query(
                "SELECT id, text, at, base_note, base_by, base_at FROM note_drafts WHERE by = $1",
                &[&user],
            )
            .map_err(self.fail())?;
        Ok(rows
            .iter()
            .map(|row| {
                let note: Option<String> = row.get(3);
                let by: Option<String> = row.get(4);
                let at: Option<i64> = row.get(5);
                let opened = note
                    .zip(by.zip(at))
                    .map(|(note, (by, at))| (note, Stamp { by, at }));
                (
                    row.get(0),
                    Draft {
                        text: row.get(1),
                        at: row.get(2),
                        opened,
                    },
                )
            })
            .collect())
    }

    /// Every row of every table, read at one moment.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn export(&mut self) -> Result<Snapshot, StoreError> {
        let place = self.place.clone();
        let fail = |e: postgres::Error| error(&place, &e);
        let mut tx = self
            .db
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let mut snapshot = Snapshot::default();
        for table in TABLES {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    if is_int(c) {
                        format!("{c}::bigint")
                    } else {
                        (*c).to_owned()
                    }
                })
                .collect();
            let rows = tx
                .query(
                    &format!(
                        "SELECT {} FROM {} ORDER BY {}",
                        columns.join(", "),
                        table.name,
                        table.order
                    ),
                    &[],
                )
                .map_err(fail)?;
            snapshot.tables.push(
                rows.iter()
                    .map(|row| {
                        table
                            .columns
                            .iter()
                            .enumerate()
                            .map(|(at, column)| {
                                if is_int(column) {
                                    row.get::<_, Option<i64>>(at)
                                        .map_or(Value::Null, Value::Int)
                                } else {
                                    row.get::<_, Option<String>>(at)
                                        .map_or(Value::Null, Value::Text)
                                }
                            })
                            .collect()
                    })
                    .collect(),
            );
        }
        tx.commit().map_err(fail)?;
        Ok(snapshot)
    }

    /// Writes every row of `snapshot`, replacing rows with the same key,
    /// in one transaction, announced to every browser.
    ///
    /// # Errors
    /// When it cannot be saved; then nothing was.
    pub fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.write(|tx, _| {
            for (table, rows) in TABLES.iter().zip(&snapshot.tables) {
                let cast = |column: &str| if is_int(column) { "bigint" } else { "text" };
                let delete = tx.prepare(&delete_sql(table, |at| {
                    format!("${}::{}", at + 1, cast(table.key[at]))
                }))?;
                let insert = tx.prepare(&insert_sql(table, |at| {
                    format!("${}::{}", at + 1, cast(table.columns[at]))
                }))?;
                let keys = key_positions(table);
                for row in rows {
                    let values: Vec<Box<dyn postgres::types::ToSql + Sync>> = row
                        .iter()
                        .zip(table.columns)
                        .map(
                            |(value, column)| -> Box<dyn postgres::types::ToSql + Sync> {
                                match value {
                                    Value::Int(n) => Box::new(Some(*n)),
                                    Value::Text(text) => Box::new(Some(text.clone())),
                                    Value::Null if is_int(column) => Box::new(None::<i64>),
                                    Value::Null => Box::new(None::<String>),
                                }
                            },
                        )
                        .collect();
                    let all: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        values.iter().map(AsRef::as_ref).collect();
                    let key: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        keys.iter().filter_map(|&at| all.get(at).copied()).collect();
                    tx.execute(&delete, &key)?;
                    tx.execute(&insert, &all)?;
                }
            }
            Ok(Some(()))
        })
        .map(drop)
    }

    /// The server's version and the schema's, for `communique state check`.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn health(&mut self) -> Result<String, StoreError> {
        let place = self.place.clone();
        let fail = |e: postgres::Error| error(&place, &e);
        let server: String = self
            .db
            .query_one("SHOW server_version", &[])
            .map_err(fail)?
            .get(0);
        let version = schema::version(&mut self.db).map_err(fail)?;
        Ok(format!("PostgreSQL {server}, communique schema {version}"))
    }

    /// Where the database is, without any password.
    #[must_use]
    pub fn place(&self) -> &str {
        &self.place
    }

    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

/// True when `error` says the server could not be reached (stopped,
/// starting, the network down), not that it refused: worth trying again.
#[must_use]
pub fn is_unreachable(error: &StoreError) -> bool {
    matches!(error, StoreError::CannotOpen { reason, .. }
        if reason.starts_with(connect::UNREACHABLE)
            || reason.starts_with("the database cannot be reached"))
}

/// Saves a note in `tx` (and drops its writer's drafts of it) unless
/// someone changed it since it was opened: then the notes as they are now,
/// and nothing written.
fn note_in(
    tx: &mut postgres::Transaction<'_>,
    stamp: &Stamp,
    ids: &[String],
    change: &Change,
    opened: &[OpenedNote],
) -> Result<Result<Applied, Vec<(String, OpenedNote)>>, postgres::Error> {
    let mut rows = rows::Pg(tx);
    let conflict = engine::changed_notes(&mut rows, ids, opened, &stamp.by)?;
    if !conflict.is_empty() {
        return Ok(Err(conflict));
    }
    let applied = engine::apply_in(&mut rows, change, stamp)?;
    for id in ids {
        rows.0.execute(
            "DELETE FROM note_drafts WHERE id = $1 AND by = $2",
            &[id, &stamp.by],
        )?;
    }
    Ok(Ok(applied))
}

/// Records `key` as applied; false when it already was.
fn claim(
    tx: &mut postgres::Transaction<'_>,
    key: &str,
    stamp: &Stamp,
) -> Result<bool, postgres::Error> {
    let added = tx.execute(
        "INSERT INTO communique_applied (key, by, at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO NOTHING",
        &[&key, &stamp.by, &stamp.at],
    )?;
    Ok(added == 1)
}

/// Sorts a PostgreSQL failure into the cases callers branch on.
fn error(place: &str, error: &postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let path = std::path::PathBuf::from(place);
    match error.code() {
        Some(code)
            if *code == SqlState::READ_ONLY_SQL_TRANSACTION
                || *code == SqlState::INSUFFICIENT_PRIVILEGE =>
        {
            StoreError::ReadOnly(path)
        }
        Some(code) if *code == SqlState::DISK_FULL => StoreError::Full(path),
        Some(code)
            if *code == SqlState::LOCK_NOT_AVAILABLE
                || *code == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            StoreError::Busy(path)
        }
        _ if error.is_closed() || error.code().is_none() => StoreError::CannotOpen {
            path,
            reason: format!("the database cannot be reached ({error})"),
        },
        _ => StoreError::Other {
            path,
            detail: error
                .as_db_error()
                .map_or_else(|| error.to_string(), |db| db.message().to_owned()),
        },
    }
}
