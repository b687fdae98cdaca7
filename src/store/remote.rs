//! PostgreSQL as the browser uses it: never on the drawing thread, and
//! nothing lost when the database goes away.
//!
//! [`RemoteStore`] answers every read from what it last loaded (a cache of
//! marks, saved searches, history and drafts) and takes every change at
//! once: it is written to the [`Journal`] (flushed to disk), applied to the
//! cache, and handed to a worker thread that owns the connection. The
//! worker applies journal entries in order, each exactly once (keyed in
//! `communique_applied`), listens for others' `NOTIFY`s and loads fresh
//! state after them. When the connection drops it reconnects with a
//! doubling wait (capped at [`MAX_BACKOFF`]) while changes wait in the
//! journal; the header says so ([`TriageStore::offline`]). A note whose
//! replay finds it changed meanwhile comes back as a [`NoteConflict`] for
//! the conflict screen, never written over.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::engine::{self, Rows};
use super::journal::{Entry, Job, Journal, new_key};
use super::marks::{self, Change, Marks, Stamp};
use super::notes::{Draft, NoteSaved, OpenedNote};
use super::postgres::is_unreachable;
use super::{Applied, HISTORY_LIMIT, PgStore, Snapshot, StoreError, TriageStore};

/// The first wait before connecting again.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between attempts to connect.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long the worker waits for a job before reading `NOTIFY`s again.
const LISTEN_SLICE: Duration = Duration::from_millis(100);
/// How long (seconds) a change may wait before the header says offline
/// although the connection has not failed yet.
const STUCK_SECONDS: i64 = 3;
/// How long closing the browser waits for waiting changes to be applied
/// (they stay in the journal when the database is away).
const FLUSH_WAIT: Duration = Duration::from_secs(3);

/// A note the database refused on replay because someone changed it while
/// this browser was offline: what the conflict screen needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteConflict {
    pub ids: Vec<String>,
    pub text: Option<String>,
    pub opened: Vec<OpenedNote>,
    pub changed: Vec<(String, OpenedNote)>,
}

/// What the browser shows from the database.
#[derive(Debug, Clone, Default)]
struct Cache {
    marks: HashMap<String, Marks>,
    saved: Vec<(String, String)>,
    history: Vec<String>,
    drafts: HashMap<String, Draft>,
}

/// What the worker and the browser share; held only for moments, never
/// while talking to the database.
#[derive(Debug)]
struct Shared {
    journal: Journal,
    online: bool,
    /// An attempt to connect failed, or the connection was lost, since the
    /// last time one opened (before the first attempt ends, the browser
    /// is connecting, not offline).
    failed: bool,
    /// The role may only read (known once connected).
    read_only: bool,
    /// The role changes are attributed to, once connected.
    user: Option<String>,
    /// Loaded after a change elsewhere (or a reconnection), not yet taken.
    fresh: Option<Cache>,
    notices: Vec<String>,
    conflicts: Vec<NoteConflict>,
}

enum Wake {
    /// A change was journaled.
    Job,
    /// The browser is closing: apply what waits if possible, then end.
    Quit(Sender<()>),
}

/// PostgreSQL behind a worker thread, with a cache and a journal. See the
/// module documentation.
pub struct RemoteStore {
    url: String,
    place: String,
    user: String,
    cache: Cache,
    shared: Arc<Mutex<Shared>>,
    wake: Sender<Wake>,
    /// The worker's bell, until the browser takes it.
    bell: Option<Receiver<()>>,
}

impl std::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteStore")
            .field("place", &self.place)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl RemoteStore {
    /// Starts the worker that connects to `url` and loads its state (shown
    /// when it arrives, through [`TriageStore::changed_since_last_check`]);
    /// nothing here waits on the network. Changes waiting in the journal
    /// (at `journal`) from an earlier run show at once and are applied as
    /// soon as there is a connection. A server that refuses (a bad login,
    /// a newer schema) is told as a notice, and tried again.
    ///
    /// # Errors
    /// When the journal cannot be opened.
    pub fn open(url: &str, journal: &std::path::Path) -> Result<RemoteStore, StoreError> {
        let journal = Journal::open(journal)?;
        let place = super::redact(url);
        // Until the database says who (`current_user`), the login's name.
        let user = marks::clean_name(&super::postgres::login_name(url));
        let mut cache = Cache::default();
        for entry in journal.waiting() {
            overlay(&mut cache, entry, &user);
        }
        let shared = Arc::new(Mutex::new(Shared {
            journal,
            online: false,
            failed: false,
            read_only: false,
            user: None,
            fresh: None,
            notices: Vec::new(),
            conflicts: Vec::new(),
        }));
        let (wake, woken) = mpsc::channel();
        // One ring is enough: the browser reads everything new at once.
        let (bell, rung) = mpsc::sync_channel(1);
        let worker = Worker {
            url: url.to_owned(),
            store: None,
            shared: Arc::clone(&shared),
            woken,
            bell,
            backoff: FIRST_BACKOFF,
            last_refusal: None,
        };
        std::thread::Builder::new()
            .name("postgres".to_owned())
            .spawn(move || worker.run())
            .map_err(|e| StoreError::CannotOpen {
                path: place.clone().into(),
                reason: format!("cannot start the database worker ({e})"),
            })?;
        Ok(RemoteStore {
            url: url.to_owned(),
            place,
            user,
            cache,
            shared,
            wake,
            bell: Some(rung),
        })
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    /// Journals `job` (flushed to disk), shows it in the cache and hands it
    /// to the worker.
    fn submit(&mut self, job: Job) -> Result<(), StoreError> {
        if self.shared().read_only {
            return Err(StoreError::ReadOnly(self.place.clone().into()));
        }
        let entry = Entry {
            key: new_key(),
            at: super::system_clock(),
            job,
        };
        self.shared().journal.add(entry.clone())?;
        overlay(&mut self.cache, &entry, &self.user);
        let _ = self.wake.send(Wake::Job);
        Ok(())
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            by: self.user.clone(),
            at: super::system_clock(),
        }
    }

    /// A connection of its own for what only commands do (export, import,
    /// health): the browser never calls these.
    fn direct(&self) -> Result<PgStore, StoreError> {
        PgStore::open(&self.url)
    }
}

impl Drop for RemoteStore {
    fn drop(&mut self) {
        let (done, finished) = mpsc::channel();
        if self.wake.send(Wake::Quit(done)).is_ok() {
            let _ = finished.recv_timeout(FLUSH_WAIT);
        }
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panic elsewhere leaves the data as it was: go on with it.
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Everything the browser shows, read from the database.
fn load(store: &mut PgStore) -> Result<Cache, StoreError> {
    Ok(Cache {
        marks: store.marks()?,
        saved: store.saved_searches()?,
        history: store.history()?,
        drafts: store.drafts()?,
    })
}

/// Statements' marks in the cache, as [`engine`] reads and writes them.
struct CacheRows<'a>(&'a mut HashMap<String, Marks>);

impl Rows for CacheRows<'_> {
    type Error = std::convert::Infallible;
    fn load(&mut self, id: &str, _user: &str) -> Result<Marks, Self::Error> {
        Ok(self.0.get(id).cloned().unwrap_or_default())
    }
    fn save(
        &mut self,
        id: &str,
        _stamp: &Stamp,
        _before: &Marks,
        after: &Marks,
    ) -> Result<(), Self::Error> {
        if after.is_default() {
            self.0.remove(id);
        } else {
            self.0.insert(id.to_owned(), after.clone());
        }
        Ok(())
    }
}

/// A change in the cache as the database will make it, giving what it did.
fn apply_cached(cache: &mut Cache, change: &Change, stamp: &Stamp) -> Applied {
    let mut rows = CacheRows(&mut cache.marks);
    match engine::apply_in(&mut rows, change, stamp) {
        Ok(applied) => applied,
        Err(never) => match never {},
    }
}

/// Shows a waiting change in `cache` (made by `user`).
fn overlay(cache: &mut Cache, entry: &Entry, user: &str) {
    let stamp = Stamp {
        by: user.to_owned(),
        at: entry.at,
    };
    match &entry.job {
        Job::Apply(changes) => {
            for change in changes {
                apply_cached(cache, change, &stamp);
            }
        }
        Job::Note { ids, text, .. } => {
            let change = Change::Note {
                ids: ids.clone(),
                note: text.clone(),
            };
            apply_cached(cache, &change, &stamp);
            for id in ids {
                cache.drafts.remove(id);
            }
        }
        Job::SaveSearch { name, query } => {
            let name = name.trim();
            cache.saved.retain(|(saved, _)| saved != name);
            cache.saved.push((name.to_owned(), query.clone()));
            cache.saved.sort();
        }
        Job::DeleteSearch(name) => cache.saved.retain(|(saved, _)| saved != name.trim()),
        Job::SaveDraft { ids, text, opened } => {
            for (id, opened) in ids
                .iter()
                .zip(opened.iter().cloned().chain(std::iter::repeat(None)))
            {
                let draft = Draft {
                    text: text.clone(),
                    at: entry.at,
                    opened,
                };
                cache.drafts.insert(id.clone(), draft);
            }
        }
        Job::DropDrafts(ids) => {
            for id in ids {
                cache.drafts.remove(id);
            }
        }
        Job::History(query) => {
            cache.history.retain(|old| old != query);
            cache.history.push(query.clone());
            let extra = cache.history.len().saturating_sub(HISTORY_LIMIT);
            cache.history.drain(..extra);
        }
    }
}

impl TriageStore for RemoteStore {
    fn place(&self) -> String {
        self.place.clone()
    }
    fn is_read_only(&self) -> bool {
        self.shared().read_only
    }
    fn take_notice(&mut self) -> Option<String> {
        let notices = std::mem::take(&mut self.shared().notices);
        (!notices.is_empty()).then(|| notices.join("; "))
    }
    fn offline(&self) -> Option<usize> {
        let shared = self.shared();
        let waiting = shared.journal.waiting();
        // A link cut without a word (no reset, the worker still waiting on
        // its socket) shows as changes that do not go out.
        let stuck = waiting
            .first()
            .is_some_and(|oldest| super::system_clock() - oldest.at > STUCK_SECONDS);
        ((!shared.online && shared.failed) || stuck).then_some(waiting.len())
    }
    fn take_conflicts(&mut self) -> Vec<NoteConflict> {
        std::mem::take(&mut self.shared().conflicts)
    }
    fn news(&mut self) -> Option<Receiver<()>> {
        self.bell.take()
    }

    fn apply_all(&mut self, changes: &[Change]) -> Result<Vec<Applied>, StoreError> {
        for change in changes {
            change.check()?;
        }
        if changes.iter().all(|change| change.plan().is_empty()) {
            return Ok(vec![Applied::default(); changes.len()]);
        }
        // What it does, worked out on the cache before the cache has it.
        let mut scratch = Cache {
            marks: changes
                .iter()
                .flat_map(|change| change.plan())
                .filter_map(|(id, _)| Some((id.to_owned(), self.cache.marks.get(id)?.clone())))
                .collect(),
            ..Cache::default()
        };
        let stamp = self.stamp();
        let applied = changes
            .iter()
            .map(|change| apply_cached(&mut scratch, change, &stamp))
            .collect();
        self.submit(Job::Apply(changes.to_vec()))?;
        Ok(applied)
    }
    fn marks(&mut self) -> Result<HashMap<String, Marks>, StoreError> {
        Ok(self.cache.marks.clone())
    }
    fn marks_for(&mut self, ids: &[String]) -> Result<Vec<(String, Marks)>, StoreError> {
        Ok(ids
            .iter()
            .map(|id| {
                let marks = self.cache.marks.get(id).cloned().unwrap_or_default();
                (id.clone(), marks)
            })
            .collect())
    }
    fn changed_since_last_check(&mut self) -> Result<bool, StoreError> {
        let (fresh, waiting, user) = {
            let mut shared = self.shared();
            let Some(fresh) = shared.fresh.take() else {
                return Ok(false);
            };
            (
                fresh,
                shared.journal.waiting().to_vec(),
                shared.user.clone(),
            )
        };
        self.cache = fresh;
        if let Some(user) = user {
            self.user = user;
        }
        // What the database does not have yet still shows.
        for entry in &waiting {
            overlay(&mut self.cache, entry, &self.user);
        }
        Ok(true)
    }
    fn tags(&mut self) -> Result<Vec<(String, usize)>, StoreError> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for marks in self.cache.marks.values() {
            for tag in marks.tags.keys() {
                *counts.entry(tag.clone()).or_default() += 1;
            }
        }
        Ok(counts.into_iter().collect())
    }
    fn save_search(&mut self, name: &str, query: &str) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "a saved search needs a name".to_owned(),
            ));
        }
        marks::check_shown_as_written("a saved search's name", name)?;
        self.submit(Job::SaveSearch {
            name: name.to_owned(),
            query: query.to_owned(),
        })
    }
    fn saved_searches(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.cache.saved.clone())
    }
    fn delete_search(&mut self, name: &str) -> Result<bool, StoreError> {
        let had = self
            .cache
            .saved
            .iter()
            .any(|(saved, _)| saved == name.trim());
        self.submit(Job::DeleteSearch(name.to_owned()))?;
        Ok(had)
    }
    fn push_history(&mut self, query: &str) -> Result<(), StoreError> {
        if query.trim().is_empty() {
            return Ok(());
        }
        self.submit(Job::History(query.to_owned()))
    }
    fn history(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(self.cache.history.clone())
    }
    fn save_note(
        &mut self,
        ids: &[String],
        text: Option<&str>,
        opened: &[OpenedNote],
    ) -> Result<NoteSaved, StoreError> {
        let change = Change::Note {
            ids: ids.to_vec(),
            note: text.map(str::to_owned),
        };
        change.check()?;
        // A change already known here is a conflict now; one made while
        // this browser was offline is found by the worker on replay.
        let conflict = {
            let mut rows = CacheRows(&mut self.cache.marks);
            match engine::changed_notes(&mut rows, ids, opened, &self.user) {
                Ok(conflict) => conflict,
                Err(never) => match never {},
            }
        };
        if !conflict.is_empty() {
            return Ok(NoteSaved::Conflict(conflict));
        }
        let mut scratch = Cache {
            marks: ids
                .iter()
                .filter_map(|id| Some((id.clone(), self.cache.marks.get(id)?.clone())))
                .collect(),
            ..Cache::default()
        };
        let applied = apply_cached(&mut scratch, &change, &self.stamp());
        self.submit(Job::Note {
            ids: ids.to_vec(),
            text: text.map(str::to_owned),
            opened: opened.to_vec(),
        })?;
        Ok(NoteSaved::Saved(applied))
    }
    fn save_draft(
        &mut self,
        ids: &[String],
        text: &str,
        opened: &[OpenedNote],
    ) -> Result<(), StoreError> {
        self.submit(Job::SaveDraft {
            ids: ids.to_vec(),
            text: text.to_owned(),
            opened: opened.to_vec(),
        })
    }
    fn drop_drafts(&mut self, ids: &[String]) -> Result<(), StoreError> {
        self.submit(Job::DropDrafts(ids.to_vec()))
    }
    fn drafts(&mut self) -> Result<HashMap<String, Draft>, StoreError> {
        Ok(self.cache.drafts.clone())
    }
    fn export(&mut self) -> Result<Snapshot, StoreError> {
        self.direct()?.export()
    }
    fn import(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.direct()?.import(snapshot)
    }
    fn health(&mut self) -> Result<String, StoreError> {
        self.direct()?.health()
    }
}

/// The thread that owns the connection.
struct Worker {
    url: String,
    store: Option<PgStore>,
    shared: Arc<Mutex<Shared>>,
    woken: Receiver<Wake>,
    /// Rung when there is something new for the browser (fresh marks, a
    /// conflict, a notice, the link up or down, a change gone out).
    bell: SyncSender<()>,
    backoff: Duration,
    /// The last refusal told, so each is told once, not at every attempt.
    last_refusal: Option<String>,
}

/// Why the worker's round ended early.
enum Stop {
    /// The connection is gone: reconnect.
    Lost,
    /// The browser is closing.
    Quit(Sender<()>),
}

impl Worker {
    fn ring(&self) {
        // Full: a ring is already waiting, which says the same.
        let _ = self.bell.try_send(());
    }

    fn run(mut self) {
        let mut refresh = false;
        loop {
            let result = match self.store.take() {
                None => {
                    // A new connection may have missed changes meanwhile.
                    refresh = true;
                    self.reconnect()
                }
                Some(store) => Ok(store),
            };
            let mut store = match result {
                Ok(store) => store,
                Err(Stop::Quit(done)) => {
                    let _ = done.send(());
                    return;
                }
                Err(Stop::Lost) => continue,
            };
            match self.round(&mut store, &mut refresh) {
                Ok(()) => self.store = Some(store),
                Err(Stop::Lost) => {
                    {
                        let mut shared = lock(&self.shared);
                        shared.online = false;
                        shared.failed = true;
                    }
                    self.ring();
                }
                Err(Stop::Quit(done)) => {
                    // One last try at what waits; the journal keeps the rest.
                    let _ = self.replay(&mut store);
                    let _ = done.send(());
                    return;
                }
            }
        }
    }

    /// Waits, doubling the wait up to [`MAX_BACKOFF`], until a connection
    /// opens; jobs that arrive meanwhile wait in the journal.
    fn reconnect(&mut self) -> Result<PgStore, Stop> {
        lock(&self.shared).online = false;
        loop {
            match PgStore::open(&self.url) {
                Ok(store) => {
                    self.backoff = FIRST_BACKOFF;
                    self.last_refusal = None;
                    let mut shared = lock(&self.shared);
                    shared.failed = false;
                    shared.read_only = store.is_read_only();
                    shared.user = Some(store.user().to_owned());
                    drop(shared);
                    self.ring();
                    return Ok(store);
                }
                Err(err) => {
                    let refusal = (!is_unreachable(&err)).then(|| format!("cannot connect: {err}"));
                    let mut shared = lock(&self.shared);
                    shared.failed = true;
                    if let Some(refusal) = refusal.filter(|r| self.last_refusal.as_ref() != Some(r))
                    {
                        shared.notices.push(refusal.clone());
                        self.last_refusal = Some(refusal);
                    }
                    drop(shared);
                    self.ring();
                }
            }
            // New changes wait in the journal: they do not cut the wait short.
            let until = Instant::now() + self.backoff;
            while let Some(left) = until.checked_duration_since(Instant::now()) {
                match self.woken.recv_timeout(left) {
                    Ok(Wake::Quit(done)) => return Err(Stop::Quit(done)),
                    Ok(Wake::Job) => {}
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(Stop::Quit(mpsc::channel().0));
                    }
                }
            }
            self.backoff = next_backoff(self.backoff);
        }
    }

    /// Applies what waits, loads fresh state when asked, then waits a
    /// moment for a job or a `NOTIFY`.
    fn round(&mut self, store: &mut PgStore, refresh: &mut bool) -> Result<(), Stop> {
        if self.replay(store)? {
            *refresh = true;
        }
        let was_online = std::mem::replace(&mut lock(&self.shared).online, true);
        if !was_online {
            self.ring();
        }
        if *refresh {
            match load(store) {
                Ok(cache) => {
                    lock(&self.shared).fresh = Some(cache);
                    self.ring();
                }
                Err(_) if store.connection_lost() => return Err(Stop::Lost),
                Err(err) => lock(&self.shared)
                    .notices
                    .push(format!("cannot read the database: {err}")),
            }
            *refresh = false;
        }
        match self.woken.recv_timeout(LISTEN_SLICE) {
            Ok(Wake::Quit(done)) => return Err(Stop::Quit(done)),
            Ok(Wake::Job) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(Stop::Quit(mpsc::channel().0)),
        }
        match store.changed_since_last_check() {
            Ok(changed) => *refresh |= changed,
            Err(_) => return Err(Stop::Lost),
        }
        Ok(())
    }

    /// Applies each waiting change in order, once. True when the database
    /// did other than the cache shows (a conflict, a refusal), so the
    /// browser must load it again; a change applied as shown needs no
    /// reload (others' changes come with a `NOTIFY`).
    fn replay(&mut self, store: &mut PgStore) -> Result<bool, Stop> {
        let mut diverged = false;
        loop {
            let next = lock(&self.shared).journal.waiting().first().cloned();
            let Some(entry) = next else {
                return Ok(diverged);
            };
            let outcome = run(store, &entry);
            // Asked before taking the lock: it may wait on the network.
            if outcome.is_err() && store.connection_lost() {
                return Err(Stop::Lost);
            }
            let mut shared = lock(&self.shared);
            match outcome {
                Ok(None) => {
                    let Shared { fresh, user, .. } = &mut *shared;
                    show_in_fresh(fresh.as_mut(), user.as_deref(), &entry);
                }
                Ok(Some(conflict)) => {
                    shared.conflicts.push(conflict);
                    diverged = true;
                }
                // Refused for good (a read-only role, a bad tag): it would
                // fail every time. Say so and go on with the rest.
                Err(err) => {
                    shared.notices.push(format!("cannot save: {err}"));
                    diverged = true;
                }
            }
            if let Err(err) = shared.journal.done(&entry.key) {
                shared.notices.push(err.to_string());
            }
            drop(shared);
            self.ring();
        }
    }
}

/// A change the database has just applied, shown in the fresh state loaded
/// before it went in and not yet taken by the browser: taken after the
/// change has left the journal, that state would show the database without
/// it, and nothing would load it again (a change applied as shown brings no
/// reload), so a flag set while a load was under way vanished from the
/// browser for good.
fn show_in_fresh(fresh: Option<&mut Cache>, user: Option<&str>, entry: &Entry) {
    if let (Some(fresh), Some(user)) = (fresh, user) {
        overlay(fresh, entry, user);
    }
}

/// The wait after `wait` when connecting failed again: twice as long, at
/// most [`MAX_BACKOFF`].
fn next_backoff(wait: Duration) -> Duration {
    (wait * 2).min(MAX_BACKOFF)
}

/// One journaled change against the database, once for its key; a note
/// changed meanwhile comes back as its conflict.
fn run(store: &mut PgStore, entry: &Entry) -> Result<Option<NoteConflict>, StoreError> {
    let key = entry.key.as_str();
    match &entry.job {
        Job::Apply(changes) => store.apply_all_once(key, changes).map(|_| None),
        Job::Note { ids, text, opened } => Ok(
            match store.save_note_once(key, ids, text.as_deref(), opened)? {
                Some(NoteSaved::Conflict(changed)) => Some(NoteConflict {
                    ids: ids.clone(),
                    text: text.clone(),
                    opened: opened.clone(),
                    changed,
                }),
                Some(NoteSaved::Saved(_)) | None => None,
            },
        ),
        Job::SaveSearch { name, query } => store.save_search(name, query).map(|()| None),
        Job::DeleteSearch(name) => store.delete_search(name).map(|_| None),
        Job::SaveDraft { ids, text, opened } => store.save_draft(ids, text, opened).map(|()| None),
        Job::DropDrafts(ids) => store.drop_drafts(ids).map(|()| None),
        Job::History(query) => store.push_history(query).map(|()| None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnecting_waits_twice_as_long_each_time_up_to_a_cap() {
        let waits: Vec<Duration> =
            std::iter::successors(Some(FIRST_BACKOFF), |wait| Some(next_backoff(*wait)))
                .take(8)
                .collect();
        assert_eq!(waits[1], FIRST_BACKOFF * 2);
        assert_eq!(waits[2], FIRST_BACKOFF * 4);
        assert!(waits.windows(2).all(|pair| pair[1] >= pair[0]));
        assert_eq!(waits[7], MAX_BACKOFF);
    }

    #[test]
    fn a_change_applied_after_a_fresh_load_was_read_shows_in_it() {
        let flag = Entry {
            key: new_key(),
            at: 9,
            job: Job::Apply(vec![Change::Flag {
                ids: vec!["a".to_owned()],
                flagged: true,
            }]),
        };
        // Loaded before the flag went in, not yet taken by the browser.
        let mut fresh = Cache::default();
        show_in_fresh(Some(&mut fresh), Some("alice"), &flag);
        assert_eq!(
            fresh.marks["a"].flagged,
            Some(Stamp {
                by: "alice".to_owned(),
                at: 9
            })
        );
        // Nothing loaded meanwhile, or not yet connected: nothing to show.
        show_in_fresh(None, Some("alice"), &flag);
        let mut other = Cache::default();
        show_in_fresh(Some(&mut other), None, &flag);
        assert!(other.marks.is_empty());
    }

    #[test]
    fn a_waiting_change_shows_in_the_cache_as_the_database_will_make_it() {
        let mut cache = Cache::default();
        let entry = |job| Entry {
            key: new_key(),
            at: 7,
            job,
        };
        overlay(
            &mut cache,
            &entry(Job::Apply(vec![Change::Tag {
                ids: vec!["a".to_owned()],
                tag: "urgent".to_owned(),
                add: true,
            }])),
            "alice",
        );
        overlay(
            &mut cache,
            &entry(Job::SaveDraft {
                ids: vec!["b".to_owned()],
                text: "half".to_owned(),
                opened: vec![None],
            }),
            "alice",
        );
        overlay(
            &mut cache,
            &entry(Job::Note {
                ids: vec!["b".to_owned()],
                text: Some("whole".to_owned()),
                opened: vec![None],
            }),
            "alice",
        );
        assert_eq!(
            cache.marks["a"].tags["urgent"],
            Stamp {
                by: "alice".to_owned(),
                at: 7
            }
        );
        assert_eq!(
            cache.marks["b"].note.as_ref().map(|n| n.0.as_str()),
            Some("whole")
        );
        assert!(cache.drafts.is_empty(), "saving the note drops the draft");
    }
}
