//! `communique stats`, `communique signatory` and `communique compare`: the
//! numbers behind the browser's timelines, signatory pages and comparisons,
//! as aligned text or JSON, computed by [`crate::signatories`].

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use crate::loader::Archive;
use crate::records::Statement;
use crate::sanitize::clean_line;
use crate::signatories::{Dimension, Ledger, Period, Timeline, compare, counts, page};

/// `stats [--query Q] --by D [--json]`.
pub fn stats(
    source: &crate::catalog::Source,
    state: Option<&Path>,
    query: Option<&str>,
    by: Dimension,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let marks = state.map(super::list::read_marks).unwrap_or_default();
    // Opened and searched as `list` does.
    let (loaded, found) = super::list::open_and_find(source, &marks, query)?;
    // Counted over every statement: all restored.
    let mut loaded = loaded;
    let statements: &[crate::records::Statement] = loaded
        .statements
        .whole_mut()
        .map_err(|why| anyhow::anyhow!("catalog snapshot {why}"))?;
    let chosen: Vec<usize> = match found {
        Some((_, hits)) => hits.into_iter().map(|hit| hit.index).collect(),
        None => (0..statements.len()).collect(),
    };
    let ledger = if by == Dimension::Signatory {
        Ledger::new(statements)
    } else {
        Ledger::default()
    };
    let rows = counts(statements, &chosen, &ledger, by);
    if json {
        let rows: Vec<Value> = rows
            .iter()
            .map(|(value, count)| json!({"value": value, "count": count}))
            .collect();
        let by = format!("{by:?}").to_lowercase();
        let report = json!({"by": by, "query": query, "statements": chosen.len(), "counts": rows});
        crate::sanitize::json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<(String, usize)> = rows
        .into_iter()
        .map(|(value, count)| (clean_line(&value).into_owned(), count))
        .collect();
    let width = rows
        .iter()
        .map(|(value, _)| value.width())
        .max()
        .unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|(_, count)| count.to_string().len())
        .max()
        .unwrap_or(1);
    for (value, count) in &rows {
        let pad = width.saturating_sub(value.width());
        writeln!(out, "{value}{:pad$}  {count:>count_width$}", "")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Finds the one signatory `name` means, or says which it could mean.
fn choose(ledger: &Ledger, name: &str) -> anyhow::Result<u32> {
    let found = ledger.find(name);
    let shown = clean_line(name);
    match found.as_slice() {
        [] => anyhow::bail!(
            "no signatory matches {shown:?} (their role, country, organisation or name)"
        ),
        [one] => Ok(*one),
        [best, ..] if ledger.is_exactly(*best, name) => Ok(*best),
        many => {
            let listed: Vec<String> = many
                .iter()
                .take(10)
                .map(|&office| clean_line(&ledger.office(office).label).into_owned())
                .collect();
            let more = many.len().saturating_sub(10);
            let more = if more > 0 {
                format!("; … and {more} more")
            } else {
                String::new()
            };
            anyhow::bail!(
                "{shown:?} matches {} signatories, name one of them: {}{more}",
                many.len(),
                listed.join("; ")
            )
        }
    }
}

fn statement_json(statement: &Statement) -> Value {
    json!({
        "id": statement.id,
        "title": statement.title,
        "published": statement.published.as_str(),
        "kind": statement.kind_or_default(),
        "url": statement.url,
        "signatories": statement.signatories.len(),
    })
}

fn timeline_json(timeline: &Timeline) -> Value {
    let period = match timeline.period {
        Period::Month => "month",
        Period::Year => "year",
    };
    let bins: Vec<Value> = timeline
        .bins
        .iter()
        .map(|bin| json!({"period": bin.label(), "count": bin.count}))
        .collect();
    json!({"per": period, "bins": bins})
}

/// One statement as `list` prints it.
fn statement_line(statement: &Statement) -> String {
    format!(
        "{}  {}  [{}]",
        statement.published.date(),
        clean_line(&statement.title),
        clean_line(&statement.id)
    )
}

/// `signatory NAME [--json]`.
pub fn signatory(
    source: &crate::catalog::Source,
    name: &str,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = super::load_without_bodies(source)?;
    let ledger = Ledger::new(&loaded.statements);
    let office = choose(&ledger, name)?;
    let page = page(&ledger, &loaded.statements, office);
    let label = &ledger.office(office).label;
    let names = &ledger.office(office).names;
    if json {
        let statements: Vec<Value> = page
            .statements
            .iter()
            .map(|&at| statement_json(&loaded.statements[at]))
            .collect();
        let cosigners: Vec<Value> = page
            .cosigners
            .iter()
            .map(|c| {
                json!({
                    "signatory": ledger.office(c.office).label,
                    "together": c.together,
                    "share": c.share,
                })
            })
            .collect();
        let report = json!({
            "signatory": label,
            "names": names,
            "statements": statements,
            "timeline": timeline_json(&page.timeline),
            "cosigners": cosigners,
        });
        crate::sanitize::json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}", clean_line(label))?;
    if !names.is_empty() {
        let names: Vec<_> = names.iter().map(|n| clean_line(n)).collect();
        writeln!(out, "Names: {}", names.join("; "))?;
    }
    writeln!(
        out,
        "\nStatements signed, newest first ({}):",
        page.statements.len()
    )?;
    for &at in &page.statements {
        writeln!(out, "  {}", statement_line(&loaded.statements[at]))?;
    }
    let per = match page.timeline.period {
        Period::Month => "month",
        Period::Year => "year",
    };
    writeln!(out, "\nTimeline, per {per}:")?;
    let peak = page.timeline.peak().max(1);
    for bin in &page.timeline.bins {
        let bar = "#".repeat((bin.count * 40).div_ceil(peak));
        writeln!(out, "  {:<7}  {:>4}  {bar}", bin.label(), bin.count)?;
    }
    writeln!(out, "\nSigned with, most often first:")?;
    if page.cosigners.is_empty() {
        writeln!(out, "  no one")?;
    }
    for cosigner in &page.cosigners {
        writeln!(
            out,
            "  {:>4}  {:>4.0}%  {}",
            cosigner.together,
            cosigner.share * 100.0,
            clean_line(&ledger.office(cosigner.office).label)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn position(loaded: &Archive, id: &str, archive: &Path) -> anyhow::Result<usize> {
    loaded
        .statements
        .iter()
        .position(|statement| statement.id == id)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no statement with id {:?} in {} (see `communique list`)",
                clean_line(id),
                archive.display()
            )
        })
}

/// `compare ID ID [--json]`.
pub fn compare_command(
    source: &crate::catalog::Source,
    first: &str,
    second: &str,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let loaded = super::load_without_bodies(source)?;
    let a = position(&loaded, first, &source.root)?;
    let b = position(&loaded, second, &source.root)?;
    let ledger = Ledger::new(&loaded.statements);
    let comparison = compare(&ledger, &loaded.statements, a, b);
    let labels = |offices: &[u32]| -> Vec<String> {
        offices
            .iter()
            .map(|&office| ledger.office(office).label.clone())
            .collect()
    };
    let earlier = &loaded.statements[comparison.earlier];
    let later = &loaded.statements[comparison.later];
    if json {
        let report = json!({
            "earlier": statement_json(earlier),
            "later": statement_json(later),
            "both": labels(&comparison.both),
            "only_earlier": labels(&comparison.only_earlier),
            "new": labels(&comparison.only_later),
            "usual_missing": labels(&comparison.missing),
        });
        crate::sanitize::json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Earlier: {}", statement_line(earlier))?;
    writeln!(out, "Later:   {}", statement_line(later))?;
    let sections = [
        ("Signed both", &comparison.both),
        ("Only the earlier", &comparison.only_earlier),
        ("New in the later", &comparison.only_later),
    ];
    for (heading, offices) in sections {
        writeln!(out, "\n{heading} ({}):", offices.len())?;
        for label in labels(offices) {
            writeln!(out, "  {}", clean_line(&label))?;
        }
    }
    let missing = labels(&comparison.missing);
    let missing = if missing.is_empty() {
        "none".to_owned()
    } else {
        missing
            .iter()
            .map(|label| clean_line(label).into_owned())
            .collect::<Vec<_>>()
            .join("; ")
    };
    writeln!(out, "\nUsual co-signers missing: {missing}")?;
    Ok(ExitCode::SUCCESS)
}
