//! `archive/statement.schema.json` against the records it describes: every
//! native record in `archive/` and `tests/fixtures/native/` must validate, a
//! few broken records must not, and the seed record must hold what the
//! published statement says.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use communique::records::{NATIVE_FIELDS, Statement};
use serde_json::{Value, json};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/archive/statement.schema.json");
const ARCHIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/archive");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/native");
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/archive/dprk-russia-joint-statement-2024-01-12.json"
);

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()))
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&read_json(Path::new(SCHEMA)))
        .unwrap_or_else(|err| panic!("{SCHEMA} is not a valid schema: {err}"))
}

fn is_schema_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with(".schema.json"))
}

/// The records of one file, each labelled "path" or "path#n" / "path:line".
fn records_in(path: &Path) -> Vec<(String, Value)> {
    let name = path.display().to_string();
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("jsonl" | "ndjson") => {
            let text =
                fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {name}: {err}"));
            text.lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .map(|(index, line)| {
                    let label = format!("{name}:{}", index + 1);
                    let value = serde_json::from_str(line)
                        .unwrap_or_else(|err| panic!("{label} is not JSON: {err}"));
                    (label, value)
                })
                .collect()
        }
        _ => match read_json(path) {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (format!("{name}#{}", index + 1), item))
                .collect(),
            value => vec![(name, value)],
        },
    }
}

/// Record files under `dir`, sorted; recursing only when asked.
fn record_files(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if recursive {
                files.extend(record_files(&path, true));
            }
        } else if matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("json" | "jsonl" | "ndjson")
        ) && !is_schema_file(&path)
        {
            files.push(path);
        }
    }
    files
}

fn assert_all_valid(records: &[(String, Value)]) {
    let validator = validator();
    let mut failures = Vec::new();
    for (label, record) in records {
        let errors: Vec<String> = validator
            .iter_errors(record)
            .map(|err| format!("  at {:?}: {err}", err.instance_path.as_str()))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{label}:\n{}", errors.join("\n")));
        }
        // What the schema accepts, the loader's serde types must accept too.
        if let Err(err) = serde_json::from_value::<Statement>(record.clone()) {
            failures.push(format!(
                "{label}: does not deserialise as a Statement: {err}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "records failing the schema:\n{}",
        failures.join("\n")
    );
}

#[test]
fn native_archive_records_match_the_schema() {
    // Only files directly under archive/: archive/govuk/ holds GOV.UK items.
    let files = record_files(Path::new(ARCHIVE), false);
    assert!(
        files.iter().any(|path| path == Path::new(SEED)),
        "seed record not found among {files:?}"
    );
    let records: Vec<_> = files.iter().flat_map(|path| records_in(path)).collect();
    assert!(!records.is_empty());
    assert_all_valid(&records);
}

#[test]
fn native_fixtures_match_the_schema() {
    let files = record_files(Path::new(FIXTURES), true);
    let names: Vec<String> = files
        .iter()
        .map(|path| {
            path.strip_prefix(FIXTURES)
                .expect("under fixtures")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for expected in [
        "lines.jsonl",
        "many.json",
        "nested/a/b/deep.json",
        "one.json",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "{expected} missing: {names:?}"
        );
    }
    let records: Vec<_> = files.iter().flat_map(|path| records_in(path)).collect();
    assert_all_valid(&records);
    assert!(
        records.len() >= 8,
        "one + 3 + 3 + 1 fixture records at least"
    );
    let ids: HashSet<&str> = records
        .iter()
        .map(|(_, record)| record["id"].as_str().expect("string id"))
        .collect();
    let titles: HashSet<&str> = records
        .iter()
        .map(|(_, record)| record["title"].as_str().expect("string title"))
        .collect();
    assert_eq!(ids.len(), records.len(), "fixture ids must be distinct");
    assert_eq!(
        titles.len(),
        records.len(),
        "fixture titles must be distinct"
    );
}

/// A small record every negative case starts from.
fn base() -> Value {
    json!({
        "id": "schema-test",
        "title": "Schema test record",
        "published": "2024-01-12",
        "signatories": ["Jane Doe", {"role": "Minister", "country": "Japan"}],
        "media_contacts": [{"name": "Press office", "email": "press@example.org"}],
        "updates": [{"date": "2024-01-12T09:30:00+00:00", "note": "First published."}]
    })
}

#[test]
fn schema_accepts_the_base_record_and_both_date_forms() {
    let validator = validator();
    assert!(validator.is_valid(&base()));
    for published in [
        "2023-05-01",
        "2023-05-01T09:30:00+01:00",
        "2016-12-28T00:00:19.000+00:00",
        "2023-05-01T08:30:00Z",
    ] {
        let mut record = base();
        record["published"] = json!(published);
        assert!(
            validator.is_valid(&record),
            "{published} should be accepted"
        );
    }
    // Unknown top-level fields load (check --strict reports them).
    let mut record = base();
    record["x_note"] = json!("anything");
    assert!(validator.is_valid(&record));
}

#[test]
fn schema_rejects_broken_records() {
    let validator = validator();
    let mut cases: Vec<(&str, Value)> = Vec::new();

    let mut record = base();
    record.as_object_mut().expect("object").remove("id");
    cases.push(("missing id", record));

    let mut record = base();
    record.as_object_mut().expect("object").remove("title");
    cases.push(("missing title", record));

    let mut record = base();
    record["published"] = json!("12/01/2024");
    cases.push(("published 12/01/2024", record));

    let mut record = base();
    record["signatories"] = json!([42]);
    cases.push(("signatories [42]", record));

    let mut record = base();
    record["media_contacts"] = json!([{"name": "Press office", "fax": "0000 000 0000"}]);
    cases.push(("media contact with an unknown field", record));

    let mut record = base();
    record["id"] = json!("");
    cases.push(("empty id", record));

    let mut record = base();
    record["updates"] = json!([{"date": "2024-01-12"}]);
    cases.push(("update without a note", record));

    let mut record = base();
    record["signatories"] = json!([{}]);
    cases.push(("empty signatory object", record));

    for (what, record) in cases {
        assert!(
            !validator.is_valid(&record),
            "schema accepted a record with {what}: {record}"
        );
    }
}

#[test]
fn schema_describes_exactly_the_native_fields() {
    let schema = read_json(Path::new(SCHEMA));
    let properties = schema["properties"].as_object().expect("properties");
    let mut described: Vec<&str> = properties.keys().map(String::as_str).collect();
    let mut native: Vec<&str> = NATIVE_FIELDS.to_vec();
    described.sort_unstable();
    native.sort_unstable();
    assert_eq!(described, native);
    for (name, property) in properties {
        assert!(
            property["description"].is_string(),
            "property {name} has no description"
        );
    }
    assert_eq!(
        schema["required"],
        json!(["id", "title", "published"]),
        "required fields"
    );
}

#[test]
fn seed_record_holds_the_published_statement() {
    let seed = read_json(Path::new(SEED));
    let signatories = seed["signatories"].as_array().expect("signatories");
    assert_eq!(signatories.len(), 51);
    let ministers = signatories
        .iter()
        .filter(|s| s["role"] == "Minister of Foreign Affairs")
        .count();
    assert_eq!(ministers, 49);
    let countries: Vec<&str> = signatories
        .iter()
        .filter_map(|s| s["country"].as_str())
        .collect();
    for country in ["Japan", "Republic of Korea"] {
        assert!(countries.contains(&country), "{country} missing");
    }
    assert_eq!(
        signatories[49],
        json!({"role": "High Representative of the European Union", "organisation": "European Union"})
    );
    assert_eq!(
        signatories[50],
        json!({"role": "Secretary of State", "country": "United States of America"})
    );
    let contacts = seed["media_contacts"].as_array().expect("media_contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["email"], "newsdesk@fcdo.gov.uk");

    let statement: Statement = serde_json::from_value(seed).expect("seed deserialises");
    assert_eq!(
        statement.id,
        "dprk-russia-ballistic-missile-transfers-2024-01-12"
    );
    assert_eq!(statement.published.as_str(), "2024-01-12");
    assert_eq!(statement.paragraphs().count(), 4);
}
