//! Limits a hostile or careless environment must not push the browser past:
//! a terminal size the SSH client makes up, and signals that end it in ways
//! the loop does not see coming. The built binary runs in a pseudo-terminal.

mod support;

use std::time::Duration;

use support::pty::{Pty, PtyCommand};

const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The most memory the browser may ever have held (its peak resident set),
/// in KiB, read from /proc.
fn peak_kib(term: &Pty) -> u64 {
    let pid = term.browser_pid().expect("the browser's process id");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc status")
}

fn browser() -> Pty {
    let state = tempfile::tempdir().expect("a temporary folder");
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(state.path().join("t.db"))
        .size(80, 24)
        .spawn();
    term.expect_text("16 / 16 statements");
    // The folder may go: the state file is opened already.
    drop(state);
    term
}

#[test]
fn a_terminal_claiming_20000_by_20000_costs_bounded_memory() {
    let mut term = browser();
    for (cols, rows) in [(6000, 6000), (20000, 20000), (1200, 600)] {
        term.claim_size(cols, rows, (1000, 500))
            .expect("the pseudo-terminal takes the size");
        // It draws at most 1000×500, so the whole list shows on the first
        // 500 rows, its key hints on row 500.
        term.expect_screen("the browser drawn within 1000×500", |screen| {
            screen
                .lines()
                .nth(499)
                .is_some_and(|row| row.contains("? this help"))
        });
        assert!(term.is_running(), "the browser still runs at {cols}×{rows}");
        let peak = peak_kib(&term);
        assert!(
            peak < 512 * 1024,
            "at {cols}×{rows} the browser's peak memory was {} MiB",
            peak / 1024
        );
    }
    term.resize(80, 24).expect("back to 80×24");
    term.expect_screen("the list at 80×24", |screen| {
        screen
            .lines()
            .nth(23)
            .is_some_and(|row| row.contains("? this help"))
    });
    term.send("j");
    term.ctrl_c();
    let status = term.wait_exit(EXIT_TIMEOUT).expect("the browser ends");
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigquit_ends_the_browser_with_the_terminal_restored() {
    let mut term = browser();
    assert!(term.alternate_screen());
    let pid = term.pid().expect("a process id");
    let sent = std::process::Command::new("kill")
        .args(["-QUIT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    term.wait_exit(EXIT_TIMEOUT)
        .expect("the browser ends on SIGQUIT");
    assert!(!term.alternate_screen(), "left on the alternate screen");
    assert!(!term.cursor_hidden(), "left with the cursor hidden");
}

/// What a browser that dies at once leaves behind: the guard it runs under
/// gives the terminal back and says what happened.
#[track_caller]
fn assert_restored_after_sudden_end(term: &mut Pty, what: &str) {
    let status = term.wait_exit(EXIT_TIMEOUT).expect("the program ends");
    assert!(!status.success(), "{what}: {status:?}");
    assert!(
        !term.alternate_screen(),
        "{what}: left on the alternate screen"
    );
    assert!(!term.cursor_hidden(), "{what}: left with the cursor hidden");
    let screen = term.screen_text();
    assert!(
        screen.contains("the browser ended unexpectedly")
            && screen.contains("the terminal was restored"),
        "{what}: {screen}"
    );
}

#[test]
fn an_allocation_failure_leaves_the_terminal_restored() {
    let state = tempfile::tempdir().expect("a temporary folder");
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(state.path().join("t.db"))
        .env("COMMUNIQUE_FAIL_ALLOCATION_IN_DRAW", "1")
        .size(80, 24)
        .spawn();
    assert_restored_after_sudden_end(&mut term, "an allocation failure");
    assert!(
        term.screen_text().contains("SIGABRT"),
        "{}",
        term.screen_text()
    );
}

#[test]
fn sigkill_of_the_browser_leaves_the_terminal_restored() {
    let mut term = browser();
    assert!(term.alternate_screen());
    let pid = term.browser_pid().expect("the browser's process id");
    assert_ne!(Some(pid), term.pid(), "the browser runs under its guard");
    let sent = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    assert_restored_after_sudden_end(&mut term, "SIGKILL");
}
