//! Drawing triage: the marks column's symbols, the prompt line and the
//! saved-search picker (a box over the view); notes are drawn in `note`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use super::text::fit;
use super::{Screen, row};
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::state::{Picker, Prompt};
use crate::store::{Marks, Status};

/// The legend of the marks column, for the help overlay and the README.
pub const LEGEND: &str = "N unread · ! flagged · r in review · a actioned · x no action · + tags or note · W withdrawn · * chosen";

/// Four symbols readable without colour: unread, flagged, status, tags/note.
#[must_use]
pub fn mark_symbols(marks: Option<&Marks>) -> String {
    let default = Marks::default();
    let marks = marks.unwrap_or(&default);
    let status = match marks.status {
        Status::New => ' ',
        Status::InReview => 'r',
        Status::Actioned => 'a',
        Status::NoAction => 'x',
    };
    [
        if marks.read.is_none() { 'N' } else { ' ' },
        if marks.flagged.is_some() { '!' } else { ' ' },
        status,
        if marks.tags.is_empty() && marks.note.is_none() {
            ' '
        } else {
            '+'
        },
    ]
    .into_iter()
    .collect()
}

/// A box in the middle of an area.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Blanks a row of the view underneath before an overlay draws on it.
fn clear_row(area: Rect, buf: &mut Buffer) {
    for x in area.x..area.x + area.width {
        if let Some(cell) = buf.cell_mut((x, area.y)) {
            cell.reset();
        }
    }
}

pub(super) fn render_prompt(screen: &Screen, prompt: &Prompt, area: Rect, buf: &mut Buffer) {
    screen.render_view(&prompt.under, area, buf);
    let line = row(area, area.height - 2);
    clear_row(line, buf);
    clear_row(row(area, area.height - 1), buf);
    let text = clean_line(prompt.editor.text());
    let text = text.as_ref();
    let label = prompt.purpose.label();
    let targets = match prompt.targets.len() {
        0 => String::new(),
        1 => String::new(),
        n => format!("  ({n} statements)"),
    };
    let hint = if prompt.candidates.is_empty() {
        ""
    } else {
        "  Tab completes"
    };
    fit(
        &[
            (label, screen.theme.key()),
            (text, screen.theme.normal()),
            (&targets, screen.theme.dim()),
            (hint, screen.theme.dim()),
        ],
        usize::from(area.width),
        true,
    )
    .render(line, buf);
    let before: String = text.chars().take(prompt.editor.cursor()).collect();
    let x = area.x
        + u16::try_from(super::text::width(label) + super::text::width(&before)).unwrap_or(0);
    if x < area.x + area.width
        && let Some(cell) = buf.cell_mut((x, line.y))
    {
        cell.set_style(screen.theme.selection());
    }
    screen.hints(
        Context::Input,
        &[Action::Submit, Action::Cancel],
        row(area, area.height - 1),
        buf,
    );
}

pub(super) fn render_picker(screen: &Screen, picker: &Picker, area: Rect, buf: &mut Buffer) {
    screen.render_view(&picker.under, area, buf);
    let saved = &screen.state.triage.saved;
    let height = u16::try_from(saved.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(2));
    let popup = centred(area, area.width.saturating_sub(4).min(70), height);
    super::clear_popup(popup, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Saved searches (Enter use, d delete, Esc close) ")
        .border_style(screen.theme.title());
    let inner = block.inner(popup);
    block.render(popup, buf);
    let rows = usize::from(inner.height);
    let first = picker.cursor.saturating_sub(rows.saturating_sub(1));
    for (y, (position, (name, query))) in
        saved.iter().enumerate().skip(first).take(rows).enumerate()
    {
        let style = if position == picker.cursor {
            screen.theme.selection()
        } else {
            screen.theme.normal()
        };
        let name = clean_line(name);
        let query = format!("  {}", clean_line(query));
        fit(
            &[(&name, style), (&query, style.patch(screen.theme.dim()))],
            usize::from(inner.width),
            true,
        )
        .render(row(inner, u16::try_from(y).unwrap_or(0)), buf);
    }
}
