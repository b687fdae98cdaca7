//! Archives written to hurt (issue 13, items 1, 9, 15 and 17), run through
//! the built binary as scripts and staff run it: HTML nested 50,000 deep,
//! ids that differ only by invisible characters, the same id in two files,
//! links out of the archive, FIFOs, devices and oversized records. Each bad
//! file is named by `check` with its line and column, and everything else
//! in the archive still loads. Every archive is written by the test into a
//! temporary folder.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;

/// A temporary folder with `archive/` in it, and room for a state file.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir(dir.path().join("archive")).expect("an archive folder");
        Self { dir }
    }

    fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file into the archive folder.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.archive().join(name);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).expect("a folder");
        }
        fs::write(&path, text).expect("writing an archive file");
        path
    }

    /// Runs a command on the archive, with a state file of its own.
    fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command().args(args).output().expect("run communique")
    }

    fn command(&self) -> Command {
        self.command_on(&self.archive())
    }

    /// A command on another archive, with this workspace's state file.
    fn command_on(&self, archive: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
        command.env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        );
        command
            .current_dir(self.dir.path())
            .arg("--archive")
            .arg(archive)
            .arg("--state")
            .arg(self.path("state.db"))
            .arg("--config")
            .arg(self.path("config.toml"))
            .env_remove("COMMUNIQUE_ARCHIVE")
            .env_remove("COMMUNIQUE_STATE")
            .env_remove("COMMUNIQUE_RESTRICTED")
            .env("COMMUNIQUE_USER", "tester")
            .stdin(Stdio::null());
        command
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// A native record.
fn record(id: &str, title: &str) -> String {
    json!({"id": id, "title": title, "published": "2024-03-01", "body": "Text."}).to_string()
}

/// A GOV.UK news article whose body is `html`.
fn govuk_item(content_id: &str, title: &str, html: &str) -> String {
    json!({
        "schema_name": "news_article",
        "document_type": "press_release",
        "content_id": content_id,
        "title": title,
        "first_published_at": "2024-02-01T09:00:00Z",
        "details": {"body": html},
    })
    .to_string()
}

/// The ids `list --json` prints.
fn listed_ids(workspace: &Workspace) -> Vec<String> {
    let output = workspace.run(["list", "--json"]);
    assert_exit(&output, 0);
    let records: Value = serde_json::from_slice(&output.stdout).expect("list --json is JSON");
    records
        .as_array()
        .expect("an array")
        .iter()
        .map(|record| record["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The `check` lines that name `file`.
fn problems_in(check: &Output, file: &Path) -> Vec<String> {
    let file = file.display().to_string();
    stdout(check)
        .lines()
        .filter(|line| line.starts_with(&file))
        .map(str::to_owned)
        .collect()
}

#[test]
fn html_nested_fifty_thousand_deep_is_reported_and_every_command_still_works() {
    let workspace = Workspace::new();
    let bold = workspace.write(
        "bold.json",
        &govuk_item(
            "deep-bold",
            "Twenty thousand bold tags",
            &"<b>".repeat(20_000),
        ),
    );
    let divs = workspace.write(
        "divs.json",
        &govuk_item(
            "deep-divs",
            "Fifty thousand nested divs",
            &format!("{}Still readable.", "<div>".repeat(50_000)),
        ),
    );
    workspace.write("fine.json", &record("fine", "A statement like any other"));

    let check = workspace.run(["check"]);
    assert_exit(&check, 1);
    for file in [&bold, &divs] {
        let found = problems_in(&check, file);
        assert_eq!(found.len(), 1, "{}", stdout(&check));
        assert!(
            found[0].contains(":1:1: warning: ") && found[0].contains("nested more than"),
            "{found:?}"
        );
    }
    assert!(
        stdout(&check).ends_with("3 statements, 2 problems\n"),
        "{}",
        stdout(&check)
    );

    let list = workspace.run(["list"]);
    assert_exit(&list, 0);
    assert_eq!(stdout(&list).lines().count(), 3, "{}", stdout(&list));

    let show = workspace.run(["show", "deep-divs"]);
    assert_exit(&show, 0);
    assert!(
        stdout(&show).contains("Still readable."),
        "{}",
        stdout(&show)
    );

    // No contacts in these: exit 1 ("nothing matches"), not an abort.
    let contacts = workspace.run(["contacts"]);
    assert_exit(&contacts, 1);

    let mark = workspace.run(["mark", "deep-bold", "--flag"]);
    assert_exit(&mark, 0);
    let listed = workspace.run(["list", "--query", "is:flagged"]);
    assert_exit(&listed, 0);
    assert!(stdout(&listed).contains("deep-bold"), "{}", stdout(&listed));
}

#[test]
fn a_duplicate_id_loads_neither_copy_and_marks_never_pass_to_the_planted_one() {
    let workspace = Workspace::new();
    let real = workspace.write(
        "statements/real.json",
        &record("same", "The real statement"),
    );
    workspace.write("other.json", &record("other", "Another statement"));
    let mark = workspace.run(["mark", "same", "--flag", "--note", "checked by the desk"]);
    assert_exit(&mark, 0);

    // A file that sorts first, holding the same id.
    let planted = workspace.write("000.json", &record("same", "A planted statement"));
    let check = workspace.run(["check"]);
    assert_exit(&check, 1);
    let at_real = problems_in(&check, &real);
    let at_planted = problems_in(&check, &planted);
    assert_eq!(
        at_real,
        [format!(
            "{}:1:1: record \"same\": duplicate id, also at {}:1:1: no copy of this id is loaded",
            real.display(),
            planted.display()
        )],
        "{}",
        stdout(&check)
    );
    assert_eq!(
        at_planted,
        [format!(
            "{}:1:1: record \"same\": duplicate id, also at {}:1:1: no copy of this id is loaded",
            planted.display(),
            real.display()
        )]
    );
    assert!(stdout(&check).ends_with("1 statement, 2 problems\n"));

    // Neither is listed, so no statement shows the desk's flag and note.
    assert_eq!(listed_ids(&workspace), ["other"]);
    let show = workspace.run(["show", "same"]);
    assert_exit(&show, 1);
    let flag = workspace.run(["mark", "same", "--unflag"]);
    assert_exit(&flag, 1);

    // Once the planted file goes, the real statement is back with its marks.
    fs::remove_file(&planted).expect("removing the planted file");
    let output = workspace.run(["list", "--json", "--query", "is:flagged"]);
    assert_exit(&output, 0);
    let records: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["title"], "The real statement");
    assert!(
        records[0]["marks"]
            .to_string()
            .contains("checked by the desk"),
        "{}",
        records[0]
    );
}

#[test]
fn duplicate_ids_within_one_file_are_located_by_line_and_column() {
    let workspace = Workspace::new();
    let lines = format!(
        "{}\n  {}\n{}\n{}\n",
        record("twice", "First"),
        record("twice", "Second"),
        record("single", "Only one"),
        record("twice", "Third")
    );
    let file = workspace.write("feed.jsonl", &lines);
    let check = workspace.run(["check"]);
    assert_exit(&check, 1);
    let found = problems_in(&check, &file);
    let path = file.display();
    assert_eq!(
        found,
        [
            format!(
                "{path}:1:1: record \"twice\": duplicate id, also at {path}:2:3: no copy of this id is loaded"
            ),
            format!(
                "{path}:2:3: record \"twice\": duplicate id, also at {path}:1:1: no copy of this id is loaded"
            ),
            format!(
                "{path}:4:1: record \"twice\": duplicate id, also at {path}:1:1: no copy of this id is loaded"
            ),
        ],
        "{}",
        stdout(&check)
    );
    assert_eq!(listed_ids(&workspace), ["single"]);
}

#[test]
fn ids_with_invisible_characters_are_refused_so_every_id_shown_can_be_typed() {
    let workspace = Workspace::new();
    let records = [
        record("same", "The one to keep"),
        record("same\u{200B}", "Zero-width space"),
        record("\u{202E}emas", "Right-to-left override"),
        record("sa\u{00A0}me", "No-break space"),
        record(" same", "Leading space"),
        record("Co\u{0302}te", "Decomposed"),
        record("sa\u{1b}[2Jme", "Escape"),
    ];
    let file = workspace.write("ids.jsonl", &records.join("\n"));
    let check = workspace.run(["check"]);
    assert_exit(&check, 1);
    let found = problems_in(&check, &file);
    let path = file.display();
    let expected = [
        (2, "U+200B) at character 5"),
        (3, "U+202E) at character 1"),
        (4, "U+00A0) at character 3"),
        (5, "id starts or ends with white space"),
        (6, "id is not in Unicode normal form C"),
        (7, "U+001B) at character 3"),
    ];
    assert_eq!(found.len(), expected.len(), "{}", stdout(&check));
    for (line, (number, why)) in found.iter().zip(expected) {
        assert!(
            line.starts_with(&format!("{path}:{number}:1: record ")) && line.contains(why),
            "{line}"
        );
        // The problem line itself writes no invisible character.
        assert!(
            !line.contains(['\u{200B}', '\u{202E}', '\u{00A0}', '\u{1b}']),
            "{line:?}"
        );
    }
    assert_eq!(listed_ids(&workspace), ["same"]);
    let show = workspace.run(["show", "same"]);
    assert_exit(&show, 0);
    assert!(stdout(&show).contains("The one to keep"));
    let mark = workspace.run(["mark", "same", "--read"]);
    assert_exit(&mark, 0);
}

/// Runs the binary with `args`, its memory capped at 2 GB and killed after
/// 20 s: a command that reads a device without end or waits on a FIFO
/// fails this test instead of taking the machine or the test run with it.
fn run_bounded(workspace: &Workspace, args: &[&str]) -> Output {
    run_bounded_on(workspace, &workspace.archive(), args)
}

fn run_bounded_on(workspace: &Workspace, archive: &Path, args: &[&str]) -> Output {
    let binary = env!("CARGO_BIN_EXE_communique");
    let command = workspace.command_on(archive);
    let inner: Vec<String> = command
        .get_args()
        .map(|arg| arg.to_string_lossy().into_owned())
        .chain(args.iter().map(|arg| (*arg).to_owned()))
        .collect();
    let mut bounded = Command::new("sh");
    bounded
        .arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" \"$@\"")
        .arg(binary)
        .args(inner)
        .current_dir(workspace.dir.path())
        .envs(
            command
                .get_envs()
                .filter_map(|(key, value)| Some((key.to_owned(), value?.to_owned()))),
        )
        .env_remove("COMMUNIQUE_ARCHIVE")
        .env_remove("COMMUNIQUE_STATE")
        .env_remove("COMMUNIQUE_RESTRICTED")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = bounded.spawn().expect("run communique");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("waiting").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the killed command");
            panic!(
                "communique {args:?} did not finish in 20 s\nstdout:\n{}\nstderr:\n{}",
                stdout(&output),
                stderr(&output)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("the command's output")
}

fn make_fifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
}

#[test]
fn links_out_of_the_archive_are_reported_not_followed_and_never_echoed() {
    let workspace = Workspace::new();
    let outside = workspace.path("outside");
    fs::create_dir_all(outside.join("folder")).expect("a folder outside");
    fs::write(
        outside.join("secret.json"),
        json!({"id": "secret", "title": "SECRET-TITLE", "published": "2024-01-01"}).to_string(),
    )
    .expect("a record outside");
    fs::write(
        outside.join("passwd.json"),
        "root:x:0:0:SECRET-CONTENT:/root:/bin/sh\n",
    )
    .expect("a private file outside");
    fs::write(
        outside.join("folder/more.json"),
        record("more", "SECRET-MORE"),
    )
    .expect("a record in a folder outside");
    let inside = workspace.write("inside.json", &record("inside", "Inside the archive"));
    let link = |target: &Path, name: &str| {
        let at = workspace.archive().join(name);
        std::os::unix::fs::symlink(target, &at).expect("a link");
        at
    };
    let to_secret = link(&outside.join("secret.json"), "secret.json");
    let to_passwd = link(&outside.join("passwd.json"), "passwd.json");
    let to_folder = link(&outside.join("folder"), "folder");
    let to_usr = link(Path::new("/usr"), "usr");
    // Links that stay inside are read, and a file reached twice once.
    fs::create_dir(workspace.archive().join("sub")).expect("a folder inside");
    link(&inside, "sub/again.json");
    link(&workspace.archive().join("sub"), "sub-again");

    for restricted in [false, true] {
        let mut command = workspace.command();
        if restricted {
            command.env("COMMUNIQUE_RESTRICTED", "1");
        }
        let check = command.arg("check").output().expect("check runs");
        assert_exit(&check, 1);
        for at in [&to_folder, &to_passwd, &to_secret, &to_usr] {
            assert_eq!(
                problems_in(&check, at),
                [format!(
                    "{}:1:1: links outside the archive: skipped (--follow-links reads it)",
                    at.display()
                )],
                "{}",
                stdout(&check)
            );
        }
        assert!(
            stdout(&check).ends_with("1 statement, 4 problems\n"),
            "{}",
            stdout(&check)
        );
        assert!(!stdout(&check).contains("SECRET") && !stderr(&check).contains("SECRET"));
    }
    assert_eq!(listed_ids(&workspace), ["inside"]);
    let list = workspace.run(["list", "--json"]);
    assert!(!stdout(&list).contains("SECRET"));

    // Asked for, links out are followed (the private file is not a record,
    // and its problem does not quote it)…
    std::fs::remove_file(&to_usr).expect("removing the link to /usr");
    let check = workspace.run(["--follow-links", "check"]);
    assert_exit(&check, 1);
    assert!(
        !stdout(&check).contains("SECRET-CONTENT"),
        "{}",
        stdout(&check)
    );
    let list = workspace.run(["--follow-links", "list"]);
    assert_exit(&list, 0);
    for title in ["SECRET-TITLE", "SECRET-MORE", "Inside the archive"] {
        assert!(stdout(&list).contains(title), "{}", stdout(&list));
    }
    // …but never in restricted mode.
    let refused = workspace
        .command()
        .env("COMMUNIQUE_RESTRICTED", "1")
        .args(["--follow-links", "list"])
        .output()
        .expect("list runs");
    assert_exit(&refused, 1);
    assert!(stdout(&refused).is_empty());
    assert!(
        stderr(&refused).contains("--follow-links is not allowed in restricted mode"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn fifos_devices_and_sockets_are_never_read() {
    let workspace = Workspace::new();
    workspace.write("fine.json", &record("fine", "A statement like any other"));
    let fifo = workspace.archive().join("feed.jsonl");
    make_fifo(&fifo);
    let socket = workspace.archive().join("socket.json");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("a socket");

    let check = run_bounded(&workspace, &["check"]);
    assert_exit(&check, 1);
    assert_eq!(
        problems_in(&check, &fifo),
        [format!(
            "{}:1:1: a FIFO, not a regular file: skipped",
            fifo.display()
        )]
    );
    assert_eq!(
        problems_in(&check, &socket),
        [format!(
            "{}:1:1: a socket, not a regular file: skipped",
            socket.display()
        )]
    );
    assert!(stdout(&check).ends_with("1 statement, 2 problems\n"));

    // Given as the archive itself: a clear refusal at once.
    for (given, what) in [
        (fifo.as_path(), "a FIFO"),
        (Path::new("/dev/zero"), "a character device"),
    ] {
        for command in [&["check"][..], &["list"], &["show", "fine"]] {
            let output = run_bounded_on(&workspace, given, command);
            let code = if command == ["check"] { 2 } else { 1 };
            assert_exit(&output, code);
            assert!(
                stderr(&output).contains(&format!("it is {what}, not a file or folder")),
                "{}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn records_over_the_size_limit_are_reported_and_the_rest_load() {
    let workspace = Workspace::new();
    let long = "x".repeat(3000);
    let single = workspace.write("single.json", &record("single", &long));
    let array = workspace.write(
        "array.json",
        &format!(
            "[{},\n{}]",
            record("in-array", "Small"),
            record("big-in-array", &long)
        ),
    );
    let lines = workspace.write(
        "lines.jsonl",
        &format!(
            "{}\n{}\n",
            record("big-line", &long),
            record("small-line", "Small")
        ),
    );
    let check = workspace.run(["--max-record-size", "2K", "check"]);
    assert_exit(&check, 1);
    let too_big = "more than the limit of 2 KiB (--max-record-size): skipped";
    for (file, at) in [
        (&single, "1:1: record is 3.0 KiB"),
        (&array, "2:1: record #2: record is 3"),
        (&lines, "1:1: record #1: record is 3"),
    ] {
        let found = problems_in(&check, file);
        assert_eq!(found.len(), 1, "{}", stdout(&check));
        assert!(
            found[0].starts_with(&format!("{}:{at}", file.display()))
                && found[0].ends_with(too_big),
            "{found:?}"
        );
    }
    assert!(
        stdout(&check).ends_with("2 statements, 3 problems\n"),
        "{}",
        stdout(&check)
    );
    // The default limit takes them all.
    let check = workspace.run(["check"]);
    assert_exit(&check, 0);
    assert!(
        workspace
            .run(["--max-record-size", "lots", "check"])
            .status
            .code()
            == Some(2)
    );
}

#[test]
fn a_line_longer_than_the_limit_in_a_streamed_file_is_skipped_without_being_held() {
    let workspace = Workspace::new();
    // Over 16 MiB, so the file is streamed in chunks: one line of 17 MiB.
    let huge = format!(
        "{}\n{{\"id\": \"huge\", \"title\": \"{}\", \"published\": \"2024-01-01\"}}\n{}\n",
        record("before", "Before the long line"),
        "y".repeat(17 << 20),
        record("after", "After the long line")
    );
    let file = workspace.write("stream.jsonl", &huge);
    let check = run_bounded(&workspace, &["--max-record-size", "1M", "check"]);
    assert_exit(&check, 1);
    assert_eq!(
        problems_in(&check, &file),
        [format!(
            "{}:2:1: record #2: record is longer than the limit of 1 MiB (--max-record-size): skipped",
            file.display()
        )],
        "{}",
        stdout(&check)
    );
    assert!(
        stdout(&check).ends_with("2 statements, 1 problem\n"),
        "{}",
        stdout(&check)
    );
}

/// Runs `read` on a thread of its own, failing the test if it hangs.
fn within_ten_seconds<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(read()));
    receive
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("finished in 10 s, without hanging")
}

#[test]
fn a_body_read_back_from_a_file_replaced_by_a_fifo_or_a_link_is_refused_at_once() {
    use communique::loader::{LoadOptions, load, read_body};

    let workspace = Workspace::new();
    let file = workspace.write("one.json", &record("one", "One"));
    let options = LoadOptions {
        bodies_on_disk: true,
        ..LoadOptions::default()
    };
    let archive = load(&workspace.archive(), options).expect("the archive loads");
    let statement = archive.find("one").expect("loaded").clone();
    assert!(statement.body_on_disk());
    let read = statement.clone();
    assert_eq!(
        within_ten_seconds(move || read_body(&read)),
        Ok(Some("Text.".to_owned()))
    );

    fs::remove_file(&file).expect("removing the file");
    make_fifo(&file);
    let read = statement.clone();
    let refused = within_ten_seconds(move || read_body(&read)).expect_err("a FIFO is refused");
    assert!(
        refused.contains("is a FIFO, not a regular file"),
        "{refused}"
    );

    // The same record outside, linked in its place: not followed either.
    fs::remove_file(&file).expect("removing the FIFO");
    let outside = workspace.path("one.json");
    fs::write(&outside, record("one", "One")).expect("a copy outside");
    std::os::unix::fs::symlink(&outside, &file).expect("a link in its place");
    let read = statement.clone();
    let refused = within_ten_seconds(move || read_body(&read)).expect_err("a link is refused");
    assert!(refused.contains("is a symbolic link"), "{refused}");
}
