//! Archive loading: a file or a folder of JSON / JSON Lines files becomes
//! statements plus a list of problems, each naming the file, line and column.
//! One bad record never stops the others loading. No terminal code here.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::contacts::{self, ContactEntry};
use crate::govuk::{self, Conversion, ConvertError};
use crate::records::{NATIVE_FIELDS, Origin, Statement};

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

/// Options that change what the loader reports, never what it loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Report fields the native format does not define.
    pub strict: bool,
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
    let metadata = std::fs::metadata(root)
        .map_err(|err| anyhow::anyhow!("cannot open archive {}: {err}", root.display()))?;
    let mut loader = Loader {
        options,
        archive: Archive {
            root: root.to_path_buf(),
            ..Archive::default()
        },
        seen: HashMap::new(),
    };
    if metadata.is_dir() {
        for path in archive_files(root, &mut loader.archive.problems) {
            loader.load_file(&path);
        }
    } else {
        loader.load_file(root);
    }
    let mut archive = loader.archive;
    archive.statements.sort_by(Statement::newest_first);
    Ok(archive)
}

/// The files a folder contributes, in a stable (sorted) order.
fn archive_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_record_file(entry.path()) => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(err) => problems.push(Problem {
                path: err.path().unwrap_or(root).to_path_buf(),
                line: 1,
                column: 1,
                record: None,
                message: format!("cannot read: {err}"),
                severity: Severity::Error,
            }),
        }
    }
    files
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_record_file(path: &Path) -> bool {
    // The archive folder carries its own JSON Schema, which is not a record.
    let is_schema = path
        .file_name()
        .is_some_and(|name| name.to_string_lossy().ends_with(".schema.json"));
    !is_schema
        && matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("json" | "jsonl" | "ndjson")
        )
}

fn is_lines_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// The fields every record is probed for before it is parsed in full.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    schema_name: Option<IgnoredAny>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

struct Loader {
    options: LoadOptions,
    archive: Archive,
    /// Ids already loaded, with where they came from.
    seen: HashMap<String, Origin>,
}

impl Loader {
    fn problem(&mut self, path: &Path, (line, column): (usize, usize), message: String) {
        self.push(path, (line, column), None, message, Severity::Error);
    }

    fn push(
        &mut self,
        path: &Path,
        (line, column): (usize, usize),
        record: Option<RecordRef>,
        message: String,
        severity: Severity,
    ) {
        self.archive.problems.push(Problem {
            path: path.to_path_buf(),
            line,
            column,
            record,
            message,
            severity,
        });
    }

    fn load_file(&mut self, path: &Path) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => return self.problem(path, (1, 1), format!("cannot read: {err}")),
        };
        let mut body: &[u8] = &bytes;
        if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
            self.push(
                path,
                (1, 1),
                None,
                "file starts with a UTF-8 byte order mark (ignored)".into(),
                Severity::Warning,
            );
            body = rest;
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return self.problem(path, (1, 1), "empty file: no records".into());
        }
        if is_lines_file(path) {
            // Each line stands alone, so a bad byte costs only its own line.
            for (index, line) in body.split(|&byte| byte == b'\n').enumerate() {
                match std::str::from_utf8(line) {
                    Ok(text) if text.trim().is_empty() => {}
                    Ok(text) => {
                        let indent = text.len() - text.trim_start().len();
                        self.load_record(path, text.trim(), (index + 1, indent + 1), index);
                    }
                    Err(err) => {
                        let (_, column) = utf8_error_position(line, &err);
                        self.push(
                            path,
                            (index + 1, column),
                            Some(RecordRef::Index(index)),
                            "not valid UTF-8".into(),
                            Severity::Error,
                        );
                    }
                }
            }
            return;
        }
        match std::str::from_utf8(body) {
            Ok(text) => self.load_document(path, text),
            Err(err) => {
                let position = utf8_error_position(body, &err);
                self.problem(path, position, "not valid UTF-8".into());
            }
        }
    }

    fn load_document(&mut self, path: &Path, text: &str) {
        let located = |err: &serde_json::Error| position_of(text, byte_offset(text, err));
        let first = text.trim_start().chars().next();
        let records: Vec<&RawValue> = match first {
            Some('[') => match serde_json::from_str(text) {
                Ok(records) => records,
                Err(err) => return self.problem(path, located(&err), json_message(&err)),
            },
            Some('{') => match serde_json::from_str(text) {
                Ok(record) => vec![record],
                Err(err) => return self.problem(path, located(&err), json_message(&err)),
            },
            _ => {
                let offset = text.len() - text.trim_start().len();
                return self.problem(
                    path,
                    position_of(text, offset),
                    "expected a record object or an array of records".into(),
                );
            }
        };
        // Records come in file order, so each position is counted on from
        // the last one rather than from the start (which made big arrays
        // quadratic).
        let mut counted = (0, 1, 1);
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
            self.load_record(path, raw.get(), (line, column), index);
        }
    }

    /// Parses one record whose text starts at `start` (line, column) in the file.
    fn load_record(&mut self, path: &Path, text: &str, start: (usize, usize), index: usize) {
        // serde_json counts columns in bytes; report characters, relative
        // to the file rather than the record.
        let located = |err: &serde_json::Error| {
            let (line, column) = position_of(text, byte_offset(text, err));
            if line <= 1 {
                (start.0, start.1 + column - 1)
            } else {
                (start.0 + line - 1, column)
            }
        };
        if !text.starts_with('{') {
            return self.push(
                path,
                start,
                Some(RecordRef::Index(index)),
                "a record must be a JSON object".into(),
                Severity::Error,
            );
        }
        let probe: Probe = match serde_json::from_str(text) {
            Ok(probe) => probe,
            Err(err) => {
                return self.push(
                    path,
                    located(&err),
                    Some(RecordRef::Index(index)),
                    json_message(&err),
                    Severity::Error,
                );
            }
        };
        let record = match probe.id {
            Some(serde_json::Value::String(id)) if !id.is_empty() => RecordRef::Id(id),
            _ => RecordRef::Index(index),
        };
        let parsed = if probe.schema_name.is_some() {
            match govuk::convert(text) {
                Ok(Conversion::Statement(statement)) => Ok(*statement),
                Ok(Conversion::Skipped {
                    schema_name,
                    document_type,
                }) => {
                    match contacts::read_item(&schema_name, document_type.as_deref(), text) {
                        Some(Ok(found)) if !found.is_empty() => {
                            return self.archive.contacts.extend(found);
                        }
                        Some(Err(err)) => {
                            return self.push(
                                path,
                                located(&err),
                                Some(record),
                                json_message(&err),
                                Severity::Error,
                            );
                        }
                        Some(Ok(_)) | None => {}
                    }
                    let what = document_type.map_or(schema_name.clone(), |document_type| {
                        format!("{schema_name}/{document_type}")
                    });
                    return self.push(
                        path,
                        start,
                        Some(record),
                        format!("GOV.UK item of type {what} is not a statement; skipped"),
                        Severity::Notice,
                    );
                }
                Err(ConvertError::Json(err)) => Err((located(&err), json_message(&err))),
                Err(err) => Err((start, err.to_string())),
            }
        } else {
            serde_json::from_str::<Statement>(text)
                .map_err(|err| (located(&err), json_message(&err)))
        };
        let mut statement = match parsed {
            Ok(statement) => statement,
            Err((position, message)) => {
                return self.push(path, position, Some(record), message, Severity::Error);
            }
        };
        if statement.id.trim().is_empty() {
            return self.push(
                path,
                start,
                Some(record),
                "empty id".into(),
                Severity::Error,
            );
        }
        if statement.title.trim().is_empty() {
            return self.push(
                path,
                start,
                Some(record),
                "empty title".into(),
                Severity::Error,
            );
        }
        if self.options.strict && probe.schema_name.is_none() {
            self.report_unknown_fields(path, text, start, &record);
            self.report_schema_violations(path, text, start, &record);
        }
        statement.origin = Origin {
            path: path.to_path_buf(),
            line: start.0,
        };
        if let Some(first) = self.seen.get(&statement.id) {
            let message =
                format!("duplicate id, first loaded from {first}; this copy is not loaded");
            return self.push(path, start, Some(record), message, Severity::Error);
        }
        self.seen
            .insert(statement.id.clone(), statement.origin.clone());
        self.archive.statements.push(statement);
    }

    fn report_unknown_fields(
        &mut self,
        path: &Path,
        text: &str,
        start: (usize, usize),
        record: &RecordRef,
    ) {
        let Ok(fields) = serde_json::from_str::<HashMap<String, IgnoredAny>>(text) else {
            return;
        };
        let mut unknown: Vec<_> = fields
            .keys()
            .filter(|key| !NATIVE_FIELDS.contains(&key.as_str()))
            .cloned()
            .collect();
        unknown.sort();
        for field in unknown {
            self.push(
                path,
                start,
                Some(record.clone()),
                format!("unknown field `{field}`"),
                Severity::Warning,
            );
        }
    }
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

impl Loader {
    /// `check --strict` holds native records to `archive/statement.schema.json`
    /// too, which is stricter than loading (no unknown keys in a signatory,
    /// no `null` for optional fields).
    fn report_schema_violations(
        &mut self,
        path: &Path,
        text: &str,
        start: (usize, usize),
        record: &RecordRef,
    ) {
        let (Some(validator), Ok(instance)) =
            (schema(), serde_json::from_str::<serde_json::Value>(text))
        else {
            return;
        };
        let messages: Vec<String> = validator
            .iter_errors(&instance)
            .map(|err| {
                let at = err.instance_path.to_string();
                let at = if at.is_empty() {
                    "record".to_owned()
                } else {
                    at
                };
                format!("schema: {at}: {err}")
            })
            .collect();
        for message in messages {
            self.push(
                path,
                start,
                Some(record.clone()),
                message,
                Severity::Warning,
            );
        }
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
    fn position_counts_lines_and_characters() {
        let text = "ab\nçd\ne";
        assert_eq!(position_of(text, 0), (1, 1));
        assert_eq!(position_of(text, 3), (2, 1));
        assert_eq!(position_of(text, 5), (2, 2));
        assert_eq!(position_of(text, text.len()), (3, 2));
    }
}
