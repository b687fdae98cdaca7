//! The triage marks on one statement and the changes that can be made to
//! them, as plain values: what a change does to a set of marks is decided
//! here, without a database, so it can be tested on its own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::StoreError;

/// Where a statement stands in triage. The set is fixed: `new` → `in review`
/// → `actioned` or `no action`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Status {
    #[default]
    New,
    InReview,
    Actioned,
    NoAction,
}

impl Status {
    /// Every status, in workflow order (for pickers and help text).
    pub const ALL: [Status; 4] = [
        Status::New,
        Status::InReview,
        Status::Actioned,
        Status::NoAction,
    ];

    /// The name shown to people and stored in the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InReview => "in review",
            Status::Actioned => "actioned",
            Status::NoAction => "no action",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Accepts the shown names in any case, with a space, `-`, `_` or nothing
/// between words, so `in review`, `in-review` and `InReview` all work on a
/// command line or in a query.
impl FromStr for Status {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let squashed: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        match squashed.as_str() {
            "new" => Ok(Status::New),
            "inreview" => Ok(Status::InReview),
            "actioned" => Ok(Status::Actioned),
            "noaction" => Ok(Status::NoAction),
            _ => Err(StoreError::Invalid(format!(
                "unknown status {text:?}: use new, in-review, actioned or no-action"
            ))),
        }
    }
}

/// Who made a mark and when (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub by: String,
    pub at: i64,
}

/// One earlier state of a statement's note: its text (`None` where it was
/// removed) and who wrote it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteVersion {
    pub text: Option<String>,
    pub stamp: Stamp,
}

/// Everything triage knows about one statement, as one person sees it.
/// Read state is each person's own (like mail): `read` is the reader the
/// store was opened for, and `read_by_others` everyone else; flag, status,
/// tags and note are shared. `Default` is an untouched statement: unread,
/// unflagged, status `new` set by nobody, no tags, no note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    /// `Some` when this user has read it, with when.
    pub read: Option<Stamp>,
    /// Who else has read it, and when (unix seconds). Only their own store
    /// changes these; a change here leaves them as they are.
    pub read_by_others: BTreeMap<String, i64>,
    /// `Some` when flagged, with who flagged it.
    pub flagged: Option<Stamp>,
    pub status: Status,
    /// Who last set `status`; `None` while it has never been set.
    pub status_set: Option<Stamp>,
    /// Each tag with who added it.
    pub tags: BTreeMap<String, Stamp>,
    pub note: Option<(String, Stamp)>,
    /// The note's earlier versions, newest first (shared, cheap to clone:
    /// every search takes a copy of the marks).
    pub note_history: Arc<[NoteVersion]>,
}

impl Marks {
    /// True when the statement carries no marks at all (it needs no row).
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Marks::default()
    }

    /// Everyone who did anything to the statement (read it too), once each
    /// or more: what `by:NAME` and the "by" facet look at.
    pub fn people(&self) -> impl Iterator<Item = &str> {
        self.read
            .iter()
            .chain(&self.flagged)
            .chain(&self.status_set)
            .chain(self.tags.values())
            .chain(self.note.iter().map(|(_, stamp)| stamp))
            .map(|stamp| stamp.by.as_str())
            .chain(self.read_by_others.keys().map(String::as_str))
    }
}

/// One triage action on a set of statements. The store applies each change in
/// a single transaction: all of its ids change, or none do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Read {
        ids: Vec<String>,
        read: bool,
    },
    Flag {
        ids: Vec<String>,
        flagged: bool,
    },
    Status {
        ids: Vec<String>,
        status: Status,
    },
    Tag {
        ids: Vec<String>,
        tag: String,
        add: bool,
    },
    /// `None`, or text that is only whitespace, removes the note.
    Note {
        ids: Vec<String>,
        note: Option<String>,
    },
    /// Puts marks back exactly as given, stamps included.
    Restore {
        marks: Vec<(String, Marks)>,
    },
    /// Puts one field back as given (stamps included) and leaves the rest as
    /// it is now: undo and redo, which must not take back other marks made
    /// since, by this user or another.
    Revert {
        marks: Vec<(String, Marks)>,
        field: MarkField,
    },
}

/// One kind of mark, as a change touches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkField {
    Read,
    Flag,
    Status,
    Tag(String),
    Note,
}

impl MarkField {
    /// Copies this field from `from` into `into`.
    pub fn copy(&self, from: &Marks, into: &mut Marks) {
        match self {
            Self::Read => into.read.clone_from(&from.read),
            Self::Flag => into.flagged.clone_from(&from.flagged),
            Self::Status => {
                into.status = from.status;
                into.status_set.clone_from(&from.status_set);
            }
            Self::Tag(tag) => match from.tags.get(tag) {
                Some(stamp) => {
                    into.tags.insert(tag.clone(), stamp.clone());
                }
                None => {
                    into.tags.remove(tag);
                }
            },
            Self::Note => into.note.clone_from(&from.note),
        }
    }
}

/// What one id should become: an edit computed from its current marks, or an
/// exact value from a `Restore`.
pub(super) enum Target<'a> {
    Edit,
    Exact(&'a Marks),
    /// One field taken from these marks (`Revert`).
    Field(&'a Marks),
}

impl Change {
    /// The ids this change touches, each once, in order of first mention;
    /// for `Restore` a repeated id takes its last value.
    pub(super) fn plan(&self) -> Vec<(&str, Target<'_>)> {
        let ids = match self {
            Change::Read { ids, .. }
            | Change::Flag { ids, .. }
            | Change::Status { ids, .. }
            | Change::Tag { ids, .. }
            | Change::Note { ids, .. } => ids,
            Change::Restore { marks } | Change::Revert { marks, .. } => {
                let target = |value| {
                    if matches!(self, Change::Revert { .. }) {
                        Target::Field(value)
                    } else {
                        Target::Exact(value)
                    }
                };
                let mut plan: Vec<(&str, Target<'_>)> = Vec::with_capacity(marks.len());
                let mut slot: HashMap<&str, usize> = HashMap::with_capacity(marks.len());
                for (id, value) in marks {
                    match slot.get(id.as_str()) {
                        Some(&at) => plan[at].1 = target(value),
                        None => {
                            slot.insert(id, plan.len());
                            plan.push((id, target(value)));
                        }
                    }
                }
                return plan;
            }
        };
        let mut seen = HashSet::with_capacity(ids.len());
        ids.iter()
            .filter(|id| seen.insert(id.as_str()))
            .map(|id| (id.as_str(), Target::Edit))
            .collect()
    }

    /// Rejects input the store should never hold: an empty tag, one with
    /// spaces (it could not be written as `tag:WORD`), or one with control
    /// or invisible characters (it would not show as written).
    ///
    /// # Errors
    /// [`StoreError::Invalid`], saying what is wrong.
    pub fn check(&self) -> Result<(), StoreError> {
        if let Change::Tag { tag, .. } = self {
            check_tag(tag)?;
        }
        Ok(())
    }

    /// The marks `before` becomes under this change, made by `stamp`.
    /// Repeating a change keeps the original attribution: flagging a flagged
    /// statement, re-adding a tag or setting the same status or note again
    /// leaves who-and-when as it was.
    pub(super) fn edit(&self, before: &Marks, stamp: &Stamp) -> Marks {
        let mut after = before.clone();
        match self {
            Change::Read { read, .. } => set_stamp(&mut after.read, *read, stamp),
            Change::Flag { flagged, .. } => set_stamp(&mut after.flagged, *flagged, stamp),
            Change::Status { status, .. } => {
                if after.status != *status || after.status_set.is_none() {
                    after.status = *status;
                    after.status_set = Some(stamp.clone());
                }
            }
            Change::Tag { tag, add, .. } => {
                if *add {
                    after
                        .tags
                        .entry(tag.clone())
                        .or_insert_with(|| stamp.clone());
                } else {
                    after.tags.remove(tag);
                }
            }
            Change::Note { note, .. } => match note.as_deref().filter(|n| !n.trim().is_empty()) {
                None => after.note = None,
                Some(text) => {
                    if after.note.as_ref().is_none_or(|(old, _)| old != text) {
                        after.note = Some((text.to_owned(), stamp.clone()));
                    }
                }
            },
            Change::Restore { .. } | Change::Revert { .. } => {}
        }
        after
    }

    /// The one field this change touches (`None` for `Restore`, which
    /// touches every field).
    #[must_use]
    pub fn field(&self) -> Option<MarkField> {
        match self {
            Change::Read { .. } => Some(MarkField::Read),
            Change::Flag { .. } => Some(MarkField::Flag),
            Change::Status { .. } => Some(MarkField::Status),
            Change::Tag { tag, .. } => Some(MarkField::Tag(tag.clone())),
            Change::Note { .. } => Some(MarkField::Note),
            Change::Revert { field, .. } => Some(field.clone()),
            Change::Restore { .. } => None,
        }
    }
}

fn set_stamp(slot: &mut Option<Stamp>, on: bool, stamp: &Stamp) {
    if !on {
        *slot = None;
    } else if slot.is_none() {
        *slot = Some(stamp.clone());
    }
}

fn check_tag(tag: &str) -> Result<(), StoreError> {
    if tag.is_empty() {
        return Err(StoreError::Invalid("a tag cannot be empty".to_owned()));
    }
    check_shown_as_written("a tag", tag)?;
    if tag.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid(format!(
            "a tag is one word: \"{tag}\" has spaces"
        )));
    }
    Ok(())
}

/// Whether the screen would not show `c` as itself: a control character, a
/// line or paragraph separator, or an invisible format character (a bidi
/// override, a zero-width space…), which the display drops.
fn is_hidden(c: char) -> bool {
    let mut buffer = [0; 4];
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || crate::sanitize::clean_line(c.encode_utf8(&mut buffer)).is_empty()
}

/// Refuses a name (a tag, a saved search's name) holding a character the
/// screen would not show as written: two names that look the same would be
/// different, and one could reorder the text around it.
pub(super) fn check_shown_as_written(what: &str, text: &str) -> Result<(), StoreError> {
    match text.chars().find(|&c| is_hidden(c)) {
        Some(c) => Err(StoreError::Invalid(format!(
            "{what} cannot hold invisible, direction-changing or control characters: \"{}\" has U+{:04X}",
            crate::sanitize::clean_line(text),
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// A person's name as marks record it: without the characters the screen
/// would not show, and trimmed.
pub(super) fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|&c| !is_hidden(c))
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(by: &str, at: i64) -> Stamp {
        Stamp {
            by: by.to_owned(),
            at,
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn status_round_trips_and_accepts_spellings() {
        for status in Status::ALL {
            assert_eq!(status.to_string().parse::<Status>().ok(), Some(status));
        }
        for text in ["in review", "in-review", "IN_REVIEW", "InReview"] {
            assert_eq!(text.parse::<Status>().ok(), Some(Status::InReview));
        }
        assert_eq!("no-action".parse::<Status>().ok(), Some(Status::NoAction));
        assert!("done".parse::<Status>().is_err());
    }

    #[test]
    fn repeating_a_change_keeps_the_first_attribution() {
        let alice = stamp("alice", 1);
        let bob = stamp("bob", 2);
        let flag = Change::Flag {
            ids: ids(&["a"]),
            flagged: true,
        };
        let once = flag.edit(&Marks::default(), &alice);
        assert_eq!(flag.edit(&once, &bob), once);

        let status = Change::Status {
            ids: ids(&["a"]),
            status: Status::Actioned,
        };
        let set = status.edit(&once, &alice);
        assert_eq!(status.edit(&set, &bob).status_set, Some(alice.clone()));

        let note = Change::Note {
            ids: ids(&["a"]),
            note: Some("call back".to_owned()),
        };
        let noted = note.edit(&set, &alice);
        assert_eq!(note.edit(&noted, &bob), noted);
        let changed = Change::Note {
            ids: ids(&["a"]),
            note: Some("done".to_owned()),
        }
        .edit(&noted, &bob);
        assert_eq!(changed.note, Some(("done".to_owned(), bob)));
    }

    #[test]
    fn setting_status_new_explicitly_is_recorded() {
        let change = Change::Status {
            ids: ids(&["a"]),
            status: Status::New,
        };
        let after = change.edit(&Marks::default(), &stamp("alice", 5));
        assert_eq!(after.status, Status::New);
        assert!(!after.is_default());
    }

    #[test]
    fn blank_note_removes_the_note() {
        let noted = Change::Note {
            ids: ids(&["a"]),
            note: Some("x".to_owned()),
        }
        .edit(&Marks::default(), &stamp("alice", 1));
        let cleared = Change::Note {
            ids: ids(&["a"]),
            note: Some(" \n ".to_owned()),
        }
        .edit(&noted, &stamp("alice", 2));
        assert!(cleared.is_default());
    }

    #[test]
    fn plan_dedupes_ids_and_restore_takes_the_last_value() {
        let change = Change::Read {
            ids: ids(&["b", "a", "b"]),
            read: true,
        };
        let plan: Vec<&str> = change.plan().into_iter().map(|(id, _)| id).collect();
        assert_eq!(plan, ["b", "a"]);

        let flagged = Marks {
            flagged: Some(stamp("x", 1)),
            ..Marks::default()
        };
        let restore = Change::Restore {
            marks: vec![
                ("a".to_owned(), Marks::default()),
                ("a".to_owned(), flagged.clone()),
            ],
        };
        let plan = restore.plan();
        assert_eq!(plan.len(), 1);
        assert!(matches!(plan[0].1, Target::Exact(m) if *m == flagged));
    }

    #[test]
    fn names_lose_what_the_screen_would_not_show() {
        assert_eq!(clean_name(" al\u{202e}ice\u{200b}\u{7} "), "alice");
        assert_eq!(clean_name("Jane Doe"), "Jane Doe");
        assert_eq!(clean_name("\u{2066}\u{feff}"), "");
    }

    #[test]
    fn tags_must_be_one_word() {
        for bad in [
            "",
            "two words",
            "tab\there",
            "bell\u{7}",
            "urgent\u{202e}",
            "zero\u{200b}width",
            "soft\u{ad}hyphen",
            "line\u{2028}break",
            "c1\u{9b}",
        ] {
            let change = Change::Tag {
                ids: ids(&["a"]),
                tag: bad.to_owned(),
                add: true,
            };
            assert!(change.check().is_err(), "{bad:?} accepted");
        }
        let good = Change::Tag {
            ids: ids(&["a"]),
            tag: "urgent".to_owned(),
            add: true,
        };
        assert!(good.check().is_ok());
    }
}
