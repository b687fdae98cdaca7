//! The browser's event loop (in progress).

use std::process::ExitCode;

/// Opens the browser.
///
/// # Errors
/// Not yet.
pub fn run(_cli: &crate::cli::Cli) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the browser is not built yet; use a subcommand (see --help)")
}
