//! A catalog's statements by position: held in memory (read from the
//! archive's files), or left encoded on a catalog snapshot's shelf and each
//! restored the first time it is asked for. A warm start of a million
//! statements then restores the few the screen shows instead of all of
//! them (which took most of the two cores for three seconds), and a command
//! that prints a page restores that page.
//!
//! A statement that does not restore (the snapshot damaged in a way its
//! checksums did not catch) is never shown as if read: in its place is a
//! stand-in that says so, and [`Statements::damage`] tells the owner, which
//! reads the archive from its files again.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::snapshot::Shelf;
use crate::records::Statement;

/// The statements of a catalog, by position.
#[derive(Debug)]
pub struct Statements(Held);

#[derive(Debug)]
enum Held {
    Whole(Vec<Statement>),
    Shelved(Box<Shelved>),
}

/// Statements left on a snapshot's shelf.
struct Shelved {
    /// Shared with the full-text indexer, which restores what it indexes
    /// on its own thread ([`TextParts`]).
    shelf: Arc<Shelf>,
    /// By position: unset until asked for; `None` once it turned out not
    /// to restore.
    restored: Vec<OnceLock<Option<Box<Statement>>>>,
    /// Why the first statement that did not restore did not.
    damage: OnceLock<String>,
    /// Shown in place of a statement that did not restore.
    stand_in: Statement,
    /// Each statement's position by id, made the first time one is looked
    /// up (from the ids read in place).
    positions: OnceLock<HashMap<Box<str>, u32, foldhash::fast::RandomState>>,
}

impl std::fmt::Debug for Shelved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shelved")
            .field("shelf", &self.shelf)
            .field("damage", &self.damage.get())
            .finish_non_exhaustive()
    }
}

impl Shelved {
    /// The statement at `at` restored, or `None` (and the damage noted).
    fn restore(&self, at: usize) -> Option<Box<Statement>> {
        match self.shelf.statement(at) {
            Ok(statement) => Some(Box::new(statement)),
            Err(why) => {
                self.damage.get_or_init(|| why);
                None
            }
        }
    }

    /// The statement at `at`, restored the first time it is asked for:
    /// `Some(None)` when it does not restore (the damage noted), `None`
    /// when there is none there.
    fn slot(&self, at: usize) -> Option<Option<&Statement>> {
        let slot = self.restored.get(at)?;
        Some(slot.get_or_init(|| self.restore(at)).as_deref())
    }

    /// As [`Shelved::slot`], the stand-in for one that does not restore.
    fn get(&self, at: usize) -> Option<&Statement> {
        Some(self.slot(at)?.unwrap_or(&self.stand_in))
    }

    /// Restores those of `positions` not restored yet, on all cores.
    fn restore_each(&self, positions: impl IndexedParallelIterator<Item = usize>) {
        positions.with_min_len(256).for_each(|at| {
            self.slot(at);
        });
    }
}

impl Default for Statements {
    fn default() -> Self {
        Self(Held::Whole(Vec::new()))
    }
}

impl From<Vec<Statement>> for Statements {
    fn from(statements: Vec<Statement>) -> Self {
        Self(Held::Whole(statements))
    }
}

impl std::ops::Index<usize> for Statements {
    type Output = Statement;

    /// The statement at `at` (restored if need be).
    ///
    /// # Panics
    /// When there is none, as a slice's index does.
    fn index(&self, at: usize) -> &Statement {
        match self.get(at) {
            Some(statement) => statement,
            None => panic!("no statement {at}: there are {}", self.len()),
        }
    }
}

impl Statements {
    /// The statements of `shelf`, each restored when first asked for.
    #[must_use]
    pub fn shelved(shelf: Shelf) -> Self {
        let restored = (0..shelf.len()).map(|_| OnceLock::new()).collect();
        let stand_in = Statement::titled(
            "(this statement could not be read back from the catalog snapshot: \
             the archive is read again)"
                .into(),
        );
        Self(Held::Shelved(Box::new(Shelved {
            shelf: Arc::new(shelf),
            restored,
            damage: OnceLock::new(),
            stand_in,
            positions: OnceLock::new(),
        })))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            Held::Whole(statements) => statements.len(),
            Held::Shelved(shelved) => shelved.restored.len(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many it has room for without growing (all, shelved).
    #[must_use]
    pub fn capacity(&self) -> usize {
        match &self.0 {
            Held::Whole(statements) => statements.capacity(),
            Held::Shelved(shelved) => shelved.restored.len(),
        }
    }

    /// The statement at `at` (a shelved one restored the first time; one
    /// that does not restore is the stand-in, and [`Statements::damage`]
    /// says why).
    #[must_use]
    pub fn get(&self, at: usize) -> Option<&Statement> {
        match &self.0 {
            Held::Whole(statements) => statements.get(at),
            Held::Shelved(shelved) => shelved.get(at),
        }
    }

    /// The statement at `at`, or why it is not there (none at `at`, or a
    /// shelved one that does not restore): for a command, which prints an
    /// error rather than a stand-in.
    ///
    /// # Errors
    /// As said.
    pub fn restored(&self, at: usize) -> Result<&Statement, String> {
        match &self.0 {
            Held::Whole(statements) => statements
                .get(at)
                .ok_or_else(|| format!("no statement {at}")),
            Held::Shelved(shelved) => shelved
                .slot(at)
                .ok_or_else(|| format!("no statement {at}"))?
                .ok_or_else(|| match shelved.shelf.statement(at) {
                    Err(why) => why,
                    Ok(_) => format!("statement {at} did not restore"),
                }),
        }
    }

    /// The statement at `at`, to change (a shelved one restored first).
    pub fn get_mut(&mut self, at: usize) -> Option<&mut Statement> {
        match &mut self.0 {
            Held::Whole(statements) => statements.get_mut(at),
            Held::Shelved(shelved) => {
                // Restored into its slot first (or the damage noted).
                shelved.slot(at)?;
                let Shelved {
                    restored, stand_in, ..
                } = &mut **shelved;
                match restored.get_mut(at)?.get_mut() {
                    Some(Some(statement)) => Some(&mut **statement),
                    _ => Some(stand_in),
                }
            }
        }
    }

    /// Every statement in order (shelved ones restored as they are reached).
    #[must_use]
    pub fn iter(&self) -> Iter<'_> {
        self.range(0..self.len())
    }

    /// The statements at `range` (as far as there are any) in order, as
    /// [`Statements::iter`].
    #[must_use]
    pub fn range(&self, range: std::ops::Range<usize>) -> Iter<'_> {
        Iter {
            statements: self,
            range: self.within(range),
        }
    }

    /// The part of `range` there are statements at.
    fn within(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let end = range.end.min(self.len());
        range.start.min(end)..end
    }

    /// The id of the statement at `at`: a shelved one's read in place when
    /// it is not restored.
    #[must_use]
    pub fn id(&self, at: usize) -> Option<&str> {
        match &self.0 {
            Held::Whole(statements) => statements.get(at).map(|statement| statement.id.as_str()),
            Held::Shelved(shelved) => match shelved.restored.get(at)?.get() {
                Some(Some(statement)) => Some(statement.id.as_str()),
                Some(None) => None,
                None => shelved.shelf.head(at).ok().map(|head| head.id),
            },
        }
    }

    /// The position of the statement whose id is `id` (shelved ones' ids
    /// read in place, on all cores; or looked up, once
    /// [`Statements::position_by_id`] has made the map).
    #[must_use]
    pub fn position_of(&self, id: &str) -> Option<usize> {
        match &self.0 {
            Held::Whole(statements) => statements.iter().position(|statement| statement.id == id),
            Held::Shelved(shelved) => match shelved.positions.get() {
                Some(positions) => positions.get(id).map(|&at| at as usize),
                None => (0..self.len())
                    .into_par_iter()
                    .position_first(|at| self.id(at) == Some(id)),
            },
        }
    }

    /// As [`Statements::position_of`], for one of many ids looked up: a
    /// shelved catalog makes a map of every id the first time (a one-off
    /// look, `show ID`, is quicker without it).
    #[must_use]
    pub fn position_by_id(&self, id: &str) -> Option<usize> {
        match &self.0 {
            Held::Whole(_) => self.position_of(id),
            Held::Shelved(shelved) => shelved
                .positions
                .get_or_init(|| {
                    (0..self.len())
                        .into_par_iter()
                        .filter_map(|at| {
                            let position = u32::try_from(at).ok()?;
                            Some((Box::from(self.id(at)?), position))
                        })
                        .collect()
                })
                .get(id)
                .map(|&at| at as usize),
        }
    }

    /// Restores every statement still shelved, on all cores: before
    /// reading them all on one thread (gathering signatories, counting
    /// values).
    pub fn restore_all(&self) {
        if let Held::Shelved(shelved) = &self.0 {
            shelved.restore_each((0..shelved.restored.len()).into_par_iter());
        }
    }

    /// Restores the statements at `positions` still shelved, on all
    /// cores: before reading each on one thread (sorting hits by title).
    pub fn restore_each(&self, positions: &[usize]) {
        if let Held::Shelved(shelved) = &self.0 {
            shelved.restore_each(positions.par_iter().copied());
        }
    }

    /// Why a shelved statement asked for did not restore, once one did not.
    #[must_use]
    pub fn damage(&self) -> Option<&str> {
        match &self.0 {
            Held::Whole(_) => None,
            Held::Shelved(shelved) => shelved.damage.get().map(String::as_str),
        }
    }

    /// The generation of the snapshot shelved statements are restored from
    /// (`None` when they are in memory).
    #[must_use]
    pub fn generation(&self) -> Option<u64> {
        match &self.0 {
            Held::Whole(_) => None,
            Held::Shelved(shelved) => Some(shelved.shelf.generation),
        }
    }

    /// Whether they are on a snapshot's shelf.
    #[must_use]
    pub fn is_shelved(&self) -> bool {
        matches!(self.0, Held::Shelved(_))
    }

    /// All of them in memory (those still shelved restored, on all cores).
    ///
    /// # Errors
    /// A shelved statement that does not restore.
    pub fn into_whole(self) -> Result<Vec<Statement>, String> {
        match self.0 {
            Held::Whole(statements) => Ok(statements),
            Held::Shelved(shelved) => {
                let Shelved {
                    shelf, restored, ..
                } = *shelved;
                let shelf = &*shelf;
                let mut whole = Vec::with_capacity(restored.len());
                restored
                    .into_par_iter()
                    .enumerate()
                    .with_min_len(256)
                    .map(|(at, slot)| match slot.into_inner() {
                        Some(Some(statement)) => Ok(*statement),
                        _ => shelf.statement(at),
                    })
                    .collect_into_vec(&mut whole);
                whole.into_iter().collect()
            }
        }
    }

    /// The statements in memory, to add to or read as a slice (shelved
    /// ones restored first, on all cores).
    ///
    /// # Errors
    /// A shelved statement that does not restore: then they stay shelved.
    pub fn whole_mut(&mut self) -> Result<&mut Vec<Statement>, String> {
        if let Held::Shelved(_) = self.0 {
            // Restored in place first, so a damaged one leaves them shelved
            // (taken out and failing, they would be lost).
            self.restore_all();
            if let Some(why) = self.damage() {
                return Err(why.to_owned());
            }
            let whole = std::mem::take(self).into_whole()?;
            self.0 = Held::Whole(whole);
        }
        match &mut self.0 {
            Held::Whole(statements) => Ok(statements),
            Held::Shelved(_) => Err("still shelved".into()),
        }
    }

    /// What full-text indexing reads of the statements at `range` (as far
    /// as there are any), for the indexer's thread: copied now when they
    /// are in memory, restored there when they are shelved (restoring a
    /// piece of them here held the drawing thread for milliseconds).
    #[must_use]
    pub fn text_parts(&self, range: std::ops::Range<usize>) -> TextParts {
        let range = self.within(range);
        match &self.0 {
            Held::Whole(statements) => {
                TextParts::Copied(statements[range].iter().map(Statement::text_part).collect())
            }
            Held::Shelved(shelved) => TextParts::Shelved {
                shelf: Arc::clone(&shelved.shelf),
                range,
            },
        }
    }
}

/// What full-text indexing reads of some statements
/// ([`Statements::text_parts`]).
pub enum TextParts {
    /// Copied ([`Statement::text_part`]).
    Copied(Vec<Statement>),
    /// On a snapshot's shelf, restored when taken.
    Shelved {
        shelf: Arc<Shelf>,
        range: std::ops::Range<usize>,
    },
}

impl std::fmt::Debug for TextParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Copied(parts) => f.debug_tuple("Copied").field(&parts.len()).finish(),
            Self::Shelved { range, .. } => f.debug_struct("Shelved").field("range", range).finish(),
        }
    }
}

impl TextParts {
    /// How many statements.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Copied(parts) => parts.len(),
            Self::Shelved { range, .. } => range.len(),
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The statements (shelved ones restored here, on the caller's thread).
    ///
    /// # Errors
    /// A shelved statement that does not restore.
    pub fn restored(&self) -> Result<std::borrow::Cow<'_, [Statement]>, String> {
        match self {
            Self::Copied(parts) => Ok(std::borrow::Cow::Borrowed(parts)),
            Self::Shelved { shelf, range } => range
                .clone()
                .map(|at| shelf.statement(at))
                .collect::<Result<Vec<_>, _>>()
                .map(std::borrow::Cow::Owned),
        }
    }
}

/// Statements in order ([`Statements::iter`]).
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    statements: &'a Statements,
    range: std::ops::Range<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Statement;

    fn next(&mut self) -> Option<&'a Statement> {
        let at = self.range.next()?;
        self.statements.get(at)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let at = self.range.next_back()?;
        self.statements.get(at)
    }
}

/// The same statements in the same order, however each is held.
impl PartialEq for Statements {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a> IntoIterator for &'a Statements {
    type Item = &'a Statement;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::snapshot;
    use crate::loader::{Archive, ReadPolicy};

    /// How many are restored (shelved) or held.
    fn restored(statements: &Statements) -> usize {
        match &statements.0 {
            Held::Whole(statements) => statements.len(),
            Held::Shelved(shelved) => shelved
                .restored
                .iter()
                .filter(|slot| slot.get().is_some())
                .count(),
        }
    }

    /// Statements of a snapshot written of `count` statements, and those
    /// statements.
    fn shelved(dir: &std::path::Path, count: usize) -> (Statements, Vec<Statement>) {
        let root = dir.join("archive");
        let statements: Vec<Statement> = (0..count)
            .map(|n| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("s{n}"),
                    "title": format!("Statement {n}"),
                    "published": format!("2024-01-{:02}", n % 28 + 1),
                    "signatories": [{"name": format!("Minister {}", n % 3)}],
                }))
                .expect("statement")
            })
            .collect();
        let archive = Archive {
            root: root.clone(),
            statements: statements.clone(),
            ..Archive::default()
        };
        let policy = ReadPolicy::default();
        snapshot::write(dir, policy, &[], &archive).expect("written");
        let shelf = snapshot::shelf(dir, &root, policy, &[]).expect("trusted");
        (Statements::shelved(shelf), statements)
    }

    /// A shelved statement is restored when asked for and no sooner; ids
    /// and positions are read without restoring; restored, changed and
    /// made whole, they are the statements written.
    #[test]
    fn shelved_statements_are_restored_as_they_are_asked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut statements, written) = shelved(dir.path(), 50);
        assert_eq!(statements.len(), 50);
        assert!(statements.is_shelved());
        assert_eq!(restored(&statements), 0);
        assert_eq!(statements.id(7), Some("s7"));
        assert_eq!(statements.position_of("s42"), Some(42));
        assert_eq!(statements.position_of("s50"), None);
        assert_eq!(statements.position_by_id("s42"), Some(42));
        assert_eq!(statements.position_by_id("s50"), None);
        assert_eq!(statements.position_of("s43"), Some(43), "from the map");
        assert_eq!(restored(&statements), 0, "ids are read in place");

        assert_eq!(statements[3], written[3]);
        assert_eq!(statements.get(4), Some(&written[4]));
        assert_eq!(statements.restored(5), Ok(&written[5]));
        assert!(statements.restored(50).is_err());
        assert!(statements.get(50).is_none());
        assert_eq!(restored(&statements), 3, "those asked for, no more");
        statements.restore_each(&[10, 11]);
        assert_eq!(restored(&statements), 5);

        statements.get_mut(20).expect("there").title = "Changed".into();
        assert_eq!(statements[20].title, "Changed");
        assert_eq!(statements.range(48..60).count(), 2);
        assert!(
            statements.iter().eq(written
                .iter()
                .enumerate()
                .map(|(at, s)| { if at == 20 { &statements[20] } else { s } }))
        );
        assert_eq!(statements.damage(), None);
        let whole = statements.into_whole().expect("whole");
        assert_eq!(whole.len(), 50);
        assert_eq!(whole[20].title, "Changed", "a change is kept");
        assert_eq!(whole[21..], written[21..]);
    }

    /// One damaged past the snapshot's checksums is a stand-in that says
    /// so, and the damage is told; the others restore.
    #[test]
    fn a_damaged_statement_is_a_stand_in_and_told() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("archive");
        let (_, written) = shelved(dir.path(), 20);
        snapshot::damage_past_checksums(dir.path(), &root, 9);
        let shelf =
            snapshot::shelf(dir.path(), &root, ReadPolicy::default(), &[]).expect("checksums pass");
        let mut statements = Statements::shelved(shelf);
        assert_eq!(statements[8], written[8]);
        assert_eq!(statements.damage(), None);
        assert!(statements[9].title.contains("could not be read back"));
        assert!(statements.damage().is_some());
        assert!(statements.restored(9).is_err(), "a command is told");
        assert_eq!(statements[10], written[10]);
        assert!(statements.whole_mut().is_err());
        assert!(statements.is_shelved(), "a damaged one leaves them shelved");
        assert_eq!(statements.len(), 20);
        assert_eq!(statements[11], written[11]);
        assert!(statements.into_whole().is_err());
    }

    #[test]
    fn whole_statements_are_read_as_a_list() {
        let statement = |id: &str| Statement {
            id: id.into(),
            ..Statement::titled(String::new())
        };
        let mut statements = Statements::from(vec![statement("a"), statement("b")]);
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1].id, "b");
        assert_eq!(statements.id(0), Some("a"));
        assert_eq!(statements.position_of("b"), Some(1));
        assert_eq!(statements.range(1..5).count(), 1);
        assert!(statements.get(2).is_none());
        assert!(statements.restored(2).is_err());
        statements.get_mut(0).expect("there").title = "changed".into();
        assert_eq!(statements[0].title, "changed");
        assert!(statements.damage().is_none());
    }
}
