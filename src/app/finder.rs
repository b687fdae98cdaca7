//! The find-in-text worker for long statements: looking for a word across
//! the pages of a body of many megabytes runs here, off the drawing thread,
//! so the find line answers every key at once. A find asked for while
//! another runs replaces any still waiting.

use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::Sender;

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

/// The find worker the loop keeps (dropping it ends the worker).
pub type Finder = super::worker::Worker<Job>;

/// Starts the find worker, which sends results to the loop.
#[must_use]
pub fn start(to_loop: Sender<super::Input>) -> Finder {
    Finder::start(to_loop, |job: Job| {
        let page =
            crate::document::page_with(&job.text, &job.pages, &job.needle, job.from, job.forward);
        super::Input::PageFound((job.generation, job.forward, page))
    })
}
