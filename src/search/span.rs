//! Where in a long text a word's best fuzzy match can lie, so the matcher
//! scores only those stretches and still gives the score it gives the whole
//! text: the matcher's work is the word's length times the text's, and on
//! archives of long, alike titles ("Joint statement by the Foreign Ministers
//! of …") most of that is spent on stretches that cannot win.
//!
//! How (reasoned from fuzzy-matcher 0.3.7's `SkimMatcherV2`, with its default
//! score settings, as [`super::matcher`] builds it; checked against the
//! matcher over whole texts by `tests::spans_score_as_whole_texts` and
//! `tests::real_titles_score_as_whole`):
//!
//! - The matcher's score of a match is `-1`, plus for each matched letter 16
//!   (14 when its case differs) and a bonus, less for each gap 3 and one per
//!   character skipped. The first letter's bonus is its place's (8 at a word
//!   start, 7 after punctuation, 6 at a capital after a small letter, 16 at
//!   the very start); a letter after a gap takes its place's bonus too (net
//!   at most that less 4); a letter right after the one before takes at
//!   least 4. Here [`upper_bound`] bounds all of it from the text's places.
//! - So a match spanning `L` characters scores at most the bound less
//!   `L - (2m - 1)` (`m` letters, at most `m - 1` gaps), and once some match
//!   is known to score `S`, the best match spans at most
//!   `2m - 1 + bound - S` characters from a place of the word's first letter.
//!   `S` comes from the word found whole in the text, scored by the matcher
//!   over just that stretch.
//! - The matcher scores a stretch starting just before a first letter as it
//!   scores the same letters inside the whole text: a letter's bonus depends
//!   only on the character before it, and what a row of its table reads
//!   from the rows before lies inside the stretch. Two of its readings are
//!   not of the match being scored: a cell left by the pass of the word's
//!   letter two before (its consecutive-letter bonus, read where the word
//!   repeats a letter two, four… places on; it can differ from the whole
//!   text's only where the text holds that letter twice in a row, and such
//!   texts are scored whole),
//!   and the first cell of each pass, which starts from the pass two before
//!   (a match missing two letters, so at least 40 below the bound: only
//!   used when the known score is nearer the bound than that).
//! - The word must be ASCII (every query word typed in English is); the text
//!   need not be: the matcher gives a character other than ASCII the kind of
//!   a small letter, as [`kind`] gives each of its bytes, and stretches are
//!   measured in characters.

use super::{Needle, Scorer};

/// Texts shorter than this are scored whole: the stretches would save little
/// and cost a call of the matcher each.
const LONG: usize = 48;

/// What a matched letter scores before its bonus (`score_match`).
const MATCHED: i64 = 16;
/// The least bonus of a letter right after the one before
/// (`bonus_consecutive`).
const CONSECUTIVE: i64 = 4;
/// What a matched letter scores less when its case differs from the word's
/// (`penalty_case_mismatch`).
const CASE_DIFFERS: i64 = 2;
/// What a gap costs beyond one per character skipped, with the consecutive
/// bonus the letter after it loses (`gap_start + gap_extension`, negated).
const GAP: i64 = 4;
/// How far below the bound a match missing two of the word's letters lies at
/// least: two letters of at least `MATCHED + CONSECUTIVE` each.
const MISSING_TWO: i64 = 2 * (MATCHED + CONSECUTIVE);

/// The matcher's kinds of character (`CharType`), for ASCII.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Empty,
    Upper,
    Lower,
    Number,
    Hard,
    Soft,
}

fn kind(byte: u8) -> Kind {
    match byte {
        0 => Kind::Empty,
        b' ' | b'/' | b'\\' | b'|' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Kind::Hard,
        b'!'..=b'\'' | b'*'..=b'.' | b':'..=b'@' | b'^'..=b'`' | b'~' => Kind::Soft,
        b'0'..=b'9' => Kind::Number,
        b'A'..=b'Z' => Kind::Upper,
        _ => Kind::Lower,
    }
}

/// The bonus of a letter at a place, by the character before it
/// (`in_place_bonus`: word start, after punctuation, a capital after a small
/// letter or a digit).
fn place_bonus(before: u8, byte: u8) -> i64 {
    match (kind(before), kind(byte)) {
        (Kind::Empty | Kind::Hard, _) => 8,
        (Kind::Soft, _) => 7,
        (Kind::Lower | Kind::Number, Kind::Upper) => 6,
        _ => 0,
    }
}

/// A search word as the stretches need it, worked out once for a search
/// that scores it against every title.
pub(super) struct Word<'w> {
    text: &'w str,
    /// The bytes that match one of its letters (ASCII case ignored).
    member: [bool; 256],
    /// Its letters (lower case) repeated two, four… places on, where the
    /// matcher's pass over the later one reads what the pass over the
    /// earlier one left (see the module's notes).
    repeated: [bool; 256],
    any_repeated: bool,
}

impl<'w> Word<'w> {
    pub(super) fn new(text: &'w str) -> Self {
        let mut member = [false; 256];
        // Per letter, whether it was seen at an even place, at an odd one:
        // a letter seen before at a place of the same parity repeats two,
        // four… places on (one pass, however long a pasted word is).
        let mut seen = [[false; 2]; 256];
        let mut repeated = [false; 256];
        let mut any_repeated = false;
        for (at, &letter) in text.as_bytes().iter().enumerate() {
            member[usize::from(letter.to_ascii_lowercase())] = true;
            member[usize::from(letter.to_ascii_uppercase())] = true;
            let lower = usize::from(letter.to_ascii_lowercase());
            if seen[lower][at % 2] {
                repeated[lower] = true;
                any_repeated = true;
            }
            seen[lower][at % 2] = true;
        }
        Self {
            text,
            member,
            repeated,
            any_repeated,
        }
    }

    /// Whether it repeats a letter two, four… places on and `text` holds
    /// that letter twice in a row: only there can the matcher's pass over
    /// the later one read a bonus the pass over the earlier one left that a
    /// pass over the whole text would not (see the module's notes), so such
    /// texts are scored whole.
    fn repeat_meets_double(&self, text: &[u8]) -> bool {
        self.any_repeated
            && text.windows(2).any(|pair| {
                pair[0].eq_ignore_ascii_case(&pair[1])
                    && self.repeated[usize::from(pair[0].to_ascii_lowercase())]
            })
    }
}

/// The most the matcher can score `word` (ASCII) anywhere in `text` (a byte
/// other than ASCII counts as a small letter, as the matcher counts the
/// character it is part of), from the bonuses the places holding its
/// letters can give: the first letter at best as at its best place (a word
/// start, say, with its case as found there), each later one as whole in its
/// case, where found, with the best bonus a letter after a letter or after a
/// gap can take.
fn upper_bound(text: &[u8], word: &Word<'_>) -> i64 {
    let Some(&head) = word.text.as_bytes().first() else {
        return 0;
    };
    let member = &word.member;
    let mut present = [false; 256];
    // The best first letter; the best bonus of any place after the first a
    // later letter can be matched at (after a gap), and of any place right
    // after another such (after the letter before).
    let (mut first, mut best, mut consecutive) = (i64::MIN, CONSECUTIVE, CONSECUTIVE);
    let mut before = 0;
    for (at, &byte) in text.iter().enumerate() {
        present[usize::from(byte)] = true;
        if member[usize::from(byte)] {
            let bonus = if at == 0 {
                2 * place_bonus(0, byte)
            } else {
                let bonus = place_bonus(before, byte);
                best = best.max(bonus);
                if member[usize::from(before)] {
                    consecutive = consecutive.max(bonus);
                }
                bonus
            };
            if byte.eq_ignore_ascii_case(&head) {
                first = first.max(matched(byte, head) + bonus);
            }
        }
        before = byte;
    }
    let after_first = consecutive.max(best - GAP);
    word.text
        .bytes()
        .skip(1)
        .fold(first.saturating_sub(1), |bound, letter| {
            let scored = if present[usize::from(letter)] {
                MATCHED
            } else {
                MATCHED - CASE_DIFFERS
            };
            bound.saturating_add(scored + after_first)
        })
}

/// What the matcher scores the word's `letter` matched at `byte`.
fn matched(byte: u8, letter: u8) -> i64 {
    if byte == letter {
        MATCHED
    } else {
        MATCHED - CASE_DIFFERS
    }
}

/// Where `word` first stands whole in `text` (ASCII case ignored).
fn whole_at(text: &[u8], word: &[u8]) -> Option<usize> {
    let first = *word.first()?;
    let mut from = 0;
    while let Some(found) = text
        .get(from..)
        .and_then(|rest| super::find_ascii(first, rest))
    {
        let at = from + found;
        let candidate = text.get(at..at.checked_add(word.len())?)?;
        if candidate.eq_ignore_ascii_case(word) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where a stretch holding the letter at `at` (a byte offset) starts: at the
/// character before the run of the word's first letter it is in, whose first
/// place the stretch must not hold (its bonus would be counted as at the
/// very start).
fn stretch_start(text: &str, first: u8, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at > 0 && bytes[at - 1].eq_ignore_ascii_case(&first) {
        at -= 1;
    }
    text.get(..at)
        .and_then(|before| before.char_indices().next_back())
        .map_or(0, |(start, _)| start)
}

/// The byte offset `count` characters on from `at` (a character's first
/// byte), or the text's end: the matcher counts gaps in characters.
fn past(text: &str, at: usize, count: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.char_indices().nth(count))
        .map_or(text.len(), |(offset, _)| at + offset)
}

/// The score of `prepared`'s word in `text` (a [`super::Needle::window`])
/// as the matcher gives it over the whole text, from the stretches where a
/// better match than one found whole can lie when that saves work (see the
/// module's notes).
///
/// `needle` is the same word's: a stretch the word cannot match at all is
/// passed over without calling the matcher (most are, on long alike titles),
/// and so is one whose own bound is no better than the match found whole.
pub(super) fn score(
    scorer: &Scorer,
    needle: &Needle,
    prepared: &Word<'_>,
    text: &str,
) -> Option<i64> {
    let word = prepared.text;
    let Some(Plan { known, stretches }) = plan(scorer, text, prepared) else {
        return scorer.score(text, word);
    };
    let mut best = known;
    for (start, end) in stretches {
        let Some(stretch) = text.get(start..end) else {
            // Not at character boundaries: never so, but the whole text is
            // the safe answer.
            return scorer.score(text, word);
        };
        if upper_bound(stretch.as_bytes(), prepared) <= known {
            continue;
        }
        if let Some(score) = needle
            .window(stretch)
            .and_then(|stretch| scorer.score(stretch, word))
        {
            best = best.max(score);
        }
    }
    Some(best)
}

/// A match's score known for a text, and the stretches (byte ranges) holding
/// every match that can score more.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    known: i64,
    stretches: Vec<(usize, usize)>,
}

/// How to score `prepared`'s word in `text` from stretches, or `None` when scoring the
/// whole text is as cheap or the notes' reasoning does not hold for them.
fn plan(scorer: &Scorer, text: &str, prepared: &Word<'_>) -> Option<Plan> {
    let word = prepared.text;
    let (bytes, letters) = (text.as_bytes(), word.as_bytes());
    let &first = letters.first()?;
    if letters.len() < 2
        || bytes.len() < LONG
        || !word.is_ascii()
        || prepared.repeat_meets_double(bytes)
    {
        return None;
    }
    let found = whole_at(bytes, letters)?;
    let bound = upper_bound(bytes, prepared);
    let known = text
        .get(stretch_start(text, first, found)..found + letters.len())
        .and_then(|stretch| scorer.score(stretch, word))
        .filter(|&known| known <= bound && bound - known < MISSING_TWO)?;
    let length = i64::try_from(letters.len()).ok()?;
    let span = usize::try_from(2 * length - 1 + bound - known).ok()?;
    // The stretches from each place of the first letter, joined where they
    // meet; none when they would cover most of the text anyway.
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    let mut covered = 0;
    for (at, _) in bytes
        .iter()
        .enumerate()
        .filter(|(_, byte)| byte.eq_ignore_ascii_case(&first))
    {
        let end = past(text, at, span);
        match stretches.last_mut() {
            Some((_, last_end)) if at <= *last_end => {
                covered += end.saturating_sub(*last_end);
                *last_end = (*last_end).max(end);
            }
            _ => {
                covered += end - at;
                stretches.push((at, end));
            }
        }
        if covered * 4 >= bytes.len() * 3 {
            return None;
        }
    }
    for stretch in &mut stretches {
        stretch.0 = stretch_start(text, first, stretch.0);
    }
    Some(Plan { known, stretches })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::score as whole_score;
    use crate::search::tests::Generated;

    /// Scored from its stretches, a word scores as over the whole text, on
    /// many generated long texts of alike phrases, cases, separators and
    /// digits, with words found in them (whole or scattered) and not; and
    /// the bound is never below the score.
    #[test]
    fn spans_score_as_whole_texts() {
        const PIECES: &[&str] = &[
            "Foreign",
            "foreign",
            " Ministers",
            " of ",
            "the ",
            "Affairs",
            "f",
            "o",
            "r",
            "e",
            "i",
            "g",
            "n",
            "FF",
            "ee",
            ".",
            "-",
            "(",
            ")",
            "/",
            "1",
            "x",
            " ",
            "Fo",
            "eign",
            "Japan",
            "McKay",
            "GOV.UK",
            "joint",
            "Statement",
            "FOREIGN",
            "o'",
            "_",
            "é",
            "’",
            "Côte",
            "fé",
            "É",
            "e\u{301}",
            "Ωf",
            "Settlement",
            "aa",
            "tt",
            "Japan",
        ];
        const WORDS: &[&str] = &[
            "japan",
            "japa",
            "statement",
            "settlement",
            "minister",
            "foreign",
            "fo",
            "for",
            "fore",
            "forei",
            "foreig",
            "affairs",
            "af",
            "aff",
            "affa",
            "ministers",
            "mi",
            "of",
            "joint",
            "gov.uk",
            "mckay",
            "eign",
            "fn",
            "frgn",
            "o'f",
        ];
        let mut generated = Generated(0x5851_f42d_4c95_7f2d);
        let scorer = Scorer::new();
        let (mut matched, mut by_stretches) = (0, 0);
        for round in 0..100_000 {
            let text = generated.text(PIECES, 60);
            let word = if round % 2 == 0 {
                WORDS[generated.below(WORDS.len())].to_owned()
            } else {
                generated.word(PIECES, &text, 6, 9).to_ascii_lowercase()
            };
            if word.is_empty() {
                continue;
            }
            let whole = whole_score(&text, &word);
            let Some(window) = Needle::new(&word).window(&text) else {
                assert_eq!(whole, None, "{word:?} in {text:?}");
                continue;
            };
            let (needle, prepared) = (Needle::new(&word), Word::new(&word));
            assert_eq!(
                score(&scorer, &needle, &prepared, window),
                whole,
                "{word:?} in {text:?}"
            );
            if let Some(whole) = whole
                && !prepared.repeat_meets_double(window.as_bytes())
            {
                assert!(
                    whole <= upper_bound(window.as_bytes(), &prepared),
                    "{word:?} in {text:?} scores {whole}, above the bound"
                );
            }
            matched += usize::from(whole.is_some());
            by_stretches += usize::from(plan(&scorer, window, &prepared).is_some());
        }
        // Enough of both kinds, or agreeing would prove little.
        assert!(
            matched > 40_000 && by_stretches > 8_000,
            "{matched} matched, {by_stretches} scored by stretches"
        );
    }

    /// The real titles of the bundled archive (GOV.UK, the White House, a
    /// joint statement), each joined to the next so they are long, score as
    /// whole for every prefix of words staff type and of their own words.
    #[test]
    fn real_titles_score_as_whole() {
        let archive = crate::loader::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("archive")
                .as_path(),
            crate::loader::LoadOptions::default(),
        )
        .expect("the bundled archive loads");
        let titles: Vec<String> = archive
            .statements
            .iter()
            .map(|statement| super::super::shown(&statement.title))
            .collect();
        assert!(titles.len() > 20, "{} titles", titles.len());
        let mut words: Vec<String> = [
            "foreign",
            "affairs",
            "ministers",
            "secretary",
            "statement",
            "joint",
            "sanctions",
            "security",
            "council",
            "ukraine",
            "russia",
            "president",
            "government",
            "kingdom",
            "trade",
            "g7",
            "u.s.",
            "prime",
        ]
        .iter()
        .map(|word| (*word).to_owned())
        .collect();
        words.extend(
            titles
                .iter()
                .flat_map(|title| title.split_whitespace())
                .map(crate::search::fold),
        );
        let scorer = Scorer::new();
        let (mut compared, mut by_stretches) = (0, 0);
        for (at, title) in titles.iter().enumerate() {
            let text = format!("{title} {}", titles[(at + 1) % titles.len()]);
            for word in &words {
                for end in (2..=word.len()).filter(|&end| word.is_char_boundary(end)) {
                    let prefix = &word[..end];
                    let (needle, prepared) = (Needle::new(prefix), Word::new(prefix));
                    let Some(window) = needle.window(&text) else {
                        continue;
                    };
                    assert_eq!(
                        score(&scorer, &needle, &prepared, window),
                        whole_score(&text, prefix),
                        "{prefix:?} in {text:?}"
                    );
                    compared += 1;
                    by_stretches += usize::from(plan(&scorer, window, &prepared).is_some());
                }
            }
        }
        assert!(
            compared > 10_000 && by_stretches > 1_000,
            "{compared} compared, {by_stretches} by stretches"
        );
    }

    #[test]
    fn a_repeated_letter_met_doubled_is_scored_whole() {
        assert!(Word::new("japan").repeat_meets_double(b"Baa Japan"));
        assert!(!Word::new("japan").repeat_meets_double(b"Joint statement on Japan"));
        assert!(Word::new("settlement").repeat_meets_double(b"Settlement"));
        assert!(!Word::new("affairs").repeat_meets_double(b"Foreign Affairs"));
        assert!(!Word::new("ff").repeat_meets_double(b"ff"));
        let long = "Joint statement by the Foreign Ministers of Japan and the Netherlands";
        let scorer = Scorer::new();
        assert!(plan(&scorer, long, &Word::new("japan")).is_some());
        assert_eq!(
            plan(&scorer, &format!("{long} (Saar)"), &Word::new("japan")),
            None
        );
        assert!(plan(&scorer, long, &Word::new("foreign")).is_some());
    }
}
