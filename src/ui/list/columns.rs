//! The list's columns laid out for a width: each configured column in its
//! wide or short form, or dropped, so the title keeps room to be told apart
//! (at least 50 columns on an 80-column terminal), in whatever order the
//! configuration lists them.

use crate::config::Column;
use crate::records::Statement;

/// One column as drawn: its width, and whether in the short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cell {
    pub column: Column,
    pub width: usize,
    pub short: bool,
}

/// The cursor and choice marks left of the first column.
pub(super) const GUTTER: usize = 2;

/// Width of a column in its wide and short forms (the title takes what is
/// left).
fn widths(column: Column) -> (usize, usize) {
    match column {
        // Four triage symbols and `W` for withdrawn.
        Column::Marks => (5, 5),
        // `2024-01-12`, or `12 Jan 24`.
        Column::Date => (10, 9),
        Column::Kind => (19, 7),
        Column::Signatories => (3, 3),
        Column::Id => (14, 14),
        Column::Title => (0, 0),
    }
}

/// What gives way, in order, while the title has less than it needs.
#[derive(Clone, Copy)]
enum Step {
    Shorten(Column),
    Drop(Column),
}

const STEPS: [Step; 6] = [
    Step::Drop(Column::Id),
    Step::Shorten(Column::Kind),
    Step::Shorten(Column::Date),
    Step::Drop(Column::Signatories),
    Step::Drop(Column::Kind),
    Step::Drop(Column::Date),
];

/// The title's fair share of a list `width` wide: 50 from 80 columns up,
/// a little over half below.
fn title_wanted(width: usize) -> usize {
    if width >= 80 { 50 } else { width * 11 / 20 }
}

/// The columns to draw in a list `width` wide (the gutter included), in
/// the configured order; the title (if configured) gets the rest.
pub(super) fn layout(columns: &[Column], width: usize) -> Vec<Cell> {
    let mut cells: Vec<Cell> = columns
        .iter()
        .map(|&column| Cell {
            column,
            width: widths(column).0,
            short: false,
        })
        .collect();
    let wanted = if columns.contains(&Column::Title) {
        title_wanted(width)
    } else {
        0
    };
    for step in STEPS {
        if room_for_title(&cells, width).is_some_and(|room| room >= wanted) {
            break;
        }
        match step {
            Step::Shorten(column) => {
                for cell in cells.iter_mut().filter(|cell| cell.column == column) {
                    cell.width = widths(column).1;
                    cell.short = true;
                }
            }
            Step::Drop(column) => cells.retain(|cell| cell.column != column),
        }
    }
    let title = room_for_title(&cells, width).unwrap_or(0);
    for cell in &mut cells {
        if cell.column == Column::Title {
            cell.width = title;
        }
    }
    cells
}

/// Columns left for the title beside the others (a space between each
/// two), or `None` when they do not fit at all.
fn room_for_title(cells: &[Cell], width: usize) -> Option<usize> {
    let others: usize = cells
        .iter()
        .filter(|cell| cell.column != Column::Title)
        .map(|cell| cell.width)
        .sum();
    let gaps = cells.len().saturating_sub(1);
    width.checked_sub(GUTTER + others + gaps)
}

/// A kind in at most seven columns, as the README's table lists them; a
/// kind not in the table shows its first word.
pub(super) fn short_kind(kind: &str) -> &str {
    const SHORT: [(&str, &str); 18] = [
        ("press release", "press"),
        ("news story", "news"),
        ("world news story", "world"),
        ("speech", "speech"),
        ("joint statement", "joint"),
        ("authored article", "article"),
        ("government response", "reply"),
        ("oral statement", "oral"),
        ("written statement", "written"),
        ("statement to parliament", "parl"),
        ("correspondence", "letter"),
        ("statement", "stmt"),
        ("national statistics announcement", "stats"),
        ("official statistics announcement", "stats"),
        ("fatality notice", "fatal"),
        ("consultation outcome", "outcome"),
        ("open consultation", "consult"),
        ("closed consultation", "consult"),
    ];
    let kind = kind.trim();
    SHORT
        .iter()
        .find(|(full, _)| full.eq_ignore_ascii_case(kind))
        .map_or_else(
            || kind.split_whitespace().next().unwrap_or(kind),
            |(_, short)| *short,
        )
}

/// The publication date: `2024-01-12`, or `12 Jan 24` in the short form.
pub(super) fn date(statement: &Statement, short: bool) -> String {
    let date = statement.published.date();
    if short {
        date.format("%d %b %y").to_string()
    } else {
        date.to_string()
    }
}

/// The number of signatories in three columns (none: blank).
pub(super) fn signatory_count(statement: &Statement) -> String {
    match statement.signatories.len() {
        0 => String::new(),
        n if n > 999 => "1k+".to_owned(),
        n => format!("{n:>3}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Column; 5] = Column::DEFAULT;

    fn title_width(cells: &[Cell]) -> usize {
        cells
            .iter()
            .find(|cell| cell.column == Column::Title)
            .map_or(0, |cell| cell.width)
    }

    fn shown(cells: &[Cell]) -> Vec<Column> {
        cells.iter().map(|cell| cell.column).collect()
    }

    #[test]
    fn at_80_columns_the_title_gets_50_and_every_default_column_shows() {
        let cells = layout(&ALL, 80);
        assert_eq!(title_width(&cells), 50);
        assert_eq!(shown(&cells), ALL);
        assert!(
            cells
                .iter()
                .filter(|cell| cell.column != Column::Title)
                .all(|cell| cell.short == matches!(cell.column, Column::Kind | Column::Date))
        );
    }

    #[test]
    fn from_120_columns_everything_shows_in_full() {
        let mut every = ALL.to_vec();
        every.push(Column::Id);
        let cells = layout(&every, 120);
        assert_eq!(shown(&cells), every);
        assert!(cells.iter().all(|cell| !cell.short));
        assert!(title_width(&cells) >= 50);
    }

    #[test]
    fn beside_the_preview_pane_every_column_still_shows_short() {
        let cells = layout(&ALL, 66);
        assert_eq!(shown(&cells), ALL);
        assert_eq!(title_width(&cells), 36);
    }

    #[test]
    fn narrow_lists_drop_columns_before_the_title_shrinks_away() {
        let cells = layout(&ALL, 40);
        assert_eq!(shown(&cells), [Column::Marks, Column::Date, Column::Title]);
        assert_eq!(title_width(&cells), 22);
        let cells = layout(&ALL, 24);
        assert_eq!(shown(&cells), [Column::Marks, Column::Title]);
    }

    #[test]
    fn the_title_takes_the_rest_in_any_position() {
        for order in [
            [Column::Title, Column::Date, Column::Kind],
            [Column::Date, Column::Title, Column::Kind],
            [Column::Kind, Column::Date, Column::Title],
        ] {
            let cells = layout(&order, 80);
            let used: usize =
                cells.iter().map(|cell| cell.width).sum::<usize>() + GUTTER + cells.len() - 1;
            assert_eq!(used, 80, "{order:?}");
            assert!(title_width(&cells) >= 50, "{order:?}");
        }
    }

    #[test]
    fn kinds_shorten_to_their_documented_labels() {
        assert_eq!(short_kind("press release"), "press");
        assert_eq!(short_kind("World news story"), "world");
        assert_eq!(short_kind("authored article"), "article");
        assert_eq!(short_kind("transcript of the speech"), "transcript");
        assert_eq!(short_kind("official statistics announcement"), "stats");
        assert_eq!(short_kind("fatality notice"), "fatal");
        assert_eq!(short_kind("consultation outcome"), "outcome");
    }
}
