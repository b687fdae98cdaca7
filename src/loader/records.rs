//! From files to records: a file is split into records as its format frames
//! it (a JSON document or array, JSON Lines, or the whole file for a feed),
//! each record is handed to the format that claims it, and what every
//! statement needs whatever its format (an id that shows as typed, a title)
//! is checked here. Positions are the file's lines and columns.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::value::RawValue;

use super::{LoadOptions, Problem, RecordRef, Severity, files};
use crate::formats::json::{
    Positions, byte_offset, json_message, position_of, utf8_error_position,
};
use crate::formats::{self, Decoded, Framing, Record, StatementAt};
use crate::records::{Origin, Statement, Stored};

/// What one record's text (or one file's framing) turned into: worked out
/// in parallel, then taken in file order by [`Loader::accept`].
pub(super) type Parsed = Decoded;

/// Nothing but one problem.
pub(super) fn failed(
    path: &Path,
    position: (usize, usize),
    record: Option<RecordRef>,
    message: String,
    severity: Severity,
) -> Parsed {
    Decoded::problem(Problem::new(path, position, record, message, severity))
}

/// One record's text and where it lies.
pub(super) struct Located<'a> {
    pub(super) text: &'a str,
    /// (line, column) of its first character.
    pub(super) start: (usize, usize),
    /// Byte offset in the file.
    pub(super) offset: u64,
    /// Position in the file: array index, or line index for JSON Lines.
    pub(super) index: usize,
    /// Whether the text holds one statement that [`read_full`] can read
    /// back from `offset` (not so for a feed, one record of many items).
    pub(super) rereadable: bool,
}

pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn bom_warning(path: &Path) -> Parsed {
    failed(
        path,
        (1, 1),
        None,
        "file starts with a UTF-8 byte order mark (ignored)".into(),
        Severity::Warning,
    )
}

/// Notes on records read through a symbolic link that reading them back
/// must follow it ([`read_full`]).
pub(super) fn note_link(parsed: &mut [Parsed], via_link: bool) {
    if !via_link {
        return;
    }
    for read in parsed.iter_mut().flat_map(|parsed| &mut parsed.statements) {
        if let Some(stored) = &mut read.statement.origin.stored {
            stored.via_link = true;
        }
    }
}

/// Everything one (small) file holds.
pub(super) fn parse_file(path: &Path, via_link: bool, options: LoadOptions) -> Vec<Parsed> {
    let bytes = match files::read_whole(path, via_link, options.policy) {
        Ok(bytes) => bytes,
        Err(message) => {
            return vec![failed(path, (1, 1), None, message, Severity::Error)];
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
        out.push(failed(
            path,
            (1, 1),
            None,
            "empty file: no records".into(),
            Severity::Error,
        ));
        return out;
    }
    let framing = formats::framing(path);
    if framing == Some(Framing::JsonLines) {
        out.extend(parse_lines(&shared, body, skip, 1, options));
        return out;
    }
    match std::str::from_utf8(body) {
        // A file named on the command line is read as JSON whatever its name.
        Ok(text) if framing == Some(Framing::Whole) => {
            let whole = Located {
                text,
                start: (1, 1),
                offset: skip,
                index: 0,
                rereadable: false,
            };
            out.push(parse_record(&shared, &whole, options));
        }
        Ok(text) => out.extend(parse_document(&shared, text, skip, options)),
        Err(err) => {
            let position = utf8_error_position(body, &err);
            out.push(failed(
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
pub(super) fn parse_lines(
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
                return Some(failed(
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
                        rereadable: true,
                    };
                    Some(parse_json_record(path, &located, options))
                }
                Err(err) => {
                    let (_, column) = utf8_error_position(line, &err);
                    Some(failed(
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
    let problem = |position, message| vec![failed(path, position, None, message, Severity::Error)];
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
    let mut positions = Positions::new(text);
    let mut places = Vec::with_capacity(records.len());
    for (index, raw) in records.into_iter().enumerate() {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        places.push(Located {
            text: raw.get(),
            start: positions.at(offset),
            offset: skip + offset as u64,
            index,
            rereadable: true,
        });
    }
    places
        .par_iter()
        .with_min_len(16)
        .map(|located| parse_json_record(path, located, options))
        .collect()
}

/// Parses one record of a JSON file.
pub(super) fn parse_json_record(
    path: &Arc<Path>,
    located: &Located<'_>,
    options: LoadOptions,
) -> Parsed {
    if !located.text.starts_with('{') {
        return failed(
            path,
            located.start,
            Some(RecordRef::Index(located.index)),
            "a record must be a JSON object".into(),
            Severity::Error,
        );
    }
    parse_record(path, located, options)
}

/// Parses one record with the format that claims it, and checks what every
/// statement needs whatever its format.
fn parse_record(path: &Arc<Path>, located: &Located<'_>, options: LoadOptions) -> Parsed {
    let Located {
        text,
        start,
        index,
        offset,
        rereadable,
    } = *located;
    if text.len() as u64 > options.policy.max_record_size {
        return failed(
            path,
            start,
            Some(RecordRef::Index(index)),
            files::too_big(text.len() as u64, options.policy),
            Severity::Error,
        );
    }
    let Some(format) = formats::format_of(path, text) else {
        return failed(
            path,
            start,
            Some(RecordRef::Index(index)),
            "no format reads this record".into(),
            Severity::Error,
        );
    };
    let record = Record {
        path,
        text,
        start,
        index,
        without_bodies: options.bodies_on_disk && rereadable,
        reflow: options.policy.reflow,
    };
    let decoded = (format.decode)(&record);
    let mut parsed = Parsed {
        statements: Vec::with_capacity(decoded.statements.len()),
        contacts: decoded.contacts,
        problems: decoded.problems,
    };
    for read in decoded.statements {
        let StatementAt {
            mut statement,
            record: name,
            start,
            version,
        } = read;
        // Text decoded twice over is repaired whatever its format, and said.
        if let Some(report) = formats::mojibake::repair_statement(&mut statement) {
            parsed.problems.push(Problem::new(
                path,
                start,
                Some(name.clone()),
                report.message(),
                Severity::Warning,
            ));
        }
        if let Some(why) = statement_problem(&statement) {
            parsed
                .problems
                .push(Problem::new(path, start, Some(name), why, Severity::Error));
            continue;
        }
        if options.strict {
            parsed.problems.extend((format.lint)(&record, &name));
        }
        // One order everywhere: the change history newest first, as GOV.UK
        // gives it, whatever order a record wrote it in.
        statement
            .updates
            .sort_by_key(|update| std::cmp::Reverse(update.date.timestamp()));
        if let Some(zone) = options.policy.time_zone {
            statement.set_time_zone(zone);
        }
        statement.origin = Origin {
            path: Arc::clone(path),
            line: start.0,
            stored: None,
        };
        if record.without_bodies && statement.body.is_some() {
            statement.body = None;
            statement.origin.stored = Some(Stored {
                offset,
                len: text.len() as u64,
                via_link: false,
                reflow: options.policy.reflow,
            });
        }
        parsed.statements.push(StatementAt {
            statement,
            record: name,
            start,
            version,
        });
    }
    parsed
}

/// Why a statement cannot be loaded, whatever its format: it has no id, an
/// id that does not show as typed, or no title.
fn statement_problem(statement: &Statement) -> Option<String> {
    if statement.id.trim().is_empty() {
        return Some("empty id".into());
    }
    if let Some(why) = crate::records::id_problem(&statement.id) {
        return Some(why);
    }
    if statement.title.trim().is_empty() {
        return Some("empty title".into());
    }
    None
}
