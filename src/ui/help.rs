//! The help overlay: every key of the keymap table by context, the view it
//! was opened from first and the most used keys first in each, then the query
//! grammar; `/` narrows the rows. Generated from the table, so it cannot
//! drift from it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use super::Screen;
use super::text::fit;
use crate::keymap::{Context, Keymap, MOST_USED};
use crate::search::Field;
use crate::state::Help;

/// The query grammar, as the overlay and the README give it.
pub const GRAMMAR: &[(&str, &str)] = &[
    (
        "word",
        "fuzzy match on titles and signatories, then organisations and people; every word must match; ~ marks a weak match",
    ),
    ("'word", "exact (case- and accent-insensitive) substring"),
    (
        "text:word text:\"a phrase\" text:sanction*",
        "in what statements say (title, summary, body); text terms alone rank by relevance; n/N in the statement move between hits",
    ),
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
/// description. `first`'s keys come first, then the keys that work anywhere,
/// then the other views'; within each, [`MOST_USED`] order. With a `filter`,
/// only rows whose keys or description hold it (case-insensitively), under
/// their headings.
#[must_use]
pub fn help_lines(keymap: &Keymap, first: Context, filter: &str) -> Vec<(String, String)> {
    let filter = crate::search::fold(filter.trim());
    let mut contexts = vec![first, Context::Global];
    for context in [
        Context::List,
        Context::Detail,
        Context::Filter,
        Context::Timeline,
        Context::Signatory,
        Context::Compare,
        Context::Contacts,
        Context::Input,
        Context::Note,
        Context::Picker,
        Context::Conflict,
        Context::Problems,
        Context::Alone,
    ] {
        if !contexts.contains(&context) {
            contexts.push(context);
        }
    }
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for context in contexts {
        let mut actions = keymap.actions_in(context);
        // A stable sort: actions not in MOST_USED keep table order, after.
        actions.sort_by_key(|(action, _)| {
            MOST_USED
                .iter()
                .position(|used| used == action)
                .unwrap_or(MOST_USED.len())
        });
        let rows = actions
            .into_iter()
            .map(|(action, keys)| (keys, action.describe().to_owned()))
            .collect();
        sections.push((context.title().to_owned(), rows));
    }
    sections.push((
        "Marks column".to_owned(),
        vec![(String::new(), super::triage::LEGEND.to_owned())],
    ));
    let mut grammar: Vec<(String, String)> = GRAMMAR
        .iter()
        .map(|(syntax, meaning)| ((*syntax).to_owned(), (*meaning).to_owned()))
        .collect();
    grammar.extend(
        Field::ALL
            .iter()
            .map(|(_, words, meaning)| (format!("{}:value", words[0]), (*meaning).to_owned())),
    );
    sections.push(("Query language".to_owned(), grammar));

    let mut lines = Vec::new();
    for (heading, rows) in sections {
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|(keys, meaning)| {
                filter.is_empty()
                    || crate::search::fold(keys).contains(&filter)
                    || crate::search::fold(meaning).contains(&filter)
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push((String::new(), String::new()));
        }
        lines.push((heading, String::new()));
        lines.extend(rows);
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
    let lines = help_lines(&screen.state.keymap, help.context, help.filter.text());
    // The last row of the box is the filter line while there is one.
    let filtering = help.typing || !help.filter.text().is_empty();
    let rows = usize::from(height.saturating_sub(2 + u16::from(filtering)));
    let scroll = help.scroll.min(lines.len().saturating_sub(rows));
    let title = if width >= 50 {
        " Keys and query language (/ filters, Esc closes) "
    } else {
        " Help (/ filters, Esc closes) "
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
    if filtering {
        let text = crate::sanitize::clean_line(help.filter.text());
        let found = if lines.is_empty() {
            "  no key matches"
        } else if help.typing {
            "  Enter keeps · Esc clears"
        } else {
            ""
        };
        fit(
            &[
                ("/", theme.key()),
                (text.as_ref(), theme.normal()),
                (found, theme.dim()),
            ],
            usize::from(inner.width),
            false,
        )
        .render(
            Rect {
                y: inner.y + inner.height.saturating_sub(1),
                height: 1,
                ..inner
            },
            buf,
        );
    }
}
