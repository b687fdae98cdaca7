//! A statement laid out for reading: the ordered blocks that both `communique
//! show` and the browser's detail view render. Text here is already cleaned
//! for the terminal.

use std::collections::BTreeMap;

use crate::records::{MediaContact, Published, Signatory, Speech, Statement, Update};
use crate::sanitize::{clean_line, clean_text};
use crate::store::{Marks, Stamp};

/// What a block is, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    /// Kind and date, under the title.
    Byline,
    /// A withdrawal notice: drawn so it cannot be missed.
    Warning,
    /// "Label: value" line.
    Field,
    Heading,
    Paragraph,
    /// One line of a list (signatory group, contact line, update).
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub role: Role,
    pub label: Option<&'static str>,
    pub text: String,
    /// Which media contact (position in the statement's list) the line shows.
    pub contact: Option<usize>,
}

impl Block {
    fn new(role: Role, text: impl Into<String>) -> Self {
        Self {
            role,
            label: None,
            text: text.into(),
            contact: None,
        }
    }

    fn field(label: &'static str, text: impl Into<String>) -> Self {
        Self {
            role: Role::Field,
            label: Some(label),
            text: text.into(),
            contact: None,
        }
    }
}

/// A message (a status, an error) wrapped at word boundaries into rows of
/// `width` columns, at most `most` of them: the last one kept ends with "…".
/// The text is cleaned for the terminal first.
#[must_use]
pub fn message_rows(text: &str, width: usize, most: usize) -> Vec<String> {
    let text = clean_line(text);
    let options =
        textwrap::Options::new(width.max(1)).word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut rows: Vec<String> = textwrap::wrap(&text, &options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect();
    if rows.len() > most.max(1) {
        rows.truncate(most.max(1));
        if let Some(last) = rows.last_mut() {
            // Room for the ellipsis: drop characters until it fits.
            while !last.is_empty() && textwrap::core::display_width(last) + 1 > width.max(1) {
                last.pop();
            }
            last.push('…');
        }
    }
    rows
}

/// "12 January 2024".
#[must_use]
pub fn long_date(published: &Published) -> String {
    long_date_of(published.date())
}

/// "12 January 2024" for a calendar date.
#[must_use]
pub fn long_date_of(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// Bodies longer than this many bytes are laid out a page at a time: laying
/// out a 150 MB body whole took gigabytes and seconds for every key.
pub const PAGE_BYTES: usize = 256 * 1024;

/// One page of a long body, as the detail view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page<'a> {
    pub text: &'a str,
    /// Counted from 0.
    pub number: usize,
    pub count: usize,
}

/// The byte ranges of a body's pages: each at most `max` bytes (when it can
/// be cut there), ending after a blank line where one falls in its second
/// half, else after a line, else at a character. A body of at most `max`
/// bytes is one page.
#[must_use]
pub fn page_ranges(body: &str, max: usize) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    loop {
        let end = page_end(body, start, max);
        pages.push(start..end);
        if end >= body.len() {
            return pages;
        }
        start = end;
    }
}

/// Where the page that starts at `start` ends (see [`page_ranges`]).
fn page_end(body: &str, start: usize, max: usize) -> usize {
    let max = max.max(16);
    if body.len() - start <= max {
        return body.len();
    }
    let mut limit = start + max;
    while !body.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &body.as_bytes()[start..limit];
    let half = window.len() / 2;
    let cut = memchr::memmem::rfind(window, b"\n\n")
        .filter(|&at| at >= half)
        .map(|at| at + 2)
        .or_else(|| {
            memchr::memrchr(b'\n', window)
                .filter(|&at| at >= half)
                .map(|at| at + 1)
        })
        .unwrap_or(window.len());
    start + cut.max(1)
}

/// A statement as a preview `rows` lines high shows it: its first lines,
/// laid out from only as much of its body as could fill them (the preview
/// is drawn each frame, and laying out a whole page — up to 256 KiB — of a
/// long speech each time made a 160×40 frame with a 60 KB one 1.3 ms
/// instead of 0.35: `cargo bench --bench render -- speech`).
#[must_use]
pub fn layout_preview(statement: &Statement, width: usize, rows: usize) -> Vec<DisplayLine> {
    let body = statement.body.as_deref().unwrap_or_default();
    // Four bytes a cell is more than any line wrapped to `width` holds.
    let enough = rows.saturating_mul(width.max(8)).saturating_mul(4);
    let end = page_end(body, 0, enough.clamp(4_096, PAGE_BYTES));
    let page = (end < body.len()).then(|| Page {
        text: &body[..end],
        number: 0,
        count: 1,
    });
    let mut lines = layout_lines(statement, None, width, page, rows);
    lines.truncate(rows);
    lines
}

/// The first page (counted from `from`, wrapping around, forwards or
/// backwards) whose text holds `needle` (folded, as find-in-text folds).
/// Runs off the drawing thread: it may read the whole body.
#[must_use]
pub fn page_with(
    body: &str,
    pages: &[std::ops::Range<usize>],
    needle: &str,
    from: usize,
    forward: bool,
) -> Option<usize> {
    let count = pages.len();
    if count == 0 || needle.is_empty() {
        return None;
    }
    (0..count)
        .map(|step| {
            if forward {
                (from + step) % count
            } else {
                (from + count - step % count) % count
            }
        })
        .find(|&page| {
            body.get(pages[page].clone()).is_some_and(|text| {
                text.lines()
                    .any(|line| crate::search::fold_shown(line).contains(needle))
            })
        })
}

/// The blocks of a statement, in reading order.
#[must_use]
pub fn blocks(statement: &Statement) -> Vec<Block> {
    blocks_of(statement, None)
}

/// The blocks of a statement, or of one page of it, with its links numbered.
fn blocks_of(statement: &Statement, page: Option<Page>) -> Vec<Block> {
    blocks_and_links(statement, page).0
}

/// The links of a statement, or of the page of it shown, as numbered in its
/// text (`[1]` is the first): what the copy-link key chooses from.
#[must_use]
pub fn links(statement: &Statement, page: Option<Page>) -> Vec<String> {
    blocks_and_links(statement, page).1
}

/// Finds the web addresses in text. A maintained finder (linkify) rather
/// than a pattern of our own: trailing punctuation and brackets are its job.
fn link_finder() -> linkify::LinkFinder {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder
}

/// Numbers the links in the text of `blocks` as newsboat and w3m do: `[3]`
/// after each address, and the list under a "Links" heading at the end. An
/// address found twice keeps its first number.
///
/// `known` are the statement's own links, already numbered in its text
/// (`[1]` is the first): they keep their numbers, and an address found in
/// the text takes the next one.
fn number_links(blocks: &mut Vec<Block>, known: &[String]) -> Vec<String> {
    let finder = link_finder();
    let mut links: Vec<String> = known
        .iter()
        .map(|url| clean_line(url).into_owned())
        .collect();
    for block in blocks.iter_mut() {
        if !matches!(block.role, Role::Paragraph | Role::Item) {
            continue;
        }
        let mut text = String::with_capacity(block.text.len());
        let mut last = 0;
        for link in finder.links(&block.text) {
            let url = link.as_str();
            let number = match links.iter().position(|known| known == url) {
                Some(at) => at + 1,
                None => {
                    links.push(url.to_owned());
                    links.len()
                }
            };
            text.push_str(&block.text[last..link.end()]);
            text.push_str(&format!(" [{number}]"));
            last = link.end();
        }
        if last > 0 {
            text.push_str(&block.text[last..]);
            block.text = text;
        }
    }
    if !links.is_empty() {
        blocks.push(Block::new(Role::Heading, "Links"));
        blocks.extend(
            links
                .iter()
                .enumerate()
                .map(|(at, url)| Block::new(Role::Item, format!("[{}] {url}", at + 1))),
        );
    }
    links
}

/// The blocks of a statement, or of one page of it: every page has the
/// title, its place among the pages and the contacts; the first the fields.
/// The links are those of the blocks given (a page's own).
fn blocks_and_links(statement: &Statement, page: Option<Page>) -> (Vec<Block>, Vec<String>) {
    let first_page = page.is_none_or(|page| page.number == 0);
    let mut blocks = vec![
        Block::new(Role::Title, clean_line(&statement.title)),
        Block::new(
            Role::Byline,
            format!(
                "{} · {}",
                clean_line(statement.kind_or_default()),
                long_date(&statement.published)
            ),
        ),
    ];
    if let Some(withdrawn) = &statement.withdrawn {
        let note = withdrawn
            .note
            .as_deref()
            .map(clean_line)
            .unwrap_or_default();
        blocks.push(Block::new(
            Role::Warning,
            format!("Withdrawn on {}. {note}", long_date(&withdrawn.date))
                .trim_end()
                .to_owned(),
        ));
    }
    if statement.previous_government && first_page {
        let under = statement.government.as_deref().map_or_else(
            || "a previous government".to_owned(),
            |g| format!("the {}", clean_line(g)),
        );
        blocks.push(Block::new(
            Role::Warning,
            format!("This was published under {under}"),
        ));
    }
    if let Some(latest) = newest_first(&statement.updates)
        .first()
        .filter(|latest| latest.date.timestamp() > statement.published.timestamp() && first_page)
    {
        let note = clean_line(&latest.note);
        let text = if note.is_empty() {
            long_date(&latest.date)
        } else {
            format!("{}: {note}", long_date(&latest.date))
        };
        blocks.push(Block::field("Last updated", text));
    }
    if let Some(page) = page.filter(|page| page.count > 1) {
        blocks.push(Block::field(
            "Page",
            format!(
                "{} of {} (a long statement: scrolling past the end turns the page)",
                page.number + 1,
                page.count
            ),
        ));
    }
    let joined = |values: &[String]| {
        values
            .iter()
            .map(|value| clean_line(value))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if first_page && !statement.organisations.is_empty() {
        blocks.push(Block::field("From", joined(&statement.organisations)));
    }
    if let Some(languages) = languages(statement).filter(|_| first_page) {
        blocks.push(Block::field("Language", languages));
    }
    if let Some(government) = statement.government.as_ref().filter(|_| first_page) {
        blocks.push(Block::field("Government", clean_line(government)));
    }
    if let Some(speech) = statement.speech.as_ref().filter(|_| first_page) {
        blocks.extend(speech_blocks(speech));
    }
    for (label, values) in [
        ("People", &statement.people),
        ("Locations", &statement.locations),
        ("Topics", &statement.topics),
    ] {
        if first_page && !values.is_empty() {
            blocks.push(Block::field(label, joined(values)));
        }
    }
    if let Some(summary) = statement.summary.as_ref().filter(|_| first_page) {
        blocks.push(Block::new(Role::Paragraph, clean_text(summary)));
    }
    if first_page && !statement.signatories.is_empty() {
        blocks.push(Block::new(
            Role::Heading,
            format!("Signatories ({})", statement.signatories.len()),
        ));
        blocks.extend(
            signatory_groups(&statement.signatories)
                .into_iter()
                .map(|line| Block::new(Role::Item, line)),
        );
    }
    let paragraphs: Vec<_> = match page {
        Some(page) => page
            .text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
        None => statement.paragraphs().collect(),
    };
    if !paragraphs.is_empty() {
        blocks.push(Block::new(Role::Heading, "Statement"));
        blocks.extend(
            paragraphs
                .into_iter()
                .map(|paragraph| match body_heading(paragraph) {
                    Some(heading) => Block::new(Role::Heading, clean_line(heading)),
                    None => Block::new(Role::Paragraph, clean_text(paragraph)),
                }),
        );
    }
    if !statement.media_contacts.is_empty() {
        blocks.push(Block::new(Role::Heading, "Media contacts"));
        for (position, contact) in statement.media_contacts.iter().enumerate() {
            // Each line knows its contact, so the detail view can mark the
            // one the copy keys take.
            blocks.extend(contact_lines(contact).into_iter().map(|line| Block {
                contact: Some(position),
                ..Block::new(Role::Item, line)
            }));
        }
    }
    if !statement.updates.is_empty() {
        blocks.push(Block::new(Role::Heading, "Updates to this page"));
        blocks.extend(newest_first(&statement.updates).into_iter().map(|update| {
            Block::new(
                Role::Item,
                format!("{}: {}", long_date(&update.date), clean_line(&update.note)),
            )
        }));
    }
    if let Some(url) = &statement.url {
        blocks.push(Block::field("URL", clean_line(url)));
    }
    let links = number_links(&mut blocks, &statement.links);
    (blocks, links)
}

/// The change history newest first, as GOV.UK shows it (entries of one
/// date keep their order).
fn newest_first(updates: &[Update]) -> Vec<&Update> {
    let mut ordered: Vec<&Update> = updates.iter().collect();
    ordered.sort_by(|a, b| b.date.cmp(&a.date));
    ordered
}

/// A speech's details as GOV.UK gives them: "Delivered on: 2 February 2016
/// (Original script, may differ from delivered version)" and its location.
fn speech_blocks(speech: &Speech) -> Vec<Block> {
    let caveat = speech.caveat.as_deref().map(clean_line);
    let mut blocks = Vec::new();
    match (&speech.delivered, caveat) {
        (Some(delivered), Some(caveat)) => blocks.push(Block::field(
            "Delivered on",
            format!("{} ({caveat})", long_date(delivered)),
        )),
        (Some(delivered), None) => blocks.push(Block::field("Delivered on", long_date(delivered))),
        (None, Some(caveat)) => blocks.push(Block::field("Speech", caveat.into_owned())),
        (None, None) => {}
    }
    if let Some(location) = &speech.location {
        blocks.push(Block::field("Location", clean_line(location)));
    }
    blocks
}

/// The text of a body paragraph that is a heading: one line starting with
/// one to six `#` and a space, as Markdown writes them and the HTML readers
/// write `<h2>`…`<h6>`.
#[must_use]
pub fn body_heading(paragraph: &str) -> Option<&str> {
    let rest = paragraph.trim_start_matches('#');
    let level = paragraph.len() - rest.len();
    let text = rest.strip_prefix(' ')?.trim();
    ((1..=6).contains(&level) && !text.is_empty() && !text.contains('\n')).then_some(text)
}

/// "ur; also in en, ar": the statement's language and its translations'
/// (each a statement of its own), when it has any or is not in English.
fn languages(statement: &Statement) -> Option<String> {
    let own = statement.language.as_deref().map(clean_line);
    if statement.translations.is_empty() && own.as_deref().is_none_or(|own| own == "en") {
        return None;
    }
    let others: Vec<String> = statement
        .translations
        .iter()
        .map(|translation| clean_line(&translation.language).into_owned())
        .collect();
    let own = own.map_or_else(|| "not given".to_owned(), std::borrow::Cow::into_owned);
    Some(if others.is_empty() {
        own
    } else {
        format!("{own}; also in {}", others.join(", "))
    })
}

/// The lines a contact is shown as: who, then each way to reach them.
#[must_use]
pub fn contact_lines(contact: &MediaContact) -> Vec<String> {
    let who: Vec<_> = [&contact.name, &contact.organisation]
        .into_iter()
        .flatten()
        .map(|part| clean_line(part).into_owned())
        .collect();
    let mut lines = vec![if who.is_empty() {
        "Contact".to_owned()
    } else {
        who.join(", ")
    }];
    let notes: Vec<String> = contact
        .notes
        .as_deref()
        .map(|notes| clean_text(notes).lines().map(str::to_owned).collect())
        .unwrap_or_default();
    // GOV.UK's contact blocks list every address and number with its label
    // in the notes: the bare one is shown only when they do not.
    let in_notes = |value: &str| {
        notes.iter().any(|line| {
            line.rsplit_once(": ")
                .is_some_and(|(_, noted)| noted == value)
        })
    };
    if let Some(email) = contact.email.as_deref().map(clean_line)
        && !in_notes(&email)
    {
        lines.push(format!("  Email {email}"));
    }
    if let Some(phone) = contact.phone.as_deref().map(clean_line)
        && !in_notes(&phone)
    {
        lines.push(format!("  Telephone {phone}"));
    }
    lines.extend(notes.iter().map(|line| format!("  {line}")));
    lines
}

/// Signatories grouped for reading: those with only a role and a country are
/// gathered by role ("Ministers of Foreign Affairs (49): Albania, …"); the
/// others are listed one a line, in their original order after the groups.
#[must_use]
pub fn signatory_groups(signatories: &[std::sync::Arc<Signatory>]) -> Vec<String> {
    // Keyed by the cleaned (NFC) role, so one role written two ways is one group.
    let mut groups: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
    let mut others = Vec::new();
    for (position, signatory) in signatories.iter().enumerate() {
        match &**signatory {
            Signatory {
                name: None,
                role: Some(role),
                country: Some(country),
                organisation: None,
            } => {
                let group = groups
                    .entry(clean_line(role).into_owned())
                    .or_insert((position, Vec::new()));
                group.1.push(country);
            }
            other => others.push(clean_line(&other.label()).into_owned()),
        }
    }
    let mut grouped: Vec<_> = groups.into_iter().collect();
    grouped.sort_by_key(|(_, (first, _))| *first);
    let mut lines: Vec<String> = Vec::new();
    for (role, (_, countries)) in grouped {
        let countries: Vec<_> = countries.iter().map(|c| clean_line(c)).collect();
        if countries.len() == 1 {
            lines.push(format!("{role}, {}", countries[0]));
        } else {
            lines.push(format!(
                "{} ({}): {}",
                plural_role(&role),
                countries.len(),
                countries.join(", ")
            ));
        }
    }
    lines.extend(others);
    lines
}

/// "Minister of Foreign Affairs" → "Ministers of Foreign Affairs": the first
/// word is the noun in the role titles statements use.
fn plural_role(role: &str) -> String {
    let (noun, rest) = role.split_once(' ').unwrap_or((role, ""));
    let plural = if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{stem}ies")
    } else if noun.ends_with('s') {
        noun.to_owned()
    } else {
        format!("{noun}s")
    };
    if rest.is_empty() {
        plural
    } else {
        format!("{plural} {rest}")
    }
}

/// One screen line of a statement laid out for a width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayLine {
    pub role: Role,
    /// The media contact this line shows, if any.
    pub contact: Option<usize>,
    /// For `Role::Field`, how many leading characters are the label.
    pub label_chars: usize,
    pub text: String,
}

/// "alice, 27 Nov 10:42" in local time.
#[must_use]
pub fn stamp_text(stamp: &Stamp) -> String {
    let when = chrono::DateTime::from_timestamp(stamp.at, 0).map_or_else(String::new, |at| {
        at.with_timezone(&chrono::Local)
            .format("%-d %b %Y %H:%M")
            .to_string()
    });
    format!("{}, {when}", clean_line(&stamp.by))
}

/// The triage marks as field lines, each with who set it and when.
#[must_use]
pub fn triage_blocks(marks: &Marks) -> Vec<Block> {
    let mut blocks = Vec::new();
    if let Some(stamp) = &marks.flagged {
        blocks.push(Block::field("Flagged", format!("by {}", stamp_text(stamp))));
    }
    let status = match &marks.status_set {
        Some(stamp) => format!("{} (set by {})", marks.status.as_str(), stamp_text(stamp)),
        None => marks.status.as_str().to_owned(),
    };
    blocks.push(Block::field("Status", status));
    if !marks.tags.is_empty() {
        let tags: Vec<String> = marks
            .tags
            .iter()
            .map(|(tag, stamp)| format!("{} (by {})", clean_line(tag), stamp_text(stamp)))
            .collect();
        blocks.push(Block::field("Tags", tags.join("; ")));
    }
    // Read state is each person's own: theirs first, then who else.
    let others = marks
        .read_by_others
        .keys()
        .map(|by| clean_line(by))
        .collect::<Vec<_>>()
        .join(", ");
    match (&marks.read, others.is_empty()) {
        (Some(stamp), true) => {
            blocks.push(Block::field("Read", format!("by {}", stamp_text(stamp))))
        }
        (Some(stamp), false) => blocks.push(Block::field(
            "Read",
            format!("by {}; also by {others}", stamp_text(stamp)),
        )),
        (None, false) => blocks.push(Block::field("Read", format!("not by you; by {others}"))),
        (None, true) => {}
    }
    let earlier = match marks.note_history.len() {
        0 => String::new(),
        1 => "; 1 earlier version (at the end)".to_owned(),
        n => format!("; {n} earlier versions (at the end)"),
    };
    if let Some((note, stamp)) = &marks.note {
        blocks.push(Block::field(
            "Note",
            format!("edited by {}{earlier}", stamp_text(stamp)),
        ));
        blocks.extend(note_lines(note));
    } else if let Some(removed) = marks.note_history.first() {
        blocks.push(Block::field(
            "Note",
            format!("removed by {}{earlier}", stamp_text(&removed.stamp)),
        ));
    }
    blocks
}

/// A note's text as indented item lines.
fn note_lines(note: &str) -> Vec<Block> {
    clean_text(note)
        .lines()
        .map(|line| Block::new(Role::Item, format!("  {line}")))
        .collect()
}

/// The note's earlier versions, newest first, for the end of the statement.
fn note_history_blocks(marks: &Marks) -> Vec<Block> {
    if marks.note_history.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![Block::new(Role::Heading, "Earlier versions of the note")];
    for version in marks.note_history.iter() {
        match &version.text {
            Some(text) => {
                blocks.push(Block::field(
                    "Written",
                    format!("by {}", stamp_text(&version.stamp)),
                ));
                blocks.extend(note_lines(text));
            }
            None => blocks.push(Block::field(
                "Removed",
                format!("by {}", stamp_text(&version.stamp)),
            )),
        }
    }
    blocks
}

/// Puts the triage marks' lines under the byline, where the browser and
/// `show` both give them.
fn insert_triage(blocks: &mut Vec<Block>, marks: &Marks) {
    let at = blocks
        .iter()
        .position(|block| block.role == Role::Byline)
        .map_or(0, |at| at + 1);
    blocks.splice(at..at, triage_blocks(marks));
}

/// The statement wrapped to `width` columns, with blank lines between
/// paragraphs and before headings. The detail view draws these lines as they
/// are, and scrolling and find-in-text count them.
#[must_use]
pub fn layout(statement: &Statement, width: usize) -> Vec<DisplayLine> {
    layout_with(statement, None, width)
}

/// As [`layout`], with the statement's triage marks under the byline.
#[must_use]
pub fn layout_with(statement: &Statement, marks: Option<&Marks>, width: usize) -> Vec<DisplayLine> {
    layout_page(statement, marks, width, None)
}

/// As [`layout_with`], showing one page of the body (`None`: all of it).
#[must_use]
pub fn layout_page(
    statement: &Statement,
    marks: Option<&Marks>,
    width: usize,
    page: Option<Page>,
) -> Vec<DisplayLine> {
    layout_lines(statement, marks, width, page, usize::MAX)
}

/// [`layout_page`], stopping once at least `most` lines are laid out.
fn layout_lines(
    statement: &Statement,
    marks: Option<&Marks>,
    width: usize,
    page: Option<Page>,
    most: usize,
) -> Vec<DisplayLine> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let blank = |lines: &mut Vec<DisplayLine>| {
        if lines
            .last()
            .is_some_and(|line: &DisplayLine| !line.text.is_empty())
        {
            lines.push(DisplayLine {
                role: Role::Paragraph,
                contact: None,
                label_chars: 0,
                text: String::new(),
            });
        }
    };
    let mut all = blocks_of(statement, page);
    if let Some(marks) = marks.filter(|_| page.is_none_or(|page| page.number == 0)) {
        insert_triage(&mut all, marks);
        all.extend(note_history_blocks(marks));
    }
    for block in all {
        if lines.len() >= most {
            break;
        }
        if matches!(block.role, Role::Heading | Role::Paragraph | Role::Warning) {
            blank(&mut lines);
        }
        let (text, label_chars, indent) = match block.label {
            Some(label) => (
                format!("{label}: {}", block.text),
                label.chars().count() + 1,
                "  ",
            ),
            None if block.role == Role::Item => (block.text.clone(), 0, "    "),
            None => (block.text.clone(), 0, ""),
        };
        let options = textwrap::Options::new(width)
            .subsequent_indent(indent)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(true);
        for (number, source_line) in text.split('\n').enumerate() {
            if lines.len() >= most {
                break;
            }
            let label_chars = if number == 0 { label_chars } else { 0 };
            let source_line = unbroken_links(source_line, width.saturating_sub(4));
            // A list item's lines continue under its text, not its marker.
            let hanging = " ".repeat(list_indent(&source_line).min(width / 2));
            let options = if block.role == Role::Paragraph && !hanging.is_empty() {
                options.clone().subsequent_indent(&hanging)
            } else {
                options.clone()
            };
            for (part, piece) in textwrap::wrap(&source_line, &options)
                .into_iter()
                .enumerate()
            {
                lines.push(DisplayLine {
                    role: block.role,
                    contact: block.contact,
                    label_chars: if part == 0 { label_chars } else { 0 },
                    text: piece.into_owned(),
                });
            }
        }
        if block.role == Role::Title {
            continue;
        }
        if matches!(block.role, Role::Byline | Role::Warning) {
            blank(&mut lines);
        }
    }
    lines
}

/// How far a list item's text is from the start of its line: "• " and
/// "12. " markers (as the HTML readers write them) after any indentation;
/// 0 for a line that is not a list item.
fn list_indent(line: &str) -> usize {
    let text = line.trim_start_matches(' ');
    let indent = line.len() - text.len();
    if text.starts_with("• ") {
        return indent + 2;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && text[digits..].starts_with(". ") {
        return indent + digits + 2;
    }
    0
}

/// A line whose web addresses fit `room` columns, so wrapping never breaks
/// one across lines (copied from the terminal, a broken one is useless): a
/// longer one is cut with "…" (the copy-link keys give it whole).
fn unbroken_links(line: &str, room: usize) -> std::borrow::Cow<'_, str> {
    use unicode_width::UnicodeWidthChar;
    let room = room.max(8);
    let long: Vec<_> = link_finder()
        .links(line)
        .filter(|link| unicode_width::UnicodeWidthStr::width(link.as_str()) > room)
        .collect();
    if long.is_empty() {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for link in long {
        out.push_str(&line[last..link.start()]);
        let mut used = 1;
        for c in link.as_str().chars() {
            used += c.width().unwrap_or(0);
            if used > room {
                break;
            }
            out.push(c);
        }
        out.push('…');
        last = link.end();
    }
    out.push_str(&line[last..]);
    std::borrow::Cow::Owned(out)
}

/// The statement as plain text.
#[must_use]
pub fn plain_text(statement: &Statement) -> String {
    plain_text_with(statement, None)
}

/// The statement as plain text with its triage marks under the byline, as
/// the browser shows them, for `communique show`.
#[must_use]
pub fn plain_text_with(statement: &Statement, marks: Option<&Marks>) -> String {
    let mut out = String::new();
    let mut all = blocks(statement);
    if let Some(marks) = marks {
        insert_triage(&mut all, marks);
    }
    for block in all {
        match block.role {
            Role::Title => {
                out.push_str(&block.text);
                out.push('\n');
                out.push_str(&"=".repeat(block.text.chars().count().min(80)));
                out.push('\n');
            }
            Role::Heading => {
                out.push('\n');
                out.push_str(&block.text);
                out.push('\n');
                out.push_str(&"-".repeat(block.text.chars().count()));
                out.push('\n');
            }
            Role::Paragraph => {
                out.push('\n');
                out.push_str(&block.text);
                out.push('\n');
            }
            Role::Warning => {
                out.push_str("! ");
                out.push_str(&block.text);
                out.push('\n');
            }
            Role::Field => {
                out.push_str(block.label.unwrap_or_default());
                out.push_str(": ");
                out.push_str(&block.text);
                out.push('\n');
            }
            Role::Byline | Role::Item => {
                out.push_str(&block.text);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_wrap_at_words_and_the_last_row_kept_says_more() {
        let rows = message_rows("config.toml:12:9: unknown column \"titel\"", 20, 5);
        assert_eq!(rows, ["config.toml:12:9:", "unknown column", "\"titel\""]);
        let rows = message_rows("one two three four five six", 9, 2);
        assert_eq!(rows, ["one two", "three…"]);
        // Controls are cleaned before wrapping.
        assert!(!message_rows("a\u{1b}[2Jb", 40, 1)[0].contains('\u{1b}'));
    }

    /// A body of `paragraphs` numbered paragraphs of about 200 bytes.
    fn long_body(paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|n| format!("Paragraph {n}. {}", "Words of a long statement. ".repeat(7)))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[test]
    fn pages_cover_the_body_in_order_cut_after_blank_lines() {
        let body = long_body(5_000);
        let pages = page_ranges(&body, 64 * 1024);
        assert!(pages.len() > 10, "{} pages", pages.len());
        assert_eq!(pages[0].start, 0);
        assert_eq!(pages.last().map(|page| page.end), Some(body.len()));
        for pair in pages.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "no gap, no overlap");
        }
        for page in &pages {
            assert!(page.len() <= 64 * 1024);
            assert!(page.len() > 32 * 1024 || page.end == body.len());
            if page.end < body.len() {
                assert!(body[..page.end].ends_with("\n\n"), "cut after a blank line");
            }
        }
        assert_eq!(
            page_ranges("short", PAGE_BYTES),
            vec![std::ops::Range { start: 0, end: 5 }]
        );
        assert_eq!(page_ranges("", PAGE_BYTES).len(), 1);
    }

    #[test]
    fn pages_of_text_without_blank_lines_or_newlines_cut_on_characters() {
        let body = "é".repeat(100_000);
        let pages = page_ranges(&body, 1_001);
        assert!(pages.iter().all(|page| body.is_char_boundary(page.start)));
        assert_eq!(
            pages.iter().map(std::ops::Range::len).sum::<usize>(),
            body.len()
        );
    }

    #[test]
    fn page_with_finds_the_next_page_holding_the_text_round_the_end() {
        let mut body = long_body(5_000);
        let pages = page_ranges(&body, 64 * 1024);
        let needle_page = |n: usize| {
            pages
                .iter()
                .position(|page| body[page.clone()].contains(&format!("Paragraph {n}.")))
                .expect("a page")
        };
        let (early, late) = (needle_page(100), needle_page(4_000));
        body = body
            .replace("Paragraph 100.", "Paragraph 100. Kherson")
            .replace("Paragraph 4000.", "Paragraph 4000. KHERSON");
        let pages = page_ranges(&body, 64 * 1024);
        assert_eq!(
            page_with(&body, &pages, "kherson", early + 1, true),
            Some(late)
        );
        assert_eq!(
            page_with(&body, &pages, "kherson", late + 1, true),
            Some(early),
            "wraps round"
        );
        assert_eq!(
            page_with(&body, &pages, "kherson", late - 1, false),
            Some(early)
        );
        assert_eq!(page_with(&body, &pages, "odesa", 0, true), None);
    }

    #[test]
    fn a_long_body_is_laid_out_a_page_at_a_time() {
        let statement: Statement = serde_json::from_value(serde_json::json!({
            "id": "long", "title": "Long", "published": "2024-01-01",
            "body": long_body(20_000),
        }))
        .expect("statement");
        let whole = layout(&statement, 80).len();
        let preview = layout_preview(&statement, 80, 1_000).len();
        assert!(preview * 10 < whole, "preview {preview} lines of {whole}");
    }

    #[test]
    fn a_preview_shows_the_first_lines_of_the_whole_layout() {
        let statement: Statement = serde_json::from_value(serde_json::json!({
            "id": "long", "title": "A long speech", "published": "2024-01-01",
            "summary": "What was said.", "organisations": ["Foreign Office"],
            "body": long_body(20_000),
        }))
        .expect("statement");
        let whole = layout(&statement, 60);
        for rows in [1, 5, 24, 80] {
            let preview = layout_preview(&statement, 60, rows);
            assert_eq!(preview.len(), rows, "a pane {rows} rows high is filled");
            assert_eq!(preview, whole[..rows], "the first {rows} lines");
        }
    }

    fn minister(country: &str) -> std::sync::Arc<Signatory> {
        std::sync::Arc::new(Signatory {
            role: Some("Minister of Foreign Affairs".into()),
            country: Some(country.into()),
            ..Signatory::default()
        })
    }

    #[test]
    fn groups_ministers_by_role() {
        let signatories = vec![
            minister("Albania"),
            minister("Japan"),
            std::sync::Arc::new(Signatory {
                role: Some("High Representative of the European Union".into()),
                organisation: Some("European Union".into()),
                ..Signatory::default()
            }),
            std::sync::Arc::new(Signatory {
                role: Some("Secretary of State".into()),
                country: Some("United States of America".into()),
                ..Signatory::default()
            }),
        ];
        assert_eq!(
            signatory_groups(&signatories),
            [
                "Ministers of Foreign Affairs (2): Albania, Japan",
                "Secretary of State, United States of America",
                "High Representative of the European Union, European Union",
            ]
        );
    }

    #[test]
    fn layout_wraps_within_width() {
        let statement: Statement = serde_json::from_value(serde_json::json!({
            "id": "x", "title": "A title", "published": "2024-01-12",
            "body": format!("{}\n\nSecond paragraph.", "word ".repeat(40)),
            "organisations": ["Foreign, Commonwealth & Development Office"],
        }))
        .expect("statement");
        let lines = layout(&statement, 30);
        assert!(
            lines
                .iter()
                .all(|line| unicode_width::UnicodeWidthStr::width(line.text.as_str()) <= 30)
        );
        assert!(lines.iter().any(|line| line.text == "Second paragraph."));
        let from = lines
            .iter()
            .find(|line| line.role == Role::Field)
            .expect("field");
        assert!(from.text.starts_with("From: Foreign,"));
        assert_eq!(from.label_chars, 5);
    }

    #[test]
    fn layout_breaks_long_words() {
        let statement: Statement = serde_json::from_value(serde_json::json!({
            "id": "x", "title": "t", "published": "2024-01-12", "body": "x".repeat(100_000),
        }))
        .expect("statement");
        let lines = layout(&statement, 80);
        assert!(lines.iter().all(|line| line.text.chars().count() <= 80));
        assert!(lines.len() >= 1250);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural_role("Secretary of State"), "Secretaries of State");
        assert_eq!(plural_role("Envoy"), "Envoys");
        assert_eq!(plural_role("Minister"), "Ministers");
    }
}
