//! Native records whose text is HTML (`body_html`) or hard-wrapped
//! (`reflow`, or the archive-wide `[archive] reflow` setting): issue 15
//! item 11. The HTML is a real GOV.UK body (tests/fixtures/govuk, see its
//! README) and the wrapped text a real 18F post's opening (tests/fixtures/
//! markdown, see PROVENANCE.md there), each checked through the loader, the
//! body read back from disk as the browser reads it, and `show --json`.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use communique::loader::{LoadOptions, load, read_body};

fn fixture(path: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .expect("fixture")
}

/// The real GOV.UK press release's body HTML and the text its own reader
/// gives it.
fn govuk_body() -> (String, String) {
    let name = "govuk/news_article__best-practice-press-release.json";
    let item: serde_json::Value = serde_json::from_str(&fixture(name)).expect("JSON");
    let html = item["details"]["body"].as_str().expect("a body").to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("item.json"), fixture(name)).expect("write");
    let archive = load(dir.path(), LoadOptions::default()).expect("load");
    let text = archive.statements[0].body.clone().expect("text");
    (html, text)
}

/// Three paragraphs of the 18F post, as hard-wrapped in its file.
fn wrapped_text() -> String {
    let post = fixture("markdown/18f/2015-10-09-cloud-gov-launch.md");
    let start = post
        .find("Previously, infrastructure")
        .expect("the paragraph");
    let end = post.find("**The magic").expect("the end");
    post[start..end].trim().to_owned()
}

fn write_archive(records: &serde_json::Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("records.json"), records.to_string()).expect("write");
    dir
}

#[test]
fn body_html_is_read_as_govuk_bodies_are_in_memory_and_from_disk() {
    let (html, expected) = govuk_body();
    assert!(expected.contains("\n\n"), "{expected}");
    let dir = write_archive(&serde_json::json!([
        {"id": "html", "title": "From HTML", "published": "2024-01-12", "body_html": html},
        {"id": "both", "title": "Both", "published": "2024-01-12", "body": "Plain wins.", "body_html": "<p>HTML</p>"},
    ]));
    let archive = load(dir.path(), LoadOptions::default()).expect("load");
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    let from_html = archive.find("html").expect("the HTML record");
    assert_eq!(from_html.body.as_deref(), Some(expected.as_str()));
    assert!(!expected.contains('<'), "{expected}");
    assert_eq!(
        archive.find("both").and_then(|s| s.body.as_deref()),
        Some("Plain wins.")
    );
    // As the browser loads it: the body left on disk, read back when shown.
    let lazy = load(
        dir.path(),
        LoadOptions {
            bodies_on_disk: true,
            ..LoadOptions::default()
        },
    )
    .expect("load");
    let statement = lazy.find("html").expect("the HTML record");
    assert!(statement.body_on_disk());
    assert_eq!(read_body(statement), Ok(Some(expected)));
}

#[test]
fn a_record_asking_for_reflow_has_its_wrapped_lines_joined() {
    let wrapped = wrapped_text();
    assert!(wrapped.lines().count() > 4, "{wrapped}");
    let dir = write_archive(&serde_json::json!([
        {"id": "wrapped", "title": "Wrapped", "published": "2015-10-09", "body": wrapped, "reflow": true},
        {"id": "kept", "title": "Kept", "published": "2015-10-09", "body": wrapped},
    ]));
    let archive = load(dir.path(), LoadOptions::default()).expect("load");
    let body = archive
        .find("wrapped")
        .and_then(|s| s.body.clone())
        .expect("a body");
    let paragraphs: Vec<&str> = body.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 3, "{body}");
    assert!(
        paragraphs[0].starts_with(
            "Previously, infrastructure meant dealing with data centers, procuring racks of hardware,"
        ),
        "{body}"
    );
    assert!(paragraphs.iter().all(|p| !p.contains('\n')), "{body}");
    // Without the field, the text stays as written.
    assert_eq!(
        archive.find("kept").and_then(|s| s.body.as_deref()),
        Some(wrapped.as_str())
    );
}

#[test]
fn the_archive_wide_setting_reflows_every_plain_body_unless_a_record_says_not() {
    let wrapped = wrapped_text();
    let dir = write_archive(&serde_json::json!([
        {"id": "wrapped", "title": "Wrapped", "published": "2015-10-09", "body": wrapped},
        {"id": "verse", "title": "Verse", "published": "2015-10-09", "body": "one\ntwo", "reflow": false},
    ]));
    let config = dir.path().join("config.toml");
    fs::write(&config, "[archive]\nreflow = true\n").expect("config");
    let show = |id: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_communique"))
            .env(
                "XDG_STATE_HOME",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
            )
            .env(
                "XDG_CACHE_HOME",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
            )
            .env_remove("COMMUNIQUE_ARCHIVE")
            .stdin(Stdio::null())
            .arg("--archive")
            .arg(dir.path().join("records.json"))
            .arg("--config")
            .arg(&config)
            .args(["show", id, "--json"])
            .output()
            .expect("run communique");
        assert!(output.status.success(), "{output:?}");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        json["body"].as_str().expect("a body").to_owned()
    };
    let body = show("wrapped");
    assert_eq!(body.matches('\n').count(), 4, "{body}");
    assert!(
        body.contains("meant dealing with data centers, procuring racks"),
        "{body}"
    );
    assert_eq!(show("verse"), "one\ntwo");
}
