//! Signatory pages, the list's timeline and comparisons in the browser, on
//! `tests/fixtures/signatories` (the real DPRK–Russia statement and four
//! synthetic ones): keys pressed through the keymap as a user would, every
//! number checked against the hand count in that folder's PROVENANCE.md;
//! the views drawn at 80×24 and 40×12 without colour; and the built binary
//! in a pseudo-terminal, keys sent one by one and in one burst.

mod support;

use std::path::Path;
use std::sync::OnceLock;

use communique::keymap::{Action, Context, Keymap};
use communique::loader::Archive;
use communique::state::{FacetKind, PagePane, Pending, State, View};
use communique::ui::theme::Palette;
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::keys::press;
use support::pty::{Key, Pty, PtyCommand};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/signatories");
const DPRK: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";
const FOLLOW_UP: &str = "synthetic-dprk-2024-06-20";
const JAPAN: &str = "Minister of Foreign Affairs, Japan";
const US: &str = "Secretary of State, United States of America";

const NO_COLOR: Theme = Theme {
    color: false,
    palette: Palette::dark(),
};

fn fixture() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        communique::loader::load(Path::new(FIXTURE), Default::default())
            .expect("the signatory fixtures load")
    })
}

fn browser(width: u16, height: u16) -> State {
    let archive = fixture();
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(Action::Resize(width, height));
    state
}

fn fm(country: &str) -> String {
    format!("Minister of Foreign Affairs, {country}")
}

fn id_at(state: &State, position: usize) -> &str {
    &state.catalog.statements[position].id
}

/// Moves the list cursor down to the statement `id`.
fn go_to(state: &mut State, id: &str) {
    for _ in 0..state.hits.len() {
        if state.selected_statement().map(|s| s.id.as_str()) == Some(id) {
            return;
        }
        press(state, "j");
    }
    panic!("{id} is not listed");
}

fn page(state: &State) -> &communique::signatories::browse::PageAnswer {
    let View::Signatory(page) = &state.view else {
        panic!("a signatory page, not {:?}", state.view);
    };
    match &page.result {
        Pending::Done(Some(found)) => found,
        other => panic!("the page worked out, not {other:?}"),
    }
}

fn page_ids(state: &State) -> Vec<&str> {
    page(state)
        .statements
        .iter()
        .map(|&at| id_at(state, at))
        .collect()
}

fn together(state: &State, label: &str) -> (usize, f64) {
    let found = page(state)
        .cosigners
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("{label} among the co-signers"));
    (found.together, found.share)
}

/// From the seed statement found by `japan`, one key opens Japan's foreign
/// minister's page: the signatory the query matched.
fn japans_page() -> State {
    let mut state = browser(80, 24);
    press(&mut state, "/japan<Enter>");
    assert_eq!(state.hits.len(), 5, "Japan signed five statements");
    go_to(&mut state, DPRK);
    press(&mut state, "<Enter>");
    let View::Detail(detail) = &state.view else {
        panic!("the statement is open");
    };
    let chosen = detail.signatory.expect("the matched signatory is chosen");
    assert_eq!(
        state.catalog.statements[detail.statement].signatories[chosen].label(),
        JAPAN
    );
    press(&mut state, "i");
    state
}

/// As the first load streams them: statements arriving in batches, each
/// batch's days and signatories gathered as it arrives (not all of them
/// when a page is first asked for), and the page from them the same as
/// from an archive given whole.
#[test]
fn statements_loaded_in_batches_give_the_same_page() {
    let archive = fixture();
    let mut state = State::new(archive.name(), Vec::new(), 0);
    state.update(Action::Resize(80, 24));
    for batch in archive.statements.chunks(2) {
        let mut index = state.catalog.index.clone();
        index.push(communique::search::Index::new(batch));
        state.statements_arrived(batch.to_vec(), index, Default::default(), None);
    }
    state.loading_done(Default::default(), Vec::new());
    let mut whole = browser(80, 24);
    // The seed statement's first signatory's page, in both.
    for state in [&mut state, &mut whole] {
        go_to(state, DPRK);
        press(state, "<Enter>i");
    }
    assert_eq!(page(&state).label, page(&whole).label);
    assert_eq!(page(&state).statements.len(), page(&whole).statements.len());
    assert_eq!(page_ids(&state), page_ids(&whole));
    assert_eq!(page(&state).cosigners, page(&whole).cosigners);
    assert!(!page(&state).cosigners.is_empty());
}

/// Found by `sig:japan` (not only by the fuzzy word `japan`), the seed
/// statement opens with Japan's signatory chosen too: one key, her page.
#[test]
fn a_statement_found_by_a_sig_term_opens_on_that_signatory() {
    let mut state = browser(80, 24);
    press(&mut state, "/sig:japan<Enter>");
    assert_eq!(state.hits.len(), 5, "Japan signed five statements");
    go_to(&mut state, DPRK);
    press(&mut state, "<Enter>i");
    assert_eq!(page(&state).label, JAPAN);
    assert_eq!(page(&state).statements.len(), 5);
    // Another name, another page, from the same statement.
    let mut state = browser(80, 24);
    press(&mut state, "/sig:korea<Enter>");
    go_to(&mut state, DPRK);
    press(&mut state, "<Enter>i");
    assert_eq!(
        page(&state).label,
        "Minister of Foreign Affairs, Republic of Korea"
    );
}

#[test]
fn the_seed_statement_opens_japans_foreign_minister_page_by_hand_count() {
    let state = japans_page();
    let found = page(&state);
    assert_eq!(found.label, JAPAN);
    assert_eq!(found.names, ["Hayashi Yoshimasa", "Kamikawa Yoko"]);
    assert_eq!(
        page_ids(&state),
        [
            "synthetic-trilateral-2024-09-02",
            FOLLOW_UP,
            DPRK,
            "synthetic-g7-2023-11-08",
            "synthetic-g7-2023-04-18"
        ]
    );
    // 18 months, April 2023 to September 2024, one statement in five.
    assert_eq!(found.timeline.bins.len(), 18);
    let busy: Vec<String> = found
        .timeline
        .bins
        .iter()
        .filter(|bin| bin.count == 1)
        .map(|bin| bin.label())
        .collect();
    assert_eq!(
        busy,
        ["2023-04", "2023-11", "2024-01", "2024-06", "2024-09"]
    );
    assert_eq!(found.cosigners[0].label, US);
    assert_eq!(together(&state, US), (5, 1.0));
    for label in [
        fm("Canada"),
        fm("France"),
        fm("Germany"),
        fm("Italy"),
        fm("United Kingdom"),
        "High Representative of the European Union, European Union".to_owned(),
    ] {
        assert_eq!(together(&state, &label), (4, 0.8), "{label}");
    }
    assert_eq!(together(&state, &fm("Republic of Korea")), (3, 0.6));
    assert_eq!(together(&state, &fm("Andorra")), (1, 0.2));
    assert!(found.cosigners.iter().all(|c| c.label != JAPAN));
    // Most often first.
    assert!(
        found
            .cosigners
            .windows(2)
            .all(|pair| pair[0].together >= pair[1].together)
    );
}

#[test]
fn signatories_are_moved_between_like_contacts_and_back_returns() {
    let mut state = browser(80, 24);
    go_to(&mut state, DPRK);
    press(&mut state, "<Enter>");
    press(&mut state, ">>");
    let View::Detail(detail) = &state.view else {
        panic!("the statement is open");
    };
    assert_eq!(detail.signatory, Some(1));
    press(&mut state, "<<");
    let View::Detail(detail) = &state.view else {
        panic!("the statement is open");
    };
    // Back past the first wraps to the last of 51.
    assert_eq!(detail.signatory, Some(50));
    press(&mut state, "<Enter>");
    assert_eq!(page(&state).label, US);
    assert_eq!(page(&state).statements.len(), 5);
    // A statement of the page opens, and Esc comes back to the page.
    press(&mut state, "j<Enter>");
    let View::Detail(detail) = &state.view else {
        panic!("a statement of the page is open");
    };
    assert_eq!(id_at(&state, detail.statement), FOLLOW_UP);
    press(&mut state, "<Esc>");
    let View::Signatory(open) = &state.view else {
        panic!("back on the page, not {:?}", state.view);
    };
    assert_eq!(open.cursor, 1);
    // A co-signer's page opens from the page, and Esc comes back.
    press(&mut state, "<Tab>");
    let View::Signatory(open) = &state.view else {
        panic!("the page");
    };
    assert_eq!(open.pane, PagePane::Cosigners);
    press(&mut state, "<Enter>");
    assert_eq!(page(&state).label, JAPAN);
    press(&mut state, "<Esc>");
    assert_eq!(page(&state).label, US);
    press(&mut state, "<Esc><Esc>");
    assert_eq!(state.view, View::List);
}

#[test]
fn the_country_facet_opens_the_countrys_page() {
    let mut state = browser(80, 24);
    press(&mut state, "f");
    for _ in 0..FacetKind::ALL.len() {
        let View::Filter(panel) = &state.view else {
            panic!("the filter panel");
        };
        if panel.current().kind == FacetKind::Country {
            break;
        }
        press(&mut state, "<Tab>");
    }
    press(&mut state, "/japan<Enter>i");
    assert_eq!(page(&state).label, JAPAN);
    assert_eq!(page(&state).statements.len(), 5);
    press(&mut state, "<Esc>");
    assert!(matches!(state.view, View::Filter(_)));
}

#[test]
fn comparing_two_chosen_joint_statements_lists_exactly_who_differs() {
    let mut state = browser(80, 24);
    go_to(&mut state, FOLLOW_UP);
    press(&mut state, "<Space>");
    go_to(&mut state, DPRK);
    press(&mut state, "<Space>=");
    let View::Compare(compare) = &state.view else {
        panic!("the comparison, not {:?}", state.view);
    };
    let Pending::Done(Some(found)) = &compare.result else {
        panic!("worked out");
    };
    assert_eq!(id_at(&state, found.earlier), DPRK);
    assert_eq!(id_at(&state, found.later), FOLLOW_UP);
    assert_eq!(found.both.len(), 49);
    assert_eq!(found.only_earlier, [fm("Andorra"), fm("Georgia")]);
    assert_eq!(found.only_later, [fm("Slovakia")]);
    assert_eq!(found.missing, [fm("Andorra"), fm("Georgia")]);
    press(&mut state, "<Esc>");
    assert_eq!(state.view, View::List);
}

#[test]
fn a_statement_compares_with_the_previous_match_of_the_query() {
    let mut state = browser(80, 24);
    press(&mut state, "/sig:canada<Enter>");
    go_to(&mut state, FOLLOW_UP);
    press(&mut state, "<Enter>=");
    let View::Compare(compare) = &state.view else {
        panic!("the comparison, not {:?}", state.view);
    };
    let Pending::Done(Some(found)) = &compare.result else {
        panic!("worked out");
    };
    assert_eq!(id_at(&state, found.earlier), DPRK);
    assert_eq!(found.only_later, [fm("Slovakia")]);
    press(&mut state, "<Esc>");
    assert!(matches!(state.view, View::Detail(_)));
    // The oldest match has nothing before it.
    go_to_oldest_and_compare(&mut state);
}

fn go_to_oldest_and_compare(state: &mut State) {
    press(state, "<Esc>G=");
    let View::Compare(compare) = &state.view else {
        panic!("the comparison");
    };
    assert_eq!(compare.result, Pending::Done(None));
}

#[test]
fn the_timeline_of_sig_japan_and_a_bar_narrows_the_query() {
    let mut state = browser(80, 24);
    press(&mut state, "/sig:japan<Enter>H");
    assert_eq!(state.view, View::Timeline);
    assert_eq!(state.context(), Context::Timeline);
    let pane = state.timeline.as_ref().expect("the pane is open");
    let timeline = pane.result.done().expect("worked out");
    assert_eq!(timeline.bins.len(), 18);
    assert_eq!(timeline.bins.iter().map(|b| b.count).sum::<usize>(), 5);
    // The cursor starts on the latest bar.
    assert_eq!(pane.bar, 17);
    assert_eq!(timeline.bins[17].label(), "2024-09");
    // Three bars back is 2024-06: Enter narrows the list to that month.
    press(&mut state, "hhh<Enter>");
    assert_eq!(state.query_text, "sig:japan year:2024-06");
    assert_eq!(state.hits.len(), 1);
    assert_eq!(id_at(&state, state.hits[0].index), FOLLOW_UP);
    // The timeline follows the query.
    let timeline = state
        .timeline
        .as_ref()
        .and_then(|pane| pane.result.done())
        .expect("worked out again");
    assert_eq!(timeline.labelled(), [("2024-06".to_owned(), 1)]);
    // Esc puts the cursor back in the list, the pane stays; H closes it.
    press(&mut state, "<Esc>");
    assert_eq!(state.view, View::List);
    assert!(state.timeline.is_some());
    press(&mut state, "HH");
    assert!(state.timeline.is_none());
    assert_eq!(state.view, View::List);
}

#[test]
fn the_keys_are_in_the_one_table_and_help() {
    let keymap = Keymap::default();
    let bound = |context, action| keymap.label_for(context, action);
    assert!(bound(Context::Detail, Action::NextSignatory).is_some());
    assert!(bound(Context::Detail, Action::OpenSignatory).is_some());
    assert!(bound(Context::Filter, Action::OpenSignatory).is_some());
    assert!(bound(Context::List, Action::ToggleTimeline).is_some());
    assert!(bound(Context::List, Action::CompareSignatories).is_some());
    assert!(bound(Context::Timeline, Action::NarrowToPeriod).is_some());
    assert_eq!(keymap.conflicts(), []);
    assert!(
        keymap
            .actions_in(Context::Signatory)
            .iter()
            .any(|(action, _)| *action == Action::SwitchPane)
    );
}

fn rows(state: &State) -> Vec<String> {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a TestBackend");
    terminal
        .draw(|frame| {
            frame.render_widget(
                Screen {
                    state,
                    theme: NO_COLOR,
                },
                frame.area(),
            );
        })
        .expect("drawing");
    let buffer = terminal.backend().buffer().clone();
    buffer
        .content
        .chunks(usize::from(width))
        .map(|cells| cells.iter().map(|cell| cell.symbol()).collect::<String>())
        .collect()
}

#[test]
fn the_page_reads_at_80x24_and_40x12_without_colour() {
    let mut state = japans_page();
    let screen = rows(&state).join("\n");
    for text in [
        JAPAN,
        "Hayashi Yoshimasa, Kamikawa Yoko",
        "Statements signed, newest first (5)",
        "2024-01-12  DPRK-Russia ballistic missile transfers",
        "per month, 2023-04 to 2024-09",
        "Signed with them, most often first",
        "   5  100%  Secretary of State, United States of America",
    ] {
        assert!(screen.contains(text), "{text:?} at 80×24:\n{screen}");
    }
    state.update(Action::Resize(40, 12));
    let small = rows(&state);
    let screen = small.join("\n");
    for text in [
        "Japan",
        "Statements signed",
        "Timeline: per month",
        "Signed with",
    ] {
        assert!(screen.contains(text), "{text:?} at 40×12:\n{screen}");
    }
    assert!(small.iter().all(|row| row.chars().count() == 40));
}

#[test]
fn a_page_says_computing_until_its_answer_arrives() {
    let mut state = browser(80, 24);
    state.background_search = true;
    go_to(&mut state, DPRK);
    press(&mut state, "<Enter>i");
    let View::Signatory(open) = &state.view else {
        panic!("the page");
    };
    let Pending::Computing(generation) = open.result else {
        panic!("not worked out on the drawing thread");
    };
    assert!(rows(&state).join("\n").contains("computing…"));
    // The worker's answer comes back as an input.
    let ask = state
        .effects
        .iter()
        .find_map(|effect| match effect {
            communique::state::Effect::Signatories { snapshot, ask, .. } => {
                Some(communique::signatories::browse::answer(snapshot, ask))
            }
            _ => None,
        })
        .expect("the page is asked of the worker");
    communique::app::handle(
        &mut state,
        communique::app::Input::Signatories(Box::new((generation, ask))),
    );
    assert_eq!(page(&state).label, fm("Albania"));
    assert!(!rows(&state).join("\n").contains("computing…"));
}

#[test]
fn the_timeline_and_comparison_read_at_80x24_without_colour() {
    let mut state = browser(80, 24);
    press(&mut state, "/sig:japan<Enter>H");
    let screen = rows(&state).join("\n");
    for text in [
        "Timeline of the list",
        "per month, 2023-04 to 2024-09 · most 1 a month",
        "2023-04",
        "▲2024-09",
        "sig:japan",
    ] {
        assert!(screen.contains(text), "{text:?}:\n{screen}");
    }
    assert!(screen.contains('█'), "bars drawn:\n{screen}");
    press(&mut state, "<Esc>/<C-u><Enter>");
    go_to(&mut state, FOLLOW_UP);
    press(&mut state, "<Enter>=");
    let screen = rows(&state).join("\n");
    for text in [
        "Signatories compared",
        "usual co-signers missing: Minister of Foreign Affairs, Andorra; Minister of",
        "Only the earlier (2)",
        "New in the later (1)",
        "Signed both (49)",
    ] {
        assert!(screen.contains(text), "{text:?}:\n{screen}");
    }
}

/// The browser on the fixtures in a pseudo-terminal at 80×24.
fn open_fixture() -> Pty {
    let mut term = PtyCommand::new()
        .args(["--archive", FIXTURE])
        .size(80, 24)
        .spawn();
    term.expect_text("5 / 5");
    term
}

fn japan_in_a_terminal(term: &mut Pty) {
    term.expect_screen("Japan's page", |screen| {
        screen.contains(JAPAN)
            && screen.contains("Statements signed, newest first (5)")
            && screen.contains("Hayashi Yoshimasa, Kamikawa Yoko")
            && screen.contains("100%  Secretary of State")
    });
    // The page's timeline in the terminal, and back to the statement.
    term.key(Key::Esc);
    term.expect_text("page of 24/51");
    // The list with the timeline of `sig:japan`.
    term.send("q/");
    term.key(Key::Ctrl('u'));
    term.send("sig:japan");
    term.key(Key::Enter);
    term.send("H");
    term.expect_screen("the timeline", |screen| {
        screen.contains("per month, 2023-04 to 2024-09") && screen.contains("▲2024-09")
    });
    term.send("hhh");
    term.key(Key::Enter);
    term.expect_screen("the query narrowed to the bar", |screen| {
        screen.contains("sig:japan year:2024-06") && screen.contains("1 / 5")
    });
    term.send("Hq");
}

#[test]
fn in_a_terminal_keys_one_by_one() {
    let mut term = open_fixture();
    term.send("/japan");
    term.key(Key::Enter);
    term.expect_text("query: japan");
    term.send("jj");
    term.key(Key::Enter);
    term.expect_text("Enter page of 24/51: Minister of Foreign Affairs, Japan");
    term.send("i");
    japan_in_a_terminal(&mut term);
    support::process::assert_clean_exit(&mut term);
}

#[test]
fn in_a_terminal_keys_in_one_burst() {
    let mut term = open_fixture();
    // Everything at once: the query, the statement, the page.
    term.send("/japan\rjj\ri");
    japan_in_a_terminal(&mut term);
    support::process::assert_clean_exit(&mut term);
}
