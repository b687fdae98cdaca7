//! The catalog snapshot (issue 16): an archive opened from the cache is the
//! archive read from its files — every statement, field, origin, contact
//! and problem — over every fixture of every format at once (real GOV.UK,
//! feeds, Markdown, mojibake, hostile and broken files, duplicates); and a
//! snapshot that is stale, truncated, damaged, foreign, of another version
//! or made with other settings is refused with the reason and made again,
//! never trusted. The commands give the same answers warm as cold.

#[path = "support/kept_text.rs"]
mod kept_text;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use communique::catalog::{self, Refused, Source, Warmth, snapshot};
use communique::loader::{Archive, LoadOptions, ReadPolicy, file_stamps, load_with};
use communique::search::{Index, parse, signed};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("folder");
    for entry in fs::read_dir(from).expect("fixture folder") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copied");
        }
    }
}

/// One folder holding the bundled archive and every format's fixtures,
/// broken and hostile ones included.
fn everything(dir: &Path) -> PathBuf {
    let root = dir.join("archive");
    copy_tree(&repo("archive"), &root.join("bundled"));
    for fixture in [
        "native",
        "govuk",
        "govuk-schemas",
        "govuk-text",
        "govuk-versions",
        "feeds",
        "markdown",
        "mojibake",
        "broken",
        "hostile",
        "whitehouse",
    ] {
        copy_tree(
            &repo(&format!("tests/fixtures/{fixture}")),
            &root.join(fixture),
        );
    }
    // Signatories who sign several statements (the loader shares one copy).
    let lines: Vec<String> = (0..3)
        .map(|n| {
            serde_json::json!({
                "id": format!("joint-{n}"),
                "title": format!("Joint statement {n}"),
                "published": format!("2024-0{}-01", n + 1),
                "signatories": [
                    {"role": "Minister for Foreign Affairs", "country": "Japan"},
                    {"name": "Penny Wong", "country": "Australia"},
                ],
            })
            .to_string()
        })
        .collect();
    fs::write(root.join("repeated.jsonl"), lines.join("\n")).expect("written");
    root
}

/// The archive read from its files, as every command read it before the
/// snapshot (bodies on disk, in the loader's order).
fn from_files(root: &Path, policy: ReadPolicy) -> Archive {
    let options = LoadOptions {
        bodies_on_disk: true,
        policy,
        ..LoadOptions::default()
    };
    load_with(root, options, &mut |_, _| {}).expect("the archive loads")
}

fn assert_same(warm: &Archive, cold: &Archive) {
    assert_eq!(warm.statements.len(), cold.statements.len());
    for (warm, cold) in warm.statements.iter().zip(&cold.statements) {
        assert_eq!(warm, cold, "statement {} differs", cold.id);
        assert_eq!(warm.origin, cold.origin, "{}'s origin differs", cold.id);
        // Shared as loaded: one copy per distinct signatory.
        assert_eq!(warm.signatories, cold.signatories);
    }
    assert_eq!(warm.contacts, cold.contacts);
    assert_eq!(warm.problems, cold.problems);
    assert_eq!(warm.skipped, cold.skipped);
    assert_eq!(warm.files_read, cold.files_read);
}

fn source(root: &Path, cache: &Path) -> Source {
    Source::new(root, ReadPolicy::default(), Some(cache))
}

fn open(source: &Source) -> (Archive, Warmth) {
    catalog::load_in_file_order(source).expect("the archive opens")
}

fn refused(warmth: &Warmth) -> String {
    match warmth {
        Warmth::Cold {
            refused: Some(Refused::Unusable(why)),
            kept: Ok(()),
        } => why.clone(),
        other => panic!("expected a refused snapshot made again, got {other:?}"),
    }
}

#[test]
fn a_warm_open_gives_the_archive_as_read_from_its_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let cold = from_files(&root, ReadPolicy::default());
    assert!(cold.statements.len() > 60, "{}", cold.statements.len());
    assert!(cold.problems.len() > 10, "the broken files report problems");
    assert!(
        !cold.contacts.is_empty(),
        "GOV.UK contact items give contacts"
    );

    let (first, warmth) = open(&source(&root, &cache));
    assert!(
        matches!(
            warmth,
            Warmth::Cold {
                refused: Some(Refused::NotKept),
                kept: Ok(())
            }
        ),
        "{warmth:?}"
    );
    assert_same(&first, &cold);

    let (second, warmth) = open(&source(&root, &cache));
    assert_eq!(warmth, Warmth::Warm);
    assert_same(&second, &cold);
    // Signatories are shared again, as the loader shares them: one copy
    // of each distinct signatory.
    let distinct = |archive: &Archive| {
        let mut copies: Vec<*const communique::records::Signatory> = archive
            .statements
            .iter()
            .flat_map(|statement| &statement.signatories)
            .map(std::sync::Arc::as_ptr)
            .collect();
        copies.sort_unstable();
        copies.dedup();
        copies.len()
    };
    let signed: usize = cold.statements.iter().map(|s| s.signatories.len()).sum();
    assert!(distinct(&cold) < signed, "the fixtures repeat signatories");
    assert_eq!(distinct(&second), distinct(&cold));
}

#[test]
fn a_changed_added_or_removed_file_is_read_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let source = source(&root, &cache);
    open(&source);

    // Changed in place (same inode, another size and time).
    let seed = root.join("bundled/dprk-russia-joint-statement-2024-01-12.json");
    let text = fs::read_to_string(&seed).expect("seed");
    fs::write(
        &seed,
        text.replace("DPRK-Russia ballistic", "DPRK–Russia ballistic"),
    )
    .expect("written");
    let (archive, warmth) = open(&source);
    assert!(refused(&warmth).contains("changed since"), "{warmth:?}");
    assert!(
        archive
            .statements
            .iter()
            .any(|statement| statement.title.starts_with("DPRK–Russia ballistic")),
        "the new text is read"
    );
    assert_same(&archive, &from_files(&root, ReadPolicy::default()));
    assert_eq!(open(&source).1, Warmth::Warm);

    // Added.
    fs::write(
        root.join("new.json"),
        r#"{"id":"new-one","title":"Added since","published":"2026-12-06"}"#,
    )
    .expect("written");
    let (archive, warmth) = open(&source);
    assert!(refused(&warmth).contains("files changed"), "{warmth:?}");
    assert!(archive.find("new-one").is_some());

    // Removed.
    fs::remove_file(root.join("new.json")).expect("removed");
    let (archive, warmth) = open(&source);
    assert!(refused(&warmth).contains("files changed"), "{warmth:?}");
    assert!(archive.find("new-one").is_none());

    // Replaced by another file of the same size and time (another inode).
    let copy = root.join("seed.tmp");
    fs::copy(&seed, &copy).expect("copied");
    let modified = fs::metadata(&seed)
        .and_then(|m| m.modified())
        .expect("mtime");
    fs::File::options()
        .write(true)
        .open(&copy)
        .and_then(|file| file.set_modified(modified))
        .expect("time set");
    fs::rename(&copy, &seed).expect("replaced");
    let (_, warmth) = open(&source);
    assert!(refused(&warmth).contains("changed since"), "{warmth:?}");
}

#[test]
fn a_truncated_damaged_foreign_or_other_version_snapshot_is_never_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let source = source(&root, &cache);
    let cold = from_files(&root, ReadPolicy::default());
    open(&source);
    let file = snapshot::file_for(&cache, &root);
    let good = fs::read(&file).expect("the snapshot is kept");

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut in half", good[..good.len() / 2].to_vec(), "truncated"),
        (
            "its last byte gone",
            good[..good.len() - 1].to_vec(),
            "truncated",
        ),
        (
            "one byte changed in the middle",
            {
                let mut bytes = good.clone();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x40;
                bytes
            },
            "damaged",
        ),
        (
            "another format version",
            {
                let mut bytes = good.clone();
                bytes[16] = bytes[16].wrapping_add(1);
                bytes
            },
            "another version",
        ),
        ("empty", Vec::new(), "not a communique catalog"),
        (
            "not a catalog",
            b"SQLite format 3\0 something else".to_vec(),
            "not a communique catalog",
        ),
    ];
    for (what, bytes, why) in cases {
        fs::write(&file, &bytes).expect("written");
        let (archive, warmth) = open(&source);
        let said = refused(&warmth);
        assert!(said.contains(why), "{what}: {said:?}");
        assert_same(&archive, &cold);
        // Made again: the next open is warm and right.
        let (archive, warmth) = open(&source);
        assert_eq!(warmth, Warmth::Warm, "{what}");
        assert_same(&archive, &cold);
    }

    // Another archive's snapshot under this one's name.
    let other = dir.path().join("other");
    fs::create_dir_all(&other).expect("folder");
    fs::copy(
        repo("archive/dprk-russia-joint-statement-2024-01-12.json"),
        other.join("seed.json"),
    )
    .expect("copied");
    let other_source = Source::new(&other, ReadPolicy::default(), Some(&cache));
    open(&other_source);
    fs::copy(snapshot::file_for(&cache, &other), &file).expect("copied");
    let (archive, warmth) = open(&source);
    assert!(
        refused(&warmth).contains("made for another archive"),
        "{warmth:?}"
    );
    assert_same(&archive, &cold);
}

#[test]
fn other_reading_settings_are_not_served_from_the_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    open(&source(&root, &cache));
    let tokyo = ReadPolicy {
        time_zone: Some(chrono_tz::Asia::Tokyo),
        ..ReadPolicy::default()
    };
    let (archive, warmth) = open(&Source::new(&root, tokyo, Some(&cache)));
    assert!(
        refused(&warmth).contains("other reading settings"),
        "{warmth:?}"
    );
    assert_same(&archive, &from_files(&root, tokyo));
    let (archive, warmth) = open(&Source::new(&root, tokyo, Some(&cache)));
    assert_eq!(warmth, Warmth::Warm);
    assert_same(&archive, &from_files(&root, tokyo));
}

#[test]
fn without_a_cache_folder_nothing_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let (archive, warmth) = open(&Source::new(&root, ReadPolicy::default(), None));
    assert!(matches!(warmth, Warmth::Cold { refused: None, .. }));
    assert_same(&archive, &from_files(&root, ReadPolicy::default()));
    let stamps = file_stamps(&root, ReadPolicy::default()).expect("stamps");
    assert_eq!(
        snapshot::read(
            &dir.path().join("cache"),
            &root,
            ReadPolicy::default(),
            &stamps
        )
        .err(),
        Some(Refused::NotKept)
    );
}

/// `communique` with its cache folder in `cache`.
fn communique(root: &Path, cache: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("--archive")
        .arg(root)
        .arg("--cache")
        .arg(cache)
        .env("XDG_STATE_HOME", cache.join("state"))
        .args(args)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .output()
        .expect("communique runs");
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_commands_answer_the_same_warm_as_cold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--json"],
        &["list", "--csv"],
        &["list", "--query", "japan", "--json"],
        &["list", "--query", "sig:korea -kind:speech"],
        &["list", "--query", "text:\"ballistic missile\"", "--json"],
        &[
            "show",
            "dprk-russia-ballistic-missile-transfers-2024-01-12",
            "--json",
        ],
        &["show", "dprk-russia-ballistic-missile-transfers-2024-01-12"],
        &["stats", "--by", "country", "--json"],
        &["signatory", "penny", "wong", "--json"],
        &["contacts", "--json"],
    ];
    let cache = dir.path().join("cache");
    let fresh: Vec<String> = commands
        .iter()
        .map(|args| {
            // A cache folder of its own each time: always cold.
            let once = tempfile::tempdir().expect("tempdir");
            communique(&root, once.path(), args)
        })
        .collect();
    communique(&root, &cache, &["list", "--limit", "1"]);
    assert!(snapshot::file_for(&cache, &root).is_file());
    for (args, fresh) in commands.iter().zip(&fresh) {
        assert!(fresh.len() > 20, "{args:?} says something: {fresh:?}");
        assert_eq!(&communique(&root, &cache, args), fresh, "{args:?} warm");
    }
}

/// `communique` in restricted mode without `--cache`: nothing kept, every
/// body read for `text:`. Standard output and standard error.
fn uncached(root: &Path, home: &Path, args: &[&str]) -> (String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("--restricted")
        .arg("--archive")
        .arg(root)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("COMMUNIQUE_ARCHIVE")
        .args(args)
        .output()
        .expect("communique runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).expect("UTF-8"),
        String::from_utf8(output.stderr).expect("UTF-8"),
    )
}

/// Standard error of `communique` with its cache folder in `cache`.
fn warnings(root: &Path, cache: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("--archive")
        .arg(root)
        .arg("--cache")
        .arg(cache)
        .env("XDG_STATE_HOME", cache.join("state"))
        .args(args)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .output()
        .expect("communique runs");
    String::from_utf8(output.stderr).expect("UTF-8")
}

/// `list --query 'text:…'` with a cache folder keeps the full-text index
/// there (as the browser does) and answers from it next time without
/// reading a body: the same lines, JSON (snippets included) and CSV as
/// reading every body, after the archive changes, and when the kept index
/// is damaged, even inside the full-text index where the quick checks a
/// command makes do not look.
#[test]
fn a_text_search_keeps_its_index_and_answers_as_reading_every_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let home = dir.path().join("home");
    let cache = dir.path().join("cache");
    let queries: &[&[&str]] = &[
        &["list", "--query", "text:\"ballistic missile\""],
        &["list", "--query", "text:\"ballistic missile\"", "--json"],
        &["list", "--query", "text:trade", "--csv"],
        &["list", "--query", "text:minister* -text:japan"],
        &[
            "list",
            "--query",
            "text:korea* text:ukrain*",
            "--limit",
            "3",
            "--json",
        ],
    ];
    let answers = |cache: &Path| -> Vec<String> {
        queries
            .iter()
            .map(|args| communique(&root, cache, args))
            .collect()
    };
    let read_every_body: Vec<String> = queries
        .iter()
        .map(|args| uncached(&root, &home, args).0)
        .collect();
    assert!(
        !home.join("cache").exists(),
        "restricted without --cache keeps nothing"
    );
    for (args, answer) in queries.iter().zip(&read_every_body) {
        assert!(answer.len() > 20, "{args:?} finds something: {answer:?}");
    }
    let kept = communique::search::text::cache::file_for(&cache, &root);
    assert_eq!(answers(&cache), read_every_body, "building the kept index");
    assert!(kept.is_file(), "the index is kept");
    assert_eq!(answers(&cache), read_every_body, "from the kept index");
    // A statement added: indexed too, the rest kept.
    fs::write(
        root.join("added.json"),
        serde_json::json!({
            "id": "added-kherson",
            "title": "Kherson grain corridor",
            "published": "2030-01-01",
            "body": "Ballistic missile strikes on Kherson.",
        })
        .to_string(),
    )
    .expect("written");
    let read_every_body: Vec<String> = queries
        .iter()
        .map(|args| uncached(&root, &home, args).0)
        .collect();
    assert!(read_every_body[0].contains("added-kherson"));
    assert_eq!(answers(&cache), read_every_body, "after a change");
    // Not a database at all: built again.
    fs::write(&kept, b"garbage").expect("written");
    assert_eq!(answers(&cache), read_every_body, "a garbage index");
    // One byte of the text index changed (its largest file, a segment's
    // own): found at open by the file's checksum, built again, answered
    // the same; the index built again is sound.
    kept_text::damage_text(&kept);
    assert_eq!(answers(&cache), read_every_body, "a damaged text index");
    let stamps = file_stamps(&root, ReadPolicy::default()).expect("stamps");
    let reopened = communique::search::text::cache::open(&cache, &root, &stamps).expect("opened");
    assert_eq!(reopened.rebuilt, None, "built again whole");
    drop(reopened);
    // Another communique (a browser) writing the kept index: answered by
    // reading every body, and said.
    let stamps = file_stamps(&root, ReadPolicy::default()).expect("stamps");
    let held = communique::search::text::cache::open(&cache, &root, &stamps).expect("opened");
    let said = warnings(&root, &cache, queries[0]);
    assert!(said.contains("another communique is using"), "{said}");
    assert_eq!(answers(&cache), read_every_body, "an index in use");
    drop(held);
}

/// Each query's answer (ids and scores, in order) from an index over an
/// archive's statements.
fn answers(archive: &Archive, index: &Index) -> Vec<Vec<(String, i64)>> {
    [
        "japan",
        "joint statement",
        "wong",
        "sig:japan",
        "sig:=australia",
        "kind:speech -ukraine",
        "'covid",
        "org:fcdo",
        "fcdo",
        "is:withdrawn",
        "-is:withdrawn date:2024",
        "zzqx",
    ]
    .iter()
    .map(|query| {
        index
            .search(&parse(query).expect("a query"))
            .into_iter()
            .map(|hit| (archive.statements[hit.index].id.clone(), hit.score))
            .collect()
    })
    .collect()
}

/// Whether the search index kept beside the snapshot is the one for the
/// snapshot as it is now.
fn kept_index_trusted(root: &Path, cache: &Path) -> bool {
    let stamps = file_stamps(root, ReadPolicy::default()).expect("stamps");
    let (archive, generation) =
        snapshot::read(cache, root, ReadPolicy::default(), &stamps).expect("a snapshot");
    snapshot::read_index(cache, root, generation, &signed(&archive.statements), true).is_ok()
}

#[test]
fn a_kept_search_index_answers_as_one_made_now_and_a_stale_or_damaged_one_is_made_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let source = source(&root, &cache);
    let catalog::Indexed {
        archive,
        index,
        warmth,
        ..
    } = catalog::load_indexed(&source).expect("opens");
    assert!(matches!(warmth, Warmth::Cold { .. }), "{warmth:?}");
    let expected = answers(&archive, &Index::new(&archive.statements));
    assert!(expected.iter().filter(|found| !found.is_empty()).count() >= 8);
    assert_eq!(answers(&archive, &index), expected);
    let kept = snapshot::index_file_for(&cache, &root);
    assert!(kept_index_trusted(&root, &cache), "kept by the first open");
    let written = fs::read(&kept).expect("the kept index");

    // Warm: the kept index answers, and is left as it is.
    let catalog::Indexed {
        archive: warm,
        index,
        warmth,
        ..
    } = catalog::load_indexed(&source).expect("opens");
    assert_eq!(warmth, Warmth::Warm);
    assert_eq!(answers(&warm, &index), expected);
    assert_eq!(fs::read(&kept).expect("the kept index"), written);

    // Damaged: never searched; made again and kept.
    let mut flipped = written.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    let spoiled: [(&str, Vec<u8>); 4] = [
        ("garbage", b"not an index at all".to_vec()),
        ("truncated", written[..written.len() / 2].to_vec()),
        ("a byte changed", flipped),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in spoiled {
        fs::write(&kept, bytes).expect("spoiled");
        assert!(!kept_index_trusted(&root, &cache), "{what} trusted");
        let catalog::Indexed {
            archive: warm,
            index,
            warmth,
            ..
        } = catalog::load_indexed(&source).expect("opens");
        assert_eq!(warmth, Warmth::Warm, "{what}");
        assert_eq!(answers(&warm, &index), expected, "{what}");
        assert!(kept_index_trusted(&root, &cache), "{what}: kept again");
    }

    // Stale: the index of the archive before a change, put back beside the
    // snapshot made after it, is refused (it names the older snapshot).
    let before = fs::read(&kept).expect("the kept index");
    let added = serde_json::json!({
        "id": "japan-added",
        "title": "Japan: statement added since",
        "published": "2031-01-01",
        "signatories": [{"name": "Penny Wong", "country": "Australia"}],
    });
    let mut lines = fs::read_to_string(root.join("repeated.jsonl")).expect("lines");
    lines.push('\n');
    lines.push_str(&added.to_string());
    fs::write(root.join("repeated.jsonl"), lines).expect("written");
    let catalog::Indexed {
        archive: changed,
        index: _,
        warmth,
        ..
    } = catalog::load_indexed(&source).expect("opens");
    assert!(matches!(warmth, Warmth::Cold { .. }), "{warmth:?}");
    let expected = answers(&changed, &Index::new(&changed.statements));
    assert!(expected[0].iter().any(|(id, _)| id == "japan-added"));
    fs::write(&kept, &before).expect("the old index put back");
    assert!(!kept_index_trusted(&root, &cache), "an older index trusted");
    let catalog::Indexed {
        archive: warm,
        index,
        warmth,
        ..
    } = catalog::load_indexed(&source).expect("opens");
    assert_eq!(warmth, Warmth::Warm);
    assert_eq!(answers(&warm, &index), expected);
    assert!(kept_index_trusted(&root, &cache));

    // The command answers the same from the kept index as without a cache.
    let home = dir.path().join("home");
    for query in ["japan", "wong", "kind:speech -ukraine"] {
        let (cached, _) = uncached(&root, &home, &["list", "--json", "--query", query]);
        assert_eq!(
            communique(&root, &cache, &["list", "--json", "--query", query]),
            cached,
            "{query}"
        );
    }
}

/// What a writer left half-written when its process ended (a browser quit
/// while keeping a million statements' snapshot) is removed by the next
/// writer; what a live process is writing is left alone.
#[test]
fn files_left_half_written_by_ended_processes_are_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    fs::create_dir_all(&cache).expect("cache folder");
    let catalog = snapshot::file_for(&cache, &root);
    let index = snapshot::index_file_for(&cache, &root);
    // No process has an id this high (Linux allows up to 4,194,304);
    // process 1 is always alive.
    let ended = [
        catalog.with_extension("tmp-4000000000"),
        index.with_extension("tmp-4000000001"),
    ];
    let alive = [
        catalog.with_extension("tmp-1"),
        index.with_extension("tmp-1"),
    ];
    for path in ended.iter().chain(&alive) {
        fs::write(path, b"half a snapshot").expect("written");
    }
    let catalog::Indexed { warmth, .. } =
        catalog::load_indexed(&source(&root, &cache)).expect("opens");
    assert!(
        matches!(warmth, Warmth::Cold { kept: Ok(()), .. }),
        "{warmth:?}"
    );
    for path in &ended {
        assert!(!path.exists(), "{} left", path.display());
    }
    for path in &alive {
        assert!(path.exists(), "{} removed", path.display());
    }
    assert!(catalog.is_file() && index.is_file());
}

/// The newest-first order is kept beside the index, so a warm open sorts
/// nothing; a kept order that is not the archive's (written whole, with
/// good checksums, by a faulty or foreign writer) is never used: every
/// command lists newest first all the same.
#[test]
fn a_kept_order_is_used_only_when_it_is_the_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let source = source(&root, &cache);
    let home = dir.path().join("home");
    let expected = uncached(&root, &home, &["list", "--json"]).0;
    let fresh = catalog::load_indexed(&source).expect("opens");
    let made = catalog::newest_order(&fresh.archive.statements).order;
    assert_eq!(fresh.order, made);
    assert!(made.len() >= 10, "enough statements to tell orders apart");

    let warm = catalog::load_indexed(&source).expect("opens");
    assert_eq!(warm.warmth, Warmth::Warm);
    assert_eq!(warm.order, made, "kept");
    assert_eq!(warm.into_catalog().order, made);
    assert_eq!(communique(&root, &cache, &["list", "--json"]), expected);

    let stamps = file_stamps(&root, ReadPolicy::default()).expect("stamps");
    let (archive, generation) =
        snapshot::read(&cache, &root, ReadPolicy::default(), &stamps).expect("a snapshot");
    let index = Index::new(&archive.statements);
    let mut reversed = made.clone();
    reversed.reverse();
    let mut swapped = made.clone();
    swapped.swap(0, 1);
    for (what, wrong) in [("reversed", reversed), ("two swapped", swapped)] {
        snapshot::write_index(&cache, &root, generation, &index, &wrong, None).expect("written");
        let warm = catalog::load_indexed(&source).expect("opens");
        assert_eq!(warm.warmth, Warmth::Warm, "{what}");
        assert_eq!(warm.order, wrong, "{what}: read");
        assert_eq!(warm.into_catalog().order, made, "{what}: sorted again");
        assert_eq!(
            communique(&root, &cache, &["list", "--json"]),
            expected,
            "{what}"
        );
        assert_eq!(
            communique(&root, &cache, &["list", "--query", "japan"]),
            uncached(&root, &home, &["list", "--query", "japan"]).0,
            "{what}"
        );
    }
}

/// A full-text index cut short (a browser quit while indexing): a warm
/// `text:` search restores from the snapshot only the statements the index
/// lacks, indexes them, and answers as reading every body.
#[test]
fn a_text_search_completes_a_kept_index_cut_short_from_the_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let home = dir.path().join("home");
    let cache = dir.path().join("cache");
    let queries: &[&[&str]] = &[
        &["list", "--query", "text:\"ballistic missile\"", "--json"],
        &["list", "--query", "text:minister* -text:japan"],
    ];
    let read_every_body: Vec<String> = queries
        .iter()
        .map(|args| uncached(&root, &home, args).0)
        .collect();
    // The snapshot kept, and a full-text index of its first five statements.
    let opened = catalog::load_indexed(&source(&root, &cache)).expect("opens");
    let statements = &opened.archive.statements;
    let stamps = file_stamps(&root, ReadPolicy::default()).expect("stamps");
    let kept = communique::search::text::cache::open(&cache, &root, &stamps).expect("opened");
    let ids: Vec<&str> = statements[..5].iter().map(|s| s.id.as_str()).collect();
    let texts: Vec<String> = statements[..5]
        .iter()
        .map(|s| communique::search::text::statement_text(s).expect("text"))
        .collect();
    kept.full_text
        .add_identified(0, &ids, &texts)
        .expect("indexed");
    drop(kept);
    assert!(
        catalog::load_shelved(&source(&root, &cache), catalog::Wanted::Searched)
            .expect("opens")
            .is_shelved()
    );
    for (args, expected) in queries.iter().zip(&read_every_body) {
        assert_eq!(&communique(&root, &cache, args), expected, "{args:?}");
    }
    let kept = communique::search::text::cache::open(&cache, &root, &stamps).expect("opened");
    assert_eq!(kept.full_text.indexed(), statements.len(), "completed");
}

/// A catalog left on the snapshot's shelf finds every statement by id as
/// one read from the files does, and no statement for an id it lacks.
#[test]
fn a_shelved_catalog_finds_each_statement_by_id_as_a_whole_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = everything(dir.path());
    let cache = dir.path().join("cache");
    let whole = catalog::load_indexed(&source(&root, &cache))
        .expect("opens")
        .into_catalog();
    assert!(!whole.is_shelved());
    // Opened to be listed (ordered), or only to look statements up by id
    // (`show`, `mark ID`: neither ordered nor indexed).
    for wanted in [catalog::Wanted::Listed, catalog::Wanted::Ids] {
        let shelved = catalog::load_shelved(&source(&root, &cache), wanted).expect("opens");
        assert!(shelved.is_shelved(), "kept by the first open");
        assert_eq!(shelved.len(), whole.statements.len());
        for statement in &whole.statements {
            let found = shelved.find(&statement.id).expect("found on the shelf");
            assert_eq!(found.id, statement.id);
            assert_eq!(found.title, statement.title);
            assert_eq!(found.signatories, statement.signatories);
            assert_eq!(found.published, statement.published);
            assert_eq!(
                shelved.position_of(&statement.id),
                whole.position_of(&statement.id)
            );
        }
        assert!(shelved.find("no-such-statement").is_none());
        let ordered = match wanted {
            catalog::Wanted::Ids => Vec::new(),
            _ => whole.order.clone(),
        };
        assert_eq!(shelved.order, ordered, "{wanted:?}");
    }
    assert!(whole.find("no-such-statement").is_none());
}
