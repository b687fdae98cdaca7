//! Who signed what, in the browser: a signatory's page (opened from a
//! statement's signatories or the filter panel's country facet), the
//! timeline pane of the list, and the comparison of two statements'
//! signatories. The numbers are asked for as an [`Effect::Signatories`] and
//! arrive in [`State::signatories_done`]; until then the view says it is
//! computing.

use std::sync::Arc;

use super::{Detail, Effect, FacetKind, FilterPanel, State, View};
use crate::keymap::Action;
use crate::signatories::Timeline;
use crate::signatories::browse::{
    Answer, Ask, CompareAnswer, Gathered, PageAnswer, Snapshot, Who, answer,
};

/// A result on its way (its request's number) or arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending<T> {
    Computing(u64),
    Done(T),
}

impl<T> Pending<T> {
    /// The result, once it has arrived.
    #[must_use]
    pub fn done(&self) -> Option<&T> {
        match self {
            Self::Computing(_) => None,
            Self::Done(result) => Some(result),
        }
    }

    fn awaits(&self, generation: u64) -> bool {
        matches!(self, Self::Computing(asked) if *asked == generation)
    }
}

/// Which list of a signatory page has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagePane {
    Statements,
    Cosigners,
}

/// A signatory's page on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatoryPage {
    /// Who was asked for, shown while the page is computed.
    pub asked: String,
    /// `Done(None)`: the archive has no such signatory.
    pub result: Pending<Option<Box<PageAnswer>>>,
    pub pane: PagePane,
    /// The statement with the cursor (a place in the page's list).
    pub cursor: usize,
    /// The co-signer with the cursor.
    pub cosigner: usize,
    pub under: Box<View>,
}

/// Two statements' signatories compared, on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareView {
    /// `Done(None)`: there was nothing to compare with.
    pub result: Pending<Option<Box<CompareAnswer>>>,
    pub scroll: usize,
    pub under: Box<View>,
}

/// The timeline pane under the list, while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinePane {
    pub result: Pending<Timeline>,
    /// The bar with the cursor.
    pub bar: usize,
    /// What the list was when the timeline was asked for: the query, how
    /// many statements it listed and of how many.
    drawn_for: (String, usize, usize),
}

/// Rows the timeline pane takes from the list, at a terminal height.
#[must_use]
pub fn timeline_rows(height: u16) -> u16 {
    match height {
        0..=13 => height.saturating_sub(6).min(5),
        14..=29 => 9,
        _ => 12,
    }
}

impl State {
    /// The signatory snapshot of the statements loaded now: their
    /// gathered days and signatories, shared, never copied here.
    fn snapshot(&mut self) -> Arc<Snapshot> {
        match &self.signatory_snapshot {
            Some(snapshot) if snapshot.len() == self.catalog.statements.len() => {
                Arc::clone(snapshot)
            }
            _ => {
                let gathered = match &self.signatory_gathered {
                    Some(gathered) if gathered.len() == self.catalog.statements.len() => {
                        Arc::clone(gathered)
                    }
                    // Statements set without their gathering (a reload
                    // not from the watcher): gathered here, once.
                    _ => {
                        self.catalog.statements.restore_all();
                        let gathered = Arc::new(Gathered::of(&self.catalog.statements));
                        self.signatory_gathered = Some(Arc::clone(&gathered));
                        gathered
                    }
                };
                let snapshot = Arc::new(Snapshot::of_gathered(
                    gathered,
                    Arc::clone(&self.catalog.rank),
                ));
                self.signatory_snapshot = Some(Arc::clone(&snapshot));
                snapshot
            }
        }
    }

    /// Keeps the gathered days and signatories in step with statements
    /// just loaded from `first` on: only theirs are gathered.
    pub(super) fn gather_arrived(&mut self, first: usize) {
        // The state's own snapshot of fewer statements is of no more use,
        // and would make the gathering below a copy of all of it.
        self.signatory_snapshot = None;
        match &mut self.signatory_gathered {
            Some(gathered) if gathered.len() == first => {
                let statements = &self.catalog.statements;
                Arc::make_mut(gathered).extend(statements.range(first..statements.len()));
            }
            _ => self.signatory_gathered = None,
        }
    }

    /// The days and signatories of a reloaded archive, gathered on the
    /// watcher's thread.
    pub fn set_signatories_gathered(&mut self, gathered: Arc<Gathered>) {
        self.signatory_gathered = Some(gathered);
    }

    /// Asks for `ask` to be answered: in the background on the real
    /// terminal, else at once (its answer is taken at the end of `update`).
    fn ask_signatories(&mut self, ask: Ask) -> u64 {
        self.signatory_generation += 1;
        let generation = self.signatory_generation;
        let snapshot = self.snapshot();
        if self.background_search {
            self.effects.push(Effect::Signatories {
                generation,
                snapshot,
                ask,
            });
        } else {
            self.answered.push((generation, answer(&snapshot, &ask)));
        }
        generation
    }

    /// Takes answers worked out at once (no background worker).
    pub(super) fn take_answers(&mut self) {
        for (generation, answer) in std::mem::take(&mut self.answered) {
            self.signatories_done(generation, answer);
        }
    }

    /// Takes an answer from the signatory worker; one no view waits for
    /// any more (closed, or asked again since) is dropped.
    pub fn signatories_done(&mut self, generation: u64, answer: Answer) {
        match answer {
            Answer::Timeline(timeline) => {
                if let Some(pane) = &mut self.timeline
                    && pane.result.awaits(generation)
                {
                    pane.bar = timeline.bins.len().saturating_sub(1);
                    pane.result = Pending::Done(timeline);
                }
            }
            Answer::Page(page) => {
                let mut page = Some(page);
                visit(&mut self.view, &mut |view| {
                    if let View::Signatory(open) = view
                        && open.result.awaits(generation)
                        && let Some(page) = page.take()
                    {
                        open.result = Pending::Done(page);
                    }
                });
            }
            Answer::Compare(found) => {
                let mut found = Some(found);
                visit(&mut self.view, &mut |view| {
                    if let View::Compare(open) = view
                        && open.result.awaits(generation)
                        && let Some(found) = found.take()
                    {
                        open.result = Pending::Done(found);
                    }
                });
            }
        }
    }

    /// Opens the page of `who` over the view on screen.
    fn open_page(&mut self, who: Who, asked: String) {
        let generation = self.ask_signatories(Ask::Page(who));
        let under = std::mem::replace(&mut self.view, View::List);
        self.view = View::Signatory(SignatoryPage {
            asked,
            result: Pending::Computing(generation),
            pane: PagePane::Statements,
            cursor: 0,
            cosigner: 0,
            under: Box::new(under),
        });
    }

    /// Compares signatories over the view on screen.
    fn open_compare(&mut self, ask: Ask) {
        let generation = self.ask_signatories(ask);
        let under = std::mem::replace(&mut self.view, View::List);
        self.view = View::Compare(CompareView {
            result: Pending::Computing(generation),
            scroll: 0,
            under: Box::new(under),
        });
    }

    /// The statement `statement` against the previous one the query lists.
    fn compare_with_previous(&mut self, statement: usize) {
        let among = self.hits.iter().map(|hit| hit.index).collect();
        self.open_compare(Ask::CompareWithPrevious { statement, among });
    }

    /// The list's compare key: the two chosen statements, else the one
    /// under the cursor and the previous match of the query.
    pub(super) fn compare_from_list(&mut self) {
        let chosen: Vec<usize> = self.triage.chosen.iter().copied().collect();
        match chosen.as_slice() {
            [a, b] => self.open_compare(Ask::Compare(*a, *b)),
            [] | [_] => match self.selected_hit().map(|hit| hit.index) {
                Some(statement) => self.compare_with_previous(statement),
                None => self.status = Some("nothing to compare: no statement matches".into()),
            },
            _ => {
                self.status = Some(format!(
                    "{} statements chosen: choose two to compare, or none",
                    chosen.len()
                ));
            }
        }
    }

    /// The statement view's signatory keys. Returns whether the action was
    /// one of them.
    pub(super) fn update_detail_signatories(
        &mut self,
        detail: &mut Detail,
        action: Action,
    ) -> bool {
        let signatories = &self.catalog.statements[detail.statement].signatories;
        match action {
            Action::NextSignatory | Action::PreviousSignatory => {
                if signatories.is_empty() {
                    self.status = Some("this statement has no signatories".into());
                    return true;
                }
                let count = signatories.len();
                detail.signatory = Some(match (detail.signatory, action) {
                    (None, Action::NextSignatory) => 0,
                    (None, _) => count - 1,
                    (Some(at), Action::NextSignatory) => (at + 1) % count,
                    (Some(at), _) => (at + count - 1) % count,
                });
                true
            }
            Action::OpenSignatory => {
                let Some(signatory) = signatories
                    .get(detail.signatory.unwrap_or(0))
                    .map(Arc::clone)
                else {
                    self.status = Some("this statement has no signatories".into());
                    return true;
                };
                self.view = View::Detail(detail.clone());
                self.open_page(Who::Signatory(Arc::clone(&signatory)), signatory.label());
                true
            }
            Action::CompareSignatories => {
                self.view = View::Detail(detail.clone());
                self.compare_with_previous(detail.statement);
                true
            }
            _ => false,
        }
    }

    /// The filter panel's signatory key: the page of the country under the
    /// cursor. Returns whether it was that key.
    pub(super) fn update_filter_signatory(&mut self, panel: &FilterPanel, action: Action) -> bool {
        if action != Action::OpenSignatory {
            return false;
        }
        let country = (panel.current().kind == FacetKind::Country)
            .then(|| {
                panel
                    .visible_values()
                    .get(panel.cursor)
                    .map(|(v, _)| v.clone())
            })
            .flatten();
        match country {
            Some(country) => {
                self.view = View::Filter(panel.clone());
                self.open_page(Who::Country(country.clone()), country);
            }
            None => {
                self.view = View::Filter(panel.clone());
                self.status = Some("a signatory page opens from the country facet".into());
            }
        }
        true
    }

    pub(super) fn update_signatory(&mut self, mut page: SignatoryPage, action: Action) {
        let (statements, cosigners) = page
            .result
            .done()
            .and_then(Option::as_ref)
            .map_or((0, 0), |found| {
                (found.statements.len(), found.cosigners.len())
            });
        let rows = self.list_rows();
        let (cursor, count) = match page.pane {
            PagePane::Statements => (&mut page.cursor, statements),
            PagePane::Cosigners => (&mut page.cosigner, cosigners),
        };
        let last = count.saturating_sub(1);
        match action {
            Action::Back => {
                self.view = *page.under;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down => *cursor = (*cursor + 1).min(last),
            Action::Up => *cursor = cursor.saturating_sub(1),
            Action::PageDown => *cursor = (*cursor + rows).min(last),
            Action::PageUp => *cursor = cursor.saturating_sub(rows),
            Action::Top => *cursor = 0,
            Action::Bottom => *cursor = last,
            Action::SwitchPane => {
                page.pane = match page.pane {
                    PagePane::Statements => PagePane::Cosigners,
                    PagePane::Cosigners => PagePane::Statements,
                };
            }
            Action::Open => {
                let found = page.result.done().and_then(Option::as_ref);
                match (page.pane, found) {
                    (PagePane::Statements, Some(found)) => {
                        if let Some(&statement) = found.statements.get(page.cursor) {
                            let mut detail = Detail::new(statement);
                            detail.back = Some(Box::new(View::Signatory(page)));
                            self.view = View::Detail(detail);
                            self.mark_opened_read(statement);
                            return;
                        }
                    }
                    (PagePane::Cosigners, Some(found)) => {
                        if let Some(row) = found.cosigners.get(page.cosigner) {
                            let (office, label) = (row.office, row.label.clone());
                            self.view = View::Signatory(page);
                            self.open_page(Who::Office(office), label);
                            return;
                        }
                    }
                    (_, None) => {}
                }
            }
            _ => {}
        }
        self.view = View::Signatory(page);
    }

    pub(super) fn update_compare(&mut self, mut view: CompareView, action: Action) {
        let rows = self.list_rows();
        match action {
            Action::Back => {
                self.view = *view.under;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down => view.scroll += 1,
            Action::Up => view.scroll = view.scroll.saturating_sub(1),
            Action::PageDown => view.scroll += rows,
            Action::PageUp => view.scroll = view.scroll.saturating_sub(rows),
            _ => {}
        }
        self.view = View::Compare(view);
    }

    /// The list's timeline key: opens the pane with the cursor in it, or
    /// puts the cursor in it when it is open.
    pub(super) fn toggle_timeline_from_list(&mut self) {
        if self.timeline.is_none() {
            self.timeline = Some(TimelinePane {
                result: Pending::Computing(0),
                bar: 0,
                drawn_for: (String::new(), usize::MAX, usize::MAX),
            });
            self.refresh_timeline();
        }
        self.view = View::Timeline;
    }

    pub(super) fn update_timeline(&mut self, action: Action) {
        let Some(pane) = &mut self.timeline else {
            return;
        };
        let last = pane
            .result
            .done()
            .map_or(0, |timeline| timeline.bins.len().saturating_sub(1));
        // `apply` left the list on screen while the key is handled.
        let mut stay = true;
        match action {
            Action::Back => stay = false,
            Action::ToggleTimeline => {
                self.timeline = None;
                stay = false;
            }
            Action::Quit => self.quit = true,
            Action::CursorLeft => pane.bar = pane.bar.saturating_sub(1),
            Action::CursorRight => pane.bar = (pane.bar + 1).min(last),
            Action::Top => pane.bar = 0,
            Action::Bottom => pane.bar = last,
            Action::Search => {
                self.view = View::Search(super::SearchLine {
                    editor: super::LineEditor::with_text(&self.query_text),
                    recalled: None,
                });
                return;
            }
            Action::NarrowToPeriod => {
                let bin = pane
                    .result
                    .done()
                    .and_then(|timeline| timeline.bins.get(pane.bar).copied());
                match bin {
                    Some(bin) if bin.count > 0 => {
                        let text =
                            super::facets::replace_keyword(&self.query_text, "year", &bin.label());
                        self.remember(&text);
                        self.set_query(text);
                    }
                    Some(bin) => {
                        self.status = Some(format!("no statements in {}", bin.label()));
                    }
                    None => self.status = Some("the timeline is being computed".into()),
                }
            }
            _ => {}
        }
        if stay {
            self.view = View::Timeline;
        }
    }

    /// Asks for the timeline again when the list changed since it was
    /// drawn (not while the first load streams in, nor while a search
    /// runs: it is asked for once the list settles).
    pub(crate) fn refresh_timeline(&mut self) {
        let Some(pane) = &self.timeline else {
            return;
        };
        let (query, listed, of) = &pane.drawn_for;
        let unchanged = *query == self.query_text
            && *listed == self.hits.len()
            && *of == self.catalog.statements.len();
        if unchanged || self.searching.is_some() || self.loading.is_some() {
            return;
        }
        let now = (
            self.query_text.clone(),
            self.hits.len(),
            self.catalog.statements.len(),
        );
        let chosen = self.hits.iter().map(|hit| hit.index).collect();
        let generation = self.ask_signatories(Ask::Timeline(chosen));
        if let Some(pane) = &mut self.timeline {
            pane.result = Pending::Computing(generation);
            pane.drawn_for = now;
        }
        self.take_answers();
    }

    /// After a reload, positions are another archive's: signatory views
    /// close and the timeline is asked for again.
    pub(super) fn forget_signatories(&mut self) {
        self.signatory_snapshot = None;
        self.signatory_gathered = None;
        if matches!(self.view, View::Signatory(_) | View::Compare(_)) {
            self.view = View::List;
        }
        self.view.for_each_detail(&mut |detail| detail.back = None);
        if let Some(pane) = &mut self.timeline {
            pane.drawn_for = (String::new(), usize::MAX, usize::MAX);
        }
    }
}

/// Calls `visit` on `view` and every view under it (overlays, and the page
/// a statement was opened from).
fn visit(view: &mut View, on: &mut dyn FnMut(&mut View)) {
    on(view);
    match view {
        View::Signatory(page) => visit(&mut page.under, on),
        View::Compare(compare) => visit(&mut compare.under, on),
        View::Detail(detail) => {
            if let Some(back) = &mut detail.back {
                visit(back, on);
            }
        }
        other => {
            if let Some(under) = other.under_mut() {
                visit(under, on);
            }
        }
    }
}
