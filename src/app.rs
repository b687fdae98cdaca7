//! The browser's event loop. [`run_loop`] is generic over ratatui's
//! `Backend` and fed an iterator of [`Input`]s, so tests drive the real loop
//! on a `TestBackend`; [`run`] wires it to the real terminal.

use std::io::{BufWriter, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEvent, KeyEventKind, MouseEvent, MouseEventKind,
};
use ratatui::crossterm::execute;

mod ansi16;
pub mod finder;
pub mod indexer;
pub mod loading;
mod perform;
pub mod searcher;
pub mod signatories;
pub mod worker;

pub use perform::{Link, RealTerminal};

use crate::keymap::{Action, Key};
use crate::settings::Settings;
use crate::state::{Effect, State};
use crate::ui::{Screen, Theme};
use crate::watch::{ArchiveWatch, Reloaded};

/// What the loop reacts to.
#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
    /// Keys that arrived together (a burst over SSH): handled in order, then
    /// one frame is drawn.
    Keys(Vec<KeyEvent>),
    /// Text pasted into the terminal (bracketed paste), as one event.
    Paste(String),
    Resize(u16, u16),
    Mouse(MouseEvent),
    /// Nothing happened for a while (a chance to poll for outside changes).
    Tick,
    /// The archive changed on disk and was loaded again.
    Reloaded(Box<Reloaded>),
    /// A background search finished.
    Searched(searcher::Found),
    /// More of the archive arrived (the first load streams in).
    Arrived(Box<loading::Arrived>),
    /// A find on the pages of a long statement finished.
    PageFound(finder::PageFound),
    /// The triage store has news (others' changes, the link up or down, a
    /// note that met a conflict when it was sent).
    StoreNews,
    /// The full-text index got further.
    Indexed(indexer::Indexed),
    /// The full-text index kept in the cache folder was opened and checked
    /// (off the drawing thread: checking a big one takes seconds).
    KeptIndex(Box<KeptIndex>),
    /// A signatory page, timeline or comparison was worked out.
    Signatories(Box<signatories::Answered>),
    /// The terminal has an event waiting: wakes [`TerminalInputs`], which
    /// takes the event itself first (never handed on).
    TerminalWaiting,
}

/// Applies one input to the state.
pub fn handle(state: &mut State, input: Input) {
    // A statement drawn since the last input may have turned out damaged.
    state.notice_damage();
    if let Input::Searched((generation, hits, failed)) = input {
        state.search_done(generation, hits);
        if let Some(why) = failed {
            state.full_text_failed(&why);
        }
        return;
    }
    if let Input::KeptIndex(kept) = input {
        let KeptIndex { full_text, note } = *kept;
        state.full_text_opened(full_text, note);
        return;
    }
    if let Input::Indexed(indexed) = input {
        if indexed.stale {
            // The kept index could not be carried over to a reload.
            state.full_text_failed(indexed.error.as_deref().unwrap_or_default());
            return;
        }
        if let Some(error) = indexed.error {
            state.report(error);
        }
        state.text_indexed_to(&indexed.full_text, indexed.indexed, indexed.again_from);
        return;
    }
    if let Input::PageFound((generation, forward, page)) = input {
        state.page_found(generation, forward, page);
        return;
    }
    if let Input::Signatories(answered) = input {
        let (generation, answer) = *answered;
        state.signatories_done(generation, answer);
        return;
    }
    if let Input::Arrived(arrived) = input {
        // A batch for an archive since replaced (by a reload) is stale.
        if arrived.archive != state.archive_number {
            return;
        }
        let arrived = *arrived;
        // The directory, merged after the load ended: nothing else.
        if let Some(directory) = arrived.contacts {
            state.contacts_gathered(directory);
            return;
        }
        match arrived.catalog {
            Some(catalog) => state.catalog_arrived(*catalog, arrived.progress),
            None => state.statements_arrived(
                arrived.statements,
                arrived.index,
                arrived.progress,
                arrived.order,
            ),
        }
        if let Some(finished) = arrived.finished {
            state.loading_done(finished.directory, finished.problem_lines);
            if let Some(error) = finished.error {
                state.report(error);
            } else if let Some(catalog) = finished.catalog {
                state.report(catalog);
            }
            // A duplicated id's first copy, or an earlier version of an item,
            // is already on screen: reload, and the reloaded archive holds no
            // copy of the one, the latest version of the other.
            if !finished.withdrawn.is_empty() || finished.read_again {
                state.effects.push(Effect::Reload);
            }
        }
        return;
    }
    if let Input::Reloaded(reloaded) = input {
        let Reloaded {
            catalog,
            held_back: held,
            gathered,
            files,
        } = *reloaded;
        let retired = state.replace_archive(catalog, files);
        state.set_signatories_gathered(gathered);
        std::thread::spawn(move || drop(retired));
        if held > 0 {
            state.report(format!("{held} file(s) still being written: retrying"));
        } else if state.status.as_deref().is_some_and(|status| {
            status.starts_with("reloading") || status.contains("still being written")
        }) {
            state.status = None;
        }
        return;
    }
    match input {
        Input::Key(key) if key.kind == KeyEventKind::Press => state.press(Key::from_event(key)),
        Input::Keys(keys) => {
            let keys: Vec<Key> = keys
                .into_iter()
                .filter(|key| key.kind == KeyEventKind::Press)
                .map(Key::from_event)
                .collect();
            state.press_all(&keys);
        }
        Input::Paste(text) => state.paste(&text),
        Input::Resize(width, height) => state.update(Action::Resize(width, height)),
        Input::Mouse(mouse) if state.mouse => match mouse.kind {
            MouseEventKind::ScrollDown => state.mouse(Action::Down),
            MouseEventKind::ScrollUp => state.mouse(Action::Up),
            MouseEventKind::Down(_) => state.mouse(Action::Click(mouse.row)),
            _ => {}
        },
        Input::Key(_)
        | Input::Mouse(_)
        | Input::Tick
        | Input::StoreNews
        | Input::Reloaded(_)
        | Input::Searched(_)
        | Input::PageFound(_)
        | Input::Indexed(_)
        | Input::KeptIndex(_)
        | Input::Signatories(_)
        | Input::Arrived(_)
        | Input::TerminalWaiting => {}
    }
    state.settle();
}

/// Performs the effects the state asks for (triage, clipboard, suspend) and
/// reports back into the state. The real terminal and tests supply their own.
pub trait Perform<B: Backend> {
    /// # Errors
    /// When the terminal cannot be written.
    fn perform(
        &mut self,
        terminal: &mut Terminal<B>,
        state: &mut State,
        effect: Effect,
    ) -> anyhow::Result<()>;

    /// Called when no input came for a while: a chance to pick up changes
    /// made by other processes.
    /// Returns whether anything changed (so the frame needs drawing again).
    fn tick(&mut self, _state: &mut State) -> bool {
        false
    }

    /// Called after each frame (so after every input): a chance to go on
    /// with work handed over a piece at a time, so no input waits long
    /// behind it.
    fn between(&mut self, _state: &State) {}
}

/// Draws, reads an input, updates, performs effects; until the state says
/// quit or the inputs end (the terminal went away).
///
/// # Errors
/// When drawing to the terminal fails.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    theme: Theme,
    inputs: impl IntoIterator<Item = Input>,
    performer: &mut impl Perform<B>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    fit_terminal(terminal, state, size.width, size.height)?;
    let mut inputs = inputs.into_iter();
    let mut redraw = true;
    let mut wide = crate::ui::wide::WideCells::default();
    loop {
        // Bodies left on disk are read for what is about to be shown.
        for at in state.wanted_bodies() {
            let body = crate::loader::read_body(&state.catalog.statements[at]);
            state.body_read(at, body);
        }
        // And the matching sentences of what is listed.
        for at in state.wanted_snippets() {
            let text = crate::search::text::statement_text(&state.catalog.statements[at]);
            state.text_read(at, text);
        }
        // An idle tick that changed nothing draws nothing.
        if redraw {
            terminal.draw(|frame| {
                panic_for_tests();
                wide.render(frame, Screen { state, theme });
            })?;
        }
        if state.quit {
            return Ok(());
        }
        // After the frame, so a key's echo never waits for it.
        performer.between(state);
        let Some(input) = inputs.next() else {
            return Ok(());
        };
        redraw = match input {
            // News from the store is read as a tick reads it, at once.
            Input::Tick | Input::StoreNews => performer.tick(state),
            _ => true,
        };
        if let Input::Resize(width, height) = input {
            fit_terminal(terminal, state, width, height)?;
            continue;
        }
        handle(state, input);
        for effect in std::mem::take(&mut state.effects) {
            performer.perform(terminal, state, effect)?;
        }
    }
}

/// Sizes the drawing area (and the state's layout) to the terminal, at most
/// [`crate::state::MAX_SIZE`]: ratatui keeps two buffers of the area, so an
/// SSH client claiming 20000×20000 must not decide how much memory is used.
fn fit_terminal<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    width: u16,
    height: u16,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (width, height) = crate::state::clamped_size(width, height);
    terminal.resize(ratatui::layout::Rect::new(0, 0, width, height))?;
    state.update(Action::Resize(width, height));
    Ok(())
}

/// Lowers the calling thread's priority by ten steps from where it starts
/// (on Linux niceness is per thread), so the drawing thread goes first while
/// loading and matching keep every core busy. Relative, not absolute: a
/// browser started under `nice` keeps its threads below its drawing thread
/// rather than raising them (which only root could do).
pub(crate) fn lower_priority() {
    lower_priority_by(10);
}

/// Lowers the calling thread's priority as far as it goes (by nineteen
/// steps, to the least): for the full-text indexer, which runs for minutes
/// at a million statements and must give way to drawing and to searches
/// (at ten steps below drawing, a key typed while it ran now and then
/// waited 30–45 ms to be shown).
pub(crate) fn lowest_priority() {
    lower_priority_by(19);
}

fn lower_priority_by(steps: i32) {
    #[cfg(target_os = "linux")]
    {
        let thread = Some(rustix::thread::gettid());
        if let Ok(current) = rustix::process::getpriority_process(thread) {
            let _ = rustix::process::setpriority_process(thread, (current + steps).min(19));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = steps;
}

/// Debug builds only: `COMMUNIQUE_PANIC_IN_DRAW=1` panics inside drawing and
/// `COMMUNIQUE_FAIL_ALLOCATION_IN_DRAW=1` fails an allocation there, so the
/// end-to-end tests can prove the terminal is restored after either.
fn panic_for_tests() {
    panic_if_asked("COMMUNIQUE_PANIC_IN_DRAW", "inside drawing");
    #[cfg(debug_assertions)]
    {
        if std::env::var_os("COMMUNIQUE_FAIL_ALLOCATION_IN_DRAW").is_some() {
            // More than any address space: the allocator fails and Rust
            // aborts the process at once, with no hook run.
            let huge: Vec<u8> = Vec::with_capacity(1 << 50);
            std::hint::black_box(huge);
        }
    }
}

/// Debug builds only: panics `place` when the environment variable
/// `variable` is set, for the end-to-end tests of how the browser ends.
pub(crate) fn panic_if_asked(variable: &str, place: &str) {
    #[cfg(debug_assertions)]
    assert!(
        std::env::var_os(variable).is_none(),
        "{variable} is set: panicking {place} as asked"
    );
    #[cfg(not(debug_assertions))]
    let _ = (variable, place);
}

pub(crate) fn enter_terminal(mouse: bool) -> anyhow::Result<()> {
    ratatui::crossterm::terminal::enable_raw_mode().context("entering raw mode")?;
    execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen
    )
    .context("entering the alternate screen")?;
    // A paste arrives as one event, not as keys (each of which would act).
    execute!(std::io::stdout(), EnableBracketedPaste).context("enabling bracketed paste")?;
    if mouse {
        execute!(std::io::stdout(), EnableMouseCapture).context("enabling the mouse")?;
    }
    Ok(())
}

pub(crate) fn leave_terminal(mouse: bool) {
    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    // try_restore, not restore: on a terminal that is gone, restore would
    // print its failure to that same dead terminal, and a panic while the
    // panic hook runs aborts the process.
    let _ = ratatui::try_restore();
    let _ = execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
}

/// Bytes a frame is gathered in before it is written: a full redraw of a
/// wide, colourful screen fits.
const FRAME_BUFFER: usize = 1 << 16;

/// The terminal the browser draws on: stdout through [`ansi16::Ansi16`], in
/// raw mode on the alternate screen, restored by a panic too. A panic on a
/// background thread (a search, the indexer, the loader) ends the browser
/// as one on the drawing thread does: left running, it would draw on the
/// terminal just given back and wait for results that never come.
fn open_terminal(
    mouse: bool,
) -> anyhow::Result<Terminal<CrosstermBackend<ansi16::Ansi16<BufWriter<std::io::Stdout>>>>> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave_terminal(mouse);
        hook(info);
        if std::thread::current().name() != Some("main") {
            std::process::exit(101);
        }
    }));
    enter_terminal(mouse)?;
    let backend = CrosstermBackend::new(
        // Each frame leaves in one write (ratatui flushes after drawing):
        // stdout alone would send it in 1 KiB pieces, each a packet over SSH
        // and a moment where the terminal shows half a frame.
        ansi16::Ansi16::new(BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout())),
    );
    // A fixed viewport, sized by the loop (clamped): a full-screen one
    // would follow whatever size the terminal claims.
    let size = backend.size().context("reading the terminal size")?;
    let (width, height) = crate::state::clamped_size(size.width, size.height);
    Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, width, height)),
        },
    )
    .context("opening the terminal")
}

/// Inputs from the real terminal and from every background worker. Ends
/// when a signal asks the process to stop or the terminal can no longer be
/// read, so a dropped SSH connection never leaves a process spinning.
///
/// The loop waits on one channel: every worker sends its results on it
/// ([`TerminalInputs::to_loop`]), and a thread of its own reads the
/// terminal, puts each event on a channel of terminal events and wakes the
/// loop on the first. Terminal events are taken first: a key that waits
/// while results arrive is answered before them (and usually makes them
/// stale).
pub struct TerminalInputs {
    stop: Arc<AtomicBool>,
    /// What every background worker sends the loop (loaded batches,
    /// search results, reloads, indexing progress, answers, store news),
    /// in the order sent, and the terminal reader's wake-ups.
    inputs: std::sync::mpsc::Receiver<Input>,
    to_loop: std::sync::mpsc::Sender<Input>,
    /// Keys, pastes, clicks and resizes, as the terminal gave them.
    terminal: std::sync::mpsc::Receiver<Input>,
    last_tick: std::time::Instant,
    /// Inputs met after a burst of keys (another terminal event, a result
    /// that came in as the key did): given next, in this order.
    held: std::collections::VecDeque<Input>,
}

/// How long a burst of keys may take to arrive: keys sent together are
/// taken as one burst even when the terminal hands them over a little apart.
const BURST_GAP: Duration = Duration::from_millis(1);

/// How often the terminal reader looks at the stop flag.
const READER_WAKES: Duration = Duration::from_millis(100);

/// How long the loop waits with nothing to do before it ticks.
const TICK: Duration = Duration::from_millis(250);

/// The most keys taken as one burst (one frame is drawn after each burst).
const MAX_BURST: usize = 1_024;

impl TerminalInputs {
    /// Watches SIGTERM, SIGHUP, SIGINT and SIGQUIT, and starts reading the
    /// terminal.
    ///
    /// # Errors
    /// When the signal handlers cannot be installed.
    pub fn new() -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
            // Its default ends the process (with a core) and leaves the
            // terminal raw: end cleanly instead.
            signal_hook::consts::SIGQUIT,
        ] {
            signal_hook::flag::register(signal, Arc::clone(&stop))
                .context("installing signal handlers")?;
        }
        spawn_watchdog(Arc::clone(&stop));
        let (to_loop, inputs) = std::sync::mpsc::channel();
        let (events, terminal) = std::sync::mpsc::channel();
        spawn_reader(Arc::clone(&stop), events, to_loop.clone());
        Ok(Self {
            stop,
            inputs,
            to_loop,
            terminal,
            last_tick: std::time::Instant::now(),
            held: std::collections::VecDeque::new(),
        })
    }

    /// A sender for a background worker's results.
    #[must_use]
    pub fn to_loop(&self) -> std::sync::mpsc::Sender<Input> {
        self.to_loop.clone()
    }

    /// A terminal event waiting, if any: `Err` once the terminal cannot be
    /// read.
    fn terminal_event(&mut self, wait: Duration) -> Result<Option<Input>, ()> {
        use std::sync::mpsc::RecvTimeoutError;
        match self.terminal.recv_timeout(wait) {
            Ok(input) => Ok(Some(input)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(()),
        }
    }

    /// After a key: every key already waiting is taken too, so a burst is
    /// handled as one (each key still acts in order) and drawn once.
    fn burst(&mut self, first: Input) -> Input {
        let Input::Key(first) = first else {
            return first;
        };
        let mut keys = vec![first];
        while keys.len() < MAX_BURST {
            match self.terminal_event(BURST_GAP) {
                Ok(Some(Input::Key(key))) => keys.push(key),
                Ok(Some(other)) => {
                    self.held.push_back(other);
                    break;
                }
                Ok(None) | Err(()) => break,
            }
        }
        match keys.len() {
            1 => Input::Key(first),
            _ => Input::Keys(keys),
        }
    }
}

/// Reads the terminal on a thread of its own until `stop` is set or the
/// terminal cannot be read, putting each event on `events` and waking the
/// loop through `wake`. Ending, it drops `events`, which tells the loop.
fn spawn_reader(
    stop: Arc<AtomicBool>,
    events: std::sync::mpsc::Sender<Input>,
    wake: std::sync::mpsc::Sender<Input>,
) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(READER_WAKES) {
                Ok(true) => match read_event() {
                    Ok(Some(input)) => {
                        if events.send(input).is_err() {
                            break;
                        }
                        let _ = wake.send(Input::TerminalWaiting);
                    }
                    Ok(None) => {}
                    Err(()) => break,
                },
                Ok(false) => {}
                Err(_) => break,
            }
        }
        drop(events);
        let _ = wake.send(Input::TerminalWaiting);
    });
}

impl Iterator for TerminalInputs {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        use std::sync::mpsc::RecvTimeoutError;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(held) = self.held.pop_front() {
                return Some(held);
            }
            match self.terminal_event(Duration::ZERO) {
                Ok(Some(input)) => return Some(self.burst(input)),
                Ok(None) => {}
                Err(()) => return None,
            }
            let until_tick = TICK.saturating_sub(self.last_tick.elapsed());
            match self.inputs.recv_timeout(until_tick) {
                Ok(Input::TerminalWaiting) => {}
                Ok(input) => match self.terminal_event(Duration::ZERO) {
                    // A key came in meanwhile: it goes first (and the
                    // terminal event its burst ended at, if any).
                    Ok(Some(key)) => {
                        let burst = self.burst(key);
                        self.held.push_back(input);
                        return Some(burst);
                    }
                    Ok(None) => return Some(input),
                    Err(()) => return None,
                },
                Err(RecvTimeoutError::Timeout) => {
                    self.last_tick = std::time::Instant::now();
                    return Some(Input::Tick);
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

/// Reads one terminal event that is ready: `Ok(None)` for events the loop
/// does not use, `Err` when the terminal cannot be read.
fn read_event() -> Result<Option<Input>, ()> {
    match event::read() {
        Ok(Event::Key(key)) => Ok(Some(Input::Key(key))),
        Ok(Event::Resize(width, height)) => Ok(Some(Input::Resize(width, height))),
        Ok(Event::Mouse(mouse)) => Ok(Some(Input::Mouse(mouse))),
        Ok(Event::Paste(text)) => Ok(Some(Input::Paste(text))),
        Ok(_) => Ok(None),
        Err(_) => Err(()),
    }
}

/// Ends the process when its terminal is gone or a stop signal is not
/// answered. crossterm's reader can spin on a hung-up terminal without ever
/// returning, so the loop alone cannot be trusted to notice; every triage
/// change is already committed, so exiting loses nothing.
fn spawn_watchdog(stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut stopping_for = 0;
        loop {
            std::thread::sleep(Duration::from_millis(100));
            if !std::io::stdin().is_terminal() {
                // Hung up: nothing can be drawn or restored any more.
                std::process::exit(129);
            }
            if stop.load(Ordering::Relaxed) {
                stopping_for += 1;
                // The loop answers within one poll (250 ms); give it twice that.
                if stopping_for >= 6 {
                    // Whatever holds the loop up, the terminal is given back.
                    leave_terminal(true);
                    std::process::exit(143);
                }
            }
        }
    });
}

/// Refuses to start without a usable terminal, before writing any byte.
fn check_terminal() -> anyhow::Result<()> {
    let term = std::env::var("TERM").unwrap_or_default();
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the browser needs a terminal (for pipes and scripts use `communique list`, `show` or `check`; over SSH use `ssh -t`)"
        );
    }
    if term.is_empty() || term == "dumb" {
        anyhow::bail!(
            "the browser needs a terminal that can move the cursor (TERM is {:?}); use `communique list` or `show` instead",
            term
        );
    }
    Ok(())
}

/// Opens the state file as the current user.
fn open_store(
    path: std::path::PathBuf,
) -> Result<(Box<dyn crate::store::TriageStore>, Option<String>), crate::store::StoreError> {
    crate::store::open_for_browser(&path, &crate::store::Store::user(), None)
}

/// The full-text index kept for the archive, opened: the index (none when
/// it could not be opened: the browser indexes in memory), and what the
/// status line should say.
#[derive(Debug)]
pub struct KeptIndex {
    pub full_text: Option<crate::search::FullText>,
    pub note: Option<String>,
}

/// A catalog snapshot this large (about 200,000 statements) is read before
/// the kept full-text index is opened, not beside it.
const BIG_SNAPSHOT: u64 = 100 << 20;

/// Opens the full-text index kept for the archive in the cache folder on a
/// thread of its own (its checks read the whole file) and sends it to the
/// loop: at once searchable when the archive is unchanged, else built
/// again there. Without a usable cache folder the index stays in memory.
/// It starts once `go` says so: at once, or beside a big snapshot once the
/// first statements are on their way (or the load ended without any):
/// reading the whole index beside the loader reading a million statements'
/// snapshot delayed the first of them (5–7 s instead of 2–4). Until it is
/// open, `text:` finds nothing, and the header says why.
fn open_kept_index(
    folder: std::path::PathBuf,
    root: std::path::PathBuf,
    policy: crate::loader::ReadPolicy,
    send: std::sync::mpsc::Sender<Input>,
    go: std::sync::mpsc::Receiver<()>,
) {
    std::thread::spawn(move || {
        lower_priority();
        let _ = go.recv();
        drop(go);
        // The SQLite file's tables checked as stored, every file of the
        // text index against its checksum; a search that still finds it
        // damaged (changed while open) throws it away and indexes again.
        let opened = crate::loader::file_stamps(&root, policy).and_then(|stamps| {
            crate::search::text::cache::open_checked(
                &folder,
                &root,
                &stamps,
                crate::search::text::cache::Check::Quick,
            )
        });
        let kept = match opened {
            Ok(opened) => KeptIndex {
                full_text: Some(opened.full_text),
                note: opened
                    .rebuilt
                    .filter(|why| why != crate::search::text::cache::NOT_KEPT)
                    .map(|why| format!("full-text index built again: {why}")),
            },
            Err(err) => KeptIndex {
                full_text: None,
                note: Some(format!("full-text index kept in memory only: {err:#}")),
            },
        };
        let _ = send.send(Input::KeptIndex(Box::new(kept)));
    });
}

/// Passes the triage store's news on to the loop's channel, until either
/// side is gone.
fn forward_news(news: std::sync::mpsc::Receiver<()>, to_loop: std::sync::mpsc::Sender<Input>) {
    std::thread::spawn(move || {
        while news.recv().is_ok() {
            if to_loop.send(Input::StoreNews).is_err() {
                return;
            }
        }
    });
}

/// Opens the browser on the archive, as the settings say.
///
/// # Errors
/// No terminal, an archive that cannot be opened, or a terminal failure.
pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    check_terminal()?;
    let policy = settings.read_policy.clone().map_err(anyhow::Error::msg)?;
    // Loading and matching use every core, at a lower priority than the
    // drawing thread, so typing is echoed at once while they run. First
    // thing: anything parallel (an empty index is built below) would start
    // rayon's pool with its defaults, and this would be refused.
    let _ = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| lower_priority())
        .build_global();
    let archive_path = settings.archive.value.clone();
    std::fs::metadata(&archive_path)
        .map_err(|err| anyhow::anyhow!("cannot open archive {}: {err}", archive_path.display()))?;
    let name = crate::loader::Archive {
        root: archive_path.clone(),
        ..crate::loader::Archive::default()
    }
    .name();
    let mut state = State::new(name, Vec::new(), 0);
    state.loading = Some(crate::loader::Progress::default());
    state.today = chrono::Local::now().date_naive();
    state.mouse = settings.mouse;
    state.restricted = settings.restricted.value;
    state.keymap = settings.keymap.clone();
    state.default_sort = settings.sort;
    state.columns.clone_from(&settings.columns);
    let theme = settings.theme;
    let inputs = TerminalInputs::new()?;
    // The one channel every worker sends the loop what it has.
    let to_loop = inputs.to_loop();
    let (go, first_arrived) = std::sync::mpsc::channel();
    if let Some(cache) = &settings.cache {
        // Until it is open nothing is indexed; then it takes up what has
        // arrived meanwhile. Beside a small snapshot it opens at once (the
        // two reads do not get in each other's way, and it is searchable
        // sooner).
        let snapshot = crate::catalog::snapshot::file_for(&cache.value, &archive_path);
        if std::fs::metadata(snapshot).map_or(true, |kept| kept.len() < BIG_SNAPSHOT) {
            let _ = go.send(());
        }
        state.full_text = None;
        state.text_opening = true;
        open_kept_index(
            cache.value.clone(),
            archive_path.clone(),
            policy,
            to_loop.clone(),
            first_arrived,
        );
    }
    let source = crate::catalog::Source::new(
        &archive_path,
        policy,
        settings.cache.as_ref().map(|chosen| chosen.value.as_path()),
    );
    let to_state = loading::to_channel(to_loop.clone());
    loading::start(source.clone(), state.archive_number, move |arrived| {
        if !arrived.statements.is_empty() || arrived.finished.is_some() {
            // Heard once; later ones find nobody listening.
            let _ = go.send(());
        }
        to_state(arrived)
    });
    let searcher = searcher::start(to_loop.clone());
    state.background_search = true;
    let finder = finder::start(to_loop.clone());
    let indexer = indexer::Indexer::start(to_loop.clone());
    let signatories = signatories::Worker::start(to_loop.clone());
    let reloaded = to_loop.clone();
    let watch = match ArchiveWatch::start(source, settings.poll, move |update| {
        reloaded.send(Input::Reloaded(Box::new(update))).is_ok()
    }) {
        Ok(watch) => Some(watch),
        Err(err) => {
            state.report(format!("not watching the archive for changes: {err:#}"));
            None
        }
    };
    let mut terminal = open_terminal(settings.mouse)?;
    let multiplexer = crate::clipboard::Multiplexer::from_env(
        std::env::var("TMUX").ok().as_deref(),
        std::env::var("STY").ok().as_deref(),
    );
    let mut link = Link { store: None };
    match settings
        .state
        .clone()
        .and_then(|path| open_store(path.value).map_err(|err| err.to_string()))
    {
        Ok((mut store, warning)) => {
            if let Some(news) = store.news() {
                forward_news(news, to_loop.clone());
            }
            link.store = Some(store);
            if let Some(warning) = warning {
                state.report(warning);
            }
        }
        Err(err) => {
            state.triage.unavailable = Some(err.to_string());
            state.report(format!("triage is off: {err}"));
        }
    }
    link.load_into(&mut state);
    if let Some(summary) = crate::cli::problems_summary(&settings.problems) {
        state.report(summary);
    }
    let mut performer = RealTerminal {
        mouse: settings.mouse,
        multiplexer,
        link,
        watch,
        searcher,
        finder,
        indexer,
        signatories,
        text_feed: indexer::Feed::default(),
    };
    let result = run_loop(&mut terminal, &mut state, theme, inputs, &mut performer);
    leave_terminal(settings.mouse);
    performer.link.keep_unsaved_note(&state);
    result.map(|()| ExitCode::SUCCESS)
}
