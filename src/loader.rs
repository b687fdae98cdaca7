//! Archive loading: a file or a folder becomes statements plus a list of
//! problems, each naming the file, line and column. The loader walks the
//! folder (`files`), splits each file into records (`records`) and hands each
//! to the format that reads it (`crate::formats`); it knows nothing of what
//! a record holds. One bad record never stops the others loading; an id read
//! twice is loaded from neither copy, unless the copies are versions of one
//! item (GOV.UK), when the later is loaded. No terminal code here.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

mod files;
mod records;

pub use files::{DEFAULT_MAX_RECORD_SIZE, ReadPolicy, open_regular, parse_size};

pub use crate::formats::{Problem, RecordRef, Severity};

use records::{
    BOM, Located, Parsed, bom_warning, failed, note_link, parse_file, parse_json_record,
    parse_lines,
};

use crate::contacts::{ContactEntry, Directory};
use crate::formats::{self, Framing, StatementAt};
use crate::records::{Published, Signatory, Statement};

/// Options that change what the loader reports or keeps, never which
/// statements it loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Report fields the native format does not define.
    pub strict: bool,
    /// Leave bodies in the archive files (noting where each record lies) so
    /// they are not held in memory: [`read_full`] reads one back.
    pub bodies_on_disk: bool,
    /// Which links are followed, and how big a record may be.
    pub policy: ReadPolicy,
}

/// How far a load has got, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of record files read so far, and in all.
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Statements loaded so far.
    pub statements: usize,
}

/// A loaded archive: its statements newest first, and what went wrong.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    pub root: PathBuf,
    pub statements: Vec<Statement>,
    /// Contacts from GOV.UK items that hold no statement (contact,
    /// organisation and media enquiries items), one per contact, not yet
    /// merged: see [`crate::contacts::Directory`].
    pub contacts: Vec<ContactEntry>,
    pub problems: Vec<Problem>,
    /// Files in the folder that no format reads (not counting the archive's
    /// README, licence and schema), in walk order.
    pub skipped: Vec<PathBuf>,
    /// How many files were read as records.
    pub files_read: usize,
    /// Ids whose copy already handed to a caller of [`load_with`] is not the
    /// one loaded: ids found in more than one record (so not loaded at all),
    /// and items of which a later version came after the earlier was handed
    /// on. A caller that took statements as they came must reload.
    pub withdrawn: Vec<String>,
}

impl Archive {
    /// A short name for headers: the folder or file name.
    #[must_use]
    pub fn name(&self) -> String {
        self.root
            .canonicalize()
            .ok()
            .as_deref()
            .unwrap_or(&self.root)
            .file_name()
            .map_or_else(
                || self.root.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
    }

    /// Problems that `check` counts: errors and warnings, not notices.
    pub fn counted_problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|problem| problem.severity != Severity::Notice)
    }

    #[must_use]
    pub fn find(&self, id: &str) -> Option<&Statement> {
        self.statements.iter().find(|statement| statement.id == id)
    }
}

impl Directory {
    /// [`Directory::build`] over a loaded archive. (Written here so that the
    /// contacts module, which the formats build on, never imports the loader.)
    #[must_use]
    pub fn from_archive(archive: &Archive) -> Self {
        Self::build(&archive.statements, &archive.contacts)
    }
}

/// Loads a file or folder.
///
/// # Errors
/// Only when the path itself cannot be opened; everything inside it that is
/// wrong becomes a [`Problem`].
pub fn load(root: &Path, options: LoadOptions) -> anyhow::Result<Archive> {
    let mut archive = load_with(root, options, &mut |_, _| {})?;
    archive.statements.sort_by(Statement::newest_first);
    Ok(archive)
}

/// Loads a file or folder as [`load`] does, calling `on_batch` each time
/// more statements have been read (in file order, not yet sorted), with the
/// progress so far. `on_batch` may take the statements out of the vector;
/// those it leaves end up in the returned archive, unsorted.
///
/// # Errors
/// Only when the path itself cannot be opened.
/// One file of an archive as it is on disk now: what a cache built from it
/// is checked against (a file changed in place keeps its inode but not its
/// size or modification time; one replaced has another inode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub path: PathBuf,
    pub size: u64,
    /// Nanoseconds since 1970.
    pub modified: i64,
    pub inode: u64,
}

/// The files the loader would read from `root`, in its order, stamped.
///
/// # Errors
/// When the archive cannot be opened at all.
pub fn file_stamps(root: &Path, policy: ReadPolicy) -> anyhow::Result<Vec<FileStamp>> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(root)
        .map_err(|err| anyhow::anyhow!("cannot open archive {}: {err}", root.display()))?;
    let paths: Vec<PathBuf> = if metadata.is_dir() {
        files::archive_files(root, policy, &mut Vec::new(), &mut Vec::new())
            .into_iter()
            .map(|found| found.path)
            .collect()
    } else {
        vec![root.to_path_buf()]
    };
    Ok(paths
        .into_iter()
        .map(|path| {
            let metadata = std::fs::metadata(&path).ok();
            FileStamp {
                size: metadata.as_ref().map_or(0, std::fs::Metadata::len),
                modified: metadata.as_ref().map_or(0, |metadata| {
                    metadata
                        .mtime()
                        .saturating_mul(1_000_000_000)
                        .saturating_add(metadata.mtime_nsec())
                }),
                inode: metadata.as_ref().map_or(0, MetadataExt::ino),
                path,
            }
        })
        .collect())
}

pub fn load_with(
    root: &Path,
    options: LoadOptions,
    on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
) -> anyhow::Result<Archive> {
    let metadata = std::fs::metadata(root)
        .map_err(|err| anyhow::anyhow!("cannot open archive {}: {err}", root.display()))?;
    if !metadata.is_dir() && !metadata.is_file() {
        // A FIFO would never end (or never start), nor would `/dev/zero`.
        anyhow::bail!(
            "cannot open archive {}: it is {}, not a file or folder",
            root.display(),
            files::kind_of(metadata.file_type())
        );
    }
    let mut loader = Loader {
        options,
        archive: Archive {
            root: root.to_path_buf(),
            ..Archive::default()
        },
        seen: HashMap::default(),
        collided: HashSet::default(),
        superseded_late: HashSet::default(),
        progress: Progress::default(),
        loaded: 0,
        signatories: HashSet::default(),
        pending: None,
    };
    let found = if metadata.is_dir() {
        files::archive_files(
            root,
            options.policy,
            &mut loader.archive.problems,
            &mut loader.archive.skipped,
        )
    } else {
        // A file named on the command line is read wherever it leads.
        vec![files::Found {
            path: root.to_path_buf(),
            size: metadata.len(),
            via_link: true,
        }]
    };
    loader.progress.bytes_total = found.iter().map(|file| file.size).sum();
    loader.archive.files_read = found.len();
    // Small files are read whole, many at a time; a big JSON Lines file is
    // streamed in chunks whose lines are parsed in parallel.
    let mut pending: Vec<files::Found> = Vec::new();
    let mut pending_bytes = 0;
    for file in found {
        if file.size > STREAM_ABOVE && is_lines_file(&file.path) {
            loader.flush_files(&mut pending, on_batch);
            pending_bytes = 0;
            loader.stream_lines(&file, on_batch);
        } else {
            pending_bytes += file.size;
            pending.push(file);
            if pending_bytes > CHUNK as u64 || pending.len() >= FILES_PER_BATCH {
                loader.flush_files(&mut pending, on_batch);
                pending_bytes = 0;
            }
        }
    }
    loader.flush_files(&mut pending, on_batch);
    loader.settle(on_batch);
    Ok(loader.finish())
}

/// The notice for a copy of an item that a later version replaces.
fn superseded_message(mine: &Published, later: &Published, at: &str) -> String {
    format!(
        "superseded: version of {} replaced by the later version of {} at {at}; not loaded",
        mine.as_str(),
        later.as_str()
    )
}

/// How [`duplicate_message`] starts.
const DUPLICATE: &str = "duplicate id, also at ";

/// The problem reported for each copy of a duplicated id.
fn duplicate_message(other: &str) -> String {
    format!("{DUPLICATE}{other}: no copy of this id is loaded")
}

/// A fast hash, seeded per process so crafted ids cannot make it slow.
type FastHash = foldhash::fast::RandomState;

/// JSON Lines files bigger than this are streamed rather than read whole.
const STREAM_ABOVE: u64 = 16 << 20;
/// Bytes read and parsed at a time.
const CHUNK: usize = 8 << 20;
/// Small files parsed in parallel at a time.
const FILES_PER_BATCH: usize = 256;

fn is_lines_file(path: &Path) -> bool {
    formats::framing(path) == Some(Framing::JsonLines)
}

/// The copy of an id that is loaded so far.
struct Seen {
    path: Arc<Path>,
    /// Line and column.
    start: (usize, usize),
    version: Option<Published>,
}

struct Loader {
    options: LoadOptions,
    archive: Archive,
    /// Ids already read: where the copy loaded came from, and its version.
    seen: HashMap<String, Seen, FastHash>,
    /// Ids read more than once: no copy of them is loaded.
    collided: HashSet<String, FastHash>,
    /// Ids whose loaded copy was superseded by a later version after the
    /// batch callback may have taken it.
    superseded_late: HashSet<String, FastHash>,
    progress: Progress,
    /// Statements not yet handed to the batch callback.
    loaded: usize,
    /// One copy of each distinct signatory (they repeat across statements).
    signatories: HashSet<Arc<Signatory>, FastHash>,
    /// What the last batch parsed, taken while the next one is parsed (see
    /// [`Loader::overlapped`]).
    pending: Option<Batch>,
}

/// Records parsed and not taken yet, and the bytes of archive they came
/// from (counted as done once they are taken).
struct Batch {
    parsed: Vec<Parsed>,
    bytes: u64,
}

impl Loader {
    /// Parses small files in parallel and takes what they hold in order
    /// (while the next batch is parsed: see [`Loader::overlapped`]).
    fn flush_files(
        &mut self,
        files: &mut Vec<files::Found>,
        on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
    ) {
        if files.is_empty() {
            return;
        }
        let options = self.options;
        let bytes = files.iter().map(|file| file.size).sum::<u64>();
        let batch = std::mem::take(files);
        self.overlapped(
            move || {
                batch
                    .par_iter()
                    .flat_map_iter(|file| {
                        let mut parsed = parse_file(&file.path, file.via_link, options);
                        note_link(&mut parsed, file.via_link);
                        parsed
                    })
                    .collect()
            },
            bytes,
            on_batch,
        );
    }

    /// Runs `parse` (a batch's records, parsed in parallel) on rayon's
    /// threads while this one takes the batch parsed before it; the new
    /// batch is taken by the next call or by [`Loader::settle`]. Taking a
    /// batch (ids checked, signatories shared, the caller's `on_batch`:
    /// the browser's index and the kept snapshot) is work for one thread,
    /// and done after parsing it would leave the other core idle, half the
    /// time of a cold load on two cores.
    fn overlapped(
        &mut self,
        parse: impl FnOnce() -> Vec<Parsed> + Send,
        bytes: u64,
        on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
    ) {
        let mut parsed = None;
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| parsed = Some(parse()));
            self.settle(on_batch);
        });
        self.pending = Some(Batch {
            parsed: parsed.unwrap_or_default(),
            bytes,
        });
    }

    /// Takes what the loader reports itself (a file it cannot read, a line
    /// too long), after the batch parsed before it.
    fn accept_in_order(
        &mut self,
        on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
        parsed: Parsed,
    ) {
        self.settle(on_batch);
        self.accept(parsed);
    }

    /// Takes the batch parsed last, if one waits: in order, before anything
    /// read after it.
    fn settle(&mut self, on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress)) {
        let Some(Batch { parsed, bytes }) = self.pending.take() else {
            return;
        };
        for parsed in parsed {
            self.accept(parsed);
        }
        self.progress.bytes_done += bytes;
        self.batch_done(on_batch);
    }

    /// Reads a big JSON Lines file a chunk at a time (up to the size it had
    /// when opened). A line longer than the record limit is reported and
    /// skipped without being held.
    fn stream_lines(
        &mut self,
        found: &files::Found,
        on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
    ) {
        let path = found.path.as_path();
        let shared: Arc<Path> = Arc::from(path);
        let mut file = match files::open_regular(path, found.via_link) {
            Ok((file, size)) => file.take(size),
            Err(err) => {
                return self.accept_in_order(
                    on_batch,
                    failed(
                        path,
                        (1, 1),
                        None,
                        format!("cannot read: {err}"),
                        Severity::Error,
                    ),
                );
            }
        };
        let max = self.options.policy.max_record_size;
        let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK * 2);
        // Absolute offset of buffer[0], and the line number it starts.
        let mut base: u64 = 0;
        let mut line = 1;
        let mut any_content = false;
        let mut first = true;
        // Inside a line too long to keep: read on to its end.
        let mut skipping = false;
        loop {
            let filled = buffer.len();
            buffer.resize(filled + CHUNK, 0);
            let read = match files::read_some(&mut file, &mut buffer[filled..]) {
                Ok(read) => read,
                Err(err) => {
                    buffer.truncate(filled);
                    self.accept_in_order(
                        on_batch,
                        failed(
                            path,
                            (line, 1),
                            None,
                            format!("cannot read: {err}"),
                            Severity::Error,
                        ),
                    );
                    break;
                }
            };
            buffer.truncate(filled + read);
            let at_end = read == 0;
            let mut skip = 0;
            if first {
                first = false;
                if buffer.starts_with(BOM) {
                    self.accept_in_order(on_batch, bom_warning(path));
                    skip = BOM.len();
                }
            }
            if skipping {
                let Some(newline) = memchr::memchr(b'\n', &buffer) else {
                    self.skipped(&mut buffer, &mut base);
                    if at_end {
                        break;
                    }
                    continue;
                };
                buffer.drain(..=newline);
                base += newline as u64 + 1;
                self.progress.bytes_done += newline as u64 + 1;
                line += 1;
                skipping = false;
            }
            let end = if at_end {
                buffer.len()
            } else {
                match memchr::memrchr(b'\n', &buffer) {
                    Some(newline) => newline + 1,
                    None if (buffer.len() - skip) as u64 > max => {
                        any_content = true;
                        self.accept_in_order(
                            on_batch,
                            failed(
                                path,
                                (line, 1),
                                Some(RecordRef::Index(line - 1)),
                                files::too_long(self.options.policy),
                                Severity::Error,
                            ),
                        );
                        self.skipped(&mut buffer, &mut base);
                        skipping = true;
                        continue;
                    }
                    None => continue,
                }
            };
            let lines = &buffer[skip..end];
            any_content |= !lines.iter().all(u8::is_ascii_whitespace);
            let (offset, first_line) = (base + skip as u64, line);
            let (options, via_link, shared) = (self.options, found.via_link, &shared);
            self.overlapped(
                move || {
                    let mut parsed = parse_lines(shared, lines, offset, first_line, options);
                    note_link(&mut parsed, via_link);
                    parsed
                },
                end as u64,
                on_batch,
            );
            line += memchr::memchr_iter(b'\n', lines).count();
            buffer.drain(..end);
            base += end as u64;
            if at_end {
                break;
            }
        }
        if !any_content {
            self.accept_in_order(
                on_batch,
                failed(
                    path,
                    (1, 1),
                    None,
                    "empty file: no records".into(),
                    Severity::Error,
                ),
            );
        }
    }

    /// Drops what the buffer holds of a line too long to keep.
    fn skipped(&mut self, buffer: &mut Vec<u8>, base: &mut u64) {
        *base += buffer.len() as u64;
        self.progress.bytes_done += buffer.len() as u64;
        buffer.clear();
    }

    /// The archive, without the first copies of ids read again later.
    fn finish(self) -> Archive {
        let Self {
            mut archive,
            collided,
            superseded_late,
            ..
        } = self;
        if !collided.is_empty() {
            archive
                .statements
                .retain(|statement| !collided.contains(&statement.id));
        }
        let mut withdrawn: Vec<String> = collided.into_iter().chain(superseded_late).collect();
        withdrawn.sort();
        withdrawn.dedup();
        archive.withdrawn = withdrawn;
        archive
    }

    fn batch_done(&mut self, on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress)) {
        self.progress.statements += self.loaded;
        self.loaded = 0;
        on_batch(&mut self.archive.statements, self.progress);
    }

    /// Takes one parsed record in file order: its problems, its contacts and
    /// its statement unless an earlier record had the same id.
    fn accept(&mut self, parsed: Parsed) {
        self.archive.problems.extend(parsed.problems);
        self.archive.contacts.extend(parsed.contacts);
        for read in parsed.statements {
            self.accept_statement(read);
        }
    }

    /// Takes one statement unless an earlier record had the same id.
    fn accept_statement(&mut self, read: StatementAt) {
        let StatementAt {
            mut statement,
            record,
            start,
            version,
        } = read;
        let at = |path: &Path, (line, column): (usize, usize)| {
            format!("{}:{line}:{column}", path.display())
        };
        let this_path = Arc::clone(&statement.origin.path);
        if let Some(first) = self.seen.get(&statement.id)
            && let (Some(old), Some(new)) = (&first.version, &version)
            && old.timestamp() != new.timestamp()
        {
            // Two versions of one item: the later is the item as it stands,
            // whichever file it is in.
            if new < old {
                self.archive.problems.push(Problem::new(
                    &this_path,
                    start,
                    Some(record),
                    superseded_message(new, old, &at(&first.path, first.start)),
                    Severity::Notice,
                ));
                return;
            }
            let message = superseded_message(old, new, &at(&this_path, start));
            if self.collided.remove(&statement.id) {
                // Copies of one version were duplicates until a later
                // version came: now each is superseded, whatever the order.
                let name = Some(RecordRef::Id(statement.id.clone()));
                for problem in &mut self.archive.problems {
                    if problem.record == name
                        && problem.severity == Severity::Error
                        && problem.message.starts_with(DUPLICATE)
                    {
                        problem.message.clone_from(&message);
                        problem.severity = Severity::Notice;
                    }
                }
            } else {
                self.archive.problems.push(Problem::new(
                    &first.path,
                    first.start,
                    Some(RecordRef::Id(statement.id.clone())),
                    message,
                    Severity::Notice,
                ));
            }
            self.seen.insert(
                statement.id.clone(),
                Seen {
                    path: Arc::clone(&this_path),
                    start,
                    version,
                },
            );
            self.share_signatories(&mut statement);
            match self
                .archive
                .statements
                .iter_mut()
                .rev()
                .find(|kept| kept.id == statement.id)
            {
                Some(kept) => *kept = statement,
                // Already handed on: the caller reloads.
                None => {
                    self.superseded_late.insert(statement.id);
                }
            }
            return;
        }
        if let Some(Seen {
            path: first_path,
            start: first_start,
            ..
        }) = self.seen.get(&statement.id)
        {
            // Neither copy is loaded: whichever won, marks made on the one
            // would pass to the other (a file that sorts first could take a
            // statement's place and its marks). Versions of one item are
            // told apart above; two copies of one version land here.
            let this_path = &this_path;
            if self.collided.insert(statement.id.clone()) {
                self.archive.problems.push(Problem::new(
                    first_path,
                    *first_start,
                    Some(RecordRef::Id(statement.id.clone())),
                    duplicate_message(&at(this_path, start)),
                    Severity::Error,
                ));
            }
            self.archive.problems.push(Problem::new(
                this_path,
                start,
                Some(record),
                duplicate_message(&at(first_path, *first_start)),
                Severity::Error,
            ));
            return;
        }
        self.share_signatories(&mut statement);
        self.seen.insert(
            statement.id.clone(),
            Seen {
                path: this_path,
                start,
                version,
            },
        );
        self.archive.statements.push(statement);
        self.loaded += 1;
    }

    /// One copy of each distinct signatory across the archive.
    fn share_signatories(&mut self, statement: &mut Statement) {
        for signatory in &mut statement.signatories {
            match self.signatories.get(signatory) {
                Some(shared) => *signatory = Arc::clone(shared),
                None => {
                    self.signatories.insert(Arc::clone(signatory));
                }
            }
        }
    }
}

/// Reads a statement whose body was left on disk back in full.
///
/// # Errors
/// When the file cannot be read or no longer holds that record there (it
/// changed since it was loaded).
pub fn read_full(statement: &Statement) -> anyhow::Result<Statement> {
    let Some(stored) = statement.origin.stored else {
        return Ok(statement.clone());
    };
    let path = &statement.origin.path;
    // Never a FIFO (which would hold the screen) nor a link planted in the
    // file's place since it was loaded.
    let (mut file, _) = files::open_regular(path, stored.via_link)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
    file.seek(std::io::SeekFrom::Start(stored.offset))?;
    let len = usize::try_from(stored.len)?;
    let mut bytes = vec![0; len];
    file.read_exact(&mut bytes).map_err(|_| {
        anyhow::anyhow!(
            "{} changed since it was loaded: press L to reload",
            path.display()
        )
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        anyhow::anyhow!(
            "{} changed since it was loaded: press L to reload",
            path.display()
        )
    })?;
    let located = Located {
        text,
        start: (statement.origin.line, 1),
        offset: stored.offset,
        index: 0,
        rereadable: true,
    };
    // Read in the zone the statement was loaded in, as the archive set it.
    let options = LoadOptions {
        policy: ReadPolicy {
            time_zone: statement.published.zone(),
            reflow: stored.reflow,
            ..ReadPolicy::default()
        },
        ..LoadOptions::default()
    };
    let mut read = parse_json_record(path, &located, options)
        .statements
        .into_iter();
    match read.next().map(|read| read.statement) {
        Some(mut full) if full.id == statement.id => {
            full.origin = statement.origin.clone();
            full.origin.stored = None;
            Ok(full)
        }
        _ => anyhow::bail!(
            "{} changed since it was loaded: press L to reload",
            path.display()
        ),
    }
}

/// The body of a statement whose body was left on disk, as the browser
/// shows it: read back, or why it could not be.
///
/// # Errors
/// As [`read_full`], as a message for the status line.
pub fn read_body(statement: &Statement) -> Result<Option<String>, String> {
    read_full(statement)
        .map(|full| full.body)
        .map_err(|err| format!("{err:#}"))
}
