//! A small multi-line editor for notes, so a note can be written inside the
//! browser with no `$EDITOR` (which restricted mode forbids anyway).

use crate::keymap::Action;

/// Text and a cursor counted in characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextArea {
    text: String,
    cursor: usize,
}

impl TextArea {
    /// The longest note: several pages of text, small enough to lay out and
    /// store at once.
    pub const MAX_CHARS: usize = 20_000;

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

    /// The cursor as (line, column) in characters.
    #[must_use]
    pub fn cursor_position(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let column = before
            .rsplit('\n')
            .next()
            .map_or(0, |tail| tail.chars().count());
        (line, column)
    }

    fn byte_at(&self, cursor: usize) -> usize {
        self.text
            .char_indices()
            .nth(cursor)
            .map_or(self.text.len(), |(byte, _)| byte)
    }

    /// Inserts a character (a newline too); other control characters are
    /// refused so a note can never carry an escape sequence.
    pub fn insert(&mut self, c: char) {
        let mut buffer = [0; 4];
        self.insert_str(c.encode_utf8(&mut buffer));
    }

    /// Inserts text at the cursor in one step (a paste): newlines kept (a
    /// pasted `\r\n` or `\r` becomes one), other control characters left
    /// out, nothing past [`TextArea::MAX_CHARS`]. Returns how many
    /// characters went in.
    pub fn insert_str(&mut self, text: &str) -> usize {
        let room = Self::MAX_CHARS.saturating_sub(self.text.chars().count());
        let accepted: String = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .filter(|&c| c == '\n' || !c.is_control())
            .take(room)
            .collect();
        let count = accepted.chars().count();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &accepted);
        self.cursor += count;
        count
    }

    /// The character index of (line, column), clamped to the line's length.
    fn index_of(&self, line: usize, column: usize) -> usize {
        let mut index = 0;
        for (number, text) in self.text.split('\n').enumerate() {
            let length = text.chars().count();
            if number == line {
                return index + column.min(length);
            }
            index += length + 1;
        }
        self.text.chars().count()
    }

    /// Applies an editing action.
    pub fn edit(&mut self, action: Action) {
        let (line, column) = self.cursor_position();
        let length = self.text.chars().count();
        match action {
            Action::Newline => self.insert('\n'),
            Action::DeleteBack if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            Action::DeleteWord => {
                while self.cursor > 0 && self.char_before().is_some_and(char::is_whitespace) {
                    self.edit(Action::DeleteBack);
                }
                while self.cursor > 0 && self.char_before().is_some_and(|c| !c.is_whitespace()) {
                    self.edit(Action::DeleteBack);
                }
            }
            Action::ClearLine => {
                let start = self.index_of(line, 0);
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(length),
            Action::CursorUp if line > 0 => self.cursor = self.index_of(line - 1, column),
            Action::CursorDown => self.cursor = self.index_of(line + 1, column),
            Action::CursorStart => self.cursor = self.index_of(line, 0),
            Action::CursorEnd => self.cursor = self.index_of(line, usize::MAX),
            _ => {}
        }
    }

    fn char_before(&self) -> Option<char> {
        self.cursor
            .checked_sub(1)
            .and_then(|at| self.text.chars().nth(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_moves_across_lines() {
        let mut area = TextArea::default();
        for c in "first".chars() {
            area.insert(c);
        }
        area.edit(Action::Newline);
        for c in "second line".chars() {
            area.insert(c);
        }
        assert_eq!(area.cursor_position(), (1, 11));
        area.edit(Action::CursorUp);
        assert_eq!(area.cursor_position(), (0, 5));
        area.edit(Action::CursorStart);
        area.insert('>');
        assert_eq!(area.text(), ">first\nsecond line");
        area.edit(Action::CursorDown);
        area.edit(Action::CursorEnd);
        area.edit(Action::DeleteWord);
        assert_eq!(area.text(), ">first\nsecond ");
        area.insert('\u{1b}');
        assert_eq!(area.text(), ">first\nsecond ");
    }
}
