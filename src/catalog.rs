//! Opening an archive, the one way every command, the browser's reload and
//! the browser's first load start from: the [`Source`] (where the archive
//! is, how it is read, and the cache folder), and the catalog snapshot kept
//! there ([`snapshot`]) so that an unchanged archive opens without being
//! parsed again. A snapshot is used only when it checks out against the
//! archive's files as they are now; otherwise the archive is read and a new
//! snapshot written for next time. [`load_indexed`] also gives the fuzzy
//! search index kept beside the snapshot (made and kept when there is none
//! that can be trusted); [`load_shelved`] leaves the statements encoded on
//! the snapshot, for a command that restores only those it prints.

mod kept;
pub mod order;
mod owner;
pub mod snapshot;
mod statements;

use std::path::{Path, PathBuf};

use crate::loader::{Archive, FileStamp, LoadOptions, ReadPolicy, file_stamps, load_with};
use crate::records::Statement;
use crate::search::Index;
pub use kept::KeptHead;

pub use order::{
    Order, kept_or_newest_order, merge_newest, newest_order, newest_positions, newest_positions_by,
    newest_positions_of, ranks, trusted_order, trusted_order_by,
};
pub use owner::{Catalog, Remap, problem_lines};
pub use snapshot::KeptIndex;
pub use snapshot::Refused;
pub use statements::{Statements, TextParts};

/// Where an archive is and how it is read, as the settings resolved them
/// for the browser and every command.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub root: PathBuf,
    pub policy: ReadPolicy,
    /// The cache folder; `None`: nothing is kept (restricted mode without
    /// `--cache`), every open reads the archive.
    pub cache: Option<PathBuf>,
}

impl Source {
    #[must_use]
    pub fn new(root: &Path, policy: ReadPolicy, cache: Option<&Path>) -> Self {
        Self {
            root: root.to_path_buf(),
            policy,
            cache: cache.map(Path::to_path_buf),
        }
    }

    fn options(&self, bodies_on_disk: bool) -> LoadOptions {
        LoadOptions {
            bodies_on_disk,
            policy: self.policy,
            ..LoadOptions::default()
        }
    }
}

/// How an archive was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warmth {
    /// From the snapshot: nothing parsed.
    Warm,
    /// Read from the archive's files, and why no snapshot was used; then a
    /// snapshot was written, or why not.
    Cold {
        refused: Option<Refused>,
        kept: Result<(), String>,
    },
}

/// The archive with its bodies left on disk (read back one at a time with
/// [`crate::loader::read_full`]), newest first: from the snapshot when it
/// can be trusted, else read and kept for next time.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load(source: &Source) -> anyhow::Result<(Archive, Warmth)> {
    let (mut archive, warmth) = load_in_file_order(source)?;
    // Ids are unique once loaded, so the order is total and an unstable
    // sort (in place, moving each statement less) gives the same.
    archive.statements.sort_unstable_by(Statement::newest_first);
    Ok((archive, warmth))
}

/// As [`load`], the statements in the order the loader read them (file
/// by file), which is the order the snapshot keeps.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load_in_file_order(source: &Source) -> anyhow::Result<(Archive, Warmth)> {
    opened(source).map(|(archive, warmth, _)| (archive, warmth))
}

/// An archive opened in file order with its fuzzy search index: see
/// [`load_indexed`].
#[derive(Debug)]
pub struct Indexed {
    pub archive: Archive,
    pub index: Index,
    /// The newest-first order kept beside the index, not yet checked
    /// against the statements (see [`kept_or_newest_order`]), or made now.
    pub order: Vec<u32>,
    /// The contacts directory, when asked for (kept beside the index, or
    /// made now and kept there).
    pub directory: Option<crate::contacts::Directory>,
    pub warmth: Warmth,
}

impl Indexed {
    /// The catalog of it.
    #[must_use]
    pub fn into_catalog(self) -> Catalog {
        let mut catalog = Catalog::opened(self.archive, self.index, Some(self.order));
        if let Some(directory) = self.directory {
            catalog.set_directory(directory);
        }
        catalog
    }
}

/// As [`load_in_file_order`], with the fuzzy search index over the
/// statements in that order and their newest-first order: those kept beside
/// the snapshot when they can be trusted, else made now and kept for next
/// time.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load_indexed(source: &Source) -> anyhow::Result<Indexed> {
    load_indexed_as_stamped(source, None, false)
}

/// As [`load_indexed`], with the archive's files as the caller stamped
/// them just before (a reload stamps them for the full-text index too):
/// the archive's tree is walked once. With `contacts`, also the contacts
/// directory: kept beside the index, else made now and kept there, so the
/// browser's next start takes it as kept (a reload asks for it; a command,
/// which shows no contact, does not).
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load_indexed_as_stamped(
    source: &Source,
    stamps: Option<Vec<FileStamp>>,
    contacts: bool,
) -> anyhow::Result<Indexed> {
    let stamps = match (&source.cache, stamps) {
        (Some(_), None) => Some(file_stamps(&source.root, source.policy)?),
        (_, stamps) => stamps,
    };
    // The kept index is read and decoded while the snapshot is, then
    // checked against it; not when the snapshot's header already says it
    // is stale (the archive changed: the index is made again).
    let ahead = source
        .cache
        .clone()
        .filter(|folder| {
            stamps.as_ref().is_some_and(|stamps| {
                snapshot::may_be_current(folder, &source.root, source.policy, stamps)
            })
        })
        .map(|folder| {
            let root = source.root.clone();
            std::thread::spawn(move || snapshot::read_index_ahead(&folder, &root, contacts))
        });
    // Read from the files, the index is made while the snapshot is kept.
    let (archive, warmth, generation, made) =
        opened_as_stamped_with(source, stamps, |archive: &Archive| {
            made_for(archive, contacts)
        })?;
    let kept = match (&source.cache, generation) {
        (Some(folder), Some(generation)) => Some((folder, generation)),
        _ => None,
    };
    let ahead = ahead.and_then(|reading| reading.join().ok());
    if made.is_none()
        && let (Some(generation), Some(Ok(ahead))) = (generation, ahead)
        && let Ok(kept_index) = ahead.check(generation, &crate::search::signed(&archive.statements))
    {
        let mut directory = kept_index.directory;
        if contacts && directory.is_none() {
            // Kept by a command: the directory is made now and kept with
            // the index.
            let made = crate::contacts::Directory::from_archive(&archive);
            if let Some((folder, generation)) = kept {
                let _ = snapshot::write_index(
                    folder,
                    &source.root,
                    generation,
                    &kept_index.index,
                    &kept_index.order,
                    Some(&made),
                );
            }
            directory = Some(made);
        }
        return Ok(Indexed {
            archive,
            index: kept_index.index,
            order: kept_index.order,
            directory,
            warmth,
        });
    }
    let (index, order, directory) = made.unwrap_or_else(|| made_for(&archive, contacts));
    if let Some((folder, generation)) = kept {
        // Not kept: the next open indexes again, as this one did.
        let _ = snapshot::write_index(
            folder,
            &source.root,
            generation,
            &index,
            &order,
            directory.as_ref(),
        );
    }
    Ok(Indexed {
        archive,
        index,
        order,
        directory,
        warmth,
    })
}

/// The search index of an archive's statements, their newest-first order
/// and, with `contacts`, the contacts directory.
fn made_for(
    archive: &Archive,
    contacts: bool,
) -> (Index, Vec<u32>, Option<crate::contacts::Directory>) {
    let index = Index::new(&archive.statements);
    let order = newest_positions_of(&archive.statements);
    let directory = contacts.then(|| crate::contacts::Directory::from_archive(archive));
    (index, order, directory)
}

/// What a command opens a catalog for ([`load_shelved`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Statements looked up by id (`show`, `mark ID`): no order, no index.
    Ids,
    /// Statements listed newest first (`list` without a query): no index.
    Listed,
    /// Statements searched and listed (`list --query`).
    Searched,
}

/// What a command that prints or names a few statements needs (`list`,
/// `show`, `mark`): searched, the catalog searchable as [`load_indexed`]
/// gives it; listed, only ordered (no index is read or made); looked up by
/// id, neither ordered nor indexed (its `order` is empty). When the
/// snapshot (and, to search, the index kept beside it) checks out, its
/// statements are left on the snapshot's shelf, each restored when asked
/// for ([`Catalog::shelved`]); otherwise the archive is opened whole (and
/// kept for next time) as [`load_indexed`] or [`load_in_file_order`] open
/// it.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load_shelved(source: &Source, wanted: Wanted) -> anyhow::Result<Catalog> {
    let searched = wanted == Wanted::Searched;
    let Some(folder) = &source.cache else {
        return opened_whole(source, searched, None);
    };
    let stamps = file_stamps(&source.root, source.policy)?;
    // The kept index is read and decoded while the snapshot is, unless the
    // snapshot's header already says it is stale (the archive changed).
    let ahead = (searched
        && snapshot::may_be_current(folder, &source.root, source.policy, &stamps))
    .then(|| {
        let (folder, root) = (folder.clone(), source.root.clone());
        std::thread::spawn(move || snapshot::read_index_ahead(&folder, &root, false))
    });
    if let Ok(shelf) = snapshot::shelf(folder, &source.root, source.policy, &stamps) {
        if wanted == Wanted::Ids {
            // Each id is looked up in place: no head is decoded ahead.
            return Ok(Catalog::shelved(shelf, Index::default(), Vec::new()));
        }
        let made = shelf.heads().ok().and_then(|heads| match ahead {
            // Searched without an index read ahead: the snapshot was
            // replaced between the two looks; opened whole below.
            None if searched => None,
            None => Some((Index::default(), shelf_order(&heads, None))),
            Some(reading) => {
                let ahead = reading.join().ok()?.ok()?;
                let signed: Vec<usize> = heads.iter().map(KeptHead::signed).collect();
                let kept = ahead.check(shelf.generation, &signed).ok()?;
                Some((kept.index, shelf_order(&heads, Some(kept.order))))
            }
        });
        if let Some((index, order)) = made {
            return Ok(Catalog::shelved(shelf, index, order));
        }
    }
    opened_whole(source, searched, Some(stamps))
}

/// The newest-first order of statements on a shelf, from their `heads`:
/// `kept` (kept beside the index) when it is that order, else sorted.
pub(crate) fn shelf_order(heads: &[KeptHead<'_>], kept: Option<Vec<u32>>) -> Vec<u32> {
    let newest_first = |a: u32, b: u32| heads[a as usize].newest_first(&heads[b as usize]);
    kept.and_then(|kept| trusted_order_by(kept, heads.len(), newest_first))
        .unwrap_or_else(|| newest_positions_by(heads.len(), newest_first))
}

/// The archive opened whole for [`load_shelved`], the files as stamped
/// already when they were.
fn opened_whole(
    source: &Source,
    searched: bool,
    stamps: Option<Vec<FileStamp>>,
) -> anyhow::Result<Catalog> {
    if searched {
        Ok(load_indexed_as_stamped(source, stamps, false)?.into_catalog())
    } else {
        Ok(Catalog::unindexed(opened_as_stamped(source, stamps)?.0))
    }
}

/// The archive in file order, how it was opened, and the generation of
/// its snapshot when there is one (see [`snapshot`]).
fn opened(source: &Source) -> anyhow::Result<(Archive, Warmth, Option<u64>)> {
    opened_as_stamped(source, None)
}

/// As [`opened`], with the archive's files as stamped just before (when
/// the caller stamped them already: they are walked once).
fn opened_as_stamped(
    source: &Source,
    stamps: Option<Vec<FileStamp>>,
) -> anyhow::Result<(Archive, Warmth, Option<u64>)> {
    let (archive, warmth, generation, _) = opened_as_stamped_with(source, stamps, |_| ())?;
    Ok((archive, warmth, generation))
}

/// As [`opened_as_stamped`]; when the archive is read from its files,
/// `read` runs on it too (what the caller makes of every statement: the
/// search index), on the other core while the snapshot is written, and
/// its result comes with the archive. Taken from the snapshot, `read` does
/// not run: what it makes may be kept beside the snapshot.
fn opened_as_stamped_with<R: Send>(
    source: &Source,
    stamps: Option<Vec<FileStamp>>,
    read: impl FnOnce(&Archive) -> R + Send,
) -> anyhow::Result<(Archive, Warmth, Option<u64>, Option<R>)> {
    let Some(folder) = &source.cache else {
        let archive = load_with(&source.root, source.options(true), &mut |_, _| {})?;
        let made = read(&archive);
        return Ok((
            archive,
            Warmth::Cold {
                refused: None,
                kept: Err("no cache folder".into()),
            },
            None,
            Some(made),
        ));
    };
    let stamps = match stamps {
        Some(stamps) => stamps,
        None => file_stamps(&source.root, source.policy)?,
    };
    let refused = match snapshot::read(folder, &source.root, source.policy, &stamps) {
        Ok((archive, generation)) => return Ok((archive, Warmth::Warm, Some(generation), None)),
        Err(refused) => refused,
    };
    let archive = load_with(&source.root, source.options(true), &mut |_, _| {})?;
    let (kept, made) = rayon::join(
        || keep(folder, source.policy, &stamps, &archive),
        || read(&archive),
    );
    let generation = kept.as_ref().ok().copied();
    Ok((
        archive,
        Warmth::Cold {
            refused: Some(refused),
            kept: kept.map(drop),
        },
        generation,
        Some(made),
    ))
}

/// Writes the snapshot of a whole archive read from files stamped `stamps`;
/// its generation.
fn keep(
    folder: &Path,
    policy: ReadPolicy,
    stamps: &[FileStamp],
    archive: &Archive,
) -> Result<u64, String> {
    snapshot::write(folder, policy, stamps, archive).map_err(|err| format!("{err:#}"))
}

/// The archive with its bodies read (for commands that print them): always
/// from the files, as the snapshot keeps no body.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn load_with_bodies(source: &Source) -> anyhow::Result<Archive> {
    crate::loader::load(&source.root, source.options(false))
}
