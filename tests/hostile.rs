//! Hostile archive text, in process (RELIABILITY.md "Display", 1–4): every
//! view drawn through the real crossterm backend into bytes, and the bytes
//! read back with `support::escapes` and a `vt100` terminal.
//!
//! The archive is `tests/fixtures/hostile/` (escape sequences, C0 and C1
//! controls, bidi overrides, zero-width and tag characters, Korean in NFD,
//! wide characters at every column edge, 100,000-character lines), with
//! hostile triage marks, tags, notes and saved searches on top, as another
//! user of a shared state file could write them.
//!
//! Two tours (the archive, and its 100,000-character record on its own)
//! press their way through every view at six sizes, in colour and without.
//! Each frame is drawn once on a long-lived crossterm terminal, whose bytes
//! feed a long-lived vt100 screen; what a fresh terminal would be sent for
//! the same frame is worked out from the frame's buffer. The tests below
//! each assert one kind of problem the tours recorded.

#[path = "fixtures/hostile/records.rs"]
mod records;
mod support;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::rc::Rc;
use std::sync::OnceLock;

use communique::keymap::Action;
use communique::loader::Archive;
use communique::records::Statement;
use communique::sanitize::{clean_line, clean_text};
use communique::state::State;
use communique::store::{Marks, Stamp, Status};
use communique::ui::wide::WideCells;
use communique::ui::{Screen, Theme};
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use support::cells::visible_cells;
use support::escapes::{self, Sequence};
use support::keys::press;
use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthStr;

/// The default theme (colour), and the same without colour (`NO_COLOR`).
fn color() -> Theme {
    Theme::default()
}

fn no_color() -> Theme {
    Theme {
        color: false,
        ..Theme::default()
    }
}

/// Sizes every view is drawn at: classic, wide (the preview pane opens at
/// 120 columns), cramped, the minimum, below it, and one cell.
const SIZES: [(u16, u16); 6] = [(80, 24), (120, 40), (40, 12), (24, 6), (20, 5), (1, 1)];

// ---------------------------------------------------------------------------
// Unicode tables

/// Unicode general category Cf (format characters), from the Unicode 15.0
/// character database. No crate in the dependency tree exposes categories,
/// so the table is written out.
const CF: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn is_cf(c: char) -> bool {
    let code = u32::from(c);
    CF.iter().any(|&(from, to)| (from..=to).contains(&code))
}

/// Characters that must never reach the terminal from data: format
/// characters (bidi, zero-width, tags…) and the line/paragraph separators.
fn is_forbidden_text(c: char) -> bool {
    is_cf(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

// ---------------------------------------------------------------------------
// The archive and states

fn archive() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = records::write_archive(dir.path());
        communique::loader::load(&path, Default::default()).expect("the hostile archive loads")
    })
}

/// Triage marks, tags, notes and saved searches as a hostile colleague could
/// leave them in the shared state file.
fn hostile_marks(state: &mut State) {
    let sink = records::kitchen_sink();
    let stamp = Stamp {
        by: format!("mallory{}", records::OSC_TITLE),
        at: 1_700_000_000,
    };
    let tag = format!("tag{}{}", records::OSC_CLIPBOARD, records::BIDI);
    for (position, statement) in state.catalog.statements.iter().enumerate() {
        if position % 3 == 2 {
            continue;
        }
        let mut marks = Marks {
            flagged: Some(stamp.clone()),
            status: Status::InReview,
            status_set: Some(stamp.clone()),
            note: Some((format!("note {sink}\nsecond line {sink}"), stamp.clone())),
            ..Marks::default()
        };
        marks.tags.insert(tag.clone(), stamp.clone());
        state.triage.marks.insert(statement.id.clone(), marks);
    }
    state.triage.tags = vec![tag, format!("other{}", records::ZERO_WIDTH)];
    state.triage.saved = vec![
        (format!("saved{}", records::OSC_TITLE), format!("q{sink}")),
        (format!("second{}", records::BIDI), "japan".to_owned()),
    ];
    state.history = vec![format!("history{sink}")];
}

fn state_of(statements: Vec<Statement>, (width, height): (u16, u16)) -> State {
    let mut state = State::new(format!("archive{}", records::OSC_TITLE), statements, 3);
    hostile_marks(&mut state);
    state.update(Action::Resize(width, height));
    state
}

/// The hostile archive at a size, with `spec` pressed.
fn hostile_state(size: (u16, u16), spec: &str) -> State {
    let mut state = state_of(archive().statements.clone(), size);
    press(&mut state, spec);
    state
}

/// A tour of every view of the hostile archive, as keys pressed one step
/// after another in one state (each step is drawn): the search line, help,
/// the saved-search picker, every facet of the filter panel, then for each
/// statement in turn the list with it selected (the preview pane beside it
/// at 120 columns), its detail at the top, a page down and the bottom,
/// find-in-text, help over it, the note editor and the tag prompt on it.
fn tour(statements: usize) -> Vec<String> {
    let mut steps: Vec<String> = [
        "",
        "/",
        "pwned",
        "<Esc>",
        "/",
        "대한",
        "<Esc>",
        "/xxxxxxxx",
        "<Enter>",
        "<Esc>",
        "?",
        "G",
        "<Esc>",
        "b",
        "j",
        "<Esc>",
        "G",
        "<PgDn>",
        "g",
        "f",
    ]
    .iter()
    .map(|step| (*step).to_owned())
    .collect();
    for _ in 0..12 {
        steps.extend(["jj".to_owned(), "l".to_owned()]);
    }
    steps.push("q".into());
    for position in 0..statements {
        if position > 0 {
            steps.push("j".into());
        }
        for step in [
            "<Enter>", "<PgDn>", "G", "/pwn", "<Esc>", "?", "<Esc>", "q", "e", "<Esc>", "t", "ab",
            "<Esc>",
        ] {
            steps.push(step.into());
        }
    }
    steps
}

// ---------------------------------------------------------------------------
// Drawing

/// A writer the test keeps a handle on: the bytes the backend wrote.
#[derive(Clone, Default)]
struct Bytes(Rc<RefCell<Vec<u8>>>);

impl Bytes {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl Write for Bytes {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A terminal on the real crossterm backend writing into memory, drawn on
/// as the browser draws (`app::run_loop`).
struct Real {
    terminal: Terminal<CrosstermBackend<Bytes>>,
    bytes: Bytes,
    wide: WideCells,
}

impl Real {
    fn new((width, height): (u16, u16)) -> Self {
        let bytes = Bytes::default();
        let terminal = Terminal::with_options(
            CrosstermBackend::new(bytes.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )
        .expect("a crossterm terminal in memory");
        Self {
            terminal,
            bytes,
            wide: WideCells::default(),
        }
    }

    /// Draws a state; returns the bytes written and the frame's buffer.
    fn draw(&mut self, state: &State, theme: Theme) -> (Vec<u8>, Buffer) {
        let frame = self
            .terminal
            .draw(|frame| self.wide.render(frame, Screen { state, theme }))
            .expect("drawing into memory");
        let buffer = frame.buffer.clone();
        (self.bytes.take(), buffer)
    }
}

/// What a fresh real terminal is sent for a state.
fn fresh_bytes(state: &State, theme: Theme) -> Vec<u8> {
    Real::new(state.size).draw(state, theme).0
}

fn vt100_of(size: (u16, u16), bytes: &[u8]) -> vt100::Parser {
    let mut parser = vt100::Parser::new(size.1, size.0, 0);
    parser.process(bytes);
    parser
}

fn row_text(row: &[(String, ratatui::style::Style)]) -> String {
    row.iter().map(|(symbol, _)| symbol.as_str()).collect()
}

/// Each row of a vt100 screen as its visible symbols, empty cells as spaces.
fn vt100_rows(screen: &vt100::Screen) -> Vec<String> {
    let (rows, cols) = screen.size();
    (0..rows)
        .map(|row| {
            (0..cols)
                .filter_map(|col| screen.cell(row, col))
                .filter(|cell| !cell.is_wide_continuation())
                .map(|cell| {
                    if cell.has_contents() {
                        cell.contents().to_owned()
                    } else {
                        " ".to_owned()
                    }
                })
                .collect()
        })
        .collect()
}

/// A cell of a vt100 screen, everything a user can see of it.
/// Contents, background, inverse, underline, wide continuation, and the
/// foreground and bold only where they show (on a cell that is not blank).
type SeenCell = (String, vt100::Color, bool, bool, bool, vt100::Color, bool);

fn vt100_cells(screen: &vt100::Screen) -> Vec<Vec<SeenCell>> {
    let (rows, cols) = screen.size();
    (0..rows)
        .map(|row| {
            (0..cols)
                .filter_map(|col| screen.cell(row, col))
                .map(|cell| {
                    let contents = if cell.has_contents() {
                        cell.contents().to_owned()
                    } else {
                        " ".to_owned()
                    };
                    let blank = contents.trim().is_empty();
                    (
                        contents,
                        cell.bgcolor(),
                        cell.inverse(),
                        cell.underline(),
                        cell.is_wide_continuation(),
                        if blank {
                            vt100::Color::Default
                        } else {
                            cell.fgcolor()
                        },
                        !blank && cell.bold(),
                    )
                })
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Checks on bytes

/// Whether a sequence is one the program itself writes: cursor position,
/// graphic rendition, show and hide cursor.
fn is_own_sequence(sequence: &Sequence) -> bool {
    match sequence {
        Sequence::Csi(csi) => {
            let params = csi.params.as_slice();
            let numeric = params.iter().all(|b| b.is_ascii_digit() || *b == b';');
            (csi.final_byte == b'H' && numeric && csi.intermediates.is_empty())
                || csi.is_sgr()
                || (params == b"?25" && matches!(csi.final_byte, b'h' | b'l'))
        }
        _ => false,
    }
}

/// What is wrong with bytes written to the terminal: foreign sequences, any
/// control character outside a sequence, format characters, invalid UTF-8.
fn byte_problems(bytes: &[u8], what: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for sequence in escapes::sequences(bytes) {
        if !is_own_sequence(&sequence) {
            problems.push(format!("{what}: wrote {sequence:?}"));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let forbidden: BTreeSet<String> = text
                .chars()
                .filter(|c| is_forbidden_text(*c))
                .map(|c| format!("U+{:04X}", u32::from(c)))
                .collect();
            if !forbidden.is_empty() {
                problems.push(format!("{what}: wrote {forbidden:?}"));
            }
        }
        Err(err) => problems.push(format!("{what}: not UTF-8: {err}")),
    }
    problems
}

// ---------------------------------------------------------------------------
// The walk

/// Problems found by the walk, by kind.
#[derive(Default)]
struct Report {
    frames: usize,
    /// Foreign sequences, controls or format characters in the bytes.
    bytes: Vec<String>,
    /// Rows that do not take exactly the terminal's width.
    widths: Vec<String>,
    /// A terminal (vt100) fed the bytes shows something else than the buffer.
    agreement: Vec<String>,
    /// A long-lived terminal shows something else than a fresh one.
    stale: Vec<String>,
    /// The same, where what is left over is half a flag (a regional
    /// indicator), which terminals that give each indicator its own cell
    /// (vt100, glibc's wcwidth) keep when the first half is overwritten.
    stale_flags: Vec<String>,
    /// The same, where only the attributes of a blank cell differ (a
    /// reverse-video or coloured blank left where a wide character was).
    stale_attributes: Vec<String>,
    /// Every byte written for the list, the details and the previews at
    /// 80×24 and 120×40, for the placeholder checks.
    shown: String,
    /// The largest frame written (bytes), and where.
    largest: (usize, String),
}

/// The tour of the hostile archive but its 100,000-character record.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| walk(|statement| statement.id != LONG_ID))
}

/// The tour of the 100,000-character record and one other. (Drawing the
/// long record is slow in a debug build, so it is not in every frame of the
/// main tour.)
fn long_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        walk(|statement| statement.id == LONG_ID || statement.id == "hostile-osc-title")
    })
}

const LONG_ID: &str = "hostile-long";

/// Tours the statements of the hostile archive that `keep` keeps at every
/// size, drawing every step in colour and without.
fn walk(keep: impl Fn(&Statement) -> bool) -> Report {
    let statements: Vec<Statement> = archive()
        .statements
        .iter()
        .filter(|statement| keep(statement))
        .cloned()
        .collect();
    let mut report = Report::default();
    let steps = tour(statements.len());
    let themes = [("colour", color()), ("no colour", no_color())];
    for size in SIZES {
        let mut state = state_of(statements.clone(), size);
        let mut lasting: Vec<Lasting> = themes.iter().map(|_| Lasting::new(size)).collect();
        let mut pressed = String::new();
        let mut details = BTreeSet::new();
        for step in &steps {
            press(&mut state, step);
            state.effects.clear();
            pressed.push_str(step);
            if let communique::state::View::Detail(detail) = &state.view {
                details.insert(detail.statement);
            }
            for ((name, theme), lasting) in themes.iter().zip(&mut lasting) {
                let what = format!("{}×{} {name} after {:?}", size.0, size.1, tail(&pressed));
                report.frames += 1;
                check_frame(&mut report, &state, *theme, &what, lasting);
            }
        }
        assert_eq!(
            details.len(),
            statements.len(),
            "the tour opens every statement at {size:?}"
        );
    }
    report
}

/// A terminal that lives through a whole tour: the real backend, with a
/// vt100 screen reading its bytes.
struct Lasting {
    real: Real,
    screen: vt100::Parser,
}

impl Lasting {
    fn new((width, height): (u16, u16)) -> Self {
        Self {
            real: Real::new((width, height)),
            screen: vt100::Parser::new(height, width, 0),
        }
    }
}

/// The last keys of a long tour, for messages.
fn tail(pressed: &str) -> String {
    let count = pressed.chars().count();
    pressed.chars().skip(count.saturating_sub(30)).collect()
}

/// vt100 drops U+FFFD (it stands for bytes it could not decode), where a
/// terminal draws it in one cell: give vt100 another one-cell character.
const FFFD_FOR_VT100: &str = "¤";

fn for_vt100(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .replace('\u{FFFD}', FFFD_FOR_VT100)
        .into_bytes()
}

/// Draws one state on the lasting terminal, works out what a fresh terminal
/// would have been sent, and records what is wrong.
fn check_frame(
    report: &mut Report,
    state: &State,
    theme: Theme,
    what: &str,
    lasting: &mut Lasting,
) {
    let size = state.size;
    let (redrawn, buffer) = lasting.real.draw(state, theme);
    let bytes = fresh_bytes_of(&buffer);

    // What a fresh terminal is sent: the bytes, the widths, what it shows.
    report.bytes.extend(byte_problems(&bytes, what));
    if bytes.len() > report.largest.0 {
        report.largest = (bytes.len(), what.to_owned());
    }
    if matches!(size, (80, 24) | (120, 40)) {
        report.shown.push_str(&String::from_utf8_lossy(&bytes));
    }
    let cells = visible_cells(&buffer);
    let drawn: Vec<String> = cells
        .iter()
        .map(|row| row_text(row).replace('\u{FFFD}', FFFD_FOR_VT100))
        .collect();
    for (y, row) in cells.iter().enumerate() {
        let columns: usize = row.iter().map(|(symbol, _)| symbol.width()).sum();
        if columns != usize::from(size.0) {
            report.widths.push(format!(
                "{what}: row {y} takes {columns} columns: {:?}",
                row_text(row)
            ));
        }
    }
    let fresh = vt100_of(size, &for_vt100(&bytes));
    for (y, (seen, drawn)) in vt100_rows(fresh.screen()).iter().zip(&drawn).enumerate() {
        if seen != drawn {
            report.agreement.push(format!(
                "{what}: row {y}: the terminal shows {seen:?}, the buffer holds {drawn:?}"
            ));
        }
    }

    // The lasting terminal, sent only what changed since the last step,
    // against the fresh terminal and the fresh buffer.
    report
        .bytes
        .extend(byte_problems(&redrawn, &format!("{what} (redrawn)")));
    lasting.screen.process(&for_vt100(&redrawn));
    let want = vt100_cells(fresh.screen());
    let got = vt100_cells(lasting.screen.screen());
    let rows = vt100_rows(lasting.screen.screen());
    for (y, ((got, want), (row, drawn))) in got
        .iter()
        .zip(&want)
        .zip(rows.iter().zip(&drawn))
        .enumerate()
    {
        if got == want && row == drawn {
            continue;
        }
        let differing: Vec<(usize, &SeenCell, &SeenCell)> = got
            .iter()
            .zip(want)
            .enumerate()
            .filter(|(_, (got, want))| got != want)
            .map(|(x, (got, want))| (x, got, want))
            .collect();
        let problem = format!(
            "{what}: row {y} after a redraw shows {row:?}, a fresh buffer {drawn:?}; cells {:?}",
            differing
                .iter()
                .take(3)
                .map(|(x, got, want)| format!("x={x} {got:?} not {want:?}"))
                .collect::<Vec<_>>()
        );
        let half_flag = |cell: &SeenCell| cell.0.chars().any(is_regional_indicator);
        let blank = |cell: &SeenCell| cell.0.trim().is_empty();
        // Each differing cell is half a flag left over, a blank cell whose
        // attributes are stale, or anything else.
        if differing
            .iter()
            .any(|(_, got, want)| !(half_flag(got) || blank(got) && blank(want)))
            || differing.is_empty()
        {
            report.stale.push(problem);
        } else if differing.iter().any(|(_, got, _)| half_flag(got)) {
            report.stale_flags.push(problem);
        } else {
            report.stale_attributes.push(problem);
        }
    }
}

/// What a fresh terminal is sent for a frame: what ratatui's `Terminal`
/// sends the backend for its first frame (every cell that differs from an
/// empty buffer, then hide the cursor), through the real crossterm backend.
/// Checked against a fresh `Terminal` by `fresh_bytes_are_what_a_new_terminal_is_sent`.
fn fresh_bytes_of(buffer: &Buffer) -> Vec<u8> {
    use ratatui::backend::Backend;
    let bytes = Bytes::default();
    let mut backend = CrosstermBackend::new(bytes.clone());
    let updates = Buffer::empty(buffer.area).diff(buffer);
    backend
        .draw(updates.into_iter())
        .expect("drawing into memory");
    backend.hide_cursor().expect("hiding the cursor");
    Backend::flush(&mut backend).expect("flushing");
    bytes.take()
}

/// Asserts a kind of problem is absent from both tours.
#[track_caller]
fn assert_none(problems: impl Fn(&Report) -> &Vec<String>, what: &str) {
    let mut found = Vec::new();
    let mut frames = 0;
    for report in [report(), long_report()] {
        frames += report.frames;
        found.extend(problems(report).iter().cloned());
    }
    let first: Vec<&str> = found.iter().take(12).map(String::as_str).collect();
    assert!(
        found.is_empty(),
        "{} {what} in {frames} frames, the first:\n{}",
        found.len(),
        first.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The tests

/// The committed fixture is what `records.rs` generates. To rewrite it:
/// `COMMUNIQUE_WRITE_FIXTURES=1 cargo test --test hostile committed_fixture`.
#[test]
fn committed_fixture_is_up_to_date() {
    let path = records::committed_path();
    let generated = records::archive_json();
    if std::env::var_os("COMMUNIQUE_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &generated).expect("writing the fixture");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: COMMUNIQUE_WRITE_FIXTURES=1 cargo test --test hostile committed_fixture",
        path.display()
    );
    assert!(generated.is_ascii(), "the fixture must be plain ASCII");
}

#[test]
fn the_hostile_archive_loads_whole() {
    let archive = archive();
    assert_eq!(
        archive.problems.len(),
        0,
        "problems: {:?}",
        archive.problems
    );
    assert_eq!(archive.statements.len(), records::records().len());
    let title = &archive
        .statements
        .iter()
        .find(|s| s.id == "hostile-osc-title")
        .expect("the OSC title record")
        .title;
    assert!(
        title.contains(records::OSC_TITLE),
        "the loader keeps text as published: {title:?}"
    );
}

/// Display 1 and 2: only cursor moves, SGR and cursor show/hide; no OSC,
/// no other escape, no C0 or C1 control, no bidi, zero-width, tag or
/// separator character, in any view at any size, fresh or redrawn.
#[test]
fn every_view_writes_only_the_programs_own_sequences() {
    let report = report();
    assert!(
        report.frames > 1000,
        "the walk drew {} frames",
        report.frames
    );
    assert!(long_report().frames > 100);
    assert_none(|report| &report.bytes, "foreign bytes");
}

/// Display 1: the data shows as visible placeholders instead.
#[test]
fn control_characters_show_as_placeholders() {
    let shown = &report().shown;
    for placeholder in [
        "␛]0;pwned␇",
        "␛]52;c;aGVsbG8=␇",
        "␛[2J",
        "\u{FFFD}2J",
        "bel␇",
        "nul␀",
        "bs␈",
        "del␡",
    ] {
        assert!(
            shown.contains(placeholder),
            "{placeholder:?} never shown at 80×24 or 120×40"
        );
    }
    // The bidi test words are shown, in logical order, without the marks.
    for word in [
        "lro lro lre rle lri rli fsi",
        "zerowidth",
        "softhyphen",
        "tags",
    ] {
        assert!(shown.contains(word), "{word:?} never shown");
    }
}

/// Display 3 and 4: no row takes more or fewer columns than the terminal
/// has (wide characters at every edge, 100,000-character lines).
#[test]
fn rows_take_exactly_the_terminal_width() {
    assert_none(|report| &report.widths, "rows of the wrong width");
}

/// What a terminal makes of the bytes is what the buffer holds: nothing
/// spills over a border or wraps, and placeholders are one cell each.
#[test]
fn the_terminal_shows_what_the_buffer_holds() {
    assert_none(|report| &report.agreement, "rows shown differently");
}

/// Display 3: drawing one view over another (the real backend only sends
/// changed cells) shows the same as drawing it on a fresh terminal.
#[test]
fn redraws_leave_no_stale_cells() {
    assert_none(|report| &report.stale, "stale rows");
}

/// Display 3, flags: a terminal that gives each regional indicator its own
/// cell (vt100 here; glibc's `wcwidth` gives each one column too) holds a
/// flag in two cells, where ratatui counts one two-cell grapheme. When a
/// later frame writes narrower text over the flag, ratatui 0.30 no longer
/// rewrites the second cell (it trusts the terminal to clear the right half
/// of a wide character), so the second indicator stays on screen.
#[test]
fn redraws_leave_no_half_flags() {
    assert_none(|report| &report.stale_flags, "rows with half a flag left");
}

/// Display 3: where a later frame writes over part of a wide character,
/// the terminal blanks the rest of it with the pen of that moment (vt100
/// does, as xterm does), and ratatui 0.30 does not rewrite a cell that is
/// unchanged in its buffer: a reverse-video or underlined blank was left
/// (80×24 no colour, filter panel, q, Enter: cell (52,18) stayed reversed).
/// `ui::wide::WideCells` has those cells sent again.
#[test]
fn redraws_leave_no_stale_attributes_on_blank_cells() {
    assert_none(
        |report| &report.stale_attributes,
        "rows with a stale blank cell",
    );
}

/// The shortcut the tour takes for a fresh terminal's bytes sends what a
/// new `Terminal` on the crossterm backend sends; and the frame it draws
/// from is the buffer a fresh `TestBackend` holds, so comparing a lasting
/// terminal with it compares with a fresh render on `TestBackend`.
#[test]
fn fresh_bytes_are_what_a_new_terminal_is_sent() {
    for size in [(80, 24), (120, 40), (24, 6), (1, 1)] {
        for spec in ["", "j<Enter>", "jjjjjjjjjjjj<Enter>G", "?", "f", "e", "/x"] {
            for theme in [color(), no_color()] {
                let state = hostile_state(size, spec);
                let (bytes, buffer) = Real::new(size).draw(&state, theme);
                assert!(
                    bytes == fresh_bytes_of(&buffer),
                    "{size:?} {spec:?}: the shortcut differs"
                );
                let mut test =
                    ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1))
                        .expect("a TestBackend");
                test.draw(|frame| {
                    frame.render_widget(
                        Screen {
                            state: &state,
                            theme,
                        },
                        frame.area(),
                    )
                })
                .expect("drawing on a TestBackend");
                assert_eq!(
                    *test.backend().buffer(),
                    buffer,
                    "{size:?} {spec:?}: the frame is not what TestBackend draws"
                );
            }
        }
    }
}

/// Display 4: a 100,000-character title and body with no spaces are cut or
/// wrapped within the frame, and the frame stays small.
#[test]
fn a_100000_character_line_stays_within_the_frame() {
    let statements: Vec<Statement> = archive()
        .statements
        .iter()
        .filter(|statement| statement.id == LONG_ID)
        .cloned()
        .collect();
    for size in [(80, 24), (120, 40), (24, 6)] {
        for spec in ["", "<Enter>", "<Enter><PgDn>", "<Enter>G", "/x"] {
            let mut state = state_of(statements.clone(), size);
            press(&mut state, spec);
            let (bytes, buffer) = Real::new(size).draw(&state, color());
            let what = format!("{size:?} {spec:?}");
            let rows: Vec<String> = visible_cells(&buffer)
                .iter()
                .map(|row| row_text(row))
                .collect();
            let limit = usize::from(size.0) * usize::from(size.1) * 24;
            assert!(
                bytes.len() < limit,
                "{what}: {} bytes for one frame",
                bytes.len()
            );
            assert!(
                rows.iter()
                    .any(|row| ["Lon", "xxxxxxxx", "yyyyyyyy", "zzzzzzzz"]
                        .iter()
                        .any(|long| row.contains(long))),
                "{what}: the long text is not shown:\n{}",
                rows.join("\n")
            );
        }
    }
    // Every row of every frame of the tours, the long record's included,
    // is exactly as wide as the terminal (see rows_take_exactly_…).
    for report in [report(), long_report()] {
        let (largest, what) = &report.largest;
        assert!(
            *largest < 120 * 40 * 24,
            "the largest frame of a tour is {largest} bytes ({what})"
        );
    }
}

/// The Korean and wide records of the hostile archive, every string in
/// NFC, or every string decomposed into NFD.
fn korean(decomposed: bool) -> Vec<Statement> {
    fn decompose(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = records::nfd(text),
            serde_json::Value::Array(items) => items.iter_mut().for_each(decompose),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(decompose),
            _ => {}
        }
    }
    records::records()
        .into_iter()
        .filter(|record| {
            record["id"]
                .as_str()
                .is_some_and(|id| id == "hostile-korean-nfc" || id.starts_with("hostile-wide"))
        })
        .map(|mut record| {
            if decomposed {
                decompose(&mut record);
            }
            serde_json::from_value(record).expect("a statement")
        })
        .collect()
}

/// Display 3: Korean in NFD draws exactly the bytes Korean in NFC does, in
/// every view.
#[test]
fn nfd_korean_draws_the_same_bytes_as_nfc() {
    let (composed, decomposed) = (korean(false), korean(true));
    assert_ne!(
        composed[0].title, decomposed[0].title,
        "the NFD archive is decomposed"
    );
    assert!(
        decomposed[0]
            .title
            .chars()
            .any(|c| ('\u{1100}'..='\u{11FF}').contains(&c))
    );
    let mut differences = Vec::new();
    for size in [(80, 24), (120, 40), (40, 12)] {
        for spec in [
            "", "<Enter>", "<Enter>G", "j<Enter>", "f", "fl", "fll", "flll", "fllll", "flllll",
            "/'대한", "?",
        ] {
            let draw = |statements: Vec<Statement>| {
                let mut state = state_of(statements, size);
                press(&mut state, spec);
                fresh_bytes(&state, color())
            };
            if draw(composed.clone()) != draw(decomposed.clone()) {
                differences.push(format!("{size:?} {spec:?}"));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "NFD drawn differently from NFC: {differences:?}"
    );
}

/// Korean typed in the search line (NFC, as every input method writes it)
/// finds a statement stored in NFD, as it finds one stored in NFC.
#[test]
fn nfd_korean_is_found_by_a_typed_query() {
    for decomposed in [false, true] {
        let mut state = state_of(korean(decomposed), (80, 24));
        press(&mut state, "/대한");
        assert_eq!(
            state.hits.len(),
            1,
            "NFD archive: {decomposed}: hits for a typed 대한"
        );
    }
}

/// Display 2: a signatory whose name is written backwards behind U+202E
/// is shown in logical order, so it cannot pose as "Minister of Japan".
#[test]
fn a_spoofed_signatory_shows_in_logical_order() {
    let statement = archive()
        .statements
        .iter()
        .find(|s| s.id == "hostile-spoofed-signatory")
        .expect("the spoofed record");
    let signatory = &statement.signatories[0];
    assert_eq!(
        clean_line(&signatory.label()),
        format!("{}, Japan", records::SPOOFED_LOGICAL)
    );
    for view in ["/retsinim", "/'retsinim<Enter><Enter>"] {
        for size in [(80, 24), (120, 40)] {
            let state = hostile_state(size, view);
            let (bytes, buffer) = Real::new(size).draw(&state, color());
            let text: String = visible_cells(&buffer)
                .iter()
                .map(|row| row_text(row))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                text.contains(records::SPOOFED_LOGICAL),
                "{view:?} at {size:?}: the name in logical order:\n{text}"
            );
            assert!(!text.contains("Minister of Japan"), "{text}");
            assert_eq!(byte_problems(&bytes, view), Vec::<String>::new());
        }
    }
}

/// A small deterministic generator (xorshift), so no new crate is needed
/// and a failure repeats.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }
}

/// Every character of interest: all C0 and C1 controls, DEL, every format
/// character, separators, Hangul syllables and jamo, combining marks, wide
/// characters, emoji pieces, and plain text.
fn char_pool() -> Vec<char> {
    let mut pool: Vec<char> = (0u32..0x20)
        .chain(0x7F..0xA0)
        .filter_map(char::from_u32)
        .collect();
    for &(from, to) in CF {
        pool.extend((from..=to).filter_map(char::from_u32));
    }
    pool.extend(['\u{2028}', '\u{2029}', '\u{85}', '\u{FFFD}']);
    pool.extend("aZ 09.,;:!?'\"[]]\\-_~한국대민외교부日本中文😀👨👩👧🇺🇦🇰🇷❤️☺éñ".chars());
    pool.extend((0x1100u32..0x1113).filter_map(char::from_u32)); // leading jamo
    pool.extend((0x1161u32..0x1176).filter_map(char::from_u32)); // vowel jamo
    pool.extend((0x11A8u32..0x11C3).filter_map(char::from_u32)); // trailing jamo
    pool.extend(['\u{301}', '\u{308}', '\u{327}', '\u{FE0F}', '\u{1F3FB}']);
    pool
}

fn random_string(random: &mut Random, pool: &[char]) -> String {
    let length = random.below(40);
    (0..length)
        .map(|_| pool[random.below(pool.len())])
        .collect()
}

/// The cleaning function's contract, over 20,000 random strings: no control
/// character and no format character comes out, the text is NFC, and
/// cleaning twice changes nothing more.
#[test]
fn clean_line_never_lets_a_control_or_format_character_through() {
    let pool = char_pool();
    let mut random = Random(0x5eed_1234_abcd_9876);
    let mut failures = Vec::new();
    for _ in 0..20_000 {
        let text = random_string(&mut random, &pool);
        let line = clean_line(&text);
        let lines = clean_text(&text);
        let bad_line: Vec<String> = line
            .chars()
            .filter(|c| c.is_control() || is_forbidden_text(*c))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        let bad_text: Vec<String> = lines
            .chars()
            .filter(|c| (c.is_control() && *c != '\n') || is_forbidden_text(*c))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        if !bad_line.is_empty() || !bad_text.is_empty() {
            failures.push(format!(
                "{text:?}: clean_line kept {bad_line:?}, clean_text kept {bad_text:?}"
            ));
        }
        if line.nfc().collect::<String>() != line {
            failures.push(format!("{text:?}: clean_line gave text that is not NFC"));
        }
        if clean_line(&line) != line {
            failures.push(format!("{text:?}: cleaning twice changes {line:?}"));
        }
    }
    let first: Vec<&String> = failures.iter().take(20).collect();
    assert!(
        failures.is_empty(),
        "{} failures, the first: {first:#?}",
        failures.len()
    );
}

/// Each format character on its own, so a miss names the character.
#[test]
fn clean_line_removes_every_format_character() {
    let mut kept = Vec::new();
    for &(from, to) in CF {
        for c in (from..=to).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            if clean_line(&text).contains(c) {
                kept.push(format!("U+{:04X}", u32::from(c)));
            }
        }
    }
    assert!(kept.is_empty(), "kept: {kept:?}");
}

/// Archive text chosen in the filter panel goes into the query line as a
/// term; the query line must show it cleaned like every other archive text.
#[test]
fn a_facet_value_chosen_in_the_filter_panel_is_shown_cleaned() {
    let mut problems = Vec::new();
    // Organisation is the second facet; its values are "Org <hostile>".
    for size in [(80, 24), (120, 40)] {
        for cursor in 0..12 {
            let spec = format!("fl{} q", "j".repeat(cursor));
            let state = hostile_state(size, &spec);
            if !state.query_text.contains("org:") {
                continue;
            }
            let bytes = fresh_bytes(&state, color());
            problems.extend(byte_problems(&bytes, &format!("{size:?} {spec:?}")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The status line can quote text from the shared state file (a saved
/// search's name) and the tag prompt can be filled with a tag by Tab; both
/// must be cleaned before they are drawn.
#[test]
fn saved_search_names_and_completed_tags_are_shown_cleaned() {
    let mut problems = Vec::new();
    for spec in ["b<Enter>", "bj<Enter>", "t<Tab>", "t<Tab><Tab>"] {
        let state = hostile_state((80, 24), spec);
        let bytes = fresh_bytes(&state, color());
        problems.extend(byte_problems(&bytes, spec));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Display 3: the same organisation written in NFD and NFC is one value of
/// the filter panel, not two rows that look the same; and signatories with
/// the same role in NFD and NFC are one group.
#[test]
fn nfd_and_nfc_forms_of_one_value_are_one_facet_value_and_one_group() {
    let organisation = "대한민국 외교부";
    let statements: Vec<Statement> = [organisation.to_owned(), records::nfd(organisation)]
        .iter()
        .enumerate()
        .map(|(n, name)| {
            serde_json::from_value(serde_json::json!({
                "id": format!("korean-{n}"),
                "title": format!("Statement {n}"),
                "published": format!("2024-01-0{}", n + 1),
                "organisations": [name],
                "signatories": [
                    {"role": format!("장관 {name}"), "country": format!("Country {n}")},
                ],
            }))
            .expect("a statement")
        })
        .collect();
    let mut state = State::new("korean".into(), statements.clone(), 0);
    state.update(Action::Resize(80, 24));
    press(&mut state, "fl");
    let rows: Vec<String> = visible_cells(&{
        let mut real = Real::new((80, 24));
        real.draw(&state, no_color()).1
    })
    .iter()
    .map(|row| row_text(row))
    .collect();
    let listed: Vec<&String> = rows.iter().filter(|row| row.contains("[ ] ")).collect();
    assert_eq!(
        listed.len(),
        1,
        "one organisation value expected:\n{}",
        rows.join("\n")
    );
    let groups = communique::document::signatory_groups(
        &statements
            .iter()
            .flat_map(|s| s.signatories.clone())
            .collect::<Vec<_>>(),
    );
    let counted: BTreeMap<String, usize> = groups.iter().fold(BTreeMap::new(), |mut map, line| {
        *map.entry(line.clone()).or_default() += 1;
        map
    });
    assert_eq!(
        groups.len(),
        1,
        "one group of the role expected: {counted:?}"
    );
}
