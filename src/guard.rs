//! The terminal's guard: the browser runs as a child of a small process
//! that only waits for it, so the terminal is given back on *every* way the
//! browser can end. A panic, a signal or the watchdog are handled inside the
//! browser; an allocation failure (Rust aborts at once, no hook runs), a
//! SIGKILL or a crash in a library are not, and would leave an SSH user's
//! terminal raw, on the alternate screen, with no cursor. The guard saw the
//! terminal's settings before the browser changed them and puts them back.
//!
//! The guard passes job control through (when the browser stops for Ctrl-Z,
//! the guard stops too, so the shell sees the job stopped) and forwards the
//! signals sent to it alone (`kill PID`) to the browser.

use std::os::unix::process::ExitStatusExt as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use rustix::process::{Pid, Signal, WaitOptions};

/// Set in the browser the guard starts, so it does not start another.
const GUARDED: &str = "COMMUNIQUE_GUARDED";

/// What the terminal needs after a browser that could not clean up: leave
/// the alternate screen, show the cursor, no bracketed paste, no mouse
/// reports, default colours.
const RESTORE: &str =
    "\x1b[?1049l\x1b[?25h\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[0m";

/// Whether the browser should run under a guard: on a terminal, and not
/// already guarded.
#[must_use]
pub fn wanted() -> bool {
    use std::io::IsTerminal as _;
    std::env::var_os(GUARDED).is_none() && std::io::stdin().is_terminal()
}

/// Runs this same program again (same arguments) as the browser, waits for
/// it and restores the terminal if it ended without doing so itself.
/// Returns the browser's exit status as this process's.
///
/// # Errors
/// When the terminal's settings cannot be read or the browser cannot start.
pub fn run() -> anyhow::Result<ExitCode> {
    let saved =
        rustix::termios::tcgetattr(std::io::stdin()).context("reading the terminal's settings")?;
    // Signals sent to the process group reach the browser by themselves;
    // these flags catch those sent to the guard alone, to pass on.
    let forwarded = [
        (signal_hook::consts::SIGTERM, Signal::TERM),
        (signal_hook::consts::SIGHUP, Signal::HUP),
        (signal_hook::consts::SIGINT, Signal::INT),
        (signal_hook::consts::SIGQUIT, Signal::QUIT),
    ];
    let mut flags = Vec::new();
    for (number, signal) in forwarded {
        let flag = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(number, Arc::clone(&flag))
            .context("installing signal handlers")?;
        flags.push((flag, signal));
    }
    let program = std::env::current_exe().context("finding the communique program")?;
    let child = std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .env(GUARDED, "1")
        .spawn()
        .context("starting the browser")?;
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(Pid::from_raw)
        .context("the browser's process id")?;
    loop {
        for (flag, signal) in &flags {
            if flag.swap(false, Ordering::Relaxed) {
                let _ = rustix::process::kill_process(pid, *signal);
            }
        }
        let waited =
            rustix::process::waitpid(Some(pid), WaitOptions::NOHANG | WaitOptions::UNTRACED);
        let status = match waited {
            Ok(Some((_, status))) => status,
            Ok(None) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(err) if err == rustix::io::Errno::INTR => continue,
            Err(err) => return Err(err).context("waiting for the browser"),
        };
        if status.stopped() {
            // The browser stopped itself (Ctrl-Z): stop too, so the shell
            // sees the job stopped; `fg` continues the whole group, and
            // the browser once more in case only the guard was continued.
            let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
            let _ = rustix::process::kill_process(pid, Signal::CONT);
            continue;
        }
        if let Some(code) = status.exit_status() {
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
        }
        let signal = status.terminating_signal().unwrap_or(0);
        restore(&saved);
        eprintln!(
            "communique: the browser ended unexpectedly ({}); the terminal was restored",
            describe(signal)
        );
        return Ok(ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)));
    }
}

/// Puts the terminal back as it was before the browser started.
fn restore(saved: &rustix::termios::Termios) {
    use std::io::Write as _;
    let _ = rustix::termios::tcsetattr(
        std::io::stdin(),
        rustix::termios::OptionalActions::Now,
        saved,
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(RESTORE.as_bytes());
    let _ = stdout.flush();
}

/// "SIGABRT (out of memory or an internal failure)", for the message.
fn describe(signal: i32) -> String {
    let status = std::process::ExitStatus::from_raw(signal);
    match signal {
        6 => "SIGABRT: out of memory, or an internal failure".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        _ => format!("{status}"),
    }
}
