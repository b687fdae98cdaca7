//! Every setting from every source it has, and restricted mode's rules.

use std::path::{Path, PathBuf};

use clap::Parser as _;

use super::*;
use crate::config::{Palette, ThemeChoice};
use crate::keymap::{Action, Context, Key};

const CONFIG_PATH: &str = "/etc/communique/config.toml";

fn cli(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("communique").chain(args.iter().copied()))
        .expect("arguments that parse")
}

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().copied())
}

fn config(text: &str) -> Config {
    let (config, problems) = Config::parse(Path::new(CONFIG_PATH), text);
    assert_eq!(problems, []);
    config
}

fn resolve(args: &[&str], pairs: &[(&str, &str)], text: &str) -> Settings {
    Settings::resolve(&cli(args), &env(pairs), &config(text))
}

fn chosen(path: &str, origin: Origin) -> Chosen<PathBuf> {
    Chosen::new(PathBuf::from(path), origin)
}

/// Environment variables as (name, value).
type Vars = Vec<(&'static str, &'static str)>;
/// Arguments, variables, configuration text, and the path expected.
type Case<'a> = (
    &'a [&'a str],
    &'a [(&'a str, &'a str)],
    &'a str,
    Chosen<PathBuf>,
);

const HOME: (&str, &str) = ("HOME", "/home/ann");
const PATHS: &str = "[paths]\narchive = \"/srv/configured\"\nstate = \"/srv/configured.db\"\n";

// --- The archive -----------------------------------------------------------

#[test]
fn archive_from_each_source_in_order() {
    let all = [HOME, (ARCHIVE_VAR, "/srv/env")];
    let flag = ["--archive", "/srv/flag"];
    let cases: [Case; 4] = [
        (&flag, &all, PATHS, chosen("/srv/flag", Origin::CommandLine)),
        (
            &[],
            &all,
            PATHS,
            chosen("/srv/env", Origin::Environment(ARCHIVE_VAR)),
        ),
        (
            &[],
            &[HOME],
            PATHS,
            chosen("/srv/configured", Origin::ConfigFile),
        ),
        (&[], &[HOME], "", chosen("archive", Origin::Default)),
    ];
    for (args, pairs, text, expected) in cases {
        assert_eq!(
            resolve(args, pairs, text).archive,
            expected,
            "{args:?} {pairs:?}"
        );
    }
}

#[test]
fn an_empty_archive_variable_is_not_set() {
    let settings = resolve(&[], &[(ARCHIVE_VAR, "")], PATHS);
    assert_eq!(
        settings.archive,
        chosen("/srv/configured", Origin::ConfigFile)
    );
}

#[test]
fn configured_paths_are_from_the_config_folder_or_home() {
    let text = "[paths]\narchive = \"statements\"\nstate = \"~/triage.db\"\n";
    let settings = resolve(&[], &[HOME], text);
    assert_eq!(
        settings.archive.value,
        Path::new("/etc/communique/statements")
    );
    assert_eq!(
        settings.state.map(|state| state.value),
        Ok(PathBuf::from("/home/ann/triage.db"))
    );
}

#[test]
fn a_tilde_without_home_is_kept_and_reported() {
    let settings = resolve(
        &["--config", CONFIG_PATH],
        &[],
        "[paths]\narchive = \"~/statements\"\n",
    );
    assert_eq!(settings.archive.value, Path::new("~/statements"));
    assert_eq!(
        settings.problems,
        ["/etc/communique/config.toml: `archive` in [paths] starts with ~ but $HOME is not set"]
    );
}

// --- The state file ----------------------------------------------------------

#[test]
fn state_from_each_source_in_order() {
    let all = [
        HOME,
        ("XDG_STATE_HOME", "/x/state"),
        (STATE_VAR, "/srv/env.db"),
    ];
    let flag = ["--state", "/srv/flag.db"];
    let xdg = Origin::Environment("XDG_STATE_HOME");
    let cases: [Case; 6] = [
        (
            &flag,
            &all,
            PATHS,
            chosen("/srv/flag.db", Origin::CommandLine),
        ),
        (
            &[],
            &all,
            PATHS,
            chosen("/srv/env.db", Origin::Environment(STATE_VAR)),
        ),
        (
            &[],
            &all[..2],
            PATHS,
            chosen("/srv/configured.db", Origin::ConfigFile),
        ),
        (
            &[],
            &all[..2],
            "",
            chosen("/x/state/communique/triage.db", xdg),
        ),
        (
            &[],
            &[HOME],
            "",
            chosen(
                "/home/ann/.local/state/communique/triage.db",
                Origin::Default,
            ),
        ),
        (
            &[],
            &[],
            "",
            chosen("communique/triage.db", Origin::Default),
        ),
    ];
    for (args, pairs, text, expected) in cases {
        assert_eq!(
            resolve(args, pairs, text).state,
            Ok(expected),
            "{args:?} {pairs:?} {text:?}"
        );
    }
}

#[test]
fn a_relative_xdg_state_home_is_ignored() {
    let settings = resolve(&[], &[HOME, ("XDG_STATE_HOME", "relative")], "");
    assert_eq!(
        settings.state,
        Ok(chosen(
            "/home/ann/.local/state/communique/triage.db",
            Origin::Default
        ))
    );
}

// --- The configuration file --------------------------------------------------

#[test]
fn config_file_from_each_source_in_order() {
    let all = [HOME, ("XDG_CONFIG_HOME", "/x/config")];
    let flag = ["--config", "/etc/c.toml"];
    assert_eq!(
        Settings::config_file(&cli(&flag), &env(&all)),
        Some(chosen("/etc/c.toml", Origin::CommandLine))
    );
    assert_eq!(
        Settings::config_file(&cli(&[]), &env(&all)),
        Some(chosen(
            "/x/config/communique/config.toml",
            Origin::Environment("XDG_CONFIG_HOME")
        ))
    );
    assert_eq!(
        Settings::config_file(&cli(&[]), &env(&[HOME, ("XDG_CONFIG_HOME", "rel")])),
        Some(chosen(
            "/home/ann/.config/communique/config.toml",
            Origin::Default
        ))
    );
    assert_eq!(Settings::config_file(&cli(&[]), &env(&[])), None);
}

#[test]
fn the_resolved_settings_name_the_config_file() {
    let settings = resolve(&["--config", "/etc/c.toml"], &[], "");
    assert_eq!(
        settings.config_file,
        Some(chosen("/etc/c.toml", Origin::CommandLine))
    );
}

// --- Restricted mode -----------------------------------------------------------

#[test]
fn restricted_from_the_flag_or_any_value_of_the_variable() {
    assert_eq!(
        resolve(&["--restricted"], &[], "").restricted,
        Chosen::new(true, Origin::CommandLine)
    );
    for value in ["1", "0", "", "false"] {
        assert_eq!(
            resolve(&[], &[(RESTRICTED_VAR, value)], "").restricted,
            Chosen::new(true, Origin::Environment(RESTRICTED_VAR)),
            "{value:?}"
        );
    }
    assert_eq!(
        resolve(&[], &[], "").restricted,
        Chosen::new(false, Origin::Default)
    );
}

/// Every way restricted mode is turned on, with a hostile environment.
fn restricted_ways() -> [(Vec<&'static str>, Vars); 2] {
    let hostile = vec![
        HOME,
        (ARCHIVE_VAR, "/tmp/evil"),
        (STATE_VAR, "/tmp/evil.db"),
        ("XDG_STATE_HOME", "/tmp/xdg-state"),
        ("XDG_CONFIG_HOME", "/tmp/xdg-config"),
    ];
    let mut by_variable = hostile.clone();
    by_variable.push((RESTRICTED_VAR, "1"));
    [(vec!["--restricted"], hostile), (vec![], by_variable)]
}

#[test]
fn restricted_mode_ignores_path_variables_and_configured_paths() {
    for (args, pairs) in restricted_ways() {
        let settings = resolve(&args, &pairs, PATHS);
        assert_eq!(settings.archive, chosen("archive", Origin::Default));
        assert_eq!(
            settings.state,
            Ok(chosen(
                "/home/ann/.local/state/communique/triage.db",
                Origin::Default
            ))
        );
        assert_eq!(settings.config_file, None, "XDG_CONFIG_HOME chose it");
        assert_eq!(
            settings.problems,
            [
                "configuration: `archive` in [paths] is not used in restricted mode; only --archive chooses it",
                "configuration: `state` in [paths] is not used in restricted mode; only --state chooses it",
            ],
            "{args:?}"
        );
    }
}

#[test]
fn restricted_mode_takes_paths_from_the_command_line() {
    for (mut args, pairs) in restricted_ways() {
        args.extend([
            "--archive",
            "/srv/a",
            "--state",
            "/srv/s.db",
            "--config",
            "/etc/c.toml",
        ]);
        let settings = resolve(&args, &pairs, "");
        assert_eq!(settings.archive, chosen("/srv/a", Origin::CommandLine));
        assert_eq!(settings.state, Ok(chosen("/srv/s.db", Origin::CommandLine)));
        assert_eq!(
            settings.config_file,
            Some(chosen("/etc/c.toml", Origin::CommandLine))
        );
    }
}

#[test]
fn restricted_mode_without_home_needs_the_state_flag() {
    let settings = resolve(&["--restricted"], &[(STATE_VAR, "/tmp/evil.db")], "");
    assert_eq!(
        settings.state,
        Err("restricted mode: give the state file with --state PATH".to_owned())
    );
}

// --- Browser options -------------------------------------------------------------

#[test]
fn mouse_and_poll_from_the_command_line_else_off() {
    let settings = resolve(&["--mouse", "--poll"], &[], "");
    assert!(settings.mouse && settings.poll);
    let settings = resolve(&[], &[], "");
    assert!(!settings.mouse && !settings.poll);
}

#[test]
fn theme_from_the_config_file_and_no_color() {
    let light = "[theme]\nname = \"light\"\n";
    let settings = resolve(&[], &[], light);
    assert_eq!(
        settings.theme,
        Theme {
            color: true,
            palette: Palette::light()
        }
    );
    let settings = resolve(&[], &[("NO_COLOR", "1")], light);
    assert!(!settings.theme.color, "NO_COLOR always wins");
    let settings = resolve(&[], &[("NO_COLOR", "")], "");
    assert_eq!(
        settings.theme,
        Theme::default(),
        "an empty NO_COLOR is unset"
    );
    assert!(!resolve(&[], &[], "[theme]\nname = \"none\"\n").theme.color);
    assert_eq!(config(light).theme, ThemeChoice::Light);
}

#[test]
fn sort_and_columns_from_the_config_file_else_defaults() {
    let settings = resolve(
        &[],
        &[],
        "[list]\nsort = \"title\"\ncolumns = [\"id\", \"title\"]\n",
    );
    assert_eq!(settings.sort, Some(Sort::Title));
    assert_eq!(settings.columns, [Column::Id, Column::Title]);
    let settings = resolve(&[], &[], "");
    assert_eq!(settings.sort, None);
    assert_eq!(settings.columns, Column::DEFAULT);
}

#[test]
fn keymap_from_the_config_file_else_defaults() {
    let settings = resolve(&[], &[], "[keys.list]\nup = \"j\"\n");
    assert_eq!(
        settings.keymap.action(Context::List, Key::ch('j')),
        Some(Action::Up)
    );
    let settings = resolve(&[], &[], "");
    assert_eq!(
        settings.keymap.action(Context::List, Key::ch('j')),
        Some(Action::Down)
    );
}

#[test]
fn the_process_environment_is_read_only_for_known_variables() {
    let env = Env::from_process();
    for name in ["PATH", "TERM", "EDITOR"] {
        assert_eq!(env.get(name), None, "{name}");
    }
}

// --- The archive's time zone -------------------------------------------------

#[test]
fn the_time_zone_comes_from_the_configuration_and_reaches_the_loader() {
    let zone = |settings: Settings| settings.read_policy.expect("a policy").time_zone;
    assert_eq!(zone(resolve(&[], &[HOME], "")), None);
    assert_eq!(
        zone(resolve(
            &["--max-record-size", "1M"],
            &[HOME],
            "[archive]\ntime_zone = \"America/New_York\"\n"
        )),
        Some(chrono_tz::America::New_York)
    );
    let settings = resolve(&[], &[HOME], "[archive]\ntime_zone = \"UTC\"\n");
    let policy = settings.read_policy.expect("a policy");
    assert_eq!(policy.time_zone, Some(chrono_tz::UTC));
    assert_eq!(
        policy.max_record_size,
        crate::loader::DEFAULT_MAX_RECORD_SIZE
    );
    // In restricted mode too: it changes how dates read, not what is read.
    let restricted = resolve(
        &["--restricted"],
        &[HOME],
        "[archive]\ntime_zone = \"UTC\"\n",
    );
    assert_eq!(zone(restricted), Some(chrono_tz::UTC));
}

// --- The cache folder ------------------------------------------------------

#[test]
fn cache_from_each_source_and_only_the_flag_when_restricted() {
    let flag = ["--cache", "/srv/cache"];
    let xdg = ("XDG_CACHE_HOME", "/x/cache");
    assert_eq!(
        resolve(&flag, &[HOME, xdg], "").cache,
        Some(chosen("/srv/cache", Origin::CommandLine))
    );
    assert_eq!(
        resolve(&[], &[HOME, xdg], "").cache,
        Some(chosen(
            "/x/cache/communique",
            Origin::Environment("XDG_CACHE_HOME")
        ))
    );
    assert_eq!(
        resolve(&[], &[HOME, ("XDG_CACHE_HOME", "relative")], "").cache,
        Some(chosen("/home/ann/.cache/communique", Origin::Default))
    );
    assert_eq!(resolve(&[], &[], "").cache, None);
    // Restricted: the environment is not asked; only the flag.
    let restricted = (RESTRICTED_VAR, "1");
    assert_eq!(resolve(&[], &[HOME, xdg, restricted], "").cache, None);
    assert_eq!(
        resolve(&flag, &[HOME, xdg, restricted], "").cache,
        Some(chosen("/srv/cache", Origin::CommandLine))
    );
}
