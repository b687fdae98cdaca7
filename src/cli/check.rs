//! `communique check`: every problem in the archive, then a count.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::loader::{LoadOptions, ReadPolicy, load};

/// Exit 0 when clean, 1 with problems or when a folder holds nothing any
/// format reads, 2 when the archive cannot be opened. Files no format reads
/// are counted on the last line, and named with `verbose`.
pub fn run(
    archive: &Path,
    policy: ReadPolicy,
    strict: bool,
    verbose: bool,
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
    if verbose {
        for path in &loaded.skipped {
            super::write_clean(out, &format!("{}: skipped: {SKIPPED}", path.display()))?;
        }
    }
    // A folder of files no format reads (a folder of PDFs, or of a format
    // communique does not know) is not a clean archive of no statements.
    let nothing = archive.is_dir() && loaded.files_read == 0;
    if nothing {
        super::write_clean(
            out,
            &format!(
                "nothing to read in {}: no file is in a statement format ({})",
                archive.display(),
                crate::formats::file_names().join(", ")
            ),
        )?;
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
    if !loaded.skipped.is_empty() {
        let files = plural(loaded.skipped.len(), "file");
        writeln!(out, "{files} skipped: {SKIPPED}")?;
    }
    Ok(if counted == 0 && !nothing {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Why a file was not read.
const SKIPPED: &str = "not a statement format";
