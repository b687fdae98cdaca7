//! The browser's journal of changes not yet in the database: written (and
//! flushed to disk) before a change is shown as made, crossed off once the
//! database has it, so a change made while PostgreSQL is away survives the
//! browser crashing and is applied when the connection returns.
//!
//! One JSON object a line, appended only: `{"add": {key, at, job}}` for a
//! change, `{"done": key}` once it is applied. A line torn by a crash
//! mid-write is skipped. When nothing is waiting the file is emptied. Each
//! change has a key unique across hosts; the database records the keys it
//! applied (`communique_applied`), so a change replayed after a crash
//! between the commit and its `done` line is applied once.

use std::collections::hash_map::RandomState;
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher as _, Hasher as _};
use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{Change, OpenedNote, StoreError};

/// One thing the browser asked the store to do, as kept in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Job {
    /// Changes applied together in one transaction.
    Apply(Vec<Change>),
    /// A note saved unless someone changed it since it was opened.
    Note {
        ids: Vec<String>,
        text: Option<String>,
        opened: Vec<OpenedNote>,
    },
    SaveSearch {
        name: String,
        query: String,
    },
    DeleteSearch(String),
    SaveDraft {
        ids: Vec<String>,
        text: String,
        opened: Vec<OpenedNote>,
    },
    DropDrafts(Vec<String>),
    History(String),
}

/// A change waiting for the database: its key, when it was made (unix
/// seconds) and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub at: i64,
    pub job: Job,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Line {
    Add(Entry),
    Done(String),
}

/// The journal file, open for appending, with what is still waiting.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    waiting: Vec<Entry>,
}

impl Journal {
    /// Opens the journal at `path` (creating it if need be, readable by
    /// its owner only) and reads what is still waiting in it. Each browser
    /// holds its journal locked: a second browser on the same database
    /// takes `path` with `.1`, `.2`… before its extension, and any such
    /// journal no browser holds (its browser crashed) is taken over: its
    /// changes are moved into this one.
    ///
    /// # Errors
    /// When the file is a symlink or cannot be created, read or written,
    /// or every slot is held.
    pub fn open(path: &Path) -> Result<Journal, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            // A journal folder planted as a symlink would send notes elsewhere.
            if std::fs::symlink_metadata(dir).is_ok_and(|meta| meta.file_type().is_symlink()) {
                return Err(StoreError::Symlink(dir.to_path_buf()));
            }
            std::fs::create_dir_all(dir).map_err(failure(path.to_path_buf()))?;
        }
        let mut mine = None;
        let mut orphans = Vec::new();
        for slot in 0..SLOTS {
            let candidate = slot_path(path, slot);
            if slot > 0 && mine.is_some() && !candidate.exists() {
                continue;
            }
            let file = open_file(&candidate)?;
            if !try_lock(&file) {
                continue;
            }
            let waiting = read(&file, &candidate)?;
            if mine.is_none() {
                mine = Some(Journal {
                    path: candidate,
                    file,
                    waiting,
                });
            } else if !waiting.is_empty() {
                orphans.push((candidate, file, waiting));
            }
        }
        let Some(mut journal) = mine else {
            return Err(StoreError::CannotOpen {
                path: path.to_path_buf(),
                reason: format!("{SLOTS} browsers already keep journals for this database"),
            });
        };
        journal.end_line()?;
        for (path, orphan, waiting) in orphans {
            for entry in waiting {
                journal.add(entry)?;
            }
            // Only once this journal holds them (flushed).
            orphan.set_len(0).map_err(failure(path.clone()))?;
            orphan.sync_all().map_err(failure(path))?;
        }
        Ok(journal)
    }

    /// Where the journal for the database `place` is kept: beside the
    /// default state file (`$XDG_STATE_HOME/communique/`), one per database.
    #[must_use]
    pub fn default_path(place: &str) -> PathBuf {
        let state = super::Store::default_path();
        let dir = state
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf)
            .join("journal");
        dir.join(format!("{:016x}.jsonl", fnv(place)))
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The changes still waiting, oldest first.
    #[must_use]
    pub fn waiting(&self) -> &[Entry] {
        &self.waiting
    }

    /// Writes `entry` and flushes it to disk before returning.
    ///
    /// # Errors
    /// When it cannot be written: then it is not kept.
    pub fn add(&mut self, entry: Entry) -> Result<(), StoreError> {
        self.write(&Line::Add(entry.clone()))?;
        self.waiting.push(entry);
        Ok(())
    }

    /// Crosses off the change `key`: the database has it.
    ///
    /// # Errors
    /// When the journal cannot be written (the change would be replayed,
    /// and the database's record of keys makes that harmless).
    pub fn done(&mut self, key: &str) -> Result<(), StoreError> {
        self.waiting.retain(|entry| entry.key != key);
        if self.waiting.is_empty() {
            return self.compact();
        }
        self.write(&Line::Done(key.to_owned()))
    }

    /// Empties the file, flushed: only once nothing waits.
    fn compact(&mut self) -> Result<(), StoreError> {
        let fail = failure(self.path.clone());
        self.file.set_len(0).map_err(&fail)?;
        self.file.sync_all().map_err(fail)
    }

    /// Ends a line torn by a crash mid-write, so it does not run into the
    /// next one written (it is skipped when read); empties the file when
    /// nothing waits.
    fn end_line(&mut self) -> Result<(), StoreError> {
        if self.waiting.is_empty() {
            return self.compact();
        }
        let fail = failure(self.path.clone());
        let mut last = [0u8];
        let len = self.file.metadata().map_err(&fail)?.len();
        if len > 0 {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, &mut last, len - 1)
                .map_err(&fail)?;
        }
        if len > 0 && last[0] != b'\n' {
            self.file.write_all(b"\n").map_err(&fail)?;
            self.file.sync_data().map_err(fail)?;
        }
        Ok(())
    }

    fn write(&mut self, line: &Line) -> Result<(), StoreError> {
        let fail = failure(self.path.clone());
        let mut text =
            serde_json::to_string(line).map_err(|e| fail(std::io::Error::other(e.to_string())))?;
        text.push('\n');
        self.file.write_all(text.as_bytes()).map_err(&fail)?;
        self.file.sync_data().map_err(fail)
    }
}

fn failure(path: PathBuf) -> impl Fn(std::io::Error) -> StoreError {
    move |e| StoreError::CannotOpen {
        path: path.clone(),
        reason: format!("the journal of unsaved changes cannot be written ({e})"),
    }
}

/// How many browsers may keep a journal for one database on one host.
const SLOTS: usize = 16;

/// The journal file of `slot` (0 is `path` itself).
fn slot_path(path: &Path, slot: usize) -> PathBuf {
    if slot == 0 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let extension = path
        .extension()
        .map_or_else(String::new, |ext| format!(".{}", ext.to_string_lossy()));
    path.with_file_name(format!("{stem}.{slot}{extension}"))
}

/// Opens a journal file for reading and appending, never through a
/// symlink.
fn open_file(path: &Path) -> Result<File, StoreError> {
    if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(StoreError::Symlink(path.to_path_buf()));
    }
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0))
        .open(path)
        .map_err(|e| StoreError::CannotOpen {
            path: path.to_path_buf(),
            reason: format!("the journal of unsaved changes cannot be opened ({e})"),
        })
}

/// Takes the file's lock unless another process holds it (released when
/// the file is closed, also by a crash).
fn try_lock(file: &File) -> bool {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
}

/// The entries of a journal file not yet crossed off.
fn read(file: &File, path: &Path) -> Result<Vec<Entry>, StoreError> {
    let mut waiting: Vec<Entry> = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(failure(path.to_path_buf()))?;
        // A torn last line (a crash mid-write) was never acknowledged.
        match serde_json::from_str::<Line>(&line) {
            Ok(Line::Add(entry)) => waiting.push(entry),
            Ok(Line::Done(key)) => waiting.retain(|entry| entry.key != key),
            Err(_) => {}
        }
    }
    Ok(waiting)
}

/// A key no other change, on this host or another, will have.
#[must_use]
pub fn new_key() -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Seeded from the system's random source, once per hasher.
    let random = RandomState::new().build_hasher().finish();
    format!(
        "{nanos:x}-{:x}-{:x}-{random:016x}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// FNV-1a: a stable name for a database's journal.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str) -> Entry {
        Entry {
            key: key.to_owned(),
            at: 1,
            job: Job::Apply(vec![Change::Flag {
                ids: vec!["a".to_owned()],
                flagged: true,
            }]),
        }
    }

    #[test]
    fn what_waits_survives_reopening_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("j.jsonl");
        let mut journal = Journal::open(&path).expect("open");
        journal.add(entry("one")).expect("add");
        journal.add(entry("two")).expect("add");
        journal.done("one").expect("done");
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).expect("file");
        file.write_all(b"{\"add\": {\"key\": \"thr").expect("torn");
        drop(file);
        let mut journal = Journal::open(&path).expect("reopen");
        assert_eq!(journal.waiting(), &[entry("two")]);
        journal.add(entry("four")).expect("add after a torn line");
        drop(journal);
        let journal = Journal::open(&path).expect("reopen");
        assert_eq!(journal.waiting(), &[entry("two"), entry("four")]);
    }

    #[test]
    fn a_second_browser_gets_its_own_journal_and_a_crashed_ones_is_taken_over() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("j.jsonl");
        let mut first = Journal::open(&path).expect("first");
        let mut second = Journal::open(&path).expect("second");
        assert_eq!(second.path(), dir.path().join("j.1.jsonl"));
        first.add(entry("one")).expect("add");
        second.add(entry("two")).expect("add");
        // The second browser ends without its change applied (a crash).
        drop(second);
        first.done("one").expect("done");
        assert!(first.waiting().is_empty());
        let third = Journal::open(&path).expect("third");
        assert_eq!(third.path(), dir.path().join("j.1.jsonl"));
        assert_eq!(third.waiting(), &[entry("two")]);
        drop(third);
        drop(first);
        let again = Journal::open(&path).expect("again");
        assert_eq!(again.path(), path);
        assert_eq!(again.waiting(), &[entry("two")], "taken over from slot 1");
        assert_eq!(
            std::fs::metadata(dir.path().join("j.1.jsonl"))
                .expect("1")
                .len(),
            0
        );
    }

    #[test]
    fn a_planted_symlink_is_never_followed() {
        let dir = tempfile::tempdir().expect("dir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("dir");
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("journal")).expect("link");
        let refused = Journal::open(&dir.path().join("journal").join("j.jsonl"));
        assert!(
            matches!(refused, Err(StoreError::Symlink(_))),
            "{refused:?}"
        );
        std::os::unix::fs::symlink(elsewhere.join("x"), dir.path().join("j.jsonl")).expect("link");
        let refused = Journal::open(&dir.path().join("j.jsonl"));
        assert!(
            matches!(refused, Err(StoreError::Symlink(_))),
            "{refused:?}"
        );
        assert!(!elsewhere.join("x").exists());
    }

    #[test]
    fn the_file_is_emptied_when_nothing_waits() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("j.jsonl");
        let mut journal = Journal::open(&path).expect("open");
        journal.add(entry("one")).expect("add");
        journal.done("one").expect("done");
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), 0);
        assert_ne!(new_key(), new_key());
    }
}
