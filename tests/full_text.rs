//! Full-text search (`text:` terms): words only the bodies hold are found,
//! as phrases, prefixes, negated and beside every other term; counts agree
//! with a plain scan of the text; snippets reach the list, `list --json`
//! and a real terminal, where opening a statement lands on its first hit.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use communique::keymap::Action;
use communique::records::Statement;
use communique::search::text::statement_text;
use communique::search::{FullText, Index, parse};
use communique::state::{Sort, State, View};
use communique::ui::theme::Palette;
use communique::ui::{Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use support::cells::visible_cells;
use support::keys::press;
use support::pty::{Key, PtyCommand};

const SEED: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

fn bundled() -> Vec<Statement> {
    communique::loader::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("archive"),
        Default::default(),
    )
    .expect("the bundled archive loads")
    .statements
}

fn browser(statements: Vec<Statement>, width: u16, height: u16) -> State {
    let mut state = State::new("archive".into(), statements, 0);
    state.update(Action::Resize(width, height));
    state
}

/// The ids a query lists in the browser, in the list's order.
fn listed(state: &mut State, query: &str) -> Vec<String> {
    state.set_query(query.to_owned());
    assert!(
        state.query_error.is_none(),
        "{query}: {:?}",
        state.query_error
    );
    state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].id.clone())
        .collect()
}

#[test]
fn words_only_the_seed_body_holds_are_found_by_text_terms() {
    let mut state = browser(bundled(), 80, 24);
    // A phrase of the body, and a word in no title nor signatory.
    assert_eq!(
        listed(&mut state, r#"text:"global non-proliferation regime""#),
        [SEED]
    );
    assert_eq!(listed(&mut state, "text:peninsula"), [SEED]);
    assert_eq!(listed(&mut state, "text:PENINSULA"), [SEED]);
    // Neither the exact term nor the fuzzy words read bodies.
    assert!(listed(&mut state, "'peninsula").is_empty());
    assert!(!listed(&mut state, "peninsula").contains(&SEED.to_owned()));
    // Words out of order are no phrase.
    assert!(listed(&mut state, r#"text:"regime non-proliferation global""#).is_empty());
    // A prefix.
    assert_eq!(listed(&mut state, "text:proliferat*"), [SEED]);
    assert!(listed(&mut state, "text:proliferat").is_empty());
    // Negated: everything else.
    let all = state.catalog.statements.len();
    let others = listed(&mut state, "-text:peninsula");
    assert_eq!(others.len(), all - 1);
    assert!(!others.contains(&SEED.to_owned()));
    // With every other kind of term.
    assert_eq!(
        listed(&mut state, "text:peninsula sig:japan year:2024"),
        [SEED]
    );
    assert!(listed(&mut state, "text:peninsula year:2023").is_empty());
    assert!(listed(&mut state, "text:peninsula -sig:japan").is_empty());
    assert_eq!(listed(&mut state, "dprk text:peninsula"), [SEED]);
    assert!(listed(&mut state, "text:peninsula text:zanzibar").is_empty());
    assert!(listed(&mut state, "text:peninsula -text:ukraine").is_empty());
}

/// A statement of generated words.
fn generated(n: usize, title: &str, body: &str) -> Statement {
    dated(n, title, body, &format!("2020-01-{:02}", 1 + n % 28))
}

fn dated(n: usize, title: &str, body: &str, day: &str) -> Statement {
    serde_json::from_value(serde_json::json!({
        "id": format!("g{n}"),
        "title": title,
        "published": day,
        "body": body,
    }))
    .expect("a statement")
}

/// Words none of which holds another, in mixed case, so a plain
/// case-insensitive substring scan finds exactly the statements the index
/// finds.
const WORDS: &[&str] = &[
    "Kherson",
    "sanctions",
    "MARITIME",
    "envoy",
    "Pacific",
    "fisheries",
    "treaty",
    "ceasefire",
    "Embassy",
    "humanitarian",
    "Drones",
    "grain",
    "Côte",
    "Tomé",
    "corridor",
    "veto",
];

/// `count` statements of 2–40 words of [`WORDS`], the same every run.
fn generated_archive(count: usize) -> Vec<Statement> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut below = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).expect("31 bits fit") % n
    };
    (0..count)
        .map(|n| {
            let mut sentence = |most: usize| {
                let length = 1 + below(most);
                (0..length)
                    .map(|_| WORDS[below(WORDS.len())])
                    .collect::<Vec<_>>()
                    .join(if below(3) == 0 { ", " } else { " " })
            };
            let title = sentence(4);
            let body = format!("{}. {}!\n{}", sentence(12), sentence(12), sentence(12));
            generated(n, &title, &body)
        })
        .collect()
}

#[test]
fn text_counts_agree_with_a_substring_scan() {
    let statements = generated_archive(2_000);
    let index = communique::search::Chunks::one(Index::new(&statements));
    let full_text = FullText::of(&statements).expect("index");
    // Lower case, and whatever runs between words one space (phrases run
    // over punctuation as the index reads them).
    let lower = |text: &str| {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let texts: Vec<String> = statements
        .iter()
        .map(|s| {
            lower(&format!(
                "{}\n{}",
                s.title,
                s.body.as_deref().unwrap_or_default()
            ))
        })
        .collect();
    let count = |query: &str| {
        communique::search::text::search(
            &index,
            &full_text,
            &parse(query).expect("query"),
            &|_| None,
            None,
        )
        .expect("search")
        .len()
    };
    let scan = |needle: &str| texts.iter().filter(|t| t.contains(&lower(needle))).count();
    let mut checked = 0;
    for word in WORDS {
        let found = count(&format!("text:{word}"));
        assert_eq!(found, scan(word), "text:{word}");
        assert_eq!(
            count(&format!("-text:{word}")),
            statements.len() - found,
            "-text:{word}"
        );
        checked += usize::from(found > 0);
    }
    assert_eq!(checked, WORDS.len(), "every word is somewhere");
    // Phrases (words one space apart) and prefixes.
    for (query, needle) in [
        (r#"text:"kherson sanctions""#, "kherson sanctions"),
        (r#"text:"grain corridor""#, "grain corridor"),
        ("text:human*", "human"),
        ("text:ceasef*", "ceasef"),
    ] {
        assert_eq!(count(query), scan(needle), "{query}");
    }
    // Text terms together, and one left out: every one of the first kind
    // and none of the second.
    let scan_all = |wanted: &[&str], unwanted: &[&str]| {
        texts
            .iter()
            .filter(|t| wanted.iter().all(|w| t.contains(&lower(w))))
            .filter(|t| !unwanted.iter().any(|w| t.contains(&lower(w))))
            .count()
    };
    for pair in WORDS.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        let both = count(&format!("text:{first} text:{second}"));
        assert_eq!(
            both,
            scan_all(&[first, second], &[]),
            "{first} and {second}"
        );
        assert_eq!(
            count(&format!("text:{first} -text:{second}")),
            scan_all(&[first], &[second]),
            "{first} without {second}"
        );
    }
    assert_eq!(
        count(r#"text:"grain corridor" text:human* -text:veto"#),
        scan_all(&["grain corridor", "human"], &["veto"])
    );
}

#[test]
fn text_only_queries_rank_by_relevance_others_newest_first() {
    let statements = vec![
        dated(
            1,
            "Once",
            "Grain once, in a long sentence about many other things.",
            "2020-02-01",
        ),
        dated(2, "Thrice", "Grain, grain and grain.", "2020-01-01"),
        dated(3, "None", "Nothing here.", "2020-03-01"),
    ];
    let mut state = browser(statements, 80, 24);
    // Text terms only: the more relevant first, though older.
    assert_eq!(listed(&mut state, "text:grain"), ["g2", "g1"]);
    assert_eq!(state.sort(), Sort::Relevance);
    // Beside another term, the sort is the default: newest first.
    assert_eq!(listed(&mut state, "text:grain year:2020"), ["g1", "g2"]);
    assert_eq!(state.sort(), Sort::Newest);
}

const NO_COLOR: Theme = Theme {
    color: false,
    palette: Palette::dark(),
};

/// The state drawn, with the matching sentences worked out as the loop
/// works them out.
fn drawn(state: &mut State) -> Terminal<TestBackend> {
    for at in state.wanted_snippets() {
        let text = statement_text(&state.catalog.statements[at]);
        state.text_read(at, text);
    }
    let mut terminal =
        Terminal::new(TestBackend::new(state.size.0, state.size.1)).expect("terminal");
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
        .expect("draw");
    terminal
}

fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    visible_cells(terminal.backend().buffer())
        .into_iter()
        .map(|row| row.into_iter().map(|(text, _)| text).collect())
        .collect()
}

#[test]
fn the_list_shows_the_matching_sentence_under_the_title_without_colour() {
    let mut state = browser(bundled(), 80, 24);
    state.set_query("text:peninsula".into());
    let terminal = drawn(&mut state);
    let shown = rows(&terminal);
    let snippet_row = shown
        .iter()
        .position(|row| row.contains("Korean Peninsula"))
        .unwrap_or_else(|| panic!("a snippet row:\n{}", shown.join("\n")));
    assert!(
        shown[snippet_row - 1].contains("DPRK-Russia ballistic"),
        "under its title:\n{}",
        shown.join("\n")
    );
    // The hit is marked without colour; the words around it are not.
    let cells = visible_cells(terminal.backend().buffer());
    let style_of = |word: &str| {
        let row = &cells[snippet_row];
        let text: String = row.iter().map(|(t, _)| t.as_str()).collect();
        let at = text.find(word).expect("the word");
        let column = text[..at].chars().count();
        row[column].1
    };
    assert!(
        style_of("Peninsula")
            .add_modifier
            .contains(Modifier::UNDERLINED)
    );
    assert!(
        !style_of("Korean")
            .add_modifier
            .contains(Modifier::UNDERLINED)
    );
    // Two rows a statement: half as many fit.
    assert_eq!(state.list_rows(), 10);
    // Narrow: one row a statement, no snippet.
    state.update(Action::Resize(50, 24));
    let narrow = rows(&drawn(&mut state));
    assert!(!narrow.iter().any(|row| row.contains("Korean Peninsula")));
}

#[test]
fn the_header_says_how_far_indexing_has_got() {
    let statements = generated_archive(10);
    let mut state = State::new("archive".into(), Vec::new(), 0);
    state.update(Action::Resize(160, 24));
    state.background_search = true;
    let index = communique::search::Chunks::one(communique::search::Index::new(&statements));
    state.statements_arrived(statements, index, Default::default(), None);
    // While the archive loads, loading has the cores; then the text of
    // every statement is asked for.
    let indexing = |state: &State| {
        state
            .effects
            .iter()
            .filter(|effect| matches!(effect, communique::state::Effect::IndexText { .. }))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(indexing(&state), []);
    state.loading_done(None, Vec::new());
    assert_eq!(
        indexing(&state),
        [communique::state::Effect::IndexText {
            first: 0,
            count: 10
        }]
    );
    let full_text = state.full_text.clone().expect("an index");
    let texts: Vec<String> = state
        .catalog
        .statements
        .range(0..4)
        .map(communique::search::text::indexed_text)
        .collect();
    full_text.add(0, &texts).expect("add");
    state.text_indexed_to(&full_text, 4, None);
    let header = rows(&drawn(&mut state)).remove(0);
    assert!(header.contains("indexing 40%"), "{header}");
    state.query = parse("text:grain").expect("query");
    let header = rows(&drawn(&mut state)).remove(0);
    assert!(header.contains("indexing 40% (text: so far)"), "{header}");
}

#[test]
fn while_the_kept_index_opens_text_finds_nothing_and_the_header_says_why() {
    let query = "text:\"security council\"";
    let expected = listed(&mut browser(bundled(), 80, 24), query);
    assert!(!expected.is_empty());
    let mut state = browser(bundled(), 160, 24);
    // As the browser starts with a cache folder: the kept index is opened
    // and checked on a thread of its own (seconds for a big one).
    state.full_text = None;
    state.text_opening = true;
    let header = rows(&drawn(&mut state)).remove(0);
    assert!(header.contains("opening text index"), "{header}");
    assert_eq!(listed(&mut state, query), Vec::<String>::new());
    let header = rows(&drawn(&mut state)).remove(0);
    assert!(
        header.contains("text: none yet (opening index)"),
        "{header}"
    );
    state.full_text_opened(Some(FullText::in_memory().expect("index")), None);
    let header = rows(&drawn(&mut state)).remove(0);
    assert!(!header.contains("opening"), "{header}");
    assert!(!header.contains("none yet"), "{header}");
    let found: Vec<String> = state
        .hits
        .iter()
        .map(|hit| state.catalog.statements[hit.index].id.clone())
        .collect();
    assert_eq!(found, expected, "asked again once open");
}

#[test]
fn opening_lands_on_the_first_hit_and_n_moves_between_hits() {
    let mut state = browser(bundled(), 80, 24);
    state.set_query("text:ukrainian".into());
    press(&mut state, "<Enter>");
    let View::Detail(detail) = &state.view else {
        panic!("a statement is open: {:?}", state.view);
    };
    assert_eq!(detail.find, "ukrainian");
    let first = detail.found.expect("on a hit");
    assert!(detail.scroll > 0, "scrolled down to the body");
    press(&mut state, "n");
    let View::Detail(detail) = &state.view else {
        panic!("still open");
    };
    assert_ne!(detail.found, Some(first), "n moved to another hit");
}

fn communique() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
    // Never the state of whoever runs the tests.
    command.env(
        "XDG_STATE_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
    );
    command.env(
        "XDG_CACHE_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
    );
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COMMUNIQUE_ARCHIVE")
        .stdin(Stdio::null());
    command
}

#[test]
fn list_json_carries_the_snippet() {
    let output = communique()
        .args(["list", "--query", "text:peninsula", "--json"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let records: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], SEED);
    let snippet = &records[0]["snippet"];
    let text = snippet["text"].as_str().expect("text");
    assert!(text.contains("on the Korean Peninsula"), "{snippet}");
    let hit = snippet["hits"][0].as_array().expect("a hit");
    let (start, end) = (
        usize::try_from(hit[0].as_u64().expect("start")).expect("fits"),
        usize::try_from(hit[1].as_u64().expect("end")).expect("fits"),
    );
    let word: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(word, "Peninsula");
}

#[test]
fn list_json_snippets_are_sanitised() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let record = serde_json::json!({
        "id": "hostile",
        "title": "Plain title",
        "published": "2024-01-01",
        "body": "Nothing. The \u{1b}[31mred\u{202e} grain\u{7} is here.",
    });
    std::fs::write(dir.path().join("a.json"), record.to_string()).expect("write");
    let output = communique()
        .args(["list", "--query", "text:grain", "--json", "--archive"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let records: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let text = records[0]["snippet"]["text"].as_str().expect("a snippet");
    assert!(text.contains("grain"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
}

#[test]
fn a_real_terminal_shows_the_snippet_and_opens_at_the_hit() {
    let mut term = PtyCommand::new()
        .args(["--archive", support::archive::core()])
        .size(80, 24)
        .spawn();
    term.expect_text("16 / 16 statements");
    // In one burst, as a paste over SSH arrives.
    term.send("/text:ukrainian\r");
    term.expect_screen("the one statement with its snippet", |screen| {
        screen.contains("1 / 16") && screen.contains("suffering of the Ukrainian people")
    });
    term.key(Key::Enter);
    let opened = term.expect_text("find: ukrainian");
    assert!(
        opened.contains("suffering of the Ukrainian"),
        "scrolled to the first hit:\n{opened}"
    );
    term.key(Key::Char('n'));
    term.expect_screen("the next hit", |screen| {
        screen.contains("find: ukrainian") && screen != opened
    });
}

#[test]
fn the_next_statement_opens_at_its_first_hit_too() {
    let filler = "Nothing to see here.\n\n".repeat(30);
    let statements = vec![
        dated(
            1,
            "First",
            &format!("{filler}The needle is here."),
            "2020-02-01",
        ),
        dated(
            2,
            "Second",
            &format!("{filler}{filler}Another needle."),
            "2020-01-01",
        ),
    ];
    let mut state = browser(statements, 80, 24);
    assert_eq!(listed(&mut state, "text:needle"), ["g1", "g2"]);
    press(&mut state, "<Enter>");
    let View::Detail(detail) = &state.view else {
        panic!("open: {:?}", state.view);
    };
    assert_eq!(detail.statement, 0);
    assert!(detail.found.is_some() && detail.scroll > 0, "{detail:?}");
    press(&mut state, "]");
    let View::Detail(detail) = &state.view else {
        panic!("still open: {:?}", state.view);
    };
    assert_eq!(detail.statement, 1);
    assert!(detail.found.is_some() && detail.scroll > 30, "{detail:?}");
}
