//! The detail view: one statement, scrolled, with find-in-text and moving to
//! the next or previous statement of the list without leaving.

use super::{LineEditor, State, View};
use crate::document::{DisplayLine, layout_with};
use crate::keymap::Action;
use crate::records::Statement;
use crate::search::fold;
use crate::store::Marks;

/// Rows the detail view spends on its header and footer.
pub const DETAIL_CHROME_ROWS: u16 = 3;

/// A statement open for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Position of the statement in the archive.
    pub statement: usize,
    /// First line on screen.
    pub scroll: usize,
    /// What find-in-text looks for (folded); empty for nothing.
    pub find: String,
    /// The line of the match last jumped to.
    pub found: Option<usize>,
    /// The media contact chosen for copying (Tab moves), if any.
    pub contact: Option<usize>,
    /// The find line while it is being typed.
    pub find_line: Option<FindLine>,
}

/// The find line being typed, and where the view was before it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindLine {
    pub editor: LineEditor,
    pub scroll_before: usize,
}

impl Detail {
    #[must_use]
    pub fn new(statement: usize) -> Self {
        Self {
            statement,
            scroll: 0,
            find: String::new(),
            found: None,
            contact: None,
            find_line: None,
        }
    }

    /// Columns the text is wrapped to, for a terminal size.
    #[must_use]
    pub fn text_width(size: (u16, u16)) -> usize {
        usize::from(size.0.saturating_sub(2)).max(1)
    }

    /// Text rows on screen.
    #[must_use]
    pub fn text_rows(size: (u16, u16)) -> usize {
        usize::from(size.1.saturating_sub(DETAIL_CHROME_ROWS)).max(1)
    }

    /// The statement's lines, with its marks, at this terminal size.
    #[must_use]
    pub fn lines(
        statement: &Statement,
        marks: Option<&Marks>,
        size: (u16, u16),
    ) -> Vec<DisplayLine> {
        layout_with(
            statement,
            Some(marks.unwrap_or(&Marks::default())),
            Self::text_width(size),
        )
    }

    /// Lines holding a match of the find text.
    #[must_use]
    pub fn matching_lines(&self, lines: &[DisplayLine]) -> Vec<usize> {
        if self.find.is_empty() {
            return Vec::new();
        }
        lines
            .iter()
            .enumerate()
            .filter(|(_, line)| fold(&line.text).contains(self.find.as_str()))
            .map(|(number, _)| number)
            .collect()
    }

    fn max_scroll(line_count: usize, size: (u16, u16)) -> usize {
        line_count.saturating_sub(Self::text_rows(size))
    }

    /// Scrolls so the chosen contact's lines are on screen.
    pub(super) fn show_contact(&mut self, lines: &[DisplayLine], size: (u16, u16)) {
        let Some(first) = lines
            .iter()
            .position(|line| line.contact.is_some() && line.contact == self.contact)
        else {
            return;
        };
        let rows = Self::text_rows(size);
        if first < self.scroll || first + 4 > self.scroll + rows {
            self.scroll = first
                .saturating_sub(2)
                .min(Self::max_scroll(lines.len(), size));
        }
    }

    pub(super) fn clamp(&mut self, statement: &Statement, marks: Option<&Marks>, size: (u16, u16)) {
        let count = Self::lines(statement, marks, size).len();
        self.scroll = self.scroll.min(Self::max_scroll(count, size));
    }

    /// Scrolls to the first match at or after `from` (or before, backwards),
    /// wrapping around. Returns false when nothing matches.
    fn jump(
        &mut self,
        lines: &[DisplayLine],
        from: usize,
        forward: bool,
        size: (u16, u16),
    ) -> bool {
        let matches = self.matching_lines(lines);
        let target = if forward {
            matches
                .iter()
                .find(|&&line| line >= from)
                .or(matches.first())
        } else {
            matches
                .iter()
                .rev()
                .find(|&&line| line <= from)
                .or(matches.last())
        };
        let Some(&target) = target else {
            self.found = None;
            return false;
        };
        self.found = Some(target);
        // Show the match with a little context above it.
        self.scroll = target
            .saturating_sub(2)
            .min(Self::max_scroll(lines.len(), size));
        true
    }
}

impl State {
    pub(super) fn update_detail(&mut self, mut detail: Detail, action: Action) {
        let size = self.size;
        let lines = Detail::lines(
            &self.statements[detail.statement],
            self.marks_of(detail.statement),
            size,
        );
        if let Some(mut find) = detail.find_line.take() {
            match action {
                Action::Submit => {
                    self.remember(find.editor.text());
                    if !detail.find.is_empty() && detail.matching_lines(&lines).is_empty() {
                        self.status = Some(format!("not found: {}", find.editor.text()));
                    }
                }
                Action::Cancel => {
                    detail.find.clear();
                    detail.scroll = find.scroll_before;
                }
                Action::Type(c) => {
                    find.editor.insert(c);
                    detail.find = fold(find.editor.text());
                    detail.jump(&lines, find.scroll_before, true, size);
                    detail.find_line = Some(find);
                }
                edit => {
                    if find.editor.edit(edit) {
                        detail.find = fold(find.editor.text());
                        detail.jump(&lines, find.scroll_before, true, size);
                    }
                    detail.find_line = Some(find);
                }
            }
            self.view = View::Detail(detail);
            return;
        }
        let rows = Detail::text_rows(size);
        let max = Detail::max_scroll(lines.len(), size);
        self.view = View::Detail(detail.clone());
        if self.update_detail_contacts(&mut detail, action) {
            if matches!(self.view, View::Detail(_)) {
                self.view = View::Detail(detail);
            }
            return;
        }
        if self.update_triage(action) {
            return;
        }
        match action {
            Action::Back => {
                self.view = View::List;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down => detail.scroll = (detail.scroll + 1).min(max),
            Action::Up => detail.scroll = detail.scroll.saturating_sub(1),
            Action::PageDown => detail.scroll = (detail.scroll + rows).min(max),
            Action::PageUp => detail.scroll = detail.scroll.saturating_sub(rows),
            Action::HalfPageDown => detail.scroll = (detail.scroll + rows.div_ceil(2)).min(max),
            Action::HalfPageUp => detail.scroll = detail.scroll.saturating_sub(rows.div_ceil(2)),
            Action::Top => detail.scroll = 0,
            Action::Bottom => detail.scroll = max,
            Action::Search => {
                detail.find_line = Some(FindLine {
                    editor: LineEditor::default(),
                    scroll_before: detail.scroll,
                });
                detail.find.clear();
            }
            Action::FindNext | Action::FindPrevious => {
                if detail.find.is_empty() {
                    self.status = Some("nothing to find: press / to search the text".into());
                } else {
                    let forward = action == Action::FindNext;
                    let from = match (detail.found, forward) {
                        (Some(found), true) => found + 1,
                        (Some(found), false) => found.checked_sub(1).unwrap_or(usize::MAX),
                        (None, _) => detail.scroll,
                    };
                    if !detail.jump(&lines, from, forward, size) {
                        self.status = Some("not found".into());
                    }
                }
            }
            Action::NextStatement | Action::PreviousStatement => {
                let next = action == Action::NextStatement;
                let position = self
                    .hits
                    .iter()
                    .position(|hit| hit.index == detail.statement);
                let target = match position {
                    Some(at) if next && at + 1 < self.hits.len() => Some(at + 1),
                    Some(at) if !next && at > 0 => Some(at - 1),
                    None if !self.hits.is_empty() => Some(0),
                    _ => None,
                };
                if let Some(target) = target {
                    self.select(target);
                    let find = std::mem::take(&mut detail.find);
                    detail = Detail::new(self.hits[target].index);
                    detail.find = find;
                    self.mark_opened_read(detail.statement);
                } else {
                    self.status = Some(if next {
                        "this is the last statement of the list".into()
                    } else {
                        "this is the first statement of the list".into()
                    });
                }
            }
            _ => {}
        }
        self.view = View::Detail(detail);
    }
}
