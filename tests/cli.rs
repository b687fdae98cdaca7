//! The headless commands (`check`, `list`, `show`) run as the built binary,
//! the way scripts and pipes use them: exit codes, exact output lines, JSON
//! that parses, closed pipes and hostile archive text.

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use communique::loader::{LoadOptions, load};
use communique::records::Statement;
use serde_json::Value;

/// How many statements the bundled `archive/` holds: the seed record, 15
/// GOV.UK items, 3 White House statements in Markdown and the White House
/// feed's 5 items.
const BUNDLED: usize = 24;
const SEED_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";
const SEED_TITLE: &str =
    "DPRK-Russia ballistic missile transfers: joint statement, 12 January 2024";

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The binary, run from the crate root so relative archive paths (and the
/// paths `check` prints) are the repository's, with no archive in the
/// environment unless a test sets one.
fn communique() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
    command.env(
        "XDG_CACHE_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
    );
    // Never the state of whoever runs the tests (a statement they flagged
    // would show as flagged where a test expects nothing marked): a folder
    // no test writes, so "no --state" means no marks. Tests that mark give
    // `--state`.
    command.env(
        "XDG_STATE_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
    );
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COMMUNIQUE_ARCHIVE")
        .stdin(Stdio::null());
    command
}

fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    communique().args(args).output().expect("run communique")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

fn lines(output: &Output) -> Vec<&str> {
    stdout(output).lines().collect()
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

#[track_caller]
fn assert_no_panic(output: &Output) {
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "panic: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a JSON array")
}

fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {record}"))
}

// ---------------------------------------------------------------------- check

#[test]
fn check_bundled_archive_is_clean() {
    let output = run(["--archive", "archive", "check"]);
    assert_exit(&output, 0);
    let counted = format!("{BUNDLED} statements, 0 problems");
    assert_eq!(lines(&output).last(), Some(&counted.as_str()));
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_is_clean_on_the_bundled_archive_under_strict_too() {
    let output = run(["--archive", "archive", "check", "--strict"]);
    assert_exit(&output, 0);
    assert_eq!(
        lines(&output),
        [format!("{BUNDLED} statements, 0 problems")]
    );
}

#[test]
fn check_govuk_fixtures_prints_notices_but_exits_0() {
    let output = run(["--archive", "tests/fixtures/govuk", "check"]);
    assert_exit(&output, 0);
    // The contact, organisation and media enquiries items load as contacts
    // now (tests/contacts.rs), so there is nothing to notice.
    assert_eq!(lines(&output), ["15 statements, 0 problems"]);
}

/// A folder of statements beside files no format reads: a note, a scan and
/// the archive's own README.
fn mixed_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(
        repo("archive/dprk-russia-joint-statement-2024-01-12.json"),
        dir.path().join("statement.json"),
    )
    .expect("copy a statement");
    fs::write(dir.path().join("notes.txt"), "call back Monday\n").expect("write");
    fs::write(dir.path().join("scan.pdf"), b"%PDF-1.4\n").expect("write");
    fs::write(dir.path().join("README.md"), "# Our archive\n").expect("write");
    dir
}

#[test]
fn check_counts_the_files_no_format_reads() {
    let dir = mixed_folder();
    let output = run([
        OsStr::new("--archive"),
        dir.path().as_os_str(),
        OsStr::new("check"),
    ]);
    assert_exit(&output, 0);
    // The README is the archive's own note, not a skipped statement.
    assert_eq!(
        lines(&output),
        [
            "1 statement, 0 problems",
            "2 files skipped: not a statement format"
        ]
    );
}

#[test]
fn check_verbose_names_each_skipped_file() {
    let dir = mixed_folder();
    let output = communique()
        .current_dir(dir.path())
        .args(["--archive", ".", "check", "--verbose"])
        .output()
        .expect("run communique");
    assert_exit(&output, 0);
    assert_eq!(
        lines(&output),
        [
            "./notes.txt: skipped: not a statement format",
            "./scan.pdf: skipped: not a statement format",
            "1 statement, 0 problems",
            "2 files skipped: not a statement format",
        ]
    );
}

#[test]
fn check_of_a_folder_with_nothing_readable_says_so_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("minutes.txt"), "nothing here\n").expect("write");
    fs::write(dir.path().join("photo.jpg"), b"\xFF\xD8\xFF").expect("write");
    let output = communique()
        .current_dir(dir.path())
        .args(["--archive", ".", "check"])
        .output()
        .expect("run communique");
    assert_exit(&output, 1);
    let lines = lines(&output);
    assert_eq!(
        lines.last(),
        Some(&"2 files skipped: not a statement format")
    );
    assert!(
        lines[0].starts_with("nothing to read in .: no file is in a statement format (*.json"),
        "{lines:#?}"
    );
}

#[test]
fn check_of_an_empty_folder_says_there_is_nothing_to_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run([
        OsStr::new("--archive"),
        dir.path().as_os_str(),
        OsStr::new("check"),
    ]);
    assert_exit(&output, 1);
    assert!(
        stdout(&output).contains("nothing to read in"),
        "{}",
        stdout(&output)
    );
}

const BROKEN_LINES: &[&str] = &[
    "tests/fixtures/broken/bad-date.json:4:27: record \"broken-bad-date\": bad date \"12/01/2024\": \
     expected YYYY-MM-DD or an RFC 3339 date-time",
    "tests/fixtures/broken/bad-line.jsonl:4:81: record #4: EOF while parsing a string",
    "tests/fixtures/broken/bom.json:1:1: warning: file starts with a UTF-8 byte order mark (ignored)",
    "tests/fixtures/broken/deep.json:5:19: record \"broken-deep\": invalid type: sequence, expected a name, or an object with name, role, country and organisation",
    "tests/fixtures/broken/duplicate-a.json:1:1: record \"broken-duplicate\": duplicate id, \
     also at tests/fixtures/broken/duplicate-b.jsonl:2:1: no copy of this id is loaded",
    "tests/fixtures/broken/duplicate-b.jsonl:2:1: record \"broken-duplicate\": duplicate id, \
     also at tests/fixtures/broken/duplicate-a.json:1:1: no copy of this id is loaded",
    "tests/fixtures/broken/empty.json:1:1: empty file: no records",
    "tests/fixtures/broken/huge-number.json:3:16: record \"broken-huge-number\": number out of range",
    "tests/fixtures/broken/missing-title.json:10:3: record \"broken-missing-title-2\": \
     missing field `title`",
    "tests/fixtures/broken/not-json.json:1:1: expected a record object or an array of records",
    "tests/fixtures/broken/not-utf8.json:3:18: not valid UTF-8",
    "tests/fixtures/broken/top-level-number.json:2:3: expected a record object or an array of records",
    "tests/fixtures/broken/top-level-string.json:1:1: expected a record object or an array of records",
    "tests/fixtures/broken/truncated.json:5:24: EOF while parsing a string",
];

#[test]
fn check_broken_fixtures_prints_every_problem_as_path_line_col() {
    let output = run(["--archive", "tests/fixtures/broken", "check"]);
    assert_exit(&output, 1);
    assert_eq!(stderr(&output), "");
    let lines = lines(&output);
    // The script that made the fixtures is named as skipped (issue 15 item 12).
    let (skipped, lines) = lines.split_last().expect("output");
    assert_eq!(*skipped, "1 file skipped: not a statement format");
    let (count, problems) = lines.split_last().expect("output");
    assert_eq!(problems, BROKEN_LINES);
    assert_eq!(*count, "8 statements, 14 problems");
}

#[test]
fn check_strict_adds_unknown_field_warnings() {
    let output = run(["--archive", "tests/fixtures/broken", "check", "--strict"]);
    assert_exit(&output, 1);
    let lines = lines(&output);
    assert!(
        lines.contains(
            &"tests/fixtures/broken/huge-number-unknown-field.json:1:1: warning: \
              record \"broken-huge-number-unknown-field\": unknown field `score`"
        ),
        "{lines:#?}"
    );
    assert_eq!(lines[lines.len() - 2], "8 statements, 15 problems");

    // Without --strict the same file is clean.
    let relaxed = run([
        "--archive",
        "tests/fixtures/broken/huge-number-unknown-field.json",
        "check",
    ]);
    assert_exit(&relaxed, 0);
    assert_eq!(lines_of(&relaxed), ["1 statement, 0 problems"]);
}

fn lines_of(output: &Output) -> Vec<String> {
    lines(output).into_iter().map(str::to_owned).collect()
}

#[test]
fn check_a_path_that_does_not_exist_exits_2() {
    let output = run(["--archive", "tests/fixtures/no-such-archive", "check"]);
    assert_exit(&output, 2);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert!(err.contains("tests/fixtures/no-such-archive"), "{err:?}");
    assert!(err.contains("cannot open archive"), "{err:?}");
}

#[test]
fn no_command_panics_on_any_broken_fixture() {
    let folder = repo("tests/fixtures/broken");
    let mut targets: Vec<PathBuf> = fs::read_dir(&folder)
        .expect("fixtures")
        .map(|entry| entry.expect("entry").path())
        .collect();
    targets.sort();
    targets.push(folder);
    for target in &targets {
        let commands: [&[&str]; 6] = [
            &["check"],
            &["check", "--strict"],
            &["list"],
            &["list", "--json"],
            &["list", "--query", "broken"],
            &["show", "broken-bom"],
        ];
        for command in commands {
            let output = communique()
                .arg("--archive")
                .arg(target)
                .args(command)
                .output()
                .expect("run communique");
            assert_no_panic(&output);
            assert!(
                matches!(output.status.code(), Some(0..=2)),
                "{} {command:?}: {:?}",
                target.display(),
                output.status
            );
        }
    }
}

// ----------------------------------------------------------------------- list

#[test]
fn list_prints_every_statement_newest_first() {
    let output = run(["--archive", "archive", "list"]);
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
    let lines = lines(&output);
    assert_eq!(lines.len(), BUNDLED, "{lines:#?}");

    let records = json(&run(["--archive", "archive", "list", "--json"]));
    let records = array(&records);
    assert_eq!(records.len(), BUNDLED);
    let mut previous = "9999-99-99";
    for (line, record) in lines.iter().zip(records) {
        // The date as published, in the offset it was written with.
        let date = &field(record, "published")[..10];
        assert!(line.starts_with(date), "{line:?} should start with {date}");
        assert!(date <= previous, "{date} listed after {previous}");
        previous = date;
        assert_eq!(listed_id(line), field(record, "id"));
    }
    // The newest: the White House feed's latest item.
    assert!(lines[0].starts_with("2026-08-21"), "{:?}", lines[0]);
}

/// The `[id]` a `list` line ends with (the kind column is padded to the
/// widest kind listed, so whole lines differ between listings).
fn listed_id(line: &str) -> &str {
    line.rsplit_once("  [")
        .and_then(|(_, id)| id.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no [id] at the end of {line:?}"))
}

#[test]
fn list_limit() {
    let all = run(["--archive", "archive", "list"]);
    let newest: Vec<&str> = lines(&all)[..3].iter().map(|l| listed_id(l)).collect();
    for flag in ["--limit", "-n"] {
        let output = run(["--archive", "archive", "list", flag, "3"]);
        assert_exit(&output, 0);
        let ids: Vec<&str> = lines(&output).iter().map(|l| listed_id(l)).collect();
        assert_eq!(ids, newest);
    }
}

#[test]
fn list_json_is_an_array_of_records() {
    let output = run(["--archive", "archive", "list", "--json"]);
    assert_exit(&output, 0);
    let value = json(&output);
    let records = array(&value);
    assert_eq!(records.len(), BUNDLED);
    for record in records {
        assert!(record.is_object(), "{record}");
        for name in ["id", "title", "published"] {
            assert!(!field(record, name).is_empty(), "{name} empty in {record}");
        }
    }
    let ids: Vec<&str> = records.iter().map(|r| field(r, "id")).collect();
    assert!(ids.contains(&SEED_ID), "{ids:?}");
}

#[test]
fn list_query_japan_ranks_the_seed_first() {
    let output = run(["--archive", "archive", "list", "--query", "japan"]);
    assert_exit(&output, 0);
    let lines = lines(&output);
    assert!(!lines.is_empty(), "no match");
    assert_eq!(listed_id(lines[0]), SEED_ID, "{lines:#?}");
}

#[test]
fn list_query_by_signatory_gives_exactly_the_seed() {
    let output = run([
        "--archive",
        "archive",
        "list",
        "--query",
        "sig:korea",
        "--json",
    ]);
    assert_exit(&output, 0);
    let value = json(&output);
    let ids: Vec<&str> = array(&value).iter().map(|r| field(r, "id")).collect();
    assert_eq!(ids, [SEED_ID]);

    let text = run(["--archive", "archive", "list", "-q", "sig:korea"]);
    assert_eq!(lines(&text).len(), 1);
    assert!(stdout(&text).contains(SEED_TITLE));
}

#[test]
fn list_bad_query_is_one_line_on_stderr() {
    let output = run(["--archive", "archive", "list", "--query", "colour:red"]);
    assert!(!output.status.success(), "{:?}", output.status);
    assert_no_panic(&output);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("colour"), "{err:?}");
}

/// A query starting with a dash is a negated term, not an option: every
/// way of writing it lists the same statements (as `git log --grep -x`).
#[test]
fn list_query_may_start_with_a_dash() {
    let all = run(["--archive", "archive", "list"]);
    assert_exit(&all, 0);
    let joined = run(["--archive", "archive", "list", "--query=-year:2016"]);
    assert_exit(&joined, 0);
    assert!(
        !lines(&joined).is_empty() && lines(&joined).len() < lines(&all).len(),
        "{}",
        stdout(&joined)
    );
    for flag in ["--query", "-q"] {
        let output = run(["--archive", "archive", "list", flag, "-year:2016"]);
        assert_exit(&output, 0);
        assert_eq!(stdout(&output), stdout(&joined), "{flag}");
    }
}

/// Two of the three White House titles hide a word joiner inside
/// "COVID-19": `list` finds all three, as they show (issue 15 item 14).
#[test]
fn list_query_finds_titles_as_they_show() {
    let output = run([
        "--archive",
        "tests/fixtures/whitehouse",
        "list",
        "--query",
        "'COVID-19",
    ]);
    assert_exit(&output, 0);
    assert_eq!(lines(&output).len(), 3, "{}", stdout(&output));
}

/// `list --json` says how each statement matched: a name in no statement
/// gives only weak matches (and a note on stderr); an organisation's
/// initials a strong one, by its organisation (issue 14 item 15).
#[test]
fn list_json_says_which_matches_are_weak() {
    let output = run([
        "--archive",
        "archive",
        "list",
        "--query",
        "borrell",
        "--json",
    ]);
    assert_exit(&output, 0);
    let records = json(&output);
    assert!(!array(&records).is_empty());
    for record in array(&records) {
        assert_eq!(record["match"]["weak"], true, "{}", record["match"]);
    }
    assert!(
        stderr(&output).contains("weak matches only"),
        "{}",
        stderr(&output)
    );
    let output = run(["--archive", "archive", "list", "--query", "fcdo", "--json"]);
    let records = json(&output);
    let first = &array(&records)[0]["match"];
    assert_eq!(first["weak"], false, "{first}");
    assert_eq!(first["by_others"], 1, "{first}");
    assert_eq!(stderr(&output), "");
}

/// Where a value cannot start with a dash (an id, contact words), the error
/// says how to pass one.
#[test]
fn a_dashed_value_that_cannot_be_taken_names_the_way_to_pass_it() {
    for args in [&["show", "-abc"][..], &["contacts", "-abc"]] {
        let output = communique()
            .args(["--archive", "archive"])
            .args(args)
            .output()
            .expect("run communique");
        assert_exit(&output, 2);
        assert!(stderr(&output).contains("'-- -a'"), "{}", stderr(&output));
    }
}

#[test]
fn list_on_a_missing_archive_fails_with_one_line() {
    let output = run(["--archive", "tests/fixtures/no-such-archive", "list"]);
    assert!(!output.status.success(), "{:?}", output.status);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

// ----------------------------------------------------------------------- show

/// The seed's last body paragraph, read from the record itself.
fn seed_last_paragraph() -> String {
    let text = fs::read_to_string(repo("archive/dprk-russia-joint-statement-2024-01-12.json"))
        .expect("seed file");
    let seed: Statement = serde_json::from_str(&text).expect("seed parses");
    seed.paragraphs().last().expect("a body").to_owned()
}

#[test]
fn show_prints_the_statement() {
    let output = run(["--archive", "archive", "show", SEED_ID]);
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
    let text = stdout(&output);
    assert!(text.contains(SEED_TITLE), "title missing:\n{text}");
    assert!(text.contains("Ministers of Foreign Affairs (49)"), "{text}");
    assert!(text.contains("newsdesk@fcdo.gov.uk"), "{text}");
    let last = seed_last_paragraph();
    assert!(last.starts_with("We urge all UN Member States"), "{last}");
    assert!(text.contains(&last), "last paragraph missing:\n{text}");
}

#[test]
fn show_json_round_trips() {
    let output = run(["--archive", "archive", "show", SEED_ID, "--json"]);
    assert_exit(&output, 0);
    let value = json(&output);
    assert_eq!(field(&value, "id"), SEED_ID);
    assert_eq!(array(&value["signatories"]).len(), 51);

    let mut shown: Statement = serde_json::from_value(value).expect("native record");
    let archive = load(&repo("archive"), LoadOptions::default()).expect("archive");
    let loaded = archive.find(SEED_ID).expect("seed");
    shown.origin = loaded.origin.clone();
    assert_eq!(&shown, loaded);
}

/// `show` and `show --json` give a statement's triage marks, as `list
/// --json` does, with times as ISO 8601 and an offset.
#[test]
fn show_prints_the_triage_marks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let state = state.to_str().expect("a UTF-8 path");
    let marked = communique()
        .env("COMMUNIQUE_USER", "alice")
        .args(["--archive", "archive", "--state", state, "mark", SEED_ID])
        .args(["--flag", "--tag", "urgent", "--status", "actioned"])
        .output()
        .expect("run communique");
    assert_exit(&marked, 0);

    let output = run(["--archive", "archive", "--state", state, "show", SEED_ID]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    let flagged = text
        .lines()
        .find(|line| line.starts_with("Flagged: by alice, "))
        .unwrap_or_else(|| panic!("no flag line:\n{text}"));
    assert!(flagged.len() > "Flagged: by alice, ".len(), "{flagged}");
    assert!(text.contains("Status: actioned (set by alice, "), "{text}");
    assert!(text.contains("Tags: urgent (by alice, "), "{text}");

    let output = run([
        "--archive",
        "archive",
        "--state",
        state,
        "show",
        SEED_ID,
        "--json",
    ]);
    assert_exit(&output, 0);
    let value = json(&output);
    let marks = &value["marks"];
    assert_eq!(marks["flagged"]["by"], "alice", "{marks}");
    assert_eq!(marks["status"], "actioned", "{marks}");
    assert_eq!(marks["tags"]["urgent"]["by"], "alice", "{marks}");
    for at in [&marks["flagged"]["at"], &marks["tags"]["urgent"]["at"]] {
        let at = at
            .as_str()
            .unwrap_or_else(|| panic!("a string time: {marks}"));
        let parsed = chrono::DateTime::parse_from_rfc3339(at).expect("ISO 8601");
        assert!(at.ends_with("+00:00"), "{at}");
        assert!(parsed.timestamp() > 1_700_000_000, "{at}");
    }

    // Without a state file nothing is marked, and that is said.
    let output = run(["--archive", "archive", "show", SEED_ID, "--json"]);
    let value = json(&output);
    assert!(value["marks"]["flagged"].is_null(), "{value}");
    assert_eq!(value["marks"]["status"], "new");
}

#[test]
fn show_unknown_id_exits_1() {
    let output = run(["--archive", "archive", "show", "no-such-statement"]);
    assert_exit(&output, 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("no-such-statement"), "{err:?}");
}

// ----------------------------------------------------------------- environment

#[test]
fn archive_comes_from_the_environment_when_not_given() {
    let from_env = communique()
        .env("COMMUNIQUE_ARCHIVE", "tests/fixtures/native")
        .arg("list")
        .output()
        .expect("run");
    assert_exit(&from_env, 0);
    assert_eq!(lines(&from_env).len(), 8);
    assert!(stdout(&from_env).contains("[fixture-one-harbour-accord]"));

    let overridden = communique()
        .env("COMMUNIQUE_ARCHIVE", "tests/fixtures/native")
        .args(["--archive", "archive", "list"])
        .output()
        .expect("run");
    assert_exit(&overridden, 0);
    assert_eq!(lines(&overridden).len(), BUNDLED);

    let checked = communique()
        .env("COMMUNIQUE_ARCHIVE", "tests/fixtures/broken")
        .arg("check")
        .output()
        .expect("run");
    assert_exit(&checked, 1);
    assert!(lines(&checked).contains(&"8 statements, 14 problems"));
}

// ------------------------------------------------------------------ pipes

/// A JSON Lines archive of `count` small records.
fn big_archive(dir: &Path, count: usize) -> PathBuf {
    let path = dir.join("big.jsonl");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).expect("create"));
    for n in 0..count {
        writeln!(
            file,
            r#"{{"id": "big-{n:05}", "title": "Generated record number {n}", "published": "2024-01-01"}}"#
        )
        .expect("write");
    }
    file.flush().expect("flush");
    path
}

/// Runs `args` on `archive`, reads one line of its output, closes the pipe
/// and returns how the process ended and what it wrote to stderr.
fn read_one_line_then_close(archive: &Path, args: &[&str]) -> (String, Output) {
    let mut child = communique()
        .arg("--archive")
        .arg(archive)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn communique");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("read a line");
    drop(reader);
    let output = child.wait_with_output().expect("wait");
    (first, output)
}

#[test]
fn list_into_a_closed_pipe_is_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = big_archive(dir.path(), 20_000);
    let (first, output) = read_one_line_then_close(&archive, &["list"]);
    assert!(first.starts_with("2024-01-01"), "{first:?}");
    assert!(first.contains("[big-00000]"), "{first:?}");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn list_json_into_a_closed_pipe_is_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = big_archive(dir.path(), 20_000);
    let (first, output) = read_one_line_then_close(&archive, &["list", "--json"]);
    assert_eq!(first, "[\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

// ------------------------------------------------------------- hostile text

const HOSTILE_TITLE: &str = "Title \u{1b}]0;x\u{7} then \u{1b}[2J cleared";

fn hostile_archive(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.json");
    let record = serde_json::json!({
        "id": "hostile",
        "title": HOSTILE_TITLE,
        "published": "2024-01-01",
        "kind": "press\u{1b}[31m release",
        "summary": "Summary \u{7}\u{7}",
        "signatories": [{"name": "Name \u{1b}]52;c;aGk=\u{7}", "role": "Minister"}],
        "body": "First \u{1b}[1mparagraph.\n\nLast \u{1b}[2J paragraph\u{7}.",
        "media_contacts": [{"email": "press\u{1b}[8m@example.org"}],
        "updates": [{"date": "2024-01-01", "note": "First \u{7}published."}],
    });
    fs::write(&path, record.to_string()).expect("write");
    path
}

#[track_caller]
fn assert_no_escapes(bytes: &[u8]) {
    assert!(
        !bytes.iter().any(|b| matches!(b, 0x1b | 0x07)),
        "control bytes in {:?}",
        String::from_utf8_lossy(bytes)
    );
}

#[test]
fn list_and_show_never_write_archive_control_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = hostile_archive(dir.path());

    let list = communique()
        .arg("--archive")
        .arg(&archive)
        .arg("list")
        .output()
        .expect("run");
    assert_exit(&list, 0);
    assert_no_escapes(&list.stdout);
    assert!(
        stdout(&list).contains("Title ␛]0;x␇ then ␛[2J cleared"),
        "{}",
        stdout(&list)
    );

    let show = communique()
        .arg("--archive")
        .arg(&archive)
        .args(["show", "hostile"])
        .output()
        .expect("run");
    assert_exit(&show, 0);
    assert_no_escapes(&show.stdout);
    let text = stdout(&show);
    assert!(text.contains("Title ␛]0;x␇ then ␛[2J cleared"), "{text}");
    assert!(text.contains("Last ␛[2J paragraph␇."), "{text}");
}

#[test]
fn list_json_escapes_control_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = hostile_archive(dir.path());
    let output = communique()
        .arg("--archive")
        .arg(&archive)
        .args(["list", "--json"])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert_no_escapes(&output.stdout);
    assert!(stdout(&output).contains(r"\u001b"), "{}", stdout(&output));
    let value = json(&output);
    assert_eq!(field(&array(&value)[0], "title"), HOSTILE_TITLE);
}

#[test]
fn error_messages_do_not_echo_control_characters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = hostile_archive(dir.path());
    let cases: [&[&str]; 2] = [
        &["show", "\u{1b}]0;x\u{7}\u{1b}[2J"],
        &["list", "--query", "after:\u{1b}[2J\u{7}"],
    ];
    for args in cases {
        let output = communique()
            .arg("--archive")
            .arg(&archive)
            .args(args)
            .output()
            .expect("run");
        assert!(!output.status.success(), "{args:?}");
        assert_no_escapes(&output.stdout);
        assert_no_escapes(&output.stderr);
        assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    }
}

// ------------------------------------------------------- the state file

/// `communique --state STATE ARGS` on the bundled archive, as `user`.
fn with_state(state: &Path, user: &str, args: &[&str]) -> Output {
    communique()
        .arg("--archive")
        .arg(repo("archive"))
        .arg("--state")
        .arg(state)
        .args(args)
        .env("COMMUNIQUE_USER", user)
        .env_remove("COMMUNIQUE_STATE")
        .output()
        .expect("run communique")
}

/// The `marks` object of statement `id` in `list --json`.
fn marks_of(state: &Path, id: &str) -> Value {
    let output = with_state(state, "reader", &["list", "--json"]);
    assert_exit(&output, 0);
    array(&json(&output))
        .iter()
        .find(|record| record["id"] == id)
        .map(|record| record["marks"].clone())
        .unwrap_or_else(|| panic!("no statement {id}"))
}

/// A state file with one mark in it, then damaged past its header (the
/// header still says it is communique's).
fn damaged_state(dir: &Path) -> PathBuf {
    let state = dir.join("triage.db");
    assert_exit(
        &with_state(&state, "alice", &["mark", SEED_ID, "--flag"]),
        0,
    );
    let bytes = fs::read(&state).expect("read state");
    let mut damaged = bytes[..bytes.len() / 2].to_vec();
    damaged.extend(std::iter::repeat_n(0xA5, bytes.len() / 2));
    damaged[100..].iter_mut().step_by(7).for_each(|b| *b = 0xFF);
    fs::write(&state, &damaged).expect("damage");
    state
}

#[test]
fn list_with_a_damaged_state_file_lists_without_marks_and_warns_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = damaged_state(dir.path());
    let before = fs::read(&state).expect("read");
    for args in [&["list"][..], &["list", "--json"], &["list", "-q", "japan"]] {
        let output = with_state(&state, "reader", args);
        assert_exit(&output, 0);
        let warning = stderr(&output);
        assert_eq!(warning.lines().count(), 1, "{args:?}: {warning}");
        assert!(
            warning.contains("damaged") && warning.contains("without marks"),
            "{warning}"
        );
        assert!(!stdout(&output).is_empty(), "{args:?} listed nothing");
    }
    assert_eq!(
        lines(&with_state(&state, "reader", &["list"])).len(),
        BUNDLED
    );
    assert_eq!(
        fs::read(&state).expect("read"),
        before,
        "list changed the file"
    );

    // A writer still moves the damaged file aside and starts afresh.
    let output = with_state(&state, "alice", &["mark", SEED_ID, "--read"]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("moved aside"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn list_with_an_empty_state_file_lists_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    fs::write(&state, b"").expect("empty file");
    let output = with_state(&state, "reader", &["list"]);
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
    assert_eq!(lines(&output).len(), BUNDLED);
}

#[test]
fn a_folder_or_another_file_as_the_state_is_named_for_what_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("state-folder");
    fs::create_dir(&folder).expect("mkdir");
    let notes = dir.path().join("notes.txt");
    fs::write(&notes, "call the embassy back\n").expect("write");
    for (state, cause) in [
        (&folder, "is a directory"),
        (&notes, "is not a communique state file"),
    ] {
        let output = with_state(state, "alice", &["mark", SEED_ID, "--flag"]);
        assert_exit(&output, 1);
        assert!(stderr(&output).contains(cause), "{}", stderr(&output));
        assert!(
            !stderr(&output).contains("I/O error"),
            "{}",
            stderr(&output)
        );
        let output = with_state(state, "alice", &["list"]);
        assert_exit(&output, 0);
        assert!(stderr(&output).contains(cause), "{}", stderr(&output));
    }
    assert_eq!(
        fs::read_to_string(&notes).expect("read"),
        "call the embassy back\n"
    );
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["notes.txt", "state-folder"],
        "files were made or moved"
    );
}

#[test]
fn mark_with_one_bad_option_saves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    assert_exit(
        &with_state(&state, "alice", &["mark", SEED_ID, "--read"]),
        0,
    );
    let output = with_state(
        &state,
        "alice",
        &[
            "mark",
            SEED_ID,
            "--flag",
            "--status",
            "actioned",
            "--tag",
            "ok",
            "--tag",
            "two words",
        ],
    );
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("one word"), "{}", stderr(&output));
    let marks = marks_of(&state, SEED_ID);
    assert!(marks["flagged"].is_null(), "the flag was saved: {marks}");
    assert_eq!(marks["status"], "new", "the status was saved: {marks}");
    assert_eq!(marks["tags"], serde_json::json!({}), "a tag was saved");

    // All of them good: all saved, at once.
    let output = with_state(
        &state,
        "alice",
        &[
            "mark", SEED_ID, "--flag", "--status", "actioned", "--tag", "ok",
        ],
    );
    assert_exit(&output, 0);
    let marks = marks_of(&state, SEED_ID);
    assert_eq!(marks["flagged"]["by"], "alice");
    assert_eq!(marks["status"], "actioned");
    assert_eq!(marks["tags"]["ok"]["by"], "alice");
}

/// `mark --query` and `--note` take text starting with a dash.
#[test]
fn mark_query_and_note_may_start_with_a_dash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let output = with_state(
        &state,
        "alice",
        &[
            "mark",
            "--query",
            "-year:2016",
            "--note",
            "- check with desk",
            "--flag",
        ],
    );
    assert_exit(&output, 0);
    let marks = marks_of(&state, SEED_ID);
    assert_eq!(marks["note"]["text"], "- check with desk");
    assert_eq!(marks["flagged"]["by"], "alice");
}

#[test]
fn mark_with_a_query_that_matches_nothing_fails_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let output = with_state(
        &state,
        "alice",
        &["mark", "--query", "sig:nobody-signed-this", "--flag"],
    );
    assert_exit(&output, 1);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("no statement matches") && stderr(&output).contains("nothing"),
        "{}",
        stderr(&output)
    );
}

/// `mark --query` chooses what `list --query` lists, `text:` terms
/// included: a text term left unanswered once chose every statement the
/// rest of the query matched (a phrase no statement says flagged them all).
#[test]
fn mark_with_a_text_query_marks_what_list_finds_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let ids = |query: &str| -> Vec<String> {
        let output = with_state(&state, "reader", &["list", "--json", "--query", query]);
        assert_exit(&output, 0);
        let mut ids: Vec<String> = array(&json(&output))
            .iter()
            .map(|record| record["id"].as_str().expect("an id").to_owned())
            .collect();
        ids.sort();
        ids
    };
    let all = ids("");
    let said = ids("text:\"ballistic missile\"");
    assert!(!said.is_empty() && said.len() < all.len(), "{said:?}");

    let nowhere = with_state(
        &state,
        "alice",
        &[
            "mark",
            "--query",
            "text:\"no statement says this\"",
            "--flag",
        ],
    );
    assert_exit(&nowhere, 1);
    assert!(
        stderr(&nowhere).contains("no statement matches"),
        "{}",
        stderr(&nowhere)
    );
    assert!(ids("is:flagged").is_empty(), "nothing flagged");

    let marked = with_state(
        &state,
        "alice",
        &["mark", "--query", "text:\"ballistic missile\"", "--flag"],
    );
    assert_exit(&marked, 0);
    assert_eq!(ids("is:flagged"), said);
    // Negated, with a fuzzy word: the same agreement.
    let query = "!text:missile statement";
    let found = ids(query);
    assert!(!found.is_empty() && found.len() < all.len(), "{found:?}");
    let marked = with_state(
        &state,
        "alice",
        &["mark", "--query", query, "--tag", "later"],
    );
    assert_exit(&marked, 0);
    assert_eq!(ids("tag:later"), found);
}

#[test]
fn tags_with_invisible_characters_are_refused_and_user_names_cleaned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    for (tag, hidden) in [
        ("urgent\u{202e}", '\u{202e}'),
        ("\u{2067}urgent", '\u{2067}'),
        ("ur\u{200b}gent", '\u{200b}'),
        ("urgent\u{feff}", '\u{feff}'),
        ("ur\u{ad}gent", '\u{ad}'),
    ] {
        let output = with_state(&state, "alice", &["mark", SEED_ID, "--tag", tag]);
        assert_exit(&output, 1);
        let message = stderr(&output);
        assert!(message.contains("invisible"), "{tag:?}: {message}");
        assert!(
            message.contains(&format!("U+{:04X}", u32::from(hidden))),
            "the character is not named: {message}"
        );
        assert!(
            !message.contains(hidden),
            "the message carries the character raw: {message:?}"
        );
    }
    assert_eq!(marks_of(&state, SEED_ID)["tags"], serde_json::json!({}));

    let output = with_state(
        &state,
        "ali\u{202e}ce\u{200b}",
        &["mark", SEED_ID, "--flag"],
    );
    assert_exit(&output, 0);
    assert_eq!(marks_of(&state, SEED_ID)["flagged"]["by"], "alice");
}

// ------------------------------------------------------ a closed stdout

/// Runs communique with standard output closed (`>&-`), as a shell does.
fn with_stdout_closed(state: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("-c")
        .arg(r#"exec "$@" >&-"#)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_communique"))
        .arg("--archive")
        .arg(repo("archive"))
        .arg("--state")
        .arg(state)
        .args(args)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .env_remove("COMMUNIQUE_STATE")
        .env("COMMUNIQUE_USER", "alice")
        .stdin(Stdio::null())
        .output()
        .expect("run communique")
}

#[test]
fn every_headless_command_fails_with_stdout_closed_and_mark_saves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let commands: [&[&str]; 7] = [
        &["list"],
        &["list", "--json"],
        &["show", SEED_ID],
        &["contacts"],
        &["check"],
        &["mark", SEED_ID, "--flag"],
        &["config", "--default"],
    ];
    for args in commands {
        let output = with_stdout_closed(&state, args);
        assert_ne!(output.status.code(), Some(0), "{args:?} succeeded");
        assert_no_panic(&output);
        assert!(
            stderr(&output).contains("standard output is closed"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(!state.exists(), "mark saved something");

    // Output sent to /dev/null on purpose is not closed.
    let status = Command::new("sh")
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("-c")
        .arg(r#"exec "$@" >/dev/null"#)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_communique"))
        .arg("--archive")
        .arg(repo("archive"))
        .arg("--state")
        .arg(&state)
        .args(["mark", SEED_ID, "--flag"])
        .env("COMMUNIQUE_USER", "alice")
        .status()
        .expect("run");
    assert!(status.success());
    assert_eq!(marks_of(&state, SEED_ID)["flagged"]["by"], "alice");
}

#[test]
fn mark_never_follows_a_lock_file_planted_as_a_symlink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("triage.db");
    let elsewhere = tempfile::tempdir().expect("another folder");
    let target = elsewhere.path().join("nologin");
    std::os::unix::fs::symlink(&target, dir.path().join("triage.db.lock")).expect("plant");
    let output = with_state(&state, "alice", &["mark", SEED_ID, "--flag"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(!target.exists(), "mark created the link's target");
}

// ------------------------------------------------------------------- --help

/// Help (`--help` and `-h`) of the browser and every command: usage, and
/// examples of real use (issue 14 item 17).
#[test]
fn every_command_answers_help_with_examples() {
    let commands = ["", "check", "list", "contacts", "mark", "config", "show"];
    for command in commands {
        for flag in ["--help", "-h"] {
            let output = run([command, flag].into_iter().filter(|arg| !arg.is_empty()));
            assert_exit(&output, 0);
            let text = stdout(&output);
            let usage = format!("Usage: communique {command}");
            assert!(text.contains(usage.trim_end()), "{command} {flag}:\n{text}");
            assert!(text.contains("\nExamples:\n"), "{command} {flag}:\n{text}");
            let example = format!("  communique {command}");
            let uses = text
                .lines()
                .filter(|line| line.starts_with(example.trim_end()))
                .count();
            assert!(uses >= 2, "{command} {flag}: {uses} examples:\n{text}");
        }
    }
    let list = run(["list", "--help"]);
    assert!(stdout(&list).contains("communique list --query -year:2016"));
}

/// Every example's binary, as `cargo test` (or `cargo build --examples`)
/// builds it, beside the test binaries' folder.
fn example(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let binary = profile.join("examples").join(name);
    assert!(
        binary.exists(),
        "{} is missing: `cargo test` builds the examples (or `cargo build --examples`)",
        binary.display()
    );
    binary
}

/// `cargo run --example NAME -- --help` (and `-h`) answers with usage and
/// examples of real use, for every file in examples/.
#[test]
fn every_example_answers_help_with_examples() {
    let mut names: Vec<String> = fs::read_dir(repo("examples"))
        .expect("examples/")
        .filter_map(|entry| {
            let path = entry.expect("an entry").path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        for flag in ["--help", "-h"] {
            let output = Command::new(example(&name))
                .arg(flag)
                .output()
                .expect("run the example");
            assert_exit(&output, 0);
            let text = stdout(&output);
            assert!(
                text.contains(&format!("Usage: {name}")),
                "{name} {flag}:\n{text}"
            );
            assert!(text.contains("\nExamples:\n"), "{name} {flag}:\n{text}");
            assert!(
                text.contains(&format!("cargo run --release --example {name}")),
                "{name} {flag}:\n{text}"
            );
        }
    }
}

/// One statement's very long kind (a hostile or broken record) is cut with
/// "…" in `list`'s kind column instead of pushing every title to the right.
#[test]
fn a_very_long_kind_is_cut_and_titles_stay_in_their_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = [
        ("short", "press release", "Short kind"),
        ("long", &"Ministerial statement ".repeat(20), "Long kind"),
        ("wide", &"報道発表".repeat(30), "Wide kind"),
    ];
    let jsonl: Vec<String> = records
        .iter()
        .map(|(id, kind, title)| {
            serde_json::json!({"id": id, "title": title, "published": "2024-01-02", "kind": kind})
                .to_string()
        })
        .collect();
    fs::write(dir.path().join("kinds.jsonl"), jsonl.join("\n")).expect("written");
    let output = run([
        OsStr::new("--archive"),
        dir.path().as_os_str(),
        OsStr::new("list"),
    ]);
    assert_exit(&output, 0);
    let listed = lines(&output);
    assert_eq!(listed.len(), 3, "{listed:?}");
    let title_column = |line: &str| {
        let at = ["Short kind", "Long kind", "Wide kind"]
            .iter()
            .find_map(|title| line.find(title))
            .unwrap_or_else(|| panic!("no title in {line:?}"));
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let columns: Vec<usize> = listed.iter().map(|line| title_column(line)).collect();
    assert!(columns.iter().all(|&c| c == columns[0]), "{listed:#?}");
    // Date, two spaces, at most 24 columns of kind, two spaces.
    assert!(columns[0] <= 10 + 2 + 24 + 2, "{listed:#?}");
    assert_eq!(listed.iter().filter(|line| line.contains('…')).count(), 2);
    assert!(listed.iter().any(|line| line.contains("press release")));
}
