//! Restricted mode, for a forced SSH command (RELIABILITY.md 16): no key
//! reaches a shell, `$EDITOR`, `$PAGER`, a browser or a write path of the
//! user's choosing; the environment cannot turn those back on; Ctrl-Z does
//! not suspend.
//!
//! In the state machine every key of the keymap is pressed in every view
//! that keys can reach, and the effects asked for are checked. In a
//! pseudo-terminal the built binary is walked through every key under a
//! job-control shell (where an unrestricted Ctrl-Z does stop it), with
//! `$EDITOR`, `$PAGER`, `$BROWSER`, `$SHELL` and the usual programs on
//! `$PATH` replaced by traps that leave a mark if anything runs them.

#[path = "fixtures/hostile/records.rs"]
mod records;
mod support;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use communique::keymap::{Action, Context, DEFAULT_BINDINGS, Key, Keymap};
use communique::loader::Archive;
use communique::state::{Effect, State};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use support::process::{children, proc_state};
use support::pty::{BINARY, Pty, PtyCommand};
use tempfile::TempDir;

const SUSPEND_OFF: &str = "suspend is off in restricted mode";
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// The state machine

fn archive() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        communique::loader::load(Path::new(support::pty::archive()), Default::default())
            .expect("the bundled archive loads")
    })
}

/// The bundled archive at 120×40, with contacts, problems, a tag and a
/// saved search, so every view has something to show.
fn state(restricted: bool) -> State {
    let archive = archive();
    let mut state = State::new(archive.name(), archive.statements.clone(), 1);
    state
        .catalog
        .set_directory(communique::contacts::Directory::from_archive(archive));
    state.catalog.problem_lines = vec!["archive/x.json:1:1: a problem".into()];
    state.triage.tags = vec!["urgent".into()];
    state.triage.saved = vec![("japan".into(), "japan".into())];
    state.restricted = restricted;
    state.update(Action::Resize(120, 40));
    state
}

/// Whether restricted mode allows an effect. Every effect is named, so a
/// new one does not compile here until it is judged.
fn allowed(effect: &Effect) -> bool {
    match effect {
        // Triage, saved searches and history go to the state file the
        // command line chose; copying is OSC 52 to the user's own terminal.
        Effect::Triage { .. }
        | Effect::SaveNote { .. }
        | Effect::SaveDraft { .. }
        | Effect::DropDrafts(_)
        | Effect::SaveSearch { .. }
        | Effect::DeleteSearch(_)
        | Effect::History(_)
        | Effect::Copy(_) => true,
        // Searching and re-reading the archive the command line chose stay
        // inside the browser.
        Effect::Search { .. } | Effect::Reload => true,
        // Finding in the open statement's text, in memory.
        Effect::FindPage { .. } => true,
        // The full-text index is in memory: nothing is written.
        Effect::IndexText { .. } => true,
        // A kept full-text index only in the cache folder the command line
        // chose (none without it).
        Effect::CarryText { .. } => true,
        // Signatory pages, timelines and comparisons, in memory.
        Effect::Signatories { .. } => true,
        Effect::Suspend => false,
    }
}

/// A short name for an effect, for messages and counts.
fn effect_name(effect: &Effect) -> String {
    let text = format!("{effect:?}");
    text.split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// What a state shows: the view's kind and the context keys are read in.
fn signature(state: &State) -> String {
    let view = format!("{:?}", state.view);
    let kind = view.split(['(', ' ', '{']).next().unwrap_or_default();
    format!("{kind}/{:?}", state.context())
}

/// Every distinct key the keymap binds, in any context.
fn every_key() -> Vec<Key> {
    let mut keys = Vec::new();
    for binding in DEFAULT_BINDINGS {
        if !keys.contains(&binding.key) {
            keys.push(binding.key);
        }
    }
    keys
}

/// Presses keys in a fresh state; the state and every effect asked for.
fn replay(restricted: bool, path: &[Key]) -> (State, Vec<Effect>) {
    let mut state = state(restricted);
    let mut effects = Vec::new();
    for key in path {
        if let Some(action) = state.action_for(*key) {
            state.update(action);
        }
        effects.append(&mut state.effects);
    }
    (state, effects)
}

/// Every view keys can reach from the list (three keys deep), each with the
/// shortest keys that reach it.
fn reachable(restricted: bool) -> BTreeMap<String, Vec<Key>> {
    let keys = every_key();
    let mut found: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    found.insert(signature(&state(restricted)), Vec::new());
    let mut queue = VecDeque::from([Vec::new()]);
    while let Some(path) = queue.pop_front() {
        if path.len() >= 3 {
            continue;
        }
        for key in &keys {
            let mut next = path.clone();
            next.push(*key);
            let (state, _) = replay(restricted, &next);
            if state.quit {
                continue;
            }
            let signature = signature(&state);
            if let std::collections::btree_map::Entry::Vacant(entry) = found.entry(signature) {
                entry.insert(next.clone());
                queue.push_back(next);
            }
        }
    }
    found
}

/// The views the walk must reach: every kind of view, and typing in a line
/// from each place a line opens.
const MUST_REACH: &[&str] = &[
    "List/List",
    "Search/Input",
    "Detail/Detail",
    "Detail/Input",
    "Filter/Filter",
    "Filter/Input",
    "Help/Help",
    "Prompt/Input",
    "Note/Note",
    "Picker/Picker",
    "Problems/Problems",
    "Contacts/Contacts",
    "Alone/Alone",
];

/// Restricted mode 16, in the state machine: every key of the keymap in
/// every reachable view asks only for allowed effects, never suspends, and
/// Ctrl-Z says why; nothing turns restricted mode off.
#[test]
fn no_key_in_any_view_asks_for_a_forbidden_effect() {
    let views = reachable(true);
    let missing: Vec<&&str> = MUST_REACH
        .iter()
        .filter(|view| !views.contains_key(**view))
        .collect();
    assert!(
        missing.is_empty(),
        "views not reached: {missing:?}; reached: {:?}",
        views.keys().collect::<Vec<_>>()
    );
    // And a few places with text typed, where Enter saves: a search line, the
    // save-search prompt, a tag prompt, a note.
    let mut views = views;
    for (name, spec) in [
        ("Search/Input with text", "/ja"),
        ("Prompt/Input saving a search", "/ja<Enter>wx"),
        ("Prompt/Input with a tag", "tx"),
        ("Note/Note with text", "ex"),
    ] {
        views.insert(name.to_owned(), support::keys::keys(spec));
    }
    let ctrl_z = Key::ctrl('z');
    let mut forbidden = Vec::new();
    let mut produced: BTreeSet<String> = BTreeSet::new();
    let mut pressed = 0;
    for (view, path) in &views {
        for key in every_key() {
            let mut keys = path.clone();
            keys.push(key);
            let (state, effects) = replay(true, &keys);
            pressed += 1;
            for effect in &effects {
                produced.insert(effect_name(effect));
                if !allowed(effect) {
                    forbidden.push(format!("{view} {}: {effect:?}", key.label()));
                }
            }
            assert!(
                state.restricted,
                "{view} {}: restricted mode off",
                key.label()
            );
            if key == ctrl_z {
                assert_eq!(state.status.as_deref(), Some(SUSPEND_OFF), "{view}: Ctrl-z");
                let before = replay(true, path).0;
                assert_eq!(
                    signature(&state),
                    signature(&before),
                    "{view}: Ctrl-z changed the view"
                );
            }
        }
    }
    assert!(
        forbidden.is_empty(),
        "forbidden effects:\n{}",
        forbidden.join("\n")
    );
    assert_eq!(pressed, views.len() * every_key().len());
    assert!(pressed > 500, "only {pressed} keys pressed");
    // The walk does reach the allowed effects, so it would see others.
    for name in ["Triage", "History", "Copy", "SaveSearch"] {
        assert!(
            produced.contains(name),
            "no key produced {name}: {produced:?}"
        );
    }
}

/// The same walk outside restricted mode does suspend on Ctrl-Z in every
/// view: the check above would see it.
#[test]
fn outside_restricted_mode_ctrl_z_suspends_from_every_view() {
    let views = reachable(false);
    for (view, path) in &views {
        let mut keys = path.clone();
        keys.push(Key::ctrl('z'));
        let (_, effects) = replay(false, &keys);
        assert!(
            effects.contains(&Effect::Suspend),
            "{view}: Ctrl-z asked for {effects:?}"
        );
    }
}

/// The keymap offers no action that leaves the browser: no shell, pager,
/// editor, browser or export is bound, by any key, in any context.
#[test]
fn the_keymap_binds_nothing_that_leaves_the_browser() {
    let keymap = Keymap::default();
    for binding in keymap.bindings() {
        let description = binding.action.describe().to_lowercase();
        for word in [
            "shell", "pager", "editor", "browser", "export", "save as", "open in",
        ] {
            let suspend = binding.action == Action::Suspend && word == "shell";
            assert!(
                suspend || !description.contains(word),
                "{:?} {} is bound to {:?} ({description})",
                binding.context,
                binding.key.label(),
                binding.action
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The binary

/// Programs a browser could be tempted to run; each is replaced on `$PATH`
/// by a trap.
const TRAPPED: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "less",
    "more",
    "most",
    "pager",
    "vi",
    "vim",
    "nvim",
    "nano",
    "emacs",
    "ed",
    "editor",
    "sensible-editor",
    "sensible-pager",
    "sensible-browser",
    "xdg-open",
    "open",
    "www-browser",
    "x-www-browser",
    "w3m",
    "lynx",
    "links",
    "firefox",
];

/// A temporary home for one browser: the hostile archive, XDG folders,
/// traps on `$PATH` and in `$EDITOR`, `$VISUAL`, `$PAGER`, `$BROWSER` and
/// `$SHELL`.
struct Sandbox {
    dir: TempDir,
    archive: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let archive = records::write_archive(dir.path());
        for sub in [
            "home", "state", "config", "data", "cache", "tmp", "bin", "marks",
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("a folder");
        }
        let marks = dir.path().join("marks");
        let script = format!(
            "#!/bin/sh\n: > '{}'/\"$(basename \"$0\")\"\nexit 0\n",
            marks.display()
        );
        for name in TRAPPED {
            let path = dir.path().join("bin").join(name);
            std::fs::write(&path, &script).expect("a trap");
            make_executable(&path);
        }
        Self { dir, archive }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// A program in the sandbox's environment.
    fn environment(&self) -> PtyCommand {
        let bin = self.path("bin");
        let trap = |name: &str| bin.join(name);
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        PtyCommand::new()
            .cwd(self.dir.path())
            .env("HOME", self.path("home"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("TMPDIR", self.path("tmp"))
            .env("EDITOR", trap("editor"))
            .env("VISUAL", trap("editor"))
            .env("PAGER", trap("pager"))
            .env("BROWSER", trap("sensible-browser"))
            .env("SHELL", trap("sh"))
            .env("COMMUNIQUE_USER", "forced")
            .env("PATH", path)
    }

    /// The traps that ran.
    fn sprung(&self) -> Vec<String> {
        std::fs::read_dir(self.path("marks"))
            .expect("the marks folder")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// Every file under the sandbox with its size and modification time.
    fn files(&self) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
        let mut files = BTreeMap::new();
        let mut folders = vec![self.dir.path().to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() {
                    folders.push(path);
                } else {
                    let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                    let relative = path
                        .strip_prefix(self.dir.path())
                        .unwrap_or(&path)
                        .to_path_buf();
                    files.insert(relative, (meta.len(), modified));
                }
            }
        }
        files
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).expect("metadata").permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(path, permissions).expect("chmod");
}

/// The shell the browser runs under, with job control as an interactive
/// shell has it: Ctrl-Z would stop an unrestricted browser (SIGTSTP is not
/// discarded, its process group has a parent in the session). When it
/// stops (status 148), Enter `fg`s it; when it ends the shell prints its
/// exit status.
const JOB_CONTROL: &str = r#"set -m; "$0" "$@"; status=$?; while [ "$status" = 148 ]; do echo "[stopped: press Enter]"; read -r _; fg; status=$?; done; echo "[exit=$status]""#;

/// The browser under the job-control shell with these arguments.
fn under_shell(sandbox: &Sandbox, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Browser {
    let mut command = sandbox
        .environment()
        .program("/bin/bash")
        .args(["-c", JOB_CONTROL, BINARY])
        .args(args)
        .size(100, 30);
    for (key, value) in env {
        command = command.env(key, value);
    }
    let mut term = command.spawn();
    term.expect_text(" / ");
    let shell = term.pid().expect("the shell's process id");
    let deadline = Instant::now() + EXIT_TIMEOUT;
    // The shell starts the guard, which starts the browser itself (the same
    // program: the guard only restores the terminal when it ends).
    let child_of = |parent: u32, what: &str| loop {
        if let Some(&pid) = children(parent).first() {
            break pid;
        }
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    };
    let guard = child_of(shell, "the shell started no browser");
    let pid = child_of(guard, "the guard started no browser");
    assert_eq!(
        children(guard),
        [pid],
        "the guard starts the browser and nothing else"
    );
    let program = |pid: u32| std::fs::read_link(format!("/proc/{pid}/exe")).expect("/proc exe");
    assert_eq!(
        program(pid),
        program(guard),
        "the guard runs communique itself"
    );
    Browser { term, pid }
}

struct Browser {
    term: Pty,
    pid: u32,
}

/// A keymap key as the terminal sends it.
fn terminal_key(key: Key) -> Option<support::pty::Key> {
    use support::pty::Key as T;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        KeyCode::Char(c) if ctrl => T::Ctrl(c),
        KeyCode::Char(c) if alt => T::Alt(c),
        KeyCode::Char(c) => T::Char(c),
        KeyCode::Enter => T::Enter,
        KeyCode::Esc => T::Esc,
        KeyCode::Tab => T::Tab,
        KeyCode::BackTab => T::BackTab,
        KeyCode::Backspace => T::Backspace,
        KeyCode::Up => T::Up,
        KeyCode::Down => T::Down,
        KeyCode::Left => T::Left,
        KeyCode::Right => T::Right,
        KeyCode::Home => T::Home,
        KeyCode::End => T::End,
        KeyCode::PageUp => T::PageUp,
        KeyCode::PageDown => T::PageDown,
        KeyCode::Delete => T::Delete,
        KeyCode::F(n) => T::F(n),
        _ => return None,
    })
}

/// The plain list: column titles on row 1 (no box over them) and the
/// list's own key hints at the bottom.
fn list_shown(screen: &str) -> bool {
    let rows: Vec<&str> = screen.lines().collect();
    // Loaded: the header no longer shows the loading gauge.
    rows.first().is_some_and(|row| !row.contains("loading"))
        && rows
            .get(1)
            .is_some_and(|row| row.contains("Date") && row.contains("Title"))
        && rows.last().is_some_and(|row| row.contains("open"))
}

/// Presses Esc until the list is back. A lone ESC followed at once by more
/// bytes reads as Alt+key, so each Esc is given time to arrive alone. On a
/// loaded machine a key may be taken after the list was seen again (the
/// note editor opened late, the next key typed into it): a note not saved
/// is thrown away (`x`), as its question offers.
fn back_to_list(term: &mut Pty, after: &str) {
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(60));
        let screen = term.screen_text();
        if list_shown(&screen) {
            return;
        }
        if screen.contains("the note is not saved") {
            term.send("x");
            continue;
        }
        term.key(support::pty::Key::Esc);
        std::thread::sleep(Duration::from_millis(60));
        if term
            .wait_for(list_shown, Duration::from_millis(1500))
            .is_ok()
        {
            std::thread::sleep(Duration::from_millis(60));
            return;
        }
    }
    panic!(
        "Esc did not bring the list back after {after}:\n{}",
        term.screen_text()
    );
}

/// What is wrong with a running restricted browser: stopped, with
/// children, or a trap sprung.
fn trouble(browser: &Browser, sandbox: &Sandbox, after: &str) -> Vec<String> {
    let mut trouble = Vec::new();
    // D (waiting on the disk: the state file written, under load) is a
    // live process too; T stopped and Z gone are what this looks for.
    match proc_state(browser.pid) {
        Some('S' | 'R' | 'D') => {}
        other => trouble.push(format!("after {after}: process state {other:?}")),
    }
    let children = children(browser.pid);
    if !children.is_empty() {
        trouble.push(format!("after {after}: child processes {children:?}"));
    }
    let sprung = sandbox.sprung();
    if !sprung.is_empty() {
        trouble.push(format!("after {after}: ran {sprung:?}"));
    }
    trouble
}

/// Keys that open a view from the list, for pressing Ctrl-Z inside it.
const OPENERS: &[(&str, &[support::pty::Key])] = {
    use support::pty::Key as T;
    &[
        ("detail", &[T::Enter]),
        ("find line", &[T::Enter, T::Char('/')]),
        ("search line", &[T::Char('/')]),
        ("filter", &[T::Char('f')]),
        ("filter line", &[T::Char('f'), T::Char('/')]),
        ("help", &[T::Char('?')]),
        ("tag prompt", &[T::Char('t')]),
        ("note", &[T::Char('e')]),
        ("problems", &[T::Char('P')]),
        ("contacts", &[T::Char('c')]),
    ]
};

/// Opens a view from the list and presses Ctrl-Z in it; whether the view
/// then says that suspend is off.
fn ctrl_z_in(browser: &mut Browser, name: &str) -> bool {
    let keys = OPENERS
        .iter()
        .find(|(opener, _)| *opener == name)
        .map(|(_, keys)| *keys)
        .unwrap_or_else(|| panic!("no opener {name}"));
    for key in keys {
        browser.term.key(*key);
        std::thread::sleep(Duration::from_millis(60));
    }
    browser.term.key(support::pty::Key::Ctrl('z'));
    browser
        .term
        .wait_for(
            |screen| screen.contains(SUSPEND_OFF),
            Duration::from_secs(2),
        )
        .is_ok()
}

/// Walks every key of the keymap from the list (Esc in between), then
/// Ctrl-Z inside every view, checking after each key.
fn walk_every_key(browser: &mut Browser, sandbox: &Sandbox) {
    let keymap = Keymap::default();
    let mut problems = Vec::new();
    let mut walked = 0;
    for key in every_key() {
        let action = keymap.action(Context::List, key);
        if matches!(action, Some(Action::Quit | Action::ForceQuit)) {
            continue;
        }
        let Some(bytes) = terminal_key(key) else {
            problems.push(format!("{}: no terminal bytes", key.label()));
            continue;
        };
        let label = key.label();
        browser.term.key(bytes);
        walked += 1;
        if key == Key::ctrl('z') {
            browser.term.expect_text(SUSPEND_OFF);
        }
        std::thread::sleep(Duration::from_millis(40));
        problems.extend(trouble(browser, sandbox, &label));
        back_to_list(&mut browser.term, &label);
    }
    assert!(walked > 50, "only {walked} keys walked");
    for (name, _) in OPENERS {
        ctrl_z_in(browser, name);
        problems.extend(trouble(browser, sandbox, &format!("Ctrl-z in the {name}")));
        back_to_list(&mut browser.term, name);
    }
    assert!(
        problems.is_empty(),
        "restricted mode escaped:\n{}",
        problems.join("\n")
    );
}

/// Files the browser may write: the state file and its SQLite companions,
/// where the command line (or, with no `--state`, the default) puts it.
fn allowed_new_file(path: &Path) -> bool {
    // Restricted mode keeps its state under $HOME, never where
    // $XDG_STATE_HOME says.
    path.starts_with("home/.local/state/communique")
        && path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("triage.db"))
}

/// Runs the walk for one way of turning restricted mode on: the flag, or
/// the environment variable.
fn walk_restricted(flag: bool, env: &[(&str, &str)]) {
    let sandbox = Sandbox::new();
    let before = sandbox.files();
    let mut args: Vec<&std::ffi::OsStr> = vec!["--archive".as_ref(), sandbox.archive.as_os_str()];
    if flag {
        args.insert(0, "--restricted".as_ref());
    }
    let mut browser = under_shell(&sandbox, &args, env);
    walk_every_key(&mut browser, &sandbox);
    assert_eq!(
        proc_state(browser.pid).map(|state| state == 'T'),
        Some(false)
    );
    browser.term.send("q");
    browser.term.expect_text("[exit=0]");
    assert!(
        browser.term.wait_exit(EXIT_TIMEOUT).is_some(),
        "the shell did not end"
    );
    assert_eq!(sandbox.sprung(), Vec::<String>::new(), "traps sprung");
    let after = sandbox.files();
    let written: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, meta)| before.get(*path) != Some(meta))
        .map(|(path, _)| path)
        .filter(|path| !allowed_new_file(path) && !path.starts_with("marks"))
        .collect();
    assert!(
        written.is_empty(),
        "files written or changed outside the state file: {written:?}"
    );
    assert!(
        after.keys().any(|path| allowed_new_file(path)),
        "the state file was never written (the walk flagged and marked): {:?}",
        after.keys().collect::<Vec<_>>()
    );
}

/// `--restricted`: every key walked, the process never stopped, no child,
/// no trap sprung, nothing written but the state file.
#[test]
fn every_key_with_restricted_flag_stays_inside() {
    walk_restricted(true, &[]);
}

/// Ctrl-Z in every view says why nothing happened.
#[test]
fn ctrl_z_says_suspend_is_off_in_every_view() {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive.clone();
    let mut browser = under_shell(
        &sandbox,
        &[
            "--restricted".as_ref(),
            "--archive".as_ref(),
            archive.as_os_str(),
        ],
        &[],
    );
    let mut silent = Vec::new();
    for (name, _) in OPENERS {
        if !ctrl_z_in(&mut browser, name) {
            silent.push(*name);
        }
        back_to_list(&mut browser.term, name);
    }
    assert!(silent.is_empty(), "no message in: {silent:?}");
}

/// `COMMUNIQUE_RESTRICTED=1` with `--archive`: the same.
#[test]
fn every_key_with_restricted_environment_stays_inside() {
    walk_restricted(false, &[("COMMUNIQUE_RESTRICTED", "1")]);
}

/// The control: outside restricted mode, under the same shell, Ctrl-Z does
/// stop the browser (state T), so the walk above would have seen it; Enter
/// (`fg`) brings it back.
#[test]
fn outside_restricted_mode_ctrl_z_stops_the_browser() {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive.clone();
    let mut browser = under_shell(&sandbox, &["--archive".as_ref(), archive.as_os_str()], &[]);
    browser.term.key(support::pty::Key::Ctrl('z'));
    let deadline = Instant::now() + EXIT_TIMEOUT;
    while proc_state(browser.pid) != Some('T') {
        assert!(Instant::now() < deadline, "Ctrl-Z did not stop the browser");
        std::thread::sleep(Duration::from_millis(10));
    }
    browser.term.expect_text("[stopped: press Enter]");
    browser.term.key(support::pty::Key::Enter);
    browser
        .term
        .expect_text(&records::records().len().to_string());
    back_to_list(&mut browser.term, "fg");
    browser.term.send("q");
    browser.term.expect_text("[exit=0]");
}

/// Starts the browser straight in the pseudo-terminal (no shell) and waits
/// for the list.
fn open(sandbox: &Sandbox, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Pty {
    let mut command = sandbox.environment().args(args).size(100, 30);
    for (key, value) in env {
        command = command.env(key, value);
    }
    let mut term = command.spawn();
    term.expect_screen("the list", list_shown);
    term
}

/// A one-record archive in the sandbox's `archive/` folder: what the
/// default `--archive archive` opens from the sandbox.
fn default_archive(sandbox: &Sandbox) {
    let folder = sandbox.path("archive");
    std::fs::create_dir_all(&folder).expect("a folder");
    std::fs::write(
        folder.join("default.json"),
        r#"{"id": "default-1", "title": "The default archive", "published": "2024-01-01"}"#,
    )
    .expect("writing the default archive");
}

/// `COMMUNIQUE_ARCHIVE` chooses the archive normally, but not in
/// restricted mode: there the command line's `--archive`, or the default,
/// is used.
#[test]
fn communique_archive_is_ignored_in_restricted_mode() {
    let sandbox = Sandbox::new();
    default_archive(&sandbox);
    let hostile = sandbox.archive.to_string_lossy().into_owned();
    let all = records::records().len();

    // Unrestricted: the variable is obeyed.
    let mut term = open(&sandbox, &[], &[("COMMUNIQUE_ARCHIVE", &hostile)]);
    term.expect_text(&format!("{all} / {all}"));
    term.send("q");
    assert!(term.wait_exit(EXIT_TIMEOUT).is_some());

    // Restricted by flag or by variable: the default archive instead.
    for (args, env) in [
        (
            &["--restricted"][..],
            vec![("COMMUNIQUE_ARCHIVE", hostile.as_str())],
        ),
        (
            &[][..],
            vec![
                ("COMMUNIQUE_ARCHIVE", hostile.as_str()),
                ("COMMUNIQUE_RESTRICTED", "1"),
            ],
        ),
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|arg| arg.as_ref()).collect();
        let mut term = open(&sandbox, &args, &env);
        let screen = term.expect_text("The default archive");
        assert!(screen.contains("1 / 1"), "{args:?} {env:?}:\n{screen}");
        term.send("q");
        assert!(term.wait_exit(EXIT_TIMEOUT).is_some());
    }

    // And `--archive` on the command line wins over the variable.
    let bundled = support::pty::archive();
    let mut term = open(
        &sandbox,
        &[
            "--restricted".as_ref(),
            "--archive".as_ref(),
            bundled.as_ref(),
        ],
        &[("COMMUNIQUE_ARCHIVE", &hostile)],
    );
    term.expect_text("16 / 16");
    term.send("q");
    assert!(term.wait_exit(EXIT_TIMEOUT).is_some());
}

/// Flags the first row and waits for the list to show it.
fn flag_first(term: &mut Pty) {
    term.send("F");
    term.expect_screen("the first row flagged", |screen| {
        screen
            .lines()
            .nth(2)
            .is_some_and(|row| row.chars().skip(2).take(4).any(|c| c == '!'))
    });
}

/// Runs the restricted browser on the sandbox's archive with `env`, flags
/// the first statement (so the state file is written) and quits.
fn flag_in_restricted_mode(sandbox: &Sandbox, env: &[(&str, &str)]) {
    let archive = sandbox.archive.clone();
    let mut term = open(
        sandbox,
        &[
            "--restricted".as_ref(),
            "--archive".as_ref(),
            archive.as_os_str(),
        ],
        env,
    );
    flag_first(&mut term);
    term.send("q");
    assert!(term.wait_exit(EXIT_TIMEOUT).is_some());
}

/// `COMMUNIQUE_STATE` is ignored in restricted mode: triage goes to the
/// default state file, not the one the variable names.
#[test]
fn communique_state_is_ignored_in_restricted_mode() {
    let sandbox = Sandbox::new();
    let elsewhere = sandbox.path("elsewhere.db");
    flag_in_restricted_mode(
        &sandbox,
        &[("COMMUNIQUE_STATE", &elsewhere.to_string_lossy())],
    );
    assert!(
        !elsewhere.exists(),
        "the state went where the variable said"
    );
    assert!(
        sandbox
            .path("home/.local/state/communique/triage.db")
            .exists(),
        "no state in the default place"
    );
}

/// Any value of `COMMUNIQUE_RESTRICTED` turns restricted mode on, even
/// `0`, `false` and the empty string (documented: set to anything).
#[test]
fn any_value_of_communique_restricted_turns_it_on() {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive.clone();
    for value in ["0", "", "false", "no", "off"] {
        let mut browser = under_shell(
            &sandbox,
            &["--archive".as_ref(), archive.as_os_str()],
            &[("COMMUNIQUE_RESTRICTED", value)],
        );
        browser.term.key(support::pty::Key::Ctrl('z'));
        browser.term.expect_text(SUSPEND_OFF);
        assert_ne!(
            proc_state(browser.pid),
            Some('T'),
            "COMMUNIQUE_RESTRICTED={value:?}: stopped"
        );
        browser.term.send("q");
        browser.term.expect_text("[exit=0]");
    }
}

/// In restricted mode with no `--state`, the place of the state file should
/// not be the environment's choice either.
#[test]
fn xdg_state_home_does_not_choose_the_state_file_in_restricted_mode() {
    let sandbox = Sandbox::new();
    let chosen = sandbox.path("chosen-by-the-environment");
    flag_in_restricted_mode(&sandbox, &[("XDG_STATE_HOME", &chosen.to_string_lossy())]);
    assert!(
        !chosen.join("communique").exists(),
        "the state file went where XDG_STATE_HOME said"
    );
}
