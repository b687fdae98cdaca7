//! Drawing. [`Screen`] is a widget over an immutable [`State`]: each view is a
//! function from state to cells, and nothing here changes the state.

mod contacts;
mod detail;
mod filter;
mod help;
mod list;
pub mod note;
mod signatory;
pub mod text;
pub mod theme;
mod timeline;
pub mod triage;
pub mod wide;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub use theme::Theme;

use crate::keymap::{Action, Context};
use crate::state::{MIN_SIZE, State, View};
use text::fit;

/// The whole screen for a state.
#[derive(Debug, Clone, Copy)]
pub struct Screen<'a> {
    pub state: &'a State,
    pub theme: Theme,
}

impl Widget for Screen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            let full = format!("terminal too small: {}×{} needed", MIN_SIZE.0, MIN_SIZE.1);
            let notice = ["terminal too small", "too small", "small"]
                .into_iter()
                .map(str::to_owned)
                .chain(std::iter::once(full.clone()))
                .filter(|text| text::width(text) <= usize::from(area.width))
                .max_by_key(|text| text.len())
                .unwrap_or(full);
            if area.height > 0 {
                let line = fit(
                    &[(notice.as_str(), self.theme.warning())],
                    usize::from(area.width),
                    false,
                );
                line.render(Rect { height: 1, ..area }, buf);
            }
            return;
        }
        buf.set_style(area, self.theme.normal());
        self.render_view(&self.state.view, area, buf);
        // Where the status row is a line being typed (search, find, a
        // filter's value, a tag) or under the help box, what just happened
        // (a paste cut short, Ctrl-z in restricted mode) shows in place of
        // the hints.
        if let Some(status) = &self.state.status
            && matches!(self.state.context(), Context::Input | Context::Help)
        {
            self.message_growing_up(status, row(area, area.height - 1), buf);
        }
    }
}

impl Screen<'_> {
    fn render_view(&self, view: &View, area: Rect, buf: &mut Buffer) {
        match view {
            View::List | View::Search(_) | View::Timeline => list::render(self, area, buf),
            View::Signatory(page) => signatory::render(self, page, area, buf),
            View::Compare(compare) => signatory::render_compare(self, compare, area, buf),
            View::Detail(detail) => detail::render(self, detail, area, buf),
            View::Filter(panel) => filter::render(self, panel, area, buf),
            View::Help(help) => {
                self.render_view(&help.under, area, buf);
                help::render(self, help, area, buf);
            }
            View::Prompt(prompt) => triage::render_prompt(self, prompt, area, buf),
            View::Note(editor) => note::render_note(self, editor, area, buf),
            View::Conflict(conflict) => note::render_conflict(self, conflict, area, buf),
            View::Picker(picker) => triage::render_picker(self, picker, area, buf),
            View::Problems(scroll) => self.render_problems(*scroll, area, buf),
            View::Contacts(view) => contacts::render(self, view, area, buf),
            View::Alone(alone) => contacts::render_alone(self, alone, area, buf),
        }
    }

    /// The problems panel: each problem as `communique check` prints it.
    fn render_problems(&self, scroll: usize, area: Rect, buf: &mut Buffer) {
        let state = self.state;
        let title = format!(
            " Problems in the archive: {}",
            state.catalog.problem_lines.len()
        );
        self.bar(&title, "", row(area, 0), buf);
        let rows = usize::from(area.height.saturating_sub(3));
        let width = usize::from(area.width);
        if state.catalog.problem_lines.is_empty() {
            fit(
                &[("No problems: every file loaded.", self.theme.normal())],
                width,
                false,
            )
            .render(row(area, 1), buf);
        }
        for (y, line) in state
            .catalog
            .problem_lines
            .iter()
            .skip(scroll)
            .take(rows)
            .enumerate()
        {
            let y = u16::try_from(y + 1).unwrap_or(0);
            fit(&[(line.as_str(), self.theme.normal())], width, false).render(row(area, y), buf);
        }
        self.status_line(
            fit(
                &[("as `communique check` reports them", self.theme.dim())],
                width,
                false,
            ),
            row(area, area.height - 2),
            buf,
        );
        self.hints(
            Context::Problems,
            &[Action::Down, Action::Reload, Action::Back],
            row(area, area.height - 1),
            buf,
        );
    }

    /// A one-line bar: text on the left, text on the right, in the bar style.
    fn bar(&self, left: &str, right: &str, area: Rect, buf: &mut Buffer) {
        let style = self.theme.bar();
        buf.set_style(area, style);
        let width = usize::from(area.width);
        let right_width = text::width(right).min(width / 2);
        let left_line = fit(
            &[(left, style)],
            width.saturating_sub(right_width + 1),
            false,
        );
        left_line.render(area, buf);
        if right_width > 0 {
            let right_line = fit(&[(right, style)], right_width, false);
            let x = area.x + area.width - u16::try_from(right_width).unwrap_or(area.width);
            right_line.render(
                Rect {
                    x,
                    width: u16::try_from(right_width).unwrap_or(0),
                    ..area
                },
                buf,
            );
        }
    }

    /// Key hints for a context, read from the keymap: "Enter open  / search".
    /// Hints that do not fit are left out whole, never cut mid-word, and
    /// "? more" (the help key) says there are more.
    fn hints(&self, context: Context, actions: &[Action], area: Rect, buf: &mut Buffer) {
        self.hint_line("", context, actions, usize::from(area.width))
            .render(area, buf);
    }

    /// The hints as [`Screen::hints`] fits them into `room` columns, after
    /// `lead` (a few words that are not keys, kept whole).
    fn hint_line(
        &self,
        lead: &str,
        context: Context,
        actions: &[Action],
        room: usize,
    ) -> text::Fitted {
        let keymap = &self.state.keymap;
        let key_of = |action: Action| {
            keymap
                .keys_for(context, action)
                .into_iter()
                .chain(keymap.keys_for(Context::Global, action))
                .next()
                .map(|key| key.label())
        };
        let hints: Vec<(String, String)> = actions
            .iter()
            .filter_map(|&action| Some((key_of(action)?, format!(" {}", action.describe()))))
            .collect();
        let lead_width = if lead.is_empty() {
            0
        } else {
            text::width(lead) + 2
        };
        let room = room.saturating_sub(lead_width);
        let hint_width = |(key, what): &(String, String)| text::width(key) + text::width(what);
        let total: usize =
            hints.iter().map(hint_width).sum::<usize>() + 2 * hints.len().saturating_sub(1);
        let mut shown = hints.len();
        let mut more = None;
        if total > room {
            let label = key_of(Action::Help).map(|key| (key, " more".to_owned()));
            let reserve = label.as_ref().map_or(0, |label| hint_width(label) + 2);
            let mut used = 0;
            shown = 0;
            for hint in &hints {
                let gap = if shown == 0 { 0 } else { 2 };
                if used + gap + hint_width(hint) + reserve > room {
                    break;
                }
                used += gap + hint_width(hint);
                shown += 1;
            }
            more = label;
        }
        let mut pieces: Vec<(String, ratatui::style::Style)> = Vec::new();
        if !lead.is_empty() {
            pieces.push((lead.to_owned(), self.theme.dim()));
        }
        for (key, what) in hints.into_iter().take(shown).chain(more) {
            if !pieces.is_empty() {
                pieces.push(("  ".into(), self.theme.dim()));
            }
            pieces.push((key, self.theme.key()));
            pieces.push((what, self.theme.dim()));
        }
        let borrowed: Vec<(&str, ratatui::style::Style)> = pieces
            .iter()
            .map(|(text, style)| (text.as_str(), *style))
            .collect();
        fit(&borrowed, room + lead_width, false)
    }

    /// A status message, if any, else `fallback`. Cleaned here, where every
    /// message is drawn: many echo a saved search's name, a typed text or an
    /// error naming a file.
    fn status_line(&self, fallback: text::Fitted, area: Rect, buf: &mut Buffer) {
        match &self.state.status {
            Some(status) => self.message_growing_up(status, area, buf),
            None => fallback.render(area, buf),
        }
    }

    /// A message on `area`'s row; one too long for it is wrapped and grows
    /// upward over what is above (never over the header row), rather than
    /// being cut.
    fn message_growing_up(&self, message: &str, area: Rect, buf: &mut Buffer) {
        // Every row above but the header, and at most half the screen.
        let most = usize::from(area.y.saturating_sub(1)).min(usize::from(buf.area.height / 2)) + 1;
        let rows = crate::document::message_rows(message, usize::from(area.width), most);
        let count = u16::try_from(rows.len()).unwrap_or(1).max(1);
        for (at, text) in rows.iter().enumerate() {
            let y = area.y + 1 - count + u16::try_from(at).unwrap_or(0);
            let line = Rect { y, ..area };
            clear_popup(line, buf);
            buf.set_style(line, self.theme.normal());
            fit(
                &[(text.as_str(), self.theme.key())],
                usize::from(area.width),
                true,
            )
            .render(line, buf);
        }
    }
}

/// Clears an area for a popup. A wide character just left of it would
/// still paint its right half over the popup's first column (ratatui's diff
/// does not know), so it is blanked too.
pub(crate) fn clear_popup(area: Rect, buf: &mut Buffer) {
    ratatui::widgets::Clear.render(area, buf);
    if area.x == 0 {
        return;
    }
    for y in area.y..area.y + area.height {
        if let Some(cell) = buf.cell_mut((area.x - 1, y))
            && text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// Rows of an area, top to bottom.
fn row(area: Rect, y: u16) -> Rect {
    Rect {
        x: area.x,
        y: area.y + y.min(area.height.saturating_sub(1)),
        width: area.width,
        height: 1,
    }
}
