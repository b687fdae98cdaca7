//! What the browser asks of the signatory computation and what it gets
//! back: a signatory's page, the timeline of a list, a comparison, each
//! answered from a [`Snapshot`] of the loaded archive so the answer can be
//! worked out off the drawing thread. Answers carry labels, not ledger ids
//! alone, so drawing them needs nothing but the answer.

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use super::{Chronology, Ledger, Timeline, compare_in, page_in};
use crate::records::{Signatory, Statement};
use crate::search::fold_shown;

/// Each loaded statement's day and signatories (shared, not copied), in
/// load order: what a [`Snapshot`] reads. The state keeps it in step with
/// its statements as batches arrive (a batch's share each time), and a
/// reload's comes gathered on the watcher's thread, so opening a signatory
/// page never gathers a million statements on the drawing thread.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    days: Vec<NaiveDate>,
    /// Every statement's signatories one after another; `ends[at]` is
    /// where the statement at `at`'s end.
    signers: Vec<Arc<Signatory>>,
    ends: Vec<u32>,
}

impl Gathered {
    /// Gathers `statements`.
    #[must_use]
    pub fn of<'a>(
        statements: impl IntoIterator<Item = &'a Statement, IntoIter: ExactSizeIterator>,
    ) -> Self {
        let mut gathered = Self::default();
        gathered.extend(statements);
        gathered
    }

    /// Adds statements loaded after those gathered so far.
    pub fn extend<'a>(
        &mut self,
        statements: impl IntoIterator<Item = &'a Statement, IntoIter: ExactSizeIterator>,
    ) {
        let statements = statements.into_iter();
        self.days.reserve(statements.len());
        self.ends.reserve(statements.len());
        for statement in statements {
            self.signers
                .extend(statement.signatories.iter().map(Arc::clone));
            self.ends
                .push(u32::try_from(self.signers.len()).unwrap_or(u32::MAX));
            self.days.push(statement.published.date());
        }
    }

    /// How many statements it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.days.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// What the signatory computation reads of the loaded statements: their
/// days and signatories ([`Gathered`], shared with the state) and the
/// list's newest-first order (shared with the state); and their ledger,
/// built the first time an answer needs it (on the worker).
#[derive(Debug)]
pub struct Snapshot {
    gathered: Arc<Gathered>,
    /// Each statement's place newest first (the state's `rank`).
    rank: Arc<Vec<u32>>,
    ledger: OnceLock<Ledger>,
}

impl Snapshot {
    /// Reads `statements`, whose newest-first places are `rank`.
    #[must_use]
    pub fn of(statements: &[Statement], rank: Arc<Vec<u32>>) -> Self {
        Self::of_gathered(Arc::new(Gathered::of(statements)), rank)
    }

    /// Reads statements gathered already, whose newest-first places are
    /// `rank`: no copy.
    #[must_use]
    pub fn of_gathered(gathered: Arc<Gathered>, rank: Arc<Vec<u32>>) -> Self {
        Self {
            gathered,
            rank,
            ledger: OnceLock::new(),
        }
    }

    /// How many statements it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.gathered.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.gathered.is_empty()
    }

    /// The signatories of the statement at `at`.
    fn signatories(&self, at: usize) -> &[Arc<Signatory>] {
        let gathered = &*self.gathered;
        let start = at
            .checked_sub(1)
            .map_or(0, |before| gathered.ends[before] as usize);
        gathered
            .signers
            .get(start..gathered.ends[at] as usize)
            .unwrap_or_default()
    }

    /// The ledger of the snapshot's statements (built on first use).
    pub fn ledger(&self) -> &Ledger {
        self.ledger
            .get_or_init(|| Ledger::of((0..self.len()).map(|at| self.signatories(at))))
    }

    fn place(&self, at: usize) -> u32 {
        self.rank.get(at).copied().unwrap_or(u32::MAX)
    }
}

/// By the list's order: a statement is before another when it comes after
/// it newest first (statements published at the same instant are told
/// apart by id, as the list tells them).
impl Chronology for Snapshot {
    fn count(&self) -> usize {
        self.len()
    }

    fn day(&self, at: usize) -> NaiveDate {
        self.gathered.days[at]
    }

    fn newest_first(&self, a: usize, b: usize) -> std::cmp::Ordering {
        self.place(a).cmp(&self.place(b)).then(a.cmp(&b))
    }

    fn before(&self, a: usize, b: usize) -> bool {
        self.place(a) > self.place(b)
    }
}

/// A snapshot is itself only: two copies of one archive are still two
/// snapshots (comparing them whole would cost as much as making them).
impl PartialEq for Snapshot {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Snapshot {}

/// Whose page to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The office of this signatory of a statement.
    Signatory(Arc<Signatory>),
    /// The office that signs most often for this country.
    Country(String),
    /// An office of the snapshot's ledger (a co-signer on a page).
    Office(u32),
}

/// One question for the signatory worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Page(Who),
    /// The timeline of these statements (by position): the list's.
    Timeline(Vec<usize>),
    /// The signatories of two statements (by position).
    Compare(usize, usize),
    /// The statement at `statement` against the latest of `among` published
    /// before it: the previous statement matching the same query.
    CompareWithPrevious {
        statement: usize,
        among: Vec<usize>,
    },
}

/// A co-signer as a page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CosignerRow {
    pub office: u32,
    pub label: String,
    pub together: usize,
    /// Share of the page's statements (0 to 1).
    pub share: f64,
}

// Shares are counts over counts of at least one: never NaN.
impl Eq for CosignerRow {}

/// A signatory's page, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct PageAnswer {
    pub office: u32,
    pub label: String,
    /// Every name the office's holders signed under.
    pub names: Vec<String>,
    /// Positions of the statements signed, newest first.
    pub statements: Vec<usize>,
    pub timeline: Timeline,
    /// Most often first.
    pub cosigners: Vec<CosignerRow>,
}

impl Eq for PageAnswer {}

/// A comparison, ready to draw: labels, each list by label (the missing
/// ones most usual first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareAnswer {
    pub earlier: usize,
    pub later: usize,
    pub both: Vec<String>,
    pub only_earlier: Vec<String>,
    pub only_later: Vec<String>,
    pub missing: Vec<String>,
}

/// An answer to an [`Ask`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `None`: no such signatory in the archive.
    Page(Option<Box<PageAnswer>>),
    Timeline(Timeline),
    /// `None`: there was no statement to compare with.
    Compare(Option<Box<CompareAnswer>>),
}

/// Answers `ask` from `snapshot`. Positions it is given that the snapshot
/// does not hold are left out.
#[must_use]
pub fn answer(snapshot: &Snapshot, ask: &Ask) -> Answer {
    let known = |at: &usize| *at < snapshot.len();
    match ask {
        Ask::Page(who) => Answer::Page(page_of(snapshot, who).map(Box::new)),
        Ask::Timeline(chosen) => Answer::Timeline(Timeline::of(
            chosen
                .iter()
                .filter(|at| known(at))
                .map(|&at| snapshot.day(at)),
        )),
        Ask::Compare(a, b) if known(a) && known(b) && a != b => {
            Answer::Compare(Some(Box::new(comparison(snapshot, *a, *b))))
        }
        Ask::Compare(..) => Answer::Compare(None),
        Ask::CompareWithPrevious { statement, among } if known(statement) => {
            // The latest of those before it: the first newest first.
            let previous = among
                .iter()
                .copied()
                .filter(|at| known(at) && at != statement)
                .filter(|&at| snapshot.before(at, *statement))
                .min_by(|&a, &b| snapshot.newest_first(a, b));
            Answer::Compare(
                previous.map(|previous| Box::new(comparison(snapshot, previous, *statement))),
            )
        }
        Ask::CompareWithPrevious { .. } => Answer::Compare(None),
    }
}

fn page_of(snapshot: &Snapshot, who: &Who) -> Option<PageAnswer> {
    let ledger = snapshot.ledger();
    let office = match who {
        Who::Signatory(signatory) => ledger.office_of(signatory)?,
        Who::Office(office) => Some(*office).filter(|&office| (office as usize) < ledger.len())?,
        Who::Country(country) => {
            let seat = format!(", {}", fold_shown(country.trim()));
            let found = ledger.find(country);
            found
                .iter()
                .copied()
                .find(|&office| fold_shown(&ledger.office(office).label).ends_with(&seat))
                .or_else(|| found.first().copied())?
        }
    };
    let page = page_in(ledger, snapshot, office);
    let holder = ledger.office(office);
    Some(PageAnswer {
        office,
        label: holder.label.clone(),
        names: holder.names.clone(),
        statements: page.statements,
        timeline: page.timeline,
        cosigners: page
            .cosigners
            .into_iter()
            .map(|cosigner| CosignerRow {
                office: cosigner.office,
                label: ledger.office(cosigner.office).label.clone(),
                together: cosigner.together,
                share: cosigner.share,
            })
            .collect(),
    })
}

fn comparison(snapshot: &Snapshot, a: usize, b: usize) -> CompareAnswer {
    let ledger = snapshot.ledger();
    let found = compare_in(ledger, snapshot, a, b);
    let labels = |offices: &[u32]| -> Vec<String> {
        offices
            .iter()
            .map(|&office| ledger.office(office).label.clone())
            .collect()
    };
    CompareAnswer {
        earlier: found.earlier,
        later: found.later,
        both: labels(&found.both),
        only_earlier: labels(&found.only_earlier),
        only_later: labels(&found.only_later),
        missing: labels(&found.missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: &str, date: &str, countries: &[&str]) -> Statement {
        let signatories: Vec<String> = countries
            .iter()
            .map(|c| format!(r#"{{"role":"Foreign Minister","country":"{c}"}}"#))
            .collect();
        serde_json::from_str(&format!(
            r#"{{"id":"{id}","title":"{id}","published":"{date}","body":"long","signatories":[{}]}}"#,
            signatories.join(",")
        ))
        .expect("statement")
    }

    #[test]
    fn pages_by_country_and_the_previous_statement_of_a_list() {
        let statements = [
            statement("one", "2024-01-01", &["A", "B"]),
            statement("two", "2024-02-01", &["A", "C"]),
            statement("three", "2024-03-01", &["B", "C"]),
        ];
        let rank = crate::catalog::newest_order(&statements).rank;
        let snapshot = Snapshot::of(&statements, rank);
        assert_eq!(snapshot.len(), 3);
        let Answer::Page(Some(page)) = answer(&snapshot, &Ask::Page(Who::Country("a".into())))
        else {
            panic!("a page for A");
        };
        assert_eq!(page.label, "Foreign Minister, A");
        assert_eq!(page.statements, [1, 0]);
        assert_eq!(
            answer(&snapshot, &Ask::Page(Who::Country("nowhere".into()))),
            Answer::Page(None)
        );
        let ask = Ask::CompareWithPrevious {
            statement: 2,
            among: vec![2, 0],
        };
        let Answer::Compare(Some(found)) = answer(&snapshot, &ask) else {
            panic!("a comparison");
        };
        assert_eq!((found.earlier, found.later), (0, 2));
        assert_eq!(found.only_earlier, ["Foreign Minister, A"]);
        assert_eq!(found.only_later, ["Foreign Minister, C"]);
        let first = Ask::CompareWithPrevious {
            statement: 0,
            among: vec![0, 1, 2],
        };
        assert_eq!(answer(&snapshot, &first), Answer::Compare(None));
    }
}
