//! Looking at a spawned program from outside: its state and children in
//! /proc, and whether it ended well with the terminal put back.

use std::time::Duration;

use super::pty::Pty;

/// How long a program may take to end once asked.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The process state letter from /proc: R running, S sleeping, T stopped,
/// Z exited…
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Child processes of every thread of a process.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|pid| pid.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Waits for the program to end and asserts it ended well and put the
/// terminal back: main screen, cursor shown.
#[track_caller]
pub fn assert_clean_exit(term: &mut Pty) {
    let status = term
        .wait_exit(EXIT_TIMEOUT)
        .unwrap_or_else(|| panic!("still running:\n{}", term.screen_text()));
    assert!(status.success(), "exit status {status:?}");
    assert!(
        !term.alternate_screen(),
        "the alternate screen was not left"
    );
    assert!(!term.cursor_hidden(), "the cursor was left hidden");
}
