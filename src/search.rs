//! Search: the query language ([`query`]) and the fuzzy matcher over titles and
//! signatories. The only module that uses `fuzzy_matcher` (`score`).
//!
//! Signatories repeat across statements (the same "Minister of Foreign
//! Affairs, Japan" signs hundreds), and so do titles, so the index keeps each
//! distinct label and title once and a word scores each of them once, not once
//! per statement.
//!
//! Typing only narrows: the statements matching the fuzzy words `[w1..wi]`
//! are kept (`PartialCache`), so the next key scores only what the words
//! before it matched, and of those only the titles and labels a shorter form
//! of the last word matched (matching is by subsequence, so whatever "japa"
//! matches, "jap" matched too). Backspacing finds its results kept. Kept
//! results outlive statements being added (an archive streaming in) and
//! catch up with only the new ones; two or more new words at once are
//! matched rarest first.
//!
//! Every score is the one a fresh `SkimMatcherV2` gives (see `Scorer`), and
//! a text is scored only over the part its word can match
//! (`Needle::window`), a long one only over the stretches of that where its
//! best match can lie (`span`), so results are the same on every path and
//! thread.

mod chunks;
pub mod contacts;
mod kept;
pub mod query;
mod span;
pub mod text;

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub use chunks::Chunks;
pub use kept::{KeptIndex, signed};
pub use query::{Condition, Field, Filter, MarkTest, Query, QueryError, parse};
pub use text::{FullText, Snippet, TextTerm};

use crate::records::Statement;
use crate::store::Marks;

/// Lower case with accents removed, for case- and accent-insensitive matching.
#[must_use]
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The text as the screen shows it (`sanitize::clean_line`: NFC, invisible
/// characters removed), so search finds what is seen: a title with a word
/// joiner inside "COVID-19" is found by `'covid-19`. Queries are cleaned the
/// same way ([`query::parse`]).
fn shown(text: &str) -> String {
    crate::sanitize::clean_line(text).into_owned()
}

/// [`shown`], folded ([`fold`]): how field values are compared, and how
/// find-in-text compares a statement's lines with what is typed.
#[must_use]
pub fn fold_shown(text: &str) -> String {
    fold(&crate::sanitize::clean_line(text))
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

/// The one fuzzy scorer, made fresh for each text it scores.
///
/// fuzzy-matcher 0.3.7's `SkimMatcherV2` reuses its score matrix between
/// calls without clearing it and, after a match, reads one cell's bonus
/// before writing it, so a matcher that has scored other texts can score the
/// same text and word differently (and `use_cache(false)`, meant to avoid
/// this, panics). A fresh matcher allocates its few small buffers anew and
/// scores every text by its text and word alone, whatever thread or order
/// (`tests::windows_score_as_whole_texts` found this).
pub(crate) fn score(text: &str, word: &str) -> Option<i64> {
    matcher().fuzzy_match(text, word)
}

/// The matcher as every search uses it: case ignored.
fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

/// A matcher reused for many texts, where that gives the score a fresh one
/// would ([`score`]), which saves its allocations: each parallel task has
/// its own.
///
/// A reused matcher reads stale cells only in these places, so elsewhere it
/// scores as a fresh one: in its pass over the word's first letter, where two
/// letters in a row both match it; and at the start of its pass over the
/// word's third, fifth… letter, where the letter before that one's first
/// place matches the first letter (that cell is left as the earlier call left
/// it). For those texts, and for words with other than ASCII letters, a fresh
/// matcher scores. (Reasoned from fuzzy-matcher 0.3.7's code; checked
/// against fresh matchers by `tests::reused_scorer_scores_as_fresh_matchers`.)
struct Scorer(SkimMatcherV2);

impl Scorer {
    fn new() -> Self {
        Self(matcher())
    }

    fn score(&self, text: &str, word: &str) -> Option<i64> {
        if reuse_scores_as_fresh(text, word) {
            self.0.fuzzy_match(text, word)
        } else {
            score(text, word)
        }
    }
}

/// Whether a reused matcher scores `word` in `text` as a fresh one would:
/// see [`Scorer`].
fn reuse_scores_as_fresh(text: &str, word: &str) -> bool {
    let (word, text) = (word.as_bytes(), text.as_bytes());
    let Some(&first) = word.first() else {
        return true;
    };
    if !word.is_ascii() {
        return false;
    }
    let same = |byte: u8, letter: u8| byte.eq_ignore_ascii_case(&letter);
    if text
        .windows(2)
        .any(|pair| same(pair[0], first) && same(pair[1], first))
    {
        return false;
    }
    // Each letter's first place after the one before (ASCII letters are
    // whole characters in UTF-8, so bytes are as good as characters).
    let mut from = 0;
    for (at, &letter) in word.iter().enumerate() {
        let Some(found) = text
            .get(from..)
            .and_then(|rest| rest.iter().position(|&byte| same(byte, letter)))
        else {
            // No match at all: the matcher stops before scoring.
            return true;
        };
        let place = from + found;
        if at >= 2 && at % 2 == 0 && place > 0 && same(text[place - 1], first) {
            return false;
        }
        from = place + 1;
    }
    true
}

/// The score and the matched character positions of `word` in `text`, from
/// a fresh matcher as [`score`].
pub(crate) fn score_positions(text: &str, word: &str) -> Option<(i64, Vec<usize>)> {
    matcher().fuzzy_indices(text, word)
}

/// Items a parallel task takes at least, so a task's matcher serves many.
const MIN_TASK: usize = 256;

/// Distinct strings stored once and referred to by number, one after
/// another in one block of memory: a search reads every title in order, and
/// titles allocated one by one while an archive loads would be scattered over
/// it (a cache miss each).
#[derive(Debug, Default)]
struct Interner {
    /// Seeded per process, so crafted text cannot make the table slow.
    hasher: foldhash::fast::RandomState,
    /// Ids, found by their text's hash.
    ids: hashbrown::HashTable<u32>,
    strings: Strings,
}

/// String `id` of a block of strings that end at `ends`.
fn nth<'a>(all: &'a str, ends: &[usize], id: u32) -> &'a str {
    let id = id as usize;
    let start = id.checked_sub(1).map_or(0, |before| ends[before]);
    &all[start..ends[id]]
}

impl Interner {
    /// The text's number, and whether the text is new.
    fn intern(&mut self, text: &str) -> (u32, bool) {
        let Self {
            hasher,
            ids,
            strings,
        } = self;
        if ids.len() < strings.len() {
            // Restored from the cache folder: the table is made when first
            // needed, as most restored indexes only answer searches.
            ids.clear();
            for id in 0..u32::try_from(strings.len()).unwrap_or(u32::MAX) {
                let hash = hasher.hash_one(strings.get(id));
                ids.insert_unique(hash, id, |&id| hasher.hash_one(strings.get(id)));
            }
        }
        let hash = hasher.hash_one(text);
        if let Some(&id) = ids.find(hash, |&id| strings.get(id) == text) {
            return (id, false);
        }
        let id = u32::try_from(strings.len()).unwrap_or(u32::MAX);
        strings.push(text);
        ids.insert_unique(hash, id, |&id| hasher.hash_one(strings.get(id)));
        (id, true)
    }

    fn get(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    fn len(&self) -> usize {
        self.strings.len()
    }
}

/// Strings one after another in one block, by number (an [`Interner`]
/// keeps its own so, and finds them by their text too).
#[derive(Debug, Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    fn get(&self, id: u32) -> &str {
        nth(&self.text, &self.ends, id)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// What the index keeps of one statement.
#[derive(Debug)]
struct Entry {
    /// Title id (cleaned as the screen shows it, as queries are: [`shown`]).
    title: u32,
    day: NaiveDate,
    /// Where the statement's label ids, in its signatory order, are in
    /// [`Index::signatory_labels`].
    signatories: std::ops::Range<u32>,
    /// Where the statement's other names' ids (organisations, people,
    /// contacts: see [`others_of`]) are in [`Index::other_names`].
    others: std::ops::Range<u32>,
    /// Where the statement's folded value ids per field (signatories
    /// excepted) are in [`Index::entry_values`].
    values: std::ops::Range<u32>,
}

/// A statement matching some fuzzy words: its position, its score summed
/// over them, and the signatory position the first word won by a signatory
/// was won by ([`NO_SIGNATORY`] when none).
#[derive(Debug, Clone, Copy)]
struct Row {
    entry: u32,
    signatory: u32,
    score: i64,
    /// Which word (its place in the query) `signatory` was won by: words
    /// need not be matched in the query's order.
    word: u32,
    /// How many words matched neither the title nor a signatory, only an
    /// organisation or a person: such a statement ranks below those
    /// matched by fewer such words.
    by_others: u32,
}

const NO_SIGNATORY: u32 = u32::MAX;

impl Row {
    /// A statement before any word is matched.
    fn fresh(entry: u32) -> Self {
        Self {
            entry,
            signatory: NO_SIGNATORY,
            score: 0,
            word: u32::MAX,
            by_others: 0,
        }
    }

    /// The hit, weak when its score is below `strong` ([`strong_score`]).
    fn hit(self, strong: i64) -> Hit {
        Hit {
            index: self.entry as usize,
            score: self.score,
            signatory: (self.signatory != NO_SIGNATORY).then_some(self.signatory as usize),
            by_others: self.by_others,
            weak: self.score < strong,
        }
    }
}

/// One bit per title or label id.
#[derive(Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    /// Set where there is a score.
    fn scored(scores: &[Option<i64>]) -> Self {
        let mut words = vec![0_u64; scores.len().div_ceil(64)];
        for (id, score) in scores.iter().enumerate() {
            if score.is_some() {
                words[id / 64] |= 1 << (id % 64);
            }
        }
        Self(words)
    }

    /// Set where either is.
    fn union(&self, other: &Self) -> Self {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut words = long.0.clone();
        for (word, more) in words.iter_mut().zip(&short.0) {
            *word |= more;
        }
        Self(words)
    }

    fn get(&self, id: u32) -> bool {
        let id = id as usize;
        self.0
            .get(id / 64)
            .is_some_and(|word| word >> (id % 64) & 1 == 1)
    }
}

/// The statements matching every word of a fuzzy word sequence, in archive
/// order, and which titles and labels its last word matched. Of titles, the
/// bits are exact for those of the statements the last word was tried on,
/// which is all that a longer last word will try.
///
/// `covered` is how many statements the index held when it was worked out:
/// statements added since (an archive loading) are matched on their own
/// and added to it when it is next used ([`Index::catch_up`]).
#[derive(Debug)]
struct Partial {
    rows: Vec<Row>,
    titles: Bits,
    labels: Bits,
    others: Bits,
    covered: usize,
}

/// How many word sequences' results are kept between keystrokes, and how many
/// rows in all (24 bytes each, so at most 192 MiB): at a million statements a
/// short word matches nearly all of them, and eight such sequences kept mean
/// backspacing over a word finds each shorter one kept instead of matching a
/// million statements again (a third of a second each).
const CACHED_SEQUENCES: usize = 32;
const CACHED_ROWS: usize = 8 << 20;

/// Results of recent fuzzy word sequences, least recently used first.
#[derive(Debug, Default)]
struct PartialCache {
    recent: Vec<(Vec<String>, Arc<Partial>)>,
}

impl PartialCache {
    /// The results for exactly these words, now the most recently used.
    fn get(&mut self, words: &[String]) -> Option<Arc<Partial>> {
        let at = self.recent.iter().position(|(key, _)| key == words)?;
        let item = self.recent.remove(at);
        let partial = Arc::clone(&item.1);
        self.recent.push(item);
        Some(partial)
    }

    /// The results for the same words but a shorter form of the last one
    /// (the longest kept), which hold every statement these words can match.
    fn shorter(&self, words: &[String]) -> Option<Arc<Partial>> {
        let (last, before) = words.split_last()?;
        self.recent
            .iter()
            .filter_map(|(key, partial)| {
                let (key_last, key_before) = key.split_last()?;
                (key_before == before
                    && key_last.len() < last.len()
                    && last.starts_with(key_last.as_str()))
                .then_some((key_last.len(), partial))
            })
            .max_by_key(|(length, _)| *length)
            .map(|(_, partial)| Arc::clone(partial))
    }

    fn insert(&mut self, words: Vec<String>, partial: Arc<Partial>) {
        self.recent.retain(|(key, _)| *key != words);
        self.recent.push((words, partial));
        let mut rows: usize = self.recent.iter().map(|(_, kept)| kept.rows.len()).sum();
        while self.recent.len() > 1 && (self.recent.len() > CACHED_SEQUENCES || rows > CACHED_ROWS)
        {
            let (_, oldest) = self.recent.remove(0);
            rows -= oldest.rows.len();
        }
    }
}

/// A word's bytes with ASCII folded to lower case, for a test the matcher's
/// own implies: it matches a text only if its characters appear in order,
/// ASCII letters in either case and every other character exactly, so the
/// text's bytes contain the word's bytes in order. Most texts that cannot
/// match are dismissed here without decoding them.
struct Needle(Vec<u8>);

/// Where an ASCII byte (a letter in either case) is in `text`.
fn find_ascii(byte: u8, text: &[u8]) -> Option<usize> {
    if byte.is_ascii_lowercase() {
        memchr::memchr2(byte, byte.to_ascii_uppercase(), text)
    } else {
        memchr::memchr(byte, text)
    }
}

/// Where an ASCII byte (a letter in either case) is last in `text`.
fn find_ascii_last(byte: u8, text: &[u8]) -> Option<usize> {
    if byte.is_ascii_lowercase() {
        memchr::memrchr2(byte, byte.to_ascii_uppercase(), text)
    } else {
        memchr::memrchr(byte, text)
    }
}

impl Needle {
    fn new(word: &str) -> Self {
        Self(word.bytes().map(|byte| byte.to_ascii_lowercase()).collect())
    }

    #[cfg(test)]
    fn may_match(&self, text: &str) -> bool {
        self.window(text).is_some()
    }

    /// The part of `text` the matcher needs to score the word exactly as
    /// over the whole text (`None`: the word cannot match). The matcher's
    /// work and setup grow with the text's length, and most of a title lies
    /// before the first place the word's first letter is or after the last
    /// place its last letter is. Such a stretch changes no score: the
    /// matcher scores a match only by the letters matched and the character
    /// just before each (kept here), and no gap is counted before the first
    /// letter or after the last. `tests::windows_score_as_whole_texts`
    /// checks this against the matcher.
    fn window<'t>(&self, text: &'t str) -> Option<&'t str> {
        let bytes = text.as_bytes();
        let (mut rest, mut first) = (bytes, None);
        for &byte in &self.0 {
            let found = if byte.is_ascii() {
                find_ascii(byte, rest)
            } else {
                memchr::memchr(byte, rest)
            }?;
            first.get_or_insert(bytes.len() - rest.len() + found);
            rest = &rest[found + 1..];
        }
        let (Some(&head), Some(&tail), Some(first)) = (self.0.first(), self.0.last(), first) else {
            return Some(text);
        };
        let start = if head.is_ascii() {
            // From the character before the first letter's first place.
            text[..first]
                .char_indices()
                .next_back()
                .map_or(0, |(at, _)| at)
        } else {
            0
        };
        let end = if tail.is_ascii() {
            // The last letter's last place is at or after where the scan
            // above found it, so after `start`.
            find_ascii_last(tail, bytes).map_or(bytes.len(), |at| at + 1)
        } else {
            bytes.len()
        };
        text.get(start..end)
    }
}

/// Each text's score for `word` (`None`: no match, or not `wanted`), on all
/// of rayon's threads.
fn score_each(
    texts: &Interner,
    word: &str,
    wanted: &(dyn Fn(u32) -> bool + Sync),
) -> Vec<Option<i64>> {
    let needle = Needle::new(word);
    let prepared = span::Word::new(word);
    let count = u32::try_from(texts.len()).unwrap_or(u32::MAX);
    (0..count)
        .into_par_iter()
        .with_min_len(MIN_TASK)
        .map_init(Scorer::new, |scorer, id| {
            if !wanted(id) {
                return None;
            }
            needle
                .window(texts.get(id))
                .and_then(|window| span::score(scorer, &needle, &prepared, window))
        })
        .collect()
}

/// A search index over an archive's statements, in archive order.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// Every statement's signatory label ids, one after another in archive
    /// order, so a search walking the statements walks this in order too.
    signatory_labels: Vec<u32>,
    titles: Interner,
    /// Each title folded, by title id.
    folded_titles: Strings,
    /// Distinct signatory labels as written (NFC).
    labels: Interner,
    /// Each label folded, by label id.
    folded_labels: Strings,
    /// Each label's parts (name, role, country, organisation), folded, for
    /// exact `sig:=` terms.
    label_parts: Vec<Vec<String>>,
    /// Every statement's other name ids ([`others_of`]), one after another
    /// in archive order, as `signatory_labels`.
    other_names: Vec<u32>,
    /// Distinct other names (organisations, their initials, people,
    /// contacts' names), as shown.
    others: Interner,
    /// Label ids by signatory: a loaded archive shares one `Signatory` among
    /// all the statements it signs, so its label is made and looked up once.
    label_of: HashMap<SameSignatory, u32, foldhash::fast::RandomState>,
    values: Interner,
    /// Every statement's field values ([`Entry::values`]), one after
    /// another in archive order.
    entry_values: Vec<(Field, u32)>,
    /// Archive positions of the withdrawn statements, ascending: few, so
    /// `is:withdrawn` costs a binary search and entries stay small.
    withdrawn: Vec<u32>,
    cache: Mutex<PartialCache>,
}

/// A signatory known by its address (kept alive here, so the address is
/// never another's).
#[derive(Debug)]
struct SameSignatory(Arc<crate::records::Signatory>);

impl PartialEq for SameSignatory {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SameSignatory {}

impl std::hash::Hash for SameSignatory {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.0), state);
    }
}

/// Statements indexed at a time by [`Index::extend`]: their prepared text is
/// dropped before the next lot is made, so building the index never holds
/// the whole archive's twice.
const EXTEND_AT_ONCE: usize = 8_192;

/// Statements made ready for [`Index::append`] by [`Index::prepare`].
#[derive(Debug, Default)]
pub struct Prepared(Vec<PreparedEntry>);

#[derive(Debug)]
struct PreparedEntry {
    /// As the screen shows it ([`shown`]).
    title: String,
    folded_title: String,
    day: NaiveDate,
    /// The signatories (their labels are made when the index meets one
    /// the first time).
    signatories: Vec<Arc<crate::records::Signatory>>,
    /// The statement's other names, as shown ([`others_of`]).
    others: Vec<String>,
    /// Folded field values (signatories excepted).
    values: Vec<(Field, String)>,
    withdrawn: bool,
}

/// The names besides its title and signatories that a bare word finds a
/// statement by, ranked below those: its organisations (and their
/// initials, so `fcdo` is a whole match), the people it names (speakers,
/// ministers) and its media contacts' names. Each once, as shown.
fn others_of(statement: &Statement) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |text: &str| {
        let text = shown(text.trim());
        if !text.is_empty() && !names.contains(&text) {
            names.push(text);
        }
    };
    for organisation in &statement.organisations {
        add(organisation);
        let short = initials(organisation);
        if short.chars().count() >= 2 {
            add(&short);
        }
    }
    for person in &statement.people {
        add(person);
    }
    for contact in &statement.media_contacts {
        for name in [&contact.name, &contact.organisation].into_iter().flatten() {
            add(name);
        }
    }
    names
}

fn prepare_entry(statement: &Statement) -> PreparedEntry {
    let signatories = statement.signatories.clone();
    let mut values = Vec::new();
    let mut add = |field: Field, text: &str| values.push((field, fold_shown(text)));
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
    let title = shown(&statement.title);
    // Folding ignores composition, so the NFC title folds as the raw one.
    let folded_title = fold(&title);
    PreparedEntry {
        title,
        folded_title,
        day: statement.filter_date(),
        signatories,
        others: others_of(statement),
        values,
        withdrawn: statement.withdrawn.is_some(),
    }
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
    /// How many fuzzy words matched neither the title nor a signatory, only
    /// an organisation or a person: the relevance order puts statements
    /// with fewer first, then the best score ([`Hit::rank`]).
    pub by_others: u32,
    /// The match is weak: its score is below what its words would score
    /// with every letter matched and no bonus or gap ([`strong_score`]), so
    /// the letters were found scattered (`borrell` in an archive without
    /// him), not together.
    pub weak: bool,
}

impl Hit {
    /// A hit of a query without fuzzy words (nothing to be weak at).
    #[must_use]
    pub fn plain(index: usize) -> Self {
        Self {
            index,
            score: 0,
            signatory: None,
            by_others: 0,
            weak: false,
        }
    }

    /// The relevance order's key, best first: strong before weak, then
    /// fewer words matched only by an organisation or a person, then a
    /// higher score.
    #[must_use]
    pub fn rank(&self) -> (bool, u32, Reverse<i64>) {
        (self.weak, self.by_others, Reverse(self.score))
    }
}

/// What SkimMatcherV2 scores one matched character with no bonus and no
/// gap: a word's letters found together, at word starts, score more than
/// this each; letters scattered through a text score less, each gap
/// costing.
const SCORE_PER_CHARACTER: i64 = 16;

/// The least score of a strong (not weak) match of `query`'s fuzzy words:
/// [`SCORE_PER_CHARACTER`] for each of their characters. "japan" in "Japan
/// trade envoy" scores 109 of 80; "fcdo" against the initials "fcdo" 99 of
/// 64; "borrell" scattered through "Joint statement on the reopening of the
/// Embassy of the Republic of Korea in Tripoli" 83 of 112: weak.
#[must_use]
pub fn strong_score(query: &Query) -> i64 {
    strong_score_of(query.fuzzy.iter())
}

fn strong_score_of<S: AsRef<str>>(words: impl Iterator<Item = S>) -> i64 {
    let characters: usize = words.map(|word| word.as_ref().chars().count()).sum();
    i64::try_from(characters).map_or(i64::MAX, |count| count.saturating_mul(SCORE_PER_CHARACTER))
}

impl Index {
    #[must_use]
    pub fn new(statements: &[Statement]) -> Self {
        let mut index = Self::default();
        index.extend(statements);
        index
    }

    /// Adds statements after those already indexed (as a streaming load
    /// delivers them). Kept results catch up with them when next used.
    pub fn extend(&mut self, statements: &[Statement]) {
        for lot in statements.chunks(EXTEND_AT_ONCE) {
            self.append(Self::prepare(lot));
        }
    }

    /// The costly part of [`Index::extend`] (normalising and folding text),
    /// done on all cores and without the index, so a loader can do it
    /// while searches still read the index.
    #[must_use]
    pub fn prepare(statements: &[Statement]) -> Prepared {
        Prepared(
            statements
                .par_iter()
                .with_min_len(MIN_TASK)
                .map(prepare_entry)
                .collect(),
        )
    }

    /// Adds prepared statements after those already indexed.
    pub fn append(&mut self, prepared: Prepared) {
        self.entries.reserve(prepared.0.len());
        for entry in prepared.0 {
            if entry.withdrawn {
                let at = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
                self.withdrawn.push(at);
            }
            let entry = self.entry(entry);
            self.entries.push(entry);
        }
        // Kept results stay: they cover the statements before these, and
        // catch up when next used.
    }

    /// The kept results (still usable after a search panicked holding them,
    /// as before).
    fn kept(&self) -> std::sync::MutexGuard<'_, PartialCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets kept results, so the next search starts cold (for benchmarks).
    pub fn clear_cache(&self) {
        self.kept().recent.clear();
    }

    fn entry(&mut self, prepared: PreparedEntry) -> Entry {
        let PreparedEntry {
            title,
            folded_title,
            day,
            signatories,
            others,
            values,
            withdrawn: _,
        } = prepared;
        let start = u32::try_from(self.signatory_labels.len()).unwrap_or(u32::MAX);
        for signatory in signatories {
            let signatory = SameSignatory(signatory);
            if let Some(&id) = self.label_of.get(&signatory) {
                self.signatory_labels.push(id);
                continue;
            }
            let (id, new) = self.labels.intern(&shown(&signatory.0.label()));
            if new {
                self.folded_labels.push(&fold(self.labels.get(id)));
                self.label_parts.push(
                    [
                        &signatory.0.name,
                        &signatory.0.role,
                        &signatory.0.country,
                        &signatory.0.organisation,
                    ]
                    .into_iter()
                    .flatten()
                    .map(|part| fold_shown(part))
                    .collect(),
                );
            }
            self.label_of.insert(signatory, id);
            self.signatory_labels.push(id);
        }
        let end = u32::try_from(self.signatory_labels.len()).unwrap_or(u32::MAX);
        let others_start = u32::try_from(self.other_names.len()).unwrap_or(u32::MAX);
        for name in others {
            let (id, _) = self.others.intern(&name);
            self.other_names.push(id);
        }
        let others_end = u32::try_from(self.other_names.len()).unwrap_or(u32::MAX);
        let values_start = u32::try_from(self.entry_values.len()).unwrap_or(u32::MAX);
        for (field, text) in values {
            let id = self.values.intern(&text).0;
            self.entry_values.push((field, id));
        }
        let values_end = u32::try_from(self.entry_values.len()).unwrap_or(u32::MAX);
        let (title, new) = self.titles.intern(&title);
        if new {
            self.folded_titles.push(&folded_title);
        }
        Entry {
            title,
            day,
            signatories: start..end,
            others: others_start..others_end,
            values: values_start..values_end,
        }
    }

    /// A statement's other name ids ([`others_of`]).
    fn others_of(&self, entry: &Entry) -> &[u32] {
        let std::ops::Range { start, end } = entry.others;
        self.other_names
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// A statement's field values.
    fn values_of(&self, entry: &Entry) -> &[(Field, u32)] {
        let std::ops::Range { start, end } = entry.values;
        self.entry_values
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// A statement's signatory label ids, in its signatory order.
    fn labels_of(&self, entry: &Entry) -> &[u32] {
        let std::ops::Range { start, end } = entry.signatories;
        self.signatory_labels
            .get(start as usize..end as usize)
            .unwrap_or_default()
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
        self.search_ordered(query, marks, None)
    }

    /// As [`Index::search_with`], with equal scores (and every hit when the
    /// query has no fuzzy words) in the order of `rank`, each statement's
    /// place by archive position: one parallel sort instead of two.
    #[must_use]
    pub fn search_ranked(&self, query: &Query, marks: &MarksOf<'_>, rank: &[u32]) -> Vec<Hit> {
        self.search_ordered(query, marks, Some(rank))
    }

    fn search_ordered(&self, query: &Query, marks: &MarksOf<'_>, rank: Option<&[u32]>) -> Vec<Hit> {
        search_parts(&[(0, self)], query, marks, rank)
    }

    /// Whether the statement at `at` (its position here; `start` more in
    /// the archive) passes every filter of `query`.
    fn passes_all(&self, start: u32, at: u32, query: &Query, marks: &MarksOf<'_>) -> bool {
        query
            .filters
            .iter()
            .all(|filter| self.passes(at, filter, marks(start.saturating_add(at) as usize)))
    }

    /// The statements here passing `query`'s filters (it has no fuzzy
    /// words), by archive position (`start` is this part's first).
    fn plain_hits(&self, start: u32, query: &Query, marks: &MarksOf<'_>) -> Vec<Hit> {
        let count = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        (0..count)
            .into_par_iter()
            .with_min_len(MIN_TASK)
            .filter(|&at| self.passes_all(start, at, query, marks))
            .map(|at| Hit::plain(start.saturating_add(at) as usize))
            .collect()
    }

    /// The rows here matching `query`'s fuzzy words (it has some) and
    /// passing its filters, by archive position (`start` is this part's
    /// first), in archive order.
    fn matched_rows(&self, start: u32, query: &Query, marks: &MarksOf<'_>) -> Vec<Row> {
        let Some(matched) = self.matching(&query.fuzzy) else {
            return Vec::new();
        };
        let mut rows: Vec<Row> = if query.filters.is_empty() {
            matched.rows.clone()
        } else {
            matched
                .rows
                .par_iter()
                .with_min_len(MIN_TASK)
                .filter(|row| self.passes_all(start, row.entry, query, marks))
                .copied()
                .collect()
        };
        if start > 0 {
            for row in &mut rows {
                row.entry = row.entry.saturating_add(start);
            }
        }
        rows
    }

    /// One index of the statements of `parts` one after another, as
    /// [`Index::new`] over them all would make it, from what each part
    /// holds (nothing is folded again): each part's distinct strings are
    /// looked up once, and its statements take the merged numbers.
    #[must_use]
    pub fn merged(parts: &[&Index]) -> Index {
        let mut merged = Index::default();
        for part in parts {
            merged.take_in(part);
        }
        merged
    }

    /// Adds `part`'s statements after those here (see [`Index::merged`]).
    fn take_in(&mut self, part: &Index) {
        let ids = |from: &Interner, into: &mut Interner, mut added: Option<&mut dyn FnMut(u32)>| {
            (0..u32::try_from(from.len()).unwrap_or(u32::MAX))
                .map(|id| {
                    let (new_id, new) = into.intern(from.get(id));
                    if new && let Some(added) = added.as_mut() {
                        added(id);
                    }
                    new_id
                })
                .collect::<Vec<u32>>()
        };
        let folded_titles = &mut self.folded_titles;
        let titles = ids(
            &part.titles,
            &mut self.titles,
            Some(&mut |id| folded_titles.push(part.folded_titles.get(id))),
        );
        let (folded_labels, label_parts) = (&mut self.folded_labels, &mut self.label_parts);
        let labels = ids(
            &part.labels,
            &mut self.labels,
            Some(&mut |id| {
                folded_labels.push(part.folded_labels.get(id));
                label_parts.push(part.label_parts[id as usize].clone());
            }),
        );
        let others = ids(&part.others, &mut self.others, None);
        let values = ids(&part.values, &mut self.values, None);
        let base = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        self.withdrawn
            .extend(part.withdrawn.iter().map(|&at| base.saturating_add(at)));
        let start = |length: usize| u32::try_from(length).unwrap_or(u32::MAX);
        self.entries.reserve(part.entries.len());
        for entry in &part.entries {
            let first = start(self.signatory_labels.len());
            self.signatory_labels
                .extend(part.labels_of(entry).iter().map(|&id| labels[id as usize]));
            let signatories = first..start(self.signatory_labels.len());
            let first = start(self.other_names.len());
            self.other_names
                .extend(part.others_of(entry).iter().map(|&id| others[id as usize]));
            let other_names = first..start(self.other_names.len());
            let first = start(self.entry_values.len());
            self.entry_values.extend(
                part.values_of(entry)
                    .iter()
                    .map(|&(field, id)| (field, values[id as usize])),
            );
            let entry_values = first..start(self.entry_values.len());
            self.entries.push(Entry {
                title: titles[entry.title as usize],
                day: entry.day,
                signatories,
                others: other_names,
                values: entry_values,
            });
        }
    }

    /// The statements matching all of `words` (`None` when there are none),
    /// built word by word from the longest sequence kept.
    fn matching(&self, words: &[String]) -> Option<Arc<Partial>> {
        if words.is_empty() {
            return None;
        }
        let (mut done, mut partial) = (0, None);
        {
            let mut cache = self.kept();
            // Every kept prefix of the query is looked at, so the ones the
            // next key needs stay recent; the longest is built on.
            for end in 1..=words.len() {
                if let Some(kept) = cache.get(&words[..end]) {
                    (done, partial) = (end, Some(kept));
                }
            }
        }
        if let Some(kept) = partial.take_if(|kept| kept.covered < self.entries.len()) {
            let caught_up = Arc::new(self.catch_up(&kept, &words[..done]));
            self.kept()
                .insert(words[..done].to_vec(), Arc::clone(&caught_up));
            partial = Some(caught_up);
        }
        if words.len() - done >= 2 {
            return Some(self.match_fresh(partial.as_deref(), words, done));
        }
        while done < words.len() {
            done += 1;
            let key = &words[..done];
            // Kept from before statements were added, it would leave them
            // out: it is only a shortcut, so go without.
            let shorter = self
                .kept()
                .shorter(key)
                .filter(|shorter| shorter.covered == self.entries.len());
            let next = Arc::new(self.narrow(
                partial.as_deref(),
                shorter.as_deref(),
                &words[done - 1],
                done - 1,
            ));
            self.kept().insert(key.to_vec(), Arc::clone(&next));
            partial = Some(next);
        }
        partial
    }

    /// The statements matching `words`, of which `previous` holds those
    /// matching the first `done` (all statements when `None`), when two or
    /// more words are new (a query pasted, or typed while the archive
    /// loaded): the words likely to match fewest statements go first, so
    /// the others are tried on fewer. The result is the same in any order;
    /// it is kept for the whole query (so a longer last word narrows it),
    /// with what the query's last word matched.
    fn match_fresh(
        &self,
        previous: Option<&Partial>,
        words: &[String],
        done: usize,
    ) -> Arc<Partial> {
        let mut order: Vec<usize> = (done..words.len()).collect();
        order.sort_by_cached_key(|&at| self.estimate(&words[at]));
        let last = words.len() - 1;
        let mut rows: Option<Partial> = None;
        let mut last_matched = (Bits::default(), Bits::default(), Bits::default());
        for at in order {
            let mut next = self.narrow(rows.as_ref().or(previous), None, &words[at], at);
            if at == last {
                last_matched = (
                    std::mem::take(&mut next.titles),
                    std::mem::take(&mut next.labels),
                    std::mem::take(&mut next.others),
                );
            }
            rows = Some(next);
        }
        let partial = Arc::new(Partial {
            rows: rows.map(|partial| partial.rows).unwrap_or_default(),
            titles: last_matched.0,
            labels: last_matched.1,
            others: last_matched.2,
            covered: self.entries.len(),
        });
        self.kept().insert(words.to_vec(), Arc::clone(&partial));
        partial
    }

    /// `kept` (the statements matching `words`, worked out before more
    /// were added) with the added statements that match them too: only those
    /// are matched now, so a search while an archive streams in costs what
    /// arrived since the last one.
    fn catch_up(&self, kept: &Partial, words: &[String]) -> Partial {
        let first = u32::try_from(kept.covered).unwrap_or(u32::MAX);
        let count = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let mut added = Partial {
            rows: (first..count).map(Row::fresh).collect(),
            titles: Bits::default(),
            labels: Bits::default(),
            others: Bits::default(),
            covered: self.entries.len(),
        };
        for (at, word) in words.iter().enumerate() {
            added = self.narrow(Some(&added), None, word, at);
        }
        let mut rows = Vec::with_capacity(kept.rows.len() + added.rows.len());
        rows.extend_from_slice(&kept.rows);
        rows.extend_from_slice(&added.rows);
        Partial {
            rows,
            titles: kept.titles.union(&added.titles),
            labels: kept.labels.union(&added.labels),
            others: kept.others.union(&added.others),
            covered: self.entries.len(),
        }
    }

    /// About how many titles `word` can match, from one in 16 (a quick
    /// look, for [`Index::match_fresh`]'s order).
    fn estimate(&self, word: &str) -> usize {
        let needle = Needle::new(word);
        let count = u32::try_from(self.titles.len()).unwrap_or(u32::MAX);
        (0..count)
            .step_by(16)
            .filter(|&id| needle.window(self.titles.get(id)).is_some())
            .count()
    }

    /// The statements of `previous` (all when `None`) that `word` (the
    /// query's word number `at`) also matches, trying only those `shorter`
    /// (the same words with a shorter last word) holds.
    fn narrow(
        &self,
        previous: Option<&Partial>,
        shorter: Option<&Partial>,
        word: &str,
        at: usize,
    ) -> Partial {
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        let strong_word = strong_score_of(std::iter::once(word));
        let labels = score_each(&self.labels, word, &|id| {
            shorter.is_none_or(|shorter| shorter.labels.get(id))
        });
        let others = score_each(&self.others, word, &|id| {
            shorter.is_none_or(|shorter| shorter.others.get(id))
        });
        let candidates = self.candidates(previous, shorter);
        let mut wanted = vec![false; self.titles.len()];
        for row in candidates.iter() {
            let title = self.entries[row.entry as usize].title;
            wanted[title as usize] = shorter.is_none_or(|shorter| shorter.titles.get(title));
        }
        let titles = score_each(&self.titles, word, &|id| wanted[id as usize]);
        let rows = candidates
            .par_iter()
            .with_min_len(MIN_TASK)
            .filter_map(|row| {
                let entry = &self.entries[row.entry as usize];
                let title = titles[entry.title as usize];
                let mut best: Option<(i64, usize)> = None;
                for (position, &label) in self.labels_of(entry).iter().enumerate() {
                    if let Some(score) = labels[label as usize]
                        && best.is_none_or(|(best, _)| score > best)
                    {
                        best = Some((score, position));
                    }
                }
                let primary = match (title, best) {
                    (Some(title), Some((label, position))) if label > title => {
                        Some((label, Some(position)))
                    }
                    (Some(title), _) => Some((title, None)),
                    (None, Some((label, position))) => Some((label, Some(position))),
                    (None, None) => None,
                };
                let other = || {
                    self.others_of(entry)
                        .iter()
                        .filter_map(|&other| others[other as usize])
                        .max()
                };
                // Organisations and people count only where the title and
                // signatories do not match, or match weakly and they
                // strongly (`fcdo` scattered through a signatory's role,
                // whole in the initials of the organisation).
                let (score, signatory, by_other) = match primary {
                    Some((score, position)) if score >= strong_word => (score, position, 0),
                    Some((score, position)) => match other() {
                        Some(other) if other >= strong_word => (other, None, 1),
                        _ => (score, position, 0),
                    },
                    None => (other()?, None, 1),
                };
                // The signatory shown is the one the query's first word won
                // by a signatory was won by.
                let (signatory, word) = match signatory {
                    Some(position) if at < row.word => {
                        (u32::try_from(position).unwrap_or(NO_SIGNATORY), at)
                    }
                    _ => (row.signatory, row.word),
                };
                Some(Row {
                    entry: row.entry,
                    signatory,
                    score: row.score + score,
                    word,
                    by_others: row.by_others + by_other,
                })
            })
            .collect();
        Partial {
            rows,
            titles: Bits::scored(&titles),
            labels: Bits::scored(&labels),
            others: Bits::scored(&others),
            covered: self.entries.len(),
        }
    }

    /// The statements a word is tried on, with what the words before it
    /// scored: those of `previous` (every statement when `None`), and of
    /// them only those in `shorter` when there is one.
    fn candidates<'a>(
        &self,
        previous: Option<&'a Partial>,
        shorter: Option<&Partial>,
    ) -> Cow<'a, [Row]> {
        let fresh = Row::fresh;
        match (previous, shorter) {
            (Some(previous), None) => Cow::Borrowed(&previous.rows),
            (None, None) => {
                let count = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
                Cow::Owned((0..count).map(fresh).collect())
            }
            (None, Some(shorter)) => {
                Cow::Owned(shorter.rows.iter().map(|row| fresh(row.entry)).collect())
            }
            (Some(previous), Some(shorter)) => {
                // `shorter` holds some of `previous`'s statements, both in
                // archive order: one walk finds each.
                let mut before = previous.rows.iter();
                Cow::Owned(
                    shorter
                        .rows
                        .iter()
                        .filter_map(|row| before.find(|old| old.entry == row.entry).copied())
                        .collect(),
                )
            }
        }
    }

    fn passes(&self, at: u32, filter: &Filter, marks: Option<&Marks>) -> bool {
        let entry = &self.entries[at as usize];
        let matched = match &filter.condition {
            Condition::Field(Field::Signatory, value) => self
                .labels_of(entry)
                .iter()
                .any(|&label| self.folded_labels.get(label).contains(value.as_str())),
            Condition::Field(field, value) => self
                .values_of(entry)
                .iter()
                .any(|(f, id)| f == field && self.values.get(*id).contains(value.as_str())),
            Condition::FieldIs(Field::Signatory, value) => {
                self.labels_of(entry).iter().any(|&label| {
                    self.label_parts[label as usize]
                        .iter()
                        .any(|part| part == value)
                })
            }
            Condition::FieldIs(field, value) => self
                .values_of(entry)
                .iter()
                .any(|(f, id)| f == field && self.values.get(*id) == value),
            Condition::Exact(text) => {
                self.folded_titles.get(entry.title).contains(text.as_str())
                    || self
                        .labels_of(entry)
                        .iter()
                        .any(|&label| self.folded_labels.get(label).contains(text.as_str()))
            }
            Condition::Published(range) => range.contains(entry.day),
            Condition::Mark(test) => mark_matches(test, marks),
            Condition::Withdrawn => self.withdrawn.binary_search(&at).is_ok(),
            // Answered by the full-text index ([`text::search`]), not here.
            Condition::Text(_) => return true,
        };
        matched != filter.negated
    }
}

/// Every statement of `parts` (each an index and the archive position of
/// its first statement, in archive order) that `query` matches, as one
/// index of them all would answer: best score first when it has fuzzy
/// words, else in archive order; equal ones in `rank`'s order when given.
fn search_parts(
    parts: &[(u32, &Index)],
    query: &Query,
    marks: &MarksOf<'_>,
    rank: Option<&[u32]>,
) -> Vec<Hit> {
    if query.fuzzy.is_empty() {
        let mut hits: Vec<Hit> = match parts {
            [(start, index)] => index.plain_hits(*start, query, marks),
            _ => parts
                .iter()
                .flat_map(|(start, index)| index.plain_hits(*start, query, marks))
                .collect(),
        };
        if let Some(rank) = rank {
            hits = counting_sort(&hits, rank.len() + 1, |hit| place(rank, hit.index));
        }
        return hits;
    }
    let rows: Vec<Row> = match parts {
        [(start, index)] => index.matched_rows(*start, query, marks),
        _ => parts
            .iter()
            .flat_map(|(start, index)| index.matched_rows(*start, query, marks))
            .collect(),
    };
    let strong = strong_score(query);
    best_first(rows, rank, strong)
        .into_par_iter()
        .map(|row| row.hit(strong))
        .collect()
}

/// A statement's place in `rank` (by archive position); those it does not
/// cover go last.
fn place(rank: &[u32], entry: usize) -> usize {
    rank.get(entry).map_or(rank.len(), |&place| place as usize)
}

/// Rows best first ([`Hit::rank`]); equal ones in `rank`'s order, or archive order
/// (the order rows are kept in) without one. Scores span a few hundred
/// values, so two stable counting sorts (by place, then by score) do it in
/// linear time; a wider span falls back to a comparison sort.
fn best_first(mut rows: Vec<Row>, rank: Option<&[u32]>, strong: i64) -> Vec<Row> {
    let scores = || rows.iter().map(|row| row.score);
    let (Some(low), Some(high)) = (scores().min(), scores().max()) else {
        return rows;
    };
    let span = usize::try_from(high.abs_diff(low)).unwrap_or(usize::MAX);
    if span >= COUNTING_SPAN.max(rows.len()) {
        let tie = |entry: u32| rank.map_or(entry as usize, |rank| place(rank, entry as usize));
        rows.par_sort_unstable_by_key(|row| {
            (
                row.score < strong,
                row.by_others,
                Reverse(row.score),
                tie(row.entry),
            )
        });
        return rows;
    }
    if let Some(rank) = rank {
        rows = counting_sort(&rows, rank.len() + 1, |row| place(rank, row.entry as usize));
    }
    rows = counting_sort(&rows, span + 1, |row| {
        usize::try_from(high.abs_diff(row.score)).unwrap_or(span)
    });
    strong_first(rows, strong)
}

/// Strong rows before weak ones, and rows matched by fewer words only in
/// organisations and people first ([`Hit::rank`]), in their order
/// otherwise (a stable sort, done only when it changes something).
fn strong_first(rows: Vec<Row>, strong: i64) -> Vec<Row> {
    let most = rows.iter().map(|row| row.by_others).max().unwrap_or(0) as usize;
    let any_weak = rows.iter().any(|row| row.score < strong);
    if most == 0 && !any_weak {
        return rows;
    }
    let tiers = most + 1;
    counting_sort(&rows, 2 * tiers, |row| {
        usize::from(row.score < strong) * tiers + row.by_others as usize
    })
}

/// The widest span of keys [`best_first`] sorts by counting.
const COUNTING_SPAN: usize = 1 << 16;

/// `items` ordered by `key` (below `buckets`), equal keys in their order.
fn counting_sort<T: Clone>(items: &[T], buckets: usize, key: impl Fn(&T) -> usize) -> Vec<T> {
    let mut next = vec![0_usize; buckets + 1];
    for item in items {
        next[key(item).min(buckets - 1) + 1] += 1;
    }
    for at in 1..next.len() {
        next[at] += next[at - 1];
    }
    let mut sorted = items.to_vec();
    for item in items {
        let slot = &mut next[key(item).min(buckets - 1)];
        sorted[*slot] = item.clone();
        *slot += 1;
    }
    sorted
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
        MarkTest::By(who) => marks.people().any(|by| fold(by).contains(who.as_str())),
    }
}

/// The most fuzzy words highlighted in a title: the drawing thread does this
/// for every visible row at every frame, so a pasted wall of words must not
/// make it slow (matching still uses every word, off the drawing thread).
pub const MAX_HIGHLIGHTED_WORDS: usize = 16;

/// Character positions in `title` that the query's fuzzy words matched, for
/// highlighting. Computed for visible rows only, for at most
/// [`MAX_HIGHLIGHTED_WORDS`] words, each no longer than the title (a longer
/// one cannot match it).
#[must_use]
pub fn title_positions(query: &Query, title: &str) -> Vec<usize> {
    let length = title.chars().count();
    let mut positions: Vec<usize> = query
        .fuzzy
        .iter()
        .take(MAX_HIGHLIGHTED_WORDS)
        .filter(|word| word.chars().count() <= length)
        .filter_map(|word| score_positions(title, word))
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

    /// Search sees what the screen shows: a title with any of the invisible
    /// characters the screen removes, inside "COVID-19", is found by every
    /// way of asking for "COVID-19", and so is a query with one pasted in.
    #[test]
    fn invisible_characters_are_searched_as_shown() {
        let mut statements = vec![statement(
            "plain",
            "Executive Order on COVID-19 Relief",
            "2021-01-22",
            &[],
        )];
        let mut hidden = Vec::new();
        for &(first, last) in crate::sanitize::INVISIBLE {
            for c in (first..=last).filter_map(char::from_u32) {
                hidden.push(c);
                let title = format!("Executive Order on COVID-{c}19 Relief");
                let id = format!("u{:x}", u32::from(c));
                statements.push(statement(&id, &title, "2021-01-22", &[]));
            }
        }
        let index = Index::new(&statements);
        let found = |query: &str| index.search(&parse(query).expect("query")).len();
        for query in [
            "'COVID-19",
            "'covid-19",
            "covid-19",
            "COVID-19 relief",
            "-'covid-19",
        ] {
            let expected = if query.starts_with('-') {
                0
            } else {
                statements.len()
            };
            assert_eq!(found(query), expected, "{query}");
        }
        for c in hidden {
            assert_eq!(found(&format!("'COVID-{c}19")), statements.len(), "{c:?}");
        }
    }

    /// A statement carrying organisations, people and a media contact.
    fn with_names(id: &str, title: &str, organisation: &str, person: &str) -> Statement {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "published": "2024-01-01",
            "organisations": [organisation], "people": [person],
            "media_contacts": [{"name": "Press Desk Officer Alwyn Hughes"}],
        }))
        .expect("statement")
    }

    #[test]
    fn organisations_and_people_are_found_below_titles() {
        let statements = vec![
            with_names(
                "by-org",
                "Visa fees to rise in April",
                "Home Office",
                "Suella Braverman",
            ),
            with_names(
                "by-title",
                "Home Office annual report",
                "Cabinet Office",
                "Oliver Dowden",
            ),
            with_names(
                "fcdo",
                "Sanctions on Russia",
                "Foreign, Commonwealth & Development Office",
                "David Lammy",
            ),
        ];
        let index = Index::new(&statements);
        let search = |text: &str| index.search(&parse(text).expect("query"));
        let hits = search("home office");
        // "home" is only scattered through "Commonwealth & Development":
        // last.
        assert_eq!(ids(&statements, &hits), ["by-title", "by-org", "fcdo"]);
        assert_eq!(hits[0].by_others, 0);
        assert_eq!(hits[1].by_others, 2);
        assert!(!hits[0].weak && !hits[1].weak, "{hits:?}");
        // Initials, people and contacts' names are whole matches.
        for (query, id) in [("fcdo", "fcdo"), ("lammy", "fcdo"), ("braverman", "by-org")] {
            let hits = search(query);
            assert_eq!(ids(&statements, &hits)[0], id, "{query}");
            assert!(!hits[0].weak, "{query}: {hits:?}");
        }
        assert_eq!(ids(&statements, &search("alwyn")).len(), 3);
    }

    /// A name in no statement finds only scattered letters: every hit is
    /// weak, and a whole word's hit is not.
    #[test]
    fn scattered_letters_are_weak_matches() {
        let statements = vec![statement(
            "a",
            "Joint statement on the reopening of the Embassy of the Republic of Korea in Tripoli, Libya",
            "2024-01-01",
            &[],
        )];
        let index = Index::new(&statements);
        let hits = index.search(&parse("borrell").expect("query"));
        assert_eq!(hits.len(), 1);
        assert!(hits[0].weak, "{hits:?}");
        assert!(hits[0].score < strong_score(&parse("borrell").expect("query")));
        let hits = index.search(&parse("korea tripoli").expect("query"));
        assert!(!hits[0].weak, "{hits:?}");
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

    /// The quick test may let through what the matcher rejects, never the
    /// reverse.
    #[test]
    fn needle_never_rejects_a_match() {
        let texts = [
            "Minister of Foreign Affairs, Côte d’Ivoire",
            "JAPAN trade envoy",
            "São Tomé and Príncipe",
            "e\u{301}te\u{301} (update)",
            "été",
            "fcdo-2024/01",
        ];
        let words = [
            "fa", "FA", "côte", "COTE", "cote", "sao", "são", "tomé", "japan", "jApAn", "’",
            "e\u{301}", "été", "ete", "/01", "-2", "zz", "ÉTÉ",
        ];
        for text in texts {
            for word in words {
                if score(text, word).is_some() {
                    assert!(Needle::new(word).may_match(text), "{word:?} in {text:?}");
                }
            }
        }
        assert!(!Needle::new("zz").may_match("JAPAN trade envoy"));
    }

    /// Texts and words made of pieces, the same every run (the numbers of a
    /// 64-bit linear congruential generator).
    pub(super) struct Generated(pub(super) u64);

    impl Generated {
        /// A number below `below`.
        pub(super) fn below(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).expect("31 bits fit") % below
        }

        /// One to `most` pieces.
        pub(super) fn text(&mut self, pieces: &[&str], most: usize) -> String {
            let count = 1 + self.below(most);
            (0..count)
                .map(|_| pieces[self.below(pieces.len())])
                .collect()
        }

        /// Half the time some of `text`'s own characters in order (each
        /// kept one time in `one_in`, at most `most`): a match; else one to
        /// four pieces.
        pub(super) fn word(
            &mut self,
            pieces: &[&str],
            text: &str,
            one_in: usize,
            most: usize,
        ) -> String {
            if self.below(2) == 0 {
                text.chars()
                    .filter(|_| self.below(one_in) == 0)
                    .take(most)
                    .collect()
            } else {
                self.text(pieces, 4)
            }
        }
    }

    /// The matcher scores a word over a [`Needle::window`] exactly as over
    /// the whole text, on many generated texts and words (matching ones
    /// among them) mixing cases, separators, digits and accents.
    #[test]
    fn windows_score_as_whole_texts() {
        const PIECES: &[&str] = &[
            "a", "A", "b", "F", "f", "o", "O", "r", " ", "-", "_", "/", ".", "(", ":", "1", "é",
            "É", "’", "x", "e\u{301}", "Fo", "oo", "JAPAN", "Japan",
        ];
        let mut generated = Generated(0x9e37_79b9_7f4a_7c15);
        let (mut matched, mut trimmed) = (0, 0);
        for _ in 0..20_000 {
            let text = generated.text(PIECES, 30);
            let word = generated.word(PIECES, &text, 4, 5);
            if word.is_empty() {
                continue;
            }
            let whole = score(&text, &word);
            let window = Needle::new(&word).window(&text);
            assert_eq!(
                window.and_then(|window| score(window, &word)),
                whole,
                "{word:?} in {text:?} (window {window:?})"
            );
            matched += usize::from(whole.is_some());
            trimmed += usize::from(window.is_some_and(|window| window.len() < text.len()));
        }
        // Enough of both kinds, or agreeing would prove little.
        assert!(
            matched > 5_000 && trimmed > 2_000,
            "{matched} matched, {trimmed} trimmed"
        );
    }

    /// One reused [`Scorer`] gives every score a fresh matcher gives, on
    /// texts full of doubled letters scored one after another.
    #[test]
    fn reused_scorer_scores_as_fresh_matchers() {
        const PIECES: &[&str] = &[
            "f", "F", "ff", "fF", "o", "oo", "a", "A", "aa", "r", "i", " ", "-", ".", "é", "É",
            "Affairs", "office", "Foo", "foreign", "x", "1",
        ];
        let mut generated = Generated(0x2545_f491_4f6c_dd1d);
        let scorer = Scorer::new();
        let (mut matched, mut reused) = (0, 0);
        for _ in 0..50_000 {
            let text = generated.text(PIECES, 24);
            let word = generated.word(PIECES, &text, 3, 7);
            let fresh = score(&text, &word);
            assert_eq!(scorer.score(&text, &word), fresh, "{word:?} in {text:?}");
            matched += usize::from(fresh.is_some());
            reused += usize::from(fresh.is_some() && reuse_scores_as_fresh(&text, &word));
        }
        // Enough of each kind, or agreeing would prove little.
        assert!(
            matched > 10_000 && reused > 3_000,
            "{matched} matched, {reused} reused"
        );
        assert!(!reuse_scores_as_fresh("Foreign Affairs", "f"));
        assert!(!reuse_scores_as_fresh("Abxaf", "abf"));
        assert!(reuse_scores_as_fresh("Foreign Affairs", "a"));
        assert!(!reuse_scores_as_fresh("été", "é"));
    }

    #[test]
    fn kept_results_stay_bounded() {
        let mut cache = PartialCache::default();
        let partial = |rows: usize| {
            Arc::new(Partial {
                rows: vec![Row::fresh(0); rows],
                titles: Bits::default(),
                labels: Bits::default(),
                others: Bits::default(),
                covered: 1,
            })
        };
        for n in 0..100 {
            cache.insert(vec![format!("w{n}")], partial(1));
        }
        assert_eq!(cache.recent.len(), CACHED_SEQUENCES);
        assert!(cache.get(&["w99".to_owned()]).is_some());
        assert!(cache.get(&["w0".to_owned()]).is_none());
        for n in 0..4 {
            cache.insert(vec![format!("big{n}")], partial(CACHED_ROWS / 3));
        }
        let rows: usize = cache.recent.iter().map(|(_, kept)| kept.rows.len()).sum();
        assert!(rows <= CACHED_ROWS, "{rows}");
        // The newest is always kept, however big.
        cache.insert(vec!["huge".to_owned()], partial(CACHED_ROWS + 1));
        assert_eq!(cache.recent.len(), 1);
    }

    #[test]
    fn index_is_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Index>();
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

    #[test]
    fn withdrawn_terms_find_or_leave_out_withdrawn_statements() {
        let mut statements = archive();
        statements[1].withdrawn = Some(crate::records::Withdrawn {
            date: statements[1].published.clone(),
            note: None,
        });
        // Built in two halves, as a streaming load builds it.
        let mut index = Index::new(&statements[..1]);
        index.extend(&statements[1..]);
        let found = |text: &str| ids(&statements, &index.search(&parse(text).expect("parse")));
        assert_eq!(found("is:withdrawn"), ["b"]);
        assert_eq!(found("-is:withdrawn"), ["a", "c"]);
        assert_eq!(found("japan is:withdrawn"), ["b"]);
        assert_eq!(found("japan -is:withdrawn"), ["a"]);
    }
}
