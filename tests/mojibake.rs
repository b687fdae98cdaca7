//! Double-encoded UTF-8 (issue 15 item 13): a real saved press release
//! whose every quote and dash reads `â€™` (tests/fixtures/mojibake, see its
//! README) loads with its text repaired and a located warning that shows the
//! repair — in the browser's statement, read back from disk, in `show
//! --json` and in `check` — while every other real text in the fixtures
//! (Urdu, Arabic, Welsh, accented names, curly quotes) is left exactly as it
//! was.

use std::path::Path;
use std::process::Command;

use communique::formats::Severity;
use communique::loader::{LoadOptions, load, read_body};

const BINARY: &str = env!("CARGO_BIN_EXE_communique");
const ID: &str = "mn-ag-2019-01-21-mlk-statement";

fn fixtures(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Nothing of the wrong decoding is left: no C1 control and no `â` (the
/// statement is English).
fn assert_clean(field: &str) {
    assert!(
        !field
            .chars()
            .any(|c| ('\u{80}'..='\u{9f}').contains(&c) || c == 'â'),
        "mojibake left in {field:?}"
    );
}

#[test]
fn a_saved_page_decoded_twice_loads_as_published_with_a_warning() {
    let archive = load(&fixtures("mojibake"), LoadOptions::default()).expect("load");
    assert_eq!(archive.statements.len(), 1);
    let statement = &archive.statements[0];
    assert_eq!(
        statement.title,
        "Attorney General Ellison: ‘The fight against discrimination is the fight for a fair, \
         equal economy’"
    );
    let summary = statement.summary.as_deref().expect("a summary");
    assert!(
        summary.starts_with("On MLK holiday, Ellison recalls Dr. King’s question"),
        "{summary}"
    );
    assert_clean(summary);
    // The body as the browser reads it, back from the file.
    let body = read_body(statement).expect("readable").expect("a body");
    assert!(
        body.starts_with("January 21, 2019 (SAINT PAUL) — Attorney General Keith Ellison"),
        "{body}"
    );
    assert!(body.contains("“On this day of remembrance and recommitment, let’s remember"));
    assert!(body.contains("where everyone is in and no one is out.”"));
    assert_clean(&body);

    let warnings: Vec<_> = archive
        .problems
        .iter()
        .filter(|problem| problem.message.contains("mojibake"))
        .collect();
    assert_eq!(warnings.len(), 1, "{:#?}", archive.problems);
    let warning = warnings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning
            .path
            .ends_with("mn-ag-2019-01-21-mlk-statement.json"),
        "{warning}"
    );
    assert_eq!((warning.line, warning.column), (1, 1), "{warning}");
    // The title is repaired first: its first mended word, before and after,
    // written as a browser would show the broken one. 17 quotes and dashes
    // in all (2 in the title, 4 in the summary, 11 in the body).
    assert!(
        warning.message.contains("\"â€˜The\" now reads \"‘The\""),
        "{warning}"
    );
    assert!(warning.message.contains(" in 17 places"), "{warning}");
}

#[test]
fn show_json_and_check_give_the_repaired_text_and_the_located_warning() {
    let show = Command::new(BINARY)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["show", ID, "--json", "--archive"])
        .arg(fixtures("mojibake"))
        .output()
        .expect("run show");
    assert!(show.status.success(), "{show:?}");
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).expect("JSON");
    let title = json["title"].as_str().expect("title");
    assert!(title.ends_with("a fair, equal economy’"), "{title}");
    let body = json["body"].as_str().expect("body");
    assert!(body.contains("Dr. King asked during the Greensboro sit-ins 59 years ago"));
    assert_clean(title);
    assert_clean(body);

    let check = Command::new(BINARY)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["check", "--archive"])
        .arg(fixtures("mojibake"))
        .output()
        .expect("run check");
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains(&format!(
            "mn-ag-2019-01-21-mlk-statement.json:1:1: warning: record \"{ID}\": double-encoded \
             UTF-8 (mojibake) repaired in 17 places"
        )),
        "{all}"
    );
}

/// No false alarm on real text that is not mojibake: every other fixture
/// folder of real statements, in many scripts and languages, and the
/// bundled archive.
#[test]
fn real_text_elsewhere_is_never_taken_for_mojibake() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders = vec![root.join("archive")];
    for name in [
        "govuk",
        "govuk-fidelity",
        "govuk-schemas",
        "govuk-text",
        "govuk-versions",
        "feeds",
        "markdown",
        "whitehouse",
        "signatories",
    ] {
        folders.push(fixtures(name));
    }
    let mut statements = 0;
    for folder in folders {
        let archive = load(&folder, LoadOptions::default()).expect("load");
        statements += archive.statements.len();
        let alarms: Vec<String> = archive
            .problems
            .iter()
            .filter(|problem| problem.message.contains("mojibake"))
            .map(ToString::to_string)
            .collect();
        assert!(alarms.is_empty(), "{}: {alarms:#?}", folder.display());
    }
    assert!(statements > 60, "only {statements} statements read");
}
