//! State transitions, driven through the keymap as a user would: build a
//! browser at a size, press keys, and check the view, the selection and the
//! query. Pure: no terminal, no drawing.

mod support;

use std::path::Path;
use std::sync::OnceLock;
use support::keys::press;

use communique::keymap::{Action, Context, DEFAULT_BINDINGS};
use communique::loader::Archive;
use communique::search::fold;
use communique::state::{Detail, FacetKind, Sort, State, View};

/// The id of the seed record, the one statement with signatories by country.
const SEED: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

/// The bundled archive, loaded once: loading parses GOV.UK HTML, and some
/// tests build hundreds of states.
fn archive() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        communique::loader::load(Path::new(support::archive::core()), Default::default())
            .expect("the bundled archive loads")
    })
}

fn archive_state() -> State {
    let archive = archive();
    State::new(archive.name(), archive.statements.clone(), 0)
}

/// The bundled archive in a terminal of `width`×`height`.
fn browser(width: u16, height: u16) -> State {
    let mut state = archive_state();
    state.update(Action::Resize(width, height));
    state
}

/// An archive with nothing in it.
fn empty_browser(width: u16, height: u16) -> State {
    let mut state = State::new("empty".into(), Vec::new(), 0);
    state.update(Action::Resize(width, height));
    state
}

/// "list", "search", "detail"…: the variant's name, lower case. Read from
/// `Debug` so views added later need no change here.
fn view_name(view: &View) -> String {
    let debug = format!("{view:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

fn detail(state: &State) -> &Detail {
    match &state.view {
        View::Detail(detail) => detail,
        other => panic!("expected the detail view, got {other:?}"),
    }
}

/// The open statement's lines as the detail view lays them out.
fn open_lines(state: &State) -> Vec<communique::document::DisplayLine> {
    let open = detail(state);
    let index = open.statement;
    open.lines(
        &state.catalog.statements[index],
        state.marks_of(index),
        state.size,
    )
}

fn search_text(state: &State) -> &str {
    match &state.view {
        View::Search(line) => line.editor.text(),
        other => panic!("expected the search line, got {other:?}"),
    }
}

fn hit_ids(state: &State) -> Vec<&str> {
    state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].id.as_str())
        .collect()
}

/// What a case expects; `None` means "not checked".
#[derive(Debug, Default)]
struct Expect {
    view: Option<&'static str>,
    selected: Option<usize>,
    offset: Option<usize>,
    query: Option<&'static str>,
    hits: Option<usize>,
    quit: Option<bool>,
}

struct Case {
    name: &'static str,
    size: (u16, u16),
    keys: &'static str,
    expect: Expect,
}

fn run_cases(cases: &[Case]) {
    for case in cases {
        let mut state = browser(case.size.0, case.size.1);
        press(&mut state, case.keys);
        let expect = &case.expect;
        let name = case.name;
        if let Some(view) = expect.view {
            assert_eq!(view_name(&state.view), view, "{name}: view");
        }
        if let Some(selected) = expect.selected {
            assert_eq!(state.selected, selected, "{name}: selected");
        }
        if let Some(offset) = expect.offset {
            assert_eq!(state.offset, offset, "{name}: offset");
        }
        if let Some(query) = expect.query {
            assert_eq!(state.query_text, query, "{name}: query_text");
        }
        if let Some(hits) = expect.hits {
            assert_eq!(state.hits.len(), hits, "{name}: hits");
        }
        if let Some(quit) = expect.quit {
            assert_eq!(state.quit, quit, "{name}: quit");
        }
        // Whatever happened, the cursor stays on a row and on screen.
        if !state.hits.is_empty() {
            assert!(
                state.selected < state.hits.len(),
                "{name}: selection past the end"
            );
            assert!(
                state.selected >= state.offset,
                "{name}: selection above the screen"
            );
            assert!(
                state.selected < state.offset + state.list_rows(),
                "{name}: selection below the screen"
            );
        }
    }
}

#[test]
fn the_bundled_archive_is_what_these_tests_expect() {
    let state = browser(80, 24);
    assert_eq!(state.catalog.statements.len(), 16);
    assert_eq!(state.hits.len(), 16);
    assert!(state.catalog.statements.iter().any(|s| s.id == SEED));
}

#[test]
fn list_movement_clamps_at_both_ends() {
    // 80×10 shows 6 rows of the 16 statements.
    let last = 15;
    run_cases(&[
        Case {
            name: "k at the top stays",
            size: (80, 10),
            keys: "kk<Up>",
            expect: Expect {
                selected: Some(0),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "j moves one",
            size: (80, 10),
            keys: "jj<Down>",
            expect: Expect {
                selected: Some(3),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "j past the screen scrolls",
            size: (80, 10),
            keys: "jjjjjjj",
            expect: Expect {
                selected: Some(7),
                offset: Some(2),
                ..Expect::default()
            },
        },
        Case {
            name: "j at the bottom stays",
            size: (80, 10),
            keys: "jjjjjjjjjjjjjjjjjjjjjjjj",
            expect: Expect {
                selected: Some(last),
                offset: Some(10),
                ..Expect::default()
            },
        },
        Case {
            name: "G goes to the last",
            size: (80, 10),
            keys: "G",
            expect: Expect {
                selected: Some(last),
                offset: Some(10),
                ..Expect::default()
            },
        },
        Case {
            name: "G then j stays",
            size: (80, 10),
            keys: "Gj<Down>",
            expect: Expect {
                selected: Some(last),
                offset: Some(10),
                ..Expect::default()
            },
        },
        Case {
            name: "G then g goes back to the first",
            size: (80, 10),
            keys: "Gg",
            expect: Expect {
                selected: Some(0),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "End and Home",
            size: (80, 10),
            keys: "<End>k<Home>",
            expect: Expect {
                selected: Some(0),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "PgDn moves a page",
            size: (80, 10),
            keys: "<PgDn>",
            expect: Expect {
                selected: Some(6),
                offset: Some(1),
                ..Expect::default()
            },
        },
        Case {
            name: "PgDn clamps at the end",
            size: (80, 10),
            keys: "<PgDn><PgDn><PgDn><PgDn>",
            expect: Expect {
                selected: Some(last),
                offset: Some(10),
                ..Expect::default()
            },
        },
        Case {
            name: "Ctrl-f is PgDn",
            size: (80, 10),
            keys: "<C-f>",
            expect: Expect {
                selected: Some(6),
                ..Expect::default()
            },
        },
        Case {
            name: "PgUp clamps at the start",
            size: (80, 10),
            keys: "jj<PgUp>",
            expect: Expect {
                selected: Some(0),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "PgUp from the end",
            size: (80, 10),
            keys: "G<PgUp>",
            expect: Expect {
                selected: Some(9),
                offset: Some(9),
                ..Expect::default()
            },
        },
        Case {
            name: "Ctrl-d moves half a page",
            size: (80, 10),
            keys: "<C-d>",
            expect: Expect {
                selected: Some(3),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "Ctrl-d clamps at the end",
            size: (80, 10),
            keys: "<C-d><C-d><C-d><C-d><C-d><C-d><C-d>",
            expect: Expect {
                selected: Some(last),
                offset: Some(10),
                ..Expect::default()
            },
        },
        Case {
            name: "Ctrl-u clamps at the start",
            size: (80, 10),
            keys: "j<C-u>",
            expect: Expect {
                selected: Some(0),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "everything fits: no scrolling at 80x24",
            size: (80, 24),
            keys: "G",
            expect: Expect {
                selected: Some(last),
                offset: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "q quits from the list",
            size: (80, 24),
            keys: "jq",
            expect: Expect {
                quit: Some(true),
                ..Expect::default()
            },
        },
        Case {
            name: "Esc in the list clears the query",
            size: (80, 24),
            keys: "/japan<Enter><Esc>",
            expect: Expect {
                view: Some("list"),
                query: Some(""),
                hits: Some(16),
                selected: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "Enter keeps the query",
            size: (80, 24),
            keys: "/japan<Enter>",
            expect: Expect {
                view: Some("list"),
                query: Some("japan"),
                hits: Some(1),
                selected: Some(0),
                ..Expect::default()
            },
        },
        Case {
            name: "Esc in the search line clears it",
            size: (80, 24),
            keys: "/japan<Esc>",
            expect: Expect {
                view: Some("list"),
                query: Some(""),
                hits: Some(16),
                ..Expect::default()
            },
        },
        Case {
            name: "Esc in the search line clears a kept query too",
            size: (80, 24),
            keys: "/japan<Enter>/<Esc>",
            expect: Expect {
                view: Some("list"),
                query: Some(""),
                hits: Some(16),
                ..Expect::default()
            },
        },
        Case {
            name: "typing in the search line is text, not keys",
            size: (80, 24),
            keys: "/qjkG?",
            expect: Expect {
                view: Some("search"),
                quit: Some(false),
                query: Some(""),
                ..Expect::default()
            },
        },
    ]);
}

#[test]
fn typing_a_search_reranks_live() {
    let mut state = browser(80, 24);
    press(&mut state, "jjj");
    assert_eq!(state.selected, 3);
    press(&mut state, "/");
    assert_eq!(view_name(&state.view), "search");
    let mut counts = Vec::new();
    for c in "japan".chars() {
        press(&mut state, &c.to_string());
        // Every keystroke re-ranks and puts the cursor on the best hit.
        assert_eq!(state.selected, 0, "after typing {c:?}");
        assert_eq!(state.offset, 0, "after typing {c:?}");
        assert!(state.query_error.is_none(), "after typing {c:?}");
        counts.push(state.hits.len());
    }
    assert!(
        counts.windows(2).all(|pair| pair[0] >= pair[1]),
        "each letter narrows: {counts:?}"
    );
    assert_eq!(search_text(&state), "japan");
    // Not committed until Enter.
    assert_eq!(state.query_text, "");
    assert_eq!(state.sort(), Sort::Relevance);
    assert_eq!(hit_ids(&state)[0], SEED);
    let hit = &state.hits[0];
    let signatory = hit.signatory.expect("japan matched through a signatory");
    let statement = &state.catalog.statements[hit.index];
    assert_eq!(
        statement.signatories[signatory].country.as_deref(),
        Some("Japan")
    );
    assert_eq!(
        state.selected_statement().map(|s| s.id.as_str()),
        Some(SEED)
    );
}

#[test]
fn a_bad_term_keeps_the_last_good_results() {
    let mut state = browser(80, 24);
    press(&mut state, "/");
    let mut last_good: Option<Vec<String>> = None;
    let mut errored = false;
    for c in "colour:red".chars() {
        let before: Vec<String> = hit_ids(&state).into_iter().map(str::to_owned).collect();
        press(&mut state, &c.to_string());
        let after: Vec<String> = hit_ids(&state).into_iter().map(str::to_owned).collect();
        if state.query_error.is_some() {
            errored = true;
            let good = last_good.get_or_insert(before);
            assert_eq!(
                &after, good,
                "after typing {c:?} the list keeps its results"
            );
        } else {
            assert!(!errored, "the error cleared while typing {c:?}");
        }
    }
    assert!(errored, "colour:red is reported");
    let error = state.query_error.clone().expect("an error");
    assert!(error.message.contains("colour"), "{error:?}");
    // Enter keeps the line (to mend it) and the list keeps the good results.
    press(&mut state, "<Enter>");
    assert_eq!(view_name(&state.view), "list");
    assert!(state.query_error.is_some());
    assert_eq!(state.query_text, "colour:red");
    let kept: Vec<String> = hit_ids(&state).into_iter().map(str::to_owned).collect();
    assert_eq!(Some(kept), last_good);
    assert!(state.status.is_some(), "the user is told why");
    // Mending it clears the error.
    press(&mut state, "/<C-u>");
    assert!(state.query_error.is_none());
    assert_eq!(state.hits.len(), 16);
}

#[test]
fn history_recalls_earlier_queries() {
    let mut state = browser(80, 24);
    press(&mut state, "/japan<Enter>/<C-u>christmas<Enter>");
    assert_eq!(state.history, ["japan", "christmas"]);
    press(&mut state, "/");
    assert_eq!(search_text(&state), "christmas");
    press(&mut state, "<Up>");
    assert_eq!(search_text(&state), "christmas");
    press(&mut state, "<Up>");
    assert_eq!(search_text(&state), "japan");
    // The recalled query is searched at once.
    assert_eq!(hit_ids(&state), [SEED]);
    press(&mut state, "<Up>");
    assert_eq!(search_text(&state), "japan", "the oldest stays");
    press(&mut state, "<Down>");
    assert_eq!(search_text(&state), "christmas");
    press(&mut state, "<Down>");
    assert_eq!(search_text(&state), "", "past the newest is an empty line");
    assert_eq!(state.hits.len(), 16);
    press(&mut state, "<C-p><C-p><Enter>");
    assert_eq!(state.query_text, "japan");
    // Using a query again moves it to the end, once.
    assert_eq!(state.history, ["christmas", "japan"]);
}

#[test]
fn sort_cycles_and_skips_relevance_without_fuzzy_words() {
    let mut state = browser(80, 24);
    assert_eq!(state.sort(), Sort::Newest);
    let dates = |state: &State| -> Vec<i64> {
        state
            .hits
            .iter()
            .map(|hit| state.catalog.statements[hit.index].published.timestamp())
            .collect()
    };
    assert!(
        dates(&state).windows(2).all(|p| p[0] >= p[1]),
        "newest first"
    );

    press(&mut state, "jj");
    let chosen = state.selected_statement().map(|s| s.id.clone());
    press(&mut state, "s");
    assert_eq!(state.sort(), Sort::Oldest);
    assert_eq!(
        state.selected_statement().map(|s| s.id.clone()),
        chosen,
        "a new sort keeps the cursor on its statement"
    );
    assert!(
        dates(&state).windows(2).all(|p| p[0] <= p[1]),
        "oldest first"
    );

    press(&mut state, "s");
    assert_eq!(state.sort(), Sort::Title);
    let titles: Vec<String> = state
        .hits
        .iter()
        .map(|hit| fold(&state.catalog.statements[hit.index].title))
        .collect();
    assert!(titles.windows(2).all(|p| p[0] <= p[1]), "{titles:#?}");

    press(&mut state, "s");
    assert_eq!(state.sort(), Sort::Signatories, "relevance is skipped");
    assert_eq!(hit_ids(&state)[0], SEED);
    let counts: Vec<usize> = state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].signatories.len())
        .collect();
    assert!(counts.windows(2).all(|p| p[0] >= p[1]), "{counts:?}");

    press(&mut state, "s");
    assert_eq!(state.sort(), Sort::Newest, "and round again");
    assert_eq!(state.hits.len(), 16);
}

#[test]
fn fuzzy_words_sort_by_relevance_and_cycle_through_it() {
    let mut state = browser(80, 24);
    press(&mut state, "/christmas<Enter>");
    assert_eq!(state.sort(), Sort::Relevance);
    let scores: Vec<i64> = state.hits.iter().map(|hit| hit.score).collect();
    assert!(scores.windows(2).all(|p| p[0] >= p[1]), "{scores:?}");
    let mut seen = Vec::new();
    for _ in 0..5 {
        press(&mut state, "s");
        seen.push(state.sort());
    }
    assert_eq!(
        seen,
        [
            Sort::Signatories,
            Sort::Newest,
            Sort::Oldest,
            Sort::Title,
            Sort::Relevance
        ]
    );
    // A chosen sort survives a new query.
    press(&mut state, "s/<C-u>japan<Enter>");
    assert_eq!(state.sort(), Sort::Signatories);
}

#[test]
fn detail_moves_through_the_list_and_the_list_follows() {
    let mut state = browser(80, 10);
    press(&mut state, "<Enter>");
    assert_eq!(detail(&state).statement, state.hits[0].index);
    for expected in 1..8 {
        press(&mut state, "]");
        assert_eq!(detail(&state).statement, state.hits[expected].index);
        assert_eq!(detail(&state).scroll, 0, "a new statement opens at its top");
        assert_eq!(state.selected, expected);
    }
    // The list scrolled to keep the selection on screen.
    assert_eq!(state.offset, 2);
    press(&mut state, "[[");
    assert_eq!(detail(&state).statement, state.hits[5].index);
    assert_eq!(state.selected, 5);
    press(&mut state, "<Esc>");
    assert_eq!(view_name(&state.view), "list");
    assert_eq!((state.selected, state.offset), (5, 2));

    // At the ends the statement stays and the user is told.
    press(&mut state, "G<Enter>]");
    assert_eq!(detail(&state).statement, state.hits[15].index);
    assert!(state.status.as_deref().is_some_and(|s| s.contains("last")));
    press(&mut state, "qg<Enter>[");
    assert_eq!(detail(&state).statement, state.hits[0].index);
    assert!(state.status.as_deref().is_some_and(|s| s.contains("first")));
}

#[test]
fn leaving_the_detail_keeps_the_list_as_it_was() {
    for back in ["<Esc>", "q", "h", "<Left>"] {
        let mut state = browser(80, 10);
        press(&mut state, "/-year:2013<Enter>ssg");
        press(&mut state, "jjjjjjjj");
        assert_eq!(state.hits.len(), 15);
        assert_eq!(state.sort(), Sort::Title);
        let before = (
            state.selected,
            state.offset,
            state.query_text.clone(),
            state.sort(),
            hit_ids(&state).join(","),
        );
        assert_eq!((before.0, before.1), (8, 3));
        press(&mut state, "<Enter>jj<PgDn>");
        assert_eq!(view_name(&state.view), "detail", "{back}");
        press(&mut state, back);
        assert_eq!(view_name(&state.view), "list", "{back}");
        assert!(!state.quit, "{back} leaves the detail, not the program");
        let after = (
            state.selected,
            state.offset,
            state.query_text.clone(),
            state.sort(),
            hit_ids(&state).join(","),
        );
        assert_eq!(after, before, "{back}");
    }
}

#[test]
fn detail_scrolling_clamps() {
    let mut state = browser(80, 24);
    press(&mut state, "/'dprk<Enter><Enter>");
    assert_eq!(state.catalog.statements[detail(&state).statement].id, SEED);
    let lines = open_lines(&state).len();
    let max = lines - Detail::text_rows(state.size);
    assert!(max > 0, "the seed is longer than a screen");
    press(&mut state, "kk");
    assert_eq!(detail(&state).scroll, 0);
    press(&mut state, "G");
    assert_eq!(detail(&state).scroll, max);
    press(&mut state, "j<Down><PgDn><Space><C-d><C-f><End>");
    assert_eq!(detail(&state).scroll, max, "stays at the end");
    press(&mut state, "k");
    assert_eq!(detail(&state).scroll, max - 1);
    press(&mut state, "g<C-d>");
    assert_eq!(
        detail(&state).scroll,
        Detail::text_rows(state.size).div_ceil(2)
    );
    press(&mut state, "<PgUp><PgUp>");
    assert_eq!(detail(&state).scroll, 0);

    // A taller terminal needs less scrolling: the scroll is clamped again.
    press(&mut state, "G");
    state.update(Action::Resize(80, 60));
    let max_tall = open_lines(&state)
        .len()
        .saturating_sub(Detail::text_rows(state.size));
    assert_eq!(detail(&state).scroll, max_tall);
}

#[test]
fn find_in_detail_moves_between_matches_and_wraps() {
    let mut state = browser(80, 24);
    press(&mut state, "/'dprk<Enter><Enter>/korea");
    assert_eq!(state.context(), communique::keymap::Context::Input);
    press(&mut state, "<Enter>");
    let lines = open_lines(&state);
    let matches = detail(&state).matching_lines(&lines);
    assert!(matches.len() >= 3, "{matches:?}");
    assert_eq!(detail(&state).find, "korea");
    assert!(detail(&state).find_line.is_none());
    assert_eq!(detail(&state).found, Some(matches[0]));
    for &expected in &matches[1..] {
        press(&mut state, "n");
        assert_eq!(detail(&state).found, Some(expected));
        // The match is on screen.
        let scroll = detail(&state).scroll;
        assert!(scroll <= expected && expected < scroll + Detail::text_rows(state.size));
    }
    press(&mut state, "n");
    assert_eq!(
        detail(&state).found,
        Some(matches[0]),
        "n wraps to the first"
    );
    press(&mut state, "N");
    assert_eq!(
        detail(&state).found,
        Some(*matches.last().expect("matches")),
        "N wraps to the last"
    );
    press(&mut state, "N");
    assert_eq!(detail(&state).found, Some(matches[matches.len() - 2]));

    // Esc while typing a find puts the view back where it was.
    press(&mut state, "g/kor");
    assert_ne!(detail(&state).scroll, 0);
    press(&mut state, "<Esc>");
    assert_eq!(detail(&state).scroll, 0);
    assert_eq!(detail(&state).find, "");
    press(&mut state, "n");
    assert!(state.status.is_some(), "nothing to find is reported");
}

#[test]
fn filter_toggles_a_value_into_the_query_and_out() {
    let mut state = browser(80, 24);
    press(&mut state, "f");
    let View::Filter(panel) = &state.view else {
        panic!("expected the filter panel, got {:?}", state.view);
    };
    assert_eq!(panel.current().kind, FacetKind::Kind);
    let position = panel
        .visible_values()
        .iter()
        .position(|(value, _)| value == "speech")
        .expect("a speech in the archive");
    let count = panel.visible_values()[position].1;
    press(&mut state, &"j".repeat(position));
    press(&mut state, "<Enter>");
    assert_eq!(state.query_text, "kind:=speech");
    assert_eq!(state.hits.len(), count);
    assert!(count < state.catalog.statements.len());
    assert_eq!(view_name(&state.view), "filter", "the panel stays open");
    // The values are re-counted (and so re-ordered) under the new query: go
    // to where `speech` is now and toggle it off.
    let View::Filter(panel) = &state.view else {
        panic!("expected the filter panel");
    };
    let now = panel
        .visible_values()
        .iter()
        .position(|(value, _)| value == "speech")
        .expect("speech is still listed");
    press(&mut state, &format!("g{}<Space>", "j".repeat(now)));
    assert_eq!(state.query_text, "");
    assert_eq!(state.hits.len(), 16);

    // Two facets combine; x clears; f closes.
    press(&mut state, &format!("g{}<Enter>l", "j".repeat(position)));
    assert_eq!(state.query_text, "kind:=speech");
    let View::Filter(panel) = &state.view else {
        panic!("expected the filter panel");
    };
    assert_eq!(panel.current().kind, FacetKind::Organisation);
    press(&mut state, "<Enter>");
    assert!(
        state.query_text.starts_with("kind:=speech org:="),
        "{}",
        state.query_text
    );
    assert!(state.hits.len() <= count);
    press(&mut state, "x");
    assert_eq!(state.query_text, "");
    press(&mut state, "f");
    assert_eq!(view_name(&state.view), "list");
}

#[test]
fn the_filter_cursor_stays_on_the_value_just_chosen() {
    let mut state = browser(80, 24);
    // Kind: news story (6), press release (2), speech (2), …
    press(&mut state, "fjj");
    let chosen = |state: &State| match &state.view {
        View::Filter(panel) => panel.visible_values()[panel.cursor].0.clone(),
        other => panic!("expected the filter panel, got {other:?}"),
    };
    assert_eq!(chosen(&state), "speech");
    press(&mut state, "<Enter>");
    assert_eq!(state.query_text, "kind:=speech");
    assert_eq!(chosen(&state), "speech", "the cursor follows the value");
    press(&mut state, "<Enter>");
    assert_eq!(state.query_text, "", "a second Enter unchooses it");
}

#[test]
fn choosing_a_facet_value_lists_as_many_statements_as_its_count() {
    let mut state = browser(80, 24);
    press(&mut state, "f");
    let View::Filter(panel) = &state.view else {
        panic!("expected the filter panel");
    };
    let (value, count) = panel.visible_values()[0].clone();
    assert_eq!(value, "news story");
    press(&mut state, "<Enter>");
    assert_eq!(state.query_text, "kind:=\"news story\"");
    assert_eq!(state.hits.len(), count);
}

#[test]
fn the_date_range_facet_writes_after() {
    let mut state = browser(80, 24);
    press(&mut state, "f");
    let dates = FacetKind::ALL
        .iter()
        .position(|kind| *kind == FacetKind::Dates)
        .expect("a date range facet");
    press(&mut state, &"l".repeat(dates));
    let View::Filter(panel) = &state.view else {
        panic!("expected the filter panel");
    };
    assert_eq!(panel.current().kind, FacetKind::Dates);
    press(&mut state, "<Enter>");
    assert_eq!(state.context(), communique::keymap::Context::Input);
    press(&mut state, "2024<Enter>");
    assert_eq!(state.query_text, "after:2024");
    assert_eq!(view_name(&state.view), "filter");
    assert_eq!(state.hits.len(), 3);
    assert!(
        state
            .hits
            .iter()
            .all(|hit| state.catalog.statements[hit.index].published.as_str() >= "2024")
    );
    // Editing it again replaces the term rather than adding a second one.
    press(&mut state, "<Enter><C-u>2016-06<Enter>");
    assert_eq!(state.query_text, "after:2016-06");
    // And the second entry writes before:.
    press(&mut state, "j<Enter>2017<Enter>");
    assert_eq!(state.query_text, "after:2016-06 before:2017");
    assert_eq!(state.hits.len(), 4);
    // A bad date keeps the line open and says why.
    press(&mut state, "<Enter><C-u>soon<Enter>");
    assert_eq!(state.context(), communique::keymap::Context::Input);
    assert!(state.status.is_some());
    assert_eq!(state.query_text, "after:2016-06 before:2017");
}

/// Key presses that reach each view, from a fresh list.
const VIEWS: &[(&str, &str)] = &[
    ("list", ""),
    ("list with a query", "/japan<Enter>"),
    ("search line", "/chr"),
    ("detail", "j<Enter>jj"),
    ("detail typing a find", "<Enter>/the"),
    ("detail after a find", "<Enter>/the<Enter>n"),
    ("filter", "fjl"),
    ("filter narrowing", "fl/for"),
    ("filter typing a date", "flllllll<Enter>20"),
    ("tag prompt", "jt"),
    ("note editor", "ea b"),
    ("saved searches", "b"),
    ("chosen rows", "<Space>j<Space>"),
    ("visual range", "vjj"),
];

#[test]
fn help_opens_over_any_view_and_closes_back_to_it() {
    for (name, setup) in VIEWS {
        let mut state = browser(80, 24);
        press(&mut state, setup);
        let before = state.view.clone();
        // `?` is text while typing a line or a note; F1 opens help everywhere.
        let open = if matches!(
            state.context(),
            communique::keymap::Context::Input | communique::keymap::Context::Note
        ) {
            "<F1>"
        } else {
            "?"
        };
        press(&mut state, open);
        let View::Help(help) = &state.view else {
            panic!("{name}: {open} did not open help: {:?}", state.view);
        };
        assert_eq!(*help.under, before, "{name}");
        press(&mut state, "jj");
        press(&mut state, "<Esc>");
        assert_eq!(state.view, before, "{name}: Esc returns to the view");
        press(&mut state, &format!("{open}?"));
        assert_eq!(state.view, before, "{name}: ? closes it too");
        press(&mut state, &format!("{open}q"));
        assert_eq!(state.view, before, "{name}: q in help closes help");
        assert!(!state.quit, "{name}");
    }
}

#[test]
fn ctrl_c_quits_from_the_list_or_a_statement_and_leads_there_from_every_view() {
    let mut setups: Vec<(&str, &str)> = VIEWS.to_vec();
    setups.push(("help", "?"));
    setups.push(("help over the detail", "<Enter>?"));
    for (name, setup) in setups {
        let mut state = browser(80, 24);
        press(&mut state, setup);
        assert!(!state.quit, "{name}: not yet");
        let at_the_top = matches!(state.context(), Context::List | Context::Detail);
        press(&mut state, "<C-c>");
        assert_eq!(state.quit, at_the_top, "{name}: the first Ctrl-c");
        // Each Ctrl-c cancels one input or overlay (a note asks first, then
        // keeps a draft), so a few always quit: there is always a way out.
        for _ in 0..3 {
            if !state.quit {
                press(&mut state, "<C-c>");
            }
        }
        assert!(state.quit, "{name}: Ctrl-c leads out");
    }
}

/// Every action the default keymap can produce, plus the ones the loop makes
/// up (typing, resizes, clicks).
fn every_action() -> Vec<Action> {
    let mut actions: Vec<Action> = Vec::new();
    for binding in DEFAULT_BINDINGS {
        if !actions.contains(&binding.action) {
            actions.push(binding.action);
        }
    }
    actions.extend([
        Action::Type('x'),
        Action::Type('한'),
        Action::Type(':'),
        Action::Type('"'),
        Action::Resize(0, 0),
        Action::Resize(1, 1),
        Action::Resize(80, 24),
        Action::Click(0),
        Action::Click(2),
        Action::Click(3),
        Action::Click(u16::MAX),
    ]);
    actions
}

fn every_view_setup() -> Vec<(&'static str, &'static str)> {
    let mut setups: Vec<(&str, &str)> = VIEWS.to_vec();
    setups.extend([
        ("help", "?"),
        ("help over the detail", "<Enter>?"),
        ("help over the search line", "/ja<F1>"),
        ("filter dates", "flllllll"),
    ]);
    setups
}

/// Every action from every view, each from a fresh state resized to `size`,
/// then all of them one after another in one state.
fn every_action_in_every_view_at(size: (u16, u16)) {
    let actions = every_action();
    for (name, setup) in every_view_setup() {
        for &action in &actions {
            let mut state = browser(80, 24);
            press(&mut state, setup);
            state.update(Action::Resize(size.0, size.1));
            state.update(action);
            // And the view still answers the next key.
            state.update(Action::Down);
            if !state.hits.is_empty() {
                assert!(
                    state.selected < state.hits.len(),
                    "{size:?} {name} {action:?}"
                );
            }
        }
        let mut state = browser(size.0, size.1);
        press(&mut state, setup);
        for &action in &actions {
            state.update(action);
        }
    }
}

#[test]
fn every_action_in_every_view_is_safe() {
    every_action_in_every_view_at((80, 24));
}

#[test]
fn every_action_in_every_view_is_safe_at_0x0() {
    every_action_in_every_view_at((0, 0));
}

#[test]
fn every_action_in_every_view_is_safe_at_1x1() {
    every_action_in_every_view_at((1, 1));
}

#[test]
fn resizing_to_nothing_does_not_panic() {
    for (name, setup) in every_view_setup() {
        let mut state = browser(80, 24);
        press(&mut state, setup);
        for (width, height) in [(0, 0), (1, 1), (0, 24), (80, 0), (1, 80), (500, 1)] {
            state.update(Action::Resize(width, height));
            press(&mut state, "jGk<PgDn><C-d>g");
            assert!(state.list_rows() >= 1, "{name}");
        }
        state.update(Action::Resize(80, 24));
        if !state.hits.is_empty() {
            assert!(state.selected < state.offset + state.list_rows(), "{name}");
        }
    }
}

#[test]
fn an_empty_archive_handles_every_action_in_every_view() {
    let actions = every_action();
    for (name, setup) in every_view_setup() {
        for &action in &actions {
            let mut state = empty_browser(80, 24);
            press(&mut state, setup);
            state.update(action);
            assert!(state.hits.is_empty(), "{name} {action:?}");
            assert_eq!(state.selected, 0, "{name} {action:?}");
            assert!(state.selected_statement().is_none());
        }
        let mut state = empty_browser(80, 24);
        press(&mut state, setup);
        for &action in &actions {
            state.update(action);
        }
    }
    // Opening nothing says so and stays in the list.
    let mut state = empty_browser(80, 24);
    press(&mut state, "<Enter>");
    assert_eq!(view_name(&state.view), "list");
    assert!(state.status.is_some());
    press(&mut state, "]q");
    assert!(state.quit);
}

/// The browser over a folder of the repository's fixtures.
fn fixtures_browser(folder: &str) -> State {
    let archive = communique::loader::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        Default::default(),
    )
    .expect("the fixtures load");
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(Action::Resize(80, 24));
    state
}

fn shown_id(state: &State) -> &str {
    match &state.view {
        View::Detail(detail) => &state.catalog.statements[detail.statement].id,
        other => panic!("not a statement: {other:?}"),
    }
}

#[test]
fn the_language_key_goes_round_the_translations_in_the_archive_and_says_when_none_is() {
    // English and Urdu, with the two shown as the list has them.
    let mut state = fixtures_browser("tests/fixtures/govuk-versions");
    press(&mut state, "/'Christmas<Enter><Enter>");
    assert_eq!(shown_id(&state), "d0ee80cd-ed7a-4b04-b60f-3be2f03693af");
    press(&mut state, "a");
    assert_eq!(shown_id(&state), "d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur");
    assert_eq!(state.status.as_deref(), Some("in ur"));
    press(&mut state, "a");
    assert_eq!(shown_id(&state), "d0ee80cd-ed7a-4b04-b60f-3be2f03693af");

    // The same English page where its Urdu translation was not saved.
    let mut state = fixtures_browser("tests/fixtures/govuk");
    press(&mut state, "/'Christmas 2016<Enter><Enter>");
    let english = shown_id(&state).to_owned();
    press(&mut state, "a");
    assert_eq!(shown_id(&state), english, "stays");
    assert_eq!(
        state.status.as_deref(),
        Some("not in this archive: the ur translation")
    );
    // A statement with no translations says so.
    press(&mut state, "q/<C-u>'frank<Enter><Enter>a");
    assert_eq!(
        state.status.as_deref(),
        Some("this statement has no translations")
    );
}
