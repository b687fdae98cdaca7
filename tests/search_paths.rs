//! Every way the index can reach a result agrees: a fresh index per query, one
//! index typed through (kept results, narrowing), an index built in two parts
//! with `extend`, on one thread or two, all equal a plain reference that scores
//! every statement's title and signatories one by one.

use std::collections::{HashMap, HashSet};

use communique::records::Statement;
use communique::search::{Hit, Index, Query, parse};
// The reference scorer is the matcher the index must agree with, so it is
// used here directly, one statement at a time.
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rayon::ThreadPoolBuilder;
use unicode_normalization::UnicodeNormalization;

const COUNT: usize = 3000;

const ORGANISATIONS: &[&str] = &[
    "Foreign, Commonwealth & Development Office",
    "Home Office",
    "Ministry of Foreign Affairs of Japan",
    "Prime Minister's Office, 10 Downing Street",
];

const PEOPLE: &[&str] = &[
    "Yoko Kamikawa",
    "David Lammy",
    "Josep Borrell",
    "Cho Tae-yul",
];

const TITLE_WORDS: &[&str] = &[
    "Foreign",
    "affairs",
    "Japan",
    "JAPAN",
    "Korea",
    "minister",
    "Ministers",
    "trade",
    "joint",
    "statement",
    "envoy",
    "missile",
    "on",
    "the",
    "of",
    "and",
    "for",
    "Côte",
    "d’Ivoire",
    "São",
    "Tomé",
    "sanctions",
    "fisheries",
    "Pacific",
    "forum",
    "JointStatement",
    "e\u{301}te\u{301}",
];

const ROLES: &[&str] = &[
    "Minister of Foreign Affairs",
    "Minister for Foreign Affairs",
    "Minister of Foreign Affairs and Trade",
    "Prime Minister",
    "Minister of Defence",
    "Ambassador to the United Nations",
];

const COUNTRIES: &[&str] = &[
    "Japan",
    "Republic of Korea",
    "France",
    "Côte d’Ivoire",
    "São Tomé and Príncipe",
    "New Zealand",
    "Peru",
    "Ukraine",
    "Fiji",
    "Tonga",
];

const KINDS: &[&str] = &["press release", "speech", "joint statement", "news story"];

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).expect("fits") % n
    }
}

/// Statements with word-like titles (a fifth repeat an earlier title),
/// signatories repeating across statements (now and then twice in one),
/// kinds and dates varied.
fn statements() -> Vec<Statement> {
    let mut rng = Rng(7);
    let mut titles: Vec<String> = Vec::new();
    (0..COUNT)
        .map(|n| {
            let title = if n > 10 && rng.below(5) == 0 {
                titles[rng.below(titles.len())].clone()
            } else {
                let words: Vec<&str> = (0..3 + rng.below(9))
                    .map(|_| TITLE_WORDS[rng.below(TITLE_WORDS.len())])
                    .collect();
                words.join(" ")
            };
            titles.push(title.clone());
            let mut signatories: Vec<serde_json::Value> = (0..rng.below(6))
                .map(|_| {
                    let mut signatory = serde_json::json!({
                        "role": ROLES[rng.below(ROLES.len())],
                        "country": COUNTRIES[rng.below(COUNTRIES.len())],
                    });
                    if rng.below(8) == 0 {
                        signatory["name"] = "Yoko Kamikawa".into();
                    }
                    signatory
                })
                .collect();
            if let Some(first) = signatories.first().cloned()
                && rng.below(6) == 0
            {
                signatories.push(first);
            }
            let mut record = serde_json::json!({
                "id": format!("s{n}"),
                "title": title,
                "published": format!("{}-{:02}-{:02}", 2020 + rng.below(5), 1 + rng.below(12), 1 + rng.below(28)),
                "kind": KINDS[rng.below(KINDS.len())],
                "organisations": [ORGANISATIONS[rng.below(ORGANISATIONS.len())]],
                "signatories": signatories,
            });
            if rng.below(4) == 0 {
                record["people"] = serde_json::json!([PEOPLE[rng.below(PEOPLE.len())]]);
            }
            if rng.below(6) == 0 {
                record["media_contacts"] =
                    serde_json::json!([{"name": PEOPLE[rng.below(PEOPLE.len())], "email": "press@example.org"}]);
            }
            serde_json::from_value(record).expect("statement")
        })
        .collect()
}

/// The plain reference: each statement's NFC title and NFC signatory labels
/// scored one by one; per word the better of title and best signatory (a
/// signatory only when strictly better; ties among signatories to the
/// earliest), or, when those match weakly (below 16 a character) or not at
/// all, the best of its organisations (and their initials), people and
/// contacts' names, counted in `by_others` (if strong, or the only match); all words must match,
/// scores add up, the first word won by a signatory names it; weak below 16
/// a character of the fuzzy words. Filters come from a filters-only search
/// (which involves no fuzzy matching), strong first, then fewest
/// `by_others`, then best score, then archive order.
struct Reference {
    titles: Vec<String>,
    labels: Vec<Vec<String>>,
    /// Organisations (and their initials), people and contacts' names.
    others: Vec<Vec<String>>,
    filters: Index,
    /// Scores by (text, word), remembered so the reference stays quick.
    scores: HashMap<(String, String), Option<i64>>,
}

impl Reference {
    fn new(statements: &[Statement]) -> Self {
        Self {
            titles: statements.iter().map(|s| s.title.nfc().collect()).collect(),
            labels: statements
                .iter()
                .map(|statement| {
                    statement
                        .signatories
                        .iter()
                        .map(|signatory| signatory.label().nfc().collect())
                        .collect()
                })
                .collect(),
            others: statements.iter().map(other_names).collect(),
            filters: Index::new(statements),
            scores: HashMap::new(),
        }
    }

    fn score(
        scores: &mut HashMap<(String, String), Option<i64>>,
        text: &str,
        word: &str,
    ) -> Option<i64> {
        *scores
            .entry((text.to_owned(), word.to_owned()))
            .or_insert_with(|| {
                SkimMatcherV2::default()
                    .ignore_case()
                    .fuzzy_match(text, word)
            })
    }

    fn search(&mut self, query: &Query) -> Vec<Hit> {
        let filters_only = Query {
            fuzzy: Vec::new(),
            filters: query.filters.clone(),
        };
        let allowed: HashSet<usize> = self
            .filters
            .search(&filters_only)
            .into_iter()
            .map(|hit| hit.index)
            .collect();
        let scores = &mut self.scores;
        let others = &self.others;
        let mut hits: Vec<Hit> = self
            .titles
            .iter()
            .zip(&self.labels)
            .enumerate()
            .filter(|(index, _)| allowed.contains(index))
            .filter_map(|(index, (title, labels))| {
                let mut score = 0;
                let mut signatory = None;
                let mut by_others = 0;
                for word in &query.fuzzy {
                    let title_score = Self::score(scores, title, word);
                    let mut best: Option<(i64, usize)> = None;
                    for (position, label) in labels.iter().enumerate() {
                        if let Some(label_score) = Self::score(scores, label, word)
                            && best.is_none_or(|(best, _)| label_score > best)
                        {
                            best = Some((label_score, position));
                        }
                    }
                    let primary = match (title_score, best) {
                        (Some(title), Some((label, position))) if label > title => {
                            Some((label, Some(position)))
                        }
                        (Some(title), _) => Some((title, None)),
                        (None, Some((label, position))) => Some((label, Some(position))),
                        (None, None) => None,
                    };
                    let other = others[index]
                        .iter()
                        .filter_map(|other| Self::score(scores, other, word))
                        .max();
                    let strong = 16 * word.chars().count() as i64;
                    match (primary, other) {
                        (Some((primary, _)), Some(other))
                            if primary < strong && other >= strong =>
                        {
                            score += other;
                            by_others += 1;
                        }
                        (Some((primary, position)), _) => {
                            score += primary;
                            signatory = signatory.or(position);
                        }
                        (None, Some(other)) => {
                            score += other;
                            by_others += 1;
                        }
                        (None, None) => return None,
                    }
                }
                let characters: usize = query.fuzzy.iter().map(|w| w.chars().count()).sum();
                Some(Hit {
                    index,
                    score,
                    signatory,
                    by_others,
                    weak: query.has_fuzzy() && score < 16 * characters as i64,
                })
            })
            .collect();
        if query.has_fuzzy() {
            hits.sort_by_key(|hit| (hit.rank(), hit.index));
        }
        hits
    }
}

const TYPED: &[&str] = &[
    "foreign affairs japan",
    "home office lammy",
    "fcdo borrell",
    "minister korea",
    "sig:japan trade",
    "'joint min !korea jap",
    "JAPAN Côte ivoire",
    "year:2023 kind:speech fo af",
    "affairs foreign affairs",
];

/// A statement's other names, as the index should find them: each
/// organisation and its capitals' initials (two or more), each person, each
/// contact's name and organisation, once each.
fn other_names(statement: &Statement) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for organisation in &statement.organisations {
        names.push(organisation.clone());
        let initials: String = organisation
            .split(|c: char| !c.is_alphanumeric())
            .filter_map(|word| word.chars().next())
            .filter(|c| c.is_uppercase())
            .flat_map(char::to_lowercase)
            .collect();
        if initials.chars().count() >= 2 {
            names.push(initials);
        }
    }
    names.extend(statement.people.iter().cloned());
    for contact in &statement.media_contacts {
        names.extend(
            [&contact.name, &contact.organisation]
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    let mut once = Vec::new();
    for name in names {
        if !once.contains(&name) {
            once.push(name);
        }
    }
    once
}

/// Every prefix as typed, then each as backspaced down to one character,
/// parsed; prefixes that do not parse (`year:`) are skipped, as the browser
/// keeps its last results for them.
fn keystrokes(typed: &str) -> Vec<(&str, Query)> {
    let ends: Vec<usize> = typed
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .collect();
    let mut prefixes: Vec<&str> = ends.iter().map(|&end| &typed[..end]).collect();
    prefixes.extend(ends.iter().rev().skip(1).map(|&end| &typed[..end]));
    prefixes
        .into_iter()
        .filter_map(|prefix| Some((prefix, parse(prefix).ok()?)))
        .collect()
}

/// Each statement's place when the archive is listed newest first (ties by
/// archive position), as the browser ranks ties.
fn newest_first_places(statements: &[Statement]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..statements.len()).collect();
    order.sort_by(|&a, &b| {
        statements[b]
            .published
            .cmp(&statements[a].published)
            .then(a.cmp(&b))
    });
    let mut places = vec![0_u32; statements.len()];
    for (place, at) in order.into_iter().enumerate() {
        places[at] = u32::try_from(place).expect("fits");
    }
    places
}

fn query(text: &str) -> Query {
    parse(text).unwrap_or_else(|err| panic!("{text:?}: {err}"))
}

#[test]
fn every_path_agrees_with_the_reference() -> Result<(), Box<dyn std::error::Error>> {
    let statements = statements();
    let (first, rest) = statements.split_at(COUNT / 2);
    let one_thread = ThreadPoolBuilder::new().num_threads(1).build()?;
    let two_threads = ThreadPoolBuilder::new().num_threads(2).build()?;
    let warm = Index::new(&statements);
    let mut extended = Index::new(first);
    extended.extend(rest);
    let mut reference = Reference::new(&statements);
    // A browser's newest-first order: statement i's place in it.
    let rank = newest_first_places(&statements);
    let mut nonempty = 0;
    for typed in TYPED {
        // Kept results from a half index must not survive `extend`.
        let mut grown = Index::new(first);
        for (_, query) in keystrokes(typed) {
            let _ = grown.search(&query);
        }
        grown.extend(rest);
        for (prefix, query) in keystrokes(typed) {
            let expected = reference.search(&query);
            nonempty += usize::from(!expected.is_empty());
            let fresh = one_thread.install(|| Index::new(&statements).search(&query));
            assert_eq!(fresh, expected, "fresh index, one thread: {prefix:?}");
            let typed_through = two_threads.install(|| warm.search(&query));
            assert_eq!(
                typed_through, expected,
                "typed through, two threads: {prefix:?}"
            );
            assert_eq!(
                extended.search(&query),
                expected,
                "new + extend: {prefix:?}"
            );
            assert_eq!(
                grown.search(&query),
                expected,
                "extend after typing: {prefix:?}"
            );
            let mut by_rank = expected.clone();
            by_rank.sort_by_key(|hit| (hit.rank(), rank[hit.index]));
            assert_eq!(
                warm.search_ranked(&query, &|_| None, &rank),
                by_rank,
                "ranked, ties newest first: {prefix:?}"
            );
        }
    }
    // The queries must find something, or agreeing would prove little.
    assert!(nonempty > 100, "only {nonempty} prefixes found anything");
    Ok(())
}

#[test]
fn signatories_win_only_when_strictly_better() {
    let statements = statements();
    let index = Index::new(&statements);
    let hits = index.search(&query("minister"));
    assert!(hits.iter().any(|hit| hit.signatory.is_some()));
    assert!(hits.iter().any(|hit| hit.signatory.is_none()));
    assert_eq!(hits, Reference::new(&statements).search(&query("minister")));
}

#[test]
fn an_empty_index_grows() {
    let statements = statements();
    let mut index = Index::new(&[]);
    assert!(index.search(&query("japan")).is_empty());
    for chunk in statements.chunks(700) {
        index.extend(chunk);
        let _ = index.search(&query("jap"));
    }
    assert_eq!(index.len(), COUNT);
    assert_eq!(
        index.search(&query("japan")),
        Reference::new(&statements).search(&query("japan"))
    );
}

/// Typing on while statements stream in, as the browser does: each key is
/// searched, then more statements arrive and the same query is searched
/// again (its kept results catch up with the new statements), and the next
/// key narrows from those (a longer last word tries only what the shorter
/// one matched, old statements and new).
#[test]
fn typing_while_statements_arrive_agrees() {
    let statements = statements();
    let mut reference = Reference::new(&statements);
    for typed in TYPED {
        let mut index = Index::new(&statements[..COUNT / 20]);
        let mut arrived = COUNT / 20;
        for (prefix, query) in keystrokes(typed) {
            let first = index.search(&query);
            if arrived == COUNT {
                assert_eq!(first, reference.search(&query), "{typed:?} at {prefix:?}");
            }
            let more = (arrived + COUNT / 20).min(COUNT);
            index.extend(&statements[arrived..more]);
            arrived = more;
            let again = index.search(&query);
            if arrived == COUNT {
                assert_eq!(
                    again,
                    reference.search(&query),
                    "{typed:?} at {prefix:?}, again"
                );
            }
        }
    }
}

/// Editing an earlier word (the cursor moved back) must not narrow by kept
/// results whose earlier words differ.
#[test]
fn editing_earlier_words_agrees() {
    let statements = statements();
    let mut reference = Reference::new(&statements);
    let index = Index::new(&statements);
    let edits = [
        "japan trade",
        "japa trade",
        "jap trade",
        "ja trade",
        "jam trade",
        "minister japan trade",
        "minister japan tr",
        "ministe japan trade",
        "minister jap trade",
        "foreign affairs",
        "foreig affairs",
        "forei affairs",
        "fore affairs",
        "fore affairs korea",
        "fore af korea",
    ];
    for text in edits {
        let query = query(text);
        assert_eq!(index.search(&query), reference.search(&query), "{text:?}");
    }
}
