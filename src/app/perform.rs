//! Carrying out what the state asks for: triage changes and saved searches in
//! the store, clipboard copies as OSC 52, suspend. [`Link`] holds the store
//! side and is shared by the real terminal and by tests.

use std::io::Write;

use anyhow::Context as _;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::Perform;
use crate::clipboard::{self, Multiplexer};
use crate::state::{Effect, State};
use crate::store::{MarkField, NoteSaved, TriageStore};

/// The browser's connection to the triage store, when there is one.
#[derive(Debug, Default)]
pub struct Link {
    pub store: Option<Box<dyn TriageStore>>,
}

impl Link {
    /// Fills the state from the store: marks, tags, saved searches, history,
    /// this user's draft notes.
    pub fn load_into(&mut self, state: &mut State) {
        let Some(store) = &mut self.store else {
            return;
        };
        // Before reading: a change committed while reading is then both
        // read now and noticed at the next poll, never missed.
        let _ = store.changed_since_last_check();
        let loaded = (|| -> Result<_, crate::store::StoreError> {
            Ok((
                store.marks()?,
                store.tags()?,
                store.saved_searches()?,
                store.history()?,
                store.drafts()?,
            ))
        })();
        match loaded {
            Ok((marks, tags, saved, history, drafts)) => {
                state.triage.drafts = drafts;
                state.triage.tags = tags.into_iter().map(|(tag, _)| tag).collect();
                state.triage.saved = saved;
                // A read-only store never saved this session's queries:
                // keep them after the ones on disk.
                let session: Vec<String> = std::mem::take(&mut state.history)
                    .into_iter()
                    .filter(|query| !history.contains(query))
                    .collect();
                state.history = history;
                state.history.extend(session);
                state.set_marks(marks);
            }
            Err(err) => state.report(format!("cannot read the state file: {err}")),
        }
    }

    /// Keeps a note being written when the browser ends as this user's
    /// draft, offered again when the note is reopened.
    pub fn keep_unsaved_note(&mut self, state: &State) {
        if let (Some(store), Some((ids, text, opened))) =
            (&mut self.store, state.unsaved_note_text())
        {
            // Nowhere to tell anyone: the browser is ending.
            let _ = store.save_draft(&ids, &text, &opened);
        }
    }

    /// Picks up changes other processes made to the shared state file.
    /// Returns whether it found any.
    pub fn poll(&mut self, state: &mut State) -> bool {
        let changed = self
            .store
            .as_mut()
            .is_some_and(|store| store.changed_since_last_check().unwrap_or(false));
        if changed {
            self.load_into(state);
        }
        let offline = self.store.as_ref().and_then(|store| store.offline());
        let link_changed = offline != state.triage.offline;
        state.triage.offline = offline;
        let conflicts = self
            .store
            .as_mut()
            .map(|store| store.take_conflicts())
            .unwrap_or_default();
        let conflicted = !conflicts.is_empty();
        for conflict in conflicts {
            state.note_conflict(
                conflict.ids,
                conflict.text,
                conflict.opened,
                conflict.changed,
            );
        }
        let noticed = self.tell_notice(state);
        changed || link_changed || conflicted || noticed
    }

    /// Shows what the store has to say about its file (it was replaced by
    /// another and reopened), after whatever the last action reported.
    fn tell_notice(&mut self, state: &mut State) -> bool {
        let notice = self.store.as_mut().and_then(|store| store.take_notice());
        let told = notice.is_some();
        if let Some(notice) = notice {
            state.report(notice);
        }
        told
    }

    /// Applies a store effect; other effects are not the store's.
    pub fn apply(&mut self, state: &mut State, effect: Effect) {
        let Some(store) = &mut self.store else {
            state.report("cannot save: no state file (see the start-up message)".into());
            return;
        };
        let result = match effect {
            Effect::Triage {
                change,
                origin,
                done,
            } => match store.apply(&change) {
                Ok(applied) => {
                    state.triage_applied(origin, change.field(), applied, done);
                    Ok(())
                }
                // Opening a statement on a read-only store is not an error
                // worth a message: browsing goes on.
                Err(_) if origin == crate::state::Origin::Quiet => Ok(()),
                Err(err) => Err(err),
            },
            Effect::SaveSearch { name, query } => store.save_search(&name, &query).and_then(|()| {
                state.triage.saved = store.saved_searches()?;
                state.report(format!("saved the query as {name}"));
                Ok(())
            }),
            Effect::DeleteSearch(name) => store.delete_search(&name).and_then(|_| {
                state.triage.saved = store.saved_searches()?;
                state.report(format!("deleted the saved search {name}"));
                Ok(())
            }),
            Effect::SaveNote {
                ids,
                text,
                opened,
                done,
            } => match store.save_note(&ids, text.as_deref(), &opened) {
                Ok(NoteSaved::Saved(applied)) => {
                    for id in &ids {
                        state.triage.drafts.remove(id);
                    }
                    state.triage_applied(
                        crate::state::Origin::Do,
                        Some(MarkField::Note),
                        applied,
                        done,
                    );
                    Ok(())
                }
                Ok(NoteSaved::Conflict(changed)) => {
                    state.note_conflict(ids, text, opened, changed);
                    Ok(())
                }
                Err(err) => Err(err),
            },
            Effect::SaveDraft { ids, text, opened } => {
                store.save_draft(&ids, &text, &opened).and_then(|()| {
                    state.triage.drafts = store.drafts()?;
                    Ok(())
                })
            }
            Effect::DropDrafts(ids) => store.drop_drafts(&ids).and_then(|()| {
                state.triage.drafts = store.drafts()?;
                Ok(())
            }),
            // History that cannot be saved stays in this session's memory.
            Effect::History(query) => store.push_history(&query).or(Ok(())),
            Effect::Copy(_)
            | Effect::Suspend
            | Effect::Reload
            | Effect::Search { .. }
            | Effect::IndexText { .. }
            | Effect::CarryText { .. }
            | Effect::Signatories { .. }
            | Effect::FindPage { .. } => Ok(()),
        };
        if let Err(err) = result {
            let message = err.to_string();
            state.report(if message.starts_with("cannot save") {
                message
            } else {
                format!("cannot save: {message}")
            });
        }
        state.triage.offline = self.store.as_ref().and_then(|store| store.offline());
        self.tell_notice(state);
    }
}

/// Effects on the real terminal.
pub struct RealTerminal {
    pub mouse: bool,
    pub multiplexer: Multiplexer,
    pub link: Link,
    /// The archive watcher, which also reloads on request.
    pub watch: Option<crate::watch::ArchiveWatch>,
    pub searcher: super::searcher::Searcher,
    pub finder: super::finder::Finder,
    pub indexer: super::indexer::Indexer,
    pub signatories: super::signatories::Worker,
    /// Statements still to hand to the indexer, a piece at a time.
    pub text_feed: super::indexer::Feed,
}

impl<B: Backend> Perform<B> for RealTerminal
where
    B::Error: Send + Sync + 'static,
{
    fn perform(
        &mut self,
        terminal: &mut Terminal<B>,
        state: &mut State,
        effect: Effect,
    ) -> anyhow::Result<()> {
        match effect {
            Effect::Copy(text) => {
                let outcome = match clipboard::osc52(&text, self.multiplexer) {
                    Ok(bytes) => {
                        let mut stdout = std::io::stdout().lock();
                        stdout
                            .write_all(&bytes)
                            .context("writing to the terminal")?;
                        stdout.flush().context("writing to the terminal")?;
                        clipboard::describe(&text, self.multiplexer)
                    }
                    Err(err) => format!("cannot copy: {err}"),
                };
                state.report(outcome);
            }
            Effect::Suspend => {
                super::leave_terminal(self.mouse);
                // Stop like a shell job; execution continues here on `fg`.
                signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)
                    .context("suspending")?;
                super::enter_terminal(self.mouse)?;
                terminal.clear()?;
            }
            Effect::Search {
                generation,
                query,
                marks,
                rank,
            } => self.searcher.submit(super::searcher::Job {
                generation,
                index: state.catalog.index.clone(),
                full_text: state.full_text.clone(),
                query,
                marks,
                rank,
            }),
            Effect::IndexText { first, count } => {
                let indexer = &self.indexer;
                self.text_feed
                    .ask(state, first, count, |job| indexer.submit(job));
            }
            Effect::CarryText { files } => {
                if let Some(job) =
                    super::indexer::job(state, 0, state.catalog.statements.len(), Some(files))
                {
                    self.indexer.submit(job);
                }
            }
            Effect::FindPage {
                generation,
                text,
                pages,
                needle,
                from,
                forward,
            } => self.finder.submit(super::finder::Job {
                generation,
                text,
                pages,
                needle,
                from,
                forward,
            }),
            Effect::Signatories {
                generation,
                snapshot,
                ask,
            } => self.signatories.submit(super::signatories::Job {
                generation,
                snapshot,
                ask,
            }),
            Effect::Reload => match &self.watch {
                Some(watch) => watch.request(),
                None => state.report("cannot reload: the archive is not being watched".into()),
            },
            store_effect => self.link.apply(state, store_effect),
        }
        Ok(())
    }

    fn tick(&mut self, state: &mut State) -> bool {
        self.link.poll(state)
    }

    fn between(&mut self, state: &State) {
        let indexer = &self.indexer;
        self.text_feed.hand_on(state, |job| indexer.submit(job));
    }
}
