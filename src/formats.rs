//! Record formats as adapters. The loader splits files into records and
//! knows nothing of what they hold; each format here turns one record's text
//! into statements, contacts and located problems. A new format is one new
//! module and one line in [`FORMATS`].

pub mod feed;
pub mod govuk;
pub mod json;
pub mod markdown;
pub mod mojibake;
pub mod native;
mod problem;

use std::path::Path;
use std::sync::Arc;

pub use problem::{Problem, RecordRef, Severity};

use crate::contacts::ContactEntry;
use crate::records::{Published, Statement};

/// Every format the loader reads, in the order records are offered to them:
/// the first whose extension matches and which [claims](Format::claims) a
/// record reads it.
pub const FORMATS: &[Format] = &[
    govuk::FORMAT,
    native::FORMAT,
    feed::FORMAT,
    markdown::FORMAT,
];

/// One record format.
pub struct Format {
    /// What it is called in messages and the README.
    pub name: &'static str,
    /// The file name endings it reads, each with how such a file is split
    /// into records.
    pub extensions: &'static [(&'static str, Framing)],
    /// Whether a record of a matching file is this format's (GOV.UK items
    /// and native records share `.json`).
    pub claims: fn(&str) -> bool,
    /// The record's statements, contacts and problems.
    pub decode: fn(&Record<'_>) -> Decoded,
    /// What `check --strict` adds about a record whose statements loaded.
    pub lint: fn(&Record<'_>, &RecordRef) -> Vec<Problem>,
}

/// How a file is split into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One JSON record object or an array of them.
    JsonDocument,
    /// One JSON record a line.
    JsonLines,
    /// The whole file is one record (a feed holds many statements).
    Whole,
}

/// One record's text and where it lies.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub path: &'a Arc<Path>,
    pub text: &'a str,
    /// (line, column) of its first character in the file.
    pub start: (usize, usize),
    /// Position in the file: array index, or line index for JSON Lines.
    pub index: usize,
    /// Check bodies but do not keep them (they are read back from the file).
    pub without_bodies: bool,
    /// Join the hard-wrapped lines of plain bodies into paragraphs, unless
    /// the record says otherwise (`[archive] reflow`).
    pub reflow: bool,
}

impl Record<'_> {
    /// A problem about the file as a whole, at `position` in it.
    #[must_use]
    pub fn file_problem(
        &self,
        position: (usize, usize),
        message: String,
        severity: Severity,
    ) -> Problem {
        Problem::new(self.path, position, None, message, severity)
    }

    /// A problem about this record, at `position` in its file.
    #[must_use]
    pub fn problem(
        &self,
        position: (usize, usize),
        record: RecordRef,
        message: String,
        severity: Severity,
    ) -> Problem {
        Problem::new(self.path, position, Some(record), message, severity)
    }
}

/// One statement read from a record.
#[derive(Debug)]
pub struct StatementAt {
    pub statement: Statement,
    /// How problems about it name it.
    pub record: RecordRef,
    /// Where it starts in the file.
    pub start: (usize, usize),
    /// Which version of its item it is, for formats whose items come in
    /// versions (GOV.UK's `public_updated_at`): of two statements with one
    /// id and different versions the later is loaded and the other reported
    /// as superseded. `None`: two copies of its id are duplicates.
    pub version: Option<Published>,
}

/// What one record turned into.
#[derive(Debug, Default)]
pub struct Decoded {
    pub statements: Vec<StatementAt>,
    /// Contacts from items that hold no statement, one per contact, not yet
    /// merged.
    pub contacts: Vec<ContactEntry>,
    pub problems: Vec<Problem>,
}

impl Decoded {
    /// Nothing but one problem.
    #[must_use]
    pub fn problem(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
            ..Self::default()
        }
    }
}

/// How a file is split into records, or `None` when no format reads it.
#[must_use]
pub fn framing(path: &Path) -> Option<Framing> {
    let ext = path.extension()?.to_str()?;
    FORMATS
        .iter()
        .flat_map(|format| format.extensions)
        .find(|(known, _)| *known == ext)
        .map(|&(_, framing)| framing)
}

/// The file names formats read, as `*.json`, each once, for messages.
#[must_use]
pub fn file_names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (ext, _) in FORMATS.iter().flat_map(|format| format.extensions) {
        let name = format!("*.{ext}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The format that reads a record of the file at `path`.
#[must_use]
pub fn format_of(path: &Path, text: &str) -> Option<&'static Format> {
    let ext = path.extension()?.to_str()?;
    FORMATS.iter().find(|format| {
        format.extensions.iter().any(|(known, _)| *known == ext) && (format.claims)(text)
    })
}

/// No lint: the format's reading says all there is.
#[must_use]
pub fn no_lint(_: &Record<'_>, _: &RecordRef) -> Vec<Problem> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sharing_a_file_name_ending_frame_it_the_same_way() {
        for format in FORMATS {
            for &(ext, framing) in format.extensions {
                let path = format!("a.{ext}");
                assert_eq!(
                    super::framing(Path::new(&path)),
                    Some(framing),
                    "{} frames .{ext} otherwise than an earlier format",
                    format.name
                );
            }
        }
    }

    /// The order of [`FORMATS`] matters where formats share files: a format
    /// that claims every record (native JSON) must come after the ones that
    /// pick theirs out, or they would never be asked.
    #[test]
    fn each_record_reaches_its_own_format() {
        let cases = [
            (
                "a.json",
                r#"{"schema_name":"news_article","id":1}"#,
                "GOV.UK content item",
            ),
            (
                "a.jsonl",
                r#"{"schema_name":"speech"}"#,
                "GOV.UK content item",
            ),
            (
                "a.json",
                r#"{"id":"x","title":"T","published":"2024-01-01"}"#,
                "native JSON",
            ),
            // Mentioning the word is not enough: it must be a field.
            (
                "a.json",
                r#"{"id":"x","title":"schema_name"}"#,
                "native JSON",
            ),
            ("news.rss", "<rss version=\"2.0\"/>", "RSS or Atom feed"),
            ("news.atom", "<feed/>", "RSS or Atom feed"),
            (
                "2024-01-12-statement.md",
                "---\ntitle: T\n---\n",
                "Markdown with front matter",
            ),
            ("a.markdown", "# T", "Markdown with front matter"),
        ];
        for (file, text, expected) in cases {
            let format = format_of(Path::new(file), text).map(|format| format.name);
            assert_eq!(format, Some(expected), "{file}: {text}");
        }
        assert!(format_of(Path::new("notes.txt"), "hello").is_none());
        assert!(super::framing(Path::new("notes.txt")).is_none());
    }
}
