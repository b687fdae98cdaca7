//! The find-in-text worker for long statements: looking for a word across
//! the pages of a body of many megabytes runs here, off the drawing thread,
//! so the find line answers every key at once. A find asked for while
//! another runs replaces any still waiting.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

/// One find to run: see [`crate::state::Effect::FindPage`].
pub struct Job {
    pub generation: u64,
    pub text: Arc<str>,
    pub pages: Arc<[Range<usize>]>,
    pub needle: String,
    pub from: usize,
    pub forward: bool,
}

/// A finished find: its number, its direction and the page found.
pub type PageFound = (u64, bool, Option<usize>);

/// The handle the loop keeps; dropping it ends the worker.
pub struct Finder {
    jobs: Sender<Job>,
    /// Finds asked for and not yet answered (the input reader polls faster
    /// while there are some).
    pub pending: Arc<AtomicUsize>,
}

impl Finder {
    /// Starts the worker, which sends results to `found`.
    #[must_use]
    pub fn start(found: Sender<PageFound>) -> Self {
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

fn work(queue: &Receiver<Job>, found: &Sender<PageFound>, pending: &AtomicUsize) {
    while let Ok(mut job) = queue.recv() {
        // Only the newest find matters.
        while let Ok(newer) = queue.try_recv() {
            pending.fetch_sub(1, Ordering::SeqCst);
            job = newer;
        }
        let page =
            crate::document::page_with(&job.text, &job.pages, &job.needle, job.from, job.forward);
        let sent = found.send((job.generation, job.forward, page));
        pending.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}
