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
    // Only this statement is restored from the catalog snapshot, when one
    // is kept, and only its body read from the archive.
    let loaded = crate::catalog::load_shelved(source, crate::catalog::Wanted::Ids)?;
    let Some(at) = loaded.position_of(id) else {
        anyhow::bail!(
            "no statement with id {:?} in {} (see `communique list`)",
            crate::sanitize::clean_line(id),
            source.root.display()
        );
    };
    let found = match loaded.statement(at) {
        Ok(found) => found,
        Err(err) if loaded.is_shelved() => {
            super::read_again(source, &err);
            return run(source, state, id, json, out);
        }
        Err(err) => return Err(err),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(source: &crate::catalog::Source, id: &str) -> String {
        let mut out = Vec::new();
        run(source, None, id, true, &mut out).expect("shown");
        String::from_utf8(out).expect("UTF-8")
    }

    /// A warm `show` restores the one statement from the snapshot; damaged
    /// past the checksums, it is read from the archive instead and the
    /// snapshot kept anew.
    #[test]
    fn a_statement_damaged_in_the_snapshot_is_shown_from_the_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = super::super::small_archive(dir.path(), 4);
        let (root, cache) = (source.root.clone(), dir.path().join("cache"));
        let cold = shown(&source, "s3");
        assert!(cold.contains("Body 3."), "{cold}");
        assert!(
            crate::catalog::load_shelved(&source, crate::catalog::Wanted::Ids)
                .expect("opens")
                .is_shelved()
        );
        assert_eq!(shown(&source, "s3"), cold, "warm");
        crate::catalog::snapshot::damage_past_checksums(&cache, &root, 2);
        assert_eq!(shown(&source, "s3"), cold, "damaged");
        let kept =
            crate::catalog::load_shelved(&source, crate::catalog::Wanted::Ids).expect("opens");
        assert!(kept.is_shelved() && kept.statement(2).is_ok(), "kept anew");
        let mut out = Vec::new();
        let err = run(&source, None, "s9", true, &mut out).expect_err("no such id");
        assert!(
            err.to_string().contains("no statement with id \"s9\""),
            "{err}"
        );
    }
}
