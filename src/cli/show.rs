//! `communique show ID`: one statement as readable text or native JSON, with
//! its triage marks (who set each and when) as `list --json` gives them.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::document::plain_text_with;

pub fn run(
    source: &crate::catalog::Source,
    state: Option<&Path>,
    id: &str,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    // Only this statement's body is read (the rest may come from the
    // catalog snapshot, bodies left on disk).
    let loaded = super::load_without_bodies(source)?;
    let Some(found) = loaded.find(id) else {
        anyhow::bail!(
            "no statement with id {:?} in {} (see `communique list`)",
            crate::sanitize::clean_line(id),
            source.root.display()
        );
    };
    let statement = &crate::loader::read_full(found)?;
    let marks = state.map(super::list::read_marks).unwrap_or_default();
    let marks = marks.get(&statement.id);
    if json {
        let record = super::list::with_marks(statement, marks)?;
        crate::sanitize::json::to_writer_pretty(&mut *out, &record)?;
        writeln!(out)?;
    } else {
        let default = crate::store::Marks::default();
        out.write_all(plain_text_with(statement, Some(marks.unwrap_or(&default))).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
