//! The user's config file: key bindings, colours, list columns, the default
//! sort, paths and the archive's time zone. Reading it never fails: whatever is wrong is reported as
//! `path:line:col: message` and left at its default, so the browser always
//! starts.

mod bindings;
mod default_text;
mod file;
mod key_names;
mod lines;
mod list;
mod palette;
mod repair;
mod source;

use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

pub use bindings::{action_name, actions};
pub use default_text::default_config_text;
pub use file::MAX_BYTES as MAX_CONFIG_BYTES;
pub use key_names::{UnknownKey, key_name};
pub use list::Column;
pub use palette::{Palette, ThemeChoice};

use crate::keymap::Keymap;
use crate::state::Sort;
use crate::ui::Theme;
use source::{Entry, Source};

/// Everything a config file can set, defaults where it says nothing.
#[derive(Debug, Clone)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: ThemeChoice,
    /// The chosen theme's colours with the file's changes.
    pub palette: Palette,
    pub columns: Vec<Column>,
    /// `None`: newest first, or by relevance while a query has fuzzy words.
    pub default_sort: Option<Sort>,
    pub archive: Option<PathBuf>,
    pub state: Option<PathBuf>,
    /// `[archive] time_zone`: the zone the archive's dates are read in.
    pub time_zone: Option<chrono_tz::Tz>,
    /// `[archive] reflow`: join the hard-wrapped lines of every plain body
    /// into paragraphs.
    pub reflow: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keymap: Keymap::default(),
            theme: ThemeChoice::default(),
            palette: Palette::default(),
            columns: Column::DEFAULT.to_vec(),
            default_sort: None,
            archive: None,
            state: None,
            time_zone: None,
            reflow: false,
        }
    }
}

/// Something wrong in a config file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

const SECTIONS: [&str; 5] = ["keys", "theme", "list", "paths", "archive"];

impl Config {
    /// Reads a config file. A missing file is the defaults; an unreadable
    /// one, or one that is not a regular file of at most
    /// [`MAX_CONFIG_BYTES`], is the defaults and a problem; in a readable one every good
    /// setting is kept and every bad one reported and left at its default.
    #[must_use]
    pub fn load(path: &Path) -> (Self, Vec<ConfigProblem>) {
        match file::read(path) {
            Ok(Some(text)) => Self::parse(path, &text),
            Ok(None) => (Self::default(), vec![]),
            Err(message) => {
                let problem = ConfigProblem {
                    path: path.to_path_buf(),
                    line: 1,
                    column: 1,
                    message,
                };
                (Self::default(), vec![problem])
            }
        }
    }

    /// Reads config text; `path` names it in problems and anchors relative
    /// paths.
    #[must_use]
    pub fn parse(path: &Path, text: &str) -> (Self, Vec<ConfigProblem>) {
        let repaired = repair::repair(text);
        let mut source = Source::new(path, &repaired.text);
        for (line, column, message) in repaired.problems {
            source.problem_at(line, column, message);
        }
        // The repaired text parses cleanly, so there are no errors left here.
        let (document, _) = DeTable::parse_recoverable(&repaired.text);
        let mut config = Self::default();
        for Entry { name, span, value } in Source::entries(document.get_ref()) {
            if !SECTIONS.contains(&name) {
                source.unknown(span, "section", name, "", &SECTIONS);
                continue;
            }
            let Some(table) = source.table(value, &format!("[{name}]")) else {
                continue;
            };
            match name {
                "keys" => config.keymap = bindings::read(&mut source, table),
                "theme" => (config.theme, config.palette) = palette::read(&mut source, table),
                "list" => {
                    let settings = list::read(&mut source, table);
                    config.columns = settings.columns.unwrap_or(config.columns);
                    config.default_sort = settings.sort;
                }
                "archive" => config.read_archive(&mut source, table),
                _ => config.read_paths(&mut source, table),
            }
        }
        (config, source.into_problems())
    }

    /// The theme to draw with: no colour when `NO_COLOR` is set (which
    /// `no_color` carries) or the file chose `none`.
    #[must_use]
    pub fn theme(&self, no_color: bool) -> Theme {
        Theme {
            color: !no_color && self.theme != ThemeChoice::None,
            palette: self.palette,
        }
    }

    fn read_paths(&mut self, source: &mut Source, table: &DeTable) {
        for Entry { name, span, value } in Source::entries(table) {
            let what = format!("`{name}` in [paths]");
            let slot = match name {
                "archive" => &mut self.archive,
                "state" => &mut self.state,
                other => {
                    source.unknown(span, "key", other, "in [paths]", &["archive", "state"]);
                    continue;
                }
            };
            if let Some(text) = source.string(value, &what) {
                *slot = Some(resolve(source.path, text));
            }
        }
    }
}

impl Config {
    fn read_archive(&mut self, source: &mut Source, table: &DeTable) {
        for Entry { name, span, value } in Source::entries(table) {
            if name == "reflow" {
                if let Some(flag) = source.boolean(value, "`reflow` in [archive]") {
                    self.reflow = flag;
                }
                continue;
            }
            if name != "time_zone" {
                source.unknown(span, "key", name, "in [archive]", &["time_zone", "reflow"]);
                continue;
            }
            let Some(text) = source.string(value, "`time_zone` in [archive]") else {
                continue;
            };
            match text.parse::<chrono_tz::Tz>() {
                Ok(zone) => self.time_zone = Some(zone),
                Err(_) => source.problem(
                    value.span(),
                    format!(
                        "`time_zone` in [archive]: unknown time zone {text:?}; \
                         expected an IANA name such as \"Europe/London\" or \"UTC\""
                    ),
                ),
            }
        }
    }
}

/// A path as written in the file, a relative one taken from the config
/// file's folder (not wherever the browser happens to be started). One
/// starting with `~` is kept as written: the settings put `$HOME` there, so
/// reading the file needs no environment.
fn resolve(config_path: &Path, text: &str) -> PathBuf {
    let path = PathBuf::from(text);
    match config_path.parent() {
        // A database address is not a path.
        _ if crate::store::postgres_url(&path).is_some() => path,
        Some(folder) if path.is_relative() && !path.starts_with("~") => folder.join(path),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_from_the_config_folder_and_home_is_left_for_the_settings() {
        let config = Path::new("/etc/communique/config.toml");
        assert_eq!(resolve(config, "~/a"), PathBuf::from("~/a"));
        assert_eq!(resolve(config, "~"), PathBuf::from("~"));
        assert_eq!(
            resolve(config, "data"),
            PathBuf::from("/etc/communique/data")
        );
        assert_eq!(resolve(config, "/srv/s"), PathBuf::from("/srv/s"));
    }

    #[test]
    fn a_database_address_is_kept_as_written() {
        let config = Path::new("/etc/communique/config.toml");
        for url in [
            "postgres://alice@db.example/triage?sslmode=verify-full",
            "postgresql:///triage?host=/run/postgresql",
        ] {
            assert_eq!(resolve(config, url), PathBuf::from(url));
        }
    }
}
