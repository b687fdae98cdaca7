//! Where the archive and the state file come from, through the built binary:
//! each source in turn (the command line, the environment, the
//! configuration file, the default), for the browser and the headless
//! commands alike, so a script's `mark` writes the state file the browser
//! reads. Each run gets an environment of exactly the variables it names.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::pty::{BINARY, Pty, PtyCommand, archive};
use tempfile::TempDir;

/// Environment variables given to one run, as (name, value).
type Vars<'a> = &'a [(&'a str, &'a Path)];

const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The newest statement of the bundled archive: the first row of the list.
const FIRST_ID: &str = "b4091e0f-1286-4fb5-8ec2-bff944ba1a5c";

/// A folder holding a home, XDG folders, a configuration file and the
/// archives the tests choose between; programs run inside it.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let sandbox = Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        for sub in ["home", "xdg-state", "xdg-config/communique"] {
            std::fs::create_dir_all(sandbox.path(sub)).expect("a folder");
        }
        sandbox
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// Writes `$XDG_CONFIG_HOME/communique/config.toml`.
    fn configure(&self, text: &str) {
        std::fs::write(self.path("xdg-config/communique/config.toml"), text)
            .expect("writing the configuration");
    }

    /// A one-statement archive in folder `sub`, titled `title`.
    fn archive(&self, sub: &str, title: &str) -> PathBuf {
        let folder = self.path(sub);
        std::fs::create_dir_all(&folder).expect("an archive folder");
        let record = serde_json::json!({
            "id": format!("{sub}-1"),
            "title": title,
            "published": "2024-01-01",
        });
        std::fs::write(folder.join("one.json"), record.to_string()).expect("writing a record");
        folder
    }

    /// The variables every run gets: a home and XDG folders in the sandbox.
    fn base_env(&self) -> Vec<(String, PathBuf)> {
        vec![
            ("HOME".into(), self.path("home")),
            ("XDG_STATE_HOME".into(), self.path("xdg-state")),
            ("XDG_CONFIG_HOME".into(), self.path("xdg-config")),
        ]
    }

    /// `communique ARGS` headless, in the sandbox, with only the base
    /// variables and `env`.
    fn run(&self, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut command = Command::new(BINARY);
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("COMMUNIQUE_USER", "script")
            .args(args);
        for (name, value) in self.base_env() {
            command.env(name, value);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().expect("communique runs")
    }

    /// The browser in the sandbox with the base variables and `env`.
    fn browser(&self, args: &[&str], env: &[(&str, &Path)]) -> Pty {
        let mut command = PtyCommand::new()
            .cwd(self.dir.path())
            .args(args)
            .size(100, 30)
            .env("COMMUNIQUE_USER", "browser");
        for (name, value) in self.base_env() {
            command = command.env(name, value);
        }
        for (name, value) in env {
            command = command.env(name, value);
        }
        command.spawn()
    }
}

#[track_caller]
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[track_caller]
fn quit(term: &mut Pty) {
    term.send("q");
    let status = term
        .wait_exit(EXIT_TIMEOUT)
        .unwrap_or_else(|| panic!("still running:\n{}", term.screen_text()));
    assert!(status.success(), "exit status {status:?}");
}

/// `[paths] state` in the configuration: `mark` from a script writes the
/// file it names, and the browser (same configuration) shows the mark.
/// Before, `mark` ignored the configuration and wrote the default file.
#[test]
fn a_configured_state_file_is_where_mark_writes_and_the_browser_reads() {
    let sandbox = Sandbox::new();
    sandbox.configure("[paths]\nstate = \"shared/triage.db\"\n");
    let configured = sandbox.path("xdg-config/communique/shared/triage.db");
    std::fs::create_dir_all(configured.parent().expect("a folder")).expect("a folder");

    succeeded(&sandbox.run(&["--archive", archive(), "mark", FIRST_ID, "--flag"], &[]));
    assert!(
        configured.exists(),
        "mark did not write the configured file"
    );
    assert!(
        !sandbox.path("xdg-state/communique/triage.db").exists(),
        "mark wrote the default state file"
    );

    let mut term = sandbox.browser(&["--archive", archive()], &[]);
    term.expect_screen("the first row flagged", |screen| {
        screen
            .lines()
            .nth(2)
            .is_some_and(|row| row.chars().skip(2).take(4).any(|c| c == '!'))
    });
    quit(&mut term);
}

/// `[paths] archive` in the configuration: `list` and the browser open it.
/// Before, the browser failed with "cannot open archive archive".
#[test]
fn a_configured_archive_is_what_list_and_the_browser_open() {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive("configured", "From the configuration file");
    sandbox.configure(&format!("[paths]\narchive = {}\n", toml_string(&archive)));

    let listed = succeeded(&sandbox.run(&["list"], &[]));
    assert!(listed.contains("From the configuration file"), "{listed}");

    let mut term = sandbox.browser(&[], &[]);
    term.expect_text("From the configuration file");
    quit(&mut term);
}

/// A path as a TOML basic string.
fn toml_string(path: &Path) -> String {
    serde_json::Value::String(path.to_string_lossy().into_owned()).to_string()
}

/// The archive from each source, with every lower source also set: the
/// first one wins, for `list` and for the browser alike.
#[test]
fn the_archive_from_each_source_in_order() {
    let sandbox = Sandbox::new();
    let flag = sandbox.archive("flag", "From the command line");
    let variable = sandbox.archive("variable", "From the environment");
    let configured = sandbox.archive("configured", "From the configuration file");
    sandbox.archive("archive", "The default archive");
    let paths = format!("[paths]\narchive = {}\n", toml_string(&configured));
    let flag = flag.to_string_lossy().into_owned();
    let with_variable: &[(&str, &Path)] = &[("COMMUNIQUE_ARCHIVE", &variable)];
    let cases: [(&str, &[&str], Vars, &str); 4] = [
        (
            "--archive",
            &["--archive", &flag],
            with_variable,
            "From the command line",
        ),
        (
            "COMMUNIQUE_ARCHIVE",
            &[],
            with_variable,
            "From the environment",
        ),
        ("[paths] archive", &[], &[], "From the configuration file"),
        ("the default", &[], &[], "The default archive"),
    ];
    for (source, args, env, title) in cases {
        let text = if source == "the default" { "" } else { &paths };
        sandbox.configure(text);
        let mut list = args.to_vec();
        list.push("list");
        let listed = succeeded(&sandbox.run(&list, env));
        assert_eq!(listed.lines().count(), 1, "{source}: {listed}");
        assert!(listed.contains(title), "{source}: {listed}");

        let mut term = sandbox.browser(args, env);
        let screen = term.expect_text(title);
        assert!(screen.contains("1 / 1"), "{source}:\n{screen}");
        quit(&mut term);
    }
}

/// The state file from each source, with every lower source also set:
/// `mark` writes only the first one, and `list --json` reads it back.
#[test]
fn the_state_file_from_each_source_in_order() {
    let sandbox = Sandbox::new();
    let flag = sandbox.path("flag.db");
    let variable = sandbox.path("variable.db");
    let configured = sandbox.path("configured.db");
    let default = sandbox.path("xdg-state/communique/triage.db");
    let paths = format!("[paths]\nstate = {}\n", toml_string(&configured));
    let flag_text = flag.to_string_lossy().into_owned();
    let with_variable: &[(&str, &Path)] = &[("COMMUNIQUE_STATE", &variable)];
    let cases: [(&[&str], Vars, &str, &Path); 4] = [
        (&["--state", &flag_text], with_variable, &paths, &flag),
        (&[], with_variable, &paths, &variable),
        (&[], &[], &paths, &configured),
        (&[], &[], "", &default),
    ];
    for (args, env, text, expected) in cases {
        sandbox.configure(text);
        let mut mark = vec!["--archive", archive()];
        mark.extend_from_slice(args);
        let mut list = mark.clone();
        mark.extend(["mark", FIRST_ID, "--flag"]);
        list.extend(["list", "--json"]);
        succeeded(&sandbox.run(&mark, env));
        let written: Vec<&Path> = [&flag, &variable, &configured, &default]
            .into_iter()
            .map(PathBuf::as_path)
            .filter(|path| path.exists())
            .collect();
        assert_eq!(written, [expected], "{args:?} {text:?}");

        let records: serde_json::Value =
            serde_json::from_str(&succeeded(&sandbox.run(&list, env))).expect("JSON");
        let first = &records[0];
        assert_eq!(first["id"], FIRST_ID);
        assert_eq!(first["marks"]["flagged"]["by"], "script", "{first}");
        std::fs::remove_file(expected).expect("removing the state file");
    }
}

/// In restricted mode the headless commands, like the browser, take paths
/// from the command line alone: `COMMUNIQUE_ARCHIVE`, `COMMUNIQUE_STATE`,
/// `$XDG_STATE_HOME`, `$XDG_CONFIG_HOME` and `[paths]` are not used.
#[test]
fn restricted_mode_takes_paths_from_the_command_line_alone() {
    let sandbox = Sandbox::new();
    let variable = sandbox.archive("variable", "From the environment");
    let configured = sandbox.archive("configured", "From the configuration file");
    sandbox.archive("archive", "The default archive");
    let state_variable = sandbox.path("variable.db");
    sandbox.configure(&format!(
        "[paths]\narchive = {}\nstate = \"configured.db\"\n",
        toml_string(&configured)
    ));
    let env: &[(&str, &Path)] = &[
        ("COMMUNIQUE_ARCHIVE", &variable),
        ("COMMUNIQUE_STATE", &state_variable),
    ];
    let listed = succeeded(&sandbox.run(&["--restricted", "list"], env));
    assert!(listed.contains("The default archive"), "{listed}");

    succeeded(&sandbox.run(&["--restricted", "mark", "archive-1", "--flag"], env));
    assert!(
        sandbox
            .path("home/.local/state/communique/triage.db")
            .exists(),
        "no state file under $HOME"
    );
    for elsewhere in [
        state_variable,
        sandbox.path("xdg-config/communique/configured.db"),
        sandbox.path("xdg-state/communique/triage.db"),
    ] {
        assert!(!elsewhere.exists(), "{} was written", elsewhere.display());
    }
}

/// `communique config` says which file it read and where each path comes
/// from, so a user can see why a script and the browser disagree.
#[test]
fn config_names_the_source_of_each_path() {
    let sandbox = Sandbox::new();
    sandbox.configure("[paths]\nstate = \"shared.db\"\n");
    let variable = sandbox.path("variable");
    let out = succeeded(&sandbox.run(&["config"], &[("COMMUNIQUE_ARCHIVE", &variable)]));
    let config = sandbox.path("xdg-config/communique/config.toml");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!("{}: 0 problems", config.display()),
            format!("archive: {} ($COMMUNIQUE_ARCHIVE)", variable.display()),
            format!(
                "state: {} (configuration file)",
                sandbox.path("xdg-config/communique/shared.db").display()
            ),
        ]
    );
}

/// Runs `communique ARGS` in the sandbox; `None` if it has not ended within
/// `EXIT_TIMEOUT` (then it is killed).
fn run_or_hang(sandbox: &Sandbox, args: &[&str]) -> Option<Output> {
    let mut command = Command::new(BINARY);
    command
        .current_dir(sandbox.dir.path())
        .env_clear()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (name, value) in sandbox.base_env() {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("communique starts");
    let deadline = std::time::Instant::now() + EXIT_TIMEOUT;
    while child.try_wait().expect("waiting").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().expect("its output"))
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A FIFO as the configuration file (named by `--config` or at the default
/// place) is not read: a clear problem, the defaults, no hang. Before, the
/// read waited for a writer for ever.
#[test]
fn a_fifo_as_the_configuration_is_refused_without_hanging() {
    let sandbox = Sandbox::new();
    sandbox.archive("archive", "The default archive");
    let fifo = sandbox.path("config.fifo");
    mkfifo(&fifo);
    mkfifo(&sandbox.path("xdg-config/communique/config.toml"));
    let fifo = fifo.to_string_lossy().into_owned();
    for args in [&["--config", &fifo, "config"][..], &["config"], &["list"]] {
        let output = run_or_hang(&sandbox, args)
            .unwrap_or_else(|| panic!("communique {args:?} hung on a FIFO"));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains("the config file is a FIFO, not a regular file; the defaults apply"),
            "{args:?}: {all}"
        );
    }
    let listed = run_or_hang(&sandbox, &["list"]).expect("list ends");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("The default archive"));

    let mut term = sandbox.browser(&[], &[]);
    term.expect_text("config.toml:1:1: the config file is a FIFO");
    quit(&mut term);
}
