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
        let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
        command
            .current_dir(self.dir.path())
            .arg("--archive")
            .arg(self.archive())
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
