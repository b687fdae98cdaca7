//! JSON that is safe on a terminal and still says exactly what the data
//! says: every string is written with each control (C0, DEL, C1), invisible
//! format character (bidi controls, zero-width characters, the soft hyphen,
//! tag characters, all of category Cf) and line or paragraph separator as a
//! `\uXXXX` escape (a surrogate pair above U+FFFF). serde_json escapes only
//! C0 itself, so DEL, U+009B (a one-character CSI) or U+202E would reach the
//! terminal raw. Parsing the output gives back the original strings.
//!
//! Every JSON writer of the program goes through [`to_writer_pretty`] (or
//! [`to_string_pretty`]), which use [`Escaping`] around serde_json's own
//! pretty formatter: the escaping happens as strings are written, never by
//! rewriting finished text.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

use super::is_hidden;

/// Writes `value` as pretty-printed JSON with hidden characters escaped.
///
/// # Errors
/// When `value` cannot be serialised or `writer` fails.
pub fn to_writer_pretty<W: Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(writer, Escaping(PrettyFormatter::new()));
    value.serialize(&mut serializer)
}

/// As [`to_writer_pretty`], into a string.
///
/// # Errors
/// When `value` cannot be serialised.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    to_writer_pretty(&mut out, value)?;
    // Only whole UTF-8 strings and ASCII punctuation were written.
    String::from_utf8(out).map_err(|err| serde_json::Error::io(io::Error::other(err)))
}

/// A formatter that lays JSON out as `F` does and escapes hidden characters
/// in every string, keys included.
#[derive(Debug, Clone, Default)]
pub struct Escaping<F>(pub F);

impl<F: Formatter> Formatter for Escaping<F> {
    /// The parts of a string serde_json leaves unescaped: escape the hidden
    /// characters among them, write the rest as they are.
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut plain_from = 0;
        for (at, c) in fragment.char_indices() {
            if !is_hidden(c) {
                continue;
            }
            self.0
                .write_string_fragment(writer, &fragment[plain_from..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            plain_from = at + c.len_utf8();
        }
        self.0
            .write_string_fragment(writer, &fragment[plain_from..])
    }

    /// C0 controls, quotes and backslashes, which serde_json escapes itself:
    /// as it does (`\n`, `\u001b`), all of them ASCII.
    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        self.0.write_char_escape(writer, char_escape)
    }

    /// Never used by our types; a raw fragment could carry anything, so its
    /// strings are not trusted: refused rather than written unescaped.
    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        _writer: &mut W,
        _fragment: &str,
    ) -> io::Result<()> {
        Err(io::Error::other(
            "raw JSON cannot be written: its strings would not be escaped",
        ))
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every kind of hidden character, at the start, middle and end, in a
    /// value and in a key.
    const HOSTILE: &str = "\u{1b}]0;t\u{7}a\u{7f}b\u{80}\u{9b}2J\u{9f}c\u{202e}d\u{2066}e\u{200b}\u{feff}\u{ad}\u{2028}\u{2029}\u{e0001}\u{e007f}\u{600}\u{1d173}";

    #[test]
    fn hidden_characters_are_escaped_and_round_trip() {
        let value: BTreeMap<&str, Vec<&str>> =
            [(HOSTILE, vec![HOSTILE, "plain", "한국 🇺🇦"])].into();
        let json = to_string_pretty(&value).expect("JSON");
        assert!(
            json.chars().filter(|&c| c != '\n').all(|c| !is_hidden(c)),
            "{json:?}"
        );
        assert!(json.contains(r"\u007f"), "{json}");
        assert!(json.contains(r"\u009b"), "{json}");
        assert!(json.contains(r"\u202e"), "{json}");
        assert!(json.contains(r"\udb40\udc01"), "{json}");
        // Ordinary text outside ASCII stays as it is.
        assert!(json.contains("한국 🇺🇦"), "{json}");
        let back: BTreeMap<String, Vec<String>> = serde_json::from_str(&json).expect("parses");
        assert_eq!(back.len(), 1);
        assert_eq!(back[HOSTILE], vec![HOSTILE, "plain", "한국 🇺🇦"]);
    }

    #[test]
    fn layout_is_serde_jsons_pretty_one() {
        let value = serde_json::json!({"a": [1, "x"], "b": {"c": null}});
        assert_eq!(
            to_string_pretty(&value).expect("JSON"),
            serde_json::to_string_pretty(&value).expect("JSON")
        );
    }
}
