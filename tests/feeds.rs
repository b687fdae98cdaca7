//! RSS and Atom feeds in the archive (issue 15 item 9): real recordings in
//! `tests/fixtures/feeds/` (see PROVENANCE.md there), read through the
//! loader and through the binary, and hostile feeds that must end as located
//! problems, never a crash or a hang.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use communique::keymap::Action;
use communique::loader::{Archive, LoadOptions, ReadPolicy, RecordRef, Severity, load};
use communique::records::Statement;
use communique::state::State;
use communique::ui::theme::Palette;
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::cells::visible_cells;
use support::keys::press;

const W3C_ID: &str = "feed-768de60d:https://www.w3.org/blog/2026/crafting-wcag-3-for-more-accessible-user-experiences/";

fn feeds(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name)
}

fn load_ok(path: &Path) -> Archive {
    load(path, LoadOptions::default())
        .unwrap_or_else(|err| panic!("{} should open: {err:#}", path.display()))
}

fn only(archive: &Archive) -> &Statement {
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    match archive.statements.as_slice() {
        [statement] => statement,
        other => panic!("expected one statement, got {}", other.len()),
    }
}

fn names(statement: &Statement) -> Vec<&str> {
    statement
        .signatories
        .iter()
        .filter_map(|signatory| signatory.name.as_deref())
        .collect()
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

fn lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

// ------------------------------------------------------------- real feeds

#[test]
fn an_rss_item_is_a_statement_with_every_field() {
    let archive = load_ok(&feeds("w3c-blog.rss"));
    let item = only(&archive);
    assert_eq!(item.id, W3C_ID);
    assert_eq!(
        item.title,
        "Crafting WCAG 3 for more accessible user experiences"
    );
    assert_eq!(
        item.url.as_deref(),
        Some("https://www.w3.org/blog/2026/crafting-wcag-3-for-more-accessible-user-experiences/")
    );
    assert_eq!(item.published.as_str(), "2026-09-25T12:50:00Z");
    // <author> and <dc:creator> name the same person: one signatory.
    assert_eq!(
        names(item),
        ["Shawn Lawton Henry, W3C Web Accessibility Initiative (WAI) Director"]
    );
    assert_eq!(item.topics, ["accessibility", "blogs"]);
    assert_eq!(item.organisations, ["W3C - Blog"]);
    assert!(
        item.summary
            .as_deref()
            .is_some_and(|summary| summary.starts_with("In this post, W3C's Web Accessibility")),
        "{:?}",
        item.summary
    );
}

#[test]
fn rss_content_is_read_by_the_html_reader_as_govuk_bodies_are() {
    let archive = load_ok(&feeds("w3c-blog.rss"));
    let body = only(&archive).body.as_deref().expect("a body");
    assert!(
        body.starts_with("In this post, I cover some of the stakes and challenges in developing W3C Accessibility Guidelines (WCAG) 3 [1]. I use \"websites\" as an example"),
        "{body}"
    );
    // The <h2> is a heading paragraph of its own, between paragraphs; no
    // markup left.
    assert!(
        body.contains("digital content and technologies.\n\n## Summary\n\nYou could say"),
        "{body}"
    );
    // Its links numbered and listed, as GOV.UK bodies' are.
    let item = only(&archive);
    assert_eq!(item.links.len(), 5, "{:?}", item.links);
    assert_eq!(
        item.links[0],
        "https://www.w3.org/WAI/standards-guidelines/wcag/wcag3-intro/"
    );
    assert!(body.contains("Accessibility Guidelines Working Group [2] is addressing"));
    assert!(!body.contains("<p>") && !body.contains("<a ") && !body.contains("&quot;"));
}

#[test]
fn an_atom_entry_without_published_is_dated_by_updated() {
    let archive = load_ok(&feeds("usgs-earthquakes.atom"));
    let entry = only(&archive);
    assert_eq!(
        entry.id,
        "feed-e115ef8d:urn:earthquake-usgs-gov:nc:73239366"
    );
    assert_eq!(entry.title, "M 3.6 - 15km W of Petrolia, CA");
    assert_eq!(entry.published.as_str(), "2019-07-31T13:07:31Z");
    assert_eq!(
        entry.url.as_deref(),
        Some("https://earthquake.usgs.gov/earthquakes/eventpage/nc73239366")
    );
    // Atom categories show their label, as the spec says readers should.
    assert_eq!(entry.topics, ["Age", "Magnitude", "Contributor", "Author"]);
    let body = entry.body.as_deref().expect("the HTML summary as text");
    assert!(body.contains("Depth"), "{body}");
    assert!(body.contains("29.35 km (18.24 mi)"), "{body}");
    assert!(!body.contains("<dd>") && !body.contains("&deg;"), "{body}");
}

#[test]
fn a_govuk_atom_feed_gives_one_statement_per_entry() {
    let archive = load_ok(&feeds("govuk-news.atom"));
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    let titles: Vec<&str> = archive
        .statements
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Improving food in hospitals and schools",
            "Glasgow 2014 Commonwealth Games airspace restrictions",
            "Public approval for driving limits for 16 drugs",
            "New FRANK adverts mark tenth anniversary",
        ]
    );
    let food = &archive.statements[0];
    assert_eq!(
        food.id,
        "feed-1a98e54a:tag:www.gov.uk,2005:/government/news/improving-food-in-hospitals-and-schools"
    );
    assert_eq!(
        food.url.as_deref(),
        Some("https://www.gov.uk/government/news/improving-food-in-hospitals-and-schools")
    );
    assert_eq!(
        food.body.as_deref(),
        Some("Government publishes a response to Sustain’s school and hospital food campaign.")
    );
    assert_eq!(
        food.organisations,
        ["News and communications - Activity on GOV.UK"]
    );
    // Each entry's problems and origin point at its own <entry> line.
    assert_eq!(food.origin.line, 11);
}

#[test]
fn ids_are_the_same_on_every_load_and_differ_between_feeds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = fs::read_to_string(feeds("w3c-blog.rss")).expect("fixture");
    fs::write(dir.path().join("w3c.rss"), &text).expect("write");
    // The same item republished by another feed (another channel link).
    let other = text.replace(
        "<link>https://www.w3.org/blog/</link>",
        "<link>https://example.org/mirror/</link>",
    );
    fs::write(dir.path().join("mirror.rss"), other).expect("write");
    let first = load_ok(dir.path());
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    let mut ids: Vec<String> = first.statements.iter().map(|s| s.id.clone()).collect();
    ids.sort();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    assert!(ids.contains(&W3C_ID.to_owned()), "{ids:?}");
    let again = load_ok(dir.path());
    let mut again: Vec<String> = again.statements.iter().map(|s| s.id.clone()).collect();
    again.sort();
    assert_eq!(again, ids);
}

#[test]
fn check_reads_a_feed_named_on_the_command_line() {
    // Named `rss.xml`, as feeds are saved; it used to be read as JSON
    // ("expected a record object or an array of records").
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = dir.path().join("rss.xml");
    fs::copy(feeds("w3c-blog.rss"), &feed).expect("copy");
    let path = feed.to_str().expect("UTF-8 path");
    let output = run(&["--archive", path, "check"]);
    assert_eq!(output.status.code(), Some(0), "{:?}", lines(&output));
    assert_eq!(lines(&output), ["1 statement, 0 problems"]);
}

#[test]
fn a_folder_of_feeds_loads_and_names_what_it_skips() {
    let output = run(&["--archive", "tests/fixtures/feeds", "check", "--verbose"]);
    assert_eq!(output.status.code(), Some(0), "{:?}", lines(&output));
    assert_eq!(
        lines(&output),
        [
            "tests/fixtures/feeds/make_govuk_atom.py: skipped: not a statement format",
            "6 statements, 0 problems",
            "1 file skipped: not a statement format",
        ]
    );
}

#[test]
fn show_json_of_a_feed_item_has_its_fields() {
    let output = run(&[
        "--archive",
        "tests/fixtures/feeds/w3c-blog.rss",
        "show",
        "--json",
        W3C_ID,
    ]);
    assert_eq!(output.status.code(), Some(0), "{:?}", lines(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["id"], W3C_ID);
    assert_eq!(
        json["topics"],
        serde_json::json!(["accessibility", "blogs"])
    );
}

/// The browser over the feed fixtures at 80×24, after `keys`, as text rows
/// ending in `|`.
fn screen(keys: &str) -> String {
    let archive = load_ok(&feeds(""));
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
            )
        })
        .expect("drawing");
    visible_cells(terminal.backend().buffer())
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(symbol, _)| symbol)
                .collect::<String>()
                + "|\n"
        })
        .collect()
}

#[test]
fn feed_items_show_in_the_list_and_read_in_full_at_80x24() {
    let list = screen("");
    assert!(
        list.contains("Crafting WCAG 3 for more accessible"),
        "{list}"
    );
    assert!(
        list.contains("Improving food in hospitals and schools"),
        "{list}"
    );
    insta::assert_snapshot!("feeds_list_80x24", list);
    // The newest item (the W3C post) is first: open it.
    let detail = screen("<Enter>");
    assert!(detail.contains("Shawn Lawton Henry"), "{detail}");
    assert!(detail.contains("In this post, I cover"), "{detail}");
    insta::assert_snapshot!("feeds_detail_80x24", detail);
}

// ----------------------------------------------------------- hostile feeds

/// Loads one feed written into a fresh folder beside a good one: the good
/// one must always load.
fn load_beside_good(name: &str, text: &[u8]) -> (tempfile::TempDir, Archive) {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(feeds("w3c-blog.rss"), dir.path().join("good.rss")).expect("copy");
    fs::write(dir.path().join(name), text).expect("write");
    let archive = load_ok(dir.path());
    assert_eq!(
        archive
            .statements
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        [W3C_ID],
        "{:#?}",
        archive.problems
    );
    (dir, archive)
}

/// The one problem about `name`, as `check` prints it.
fn problem_about(archive: &Archive, name: &str) -> String {
    let found: Vec<String> = archive
        .problems
        .iter()
        .filter(|problem| problem.path.ends_with(name))
        .map(ToString::to_string)
        .collect();
    match found.as_slice() {
        [one] => one.clone(),
        other => panic!("expected one problem about {name}, got {other:#?}"),
    }
}

#[test]
fn invalid_xml_is_a_problem_at_the_place_it_breaks() {
    let broken = "<rss version=\"2.0\"><channel><title>M</title>\n\
        <item><title>A</title>\n\
        <description>text</wrong></item></channel></rss>\n";
    let (_dir, archive) = load_beside_good("broken.rss", broken.as_bytes());
    let problem = problem_about(&archive, "broken.rss");
    assert!(
        problem.contains("broken.rss:3:18: not a readable feed: invalid XML"),
        "{problem}"
    );
    assert!(problem.contains("`</wrong>`"), "{problem}");
}

#[test]
fn a_truncated_feed_is_a_problem_where_it_stops_making_sense() {
    let text = fs::read_to_string(feeds("w3c-blog.rss")).expect("fixture");
    let truncated = &text[..text.len() / 2];
    let (_dir, archive) = load_beside_good("truncated.rss", truncated.as_bytes());
    let problem = problem_about(&archive, "truncated.rss");
    // The unclosed CDATA section of the item's content opens on line 22.
    assert!(
        problem.contains("truncated.rss:22:30: not a readable feed: invalid XML"),
        "{problem}"
    );
}

#[test]
fn an_html_page_saved_as_xml_is_not_a_feed() {
    let page = b"<html><head><title>News</title></head><body><p>Hi</p></body></html>";
    let (_dir, archive) = load_beside_good("page.xml", page);
    let problem = problem_about(&archive, "page.xml");
    assert!(problem.contains("not an RSS or Atom feed"), "{problem}");
    // It is not mistaken for JSON either.
    assert!(!problem.contains("expected a record object"), "{problem}");
}

#[test]
fn billion_laughs_entities_are_not_expanded() {
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        bomb.push_str(&format!("<!ENTITY lol{level} \"{refs}\">\n"));
    }
    bomb.push_str(
        "]>\n<rss version=\"2.0\"><channel><title>Bomb</title><link>https://bomb.example/</link>\n\
         <item><title>Laughs &lol9;</title><guid>bomb-1</guid>\
         <pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate>\
         <description>&lol9;&lol9;</description></item></channel></rss>\n",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("bomb.rss"), &bomb).expect("write");
    let archive = load_ok(dir.path());
    // Whatever is made of the item, nothing was multiplied out.
    for statement in &archive.statements {
        let size = statement.title.len() + statement.body.as_deref().map_or(0, str::len);
        assert!(size < 1_000, "{} bytes", size);
    }
    assert!(
        archive.statements.len() + archive.problems.len() >= 1,
        "the bomb is read or reported"
    );
}

#[test]
fn deep_nesting_in_a_feed_and_in_its_html_is_bounded() {
    let depth = 50_000;
    let deep_xml = format!(
        "<rss version=\"2.0\"><channel><title>Deep</title><link>https://deep.example/</link>\
         <item><title>Deep XML</title><guid>deep-1</guid><pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate>\
         {}{}</item></channel></rss>",
        "<x>".repeat(depth),
        "</x>".repeat(depth)
    );
    let deep_html = format!(
        "<rss version=\"2.0\"><channel><title>Deep HTML</title><link>https://deephtml.example/</link>\
         <item><title>Deep HTML</title><guid>deep-2</guid><pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate>\
         <description><![CDATA[{}words at the bottom{}]]></description></item></channel></rss>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("deep-xml.rss"), deep_xml).expect("write");
    fs::write(dir.path().join("deep-html.rss"), deep_html).expect("write");
    let archive = load_ok(dir.path());
    let html = archive
        .statements
        .iter()
        .find(|s| s.title == "Deep HTML")
        .expect("the deep HTML item loads");
    assert_eq!(html.body.as_deref(), Some("words at the bottom"));
    // Markup too deep to lay out is read flat, with a warning naming the file.
    let warning = problem_about(&archive, "deep-html.rss");
    assert!(warning.contains("warning: "), "{warning}");
    assert!(
        archive.statements.iter().any(|s| s.title == "Deep XML"),
        "{:#?}",
        archive.problems
    );
}

#[test]
fn a_feed_bigger_than_the_record_limit_is_reported_unread() {
    let text = fs::read_to_string(feeds("w3c-blog.rss")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("big.rss"), &text).expect("write");
    let archive = load(
        dir.path(),
        LoadOptions {
            policy: ReadPolicy {
                max_record_size: 4096,
                ..ReadPolicy::default()
            },
            ..LoadOptions::default()
        },
    )
    .expect("opens");
    assert!(archive.statements.is_empty());
    let problem = problem_about(&archive, "big.rss");
    assert!(
        problem.contains("more than the limit of 4 KiB"),
        "{problem}"
    );
}

#[test]
fn items_without_a_title_or_date_are_named_and_the_rest_load() {
    let feed = "<rss version=\"2.0\"><channel><title>Gaps</title><link>https://gaps.example/</link>\n\
        <item><guid>no-date</guid><title>Undated</title></item>\n\
        <item><guid>no-title</guid><pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate></item>\n\
        <item><guid>fine</guid><title>Fine</title><pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate></item>\n\
        </channel></rss>\n";
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("gaps.rss"), feed).expect("write");
    let archive = load_ok(dir.path());
    let titles: Vec<&str> = archive
        .statements
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(titles, ["Fine"]);
    let mut problems: Vec<(usize, Option<RecordRef>, Severity, String)> = archive
        .problems
        .iter()
        .map(|p| (p.line, p.record.clone(), p.severity, p.message.clone()))
        .collect();
    problems.sort_by_key(|p| p.0);
    let namespace = archive.statements[0]
        .id
        .split_once(':')
        .map(|(namespace, _)| namespace.to_owned())
        .expect("a namespaced id");
    assert_eq!(
        problems,
        [
            (
                2,
                Some(RecordRef::Id(format!("{namespace}:no-date"))),
                Severity::Error,
                "feed item has no date (pubDate, dc:date, published or updated): skipped"
                    .to_owned()
            ),
            (
                3,
                Some(RecordRef::Id(format!("{namespace}:no-title"))),
                Severity::Error,
                "empty title".to_owned()
            ),
        ]
    );
}

#[test]
fn a_feed_that_stops_with_elements_open_is_reported_at_its_end() {
    let open = format!(
        "<rss version=\"2.0\"><channel><title>Open</title><item><title>T</title>{}",
        "<x>".repeat(20_000)
    );
    let (_dir, archive) = load_beside_good("open.rss", open.as_bytes());
    let problem = problem_about(&archive, "open.rss");
    let end = open.chars().count() + 1;
    assert!(
        problem.contains(&format!(
            "open.rss:1:{end}: not a readable feed: invalid XML"
        )),
        "{problem}"
    );
}

#[test]
fn every_item_of_a_long_feed_is_placed_on_its_own_line() {
    let items = 20_000;
    let mut feed = String::from(
        "<rss version=\"2.0\"><channel><title>Long</title><link>https://long.example/</link>\n",
    );
    for i in 0..items {
        feed.push_str(&format!(
            "  <item><title>Item {i}</title><guid>g{i}</guid>\
             <pubDate>Fri, 12 Jan 2024 10:00:00 GMT</pubDate></item>\n"
        ));
    }
    feed.push_str("</channel></rss>\n");
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("long.rss"), feed).expect("write");
    let archive = load_ok(dir.path());
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    assert_eq!(archive.statements.len(), items);
    for statement in &archive.statements {
        let number: usize = statement
            .title
            .strip_prefix("Item ")
            .and_then(|n| n.parse().ok())
            .expect("Item N");
        assert_eq!(statement.origin.line, number + 2, "{}", statement.title);
    }
}

#[test]
fn a_feed_with_no_items_is_noticed_but_not_a_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = "<rss version=\"2.0\"><channel><title>New</title><link>https://new.example/</link></channel></rss>";
    fs::write(dir.path().join("new.rss"), empty).expect("write");
    let archive = load_ok(dir.path());
    assert_eq!(archive.counted_problems().count(), 0);
    assert_eq!(
        problem_about(&archive, "new.rss").split(": ").last(),
        Some("feed has no items")
    );
    assert!(problem_about(&archive, "new.rss").contains("notice: "));
}
