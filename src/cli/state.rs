//! `communique state`: copying triage state between a SQLite file and a
//! PostgreSQL database (`migrate`, either way, again without harm), and
//! saying whether a store is healthy (`check`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use crate::store;

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Copy every mark, read, note (with its versions), draft, tag, saved
    /// search and query history from one store into another, with who set
    /// each and when. A row already there is replaced, so running it again
    /// changes nothing.
    Migrate {
        /// The store to copy from: a file path or postgres://… (read only).
        #[arg(long, value_name = "STATE")]
        from: std::path::PathBuf,
        /// The store to copy into: created when missing.
        #[arg(long, value_name = "STATE")]
        to: std::path::PathBuf,
    },
    /// Say which database holds the state, its schema version and whether
    /// it is healthy. Exit 0 healthy, 1 otherwise.
    Check,
}

/// Runs a `state` command; `state` is the configured store (for `check`).
///
/// # Errors
/// When the output cannot be written, or a store cannot be opened for `migrate`.
pub(super) fn run(
    command: &StateCommand,
    state: Result<&Path, String>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    match command {
        StateCommand::Migrate { from, to } => {
            let mut source = store::open_any_read_only(from)?;
            let snapshot = source.export()?;
            let (mut target, warning) = store::open_any(to, &store::Store::user())?;
            if let Some(warning) = warning {
                super::warn(&warning);
            }
            target.import(&snapshot)?;
            super::write_clean(
                out,
                &format!(
                    "copied {} rows ({} statements with marks) from {} to {}",
                    snapshot.rows(),
                    snapshot.statements(),
                    source.place(),
                    target.place()
                ),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        StateCommand::Check => {
            let state = state.map_err(anyhow::Error::msg)?;
            let checked = store::open_any_read_only(state)
                .and_then(|mut store| Ok((store.health()?, store.export()?, store.place())));
            match checked {
                Ok((health, snapshot, place)) => {
                    super::write_clean(
                        out,
                        &format!(
                            "{place}: ok ({health}); {} statements with marks, {} rows",
                            snapshot.statements(),
                            snapshot.rows()
                        ),
                    )?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    super::write_clean(out, &format!("not healthy: {err}"))?;
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
