//! The detail view: a statement's lines, scrolled, with find-in-text matches
//! highlighted.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::text::{Fitted, fit, highlighted};
use super::{Screen, row};
use crate::document::{DisplayLine, Role};
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::search::fold;
use crate::state::Detail;

/// One laid-out line in its role's style, with `find` (folded) highlighted.
pub(super) fn styled_line(screen: &Screen, line: &DisplayLine, find: &str, width: usize) -> Fitted {
    let theme = screen.theme;
    let style = match line.role {
        Role::Title => theme.title(),
        Role::Byline => theme.dim(),
        Role::Warning => theme.warning(),
        Role::Heading => theme.heading(),
        Role::Field | Role::Paragraph | Role::Item => theme.normal(),
    };
    let positions = find_positions(&line.text, find);
    let mut pieces = highlighted(&line.text, &positions, style, theme.found());
    if line.label_chars > 0 {
        // Embolden the "Label:" part of a field line.
        let mut relabelled = Vec::new();
        let mut seen = 0;
        for (text, piece_style) in pieces {
            let count = text.chars().count();
            if seen >= line.label_chars {
                relabelled.push((text, piece_style));
            } else if seen + count <= line.label_chars {
                relabelled.push((text, piece_style.patch(theme.label())));
            } else {
                let split = line.label_chars - seen;
                let head: String = text.chars().take(split).collect();
                let tail: String = text.chars().skip(split).collect();
                relabelled.push((head, piece_style.patch(theme.label())));
                relabelled.push((tail, piece_style));
            }
            seen += count;
        }
        pieces = relabelled;
    }
    let borrowed: Vec<(&str, Style)> = pieces.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    fit(&borrowed, width, false)
}

/// Character positions of every occurrence of `find` in `text`, matching as
/// search does (case and accents folded).
fn find_positions(text: &str, find: &str) -> Vec<usize> {
    if find.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let needle = find.chars().count();
    let mut positions = Vec::new();
    let mut start = 0;
    while start + needle <= chars.len() {
        let window: String = chars[start..start + needle].iter().collect();
        if fold(&window) == find {
            positions.extend(start..start + needle);
            start += needle;
        } else {
            start += 1;
        }
    }
    positions
}

pub(super) fn render(screen: &Screen, detail: &Detail, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let statement = &state.catalog.statements[detail.statement];
    let position = state
        .hits
        .iter()
        .position(|hit| hit.index == detail.statement)
        .map_or(String::new(), |at| {
            position_label(at + 1, state.hits.len(), area.width)
        });
    screen.bar(
        &format!(" {}", clean_line(&statement.title)),
        &position,
        row(area, 0),
        buf,
    );

    let lines = detail.lines(statement, state.marks_of(detail.statement), state.size);
    // The contact y / Y / o copy: the one Tab chose, else the first.
    let chosen = (!statement.media_contacts.is_empty()).then(|| detail.contact.unwrap_or(0));
    let rows = usize::from(area.height.saturating_sub(3));
    let width = Detail::text_width((area.width, area.height));
    for (y, line) in lines.iter().skip(detail.scroll).take(rows).enumerate() {
        let target = Rect {
            x: area.x + 1,
            y: area.y + 1 + u16::try_from(y).unwrap_or(0),
            width: u16::try_from(width).unwrap_or(area.width),
            height: 1,
        };
        let mut fitted = styled_line(screen, line, &detail.find, width);
        let is_chosen = line.contact.is_some() && line.contact == chosen;
        // The chosen contact's first line (who) in reverse video, which
        // shows without colour too. Styled in its spans, not over the row:
        // cells under the right half of a wide character stay untouched.
        if is_chosen
            && lines
                .iter()
                .position(|other| other.contact == chosen)
                .is_some_and(|at| at == detail.scroll + y)
        {
            for span in &mut fitted.spans {
                span.style = span.style.patch(screen.theme.selection());
            }
        }
        fitted.render(target, buf);
        if is_chosen {
            // A bar beside every line of it.
            buf.set_string(area.x, target.y, "▌", screen.theme.key());
        }
    }

    let status_row = row(area, area.height - 2);
    if let Some(find) = &detail.find_line {
        let text = crate::sanitize::clean_line(find.editor.text());
        let text = text.as_ref();
        let mut pieces = vec![
            ("find: ", screen.theme.key()),
            (text, screen.theme.normal()),
        ];
        let count = detail.matching_lines(&lines).len();
        let summary = if text.is_empty() {
            String::new()
        } else if count == 0 {
            "  not found".to_owned()
        } else if detail.page_count() > 1 {
            format!("  {count} lines match on this page")
        } else {
            format!("  {count} lines match")
        };
        pieces.push((&summary, screen.theme.dim()));
        fit(&pieces, usize::from(area.width), false).render(status_row, buf);
        let before: String = text.chars().take(find.editor.cursor()).collect();
        let x = area.x + u16::try_from(6 + super::text::width(&before)).unwrap_or(0);
        if x < area.x + area.width
            && let Some(cell) = buf.cell_mut((x, status_row.y))
        {
            cell.set_style(screen.theme.selection());
        }
    } else if let Some(editor) = &detail.link_line {
        let prompt = format!("copy link [1–{}]: ", detail.links(statement).len());
        let text = crate::sanitize::clean_line(editor.text());
        fit(
            &[
                (prompt.as_str(), screen.theme.key()),
                (text.as_ref(), screen.theme.normal()),
                ("▏", screen.theme.key()),
            ],
            usize::from(area.width),
            false,
        )
        .render(status_row, buf);
    } else {
        let end = (detail.scroll + rows).min(lines.len());
        let percent = if lines.is_empty() {
            100
        } else {
            end * 100 / lines.len()
        };
        let page = match detail.page_count() {
            1 => String::new(),
            count => format!("page {} of {count} · ", detail.page + 1),
        };
        let progress = format!(
            "{page}lines {}–{end} of {} ({percent}%)",
            detail.scroll + 1,
            lines.len()
        );
        let find = if detail.find.is_empty() {
            String::new()
        } else {
            format!("  find: {} (n/N)", detail.find)
        };
        let copies = match detail.signatory {
            Some(at) => signatory_target(screen, statement, at),
            None => chosen.map_or(String::new(), |at| {
                copy_target(screen, &statement.media_contacts, at)
            }),
        };
        screen.status_line(
            fit(
                &[
                    (progress.as_str(), screen.theme.dim()),
                    (find.as_str(), screen.theme.dim()),
                    (copies.as_str(), screen.theme.normal()),
                ],
                usize::from(area.width),
                false,
            ),
            status_row,
            buf,
        );
    }
    let (context, hints): (Context, &[Action]) = if detail.typing() {
        (Context::Input, &[Action::Submit, Action::Cancel])
    } else {
        (
            Context::Detail,
            &[
                Action::Back,
                Action::Search,
                Action::NextStatement,
                Action::NextContact,
                Action::CopyEmail,
                Action::NextSignatory,
                Action::OpenSignatory,
                Action::Help,
            ],
        )
    };
    screen.hints(context, hints, row(area, area.height - 1), buf);
}

/// Where the statement is in the list, as long as a fifth of the width
/// allows: "statement 3 of 16 ", "3 / 16 ", "3/16 ", "3 ", or nothing, so the
/// title keeps the rest.
fn position_label(at: usize, of: usize, width: u16) -> String {
    let room = usize::from(width) / 5;
    [
        format!("statement {at} of {of} "),
        format!("{at} / {of} "),
        format!("{at}/{of} "),
        format!("{at} "),
    ]
    .into_iter()
    .find(|label| label.len() <= room)
    .unwrap_or_default()
}

/// "  Enter page of 24/51: Minister of Foreign Affairs, Japan":
/// whose page the signatory key opens, with the key the keymap has for it.
fn signatory_target(screen: &Screen, statement: &crate::records::Statement, at: usize) -> String {
    let Some(signatory) = statement.signatories.get(at) else {
        return String::new();
    };
    let key = screen
        .state
        .keymap
        .keys_for(Context::Detail, Action::OpenSignatory)
        .first()
        .map_or_else(String::new, crate::keymap::Key::label);
    format!(
        "  {key} page of {}/{}: {}",
        at + 1,
        statement.signatories.len(),
        clean_line(&signatory.label())
    )
}

/// "  y/Y/o copy contact 2 of 3: Media enquiries, FCDO": which contact the copy
/// keys take, with the keys as the keymap has them.
fn copy_target(screen: &Screen, contacts: &[crate::records::MediaContact], at: usize) -> String {
    let Some(contact) = contacts.get(at) else {
        return String::new();
    };
    let keymap = &screen.state.keymap;
    let keys: Vec<String> = [Action::CopyEmail, Action::CopyPhone, Action::CopyOutOfHours]
        .into_iter()
        .filter_map(|action| {
            keymap
                .keys_for(Context::Detail, action)
                .first()
                .map(crate::keymap::Key::label)
        })
        .collect();
    let who = crate::document::contact_lines(contact)
        .into_iter()
        .next()
        .unwrap_or_default();
    // The count goes first, so a long name is what an ellipsis cuts.
    let count = if contacts.len() > 1 {
        format!(" contact {} of {}", at + 1, contacts.len())
    } else {
        String::new()
    };
    format!("  {} copy{count}: {who}", keys.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_positions_fold_case_and_accents() {
        assert_eq!(
            find_positions("Côte and cote", "cote"),
            [0, 1, 2, 3, 9, 10, 11, 12]
        );
        assert!(find_positions("abc", "").is_empty());
    }

    #[test]
    fn the_position_takes_at_most_a_fifth_of_the_width() {
        assert_eq!(position_label(3, 16, 120), "statement 3 of 16 ");
        assert_eq!(position_label(3, 16, 80), "3 / 16 ");
        assert_eq!(position_label(1234, 20000, 80), "1234 / 20000 ");
        assert_eq!(position_label(1234, 20000, 55), "1234/20000 ");
        assert_eq!(position_label(123_456, 1_000_000, 40), "123456 ");
        assert_eq!(position_label(123_456, 1_000_000, 24), "");
    }
}
