//! Writing a note in the browser without losing one: the editor, the
//! question asked before unsaved text is closed (save, keep as a draft,
//! throw away), drafts offered again when the note is reopened, and the
//! conflict screen when someone else changed the note meanwhile.

use super::note::TextArea;
use super::{Effect, State, View};
use crate::keymap::Action;
use crate::store::OpenedNote;

/// The note editor over another view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEditor {
    pub area: TextArea,
    pub targets: Vec<String>,
    /// The saved note's text when the editor opened: closing with other
    /// text asks first.
    pub original: String,
    /// Each target's note as opened, for the store to tell at saving
    /// whether someone changed it meanwhile.
    pub opened: Vec<OpenedNote>,
    /// Closing was asked for with unsaved text: the question is showing.
    pub asking: bool,
    pub under: Box<View>,
}

/// Someone changed the note while this user wrote theirs: nothing of theirs
/// was saved, and they choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteConflict {
    /// What this user wrote (empty: they removed the note).
    pub mine: String,
    /// The note now, as the other person left it (of the first target that
    /// changed).
    pub theirs: OpenedNote,
    pub targets: Vec<String>,
    /// What this user's editor had opened, kept for going back to it.
    pub opened: Vec<OpenedNote>,
    /// Each target's note now: saving over it, or a merge, starts from it.
    pub now: Vec<OpenedNote>,
    pub under: Box<View>,
}

/// The question's answers, typed while it shows.
pub const ASK_SAVE: char = 's';
pub const ASK_DRAFT: char = 'd';
pub const ASK_DISCARD: char = 'x';

impl State {
    /// Opens the note editor on `ids`: with this user's draft when every
    /// one has the same draft, else a note that failed to save, else the
    /// saved note of the first.
    pub(super) fn open_note(&mut self, ids: Vec<String>) {
        let saved: Vec<OpenedNote> = ids
            .iter()
            .map(|id| {
                self.triage
                    .marks
                    .get(id)
                    .and_then(|marks| marks.note.clone())
            })
            .collect();
        let original = saved
            .first()
            .and_then(|note| note.as_ref().map(|(text, _)| text.clone()))
            .unwrap_or_default();
        let draft = ids
            .first()
            .and_then(|id| self.triage.drafts.get(id))
            .filter(|draft| {
                ids.iter().all(|id| {
                    self.triage
                        .drafts
                        .get(id)
                        .is_some_and(|other| other.text == draft.text)
                })
            });
        let unsaved = match &self.triage.unsaved_note {
            Some((unsaved_ids, text)) if *unsaved_ids == ids => Some(text.clone()),
            _ => None,
        };
        let (text, opened) = match (unsaved, draft) {
            (Some(text), _) => (text, saved),
            (None, Some(draft)) => {
                self.status =
                    Some("your unsaved draft: Ctrl-s saves it, Esc asks what to do with it".into());
                let opened = ids
                    .iter()
                    .map(|id| self.triage.drafts.get(id).and_then(|d| d.opened.clone()))
                    .collect();
                (draft.text.clone(), opened)
            }
            (None, None) => (original.clone(), saved),
        };
        let under = Box::new(std::mem::replace(&mut self.view, View::List));
        self.view = View::Note(NoteEditor {
            area: TextArea::with_text(&text),
            targets: ids,
            original,
            opened,
            asking: false,
            under,
        });
    }

    pub(super) fn update_note(&mut self, mut note: NoteEditor, action: Action) {
        if note.asking {
            match action {
                Action::Submit | Action::Type(ASK_SAVE) => self.save_note(note),
                // Ctrl-c at the question still loses nothing.
                Action::Type(ASK_DRAFT) | Action::ForceQuit => self.keep_draft(note),
                Action::Type(ASK_DISCARD) => {
                    if self
                        .triage
                        .unsaved_note
                        .as_ref()
                        .is_some_and(|(ids, _)| *ids == note.targets)
                    {
                        self.triage.unsaved_note = None;
                    }
                    if note
                        .targets
                        .iter()
                        .any(|id| self.triage.drafts.contains_key(id))
                    {
                        self.effects.push(Effect::DropDrafts(note.targets.clone()));
                    }
                    self.status = Some("threw the unsaved note away".into());
                    self.view = *note.under;
                }
                Action::Cancel => {
                    note.asking = false;
                    self.view = View::Note(note);
                }
                _ => self.view = View::Note(note),
            }
            return;
        }
        match action {
            Action::Submit => {
                self.save_note(note);
                return;
            }
            Action::Cancel | Action::ForceQuit => {
                if note.area.text() == note.original {
                    self.view = *note.under;
                    return;
                }
                note.asking = true;
            }
            Action::Type(c) => note.area.insert(c),
            edit => note.area.edit(edit),
        }
        self.view = View::Note(note);
    }

    /// Asks the store to save the note, unless someone changed it since it
    /// was opened ([`State::note_conflict`] then).
    fn save_note(&mut self, note: NoteEditor) {
        let text = note.area.text().to_owned();
        self.view = *note.under;
        if let Some(why) = &self.triage.unavailable {
            self.status = Some(format!("cannot save: {why}"));
            self.triage.unsaved_note = Some((note.targets, text));
            return;
        }
        let count = super::triage::plural(note.targets.len());
        let done = if text.trim().is_empty() {
            format!("removed the note from {count}")
        } else {
            format!("saved the note on {count}")
        };
        // Kept until the store says it is saved, and offered again if not.
        self.triage.unsaved_note = Some((note.targets.clone(), text.clone()));
        self.effects.push(Effect::SaveNote {
            ids: note.targets,
            text: (!text.trim().is_empty()).then_some(text),
            opened: note.opened,
            done,
        });
    }

    fn keep_draft(&mut self, note: NoteEditor) {
        self.status = Some("kept the note as your draft: e opens it again".into());
        self.effects.push(Effect::SaveDraft {
            ids: note.targets,
            text: note.area.text().to_owned(),
            opened: note.opened,
        });
        self.view = *note.under;
    }

    /// The store found the note changed since it was opened: `changed` holds
    /// each such target with its note now. Shows both versions.
    pub fn note_conflict(
        &mut self,
        targets: Vec<String>,
        mine: Option<String>,
        opened: Vec<OpenedNote>,
        changed: Vec<(String, OpenedNote)>,
    ) {
        self.triage.unsaved_note = None;
        let now: Vec<OpenedNote> = targets
            .iter()
            .zip(opened.iter().cloned().chain(std::iter::repeat(None)))
            .map(|(id, opened)| {
                changed
                    .iter()
                    .find(|(changed_id, _)| changed_id == id)
                    .map_or(opened, |(_, note)| note.clone())
            })
            .collect();
        let theirs = changed.into_iter().next().and_then(|(_, note)| note);
        self.status = Some("not saved: someone changed the note while you wrote yours".into());
        let under = Box::new(std::mem::replace(&mut self.view, View::List));
        self.view = View::Conflict(NoteConflict {
            mine: mine.unwrap_or_default(),
            theirs,
            targets,
            opened,
            now,
            under,
        });
    }

    pub(super) fn update_conflict(&mut self, conflict: NoteConflict, action: Action) {
        let theirs_text = conflict
            .theirs
            .as_ref()
            .map(|(text, _)| text.clone())
            .unwrap_or_default();
        // An editor on the same statements; closing it unsaved asks.
        let editor = |text: &str, opened: Vec<OpenedNote>, under: Box<View>| NoteEditor {
            area: TextArea::with_text(text),
            targets: conflict.targets.clone(),
            original: theirs_text.clone(),
            opened,
            asking: false,
            under,
        };
        let view = match action {
            Action::KeepMine => {
                self.save_note(editor(&conflict.mine, conflict.now, conflict.under));
                return;
            }
            Action::KeepTheirs => {
                self.effects
                    .push(Effect::DropDrafts(conflict.targets.clone()));
                self.status = Some("kept their note; yours was not saved".into());
                *conflict.under
            }
            Action::MergeNotes => {
                let merged = merged_text(&conflict.mine, conflict.theirs.as_ref());
                self.status =
                    Some("both versions are in the note: edit it to one, then Ctrl-s".into());
                View::Note(editor(&merged, conflict.now, conflict.under))
            }
            // Back to writing: the text is kept, and saving asks again.
            Action::Back | Action::ForceQuit => {
                View::Note(editor(&conflict.mine, conflict.opened, conflict.under))
            }
            _ => View::Conflict(conflict),
        };
        self.view = view;
    }

    /// The note being written and not saved, if any, wherever it is in the
    /// views (the editor, or the conflict screen): quitting keeps it as a
    /// draft. Gives (targets, text, opened).
    #[must_use]
    pub fn unsaved_note_text(&self) -> Option<(Vec<String>, String, Vec<OpenedNote>)> {
        let mut view = Some(&self.view);
        while let Some(shown) = view {
            match shown {
                View::Note(note) if note.area.text() != note.original => {
                    return Some((
                        note.targets.clone(),
                        note.area.text().to_owned(),
                        note.opened.clone(),
                    ));
                }
                View::Conflict(conflict) => {
                    return Some((
                        conflict.targets.clone(),
                        conflict.mine.clone(),
                        conflict.opened.clone(),
                    ));
                }
                _ => {}
            }
            view = shown.under();
        }
        None
    }
}

/// Both versions in one text, each under a line saying whose it is, for
/// merging by hand.
fn merged_text(mine: &str, theirs: Option<&(String, crate::store::Stamp)>) -> String {
    let (their_text, whose) = match theirs {
        Some((text, stamp)) => (
            text.as_str(),
            format!("=== theirs: {} ===", crate::document::stamp_text(stamp)),
        ),
        None => ("", "=== theirs: the note was removed ===".to_owned()),
    };
    format!("=== yours ===\n{mine}\n{whose}\n{their_text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Stamp;

    #[test]
    fn a_merge_marks_whose_each_text_is() {
        let stamp = Stamp {
            by: "bob".to_owned(),
            at: 0,
        };
        let merged = merged_text("call the desk", Some(&("call Tokyo".to_owned(), stamp)));
        let lines: Vec<&str> = merged.lines().collect();
        assert_eq!(lines[0], "=== yours ===");
        assert_eq!(lines[1], "call the desk");
        assert!(lines[2].starts_with("=== theirs: bob, "), "{merged}");
        assert_eq!(lines[3], "call Tokyo");
    }
}
