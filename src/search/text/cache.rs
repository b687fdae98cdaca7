//! The full-text index kept between runs, per archive in a cache folder,
//! so an unchanged archive is searchable by `text:` at once: an SQLite file
//! (the format version, the archive root, its files as stamped, and the
//! statement id at each position) beside a folder holding the text index
//! (tantivy's files, each with its checksum). A kept index is trusted only
//! when everything about it checks out: its format version, the archive
//! root it was built for, every archive file's size, modification time and
//! inode as they were when it was built, every file of the text index
//! whole, and a text indexed for each statement listed. One that is not
//! sound (truncated, overwritten), built by another version or for another
//! archive, or whose archive changed, is thrown away and built again —
//! never trusted. A build cut short is taken up where it stopped.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::FullText;
use super::engine::Engine;
use crate::loader::FileStamp;

/// The kept index's format: a file of another version is built again
/// (2: FTS5 in 64 KiB pages; 3: the text in tantivy beside the file).
pub const VERSION: i64 = 3;

/// Why an index is built when none was kept.
pub const NOT_KEPT: &str = "no index kept yet";

/// What [`open`] found in the cache.
#[derive(Debug)]
pub struct Opened {
    pub full_text: FullText,
    /// Why the kept index could not be used and is being built again
    /// (`None`: it was used, holding [`FullText::indexed`] statements).
    pub rebuilt: Option<String>,
    pub path: PathBuf,
}

/// The cache file for the archive at `root` (absolute) in `folder`: named
/// by a hash of the root, which the file also holds, checked.
#[must_use]
pub fn file_for(folder: &Path, root: &Path) -> PathBuf {
    // FNV-1a: the same from one build to the next, unlike a seeded hasher.
    let hash = root
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    folder.join(format!("fulltext-{hash:016x}.sqlite"))
}

/// The folder of the text index beside a kept index's file.
fn text_folder(path: &Path) -> PathBuf {
    path.with_extension("tantivy")
}

/// Every file of the kept index at `path` (the SQLite file, SQLite's files
/// beside it, the text index's folder) that is there.
fn remove_files(path: &Path) -> std::io::Result<()> {
    let ignore_missing = |result: std::io::Result<()>| match result {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    };
    for file in [
        path.with_extension("sqlite-journal"),
        path.with_extension("sqlite-wal"),
        path.to_path_buf(),
    ] {
        ignore_missing(std::fs::remove_file(file))?;
    }
    ignore_missing(std::fs::remove_dir_all(text_folder(path)))
}

/// The full-text index kept in `folder` for the archive at `root` whose
/// files are now `files`: the kept one when it can be trusted, else a new
/// one in its place.
///
/// # Errors
/// When the folder or the file cannot be made.
pub fn open(folder: &Path, root: &Path, files: &[FileStamp]) -> anyhow::Result<Opened> {
    open_checked(folder, root, files, Check::Thorough)
}

/// How closely a kept index's SQLite file is looked at before it is used
/// (either way its version, archive and files are compared, and every file
/// of the text index is read against its checksum: a tenth of a second at
/// 100,000 statements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Every page of the SQLite file, its indexes' entries included.
    Thorough,
    /// The pages of each of its tables as stored.
    Quick,
}

/// As [`open`], checked as `check` says.
///
/// # Errors
/// As [`open`].
pub fn open_checked(
    folder: &Path,
    root: &Path,
    files: &[FileStamp],
    check: Check,
) -> anyhow::Result<Opened> {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let path = file_for(folder, &root);
    std::fs::create_dir_all(folder)
        .with_context(|| format!("creating the cache folder {}", folder.display()))?;
    // One writer at a time: a second browser on the same archive (another
    // tmux pane) would otherwise add the statements the first is adding.
    // The lock lives as long as the index; the second browser indexes in
    // memory.
    let lock_path = path.with_extension("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            anyhow::bail!("another communique is using the kept index of this archive")
        }
        Err(std::fs::TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("locking {}", lock_path.display()));
        }
    }
    let rebuilt = if path.exists() {
        match kept(&path, &root, files, check) {
            Ok(full_text) => {
                return Ok(Opened {
                    full_text: full_text.holding(lock, path.clone()),
                    rebuilt: None,
                    path,
                });
            }
            Err(why) => Some(format!("{why:#}")),
        }
    } else {
        Some(NOT_KEPT.to_owned())
    };
    remove_files(&path).with_context(|| format!("removing {}", path.display()))?;
    let full_text = create(&path, &root, files)?.holding(lock, path.clone());
    Ok(Opened {
        full_text,
        rebuilt,
        path,
    })
}

/// Removes the index kept in `folder` for the archive at `root`, found
/// damaged, so the next run builds it again.
pub fn discard(folder: &Path, root: &Path) {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    remove_kept(&file_for(folder, &root));
}

/// Removes a kept index's files (one that cannot be removed is left: the
/// next run's checks judge it).
pub(super) fn remove_kept(path: &Path) {
    let _ = remove_files(path);
}

/// The kept index at `path`, if it is sound, of this version, for this
/// root, and its archive's files are as they were.
fn kept(path: &Path, root: &Path, files: &[FileStamp], check: Check) -> anyhow::Result<FullText> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context("cannot open it")?;
    // SQLite's quick check of the whole file, or of the pages of each table
    // as stored.
    let checks: &[&str] = match check {
        Check::Thorough => &["PRAGMA quick_check"],
        Check::Quick => &[
            "PRAGMA quick_check('statement_ids')",
            "PRAGMA quick_check('meta')",
            "PRAGMA quick_check('files')",
        ],
    };
    for pragma in checks {
        let pages: String = connection
            .query_row(pragma, [], |row| row.get(0))
            .context("not a sound SQLite database")?;
        anyhow::ensure!(pages == "ok", "damaged: {pages}");
    }
    let meta = |key: &str| -> anyhow::Result<Option<String>> {
        connection
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .context("not a communique full-text index")
    };
    let version = meta("version")?.context("not a communique full-text index")?;
    anyhow::ensure!(
        version == VERSION.to_string(),
        "built by another version ({version}, not {VERSION})"
    );
    let kept_root = meta("root")?.context("names no archive")?;
    anyhow::ensure!(
        kept_root == root.to_string_lossy(),
        "built for another archive ({kept_root})"
    );
    let stamps: Vec<(String, i64, i64, i64)> = {
        let mut select =
            connection.prepare("SELECT path, size, modified, inode FROM files ORDER BY number")?;
        select
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<Result<_, _>>()?
    };
    anyhow::ensure!(
        stamps.len() == files.len(),
        "the archive's files changed ({} then, {} now)",
        stamps.len(),
        files.len()
    );
    for ((path, size, modified, inode), now) in stamps.iter().zip(files) {
        let same = *path == absolute(&now.path)
            && u64::try_from(*size).ok() == Some(now.size)
            && *modified == now.modified
            && u64::try_from(*inode).ok() == Some(now.inode);
        anyhow::ensure!(same, "{} changed since it was indexed", now.path.display());
    }
    let (indexed, count): (i64, i64) = connection
        .query_row(
            "SELECT coalesce(max(position) + 1, 0), count(*) FROM statement_ids",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .context("its statement list is damaged")?;
    anyhow::ensure!(count == indexed, "its statement list has gaps");
    let indexed = usize::try_from(indexed)?;
    // The text index: every file whole (the same check both ways: a
    // damaged file could otherwise stop a search), and a text for every
    // statement listed.
    let engine = Engine::open(&text_folder(path))?;
    anyhow::ensure!(
        engine.holds_each_below(indexed)?,
        "its text index lacks statements its list names"
    );
    Ok(FullText::from_parts(engine, Some(connection), indexed))
}

/// A new, empty kept index at `path` for `root` and its `files`.
fn create(path: &Path, root: &Path, files: &[FileStamp]) -> anyhow::Result<FullText> {
    let mut connection = Connection::open(path)
        .with_context(|| format!("creating the full-text index {}", path.display()))?;
    let engine = Engine::create(&text_folder(path))?;
    let transaction = connection.transaction()?;
    transaction.execute_batch(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE files(number INTEGER PRIMARY KEY, path TEXT NOT NULL,
                            size INTEGER NOT NULL, modified INTEGER NOT NULL,
                            inode INTEGER NOT NULL);
         CREATE TABLE statement_ids(position INTEGER PRIMARY KEY, id TEXT NOT NULL);",
    )?;
    transaction.execute(
        "INSERT INTO meta(key, value) VALUES ('version', ?1), ('root', ?2)",
        rusqlite::params![VERSION.to_string(), root.to_string_lossy()],
    )?;
    record_files(&transaction, files)?;
    transaction
        .commit()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(FullText::from_parts(engine, Some(connection), 0))
}

/// The meta key naming the catalog snapshot (its generation) and the
/// number of its statements the kept index was last found to hold, each
/// at its place: a command given that snapshot again need not compare
/// every id. Every write to the index removes it first, in the same
/// transaction ([`forget_from`]).
const CHECKED: &str = "checked";

/// Removes the [`CHECKED`] mark and the ids of the statements at `from`
/// and after: the index is about to change from there on.
pub(super) fn forget_from(connection: &Connection, from: usize) -> anyhow::Result<()> {
    connection.execute("DELETE FROM meta WHERE key = ?1", [CHECKED])?;
    connection.execute(
        "DELETE FROM statement_ids WHERE position >= ?1",
        [i64::try_from(from)?],
    )?;
    Ok(())
}

impl FullText {
    /// The catalog snapshot (generation) and statement count the kept
    /// index was last found to hold every statement of, each at its place,
    /// with nothing written since ([`FullText::mark_checked`]); `None` for
    /// an index in memory.
    #[must_use]
    pub fn checked_against(&self) -> Option<(u64, usize)> {
        let value: String = self
            .kept()?
            .query_row("SELECT value FROM meta WHERE key = ?1", [CHECKED], |row| {
                row.get(0)
            })
            .ok()?;
        let (generation, count) = value.split_once(':')?;
        Some((generation.parse().ok()?, count.parse().ok()?))
    }

    /// Records that the kept index holds exactly the `count` statements of
    /// the catalog snapshot of `generation`, each at its place (checked
    /// id by id, or indexed from it, just now). Nothing for an index in
    /// memory.
    ///
    /// # Errors
    /// When SQLite fails to write.
    pub fn mark_checked(&self, generation: u64, count: usize) -> anyhow::Result<()> {
        if self.indexed() != count {
            return Ok(());
        }
        let Some(connection) = self.kept() else {
            return Ok(());
        };
        connection
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                [CHECKED, &format!("{generation}:{count}")],
            )
            .context("writing the kept full-text index")?;
        Ok(())
    }

    /// Whether the index is one kept in a cache folder (it knows which
    /// statement each position holds, and the archive files it was made
    /// of).
    #[must_use]
    pub fn is_kept(&self) -> bool {
        self.kept.is_some()
    }

    /// Carries a kept index over to the archive as reloaded: `ids` and
    /// `paths` are its statements' ids and files in the order read, `files`
    /// the archive's files as stamped before it was read. The index keeps
    /// its first statements as long as each is the same statement at the
    /// same place from a file unchanged since it was indexed; from the
    /// first that is not on, everything is dropped (to be indexed again),
    /// and the files are recorded as they are now, so the next start trusts
    /// it. Gives how many it kept.
    ///
    /// # Errors
    /// When SQLite fails to read or write, or the index is not kept.
    pub fn carry_over(
        &self,
        ids: &[&str],
        paths: &[&Path],
        files: &[FileStamp],
    ) -> anyhow::Result<usize> {
        let Some(mut connection) = self.kept() else {
            anyhow::bail!("an index in memory is not carried over");
        };
        let then: std::collections::HashMap<String, (i64, i64, i64)> = {
            let mut select = connection.prepare("SELECT path, size, modified, inode FROM files")?;
            select
                .query_map([], |row| {
                    Ok((row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?)))
                })?
                .collect::<Result<_, _>>()?
        };
        let mut unchanged = std::collections::HashSet::new();
        for file in files {
            let path = absolute(&file.path);
            let now = (
                i64::try_from(file.size)?,
                file.modified,
                i64::try_from(file.inode)?,
            );
            if then.get(&path) == Some(&now) {
                unchanged.insert(path);
            }
        }
        let indexed = self.indexed();
        let kept_ids: Vec<String> = {
            let mut select = connection
                .prepare("SELECT id FROM statement_ids WHERE position < ?1 ORDER BY position")?;
            select
                .query_map([i64::try_from(indexed)?], |row| row.get(0))?
                .collect::<Result<_, _>>()?
        };
        // Each file's path made absolute once (its statements are together).
        let mut same = 0;
        let mut last: Option<(&Path, bool)> = None;
        for (kept, (&id, &path)) in kept_ids.iter().zip(ids.iter().zip(paths)) {
            if kept != id {
                break;
            }
            let file_unchanged = match last {
                Some((seen, known)) if seen == path => known,
                _ => {
                    let known = unchanged.contains(&absolute(path));
                    last = Some((path, known));
                    known
                }
            };
            if !file_unchanged {
                break;
            }
            same += 1;
        }
        // What changed is dropped before the files are recorded as they
        // are now: a run stopped between the two finds the files changed.
        self.drop_from(&mut connection, same)?;
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM files", [])?;
        record_files(&transaction, files)?;
        transaction
            .commit()
            .context("writing the kept full-text index")?;
        Ok(same)
    }
}

/// Records the archive's files as stamped, in the loader's order.
fn record_files(connection: &Connection, files: &[FileStamp]) -> anyhow::Result<()> {
    let mut insert = connection.prepare(
        "INSERT INTO files(number, path, size, modified, inode) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (number, file) in files.iter().enumerate() {
        insert.execute(rusqlite::params![
            i64::try_from(number)?,
            absolute(&file.path),
            i64::try_from(file.size)?,
            file.modified,
            i64::try_from(file.inode)?,
        ])?;
    }
    Ok(())
}

/// A file's path as the cache keeps it: absolute, so the same archive named
/// from another folder is the same.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}
