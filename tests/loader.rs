//! The archive loader against real files: every file shape the native format
//! allows, the folder walk, and every kind of broken file in
//! `tests/fixtures/broken/` (see the README there). Positions asserted here
//! were counted by hand from the fixture text: lines and columns are one-based
//! and columns count characters.

use std::fs;
use std::path::{Path, PathBuf};

use communique::loader::{Archive, LoadOptions, Problem, RecordRef, Severity, load};

const SEED_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn native(name: &str) -> PathBuf {
    repo("tests/fixtures/native").join(name)
}

fn broken(name: &str) -> PathBuf {
    repo("tests/fixtures/broken").join(name)
}

fn load_with(path: &Path, strict: bool) -> Archive {
    load(
        path,
        LoadOptions {
            strict,
            ..LoadOptions::default()
        },
    )
    .unwrap_or_else(|err| panic!("{} should open: {err:#}", path.display()))
}

fn load_ok(path: &Path) -> Archive {
    load_with(path, false)
}

fn ids(archive: &Archive) -> Vec<&str> {
    archive.statements.iter().map(|s| s.id.as_str()).collect()
}

/// The one problem the archive reports, failing with the full list otherwise.
fn only_problem(archive: &Archive) -> &Problem {
    match archive.problems.as_slice() {
        [problem] => problem,
        problems => panic!("expected exactly one problem, got {problems:#?}"),
    }
}

/// Asserts a problem's location, record, severity and that its message
/// mentions `cause`.
#[track_caller]
fn assert_problem(
    problem: &Problem,
    path: &Path,
    (line, column): (usize, usize),
    record: Option<RecordRef>,
    severity: Severity,
    cause: &str,
) {
    assert_eq!(problem.path, path, "path of {problem:?}");
    assert_eq!(
        (problem.line, problem.column),
        (line, column),
        "position of {problem:?}"
    );
    assert_eq!(problem.record, record, "record of {problem:?}");
    assert_eq!(problem.severity, severity, "severity of {problem:?}");
    assert!(
        problem.message.contains(cause),
        "message {:?} should mention {cause:?}",
        problem.message
    );
}

fn write(dir: &Path, relative: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
    fs::write(&path, contents).expect("write file");
}

fn record(id: &str, title: &str, published: &str) -> String {
    format!(r#"{{"id": "{id}", "title": "{title}", "published": "{published}"}}"#)
}

// ---------------------------------------------------------------- file shapes

#[test]
fn single_object_file() {
    let archive = load_ok(&native("one.json"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["fixture-one-harbour-accord"]);
    let statement = &archive.statements[0];
    assert_eq!(statement.signatories.len(), 3);
    assert_eq!(statement.updates.len(), 2);
    assert_eq!(*statement.origin.path, *native("one.json"));
    assert_eq!(statement.origin.line, 1);
}

#[test]
fn array_file_records_keep_their_start_lines() {
    let archive = load_ok(&native("many.json"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    // many-2 2023-06-15, many-1 2023-05-01T09:30+01:00, many-3 2022-12-31T23:59:59Z.
    assert_eq!(
        ids(&archive),
        [
            "fixture-many-2-bridge-closure",
            "fixture-many-1-river-survey",
            "fixture-many-3-minimal",
        ]
    );
    let lines: Vec<usize> = archive.statements.iter().map(|s| s.origin.line).collect();
    assert_eq!(lines, [12, 2, 29]);
}

#[test]
fn json_lines_file() {
    let archive = load_ok(&native("lines.jsonl"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    // 2023-04-20T14:00+01:00, 2023-03-11T08:00Z, 2023-03-10.
    assert_eq!(
        ids(&archive),
        [
            "fixture-lines-2-speech",
            "fixture-lines-3-correction",
            "fixture-lines-1-tariff-notice",
        ]
    );
    let lines: Vec<usize> = archive.statements.iter().map(|s| s.origin.line).collect();
    assert_eq!(lines, [2, 3, 1]);
}

#[test]
fn nested_folder_is_walked() {
    let archive = load_ok(&native("nested"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["fixture-nested-deep-archive-note"]);
    assert_eq!(
        *archive.statements[0].origin.path,
        *native("nested/a/b/deep.json")
    );
}

#[test]
fn whole_native_folder_newest_first() {
    let archive = load_ok(&repo("tests/fixtures/native"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    // README.md sits in the folder and is not a record file.
    assert_eq!(
        ids(&archive),
        [
            "fixture-many-2-bridge-closure",    // 2023-06-15
            "fixture-many-1-river-survey",      // 2023-05-01T09:30+01:00
            "fixture-nested-deep-archive-note", // same instant: by id
            "fixture-one-harbour-accord",       // 2023-05-01 (midnight UTC)
            "fixture-lines-2-speech",           // 2023-04-20
            "fixture-lines-3-correction",       // 2023-03-11
            "fixture-lines-1-tariff-notice",    // 2023-03-10
            "fixture-many-3-minimal",           // 2022-12-31
        ]
    );
    let stamps: Vec<i64> = archive
        .statements
        .iter()
        .map(|s| s.published.timestamp())
        .collect();
    assert!(
        stamps.windows(2).all(|pair| pair[0] >= pair[1]),
        "{stamps:?}"
    );
}

#[test]
fn ndjson_is_json_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "feed.ndjson",
        format!(
            "{}\n\n  {}\n",
            record("nd-1", "First", "2024-01-01"),
            record("nd-2", "Second", "2024-01-02"),
        ),
    );
    let archive = load_ok(dir.path());
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["nd-2", "nd-1"]);
    let lines: Vec<usize> = archive.statements.iter().map(|s| s.origin.line).collect();
    assert_eq!(lines, [3, 1]);
}

#[test]
fn folder_walk_is_sorted_and_skips_hidden_and_non_record_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Written in reverse order so creation order cannot pass for sorted order.
    write(
        root,
        "b.json",
        record("walk-dup", "From b.json", "2024-01-01"),
    );
    write(
        root,
        "a.json",
        record("walk-dup", "From a.json", "2024-01-01"),
    );
    write(
        root,
        "a/z.json",
        record("walk-dup", "From a/z.json", "2024-01-01"),
    );
    write(
        root,
        "sub/deeper/d.jsonl",
        record("walk-deep", "Deep", "2024-01-02"),
    );
    // None of these may be read: each would be a problem if it were.
    write(root, ".hidden.json", "not json");
    write(root, ".git/objects.json", "not json");
    write(root, "sub/.cache/e.json", "not json");
    write(root, "README.md", "# not json");
    write(root, "notes.txt", "not json");
    write(root, "statement.schema.json", "not json either");
    write(root, "sub/other.schema.json", r#"{"$schema": "x"}"#);

    let archive = load_ok(root);
    // A duplicated id loads no copy at all.
    assert_eq!(ids(&archive), ["walk-deep"]);
    // "a" < "a.json" < "b.json": the copy inside the folder a/ is read
    // first, and every other copy is reported against it.
    let paths: Vec<&Path> = archive.problems.iter().map(|p| p.path.as_path()).collect();
    assert_eq!(
        paths,
        [
            root.join("a/z.json"),
            root.join("a.json"),
            root.join("b.json")
        ]
    );
    for problem in &archive.problems[1..] {
        assert!(problem.message.contains("duplicate id"), "{problem:?}");
        assert!(problem.message.contains("z.json:1:1"), "{problem:?}");
    }
    assert!(
        archive.problems[0].message.contains("a.json:1:1"),
        "{:?}",
        archive.problems[0]
    );

    // The same folder loads the same way every time.
    let again = load_ok(root);
    assert_eq!(again.problems, archive.problems);
    assert_eq!(ids(&again), ids(&archive));
}

#[test]
fn a_hidden_root_folder_is_still_loaded() {
    let dir = tempfile::Builder::new()
        .prefix(".hidden-archive")
        .tempdir()
        .expect("tempdir");
    write(
        dir.path(),
        "a.json",
        record("hidden-root", "Loaded", "2024-01-01"),
    );
    let archive = load_ok(dir.path());
    assert_eq!(ids(&archive), ["hidden-root"]);
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-archive");
    let err = load(&missing, LoadOptions::default()).expect_err("missing path");
    assert!(err.to_string().contains("no-such-archive"), "{err:#}");
}

// ------------------------------------------------------------ broken archives

#[test]
fn not_json_at_all() {
    let path = broken("not-json.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    assert_problem(
        only_problem(&archive),
        &path,
        (1, 1),
        None,
        Severity::Error,
        "expected a record object or an array of records",
    );
}

#[test]
fn truncated_json() {
    let path = broken("truncated.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // Line 5 is `    "published": "2024-0` (24 characters) and the file ends there.
    assert_problem(
        only_problem(&archive),
        &path,
        (5, 24),
        None,
        Severity::Error,
        "EOF while parsing a string",
    );
}

#[test]
fn empty_file() {
    let path = broken("empty.json");
    assert_eq!(fs::metadata(&path).expect("fixture").len(), 0);
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    assert_problem(
        only_problem(&archive),
        &path,
        (1, 1),
        None,
        Severity::Error,
        "empty file",
    );
}

#[test]
fn byte_order_mark_is_a_warning_and_the_record_loads() {
    let path = broken("bom.json");
    assert!(
        fs::read(&path)
            .expect("fixture")
            .starts_with(b"\xEF\xBB\xBF")
    );
    let archive = load_ok(&path);
    assert_eq!(ids(&archive), ["broken-bom"]);
    assert_problem(
        only_problem(&archive),
        &path,
        (1, 1),
        None,
        Severity::Warning,
        "byte order mark",
    );
}

#[test]
fn invalid_utf8_in_the_middle_of_line_3() {
    let path = broken("not-utf8.json");
    let bytes = fs::read(&path).expect("fixture");
    let error = std::str::from_utf8(&bytes).expect_err("fixture must not be UTF-8");
    assert_eq!(bytes[error.valid_up_to()], 0xFF);
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // Line 3 is `  "title": "Café \xFF menu",`: 17 characters (18 bytes, é is two)
    // come before the bad byte, so it is column 18.
    assert_problem(
        only_problem(&archive),
        &path,
        (3, 18),
        None,
        Severity::Error,
        "not valid UTF-8",
    );
}

#[test]
fn nesting_200_deep_is_refused_at_the_first_wrong_bracket() {
    let path = broken("deep.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // Line 5 is `  "signatories": ` (17 characters) then 200 `[`. The first
    // `[` opens the list; the second, at column 19, is not a signatory.
    assert_problem(
        only_problem(&archive),
        &path,
        (5, 19),
        Some(RecordRef::Id("broken-deep".into())),
        Severity::Error,
        "invalid type: sequence, expected a name, or an object with name, role, country and organisation",
    );
}

#[test]
fn nesting_200_deep_in_an_unknown_field_is_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("deep.json");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    std::fs::write(
        &path,
        format!("{{\"id\": \"d\", \"title\": \"t\", \"published\": \"2024-01-01\",\n\"extra\": {deep}}}\n"),
    )
    .expect("write");
    let archive = load_ok(&path);
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["d"]);
}

#[test]
fn huge_number_in_a_known_field() {
    let path = broken("huge-number.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // Line 3 is `  "title": 1e400,`: the number spans columns 12 to 16.
    assert_problem(
        only_problem(&archive),
        &path,
        (3, 16),
        Some(RecordRef::Id("broken-huge-number".into())),
        Severity::Error,
        "number out of range",
    );
}

/// A value in a field the format does not define is skipped without being
/// converted, so `1e400` there is no problem: the record loads. `--strict`
/// names the field.
#[test]
fn huge_number_in_an_unknown_field_loads() {
    let path = broken("huge-number-unknown-field.json");
    let archive = load_ok(&path);
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["broken-huge-number-unknown-field"]);

    let strict = load_with(&path, true);
    assert_eq!(ids(&strict), ["broken-huge-number-unknown-field"]);
    assert_problem(
        only_problem(&strict),
        &path,
        (1, 1),
        Some(RecordRef::Id("broken-huge-number-unknown-field".into())),
        Severity::Warning,
        "unknown field `score`",
    );
}

#[test]
fn missing_title_names_the_record_and_the_others_load() {
    let path = broken("missing-title.json");
    let archive = load_ok(&path);
    assert_eq!(
        ids(&archive),
        ["broken-missing-title-3", "broken-missing-title-1"]
    );
    // The second record spans lines 7 to 10; the parser notices the missing
    // field at its closing `}`, line 10 column 3.
    assert_problem(
        only_problem(&archive),
        &path,
        (10, 3),
        Some(RecordRef::Id("broken-missing-title-2".into())),
        Severity::Error,
        "missing field `title`",
    );
    let lines: Vec<usize> = archive.statements.iter().map(|s| s.origin.line).collect();
    assert_eq!(lines, [11, 2]);
}

#[test]
fn bad_date_names_the_record() {
    let path = broken("bad-date.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // Line 4 is `  "published": "12/01/2024",`: the value spans columns 16 to 27.
    let problem = only_problem(&archive);
    assert_problem(
        problem,
        &path,
        (4, 27),
        Some(RecordRef::Id("broken-bad-date".into())),
        Severity::Error,
        "bad date",
    );
    assert!(problem.message.contains("12/01/2024"), "{problem:?}");
}

#[test]
fn duplicate_id_across_two_files_loads_neither_and_names_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["duplicate-a.json", "duplicate-b.jsonl"] {
        fs::copy(broken(name), dir.path().join(name)).expect("copy fixture");
    }
    let archive = load_ok(dir.path());
    assert_eq!(ids(&archive), ["broken-duplicate-neighbour"]);
    assert_eq!(archive.withdrawn, ["broken-duplicate"]);

    let first = dir.path().join("duplicate-a.json");
    let second = dir.path().join("duplicate-b.jsonl");
    assert_eq!(archive.problems.len(), 2, "{:?}", archive.problems);
    for (problem, (path, position), other) in [
        (
            &archive.problems[0],
            (&first, (1, 1)),
            format!("{}:2:1", second.display()),
        ),
        (
            &archive.problems[1],
            (&second, (2, 1)),
            format!("{}:1:1", first.display()),
        ),
    ] {
        assert_problem(
            problem,
            path,
            position,
            Some(RecordRef::Id("broken-duplicate".into())),
            Severity::Error,
            "duplicate id",
        );
        assert!(
            problem.message.contains(&other),
            "{problem:?} should name {other}"
        );
    }
}

#[test]
fn json_lines_bad_line_among_good_ones() {
    let path = broken("bad-line.jsonl");
    let archive = load_ok(&path);
    assert_eq!(
        ids(&archive),
        ["broken-lines-5", "broken-lines-2", "broken-lines-1"]
    );
    // Line 3 is blank and still counts; line 4 ends inside "2024-05-0 after
    // 81 characters.
    assert_problem(
        only_problem(&archive),
        &path,
        (4, 81),
        Some(RecordRef::Index(3)),
        Severity::Error,
        "EOF while parsing a string",
    );
    let lines: Vec<usize> = archive.statements.iter().map(|s| s.origin.line).collect();
    assert_eq!(lines, [5, 2, 1]);
}

#[test]
fn top_level_string() {
    let path = broken("top-level-string.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    assert_problem(
        only_problem(&archive),
        &path,
        (1, 1),
        None,
        Severity::Error,
        "expected a record object or an array of records",
    );
}

#[test]
fn top_level_number() {
    let path = broken("top-level-number.json");
    let archive = load_ok(&path);
    assert!(archive.statements.is_empty());
    // The file is "\n  42\n": the number is on line 2 after two spaces.
    assert_problem(
        only_problem(&archive),
        &path,
        (2, 3),
        None,
        Severity::Error,
        "expected a record object or an array of records",
    );
}

/// The whole folder: one problem per broken file in walk (file name) order,
/// and every good record still loads.
#[test]
fn broken_folder_loads_every_good_record() {
    let root = repo("tests/fixtures/broken");
    let archive = load_ok(&root);
    let mut loaded = ids(&archive);
    loaded.sort_unstable();
    assert_eq!(
        loaded,
        [
            "broken-bom",
            "broken-duplicate-neighbour",
            "broken-huge-number-unknown-field",
            "broken-lines-1",
            "broken-lines-2",
            "broken-lines-5",
            "broken-missing-title-1",
            "broken-missing-title-3",
        ]
    );
    let found: Vec<(String, usize, usize)> = archive
        .problems
        .iter()
        .map(|p| {
            let name = p.path.strip_prefix(&root).expect("inside the folder");
            (name.display().to_string(), p.line, p.column)
        })
        .collect();
    let expected = [
        ("bad-date.json", 4, 27),
        ("bad-line.jsonl", 4, 81),
        ("bom.json", 1, 1),
        ("deep.json", 5, 19),
        ("duplicate-a.json", 1, 1),
        ("duplicate-b.jsonl", 2, 1),
        ("empty.json", 1, 1),
        ("huge-number.json", 3, 16),
        ("missing-title.json", 10, 3),
        ("not-json.json", 1, 1),
        ("not-utf8.json", 3, 18),
        ("top-level-number.json", 2, 3),
        ("top-level-string.json", 1, 1),
        ("truncated.json", 5, 24),
    ]
    .map(|(name, line, column)| (name.to_owned(), line, column));
    assert_eq!(found, expected);
    assert_eq!(archive.counted_problems().count(), 14);
    let warnings = archive
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .count();
    assert_eq!(warnings, 1, "only the byte order mark is a warning");
}

// --------------------------------------------------------------------- strict

#[test]
fn strict_reports_unknown_fields_as_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("extra.json");
    fs::write(
        &path,
        "[\n  {\"id\": \"strict-1\", \"title\": \"T\", \"published\": \"2024-01-01\", \
         \"extra\": {\"a\": 1}, \"colour\": \"red\"}\n]\n",
    )
    .expect("write");

    let relaxed = load_with(&path, false);
    assert!(relaxed.problems.is_empty(), "{:#?}", relaxed.problems);
    assert_eq!(ids(&relaxed), ["strict-1"]);

    let strict = load_with(&path, true);
    assert_eq!(
        ids(&strict),
        ["strict-1"],
        "strict changes what is reported only"
    );
    let messages: Vec<&str> = strict.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        ["unknown field `colour`", "unknown field `extra`"]
    );
    for problem in &strict.problems {
        assert_problem(
            problem,
            &path,
            (2, 3),
            Some(RecordRef::Id("strict-1".into())),
            Severity::Warning,
            "unknown field",
        );
    }
}

#[test]
fn strict_finds_nothing_in_the_native_fixtures_and_bundled_archive() {
    for folder in ["tests/fixtures/native", "archive"] {
        let archive = load_with(&repo(folder), true);
        assert!(
            archive.problems.is_empty(),
            "{folder}: {:#?}",
            archive.problems
        );
    }
}

/// Nesting inside a field the format does not define is skipped by the
/// parser without descending into it, so it is no problem (and no risk to the
/// stack); `--strict` names the field.
#[test]
fn deep_nesting_in_an_unknown_field_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("deep-unknown.json");
    let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
    fs::write(
        &path,
        format!(
            r#"{{"id": "deep-unknown", "title": "T", "published": "2024-01-01", "extra": {nested}}}"#
        ),
    )
    .expect("write");
    let archive = load_ok(&path);
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(ids(&archive), ["deep-unknown"]);
    let strict = load_with(&path, true);
    assert_eq!(only_problem(&strict).message, "unknown field `extra`");
}

// -------------------------------------------------------------- real archives

#[test]
fn govuk_fixtures_give_15_statements_and_4_notices() {
    let root = repo("tests/fixtures/govuk");
    let archive = load_ok(&root);
    assert_eq!(archive.statements.len(), 15);
    assert_eq!(
        archive.counted_problems().count(),
        0,
        "{:#?}",
        archive.problems
    );
    let notices: Vec<String> = archive
        .problems
        .iter()
        .inspect(|p| assert_eq!(p.severity, Severity::Notice, "{p:?}"))
        .map(|p| {
            p.path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // The contact, organisation and media enquiries items now load as
    // contacts (see tests/contacts.rs), so nothing is skipped.
    assert!(notices.is_empty(), "{notices:?}");
    for problem in &archive.problems {
        assert!(problem.message.contains("not a statement"), "{problem:?}");
    }
}

#[test]
fn bundled_archive() {
    let archive = load_ok(&repo("archive"));
    // The seed record, 15 GOV.UK items, 3 Markdown statements and 5 feed
    // items: one sample of every kind of source.
    assert_eq!(archive.statements.len(), 24);
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert!(archive.skipped.is_empty(), "{:#?}", archive.skipped);
    assert_eq!(
        archive.statements[0].published.date().to_string(),
        "2026-08-21"
    );
    let from = |folder: &str| {
        archive
            .statements
            .iter()
            .filter(|s| s.origin.path.components().any(|c| c.as_os_str() == folder))
            .count()
    };
    assert_eq!(from("govuk"), 15);
    assert_eq!(from("whitehouse"), 3);
    assert_eq!(from("feeds"), 5);
    let dialogue = archive
        .find("2024-01-16-u-s-uk-strategic-dialogue-on-biological-security")
        .expect("the Markdown statement");
    assert_eq!(
        dialogue.title,
        "U.S. – UK Strategic Dialogue on Biological Security"
    );
    assert_eq!(dialogue.published.as_str(), "2024-01-16");
    let stamps: Vec<i64> = archive
        .statements
        .iter()
        .map(|s| s.published.timestamp())
        .collect();
    assert!(
        stamps.windows(2).all(|pair| pair[0] >= pair[1]),
        "{stamps:?}"
    );
    let seed = archive.find(SEED_ID).expect("seed statement");
    assert_eq!(seed.signatories.len(), 51);
    assert_eq!(seed.published.as_str(), "2024-01-12");
}

// ------------------------------------------------- known bugs (see reasons)

#[test]
fn json_error_columns_count_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accent.jsonl");
    // `{"id": "é-1", "title": ` is 23 characters (24 bytes); 1e400 spans 24..=28.
    fs::write(
        &path,
        "{\"id\": \"é-1\", \"title\": 1e400, \"published\": \"2024-01-01\"}\n",
    )
    .expect("write");
    let archive = load_ok(&path);
    let problem = only_problem(&archive);
    assert!(
        problem.message.contains("number out of range"),
        "{problem:?}"
    );
    assert_eq!((problem.line, problem.column), (1, 28));
}

#[test]
fn invalid_utf8_on_one_json_lines_line_keeps_the_other_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mixed.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(record("utf8-1", "One", "2024-01-01").as_bytes());
    bytes.extend_from_slice(
        b"\n{\"id\": \"utf8-2\", \"title\": \"caf\xE9\", \"published\": \"2024-01-02\"}\n",
    );
    bytes.extend_from_slice(record("utf8-3", "Three", "2024-01-03").as_bytes());
    bytes.push(b'\n');
    fs::write(&path, bytes).expect("write");
    let archive = load_ok(&path);
    // `{"id": "utf8-2", "title": "caf` is 30 characters.
    let problem = only_problem(&archive);
    assert_eq!((problem.line, problem.column), (2, 31), "{problem:?}");
    assert!(problem.message.contains("not valid UTF-8"), "{problem:?}");
    assert_eq!(ids(&archive), ["utf8-3", "utf8-1"]);
}

#[test]
fn bad_date_in_the_last_field_points_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("last.json");
    fs::write(
        &path,
        "{\n  \"id\": \"last\",\n  \"title\": \"T\",\n  \"published\": \"12/01/2024\"\n}\n",
    )
    .expect("write");
    let archive = load_ok(&path);
    let problem = only_problem(&archive);
    assert!(problem.message.contains("bad date"), "{problem:?}");
    // Right after the value, as in any other field (at its comma):
    // `  "published": "12/01/2024"` is 27 characters.
    assert_eq!((problem.line, problem.column), (4, 28), "{problem:?}");
}

#[test]
fn a_missing_field_is_placed_where_the_object_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing.json");
    fs::write(
        &path,
        "{\n  \"id\": \"no-title\",\n  \"published\": \"2024-01-01\"\n}\n",
    )
    .expect("write");
    let archive = load_ok(&path);
    let problem = only_problem(&archive);
    assert!(problem.message.contains("missing field"), "{problem:?}");
    assert_eq!((problem.line, problem.column), (4, 1), "{problem:?}");
}

#[test]
fn a_record_that_is_not_an_object_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("arrays.jsonl");
    fs::write(&path, "[\"a\", \"b\"]\n[]\n42\n").expect("write");
    let archive = load_ok(&path);
    assert_eq!(archive.problems.len(), 3, "{:#?}", archive.problems);
    for problem in &archive.problems {
        assert_eq!(problem.severity, Severity::Error, "{problem:?}");
        assert!(problem.message.contains("object"), "{problem:?}");
        assert!(
            !problem.message.contains("Probe"),
            "internal name: {problem:?}"
        );
    }
}

/// A JSON Lines file big enough to be streamed (over 16 MiB, read 8 MiB at
/// a time, each chunk parsed while the one before it is taken): every
/// statement arrives once and in file order, each broken line is reported
/// at its line and in line order, an id repeated chunks apart is caught,
/// and progress grows batch by batch to the file's size.
#[test]
fn a_streamed_file_loads_in_file_order_with_every_problem_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.jsonl");
    let body = "Text of the statement, long enough to fill the chunks. ".repeat(40);
    let count = 12_000;
    let (mut text, mut expected, mut broken) = (String::new(), Vec::new(), Vec::new());
    for n in 0..count {
        let line = n + 1;
        if n % 3_001 == 1_500 || n == count - 1 {
            text.push_str("{\"id\": \"cut short\n");
            broken.push(line);
            continue;
        }
        // The second copy of s-00007, three chunks after the first.
        let id = if n == count - 2 {
            "s-00007".to_owned()
        } else {
            format!("s-{n:05}")
        };
        if id != "s-00007" {
            expected.push(id.clone());
        }
        text.push_str(&format!(
            "{{\"id\": \"{id}\", \"title\": \"Statement {n}\", \"published\": \"2024-01-01\", \"body\": \"{body}\"}}\n"
        ));
    }
    // No line break at the end: the last line is in the last read.
    text.pop();
    fs::write(&path, &text).expect("written");
    assert!(text.len() > 3 * (8 << 20), "several chunks: {}", text.len());

    let mut seen: Vec<u64> = Vec::new();
    let archive =
        communique::loader::load_with(&path, LoadOptions::default(), &mut |_, progress| {
            seen.push(progress.bytes_done);
        })
        .expect("opens");
    let ids: Vec<&str> = archive.statements.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert!(seen.len() >= 3, "batch by batch: {seen:?}");
    assert!(seen.windows(2).all(|pair| pair[0] <= pair[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(text.len() as u64));

    let lines_of = |starting: &str| -> Vec<usize> {
        archive
            .problems
            .iter()
            .filter(|problem| !problem.message.starts_with(starting))
            .map(|problem| problem.line)
            .collect()
    };
    assert_eq!(lines_of("duplicate id"), broken, "{:#?}", archive.problems);
    let mut duplicated: Vec<usize> = archive
        .problems
        .iter()
        .filter(|problem| problem.message.starts_with("duplicate id"))
        .map(|problem| problem.line)
        .collect();
    duplicated.sort_unstable();
    assert_eq!(duplicated, [8, count - 1]);
}
