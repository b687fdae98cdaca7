//! The signatory worker: signatory pages, the list's timeline and
//! comparisons are worked out here, off the drawing thread (building the
//! ledger of a large archive alone takes a while). Unlike the search
//! worker it answers every kind of question it is asked: a queued question
//! is dropped only for a newer one of the same kind, so an open timeline
//! and a page asked for at once both arrive.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use crate::signatories::browse::{Answer, Ask, Snapshot, answer};

/// One question: see [`crate::state::Effect::Signatories`].
pub struct Job {
    pub generation: u64,
    pub snapshot: Arc<Snapshot>,
    pub ask: Ask,
}

/// A finished answer and the number of its question.
pub type Answered = (u64, Answer);

/// The handle the loop keeps; dropping it ends the worker.
pub struct Worker {
    jobs: Sender<Job>,
}

/// What kind of view a question is for: a newer question of the same kind
/// makes an older one stale.
fn kind(ask: &Ask) -> u8 {
    match ask {
        Ask::Page(_) => 0,
        Ask::Timeline(_) => 1,
        Ask::Compare(..) | Ask::CompareWithPrevious { .. } => 2,
    }
}

impl Worker {
    /// Starts the worker thread, at a lower priority than drawing, which
    /// sends its answers to the loop.
    #[must_use]
    pub fn start(to_loop: Sender<super::Input>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            super::lower_priority();
            while let Ok(first) = queue.recv() {
                let mut batch = vec![first];
                batch.extend(queue.try_iter());
                let count = batch.len();
                // The newest of each kind, in the order asked.
                let keep: Vec<bool> = (0..count)
                    .map(|at| {
                        let own = kind(&batch[at].ask);
                        !batch[at + 1..].iter().any(|later| kind(&later.ask) == own)
                    })
                    .collect();
                let newest: Vec<Job> = batch
                    .into_iter()
                    .zip(keep)
                    .filter_map(|(job, keep)| keep.then_some(job))
                    .collect();
                for job in newest {
                    let answered = (job.generation, answer(&job.snapshot, &job.ask));
                    let sent = to_loop.send(super::Input::Signatories(Box::new(answered)));
                    if sent.is_err() {
                        return;
                    }
                }
            }
        });
        Self { jobs }
    }

    pub fn submit(&self, job: Job) {
        // Gone only when the loop is.
        let _ = self.jobs.send(job);
    }
}
