//! `communique show ID`: one statement as readable text or native JSON.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::document::plain_text;

pub fn run(
    archive: &Path,
    policy: crate::loader::ReadPolicy,
    id: &str,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = super::load(archive, policy)?;
    let Some(statement) = loaded.find(id) else {
        anyhow::bail!(
            "no statement with id {:?} in {} (see `communique list`)",
            crate::sanitize::clean_line(id),
            archive.display()
        );
    };
    if json {
        crate::sanitize::json::to_writer_pretty(&mut *out, statement)?;
        writeln!(out)?;
    } else {
        out.write_all(plain_text(statement).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
