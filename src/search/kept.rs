//! The fuzzy index as it is kept in the cache folder beside the catalog
//! snapshot ([`crate::catalog`]), so that an unchanged archive is
//! searchable as soon as it is read, without being indexed again.
//!
//! Kept column by column (a few long lists of numbers and two blocks of
//! text per kind of name), so reading it back is a handful of allocations,
//! not one per statement. Nothing read is trusted: every number is checked
//! against what it numbers and every text boundary against the text, so an
//! index that does not add up is refused with the reason, never searched
//! (a search would index out of bounds).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Entry, Field, Index, Interner, Strings};

/// How many signatories each statement has, as [`Index::from_kept`] checks.
#[must_use]
pub fn signed(statements: &[crate::records::Statement]) -> Vec<usize> {
    statements
        .iter()
        .map(|statement| statement.signatories.len())
        .collect()
}

/// An [`Index`] as kept ([`Index::to_kept`], [`Index::from_kept`]).
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptIndex {
    titles: KeptStrings,
    folded_titles: KeptStrings,
    labels: KeptStrings,
    folded_labels: KeptStrings,
    label_parts: Vec<Vec<String>>,
    others: KeptStrings,
    values: KeptStrings,
    /// Per statement: its title id, its day (from the common era), and where
    /// its signatories, other names and values end in the lists below
    /// (each starts where the statement before it ends).
    entry_titles: Vec<u32>,
    entry_days: Vec<i32>,
    signatory_ends: Vec<u32>,
    other_ends: Vec<u32>,
    value_ends: Vec<u32>,
    signatory_labels: Vec<u32>,
    other_names: Vec<u32>,
    /// Field (its place in [`Field::ALL`]) and value id.
    entry_values: Vec<(u8, u32)>,
    withdrawn: Vec<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptStrings {
    text: String,
    ends: Vec<usize>,
}

impl KeptStrings {
    fn of(strings: &Strings) -> Self {
        Self {
            text: strings.text.clone(),
            ends: strings.ends.clone(),
        }
    }

    /// The strings, when every end is in order, on a character boundary,
    /// and the last is the text's end.
    fn strings(self, what: &str) -> Result<Strings, String> {
        let mut start = 0;
        for &end in &self.ends {
            if end < start || !self.text.is_char_boundary(end) {
                return Err(format!("{what}: a boundary out of place"));
            }
            start = end;
        }
        if start != self.text.len() {
            return Err(format!("{what}: text left over"));
        }
        Ok(Strings {
            text: self.text,
            ends: self.ends,
        })
    }

    fn interner(self, what: &str) -> Result<Interner, String> {
        // Its table is made when a text is first looked up.
        Ok(Interner {
            strings: self.strings(what)?,
            ..Interner::default()
        })
    }
}

fn field_number(field: Field) -> u8 {
    Field::ALL
        .iter()
        .position(|(each, _, _)| *each == field)
        .and_then(|at| u8::try_from(at).ok())
        .unwrap_or(u8::MAX)
}

/// Each entry's range in a list, from the ends kept, when they are in
/// order and the last is the list's end.
fn ranges(ends: &[u32], len: usize, what: &str) -> Result<Vec<std::ops::Range<u32>>, String> {
    let mut start = 0;
    let mut ranges = Vec::with_capacity(ends.len());
    for &end in ends {
        if end < start {
            return Err(format!("{what}: out of order"));
        }
        ranges.push(start..end);
        start = end;
    }
    if start as usize != len {
        return Err(format!("{what}: {len} kept, {start} numbered"));
    }
    Ok(ranges)
}

fn all_below(ids: &[u32], count: usize, what: &str) -> Result<(), String> {
    match ids.iter().find(|&&id| id as usize >= count) {
        Some(id) => Err(format!("{what}: number {id} of {count}")),
        None => Ok(()),
    }
}

impl Index {
    /// The index as kept.
    #[must_use]
    pub fn to_kept(&self) -> KeptIndex {
        let mut kept = KeptIndex {
            titles: KeptStrings::of(&self.titles.strings),
            folded_titles: KeptStrings::of(&self.folded_titles),
            labels: KeptStrings::of(&self.labels.strings),
            folded_labels: KeptStrings::of(&self.folded_labels),
            label_parts: self.label_parts.clone(),
            others: KeptStrings::of(&self.others.strings),
            values: KeptStrings::of(&self.values.strings),
            entry_titles: Vec::with_capacity(self.entries.len()),
            entry_days: Vec::with_capacity(self.entries.len()),
            signatory_ends: Vec::with_capacity(self.entries.len()),
            other_ends: Vec::with_capacity(self.entries.len()),
            value_ends: Vec::with_capacity(self.entries.len()),
            signatory_labels: self.signatory_labels.clone(),
            other_names: self.other_names.clone(),
            entry_values: self
                .entry_values
                .iter()
                .map(|&(field, id)| (field_number(field), id))
                .collect(),
            withdrawn: self.withdrawn.clone(),
        };
        for entry in &self.entries {
            kept.entry_titles.push(entry.title);
            kept.entry_days
                .push(chrono::Datelike::num_days_from_ce(&entry.day));
            kept.signatory_ends.push(entry.signatories.end);
            kept.other_ends.push(entry.others.end);
            kept.value_ends.push(entry.values.end);
        }
        kept
    }

    /// The index kept for statements (in the order it was made in) signed
    /// by `signed` signatories each.
    ///
    /// # Errors
    /// Why it cannot be searched: it numbers another count of statements,
    /// another count of signatories for one, or something it does not
    /// hold.
    pub fn from_kept(kept: KeptIndex, signed: &[usize]) -> Result<Self, String> {
        let count = kept.entry_titles.len();
        if count != signed.len() {
            return Err(format!(
                "{count} statements indexed, {} in the catalog",
                signed.len()
            ));
        }
        if [
            kept.entry_days.len(),
            kept.signatory_ends.len(),
            kept.other_ends.len(),
            kept.value_ends.len(),
        ]
        .iter()
        .any(|&len| len != count)
        {
            return Err("its columns differ in length".into());
        }
        let titles = kept.titles.interner("titles")?;
        let folded_titles = kept.folded_titles.strings("folded titles")?;
        let labels = kept.labels.interner("signatories")?;
        let folded_labels = kept.folded_labels.strings("folded signatories")?;
        let others = kept.others.interner("names")?;
        let values = kept.values.interner("values")?;
        if folded_titles.len() != titles.len()
            || folded_labels.len() != labels.len()
            || kept.label_parts.len() != labels.len()
        {
            return Err("its folded texts are not one for each".into());
        }
        all_below(&kept.entry_titles, titles.len(), "titles")?;
        all_below(&kept.signatory_labels, labels.len(), "signatories")?;
        all_below(&kept.other_names, others.len(), "names")?;
        if kept.entry_values.iter().any(|&(field, id)| {
            usize::from(field) >= Field::ALL.len() || id as usize >= values.len()
        }) {
            return Err("a value it does not hold".into());
        }
        if kept.withdrawn.windows(2).any(|pair| pair[0] >= pair[1])
            || kept
                .withdrawn
                .last()
                .is_some_and(|&last| last as usize >= count)
        {
            return Err("withdrawn statements out of place".into());
        }
        let signatories = ranges(
            &kept.signatory_ends,
            kept.signatory_labels.len(),
            "signatories",
        )?;
        let other_ranges = ranges(&kept.other_ends, kept.other_names.len(), "names")?;
        let value_ranges = ranges(&kept.value_ends, kept.entry_values.len(), "values")?;
        let mut entries = Vec::with_capacity(count);
        for (at, &signed) in signed.iter().enumerate() {
            let signatories = signatories[at].clone();
            if (signatories.end - signatories.start) as usize != signed {
                return Err(format!(
                    "statement {} of the catalog signed otherwise",
                    at + 1
                ));
            }
            let day = NaiveDate::from_num_days_from_ce_opt(kept.entry_days[at])
                .ok_or("a day out of range")?;
            entries.push(Entry {
                title: kept.entry_titles[at],
                day,
                signatories,
                others: other_ranges[at].clone(),
                values: value_ranges[at].clone(),
            });
        }
        Ok(Self {
            entries,
            signatory_labels: kept.signatory_labels,
            titles,
            folded_titles,
            labels,
            folded_labels,
            label_parts: kept.label_parts,
            other_names: kept.other_names,
            others,
            // Filled as statements are added: a signatory met again is
            // found by its label's text.
            label_of: std::collections::HashMap::default(),
            values,
            entry_values: kept
                .entry_values
                .into_iter()
                .map(|(field, id)| (Field::ALL[usize::from(field)].0, id))
                .collect(),
            withdrawn: kept.withdrawn,
            cache: std::sync::Mutex::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Statement;
    use crate::search::parse;

    fn statement(id: &str, title: &str, date: &str, signatory: Option<&str>) -> Statement {
        let mut json = serde_json::json!({
            "id": id,
            "title": title,
            "published": date,
            "kind": "press release",
            "organisations": ["Foreign, Commonwealth & Development Office"],
        });
        if let Some(name) = signatory {
            json["signatories"] = serde_json::json!([{ "name": name, "country": "Japan" }]);
        }
        serde_json::from_value(json).expect("a statement")
    }

    fn archive() -> Vec<Statement> {
        vec![
            statement(
                "a",
                "Japan trade envoy",
                "2024-01-02",
                Some("Yoko Kamikawa"),
            ),
            statement("b", "Ukraine: joint statement", "2024-02-03", None),
            statement("c", "Japan and Korea", "2023-05-06", Some("Yoko Kamikawa")),
            statement("d", "Café diplomacy — naïve résumé", "2022-07-08", None),
        ]
    }

    fn results(index: &Index, query: &str) -> Vec<(usize, i64)> {
        let query = parse(query).expect("a query");
        index
            .search(&query)
            .into_iter()
            .map(|hit| (hit.index, hit.score))
            .collect()
    }

    #[test]
    fn a_kept_index_searches_as_the_one_it_was_made_from() {
        let statements = archive();
        let made = Index::new(&statements);
        let bytes = postcard::to_allocvec(&made.to_kept()).expect("kept");
        let kept: KeptIndex = postcard::from_bytes(&bytes).expect("read back");
        let mut restored = Index::from_kept(kept, &signed(&statements)).expect("restored");
        for query in [
            "japan",
            "kamikawa",
            "'cafe",
            "org:fcdo",
            "sig:japan -japan",
            "kind:press date:2024",
            "fcdo",
            "",
        ] {
            assert_eq!(results(&restored, query), results(&made, query), "{query}");
        }
        // Statements added after it was restored are found as in one made
        // whole, their signatory known by its label.
        let more = vec![statement(
            "e",
            "Japan again",
            "2025-01-01",
            Some("Yoko Kamikawa"),
        )];
        restored.extend(&more);
        let mut all = statements.clone();
        all.extend(more);
        let whole = Index::new(&all);
        assert_eq!(restored.labels.len(), whole.labels.len());
        assert_eq!(restored.titles.len(), whole.titles.len());
        for query in ["japan", "kamikawa", "sig:=japan"] {
            assert_eq!(results(&restored, query), results(&whole, query), "{query}");
        }
    }

    #[test]
    fn a_kept_index_that_does_not_add_up_is_refused() {
        let statements = archive();
        let made = Index::new(&statements);
        type Spoil = fn(&mut KeptIndex);
        let damage: [(&str, Spoil); 8] = [
            ("title", |kept| kept.entry_titles[0] = 99),
            ("label", |kept| kept.signatory_labels[0] = 7),
            ("past the end", |kept| {
                if let Some(end) = kept.titles.ends.last_mut() {
                    *end += 1;
                }
            }),
            ("inside a character", |kept| {
                kept.folded_titles.text = "é".repeat(kept.folded_titles.text.len());
                kept.folded_titles.ends = vec![1; kept.folded_titles.ends.len()];
            }),
            ("value", |kept| kept.entry_values[0].1 = 1_000),
            ("field", |kept| kept.entry_values[0].0 = 200),
            ("range", |kept| kept.signatory_ends[0] = 9),
            ("day", |kept| kept.entry_days[0] = i32::MAX),
        ];
        for (what, spoil) in damage {
            let mut kept = made.to_kept();
            spoil(&mut kept);
            assert!(
                Index::from_kept(kept, &signed(&statements)).is_err(),
                "{what}"
            );
        }
        assert!(Index::from_kept(made.to_kept(), &signed(&statements[1..])).is_err());
    }
}
