//! Watching the archive (issue 8, item 1), in process: a real watcher on a
//! real folder in a temporary directory, files created, appended, renamed and
//! removed, and the reloads it sends read from its channel. Every wait is a
//! `recv_timeout` on that channel with a generous deadline, never a sleep;
//! then the browser's state taking a reloaded archive
//! ([`State::replace_archive`], [`app::handle`]) without losing its place.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use communique::app::{self, Input};
use communique::keymap::Action;
use communique::loader::{self, Archive, LoadOptions, Problem, ReadPolicy, Severity};
use communique::search::Index;
use communique::state::{Sort, State, View};
use communique::watch::{ArchiveWatch, Reloaded, hold_back_fresh_problems};
use tempfile::TempDir;

/// How long a reload may take to arrive: settling (300 ms), the freshness
/// window (2 s) and polling (2 s) all fit many times over.
const TIMEOUT: Duration = Duration::from_secs(10);

// ---- Records and folders ----

/// A native record as JSON text.
fn record(id: &str, title: &str, published: &str) -> String {
    serde_json::json!({ "id": id, "title": title, "published": published }).to_string()
}

/// Writes one record to `dir/name`.
fn write_record(dir: &Path, name: &str, id: &str, title: &str, published: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, record(id, title, published)).expect("writing a record");
    path
}

/// A temporary archive folder holding `a.json` (id `a`) and `b.json` (id `b`).
fn archive_folder() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_record(dir.path(), "a.json", "a", "Statement A", "2024-01-01");
    write_record(dir.path(), "b.json", "b", "Statement B", "2024-01-02");
    dir
}

fn load(dir: &Path) -> Archive {
    loader::load(dir, LoadOptions::default()).expect("the archive loads")
}

// ---- The watcher ----

fn watch(dir: &Path, poll: bool) -> (ArchiveWatch, Receiver<Reloaded>) {
    let (sender, receiver) = mpsc::channel();
    let source = communique::catalog::Source::new(dir, ReadPolicy::default(), None);
    let watch = ArchiveWatch::start(source, poll, move |reloaded| sender.send(reloaded).is_ok())
        .expect("the watcher starts");
    (watch, receiver)
}

/// A reload after a change keeps the new catalog snapshot and the search
/// index of it beside it, as a first load does: the next open of the
/// changed archive is warm, with that index (the same file, not made again),
/// and it answers as an index made now.
#[test]
fn a_reload_keeps_the_snapshot_and_search_index_of_the_changed_archive() {
    use communique::catalog::{Source, Warmth, load_indexed, snapshot};
    use std::os::unix::fs::MetadataExt as _;
    let dir = archive_folder();
    let cache = tempfile::tempdir().expect("a cache folder");
    let source = Source::new(dir.path(), ReadPolicy::default(), Some(cache.path()));
    load_indexed(&source).expect("first open");
    let (sender, reloads) = mpsc::channel();
    let _watch = ArchiveWatch::start(source.clone(), false, move |reloaded| {
        sender.send(reloaded).is_ok()
    })
    .expect("the watcher starts");
    write_record(
        dir.path(),
        "c.json",
        "c",
        "Japan envoy visits",
        "2024-01-03",
    );
    wait_for(&reloads, "holding c", TIMEOUT, |r| ids(r).contains("c"));
    let root = std::path::absolute(dir.path()).expect("absolute");
    let index = snapshot::index_file_for(cache.path(), &root);
    let kept = fs::metadata(&index).expect("the index is kept").ino();
    let communique::catalog::Indexed {
        archive,
        index: reopened,
        warmth,
        ..
    } = load_indexed(&source).expect("opened again");
    assert_eq!(warmth, Warmth::Warm);
    assert_eq!(
        fs::metadata(&index).expect("still kept").ino(),
        kept,
        "the kept index was used, not made again"
    );
    assert_eq!(archive.statements.len(), 3);
    let query = communique::search::parse("japan").expect("a query");
    let fresh = Index::new(&archive.statements).search(&query);
    assert_eq!(reopened.search(&query), fresh);
    assert_eq!(fresh.len(), 1);
}

/// An index kept by a command holds no contacts directory (a command
/// shows none), so the browser's next start would merge every statement's
/// contacts again: a reload (here one asked for with nothing changed, as
/// `L` does) makes the directory and keeps it beside the index, and the
/// browser's next start takes it as kept.
#[test]
fn a_reload_keeps_the_contacts_directory_a_command_did_not() {
    use communique::catalog::{Source, load_indexed, snapshot};
    let dir = archive_folder();
    let record = serde_json::json!({
        "id": "with-contacts", "title": "Statement with a press office",
        "published": "2024-01-04",
        "media_contacts": [{"name": "Press office", "email": "press@example.org",
                            "phone": "+44 20 7946 0000"}],
    });
    fs::write(dir.path().join("c.json"), record.to_string()).expect("written");
    let cache = tempfile::tempdir().expect("a cache folder");
    let source = Source::new(dir.path(), ReadPolicy::default(), Some(cache.path()));
    load_indexed(&source).expect("a command opens it first");
    let root = std::path::absolute(dir.path()).expect("absolute");
    let kept = |contacts: bool| {
        let stamps = communique::loader::file_stamps(&root, ReadPolicy::default()).expect("stamps");
        let (archive, generation) =
            snapshot::read(cache.path(), &root, ReadPolicy::default(), &stamps)
                .expect("a snapshot");
        snapshot::read_index(
            cache.path(),
            &root,
            generation,
            &communique::search::signed(&archive.statements),
            contacts,
        )
        .expect("a kept index")
    };
    assert!(
        kept(true).directory.is_none(),
        "a command keeps no directory"
    );

    let (sender, reloads) = mpsc::channel();
    let watch = ArchiveWatch::start(source.clone(), false, move |reloaded| {
        sender.send(reloaded).is_ok()
    })
    .expect("the watcher starts");
    watch.request();
    let waited = wait_for(&reloads, "the reload asked for", TIMEOUT, |r| {
        ids(r).contains("with-contacts")
    });
    let whole = communique::contacts::Directory::from_archive(&load(dir.path()));
    assert!(!whole.entries.is_empty());
    assert_eq!(waited.last().catalog.directory.entries, whole.entries);
    let directory = kept(true).directory.expect("kept by the reload");
    assert_eq!(directory.entries, whole.entries);
}

fn ids(reloaded: &Reloaded) -> BTreeSet<String> {
    reloaded
        .catalog
        .statements
        .iter()
        .map(|statement| statement.id.clone())
        .collect()
}

/// The problems reported of the file at `path`, as `check` prints them.
fn problems_in<'a>(reloaded: &'a Reloaded, path: &Path) -> Vec<&'a String> {
    let path = path.display().to_string();
    reloaded
        .catalog
        .problem_lines
        .iter()
        .filter(|line| line.contains(&path))
        .collect()
}

/// The reloads received while waiting, the last one the one that matched.
struct Waited {
    seen: Vec<Reloaded>,
}

impl Waited {
    fn last(&self) -> &Reloaded {
        self.seen.last().expect("at least one reload")
    }

    fn before_last(&self) -> &[Reloaded] {
        &self.seen[..self.seen.len() - 1]
    }
}

/// Receives reloads until one satisfies `holds`; panics, naming `what` and
/// the reloads seen, when none does within `timeout`.
#[track_caller]
fn wait_for(
    receiver: &Receiver<Reloaded>,
    what: &str,
    timeout: Duration,
    mut holds: impl FnMut(&Reloaded) -> bool,
) -> Waited {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(reloaded) => {
                let done = holds(&reloaded);
                seen.push(reloaded);
                if done {
                    return Waited { seen };
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no reload {what} within {timeout:?}; reloads seen: {seen:?}")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the watcher stopped before a reload {what}; reloads seen: {seen:?}")
            }
        }
    }
}

// ---- Files created, appended, changed, renamed, removed ----

#[test]
fn a_new_file_is_taken_in() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    write_record(dir.path(), "c.json", "c", "Statement C", "2024-01-03");
    let waited = wait_for(&reloads, "holding c", TIMEOUT, |r| ids(r).contains("c"));
    let reloaded = waited.last();
    assert_eq!(
        ids(reloaded),
        BTreeSet::from(["a", "b", "c"].map(String::from))
    );
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
    assert_eq!(reloaded.held_back, 0);
    assert_eq!(
        reloaded.catalog.index.len(),
        3,
        "the index covers the new statement"
    );
    // In the order read, file by file, as the first load keeps them; the
    // order puts the newest first.
    let read: Vec<&str> = reloaded
        .catalog
        .statements
        .iter()
        .map(|statement| statement.id.as_str())
        .collect();
    assert_eq!(read, ["a", "b", "c"]);
    let newest = reloaded.catalog.order[0] as usize;
    assert_eq!(
        reloaded.catalog.statements[newest].id, "c",
        "the newest statement comes first"
    );
}

#[test]
fn a_feed_saved_into_the_archive_is_taken_in() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    let feed = "<rss version=\"2.0\"><channel><title>News</title><link>https://news.example/</link>\
        <item><title>Fed in</title><guid>fed-1</guid><pubDate>Wed, 03 Jan 2024 10:00:00 GMT</pubDate></item>\
        </channel></rss>";
    fs::write(dir.path().join("news.rss"), feed).expect("write the feed");
    let waited = wait_for(&reloads, "holding the feed item", TIMEOUT, |r| {
        r.catalog.statements.iter().any(|s| s.title == "Fed in")
    });
    assert_eq!(waited.last().catalog.statements.len(), 3);
}

#[test]
fn a_line_appended_to_a_json_lines_file_is_taken_in() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let feed = dir.path().join("feed.jsonl");
    fs::write(
        &feed,
        format!("{}\n", record("line-1", "First line", "2024-02-01")),
    )
    .expect("writing the feed");
    let (_watch, reloads) = watch(dir.path(), false);
    let mut file = OpenOptions::new()
        .append(true)
        .open(&feed)
        .expect("opening the feed");
    writeln!(file, "{}", record("line-2", "Second line", "2024-02-02")).expect("appending");
    drop(file);
    let waited = wait_for(&reloads, "holding line-2", TIMEOUT, |r| {
        ids(r).contains("line-2")
    });
    let reloaded = waited.last();
    assert_eq!(
        ids(reloaded),
        BTreeSet::from(["line-1", "line-2"].map(String::from))
    );
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
    let second = reloaded
        .catalog
        .find("line-2")
        .expect("the appended statement");
    assert_eq!(*second.origin.path, *feed);
    assert_eq!(second.origin.line, 2, "read from the appended line");
}

#[test]
fn a_changed_file_is_read_again() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    write_record(
        dir.path(),
        "a.json",
        "a",
        "Statement A, corrected",
        "2024-01-01",
    );
    let waited = wait_for(&reloads, "with the new title", TIMEOUT, |r| {
        r.catalog
            .find("a")
            .is_some_and(|a| a.title == "Statement A, corrected")
    });
    let reloaded = waited.last();
    assert_eq!(ids(reloaded), BTreeSet::from(["a", "b"].map(String::from)));
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
}

#[test]
fn a_file_renamed_within_the_archive_keeps_its_statements() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    let renamed = dir.path().join("a-renamed.json");
    fs::rename(dir.path().join("a.json"), &renamed).expect("renaming");
    let waited = wait_for(&reloads, "reading a from its new name", TIMEOUT, |r| {
        r.catalog
            .find("a")
            .is_some_and(|a| *a.origin.path == *renamed)
    });
    for reloaded in &waited.seen {
        assert_eq!(
            ids(reloaded),
            BTreeSet::from(["a", "b"].map(String::from)),
            "no reload loses or doubles the renamed statement"
        );
        assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
        assert_eq!(reloaded.held_back, 0);
    }
}

#[test]
fn a_file_saved_by_renaming_over_it_is_read_again() {
    // Editors write a hidden temporary file and rename it over the record.
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    for version in 2..=3 {
        let title = format!("Statement A, version {version}");
        let temporary = write_record(dir.path(), ".a.json.tmp", "a", &title, "2024-01-01");
        fs::rename(&temporary, dir.path().join("a.json")).expect("saving over the file");
        let waited = wait_for(&reloads, &format!("with {title}"), TIMEOUT, |r| {
            r.catalog.find("a").is_some_and(|s| s.title == title)
        });
        let reloaded = waited.last();
        assert_eq!(ids(reloaded), BTreeSet::from(["a", "b"].map(String::from)));
        assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
    }
}

#[test]
fn a_file_renamed_to_another_extension_leaves_the_archive() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    fs::rename(dir.path().join("a.json"), dir.path().join("a.txt")).expect("renaming");
    let waited = wait_for(&reloads, "without a", TIMEOUT, |r| !ids(r).contains("a"));
    let reloaded = waited.last();
    assert_eq!(ids(reloaded), BTreeSet::from(["b".to_owned()]));
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");

    // And back again.
    fs::rename(dir.path().join("a.txt"), dir.path().join("a.json")).expect("renaming back");
    let waited = wait_for(&reloads, "with a again", TIMEOUT, |r| ids(r).contains("a"));
    assert_eq!(
        ids(waited.last()),
        BTreeSet::from(["a", "b"].map(String::from))
    );
}

#[test]
fn a_removed_file_leaves_the_archive() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    fs::remove_file(dir.path().join("b.json")).expect("removing");
    let waited = wait_for(&reloads, "without b", TIMEOUT, |r| !ids(r).contains("b"));
    let reloaded = waited.last();
    assert_eq!(ids(reloaded), BTreeSet::from(["a".to_owned()]));
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
}

#[test]
fn a_folder_copied_in_is_taken_in() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    // Built beside the archive, then moved in whole, as `mv` or a sync tool
    // would: the files inside raise no events of their own.
    let outside = tempfile::tempdir().expect("a temporary folder");
    let batch = outside.path().join("batch");
    fs::create_dir(&batch).expect("a folder");
    for n in 1..=3 {
        write_record(
            &batch,
            &format!("{n}.json"),
            &format!("batch-{n}"),
            &format!("Batch {n}"),
            "2024-03-01",
        );
    }
    let moved = fs::rename(&batch, dir.path().join("batch"));
    if moved.is_err() {
        // Another filesystem: copy it in instead.
        let target = dir.path().join("batch");
        fs::create_dir(&target).expect("a folder");
        for n in 1..=3 {
            fs::copy(
                batch.join(format!("{n}.json")),
                target.join(format!("{n}.json")),
            )
            .expect("copying");
        }
    }
    let waited = wait_for(&reloads, "holding the folder's statements", TIMEOUT, |r| {
        ids(r).len() == 5
    });
    assert_eq!(
        ids(waited.last()),
        BTreeSet::from(["a", "b", "batch-1", "batch-2", "batch-3"].map(String::from))
    );
}

#[test]
fn a_burst_of_a_thousand_new_files_settles_into_few_reloads() {
    const FILES: usize = 1_000;
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    for n in 0..FILES {
        write_record(
            dir.path(),
            &format!("burst-{n:04}.json"),
            &format!("burst-{n:04}"),
            &format!("Burst statement {n}"),
            "2024-04-01",
        );
    }
    let waited = wait_for(&reloads, "holding all 1,000 new files", TIMEOUT * 3, |r| {
        r.catalog.statements.len() == FILES + 2
    });
    let reloaded = waited.last();
    let loaded = ids(reloaded);
    assert!(
        loaded.contains("a") && loaded.contains("b"),
        "the originals stay"
    );
    assert!((0..FILES).all(|n| loaded.contains(&format!("burst-{n:04}"))));
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
    assert_eq!(reloaded.held_back, 0);
    assert_eq!(reloaded.catalog.index.len(), FILES + 2);
    let count = waited.seen.len();
    assert!(
        count <= 20,
        "a burst of {FILES} files should settle into a few reloads, not {count}: {:?}",
        waited.seen
    );
}

// ---- Half-written and broken files ----

#[test]
fn a_half_written_file_is_held_back_then_loads_when_complete() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    let half = dir.path().join("half.json");
    let full = record("half", "Written in two goes", "2024-05-01");
    fs::write(&half, &full[..full.len() / 2]).expect("writing half a record");

    let waited = wait_for(
        &reloads,
        "holding the half-written file back",
        TIMEOUT,
        |r| r.held_back >= 1,
    );
    for reloaded in &waited.seen {
        assert!(
            problems_in(reloaded, &half).is_empty(),
            "a file still being written is not reported: {:?}",
            reloaded.catalog.problem_lines
        );
    }
    assert_eq!(
        ids(waited.last()),
        BTreeSet::from(["a", "b"].map(String::from))
    );

    fs::write(&half, &full).expect("finishing the record");
    let waited = wait_for(&reloads, "holding the finished record", TIMEOUT, |r| {
        ids(r).contains("half")
    });
    for reloaded in &waited.seen {
        assert!(
            problems_in(reloaded, &half).is_empty(),
            "never reported while being written: {:?}",
            reloaded.catalog.problem_lines
        );
    }
    let reloaded = waited.last();
    assert!(reloaded.catalog.problem_lines.is_empty(), "{reloaded:?}");
    assert_eq!(reloaded.held_back, 0);
    assert_eq!(ids(reloaded).len(), 3);
}

#[test]
fn a_file_that_stays_broken_is_reported_once_it_is_no_longer_fresh() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    let broken = dir.path().join("broken.json");
    let written = Instant::now();
    fs::write(&broken, r#"{"id": "broken", "title": "Never fini"#).expect("writing");

    let waited = wait_for(&reloads, "reporting the broken file", TIMEOUT, |r| {
        !problems_in(r, &broken).is_empty()
    });
    let waited_for = written.elapsed();
    assert!(
        waited.seen.len() >= 2,
        "held back at least once first: {:?}",
        waited.seen
    );
    for reloaded in waited.before_last() {
        assert!(reloaded.held_back >= 1, "{reloaded:?}");
        assert!(problems_in(reloaded, &broken).is_empty(), "{reloaded:?}");
    }
    assert!(
        waited_for >= Duration::from_millis(1_500),
        "reported after {waited_for:?}, while the file may still be being written"
    );
    let reported = waited.last();
    assert_eq!(reported.held_back, 0);
    let problems = problems_in(reported, &broken);
    assert_eq!(problems.len(), 1, "{problems:?}");
    // As `check` prints it: an error has no "warning:" or "notice:" after
    // its place.
    assert!(
        !problems[0].contains(": warning: ") && !problems[0].contains(": notice: "),
        "an error: {problems:?}"
    );
    assert_eq!(
        ids(reported),
        BTreeSet::from(["a", "b"].map(String::from)),
        "the others still load"
    );

    // Reported, it is no longer retried: nothing more arrives until
    // something changes.
    match reloads.recv_timeout(Duration::from_millis(2_000)) {
        Err(RecvTimeoutError::Timeout) => {}
        other => panic!("a reported file is not retried for ever: {other:?}"),
    }
}

#[test]
fn a_broken_file_dated_in_the_future_is_still_reported() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), false);
    let broken = dir.path().join("skewed.json");
    fs::write(&broken, "{\"id\": ").expect("writing");
    OpenOptions::new()
        .write(true)
        .open(&broken)
        .and_then(|file| file.set_modified(SystemTime::now() + Duration::from_secs(3_600)))
        .expect("dating the file an hour ahead");
    wait_for(&reloads, "reporting the skewed file", TIMEOUT, |r| {
        !problems_in(r, &broken).is_empty()
    });
}

// ---- Polling, and reloading by hand ----

#[test]
fn the_polling_watcher_sees_a_new_file() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), true);
    write_record(dir.path(), "c.json", "c", "Statement C", "2024-01-03");
    let waited = wait_for(&reloads, "holding c", TIMEOUT, |r| ids(r).contains("c"));
    assert_eq!(
        ids(waited.last()),
        BTreeSet::from(["a", "b", "c"].map(String::from))
    );
}

#[test]
fn the_polling_watcher_sees_a_removed_file() {
    let dir = archive_folder();
    let (_watch, reloads) = watch(dir.path(), true);
    fs::remove_file(dir.path().join("a.json")).expect("removing");
    let waited = wait_for(&reloads, "without a", TIMEOUT, |r| !ids(r).contains("a"));
    assert_eq!(ids(waited.last()), BTreeSet::from(["b".to_owned()]));
}

#[test]
fn a_request_reloads_with_no_file_changed() {
    let dir = archive_folder();
    let (watch, reloads) = watch(dir.path(), false);
    watch.request();
    let waited = wait_for(&reloads, "after a request", TIMEOUT, |_| true);
    let reloaded = waited.last();
    assert_eq!(ids(reloaded), BTreeSet::from(["a", "b"].map(String::from)));
    assert!(reloaded.catalog.problem_lines.is_empty());
    assert_eq!(reloaded.held_back, 0);
}

#[cfg(unix)]
#[test]
fn a_request_reads_what_the_watcher_cannot_see() {
    // A record linked in from outside the folder (read with --follow-links):
    // the loader follows the link, but editing its target raises no event
    // in the archive, so only a reload by hand picks the edit up.
    let dir = archive_folder();
    let outside = tempfile::tempdir().expect("a temporary folder");
    let target = write_record(
        outside.path(),
        "linked.json",
        "linked",
        "Before",
        "2024-06-01",
    );
    std::os::unix::fs::symlink(&target, dir.path().join("linked.json")).expect("linking");
    let (sender, reloads) = mpsc::channel();
    let following = ReadPolicy {
        follow_links: true,
        ..ReadPolicy::default()
    };
    let source = communique::catalog::Source::new(dir.path(), following, None);
    let watch = ArchiveWatch::start(source, false, move |reloaded| sender.send(reloaded).is_ok())
        .expect("the watcher starts");
    write_record(
        outside.path(),
        "linked.json",
        "linked",
        "After",
        "2024-06-01",
    );
    watch.request();
    let waited = wait_for(&reloads, "with the edited title", TIMEOUT, |r| {
        r.catalog.find("linked").is_some_and(|s| s.title == "After")
    });
    assert_eq!(ids(waited.last()).len(), 3);
}

#[test]
fn dropping_the_watch_stops_the_reloads() {
    let dir = archive_folder();
    let (watch, reloads) = watch(dir.path(), false);
    drop(watch);
    write_record(dir.path(), "c.json", "c", "Statement C", "2024-01-03");
    // The worker ends when the watch is gone, so the channel disconnects
    // instead of delivering c.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match reloads.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("the worker outlived its watch"),
            Ok(reloaded) => assert!(!ids(&reloaded).contains("c"), "{reloaded:?}"),
        }
    }
}

// ---- Holding back fresh problems ----

fn problem(path: &Path, message: &str) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        record: None,
        message: message.into(),
        severity: Severity::Error,
    }
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path)
        .and_then(|meta| meta.modified())
        .expect("a modification time")
}

#[test]
fn problems_in_fresh_files_are_held_back_per_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let one = dir.path().join("one.json");
    let two = dir.path().join("two.json");
    fs::write(&one, "{").expect("writing");
    fs::write(&two, "[").expect("writing");
    let mut problems = vec![
        problem(&one, "first"),
        problem(&one, "second"),
        problem(&two, "third"),
    ];
    let now = modified(&one).max(modified(&two));
    assert_eq!(hold_back_fresh_problems(&mut problems, now), 2, "two files");
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn problems_in_files_older_than_the_window_are_kept() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let old = dir.path().join("old.json");
    let fresh = dir.path().join("fresh.json");
    fs::write(&old, "{").expect("writing");
    fs::write(&fresh, "{").expect("writing");
    OpenOptions::new()
        .write(true)
        .open(&old)
        .and_then(|file| file.set_modified(SystemTime::now() - Duration::from_secs(60)))
        .expect("ageing the file");
    let gone = dir.path().join("gone.json");
    let mut problems = vec![
        problem(&old, "old"),
        problem(&fresh, "fresh"),
        problem(&gone, "removed since"),
    ];
    let held = hold_back_fresh_problems(&mut problems, SystemTime::now());
    assert_eq!(held, 1);
    let kept: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(kept, ["old", "removed since"]);

    // A little later the fresh file is old too.
    let mut problems = vec![problem(&fresh, "fresh")];
    let later = modified(&fresh) + Duration::from_secs(5);
    assert_eq!(hold_back_fresh_problems(&mut problems, later), 0);
    assert_eq!(problems.len(), 1);
}

// ---- The state taking a reloaded archive ----

/// A folder of six statements: four about a harbour, two about fisheries.
fn state_folder() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let statements = [
        ("h1", "Harbour accord: first round", "2024-01-01"),
        ("h2", "Harbour accord: second round", "2024-01-05"),
        ("h3", "Harbour accord: third round", "2024-01-09"),
        ("h4", "Harbour accord: fourth round", "2024-01-13"),
        ("f1", "Fisheries quota agreed", "2024-01-03"),
        ("f2", "Fisheries quota reviewed", "2024-01-07"),
    ];
    for (id, title, date) in statements {
        write_record(dir.path(), &format!("{id}.json"), id, title, date);
    }
    dir
}

fn state_on(dir: &Path) -> State {
    let archive = load(dir);
    assert!(archive.problems.is_empty(), "{:?}", archive.problems);
    let mut state = State::new(archive.name(), archive.statements, 0);
    state.update(Action::Resize(80, 24));
    state
}

/// Reloads `dir` into `state` as the event loop does, with no file held back.
fn reload(state: &mut State, dir: &Path) {
    let archive = load(dir);
    let index = Index::new(&archive.statements);
    app::handle(
        state,
        Input::Reloaded(Box::new(Reloaded::new(archive, index, 0))),
    );
}

fn selected_id(state: &State) -> String {
    state
        .selected_statement()
        .expect("a statement under the cursor")
        .id
        .clone()
}

fn chosen_ids(state: &State) -> BTreeSet<String> {
    state
        .triage
        .chosen
        .iter()
        .map(|&index| state.catalog.statements[index].id.clone())
        .collect()
}

fn open_id(state: &State) -> Option<String> {
    match &state.view {
        View::Detail(detail) => Some(state.catalog.statements[detail.statement].id.clone()),
        _ => None,
    }
}

fn listed_ids(state: &State) -> Vec<String> {
    state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].id.clone())
        .collect()
}

/// A state on [`state_folder`] with the query `harbour`, sorted by title,
/// two rows chosen and the statement under the cursor open.
fn busy_state(dir: &Path) -> State {
    let mut state = state_on(dir);
    state.set_query("harbour".into());
    while state.sort() != Sort::Title {
        state.update(Action::CycleSort);
    }
    // Sorted by title: first, fourth, second, third. (Sorting keeps the
    // cursor on its statement: go to the top.)
    assert_eq!(listed_ids(&state), ["h1", "h4", "h2", "h3"]);
    state.update(Action::Top);
    state.update(Action::ToggleChosen); // h1, the cursor moves to h4
    state.update(Action::Down); // h2
    state.update(Action::ToggleChosen); // h2, the cursor moves to h3
    state.update(Action::Up); // h2
    assert_eq!(selected_id(&state), "h2");
    state.update(Action::Open);
    state.effects.clear();
    assert_eq!(open_id(&state).as_deref(), Some("h2"));
    state
}

/// As the browser runs it, a reload does not search the new archive on the
/// drawing thread: the list keeps its statements at their new places (one
/// gone, left out; the cursor on the same statement) and a search is asked
/// for; its results give the list a reload searched at once gives.
#[test]
fn a_reload_searches_in_the_background_and_lists_as_a_searched_one() {
    use communique::state::Effect;
    let dir = state_folder();
    let mut background = busy_state(dir.path());
    background.background_search = true;
    let mut at_once = busy_state(dir.path());
    fs::remove_file(dir.path().join("h4.json")).expect("remove");
    write_record(
        dir.path(),
        "h5.json",
        "h5",
        "Harbour accord: fifth round",
        "2024-01-17",
    );

    reload(&mut background, dir.path());
    assert_eq!(
        listed_ids(&background),
        ["h1", "h2", "h3"],
        "h4 gone, h5 not yet searched"
    );
    assert_eq!(selected_id(&background), "h2");
    let asked: Vec<u64> = std::mem::take(&mut background.effects)
        .into_iter()
        .filter_map(|effect| match effect {
            Effect::Search { generation, .. } => Some(generation),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "one search asked for");
    let hits = background.catalog.index.search(&background.query);
    background.search_done(asked[0], hits);

    reload(&mut at_once, dir.path());
    assert_eq!(listed_ids(&background), listed_ids(&at_once));
    assert_eq!(listed_ids(&background), ["h5", "h1", "h2", "h3"]);
    assert_eq!(selected_id(&background), selected_id(&at_once));
    assert_eq!(chosen_ids(&background), chosen_ids(&at_once));
    assert_eq!(open_id(&background), open_id(&at_once));
}

#[test]
fn new_statements_are_marked_new_and_the_place_is_kept() {
    let dir = state_folder();
    let mut state = busy_state(dir.path());
    let before_chosen = chosen_ids(&state);
    assert_eq!(
        before_chosen,
        BTreeSet::from(["h1", "h2"].map(String::from))
    );

    // Newer than everything, and sorting before h2 by title, so positions
    // in the archive and in the list both shift.
    write_record(
        dir.path(),
        "h0.json",
        "h0",
        "Harbour accord: a new round",
        "2024-02-01",
    );
    write_record(
        dir.path(),
        "f3.json",
        "f3",
        "Fisheries talks resume",
        "2024-02-02",
    );
    reload(&mut state, dir.path());

    assert_eq!(
        state.arrived,
        ["h0", "f3"].map(String::from).into_iter().collect(),
        "exactly the new statements are new"
    );
    assert_eq!(state.catalog.statements.len(), 8);
    assert_eq!(state.query_text, "harbour", "the query stays");
    assert_eq!(state.chosen_sort, Some(Sort::Title), "the sort stays");
    assert_eq!(listed_ids(&state), ["h0", "h1", "h4", "h2", "h3"]);
    assert_eq!(
        selected_id(&state),
        "h2",
        "the cursor stays on its statement"
    );
    assert_eq!(
        chosen_ids(&state),
        before_chosen,
        "the same rows stay chosen"
    );
    assert_eq!(
        open_id(&state).as_deref(),
        Some("h2"),
        "the open statement stays"
    );
    assert_eq!(state.status, None);
    assert_eq!(state.catalog.problems, 0);

    // Back in the list, the cursor is still on h2.
    state.update(Action::Back);
    assert_eq!(state.view, View::List);
    assert_eq!(selected_id(&state), "h2");

    // A later arrival adds to the new ones; a changed file is not new.
    write_record(
        dir.path(),
        "h5.json",
        "h5",
        "Harbour accord: fifth round",
        "2024-02-03",
    );
    write_record(
        dir.path(),
        "h1.json",
        "h1",
        "Harbour accord: first round (corrected)",
        "2024-01-01",
    );
    reload(&mut state, dir.path());
    assert_eq!(
        state.arrived,
        ["h0", "f3", "h5"].map(String::from).into_iter().collect()
    );
    assert_eq!(selected_id(&state), "h2");
    assert_eq!(chosen_ids(&state), before_chosen);
}

#[test]
fn the_open_statement_leaving_the_archive_returns_to_the_list() {
    let dir = state_folder();
    let mut state = busy_state(dir.path());
    fs::remove_file(dir.path().join("h2.json")).expect("removing");
    reload(&mut state, dir.path());
    assert_eq!(state.view, View::List, "back to the list");
    let status = state.status.clone().unwrap_or_default();
    assert!(status.contains("left the archive"), "status: {status:?}");
    assert_eq!(state.catalog.statements.len(), 5);
    assert_eq!(listed_ids(&state), ["h1", "h4", "h3"]);
    assert_eq!(
        chosen_ids(&state),
        BTreeSet::from(["h1".to_owned()]),
        "a chosen row that left is no longer chosen"
    );
    assert!(state.selected < state.hits.len(), "the cursor is on a row");
    assert!(state.arrived.is_empty());
    assert_eq!(state.query_text, "harbour");
}

#[test]
fn problems_are_updated_by_a_reload() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    assert_eq!(state.catalog.problems, 0);
    let broken = dir.path().join("broken.json");
    fs::write(&broken, "{\"id\": \"x\", ").expect("writing");
    reload(&mut state, dir.path());
    assert_eq!(state.catalog.problems, 1);
    assert_eq!(state.catalog.problem_lines.len(), 1);
    assert!(
        state.catalog.problem_lines[0].contains("broken.json"),
        "{:?}",
        state.catalog.problem_lines
    );
    let archive = load(dir.path());
    assert_eq!(
        state.catalog.problem_lines,
        communique::catalog::problem_lines(&archive),
        "as `check` prints them"
    );
    state.update(Action::Problems);
    assert_eq!(state.view, View::Problems(0));

    // Mended while the panel is open: the panel empties.
    write_record(dir.path(), "broken.json", "x", "Mended", "2024-03-01");
    reload(&mut state, dir.path());
    assert_eq!(state.catalog.problems, 0);
    assert!(state.catalog.problem_lines.is_empty());
    assert_eq!(state.view, View::Problems(0));
    assert!(state.arrived.contains("x"));
}

#[test]
fn a_reload_with_files_held_back_says_so() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    let archive = load(dir.path());
    let index = Index::new(&archive.statements);
    app::handle(
        &mut state,
        Input::Reloaded(Box::new(Reloaded::new(archive, index, 2))),
    );
    let status = state.status.clone().unwrap_or_default();
    assert!(
        status.contains("2 file(s) still being written"),
        "status: {status:?}"
    );
    assert!(state.arrived.is_empty(), "nothing new");
}

#[test]
fn a_reload_from_the_watcher_reaches_the_state() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    let (_watch, reloads) = watch(dir.path(), false);
    write_record(
        dir.path(),
        "n1.json",
        "n1",
        "Harbour accord: news",
        "2024-03-01",
    );
    let waited = wait_for(&reloads, "holding n1", TIMEOUT, |r| ids(r).contains("n1"));
    for reloaded in waited.seen {
        app::handle(&mut state, Input::Reloaded(Box::new(reloaded)));
    }
    assert_eq!(state.arrived, ["n1".to_owned()].into_iter().collect());
    assert_eq!(state.catalog.statements.len(), 7);
    assert_eq!(
        selected_id(&state),
        "h4",
        "the cursor stays on the first row's statement"
    );
}

// ---- Bugs ----

#[test]
fn statements_that_arrive_and_leave_are_no_longer_counted_new() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    let new = write_record(
        dir.path(),
        "n1.json",
        "n1",
        "Harbour accord: news",
        "2024-03-01",
    );
    reload(&mut state, dir.path());
    assert_eq!(state.arrived.len(), 1);
    fs::remove_file(new).expect("removing");
    reload(&mut state, dir.path());
    assert!(
        state.arrived.is_empty(),
        "n1 is gone but still counted new: {:?}",
        state.arrived
    );
}

#[test]
fn statements_copied_into_an_empty_archive_are_new() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut state = state_on(dir.path());
    assert!(state.catalog.statements.is_empty());
    write_record(dir.path(), "n1.json", "n1", "First arrival", "2024-03-01");
    reload(&mut state, dir.path());
    assert_eq!(state.catalog.statements.len(), 1);
    assert_eq!(state.arrived, ["n1".to_owned()].into_iter().collect());
}

#[test]
fn a_statement_open_under_the_help_overlay_stays_the_same_statement() {
    let dir = state_folder();
    let mut state = busy_state(dir.path());
    state.update(Action::Help);
    assert!(matches!(state.view, View::Help(_)));
    // Newest first: h0 takes archive position 0 and every index shifts.
    write_record(
        dir.path(),
        "h0.json",
        "h0",
        "Harbour accord: a new round",
        "2024-02-01",
    );
    reload(&mut state, dir.path());
    state.update(Action::Back);
    let View::Detail(detail) = &state.view else {
        panic!("the help overlay closes onto the detail: {:?}", state.view);
    };
    let shown = state
        .catalog
        .statements
        .get(detail.statement)
        .map(|s| s.id.as_str());
    assert_eq!(
        shown,
        Some("h2"),
        "the detail under help shows another statement"
    );
}

#[test]
fn a_visual_range_spans_the_same_statements_after_a_reload() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    // Newest first: h4, h3, f2, h2, f1, h1.
    state.update(Action::Down); // h3
    state.update(Action::VisualRange);
    state.update(Action::Down); // f2
    write_record(
        dir.path(),
        "h0.json",
        "h0",
        "Harbour accord: a new round",
        "2024-02-01",
    );
    reload(&mut state, dir.path());
    assert_eq!(selected_id(&state), "f2");
    state.update(Action::VisualRange);
    assert_eq!(
        chosen_ids(&state),
        BTreeSet::from(["h3", "f2"].map(String::from)),
        "the range covers the rows it covered before the reload"
    );
}

#[test]
fn drawing_help_over_a_detail_after_files_left_does_not_panic() {
    use communique::ui::{Screen, Theme};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let dir = state_folder();
    let mut state = state_on(dir.path());
    state.update(Action::Bottom); // h1, the oldest: the last archive position
    state.update(Action::Open);
    state.effects.clear();
    assert_eq!(open_id(&state).as_deref(), Some("h1"));
    state.update(Action::Help);
    fs::remove_file(dir.path().join("f1.json")).expect("removing");
    fs::remove_file(dir.path().join("f2.json")).expect("removing");
    reload(&mut state, dir.path());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        terminal
            .draw(|frame| {
                frame.render_widget(
                    Screen {
                        state: &state,
                        theme: Theme::default(),
                    },
                    frame.area(),
                );
            })
            .map(|_| ())
    }));
    assert!(
        matches!(drawn, Ok(Ok(()))),
        "drawing the help overlay over the detail panicked"
    );
}

#[test]
fn the_retrying_status_goes_once_the_file_is_reported() {
    let dir = state_folder();
    let mut state = state_on(dir.path());
    fs::write(dir.path().join("broken.json"), "{\"id\": ").expect("writing");
    let held = load(dir.path());
    let index = Index::new(&held.statements);
    let mut held_archive = held.clone();
    held_archive.problems.clear();
    app::handle(
        &mut state,
        Input::Reloaded(Box::new(Reloaded::new(held_archive, index, 1))),
    );
    assert!(
        state
            .status
            .as_deref()
            .is_some_and(|s| s.contains("still being written"))
    );
    // Two seconds on the file is reported.
    reload(&mut state, dir.path());
    assert_eq!(state.catalog.problems, 1);
    let status = state.status.clone().unwrap_or_default();
    assert!(
        !status.contains("still being written"),
        "the file is reported, no longer retried, but the status says: {status:?}"
    );
}

#[test]
fn an_archive_that_is_one_file_is_watched_through_atomic_saves() {
    // Editors save by writing a new file and renaming it over the old one.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = write_record(dir.path(), "one.json", "one", "Version 1", "2024-01-01");
    let (_watch, reloads) = watch(&file, false);
    for version in 2..=3 {
        let title = format!("Version {version}");
        let temporary = write_record(dir.path(), ".one.json.tmp", "one", &title, "2024-01-01");
        fs::rename(&temporary, &file).expect("saving over the file");
        wait_for(&reloads, &format!("with {title}"), TIMEOUT, |r| {
            r.catalog.find("one").is_some_and(|s| s.title == title)
        });
    }
}
