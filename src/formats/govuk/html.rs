//! GOV.UK body HTML (rendered "govspeak") turned into readable plain text, and
//! the press-office contact blocks that govspeak embeds in it pulled out as
//! [`MediaContact`]s.
//!
//! The text form follows the record format's convention that paragraphs are
//! separated by blank lines, so a block never contains "\n\n" itself.

mod flat;
mod table;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use scraper::{CaseSensitivity, ElementRef, Html, Node};

use table::render_table;

use crate::records::MediaContact;

/// Elements nested deeper than this are read as flat paragraphs: the
/// renderer below recurses a few calls per level, and a thread's stack
/// (2 MiB for the loader's threads) must hold the deepest walk.
const MAX_DEPTH: usize = 128;
/// Unclosed start tags deeper than this are not even given to the tree
/// builder, whose work grows with the number of tags times their depth
/// (50,000 nested `<div>`s took it 4 s). Counted before HTML's implied end
/// tags apply, so this is looser than [`MAX_DEPTH`].
const MAX_TAG_NESTING: usize = 1024;

thread_local! {
    /// Fragments read as flat paragraphs on this thread, for
    /// [`counting_flattened`].
    static FLATTENED: Cell<usize> = const { Cell::new(0) };
    /// The link addresses met so far while [`html_to_text_and_links`]
    /// renders on this thread; `None` when links are not being kept.
    static LINKS: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
    /// The address relative links are read against while
    /// [`html_to_text_and_links_from`] renders; GOV.UK's own otherwise.
    static LINK_BASE: RefCell<Option<url::Url>> = const { RefCell::new(None) };
    /// Abbreviations already expanded in the body being read by
    /// [`html_to_text`] (GOV.UK explains each on hover; the text explains it
    /// the first time); `None` outside it, where names and values (contact
    /// blocks) are read and nothing is expanded.
    static EXPANDED: RefCell<Option<HashSet<String>>> = const { RefCell::new(None) };
}

/// Where GOV.UK's relative links (`/government/news/…`) lead from.
const GOVUK_BASE: &str = "https://www.gov.uk/";

/// Runs `convert` and counts the HTML fragments it met that were nested too
/// deep to be read with their layout (read as flat paragraphs instead, with
/// no contact blocks taken from them), so the caller can report the record.
pub fn counting_flattened<T>(convert: impl FnOnce() -> T) -> (T, usize) {
    let before = FLATTENED.replace(0);
    let converted = convert();
    let flattened = FLATTENED.replace(before);
    (converted, flattened)
}

/// The problem reported for a record whose HTML was flattened.
#[must_use]
pub fn flattened_message() -> String {
    format!(
        "HTML nested more than {MAX_DEPTH} elements deep: read as plain paragraphs, \
         without its lists, tables and contact blocks"
    )
}

/// The fragment as a tree, or `None` (and counted) when it nests too deep
/// to walk: see [`MAX_DEPTH`].
fn parse_shallow(html: &str) -> Option<Html> {
    let shallow = if flat::nests_deeper_than(html, MAX_TAG_NESTING) {
        None
    } else {
        Some(Html::parse_fragment(html)).filter(|fragment| depth(fragment) <= MAX_DEPTH)
    };
    if shallow.is_none() {
        FLATTENED.set(FLATTENED.get() + 1);
    }
    shallow
}

/// How deep the fragment's tree is, worked out without recursion.
fn depth(fragment: &Html) -> usize {
    let mut depths = HashMap::new();
    let mut deepest = 0;
    for node in fragment.tree.root().descendants() {
        let depth = node
            .parent()
            .and_then(|parent| depths.get(&parent.id()))
            .map_or(0, |depth| depth + 1);
        deepest = deepest.max(depth);
        depths.insert(node.id(), depth);
    }
    deepest
}

/// Renders an HTML fragment as plain text: paragraphs separated by blank
/// lines, headings as paragraphs of their own marked `## ` (as many `#` as
/// their level), list items as "• item" / "1. item" lines, block quotes
/// prefixed with "> ", table rows as cells in aligned columns joined by
/// " | " between borders (a cell spanning columns spans their width). An image is its alt
/// text (govspeak draws fractions as images: "1/3"), as `[image: …]` unless
/// it is a fraction; an abbreviation is followed by its expansion the first
/// time; an embedded attachment is its title, what the file is and its
/// address. Text GOV.UK hides (`visually-hidden`, `govuk-visually-hidden`,
/// `js-hidden`, `hidden`) and govspeak contact blocks are left out (see
/// [`contacts_from_html`]). HTML nested too deep is read as flat paragraphs
/// ([`counting_flattened`]).
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let before = EXPANDED.replace(Some(HashSet::new()));
    let text = match parse_shallow(html) {
        Some(fragment) => render_blocks(fragment.root_element()).join("\n\n"),
        None => flat::flat_text(html),
    };
    EXPANDED.set(before);
    text
}

/// As [`html_to_text`], keeping every link: each `<a href>` is followed in
/// the text by its number (`View the presentation slides [3]`), and the
/// addresses come back in that order (`[3]` is the third), relative GOV.UK
/// paths made absolute with `https://www.gov.uk`. An address met twice keeps
/// its first number. Links within the page (`#…`), `mailto:` and `tel:`
/// (the contacts have those) and other schemes are not numbered. A link
/// whose text is its own address is left to show it as it is.
#[must_use]
pub fn html_to_text_and_links(html: &str) -> (String, Vec<String>) {
    let before = LINKS.replace(Some(Vec::new()));
    let text = html_to_text(html);
    let links = LINKS.replace(before).unwrap_or_default();
    (text, links)
}

/// As [`html_to_text_and_links`], for HTML published elsewhere than GOV.UK
/// (a feed's item): relative addresses are read against `base`, the page
/// the HTML comes from, and left out when there is none.
#[must_use]
pub fn html_to_text_and_links_from(html: &str, base: Option<&url::Url>) -> (String, Vec<String>) {
    // Without a page to read a relative address against, only absolute
    // ones are kept (the `about:blank` base makes every relative one fail).
    let base = base
        .cloned()
        .or_else(|| url::Url::parse("about:blank").ok());
    let before = LINK_BASE.replace(base);
    let read = html_to_text_and_links(html);
    LINK_BASE.set(before);
    read
}

/// The absolute web address of an `href`, if it leads to a web page
/// elsewhere than the page itself.
fn link_address(href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let base = LINK_BASE
        .with_borrow(Clone::clone)
        .or_else(|| url::Url::parse(GOVUK_BASE).ok())?;
    let address = base.join(href).ok()?;
    matches!(address.scheme(), "http" | "https").then(|| address.to_string())
}

/// The number of `address` among the links kept so far (adding it when
/// new), or `None` when links are not being kept.
fn link_number(address: String) -> Option<usize> {
    LINKS.with_borrow_mut(|links| {
        let links = links.as_mut()?;
        Some(match links.iter().position(|known| *known == address) {
            Some(at) => at + 1,
            None => {
                links.push(address);
                links.len()
            }
        })
    })
}

/// Every govspeak contact block (`<div class="contact">`) in an HTML fragment,
/// in document order; none from HTML nested too deep.
#[must_use]
pub fn contacts_from_html(html: &str) -> Vec<MediaContact> {
    let Some(fragment) = parse_shallow(html) else {
        return Vec::new();
    };
    fragment
        .root_element()
        .descendent_elements()
        .filter(|el| is_contact_block(*el))
        .filter_map(contact_from_block)
        .collect()
}

fn has_class(el: ElementRef<'_>, class: &str) -> bool {
    el.value()
        .has_class(class, CaseSensitivity::AsciiCaseInsensitive)
}

fn is_contact_block(el: ElementRef<'_>) -> bool {
    el.value().name() == "div" && has_class(el, "contact")
}

/// HTML's own definition of white space; a no-break space is content.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C')
}

/// Elements that start and end a paragraph of their own.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "nav"
            | "p"
            | "section"
            | "summary"
    )
}

/// Elements whose content is never reading text.
fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "img"
            | "picture"
            | "video"
            | "audio"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "canvas"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "button"
            | "input"
            | "select"
            | "textarea"
    )
}

/// The text of one paragraph while it is being collected: runs of white space
/// become one space, `<br>` becomes a line break.
#[derive(Default)]
struct Inline {
    text: String,
    pending_space: bool,
}

impl Inline {
    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            if is_html_space(c) {
                self.pending_space = !self.text.is_empty() && !self.text.ends_with('\n');
            } else {
                if self.pending_space {
                    self.text.push(' ');
                    self.pending_space = false;
                }
                self.text.push(c);
            }
        }
    }

    fn push_break(&mut self) {
        // Several <br>s in a row would otherwise make a blank line, which
        // the record format reads as a paragraph break.
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.pending_space = false;
    }

    fn take(&mut self) -> Option<String> {
        self.pending_space = false;
        let text = std::mem::take(&mut self.text);
        let trimmed = text.trim_matches(|c: char| is_html_space(c));
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }
}

/// Collects the paragraph blocks of one container element.
#[derive(Default)]
struct Blocks {
    done: Vec<String>,
    inline: Inline,
}

impl Blocks {
    fn flush(&mut self) {
        if let Some(text) = self.inline.take() {
            self.done.push(text);
        }
    }

    fn push_block(&mut self, block: String) {
        self.flush();
        if !block.trim().is_empty() {
            self.done.push(block);
        }
    }

    fn walk_children(&mut self, el: ElementRef<'_>) {
        for child in el.children() {
            match child.value() {
                Node::Text(text) => self.inline.push_text(text),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(child) {
                        self.walk_element(child);
                    }
                }
                _ => {}
            }
        }
    }

    fn walk_element(&mut self, el: ElementRef<'_>) {
        let name = el.value().name();
        match name {
            "br" => self.inline.push_break(),
            _ if is_hidden(el) => {}
            "img" => {
                let alt = el.value().attr("alt").map(str::trim).unwrap_or_default();
                if alt.is_empty() {
                } else if is_fraction(el, alt) {
                    self.inline.push_text(alt);
                } else {
                    self.inline.push_text(&format!("[image: {alt}]"));
                }
            }
            _ if is_dropped(name) => {}
            "abbr" => {
                let before = self.inline.text.len();
                self.walk_children(el);
                // Its text read flat (not walked again: nested, that would
                // double the work at every level).
                let shown = el
                    .text()
                    .flat_map(str::split_whitespace)
                    .collect::<Vec<_>>()
                    .join(" ");
                // Not when the text has just spelt it out ("Public Health
                // England (PHE)").
                let said = |title: &str| {
                    // (A block inside the abbreviation flushes the line.)
                    let text = self.inline.text.get(..before).unwrap_or_default();
                    let tail = text.len().saturating_sub(title.len() + 4);
                    let tail = (tail..=text.len())
                        .find(|&at| text.is_char_boundary(at))
                        .map_or("", |at| &text[at..]);
                    tail.to_lowercase().contains(&title.to_lowercase())
                };
                if let Some(title) = el.value().attr("title").map(str::trim)
                    && !title.is_empty()
                    && title != shown
                    && EXPANDED.with_borrow_mut(|seen| {
                        seen.as_mut().is_some_and(|seen| seen.insert(shown.clone()))
                    })
                    && !said(title)
                {
                    self.inline.push_text(&format!(" ({title})"));
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let text = inline_text(el);
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.push_block(format!("{} {text}", "#".repeat(level.max(2))));
            }
            "section" if has_class(el, "attachment") => {
                let attachment = render_attachment(el);
                self.push_block(attachment);
            }
            // Contact blocks are structured data, shown separately.
            _ if is_contact_block(el) => self.flush(),
            // The "↩" link back from a footnote to where it was cited.
            "a" if has_class(el, "reversefootnote") => {}
            "a" => {
                self.walk_children(el);
                let address = el.value().attr("href").and_then(link_address);
                if let Some(address) = address {
                    let shows_address = self.inline.text.trim_end().ends_with(
                        address
                            .trim_end_matches('/')
                            .trim_start_matches("https://")
                            .trim_start_matches("http://"),
                    );
                    let number = link_number(address);
                    if let Some(number) = number
                        && !shows_address
                        && !self.inline.text.is_empty()
                    {
                        self.inline.push_text(&format!(" [{number}]"));
                    }
                }
            }
            "sup" if is_footnote_reference(el) => {
                let mark = inline_text(el);
                if mark.chars().all(|c| c.is_ascii_digit()) {
                    self.inline.push_text(&format!("[{mark}]"));
                } else {
                    self.inline.push_text(&mark);
                }
            }
            "ul" | "ol" | "menu" => {
                let list = render_list(el);
                self.push_block(list);
            }
            "blockquote" => {
                self.flush();
                for block in render_blocks(el) {
                    self.push_block(prefix_lines(&block, "> ", "> "));
                }
            }
            "table" => {
                self.flush();
                for block in render_table(el) {
                    self.push_block(block);
                }
            }
            "pre" => {
                let text: String = el.text().collect();
                self.push_block(text.trim_matches('\n').to_owned());
            }
            _ if is_block(name) => {
                self.flush();
                self.walk_children(el);
                self.flush();
            }
            _ => self.walk_children(el),
        }
    }
}

/// Text GOV.UK does not show: for screen readers only, shown by a script on
/// request, or hidden outright.
fn is_hidden(el: ElementRef<'_>) -> bool {
    el.value().attr("hidden").is_some()
        || ["visually-hidden", "govuk-visually-hidden", "js-hidden"]
            .iter()
            .any(|class| has_class(el, class))
}

/// A govspeak fraction (`<span class="fraction"><img alt="1/3">`), or an
/// image whose alt text is one.
fn is_fraction(img: ElementRef<'_>, alt: &str) -> bool {
    let in_fraction = img
        .parent()
        .and_then(ElementRef::wrap)
        .is_some_and(|parent| has_class(parent, "fraction"));
    in_fraction
        || alt.split_once('/').is_some_and(|(top, bottom)| {
            !top.is_empty()
                && !bottom.is_empty()
                && top
                    .chars()
                    .chain(bottom.chars())
                    .all(|c| c.is_ascii_digit())
        })
}

/// A govspeak embedded attachment as a list line: its title, what the file
/// is (type, size, pages), and on the next line its address; the thumbnail
/// and the accessibility boilerplate left out.
fn render_attachment(section: ElementRef<'_>) -> String {
    let title_el = section
        .descendent_elements()
        .find(|el| has_class(*el, "title"));
    let title = title_el.map(inline_text).unwrap_or_default();
    let href = title_el
        .and_then(|title| {
            title
                .descendent_elements()
                .find_map(|a| a.value().attr("href"))
        })
        .map(str::trim)
        .filter(|href| !href.is_empty() && !href.starts_with('#'));
    let metadata = section
        .descendent_elements()
        .find(|el| has_class(*el, "metadata"))
        .map(inline_text)
        .filter(|metadata| !metadata.is_empty());
    let mut line = format!("• {title}");
    if let Some(metadata) = metadata {
        line.push_str(&format!(" ({metadata})"));
    }
    if let Some(href) = href {
        let url = if href.starts_with('/') {
            format!("https://www.gov.uk{href}")
        } else {
            href.to_owned()
        };
        line.push_str(&format!("\n  {url}"));
    }
    line
}

fn is_footnote_reference(el: ElementRef<'_>) -> bool {
    el.value().id().is_some_and(|id| id.starts_with("fnref"))
        || el
            .child_elements()
            .any(|child| child.value().name() == "a" && has_class(child, "footnote"))
}

/// The paragraph blocks inside one element.
fn render_blocks(el: ElementRef<'_>) -> Vec<String> {
    let mut blocks = Blocks::default();
    blocks.walk_children(el);
    blocks.flush();
    blocks.done
}

/// An element's content as a single line.
fn inline_text(el: ElementRef<'_>) -> String {
    render_blocks(el)
        .iter()
        .flat_map(|block| block.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `first` before the first line, `rest` before every following one.
fn prefix_lines(block: &str, first: &str, rest: &str) -> String {
    block
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let prefix = if i == 0 { first } else { rest };
            if line.is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A whole list as one block, an item per line; an item's own paragraphs and
/// nested lists continue on indented lines under its marker.
fn render_list(list: ElementRef<'_>) -> String {
    let ordered = list.value().name() == "ol";
    let mut number: i64 = list
        .value()
        .attr("start")
        .and_then(|start| start.trim().parse().ok())
        .unwrap_or(1);
    let mut lines = Vec::new();
    for item in list.child_elements() {
        let blocks = if item.value().name() == "li" {
            render_blocks(item)
        } else {
            // Stray content directly inside a list still gets read.
            let mut blocks = Blocks::default();
            blocks.walk_element(item);
            blocks.flush();
            blocks.done
        };
        if let Some(value) = item.value().attr("value")
            && let Ok(value) = value.trim().parse()
        {
            number = value;
        }
        if blocks.is_empty() {
            continue;
        }
        let marker = if ordered {
            format!("{number}. ")
        } else {
            "• ".to_owned()
        };
        number += 1;
        let indent = " ".repeat(marker.chars().count());
        lines.push(prefix_lines(&blocks.join("\n"), &marker, &indent));
    }
    lines.join("\n")
}

/// One contact block; `None` when it holds nothing readable at all.
fn contact_from_block(block: ElementRef<'_>) -> Option<MediaContact> {
    let vcard = block
        .descendent_elements()
        .find(|el| has_class(*el, "vcard"))
        .unwrap_or(block);
    let mut contact = MediaContact {
        name: contact_name(block, vcard),
        ..MediaContact::default()
    };
    let mut notes = Vec::new();
    for el in vcard.descendent_elements() {
        if el.value().name() != "p" {
            continue;
        }
        if has_class(el, "email") {
            let (label, value) = labelled(el, "Email");
            if value.is_empty() {
                continue;
            }
            notes.push(format!("{label}: {value}"));
            contact.email.get_or_insert(value);
        } else if has_class(el, "tel") {
            let (label, value) = labelled(el, "Telephone");
            if value.is_empty() {
                continue;
            }
            notes.push(format!("{label}: {value}"));
            contact.phone.get_or_insert(value);
        } else if has_class(el, "adr") {
            let address = address_text(el);
            if !address.is_empty() {
                notes.push(format!("Address: {address}"));
            }
        } else if has_class(el, "url") || has_class(el, "contact_form_url") {
            let (label, value) = labelled(el, "Web");
            let href = el
                .descendent_elements()
                .find_map(|a| a.value().attr("href"))
                .map(str::trim)
                .filter(|href| !href.is_empty());
            // govspeak shortens a contact form's link text, so the address
            // itself is the part worth keeping.
            match href {
                Some(href) if href != value => notes.push(format!("{label}: {href}")),
                _ if !value.is_empty() => notes.push(format!("{label}: {value}")),
                _ => {}
            }
        } else if has_class(el, "comments") {
            notes.extend(render_blocks(el));
        }
    }
    if !notes.is_empty() {
        contact.notes = Some(notes.join("\n"));
    }
    let empty = contact.name.is_none() && contact.notes.is_none();
    (!empty).then_some(contact)
}

/// The contact's title: the first plain `<p>` in the vcard (how whitehall
/// rendered contacts for years), else the heading govspeak now puts above it.
fn contact_name(block: ElementRef<'_>, vcard: ElementRef<'_>) -> Option<String> {
    let data_classes = ["adr", "email", "tel", "url", "comments", "contact_form_url"];
    let plain_paragraph = vcard.descendent_elements().find(|el| {
        el.value().name() == "p" && !data_classes.iter().any(|class| has_class(*el, class))
    });
    let heading = || {
        block
            .descendent_elements()
            .find(|el| matches!(el.value().name(), "h2" | "h3" | "h4" | "h5" | "h6"))
    };
    plain_paragraph
        .or_else(heading)
        .map(inline_text)
        .filter(|name| !name.is_empty())
}

/// A `<p>` of the form `<span class="type">Label</span> value`.
fn labelled(p: ElementRef<'_>, default_label: &str) -> (String, String) {
    let mut label = None;
    let mut value = Inline::default();
    for child in p.children() {
        match child.value() {
            Node::Text(text) => value.push_text(text),
            Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(child) {
                    if label.is_none() && has_class(el, "type") {
                        label = Some(inline_text(el));
                    } else {
                        value.push_text(" ");
                        value.push_text(&inline_text(el));
                        value.push_text(" ");
                    }
                }
            }
            _ => {}
        }
    }
    let label = label
        .filter(|label| !label.is_empty())
        .unwrap_or_else(|| default_label.to_owned());
    let value = value.take().unwrap_or_default().replace('\n', " ");
    (label, value)
}

/// An hCard address on one line, its `<br>`-separated parts joined by commas.
fn address_text(p: ElementRef<'_>) -> String {
    render_blocks(p)
        .iter()
        .flat_map(|block| block.lines())
        .map(|line| line.trim().trim_end_matches(','))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            html_to_text("<p>Fish &amp; chips &lt;3 &pound;5&nbsp;each &#8211; &quot;ok&quot;</p>"),
            "Fish & chips <3 £5\u{a0}each – \"ok\""
        );
    }

    #[test]
    fn whitespace_collapses_inside_a_paragraph() {
        assert_eq!(
            html_to_text("<p>  one\n   two\t\tthree  </p>\n\n<p>four  </p>"),
            "one two three\n\nfour"
        );
    }

    #[test]
    fn nested_inline_tags_keep_their_text() {
        assert_eq!(
            html_to_text(
                "<div class=\"govspeak\"><p><strong>Bold <em>and <a href=\"x\">linked</a></em></strong>, \
                 <abbr title=\"Public Health England\">PHE</abbr>’s view.</p></div>"
            ),
            "Bold and linked, PHE (Public Health England)’s view."
        );
        // Not when the text has just spelt it out, nor when it holds a block.
        assert_eq!(
            html_to_text(
                "<p>Public Health England (<abbr title=\"Public Health England\">PHE</abbr>)</p>\
                 <p>x <abbr title=\"Y\"><div>a</div>b</abbr></p>"
            ),
            "Public Health England (PHE)\n\nx (Y)\n\na\n\nb"
        );
        // Explained the first time only.
        assert_eq!(
            html_to_text(
                "<p><abbr title=\"Public Health England\">PHE</abbr> and \
                 <abbr title=\"Public Health England\">PHE</abbr></p>"
            ),
            "PHE (Public Health England) and PHE"
        );
    }

    #[test]
    fn headings_are_their_own_paragraph() {
        assert_eq!(
            html_to_text("<p>Intro</p><h2 id=\"background\">Background</h2><p>Text</p>"),
            "Intro\n\n## Background\n\nText"
        );
        assert_eq!(
            html_to_text("<h3>Aims</h3><h1>Top</h1><p>x</p>"),
            "### Aims\n\n## Top\n\nx"
        );
    }

    #[test]
    fn lists_become_marked_lines() {
        assert_eq!(
            html_to_text(
                "<p>Limits:</p><ol>\n  <li>cocaine, 10 µg/L</li>\n  <li>ketamine,  20 µg/L</li>\n</ol><ul><li><p>a</p></li><li>b<ul><li>c</li></ul></li></ul>"
            ),
            "Limits:\n\n1. cocaine, 10 µg/L\n2. ketamine, 20 µg/L\n\n• a\n• b\n  • c"
        );
        assert_eq!(
            html_to_text("<ol start=\"3\"><li>x</li><li>y</li></ol>"),
            "3. x\n4. y"
        );
    }

    #[test]
    fn blockquotes_are_prefixed() {
        assert_eq!(
            html_to_text(
                "<p>He said:</p><blockquote>  <p>One.</p>  <p class=\"last-child\">Two.</p></blockquote>"
            ),
            "He said:\n\n> One.\n\n> Two."
        );
    }

    #[test]
    fn line_breaks_survive_but_never_make_blank_lines() {
        assert_eq!(
            html_to_text("<p>Building R103<br>Fermi Avenue<br><br> Harwell</p>"),
            "Building R103\nFermi Avenue\nHarwell"
        );
    }

    #[test]
    fn images_go_and_captions_stay() {
        assert_eq!(
            html_to_text(
                "<figure class=\"image embedded\"><div class=\"img\"><img alt=\"A\" src=\"a.jpg\"></div>\n\
                 <figcaption>My Caption &amp; so on</figcaption></figure><p>After</p>"
            ),
            "[image: A]\n\nMy Caption & so on\n\nAfter"
        );
        // Decorative images (no alt text) leave nothing.
        assert_eq!(
            html_to_text("<p>a <img src=\"x.png\" alt=\"\"> b</p>"),
            "a b"
        );
    }

    #[test]
    fn tables_become_rows_of_cells() {
        assert_eq!(
            html_to_text(
                "<table><caption>Totals</caption><thead><tr><th>Year</th><th>Count</th></tr></thead>\
                 <tbody><tr><td>2014</td><td>1,000</td></tr><tr><td>2015</td><td><p>2,000</p></td></tr></tbody></table>"
            ),
            "Totals\n\n| Year | Count |\n| 2014 | 1,000 |\n| 2015 | 2,000 |"
        );
    }

    #[test]
    fn spanning_cells_take_the_width_of_their_columns() {
        assert_eq!(
            html_to_text(
                "<table><tr><th colspan=\"2\">Both halves</th><th>Total</th></tr>\
                 <tr><td>a</td><td>bb</td><td>3</td></tr>\
                 <tr><td rowspan=\"2\">tall</td><td>c</td><td>4</td></tr>\
                 <tr><td>d</td><td>5</td></tr></table>"
            ),
            "| Both halves | Total |\n\
             | a    | bb   | 3     |\n\
             | tall | c    | 4     |\n\
             |      | d    | 5     |"
        );
    }

    #[test]
    fn text_gov_uk_hides_is_not_shown() {
        assert_eq!(
            html_to_text(
                "<p><span class=\"govuk-visually-hidden\">Warning</span>Read this.</p>\
                 <p class=\"js-hidden\">Request an accessible format.</p>\
                 <p>Shown<span class=\"visually-hidden\"> to screen readers</span>.</p><p hidden>x</p>"
            ),
            "Read this.\n\nShown."
        );
    }

    #[test]
    fn links_are_numbered_and_their_addresses_kept() {
        let html = "<p>Read <a href=\"/government/news/a\">the news</a>, \
            <a href=\"https://example.org/x\">elsewhere</a> and \
            <a href=\"/government/news/a\">again</a>; \
            <a href=\"https://www.gov.uk/b\">https://www.gov.uk/b</a> \
            <a href=\"mailto:press@example.org\">press@example.org</a> \
            <a href=\"#top\">top</a> <a href=\"javascript:x()\">run</a></p>";
        let (text, links) = html_to_text_and_links(html);
        assert_eq!(
            text,
            "Read the news [1], elsewhere [2] and again [1]; https://www.gov.uk/b \
             press@example.org top run"
        );
        assert_eq!(
            links,
            [
                "https://www.gov.uk/government/news/a",
                "https://example.org/x",
                "https://www.gov.uk/b"
            ]
        );
        assert_eq!(
            html_to_text(html).matches('[').count(),
            0,
            "plain text has no numbers"
        );
    }

    #[test]
    fn footnotes_read_as_references() {
        // Markup as govspeak's own footnote test shows it.
        let html = "<p>Footnotes can be added<sup id=\"fnref:1\"><a href=\"#fn:1\" class=\"footnote\" rel=\"footnote\" role=\"doc-noteref\">[footnote 1]</a></sup>.</p>\
            <p>Old style<sup id=\"fnref:2\"><a href=\"#fn:2\" class=\"footnote\">2</a></sup>.</p>\
            <div class=\"footnotes\" role=\"doc-endnotes\"><ol><li id=\"fn:1\"><p>And then later defined. \
            <a href=\"#fnref:1\" class=\"reversefootnote\" role=\"doc-backlink\">↩</a> \
            <a href=\"#fnref:1:1\" class=\"reversefootnote\">↩<sup>2</sup></a></p></li></ol></div>";
        assert_eq!(
            html_to_text(html),
            "Footnotes can be added[footnote 1].\n\nOld style[2].\n\n1. And then later defined."
        );
    }

    #[test]
    fn contact_blocks_are_not_body_text() {
        let html = "<p>Before</p><div class=\"contact \" id=\"c\"><div class=\"content\"><div class=\"vcard contact-inner\">\
            <p>Press office</p><p class=\"tel\"><span class=\"type\">Main</span> 020 0000 0000</p></div></div></div><p>After</p>";
        assert_eq!(html_to_text(html), "Before\n\nAfter");
        let contacts = contacts_from_html(html);
        assert_eq!(contacts.len(), 1);
        assert_eq!(contacts[0].name.as_deref(), Some("Press office"));
        assert_eq!(contacts[0].phone.as_deref(), Some("020 0000 0000"));
        assert_eq!(contacts[0].notes.as_deref(), Some("Main: 020 0000 0000"));
    }

    /// The deepest markup still walked as a tree, in each of the shapes
    /// that take the most stack per level.
    fn deepest_walked() -> Vec<String> {
        let nest = |open: &str, close: &str, levels: usize| {
            format!("{}x{}", open.repeat(levels), close.repeat(levels))
        };
        vec![
            nest("<sup id=\"fnref:1\">", "</sup>", MAX_DEPTH - 2),
            nest("<ul><li>", "</li></ul>", MAX_DEPTH / 2 - 1),
            nest("<table><tr><td>", "</td></tr></table>", MAX_DEPTH / 4 - 1),
            nest("<blockquote>", "</blockquote>", MAX_DEPTH - 2),
            nest("<abbr title=\"t\">", "</abbr>", MAX_DEPTH - 2),
            nest("<h2>", "</h2>", MAX_DEPTH - 2),
            nest(
                "<div class=\"contact\"><p class=\"email\">",
                "</p></div>",
                MAX_DEPTH / 2 - 1,
            ),
        ]
    }

    #[test]
    fn the_deepest_tree_walked_fits_a_small_stack() {
        // Half the stack the loader's threads have (2 MiB), in a debug build.
        let walked = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let (texts, flattened) = counting_flattened(|| {
                    deepest_walked()
                        .iter()
                        .map(|html| (html_to_text(html), contacts_from_html(html).len()))
                        .collect::<Vec<_>>()
                });
                (texts, flattened)
            })
            .expect("a thread")
            .join()
            .expect("no stack overflow");
        assert_eq!(walked.1, 0, "walked as trees");
        assert!(
            walked
                .0
                .iter()
                .all(|(text, contacts)| text.contains('x') || *contacts > 0),
            "{walked:?}"
        );
    }

    #[test]
    fn deeper_html_is_read_flat_and_counted() {
        for html in [
            "<b>".repeat(20_000) + "bold",
            "<div>".repeat(50_000) + "deep",
            format!("{}<p>{}</p>", "<ul><li>".repeat(MAX_DEPTH), "listed"),
        ] {
            let ((text, contacts), flattened) =
                counting_flattened(|| (html_to_text(&html), contacts_from_html(&html)));
            assert_eq!(flattened, 2, "both readings flattened");
            assert!(contacts.is_empty());
            assert!(
                text.ends_with("bold") || text.ends_with("deep") || text.ends_with("listed"),
                "{text:?}"
            );
        }
        // Shallow HTML is not counted.
        assert_eq!(counting_flattened(|| html_to_text("<p>a</p>")).1, 0);
    }

    #[test]
    fn no_tags_survive() {
        let text = html_to_text(
            "<div><span>a</span><unknown-tag>b</unknown-tag> <!-- c --><script>d()</script></div>",
        );
        assert_eq!(text, "ab");
    }
}
