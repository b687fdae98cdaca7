//! What every JSON-based format shares: where in the file an error lies (in
//! characters, as an editor counts), serde_json's message without its own
//! position, and the probe that names a record before it is read in full.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Framing, RecordRef};

/// The files JSON formats read: a document (one record or an array), or JSON
/// Lines.
pub const JSON_FILES: &[(&str, Framing)] = &[
    ("json", Framing::JsonDocument),
    ("jsonl", Framing::JsonLines),
    ("ndjson", Framing::JsonLines),
];

/// The fields a record is probed for before (or instead of) being parsed in
/// full: whether it is a GOV.UK item, and its id to name it in problems.
#[derive(Deserialize)]
pub struct Probe {
    #[serde(default)]
    pub schema_name: Option<IgnoredAny>,
    #[serde(default)]
    pub id: Option<serde_json::Value>,
}

/// The record named by its `id`, else by its position.
#[must_use]
pub fn record_ref(id: Option<serde_json::Value>, index: usize) -> RecordRef {
    match id {
        Some(serde_json::Value::String(id)) if !id.is_empty() => RecordRef::Id(id),
        _ => RecordRef::Index(index),
    }
}

/// Where a serde_json error in a record's text lies in the file, the record
/// starting at `start` (serde_json counts columns in bytes and from the
/// record's own start).
#[must_use]
pub fn error_at(text: &str, start: (usize, usize), err: &serde_json::Error) -> (usize, usize) {
    let (line, column) = position_of(text, value_end(text, byte_offset(text, err), err));
    if line <= 1 {
        (start.0, start.1 + column - 1)
    } else {
        (start.0 + line - 1, column)
    }
}

/// Where to place an error serde_json placed at `offset`. A value it read
/// and found wrong (a bad date, say) is reported where it stopped after
/// it: for the last field of an object, at the closing brace, on a line of
/// its own in a formatted file. Such an error is placed right after the
/// value instead, as one in any other field is (at its comma). A missing
/// field stays at the brace: the object ended without it.
fn value_end(text: &str, offset: usize, err: &serde_json::Error) -> usize {
    let closes = matches!(
        text.get(offset..).and_then(|rest| rest.chars().next()),
        Some('}' | ']')
    );
    if err.classify() != serde_json::error::Category::Data
        || !closes
        || err.to_string().starts_with("missing field")
    {
        return offset;
    }
    text[..offset].trim_end().len()
}

/// The (line, column) of a byte offset, both one-based, columns in characters.
pub fn position_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Counts (line, column) positions through a text in order: each is counted
/// on from the last rather than from the start, so placing every record of a
/// big file stays linear.
pub struct Positions<'a> {
    text: &'a str,
    /// The last offset placed, and its line and column.
    counted: (usize, usize, usize),
}

impl<'a> Positions<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            counted: (0, 1, 1),
        }
    }

    /// The position of `offset`, which must not come before the last one
    /// asked for (an earlier one is counted from the start).
    pub fn at(&mut self, offset: usize) -> (usize, usize) {
        let (from, line_before, column_before) = self.counted;
        if offset < from {
            return position_of(self.text, offset);
        }
        let between = &self.text[from..offset];
        let (line, column) = match between.rfind('\n') {
            Some(newline) => (
                line_before + between.matches('\n').count(),
                between[newline + 1..].chars().count() + 1,
            ),
            None => (line_before, column_before + between.chars().count()),
        };
        self.counted = (offset, line, column);
        (line, column)
    }
}

/// The byte offset in `text` of a serde_json error (which gives a line and
/// a byte column), on a character boundary.
pub fn byte_offset(text: &str, err: &serde_json::Error) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(err.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + err.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where the first invalid byte is, counting the valid characters before it.
pub fn utf8_error_position(bytes: &[u8], err: &std::str::Utf8Error) -> (usize, usize) {
    let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).unwrap_or_default();
    position_of(valid, valid.len())
}

/// serde_json's message without its trailing " at line L column C".
pub fn json_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\nçd\ne";
        assert_eq!(position_of(text, 0), (1, 1));
        assert_eq!(position_of(text, 3), (2, 1));
        assert_eq!(position_of(text, 5), (2, 2));
        assert_eq!(position_of(text, text.len()), (3, 2));
    }

    #[test]
    fn positions_counted_on_agree_with_counting_from_the_start() {
        let text = "ab\nçd\n\ne  f\ng";
        let mut positions = Positions::new(text);
        for offset in [0, 1, 3, 5, 6, 8, 12, text.len()] {
            assert_eq!(positions.at(offset), position_of(text, offset), "{offset}");
        }
        assert_eq!(positions.at(3), position_of(text, 3));
    }
}
