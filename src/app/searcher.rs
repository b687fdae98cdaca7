//! The background search worker: matching runs here, off the drawing
//! thread, so a keystroke is on screen at once and the ranked results follow.
//! A search asked for while another runs replaces any still waiting.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use crate::search::{Chunks, FullText, Hit, Query};
use crate::store::Marks;

/// One search to run.
pub struct Job {
    pub generation: u64,
    /// A snapshot of the index, of the statements listed when asked.
    pub index: Chunks,
    /// For the query's `text:` terms.
    pub full_text: Option<Arc<FullText>>,
    pub query: Query,
    pub marks: HashMap<usize, Marks>,
    /// Sort the hits by (score, this rank): see [`Chunks::search_ranked`].
    pub rank: Option<Arc<Vec<u32>>>,
}

/// Finished results: the search's number, its hits, and why the full-text
/// index could not be searched, if it could not.
pub type Found = (u64, Vec<Hit>, Option<String>);

/// The search worker the loop keeps (dropping it ends the worker).
pub type Searcher = super::worker::Worker<Job>;

/// Starts the search worker, which sends results to the loop.
#[must_use]
pub fn start(to_loop: Sender<super::Input>) -> Searcher {
    Searcher::start(to_loop, |job| super::Input::Searched(search(job)))
}

fn search(job: Job) -> Found {
    // Debug builds: so the end-to-end tests can prove that a panic off the
    // drawing thread ends the browser with the terminal restored.
    super::panic_if_asked("COMMUNIQUE_PANIC_IN_SEARCH", "in the search worker");
    let marks = &job.marks;
    let marks_of = |at| marks.get(&at);
    let index = &job.index;
    let rank = job.rank.as_deref().map(Vec::as_slice);
    let hits = match &job.full_text {
        Some(full_text) => {
            match crate::search::text::search(index, full_text, &job.query, &marks_of, rank) {
                Ok(hits) => hits,
                // A kept index damaged inside (its quick checks passed):
                // its file is thrown away here, off the drawing thread, and
                // the state indexes again (SQLite in memory fails only when
                // memory runs out).
                Err(err) => {
                    full_text.discard_kept();
                    return (job.generation, Vec::new(), Some(format!("{err:#}")));
                }
            }
        }
        None if job.query.has_text() => Vec::new(),
        None => match rank {
            Some(rank) => index.search_ranked(&job.query, &marks_of, rank),
            None => index.search_with(&job.query, &marks_of),
        },
    };
    (job.generation, hits, None)
}
