//! The README's deployment guide, followed literally with two real Unix
//! users in one group: its shell lines run as root (with the guide's group,
//! folder and user names swapped for unique ones), then each user runs the
//! guide's forced command (a browser in a pseudo-terminal) and the guide's
//! `COMMUNIQUE_STATE` with `mark` and `list`, under the strictest umask
//! (077), since the guide asks for none. Both must be able to mark, one
//! after the other, at once, and after the other's browser was killed.
//!
//! It needs root (to add users and run programs as them). CI runs as root
//! and sets `COMMUNIQUE_CI`, where the test fails rather than skip; run as
//! anyone else, it says it needs root and passes. The users and group are
//! removed afterwards, whatever happens.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::pty::{BINARY, Pty, PtyCommand, archive};

/// The newest statement (the browser's first row) and another one.
const FIRST_ID: &str = "b4091e0f-1286-4fb5-8ec2-bff944ba1a5c";
const SEED_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

/// The guide's names, swapped for the test's.
const GUIDE_GROUP: &str = "press";
const GUIDE_USER: &str = "alice";
const GUIDE_STATE_DIR: &str = "/srv/communique";
const GUIDE_ARCHIVE: &str = "/srv/statements";
const GUIDE_BINARY: &str = "/usr/local/bin/communique";

/// The strictest umask a login might have; the guide sets none.
const UMASK: &str = "077";

/// How many `mark` processes each user starts at once.
const AT_ONCE: usize = 6;

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The fenced block of `language` that follows `after` in the README.
fn readme_block(after: &str, language: &str) -> Vec<String> {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README reads");
    let start = readme
        .find(after)
        .unwrap_or_else(|| panic!("the README has no {after:?}"));
    let fence = format!("```{language}\n");
    let open = start
        + readme[start..]
            .find(&fence)
            .unwrap_or_else(|| panic!("no ```{language} block after {after:?}"))
        + fence.len();
    let close = open + readme[open..].find("```").expect("the block is closed");
    readme[open..close]
        .lines()
        .map(|line| line.trim().to_owned())
        .collect()
}

/// Everything the test made, removed when it is dropped (even on a panic).
struct Team {
    group: String,
    users: [String; 2],
    scratch: tempfile::TempDir,
}

impl Team {
    /// Unique names, the scratch folder (readable by the users: the binary
    /// and archive are copied there, as the guide installs them), and the
    /// two staff accounts, which exist before the guide is followed.
    fn new() -> Team {
        let tag = format!("{:x}", std::process::id());
        let team = Team {
            group: format!("cq{tag}press"),
            users: [format!("cq{tag}alice"), format!("cq{tag}bob")],
            scratch: tempfile::Builder::new()
                .prefix("communique-team")
                .tempdir_in("/tmp")
                .expect("a scratch folder"),
        };
        fs::set_permissions(team.scratch.path(), fs::Permissions::from_mode(0o755))
            .expect("chmod scratch");
        for user in &team.users {
            root(&[
                "useradd",
                "--no-create-home",
                "--user-group",
                "--shell",
                "/bin/sh",
                user,
            ]);
        }
        fs::create_dir(team.bin_dir()).expect("mkdir bin");
        fs::copy(BINARY, team.binary()).expect("install the binary");
        copy_dir(Path::new(archive()), &team.archive());
        team
    }

    fn bin_dir(&self) -> PathBuf {
        self.scratch.path().join("bin")
    }

    fn binary(&self) -> PathBuf {
        self.bin_dir().join("communique")
    }

    fn archive(&self) -> PathBuf {
        self.scratch.path().join("statements")
    }

    fn state_dir(&self) -> PathBuf {
        self.scratch.path().join("communique")
    }

    fn state(&self) -> PathBuf {
        self.state_dir().join("triage.db")
    }

    /// A line of the guide with its names swapped for this test's.
    fn swap(&self, line: &str, user: &str) -> String {
        line.replace(GUIDE_BINARY, &self.binary().display().to_string())
            .replace(GUIDE_ARCHIVE, &self.archive().display().to_string())
            .replace(GUIDE_STATE_DIR, &self.state_dir().display().to_string())
            .replace(GUIDE_USER, user)
            .replace(GUIDE_GROUP, &self.group)
    }

    /// Runs the guide's set-up block as root, line by line: the lines that
    /// name a user once for each of the two.
    fn follow_the_guide(&self) {
        let block = readme_block("3. **One shared state file**", "sh");
        let commands: Vec<&String> = block
            .iter()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        assert!(
            commands
                .iter()
                .any(|line| line.starts_with("usermod -aG press alice")),
            "the guide must say how staff join the group: {block:#?}"
        );
        for line in commands {
            let users: Vec<&str> = if line.contains(GUIDE_USER) {
                self.users.iter().map(String::as_str).collect()
            } else {
                vec![GUIDE_USER]
            };
            for user in users {
                root(&["sh", "-ec", &self.swap(line, user)]);
            }
        }
    }

    /// The guide's `COMMUNIQUE_STATE` for everyone, from its profile line.
    fn profile_state(&self) -> String {
        let block = readme_block("3. **One shared state file**", "sh");
        let line = block
            .iter()
            .find_map(|line| line.strip_prefix("export COMMUNIQUE_STATE="))
            .expect("the guide exports COMMUNIQUE_STATE");
        self.swap(line, GUIDE_USER)
    }

    /// The guide's forced command, with this test's paths.
    fn forced_command(&self) -> String {
        let block = readme_block("4. **A forced command**", "");
        let line = block
            .iter()
            .find_map(|line| line.strip_prefix("ForceCommand "))
            .expect("the guide has a ForceCommand line");
        self.swap(line, GUIDE_USER)
    }

    /// A command run as `user` the way a login would: their groups, their
    /// name in the environment, umask 077, the profile's state file.
    fn as_user(&self, user: &str, shell_line: &str) -> Vec<String> {
        [
            "setpriv",
            "--reuid",
            user,
            "--regid",
            user,
            "--init-groups",
            "--",
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            "TERM=xterm-256color",
            "HOME=/nonexistent",
            "SHELL=/bin/sh",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([
            format!("USER={user}"),
            format!("LOGNAME={user}"),
            format!("COMMUNIQUE_STATE={}", self.profile_state()),
            "sh".to_owned(),
            "-c".to_owned(),
            format!("umask {UMASK} && exec {shell_line}"),
        ])
        .collect()
    }

    /// `communique --archive … ARGS` as `user`, started.
    fn spawn_headless(&self, user: &str, args: &str) -> Child {
        let line = format!(
            "{} --archive {} {args}",
            self.binary().display(),
            self.archive().display()
        );
        let argv = self.as_user(user, &line);
        Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start communique as a user")
    }

    /// As [`Team::spawn_headless`], waited for; panics with stderr on failure.
    #[track_caller]
    fn headless(&self, user: &str, args: &str) -> String {
        let output = self
            .spawn_headless(user, args)
            .wait_with_output()
            .expect("communique ran");
        succeeded(&output, &format!("{user}: communique {args}"))
    }

    /// The guide's forced command as `user`, in a pseudo-terminal, its first
    /// frame drawn.
    fn browser(&self, user: &str) -> Pty {
        let argv = self.as_user(user, &self.forced_command());
        let mut term = PtyCommand::new()
            .program(&argv[0])
            .args(&argv[1..])
            .cwd(self.scratch.path())
            .size(100, 24)
            .spawn();
        term.expect_text("16 / 16 statements");
        term
    }

    /// Every record with its marks, read as `user`.
    fn records(&self, user: &str) -> Vec<Value> {
        let out = self.headless(user, "list --json");
        match serde_json::from_str(&out).expect("list --json prints JSON") {
            Value::Array(records) => records,
            other => panic!("expected an array, got {other}"),
        }
    }

    /// The marks of statement `id`, read as `user`.
    fn marks(&self, user: &str, id: &str) -> Value {
        self.records(user)
            .into_iter()
            .find(|record| record["id"] == id)
            .map(|record| record["marks"].clone())
            .unwrap_or_else(|| panic!("no statement {id}"))
    }

    /// The state file and its companions are the group's to read and write.
    #[track_caller]
    fn assert_shared_modes(&self) {
        let gid = fs::metadata(self.state_dir()).expect("the folder").gid();
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let mut name = self.state().into_os_string();
            name.push(suffix);
            let Ok(meta) = fs::symlink_metadata(&name) else {
                assert!(!suffix.is_empty(), "no state file");
                continue;
            };
            assert_eq!(
                meta.mode() & 0o060,
                0o060,
                "{name:?} is {:o}: the group cannot write it",
                meta.mode() & 0o7777
            );
            assert_eq!(meta.gid(), gid, "{name:?} is not the folder's group");
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        for user in &self.users {
            let _ = Command::new("userdel").arg(user).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

/// Runs a command as root; panics with its output when it fails.
#[track_caller]
fn root(argv: &[&str]) {
    let output = Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .unwrap_or_else(|err| panic!("running {argv:?}: {err}"));
    succeeded(&output, &format!("{argv:?}"));
}

#[track_caller]
fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read archive") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The marks column of the list's first row, as the screen shows it.
fn first_row_marks(screen: &str) -> String {
    let line = screen.lines().nth(2).unwrap_or("");
    line.chars().skip(2).take(4).collect()
}

/// Who set `field` of a statement's marks (`flagged`, `read`…).
fn by(marks: &Value, field: &str) -> Option<String> {
    marks[field]["by"].as_str().map(str::to_owned)
}

/// The tags on a statement, each with who added it.
fn tags(marks: &Value) -> BTreeSet<(String, String)> {
    marks["tags"]
        .as_object()
        .map(|tags| {
            tags.iter()
                .map(|(tag, stamp)| (tag.clone(), stamp["by"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn two_users_in_one_group_both_mark_as_the_guide_sets_them_up() {
    if !is_root() {
        assert!(
            std::env::var_os("COMMUNIQUE_CI").is_none(),
            "CI must run tests/team.rs as root: it adds two Unix users"
        );
        eprintln!("tests/team.rs needs root (it adds two Unix users): not run");
        return;
    }
    let team = Team::new();
    team.follow_the_guide();
    let [alice, bob] = &team.users;

    // The first to use it is Alice, through the forced command: her browser
    // creates the state file.
    let mut term = team.browser(alice);
    term.send("F");
    term.expect_text("flagged 1 statement");
    team.assert_shared_modes();

    // One after the other: Bob marks while her browser has the file open,
    // and she sees it.
    team.headless(bob, &format!("mark {FIRST_ID} --tag bob-saw-it"));
    let marks = team.marks(bob, FIRST_ID);
    assert_eq!(by(&marks, "flagged").as_deref(), Some(alice.as_str()));
    assert!(tags(&marks).contains(&("bob-saw-it".to_owned(), bob.clone())));
    if let Err(err) = term.wait_for(
        |screen| first_row_marks(screen).contains('+'),
        Duration::from_secs(5),
    ) {
        panic!("Alice's browser never showed Bob's tag: {err}");
    }

    // At once: both run `mark` together, each process with a tag of its own.
    let mut running = Vec::new();
    for n in 0..AT_ONCE {
        for user in &team.users {
            let tag = format!("{user}-{n}");
            let child = team.spawn_headless(user, &format!("mark {SEED_ID} --tag {tag}"));
            running.push((tag, user.clone(), child));
        }
    }
    let mut expected = BTreeSet::new();
    for (tag, user, child) in running {
        let output = child.wait_with_output().expect("mark ran");
        succeeded(&output, &format!("{user}: mark --tag {tag}"));
        expected.insert((tag, user));
    }
    assert_eq!(tags(&team.marks(alice, SEED_ID)), expected);

    // Alice's browser is killed (SIGKILL: the -wal and -shm stay behind,
    // hers); then Bob marks.
    term.signal("KILL");
    assert!(
        term.wait_exit(Duration::from_secs(5)).is_some(),
        "the browser was killed"
    );
    let wal = PathBuf::from(format!("{}-wal", team.state().display()));
    assert!(wal.exists(), "a killed browser leaves its -wal behind");
    team.assert_shared_modes();
    team.headless(bob, &format!("mark {SEED_ID} --flag"));
    assert_eq!(
        by(&team.marks(alice, SEED_ID), "flagged").as_deref(),
        Some(bob.as_str())
    );

    // Bob's browser ends by SIGHUP (a dropped connection) after he reads a
    // statement; Alice marks after it, and after Bob only read the file.
    let mut term = team.browser(bob);
    term.send("R");
    term.expect_text("marked 1 statement read");
    term.signal("HUP");
    assert!(
        term.wait_exit(Duration::from_secs(5)).is_some(),
        "the browser ended on SIGHUP"
    );
    team.records(bob);
    team.assert_shared_modes();
    team.headless(alice, &format!("mark {FIRST_ID} --status actioned"));
    let marks = team.marks(bob, FIRST_ID);
    assert_eq!(marks["status"], "actioned");
    assert_eq!(by(&marks, "status_set").as_deref(), Some(alice.as_str()));
    assert_eq!(by(&marks, "read").as_deref(), Some(bob.as_str()));

    // Files an older communique left (Alice's killed browser's -wal and
    // -shm without group write): Bob is told which file stops him, and
    // Alice's next use gives the group its write back.
    let mut term = team.browser(alice);
    term.send("j");
    term.send("F");
    term.expect_text("flagged 1 statement");
    term.signal("KILL");
    assert!(term.wait_exit(Duration::from_secs(5)).is_some());
    let alice_uid = fs::metadata(team.state()).expect("the state file").uid();
    for suffix in ["-wal", "-shm"] {
        let file = format!("{}{suffix}", team.state().display());
        std::os::unix::fs::chown(&file, Some(alice_uid), None).expect("chown");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let output = team
        .spawn_headless(bob, &format!("mark {SEED_ID} --read"))
        .wait_with_output()
        .expect("mark ran");
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "Bob wrote a file he may not");
    assert!(
        message.contains("triage.db-wal") && message.contains("chmod g+w"),
        "{message}"
    );
    team.records(alice);
    team.assert_shared_modes();
    team.headless(bob, &format!("mark {SEED_ID} --read"));
    // Read state is each person's own: Alice sees that Bob read it.
    let marks = team.marks(alice, SEED_ID);
    assert!(marks["read"].is_null(), "{marks}");
    assert!(marks["read_by"][bob.as_str()].is_string(), "{marks}");
}
