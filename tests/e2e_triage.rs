//! Triage end to end: the built binary in pseudo-terminals and as a headless
//! command, on a state file in a temporary folder. Browsers are told who they
//! are with `COMMUNIQUE_USER`; every wait polls the screen, never sleeps.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::pty::{BINARY, Key, Pty, PtyCommand, archive};
use tempfile::TempDir;

/// How long another browser may take to show a change: the issue asks for
/// about two seconds; allow for a loaded machine.
const SHARED_TIMEOUT: Duration = Duration::from_secs(5);
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The newest statement: the first row of the list.
const FIRST_ID: &str = "b4091e0f-1286-4fb5-8ec2-bff944ba1a5c";
const FIRST_TITLE: &str = "British High Commission marks";

/// A state file of its own in a temporary folder.
struct StateFile {
    _dir: TempDir,
    path: PathBuf,
}

fn state_file() -> StateFile {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("t.db");
    StateFile { _dir: dir, path }
}

/// The browser on the bundled archive and `state`, as `user`, its first
/// frame drawn.
fn browser(state: &Path, user: &str) -> Pty {
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(state)
        .env("COMMUNIQUE_USER", user)
        .env_remove("COMMUNIQUE_STATE")
        .size(80, 24)
        .spawn();
    term.expect_text("16 / 16 statements");
    term
}

/// The marks column (four symbols) of list row `row` (0 is the first
/// statement), as the screen shows it.
fn marks_column(screen: &str, row: usize) -> String {
    let line = screen.lines().nth(2 + row).unwrap_or("");
    let marks: String = line.chars().skip(2).take(4).collect();
    format!("{marks:4}")
}

/// Waits until list row `row`'s marks satisfy `holds`; panics with the
/// screen when they do not within `timeout`. Returns how long it took.
#[track_caller]
fn expect_marks(
    term: &mut Pty,
    row: usize,
    what: &str,
    timeout: Duration,
    holds: impl Fn(&str) -> bool,
) -> Duration {
    let start = Instant::now();
    if let Err(err) = term.wait_for(|screen| holds(&marks_column(screen, row)), timeout) {
        panic!("waiting for row {row} to show {what}: {err}");
    }
    start.elapsed()
}

/// Quits with `q` and checks the program ended well.
#[track_caller]
fn quit(term: &mut Pty) {
    term.send("q");
    let status = term
        .wait_exit(EXIT_TIMEOUT)
        .unwrap_or_else(|| panic!("still running:\n{}", term.screen_text()));
    assert!(status.success(), "exit status {status:?}");
}

/// Runs `communique` headless on the bundled archive and `state` as `user`;
/// returns stdout, panicking with stderr when it fails.
#[track_caller]
fn run(state: &Path, user: &str, args: &[&str]) -> String {
    let (ok, stdout, stderr) = try_run(state, user, args);
    assert!(ok, "communique {args:?} failed:\n{stderr}");
    stdout
}

fn try_run(state: &Path, user: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("--archive")
        .arg(archive())
        .arg("--state")
        .arg(state)
        .args(args)
        .env("COMMUNIQUE_USER", user)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .env_remove("COMMUNIQUE_STATE")
        .output()
        .expect("communique runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `communique list --json`: every record, with its `marks`.
fn list_json(state: &Path) -> Vec<Value> {
    let out = run(state, "reader", &["list", "--json"]);
    match serde_json::from_str(&out).expect("list --json prints JSON") {
        Value::Array(records) => records,
        other => panic!("expected an array, got {other}"),
    }
}

fn id(record: &Value) -> String {
    record["id"]
        .as_str()
        .expect("a record has an id")
        .to_owned()
}

/// Ids of the records whose marks satisfy `test`.
fn ids_where(records: &[Value], test: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    records
        .iter()
        .filter(|record| test(&record["marks"]))
        .map(id)
        .collect()
}

/// Ids `communique list` prints, in order.
fn listed_ids(state: &Path, query: &str) -> Vec<String> {
    run(state, "reader", &["list", "-q", query])
        .lines()
        .filter_map(|line| {
            let start = line.rfind('[')?;
            Some(line[start + 1..line.len() - 1].to_owned())
        })
        .collect()
}

fn record<'a>(records: &'a [Value], wanted: &str) -> &'a Value {
    records
        .iter()
        .find(|record| id(record) == wanted)
        .unwrap_or_else(|| panic!("no record {wanted}"))
}

/// True when the marks object is an untouched statement's.
fn untouched(marks: &Value) -> bool {
    marks["read"].is_null()
        && marks["flagged"].is_null()
        && marks["status"] == "new"
        && marks["status_set"].is_null()
        && marks["tags"]
            .as_object()
            .is_some_and(serde_json::Map::is_empty)
        && marks["note"].is_null()
}

#[test]
fn a_flag_survives_quitting_and_reopening() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    let screen = term.screen_text();
    assert!(
        screen
            .lines()
            .nth(2)
            .is_some_and(|l| l.contains(FIRST_TITLE)),
        "the first row is the newest statement:\n{screen}"
    );
    assert_eq!(marks_column(&screen, 0), "N   ", "unread, nothing else");

    term.send("F");
    term.expect_text("flagged 1 statement");
    expect_marks(&mut term, 0, "the flag", Duration::from_secs(5), |m| {
        m == "N!  "
    });
    quit(&mut term);

    let mut again = browser(&state.path, "alice");
    let screen = again.screen_text();
    assert_eq!(marks_column(&screen, 0), "N!  ", "still flagged:\n{screen}");
    assert_eq!(marks_column(&screen, 1), "N   ", "nothing else:\n{screen}");
    // Opening shows who flagged it; opening also marks it read.
    again.key(Key::Enter);
    again.expect_text("Flagged: by alice");
    again.expect_text("Read: by alice");
    again.key(Key::Esc);
    expect_marks(
        &mut again,
        0,
        "read and flagged",
        Duration::from_secs(5),
        |m| m == " !  ",
    );
    quit(&mut again);

    let records = list_json(&state.path);
    assert_eq!(
        ids_where(&records, |m| m["flagged"]["by"] == "alice"),
        [FIRST_ID.to_owned()].into()
    );
}

#[test]
fn two_browsers_on_one_file_see_each_others_marks() {
    let state = state_file();
    let mut alice = browser(&state.path, "alice");
    let mut bob = browser(&state.path, "bob");

    alice.send("F");
    alice.expect_text("flagged 1 statement");
    alice.send("turgent");
    alice.expect_text("add tag: urgent");
    alice.key(Key::Enter);
    alice.expect_text("tagged 1 statement urgent");

    // Bob presses nothing: his browser picks the change up by itself.
    let took = expect_marks(&mut bob, 0, "alice's flag and tag", SHARED_TIMEOUT, |m| {
        m == "N! +"
    });
    eprintln!("bob saw alice's marks after {took:?}");

    bob.key(Key::Enter);
    let detail = bob.expect_text("Flagged: by alice");
    assert!(
        detail.contains("Tags: urgent (by alice"),
        "the tag is attributed:\n{detail}"
    );
    bob.expect_text("Read: by bob");
    bob.key(Key::Esc);
    bob.expect_screen("the list again", |screen| {
        screen.contains("16 / 16 statements") && !screen.contains("Flagged: by")
    });

    // And the other way: bob's status on the second row. His reading of
    // the first is his own: it stays unread for alice, who sees he read it.
    bob.send("jS");
    bob.expect_text("status in review for 1 statement");
    expect_marks(&mut alice, 1, "in review", SHARED_TIMEOUT, |m| m == "N r ");
    assert_eq!(marks_column(&alice.screen_text(), 0), "N! +");
    alice.key(Key::Enter);
    alice.expect_text("Read: by alice");
    alice.expect_text("also by bob");
    alice.key(Key::Esc);
    alice.expect_text("16 / 16 statements");
    alice.send("j");
    alice.key(Key::Enter);
    alice.expect_text("Status: in review (set by bob");

    // A query on marks in one browser follows changes made in the other.
    alice.key(Key::Esc);
    alice.expect_text("16 / 16 statements");
    alice.send("/is:flagged status:new");
    alice.expect_text("1 / 16 statements");
    alice.key(Key::Enter);
    alice.expect_text("query: is:flagged status:new");
    bob.send("gS");
    bob.expect_text("status in review for 1 statement");
    alice.expect_text("0 / 16 statements");

    quit(&mut alice);
    quit(&mut bob);
}

#[test]
fn sigkill_mid_work_loses_nothing_committed() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("F");
    term.expect_text("flagged 1 statement");
    term.send("jturgent");
    term.expect_text("add tag: urgent");
    term.key(Key::Enter);
    term.expect_text("tagged 1 statement urgent");
    // More work in flight, then the process is killed without warning.
    term.send("jFjFjFjF");
    term.signal("KILL");
    let status = term.wait_exit(EXIT_TIMEOUT).expect("killed");
    assert!(!status.success(), "killed: {status:?}");

    // The file opens as it is (nothing moved aside) and holds what was
    // committed; whatever of the rest was done is a prefix of it.
    let records = list_json(&state.path);
    let order: Vec<String> = records.iter().map(id).collect();
    let flagged = ids_where(&records, |m| m["flagged"]["by"] == "alice");
    assert!(
        flagged.contains(FIRST_ID),
        "the committed flag: {flagged:?}"
    );
    let later: BTreeSet<String> = flagged.iter().filter(|i| *i != FIRST_ID).cloned().collect();
    let prefix: BTreeSet<String> = order[2..2 + later.len()].iter().cloned().collect();
    assert_eq!(later, prefix, "flags after the kill come in order");
    assert_eq!(
        ids_where(&records, |m| m["tags"]["urgent"]["by"] == "alice"),
        [order[1].clone()].into(),
        "the committed tag"
    );
    let dir = state.path.parent().expect("a folder");
    let aside: Vec<_> = std::fs::read_dir(dir)
        .expect("the folder reads")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().contains("corrupt"))
        .collect();
    assert!(aside.is_empty(), "the file was moved aside: {aside:?}");

    // The file still takes changes, from scripts and from a new browser.
    run(
        &state.path,
        "alice",
        &["mark", FIRST_ID, "--status", "actioned"],
    );
    let mut again = browser(&state.path, "alice");
    expect_marks(
        &mut again,
        0,
        "flag and status",
        Duration::from_secs(5),
        |m| m == "N!a ",
    );
    expect_marks(&mut again, 1, "the tag", Duration::from_secs(5), |m| {
        m == "N  +"
    });
    quit(&mut again);
}

#[test]
fn mark_by_id_then_list_json_shows_the_marks() {
    let state = state_file();
    // A browser already open sees what the script does.
    let mut term = browser(&state.path, "bob");

    let out = run(
        &state.path,
        "alice",
        &["mark", FIRST_ID, "--flag", "--tag", "urgent"],
    );
    assert_eq!(out.trim(), "applied 2 changes to 1 statement");

    let records = list_json(&state.path);
    let marks = &record(&records, FIRST_ID)["marks"];
    assert_eq!(marks["flagged"]["by"], "alice", "{marks}");
    assert!(
        marks["flagged"]["at"]
            .as_str()
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
            .is_some(),
        "{marks}"
    );
    assert_eq!(marks["tags"]["urgent"]["by"], "alice", "{marks}");
    assert_eq!(marks["status"], "new");
    assert!(marks["read"].is_null());
    assert!(marks["note"].is_null());
    let others: Vec<&Value> = records.iter().filter(|r| id(r) != FIRST_ID).collect();
    assert_eq!(others.len(), 15);
    assert!(others.iter().all(|r| untouched(&r["marks"])));
    assert_eq!(listed_ids(&state.path, "is:flagged tag:urgent"), [FIRST_ID]);
    assert_eq!(listed_ids(&state.path, "by:alice"), [FIRST_ID]);
    assert!(listed_ids(&state.path, "by:bob").is_empty());

    expect_marks(&mut term, 0, "the script's marks", SHARED_TIMEOUT, |m| {
        m == "N! +"
    });

    // A note, then taking everything off again.
    run(
        &state.path,
        "alice",
        &["mark", FIRST_ID, "--note", "call back\nat noon"],
    );
    let records = list_json(&state.path);
    assert_eq!(
        record(&records, FIRST_ID)["marks"]["note"]["text"],
        "call back\nat noon"
    );
    run(
        &state.path,
        "alice",
        &[
            "mark", FIRST_ID, "--unflag", "--untag", "urgent", "--note", "",
        ],
    );
    let records = list_json(&state.path);
    assert!(records.iter().all(|r| untouched(&r["marks"])));

    // An unknown id changes nothing and says so.
    let (ok, _, stderr) = try_run(&state.path, "alice", &["mark", "no-such-id", "--flag"]);
    assert!(!ok);
    assert!(stderr.contains("no-such-id"), "{stderr}");
    // Nothing to do is an error too.
    let (ok, _, stderr) = try_run(&state.path, "alice", &["mark", FIRST_ID]);
    assert!(!ok);
    assert!(stderr.contains("nothing to do"), "{stderr}");
    assert!(
        list_json(&state.path)
            .iter()
            .all(|r| untouched(&r["marks"]))
    );

    quit(&mut term);
}

#[test]
fn mark_by_query_marks_exactly_the_matches() {
    let state = state_file();
    let speeches: BTreeSet<String> = list_json(&state.path)
        .iter()
        .filter(|record| record["kind"] == "speech")
        .map(id)
        .collect();
    assert_eq!(speeches.len(), 2, "the bundled archive has two speeches");

    let out = run(
        &state.path,
        "alice",
        &["mark", "--query", "kind:speech", "--status", "actioned"],
    );
    assert_eq!(out.trim(), "applied 1 change to 2 statements");
    let records = list_json(&state.path);
    assert_eq!(ids_where(&records, |m| m["status"] == "actioned"), speeches);
    assert_eq!(
        ids_where(&records, |m| m["status_set"]["by"] == "alice"),
        speeches
    );
    assert_eq!(
        ids_where(&records, |m| !untouched(m)),
        speeches,
        "nothing else was touched"
    );
    let listed: BTreeSet<String> = listed_ids(&state.path, "status:actioned")
        .into_iter()
        .collect();
    assert_eq!(listed, speeches);

    // Setting the same status again keeps the first attribution.
    run(
        &state.path,
        "bob",
        &["mark", "--query", "kind:speech", "--status", "actioned"],
    );
    let again = list_json(&state.path);
    assert_eq!(
        ids_where(&again, |m| m["status_set"]["by"] == "alice"),
        speeches
    );

    // A query on marks: flag every actioned statement.
    run(
        &state.path,
        "bob",
        &["mark", "-q", "status:actioned", "--flag"],
    );
    let records = list_json(&state.path);
    assert_eq!(
        ids_where(&records, |m| m["flagged"]["by"] == "bob"),
        speeches
    );
    // No match: nothing to change, and it says so, failing (issue 13).
    let (ok, out, stderr) = try_run(&state.path, "bob", &["mark", "-q", "zzqqxx", "--flag"]);
    assert!(!ok, "a query matching nothing succeeded");
    assert_eq!(out, "");
    assert!(stderr.contains("no statement matches"), "{stderr}");
    // A bad status is refused.
    let (ok, _, stderr) = try_run(
        &state.path,
        "bob",
        &["mark", "-q", "kind:speech", "--status", "done"],
    );
    assert!(!ok);
    assert!(stderr.contains("unknown status"), "{stderr}");
}

#[test]
fn the_tag_prompt_shows_only_its_own_hints() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("t");
    term.expect_text("add tag:");
    let rows = term.rows();
    let last = rows.last().map(|row| row.trim_end()).unwrap_or("");
    assert_eq!(last, "Enter keep  Esc cancel");
}

#[test]
fn a_browser_whose_state_file_is_moved_aside_saves_into_the_new_one() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("F");
    term.expect_text("flagged 1 statement");

    // Another process found the file damaged and moved it aside, with its
    // -wal and -shm, as communique does.
    let aside = state.path.with_file_name("t.db.corrupt-20260101T000000");
    for suffix in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", state.path.display()));
        if from.exists() {
            std::fs::rename(&from, format!("{}{suffix}", aside.display())).expect("move");
        }
    }
    std::fs::rename(&state.path, &aside).expect("move aside");

    // Within a poll the browser notices, reopens the path (a fresh file:
    // the first row's flag is gone) and says what happened; the next change
    // lands in the file at the path.
    term.expect_text("reopened");
    expect_marks(&mut term, 0, "no flag", SHARED_TIMEOUT, |m| {
        !m.contains('!')
    });
    term.send("j");
    term.send("F");
    term.expect_text("flagged 1 statement");
    quit(&mut term);
    let records = list_json(&state.path);
    assert_eq!(
        ids_where(&records, |m| m["flagged"]["by"] == "alice").len(),
        1,
        "the flag after the move is in the file at the path"
    );
    assert!(
        !ids_where(&records, |m| !m["flagged"].is_null()).contains(FIRST_ID),
        "a fresh file: the first flag stayed in the moved one"
    );
}

// ---- Ctrl-c cancels input first; notes are never lost ----

#[test]
fn ctrl_c_cancels_the_search_line_then_quits_from_the_list() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("/japan");
    term.expect_screen("the search line with fewer rows", |screen| {
        !screen.contains("16 / 16 statements") && screen.contains("japan")
    });
    term.ctrl_c();
    term.expect_screen("the whole list again", |screen| {
        screen.contains("16 / 16 statements") && !screen.contains("japan")
    });
    assert!(term.is_running(), "Ctrl-c in the search line does not quit");
    // From the list (and so from a statement) Ctrl-c quits.
    term.ctrl_c();
    let status = term
        .wait_exit(EXIT_TIMEOUT)
        .unwrap_or_else(|| panic!("still running:\n{}", term.screen_text()));
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn ctrl_c_in_the_note_editor_asks_and_keeps_a_draft() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("e");
    term.expect_text("Note (Ctrl-s saves");
    term.send("call the desk before noon");
    term.expect_text("call the desk before noon");
    term.ctrl_c();
    let screen = term.expect_text("the note is not saved: s save");
    assert!(
        screen.contains("call the desk before noon"),
        "the text is still there:\n{screen}"
    );
    // Ctrl-c at the question keeps the draft (and still does not quit).
    term.ctrl_c();
    term.expect_text("kept the note as your draft");
    assert!(term.is_running());
    quit(&mut term);

    // The draft is the user's own, in the state file, offered on reopening.
    let mut again = browser(&state.path, "alice");
    again.send("e");
    let screen = again.expect_text("your unsaved draft: Ctrl-s saves it");
    assert!(screen.contains("call the desk before noon"), "{screen}");
    again.key(Key::Ctrl('s'));
    again.expect_text("saved the note on 1 statement");
    quit(&mut again);
    let records = list_json(&state.path);
    assert_eq!(
        record(&records, FIRST_ID)["marks"]["note"]["text"],
        "call the desk before noon"
    );
}

#[test]
fn a_note_open_when_the_browser_ends_is_kept_as_a_draft() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("e");
    term.expect_text("Note (Ctrl-s saves");
    term.send("half a thought");
    term.expect_text("half a thought");
    term.signal("TERM");
    assert!(term.wait_exit(EXIT_TIMEOUT).is_some(), "ended on SIGTERM");

    let mut again = browser(&state.path, "alice");
    again.send("e");
    let screen = again.expect_text("your unsaved draft: Ctrl-s saves it");
    assert!(screen.contains("half a thought"), "{screen}");
    // Bob, on the same file, has no draft and sees no note.
    let mut bob = browser(&state.path, "bob");
    bob.send("e");
    let screen = bob.expect_text("Note (Ctrl-s saves");
    assert!(!screen.contains("half a thought"), "{screen}");
}

#[test]
fn two_writers_on_one_note_see_a_conflict_and_the_history() {
    let state = state_file();
    let mut alice = browser(&state.path, "alice");
    let mut bob = browser(&state.path, "bob");
    alice.send("e");
    alice.expect_text("Note (Ctrl-s saves");
    bob.send("ecall Tokyo");
    bob.expect_text("call Tokyo");
    bob.key(Key::Ctrl('s'));
    bob.expect_text("saved the note on 1 statement");

    alice.send("call the desk");
    alice.expect_text("call the desk");
    alice.key(Key::Ctrl('s'));
    let screen = alice.expect_text("The note changed while you wrote yours");
    assert!(
        screen.contains("Theirs, by bob") && screen.contains("call Tokyo"),
        "{screen}"
    );
    assert!(screen.contains("call the desk"), "{screen}");
    alice.send("m");
    alice.expect_text("saved the note on 1 statement");
    alice.key(Key::Enter);
    let detail = alice.expect_text("Note: edited by alice");
    assert!(detail.contains("1 earlier version"), "{detail}");
    alice.key(Key::End);
    let end = alice.expect_text("Earlier versions of the note");
    assert!(
        end.contains("Written: by bob") && end.contains("call Tokyo"),
        "{end}"
    );
    alice.key(Key::Esc);
    alice.expect_text("16 / 16 statements");
    quit(&mut alice);
    quit(&mut bob);
}

#[test]
fn show_json_gives_the_note_with_who_and_when_and_its_history() {
    let state = state_file();
    run(&state.path, "alice", &["mark", FIRST_ID, "--note", "first"]);
    run(
        &state.path,
        "bob",
        &["mark", FIRST_ID, "--note", "second", "--read"],
    );
    let out = run(&state.path, "alice", &["show", FIRST_ID, "--json"]);
    let shown: Value = serde_json::from_str(&out).expect("show --json prints JSON");
    let marks = &shown["marks"];
    assert_eq!(marks["note"]["text"], "second");
    assert_eq!(marks["note"]["by"], "bob");
    assert!(
        marks["note"]["at"]
            .as_str()
            .is_some_and(|at| at.ends_with("+00:00")),
        "{marks}"
    );
    assert_eq!(marks["note_history"][0]["text"], "first");
    assert_eq!(marks["note_history"][0]["by"], "alice");
    // Read state is the reader's own: bob read it, alice did not.
    assert!(marks["read"].is_null(), "{marks}");
    assert!(marks["read_by"]["bob"].is_string(), "{marks}");
    let text = run(&state.path, "alice", &["show", FIRST_ID]);
    assert!(text.contains("Note: edited by bob"), "{text}");
    assert!(text.contains("1 earlier version"), "{text}");
}

/// Issue 14 item 12 at 80×24 with keys in bursts: three rows chosen, then
/// flagged and set in review in the same write, then tagged in another: every
/// mark goes on the same three, as mutt's tagged messages do; the header
/// says "3 chosen (Esc clears)"; undo and redo say what they changed; Esc
/// clears the choice and the next mark takes the cursor row alone.
#[test]
fn a_choice_stays_for_several_marks_and_undo_says_what_it_changed() {
    let state = state_file();
    let mut term = browser(&state.path, "alice");
    term.send("   FS");
    term.expect_text("3 chosen (Esc clears)");
    for row in 0..3 {
        expect_marks(&mut term, row, "flagged, in review", EXIT_TIMEOUT, |m| {
            m == "N!r "
        });
    }
    let screen = term.screen_text();
    assert_eq!(
        marks_column(&screen, 3),
        "N   ",
        "row 3 untouched:\n{screen}"
    );
    term.send("turgent\r");
    term.expect_text("tagged 3 statements urgent");
    expect_marks(&mut term, 2, "the tag", EXIT_TIMEOUT, |m| m == "N!r+");
    term.expect_text("3 chosen (Esc clears)");

    term.send("uu");
    term.expect_text("undid: status on 3 statements");
    expect_marks(&mut term, 0, "flag only", EXIT_TIMEOUT, |m| m == "N!  ");
    term.key(Key::Ctrl('r'));
    term.expect_text("redid: status on 3 statements");

    term.key(Key::Esc);
    term.expect_screen("the choice cleared", |screen| {
        screen.contains("choice cleared") && !screen.lines().next().unwrap_or("").contains("chosen")
    });
    term.send("F");
    term.expect_text("flagged 1 statement");
    expect_marks(&mut term, 3, "the cursor row flagged", EXIT_TIMEOUT, |m| {
        m == "N!  "
    });
    quit(&mut term);

    let records = list_json(&state.path);
    let flagged = ids_where(&records, |m| m["flagged"]["by"] == "alice");
    let in_review = ids_where(&records, |m| m["status"] == "in review");
    assert_eq!(flagged.len(), 4, "{records:?}");
    assert_eq!(in_review.len(), 3, "the redone status");
    assert!(in_review.is_subset(&flagged));
    assert!(
        ids_where(&records, |m| !m["tags"]["urgent"].is_null()).is_empty(),
        "the tag was undone"
    );
}
