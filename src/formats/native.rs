//! The native record format: one statement per JSON object, as
//! `archive/statement.schema.json` describes, in `.json` files (one record or
//! an array) and JSON Lines.

use std::collections::HashMap;
use std::path::Path;

use serde::de::IgnoredAny;

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
        Ok(statement) => {
            let name = if statement.id.is_empty() {
                RecordRef::Index(record.index)
            } else {
                RecordRef::Id(statement.id.clone())
            };
            Decoded {
                statements: vec![StatementAt {
                    statement,
                    record: name,
                    start: record.start,
                    version: None,
                }],
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
    fn long_messages_are_shortened() {
        assert_eq!(shortened("short"), "short");
        let long = "é".repeat(1_000);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), 301);
        assert!(cut.ends_with('…'));
    }
}
