//! Reading a rendered ratatui buffer as a terminal shows it.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

/// Each row as a terminal shows it: the visible cells' symbols with their
/// styles (cells under the right half of a wide character skipped).
pub fn visible_cells(buffer: &Buffer) -> Vec<Vec<(String, Style)>> {
    let width = usize::from(buffer.area.width);
    buffer
        .content
        .chunks(width.max(1))
        .map(|cells| {
            let mut row = Vec::new();
            let mut hidden = 0;
            for cell in cells {
                if hidden == 0 {
                    row.push((cell.symbol().to_owned(), cell.style()));
                    hidden = cell.symbol().width().max(1) - 1;
                } else {
                    hidden -= 1;
                }
            }
            row
        })
        .collect()
}
