//! Every setting, resolved once for the browser and every headless command.
//!
//! Two phases, as ripgrep does it: clap parses the command line alone
//! ([`Cli`], no environment), then [`Settings::resolve`] combines it with the
//! environment and the configuration file. Each setting is taken from the
//! first source that gives it, in this order: the command line, the
//! environment, the configuration file, the default. Restricted mode (a
//! forced SSH command) narrows that for paths: only the command line, else
//! the default under `$HOME`, because a user may be able to pass variables
//! over SSH and write a configuration file. The environment is handed in as
//! an [`Env`], never read inside, so every rule is a unit test.

mod env;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use env::Env;

use crate::cli::Cli;
use crate::config::{Column, Config, ConfigProblem};
use crate::keymap::Keymap;
use crate::state::Sort;
use crate::ui::Theme;

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    CommandLine,
    /// The environment variable named.
    Environment(&'static str),
    ConfigFile,
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CommandLine => write!(f, "command line"),
            Self::Environment(name) => write!(f, "${name}"),
            Self::ConfigFile => write!(f, "configuration file"),
            Self::Default => write!(f, "default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Chosen<T> {
    fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }
}

/// Everything the browser and the headless commands are configured by.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Restricted mode: `--restricted` or `$COMMUNIQUE_RESTRICTED` (any
    /// value); nothing turns it off.
    pub restricted: Chosen<bool>,
    /// The configuration file to read, if any.
    pub config_file: Option<Chosen<PathBuf>>,
    pub archive: Chosen<PathBuf>,
    /// The triage state file; an error says why there is none (restricted
    /// mode with neither `--state` nor `$HOME`).
    pub state: Result<Chosen<PathBuf>, String>,
    /// The cache folder (`None`: nothing is kept between runs).
    pub cache: Option<Chosen<PathBuf>>,
    /// How archive files are read (`--follow-links`, `--max-record-size`,
    /// and `[archive] time_zone`); an error when restricted mode refuses
    /// what was asked.
    pub read_policy: Result<crate::loader::ReadPolicy, String>,
    pub mouse: bool,
    pub poll: bool,
    /// The configured theme, without colour when `$NO_COLOR` is set.
    pub theme: Theme,
    /// `None`: newest first, or by relevance while a query has fuzzy words.
    pub sort: Option<Sort>,
    pub columns: Vec<Column>,
    pub keymap: Keymap,
    /// What is wrong in the configuration file, and settings it gave that
    /// were not used; each is worth a line to the user.
    pub problems: Vec<String>,
}

/// The variables the settings read; [`Env::from_process`] takes only these.
pub const VARIABLES: [&str; 8] = [
    ARCHIVE_VAR,
    STATE_VAR,
    RESTRICTED_VAR,
    "NO_COLOR",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
];
const ARCHIVE_VAR: &str = "COMMUNIQUE_ARCHIVE";
const STATE_VAR: &str = "COMMUNIQUE_STATE";
const RESTRICTED_VAR: &str = "COMMUNIQUE_RESTRICTED";

impl Settings {
    /// Reads the configuration file the command line and environment point
    /// to (the one piece of I/O), then resolves.
    #[must_use]
    pub fn load(cli: &Cli, env: &Env) -> Self {
        let (config, problems) = Self::config_file(cli, env)
            .map(|file| Config::load(&file.value))
            .unwrap_or_default();
        let mut settings = Self::resolve(cli, env, &config);
        let ignored = std::mem::take(&mut settings.problems);
        settings.problems = problems.iter().map(ConfigProblem::to_string).collect();
        settings.problems.extend(ignored);
        settings
    }

    /// The settings from the command line, the environment and the
    /// configuration already read (the defaults when there is none). Pure.
    #[must_use]
    pub fn resolve(cli: &Cli, env: &Env, config: &Config) -> Self {
        let restricted = Self::restricted(cli, env);
        let config_file = Self::config_file(cli, env);
        Self {
            problems: unused_paths(config, config_file.as_ref(), restricted.value, env),
            archive: Self::archive(cli, env, config, restricted.value),
            state: Self::state(cli, env, config, restricted.value),
            cache: Self::cache(cli, env, restricted.value),
            read_policy: cli
                .read_policy(restricted.value)
                .map(|policy| crate::loader::ReadPolicy {
                    time_zone: config.time_zone,
                    reflow: config.reflow,
                    ..policy
                })
                .map_err(|err| err.to_string()),
            config_file,
            restricted,
            mouse: cli.mouse,
            poll: cli.poll,
            theme: config.theme(env.non_empty("NO_COLOR").is_some()),
            sort: config.default_sort,
            columns: config.columns.clone(),
            keymap: config.keymap.clone(),
        }
    }

    /// Restricted mode is on when the flag or the variable (any value,
    /// even empty or `0`) says so.
    #[must_use]
    pub fn restricted(cli: &Cli, env: &Env) -> Chosen<bool> {
        if cli.restricted {
            Chosen::new(true, Origin::CommandLine)
        } else if env.get(RESTRICTED_VAR).is_some() {
            Chosen::new(true, Origin::Environment(RESTRICTED_VAR))
        } else {
            Chosen::new(false, Origin::Default)
        }
    }

    /// `--config`; else, outside restricted mode,
    /// `$XDG_CONFIG_HOME/communique/config.toml` (an absolute one), else
    /// `$HOME/.config/communique/config.toml`; else none.
    #[must_use]
    pub fn config_file(cli: &Cli, env: &Env) -> Option<Chosen<PathBuf>> {
        if let Some(path) = &cli.config {
            return Some(Chosen::new(path.clone(), Origin::CommandLine));
        }
        if Self::restricted(cli, env).value {
            return None;
        }
        let (base, origin) = xdg_base(env, "XDG_CONFIG_HOME", ".config")?;
        Some(Chosen::new(base.join("communique/config.toml"), origin))
    }

    fn archive(cli: &Cli, env: &Env, config: &Config, restricted: bool) -> Chosen<PathBuf> {
        if let Some(path) = &cli.archive {
            return Chosen::new(path.clone(), Origin::CommandLine);
        }
        if !restricted {
            if let Some(path) = env.non_empty(ARCHIVE_VAR) {
                return Chosen::new(path.into(), Origin::Environment(ARCHIVE_VAR));
            }
            if let Some(path) = &config.archive {
                return Chosen::new(expand_home(path, env), Origin::ConfigFile);
            }
        }
        Chosen::new(PathBuf::from("archive"), Origin::Default)
    }

    /// `--cache`; else, unless restricted (where only the command line
    /// may have anything written), `$XDG_CACHE_HOME/communique` or
    /// `~/.cache/communique`.
    fn cache(cli: &Cli, env: &Env, restricted: bool) -> Option<Chosen<PathBuf>> {
        if let Some(path) = &cli.cache {
            return Some(Chosen::new(path.clone(), Origin::CommandLine));
        }
        if restricted {
            return None;
        }
        let (base, origin) = xdg_base(env, "XDG_CACHE_HOME", ".cache")?;
        Some(Chosen::new(base.join("communique"), origin))
    }

    fn state(
        cli: &Cli,
        env: &Env,
        config: &Config,
        restricted: bool,
    ) -> Result<Chosen<PathBuf>, String> {
        if let Some(path) = &cli.state {
            return Ok(Chosen::new(path.clone(), Origin::CommandLine));
        }
        let tail = "communique/triage.db";
        if restricted {
            // $XDG_STATE_HOME is not asked: the home directory is the one
            // sshd sets from the password database.
            return match env.non_empty("HOME") {
                Some(home) => Ok(Chosen::new(
                    Path::new(home).join(".local/state").join(tail),
                    Origin::Default,
                )),
                None => Err("restricted mode: give the state file with --state PATH".into()),
            };
        }
        if let Some(path) = env.non_empty(STATE_VAR) {
            return Ok(Chosen::new(path.into(), Origin::Environment(STATE_VAR)));
        }
        if let Some(path) = &config.state {
            return Ok(Chosen::new(expand_home(path, env), Origin::ConfigFile));
        }
        // With no home either, the working folder (as the store always did).
        let (base, origin) = xdg_base(env, "XDG_STATE_HOME", ".local/state")
            .unwrap_or((PathBuf::new(), Origin::Default));
        Ok(Chosen::new(base.join(tail), origin))
    }
}

/// `$XDG_…` when it is absolute (the XDG spec says a relative one is to be
/// ignored), else `$HOME/<under_home>`.
fn xdg_base(env: &Env, variable: &'static str, under_home: &str) -> Option<(PathBuf, Origin)> {
    let xdg = env
        .non_empty(variable)
        .map(PathBuf::from)
        .filter(|path| path.is_absolute());
    match xdg {
        Some(path) => Some((path, Origin::Environment(variable))),
        None => Some((
            Path::new(env.non_empty("HOME")?).join(under_home),
            Origin::Default,
        )),
    }
}

/// A configured path with a leading `~` taken as `$HOME` (the file keeps it
/// as written, so reading it needs no environment).
fn expand_home(path: &Path, env: &Env) -> PathBuf {
    let (Ok(rest), Some(home)) = (path.strip_prefix("~"), env.non_empty("HOME")) else {
        return path.to_path_buf();
    };
    Path::new(home).join(rest)
}

/// `[paths]` settings the file gives that cannot be used: any, in
/// restricted mode; one starting with `~` when there is no home folder.
fn unused_paths(
    config: &Config,
    file: Option<&Chosen<PathBuf>>,
    restricted: bool,
    env: &Env,
) -> Vec<String> {
    let file = file.map_or_else(
        || "configuration".into(),
        |file| file.value.display().to_string(),
    );
    let mut problems = Vec::new();
    for (key, given) in [("archive", &config.archive), ("state", &config.state)] {
        let Some(path) = given else { continue };
        if restricted {
            problems.push(format!(
                "{file}: `{key}` in [paths] is not used in restricted mode; only --{key} chooses it"
            ));
        } else if path.starts_with("~") && env.non_empty("HOME").is_none() {
            problems.push(format!(
                "{file}: `{key}` in [paths] starts with ~ but $HOME is not set"
            ));
        }
    }
    problems
}
