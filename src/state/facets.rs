//! The filter panel: facets as on GOV.UK's finder, each listing the values in
//! the archive with their counts under the current query. Choosing a value
//! writes its term into the query line, which stays the one truth.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::{LineEditor, State, View};
use crate::keymap::Action;
use crate::records::Statement;
use crate::search::{self, fold};
use crate::store::Marks;
use unicode_normalization::UnicodeNormalization;

/// The facets, in panel order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    Kind,
    Organisation,
    Government,
    Country,
    Location,
    Topic,
    Year,
    Dates,
    /// Triage: unread, read, flagged, has note.
    Triage,
    Status,
    Tag,
    MarkedBy,
}

impl FacetKind {
    pub const ALL: [Self; 12] = [
        Self::Kind,
        Self::Organisation,
        Self::Government,
        Self::Country,
        Self::Location,
        Self::Topic,
        Self::Year,
        Self::Dates,
        Self::Triage,
        Self::Status,
        Self::Tag,
        Self::MarkedBy,
    ];

    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Kind => "Kind",
            Self::Organisation => "Organisation",
            Self::Government => "Government",
            Self::Country => "Signatory country",
            Self::Location => "Location",
            Self::Topic => "Topic",
            Self::Year => "Year",
            Self::Dates => "Date range",
            Self::Triage => "Read / flagged",
            Self::Status => "Status",
            Self::Tag => "Tag",
            Self::MarkedBy => "Marked by",
        }
    }

    /// The query keyword a value of this facet is written with.
    fn keyword(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Organisation => "org",
            Self::Government => "gov",
            Self::Country => "sig",
            Self::Location => "loc",
            Self::Topic => "topic",
            Self::Year => "year",
            Self::Dates => "after",
            Self::Triage => "is",
            Self::Status => "status",
            Self::Tag => "tag",
            Self::MarkedBy => "by",
        }
    }

    /// The values a statement has for this facet, borrowed from it and its
    /// marks where they are written (counting a million statements'
    /// values made a string of each, twelve facets over).
    fn values<'a>(self, statement: &'a Statement, marks: Option<&'a Marks>) -> Vec<Cow<'a, str>> {
        let borrowed =
            |values: &'a [String]| values.iter().map(|value| Cow::Borrowed(value.as_str()));
        match self {
            Self::Triage => {
                let Some(marks) = marks else {
                    return vec![Cow::Borrowed("unread")];
                };
                let mut values = vec![Cow::Borrowed(if marks.read.is_some() {
                    "read"
                } else {
                    "unread"
                })];
                if marks.flagged.is_some() {
                    values.push(Cow::Borrowed("flagged"));
                }
                if marks.note.is_some() {
                    values.push(Cow::Borrowed(HAS_NOTE));
                }
                values
            }
            Self::Status => vec![Cow::Borrowed(
                marks
                    .map_or(crate::store::Status::default(), |marks| marks.status)
                    .as_str(),
            )],
            Self::Tag => marks
                .into_iter()
                .flat_map(|marks| marks.tags.keys())
                .map(|tag| Cow::Borrowed(tag.as_str()))
                .collect(),
            Self::MarkedBy => {
                let mut people: Vec<Cow<'a, str>> = marks
                    .into_iter()
                    .flat_map(Marks::people)
                    .map(Cow::Borrowed)
                    .collect();
                people.sort();
                people.dedup();
                people
            }
            Self::Kind => vec![Cow::Borrowed(statement.kind_or_default())],
            Self::Organisation => borrowed(&statement.organisations).collect(),
            Self::Government => statement
                .government
                .iter()
                .map(|value| Cow::Borrowed(value.as_str()))
                .collect(),
            Self::Country => {
                let mut countries: Vec<Cow<'a, str>> = statement
                    .signatories
                    .iter()
                    .filter_map(|s| s.country.as_deref())
                    .map(Cow::Borrowed)
                    .collect();
                countries.sort();
                countries.dedup();
                countries
            }
            Self::Location => borrowed(&statement.locations).collect(),
            Self::Topic => borrowed(&statement.topics).collect(),
            Self::Year => vec![Cow::Owned(statement.filter_date().format("%Y").to_string())],
            Self::Dates => Vec::new(),
        }
    }

    /// The query term that selects one value.
    #[must_use]
    pub fn term(self, value: &str) -> String {
        if self == Self::Triage {
            return if value == HAS_NOTE {
                "has:note".to_owned()
            } else {
                format!("is:{value}")
            };
        }
        let needs_quotes = value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == ':');
        let value: String = value.chars().filter(|c| *c != '"').collect();
        // Field facets ask for the exact value (`kind:="news story"` is not
        // "world news story"); triage keywords match whole words already.
        let exact = match self {
            Self::Kind
            | Self::Organisation
            | Self::Government
            | Self::Country
            | Self::Location
            | Self::Topic => "=",
            _ => "",
        };
        if needs_quotes {
            format!("{}:{exact}\"{value}\"", self.keyword())
        } else {
            format!("{}:{exact}{value}", self.keyword())
        }
    }
}

/// The triage facet's value for statements with a note.
const HAS_NOTE: &str = "has a note";

/// One facet's values with their counts under the current query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub kind: FacetKind,
    /// (value, statements in the current list with it), most common first:
    /// the values the current list has, and any its query chose.
    pub values: Vec<(String, usize)>,
    /// Values of the archive that no statement of the current list has:
    /// not listed (choosing one would empty the list), only counted.
    pub absent: Vec<String>,
}

/// What the panel's line is editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditTarget {
    /// Narrowing a long list of values.
    Narrow,
    After,
    Before,
}

/// The filter panel's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPanel {
    pub facets: Vec<Facet>,
    /// Which facet has the cursor.
    pub facet: usize,
    /// The cursor within the facet's (narrowed) values.
    pub cursor: usize,
    /// Folded text the values are narrowed to.
    pub narrow: String,
    pub editing: Option<(EditTarget, LineEditor)>,
}

impl FilterPanel {
    #[must_use]
    pub fn new(state: &State) -> Self {
        Self {
            facets: count_facets(state),
            facet: 0,
            cursor: 0,
            narrow: String::new(),
            editing: None,
        }
    }

    #[must_use]
    pub fn current(&self) -> &Facet {
        &self.facets[self.facet.min(self.facets.len() - 1)]
    }

    /// The current facet's values after narrowing, as (value, count).
    #[must_use]
    pub fn visible_values(&self) -> Vec<&(String, usize)> {
        self.current()
            .values
            .iter()
            .filter(|(value, _)| self.narrows_to(value))
            .collect()
    }

    /// How many of the current facet's values (after narrowing) are left
    /// out because no statement of the current list has them.
    #[must_use]
    pub fn absent_count(&self) -> usize {
        self.current()
            .absent
            .iter()
            .filter(|value| self.narrows_to(value))
            .count()
    }

    fn narrows_to(&self, value: &str) -> bool {
        self.narrow.is_empty() || fold(value).contains(&self.narrow)
    }

    /// The entries of the date range facet: (label, the term now in force).
    #[must_use]
    pub fn date_entries(query_text: &str) -> [(EditTarget, &'static str, Option<String>); 2] {
        let find = |keyword: &str| {
            query_text
                .split_whitespace()
                .find_map(|word| word.strip_prefix(keyword))
                .map(str::to_owned)
        };
        [
            (EditTarget::After, "Published on or after", find("after:")),
            (EditTarget::Before, "Published before", find("before:")),
        ]
    }

    fn entry_count(&self) -> usize {
        if self.current().kind == FacetKind::Dates {
            2
        } else {
            self.visible_values().len()
        }
    }
}

/// Counts every facet's values over the current list. Values of the archive
/// absent from it are set apart ([`Facet::absent`]), unless the query chose
/// them, so that a chosen value can always be unchosen.
///
/// One pass over the archive per facet, on all cores (each statement's
/// values counted once for each time the list holds it, and noted where it
/// does not): at a million statements, a pass over the archive and another
/// over the list for each facet, on one core, held the screen for 45
/// seconds.
fn count_facets(state: &State) -> Vec<Facet> {
    use rayon::prelude::*;
    let statements = &state.catalog.statements;
    statements.restore_all();
    let mut listed = vec![0_usize; statements.len()];
    for hit in &state.hits {
        if let Some(times) = listed.get_mut(hit.index) {
            *times += 1;
        }
    }
    let marks = &state.triage.marks;
    let marks_of = |at: usize| marks.get(&statements[at].id);
    FacetKind::ALL
        .iter()
        .map(|&kind| {
            let counts: HashMap<Cow<'_, str>, usize> = (0..statements.len())
                .into_par_iter()
                .with_min_len(1024)
                .fold(HashMap::new, |mut counts, at| {
                    for value in kind.values(&statements[at], marks_of(at)) {
                        *counts.entry(value).or_insert(0) += listed[at];
                    }
                    counts
                })
                .reduce(HashMap::new, |mut into, from| {
                    for (value, count) in from {
                        *into.entry(value).or_insert(0) += count;
                    }
                    into
                });
            // Each distinct value in NFC (one written in NFD here and NFC
            // there is one value), in the values' order, as the sorts below
            // expect of ties.
            let mut merged: BTreeMap<String, usize> = BTreeMap::new();
            for (value, count) in counts {
                *merged.entry(nfc(value.into_owned())).or_insert(0) += count;
            }
            let counts = merged;
            let (mut values, absent): (Vec<_>, Vec<_>) =
                counts.into_iter().partition(|(value, count)| {
                    *count > 0 || has_term(&state.query_text, &kind.term(value))
                });
            let absent = absent.into_iter().map(|(value, _)| value).collect();
            if kind == FacetKind::Year {
                values.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| fold(&a.0).cmp(&fold(&b.0))));
            }
            Facet {
                kind,
                values,
                absent,
            }
        })
        .collect()
}

/// A value in NFC, so one written in NFD here and NFC there is one value
/// (most are already: then it is not copied).
fn nfc(value: String) -> String {
    if unicode_normalization::is_nfc_quick(value.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        value
    } else {
        value.nfc().collect()
    }
}

/// Whether the query line holds a term exactly (as its own word).
#[must_use]
pub fn has_term(query_text: &str, term: &str) -> bool {
    find_term(query_text, term).is_some()
}

fn find_term(query_text: &str, term: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(found) = query_text[start..].find(term) {
        let at = start + found;
        let end = at + term.len();
        let before_ok = at == 0 || query_text[..at].ends_with(char::is_whitespace);
        let after_ok =
            end == query_text.len() || query_text[end..].starts_with(char::is_whitespace);
        if before_ok && after_ok {
            return Some(at);
        }
        start = at + term.len().max(1);
    }
    None
}

/// The query with a term added, or removed if it is there.
#[must_use]
pub fn toggle_term(query_text: &str, term: &str) -> String {
    match find_term(query_text, term) {
        Some(at) => {
            let rest = format!("{}{}", &query_text[..at], &query_text[at + term.len()..]);
            rest.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        None if query_text.trim().is_empty() => term.to_owned(),
        None => format!("{} {term}", query_text.trim_end()),
    }
}

/// The query with any `keyword:` term replaced by `keyword:value` (or removed
/// when the value is empty).
pub(super) fn replace_keyword(query_text: &str, keyword: &str, value: &str) -> String {
    let mut words: Vec<String> = query_text
        .split_whitespace()
        .filter(|word| !word.starts_with(&format!("{keyword}:")))
        .map(str::to_owned)
        .collect();
    if !value.trim().is_empty() {
        words.push(format!("{keyword}:{}", value.trim()));
    }
    words.join(" ")
}

impl State {
    pub(super) fn update_filter(&mut self, mut panel: FilterPanel, action: Action) {
        if let Some((target, mut editor)) = panel.editing.take() {
            match action {
                Action::Submit | Action::Cancel if target == EditTarget::Narrow => {
                    if action == Action::Cancel {
                        panel.narrow.clear();
                    }
                    panel.cursor = 0;
                }
                Action::Submit => {
                    let keyword = if target == EditTarget::After {
                        "after"
                    } else {
                        "before"
                    };
                    let text = replace_keyword(&self.query_text, keyword, editor.text());
                    if let Err(err) = search::parse(&text) {
                        self.status = Some(format!("{err}"));
                        panel.editing = Some((target, editor));
                    } else {
                        self.set_query(text);
                        panel.facets = count_facets(self);
                    }
                }
                Action::Cancel => {}
                Action::Type(c) => {
                    editor.insert(c);
                    if target == EditTarget::Narrow {
                        panel.narrow = fold(editor.text());
                        panel.cursor = 0;
                    }
                    panel.editing = Some((target, editor));
                }
                edit => {
                    if editor.edit(edit) && target == EditTarget::Narrow {
                        panel.narrow = fold(editor.text());
                        panel.cursor = 0;
                    }
                    panel.editing = Some((target, editor));
                }
            }
            self.view = View::Filter(panel);
            return;
        }
        if self.update_filter_signatory(&panel, action) {
            return;
        }
        let count = panel.entry_count();
        let page = self.list_rows();
        match action {
            Action::Back => {
                self.view = View::List;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down => panel.cursor = (panel.cursor + 1).min(count.saturating_sub(1)),
            Action::Up => panel.cursor = panel.cursor.saturating_sub(1),
            Action::PageDown => panel.cursor = (panel.cursor + page).min(count.saturating_sub(1)),
            Action::PageUp => panel.cursor = panel.cursor.saturating_sub(page),
            Action::Top => panel.cursor = 0,
            Action::Bottom => panel.cursor = count.saturating_sub(1),
            Action::NextFacet | Action::PreviousFacet => {
                let facets = panel.facets.len();
                panel.facet = if action == Action::NextFacet {
                    (panel.facet + 1) % facets
                } else {
                    (panel.facet + facets - 1) % facets
                };
                panel.cursor = 0;
                panel.narrow.clear();
            }
            Action::Search => {
                let target = if panel.current().kind == FacetKind::Dates {
                    if panel.cursor == 0 {
                        EditTarget::After
                    } else {
                        EditTarget::Before
                    }
                } else {
                    EditTarget::Narrow
                };
                panel.editing = Some((target, LineEditor::default()));
            }
            Action::Toggle => {
                if panel.current().kind == FacetKind::Dates {
                    let [after, before] = FilterPanel::date_entries(&self.query_text);
                    let (target, _, current) = if panel.cursor == 0 { after } else { before };
                    panel.editing = Some((
                        target,
                        LineEditor::with_text(current.as_deref().unwrap_or_default()),
                    ));
                } else if let Some((value, _)) = panel.visible_values().get(panel.cursor) {
                    let value = value.clone();
                    let term = panel.current().kind.term(&value);
                    let text = toggle_term(&self.query_text, &term);
                    self.set_query(text);
                    panel.facets = count_facets(self);
                    // Counts reorder the values: keep the cursor on this one.
                    if let Some(at) = panel.visible_values().iter().position(|(v, _)| *v == value) {
                        panel.cursor = at;
                    }
                }
            }
            Action::ClearQuery => {
                self.set_query(String::new());
                panel.facets = count_facets(self);
            }
            _ => {}
        }
        self.view = View::Filter(panel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each facet counts the list's statements with each value, a value
    /// written in NFD in one statement and NFC in another once, and sets
    /// apart the archive's values the list has none of.
    #[test]
    fn facets_count_the_list_and_set_apart_the_rest() {
        let statement = |id: &str, kind: &str, organisation: &str, date: &str| -> Statement {
            serde_json::from_value(serde_json::json!({
                "id": id, "title": format!("Statement {id}"), "published": date,
                "kind": kind, "organisations": [organisation],
            }))
            .expect("statement")
        };
        let mut state = State::new(
            "facets".into(),
            vec![
                statement("a", "speech", "Caf\u{e9} Office", "2024-01-02"),
                statement("b", "speech", "Cafe\u{301} Office", "2023-05-06"),
                statement("c", "press release", "Other Office", "2023-07-08"),
            ],
            0,
        );
        let values = |state: &State, kind: FacetKind| {
            let panel = FilterPanel::new(state);
            let facet = panel
                .facets
                .into_iter()
                .find(|facet| facet.kind == kind)
                .expect("the facet");
            (facet.values, facet.absent)
        };
        let office = "Caf\u{e9} Office".to_owned();
        assert_eq!(
            values(&state, FacetKind::Organisation).0,
            [(office.clone(), 2), ("Other Office".to_owned(), 1)]
        );
        assert_eq!(
            values(&state, FacetKind::Year).0,
            [("2024".to_owned(), 1), ("2023".to_owned(), 2)]
        );
        assert_eq!(
            values(&state, FacetKind::Triage).0,
            [("unread".to_owned(), 3)]
        );
        state.set_query("kind:=speech".into());
        let (listed, absent) = values(&state, FacetKind::Kind);
        assert_eq!(listed, [("speech".to_owned(), 2)]);
        assert_eq!(absent, ["press release"]);
        assert_eq!(values(&state, FacetKind::Organisation).0, [(office, 2)]);
    }

    #[test]
    fn terms_quote_values_with_spaces() {
        assert_eq!(
            FacetKind::Kind.term("press release"),
            "kind:=\"press release\""
        );
        assert_eq!(FacetKind::Year.term("2024"), "year:2024");
        assert_eq!(FacetKind::Country.term("Japan"), "sig:=Japan");
    }

    #[test]
    fn toggling_adds_and_removes_whole_terms() {
        let term = "kind:\"press release\"";
        let added = toggle_term("japan", term);
        assert_eq!(added, "japan kind:\"press release\"");
        assert!(has_term(&added, term));
        assert_eq!(toggle_term(&added, term), "japan");
        assert_eq!(toggle_term("", "year:2024"), "year:2024");
        // A longer term that merely starts the same is not the term.
        assert!(!has_term("year:20245", "year:2024"));
    }

    #[test]
    fn replacing_a_date_keyword() {
        assert_eq!(
            replace_keyword("japan after:2020", "after", "2024-01"),
            "japan after:2024-01"
        );
        assert_eq!(replace_keyword("japan after:2020", "after", ""), "japan");
    }
}
