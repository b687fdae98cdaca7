//! Fitting styled text into a number of terminal columns: cut by display
//! width with an ellipsis, never by bytes, and never splitting a wide
//! character across the edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Display width of a string in terminal columns.
#[must_use]
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Pieces of text with their styles, cut to `columns` with "…" when too long,
/// and padded with spaces to exactly `columns` when `pad` is set.
#[must_use]
pub fn fit<'a>(pieces: &[(&str, Style)], columns: usize, pad: bool) -> Line<'a> {
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
            for c in text.chars() {
                let w = c.width().unwrap_or(0);
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
                piece.push(c);
            }
            if !piece.is_empty() {
                spans.push(Span::styled(piece, *style));
            }
        }
    }
    if pad && used < columns {
        spans.push(Span::raw(" ".repeat(columns - used)));
    }
    Line::from(spans)
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

    fn plain(line: &Line) -> String {
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
