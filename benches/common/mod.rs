//! What every bench shares: the synthetic archive generator (the very code of
//! `examples/generate.rs`) and ways to turn its records into statements.

#![allow(dead_code)]

#[path = "../../examples/generate.rs"]
pub mod generate;

use communique::records::Statement;
use communique::state::State;

/// The seed every bench and `scripts/bench.sh` use.
pub const SEED: u64 = 7;

/// The query typed one character at a time in the keystroke benches.
pub const TYPED_QUERY: &str = "foreign affairs japan";

/// `count` generated statements, newest first as the loader returns them,
/// parsed by the crate's own serde form (no files involved).
#[must_use]
pub fn statements(count: usize) -> Vec<Statement> {
    let mut statements: Vec<Statement> = (1..=count)
        .map(|n| {
            let json = serde_json::to_string(&generate::record(SEED, n)).expect("serialise");
            serde_json::from_str(&json).expect("a generated record parses")
        })
        .collect();
    statements.sort_by(Statement::newest_first);
    statements
}

/// A browser state over `count` statements on a `width`×`height` terminal.
#[must_use]
pub fn state(count: usize, width: u16, height: u16) -> State {
    let mut state = State::new(format!("synthetic-{count}"), statements(count), 0);
    state.update(communique::keymap::Action::Resize(width, height));
    state
}

/// Every prefix of the typed query, as the search line holds it after each key.
#[must_use]
pub fn prefixes() -> Vec<&'static str> {
    TYPED_QUERY
        .char_indices()
        .map(|(at, c)| &TYPED_QUERY[..at + c.len_utf8()])
        .collect()
}

/// Bytes the real crossterm backend writes to redraw after `action`: draws the
/// current frame, applies the action, draws again, and counts only the second
/// draw (the diff ratatui sends, with its cursor and style sequences).
#[must_use]
pub fn bytes_after(state: &mut State, action: communique::keymap::Action) -> usize {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    let (width, height) = state.size;
    let written = std::rc::Rc::new(std::cell::Cell::new(0));
    let backend = CrosstermBackend::new(CountingWriter(std::rc::Rc::clone(&written)));
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    };
    let mut terminal = Terminal::with_options(backend, options).expect("terminal");
    let theme = communique::ui::Theme::default();
    terminal
        .draw(|frame| frame.render_widget(communique::ui::Screen { state, theme }, frame.area()))
        .expect("first draw");
    written.set(0);
    state.update(action);
    terminal
        .draw(|frame| frame.render_widget(communique::ui::Screen { state, theme }, frame.area()))
        .expect("second draw");
    written.get()
}

/// A terminal that only counts what it is sent.
struct CountingWriter(std::rc::Rc<std::cell::Cell<usize>>);

impl std::io::Write for CountingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + bytes.len());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
