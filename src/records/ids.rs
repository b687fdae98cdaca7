//! What a record id may hold. Every id shown must be the id a user types
//! back (`show ID`, `mark ID`, `id:` in a query), so an id with characters
//! that show as nothing or as something else is refused at load: two ids
//! differing only by a zero-width space would otherwise look the same, and
//! the one on screen could not be named.

use unicode_normalization::is_nfc;

use crate::sanitize::clean_line;

/// Why `id` cannot be a record id, or `None` when it can.
#[must_use]
pub fn id_problem(id: &str) -> Option<String> {
    if id.trim() != id {
        return Some("id starts or ends with white space".to_owned());
    }
    let hidden = if id.is_ascii() {
        id.chars().position(|c| c.is_ascii_control())
    } else {
        id.chars().position(is_hidden)
    };
    if let Some(at) = hidden {
        let c = id.chars().nth(at).unwrap_or_default();
        return Some(format!(
            "id has an invisible, control or spacing character (U+{:04X}) at character {}: \
             ids must show as they are typed",
            u32::from(c),
            at + 1
        ));
    }
    if !is_nfc(id) {
        return Some(
            "id is not in Unicode normal form C: it shows as another id (write it composed)"
                .to_owned(),
        );
    }
    None
}

/// A character that does not show as itself in a cleaned line: controls,
/// format characters (bidi, zero-width), spaces other than the plain one,
/// flags, and the other default-ignorable characters (variation selectors,
/// Hangul fillers) that terminals draw as nothing.
fn is_hidden(c: char) -> bool {
    if c == ' ' {
        return false;
    }
    let mut one = [0; 4];
    let text: &str = c.encode_utf8(&mut one);
    c.is_whitespace()
        || clean_line(text) != text
        || matches!(
            u32::from(c),
            0x034F
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFFA0
                | 0xE0000..=0xE0FFF
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_pass() {
        for id in [
            "dprk-russia-2024-01-12",
            "a b",
            "Côte d'Ivoire",
            "한국",
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        ] {
            assert_eq!(id_problem(id), None, "{id}");
        }
    }

    #[test]
    fn hidden_characters_are_named() {
        let cases = [
            ("same\u{200B}", "U+200B", "character 5"),
            ("\u{202E}same", "U+202E", "character 1"),
            ("sa\u{00A0}me", "U+00A0", "character 3"),
            ("sa\u{1b}me", "U+001B", "character 3"),
            ("sa\u{7f}me", "U+007F", "character 3"),
            ("same\u{FE0F}", "U+FE0F", "character 5"),
            ("s\u{3164}ame", "U+3164", "character 2"),
            ("s\u{1F1FA}\u{1F1E6}", "U+1F1FA", "character 2"),
            ("a\u{2028}b", "U+2028", "character 2"),
        ];
        for (id, code, at) in cases {
            let problem = id_problem(id).unwrap_or_default();
            assert!(
                problem.contains(code) && problem.contains(at),
                "{id:?}: {problem}"
            );
        }
    }

    #[test]
    fn untrimmed_and_decomposed_ids_are_refused() {
        assert!(id_problem(" same").is_some());
        assert!(id_problem("same\t").is_some());
        let decomposed = "Co\u{0302}te";
        assert!(id_problem(decomposed).is_some_and(|why| why.contains("normal form C")));
    }
}
