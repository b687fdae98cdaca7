//! A signatory's page: the office and every name it was signed under, the
//! statements signed (newest first), their timeline, and the co-signers
//! ranked by how often they signed together; and the comparison of two
//! statements' signatories. Archive text is cleaned before it is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::text::fit;
use super::{Screen, row};
use crate::keymap::{Action, Context};
use crate::sanitize::clean_line;
use crate::signatories::browse::PageAnswer;
use crate::state::{CompareView, PagePane, Pending, SignatoryPage};

/// Rows a chart needs to read: a caption, three rows of bars, the axis.
const CHART_ROWS: u16 = 5;

pub(super) fn render(screen: &Screen, page: &SignatoryPage, area: Rect, buf: &mut Buffer) {
    let theme = screen.theme;
    let width = usize::from(area.width);
    let found = match &page.result {
        Pending::Done(Some(found)) => Some(found),
        Pending::Done(None) | Pending::Computing(_) => None,
    };
    let label = found.map_or(page.asked.as_str(), |found| found.label.as_str());
    let count = found.map_or(String::new(), |found| {
        format!("{} signed ", found.statements.len())
    });
    let label = short_label(label, width.saturating_sub(count.len() + 2));
    screen.bar(&format!(" {label}"), &count, row(area, 0), buf);
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(3),
        ..area
    };
    match (&page.result, found) {
        (Pending::Computing(_), _) => {
            fit(&[("computing…", theme.dim())], width, false).render(row(body, 0), buf);
        }
        (Pending::Done(_), None) => {
            let text = format!(
                "no signatory in the archive matches {}",
                clean_line(&page.asked)
            );
            fit(&[(text.as_str(), theme.warning())], width, false).render(row(body, 0), buf);
        }
        (Pending::Done(_), Some(found)) => render_found(screen, page, found, body, buf),
    }
    screen.status_line(
        fit(&[("", theme.dim())], width, false),
        row(area, area.height - 2),
        buf,
    );
    screen.hints(
        Context::Signatory,
        &[
            Action::Open,
            Action::SwitchPane,
            Action::Back,
            Action::Down,
            Action::Help,
        ],
        row(area, area.height - 1),
        buf,
    );
}

/// The page's parts, top to bottom, each given rows by what the height
/// allows: the names, the statements, the timeline (a chart when there is
/// room, else one line), the co-signers.
fn render_found(
    screen: &Screen,
    page: &SignatoryPage,
    found: &PageAnswer,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = screen.theme;
    let width = usize::from(area.width);
    let mut y = 0;
    if !found.names.is_empty() {
        let names: Vec<String> = found
            .names
            .iter()
            .map(|name| clean_line(name).into_owned())
            .collect();
        let names = names.join(", ");
        fit(
            &[
                ("Signed as: ", theme.label()),
                (names.as_str(), theme.normal()),
            ],
            width,
            false,
        )
        .render(row(area, y), buf);
        y += 1;
    }
    let left = area.height.saturating_sub(y);
    let chart = if left >= 16 { CHART_ROWS } else { 1 };
    // Three headings and the timeline; the rest split between the lists.
    let lists = left.saturating_sub(chart + 3);
    let statement_rows = lists.div_ceil(2).max(1);
    let cosigner_rows = lists.saturating_sub(statement_rows).max(1);

    let heading = |text: String, focused: bool| {
        let style = if focused {
            theme.heading()
        } else {
            theme.label()
        };
        let marker = if focused { "▸ " } else { "  " };
        fit(&[(marker, style), (text.as_str(), style)], width, false)
    };
    let on_statements = page.pane == PagePane::Statements;
    heading(
        format!(
            "Statements signed, newest first ({})",
            found.statements.len()
        ),
        on_statements,
    )
    .render(row(area, y), buf);
    y += 1;
    let first = page
        .cursor
        .saturating_sub(usize::from(statement_rows).saturating_sub(1));
    for (at, &statement) in found
        .statements
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(statement_rows))
    {
        let Some(statement) = screen.state.catalog.statements.get(statement) else {
            continue;
        };
        let date = statement.published.date().to_string();
        let title = clean_line(&statement.title);
        let chosen = on_statements && at == page.cursor;
        let style = if chosen {
            theme.selection()
        } else {
            theme.normal()
        };
        let marker = if chosen { "▌" } else { " " };
        fit(
            &[
                (marker, theme.key()),
                (date.as_str(), style.patch(theme.dim())),
                ("  ", style),
                (title.as_ref(), style),
            ],
            width,
            chosen,
        )
        .render(row(area, y), buf);
        y += 1;
    }
    // The timeline stays in its place however few statements there are.
    y = u16::from(!found.names.is_empty()) + 1 + statement_rows;

    if chart == 1 {
        let text = format!("Timeline: {}", timeline_line(&found.timeline));
        fit(&[(text.as_str(), theme.normal())], width, false).render(row(area, y), buf);
        y += 1;
    } else {
        let chart_area = Rect {
            y: area.y + y,
            height: chart.min(area.height.saturating_sub(y)),
            ..area
        };
        super::timeline::render_chart(screen, &found.timeline, None, chart_area, buf);
        y += chart;
    }

    heading(
        format!(
            "Signed with them, most often first ({})",
            found.cosigners.len()
        ),
        !on_statements,
    )
    .render(row(area, y.min(area.height.saturating_sub(1))), buf);
    y += 1;
    let first = page
        .cosigner
        .saturating_sub(usize::from(cosigner_rows).saturating_sub(1));
    for (at, cosigner) in found
        .cosigners
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(area.height.saturating_sub(y)))
    {
        let chosen = !on_statements && at == page.cosigner;
        let style = if chosen {
            theme.selection()
        } else {
            theme.normal()
        };
        let share = (cosigner.share * 100.0).round();
        let numbers = format!("{:>4} {share:>4}%  ", cosigner.together);
        let marker = if chosen { "▌" } else { " " };
        let label = short_label(&cosigner.label, width.saturating_sub(numbers.len() + 1));
        fit(
            &[
                (marker, theme.key()),
                (numbers.as_str(), style),
                (label.as_str(), style),
            ],
            width,
            chosen,
        )
        .render(row(area, y), buf);
        y += 1;
    }
}

/// An office's label in `room` columns, cut in the middle so its seat
/// stays: "Minister of Foreign Affairs, Canada" in 24 becomes "Minister of
/// For…, Canada", since the seat is what tells offices apart.
fn short_label(label: &str, room: usize) -> String {
    let label = clean_line(label);
    if super::text::width(&label) <= room {
        return label.into_owned();
    }
    let Some((office, seat)) = label.rsplit_once(", ") else {
        return label.into_owned();
    };
    let keep = room.saturating_sub(super::text::width(seat) + 3);
    if keep < 4 {
        return seat.to_owned();
    }
    let mut head = String::new();
    for c in office.chars() {
        let mut one = [0; 4];
        if super::text::width(&head) + super::text::width(c.encode_utf8(&mut one)) > keep {
            break;
        }
        head.push(c);
    }
    format!("{}…, {seat}", head.trim_end())
}

/// A timeline in one line, for small screens: "per month 2023-04 to
/// 2024-09, most 2 (2024-01)".
fn timeline_line(timeline: &crate::signatories::Timeline) -> String {
    let each = match timeline.period {
        crate::signatories::Period::Month => "per month",
        crate::signatories::Period::Year => "per year",
    };
    let busiest = timeline.bins.iter().max_by_key(|bin| bin.count);
    match (timeline.bins.first(), timeline.bins.last(), busiest) {
        (Some(first), Some(last), Some(busiest)) => format!(
            "{each} {} to {}, most {} ({})",
            first.label(),
            last.label(),
            busiest.count,
            busiest.label()
        ),
        _ => "none".to_owned(),
    }
}

/// Two statements' signatories compared: which two, who only signed one,
/// who is new, the usual co-signers missing, and who signed both.
pub(super) fn render_compare(screen: &Screen, view: &CompareView, area: Rect, buf: &mut Buffer) {
    let theme = screen.theme;
    let width = usize::from(area.width);
    screen.bar(" Signatories compared", "", row(area, 0), buf);
    let lines: Vec<(String, Style)> = match &view.result {
        Pending::Computing(_) => vec![("computing…".to_owned(), theme.dim())],
        Pending::Done(None) => vec![(
            "nothing to compare with: no earlier statement matches the query".to_owned(),
            theme.warning(),
        )],
        Pending::Done(Some(found)) => {
            let mut lines = Vec::new();
            let statements = &screen.state.catalog.statements;
            for (which, at) in [("Earlier: ", found.earlier), ("Later:   ", found.later)] {
                if let Some(statement) = statements.get(at) {
                    lines.push((
                        format!(
                            "{which}{}  {}",
                            statement.published.date(),
                            clean_line(&statement.title)
                        ),
                        theme.normal(),
                    ));
                }
            }
            let missing = if found.missing.is_empty() {
                "none".to_owned()
            } else {
                found
                    .missing
                    .iter()
                    .map(|label| clean_line(label).into_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            lines.push((
                format!("usual co-signers missing: {missing}"),
                theme.label(),
            ));
            for (title, labels) in [
                ("Only the earlier", &found.only_earlier),
                ("New in the later", &found.only_later),
                ("Signed both", &found.both),
            ] {
                lines.push((format!("{title} ({})", labels.len()), theme.heading()));
                for label in labels {
                    let label = short_label(label, width.saturating_sub(2));
                    lines.push((format!("  {label}"), theme.normal()));
                }
            }
            lines
        }
    };
    let rows = usize::from(area.height.saturating_sub(3));
    let scroll = view.scroll.min(lines.len().saturating_sub(rows));
    for (y, (text, style)) in lines.iter().skip(scroll).take(rows).enumerate() {
        let y = u16::try_from(y + 1).unwrap_or(0);
        fit(&[(text.as_str(), *style)], width, false).render(row(area, y), buf);
    }
    let progress = if lines.len() > rows {
        format!(
            "lines {}–{} of {}",
            scroll + 1,
            (scroll + rows).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    screen.status_line(
        fit(&[(progress.as_str(), theme.dim())], width, false),
        row(area, area.height - 2),
        buf,
    );
    screen.hints(
        Context::Compare,
        &[Action::Down, Action::Back, Action::Help],
        row(area, area.height - 1),
        buf,
    );
}

#[cfg(test)]
mod tests {
    use super::short_label;

    #[test]
    fn a_long_label_keeps_its_seat() {
        let label = "Minister of Foreign Affairs, Canada";
        assert_eq!(short_label(label, 40), label);
        assert_eq!(short_label(label, 24), "Minister of For…, Canada");
        assert_eq!(short_label(label, 10), "Canada");
        assert_eq!(short_label("Jane Doe", 4), "Jane Doe");
    }
}
