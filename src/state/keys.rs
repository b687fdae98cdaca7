//! Keys as they really arrive: in bursts over SSH, or a whole paste at once.
//! Each key acts on the list that every earlier key produces: while a search
//! the user asked for is still running, keys that are not typing wait (in
//! order) for its results instead of acting on the list the screen showed
//! before. Text arriving in a run (a paste, a burst of typing) goes into the
//! line being edited in one step, so the query is parsed and searched once,
//! not once a character.

use std::collections::VecDeque;

use super::{LineEditor, State, View};
use crate::keymap::{Action, Key};
use crate::state::note::TextArea;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// Something held back until the list settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    Key(Key),
    /// A mouse action (already resolved: it does not depend on the view).
    Action(Action),
    Paste(String),
}

/// Keys and pastes held back while the list settles, oldest first.
pub type WaitingQueue = VecDeque<Waiting>;

/// The most that may wait: a burst longer than this (a runaway paste into
/// a terminal without bracketed paste) is cut, and the user told.
const MAX_WAITING: usize = 4_096;

impl State {
    /// Whether a key or paste must wait: earlier ones already wait (order is
    /// kept), or the list is about to change because of a query the user
    /// typed and this view acts on it. Typing into a line (the search line
    /// itself, a prompt, a note, the contacts search) never waits.
    fn must_wait(&self) -> bool {
        !self.waiting.is_empty() || (self.list_settling() && !self.context().is_typing())
    }

    /// Whether the list shown is not yet the one the query asks for: a
    /// search the user's own query change started is still running.
    #[must_use]
    pub fn list_settling(&self) -> bool {
        self.settling && self.searching.is_some()
    }

    /// Holds back `waiting` until the list settles.
    fn hold(&mut self, waiting: Waiting) {
        if self.waiting.len() >= MAX_WAITING {
            self.status =
                Some("too many keys at once while searching: the rest were dropped".into());
            return;
        }
        self.waiting.push_back(waiting);
        self.status = Some("searching… (keys wait for the results)".into());
    }

    /// One key press. Ctrl-c (quit) is never held back.
    pub fn press(&mut self, key: Key) {
        // A terminal sends Alt-x as Esc then x; so does a burst of Esc and
        // x (one write over SSH). Unbound, it is the two keys pressed.
        if key.modifiers.contains(KeyModifiers::ALT) && self.action_for(key).is_none() {
            self.press(Key::plain(KeyCode::Esc));
            self.press(Key {
                code: key.code,
                modifiers: key.modifiers - KeyModifiers::ALT,
            });
            return;
        }
        let action = self.action_for(key);
        if action == Some(Action::ForceQuit) {
            self.update(Action::ForceQuit);
            return;
        }
        if self.must_wait() {
            self.hold(Waiting::Key(key));
            return;
        }
        if let Some(action) = action {
            self.update(action);
        }
    }

    /// A mouse action, held back like a key while the list settles.
    pub fn mouse(&mut self, action: Action) {
        if self.must_wait() {
            self.hold(Waiting::Action(action));
        } else {
            self.update(action);
        }
    }

    /// Keys that arrived together: runs of plain characters typed into the
    /// search line go in as one edit (one search for the run).
    pub fn press_all(&mut self, keys: &[Key]) {
        let mut typed = String::new();
        for &key in keys {
            let typing = self.waiting.is_empty() && matches!(self.view, View::Search(_));
            match self.action_for(key) {
                Some(Action::Type(c)) if typing => typed.push(c),
                _ => {
                    if !typed.is_empty() {
                        self.paste(&std::mem::take(&mut typed));
                    }
                    self.press(key);
                }
            }
        }
        if !typed.is_empty() {
            self.paste(&typed);
        }
    }

    /// Text pasted (bracketed paste) or typed in one run: into the line being
    /// edited in one step. A line takes the text on one line (newlines become
    /// spaces); a note keeps them. Anywhere else a paste means nothing.
    pub fn paste(&mut self, text: &str) {
        if self.must_wait() {
            self.hold(Waiting::Paste(text.to_owned()));
            return;
        }
        let one_line: String = text
            .trim_end_matches(['\r', '\n'])
            .chars()
            .map(|c| {
                if matches!(c, '\r' | '\n' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        if let View::Search(line) = &mut self.view {
            let offered = one_line.chars().filter(|c| !c.is_control()).count();
            let taken = line.editor.insert_str(&one_line);
            line.recalled = None;
            let text = line.editor.text().to_owned();
            self.preview_query(&text);
            self.tell_if_cut(taken, offered, LineEditor::MAX_CHARS);
            return;
        }
        if let View::Note(note) = &mut self.view {
            // The question before closing takes keys, not text.
            if note.asking {
                return;
            }
            let offered = text
                .chars()
                .filter(|&c| c == '\n' || !c.is_control())
                .count();
            let taken = note.area.insert_str(text);
            self.tell_if_cut(taken, offered, TextArea::MAX_CHARS);
            return;
        }
        if !self.context().is_typing() {
            return;
        }
        // The other lines (a prompt, find in text, narrowing a facet, the
        // contacts search) take it a character at a time, as far as a line
        // can hold.
        for c in one_line.chars().take(LineEditor::MAX_CHARS) {
            self.update(Action::Type(c));
        }
    }

    fn tell_if_cut(&mut self, taken: usize, offered: usize, limit: usize) {
        if taken < offered {
            self.status = Some(format!(
                "text cut: the line holds at most {limit} characters"
            ));
        }
    }

    /// Lets held-back keys act once the list has settled (called after every
    /// input, and when search results arrive).
    pub fn settle(&mut self) {
        while !self.list_settling() {
            let Some(next) = self.waiting.pop_front() else {
                break;
            };
            if self
                .status
                .as_deref()
                .is_some_and(|s| s.starts_with("searching…"))
            {
                self.status = None;
            }
            match next {
                Waiting::Key(key) => {
                    if let Some(action) = self.action_for(key) {
                        self.update(action);
                    }
                }
                Waiting::Action(action) => self.update(action),
                Waiting::Paste(text) => self.paste(&text),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::Key;
    use crate::records::Statement;
    use crate::state::{Effect, Sort};
    use ratatui::crossterm::event::KeyCode;

    fn statement(id: &str, title: &str, date: &str) -> Statement {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": title, "published": date,
        }))
        .expect("statement")
    }

    /// A browser that searches in the background, as the real one does:
    /// results come only when [`State::search_done`] is called.
    fn browser() -> State {
        browser_of(vec![
            statement("newest", "Trade envoy visits Tokyo", "2024-03-01"),
            statement("frank", "New FRANK adverts", "2013-01-28"),
            statement("oldest", "Sanctions on Russia", "2012-03-01"),
        ])
    }

    /// As [`browser`], over `statements`.
    fn browser_of(statements: Vec<Statement>) -> State {
        let mut state = State::new("test".into(), statements, 0);
        state.update(Action::Resize(80, 24));
        state.background_search = true;
        state
    }

    fn press_text(state: &mut State, text: &str) {
        let keys: Vec<Key> = text
            .chars()
            .map(|c| match c {
                '\r' => Key::plain(KeyCode::Enter),
                c => Key::plain(KeyCode::Char(c)),
            })
            .collect();
        state.press_all(&keys);
    }

    /// Runs the search the state asked for last, as the worker would
    /// (ordered by the rank it was given).
    fn finish_search(state: &mut State) {
        let asked = state.effects.iter().rev().find_map(|effect| match effect {
            Effect::Search {
                generation,
                query,
                rank,
                ..
            } => Some((*generation, query.clone(), rank.clone())),
            _ => None,
        });
        let (generation, query, rank) = asked.expect("a search was asked for");
        let hits = match rank {
            Some(rank) => state.catalog.index.search_ranked(&query, &|_| None, &rank),
            None => state.catalog.index.search_with(&query, &|_| None),
        };
        state.effects.clear();
        state.search_done(generation, hits);
    }

    /// The hits' statements' ids, in the list's order.
    fn listed(state: &State) -> Vec<String> {
        state
            .hits
            .iter()
            .map(|hit| state.catalog.statements[hit.index].id.clone())
            .collect()
    }

    /// A background search's results come ordered by the rank asked with:
    /// taken as they come while that is still the list's rank, put in the
    /// list's order when the rank changed while it ran (statements arrived
    /// or the archive was read again), and when the sort changed (`s`
    /// pressed meanwhile).
    #[test]
    fn results_take_the_order_the_list_has_when_they_arrive() {
        let statements = vec![
            statement(
                "2021",
                "Joint statement of the foreign ministers",
                "2021-01-01",
            ),
            statement("2024", "Speech: a ministerial visit", "2024-01-01"),
            statement("2022", "Minister visits Tokyo", "2022-01-01"),
            statement("2023", "Budget announcement", "2023-01-01"),
        ];
        let mut state = browser_of(statements);
        press_text(&mut state, "/-budget\r");
        finish_search(&mut state);
        assert_eq!(listed(&state), ["2024", "2022", "2021"], "newest first");
        // The rank changed while a search ran: the hits come by the old.
        state.effects.clear();
        state.refresh_hits();
        let reorder = |state: &mut State, order: Vec<u32>| {
            let mut rank = vec![0; order.len()];
            for (place, &at) in order.iter().enumerate() {
                rank[at as usize] = u32::try_from(place).expect("small");
            }
            state.catalog.order = order;
            state.catalog.rank = std::sync::Arc::new(rank);
        };
        let newest_first = state.catalog.order.clone();
        reorder(&mut state, newest_first.iter().rev().copied().collect());
        finish_search(&mut state);
        assert_eq!(listed(&state), ["2021", "2022", "2024"], "by the new rank");
        // Fuzzy words, by relevance; then oldest first while it ran.
        reorder(&mut state, newest_first);
        state.effects.clear();
        state.set_query("minister".into());
        finish_search(&mut state);
        assert_eq!(state.sort(), Sort::Relevance);
        assert_eq!(listed(&state)[0], "2022", "the best match first");
        state.effects.clear();
        state.refresh_hits();
        while state.sort() != Sort::Oldest {
            state.update(Action::CycleSort);
        }
        finish_search(&mut state);
        assert_eq!(listed(&state), ["2021", "2022", "2024"], "oldest first");
    }

    /// While a whole kept index streams in, it holds statements not
    /// listed yet: a search's hits among those are left out until they are.
    #[test]
    fn hits_beyond_the_listed_statements_wait_for_them() {
        let all = vec![
            statement("a", "Minister visits Tokyo", "2024-01-04"),
            statement("b", "Minister visits Seoul", "2024-01-03"),
            statement("c", "Minister visits Delhi", "2024-01-02"),
            statement("d", "Minister visits Lima", "2024-01-01"),
        ];
        let mut state = browser_of(all[..2].to_vec());
        state.catalog.index = crate::search::Chunks::one(crate::search::Index::new(&all));
        state.set_query("minister".into());
        finish_search(&mut state);
        let mut shown = listed(&state);
        shown.sort();
        assert_eq!(shown, ["a", "b"]);
    }

    fn flagged(state: &State) -> Vec<String> {
        state
            .effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Triage {
                    change: crate::store::Change::Flag { ids, .. },
                    ..
                } => Some(ids.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn a_key_after_enter_waits_for_the_results_then_acts_on_them() {
        let mut state = browser();
        press_text(&mut state, "/frank\rF");
        assert!(flagged(&state).is_empty(), "F waits for the search");
        assert_eq!(state.waiting.len(), 1);
        assert!(
            state
                .status
                .as_deref()
                .is_some_and(|s| s.starts_with("searching…"))
        );
        finish_search(&mut state);
        assert_eq!(flagged(&state), ["frank"]);
        assert!(state.waiting.is_empty());
    }

    #[test]
    fn held_keys_are_read_in_the_view_they_reach() {
        // `t` opens the tag prompt only once the list settled; the letters
        // after it are the tag, not list keys (`s` would sort).
        let mut state = browser();
        press_text(&mut state, "/frank\rtasia\r");
        finish_search(&mut state);
        let tagged: Vec<_> = state
            .effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Triage {
                    change: crate::store::Change::Tag { ids, tag, .. },
                    ..
                } => Some((ids.clone(), tag.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(tagged, [(vec!["frank".to_owned()], "asia".to_owned())]);
        assert_eq!(state.chosen_sort, None, "no key was taken as a list key");
    }

    #[test]
    fn ctrl_c_is_never_held_back() {
        let mut state = browser();
        press_text(&mut state, "/frank\rjj");
        state.press(Key::ctrl('c'));
        assert!(state.quit);
    }

    #[test]
    fn ctrl_c_cancels_the_search_line_at_once_while_its_search_runs() {
        let mut state = browser();
        press_text(&mut state, "/frank");
        assert!(state.searching.is_some(), "the search is still running");
        state.press(Key::ctrl('c'));
        assert!(!state.quit, "the line is cancelled, not the browser");
        assert_eq!(state.view, View::List);
        assert_eq!(state.query_text, "");
    }

    #[test]
    fn typing_does_not_wait_but_keeps_its_order() {
        let mut state = browser();
        press_text(&mut state, "/fr");
        // Still typing while the search for "fr" runs: the line takes it.
        press_text(&mut state, "ank");
        match &state.view {
            View::Search(line) => assert_eq!(line.editor.text(), "frank"),
            other => panic!("still in the search line, not {other:?}"),
        }
    }

    #[test]
    fn a_burst_of_typing_searches_once() {
        let mut state = browser();
        press_text(&mut state, "/frank");
        let searches = state
            .effects
            .iter()
            .filter(|effect| matches!(effect, Effect::Search { .. }))
            .count();
        assert_eq!(searches, 1, "one search for the run of five letters");
    }

    #[test]
    fn a_huge_paste_goes_in_as_one_line_cut_to_the_limit() {
        let mut state = browser();
        state.press(Key::ch('/'));
        let pasted = "frank\nadverts ".repeat(10_000);
        state.paste(&pasted);
        let View::Search(line) = &state.view else {
            panic!("the search line stays open");
        };
        assert_eq!(line.editor.text().chars().count(), LineEditor::MAX_CHARS);
        assert!(line.editor.text().starts_with("frank adverts frank"));
        assert!(
            state
                .status
                .as_deref()
                .is_some_and(|s| s.contains("text cut"))
        );
        let searches = state
            .effects
            .iter()
            .filter(|effect| matches!(effect, Effect::Search { .. }))
            .count();
        assert_eq!(searches, 1);
    }

    #[test]
    fn a_paste_into_a_note_keeps_its_lines() {
        let mut state = browser();
        state.background_search = false;
        state.press(Key::ch('e'));
        state.paste("first line\r\nsecond\u{1b}[2J line");
        let View::Note(note) = &state.view else {
            panic!("the note editor is open, not {:?}", state.view);
        };
        assert_eq!(note.area.text(), "first line\nsecond[2J line");
    }
}
