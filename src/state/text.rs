//! Full-text search as the browser keeps it: the index filled as statements
//! arrive (in the background in the real terminal; in tests and scripts, at
//! once when a query first asks for text), how far it has got, and the matching sentences of the listed
//! statements, made from their text as it is read for the screen.

use std::sync::Arc;

use super::{Effect, State};
use crate::search::FullText;
use crate::search::text::{indexed_text, snippet};

impl State {
    /// Starts a fresh full-text index for the statements held now (the
    /// archive was replaced: positions changed).
    pub(super) fn restart_full_text(&mut self) {
        self.full_text = FullText::in_memory().ok().map(Arc::new);
        self.text_indexed = 0;
        self.snippets.clear();
        self.index_text(0);
    }

    /// After a reload: a kept full-text index is carried over to the
    /// reloaded archive in the background (it keeps what is unchanged and
    /// indexes the rest: see [`FullText::carry_over`]) when the files were
    /// stamped; otherwise everything is indexed again in memory.
    pub(super) fn carry_full_text(&mut self, files: Option<Vec<crate::loader::FileStamp>>) {
        match files {
            Some(files)
                if self.background_search
                    && self.full_text.as_ref().is_some_and(|kept| kept.is_kept()) =>
            {
                self.text_indexed = 0;
                self.snippets.clear();
                self.effects.push(Effect::CarryText { files });
            }
            _ => self.restart_full_text(),
        }
    }

    /// A search of the full-text index failed (a kept index damaged
    /// inside; the searcher threw its file away): said, and everything is
    /// indexed again in memory, the query asked again as it goes.
    pub fn full_text_failed(&mut self, why: &str) {
        self.report(format!("full-text index damaged, indexing again: {why}"));
        self.restart_full_text();
        if self.query.has_text() {
            self.refresh_hits();
        }
    }

    /// The full-text index kept in the cache folder is open (`None`: it
    /// could not be, so the index is kept in memory): it takes up every
    /// statement that arrived meanwhile (those it already holds, as the same
    /// statements at the same places, are not indexed again).
    pub fn full_text_opened(&mut self, full_text: Option<FullText>, note: Option<String>) {
        let full_text = full_text.or_else(|| FullText::in_memory().ok());
        self.full_text = full_text.map(Arc::new);
        self.text_opening = false;
        self.text_indexed = 0;
        self.snippets.clear();
        if let Some(note) = note {
            self.report(note);
        }
        self.index_text(0);
        if self.query.has_text() {
            self.refresh_hits();
        }
    }

    /// Has the statements from position `first` on indexed: asked of the
    /// indexer in the background (it reports to [`State::text_indexed_to`]);
    /// else done now when a query asks for text ([`State::search`] calls
    /// this with what is not indexed yet).
    pub(super) fn index_text(&mut self, first: usize) {
        let Some(full_text) = &self.full_text else {
            return;
        };
        let count = self.catalog.statements.len().saturating_sub(first);
        if count == 0 {
            return;
        }
        if self.background_search {
            // While the archive loads, loading has the cores: the text is
            // indexed once it is in ([`State::loading_done`]).
            if self.loading.is_none() {
                self.effects.push(Effect::IndexText { first, count });
            }
            return;
        }
        if !self.query.has_text() {
            return;
        }
        // From wherever the index stopped, so it never has a gap.
        let first = self.text_indexed;
        let statements = &self.catalog.statements;
        let texts: Vec<String> = statements
            .range(first..statements.len())
            .map(indexed_text)
            .collect();
        match full_text.add(first, &texts) {
            Ok(()) => self.text_indexed = full_text.indexed(),
            Err(err) => self.report(format!("full-text index: {err:#}")),
        }
    }

    /// The indexer has indexed the first `indexed` statements of
    /// `full_text`; a query with `text:` terms is asked again, to find
    /// what was added (unless the index is no longer this archive's).
    /// `again_from`: the index held other statements than the archive's
    /// from there on (and has dropped them), so they are asked for again.
    pub fn text_indexed_to(
        &mut self,
        full_text: &Arc<FullText>,
        indexed: usize,
        again_from: Option<usize>,
    ) {
        if !self
            .full_text
            .as_ref()
            .is_some_and(|ours| Arc::ptr_eq(ours, full_text))
        {
            return;
        }
        self.text_indexed = indexed.min(self.catalog.statements.len());
        if let Some(first) = again_from {
            self.index_text(first);
        }
        if self.query.has_text() {
            self.refresh_hits();
        }
    }

    /// How much of the archive the full-text index holds, in percent,
    /// while it is not all of it.
    #[must_use]
    pub fn indexing_percent(&self) -> Option<usize> {
        let total = self.catalog.statements.len();
        // Without a background indexer nothing is indexed until asked.
        (self.background_search && self.full_text.is_some() && self.text_indexed < total)
            .then(|| self.text_indexed * 100 / total.max(1))
    }

    /// Listed statements on screen whose matching sentence is not worked
    /// out yet (the loop reads their text and hands it to
    /// [`State::text_read`]).
    #[must_use]
    pub fn wanted_snippets(&self) -> Vec<usize> {
        // While a new query's results are awaited, the rows are the last
        // query's: none of their sentences would be shown for long.
        if self.settling || self.query.text_terms().next().is_none() {
            return Vec::new();
        }
        let mut wanted: Vec<usize> = if self.row_height() > 1 {
            self.hits
                .iter()
                .skip(self.offset)
                .take(self.list_rows())
                .map(|hit| hit.index)
                .collect()
        } else {
            Vec::new()
        };
        if let Some(hit) = self.selected_hit() {
            wanted.push(hit.index);
        }
        wanted.retain(|at| !self.snippets.contains_key(at));
        wanted.dedup();
        wanted
    }

    /// Takes a listed statement's text (title, summary and body, or why it
    /// could not be read) and keeps its sentence matching the query's
    /// `text:` terms.
    pub fn text_read(&mut self, at: usize, text: Result<String, String>) {
        let terms: Vec<_> = self.query.text_terms().cloned().collect();
        let found = text.ok().and_then(|text| snippet(&text, &terms));
        self.snippets.insert(at, found);
    }
}
