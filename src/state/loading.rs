//! The archive arriving while the browser is open: the first load streams in
//! batch by batch (the list grows and re-ranks as it does), and bodies left
//! on disk are asked for when a statement is shown.

use std::sync::Arc;

use super::{State, View};
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

/// The newest-first order of every statement so far (positions, as
/// [`State::order`]) and each one's place in it (as [`State::rank`]), worked
/// out by whoever sends a batch: at a million statements, merging on the
/// drawing thread would hold the screen for a second.
#[derive(Debug, Clone)]
pub struct Order {
    pub order: Vec<u32>,
    pub rank: Arc<Vec<u32>>,
}

/// `order` (positions newest first) with `arrived` (newest first too)
/// merged in; `newer(a, b)`: whether `a` goes before `b`. Equal ones keep
/// the old first.
#[must_use]
pub fn merge_newest(order: &[u32], arrived: &[u32], newer: impl Fn(u32, u32) -> bool) -> Vec<u32> {
    let mut merged = Vec::with_capacity(order.len() + arrived.len());
    let (mut old, mut new) = (order.iter().peekable(), arrived.iter().peekable());
    loop {
        let next = match (old.peek(), new.peek()) {
            (Some(&&a), Some(&&b)) if newer(b, a) => new.next(),
            (Some(_), _) => old.next(),
            (None, _) => new.next(),
        };
        match next {
            Some(&at) => merged.push(at),
            None => return merged,
        }
    }
}

/// The statements' positions newest first, and each one's place in that
/// order.
#[must_use]
pub fn newest_order(statements: &[Statement]) -> Order {
    let order = newest_positions(statements.len(), |at| {
        let statement = &statements[at as usize];
        (&statement.published, statement.id.as_str())
    });
    let rank = Arc::new(ranks(&order));
    Order { order, rank }
}

/// Positions `0..count` newest first, each one's date and id given by
/// `key` (equal ones, which a loaded archive never has, in position order),
/// sorted on all cores.
#[must_use]
pub fn newest_positions<'a>(
    count: usize,
    key: impl Fn(u32) -> (&'a crate::records::Published, &'a str) + Sync,
) -> Vec<u32> {
    use rayon::slice::ParallelSliceMut as _;
    let mut order: Vec<u32> = (0..count).map(position).collect();
    order.par_sort_unstable_by(|&a, &b| {
        crate::records::newest_first(key(a), key(b)).then(a.cmp(&b))
    });
    order
}

fn position(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Each position's place in `order`.
#[must_use]
pub fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0; order.len()];
    for (place, &at) in order.iter().enumerate() {
        rank[at as usize] = position(place);
    }
    rank
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
        // Also with no statements: the last message brings the index
        // merged into one part.
        self.index = index;
        if batch.is_empty() {
            return;
        }
        let first = self.statements.len();
        let wanted = first + batch.len();
        if wanted > self.statements.capacity() {
            // Room for the whole archive as far as the progress tells, so
            // a million statements are not copied each time the list grows.
            let expected = match (progress.bytes_done, progress.bytes_total) {
                (done, total) if done > 0 && total > done => {
                    let ratio = total as f64 / done as f64;
                    (progress.statements.max(wanted) as f64 * ratio * 1.25) as usize
                }
                _ => wanted,
            };
            self.statements.reserve(expected.max(wanted) - first);
        }
        self.statements.extend(batch);
        self.index_text(first);
        self.gather_arrived(first);
        match order {
            Some(Order { order, rank }) if order.len() == self.statements.len() => {
                self.order = order;
                self.rank = rank;
            }
            _ => {
                // Sort the newcomers, then merge them into the order so far.
                let statements = &self.statements;
                let newest = |a: &u32, b: &u32| {
                    Statement::newest_first(&statements[*a as usize], &statements[*b as usize])
                };
                let mut arrived: Vec<u32> = (first..statements.len()).map(position).collect();
                if !arrived.is_sorted_by(|a, b| newest(a, b).is_le()) {
                    arrived.sort_by(newest);
                }
                let merged = merge_newest(&self.order, &arrived, |a, b| newest(&a, &b).is_lt());
                self.rank = Arc::new(ranks(&merged));
                self.order = merged;
            }
        }
        if self.lists_everything() || !self.background_search {
            self.refresh_hits();
        } else {
            self.refresh_wanted = true;
            self.maybe_refresh();
        }
        if let View::Filter(_) = self.view {
            self.view = View::Filter(super::FilterPanel::new(self));
        }
    }

    /// Searches again for statements that arrived since the last search,
    /// once no search runs and (while loading) their number has grown by a
    /// quarter: a running search is shown rather than thrown away, and
    /// searching does not take the cores from loading (the index matches
    /// only what arrived since, so the search after the last batch is
    /// short).
    pub(crate) fn maybe_refresh(&mut self) {
        let grown = self.statements.len() >= self.searched_over.max(1) * 5 / 4;
        if self.refresh_wanted && self.searching.is_none() && (self.loading.is_none() || grown) {
            self.refresh_wanted = false;
            self.refresh_hits();
        }
    }

    /// The first load has finished.
    pub fn loading_done(&mut self, problem_lines: Vec<String>) {
        self.loading = None;
        self.maybe_refresh();
        self.refresh_timeline();
        self.problems = problem_lines.len();
        self.problem_lines = problem_lines;
    }

    /// Statements on screen whose bodies are still on disk: the loop reads
    /// them before drawing ([`State::body_read`]).
    #[must_use]
    pub fn wanted_bodies(&self) -> Vec<usize> {
        let mut wanted = self.on_screen();
        wanted.retain(|&at| self.statements.get(at).is_some_and(Statement::body_on_disk));
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
        let Some(statement) = self.statements.get_mut(at) else {
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
                } else if let Some(statement) = self.statements.get_mut(earlier) {
                    statement.body = None;
                }
            }
        }
    }
}
