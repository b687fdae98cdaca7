//! The list at 80×24 in a real pseudo-terminal: where the cursor starts on
//! an archive that streams in, and where it stays.

mod support;

use std::path::Path;

use support::pty::{Key, Pty, PtyCommand};

/// A folder of `count` one-file records whose file names run oldest to
/// newest, so the loader meets the newest statements last.
fn one_file_records(dir: &Path, count: usize) {
    for n in 0..count {
        let day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
            .and_then(|start| start.checked_add_days(chrono::Days::new(n as u64)))
            .expect("a date");
        let record = serde_json::json!({
            "id": format!("record-{n:05}"),
            "title": format!("Statement number {n:05} of the day"),
            "published": day.to_string(),
            "kind": "press release",
        });
        std::fs::write(dir.join(format!("{n:05}.json")), record.to_string()).expect("writing");
    }
}

fn browser(dir: &Path) -> Pty {
    PtyCommand::new()
        .args(["--archive".as_ref(), dir.as_os_str()])
        .size(80, 24)
        .spawn()
}

#[test]
fn opens_on_the_newest_statement_of_a_streamed_folder() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    one_file_records(dir.path(), 2000);
    let mut term = browser(dir.path());
    term.expect_text("2000 / 2000 statements");
    // The loading gauge is gone: every batch has been taken in.
    let screen = term.expect_screen("the load to finish", |screen| !screen.contains("loading"));
    let rows: Vec<&str> = screen.lines().collect();
    assert!(
        rows[2].starts_with('▌') && rows[2].contains("Statement number 01999"),
        "the cursor is on the newest statement, at the top:\n{screen}"
    );
}

#[test]
fn a_moved_cursor_stays_on_its_statement_while_the_list_streams_in() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    one_file_records(dir.path(), 3000);
    let mut term = browser(dir.path());
    term.expect_text("Statement number");
    term.key(Key::Char('j'));
    let chosen = term.expect_screen("the cursor on the second row", |screen| {
        screen
            .lines()
            .nth(3)
            .is_some_and(|row| row.starts_with('▌'))
    });
    let title = chosen
        .lines()
        .nth(3)
        .and_then(|row| row.split("Statement").nth(1))
        .map(str::to_owned)
        .expect("a title");
    term.expect_text("3000 / 3000 statements");
    let screen = term.expect_screen("the load to finish", |screen| !screen.contains("loading"));
    let cursor = screen
        .lines()
        .find(|row| row.starts_with('▌'))
        .unwrap_or_else(|| panic!("a cursor row:\n{screen}"));
    assert!(
        cursor.contains(&title),
        "the cursor kept {title:?}:\n{screen}"
    );
}
