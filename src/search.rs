//! Search: the query language ([`query`]) and the fuzzy matcher over titles and
//! signatories. The only module that uses `fuzzy_matcher`.
//!
//! Signatories repeat across statements (the same "Minister of Foreign
//! Affairs, Japan" signs hundreds), so the index keeps each distinct label once
//! and a query scores every label once, not once per statement.

pub mod contacts;
pub mod query;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub use query::{Condition, Field, Filter, MarkTest, Query, QueryError, parse};

use crate::records::Statement;
use crate::store::Marks;

/// Lower case with accents removed, for case- and accent-insensitive matching.
#[must_use]
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The initials of an organisation's capitalised words: "Foreign,
/// Commonwealth & Development Office" → "fcdo", so `org:fcdo` finds it.
fn initials(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_uppercase())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Distinct strings stored once and referred to by number.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn intern(&mut self, text: String) -> u32 {
        if let Some(&id) = self.ids.get(&text) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(text.clone());
        self.ids.insert(text, id);
        id
    }
}

/// What the index keeps of one statement.
#[derive(Debug)]
struct Entry {
    title: String,
    folded_title: String,
    day: NaiveDate,
    /// Label ids, in the statement's signatory order.
    signatories: Vec<u32>,
    /// Folded value ids per field, in `Field` order (signatories excepted).
    values: Vec<(Field, u32)>,
}

/// Title scores of one fuzzy word over every entry (`None`: no match).
type TitleScores = Arc<Vec<Option<i64>>>;

/// How many words' title scores are kept between keystrokes.
const CACHED_WORDS: usize = 16;

/// Title scores of recent words, newest last. Typing extends a word one
/// character at a time, and a title the shorter word did not match cannot
/// match the longer one (matching is by subsequence), so only the titles a
/// cached prefix matched are scored again; words already typed are not
/// scored again at all.
#[derive(Debug, Default)]
struct WordCache {
    words: Vec<(String, TitleScores)>,
}

impl WordCache {
    fn get(&self, word: &str) -> Option<TitleScores> {
        self.words
            .iter()
            .find(|(cached, _)| cached == word)
            .map(|(_, scores)| Arc::clone(scores))
    }

    /// The scores of the longest cached word that `word` extends.
    fn prefix_of(&self, word: &str) -> Option<TitleScores> {
        self.words
            .iter()
            .filter(|(cached, _)| word.starts_with(cached.as_str()))
            .max_by_key(|(cached, _)| cached.len())
            .map(|(_, scores)| Arc::clone(scores))
    }

    fn insert(&mut self, word: &str, scores: TitleScores) {
        self.words.retain(|(cached, _)| cached != word);
        self.words.push((word.to_owned(), scores));
        if self.words.len() > CACHED_WORDS {
            self.words.remove(0);
        }
    }
}

/// A search index over an archive's statements, in archive order.
#[derive(Debug)]
pub struct Index {
    cache: Mutex<WordCache>,
    entries: Vec<Entry>,
    /// Distinct signatory labels as written.
    labels: Vec<String>,
    folded_labels: Vec<String>,
    /// Each label's parts (name, role, country, organisation), folded, for
    /// exact `sig:=` terms.
    label_parts: Vec<Vec<String>>,
    values: Vec<String>,
}

/// One statement that matched, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Position of the statement in the archive.
    pub index: usize,
    /// Fuzzy score, 0 when the query has no fuzzy words.
    pub score: i64,
    /// The signatory (position in the statement's list) a fuzzy word matched
    /// better than the title did.
    pub signatory: Option<usize>,
}

impl Index {
    #[must_use]
    pub fn new(statements: &[Statement]) -> Self {
        let mut labels = Interner::default();
        let mut label_parts: Vec<Vec<String>> = Vec::new();
        let mut values = Interner::default();
        let entries = statements
            .iter()
            .map(|statement| {
                let signatories = statement
                    .signatories
                    .iter()
                    .map(|signatory| {
                        let id = labels.intern(signatory.label().nfc().collect());
                        if id as usize == label_parts.len() {
                            label_parts.push(
                                [
                                    &signatory.name,
                                    &signatory.role,
                                    &signatory.country,
                                    &signatory.organisation,
                                ]
                                .into_iter()
                                .flatten()
                                .map(|part| fold(part))
                                .collect(),
                            );
                        }
                        id
                    })
                    .collect();
                let mut field_values = Vec::new();
                let mut add = |field: Field, text: &str| {
                    field_values.push((field, values.intern(fold(text))));
                };
                add(Field::Id, &statement.id);
                if let Some(kind) = &statement.kind {
                    add(Field::Kind, kind);
                }
                for organisation in &statement.organisations {
                    add(Field::Organisation, organisation);
                    add(Field::Organisation, &initials(organisation));
                }
                if let Some(government) = &statement.government {
                    add(Field::Government, government);
                }
                for location in &statement.locations {
                    add(Field::Location, location);
                }
                for topic in &statement.topics {
                    add(Field::Topic, topic);
                }
                for person in &statement.people {
                    add(Field::Person, person);
                }
                for contact in &statement.media_contacts {
                    let parts = [
                        &contact.email,
                        &contact.phone,
                        &contact.name,
                        &contact.organisation,
                    ];
                    for part in parts.into_iter().flatten() {
                        add(Field::Contact, part);
                    }
                }
                Entry {
                    // NFC, as the screen shows it and as queries are typed.
                    title: statement.title.nfc().collect(),
                    folded_title: fold(&statement.title),
                    day: statement.published.date(),
                    signatories,
                    values: field_values,
                }
            })
            .collect();
        let folded_labels = labels.strings.iter().map(|label| fold(label)).collect();
        Self {
            cache: Mutex::new(WordCache::default()),
            entries,
            labels: labels.strings,
            folded_labels,
            label_parts,
            values: values.strings,
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every statement the query matches: best score first when it has fuzzy
    /// words, otherwise in archive order. Triage terms see no marks.
    #[must_use]
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.search_with(query, &|_| None)
    }

    /// As [`Index::search`], with each statement's triage marks (by archive
    /// position) for terms such as `is:flagged`.
    #[must_use]
    pub fn search_with(&self, query: &Query, marks: &MarksOf<'_>) -> Vec<Hit> {
        let matcher = SkimMatcherV2::default().ignore_case();
        let label_scores: Vec<Vec<Option<i64>>> = query
            .fuzzy
            .iter()
            .map(|word| {
                self.labels
                    .iter()
                    .map(|label| matcher.fuzzy_match(label, word))
                    .collect()
            })
            .collect();
        let title_scores: Vec<TitleScores> = query
            .fuzzy
            .iter()
            .map(|word| self.title_scores(&matcher, word))
            .collect();
        let mut hits: Vec<Hit> = self
            .entries
            .par_iter()
            .enumerate()
            .filter(|(index, entry)| {
                query
                    .filters
                    .iter()
                    .all(|f| self.passes(entry, f, marks(*index)))
            })
            .filter_map(|(index, entry)| {
                let mut score = 0;
                let mut signatory = None;
                for (scores, titles) in label_scores.iter().zip(&title_scores) {
                    let title_score = titles[index];
                    let best_signatory = entry
                        .signatories
                        .iter()
                        .enumerate()
                        .filter_map(|(position, &label)| {
                            scores[label as usize].map(|score| (score, position))
                        })
                        .max_by_key(|&(score, position)| (score, std::cmp::Reverse(position)));
                    match (title_score, best_signatory) {
                        (Some(title), Some((sig, position))) if sig > title => {
                            score += sig;
                            signatory.get_or_insert(position);
                        }
                        (Some(title), _) => score += title,
                        (None, Some((sig, position))) => {
                            score += sig;
                            signatory.get_or_insert(position);
                        }
                        (None, None) => return None,
                    }
                }
                Some(Hit {
                    index,
                    score,
                    signatory,
                })
            })
            .collect();
        if query.has_fuzzy() {
            hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        }
        hits
    }

    /// Every title's score for one word, from the cache when it can be.
    fn title_scores(&self, matcher: &SkimMatcherV2, word: &str) -> TitleScores {
        let (cached, prefix) = {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            (cache.get(word), cache.prefix_of(word))
        };
        if let Some(scores) = cached {
            return scores;
        }
        let scores: TitleScores = Arc::new(
            self.entries
                .par_iter()
                .enumerate()
                .map(|(index, entry)| match &prefix {
                    Some(prefix) if prefix[index].is_none() => None,
                    _ => matcher.fuzzy_match(&entry.title, word),
                })
                .collect(),
        );
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(word, Arc::clone(&scores));
        scores
    }

    fn passes(&self, entry: &Entry, filter: &Filter, marks: Option<&Marks>) -> bool {
        let matched = match &filter.condition {
            Condition::Field(Field::Signatory, value) => entry
                .signatories
                .iter()
                .any(|&label| self.folded_labels[label as usize].contains(value.as_str())),
            Condition::Field(field, value) => entry
                .values
                .iter()
                .any(|(f, id)| f == field && self.values[*id as usize].contains(value.as_str())),
            Condition::FieldIs(Field::Signatory, value) => entry.signatories.iter().any(|&label| {
                self.label_parts[label as usize]
                    .iter()
                    .any(|part| part == value)
            }),
            Condition::FieldIs(field, value) => entry
                .values
                .iter()
                .any(|(f, id)| f == field && self.values[*id as usize] == *value),
            Condition::Exact(text) => {
                entry.folded_title.contains(text.as_str())
                    || entry
                        .signatories
                        .iter()
                        .any(|&label| self.folded_labels[label as usize].contains(text.as_str()))
            }
            Condition::Published(range) => range.contains(entry.day),
            Condition::Mark(test) => mark_matches(test, marks),
        };
        matched != filter.negated
    }
}

/// Looks up a statement's marks by its position in the archive.
pub type MarksOf<'a> = dyn Fn(usize) -> Option<&'a Marks> + Sync + 'a;

fn mark_matches(test: &MarkTest, marks: Option<&Marks>) -> bool {
    let default = Marks::default();
    let marks = marks.unwrap_or(&default);
    match test {
        MarkTest::Read => marks.read.is_some(),
        MarkTest::Flagged => marks.flagged.is_some(),
        MarkTest::Status(wanted) => marks.status.as_str().contains(wanted.as_str()),
        MarkTest::Tag(tag) => marks.tags.keys().any(|have| fold(have) == *tag),
        MarkTest::HasNote => marks.note.is_some(),
        MarkTest::HasTags => !marks.tags.is_empty(),
        MarkTest::By(who) => {
            let stamps = marks
                .read
                .iter()
                .chain(&marks.flagged)
                .chain(&marks.status_set)
                .chain(marks.tags.values())
                .chain(marks.note.iter().map(|(_, stamp)| stamp));
            stamps
                .into_iter()
                .any(|stamp| fold(&stamp.by).contains(who.as_str()))
        }
    }
}

/// Character positions in `title` that the query's fuzzy words matched, for
/// highlighting. Computed for visible rows only.
#[must_use]
pub fn title_positions(query: &Query, title: &str) -> Vec<usize> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut positions: Vec<usize> = query
        .fuzzy
        .iter()
        .filter_map(|word| matcher.fuzzy_indices(title, word))
        .flat_map(|(_, indices)| indices)
        .collect();
    positions.sort_unstable();
    positions.dedup();
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: &str, title: &str, date: &str, countries: &[&str]) -> Statement {
        let signatories: Vec<serde_json::Value> = countries
            .iter()
            .map(|country| serde_json::json!({"role": "Minister of Foreign Affairs", "country": country}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "published": date, "signatories": signatories,
            "organisations": ["Foreign, Commonwealth & Development Office"],
            "kind": "press release",
        }))
        .expect("statement")
    }

    fn archive() -> Vec<Statement> {
        vec![
            statement(
                "a",
                "Joint statement on missile transfers",
                "2024-01-12",
                &["Japan", "Republic of Korea"],
            ),
            statement("b", "Japan trade envoy visits Tokyo", "2023-06-01", &[]),
            statement("c", "Sanctions on Russia", "2022-03-01", &["France"]),
        ]
    }

    fn ids(statements: &[Statement], hits: &[Hit]) -> Vec<String> {
        hits.iter()
            .map(|hit| statements[hit.index].id.clone())
            .collect()
    }

    #[test]
    fn fold_removes_case_and_accents() {
        assert_eq!(fold("Côte d’Ivoire ÉTÉ"), "cote d’ivoire ete");
    }

    #[test]
    fn initials_of_organisations() {
        assert_eq!(
            initials("Foreign, Commonwealth & Development Office"),
            "fcdo"
        );
        assert_eq!(initials("Public Health England"), "phe");
    }

    #[test]
    fn fuzzy_finds_titles_and_signatories() {
        let statements = archive();
        let index = Index::new(&statements);
        let hits = index.search(&parse("japan").expect("parse"));
        assert_eq!(ids(&statements, &hits).len(), 2);
        let by_signatory = hits
            .iter()
            .find(|hit| statements[hit.index].id == "a")
            .expect("a");
        assert_eq!(by_signatory.signatory, Some(0));
        let by_title = hits
            .iter()
            .find(|hit| statements[hit.index].id == "b")
            .expect("b");
        assert_eq!(by_title.signatory, None);
    }

    #[test]
    fn every_fuzzy_word_must_match() {
        let statements = archive();
        let index = Index::new(&statements);
        let hits = index.search(&parse("korea missile").expect("parse"));
        assert_eq!(ids(&statements, &hits), ["a"]);
        assert!(
            index
                .search(&parse("korea zzzz").expect("parse"))
                .is_empty()
        );
    }

    #[test]
    fn filters_apply() {
        let statements = archive();
        let index = Index::new(&statements);
        let cases = [
            ("sig:korea", vec!["a"]),
            ("-sig:korea", vec!["b", "c"]),
            ("org:fcdo", vec!["a", "b", "c"]),
            ("year:2023", vec!["b"]),
            ("after:2023-01 before:2024", vec!["b"]),
            ("'envoy", vec!["b"]),
            ("!japan", vec!["c"]),
            ("kind:press", vec!["a", "b", "c"]),
            ("kind:speech", vec![]),
        ];
        for (input, expected) in cases {
            let hits = index.search(&parse(input).expect(input));
            assert_eq!(ids(&statements, &hits), expected, "{input}");
        }
    }

    /// Typing on one index (cached and narrowed) ranks exactly as a fresh
    /// index does for every prefix, forwards and with backspaces.
    #[test]
    fn cached_and_fresh_searches_agree() {
        let words = [
            "foreign", "affairs", "japan", "korea", "trade", "missile", "joint", "envoy",
        ];
        let countries = ["Japan", "Republic of Korea", "France", "Ukraine", "Peru"];
        let statements: Vec<Statement> = (0..400_usize)
            .map(|n| {
                let title: Vec<&str> = (0..5)
                    .map(|k| words[(n * 7 + k * 3 + n / 5) % words.len()])
                    .collect();
                let signed: Vec<&str> = (0..n % 4)
                    .map(|k| countries[(n + k) % countries.len()])
                    .collect();
                statement(&format!("s{n}"), &title.join(" "), "2024-01-01", &signed)
            })
            .collect();
        let typed = "foreign affairs japan";
        let mut prefixes: Vec<&str> = (1..=typed.len()).map(|end| &typed[..end]).collect();
        prefixes.extend((1..typed.len()).rev().map(|end| &typed[..end]));
        let warm = Index::new(&statements);
        for prefix in prefixes {
            let query = parse(prefix).expect("parse");
            let fresh = Index::new(&statements).search(&query);
            assert_eq!(warm.search(&query), fresh, "{prefix:?}");
        }
    }

    #[test]
    fn no_query_keeps_archive_order() {
        let statements = archive();
        let index = Index::new(&statements);
        let hits = index.search(&Query::default());
        assert_eq!(ids(&statements, &hits), ["a", "b", "c"]);
    }

    #[test]
    fn positions_highlight_title_characters() {
        let query = parse("jap").expect("parse");
        assert_eq!(title_positions(&query, "Japan trade"), [0, 1, 2]);
        assert!(title_positions(&query, "Sanctions").is_empty());
    }
}
