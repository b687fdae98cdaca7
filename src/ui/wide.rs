//! Redrawing over wide characters. When a frame writes over part of a wide
//! character (CJK, emoji) that the last frame left, the terminal blanks the
//! rest of it in the colours and attributes of that moment (xterm and vt100
//! do), so a reverse-video or underlined blank can stay after a warning or a
//! heading. ratatui rewrites such a cell only when its own content changed,
//! so [`WideCells`] has it rewritten.

use ratatui::Frame;
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// The wide characters of the last frame drawn.
#[derive(Debug, Default)]
pub struct WideCells {
    area: Rect,
    /// Column, row and cell of each one.
    cells: Vec<(u16, u16, Cell)>,
}

impl WideCells {
    /// Renders `widget` over the whole frame, then [`WideCells::mark_uncovered`]:
    /// how the browser draws every frame.
    pub fn render(&mut self, frame: &mut Frame, widget: impl Widget) {
        frame.render_widget(widget, frame.area());
        self.mark_uncovered(frame.buffer_mut());
    }

    /// Call on each frame's buffer after it is rendered and before it is
    /// drawn (inside `Terminal::draw`): every cell a wide character of the
    /// last frame covered beyond its first is sent again unless that
    /// character is still there, and this frame's wide characters are
    /// remembered for the next one.
    pub fn mark_uncovered(&mut self, next: &mut Buffer) {
        // A new size (or a first frame) starts from a cleared terminal.
        if self.area == next.area {
            for (x, y, before) in &self.cells {
                if next[(*x, *y)] == *before {
                    continue;
                }
                let end = x.saturating_add(before.cell_width()).min(next.area.right());
                for covered in x + 1..end {
                    let cell = &mut next[(covered, *y)];
                    if cell.diff_option == CellDiffOption::None {
                        cell.set_diff_option(CellDiffOption::AlwaysUpdate);
                    }
                }
            }
        }
        self.area = next.area;
        self.cells.clear();
        for y in next.area.top()..next.area.bottom() {
            for x in next.area.left()..next.area.right() {
                let cell = &next[(x, y)];
                if cell.symbol().len() > 1 && cell.cell_width() > 1 {
                    self.cells.push((x, y, cell.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Modifier, Style};

    /// The columns the terminal is sent for a frame drawn over another.
    fn sent(first: &str, second: &str, style: Style) -> Vec<u16> {
        let area = Rect::new(0, 0, 4, 1);
        let mut wide = WideCells::default();
        let mut previous = Buffer::empty(area);
        previous.set_string(0, 0, first, Style::new());
        wide.mark_uncovered(&mut previous);
        let mut next = Buffer::empty(area);
        next.set_string(0, 0, second, style);
        wide.mark_uncovered(&mut next);
        previous
            .diff(&next)
            .into_iter()
            .map(|(x, _, _)| x)
            .collect()
    }

    #[test]
    fn a_narrow_character_over_a_wide_one_resends_its_right_half() {
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        assert_eq!(sent("日x", "a", reversed), vec![0, 1, 2]);
    }

    #[test]
    fn a_wide_character_over_the_left_half_of_another_resends_the_rest() {
        assert_eq!(sent("a日", "日", Style::new()), vec![0, 2]);
    }

    #[test]
    fn an_unchanged_wide_character_sends_nothing() {
        assert_eq!(sent("日x", "日x", Style::new()), Vec::<u16>::new());
    }

    #[test]
    fn a_new_size_marks_nothing() {
        let mut wide = WideCells::default();
        let mut previous = Buffer::empty(Rect::new(0, 0, 4, 1));
        previous.set_string(0, 0, "日", Style::new());
        wide.mark_uncovered(&mut previous);
        let mut next = Buffer::empty(Rect::new(0, 0, 5, 1));
        wide.mark_uncovered(&mut next);
        assert!(
            next.content
                .iter()
                .all(|cell| cell.diff_option == CellDiffOption::None)
        );
    }
}
