//! Marks as PostgreSQL rows: the same tables and the same meaning as the
//! SQLite file's (`store::rows`), written with PostgreSQL's placeholders
//! and upserts.

use std::collections::HashMap;

use postgres::GenericClient;

use super::super::marks::{Marks, NoteVersion, Stamp, Status};
use super::super::rows::{add_read, set_history, split};

type Result<T> = std::result::Result<T, postgres::Error>;

const MARK_COLUMNS: &str =
    "flagged_by, flagged_at, status, status_by, status_at, note, note_by, note_at";

/// The rows of an open PostgreSQL transaction, for the rules in `engine`.
pub(super) struct Pg<'a, C: GenericClient>(pub &'a mut C);

impl<C: GenericClient> super::super::engine::Rows for Pg<'_, C> {
    type Error = postgres::Error;

    fn load(&mut self, id: &str, user: &str) -> Result<Marks> {
        load(self.0, id, user)
    }

    fn save(&mut self, id: &str, stamp: &Stamp, before: &Marks, after: &Marks) -> Result<()> {
        save(self.0, id, stamp, before, after)
    }
}

/// The marks of one statement as `user` sees them, default when it has no rows.
pub(super) fn load(db: &mut impl GenericClient, id: &str, user: &str) -> Result<Marks> {
    let mut marks = match db.query_opt(
        &format!("SELECT {MARK_COLUMNS} FROM marks WHERE id = $1"),
        &[&id],
    )? {
        Some(row) => mark_row(&row, 0),
        None => Marks::default(),
    };
    for row in db.query("SELECT tag, by, at FROM tags WHERE id = $1", &[&id])? {
        marks.tags.insert(row.get(0), stamp_at(&row, 1));
    }
    for row in db.query("SELECT by, at FROM reads WHERE id = $1", &[&id])? {
        add_read(&mut marks, user, stamp_at(&row, 0));
    }
    let versions = db
        .query(
            "SELECT note, by, at FROM note_versions WHERE id = $1 ORDER BY version DESC",
            &[&id],
        )?
        .iter()
        .map(|row| version_at(row, 0))
        .collect();
    set_history(&mut marks, versions);
    Ok(marks)
}

/// Every statement with any mark, as `user` sees them.
pub(super) fn load_all(db: &mut impl GenericClient, user: &str) -> Result<HashMap<String, Marks>> {
    let mut all: HashMap<String, Marks> = HashMap::new();
    for row in db.query(&format!("SELECT id, {MARK_COLUMNS} FROM marks"), &[])? {
        all.insert(row.get(0), mark_row(&row, 1));
    }
    for row in db.query("SELECT id, tag, by, at FROM tags", &[])? {
        all.entry(row.get(0))
            .or_default()
            .tags
            .insert(row.get(1), stamp_at(&row, 2));
    }
    for row in db.query("SELECT id, by, at FROM reads", &[])? {
        add_read(all.entry(row.get(0)).or_default(), user, stamp_at(&row, 1));
    }
    let mut versions: HashMap<String, Vec<NoteVersion>> = HashMap::new();
    for row in db.query(
        "SELECT id, note, by, at FROM note_versions ORDER BY id, version DESC",
        &[],
    )? {
        versions
            .entry(row.get(0))
            .or_default()
            .push(version_at(&row, 1));
    }
    for (id, versions) in versions {
        set_history(all.entry(id).or_default(), versions);
    }
    Ok(all)
}

/// Writes `after` over `before` for one statement, touching only what
/// differs (as `store::rows::save` does for SQLite).
pub(super) fn save(
    db: &mut impl GenericClient,
    id: &str,
    change: &Stamp,
    before: &Marks,
    after: &Marks,
) -> Result<()> {
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
            db.execute("DELETE FROM marks WHERE id = $1", &[&id])?;
        } else {
            let (flagged_by, flagged_at) = split(row.flagged.as_ref());
            let (status_by, status_at) = split(row.status_set.as_ref());
            let (note, (note_by, note_at)) = match &row.note {
                Some((text, stamp)) => (Some(text.as_str()), split(Some(stamp))),
                None => (None, (None, None)),
            };
            db.execute(
                &format!(
                    "INSERT INTO marks (id, {MARK_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (team, id) DO UPDATE SET \
                     flagged_by = EXCLUDED.flagged_by, flagged_at = EXCLUDED.flagged_at, \
                     status = EXCLUDED.status, status_by = EXCLUDED.status_by, \
                     status_at = EXCLUDED.status_at, note = EXCLUDED.note, \
                     note_by = EXCLUDED.note_by, note_at = EXCLUDED.note_at"
                ),
                &[
                    &id,
                    &flagged_by,
                    &flagged_at,
                    &row.status.as_str(),
                    &status_by,
                    &status_at,
                    &note,
                    &note_by,
                    &note_at,
                ],
            )?;
        }
    }
    if after.note != before.note {
        let (text, stamp) = match &after.note {
            Some((text, stamp)) => (Some(text.as_str()), stamp),
            None => (None, change),
        };
        db.execute(
            "INSERT INTO note_versions (id, version, note, by, at) VALUES \
             ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM note_versions WHERE id = $1), $2, $3, $4)",
            &[&id, &text, &stamp.by, &stamp.at],
        )?;
    }
    if after.read != before.read {
        match &after.read {
            Some(stamp) => db.execute(
                "INSERT INTO reads (id, by, at) VALUES ($1, $2, $3) \
                 ON CONFLICT (team, id, by) DO UPDATE SET at = EXCLUDED.at",
                &[&id, &change.by, &stamp.at],
            )?,
            None => db.execute(
                "DELETE FROM reads WHERE id = $1 AND by = $2",
                &[&id, &change.by],
            )?,
        };
    }
    if after.tags != before.tags {
        db.execute("DELETE FROM tags WHERE id = $1", &[&id])?;
        for (tag, stamp) in &after.tags {
            db.execute(
                "INSERT INTO tags (id, tag, by, at) VALUES ($1, $2, $3, $4)",
                &[&id, tag, &stamp.by, &stamp.at],
            )?;
        }
    }
    Ok(())
}

/// Tags in use, alphabetically, each with how many statements carry it.
pub(super) fn tag_counts(db: &mut impl GenericClient) -> Result<Vec<(String, usize)>> {
    Ok(db
        .query(
            "SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag COLLATE \"C\"",
            &[],
        )?
        .iter()
        .map(|row| {
            let count: i64 = row.get(1);
            (row.get(0), usize::try_from(count).unwrap_or(0))
        })
        .collect())
}

/// The eight mark columns starting at `first`. An unknown status (written
/// by a newer communique) reads as `new`.
fn mark_row(row: &postgres::Row, first: usize) -> Marks {
    let stamp = |by: usize| -> Option<Stamp> {
        let by_name: Option<String> = row.get(first + by);
        let at: Option<i64> = row.get(first + by + 1);
        by_name.zip(at).map(|(by, at)| Stamp { by, at })
    };
    let status: String = row.get(first + 2);
    let note: Option<String> = row.get(first + 5);
    Marks {
        flagged: stamp(0),
        status: status.parse().unwrap_or(Status::New),
        status_set: stamp(3),
        note: note.zip(stamp(6)),
        ..Marks::default()
    }
}

fn stamp_at(row: &postgres::Row, first: usize) -> Stamp {
    Stamp {
        by: row.get(first),
        at: row.get(first + 1),
    }
}

fn version_at(row: &postgres::Row, first: usize) -> NoteVersion {
    NoteVersion {
        text: row.get(first),
        stamp: stamp_at(row, first + 1),
    }
}
