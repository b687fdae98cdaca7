//! The background search worker: matching runs here, off the drawing
//! thread, so a keystroke is on screen at once and the ranked results follow.
//! A search asked for while another runs replaces any still waiting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, PoisonError, RwLock};

use crate::search::{Hit, Index, Query};
use crate::store::Marks;

/// One search to run.
pub struct Job {
    pub generation: u64,
    pub index: Arc<RwLock<Index>>,
    pub query: Query,
    pub marks: HashMap<usize, Marks>,
    /// Sort the hits by (score, this rank): see [`Index::search_ranked`].
    pub rank: Option<Arc<Vec<u32>>>,
}

/// Finished results: the search's number and its hits.
pub type Found = (u64, Vec<Hit>);

/// The handle the loop keeps; dropping it ends the worker.
pub struct Searcher {
    jobs: Sender<Job>,
    /// Searches asked for and not yet answered (the input reader polls
    /// faster while there are some).
    pub pending: Arc<AtomicUsize>,
}

impl Searcher {
    /// Starts the worker, which sends results to `found`.
    #[must_use]
    pub fn start(found: Sender<Found>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pending);
        std::thread::spawn(move || {
            super::lower_priority();
            work(&queue, &found, &counter);
        });
        Self { jobs, pending }
    }

    pub fn submit(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn work(queue: &Receiver<Job>, found: &Sender<Found>, pending: &AtomicUsize) {
    while let Ok(mut job) = queue.recv() {
        // Only the newest query matters: skip any that are already stale.
        while let Ok(newer) = queue.try_recv() {
            pending.fetch_sub(1, Ordering::SeqCst);
            job = newer;
        }
        let marks = &job.marks;
        let marks_of = |at| marks.get(&at);
        let index = job.index.read().unwrap_or_else(PoisonError::into_inner);
        let hits = match &job.rank {
            Some(rank) => index.search_ranked(&job.query, &marks_of, rank),
            None => index.search_with(&job.query, &marks_of),
        };
        drop(index);
        let sent = found.send((job.generation, hits));
        pending.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}
