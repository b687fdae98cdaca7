//! HTML nested too deep for the tree renderer: how deep tags nest, measured
//! without building a tree, and such HTML read as flat paragraphs. Both run
//! html5ever's tokenizer alone, which keeps no tree and never recurses, so a
//! body of 50,000 nested `<div>`s costs one linear pass (html5ever's tree
//! builder takes seconds on it: its scope checks walk every open element).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use html5ever::LocalName;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::{Blocks, is_block, is_dropped};

/// Whether tags nest deeper than `limit` in `html`, counting every start tag
/// that is not closed yet (HTML's implied end tags are not applied, so this
/// over-counts sloppy HTML rather than under-counting a crafted one).
pub(super) fn nests_deeper_than(html: &str, limit: usize) -> bool {
    let sink = tokenize(
        html,
        Measure {
            limit,
            open: RefCell::default(),
            counts: RefCell::default(),
            too_deep: Cell::new(false),
        },
    );
    sink.too_deep.get()
}

/// The text of `html` as paragraphs separated by blank lines: block elements
/// start and end paragraphs, `<br>` breaks a line, list items are marked,
/// the content of images, scripts and the like is left out. Lists, tables and
/// quotes lose the rest of their layout.
pub(super) fn flat_text(html: &str) -> String {
    let sink = tokenize(
        html,
        Flatten {
            blocks: RefCell::default(),
            skipping: RefCell::default(),
        },
    );
    let mut blocks = sink.blocks.into_inner();
    blocks.flush();
    blocks.done.join("\n\n")
}

fn tokenize<Sink: TokenSink>(html: &str, sink: Sink) -> Sink {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // The sinks never ask for a script to run, so feeding ends at once.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

/// Elements that never have content or an end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// How the tokenizer must read what follows a tag, as the tree builder would
/// tell it: after the start tag of a script, style, … its text up to the end
/// tag, not markup.
fn content_model(tag: &Tag) -> TokenSinkResult<()> {
    if tag.kind != TagKind::StartTag {
        return TokenSinkResult::Continue;
    }
    match &*tag.name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

/// Tracks the open tags; stops counting once they are deeper than `limit`.
struct Measure {
    limit: usize,
    open: RefCell<Vec<LocalName>>,
    /// How many of each name are open, so an end tag for a name that is not
    /// open costs nothing (a search down the stack for each of a million
    /// stray end tags would be quadratic).
    counts: RefCell<HashMap<LocalName, usize>>,
    too_deep: Cell<bool>,
}

impl TokenSink for Measure {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if self.too_deep.get() {
            return content_model(&tag);
        }
        let mut open = self.open.borrow_mut();
        let mut counts = self.counts.borrow_mut();
        match tag.kind {
            TagKind::StartTag if !tag.self_closing && !is_void(&tag.name) => {
                open.push(tag.name.clone());
                *counts.entry(tag.name.clone()).or_default() += 1;
                if open.len() > self.limit {
                    self.too_deep.set(true);
                    open.clear();
                    counts.clear();
                }
            }
            TagKind::StartTag => {}
            TagKind::EndTag => {
                if counts.get(&tag.name).is_some_and(|&count| count > 0)
                    && let Some(at) = open.iter().rposition(|name| *name == tag.name)
                {
                    for closed in open.drain(at..) {
                        if let Some(count) = counts.get_mut(&closed) {
                            *count -= 1;
                        }
                    }
                }
            }
        }
        content_model(&tag)
    }
}

/// Collects paragraphs from tokens.
struct Flatten {
    blocks: RefCell<Blocks>,
    /// The element whose content is being left out, and how many elements
    /// of its name are open inside it.
    skipping: RefCell<Option<(LocalName, usize)>>,
}

impl TokenSink for Flatten {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut blocks = self.blocks.borrow_mut();
        let mut skipping = self.skipping.borrow_mut();
        let tag = match token {
            Token::CharacterTokens(text) => {
                if skipping.is_none() {
                    blocks.inline.push_text(&text);
                }
                return TokenSinkResult::Continue;
            }
            Token::TagToken(tag) => tag,
            _ => return TokenSinkResult::Continue,
        };
        if let Some((name, depth)) = skipping.as_mut() {
            if *name == tag.name {
                match tag.kind {
                    TagKind::StartTag if !tag.self_closing => *depth += 1,
                    TagKind::StartTag => {}
                    TagKind::EndTag if *depth > 0 => *depth -= 1,
                    TagKind::EndTag => *skipping = None,
                }
            }
            return content_model(&tag);
        }
        let name = &*tag.name;
        match tag.kind {
            TagKind::StartTag if is_dropped(name) && !tag.self_closing && !is_void(name) => {
                *skipping = Some((tag.name.clone(), 0));
            }
            TagKind::StartTag if is_dropped(name) => {}
            TagKind::StartTag if name == "br" => blocks.inline.push_break(),
            TagKind::StartTag if name == "li" => {
                blocks.flush();
                blocks.inline.push_text("• ");
            }
            TagKind::StartTag | TagKind::EndTag if ends_paragraph(name) => blocks.flush(),
            TagKind::StartTag if matches!(name, "td" | "th") => blocks.inline.push_text(" "),
            _ => {}
        }
        content_model(&tag)
    }
}

/// Tags that start or end a paragraph in flat text.
fn ends_paragraph(name: &str) -> bool {
    is_block(name)
        || matches!(
            name,
            "ul" | "ol" | "menu" | "blockquote" | "table" | "tr" | "pre"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_without_a_tree() {
        assert!(!nests_deeper_than("<div><p>a</p><p>b</p></div>", 2));
        assert!(nests_deeper_than("<div><p><b>a</b></p></div>", 2));
        assert!(nests_deeper_than(&"<b>".repeat(20_000), 128));
        assert!(nests_deeper_than(&"<div>".repeat(50_000), 128));
    }

    #[test]
    fn closed_voids_and_stray_end_tags_do_not_nest() {
        let html = format!(
            "{}{}<br><img src=x><p/>",
            "<div></div>".repeat(1_000),
            "</span>".repeat(1_000)
        );
        assert!(!nests_deeper_than(&html, 1));
    }

    #[test]
    fn script_text_is_not_markup() {
        let html = format!("<script>{}</script><p>x</p>", "<div>".repeat(500));
        assert!(!nests_deeper_than(&html, 2));
        assert_eq!(flat_text(&html), "x");
    }

    #[test]
    fn flat_text_keeps_paragraphs_lines_and_entities() {
        let html = "<div><div><p>One &amp; <b>two</b></p><p>three<br>four</p>\
            <ul><li>a</li><li>b</li></ul><img src=x><svg><text>no</text></svg>five</div></div>";
        assert_eq!(
            flat_text(html),
            "One & two\n\nthree\nfour\n\n• a\n\n• b\n\nfive"
        );
    }

    #[test]
    fn flat_text_of_deep_nesting_keeps_the_text() {
        let html = format!("{}deep text", "<div><b>".repeat(30_000));
        assert_eq!(flat_text(&html), "deep text");
    }
}
