//! The GOV.UK adapter: a JSON record naming a `schema_name` is a GOV.UK
//! Content API item, read as a statement, as contacts, or noticed as a kind
//! of item that holds neither.

use super::super::json::{JSON_FILES, Probe, error_at, json_message, record_ref};
use super::super::{Decoded, Format, Record, Severity, StatementAt, no_lint};
use super::contacts::read_item;
use super::{Conversion, ConvertError, convert_versioned, counting_flattened, flattened_message};

/// GOV.UK items share `.json` files with native records.
pub const FORMAT: Format = Format {
    name: "GOV.UK content item",
    extensions: JSON_FILES,
    claims,
    decode,
    lint: no_lint,
};

/// Only a record that names a `schema_name` field is a GOV.UK item; the
/// text is searched first so native records are parsed only once.
fn claims(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"schema_name").is_some()
        && serde_json::from_str::<Probe>(text).is_ok_and(|probe| probe.schema_name.is_some())
}

fn decode(record: &Record<'_>) -> Decoded {
    let text = record.text;
    let name = match serde_json::from_str::<Probe>(text) {
        Ok(probe) => record_ref(probe.id, record.index),
        Err(err) => {
            return Decoded::problem(record.problem(
                error_at(text, record.start, &err),
                super::super::RecordRef::Index(record.index),
                json_message(&err),
                Severity::Error,
            ));
        }
    };
    let ((converted, item_contacts), flattened) = counting_flattened(|| {
        let converted = convert_versioned(text);
        let item_contacts = match &converted {
            Ok((
                Conversion::Skipped {
                    schema_name,
                    document_type,
                },
                _,
            )) => read_item(schema_name, document_type.as_deref(), text),
            _ => None,
        };
        (converted, item_contacts)
    });
    let mut decoded = Decoded::default();
    if flattened > 0 {
        decoded.problems.push(record.problem(
            record.start,
            name.clone(),
            flattened_message(),
            Severity::Warning,
        ));
    }
    let problem = match converted {
        Ok((Conversion::Statement(statement), version)) => {
            // Problems name it by its id: copies in several files are told
            // apart by their versions.
            decoded.statements.push(StatementAt {
                record: super::super::RecordRef::Id(statement.id.clone()),
                statement: *statement,
                start: record.start,
                version,
            });
            return decoded;
        }
        Ok((
            Conversion::Skipped {
                schema_name,
                document_type,
            },
            _,
        )) => match item_contacts {
            Some(Ok(found)) if !found.is_empty() => {
                decoded.contacts = found;
                return decoded;
            }
            Some(Err(err)) => (
                error_at(text, record.start, &err),
                json_message(&err),
                Severity::Error,
            ),
            Some(Ok(_)) | None => {
                let what = document_type.map_or(schema_name.clone(), |document_type| {
                    format!("{schema_name}/{document_type}")
                });
                (
                    record.start,
                    format!(
                        "GOV.UK item of type {what} is not a statement ({}); skipped",
                        super::skip_reason(&schema_name)
                    ),
                    Severity::Notice,
                )
            }
        },
        Err(ConvertError::Json(err)) => (
            error_at(text, record.start, &err),
            json_message(&err),
            Severity::Error,
        ),
        Err(err) => (record.start, err.to_string(), Severity::Error),
    };
    let (position, message, severity) = problem;
    decoded
        .problems
        .push(record.problem(position, name, message, severity));
    decoded
}
