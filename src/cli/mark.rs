//! `communique mark`: triage from scripts and cron jobs, through the same
//! store and with the same attribution as the browser.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::search::parse;
use crate::store::{Change, Status, Store};

/// What to do to the chosen statements; several may be given at once.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MarkOptions {
    /// Mark read (for you: read state is each person's own).
    #[arg(long, conflicts_with = "unread")]
    pub read: bool,
    /// Mark unread (for you).
    #[arg(long)]
    pub unread: bool,
    /// Flag.
    #[arg(long, conflicts_with = "unflag")]
    pub flag: bool,
    /// Remove the flag.
    #[arg(long)]
    pub unflag: bool,
    /// Set the status: new, "in review", actioned or "no action".
    #[arg(long, value_name = "STATUS")]
    pub status: Option<Status>,
    /// Add a tag (one word); may be repeated.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Remove a tag; may be repeated.
    #[arg(long, value_name = "TAG")]
    pub untag: Vec<String>,
    /// Set the note (an empty text removes it).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
}

impl MarkOptions {
    fn changes(&self, ids: &[String]) -> Vec<Change> {
        let ids = || ids.to_vec();
        let mut changes = Vec::new();
        if self.read || self.unread {
            changes.push(Change::Read {
                ids: ids(),
                read: self.read,
            });
        }
        if self.flag || self.unflag {
            changes.push(Change::Flag {
                ids: ids(),
                flagged: self.flag,
            });
        }
        if let Some(status) = self.status {
            changes.push(Change::Status { ids: ids(), status });
        }
        for tag in &self.tag {
            changes.push(Change::Tag {
                ids: ids(),
                tag: tag.clone(),
                add: true,
            });
        }
        for tag in &self.untag {
            changes.push(Change::Tag {
                ids: ids(),
                tag: tag.clone(),
                add: false,
            });
        }
        if let Some(note) = &self.note {
            let note = (!note.trim().is_empty()).then(|| note.clone());
            changes.push(Change::Note { ids: ids(), note });
        }
        changes
    }
}

/// Marks the chosen statements. Everything is checked before anything is
/// saved (the options, the ids, the query), and all the options are applied
/// in one transaction: either every change is saved or none is.
pub fn run(
    source: &crate::catalog::Source,
    state: &Path,
    ids: &[String],
    query: Option<&str>,
    options: &MarkOptions,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    // Checked on a stand-in id: whether a change is valid does not depend
    // on which statements it goes to.
    let planned = options.changes(&[String::new()]);
    if planned.is_empty() {
        anyhow::bail!(
            "nothing to do: give --read, --unread, --flag, --unflag, --status, --tag, --untag or --note"
        );
    }
    for change in &planned {
        change.check()?;
    }
    // A bad query is told before the archive is read.
    if let Some(text) = query {
        parse(text).map_err(|err| anyhow::anyhow!("bad query {text:?}: {err}"))?;
    }
    if query.is_none() {
        let loaded = crate::catalog::load_shelved(source, crate::catalog::Wanted::Ids)?;
        if let Some(unknown) = ids.iter().find(|id| loaded.position_of(id).is_none()) {
            anyhow::bail!(
                "no statement with id {:?} in {} (see `communique list`)",
                crate::sanitize::clean_line(unknown),
                source.root.display()
            );
        }
    }
    let (mut store, warning) = crate::store::open_any(state, &Store::user())?;
    if let Some(warning) = warning {
        super::warn(&warning);
    }
    let chosen: Vec<String> = match &query {
        Some(text) => {
            let marks = store.marks()?;
            // Opened and searched as `list` does, `text:` terms included
            // (a query's text terms left unanswered would choose every
            // statement the rest of it matches).
            let (loaded, found) = super::list::open_and_find(source, &marks, Some(text))?;
            let hits = found.map(|(_, hits)| hits).unwrap_or_default();
            let chosen: Vec<String> = hits
                .into_iter()
                .map(|hit| {
                    loaded
                        .id(hit.index)
                        .map(str::to_owned)
                        .ok_or_else(|| anyhow::anyhow!("the catalog snapshot is damaged"))
                })
                .collect::<anyhow::Result<_>>()?;
            if chosen.is_empty() {
                anyhow::bail!(
                    "no statement matches the query {:?}; nothing changed",
                    crate::sanitize::clean_line(text)
                );
            }
            chosen
        }
        None => ids.to_vec(),
    };
    let changes = options.changes(&chosen);
    store.apply_all(&changes)?;
    writeln!(
        out,
        "{} to {} statement{}",
        plural_changes(changes.len()),
        chosen.len(),
        if chosen.len() == 1 { "" } else { "s" }
    )?;
    Ok(ExitCode::SUCCESS)
}

fn plural_changes(count: usize) -> String {
    if count == 1 {
        "applied 1 change".to_owned()
    } else {
        format!("applied {count} changes")
    }
}
