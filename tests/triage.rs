//! Triage on the state machine with a real store: keys go through the keymap
//! into [`State::update`], and the effects the state asks for are carried out
//! by a [`Link`] on a SQLite file in a temporary folder, exactly as the event
//! loop does (`link.apply(&mut state, effect)` for each queued effect).

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::keys::keys;

use communique::app::Link;
use communique::keymap::Action;
use communique::loader::Archive;
use communique::state::{State, View};
use communique::store::{Change, Marks, Status, Store};
use tempfile::TempDir;

/// Every change is stamped with this time, so stamps compare exactly.
const NOW: i64 = 1_700_000_000;

/// The bundled archive, loaded once (loading parses GOV.UK HTML).
fn archive() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        communique::loader::load(Path::new(support::archive::core()), Default::default())
            .expect("the bundled archive loads")
    })
}

/// A fresh browser on the bundled archive, 80×24, with no store attached.
fn browser() -> State {
    let archive = archive();
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(Action::Resize(80, 24));
    state
}

/// Opens the state file at `path` for `user`, stamping with [`NOW`].
fn store(path: &Path, user: &str) -> Store {
    let (store, warning) = Store::open(path, user).expect("the state file opens");
    assert_eq!(warning, None, "a fresh state file opens without a warning");
    store.with_clock(|| NOW)
}

/// A browser joined to a store on a file of its own.
struct Session {
    state: State,
    link: Link,
    path: PathBuf,
    /// Keeps the folder alive; `None` when another session owns it.
    dir: Option<TempDir>,
}

impl Session {
    /// Alice's browser on a new state file.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("triage.db");
        let mut session = Self::join(&path, "alice");
        session.dir = Some(dir);
        session
    }

    /// Another browser (a new `State`) on an existing state file, loaded
    /// from it as the app does at start-up.
    fn join(path: &Path, user: &str) -> Self {
        let mut state = browser();
        let mut link = Link {
            store: Some(Box::new(store(path, user))),
        };
        link.load_into(&mut state);
        Self {
            state,
            link,
            path: path.to_path_buf(),
            dir: None,
        }
    }

    /// Applies one action, then performs what it asked for, as the loop does.
    fn act(&mut self, action: Action) {
        self.state.update(action);
        self.drain();
    }

    fn drain(&mut self) {
        for effect in std::mem::take(&mut self.state.effects) {
            self.link.apply(&mut self.state, effect);
        }
    }

    /// Presses keys through the keymap, performing effects after each.
    fn press(&mut self, spec: &str) {
        for key in keys(spec) {
            if let Some(action) = self.state.action_for(key) {
                self.act(action);
            }
        }
    }

    /// Types a query on the search line and keeps it.
    fn query(&mut self, text: &str) {
        self.press("/");
        self.press("<C-u>");
        self.press(text);
        self.press("<Enter>");
        assert_eq!(self.state.query_error, None, "{text:?} parses");
        assert_eq!(self.state.query_text, text);
    }

    /// The marks of the statement at archive position `index`.
    fn marks(&self, index: usize) -> Marks {
        self.state.marks_of(index).cloned().unwrap_or_default()
    }

    /// The archive position of list row `row`.
    fn row(&self, row: usize) -> usize {
        self.state.hits[row].index
    }

    fn id(&self, index: usize) -> String {
        self.state.catalog.statements[index].id.clone()
    }

    /// Archive positions of every statement whose marks satisfy `test`.
    fn where_marks(&self, test: impl Fn(&Marks) -> bool) -> BTreeSet<usize> {
        (0..self.state.catalog.statements.len())
            .filter(|&index| test(&self.marks(index)))
            .collect()
    }

    /// Archive positions the list shows now.
    fn listed(&self) -> BTreeSet<usize> {
        self.state.hits.iter().map(|hit| hit.index).collect()
    }

    fn status(&self) -> &str {
        self.state.status.as_deref().unwrap_or("")
    }

    /// The marks as the file holds them (every id with marks).
    fn stored(&mut self) -> HashMap<String, Marks> {
        self.link
            .store
            .as_mut()
            .expect("a store")
            .marks()
            .expect("the store reads")
    }
}

fn by(user: &str) -> Option<String> {
    Some(user.to_owned())
}

fn who(stamp: Option<&communique::store::Stamp>) -> Option<String> {
    stamp.map(|stamp| {
        assert_eq!(stamp.at, NOW, "stamped with the session clock");
        stamp.by.clone()
    })
}

// ---- One statement: each triage key, table-driven ----

/// A key sequence pressed on the first row, what the status line says
/// after it, and what the first row's marks must then be.
struct Case {
    keys: &'static str,
    status: &'static str,
    check: fn(&Marks) -> bool,
}

const CASES: &[Case] = &[
    Case {
        keys: "F",
        status: "flagged 1 statement",
        check: |m| who(m.flagged.as_ref()) == by("alice") && m.read.is_none(),
    },
    Case {
        keys: "FF",
        status: "unflagged 1 statement",
        check: |m| m.flagged.is_none() && m.is_default(),
    },
    Case {
        keys: "N",
        status: "marked 1 statement read",
        check: |m| who(m.read.as_ref()) == by("alice") && m.flagged.is_none(),
    },
    Case {
        keys: "NN",
        status: "marked 1 statement unread",
        check: |m| m.read.is_none(),
    },
    Case {
        keys: "R",
        status: "marked 1 statement read",
        check: |m| who(m.read.as_ref()) == by("alice"),
    },
    Case {
        keys: "RN",
        status: "marked 1 statement unread",
        check: |m| m.read.is_none(),
    },
    Case {
        keys: "S",
        status: "status in review for 1 statement",
        check: |m| m.status == Status::InReview && who(m.status_set.as_ref()) == by("alice"),
    },
    Case {
        keys: "SS",
        status: "status actioned for 1 statement",
        check: |m| m.status == Status::Actioned,
    },
    Case {
        keys: "SSS",
        status: "status no action for 1 statement",
        check: |m| m.status == Status::NoAction,
    },
    Case {
        keys: "SSSS",
        status: "status new for 1 statement",
        check: |m| m.status == Status::New && who(m.status_set.as_ref()) == by("alice"),
    },
    Case {
        keys: "turgent<Enter>",
        status: "tagged 1 statement urgent",
        check: |m| m.tags.keys().eq(["urgent"]) && who(m.tags.get("urgent")) == by("alice"),
    },
    Case {
        keys: "turgent<Enter>tlater<Enter>",
        status: "tagged 1 statement later",
        check: |m| m.tags.keys().eq(["later", "urgent"]),
    },
    Case {
        keys: "turgent<Enter>tlater<Enter>Turgent<Enter>",
        status: "removed tag urgent from 1 statement",
        check: |m| m.tags.keys().eq(["later"]),
    },
    Case {
        // Tab offers the only tag the statement has.
        keys: "turgent<Enter>T<Tab><Enter>",
        status: "removed tag urgent from 1 statement",
        check: |m| m.tags.is_empty(),
    },
    Case {
        // Enter is a new line in the note editor; Ctrl-s keeps the note.
        keys: "eCall the desk<Enter>before noon<C-s>",
        status: "saved the note on 1 statement",
        check: |m| {
            m.note
                .as_ref()
                .map(|(text, stamp)| (text.as_str(), stamp.by.as_str()))
                == Some(("Call the desk\nbefore noon", "alice"))
        },
    },
    Case {
        // Reopening the editor shows the note; clearing it removes it.
        keys: "eold<C-s>e<BS><BS><BS><C-s>",
        status: "removed the note from 1 statement",
        check: |m| m.note.is_none(),
    },
    Case {
        // A tag is one word: nothing is asked of the store.
        keys: "ttwo words<Enter>",
        status: "a tag is one word",
        check: Marks::is_default,
    },
    Case {
        // An empty prompt does nothing.
        keys: "t<Enter>",
        status: "",
        check: Marks::is_default,
    },
    Case {
        keys: "T",
        status: "no tags to remove on 1 statement",
        check: Marks::is_default,
    },
];

#[test]
fn each_triage_key_on_the_row_under_the_cursor() {
    for case in CASES {
        let mut session = Session::new();
        let first = session.row(0);
        session.press(case.keys);
        assert!(
            matches!(session.state.view, View::List),
            "{:?}: back in the list, got {:?}",
            case.keys,
            session.state.view
        );
        assert_eq!(
            session.status(),
            case.status,
            "status after {:?}",
            case.keys
        );
        let marks = session.marks(first);
        assert!(
            (case.check)(&marks),
            "{:?}: unexpected marks {marks:#?}",
            case.keys
        );
        // Only the row under the cursor changed, and the file agrees.
        let stored = session.stored();
        assert!(
            stored.keys().all(|id| *id == session.id(first)),
            "{:?}: other statements were marked: {stored:#?}",
            case.keys
        );
        assert_eq!(
            stored.get(&session.id(first)).cloned().unwrap_or_default(),
            marks,
            "{:?}: the file holds what the browser shows",
            case.keys
        );
    }
}

#[test]
fn a_multi_line_note_is_written_with_actions() {
    let mut session = Session::new();
    session.press("j");
    let second = session.row(1);
    session.act(Action::EditNote);
    assert!(matches!(session.state.view, View::Note(_)));
    for c in "first line".chars() {
        session.act(Action::Type(c));
    }
    session.act(Action::Newline);
    for c in "second line".chars() {
        session.act(Action::Type(c));
    }
    session.act(Action::Submit);
    assert!(matches!(session.state.view, View::List));
    assert_eq!(
        session.marks(second).note.map(|(text, _)| text),
        Some("first line\nsecond line".to_owned())
    );
    // The note survives a new browser on the same file.
    let again = Session::join(&session.path, "alice");
    assert_eq!(
        again
            .marks(second)
            .note
            .map(|(text, stamp)| (text, stamp.by)),
        Some(("first line\nsecond line".to_owned(), "alice".to_owned()))
    );
}

#[test]
fn esc_on_an_edited_note_asks_save_keep_as_draft_or_throw_away() {
    let mut session = Session::new();
    let first = session.row(0);
    let id = session.id(first);
    let asking = |session: &Session| matches!(&session.state.view, View::Note(note) if note.asking);
    session.press("edraft");
    session.press("<Esc>");
    assert!(asking(&session), "the first Esc asks");
    // Esc at the question goes back to the note; typing goes on.
    session.press("<Esc>");
    assert!(matches!(&session.state.view, View::Note(note) if !note.asking));
    session.press("s<Esc>x");
    assert!(matches!(session.state.view, View::List), "x throws it away");
    assert_eq!(session.marks(first).note, None, "nothing was saved");
    assert!(session.stored().is_empty());
    assert!(session.state.triage.drafts.is_empty());

    // Kept as a draft: in the store, for this user, offered on reopening.
    session.press("ecall the desk<Esc>d");
    assert!(matches!(session.state.view, View::List));
    assert_eq!(session.marks(first).note, None, "a draft is not the note");
    let drafts = session
        .link
        .store
        .as_mut()
        .expect("a store")
        .drafts()
        .expect("drafts");
    assert_eq!(drafts[&id].text, "call the desk");
    let mut again = Session::join(&session.path, "alice");
    again.press("e");
    match &again.state.view {
        View::Note(note) => assert_eq!(note.area.text(), "call the desk"),
        other => panic!("expected the note editor, got {other:?}"),
    }
    assert!(again.status().contains("draft"), "{}", again.status());
    // Bob has no draft of alice's.
    let mut bob = Session::join(&session.path, "bob");
    bob.press("e");
    assert!(matches!(&bob.state.view, View::Note(note) if note.area.text().is_empty()));

    // Ctrl-c cancels the note rather than quitting; at the question it
    // keeps the draft. Saving drops the draft.
    again.press("<C-c>");
    assert!(asking(&again) && !again.state.quit, "Ctrl-c asks too");
    again.press("s");
    assert_eq!(
        again.marks(first).note.map(|(text, _)| text),
        Some("call the desk".to_owned())
    );
    assert!(again.state.triage.drafts.is_empty());
    again.press("e!<C-c><C-c>");
    assert!(matches!(again.state.view, View::List) && !again.state.quit);
    assert_eq!(again.state.triage.drafts[&id].text, "call the desk!");

    // An unchanged note closes at once.
    session.press("jj");
    session.press("e<Esc>");
    assert!(matches!(session.state.view, View::List));
}

#[test]
fn opening_a_statement_marks_it_read_without_an_undo_step() {
    let mut session = Session::new();
    let first = session.row(0);
    session.press("<Enter>");
    assert!(matches!(session.state.view, View::Detail(_)));
    assert_eq!(who(session.marks(first).read.as_ref()), by("alice"));
    assert!(
        session.state.triage.undo.is_empty(),
        "reading is not a step"
    );
    assert_eq!(session.status(), "", "reading says nothing");
    session.press("<Esc>u");
    assert_eq!(session.status(), "nothing to undo");
    assert!(session.marks(first).read.is_some(), "still read");
    // Triage keys in the detail act on the open statement.
    session.press("j<Enter>F");
    let second = session.row(1);
    assert_eq!(who(session.marks(second).flagged.as_ref()), by("alice"));
    assert_eq!(session.marks(first).flagged, None);
}

#[test]
fn undoing_a_flag_keeps_the_read_mark_opening_set() {
    let mut session = Session::new();
    let first = session.row(0);
    session.press("F<Enter><Esc>");
    assert!(session.marks(first).read.is_some());
    session.press("u");
    let marks = session.marks(first);
    assert_eq!(marks.flagged, None, "the flag is undone");
    assert!(marks.read.is_some(), "but it was read after: {marks:#?}");
}

#[test]
fn undo_does_not_take_back_another_users_change() {
    let mut alice = Session::new();
    let mut bob = Session::join(&alice.path, "bob");
    let first = alice.row(0);
    alice.press("F");
    bob.link.poll(&mut bob.state);
    bob.press("tbobs<Enter>");
    alice.link.poll(&mut alice.state);
    assert!(alice.marks(first).tags.contains_key("bobs"));
    alice.press("u");
    let marks = alice.marks(first);
    assert_eq!(marks.flagged, None, "alice's flag is undone");
    assert!(
        marks.tags.contains_key("bobs"),
        "bob's tag was thrown away by alice's undo: {marks:#?}"
    );
}

// ---- Tags: completion ----

#[test]
fn tab_completes_tags_already_used() {
    let mut session = Session::new();
    session.press("turgent<Enter>jtuk<Enter>jtlater<Enter>j");
    assert_eq!(session.state.triage.tags, ["later", "uk", "urgent"]);
    let fourth = session.row(3);
    session.press("t");
    let prompt = |session: &Session| match &session.state.view {
        View::Prompt(prompt) => prompt.editor.text().to_owned(),
        other => panic!("expected the prompt, got {other:?}"),
    };
    session.press("l<Tab>");
    assert_eq!(prompt(&session), "later");
    session.press("<C-u>ur<Tab>");
    assert_eq!(prompt(&session), "urgent");
    session.press("<Enter>");
    assert_eq!(
        session.marks(fourth).tags.keys().collect::<Vec<_>>(),
        ["urgent"]
    );
    assert_eq!(session.status(), "tagged 1 statement urgent");

    // Nothing matches: the text stays as typed.
    session.press("tzz<Tab>");
    assert_eq!(prompt(&session), "zz");
    session.press("<Esc>");
    assert!(matches!(session.state.view, View::List));

    // Tags from the file are offered in a new browser too.
    let mut again = Session::join(&session.path, "alice");
    assert_eq!(again.state.triage.tags, ["later", "uk", "urgent"]);
    again.press("G");
    again.press("tla<Tab>");
    assert_eq!(prompt(&again), "later");
}

#[test]
fn tab_again_cycles_only_through_matching_tags() {
    let mut session = Session::new();
    session.press("turgent<Enter>jtuk<Enter>jtlater<Enter>j");
    session.press("tu");
    let mut offered = Vec::new();
    for _ in 0..4 {
        session.press("<Tab>");
        match &session.state.view {
            View::Prompt(prompt) => offered.push(prompt.editor.text().to_owned()),
            other => panic!("expected the prompt, got {other:?}"),
        }
    }
    assert_eq!(offered, ["uk", "urgent", "uk", "urgent"]);
}

// ---- Bulk ----

#[test]
fn space_chooses_rows_and_f_flags_exactly_those() {
    let mut session = Session::new();
    // Rows 0, 2 and 3: Space chooses and moves down.
    session.press("<Space>j<Space><Space>");
    let chosen: BTreeSet<usize> = [0, 2, 3].map(|row| session.row(row)).into();
    assert_eq!(session.state.triage.chosen, chosen);
    assert_eq!(session.state.chosen_count(), 3, "the count before");
    session.press("F");
    assert_eq!(session.status(), "flagged 3 statements", "the count after");
    assert_eq!(session.where_marks(|m| m.flagged.is_some()), chosen);
    // The choice stays, as mutt's tagged messages do: a second mark goes
    // on the same three.
    assert_eq!(session.state.triage.chosen, chosen, "the choice stays");
    session.press("S");
    assert_eq!(session.status(), "status in review for 3 statements");
    assert_eq!(
        session.where_marks(|m| m.status == Status::InReview),
        chosen
    );
    // Esc clears the choice (and only it); the next F takes the cursor row.
    session.press("<Esc>");
    assert_eq!(session.status(), "choice cleared");
    assert_eq!(session.state.chosen_count(), 0);
    session.press("gF");
    assert_eq!(session.status(), "unflagged 1 statement");
    // Space on a chosen row unchooses it.
    session.press("g<Space>k<Space>");
    assert!(session.state.triage.chosen.is_empty());
    // Esc clears a choice before it clears the query.
    session.query("kind:speech");
    session.press("<Space><Esc>");
    assert!(session.state.triage.chosen.is_empty());
    assert_eq!(session.state.query_text, "kind:speech");
}

#[test]
fn a_choice_of_one_row_stays_until_esc() {
    let mut session = Session::new();
    // Space chooses row 0 and moves the cursor to row 1.
    session.press("<Space>F");
    let (first, second) = (session.row(0), session.row(1));
    assert_eq!(session.where_marks(|m| m.flagged.is_some()), [first].into());
    session.press("F");
    assert!(
        session.where_marks(|m| m.flagged.is_some()).is_empty(),
        "the second F takes the same choice: row 0 is unflagged again"
    );
    session.press("<Esc>F");
    assert_eq!(
        session.where_marks(|m| m.flagged.is_some()),
        [second].into(),
        "once cleared, F flags the row under the cursor"
    );
}

#[test]
fn a_visual_range_flags_the_rows_it_spans() {
    let mut session = Session::new();
    session.press("jv");
    assert_eq!(session.state.triage.anchor, Some(1));
    session.press("jj");
    assert_eq!(session.state.chosen_count(), 3);
    session.press("F");
    let range: BTreeSet<usize> = [1, 2, 3].map(|row| session.row(row)).into();
    assert_eq!(session.where_marks(|m| m.flagged.is_some()), range);
    assert_eq!(session.status(), "flagged 3 statements");
    assert_eq!(session.state.triage.anchor, None, "the range is closed");
    assert_eq!(
        session.state.triage.chosen, range,
        "the range became the choice"
    );
    // v … v keeps the range as a choice; then S sets the status on it.
    session.press("<Esc>Gvkkv");
    let bottom: BTreeSet<usize> = (13..16).map(|row| session.row(row)).collect();
    assert_eq!(session.state.triage.chosen, bottom);
    session.press("S");
    assert_eq!(session.status(), "status in review for 3 statements");
    assert_eq!(
        session.where_marks(|m| m.status == Status::InReview),
        bottom
    );
}

#[test]
fn choose_all_after_a_query_then_tag_every_one() {
    let mut session = Session::new();
    session.query("kind:news");
    let listed = session.listed();
    assert!(listed.len() > 2 && listed.len() < 16, "{listed:?}");
    session.press("A");
    assert_eq!(session.state.triage.chosen, listed);
    session.press("tpress<Enter>");
    assert_eq!(
        session.status(),
        format!("tagged {} statements press", listed.len())
    );
    assert_eq!(
        session.where_marks(|m| m.tags.contains_key("press")),
        listed
    );
    assert_eq!(session.state.triage.chosen, listed, "the choice stays");
    // One undo takes the tag off all of them.
    session.press("u");
    assert_eq!(
        session.status(),
        format!("undid: tag press on {} statements", listed.len())
    );
    assert!(session.where_marks(|m| !m.is_default()).is_empty());
    assert!(session.stored().is_empty());
    // A on a choice chooses none; again, all.
    session.press("A");
    assert!(session.state.triage.chosen.is_empty());
    session.press("A");
    assert_eq!(session.state.triage.chosen, listed);
}

#[test]
fn a_note_on_chosen_rows_goes_on_each() {
    let mut session = Session::new();
    session.press("<Space><Space>");
    session.press("eseen<C-s>");
    assert_eq!(session.status(), "saved the note on 2 statements");
    let noted = session.where_marks(|m| m.note.is_some());
    assert_eq!(noted, [0, 1].map(|row| session.row(row)).into());
}

// ---- Undo and redo ----

#[test]
fn undo_and_redo_take_each_bulk_action_as_one_step() {
    let mut session = Session::new();
    session.press("<Space><Space><Space>F<Esc>");
    let three: BTreeSet<usize> = (0..3).map(|row| session.row(row)).collect();
    session.press("vjjjj");
    let five: BTreeSet<usize> = (3..8).map(|row| session.row(row)).collect();
    session.press("turgent<Enter>");
    assert_eq!(session.state.triage.undo.len(), 2, "two bulk steps");
    let tagged = || |m: &Marks| m.tags.contains_key("urgent");
    let flagged = || |m: &Marks| m.flagged.is_some();
    assert_eq!(session.where_marks(tagged()), five);

    session.press("u");
    assert_eq!(session.status(), "undid: tag urgent on 5 statements");
    assert!(session.where_marks(tagged()).is_empty());
    assert_eq!(session.where_marks(flagged()), three);
    session.press("u");
    assert_eq!(session.status(), "undid: flag on 3 statements");
    assert!(session.where_marks(flagged()).is_empty());
    assert!(session.stored().is_empty(), "the file is back as it was");
    session.press("u");
    assert_eq!(session.status(), "nothing to undo");

    session.press("<C-r>");
    assert_eq!(session.status(), "redid: flag on 3 statements");
    assert_eq!(session.where_marks(flagged()), three);
    session.press("<C-r>");
    assert_eq!(session.status(), "redid: tag urgent on 5 statements");
    assert_eq!(session.where_marks(tagged()), five);
    session.press("<C-r>");
    assert_eq!(session.status(), "nothing to redo");

    // Redo puts back stamps exactly, and the file agrees with the browser.
    let again = Session::join(&session.path, "alice");
    assert_eq!(again.state.triage.marks, session.state.triage.marks);

    // A new change after an undo drops what could have been redone.
    session.press("ugF");
    session.press("<C-r>");
    assert_eq!(session.status(), "nothing to redo");
}

#[test]
fn undo_in_the_detail_view() {
    let mut session = Session::new();
    let first = session.row(0);
    session.press("<Enter>F");
    assert!(session.marks(first).flagged.is_some());
    session.press("u");
    assert_eq!(session.marks(first).flagged, None);
    session.press("<C-r>");
    assert!(session.marks(first).flagged.is_some());
}

#[test]
fn more_than_a_hundred_undo_steps() {
    let mut session = Session::new();
    // 150 changes over every row: status, flag, read and tags in turn.
    let mut snapshots = vec![session.state.triage.marks.clone()];
    for step in 0..150 {
        let row = step % 16;
        session.press("g");
        for _ in 0..row {
            session.press("j");
        }
        match step % 4 {
            0 => session.press("S"),
            1 => session.press("F"),
            2 => session.press("N"),
            _ => session.press(&format!("tt{step}<Enter>")),
        }
        snapshots.push(session.state.triage.marks.clone());
    }
    assert_eq!(session.state.triage.undo.len(), 150);
    for step in (0..150).rev() {
        session.press("u");
        assert!(
            session.status().starts_with("undid"),
            "undo {} of 150: {:?}",
            150 - step,
            session.status()
        );
        assert_eq!(
            session.state.triage.marks, snapshots[step],
            "after undoing to step {step}"
        );
    }
    assert!(session.stored().is_empty(), "every change was taken back");
    session.press("u");
    assert_eq!(session.status(), "nothing to undo");
    for (step, snapshot) in snapshots.iter().enumerate().skip(1) {
        session.press("<C-r>");
        assert_eq!(
            &session.state.triage.marks, snapshot,
            "after redoing step {step}"
        );
    }
    assert_eq!(session.stored(), session.state.triage.marks);
}

#[test]
fn undo_remembers_at_least_the_documented_limit() {
    let limit = communique::state::triage::UNDO_LIMIT;
    assert!(limit >= 100);
    let mut session = Session::new();
    for _ in 0..limit + 10 {
        session.press("F");
    }
    assert_eq!(session.state.triage.undo.len(), limit);
    for _ in 0..limit {
        session.press("u");
        assert!(
            session.status().starts_with("undid"),
            "{}",
            session.status()
        );
    }
    session.press("u");
    assert_eq!(session.status(), "nothing to undo");
}

#[test]
fn a_triage_key_on_an_empty_list_is_not_an_undo_step() {
    let mut session = Session::new();
    session.query("zzqqxxnothing");
    assert!(session.state.hits.is_empty());
    session.press("F");
    assert!(
        session.state.triage.undo.is_empty(),
        "status {:?}",
        session.status()
    );
    session.press("u");
    assert_eq!(session.status(), "nothing to undo");
}

// ---- Queries on marks ----

#[test]
fn queries_select_by_marks() {
    let mut session = Session::new();
    let rows: Vec<usize> = (0..16).map(|row| session.row(row)).collect();
    // Flag rows 0–3; set row 1 in review and row 3 actioned; tag row 0 and
    // row 5 urgent; a note on row 6; read rows 2 and 7.
    session.press("<Space><Space><Space><Space>F<Esc>");
    session.press("gjSgjjjSS");
    session.press("gturgent<Enter>");
    session.press("gjjjjjturgent<Enter>");
    session.press("jehello<C-s>");
    session.press("gjjNgjjjjjjjN");
    let set = |list: &[usize]| list.iter().map(|&row| rows[row]).collect::<BTreeSet<_>>();

    let cases: &[(&str, BTreeSet<usize>)] = &[
        ("is:flagged status:new", set(&[0, 2])),
        ("is:flagged", set(&[0, 1, 2, 3])),
        (
            "is:unflagged",
            (0..16).filter(|r| *r > 3).map(|r| rows[r]).collect(),
        ),
        ("status:actioned", set(&[3])),
        ("status:in-review", set(&[1])),
        ("tag:urgent", set(&[0, 5])),
        ("tag:URGENT is:flagged", set(&[0])),
        ("has:note", set(&[6])),
        ("has:tags", set(&[0, 5])),
        ("is:read", set(&[2, 7])),
        (
            "-is:read",
            (0..16)
                .filter(|r| ![2, 7].contains(r))
                .map(|r| rows[r])
                .collect(),
        ),
        (
            "is:unread",
            (0..16)
                .filter(|r| ![2, 7].contains(r))
                .map(|r| rows[r])
                .collect(),
        ),
        ("by:alice", set(&[0, 1, 2, 3, 5, 6, 7])),
        ("by:bob", BTreeSet::new()),
        ("-status:new", set(&[1, 3])),
    ];
    for (query, expected) in cases {
        session.query(query);
        assert_eq!(&session.listed(), expected, "{query}");
    }

    // A list that filters on marks follows changes made through it.
    session.query("is:flagged status:new");
    session.press("gS");
    assert_eq!(session.listed(), set(&[2]), "the row set in review left");
}

#[test]
fn a_saved_search_is_recalled_from_the_picker() {
    let mut session = Session::new();
    session.press("b");
    assert_eq!(
        session.status(),
        "no saved searches yet: w saves the current query"
    );
    session.press("w");
    assert_eq!(session.status(), "no query to save: type one with /");
    session.press("turgent<Enter>jjturgent<Enter>");
    session.query("tag:urgent");
    let urgent = session.listed();
    assert_eq!(urgent.len(), 2);
    session.press("whot<Enter>");
    assert_eq!(session.status(), "saved the query as hot");
    session.query("is:flagged");
    assert_eq!(
        session.state.triage.saved,
        [("hot".to_owned(), "tag:urgent".to_owned())]
    );
    session.press("<Esc>");
    assert_eq!(session.state.query_text, "");
    session.press("b");
    assert!(matches!(session.state.view, View::Picker(_)));
    session.press("<Enter>");
    assert!(matches!(session.state.view, View::List));
    assert_eq!(session.state.query_text, "tag:urgent");
    assert_eq!(session.listed(), urgent);

    // Saved searches are in the file: a new browser (even bob's) has them,
    // and deleting one in the picker removes it.
    let mut bob = Session::join(&session.path, "bob");
    assert_eq!(bob.state.triage.saved, session.state.triage.saved);
    bob.press("bd");
    assert!(bob.state.triage.saved.is_empty());
    assert_eq!(bob.status(), "deleted the saved search hot");
    bob.press("<Esc>");
    assert!(matches!(bob.state.view, View::List));
    let carol = Session::join(&session.path, "carol");
    assert!(carol.state.triage.saved.is_empty());
}

#[test]
fn query_history_survives_a_new_browser() {
    let mut session = Session::new();
    session.query("kind:speech");
    session.query("is:flagged");
    assert_eq!(session.state.history, ["kind:speech", "is:flagged"]);
    let mut later = Session::join(&session.path, "alice");
    assert_eq!(later.state.history, ["kind:speech", "is:flagged"]);
    // ↑ on the search line recalls the last, then the one before.
    later.press("/<Up><Up>");
    match &later.state.view {
        View::Search(line) => assert_eq!(line.editor.text(), "kind:speech"),
        other => panic!("expected the search line, got {other:?}"),
    }
    later.press("<Enter>");
    // Reusing a query moves it to the end, once.
    let third = Session::join(&session.path, "alice");
    assert_eq!(third.state.history, ["is:flagged", "kind:speech"]);
    // History is each user's own.
    let bob = Session::join(&session.path, "bob");
    assert!(bob.state.history.is_empty());
}

// ---- Sharing one file ----

#[test]
fn another_users_changes_appear_on_poll_with_their_name() {
    let mut alice = Session::new();
    let mut bob = Session::join(&alice.path, "bob");
    let first = alice.row(0);
    let third = alice.row(2);

    // Nothing changed yet: polling changes nothing.
    alice.link.poll(&mut alice.state);
    assert!(alice.state.triage.marks.is_empty());

    bob.press("Fjjturgent<Enter>");
    // Alice's own changes are not "another process", and bob's show only
    // once she polls.
    assert!(alice.state.triage.marks.is_empty());
    alice.link.poll(&mut alice.state);
    assert_eq!(who(alice.marks(first).flagged.as_ref()), by("bob"));
    assert_eq!(who(alice.marks(third).tags.get("urgent")), by("bob"));
    assert!(alice.state.triage.tags.contains(&"urgent".to_owned()));

    // A store used directly (as `communique mark` does) is seen too.
    let mut carol = store(&alice.path, "carol");
    carol
        .apply(&Change::Status {
            ids: vec![alice.id(first)],
            status: Status::Actioned,
        })
        .expect("carol's change saves");
    alice.link.poll(&mut alice.state);
    let marks = alice.marks(first);
    assert_eq!(marks.status, Status::Actioned);
    assert_eq!(who(marks.status_set.as_ref()), by("carol"));
    assert_eq!(who(marks.flagged.as_ref()), by("bob"));

    // A list filtered on marks follows the poll.
    alice.query("status:actioned");
    assert_eq!(alice.listed(), [first].into());
    bob.link.poll(&mut bob.state);
    bob.press("gS");
    alice.link.poll(&mut alice.state);
    assert!(alice.listed().is_empty());

    // Alice's change on top of bob's keeps bob's attribution for his marks.
    alice.press("<Esc>gtmine<Enter>");
    let marks = alice.marks(first);
    assert_eq!(who(marks.flagged.as_ref()), by("bob"), "{marks:#?}");
    assert_eq!(who(marks.tags.get("mine")), by("alice"), "{marks:#?}");
    bob.link.poll(&mut bob.state);
    assert_eq!(bob.marks(first), marks, "and bob sees alice's tag");
}

// ---- When nothing can be saved ----

#[test]
fn triage_unavailable_says_cannot_save_and_keeps_everything() {
    let mut session = Session::new();
    session.press("F");
    let before = session.state.triage.marks.clone();
    session.state.triage.unavailable = Some("the disk is full".into());

    for keys in ["F", "N", "S", "turgent<Enter>"] {
        session.press(keys);
        assert_eq!(
            session.status(),
            "cannot save: the disk is full",
            "after {keys:?}"
        );
        assert_eq!(session.state.triage.marks, before, "after {keys:?}");
    }
    assert_eq!(session.stored(), before, "the file was not touched");

    // A note that cannot be saved is offered again, not thrown away.
    session.press("ekeep this<C-s>");
    assert_eq!(session.status(), "cannot save: the disk is full");
    session.press("e");
    match &session.state.view {
        View::Note(note) => assert_eq!(note.area.text(), "keep this"),
        other => panic!("expected the note editor, got {other:?}"),
    }
    session.press("<Esc>x");
    // Browsing goes on, and opening a statement does not try to save.
    session.press("j<Enter>");
    assert!(matches!(session.state.view, View::Detail(_)));
    assert_eq!(session.state.triage.marks, before);
}

#[test]
fn a_read_only_store_says_cannot_save_and_keeps_marks() {
    let (mut alice, mut reader) = read_only_pair();
    alice.press("F");
    reader.link.poll(&mut reader.state);
    let before = alice.state.triage.marks.clone();
    assert_eq!(reader.state.triage.marks, before);
    for action in [Action::ToggleFlag, Action::ToggleRead, Action::CycleStatus] {
        reader.act(action);
        let status = reader.status();
        assert!(status.starts_with("cannot save"), "{action:?}: {status:?}");
        assert!(
            status.contains("read-only"),
            "{action:?}: says why: {status:?}"
        );
        assert_eq!(reader.state.triage.marks, before, "{action:?}");
        assert!(
            reader.state.triage.undo.is_empty(),
            "a failed change is no step"
        );
    }
    // A note that could not be saved is offered again.
    reader.press("ekeep<C-s>");
    assert!(reader.status().starts_with("cannot save"));
    reader.press("e");
    match &reader.state.view {
        View::Note(note) => assert_eq!(note.area.text(), "keep"),
        other => panic!("expected the note editor, got {other:?}"),
    }
    assert_eq!(alice.stored(), before);
}

/// A browser on a state file it can only read (as when the file or its
/// folder is not writable), with alice's session on the same file.
fn read_only_pair() -> (Session, Session) {
    let alice = Session::new();
    let store = Store::open_read_only(&alice.path).expect("opens for reading");
    let mut state = browser();
    let mut link = Link {
        store: Some(Box::new(store)),
    };
    link.load_into(&mut state);
    let reader = Session {
        state,
        link,
        path: alice.path.clone(),
        dir: None,
    };
    (alice, reader)
}

#[test]
fn a_read_only_store_says_cannot_save_once() {
    let (_alice, mut reader) = read_only_pair();
    reader.press("F");
    let status = reader.status();
    assert!(status.starts_with("cannot save: "), "{status:?}");
    assert!(!status.contains("cannot save: cannot save"), "{status:?}");
}

#[test]
fn browsing_a_read_only_store_does_not_complain() {
    let (_alice, mut reader) = read_only_pair();
    reader.query("kind:speech");
    assert_eq!(reader.status(), "", "after a search");
    reader.press("<Enter>");
    assert!(matches!(reader.state.view, View::Detail(_)));
    assert_eq!(reader.status(), "", "after opening a statement");
}

#[test]
fn a_read_only_store_keeps_the_session_history_over_a_poll() {
    let (mut alice, mut reader) = read_only_pair();
    reader.query("kind:speech");
    assert_eq!(reader.state.history, ["kind:speech"]);
    alice.press("F");
    reader.link.poll(&mut reader.state);
    assert_eq!(
        reader.state.triage.marks, alice.state.triage.marks,
        "the poll worked"
    );
    assert_eq!(
        reader.state.history,
        ["kind:speech"],
        "the history was kept"
    );
}

#[test]
fn no_store_at_all_says_cannot_save() {
    let mut state = browser();
    let mut link = Link { store: None };
    state.update(Action::ToggleFlag);
    for effect in std::mem::take(&mut state.effects) {
        link.apply(&mut state, effect);
    }
    assert!(
        state
            .status
            .as_deref()
            .is_some_and(|status| status.starts_with("cannot save")),
        "{:?}",
        state.status
    );
    assert!(state.triage.marks.is_empty());
}

// ---- Read state is each person's own ----

#[test]
fn skimming_marks_read_only_for_the_one_who_skims() {
    let mut alice = Session::new();
    let mut bob = Session::join(&alice.path, "bob");
    let (first, second, third, fourth) = (alice.row(0), alice.row(1), alice.row(2), alice.row(3));
    // Bob has read the fourth statement; the rest are unread for him.
    bob.press("jjjN");
    assert_eq!(bob.where_marks(|m| m.read.is_some()), [fourth].into());

    // Alice skims: opens the first, `]` twice, `[` back, Esc to the list.
    alice.press("<Enter>]][<Esc>");
    assert_eq!(
        alice.where_marks(|m| m.read.is_some()),
        [first, second, third].into()
    );

    // Bob's unread marks survive her skimming; he sees who read what.
    bob.link.poll(&mut bob.state);
    assert_eq!(bob.where_marks(|m| m.read.is_some()), [fourth].into());
    assert!(bob.marks(second).read_by_others.contains_key("alice"));
    bob.query("is:unread");
    let unread_for_bob = bob.listed();
    assert!(unread_for_bob.is_superset(&[first, second, third].into()));
    assert!(!unread_for_bob.contains(&fourth));
    bob.query("by:alice");
    assert_eq!(bob.listed(), [first, second, third].into());

    // And `is:unread` is alice's own too.
    alice.link.poll(&mut alice.state);
    alice.query("is:unread");
    assert!(!alice.listed().contains(&first));
    assert!(alice.listed().contains(&fourth));
}

// ---- Two people writing one note ----

#[test]
fn a_note_changed_while_writing_is_a_conflict_not_an_overwrite() {
    let mut alice = Session::new();
    let mut bob = Session::join(&alice.path, "bob");
    let first = alice.row(0);

    // Both open the (empty) note; bob saves first.
    alice.press("e");
    bob.press("ecall Tokyo<C-s>");
    assert_eq!(bob.status(), "saved the note on 1 statement");

    // Alice's save finds bob's note: nothing of hers is saved yet.
    alice.press("call the desk<C-s>");
    let conflict = match &alice.state.view {
        View::Conflict(conflict) => conflict.clone(),
        other => panic!("expected the conflict screen, got {other:?}"),
    };
    assert_eq!(conflict.mine, "call the desk");
    assert_eq!(
        conflict
            .theirs
            .as_ref()
            .map(|(text, stamp)| (text.as_str(), stamp.by.as_str())),
        Some(("call Tokyo", "bob"))
    );
    assert_eq!(
        alice.stored()[&alice.id(first)]
            .note
            .as_ref()
            .map(|(text, _)| text.as_str()),
        Some("call Tokyo")
    );

    // Merging by hand opens the editor with both; saving it keeps both.
    alice.press("e");
    let merged = match &alice.state.view {
        View::Note(note) => note.area.text().to_owned(),
        other => panic!("expected the editor, got {other:?}"),
    };
    assert!(
        merged.contains("call the desk") && merged.contains("call Tokyo"),
        "{merged}"
    );
    alice.press("<C-s>");
    assert!(
        matches!(alice.state.view, View::List),
        "{:?}",
        alice.state.view
    );
    let marks = alice.marks(first);
    assert_eq!(
        marks.note.as_ref().map(|(text, _)| text.as_str()),
        Some(merged.as_str())
    );
    assert_eq!(
        who(marks.note.as_ref().map(|(_, stamp)| stamp)),
        by("alice")
    );
    // Bob's version is kept in the note's history.
    assert_eq!(marks.note_history.len(), 1);
    assert_eq!(marks.note_history[0].text.as_deref(), Some("call Tokyo"));
    assert_eq!(marks.note_history[0].stamp.by, "bob");

    // Keep theirs: alice's text is dropped, bob's stays.
    bob.link.poll(&mut bob.state);
    bob.press("e");
    alice.press("e<C-u>only mine");
    bob.press("<C-u>bob again<C-s>");
    alice.press("<C-s>t");
    assert!(matches!(alice.state.view, View::List));
    // (Ctrl-u clears the last line of the merged note, where the cursor is.)
    let stored = alice.stored();
    let note = &stored[&alice.id(first)].note.as_ref().expect("a note").0;
    assert!(
        note.ends_with("\nbob again") && !note.contains("only mine"),
        "{note}"
    );

    // Keep mine: saved over theirs.
    alice.link.poll(&mut alice.state);
    alice.press("e");
    bob.press("e<C-u>bob's third<C-s>");
    alice.press("<C-u>mine wins<C-s>m");
    assert!(matches!(alice.state.view, View::List));
    let stored = alice.stored();
    let note = stored[&alice.id(first)].note.as_ref().expect("a note");
    assert!(note.0.ends_with("\nmine wins"), "{}", note.0);
    assert!(
        stored[&alice.id(first)]
            .note_history
            .iter()
            .any(|version| version
                .text
                .as_deref()
                .is_some_and(|t| t.ends_with("bob's third"))),
        "bob's text is in the history"
    );
}

#[test]
fn ctrl_c_cancels_prompts_and_overlays_and_quits_only_from_the_list_or_a_statement() {
    let mut session = Session::new();
    for (keys, what) in [
        ("turg", "the tag prompt"),
        ("/japan", "the search line"),
        ("?", "help"),
        ("?/copy", "help's filter"),
        ("f", "the filters"),
        ("c", "the contacts"),
        ("<Enter>/korea", "find in the statement"),
    ] {
        session.press(keys);
        session.press("<C-c>");
        assert!(!session.state.quit, "Ctrl-c in {what} quit");
        if matches!(session.state.view, View::Help(_)) {
            session.press("<C-c>");
        }
        assert!(
            matches!(session.state.view, View::List | View::Detail(_)),
            "Ctrl-c in {what} left {:?}",
            session.state.view
        );
        if matches!(session.state.view, View::Detail(_)) {
            session.press("<C-c>");
            assert!(session.state.quit, "Ctrl-c in a statement quits");
            return;
        }
    }
    panic!("the statement was never reached");
}

#[test]
fn undo_and_redo_name_the_mark_they_changed_on_the_chosen_set() {
    let mut session = Session::new();
    // Three rows chosen once; every mark goes on all three, and each undo
    // and redo says which mark it took back or put again.
    session.press("<Space><Space><Space>");
    session.press("NFSturgent<Enter>enoted<C-s>");
    let three: BTreeSet<usize> = (0..3).map(|row| session.row(row)).collect();
    assert_eq!(session.where_marks(|m| m.note.is_some()), three);
    assert_eq!(session.where_marks(|m| m.flagged.is_some()), three);
    for expected in [
        "undid: note on 3 statements",
        "undid: tag urgent on 3 statements",
        "undid: status on 3 statements",
        "undid: flag on 3 statements",
        "undid: read mark on 3 statements",
    ] {
        session.press("u");
        assert_eq!(session.status(), expected);
    }
    let any = session.where_marks(|m| {
        m.read.is_some()
            || m.flagged.is_some()
            || m.status != Status::New
            || !m.tags.is_empty()
            || m.note.is_some()
    });
    assert!(any.is_empty(), "every mark was taken back: {any:?}");
    session.press("<C-r><C-r>");
    assert_eq!(session.status(), "redid: flag on 3 statements");
    assert_eq!(session.where_marks(|m| m.flagged.is_some()), three);
    // One statement: the singular.
    session.press("<Esc>gF");
    session.press("u");
    assert_eq!(session.status(), "undid: flag on 1 statement");
}
