//! Triage in the browser: marks on the statement under the cursor or on the
//! chosen rows, tags with completion, notes, undo and redo, saved searches.
//! The state only asks for changes ([`Effect::Triage`]); the loop applies them
//! to the store and hands back what happened ([`State::triage_applied`]).

use std::collections::{BTreeSet, HashMap};

use super::{Effect, LineEditor, State, View};
use crate::keymap::Action;
use crate::store::{Applied, Change, MarkField, Marks, Status};

/// How many triage steps undo remembers.
pub const UNDO_LIMIT: usize = 200;

/// Why a triage change is being made, so its result lands on the right stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Do,
    Undo,
    Redo,
    /// Not a step of its own (opening a statement marks it read).
    Quiet,
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptPurpose {
    AddTag,
    RemoveTag,
    SaveSearch,
}

impl PromptPurpose {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::AddTag => "add tag: ",
            Self::RemoveTag => "remove tag: ",
            Self::SaveSearch => "save query as: ",
        }
    }
}

/// A one-line prompt over another view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptPurpose,
    pub editor: LineEditor,
    /// Statement ids the prompt acts on (empty for saving a search).
    pub targets: Vec<String>,
    /// Completion candidates, what was typed before Tab, and which of the
    /// candidates matching it was offered last.
    pub candidates: Vec<String>,
    pub prefix: String,
    pub offered: Option<usize>,
    pub under: Box<View>,
}

/// The saved-search picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub cursor: usize,
    pub under: Box<View>,
}

/// One undoable triage step: which field it changed, and that field's
/// marks before the change (undo) or after it (redo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoStep {
    pub field: MarkField,
    pub marks: Vec<(String, Marks)>,
}

/// Triage state kept by [`State`].
#[derive(Debug, Default)]
pub struct Triage {
    /// Marks by statement id (only ids with marks).
    pub marks: HashMap<String, Marks>,
    /// Rows chosen for a bulk change, by archive position.
    pub chosen: BTreeSet<usize>,
    /// Where a visual range started (list position), while choosing one.
    pub anchor: Option<usize>,
    /// The field each change touched and the marks before it, newest last.
    pub undo: Vec<UndoStep>,
    pub redo: Vec<UndoStep>,
    /// Tags in use, for completion.
    pub tags: Vec<String>,
    pub saved: Vec<(String, String)>,
    /// Why triage cannot be saved, when it cannot.
    pub unavailable: Option<String>,
    /// The last note that could not be saved, offered again next time.
    pub unsaved_note: Option<(Vec<String>, String)>,
    /// This user's draft notes, by statement id (see `notes`).
    pub drafts: HashMap<String, crate::store::Draft>,
    /// `Some(n)` while the database cannot be reached: `n` changes wait in
    /// the local journal (the header says so).
    pub offline: Option<usize>,
}

impl State {
    /// The marks of a statement (by archive position).
    #[must_use]
    pub fn marks_of(&self, index: usize) -> Option<&Marks> {
        // By id, read in place: a shelved statement is not restored for it.
        self.triage.marks.get(self.catalog.id(index)?)
    }

    /// Archive positions a triage key acts on: the chosen rows and any
    /// visual range, else the row under the cursor (or the open statement).
    #[must_use]
    pub fn triage_targets(&self) -> Vec<usize> {
        if let View::Detail(detail) = &self.view {
            return vec![detail.statement];
        }
        let mut targets = self.triage.chosen.clone();
        if let Some(anchor) = self.triage.anchor {
            let (from, to) = (anchor.min(self.selected), anchor.max(self.selected));
            targets.extend(
                self.hits
                    .iter()
                    .skip(from)
                    .take(to - from + 1)
                    .map(|hit| hit.index),
            );
        }
        if targets.is_empty() {
            targets.extend(self.selected_hit().map(|hit| hit.index));
        }
        targets.into_iter().collect()
    }

    fn ids(&self, targets: &[usize]) -> Vec<String> {
        targets
            .iter()
            .filter_map(|&index| self.catalog.id(index).map(str::to_owned))
            .collect()
    }

    /// Handles a triage action in the list or detail view; returns false for
    /// actions that are not triage.
    pub(super) fn update_triage(&mut self, action: Action) -> bool {
        let is_triage = matches!(
            action,
            Action::ToggleRead
                | Action::ToggleFlag
                | Action::CycleStatus
                | Action::AddTag
                | Action::RemoveTag
                | Action::EditNote
        );
        let targets = self.triage_targets();
        if is_triage && targets.is_empty() {
            self.status = Some("nothing to mark: the list is empty".into());
            return true;
        }
        let ids = self.ids(&targets);
        let count = ids.len();
        let all = |pred: &dyn Fn(&Marks) -> bool| {
            targets
                .iter()
                .all(|&index| self.marks_of(index).is_some_and(pred))
        };
        match action {
            Action::ToggleRead => {
                let read = !all(&|marks| marks.read.is_some());
                let what = if read { "read" } else { "unread" };
                self.ask(
                    Change::Read { ids, read },
                    format!("marked {} {what}", plural(count)),
                );
            }
            Action::ToggleFlag => {
                let flagged = !all(&|marks| marks.flagged.is_some());
                let what = if flagged { "flagged" } else { "unflagged" };
                self.ask(
                    Change::Flag { ids, flagged },
                    format!("{what} {}", plural(count)),
                );
            }
            Action::CycleStatus => {
                let current = targets
                    .first()
                    .and_then(|&index| self.marks_of(index))
                    .map_or(Status::New, |marks| marks.status);
                let position = Status::ALL.iter().position(|s| *s == current).unwrap_or(0);
                let status = Status::ALL[(position + 1) % Status::ALL.len()];
                self.ask(
                    Change::Status { ids, status },
                    format!("status {} for {}", status.as_str(), plural(count)),
                );
            }
            Action::AddTag | Action::RemoveTag => {
                let (purpose, candidates) = if action == Action::AddTag {
                    (PromptPurpose::AddTag, self.triage.tags.clone())
                } else {
                    let mut tags: Vec<String> = targets
                        .iter()
                        .filter_map(|&index| self.marks_of(index))
                        .flat_map(|marks| marks.tags.keys().cloned())
                        .collect();
                    tags.sort();
                    tags.dedup();
                    if tags.is_empty() {
                        self.status = Some(format!("no tags to remove on {}", plural(count)));
                        return true;
                    }
                    (PromptPurpose::RemoveTag, tags)
                };
                self.open_prompt(purpose, ids, candidates);
            }
            Action::EditNote => self.open_note(ids),
            Action::Undo | Action::Redo => {
                let (stack, origin, word) = if action == Action::Undo {
                    (&mut self.triage.undo, Origin::Undo, "undid")
                } else {
                    (&mut self.triage.redo, Origin::Redo, "redid")
                };
                match stack.pop() {
                    Some(UndoStep { field, marks }) => {
                        let done =
                            format!("{word}: {} on {}", field_name(&field), plural(marks.len()));
                        self.effects.push(Effect::Triage {
                            change: Change::Revert { marks, field },
                            origin,
                            done,
                        });
                    }
                    None => {
                        self.status = Some(format!(
                            "nothing to {}",
                            if origin == Origin::Undo {
                                "undo"
                            } else {
                                "redo"
                            }
                        ));
                    }
                }
            }
            _ => return false,
        }
        true
    }

    fn ask(&mut self, change: Change, done: String) {
        if let Some(why) = &self.triage.unavailable {
            self.status = Some(format!("cannot save: {why}"));
            return;
        }
        self.effects.push(Effect::Triage {
            change,
            origin: Origin::Do,
            done,
        });
        // The choice stays until cleared, as mutt's tagged messages do, so
        // several marks go on the same set; a visual range becomes part of it.
        if matches!(self.view, View::List) && self.triage.anchor.is_some() {
            let range = self.triage_targets();
            self.triage.chosen.extend(range);
            self.triage.anchor = None;
        }
    }

    pub(super) fn open_prompt(
        &mut self,
        purpose: PromptPurpose,
        targets: Vec<String>,
        candidates: Vec<String>,
    ) {
        let under = Box::new(std::mem::replace(&mut self.view, View::List));
        self.view = View::Prompt(Prompt {
            purpose,
            editor: LineEditor::default(),
            targets,
            candidates,
            prefix: String::new(),
            offered: None,
            under,
        });
    }

    /// List-only triage keys: choosing rows for bulk changes.
    pub(super) fn update_choosing(&mut self, action: Action) -> bool {
        match action {
            Action::ToggleChosen => {
                if let Some(index) = self.selected_hit().map(|hit| hit.index) {
                    if !self.triage.chosen.remove(&index) {
                        self.triage.chosen.insert(index);
                    }
                    self.choose_row(self.selected + 1);
                }
            }
            Action::VisualRange => {
                if self.triage.anchor.is_some() {
                    let range = self.triage_targets();
                    self.triage.chosen.extend(range);
                    self.triage.anchor = None;
                } else {
                    self.triage.anchor = Some(self.selected);
                }
            }
            Action::ChooseAll => {
                if self.triage.chosen.is_empty() {
                    self.triage.chosen = self.hits.iter().map(|hit| hit.index).collect();
                } else {
                    self.triage.chosen.clear();
                }
                self.triage.anchor = None;
            }
            Action::SaveSearch => {
                if self.query_text.trim().is_empty() {
                    self.status = Some("no query to save: type one with /".into());
                } else {
                    self.open_prompt(PromptPurpose::SaveSearch, Vec::new(), Vec::new());
                }
            }
            Action::SavedSearches => {
                if self.triage.saved.is_empty() {
                    self.status = Some("no saved searches yet: w saves the current query".into());
                } else {
                    let under = Box::new(std::mem::replace(&mut self.view, View::List));
                    self.view = View::Picker(Picker { cursor: 0, under });
                }
            }
            _ => return false,
        }
        true
    }

    /// How many rows a bulk change would touch, for the footer.
    #[must_use]
    pub fn chosen_count(&self) -> usize {
        if self.triage.chosen.is_empty() && self.triage.anchor.is_none() {
            0
        } else {
            self.triage_targets().len()
        }
    }

    pub(super) fn update_prompt(&mut self, mut prompt: Prompt, action: Action) {
        match action {
            Action::Submit => {
                let text = prompt.editor.text().trim().to_owned();
                self.view = *prompt.under;
                if text.is_empty() {
                    return;
                }
                let count = prompt.targets.len();
                match prompt.purpose {
                    PromptPurpose::AddTag | PromptPurpose::RemoveTag => {
                        if text.chars().any(char::is_whitespace) {
                            self.status = Some("a tag is one word".into());
                            return;
                        }
                        let add = prompt.purpose == PromptPurpose::AddTag;
                        let done = if add {
                            format!("tagged {} {text}", plural(count))
                        } else {
                            format!("removed tag {text} from {}", plural(count))
                        };
                        self.ask(
                            Change::Tag {
                                ids: prompt.targets,
                                tag: text,
                                add,
                            },
                            done,
                        );
                    }
                    PromptPurpose::SaveSearch => {
                        self.effects.push(Effect::SaveSearch {
                            name: text,
                            query: self.query_text.clone(),
                        });
                    }
                }
                return;
            }
            Action::Cancel => {
                self.view = *prompt.under;
                return;
            }
            Action::Complete => {
                if prompt.offered.is_none() {
                    prompt.prefix = prompt.editor.text().to_lowercase();
                }
                let matching: Vec<&String> = prompt
                    .candidates
                    .iter()
                    .filter(|tag| tag.to_lowercase().starts_with(&prompt.prefix))
                    .collect();
                if !matching.is_empty() {
                    let next = prompt.offered.map_or(0, |at| (at + 1) % matching.len());
                    prompt.editor = LineEditor::with_text(matching[next]);
                    prompt.offered = Some(next);
                }
            }
            Action::Type(c) => {
                prompt.editor.insert(c);
                prompt.offered = None;
            }
            edit => {
                prompt.editor.edit(edit);
                prompt.offered = None;
            }
        }
        self.view = View::Prompt(prompt);
    }

    pub(super) fn update_picker(&mut self, mut picker: Picker, action: Action) {
        let last = self.triage.saved.len().saturating_sub(1);
        match action {
            Action::Down => picker.cursor = (picker.cursor + 1).min(last),
            Action::Up => picker.cursor = picker.cursor.saturating_sub(1),
            Action::Open => {
                if let Some((name, query)) = self.triage.saved.get(picker.cursor).cloned() {
                    self.view = View::List;
                    self.set_query(query);
                    self.status = Some(format!("saved search {name}"));
                    return;
                }
            }
            Action::Delete => {
                if let Some((name, _)) = self.triage.saved.get(picker.cursor).cloned() {
                    self.effects.push(Effect::DeleteSearch(name));
                }
            }
            Action::Back => {
                self.view = *picker.under;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            _ => {}
        }
        self.view = View::Picker(picker);
    }

    /// Takes the result of a triage change the loop applied; `field` is the
    /// field it touched ([`Change::field`]).
    pub fn triage_applied(
        &mut self,
        origin: Origin,
        field: Option<MarkField>,
        applied: Applied,
        done: String,
    ) {
        for (id, marks) in &applied.after {
            if marks.is_default() {
                self.triage.marks.remove(id);
            } else {
                self.triage.marks.insert(id.clone(), marks.clone());
            }
            for tag in marks.tags.keys() {
                if !self.triage.tags.contains(tag) {
                    self.triage.tags.push(tag.clone());
                    self.triage.tags.sort();
                }
            }
        }
        if self
            .triage
            .unsaved_note
            .as_ref()
            .is_some_and(|(ids, _)| applied.after.iter().map(|(id, _)| id).eq(ids.iter()))
        {
            self.triage.unsaved_note = None;
        }
        let stack = match origin {
            Origin::Do => {
                self.triage.redo.clear();
                Some(&mut self.triage.undo)
            }
            Origin::Redo => Some(&mut self.triage.undo),
            Origin::Undo => Some(&mut self.triage.redo),
            Origin::Quiet => None,
        };
        if let (Some(stack), Some(field)) = (stack, field)
            && !applied.before.is_empty()
        {
            stack.push(UndoStep {
                field,
                marks: applied.before,
            });
            if stack.len() > UNDO_LIMIT {
                stack.remove(0);
            }
        }
        if origin != Origin::Quiet {
            self.status = Some(done);
        }
        if self
            .query
            .filters
            .iter()
            .any(|f| matches!(f.condition, crate::search::Condition::Mark(_)))
        {
            self.refresh_hits();
        }
    }

    /// Replaces all marks (another process changed the shared file).
    pub fn set_marks(&mut self, marks: HashMap<String, Marks>) {
        self.triage.marks = marks;
        self.refresh_hits();
    }

    /// Opening a statement marks it read.
    pub(super) fn mark_opened_read(&mut self, index: usize) {
        if self
            .marks_of(index)
            .is_some_and(|marks| marks.read.is_some())
            || self.triage.unavailable.is_some()
        {
            return;
        }
        // Reading is not an undoable step: undo would only re-mark it unread.
        self.effects.push(Effect::Triage {
            change: Change::Read {
                ids: vec![self.catalog.statements[index].id.clone()],
                read: true,
            },
            origin: Origin::Quiet,
            done: String::new(),
        });
    }
}

/// What an undo step changed, as the status line names it: "flag",
/// "tag urgent".
#[must_use]
pub fn field_name(field: &MarkField) -> String {
    match field {
        MarkField::Read => "read mark".to_owned(),
        MarkField::Flag => "flag".to_owned(),
        MarkField::Status => "status".to_owned(),
        MarkField::Tag(tag) => format!("tag {tag}"),
        MarkField::Note => "note".to_owned(),
    }
}

/// "1 statement", "5 statements".
#[must_use]
pub fn plural(count: usize) -> String {
    if count == 1 {
        "1 statement".to_owned()
    } else {
        format!("{count} statements")
    }
}
