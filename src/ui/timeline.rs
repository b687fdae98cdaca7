//! Timelines as bar charts: statements per month or year, with the count
//! axis and the periods labelled in text and the chosen bar marked with
//! `▲`, so a chart reads without colour. Drawn in the list's timeline pane
//! and on a signatory's page.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Bar, BarChart, Widget};

use super::Screen;
use super::text::fit;
use crate::signatories::{Period, Timeline};
use crate::state::{Pending, TimelinePane};

/// "per month, 2023-04 to 2024-09 · most 3 a month": what the chart shows.
fn caption(timeline: &Timeline) -> String {
    let (each, a) = match timeline.period {
        Period::Month => ("per month", "a month"),
        Period::Year => ("per year", "a year"),
    };
    match (timeline.bins.first(), timeline.bins.last()) {
        (Some(first), Some(last)) if first == last => {
            let plural = if first.count == 1 { "" } else { "s" };
            format!(
                "{each}: {} · {} statement{plural}",
                first.label(),
                first.count
            )
        }
        (Some(first), Some(last)) => format!(
            "{each}, {} to {} · most {} {a}",
            first.label(),
            last.label(),
            timeline.peak()
        ),
        _ => "no statements".to_owned(),
    }
}

/// The bars that fit `columns`, as (first shown, bar width, gap): the
/// chosen bar is always among them.
fn window(bins: usize, columns: u16, chosen: usize) -> (usize, u16, u16) {
    let bins_u16 = u16::try_from(bins.max(1)).unwrap_or(u16::MAX);
    // At most eight columns a bar: one bar alone is a bar, not a wall.
    let each = (columns / bins_u16).clamp(1, 8);
    let (width, gap) = match each {
        1 => (1, 0),
        2 => (1, 1),
        each => (each - 1, 1),
    };
    let fits = usize::from((columns / (width + gap)).max(1));
    let first = if bins <= fits {
        0
    } else {
        chosen.saturating_sub(fits - 1).min(bins - fits)
    };
    (first, width, gap)
}

/// A timeline as a bar chart in `area` (at least three rows): a caption
/// row, the bars with the count axis on their left, and a row naming the
/// first and last periods shown and the chosen one, marked `▲` under its
/// bar.
pub(super) fn render_chart(
    screen: &Screen,
    timeline: &Timeline,
    chosen: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = screen.theme;
    let width = usize::from(area.width);
    let mut top = caption(timeline);
    if let Some(bin) = chosen.and_then(|at| timeline.bins.get(at)) {
        top = format!("{top} · ▲ {}: {}", bin.label(), bin.count);
    }
    fit(&[(top.as_str(), theme.dim())], width, false).render(super::row(area, 0), buf);
    if timeline.bins.is_empty() || area.height < 3 {
        return;
    }
    let peak = timeline.peak().max(1);
    let axis = peak.to_string();
    let gutter = u16::try_from(axis.len() + 1).unwrap_or(area.width);
    let chart = Rect {
        x: area.x + gutter,
        y: area.y + 1,
        width: area.width.saturating_sub(gutter),
        height: area.height - 2,
    };
    // The count axis: the peak at the top, 0 on the period axis below.
    buf.set_string(area.x, chart.y, &axis, theme.dim());
    buf.set_string(area.x, area.y + area.height - 1, "0", theme.dim());
    let chosen_at = chosen.unwrap_or(timeline.bins.len() - 1);
    let (first, bar_width, gap) = window(timeline.bins.len(), chart.width, chosen_at);
    let fits = usize::from((chart.width / (bar_width + gap)).max(1));
    let shown = &timeline.bins[first..(first + fits).min(timeline.bins.len())];
    let bars: Vec<Bar> = shown
        .iter()
        .enumerate()
        .map(|(at, bin)| {
            let style = if chosen == Some(first + at) {
                theme.key()
            } else {
                theme.normal()
            };
            Bar::default()
                .value(u64::try_from(bin.count).unwrap_or(u64::MAX))
                .text_value(String::new())
                .style(style)
        })
        .collect();
    BarChart::default()
        .data(ratatui::widgets::BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(gap)
        .max(u64::try_from(peak).unwrap_or(u64::MAX))
        .render(chart, buf);
    // The period axis: the chosen bar's period under it, marked `▲`, and
    // the first and last periods shown where they do not run into it.
    let axis_row = area.y + area.height - 1;
    let step = bar_width + gap;
    let right = area.x + area.width;
    let mut taken: Option<(u16, u16)> = None;
    if let Some(at) = chosen.filter(|at| (first..first + shown.len()).contains(at)) {
        let x = chart.x + u16::try_from(at - first).unwrap_or(0) * step;
        let period = timeline.bins[at].label();
        let label_width = u16::try_from(period.len() + 1).unwrap_or(0);
        // The label starts at the marker when it fits, else ends there.
        let (start, text) = if x + label_width <= right {
            (x, format!("▲{period}"))
        } else {
            (x.saturating_sub(label_width - 1), format!("{period}▲"))
        };
        if start + label_width <= right {
            buf.set_string(start, axis_row, &text, theme.key());
            taken = Some((start, start + label_width));
        }
    }
    let free = |from: u16, to: u16| taken.is_none_or(|(a, b)| to < a || from > b);
    if let (Some(head), Some(tail)) = (shown.first(), shown.last()) {
        let head_label = head.label();
        let head_end = chart.x + u16::try_from(head_label.len()).unwrap_or(0);
        if free(chart.x, head_end) {
            buf.set_string(chart.x, axis_row, &head_label, theme.dim());
        }
        let tail_label = tail.label();
        let tail_width = u16::try_from(tail_label.len()).unwrap_or(0);
        let tail_start = right.saturating_sub(tail_width);
        if shown.len() > 1 && tail_start > head_end + 1 && free(tail_start, right) {
            buf.set_string(tail_start, axis_row, &tail_label, theme.dim());
        }
    }
}

/// The list's timeline pane: a rule naming it, then the chart (or that it
/// is being computed).
pub(super) fn render_pane(
    screen: &Screen,
    pane: &TimelinePane,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = screen.theme;
    let title = if focused {
        "── Timeline of the list · choosing a bar "
    } else {
        "── Timeline of the list "
    };
    let rule = format!("{title}{}", "─".repeat(usize::from(area.width)));
    let style = if focused { theme.key() } else { theme.dim() };
    fit(&[(rule.as_str(), style)], usize::from(area.width), false).render(super::row(area, 0), buf);
    let chart = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    match &pane.result {
        Pending::Computing(_) => {
            fit(
                &[("computing…", theme.dim())],
                usize::from(area.width),
                false,
            )
            .render(super::row(chart, 0), buf);
        }
        Pending::Done(timeline) => render_chart(screen, timeline, Some(pane.bar), chart, buf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_bar_is_always_shown() {
        assert_eq!(window(18, 76, 17), (0, 3, 1));
        assert_eq!(window(36, 20, 0), (0, 1, 0));
        assert_eq!(window(36, 20, 35), (16, 1, 0));
        assert_eq!(window(1, 76, 0), (0, 7, 1));
    }
}
