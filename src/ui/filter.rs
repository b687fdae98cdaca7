//! The filter panel: facet names on the left, the current facet's values
//! with counts on the right, and the query line the choices write to.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};

use super::text::{self, fit};
use super::{Screen, row};
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::state::facets::{EditTarget, has_term};
use crate::state::{FacetKind, FilterPanel};

pub(super) fn render(screen: &Screen, panel: &FilterPanel, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let theme = screen.theme;
    screen.bar(
        &format!(
            " Filters · {} / {} statements",
            state.hits.len(),
            state.catalog.statements.len()
        ),
        "",
        row(area, 0),
        buf,
    );
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(3),
        ..area
    };
    let facet_width = if area.width >= 60 { 22 } else { area.width / 3 };
    let names = Rect {
        width: facet_width,
        ..body
    };
    let name_rows = usize::from(names.height);
    let first_facet = panel.facet.saturating_sub(name_rows.saturating_sub(1));
    for (y, (position, facet)) in panel
        .facets
        .iter()
        .enumerate()
        .skip(first_facet)
        .take(name_rows)
        .enumerate()
    {
        let Ok(y) = u16::try_from(y) else { break };
        let style = if position == panel.facet {
            theme.selection()
        } else {
            theme.normal()
        };
        fit(
            &[(facet.kind.title(), style)],
            usize::from(names.width.saturating_sub(1)),
            true,
        )
        .render(row(names, y), buf);
    }
    let values_area = Rect {
        x: body.x + facet_width,
        width: body.width - facet_width,
        ..body
    };
    let block = Block::new()
        .borders(Borders::LEFT)
        .border_style(theme.dim());
    let inner = block.inner(values_area);
    block.render(values_area, buf);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    let width = usize::from(inner.width);
    let facet = panel.current();
    if facet.kind == FacetKind::Dates {
        for (y, (_, label, current)) in FilterPanel::date_entries(&state.query_text)
            .iter()
            .enumerate()
        {
            let value = current.as_deref().unwrap_or("any");
            let line = format!("{label}: {value}");
            let style = if y == panel.cursor {
                theme.selection()
            } else {
                theme.normal()
            };
            fit(&[(line.as_str(), style)], width, true)
                .render(row(inner, u16::try_from(y).unwrap_or(0)), buf);
        }
        fit(
            &[(
                "Enter to type a date: YYYY, YYYY-MM or YYYY-MM-DD",
                theme.dim(),
            )],
            width,
            false,
        )
        .render(row(inner, 3), buf);
    } else {
        let values = panel.visible_values();
        let absent = panel.absent_count();
        // The last row says how many values the current list does not have.
        let rows = usize::from(inner.height).saturating_sub(usize::from(absent > 0));
        let first = panel.cursor.saturating_sub(rows.saturating_sub(1));
        if values.is_empty() {
            let message = if facet.values.is_empty() && facet.absent.is_empty() {
                "no values in this archive"
            } else if absent > 0 {
                "no value in the current list"
            } else {
                "no value matches"
            };
            fit(&[(message, theme.dim())], width, false).render(row(inner, 0), buf);
        }
        if absent > 0 {
            let y = u16::try_from(values.len().min(rows).max(1)).unwrap_or(0);
            let note = format!("+{absent} not in the current list");
            fit(&[(note.as_str(), theme.dim())], width, false).render(row(inner, y), buf);
        }
        for (y, (position, (value, count))) in
            values.iter().enumerate().skip(first).take(rows).enumerate()
        {
            let chosen = has_term(&state.query_text, &facet.kind.term(value));
            let selected = position == panel.cursor;
            let base = if selected {
                theme.selection()
            } else {
                theme.normal()
            };
            let count_style = if selected || *count > 0 {
                base
            } else {
                base.patch(theme.dim())
            };
            let mark = if chosen { "[x] " } else { "[ ] " };
            let count = format!(" ({count})");
            // The count always shows: a long value is what gives way.
            let room = width.saturating_sub(text::width(mark) + text::width(&count));
            let value = fit(&[(&clean_line(value), base)], room, false).text();
            let pieces: [(&str, Style); 3] = [(mark, base), (&value, base), (&count, count_style)];
            fit(&pieces, width, true).render(row(inner, u16::try_from(y).unwrap_or(0)), buf);
        }
    }

    let query_row = row(area, area.height - 2);
    match &panel.editing {
        Some((target, editor)) => {
            let prompt = match target {
                EditTarget::Narrow => "narrow: ",
                EditTarget::After => "on or after: ",
                EditTarget::Before => "before: ",
            };
            fit(
                &[
                    (prompt, theme.key()),
                    (&clean_line(editor.text()), theme.normal()),
                ],
                usize::from(area.width),
                false,
            )
            .render(query_row, buf);
        }
        None => {
            let query = format!("query: {}", clean_line(&state.query_text));
            screen.status_line(
                fit(
                    &[(query.as_str(), theme.dim())],
                    usize::from(area.width),
                    false,
                ),
                query_row,
                buf,
            );
        }
    }
    let (context, hints): (Context, &[Action]) = if panel.editing.is_some() {
        (Context::Input, &[Action::Submit, Action::Cancel])
    } else {
        (
            Context::Filter,
            &[
                Action::Toggle,
                Action::NextFacet,
                Action::Search,
                Action::ClearQuery,
                Action::Back,
            ],
        )
    };
    screen.hints(context, hints, row(area, area.height - 1), buf);
}
