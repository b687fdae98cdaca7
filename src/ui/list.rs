//! The list view: a row a statement, the search line, and the preview pane
//! on wide terminals.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};

mod columns;

use columns::Cell;

use super::text::{fit, highlighted};
use super::{Screen, row};
use crate::config::Column;
use crate::document::layout_preview;
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::search::title_positions;
use crate::state::{State, View};

fn column_heading(column: Column) -> &'static str {
    match column {
        Column::Marks => "Mark",
        Column::Date => "Date",
        Column::Kind => "Kind",
        Column::Signatories => "Sig",
        Column::Id => "Id",
        Column::Title => "Title",
    }
}

/// One cell's text for a statement (the title is drawn separately).
fn cell_text(cell: Cell, state: &State, hit: &crate::search::Hit) -> String {
    let statement = &state.catalog.statements[hit.index];
    match cell.column {
        Column::Marks => format!(
            "{}{}",
            super::triage::mark_symbols(state.marks_of(hit.index)),
            if statement.withdrawn.is_some() {
                'W'
            } else {
                ' '
            }
        ),
        Column::Date => columns::date(statement, cell.short),
        Column::Kind if cell.short => {
            clean_line(columns::short_kind(statement.kind_or_default())).into_owned()
        }
        Column::Kind => clean_line(statement.kind_or_default()).into_owned(),
        Column::Signatories => columns::signatory_count(statement),
        Column::Id => clean_line(&statement.id).into_owned(),
        Column::Title => String::new(),
    }
}

pub(super) fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let counts = format!("{} / {}", state.hits.len(), state.catalog.statements.len());
    let header = if area.width >= 60 {
        format!(
            " communique · {} · {counts} statements",
            clean_line(&state.archive_name)
        )
    } else {
        format!(" {counts} · {}", clean_line(&state.archive_name))
    };
    // Each part is said only when there is something to say, with a
    // separator only between two of them.
    let mut parts = Vec::new();
    if let Some(waiting) = state.triage.offline {
        parts.push(match waiting {
            0 => "offline".to_owned(),
            1 => "offline — 1 change waiting".to_owned(),
            n => format!("offline — {n} changes waiting"),
        });
    }
    if let Some(chosen) = chosen_label(state, area.width) {
        parts.push(chosen);
    }
    if let Some(progress) = &state.loading {
        parts.push(loading_gauge(progress, area.width).trim_end().to_owned());
    }
    if state.text_opening {
        // Nothing is searchable by text until the kept index is open; what
        // matters to a text query first, as a narrow header cuts the end.
        parts.push(if state.query.has_text() {
            "text: none yet (opening index)".to_owned()
        } else {
            "opening text index".to_owned()
        });
    } else if let Some(percent) = state.indexing_percent() {
        // `text:` finds only what is indexed: say so beside the results.
        parts.push(if state.query.has_text() {
            format!("indexing {percent}% (text: so far)")
        } else {
            format!("indexing {percent}%")
        });
    }
    if !state.arrived.is_empty() {
        parts.push(format!("{} new", state.arrived.len()));
    }
    // Only scattered letters matched (`borrell` where no one is named so):
    // say so rather than offer the best of them as an answer.
    if state.query.has_fuzzy() && !state.hits.is_empty() && state.hits.iter().all(|hit| hit.weak) {
        parts.push(
            if area.width >= 60 {
                "weak matches only (~)"
            } else {
                "weak only ~"
            }
            .to_owned(),
        );
    }
    match state.catalog.problems {
        0 => {}
        1 => parts.push("1 problem (P)".to_owned()),
        n => parts.push(format!("{n} problems (P)")),
    }
    let problems = if parts.is_empty() {
        String::new()
    } else {
        format!("{} ", parts.join(" · "))
    };
    screen.bar(&header, &problems, row(area, 0), buf);

    // A query error has rows of its own above the query line, never cut.
    let error_rows = state.query_error_rows();
    let error_height = u16::try_from(error_rows.len()).unwrap_or(0);
    let pane_height = if state.timeline.is_some() {
        crate::state::signatories::timeline_rows(area.height)
    } else {
        0
    };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(3 + error_height + pane_height),
        ..area
    };
    if let Some(pane) = &state.timeline
        && pane_height > 0
    {
        let pane_area = Rect {
            y: body.y + body.height,
            height: pane_height,
            ..area
        };
        super::timeline::render_pane(
            screen,
            pane,
            matches!(state.view, View::Timeline),
            pane_area,
            buf,
        );
    }
    for (at, text) in error_rows.iter().enumerate() {
        let y = area.height.saturating_sub(2 + error_height) + u16::try_from(at).unwrap_or(0);
        fit(
            &[(text.as_str(), screen.theme.warning())],
            usize::from(area.width),
            false,
        )
        .render(row(area, y), buf);
    }
    let (list_area, preview_area) = if state.preview_shown() {
        let preview_width = body.width * 9 / 20;
        (
            Rect {
                width: body.width - preview_width,
                ..body
            },
            Some(Rect {
                x: body.x + body.width - preview_width,
                width: preview_width,
                ..body
            }),
        )
    } else {
        (body, None)
    };
    render_rows(screen, list_area, buf);
    if let Some(preview) = preview_area {
        render_preview(screen, preview, buf);
    }
    render_query_line(screen, row(area, area.height - 2), buf);
    let hints: &[Action] = if matches!(state.view, View::Search(_)) {
        &[Action::Submit, Action::Cancel, Action::HistoryPrevious]
    } else if matches!(state.view, View::Timeline) {
        &[
            Action::CursorRight,
            Action::CursorLeft,
            Action::NarrowToPeriod,
            Action::Back,
            Action::ToggleTimeline,
            Action::Help,
        ]
    } else {
        &[
            Action::Open,
            Action::Search,
            Action::Filter,
            Action::CycleSort,
            Action::Help,
            Action::Quit,
        ]
    };
    let context = match state.view {
        View::Search(_) => Context::Input,
        View::Timeline => Context::Timeline,
        _ => Context::List,
    };
    // While the search line is typed, a message shows in place of these
    // (see `Screen::render`).
    screen.hints(context, hints, row(area, area.height - 1), buf);
}

/// "3 chosen (Esc clears)" while rows are chosen for a bulk change: the
/// choice stays until cleared, so the header says how, with the key the
/// keymap has for it. "3 chosen, 1 not listed" when the query hides some.
fn chosen_label(state: &State, width: u16) -> Option<String> {
    let count = state.chosen_count();
    if count == 0 {
        return None;
    }
    // A bitmap rather than a set: a million rows are marked in a few
    // milliseconds, drawn at every key.
    let mut listed = vec![false; state.catalog.statements.len()];
    for hit in &state.hits {
        if let Some(slot) = listed.get_mut(hit.index) {
            *slot = true;
        }
    }
    let hidden = state
        .triage
        .chosen
        .iter()
        .filter(|&&index| !listed.get(index).copied().unwrap_or(false))
        .count();
    let hidden = if hidden == 0 {
        String::new()
    } else {
        format!(", {hidden} not listed")
    };
    let key = state
        .keymap
        .keys_for(Context::List, Action::ClearQuery)
        .first()
        .map(crate::keymap::Key::label);
    Some(match key {
        Some(key) if width >= 60 => format!("{count} chosen{hidden} ({key} clears)"),
        _ => format!("{count} chosen{hidden}"),
    })
}

/// "loading [#####.....] 52% " while the first load runs: ASCII, so it
/// reads the same on every terminal and without colour.
fn loading_gauge(progress: &crate::loader::Progress, width: u16) -> String {
    let percent = (progress.bytes_done.saturating_mul(100))
        .checked_div(progress.bytes_total)
        .map_or(0, |percent| percent.min(100));
    let percent = usize::try_from(percent).unwrap_or(100);
    if width < 60 {
        return format!("loading {percent}% ");
    }
    const CELLS: usize = 10;
    let filled = (percent * CELLS / 100).min(CELLS);
    format!(
        "loading [{}{}] {percent}% ",
        "#".repeat(filled),
        ".".repeat(CELLS - filled)
    )
}

fn render_rows(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let theme = screen.theme;
    let width = usize::from(area.width);
    let cells = columns::layout(&state.columns, width);

    let mut heading = vec![vec![(" ".repeat(columns::GUTTER), theme.label())]];
    for &cell in &cells {
        heading.push(vec![(
            padded(column_heading(cell.column), cell.width),
            theme.label(),
        )]);
    }
    render_cells(&heading, row(area, 0), buf);

    let height = state.row_height();
    let rows = usize::from(area.height.saturating_sub(1)) / height;
    if state.hits.is_empty() {
        let message = if state.loading.is_some() && state.catalog.statements.is_empty() {
            "Loading the archive…"
        } else if state.loading.is_some() {
            "No statements match the query yet: the archive is still loading."
        } else if state.catalog.statements.is_empty() {
            "The archive holds no statements. Run `communique check` to see why."
        } else {
            "No statements match the query. Esc clears it."
        };
        fit(
            &[("  ", theme.normal()), (message, theme.warning())],
            width,
            false,
        )
        .render(row(area, 2.min(area.height - 1)), buf);
        return;
    }
    for (line, hit) in state.hits.iter().enumerate().skip(state.offset).take(rows) {
        let statement = &state.catalog.statements[hit.index];
        let selected = line == state.selected;
        let base = if selected {
            theme.selection()
        } else if statement.withdrawn.is_some() {
            theme.withdrawn()
        } else if hit.weak {
            // Dimmed as withdrawn rows are: there, but not an answer.
            theme.withdrawn()
        } else {
            theme.normal()
        };
        let secondary = base.patch(if selected { Style::new() } else { theme.dim() });
        let chosen = state.triage.chosen.contains(&hit.index)
            || state.triage.anchor.is_some_and(|anchor| {
                (anchor.min(state.selected)..=anchor.max(state.selected)).contains(&line)
            });
        let arrived = state.arrived.contains(&statement.id);
        let cursor = format!(
            "{}{}",
            if selected { '▌' } else { ' ' },
            if chosen {
                '*'
            } else if arrived {
                '•'
            } else {
                ' '
            }
        );
        let mut pieces = vec![vec![(cursor, base)]];
        for &cell in &cells {
            if cell.column == Column::Title {
                let title = clean_line(&statement.title);
                let positions = title_positions(&state.query, &title);
                let mut title_pieces = highlighted(&title, &positions, base, theme.matched());
                if hit.weak {
                    // Readable without colour, where dimming may not show.
                    title_pieces.insert(0, ("~ ".to_owned(), base));
                }
                if let Some(signatory) = hit.signatory.and_then(|at| statement.signatories.get(at))
                {
                    title_pieces.push((
                        format!("  · matched: {}", clean_line(&signatory.label())),
                        secondary,
                    ));
                }
                let borrowed: Vec<(&str, Style)> =
                    title_pieces.iter().map(|(t, s)| (t.as_str(), *s)).collect();
                let fitted = fit(&borrowed, cell.width, true);
                pieces.push(
                    fitted
                        .spans
                        .into_iter()
                        .map(|span| (span.content.into_owned(), span.style))
                        .collect(),
                );
                continue;
            }
            let text = cell_text(cell, state, hit);
            let style = if cell.column == Column::Date {
                secondary
            } else {
                base
            };
            pieces.push(vec![(padded(&text, cell.width), style)]);
        }
        let y = u16::try_from((line - state.offset) * height + 1).unwrap_or(0);
        render_cells(&pieces, row(area, y), buf);
        if height > 1 && y + 1 < area.height {
            snippet_line(screen, hit.index, base, secondary, row(area, y + 1), buf);
        }
    }
}

/// The sentence a statement matches the query's `text:` terms in, under
/// its title, the hits marked (bold and underlined without colour).
fn snippet_line(
    screen: &Screen,
    at: usize,
    base: Style,
    secondary: Style,
    area: Rect,
    buf: &mut Buffer,
) {
    let indent = " ".repeat(columns::GUTTER + 2);
    let mut pieces = vec![(indent, base)];
    // Not read yet, or matched only where no sentence shows: the row says
    // nothing rather than guess.
    if let Some(Some(snippet)) = screen.state.snippets.get(&at) {
        pieces.extend(snippet_pieces(
            snippet,
            secondary,
            base.patch(screen.theme.matched()),
        ));
    }
    let borrowed: Vec<(&str, Style)> = pieces.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    fit(&borrowed, usize::from(area.width), true).render(area, buf);
}

/// A snippet as styled pieces: `normal` text, `hit` words.
pub(super) fn snippet_pieces(
    snippet: &crate::search::Snippet,
    normal: Style,
    hit: Style,
) -> Vec<(String, Style)> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for range in &snippet.hits {
        pieces.push((snippet.text[last..range.start].to_owned(), normal));
        pieces.push((snippet.text[range.clone()].to_owned(), hit));
        last = range.end;
    }
    pieces.push((snippet.text[last..].to_owned(), normal));
    pieces
}

/// `text` cut or padded to exactly `width` columns.
fn padded(text: &str, width: usize) -> String {
    fit(&[(text, Style::new())], width, true).text()
}

/// A row: the gutter, then each cell's pieces (each cell exactly its
/// width), a space between cells in the gutter's style.
fn render_cells(row_pieces: &[Vec<(String, Style)>], area: Rect, buf: &mut Buffer) {
    let gap_style = row_pieces
        .first()
        .and_then(|gutter| gutter.first())
        .map_or_else(Style::new, |(_, style)| *style);
    let mut line: Vec<(&str, Style)> = Vec::new();
    for (at, cell) in row_pieces.iter().enumerate() {
        if at > 1 {
            line.push((" ", gap_style));
        }
        line.extend(cell.iter().map(|(text, style)| (text.as_str(), *style)));
    }
    fit(&line, usize::from(area.width), true).render(area, buf);
}

fn render_preview(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let block = Block::new()
        .borders(Borders::LEFT)
        .border_style(screen.theme.dim());
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(statement) = screen.state.selected_statement() else {
        return;
    };
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    let mut lines = Vec::new();
    if let Some(signatory) = screen
        .state
        .selected_hit()
        .and_then(|hit| hit.signatory)
        .and_then(|at| statement.signatories.get(at))
    {
        lines.push(fit(
            &[
                ("matched: ", screen.theme.label()),
                (&clean_line(&signatory.label()), screen.theme.matched()),
            ],
            usize::from(inner.width),
            false,
        ));
    }
    if let Some(Some(snippet)) = screen
        .state
        .selected_hit()
        .and_then(|hit| screen.state.snippets.get(&hit.index))
    {
        let mut pieces = vec![("matched: ".to_owned(), screen.theme.label())];
        pieces.extend(snippet_pieces(
            snippet,
            screen.theme.normal(),
            screen.theme.matched(),
        ));
        let borrowed: Vec<(&str, Style)> = pieces.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        lines.push(fit(&borrowed, usize::from(inner.width), false));
    }
    let rows = usize::from(inner.height).saturating_sub(lines.len());
    for line in layout_preview(statement, usize::from(inner.width), rows) {
        lines.push(super::detail::styled_line(
            screen,
            &line,
            "",
            usize::from(inner.width),
        ));
    }
    for (y, line) in lines.into_iter().enumerate() {
        let y = u16::try_from(y).unwrap_or(u16::MAX);
        if y >= inner.height {
            break;
        }
        line.render(row(inner, y), buf);
    }
}

fn render_query_line(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state: &State = screen.state;
    let theme = screen.theme;
    let width = usize::from(area.width);
    let sort = format!("  sort: {}", state.sort().label());
    if let View::Search(line) = &state.view {
        let text = clean_line(line.editor.text());
        // A line longer than the screen scrolls so the cursor stays in view.
        let (text, cursor) =
            scrolled_to_cursor(&text, line.editor.cursor(), width.saturating_sub(4));
        let text = text.as_str();
        let mut pieces = vec![("/ ", theme.key()), (text, theme.normal())];
        // An error has rows of its own (see `render`).
        if state.query_error.is_none() && state.hits.is_empty() {
            pieces.push(("  no matches", theme.warning()));
        }
        if state.searching.is_some() {
            pieces.push(("  searching…", theme.dim()));
        }
        let matched = matched_label(state);
        if let Some(matched) = &matched {
            pieces.push((matched.as_str(), theme.dim()));
        }
        fit(&pieces, width, false).render(area, buf);
        // The cursor cell, drawn as reverse video so it shows in every mode.
        let before: String = text.chars().take(cursor).collect();
        let x = 2 + super::text::width(&before);
        if x < width {
            let x = area.x + u16::try_from(x).unwrap_or(0);
            if let Some(cell) = buf.cell_mut((x, area.y)) {
                cell.set_style(theme.selection());
            }
        }
        return;
    }
    let query = if state.query_text.is_empty() {
        "no query: / to search, f for filters".to_owned()
    } else {
        format!("query: {}", clean_line(&state.query_text))
    };
    let mut pieces = vec![(query.as_str(), theme.dim()), (sort.as_str(), theme.dim())];
    let matched = matched_label(state);
    if let Some(matched) = &matched {
        pieces.push((matched.as_str(), theme.dim()));
    }
    screen.status_line(fit(&pieces, width, false), area, buf);
}

/// The part of `text` to show in `room` columns so the cursor (in
/// characters) is on screen, with `…` where the start is cut; and the
/// cursor's place in that part.
fn scrolled_to_cursor(text: &str, cursor: usize, room: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let mut start = 0;
    let width_of = |from: usize| {
        chars[from..cursor]
            .iter()
            .map(|&c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum::<usize>()
    };
    if width_of(0) >= room {
        start = cursor;
        let mut used = 1; // the `…`
        while start > 0 {
            let width = unicode_width::UnicodeWidthChar::width(chars[start - 1]).unwrap_or(0);
            if used + width >= room {
                break;
            }
            used += width;
            start -= 1;
        }
    }
    if start == 0 {
        return (text.to_owned(), cursor);
    }
    let shown: String = std::iter::once('…')
        .chain(chars[start..].iter().copied())
        .collect();
    (shown, cursor - start + 1)
}

/// "  · matched: Minister of Foreign Affairs, Japan" when the selected row was
/// found through a signatory.
fn matched_label(state: &State) -> Option<String> {
    let hit = state.selected_hit()?;
    let signatory = state.catalog.statements[hit.index]
        .signatories
        .get(hit.signatory?)?;
    Some(format!("  · matched: {}", clean_line(&signatory.label())))
}
