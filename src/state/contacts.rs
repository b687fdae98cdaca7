//! The contacts view (typing searches the directory as in fzf; Ctrl keys
//! copy), copying from the detail view's contacts, and the "shown alone" view
//! for terminals without OSC 52.

use super::{Effect, LineEditor, State, View};
use crate::contacts::ContactEntry;
use crate::keymap::Action;
use crate::records::MediaContact;
use crate::search::fold;

/// The contacts view's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactsView {
    pub editor: LineEditor,
    /// Matching directory entries, best first.
    pub hits: Vec<usize>,
    pub cursor: usize,
    pub under: Box<View>,
}

/// A value shown alone on the screen, over another view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alone {
    pub label: String,
    pub text: String,
    pub under: Box<View>,
}

/// What a copy key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Email,
    Phone,
    OutOfHours,
    Whole,
}

impl Part {
    fn of(action: Action) -> Option<Self> {
        match action {
            Action::CopyEmail => Some(Self::Email),
            Action::CopyPhone => Some(Self::Phone),
            Action::CopyOutOfHours => Some(Self::OutOfHours),
            Action::CopyContact => Some(Self::Whole),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Email => "email address",
            Self::Phone => "phone number",
            Self::OutOfHours => "out-of-hours number",
            Self::Whole => "contact",
        }
    }

    /// The part of a directory entry, as the contacts view draws it: a value
    /// is one line, the whole contact the lines of its detail pane.
    fn of_entry(self, entry: &ContactEntry) -> Option<Vec<String>> {
        match self {
            Self::Email => entry.primary_email().map(|email| vec![email.to_owned()]),
            Self::Phone => entry.primary_phone().map(|phone| vec![phone.to_owned()]),
            Self::OutOfHours => entry
                .out_of_hours_phone()
                .map(|phone| vec![phone.number.clone()]),
            Self::Whole => Some(entry.text_lines()),
        }
    }

    /// The part of a statement's own contact, as the detail view draws it
    /// (see [`crate::document::contact_lines`]).
    fn of_contact(self, contact: &MediaContact) -> Option<Vec<String>> {
        match self {
            Self::Email => contact.email.clone().map(|email| vec![email]),
            Self::Phone => contact.phone.clone().map(|phone| vec![phone]),
            Self::OutOfHours => contact
                .notes
                .as_deref()
                .and_then(out_of_hours_line)
                .map(|number| vec![number]),
            Self::Whole => Some(crate::document::contact_lines(contact)),
        }
    }
}

/// The number on an "Out of hours: 020 …" line of a contact's notes, read
/// from the lines the detail view shows (the notes are drawn cleaned, so a
/// separator such as U+2028 breaks a line there too).
fn out_of_hours_line(notes: &str) -> Option<String> {
    crate::sanitize::clean_text(notes).lines().find_map(|line| {
        let (label, number) = line.split_once(':')?;
        fold(label)
            .contains("out of hours")
            .then(|| number.trim().to_owned())
            .filter(|number| number.chars().any(|c| c.is_ascii_digit()))
    })
}

impl State {
    pub(super) fn open_contacts(&mut self) {
        let under = Box::new(std::mem::replace(&mut self.view, View::List));
        let hits = self
            .catalog
            .contact_index
            .search("")
            .into_iter()
            .map(|(index, _)| index)
            .collect();
        self.view = View::Contacts(ContactsView {
            editor: LineEditor::default(),
            hits,
            cursor: 0,
            under,
        });
    }

    /// The directory entry under the contacts view's cursor.
    #[must_use]
    pub fn selected_contact(&self) -> Option<&ContactEntry> {
        match &self.view {
            View::Contacts(view) => view
                .hits
                .get(view.cursor)
                .and_then(|&index| self.catalog.directory.get(index)),
            _ => None,
        }
    }

    pub(super) fn update_contacts(&mut self, mut view: ContactsView, action: Action) {
        let last = view.hits.len().saturating_sub(1);
        let page = self.list_rows() / 2;
        match action {
            Action::Back => {
                self.view = *view.under;
                return;
            }
            Action::Down => view.cursor = (view.cursor + 1).min(last),
            Action::Up => view.cursor = view.cursor.saturating_sub(1),
            Action::PageDown => view.cursor = (view.cursor + page).min(last),
            Action::PageUp => view.cursor = view.cursor.saturating_sub(page),
            Action::Open => {
                let Some(entry) = view
                    .hits
                    .get(view.cursor)
                    .and_then(|&i| self.catalog.directory.get(i))
                else {
                    self.view = View::Contacts(view);
                    return;
                };
                if entry.statements.is_empty() {
                    self.status = Some("no statement in the archive cites this contact".into());
                } else {
                    let value = entry
                        .primary_email()
                        .or_else(|| entry.primary_phone())
                        .unwrap_or_else(|| entry.display_name())
                        .replace('"', "");
                    self.view = View::List;
                    self.set_query(format!("contact:\"{value}\""));
                    if self.searching.is_none() && self.hits.len() == 1 {
                        self.open_selected();
                    }
                    return;
                }
            }
            Action::ShowAlone => {
                let entry = view
                    .hits
                    .get(view.cursor)
                    .and_then(|&i| self.catalog.directory.get(i));
                let shown = entry.and_then(|entry| {
                    entry
                        .primary_email()
                        .map(|text| ("Email", text.to_owned()))
                        .or_else(|| {
                            entry
                                .primary_phone()
                                .map(|text| ("Telephone", text.to_owned()))
                        })
                });
                if let Some((label, text)) = shown {
                    let label =
                        format!("{label} · {}", entry.map_or("", ContactEntry::display_name));
                    self.view = View::Alone(Alone {
                        label,
                        text,
                        under: Box::new(View::Contacts(view)),
                    });
                    return;
                }
            }
            copy if Part::of(copy).is_some() => {
                let part = Part::of(copy).unwrap_or(Part::Whole);
                let value = view
                    .hits
                    .get(view.cursor)
                    .and_then(|&i| self.catalog.directory.get(i))
                    .and_then(|entry| part.of_entry(entry));
                self.copy(part, value);
            }
            Action::Type(c) => {
                view.editor.insert(c);
                self.search_contacts(&mut view);
            }
            edit => {
                if view.editor.edit(edit) {
                    self.search_contacts(&mut view);
                }
            }
        }
        self.view = View::Contacts(view);
    }

    /// Every open contacts view searched again (the directory changed).
    pub(super) fn refresh_contact_views(&mut self) {
        let mut view = std::mem::replace(&mut self.view, View::List);
        let mut shown = Some(&mut view);
        while let Some(current) = shown {
            if let View::Contacts(contacts) = current {
                self.search_contacts(contacts);
            }
            shown = current.under_mut();
        }
        self.view = view;
    }

    fn search_contacts(&self, view: &mut ContactsView) {
        view.hits = self
            .catalog
            .contact_index
            .search(view.editor.text())
            .into_iter()
            .map(|(index, _)| index)
            .collect();
        view.cursor = 0;
    }

    /// The one way anything reaches the clipboard: the lines as the screen
    /// shows them ([`crate::sanitize::clean_copy`]), so what is pasted is what
    /// was read, and an address or a number is one line.
    fn copy(&mut self, part: Part, lines: Option<Vec<String>>) {
        self.copy_lines(lines, &format!("this contact has no {}", part.name()));
    }

    /// As [`State::copy`] for any value (a link, the statement's URL);
    /// `missing` is said when there is nothing to copy.
    pub(super) fn copy_lines(&mut self, lines: Option<Vec<String>>, missing: &str) {
        let text = lines.map(|lines| crate::sanitize::clean_copy(&lines));
        match text.filter(|text| !text.is_empty()) {
            Some(text) => self.effects.push(Effect::Copy(text)),
            None => self.status = Some(missing.to_owned()),
        }
    }

    /// Copy keys and contact movement in the detail view; false for other
    /// actions.
    pub(super) fn update_detail_contacts(
        &mut self,
        detail: &mut super::Detail,
        action: Action,
    ) -> bool {
        let contacts = &self.catalog.statements[detail.statement].media_contacts;
        match action {
            Action::NextContact | Action::PreviousContact => {
                if contacts.is_empty() {
                    self.status = Some("this statement has no media contacts".into());
                    return true;
                }
                let count = contacts.len();
                detail.contact = Some(match (detail.contact, action) {
                    (None, Action::NextContact) => 0,
                    (None, _) => count - 1,
                    (Some(at), Action::NextContact) => (at + 1) % count,
                    (Some(at), _) => (at + count - 1) % count,
                });
                let lines = detail.lines(
                    &self.catalog.statements[detail.statement],
                    self.marks_of(detail.statement),
                    self.size,
                );
                detail.show_contact(&lines, self.size);
                true
            }
            Action::ShowAlone => {
                let contact = contacts.get(detail.contact.unwrap_or(0));
                let shown = contact.and_then(|contact| {
                    contact
                        .email
                        .clone()
                        .map(|text| ("Email", text))
                        .or_else(|| contact.phone.clone().map(|text| ("Telephone", text)))
                });
                match shown {
                    Some((label, text)) => {
                        self.view = View::Alone(Alone {
                            label: label.to_owned(),
                            text,
                            under: Box::new(View::Detail(detail.clone())),
                        });
                    }
                    None => self.status = Some("this statement has no media contacts".into()),
                }
                true
            }
            copy => match Part::of(copy) {
                Some(part) => {
                    let value = contacts
                        .get(detail.contact.unwrap_or(0))
                        .and_then(|contact| part.of_contact(contact));
                    if contacts.is_empty() {
                        self.status = Some("this statement has no media contacts".into());
                    } else {
                        self.copy(part, value);
                    }
                    true
                }
                None => false,
            },
        }
    }

    pub(super) fn update_alone(&mut self, alone: Alone, action: Action) {
        if action == Action::Back {
            self.view = *alone.under;
        } else {
            self.view = View::Alone(alone);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_hours_from_notes() {
        let notes = "Main switchboard: 020 7654 8000\nOut of hours: 020 8200 4400";
        assert_eq!(out_of_hours_line(notes).as_deref(), Some("020 8200 4400"));
        assert_eq!(out_of_hours_line("Email: x@y"), None);
    }
}
