//! The catalog snapshot: an archive as the loader read it (statements with
//! their bodies left on disk, the contacts of items that hold no statement,
//! every problem), kept in the cache folder so that an unchanged archive
//! opens without a byte of it being parsed again.
//!
//! One file per archive, `catalog-<hash of the root>.bin`:
//!
//! ```text
//! "communique-catlg" · format version (u32 LE) · frames…
//! frame: kind (u8) · length (u64 LE) · CRC-32 of the bytes (u32 LE) · bytes (postcard)
//! kinds: 1 header (program version, root, read policy, every file's stamp)
//!        2 chunk  (signatories and files met first here, then its statements,
//!                  each encoded on its own: a command restores only those it
//!                  prints, from a [`Shelf`])
//!        3 tail   (counts, generation, contacts, problems, skipped files) — last, and only once
//! ```
//!
//! Beside it, `index-<hash of the root>.bin` keeps the fuzzy search index
//! of the same statements in the same order ([`crate::search::KeptIndex`]),
//! and the contacts directory made of them when the browser made one, so a
//! warm start neither indexes nor merges contacts again:
//!
//! ```text
//! "communique-fuzzy" · format version (u32 LE) · frame 1 (program version,
//! the catalog's generation, statement count, whether a directory follows)
//! · frame 2 (the index) · [frame 3 (the directory's entries)]
//! ```
//!
//! Each catalog written draws a random generation number; an index names
//! the generation it was made for, so an index left from an older catalog
//! of the same archive is refused (and made again), as is one whose numbers
//! do not add up ([`crate::search::Index::from_kept`]).
//!
//! It is trusted only when everything checks out: the magic, the format and
//! program versions, the root and the read policy it was made with, every
//! archive file's path, size, modification time and inode, every frame's
//! checksum, and the counts in the tail. A file that is missing, truncated,
//! damaged, foreign, stale or of another version is refused with the reason
//! and made again; nothing from it is used. A snapshot is written to a
//! file of its own and renamed over the old one when complete, so a
//! reader never sees half of one and two writers never mix.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kept::{
    KeptContact, KeptHead, KeptPath, KeptProblem, KeptStatement, Names, NewNames, Numbering,
};
use crate::contacts::Directory;
use crate::loader::{Archive, FileStamp, ReadPolicy};
use crate::records::Statement;

/// The file's first bytes.
const MAGIC: &[u8; 16] = b"communique-catlg";
/// The layout of the file and of its records: another is made again.
pub const VERSION: u32 = 3;
/// Statements in one chunk (decoded in parallel, a chunk a task).
const CHUNK: usize = 8_192;

const HEADER: u8 = 1;
const CHUNK_KIND: u8 = 2;
const TAIL: u8 = 3;
/// Kind, length and checksum.
const FRAME_HEAD: usize = 1 + 8 + 4;

/// Why no snapshot was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// None is kept for this archive yet.
    NotKept,
    /// One is kept but cannot be trusted: why.
    Unusable(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotKept => f.write_str("no catalog kept yet"),
            Self::Unusable(why) => f.write_str(why),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    program: String,
    root: KeptPath,
    policy: String,
    /// Path, size, modification time (ns), inode.
    files: Vec<(KeptPath, u64, i64, u64)>,
}

/// Statements in the order read, each encoded on its own so that one can
/// be restored without the others ([`Shelf::statement`]).
#[derive(Debug, Serialize, Deserialize)]
struct Chunk<'a> {
    names: NewNames,
    #[serde(borrow)]
    statements: Vec<&'a serde_bytes::Bytes>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Tail {
    statements: u64,
    chunks: u64,
    /// Drawn at random when written: the kept index names it.
    generation: u64,
    contacts: Vec<KeptContact>,
    problems: Vec<KeptProblem>,
    skipped: Vec<KeptPath>,
    files_read: u64,
}

/// The snapshot file for the archive at `root` in `folder`: named by a hash
/// of the absolute root, which the file also holds, checked.
#[must_use]
pub fn file_for(folder: &Path, root: &Path) -> PathBuf {
    folder.join(format!("catalog-{:016x}.bin", root_hash(root)))
}

/// Throws away the snapshot kept for the archive at `root` in `folder`
/// (one found damaged inside, past its checksums), so the next open reads
/// the archive and keeps a new one. One that cannot be removed is left:
/// the next open judges it again.
pub fn discard(folder: &Path, root: &Path) {
    let _ = std::fs::remove_file(file_for(folder, root));
}

/// The kept fuzzy index for the archive at `root` in `folder`.
#[must_use]
pub fn index_file_for(folder: &Path, root: &Path) -> PathBuf {
    folder.join(format!("index-{:016x}.bin", root_hash(root)))
}

fn root_hash(root: &Path) -> u64 {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    // FNV-1a: the same from one build to the next, unlike a seeded hasher.
    root.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn header_for(root: &Path, policy: ReadPolicy, files: &[FileStamp]) -> Header {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    Header {
        program: env!("CARGO_PKG_VERSION").to_owned(),
        root: KeptPath::of(&root),
        policy: format!("{policy:?}"),
        files: files
            .iter()
            .map(|stamp| {
                let path = std::path::absolute(&stamp.path).unwrap_or_else(|_| stamp.path.clone());
                (KeptPath::of(&path), stamp.size, stamp.modified, stamp.inode)
            })
            .collect(),
    }
}

/// Writes a snapshot as statements arrive, and puts it in place when the
/// archive is complete. Dropped unfinished, it leaves nothing behind.
#[derive(Debug)]
pub struct Writer {
    out: BufWriter<File>,
    temp: PathBuf,
    path: PathBuf,
    numbering: Numbering,
    statements: u64,
    chunks: u64,
    finished: bool,
}

fn frame(out: &mut impl std::io::Write, kind: u8, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&[kind])?;
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(&crc32fast::hash(bytes).to_le_bytes())?;
    out.write_all(bytes)
}

impl Writer {
    /// Starts a snapshot in `folder` of the archive at `root`, read with
    /// `policy`, whose files were `files` before reading began.
    ///
    /// # Errors
    /// When the folder or the file cannot be made.
    pub fn create(
        folder: &Path,
        root: &Path,
        policy: ReadPolicy,
        files: &[FileStamp],
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the cache folder {}", folder.display()))?;
        let path = file_for(folder, root);
        let temp = temp_for(&path);
        let file = File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
        let mut writer = Self {
            out: BufWriter::with_capacity(1 << 20, file),
            temp,
            path,
            numbering: Numbering::default(),
            statements: 0,
            chunks: 0,
            finished: false,
        };
        let header = postcard::to_stdvec(&header_for(root, policy, files))?;
        writer.out.write_all(MAGIC)?;
        writer.out.write_all(&VERSION.to_le_bytes())?;
        frame(&mut writer.out, HEADER, &header)?;
        Ok(writer)
    }

    /// Adds statements after those added before.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn add(&mut self, statements: &[Statement]) -> anyhow::Result<()> {
        for lot in statements.chunks(CHUNK) {
            let mut names = NewNames::default();
            // One after another in one buffer, each one's end noted.
            let (mut encoded, mut ends) = (Vec::new(), Vec::with_capacity(lot.len()));
            for statement in lot {
                encoded =
                    postcard::to_extend(&self.numbering.keep(statement, &mut names), encoded)?;
                ends.push(encoded.len());
            }
            let starts = std::iter::once(0).chain(ends.iter().copied());
            let chunk = Chunk {
                names,
                statements: starts
                    .zip(&ends)
                    .map(|(start, &end)| serde_bytes::Bytes::new(&encoded[start..end]))
                    .collect(),
            };
            frame(&mut self.out, CHUNK_KIND, &postcard::to_stdvec(&chunk)?)
                .with_context(|| format!("writing {}", self.temp.display()))?;
            self.statements += lot.len() as u64;
            self.chunks += 1;
        }
        Ok(())
    }

    /// Ends the snapshot with what is known once the whole archive is read
    /// (its statements are those added), and puts it in place; its
    /// generation, for the index kept beside it.
    ///
    /// # Errors
    /// When the file cannot be written or renamed.
    pub fn finish(mut self, archive: &Archive) -> anyhow::Result<u64> {
        let generation = new_generation();
        let tail = Tail {
            statements: self.statements,
            chunks: self.chunks,
            generation,
            contacts: archive.contacts.iter().map(KeptContact::of).collect(),
            problems: archive.problems.iter().map(KeptProblem::of).collect(),
            skipped: archive
                .skipped
                .iter()
                .map(|path| KeptPath::of(path))
                .collect(),
            files_read: archive.files_read as u64,
        };
        frame(&mut self.out, TAIL, &postcard::to_stdvec(&tail)?)?;
        self.out
            .flush()
            .with_context(|| format!("writing {}", self.temp.display()))?;
        std::fs::rename(&self.temp, &self.path)
            .with_context(|| format!("putting {} in place", self.path.display()))?;
        self.finished = true;
        Ok(generation)
    }
}

/// The file this process writes `path` into before renaming it into place,
/// once what ended writers left half-written is removed ([`sweep`]).
fn temp_for(path: &Path) -> PathBuf {
    sweep(path);
    path.with_extension(format!("tmp-{}", std::process::id()))
}

/// Removes what writers of `path` that have ended left half-written (a
/// browser quit while it kept a million statements' snapshot left
/// `catalog-….tmp-<pid>` of half a gigabyte behind): each writer writes
/// `<path>.tmp-<its process id>`, and one whose process is gone will never
/// finish it.
fn sweep(path: &Path) {
    let (Some(folder), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    let prefix = format!("{}.tmp-", stem.to_string_lossy());
    // Whether a process is alive is read from /proc: without it (not
    // Linux), nothing is removed.
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A number no other catalog written is likely to have drawn.
fn new_generation() -> u64 {
    use std::hash::BuildHasher as _;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    // Seeded at random in each process.
    foldhash::quality::RandomState::default().hash_one((now, std::process::id()))
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes the snapshot of an archive loaded whole (its statements in the
/// order the loader read them).
///
/// # Errors
/// When the folder or the file cannot be written.
pub fn write(
    folder: &Path,
    policy: ReadPolicy,
    files: &[FileStamp],
    archive: &Archive,
) -> anyhow::Result<u64> {
    let mut writer = Writer::create(folder, &archive.root, policy, files)?;
    writer.add(&archive.statements)?;
    writer.finish(archive)
}

/// One frame of a file read whole.
struct Frame<'a> {
    kind: u8,
    crc: u32,
    bytes: &'a [u8],
}

fn frames(mut bytes: &[u8]) -> Result<Vec<Frame<'_>>, String> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let Some((head, rest)) = bytes.split_at_checked(FRAME_HEAD) else {
            return Err("truncated (a frame's head is cut short)".into());
        };
        let kind = head[0];
        let len = u64::from_le_bytes(head[1..9].try_into().unwrap_or_default());
        let crc = u32::from_le_bytes(head[9..13].try_into().unwrap_or_default());
        let Some((body, rest)) = usize::try_from(len)
            .ok()
            .and_then(|len| rest.split_at_checked(len))
        else {
            return Err("truncated (a frame is cut short)".into());
        };
        frames.push(Frame {
            kind,
            crc,
            bytes: body,
        });
        bytes = rest;
    }
    Ok(frames)
}

/// A kept file's bytes: none kept when it is missing.
fn read_kept(path: &Path) -> Result<Vec<u8>, Refused> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(Refused::NotKept),
        Err(err) => Err(Refused::Unusable(format!("cannot read it: {err}"))),
    }
}

/// The format version after a kept file's `magic`, and the frames after it.
fn opening<'a>(
    bytes: &'a [u8],
    magic: &[u8; 16],
    foreign: &str,
) -> Result<(u32, &'a [u8]), String> {
    let rest = bytes.strip_prefix(magic.as_slice()).ok_or(foreign)?;
    let (version, rest) = rest
        .split_at_checked(4)
        .ok_or("truncated (no format version)")?;
    Ok((
        u32::from_le_bytes(version.try_into().unwrap_or_default()),
        rest,
    ))
}

fn decode<'a, T: Deserialize<'a>>(frame: &Frame<'a>, what: &str) -> Result<T, String> {
    postcard::from_bytes(frame.bytes).map_err(|err| format!("damaged ({what}: {err})"))
}

/// The archive at `root` as the snapshot in `folder` keeps it, when the
/// snapshot can be trusted for the archive's files as they are now
/// (`files`, stamped just before), read with `policy`, and the snapshot's
/// generation. Its statements are in the order they were written (the
/// loader's), not sorted.
///
/// # Errors
/// Why no snapshot could be used: none kept, or why the one kept is not
/// trusted.
pub fn read(
    folder: &Path,
    root: &Path,
    policy: ReadPolicy,
    files: &[FileStamp],
) -> Result<(Archive, u64), Refused> {
    let shelf = shelf(folder, root, policy, files)?;
    let generation = shelf.generation;
    let archive = shelf.into_archive().map_err(Refused::Unusable)?;
    Ok((archive, generation))
}

/// The snapshot in `folder` of the archive at `root`, checked as [`read`]
/// checks it, with its statements left encoded: each is restored when it
/// is asked for.
///
/// # Errors
/// As [`read`].
pub fn shelf(
    folder: &Path,
    root: &Path,
    policy: ReadPolicy,
    files: &[FileStamp],
) -> Result<Shelf, Refused> {
    let bytes = read_kept(&file_for(folder, root))?;
    Shelf::checked(bytes, root, policy, files).map_err(Refused::Unusable)
}

/// A catalog snapshot that checked out, its statements still encoded:
/// a command that prints a page of statements restores those and no more
/// (at 100,000 statements, restoring every one takes most of a warm
/// `list`).
pub struct Shelf {
    /// The snapshot file.
    bytes: Vec<u8>,
    /// Where each statement is in `bytes`, in the order written.
    spans: Vec<std::ops::Range<usize>>,
    /// The signatories and files the statements name by number.
    names: Names,
    /// The archive but for its statements: contacts of items that hold
    /// none, problems, files skipped and read.
    pub archive: Archive,
    /// Drawn when it was written (the kept index names it).
    pub generation: u64,
}

impl std::fmt::Debug for Shelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shelf")
            .field("statements", &self.spans.len())
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Shelf {
    /// The snapshot in `bytes` when everything checks out: the magic, the
    /// format and program versions, the root and the read policy it was
    /// made with, every archive file's stamp against `files`, every
    /// frame's checksum, and the counts in the tail.
    fn checked(
        bytes: Vec<u8>,
        root: &Path,
        policy: ReadPolicy,
        files: &[FileStamp],
    ) -> Result<Self, String> {
        let (spans, names, tail) = checked_parts(&bytes, root, policy, files)?;
        let restore = |err: anyhow::Error| format!("damaged ({err:#})");
        let archive = Archive {
            root: root.to_path_buf(),
            statements: Vec::new(),
            contacts: tail
                .contacts
                .into_iter()
                .map(KeptContact::restore)
                .collect::<anyhow::Result<_>>()
                .map_err(restore)?,
            problems: tail
                .problems
                .into_iter()
                .map(KeptProblem::restore)
                .collect::<anyhow::Result<_>>()
                .map_err(restore)?,
            skipped: tail.skipped.iter().map(KeptPath::restore).collect(),
            files_read: usize::try_from(tail.files_read).map_err(|err| err.to_string())?,
            withdrawn: Vec::new(),
        };
        Ok(Self {
            bytes,
            spans,
            names,
            archive,
            generation: tail.generation,
        })
    }

    /// How many statements it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Why the statement at `at` could not be read back.
    fn damaged(at: usize, why: impl std::fmt::Display) -> String {
        format!("damaged (statement {at}: {why})")
    }

    fn encoded(&self, at: usize) -> Result<&[u8], String> {
        self.spans
            .get(at)
            .and_then(|span| self.bytes.get(span.clone()))
            .ok_or_else(|| format!("no statement {at}"))
    }

    /// The first fields of the statement at `at` (in the order written),
    /// read in place.
    ///
    /// # Errors
    /// When it does not decode: the snapshot is not what was written.
    pub fn head(&self, at: usize) -> Result<KeptHead<'_>, String> {
        let encoded = self.encoded(at)?;
        postcard::take_from_bytes(encoded)
            .map(|(head, _)| head)
            .map_err(|err| Self::damaged(at, err))
    }

    /// Every statement's head, in the order written, on all cores.
    ///
    /// # Errors
    /// As [`Shelf::head`].
    pub fn heads(&self) -> Result<Vec<KeptHead<'_>>, String> {
        let mut heads = Vec::with_capacity(self.len());
        (0..self.len())
            .into_par_iter()
            .with_min_len(1024)
            .map(|at| self.head(at))
            .collect_into_vec(&mut heads);
        heads.into_iter().collect()
    }

    /// The statement at `at` (in the order written), restored.
    ///
    /// # Errors
    /// When it does not decode or names a number never written: the
    /// snapshot is not what was written.
    pub fn statement(&self, at: usize) -> Result<Statement, String> {
        let encoded = self.encoded(at)?;
        postcard::from_bytes::<KeptStatement>(encoded)
            .map_err(|err| Self::damaged(at, err))?
            .restore(&self.names)
            .map_err(|err| Self::damaged(at, format!("{err:#}")))
    }

    /// The statements at `range` (in the order written), restored on all
    /// cores.
    ///
    /// # Errors
    /// As [`Shelf::statement`].
    pub fn statements(&self, range: std::ops::Range<usize>) -> Result<Vec<Statement>, String> {
        let mut restored = Vec::with_capacity(range.len());
        range
            .into_par_iter()
            .with_min_len(256)
            .map(|at| self.statement(at))
            .collect_into_vec(&mut restored);
        restored.into_iter().collect()
    }

    /// The archive with every statement restored, on all cores, in the
    /// order written.
    ///
    /// # Errors
    /// As [`Shelf::statement`].
    pub fn into_archive(self) -> Result<Archive, String> {
        let statements = self.statements(0..self.len())?;
        let mut archive = self.archive;
        archive.statements = statements;
        Ok(archive)
    }
}

/// Whether a snapshot's header is that of the archive at `root` as it is
/// now (`files`, stamped just before), read with `policy`: the same
/// program, root, reading settings and files, each file's stamp unchanged.
///
/// # Errors
/// What differs.
fn header_matches(
    header: &Header,
    root: &Path,
    policy: ReadPolicy,
    files: &[FileStamp],
) -> Result<(), String> {
    let expected = header_for(root, policy, files);
    if header.program != expected.program {
        return Err(format!(
            "made by communique {}, this is {}",
            header.program, expected.program
        ));
    }
    if header.root.restore() != expected.root.restore() {
        return Err(format!(
            "made for another archive ({})",
            header.root.restore().display()
        ));
    }
    if header.policy != expected.policy {
        return Err(
            "made with other reading settings (links, record size, time zone or reflow)".into(),
        );
    }
    if header.files.len() != expected.files.len() {
        return Err(format!(
            "the archive's files changed ({} then, {} now)",
            header.files.len(),
            expected.files.len()
        ));
    }
    for (then, now) in header.files.iter().zip(&expected.files) {
        if then.0.restore() != now.0.restore() {
            return Err(format!(
                "{} is new in the archive",
                now.0.restore().display()
            ));
        }
        if (then.1, then.2, then.3) != (now.1, now.2, now.3) {
            return Err(format!("{} changed since", now.0.restore().display()));
        }
    }
    Ok(())
}

/// Whether the snapshot kept in `folder` for the archive at `root` may be
/// used for its files as they are now (`files`): its header alone read and
/// checked, not the rest (a stale snapshot, after the archive changed, is
/// told apart in a read of a few bytes; [`shelf`] checks it whole). A
/// command asks before reading the kept index ahead, which is of no use
/// beside a stale snapshot.
#[must_use]
pub fn may_be_current(folder: &Path, root: &Path, policy: ReadPolicy, files: &[FileStamp]) -> bool {
    use std::io::Read as _;
    let header = || -> Option<Header> {
        let mut file = File::open(file_for(folder, root)).ok()?;
        let mut opening_bytes = [0_u8; MAGIC.len() + 4 + FRAME_HEAD];
        file.read_exact(&mut opening_bytes).ok()?;
        let (version, head) = opening(&opening_bytes, MAGIC, "foreign").ok()?;
        if version != VERSION || head[0] != HEADER {
            return None;
        }
        let len = u64::from_le_bytes(head[1..9].try_into().ok()?);
        let crc = u32::from_le_bytes(head[9..13].try_into().ok()?);
        let mut bytes = Vec::new();
        file.take(len).read_to_end(&mut bytes).ok()?;
        if bytes.len() as u64 != len || crc32fast::hash(&bytes) != crc {
            return None;
        }
        postcard::from_bytes(&bytes).ok()
    };
    header().is_some_and(|header| header_matches(&header, root, policy, files).is_ok())
}

/// The parts of a snapshot file's `bytes` once it checks out (see
/// [`Shelf::checked`]): where each statement's encoding is, the names
/// they number, and the tail.
fn checked_parts(
    bytes: &[u8],
    root: &Path,
    policy: ReadPolicy,
    files: &[FileStamp],
) -> Result<(Vec<std::ops::Range<usize>>, Names, Tail), String> {
    let (version, rest) = opening(bytes, MAGIC, "not a communique catalog")?;
    if version != VERSION {
        return Err(format!(
            "made by another version (format {version}, not {VERSION})"
        ));
    }
    let frames = frames(rest)?;
    if let Some(bad) = frames
        .par_iter()
        .position_any(|frame| crc32fast::hash(frame.bytes) != frame.crc)
    {
        return Err(format!("damaged (frame {} fails its checksum)", bad + 1));
    }
    let (Some(first), Some(last)) = (frames.first(), frames.last()) else {
        return Err("empty".into());
    };
    if first.kind != HEADER {
        return Err("damaged (no header)".into());
    }
    if last.kind != TAIL || frames.len() < 2 {
        return Err("truncated (no end)".into());
    }
    let header: Header = decode(first, "header")?;
    header_matches(&header, root, policy, files)?;
    let tail: Tail = decode(last, "end")?;
    let chunk_frames = &frames[1..frames.len() - 1];
    if chunk_frames.iter().any(|frame| frame.kind != CHUNK_KIND)
        || chunk_frames.len() as u64 != tail.chunks
    {
        return Err("damaged (its chunks are not those written)".into());
    }
    let chunks: Vec<Chunk> = chunk_frames
        .par_iter()
        .map(|frame| decode(frame, "chunk"))
        .collect::<Result<_, _>>()?;
    let count: usize = chunks.iter().map(|chunk| chunk.statements.len()).sum();
    if count as u64 != tail.statements {
        return Err(format!(
            "damaged ({count} statements, {} written)",
            tail.statements
        ));
    }
    // Each statement's place in the file: its bytes lie inside `bytes`,
    // borrowed from it by the decoder.
    let base = bytes.as_ptr() as usize;
    let mut names = Names::default();
    let mut spans = Vec::with_capacity(count);
    for chunk in chunks {
        names.add(chunk.names);
        spans.extend(chunk.statements.iter().map(|encoded| {
            let start = encoded.as_ptr() as usize - base;
            start..start + encoded.len()
        }));
    }
    Ok((spans, names, tail))
}

/// The first bytes of a kept index.
const INDEX_MAGIC: &[u8; 16] = b"communique-fuzzy";
/// The layout of a kept index (3: the newest-first order is kept too).
pub const INDEX_VERSION: u32 = 3;

#[derive(Debug, Serialize, Deserialize)]
struct IndexHeader {
    program: String,
    generation: u64,
    statements: u64,
    directory: bool,
    /// The statements' positions newest first, as
    /// [`super::newest_positions`] sorts them (checked before it is used:
    /// [`super::trusted_order`]).
    order: Vec<u32>,
}

/// What is kept beside a catalog snapshot: the fuzzy index of its
/// statements, their newest-first order, and the contacts directory when
/// it was asked for and kept.
#[derive(Debug)]
pub struct KeptIndex {
    pub index: crate::search::Index,
    /// Not yet checked against the statements (see
    /// [`super::kept_or_newest_order`]).
    pub order: Vec<u32>,
    pub directory: Option<Directory>,
}

/// Keeps `index`, made over the statements of the catalog of generation
/// `generation` in their order, beside that catalog, with their
/// newest-first `order` and the contacts directory made of them when
/// there is one.
///
/// # Errors
/// When the file cannot be written or put in place.
pub fn write_index(
    folder: &Path,
    root: &Path,
    generation: u64,
    index: &crate::search::Index,
    order: &[u32],
    directory: Option<&Directory>,
) -> anyhow::Result<()> {
    let path = index_file_for(folder, root);
    let temp = temp_for(&path);
    let header = IndexHeader {
        program: env!("CARGO_PKG_VERSION").to_owned(),
        generation,
        statements: index.len() as u64,
        directory: directory.is_some(),
        order: order.to_vec(),
    };
    let mut bytes = Vec::new();
    bytes.extend_from_slice(INDEX_MAGIC);
    bytes.extend_from_slice(&INDEX_VERSION.to_le_bytes());
    frame(&mut bytes, HEADER, &postcard::to_stdvec(&header)?)?;
    frame(
        &mut bytes,
        CHUNK_KIND,
        &postcard::to_stdvec(&index.to_kept())?,
    )?;
    if let Some(directory) = directory {
        let entries: Vec<KeptContact> = directory.entries.iter().map(KeptContact::of).collect();
        frame(&mut bytes, TAIL, &postcard::to_stdvec(&entries)?)?;
    }
    std::fs::write(&temp, &bytes).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, &path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("putting {} in place", path.display())
    })
}

/// The fuzzy index kept for the catalog of generation `generation`, whose
/// statements are signed by `signed` signatories each
/// ([`crate::search::signed`]), when it can be trusted, with the order
/// kept with it; and the contacts directory kept with it, when one was and
/// `directory` asks for it.
///
/// # Errors
/// None kept, or why the one kept is not trusted.
pub fn read_index(
    folder: &Path,
    root: &Path,
    generation: u64,
    signed: &[usize],
    directory: bool,
) -> Result<KeptIndex, Refused> {
    read_index_ahead(folder, root, directory)?.check(generation, signed)
}

/// The fuzzy index kept for the archive at `root`, read and decoded before
/// its catalog is (on a thread of its own, while the catalog is read): it
/// is checked against that catalog with [`IndexAhead::check`] before use.
///
/// # Errors
/// None kept, or one that is damaged, foreign or of another version.
pub fn read_index_ahead(
    folder: &Path,
    root: &Path,
    directory: bool,
) -> Result<IndexAhead, Refused> {
    let bytes = read_kept(&index_file_for(folder, root))?;
    decoded_index(&bytes, directory)
        .map_err(|why| Refused::Unusable(format!("search index: {why}")))
}

/// A kept index decoded, not yet checked against the catalog it is for.
#[derive(Debug)]
pub struct IndexAhead {
    header: IndexHeader,
    kept: crate::search::KeptIndex,
    directory: Option<Directory>,
}

impl IndexAhead {
    /// The index, if it was made for the catalog of generation
    /// `generation`, whose statements are signed by `signed` signatories
    /// each, and its numbers add up.
    ///
    /// # Errors
    /// Why it is not that catalog's.
    pub fn check(self, generation: u64, signed: &[usize]) -> Result<KeptIndex, Refused> {
        let unusable = |why: &str| Refused::Unusable(format!("search index: {why}"));
        if self.header.generation != generation || self.header.statements != signed.len() as u64 {
            return Err(unusable("made for an older catalog"));
        }
        let index = crate::search::Index::from_kept(self.kept, signed)
            .map_err(|why| unusable(&format!("damaged ({why})")))?;
        Ok(KeptIndex {
            index,
            order: self.header.order,
            directory: self.directory,
        })
    }
}

fn decoded_index(bytes: &[u8], want_directory: bool) -> Result<IndexAhead, String> {
    let (version, rest) = opening(bytes, INDEX_MAGIC, "not a communique index")?;
    if version != INDEX_VERSION {
        return Err("made by another version".into());
    }
    let frames = frames(rest)?;
    let (head, body, kept_directory) = match frames.as_slice() {
        [head, body] => (head, body, None),
        [head, body, directory] if directory.kind == TAIL => (head, body, Some(directory)),
        _ => return Err("damaged (frames out of place)".into()),
    };
    if head.kind != HEADER || body.kind != CHUNK_KIND {
        return Err("damaged (frames out of place)".into());
    }
    let wanted_directory = kept_directory.filter(|_| want_directory);
    let wanted = [Some(head), Some(body), wanted_directory];
    if wanted
        .iter()
        .flatten()
        .any(|frame| crc32fast::hash(frame.bytes) != frame.crc)
    {
        return Err("damaged (a frame fails its checksum)".into());
    }
    let header: IndexHeader = decode(head, "header")?;
    if header.directory != kept_directory.is_some() {
        return Err("damaged (frames out of place)".into());
    }
    if header.program != env!("CARGO_PKG_VERSION") {
        return Err(format!("made by communique {}", header.program));
    }
    // The directory and the index decode side by side.
    let (directory, kept) = rayon::join(
        || {
            wanted_directory
                .map(|frame| {
                    let entries: Vec<KeptContact> = decode(frame, "contacts")?;
                    let entries = entries
                        .into_iter()
                        .map(KeptContact::restore)
                        .collect::<anyhow::Result<_>>()
                        .map_err(|err| format!("damaged ({err:#})"))?;
                    Ok::<_, String>(Directory { entries })
                })
                .transpose()
        },
        || decode(body, "index"),
    );
    Ok(IndexAhead {
        kept: kept?,
        header,
        directory: directory?,
    })
}

/// Rewrites the snapshot kept for `root` in `folder` with the statement
/// at `at` cut short after its head, every checksum made good again: a
/// file damaged past what the checksums catch, which only a restore of
/// that statement finds (for tests).
#[cfg(test)]
pub(crate) fn damage_past_checksums(folder: &Path, root: &Path, at: usize) {
    let path = file_for(folder, root);
    let bytes = std::fs::read(&path).expect("a snapshot");
    let (version, rest) = opening(&bytes, MAGIC, "foreign").expect("a snapshot");
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    let mut first = 0;
    for frame in frames(rest).expect("frames") {
        if frame.kind != CHUNK_KIND {
            self::frame(&mut out, frame.kind, frame.bytes).expect("written");
            continue;
        }
        let mut chunk: Chunk = postcard::from_bytes(frame.bytes).expect("a chunk");
        let count = chunk.statements.len();
        if (first..first + count).contains(&at) {
            let whole: &[u8] = chunk.statements[at - first];
            let (_, after): (KeptHead, _) = postcard::take_from_bytes(whole).expect("a head");
            let head = &whole[..whole.len() - after.len()];
            chunk.statements[at - first] = serde_bytes::Bytes::new(head);
        }
        first += count;
        let encoded = postcard::to_stdvec(&chunk).expect("encoded");
        self::frame(&mut out, CHUNK_KIND, &encoded).expect("written");
    }
    std::fs::write(&path, out).expect("rewritten");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: &str, date: &str, signatories: &[&str]) -> Statement {
        let signatories: Vec<_> = signatories
            .iter()
            .map(|name| serde_json::json!({"name": name}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": id, "title": format!("Statement {id}"), "published": date,
            "summary": "A summary.", "signatories": signatories,
        }))
        .expect("statement")
    }

    /// Dates that order by instant, then as written, then by zone, and
    /// ids that break the ties left: what the heads must order alike.
    fn archive(root: &Path) -> Archive {
        let mut statements = vec![
            statement("b", "2024-03-01", &["Ann"]),
            statement("a", "2024-03-01", &[]),
            statement("c", "2024-03-01T00:00:00Z", &["Ann", "Bo"]),
            statement("d", "2024-03-01T01:00:00+01:00", &["Bo"]),
            statement("e", "2024-02-29T23:59:59.5-00:00", &[]),
            statement("f", "1999-12-31", &["Cy", "Ann", "Bo"]),
            statement("g", "2024-03-01T00:00:00Z", &[]),
        ];
        statements[6].set_time_zone(chrono_tz::Europe::London);
        Archive {
            root: root.to_path_buf(),
            statements,
            ..Archive::default()
        }
    }

    /// A shelf restores each statement as the whole read does, reads each
    /// one's id and signatory count in place, and orders its heads as the
    /// statements order newest first.
    #[test]
    fn a_shelf_restores_each_statement_as_the_whole_read_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("archive");
        let archive = archive(&root);
        let policy = ReadPolicy::default();
        let generation = write(dir.path(), policy, &[], &archive).expect("written");
        let shelf = shelf(dir.path(), &root, policy, &[]).expect("trusted");
        assert_eq!(shelf.generation, generation);
        assert_eq!(shelf.len(), archive.statements.len());
        let heads = shelf.heads().expect("heads");
        for (at, statement) in archive.statements.iter().enumerate() {
            assert_eq!(&shelf.statement(at).expect("restored"), statement);
            assert_eq!(heads[at].id, statement.id);
            assert_eq!(heads[at].signed(), statement.signatories.len());
            for (other, them) in archive.statements.iter().enumerate() {
                assert_eq!(
                    heads[at].newest_first(&heads[other]),
                    Statement::newest_first(statement, them),
                    "{} against {}",
                    statement.id,
                    them.id
                );
            }
        }
        assert!(shelf.statement(archive.statements.len()).is_err());
        let (whole, _) = read(dir.path(), &root, policy, &[]).expect("trusted");
        assert_eq!(whole.statements, archive.statements);
    }

    /// The header alone tells a current snapshot from one whose files
    /// changed, one made with other settings, a missing one, and one
    /// whose header is cut short or damaged: as the whole check tells
    /// them, on the same header.
    #[test]
    fn a_look_at_the_header_tells_a_stale_snapshot() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("archive");
        std::fs::create_dir_all(&root).expect("folder");
        let file = root.join("a.jsonl");
        std::fs::write(&file, "{}\n").expect("written");
        let stamps = crate::loader::file_stamps(&root, ReadPolicy::default()).expect("stamps");
        let policy = ReadPolicy::default();
        let folder = dir.path().join("cache");
        std::fs::create_dir_all(&folder).expect("folder");
        let current = |stamps: &[FileStamp], policy: ReadPolicy| {
            let quick = may_be_current(&folder, &root, policy, stamps);
            assert_eq!(
                quick,
                shelf(&folder, &root, policy, stamps).is_ok(),
                "the quick look and the whole check agree"
            );
            quick
        };
        assert!(!current(&stamps, policy), "none kept");
        write(&folder, policy, &stamps, &archive(&root)).expect("written");
        assert!(current(&stamps, policy));
        let other = ReadPolicy {
            follow_links: true,
            ..policy
        };
        assert!(!current(&stamps, other), "other settings");
        std::fs::write(&file, "{}\n{}\n").expect("grown");
        let changed = crate::loader::file_stamps(&root, policy).expect("stamps");
        assert!(!current(&changed, policy), "a file changed");
        let path = file_for(&folder, &root);
        let bytes = std::fs::read(&path).expect("kept");
        std::fs::write(&path, &bytes[..MAGIC.len() + 4 + FRAME_HEAD + 3]).expect("cut");
        assert!(!current(&stamps, policy), "the header cut short");
        let mut damaged = bytes.clone();
        let at = MAGIC.len() + 4 + FRAME_HEAD + 2;
        damaged[at] ^= 0xff;
        std::fs::write(&path, &damaged).expect("damaged");
        assert!(!current(&stamps, policy), "the header damaged");
        std::fs::write(&path, b"not a snapshot at all").expect("foreign");
        assert!(!current(&stamps, policy), "foreign");
        std::fs::write(&path, &bytes).expect("restored");
        assert!(current(&stamps, policy));
    }

    /// A statement damaged past the checksums is found when it is
    /// restored, and the whole read refuses the snapshot.
    #[test]
    fn a_statement_damaged_past_its_checksum_is_never_restored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("archive");
        let archive = archive(&root);
        let policy = ReadPolicy::default();
        write(dir.path(), policy, &[], &archive).expect("written");
        damage_past_checksums(dir.path(), &root, 3);
        let shelf = shelf(dir.path(), &root, policy, &[]).expect("checksums hold");
        assert_eq!(shelf.heads().expect("heads").len(), 7);
        assert!(shelf.statement(2).is_ok());
        let err = shelf.statement(3).expect_err("cut short");
        assert!(err.starts_with("damaged (statement 3"), "{err}");
        assert!(matches!(
            read(dir.path(), &root, policy, &[]),
            Err(Refused::Unusable(why)) if why.starts_with("damaged")
        ));
    }
}
