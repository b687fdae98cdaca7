//! The full-text engine under [`super::FullText`]: a tantivy index of each
//! statement's text, by archive position. Words are split and folded by
//! [`super::words_of`] (letters and digits make words; case and accents are
//! ignored), the same code the snippets use, so a snippet marks exactly the
//! words the index matched. Searches read the segments committed last
//! (a reader snapshot, no lock shared with the writer); relevance is
//! tantivy's BM25.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use anyhow::Context as _;
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::query::{
    BooleanQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};

use super::{TextTerm, words_of};

/// The name the word splitter is registered under in every index.
const WORDS: &str = "communique-words";

/// Memory each of the writer's threads fills before it writes a segment: a
/// batch of the indexer's 2,000 statements fits.
const WRITER_MEMORY: usize = 64 << 20;

/// The index's two fields: the statement's archive position (indexed, so a
/// range of positions can be dropped; a fast column, so a hit's position
/// is read without a stored document) and its words, with their places
/// (for phrases).
#[derive(Debug, Clone, Copy)]
struct Fields {
    position: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let position = builder.add_u64_field("position", INDEXED | FAST);
    let text = builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    (builder.build(), Fields { position, text })
}

/// Splits text into folded words for the index ([`words_of`]).
#[derive(Debug, Clone, Copy)]
struct Words;

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            words: Box::new(words_of(text)),
            token: Token::default(),
            position: 0,
        }
    }
}

struct WordStream<'a> {
    words: Box<dyn Iterator<Item = (std::ops::Range<usize>, String)> + 'a>,
    token: Token,
    position: usize,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((range, word)) = self.words.next() else {
            return false;
        };
        self.token = Token {
            offset_from: range.start,
            offset_to: range.end,
            position: self.position,
            text: word,
            position_length: 1,
        };
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A tantivy index of statement texts by archive position.
pub(super) struct Engine {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// Made on the first write, on the writing thread, so its threads take
    /// that thread's (lower) priority, and an index only read makes none.
    writer: Mutex<Option<IndexWriter>>,
    /// The writer's indexing threads.
    threads: usize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty index in memory, written by `threads` threads.
    pub(super) fn in_memory(threads: usize) -> anyhow::Result<Self> {
        let (schema, fields) = schema();
        let mut engine = Self::over(Index::create_in_ram(schema), fields)?;
        engine.threads = threads.max(1);
        Ok(engine)
    }

    /// A new, empty index in `folder` (made if missing, and empty).
    pub(super) fn create(folder: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(folder, schema)
            .with_context(|| format!("creating the full-text index in {}", folder.display()))?;
        Self::over(index, fields)
    }

    /// The index kept in `folder`, if it is one of this program's and every
    /// file of it is whole (each file's checksum is read and compared).
    pub(super) fn open(folder: &Path) -> anyhow::Result<Self> {
        let index = Index::open_in_dir(folder).context("its text index cannot be opened")?;
        let (schema, fields) = schema();
        anyhow::ensure!(
            serde_json::to_string(&index.schema())? == serde_json::to_string(&schema)?,
            "its text index is not communique's"
        );
        let damaged = index
            .validate_checksum()
            .context("its text index cannot be read")?;
        if let Some(file) = damaged.iter().next() {
            anyhow::bail!("its text index is damaged ({})", file.display());
        }
        Self::over(index, fields)
    }

    fn over(index: Index, fields: Fields) -> anyhow::Result<Self> {
        index.tokenizers().register(WORDS, Words);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("reading the full-text index")?;
        Ok(Self {
            index,
            fields,
            reader,
            writer: Mutex::new(None),
            threads: 1,
        })
    }

    /// Runs `write` with the index's writer, commits what it did and has
    /// searches read it.
    fn commit(
        &self,
        write: impl FnOnce(&IndexWriter, Fields) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut made = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let writer = match &mut *made {
            Some(writer) => writer,
            none => none.insert(
                self.index
                    .writer_with_num_threads(self.threads, WRITER_MEMORY * self.threads)
                    .context("writing the full-text index")?,
            ),
        };
        if let Err(err) = write(writer, self.fields) {
            let _ = writer.rollback();
            return Err(err);
        }
        writer.commit().context("writing the full-text index")?;
        self.reader
            .reload()
            .context("reading the full-text index")?;
        Ok(())
    }

    /// A query for every statement at `first` or after.
    fn from(&self, first: usize) -> Box<dyn Query> {
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(self.fields.position, first as u64)),
            Bound::Unbounded,
        ))
    }

    /// Makes the texts of positions `first..` be `texts`: whatever the
    /// index held from `first` on is dropped in the same commit.
    pub(super) fn replace_from(&self, first: usize, texts: &[String]) -> anyhow::Result<()> {
        let from = self.from(first);
        self.commit(|writer, fields| {
            writer.delete_query(from)?;
            for (at, text) in texts.iter().enumerate() {
                let mut document = TantivyDocument::default();
                document.add_u64(fields.position, (first + at) as u64);
                document.add_text(fields.text, text);
                writer.add_document(document)?;
            }
            Ok(())
        })
    }

    /// Drops the texts of positions `from..`.
    pub(super) fn drop_from(&self, from: usize) -> anyhow::Result<()> {
        let query = self.from(from);
        self.commit(|writer, _| {
            writer.delete_query(query)?;
            Ok(())
        })
    }

    /// Whether the index holds a text for each of the positions `0..count`
    /// (it may hold more, after a run stopped between writing the index
    /// and recording what it wrote: those are never searched).
    pub(super) fn holds_each_below(&self, count: usize) -> anyhow::Result<bool> {
        let below = RangeQuery::new(
            Bound::Included(Term::from_field_u64(self.fields.position, 0)),
            Bound::Excluded(Term::from_field_u64(self.fields.position, count as u64)),
        );
        let held = self
            .reader
            .searcher()
            .search(&below, &Count)
            .context("its text index cannot be read")?;
        Ok(held == count)
    }

    /// The positions below `below` whose text `term` is in, each with its
    /// BM25 relevance when `ranked` (else 0), in no order.
    pub(super) fn matching(
        &self,
        term: &TextTerm,
        ranked: bool,
        below: usize,
    ) -> anyhow::Result<Vec<(u64, Score)>> {
        if below == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let query = self.query(&searcher, term)?;
        searcher
            .search(
                query.as_ref(),
                &Positions {
                    position: self.fields.position,
                    ranked,
                    below: below as u64,
                },
            )
            .context("searching the full-text index")
    }

    /// The query for `term`: a word, a phrase, a word's prefix (every word
    /// the index holds that starts so, each scored) or a phrase whose last
    /// word is a prefix.
    fn query(
        &self,
        searcher: &tantivy::Searcher,
        term: &TextTerm,
    ) -> anyhow::Result<Box<dyn Query>> {
        let field = self.fields.text;
        let terms: Vec<Term> = term
            .words
            .iter()
            .map(|word| Term::from_field_text(field, word))
            .collect();
        Ok(match (terms.as_slice(), term.prefix) {
            ([], _) => Box::new(EmptyQuery),
            ([only], false) => Box::new(TermQuery::new(only.clone(), IndexRecordOption::WithFreqs)),
            (_, false) => Box::new(PhraseQuery::new(terms)),
            ([_], true) => {
                let words = self.words_starting(searcher, &term.words[0])?;
                let each: Vec<(Occur, Box<dyn Query>)> = words
                    .iter()
                    .map(|word| {
                        let query: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(field, word),
                            IndexRecordOption::WithFreqs,
                        ));
                        (Occur::Should, query)
                    })
                    .collect();
                if each.is_empty() {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(BooleanQuery::new(each))
                }
            }
            (_, true) => {
                let mut query = PhrasePrefixQuery::new(terms);
                query.set_max_expansions(u32::MAX);
                Box::new(query)
            }
        })
    }

    /// Every word of the index that starts with `prefix`.
    fn words_starting(
        &self,
        searcher: &tantivy::Searcher,
        prefix: &str,
    ) -> anyhow::Result<BTreeSet<String>> {
        let mut words = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.text)?;
            let mut range = inverted.terms().range().ge(prefix.as_bytes());
            if let Some(end) = after_prefix(prefix.as_bytes()) {
                range = range.lt(end);
            }
            let mut stream = range.into_stream()?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    words.insert(word.to_owned());
                }
            }
        }
        Ok(words)
    }
}

/// The least key greater than every key starting with `prefix` (`None`
/// when there is none: every byte is 0xFF).
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Collects every hit's position (below `below`) and score.
struct Positions {
    position: Field,
    ranked: bool,
    below: u64,
}

struct SegmentPositions {
    positions: std::sync::Arc<dyn ColumnValues<u64>>,
    below: u64,
    found: Vec<(u64, Score)>,
}

impl Collector for Positions {
    type Fruit = Vec<(u64, Score)>;
    type Child = SegmentPositions;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPositions> {
        let name = reader.schema().get_field_name(self.position);
        let positions = reader
            .fast_fields()
            .u64(name)?
            .first_or_default_col(u64::MAX);
        Ok(SegmentPositions {
            positions,
            below: self.below,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.ranked
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentPositions {
    type Fruit = Vec<(u64, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let position = self.positions.get_val(doc);
        if position < self.below {
            self.found.push((position, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}
