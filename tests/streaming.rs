//! The first load streaming in: statements arriving in batches list exactly
//! as a whole load does, in every sort and for every query; the cursor stays
//! on its statement while they arrive; bodies stay on disk until shown.

#[path = "../examples/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::Path;
use std::sync::mpsc;

use communique::app::{Input, handle, loading};
use communique::keymap::Action;
use communique::loader::{LoadOptions, Progress, ReadPolicy, load, read_body, read_full};
use communique::records::Statement;
use communique::state::State;

/// `count` generated statements in file order (dates in no order, with
/// many on the same day).
fn generated(count: usize) -> Vec<Statement> {
    (1..=count)
        .map(|n| {
            let json = serde_json::to_string(&generate::record(11, n)).expect("serialise");
            serde_json::from_str(&json).expect("a generated record parses")
        })
        .collect()
}

fn ids(state: &State) -> Vec<String> {
    state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].id.clone())
        .collect()
}

fn whole(statements: &[Statement]) -> State {
    let mut sorted = statements.to_vec();
    sorted.sort_by(Statement::newest_first);
    let mut state = State::new("whole".into(), sorted, 0);
    state.update(Action::Resize(100, 30));
    state
}

/// Statements arriving as the loader sends them: with a snapshot of the
/// index that holds them too.
fn arrive(state: &mut State, batch: &[Statement]) {
    let mut index = state.catalog.index.clone();
    index.push(communique::search::Index::new(batch));
    state.statements_arrived(batch.to_vec(), index, Progress::default(), None);
}

/// A browser whose archive has begun to load, none of it arrived yet.
fn loading_browser() -> State {
    let mut state = State::new("streamed".into(), Vec::new(), 0);
    state.update(Action::Resize(100, 30));
    state.loading = Some(Progress::default());
    state
}

/// A browser whose archive arrives in batches of `size`, as the loader
/// sends them.
fn streamed(statements: &[Statement], size: usize) -> State {
    let mut state = loading_browser();
    for batch in statements.chunks(size) {
        arrive(&mut state, batch);
    }
    state.loading_done(Default::default(), Vec::new());
    state
}

const QUERIES: [&str; 7] = [
    "",
    "japan",
    "foreign affairs",
    "sig:japan",
    "year:2010",
    "minister -kind:speech",
    "'security council",
];

#[test]
fn batches_list_as_a_whole_load_does_in_every_sort() {
    let statements = generated(1_200);
    let mut expected = whole(&statements);
    let mut states = [streamed(&statements, 1), streamed(&statements, 97)];
    for query in QUERIES {
        expected.set_query(query.into());
        for state in &mut states {
            state.set_query(query.into());
        }
        // Every sort the cycle offers for this query, and back.
        for _ in 0..6 {
            assert!(
                !expected.hits.is_empty() || query.starts_with("year"),
                "{query:?}"
            );
            for state in &states {
                assert_eq!(
                    ids(state),
                    ids(&expected),
                    "{query:?} by {:?}",
                    expected.sort()
                );
            }
            expected.update(Action::CycleSort);
            for state in &mut states {
                state.update(Action::CycleSort);
            }
        }
    }
}

#[test]
fn the_cursor_stays_on_its_statement_while_more_arrive() {
    let statements = generated(900);
    let mut state = loading_browser();
    let (first, rest) = statements.split_at(300);
    arrive(&mut state, first);
    for _ in 0..7 {
        state.update(Action::Down);
    }
    let chosen = state.selected_statement().expect("selected").id.clone();
    let row = state.selected - state.offset;
    for batch in rest.chunks(100) {
        arrive(&mut state, batch);
        assert_eq!(state.selected_statement().expect("selected").id, chosen);
    }
    assert_eq!(state.catalog.statements.len(), 900);
    assert_eq!(state.hits.len(), 900);
    assert_eq!(
        state.selected - state.offset,
        row,
        "it stays on its row too"
    );
}

/// Writes generated records as JSON Lines.
fn write_archive(dir: &Path, count: usize) -> std::path::PathBuf {
    let path = dir.join("archive.jsonl");
    let lines: Vec<String> = (1..=count)
        .map(|n| serde_json::to_string(&generate::record(5, n)).expect("serialise"))
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    path
}

#[test]
fn the_loader_thread_streams_the_archive_with_bodies_left_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    // More than one message holds, so the loader merges runs into the order.
    let path = write_archive(dir.path(), 10_000);
    let full = load(&path, LoadOptions::default()).expect("loads");

    let mut state = loading_browser();
    let (send, arrivals) = mpsc::channel();
    loading::start(
        communique::catalog::Source::new(&path, ReadPolicy::default(), None),
        state.archive_number,
        loading::to_channel(send),
    );
    let mut last = Progress::default();
    let mut messages = 0;
    let mut sent = 0;
    // The contacts view open all through the load.
    state.update(Action::ShowContacts);
    let (mut finished, mut contacts) = (false, false);
    for input in arrivals {
        if let Input::Arrived(arrived) = &input {
            if arrived.contacts.is_some() {
                assert!(finished, "the directory follows the last batch");
                assert!(arrived.statements.is_empty() && arrived.finished.is_none());
                contacts = true;
            }
            finished |= arrived.finished.is_some();
            messages += usize::from(!arrived.statements.is_empty());
            sent += arrived.statements.len();
            // Each batch comes with a snapshot of the index of exactly the
            // statements sent so far, in few parts.
            assert_eq!(arrived.index.len(), sent);
            assert!(
                arrived.index.parts() <= 12,
                "{} parts",
                arrived.index.parts()
            );
            assert!(
                arrived.progress.bytes_done >= last.bytes_done,
                "progress only grows"
            );
            last = arrived.progress;
        }
        handle(&mut state, input);
        if finished && !contacts {
            // The load is done before the contacts are merged (at a
            // million statements, tens of seconds): the view says so.
            assert!(state.loading.is_none(), "the last batch ends the load");
            assert!(!state.catalog.contacts_known());
            assert!(screen(&state).contains("gathering contacts…"));
        }
    }
    assert!(contacts, "the directory is sent");
    assert!(
        state.loading.is_none(),
        "the last batch says the load is done"
    );
    let shown = screen(&state);
    assert!(
        !shown.contains("gathering contacts…") && shown.contains("Contacts · 1 / 1"),
        "the open contacts view searched the directory once it came:\n{shown}"
    );
    state.update(Action::Back);
    assert_eq!(last.bytes_done, last.bytes_total);
    assert_eq!(last.statements, 10_000);
    assert!(messages > 2, "{messages} messages");
    assert_eq!(state.catalog.index.len(), 10_000);
    assert_eq!(
        state.catalog.index.parts(),
        1,
        "a finished load's index is one part"
    );
    assert_eq!(state.catalog.problems, 0);
    assert!(
        !state.catalog.directory.entries.is_empty(),
        "the contacts directory is built"
    );

    let mut expected = State::new("whole".into(), full.statements.clone(), 0);
    expected.update(Action::Resize(100, 30));
    for query in QUERIES {
        state.set_query(query.into());
        expected.set_query(query.into());
        assert_eq!(ids(&state), ids(&expected), "{query:?}");
    }

    // Bodies are on disk, and read back whole.
    let on_disk = state
        .catalog
        .statements
        .iter()
        .filter(|s| s.body_on_disk())
        .count();
    let with_body = full.statements.iter().filter(|s| s.body.is_some()).count();
    assert_eq!(on_disk, with_body);
    for statement in state.catalog.statements.iter().step_by(97) {
        let original = full.find(&statement.id).expect("same statements");
        let read = read_full(statement).expect("read back");
        assert_eq!(read.body, original.body, "{}", statement.id);
        assert_eq!(read.title, original.title);
    }
}

/// The screen as drawn, at the state's size, without colour.
fn screen(state: &State) -> String {
    let (width, height) = state.size;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("a TestBackend");
    terminal
        .draw(|frame| {
            frame.render_widget(
                communique::ui::Screen {
                    state,
                    theme: communique::ui::Theme {
                        color: false,
                        palette: communique::ui::theme::Palette::dark(),
                    },
                },
                frame.area(),
            );
        })
        .expect("drawing");
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A browser whose archive the loader thread streams in from `source`,
/// run to the end of the load.
fn loaded_by_thread(source: communique::catalog::Source) -> State {
    let mut state = loading_browser();
    let (send, arrivals) = mpsc::channel();
    loading::start(source, state.archive_number, loading::to_channel(send));
    for input in arrivals {
        handle(&mut state, input);
    }
    assert!(state.loading.is_none());
    state
}

#[test]
fn a_browser_opened_warm_holds_and_finds_what_one_opened_cold_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_archive(dir.path(), 10_000);
    let cache = dir.path().join("cache");
    let source = communique::catalog::Source::new(&path, ReadPolicy::default(), Some(&cache));
    let fresh = loaded_by_thread(communique::catalog::Source::new(
        &path,
        ReadPolicy::default(),
        None,
    ));
    let cold = loaded_by_thread(source.clone());
    assert!(
        communique::catalog::snapshot::file_for(&cache, &path).is_file(),
        "the first open keeps a snapshot"
    );
    // The search index made while loading is kept beside the snapshot, and
    // the warm open searches with it (one it refused, it would make and
    // keep again).
    let kept_index = communique::catalog::snapshot::index_file_for(&cache, &path);
    let written = std::fs::read(&kept_index).expect("the first open keeps its search index");
    let inode =
        |path: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("kept"));
    let first = inode(&kept_index);
    let warm = loaded_by_thread(source.clone());
    assert_eq!(warm.status, None, "nothing to report: {:?}", warm.status);
    assert!(
        warm.catalog.is_shelved(),
        "taken whole from the snapshot, each statement restored when asked for"
    );
    assert_eq!(
        inode(&kept_index),
        first,
        "the kept index and contacts written again"
    );
    // A damaged one is never searched: the browser indexes as it loads,
    // finds the same, and keeps a good one again.
    std::fs::write(&kept_index, &written[..written.len() / 3]).expect("truncated");
    let mut mended = loaded_by_thread(source.clone());
    assert_ne!(
        std::fs::read(&kept_index).expect("kept again"),
        written[..written.len() / 3]
    );
    // Every statement at the same place (what a kept full-text index
    // counts on), fresh, cold and warm.
    let places = |state: &State| -> Vec<String> {
        state
            .catalog
            .statements
            .iter()
            .map(|s| s.id.clone())
            .collect()
    };
    assert_eq!(places(&cold), places(&fresh));
    assert_eq!(places(&warm), places(&fresh));
    assert_eq!(warm.catalog.statements, fresh.catalog.statements);
    // The newest-first order is kept beside the index and taken as it is;
    // one that is not the statements' order (a faulty writer's, with good
    // checksums) is sorted again.
    assert_eq!(warm.catalog.order, fresh.catalog.order);
    assert_eq!(mended.catalog.order, fresh.catalog.order);
    let stamps = communique::loader::file_stamps(&path, ReadPolicy::default()).expect("stamps");
    let (kept, generation) =
        communique::catalog::snapshot::read(&cache, &path, ReadPolicy::default(), &stamps)
            .expect("the snapshot");
    let mut wrong = fresh.catalog.order.clone();
    wrong.swap(0, 1);
    communique::catalog::snapshot::write_index(
        &cache,
        &path,
        generation,
        &communique::search::Index::new(&kept.statements),
        &wrong,
        Some(&warm.catalog.directory),
    )
    .expect("written");
    let misordered = loaded_by_thread(source.clone());
    assert_eq!(misordered.status, None, "the index itself is used");
    assert_eq!(misordered.catalog.order, fresh.catalog.order);
    drop((kept, misordered));
    // Every media contact of every statement, the last batch's too.
    let whole = communique::contacts::Directory::from_archive(
        &load(&path, LoadOptions::default()).expect("loads"),
    );
    assert_eq!(fresh.catalog.directory.entries, whole.entries);
    assert_eq!(warm.catalog.directory.entries, whole.entries);
    assert_eq!(mended.catalog.directory.entries, whole.entries);
    let full_text = [
        "text:minister",
        "text:\"foreign affairs\"",
        "text:secur* japan",
    ];
    let (mut fresh, mut warm) = (fresh, warm);
    for query in QUERIES.iter().chain(&full_text) {
        fresh.set_query((*query).into());
        warm.set_query((*query).into());
        mended.set_query((*query).into());
        assert_eq!(ids(&warm), ids(&fresh), "{query:?}");
        assert_eq!(
            ids(&mended),
            ids(&fresh),
            "{query:?} with the kept index damaged"
        );
        assert!(!ids(&fresh).is_empty(), "{query:?} finds something");
    }
    // A reload after a change is read from the files and kept again; the
    // next open is warm with the change.
    let mut text = std::fs::read_to_string(&path).expect("archive");
    text.push_str(
        &(serde_json::json!({"id": "added", "title": "Added since", "published": "2030-01-01"})
            .to_string()
            + "\n"),
    );
    std::fs::write(&path, text).expect("written");
    let (archive, warmth) = communique::catalog::load(&source).expect("reloads");
    assert!(matches!(warmth, communique::catalog::Warmth::Cold { .. }));
    assert_eq!(archive.statements[0].id, "added", "newest first");
    let (again, warmth) = communique::catalog::load(&source).expect("reloads");
    assert_eq!(warmth, communique::catalog::Warmth::Warm);
    assert_eq!(again.statements, archive.statements);
    let warm = loaded_by_thread(source);
    assert_eq!(warm.catalog.statements.len(), 10_001);
}

/// A browser over `count` generated statements whose bodies stay on disk,
/// at `size`; and the archive's path.
fn lazy_browser(dir: &Path, count: usize, size: (u16, u16)) -> (std::path::PathBuf, State) {
    let path = write_archive(dir, count);
    let options = LoadOptions {
        bodies_on_disk: true,
        ..LoadOptions::default()
    };
    let archive = load(&path, options).expect("loads");
    let mut state = State::new("lazy".into(), archive.statements, 0);
    state.update(Action::Resize(size.0, size.1));
    (path, state)
}

#[test]
fn an_opened_statement_asks_for_its_body_and_shows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut state) = lazy_browser(dir.path(), 50, (80, 24));
    assert!(
        state.wanted_bodies().is_empty(),
        "the list shows no bodies at 80 columns"
    );
    state.update(Action::Open);
    let wanted = state.wanted_bodies();
    let at = state.hits[0].index;
    assert_eq!(wanted, [at]);
    let body = read_body(&state.catalog.statements[at]);
    let text = body.clone().expect("reads").expect("a body");
    state.body_read(at, body);
    assert!(state.wanted_bodies().is_empty());
    let first_paragraph = text.split("\n\n").next().expect("paragraph");
    let shown =
        communique::state::Detail::new(at).lines(&state.catalog.statements[at], None, state.size);
    let words: Vec<&str> = first_paragraph.split_whitespace().take(4).collect();
    assert!(
        shown
            .iter()
            .any(|line| line.text.contains(&words.join(" "))),
        "the detail shows the body read from disk"
    );

    // The file changed under the browser: a clear message, no panic.
    std::fs::write(&path, "{}\n").expect("truncate");
    let other = state.hits[1].index;
    let failed = read_body(&state.catalog.statements[other]);
    let message = failed.clone().expect_err("the record is gone");
    assert!(message.contains("changed since it was loaded"), "{message}");
    state.body_read(other, failed);
    assert!(
        state
            .status
            .as_deref()
            .is_some_and(|s| s.contains("changed since it was loaded"))
    );
}

#[test]
fn a_wide_terminal_previews_with_the_body_read_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut state) = lazy_browser(dir.path(), 40, (160, 40));
    let first = state.hits[0].index;
    assert_eq!(
        state.wanted_bodies(),
        [first],
        "the preview shows the selected body"
    );
    for step in 0..30 {
        for at in state.wanted_bodies() {
            let body = read_body(&state.catalog.statements[at]);
            state.body_read(at, body);
        }
        assert!(state.wanted_bodies().is_empty(), "step {step}");
        state.update(Action::Down);
    }
    let in_memory = state
        .catalog
        .statements
        .iter()
        .filter(|s| s.body.is_some())
        .count();
    assert!(
        in_memory <= 16,
        "only the last few bodies read stay in memory: {in_memory}"
    );
}

#[test]
fn a_search_running_when_more_arrive_is_shown_then_run_again() {
    use communique::state::Effect;
    let statements = generated(600);
    let (first, rest) = statements.split_at(300);
    let mut state = loading_browser();
    state.background_search = true;
    arrive(&mut state, first);
    state.set_query("minister".into());
    let searches = |state: &mut State| -> Vec<u64> {
        std::mem::take(&mut state.effects)
            .into_iter()
            .filter_map(|effect| match effect {
                Effect::Search { generation, .. } => Some(generation),
                _ => None,
            })
            .collect()
    };
    let asked = searches(&mut state);
    assert_eq!(asked.len(), 1);
    // The worker runs it over the first 300 while 300 more arrive.
    let hits = state.catalog.index.search(&state.query);
    arrive(&mut state, rest);
    assert!(
        searches(&mut state).is_empty(),
        "no search thrown away for a new one"
    );
    state.search_done(asked[0], hits.clone());
    assert_eq!(
        state.hits.len(),
        hits.len(),
        "the running search's results show"
    );
    let again = searches(&mut state);
    assert_eq!(again.len(), 1, "then it searches again, over all 600");
    let all = state.catalog.index.search(&state.query);
    state.search_done(again[0], all.clone());
    assert_eq!(state.hits.len(), all.len());
    assert!(all.len() > hits.len());
}

#[test]
fn listing_everything_while_a_load_streams_in_keeps_up_within_a_quarter() {
    let statements = generated(600);
    let mut state = loading_browser();
    state.background_search = true;
    let mut rebuilt = 0;
    for batch in statements.chunks(10) {
        let listed = state.hits.len();
        arrive(&mut state, batch);
        let arrived = state.catalog.statements.len();
        // Listed again only once a quarter more have arrived (each listing
        // of a million statements' is a pass over all of them)…
        if state.hits.len() != listed {
            rebuilt += 1;
            assert_eq!(state.hits.len(), arrived);
        }
        // …so the list never lags further behind than that.
        assert!(
            state.hits.len() * 5 / 4 >= arrived,
            "{} of {arrived}",
            state.hits.len()
        );
    }
    assert!(
        rebuilt < 60 / 2,
        "listed again {rebuilt} times for 60 batches"
    );
    state.loading_done(Default::default(), Vec::new());
    assert_eq!(
        ids(&state),
        ids(&whole(&statements)),
        "all, newest first, once loaded"
    );
}
