//! Colours and text styles. Only the 16 named ANSI colours are used, so any
//! colour terminal shows them; with `NO_COLOR` no colour is ever set (crossterm
//! then writes `CSI ;m`, which would also clear reverse and bold), and the
//! selection and highlights are carried by reverse, bold and underline alone.

use ratatui::style::{Modifier, Style};

pub use crate::config::Palette;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// The colours used when `color` is on (the dark theme by default).
    pub palette: Palette,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            color: true,
            palette: Palette::dark(),
        }
    }
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty.
    #[must_use]
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Self {
            color: !no_color,
            palette: Palette::dark(),
        }
    }

    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    #[must_use]
    pub fn normal(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.normal_fg)
                .bg(self.palette.normal_bg),
            Style::new(),
        )
    }

    /// The selected row: reverse video in every mode, so it shows without colour.
    #[must_use]
    pub fn selection(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.selection_fg)
                .bg(self.palette.selection_bg)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    /// Characters a search matched.
    #[must_use]
    pub fn matched(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.match_fg)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// A find-in-text match in the detail view.
    #[must_use]
    pub fn found(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.found_fg)
                .bg(self.palette.found_bg),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    }

    /// Header and footer bars.
    #[must_use]
    pub fn bar(self) -> Style {
        self.pick(
            Style::new().fg(self.palette.bar_fg).bg(self.palette.bar_bg),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    #[must_use]
    pub fn title(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.title_fg)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    #[must_use]
    pub fn heading(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.heading_fg)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    #[must_use]
    pub fn label(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A withdrawn statement's row: dimmed (faint without colour, which
    /// terminals show without needing a colour) beside its `W` mark.
    #[must_use]
    pub fn withdrawn(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.dim_fg)
                .add_modifier(Modifier::DIM),
            Style::new().add_modifier(Modifier::DIM),
        )
    }

    /// Secondary text: dates, counts, hints.
    #[must_use]
    pub fn dim(self) -> Style {
        self.pick(Style::new().fg(self.palette.dim_fg), Style::new())
    }

    #[must_use]
    pub fn warning(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.warning_fg)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    }

    #[must_use]
    pub fn key(self) -> Style {
        self.pick(
            Style::new()
                .fg(self.palette.key_fg)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }
}
