//! A background worker that answers only the newest job: while it works,
//! jobs queue; when it is free it skips all but the last (the others are
//! stale, a query or a find already typed over). The search and the find
//! in long statements both run on one of these, off the drawing thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};

/// The handle the loop keeps; dropping it ends the worker.
pub struct Worker<J> {
    jobs: Sender<J>,
    /// Jobs asked for and not yet answered (the input reader polls faster
    /// while there are some).
    pub pending: Arc<AtomicUsize>,
}

impl<J: Send + 'static> Worker<J> {
    /// Starts a worker thread, at a lower priority than drawing, that
    /// answers each newest job with `run` and sends the answer to the loop.
    #[must_use]
    pub fn start(
        to_loop: Sender<super::Input>,
        run: impl Fn(J) -> super::Input + Send + 'static,
    ) -> Self {
        let (jobs, queue) = mpsc::channel::<J>();
        let pending = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&pending);
        std::thread::spawn(move || {
            super::lower_priority();
            while let Ok(mut job) = queue.recv() {
                while let Ok(newer) = queue.try_recv() {
                    counter.fetch_sub(1, Ordering::SeqCst);
                    job = newer;
                }
                let sent = to_loop.send(run(job));
                counter.fetch_sub(1, Ordering::SeqCst);
                if sent.is_err() {
                    return;
                }
            }
        });
        Self { jobs, pending }
    }

    pub fn submit(&self, job: J) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
