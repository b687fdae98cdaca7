//! `communique contacts [QUERY]`: the media-contacts directory, searched,
//! as readable blocks, a JSON array or vCards. Like grep, nothing found is
//! exit status 1 with a message on stderr.

use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;

use crate::contacts::{ContactEntry, Directory, vcard};
use crate::sanitize::clean_line;
use crate::search::contacts::search_contacts;

/// How the chosen contacts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Vcard,
}

impl Format {
    /// From the `--json` and `--vcard` flags, which clap keeps apart.
    #[must_use]
    pub fn from_flags(json: bool, vcard: bool) -> Self {
        match (json, vcard) {
            (true, _) => Self::Json,
            (false, true) => Self::Vcard,
            (false, false) => Self::Text,
        }
    }
}

pub fn run(
    source: &crate::catalog::Source,
    query: &str,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = super::load(source)?;
    let directory = Directory::from_archive(&loaded);
    let chosen: Vec<&ContactEntry> = search_contacts(&directory, query)
        .into_iter()
        .filter_map(|(index, _)| directory.get(index))
        .collect();
    if chosen.is_empty() {
        if query.trim().is_empty() {
            super::warn(&format!("no contacts in {}", source.root.display()));
        } else {
            super::warn(&format!("no contact matches {:?}", clean_line(query)));
        }
        return Ok(ExitCode::from(1));
    }
    match format {
        Format::Json => {
            crate::sanitize::json::to_writer_pretty(&mut *out, &chosen)?;
            writeln!(out)?;
        }
        Format::Vcard => out.write_all(vcard::vcards(chosen).as_bytes())?,
        Format::Text => {
            let today = chrono::Local::now().date_naive();
            for (position, entry) in chosen.iter().enumerate() {
                if position > 0 {
                    writeln!(out)?;
                }
                write_block(out, entry, today)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The contact's lines (the first unindented), then where it was seen.
fn write_block(
    out: &mut impl Write,
    entry: &ContactEntry,
    today: NaiveDate,
) -> std::io::Result<()> {
    for (index, line) in entry.text_lines().iter().enumerate() {
        let indent = if index == 0 { "" } else { "  " };
        writeln!(out, "{indent}{}", clean_line(line))?;
    }
    writeln!(out, "  {}", seen(entry, today))
}

/// "cited by 2 statements, last seen 12 January 2024 (over 2 years ago)",
/// "listed in 1 GOV.UK item, last seen …".
fn seen(entry: &ContactEntry, today: NaiveDate) -> String {
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let statements = entry.statements.len();
    let items = entry.sources.len().saturating_sub(statements);
    let mut parts = Vec::new();
    if statements > 0 {
        parts.push(format!("cited by {}", count(statements, "statement")));
    }
    if items > 0 {
        parts.push(format!("listed in {}", count(items, "GOV.UK item")));
    }
    let mut line = parts.join(" and ");
    match entry.last_seen {
        Some(date) => {
            line.push_str(&format!(", last seen {}", date.format("%-d %B %Y")));
            if entry.is_stale(today) {
                let years = crate::contacts::STALE_AFTER_MONTHS / 12;
                line.push_str(&format!(" (over {years} years ago)"));
            }
        }
        None => line.push_str(", date unknown"),
    }
    line
}
