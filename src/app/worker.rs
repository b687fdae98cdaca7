//! A background worker that answers only the newest job: while it works,
//! jobs queue; when it is free it skips all but the last (the others are
//! stale, a query or a find already typed over). The search and the find
//! in long statements both run on one of these, off the drawing thread.

use std::sync::mpsc::{self, Sender};

/// The handle the loop keeps; dropping it ends the worker.
pub struct Worker<J> {
    jobs: Sender<J>,
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
        std::thread::spawn(move || {
            super::lower_priority();
            while let Ok(mut job) = queue.recv() {
                while let Ok(newer) = queue.try_recv() {
                    job = newer;
                }
                if to_loop.send(run(job)).is_err() {
                    return;
                }
            }
        });
        Self { jobs }
    }

    pub fn submit(&self, job: J) {
        // Gone only when the loop is.
        let _ = self.jobs.send(job);
    }
}
