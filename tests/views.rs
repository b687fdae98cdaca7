//! Every view drawn on a `TestBackend`: insta snapshots of the text, and
//! checks of styles on the buffer cells (snapshots hold text only). Also the
//! real event loop driven by scripted keys, and wide characters at every
//! column edge.

mod support;

use std::path::Path;
use std::sync::OnceLock;
use support::cells::visible_cells;
use support::keys::press;

use communique::app::{Input, Perform, run_loop};
use communique::loader::Archive;
use communique::records::Statement;
use communique::state::{Effect, State};
use communique::ui::theme::Palette;
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

const NO_COLOR: Theme = Theme {
    color: false,
    palette: Palette::dark(),
};
const COLOR: Theme = Theme {
    color: true,
    palette: Palette::dark(),
};

/// The sizes every view is drawn at: a classic terminal, a wide one (the
/// preview pane opens at 120 columns) and a cramped one.
const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (40, 12)];

fn archive() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        communique::loader::load(Path::new(support::archive::core()), Default::default())
            .expect("the bundled archive loads")
    })
}

/// The bundled archive in a terminal of `width`×`height`.
fn browser(width: u16, height: u16) -> State {
    let archive = archive();
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(communique::keymap::Action::Resize(width, height));
    state
}

fn draw(terminal: &mut Terminal<TestBackend>, state: &State, theme: Theme) {
    terminal
        .draw(|frame| frame.render_widget(Screen { state, theme }, frame.area()))
        .expect("drawing on a TestBackend");
}

/// A state drawn on a fresh terminal of its own size.
fn render(state: &State, theme: Theme) -> Buffer {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a TestBackend");
    draw(&mut terminal, state, theme);
    terminal.backend().buffer().clone()
}

/// The rows as a terminal shows them: cells hidden under the right half of a
/// wide character are skipped.
fn visible_rows(buffer: &Buffer) -> Vec<String> {
    let width = usize::from(buffer.area.width);
    buffer
        .content
        .chunks(width.max(1))
        .map(|cells| {
            let mut row = String::new();
            let mut hidden = 0;
            for cell in cells {
                if hidden == 0 {
                    row.push_str(cell.symbol());
                    hidden = cell.symbol().width().max(1) - 1;
                } else {
                    hidden -= 1;
                }
            }
            row
        })
        .collect()
}

/// The screen as snapshot text: each row ends with `|` so trailing blanks
/// and the right edge show.
fn screen_text(buffer: &Buffer) -> String {
    let mut text = String::new();
    for row in visible_rows(buffer) {
        text.push_str(&row);
        text.push_str("|\n");
    }
    text
}

/// Every view the snapshots cover, as keys pressed from a fresh list.
const VIEWS: &[(&str, &str)] = &[
    ("list", ""),
    ("search_japan", "/japan"),
    // The seed record is the third statement, newest first.
    ("detail_top", "jj<Enter>"),
    ("detail_end", "jj<Enter>G"),
    ("detail_find", "jj<Enter>/korea<Enter>"),
    ("filter", "f"),
    ("help", "?"),
    ("no_match", "/zzqqxx<Enter>"),
];

fn view_state(keys: &str, (width, height): (u16, u16)) -> State {
    let mut state = browser(width, height);
    press(&mut state, keys);
    state
}

#[test]
fn snapshots_of_every_view() {
    for (name, keys) in VIEWS {
        for size in SIZES {
            let state = view_state(keys, size);
            let buffer = render(&state, COLOR);
            let text = screen_text(&buffer);
            // The text is the same with and without colour.
            assert_eq!(
                text,
                screen_text(&render(&state, NO_COLOR)),
                "{name} {size:?}"
            );
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
        }
    }
}

#[test]
fn snapshots_of_a_terminal_too_small() {
    for (width, height) in [(23, 24), (80, 5), (20, 3), (10, 1)] {
        let state = browser(width, height);
        let text = screen_text(&render(&state, NO_COLOR));
        assert!(
            text.starts_with("terminal too small") || width < 20,
            "{width}x{height}: {text}"
        );
        insta::assert_snapshot!(format!("too_small_{width}x{height}"), text);
    }
    // The smallest size that is not too small draws the list.
    let state = browser(24, 6);
    let text = screen_text(&render(&state, NO_COLOR));
    assert!(!text.contains("too small"), "{text}");
    insta::assert_snapshot!("smallest_24x6", text);
}

#[test]
fn snapshot_of_an_empty_archive() {
    let mut state = State::new("empty".into(), Vec::new(), 0);
    state.update(communique::keymap::Action::Resize(80, 24));
    let text = screen_text(&render(&state, NO_COLOR));
    assert!(text.contains("The archive holds no statements"), "{text}");
    insta::assert_snapshot!("empty_archive_80x24", text);
}

#[test]
fn no_color_sets_no_colour_anywhere() {
    let mut views: Vec<(&str, &str)> = VIEWS.to_vec();
    views.extend([
        ("help over the detail", "jj<Enter>?"),
        ("search with an error", "/colour:red"),
        ("filter typing a date", "flllllll<Enter>20"),
        ("detail typing a find", "jj<Enter>/kor"),
        ("a status line", "s"),
    ]);
    for (name, keys) in views {
        for size in SIZES.into_iter().chain([(20, 5)]) {
            let state = view_state(keys, size);
            let buffer = render(&state, NO_COLOR);
            for (position, cell) in buffer.content.iter().enumerate() {
                let (x, y) = buffer.pos_of(position);
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "{name} {size:?} cell ({x}, {y}) {:?}",
                    cell.symbol()
                );
            }
        }
    }
}

/// Columns the list takes: all of them, or what the preview pane leaves.
fn list_width(state: &State) -> u16 {
    let width = state.size.0;
    if state.preview_shown() {
        width - width * 9 / 20
    } else {
        width
    }
}

/// Selects "Final Care Act guidance published": a title short enough that
/// the row is padded after it at 80 and 120 columns.
const SHORT_TITLE_ROW: &str = "jjjjjjjjj";

/// Whether a cell looks selected in a theme.
fn looks_selected(cell: &ratatui::buffer::Cell, theme: Theme) -> bool {
    if theme.color {
        cell.bg == theme.palette.selection_bg
    } else {
        cell.modifier.contains(Modifier::REVERSED)
    }
}

/// The selected row's text cells carry the selection style, and no other row
/// of the list does.
#[test]
fn the_selected_row_is_marked_without_colour_and_with_it() {
    for theme in [NO_COLOR, COLOR] {
        for size in SIZES {
            let state = view_state(SHORT_TITLE_ROW, size);
            let buffer = render(&state, theme);
            let selected_y = 2 + u16::try_from(state.selected - state.offset).expect("on screen");
            let title = visible_rows(&buffer)[usize::from(selected_y)].clone();
            assert!(title.starts_with("▌ "), "{size:?}: {title}");
            // Cells up to the end of the row's text (the marker, date, kind,
            // count and title).
            let text_end = (0..list_width(&state))
                .rev()
                .find(|&x| buffer[(x, selected_y)].symbol() != " ")
                .map_or(0, |x| x + 1);
            for x in 0..text_end {
                assert!(
                    looks_selected(&buffer[(x, selected_y)], theme),
                    "{theme:?} {size:?}: cell {x} of the selected row {title:?}"
                );
            }
            for y in 2..2 + u16::try_from(state.list_rows()).expect("fits") {
                if y == selected_y {
                    continue;
                }
                for x in 0..list_width(&state) {
                    assert!(
                        !looks_selected(&buffer[(x, y)], theme),
                        "{theme:?} {size:?}: cell ({x}, {y}) looks selected"
                    );
                }
            }
        }
    }
}

#[test]
fn the_selection_bar_spans_the_whole_list_width() {
    for theme in [NO_COLOR, COLOR] {
        for size in SIZES {
            let state = view_state(SHORT_TITLE_ROW, size);
            let buffer = render(&state, theme);
            let selected_y = 2 + u16::try_from(state.selected - state.offset).expect("on screen");
            for x in 0..list_width(&state) {
                assert!(
                    looks_selected(&buffer[(x, selected_y)], theme),
                    "{theme:?} {size:?}: cell {x} of the selected row"
                );
            }
        }
    }
}

/// The x of each character of `needle` in a row, found by visible text.
fn cells_of(buffer: &Buffer, y: u16, needle: &str) -> Option<Vec<u16>> {
    let mut columns = Vec::new();
    let mut xs = Vec::new();
    let mut text = String::new();
    let mut x = 0;
    while x < buffer.area.width {
        let symbol = buffer[(x, y)].symbol();
        xs.push((text.len(), x));
        text.push_str(symbol);
        x += u16::try_from(symbol.width().max(1)).expect("narrow");
    }
    let start = text.find(needle)?;
    for (byte, x) in xs {
        if byte >= start && byte < start + needle.len() {
            columns.push(x);
        }
    }
    Some(columns)
}

#[test]
fn title_matches_are_bold_and_underlined() {
    let matched = Modifier::BOLD | Modifier::UNDERLINED;
    for theme in [NO_COLOR, COLOR] {
        for size in SIZES {
            // Two statements are "Christmas 2016: …": one selected, one not.
            let state = view_state("/christmas", size);
            assert!(state.hits.len() >= 2);
            let buffer = render(&state, theme);
            let mut rows_seen = 0;
            for y in 2..4 {
                let Some(columns) = cells_of(&buffer, y, "Christmas") else {
                    continue;
                };
                rows_seen += 1;
                for &x in &columns {
                    assert!(
                        buffer[(x, y)].modifier.contains(matched),
                        "{theme:?} {size:?}: ({x}, {y}) {:?} is not marked",
                        buffer[(x, y)].symbol()
                    );
                }
                // What follows the word is not marked.
                let after = columns.last().expect("a word") + 1;
                assert!(
                    !buffer[(after + 1, y)]
                        .modifier
                        .contains(Modifier::UNDERLINED),
                    "{theme:?} {size:?}: ({after}, {y}) is marked"
                );
            }
            assert_eq!(rows_seen, 2, "{theme:?} {size:?}");
        }
    }
}

#[test]
fn a_japan_title_match_is_bold_and_underlined() {
    let statements = vec![
        statement("a", "Statement by Japan and Korea", "2024-01-03", &[]),
        statement("b", "Unrelated words", "2024-01-02", &["Japan"]),
    ];
    let mut state = State::new("hand-made".into(), statements, 0);
    state.update(communique::keymap::Action::Resize(80, 24));
    press(&mut state, "/japan");
    assert_eq!(state.hits.len(), 2);
    for theme in [NO_COLOR, COLOR] {
        let buffer = render(&state, theme);
        let y = (2..4)
            .find(|&y| cells_of(&buffer, y, "Statement by Japan").is_some())
            .expect("the title row");
        let columns = cells_of(&buffer, y, "Japan").expect("the title row");
        for x in columns {
            assert!(
                buffer[(x, y)]
                    .modifier
                    .contains(Modifier::BOLD | Modifier::UNDERLINED),
                "{theme:?}: ({x}, {y})"
            );
        }
        let plain = cells_of(&buffer, y, "Statement").expect("the title row");
        for x in plain {
            assert!(!buffer[(x, y)].modifier.contains(Modifier::UNDERLINED));
        }
    }
}

#[test]
fn find_matches_in_the_detail_are_highlighted() {
    for theme in [NO_COLOR, COLOR] {
        let state = view_state("jj<Enter>/korea<Enter>", (80, 24));
        let buffer = render(&state, theme);
        let mut highlighted = 0;
        for y in 1..22 {
            let row = &visible_rows(&buffer)[usize::from(y)];
            if let Some(columns) = cells_of(&buffer, y, "Korea") {
                highlighted += 1;
                for x in columns {
                    let cell = &buffer[(x, y)];
                    let marked = if theme.color {
                        cell.bg == theme.palette.found_bg
                    } else {
                        cell.modifier.contains(Modifier::REVERSED)
                    };
                    assert!(marked, "{theme:?}: ({x}, {y}) in {row:?}");
                }
            }
        }
        assert!(highlighted >= 2, "{theme:?}");
    }
}

/// Effects as a test sees them: written down, never performed.
#[derive(Default)]
struct Recorded(Vec<Effect>);

impl<B: Backend> Perform<B> for Recorded {
    fn perform(
        &mut self,
        _terminal: &mut Terminal<B>,
        _state: &mut State,
        effect: Effect,
    ) -> anyhow::Result<()> {
        self.0.push(effect);
        Ok(())
    }
}

fn key_input(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn the_real_loop_searches_opens_and_quits() {
    let archive = archive();
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a TestBackend");
    let mut inputs = vec![key_input(KeyCode::Char('/'))];
    inputs.extend("japan".chars().map(|c| key_input(KeyCode::Char(c))));
    inputs.extend([
        key_input(KeyCode::Enter),
        key_input(KeyCode::Enter),
        key_input(KeyCode::Char('G')),
        key_input(KeyCode::Esc),
        key_input(KeyCode::Char('q')),
    ]);
    let mut effects = Recorded::default();
    let result = run_loop(&mut terminal, &mut state, NO_COLOR, inputs, &mut effects);
    assert!(result.is_ok(), "{result:?}");
    assert!(state.quit);
    // The loop handed over what the state asked for: the query for the
    // lasting history (and, with no store here, nothing was applied).
    assert!(
        effects.0.contains(&Effect::History("japan".into())),
        "{:?}",
        effects.0
    );
    assert_eq!(state.query_text, "japan");
    let rows = visible_rows(terminal.backend().buffer());
    assert!(rows[0].contains("1 / 16 statements"), "{rows:#?}");
    assert!(
        rows[1].contains("Date") && rows[1].contains("Title"),
        "{rows:#?}"
    );
    assert!(
        rows[2].starts_with('▌')
            && rows[2].contains("12 Jan 24")
            && rows[2].contains("DPRK-Russia"),
        "{rows:#?}"
    );
    assert!(rows[22].starts_with("query: japan"), "{rows:#?}");
    insta::assert_snapshot!("loop_final_frame", screen_text(terminal.backend().buffer()));
}

#[test]
fn the_real_loop_ends_when_the_inputs_do() {
    let archive = archive();
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    let mut terminal = Terminal::new(TestBackend::new(40, 12)).expect("a TestBackend");
    let inputs = vec![
        Input::Tick,
        Input::Resize(30, 8),
        key_input(KeyCode::Char('j')),
        Input::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)),
    ];
    let mut effects = Recorded::default();
    let result = run_loop(&mut terminal, &mut state, NO_COLOR, inputs, &mut effects);
    assert!(result.is_ok(), "{result:?}");
    assert!(!state.quit, "the inputs ran out: no quit asked for");
    assert_eq!(state.selected, 1);
    assert_eq!(effects.0, [Effect::Suspend]);
}

// Wide characters.

fn statement(id: &str, title: &str, published: &str, signatories: &[&str]) -> Statement {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "title": title,
        "published": published,
        "signatories": signatories,
    }))
    .expect("a valid statement")
}

/// Text in the scripts that trip column arithmetic: double-width Hangul,
/// Arabic (with lam-alef pairs, which `unicode-width` counts as one column
/// for the pair), emoji, ZWJ sequences, flags, a variation selector and a
/// combining accent.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "hangul",
        "대한민국 외교부 장관 공동 성명 한반도 평화 번영 대한민국 외교부",
    ),
    (
        "arabic",
        "المملكة المتحدة والولايات المتحدة تفرضان عقوبات لحماية الملاحة",
    ),
    ("emoji", "😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘😗😚😙🥲😋😛😜"),
    ("zwj", "👩‍👩‍👧‍👦👨‍👩‍👧👩‍❤️‍👨🧑‍🚀👁️‍🗨️🏳️‍🌈👩‍👩‍👧‍👦👨‍👩‍👧👩‍❤️‍👨🧑‍🚀"),
    ("flags", "🇰🇷🇯🇵🇬🇧🇺🇸🇫🇷🇩🇪🇮🇹🇪🇸🇨🇦🇦🇺🇰🇷🇯🇵🇬🇧🇺🇸🇫🇷🇩🇪"),
    ("selectors", "❤️☺️✌️☀️❄️⚠️❤️☺️✌️☀️❄️⚠️❤️☺️✌️☀️❄️⚠️"),
    (
        "combining",
        "Côte d’Ivoire ñ é ü Ελλάδα Россия Côte d’Ivoire ñ é",
    ),
];

/// Statements whose titles, kinds and signatories put each script at every
/// offset: an ASCII prefix of 0 to 3 characters shifts where the wide
/// characters meet each column edge. `salt` makes a second, different set.
fn wide_statements(salt: &str) -> Vec<Statement> {
    let mut statements = Vec::new();
    for (n, (name, text)) in SCRIPTS.iter().enumerate() {
        for prefix in 0..4 {
            let pad = "x".repeat(prefix);
            let id = format!("{salt}{name}-{prefix}");
            let title = format!("{pad}{salt}{text} {text}");
            let day = 28 - (n * 4 + prefix) % 28;
            let mut statement = statement(
                &id,
                &title,
                &format!("2024-02-{day:02}"),
                &[&format!("{pad}{text}")],
            );
            statement.kind = Some(format!("{pad}{text}"));
            statement.organisations = vec![format!("{salt}{pad}{text}")];
            statement.summary = Some(format!("{pad}{text}"));
            statement.body = Some(format!("{pad}{text} {text}\n\n{text}{text}{text}"));
            statements.push(statement);
        }
    }
    statements
}

fn wide_state(salt: &str, (width, height): (u16, u16)) -> State {
    let mut state = State::new(
        format!("기록 보관소 🇰🇷 {salt}archive"),
        wide_statements(salt),
        3,
    );
    state.update(communique::keymap::Action::Resize(width, height));
    state
}

/// Views of the wide archive, including every page of the list.
const WIDE_VIEWS: &[&str] = &[
    "",
    "<PgDn>",
    "<PgDn><PgDn>",
    "<PgDn><PgDn><PgDn>",
    "G",
    "/대한",
    "/xx",
    "<Enter>",
    "jjjj<Enter>",
    "jjjjjjjj<Enter>",
    "jjjjjjjjjjjj<Enter>",
    "jjjjjjjjjjjjjjjj<Enter>",
    "jjjjjjjjjjjjjjjjjjjj<Enter>",
    "jjjjjjjjjjjjjjjjjjjjjjjj<Enter>",
    "<Enter>/한<Enter>",
    "<Enter>?",
    "f",
    "fl",
    "fll",
    "flll",
    "?",
];

/// What is wrong with a frame: rows wider or narrower than the terminal,
/// counting each visible cell's grapheme as the terminal draws it. (Not the
/// width of the row as one string: `unicode-width` counts an Arabic lam-alef
/// pair as one column, though it is two graphemes in two cells.)
fn width_problems(buffer: &Buffer, what: &str) -> Vec<String> {
    let width = usize::from(buffer.area.width);
    let mut problems = Vec::new();
    for (y, row) in visible_cells(buffer).iter().enumerate() {
        let columns: usize = row.iter().map(|(symbol, _)| symbol.width()).sum();
        if columns != width {
            let text: String = row.iter().map(|(symbol, _)| symbol.as_str()).collect();
            problems.push(format!("{what}: row {y} takes {columns} columns: {text:?}"));
        }
    }
    problems
}

/// Draws `first` then `second` into one terminal, and compares what it shows
/// with `second` drawn on a fresh terminal.
fn redraw_problems(first: &State, second: &State, theme: Theme, what: &str) -> Vec<String> {
    let (width, height) = first.size;
    let mut reused = Terminal::new(TestBackend::new(width, height)).expect("a TestBackend");
    draw(&mut reused, first, theme);
    let mut problems = width_problems(reused.backend().buffer(), &format!("{what} (first frame)"));
    draw(&mut reused, second, theme);
    problems.extend(width_problems(reused.backend().buffer(), what));
    let fresh = render(second, theme);
    let shown = visible_cells(reused.backend().buffer());
    for (y, (shown, expected)) in shown.iter().zip(visible_cells(&fresh)).enumerate() {
        if *shown != expected {
            let text = |row: &[(String, ratatui::style::Style)]| -> String {
                row.iter().map(|(symbol, _)| symbol.as_str()).collect()
            };
            problems.push(format!(
                "{what}: row {y} shows {:?}, a fresh terminal {:?}",
                text(shown),
                text(&expected)
            ));
        }
    }
    problems
}

#[test]
fn wide_characters_never_spill_or_linger() {
    let mut problems = Vec::new();
    for size in [(80, 24), (40, 12), (120, 40)] {
        for keys in WIDE_VIEWS {
            for theme in [NO_COLOR, COLOR] {
                let mut first = wide_state("", size);
                press(&mut first, keys);
                // A different archive (every title shifted by one column)
                // and a different view drawn over the first frame.
                for second_keys in ["", "j<Enter>", "f", "?", "/xx"] {
                    if keys.ends_with('?') && second_keys == "?" {
                        // A known bug, tested on its own below.
                        continue;
                    }
                    let mut second = wide_state("y", size);
                    press(&mut second, second_keys);
                    let what = format!("{size:?} {keys:?} then {second_keys:?} {theme:?}");
                    problems.extend(redraw_problems(&first, &second, theme, &what));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn snapshots_of_wide_characters() {
    for size in [(80, 24), (40, 12)] {
        for (name, keys) in [("list", ""), ("detail", "<Enter>"), ("filter", "fl")] {
            let mut state = wide_state("", size);
            press(&mut state, keys);
            insta::assert_snapshot!(
                format!("wide_{name}_{}x{}", size.0, size.1),
                screen_text(&render(&state, NO_COLOR))
            );
        }
    }
}

#[test]
fn the_help_popup_keeps_its_border_over_wide_characters() {
    let mut problems = Vec::new();
    for (size, keys) in [
        ((80, 24), "<Enter>?"),
        ((40, 12), "<Enter>?"),
        ((120, 40), "?"),
    ] {
        let mut state = wide_state("", size);
        press(&mut state, keys);
        // The popup's left edge, as ui/help.rs places it.
        let width = size.0.min(100);
        let left = usize::from((size.0 - width) / 2);
        let buffer = render(&state, NO_COLOR);
        let rows = visible_cells(&buffer);
        let popup_rows = rows
            .iter()
            .enumerate()
            .skip(1)
            .take(usize::from(size.1 - 2));
        for (y, row) in popup_rows {
            // The visible cell that starts at the popup's left column.
            let mut x = 0;
            let mut at_left = None;
            for (symbol, _) in row {
                if x == left {
                    at_left = Some(symbol.clone());
                }
                x += symbol.width().max(1);
            }
            if !matches!(at_left.as_deref(), Some("│" | "┌" | "└")) {
                problems.push(format!(
                    "{size:?} {keys:?}: row {y} has no border: {at_left:?}"
                ));
            }
        }
        let mut second = wide_state("y", size);
        press(&mut second, keys);
        problems.extend(redraw_problems(
            &state,
            &second,
            NO_COLOR,
            &format!("{size:?} {keys:?}"),
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Short titles (first) and long ones (second) in each script.
const TITLES: &[(&str, &str, &str)] = &[
    ("hangul", "대한민국 외교부", SCRIPTS[0].1),
    ("emoji", "😀😃😄 emoji", SCRIPTS[2].1),
    ("flags", "🇰🇷🇯🇵 flags", SCRIPTS[4].1),
    ("combining", "Côte d’Ivoire", SCRIPTS[6].1),
    ("arabic", "المملكة والولايات", SCRIPTS[1].1),
    ("zwj", "👩‍👩‍👧‍👦👨‍👩‍👧 family", SCRIPTS[3].1),
    ("selectors", "❤️☺️✌️ selectors", SCRIPTS[5].1),
];

/// What goes wrong drawing a script's titles in the list: a title that fits
/// must show in full, one that does not must end with "…" in the last column.
fn title_problems(script: &str) -> Vec<String> {
    let (_, short, text) = TITLES
        .iter()
        .find(|(name, _, _)| *name == script)
        .expect("a script of TITLES");
    let long = format!("{text} {text} {text}");
    let mut problems = Vec::new();
    for width in [80, 40] {
        for prefix in 0..2 {
            let pad = "x".repeat(prefix);
            let statements = vec![
                statement("short", &format!("{pad}{short}"), "2024-01-02", &[]),
                statement("long", &format!("{pad}{long}"), "2024-01-01", &[]),
            ];
            let mut state = State::new("titles".into(), statements, 0);
            state.update(communique::keymap::Action::Resize(width, 12));
            let buffer = render(&state, NO_COLOR);
            let rows = visible_rows(&buffer);
            // As the list shows it: format characters (ZWJ among them) are
            // removed on purpose.
            let shown = communique::sanitize::clean_line(short);
            if !rows[2].contains(&format!("{pad}{shown}")) {
                problems.push(format!(
                    "{script} at {width}: the short title {short:?} shows as {:?}",
                    rows[2]
                ));
            }
            if buffer[(width - 1, 3)].symbol() != "…" {
                problems.push(format!(
                    "{script} at {width}: the long title does not end in \"…\" at the edge: {:?}",
                    rows[3]
                ));
            }
        }
    }
    problems
}

#[test]
fn titles_that_fit_show_in_full_and_others_end_with_an_ellipsis() {
    for script in ["hangul", "emoji", "flags", "combining"] {
        let problems = title_problems(script);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn arabic_titles_keep_every_letter() {
    let problems = title_problems("arabic");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn emoji_with_variation_selectors_end_with_an_ellipsis_at_the_edge() {
    let mut problems = title_problems("zwj");
    problems.extend(title_problems("selectors"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The bundled archive with its contacts directory, as the browser builds it.
fn browser_with_contacts(width: u16, height: u16) -> State {
    let mut state = browser(width, height);
    state
        .catalog
        .set_directory(communique::contacts::Directory::from_archive(archive()));
    state.today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).expect("a date");
    state
}

#[test]
fn snapshots_of_the_contacts_view() {
    for size in SIZES {
        let mut state = browser_with_contacts(size.0, size.1);
        press(&mut state, "c");
        let all = screen_text(&render(&state, NO_COLOR));
        assert!(all.contains("Contacts · 4 / 4"), "{all}");
        insta::assert_snapshot!(format!("contacts_{}x{}", size.0, size.1), all);
        press(&mut state, "fc");
        let buffer = render(&state, NO_COLOR);
        let text = screen_text(&buffer);
        assert!(text.contains("newsdesk@fcdo.gov.uk"), "{text}");
        insta::assert_snapshot!(format!("contacts_fc_{}x{}", size.0, size.1), text);
        // The selected contact's row is reversed, so it shows without colour.
        let selected_row = (0..size.1)
            .find(|&y| buffer[(0, y)].symbol() == "▌")
            .expect("a selected contact row");
        assert!(
            buffer[(2, selected_row)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED),
            "{text}"
        );
    }
}

#[test]
fn the_value_shown_alone_is_alone_on_the_screen() {
    let mut state = browser_with_contacts(80, 24);
    press(&mut state, "cfcdo<C-g>");
    let text = screen_text(&render(&state, NO_COLOR));
    let filled: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_matches(['|', ' ']).is_empty())
        .collect();
    assert_eq!(filled.len(), 3, "{text}");
    assert!(
        filled[1].trim_matches(['|', ' ']) == "newsdesk@fcdo.gov.uk",
        "{text}"
    );
    insta::assert_snapshot!("contacts_alone_80x24", text);
}

/// A statement with two press offices, open in the detail view at 80×24.
fn two_contacts(width: u16, height: u16) -> State {
    let statement: Statement = serde_json::from_value(serde_json::json!({
        "id": "two", "title": "Two press offices", "published": "2024-03-01",
        "body": "A short statement.",
        "media_contacts": [
            {"name": "Press office", "organisation": "FCDO", "email": "press@fcdo.example"},
            {"name": "Newsdesk", "organisation": "Home Office", "email": "news@ho.example"},
        ],
    }))
    .expect("a valid statement");
    let mut state = State::new("two".into(), vec![statement], 0);
    state.update(communique::keymap::Action::Resize(width, height));
    press(&mut state, "<Enter>");
    state
}

/// The row holding `needle`, if on screen.
fn row_of(buffer: &Buffer, needle: &str) -> Option<u16> {
    visible_rows(buffer)
        .iter()
        .position(|row| row.contains(needle))
        .and_then(|at| u16::try_from(at).ok())
}

#[test]
fn the_contact_the_copy_keys_take_is_marked_and_named() {
    let mut state = two_contacts(80, 24);
    let first = render(&state, NO_COLOR);
    press(&mut state, "<Tab><Tab>");
    let second = render(&state, NO_COLOR);
    let text = screen_text(&second);
    assert_ne!(screen_text(&first), text, "Tab must change the screen");
    insta::assert_snapshot!("detail_second_contact_80x24", text);
    // Without colour: the chosen contact's first line is reversed, the
    // other's is not, and the bar is beside the chosen one only.
    for (buffer, chosen, other) in [
        (&first, "Press office, FCDO", "Newsdesk, Home Office"),
        (&second, "Newsdesk, Home Office", "Press office, FCDO"),
    ] {
        let (chosen, other) = (
            row_of(buffer, chosen).expect("chosen contact on screen"),
            row_of(buffer, other).expect("other contact on screen"),
        );
        assert!(buffer[(3, chosen)].modifier.contains(Modifier::REVERSED));
        assert!(!buffer[(3, other)].modifier.contains(Modifier::REVERSED));
        assert_eq!(buffer[(0, chosen)].symbol(), "▌");
        assert_ne!(buffer[(0, other)].symbol(), "▌");
    }
    // The status line says which one y / Y / o copy.
    assert!(
        text.contains("y/Y/o copy contact 2 of 2: Newsdesk, Home Office"),
        "{text}"
    );
    press(&mut state, "y");
    assert!(
        state
            .effects
            .iter()
            .any(|effect| *effect == Effect::Copy("news@ho.example".into())),
        "{:?}",
        state.effects
    );
}

#[test]
fn help_opens_at_the_views_keys_and_filters_with_slash() {
    // From a statement, its keys come first, the most used at the top.
    let state = view_state("jj<Enter>?", (80, 24));
    let text = screen_text(&render(&state, NO_COLOR));
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[2].contains("Statement"), "{text}");
    assert!(
        rows[3].contains("Esc") && rows[3].contains("back"),
        "{text}"
    );
    assert!(text.contains("copy email"), "{text}");
    insta::assert_snapshot!("help_over_detail_80x24", text);

    // `/` narrows every view's rows to those that match.
    let mut state = view_state("jj<Enter>?/copy", (80, 24));
    let text = screen_text(&render(&state, NO_COLOR));
    insta::assert_snapshot!("help_filtered_80x24", text);
    let rows: Vec<&str> = text
        .lines()
        .filter(|row| row.contains(" copy") || row.contains("Statement"))
        .collect();
    assert!(rows.len() >= 5, "{text}");
    assert!(!text.contains("next match"), "{text}");
    assert!(text.contains("/copy"), "{text}");
    // Esc clears the filter, a second closes help.
    press(&mut state, "<Esc>");
    assert!(screen_text(&render(&state, NO_COLOR)).contains("next match"));
    press(&mut state, "<Esc>");
    assert!(!screen_text(&render(&state, NO_COLOR)).contains("next match"));
}

const LONG_URL: &str = "https://www.gov.uk/government/news/dprk-russia-ballistic-missile-transfers-joint-statement-12-january-2024";

/// A statement whose body holds two links (one longer than the screen).
fn with_links(body: &str) -> State {
    let statement: Statement = serde_json::from_value(serde_json::json!({
        "id": "links", "title": "Links", "published": "2024-03-01",
        "url": "https://www.gov.uk/government/news/links",
        "body": body,
    }))
    .expect("a valid statement");
    let mut state = State::new("links".into(), vec![statement], 0);
    state.update(communique::keymap::Action::Resize(80, 24));
    press(&mut state, "<Enter>");
    state
}

fn copied(state: &State) -> Vec<String> {
    state
        .effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Copy(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn links_are_numbered_never_broken_and_copied_by_number() {
    let mut state = with_links(&format!(
        "Read the full text at {LONG_URL} today.\n\nSee also https://example.org/a, the annex."
    ));
    let text = screen_text(&render(&state, NO_COLOR));
    insta::assert_snapshot!("detail_links_80x24", text);
    // No row carries the rest of a broken address.
    assert!(!text.contains("\n oint-statement"), "{text}");
    assert!(
        text.contains("https://example.org/a [2], the annex."),
        "{text}"
    );
    assert!(
        text.contains("[1] https://www.gov.uk/government/news/"),
        "{text}"
    );
    assert!(text.contains("[2] https://example.org/a"), "{text}");
    press(&mut state, "#2<Enter>");
    press(&mut state, "#1<Enter>");
    press(&mut state, "U");
    assert_eq!(
        copied(&state),
        [
            "https://example.org/a",
            LONG_URL,
            "https://www.gov.uk/government/news/links"
        ]
    );
    press(&mut state, "#7<Enter>");
    assert_eq!(
        state.status.as_deref(),
        Some("no link [7] on this page (1–2)")
    );
}

#[test]
fn the_links_of_a_page_of_a_long_statement_are_its_own() {
    let filler = "Words of a long statement. ".repeat(40);
    let mut body: Vec<String> = (0..3_000).map(|n| format!("{n}. {filler}")).collect();
    body.push("The last page cites https://example.org/last-page.".into());
    let mut state = with_links(&body.join("\n\n"));
    press(&mut state, "#");
    assert_eq!(state.status.as_deref(), Some("this page has no links"));
    press(&mut state, "G#");
    assert_eq!(copied(&state), ["https://example.org/last-page"]);
}

// ---- The list at 80×24: columns, withdrawn statements, sorting ----

/// The columns where the heading row puts each name.
fn heading_starts(buffer: &Buffer) -> Vec<(String, usize)> {
    let heading = &visible_rows(buffer)[1];
    let mut starts = Vec::new();
    let mut at = 0;
    for word in heading.split(' ') {
        if !word.is_empty() {
            starts.push((word.to_owned(), heading[..at].chars().count()));
        }
        at += word.len() + 1;
    }
    starts
}

#[test]
fn at_80_columns_the_title_gets_50_columns_beside_every_default_column() {
    let state = browser(80, 24);
    let buffer = render(&state, NO_COLOR);
    let starts = heading_starts(&buffer);
    let names: Vec<&str> = starts.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Mark", "Date", "Kind", "Sig", "Title"]);
    assert_eq!(starts[4].1, 30, "the title's 50 columns start at 30");
    let rows = visible_rows(&buffer);
    // The date is short, the kind its documented label, the count shown.
    let seed = rows
        .iter()
        .find(|row| row.contains("DPRK-Russia"))
        .expect("the seed row");
    assert!(
        seed.contains("12 Jan 24 news     51 DPRK-Russia ballistic missile transfers: joint st…"),
        "{seed}"
    );
}

#[test]
fn columns_in_any_order_lay_out_with_the_title_where_it_is_listed() {
    use communique::config::Column;
    let mut state = browser(80, 24);
    state.columns = vec![Column::Title, Column::Date, Column::Kind, Column::Marks];
    let buffer = render(&state, NO_COLOR);
    let starts = heading_starts(&buffer);
    assert_eq!(
        starts,
        [
            ("Title".to_owned(), 2),
            ("Date".to_owned(), 56),
            ("Kind".to_owned(), 67),
            ("Mark".to_owned(), 75)
        ]
    );
    let rows = visible_rows(&buffer);
    let seed = rows
        .iter()
        .find(|row| row.contains("DPRK-Russia"))
        .expect("the seed row");
    assert!(seed.ends_with(" 2024-01-12 news    N    "), "{seed:?}");
    insta::assert_snapshot!("list_title_first_80x24", screen_text(&buffer));
}

#[test]
fn a_withdrawn_statement_is_marked_w_and_dimmed_and_found_by_is_withdrawn() {
    for theme in [NO_COLOR, COLOR] {
        let state = browser(80, 24);
        let buffer = render(&state, theme);
        let rows = visible_rows(&buffer);
        let withdrawn: Vec<usize> = (0..rows.len())
            .filter(|&y| rows[y].get(2..8) == Some("N   W "))
            .collect();
        assert_eq!(
            withdrawn.len(),
            1,
            "one withdrawn statement:\n{}",
            rows.join("\n")
        );
        let y = u16::try_from(withdrawn[0]).expect("a row");
        let title_cell = &buffer[(40, y)];
        assert!(
            title_cell.modifier.contains(Modifier::DIM),
            "{theme:?}: the withdrawn row is dimmed"
        );
        assert!(!buffer[(40, y + 1)].modifier.contains(Modifier::DIM));
    }
    let state = view_state("/is:withdrawn<Enter>", (80, 24));
    assert_eq!(state.hits.len(), 1);
    let state = view_state("/-is:withdrawn<Enter>", (80, 24));
    assert_eq!(state.hits.len(), 15);
    let state = view_state("/is:withdrawn<Enter><Enter>", (80, 24));
    let rows = visible_rows(&render(&state, NO_COLOR));
    assert!(
        rows.iter().any(|row| row.contains("Withdrawn on")),
        "the statement says so at its top:\n{}",
        rows.join("\n")
    );
}

#[test]
fn sorting_keeps_the_cursor_on_its_statement() {
    let mut state = view_state("jj", (80, 24));
    let chosen = state.selected_statement().expect("a statement").id.clone();
    for _ in 0..4 {
        press(&mut state, "s");
        assert_eq!(state.selected_statement().expect("a statement").id, chosen);
        let rows = visible_rows(&render(&state, NO_COLOR));
        let cursor = rows
            .iter()
            .find(|row| row.starts_with('▌'))
            .expect("the cursor on screen");
        assert!(
            cursor.contains("DPRK-Russia"),
            "{}: {cursor}",
            state.sort().label()
        );
    }
}

#[test]
fn the_header_counts_new_statements_without_a_dangling_separator() {
    let mut state = browser(80, 24);
    let ids: Vec<String> = state
        .catalog
        .statements
        .iter()
        .take(4)
        .map(|s| s.id.clone())
        .collect();
    state.arrived.extend(ids);
    let header = visible_rows(&render(&state, NO_COLOR))[0].clone();
    assert!(header.trim_end().ends_with("4 new"), "{header:?}");
}

// ---- Writing a note at 80×24 ----

/// A note long enough to wrap: one paragraph of several rows, then a line.
const LONG_NOTE: &str = "Spoke to the desk: the minister's office wants a line on the missile transfers before noon, and the embassy in Seoul has asked for the full list of signatories with their titles.\nCall back after 11.";

#[test]
fn the_note_editor_wraps_long_lines_and_its_question_shows() {
    let mut state = browser(80, 24);
    press(&mut state, "e");
    state.paste(LONG_NOTE);
    let text = screen_text(&render(&state, COLOR));
    assert!(
        text.contains("before noon, and the embassy"),
        "wrapped, not cut:\n{text}"
    );
    insta::assert_snapshot!("note_wrapped_80x24", text);

    // Esc on unsaved text asks, on a line the box leaves visible.
    press(&mut state, "<Esc>");
    let rows = visible_rows(&render(&state, NO_COLOR));
    assert!(
        rows[22].starts_with("the note is not saved: s save · d keep as a draft · x throw away"),
        "{rows:#?}"
    );
    insta::assert_snapshot!("note_asking_80x24", screen_text(&render(&state, COLOR)));
}

#[test]
fn the_conflict_screen_shows_both_versions() {
    use communique::store::Stamp;
    let mut state = browser(80, 24);
    press(&mut state, "e");
    state.paste(LONG_NOTE);
    press(&mut state, "<C-s>");
    let Some(Effect::SaveNote {
        ids, text, opened, ..
    }) = state.effects.pop()
    else {
        panic!("saving asks the store: {:?}", state.effects);
    };
    let stamp = Stamp {
        by: "bob".to_owned(),
        at: 1_733_390_000,
    };
    let when = communique::document::stamp_text(&stamp);
    let theirs = Some((
        "Call Tokyo first: they publish at 9 their time.".to_owned(),
        stamp,
    ));
    state.note_conflict(ids.clone(), text, opened, vec![(ids[0].clone(), theirs)]);
    // The time is the machine's local time: blanked, keeping the width.
    let blank = format!("{:<1$}", "bob, <time>", when.chars().count());
    let text = screen_text(&render(&state, COLOR)).replace(&when, &blank);
    assert!(text.contains("Theirs, by bob, <time>"), "{text}");
    assert!(text.contains("Yours (not saved):"), "{text}");
    assert!(
        text.contains("m keep yours  t keep theirs  e merge by hand  Esc back"),
        "{text}"
    );
    insta::assert_snapshot!("note_conflict_80x24", text);
}

/// A fixture folder in a terminal of `width`×`height`.
fn fixture_browser(folder: &str, (width, height): (u16, u16)) -> State {
    let archive = communique::loader::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        Default::default(),
    )
    .expect("the fixture loads");
    let mut state = State::new(archive.name(), archive.statements, 0);
    state.update(communique::keymap::Action::Resize(width, height));
    state
}

/// Search sees what the screen shows: two of the three White House titles
/// hide a word joiner inside "COVID-19"; all three look alike on screen and
/// all three are found by `'COVID-19` (issue 15 item 14).
#[test]
fn covid_19_finds_every_title_that_shows_it() {
    let mut state = fixture_browser("tests/fixtures/whitehouse", (80, 24));
    press(&mut state, "/'COVID-19<Enter>");
    assert_eq!(state.hits.len(), 3);
    let text = screen_text(&render(&state, NO_COLOR));
    assert!(text.contains(" 3 / 3 statements"), "{text}");
    assert!(!text.contains('\u{2060}'));
    insta::assert_snapshot!("search_covid_80x24", text);
}

/// A name in no statement (`borrell`) gives no confident answer: the
/// header says the matches are weak, each is marked `~` (readable without
/// colour) and dimmed; a bare organisation's initials find its statement
/// as a strong match (issue 14 item 15).
#[test]
fn weak_matches_are_said_and_marked_and_organisations_are_found() {
    let state = view_state("/borrell<Enter>", (80, 24));
    assert!(!state.hits.is_empty());
    let buffer = render(&state, COLOR);
    let rows = visible_rows(&buffer);
    assert!(rows[0].contains("weak matches only (~)"), "{}", rows[0]);
    for (y, row) in rows.iter().enumerate().skip(2).take(state.hits.len()) {
        assert!(row.contains(" ~ "), "{row}");
        if y > 2 {
            let y = u16::try_from(y).expect("a row");
            assert!(buffer[(40, y)].modifier.contains(Modifier::DIM), "{row}");
        }
    }
    insta::assert_snapshot!("search_weak_80x24", screen_text(&render(&state, NO_COLOR)));
    let state = view_state("/fcdo<Enter>", (80, 24));
    let rows = visible_rows(&render(&state, NO_COLOR));
    assert!(!rows[0].contains("weak"), "{}", rows[0]);
    // The Arabic statement names no one matching: its organisation does.
    assert!(!rows[2].contains(" ~ "), "{}", rows.join("\n"));
}

// ---- Bulk, filters and nothing cut at 80×24 (issue 14 items 12, 14, 4) ----

/// The choice stays until cleared, and the header says so and how: three
/// rows chosen and flagged are still chosen, marked `*`, with
/// "3 chosen (Esc clears)" in the header; Esc clears it.
#[test]
fn the_header_says_how_many_are_chosen_and_how_to_clear_them() {
    let mut state = browser(80, 24);
    press(&mut state, "<Space><Space><Space>F");
    let text = screen_text(&render(&state, NO_COLOR));
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].contains("3 chosen (Esc clears)"), "{}", rows[0]);
    let starred = rows.iter().filter(|row| row.get(1..2) == Some("*")).count();
    assert_eq!(starred, 3, "{text}");
    insta::assert_snapshot!("list_chosen_80x24", text);
    // A query that hides one of them: the header says so.
    press(&mut state, "/kind:speech<Enter>");
    let header = visible_rows(&render(&state, NO_COLOR))[0].clone();
    assert!(header.contains("3 chosen, "), "{header}");
    assert!(header.contains(" not listed"), "{header}");
    press(&mut state, "<Esc>");
    let header = visible_rows(&render(&state, NO_COLOR))[0].clone();
    assert!(!header.contains("chosen"), "{header}");
    assert_eq!(state.status.as_deref(), Some("choice cleared"));
}

/// The government facet of the bundled archive has a 67-character value
/// ("2010 to 2015 Conservative and Liberal Democrat coalition government"):
/// its count shows, the value gives way. Under a query, values no listed
/// statement has are counted on a row of their own, not listed at 0.
#[test]
fn filter_counts_always_show_and_absent_values_are_counted_not_listed() {
    let mut state = browser(80, 24);
    press(&mut state, "fll");
    let text = screen_text(&render(&state, NO_COLOR));
    let coalition = text
        .lines()
        .find(|row| row.contains("2010 to 2015"))
        .unwrap_or_else(|| panic!("the coalition government listed:\n{text}"));
    assert!(coalition.contains('…'), "{coalition}");
    assert!(
        coalition.trim_end_matches('|').trim_end().ends_with(')'),
        "{coalition}"
    );
    insta::assert_snapshot!("filter_long_value_80x24", text);

    // Under `kind:speech`, only the speeches' values are listed.
    let mut state = browser(80, 24);
    press(&mut state, "/kind:speech<Enter>fl");
    let communique::state::View::Filter(panel) = &state.view else {
        panic!("expected the filter panel, got {:?}", state.view);
    };
    assert!(panel.visible_values().iter().all(|(_, count)| *count > 0));
    let absent = panel.absent_count();
    assert!(absent > 0, "some organisations have no speech");
    let text = screen_text(&render(&state, NO_COLOR));
    assert!(
        text.contains(&format!("+{absent} not in the current list")),
        "{text}"
    );
    assert!(!text.contains("(0)"), "{text}");
    insta::assert_snapshot!("filter_under_a_query_80x24", text);
}

/// A value the query chose stays listed even when the list has none of it
/// (two kinds at once match nothing), so it can be unchosen from the panel.
#[test]
fn a_chosen_value_stays_listed_at_zero() {
    let mut state = browser(80, 24);
    press(&mut state, "/kind:=speech kind:=\"news story\"<Enter>f");
    assert!(state.hits.is_empty(), "{}", state.query_text);
    let communique::state::View::Filter(panel) = &state.view else {
        panic!("expected the filter panel");
    };
    assert_eq!(
        panel.visible_values().len(),
        2,
        "{:?}",
        panel.visible_values()
    );
    press(&mut state, "g<Enter><Enter>");
    assert_eq!(state.query_text, "");
}

/// Key hints that do not fit are left out whole, and "? more" says there
/// are more: never a hint cut mid-word (the contacts view at 80 columns).
#[test]
fn hints_are_left_out_whole_with_more() {
    for size in [(80, 24), (40, 12)] {
        let mut state = browser_with_contacts(size.0, size.1);
        press(&mut state, "c");
        let rows = visible_rows(&render(&state, NO_COLOR));
        let hints = rows[rows.len() - 1].trim_end();
        assert!(!hints.contains('…'), "{size:?}: {hints}");
        assert!(hints.ends_with("? more") || !hints.is_empty(), "{hints}");
        let status = rows[rows.len() - 2].trim_end();
        assert!(!status.contains('…'), "{size:?}: {status}");
    }
    let mut state = browser_with_contacts(80, 24);
    press(&mut state, "c");
    let rows = visible_rows(&render(&state, NO_COLOR));
    assert!(rows[23].trim_end().ends_with("? more"), "{}", rows[23]);
}

/// A query error is shown whole, on rows of its own above the query line;
/// the list gives those rows up and the cursor stays in view.
#[test]
fn a_query_error_has_rows_of_its_own() {
    let mut state = browser(80, 24);
    press(
        &mut state,
        "/kind:speech nosuchfield:value and more words here<Enter>",
    );
    assert!(state.query_error.is_some());
    let buffer = render(&state, NO_COLOR);
    let rows = visible_rows(&buffer);
    let error_rows = state.query_error_rows();
    assert!(!error_rows.is_empty());
    let joined: String = rows.join("\n");
    for text in &error_rows {
        assert!(joined.contains(text.as_str()), "{text:?} in\n{joined}");
    }
    assert!(
        joined.contains("the list shows the last good results"),
        "{joined}"
    );
    assert!(!joined.contains('…'), "{joined}");
    assert_eq!(
        state.list_rows(),
        20 - error_rows.len(),
        "the list gives up the error's rows"
    );
    assert!(state.selected >= state.offset && state.selected < state.offset + state.list_rows());
    insta::assert_snapshot!("query_error_80x24", screen_text(&buffer));
}

/// A status too long for one row (a configuration problem naming its file)
/// grows upward over the list instead of being cut.
#[test]
fn a_long_status_grows_upward_over_the_list() {
    let mut state = browser(80, 24);
    let message = "/home/press-office/.config/communique/config.toml:12:9: unknown column \"titel\" in [list] columns: did you mean \"title\"? The default columns are kept until it is mended.";
    state.status = Some(message.to_owned());
    let buffer = render(&state, NO_COLOR);
    let rows = visible_rows(&buffer);
    let shown: String = rows[19..23]
        .iter()
        .map(|row| row.trim_end())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(shown.contains(message), "{shown}");
    assert!(rows[0].contains("communique"), "the header stays");
    assert!(
        rows[23].contains("? this help"),
        "the hints stay: {}",
        rows[23]
    );
    insta::assert_snapshot!("long_status_80x24", screen_text(&buffer));
}

/// The statement's place in the list shortens with the width and never
/// takes the title's room: "statement 3 of 16" wide, "3 / 16" at 80.
#[test]
fn the_position_indicator_shortens_by_width() {
    for ((width, height), expected) in [
        ((120, 40), "statement 3 of 16"),
        ((80, 24), "3 / 16"),
        ((40, 12), "3 / 16"),
        ((30, 8), "3/16"),
    ] {
        let state = view_state("jj<Enter>", (width, height));
        let header = visible_rows(&render(&state, NO_COLOR))[0].clone();
        assert!(header.trim_end().ends_with(expected), "{width}: {header:?}");
        if width < 120 {
            assert!(!header.contains("statement 3 of"), "{width}: {header:?}");
        }
    }
}

/// The GOV.UK items whose text used to be lost, in a terminal of `size`.
fn govuk_text_state(keys: &str, (width, height): (u16, u16)) -> State {
    let archive = communique::loader::load(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/govuk-text"
        )),
        Default::default(),
    )
    .expect("the fixtures load");
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(communique::keymap::Action::Resize(width, height));
    press(&mut state, keys);
    state
}

#[test]
fn body_headings_are_bold_and_underlined_and_attachments_read_in_full() {
    // The consultation outcome (second newest), at its end: the outcome
    // heading, the attachment's title, file and address.
    let state = govuk_text_state("j<Enter>G", (80, 24));
    for theme in [NO_COLOR, COLOR] {
        let buffer = render(&state, theme);
        let rows = visible_rows(&buffer);
        let y = rows
            .iter()
            .position(|row| row.trim() == "Outcome")
            .unwrap_or_else(|| panic!("the outcome heading on screen:\n{}", rows.join("\n")));
        assert!(rows[y - 1].trim().is_empty(), "a blank line above it");
        let y = u16::try_from(y).expect("row");
        for x in cells_of(&buffer, y, "Outcome").expect("its cells") {
            let cell = &buffer[(x, y)];
            assert!(
                cell.modifier.contains(Modifier::BOLD),
                "{theme:?} ({x}, {y})"
            );
            if !theme.color {
                assert!(cell.modifier.contains(Modifier::UNDERLINED), "({x}, {y})");
            }
        }
        if !theme.color {
            insta::assert_snapshot!("govuk_attachment_end_80x24", screen_text(&buffer));
        }
    }
}

#[test]
fn the_header_says_offline_and_how_many_changes_wait() {
    let mut state = browser(80, 24);
    let theme = Theme::default();
    let header = |state: &State| visible_rows(&render(state, theme))[0].clone();
    assert!(!header(&state).contains("offline"));
    state.triage.offline = Some(3);
    assert!(
        header(&state).contains("offline — 3 changes waiting"),
        "{}",
        header(&state)
    );
    state.triage.offline = Some(1);
    assert!(
        header(&state).contains("offline — 1 change waiting"),
        "{}",
        header(&state)
    );
    state.triage.offline = Some(0);
    assert!(header(&state).contains("offline"), "{}", header(&state));
}
