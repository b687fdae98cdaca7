//! Mojibake: UTF-8 text that was decoded once more as Windows-1252 or
//! Latin-1 before it reached the archive (`â€œ` for `“`, `Ã©` for `é`,
//! `canâ\u{80}\u{99}t` for `can’t`). Saved web pages often are. Every
//! format's statements pass through [`repair_statement`] as they load: the
//! text is repaired where the bytes the wrong decoding produced are valid
//! UTF-8 again, and the loader reports what it repaired, with an example, so
//! nothing changes silently.
//!
//! The repair is deliberately narrow: only runs of characters that a
//! Windows-1252 or Latin-1 decoder produces from bytes 0x80–0xFF are
//! considered, and only where those bytes form a complete UTF-8 sequence of
//! two to four bytes. Genuine accented text (`café`, `São Paulo`, `Ærø`)
//! never forms one: a lead byte such as `Ã` must be followed by one of the
//! 64 continuation bytes (`©`, `¼`, `€`, …), which no language writes after
//! it. Curly quotes, dashes and spaces are never "normalised".

use std::sync::Arc;

use crate::records::{Signatory, Statement};

/// Windows-1252's characters for the bytes 0x80–0x9F where they differ from
/// Latin-1 (the five bytes it leaves undefined decode as Latin-1's C1
/// controls, which [`byte_of`] maps anyway).
const WINDOWS_1252: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// How many times text is repaired at most: text encoded twice over is
/// repaired in two passes.
const LAYERS: usize = 3;

/// The byte a Windows-1252 or Latin-1 decoder turned into `c`, when it is
/// one of 0x80–0xFF.
fn byte_of(c: char) -> Option<u8> {
    match u8::try_from(u32::from(c)) {
        Ok(byte) if byte >= 0x80 => Some(byte),
        Ok(_) => None,
        Err(_) => WINDOWS_1252
            .iter()
            .find(|&&(_, shown)| shown == c)
            .map(|&(byte, _)| byte),
    }
}

/// The length of the UTF-8 sequence a lead byte starts (two to four), or
/// `None` for a byte that cannot lead one.
fn sequence_length(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// What one repair did: the text, how many sequences it mended, and the
/// first mended word before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    pub text: String,
    pub places: usize,
    pub example: (String, String),
}

/// `text` with its mojibake repaired, or `None` when it has none.
#[must_use]
pub fn repair(text: &str) -> Option<Repaired> {
    let mut current: Option<Repaired> = None;
    for _ in 0..LAYERS {
        let input = current.as_ref().map_or(text, |done| done.text.as_str());
        let Some((text, places, at)) = one_layer(input) else {
            break;
        };
        let example = current.as_ref().map_or_else(
            || (word_at(input, at.0), word_at(&text, at.1)),
            |done| (done.example.0.clone(), word_at(&text, at.1)),
        );
        let places = current.as_ref().map_or(places, |done| done.places);
        current = Some(Repaired {
            text,
            places,
            example,
        });
    }
    current
}

/// One pass: the repaired text, the number of sequences mended and where
/// the first was (byte offsets in the input and in the output).
fn one_layer(text: &str) -> Option<(String, usize, (usize, usize))> {
    if text.is_ascii() || !may_hold_sequence(text) {
        return None;
    }
    mended(text)
}

/// [`one_layer`]'s pass over a text that may need it.
fn mended(text: &str) -> Option<(String, usize, (usize, usize))> {
    let mut out = String::with_capacity(text.len());
    let mut places = 0;
    let mut first = None;
    let mut run: Vec<(usize, char, u8)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(byte) = byte_of(c) {
            run.push((at, c, byte));
            if chars
                .peek()
                .is_some_and(|&(_, next)| byte_of(next).is_some())
            {
                continue;
            }
            places += mend_run(&run, &mut out, &mut first);
            run.clear();
        } else {
            out.push(c);
        }
    }
    (places > 0).then(|| (out, places, first.unwrap_or((0, 0))))
}

/// Whether `text` has a character standing for a UTF-8 lead byte just
/// before one standing for a continuation byte: every sequence
/// [`mend_run`] decodes starts so, and most texts with other than ASCII in
/// them (accented names, curly quotes) have none, so they are not copied
/// to find nothing to mend.
fn may_hold_sequence(text: &str) -> bool {
    let mut after_lead = false;
    for c in text.chars() {
        let byte = byte_of(c);
        if after_lead && byte.is_some_and(|byte| (0x80..=0xBF).contains(&byte)) {
            return true;
        }
        after_lead = byte.and_then(sequence_length).is_some();
    }
    false
}

/// Writes a run of characters that stand for bytes 0x80–0xFF, with every
/// complete UTF-8 sequence among those bytes decoded; returns how many.
fn mend_run(
    run: &[(usize, char, u8)],
    out: &mut String,
    first: &mut Option<(usize, usize)>,
) -> usize {
    let bytes: Vec<u8> = run.iter().map(|&(_, _, byte)| byte).collect();
    let mut mended = 0;
    let mut i = 0;
    while i < run.len() {
        let decoded = sequence_length(bytes[i])
            .and_then(|len| bytes.get(i..i + len))
            .and_then(|sequence| std::str::from_utf8(sequence).ok());
        match decoded {
            Some(sequence) => {
                if first.is_none() {
                    *first = Some((run[i].0, out.len()));
                }
                out.push_str(sequence);
                mended += 1;
                i += sequence.len();
            }
            None => {
                out.push(run[i].1);
                i += 1;
            }
        }
    }
    mended
}

/// The whitespace-delimited word around byte offset `at`, at most 40
/// characters of it.
fn word_at(text: &str, at: usize) -> String {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[at..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| at + i);
    let word: String = text[start..end].chars().take(40).collect();
    shown(&word)
}

/// A word as a problem message may quote it: Latin-1's C1 controls, which
/// the terminal would drop, written as the Windows-1252 characters a
/// browser shows for them, else as escapes.
fn shown(word: &str) -> String {
    word.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(byte @ 0x80..=0x9F) => WINDOWS_1252
                .iter()
                .find(|&&(known, _)| known == byte)
                .map_or_else(
                    || format!("\\u{{{byte:02x}}}"),
                    |&(_, shown)| shown.to_string(),
                ),
            _ => c.to_string(),
        })
        .collect()
}

/// What [`repair_statement`] mended in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Sequences mended across every field.
    pub places: usize,
    /// The first mended word, as it was and as it is now.
    pub example: (String, String),
}

impl Report {
    /// The loader's message about it.
    #[must_use]
    pub fn message(&self) -> String {
        let (was, now) = &self.example;
        let places = if self.places == 1 {
            "1 place".to_string()
        } else {
            format!("{} places", self.places)
        };
        format!("double-encoded UTF-8 (mojibake) repaired in {places}: {was:?} now reads {now:?}")
    }
}

/// Repairs every text field of `statement` (not its id, which is reported
/// as it is when it does not read as typed); `None` when nothing needed it.
pub fn repair_statement(statement: &mut Statement) -> Option<Report> {
    let mut report: Option<Report> = None;
    // Whether it mended the field.
    let mut mend = |field: &mut String| {
        let Some(done) = repair(field) else {
            return false;
        };
        *field = done.text;
        match &mut report {
            Some(report) => report.places += done.places,
            None => {
                report = Some(Report {
                    places: done.places,
                    example: done.example,
                });
            }
        }
        true
    };
    mend(&mut statement.title);
    for field in [
        &mut statement.kind,
        &mut statement.summary,
        &mut statement.government,
        &mut statement.body,
    ]
    .into_iter()
    .flatten()
    {
        mend(field);
    }
    for list in [
        &mut statement.organisations,
        &mut statement.locations,
        &mut statement.topics,
        &mut statement.people,
    ] {
        for field in list {
            mend(field);
        }
    }
    for signatory in &mut statement.signatories {
        let mut mended = Signatory::clone(signatory);
        let mut changed = false;
        for field in [
            &mut mended.name,
            &mut mended.role,
            &mut mended.country,
            &mut mended.organisation,
        ]
        .into_iter()
        .flatten()
        {
            changed |= mend(field);
        }
        if changed {
            *signatory = Arc::new(mended);
        }
    }
    if let Some(speech) = &mut statement.speech {
        for field in [&mut speech.location, &mut speech.caveat]
            .into_iter()
            .flatten()
        {
            mend(field);
        }
    }
    if let Some(note) = statement
        .withdrawn
        .as_mut()
        .and_then(|withdrawn| withdrawn.note.as_mut())
    {
        mend(note);
    }
    for update in &mut statement.updates {
        mend(&mut update.note);
    }
    for contact in &mut statement.media_contacts {
        for field in [
            &mut contact.name,
            &mut contact.organisation,
            &mut contact.email,
            &mut contact.phone,
            &mut contact.notes,
        ]
        .into_iter()
        .flatten()
        {
            mend(field);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> Option<String> {
        repair(text).map(|done| done.text)
    }

    #[test]
    fn windows_1252_mojibake_is_repaired() {
        assert_eq!(
            repaired("â€œWe welcome itâ€\u{9d} â€” Minister").as_deref(),
            Some("“We welcome it” — Minister")
        );
        assert_eq!(repaired("cafÃ©").as_deref(), Some("café"));
        assert_eq!(repaired("Â£5 million").as_deref(), Some("£5 million"));
        assert_eq!(repaired("SÃ£o Paulo").as_deref(), Some("São Paulo"));
    }

    #[test]
    fn latin_1_mojibake_with_c1_controls_is_repaired() {
        assert_eq!(
            repaired("Dr. Kingâ\u{80}\u{99}s question").as_deref(),
            Some("Dr. King’s question")
        );
    }

    #[test]
    fn four_byte_sequences_and_second_layers_are_repaired() {
        // 😀 (F0 9F 98 80) as Windows-1252.
        assert_eq!(repaired("ðŸ˜€").as_deref(), Some("😀"));
        // ’ encoded twice over.
        assert_eq!(repaired("Ã¢â‚¬â„¢").as_deref(), Some("’"));
    }

    #[test]
    fn texts_passed_over_unread_have_nothing_to_mend() {
        // Every character that stands for a byte, and a few others, in
        // every pair and between ASCII letters: wherever the whole pass
        // mends something, the quick look must have said it might.
        let mut alphabet: Vec<char> = (0x80u32..=0xFF).filter_map(char::from_u32).collect();
        alphabet.extend(WINDOWS_1252.iter().map(|&(_, shown)| shown));
        alphabet.extend(['a', ' ', 'é', '€', '’', '日']);
        for &first in &alphabet {
            for &second in &alphabet {
                for text in [
                    format!("{first}{second}"),
                    format!("x{first}{second}y"),
                    format!("{first}a{second}"),
                ] {
                    assert!(
                        mended(&text).is_none() || may_hold_sequence(&text),
                        "{text:?} needs mending but was passed over"
                    );
                }
            }
        }
        assert!(!may_hold_sequence("Café in Reykjavík, “quoted” — São Tomé"));
        assert!(may_hold_sequence("CafÃ©"));
    }

    #[test]
    fn genuine_text_is_left_alone() {
        for text in [
            "plain ASCII",
            "café, São Paulo, Ærø, Øresund, naïve, façade",
            "“curly” ‘quotes’ — dashes – and … ellipses",
            "NÃO AÇÃO ÉTÉ Ü ß",
            "£5 million, €3, ¥7, © Crown copyright",
            "日本国外務大臣 Министр иностранных дел",
            "½ ¼ ¾ × ÷ ± ° µ ¶ §",
        ] {
            assert_eq!(repaired(text), None, "{text}");
        }
    }

    #[test]
    fn an_incomplete_sequence_is_kept_as_it_is() {
        // E2 80 without its third byte, then a space.
        assert_eq!(repaired("â€ x"), None);
    }

    #[test]
    fn the_report_names_places_and_quotes_the_first_word() {
        let done = repair("letâ€™s remember â€” now").expect("mojibake");
        assert_eq!(done.places, 2);
        assert_eq!(done.example, ("letâ€™s".to_string(), "let’s".to_string()));
        let c1 = repair("Kingâ\u{80}\u{99}s").expect("mojibake");
        assert_eq!(c1.example, ("Kingâ€™s".to_string(), "King’s".to_string()));
    }
}
