//! Markdown files with YAML front matter, as static sites and many archives
//! keep statements (often a folder per month of `YYYY-MM-DD-slug.md`): one
//! file, one statement. The front matter (read with yaml_serde) gives the
//! title, date, source address, tags, authors and summary; the body is
//! CommonMark (read with pulldown-cmark, [`text`]) shown as plain text.
//! A file with no front matter, or front matter that is not YAML, is a
//! problem located in the file.

mod templates;
mod text;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime};
use yaml_serde::{Mapping, Value};

pub use text::{MAX_NESTING, flat_text, markdown_to_text};

use super::govuk::{counting_flattened, flattened_message};
use super::{Decoded, Format, Framing, Record, RecordRef, Severity, StatementAt, no_lint};
use crate::records::{Published, Signatory, Statement, Update};

/// A Markdown file is one record: one statement.
pub const FORMAT: Format = Format {
    name: "Markdown with front matter",
    extensions: &[("md", Framing::Whole), ("markdown", Framing::Whole)],
    claims: |_| true,
    decode,
    lint: no_lint,
};

/// The front matter keys read for each field, the first given winning.
const TITLE: &[&str] = &["title"];
const DATE: &[&str] = &["date", "published", "publishDate", "pubDate"];
const UPDATED: &[&str] = &["updated", "lastmod", "last_modified_at", "modified"];
const URL: &[&str] = &[
    "source_url",
    "url",
    "canonical_url",
    "canonicalURL",
    "link",
    "permalink",
];
const TAGS: &[&str] = &["tags", "topics", "categories"];
const AUTHORS: &[&str] = &["authors", "author"];
const SUMMARY: &[&str] = &["summary", "description", "excerpt", "deck"];
const ORGANISATIONS: &[&str] = &[
    "organisations",
    "organizations",
    "organisation",
    "organization",
    "agency",
];

fn decode(record: &Record<'_>) -> Decoded {
    let (mut decoded, flattened) = counting_flattened(|| read(record));
    if flattened > 0 {
        decoded.problems.push(record.file_problem(
            record.start,
            flattened_message(),
            Severity::Warning,
        ));
    }
    decoded
}

fn read(record: &Record<'_>) -> Decoded {
    let (yaml, body) = match split_front_matter(record.text) {
        FrontMatter::Found { yaml, body } => (yaml, body),
        FrontMatter::Missing => {
            return Decoded::problem(
                record.file_problem(
                    record.start,
                    "no YAML front matter: a Markdown statement starts with a `---` line, \
                 its fields (title, date, …) and another `---` line"
                        .into(),
                    Severity::Error,
                ),
            );
        }
        FrontMatter::Unclosed => {
            return Decoded::problem(record.file_problem(
                record.start,
                "front matter opened on line 1 is never closed by a `---` line".into(),
                Severity::Error,
            ));
        }
    };
    // The YAML starts on the file's second line.
    let at = |line: usize, column: usize| (line + 1, column);
    let fields = match yaml_serde::from_str::<Value>(yaml) {
        Ok(Value::Mapping(fields)) => fields,
        Ok(Value::Null) => Mapping::new(),
        Ok(_) => {
            return Decoded::problem(record.file_problem(
                at(1, 1),
                "front matter is not a set of `key: value` fields".into(),
                Severity::Error,
            ));
        }
        Err(err) => {
            let position = err
                .location()
                .map_or(at(1, 1), |place| at(place.line(), place.column()));
            return Decoded::problem(record.file_problem(
                position,
                format!("front matter is not valid YAML: {}", yaml_message(&err)),
                Severity::Error,
            ));
        }
    };
    let field_at = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| key_line(yaml, key))
            .map_or(record.start, |line| at(line, 1))
    };
    let id = first_text(&fields, &["id"]).unwrap_or_else(|| file_stem(record.path));
    let name = RecordRef::Id(id.clone());
    let problem = |position, message: &str| {
        Decoded::problem(record.problem(position, name.clone(), message.into(), Severity::Error))
    };
    let title = first_text(&fields, TITLE).unwrap_or_default();
    if title.is_empty() {
        return problem(record.start, "front matter has no `title`");
    }
    let published = match first_text(&fields, DATE) {
        Some(raw) => match parse_date(&raw) {
            Some(date) => date,
            None => {
                return problem(
                    field_at(DATE),
                    &format!(
                        "bad date {raw:?} in front matter: expected YYYY-MM-DD, \
                         `YYYY-MM-DD HH:MM:SS -0500` or an RFC 3339 date-time"
                    ),
                );
            }
        },
        None => match date_in_file_name(record.path) {
            Some(date) => date,
            None => {
                return problem(
                    record.start,
                    "no date: front matter has no `date` and the file name does not \
                     start with YYYY-MM-DD",
                );
            }
        },
    };
    let url = first_url(&fields);
    let base = url.as_deref().and_then(|url| url::Url::parse(url).ok());
    let markdown = templates::without_templates(body);
    let mut problems = Vec::new();
    let (body, links) = markdown_to_text(&markdown, base.as_ref()).unwrap_or_else(|| {
        problems.push(record.problem(
            record.start,
            name.clone(),
            format!(
                "Markdown nested more than {MAX_NESTING} quotes or lists deep: \
                 read as plain paragraphs"
            ),
            Severity::Warning,
        ));
        (flat_text(&markdown), Vec::new())
    });
    let updates = first_text(&fields, UPDATED)
        .and_then(|raw| parse_date(&raw))
        .filter(|updated| updated > &published)
        .map(|date| Update {
            date,
            note: "Updated".to_owned(),
        })
        .into_iter()
        .collect();
    let statement = Statement {
        id,
        title,
        published,
        kind: first_text(&fields, &["kind"]),
        summary: first_text(&fields, SUMMARY),
        organisations: all_texts(&fields, ORGANISATIONS),
        government: None,
        previous_government: false,
        locations: all_texts(&fields, &["locations", "location"]),
        topics: all_texts(&fields, TAGS),
        people: all_texts(&fields, &["people"]),
        url,
        withdrawn: None,
        signatories: all_texts(&fields, AUTHORS)
            .into_iter()
            .map(|name| {
                Arc::new(Signatory {
                    name: Some(name),
                    ..Signatory::default()
                })
            })
            .collect(),
        body: (!body.is_empty()).then_some(body),
        speech: None,
        links,
        media_contacts: Vec::new(),
        updates,
        language: None,
        translations: Vec::new(),
        origin: crate::records::Origin::default(),
    };
    Decoded {
        statements: vec![StatementAt {
            statement,
            record: name,
            start: record.start,
            version: None,
        }],
        problems,
        ..Decoded::default()
    }
}

enum FrontMatter<'a> {
    Found { yaml: &'a str, body: &'a str },
    Missing,
    Unclosed,
}

/// The front matter between a first line `---` and the next line `---` (or
/// YAML's `...`), and the body after it.
fn split_front_matter(text: &str) -> FrontMatter<'_> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return FrontMatter::Missing;
    };
    if first.trim_end() != "---" {
        return FrontMatter::Missing;
    }
    let mut offset = first.len();
    for line in lines {
        if matches!(line.trim_end(), "---" | "...") {
            return FrontMatter::Found {
                yaml: &text[first.len()..offset],
                body: &text[offset + line.len()..],
            };
        }
        offset += line.len();
    }
    FrontMatter::Unclosed
}

/// The line (one-based, in the YAML) where a top-level `key:` is written.
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|index| index + 1)
}

/// yaml_serde's message with the lines it names counted in the file (it
/// counts from the front matter's first line, the file's second).
fn yaml_message(err: &yaml_serde::Error) -> String {
    const AT: &str = " at line ";
    let message = err.to_string();
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(found) = rest.find(AT) {
        let (before, after) = rest.split_at(found + AT.len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match after[..digits].parse::<usize>() {
            Ok(line) => out.push_str(&(line + 1).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A scalar as text on one line; `None` for anything else or nothing.
fn scalar(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        // An author written as `{name: …}`.
        Value::Mapping(fields) => return fields.get("name").and_then(scalar),
        _ => return None,
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The first of `keys` that the front matter gives as text.
fn first_text(fields: &Mapping, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|key| fields.get(*key).and_then(scalar))
}

/// Every value of the first of `keys` given: a list, or one value; each
/// once.
fn all_texts(fields: &Mapping, keys: &[&str]) -> Vec<String> {
    let Some(value) = keys.iter().find_map(|key| fields.get(*key)) else {
        return Vec::new();
    };
    let values: Vec<String> = match value {
        Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
        one => scalar(one).into_iter().collect(),
    };
    let mut unique: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    unique
}

/// The statement's own address: the first web address the front matter
/// gives under one of the [`URL`] keys (a site-relative permalink is not
/// one).
fn first_url(fields: &Mapping) -> Option<String> {
    URL.iter()
        .filter_map(|key| fields.get(*key).and_then(scalar))
        .find(|url| url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "http" | "https")))
}

/// A date as static sites write it: `YYYY-MM-DD`, RFC 3339, Jekyll's
/// `2024-09-13 00:00:00 -0500`, or a date-time without offset (read as UTC).
fn parse_date(raw: &str) -> Option<Published> {
    let raw = raw.trim();
    if let Ok(date) = Published::parse(raw) {
        return Some(date);
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(instant) = DateTime::parse_from_str(raw, format) {
            return Some(Published::from_instant(instant));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(Published::from_instant(naive.and_utc().fixed_offset()));
        }
    }
    None
}

/// The date a `YYYY-MM-DD-slug.md` file name starts with.
fn date_in_file_name(path: &Path) -> Option<Published> {
    let stem = file_stem(path);
    let mut parts = stem.splitn(4, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return None;
    }
    parse_date(&format!("{year}-{month}-{day}"))
}

/// The file name without its `.md`: the statement's id unless the front
/// matter gives one.
fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_from_the_body() {
        match split_front_matter("---\ntitle: A\n---\nBody\n") {
            FrontMatter::Found { yaml, body } => {
                assert_eq!(yaml, "title: A\n");
                assert_eq!(body, "Body\n");
            }
            _ => panic!("front matter not found"),
        }
        assert!(matches!(
            split_front_matter("# Title\n"),
            FrontMatter::Missing
        ));
        assert!(matches!(
            split_front_matter("---\ntitle: A\n"),
            FrontMatter::Unclosed
        ));
    }

    #[test]
    fn static_site_dates() {
        let jekyll = parse_date("2024-09-13 00:00:00 -0500").expect("jekyll date");
        assert_eq!(jekyll.as_str(), "2024-09-13T00:00:00-05:00");
        assert_eq!(
            parse_date("2015-09-14").expect("date").as_str(),
            "2015-09-14"
        );
        assert_eq!(
            parse_date("2024-12-5").expect("short").as_str(),
            "2024-12-5"
        );
        assert!(parse_date("next Tuesday").is_none());
        let named = date_in_file_name(Path::new("a/2024-12-5-18f-project-defaults.md"));
        assert_eq!(named.expect("file name date").as_str(), "2024-12-5");
        assert!(date_in_file_name(Path::new("index.md")).is_none());
    }

    #[test]
    fn keys_are_found_on_their_line() {
        assert_eq!(key_line("# c\ntitle: x\ndate : 2024", "date"), Some(3));
        assert_eq!(key_line("dates: x", "date"), None);
    }
}
