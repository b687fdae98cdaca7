//! The archive arriving while the browser is open: the first load streams in
//! batch by batch (the list grows and re-ranks as it does), and bodies left
//! on disk are asked for when a statement is shown.

use super::{State, View};
use crate::catalog::Order;
use crate::loader::Progress;
use crate::records::Statement;
use crate::search::Hit;

/// How many bodies read back from disk are kept in memory.
const BODIES_KEPT: usize = 16;

/// A hit for a statement listed without a fuzzy score.
#[must_use]
pub fn plain_hit(index: usize) -> Hit {
    Hit::plain(index)
}

impl State {
    /// Takes more statements of the first load: they join the list where
    /// the sort puts them, and the cursor stays on its statement.
    ///
    /// `index` is the search index with them (a snapshot the sender made:
    /// it may hold more, never fewer); `order` is the order with them,
    /// when the sender worked it out (the loader does); without it they
    /// are merged here.
    pub fn statements_arrived(
        &mut self,
        batch: Vec<Statement>,
        index: crate::search::Chunks,
        progress: Progress,
        order: Option<Order>,
    ) {
        self.loading = Some(progress);
        let wanted = self.catalog.len() + batch.len();
        // Room for the whole archive as far as the progress tells.
        let expected = match (progress.bytes_done, progress.bytes_total) {
            (done, total) if done > 0 && total > done => {
                let ratio = total as f64 / done as f64;
                (progress.statements.max(wanted) as f64 * ratio * 1.25) as usize
            }
            _ => wanted,
        };
        let first = self.catalog.arrive(batch, index, order, expected);
        if self.catalog.len() == first {
            return;
        }
        self.index_text(first);
        self.gather_arrived(first);
        self.list_arrived();
    }

    /// The list and an open filter panel take statements just arrived.
    fn list_arrived(&mut self) {
        if !self.background_search {
            self.refresh_hits();
        } else {
            self.refresh_wanted = true;
            self.maybe_refresh();
        }
        if let View::Filter(_) = self.view {
            self.view = View::Filter(super::FilterPanel::new(self));
        }
    }

    /// Takes the whole catalog of the first load at once (taken from its
    /// snapshot, its statements restored as they are shown).
    pub fn catalog_arrived(&mut self, catalog: crate::catalog::Catalog, progress: Progress) {
        self.loading = Some(progress);
        self.catalog = catalog;
        // Gathered when the signatories browser asks (gathering now would
        // restore every statement).
        self.signatory_gathered = None;
        self.signatory_snapshot = None;
        self.index_text(0);
        self.list_arrived();
    }

    /// A statement taken from the catalog snapshot turned out not to
    /// restore (damaged in a way its checksums did not catch; a stand-in
    /// that says so is shown in its place): the archive is read again from
    /// its files, once.
    pub fn notice_damage(&mut self) {
        if self.damage_noticed {
            return;
        }
        let Some(why) = self.catalog.statements.damage() else {
            return;
        };
        self.damage_noticed = true;
        self.report(format!("catalog read again from the archive: {why}"));
        self.effects.push(super::Effect::Reload);
    }

    /// Searches (or lists) again for statements that arrived since the
    /// last search, once no search runs and (while loading) their number
    /// has grown by a quarter: a running search is shown rather than thrown
    /// away, and searching does not take the cores from loading (the index
    /// matches only what arrived since, so the search after the last batch
    /// is short); listing everything again for each of a million
    /// statements' 64 messages wrote 32 million rows.
    pub(crate) fn maybe_refresh(&mut self) {
        let grown = self.catalog.statements.len() >= self.searched_over.max(1) * 5 / 4;
        if self.refresh_wanted && self.searching.is_none() && (self.loading.is_none() || grown) {
            self.refresh_wanted = false;
            self.refresh_hits();
        }
    }

    /// The first load has finished: the archive's problems (as `check`
    /// prints them) are known, and its contacts directory when it was kept
    /// (else it follows: [`State::contacts_gathered`]).
    pub fn loading_done(
        &mut self,
        directory: Option<crate::contacts::Directory>,
        problem_lines: Vec<String>,
    ) {
        self.loading = None;
        self.index_text(0);
        let gathered = directory.is_some();
        self.catalog.finish(directory, problem_lines);
        if gathered {
            self.refresh_contact_views();
        }
        self.maybe_refresh();
        self.refresh_timeline();
    }

    /// The contacts directory, merged after the load finished.
    pub fn contacts_gathered(&mut self, directory: crate::contacts::Directory) {
        self.catalog.set_directory(directory);
        self.refresh_contact_views();
    }

    /// Statements on screen whose bodies are still on disk: the loop reads
    /// them before drawing ([`State::body_read`]).
    #[must_use]
    pub fn wanted_bodies(&self) -> Vec<usize> {
        let mut wanted = self.on_screen();
        wanted.retain(|&at| {
            self.catalog
                .statements
                .get(at)
                .is_some_and(Statement::body_on_disk)
        });
        wanted
    }

    /// Statements whose text is on screen: open ones, and the one previewed.
    fn on_screen(&self) -> Vec<usize> {
        let mut wanted = Vec::new();
        let mut view = Some(&self.view);
        while let Some(shown) = view {
            if let View::Detail(detail) = shown {
                wanted.push(detail.statement);
            }
            view = shown.under();
        }
        if self.preview_shown()
            && let Some(hit) = self.selected_hit()
        {
            wanted.push(hit.index);
        }
        wanted.dedup();
        wanted
    }

    /// Takes a body read back from disk (or why it could not be). Only the
    /// last few are kept in memory.
    pub fn body_read(&mut self, at: usize, body: Result<Option<String>, String>) {
        let Some(statement) = self.catalog.statements.get_mut(at) else {
            return;
        };
        match body {
            Ok(body) => statement.body = Some(body.unwrap_or_default()),
            Err(err) => {
                statement.body = Some(String::new());
                self.status = Some(format!("cannot show the statement's text: {err}"));
            }
        }
        self.paginate_open();
        self.bodies_read.retain(|&earlier| earlier != at);
        self.bodies_read.push(at);
        if self.bodies_read.len() > BODIES_KEPT {
            let wanted = self.on_screen();
            let dropped = self.bodies_read.len() - BODIES_KEPT;
            let old: Vec<usize> = self.bodies_read.drain(..dropped).collect();
            for earlier in old {
                if wanted.contains(&earlier) {
                    self.bodies_read.push(earlier);
                } else if let Some(statement) = self.catalog.statements.get_mut(earlier) {
                    statement.body = None;
                }
            }
        }
    }
}
