//! Archive loading: a file or a folder of JSON / JSON Lines files becomes
//! statements plus a list of problems, each naming the file, line and column.
//! One bad record never stops the others loading. No terminal code here.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

mod files;

pub use files::{DEFAULT_MAX_RECORD_SIZE, ReadPolicy, open_regular, parse_size};

use crate::contacts::{self, ContactEntry};
use crate::govuk::{self, Conversion, ConvertError};
use crate::records::{NATIVE_FIELDS, Origin, Signatory, Statement, Stored};

/// How serious a problem is. Notices (a GOV.UK item of a kind we do not show)
/// are not counted as problems by `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

/// Which record of a file a problem is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// Zero-based position in the file's array, or line number for JSON Lines.
    Index(usize),
    Id(String),
}

/// Something wrong with the archive, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub record: Option<RecordRef>,
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    fn new(
        path: &Path,
        (line, column): (usize, usize),
        record: Option<RecordRef>,
        message: String,
        severity: Severity,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            column,
            record,
            message,
            severity,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        match self.severity {
            Severity::Error => {}
            Severity::Warning => f.write_str("warning: ")?,
            Severity::Notice => f.write_str("notice: ")?,
        }
        match &self.record {
            Some(RecordRef::Id(id)) => write!(f, "record {id:?}: ")?,
            Some(RecordRef::Index(index)) => write!(f, "record #{}: ", index + 1)?,
            None => {}
        }
        f.write_str(&self.message)
    }
}

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
    /// Ids found in more than one record, so not loaded at all. A caller of
    /// [`load_with`] that took statements as they came must drop these ids
    /// (their first copy came before the second was read).
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
        progress: Progress::default(),
        loaded: 0,
        signatories: HashSet::default(),
    };
    let found = if metadata.is_dir() {
        files::archive_files(root, options.policy, &mut loader.archive.problems)
    } else {
        // A file named on the command line is read wherever it leads.
        vec![files::Found {
            path: root.to_path_buf(),
            size: metadata.len(),
            via_link: true,
        }]
    };
    loader.progress.bytes_total = found.iter().map(|file| file.size).sum();
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
    Ok(loader.finish())
}

/// The problem reported for each copy of a duplicated id.
fn duplicate_message(other: &str) -> String {
    format!("duplicate id, also at {other}: no copy of this id is loaded")
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
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// The fields a GOV.UK item is probed for before it is parsed in full.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    schema_name: Option<IgnoredAny>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// What one record's text (or one file's framing) turned into: worked out
/// in parallel, then taken in file order by [`Loader::accept`].
#[derive(Debug, Default)]
struct Parsed {
    statement: Option<(Statement, RecordRef, (usize, usize))>,
    contacts: Vec<ContactEntry>,
    problems: Vec<Problem>,
}

impl Parsed {
    fn problem(
        path: &Path,
        position: (usize, usize),
        record: Option<RecordRef>,
        message: String,
        severity: Severity,
    ) -> Self {
        let mut parsed = Self::default();
        parsed.push(path, position, record, message, severity);
        parsed
    }

    fn push(
        &mut self,
        path: &Path,
        position: (usize, usize),
        record: Option<RecordRef>,
        message: String,
        severity: Severity,
    ) {
        self.problems
            .push(Problem::new(path, position, record, message, severity));
    }
}

/// One record's text and where it lies.
struct Located<'a> {
    text: &'a str,
    /// (line, column) of its first character.
    start: (usize, usize),
    /// Byte offset in the file.
    offset: u64,
    /// Position in the file: array index, or line index for JSON Lines.
    index: usize,
}

struct Loader {
    options: LoadOptions,
    archive: Archive,
    /// Ids already read, with where they came from (line and column).
    seen: HashMap<String, (Arc<Path>, (usize, usize)), FastHash>,
    /// Ids read more than once: no copy of them is loaded.
    collided: HashSet<String, FastHash>,
    progress: Progress,
    /// Statements not yet handed to the batch callback.
    loaded: usize,
    /// One copy of each distinct signatory (they repeat across statements).
    signatories: HashSet<Arc<Signatory>, FastHash>,
}

impl Loader {
    /// Parses small files in parallel and takes what they hold in order.
    fn flush_files(
        &mut self,
        files: &mut Vec<files::Found>,
        on_batch: &mut dyn FnMut(&mut Vec<Statement>, Progress),
    ) {
        if files.is_empty() {
            return;
        }
        let options = self.options;
        let parsed: Vec<Vec<Parsed>> = files
            .par_iter()
            .map(|file| {
                let mut parsed = parse_file(&file.path, file.via_link, options);
                note_link(&mut parsed, file.via_link);
                parsed
            })
            .collect();
        for parsed in parsed.into_iter().flatten() {
            self.accept(parsed);
        }
        self.progress.bytes_done += files.iter().map(|file| file.size).sum::<u64>();
        files.clear();
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
                return self.accept(Parsed::problem(
                    path,
                    (1, 1),
                    None,
                    format!("cannot read: {err}"),
                    Severity::Error,
                ));
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
                    self.accept(Parsed::problem(
                        path,
                        (line, 1),
                        None,
                        format!("cannot read: {err}"),
                        Severity::Error,
                    ));
                    break;
                }
            };
            buffer.truncate(filled + read);
            let at_end = read == 0;
            let mut skip = 0;
            if first {
                first = false;
                if buffer.starts_with(BOM) {
                    self.accept(bom_warning(path));
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
                        self.accept(Parsed::problem(
                            path,
                            (line, 1),
                            Some(RecordRef::Index(line - 1)),
                            files::too_long(self.options.policy),
                            Severity::Error,
                        ));
                        self.skipped(&mut buffer, &mut base);
                        skipping = true;
                        continue;
                    }
                    None => continue,
                }
            };
            let lines = &buffer[skip..end];
            any_content |= !lines.iter().all(u8::is_ascii_whitespace);
            let parsed = parse_lines(&shared, lines, base + skip as u64, line, self.options);
            line += memchr::memchr_iter(b'\n', lines).count();
            for mut parsed in parsed {
                note_link(std::slice::from_mut(&mut parsed), found.via_link);
                self.accept(parsed);
            }
            buffer.drain(..end);
            base += end as u64;
            self.progress.bytes_done += end as u64;
            self.batch_done(on_batch);
            if at_end {
                break;
            }
        }
        if !any_content {
            self.accept(Parsed::problem(
                path,
                (1, 1),
                None,
                "empty file: no records".into(),
                Severity::Error,
            ));
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
            ..
        } = self;
        if !collided.is_empty() {
            archive
                .statements
                .retain(|statement| !collided.contains(&statement.id));
            let mut withdrawn: Vec<String> = collided.into_iter().collect();
            withdrawn.sort();
            archive.withdrawn = withdrawn;
        }
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
        let Some((mut statement, record, start)) = parsed.statement else {
            return;
        };
        if let Some((first_path, first_start)) = self.seen.get(&statement.id) {
            // Neither copy is loaded: whichever won, marks made on the one
            // would pass to the other (a file that sorts first could take a
            // statement's place and its marks).
            let this_path = &statement.origin.path;
            let at = |path: &Path, (line, column): (usize, usize)| {
                format!("{}:{line}:{column}", path.display())
            };
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
        for signatory in &mut statement.signatories {
            match self.signatories.get(signatory) {
                Some(shared) => *signatory = Arc::clone(shared),
                None => {
                    self.signatories.insert(Arc::clone(signatory));
                }
            }
        }
        self.seen.insert(
            statement.id.clone(),
            (Arc::clone(&statement.origin.path), start),
        );
        self.archive.statements.push(statement);
        self.loaded += 1;
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn bom_warning(path: &Path) -> Parsed {
    Parsed::problem(
        path,
        (1, 1),
        None,
        "file starts with a UTF-8 byte order mark (ignored)".into(),
        Severity::Warning,
    )
}

/// Notes on records read through a symbolic link that reading them back
/// must follow it ([`read_full`]).
fn note_link(parsed: &mut [Parsed], via_link: bool) {
    if !via_link {
        return;
    }
    for parsed in parsed {
        if let Some((statement, _, _)) = &mut parsed.statement
            && let Some(stored) = &mut statement.origin.stored
        {
            stored.via_link = true;
        }
    }
}

/// Everything one (small) file holds.
fn parse_file(path: &Path, via_link: bool, options: LoadOptions) -> Vec<Parsed> {
    let bytes = match files::read_whole(path, via_link, options.policy) {
        Ok(bytes) => bytes,
        Err(message) => {
            return vec![Parsed::problem(
                path,
                (1, 1),
                None,
                message,
                Severity::Error,
            )];
        }
    };
    let shared: Arc<Path> = Arc::from(path);
    let mut out = Vec::new();
    let mut body: &[u8] = &bytes;
    if let Some(rest) = body.strip_prefix(BOM) {
        out.push(bom_warning(path));
        body = rest;
    }
    let skip = (bytes.len() - body.len()) as u64;
    if body.iter().all(u8::is_ascii_whitespace) {
        out.push(Parsed::problem(
            path,
            (1, 1),
            None,
            "empty file: no records".into(),
            Severity::Error,
        ));
        return out;
    }
    if is_lines_file(path) {
        out.extend(parse_lines(&shared, body, skip, 1, options));
        return out;
    }
    match std::str::from_utf8(body) {
        Ok(text) => out.extend(parse_document(&shared, text, skip, options)),
        Err(err) => {
            let position = utf8_error_position(body, &err);
            out.push(Parsed::problem(
                path,
                position,
                None,
                "not valid UTF-8".into(),
                Severity::Error,
            ));
        }
    }
    out
}

/// The records of complete JSON Lines, parsed in parallel. `offset` is the
/// file offset of `bytes`, `first_line` the line number it starts on.
fn parse_lines(
    path: &Arc<Path>,
    bytes: &[u8],
    offset: u64,
    first_line: usize,
    options: LoadOptions,
) -> Vec<Parsed> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        lines.push((first_line + lines.len(), start, &bytes[start..end]));
        start = end + 1;
    }
    lines
        .par_iter()
        .with_min_len(64)
        .filter_map(|&(number, start, line)| {
            let index = number - 1;
            if line.len() as u64 > options.policy.max_record_size {
                return Some(Parsed::problem(
                    path,
                    (number, 1),
                    Some(RecordRef::Index(index)),
                    files::too_big(line.len() as u64, options.policy),
                    Severity::Error,
                ));
            }
            match std::str::from_utf8(line) {
                Ok(text) if text.trim().is_empty() => None,
                Ok(text) => {
                    let indent = text.len() - text.trim_start().len();
                    let located = Located {
                        text: text.trim(),
                        start: (number, indent + 1),
                        offset: offset + (start + indent) as u64,
                        index,
                    };
                    Some(parse_record(path, &located, options))
                }
                Err(err) => {
                    let (_, column) = utf8_error_position(line, &err);
                    Some(Parsed::problem(
                        path,
                        (number, column),
                        Some(RecordRef::Index(index)),
                        "not valid UTF-8".into(),
                        Severity::Error,
                    ))
                }
            }
        })
        .collect()
}

/// The records of a JSON document: one record object or an array of them.
fn parse_document(path: &Arc<Path>, text: &str, skip: u64, options: LoadOptions) -> Vec<Parsed> {
    let located = |err: &serde_json::Error| position_of(text, byte_offset(text, err));
    let problem = |position, message| {
        vec![Parsed::problem(
            path,
            position,
            None,
            message,
            Severity::Error,
        )]
    };
    let first = text.trim_start().chars().next();
    let records: Vec<&RawValue> = match first {
        Some('[') => match serde_json::from_str(text) {
            Ok(records) => records,
            Err(err) => return problem(located(&err), json_message(&err)),
        },
        Some('{') => match serde_json::from_str(text) {
            Ok(record) => vec![record],
            Err(err) => return problem(located(&err), json_message(&err)),
        },
        _ => {
            let offset = text.len() - text.trim_start().len();
            return problem(
                position_of(text, offset),
                "expected a record object or an array of records".into(),
            );
        }
    };
    // Records come in file order, so each position is counted on from the
    // last one rather than from the start (which made big arrays quadratic).
    let mut counted = (0, 1, 1);
    let mut places = Vec::with_capacity(records.len());
    for (index, raw) in records.into_iter().enumerate() {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let (from, line_before, column_before) = counted;
        let between = &text[from..offset];
        let (line, column) = match between.rfind('\n') {
            Some(newline) => (
                line_before + between.matches('\n').count(),
                between[newline + 1..].chars().count() + 1,
            ),
            None => (line_before, column_before + between.chars().count()),
        };
        counted = (offset, line, column);
        places.push(Located {
            text: raw.get(),
            start: (line, column),
            offset: skip + offset as u64,
            index,
        });
    }
    places
        .par_iter()
        .with_min_len(16)
        .map(|located| parse_record(path, located, options))
        .collect()
}

/// Parses one record.
fn parse_record(path: &Arc<Path>, located: &Located<'_>, options: LoadOptions) -> Parsed {
    let Located {
        text,
        start,
        index,
        offset,
    } = *located;
    // serde_json counts columns in bytes; report characters, relative to the
    // file rather than the record.
    let at = |err: &serde_json::Error| {
        let (line, column) = position_of(text, byte_offset(text, err));
        if line <= 1 {
            (start.0, start.1 + column - 1)
        } else {
            (start.0 + line - 1, column)
        }
    };
    if !text.starts_with('{') {
        return Parsed::problem(
            path,
            start,
            Some(RecordRef::Index(index)),
            "a record must be a JSON object".into(),
            Severity::Error,
        );
    }
    if text.len() as u64 > options.policy.max_record_size {
        return Parsed::problem(
            path,
            start,
            Some(RecordRef::Index(index)),
            files::too_big(text.len() as u64, options.policy),
            Severity::Error,
        );
    }
    // Only a record that mentions `schema_name` can be a GOV.UK item; the
    // others are parsed once, straight into a statement.
    let govuk = memchr::memmem::find(text.as_bytes(), b"schema_name").is_some();
    let (govuk, record) = if govuk {
        match serde_json::from_str::<Probe>(text) {
            Ok(probe) => (probe.schema_name.is_some(), record_ref(probe.id, index)),
            Err(err) => {
                return Parsed::problem(
                    path,
                    at(&err),
                    Some(RecordRef::Index(index)),
                    json_message(&err),
                    Severity::Error,
                );
            }
        }
    } else {
        (false, RecordRef::Index(index))
    };
    let mut parsed = Parsed::default();
    let result = if govuk {
        let ((converted, item_contacts), flattened) = govuk::counting_flattened(|| {
            let converted = govuk::convert(text);
            let item_contacts = match &converted {
                Ok(Conversion::Skipped {
                    schema_name,
                    document_type,
                }) => contacts::read_item(schema_name, document_type.as_deref(), text),
                _ => None,
            };
            (converted, item_contacts)
        });
        if flattened > 0 {
            parsed.push(
                path,
                start,
                Some(record.clone()),
                govuk::flattened_message(),
                Severity::Warning,
            );
        }
        match converted {
            Ok(Conversion::Statement(statement)) => Ok(*statement),
            Ok(Conversion::Skipped {
                schema_name,
                document_type,
            }) => {
                match item_contacts {
                    Some(Ok(found)) if !found.is_empty() => {
                        parsed.contacts = found;
                        return parsed;
                    }
                    Some(Err(err)) => {
                        parsed.push(
                            path,
                            at(&err),
                            Some(record),
                            json_message(&err),
                            Severity::Error,
                        );
                        return parsed;
                    }
                    Some(Ok(_)) | None => {}
                }
                let what = document_type.map_or(schema_name.clone(), |document_type| {
                    format!("{schema_name}/{document_type}")
                });
                parsed.push(
                    path,
                    start,
                    Some(record),
                    format!("GOV.UK item of type {what} is not a statement; skipped"),
                    Severity::Notice,
                );
                return parsed;
            }
            Err(ConvertError::Json(err)) => Err((at(&err), json_message(&err))),
            Err(err) => Err((start, err.to_string())),
        }
    } else {
        let parse = || serde_json::from_str::<Statement>(text);
        let parsed = if options.bodies_on_disk {
            crate::records::without_bodies(parse)
        } else {
            parse()
        };
        parsed.map_err(|err| (at(&err), json_message(&err)))
    };
    let mut statement = match result {
        Ok(statement) => statement,
        Err((position, message)) => {
            let mut record = record;
            if !govuk {
                // A syntax error is reported as such; otherwise the record's
                // id, if it has one, names it in the problem.
                match serde_json::from_str::<Probe>(text) {
                    Ok(probe) => record = record_ref(probe.id, index),
                    Err(err) => {
                        return Parsed::problem(
                            path,
                            at(&err),
                            Some(RecordRef::Index(index)),
                            json_message(&err),
                            Severity::Error,
                        );
                    }
                }
            }
            parsed.push(path, position, Some(record), message, Severity::Error);
            return parsed;
        }
    };
    let record = if govuk || statement.id.is_empty() {
        record
    } else {
        RecordRef::Id(statement.id.clone())
    };
    if statement.id.trim().is_empty() {
        parsed.push(
            path,
            start,
            Some(record),
            "empty id".into(),
            Severity::Error,
        );
        return parsed;
    }
    if let Some(why) = crate::records::id_problem(&statement.id) {
        parsed.push(path, start, Some(record), why, Severity::Error);
        return parsed;
    }
    if statement.title.trim().is_empty() {
        parsed.push(
            path,
            start,
            Some(record),
            "empty title".into(),
            Severity::Error,
        );
        return parsed;
    }
    if options.strict && !govuk {
        parsed
            .problems
            .extend(unknown_fields(path, text, start, &record));
        parsed
            .problems
            .extend(schema_violations(path, text, start, &record));
    }
    statement.origin = Origin {
        path: Arc::clone(path),
        line: start.0,
        stored: None,
    };
    if options.bodies_on_disk && statement.body.is_some() {
        statement.body = None;
        statement.origin.stored = Some(Stored {
            offset,
            len: text.len() as u64,
            via_link: false,
        });
    }
    parsed.statement = Some((statement, record, start));
    parsed
}

fn record_ref(id: Option<serde_json::Value>, index: usize) -> RecordRef {
    match id {
        Some(serde_json::Value::String(id)) if !id.is_empty() => RecordRef::Id(id),
        _ => RecordRef::Index(index),
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
    };
    let options = LoadOptions::default();
    match parse_record(path, &located, options).statement {
        Some((mut full, _, _)) if full.id == statement.id => {
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

fn unknown_fields(
    path: &Path,
    text: &str,
    start: (usize, usize),
    record: &RecordRef,
) -> Vec<Problem> {
    let Ok(fields) = serde_json::from_str::<HashMap<String, IgnoredAny>>(text) else {
        return Vec::new();
    };
    let mut unknown: Vec<_> = fields
        .keys()
        .filter(|key| !NATIVE_FIELDS.contains(&key.as_str()))
        .cloned()
        .collect();
    unknown.sort();
    unknown
        .into_iter()
        .map(|field| {
            Problem::new(
                path,
                start,
                Some(record.clone()),
                format!("unknown field `{field}`"),
                Severity::Warning,
            )
        })
        .collect()
}

/// The JSON Schema of the native format, compiled once.
fn schema() -> Option<&'static jsonschema::Validator> {
    static SCHEMA: std::sync::OnceLock<Option<jsonschema::Validator>> = std::sync::OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let schema: serde_json::Value =
                serde_json::from_str(include_str!("../archive/statement.schema.json")).ok()?;
            jsonschema::validator_for(&schema).ok()
        })
        .as_ref()
}

/// `check --strict` holds native records to `archive/statement.schema.json`
/// too, which is stricter than loading (no unknown keys in a signatory, no
/// `null` for optional fields).
fn schema_violations(
    path: &Path,
    text: &str,
    start: (usize, usize),
    record: &RecordRef,
) -> Vec<Problem> {
    let (Some(validator), Ok(instance)) =
        (schema(), serde_json::from_str::<serde_json::Value>(text))
    else {
        return Vec::new();
    };
    validator
        .iter_errors(&instance)
        .map(|err| {
            let at = err.instance_path.to_string();
            let at = if at.is_empty() {
                "record".to_owned()
            } else {
                at
            };
            Problem::new(
                path,
                start,
                Some(record.clone()),
                format!("schema: {at}: {}", shortened(&err.to_string())),
                Severity::Warning,
            )
        })
        .collect()
}

/// A message cut to a few hundred characters: the schema's messages quote
/// the value they reject, which may be a whole body.
fn shortened(message: &str) -> String {
    const KEEP: usize = 300;
    match message.char_indices().nth(KEEP) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

/// The (line, column) of a byte offset, both one-based, columns in characters.
fn position_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The byte offset in `text` of a serde_json error (which gives a line and
/// a byte column), on a character boundary.
fn byte_offset(text: &str, err: &serde_json::Error) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(err.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + err.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where the first invalid byte is, counting the valid characters before it.
fn utf8_error_position(bytes: &[u8], err: &std::str::Utf8Error) -> (usize, usize) {
    let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
    position_of(valid, valid.len())
}

/// serde_json's message without its trailing " at line L column C".
fn json_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_shortened() {
        assert_eq!(shortened("short"), "short");
        let long = "é".repeat(1_000);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), 301);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\nçd\ne";
        assert_eq!(position_of(text, 0), (1, 1));
        assert_eq!(position_of(text, 3), (2, 1));
        assert_eq!(position_of(text, 5), (2, 2));
        assert_eq!(position_of(text, text.len()), (3, 2));
    }
}
