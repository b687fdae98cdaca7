//! Markdown statements with YAML front matter (issue 15 item 10): real posts
//! of digital.gov (a folder per month of `YYYY-MM-DD-slug.md`, Hugo) and of
//! 18F's blog (Eleventy) in `tests/fixtures/markdown/` (see PROVENANCE.md
//! there), read through the loader, the browser at 80×24, the clipboard and
//! `show --json`; broken front matter ends as a located problem.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use communique::document;
use communique::keymap::Action;
use communique::loader::{Archive, LoadOptions, load};
use communique::records::Statement;
use communique::state::{Effect, State};
use communique::ui::theme::Palette;
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::cells::visible_cells;
use support::keys::press;

const DATAGOV: &str = "2024-09-13-datagov-launches-metrics-tools";
const CLOUD_GOV: &str = "2015-10-09-cloud-gov-launch";
const LOGIN_GOV: &str = "2017-08-23-government-launches-login-gov";
const IDMANAGEMENT: &str =
    "2023-10-02-new-idmanagement-gov-is-refreshing-the-conversation-about-zero-trust";

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/markdown")
        .join(name)
}

fn load_ok(path: &Path) -> Archive {
    load(path, LoadOptions::default())
        .unwrap_or_else(|err| panic!("{} should open: {err:#}", path.display()))
}

fn statement<'a>(archive: &'a Archive, id: &str) -> &'a Statement {
    archive
        .find(id)
        .unwrap_or_else(|| panic!("no statement {id}: {:#?}", archive.problems))
}

fn body(statement: &Statement) -> &str {
    statement.body.as_deref().unwrap_or_default()
}

/// The paragraph of the body that contains `text`.
fn paragraph<'a>(statement: &'a Statement, text: &str) -> &'a str {
    statement
        .paragraphs()
        .find(|paragraph| paragraph.contains(text))
        .unwrap_or_else(|| panic!("no paragraph with {text:?} in {}", body(statement)))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COMMUNIQUE_ARCHIVE")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .expect("run communique")
}

// ------------------------------------------------------------ real posts

#[test]
fn a_folder_per_month_loads_every_post_with_its_front_matter() {
    let archive = load_ok(&fixtures("digitalgov"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(archive.statements.len(), 3);
    // The licence beside the posts is the archive's own note, not skipped.
    assert!(archive.skipped.is_empty(), "{:?}", archive.skipped);

    let datagov = statement(&archive, DATAGOV);
    assert_eq!(datagov.title, "Data.gov launches metrics tools");
    assert_eq!(datagov.published.as_str(), "2024-09-13T00:00:00-05:00");
    assert_eq!(datagov.published.date().to_string(), "2024-09-13");
    assert_eq!(
        datagov.topics,
        ["open-data", "open-government", "analytics"]
    );
    let authors: Vec<_> = datagov
        .signatories
        .iter()
        .filter_map(|signatory| signatory.name.as_deref())
        .collect();
    assert_eq!(authors, ["tlowden"]);
    assert!(
        datagov
            .summary
            .as_deref()
            .is_some_and(|summary| summary.starts_with("New Data.gov metrics dashboard")),
        "{:?}",
        datagov.summary
    );

    // A link post: its source address, and no body.
    let link_post = statement(&archive, "2024-03-19-18f-at-ten");
    assert_eq!(
        link_post.url.as_deref(),
        Some("https://18f.gsa.gov/2024/03/19/18f-at-ten/")
    );
    assert_eq!(link_post.published.as_str(), "2024-03-19T14:02:00-05:00");
    assert_eq!(link_post.body, None);
}

#[test]
fn the_body_is_text_with_emphasis_lists_and_every_link_kept() {
    let archive = load_ok(&fixtures("digitalgov"));
    let datagov = statement(&archive, DATAGOV);
    // **bold** and a link inside it: its number follows its text, as on
    // GOV.UK bodies, and the address is listed at the end.
    assert_eq!(
        paragraph(datagov, "That’s why"),
        "The Data.gov team wanted to help our data providers and the public understand \
         and explore how our people use the data and content on our site. *That’s why we \
         are excited to announce the launch of the Data.gov metrics dashboard [1].* This \
         dashboard includes a dedicated page for every data provider organization in our \
         system."
    );
    // A list, an item a line, its bold label marked.
    assert!(
        paragraph(datagov, "Public visibility").starts_with(
            "• *Public visibility:* Whatever we created, it needed to be accessible to everyone."
        ),
        "{}",
        body(datagov)
    );
    // Hugo shortcodes are not text; headings are paragraphs of their own.
    assert!(!body(datagov).contains("{{"), "{}", body(datagov));
    assert_eq!(
        paragraph(datagov, "Identifying"),
        "Identifying the right features"
    );
    // The browser numbers every address and lists it at the end.
    let links = document::links(datagov, None);
    assert_eq!(
        links,
        [
            "http://Data.gov/metrics",
            "https://ckan.org/",
            "http://data.gov/metrics",
            "https://data.gov/metrics/organization/census-gov/index.html",
        ]
    );
    // A mailto: link whose text is the address shows the address once.
    let id = statement(&archive, IDMANAGEMENT);
    let contact = paragraph(id, "feel free to contact");
    assert!(contact.ends_with("team at icam@gsa.gov."), "{contact}");
    assert!(!body(id).contains("mailto:"), "{}", body(id));
    // What a paired shortcode wraps stays, its link numbered as the same
    // address was the first time.
    assert!(
        paragraph(id, "explore its resources")
            .starts_with("*Visit* the new IDManagement.gov [1] to explore its resources"),
        "{}",
        body(id)
    );
}

#[test]
fn hard_wrapped_lines_raw_html_and_liquid_tags() {
    let archive = load_ok(&fixtures("18f"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    let cloud = statement(&archive, CLOUD_GOV);
    // Fourteen hard-wrapped lines are one paragraph again; the links written
    // through Liquid keep their site paths.
    let first = paragraph(cloud, "shipping products");
    assert!(!first.contains('\n'), "{first}");
    assert!(
        first.starts_with(
            "18F is shipping products left and right lately. Every Kid in a Park \
             /2015/09/03/every-kid-in-a-park/, College Scorecard"
        ),
        "{first}"
    );
    assert!(
        first.ends_with("improve delivery of 18F products."),
        "{first}"
    );
    // Raw HTML is read as GOV.UK bodies are: its text, no tags.
    assert_eq!(
        paragraph(cloud, "a shipyard aimed"),
        "At 18F, we’ve developed cloud.gov, a shipyard aimed at ensuring our teams can get \
         even the smallest of boats in the water in a production-worthy state from day one \
         of development."
    );
    assert!(!body(cloud).contains('<'), "{}", body(cloud));
    assert!(!body(cloud).contains("{%"), "{}", body(cloud));
    // Strong emphasis across wrapped lines.
    assert!(
        paragraph(cloud, "The magic happens").starts_with("*The magic happens when an"),
        "{}",
        body(cloud)
    );
    assert!(document::links(cloud, None).contains(&"https://cloud.gov".to_owned()));

    let login = statement(&archive, LOGIN_GOV);
    // The title's stray leading space is not kept; the date is the front
    // matter's, not the file name's.
    assert_eq!(
        login.title,
        "Government launches login.gov to simplify access to public services"
    );
    assert_eq!(login.published.as_str(), "2017-08-22");
    let authors: Vec<_> = login
        .signatories
        .iter()
        .filter_map(|signatory| signatory.name.as_deref())
        .collect();
    assert_eq!(authors, ["joel-minton", "tom-mills"]);
    assert!(
        body(login).starts_with("_Joel Minton, a member of the U.S. Digital Service,"),
        "{}",
        body(login)
    );
}

// --------------------------------------------------- every output path

/// The browser over the digital.gov posts at 80×24 after `keys`: the
/// screen as text rows ending in `|`, and what was copied.
fn browse(keys: &str) -> (String, Vec<String>) {
    let archive = load_ok(&fixtures("digitalgov"));
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(Action::Resize(80, 24));
    press(&mut state, keys);
    let theme = Theme {
        color: false,
        palette: Palette::dark(),
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a TestBackend");
    terminal
        .draw(|frame| {
            frame.render_widget(
                Screen {
                    state: &state,
                    theme,
                },
                frame.area(),
            );
        })
        .expect("drawing");
    let screen = visible_cells(terminal.backend().buffer())
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(symbol, _)| symbol)
                .collect::<String>()
                + "|\n"
        })
        .collect();
    let copied = state
        .effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Copy(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    (screen, copied)
}

#[test]
fn posts_show_in_the_list_and_read_at_80x24_with_links_to_copy() {
    let (list, _) = browse("");
    assert!(list.contains("Data.gov launches metrics tools"), "{list}");
    assert!(list.contains("18F at ten"), "{list}");
    // Newest first: the Data.gov post. Open it, copy its second link, in one
    // burst of keys.
    let (detail, copied) = browse("<Enter>#2<Enter>");
    assert!(
        detail.contains("Data.gov launches metrics tools"),
        "{detail}"
    );
    assert!(detail.contains("Data.gov is the home of"), "{detail}");
    assert_eq!(copied, ["https://ckan.org/"]);
    insta::assert_snapshot!("markdown_detail_80x24", detail);
}

#[test]
fn show_json_gives_the_fields_and_the_text() {
    let output = run(&[
        "--archive",
        "tests/fixtures/markdown",
        "show",
        DATAGOV,
        "--json",
    ]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["title"], "Data.gov launches metrics tools");
    assert_eq!(json["published"], "2024-09-13T00:00:00-05:00");
    assert_eq!(json["topics"][0], "open-data");
    assert_eq!(
        json["signatories"][0],
        serde_json::json!({"name": "tlowden"})
    );
    let text = json["body"].as_str().expect("a body");
    assert!(
        text.contains("This information is a feature of CKAN [2]"),
        "{text}"
    );
    assert_eq!(json["links"][1], "https://ckan.org/");
    assert!(!text.contains("{{<"), "{text}");
}

// ------------------------------------------------- broken front matter

/// `check` over a folder of `files` beside a good post: its output lines.
fn check_beside_good(files: &[(&str, &str)]) -> (Vec<String>, i32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let month = dir.path().join("2024/09");
    fs::create_dir_all(&month).expect("folders");
    fs::copy(
        fixtures(&format!("digitalgov/2024/09/{DATAGOV}.md")),
        month.join(format!("{DATAGOV}.md")),
    )
    .expect("copy");
    for (name, text) in files {
        fs::write(month.join(name), text).expect("write");
    }
    let root = dir.path().to_str().expect("a UTF-8 path");
    let output = run(&["--archive", root, "check", "--verbose"]);
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.replace(root, "ROOT"))
        .collect();
    (lines, output.status.code().unwrap_or(-1))
}

#[test]
fn missing_or_broken_front_matter_is_a_located_problem() {
    let (lines, code) = check_beside_good(&[
        (
            "2024-09-20-no-front-matter.md",
            "# A heading\n\nSome text.\n",
        ),
        (
            "2024-09-21-broken.md",
            "---\ntitle: Broken\ntags: [one, two\ndate: 2024-09-21\n---\nText.\n",
        ),
        (
            "2024-09-22-unclosed.md",
            "---\ntitle: Never closed\n\nText.\n",
        ),
        (
            "2024-09-23-bad-date.md",
            "---\ntitle: Bad date\n# a comment\ndate: the 23rd\n---\nText.\n",
        ),
        ("undated.md", "---\ntitle: No date anywhere\n---\nText.\n"),
        (
            "2024-09-24-untitled.md",
            "---\ndate: 2024-09-24\n---\nText.\n",
        ),
        ("README.md", "# Notes about this folder\n"),
    ]);
    assert_eq!(code, 1, "{lines:#?}");
    let expected = [
        "ROOT/2024/09/2024-09-20-no-front-matter.md:1:1: no YAML front matter: a Markdown \
         statement starts with a `---` line, its fields (title, date, …) and another `---` line",
        "ROOT/2024/09/2024-09-22-unclosed.md:1:1: front matter opened on line 1 is never \
         closed by a `---` line",
        "ROOT/2024/09/2024-09-23-bad-date.md:4:1: record \"2024-09-23-bad-date\": bad date \
         \"the 23rd\" in front matter: expected YYYY-MM-DD, `YYYY-MM-DD HH:MM:SS -0500` or an \
         RFC 3339 date-time",
        "ROOT/2024/09/2024-09-24-untitled.md:1:1: record \"2024-09-24-untitled\": front \
         matter has no `title`",
        "ROOT/2024/09/undated.md:1:1: record \"undated\": no date: front matter has no `date` \
         and the file name does not start with YYYY-MM-DD",
    ];
    for line in expected {
        assert!(lines.iter().any(|got| got == line), "{line}\n{lines:#?}");
    }
    let broken = lines
        .iter()
        .find(|line| line.contains("2024-09-21-broken.md"))
        .expect("the broken YAML reported");
    assert!(
        broken.starts_with("ROOT/2024/09/2024-09-21-broken.md:4:")
            && broken.contains("front matter is not valid YAML"),
        "{broken}"
    );
    assert!(
        lines.iter().any(|line| line == "1 statement, 6 problems"),
        "{lines:#?}"
    );
    // The folder's README is its own note: not read, not counted as skipped.
    assert!(
        !lines.iter().any(|line| line.contains("README")),
        "{lines:#?}"
    );
}

#[test]
fn nesting_too_deep_is_read_flat_and_reported() {
    let deep = format!(
        "---\ntitle: Deep\ndate: 2024-09-25\n---\n{} the end\n",
        ">".repeat(50_000)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("deep.md"), deep).expect("write");
    let archive = load_ok(dir.path());
    let read = statement(&archive, "deep");
    assert!(body(read).ends_with("the end"), "{}", body(read));
    let messages: Vec<String> = archive.problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].contains("deep.md:1:1: warning: record \"deep\": Markdown nested more than 32"),
        "{messages:#?}"
    );
}
