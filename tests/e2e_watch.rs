//! Watching the archive end to end (issue 8, "done when"): the built browser
//! in a pseudo-terminal at 80×24, open on a copy of the bundled archive in a
//! temporary folder, while statements are copied into that folder. Every
//! wait polls the screen, never sleeps.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::{Pty, PtyCommand, archive};
use tempfile::TempDir;

/// How long a change on disk may take to reach the screen: settling
/// (300 ms), or the freshness window (2 s) for a broken file.
const WATCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The cursor marker at the start of the selected row.
const CURSOR: char = '▌';

/// A temporary folder holding `archive/` (a copy of the bundled archive),
/// and room for a state file and a config file that does not exist.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_tree(Path::new(archive()), &dir.path().join("archive"));
        Self { dir }
    }

    fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    fn outside(&self) -> PathBuf {
        self.dir.path().join("outside")
    }

    /// The browser on the copy, its first frame drawn.
    fn browser(&self) -> Pty {
        self.browser_with(&[], "16 / 16 statements")
    }

    /// The browser on the copy with more arguments, once `shown` is on screen.
    fn browser_with(&self, args: &[&str], shown: &str) -> Pty {
        let mut term = PtyCommand::new()
            .args(args)
            .arg("--archive")
            .arg(self.archive())
            .arg("--state")
            .arg(self.dir.path().join("state.db"))
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .env("COMMUNIQUE_USER", "watcher")
            .env_remove("COMMUNIQUE_STATE")
            .size(80, 24)
            .spawn();
        term.expect_text(shown);
        term
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("creating a folder");
    for entry in fs::read_dir(from).expect("reading the archive") {
        let entry = entry.expect("reading the archive");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copying a file");
        }
    }
}

/// A native record as JSON text.
fn record(id: &str, title: &str, published: &str) -> String {
    serde_json::json!({
        "id": id,
        "title": title,
        "published": published,
        "kind": "press release",
        "summary": "Arrived while the browser was open.",
    })
    .to_string()
}

/// The screen row holding the cursor marker (trailing blanks trimmed), and
/// its number.
fn cursor_row(screen: &str) -> Option<(usize, String)> {
    screen
        .lines()
        .enumerate()
        .find(|(_, line)| line.starts_with(CURSOR))
        .map(|(at, line)| (at, line.trim_end().to_owned()))
}

/// The header row.
fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

#[test]
fn statements_copied_in_appear_counted_and_marked_new_without_losing_the_place() {
    let workspace = Workspace::new();
    // A record linked in from outside the archive (read because of
    // --follow-links): edits to it raise no event in the archive folder, so
    // only the reload key picks them up.
    fs::create_dir(workspace.outside()).expect("a folder");
    let linked = workspace.outside().join("linked.json");
    fs::write(&linked, "[]").expect("writing the linked record");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&linked, workspace.archive().join("linked.json")).expect("linking");

    let mut term = workspace.browser_with(&["--follow-links"], "16 / 16 statements");

    // Down three rows and remember the statement there.
    term.send("jjj");
    let screen = term.expect_screen("the cursor on the fourth row", |screen| {
        cursor_row(screen).is_some_and(|(at, _)| at == 2 + 3)
    });
    let (_, selected) = cursor_row(&screen).expect("a cursor row");
    assert!(
        selected.trim().len() > 20,
        "the row shows a statement: {selected:?}"
    );
    assert!(
        !header(&screen).contains("new"),
        "nothing is new yet: {screen}"
    );

    // Twenty statements copied in, newer than everything there.
    for n in 1..=20 {
        let id = format!("watch-arrival-{n:02}");
        let title = format!("Arrival number {n:02} while watching");
        let published = format!("2025-06-{n:02}");
        fs::write(
            workspace.archive().join(format!("{id}.json")),
            record(&id, &title, &published),
        )
        .expect("copying a statement in");
    }
    let screen = match term.wait_for(
        // The whole frame, not just its first row: the cursor row is drawn
        // later in the same frame, and a busy machine can show it half done.
        |screen| {
            header(screen).contains("20 new")
                && header(screen).contains("36 / 36")
                && cursor_row(screen).is_some()
        },
        WATCH_TIMEOUT,
    ) {
        Ok(screen) => screen,
        Err(err) => panic!("waiting for the twenty statements: {err}"),
    };
    let (_, still) = cursor_row(&screen).expect("a cursor row after the reload");
    assert_eq!(
        still, selected,
        "the cursor stays on the same statement\n{screen}"
    );
    assert!(
        screen
            .lines()
            .skip(2)
            .any(|line| line.chars().nth(1) == Some('•') && line.contains("Arrival number")),
        "the new statements on screen are marked new\n{screen}"
    );
    assert!(
        !header(&screen).contains("problem"),
        "no problems: {screen}"
    );

    // The problems panel: none.
    term.send("P");
    term.expect_text("No problems");
    term.send("P");
    term.expect_text("36 / 36");

    // A broken file is retried while fresh, then reported once settled.
    fs::write(
        workspace.archive().join("broken.json"),
        r#"{"id": "broken", "title": "Cut off in the mid"#,
    )
    .expect("writing a broken file");
    let screen = match term.wait_for(|screen| header(screen).contains("1 problem"), WATCH_TIMEOUT) {
        Ok(screen) => screen,
        Err(err) => panic!("waiting for the broken file to be reported: {err}"),
    };
    assert!(header(&screen).contains("36 / 36"), "{screen}");
    assert!(header(&screen).contains("20 new"), "{screen}");
    assert_eq!(
        cursor_row(&screen).map(|(_, row)| row),
        Some(selected.clone()),
        "the place is still kept\n{screen}"
    );
    term.send("P");
    let panel = term.expect_text("broken.json");
    assert!(
        panel.contains("Problems in the archive: 1"),
        "the panel lists the problem\n{panel}"
    );
    term.send("P");
    term.expect_text("36 / 36");

    // An edit the watcher cannot see, then the reload key.
    #[cfg(unix)]
    {
        fs::write(
            &linked,
            format!(
                "[{}]",
                record("linked-in", "Linked in from outside", "2020-01-01")
            ),
        )
        .expect("editing the linked record");
        term.send("L");
        let screen = match term.wait_for(|screen| header(screen).contains("37 / 37"), WATCH_TIMEOUT)
        {
            Ok(screen) => screen,
            Err(err) => panic!("waiting for the reload key to read the edit: {err}"),
        };
        assert!(header(&screen).contains("21 new"), "{screen}");
        assert_eq!(
            cursor_row(&screen).map(|(_, row)| row),
            Some(selected),
            "a reload by hand keeps the place too\n{screen}"
        );
    }

    term.send("q");
    let status = term
        .wait_exit(Duration::from_secs(5))
        .expect("the browser quits");
    assert!(status.success(), "{status:?}");
}

/// The seed statement's id, and a GOV.UK item whose body is `html`.
const SEED_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

fn govuk_item(content_id: &str, title: &str, html: &str) -> String {
    serde_json::json!({
        "schema_name": "news_article",
        "document_type": "press_release",
        "content_id": content_id,
        "title": title,
        "first_published_at": "2024-02-01T09:00:00Z",
        "details": {"body": html},
    })
    .to_string()
}

#[test]
fn deep_html_and_a_planted_duplicate_copied_in_are_reported_and_the_browser_lives_on() {
    let workspace = Workspace::new();
    let mut term = workspace.browser();

    // Markup that overflowed the stack of every open browser.
    fs::write(
        workspace.archive().join("bold.json"),
        govuk_item(
            "deep-bold",
            "Twenty thousand bold tags",
            &"<b>".repeat(20_000),
        ),
    )
    .expect("copying a file in");
    fs::write(
        workspace.archive().join("divs.json"),
        govuk_item("deep-divs", "Fifty thousand divs", &"<div>".repeat(50_000)),
    )
    .expect("copying a file in");
    let screen = match term.wait_for(
        |screen| header(screen).contains("18 / 18") && header(screen).contains("2 problems"),
        WATCH_TIMEOUT,
    ) {
        Ok(screen) => screen,
        Err(err) => panic!("waiting for the deep files: {err}"),
    };
    assert!(term.is_running(), "{screen}");

    // A copy of the seed statement's id in a file that sorts first: the seed
    // leaves the list (neither copy is shown) and both files are named.
    fs::write(
        workspace.archive().join("000.json"),
        record(SEED_ID, "A planted statement", "2030-01-01"),
    )
    .expect("planting a duplicate");
    if let Err(err) = term.wait_for(
        |screen| header(screen).contains("17 / 17") && header(screen).contains("4 problems"),
        WATCH_TIMEOUT,
    ) {
        panic!("waiting for the duplicate: {err}");
    }
    term.send("P");
    // Lines are cut at 80 columns: `check` prints them whole.
    let panel = term.expect_text("Problems in the archive: 4");
    for file in [
        "bold.json:1:1: warning: record #1: HTML nested more tha",
        "divs.json:1:1: warning: record #1: HTML nested more tha",
        "000.json:1:1: record \"dprk-russia",
        "dprk-russia-joint-statement-2024-01-12.json:1:1: record",
    ] {
        assert!(panel.contains(file), "{file}\n{panel}");
    }
    term.send("P");
    term.expect_text("17 / 17");

    term.send("q");
    let status = term
        .wait_exit(Duration::from_secs(5))
        .expect("the browser quits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_duplicate_present_at_start_is_not_shown_once_loading_ends() {
    let workspace = Workspace::new();
    fs::write(
        workspace.archive().join("000.json"),
        record(SEED_ID, "A planted statement", "2030-01-01"),
    )
    .expect("planting a duplicate");
    // The planted copy is read first and shown while loading; once the
    // second copy is read, neither may stay.
    let mut term = workspace.browser_with(&[], "problems");
    let screen = match term.wait_for(
        |screen| header(screen).contains("15 / 15") && header(screen).contains("2 problems"),
        WATCH_TIMEOUT,
    ) {
        Ok(screen) => screen,
        Err(err) => panic!("waiting for the duplicate to leave the list: {err}"),
    };
    assert!(!screen.contains("A planted statement"), "{screen}");
    term.send("q");
    let status = term
        .wait_exit(Duration::from_secs(5))
        .expect("the browser quits");
    assert!(status.success(), "{status:?}");
}
