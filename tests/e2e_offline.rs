//! The database going away under a running browser: the built binary in a
//! pseudo-terminal on a throwaway cluster of this test binary's own
//! (`support::postgres`), stopped at once (`pg_ctl stop -m immediate`, as
//! a crash or a cut link) and started again on the same port. Keys still
//! act and draw while it is down, the header counts the changes waiting,
//! and every one of them arrives exactly once when it is back, also after
//! the browser itself was killed while offline. Every wait polls; nothing
//! is timed beyond a generous limit.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::pty::Key;
use support::pty::{Pty, PtyCommand};

/// Generous for a loaded machine: reconnecting backs off up to 8 s.
const TIMEOUT: Duration = Duration::from_secs(40);

fn browser(url: &str, state_home: &Path) -> Pty {
    let mut term = PtyCommand::browser()
        .arg("--state")
        .arg(url)
        .env("XDG_STATE_HOME", state_home)
        .env_remove("COMMUNIQUE_STATE")
        .size(100, 30)
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
fn wait_screen(term: &mut Pty, what: &str, holds: impl Fn(&str) -> bool) -> String {
    match term.wait_for(|screen| holds(screen), TIMEOUT) {
        Ok(screen) => screen,
        Err(err) => panic!("waiting for {what}: {err}"),
    }
}

/// Runs `query` (one row, one bigint or text column) until `holds` says
/// yes or the limit passes; gives the last answer.
fn query_until(url: &str, query: &str, holds: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + TIMEOUT;
    let mut last = String::from("(no answer)");
    while Instant::now() < deadline {
        if let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
            && let Ok(row) = client.query_one(query, &[])
        {
            last = row
                .try_get::<_, i64>(0)
                .map(|n| n.to_string())
                .or_else(|_| {
                    row.try_get::<_, Option<String>>(0)
                        .map(|s| s.unwrap_or_default())
                })
                .unwrap_or_default();
            if holds(&last) {
                return last;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

fn one(url: &str, query: &str) -> String {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let row = client.query_one(query, &[]).expect(query);
    row.try_get::<_, i64>(0).map_or_else(
        |_| row.get::<_, Option<String>>(0).unwrap_or_default(),
        |n| n.to_string(),
    )
}

/// Flag, tag and note made while the server is down, in one browser.
fn triage_while_down(term: &mut Pty) {
    // Row 1: flag it, tag it. Each key acts and is drawn with no server.
    term.send("jF");
    wait_screen(term, "row 1 flagged while the database is down", |s| {
        marks_column(s, 1).contains('!')
    });
    term.send("turgent\r");
    wait_screen(term, "row 1 tagged while the database is down", |s| {
        marks_column(s, 1).contains('+')
    });
    term.send("e");
    term.expect_text("Note (Ctrl-s saves");
    term.send("call the desk");
    term.expect_text("call the desk");
    term.key(Key::Ctrl('s'));
    wait_screen(term, "three changes waiting", |s| {
        s.contains("offline — 3 changes waiting")
    });
}

#[test]
fn a_server_stopped_mid_session_gets_every_change_once_when_it_returns() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    // Before anything asks the server: another test may have stopped it.
    let _server = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let db = cluster.fresh_name();
    let url = cluster.url(&db);
    let home = tempfile::tempdir().expect("state home");
    // Two people, each logging in as their own role (as on two hosts).
    cluster.role("alice");
    cluster.role("bob");
    let mut term = browser(&cluster.url_as(&db, "alice"), home.path());
    let bob_home = tempfile::tempdir().expect("bob's state home");
    let mut bob = browser(&cluster.url_as(&db, "bob"), bob_home.path());
    term.send("F");
    wait_screen(&mut term, "row 0 flagged", |s| {
        marks_column(s, 0).contains('!')
    });
    wait_screen(&mut bob, "alice's flag at bob's", |s| {
        marks_column(s, 0).contains('!')
    });
    let flagged = query_until(
        &url,
        "SELECT count(*) FROM marks WHERE flagged_by IS NOT NULL",
        |n| n == "1",
    );
    assert_eq!(flagged, "1", "the first flag reached the database");

    cluster.server_stop().expect("stop the server");
    wait_screen(&mut term, "the header saying offline", |s| {
        s.contains("offline")
    });
    triage_while_down(&mut term);
    // Still usable: moving and searching draw with the server gone.
    term.send("k");
    assert!(term.is_running());

    cluster.server_start().expect("start the server again");
    wait_screen(&mut term, "the header back to normal", |s| {
        !s.contains("offline")
    });
    // Bob's browser reconnected by itself and shows all of it.
    wait_screen(&mut bob, "alice's offline flag and tag at bob's", |s| {
        let row = marks_column(s, 1);
        row.contains('!') && row.contains('+') && !s.contains("offline")
    });
    assert_eq!(
        query_until(
            &url,
            "SELECT count(*) FROM marks WHERE flagged_by IS NOT NULL AND note IS NOT NULL",
            |n| n == "1"
        ),
        "1"
    );
    let second = one(&url, "SELECT id FROM marks WHERE note IS NOT NULL");
    assert_eq!(
        one(
            &url,
            "SELECT count(*) FROM marks WHERE flagged_by IS NOT NULL"
        ),
        "2"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM tags WHERE id = '{second}' AND tag = 'urgent'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT note FROM marks WHERE id = '{second}'")
        ),
        "call the desk"
    );
    // Once: one version of the note, and each journaled change's key once.
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM note_versions WHERE id = '{second}'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            "SELECT count(*) - count(DISTINCT key) FROM communique_applied"
        ),
        "0"
    );
    // Nothing is left waiting in the journal.
    let journal = home.path().join("communique").join("journal");
    for file in std::fs::read_dir(&journal).expect("journal folder") {
        let file = file.expect("entry").path();
        assert_eq!(
            std::fs::metadata(&file).expect("journal").len(),
            0,
            "{} still holds changes",
            file.display()
        );
    }
    // Attributed to the role that made them while offline.
    assert_eq!(
        one(
            &url,
            &format!("SELECT note_by FROM marks WHERE id = '{second}'")
        ),
        "alice"
    );
    for term in [&mut term, &mut bob] {
        term.send("q");
        assert!(term.wait_exit(TIMEOUT).is_some(), "the browser ended");
    }
}

#[test]
fn changes_made_offline_survive_the_browser_being_killed() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    // Before anything asks the server: another test may have stopped it.
    let _server = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let db = cluster.fresh_name();
    let url = cluster.url(&db);
    let home = tempfile::tempdir().expect("state home");
    let mut term = browser(&url, home.path());
    cluster.server_stop().expect("stop the server");
    wait_screen(&mut term, "the header saying offline", |s| {
        s.contains("offline")
    });
    triage_while_down(&mut term);
    term.signal("KILL");
    assert!(term.wait_exit(TIMEOUT).is_some(), "killed");

    // Started again while the server is still down: the journal's changes
    // show, waiting.
    let mut again = PtyCommand::browser()
        .arg("--state")
        .arg(&url)
        .env("XDG_STATE_HOME", home.path())
        .env_remove("COMMUNIQUE_STATE")
        .size(100, 30)
        .spawn();
    wait_screen(&mut again, "the waiting changes after a crash", |s| {
        s.contains("offline — 3 changes waiting") && marks_column(s, 1).contains('!')
    });
    cluster.server_start().expect("start the server again");
    wait_screen(&mut again, "the header back to normal", |s| {
        s.contains("16 / 16 statements") && !s.contains("offline")
    });
    assert_eq!(
        query_until(
            &url,
            "SELECT count(*) FROM marks WHERE note = 'call the desk' AND flagged_by IS NOT NULL",
            |n| n == "1"
        ),
        "1"
    );
    let second = one(&url, "SELECT id FROM marks WHERE note IS NOT NULL");
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM note_versions WHERE id = '{second}'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM tags WHERE id = '{second}' AND tag = 'urgent'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            "SELECT count(*) FROM marks WHERE flagged_by IS NOT NULL"
        ),
        "1"
    );
    again.send("q");
    assert!(again.wait_exit(TIMEOUT).is_some(), "the browser ended");
}

/// A note written offline, while someone else wrote theirs on the same
/// statement, comes back on the conflict screen when it is sent: theirs is
/// never overwritten.
#[test]
fn a_note_written_offline_that_someone_else_changed_meanwhile_is_a_conflict() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    // Before anything asks the server: another test may have stopped it.
    let _server = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let db = cluster.fresh_name();
    cluster.role("alice");
    cluster.role("bob");
    let alice_url = cluster.url_as(&db, "alice");
    let home = tempfile::tempdir().expect("state home");
    let mut term = browser(&alice_url, home.path());
    cluster.server_stop().expect("stop the server");
    wait_screen(&mut term, "the header saying offline", |s| {
        s.contains("offline")
    });
    term.send("e");
    term.expect_text("Note (Ctrl-s saves");
    term.send("mine, written offline");
    term.expect_text("mine, written offline");
    term.key(Key::Ctrl('s'));
    wait_screen(&mut term, "the note waiting", |s| {
        s.contains("offline — 1 change waiting")
    });
    term.signal("KILL");
    assert!(term.wait_exit(TIMEOUT).is_some(), "killed");

    // Back, and bob writes his note on the same statement first.
    cluster.server_start().expect("start the server again");
    let output = std::process::Command::new(support::pty::BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["--archive", support::pty::archive(), "--state"])
        .arg(cluster.url_as(&db, "bob"))
        .args(["mark", FIRST_ID, "--note", "theirs, from bob"])
        .output()
        .expect("run mark");
    assert!(output.status.success(), "{output:?}");

    let mut again = browser(&alice_url, home.path());
    let screen = wait_screen(&mut again, "the conflict screen", |s| {
        s.contains("The note changed while you wrote yours")
    });
    assert!(
        screen.contains("theirs, from bob") && screen.contains("mine, written offline"),
        "{screen}"
    );
    assert_eq!(
        one(
            &cluster.url(&db),
            &format!("SELECT note FROM marks WHERE id = '{FIRST_ID}'")
        ),
        "theirs, from bob"
    );
    assert_eq!(
        one(&cluster.url(&db), "SELECT count(*) FROM note_versions"),
        "1"
    );
}

/// The first statement in the list (newest first).
const FIRST_ID: &str = "b4091e0f-1286-4fb5-8ec2-bff944ba1a5c";

/// The tests stop the one server in turns.
static SERVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A server that takes connections and never answers: a link cut without a
/// word, or a host that has hung. Nothing waits on it but the browser's
/// database thread: the list draws, keys act, and the change waits.
#[test]
fn keys_act_and_draw_while_the_server_never_answers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let home = tempfile::tempdir().expect("state home");
    let url = format!("postgres://nobody@127.0.0.1:{port}/triage?sslmode=disable");
    let mut term = browser(&url, home.path());
    term.send("F");
    wait_screen(
        &mut term,
        "row 0 flagged with no answer from the server",
        |s| marks_column(s, 0).contains('!'),
    );
    term.send("j/japan");
    term.expect_text("japan");
    wait_screen(&mut term, "the change counted as waiting", |s| {
        s.contains("offline — 1 change waiting")
    });
    term.signal("KILL");
    assert!(term.wait_exit(TIMEOUT).is_some(), "killed");
    // The change is in the journal, for the next start.
    let journal = home.path().join("communique").join("journal");
    let kept: String = std::fs::read_dir(&journal)
        .expect("journal folder")
        .map(|file| std::fs::read_to_string(file.expect("entry").path()).expect("read"))
        .collect();
    assert!(kept.contains("\"Flag\""), "{kept}");
}

/// Two staff accounts made for one test, removed when it ends (even on a
/// panic).
struct UnixUsers {
    names: [String; 2],
}

impl UnixUsers {
    /// Makes them: this needs root, as CI and the deployment guide have.
    fn new() -> Self {
        let tag = format!("{:x}", std::process::id());
        let users = UnixUsers {
            names: [format!("cq{tag}ann"), format!("cq{tag}ben")],
        };
        for user in &users.names {
            let made = std::process::Command::new("useradd")
                .args(["--no-create-home", "--user-group", "--shell", "/bin/sh"])
                .arg(user)
                .output()
                .expect("useradd runs (the test needs root)");
            assert!(made.status.success(), "useradd {user}: {made:?}");
        }
        users
    }
}

impl Drop for UnixUsers {
    fn drop(&mut self) {
        for user in &self.names {
            let _ = std::process::Command::new("userdel").arg(user).status();
        }
    }
}

/// The issue's "done when", as staff meet it: two people on two Unix
/// accounts (as on two hosts), each browser logging in to PostgreSQL as
/// their own role, see each other's flags; the database stops while one of
/// them flags, tags and writes a note; when it is back every change is
/// there once — in the database, attributed to its maker, and in the other
/// person's browser.
#[test]
fn two_unix_users_see_each_others_flags_and_nothing_made_offline_is_lost() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let users = UnixUsers::new();
    let _server = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // The server's folder holds its socket: the staff accounts may pass
    // through it (its data folder stays the server's alone).
    std::fs::set_permissions(
        cluster.socket_dir(),
        std::os::unix::fs::PermissionsExt::from_mode(0o711),
    )
    .expect("chmod the socket's folder");
    let db = cluster.fresh_name();
    let url = cluster.url(&db);
    let mut browsers = Vec::new();
    let mut homes = Vec::new();
    for user in &users.names {
        cluster.role(user);
        // A home of their own for the journal and the cache.
        let home = tempfile::Builder::new()
            .prefix("communique-staff")
            .tempdir_in("/tmp")
            .expect("a home");
        let account = nix::unistd::User::from_name(user)
            .expect("the account")
            .expect("the account exists");
        std::os::unix::fs::chown(
            home.path(),
            Some(account.uid.as_raw()),
            Some(account.gid.as_raw()),
        )
        .expect("chown the home");
        let mut term = PtyCommand::new()
            .program("runuser")
            .args(["-u", user.as_str(), "--", support::pty::BINARY, "--archive"])
            .arg(support::pty::archive())
            .arg("--state")
            .arg(cluster.url_as(&db, user))
            .env("HOME", home.path())
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env_remove("COMMUNIQUE_STATE")
            .size(100, 30)
            .spawn();
        term.expect_text("16 / 16 statements");
        browsers.push(term);
        homes.push(home);
    }
    let [ann, ben] = &mut browsers[..] else {
        unreachable!("two browsers")
    };
    // Ann flags the first statement; Ben sees it.
    ann.send("F");
    wait_screen(ann, "row 0 flagged at Ann's", |s| {
        marks_column(s, 0).contains('!')
    });
    wait_screen(ben, "Ann's flag at Ben's", |s| {
        marks_column(s, 0).contains('!')
    });
    // And Ben's flag on the third reaches Ann.
    ben.send("jjF");
    wait_screen(ben, "row 2 flagged at Ben's", |s| {
        marks_column(s, 2).contains('!')
    });
    wait_screen(ann, "Ben's flag at Ann's", |s| {
        marks_column(s, 2).contains('!')
    });

    cluster.server_stop().expect("stop the server");
    wait_screen(ann, "Ann's header saying offline", |s| {
        s.contains("offline")
    });
    triage_while_down(ann);

    cluster.server_start().expect("start the server again");
    wait_screen(ann, "Ann's header back to normal", |s| {
        !s.contains("offline")
    });
    wait_screen(ben, "Ann's offline flag and tag at Ben's", |s| {
        let row = marks_column(s, 1);
        row.contains('!') && row.contains('+') && !s.contains("offline")
    });
    let second = query_until(&url, "SELECT id FROM marks WHERE note IS NOT NULL", |id| {
        !id.is_empty() && id != "(no answer)"
    });
    // Each change once, by the role of the account that made it.
    assert_eq!(
        one(
            &url,
            "SELECT count(*) FROM marks WHERE flagged_by IS NOT NULL"
        ),
        "3"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT flagged_by FROM marks WHERE id = '{second}'")
        ),
        users.names[0]
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT note_by FROM marks WHERE id = '{second}'")
        ),
        users.names[0]
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM tags WHERE id = '{second}' AND tag = 'urgent'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            &format!("SELECT count(*) FROM note_versions WHERE id = '{second}'")
        ),
        "1"
    );
    assert_eq!(
        one(
            &url,
            "SELECT count(DISTINCT flagged_by) FROM marks WHERE flagged_by IS NOT NULL"
        ),
        "2"
    );
    for term in browsers.iter_mut() {
        term.send("q");
        assert!(term.wait_exit(TIMEOUT).is_some(), "the browser ended");
    }
    drop(homes);
}
