//! Drawing notes being written: the editor (long lines wrap softly at the
//! box's width) with its "not saved" question on the status line, which the
//! box leaves visible, and the conflict screen showing both versions.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use super::text::{fit, width};
use super::{Screen, clear_popup, row};
use crate::keymap::{Action, Context};
use crate::sanitize::{clean_line, clean_text};
use crate::state::notes::{ASK_DISCARD, ASK_DRAFT, ASK_SAVE};
use crate::state::{NoteConflict, NoteEditor};

/// The box over the view: two columns in from each side, from the second
/// row down to above the status line, which stays visible for the question
/// and messages, and the hints row below it.
fn note_box(area: Rect) -> Rect {
    let margin = if area.width >= 40 { 2 } else { 0 };
    Rect {
        x: area.x + margin,
        y: area.y + 1,
        width: area.width - 2 * margin,
        height: area.height.saturating_sub(3),
    }
}

/// Where each screen row of `line` starts (character indices), wrapping at
/// `columns`: after the last space that fits, or mid-word when a word is
/// longer than a row.
#[must_use]
pub fn wrap_starts(line: &str, columns: usize) -> Vec<usize> {
    let columns = columns.max(2);
    let chars: Vec<char> = line.chars().collect();
    let mut starts = vec![0];
    let (mut start, mut used, mut last_space) = (0, 0, None);
    let mut at = 0;
    while at < chars.len() {
        let cell = width(chars[at].encode_utf8(&mut [0; 4]));
        if used + cell > columns && at > start {
            let next = match last_space {
                Some(space) if space >= start && space < at => space + 1,
                _ => at,
            };
            starts.push(next);
            start = next;
            last_space = None;
            used = chars[start..at]
                .iter()
                .map(|c| width(c.encode_utf8(&mut [0; 4])))
                .sum();
            continue;
        }
        if chars[at] == ' ' {
            last_space = Some(at);
        }
        used += cell;
        at += 1;
    }
    starts
}

pub(super) fn render_note(screen: &Screen, note: &NoteEditor, area: Rect, buf: &mut Buffer) {
    screen.render_view(&note.under, area, buf);
    let popup = note_box(area);
    clear_popup(popup, buf);
    let title = match note.targets.len() {
        1 => " Note (Ctrl-s saves, Esc cancels) ".to_owned(),
        n => format!(" Note on {n} statements (Ctrl-s saves, Esc cancels) "),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(screen.theme.title());
    let inner = block.inner(popup);
    block.render(popup, buf);
    let status = row(area, area.height - 2);
    clear_popup(status, buf);
    if note.asking {
        let question = format!(
            "the note is not saved: {ASK_SAVE} save · {ASK_DRAFT} keep as a draft · {ASK_DISCARD} throw away · Esc back"
        );
        fit(
            &[(&question, screen.theme.warning())],
            usize::from(area.width),
            false,
        )
        .render(status, buf);
    } else {
        screen.status_line(fit(&[], 0, false), status, buf);
    }
    let hints = row(area, area.height - 1);
    clear_popup(hints, buf);
    screen.hints(
        Context::Note,
        &[Action::Submit, Action::Newline, Action::Cancel],
        hints,
        buf,
    );
    draw_wrapped_text(screen, note, inner, buf);
}

/// The note's text wrapped to the box, scrolled to keep the cursor's row
/// in view, with the cursor drawn in reverse.
fn draw_wrapped_text(screen: &Screen, note: &NoteEditor, inner: Rect, buf: &mut Buffer) {
    // One column is kept free so the cursor after a full row stays inside.
    let columns = usize::from(inner.width).saturating_sub(1).max(1);
    let (cursor_line, cursor_column) = note.area.cursor_position();
    let mut rows: Vec<String> = Vec::new();
    let mut cursor = (0, 0);
    for (number, line) in note.area.text().split('\n').enumerate() {
        let shown: Vec<char> = clean_line(line).chars().collect();
        let starts = wrap_starts(&shown.iter().collect::<String>(), columns);
        for (part, &start) in starts.iter().enumerate() {
            let end = starts.get(part + 1).copied().unwrap_or(shown.len());
            if number == cursor_line {
                let column = cursor_column.min(shown.len());
                if column >= start && (column < end || part + 1 == starts.len()) {
                    let before: String = shown[start..column].iter().collect();
                    cursor = (rows.len(), width(&before));
                }
            }
            rows.push(shown[start..end].iter().collect());
        }
    }
    let height = usize::from(inner.height);
    let first = cursor.0.saturating_sub(height.saturating_sub(1));
    for (y, text) in rows.iter().enumerate().skip(first).take(height) {
        let target = row(inner, u16::try_from(y - first).unwrap_or(0));
        fit(
            &[(text.as_str(), screen.theme.normal())],
            usize::from(inner.width),
            false,
        )
        .render(target, buf);
    }
    let x = inner.x + u16::try_from(cursor.1).unwrap_or(u16::MAX);
    let y = inner.y + u16::try_from(cursor.0 - first).unwrap_or(u16::MAX);
    if x < inner.x + inner.width
        && y < inner.y + inner.height
        && let Some(cell) = buf.cell_mut((x, y))
    {
        cell.set_style(screen.theme.selection());
    }
}

pub(super) fn render_conflict(
    screen: &Screen,
    conflict: &NoteConflict,
    area: Rect,
    buf: &mut Buffer,
) {
    screen.render_view(&conflict.under, area, buf);
    let popup = note_box(area);
    clear_popup(popup, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" The note changed while you wrote yours: nothing saved yet ")
        .border_style(screen.theme.title());
    let inner = block.inner(popup);
    block.render(popup, buf);
    let theirs_heading = match &conflict.theirs {
        Some((_, stamp)) => format!("Theirs, by {}:", crate::document::stamp_text(stamp)),
        None => "Theirs: the note was removed".to_owned(),
    };
    let theirs_text = conflict
        .theirs
        .as_ref()
        .map(|(text, _)| text.as_str())
        .unwrap_or_default();
    let mine_heading = if conflict.mine.trim().is_empty() {
        "Yours: remove the note".to_owned()
    } else {
        "Yours (not saved):".to_owned()
    };
    let half = inner.height / 2;
    let top = Rect {
        height: half,
        ..inner
    };
    let bottom = Rect {
        y: inner.y + half,
        height: inner.height - half,
        ..inner
    };
    draw_version(screen, &theirs_heading, theirs_text, top, buf);
    draw_version(screen, &mine_heading, &conflict.mine, bottom, buf);
    let status = row(area, area.height - 2);
    clear_popup(status, buf);
    screen.status_line(fit(&[], 0, false), status, buf);
    let hints = row(area, area.height - 1);
    clear_popup(hints, buf);
    screen.hints(
        Context::Conflict,
        &[
            Action::KeepMine,
            Action::KeepTheirs,
            Action::MergeNotes,
            Action::Back,
        ],
        hints,
        buf,
    );
}

/// A heading and a text wrapped below it; a text longer than the room ends
/// with "…".
fn draw_version(screen: &Screen, heading: &str, text: &str, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let columns = usize::from(area.width);
    fit(&[(heading, screen.theme.key())], columns, false).render(row(area, 0), buf);
    let lines: Vec<String> = clean_text(text)
        .lines()
        .flat_map(|line| {
            textwrap::wrap(line, columns.max(1))
                .into_iter()
                .map(std::borrow::Cow::into_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let room = usize::from(area.height.saturating_sub(1));
    for (y, line) in lines.iter().take(room).enumerate() {
        let shown = if y + 1 == room && lines.len() > room {
            "…"
        } else {
            line.as_str()
        };
        fit(&[(shown, screen.theme.normal())], columns, false)
            .render(row(area, u16::try_from(y + 1).unwrap_or(0)), buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_after_a_space_or_mid_word() {
        assert_eq!(wrap_starts("short", 10), [0]);
        // "call the " fits 10 columns; "desk" starts the next row.
        assert_eq!(wrap_starts("call the desk today", 10), [0, 9]);
        assert_eq!(wrap_starts("abcdefghijkl", 5), [0, 5, 10]);
        assert_eq!(wrap_starts("", 5), [0]);
    }
}
