//! The `communique` binary: arguments, then settings, then either the
//! browser or a headless command. Errors print one line and exit non-zero;
//! a closed pipe is success.

use std::process::ExitCode;

use clap::Parser as _;
use communique::cli::{Cli, is_broken_pipe, run_command, warn};
use communique::settings::{Env, Settings};

/// Loading allocates millions of small strings from two threads at once;
/// mimalloc does that faster than the system allocator and fragments less.
/// Built without transparent huge pages (`no_thp` in Cargo.toml): with
/// them, each first touch of its arenas zeroed 2 MiB, most of a cold load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = Settings::load(&cli, &Env::from_process());
    let result = match &cli.command {
        Some(command) => run_command(&settings, command),
        // The browser runs under a guard that restores the terminal however
        // it ends (see guard.rs); the guarded child runs the browser itself.
        None if communique::guard::wanted() => communique::guard::run(),
        None => communique::app::run(&settings),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            warn(&format!("{err:#}"));
            ExitCode::FAILURE
        }
    }
}
