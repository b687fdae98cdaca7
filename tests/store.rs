//! The triage store against a real file: every change kind, undo by restore,
//! bulk changes, tags, saved searches and history; several real processes
//! writing at once; a writer killed with SIGKILL; damaged, foreign, newer,
//! read-only and symlinked state files, links and FIFOs planted beside
//! them, a file moved aside from under an open store, a team folder.
//!
//! The multi-process tests re-run this test binary as the writer: with
//! `STORE_TEST_ROLE` set, `writer_child` does the writing, otherwise it
//! returns at once.

use std::collections::{BTreeMap, HashMap};
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use communique::store::{Change, Stamp, Store, StoreError};

const ROLE: &str = "STORE_TEST_ROLE";
const DB: &str = "STORE_TEST_DB";
const INDEX: &str = "STORE_TEST_INDEX";
const COUNT: &str = "STORE_TEST_COUNT";
const GO: &str = "STORE_TEST_GO";

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn one(id: &str) -> Vec<String> {
    vec![id.to_owned()]
}

fn stamp(by: &str, at: i64) -> Stamp {
    Stamp {
        by: by.to_owned(),
        at,
    }
}

/// A store on `path` whose changes are stamped `by` at time `at`.
fn store_at(path: &Path, by: &str, at: i64) -> Store {
    let (store, warning) = Store::open(path, by).expect("open store");
    assert_eq!(
        warning,
        None,
        "unexpected warning opening {}",
        path.display()
    );
    store.with_clock(move || at)
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("triage.db");
    (dir, path)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The single `triage.db.corrupt-YYYYMMDDTHHMMSS` file in `dir`.
fn aside_file(dir: &Path) -> PathBuf {
    let asides: Vec<String> = files_in(dir)
        .into_iter()
        .filter(|n| n.starts_with("triage.db.corrupt-"))
        .collect();
    assert_eq!(asides.len(), 1, "expected one aside file: {asides:?}");
    let stamp = &asides[0]["triage.db.corrupt-".len()..];
    let shape_ok = stamp.len() == 15
        && stamp
            .char_indices()
            .all(|(i, c)| if i == 8 { c == 'T' } else { c.is_ascii_digit() });
    assert!(
        shape_ok,
        "aside name {} is not .corrupt-YYYYMMDDTHHMMSS",
        asides[0]
    );
    dir.join(&asides[0])
}

// ---------------------------------------------------------------- changes

#[test]
fn open_creates_missing_folders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state/communique/triage.db");
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    assert!(path.is_file());
}

// ---------------------------------------------------------- many processes

/// Not a test of its own: the body of the writer processes the tests below
/// start. Without `STORE_TEST_ROLE` it does nothing.
#[test]
fn writer_child() {
    let Ok(role) = env::var(ROLE) else { return };
    let var = |name: &str| env::var(name).unwrap_or_else(|_| panic!("{name} not set"));
    let path = PathBuf::from(var(DB));
    let index: usize = var(INDEX).parse().expect("index");
    let count: usize = var(COUNT).parse().expect("count");
    let go = PathBuf::from(var(GO));

    let (mut store, _) = Store::open(&path, &format!("writer{index}")).expect("child open");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").expect("stdout");
    out.flush().expect("flush");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !go.exists() {
        assert!(Instant::now() < deadline, "never told to start");
        thread::sleep(Duration::from_millis(2));
    }
    for n in 0..count {
        let change = match role.as_str() {
            // Every writer tags the same statements, each with its own tag:
            // a lost read-modify-write would drop another writer's tag.
            "tagger" => Change::Tag {
                ids: one(&format!("s{n}")),
                tag: format!("w{index}"),
                add: true,
            },
            // Batches of ten, to check each commits whole or not at all.
            "flagger" => Change::Flag {
                ids: ids(&format!("k{n}-"), 10),
                flagged: true,
            },
            other => panic!("unknown role {other}"),
        };
        store.apply(&change).expect("child apply");
        writeln!(out, "committed {n}").expect("stdout");
        out.flush().expect("flush");
    }
}

fn spawn_writer(role: &str, path: &Path, index: usize, count: usize, go: &Path) -> Child {
    Command::new(env::current_exe().expect("test binary"))
        .args([
            "writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--quiet",
        ])
        .env(ROLE, role)
        .env(DB, path)
        .env(INDEX, index.to_string())
        .env(COUNT, count.to_string())
        .env(GO, go)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn writer")
}

/// Reads the child's lines up to and including `ready`.
fn wait_ready(lines: &mut impl Iterator<Item = std::io::Result<String>>) {
    for line in lines {
        if line.expect("child stdout") == "ready" {
            return;
        }
    }
    panic!("writer ended before it was ready");
}

fn committed(line: &str) -> Option<usize> {
    line.strip_prefix("committed ")?.parse().ok()
}

fn child_lines(child: &mut Child) -> std::io::Lines<BufReader<ChildStdout>> {
    BufReader::new(child.stdout.take().expect("piped stdout")).lines()
}

#[test]
fn eight_processes_making_200_changes_each_lose_none() {
    const WRITERS: usize = 8;
    const CHANGES: usize = 200;
    let (dir, path) = temp_db();
    let go = dir.path().join("go");
    // The writers also race to create the file and its schema.
    let mut children: Vec<Child> = (0..WRITERS)
        .map(|i| spawn_writer("tagger", &path, i, CHANGES, &go))
        .collect();
    let mut outputs: Vec<_> = children.iter_mut().map(child_lines).collect();
    for lines in &mut outputs {
        wait_ready(lines);
    }
    fs::write(&go, b"").expect("go");
    for (i, (child, lines)) in children.iter_mut().zip(outputs).enumerate() {
        let reported = lines
            .map_while(Result::ok)
            .filter_map(|l| committed(&l))
            .count();
        let status = child.wait().expect("wait");
        assert!(status.success(), "writer {i} failed: {status}");
        assert_eq!(reported, CHANGES, "writer {i} reported");
    }

    let store = store_at(&path, "checker", 0);
    let all = store.marks().expect("marks");
    let total: usize = all.values().map(|m| m.tags.len()).sum();
    assert_eq!(total, WRITERS * CHANGES, "every change is present");
    assert_eq!(all.len(), CHANGES);
    for (id, marks) in &all {
        assert_eq!(
            marks.tags.len(),
            WRITERS,
            "{id} lost a tag: {:?}",
            marks.tags.keys()
        );
    }
    let expected: Vec<(String, usize)> = (0..WRITERS).map(|i| (format!("w{i}"), CHANGES)).collect();
    assert_eq!(store.tags().expect("tags"), expected);
}

#[test]
fn a_writer_killed_with_sigkill_keeps_every_committed_change() {
    const KILL_AFTER: usize = 60;
    let (dir, path) = temp_db();
    let go = dir.path().join("go");
    fs::write(&go, b"").expect("go");
    let mut child = spawn_writer("flagger", &path, 0, 1_000_000, &go);
    let mut lines = child_lines(&mut child);
    wait_ready(&mut lines);
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        if let Some(n) = committed(&line.expect("child stdout")) {
            printed.push(n);
            if printed.len() == KILL_AFTER {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert_eq!(
        status.signal(),
        Some(9),
        "writer was killed, not finished: {status}"
    );
    // Lines already in the pipe were printed after their commit too.
    printed.extend(lines.map_while(Result::ok).filter_map(|l| committed(&l)));
    assert!(printed.len() >= KILL_AFTER);

    let (store, warning) = Store::open(&path, "checker").expect("reopen after kill");
    assert_eq!(warning, None, "the killed writer's file must open cleanly");
    let flagged = store.marks().expect("marks");
    for n in &printed {
        for id in ids(&format!("k{n}-"), 10) {
            assert!(
                flagged.get(&id).is_some_and(|m| m.flagged.is_some()),
                "{id} lost"
            );
        }
    }
    // Every batch is whole: at most one batch beyond the printed ones (the
    // one committed just before the kill landed), none partial.
    let mut per_batch: HashMap<&str, usize> = HashMap::new();
    for id in flagged.keys() {
        let batch = id.split_once('-').map_or(id.as_str(), |(b, _)| b);
        *per_batch.entry(batch).or_default() += 1;
    }
    assert!(
        per_batch.values().all(|&n| n == 10),
        "a partial batch: {per_batch:?}"
    );
    assert!(per_batch.len() <= printed.len() + 1);
    drop(store);
    let mut fresh = store_at(&path, "checker", 1);
    fresh
        .apply(&Change::Flag {
            ids: one("after"),
            flagged: true,
        })
        .expect("still writable");
}

// ------------------------------------------------------------------ faults

/// Each name in `dir` with the bytes of a regular file (nothing for a
/// folder or a FIFO, which would not end).
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir)
        .into_iter()
        .map(|name| {
            let path = dir.join(&name);
            let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            let bytes = if regular {
                fs::read(&path).expect("read")
            } else {
                Vec::new()
            };
            (name, bytes)
        })
        .collect()
}

/// Opening `path` is refused, naming `cause`, and the folder is exactly as
/// it was: nothing moved, created or written.
#[track_caller]
fn assert_refused_untouched(dir: &Path, path: &Path, cause: &str) {
    let before = contents(dir);
    let error = Store::open(path, "alice").expect_err("refused");
    assert!(matches!(error, StoreError::Refused { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(cause), "{message}");
    assert!(!message.contains("I/O error"), "{message}");
    let reading = Store::open_read_only(path).expect_err("refused for reading too");
    assert!(reading.to_string().contains(cause), "{reading}");
    assert_eq!(contents(dir), before, "the folder was changed");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let (dir, path) = temp_db();
    let garbage: Vec<u8> = b"not a database \x00\xff\x13"
        .iter()
        .copied()
        .cycle()
        .take(8192)
        .collect();
    fs::write(&path, &garbage).expect("write garbage");
    assert_refused_untouched(dir.path(), &path, "is not a communique state file");

    // Someone's notes given as --state by mistake.
    fs::write(&path, "call the embassy back\n").expect("write notes");
    assert_refused_untouched(dir.path(), &path, "is not a communique state file");
}

#[test]
fn a_folder_or_a_fifo_as_the_state_path_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("triage.db");
    fs::create_dir(&folder).expect("mkdir");
    assert_refused_untouched(dir.path(), &folder, "is a directory");

    let fifo = dir.path().join("fifo.db");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    assert_refused_untouched(dir.path(), &fifo, "is not a regular file");
}

#[test]
fn an_empty_file_is_taken_as_new_not_damaged() {
    let (dir, path) = temp_db();
    fs::write(&path, b"").expect("empty file");
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Read {
            ids: one("a"),
            read: true,
        })
        .expect("apply");
    assert!(!files_in(dir.path()).iter().any(|n| n.contains("corrupt")));
}

#[test]
fn a_truncated_database_is_moved_aside() {
    let (dir, path) = temp_db();
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Note {
            ids: ids("s", 500),
            note: Some("x".repeat(500)),
        })
        .expect("fill");
    drop(store);
    let bytes = fs::read(&path).expect("read db");
    fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");

    let (store, warning) = Store::open(&path, "alice").expect("open truncated");
    assert!(warning.is_some_and(|w| w.contains("moved aside")));
    assert_eq!(
        fs::read(aside_file(dir.path())).expect("aside").len(),
        bytes.len() / 2
    );
    assert!(store.marks().expect("marks").is_empty());
}

#[test]
fn a_foreign_sqlite_database_is_refused_and_left_alone() {
    let (dir, path) = temp_db();
    {
        let other = rusqlite::Connection::open(&path).expect("create foreign db");
        other
            .execute_batch(
                "CREATE TABLE bookmarks (url TEXT);
                 INSERT INTO bookmarks VALUES ('https://www.gov.uk');",
            )
            .expect("foreign schema");
    }
    assert_refused_untouched(dir.path(), &path, "is not a communique state file");
    let kept: String = rusqlite::Connection::open(&path)
        .expect("open it again")
        .query_row("SELECT url FROM bookmarks", [], |row| row.get(0))
        .expect("the other program's data");
    assert_eq!(kept, "https://www.gov.uk");

    // Another program's database with an application id of its own.
    let (dir, path) = temp_db();
    rusqlite::Connection::open(&path)
        .expect("create")
        .execute_batch("PRAGMA application_id = 1234; CREATE TABLE t (x);")
        .expect("schema");
    assert_refused_untouched(dir.path(), &path, "is not a communique state file");
}

#[test]
fn a_file_from_a_newer_communique_is_left_alone() {
    let (dir, path) = temp_db();
    drop(store_at(&path, "alice", 1));
    rusqlite::Connection::open(&path)
        .expect("raw")
        .pragma_update(None, "user_version", 99)
        .expect("bump version");
    let before = files_in(dir.path());

    let error = Store::open(&path, "alice").expect_err("refused");
    assert!(
        matches!(error, StoreError::Newer { found: 99, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer communique"), "{error}");
    assert_eq!(files_in(dir.path()), before, "nothing moved");
}

#[test]
fn a_symlink_state_path_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.db");
    drop(store_at(&real, "alice", 1));
    let link = dir.path().join("triage.db");
    symlink(&real, &link).expect("symlink");
    let error = Store::open(&link, "alice").expect_err("symlink refused");
    assert!(
        matches!(&error, StoreError::Symlink(p) if *p == link),
        "{error:?}"
    );
    assert!(error.to_string().contains("symbolic link"));
    assert!(matches!(
        Store::open_read_only(&link),
        Err(StoreError::Symlink(_))
    ));

    // A dangling link must not create its target either.
    let nowhere = dir.path().join("nowhere.db");
    let dangling = dir.path().join("dangling.db");
    symlink(&nowhere, &dangling).expect("symlink");
    assert!(matches!(
        Store::open(&dangling, "alice"),
        Err(StoreError::Symlink(_))
    ));
    assert!(!nowhere.exists());
}

/// Do permission bits stop this process writing? Not when it runs as root,
/// which ignores them.
fn permission_bits_stop_writes() -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    let stopped = fs::write(dir.path().join("probe"), b"").is_err();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    stopped
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_read_only_state_file_still_reads_and_changes_say_why() {
    let enforced = permission_bits_stop_writes();
    if !enforced {
        // As root chmod cannot stop writes, so this checks the same
        // behaviour through Store::open_read_only instead of open()'s
        // fallback. Run the tests as an ordinary user to check the fallback.
        eprintln!("running as root: checking read-only behaviour via Store::open_read_only");
    }
    // A read-only file in a writable folder; in a read-only folder too (where
    // SQLite cannot create the WAL index beside it); a writable file in a
    // read-only folder (its WAL cannot be created).
    for (file_mode, dir_mode) in [(0o444, 0o755), (0o444, 0o555), (0o644, 0o555)] {
        let (dir, path) = temp_db();
        let mut store = store_at(&path, "alice", 1);
        store
            .apply(&Change::Flag {
                ids: one("a"),
                flagged: true,
            })
            .expect("flag");
        drop(store);
        let original = fs::read(&path).expect("read db");
        set_mode(&path, file_mode);
        set_mode(dir.path(), dir_mode);

        let mut store = if enforced {
            let (store, warning) = Store::open(&path, "alice").expect("opens for reading");
            assert!(warning.is_some_and(|w| w.contains("cannot be written")));
            store
        } else {
            Store::open_read_only(&path).expect("open_read_only")
        };
        assert!(store.is_read_only());
        assert!(
            store.marks().expect("browsing goes on")["a"]
                .flagged
                .is_some()
        );
        let error = store
            .apply(&Change::Flag {
                ids: one("b"),
                flagged: true,
            })
            .expect_err("cannot save");
        assert!(matches!(error, StoreError::ReadOnly(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "cannot save: the state file {} is read-only",
                path.display()
            )
        );
        assert!(matches!(
            store.save_search("x", "y"),
            Err(StoreError::ReadOnly(_))
        ));
        assert!(matches!(
            store.push_history("q"),
            Err(StoreError::ReadOnly(_))
        ));
        assert!(
            !store
                .changed_since_last_check()
                .expect("polling works read-only")
        );
        drop(store);

        set_mode(dir.path(), 0o755);
        set_mode(&path, 0o644);
        assert_eq!(
            fs::read(&path).expect("read db"),
            original,
            "the file is untouched"
        );
    }
}

#[test]
fn a_missing_file_in_a_read_only_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).expect("mkdir");
    if !permission_bits_stop_writes() {
        eprintln!("running as root: permission bits are not enforced; nothing to check");
        return;
    }
    set_mode(&locked, 0o555);
    let path = locked.join("triage.db");
    let error = Store::open(&path, "alice").expect_err("cannot create");
    assert!(matches!(error, StoreError::CannotOpen { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with("cannot open the state file"),
        "{error}"
    );
    set_mode(&locked, 0o755);
}

// ------------------------------------------------------- links and the lock

#[test]
fn a_lock_file_planted_as_a_symlink_is_refused_and_its_target_never_made() {
    let (dir, path) = temp_db();
    let elsewhere = tempfile::tempdir().expect("another folder");
    let target = elsewhere.path().join("nologin");
    symlink(&target, dir.path().join("triage.db.lock")).expect("plant the link");

    let error = Store::open(&path, "alice").expect_err("refused");
    assert!(matches!(error, StoreError::Refused { .. }), "{error:?}");
    assert!(
        error.to_string().contains("symbolic link") && error.to_string().contains(".lock"),
        "{error}"
    );
    assert!(!target.exists(), "the link's target was created");
    assert!(!path.exists(), "the state file was created");
}

#[test]
fn a_wal_or_shm_planted_as_a_symlink_is_refused_by_name() {
    for suffix in ["-wal", "-shm"] {
        let (dir, path) = temp_db();
        drop(store_at(&path, "alice", 1));
        let elsewhere = tempfile::tempdir().expect("another folder");
        let target = elsewhere.path().join("target");
        symlink(&target, dir.path().join(format!("triage.db{suffix}"))).expect("plant");

        let error = Store::open(&path, "alice").expect_err("refused");
        assert!(
            error.to_string().contains(&format!("triage.db{suffix}")),
            "{error}"
        );
        assert!(matches!(
            Store::open_read_only(&path),
            Err(StoreError::Refused { .. })
        ));
        assert!(!target.exists(), "{suffix}: the link's target was created");
    }
}

#[test]
fn a_fifo_as_the_lock_file_is_refused_without_waiting() {
    let (dir, path) = temp_db();
    let lock = dir.path().join("triage.db.lock");
    let made = Command::new("mkfifo").arg(&lock).status().expect("mkfifo");
    assert!(made.success());
    // Opening a FIFO for writing waits for a reader: a hang, were it opened
    // as a lock file is.
    let (done, finished) = std::sync::mpsc::channel();
    let opening = path.clone();
    thread::spawn(move || {
        let _ = done.send(Store::open(&opening, "alice").map(drop));
    });
    let result = finished
        .recv_timeout(Duration::from_secs(30))
        .expect("Store::open hung on a FIFO lock file");
    let error = result.expect_err("refused");
    assert!(error.to_string().contains("not a regular file"), "{error}");
}

#[test]
fn a_lock_held_by_another_is_waited_for_then_reported_busy() {
    let (dir, path) = temp_db();
    drop(store_at(&path, "alice", 1));
    let held = fs::File::open(dir.path().join("triage.db.lock")).expect("the lock file");
    held.lock().expect("hold the lock");
    let error = Store::open(&path, "bob").expect_err("busy");
    assert!(matches!(error, StoreError::Busy(_)), "{error:?}");
    held.unlock().expect("release");
    store_at(&path, "bob", 2);
}

// ------------------------------------------------------------ a team folder

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    fs::symlink_metadata(path).expect("stat").mode() & 0o7777
}

#[test]
fn in_a_folder_its_group_may_write_every_file_is_made_group_writable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = dir.path().join("team");
    fs::create_dir(&team).expect("mkdir");
    set_mode(&team, 0o2770);
    let path = team.join("triage.db");
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    for name in [
        "triage.db",
        "triage.db-wal",
        "triage.db-shm",
        "triage.db.lock",
    ] {
        let file = team.join(name);
        assert!(file.exists(), "{name} was not made");
        assert_eq!(
            mode_of(&file) & 0o660,
            0o660,
            "{name}: {:o}",
            mode_of(&file)
        );
    }
    drop(store);

    // Files made before (by an older communique, under umask 022) get group
    // write back when their owner next opens the file.
    for name in ["triage.db", "triage.db.lock"] {
        set_mode(&team.join(name), 0o644);
    }
    drop(store_at(&path, "alice", 1));
    for name in ["triage.db", "triage.db.lock"] {
        assert_eq!(mode_of(&team.join(name)) & 0o660, 0o660, "{name}");
    }
}

// ------------------------------------------------------ moved from under us

/// Moves the state file and its companions aside, as another process that
/// found it damaged does; returns where it went.
fn move_aside_by_hand(path: &Path) -> PathBuf {
    let aside = path.with_file_name("triage.db.corrupt-20260101T000000");
    for suffix in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", path.display()));
        if from.exists() {
            fs::rename(&from, format!("{}{suffix}", aside.display())).expect("move companion");
        }
    }
    fs::rename(path, &aside).expect("move aside");
    aside
}

#[test]
fn a_store_whose_file_was_moved_aside_reopens_the_path_before_writing() {
    let (_dir, path) = temp_db();
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Flag {
            ids: one("before"),
            flagged: true,
        })
        .expect("flag");
    let aside = move_aside_by_hand(&path);

    store
        .apply(&Change::Flag {
            ids: one("after"),
            flagged: true,
        })
        .expect("saved into a fresh file at the path");
    let notice = store.take_notice().expect("the person is told");
    assert!(
        notice.contains("replaced") && notice.contains("reopened"),
        "{notice}"
    );
    assert_eq!(store.take_notice(), None, "told once");

    let at_path = Store::open_read_only(&path).expect("a file at the path");
    let marks = at_path.marks().expect("marks");
    assert!(
        marks["after"].flagged.is_some(),
        "the change is at the path"
    );
    assert!(!marks.contains_key("before"), "a fresh file");
    let moved = Store::open_read_only(&aside).expect("the moved file");
    assert!(
        !moved.marks().expect("marks").contains_key("after"),
        "the change went into the moved file"
    );
}

#[test]
fn polling_notices_the_file_was_replaced() {
    let (_dir, path) = temp_db();
    let mut store = store_at(&path, "alice", 1);
    assert!(!store.changed_since_last_check().expect("check"));
    move_aside_by_hand(&path);
    let mut other = store_at(&path, "bob", 2);
    other
        .apply(&Change::Read {
            ids: one("x"),
            read: true,
        })
        .expect("bob writes the fresh file");
    assert!(store.changed_since_last_check().expect("check"));
    assert!(store.take_notice().is_some());
    assert!(
        store.marks().expect("marks")["x"]
            .read_by_others
            .contains_key("bob")
    );
}

// ------------------------------------------------ several changes, one save

// ------------------------------------------------------ invisible characters

#[test]
fn moving_a_damaged_file_aside_never_replaces_what_is_there() {
    let (dir, path) = temp_db();
    let mut store = store_at(&path, "alice", 1);
    store
        .apply(&Change::Note {
            ids: ids("s", 200),
            note: Some("x".repeat(500)),
        })
        .expect("fill");
    drop(store);
    // Another process still has it open, so its -wal stays beside it.
    let other = rusqlite::Connection::open(&path).expect("another connection");
    let _: i64 = other
        .query_row("SELECT count(*) FROM marks", [], |row| row.get(0))
        .expect("read");
    let bytes = fs::read(&path).expect("read db");
    fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    assert!(dir.path().join("triage.db-wal").exists());

    // Links planted where the moved -wal would go, for the next seconds.
    let elsewhere = tempfile::tempdir().expect("another folder");
    let now = chrono::Local::now();
    let planted: Vec<PathBuf> = (0..5)
        .map(|s| {
            let stamp = (now + chrono::Duration::seconds(s)).format("%Y%m%dT%H%M%S");
            let link = dir.path().join(format!("triage.db.corrupt-{stamp}-wal"));
            symlink(elsewhere.path().join(format!("{s}")), &link).expect("plant");
            link
        })
        .collect();

    let (_store, warning) = Store::open(&path, "alice").expect("open");
    assert!(warning.is_some_and(|w| w.contains("moved aside")));
    for link in &planted {
        let meta = fs::symlink_metadata(link).expect("the planted link is still there");
        assert!(
            meta.file_type().is_symlink(),
            "{} was replaced",
            link.display()
        );
    }
    assert!(
        files_in(dir.path())
            .iter()
            .filter(|name| name.ends_with("-wal") && name.contains("corrupt"))
            .any(|name| !fs::symlink_metadata(dir.path().join(name))
                .expect("stat")
                .file_type()
                .is_symlink()),
        "the -wal was not moved aside with its file: {:?}",
        files_in(dir.path())
    );
    drop(other);
}

// -------------------------------------------------------------- migration

/// Version 1 of the schema, exactly as communique created it before read
/// state became each person's own.
const SCHEMA_V1: &str = "CREATE TABLE marks (
        id TEXT PRIMARY KEY NOT NULL,
        read_by TEXT, read_at INTEGER,
        flagged_by TEXT, flagged_at INTEGER,
        status TEXT NOT NULL DEFAULT 'new', status_by TEXT, status_at INTEGER,
        note TEXT, note_by TEXT, note_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE tags (
        id TEXT NOT NULL, tag TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_by_tag ON tags (tag);
    CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY NOT NULL, query TEXT NOT NULL,
        by TEXT NOT NULL, at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE history (
        seq INTEGER PRIMARY KEY, by TEXT NOT NULL, query TEXT NOT NULL, at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX history_by_query ON history (by, query);
    PRAGMA application_id = 1131375985;
    PRAGMA user_version = 1;";

#[test]
fn a_version_1_file_keeps_each_read_mark_with_whoever_set_it() {
    let (_dir, path) = temp_db();
    let old = rusqlite::Connection::open(&path).expect("raw");
    old.execute_batch("PRAGMA journal_mode = WAL;")
        .expect("wal");
    old.execute_batch(SCHEMA_V1).expect("version 1 schema");
    old.execute_batch(
        "INSERT INTO marks (id, read_by, read_at) VALUES ('only-read', 'alice', 10);
         INSERT INTO marks (id, read_by, read_at, flagged_by, flagged_at, note, note_by, note_at)
             VALUES ('flagged', 'bob', 11, 'carol', 12, 'call back', 'carol', 13);
         INSERT INTO tags (id, tag, by, at) VALUES ('tagged', 'asia', 'alice', 14);
         INSERT INTO history (by, query, at) VALUES ('alice', 'sig:japan', 15);",
    )
    .expect("version 1 rows");
    drop(old);

    let bob = store_at(&path, "bob", 20);
    let marks = bob.marks().expect("marks");
    assert_eq!(marks["only-read"].read, None, "alice's read is not bob's");
    assert_eq!(
        marks["only-read"].read_by_others,
        BTreeMap::from([("alice".to_owned(), 10)])
    );
    let flagged = &marks["flagged"];
    assert_eq!(
        flagged.read,
        Some(stamp("bob", 11)),
        "bob's own read stays his"
    );
    assert_eq!(flagged.flagged, Some(stamp("carol", 12)));
    assert_eq!(
        flagged.note,
        Some(("call back".to_owned(), stamp("carol", 13)))
    );
    assert!(
        flagged.note_history.is_empty(),
        "the note is its first version"
    );
    assert_eq!(marks["tagged"].tags["asia"], stamp("alice", 14));
    assert_eq!(marks.len(), 3);
    drop(bob);

    let alice = store_at(&path, "alice", 21);
    let marks = alice.marks().expect("marks");
    assert_eq!(marks["only-read"].read, Some(stamp("alice", 10)));
    assert_eq!(marks["flagged"].read, None);
    assert_eq!(alice.history().expect("history"), ["sig:japan"]);
    let version: i64 = rusqlite::Connection::open(&path)
        .expect("raw")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("version");
    assert_eq!(version, 2, "migrated once");
}
