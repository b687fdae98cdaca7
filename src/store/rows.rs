//! Reading and writing marks as table rows. A statement whose marks are all
//! default has no rows at all, so the tables hold only what someone did.

use std::collections::HashMap;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::{Marks, NoteVersion, Stamp, Status};

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

const MARK_COLUMNS: &str =
    "flagged_by, flagged_at, status, status_by, status_at, note, note_by, note_at";

/// The SQLite rows of an open transaction, for the shared rules in `engine`.
pub(super) struct Sqlite<'a>(pub &'a Connection);

impl super::engine::Rows for Sqlite<'_> {
    type Error = rusqlite::Error;

    fn load(&mut self, id: &str, user: &str) -> rusqlite::Result<Marks> {
        load(self.0, id, user)
    }

    fn save(
        &mut self,
        id: &str,
        stamp: &Stamp,
        before: &Marks,
        after: &Marks,
    ) -> rusqlite::Result<()> {
        save(self.0, id, stamp, before, after)
    }
}

/// The marks of one statement as `user` sees them, default when it has no rows.
pub(super) fn load(conn: &Connection, id: &str, user: &str) -> rusqlite::Result<Marks> {
    let mut marks = conn
        .prepare_cached(&format!("SELECT {MARK_COLUMNS} FROM marks WHERE id = ?1"))?
        .query_row([id], |row| mark_row(row, 0))
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare_cached("SELECT tag, by, at FROM tags WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        marks.tags.insert(row.get(0)?, stamp_at(row, 1)?);
    }
    let mut stmt = conn.prepare_cached("SELECT by, at FROM reads WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        add_read(&mut marks, user, stamp_at(row, 0)?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT note, by, at FROM note_versions WHERE id = ?1 ORDER BY version DESC",
    )?;
    let versions = stmt
        .query_map([id], |row| version_at(row, 0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    set_history(&mut marks, versions);
    Ok(marks)
}

/// Every statement with any mark, as `user` sees them.
pub(super) fn load_all(conn: &Connection, user: &str) -> rusqlite::Result<HashMap<String, Marks>> {
    let mut all = HashMap::new();
    let mut stmt = conn.prepare(&format!("SELECT id, {MARK_COLUMNS} FROM marks"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        all.insert(row.get(0)?, mark_row(row, 1)?);
    }
    let mut stmt = conn.prepare("SELECT id, tag, by, at FROM tags")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        all.entry(row.get(0)?)
            .or_insert_with(Marks::default)
            .tags
            .insert(row.get(1)?, stamp_at(row, 2)?);
    }
    let mut stmt = conn.prepare("SELECT id, by, at FROM reads")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let marks = all.entry(row.get(0)?).or_insert_with(Marks::default);
        add_read(marks, user, stamp_at(row, 1)?);
    }
    let mut stmt =
        conn.prepare("SELECT id, note, by, at FROM note_versions ORDER BY id, version DESC")?;
    let mut rows = stmt.query([])?;
    let mut versions: HashMap<String, Vec<NoteVersion>> = HashMap::new();
    while let Some(row) = rows.next()? {
        versions
            .entry(row.get(0)?)
            .or_default()
            .push(version_at(row, 1)?);
    }
    for (id, versions) in versions {
        set_history(all.entry(id).or_insert_with(Marks::default), versions);
    }
    Ok(all)
}

/// Writes `after` over `before` for one statement, touching only what
/// differs; `change` is who makes the change and when (the read mark is
/// theirs; a note they remove is recorded as removed by them). A changed
/// note is added to the note's versions.
pub(super) fn save(
    conn: &Connection,
    id: &str,
    change: &Stamp,
    before: &Marks,
    after: &Marks,
) -> rusqlite::Result<()> {
    let row_of = |m: &Marks| Marks {
        flagged: m.flagged.clone(),
        status: m.status,
        status_set: m.status_set.clone(),
        note: m.note.clone(),
        ..Marks::default()
    };
    let row = row_of(after);
    if row != row_of(before) {
        if row.is_default() {
            conn.prepare_cached("DELETE FROM marks WHERE id = ?1")?
                .execute([id])?;
        } else {
            let (flagged_by, flagged_at) = split(row.flagged.as_ref());
            let (status_by, status_at) = split(row.status_set.as_ref());
            let (note, (note_by, note_at)) = match &row.note {
                Some((text, stamp)) => (Some(text.as_str()), split(Some(stamp))),
                None => (None, (None, None)),
            };
            conn.prepare_cached(&format!(
                "INSERT OR REPLACE INTO marks (id, {MARK_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))?
            .execute(params![
                id, flagged_by, flagged_at, row.status, status_by, status_at, note, note_by,
                note_at
            ])?;
        }
    }
    if after.note != before.note {
        add_note_version(conn, id, after, change)?;
    }
    if after.read != before.read {
        match &after.read {
            Some(stamp) => conn
                .prepare_cached("INSERT OR REPLACE INTO reads (id, by, at) VALUES (?1, ?2, ?3)")?
                .execute(params![id, change.by, stamp.at])?,
            None => conn
                .prepare_cached("DELETE FROM reads WHERE id = ?1 AND by = ?2")?
                .execute(params![id, change.by])?,
        };
    }
    if after.tags != before.tags {
        conn.prepare_cached("DELETE FROM tags WHERE id = ?1")?
            .execute([id])?;
        let mut insert =
            conn.prepare_cached("INSERT INTO tags (id, tag, by, at) VALUES (?1, ?2, ?3, ?4)")?;
        for (tag, stamp) in &after.tags {
            insert.execute(params![id, tag, stamp.by, stamp.at])?;
        }
    }
    Ok(())
}

/// Appends the note as `after` has it (its text, or its removal by
/// `change`) to the statement's versions.
fn add_note_version(
    conn: &Connection,
    id: &str,
    after: &Marks,
    change: &Stamp,
) -> rusqlite::Result<()> {
    let (text, stamp) = match &after.note {
        Some((text, stamp)) => (Some(text.as_str()), stamp),
        None => (None, change),
    };
    conn.prepare_cached(
        "INSERT INTO note_versions (id, version, note, by, at) \
         VALUES (?1, (SELECT COALESCE(MAX(version), 0) + 1 FROM note_versions WHERE id = ?1), ?2, ?3, ?4)",
    )?
    .execute(params![id, text, stamp.by, stamp.at])?;
    Ok(())
}

/// Tags in use, alphabetically, each with how many statements carry it.
pub(super) fn tag_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, usize)>> {
    let mut stmt = conn.prepare("SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag")?;
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

/// Reads the eight mark columns starting at `first`.
fn mark_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Marks> {
    let stamp = |by: usize| -> rusqlite::Result<Option<Stamp>> {
        let by_name: Option<String> = row.get(first + by)?;
        let at: Option<i64> = row.get(first + by + 1)?;
        Ok(by_name.zip(at).map(|(by, at)| Stamp { by, at }))
    };
    let note: Option<String> = row.get(first + 5)?;
    Ok(Marks {
        flagged: stamp(0)?,
        status: row.get(first + 2)?,
        status_set: stamp(3)?,
        note: note.zip(stamp(6)?),
        ..Marks::default()
    })
}

/// A (by, at) pair of columns starting at `first`.
fn stamp_at(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Stamp> {
    Ok(Stamp {
        by: row.get(first)?,
        at: row.get(first + 1)?,
    })
}

/// A (note, by, at) version starting at `first`.
fn version_at(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<NoteVersion> {
    Ok(NoteVersion {
        text: row.get(first)?,
        stamp: stamp_at(row, first + 1)?,
    })
}

/// Files a read under this user's own mark or everyone else's.
pub(super) fn add_read(marks: &mut Marks, user: &str, stamp: Stamp) {
    if stamp.by == user {
        marks.read = Some(stamp);
    } else {
        marks.read_by_others.insert(stamp.by, stamp.at);
    }
}

/// Keeps the versions (newest first) before the current note; all of them
/// when there is none now (the newest then records its removal).
pub(super) fn set_history(marks: &mut Marks, mut versions: Vec<NoteVersion>) {
    if marks.note.is_some() && !versions.is_empty() {
        versions.remove(0);
    }
    marks.note_history = versions.into();
}

pub(super) fn split(stamp: Option<&Stamp>) -> (Option<&str>, Option<i64>) {
    (stamp.map(|s| s.by.as_str()), stamp.map(|s| s.at))
}
