//! `communique list`: one line a statement, or a JSON array of records.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use unicode_width::UnicodeWidthStr;

use crate::records::Statement;
use crate::sanitize::clean_line;
use crate::search::{Index, parse};

pub fn run(
    archive: &Path,
    query: Option<&str>,
    limit: Option<usize>,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = super::load(archive)?;
    let chosen: Vec<&Statement> = match query.filter(|q| !q.trim().is_empty()) {
        Some(text) => {
            let query = parse(text).map_err(|err| anyhow::anyhow!("bad query {text:?}: {err}"))?;
            let index = Index::new(&loaded.statements);
            index
                .search(&query)
                .into_iter()
                .map(|hit| &loaded.statements[hit.index])
                .collect()
        }
        None => loaded.statements.iter().collect(),
    };
    let chosen = &chosen[..limit.unwrap_or(usize::MAX).min(chosen.len())];
    if json {
        serde_json::to_writer_pretty(&mut *out, chosen)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let kind_width = chosen
        .iter()
        .map(|s| clean_line(s.kind_or_default()).width())
        .max()
        .unwrap_or(0);
    for statement in chosen {
        let kind = clean_line(statement.kind_or_default());
        let pad = kind_width.saturating_sub(kind.width());
        writeln!(
            out,
            "{}  {kind}{:pad$}  {}  [{}]",
            statement.published.date(),
            "",
            clean_line(&statement.title),
            clean_line(&statement.id),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
