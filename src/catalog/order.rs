//! The newest-first order of a loaded archive: its statements' positions
//! sorted by date (then id), and each position's place in that order, made
//! whole or merged batch by batch as a load streams in.

use std::sync::Arc;

use crate::records::Statement;

/// The newest-first order of every statement so far (positions, as
/// [`super::Catalog::order`]) and each one's place in it (as [`super::Catalog::rank`]), worked
/// out by whoever sends a batch: at a million statements, merging on the
/// drawing thread would hold the screen for a second.
#[derive(Debug, Clone)]
pub struct Order {
    pub order: Vec<u32>,
    pub rank: Arc<Vec<u32>>,
}

/// `order` (positions newest first) with `arrived` (newest first too)
/// merged in; `newer(a, b)`: whether `a` goes before `b`. Equal ones keep
/// the old first.
#[must_use]
pub fn merge_newest(order: &[u32], arrived: &[u32], newer: impl Fn(u32, u32) -> bool) -> Vec<u32> {
    let mut merged = Vec::with_capacity(order.len() + arrived.len());
    let (mut old, mut new) = (order.iter().peekable(), arrived.iter().peekable());
    loop {
        let next = match (old.peek(), new.peek()) {
            (Some(&&a), Some(&&b)) if newer(b, a) => new.next(),
            (Some(_), _) => old.next(),
            (None, _) => new.next(),
        };
        match next {
            Some(&at) => merged.push(at),
            None => return merged,
        }
    }
}

/// The statements' positions newest first, and each one's place in that
/// order.
#[must_use]
pub fn newest_order(statements: &[Statement]) -> Order {
    kept_or_newest_order(statements, None)
}

/// As [`newest_order`], taking `kept` (an order kept in the cache folder)
/// instead of sorting when it is that order ([`trusted_order`]).
#[must_use]
pub fn kept_or_newest_order(statements: &[Statement], kept: Option<Vec<u32>>) -> Order {
    let order = kept
        .and_then(|kept| trusted_order(kept, statements.len(), key_of(statements)))
        .unwrap_or_else(|| newest_positions_of(statements));
    let rank = Arc::new(ranks(&order));
    Order { order, rank }
}

/// The statements' positions newest first (without their places, as
/// [`newest_order`] gives them too).
#[must_use]
pub fn newest_positions_of(statements: &[Statement]) -> Vec<u32> {
    newest_positions(statements.len(), key_of(statements))
}

/// What the newest-first order compares of the statement at a position.
fn key_of<'a>(
    statements: &'a [Statement],
) -> impl Fn(u32) -> (&'a crate::records::Published, &'a str) + Sync + Copy {
    move |at| {
        let statement = &statements[at as usize];
        (&statement.published, statement.id.as_str())
    }
}

/// Positions `0..count` newest first, each one's date and id given by
/// `key` (equal ones, which a loaded archive never has, in position order),
/// sorted on all cores.
#[must_use]
pub fn newest_positions<'a>(
    count: usize,
    key: impl Fn(u32) -> (&'a crate::records::Published, &'a str) + Sync,
) -> Vec<u32> {
    newest_positions_by(count, |a, b| crate::records::newest_first(key(a), key(b)))
}

/// As [`newest_positions`], `newest_first(a, b)` comparing the statements
/// at two positions as [`crate::records::newest_first`] does (from what a
/// catalog snapshot keeps of them, when they are not restored).
#[must_use]
pub fn newest_positions_by(
    count: usize,
    newest_first: impl Fn(u32, u32) -> std::cmp::Ordering + Sync,
) -> Vec<u32> {
    use rayon::slice::ParallelSliceMut as _;
    let mut order: Vec<u32> = (0..count).map(position).collect();
    order.par_sort_unstable_by(|&a, &b| newest_first(a, b).then(a.cmp(&b)));
    order
}

/// `kept` if it is the order [`newest_positions`] makes of the same
/// statements (each position `0..count` once, every one before the next
/// newest first, equal ones by position): a kept order is used only then,
/// as checking it takes a pass rather than a sort.
#[must_use]
pub fn trusted_order<'a>(
    kept: Vec<u32>,
    count: usize,
    key: impl Fn(u32) -> (&'a crate::records::Published, &'a str),
) -> Option<Vec<u32>> {
    trusted_order_by(kept, count, |a, b| {
        crate::records::newest_first(key(a), key(b))
    })
}

/// As [`trusted_order`], comparing positions with `newest_first` (see
/// [`newest_positions_by`]).
#[must_use]
pub fn trusted_order_by(
    kept: Vec<u32>,
    count: usize,
    newest_first: impl Fn(u32, u32) -> std::cmp::Ordering,
) -> Option<Vec<u32>> {
    if kept.len() != count {
        return None;
    }
    let mut seen = vec![false; count];
    for &at in &kept {
        let slot = seen.get_mut(at as usize)?;
        if std::mem::replace(slot, true) {
            return None;
        }
    }
    let in_order = kept.windows(2).all(|pair| {
        newest_first(pair[0], pair[1])
            .then(pair[0].cmp(&pair[1]))
            .is_lt()
    });
    in_order.then_some(kept)
}

/// A position as the orders hold it.
pub(super) fn position(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Each position's place in `order`.
#[must_use]
pub fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0; order.len()];
    for (place, &at) in order.iter().enumerate() {
        rank[at as usize] = position(place);
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: &str, date: &str) -> Statement {
        serde_json::from_value(serde_json::json!({"id": id, "title": id, "published": date}))
            .expect("statement")
    }

    /// A kept order is taken only when it is exactly the one sorting makes.
    #[test]
    fn only_the_true_order_is_trusted() {
        let statements = vec![
            statement("b", "2024-01-02"),
            statement("a", "2024-01-03"),
            statement("d", "2024-01-02"),
            statement("c", "2023-05-01"),
        ];
        let key = |at: u32| {
            let statement = &statements[at as usize];
            (&statement.published, statement.id.as_str())
        };
        let sorted = newest_positions(statements.len(), key);
        assert_eq!(sorted, [1, 0, 2, 3]);
        assert_eq!(trusted_order(sorted.clone(), 4, key), Some(sorted.clone()));
        for wrong in [
            vec![1, 0, 2],
            vec![1, 0, 2, 3, 3],
            vec![1, 0, 2, 2],
            vec![1, 0, 2, 4],
            vec![0, 1, 2, 3],
            vec![1, 2, 0, 3],
            vec![],
        ] {
            assert_eq!(trusted_order(wrong.clone(), 4, key), None, "{wrong:?}");
        }
        let order = kept_or_newest_order(&statements, Some(vec![3, 2, 1, 0]));
        assert_eq!(order.order, sorted, "a wrong kept order is sorted again");
        assert_eq!(*order.rank, [1, 0, 2, 3]);
    }
}
