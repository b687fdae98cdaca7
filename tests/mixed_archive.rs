//! One archive folder holding every format at once (issue 15, "done
//! when"): native JSON, JSON Lines, GOV.UK items of every schema read,
//! RSS, Atom and Markdown, beside a broken record of each kind and a file no
//! format reads. `check` loads every good statement and locates every
//! problem by file, line and column; `list --json` holds a statement from
//! each format. The files are the real fixtures of the other tests, copied
//! into a temporary folder as staff would drop them into one archive.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_communique");

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn copy(from: &str, to: &Path) {
    fs::create_dir_all(to.parent().expect("a folder")).expect("folder made");
    fs::copy(repo(from), to).expect("copied");
}

/// The mixed archive: (good files, broken files), relative to `root`.
fn mixed(root: &Path) {
    copy(
        "archive/dprk-russia-joint-statement-2024-01-12.json",
        &root.join("native/seed.json"),
    );
    copy(
        "tests/fixtures/native/lines.jsonl",
        &root.join("native/lines.jsonl"),
    );
    copy(
        "tests/fixtures/whitehouse/covid.jsonl",
        &root.join("native/covid.jsonl"),
    );
    for name in [
        "news_article__best-practice-press-release.json",
        "speech__speech-transcript.json",
        "contact__contact.json",
    ] {
        copy(
            &format!("tests/fixtures/govuk/{name}"),
            &root.join("govuk").join(name),
        );
    }
    for entry in fs::read_dir(repo("tests/fixtures/govuk-schemas")).expect("schemas") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let name = path.file_name().expect("name");
            fs::copy(&path, root.join("govuk").join(name)).expect("copied");
        }
    }
    // No public example of this schema exists (see govuk-schemas'
    // PROVENANCE); this one has the fields its schema requires.
    fs::write(
        root.join("govuk/world_location_news.json"),
        r#"{"schema_name":"world_location_news","document_type":"world_location_news",
            "content_id":"5e9ee5c6-7631-11e4-a3cb-005056011aef","title":"UK and France",
            "public_updated_at":"2024-01-01T00:00:00Z","locale":"en",
            "details":{"mission_statement":"","ordered_featured_links":[]}}"#,
    )
    .expect("written");
    copy(
        "tests/fixtures/feeds/w3c-blog.rss",
        &root.join("feeds/w3c-blog.rss"),
    );
    copy(
        "tests/fixtures/feeds/usgs-earthquakes.atom",
        &root.join("feeds/usgs-earthquakes.atom"),
    );
    copy(
        "tests/fixtures/markdown/18f/2015-10-09-cloud-gov-launch.md",
        &root.join("markdown/2015/10/2015-10-09-cloud-gov-launch.md"),
    );
    copy(
        "tests/fixtures/mojibake/mn-ag-2019-01-21-mlk-statement.json",
        &root.join("native/mn-ag.json"),
    );

    // One broken file of each kind.
    copy(
        "tests/fixtures/broken/bad-date.json",
        &root.join("broken/bad-date.json"),
    );
    let feed = fs::read_to_string(repo("tests/fixtures/feeds/w3c-blog.rss")).expect("feed");
    let cut = feed.find("<item>").expect("an item") + 40;
    fs::write(root.join("broken/truncated.rss"), &feed[..cut]).expect("written");
    fs::write(
        root.join("broken/2024-01-02-bad-front-matter.md"),
        "---\ntitle: [unclosed\ndate: 2024-01-02\n---\n\nBody.\n",
    )
    .expect("written");
    fs::write(
        root.join("broken/bad.jsonl"),
        "{\"id\": \"fine-line\", \"title\": \"A fine line\", \"published\": \"2024-01-03\"}\n{\"id\": \"no-title\", \"published\": \"2024-01-03\"}\n",
    )
    .expect("written");
    fs::write(root.join("notes.txt"), "a note, not a statement\n").expect("written");
}

/// `path:line:column: …` of a problem line, relative to the archive.
fn located(line: &str, root: &str) -> Option<(String, usize, usize)> {
    let rest = line.strip_prefix(root)?.strip_prefix('/')?;
    let mut parts = rest.splitn(4, ':');
    let file = parts.next()?.to_owned();
    let line: usize = parts.next()?.parse().ok()?;
    let column: usize = parts.next()?.parse().ok()?;
    parts.next()?;
    Some((file, line, column))
}

#[test]
fn check_reads_every_format_in_one_folder_and_locates_every_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    mixed(root);
    let output = Command::new(BINARY)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["check", "--verbose", "--archive"])
        .arg(root)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .output()
        .expect("run check");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let root_text = root.display().to_string();

    // Counted by hand from the files: native 1 + 3 + 3 (seed, lines.jsonl,
    // covid.jsonl), the repaired Minnesota release 1, GOV.UK 2 + 7 (the
    // press release, the speech, and every schema fixture: two
    // publications, an HTML publication, a fatality notice, two statistics
    // announcements, a consultation), feeds 1 + 1, Markdown 1, and the good
    // line of bad.jsonl 1: 21. Problems: the bad date, the truncated feed,
    // the front matter, the line without a title, the mojibake warning: 5.
    // Notices: the world location news page, skipped with its reason: 1
    // (the contact page gives the contacts directory its entries, and
    // no statement, without a word).
    assert_eq!(
        lines[lines.len() - 2],
        "21 statements, 5 problems, 1 notice",
        "{stdout}"
    );
    assert_eq!(
        lines[lines.len() - 1],
        "1 file skipped: not a statement format"
    );

    let mut problems = BTreeSet::new();
    let mut notices = BTreeSet::new();
    for line in &lines[..lines.len() - 2] {
        if let Some(skipped) = line.strip_suffix(": skipped: not a statement format") {
            assert_eq!(skipped, format!("{root_text}/notes.txt"));
            continue;
        }
        let (file, at, column) =
            located(line, &root_text).unwrap_or_else(|| panic!("not located: {line}"));
        assert!(at >= 1 && column >= 1, "{line}");
        if line.contains(": notice: ") {
            notices.insert(file);
        } else {
            problems.insert((file, at, column));
        }
    }
    let files: BTreeSet<&str> = problems.iter().map(|(file, _, _)| file.as_str()).collect();
    assert_eq!(
        files,
        BTreeSet::from([
            "broken/2024-01-02-bad-front-matter.md",
            "broken/bad-date.json",
            "broken/bad.jsonl",
            "broken/truncated.rss",
            "native/mn-ag.json",
        ]),
        "{stdout}"
    );
    // Each where it is: the date's value on line 4 (ending at column 27),
    // the untitled record on line 2, the front matter where YAML finds the
    // flow sequence of line 2 unclosed, on line 3.
    assert!(
        problems.contains(&("broken/bad-date.json".into(), 4, 27)),
        "{stdout}"
    );
    assert!(
        problems
            .iter()
            .any(|(file, line, _)| file == "broken/bad.jsonl" && *line == 2),
        "{stdout}"
    );
    assert!(
        problems
            .iter()
            .any(|(file, line, _)| file == "broken/2024-01-02-bad-front-matter.md" && *line == 3),
        "{stdout}"
    );
    assert_eq!(
        notices,
        BTreeSet::from(["govuk/world_location_news.json".to_owned()]),
        "{stdout}"
    );
}

#[test]
fn list_json_holds_a_statement_of_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    mixed(dir.path());
    let output = Command::new(BINARY)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["list", "--json", "--archive"])
        .arg(dir.path())
        .env_remove("COMMUNIQUE_ARCHIVE")
        .output()
        .expect("run list");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let statements = json.as_array().expect("an array");
    assert_eq!(statements.len(), 21);
    let titles: BTreeSet<&str> = statements
        .iter()
        .filter_map(|statement| statement["title"].as_str())
        .collect();
    for title in [
        // native JSON and JSON Lines
        "DPRK-Russia ballistic missile transfers: joint statement, 12 January 2024",
        "Fixture: speech at the imaginary ports conference",
        "A fine line",
        // GOV.UK: a speech and a publication
        "Anti-Corruption Summit 2016: PM's closing remarks",
        // RSS, Atom, Markdown
        "Crafting WCAG 3 for more accessible user experiences",
        "M 3.6 - 15km W of Petrolia, CA",
        "To always be shipping, you need a shipyard",
        // the repaired Minnesota release
        "Attorney General Ellison: ‘The fight against discrimination is the fight for a fair, \
         equal economy’",
    ] {
        assert!(titles.contains(title), "{title} missing from {titles:#?}");
    }
}
