//! Fitting styled text into a number of terminal columns: cut by display
//! width with an ellipsis, never by bytes, and never splitting a wide
//! character across the edge.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Widget;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width of a string in terminal columns, measured grapheme by
/// grapheme as ratatui draws it (so "❤️" is 2 and the Arabic lam-alef pair,
/// two graphemes, is 2 — not unicode-width's 1 for the ligature).
#[must_use]
pub fn width(text: &str) -> usize {
    text.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Pieces of text with their styles, cut to `columns` with "…" when too long,
/// and padded with spaces to exactly `columns` when `pad` is set.
#[must_use]
pub fn fit(pieces: &[(&str, Style)], columns: usize, pad: bool) -> Fitted {
    let total: usize = pieces.iter().map(|(text, _)| width(text)).sum();
    let mut spans = Vec::new();
    let mut used = 0;
    if total <= columns {
        for (text, style) in pieces {
            spans.push(Span::styled((*text).to_owned(), *style));
        }
        used = total;
    } else if columns > 0 {
        let budget = columns - 1;
        'outer: for (text, style) in pieces {
            let mut piece = String::new();
            for grapheme in text.graphemes(true) {
                let w = grapheme.width();
                if used + w > budget {
                    if !piece.is_empty() {
                        spans.push(Span::styled(std::mem::take(&mut piece), *style));
                    }
                    let ellipsis_style = *style;
                    // Pad where a wide character did not fit.
                    let gap = budget - used;
                    spans.push(Span::styled(
                        format!("{}…", " ".repeat(gap)),
                        ellipsis_style,
                    ));
                    used = columns;
                    break 'outer;
                }
                used += w;
                piece.push_str(grapheme);
            }
            if !piece.is_empty() {
                spans.push(Span::styled(piece, *style));
            }
        }
    }
    if pad && used < columns {
        // The padding carries the first piece's style, so a selected row is
        // highlighted to the edge.
        let style = pieces.first().map_or_else(Style::new, |(_, style)| *style);
        spans.push(Span::styled(" ".repeat(columns - used), style));
    }
    Fitted { spans }
}

/// Styled text already cut to its width. It draws grapheme by grapheme at
/// positions it measures itself, so a piece after Arabic (where a span's
/// width and its drawn cells disagree) never overwrites the letters before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fitted {
    pub spans: Vec<Span<'static>>,
}

impl Fitted {
    /// The text without styles.
    #[must_use]
    pub fn text(&self) -> String {
        self.spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect()
    }
}

impl Widget for Fitted {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let right = area.x.saturating_add(area.width);
        let mut x = area.x;
        for span in &self.spans {
            for grapheme in span.content.graphemes(true) {
                let Ok(w) = u16::try_from(grapheme.width()) else {
                    return;
                };
                if w == 0 {
                    continue;
                }
                if x.saturating_add(w) > right {
                    return;
                }
                buf.set_stringn(x, area.y, grapheme, usize::from(w), span.style);
                x += w;
            }
        }
    }
}

/// A string with some character positions in another style (search
/// highlights), as pieces for [`fit`].
#[must_use]
pub fn highlighted(
    text: &str,
    positions: &[usize],
    base: Style,
    marked: Style,
) -> Vec<(String, Style)> {
    let mut pieces: Vec<(String, Style)> = Vec::new();
    for (position, c) in text.chars().enumerate() {
        let style = if positions.binary_search(&position).is_ok() {
            base.patch(marked)
        } else {
            base
        };
        match pieces.last_mut() {
            Some((piece, last)) if *last == style => piece.push(c),
            _ => pieces.push((c.to_string(), style)),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(line: &Fitted) -> String {
        line.spans
            .iter()
            .map(|span| span.content.as_ref())
            .collect()
    }

    #[test]
    fn fits_by_display_width() {
        let line = fit(&[("대한민국 외교부", Style::new())], 7, true);
        assert_eq!(plain(&line), "대한민…");
        assert_eq!(width(&plain(&line)), 7);
        let line = fit(&[("대한민국", Style::new())], 6, true);
        // A wide character that would straddle the edge is replaced by a space.
        assert_eq!(plain(&line), "대한 …");
        assert_eq!(width(&plain(&line)), 6);
    }

    #[test]
    fn short_text_is_padded() {
        let line = fit(&[("ab", Style::new()), ("c", Style::new())], 5, true);
        assert_eq!(plain(&line), "abc  ");
        assert_eq!(plain(&fit(&[("abc", Style::new())], 0, true)), "");
    }
}
