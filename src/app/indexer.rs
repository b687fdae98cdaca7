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
/// Statements an index holds checked at a time (between two reports).
const CHECKED: usize = 50_000;

/// Statements to add to an index, from archive position `first` on: the
/// ids of those the index held when the job was made (a kept index: only
/// checked to be the same statements, so they are not copied for it), then
/// the statements after them.
pub struct Job {
    pub full_text: Arc<FullText>,
    pub first: usize,
    pub held: Vec<String>,
    pub statements: Vec<Statement>,
    /// After a reload: the kept index is first carried over to the archive
    /// as reloaded ([`FullText::carry_over`]).
    pub carry: Option<Carry>,
}

/// What carrying a kept index over to a reloaded archive needs besides the
/// ids: the file of each statement held, and the archive's files.
pub struct Carry {
    pub paths: Vec<Arc<std::path::Path>>,
    pub files: Vec<crate::loader::FileStamp>,
}

/// How far an index has got: the first `indexed` statements are in.
#[derive(Debug)]
pub struct Indexed {
    pub full_text: Arc<FullText>,
    pub indexed: usize,
    /// Why a batch could not be indexed, if one could not.
    pub error: Option<String>,
    /// The index held other statements from this position on than the
    /// job's (dropped from it now): they are to be indexed again, from
    /// the statements themselves.
    pub again_from: Option<usize>,
    /// The kept index could not be carried over to a reloaded archive (it
    /// may hold text of files changed since): not to be used.
    pub stale: bool,
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
    let tell = |error: Option<String>, again_from: Option<usize>, stale: bool| {
        report
            .send(super::Input::Indexed(Indexed {
                full_text: Arc::clone(&job.full_text),
                indexed: job.full_text.indexed(),
                error,
                again_from,
                stale,
            }))
            .is_ok()
    };
    let send = |error, again_from| tell(error, again_from, false);
    if let Some(carry) = &job.carry {
        let ids: Vec<&str> = job.held.iter().map(String::as_str).collect();
        let paths: Vec<&std::path::Path> = carry.paths.iter().map(AsRef::as_ref).collect();
        if let Err(err) = job.full_text.carry_over(&ids, &paths, &carry.files) {
            let why = format!("carrying it over to the reloaded archive: {err:#}");
            return tell(Some(why), None, true);
        }
    }
    for (number, ids) in job.held.chunks(CHECKED).enumerate() {
        let first = job.first + number * CHECKED;
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let reported = match job.full_text.resume(first, &ids) {
            Ok(same) if same == ids.len() => send(None, None),
            Ok(same) => return send(None, Some(first + same)),
            Err(err) => return send(Some(format!("full-text index: {err:#}")), None),
        };
        if !reported {
            return false;
        }
    }
    let after = job.first + job.held.len();
    for (number, batch) in job.statements.chunks(BATCH).enumerate() {
        let first = after + number * BATCH;
        let error = job
            .full_text
            .add_missing(first, batch)
            .err()
            .map(|err| format!("full-text index: {err:#}"));
        let stop = error.is_some();
        if !send(error, None) {
            return false;
        }
        if stop {
            break;
        }
    }
    true
}
