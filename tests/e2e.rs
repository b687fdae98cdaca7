//! End-to-end tests: the built binary in a pseudo-terminal, driven by keys,
//! read back through a terminal emulator. Each waits for the frame it expects
//! instead of sleeping; each has its own terminal.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::escapes::{self, colour_sgrs};
use support::process::assert_clean_exit;
use support::pty::{BINARY, Key, Pty, PtyCommand, archive};

/// Long enough for a loaded machine, short enough to fail fast.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The browser on the core archive (the bundled archive's seed record and
/// GOV.UK items), its first frame drawn.
fn open(cols: u16, rows: u16) -> Pty {
    let mut term = PtyCommand::browser().size(cols, rows).spawn();
    term.expect_text("16 / 16");
    term
}

#[test]
fn search_open_detail_back_and_quit() {
    let mut term = open(80, 24);
    term.expect_text("16 / 16 statements");

    term.send("/japan");
    term.expect_screen("the search line and one match", |screen| {
        screen.contains("/ japan") && screen.contains("1 / 16 statements")
    });

    term.key(Key::Enter); // keep the query
    term.expect_text("query: japan");
    term.key(Key::Enter); // open the statement
    term.expect_text("Ministers of Foreign Affairs (49)");

    term.send("G");
    term.expect_text("newsdesk@fcdo.gov.uk");

    term.key(Key::Esc);
    term.expect_screen("the list with the query kept", |screen| {
        screen.contains("query: japan")
            && screen.contains("1 / 16 statements")
            && !screen.contains("newsdesk@fcdo.gov.uk")
    });

    term.send("q");
    assert_clean_exit(&mut term);
}

#[test]
fn help_overlay_and_filter_panel() {
    let mut term = open(80, 24);

    term.send("?");
    let help = term.expect_text("Keys and query language");
    assert!(
        help.contains("List"),
        "help opens at the list's keys:\n{help}"
    );
    // `/` narrows help to the keys that match, every view's.
    term.send("/quit");
    let help = term.expect_text("cancel the input, or quit");
    assert!(help.contains("Ctrl-c"), "help lists Ctrl-c:\n{help}");
    assert!(!help.contains("half page"), "only matching keys:\n{help}");
    term.key(Key::Esc);
    term.expect_screen("the filter cleared", |screen| screen.contains("half page"));
    term.key(Key::Esc);
    term.expect_screen("the list again", |screen| {
        !screen.contains("Keys and query language") && screen.contains("16 / 16 statements")
    });

    term.send("f");
    term.expect_text("Filters · 16 / 16 statements");
    // The first facet is Kind; its values are listed "[ ] value (count)",
    // most common first. Take the second, so moving the cursor matters.
    let rows = term.rows();
    let (value, count) = facet_value(&rows[2])
        .unwrap_or_else(|| panic!("no facet value on row 2:\n{}", rows.join("\n")));
    assert!(count > 0 && count < 16, "{value} counts {count}");
    let term_text = if value.contains(' ') {
        format!("kind:=\"{value}\"")
    } else {
        format!("kind:={value}")
    };

    term.send("j ");
    term.expect_screen("the value chosen", |screen| {
        screen.contains(&format!("query: {term_text}"))
            && screen.contains(&format!("[x] {value} ({count})"))
            && screen.contains(&format!("Filters · {count} / 16 statements"))
    });

    term.send("q");
    term.expect_screen("the list narrowed to the value", |screen| {
        screen.contains(&format!("query: {term_text}"))
            && screen.contains(&format!("{count} / 16 statements"))
            && !screen.contains("Filters ·")
    });
    // Statement rows lie between the column titles and the query line (at
    // 80 columns the kind shows its short label, so count the rows).
    let rows = term.rows();
    let listed = rows[2..rows.len() - 2]
        .iter()
        .filter(|row| !row.trim().is_empty())
        .count();
    assert_eq!(
        listed,
        count,
        "rows of kind {value}:\n{}",
        term.screen_text()
    );

    term.send("q");
    assert_clean_exit(&mut term);
}

/// "value" and count from a facet row such as `Kind  │ [ ] press release (2)`.
fn facet_value(row: &str) -> Option<(String, usize)> {
    let entry = row.split("[ ] ").nth(1)?.trim_end();
    let open = entry.rfind(" (")?;
    let count = entry[open + 2..].strip_suffix(')')?.parse().ok()?;
    Some((entry[..open].to_owned(), count))
}

#[test]
fn small_terminal_then_resize_burst() {
    check_size_and_resizes(40, 12);
}

#[test]
fn large_terminal_then_resize_burst() {
    check_size_and_resizes(200, 60);
}

/// Opens at a size, opens a statement, then resizes: "terminal too small"
/// below the minimum, and after a burst of sizes (degenerate ones included)
/// the program is alive and draws at the last.
fn check_size_and_resizes(cols: u16, rows: u16) {
    let mut term = open(cols, rows);
    let first = term.rows();
    assert!(
        first[0].contains("16 / 16"),
        "header at {cols}×{rows}: {:?}",
        first[0]
    );
    term.key(Key::Enter);
    term.expect_text("lines 1–");

    term.resize(20, 5).expect("resize to 20×5");
    term.expect_text("terminal too small");

    for (cols, rows) in [(80, 24), (1, 1), (0, 0), (20, 5), (40, 12), (120, 40)] {
        match term.resize(cols, rows) {
            Ok(()) => {}
            // Not every system allows a 0×0 terminal; the rest must work.
            Err(err) if (cols, rows) == (0, 0) => eprintln!("skipped: {err}"),
            Err(err) => panic!("{err}"),
        }
    }
    assert!(term.is_running(), "the resize burst ended the program");
    // Only a redraw at 120×40 puts the key hints on row 40.
    term.expect_screen("the statement drawn at 120×40", |screen| {
        screen
            .lines()
            .nth(39)
            .is_some_and(|hints| hints.contains("q back"))
    });
    term.key(Key::Esc);
    let screen = term.expect_text("16 / 16 statements");
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|header| header.contains("communique")),
        "header on the first row at 120×40:\n{screen}"
    );

    term.send("q");
    assert_clean_exit(&mut term);
}

#[test]
fn no_color_writes_no_colours_and_keeps_the_selection_visible() {
    let mut term = PtyCommand::browser()
        .size(80, 24)
        .env("NO_COLOR", "1")
        .spawn();
    term.expect_text("16 / 16 statements");
    assert_selected_row_is_reverse(&term, 2);

    term.send("j");
    term.expect_screen("the cursor on the second row", |screen| {
        screen
            .lines()
            .nth(3)
            .is_some_and(|row| row.starts_with('▌'))
    });
    assert_selected_row_is_reverse(&term, 3);

    term.send("q");
    assert_clean_exit(&mut term);
    let raw = term.raw_bytes();
    let sgrs = escapes::csis(&raw)
        .into_iter()
        .filter(escapes::Csi::is_sgr)
        .count();
    assert!(
        sgrs > 0,
        "no SGR at all: the parser or the capture is wrong"
    );
    assert_eq!(
        colour_sgrs(&raw),
        Vec::<String>::new(),
        "colours despite NO_COLOR"
    );
}

#[test]
fn colours_are_written_without_no_color() {
    // The other side of the NO_COLOR test: the same check does find colours.
    let mut term = open(80, 24);
    term.send("q");
    assert_clean_exit(&mut term);
    assert!(
        !colour_sgrs(&term.raw_bytes()).is_empty(),
        "no colours found"
    );
}

/// The selected row (marked `▌`) shows in reverse video across its text.
#[track_caller]
fn assert_selected_row_is_reverse(term: &Pty, row: u16) {
    let text = term.rows()[usize::from(row)].clone();
    assert!(
        text.starts_with('▌'),
        "row {row} is not the selection: {text:?}"
    );
    let not_reverse: Vec<u16> = term.with_screen(|screen| {
        (0..40)
            .filter(|&col| !screen.cell(row, col).is_some_and(vt100::Cell::inverse))
            .collect()
    });
    assert!(
        not_reverse.is_empty(),
        "selected row {row} {text:?} not reverse at columns {not_reverse:?}"
    );
}

#[test]
fn ctrl_c_quits_from_the_detail_view() {
    let mut term = open(80, 24);
    term.key(Key::Enter);
    term.expect_text("lines 1–");
    term.key(Key::Ctrl('c'));
    assert_clean_exit(&mut term);
}

#[test]
fn ctrl_c_cancels_the_search_line_then_quits() {
    let mut term = open(80, 24);
    term.send("/jap");
    term.expect_text("/ jap");
    // As in fzf and lazygit: the first Ctrl-c cancels the line...
    term.key(Key::Ctrl('c'));
    term.expect_screen("the line cancelled", |screen| !screen.contains("/ jap"));
    assert!(term.is_running(), "Ctrl-c in the search line quit");
    // ...and from the list it quits.
    term.key(Key::Ctrl('c'));
    assert_clean_exit(&mut term);
}

#[test]
fn refuses_to_run_without_a_terminal() {
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["--archive", archive()])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("running the binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "exit status {}", output.status);
    assert!(
        stderr.contains("needs a terminal"),
        "message on stderr: {stderr:?}"
    );
    assert!(
        !output.stdout.contains(&0x1b),
        "escape bytes on stdout: {}",
        escapes::printable(&output.stdout)
    );
}

#[test]
fn refuses_a_dumb_or_unknown_terminal() {
    let dumb = PtyCommand::browser().env("TERM", "dumb");
    let unset = PtyCommand::browser().env_remove("TERM");
    for (name, command) in [("TERM=dumb", dumb), ("no TERM", unset)] {
        let mut term = command.spawn();
        let status = term
            .wait_exit(EXIT_TIMEOUT)
            .unwrap_or_else(|| panic!("{name}: still running:\n{}", term.screen_text()));
        assert!(!status.success(), "{name}: exit status {status:?}");
        let raw = term.raw_bytes();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("needs a terminal that can move the cursor"),
            "{name}: message: {text:?}"
        );
        assert!(
            !raw.contains(&0x1b),
            "{name}: escape bytes: {}",
            escapes::printable(&raw)
        );
        assert!(!term.alternate_screen(), "{name}: alternate screen entered");
    }
}

#[test]
fn escape_reader_finds_colours_only_in_sgr() {
    // Colour codes counted properly: in SGR only, sub-parameters included.
    let bytes = b"\x1b[31;1H\x1b[1;7m\x1b[;m\x1b[39;49m\x1b[>4;1m\x1b[2;38;5;208mA\x1b[48:2::1:2:3m\x1b]0;title\x07";
    assert_eq!(
        colour_sgrs(bytes),
        ["\\u{1b}[2;38;5;208m", "\\u{1b}[48:2::1:2:3m"]
    );
    let colours: Vec<Vec<String>> = escapes::csis(bytes)
        .iter()
        .map(escapes::Csi::sgr_colours)
        .filter(|colours| !colours.is_empty())
        .collect();
    assert_eq!(
        colours,
        [vec!["38;5;208".to_owned()], vec!["48:2::1:2:3".to_owned()]]
    );
    assert_eq!(escapes::oscs(bytes), [b"0;title".to_vec()]);
}

/// A dropped SSH connection or a closed terminal window: the process must
/// go, not spin reading end of file (RELIABILITY.md 6).
#[test]
fn exits_when_the_terminal_is_closed() {
    let mut term = open(80, 24);
    term.hang_up().unwrap_or_else(|err| panic!("{err}"));
    let status = term.wait_exit(Duration::from_secs(1));
    assert!(
        status.is_some(),
        "still running a second after its terminal closed"
    );
}

/// What a new user sees with `cargo run`: the bundled archive, every kind of
/// source in it — the White House feed's items at the top, newest first,
/// and a Markdown statement found by typing in one burst and read with its
/// hard-wrapped lines joined into paragraphs.
#[test]
fn the_bundled_archive_opens_with_a_feed_and_markdown_statements() {
    let mut term = PtyCommand::new()
        .args(["--archive", support::archive::bundled()])
        .size(80, 24)
        .spawn();
    let first = term.expect_text(&format!(
        "{0} / {0} statements",
        support::archive::BUNDLED_STATEMENTS
    ));
    assert!(
        first.contains("President Trump and Republicans Deliver for South"),
        "the feed's newest item first:\n{first}"
    );

    term.send("/strategic dialogue\r\r");
    let statement = term.expect_text("U.S. – UK Strategic Dialogue on Biological Security");
    assert!(
        statement.contains("16 January 2024"),
        "the date from the front matter:\n{statement}"
    );
    // The file's first paragraph is wrapped at 72 columns ("…National
    // Security" ends a line, "Council and…" starts the next); shown at 80
    // it is one paragraph, so the words run on past the file's line ends.
    term.expect_screen("the body's first paragraph", |screen| {
        screen.contains("the U.S. National Security Council")
    });
    term.send("q");
    term.expect_text("query: strategic dialogue");
    term.send("q");
    assert_clean_exit(&mut term);
}

/// Opened a second time, an archive is taken from the catalog snapshot and
/// search index the first open kept (each statement restored from the
/// snapshot when it is first shown): the list is whole and searchable at
/// once, and the list, a search and an open statement read as they did
/// the first time, with nothing said about the snapshot.
#[test]
fn an_archive_opened_again_is_whole_and_searchable_from_its_snapshot() {
    let cache = tempfile::tempdir().expect("tempdir");
    let kept = cache.path().join("communique");
    let open = || {
        PtyCommand::browser()
            .env("XDG_CACHE_HOME", cache.path())
            .size(100, 30)
            .spawn()
    };
    let loaded = |term: &mut Pty| {
        term.expect_screen("loaded", |screen| {
            let header = screen.lines().next().unwrap_or_default();
            header.contains(" statements") && !header.contains("loading")
        })
    };
    let kept_files = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&kept)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    // What a user reads: the list, a search's list, and the statement the
    // search finds, opened.
    let read = |term: &mut Pty| -> Vec<String> {
        let list = loaded(term);
        term.send("/foreign secretary");
        term.key(Key::Enter);
        let found = term.expect_text("1 / ");
        term.key(Key::Enter);
        let statement = term.expect_text("Signatories");
        term.key(Key::Esc);
        term.expect_text("1 / ");
        [list, found, statement]
            .iter()
            .map(|screen| screen.lines().skip(1).collect::<Vec<_>>().join("\n"))
            .collect()
    };

    let mut first = open();
    let cold = read(&mut first);
    // The index and the contacts directory are kept once the load has
    // ended: waited for before quitting.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !kept_files().iter().any(|name| name.starts_with("index-")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no index kept: {:?}",
            kept_files()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    first.key(Key::Char('q'));
    assert_clean_exit(&mut first);
    assert!(
        kept_files().iter().any(|name| name.starts_with("catalog-")),
        "{:?}",
        kept_files()
    );

    let mut second = open();
    let warm = read(&mut second);
    assert_eq!(warm, cold);
    let screen = second.screen_text();
    assert!(!screen.contains("catalog"), "nothing said: {screen}");
    second.key(Key::Char('q'));
    assert_clean_exit(&mut second);
}
