//! The one interface to triage state, whichever database keeps it: a
//! SQLite file ([`Store`]) or a PostgreSQL database ([`PgStore`]). The
//! browser and the commands hold a `Box<dyn TriageStore>` and never ask
//! which; `--state` chooses by its form (`postgres://…` or a path).

use std::collections::HashMap;
use std::path::Path;

use super::{
    Applied, Change, Draft, Marks, NoteConflict, NoteSaved, OpenedNote, PgStore, RemoteStore,
    Snapshot, Store, StoreError,
};

/// Every triage operation; see [`Store`] for what each does. Both kinds
/// behave the same: the store test suite runs against each.
pub trait TriageStore: Send + std::fmt::Debug {
    /// Where the state is, for messages: the file's path, or the database
    /// address without any password.
    fn place(&self) -> String;
    /// True when changes cannot be saved (read-only file or role).
    fn is_read_only(&self) -> bool;
    /// What the person should be told since the last call, if anything.
    fn take_notice(&mut self) -> Option<String>;
    /// `Some(n)` while the database cannot be reached, `n` changes waiting
    /// in the journal for it; `None` when connected (and for a file).
    fn offline(&self) -> Option<usize> {
        None
    }
    /// Notes that turned out, when applied late, to have been changed by
    /// someone else meanwhile: each goes to the conflict screen.
    fn take_conflicts(&mut self) -> Vec<NoteConflict> {
        Vec::new()
    }
    /// A receiver that gets a message whenever there is news (others'
    /// changes loaded, a conflict, the link up or down), for the browser's
    /// one input loop; given once. `None` when news is only found by
    /// polling ([`TriageStore::changed_since_last_check`]).
    fn news(&mut self) -> Option<std::sync::mpsc::Receiver<()>> {
        None
    }
    /// Applies several changes in order in one transaction: all or none.
    ///
    /// # Errors
    /// When it cannot be saved; then nothing of it was.
    fn apply_all(&mut self, changes: &[Change]) -> Result<Vec<Applied>, StoreError>;
    /// Every statement that has any mark.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn marks(&mut self) -> Result<HashMap<String, Marks>, StoreError>;
    /// The marks of each of `ids`, in the order given, read at one moment.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn marks_for(&mut self, ids: &[String]) -> Result<Vec<(String, Marks)>, StoreError>;
    /// True when someone else has saved a change since the last call.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn changed_since_last_check(&mut self) -> Result<bool, StoreError>;
    /// Tags in use, alphabetically, with how many statements carry each.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn tags(&mut self) -> Result<Vec<(String, usize)>, StoreError>;
    /// Saves `query` under `name`, replacing a search of that name.
    ///
    /// # Errors
    /// A blank or invisible name; or when it cannot be saved.
    fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError>;
    /// Saved searches as (name, query), by name.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn saved_searches(&mut self) -> Result<Vec<(String, String)>, StoreError>;
    /// Deletes a saved search; false when there was none.
    ///
    /// # Errors
    /// When it cannot be saved.
    fn delete_search(&mut self, name: &str) -> Result<bool, StoreError>;
    /// Records `query` as this user's newest.
    ///
    /// # Errors
    /// When it cannot be saved.
    fn push_history(&mut self, query: &str) -> Result<(), StoreError>;
    /// This user's query history, oldest first.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn history(&mut self) -> Result<Vec<String>, StoreError>;
    /// Saves a note unless someone changed it since it was opened.
    ///
    /// # Errors
    /// When it cannot be saved.
    fn save_note(
        &mut self,
        ids: &[String],
        text: Option<&str>,
        opened: &[OpenedNote],
    ) -> Result<NoteSaved, StoreError>;
    /// Keeps `text` as this user's draft on each of `ids`.
    ///
    /// # Errors
    /// When it cannot be saved.
    fn save_draft(
        &mut self,
        ids: &[String],
        text: &str,
        opened: &[OpenedNote],
    ) -> Result<(), StoreError>;
    /// Throws away this user's drafts on `ids`.
    ///
    /// # Errors
    /// When it cannot be saved.
    fn drop_drafts(&mut self, ids: &[String]) -> Result<(), StoreError>;
    /// This user's drafts, by statement id.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn drafts(&mut self) -> Result<HashMap<String, Draft>, StoreError>;

    /// Every row of every table, with who set it and when.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn export(&mut self) -> Result<Snapshot, StoreError>;
    /// Writes every row of `snapshot` in one transaction, replacing rows
    /// with the same key (so importing twice changes nothing).
    ///
    /// # Errors
    /// When it cannot be saved; then nothing was.
    fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError>;
    /// One line on the database and its schema; an error when damaged.
    ///
    /// # Errors
    /// When the state cannot be read or is damaged.
    fn health(&mut self) -> Result<String, StoreError>;

    /// Applies one change in one transaction.
    ///
    /// # Errors
    /// As [`TriageStore::apply_all`].
    fn apply(&mut self, change: &Change) -> Result<Applied, StoreError> {
        let mut applied = self.apply_all(std::slice::from_ref(change))?;
        Ok(applied.pop().unwrap_or_default())
    }
}

/// The address of a PostgreSQL database when `state` is one
/// (`postgres://…` or `postgresql://…`), else `None` (a file path).
#[must_use]
pub fn postgres_url(state: &Path) -> Option<&str> {
    state
        .to_str()
        .filter(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// Opens the state `location` (a file path or a `postgres://` address)
/// for reading and writing, attributing changes to `user` in a file (in
/// a database, to the role it logs in as). The warning,
/// when there is one, is for the person.
///
/// # Errors
/// As [`Store::open`] or [`PgStore::open`].
pub fn open(
    location: &Path,
    user: &str,
) -> Result<(Box<dyn TriageStore>, Option<String>), StoreError> {
    if let Some(url) = postgres_url(location) {
        return Ok((Box::new(PgStore::open(url)?), None));
    }
    let (store, warning) = Store::open(location, user)?;
    Ok((Box::new(store), warning))
}

/// Opens the state `location` for the browser: a file as [`open`]; a
/// database through [`RemoteStore`] (a worker thread, a cache, and a
/// journal of changes at `journal`, or the default beside the state
/// folder), so no call waits on the network and nothing is lost while the
/// database is away.
///
/// # Errors
/// As [`open`]; also when the journal cannot be opened.
pub fn open_for_browser(
    location: &Path,
    user: &str,
    journal: Option<&Path>,
) -> Result<(Box<dyn TriageStore>, Option<String>), StoreError> {
    if let Some(url) = postgres_url(location) {
        let journal = journal.map_or_else(
            || super::Journal::default_path(&super::redact(url)),
            Path::to_path_buf,
        );
        return Ok((Box::new(RemoteStore::open(url, &journal)?), None));
    }
    open(location, user)
}

/// Opens the state `location` for reading only: nothing is created or
/// changed, and every change fails with [`StoreError::ReadOnly`].
///
/// # Errors
/// As [`Store::open_read_only`] or [`PgStore::open_read_only`].
pub fn open_read_only(location: &Path) -> Result<Box<dyn TriageStore>, StoreError> {
    if let Some(url) = postgres_url(location) {
        return Ok(Box::new(PgStore::open_read_only(url)?));
    }
    Ok(Box::new(Store::open_read_only(location)?))
}

/// The methods both kinds have under the same names, handed on.
macro_rules! hand_on {
    ($kind:ty) => {
        fn apply_all(&mut self, changes: &[Change]) -> Result<Vec<Applied>, StoreError> {
            <$kind>::apply_all(self, changes)
        }
        fn marks(&mut self) -> Result<HashMap<String, Marks>, StoreError> {
            <$kind>::marks(self)
        }
        fn marks_for(&mut self, ids: &[String]) -> Result<Vec<(String, Marks)>, StoreError> {
            <$kind>::marks_for(self, ids)
        }
        fn changed_since_last_check(&mut self) -> Result<bool, StoreError> {
            <$kind>::changed_since_last_check(self)
        }
        fn tags(&mut self) -> Result<Vec<(String, usize)>, StoreError> {
            <$kind>::tags(self)
        }
        fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError> {
            <$kind>::save_search(self, name, query)
        }
        fn saved_searches(&mut self) -> Result<Vec<(String, String)>, StoreError> {
            <$kind>::saved_searches(self)
        }
        fn delete_search(&mut self, name: &str) -> Result<bool, StoreError> {
            <$kind>::delete_search(self, name)
        }
        fn push_history(&mut self, query: &str) -> Result<(), StoreError> {
            <$kind>::push_history(self, query)
        }
        fn history(&mut self) -> Result<Vec<String>, StoreError> {
            <$kind>::history(self)
        }
        fn save_note(
            &mut self,
            ids: &[String],
            text: Option<&str>,
            opened: &[OpenedNote],
        ) -> Result<NoteSaved, StoreError> {
            <$kind>::save_note(self, ids, text, opened)
        }
        fn save_draft(
            &mut self,
            ids: &[String],
            text: &str,
            opened: &[OpenedNote],
        ) -> Result<(), StoreError> {
            <$kind>::save_draft(self, ids, text, opened)
        }
        fn drop_drafts(&mut self, ids: &[String]) -> Result<(), StoreError> {
            <$kind>::drop_drafts(self, ids)
        }
        fn drafts(&mut self) -> Result<HashMap<String, Draft>, StoreError> {
            <$kind>::drafts(self)
        }
        fn export(&mut self) -> Result<Snapshot, StoreError> {
            <$kind>::export(self)
        }
        fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
            <$kind>::import(self, snapshot)
        }
        fn health(&mut self) -> Result<String, StoreError> {
            <$kind>::health(self)
        }
    };
}

impl TriageStore for Store {
    fn place(&self) -> String {
        self.path().display().to_string()
    }
    fn is_read_only(&self) -> bool {
        Store::is_read_only(self)
    }
    fn take_notice(&mut self) -> Option<String> {
        Store::take_notice(self)
    }
    hand_on!(Store);
}

impl TriageStore for PgStore {
    fn place(&self) -> String {
        PgStore::place(self).to_owned()
    }
    fn is_read_only(&self) -> bool {
        PgStore::is_read_only(self)
    }
    fn take_notice(&mut self) -> Option<String> {
        None
    }
    hand_on!(PgStore);
}
