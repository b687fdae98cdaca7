//! The one table from (context, key) to [`Action`]. The state machine, the
//! footer hints and the help overlay all read it; nothing else defines keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// Where a key is pressed; the same key can mean different things in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Anywhere, unless a more specific context binds the key.
    Global,
    List,
    /// Typing in a line (search, find in text, narrowing a facet).
    Input,
    Detail,
    Filter,
    Help,
    /// The problems panel.
    Problems,
    /// The contacts directory (typing searches it).
    Contacts,
    /// A value shown alone for mouse selection.
    Alone,
    /// Writing a note (a multi-line editor).
    Note,
    /// Choosing from a short list (saved searches).
    Picker,
    /// A note someone else changed while you wrote yours.
    Conflict,
    /// A signatory's page: what they signed and with whom.
    Signatory,
    /// Two statements' signatories compared.
    Compare,
    /// The timeline pane of the list, moving between its bars.
    Timeline,
}

impl Context {
    /// Contexts where plain characters are typed text, never key bindings.
    #[must_use]
    pub fn is_typing(self) -> bool {
        matches!(self, Self::Input | Self::Note | Self::Contacts)
    }

    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Anywhere",
            Self::List => "List",
            Self::Input => "Typing a search",
            Self::Detail => "Statement",
            Self::Filter => "Filters",
            Self::Help => "Help",
            Self::Problems => "Problems",
            Self::Contacts => "Contacts",
            Self::Alone => "Value shown alone",
            Self::Note => "Writing a note",
            Self::Picker => "Saved searches",
            Self::Conflict => "A note changed while you wrote it",
            Self::Signatory => "Signatory page",
            Self::Compare => "Comparing signatories",
            Self::Timeline => "Timeline of the list",
        }
    }
}

/// Everything a key can ask for. Named so bindings can be data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    Suspend,
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    Top,
    Bottom,
    Open,
    Search,
    ClearQuery,
    CycleSort,
    TogglePreview,
    Filter,
    NextStatement,
    PreviousStatement,
    FindNext,
    FindPrevious,
    // Facet panel.
    Toggle,
    NextFacet,
    PreviousFacet,
    // Triage.
    ToggleRead,
    ToggleFlag,
    CycleStatus,
    AddTag,
    RemoveTag,
    EditNote,
    ToggleChosen,
    VisualRange,
    ChooseAll,
    Undo,
    Redo,
    SaveSearch,
    SavedSearches,
    Delete,
    // A note changed by someone else while it was being written.
    KeepMine,
    KeepTheirs,
    MergeNotes,
    // The archive.
    Reload,
    Problems,
    // Contacts.
    ShowContacts,
    NextContact,
    PreviousContact,
    CopyEmail,
    CopyPhone,
    CopyOutOfHours,
    CopyContact,
    ShowAlone,
    CopyLink,
    CopyUrl,
    /// Open the same statement in its next language (translations).
    NextLanguage,
    // Signatories.
    NextSignatory,
    PreviousSignatory,
    OpenSignatory,
    /// Between a signatory page's statements and its co-signers.
    SwitchPane,
    CompareSignatories,
    ToggleTimeline,
    /// The timeline pane: narrow the query to the bar's month or year.
    NarrowToPeriod,
    // Line editing.
    Submit,
    Cancel,
    DeleteBack,
    DeleteWord,
    ClearLine,
    CursorLeft,
    CursorRight,
    CursorStart,
    CursorEnd,
    HistoryPrevious,
    HistoryNext,
    Complete,
    Newline,
    CursorUp,
    CursorDown,
    // Not bindable: produced by the event loop from typing, resizes and the mouse.
    #[serde(skip)]
    Type(char),
    #[serde(skip)]
    Resize(u16, u16),
    #[serde(skip)]
    Click(u16),
}

impl Action {
    /// What the action does, for the help overlay.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::ForceQuit => "cancel the input, or quit",
            Self::Suspend => "suspend to the shell (fg resumes)",
            Self::Help => "this help",
            Self::Back => "back",
            Self::Up => "up",
            Self::Down => "down",
            Self::PageUp => "page up",
            Self::PageDown => "page down",
            Self::HalfPageUp => "half page up",
            Self::HalfPageDown => "half page down",
            Self::Top => "first",
            Self::Bottom => "last",
            Self::Open => "open",
            Self::Search => "search",
            Self::ClearQuery => "clear the query",
            Self::CycleSort => "change sort",
            Self::TogglePreview => "preview pane (wide terminals)",
            Self::Filter => "filters",
            Self::NextStatement => "next statement",
            Self::PreviousStatement => "previous statement",
            Self::FindNext => "next match",
            Self::FindPrevious => "previous match",
            Self::Toggle => "choose / unchoose value",
            Self::NextFacet => "next facet",
            Self::PreviousFacet => "previous facet",
            Self::ToggleRead => "mark read / unread",
            Self::ToggleFlag => "flag / unflag",
            Self::CycleStatus => "next status (new, in review, actioned, no action)",
            Self::AddTag => "add a tag",
            Self::RemoveTag => "remove a tag",
            Self::EditNote => "write the note",
            Self::ToggleChosen => "choose the row for a bulk change",
            Self::VisualRange => "choose a range (press again to end)",
            Self::ChooseAll => "choose every row of the list / none",
            Self::Undo => "undo a triage change",
            Self::Redo => "redo",
            Self::SaveSearch => "save the query as a named search",
            Self::SavedSearches => "saved searches",
            Self::Delete => "delete",
            Self::KeepMine => "keep yours",
            Self::KeepTheirs => "keep theirs",
            Self::MergeNotes => "merge by hand",
            Self::Reload => "reload the archive now",
            Self::Problems => "problems found in the archive",
            Self::ShowContacts => "media contacts directory",
            Self::NextContact => "next contact",
            Self::PreviousContact => "previous contact",
            Self::CopyEmail => "copy email",
            Self::CopyPhone => "copy phone",
            Self::CopyOutOfHours => "copy out-of-hours",
            Self::CopyContact => "copy whole contact",
            Self::ShowAlone => "show alone (mouse select)",
            Self::CopyLink => "copy a link by its [number]",
            Self::CopyUrl => "copy the statement's URL",
            Self::NextLanguage => "the same statement in its next language",
            Self::NextSignatory => "next signatory",
            Self::PreviousSignatory => "previous signatory",
            Self::OpenSignatory => "signatory's page",
            Self::SwitchPane => "statements / co-signers",
            Self::CompareSignatories => {
                "compare signatories (two chosen, or with the previous match)"
            }
            Self::ToggleTimeline => "timeline of the list",
            Self::NarrowToPeriod => "narrow the query to this period",
            Self::Submit => "keep",
            Self::Cancel => "cancel",
            Self::DeleteBack => "delete a character",
            Self::DeleteWord => "delete a word",
            Self::ClearLine => "clear the line",
            Self::CursorLeft => "cursor left",
            Self::CursorRight => "cursor right",
            Self::CursorStart => "cursor to start",
            Self::CursorEnd => "cursor to end",
            Self::HistoryPrevious => "earlier query",
            Self::HistoryNext => "later query",
            Self::Complete => "complete",
            Self::Newline => "new line",
            Self::CursorUp => "cursor up",
            Self::CursorDown => "cursor down",
            Self::Type(_) => "type",
            Self::Resize(..) => "resize",
            Self::Click(_) => "select with the mouse",
        }
    }
}

/// The actions staff use most, most used first: help lists a view's keys in
/// this order (the rest follow in table order), so the first screen of help
/// answers the common questions.
pub const MOST_USED: &[Action] = &[
    Action::Open,
    Action::Back,
    Action::Search,
    Action::Down,
    Action::Up,
    Action::NextStatement,
    Action::PreviousStatement,
    Action::CopyEmail,
    Action::CopyPhone,
    Action::NextContact,
    Action::ToggleFlag,
    Action::ToggleRead,
    Action::CycleStatus,
    Action::AddTag,
    Action::EditNote,
    Action::Filter,
    Action::FindNext,
    Action::FindPrevious,
    Action::Submit,
    Action::Cancel,
    Action::Toggle,
    Action::Undo,
    Action::Help,
    Action::Quit,
];

/// A key with its modifiers, as bound in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    #[must_use]
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[must_use]
    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    #[must_use]
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// A key event as the table spells it: shift is folded into the
    /// character ('N', '?'), so it is dropped for character keys.
    #[must_use]
    pub fn from_event(event: KeyEvent) -> Self {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(event.code, KeyCode::Char(_)) {
            modifiers -= KeyModifiers::SHIFT;
        }
        if event.code == KeyCode::BackTab {
            modifiers -= KeyModifiers::SHIFT;
        }
        Self {
            code: event.code,
            modifiers,
        }
    }

    /// "j", "Ctrl-d", "PgDn", "Enter": how the help overlay names a key.
    #[must_use]
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::F(number) => format!("F{number}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{name}")
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{name}")
        } else {
            name
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Action,
}

const fn bind(context: Context, key: Key, action: Action) -> Binding {
    Binding {
        context,
        key,
        action,
    }
}

use Action as A;
use Context as C;
use KeyCode as K;

/// Ctrl-c: cancels the input being typed (search line, note, prompt),
/// closes an overlay, and quits from the list or a statement, as in fzf and
/// lazygit. No table can take it away (a configuration that tries is told
/// so) and it is never held back, so a keymap can never leave the user
/// without a way out.
pub const INTERRUPT: Key = Key::ctrl('c');

/// The default bindings: vim keys and plain keys side by side.
pub const DEFAULT_BINDINGS: &[Binding] = &[
    bind(C::Global, INTERRUPT, A::ForceQuit),
    bind(C::Global, Key::ctrl('z'), A::Suspend),
    bind(C::Global, Key::ch('?'), A::Help),
    bind(C::Global, Key::plain(K::F(1)), A::Help),
    bind(C::Global, Key::ch('c'), A::ShowContacts),
    // List.
    bind(C::List, Key::ch('q'), A::Quit),
    bind(C::List, Key::ch('j'), A::Down),
    bind(C::List, Key::plain(K::Down), A::Down),
    bind(C::List, Key::ch('k'), A::Up),
    bind(C::List, Key::plain(K::Up), A::Up),
    bind(C::List, Key::ctrl('d'), A::HalfPageDown),
    bind(C::List, Key::ctrl('u'), A::HalfPageUp),
    bind(C::List, Key::plain(K::PageDown), A::PageDown),
    bind(C::List, Key::ctrl('f'), A::PageDown),
    bind(C::List, Key::plain(K::PageUp), A::PageUp),
    bind(C::List, Key::ctrl('b'), A::PageUp),
    bind(C::List, Key::ch('g'), A::Top),
    bind(C::List, Key::plain(K::Home), A::Top),
    bind(C::List, Key::ch('G'), A::Bottom),
    bind(C::List, Key::plain(K::End), A::Bottom),
    bind(C::List, Key::plain(K::Enter), A::Open),
    bind(C::List, Key::ch('l'), A::Open),
    bind(C::List, Key::plain(K::Right), A::Open),
    bind(C::List, Key::ch('/'), A::Search),
    bind(C::List, Key::plain(K::Esc), A::ClearQuery),
    bind(C::List, Key::ch('f'), A::Filter),
    bind(C::List, Key::ch('s'), A::CycleSort),
    bind(C::List, Key::ch('p'), A::TogglePreview),
    bind(C::List, Key::ch('N'), A::ToggleRead),
    bind(C::List, Key::ch('R'), A::ToggleRead),
    bind(C::List, Key::ch('F'), A::ToggleFlag),
    bind(C::List, Key::ch('S'), A::CycleStatus),
    bind(C::List, Key::ch('t'), A::AddTag),
    bind(C::List, Key::ch('T'), A::RemoveTag),
    bind(C::List, Key::ch('e'), A::EditNote),
    bind(C::List, Key::ch(' '), A::ToggleChosen),
    bind(C::List, Key::ch('v'), A::VisualRange),
    bind(C::List, Key::ch('A'), A::ChooseAll),
    bind(C::List, Key::ch('u'), A::Undo),
    bind(C::List, Key::ctrl('r'), A::Redo),
    bind(C::List, Key::ch('w'), A::SaveSearch),
    bind(C::List, Key::ch('b'), A::SavedSearches),
    bind(C::List, Key::ch('L'), A::Reload),
    bind(C::List, Key::plain(K::F(5)), A::Reload),
    bind(C::List, Key::ch('P'), A::Problems),
    bind(C::List, Key::ch('H'), A::ToggleTimeline),
    bind(C::List, Key::ch('='), A::CompareSignatories),
    // Typing a line.
    bind(C::Input, Key::plain(K::Enter), A::Submit),
    bind(C::Input, Key::plain(K::Esc), A::Cancel),
    bind(C::Input, Key::plain(K::Backspace), A::DeleteBack),
    bind(C::Input, Key::ctrl('h'), A::DeleteBack),
    bind(C::Input, Key::ctrl('w'), A::DeleteWord),
    bind(C::Input, Key::ctrl('u'), A::ClearLine),
    bind(C::Input, Key::plain(K::Left), A::CursorLeft),
    bind(C::Input, Key::plain(K::Right), A::CursorRight),
    bind(C::Input, Key::plain(K::Home), A::CursorStart),
    bind(C::Input, Key::ctrl('a'), A::CursorStart),
    bind(C::Input, Key::plain(K::End), A::CursorEnd),
    bind(C::Input, Key::ctrl('e'), A::CursorEnd),
    bind(C::Input, Key::plain(K::Up), A::HistoryPrevious),
    bind(C::Input, Key::ctrl('p'), A::HistoryPrevious),
    bind(C::Input, Key::plain(K::Down), A::HistoryNext),
    bind(C::Input, Key::ctrl('n'), A::HistoryNext),
    bind(C::Input, Key::plain(K::Tab), A::Complete),
    // Writing a note: Enter is a new line, Ctrl-s keeps the note.
    bind(C::Note, Key::ctrl('s'), A::Submit),
    bind(C::Note, Key::plain(K::Esc), A::Cancel),
    bind(C::Note, Key::plain(K::Enter), A::Newline),
    bind(C::Note, Key::plain(K::Backspace), A::DeleteBack),
    bind(C::Note, Key::ctrl('h'), A::DeleteBack),
    bind(C::Note, Key::ctrl('w'), A::DeleteWord),
    bind(C::Note, Key::ctrl('u'), A::ClearLine),
    bind(C::Note, Key::plain(K::Left), A::CursorLeft),
    bind(C::Note, Key::plain(K::Right), A::CursorRight),
    bind(C::Note, Key::plain(K::Up), A::CursorUp),
    bind(C::Note, Key::plain(K::Down), A::CursorDown),
    bind(C::Note, Key::plain(K::Home), A::CursorStart),
    bind(C::Note, Key::ctrl('a'), A::CursorStart),
    bind(C::Note, Key::plain(K::End), A::CursorEnd),
    bind(C::Note, Key::ctrl('e'), A::CursorEnd),
    // Saved searches.
    bind(C::Picker, Key::ch('j'), A::Down),
    bind(C::Picker, Key::plain(K::Down), A::Down),
    bind(C::Picker, Key::ch('k'), A::Up),
    bind(C::Picker, Key::plain(K::Up), A::Up),
    bind(C::Picker, Key::plain(K::Enter), A::Open),
    bind(C::Picker, Key::ch('d'), A::Delete),
    bind(C::Picker, Key::plain(K::Esc), A::Back),
    bind(C::Picker, Key::ch('q'), A::Back),
    // A note changed while you wrote yours.
    bind(C::Conflict, Key::ch('m'), A::KeepMine),
    bind(C::Conflict, Key::ch('t'), A::KeepTheirs),
    bind(C::Conflict, Key::ch('e'), A::MergeNotes),
    bind(C::Conflict, Key::plain(K::Esc), A::Back),
    // Statement detail.
    bind(C::Detail, Key::ch('q'), A::Back),
    bind(C::Detail, Key::plain(K::Esc), A::Back),
    bind(C::Detail, Key::ch('h'), A::Back),
    bind(C::Detail, Key::plain(K::Left), A::Back),
    bind(C::Detail, Key::ch('j'), A::Down),
    bind(C::Detail, Key::plain(K::Down), A::Down),
    bind(C::Detail, Key::ch('k'), A::Up),
    bind(C::Detail, Key::plain(K::Up), A::Up),
    bind(C::Detail, Key::ctrl('d'), A::HalfPageDown),
    bind(C::Detail, Key::ctrl('u'), A::HalfPageUp),
    bind(C::Detail, Key::plain(K::PageDown), A::PageDown),
    bind(C::Detail, Key::ch(' '), A::PageDown),
    bind(C::Detail, Key::ctrl('f'), A::PageDown),
    bind(C::Detail, Key::plain(K::PageUp), A::PageUp),
    bind(C::Detail, Key::ctrl('b'), A::PageUp),
    bind(C::Detail, Key::ch('g'), A::Top),
    bind(C::Detail, Key::plain(K::Home), A::Top),
    bind(C::Detail, Key::ch('G'), A::Bottom),
    bind(C::Detail, Key::plain(K::End), A::Bottom),
    bind(C::Detail, Key::ch('/'), A::Search),
    bind(C::Detail, Key::ch('n'), A::FindNext),
    bind(C::Detail, Key::ch('N'), A::FindPrevious),
    bind(C::Detail, Key::ch(']'), A::NextStatement),
    bind(C::Detail, Key::ch('['), A::PreviousStatement),
    bind(C::Detail, Key::ch('R'), A::ToggleRead),
    bind(C::Detail, Key::ch('F'), A::ToggleFlag),
    bind(C::Detail, Key::ch('S'), A::CycleStatus),
    bind(C::Detail, Key::ch('t'), A::AddTag),
    bind(C::Detail, Key::ch('T'), A::RemoveTag),
    bind(C::Detail, Key::ch('e'), A::EditNote),
    bind(C::Detail, Key::plain(K::Tab), A::NextContact),
    bind(C::Detail, Key::plain(K::BackTab), A::PreviousContact),
    bind(C::Detail, Key::ch('y'), A::CopyEmail),
    bind(C::Detail, Key::ch('Y'), A::CopyPhone),
    bind(C::Detail, Key::ch('o'), A::CopyOutOfHours),
    bind(C::Detail, Key::ctrl('y'), A::CopyContact),
    bind(C::Detail, Key::ch('v'), A::ShowAlone),
    bind(C::Detail, Key::ch('#'), A::CopyLink),
    bind(C::Detail, Key::ch('U'), A::CopyUrl),
    bind(C::Detail, Key::ch('a'), A::NextLanguage),
    bind(C::Detail, Key::ch('u'), A::Undo),
    bind(C::Detail, Key::ctrl('r'), A::Redo),
    bind(C::Detail, Key::ch('>'), A::NextSignatory),
    bind(C::Detail, Key::ch('<'), A::PreviousSignatory),
    bind(C::Detail, Key::plain(K::Enter), A::OpenSignatory),
    bind(C::Detail, Key::ch('i'), A::OpenSignatory),
    bind(C::Detail, Key::ch('='), A::CompareSignatories),
    // Facet panel.
    bind(C::Filter, Key::ch('q'), A::Back),
    bind(C::Filter, Key::plain(K::Esc), A::Back),
    bind(C::Filter, Key::ch('f'), A::Back),
    bind(C::Filter, Key::ch('j'), A::Down),
    bind(C::Filter, Key::plain(K::Down), A::Down),
    bind(C::Filter, Key::ch('k'), A::Up),
    bind(C::Filter, Key::plain(K::Up), A::Up),
    bind(C::Filter, Key::ch('g'), A::Top),
    bind(C::Filter, Key::ch('G'), A::Bottom),
    bind(C::Filter, Key::plain(K::PageDown), A::PageDown),
    bind(C::Filter, Key::plain(K::PageUp), A::PageUp),
    bind(C::Filter, Key::ch(' '), A::Toggle),
    bind(C::Filter, Key::plain(K::Enter), A::Toggle),
    bind(C::Filter, Key::ch('l'), A::NextFacet),
    bind(C::Filter, Key::plain(K::Right), A::NextFacet),
    bind(C::Filter, Key::plain(K::Tab), A::NextFacet),
    bind(C::Filter, Key::ch('h'), A::PreviousFacet),
    bind(C::Filter, Key::plain(K::Left), A::PreviousFacet),
    bind(C::Filter, Key::plain(K::BackTab), A::PreviousFacet),
    bind(C::Filter, Key::ch('/'), A::Search),
    bind(C::Filter, Key::ch('x'), A::ClearQuery),
    bind(C::Filter, Key::ch('i'), A::OpenSignatory),
    // A signatory's page.
    bind(C::Signatory, Key::ch('q'), A::Back),
    bind(C::Signatory, Key::plain(K::Esc), A::Back),
    bind(C::Signatory, Key::ch('h'), A::Back),
    bind(C::Signatory, Key::plain(K::Left), A::Back),
    bind(C::Signatory, Key::ch('j'), A::Down),
    bind(C::Signatory, Key::plain(K::Down), A::Down),
    bind(C::Signatory, Key::ch('k'), A::Up),
    bind(C::Signatory, Key::plain(K::Up), A::Up),
    bind(C::Signatory, Key::plain(K::PageDown), A::PageDown),
    bind(C::Signatory, Key::plain(K::PageUp), A::PageUp),
    bind(C::Signatory, Key::ch('g'), A::Top),
    bind(C::Signatory, Key::ch('G'), A::Bottom),
    bind(C::Signatory, Key::plain(K::Enter), A::Open),
    bind(C::Signatory, Key::ch('l'), A::Open),
    bind(C::Signatory, Key::plain(K::Tab), A::SwitchPane),
    bind(C::Signatory, Key::plain(K::BackTab), A::SwitchPane),
    // Comparing signatories.
    bind(C::Compare, Key::ch('q'), A::Back),
    bind(C::Compare, Key::plain(K::Esc), A::Back),
    bind(C::Compare, Key::ch('='), A::Back),
    bind(C::Compare, Key::ch('j'), A::Down),
    bind(C::Compare, Key::plain(K::Down), A::Down),
    bind(C::Compare, Key::ch('k'), A::Up),
    bind(C::Compare, Key::plain(K::Up), A::Up),
    bind(C::Compare, Key::plain(K::PageDown), A::PageDown),
    bind(C::Compare, Key::plain(K::PageUp), A::PageUp),
    // The timeline pane.
    bind(C::Timeline, Key::ch('h'), A::CursorLeft),
    bind(C::Timeline, Key::plain(K::Left), A::CursorLeft),
    bind(C::Timeline, Key::ch('l'), A::CursorRight),
    bind(C::Timeline, Key::plain(K::Right), A::CursorRight),
    bind(C::Timeline, Key::ch('g'), A::Top),
    bind(C::Timeline, Key::ch('G'), A::Bottom),
    bind(C::Timeline, Key::plain(K::Enter), A::NarrowToPeriod),
    bind(C::Timeline, Key::ch('/'), A::Search),
    bind(C::Timeline, Key::ch('H'), A::ToggleTimeline),
    bind(C::Timeline, Key::plain(K::Esc), A::Back),
    bind(C::Timeline, Key::ch('q'), A::Back),
    // Help overlay.
    bind(C::Help, Key::ch('q'), A::Back),
    bind(C::Help, Key::plain(K::Esc), A::Back),
    bind(C::Help, Key::ch('?'), A::Back),
    bind(C::Help, Key::ch('j'), A::Down),
    bind(C::Help, Key::plain(K::Down), A::Down),
    bind(C::Help, Key::ch('k'), A::Up),
    bind(C::Help, Key::plain(K::Up), A::Up),
    bind(C::Help, Key::plain(K::PageDown), A::PageDown),
    bind(C::Help, Key::ch(' '), A::PageDown),
    bind(C::Help, Key::plain(K::PageUp), A::PageUp),
    bind(C::Help, Key::ch('g'), A::Top),
    bind(C::Help, Key::ch('G'), A::Bottom),
    bind(C::Help, Key::ch('/'), A::Search),
    // Contacts: typing searches, so actions are on named and Ctrl keys.
    bind(C::Contacts, Key::plain(K::Esc), A::Back),
    bind(C::Contacts, Key::plain(K::Enter), A::Open),
    bind(C::Contacts, Key::plain(K::Down), A::Down),
    bind(C::Contacts, Key::ctrl('n'), A::Down),
    bind(C::Contacts, Key::plain(K::Up), A::Up),
    bind(C::Contacts, Key::ctrl('p'), A::Up),
    bind(C::Contacts, Key::plain(K::PageDown), A::PageDown),
    bind(C::Contacts, Key::plain(K::PageUp), A::PageUp),
    bind(C::Contacts, Key::plain(K::Backspace), A::DeleteBack),
    bind(C::Contacts, Key::ctrl('w'), A::DeleteWord),
    bind(C::Contacts, Key::ctrl('u'), A::ClearLine),
    bind(C::Contacts, Key::plain(K::Left), A::CursorLeft),
    bind(C::Contacts, Key::plain(K::Right), A::CursorRight),
    bind(C::Contacts, Key::ctrl('e'), A::CopyEmail),
    bind(C::Contacts, Key::ctrl('t'), A::CopyPhone),
    bind(C::Contacts, Key::ctrl('o'), A::CopyOutOfHours),
    bind(C::Contacts, Key::ctrl('y'), A::CopyContact),
    bind(C::Contacts, Key::ctrl('g'), A::ShowAlone),
    bind(C::Alone, Key::plain(K::Esc), A::Back),
    bind(C::Alone, Key::ch('q'), A::Back),
    bind(C::Alone, Key::plain(K::Enter), A::Back),
    // Problems panel.
    bind(C::Problems, Key::ch('q'), A::Back),
    bind(C::Problems, Key::plain(K::Esc), A::Back),
    bind(C::Problems, Key::ch('P'), A::Back),
    bind(C::Problems, Key::ch('j'), A::Down),
    bind(C::Problems, Key::plain(K::Down), A::Down),
    bind(C::Problems, Key::ch('k'), A::Up),
    bind(C::Problems, Key::plain(K::Up), A::Up),
    bind(C::Problems, Key::plain(K::PageDown), A::PageDown),
    bind(C::Problems, Key::plain(K::PageUp), A::PageUp),
    bind(C::Problems, Key::ch('L'), A::Reload),
];

/// The active bindings (the defaults, or a user's table).
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: DEFAULT_BINDINGS.to_vec(),
        }
    }
}

impl Keymap {
    /// A table of the given bindings, in order (a configured keymap).
    #[must_use]
    pub fn from_bindings(bindings: Vec<Binding>) -> Self {
        Self { bindings }
    }

    /// Every binding, in table order.
    #[must_use]
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action a key asks for in a context, falling back to global keys.
    /// In a text line, printable characters are text, never global keys.
    /// [`INTERRUPT`] is `ForceQuit` whatever the table says.
    #[must_use]
    pub fn action(&self, context: Context, key: Key) -> Option<Action> {
        if key == INTERRUPT {
            return Some(Action::ForceQuit);
        }
        let find = |context: Context| {
            self.bindings
                .iter()
                .find(|binding| binding.context == context && binding.key == key)
                .map(|binding| binding.action)
        };
        let typing_text =
            context.is_typing() && matches!(key.code, KeyCode::Char(_)) && key.modifiers.is_empty();
        find(context).or_else(|| {
            if typing_text {
                None
            } else {
                find(Context::Global)
            }
        })
    }

    /// The keys bound to an action in a context, in table order.
    #[must_use]
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|binding| binding.context == context && binding.action == action)
            .map(|binding| binding.key)
            .collect()
    }

    /// "j/↓": the keys for an action joined for a hint or the help overlay.
    #[must_use]
    pub fn label_for(&self, context: Context, action: Action) -> Option<String> {
        let keys = self.keys_for(context, action);
        (!keys.is_empty()).then(|| keys.iter().map(Key::label).collect::<Vec<_>>().join("/"))
    }

    /// Each action bound in a context with its keys, in table order.
    #[must_use]
    pub fn actions_in(&self, context: Context) -> Vec<(Action, String)> {
        let mut seen = Vec::new();
        for binding in self.bindings.iter().filter(|b| b.context == context) {
            if !seen.contains(&binding.action) {
                seen.push(binding.action);
            }
        }
        seen.into_iter()
            .filter_map(|action| Some((action, self.label_for(context, action)?)))
            .collect()
    }

    /// Every (context, key) bound more than once.
    #[must_use]
    pub fn conflicts(&self) -> Vec<(Context, Key)> {
        let mut conflicts = Vec::new();
        for (position, binding) in self.bindings.iter().enumerate() {
            let twice = self.bindings[..position]
                .iter()
                .any(|earlier| earlier.context == binding.context && earlier.key == binding.key);
            if twice {
                conflicts.push((binding.context, binding.key));
            }
        }
        conflicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        assert_eq!(Keymap::default().conflicts(), []);
    }

    #[test]
    fn context_keys_win_over_global() {
        let keymap = Keymap::default();
        assert_eq!(keymap.action(C::List, Key::ch('q')), Some(A::Quit));
        assert_eq!(keymap.action(C::Detail, Key::ch('q')), Some(A::Back));
        assert_eq!(keymap.action(C::Detail, Key::ctrl('c')), Some(A::ForceQuit));
    }

    #[test]
    fn ctrl_c_interrupts_whatever_the_table_says() {
        let keymap = Keymap::from_bindings(vec![bind(C::List, Key::ctrl('c'), A::Up)]);
        for context in [C::List, C::Input, C::Note, C::Detail, C::Help] {
            assert_eq!(keymap.action(context, INTERRUPT), Some(A::ForceQuit));
        }
    }

    #[test]
    fn typed_characters_are_text() {
        let keymap = Keymap::default();
        assert_eq!(keymap.action(C::Input, Key::ch('?')), None);
        assert_eq!(keymap.action(C::Input, Key::ch('q')), None);
        assert_eq!(keymap.action(C::Input, Key::ctrl('c')), Some(A::ForceQuit));
    }

    #[test]
    fn shift_is_part_of_the_character() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(event), Key::ch('G'));
    }

    #[test]
    fn labels() {
        let keymap = Keymap::default();
        assert_eq!(keymap.label_for(C::List, A::Down).as_deref(), Some("j/↓"));
        assert_eq!(Key::ctrl('d').label(), "Ctrl-d");
    }
}
