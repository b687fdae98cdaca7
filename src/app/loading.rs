//! The first load, off the drawing thread: the archive is read in batches
//! which go to the screen as they come (with a progress count), each with
//! a snapshot of the search index that holds them (a new immutable part
//! per batch, made here: see [`Chunks`]). The interface never waits, and
//! nothing here waits for it.
//! An archive unchanged since its catalog snapshot was kept is taken from
//! the snapshot instead of being parsed, with the search index and contacts
//! directory kept beside it (made again and kept when they are not); one
//! read from its files is kept as a snapshot for next time, written batch
//! by batch as it is read, and its index and directory once it is whole.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crate::catalog::snapshot::Shelf;
use crate::catalog::{KeptHead, Refused, Source, snapshot};
use crate::catalog::{Order, merge_newest, ranks};
use crate::contacts::{Cited, ContactEntry, Directory};
use crate::loader::{Archive, LoadOptions, Progress, file_stamps, load_with};
use crate::records::{Published, Statement};
use crate::search::{Chunks, Index};

/// Statements sent on at least this often while loading…
const PUBLISH_EVERY: Duration = Duration::from_millis(250);
/// …or as soon as this many wait (and at least as many as already shown,
/// so the cost of taking them stays in proportion).
const PUBLISH_AT: usize = 2_000;
/// Statements in one message at most: the browser copies them into its
/// list, and the first write to fresh memory is slow (on a virtual machine,
/// 12,000 statements took 45 ms), so messages stay small enough that a key
/// never waits long behind one.
const MESSAGE_AT_MOST: usize = 4_096;
/// From a snapshot, where every message's order costs as much as the
/// archive is large, messages of up to this many when the archive is large
/// (a 64th of it): fewer orders to make, each copy still short.
const KEPT_MESSAGE_AT_MOST: usize = 16_384;
/// Progress alone is sent this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// More of the archive, for [`crate::state::State::statements_arrived`].
#[derive(Debug)]
pub struct Arrived {
    /// The number of the archive the load was begun for
    /// ([`crate::state::State::archive_number`]): a batch for one the
    /// browser no longer shows (it was reloaded) is dropped.
    pub archive: u64,
    pub statements: Vec<Statement>,
    /// The whole catalog at once, taken from its snapshot with the index,
    /// order and contacts directory kept beside it, its statements left on
    /// the snapshot to be restored as they are shown (`statements` is
    /// empty then, and this is the last message).
    pub catalog: Option<Box<crate::catalog::Catalog>>,
    /// The search index of every statement sent so far, these included
    /// (it may hold more: a whole kept one).
    pub index: Chunks,
    pub progress: Progress,
    /// The order of every statement sent so far, these included (none when
    /// there are none).
    pub order: Option<Order>,
    /// Present on the last message.
    pub finished: Option<Finished>,
    /// The contacts directory, when it was not kept and is merged once the
    /// last message is sent (a message of its own after it, so the load
    /// ends without waiting for the merge: at a million statements, tens
    /// of seconds).
    pub contacts: Option<Directory>,
}

/// What is known once the whole archive is read.
#[derive(Debug)]
pub struct Finished {
    /// Problems as `check` prints them.
    pub problem_lines: Vec<String>,
    /// The contacts directory when it was kept beside the index (or there
    /// is none to make: the archive could not be opened); `None`: it is
    /// merged now and follows in a message of its own
    /// ([`Arrived::contacts`]).
    pub directory: Option<Directory>,
    /// Why the archive could not be opened at all.
    pub error: Option<String>,
    /// Ids whose copy sent is not the one loaded (duplicated, or superseded
    /// by a later version): the archive is reloaded (see
    /// [`crate::loader::Archive::withdrawn`]).
    pub withdrawn: Vec<String>,
    /// What the status line should say about the catalog snapshot: why a
    /// kept one was not trusted, or why none could be kept.
    pub catalog: Option<String>,
    /// The snapshot turned out damaged (past its checksums) after some of
    /// its statements were sent: it is discarded, and the archive is
    /// reloaded from its files.
    pub read_again: bool,
}

/// Starts loading `source` for the browser's archive number `archive` on
/// a thread of its own, handing what arrives to `send` (which returns false
/// once nobody listens).
pub fn start(source: Source, archive: u64, send: impl Fn(Arrived) -> bool + Send + 'static) {
    std::thread::spawn(move || {
        super::lower_priority();
        load(&source, archive, &send);
    });
}

/// A sender for [`start`] over a channel of the loop's inputs.
pub fn to_channel(send: Sender<super::Input>) -> impl Fn(Arrived) -> bool + Send + 'static {
    move |arrived| send.send(super::Input::Arrived(Box::new(arrived))).is_ok()
}

struct Publisher<'a> {
    archive: u64,
    /// The index of the statements sent so far (or of all, kept).
    index: Chunks,
    send: &'a dyn Fn(Arrived) -> bool,
    waiting: Vec<Statement>,
    shown: usize,
    last_batch: Instant,
    last_progress: Instant,
    /// Media contacts of the statements, with their dates, for the
    /// directory: made into its entries once the last batch is sent.
    contacts: Vec<(Published, Cited)>,
    /// What the newest-first order compares of each statement sent, by
    /// position, and that order: kept here so the browser need not merge.
    keys: Vec<(Published, Box<str>)>,
    order: Vec<u32>,
    gone: bool,
    /// The index holds every statement already (it was kept in the cache
    /// folder): batches go on without being indexed.
    indexed: bool,
    /// The contacts directory kept with the index: contacts are not
    /// gathered then.
    directory: Option<Directory>,
    /// Every statement's position newest first, when all are known at
    /// once (taken from the snapshot): each message's order is this one
    /// without those not sent yet, instead of a merge.
    sorted: Option<Vec<u32>>,
    /// Statements in one message at most.
    message_at_most: usize,
}

impl Publisher<'_> {
    fn take(&mut self, statements: &mut Vec<Statement>, progress: Progress) {
        // Taken as they come, before they are handed on; made into the
        // directory after the last batch.
        if self.directory.is_none() {
            self.contacts
                .extend(statements.iter().filter_map(|statement| {
                    Cited::of(statement).map(|cited| (statement.published.clone(), cited))
                }));
        }
        if self.waiting.is_empty() {
            std::mem::swap(&mut self.waiting, statements);
        } else {
            self.waiting.append(statements);
        }
        // The first statements go at once, so the list fills right away;
        // a snapshot's lots (all ordered at once) are each one message
        // already: gathering them would copy them again.
        let due = self.shown == 0
            || self.sorted.is_some()
            || self.waiting.len() >= PUBLISH_AT.max(self.shown)
            || (!self.waiting.is_empty() && self.last_batch.elapsed() >= PUBLISH_EVERY);
        if due {
            self.publish(progress, None);
        } else if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.last_progress = Instant::now();
            self.send_without_statements(progress, None);
        }
    }

    /// Sends a message that holds no statement: progress, or the contacts
    /// directory.
    fn send_without_statements(&mut self, progress: Progress, contacts: Option<Directory>) {
        self.gone |= !(self.send)(Arrived {
            archive: self.archive,
            statements: Vec::new(),
            catalog: None,
            index: self.index.clone(),
            progress,
            order: None,
            finished: None,
            contacts,
        });
    }

    /// Sends what waits on, each message with the index of it (made here,
    /// from the statements' text, on all cores).
    fn publish(&mut self, progress: Progress, finished: Option<Finished>) {
        // Kept in the order read (so a statement's place is the same from
        // one run to the next, as the kept full-text index counts on); the
        // order says how they sort.
        let statements = std::mem::take(&mut self.waiting);
        self.last_batch = Instant::now();
        self.last_progress = self.last_batch;
        let mut finished = finished;
        // Each statement moved once into its message (splitting off the
        // rest again and again would copy it once per message before it),
        // and not at all when they make one message.
        let (mut only, mut rest) = if statements.len() <= self.message_at_most {
            (Some(statements), Vec::new().into_iter())
        } else {
            (None, statements.into_iter())
        };
        loop {
            let statements: Vec<Statement> = match only.take() {
                Some(all) => all,
                None => rest.by_ref().take(self.message_at_most).collect(),
            };
            let last = rest.len() == 0;
            if !self.indexed {
                let mut part = Index::default();
                part.append(Index::prepare(&statements));
                self.index.push(part);
            }
            let finished = if last { finished.take() } else { None };
            if finished.is_some() {
                // The whole archive in one part: a word scores each title
                // and label once.
                self.index = self.index.merged();
            }
            let order = self.order_with(&statements);
            self.shown += statements.len();
            self.gone |= !(self.send)(Arrived {
                archive: self.archive,
                statements,
                catalog: None,
                index: self.index.clone(),
                progress,
                order,
                finished,
                contacts: None,
            });
            if last || self.gone {
                return;
            }
        }
    }

    /// Merges the contacts gathered as statements arrived with `loose`
    /// (those of items that hold no statement), once the last message is
    /// sent, and sends the directory on its own; gives it back to be kept
    /// beside the index.
    fn send_directory(&mut self, loose: &[ContactEntry], progress: Progress) -> Directory {
        let directory = gathered(&mut self.contacts, loose);
        self.send_without_statements(progress, Some(directory.clone()));
        directory
    }

    /// The order once `statements` are after those sent before: sorted
    /// newest first by position, and merged into the order so far.
    fn order_with(&mut self, statements: &[Statement]) -> Option<Order> {
        if statements.is_empty() {
            return None;
        }
        if let Some(sorted) = &self.sorted {
            let sent = self.shown + statements.len();
            let order: Vec<u32> = sorted
                .iter()
                .copied()
                .filter(|&at| (at as usize) < sent)
                .collect();
            return Some(Order {
                rank: Arc::new(ranks(&order)),
                order,
            });
        }
        let first = self.keys.len();
        self.keys.extend(statements.iter().map(order_key));
        let keys = &self.keys;
        let newest_first = |a: u32, b: u32| {
            let (a, b) = (&keys[a as usize], &keys[b as usize]);
            crate::records::newest_first((&a.0, &a.1), (&b.0, &b.1))
        };
        let mut arrived: Vec<u32> = (first..keys.len())
            .map(|position| u32::try_from(position).unwrap_or(u32::MAX))
            .collect();
        arrived.sort_unstable_by(|&a, &b| newest_first(a, b));
        self.order = merge_newest(&self.order, &arrived, |a, b| newest_first(a, b).is_lt());
        Some(Order {
            order: self.order.clone(),
            rank: Arc::new(ranks(&self.order)),
        })
    }
}

fn load(source: &Source, archive: u64, send: &dyn Fn(Arrived) -> bool) {
    let mut publisher = Publisher {
        archive,
        index: Chunks::default(),
        send,
        waiting: Vec::new(),
        shown: 0,
        last_batch: Instant::now(),
        last_progress: Instant::now(),
        contacts: Vec::new(),
        keys: Vec::new(),
        order: Vec::new(),
        gone: false,
        indexed: false,
        directory: None,
        sorted: None,
        message_at_most: MESSAGE_AT_MOST,
    };
    // What the status line says about the snapshot, and the snapshot
    // written as the archive is read.
    let mut catalog = None;
    let mut writer = None;
    if let Some(folder) = &source.cache {
        match file_stamps(&source.root, source.policy) {
            Ok(stamps) => {
                let refused = match snapshot::shelf(folder, &source.root, source.policy, &stamps) {
                    Ok(shelf) => match publish_shelf(&mut publisher, shelf, folder, &source.root) {
                        Ok(()) => return,
                        Err(why) => Refused::Unusable(why),
                    },
                    Err(refused) => refused,
                };
                if let Refused::Unusable(why) = refused {
                    catalog = Some(read_again(&why));
                }
                match snapshot::Writer::create(folder, &source.root, source.policy, &stamps) {
                    Ok(made) => writer = Some(made),
                    Err(err) => catalog = Some(format!("catalog not kept: {err:#}")),
                }
            }
            Err(err) => catalog = Some(format!("catalog not kept: {err:#}")),
        }
    }
    let options = LoadOptions {
        bodies_on_disk: true,
        policy: source.policy,
        ..LoadOptions::default()
    };
    let mut last = Progress::default();
    let mut loaded = load_with(&source.root, options, &mut |statements, progress| {
        last = progress;
        if publisher.gone {
            statements.clear();
            return;
        }
        if let Some(kept) = writer.as_mut()
            && let Err(err) = kept.add(statements)
        {
            catalog = Some(format!("catalog not kept: {err:#}"));
            writer = None;
        }
        publisher.take(statements, progress);
    });
    if publisher.gone {
        return;
    }
    // A copy already sent that is not the one loaded makes the browser
    // reload; the reload keeps the snapshot then.
    let mut generation = None;
    if let (Some(kept), Ok(archive)) = (writer, &loaded)
        && archive.withdrawn.is_empty()
    {
        match kept.finish(archive) {
            Ok(made) => generation = Some(made),
            Err(err) => catalog = Some(format!("catalog not kept: {err:#}")),
        }
    }
    // Kept in the snapshot above; taken for the directory now.
    let loose = loaded
        .as_mut()
        .map(|archive| std::mem::take(&mut archive.contacts))
        .ok();
    let finished = finished(&mut publisher, loaded, catalog);
    publisher.publish(last, Some(finished));
    let Some(loose) = loose.filter(|_| !publisher.gone) else {
        return;
    };
    let directory = publisher.send_directory(&loose, last);
    if let (Some(folder), Some(generation)) = (&source.cache, generation) {
        let kept = Kept {
            folder,
            root: &source.root,
            generation,
        };
        kept.keep_index(&publisher, &directory);
    }
}

/// The catalog snapshot an archive was taken from or kept in, for the
/// search index kept beside it.
struct Kept<'a> {
    folder: &'a std::path::Path,
    root: &'a std::path::Path,
    generation: u64,
}

impl Kept<'_> {
    /// Keeps the index made while loading, once every statement is in it,
    /// with their order and the contacts directory, so the next start need
    /// not make them (after the last batch is sent: the browser does not
    /// wait for it). Not kept, the next start makes them as this one did.
    fn keep_index(&self, publisher: &Publisher<'_>, directory: &Directory) {
        let order = publisher.sorted.as_deref().unwrap_or(&publisher.order);
        let _ = snapshot::write_index(
            self.folder,
            self.root,
            self.generation,
            &publisher.index.whole(),
            order,
            Some(directory),
        );
    }
}

/// Statements of a snapshot handed to the publisher first: few, so the list
/// fills as soon as the snapshot is read (the others go a message's worth
/// at a time).
const FIRST_KEPT_LOT: usize = 2_048;

/// Sends an archive taken from its snapshot as a load from its files would
/// send it: in the same order, batch by batch, each batch restored from
/// the shelf (on all cores) just before it goes, so the first statements
/// are on the screen as soon as the snapshot is read and checked, and the
/// browser takes one batch while the next is restored.
///
/// The search index kept beside the snapshot (read on a thread of its own
/// from the start), when it can be trusted, takes the place of the one
/// made so far once the first lot is on the screen; otherwise the
/// statements are indexed as they go, and the index is kept at the end.
///
/// A statement that does not restore (the snapshot is damaged in a way
/// its checksums did not catch) throws the snapshot away; when some were
/// on the screen already, the last message asks for a reload (which reads
/// the files).
///
/// # Errors
/// Why, when the snapshot was found damaged before anything was sent: the
/// files are to be read instead.
fn publish_shelf(
    publisher: &mut Publisher<'_>,
    shelf: Shelf,
    folder: &std::path::Path,
    root: &std::path::Path,
) -> Result<(), String> {
    let Err(why) = send_shelf(publisher, shelf, folder, root) else {
        return Ok(());
    };
    snapshot::discard(folder, root);
    if publisher.shown == 0 {
        return Err(why);
    }
    let finished = Finished {
        problem_lines: Vec::new(),
        directory: Some(Directory::default()),
        error: None,
        withdrawn: Vec::new(),
        catalog: Some(read_again(&why)),
        read_again: true,
    };
    publisher.publish(Progress::default(), Some(finished));
    Ok(())
}

/// [`publish_shelf`]'s sending: with the index, order and contacts
/// directory kept beside the snapshot, the whole catalog in one message,
/// its statements left on the snapshot (restored as they are shown: at a
/// million, restoring them all took the two cores three seconds); without
/// them, lot by lot, each restored as it goes, indexed, and the index kept
/// at the end.
///
/// # Errors
/// A statement that does not restore: what was sent before it stays sent.
fn send_shelf(
    publisher: &mut Publisher<'_>,
    mut shelf: Shelf,
    folder: &std::path::Path,
    root: &std::path::Path,
) -> Result<(), String> {
    // The kept index is read while the statements' heads are.
    let ahead = {
        let (folder, root) = (folder.to_path_buf(), root.to_path_buf());
        std::thread::spawn(move || snapshot::read_index_ahead(&folder, &root, true))
    };
    let kept = Kept {
        folder,
        root,
        generation: shelf.generation,
    };
    let total = shelf.len();
    let heads = shelf.heads()?;
    let signed: Vec<usize> = heads.iter().map(KeptHead::signed).collect();
    let whole = ahead.join().ok().and_then(|read| {
        read.and_then(|ahead| ahead.check(kept.generation, &signed))
            .ok()
    });
    let whole = match whole {
        Some(whole) if whole.directory.is_some() => {
            let order = crate::catalog::shelf_order(&heads, Some(whole.order));
            drop(heads);
            publisher.directory = whole.directory;
            send_shelved(publisher, shelf, whole.index, order);
            return Ok(());
        }
        whole => whole,
    };
    let mut progress = Progress {
        bytes_done: 0,
        bytes_total: total as u64,
        statements: 0,
    };
    let mut hand_on = |publisher: &mut Publisher<'_>, mut lot: Vec<Statement>| {
        progress.bytes_done += lot.len() as u64;
        progress.statements += lot.len();
        publisher.take(&mut lot, progress);
    };
    // The index kept without the directory (kept by a command): the
    // index and order are used, and the directory is gathered as the
    // statements go.
    let mut kept_order = None;
    if let Some(whole) = whole {
        publisher.index = Chunks::one(whole.index);
        publisher.indexed = true;
        kept_order = Some(whole.order);
    }
    publisher.sorted = Some(crate::catalog::shelf_order(&heads, kept_order));
    drop(heads);
    let mut at = FIRST_KEPT_LOT.min(total);
    hand_on(publisher, shelf.statements(0..at)?);
    publisher.message_at_most = (total / 64).clamp(MESSAGE_AT_MOST, KEPT_MESSAGE_AT_MOST);
    // Each lot is handed on while the next is restored on the other
    // threads (handing on orders what was sent so far: a pass over them
    // all).
    let mut lot = shelf.statements(at..(at + publisher.message_at_most).min(total))?;
    at += lot.len();
    while !publisher.gone && !lot.is_empty() {
        let end = (at + publisher.message_at_most).min(total);
        let mut next = Ok(Vec::new());
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| next = shelf.statements(at..end));
            hand_on(publisher, std::mem::take(&mut lot));
        });
        lot = next?;
        at = end;
    }
    if publisher.gone {
        return Ok(());
    }
    // The directory is kept only with an index that checked out: then
    // both are, and nothing is made or kept again.
    let all_kept = publisher.directory.is_some();
    let mut archive = std::mem::take(&mut shelf.archive);
    drop(shelf);
    let loose = std::mem::take(&mut archive.contacts);
    let finished = finished(publisher, Ok(archive), None);
    publisher.publish(progress, Some(finished));
    if all_kept || publisher.gone {
        return Ok(());
    }
    let directory = publisher.send_directory(&loose, progress);
    kept.keep_index(publisher, &directory);
    Ok(())
}

/// Sends the whole catalog of `shelf` in one message, with the `index`,
/// `order` and the publisher's directory kept beside it: its statements
/// stay on the snapshot, each restored when the browser first shows it.
fn send_shelved(publisher: &mut Publisher<'_>, shelf: Shelf, index: Index, order: Vec<u32>) {
    let total = shelf.len();
    let progress = Progress {
        bytes_done: total as u64,
        bytes_total: total as u64,
        statements: total,
    };
    let catalog = crate::catalog::Catalog::shelved(shelf, index, order);
    let finished = Finished {
        problem_lines: catalog.problem_lines.clone(),
        directory: publisher.directory.take(),
        error: None,
        withdrawn: Vec::new(),
        catalog: None,
        read_again: false,
    };
    publisher.shown = total;
    publisher.gone |= !(publisher.send)(Arrived {
        archive: publisher.archive,
        statements: Vec::new(),
        index: catalog.index.clone(),
        catalog: Some(Box::new(catalog)),
        progress,
        order: None,
        finished: Some(finished),
        contacts: None,
    });
}

/// What the status line says of a snapshot not used.
fn read_again(why: &str) -> String {
    format!("catalog read again from the archive: {why}")
}

/// What the newest-first order compares of a statement.
fn order_key(statement: &Statement) -> (Published, Box<str>) {
    (statement.published.clone(), statement.id.as_str().into())
}

/// The directory of the contacts gathered as statements arrived (with
/// their dates; their entries made on all cores) and those of items that
/// hold no statement.
fn gathered(contacts: &mut Vec<(Published, Cited)>, loose: &[ContactEntry]) -> Directory {
    use rayon::prelude::*;
    let mut contacts = std::mem::take(contacts);
    contacts.sort_by(|a, b| crate::records::newest_first((&a.0, a.1.id()), (&b.0, b.1.id())));
    // In that order: the first source's spelling and labels lead a merge.
    let mut raw: Vec<ContactEntry> = contacts
        .par_iter()
        .flat_map_iter(|(_, cited)| cited.entries())
        .collect();
    raw.extend(loose.iter().cloned());
    Directory::from_entries(raw)
}

/// What the last message says once the archive is read.
fn finished(
    publisher: &mut Publisher<'_>,
    loaded: anyhow::Result<Archive>,
    catalog: Option<String>,
) -> Finished {
    match loaded {
        Ok(archive) => Finished {
            problem_lines: crate::catalog::problem_lines(&archive),
            directory: publisher.directory.take(),
            error: None,
            withdrawn: archive.withdrawn,
            catalog,
            read_again: false,
        },
        Err(err) => Finished {
            problem_lines: Vec::new(),
            directory: Some(Directory::default()),
            error: Some(format!("{err:#}")),
            withdrawn: Vec::new(),
            catalog,
            read_again: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::mpsc;

    use super::*;
    use crate::keymap::Action;
    use crate::loader::ReadPolicy;
    use crate::state::{Effect, State};

    /// More statements than the first lot, so a snapshot's lots are sent
    /// in several messages.
    const COUNT: usize = 3 * FIRST_KEPT_LOT;

    fn write_archive(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("archive.jsonl");
        let lines: Vec<String> = (0..COUNT)
            .map(|n| {
                serde_json::json!({
                    "id": format!("s{n}"),
                    "title": format!("Statement number {n}"),
                    "published": format!("20{:02}-01-{:02}", n % 30, n % 28 + 1),
                    "signatories": [{"name": format!("Minister {}", n % 7)}],
                })
                .to_string()
            })
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("written");
        path
    }

    /// A browser loaded by the loader thread from `source`, run to the end
    /// of the load.
    fn loaded(source: &Source) -> State {
        let mut state = State::new("loaded".into(), Vec::new(), 0);
        state.update(Action::Resize(100, 30));
        state.loading = Some(Progress::default());
        let (send, arrivals) = mpsc::channel();
        start(source.clone(), state.archive_number, to_channel(send));
        for input in arrivals {
            crate::app::handle(&mut state, input);
        }
        assert!(state.loading.is_none(), "the load ends");
        state
    }

    fn ids(state: &State) -> Vec<&str> {
        state
            .catalog
            .statements
            .iter()
            .map(|statement| statement.id.as_str())
            .collect()
    }

    #[test]
    fn a_snapshot_cut_short_or_damaged_past_its_checksums_is_read_again_from_the_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = write_archive(dir.path());
        let cache = dir.path().join("cache");
        let source = Source::new(&root, ReadPolicy::default(), Some(&cache));
        let cold = loaded(&source);
        assert_eq!(cold.catalog.statements.len(), COUNT);
        let warm = loaded(&source);
        assert_eq!(ids(&warm), ids(&cold), "taken from the snapshot, in order");
        assert!(warm.catalog.is_shelved());
        assert_eq!(warm.catalog.order, cold.catalog.order);
        assert_eq!(warm.status, None);
        assert!(warm.effects.is_empty(), "{:?}", warm.effects);

        // Cut short (a disk that filled up): refused whole, read from the
        // files, said, and kept again.
        let path = snapshot::file_for(&cache, &root);
        let bytes = std::fs::read(&path).expect("kept");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("cut");
        let cut = loaded(&source);
        assert_eq!(ids(&cut), ids(&cold));
        let said = cut.status.clone().unwrap_or_default();
        assert!(said.contains("catalog read again"), "{said:?}");
        assert!(!cut.effects.contains(&Effect::Reload));
        let again = loaded(&source);
        assert_eq!(again.status, None, "kept again whole, and used");
        assert_eq!(ids(&again), ids(&cold));

        assert!(
            again.catalog.is_shelved(),
            "taken whole, left on the snapshot"
        );
        assert!(again.effects.is_empty(), "{:?}", again.effects);

        // Damaged past its checksums, with the index kept: the catalog
        // arrives whole, and the damaged statement is found when it is
        // first shown. A stand-in says so in its place (the others are
        // themselves), and the archive is read again from its files, once.
        snapshot::damage_past_checksums(&cache, &root, COUNT - 10);
        let mut shown = loaded(&source);
        assert!(shown.effects.is_empty(), "{:?}", shown.effects);
        assert_eq!(
            shown.catalog.statements[COUNT - 11].id,
            format!("s{}", COUNT - 11)
        );
        let stand_in = &shown.catalog.statements[COUNT - 10];
        assert!(
            stand_in.title.contains("could not be read back"),
            "{stand_in:?}"
        );
        assert!(
            shown.catalog.statement(COUNT - 10).is_err(),
            "a command is told"
        );
        crate::app::handle(&mut shown, crate::app::Input::Tick);
        assert_eq!(shown.effects, [Effect::Reload]);
        let said = shown.status.clone().unwrap_or_default();
        assert!(said.contains("catalog read again"), "{said:?}");
        shown.effects.clear();
        crate::app::handle(&mut shown, crate::app::Input::Tick);
        assert!(shown.effects.is_empty(), "asked once");
        // The reload restores every statement, finds the damage and reads
        // the files, keeping a good snapshot again.
        let (reloaded, warmth) = crate::catalog::load(&source).expect("reloads");
        assert!(matches!(warmth, crate::catalog::Warmth::Cold { .. }));
        assert_eq!(reloaded.statements.len(), COUNT);
        let whole = loaded(&source);
        assert_eq!(ids(&whole), ids(&cold), "kept again, warm");
        assert_eq!(whole.catalog.statements.damage(), None);

        // Without the index (or the contacts directory) kept, the
        // statements go lot by lot, restored as they go. Damaged in the
        // first lot: nothing of it is sent, the files are read in the
        // same load, and a good snapshot is kept again.
        let index = snapshot::index_file_for(&cache, &root);
        std::fs::remove_file(&index).expect("index removed");
        snapshot::damage_past_checksums(&cache, &root, 5);
        let first = loaded(&source);
        assert_eq!(ids(&first), ids(&cold));
        let said = first.status.clone().unwrap_or_default();
        assert!(said.contains("catalog read again"), "{said:?}");
        assert!(!first.effects.contains(&Effect::Reload));
        assert!(!first.catalog.is_shelved());

        // Damaged in a later lot, after the first ones are on the screen:
        // the snapshot is thrown away and the archive reloaded from its
        // files (the watcher's reload reads them as the snapshot is gone).
        std::fs::remove_file(&index).expect("index removed");
        snapshot::damage_past_checksums(&cache, &root, COUNT - 10);
        let later = loaded(&source);
        assert!(
            later.effects.contains(&Effect::Reload),
            "{:?}",
            later.effects
        );
        let said = later.status.clone().unwrap_or_default();
        assert!(said.contains("catalog read again"), "{said:?}");
        assert!(
            !snapshot::file_for(&cache, &root).exists(),
            "a damaged snapshot is never used again"
        );
        let (reloaded, warmth) = crate::catalog::load(&source).expect("reloads");
        assert!(matches!(warmth, crate::catalog::Warmth::Cold { .. }));
        assert_eq!(reloaded.statements.len(), COUNT);
    }
}
