//! Notes written in the browser: saving one only if no one changed it since
//! it was opened (else a conflict, and nothing saved), and each person's
//! drafts, kept until saved or thrown away.
//!
//! A note "as opened" is the note value itself, text with its stamp: any
//! save of different text gives a new stamp, so a stored note that still
//! equals the opened one has not been changed by anyone.

use std::collections::HashMap;

use rusqlite::{Connection, TransactionBehavior, params};

use super::{Applied, Change, Stamp, Store, StoreError, engine, rows};

/// A statement's note as someone opened it (`None`: it had none).
pub type OpenedNote = Option<(String, Stamp)>;

/// What saving a note did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteSaved {
    Saved(Applied),
    /// Someone changed the note since it was opened, so nothing was saved:
    /// each such statement with its note now.
    Conflict(Vec<(String, OpenedNote)>),
}

/// A note someone began and did not save, with the note as it was when
/// they opened it (to tell on saving whether it changed meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub at: i64,
    pub opened: OpenedNote,
}

impl Store {
    /// Saves `text` (`None` or blank removes the note) on each of `ids`,
    /// whose notes were `opened` (in the same order), in one transaction:
    /// unless one of them changed since, then nothing is saved and the
    /// changed ones are given back. A save drops this user's drafts of them.
    ///
    /// # Errors
    /// As [`Store::apply`].
    pub fn save_note(
        &mut self,
        ids: &[String],
        text: Option<&str>,
        opened: &[OpenedNote],
    ) -> Result<NoteSaved, StoreError> {
        self.ready_to_write()?;
        let stamp = Stamp {
            by: self.user.clone(),
            at: (self.clock)(),
        };
        let change = Change::Note {
            ids: ids.to_vec(),
            note: text.map(str::to_owned),
        };
        let path = &self.path;
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
        // The comparison and the write in one IMMEDIATE transaction: no one
        // can save between them.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let changed =
            engine::changed_notes(&mut rows::Sqlite(&tx), ids, opened, &stamp.by).map_err(fail)?;
        if !changed.is_empty() {
            return Ok(NoteSaved::Conflict(changed));
        }
        let applied = engine::apply_in(&mut rows::Sqlite(&tx), &change, &stamp).map_err(fail)?;
        drop_drafts_in(&tx, ids, &stamp.by).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(NoteSaved::Saved(applied))
    }

    /// Keeps `text` as this user's draft note on each of `ids` (whose notes
    /// were `opened`, in the same order), replacing earlier drafts.
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn save_draft(
        &mut self,
        ids: &[String],
        text: &str,
        opened: &[OpenedNote],
    ) -> Result<(), StoreError> {
        self.ready_to_write()?;
        let (by, at) = (self.user.clone(), (self.clock)());
        let path = &self.path;
        let fail = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO note_drafts \
                     (id, by, text, at, base_note, base_by, base_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;
            for (id, opened) in ids
                .iter()
                .zip(opened.iter().chain(std::iter::repeat(&None)))
            {
                let (note, note_by, note_at) = match opened {
                    Some((note, stamp)) => {
                        (Some(note.as_str()), Some(stamp.by.as_str()), Some(stamp.at))
                    }
                    None => (None, None, None),
                };
                insert
                    .execute(params![id, by, text, at, note, note_by, note_at])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)
    }

    /// Throws away this user's drafts on `ids`.
    ///
    /// # Errors
    /// When it cannot be saved.
    pub fn drop_drafts(&mut self, ids: &[String]) -> Result<(), StoreError> {
        self.ready_to_write()?;
        let user = self.user.clone();
        drop_drafts_in(&self.conn, ids, &user).map_err(|e| self.fail(&e))
    }

    /// Follows a replaced file, then refuses when it can only be read.
    fn ready_to_write(&mut self) -> Result<(), StoreError> {
        self.follow_path()?;
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        Ok(())
    }

    /// This user's drafts, by statement id.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn drafts(&self) -> Result<HashMap<String, Draft>, StoreError> {
        let read = || -> rusqlite::Result<HashMap<String, Draft>> {
            let mut stmt = self.conn.prepare(
                "SELECT id, text, at, base_note, base_by, base_at FROM note_drafts WHERE by = ?1",
            )?;
            stmt.query_map([&self.user], |row| {
                let note: Option<String> = row.get(3)?;
                let by: Option<String> = row.get(4)?;
                let at: Option<i64> = row.get(5)?;
                let opened = note
                    .zip(by.zip(at))
                    .map(|(note, (by, at))| (note, Stamp { by, at }));
                Ok((
                    row.get(0)?,
                    Draft {
                        text: row.get(1)?,
                        at: row.get(2)?,
                        opened,
                    },
                ))
            })?
            .collect()
        };
        read().map_err(|e| self.fail(&e))
    }
}

fn drop_drafts_in(conn: &Connection, ids: &[String], user: &str) -> rusqlite::Result<()> {
    let mut delete = conn.prepare_cached("DELETE FROM note_drafts WHERE id = ?1 AND by = ?2")?;
    for id in ids {
        delete.execute(params![id, user])?;
    }
    Ok(())
}
