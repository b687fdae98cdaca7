//! The config file: good files, each kind of mistake reported at its line,
//! conflicting bindings, the default text reading back as the defaults, and
//! the help overlay showing a rebound key.

use std::path::{Path, PathBuf};

use communique::config::{
    Column, Config, ConfigProblem, Palette, ThemeChoice, default_config_text,
};
use communique::keymap::{Action, Context, DEFAULT_BINDINGS, Key};
use communique::state::{Sort, State};
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

const PATH: &str = "/home/ann/.config/communique/config.toml";

fn parse(text: &str) -> (Config, Vec<ConfigProblem>) {
    Config::parse(Path::new(PATH), text)
}

/// The problems as `line:col: message`, the path checked once here.
fn located(problems: &[ConfigProblem]) -> Vec<String> {
    problems
        .iter()
        .map(|problem| {
            assert_eq!(problem.path, Path::new(PATH));
            format!("{}:{}: {}", problem.line, problem.column, problem.message)
        })
        .collect()
}

#[test]
fn rebinding_j_and_k_swaps_them() {
    let (config, problems) = parse("[keys.list]\ndown = [\"k\", \"down\"]\nup = [\"j\", \"up\"]\n");
    assert_eq!(located(&problems), Vec::<String>::new());
    let keymap = &config.keymap;
    assert_eq!(keymap.action(Context::List, Key::ch('j')), Some(Action::Up));
    assert_eq!(
        keymap.action(Context::List, Key::ch('k')),
        Some(Action::Down)
    );
    assert_eq!(
        keymap.action(Context::List, Key::plain(KeyCode::Down)),
        Some(Action::Down)
    );
    // Other contexts keep their defaults.
    assert_eq!(
        keymap.action(Context::Detail, Key::ch('j')),
        Some(Action::Down)
    );
    assert_eq!(keymap.conflicts(), []);
}

#[test]
fn every_section_of_a_good_file() {
    let (config, problems) = parse(
        r#"
[keys.list]
up = "j"          # takes j from `down`, which keeps ↓
quit = ["q", "ctrl-q"]

[keys.global]
help = ["?", "f1", "ctrl-h"]

[theme]
name = "light"

[theme.colours]
selection_bg = "light-blue"
dim_fg = "Dark Grey"

[list]
columns = ["title", "date", "id"]
sort = "oldest"

[paths]
archive = "/srv/statements"
state = "triage.db"
"#,
    );
    assert_eq!(located(&problems), Vec::<String>::new());
    let keymap = &config.keymap;
    assert_eq!(keymap.action(Context::List, Key::ch('j')), Some(Action::Up));
    assert_eq!(keymap.keys_for(Context::List, Action::Up), [Key::ch('j')]);
    assert_eq!(
        keymap.keys_for(Context::List, Action::Down),
        [Key::plain(KeyCode::Down)]
    );
    assert_eq!(
        keymap.action(Context::List, Key::ctrl('q')),
        Some(Action::Quit)
    );
    assert_eq!(
        keymap.action(Context::Detail, Key::ctrl('h')),
        Some(Action::Help)
    );
    assert_eq!(config.theme, ThemeChoice::Light);
    assert_eq!(config.palette.selection_bg, Color::LightBlue);
    assert_eq!(config.palette.dim_fg, Color::DarkGray);
    assert_eq!(config.palette.key_fg, Color::Blue, "the light theme's own");
    assert_eq!(config.columns, [Column::Title, Column::Date, Column::Id]);
    assert_eq!(config.default_sort, Some(Sort::Oldest));
    assert_eq!(config.archive, Some(PathBuf::from("/srv/statements")));
    assert_eq!(
        config.state,
        Some(PathBuf::from("/home/ann/.config/communique/triage.db"))
    );
}

#[test]
fn a_wrong_action_name_is_reported_with_a_suggestion() {
    let (config, problems) = parse("[keys.list]\nup = \"k\"\ndwon = \"j\"\n");
    assert_eq!(
        located(&problems),
        ["3:1: unknown action `dwon` in [keys.list]; did you mean `down`?"]
    );
    assert_eq!(
        config.keymap.action(Context::List, Key::ch('k')),
        Some(Action::Up)
    );
    assert_eq!(
        config.keymap.action(Context::List, Key::ch('j')),
        Some(Action::Down),
        "the bad line changes nothing"
    );
}

#[test]
fn a_wrong_key_name_is_reported_and_the_rest_kept() {
    let (config, problems) = parse("[keys.list]\n\ndown = [\"ctrl-\", \"n\"]\nup = [\"pgdwn\"]\n");
    assert_eq!(
        located(&problems),
        [
            "3:9: key name `ctrl-` has no key after its modifiers",
            "4:7: unknown key name `pgdwn`"
        ]
    );
    assert_eq!(
        config.keymap.keys_for(Context::List, Action::Down),
        [Key::ch('n')]
    );
    assert_eq!(config.keymap.keys_for(Context::List, Action::Up), []);
}

#[test]
fn wrong_colours_columns_and_sorts_are_reported_at_their_lines() {
    let (config, problems) = parse(
        r##"[theme]
name = "dusk"

[theme.colours]
selection_bg = "purple"
bar_fg = "#ff0000"
key_fg = "red"
sparkle = "red"

[list]
columns = ["date", "titel", "sigs", "date"]
sort = "newset"
"##,
    );
    assert_eq!(
        located(&problems),
        [
            "2:8: unknown theme `dusk` in [theme]; expected one of dark, light, none",
            "5:16: unknown colour `purple` for `selection_bg` in [theme.colours]; expected one \
             of reset, black, red, green, yellow, blue, magenta, cyan, gray, dark-gray, \
             light-red, light-green, light-yellow, light-blue, light-magenta, light-cyan, white",
            "6:10: unknown colour `#ff0000` for `bar_fg` in [theme.colours]; expected one of \
             reset, black, red, green, yellow, blue, magenta, cyan, gray, dark-gray, light-red, \
             light-green, light-yellow, light-blue, light-magenta, light-cyan, white",
            "8:1: unknown key `sparkle` in [theme.colours]; expected one of normal_fg, \
             normal_bg, selection_fg, selection_bg, match_fg, found_fg, found_bg, bar_fg, \
             bar_bg, title_fg, heading_fg, dim_fg, warning_fg, key_fg",
            "11:20: unknown column `titel` in [list] (the default columns are shown); did you \
             mean `title`?",
            "11:29: unknown column `sigs` in [list] (the default columns are shown); expected \
             one of date, kind, signatories, title, marks, id",
            "11:37: column `date` is listed twice in [list]",
            "12:8: unknown sort `newset` in [list]; did you mean `newest`?",
        ]
    );
    assert_eq!(config.theme, ThemeChoice::Dark);
    assert_eq!(config.palette.key_fg, Color::Red);
    assert_eq!(config.palette.selection_bg, Color::Cyan);
    assert_eq!(config.columns, Column::DEFAULT);
    assert_eq!(config.default_sort, None);
}

#[test]
fn unknown_sections_and_keys_are_reported() {
    let (_, problems) = parse(
        "[colors]\nx = 1\n\n[list]\nsrot = \"title\"\n\n[keys.lists]\ndown = \"j\"\n\n[paths]\narchive = 3\n",
    );
    assert_eq!(
        located(&problems),
        [
            "1:2: unknown section `colors`; expected one of keys, theme, list, paths, archive",
            "5:1: unknown key `srot` in [list]; did you mean `sort`?",
            "7:7: unknown context `lists` in [keys]; did you mean `list`?",
            "11:11: `archive` in [paths] must be a string, not an integer",
        ]
    );
}

#[test]
fn a_toml_syntax_error_is_reported_at_its_line_and_the_rest_kept() {
    let (config, problems) =
        parse("[keys.list]\nup = \"k\"\ndown = [\"j\"\n\n[list]\nsort = \"title\"\n");
    assert_eq!(
        located(&problems),
        [
            "3:1: invalid TOML: missing comma between array elements, expected `,` \
             (noticed at 5:1); line 3 is ignored"
        ]
    );
    assert_eq!(
        config.keymap.action(Context::List, Key::ch('k')),
        Some(Action::Up)
    );
    assert_eq!(config.default_sort, Some(Sort::Title));
}

#[test]
fn a_bad_value_loses_only_its_own_line() {
    let (config, problems) = parse("[list]\nsort = oldest\ncolumns = [\"title\"]\n");
    assert_eq!(
        located(&problems),
        [
            "2:8: invalid TOML: string values must be quoted, expected literal string; line 2 is ignored"
        ]
    );
    assert_eq!(config.columns, [Column::Title]);
}

#[test]
fn a_key_bound_twice_in_a_context_is_a_conflict_at_the_second_line() {
    let (config, problems) = parse("[keys.list]\ndown = \"j\"\n\nup = [\"k\", \"j\"]\n");
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [format!(
            "{PATH}:4:12: `j` is bound to both `down` and `up` in [keys.list]; keeping `down` (line 2)"
        )]
    );
    assert_eq!(
        config.keymap.action(Context::List, Key::ch('j')),
        Some(Action::Down)
    );
    assert_eq!(
        config.keymap.keys_for(Context::List, Action::Up),
        [Key::ch('k')]
    );
    assert_eq!(config.keymap.conflicts(), []);
}

#[test]
fn a_key_listed_twice_for_one_action_is_reported_once() {
    let (config, problems) = parse("[keys.list]\ndown = [\"j\", \"down\", \"j\"]\n");
    assert_eq!(
        located(&problems),
        ["2:22: `j` is listed twice for `down` in [keys.list] (line 2)"]
    );
    assert_eq!(
        config.keymap.keys_for(Context::List, Action::Down),
        [Key::ch('j'), Key::plain(KeyCode::Down)]
    );
}

#[test]
fn the_same_key_in_two_contexts_is_no_conflict() {
    let (config, problems) = parse("[keys.list]\nup = \"j\"\n[keys.detail]\nup = \"j\"\n");
    assert_eq!(located(&problems), Vec::<String>::new());
    assert_eq!(
        config.keymap.action(Context::Detail, Key::ch('j')),
        Some(Action::Up)
    );
}

#[test]
fn plain_characters_cannot_be_bound_while_typing() {
    let (config, problems) = parse("[keys.input]\nsubmit = [\"q\", \"ctrl-j\"]\n");
    assert_eq!(
        located(&problems),
        [
            "2:11: `q` in [keys.input] is a character you type there; bind a named key or one \
             with ctrl- or alt-"
        ]
    );
    assert_eq!(
        config.keymap.keys_for(Context::Input, Action::Submit),
        [Key::ctrl('j')]
    );
}

/// Every way to quit unbound, and Ctrl-c given to another action: each
/// attempt is a located problem, and Ctrl-c still quits the list (and
/// everywhere else).
#[test]
fn ctrl_c_always_quits() {
    let (config, problems) = parse(
        "[keys.global]\nforce_quit = []\n[keys.list]\nquit = []\nup = [\"k\", \"ctrl-c\"]\n[keys.input]\ncancel = \"C-c\"\n",
    );
    assert_eq!(
        located(&problems),
        [
            "2:1: `force_quit` in [keys.global] keeps `ctrl-c`: it always cancels or quits",
            "5:12: `ctrl-c` always cancels or quits; it cannot be bound to `up`",
            "7:10: `C-c` always cancels or quits; it cannot be bound to `cancel`",
        ]
    );
    let keymap = &config.keymap;
    assert_eq!(
        keymap.keys_for(Context::Global, Action::ForceQuit),
        [Key::ctrl('c')],
        "the help overlay still shows it"
    );
    assert_eq!(keymap.keys_for(Context::List, Action::Up), [Key::ch('k')]);
    let mut state = State::new("test".into(), Vec::new(), 0);
    state.keymap = config.keymap;
    state.update(Action::Resize(80, 24));
    assert_eq!(state.action_for(Key::ch('q')), None, "quit is unbound");
    let quit = state.action_for(Key::ctrl('c')).expect("ctrl-c acts");
    state.update(quit);
    assert!(state.quit, "ctrl-c did not quit the list");
}

/// Thousands of mistakes: the first hundred are listed with their places,
/// the rest counted in one last problem (each listed one costs a look-up
/// and a suggestion; the counted ones cost nothing).
#[test]
fn past_a_hundred_problems_the_rest_are_counted() {
    let text: String = std::iter::once("[keys.list]\n".to_owned())
        .chain((0..5_000).map(|n| format!("dwon{n} = \"j\"\n")))
        .collect();
    let (config, problems) = parse(&text);
    let located = located(&problems);
    assert_eq!(located.len(), 101);
    assert!(
        located[0].starts_with("2:1: unknown action `dwon0` in [keys.list]; expected one of"),
        "{}",
        located[0]
    );
    assert!(
        located[99].starts_with("101:1: unknown action `dwon99`"),
        "{}",
        located[99]
    );
    assert_eq!(
        located[100],
        "1:1: 4900 more problems not listed (only the first 100 are)"
    );
    assert_eq!(
        config.keymap.action(Context::List, Key::ch('j')),
        Some(Action::Down)
    );
}

#[test]
fn an_empty_list_unbinds_an_action() {
    let (config, problems) = parse("[keys.list]\ntoggle_preview = []\n");
    assert_eq!(located(&problems), Vec::<String>::new());
    assert_eq!(config.keymap.action(Context::List, Key::ch('p')), None);
}

#[test]
fn a_missing_file_is_the_defaults() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (config, problems) = Config::load(&folder.path().join("config.toml"));
    assert_eq!(problems, []);
    assert_eq!(config.keymap.bindings(), DEFAULT_BINDINGS);
    assert_eq!(config.columns, Column::DEFAULT);
    assert_eq!(config.theme, ThemeChoice::Dark);
}

#[test]
fn an_unreadable_file_is_the_defaults_and_a_problem() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (config, problems) = Config::load(folder.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].to_string().contains(
            ":1:1: the config file is a directory, not a regular file; the defaults apply"
        ),
        "{}",
        problems[0]
    );
    assert_eq!(config.keymap.bindings(), DEFAULT_BINDINGS);
}

#[test]
fn a_file_on_disk_is_read() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("config.toml");
    std::fs::write(&path, "[list]\nsort = \"title\"\n").expect("writing the config");
    let (config, problems) = Config::load(&path);
    assert_eq!(problems, []);
    assert_eq!(config.default_sort, Some(Sort::Title));
}

#[test]
fn the_default_text_reads_back_as_the_defaults() {
    let text = default_config_text();
    let (config, problems) = parse(&text);
    assert_eq!(located(&problems), Vec::<String>::new());
    assert_eq!(config.keymap.bindings(), DEFAULT_BINDINGS);
    assert_eq!(config.theme, ThemeChoice::Dark);
    assert_eq!(config.palette, communique::config::Palette::dark());
    assert_eq!(config.columns, Column::DEFAULT);
    assert_eq!(config.default_sort, None);
    assert_eq!((config.archive, config.state), (None, None));
}

#[test]
fn the_default_text_names_every_context_and_default_binding() {
    let text = default_config_text();
    for section in [
        "global", "list", "input", "note", "detail", "filter", "picker", "help",
    ] {
        assert!(text.contains(&format!("\n[keys.{section}]")), "{section}");
    }
    assert!(text.contains("half_page_down = [\"ctrl-d\"]"), "{text}");
    assert!(text.contains("# half page down"), "{text}");
    assert!(text.contains("\n[theme]\n"), "{text}");
    assert!(text.contains("\n[list]\n"), "{text}");
}

#[test]
fn none_and_no_color_mean_no_colour() {
    let (config, _) = parse("[theme]\nname = \"none\"\n");
    assert_eq!(
        config.theme(false),
        Theme {
            color: false,
            palette: Palette::dark()
        }
    );
    let (config, _) = parse("");
    assert_eq!(
        config.theme(false),
        Theme {
            color: true,
            palette: Palette::dark()
        }
    );
    assert_eq!(
        config.theme(true),
        Theme {
            color: false,
            palette: Palette::dark()
        }
    );
}

#[test]
fn the_help_overlay_shows_a_rebound_key() {
    let (config, problems) = parse("[keys.list]\ndown = [\"k\", \"down\"]\nup = [\"j\", \"up\"]\n");
    assert_eq!(problems, []);
    let theme = config.theme(false);
    let mut state = State::new("test".into(), Vec::new(), 0);
    state.keymap = config.keymap;
    state.update(Action::Resize(80, 24));
    state.update(Action::Help);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    terminal
        .draw(|frame| {
            frame.render_widget(
                Screen {
                    state: &state,
                    theme,
                },
                frame.area(),
            );
        })
        .expect("drawing");
    let lines = help_lines(terminal.backend().buffer());
    let screen = format!("{:?}", terminal.backend());
    let first = |description: &str| {
        lines
            .iter()
            .find(|(_, meaning)| meaning == description)
            .map(|(keys, _)| keys.as_str())
    };
    // The first "down" and "up" rows are the list's, which the file rebound.
    assert_eq!(first("down"), Some("k/↓"), "{screen}");
    assert_eq!(first("up"), Some("j/↑"), "{screen}");
}

/// The help overlay's rows inside its border, as (keys, description).
fn help_lines(buffer: &ratatui::buffer::Buffer) -> Vec<(String, String)> {
    (0..buffer.area.height)
        .filter_map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            let inside = row.split('│').nth(1)?;
            let (keys, meaning) = inside.trim().split_once("  ")?;
            Some((keys.to_owned(), meaning.trim().to_owned()))
        })
        .collect()
}

#[test]
fn archive_reflow_is_read_and_a_wrong_value_reported() {
    let (config, problems) = parse("[archive]\nreflow = true\n");
    assert!(problems.is_empty(), "{problems:?}");
    assert!(config.reflow);
    let (config, problems) = parse("[archive]\nreflow = \"yes\"\nreflwo = true\n");
    assert!(!config.reflow);
    assert_eq!(
        located(&problems),
        [
            "2:10: `reflow` in [archive] must be true or false, not a string",
            "3:1: unknown key `reflwo` in [archive]; did you mean `reflow`?",
        ]
    );
}
