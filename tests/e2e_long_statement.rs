//! A statement of many megabytes (a transcript pasted whole, a hostile
//! record): the browser shows it a page at a time and finds words in it off
//! the drawing thread, so every key is answered. Before, each key laid out
//! the whole body (seconds a key, gigabytes at 150 MB). The built binary
//! runs in a pseudo-terminal on a generated archive.

mod support;

use std::path::Path;
use std::time::Duration;

use communique::document::{PAGE_BYTES, page_ranges};
use support::pty::{Pty, PtyCommand};

/// About 20 MB of ASCII paragraphs; one of them, near the end, names
/// Kherson. Returns the body.
fn write_archive(dir: &Path) -> String {
    let body = (0..60_000)
        .map(|n| {
            let mut paragraph = format!(
                "Paragraph {n}. {}",
                "Words of a long statement about trade and sanctions. ".repeat(6)
            );
            if n == 59_000 {
                paragraph.push_str("The situation in Kherson was discussed.");
            }
            paragraph
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let record = serde_json::json!({
        "id": "long-transcript",
        "title": "A very long statement",
        "published": "2024-01-01",
        "body": body,
    });
    std::fs::write(dir.join("long.json"), record.to_string()).expect("writing the archive");
    body
}

fn browser(archive: &Path, state: &Path) -> Pty {
    let mut term = PtyCommand::new()
        .arg("--archive")
        .arg(archive)
        .arg("--state")
        .arg(state)
        .size(80, 24)
        .spawn();
    term.expect_text("1 / 1 statements");
    term
}

#[test]
fn a_20_mb_statement_is_read_a_page_at_a_time_and_searched_whole() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let archive = dir.path().join("archive");
    std::fs::create_dir(&archive).expect("the archive folder");
    let body = write_archive(&archive);
    // The text the record's body becomes: paragraphs as they are.
    let pages = page_ranges(&body, PAGE_BYTES);
    let count = pages.len();
    let kherson_page = pages
        .iter()
        .position(|page| body[page.clone()].contains("Kherson"))
        .expect("a page names Kherson")
        + 1;
    assert!(count > 50 && kherson_page > 1);

    let mut term = browser(&archive, &dir.path().join("t.db"));
    term.send("\r");
    term.expect_text(&format!("page 1 of {count} ·"));
    // Scrolling answers at once and stays on the page.
    term.send("jj");
    term.expect_text("lines 3–");
    // The end of the statement is the last page.
    term.send("G");
    term.expect_text(&format!("page {count} of {count} ·"));
    term.send("g");
    term.expect_text(&format!("page 1 of {count} ·"));

    // Find looks through every page: the line that names Kherson shows.
    term.send("/kherson");
    let screen = term.expect_screen("the page that names Kherson", |screen| {
        screen.contains("Kherson was discussed")
    });
    term.send("\r");
    let screen_after = term.expect_text(&format!("page {kherson_page} of {count} ·"));
    assert!(screen.contains("find: kherson"), "{screen}");
    assert!(
        screen_after.contains("Kherson was discussed"),
        "{screen_after}"
    );

    // A word on no page says so.
    term.send("/odesa\r");
    term.expect_text("not found");

    term.ctrl_c();
    let status = term
        .wait_exit(Duration::from_secs(5))
        .expect("the browser ends");
    assert!(status.success(), "{status:?}");
}
