//! The full-text index kept in a cache folder between runs: used when the
//! archive is unchanged, taken up where a build stopped, and built again —
//! never trusted — when it is stale, truncated, corrupt, foreign or of
//! another version.

mod support;

use std::path::{Path, PathBuf};

use communique::loader::{FileStamp, ReadPolicy, file_stamps};
use communique::search::TextTerm;
use communique::search::text::cache::{NOT_KEPT, Opened, VERSION, file_for, open};

/// An archive folder of three one-statement files.
fn archive(dir: &Path) -> PathBuf {
    let root = dir.join("archive");
    std::fs::create_dir_all(&root).expect("folder");
    for (n, body) in ["The grain corridor.", "Kherson again.", "Nothing."]
        .iter()
        .enumerate()
    {
        let record = serde_json::json!({
            "id": format!("s{n}"),
            "title": format!("Statement {n}"),
            "published": "2024-01-01",
            "body": body,
        });
        std::fs::write(root.join(format!("{n}.json")), record.to_string()).expect("write");
    }
    root
}

/// The second file's statement keeps its id and says something else.
fn change_the_second_file(root: &Path) {
    let record = serde_json::json!({
        "id": "s1", "title": "Statement 1", "published": "2024-01-01",
        "body": "Odesa port reopened.",
    });
    std::fs::write(root.join("1.json"), record.to_string()).expect("write");
}

/// The browser with `--cache` on `root`, its three statements listed, and
/// every screen seen until then.
fn browser(root: &Path, cache: &Path) -> (support::pty::Pty, String) {
    let mut term = support::pty::PtyCommand::new()
        .args([
            "--archive".as_ref(),
            root.as_os_str(),
            "--cache".as_ref(),
            cache.as_os_str(),
        ])
        .size(80, 24)
        .spawn();
    let seen = term.expect_text("3 / 3 statements");
    (term, seen)
}

fn stamps(root: &Path) -> Vec<FileStamp> {
    file_stamps(root, ReadPolicy::default()).expect("stamps")
}

fn opened(cache: &Path, root: &Path) -> Opened {
    open(cache, root, &stamps(root)).expect("open")
}

/// Opens the cache and indexes the first `count` of the archive's three
/// statements into it, as the indexer does.
fn build(cache: &Path, root: &Path, count: usize) {
    let opened = opened(cache, root);
    let ids = ["s0", "s1", "s2"];
    let texts = [
        "Statement 0\nThe grain corridor.",
        "Statement 1\nKherson again.",
        "Statement 2\nNothing.",
    ]
    .map(String::from);
    opened
        .full_text
        .add_identified(0, &ids[..count], &texts[..count])
        .expect("add");
}

fn found(opened: &Opened, word: &str) -> usize {
    opened
        .full_text
        .matching(&TextTerm::parse(word).expect("term"))
        .expect("search")
        .len()
}

fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("scratch");
    let root = archive(dir.path());
    let cache = dir.path().join("cache");
    (dir, root, cache)
}

#[test]
fn an_unchanged_archive_finds_its_index_kept() {
    let (_dir, root, cache) = scratch();
    let first = opened(&cache, &root);
    assert_eq!(first.rebuilt.as_deref(), Some(NOT_KEPT));
    drop(first);
    build(&cache, &root, 3);
    let warm = opened(&cache, &root);
    assert_eq!(warm.rebuilt, None, "kept and used");
    assert_eq!(warm.full_text.indexed(), 3);
    assert_eq!(found(&warm, "kherson"), 1);
    // The same statements at the same places: nothing to index again.
    assert_eq!(
        warm.full_text
            .resume(0, &["s0", "s1", "s2"])
            .expect("resume"),
        3
    );
}

#[test]
fn a_build_cut_short_is_taken_up_where_it_stopped() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 2);
    let warm = opened(&cache, &root);
    assert_eq!(warm.rebuilt, None);
    assert_eq!(warm.full_text.indexed(), 2);
    assert_eq!(
        warm.full_text
            .resume(0, &["s0", "s1", "s2"])
            .expect("resume"),
        2
    );
}

#[test]
fn other_statements_at_kept_places_are_indexed_again() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let warm = opened(&cache, &root);
    // Position 1 now holds another statement: it and all after it go.
    assert_eq!(
        warm.full_text
            .resume(0, &["s0", "other", "s2"])
            .expect("resume"),
        1
    );
    assert_eq!(warm.full_text.indexed(), 1);
    assert_eq!(found(&warm, "kherson"), 0);
    assert_eq!(found(&warm, "grain"), 1);
}

/// The browser's indexer thread, and where it reports.
fn indexer() -> (
    communique::app::indexer::Indexer,
    std::sync::mpsc::Receiver<communique::app::Input>,
) {
    let (send, reports) = std::sync::mpsc::channel();
    (communique::app::indexer::Indexer::start(send), reports)
}

/// The indexer's next report.
fn next_report(
    reports: &std::sync::mpsc::Receiver<communique::app::Input>,
) -> communique::app::indexer::Indexed {
    match reports
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("a report")
    {
        communique::app::Input::Indexed(indexed) => indexed,
        other => panic!("{other:?}"),
    }
}

/// The indexer thread, asked to index statements a kept index already
/// holds, is sent only their ids: it checks them, and says where the kept
/// index held other statements (dropped then), so the browser sends those
/// statements themselves; then they are found.
#[test]
fn the_indexer_checks_what_a_kept_index_holds_and_asks_again_where_it_differs() {
    use communique::app::indexer::Job;
    use std::sync::Arc;
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let loaded =
        communique::loader::load(&root, communique::loader::LoadOptions::default()).expect("loads");
    let mut statements = loaded.statements;
    statements.sort_by(|a, b| a.id.cmp(&b.id));
    let warm = Arc::new(opened(&cache, &root).full_text);
    let (indexer, reports) = indexer();
    let next = || next_report(&reports);
    // The same statements: checked, nothing asked again.
    indexer.submit(Job {
        full_text: Arc::clone(&warm),
        first: 0,
        held: vec!["s0".into(), "s1".into(), "s2".into()],
        statements: communique::catalog::TextParts::Copied(Vec::new()),
        carry: None,
    });
    let report = next();
    assert_eq!(
        (report.indexed, report.again_from, report.error),
        (3, None, None)
    );
    // Another statement at position 1: dropped from there, asked again.
    indexer.submit(Job {
        full_text: Arc::clone(&warm),
        first: 0,
        held: vec!["s0".into(), "other".into(), "s2".into()],
        statements: communique::catalog::TextParts::Copied(Vec::new()),
        carry: None,
    });
    let report = next();
    assert_eq!((report.indexed, report.again_from), (1, Some(1)));
    assert_eq!(warm.indexed(), 1);
    // Asked again with the statements themselves: found.
    indexer.submit(Job {
        full_text: Arc::clone(&warm),
        first: 1,
        held: Vec::new(),
        statements: communique::catalog::TextParts::Copied(statements[1..].to_vec()),
        carry: None,
    });
    let report = next();
    assert_eq!(
        (report.indexed, report.again_from, report.error),
        (3, None, None)
    );
    let kherson = warm
        .matching(&TextTerm::parse("kherson").expect("term"))
        .expect("search");
    assert_eq!(kherson.positions().collect::<Vec<_>>(), [1]);
}

/// A reload while the browser runs carries its kept index over: what
/// comes from unchanged files at the same places stays, from the first
/// statement of a changed file on everything is indexed again, and the
/// files are recorded as they are now, so the next start trusts the index
/// (built again: never).
#[test]
fn a_kept_index_is_carried_over_to_a_reloaded_archive() {
    use communique::app::indexer::{Carry, Job};
    use std::sync::Arc;
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let kept = Arc::new(opened(&cache, &root).full_text);
    assert_eq!(kept.indexed(), 3);
    // The second file changes: same id, other words.
    change_the_second_file(&root);
    let files = stamps(&root);
    let mut reloaded = communique::loader::load(&root, communique::loader::LoadOptions::default())
        .expect("loads")
        .statements;
    reloaded.sort_by(|a, b| a.id.cmp(&b.id));
    let (indexer, reports) = indexer();
    let next = || next_report(&reports);
    indexer.submit(Job {
        full_text: Arc::clone(&kept),
        first: 0,
        held: reloaded.iter().map(|s| s.id.clone()).collect(),
        statements: communique::catalog::TextParts::Copied(Vec::new()),
        carry: Some(Carry {
            paths: reloaded
                .iter()
                .map(|s| Arc::clone(&s.origin.path))
                .collect(),
            files,
        }),
    });
    let report = next();
    assert!(!report.stale, "{:?}", report.error);
    assert_eq!((report.indexed, report.again_from), (1, Some(1)));
    drop(report);
    // Asked again from there with the statements themselves.
    indexer.submit(Job {
        full_text: Arc::clone(&kept),
        first: 1,
        held: Vec::new(),
        statements: communique::catalog::TextParts::Copied(reloaded[1..].to_vec()),
        carry: None,
    });
    let report = next();
    assert_eq!(
        (report.indexed, report.again_from, report.error.as_deref()),
        (3, None, None)
    );
    let count = |word: &str| {
        kept.matching(&TextTerm::parse(word).expect("term"))
            .expect("search")
            .len()
    };
    assert_eq!(
        (count("kherson"), count("odesa"), count("grain")),
        (0, 1, 1)
    );
    // Each report holds the index too; the indexer's thread lets go of it
    // once its jobs are done.
    let held = Arc::downgrade(&kept);
    drop((report, indexer, kept));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while held.strong_count() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // The next start: the index is trusted as it is, holding all three.
    let warm = opened(&cache, &root);
    assert_eq!(warm.rebuilt, None);
    assert_eq!(warm.full_text.indexed(), 3);
    assert_eq!(found(&warm, "odesa"), 1);
    assert_eq!(found(&warm, "kherson"), 0);
}

#[test]
fn a_changed_file_makes_the_index_stale() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    // Changed in place, same size: the modification time tells.
    let file = root.join("1.json");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("Kherson", "Odessa!")).expect("write");
    let handle = std::fs::File::options()
        .write(true)
        .open(&file)
        .expect("open");
    handle
        .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1))
        .expect("set the time");
    drop(handle);
    let stale = opened(&cache, &root);
    let why = stale.rebuilt.clone().expect("built again");
    assert!(why.contains("1.json changed"), "{why}");
    assert_eq!(stale.full_text.indexed(), 0);
    assert_eq!(found(&stale, "kherson"), 0);
    drop(stale);
    // A file added.
    build(&cache, &root, 3);
    std::fs::write(root.join("3.json"), "{}").expect("write");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("files changed"), "{why}");
}

#[test]
fn a_replaced_file_makes_the_index_stale() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    // Another file moved into its place: another inode (the times and
    // size copied over, as `cp -p` or a sync tool might).
    let file = root.join("2.json");
    let copy = root.join("copy.tmp");
    std::fs::copy(&file, &copy).expect("copy");
    let modified = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("time");
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .and_then(|handle| handle.set_modified(modified))
        .expect("set the time");
    std::fs::rename(&copy, &file).expect("rename");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("2.json changed"), "{why}");
}

#[test]
fn a_truncated_index_is_built_again() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let path = file_for(&cache, &std::path::absolute(&root).expect("absolute"));
    let length = std::fs::metadata(&path).expect("kept").len();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_len(length / 2))
        .expect("truncate");
    let rebuilt = opened(&cache, &root);
    assert!(rebuilt.rebuilt.is_some());
    assert_eq!(rebuilt.full_text.indexed(), 0);
    assert_eq!(found(&rebuilt, "grain"), 0);
    drop(rebuilt);
    // A file of the text index cut short.
    build(&cache, &root, 3);
    assert_eq!(opened(&cache, &root).rebuilt, None);
    let text = support::kept_text::largest_text_file(&path);
    let length = std::fs::metadata(&text).expect("kept").len();
    std::fs::File::options()
        .write(true)
        .open(&text)
        .and_then(|file| file.set_len(length - 1))
        .expect("truncate");
    let rebuilt = opened(&cache, &root);
    let why = rebuilt.rebuilt.expect("built again");
    assert!(why.contains("text index"), "{why}");
    assert_eq!(rebuilt.full_text.indexed(), 0);
}

#[test]
fn a_corrupt_index_is_built_again() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let path = file_for(&cache, &std::path::absolute(&root).expect("absolute"));
    let mut bytes = std::fs::read(&path).expect("kept");
    for byte in bytes.iter_mut().skip(4096) {
        *byte = 0xab;
    }
    std::fs::write(&path, &bytes).expect("write");
    let rebuilt = opened(&cache, &root);
    assert!(rebuilt.rebuilt.is_some());
    assert_eq!(rebuilt.full_text.indexed(), 0);
    drop(rebuilt);
    // Not even a database.
    std::fs::write(&path, b"not a database at all").expect("write");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("not a sound SQLite database"), "{why}");
    // One byte changed in the text index.
    build(&cache, &root, 3);
    assert_eq!(opened(&cache, &root).rebuilt, None);
    support::kept_text::damage_text(&path);
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("text index is damaged"), "{why}");
    // The text index gone.
    build(&cache, &root, 3);
    std::fs::remove_dir_all(path.with_extension("tantivy")).expect("removed");
    let rebuilt = opened(&cache, &root);
    assert!(rebuilt.rebuilt.is_some());
    assert_eq!(found(&rebuilt, "grain"), 0);
}

#[test]
fn a_foreign_index_is_built_again() {
    let (dir, root, cache) = scratch();
    // Another archive's index in this one's place.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("folder");
    std::fs::copy(root.join("0.json"), other.join("0.json")).expect("copy");
    build(&cache, &other, 0);
    let absolute = |path: &Path| std::path::absolute(path).expect("absolute");
    std::fs::copy(
        file_for(&cache, &absolute(&other)),
        file_for(&cache, &absolute(&root)),
    )
    .expect("copy");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("another archive"), "{why}");
    // Some other program's SQLite database.
    let path = file_for(&cache, &absolute(&root));
    std::fs::remove_file(&path).expect("remove");
    rusqlite::Connection::open(&path)
        .and_then(|db| db.execute_batch("CREATE TABLE notes(text TEXT);"))
        .expect("a database");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("not a communique full-text index"), "{why}");
}

#[test]
fn an_index_of_another_version_is_built_again() {
    let (_dir, root, cache) = scratch();
    build(&cache, &root, 3);
    let path = file_for(&cache, &std::path::absolute(&root).expect("absolute"));
    rusqlite::Connection::open(&path)
        .and_then(|db| {
            db.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'version'",
                [(VERSION + 1).to_string()],
            )
        })
        .expect("update");
    let why = opened(&cache, &root).rebuilt.expect("built again");
    assert!(why.contains("another version"), "{why}");
}

/// The browser with `--cache`, on `root`, until it has the one statement
/// holding "kherson" listed (a text search waits for the kept index, which
/// is opened on a thread of its own). With `note`, waits for the status
/// line to say it first. Every screen seen until the search, joined.
fn browse(root: &Path, cache: &Path, note: Option<&str>) -> String {
    let (mut term, mut seen) = browser(root, cache);
    if let Some(note) = note {
        seen.push_str(&term.expect_text(note));
    }
    term.send("/text:kherson\r");
    seen.push_str(&term.expect_screen("the statement found", |screen| {
        screen.contains("1 / 3 statements") && screen.contains("Kherson again")
    }));
    term.send("qq");
    support::process::assert_clean_exit(&mut term);
    seen
}

/// A file changed while the browser is open: the reload carries the kept
/// index over (the changed statement's new words are found, its old ones
/// not), and the next start uses the index as it is, without building it
/// again.
#[test]
fn the_browser_carries_its_kept_index_over_a_change_to_the_next_start() {
    let (_dir, root, cache) = scratch();
    let first = browse(&root, &cache, None);
    assert!(!first.contains("built again"), "{first}");
    let (mut term, _) = browser(&root, &cache);
    change_the_second_file(&root);
    // Searched until the reload is taken in and indexed.
    term.send("/text:odesa\r");
    let mut listed = false;
    for _ in 0..40 {
        if term.screen_text().contains("1 / 3 statements") {
            listed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        term.send("/\r");
    }
    assert!(listed, "{}", term.screen_text());
    term.send("/\u{15}text:kherson\r");
    term.expect_text("0 / 3 statements");
    term.send("qq");
    support::process::assert_clean_exit(&mut term);
    // The next start: the index as kept, holding the new words.
    let files = stamps(&root);
    let warm = open(&cache, &root, &files).expect("open");
    assert_eq!(warm.rebuilt, None, "the kept index is used as it is");
    assert_eq!(warm.full_text.indexed(), 3);
    assert_eq!(found(&warm, "odesa"), 1);
    assert_eq!(found(&warm, "kherson"), 0);
}

#[test]
fn the_browser_keeps_its_index_and_rebuilds_a_damaged_one() {
    let (_dir, root, cache) = scratch();
    let first = browse(&root, &cache, None);
    assert!(!first.contains("built again"), "{first}");
    let path = file_for(&cache, &std::path::absolute(&root).expect("absolute"));
    let kept = std::fs::metadata(&path).expect("kept").len();
    assert!(kept > 0);
    // Unchanged: used as it is.
    let warm = browse(&root, &cache, None);
    assert!(!warm.contains("built again"), "{warm}");
    // Damaged: said, built again, and still finds.
    std::fs::write(&path, b"garbage").expect("write");
    let rebuilt = browse(&root, &cache, Some("full-text index built again"));
    assert!(rebuilt.contains("full-text index built again"), "{rebuilt}");
}

/// A kept index whose SQLite file is sound but whose text index has a
/// byte changed in one of its files is found damaged when the browser
/// opens it (every file's checksum is read): said, built again, and the
/// search finds what it should.
#[test]
fn the_browser_rebuilds_a_kept_index_whose_text_is_damaged() {
    let (_dir, root, cache) = scratch();
    browse(&root, &cache, None);
    let path = file_for(&cache, &std::path::absolute(&root).expect("absolute"));
    support::kept_text::damage_text(&path);
    let rebuilt = browse(&root, &cache, Some("full-text index built again"));
    assert!(rebuilt.contains("text index is damaged"), "{rebuilt}");
    // The next browser uses the index built again as it is.
    let warm = browse(&root, &cache, None);
    assert!(!warm.contains("built again"), "{warm}");
}

/// Two browsers on one archive with one cache folder (two tmux panes of one
/// user): the first keeps the index, the second is told it is in use and
/// indexes in memory, so neither adds statements the other is adding (they
/// met on the same positions: "UNIQUE constraint failed").
#[test]
fn a_second_browser_on_the_same_archive_does_not_write_the_kept_index() {
    let (_dir, root, cache) = scratch();
    let first = opened(&cache, &root);
    let Err(second) = open(&cache, &root, &stamps(&root)) else {
        panic!("the second is refused the kept index");
    };
    assert!(
        format!("{second:#}").contains("another communique is using the kept index"),
        "{second:#}"
    );
    first
        .full_text
        .add_identified(0, &["s0"], &["Statement 0\nThe grain corridor.".to_owned()])
        .expect("add");
    drop(first);
    // Once the first has gone, the next takes the index up where it was.
    let next = opened(&cache, &root);
    assert_eq!(next.rebuilt, None);
    assert_eq!(next.full_text.indexed(), 1);
    assert_eq!(found(&next, "grain"), 1);
}

/// A command that finds the kept index holding every statement of a
/// catalog snapshot marks it so, and the next command given the same
/// snapshot compares no id; every write to the index (the browser's
/// indexer adding, a resume dropping a changed tail, a reload carrying it
/// over) takes the mark away first, and a mark for a different snapshot or
/// count is never taken for this one.
#[test]
fn a_mark_of_a_whole_index_goes_with_any_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = archive(dir.path());
    let cache = dir.path().join("cache");
    build(&cache, &root, 3);
    let full_text = opened(&cache, &root).full_text;
    assert_eq!(full_text.checked_against(), None, "nothing marked yet");
    full_text.mark_checked(7, 2).expect("marked");
    assert_eq!(
        full_text.checked_against(),
        None,
        "three held, so it does not hold exactly two"
    );
    full_text.mark_checked(7, 3).expect("marked");
    assert_eq!(full_text.checked_against(), Some((7, 3)));
    drop(full_text);
    let full_text = opened(&cache, &root).full_text;
    assert_eq!(
        full_text.checked_against(),
        Some((7, 3)),
        "kept in the file"
    );

    // The indexer adds a statement.
    full_text
        .add_identified(3, &["s3"], &["Statement 3".to_owned()])
        .expect("added");
    assert_eq!(full_text.checked_against(), None, "gone with an addition");

    // A resume that finds another statement at a place drops the tail.
    full_text.mark_checked(8, 4).expect("marked");
    assert_eq!(full_text.checked_against(), Some((8, 4)));
    assert_eq!(
        full_text
            .resume(0, &["s0", "s1", "other"])
            .expect("resumed"),
        2
    );
    assert_eq!(
        full_text.checked_against(),
        None,
        "gone with a resume's drop"
    );

    // A reload carries it over.
    full_text
        .add_identified(2, &["s2"], &["Statement 2".to_owned()])
        .expect("added");
    full_text.mark_checked(9, 3).expect("marked");
    let paths: Vec<PathBuf> = (0..3).map(|n| root.join(format!("{n}.json"))).collect();
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    full_text
        .carry_over(&["s0", "s1", "s2"], &paths, &stamps(&root))
        .expect("carried over");
    assert_eq!(full_text.checked_against(), None, "gone with a carry-over");

    // An index in memory keeps no mark.
    let in_memory = communique::search::FullText::in_memory().expect("in memory");
    in_memory.mark_checked(1, 0).expect("nothing to do");
    assert_eq!(in_memory.checked_against(), None);
}
