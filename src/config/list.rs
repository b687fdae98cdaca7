//! The `[list]` table: which columns the list shows, in what order, and the
//! sort it starts in.

use toml::de::DeTable;

use super::source::{Entry, Source};
use crate::state::Sort;

/// A column of the list view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Date,
    Kind,
    Signatories,
    Title,
    /// The statement's triage marks.
    Marks,
    Id,
}

impl Column {
    pub const NAMES: [(&str, Self); 6] = [
        ("date", Self::Date),
        ("kind", Self::Kind),
        ("signatories", Self::Signatories),
        ("title", Self::Title),
        ("marks", Self::Marks),
        ("id", Self::Id),
    ];

    pub const DEFAULT: [Self; 5] = [
        Self::Marks,
        Self::Date,
        Self::Kind,
        Self::Signatories,
        Self::Title,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, column)| *column == self)
            .map_or("title", |(name, _)| name)
    }
}

/// Sort names as a config file writes them.
pub const SORTS: [(&str, Sort); 5] = [
    ("newest", Sort::Newest),
    ("oldest", Sort::Oldest),
    ("title", Sort::Title),
    ("relevance", Sort::Relevance),
    ("signatories", Sort::Signatories),
];

/// What `[list]` sets; `None` keeps the default.
#[derive(Debug, Default)]
pub(super) struct ListSettings {
    pub columns: Option<Vec<Column>>,
    pub sort: Option<Sort>,
}

pub(super) fn read(source: &mut Source, list: &DeTable) -> ListSettings {
    let mut settings = ListSettings::default();
    for Entry { name, span, value } in Source::entries(list) {
        match name {
            "columns" => {
                if let Some(names) = source.strings(value, "`columns` in [list]") {
                    settings.columns = read_columns(source, names, value.span());
                }
            }
            "sort" => {
                let chosen = source.choice(value, ("sort", "sort", "in [list]"), &SORTS);
                settings.sort = chosen.or(settings.sort);
            }
            other => source.unknown(span, "key", other, "in [list]", &["columns", "sort"]),
        }
    }
    settings
}

/// The columns named, a repeated name reported and left out. An unknown
/// name keeps the default columns: a list missing the column the user
/// meant (the title, say) is worse than the defaults.
fn read_columns(
    source: &mut Source,
    names: Vec<(&str, std::ops::Range<usize>)>,
    whole: std::ops::Range<usize>,
) -> Option<Vec<Column>> {
    let known: Vec<&str> = Column::NAMES.iter().map(|(name, _)| *name).collect();
    let mut columns = Vec::new();
    let mut unknown = false;
    for (text, span) in names {
        match Column::NAMES.iter().find(|(name, _)| *name == text) {
            Some((_, column)) if columns.contains(column) => {
                source.problem(span, format!("column `{text}` is listed twice in [list]"));
            }
            Some((_, column)) => columns.push(*column),
            None => {
                unknown = true;
                let place = "in [list] (the default columns are shown)";
                source.unknown(span, "column", text, place, &known);
            }
        }
    }
    if unknown {
        return None;
    }
    if columns.is_empty() {
        source.problem(
            whole,
            "no columns left in [list]; showing the default columns",
        );
        return None;
    }
    Some(columns)
}
