//! Full-text search over what statements say (title, summary and body): the
//! `text:` terms of a query, answered by a tantivy index ([`engine`], BM25
//! ranked), and the matching sentence with its hits marked, worked out from
//! a statement's text. The index keeps no copy of the text, so bodies still
//! need not live in memory: snippets are made from the text read back when
//! a row is shown.
//!
//! Words are split and folded by one function ([`words_of`]: letters and
//! digits make words, case and accents ignored) for the index and for the
//! snippets, so the hits a snippet marks are the ones the index matched.

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use anyhow::Context as _;
use rusqlite::Connection;

pub mod cache;
mod engine;

use super::{Chunks, Condition, Hit, MarksOf, Query, fold};
use crate::records::Statement;

/// One `text:` term: words that must follow one another (a phrase of one
/// word or more), the last of them a prefix when it ended in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTerm {
    /// Folded words, as the index holds them.
    pub words: Vec<String>,
    pub prefix: bool,
}

impl TextTerm {
    /// The term for the value typed after `text:`; `None` while it holds no
    /// word yet (`text:` or `text:"` still being typed).
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let prefix = value.ends_with('*');
        let words: Vec<String> = words_of(value)
            .map(|(_, word)| word)
            .filter(|word| !word.is_empty())
            .collect();
        (!words.is_empty()).then_some(Self { words, prefix })
    }

    /// How the term reads in a query line.
    #[must_use]
    pub fn shown(&self) -> String {
        let star = if self.prefix { "*" } else { "" };
        match self.words.as_slice() {
            [word] => format!("{word}{star}"),
            words => format!("\"{}{star}\"", words.join(" ")),
        }
    }

    /// What find-in-text looks for to land on this term in a statement:
    /// the phrase as written (a prefix's stem).
    #[must_use]
    pub fn find_text(&self) -> String {
        self.words.join(" ")
    }

    /// Whether the folded words from `at` on in `tokens` are this term.
    fn matches_at(&self, tokens: &[(Range<usize>, String)], at: usize) -> bool {
        let Some(found) = tokens.get(at..at + self.words.len()) else {
            return false;
        };
        let last = self.words.len() - 1;
        found
            .iter()
            .zip(&self.words)
            .enumerate()
            .all(|(n, ((_, token), word))| {
                if n == last && self.prefix {
                    token.starts_with(word.as_str())
                } else {
                    token == word
                }
            })
    }
}

/// Each word of `text` (a run of letters and digits) with its byte range,
/// folded. Text is cleaned (composed, NFC) before it is split, so an accent
/// is part of its letter.
fn words_of(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|(_, c)| !c.is_alphanumeric()).is_some() {}
        let (start, _) = *chars.peek()?;
        let mut end = start;
        while let Some((at, c)) = chars.next_if(|(_, c)| c.is_alphanumeric()) {
            end = at + c.len_utf8();
        }
        Some((start..end, fold(&text[start..end])))
    })
}

/// What the index reads of a statement: title, summary and body (one line
/// break between them, so a phrase never runs from one into the next).
#[must_use]
pub fn indexed_text(statement: &Statement) -> String {
    let mut text = statement.title.clone();
    for part in [&statement.summary, &statement.body].into_iter().flatten() {
        text.push('\n');
        text.push_str(part);
    }
    text
}

/// A statement's indexed text ([`indexed_text`]), its body read back from
/// disk when it was left there.
///
/// # Errors
/// When the body cannot be read back (the file changed).
pub fn statement_text(statement: &Statement) -> Result<String, String> {
    if !statement.body_on_disk() {
        return Ok(indexed_text(statement));
    }
    crate::loader::read_full(statement)
        .map(|full| indexed_text(&full))
        .map_err(|err| format!("{err:#}"))
}

/// Relevance of a statement to a query's text terms: higher is better.
pub type Relevance = f64;

/// The statements a text term is in, by archive position, each with its
/// relevance: one number per position (a term in most of a million
/// statements is listed in a few milliseconds, where a map of them took
/// a tenth of a second).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matches {
    /// Each position's relevance; NaN where the term is not.
    relevance: Vec<f32>,
    count: usize,
}

impl Matches {
    /// The matches found, each a position below `below` and its score.
    fn of(found: &[(u64, f32)], below: usize) -> Self {
        let mut relevance = vec![f32::NAN; below];
        let mut count = 0;
        for &(position, score) in found {
            if let Some(slot) = usize::try_from(position)
                .ok()
                .and_then(|at| relevance.get_mut(at))
                && slot.is_nan()
            {
                *slot = if score.is_nan() { 0.0 } else { score };
                count += 1;
            }
        }
        Self { relevance, count }
    }

    /// How many statements the term is in.
    #[must_use]
    pub fn len(&self) -> usize {
        self.count
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether the term is in the statement at `at`.
    #[must_use]
    pub fn contains(&self, at: usize) -> bool {
        self.get(at).is_some()
    }

    /// The relevance of the statement at `at`, if the term is in it.
    #[must_use]
    pub fn get(&self, at: usize) -> Option<Relevance> {
        self.relevance
            .get(at)
            .filter(|score| !score.is_nan())
            .map(|&score| Relevance::from(score))
    }

    /// The positions of the statements the term is in, in archive order.
    pub fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.relevance
            .iter()
            .enumerate()
            .filter(|(_, score)| !score.is_nan())
            .map(|(at, _)| at)
    }
}

/// The full-text index of one archive, by archive position. Filled in
/// batches by the indexer while searches read what is indexed so far.
#[derive(Debug)]
pub struct FullText {
    engine: engine::Engine,
    /// How many statements (positions `0..indexed`) are in.
    indexed: std::sync::atomic::AtomicUsize,
    /// For an index kept between runs (see [`cache`]): the statement id at
    /// each position, the archive's files and the index's marks, in SQLite,
    /// so a later run can tell that a position still holds the same
    /// statement. `None` for an index in memory.
    kept: Option<Mutex<Connection>>,
    /// The lock that makes this process the kept index's one writer, held
    /// as long as the index is (see [`cache::open`]), and the kept file.
    lock: Option<(std::fs::File, std::path::PathBuf)>,
}

impl FullText {
    /// An empty index in memory.
    ///
    /// # Errors
    /// When the index cannot be made (out of memory).
    pub fn in_memory() -> anyhow::Result<Self> {
        Ok(Self::from_parts(engine::Engine::in_memory(1)?, None, 0))
    }

    /// The index in the folder `path`, made empty there when it holds none
    /// (for measuring an index's size and speed: see `examples/fulltext.rs`).
    ///
    /// # Errors
    /// When the folder cannot be made, or holds a damaged or foreign index.
    pub fn at(path: &std::path::Path) -> anyhow::Result<Self> {
        if path.join("meta.json").exists() {
            let engine = engine::Engine::open(path)?;
            let mut indexed = 0;
            // The positions are 0..n with nothing missing: find n.
            let mut step = 1 << 40;
            while step > 0 {
                if engine.holds_each_below(indexed + step)? {
                    indexed += step;
                }
                step /= 2;
            }
            Ok(Self::from_parts(engine, None, indexed))
        } else {
            Ok(Self::from_parts(engine::Engine::create(path)?, None, 0))
        }
    }

    /// An index over `engine` holding the first `indexed` statements, their
    /// ids in `kept` for an index kept between runs.
    fn from_parts(engine: engine::Engine, kept: Option<Connection>, indexed: usize) -> Self {
        Self {
            engine,
            indexed: std::sync::atomic::AtomicUsize::new(indexed),
            kept: kept.map(Mutex::new),
            lock: None,
        }
    }

    /// The same index, kept at `path`, holding `lock` while it lives.
    fn holding(mut self, lock: std::fs::File, path: std::path::PathBuf) -> Self {
        self.lock = Some((lock, path));
        self
    }

    /// Throws away the files of a kept index found damaged (a search of it
    /// failed), so the next run builds it again; this one goes on reading
    /// it until it is dropped. Nothing for an index in memory.
    pub fn discard_kept(&self) {
        if let Some((_, path)) = &self.lock {
            cache::remove_kept(path);
        }
    }

    /// An index of `statements` (their bodies in memory), built at once:
    /// for headless commands and tests.
    ///
    /// # Errors
    /// As [`FullText::add`].
    pub fn of(statements: &[Statement]) -> anyhow::Result<Self> {
        Self::of_texts(
            statements
                .iter()
                .map(|statement| Ok(indexed_text(statement))),
        )
    }

    /// An index of these texts, in archive order; a text that could not be
    /// read (`Err`) is indexed empty.
    ///
    /// # Errors
    /// As [`FullText::add`].
    pub fn of_texts(texts: impl Iterator<Item = Result<String, String>>) -> anyhow::Result<Self> {
        // Built at once by a command waiting for it: on every core.
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let index = Self::from_parts(engine::Engine::in_memory(threads)?, None, 0);
        let texts: Vec<String> = texts.map(Result::unwrap_or_default).collect();
        index.add(0, &texts)?;
        Ok(index)
    }

    /// How many statements are indexed (the first this many positions).
    #[must_use]
    pub fn indexed(&self) -> usize {
        self.indexed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The kept index's SQLite file (`None` in memory).
    fn kept(&self) -> Option<std::sync::MutexGuard<'_, Connection>> {
        self.kept
            .as_ref()
            .map(|kept| kept.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes the statements at positions `first..` be these texts, in one
    /// commit: whatever was indexed from `first` on is dropped.
    ///
    /// # Errors
    /// When the index cannot be written (out of memory or disk).
    pub fn add(&self, first: usize, texts: &[String]) -> anyhow::Result<()> {
        self.add_identified(first, &[], texts)
    }

    /// As [`FullText::add`], with the statements' ids (kept when the index
    /// is kept: see [`FullText::resume`]). The ids are recorded only once
    /// the texts are written, so a run stopped between the two leaves
    /// texts that no id names: they are never searched, and dropped by the
    /// next write from their place.
    ///
    /// # Errors
    /// When the index cannot be written (out of memory or disk).
    pub fn add_identified(
        &self,
        first: usize,
        ids: &[&str],
        texts: &[String],
    ) -> anyhow::Result<()> {
        match self.kept() {
            Some(mut connection) => {
                let transaction = connection.transaction()?;
                cache::forget_from(&transaction, first)?;
                {
                    let mut keep = transaction.prepare_cached(
                        "INSERT INTO statement_ids(position, id) VALUES (?1, ?2)",
                    )?;
                    for (at, id) in ids.iter().enumerate() {
                        keep.execute(rusqlite::params![i64::try_from(first + at)?, id])?;
                    }
                }
                self.engine.replace_from(first, texts)?;
                transaction
                    .commit()
                    .context("writing the full-text index")?;
            }
            None => self.engine.replace_from(first, texts)?,
        }
        self.indexed
            .store(first + texts.len(), std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Drops every statement from position `from` on: first from the list
    /// of ids (so a run stopped midway never trusts a text that is gone),
    /// then from the index.
    fn drop_from(&self, connection: &mut Connection, from: usize) -> anyhow::Result<()> {
        let transaction = connection.transaction()?;
        cache::forget_from(&transaction, from)?;
        transaction
            .commit()
            .context("writing the full-text index")?;
        self.indexed
            .store(from, std::sync::atomic::Ordering::SeqCst);
        self.engine.drop_from(from)
    }

    /// How many of the statements `ids` (at positions `first..`) the index
    /// already holds, as the same statements: those need no indexing
    /// again. From the first position holding another statement on (the
    /// archive changed under a kept index), everything is dropped, to be
    /// indexed anew.
    ///
    /// # Errors
    /// When the index cannot be read or written.
    pub fn resume(&self, first: usize, ids: &[&str]) -> anyhow::Result<usize> {
        let indexed = self.indexed();
        let held = indexed.saturating_sub(first).min(ids.len());
        let Some(mut connection) = self.kept().filter(|_| held > 0) else {
            return Ok(held);
        };
        let kept: Vec<(i64, String)> = {
            let mut select = connection.prepare_cached(
                "SELECT position, id FROM statement_ids WHERE position >= ?1 AND position < ?2
                 ORDER BY position",
            )?;
            select
                .query_map(
                    rusqlite::params![i64::try_from(first)?, i64::try_from(first + held)?],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?
                .collect::<Result<_, _>>()?
        };
        let same = (0..held)
            .take_while(|&at| {
                kept.get(at).is_some_and(|(position, id)| {
                    usize::try_from(*position).is_ok_and(|position| position == first + at)
                        && id == ids[at]
                })
            })
            .count();
        if same < held {
            self.drop_from(&mut connection, first + same)?;
        }
        Ok(same)
    }

    /// Adds what the index does not hold yet of `batch`, the statements at
    /// positions `first..` (a kept index holds what an earlier run indexed:
    /// see [`FullText::resume`]); bodies left on disk are read back, and
    /// one that cannot be read is indexed without its body.
    ///
    /// # Errors
    /// When the index cannot be read or written.
    pub fn add_missing(&self, first: usize, batch: &[Statement]) -> anyhow::Result<()> {
        let ids: Vec<&str> = batch
            .iter()
            .map(|statement| statement.id.as_str())
            .collect();
        let held = self.resume(first, &ids)?;
        let texts: Vec<String> = batch[held..]
            .iter()
            .map(|statement| statement_text(statement).unwrap_or_else(|_| indexed_text(statement)))
            .collect();
        self.add_identified(first + held, &ids[held..], &texts)
    }

    /// The positions of the statements `term` is in, each with its BM25
    /// relevance (higher is better).
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn matching(&self, term: &TextTerm) -> anyhow::Result<Matches> {
        self.matching_with(term, true)
    }

    /// The positions of the statements `term` is in; with their BM25
    /// relevance when `ranked`, else 0.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn matching_with(&self, term: &TextTerm, ranked: bool) -> anyhow::Result<Matches> {
        let below = self.indexed();
        let found = self.engine.matching(term, ranked, below)?;
        Ok(Matches::of(&found, below))
    }
}

/// Every statement `query` matches, its `text:` terms answered by
/// `full_text` (over what it has indexed so far) and the rest by `index`:
/// as [`Chunks::search_ranked`] with `rank`, else [`Chunks::search_with`].
/// A query of text terms only is ranked by BM25 relevance (the hit's
/// score), then by `rank` when given.
///
/// # Errors
/// When the full-text index cannot be read.
pub fn search(
    index: &Chunks,
    full_text: &FullText,
    query: &Query,
    marks: &MarksOf<'_>,
    rank: Option<&[u32]>,
) -> anyhow::Result<Vec<Hit>> {
    let rest = query.without_text();
    let search = |query: &Query| match rank {
        Some(rank) => index.search_ranked(query, marks, rank),
        None => index.search_with(query, marks),
    };
    if !query.has_text() {
        return Ok(search(query));
    }
    let text_only = query.is_text_only();
    let mut answers = Vec::new();
    for filter in &query.filters {
        if let Condition::Text(term) = &filter.condition {
            // Relevance only ranks a query of text terms alone.
            let ranked = text_only && !filter.negated;
            answers.push((filter.negated, full_text.matching_with(term, ranked)?));
        }
    }
    let holds = |at: usize| {
        answers
            .iter()
            .all(|(negated, found)| found.contains(at) != *negated)
    };
    let mut hits = if text_only {
        // Nothing but text terms: the hits are those of the term found in
        // fewest statements that the others agree with (every statement
        // listed and checked against each term would take longer than
        // the search, at a million).
        let fewest = answers
            .iter()
            .filter(|(negated, _)| !negated)
            .map(|(_, found)| found)
            .min_by_key(|found| found.len());
        fewest
            .into_iter()
            .flat_map(Matches::positions)
            .filter(|&at| at < index.len() && holds(at))
            .map(Hit::plain)
            .collect()
    } else {
        let mut hits = search(&rest);
        hits.retain(|hit| holds(hit.index));
        hits
    };
    if text_only {
        for hit in &mut hits {
            let relevance: Relevance = answers
                .iter()
                .filter(|(negated, _)| !negated)
                .filter_map(|(_, found)| found.get(hit.index))
                .sum();
            // Scores are whole numbers: BM25 is kept to a billionth (a word
            // in most statements weighs little).
            #[allow(clippy::cast_possible_truncation)]
            let score = (relevance * 1e9).round() as i64;
            hit.score = score;
        }
        match rank {
            Some(rank) => hits.sort_by_key(|hit| {
                (
                    std::cmp::Reverse(hit.score),
                    rank.get(hit.index).copied().unwrap_or(u32::MAX),
                )
            }),
            None => hits.sort_by_key(|hit| (std::cmp::Reverse(hit.score), hit.index)),
        }
    }
    Ok(hits)
}

/// The longest snippet, in characters: about two lines of a wide list.
const SNIPPET_CHARS: usize = 160;

/// The sentence a statement's text matches a query's text terms in, cut to
/// [`SNIPPET_CHARS`] around the first hit, with every hit marked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// One clean line (as the screen shows text).
    pub text: String,
    /// The byte ranges in `text` of the words the terms matched.
    pub hits: Vec<Range<usize>>,
}

impl Snippet {
    /// The text with each hit in `open` … `close`.
    #[must_use]
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for hit in &self.hits {
            out.push_str(&self.text[last..hit.start]);
            out.push_str(open);
            out.push_str(&self.text[hit.clone()]);
            out.push_str(close);
            last = hit.end;
        }
        out.push_str(&self.text[last..]);
        out
    }
}

/// The first sentence of `text` ([`indexed_text`]) that one of `terms`
/// matches, with the hits of all of them marked; `None` when none matches.
/// The first line, the title, which the list shows already, is taken only
/// when nothing after it matches.
#[must_use]
pub fn snippet(text: &str, terms: &[TextTerm]) -> Option<Snippet> {
    if terms.is_empty() {
        return None;
    }
    let (title, rest) = text.split_once('\n').unwrap_or((text, ""));
    sentences(rest)
        .find_map(|sentence| sentence_snippet(sentence, terms))
        .or_else(|| sentence_snippet(title, terms))
}

/// `sentence` as a snippet when one of `terms` matches it.
fn sentence_snippet(sentence: &str, terms: &[TextTerm]) -> Option<Snippet> {
    let cleaned = crate::sanitize::clean_line(sentence);
    let cleaned = cleaned.trim();
    let tokens: Vec<(Range<usize>, String)> = words_of(cleaned).collect();
    let mut hits: Vec<Range<usize>> = Vec::new();
    for at in 0..tokens.len() {
        for term in terms {
            if term.matches_at(&tokens, at) {
                let end = tokens[at + term.words.len() - 1].0.end;
                hits.push(tokens[at].0.start..end);
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    hits.sort_by_key(|hit| hit.start);
    // Overlapping hits (two terms on one word) are marked once.
    let mut merged: Vec<Range<usize>> = Vec::new();
    for hit in hits {
        match merged.last_mut() {
            Some(last) if hit.start <= last.end => last.end = last.end.max(hit.end),
            _ => merged.push(hit),
        }
    }
    Some(cut(cleaned, &merged))
}

/// `text`'s sentences: each ends after `.`, `!` or `?` followed by white
/// space, or at a line break.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let end = (0..bytes.len())
            .find(|&at| {
                bytes[at] == b'\n'
                    || (matches!(bytes[at], b'.' | b'!' | b'?')
                        && bytes.get(at + 1).is_none_or(u8::is_ascii_whitespace))
            })
            .map_or(bytes.len(), |at| at + 1);
        let (sentence, after) = rest.split_at(end);
        rest = after;
        Some(sentence)
    })
}

/// `sentence` cut to about [`SNIPPET_CHARS`] around its first hit, `…`
/// where it was cut, with the hits moved to match.
fn cut(sentence: &str, hits: &[Range<usize>]) -> Snippet {
    if sentence.chars().count() <= SNIPPET_CHARS {
        return Snippet {
            text: sentence.to_owned(),
            hits: hits.to_vec(),
        };
    }
    let first = hits.first().map_or(0, |hit| hit.start);
    // A third of the room before the first hit, on a character boundary.
    let before: usize = sentence[..first]
        .chars()
        .rev()
        .take(SNIPPET_CHARS / 3)
        .map(char::len_utf8)
        .sum();
    let start = first - before;
    let length: usize = sentence[start..]
        .chars()
        .take(SNIPPET_CHARS)
        .map(char::len_utf8)
        .sum();
    let end = start + length;
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < sentence.len() { "…" } else { "" };
    let text = format!("{lead}{}{tail}", &sentence[start..end]);
    let shift = lead.len();
    let hits = hits
        .iter()
        .filter(|hit| hit.start >= start && hit.end <= end)
        .map(|hit| hit.start - start + shift..hit.end - start + shift)
        .collect();
    Snippet { text, hits }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(value: &str) -> TextTerm {
        TextTerm::parse(value).expect("term")
    }

    /// The positions `index` finds the term typed as `value` at, in order.
    fn found(index: &FullText, value: &str) -> Vec<usize> {
        index
            .matching(&term(value))
            .expect("search")
            .positions()
            .collect()
    }

    #[test]
    fn terms_read_words_phrases_and_prefixes() {
        assert_eq!(term("Kherson").words, ["kherson"]);
        assert_eq!(term("ballistic missile").words, ["ballistic", "missile"]);
        let prefix = term("sanction*");
        assert!(prefix.prefix);
        assert_eq!(prefix.words, ["sanction"]);
        // Query syntax typed is only words.
        assert_eq!(term("a\" OR b NEAR(").words, ["a", "or", "b", "near"]);
        assert!(TextTerm::parse("  \"* ").is_none());
        assert_eq!(term("Côte").words, ["cote"]);
    }

    #[test]
    fn the_index_finds_words_phrases_and_prefixes_ranked() {
        let texts = [
            "Sanctions on Russia\nThe sanctions hold.",
            "Trade\nWe sanctioned nothing. Ballistic missile launches.",
            "Missile ballistic\nWords out of order.",
            "Kherson\nKherson, Kherson and Kherson again.",
        ]
        .map(String::from);
        let index = FullText::in_memory().expect("index");
        index.add(0, &texts[..2]).expect("add");
        index.add(2, &texts[2..]).expect("add");
        assert_eq!(index.indexed(), 4);
        let found = |value: &str| found(&index, value);
        assert_eq!(found("sanctions"), [0]);
        assert_eq!(found("sanction*"), [0, 1]);
        assert_eq!(found("ballistic missile"), [1]);
        assert_eq!(found("missile"), [1, 2]);
        assert_eq!(found("KHERSON"), [3]);
        assert!(found("zebra").is_empty());
    }

    /// Text no archive should hold but one may: a word longer than the
    /// index takes (left out of it, the rest of the text still found),
    /// control and invisible characters, scripts without spaces, a long
    /// phrase asked for, a prefix of everything. Nothing fails.
    #[test]
    fn hostile_texts_are_indexed_and_searched() {
        let texts = [
            format!("Long {} word\nthe end", "x".repeat(100_000)),
            "Nul\0byte\u{202e}reversed \u{200b}hidden\u{feff} Kherson".to_owned(),
            "東京で会合 Tokyo".to_owned(),
            "word ".repeat(50_000),
        ];
        let index = FullText::in_memory().expect("index");
        index.add(0, &texts).expect("add");
        let found = |value: &str| found(&index, value);
        assert_eq!(found("\"long\""), [0]);
        assert_eq!(found("\"word the end\""), [0]);
        assert_eq!(found("kherson"), [1]);
        assert_eq!(found("reversed"), [1]);
        assert_eq!(found("tokyo"), [2]);
        assert_eq!(found("word"), [0, 3]);
        let long_phrase = vec!["word"; 300].join(" ");
        assert_eq!(found(&format!("\"{long_phrase}\"")), [3]);
        assert_eq!(found("w*"), [0, 3]);
        assert!(found(&"x".repeat(100_000)).is_empty());
    }

    #[test]
    fn snippets_mark_hits_in_the_first_matching_sentence() {
        let text = "Title here\nNothing to see. The ballistic missile flew; a Missile again! End.";
        let found = snippet(text, &[term("missile")]).expect("snippet");
        assert_eq!(
            found.marked("[", "]"),
            "The ballistic [missile] flew; a [Missile] again!"
        );
        let phrase = snippet(text, &[term("ballistic missile")]).expect("snippet");
        assert_eq!(
            phrase.marked("[", "]"),
            "The [ballistic missile] flew; a Missile again!"
        );
        let prefix = snippet(text, &[term("tit*")]).expect("snippet");
        assert_eq!(prefix.marked("[", "]"), "[Title] here");
        // The title (shown already) only when nothing else matches.
        let later = snippet("Missile news\nA missile.", &[term("missile")]).expect("snippet");
        assert_eq!(later.marked("[", "]"), "A [missile].");
        assert!(snippet(text, &[term("zebra")]).is_none());
    }

    #[test]
    fn long_sentences_are_cut_around_the_hit() {
        let text = format!("{} needle {}", "word ".repeat(100), "more ".repeat(100));
        let found = snippet(&text, &[term("needle")]).expect("snippet");
        assert!(found.text.starts_with('…') && found.text.ends_with('…'));
        assert!(found.text.chars().count() <= SNIPPET_CHARS + 2);
        assert_eq!(&found.text[found.hits[0].clone()], "needle");
    }
}
