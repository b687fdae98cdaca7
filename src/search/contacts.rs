//! Fuzzy search over the contacts directory, for the contacts view's live
//! search and `communique contacts QUERY`: organisation, name, email, phone
//! (also as bare digits, so "0207008" finds "020 7008 3100"), labels,
//! addresses and notes. Every space-separated word must match somewhere.

use crate::contacts::{ContactEntry, Directory, phone_keys};

use super::{fold, initials};

/// The folded texts of one entry that a query is matched against.
#[derive(Debug)]
struct Haystack {
    texts: Vec<String>,
    /// Phone numbers as bare digits, and as comparison keys ("+44 20 …" as
    /// "020…"), for queries typed as digits.
    digits: Vec<String>,
}

/// A directory's entries prepared for searching; build once, search on every
/// key press.
#[derive(Debug, Default)]
pub struct ContactIndex {
    haystacks: Vec<Haystack>,
}

impl ContactIndex {
    #[must_use]
    pub fn new(directory: &Directory) -> Self {
        Self {
            haystacks: directory.entries.iter().map(haystack).collect(),
        }
    }

    /// `(entry index, score)` for every entry matching every word of the
    /// query, best first (ties in directory order); an empty query gives every
    /// entry in directory order with score 0.
    #[must_use]
    pub fn search(&self, query: &str) -> Vec<(usize, i64)> {
        let words: Vec<String> = query.split_whitespace().map(fold).collect();
        if words.is_empty() {
            return (0..self.haystacks.len()).map(|index| (index, 0)).collect();
        }
        let mut hits: Vec<(usize, i64)> = self
            .haystacks
            .iter()
            .enumerate()
            .filter_map(|(index, haystack)| {
                let mut total = 0;
                for word in &words {
                    total += best_score(haystack, word)?;
                }
                Some((index, total))
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }
}

/// [`ContactIndex::search`] on a directory searched once.
#[must_use]
pub fn search_contacts(directory: &Directory, query: &str) -> Vec<(usize, i64)> {
    ContactIndex::new(directory).search(query)
}

fn best_score(haystack: &Haystack, word: &str) -> Option<i64> {
    let texts = haystack
        .texts
        .iter()
        .filter_map(|text| compact_match(text, word));
    // "020 7008", "020-7008" and "(020) 7008" are all typed as digits.
    let digits = typed_digits(word);
    let numbers = haystack
        .digits
        .iter()
        .filter(|_| !digits.is_empty())
        .filter_map(|number| compact_match(number, &digits));
    texts.chain(numbers).max()
}

/// The fuzzy score of `word` in `text` when its letters lie close together
/// (within twice the word's length, or three letters more). Letters strewn
/// across a long note match almost any short word ("phe" in "Republic of
/// Ireland, Netherlands") and would bury the contact being looked for.
fn compact_match(text: &str, word: &str) -> Option<i64> {
    let (score, positions) = super::score_positions(text, word)?;
    let span = match (positions.first(), positions.last()) {
        (Some(first), Some(last)) => last - first + 1,
        _ => 0,
    };
    let length = word.chars().count();
    (span <= (length * 2).max(length + 3)).then_some(score)
}

/// The digits of a query word made only of digits and number punctuation;
/// empty for any other word.
fn typed_digits(word: &str) -> String {
    let only_number = word
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.'));
    if only_number {
        word.chars().filter(char::is_ascii_digit).collect()
    } else {
        String::new()
    }
}

fn haystack(entry: &ContactEntry) -> Haystack {
    let mut texts = Vec::new();
    for organisation in &entry.organisations {
        texts.push(fold(organisation));
        texts.push(initials(organisation));
    }
    texts.extend(entry.names.iter().map(|name| fold(name)));
    for email in &entry.emails {
        texts.push(fold(&email.address));
        texts.extend(email.labels.iter().map(|label| fold(label)));
    }
    let mut digits = Vec::new();
    for phone in &entry.phones {
        texts.push(fold(&phone.number));
        texts.push(fold(&phone.label()));
        texts.extend(phone.hours.iter().map(|hours| fold(hours)));
        digits.push(phone.number.chars().filter(char::is_ascii_digit).collect());
        digits.extend(phone_keys(&phone.number));
    }
    for address in &entry.addresses {
        texts.extend(address.label.iter().map(|label| fold(label)));
        texts.push(fold(&address.one_line()));
    }
    texts.extend(entry.notes.iter().map(|note| fold(note)));
    texts.retain(|text| !text.is_empty());
    Haystack { texts, digits }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::{Email, Phone};

    fn directory() -> Directory {
        let entry = |name: &str, org: &str, email: &str, number: &str, label: &str| ContactEntry {
            names: vec![name.to_owned()],
            organisations: vec![org.to_owned()],
            emails: vec![Email {
                address: email.to_owned(),
                ..Email::default()
            }],
            phones: vec![Phone {
                number: number.to_owned(),
                labels: vec![label.to_owned()],
                ..Phone::default()
            }],
            ..ContactEntry::default()
        };
        Directory {
            entries: vec![
                entry(
                    "Media enquiries",
                    "FCDO Communication Team",
                    "newsdesk@fcdo.gov.uk",
                    "020 7008 3100",
                    "Press office",
                ),
                entry(
                    "PHE press office",
                    "Public Health England",
                    "press@phe.gov.uk",
                    "+44 20 8200 4400",
                    "Out of hours",
                ),
            ],
        }
    }

    fn found(query: &str) -> Vec<usize> {
        search_contacts(&directory(), query)
            .into_iter()
            .map(|(index, _)| index)
            .collect()
    }

    #[test]
    fn empty_query_lists_everything_in_order() {
        assert_eq!(search_contacts(&directory(), "  "), [(0, 0), (1, 0)]);
    }

    #[test]
    fn words_match_any_field() {
        assert_eq!(found("newsdesk"), [0]);
        assert_eq!(found("fcdo"), [0]);
        assert_eq!(found("phe out hours"), [1]);
        assert!(found("newsdesk zzzz").is_empty());
    }

    #[test]
    fn digits_find_numbers_however_written() {
        assert_eq!(found("0207008"), [0]);
        assert_eq!(found("020-7008"), [0]);
        assert_eq!(found("02082004400"), [1]);
    }
}
