//! RSS and Atom feeds: a feed file is one record holding one statement per
//! item. Read with `feed-rs` (RSS 0.9x, 1.0 and 2.0, Atom); item HTML goes
//! through the same reader as GOV.UK bodies.
//!
//! An item's id is its guid (Atom `id`), else its link, else its title,
//! prefixed by a short stable hash of the feed's own identity (its Atom `id`
//! or channel link) so that two feeds cannot give the same id and a feed
//! saved twice gives the same ids again.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Link, Person, Text};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};

use super::govuk::{
    counting_flattened, flattened_message, html_to_text, html_to_text_and_links_from,
};
use super::json::{Positions, position_of};
use super::{Decoded, Format, Framing, Record, RecordRef, Severity, StatementAt, no_lint};
use crate::records::{Origin, Published, Signatory, Statement, Update};

/// Feeds are read whole: a feed is one XML document.
pub const FORMAT: Format = Format {
    name: "RSS or Atom feed",
    extensions: &[
        ("rss", Framing::Whole),
        ("atom", Framing::Whole),
        ("xml", Framing::Whole),
        ("rdf", Framing::Whole),
    ],
    claims: |_| true,
    decode,
    lint: no_lint,
};

fn decode(record: &Record<'_>) -> Decoded {
    let (mut decoded, flattened) = counting_flattened(|| read_feed(record));
    if flattened > 0 {
        decoded.problems.push(record.file_problem(
            record.start,
            flattened_message(),
            Severity::Warning,
        ));
    }
    decoded
}

fn read_feed(record: &Record<'_>) -> Decoded {
    let parser = feed_rs::parser::Builder::new()
        .sanitize_content(false)
        // feed-rs would make up a random id for an item with no guid, link
        // or title; an empty one is reported instead, so ids stay stable.
        .id_generator(|links, title, _| fallback_id(links, title.as_ref()))
        .build();
    let feed = match parser.parse(record.text.as_bytes()) {
        Ok(feed) => feed,
        Err(err) => {
            let at = error_position(record, &err);
            return Decoded::problem(record.file_problem(at, error_message(&err), Severity::Error));
        }
    };
    let namespace = namespace(&feed, record);
    let publisher = feed.title.as_ref().map(plain).filter(|t| !t.is_empty());
    let starts = item_starts(record.text, feed.entries.len());
    let mut decoded = Decoded::default();
    for (index, entry) in feed.entries.into_iter().enumerate() {
        let start = starts.get(index).copied().unwrap_or(record.start);
        let id = if entry.id.trim().is_empty() {
            String::new()
        } else {
            format!("{namespace}:{}", entry.id.trim())
        };
        let name = if id.is_empty() {
            RecordRef::Index(index)
        } else {
            RecordRef::Id(id.clone())
        };
        let Some(published) = entry.published.or(entry.updated) else {
            decoded.problems.push(record.problem(
                start,
                name,
                "feed item has no date (pubDate, dc:date, published or updated): skipped".into(),
                Severity::Error,
            ));
            continue;
        };
        let statement = statement(entry, id, published, publisher.clone());
        decoded.statements.push(StatementAt {
            statement,
            record: name,
            start,
            version: None,
        });
    }
    // A new channel may well have no items yet: said, not counted.
    if decoded.statements.is_empty() && decoded.problems.is_empty() {
        decoded.problems.push(record.file_problem(
            record.start,
            "feed has no items".into(),
            Severity::Notice,
        ));
    }
    decoded
}

/// One item as a statement.
fn statement(
    entry: Entry,
    id: String,
    published: DateTime<Utc>,
    publisher: Option<String>,
) -> Statement {
    let Entry {
        title,
        updated,
        authors,
        content,
        links,
        summary,
        categories,
        ..
    } = entry;
    let url = item_link(&links);
    let base = url.as_deref().and_then(|url| url::Url::parse(url).ok());
    // HTML read as GOV.UK bodies are, its links numbered and kept.
    let read = |text: &str, html: bool| {
        if html {
            html_to_text_and_links_from(text, base.as_ref())
        } else {
            (text.trim().to_owned(), Vec::new())
        }
    };
    let content = content
        .and_then(|content| {
            let html = content.content_type.as_str() != "text/plain";
            content.body.map(|body| read(&body, html))
        })
        .filter(|(text, _)| !text.trim().is_empty());
    // The full content when the feed has it, with the description as its
    // summary; otherwise the description is the text.
    let (summary, (body, body_links)) = match content {
        Some((content, links)) => (
            summary.as_ref().map(as_text).filter(|t| !t.is_empty()),
            (Some(content), links),
        ),
        None => match summary.as_ref() {
            Some(summary) => {
                let (text, links) = read(
                    &summary.content,
                    summary.content_type.as_str() != "text/plain",
                );
                (None, ((!text.is_empty()).then_some(text), links))
            }
            None => (None, (None, Vec::new())),
        },
    };
    let mut topics: Vec<String> = Vec::new();
    for category in categories {
        let topic = category.label.unwrap_or(category.term);
        let topic = one_line(&topic);
        if !topic.is_empty() && !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    let updates = updated
        .filter(|updated| *updated > published)
        .map(|updated| Update {
            date: published_at(updated),
            note: "Updated".to_owned(),
        })
        .into_iter()
        .collect();
    Statement {
        id,
        title: title.as_ref().map(plain).unwrap_or_default(),
        published: published_at(published),
        kind: None,
        summary,
        organisations: publisher.into_iter().collect(),
        government: None,
        previous_government: false,
        locations: Vec::new(),
        topics,
        people: Vec::new(),
        url,
        withdrawn: None,
        signatories: signatories(&authors),
        body,
        speech: None,
        links: body_links,
        media_contacts: Vec::new(),
        updates,
        language: None,
        translations: Vec::new(),
        origin: Origin::default(),
    }
}

/// A date as the record format keeps it (feed-rs gives UTC).
fn published_at(instant: DateTime<Utc>) -> Published {
    Published::from_instant(instant.fixed_offset())
}

/// Authors and `dc:creator`s, each name once.
fn signatories(authors: &[Person]) -> Vec<Arc<Signatory>> {
    let mut names: Vec<String> = Vec::new();
    for person in authors {
        let name = person
            .name
            .as_deref()
            .or(person.email.as_deref())
            .map(one_line)
            .unwrap_or_default();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            Arc::new(Signatory {
                name: Some(name),
                ..Signatory::default()
            })
        })
        .collect()
}

/// The item's page: its `alternate` link, else its first link.
fn item_link(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|link| link.rel.as_deref().is_none_or(|rel| rel == "alternate"))
        .or_else(|| links.first())
        .map(|link| link.href.trim().to_owned())
        .filter(|href| !href.is_empty())
}

/// The id of an item (or feed) that has none of its own: its link, else its
/// title, else nothing.
fn fallback_id(links: &[Link], title: Option<&Text>) -> String {
    item_link(links)
        .or_else(|| title.map(plain).filter(|title| !title.is_empty()))
        .unwrap_or_default()
}

/// `feed-` and eight hex digits of the feed's identity (FNV-1a, so the same
/// on every machine and every run), or of its file name when it has none.
fn namespace(feed: &Feed, record: &Record<'_>) -> String {
    let identity = if feed.id.trim().is_empty() {
        record
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        feed.id.trim().to_owned()
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in identity.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("feed-{:08x}", hash >> 32)
}

/// A text construct as plain text: HTML read as GOV.UK bodies are.
fn as_text(text: &Text) -> String {
    if text.content_type.as_str() == "text/plain" {
        text.content.trim().to_owned()
    } else {
        html_to_text(&text.content)
    }
}

/// A title or name on one line.
fn plain(text: &Text) -> String {
    one_line(&as_text(text))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where each item starts in the file, when the item tags found are as many
/// as the items read (otherwise every item is placed at the feed's start).
fn item_starts(text: &str, items: usize) -> Vec<(usize, usize)> {
    let mut offsets = Vec::new();
    for tag in [&b"<item"[..], b"<entry"] {
        for at in memchr::memmem::find_iter(text.as_bytes(), tag) {
            let next = text.as_bytes().get(at + tag.len()).copied();
            if matches!(next, Some(b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'/')) {
                offsets.push(at);
            }
        }
    }
    if offsets.len() != items {
        return Vec::new();
    }
    offsets.sort_unstable();
    let mut positions = Positions::new(text);
    offsets
        .into_iter()
        .map(|offset| positions.at(offset))
        .collect()
}

/// Where a parse error lies: the byte offset feed-rs gives, or for broken
/// XML (where it gives none) where the XML reader stops.
fn error_position(record: &Record<'_>, err: &ParseFeedError) -> (usize, usize) {
    let offset = match err {
        ParseFeedError::ParseError(
            ParseErrorKind::UnknownMimeType { position, .. }
            | ParseErrorKind::MissingContent { position, .. }
            | ParseErrorKind::UnknownEnumVariant { position, .. }
            | ParseErrorKind::IllegalState { position, .. },
        ) => usize::try_from(*position).ok(),
        ParseFeedError::XmlReader(_) => xml_error_offset(record.text),
        _ => None,
    };
    offset.map_or(record.start, |offset| {
        let mut offset = offset.min(record.text.len());
        while !record.text.is_char_boundary(offset) {
            offset -= 1;
        }
        position_of(record.text, offset)
    })
}

/// The offset of the first XML error in `text`, reading it as feed-rs does;
/// its end when the XML reads well but stops with elements left open.
fn xml_error_offset(text: &str) -> Option<usize> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return Some(text.len()),
            Ok(_) => {}
            Err(_) => return usize::try_from(reader.error_position()).ok(),
        }
    }
}

fn error_message(err: &ParseFeedError) -> String {
    match err {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            "not an RSS or Atom feed: no <rss>, <feed> or <rdf:RDF> element at its root".into()
        }
        ParseFeedError::XmlReader(err) => format!("not a readable feed: invalid XML: {err}"),
        err => format!("not a readable feed: {err}"),
    }
}
