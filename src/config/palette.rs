//! The `[theme]` table: a built-in palette (dark or light, or none for no
//! colour at all) and single colours changed by name. Only the 16 named
//! ANSI colours (and the terminal's own, `reset`), as the UI uses no others.

use ratatui::style::Color;
use toml::de::DeTable;

use super::source::{Entry, Source};

/// Which built-in palette the browser starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// For terminals with a dark background (the colours the browser has
    /// always used).
    #[default]
    Dark,
    /// For terminals with a light background: dark text, no yellow or
    /// light grey on white.
    Light,
    /// No colour at all, as with `NO_COLOR`.
    None,
}

impl ThemeChoice {
    pub const NAMES: [(&str, Self); 3] = [
        ("dark", Self::Dark),
        ("light", Self::Light),
        ("none", Self::None),
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, choice)| *choice == self)
            .map_or("dark", |(name, _)| name)
    }
}

/// The colour of each thing the theme styles. The modifiers (bold,
/// underline, reverse) stay the theme's own; only colours are configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub normal_fg: Color,
    pub normal_bg: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    pub match_fg: Color,
    pub found_fg: Color,
    pub found_bg: Color,
    pub bar_fg: Color,
    pub bar_bg: Color,
    pub title_fg: Color,
    pub heading_fg: Color,
    pub dim_fg: Color,
    pub warning_fg: Color,
    pub key_fg: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Self::dark()
    }
}

impl Palette {
    /// The colours of `ui::theme` as they were before themes.
    #[must_use]
    pub const fn dark() -> Self {
        Self {
            normal_fg: Color::Reset,
            normal_bg: Color::Reset,
            selection_fg: Color::Black,
            selection_bg: Color::Cyan,
            match_fg: Color::Yellow,
            found_fg: Color::Black,
            found_bg: Color::Yellow,
            bar_fg: Color::White,
            bar_bg: Color::Blue,
            title_fg: Color::Cyan,
            heading_fg: Color::Green,
            dim_fg: Color::DarkGray,
            warning_fg: Color::Red,
            key_fg: Color::Yellow,
        }
    }

    /// For light backgrounds: only colours dark enough to read on white
    /// (blue, magenta, red, black, dark grey), light ones only behind black.
    #[must_use]
    pub const fn light() -> Self {
        Self {
            normal_fg: Color::Reset,
            normal_bg: Color::Reset,
            selection_fg: Color::Black,
            selection_bg: Color::LightCyan,
            match_fg: Color::Magenta,
            found_fg: Color::Black,
            found_bg: Color::LightYellow,
            bar_fg: Color::White,
            bar_bg: Color::Blue,
            title_fg: Color::Blue,
            heading_fg: Color::Magenta,
            dim_fg: Color::DarkGray,
            warning_fg: Color::Red,
            key_fg: Color::Blue,
        }
    }

    #[must_use]
    pub const fn for_choice(choice: ThemeChoice) -> Self {
        match choice {
            ThemeChoice::Light => Self::light(),
            ThemeChoice::Dark | ThemeChoice::None => Self::dark(),
        }
    }
}

/// A configurable colour: its key in `[theme.colours]`, what it colours,
/// and the field it sets.
pub struct Slot {
    pub name: &'static str,
    pub about: &'static str,
    pub field: fn(&mut Palette) -> &mut Color,
}

pub const SLOTS: &[Slot] = &[
    Slot {
        name: "normal_fg",
        about: "text",
        field: |p| &mut p.normal_fg,
    },
    Slot {
        name: "normal_bg",
        about: "background",
        field: |p| &mut p.normal_bg,
    },
    Slot {
        name: "selection_fg",
        about: "the selected row's text",
        field: |p| &mut p.selection_fg,
    },
    Slot {
        name: "selection_bg",
        about: "the selected row",
        field: |p| &mut p.selection_bg,
    },
    Slot {
        name: "match_fg",
        about: "characters a search matched",
        field: |p| &mut p.match_fg,
    },
    Slot {
        name: "found_fg",
        about: "a find-in-text match's text",
        field: |p| &mut p.found_fg,
    },
    Slot {
        name: "found_bg",
        about: "a find-in-text match",
        field: |p| &mut p.found_bg,
    },
    Slot {
        name: "bar_fg",
        about: "header and footer text",
        field: |p| &mut p.bar_fg,
    },
    Slot {
        name: "bar_bg",
        about: "header and footer bars",
        field: |p| &mut p.bar_bg,
    },
    Slot {
        name: "title_fg",
        about: "titles and borders",
        field: |p| &mut p.title_fg,
    },
    Slot {
        name: "heading_fg",
        about: "headings",
        field: |p| &mut p.heading_fg,
    },
    Slot {
        name: "dim_fg",
        about: "dates, counts and hints",
        field: |p| &mut p.dim_fg,
    },
    Slot {
        name: "warning_fg",
        about: "warnings",
        field: |p| &mut p.warning_fg,
    },
    Slot {
        name: "key_fg",
        about: "key names in hints and help",
        field: |p| &mut p.key_fg,
    },
];

impl Slot {
    #[must_use]
    pub fn get(&self, palette: Palette) -> Color {
        let mut palette = palette;
        *(self.field)(&mut palette)
    }
}

/// Colour names, the printed one first for each colour.
pub const COLOURS: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("grey", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("dark-grey", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
];

/// The config name of a colour ("dark-gray").
#[must_use]
pub fn colour_name(colour: Color) -> Option<&'static str> {
    COLOURS
        .iter()
        .find(|(_, named)| *named == colour)
        .map(|(name, _)| *name)
}

/// Each colour's printed name (no aliases), for messages and the default
/// config.
#[must_use]
pub fn colour_names() -> Vec<&'static str> {
    COLOURS
        .iter()
        .filter(|(name, colour)| colour_name(*colour) == Some(*name))
        .map(|(name, _)| *name)
        .collect()
}

/// A colour by name: case, and `-`, `_` or a space between words, do not
/// matter (`Light_Blue`, `dark grey`).
fn colour_named(name: &str) -> Option<Color> {
    let name = name.to_ascii_lowercase().replace(['_', ' '], "-");
    COLOURS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, colour)| *colour)
}

/// Reads `[theme]` into the choice and its palette, each bad value
/// reported and left at its default.
pub(super) fn read(source: &mut Source, theme: &DeTable) -> (ThemeChoice, Palette) {
    let mut choice = ThemeChoice::default();
    let mut colours_table = None;
    for Entry { name, span, value } in Source::entries(theme) {
        match name {
            "name" => {
                let named =
                    source.choice(value, ("name", "theme", "in [theme]"), &ThemeChoice::NAMES);
                choice = named.unwrap_or(choice);
            }
            "colours" | "colors" => {
                colours_table = source.table(value, "[theme.colours]");
            }
            other => source.unknown(span, "key", other, "in [theme]", &["name", "colours"]),
        }
    }
    let mut palette = Palette::for_choice(choice);
    if let Some(table) = colours_table {
        read_colours(source, table, &mut palette);
    }
    (choice, palette)
}

fn read_colours(source: &mut Source, table: &DeTable, palette: &mut Palette) {
    let slot_names: Vec<&str> = SLOTS.iter().map(|slot| slot.name).collect();
    for Entry { name, span, value } in Source::entries(table) {
        let Some(slot) = SLOTS.iter().find(|slot| slot.name == name) else {
            source.unknown(span, "key", name, "in [theme.colours]", &slot_names);
            continue;
        };
        let what = format!("`{}` in [theme.colours]", slot.name);
        let Some(text) = source.string(value, &what) else {
            continue;
        };
        match colour_named(text) {
            Some(colour) => *(slot.field)(palette) = colour,
            None => {
                source.unknown(
                    value.span(),
                    "colour",
                    text,
                    &format!("for {what}"),
                    &colour_names(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_names_are_forgiving_and_round_trip() {
        assert_eq!(colour_named("Light_Blue"), Some(Color::LightBlue));
        assert_eq!(colour_named("dark grey"), Some(Color::DarkGray));
        assert_eq!(colour_named("#ff0000"), None);
        for (_, colour) in COLOURS {
            let name = colour_name(*colour).expect("every colour has a name");
            assert_eq!(colour_named(name), Some(*colour));
        }
    }

    #[test]
    fn every_slot_sets_its_own_field() {
        for slot in SLOTS {
            let mut palette = Palette::dark();
            *(slot.field)(&mut palette) = Color::LightMagenta;
            let changed = SLOTS
                .iter()
                .filter(|other| other.get(palette) == Color::LightMagenta)
                .count();
            assert_eq!(changed, 1, "{}", slot.name);
        }
    }
}
