//! The detail view: one statement, scrolled, with find-in-text and moving to
//! the next or previous statement of the list without leaving.

use std::ops::Range;
use std::sync::Arc;

use super::{Effect, LineEditor, State, View};

use crate::document::{DisplayLine, PAGE_BYTES, Page, layout_page, page_ranges};
use crate::keymap::Action;
use crate::records::Statement;
use crate::sanitize::clean_line;
use crate::search::fold;
use crate::store::Marks;

/// Rows the detail view spends on its header and footer.
pub const DETAIL_CHROME_ROWS: u16 = 3;

/// A statement open for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Position of the statement in the archive.
    pub statement: usize,
    /// First line on screen.
    pub scroll: usize,
    /// What find-in-text looks for (folded); empty for nothing.
    pub find: String,
    /// The line of the match last jumped to.
    pub found: Option<usize>,
    /// The media contact chosen for copying (Tab moves), if any.
    pub contact: Option<usize>,
    /// The signatory chosen for their page (`>` moves), if any.
    pub signatory: Option<usize>,
    /// The view Back returns to when the statement was opened from one
    /// other than the list (a signatory's page).
    pub back: Option<Box<View>>,
    /// The find line while it is being typed.
    pub find_line: Option<FindLine>,
    /// The number of the link to copy, while it is being typed.
    pub link_line: Option<LineEditor>,
    /// The page on screen of a long body (see [`PAGE_BYTES`]).
    pub page: usize,
    /// The byte ranges of the body's pages, and the body length they were
    /// worked out for (a body read from disk later gets them anew).
    pub pages: Arc<[Range<usize>]>,
    pub paged_len: Option<usize>,
    /// Opened from a `text:` search: scroll to the first hit of `find` as
    /// soon as the text is there (a body left on disk is read first).
    pub seek_hit: bool,
}

/// The find line being typed, and where the view was before it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindLine {
    pub editor: LineEditor,
    pub scroll_before: usize,
}

impl Detail {
    #[must_use]
    pub fn new(statement: usize) -> Self {
        Self {
            statement,
            scroll: 0,
            find: String::new(),
            found: None,
            contact: None,
            signatory: None,
            back: None,
            find_line: None,
            link_line: None,
            page: 0,
            pages: Arc::from(Vec::new()),
            paged_len: None,
            seek_hit: false,
        }
    }

    /// Opened at the first hit of a `text:` term: `n` and `N` then move
    /// between its hits.
    #[must_use]
    pub fn at_hit(statement: usize, term: &crate::search::TextTerm) -> Self {
        Self {
            find: term.find_text(),
            seek_hit: true,
            ..Self::new(statement)
        }
    }

    /// Works out the pages of `statement`'s body if they are not known for
    /// the body it has now.
    pub(super) fn paginate(&mut self, statement: &Statement) {
        let body = statement.body.as_deref().unwrap_or_default();
        if self.paged_len == Some(body.len()) {
            return;
        }
        self.pages = page_ranges(body, PAGE_BYTES).into();
        self.paged_len = Some(body.len());
        self.page = self.page.min(self.pages.len().saturating_sub(1));
    }

    /// How many pages the body has (1 for all but very long ones).
    #[must_use]
    pub fn page_count(&self) -> usize {
        self.pages.len().max(1)
    }

    /// Columns the text is wrapped to, for a terminal size.
    #[must_use]
    pub fn text_width(size: (u16, u16)) -> usize {
        usize::from(size.0.saturating_sub(2)).max(1)
    }

    /// Text rows on screen.
    #[must_use]
    pub fn text_rows(size: (u16, u16)) -> usize {
        usize::from(size.1.saturating_sub(DETAIL_CHROME_ROWS)).max(1)
    }

    /// Whether a line (find, or a link number) is being typed.
    #[must_use]
    pub fn typing(&self) -> bool {
        self.find_line.is_some() || self.link_line.is_some()
    }

    /// The lines on screen: the statement, or the page of it shown, with
    /// its marks, at this terminal size. Never the whole of a long body.
    #[must_use]
    pub fn lines(
        &self,
        statement: &Statement,
        marks: Option<&Marks>,
        size: (u16, u16),
    ) -> Vec<DisplayLine> {
        self.with_page(statement, |page| {
            layout_page(
                statement,
                Some(marks.unwrap_or(&Marks::default())),
                Self::text_width(size),
                page,
            )
        })
    }

    /// The links numbered on the page shown, `[1]` first.
    #[must_use]
    pub fn links(&self, statement: &Statement) -> Vec<String> {
        self.with_page(statement, |page| crate::document::links(statement, page))
    }

    /// Calls `show` with the page of the body shown (`None`: all of it).
    fn with_page<R>(&self, statement: &Statement, show: impl FnOnce(Option<Page>) -> R) -> R {
        let body = statement.body.as_deref().unwrap_or_default();
        let fresh;
        let pages: &[Range<usize>] = if self.paged_len == Some(body.len()) {
            &self.pages
        } else {
            // Not worked out yet for this body (just read): do it now
            // rather than lay out all of it.
            fresh = page_ranges(body, PAGE_BYTES);
            &fresh
        };
        let page = (pages.len() > 1).then(|| {
            let number = self.page.min(pages.len() - 1);
            Page {
                text: body.get(pages[number].clone()).unwrap_or_default(),
                number,
                count: pages.len(),
            }
        });
        show(page)
    }

    /// Lines holding a match of the find text.
    #[must_use]
    pub fn matching_lines(&self, lines: &[DisplayLine]) -> Vec<usize> {
        if self.find.is_empty() {
            return Vec::new();
        }
        lines
            .iter()
            .enumerate()
            .filter(|(_, line)| fold(&line.text).contains(self.find.as_str()))
            .map(|(number, _)| number)
            .collect()
    }

    fn max_scroll(line_count: usize, size: (u16, u16)) -> usize {
        line_count.saturating_sub(Self::text_rows(size))
    }

    /// Scrolls so the chosen contact's lines are on screen.
    pub(super) fn show_contact(&mut self, lines: &[DisplayLine], size: (u16, u16)) {
        let Some(first) = lines
            .iter()
            .position(|line| line.contact.is_some() && line.contact == self.contact)
        else {
            return;
        };
        let rows = Self::text_rows(size);
        if first < self.scroll || first + 4 > self.scroll + rows {
            self.scroll = first
                .saturating_sub(2)
                .min(Self::max_scroll(lines.len(), size));
        }
    }

    pub(super) fn clamp(&mut self, statement: &Statement, marks: Option<&Marks>, size: (u16, u16)) {
        let count = self.lines(statement, marks, size).len();
        self.scroll = self.scroll.min(Self::max_scroll(count, size));
    }

    /// Scrolls to the first match at or after `from` (or before, backwards),
    /// wrapping around. Returns false when nothing matches.
    fn jump(
        &mut self,
        lines: &[DisplayLine],
        from: usize,
        forward: bool,
        size: (u16, u16),
    ) -> bool {
        // A page of a long body does not wrap around onto itself: the next
        // match may be on another page.
        let wrap = self.page_count() == 1;
        let matches = self.matching_lines(lines);
        let target = if forward {
            matches
                .iter()
                .find(|&&line| line >= from)
                .or(matches.first().filter(|_| wrap))
        } else {
            matches
                .iter()
                .rev()
                .find(|&&line| line <= from)
                .or(matches.last().filter(|_| wrap))
        };
        let Some(&target) = target else {
            self.found = None;
            return false;
        };
        self.found = Some(target);
        // Show the match with a little context above it.
        self.scroll = target
            .saturating_sub(2)
            .min(Self::max_scroll(lines.len(), size));
        true
    }
}

impl State {
    /// Scrolls a statement opened from a `text:` search to its first hit,
    /// once its text is in memory. A phrase broken over two lines is
    /// found by its first word.
    pub(super) fn seek_first_hit(&mut self) {
        let View::Detail(detail) = &self.view else {
            return;
        };
        let statement = &self.catalog.statements[detail.statement];
        if !detail.seek_hit || statement.body_on_disk() {
            return;
        }
        let mut detail = detail.clone();
        detail.seek_hit = false;
        let lines = detail.lines(statement, self.marks_of(detail.statement), self.size);
        let mut found = detail.jump(&lines, 0, true, self.size);
        if !found && let Some((first, _)) = detail.find.split_once(' ') {
            detail.find = first.to_owned();
            found = detail.jump(&lines, 0, true, self.size);
        }
        if !found {
            self.find_on_other_pages(&detail, true);
        }
        self.view = View::Detail(detail);
    }

    /// Copies link number `typed` of the page shown.
    fn copy_link(&mut self, detail: &Detail, typed: &str) {
        let links = detail.links(&self.catalog.statements[detail.statement]);
        let chosen = typed
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|number| number.checked_sub(1))
            .and_then(|at| links.get(at).cloned());
        let missing = format!(
            "no link [{}] on this page (1–{})",
            typed.trim(),
            links.len()
        );
        self.copy_lines(chosen.map(|link| vec![link]), &missing);
    }

    /// Shows page `page` of the open statement, from its top or its end.
    fn turn_page(&self, detail: &mut Detail, page: usize, at_end: bool) {
        detail.page = page.min(detail.page_count() - 1);
        detail.found = None;
        detail.scroll = if at_end { usize::MAX } else { 0 };
        let statement = &self.catalog.statements[detail.statement];
        detail.clamp(statement, self.marks_of(detail.statement), self.size);
    }

    /// Looks for the find text on the other pages of a long body, from the
    /// next page in `forward`'s direction round to this one. The text is
    /// searched off the drawing thread (the result comes to
    /// [`State::page_found`]); tests and scripts search at once. Returns
    /// false when the body has one page (nothing more to look at).
    fn find_on_other_pages(&mut self, detail: &Detail, forward: bool) -> bool {
        let count = detail.page_count();
        if count == 1 || detail.find.is_empty() {
            return false;
        }
        let from = if forward {
            (detail.page + 1) % count
        } else {
            (detail.page + count - 1) % count
        };
        let statement = detail.statement;
        let body = self.catalog.statements[statement]
            .body
            .as_deref()
            .unwrap_or_default();
        self.find_generation += 1;
        let generation = self.find_generation;
        if !self.background_search {
            let page = crate::document::page_with(body, &detail.pages, &detail.find, from, forward);
            self.finding = Some(generation);
            self.pending_page = Some((generation, forward, page));
            return true;
        }
        let text = match &self.long_text {
            Some((at, text)) if *at == statement && text.len() == body.len() => Arc::clone(text),
            _ => {
                // Copied once per statement, for the finder thread to share.
                let text: Arc<str> = Arc::from(body);
                self.long_text = Some((statement, Arc::clone(&text)));
                text
            }
        };
        self.finding = Some(generation);
        self.status = Some("finding in the other pages…".into());
        self.effects.push(Effect::FindPage {
            generation,
            text,
            pages: Arc::clone(&detail.pages),
            needle: detail.find.clone(),
            from,
            forward,
        });
        true
    }

    /// The page a find on the other pages found (`None`: the text is on no
    /// page). Dropped when another find was asked for since, or the
    /// statement is no longer open.
    pub fn page_found(&mut self, generation: u64, forward: bool, page: Option<usize>) {
        if self.finding != Some(generation) {
            return;
        }
        self.finding = None;
        if self.status.as_deref() == Some("finding in the other pages…") {
            self.status = None;
        }
        let View::Detail(detail) = &mut self.view else {
            return;
        };
        let Some(page) = page else {
            self.status = Some("not found".into());
            return;
        };
        let mut detail = detail.clone();
        self.turn_page(&mut detail, page, false);
        let statement = &self.catalog.statements[detail.statement];
        let lines = detail.lines(statement, self.marks_of(detail.statement), self.size);
        let from = if forward { 0 } else { lines.len() };
        detail.jump(&lines, from, forward, self.size);
        self.view = View::Detail(detail);
    }

    pub(super) fn update_detail(&mut self, mut detail: Detail, action: Action) {
        let size = self.size;
        detail.paginate(&self.catalog.statements[detail.statement]);
        let lines = detail.lines(
            &self.catalog.statements[detail.statement],
            self.marks_of(detail.statement),
            size,
        );
        if let Some(mut find) = detail.find_line.take() {
            match action {
                Action::Submit => {
                    self.remember(find.editor.text());
                    if !detail.find.is_empty() && detail.matching_lines(&lines).is_empty() {
                        self.status = Some(format!("not found: {}", find.editor.text()));
                    }
                }
                Action::Cancel => {
                    detail.find.clear();
                    detail.scroll = find.scroll_before;
                }
                Action::Type(c) => {
                    find.editor.insert(c);
                    detail.find = crate::search::fold_shown(find.editor.text());
                    if !detail.jump(&lines, find.scroll_before, true, size) {
                        self.find_on_other_pages(&detail, true);
                    }
                    detail.find_line = Some(find);
                }
                edit => {
                    if find.editor.edit(edit) {
                        detail.find = crate::search::fold_shown(find.editor.text());
                        if !detail.jump(&lines, find.scroll_before, true, size) {
                            self.find_on_other_pages(&detail, true);
                        }
                    }
                    detail.find_line = Some(find);
                }
            }
            self.view = View::Detail(detail);
            return;
        }
        if let Some(mut editor) = detail.link_line.take() {
            match action {
                Action::Submit => self.copy_link(&detail, editor.text()),
                Action::Cancel => {}
                Action::Type(c) => {
                    editor.insert(c);
                    detail.link_line = Some(editor);
                }
                edit => {
                    editor.edit(edit);
                    detail.link_line = Some(editor);
                }
            }
            self.view = View::Detail(detail);
            return;
        }
        let rows = Detail::text_rows(size);
        let max = Detail::max_scroll(lines.len(), size);
        self.view = View::Detail(detail.clone());
        if self.update_detail_contacts(&mut detail, action) {
            if matches!(self.view, View::Detail(_)) {
                self.view = View::Detail(detail);
            }
            return;
        }
        if self.update_detail_signatories(&mut detail, action) {
            if matches!(self.view, View::Detail(_)) {
                self.view = View::Detail(detail);
            }
            return;
        }
        if self.update_triage(action) {
            return;
        }
        match action {
            Action::Back => {
                self.view = detail.back.map_or(View::List, |back| *back);
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down | Action::PageDown | Action::HalfPageDown
                if detail.scroll >= max && detail.page + 1 < detail.page_count() =>
            {
                let next = detail.page + 1;
                self.turn_page(&mut detail, next, false);
            }
            Action::Up | Action::PageUp | Action::HalfPageUp
                if detail.scroll == 0 && detail.page > 0 =>
            {
                let previous = detail.page - 1;
                self.turn_page(&mut detail, previous, true);
            }
            Action::Top if detail.page > 0 => self.turn_page(&mut detail, 0, false),
            Action::Bottom if detail.page + 1 < detail.page_count() => {
                let last = detail.page_count() - 1;
                self.turn_page(&mut detail, last, true);
            }
            Action::Down => detail.scroll = (detail.scroll + 1).min(max),
            Action::Up => detail.scroll = detail.scroll.saturating_sub(1),
            Action::PageDown => detail.scroll = (detail.scroll + rows).min(max),
            Action::PageUp => detail.scroll = detail.scroll.saturating_sub(rows),
            Action::HalfPageDown => detail.scroll = (detail.scroll + rows.div_ceil(2)).min(max),
            Action::HalfPageUp => detail.scroll = detail.scroll.saturating_sub(rows.div_ceil(2)),
            Action::Top => detail.scroll = 0,
            Action::Bottom => detail.scroll = max,
            Action::CopyLink => {
                let count = detail
                    .links(&self.catalog.statements[detail.statement])
                    .len();
                match count {
                    0 => self.status = Some("this page has no links".into()),
                    // One link: nothing to choose.
                    1 => self.copy_link(&detail, "1"),
                    _ => detail.link_line = Some(LineEditor::default()),
                }
            }
            Action::CopyUrl => {
                let url = self.catalog.statements[detail.statement].url.clone();
                self.copy_lines(url.map(|url| vec![url]), "this statement has no URL");
            }
            Action::Search => {
                detail.find_line = Some(FindLine {
                    editor: LineEditor::default(),
                    scroll_before: detail.scroll,
                });
                detail.find.clear();
            }
            Action::FindNext | Action::FindPrevious => {
                if detail.find.is_empty() {
                    self.status = Some("nothing to find: press / to search the text".into());
                } else {
                    let forward = action == Action::FindNext;
                    let from = match (detail.found, forward) {
                        (Some(found), true) => found + 1,
                        (Some(found), false) => found.checked_sub(1).unwrap_or(usize::MAX),
                        (None, _) => detail.scroll,
                    };
                    if !detail.jump(&lines, from, forward, size)
                        && !self.find_on_other_pages(&detail, forward)
                    {
                        self.status = Some("not found".into());
                    }
                }
            }
            Action::NextLanguage => {
                if let Some(target) = self.next_language(detail.statement) {
                    if let Some(row) = self.hits.iter().position(|hit| hit.index == target) {
                        self.choose_row(row);
                    }
                    let find = std::mem::take(&mut detail.find);
                    detail = Detail::new(target);
                    detail.find = find;
                    self.mark_opened_read(target);
                    let statement = &self.catalog.statements[target];
                    self.status = Some(format!(
                        "in {}",
                        clean_line(statement.language.as_deref().unwrap_or("another language"))
                    ));
                } else {
                    self.status = Some(self.no_language_reason(detail.statement));
                }
            }
            Action::NextStatement | Action::PreviousStatement => {
                let next = action == Action::NextStatement;
                let position = self
                    .hits
                    .iter()
                    .position(|hit| hit.index == detail.statement);
                let target = match position {
                    Some(at) if next && at + 1 < self.hits.len() => Some(at + 1),
                    Some(at) if !next && at > 0 => Some(at - 1),
                    None if !self.hits.is_empty() => Some(0),
                    _ => None,
                };
                if let Some(target) = target {
                    self.choose_row(target);
                    let index = self.hits[target].index;
                    detail = match self.query.text_terms().next() {
                        // From a `text:` search: at its first hit there too.
                        Some(term) => Detail::at_hit(index, term),
                        None => {
                            let find = std::mem::take(&mut detail.find);
                            Detail {
                                find,
                                ..Detail::new(index)
                            }
                        }
                    };
                    self.mark_opened_read(detail.statement);
                } else {
                    self.status = Some(if next {
                        "this is the last statement of the list".into()
                    } else {
                        "this is the first statement of the list".into()
                    });
                }
            }
            _ => {}
        }
        self.view = View::Detail(detail);
    }
}

impl State {
    /// The position of the statement's next language in the archive: its
    /// languages in alphabetical order of their tags, going round, the first
    /// after its own whose statement is loaded.
    fn next_language(&self, position: usize) -> Option<usize> {
        let statement = &self.catalog.statements[position];
        let own = statement.language.as_deref().unwrap_or_default();
        let mut languages: Vec<(&str, &str)> = statement
            .translations
            .iter()
            .map(|translation| (translation.language.as_str(), translation.id.as_str()))
            .collect();
        languages.sort_unstable();
        let after = languages.partition_point(|(language, _)| *language <= own);
        languages[after..]
            .iter()
            .chain(&languages[..after])
            .find_map(|(_, id)| {
                self.catalog
                    .statements
                    .iter()
                    .position(|other| other.id == *id)
            })
            .filter(|&target| target != position)
    }

    /// Why the language key found nothing to open.
    fn no_language_reason(&self, position: usize) -> String {
        let statement = &self.catalog.statements[position];
        if statement.translations.is_empty() {
            return "this statement has no translations".into();
        }
        let languages: Vec<String> = statement
            .translations
            .iter()
            .map(|translation| clean_line(&translation.language).into_owned())
            .collect();
        format!(
            "not in this archive: the {} translation{}",
            languages.join(", "),
            if languages.len() == 1 { "" } else { "s" }
        )
    }
}
