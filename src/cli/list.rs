//! `communique list`: one line a statement, a JSON array of records, or
//! CSV for a briefing spreadsheet.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use unicode_width::UnicodeWidthStr;

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::records::Statement;
use crate::sanitize::clean_line;
use crate::search::text::{Snippet, indexed_text, snippet, statement_text};
use crate::search::{FullText, Hit, Index, Query, parse};
use crate::store::{Marks, Stamp};

/// How `list` writes what it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Lines,
    Json,
    Csv,
}

/// A query as parsed and the statements it matches (positions in the
/// archive it was searched in), best first as the browser ranks them.
pub(super) type Found = (Query, Vec<Hit>);

/// The catalog of the archive at `source`, opened as a query needs it,
/// and what the query finds in it: `list`, `stats` and `mark --query` open
/// and search it this one way. In file order with the fuzzy index kept
/// beside the catalog snapshot; with a query of `text:` terms, also the
/// full-text index kept in the cache folder (every body read when there is
/// none, or when the kept one cannot be searched: said on stderr). Without
/// a query, nothing is searched or indexed. Bodies are left on disk unless every body
/// must be read.
///
/// # Errors
/// A bad query, or an archive that cannot be read.
pub(super) fn open_and_find(
    source: &crate::catalog::Source,
    marks: &HashMap<String, Marks>,
    query: Option<&str>,
) -> anyhow::Result<(Catalog, Option<Found>)> {
    let Some(text) = query.filter(|text| !text.trim().is_empty()) else {
        return Ok((
            crate::catalog::load_shelved(source, crate::catalog::Wanted::Listed)?,
            None,
        ));
    };
    let parsed = parse(text).map_err(|err| anyhow::anyhow!("bad query {text:?}: {err}"))?;
    let (catalog, full_text) = if parsed.has_text() {
        match kept_text(source) {
            Ok(Some((catalog, full_text))) => (catalog, Some(full_text)),
            Ok(None) => (with_bodies(source)?, None),
            Err(err) => {
                super::warn(&format!(
                    "full-text index not kept, every body read: {err:#}"
                ));
                (with_bodies(source)?, None)
            }
        }
    } else {
        (
            crate::catalog::load_shelved(source, crate::catalog::Wanted::Searched)?,
            None,
        )
    };
    match search_query(&catalog, marks, &parsed, full_text.as_ref()) {
        Ok(hits) => Ok((catalog, Some((parsed, hits)))),
        // A kept index that passed the quick checks and still cannot be
        // searched (damaged inside): thrown away, to be built again, and
        // this answer found by reading every body.
        Err(err) if full_text.is_some() => {
            super::warn(&format!(
                "the kept full-text index could not be searched, every body read: {err:#}"
            ));
            drop((full_text, catalog));
            if let Some(folder) = &source.cache {
                crate::search::text::cache::discard(folder, &source.root);
            }
            let catalog = with_bodies(source)?;
            let hits = search_query(&catalog, marks, &parsed, None)?;
            Ok((catalog, Some((parsed, hits))))
        }
        Err(err) => Err(err),
    }
}

/// The archive with every body read, indexed now.
fn with_bodies(source: &crate::catalog::Source) -> anyhow::Result<Catalog> {
    let archive = super::load(source)?;
    let index = Index::new(&archive.statements);
    Ok(Catalog::opened(archive, index, None))
}

/// What `query` finds in `catalog`, with a kept full-text index when
/// there is one (else every statement's text is indexed now, as a
/// headless command waits for its answer anyway).
fn search_query(
    catalog: &Catalog,
    marks: &HashMap<String, Marks>,
    query: &Query,
    full_text: Option<&FullText>,
) -> anyhow::Result<Vec<Hit>> {
    let rank = Some(catalog.rank.as_slice());
    // A shelved catalog reads an id from its snapshot: none is read when
    // there are no marks to look up.
    let marks_of = |at: usize| {
        if marks.is_empty() {
            return None;
        }
        catalog.id(at).and_then(|id| marks.get(id))
    };
    let hits = match full_text {
        Some(full_text) => {
            crate::search::text::search(&catalog.index, full_text, query, &marks_of, rank)?
        }
        None if query.has_text() => {
            let full_text = FullText::of_texts(catalog.statements.iter().map(statement_text))?;
            crate::search::text::search(&catalog.index, &full_text, query, &marks_of, rank)?
        }
        None => catalog.index.search_ranked(query, &marks_of, &catalog.rank),
    };
    Ok(hits)
}

/// Statements read back and indexed between two writes of the kept index.
const INDEX_AT_ONCE: usize = 2_000;

/// The archive in file order (from the catalog snapshot when unchanged)
/// with its fuzzy index, and the full-text index kept for it in the cache
/// folder, as the browser keeps it: what it lacks is indexed now and kept,
/// so the next `text:` search, here or in the browser, reads no body.
/// `None` without a cache folder.
///
/// # Errors
/// When the archive cannot be read, or the index cannot be opened (another
/// communique is writing it) or written.
fn kept_text(source: &crate::catalog::Source) -> anyhow::Result<Option<(Catalog, FullText)>> {
    let Some(folder) = &source.cache else {
        return Ok(None);
    };
    let stamps = crate::loader::file_stamps(&source.root, source.policy)?;
    // The kept index's pages are checked (a read of the whole file) on a
    // thread of their own while the catalog is opened: shelved when the
    // snapshot is kept, so only the statements the index lacks are
    // restored (none once it is whole), and those printed.
    let (opened, catalog) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| {
            crate::search::text::cache::open_checked(
                folder,
                &source.root,
                &stamps,
                crate::search::text::cache::Check::Quick,
            )
        });
        let catalog = crate::catalog::load_shelved(source, crate::catalog::Wanted::Searched);
        let opened = opening
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("checking the full-text index failed")));
        (opened, catalog)
    });
    let full_text = opened?.full_text;
    let catalog = catalog?;
    // Found whole against this very snapshot before, and not written
    // since: every id is where it was.
    let whole = catalog.generation().is_some_and(|generation| {
        full_text.indexed() == catalog.len()
            && full_text.checked_against() == Some((generation, catalog.len()))
    });
    if whole {
        return Ok(Some((catalog, full_text)));
    }
    for first in (0..catalog.len()).step_by(INDEX_AT_ONCE) {
        let end = (first + INDEX_AT_ONCE).min(catalog.len());
        let ids = (first..end)
            .map(|at| {
                catalog
                    .id(at)
                    .ok_or_else(|| anyhow::anyhow!("the catalog snapshot is damaged"))
            })
            .collect::<anyhow::Result<Vec<&str>>>()?;
        let held = full_text.resume(first, &ids)?;
        if first + held == end {
            continue;
        }
        // A body that cannot be read back is indexed without it.
        let texts = (first + held..end)
            .map(|at| {
                let statement = catalog.statement(at)?;
                Ok(statement_text(statement).unwrap_or_else(|_| indexed_text(statement)))
            })
            .collect::<anyhow::Result<Vec<String>>>()?;
        full_text.add_identified(first + held, &ids[held..], &texts)?;
    }
    if let Some(generation) = catalog.generation() {
        full_text.mark_checked(generation, catalog.len())?;
    }
    Ok(Some((catalog, full_text)))
}

pub fn run(
    source: &crate::catalog::Source,
    state: Option<&Path>,
    query: Option<&str>,
    limit: Option<usize>,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let json = format == Format::Json;
    let marks = state.map(read_marks).unwrap_or_default();
    let query = query.filter(|q| !q.trim().is_empty());
    let (loaded, found) = open_and_find(source, &marks, query)?;
    // Freed by the process's exit rather than statement by statement (a
    // tenth of a second at 100,000): `list` ends when it has printed.
    let loaded = std::mem::ManuallyDrop::new(loaded);
    // What the snippets mark: the query's text terms, as parsed once.
    let terms: Vec<_> = found
        .as_ref()
        .map(|(query, _)| query.text_terms().cloned().collect())
        .unwrap_or_default();
    // Each statement's position with how the query's fuzzy words matched
    // it, if any.
    let mut chosen: Vec<(usize, Option<Hit>)> = match (query, found) {
        (Some(text), Some((query, hits))) => {
            if query.has_fuzzy() && !hits.is_empty() && hits.iter().all(|hit| hit.weak) {
                super::warn(&format!(
                    "weak matches only: no statement matches {text:?} closely"
                ));
            }
            hits.into_iter()
                .map(|hit| (hit.index, query.has_fuzzy().then_some(hit)))
                .collect()
        }
        _ => loaded.order.iter().map(|&at| (at as usize, None)).collect(),
    };
    chosen.truncate(limit.unwrap_or(usize::MAX));
    // Only the statements printed are restored (a shelved catalog keeps
    // the rest encoded).
    let restored: anyhow::Result<Vec<(&Statement, Option<Hit>)>> = chosen
        .into_iter()
        .map(|(at, hit)| Ok((loaded.statement(at)?, hit)))
        .collect();
    let chosen = match restored {
        Ok(chosen) => chosen,
        // Damaged inside in a way its checksums did not catch: thrown away
        // and the archive read instead (and kept anew), so nothing is lost.
        Err(err) if loaded.is_shelved() => {
            super::read_again(source, &err);
            return run(source, state, query, limit, format, out);
        }
        Err(err) => return Err(err),
    };
    if json {
        let records = chosen
            .iter()
            .map(|(statement, hit)| {
                let statement = &crate::loader::read_full(statement)?;
                let mut record = with_marks(statement, marks.get(&statement.id))?;
                if let (Some(hit), Value::Object(fields)) = (hit, &mut record) {
                    fields.insert("match".into(), match_json(hit));
                }
                let found = statement_text(statement)
                    .ok()
                    .and_then(|text| snippet(&text, &terms));
                if let (Some(found), Value::Object(fields)) = (found, &mut record) {
                    fields.insert("snippet".into(), snippet_json(&found));
                }
                Ok(record)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        crate::sanitize::json::to_writer_pretty(&mut *out, &records)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if format == Format::Csv {
        write_csv(chosen.iter().map(|(statement, _)| *statement), &marks, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let kinds: Vec<String> = chosen
        .iter()
        .map(|(s, _)| kind_cell(s.kind_or_default()))
        .collect();
    let kind_width = kinds.iter().map(|kind| kind.width()).max().unwrap_or(0);
    for ((statement, _), kind) in chosen.iter().zip(&kinds) {
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

/// Columns the kind takes at most in a line of `list`: one archive's very
/// long kind would otherwise push every title of the list to the right.
const KIND_AT_MOST: usize = 24;

/// The kind as a line of `list` shows it: one clean line, cut to
/// [`KIND_AT_MOST`] columns with "…" (by grapheme, never inside a wide
/// character).
fn kind_cell(kind: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation as _;
    let kind = clean_line(kind);
    if kind.width() <= KIND_AT_MOST {
        return kind.into_owned();
    }
    let mut cell = String::new();
    let mut used = 0;
    for grapheme in kind.graphemes(true) {
        used += grapheme.width();
        if used > KIND_AT_MOST - 1 {
            break;
        }
        cell.push_str(grapheme);
    }
    cell.push('…');
    cell
}

/// The sentence a statement matched the query's `text:` terms in: its
/// text, and each hit as `[start, end)` in characters of it.
fn snippet_json(snippet: &Snippet) -> Value {
    let chars = |byte: usize| snippet.text[..byte].chars().count();
    let hits: Vec<Value> = snippet
        .hits
        .iter()
        .map(|hit| json!([chars(hit.start), chars(hit.end)]))
        .collect();
    json!({ "text": snippet.text, "hits": hits })
}

/// The list as CSV with a header row: date, kind, title, id, signatory
/// count, url and the marks column as the browser shows it (`N` unread by
/// you, `!` flagged, `r`/`a`/`x` status, `+` tags or a note, `W`
/// withdrawn). Every archive string is one clean line, safe from formula
/// injection ([`crate::sanitize::csv`]).
fn write_csv<'a>(
    statements: impl Iterator<Item = &'a Statement>,
    marks: &HashMap<String, Marks>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use crate::sanitize::csv::cell;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["date", "kind", "title", "id", "signatories", "url", "marks"])?;
    for statement in statements {
        let mut symbols = crate::ui::triage::mark_symbols(marks.get(&statement.id));
        if statement.withdrawn.is_some() {
            symbols.push('W');
        }
        writer.write_record([
            statement.published.date().to_string(),
            cell(statement.kind_or_default()),
            cell(&statement.title),
            cell(&statement.id),
            statement.signatories.len().to_string(),
            cell(statement.url.as_deref().unwrap_or("")),
            symbols.split_whitespace().collect::<String>(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The marks in the state file, read and never written (nothing is created,
/// moved or migrated), and only when a file is there. Listing never needs a
/// healthy state file: one that cannot be read (damaged, not ours, a
/// folder…) is named in one warning on stderr, and the list goes on
/// without marks.
pub(super) fn read_marks(state: &Path) -> HashMap<String, Marks> {
    // Nothing there, or an empty file no one has initialised: no marks.
    match std::fs::symlink_metadata(state) {
        _ if crate::store::postgres_url(state).is_some() => {}
        Err(_) => return HashMap::new(),
        Ok(meta) if meta.is_file() && meta.len() == 0 => return HashMap::new(),
        Ok(_) => {}
    }
    match crate::store::open_any_read_only(state).and_then(|mut store| store.marks()) {
        Ok(marks) => marks,
        Err(err) => {
            eprintln!("communique: warning: {err}; listing without marks");
            HashMap::new()
        }
    }
}

/// When a mark was set, as ISO 8601 with its offset (UTC), which every JSON
/// reader parses; `null` for a time that cannot be a date.
fn iso_time(at: i64) -> Value {
    chrono::DateTime::from_timestamp(at, 0).map_or(Value::Null, |at| {
        Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
    })
}

/// How the fuzzy words matched a statement, for `list --json`: the
/// matcher's score, whether it is weak (below 16 a character of the words:
/// letters found scattered), and how many words matched only an
/// organisation or a person (ranked below title and signatory matches).
fn match_json(hit: &Hit) -> Value {
    json!({"score": hit.score, "weak": hit.weak, "by_others": hit.by_others})
}

/// Who made a mark and when, as JSON.
fn stamp_json(stamp: &Stamp) -> Value {
    json!({"by": stamp.by, "at": iso_time(stamp.at)})
}

/// A native record with a `marks` object (triage), for `list --json` and
/// `show --json`.
pub(super) fn with_marks(
    statement: &Statement,
    marks: Option<&Marks>,
) -> serde_json::Result<Value> {
    let mut record = serde_json::to_value(statement)?;
    let default = Marks::default();
    let marks = marks.unwrap_or(&default);
    let stamp = |stamp: &Option<Stamp>| stamp.as_ref().map_or(Value::Null, stamp_json);
    let tags: serde_json::Map<String, Value> = marks
        .tags
        .iter()
        .map(|(tag, by)| (tag.clone(), stamp_json(by)))
        .collect();
    let note = marks.note.as_ref().map_or(
        Value::Null,
        |(text, by)| json!({"text": text, "by": by.by, "at": iso_time(by.at)}),
    );
    // Read state is each person's own: `read` is the reader's, `read_by`
    // everyone's (theirs included).
    let mut read_by: serde_json::Map<String, Value> = marks
        .read_by_others
        .iter()
        .map(|(by, at)| (by.clone(), iso_time(*at)))
        .collect();
    if let Some(mine) = &marks.read {
        read_by.insert(mine.by.clone(), iso_time(mine.at));
    }
    let note_history: Vec<Value> = marks
        .note_history
        .iter()
        .map(|version| json!({"text": version.text, "by": version.stamp.by, "at": iso_time(version.stamp.at)}))
        .collect();
    if let Value::Object(fields) = &mut record {
        fields.insert(
            "marks".into(),
            json!({
                "read": stamp(&marks.read),
                "read_by": read_by,
                "flagged": stamp(&marks.flagged),
                "status": marks.status.as_str(),
                "status_set": stamp(&marks.status_set),
                "tags": tags,
                "note": note,
                "note_history": note_history,
            }),
        );
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_times_are_iso_8601_with_an_offset() {
        assert_eq!(iso_time(1_796_462_043), json!("2026-12-05T09:14:03+00:00"));
        assert_eq!(iso_time(i64::MAX), Value::Null);
    }

    fn wanted(query: Option<&str>) -> crate::catalog::Wanted {
        match query {
            Some(_) => crate::catalog::Wanted::Searched,
            None => crate::catalog::Wanted::Listed,
        }
    }

    fn listed(source: &crate::catalog::Source, query: Option<&str>, format: Format) -> String {
        let mut out = Vec::new();
        run(source, None, query, Some(3), format, &mut out).expect("listed");
        String::from_utf8(out).expect("UTF-8")
    }

    /// A warm `list` restores only the statements it prints from the
    /// snapshot; one of them damaged past the checksums is read from the
    /// archive instead, the same answer given, and the snapshot kept anew.
    #[test]
    fn a_statement_damaged_in_the_snapshot_is_read_from_the_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = super::super::small_archive(dir.path(), 9);
        let (root, cache) = (source.root.clone(), dir.path().join("cache"));
        for (query, format) in [(Some("japan"), Format::Json), (None, Format::Lines)] {
            let cold = listed(&source, query, format);
            assert!(cold.contains("s9"), "{cold}");
            let warm = crate::catalog::load_shelved(&source, wanted(query)).expect("opens");
            assert!(warm.is_shelved(), "kept by the first run");
            assert_eq!(listed(&source, query, format), cold, "warm");
            // The file order is the archive's: the newest, printed first,
            // is the last written.
            crate::catalog::snapshot::damage_past_checksums(&cache, &root, 8);
            assert_eq!(listed(&source, query, format), cold, "damaged");
            let kept = crate::catalog::load_shelved(&source, wanted(query)).expect("opens");
            assert!(kept.is_shelved(), "kept anew");
            assert!(kept.statement(8).is_ok(), "whole again");
        }
    }
}
