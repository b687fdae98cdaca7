//! The one owner of a loaded archive: its statements (by position, in the
//! order read), their newest-first order, the fuzzy search index over them,
//! the media contacts directory and the problems found reading it. The
//! browser, a reload and the headless commands each hold one, built the
//! same way: whole from an opened archive ([`Catalog::opened`]), batch by
//! batch as a load streams in ([`Catalog::arrive`], then
//! [`Catalog::finish`]), or — for a command that prints a few statements —
//! from a catalog snapshot whose statements are restored one at a time
//! ([`Catalog::shelved`]). A reload is a new catalog and the [`Remap`] of
//! positions from the old one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::order::{Order, kept_or_newest_order, merge_newest, newest_order, position, ranks};
use super::snapshot::Shelf;
use super::statements::Statements;
use crate::contacts::Directory;
use crate::loader::Archive;
use crate::records::Statement;
use crate::search::contacts::ContactIndex;
use crate::search::{Chunks, Index};

/// A loaded archive.
#[derive(Debug, Default)]
pub struct Catalog {
    /// In the order they were loaded: positions in this list are what hits,
    /// choices and open views refer to. In a catalog taken from a snapshot
    /// ([`Catalog::shelved`]) each is restored when first asked for.
    pub statements: Statements,
    /// Positions of the statements, newest first (empty in a catalog
    /// opened only to look statements up by id: [`super::Wanted::Ids`]).
    pub order: Vec<u32>,
    /// Each statement's place in `order` (shared with background searches,
    /// which sort by it).
    pub rank: Arc<Vec<u32>>,
    /// A snapshot of the search index, of every statement listed (it may
    /// hold more while a load streams in: a whole kept one; it is empty in
    /// a catalog opened only to be listed, [`Catalog::unindexed`]).
    pub index: Chunks,
    /// Every media contact of the archive, merged, and its search index
    /// (empty until gathered: see [`Catalog::gather_contacts`]).
    pub directory: Directory,
    pub contact_index: ContactIndex,
    /// How many problems were found reading the archive…
    pub problems: usize,
    /// …and those problems as `check` prints them.
    pub problem_lines: Vec<String>,
    /// Contacts of items that hold no statement, until gathered into the
    /// directory.
    loose_contacts: Vec<crate::contacts::ContactEntry>,
    /// Whether `directory` is the archive's (gathered, or taken as kept).
    contacts_known: bool,
}

impl Catalog {
    /// Statements already in memory (tests, benchmarks, a state made
    /// whole), indexed and ordered here; `problems` found reading them.
    #[must_use]
    pub fn new(statements: Vec<Statement>, problems: usize) -> Self {
        let index = Index::new(&statements);
        let Order { order, rank } = newest_order(&statements);
        Self {
            statements: statements.into(),
            order,
            rank,
            index: Chunks::one(index),
            problems,
            ..Self::default()
        }
    }

    /// An archive opened whole (a reload, a headless command), with the
    /// fuzzy index of its statements as they are in it, and their
    /// newest-first order when one was kept (used when it checks out, else
    /// made here): their problems are worked out here, the contacts
    /// directory when asked for ([`Catalog::gather_contacts`]: at 100,000
    /// statements it takes a second, which a command that shows no contact
    /// need not spend).
    #[must_use]
    pub fn opened(archive: Archive, index: Index, kept_order: Option<Vec<u32>>) -> Self {
        let problem_lines = problem_lines(&archive);
        let Order { order, rank } = kept_or_newest_order(&archive.statements, kept_order);
        Self {
            problems: problem_lines.len(),
            problem_lines,
            statements: archive.statements.into(),
            order,
            rank,
            index: Chunks::one(index),
            loose_contacts: archive.contacts,
            ..Self::default()
        }
    }

    /// An archive opened only to be listed, never searched (a command
    /// given no query): its order and problems as [`Catalog::opened`], and
    /// no search index (making one would cost a command more than reading
    /// the archive takes). Its `index` is empty.
    #[must_use]
    pub fn unindexed(archive: Archive) -> Self {
        Self::opened(archive, Index::default(), None)
    }

    /// A catalog snapshot opened with the fuzzy index kept for it (or
    /// none, to be listed only) and its statements' newest-first `order`,
    /// checked against their kept dates and ids
    /// ([`super::load_shelved`]): each statement is restored when first
    /// asked for, so a command that prints a page, and a browser that
    /// shows a screenful, restore those and no more.
    #[must_use]
    pub fn shelved(mut shelf: Shelf, index: Index, order: Vec<u32>) -> Self {
        let rank = Arc::new(ranks(&order));
        let problem_lines = problem_lines(&shelf.archive);
        let loose_contacts = std::mem::take(&mut shelf.archive.contacts);
        Self {
            problems: problem_lines.len(),
            problem_lines,
            order,
            rank,
            index: Chunks::one(index),
            loose_contacts,
            statements: Statements::shelved(shelf),
            ..Self::default()
        }
    }

    /// The statement at position `at` (restored from the snapshot the
    /// first time, in a shelved catalog).
    ///
    /// # Errors
    /// No statement there, or a shelved one that does not restore (a
    /// snapshot damaged in a way its checksums did not catch).
    pub fn statement(&self, at: usize) -> anyhow::Result<&Statement> {
        self.statements
            .restored(at)
            .map_err(|why| anyhow::anyhow!("catalog snapshot {why}"))
    }

    /// The generation of the catalog snapshot a shelved catalog restores
    /// from (`None` when its statements are in memory).
    #[must_use]
    pub fn generation(&self) -> Option<u64> {
        self.statements.generation()
    }

    /// Whether its statements are on a snapshot's shelf
    /// ([`Catalog::shelved`]).
    #[must_use]
    pub fn is_shelved(&self) -> bool {
        self.statements.is_shelved()
    }

    /// The position of the statement whose id is `id` (a shelved one's
    /// looked up in place, on all cores).
    #[must_use]
    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.statements.position_of(id)
    }

    /// The id of the statement at position `at`.
    #[must_use]
    pub fn id(&self, at: usize) -> Option<&str> {
        self.statements.id(at)
    }

    /// The catalog with every statement restored (a shelved one's from
    /// its shelf, on all cores), for a command that reads them all.
    ///
    /// # Errors
    /// A shelved statement that does not restore.
    pub fn into_whole(mut self) -> anyhow::Result<Self> {
        self.statements
            .whole_mut()
            .map_err(|why| anyhow::anyhow!("catalog snapshot {why}"))?;
        Ok(self)
    }

    /// Makes the contacts directory of the statements and of the items
    /// that hold none, unless it is known already (shelved statements are
    /// restored for it).
    pub fn gather_contacts(&mut self) {
        if self.contacts_known {
            return;
        }
        let loose = std::mem::take(&mut self.loose_contacts);
        let directory = match self.statements.whole_mut() {
            Ok(statements) => Directory::build(statements, &loose),
            // Damaged: the owner reads the archive again (see
            // [`Statements::damage`]); the directory holds what it can.
            Err(_) => Directory::build(&[], &loose),
        };
        self.set_directory(directory);
    }

    /// How many statements it holds (shelved ones included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The statement with this id (a shelved one restored: see
    /// [`Catalog::position_of`] and [`Catalog::statement`]); `None` when
    /// there is none, or it does not restore.
    #[must_use]
    pub fn find(&self, id: &str) -> Option<&Statement> {
        self.statement(self.position_of(id)?).ok()
    }

    /// Takes more statements of a load streaming in, after those it holds;
    /// gives the position of the first. `index` is the search index with
    /// them (a snapshot the sender made: it may hold more, never fewer);
    /// `order` is the order with them, when the sender worked it out (the
    /// loader does), else they are merged here. `expected`: how many
    /// statements the whole archive may hold, so a million are not copied
    /// each time the list grows.
    pub fn arrive(
        &mut self,
        batch: Vec<Statement>,
        index: Chunks,
        order: Option<Order>,
        expected: usize,
    ) -> usize {
        // Also with no statements: the last message of a load brings the
        // index merged into one part.
        self.index = index;
        let first = self.statements.len();
        if batch.is_empty() {
            return first;
        }
        // A load streams into a catalog read from files (one taken from a
        // snapshot arrives whole): shelved ones would be restored first.
        let Ok(statements) = self.statements.whole_mut() else {
            return first;
        };
        let wanted = first + batch.len();
        if wanted > statements.capacity() {
            statements.reserve(expected.max(wanted) - first);
        }
        statements.extend(batch);
        match order {
            Some(Order { order, rank }) if order.len() == statements.len() => {
                self.order = order;
                self.rank = rank;
            }
            _ => {
                // Sort the newcomers, then merge them into the order so far.
                let statements = &*statements;
                let newest = |a: &u32, b: &u32| {
                    Statement::newest_first(&statements[*a as usize], &statements[*b as usize])
                };
                let mut arrived: Vec<u32> = (first..statements.len()).map(position).collect();
                if !arrived.is_sorted_by(|a, b| newest(a, b).is_le()) {
                    arrived.sort_by(newest);
                }
                let merged = merge_newest(&self.order, &arrived, |a, b| newest(&a, &b).is_lt());
                self.rank = Arc::new(ranks(&merged));
                self.order = merged;
            }
        }
        first
    }

    /// The load has finished: what is known only once the whole archive
    /// is read (the contacts directory, unless it follows: see
    /// [`Catalog::set_directory`]).
    pub fn finish(&mut self, directory: Option<Directory>, problem_lines: Vec<String>) {
        if let Some(directory) = directory {
            self.set_directory(directory);
        }
        self.problems = problem_lines.len();
        self.problem_lines = problem_lines;
    }

    /// Whether the contacts directory is the archive's (not still being
    /// gathered).
    #[must_use]
    pub fn contacts_known(&self) -> bool {
        self.contacts_known
    }

    /// Takes the contacts directory (and indexes it for searching).
    pub fn set_directory(&mut self, directory: Directory) {
        self.contact_index = ContactIndex::new(&directory);
        self.directory = directory;
        self.contacts_known = true;
    }

    /// Where each statement of `old` is in this catalog, by id, and which
    /// statements are new here.
    #[must_use]
    pub fn remap_from(&self, old: &Catalog) -> Remap {
        // By id alone: shelved statements are not restored for it.
        fn ids(catalog: &Catalog) -> Vec<&str> {
            (0..catalog.len())
                .map(|at| catalog.id(at).unwrap_or_default())
                .collect()
        }
        let (new_ids, old_ids) = (ids(self), ids(old));
        let positions: HashMap<&str, u32, foldhash::fast::RandomState> = new_ids
            .iter()
            .enumerate()
            .map(|(at, &id)| (id, position(at)))
            .collect();
        let to_new: Vec<Option<u32>> = old_ids
            .iter()
            .map(|&id| positions.get(id).copied())
            .collect();
        let left = old_ids
            .iter()
            .zip(&to_new)
            .filter(|(_, now)| now.is_none())
            .map(|(&id, _)| id.to_owned())
            .collect();
        let known: HashSet<&str, foldhash::fast::RandomState> = old_ids.iter().copied().collect();
        let arrived = new_ids
            .iter()
            .filter(|&&id| !known.contains(id))
            .map(|&id| id.to_owned())
            .collect();
        Remap {
            to_new,
            arrived,
            left,
        }
    }
}

/// How positions in one catalog map to the next (a reload), by the
/// statements' ids.
#[derive(Debug, Default)]
pub struct Remap {
    /// By old position: the new one, `None` for a statement gone.
    to_new: Vec<Option<u32>>,
    /// Ids in the new catalog the old did not hold.
    pub arrived: Vec<String>,
    /// Ids in the old catalog the new does not hold.
    pub left: HashSet<String>,
}

impl Remap {
    /// Where the statement at `old` in the old catalog is now.
    #[must_use]
    pub fn position(&self, old: usize) -> Option<usize> {
        self.to_new
            .get(old)
            .copied()
            .flatten()
            .map(|at| at as usize)
    }
}

/// An archive's problems as `check` prints them, cleaned for the terminal.
#[must_use]
pub fn problem_lines(archive: &Archive) -> Vec<String> {
    archive
        .counted_problems()
        .map(|problem| crate::sanitize::clean_line(&problem.to_string()).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Query;

    fn statement(id: &str, date: &str) -> Statement {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": format!("Statement {id}"), "published": date,
        }))
        .expect("statement")
    }

    fn ids(catalog: &Catalog) -> Vec<&str> {
        catalog
            .order
            .iter()
            .map(|&at| catalog.statements[at as usize].id.as_str())
            .collect()
    }

    /// A catalog that streamed in batch by batch (order merged here, index
    /// parts pushed) is the catalog made whole.
    #[test]
    fn arriving_in_batches_makes_the_whole_catalog() {
        let all = vec![
            statement("b", "2024-02-01"),
            statement("a", "2024-03-01"),
            statement("d", "2023-12-01"),
            statement("c", "2024-03-01"),
        ];
        let whole = Catalog::new(all.clone(), 0);
        let mut streamed = Catalog::default();
        let mut index = Chunks::default();
        for (number, batch) in all.chunks(3).enumerate() {
            let part = Index::new(batch);
            index.push(part);
            let first = streamed.arrive(batch.to_vec(), index.clone(), None, 0);
            assert_eq!(first, number * 3);
        }
        assert_eq!(ids(&streamed), ["a", "c", "b", "d"], "same day: by id");
        assert_eq!(ids(&streamed), ids(&whole));
        assert_eq!(streamed.rank, whole.rank);
        let query = crate::search::parse("statement").expect("query");
        assert_eq!(streamed.index.search(&query), whole.index.search(&query));
        assert_eq!(whole.index.search(&Query::default()).len(), 4);
    }

    /// A reload maps each old position to the statement's new one, by id,
    /// and tells the new statements and those gone.
    #[test]
    fn a_reload_remaps_positions_by_id() {
        let old = Catalog::new(
            vec![
                statement("a", "2024-01-01"),
                statement("b", "2024-01-02"),
                statement("c", "2024-01-03"),
            ],
            0,
        );
        let new = Catalog::new(
            vec![
                statement("c", "2024-01-03"),
                statement("x", "2024-01-04"),
                statement("a", "2024-01-01"),
            ],
            0,
        );
        let remap = new.remap_from(&old);
        assert_eq!(remap.position(0), Some(2), "a moved");
        assert_eq!(remap.position(1), None, "b left");
        assert_eq!(remap.position(2), Some(0), "c moved");
        assert_eq!(remap.position(3), None, "no such old position");
        assert_eq!(remap.arrived, ["x"]);
        assert_eq!(remap.left, HashSet::from(["b".to_owned()]));
    }
}
