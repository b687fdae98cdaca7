//! A search index as immutable parts, each over consecutive statements,
//! handed to readers as a snapshot: the loader makes a part of each batch
//! on its own thread and sends a new snapshot with the statements, so the
//! browser and the search worker read without a lock, and never wait for
//! the loader (nor it for them).
//!
//! Small parts are merged as they come (two of about the same size become
//! one, so an archive of n batches is in about log n parts), and a finished
//! load is merged into one: a word scores each distinct title and label
//! once per part, so fewer parts answer faster. Each part keeps its own
//! results between keystrokes; a part merged away takes its with it.

use std::sync::Arc;

use super::{Hit, Index, MarksOf, Query, search_parts};

/// A snapshot of an archive's search index: cheap to clone (parts are
/// shared), never changed once made.
#[derive(Debug, Clone, Default)]
pub struct Chunks {
    parts: Vec<Arc<Index>>,
    len: usize,
}

impl Chunks {
    /// The index of a whole archive, in one part.
    #[must_use]
    pub fn one(index: Index) -> Self {
        let len = index.len();
        Self {
            parts: vec![Arc::new(index)],
            len,
        }
    }

    /// How many statements the parts hold in all.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many parts the index is in.
    #[must_use]
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// Adds the index of the statements after those held; then, while the
    /// last part is no smaller than the one before it, merges the two (the
    /// parts shrink from first to last, each at least twice its successor's
    /// size but for the newest, so there are few).
    pub fn push(&mut self, part: Index) {
        if part.is_empty() {
            return;
        }
        self.len += part.len();
        self.parts.push(Arc::new(part));
        while let [.., before, last] = self.parts.as_slice()
            && last.len() >= before.len()
        {
            let merged = Index::merged(&[before, last]);
            self.parts.truncate(self.parts.len() - 2);
            self.parts.push(Arc::new(merged));
        }
    }

    /// The index in one part (merged when in several).
    #[must_use]
    pub fn whole(&self) -> Arc<Index> {
        match self.parts.as_slice() {
            [] => Arc::new(Index::default()),
            [one] => Arc::clone(one),
            parts => {
                let parts: Vec<&Index> = parts.iter().map(AsRef::as_ref).collect();
                Arc::new(Index::merged(&parts))
            }
        }
    }

    /// The same index in one part (see [`Chunks::whole`]).
    #[must_use]
    pub fn merged(&self) -> Self {
        Self {
            parts: vec![self.whole()],
            len: self.len,
        }
    }

    /// Each part with the archive position of its first statement.
    fn starts(&self) -> Vec<(u32, &Index)> {
        let mut start = 0u32;
        self.parts
            .iter()
            .map(|part| {
                let at = start;
                start = start.saturating_add(u32::try_from(part.len()).unwrap_or(u32::MAX));
                (at, part.as_ref())
            })
            .collect()
    }

    /// As [`Index::search`] over one index of every part's statements.
    #[must_use]
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.search_with(query, &|_| None)
    }

    /// As [`Index::search_with`] over one index of every part's statements.
    #[must_use]
    pub fn search_with(&self, query: &Query, marks: &MarksOf<'_>) -> Vec<Hit> {
        search_parts(&self.starts(), query, marks, None)
    }

    /// As [`Index::search_ranked`] over one index of every part's
    /// statements.
    #[must_use]
    pub fn search_ranked(&self, query: &Query, marks: &MarksOf<'_>, rank: &[u32]) -> Vec<Hit> {
        search_parts(&self.starts(), query, marks, Some(rank))
    }

    /// Forgets every part's kept results (for benchmarks).
    pub fn clear_cache(&self) {
        for part in &self.parts {
            part.clear_cache();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Statement;
    use crate::search::parse;

    /// Statements of several shapes: shared title phrases, repeated and
    /// distinct signatories, people, kinds, dates, some withdrawn.
    fn statements(count: usize) -> Vec<Statement> {
        (0..count)
            .map(|at| {
                let title = match at % 4 {
                    0 => format!("Joint statement by the Foreign Ministers on item {}", at % 7),
                    1 => "Joint statement by the Foreign Ministers of the G7".to_owned(),
                    2 => format!("Press release {at}: sanctions on shipping"),
                    _ => format!("Speech at the summit in {}", ["Kyoto", "Paris", "Nairobi"][at % 3]),
                };
                let signatories: Vec<serde_json::Value> = ["Japan", "France", "Kenya", "Chile", "Korea"]
                    .iter()
                    .skip(at % 5)
                    .take(1 + at % 3)
                    .map(|country| {
                        serde_json::json!({"role": "Minister of Foreign Affairs", "country": country})
                    })
                    .collect();
                let kind = ["press release", "speech", "joint statement"][at % 3];
                let mut value = serde_json::json!({
                    "id": format!("id-{at}"),
                    "title": title,
                    "published": format!("2020-{:02}-{:02}", 1 + at % 12, 1 + at % 28),
                    "signatories": signatories,
                    "kind": kind,
                    "people": [format!("Envoy {}", at % 9)],
                });
                if at % 17 == 3 {
                    value["withdrawn"] = serde_json::json!({"date": "2024-01-01"});
                }
                serde_json::from_value(value).expect("statement")
            })
            .collect()
    }

    fn results(hits: &[Hit]) -> Vec<(usize, i64, Option<usize>, bool)> {
        hits.iter()
            .map(|hit| (hit.index, hit.score, hit.signatory, hit.weak))
            .collect()
    }

    const QUERIES: &[&str] = &[
        "",
        "japan",
        "joint ministers",
        "jnt stmnt g7",
        "sanctions kyoto",
        "minister kenya",
        "kind:speech",
        "!kind:speech japan",
        "is:withdrawn",
        "'shipping",
        "sig:=japan",
        "after:2020-06-01 joint",
        "zzzz",
    ];

    #[test]
    fn parts_pushed_batch_by_batch_answer_as_one_index_of_them_all() {
        let all = statements(1_000);
        let whole = Index::new(&all);
        let rank: Vec<u32> = (0..1_000u32).rev().collect();
        let mut chunks = Chunks::default();
        for batch in [1usize, 7, 100, 3, 250, 64, 64, 500, 11] {
            let start = chunks.len();
            let end = (start + batch).min(all.len());
            chunks.push(Index::new(&all[start..end]));
        }
        assert_eq!(chunks.len(), all.len());
        assert!(chunks.parts() > 1, "{} parts", chunks.parts());
        for query in QUERIES {
            let query = parse(query).expect("parses");
            assert_eq!(
                results(&chunks.search(&query)),
                results(&whole.search(&query)),
                "{query:?}"
            );
            assert_eq!(
                results(&chunks.search_ranked(&query, &|_| None, &rank)),
                results(&whole.search_ranked(&query, &|_| None, &rank)),
                "{query:?} ranked"
            );
            assert_eq!(
                results(&chunks.merged().search(&query)),
                results(&whole.search(&query)),
                "{query:?} merged"
            );
        }
    }

    #[test]
    fn a_part_merged_from_others_can_be_kept_and_grown() {
        let all = statements(300);
        let mut chunks = Chunks::default();
        for lot in all[..200].chunks(30) {
            chunks.push(Index::new(lot));
        }
        let restored = Index::from_kept(
            chunks.whole().to_kept(),
            &crate::search::signed(&all[..200]),
        );
        let mut restored = restored.expect("a merged index is kept and restored");
        restored.extend(&all[200..]);
        let whole = Index::new(&all);
        for query in QUERIES {
            let query = parse(query).expect("parses");
            assert_eq!(
                results(&restored.search(&query)),
                results(&whole.search(&query)),
                "{query:?}"
            );
        }
    }

    #[test]
    fn parts_stay_few() {
        let all = statements(4_096);
        let mut chunks = Chunks::default();
        for lot in all.chunks(16) {
            chunks.push(Index::new(lot));
        }
        // 256 batches of equal size: one part, as 256 is a power of two.
        assert_eq!(chunks.parts(), 1);
        chunks.push(Index::new(&all[..48]));
        assert_eq!(chunks.parts(), 2);
    }
}
