//! `communique check`: every problem in the archive, then a count.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::loader::{LoadOptions, ReadPolicy, load};

/// Exit 0 when clean, 1 with problems, 2 when the archive cannot be opened.
pub fn run(
    archive: &Path,
    policy: ReadPolicy,
    strict: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = match load(
        archive,
        LoadOptions {
            strict,
            policy,
            ..LoadOptions::default()
        },
    ) {
        Ok(loaded) => loaded,
        Err(err) => {
            super::warn(&format!("{err:#}"));
            return Ok(ExitCode::from(2));
        }
    };
    for problem in &loaded.problems {
        super::write_clean(out, &problem.to_string())?;
    }
    let counted = loaded.counted_problems().count();
    let notices = loaded.problems.len() - counted;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    write!(
        out,
        "{}, {}",
        plural(loaded.statements.len(), "statement"),
        plural(counted, "problem")
    )?;
    if notices > 0 {
        write!(out, ", {}", plural(notices, "notice"))?;
    }
    writeln!(out)?;
    Ok(if counted == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
