//! The contacts view: the search line, the matching directory entries, and
//! the selected entry whole (every labelled number, hours, notes, where it
//! was seen, and whether it is stale); and the "shown alone" view.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::text::fit;
use super::{Screen, row};
use crate::contacts::ContactEntry;
use crate::document::long_date_of;
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::state::{Alone, ContactsView};

/// One list row: who, then the email and number to call.
fn summary(entry: &ContactEntry) -> String {
    let mut parts = vec![clean_line(entry.display_name()).into_owned()];
    if let Some(organisation) = entry.organisation().filter(|o| *o != entry.display_name()) {
        parts.push(clean_line(organisation).into_owned());
    }
    let mut line = parts.join(" · ");
    for value in [entry.primary_email(), entry.primary_phone()]
        .into_iter()
        .flatten()
    {
        line.push_str("  ");
        line.push_str(&clean_line(value));
    }
    line
}

/// The selected entry's lines: every way to reach it, then where it is from.
fn details(entry: &ContactEntry, today: chrono::NaiveDate) -> Vec<(String, bool)> {
    let mut lines: Vec<(String, bool)> = Vec::new();
    for line in entry.text_lines() {
        lines.push((clean_line(&line).into_owned(), false));
    }
    let cited = match entry.statements.len() {
        0 => "not cited by any statement".to_owned(),
        1 => "cited by 1 statement".to_owned(),
        n => format!("cited by {n} statements"),
    };
    let seen = entry.last_seen.map_or_else(
        || "date unknown".to_owned(),
        |date| format!("last seen {}", long_date_of(date)),
    );
    lines.push((format!("{cited} · {seen}"), false));
    if entry.is_stale(today) {
        lines.push((
            "stale: not seen for over two years; check before you call".to_owned(),
            true,
        ));
    }
    lines
}

pub(super) fn render(screen: &Screen, view: &ContactsView, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let theme = screen.theme;
    let title = format!(
        " Contacts · {} / {}",
        view.hits.len(),
        state.catalog.directory.len()
    );
    screen.bar(&title, "", row(area, 0), buf);
    let width = usize::from(area.width);
    let text = crate::sanitize::clean_line(view.editor.text());
    let text = text.as_ref();
    let mut line = vec![("> ", theme.key()), (text, theme.normal())];
    if !state.catalog.contacts_known() {
        line.push(("  gathering contacts…", theme.dim()));
    } else if view.hits.is_empty() {
        line.push(("  no contact matches", theme.warning()));
    }
    fit(&line, width, false).render(row(area, 1), buf);
    let before: String = text.chars().take(view.editor.cursor()).collect();
    let x = area.x + u16::try_from(2 + super::text::width(&before)).unwrap_or(0);
    if x < area.x + area.width
        && let Some(cell) = buf.cell_mut((x, area.y + 1))
    {
        cell.set_style(theme.selection());
    }

    let body = Rect {
        y: area.y + 2,
        height: area.height.saturating_sub(4),
        ..area
    };
    let wide = area.width >= 120;
    let (list_area, detail_area) = if wide {
        let left = body.width / 2;
        (
            Rect {
                width: left,
                ..body
            },
            Rect {
                x: body.x + left,
                width: body.width - left,
                ..body
            },
        )
    } else {
        let top = (body.height / 2).max(1);
        (
            Rect {
                height: top,
                ..body
            },
            Rect {
                y: body.y + top,
                height: body.height - top,
                ..body
            },
        )
    };
    let rows = usize::from(list_area.height);
    let first = view.cursor.saturating_sub(rows.saturating_sub(1));
    let list_width = usize::from(list_area.width);
    for (y, (position, &index)) in view
        .hits
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .enumerate()
    {
        let Some(entry) = state.catalog.directory.get(index) else {
            continue;
        };
        let selected = position == view.cursor;
        let style = if selected {
            theme.selection()
        } else {
            theme.normal()
        };
        let marker = if selected { "▌ " } else { "  " };
        let summary = summary(entry);
        fit(
            &[(marker, style), (summary.as_str(), style)],
            list_width,
            true,
        )
        .render(row(list_area, u16::try_from(y).unwrap_or(0)), buf);
    }

    let block = Block::new()
        .borders(if wide { Borders::LEFT } else { Borders::TOP })
        .border_style(theme.dim());
    let inner = block.inner(detail_area);
    block.render(detail_area, buf);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    if let Some(entry) = state.selected_contact() {
        let today = state.today;
        for (y, (text, warning)) in details(entry, today)
            .iter()
            .take(usize::from(inner.height))
            .enumerate()
        {
            let style: Style = if *warning {
                theme.warning()
            } else if y == 0 {
                theme.title()
            } else {
                theme.normal()
            };
            fit(&[(text.as_str(), style)], usize::from(inner.width), false)
                .render(row(inner, u16::try_from(y).unwrap_or(0)), buf);
        }
    }

    screen.status_line(
        screen.hint_line(
            "type to search",
            Context::Contacts,
            &[Action::CopyOutOfHours, Action::CopyContact],
            width,
        ),
        row(area, area.height - 2),
        buf,
    );
    screen.hints(
        Context::Contacts,
        &[
            Action::Open,
            Action::CopyEmail,
            Action::CopyPhone,
            Action::ShowAlone,
            Action::Back,
        ],
        row(area, area.height - 1),
        buf,
    );
}

/// The value alone in the middle of a cleared screen, so a mouse selection
/// over SSH picks it up and nothing else.
pub(super) fn render_alone(screen: &Screen, alone: &Alone, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let theme = screen.theme;
    let width = usize::from(area.width);
    let text = clean_line(&alone.text);
    let label = clean_line(&alone.label);
    let middle = area.height / 2;
    let centre = |line: &str| {
        let used = super::text::width(line).min(width);
        u16::try_from((width - used) / 2).unwrap_or(0)
    };
    let label_row = row(area, middle.saturating_sub(2));
    fit(&[(label.as_ref(), theme.dim())], width, false).render(
        Rect {
            x: label_row.x + centre(&label),
            ..label_row
        },
        buf,
    );
    let value_row = row(area, middle);
    fit(&[(text.as_ref(), theme.title())], width, false).render(
        Rect {
            x: value_row.x + centre(&text),
            ..value_row
        },
        buf,
    );
    let hint = "select it with the mouse · Esc returns";
    let hint_row = row(area, middle + 2);
    fit(&[(hint, theme.dim())], width, false).render(
        Rect {
            x: hint_row.x + centre(hint),
            ..hint_row
        },
        buf,
    );
}
