//! Reading and writing marks as table rows. A statement whose marks are all
//! default has no rows at all, so the tables hold only what someone did.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::{Marks, Stamp, Status};

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

const MARK_COLUMNS: &str = "read_by, read_at, flagged_by, flagged_at, \
     status, status_by, status_at, note, note_by, note_at";

/// The marks of one statement, default when it has no rows.
pub(super) fn load(conn: &Connection, id: &str) -> rusqlite::Result<Marks> {
    let mut marks = conn
        .prepare_cached(&format!("SELECT {MARK_COLUMNS} FROM marks WHERE id = ?1"))?
        .query_row([id], |row| mark_row(row, 0))
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare_cached("SELECT tag, by, at FROM tags WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        marks.tags.insert(
            row.get(0)?,
            Stamp {
                by: row.get(1)?,
                at: row.get(2)?,
            },
        );
    }
    Ok(marks)
}

/// Every statement with any mark.
pub(super) fn load_all(conn: &Connection) -> rusqlite::Result<HashMap<String, Marks>> {
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
            .insert(
                row.get(1)?,
                Stamp {
                    by: row.get(2)?,
                    at: row.get(3)?,
                },
            );
    }
    Ok(all)
}

/// Writes `after` over `before` for one statement, touching only what differs.
pub(super) fn save(
    conn: &Connection,
    id: &str,
    before: &Marks,
    after: &Marks,
) -> rusqlite::Result<()> {
    let row_of = |m: &Marks| Marks {
        tags: BTreeMap::new(),
        ..m.clone()
    };
    let row = row_of(after);
    if row != row_of(before) {
        if row.is_default() {
            conn.prepare_cached("DELETE FROM marks WHERE id = ?1")?
                .execute([id])?;
        } else {
            let (read_by, read_at) = split(row.read.as_ref());
            let (flagged_by, flagged_at) = split(row.flagged.as_ref());
            let (status_by, status_at) = split(row.status_set.as_ref());
            let (note, (note_by, note_at)) = match &row.note {
                Some((text, stamp)) => (Some(text.as_str()), split(Some(stamp))),
                None => (None, (None, None)),
            };
            conn.prepare_cached(&format!(
                "INSERT OR REPLACE INTO marks (id, {MARK_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))?
            .execute(params![
                id, read_by, read_at, flagged_by, flagged_at, row.status, status_by, status_at,
                note, note_by, note_at
            ])?;
        }
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

/// Tags in use, alphabetically, each with how many statements carry it.
pub(super) fn tag_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, usize)>> {
    let mut stmt = conn.prepare("SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag")?;
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

/// Reads the ten mark columns starting at `first`.
fn mark_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Marks> {
    let stamp = |by: usize| -> rusqlite::Result<Option<Stamp>> {
        let by_name: Option<String> = row.get(first + by)?;
        let at: Option<i64> = row.get(first + by + 1)?;
        Ok(by_name.zip(at).map(|(by, at)| Stamp { by, at }))
    };
    let note: Option<String> = row.get(first + 7)?;
    Ok(Marks {
        read: stamp(0)?,
        flagged: stamp(2)?,
        status: row.get(first + 4)?,
        status_set: stamp(5)?,
        tags: BTreeMap::new(),
        note: note.zip(stamp(8)?),
    })
}

fn split(stamp: Option<&Stamp>) -> (Option<&str>, Option<i64>) {
    (stamp.map(|s| s.by.as_str()), stamp.map(|s| s.at))
}
