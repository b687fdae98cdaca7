//! Unit tests of the store that need its insides: environment fallbacks, and
//! a full disk simulated with SQLite's page limit.

use super::*;

fn os(s: &str) -> Option<OsString> {
    Some(OsString::from(s))
}

#[test]
fn a_store_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Store>();
    assert_send::<StoreError>();
}

#[test]
fn default_path_prefers_an_absolute_xdg_state_home() {
    assert_eq!(
        default_path_from(os("/x/state"), os("/home/a")),
        PathBuf::from("/x/state/communique/triage.db")
    );
    assert_eq!(
        default_path_from(os("relative"), os("/home/a")),
        PathBuf::from("/home/a/.local/state/communique/triage.db")
    );
    assert_eq!(
        default_path_from(None, os("/home/a")),
        PathBuf::from("/home/a/.local/state/communique/triage.db")
    );
    assert_eq!(
        default_path_from(None, None),
        PathBuf::from("communique/triage.db")
    );
}

#[test]
fn user_falls_back_through_the_environment() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(
        user_from(
            env(&[("COMMUNIQUE_USER", "alice"), ("USER", "press")]),
            || "carol".to_owned()
        ),
        "alice"
    );
    assert_eq!(
        user_from(env(&[("COMMUNIQUE_USER", " "), ("USER", "press")]), || {
            "carol".to_owned()
        }),
        "press"
    );
    assert_eq!(
        user_from(env(&[("LOGNAME", "bob")]), || "carol".to_owned()),
        "bob"
    );
    assert_eq!(user_from(env(&[]), || "carol".to_owned()), "carol");
    // The account itself, as the password database names it.
    let me = super::account_name();
    assert!(!me.is_empty() && me != "unknown", "{me}");
}

#[test]
fn a_full_disk_saves_nothing_of_the_change_and_reads_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("triage.db");
    let (mut store, _) = Store::open(&path, "alice").expect("open");
    let flag = Change::Flag {
        ids: vec!["kept".to_owned()],
        flagged: true,
    };
    store.apply(&flag).expect("flag");

    // SQLite's page limit gives the same SQLITE_FULL as a full disk.
    let pages: i64 = store
        .conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .expect("page_count");
    store
        .conn
        .pragma_update(None, "max_page_count", pages)
        .expect("limit");
    let ids: Vec<String> = (0..1000).map(|i| format!("id-{i}")).collect();
    let big = Change::Note {
        ids: ids.clone(),
        note: Some("x".repeat(2000)),
    };
    let error = store.apply(&big).expect_err("should not fit");
    assert!(matches!(error, StoreError::Full(_)), "{error:?}");
    assert!(
        error.to_string().starts_with("cannot save: the disk"),
        "{error}"
    );

    let all = store.marks().expect("reads go on");
    assert_eq!(all.len(), 1, "nothing of the failed change was saved");
    assert!(all["kept"].flagged.is_some());

    store
        .conn
        .pragma_update(None, "max_page_count", 1_073_741_823)
        .expect("unlimit");
    store.apply(&big).expect("fits once there is room");
    assert_eq!(store.marks().expect("marks").len(), 1001);
}
