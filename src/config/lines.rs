//! Where a byte offset of the config text is, as a one-based line and
//! column (in characters). The line starts are found once, so each problem
//! is located by a binary search rather than a scan from the top of the
//! file, and columns are counted on from the last one asked for on the same
//! line: locating every problem of a file costs about one pass over it,
//! however many problems there are (a 500 KB file of mistakes took seconds
//! when each was located from the start).

/// The line starts of a text, and the last position found.
pub(super) struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset where each line begins; the first is 0.
    starts: Vec<usize>,
    /// The last offset located: (offset, line index, column).
    last: Option<(usize, usize, usize)>,
    /// Characters counted for columns so far (the work done, for tests).
    counted: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1))
            .collect();
        Self {
            text,
            starts,
            last: None,
            counted: 0,
        }
    }

    /// The (line, column) of a byte offset, both one-based; an offset
    /// inside a character is taken as that character's start.
    pub fn position(&mut self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let (from, column) = match self.last {
            Some((last, last_line, column)) if last_line == line && last <= offset => {
                (last, column)
            }
            _ => (self.starts[line], 1),
        };
        let between = self.text[from..offset].chars().count();
        self.counted += between;
        let column = column + between;
        self.last = Some((offset, line, column));
        (line + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_characters() {
        let text = "ab\nçd\ne";
        let mut index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(4), (2, 1), "inside ç");
        assert_eq!(index.position(7), (3, 1));
        assert_eq!(index.position(100), (3, 2), "past the end");
        assert_eq!(index.position(2), (1, 3), "back to an earlier line");
    }

    /// Many problems on one long line: the columns are counted on from one
    /// to the next, so the work is the line's length, not the number of
    /// problems times it.
    #[test]
    fn locating_many_offsets_counts_each_character_about_once() {
        let text = "x".repeat(100_000);
        let mut index = LineIndex::new(&text);
        for offset in (0..text.len()).step_by(10) {
            assert_eq!(index.position(offset), (1, offset + 1));
        }
        assert!(index.counted < text.len(), "{} counted", index.counted);
    }

    #[test]
    fn a_line_start_is_found_without_counting() {
        let text = "line\n".repeat(10_000);
        let mut index = LineIndex::new(&text);
        for line in (0..10_000).rev() {
            assert_eq!(index.position(line * 5), (line + 1, 1));
        }
        assert_eq!(index.counted, 0);
    }
}
