//! The `communique` binary: arguments, then settings, then either the
//! browser or a headless command. Errors print one line and exit non-zero;
//! a closed pipe is success.

use std::process::ExitCode;

use clap::Parser as _;
use communique::cli::{Cli, is_broken_pipe, run_command};
use communique::settings::{Env, Settings};

/// Loading allocates millions of small strings from two threads at once;
/// mimalloc does that faster than the system allocator and fragments less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = Settings::load(&cli, &Env::from_process());
    let result = match &cli.command {
        Some(command) => run_command(&settings, command),
        None => communique::app::run(&settings),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("communique: {err:#}");
            ExitCode::FAILURE
        }
    }
}
