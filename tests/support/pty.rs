//! Runs the built `communique` binary in a pseudo-terminal and reads its
//! screen, the way a user's terminal would.
//!
//! A reader thread feeds every byte the program writes into a `vt100` parser
//! (the screen) and keeps a raw copy (for assertions on the bytes themselves).
//! Tests type with [`Pty::send`] and [`Pty::key`], then wait for the screen to
//! show the effect with [`Pty::wait_for`]: never a fixed sleep.
//!
//! ```ignore
//! let mut term = PtyCommand::browser().size(80, 24).spawn();
//! term.expect_text("16 / 16 statements");
//! term.send("/japan");
//! term.expect_text("1 / 16");
//! term.key(Key::Enter);
//! ```
//!
//! Two things a real terminal user never notices but a test must:
//! - Keys sent before the program has drawn its first frame reach a terminal
//!   still in cooked mode (echoed, line-buffered): wait for the first frame.
//! - A lone ESC followed at once by more bytes reads as Alt+key. After
//!   [`Key::Esc`], wait for its effect before sending anything else.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// How long a wait lasts unless a test says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often waits look at the screen.
const POLL: Duration = Duration::from_millis(20);
/// How ratatui ends a frame drawn with the cursor hidden: hide the cursor.
const FRAME_END: &[u8] = b"\x1b[?25l";

/// The binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_communique");
/// The archive bundled with the crate.
/// The archive most browser tests open: see [`super::archive::core`].
#[must_use]
pub fn archive() -> &'static str {
    super::archive::core()
}

/// A key, written as a terminal would send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Delete,
    /// F1–F12.
    F(u8),
    /// Ctrl with a letter (or `@ [ \ ] ^ _`).
    Ctrl(char),
    /// Alt with a character: ESC then the character.
    Alt(char),
    Char(char),
}

impl Key {
    /// The bytes for this key. Arrows, Home and End follow the cursor-key
    /// mode the program set (`ESC [ A` normally, `ESC O A` in application
    /// mode), as a terminal does.
    #[must_use]
    pub fn bytes(self, application_cursor: bool) -> Vec<u8> {
        let cursor = |letter: char| {
            let prefix = if application_cursor { "\x1bO" } else { "\x1b[" };
            format!("{prefix}{letter}").into_bytes()
        };
        match self {
            Self::Enter => b"\r".to_vec(),
            Self::Esc => b"\x1b".to_vec(),
            Self::Tab => b"\t".to_vec(),
            Self::BackTab => b"\x1b[Z".to_vec(),
            Self::Backspace => b"\x7f".to_vec(),
            Self::Up => cursor('A'),
            Self::Down => cursor('B'),
            Self::Right => cursor('C'),
            Self::Left => cursor('D'),
            Self::Home => cursor('H'),
            Self::End => cursor('F'),
            Self::PageUp => b"\x1b[5~".to_vec(),
            Self::PageDown => b"\x1b[6~".to_vec(),
            Self::Delete => b"\x1b[3~".to_vec(),
            Self::F(n @ 1..=4) => format!("\x1bO{}", char::from(b'P' + (n - 1))).into_bytes(),
            Self::F(n) => {
                let code = match n {
                    5 => 15,
                    6 => 17,
                    7 => 18,
                    8 => 19,
                    9 => 20,
                    10 => 21,
                    11 => 23,
                    12 => 24,
                    _ => panic!("no F{n} key"),
                };
                format!("\x1b[{code}~").into_bytes()
            }
            Self::Ctrl(c) => {
                let upper = c.to_ascii_uppercase();
                assert!(
                    ('@'..='_').contains(&upper),
                    "Ctrl-{c} has no control character"
                );
                vec![upper as u8 & 0x1f]
            }
            Self::Alt(c) => {
                let mut bytes = b"\x1b".to_vec();
                bytes.extend(c.to_string().as_bytes());
                bytes
            }
            Self::Char(c) => c.to_string().into_bytes(),
        }
    }
}

/// Sequences written to the terminal that do not change the screen, as the
/// parser saw them.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    /// Window titles set (OSC 0 and 2), in order.
    pub titles: Vec<Vec<u8>>,
    /// Icon names set (OSC 0 and 1).
    pub icon_names: Vec<Vec<u8>>,
    /// OSC 52 clipboard writes: (selection, base64 data).
    pub clipboard: Vec<(Vec<u8>, Vec<u8>)>,
    /// OSC 52 clipboard reads asked for.
    pub clipboard_reads: usize,
    /// BEL characters.
    pub bells: usize,
    /// Any other OSC, split at `;`.
    pub other_oscs: Vec<Vec<Vec<u8>>>,
}

impl vt100::Callbacks for Recorded {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }

    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, icon_name: &[u8]) {
        self.icon_names.push(icon_name.to_vec());
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }

    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, ty: &[u8], data: &[u8]) {
        self.clipboard.push((ty.to_vec(), data.to_vec()));
    }

    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8]) {
        self.clipboard_reads += 1;
    }

    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        self.other_oscs
            .push(params.iter().map(|param| param.to_vec()).collect());
    }
}

/// What the reader thread writes and the test reads.
struct Output {
    parser: vt100::Parser<Recorded>,
    raw: Vec<u8>,
    /// The start of a U+FFFD cut off at the end of the last read.
    replacement_cut: Vec<u8>,
    /// Where the search for cursor-position requests resumes in `raw`.
    scanned: usize,
    /// The program's side of the terminal is closed: no more output.
    eof: bool,
    /// The test is hanging up: the reader stops at its next read.
    hanging_up: bool,
}

type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// How to start a program in a pseudo-terminal.
#[derive(Debug, Clone)]
pub struct PtyCommand {
    program: OsString,
    args: Vec<OsString>,
    /// Applied in order after the defaults; `None` removes the variable.
    env: Vec<(OsString, Option<OsString>)>,
    cwd: PathBuf,
    cols: u16,
    rows: u16,
}

impl Default for PtyCommand {
    fn default() -> Self {
        Self::new()
    }
}

impl PtyCommand {
    /// The `communique` binary with no arguments, 80×24, in the crate's
    /// folder. The environment is the test's, with `TERM=xterm-256color` and
    /// without `NO_COLOR`, `COLUMNS`, `LINES` and `COMMUNIQUE_ARCHIVE`, unless
    /// the test sets them.
    #[must_use]
    pub fn new() -> Self {
        // A cache folder of its own (the full-text index is kept there), so
        // no test writes into the user's and browsers running at once do
        // not share one; a test may still name another.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("cache")
            .join(format!("{}-{n}", std::process::id()));
        Self {
            program: BINARY.into(),
            args: Vec::new(),
            env: vec![("XDG_CACHE_HOME".into(), Some(cache.into_os_string()))],
            cwd: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            cols: 80,
            rows: 24,
        }
    }

    /// The browser on the core archive (the bundled archive's seed record
    /// and GOV.UK items).
    #[must_use]
    pub fn browser() -> Self {
        Self::new().args(["--archive", archive()])
    }

    /// Another program instead of `communique` (a shell, say).
    #[must_use]
    pub fn program(mut self, program: impl AsRef<OsStr>) -> Self {
        program.as_ref().clone_into(&mut self.program);
        self
    }

    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    #[must_use]
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    #[must_use]
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = dir.into();
        self
    }

    /// The terminal's size in cells.
    #[must_use]
    pub fn size(mut self, cols: u16, rows: u16) -> Self {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Starts the program.
    ///
    /// # Panics
    /// When the pseudo-terminal cannot be opened or the program not started.
    #[must_use]
    pub fn spawn(self) -> Pty {
        let pair = native_pty_system()
            .openpty(pty_size(self.cols, self.rows))
            .unwrap_or_else(|err| panic!("opening a pseudo-terminal: {err:#}"));
        let mut command = CommandBuilder::new(&self.program);
        command.args(&self.args);
        command.cwd(&self.cwd);
        command.env("TERM", "xterm-256color");
        for key in [
            "NO_COLOR",
            "COLUMNS",
            "LINES",
            "COMMUNIQUE_ARCHIVE",
            "COMMUNIQUE_STATE",
            "COMMUNIQUE_RESTRICTED",
        ] {
            command.env_remove(key);
        }
        // Never touch the real user's state or configuration: each program
        // gets fresh XDG folders of its own (a test's .env() still wins).
        let home = scratch_home();
        command.env("XDG_STATE_HOME", home.join("state"));
        command.env("XDG_CONFIG_HOME", home.join("config"));
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            }
        }
        let child = pair
            .slave
            .spawn_command(command)
            .unwrap_or_else(|err| panic!("starting {:?}: {err:#}", self.program));
        // Only the child may hold the terminal's other side, so the reader
        // sees end of file when the child is gone.
        drop(pair.slave);

        let master = pair.master;
        let mut reader = master
            .try_clone_reader()
            .unwrap_or_else(|err| panic!("reading the pseudo-terminal: {err:#}"));
        let writer: Writer =
            Arc::new(Mutex::new(master.take_writer().unwrap_or_else(|err| {
                panic!("writing the pseudo-terminal: {err:#}")
            })));
        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new_with_callbacks(
                self.rows.max(1),
                self.cols.max(1),
                0,
                Recorded::default(),
            ),
            raw: Vec::new(),
            replacement_cut: Vec::new(),
            scanned: 0,
            eof: false,
            hanging_up: false,
        }));
        let thread_output = Arc::clone(&output);
        let thread_writer = Arc::clone(&writer);
        let reader_thread = std::thread::Builder::new()
            .name("pty-reader".into())
            .spawn(move || read_output(&mut reader, &thread_output, &thread_writer))
            .unwrap_or_else(|err| panic!("starting the reader thread: {err}"));
        Pty {
            master: Some(master),
            writer: Some(writer),
            child,
            output,
            reader: Some(reader_thread),
            status: None,
        }
    }
}

/// Reads until end of file, feeding the parser and the raw copy, and answers
/// cursor-position requests (`CSI 6 n`) as a terminal would, so a program
/// that asks does not hang waiting.
fn read_output(reader: &mut dyn Read, output: &Mutex<Output>, writer: &Writer) {
    const REQUEST: &[u8] = b"\x1b[6n";
    let mut buffer = [0u8; 8192];
    loop {
        let count = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let mut replies = Vec::new();
        {
            let mut output = lock(output);
            if output.hanging_up {
                break;
            }
            let shown = one_cell_replacements(&mut output.replacement_cut, &buffer[..count]);
            output.parser.process(&shown);
            output.raw.extend_from_slice(&buffer[..count]);
            let mut from = output.scanned;
            while let Some(found) = find(&output.raw[from..], REQUEST) {
                let (row, col) = output.parser.screen().cursor_position();
                replies.push(format!("\x1b[{};{}R", row + 1, col + 1));
                from += found + REQUEST.len();
            }
            // A request cut in two by the read is found next time.
            output.scanned = from.max(output.raw.len().saturating_sub(REQUEST.len() - 1));
        }
        for reply in replies {
            let mut writer = lock(writer);
            let _ = writer.write_all(reply.as_bytes());
            let _ = writer.flush();
        }
    }
    lock(output).eof = true;
}

/// U+FFFD in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();
/// What the parser is given for U+FFFD: a character a terminal draws in one
/// cell, as it draws U+FFFD.
pub const REPLACEMENT_SHOWN: char = '¤';

/// The bytes with each U+FFFD (the placeholder the browser shows for
/// undecodable or C1 text) turned into [`REPLACEMENT_SHOWN`]. vt100 drops
/// U+FFFD without moving the cursor, where a terminal draws it in one cell,
/// so the rest of a row written in one go would land a cell short of where
/// the program put it, and cells written later at their own place would
/// seem stray. A U+FFFD split between two reads is kept in `cut`.
pub fn one_cell_replacements(cut: &mut Vec<u8>, bytes: &[u8]) -> Vec<u8> {
    let mut input = std::mem::take(cut);
    input.extend_from_slice(bytes);
    // Hold back a tail that could be the start of a U+FFFD.
    let keep = (1..REPLACEMENT.len())
        .rev()
        .find(|&len| input.ends_with(&REPLACEMENT[..len]))
        .unwrap_or(0);
    cut.extend_from_slice(&input[input.len() - keep..]);
    input.truncate(input.len() - keep);
    let mut shown = Vec::with_capacity(input.len());
    let mut rest = input.as_slice();
    while let Some(at) = find(rest, REPLACEMENT) {
        shown.extend_from_slice(&rest[..at]);
        shown.extend_from_slice(REPLACEMENT_SHOWN.to_string().as_bytes());
        rest = &rest[at + REPLACEMENT.len()..];
    }
    shown.extend_from_slice(rest);
    shown
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Locks, carrying on after a panic elsewhere: the data is plain bytes.
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn pty_size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// A running program in a pseudo-terminal. Dropping it kills the program.
pub struct Pty {
    /// `None` once the test hung up.
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Writer>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Output>>,
    reader: Option<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl Pty {
    /// `communique` with these arguments at this size.
    #[must_use]
    pub fn spawn<I, S>(args: I, cols: u16, rows: u16) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        PtyCommand::new().args(args).size(cols, rows).spawn()
    }

    /// The program's process id, while it has one.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// The process that runs the browser: the browser runs as the child of
    /// a guard process (which restores the terminal however it ends), so
    /// this is the spawned program's child when it has one. Waits a little
    /// for the guard to start it.
    #[must_use]
    pub fn browser_pid(&self) -> Option<u32> {
        let pid = self.pid()?;
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            let children: Vec<u32> =
                std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|child| child.parse().ok())
                    .collect();
            if let Some(&child) = children.first() {
                return Some(child);
            }
            if Instant::now() > deadline {
                return Some(pid);
            }
            std::thread::sleep(POLL);
        }
    }

    // ---- Typing ----

    /// Types text as it is (UTF-8).
    ///
    /// # Panics
    /// When the terminal cannot be written (the program closed it).
    pub fn send(&mut self, text: &str) {
        self.send_bytes(text.as_bytes());
    }

    /// Writes bytes to the program's terminal input.
    ///
    /// # Panics
    /// When the terminal cannot be written (the program closed it).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        if let Err(err) = self.try_send_bytes(bytes) {
            panic!(
                "writing {:?} to the terminal: {err}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// Writes bytes, reporting a closed terminal instead of panicking.
    ///
    /// # Errors
    /// When the write fails.
    pub fn try_send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(writer) = &self.writer else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the test hung up the terminal",
            ));
        };
        let mut writer = lock(writer);
        writer.write_all(bytes)?;
        writer.flush()
    }

    /// Presses one key.
    pub fn key(&mut self, key: Key) {
        let application_cursor = self.with_screen(vt100::Screen::application_cursor);
        self.send_bytes(&key.bytes(application_cursor));
    }

    /// Presses keys one after another (mind ESC: see the module docs).
    pub fn keys(&mut self, keys: &[Key]) {
        for key in keys {
            self.key(*key);
        }
    }

    pub fn enter(&mut self) {
        self.key(Key::Enter);
    }

    pub fn esc(&mut self) {
        self.key(Key::Esc);
    }

    pub fn ctrl_c(&mut self) {
        self.key(Key::Ctrl('c'));
    }

    // ---- The screen ----

    /// Runs `read` on the parsed screen as it is now.
    pub fn with_screen<R>(&self, read: impl FnOnce(&vt100::Screen) -> R) -> R {
        read(lock(&self.output).parser.screen())
    }

    /// The screen's text, rows joined by newlines (trailing blanks trimmed).
    #[must_use]
    pub fn screen_text(&self) -> String {
        self.with_screen(vt100::Screen::contents)
    }

    /// Each row's text, all rows included.
    #[must_use]
    pub fn rows(&self) -> Vec<String> {
        self.with_screen(|screen| {
            let (_, cols) = screen.size();
            screen.rows(0, cols).collect()
        })
    }

    /// Whether the program is in the alternate screen.
    #[must_use]
    pub fn alternate_screen(&self) -> bool {
        self.with_screen(vt100::Screen::alternate_screen)
    }

    /// Whether the program hid the cursor.
    #[must_use]
    pub fn cursor_hidden(&self) -> bool {
        self.with_screen(vt100::Screen::hide_cursor)
    }

    /// (row, column) of the cursor, from 0.
    #[must_use]
    pub fn cursor_position(&self) -> (u16, u16) {
        self.with_screen(vt100::Screen::cursor_position)
    }

    /// The last window title set (OSC 0 or 2), if any. vt100 0.16 reports
    /// titles through callbacks rather than keeping one on the screen.
    #[must_use]
    pub fn title(&self) -> Option<String> {
        self.recorded()
            .titles
            .last()
            .map(|title| String::from_utf8_lossy(title).into_owned())
    }

    /// Titles, clipboard writes, bells and other OSCs seen so far.
    #[must_use]
    pub fn recorded(&self) -> Recorded {
        lock(&self.output).parser.callbacks().clone()
    }

    /// Every byte the program has written so far.
    #[must_use]
    pub fn raw_bytes(&self) -> Vec<u8> {
        lock(&self.output).raw.clone()
    }

    /// How many bytes the program has written so far: a mark for
    /// [`Pty::raw_since`].
    #[must_use]
    pub fn raw_len(&self) -> usize {
        lock(&self.output).raw.len()
    }

    /// The bytes written after a mark from [`Pty::raw_len`].
    #[must_use]
    pub fn raw_since(&self, mark: usize) -> Vec<u8> {
        let output = lock(&self.output);
        output.raw.get(mark..).unwrap_or_default().to_vec()
    }

    /// Whether the program's side of the terminal is closed (all output read).
    #[must_use]
    pub fn output_closed(&self) -> bool {
        lock(&self.output).eof
    }

    // ---- Waiting ----

    /// Polls the screen until `holds(screen text)` or the timeout. Returns the
    /// screen that satisfied it, or an error showing the last screen (and
    /// whether the program has exited, which ends the wait early).
    ///
    /// # Errors
    /// When the timeout passes first or the program ends without the screen
    /// ever satisfying the predicate.
    pub fn wait_for(
        &mut self,
        mut holds: impl FnMut(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        self.wait_on_output(|output| holds(&output.parser.screen().contents()), timeout)
    }

    /// As [`Pty::wait_for`], with the predicate given the screen and the
    /// bytes together (under one lock, so they agree).
    fn wait_on_output(
        &mut self,
        mut holds: impl FnMut(&Output) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            // Read `eof` before the screen: after end of file the screen is
            // final, so one more look settles it.
            let closed = self.output_closed();
            let (held, screen) = {
                let output = lock(&self.output);
                (holds(&output), output.parser.screen().contents())
            };
            if held {
                return Ok(screen);
            }
            if closed {
                let status = self.wait_exit(Duration::from_secs(1));
                return Err(self.failure(
                    &format!("the program ended ({status:?}) before the screen matched"),
                    &screen,
                ));
            }
            if Instant::now() >= deadline {
                return Err(self.failure(
                    &format!("the screen did not match within {timeout:?}"),
                    &screen,
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for a predicate on a whole frame: the screen is looked at only
    /// when the output so far ends a frame drawn with the cursor hidden
    /// (every view but the line editors), never half-way through a frame
    /// the terminal received in pieces. Panics as [`Pty::expect_screen`].
    #[track_caller]
    pub fn expect_frame(&mut self, what: &str, mut holds: impl FnMut(&str) -> bool) -> String {
        let result = self.wait_on_output(
            |output| output.raw.ends_with(FRAME_END) && holds(&output.parser.screen().contents()),
            DEFAULT_TIMEOUT,
        );
        result.unwrap_or_else(|err| panic!("waiting for {what}: {err}"))
    }

    /// Has the program draw its whole screen again on a cleared terminal, by
    /// a resize one column wider and back (each redraw waited for), and
    /// returns that screen: what the current view looks like drawn afresh.
    #[track_caller]
    pub fn redraw_whole(&mut self) -> String {
        /// What the browser's fixed viewport writes when it clears on a
        /// resize (`ESC [ J`, erase below): only a clear writes it.
        const CLEARED: &[u8] = b"\x1b[J";
        let (rows, cols) = self.with_screen(vt100::Screen::size);
        let mut screen = String::new();
        for width in [cols + 1, cols] {
            let mark = self.raw_len();
            if let Err(err) = self.resize(width, rows) {
                panic!("{err}");
            }
            let result = self.wait_on_output(
                |output| {
                    let since = output.raw.get(mark..).unwrap_or_default();
                    find(since, CLEARED).is_some() && since.ends_with(FRAME_END)
                },
                DEFAULT_TIMEOUT,
            );
            screen = result.unwrap_or_else(|err| {
                panic!("waiting for the screen redrawn at {width}×{rows}: {err}")
            });
        }
        screen
    }

    /// Waits (up to [`DEFAULT_TIMEOUT`]) for `needle` on the screen.
    ///
    /// # Errors
    /// As [`Pty::wait_for`].
    pub fn wait_for_text(&mut self, needle: &str) -> Result<String, String> {
        self.wait_for(|screen| screen.contains(needle), DEFAULT_TIMEOUT)
            .map_err(|err| format!("waiting for {needle:?}: {err}"))
    }

    /// Waits for `needle` on the screen and returns the screen; panics with
    /// the last screen, readably, when it does not come.
    #[track_caller]
    pub fn expect_text(&mut self, needle: &str) -> String {
        match self.wait_for_text(needle) {
            Ok(screen) => screen,
            Err(err) => panic!("{err}"),
        }
    }

    /// Waits for a predicate on the screen; panics with `what` and the last
    /// screen when it does not hold in time.
    #[track_caller]
    pub fn expect_screen(&mut self, what: &str, holds: impl FnMut(&str) -> bool) -> String {
        match self.wait_for(holds, DEFAULT_TIMEOUT) {
            Ok(screen) => screen,
            Err(err) => panic!("waiting for {what}: {err}"),
        }
    }

    /// Waits until the screen shows `expected` again (rows compared with
    /// trailing blanks trimmed: a cell a frame wrote a space into and a
    /// cleared cell look the same); panics with `what`, the last screen and
    /// the rows that differ when it does not in time.
    #[track_caller]
    pub fn expect_same_screen(&mut self, what: &str, expected: &str) -> String {
        let expected = trimmed(expected);
        match self.wait_for(|screen| trimmed(screen) == expected, DEFAULT_TIMEOUT) {
            Ok(screen) => screen,
            Err(err) => {
                let differences = row_differences(&expected, &trimmed(&self.screen_text()));
                panic!(
                    "waiting for {what}: {err}
rows that differ (expected, then shown):
{differences}"
                )
            }
        }
    }

    fn failure(&self, reason: &str, screen: &str) -> String {
        let (rows, cols) = self.with_screen(vt100::Screen::size);
        let raw = self.raw_bytes();
        let tail = &raw[raw.len().saturating_sub(600)..];
        let ruler = "-".repeat(usize::from(cols).min(200));
        format!(
            "{reason}\nscreen ({cols}×{rows}):\n{ruler}\n{screen}\n{ruler}\nlast bytes written: {}",
            super::escapes::printable(tail)
        )
    }

    // ---- The terminal and the process ----

    /// Resizes the terminal (the program gets SIGWINCH). The parsed screen
    /// takes the new size at once; a terminal narrower than 2 columns is
    /// parsed as 2 wide (vt100 0.16 panics when a wide character, drawn
    /// for the size before, meets a 1-column screen), 0 rows as 1.
    ///
    /// # Errors
    /// When the pseudo-terminal refuses the size.
    pub fn resize(&mut self, cols: u16, rows: u16) -> Result<(), String> {
        self.claim_size(cols, rows, (u16::MAX, u16::MAX))
    }

    /// Tells the program its terminal is `cols`×`rows` (SIGWINCH) while the
    /// parsed screen stays at most `parsed`: a huge size an SSH client may
    /// claim, without this test allocating a screen that big itself.
    ///
    /// # Errors
    /// When the pseudo-terminal refuses the size.
    pub fn claim_size(&mut self, cols: u16, rows: u16, parsed: (u16, u16)) -> Result<(), String> {
        // Resize the parser first, under the lock, so output drawn for the
        // new size is never parsed at the old one.
        let master = self
            .master
            .as_ref()
            .ok_or("the test hung up the terminal")?;
        let mut output = lock(&self.output);
        output
            .parser
            .screen_mut()
            .set_size(rows.clamp(1, parsed.1), cols.clamp(2, parsed.0.max(2)));
        master
            .resize(pty_size(cols, rows))
            .map_err(|err| format!("resizing to {cols}×{rows}: {err:#}"))
    }

    /// Whether the program is still running.
    pub fn is_running(&mut self) -> bool {
        self.poll_status().is_none()
    }

    /// The exit status if the program has ended, without waiting.
    pub fn poll_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status.clone()
    }

    /// Waits for the program to exit and then for its last output to be
    /// read, so the screen is final. `None` if it is still running at the
    /// timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.poll_status() {
                break status;
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(POLL);
        };
        // The child is gone, so end of file follows its last bytes promptly;
        // the extra second only guards against a stuck reader.
        let drained = deadline.max(Instant::now() + Duration::from_secs(1));
        while !self.output_closed() && Instant::now() < drained {
            std::thread::sleep(POLL);
        }
        Some(status)
    }

    /// Closes the terminal, as a dropped SSH connection or a closed terminal
    /// window does: the program's reads then fail and its session gets
    /// SIGHUP. Output stops being recorded; the screen stays as it was.
    ///
    /// The reader thread holds the terminal open while it waits in `read`,
    /// so it is told to stop and woken with a one-row resize (the program
    /// redraws); then the last handles close.
    ///
    /// # Errors
    /// When the program never redraws, so the reader cannot be woken.
    pub fn hang_up(&mut self) -> Result<(), String> {
        let Some(master) = self.master.take() else {
            return Ok(());
        };
        lock(&self.output).hanging_up = true;
        let size = master
            .get_size()
            .map_err(|err| format!("reading the terminal size: {err:#}"))?;
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut taller = true;
        while !self.reader.as_ref().is_none_or(JoinHandle::is_finished) {
            if Instant::now() >= deadline {
                self.master = Some(master);
                return Err("the reader was not woken: the program drew nothing".into());
            }
            // Alternate heights, so every nudge is a change (a SIGWINCH).
            let rows = if taller { size.rows + 1 } else { size.rows };
            taller = !taller;
            let _ = master.resize(PtySize { rows, ..size });
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.writer = None;
        drop(master);
        Ok(())
    }

    /// Sends a signal (`"TERM"`, `"HUP"`, `"INT"`, …) with `kill(1)`.
    ///
    /// # Panics
    /// When the program has no process id or `kill` fails.
    pub fn signal(&mut self, name: &str) {
        // The browser itself, not the guard it runs under (which could
        // not pass SIGKILL on).
        let pid = self.browser_pid().expect("the program has a process id");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .unwrap_or_else(|err| panic!("running kill: {err}"));
        assert!(status.success(), "kill -{name} {pid} failed: {status}");
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.poll_status().is_none() {
            // SIGHUP, then SIGKILL if it lingers; then reap it.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // With the child gone the reader reaches end of file; do not hang a
        // failing test on it if something else still holds the terminal.
        if let Some(reader) = self.reader.take() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(POLL);
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
    }
}

/// A fresh folder under Cargo's scratch space for one spawned program.
fn scratch_home() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "pty-home-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::create_dir_all(&path);
    path
}

/// The screen's rows with trailing blanks trimmed.
#[must_use]
pub fn trimmed(screen: &str) -> String {
    screen
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

/// Each row that differs between two screens, numbered from 0, as the
/// expected row (`-`) then the shown one (`+`), with `{:?}` quoting so
/// invisible and wide characters can be told apart.
#[must_use]
pub fn row_differences(expected: &str, shown: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let shown: Vec<&str> = shown.lines().collect();
    let mut out = String::new();
    for row in 0..expected.len().max(shown.len()) {
        let (want, got) = (expected.get(row), shown.get(row));
        if want != got {
            out.push_str(&format!("{row:>3} - {want:?}\n{row:>3} + {got:?}\n"));
        }
    }
    out
}
