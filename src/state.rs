//! The browser's state machine. [`State::update`] applies one [`Action`] and
//! is pure: no I/O, no clock, no terminal. Views read the state to draw it.

pub mod contacts;
mod detail;
pub mod facets;
mod keys;
mod line;
pub(crate) mod loading;
pub mod note;
pub mod notes;
pub mod signatories;
mod text;
pub mod triage;

use std::cmp::Reverse;

pub use contacts::{Alone, ContactsView};
pub use detail::{Detail, FindLine};
pub use facets::{Facet, FacetKind, FilterPanel};
pub use keys::{Waiting, WaitingQueue};
pub use line::LineEditor;
pub use notes::{NoteConflict, NoteEditor};
pub use signatories::{CompareView, PagePane, Pending, SignatoryPage, TimelinePane};
pub use triage::{Origin, Picker, Prompt, PromptPurpose, Triage};

use crate::catalog::Catalog;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::records::Statement;
use crate::search::{self, Hit, Query, QueryError};

/// Rows the list view spends on things other than statements: header,
/// column titles, query line and key hints.
pub const LIST_CHROME_ROWS: u16 = 4;
/// Columns at which the preview pane opens beside the list.
pub const PREVIEW_MIN_WIDTH: u16 = 120;
/// The narrowest list that shows a statement's matching sentence under its
/// title (narrower, the preview or the open statement shows it).
pub const SNIPPET_MIN_WIDTH: u16 = 60;
/// Below this the browser shows only "terminal too small".
pub const MIN_SIZE: (u16, u16) = (24, 6);
/// The most the browser draws on, whatever size the terminal claims (an SSH
/// client sets it: at 20000×20000 the two frame buffers alone would take
/// many gigabytes). A bigger terminal shows the browser in its top left.
pub const MAX_SIZE: (u16, u16) = (1000, 500);

/// A terminal size as the browser uses it: at most [`MAX_SIZE`].
#[must_use]
pub fn clamped_size(width: u16, height: u16) -> (u16, u16) {
    (width.min(MAX_SIZE.0), height.min(MAX_SIZE.1))
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Oldest,
    Title,
    Relevance,
    Signatories,
}

impl Sort {
    const CYCLE: [Self; 5] = [
        Self::Newest,
        Self::Oldest,
        Self::Title,
        Self::Relevance,
        Self::Signatories,
    ];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Title => "title",
            Self::Relevance => "relevance",
            Self::Signatories => "most signatories",
        }
    }
}

/// The typing line of the list's search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchLine {
    pub editor: LineEditor,
    /// Position in the history while recalling with ↑/↓.
    pub recalled: Option<usize>,
}

/// The help overlay and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    pub scroll: usize,
    /// The keys of the view help was opened from, shown first.
    pub context: Context,
    /// What the rows are narrowed to (`/`), and whether it is being typed.
    pub filter: LineEditor,
    pub typing: bool,
    pub under: Box<View>,
}

/// What the screen shows. One variant a view, so impossible combinations
/// (a detail with no statement, say) cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    List,
    Search(SearchLine),
    Detail(Detail),
    Filter(FilterPanel),
    Help(Help),
    Prompt(Prompt),
    Note(NoteEditor),
    /// A note changed by someone else while this one was written.
    Conflict(NoteConflict),
    Picker(Picker),
    /// The problems panel, scrolled.
    Problems(usize),
    Contacts(ContactsView),
    Alone(Alone),
    /// A signatory's page, over the view it was opened from.
    Signatory(SignatoryPage),
    /// Two statements' signatories compared, over the view it came from.
    Compare(CompareView),
    /// The list with the cursor in its timeline pane.
    Timeline,
}

impl View {
    /// The view this one is drawn over, if any.
    fn under(&self) -> Option<&View> {
        match self {
            View::Help(help) => Some(&help.under),
            View::Prompt(prompt) => Some(&prompt.under),
            View::Note(note) => Some(&note.under),
            View::Conflict(conflict) => Some(&conflict.under),
            View::Picker(picker) => Some(&picker.under),
            View::Contacts(contacts) => Some(&contacts.under),
            View::Alone(alone) => Some(&alone.under),
            View::Signatory(page) => Some(&page.under),
            View::Compare(compare) => Some(&compare.under),
            View::List
            | View::Timeline
            | View::Search(_)
            | View::Detail(_)
            | View::Filter(_)
            | View::Problems(_) => None,
        }
    }

    /// As [`View::under`], to change it.
    fn under_mut(&mut self) -> Option<&mut View> {
        match self {
            View::Help(help) => Some(&mut help.under),
            View::Prompt(prompt) => Some(&mut prompt.under),
            View::Note(note) => Some(&mut note.under),
            View::Conflict(conflict) => Some(&mut conflict.under),
            View::Picker(picker) => Some(&mut picker.under),
            View::Contacts(contacts) => Some(&mut contacts.under),
            View::Alone(alone) => Some(&mut alone.under),
            View::Signatory(page) => Some(&mut page.under),
            View::Compare(compare) => Some(&mut compare.under),
            View::List
            | View::Timeline
            | View::Search(_)
            | View::Detail(_)
            | View::Filter(_)
            | View::Problems(_) => None,
        }
    }

    /// Calls `visit` on every open statement, this view's and those under it.
    pub fn for_each_detail(&mut self, visit: &mut dyn FnMut(&mut Detail)) {
        if let View::Detail(detail) = self {
            visit(detail);
        }
        if let Some(under) = self.under_mut() {
            under.for_each_detail(visit);
        }
    }
}

/// Something the loop must do outside the state: the state asks, the loop
/// performs it and reports back through [`State::report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put text on the user's clipboard.
    Copy(String),
    /// Stop the process (Ctrl-Z) and redraw everything on resume.
    Suspend,
    /// Apply a triage change to the store, then report with
    /// [`State::triage_applied`] (`done` is the status line on success).
    Triage {
        change: crate::store::Change,
        origin: Origin,
        done: String,
    },
    SaveSearch {
        name: String,
        query: String,
    },
    DeleteSearch(String),
    /// Remember a query in the lasting history.
    History(String),
    /// Work out a signatory page, timeline or comparison in the
    /// background; report with [`State::signatories_done`].
    Signatories {
        generation: u64,
        snapshot: std::sync::Arc<crate::signatories::browse::Snapshot>,
        ask: crate::signatories::browse::Ask,
    },
    /// Run a search in the background; report with [`State::search_done`].
    Search {
        generation: u64,
        query: Query,
        marks: std::collections::HashMap<usize, crate::store::Marks>,
        /// When the list is sorted by relevance: each statement's newest-first
        /// rank, to sort the hits by (score, rank) off the drawing thread.
        rank: Option<std::sync::Arc<Vec<u32>>>,
    },
    /// Save a note unless someone changed it since it was `opened`; report
    /// with [`State::triage_applied`], or [`State::note_conflict`].
    SaveNote {
        ids: Vec<String>,
        text: Option<String>,
        opened: Vec<crate::store::OpenedNote>,
        done: String,
    },
    /// Keep an unsaved note as this user's draft.
    SaveDraft {
        ids: Vec<String>,
        text: String,
        opened: Vec<crate::store::OpenedNote>,
    },
    /// Throw away this user's drafts on these statements.
    DropDrafts(Vec<String>),
    /// Reload the archive now.
    Reload,
    /// Add the statements at positions `first..first + count` to the
    /// full-text index, off the drawing thread; report with
    /// [`State::text_indexed_to`].
    IndexText {
        first: usize,
        count: usize,
    },
    /// Carry the kept full-text index over to the archive as reloaded
    /// (its archive files as stamped before it was read), then index what
    /// it no longer holds, off the drawing thread; reported as
    /// [`Effect::IndexText`] is.
    CarryText {
        files: Vec<crate::loader::FileStamp>,
    },
    /// Look for `needle` on the pages of a long statement, off the drawing
    /// thread; report with [`State::page_found`].
    FindPage {
        generation: u64,
        text: std::sync::Arc<str>,
        pages: std::sync::Arc<[std::ops::Range<usize>]>,
        needle: String,
        from: usize,
        forward: bool,
    },
}

/// A statement's place newest first (statements unknown to `rank` last).
fn rank_of(rank: &[u32], hit: &Hit) -> u32 {
    rank.get(hit.index).copied().unwrap_or(u32::MAX)
}

/// The order of the relevance sort: best first ([`Hit::rank`]), then newest
/// first. Background searches sort by it too.
pub fn by_relevance(rank: &[u32], hit: &Hit) -> ((bool, u32, Reverse<i64>), u32) {
    (hit.rank(), rank_of(rank, hit))
}

/// Everything the browser knows.
#[derive(Debug)]
pub struct State {
    pub archive_name: String,
    /// The loaded archive: statements, order, search index, contacts,
    /// problems.
    pub catalog: Catalog,
    /// The full-text index of the statements' text, by archive position
    /// (`None` when SQLite could not make one: `text:` terms then say so).
    /// Filled in the background once the archive has loaded (see
    /// [`State::loading_done`]), and as a reload or the watcher adds more.
    pub full_text: Option<std::sync::Arc<crate::search::FullText>>,
    /// The full-text index kept in the cache folder is being opened and
    /// checked (seconds for a big one): `text:` finds nothing yet, which
    /// the header says.
    pub text_opening: bool,
    /// How many statements the full-text index holds (the first this many).
    pub text_indexed: usize,
    /// Numbers the archives shown: a reload shows the next, and batches of
    /// a load begun for an earlier one are dropped.
    pub archive_number: u64,
    /// The matching sentence of listed statements for the query's `text:`
    /// terms, by archive position, as far as worked out (by
    /// [`State::text_read`]); cleared when the query changes.
    pub snippets: std::collections::HashMap<usize, Option<crate::search::Snippet>>,
    /// How far the first load has got, while it runs.
    pub loading: Option<crate::loader::Progress>,
    /// The statement to keep the cursor on when the results of a search
    /// asked for because the archive grew come in.
    pub keep_on: Option<usize>,
    /// More statements arrived while a search ran: search again when it ends
    /// (rather than throwing its work away).
    pub refresh_wanted: bool,
    /// How many statements there were when the last background search was
    /// asked for (or everything listed): while loading, the next waits
    /// until they have grown by a quarter, so searching does not starve
    /// loading.
    pub searched_over: usize,
    /// The rank the running background search orders its hits by
    /// ([`State::rank_for_search`]): by relevance then this rank, or this
    /// rank alone without fuzzy words and relevance (the list's order for
    /// every sort the rank is asked for). When it is still the list's rank
    /// as the hits arrive, they are taken in that order unchecked.
    searched_rank: Option<std::sync::Arc<Vec<u32>>>,
    /// How many statements the index the running background search reads
    /// holds (more than are listed while a whole kept index streams in).
    searched_index: usize,
    /// Statements whose bodies were read from disk for showing, oldest first
    /// (only the last few are kept).
    pub bodies_read: Vec<usize>,
    /// Search in the background (the real terminal) rather than inside
    /// `update` (tests, scripts): typing then never waits for matching.
    pub background_search: bool,
    /// The number of the newest search asked for, while its results are
    /// still coming.
    pub searching: Option<u64>,
    /// Numbers searches so late results of an old query are dropped.
    pub search_generation: u64,
    /// The user changed the query and its results are not in yet: keys that
    /// act on the list wait in `waiting` until they are.
    pub settling: bool,
    /// Keys (and pastes, clicks) held back until the list settles.
    pub waiting: WaitingQueue,
    /// Numbers finds on the other pages of a long statement.
    pub find_generation: u64,
    /// The find on other pages still running, if any.
    pub finding: Option<u64>,
    /// A find on other pages done at once (no background), to show once
    /// the action is applied.
    pending_page: Option<(u64, bool, Option<usize>)>,
    /// The long statement last searched page by page, shared with the
    /// finder thread.
    long_text: Option<(usize, std::sync::Arc<str>)>,
    /// Ids that arrived while the browser was open (marked new).
    pub arrived: std::collections::HashSet<String>,
    /// The query line as typed: the one truth for what the list shows.
    pub query_text: String,
    /// The last query that parsed; the list shows its results.
    pub query: Query,
    pub query_error: Option<QueryError>,
    pub hits: Vec<Hit>,
    /// The sort the user chose; `None` means the default for the query.
    pub chosen_sort: Option<Sort>,
    /// The configured sort for queries without fuzzy words.
    pub default_sort: Option<Sort>,
    /// List columns, in order (the configured ones).
    pub columns: Vec<crate::config::Column>,
    pub selected: usize,
    /// First list row on screen.
    pub offset: usize,
    /// Whether the user has put the cursor on a statement (moved it, or
    /// sorted with it). Until then it stays on the top row, the newest
    /// statement, however the list streams in; after, it stays on that
    /// statement. A new query puts it back on the top row.
    pub cursor_moved: bool,
    pub view: View,
    /// Queries used this session, oldest first.
    pub history: Vec<String>,
    pub preview: bool,
    pub mouse: bool,
    /// Terminal size in cells.
    pub size: (u16, u16),
    pub keymap: Keymap,
    pub status: Option<String>,
    /// Restricted mode (a forced SSH command): nothing may leave the browser.
    pub restricted: bool,
    pub triage: Triage,
    /// Today's date, for telling stale contacts (set by the loop: the state
    /// reads no clock).
    pub today: chrono::NaiveDate,
    /// Effects asked for and not yet performed.
    pub effects: Vec<Effect>,
    /// The timeline pane under the list, while it is open.
    pub timeline: Option<TimelinePane>,
    /// Numbers signatory requests, so a late answer to an old one is
    /// dropped.
    pub signatory_generation: u64,
    /// What signatory answers are computed from, while it is current.
    signatory_snapshot: Option<std::sync::Arc<crate::signatories::browse::Snapshot>>,
    /// The loaded statements' days and signatories, kept in step with
    /// them (see [`crate::signatories::browse::Gathered`]).
    signatory_gathered: Option<std::sync::Arc<crate::signatories::browse::Gathered>>,
    /// A statement of the catalog snapshot did not restore, and the
    /// archive was asked to be read again ([`State::notice_damage`]).
    damage_noticed: bool,
    /// Signatory answers worked out at once (no background worker), taken
    /// at the end of `update`.
    answered: Vec<(u64, crate::signatories::browse::Answer)>,
    pub quit: bool,
}

impl State {
    #[must_use]
    pub fn new(archive_name: String, statements: Vec<Statement>, problems: usize) -> Self {
        let gathered = std::sync::Arc::new(crate::signatories::browse::Gathered::of(&statements));
        let catalog = Catalog::new(statements, problems);
        let hits = catalog.index.search(&Query::default());
        // Filled when first asked (see `State::index_text`), so a state
        // that never searches text never reads every statement's.
        let full_text = crate::search::FullText::in_memory()
            .ok()
            .map(std::sync::Arc::new);
        let text_indexed = 0;
        let mut state = Self {
            archive_name,
            catalog,
            full_text,
            text_opening: false,
            text_indexed,
            archive_number: 0,
            snippets: std::collections::HashMap::new(),
            loading: None,
            keep_on: None,
            refresh_wanted: false,
            searched_over: 0,
            searched_rank: None,
            searched_index: 0,
            bodies_read: Vec::new(),
            background_search: false,
            searching: None,
            search_generation: 0,
            settling: false,
            waiting: WaitingQueue::new(),
            find_generation: 0,
            finding: None,
            pending_page: None,
            long_text: None,
            arrived: std::collections::HashSet::new(),
            query_text: String::new(),
            query: Query::default(),
            query_error: None,
            hits,
            chosen_sort: None,
            default_sort: None,
            columns: crate::config::Column::DEFAULT.to_vec(),
            selected: 0,
            offset: 0,
            cursor_moved: false,
            view: View::List,
            history: Vec::new(),
            preview: true,
            mouse: false,
            size: (80, 24),
            keymap: Keymap::default(),
            status: None,
            restricted: false,
            triage: Triage::default(),
            today: chrono::NaiveDate::MIN,
            effects: Vec::new(),
            timeline: None,
            signatory_generation: 0,
            signatory_snapshot: None,
            signatory_gathered: Some(gathered),
            damage_noticed: false,
            answered: Vec::new(),
            quit: false,
        };
        state.apply_sort();
        state
    }

    /// The context keys are looked up in.
    #[must_use]
    pub fn context(&self) -> Context {
        match &self.view {
            View::List => Context::List,
            View::Search(_) => Context::Input,
            View::Detail(detail) if detail.typing() => Context::Input,
            View::Detail(_) => Context::Detail,
            View::Filter(panel) if panel.editing.is_some() => Context::Input,
            View::Filter(_) => Context::Filter,
            View::Help(help) if help.typing => Context::Input,
            View::Help(_) => Context::Help,
            View::Prompt(_) => Context::Input,
            View::Note(_) => Context::Note,
            View::Conflict(_) => Context::Conflict,
            View::Picker(_) => Context::Picker,
            View::Problems(_) => Context::Problems,
            View::Contacts(_) => Context::Contacts,
            View::Alone(_) => Context::Alone,
            View::Signatory(_) => Context::Signatory,
            View::Compare(_) => Context::Compare,
            View::Timeline => Context::Timeline,
        }
    }

    /// Turns a key into an action: a binding, or text when typing a line.
    #[must_use]
    pub fn action_for(&self, key: Key) -> Option<Action> {
        let context = self.context();
        self.keymap.action(context, key).or_else(|| match key.code {
            ratatui::crossterm::event::KeyCode::Char(c)
                if context.is_typing() && key.modifiers.is_empty() =>
            {
                Some(Action::Type(c))
            }
            _ => None,
        })
    }

    /// The sort in force: the user's, or relevance when the query has fuzzy
    /// words or is full-text terms only, else newest.
    #[must_use]
    pub fn sort(&self) -> Sort {
        match self.chosen_sort {
            Some(Sort::Relevance) if !self.query.is_ranked() => Sort::Newest,
            Some(sort) => sort,
            None if self.query.is_ranked() => Sort::Relevance,
            None => self
                .default_sort
                .filter(|sort| *sort != Sort::Relevance)
                .unwrap_or(Sort::Newest),
        }
    }

    /// The statement under the cursor.
    #[must_use]
    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
    }

    #[must_use]
    pub fn selected_statement(&self) -> Option<&Statement> {
        self.selected_hit()
            .map(|hit| &self.catalog.statements[hit.index])
    }

    /// Statement rows visible in the list (fewer while a query error takes
    /// rows of its own).
    #[must_use]
    pub fn list_rows(&self) -> usize {
        let error = u16::try_from(self.query_error_rows().len()).unwrap_or(0);
        let timeline = if self.timeline.is_some() {
            signatories::timeline_rows(self.size.1)
        } else {
            0
        };
        (usize::from(
            self.size
                .1
                .saturating_sub(LIST_CHROME_ROWS + error + timeline),
        ) / self.row_height())
        .max(1)
    }

    /// Screen rows a listed statement takes: two when the query has
    /// `text:` terms and the list is wide enough for the matching sentence
    /// under the title, else one.
    #[must_use]
    pub fn row_height(&self) -> usize {
        if self.size.0 >= SNIPPET_MIN_WIDTH && self.query.text_terms().next().is_some() {
            2
        } else {
            1
        }
    }

    /// The query's error as the list shows it, wrapped on rows of its own
    /// above the query line so none of it is cut (at most a third of the
    /// screen); none when the query parses.
    #[must_use]
    pub fn query_error_rows(&self) -> Vec<String> {
        let Some(err) = &self.query_error else {
            return Vec::new();
        };
        let text = format!("⚠ {err} (the list shows the last good results)");
        let most = usize::from(self.size.1 / 3).max(1);
        crate::document::message_rows(&text, usize::from(self.size.0), most)
    }

    /// Whether the preview pane is on screen.
    #[must_use]
    pub fn preview_shown(&self) -> bool {
        self.preview && self.size.0 >= PREVIEW_MIN_WIDTH
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) {
        self.apply(action);
        self.paginate_open();
        if let Some((generation, forward, page)) = self.pending_page.take() {
            self.page_found(generation, forward, page);
        }
        self.refresh_timeline();
        self.take_answers();
    }

    /// Works out the pages of every open statement whose body changed (or
    /// was just read).
    pub(crate) fn paginate_open(&mut self) {
        let statements = &self.catalog.statements;
        self.view.for_each_detail(&mut |detail| {
            if let Some(statement) = statements.get(detail.statement) {
                detail.paginate(statement);
            }
        });
        self.seek_first_hit();
    }

    /// Ctrl-c, as in fzf and lazygit: quits from the list or a statement;
    /// anywhere else it cancels what is being typed or closes the overlay.
    /// Returns true when it was handled here; the note editor and the
    /// conflict screen take it themselves (an unsaved note is never lost).
    fn interrupt(&mut self) -> bool {
        let cancel = match self.context() {
            Context::List | Context::Detail | Context::Global => {
                self.quit = true;
                return true;
            }
            Context::Note | Context::Conflict => return false,
            Context::Input => Action::Cancel,
            Context::Filter
            | Context::Help
            | Context::Problems
            | Context::Contacts
            | Context::Alone
            | Context::Signatory
            | Context::Compare
            | Context::Timeline
            | Context::Picker => Action::Back,
        };
        self.apply(cancel);
        true
    }

    fn apply(&mut self, action: Action) {
        if let Action::Resize(width, height) = action {
            self.size = clamped_size(width, height);
            self.scroll_list_to_selection();
            if let View::Detail(detail) = &mut self.view {
                let marks = self
                    .triage
                    .marks
                    .get(&self.catalog.statements[detail.statement].id);
                detail.clamp(&self.catalog.statements[detail.statement], marks, self.size);
            }
            return;
        }
        if action == Action::ForceQuit && self.interrupt() {
            return;
        }
        if action == Action::Suspend {
            if self.restricted {
                self.status = Some("suspend is off in restricted mode".into());
            } else {
                self.effects.push(Effect::Suspend);
            }
            return;
        }
        if !matches!(action, Action::Type(_)) {
            self.status = None;
        }
        if action == Action::ShowContacts && !matches!(self.view, View::Contacts(_)) {
            self.open_contacts();
            return;
        }
        if action == Action::Help && !matches!(self.view, View::Help(_)) {
            let context = self.context();
            let under = std::mem::replace(&mut self.view, View::List);
            self.view = View::Help(Help {
                scroll: 0,
                context,
                filter: LineEditor::default(),
                typing: false,
                under: Box::new(under),
            });
            return;
        }
        match std::mem::replace(&mut self.view, View::List) {
            View::List => self.update_list(action),
            View::Search(line) => self.update_search(line, action),
            View::Detail(detail) => self.update_detail(detail, action),
            View::Filter(panel) => self.update_filter(panel, action),
            View::Help(help) => self.update_help(help, action),
            View::Prompt(prompt) => self.update_prompt(prompt, action),
            View::Note(note) => self.update_note(note, action),
            View::Conflict(conflict) => self.update_conflict(conflict, action),
            View::Picker(picker) => self.update_picker(picker, action),
            View::Problems(scroll) => self.update_problems(scroll, action),
            View::Contacts(view) => self.update_contacts(view, action),
            View::Alone(alone) => self.update_alone(alone, action),
            View::Signatory(page) => self.update_signatory(page, action),
            View::Compare(compare) => self.update_compare(compare, action),
            View::Timeline => self.update_timeline(action),
        }
    }

    /// Records the outcome of an effect for the status line.
    pub fn report(&mut self, outcome: String) {
        self.status = Some(outcome);
    }

    fn update_list(&mut self, action: Action) {
        if self.update_triage(action) || self.update_choosing(action) {
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Open => self.open_selected(),
            Action::Search => {
                self.view = View::Search(SearchLine {
                    editor: LineEditor::with_text(&self.query_text),
                    recalled: None,
                });
            }
            Action::ClearQuery
                if self.triage.anchor.is_some() || !self.triage.chosen.is_empty() =>
            {
                self.triage.chosen.clear();
                self.triage.anchor = None;
                self.status = Some("choice cleared".into());
            }
            Action::ClearQuery => self.set_query(String::new()),
            Action::Reload => {
                self.effects.push(Effect::Reload);
                self.status = Some("reloading the archive…".into());
            }
            Action::Problems => self.view = View::Problems(0),
            Action::ToggleTimeline => self.toggle_timeline_from_list(),
            Action::CompareSignatories => self.compare_from_list(),
            Action::Filter => self.view = View::Filter(FilterPanel::new(self)),
            Action::CycleSort => self.cycle_sort(),
            Action::TogglePreview => {
                self.preview = !self.preview;
                if self.size.0 < PREVIEW_MIN_WIDTH {
                    self.status = Some(format!(
                        "the preview pane needs a terminal {PREVIEW_MIN_WIDTH} columns wide"
                    ));
                }
            }
            Action::Click(row) => {
                let clicked = usize::from(row.saturating_sub(2)) / self.row_height() + self.offset;
                if row >= 2 && clicked < self.hits.len() {
                    if clicked == self.selected {
                        self.open_selected();
                    } else {
                        self.choose_row(clicked);
                    }
                }
            }
            movement => {
                if let Some(target) = self.list_target(movement) {
                    self.choose_row(target);
                }
            }
        }
    }

    /// Where a movement key takes the list cursor.
    fn list_target(&self, action: Action) -> Option<usize> {
        let page = self.list_rows();
        let last = self.hits.len().saturating_sub(1);
        let at = self.selected;
        Some(match action {
            Action::Down => (at + 1).min(last),
            Action::Up => at.saturating_sub(1),
            Action::PageDown => (at + page).min(last),
            Action::PageUp => at.saturating_sub(page),
            Action::HalfPageDown => (at + page.div_ceil(2)).min(last),
            Action::HalfPageUp => at.saturating_sub(page.div_ceil(2)),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return None,
        })
    }

    /// Moves the cursor where the user asked: from now on it stays on that
    /// statement as the list changes.
    pub(crate) fn choose_row(&mut self, position: usize) {
        // A key pressed before anything is listed chooses nothing.
        self.cursor_moved |= !self.hits.is_empty();
        self.select(position);
    }

    fn select(&mut self, position: usize) {
        self.selected = position.min(self.hits.len().saturating_sub(1));
        self.scroll_list_to_selection();
    }

    fn scroll_list_to_selection(&mut self) {
        let rows = self.list_rows();
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        // Never leave empty rows at the bottom when the list could fill them.
        self.offset = self.offset.min(self.hits.len().saturating_sub(rows));
    }

    pub(crate) fn open_selected(&mut self) {
        if let Some((index, signatory)) = self.selected_hit().map(|hit| (hit.index, hit.signatory))
        {
            let mut detail = match self.query.text_terms().next() {
                Some(term) => Detail::at_hit(index, term),
                None => Detail::new(index),
            };
            // The signatory the query found is the one whose page opens:
            // the one a fuzzy word matched, or the one `sig:` names.
            detail.signatory = signatory.or_else(|| {
                self.query
                    .signatory_named(&self.catalog.statements[index].signatories)
            });
            self.view = View::Detail(detail);
            self.mark_opened_read(index);
        } else {
            self.status = Some("nothing to open: no statement matches".into());
        }
    }

    fn cycle_sort(&mut self) {
        let current = self.sort();
        let position = Sort::CYCLE.iter().position(|s| *s == current).unwrap_or(0);
        let next = (1..=Sort::CYCLE.len())
            .map(|step| Sort::CYCLE[(position + step) % Sort::CYCLE.len()])
            .find(|sort| *sort != Sort::Relevance || self.query.is_ranked())
            .unwrap_or(Sort::Newest);
        self.chosen_sort = Some(next);
        self.status = Some(format!("sorted by {}", next.label()));
        // The cursor stays on its statement, as mutt and neomutt keep the
        // current message when the sort changes.
        let current = self.selected_hit().map(|hit| hit.index);
        let row = self.selected.saturating_sub(self.offset);
        self.apply_sort();
        let position =
            current.and_then(|index| self.hits.iter().position(|hit| hit.index == index));
        self.cursor_moved |= position.is_some_and(|position| position > 0);
        self.keep_cursor(row, position);
    }

    /// Sets the query line and the list it selects (keeping the last good
    /// results when it does not parse).
    pub fn set_query(&mut self, text: String) {
        self.preview_query(&text);
        self.query_text = text;
    }

    /// Re-ranks for a line being typed, without committing it.
    fn preview_query(&mut self, text: &str) {
        match search::parse(text) {
            Ok(query) => {
                if query.text_terms().ne(self.query.text_terms()) {
                    self.snippets.clear();
                }
                self.query = query;
                self.query_error = None;
                self.keep_on = None;
                self.cursor_moved = false;
                self.refresh_wanted = false;
                if self.background_search {
                    self.search_in_background();
                    self.settling = true;
                    return;
                }
                self.hits = self.search();
                self.apply_sort();
                self.offset = 0;
                self.select(0);
            }
            Err(err) => {
                self.query_error = Some(err);
                // The error takes rows from the list: keep the cursor in it.
                self.scroll_list_to_selection();
            }
        }
    }

    /// Asks for the query to be run in the background; the results come to
    /// [`State::search_done`].
    fn search_in_background(&mut self) {
        self.search_generation += 1;
        self.searching = Some(self.search_generation);
        self.searched_over = self.catalog.statements.len();
        let rank = self.rank_for_search();
        self.searched_rank.clone_from(&rank);
        self.searched_index = self.catalog.index.len();
        self.effects.push(Effect::Search {
            generation: self.search_generation,
            query: self.query.clone(),
            marks: self.marks_by_position(),
            rank,
        });
    }

    /// The rank a background search sorts its hits by (best score first,
    /// then newest), when that is the list's order or (oldest first) its
    /// reverse: the list then takes them as they come.
    fn rank_for_search(&self) -> Option<std::sync::Arc<Vec<u32>>> {
        matches!(self.sort(), Sort::Relevance | Sort::Newest | Sort::Oldest)
            .then(|| std::sync::Arc::clone(&self.catalog.rank))
    }

    /// Marks keyed by archive position, for a search run elsewhere.
    fn marks_by_position(&self) -> std::collections::HashMap<usize, crate::store::Marks> {
        if self.triage.marks.is_empty() {
            return std::collections::HashMap::new();
        }
        if self.catalog.is_shelved() {
            // Each mark's statement looked up by id: none is restored.
            return self
                .triage
                .marks
                .iter()
                .filter_map(|(id, marks)| {
                    Some((self.catalog.statements.position_by_id(id)?, marks.clone()))
                })
                .collect();
        }
        self.catalog
            .statements
            .iter()
            .enumerate()
            .filter_map(|(at, statement)| Some((at, self.triage.marks.get(&statement.id)?.clone())))
            .collect()
    }

    /// Takes the results of a background search; those of an older query
    /// than the newest asked for are dropped.
    pub fn search_done(&mut self, generation: u64, hits: Vec<Hit>) {
        if self.searching != Some(generation) {
            return;
        }
        // The loader may have grown the index before this side took the
        // statements: those hits come again with the search that follows.
        let known = self.catalog.statements.len();
        let mut hits = hits;
        if self.searched_index > known {
            hits.retain(|hit| hit.index < known);
        }
        self.searching = None;
        self.settling = false;
        // Ordered by the rank the list has now: taken as they come
        // (checking the order looks each hit's rank up, a tenth of a second
        // at a million).
        let ordered = self
            .searched_rank
            .take()
            .is_some_and(|rank| std::sync::Arc::ptr_eq(&rank, &self.catalog.rank));
        match self.keep_on.take() {
            Some(statement) => self.take_hits_keeping(hits, Some(statement), ordered),
            None => {
                self.hits = hits;
                self.sort_hits(ordered);
                self.offset = 0;
                self.select(0);
            }
        }
        self.maybe_refresh();
        self.refresh_timeline();
        if let View::Filter(panel) = &self.view {
            // The counts are of the list, which has just changed.
            let (facet, cursor) = (panel.facet, panel.cursor);
            let mut fresh = FilterPanel::new(self);
            fresh.facet = facet;
            fresh.cursor = cursor;
            self.view = View::Filter(fresh);
        }
        self.settle();
    }

    fn search(&mut self) -> Vec<Hit> {
        if self.query.has_text() {
            self.index_text(self.text_indexed);
        }
        let catalog = &self.catalog;
        let marks = &self.triage.marks;
        // The index may hold statements not listed yet (a whole kept one
        // while the list streams in): they have no marks, and are left out.
        let marks_of = |at: usize| marks.get(catalog.id(at)?);
        let mut hits = if self.query.has_text() {
            let found = match &self.full_text {
                Some(full_text) => search::text::search(
                    &self.catalog.index,
                    full_text,
                    &self.query,
                    &marks_of,
                    None,
                )
                .map_err(|err| format!("full-text search failed: {err:#}")),
                None => Err("full-text search is unavailable (no full-text index)".to_owned()),
            };
            found.unwrap_or_else(|err| {
                self.status = Some(err);
                Vec::new()
            })
        } else {
            self.catalog.index.search_with(&self.query, &marks_of)
        };
        hits.retain(|hit| hit.index < self.catalog.statements.len());
        hits
    }

    /// Re-runs the query (marks changed, or the archive grew), keeping the
    /// cursor on the same statement when it is still listed.
    pub(crate) fn refresh_hits(&mut self) {
        // An untouched cursor has no statement to keep: it stays on top.
        let current = self
            .selected_hit()
            .map(|hit| hit.index)
            .filter(|_| self.cursor_moved);
        if self.lists_everything() {
            // Everything is listed: no need to search.
            self.searched_over = self.catalog.statements.len();
            if matches!(self.sort(), Sort::Newest | Sort::Oldest) {
                self.list_everything(current);
            } else {
                let hits = (0..self.catalog.statements.len())
                    .map(loading::plain_hit)
                    .collect();
                self.take_hits_keeping(hits, current, false);
            }
        } else if self.background_search {
            self.search_in_background();
            self.keep_on = current;
        } else {
            let hits = self.search();
            self.take_hits_keeping(hits, current, false);
        }
    }

    /// Shows new results with the cursor on `statement` when it is among
    /// them, else on the same row.
    fn take_hits_keeping(&mut self, hits: Vec<Hit>, statement: Option<usize>, ordered: bool) {
        let row = self.selected.saturating_sub(self.offset);
        self.hits = hits;
        self.sort_hits(ordered);
        let position =
            statement.and_then(|index| self.hits.iter().position(|hit| hit.index == index));
        self.keep_cursor(row, position);
    }

    /// Whether the query lists every statement (it has no words or terms).
    fn lists_everything(&self) -> bool {
        self.query.filters.is_empty() && !self.query.has_fuzzy()
    }

    /// Lists every statement, newest or oldest first, straight from the
    /// order (in the list's own memory: while a million statements stream
    /// in, this runs for each batch), the cursor kept on `statement`.
    fn list_everything(&mut self, statement: Option<usize>) {
        let row = self.selected.saturating_sub(self.offset);
        let oldest = self.sort() == Sort::Oldest;
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        // Room for as many as the statements have (all of a loading
        // archive, as far as known), so the list is not copied as it grows.
        hits.reserve(self.catalog.statements.capacity());
        hits.extend(
            self.catalog
                .order
                .iter()
                .map(|&at| loading::plain_hit(at as usize)),
        );
        if oldest {
            hits.reverse();
        }
        self.hits = hits;
        let last = self.hits.len().saturating_sub(1);
        let position = statement
            .and_then(|index| self.catalog.rank.get(index))
            .map(|&place| {
                if oldest {
                    last.saturating_sub(place as usize)
                } else {
                    place as usize
                }
            });
        self.keep_cursor(row, position);
    }

    /// Puts the cursor on `position` (on the same screen row where it
    /// can), or where it was when there is none.
    fn keep_cursor(&mut self, row: usize, position: Option<usize>) {
        match position {
            Some(position) => {
                // The cursor stays on the same screen row where it can.
                self.offset = position.saturating_sub(row);
                self.select(position);
            }
            // An untouched cursor stays on the top row, the newest statement.
            None if !self.cursor_moved => {
                self.offset = 0;
                self.select(0);
            }
            None => self.select(self.selected),
        }
    }

    fn apply_sort(&mut self) {
        self.sort_hits(false);
    }

    /// Puts the hits in the list's order; `ordered`: a background search
    /// ordered them by the list's rank already (see `searched_rank`).
    fn sort_hits(&mut self, ordered: bool) {
        let statements = &self.catalog.statements;
        let rank = &self.catalog.rank;
        let by_rank = |hit: &Hit| rank_of(rank, hit);
        let sort = self.sort();
        if matches!(sort, Sort::Title | Sort::Signatories) {
            // Read for every hit: shelved ones restored on all cores first.
            let positions: Vec<usize> = self.hits.iter().map(|hit| hit.index).collect();
            statements.restore_each(&positions);
        }
        match sort {
            Sort::Newest | Sort::Oldest
                if !self.query.has_fuzzy()
                    // A query of text terms alone comes by relevance.
                    && ((ordered && !self.query.is_text_only())
                        || self.hits.is_sorted_by_key(by_rank)) =>
            {
                // A background search ranked them already (known, or
                // checked: a lookup per hit, still far less than building
                // the list again at a million).
                if sort == Sort::Oldest {
                    self.hits.reverse();
                }
            }
            Sort::Newest | Sort::Oldest if !self.query.has_fuzzy() => {
                // The hits are a subset of the archive: walk it in order.
                let mut listed = vec![false; statements.len()];
                for hit in &self.hits {
                    if let Some(slot) = listed.get_mut(hit.index) {
                        *slot = true;
                    }
                }
                let mut hits: Vec<Hit> = self
                    .catalog
                    .order
                    .iter()
                    .map(|&at| at as usize)
                    .filter(|&at| listed[at])
                    .map(loading::plain_hit)
                    .collect();
                if hits.len() == self.hits.len() {
                    std::mem::swap(&mut self.hits, &mut hits);
                } else {
                    self.hits.sort_unstable_by_key(by_rank);
                }
                if sort == Sort::Oldest {
                    self.hits.reverse();
                }
            }
            Sort::Newest => self.hits.sort_unstable_by_key(by_rank),
            Sort::Oldest => self.hits.sort_unstable_by_key(|hit| Reverse(by_rank(hit))),
            Sort::Title => {
                // Each title folded once and the list sorted, on all cores
                // (at a million, 3.6 s on one); equal keys keep their order.
                use rayon::prelude::*;
                let mut keyed: Vec<(String, u32, usize, Hit)> = std::mem::take(&mut self.hits)
                    .into_par_iter()
                    .enumerate()
                    .map(|(at, hit)| {
                        let title = search::fold(&statements[hit.index].title);
                        (title, by_rank(&hit), at, hit)
                    })
                    .collect();
                keyed.par_sort_unstable_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
                self.hits = keyed.into_iter().map(|(.., hit)| hit).collect();
            }
            Sort::Relevance => {
                // A background search sorted them already (known, or
                // checked before sorting again).
                let key = |hit: &Hit| by_relevance(rank, hit);
                if !ordered && !self.hits.is_sorted_by_key(key) {
                    self.hits.sort_unstable_by_key(key);
                }
            }
            Sort::Signatories => self.hits.sort_unstable_by_key(|hit| {
                (
                    Reverse(statements[hit.index].signatories.len()),
                    by_rank(hit),
                )
            }),
        }
    }

    fn remember(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.history.retain(|earlier| earlier != text);
        self.history.push(text.to_owned());
        self.effects.push(Effect::History(text.to_owned()));
    }

    fn update_search(&mut self, mut line: SearchLine, action: Action) {
        match action {
            Action::Submit => {
                let text = line.editor.text().to_owned();
                self.remember(&text);
                if self.query_error.is_some() {
                    // Keep the line so the user can mend it; the list keeps
                    // the last good results.
                    self.query_text = text;
                    self.status =
                        Some("the query has an error: the list shows the last good results".into());
                } else {
                    self.query_text = text;
                }
                return;
            }
            Action::Cancel => {
                self.set_query(String::new());
                return;
            }
            Action::Type(c) => {
                if line.editor.insert(c) {
                    line.recalled = None;
                    self.preview_query(line.editor.text());
                } else if !c.is_control() {
                    self.status = Some(format!(
                        "the search line holds at most {} characters",
                        LineEditor::MAX_CHARS
                    ));
                }
            }
            Action::HistoryPrevious | Action::HistoryNext if !self.history.is_empty() => {
                let last = self.history.len() - 1;
                let recalled = match (action, line.recalled) {
                    (Action::HistoryPrevious, None) => Some(last),
                    (Action::HistoryPrevious, Some(at)) => Some(at.saturating_sub(1)),
                    (_, Some(at)) if at < last => Some(at + 1),
                    _ => None,
                };
                line.recalled = recalled;
                let text = recalled.map_or("", |at| self.history[at].as_str());
                line.editor = LineEditor::with_text(text);
                self.preview_query(line.editor.text());
            }
            edit => {
                if line.editor.edit(edit) {
                    self.preview_query(line.editor.text());
                }
            }
        }
        self.view = View::Search(line);
    }

    fn update_problems(&mut self, scroll: usize, action: Action) {
        let last = self.catalog.problem_lines.len().saturating_sub(1);
        self.view = match action {
            Action::Back => View::List,
            Action::Quit => {
                self.quit = true;
                View::List
            }
            Action::Down => View::Problems((scroll + 1).min(last)),
            Action::Up => View::Problems(scroll.saturating_sub(1)),
            Action::PageDown => View::Problems((scroll + self.list_rows()).min(last)),
            Action::PageUp => View::Problems(scroll.saturating_sub(self.list_rows())),
            Action::Reload => {
                self.effects.push(Effect::Reload);
                View::Problems(scroll)
            }
            _ => View::Problems(scroll),
        };
    }

    /// Takes a reloaded archive: statements not seen before are marked new;
    /// the query, sort, cursor (on the same statement), choice and open
    /// statement stay where they were. Gives back the old catalog, for the
    /// caller to free where it will not hold up drawing (a hundred thousand
    /// statements take a tenth of a second to free).
    #[must_use = "the old catalog is given back to be freed elsewhere"]
    pub fn replace_archive(
        &mut self,
        catalog: Catalog,
        files: Option<Vec<crate::loader::FileStamp>>,
    ) -> Catalog {
        let remap = catalog.remap_from(&self.catalog);
        let selected = self.selected_hit().map(|hit| hit.index);
        let anchor = self
            .triage
            .anchor
            .and_then(|anchor| self.hits.get(anchor))
            .map(|hit| hit.index);
        let old = std::mem::replace(&mut self.catalog, catalog);
        self.arrived.retain(|id| !remap.left.contains(id));
        self.arrived.extend(remap.arrived.iter().cloned());
        self.archive_number += 1;
        self.bodies_read.clear();
        self.carry_full_text(files);
        self.searching = None;
        let chosen = std::mem::take(&mut self.triage.chosen);
        self.triage.chosen = chosen
            .into_iter()
            .filter_map(|at| remap.position(at))
            .collect();

        let offset = self.offset;
        let in_background = self.background_search && !self.lists_everything();
        if in_background {
            // Searching a large archive again here would hold the screen:
            // the list keeps its statements, at their new places (those
            // gone left out), until the search below is in.
            let statements = &self.catalog.statements;
            let old_hits = std::mem::take(&mut self.hits);
            self.hits = old_hits
                .into_iter()
                .filter_map(|hit| {
                    let index = remap.position(hit.index)?;
                    let signatory = hit
                        .signatory
                        .filter(|&at| at < statements[index].signatories.len());
                    Some(Hit {
                        index,
                        signatory,
                        ..hit
                    })
                })
                .collect();
        } else {
            self.hits = self.search();
            self.settling = false;
        }
        self.apply_sort();
        let list_position = |index: Option<usize>, hits: &[Hit]| {
            index
                .and_then(|index| remap.position(index))
                .and_then(|index| hits.iter().position(|hit| hit.index == index))
        };
        self.triage.anchor = list_position(anchor, &self.hits);
        let selected = list_position(selected, &self.hits).unwrap_or(self.selected);
        self.offset = offset;
        self.select(selected);
        if in_background {
            self.search_in_background();
            self.keep_on = self.selected_hit().map(|hit| hit.index);
        }

        let mut open_gone = false;
        self.view
            .for_each_detail(&mut |detail| match remap.position(detail.statement) {
                Some(index) => detail.statement = index,
                None => open_gone = true,
            });
        if open_gone {
            // A statement open on screen (perhaps under help or a prompt) left.
            self.view = View::List;
            self.status = Some("the open statement left the archive".into());
        }
        if let View::Filter(_) = self.view {
            self.view = View::Filter(FilterPanel::new(self));
        }
        self.forget_signatories();
        self.refresh_timeline();
        self.settle();
        old
    }

    fn update_help(&mut self, mut help: Help, action: Action) {
        if help.typing {
            // Narrowing the rows, as lazygit's keybinding menu does.
            match action {
                Action::Submit => help.typing = false,
                Action::Cancel => {
                    help.typing = false;
                    help.filter = LineEditor::default();
                }
                Action::Type(c) => {
                    help.filter.insert(c);
                }
                edit => {
                    help.filter.edit(edit);
                }
            }
            help.scroll = 0;
            self.view = View::Help(help);
            return;
        }
        match action {
            Action::Search => {
                help.typing = true;
                help.scroll = 0;
            }
            Action::Back | Action::Help => {
                self.view = *help.under;
                return;
            }
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Down => help.scroll += 1,
            Action::Up => help.scroll = help.scroll.saturating_sub(1),
            Action::PageDown => help.scroll += self.list_rows(),
            Action::PageUp => help.scroll = help.scroll.saturating_sub(self.list_rows()),
            Action::Top => help.scroll = 0,
            Action::Bottom => help.scroll = usize::MAX / 2,
            _ => {}
        }
        self.view = View::Help(help);
    }
}
