//! The background full-text indexer: statements' text (bodies read back
//! from disk where they were left there) goes into the full-text index in
//! batches, in the order asked, off the drawing thread; after each batch it
//! says how far the index has got, so `text:` searches find what is
//! indexed so far.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use crate::catalog::TextParts;
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
    /// What is indexed of the statements after those held (restored here
    /// when they are shelved).
    pub statements: TextParts,
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
    /// Starts the indexer thread, at the lowest priority (below drawing
    /// and searching), which reports to the loop.
    #[must_use]
    pub fn start(to_loop: Sender<super::Input>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            super::lowest_priority();
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

/// The full-text indexer's job for the statements at `first..first +
/// count`, carrying the kept index over to a reloaded archive first when
/// `files` are given. Of those the index holds already (a kept one) only
/// the ids (and, to carry it over, the files) go, to be checked: at a
/// million statements copying them all was gigabytes of fresh memory; of
/// the others, only what is indexed ([`Statement::text_part`]).
pub fn job(
    state: &crate::state::State,
    first: usize,
    count: usize,
    files: Option<Vec<crate::loader::FileStamp>>,
) -> Option<Job> {
    let full_text = state.full_text.as_ref()?;
    let end = state
        .catalog
        .statements
        .len()
        .min(first.saturating_add(count));
    if first >= end {
        return None;
    }
    let held_to = full_text.indexed().clamp(first, end);
    let statements = &state.catalog.statements;
    let held = || statements.range(first..held_to);
    Some(Job {
        full_text: Arc::clone(full_text),
        first,
        held: (first..held_to)
            .map(|at| statements.id(at).unwrap_or_default().to_owned())
            .collect(),
        statements: statements.text_parts(held_to..end),
        carry: files.map(|files| Carry {
            paths: held()
                .map(|statement| Arc::clone(&statement.origin.path))
                .collect(),
            files,
        }),
    })
}

/// Statements `next..end` still to be handed to the indexer, for
/// `full_text`: copying a million statements for it at once held the
/// drawing thread for over a second when a load ended, so they go
/// [`PIECE`] at a time, one piece after each frame the loop draws (after
/// each input it takes: the indexer's report of each batch is one).
#[derive(Debug, Default)]
pub struct Feed {
    pending: Option<Pending>,
}

#[derive(Debug)]
struct Pending {
    full_text: Arc<FullText>,
    next: usize,
    end: usize,
}

/// Statements copied for the indexer at once: a few milliseconds' work.
const PIECE: usize = 2_048;

impl Feed {
    /// Has statements `first..first + count` indexed, handing the first
    /// piece on now: those already waiting, if for the same index, are
    /// taken in.
    pub fn ask(
        &mut self,
        state: &crate::state::State,
        first: usize,
        count: usize,
        submit: impl FnOnce(Job),
    ) {
        let Some(full_text) = &state.full_text else {
            return;
        };
        let end = first.saturating_add(count);
        self.pending = Some(match self.pending.take() {
            Some(pending) if Arc::ptr_eq(&pending.full_text, full_text) => Pending {
                next: pending.next.min(first),
                end: pending.end.max(end),
                ..pending
            },
            _ => Pending {
                full_text: Arc::clone(full_text),
                next: first,
                end,
            },
        });
        self.hand_on(state, submit);
    }

    /// Hands the next piece waiting on (none once the index is no longer
    /// the state's).
    pub fn hand_on(&mut self, state: &crate::state::State, submit: impl FnOnce(Job)) {
        let Some(pending) = &mut self.pending else {
            return;
        };
        let current = state
            .full_text
            .as_ref()
            .is_some_and(|full_text| Arc::ptr_eq(full_text, &pending.full_text));
        let end = pending.end.min(state.catalog.statements.len());
        if !current || pending.next >= end {
            self.pending = None;
            return;
        }
        let count = PIECE.min(end - pending.next);
        if let Some(job) = job(state, pending.next, count, None) {
            submit(job);
        }
        pending.next += count;
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
    // A piece after one that stopped short (an error, or a kept index
    // found to hold other statements from some place on): indexing it would
    // leave a gap. What stopped says where to go on from.
    if job.first > job.full_text.indexed() {
        return true;
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
    let statements = match job.statements.restored() {
        Ok(statements) => statements,
        Err(why) => {
            return send(
                Some(format!("full-text index: catalog snapshot {why}")),
                None,
            );
        }
    };
    for (number, batch) in statements.chunks(BATCH).enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Statement;
    use crate::state::State;

    fn statement(n: usize) -> Statement {
        serde_json::from_value(serde_json::json!({
            "id": format!("s-{n}"), "title": format!("Statement {n} on grain"),
            "published": "2024-05-01", "summary": "A summary.", "body": "Ships carry grain.",
            "kind": "press release", "organisations": ["Foreign Office"],
            "signatories": [{"role": "Minister of Foreign Affairs", "country": "Japan"}],
        }))
        .expect("statement")
    }

    fn state_of(count: usize) -> State {
        let mut state = State::new("test".into(), (0..count).map(statement).collect(), 0);
        state.full_text = FullText::in_memory().ok().map(Arc::new);
        state
    }

    #[test]
    fn statements_go_to_the_indexer_a_piece_at_a_time_with_only_their_text() {
        let count = 2 * PIECE + 10;
        let state = state_of(count);
        let mut feed = Feed::default();
        let mut jobs = Vec::new();
        feed.ask(&state, 0, count, |job| jobs.push(job));
        assert_eq!(jobs.len(), 1, "one piece at once, the rest one per input");
        for _ in 0..5 {
            feed.hand_on(&state, |job| jobs.push(job));
        }
        let pieces: Vec<(usize, usize)> = jobs
            .iter()
            .map(|job| (job.first, job.statements.len()))
            .collect();
        assert_eq!(pieces, [(0, PIECE), (PIECE, PIECE), (2 * PIECE, 10)]);
        let parts = jobs[2].statements.restored().expect("copied");
        let copied = &parts[3];
        let whole = &state.catalog.statements[2 * PIECE + 3];
        assert_eq!(
            crate::search::text::indexed_text(copied),
            crate::search::text::indexed_text(whole)
        );
        assert_eq!(copied.id, whole.id);
        assert!(copied.signatories.is_empty() && copied.organisations.is_empty());
        // Indexed as they were handed on, the index holds every statement.
        for job in &jobs {
            let (sender, _heard) = mpsc::channel();
            assert!(index(job, &sender));
        }
        let full_text = state.full_text.as_ref().expect("an index");
        assert_eq!(full_text.indexed(), count);
    }

    /// A catalog taken from its snapshot hands the indexer where its
    /// statements are, not copies: none is restored on the drawing thread,
    /// and the index ends as one of the statements in memory does.
    #[test]
    fn shelved_statements_are_restored_by_the_indexer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("archive");
        let count = PIECE + 7;
        let archive = crate::loader::Archive {
            root: root.clone(),
            statements: (0..count).map(statement).collect(),
            ..crate::loader::Archive::default()
        };
        let policy = crate::loader::ReadPolicy::default();
        crate::catalog::snapshot::write(dir.path(), policy, &[], &archive).expect("written");
        let shelf =
            crate::catalog::snapshot::shelf(dir.path(), &root, policy, &[]).expect("trusted");
        let order: Vec<u32> = (0..u32::try_from(count).expect("few")).collect();
        let mut state = state_of(0);
        state.catalog =
            crate::catalog::Catalog::shelved(shelf, crate::search::Index::default(), order);
        // Every piece handed on and indexed: the jobs.
        let index_all = |state: &State| {
            let mut feed = Feed::default();
            let mut jobs = Vec::new();
            feed.ask(state, 0, count, |job| jobs.push(job));
            feed.hand_on(state, |job| jobs.push(job));
            for job in &jobs {
                let (sender, _heard) = mpsc::channel();
                assert!(index(job, &sender));
            }
            jobs
        };
        let jobs = index_all(&state);
        assert_eq!(jobs.len(), 2);
        assert!(
            jobs.iter()
                .all(|job| matches!(job.statements, TextParts::Shelved { .. })),
            "{:?}",
            jobs.iter().map(|job| &job.statements).collect::<Vec<_>>()
        );
        let shelved = state.full_text.as_ref().expect("an index");
        let whole = state_of(count);
        index_all(&whole);
        let in_memory = whole.full_text.as_ref().expect("an index");
        assert_eq!(shelved.indexed(), count);
        assert_eq!(in_memory.indexed(), count);
        for query in ["text:grain", "text:\"ships carry\"", "text:summ*"] {
            let parsed = crate::search::parse(query).expect("query");
            let term = parsed.text_terms().next().expect("a text term");
            let found = |full_text: &FullText| full_text.matching(term).expect("searched").len();
            assert_eq!(found(shelved), found(in_memory), "{query:?}");
            assert_eq!(found(shelved), count);
        }
    }

    #[test]
    fn pieces_for_an_index_since_replaced_are_dropped() {
        let mut state = state_of(PIECE + 1);
        let mut feed = Feed::default();
        let mut jobs = Vec::new();
        feed.ask(&state, 0, PIECE + 1, |job| jobs.push(job));
        // The archive was reloaded: a fresh index, asked for from 0 again.
        state.full_text = FullText::in_memory().ok().map(Arc::new);
        feed.hand_on(&state, |job| jobs.push(job));
        assert_eq!(jobs.len(), 1, "nothing more for the old index");
    }

    #[test]
    fn a_piece_after_one_that_stopped_short_leaves_no_gap() {
        let state = state_of(10);
        let full_text = state.full_text.clone().expect("an index");
        // The first piece never went in (it failed): the next is skipped.
        let later = job(&state, 5, 5, None).expect("a job");
        let (sender, _heard) = mpsc::channel();
        assert!(index(&later, &sender));
        assert_eq!(full_text.indexed(), 0);
    }
}
