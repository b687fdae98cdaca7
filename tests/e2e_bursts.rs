//! Keys as they arrive over a slow SSH link: several in one write. Each key
//! must act on the list that all earlier keys produce, never on the list the
//! screen showed before. The built binary runs in a pseudo-terminal on the
//! bundled archive; what was marked is read back from the state file with
//! `communique list --json`, as a teammate's script would.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::pty::{BINARY, Pty, PtyCommand};
use tempfile::TempDir;

/// The one statement `frank` matches best (its title), and the one joint
/// statement Japan signed.
const FRANK_ID: &str = "5dc52233-7631-11e4-a3cb-005056011aef";
const FRANK_TITLE: &str = "New FRANK adverts mark tenth anniversary";
const JAPAN_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";
/// The second row when the list shows everything, newest first.
const SECOND_NEWEST_ID: &str = "fe363564-f53b-4d59-afc4-c1a7df98159a:ar";

struct Session {
    _dir: TempDir,
    state: PathBuf,
    term: Pty,
}

/// The browser on the bundled archive with a fresh state file, first frame
/// drawn.
fn browser(cols: u16, rows: u16) -> Session {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let state = dir.path().join("triage.db");
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(&state)
        .env("COMMUNIQUE_USER", "alice")
        .env_remove("COMMUNIQUE_STATE")
        .size(cols, rows)
        .spawn();
    term.expect_text("16 / 16 statements");
    Session {
        _dir: dir,
        state,
        term,
    }
}

/// Each statement's id with its marks (a mark is `null` or who set it and
/// when; tags are keyed by name), from `list --json` on `state`.
fn marked(state: &Path) -> Vec<(String, Value)> {
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["list", "--json", "--state"])
        .arg(state)
        .env_remove("COMMUNIQUE_STATE")
        .output()
        .expect("list runs");
    assert!(output.status.success(), "list --json: {output:?}");
    let records: Vec<Value> =
        serde_json::from_slice(&output.stdout).expect("list --json prints an array");
    records
        .into_iter()
        .filter_map(|record| {
            let marks = record.get("marks")?.clone();
            let id = record.get("id")?.as_str()?.to_owned();
            Some((id, marks))
        })
        .collect()
}

/// Ids whose marks satisfy `holds`.
fn ids_where(state: &Path, holds: impl Fn(&Value) -> bool) -> Vec<String> {
    marked(state)
        .into_iter()
        .filter(|(_, marks)| holds(marks))
        .map(|(id, _)| id)
        .collect()
}

fn quit(term: &mut Pty) {
    term.ctrl_c();
    let status = term
        .wait_exit(Duration::from_secs(5))
        .expect("the browser ends on Ctrl-c");
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn search_enter_flag_in_one_burst_flags_the_statement_found() {
    let mut session = browser(80, 24);
    session.term.send("/frank\rF");
    session.term.expect_text("flagged");
    quit(&mut session.term);
    let flagged = ids_where(&session.state, |marks| !marks["flagged"].is_null());
    assert_eq!(
        flagged,
        [FRANK_ID],
        "exactly the statement under the cursor"
    );
}

#[test]
fn search_enter_enter_in_one_burst_opens_the_statement_found() {
    let mut session = browser(80, 24);
    session.term.send("/frank\r\r");
    let screen = session.term.expect_screen("the statement open", |screen| {
        screen.contains(FRANK_TITLE) && screen.contains("q back")
    });
    assert!(
        !screen.contains("16 / 16"),
        "the statement view, not the list:\n{screen}"
    );
    quit(&mut session.term);
    let read = ids_where(&session.state, |marks| !marks["read_by"]["alice"].is_null());
    assert_eq!(read, [FRANK_ID], "opening marks read the statement shown");
}

#[test]
fn choose_all_and_tag_in_one_burst_tags_only_the_matches() {
    let mut session = browser(80, 24);
    session.term.send("/sig:japan\rAtasia\r");
    session.term.expect_text("tagged");
    quit(&mut session.term);
    let tagged = ids_where(&session.state, |marks| marks["tags"].get("asia").is_some());
    assert_eq!(tagged, [JAPAN_ID], "only the one statement Japan signed");
}

#[test]
fn a_burst_that_clears_the_query_then_moves_acts_on_the_whole_list() {
    let mut session = browser(80, 24);
    session.term.send("/frank\r");
    session.term.expect_text("2 / 16");
    // Clear the line (Ctrl-u), keep the empty query, move down, flag: the
    // second newest of all sixteen, not the second of the two frank found.
    session.term.send("/\u{15}\rjF");
    session.term.expect_text("flagged");
    quit(&mut session.term);
    let flagged = ids_where(&session.state, |marks| !marks["flagged"].is_null());
    assert_eq!(flagged, [SECOND_NEWEST_ID]);
}

/// Esc and the next key in one write reach the terminal as `ESC j`, which
/// is also how a terminal sends Alt-j: with no Alt-j bound, it is the two
/// keys the user pressed (here: clear the query, move down), not nothing.
#[test]
fn esc_then_a_key_in_one_burst_is_both_keys() {
    let mut session = browser(80, 24);
    session.term.send("/frank\r");
    session.term.expect_text("2 / 16");
    session.term.send("\u{1b}jF");
    session.term.expect_text("flagged");
    quit(&mut session.term);
    let flagged = ids_where(&session.state, |marks| !marks["flagged"].is_null());
    assert_eq!(flagged, [SECOND_NEWEST_ID]);
}

#[test]
fn a_100_kb_paste_into_the_search_line_is_one_bounded_edit() {
    let mut session = browser(80, 24);
    session.term.send("/");
    session.term.expect_text("/");
    let pasted = "frank adverts ".repeat(100 * 1024 / 14);
    session
        .term
        .send(&format!("\u{1b}[200~{pasted}\u{1b}[201~"));
    session.term.expect_text("text cut: the line holds at most");
    // The browser answers at once: Enter keeps the query, Ctrl-c quits.
    session.term.send("\r");
    session.term.expect_text("1 / 16");
    quit(&mut session.term);
}

#[test]
fn thousands_of_typed_keys_in_one_burst_are_answered() {
    // A terminal without bracketed paste sends a paste as keys.
    let mut session = browser(80, 24);
    let typed = "frank ".repeat(1_000);
    session.term.send(&format!("/{typed}"));
    session.term.expect_text("holds at most 1000 characters");
    session.term.send("\r");
    session.term.expect_text("/ 16");
    quit(&mut session.term);
}

#[test]
fn the_language_key_in_a_burst_acts_on_the_translation_it_opens() {
    // Real GOV.UK items: an English page, an earlier copy of it, its Urdu
    // translation, and a speaking note in two versions.
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-versions");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let state = dir.path().join("triage.db");
    let mut term = PtyCommand::new()
        .arg("--archive")
        .arg(&archive)
        .arg("--state")
        .arg(&state)
        .env("COMMUNIQUE_USER", "alice")
        .env_remove("COMMUNIQUE_STATE")
        .size(80, 24)
        .spawn();
    term.expect_text("3 / 3 statements");
    // Find the English page, open it, go to its Urdu translation and flag
    // what is then shown: all in one burst.
    term.send("/'Christmas\r\raF");
    let screen = term.expect_screen("the Urdu translation flagged", |screen| {
        screen.contains("flagged") && screen.contains("2016ء")
    });
    assert!(screen.contains("Language: ur; also in en"), "{screen}");
    // And back to English.
    term.send("a");
    term.expect_screen("the English page again", |screen| {
        screen.contains("Christmas 2016: Prime Minister's message")
            && screen.contains("Language: en; also in ur")
    });
    quit(&mut term);
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("list")
        .arg("--json")
        .arg("--archive")
        .arg(&archive)
        .arg("--state")
        .arg(&state)
        .output()
        .expect("list runs");
    let records: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    let ids_where = |holds: &dyn Fn(&Value) -> bool| -> Vec<&str> {
        records
            .iter()
            .filter(|record| holds(&record["marks"]))
            .filter_map(|record| record["id"].as_str())
            .collect()
    };
    assert_eq!(
        ids_where(&|marks| !marks["flagged"].is_null()),
        ["d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur"]
    );
    assert_eq!(
        ids_where(&|marks| !marks["read_by"]["alice"].is_null()),
        [
            "d0ee80cd-ed7a-4b04-b60f-3be2f03693af",
            "d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur"
        ],
        "both languages opened"
    );
    // The JSON links the translations both ways.
    assert_eq!(records[1]["language"], "ur");
    assert_eq!(
        records[1]["translations"][0]["id"],
        "d0ee80cd-ed7a-4b04-b60f-3be2f03693af"
    );
}
