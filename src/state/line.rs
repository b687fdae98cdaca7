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
    /// The longest line a user can type or paste: far beyond any query, tag
    /// or name, and short enough that matching and highlighting it for every
    /// row on screen stays quick.
    pub const MAX_CHARS: usize = 1_000;

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

    /// Inserts a character at the cursor. Control characters are refused, and
    /// so is anything past [`LineEditor::MAX_CHARS`]; returns whether the
    /// character went in.
    pub fn insert(&mut self, c: char) -> bool {
        let mut buffer = [0; 4];
        self.insert_str(c.encode_utf8(&mut buffer)) == 1
    }

    /// Inserts text at the cursor in one step (a paste), leaving out control
    /// characters and whatever would go past [`LineEditor::MAX_CHARS`];
    /// returns how many characters went in.
    pub fn insert_str(&mut self, text: &str) -> usize {
        let room = Self::MAX_CHARS.saturating_sub(self.text.chars().count());
        let accepted: String = text
            .chars()
            .filter(|c| !c.is_control())
            .take(room)
            .collect();
        let count = accepted.chars().count();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &accepted);
        self.cursor += count;
        count
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
    fn a_paste_goes_in_at_the_cursor_up_to_the_limit() {
        let mut line = LineEditor::with_text("ab");
        line.edit(Action::CursorLeft);
        assert_eq!(line.insert_str("x\u{1b}y"), 2);
        assert_eq!((line.text(), line.cursor()), ("axyb", 3));
        let long = "z".repeat(LineEditor::MAX_CHARS * 3);
        assert_eq!(line.insert_str(&long), LineEditor::MAX_CHARS - 4);
        assert_eq!(line.text().chars().count(), LineEditor::MAX_CHARS);
        assert!(!line.insert('q'));
        assert_eq!(line.text().chars().count(), LineEditor::MAX_CHARS);
    }

    #[test]
    fn control_characters_are_not_inserted() {
        let mut line = LineEditor::default();
        line.insert('\u{1b}');
        assert_eq!(line.text(), "");
    }
}
