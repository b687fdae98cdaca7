//! Who signed what, computed from loaded statements and nothing else: a
//! signatory's page (what they signed, when, and with whom), the counts
//! behind the timelines and `stats`, and the comparison of two statements'
//! signatories. Pure: no terminal, no I/O, no clock, so the browser's worker
//! and the headless commands share every number.
//!
//! A signatory is matched by *office* when the record names one (role with
//! a country or an organisation), so "Minister of Foreign Affairs, Japan"
//! across years and ministers is one entry with every name listed; a
//! signatory named only by name is matched by name.

pub mod browse;
mod compare;
mod timeline;

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

pub use compare::{Comparison, compare, compare_in, usual_missing, usual_missing_in};
pub use timeline::{Bin, Period, Timeline, months_between};

use chrono::NaiveDate;

use crate::records::{Signatory, Statement};
use crate::search::fold_shown;

type Fast = foldhash::fast::RandomState;

/// One signatory across statements: an office, or a person named alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// "Minister of Foreign Affairs, Japan", or a name.
    pub label: String,
    /// The names the archive gives whoever held the office, alphabetically
    /// (none when the records name only the office).
    pub names: Vec<String>,
}

/// Every statement's signatories as offices, built once per loaded archive
/// (each distinct signatory is read once, found again by its fields).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    offices: Vec<Office>,
    /// For each statement (by position), its distinct offices, ascending.
    signed: Vec<Vec<u32>>,
    /// For each office, the positions of the statements it signed,
    /// ascending: a page or a comparison reads these, not every statement.
    postings: Vec<Vec<u32>>,
    /// Each office by what identifies it ([`office_key`]).
    by_key: HashMap<String, u32>,
}

/// What identifies a signatory across records, folded so case, accents and
/// invisible characters do not split one office in two.
fn office_key(signatory: &Signatory) -> Option<(String, String)> {
    fn part(value: &Option<String>) -> Option<&str> {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }
    let role = part(&signatory.role);
    let seat = [part(&signatory.country), part(&signatory.organisation)];
    if let Some(role) = role
        && seat.iter().any(Option::is_some)
    {
        let label = std::iter::once(role)
            .chain(seat.iter().flatten().copied())
            .collect::<Vec<_>>()
            .join(", ");
        return Some((format!("office\u{1f}{}", fold_shown(&label)), label));
    }
    let label = signatory.label();
    let label = label.trim();
    (!label.is_empty()).then(|| (format!("name\u{1f}{}", fold_shown(label)), label.to_owned()))
}

impl Ledger {
    /// Reads every statement's signatories.
    #[must_use]
    pub fn new(statements: &[Statement]) -> Self {
        Self::of(
            statements
                .iter()
                .map(|statement| statement.signatories.as_slice()),
        )
    }

    /// Reads each statement's signatories, in archive order.
    #[must_use]
    pub fn of<'a>(statements: impl ExactSizeIterator<Item = &'a [Arc<Signatory>]>) -> Self {
        let mut ledger = Self::default();
        let mut by_key: HashMap<String, u32> = HashMap::new();
        let offices = &mut ledger.offices;
        // The loader shares one `Arc` per distinct signatory, so most are
        // found by address; others by their fields.
        let mut by_address: HashMap<*const Signatory, Option<u32>, Fast> = HashMap::default();
        let mut seen: HashMap<&Signatory, Option<u32>, Fast> = HashMap::default();
        let mut names: Vec<BTreeSet<String>> = Vec::new();
        ledger.signed.reserve(statements.len());
        for signatories in statements {
            let mut signed: Vec<u32> = Vec::with_capacity(signatories.len());
            for signatory in signatories {
                if let Some(office) = by_address.get(&Arc::as_ptr(signatory)) {
                    signed.extend(*office);
                    continue;
                }
                let office = *seen.entry(signatory.as_ref()).or_insert_with(|| {
                    let (key, label) = office_key(signatory)?;
                    let next = u32::try_from(offices.len()).unwrap_or(u32::MAX);
                    let id = *by_key.entry(key).or_insert_with(|| {
                        offices.push(Office {
                            label,
                            names: Vec::new(),
                        });
                        names.push(BTreeSet::new());
                        next
                    });
                    let name = signatory.name.as_deref().map(str::trim).unwrap_or("");
                    let office = &mut offices[id as usize];
                    if !name.is_empty()
                        && office.label != name
                        && names[id as usize].insert(name.to_owned())
                    {
                        office.names.push(name.to_owned());
                    }
                    Some(id)
                });
                by_address.insert(Arc::as_ptr(signatory), office);
                signed.extend(office);
            }
            signed.sort_unstable();
            signed.dedup();
            let position = u32::try_from(ledger.signed.len()).unwrap_or(u32::MAX);
            for &office in &signed {
                let office = office as usize;
                if ledger.postings.len() <= office {
                    ledger.postings.resize_with(office + 1, Vec::new);
                }
                ledger.postings[office].push(position);
            }
            ledger.signed.push(signed);
        }
        for office in &mut ledger.offices {
            office.names.sort();
        }
        ledger.by_key = by_key;
        ledger
    }

    /// The office with this id.
    #[must_use]
    pub fn office(&self, id: u32) -> &Office {
        &self.offices[id as usize]
    }

    /// How many distinct signatories the archive has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.offices.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.offices.is_empty()
    }

    /// The offices that signed the statement at `position`, ascending.
    #[must_use]
    pub fn signed(&self, position: usize) -> &[u32] {
        self.signed.get(position).map_or(&[], Vec::as_slice)
    }

    /// The positions of the statements `office` signed, ascending.
    #[must_use]
    pub fn signed_by(&self, office: u32) -> &[u32] {
        self.postings
            .get(office as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The office a statement's signatory belongs to.
    #[must_use]
    pub fn office_of(&self, signatory: &Signatory) -> Option<u32> {
        let (key, _) = office_key(signatory)?;
        self.by_key.get(&key).copied()
    }

    /// The offices whose label or a holder's name holds every one of
    /// `words` (folded; commas ignored), best first: an exact label or name
    /// before a part of one, then by how many statements they signed. No
    /// words find none.
    #[must_use]
    pub fn find(&self, words: &str) -> Vec<u32> {
        let whole = fold_shown(words.trim());
        let wanted: Vec<&str> = whole
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|word| !word.is_empty())
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut signed_count = vec![0usize; self.offices.len()];
        for offices in &self.signed {
            for &office in offices {
                signed_count[office as usize] += 1;
            }
        }
        let mut found: Vec<(bool, usize, u32)> = Vec::new();
        for (at, office) in self.offices.iter().enumerate() {
            let texts = std::iter::once(&office.label).chain(&office.names);
            let folded: Vec<String> = texts.map(|text| fold_shown(text)).collect();
            if folded
                .iter()
                .any(|text| wanted.iter().all(|word| text.contains(word)))
            {
                let exact = folded.contains(&whole);
                let id = u32::try_from(at).unwrap_or(u32::MAX);
                found.push((exact, signed_count[at], id));
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        found.into_iter().map(|(_, _, id)| id).collect()
    }

    /// Whether `words` are exactly the office's label or a holder's name.
    #[must_use]
    pub fn is_exactly(&self, office: u32, words: &str) -> bool {
        let whole = fold_shown(words.trim());
        let office = self.office(office);
        std::iter::once(&office.label)
            .chain(&office.names)
            .any(|text| fold_shown(text) == whole)
    }
}

/// A co-signatory of a page's signatory, and how often they signed together.
#[derive(Debug, Clone, PartialEq)]
pub struct Cosigner {
    pub office: u32,
    /// Statements both signed.
    pub together: usize,
    /// `together` as a share of the page's statements (0 to 1).
    pub share: f64,
}

/// A signatory's page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub office: u32,
    /// Positions of the statements they signed, newest first.
    pub statements: Vec<usize>,
    pub timeline: Timeline,
    /// Most often first, then by label.
    pub cosigners: Vec<Cosigner>,
}

/// When the ledger's statements were published, as far as the signatory
/// computations ask: by position.
pub trait Chronology {
    /// How many statements there are.
    fn count(&self) -> usize;
    /// The day the statement at `at` was published on.
    fn day(&self, at: usize) -> NaiveDate;
    /// The list's order: newest first, then by id.
    fn newest_first(&self, a: usize, b: usize) -> Ordering;
    /// Whether `a` was published before `b`.
    fn before(&self, a: usize, b: usize) -> bool;
}

impl Chronology for [Statement] {
    fn count(&self) -> usize {
        self.len()
    }

    fn day(&self, at: usize) -> NaiveDate {
        self[at].published.date()
    }

    fn newest_first(&self, a: usize, b: usize) -> Ordering {
        Statement::newest_first(&self[a], &self[b])
    }

    fn before(&self, a: usize, b: usize) -> bool {
        self[a].published < self[b].published
    }
}

/// The page of `office` over `statements` (the ledger's statements).
#[must_use]
pub fn page(ledger: &Ledger, statements: &[Statement], office: u32) -> Page {
    page_in(ledger, statements, office)
}

/// As [`page`], over any [`Chronology`] of the ledger's statements.
#[must_use]
pub fn page_in<C: Chronology + ?Sized>(ledger: &Ledger, statements: &C, office: u32) -> Page {
    let mut signed: Vec<usize> = ledger
        .signed_by(office)
        .iter()
        .map(|&at| at as usize)
        .filter(|&at| at < statements.count())
        .collect();
    signed.sort_by(|&a, &b| statements.newest_first(a, b));
    let mut together: HashMap<u32, usize> = HashMap::new();
    for &at in &signed {
        for &other in ledger.signed(at) {
            if other != office {
                *together.entry(other).or_default() += 1;
            }
        }
    }
    let total = signed.len().max(1);
    let mut cosigners: Vec<Cosigner> = together
        .into_iter()
        .map(|(other, together)| Cosigner {
            office: other,
            together,
            #[allow(clippy::cast_precision_loss)]
            share: together as f64 / total as f64,
        })
        .collect();
    cosigners.sort_by(|a, b| {
        b.together.cmp(&a.together).then_with(|| {
            ledger
                .office(a.office)
                .label
                .cmp(&ledger.office(b.office).label)
        })
    });
    let timeline = Timeline::of(signed.iter().map(|&at| statements.day(at)));
    Page {
        office,
        statements: signed,
        timeline,
        cosigners,
    }
}

/// What `stats --by` counts statements by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dimension {
    Month,
    Year,
    Kind,
    Org,
    Country,
    Signatory,
}

/// How many of `chosen` statements fall under each value of `by`. Months
/// and years come in order with the empty ones between; every other
/// dimension most first, then by value. A statement counts once for each
/// distinct organisation, country or signatory it has.
#[must_use]
pub fn counts(
    statements: &[Statement],
    chosen: &[usize],
    ledger: &Ledger,
    by: Dimension,
) -> Vec<(String, usize)> {
    let dates = || chosen.iter().map(|&at| statements[at].published.date());
    match by {
        Dimension::Month => Timeline::by(Period::Month, dates()).labelled(),
        Dimension::Year => Timeline::by(Period::Year, dates()).labelled(),
        Dimension::Kind => ranked(
            chosen
                .iter()
                .map(|&at| vec![statements[at].kind_or_default().to_owned()]),
        ),
        Dimension::Org => ranked(
            chosen
                .iter()
                .map(|&at| statements[at].organisations.clone()),
        ),
        Dimension::Country => ranked(chosen.iter().map(|&at| {
            statements[at]
                .signatories
                .iter()
                .filter_map(|s| s.country.as_deref().map(str::trim))
                .filter(|country| !country.is_empty())
                .map(str::to_owned)
                .collect()
        })),
        Dimension::Signatory => ranked(chosen.iter().map(|&at| {
            ledger
                .signed(at)
                .iter()
                .map(|&office| ledger.office(office).label.clone())
                .collect()
        })),
    }
}

/// Counts each value once per statement, most first then by value.
fn ranked(values: impl Iterator<Item = Vec<String>>) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for mut of_one in values {
        of_one.sort_unstable();
        of_one.dedup();
        for value in of_one {
            *counts.entry(value).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(id: &str, date: &str, signatories: &str) -> Statement {
        serde_json::from_str(&format!(
            r#"{{"id":"{id}","title":"{id}","published":"{date}","signatories":{signatories}}}"#
        ))
        .expect("statement")
    }

    #[test]
    fn one_office_across_names_and_case() {
        let statements = [
            statement(
                "a",
                "2023-05-01",
                r#"[{"name":"Hayashi Yoshimasa","role":"Minister of Foreign Affairs","country":"Japan"}]"#,
            ),
            statement(
                "b",
                "2024-01-12",
                r#"[{"name":"Kamikawa Yoko","role":"minister of foreign affairs","country":"JAPAN"},"Jane Doe"]"#,
            ),
        ];
        let ledger = Ledger::new(&statements);
        assert_eq!(ledger.len(), 2);
        let japan = ledger.find("japan");
        assert_eq!(japan.len(), 1);
        let office = ledger.office(japan[0]);
        assert_eq!(office.label, "Minister of Foreign Affairs, Japan");
        assert_eq!(office.names, ["Hayashi Yoshimasa", "Kamikawa Yoko"]);
        assert_eq!(ledger.find("kamikawa"), japan);
        let page = page(&ledger, &statements, japan[0]);
        assert_eq!(page.statements, [1, 0]);
        assert_eq!(page.cosigners.len(), 1);
        assert_eq!(ledger.office(page.cosigners[0].office).label, "Jane Doe");
        assert!((page.cosigners[0].share - 0.5).abs() < f64::EPSILON);
    }

    #[test]
    fn counts_by_month_fill_the_gaps_and_others_rank() {
        let statements = [
            statement("a", "2024-01-05", r#"[{"role":"R","country":"X"}]"#),
            statement(
                "b",
                "2024-03-05",
                r#"[{"role":"R","country":"X"},{"role":"S","country":"X"},{"role":"R","country":"Y"}]"#,
            ),
        ];
        let ledger = Ledger::new(&statements);
        let months = counts(&statements, &[0, 1], &ledger, Dimension::Month);
        assert_eq!(
            months,
            [
                ("2024-01".to_owned(), 1),
                ("2024-02".to_owned(), 0),
                ("2024-03".to_owned(), 1)
            ]
        );
        let countries = counts(&statements, &[0, 1], &ledger, Dimension::Country);
        assert_eq!(countries, [("X".to_owned(), 2), ("Y".to_owned(), 1)]);
    }
}
