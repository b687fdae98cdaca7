//! The background full-text indexer: statements' text (bodies read back
//! from disk where they were left there) goes into the full-text index in
//! batches, in the order asked, off the drawing thread; after each batch it
//! says how far the index has got, so `text:` searches find what is
//! indexed so far.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use crate::records::Statement;
use crate::search::FullText;

/// Statements indexed in one transaction (and between two reports).
const BATCH: usize = 2_000;

/// Statements to add to an index, from archive position `first` on.
pub struct Job {
    pub full_text: Arc<FullText>,
    pub first: usize,
    pub statements: Vec<Statement>,
}

/// How far an index has got: the first `indexed` statements are in.
#[derive(Debug)]
pub struct Indexed {
    pub full_text: Arc<FullText>,
    pub indexed: usize,
    /// Why a batch could not be indexed, if one could not.
    pub error: Option<String>,
}

/// The indexer the loop keeps (dropping it ends the thread).
pub struct Indexer {
    jobs: Sender<Job>,
}

impl Indexer {
    /// Starts the indexer thread, at a lower priority than drawing, which
    /// reports to the loop.
    #[must_use]
    pub fn start(to_loop: Sender<super::Input>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            super::lower_priority();
            while let Ok(job) = queue.recv() {
                if !index(&job, &to_loop) {
                    return;
                }
            }
        });
        Self { jobs }
    }

    pub fn submit(&self, job: Job) {
        // The thread ends only when the loop stops listening.
        let _ = self.jobs.send(job);
    }
}

/// Indexes one job batch by batch; false once nobody listens.
fn index(job: &Job, report: &Sender<super::Input>) -> bool {
    for (number, batch) in job.statements.chunks(BATCH).enumerate() {
        let first = job.first + number * BATCH;
        let error = job
            .full_text
            .add_missing(first, batch)
            .err()
            .map(|err| format!("full-text index: {err:#}"));
        let stop = error.is_some();
        let sent = report.send(super::Input::Indexed(Indexed {
            full_text: Arc::clone(&job.full_text),
            indexed: job.full_text.indexed(),
            error,
        }));
        if sent.is_err() {
            return false;
        }
        if stop {
            break;
        }
    }
    true
}
