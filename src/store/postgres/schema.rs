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
/// version 2, then the journal's keys (version 2), then teams (3). Append
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
    // Several teams in one database, each seeing only its own rows: a
    // row's team is the registered team role its writer belongs to (so the
    // database, not a flag, decides), and row-level security (forced, so
    // the tables' owner is held to it too) shows each role its team's rows.
    // Rows from before, and every row while no team is registered, belong
    // to the team '' that a role in no registered team sees.
    "CREATE TABLE communique_teams (role TEXT PRIMARY KEY);
    CREATE FUNCTION communique_team() RETURNS TEXT LANGUAGE sql STABLE AS $f$
        SELECT COALESCE((
            SELECT t.role FROM communique_teams t JOIN pg_roles r ON r.rolname = t.role
            WHERE pg_has_role(current_user, r.oid, 'MEMBER') ORDER BY t.role LIMIT 1
        ), '')
    $f$;
    ALTER TABLE marks ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE marks ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE marks DROP CONSTRAINT marks_pkey, ADD PRIMARY KEY (team, id);
    ALTER TABLE marks ENABLE ROW LEVEL SECURITY;
    ALTER TABLE marks FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON marks
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE reads ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE reads ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE reads DROP CONSTRAINT reads_pkey, ADD PRIMARY KEY (team, id, by);
    ALTER TABLE reads ENABLE ROW LEVEL SECURITY;
    ALTER TABLE reads FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON reads
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE tags ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE tags ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE tags DROP CONSTRAINT tags_pkey, ADD PRIMARY KEY (team, id, tag);
    ALTER TABLE tags ENABLE ROW LEVEL SECURITY;
    ALTER TABLE tags FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON tags
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE note_versions ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE note_versions ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE note_versions DROP CONSTRAINT note_versions_pkey, ADD PRIMARY KEY (team, id, version);
    ALTER TABLE note_versions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE note_versions FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON note_versions
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE note_drafts ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE note_drafts ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE note_drafts DROP CONSTRAINT note_drafts_pkey, ADD PRIMARY KEY (team, id, by);
    ALTER TABLE note_drafts ENABLE ROW LEVEL SECURITY;
    ALTER TABLE note_drafts FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON note_drafts
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE saved_searches ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE saved_searches ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE saved_searches DROP CONSTRAINT saved_searches_pkey, ADD PRIMARY KEY (team, name);
    ALTER TABLE saved_searches ENABLE ROW LEVEL SECURITY;
    ALTER TABLE saved_searches FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON saved_searches
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE history ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE history ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE history DROP CONSTRAINT history_by_query_key, ADD UNIQUE (team, by, query);
    ALTER TABLE history ENABLE ROW LEVEL SECURITY;
    ALTER TABLE history FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON history
        USING (team = communique_team()) WITH CHECK (team = communique_team());
    ALTER TABLE communique_applied ADD COLUMN team TEXT NOT NULL DEFAULT '';
    ALTER TABLE communique_applied ALTER COLUMN team SET DEFAULT communique_team();
    ALTER TABLE communique_applied ENABLE ROW LEVEL SECURITY;
    ALTER TABLE communique_applied FORCE ROW LEVEL SECURITY;
    CREATE POLICY team_rows ON communique_applied
        USING (team = communique_team()) WITH CHECK (team = communique_team());",
];

/// The schema version this build writes and reads.
pub(super) const VERSION: i32 = 3;

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
