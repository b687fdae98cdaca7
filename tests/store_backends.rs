//! The store test suite, run against both kinds of store: a SQLite file
//! and a PostgreSQL database on a throwaway cluster (`support::postgres`).
//! Every test is one function over a [`Place`]; `both!` makes a SQLite and
//! a PostgreSQL test of each. Tests of the file itself (damage, symlinks,
//! modes) stay in `tests/store.rs`.
//!
//! The multi-process test re-runs this binary as the writer: with
//! `STORE_TEST_ROLE` set, `writer_child` does the writing.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::env;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use communique::store::{
    Change, HISTORY_LIMIT, Marks, NoteSaved, PgStore, RemoteStore, Stamp, Status, Store,
    StoreError, TriageStore,
};

/// Where a test's state lives: a SQLite file in a temporary folder, or a
/// fresh database on the test cluster.
enum Place {
    Sqlite(tempfile::TempDir),
    /// A database (by name) on the cluster; each person logs in as their
    /// own role, since attribution there is the role's.
    Postgres(&'static support::postgres::Cluster, String),
}

impl Place {
    fn sqlite() -> Place {
        Place::Sqlite(tempfile::tempdir().expect("tempdir"))
    }

    /// `None` (the test says it did not run) only outside CI, where
    /// PostgreSQL may be missing.
    fn postgres() -> Option<Place> {
        let cluster = support::postgres::cluster()?;
        Some(Place::Postgres(cluster, cluster.fresh_name()))
    }

    fn location(&self) -> PathBuf {
        match self {
            Place::Sqlite(dir) => dir.path().join("triage.db"),
            Place::Postgres(cluster, name) => PathBuf::from(cluster.url(name)),
        }
    }

    /// A store whose changes are stamped `by` at time `at`.
    fn open(&self, by: &str, at: i64) -> Box<dyn TriageStore> {
        match self {
            Place::Sqlite(_) => {
                let (store, warning) = Store::open(&self.location(), by).expect("open store");
                assert_eq!(warning, None);
                Box::new(store.with_clock(move || at))
            }
            Place::Postgres(cluster, name) => {
                cluster.role(by);
                Box::new(
                    PgStore::open(&cluster.url_as(name, by))
                        .expect("open database")
                        .with_clock(move || at),
                )
            }
        }
    }

    fn open_read_only(&self) -> Box<dyn TriageStore> {
        communique::store::open_any_read_only(&self.location()).expect("open for reading")
    }

    /// Makes flagging `id` fail inside the database (a trigger), to show a
    /// bulk change is one transaction.
    fn refuse_flag_on(&self, id: &str) {
        match self {
            Place::Sqlite(_) => rusqlite::Connection::open(self.location())
                .expect("raw connection")
                .execute_batch(&format!(
                    "CREATE TRIGGER refuse BEFORE INSERT ON marks WHEN NEW.id = '{id}' \
                     BEGIN SELECT RAISE(ABORT, 'refused'); END;"
                ))
                .expect("trigger"),
            Place::Postgres(cluster, name) => raw_pg(
                &cluster.url(name),
                &format!(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.id = '{id}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$; \
                 CREATE TRIGGER refuse BEFORE INSERT ON marks FOR EACH ROW EXECUTE FUNCTION refuse();"
                ),
            ),
        }
    }

    fn allow_flags(&self) {
        match self {
            Place::Sqlite(_) => rusqlite::Connection::open(self.location())
                .expect("raw connection")
                .execute_batch("DROP TRIGGER refuse")
                .expect("drop trigger"),
            Place::Postgres(cluster, name) => {
                raw_pg(&cluster.url(name), "DROP TRIGGER refuse ON marks");
            }
        }
    }
}

fn raw_pg(url: &str, sql: &str) {
    ::postgres::Client::connect(url, ::postgres::NoTls)
        .expect("raw connection")
        .batch_execute(sql)
        .expect("raw SQL");
}

/// A SQLite and a PostgreSQL test of each named function.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&super::Place::sqlite());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                if let Some(place) = super::Place::postgres() {
                    super::$name(&place);
                }
            })*
        }
    };
}

both!(
    every_change_kind_round_trips_through_a_reopen,
    undoing_each_kind_leaves_no_trace,
    apply_returns_the_marks_before_and_restore_puts_them_back_exactly,
    a_bulk_change_on_1000_ids_is_one_transaction,
    repeated_ids_in_one_change_count_once,
    tags_in_use_come_with_counts_and_bad_tags_are_refused,
    saved_searches_replace_by_name_list_and_delete,
    history_dedupes_to_newest_keeps_the_last_500_and_is_per_user,
    changed_since_last_check_sees_other_stores_but_not_its_own,
    a_read_only_store_also_notices_other_writers,
    apply_all_saves_every_change_or_none,
    names_with_invisible_characters_are_refused_or_cleaned,
    reading_is_each_users_own_and_the_rest_is_shared,
    a_note_changed_since_it_was_opened_is_a_conflict_and_nothing_is_saved,
    drafts_are_each_users_own_until_saved_or_dropped,
    a_read_only_store_shows_marks_and_refuses_changes,
    eight_processes_making_200_marks_each_lose_none,
);

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn one(id: &str) -> Vec<String> {
    vec![id.to_owned()]
}

fn stamp(by: &str, at: i64) -> Stamp {
    Stamp {
        by: by.to_owned(),
        at,
    }
}

/// True when the marks are default but for the note's earlier versions.
fn only_history(marks: &Marks) -> bool {
    Marks {
        note_history: Marks::default().note_history,
        ..marks.clone()
    }
    .is_default()
}

/// Whether the store reports another's change within ten seconds: a
/// PostgreSQL notification crosses a socket, so it may not be there at
/// the very moment the other commit returns. Polls; no timing is asserted.
fn changed_soon(store: &mut dyn TriageStore) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if store.changed_since_last_check().expect("check") {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn every_change_kind_round_trips_through_a_reopen(place: &Place) {
    let mut alice = place.open("alice", 1_000);
    let id = one("2024-01-12-joint-statement");
    let changes = [
        Change::Read {
            ids: id.clone(),
            read: true,
        },
        Change::Flag {
            ids: id.clone(),
            flagged: true,
        },
        Change::Status {
            ids: id.clone(),
            status: Status::InReview,
        },
        Change::Tag {
            ids: id.clone(),
            tag: "urgent".to_owned(),
            add: true,
        },
        Change::Tag {
            ids: id.clone(),
            tag: "dprk".to_owned(),
            add: true,
        },
        Change::Note {
            ids: id.clone(),
            note: Some("Ask the desk.\nSecond line.".to_owned()),
        },
    ];
    for change in &changes {
        alice.apply(change).expect("apply");
    }
    drop(alice);

    let at = stamp("alice", 1_000);
    // Read state is each person's own: bob sees alice's read as hers.
    let expected = Marks {
        read: None,
        read_by_others: BTreeMap::from([("alice".to_owned(), 1_000)]),
        flagged: Some(at.clone()),
        status: Status::InReview,
        status_set: Some(at.clone()),
        tags: BTreeMap::from([
            ("dprk".to_owned(), at.clone()),
            ("urgent".to_owned(), at.clone()),
        ]),
        note: Some(("Ask the desk.\nSecond line.".to_owned(), at)),
        ..Marks::default()
    };
    let mut bob = place.open("bob", 2_000);
    assert_eq!(
        bob.marks_for(&id).expect("marks_for"),
        [(id[0].clone(), expected.clone())]
    );
    assert_eq!(
        bob.marks().expect("marks"),
        HashMap::from([(id[0].clone(), expected)])
    );
}

fn undoing_each_kind_leaves_no_trace(place: &Place) {
    let mut store = place.open("alice", 5);
    let id = one("s1");
    let pairs = [
        (
            Change::Read {
                ids: id.clone(),
                read: true,
            },
            Change::Read {
                ids: id.clone(),
                read: false,
            },
        ),
        (
            Change::Flag {
                ids: id.clone(),
                flagged: true,
            },
            Change::Flag {
                ids: id.clone(),
                flagged: false,
            },
        ),
        (
            Change::Tag {
                ids: id.clone(),
                tag: "t".to_owned(),
                add: true,
            },
            Change::Tag {
                ids: id.clone(),
                tag: "t".to_owned(),
                add: false,
            },
        ),
        (
            Change::Note {
                ids: id.clone(),
                note: Some("n".to_owned()),
            },
            Change::Note {
                ids: id.clone(),
                note: None,
            },
        ),
    ];
    for (on, off) in &pairs {
        store.apply(on).expect("on");
        assert!(!store.marks().expect("marks").is_empty());
        store.apply(off).expect("off");
        assert!(
            store.marks().expect("marks").values().all(only_history),
            "{off:?} left a row"
        );
    }
    // A note's versions are kept (who wrote what, and who removed it).
    let history = &store.marks().expect("marks")["s1"].note_history;
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].text, None, "removed");
    assert_eq!(history[1].text.as_deref(), Some("n"));
    // A statement nobody touched reads as default.
    assert_eq!(
        store.marks_for(&one("never-seen")).expect("marks_for"),
        [("never-seen".to_owned(), Marks::default())]
    );
}

fn apply_returns_the_marks_before_and_restore_puts_them_back_exactly(place: &Place) {
    let targets = ids("s", 3);
    place
        .open("alice", 100)
        .apply(&Change::Flag {
            ids: targets[..2].to_vec(),
            flagged: true,
        })
        .expect("alice flags");
    let mut bob = place.open("bob", 200);
    bob.apply(&Change::Status {
        ids: targets[1..].to_vec(),
        status: Status::Actioned,
    })
    .expect("bob sets status");
    bob.apply(&Change::Tag {
        ids: targets.clone(),
        tag: "press".to_owned(),
        add: true,
    })
    .expect("bob tags");
    bob.apply(&Change::Note {
        ids: one("s2"),
        note: Some("keep".to_owned()),
    })
    .expect("bob notes");
    let snapshot = bob.marks().expect("marks");

    let mut carol = place.open("carol", 300);
    let bulk = Change::Status {
        ids: targets.clone(),
        status: Status::NoAction,
    };
    let applied = carol.apply(&bulk).expect("carol's bulk change");
    let before: HashMap<String, Marks> = applied.before.iter().cloned().collect();
    assert_eq!(before, snapshot, "apply returns what was there");
    assert!(applied.after.iter().all(|(_, m)| m.status == Status::NoAction
        && m.status_set == Some(stamp("carol", 300))));
    assert_eq!(carol.marks_for(&targets).expect("marks_for"), applied.after);

    // Undo: stamps and all, as before carol.
    let undo = carol
        .apply(&Change::Restore {
            marks: applied.before.clone(),
        })
        .expect("undo");
    assert_eq!(undo.before, applied.after);
    assert_eq!(carol.marks().expect("marks"), snapshot);

    // Redo: carol's marks come back with carol's original stamp.
    carol
        .apply(&Change::Restore {
            marks: applied.after.clone(),
        })
        .expect("redo");
    assert_eq!(carol.marks_for(&targets).expect("marks_for"), applied.after);

    // Restoring default marks removes every row.
    let blank: Vec<(String, Marks)> = targets
        .iter()
        .map(|id| (id.clone(), Marks::default()))
        .collect();
    carol
        .apply(&Change::Restore { marks: blank })
        .expect("clear");
    assert!(carol.marks().expect("marks").values().all(only_history));
}

fn a_bulk_change_on_1000_ids_is_one_transaction(place: &Place) {
    let mut store = place.open("alice", 42);
    let many = ids("bulk-", 1000);

    // A trigger that fails on the last id: if the change were not one
    // transaction, the first 999 would be left flagged.
    place.refuse_flag_on("bulk-999");
    let flag = Change::Flag {
        ids: many.clone(),
        flagged: true,
    };
    assert!(store.apply(&flag).is_err());
    assert!(
        store.marks().expect("marks").is_empty(),
        "a failed bulk change saved nothing"
    );

    place.allow_flags();
    let applied = store.apply(&flag).expect("bulk flag");
    assert_eq!(applied.before.len(), 1000);
    let all = store.marks().expect("marks");
    assert_eq!(all.len(), 1000);
    assert!(all.values().all(|m| m.flagged == Some(stamp("alice", 42))));
}

fn repeated_ids_in_one_change_count_once(place: &Place) {
    let mut store = place.open("alice", 1);
    let applied = store
        .apply(&Change::Read {
            ids: vec!["a".into(), "b".into(), "a".into()],
            read: true,
        })
        .expect("read");
    let order: Vec<&str> = applied.before.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(order, ["a", "b"]);
    assert_eq!(
        store
            .apply(&Change::Flag {
                ids: vec![],
                flagged: true
            })
            .expect("empty"),
        Default::default()
    );
}

fn tags_in_use_come_with_counts_and_bad_tags_are_refused(place: &Place) {
    let mut store = place.open("alice", 1);
    let tag = |ids: Vec<String>, tag: &str, add: bool| Change::Tag {
        ids,
        tag: tag.to_owned(),
        add,
    };
    store.apply(&tag(ids("s", 3), "urgent", true)).expect("tag");
    store.apply(&tag(ids("s", 1), "legal", true)).expect("tag");
    store
        .apply(&tag(one("s2"), "urgent", false))
        .expect("untag");
    assert_eq!(
        store.tags().expect("tags"),
        [("legal".to_owned(), 1), ("urgent".to_owned(), 2)]
    );
    for bad in ["", "two words", "new\nline"] {
        let error = store
            .apply(&tag(one("s9"), bad, true))
            .expect_err("bad tag");
        assert!(
            matches!(error, StoreError::Invalid(_)),
            "{bad:?}: {error:?}"
        );
    }
    assert!(!store.marks().expect("marks").contains_key("s9"));
}

fn saved_searches_replace_by_name_list_and_delete(place: &Place) {
    let mut store = place.open("alice", 1);
    store.save_search("urgent", "tag:urgent").expect("save");
    store
        .save_search("mine", "by:alice is:flagged")
        .expect("save");
    store
        .save_search("urgent", "tag:urgent status:new")
        .expect("replace");
    assert!(store.save_search("  ", "x").is_err());
    drop(store);

    // Saved searches belong to the file, so the whole team sees them.
    let mut bob = place.open("bob", 2);
    assert_eq!(
        bob.saved_searches().expect("list"),
        [
            ("mine".to_owned(), "by:alice is:flagged".to_owned()),
            ("urgent".to_owned(), "tag:urgent status:new".to_owned()),
        ]
    );
    assert!(bob.delete_search("mine").expect("delete"));
    assert!(!bob.delete_search("mine").expect("delete again"));
    assert_eq!(bob.saved_searches().expect("list").len(), 1);
}

fn history_dedupes_to_newest_keeps_the_last_500_and_is_per_user(place: &Place) {
    let mut alice = place.open("alice", 1);
    for query in ["a", "b", "c", "a", "", "  "] {
        alice.push_history(query).expect("push");
    }
    assert_eq!(alice.history().expect("history"), ["b", "c", "a"]);

    for i in 0..HISTORY_LIMIT + 20 {
        alice.push_history(&format!("q{i}")).expect("push");
    }
    let history = alice.history().expect("history");
    assert_eq!(history.len(), HISTORY_LIMIT);
    assert_eq!(history.first().map(String::as_str), Some("q20"));
    assert_eq!(history.last().map(String::as_str), Some("q519"));
    drop(alice);

    let mut bob = place.open("bob", 2);
    assert!(bob.history().expect("history").is_empty());
    bob.push_history("tag:legal").expect("push");
    assert_eq!(bob.history().expect("history"), ["tag:legal"]);
    assert_eq!(
        place.open("alice", 3).history().expect("history").len(),
        HISTORY_LIMIT
    );
}

fn changed_since_last_check_sees_other_stores_but_not_its_own(place: &Place) {
    let mut mine = place.open("alice", 1);
    let mut theirs = place.open("bob", 2);
    assert!(!mine.changed_since_last_check().expect("check"));

    mine.apply(&Change::Flag {
        ids: one("a"),
        flagged: true,
    })
    .expect("own change");
    assert!(
        !mine.changed_since_last_check().expect("check"),
        "own change counted"
    );

    theirs
        .apply(&Change::Read {
            ids: one("a"),
            read: true,
        })
        .expect("their change");
    assert!(changed_soon(&mut *mine));
    assert!(
        !mine.changed_since_last_check().expect("check"),
        "reported twice"
    );
    assert!(changed_soon(&mut *theirs), "bob sees alice's flag");
    let seen = mine.marks_for(&one("a")).expect("marks_for");
    assert_eq!(
        seen[0].1.read_by_others,
        BTreeMap::from([("bob".to_owned(), 2)])
    );
}

fn a_read_only_store_also_notices_other_writers(place: &Place) {
    let mut writer = place.open("alice", 1);
    let mut reader = place.open_read_only();
    assert!(!reader.changed_since_last_check().expect("check"));
    assert!(
        !reader.changed_since_last_check().expect("check"),
        "no false alarms"
    );
    writer
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    assert!(changed_soon(&mut *reader));
    assert!(reader.marks().expect("marks")["a"].flagged.is_some());
}

fn apply_all_saves_every_change_or_none(place: &Place) {
    let mut store = place.open("alice", 1);
    let changes = [
        Change::Flag {
            ids: one("a"),
            flagged: true,
        },
        Change::Status {
            ids: one("a"),
            status: Status::Actioned,
        },
        Change::Tag {
            ids: one("a"),
            tag: "bad tag".to_owned(),
            add: true,
        },
    ];
    let error = store.apply_all(&changes).expect_err("a bad tag");
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    assert!(
        store.marks().expect("marks").is_empty(),
        "something was saved"
    );

    let applied = store.apply_all(&changes[..2]).expect("both");
    assert_eq!(applied.len(), 2);
    let marks = &store.marks().expect("marks")["a"];
    assert!(marks.flagged.is_some());
    assert_eq!(marks.status, Status::Actioned);
}

fn names_with_invisible_characters_are_refused_or_cleaned(place: &Place) {
    let mut store = place.open("al\u{202e}ice\u{200b}", 1);
    for name in ["urgent\u{202e}", "\u{2066}mine", "zero\u{200b}width"] {
        let error = store.save_search(name, "is:flagged").expect_err(name);
        assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
        assert!(error.to_string().contains("invisible"), "{error}");
        assert!(
            !error
                .to_string()
                .contains(['\u{202e}', '\u{2066}', '\u{200b}']),
            "the message carries the character raw: {error}"
        );
    }
    assert!(store.saved_searches().expect("list").is_empty());
    store
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    assert_eq!(
        store.marks().expect("marks")["a"].flagged,
        Some(stamp("alice", 1)),
        "the user's name is kept without its invisible characters"
    );
}

fn reading_is_each_users_own_and_the_rest_is_shared(place: &Place) {
    let mut alice = place.open("alice", 1);
    let mut bob = place.open("bob", 2);
    alice
        .apply(&Change::Read {
            ids: ids("s", 3),
            read: true,
        })
        .expect("alice reads");
    bob.apply(&Change::Flag {
        ids: one("s0"),
        flagged: true,
    })
    .expect("bob flags");
    let seen_by_bob = bob.marks().expect("marks");
    assert!(seen_by_bob.values().all(|marks| marks.read.is_none()));
    assert_eq!(seen_by_bob["s0"].flagged, Some(stamp("bob", 2)));
    assert_eq!(seen_by_bob["s1"].people().collect::<Vec<_>>(), ["alice"]);

    // Bob marking one unread takes nothing from alice.
    bob.apply(&Change::Read {
        ids: one("s1"),
        read: true,
    })
    .expect("bob reads");
    let applied = bob
        .apply(&Change::Read {
            ids: one("s1"),
            read: false,
        })
        .expect("bob unreads");
    assert_eq!(applied.after[0].1.read_by_others.len(), 1);
    let seen_by_alice = alice.marks().expect("marks");
    assert!((0..3).all(|i| seen_by_alice[&format!("s{i}")].read == Some(stamp("alice", 1))));
    assert_eq!(seen_by_alice["s0"].flagged, Some(stamp("bob", 2)));
}

fn a_note_changed_since_it_was_opened_is_a_conflict_and_nothing_is_saved(place: &Place) {
    let id = one("s1");
    let mut alice = place.open("alice", 10);
    let mut bob = place.open("bob", 20);
    let opened = alice.marks_for(&id).expect("marks")[0].1.note.clone();
    assert_eq!(opened, None);
    // Bob saves first, from the same starting point.
    match bob
        .save_note(&id, Some("bob's line"), &[None])
        .expect("bob saves")
    {
        NoteSaved::Saved(applied) => assert_eq!(
            applied.after[0].1.note,
            Some(("bob's line".to_owned(), stamp("bob", 20)))
        ),
        other => panic!("bob: {other:?}"),
    }
    // Alice's save is refused, and she is told what the note is now.
    alice
        .save_draft(&id, "alice's line", std::slice::from_ref(&opened))
        .expect("draft");
    match alice
        .save_note(&id, Some("alice's line"), &[opened])
        .expect("alice tries")
    {
        NoteSaved::Conflict(changed) => assert_eq!(
            changed,
            [(
                "s1".to_owned(),
                Some(("bob's line".to_owned(), stamp("bob", 20)))
            )]
        ),
        other => panic!("alice: {other:?}"),
    }
    let now = alice.marks_for(&id).expect("marks")[0].1.clone();
    assert_eq!(now.note, Some(("bob's line".to_owned(), stamp("bob", 20))));
    assert!(now.note_history.is_empty(), "nothing of alice's was saved");
    assert!(
        alice.drafts().expect("drafts").contains_key("s1"),
        "her draft is kept"
    );

    // Saving over the note as it is now goes through, keeps bob's version
    // in the history, and drops her draft.
    let theirs = now.note.clone();
    assert!(matches!(
        alice
            .save_note(&id, Some("merged"), &[theirs])
            .expect("save"),
        NoteSaved::Saved(_)
    ));
    let after = bob.marks_for(&id).expect("marks")[0].1.clone();
    assert_eq!(after.note, Some(("merged".to_owned(), stamp("alice", 10))));
    assert_eq!(after.note_history.len(), 1);
    assert_eq!(after.note_history[0].text.as_deref(), Some("bob's line"));
    assert_eq!(after.note_history[0].stamp, stamp("bob", 20));
    assert!(alice.drafts().expect("drafts").is_empty());
}

fn drafts_are_each_users_own_until_saved_or_dropped(place: &Place) {
    let mut alice = place.open("alice", 1);
    let opened = Some(("old".to_owned(), stamp("carol", 0)));
    alice
        .save_draft(
            &ids("d", 2),
            "half a thought",
            std::slice::from_ref(&opened),
        )
        .expect("draft");
    alice
        .save_draft(&one("d0"), "a whole thought", std::slice::from_ref(&opened))
        .expect("replace");
    let drafts = alice.drafts().expect("drafts");
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts["d0"].text, "a whole thought");
    assert_eq!(drafts["d0"].opened, opened);
    assert_eq!(drafts["d1"].opened, None, "no opened note given for d1");
    assert!(place.open("bob", 2).drafts().expect("drafts").is_empty());
    alice.drop_drafts(&one("d1")).expect("drop");
    assert_eq!(
        alice.drafts().expect("drafts").keys().collect::<Vec<_>>(),
        ["d0"]
    );
}

fn a_read_only_store_shows_marks_and_refuses_changes(place: &Place) {
    place
        .open("alice", 1)
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    let mut reader = place.open_read_only();
    assert!(reader.is_read_only());
    assert_eq!(
        reader.marks().expect("marks")["a"].flagged,
        Some(stamp("alice", 1))
    );
    let error = reader
        .apply(&Change::Flag {
            ids: one("b"),
            flagged: true,
        })
        .expect_err("refused");
    assert!(matches!(error, StoreError::ReadOnly(_)), "{error:?}");
    assert!(error.to_string().contains("read-only"), "{error}");
    assert!(reader.save_search("x", "y").is_err());
    assert!(!reader.marks().expect("marks").contains_key("b"));
}

// ---------------------------------------------------------- many processes

const ROLE: &str = "STORE_TEST_ROLE";
const AT: &str = "STORE_TEST_AT";
const INDEX: &str = "STORE_TEST_INDEX";
const COUNT: &str = "STORE_TEST_COUNT";

/// Not a test of its own: the body of the writer processes the test below
/// starts. Without `STORE_TEST_ROLE` it does nothing. Each writer tags the
/// same statements with its own tag: a lost read-modify-write would drop
/// another writer's tag.
#[test]
fn writer_child() {
    if env::var_os(ROLE).is_none() {
        return;
    }
    let var = |name: &str| env::var(name).unwrap_or_else(|_| panic!("{name} not set"));
    let at = PathBuf::from(var(AT));
    let index: usize = var(INDEX).parse().expect("index");
    let count: usize = var(COUNT).parse().expect("count");
    let (mut store, _) =
        communique::store::open_any(&at, &format!("writer{index}")).expect("child open");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").expect("stdout");
    out.flush().expect("flush");
    // Wait for the word to start, so all eight write at once.
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).expect("go");
    for n in 0..count {
        store
            .apply(&Change::Tag {
                ids: one(&format!("s{n}")),
                tag: format!("w{index}"),
                add: true,
            })
            .expect("child apply");
        writeln!(out, "committed {n}").expect("stdout");
        out.flush().expect("flush");
    }
}

fn eight_processes_making_200_marks_each_lose_none(place: &Place) {
    const WRITERS: usize = 8;
    const CHANGES: usize = 200;
    let mut children: Vec<Child> = (0..WRITERS)
        .map(|i| {
            Command::new(env::current_exe().expect("test binary"))
                .args([
                    "writer_child",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                    "--quiet",
                ])
                .env(ROLE, "tagger")
                .env(AT, place.location())
                .env(INDEX, i.to_string())
                .env(COUNT, CHANGES.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn writer")
        })
        .collect();
    let mut outputs: Vec<_> = children
        .iter_mut()
        .map(|child| BufReader::new(child.stdout.take().expect("stdout")).lines())
        .collect();
    for lines in &mut outputs {
        let ready = lines.map_while(Result::ok).any(|line| line == "ready");
        assert!(ready, "a writer ended before it was ready");
    }
    for child in &mut children {
        writeln!(child.stdin.as_mut().expect("stdin"), "go").expect("go");
    }
    for (i, (child, lines)) in children.iter_mut().zip(outputs).enumerate() {
        let reported = lines
            .map_while(Result::ok)
            .filter(|line| line.starts_with("committed "))
            .count();
        let status = child.wait().expect("wait");
        assert!(status.success(), "writer {i} failed: {status}");
        assert_eq!(reported, CHANGES, "writer {i} reported");
    }
    let mut store = place.open("checker", 0);
    let all = store.marks().expect("marks");
    assert_eq!(all.len(), CHANGES);
    for (id, marks) in &all {
        assert_eq!(
            marks.tags.len(),
            WRITERS,
            "{id} lost a tag: {:?}",
            marks.tags.keys()
        );
    }
    let expected: Vec<(String, usize)> = (0..WRITERS).map(|i| (format!("w{i}"), CHANGES)).collect();
    assert_eq!(store.tags().expect("tags"), expected);
}

// ---------------------------------------------------------------- migration

/// Alice and bob triage a SQLite file: every kind of row there is.
fn a_team_file(place: &Place) {
    let mut alice = place.open("alice", 1_000);
    let mut bob = place.open("bob", 2_000);
    let id = one("2024-01-12-joint-statement");
    alice
        .apply_all(&[
            Change::Read {
                ids: ids("s", 3),
                read: true,
            },
            Change::Flag {
                ids: id.clone(),
                flagged: true,
            },
            Change::Tag {
                ids: id.clone(),
                tag: "urgent".to_owned(),
                add: true,
            },
        ])
        .expect("alice");
    alice.save_note(&id, Some("first"), &[None]).expect("note");
    let opened = alice.marks_for(&id).expect("marks")[0].1.note.clone();
    bob.save_note(&id, Some("second\nline"), &[opened])
        .expect("bob's note");
    bob.apply(&Change::Status {
        ids: id.clone(),
        status: Status::InReview,
    })
    .expect("status");
    bob.apply(&Change::Read {
        ids: id,
        read: true,
    })
    .expect("read");
    bob.save_draft(&one("s1"), "half", &[None]).expect("draft");
    alice.save_search("mine", "by:alice").expect("search");
    for query in ["japan", "tag:urgent", "japan"] {
        alice.push_history(query).expect("history");
    }
    bob.push_history("korea").expect("history");
}

fn communique(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(args)
        .env_remove("COMMUNIQUE_STATE")
        .output()
        .expect("run communique");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

fn migrate(from: &Place, to: &Place) -> String {
    let (ok, said) = communique(&[
        "state".as_ref(),
        "migrate".as_ref(),
        "--from".as_ref(),
        from.location().as_os_str(),
        "--to".as_ref(),
        to.location().as_os_str(),
    ]);
    assert!(ok, "{said}");
    said
}

#[test]
fn state_migrate_copies_everything_both_ways_and_again_changes_nothing() {
    let Some(database) = Place::postgres() else {
        return;
    };
    let file = Place::sqlite();
    a_team_file(&file);
    let original = file.open("carol", 0).export().expect("export");
    assert_eq!(original.tables.len(), 7);
    assert!(
        original.tables.iter().all(|rows| !rows.is_empty()),
        "{original:?}"
    );

    let said = migrate(&file, &database);
    assert!(
        said.starts_with(&format!("copied {} rows", original.rows())),
        "{said}"
    );
    assert_eq!(
        database.open("carol", 0).export().expect("export"),
        original
    );
    // Each person sees in PostgreSQL what they saw in the file, stamps and all.
    for user in ["alice", "bob"] {
        let mut before = file.open(user, 0);
        let mut after = database.open(user, 0);
        assert_eq!(
            after.marks().expect("marks"),
            before.marks().expect("marks")
        );
        assert_eq!(
            after.history().expect("history"),
            before.history().expect("history")
        );
        assert_eq!(
            after.drafts().expect("drafts"),
            before.drafts().expect("drafts")
        );
        assert_eq!(
            after.saved_searches().expect("saved"),
            before.saved_searches().expect("saved")
        );
    }
    assert_eq!(
        database.open("alice", 0).history().expect("history"),
        ["tag:urgent", "japan"]
    );

    // Again: nothing doubled.
    migrate(&file, &database);
    assert_eq!(
        database.open("carol", 0).export().expect("export"),
        original
    );

    // And back, into a new file.
    let back = Place::sqlite();
    migrate(&database, &back);
    migrate(&database, &back);
    assert_eq!(back.open("carol", 0).export().expect("export"), original);
    assert_eq!(
        back.open("bob", 0).marks().expect("marks"),
        file.open("bob", 0).marks().expect("marks")
    );
}

#[test]
fn state_check_reports_either_kind_and_fails_on_what_it_cannot_read() {
    let file = Place::sqlite();
    a_team_file(&file);
    let check = |place: &std::path::Path| {
        communique(&[
            "--state".as_ref(),
            place.as_os_str(),
            "state".as_ref(),
            "check".as_ref(),
        ])
    };
    let (ok, said) = check(&file.location());
    assert!(ok, "{said}");
    assert!(said.contains(": ok (SQLite "), "{said}");
    assert!(said.contains("communique schema 2"), "{said}");
    assert!(said.contains("4 statements with marks"), "{said}");

    let (ok, said) = check(&file.location().with_file_name("missing.db"));
    assert!(!ok, "{said}");
    assert!(said.starts_with("not healthy:"), "{said}");

    if let Some(database) = Place::postgres() {
        migrate(&file, &database);
        let (ok, said) = check(&database.location());
        assert!(ok, "{said}");
        assert!(said.contains(": ok (PostgreSQL "), "{said}");
        assert!(said.contains("4 statements with marks"), "{said}");
        // A database with no communique tables is reported, not created.
        let empty = Place::postgres().expect("cluster");
        let (ok, said) = check(&empty.location());
        assert!(!ok, "{said}");
        assert!(said.contains("holds no communique state"), "{said}");
    }
}

#[test]
fn a_role_granted_only_select_reads_marks_and_is_refused_changes() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let url = cluster.fresh_database();
    PgStore::open(&url)
        .expect("open")
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    let db = url
        .split_once('?')
        .and_then(|(base, _)| base.rsplit_once('/'))
        .map(|(_, db)| db.to_owned())
        .expect("database name");
    cluster.sql(
        &db,
        "DO $$ BEGIN CREATE ROLE restricted_reader LOGIN; \
         EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO restricted_reader;",
    );
    let as_reader = url.replacen("postgres://communique@", "postgres://restricted_reader@", 1);
    let mut reader: Box<dyn TriageStore> =
        Box::new(PgStore::open(&as_reader).expect("the reader connects"));
    assert!(reader.is_read_only());
    let flagged = reader.marks().expect("marks")["a"].flagged.clone();
    assert_eq!(flagged.map(|stamp| stamp.by).as_deref(), Some("communique"));
    let error = reader
        .apply(&Change::Flag {
            ids: one("b"),
            flagged: true,
        })
        .expect_err("refused");
    assert!(matches!(error, StoreError::ReadOnly(_)), "{error:?}");
    assert!(error.to_string().contains("read-only"), "{error}");
    assert!(error.to_string().contains("restricted_reader@"), "{error}");
}

/// A change replayed from a browser's journal a second time (the browser
/// crashed between the commit and crossing it off) is applied once.
#[test]
fn a_journaled_change_replayed_twice_is_applied_once() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let name = cluster.fresh_name();
    cluster.role("alice");
    let mut store = PgStore::open(&cluster.url_as(&name, "alice")).expect("open");
    let note = Change::Note {
        ids: one("a"),
        note: Some("call back".to_owned()),
    };
    let first = store
        .apply_all_once("key-1", std::slice::from_ref(&note))
        .expect("first");
    assert!(first.is_some());
    let again = store
        .apply_all_once("key-1", std::slice::from_ref(&note))
        .expect("again");
    assert_eq!(again, None, "a key already applied does nothing");
    let saved = store
        .save_note_once("key-2", &one("b"), Some("once"), &[None])
        .expect("note");
    assert!(matches!(saved, Some(NoteSaved::Saved(_))), "{saved:?}");
    let repeated = store
        .save_note_once("key-2", &one("b"), Some("once"), &[None])
        .expect("note again");
    assert_eq!(repeated, None, "not a conflict: already applied");
    let marks = store.marks().expect("marks");
    for id in ["a", "b"] {
        assert_eq!(marks[id].note_history.len(), 0, "{:?}", marks[id]);
    }
    let mut raw = ::postgres::Client::connect(&cluster.url(&name), ::postgres::NoTls).expect("raw");
    let versions: i64 = raw
        .query_one("SELECT count(*) FROM note_versions", &[])
        .expect("count")
        .get(0);
    assert_eq!(versions, 2, "one version of each note");
}

/// Waits (generously) until `holds` says yes.
fn eventually(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !holds() {
        assert!(Instant::now() < deadline, "waited too long for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// The browser's store: changes show at once and reach the database from
/// the worker; started with the server unreachable, it keeps changes in
/// its journal, and a note someone else changed meanwhile comes back as a
/// conflict when it is replayed, not written over theirs.
#[test]
fn the_browsers_store_journals_offline_and_replays_with_conflicts() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let name = cluster.fresh_name();
    cluster.role("alice");
    cluster.role("bob");
    let url = cluster.url_as(&name, "alice");
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");

    // Online: a flag shows in the store at once and in the database soon.
    let mut online = RemoteStore::open(&url, &journal).expect("open online");
    assert_eq!(online.offline(), None);
    online
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("flag");
    assert!(online.marks().expect("marks")["a"].flagged.is_some());
    let mut bob = PgStore::open(&cluster.url_as(&name, "bob")).expect("bob");
    eventually("the flag in the database", || {
        bob.marks()
            .expect("marks")
            .get("a")
            .is_some_and(|m| m.flagged.as_ref().is_some_and(|s| s.by == "alice"))
    });
    drop(online);

    // Offline from the start (no server at that address): changes wait.
    let nowhere = url.replace(
        &cluster.socket_dir().display().to_string(),
        &dir.path().join("no-server-here").display().to_string(),
    );
    let mut offline = RemoteStore::open(&nowhere, &journal).expect("open offline");
    eventually("the store saying it is offline", || {
        offline.offline().is_some()
    });
    offline
        .apply(&Change::Tag {
            ids: one("b"),
            tag: "urgent".to_owned(),
            add: true,
        })
        .expect("tag offline");
    let saved = offline
        .save_note(&one("c"), Some("mine"), &[None])
        .expect("note offline");
    assert!(matches!(saved, NoteSaved::Saved(_)), "{saved:?}");
    assert_eq!(offline.offline(), Some(2));
    assert_eq!(
        offline.marks().expect("marks")["c"]
            .note
            .as_ref()
            .map(|n| n.0.as_str()),
        Some("mine")
    );
    drop(offline);

    // Meanwhile bob writes his note on the same statement.
    let theirs = bob
        .save_note(&one("c"), Some("theirs"), &[None])
        .expect("bob's note");
    assert!(matches!(theirs, NoteSaved::Saved(_)));

    // Back at the real address, the journal is replayed: the tag arrives,
    // the note comes back as a conflict and bob's stays.
    let mut back = RemoteStore::open(&url, &journal).expect("open again");
    // The browser's input loop hears of it, without polling the store.
    let news = back.news().expect("a store with news to tell");
    assert!(back.news().is_none(), "given once");
    news.recv_timeout(Duration::from_secs(30))
        .expect("news of the connection and the replay");
    let mut conflicts = Vec::new();
    eventually("the replayed note's conflict", || {
        conflicts.extend(back.take_conflicts());
        !conflicts.is_empty()
    });
    assert_eq!(conflicts[0].ids, one("c"));
    assert_eq!(conflicts[0].text.as_deref(), Some("mine"));
    eventually("the tag in the database", || {
        bob.marks()
            .expect("marks")
            .get("b")
            .is_some_and(|m| m.tags.contains_key("urgent"))
    });
    assert_eq!(
        bob.marks().expect("marks")["c"]
            .note
            .as_ref()
            .map(|n| n.0.as_str()),
        Some("theirs")
    );
    eventually("an empty journal", || back.offline().is_none());
    drop(back);
    assert_eq!(std::fs::metadata(&journal).expect("journal").len(), 0);
}

/// Two teams in one database: each role sees and changes only its team's
/// rows, the team coming from the role (membership of a registered team
/// role), which a user cannot choose.
#[test]
fn one_team_cannot_read_or_write_another_teams_notes() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let name = cluster.fresh_name();
    // The tables belong to the cluster's owner, as an administrator would
    // set them up; the teams get the usual grants.
    PgStore::open(&cluster.url(&name)).expect("create the tables");
    let suffix = name.clone();
    let london = format!("london_{suffix}");
    let washington = format!("washington_{suffix}");
    let alice = format!("alice_{suffix}");
    let bob = format!("bob_{suffix}");
    cluster.sql(
        &name,
        &format!(
            "CREATE ROLE {london} NOLOGIN; CREATE ROLE {washington} NOLOGIN;
             CREATE ROLE {alice} LOGIN IN ROLE {london};
             CREATE ROLE {bob} LOGIN IN ROLE {washington};
             INSERT INTO communique_teams VALUES ('{london}'), ('{washington}');
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
                 TO {london}, {washington};
             REVOKE INSERT, UPDATE, DELETE ON communique_teams FROM {london}, {washington};"
        ),
    );
    let mut alice_store = PgStore::open(&cluster.url_as(&name, &alice)).expect("alice");
    let mut bob_store = PgStore::open(&cluster.url_as(&name, &bob)).expect("bob");
    assert!(!alice_store.is_read_only());
    let saved = alice_store
        .save_note(&one("a"), Some("London only"), &[None])
        .expect("alice's note");
    assert!(matches!(saved, NoteSaved::Saved(_)), "{saved:?}");
    alice_store
        .apply(&Change::Flag {
            ids: one("a"),
            flagged: true,
        })
        .expect("alice's flag");

    // Bob sees nothing of London's, and his own note on the same statement
    // is his team's, leaving London's as it was.
    assert!(bob_store.marks().expect("bob's marks").is_empty());
    let saved = bob_store
        .save_note(&one("a"), Some("Washington's"), &[None])
        .expect("bob's note");
    assert!(matches!(saved, NoteSaved::Saved(_)), "{saved:?}");
    let alices = alice_store.marks().expect("alice's marks");
    assert_eq!(
        alices["a"].note.as_ref().map(|n| n.0.as_str()),
        Some("London only")
    );
    assert_eq!(alices["a"].note_history.len(), 0);
    let bobs = bob_store.marks().expect("bob's marks");
    assert_eq!(
        bobs["a"].note.as_ref().map(|n| n.0.as_str()),
        Some("Washington's")
    );
    assert!(bobs["a"].flagged.is_none());

    // Not by raw SQL either: reading, writing into or changing London's rows.
    let mut raw = ::postgres::Client::connect(&cluster.url_as(&name, &bob), ::postgres::NoTls)
        .expect("bob by SQL");
    let seen: i64 = raw
        .query_one("SELECT count(*) FROM marks WHERE note = 'London only'", &[])
        .expect("count")
        .get(0);
    assert_eq!(seen, 0);
    let planted = raw.execute(
        &format!("INSERT INTO marks (team, id, note) VALUES ('{london}', 'b', 'planted')"),
        &[],
    );
    assert!(planted.is_err(), "a row for another team is refused");
    raw.execute("UPDATE marks SET note = 'overwritten'", &[])
        .expect("update");
    raw.execute("SET communique.team = 'london'", &[]).ok();
    assert_eq!(
        alice_store.marks().expect("alice's marks")["a"]
            .note
            .as_ref()
            .map(|n| n.0.as_str()),
        Some("London only")
    );
    assert!(
        raw.execute("DELETE FROM communique_teams", &[]).is_err(),
        "a team cannot unregister itself"
    );
    // Not even who changed what, and when, through the journal's keys.
    alice_store
        .apply_all_once(
            "london-key",
            &[Change::Flag {
                ids: one("c"),
                flagged: true,
            }],
        )
        .expect("alice's journaled change");
    let keys: i64 = raw
        .query_one("SELECT count(*) FROM communique_applied", &[])
        .expect("count")
        .get(0);
    assert_eq!(keys, 0);
}

/// A database made by an earlier communique (schema 1, as shipped) with
/// rows in it moves to this schema on first open: every row kept (the team
/// `''`, seen while no team is registered), and changes go on.
#[test]
fn a_schema_1_database_with_rows_is_migrated_keeping_them() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let name = cluster.fresh_name();
    cluster.sql(
        &name,
        "CREATE TABLE communique_schema (version INTEGER NOT NULL);
        INSERT INTO communique_schema VALUES (1);
        CREATE TABLE marks (
            id TEXT PRIMARY KEY,
            flagged_by TEXT, flagged_at BIGINT,
            status TEXT NOT NULL DEFAULT 'new', status_by TEXT, status_at BIGINT,
            note TEXT, note_by TEXT, note_at BIGINT
        );
        CREATE TABLE tags (
            id TEXT NOT NULL, tag TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL,
            PRIMARY KEY (id, tag)
        );
        CREATE INDEX tags_by_tag ON tags (tag);
        CREATE TABLE saved_searches (
            name TEXT PRIMARY KEY, query TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL
        );
        CREATE TABLE history (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            by TEXT NOT NULL, query TEXT NOT NULL, at BIGINT NOT NULL,
            UNIQUE (by, query)
        );
        CREATE TABLE reads (
            id TEXT NOT NULL, by TEXT NOT NULL, at BIGINT NOT NULL,
            PRIMARY KEY (id, by)
        );
        CREATE TABLE note_versions (
            id TEXT NOT NULL, version INTEGER NOT NULL,
            note TEXT, by TEXT NOT NULL, at BIGINT NOT NULL,
            PRIMARY KEY (id, version)
        );
        CREATE TABLE note_drafts (
            id TEXT NOT NULL, by TEXT NOT NULL, text TEXT NOT NULL, at BIGINT NOT NULL,
            base_note TEXT, base_by TEXT, base_at BIGINT,
            PRIMARY KEY (id, by)
        );
        INSERT INTO marks (id, flagged_by, flagged_at, note, note_by, note_at)
            VALUES ('a', 'alice', 10, 'old note', 'alice', 10);
        INSERT INTO note_versions VALUES ('a', 1, 'old note', 'alice', 10);
        INSERT INTO tags VALUES ('a', 'urgent', 'alice', 10);
        INSERT INTO saved_searches VALUES ('mine', 'is:flagged', 'alice', 10);
        INSERT INTO history (by, query, at) VALUES ('alice', 'japan', 10);",
    );
    cluster.role("alice");
    let mut store = PgStore::open(&cluster.url_as(&name, "alice")).expect("migrate");
    assert!(
        store
            .health()
            .expect("health")
            .contains("communique schema 3"),
        "{}",
        store.health().expect("health")
    );
    let marks = store.marks().expect("marks");
    assert_eq!(
        marks["a"].flagged.as_ref().map(|s| s.by.as_str()),
        Some("alice")
    );
    assert!(marks["a"].tags.contains_key("urgent"));
    let opened = marks["a"].note.clone();
    assert_eq!(opened.as_ref().map(|n| n.0.as_str()), Some("old note"));
    assert_eq!(
        store.saved_searches().expect("saved"),
        vec![("mine".to_owned(), "is:flagged".to_owned())]
    );
    assert_eq!(store.history().expect("history"), vec!["japan".to_owned()]);
    let saved = store
        .save_note(&one("a"), Some("new note"), &[opened])
        .expect("save over the migrated note");
    assert!(matches!(saved, NoteSaved::Saved(_)), "{saved:?}");
    store.push_history("japan").expect("history again");
    assert_eq!(store.history().expect("history"), vec!["japan".to_owned()]);
}
