//! The help overlay: every key of the keymap table by context, then the
//! query grammar. Generated from the table, so it cannot drift from it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use super::Screen;
use super::text::fit;
use crate::keymap::{Context, Keymap};
use crate::search::Field;
use crate::state::Help;

/// The query grammar, as the overlay and the README give it.
pub const GRAMMAR: &[(&str, &str)] = &[
    (
        "word",
        "fuzzy match on titles and signatories; every word must match",
    ),
    ("'word", "exact (case- and accent-insensitive) substring"),
    ("-term  !term", "exclude statements matching the term"),
    (
        "after:2024-01",
        "published on or after (YYYY, YYYY-MM or YYYY-MM-DD)",
    ),
    ("before:2024-02", "published before"),
    ("year:2024", "published in a year (or month, or day)"),
    ("is:unread is:flagged", "triage: also is:read is:unflagged"),
    (
        "status:actioned",
        "new, \"in review\", actioned, \"no action\"",
    ),
    ("tag:urgent has:note", "a tag; has:note or has:tags"),
    ("by:alice", "someone set any mark"),
    ("field:\"two words\"", "quote a value with spaces"),
    (
        "field:=value",
        "exactly this value (as the filter panel writes)",
    ),
];

/// The overlay's lines as (key column, description); headings have an empty
/// description.
#[must_use]
pub fn help_lines(keymap: &Keymap) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    for context in [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Filter,
        Context::Input,
        Context::Note,
        Context::Picker,
    ] {
        lines.push((context.title().to_owned(), String::new()));
        for (action, keys) in keymap.actions_in(context) {
            lines.push((keys, action.describe().to_owned()));
        }
        lines.push((String::new(), String::new()));
    }
    lines.push(("Marks column".to_owned(), String::new()));
    lines.push((String::new(), super::triage::LEGEND.to_owned()));
    lines.push((String::new(), String::new()));
    lines.push(("Query language".to_owned(), String::new()));
    for (syntax, meaning) in GRAMMAR {
        lines.push(((*syntax).to_owned(), (*meaning).to_owned()));
    }
    for (field, words, meaning) in Field::ALL {
        lines.push((format!("{}:value", words[0]), (*meaning).to_owned()));
        let _ = field;
    }
    lines
}

pub(super) fn render(screen: &Screen, help: &Help, area: Rect, buf: &mut Buffer) {
    let theme = screen.theme;
    // As wide as the screen up to a readable 100 columns; what is beside it
    // is cleared, so no slivers of the list show through.
    let width = area.width.min(100);
    let height = area.height.saturating_sub(2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    super::clear_popup(
        Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(2),
            ..area
        },
        buf,
    );
    let lines = help_lines(&screen.state.keymap);
    let rows = usize::from(height.saturating_sub(2));
    let scroll = help.scroll.min(lines.len().saturating_sub(rows));
    let title = if width >= 50 {
        " Keys and query language (Esc closes) "
    } else {
        " Help (Esc closes) "
    };
    let more = if scroll + rows < lines.len() {
        format!(" ↓ j/PgDn: {} more lines ", lines.len() - scroll - rows)
    } else {
        String::new()
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(more)
        .border_style(theme.title());
    let inner = block.inner(popup);
    block.render(popup, buf);
    let key_width = 22.min(usize::from(inner.width) / 2);
    for (y, (keys, meaning)) in lines.iter().skip(scroll).take(rows).enumerate() {
        let target = Rect {
            y: inner.y + u16::try_from(y).unwrap_or(0),
            height: 1,
            ..inner
        };
        let line = if meaning.is_empty() {
            fit(
                &[(keys.as_str(), theme.heading())],
                usize::from(inner.width),
                false,
            )
        } else {
            let keys = fit(&[(keys.as_str(), theme.key())], key_width, true);
            let keys: String = keys
                .spans
                .iter()
                .map(|span| span.content.as_ref())
                .collect();
            fit(
                &[
                    (&format!(" {keys} "), theme.key()),
                    (meaning.as_str(), theme.normal()),
                ],
                usize::from(inner.width),
                false,
            )
        };
        line.render(target, buf);
    }
}
