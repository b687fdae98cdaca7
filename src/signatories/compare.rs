//! Two statements' signatories side by side: who signed both, who signed
//! only the earlier one, who is new in the later one, and which usual
//! co-signers the later one lacks.

use super::{Chronology, Ledger};
use crate::records::Statement;

/// How many earlier statements with a similar set of signatories decide
/// who "usually" signs.
const SIMILAR: usize = 10;

/// The comparison of two statements (by position), earlier first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub earlier: usize,
    pub later: usize,
    /// Offices that signed both, by label.
    pub both: Vec<u32>,
    /// Offices that signed the earlier statement and not the later one.
    pub only_earlier: Vec<u32>,
    /// Offices new in the later statement.
    pub only_later: Vec<u32>,
    /// Offices that signed most of the later statement's similar
    /// predecessors but not it ([`usual_missing`]).
    pub missing: Vec<u32>,
}

/// Compares the statements at positions `a` and `b` (in either order).
#[must_use]
pub fn compare(ledger: &Ledger, statements: &[Statement], a: usize, b: usize) -> Comparison {
    compare_in(ledger, statements, a, b)
}

/// As [`compare`], over any [`Chronology`] of the ledger's statements.
#[must_use]
pub fn compare_in<C: Chronology + ?Sized>(
    ledger: &Ledger,
    statements: &C,
    a: usize,
    b: usize,
) -> Comparison {
    let (earlier, later) = if statements.before(b, a) {
        (b, a)
    } else {
        (a, b)
    };
    let first = ledger.signed(earlier);
    let second = ledger.signed(later);
    let by_label = |mut offices: Vec<u32>| {
        offices.sort_by(|x, y| ledger.office(*x).label.cmp(&ledger.office(*y).label));
        offices
    };
    let both = first
        .iter()
        .copied()
        .filter(|office| second.binary_search(office).is_ok());
    let only_earlier = first
        .iter()
        .copied()
        .filter(|office| second.binary_search(office).is_err());
    let only_later = second
        .iter()
        .copied()
        .filter(|office| first.binary_search(office).is_err());
    Comparison {
        earlier,
        later,
        both: by_label(both.collect()),
        only_earlier: by_label(only_earlier.collect()),
        only_later: by_label(only_later.collect()),
        missing: usual_missing_in(ledger, statements, later),
    }
}

/// The usual co-signers missing from the statement at `position`: among
/// the (at most ten) latest statements published before it whose
/// signatories overlap its own by at least half (Jaccard index ≥ ½), the
/// offices that signed more than half of them but not it. Most often
/// first, then by label. None for a statement without signatories or
/// without similar predecessors.
#[must_use]
pub fn usual_missing(ledger: &Ledger, statements: &[Statement], position: usize) -> Vec<u32> {
    usual_missing_in(ledger, statements, position)
}

/// As [`usual_missing`], over any [`Chronology`] of the ledger's statements.
#[must_use]
pub fn usual_missing_in<C: Chronology + ?Sized>(
    ledger: &Ledger,
    statements: &C,
    position: usize,
) -> Vec<u32> {
    let own = ledger.signed(position);
    if own.is_empty() {
        return Vec::new();
    }
    let mut earlier: Vec<usize> = similar_statements(ledger, statements.count(), position)
        .into_iter()
        .filter(|&at| statements.before(at, position))
        .collect();
    earlier.sort_by(|&a, &b| statements.newest_first(a, b));
    earlier.truncate(SIMILAR);
    let mut counts: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for &at in &earlier {
        for &office in ledger.signed(at) {
            if own.binary_search(&office).is_err() {
                *counts.entry(office).or_default() += 1;
            }
        }
    }
    let mut missing: Vec<(u32, usize)> = counts
        .into_iter()
        .filter(|&(_, count)| count * 2 > earlier.len())
        .collect();
    missing.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| ledger.office(a.0).label.cmp(&ledger.office(b.0).label))
    });
    missing.into_iter().map(|(office, _)| office).collect()
}

/// The statements whose offices share at least half of their union with
/// those of the statement at `position` (Jaccard index ≥ ½), in no order.
/// Only statements sharing an office can be: when the offices' postings
/// are fewer than the statements, what each shares is counted through
/// them; else every statement is visited, most told apart by their
/// number of offices alone (sets more than twofold apart never are).
fn similar_statements(ledger: &Ledger, count: usize, position: usize) -> Vec<usize> {
    let own = ledger.signed(position);
    let is_similar = |shared: usize, theirs: usize| shared * 2 >= own.len() + theirs - shared;
    let postings: usize = own
        .iter()
        .map(|&office| ledger.signed_by(office).len())
        .sum();
    if postings < count {
        let mut shared: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::with_capacity(postings);
        for &office in own {
            for &at in ledger.signed_by(office) {
                *shared.entry(at as usize).or_default() += 1;
            }
        }
        return shared
            .into_iter()
            .filter(|&(at, shared)| {
                at != position && at < count && is_similar(shared, ledger.signed(at).len())
            })
            .map(|(at, _)| at)
            .collect();
    }
    (0..count)
        .filter(|&at| at != position)
        .filter(|&at| {
            let theirs = ledger.signed(at);
            let (smaller, larger) = (own.len().min(theirs.len()), own.len().max(theirs.len()));
            if theirs.is_empty() || smaller * 2 < larger {
                return false;
            }
            let shared = own
                .iter()
                .filter(|office| theirs.binary_search(office).is_ok())
                .count();
            is_similar(shared, theirs.len())
        })
        .collect()
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
            r#"{{"id":"{id}","title":"{id}","published":"{date}","signatories":[{}]}}"#,
            signatories.join(",")
        ))
        .expect("statement")
    }

    fn labels(ledger: &Ledger, offices: &[u32]) -> Vec<String> {
        offices
            .iter()
            .map(|&o| ledger.office(o).label.clone())
            .collect()
    }

    #[test]
    fn both_only_new_and_usual_missing_by_hand() {
        let statements = [
            statement("one", "2024-01-01", &["A", "B", "C", "D"]),
            statement("two", "2024-02-01", &["A", "B", "C", "E"]),
            statement("unrelated", "2024-02-15", &["X", "Y"]),
            statement("three", "2024-03-01", &["A", "B", "E", "F"]),
        ];
        let ledger = Ledger::new(&statements);
        // Given later first: still earlier first.
        let comparison = compare(&ledger, &statements, 3, 1);
        assert_eq!((comparison.earlier, comparison.later), (1, 3));
        let fm = |c: &str| format!("Foreign Minister, {c}");
        assert_eq!(
            labels(&ledger, &comparison.both),
            [fm("A"), fm("B"), fm("E")]
        );
        assert_eq!(labels(&ledger, &comparison.only_earlier), [fm("C")]);
        assert_eq!(labels(&ledger, &comparison.only_later), [fm("F")]);
        // "three" overlaps "two" by 3 of 5 and "one" by 2 of 6 (not
        // similar): C signed the one similar predecessor.
        assert_eq!(labels(&ledger, &comparison.missing), [fm("C")]);
        assert!(usual_missing(&ledger, &statements, 0).is_empty());
    }
}
