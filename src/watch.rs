//! Watching the archive while the browser is open. File events (from the
//! system's notifier, or polling on network filesystems) wake a worker that
//! reloads the archive off the drawing thread and hands the result over. A
//! file caught half-written is retried, not reported: its problems are held
//! back while the file is still changing.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use notify::{RecursiveMode, Watcher};

use crate::catalog::{Catalog, Source};
use crate::loader::{Archive, Problem};
use crate::search::Index;

/// How long events must be quiet before reloading, so a burst of copies is
/// read once.
const SETTLE: Duration = Duration::from_millis(300);
/// A file changed more recently than this may still be being written.
const FRESH: Duration = Duration::from_secs(2);
/// How often a held-back file is retried.
const RETRY: Duration = Duration::from_millis(700);
/// How often the polling fallback looks at the files.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// A freshly loaded archive, ready to replace the one on screen, with all
/// that is costly to work out from it worked out (off the drawing thread:
/// at 100,000 statements the contacts directory alone takes a second).
pub struct Reloaded {
    /// The archive reloaded, with its index, order, contacts directory and
    /// problems.
    pub catalog: Catalog,
    /// Files held back because they are still being written.
    pub held_back: usize,
    /// Its statements' days and signatories, gathered here rather than on
    /// the drawing thread.
    pub gathered: std::sync::Arc<crate::signatories::browse::Gathered>,
    /// The archive's files as stamped before it was read (`None` when
    /// they could not be), for carrying a kept full-text index over.
    pub files: Option<Vec<crate::loader::FileStamp>>,
}

impl Reloaded {
    /// The archive with its index (in the order read), made a catalog.
    #[must_use]
    pub fn new(archive: Archive, index: Index, held_back: usize) -> Self {
        Self::of(Catalog::opened(archive, index, None), held_back)
    }

    /// The catalog reloaded, its contacts gathered here unless they were
    /// kept.
    #[must_use]
    pub fn of(mut catalog: Catalog, held_back: usize) -> Self {
        catalog.gather_contacts();
        Self {
            gathered: std::sync::Arc::new(crate::signatories::browse::Gathered::of(
                &catalog.statements,
            )),
            catalog,
            held_back,
            files: None,
        }
    }
}

impl std::fmt::Debug for Reloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloaded")
            .field("statements", &self.catalog.len())
            .field("problems", &self.catalog.problems)
            .field("held_back", &self.held_back)
            .finish_non_exhaustive()
    }
}

/// Keeps the watcher alive; dropping it stops watching.
pub struct ArchiveWatch {
    _watcher: Box<dyn Watcher + Send>,
    requests: Sender<()>,
}

impl ArchiveWatch {
    /// Starts watching the archive of `source`, sending each reload to
    /// `reloaded` (which returns false once nobody listens). `poll` forces
    /// polling (for network filesystems, where change events do not
    /// arrive); when the system watcher cannot start,
    /// polling is used too. The source's read policy says which links are
    /// followed, for watching as for loading.
    ///
    /// # Errors
    /// When neither watcher can watch the path.
    pub fn start(
        source: Source,
        poll: bool,
        reloaded: impl Fn(Reloaded) -> bool + Send + 'static,
    ) -> anyhow::Result<Self> {
        let (root, policy) = (source.root.as_path(), source.policy);
        let (requests, changes) = mpsc::channel::<()>();
        let notify_requests = requests.clone();
        let handler = move |event: notify::Result<notify::Event>| {
            // A watcher error or an overflowed queue may hide changes: reload.
            if event.is_err() || event.is_ok_and(|event| event.need_rescan() || is_relevant(&event))
            {
                let _ = notify_requests.send(());
            }
        };
        // A link out of the archive is not walked for watching either (one
        // to /usr would add a watch for every folder under it).
        let config = notify::Config::default().with_follow_symlinks(policy.follow_links);
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            Box::new(poll_watcher(handler, config)?)
        } else {
            match notify::RecommendedWatcher::new(handler.clone(), config) {
                Ok(watcher) => Box::new(watcher),
                Err(_) => Box::new(poll_watcher(handler, config)?),
            }
        };
        // An archive that is one file is watched through its folder, so an
        // editor's save (a new file renamed over it) is still seen.
        let (watched, mode) = if root.is_file() {
            let folder = root
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (folder, RecursiveMode::NonRecursive)
        } else {
            (root, RecursiveMode::Recursive)
        };
        watcher
            .watch(watched, mode)
            .with_context(|| format!("watching {}", root.display()))?;
        std::thread::spawn(move || reload_worker(&source, &changes, &reloaded));
        Ok(Self {
            _watcher: watcher,
            requests,
        })
    }

    /// Asks for a reload now (the reload key).
    pub fn request(&self) {
        let _ = self.requests.send(());
    }
}

fn poll_watcher(
    handler: impl notify::EventHandler,
    config: notify::Config,
) -> anyhow::Result<notify::PollWatcher> {
    notify::PollWatcher::new(handler, config.with_poll_interval(POLL_INTERVAL))
        .context("starting the polling watcher")
}

/// Events on record files (or folders, which may hold them), not on the
/// editor swap files and state files that share a folder.
fn is_relevant(event: &notify::Event) -> bool {
    !event.kind.is_access()
        && event
            .paths
            .iter()
            .any(|path| path.extension().is_none() || crate::formats::framing(path).is_some())
}

/// Waits for changes, lets them settle, reloads, and retries while a file
/// is still being written.
fn reload_worker(source: &Source, changes: &Receiver<()>, reloaded: &dyn Fn(Reloaded) -> bool) {
    let mut retry_in: Option<Duration> = None;
    loop {
        let woke = match retry_in {
            Some(wait) => match changes.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => true,
                Err(RecvTimeoutError::Disconnected) => return,
            },
            None => changes.recv().is_ok(),
        };
        if !woke {
            return;
        }
        // Let a burst of events settle into one reload.
        loop {
            match changes.recv_timeout(SETTLE) {
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // Stamped before reading: a file changed meanwhile then looks
        // changed to the kept full-text index, never the other way.
        let files = crate::loader::file_stamps(&source.root, source.policy).ok();
        // As the first load does: in the order read, bodies left on disk
        // until shown, and the catalog snapshot with the search index kept
        // beside it used when nothing changed (the reload key pressed for
        // nothing), else both made and kept anew for the next start.
        let Ok(mut opened) = crate::catalog::load_indexed_as_stamped(source, files.clone(), true)
        else {
            retry_in = Some(RETRY);
            continue;
        };
        let held_back = hold_back_fresh_problems(&mut opened.archive.problems, SystemTime::now());
        retry_in = (held_back > 0).then_some(RETRY);
        let mut update = Reloaded::of(opened.into_catalog(), held_back);
        update.files = files;
        if !reloaded(update) {
            return;
        }
    }
}

/// Removes problems in files changed within `FRESH` of `now` (they are
/// probably still being written) and returns how many files that was.
pub fn hold_back_fresh_problems(problems: &mut Vec<Problem>, now: SystemTime) -> usize {
    let mut held: Vec<PathBuf> = Vec::new();
    problems.retain(|problem| {
        // A modification time in the future (a skewed clock, `touch -d`)
        // does not count as fresh, or the file would be held back forever.
        let fresh = std::fs::metadata(&problem.path)
            .and_then(|meta| meta.modified())
            .is_ok_and(|modified| now.duration_since(modified).is_ok_and(|age| age < FRESH));
        if fresh && !held.contains(&problem.path) {
            held.push(problem.path.clone());
        }
        !fresh
    });
    held.len()
}
