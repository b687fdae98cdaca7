//! Browsers on one PostgreSQL database, end to end: the built binary in
//! pseudo-terminals, on a throwaway cluster the test starts
//! (`support::postgres`). A change in one browser, or from `communique
//! mark` as a cron job would run it, shows in the other without a key
//! pressed there: it arrives as a NOTIFY, not by reading the tables.
//! Every wait polls the screen; nothing is timed.

mod support;

use std::process::Command;
use std::time::Duration;

use support::pty::{BINARY, Pty, PtyCommand, archive};

/// Generous for a loaded machine; the browser checks every quarter second.
const SHARED_TIMEOUT: Duration = Duration::from_secs(10);

const FIRST_ID: &str = "b4091e0f-1286-4fb5-8ec2-bff944ba1a5c";

fn browser(url: &str, user: &str) -> Pty {
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(url)
        .env("COMMUNIQUE_USER", user)
        .env_remove("COMMUNIQUE_STATE")
        .size(80, 24)
        .spawn();
    term.expect_text("16 / 16 statements");
    term
}

/// The marks column (four symbols) of list row `row`.
fn marks_column(screen: &str, row: usize) -> String {
    let line = screen.lines().nth(2 + row).unwrap_or("");
    line.chars().skip(2).take(4).collect()
}

#[track_caller]
fn expect_marks(term: &mut Pty, row: usize, what: &str, holds: impl Fn(&str) -> bool) {
    if let Err(err) = term.wait_for(|screen| holds(&marks_column(screen, row)), SHARED_TIMEOUT) {
        panic!("waiting for row {row} to show {what}: {err}");
    }
}

#[test]
fn two_browsers_and_a_cron_job_on_one_database_see_each_others_changes() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    // Each person logs in as their own role, as on separate hosts; the
    // database, not $COMMUNIQUE_USER, says who did what.
    let db = cluster.fresh_name();
    for role in ["alice", "bob", "cron"] {
        cluster.role(role);
    }
    let mut alice = browser(&cluster.url_as(&db, "alice"), "alice");
    let mut bob = browser(&cluster.url_as(&db, "bob"), "bob");

    // A burst in alice's browser: flag the first row, move down, flag the
    // second, tag it.
    alice.send("FjFturgent\r");
    expect_marks(&mut bob, 0, "alice's flag", |m| m.contains('!'));
    expect_marks(&mut bob, 1, "alice's flag and tag", |m| {
        m.contains('!') && m.contains('+')
    });

    // Bob unflags the first; alice sees it go.
    bob.send("F");
    expect_marks(&mut alice, 0, "the flag gone", |m| !m.contains('!'));

    // A cron job marks the first statement actioned: both browsers show it.
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args([
            "--archive",
            archive(),
            "--state",
            &cluster.url_as(&db, "cron"),
        ])
        .args(["mark", FIRST_ID, "--status", "actioned"])
        // Claiming to be someone else changes nothing in a database.
        .env("COMMUNIQUE_USER", "the-minister")
        .output()
        .expect("run mark");
    assert!(output.status.success(), "{output:?}");
    expect_marks(&mut alice, 0, "actioned by cron", |m| m.contains('a'));
    expect_marks(&mut bob, 0, "actioned by cron", |m| m.contains('a'));

    // Attribution went through the database, as every output path shows it.
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args([
            "--archive",
            archive(),
            "--state",
            &cluster.url(&db),
            "show",
            FIRST_ID,
        ])
        .output()
        .expect("run show");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("Status: actioned (set by cron"), "{shown}");
    assert!(!shown.contains("the-minister"), "{shown}");
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["--archive", archive(), "--state", &cluster.url(&db)])
        .args(["list", "--json", "--query", "is:flagged tag:urgent"])
        .output()
        .expect("run list");
    let listed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("list --json is JSON");
    let marks = &listed[0]["marks"];
    assert_eq!(marks["flagged"]["by"], "alice", "{listed}");
    assert_eq!(marks["tags"]["urgent"]["by"], "alice", "{listed}");

    for term in [&mut alice, &mut bob] {
        term.send("q");
        let status = term
            .wait_exit(Duration::from_secs(5))
            .unwrap_or_else(|| panic!("still running:\n{}", term.screen_text()));
        assert!(status.success(), "{status:?}");
    }
}
