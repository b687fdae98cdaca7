//! The user's config file: key bindings, colours, list columns, the default
//! sort and paths. Reading it never fails: whatever is wrong is reported as
//! `path:line:col: message` and left at its default, so the browser always
//! starts.

mod bindings;
mod default_text;
mod key_names;
mod list;
mod palette;
mod repair;
mod source;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

pub use bindings::{action_name, actions};
pub use default_text::default_config_text;
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

const SECTIONS: [&str; 4] = ["keys", "theme", "list", "paths"];

impl Config {
    /// `$XDG_CONFIG_HOME/communique/config.toml`, else
    /// `~/.config/communique/config.toml`; `None` without a home.
    #[must_use]
    pub fn path_from_env() -> Option<PathBuf> {
        path_from(
            std::env::var_os("XDG_CONFIG_HOME"),
            std::env::var_os("HOME"),
        )
    }

    /// The file to read: `--config` if given; else, outside restricted
    /// mode, the usual place. In restricted mode the environment chooses no
    /// path, so without `--config` there is no config.
    #[must_use]
    pub fn resolve_path(flag: Option<&Path>, restricted: bool) -> Option<PathBuf> {
        match flag {
            Some(path) => Some(path.to_path_buf()),
            None if restricted => None,
            None => Self::path_from_env(),
        }
    }

    /// Reads a config file. A missing file is the defaults; an unreadable
    /// one is the defaults and a problem; in a readable one every good
    /// setting is kept and every bad one reported and left at its default.
    #[must_use]
    pub fn load(path: &Path) -> (Self, Vec<ConfigProblem>) {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => (Self::default(), vec![]),
            Err(err) => {
                let problem = ConfigProblem {
                    path: path.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: format!("cannot read the config file: {err}"),
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
                _ => config.read_paths(&mut source, table),
            }
        }
        (config, source.problems)
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
                *slot = Some(resolve(source.path, text, std::env::var_os("HOME")));
            }
        }
    }
}

fn path_from(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says a relative value is to be ignored.
    let base = xdg_config_home
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| {
            home.filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })?;
    Some(base.join("communique").join("config.toml"))
}

/// A path as written in the file: `~/` is the home folder, and a relative
/// path is taken from the config file's folder (not wherever the browser
/// happens to be started).
fn resolve(config_path: &Path, text: &str, home: Option<OsString>) -> PathBuf {
    let home = home.filter(|home| !home.is_empty()).map(PathBuf::from);
    if let (Some(rest), Some(home)) = (text.strip_prefix("~/"), &home) {
        return home.join(rest);
    }
    if let (true, Some(home)) = (text == "~", &home) {
        return home.clone();
    }
    let path = PathBuf::from(text);
    match config_path.parent() {
        Some(folder) if path.is_relative() => folder.join(path),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_lives_under_xdg_config_home_else_home() {
        let expected = PathBuf::from("/x/communique/config.toml");
        assert_eq!(
            path_from(Some("/x".into()), Some("/h".into())),
            Some(expected)
        );
        let under_home = PathBuf::from("/h/.config/communique/config.toml");
        assert_eq!(path_from(None, Some("/h".into())), Some(under_home.clone()));
        assert_eq!(
            path_from(Some("rel".into()), Some("/h".into())),
            Some(under_home)
        );
        assert_eq!(path_from(None, None), None);
    }

    #[test]
    fn restricted_mode_reads_only_the_flag() {
        let flag = Path::new("/etc/communique.toml");
        assert_eq!(
            Config::resolve_path(Some(flag), true),
            Some(flag.to_path_buf())
        );
        assert_eq!(Config::resolve_path(None, true), None);
    }

    #[test]
    fn paths_are_from_home_or_the_config_folder() {
        let config = Path::new("/etc/communique/config.toml");
        let home = Some(OsString::from("/home/ann"));
        assert_eq!(
            resolve(config, "~/a", home.clone()),
            PathBuf::from("/home/ann/a")
        );
        assert_eq!(
            resolve(config, "data", home.clone()),
            PathBuf::from("/etc/communique/data")
        );
        assert_eq!(resolve(config, "/srv/s", home), PathBuf::from("/srv/s"));
    }
}
