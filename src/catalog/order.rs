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
    let order = newest_positions(statements.len(), |at| {
        let statement = &statements[at as usize];
        (&statement.published, statement.id.as_str())
    });
    let rank = Arc::new(ranks(&order));
    Order { order, rank }
}

/// Positions `0..count` newest first, each one's date and id given by
/// `key` (equal ones, which a loaded archive never has, in position order),
/// sorted on all cores.
#[must_use]
pub fn newest_positions<'a>(
    count: usize,
    key: impl Fn(u32) -> (&'a crate::records::Published, &'a str) + Sync,
) -> Vec<u32> {
    use rayon::slice::ParallelSliceMut as _;
    let mut order: Vec<u32> = (0..count).map(position).collect();
    order.par_sort_unstable_by(|&a, &b| {
        crate::records::newest_first(key(a), key(b)).then(a.cmp(&b))
    });
    order
}

fn position(at: usize) -> u32 {
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
