//! The PostgreSQL schema: created on first use and migrated step by step
//! under an advisory lock, so browsers and cron jobs opening a new database
//! at the same moment take turns. Its version is kept in
//! `communique_schema`; a database from a newer communique is left alone.

use postgres::Client;

use super::super::StoreError;

/// Taken (per transaction) by every writer and by schema changes: writers
/// take turns, as SQLite's write lock makes them, so a read-modify-write of
/// one statement's marks never loses another's. "Comq".
pub(super) const WRITE_LOCK: i64 = 0x436f_6d71;

/// The channel every committed change is announced on.
pub(super) const CHANNEL: &str = "communique_changes";

/// Schema steps: the first as SQLite's (`store::schema`) reached at
/// version 2, then the journal's keys (version 2). Append
/// a step to change the schema; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE marks (
        id TEXT PRIMARY KEY,
        flagged_by TEXT, flagged_at BIGINT,
        status TEXT NOT NULL DEFAULT 'new', status_by TEXT, status_at BIGINT,
        note TEXT, note_by TEXT, note_at BIGINT
    );
    CREATE TABLE tags (
        id TEXT NOT NULL, tag TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (id, tag)
    );
    CREATE INDEX tags_by_tag ON tags (tag);
    CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY, query TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL
    );
    CREATE TABLE history (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        by TEXT NOT NULL, query TEXT NOT NULL, at BIGINT NOT NULL,
        UNIQUE (by, query)
    );
    CREATE TABLE reads (
        id TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (id, by)
    );
    CREATE TABLE note_versions (
        id TEXT NOT NULL, version INTEGER NOT NULL,
        note TEXT, by TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE note_drafts (
        id TEXT NOT NULL, by TEXT NOT NULL, text TEXT NOT NULL, at BIGINT NOT NULL,
        base_note TEXT, base_by TEXT, base_at BIGINT,
        PRIMARY KEY (id, by)
    );",
    // Changes a browser kept in its journal while the database was away,
    // by the key it gave each: a change replayed twice (the browser
    // crashed between the commit and crossing it off) is applied once.
    "CREATE TABLE communique_applied (
        key TEXT PRIMARY KEY, by TEXT NOT NULL, at BIGINT NOT NULL
    );",
];

/// The schema version this build writes and reads.
pub(super) const VERSION: i32 = 2;

/// The version the database is at (0 when it has no communique tables).
pub(super) fn version(db: &mut Client) -> Result<i32, postgres::Error> {
    let exists: bool = db
        .query_one("SELECT to_regclass('communique_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(db
        .query_opt("SELECT version FROM communique_schema", &[])?
        .map_or(0, |row| row.get(0)))
}

/// Brings the database to [`VERSION`], creating the tables in a new one.
/// `place` names it in errors.
pub(super) fn migrate(db: &mut Client, place: &str) -> Result<(), StoreError> {
    let fail = |e: postgres::Error| super::error(place, &e);
    let found = version(db).map_err(fail)?;
    if found == VERSION {
        return Ok(());
    }
    newer(found, place)?;
    let mut tx = db.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(fail)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS communique_schema (version INTEGER NOT NULL)")
        .map_err(fail)?;
    // Again under the lock: another process may have just done it.
    let from: i32 = tx
        .query_opt("SELECT version FROM communique_schema", &[])
        .map_err(fail)?
        .map_or(0, |row| row.get(0));
    newer(from, place)?;
    for step in MIGRATIONS
        .iter()
        .skip(usize::try_from(from).unwrap_or(usize::MAX))
    {
        tx.batch_execute(step).map_err(fail)?;
    }
    if from < VERSION {
        tx.execute("DELETE FROM communique_schema", &[])
            .map_err(fail)?;
        tx.execute(
            "INSERT INTO communique_schema (version) VALUES ($1)",
            &[&VERSION],
        )
        .map_err(fail)?;
    }
    tx.commit().map_err(fail)
}

/// Refuses a database that a newer communique has migrated.
pub(super) fn newer(found: i32, place: &str) -> Result<(), StoreError> {
    if found > VERSION {
        return Err(StoreError::Newer {
            path: place.into(),
            found: i64::from(found),
            supported: i64::from(VERSION),
        });
    }
    Ok(())
}
