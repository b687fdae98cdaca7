//! The native record format: one statement per JSON object, as
//! `archive/statement.schema.json` describes, in `.json` files (one record or
//! an array) and JSON Lines. A record may give its text as HTML
//! (`body_html`, read as GOV.UK bodies are) instead of `body`, and ask for
//! a hard-wrapped `body` to be reflowed (`reflow`, else the archive's
//! setting).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::govuk::{contacts_from_html, counting_flattened, flattened_message, html_to_text};
use super::json::{JSON_FILES, Probe, error_at, json_message, record_ref};
use super::{Decoded, Format, Problem, Record, RecordRef, Severity, StatementAt};
use crate::records::{NATIVE_FIELDS, Statement};

/// Any JSON record that no other format claims is a native one.
pub const FORMAT: Format = Format {
    name: "native JSON",
    extensions: JSON_FILES,
    claims: |_| true,
    decode,
    lint,
};

fn decode(record: &Record<'_>) -> Decoded {
    let text = record.text;
    let parse = || serde_json::from_str::<Statement>(text);
    let parsed = if record.without_bodies {
        crate::records::without_bodies(parse)
    } else {
        parse()
    };
    match parsed {
        Ok(mut statement) => {
            let name = if statement.id.is_empty() {
                RecordRef::Index(record.index)
            } else {
                RecordRef::Id(statement.id.clone())
            };
            let flattened = read_extras(record, &mut statement);
            let problems = if flattened > 0 {
                vec![record.problem(
                    record.start,
                    name.clone(),
                    format!("body_html: {}", flattened_message()),
                    Severity::Warning,
                )]
            } else {
                Vec::new()
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
        // A syntax error is reported as such; otherwise the record's id, if
        // it has one, names it in the problem.
        Err(err) => match serde_json::from_str::<Probe>(text) {
            Ok(probe) => Decoded::problem(record.problem(
                error_at(text, record.start, &err),
                record_ref(probe.id, record.index),
                json_message(&err),
                Severity::Error,
            )),
            Err(err) => Decoded::problem(record.problem(
                error_at(text, record.start, &err),
                RecordRef::Index(record.index),
                json_message(&err),
                Severity::Error,
            )),
        },
    }
}

/// The fields that change how the text is taken; read only when the record
/// names one of them, so a record that does not costs no second parse.
#[derive(Deserialize)]
struct Extras {
    #[serde(default)]
    body_html: Option<String>,
    #[serde(default)]
    reflow: Option<bool>,
}

/// Takes `body_html` (when there is no `body`) through the GOV.UK HTML
/// reader, with its contact blocks as media contacts when the record lists
/// none, and reflows a plain body when asked. Returns how many HTML
/// fragments were nested too deep to read with their layout.
fn read_extras(record: &Record<'_>, statement: &mut Statement) -> usize {
    let names =
        |field: &str| memchr::memmem::find(record.text.as_bytes(), field.as_bytes()).is_some();
    if !names("\"body_html\"") && !names("\"reflow\"") {
        if record.reflow {
            reflow_body(statement);
        }
        return 0;
    }
    // The record parsed as a statement, so it parses here too.
    let Ok(extras) = serde_json::from_str::<Extras>(record.text) else {
        return 0;
    };
    if statement.body.is_none()
        && let Some(html) = extras.body_html
    {
        if record.without_bodies {
            // Read back, and converted, when it is shown.
            statement.body = Some(String::new());
            return 0;
        }
        let ((text, contacts), flattened) =
            counting_flattened(|| (html_to_text(&html), contacts_from_html(&html)));
        if statement.media_contacts.is_empty() {
            statement.media_contacts = contacts;
        }
        statement.body = (!text.trim().is_empty()).then_some(text);
        return flattened;
    }
    if extras.reflow.unwrap_or(record.reflow) {
        reflow_body(statement);
    }
    0
}

fn reflow_body(statement: &mut Statement) {
    if let Some(body) = &mut statement.body {
        *body = reflow(body);
    }
}

/// A hard-wrapped plain body with each paragraph's lines joined: a line
/// break stays only before a list item ("• ", "- ", "* ", "1. ") or a
/// quoted line ("> "), and paragraphs stay apart.
#[must_use]
pub fn reflow(body: &str) -> String {
    let starts_item = |line: &str| {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        ["• ", "- ", "* ", "> "]
            .iter()
            .any(|marker| line.starts_with(marker))
            || (digits > 0 && matches!(line.get(digits..digits + 2), Some(". " | ") ")))
    };
    let mut out = String::with_capacity(body.len());
    for (number, paragraph) in body
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .enumerate()
    {
        if number > 0 {
            out.push_str("\n\n");
        }
        for (index, line) in paragraph
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if index > 0 {
                out.push(if starts_item(line) { '\n' } else { ' ' });
            }
            out.push_str(line);
        }
    }
    out
}

/// `check --strict`: fields the format does not define, and what the JSON
/// Schema says.
fn lint(record: &Record<'_>, name: &RecordRef) -> Vec<Problem> {
    let mut problems = unknown_fields(record.path, record.text, record.start, name);
    problems.extend(schema_violations(
        record.path,
        record.text,
        record.start,
        name,
    ));
    problems
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
                serde_json::from_str(include_str!("../../archive/statement.schema.json")).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflow_joins_wrapped_lines_but_not_items() {
        assert_eq!(
            reflow("One line\nwrapped here.\n\n\nItems:\n• a\n- b\n12. c\n> quoted\nstill"),
            "One line wrapped here.\n\nItems:\n• a\n- b\n12. c\n> quoted still"
        );
        assert_eq!(reflow("1999 was\na year"), "1999 was a year");
    }

    #[test]
    fn long_messages_are_shortened() {
        assert_eq!(shortened("short"), "short");
        let long = "é".repeat(1_000);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), 301);
        assert!(cut.ends_with('…'));
    }
}
