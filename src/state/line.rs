//! A one-line text editor for the search, find and narrow lines: a string and
//! a cursor counted in characters, with the readline keys users expect.

use crate::keymap::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    /// Cursor position in characters, `0..=text.chars().count()`.
    cursor: usize,
}

impl LineEditor {
    #[must_use]
    pub fn with_text(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, cursor: usize) -> usize {
        self.text
            .char_indices()
            .nth(cursor)
            .map_or(self.text.len(), |(byte, _)| byte)
    }

    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Applies an editing action; returns whether the text changed.
    pub fn edit(&mut self, action: Action) -> bool {
        let length = self.text.chars().count();
        match action {
            Action::DeleteBack if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
                true
            }
            Action::DeleteWord if self.cursor > 0 => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
                true
            }
            Action::ClearLine if !self.text.is_empty() => {
                self.text.clear();
                self.cursor = 0;
                true
            }
            Action::CursorLeft => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            Action::CursorRight => {
                self.cursor = (self.cursor + 1).min(length);
                false
            }
            Action::CursorStart => {
                self.cursor = 0;
                false
            }
            Action::CursorEnd => {
                self.cursor = length;
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_and_deleting_multibyte_text() {
        let mut line = LineEditor::default();
        for c in "한국 japan".chars() {
            line.insert(c);
        }
        assert!(line.edit(Action::DeleteWord));
        assert_eq!(line.text(), "한국 ");
        line.edit(Action::CursorStart);
        line.edit(Action::CursorRight);
        line.insert('x');
        assert_eq!(line.text(), "한x국 ");
        assert!(line.edit(Action::DeleteBack));
        assert!(line.edit(Action::DeleteBack));
        assert_eq!(line.text(), "국 ");
        assert!(!line.edit(Action::DeleteBack));
        assert!(line.edit(Action::ClearLine));
        assert_eq!((line.text(), line.cursor()), ("", 0));
    }

    #[test]
    fn control_characters_are_not_inserted() {
        let mut line = LineEditor::default();
        line.insert('\u{1b}');
        assert_eq!(line.text(), "");
    }
}
