//! A CommonMark body (read by pulldown-cmark) as the record format's plain
//! text: paragraphs separated by blank lines, hard-wrapped lines joined into
//! their paragraph, `_emphasis_`, `*strong*` and `~struck~` marked, links as
//! their text followed by the address (which the browser numbers `[1]` and
//! lists at the end, as for every statement), images as `[image: alt]`,
//! lists as "• item" / "1. item" lines, block quotes with "> ", tables a
//! row a line, raw HTML blocks through the same reader as GOV.UK bodies.
//!
//! pulldown-cmark gives a flat stream of events, and the containers open at
//! any moment are a stack of our own, so nothing here recurses. Quotes and
//! lists nested more than [`MAX_NESTING`] deep are not given to the parser
//! at all (its work, and the indentation of the text, grow with the square
//! of the depth: 2,000 nested list items took 4 s): such a body is read as
//! plain paragraphs and the caller reports it.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::formats::govuk::html_to_text;

/// How deep quotes and lists may nest before a body is read flat.
pub const MAX_NESTING: usize = 32;

/// Renders `markdown` as plain text with its web links numbered, as GOV.UK
/// bodies are (`the site [1]`), and the addresses in that order; relative
/// link addresses are made absolute against `base` (the statement's own
/// address) when it has one. `None` when it nests deeper than
/// [`MAX_NESTING`]: see [`flat_text`].
#[must_use]
pub fn markdown_to_text(markdown: &str, base: Option<&url::Url>) -> Option<(String, Vec<String>)> {
    if nests_deeper_than(markdown, MAX_NESTING) {
        return None;
    }
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut out = Renderer {
        base,
        ..Renderer::default()
    };
    out.frames.push(Frame::new(Container::Root));
    for event in Parser::new_ext(markdown, options) {
        out.event(event);
    }
    let numbered = std::mem::take(&mut out.numbered);
    Some((out.finish(), numbered))
}

/// A body read without its Markdown: paragraphs between blank lines, each
/// one's lines joined.
#[must_use]
pub fn flat_text(markdown: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in markdown.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    paragraphs.join("\n\n")
}

/// Whether some line opens more than `limit` quotes and lists: counted from
/// its start, each `>`, each list marker and every two columns of
/// indentation as one level (more than CommonMark would count, never less).
fn nests_deeper_than(markdown: &str, limit: usize) -> bool {
    markdown.lines().any(|line| {
        let mut depth = 0;
        let mut spaces = 0;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => spaces += 1,
                '\t' => spaces += 4,
                '>' => depth += 1,
                '-' | '*' | '+' if chars.peek() == Some(&' ') => depth += 1,
                '0'..='9' => {
                    while chars.next_if(char::is_ascii_digit).is_some() {}
                    if chars.next_if(|c| matches!(c, '.' | ')')).is_none() {
                        break;
                    }
                    depth += 1;
                }
                _ => break,
            }
            if depth + spaces / 2 > limit {
                return true;
            }
        }
        false
    })
}

/// What an open container is.
enum Container {
    Root,
    Quote,
    /// A list and the number of its next item (`None`: bullets).
    List(Option<u64>),
    Item,
    Footnote(String),
    Table,
    HtmlBlock(String),
}

/// An open container and the blocks (or, in a list, the items) it holds.
struct Frame {
    container: Container,
    blocks: Vec<String>,
}

impl Frame {
    fn new(container: Container) -> Self {
        Self {
            container,
            blocks: Vec::new(),
        }
    }
}

#[derive(Default)]
struct Renderer<'a> {
    base: Option<&'a url::Url>,
    frames: Vec<Frame>,
    /// The paragraph being collected.
    inline: String,
    /// The addresses of the links open, innermost last, with where their
    /// text starts in `inline`.
    links: Vec<(String, usize)>,
    /// The web addresses numbered so far: `[3]` is the third.
    numbered: Vec<String>,
    /// Inside an image: its alt text goes into `inline` as usual.
    images: usize,
    /// The cells of the table row being read.
    row: Vec<String>,
}

impl Renderer<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) => {
                self.push_text(&text);
            }
            Event::DisplayMath(text) => {
                self.flush();
                self.push_block(text.trim().to_owned());
            }
            Event::Html(html) => {
                if let Some(Frame {
                    container: Container::HtmlBlock(collected),
                    ..
                }) = self.frames.last_mut()
                {
                    collected.push_str(&html);
                }
            }
            Event::InlineHtml(html) => {
                // Inline tags are dropped and the text between them kept;
                // a <br> still breaks the line.
                let tag = html.trim_start_matches('<').trim_start_matches('/');
                if tag
                    .get(..2)
                    .is_some_and(|name| name.eq_ignore_ascii_case("br"))
                {
                    self.hard_break();
                }
            }
            Event::FootnoteReference(label) => self.push_text(&format!("[{label}]")),
            Event::SoftBreak => self.push_text(" "),
            Event::HardBreak => self.hard_break(),
            Event::Rule => self.flush(),
            Event::TaskListMarker(done) => self.push_text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::MetadataBlock(_) => {
                self.flush();
            }
            Tag::BlockQuote(_) => self.open(Container::Quote),
            Tag::List(first) => self.open(Container::List(first)),
            Tag::Item => self.open(Container::Item),
            Tag::FootnoteDefinition(label) => self.open(Container::Footnote(label.to_string())),
            Tag::Table(_) => self.open(Container::Table),
            Tag::TableRow | Tag::TableHead => self.row.clear(),
            Tag::TableCell => self.inline.clear(),
            Tag::HtmlBlock => self.open(Container::HtmlBlock(String::new())),
            Tag::Emphasis => self.inline.push('_'),
            Tag::Strong => self.inline.push('*'),
            Tag::Strikethrough => self.inline.push('~'),
            Tag::Link { dest_url, .. } => {
                let at = self.inline.len();
                self.links.push((dest_url.to_string(), at));
            }
            Tag::Image { .. } => {
                self.images += 1;
                self.inline.push_str("[image: ");
            }
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::MetadataBlock(_) => self.flush(),
            TagEnd::CodeBlock => {
                // Kept line for line, but never a blank line inside a block.
                let code = std::mem::take(&mut self.inline);
                let lines: Vec<&str> = code
                    .trim_matches('\n')
                    .lines()
                    .filter(|line| !line.trim().is_empty())
                    .collect();
                if !lines.is_empty() {
                    self.push_block(lines.join("\n"));
                }
            }
            TagEnd::Item => {
                self.flush();
                self.close();
            }
            TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::HtmlBlock => {
                self.flush();
                self.close();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                self.row.push(cell.trim().to_owned());
            }
            TagEnd::TableRow | TagEnd::TableHead => {
                let row = std::mem::take(&mut self.row).join(" | ");
                self.push_block(row);
            }
            TagEnd::Emphasis => self.inline.push('_'),
            TagEnd::Strong => self.inline.push('*'),
            TagEnd::Strikethrough => self.inline.push('~'),
            TagEnd::Link => {
                if let Some((dest, at)) = self.links.pop() {
                    self.end_link(&dest, at);
                }
            }
            TagEnd::Image => {
                self.images = self.images.saturating_sub(1);
                if self.inline.ends_with("[image: ") {
                    self.inline.truncate(self.inline.len() - "[image: ".len());
                } else {
                    self.inline.push(']');
                }
            }
            TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript => {}
        }
    }

    /// A web link's number after its text (`the site [1]`), as GOV.UK
    /// bodies give them; an email address or number after its text, unless
    /// the text says it already (`<https://…>`, or the address itself); any
    /// other address after its text as it is.
    fn end_link(&mut self, dest: &str, text_at: usize) {
        if self.images > 0 {
            return;
        }
        let dest = dest.trim();
        let shown = self.inline.get(text_at..).unwrap_or_default().trim();
        let address = dest
            .strip_prefix("mailto:")
            .or_else(|| dest.strip_prefix("tel:"))
            .unwrap_or(dest);
        if dest.is_empty() || dest.starts_with('#') || shown == address || shown == dest {
            return;
        }
        let absolute = match self.base {
            _ if address != dest => address.to_owned(),
            Some(base) if url::Url::parse(dest).is_err() => base
                .join(dest)
                .map_or_else(|_| dest.to_owned(), |url| url.to_string()),
            _ => dest.to_owned(),
        };
        if !self.inline.ends_with(' ') && !shown.is_empty() {
            self.inline.push(' ');
        }
        let web = address == dest
            && url::Url::parse(&absolute).is_ok_and(|url| matches!(url.scheme(), "http" | "https"));
        if web {
            let number = match self.numbered.iter().position(|known| *known == absolute) {
                Some(at) => at + 1,
                None => {
                    self.numbered.push(absolute);
                    self.numbered.len()
                }
            };
            self.inline.push_str(&format!("[{number}]"));
        } else {
            self.inline.push_str(&absolute);
        }
    }

    fn push_text(&mut self, text: &str) {
        if matches!(text, " ") && (self.inline.is_empty() || self.inline.ends_with('\n')) {
            return;
        }
        self.inline.push_str(text);
    }

    fn hard_break(&mut self) {
        let trimmed = self.inline.trim_end_matches(' ').len();
        self.inline.truncate(trimmed);
        if !self.inline.is_empty() && !self.inline.ends_with('\n') {
            self.inline.push('\n');
        }
    }

    /// Ends the paragraph being collected.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.inline);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        if !lines.is_empty() {
            self.push_block(lines.join("\n"));
        }
    }

    fn push_block(&mut self, block: String) {
        if let Some(frame) = self.frames.last_mut() {
            frame.blocks.push(block);
        }
    }

    fn open(&mut self, container: Container) {
        self.flush();
        self.frames.push(Frame::new(container));
    }

    /// Closes the innermost container, handing what it holds to the one
    /// around it.
    fn close(&mut self) {
        if self.frames.len() < 2 {
            return;
        }
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let blocks = frame.blocks;
        match frame.container {
            Container::Root => {}
            Container::Quote => {
                for block in blocks {
                    self.push_block(prefix_lines(&block, "> ", "> "));
                }
            }
            Container::List(_) => {
                if !blocks.is_empty() {
                    self.push_block(blocks.join("\n"));
                }
            }
            Container::Item => {
                let marker = match self.frames.last_mut() {
                    Some(Frame {
                        container: Container::List(Some(number)),
                        ..
                    }) => {
                        let marker = format!("{number}. ");
                        *number += 1;
                        marker
                    }
                    _ => "• ".to_owned(),
                };
                if !blocks.is_empty() {
                    let indent = " ".repeat(marker.chars().count());
                    self.push_block(prefix_lines(&blocks.join("\n"), &marker, &indent));
                }
            }
            Container::Footnote(label) => {
                if !blocks.is_empty() {
                    self.push_block(format!("[{label}] {}", blocks.join(" ")));
                }
            }
            Container::Table => {
                if !blocks.is_empty() {
                    self.push_block(blocks.join("\n"));
                }
            }
            Container::HtmlBlock(html) => {
                for block in html_to_text(&html).split("\n\n") {
                    if !block.trim().is_empty() {
                        self.push_block(block.to_owned());
                    }
                }
            }
        }
    }

    fn finish(mut self) -> String {
        self.flush();
        while self.frames.len() > 1 {
            self.close();
        }
        self.frames
            .pop()
            .map(|root| root.blocks.join("\n\n"))
            .unwrap_or_default()
    }
}

/// `first` before the first line, `rest` before every following one.
fn prefix_lines(block: &str, first: &str, rest: &str) -> String {
    block
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let prefix = if i == 0 { first } else { rest };
            format!("{prefix}{line}").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, flat_text, markdown_to_text};

    fn text(markdown: &str) -> String {
        markdown_to_text(markdown, None).unwrap_or_default().0
    }

    #[test]
    fn hard_wrapped_lines_join_into_paragraphs() {
        assert_eq!(
            text("One line\nwrapped here.\n\nSecond  \nbreak."),
            "One line wrapped here.\n\nSecond\nbreak."
        );
    }

    #[test]
    fn emphasis_escapes_and_entities() {
        assert_eq!(
            text(r"*Editor's note:* **bold** ~~gone~~ \*not\* &amp; `code`"),
            "_Editor's note:_ *bold* ~gone~ *not* & code"
        );
    }

    #[test]
    fn links_keep_their_address() {
        let base = url::Url::parse("https://18f.gsa.gov/2015/10/09/x/").ok();
        let markdown = "See [the site](https://cloud.gov), <https://login.gov/>, \
             [us](mailto:a@b.gov) or [a@b.gov](mailto:a@b.gov) and [park](/2015/09/03/park/), \
             [the site again](https://cloud.gov).";
        assert_eq!(
            text_at(markdown, base.as_ref()),
            "See the site [1], https://login.gov/, us a@b.gov or a@b.gov \
             and park [2], the site again [1]."
        );
        let (_, links) = markdown_to_text(markdown, base.as_ref()).unwrap_or_default();
        assert_eq!(
            links,
            ["https://cloud.gov", "https://18f.gsa.gov/2015/09/03/park/"]
        );
        // Without the statement's address a relative one is kept as written.
        assert_eq!(text("[park](/2015/09/03/park/)"), "park /2015/09/03/park/");
    }

    #[test]
    fn lists_quotes_tables_and_html() {
        assert_eq!(
            text("* one\n* two\n  * nested\n\n3. c\n4. d"),
            "• one\n• two\n  • nested\n\n3. c\n4. d"
        );
        assert_eq!(
            text("> quoted\n> text\n\n> > deeper"),
            "> quoted text\n\n> > deeper"
        );
        assert_eq!(text("| a | b |\n|---|---|\n| 1 | 2 |"), "a | b\n1 | 2");
        assert_eq!(
            text(
                "<div>\n<p>Raw <strong>HTML</strong> block</p>\n</div>\n\nafter <b>inline</b><br>line"
            ),
            "Raw HTML block\n\nafter inline\nline"
        );
        assert_eq!(text("![A ship](ship.gif)"), "[image: A ship]");
    }

    fn text_at(markdown: &str, base: Option<&url::Url>) -> String {
        markdown_to_text(markdown, base).unwrap_or_default().0
    }

    #[test]
    fn nesting_up_to_the_limit_is_read_and_deeper_is_refused() {
        let quotes = |depth: usize| ">".repeat(depth) + " deep";
        assert_eq!(
            text(&quotes(MAX_NESTING)),
            "> ".repeat(MAX_NESTING) + "deep"
        );
        assert!(markdown_to_text(&quotes(50_000), None).is_none());
        let lists = |depth: usize| {
            (0..depth)
                .map(|depth| format!("{}- item", "  ".repeat(depth)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(text(&lists(10)).ends_with("                  • item"));
        assert!(markdown_to_text(&lists(5_000), None).is_none());
        assert!(markdown_to_text(&"1. ".repeat(40), None).is_none());
        assert_eq!(flat_text("a\nb\n\n\n  c  \n"), "a b\n\nc");
    }
}
