//! HTML tables as text: rows of cells in aligned columns between borders,
//! a cell spanning columns (or rows) taking their place and width.

use scraper::ElementRef;

use super::inline_text;

/// A table's caption as a block of its own, then its rows, one per line,
/// laid out in columns.
pub(super) fn render_table(table: ElementRef<'_>) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rows = Vec::new();
    collect_rows(table, &mut blocks, &mut rows);
    if !rows.is_empty() {
        blocks.push(lay_out_rows(&rows));
    }
    blocks
}

/// One cell of a table: its text and how many columns it spans.
struct TableCell {
    text: String,
    span: usize,
}

/// Most columns one cell may span (HTML's own limit is 1,000).
const MAX_SPAN: usize = 64;

fn collect_rows(el: ElementRef<'_>, captions: &mut Vec<String>, rows: &mut Vec<Vec<TableCell>>) {
    // Columns taken by cells of rows above that span down: (rows left, span).
    let mut spanning: Vec<(usize, usize)> = Vec::new();
    collect_rows_into(el, captions, rows, &mut spanning);
}

fn collect_rows_into(
    el: ElementRef<'_>,
    captions: &mut Vec<String>,
    rows: &mut Vec<Vec<TableCell>>,
    spanning: &mut Vec<(usize, usize)>,
) {
    let attr_count = |cell: ElementRef<'_>, name: &str| {
        cell.value()
            .attr(name)
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&count| count > 0)
            .map_or(1, |count| count.min(MAX_SPAN))
    };
    for child in el.child_elements() {
        match child.value().name() {
            "caption" => {
                let caption = inline_text(child);
                if !caption.is_empty() {
                    captions.push(caption);
                }
            }
            "thead" | "tbody" | "tfoot" => collect_rows_into(child, captions, rows, spanning),
            "tr" => {
                let mut cells = Vec::new();
                let mut column = 0;
                for cell in child
                    .child_elements()
                    .filter(|cell| matches!(cell.value().name(), "td" | "th"))
                {
                    fill_spanned(spanning, &mut cells, &mut column);
                    let span = attr_count(cell, "colspan");
                    let down = attr_count(cell, "rowspan");
                    if spanning.len() < column + span {
                        spanning.resize(column + span, (0, 1));
                    }
                    spanning[column] = (down - 1, span);
                    cells.push(TableCell {
                        text: inline_text(cell),
                        span,
                    });
                    column += span;
                }
                fill_spanned(spanning, &mut cells, &mut column);
                if cells.iter().any(|cell| !cell.text.is_empty()) {
                    rows.push(cells);
                }
            }
            _ => {}
        }
    }
}

/// Empty cells where cells of rows above span down into this row, from
/// `column` on.
fn fill_spanned(spanning: &mut [(usize, usize)], cells: &mut Vec<TableCell>, column: &mut usize) {
    while let Some((left, span)) = spanning.get_mut(*column)
        && *left > 0
    {
        *left -= 1;
        let span = *span;
        cells.push(TableCell {
            text: String::new(),
            span,
        });
        *column += span;
    }
}

/// Rows of cells as lines with the columns aligned: each column as wide as
/// its widest cell of one column, a cell spanning columns as wide as they
/// are together (widened, last column first, if its text needs more).
fn lay_out_rows(rows: &[Vec<TableCell>]) -> String {
    use unicode_width::UnicodeWidthStr;
    const SEPARATOR: usize = 3;
    let columns = rows
        .iter()
        .map(|row| row.iter().map(|cell| cell.span).sum::<usize>())
        .max()
        .unwrap_or(0);
    let mut widths = vec![0; columns];
    let mut spans: Vec<usize> = rows.iter().flatten().map(|cell| cell.span).collect();
    spans.sort_unstable();
    spans.dedup();
    // Single cells first, then wider spans on top of them.
    for span in spans {
        for row in rows {
            let mut column = 0;
            for cell in row {
                if cell.span == span {
                    let have: usize = widths[column..column + span].iter().sum::<usize>()
                        + SEPARATOR * (span - 1);
                    let need = cell.text.width();
                    if need > have {
                        widths[column + span - 1] += need - have;
                    }
                }
                column += cell.span;
            }
        }
    }
    rows.iter()
        .map(|row| {
            // Bordered, so a row that starts with empty cells keeps its
            // place (paragraphs lose leading white space).
            let mut line = String::from("|");
            let mut column = 0;
            for cell in row {
                line.push(' ');
                let width: usize = widths[column..column + cell.span].iter().sum::<usize>()
                    + SEPARATOR * (cell.span - 1);
                line.push_str(&cell.text);
                line.push_str(&" ".repeat(width.saturating_sub(cell.text.width())));
                line.push_str(" |");
                column += cell.span;
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
