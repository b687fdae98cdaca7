//! GOV.UK items shown as GOV.UK shows them (issue 15, items 2, 3, 4 and 7),
//! each checked on a real item in `tests/fixtures/govuk-fidelity/` or
//! `tests/fixtures/govuk/` (see the PROVENANCE.md and README beside them)
//! through the built binary's outputs: `list`, `show` and `show --json`.

mod support;

use std::path::{Path, PathBuf};

use communique::loader::{LoadOptions, load};
use communique::state::{Effect, State};
use std::process::{Command, Output, Stdio};
use support::keys::press;

use serde_json::Value;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The binary on one archive, with a scratch state file and configuration
/// (the one given, else an empty one) so nothing of the machine's is read.
fn run(archive: &Path, config: &str, args: &[&str]) -> Output {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let config_path = scratch.path().join("config.toml");
    std::fs::write(&config_path, config).expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .arg("--archive")
        .arg(archive)
        .arg("--state")
        .arg(scratch.path().join("triage.db"))
        .arg("--config")
        .arg(&config_path)
        .args(args)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .env_remove("COMMUNIQUE_STATE")
        .stdin(Stdio::null())
        .output()
        .expect("run communique");
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

const SEMINAR: &str =
    "govuk-fidelity/news_article__seminar-offenders-and-welfare-reform-21-oct-2014.json";
const SEMINAR_ID: &str = "602730ca-7631-11e4-a3cb-005056011aef";

#[test]
fn a_summer_midnight_item_is_dated_and_found_on_its_london_day() {
    let archive = fixture(SEMINAR);
    let found = text(&run(&archive, "", &["list", "--query", "year:2014-10-22"]));
    assert!(
        found.contains(SEMINAR_ID),
        "year:2014-10-22 finds it: {found}"
    );
    assert!(
        found.starts_with("2014-10-22"),
        "listed on 22 October: {found}"
    );
    let missed = run(&archive, "", &["list", "--query", "year:2014-10-21"]);
    assert!(!text(&missed).contains(SEMINAR_ID));

    let shown = text(&run(&archive, "", &["show", SEMINAR_ID]));
    assert!(shown.contains("news story · 22 October 2014"), "{shown}");
    let record = json(&run(&archive, "", &["show", SEMINAR_ID, "--json"]));
    assert_eq!(record["published"], "2014-10-21T23:00:00Z", "kept whole");
}

#[test]
fn the_archive_time_zone_setting_overrides_the_formats_own() {
    let archive = fixture(SEMINAR);
    let utc = "[archive]\ntime_zone = \"UTC\"\n";
    let found = text(&run(&archive, utc, &["list", "--query", "year:2014-10-21"]));
    assert!(found.contains(SEMINAR_ID), "{found}");
    let shown = text(&run(&archive, utc, &["show", SEMINAR_ID]));
    assert!(shown.contains("21 October 2014"), "{shown}");

    let tokyo = "[archive]\ntime_zone = \"Asia/Tokyo\"\n";
    let shown = text(&run(&archive, tokyo, &["show", SEMINAR_ID]));
    assert!(shown.contains("22 October 2014"), "{shown}");

    let wrong = "[archive]\ntime_zone = \"Europe/Londres\"\n";
    let checked = run(&archive, wrong, &["config"]);
    let said = String::from_utf8_lossy(&checked.stdout).into_owned()
        + &String::from_utf8_lossy(&checked.stderr);
    assert!(
        said.contains(":2:13:") && said.contains("unknown time zone \"Europe/Londres\""),
        "{said}"
    );
}

const EVENT: &str = "govuk/news_article__best-practice-event.json";
const EVENT_ID: &str = "49b4337d-b3b7-4e85-b292-642c0c2a9af5";
/// The five "View the presentation slides" links of the event, in order.
const SLIDES: [&str; 5] = [
    "http://www.slideshare.net/MOD_CDE/9-july-2015-introduction-to-the-centre-for-defence-enterprise",
    "http://www.slideshare.net/MOD_CDE/20150710-whats-inside-that-building-web",
    "http://www.slideshare.net/MOD_CDE/20150710-cyberspace-web",
    "http://www.slideshare.net/MOD_CDE/20150710-enduring-challenge-session-web",
    "http://www.slideshare.net/MOD_CDE/creating-effective-cde-proposals",
];

#[test]
fn every_link_of_a_govuk_body_is_numbered_listed_and_in_json() {
    let archive = fixture(EVENT);
    let shown = text(&run(&archive, "", &["show", EVENT_ID]));
    assert!(
        shown.contains("Head of Operations, Jim Pennycook [2], introduced CDE"),
        "{shown}"
    );
    assert_eq!(
        shown.matches("View the presentation slides [").count(),
        5,
        "{shown}"
    );
    assert!(
        shown.contains("View the presentation slides [3]."),
        "{shown}"
    );
    for (number, slides) in [3, 5, 7, 9, 10].into_iter().zip(SLIDES) {
        assert!(
            shown.contains(&format!("[{number}] {slides}\n")),
            "[{number}]: {shown}"
        );
    }
    // A relative GOV.UK path is made absolute.
    assert!(
        shown.contains("[11] https://www.gov.uk/government/organisations/defence-science-and-technology-laboratory"),
        "{shown}"
    );

    let record = json(&run(&archive, "", &["show", EVENT_ID, "--json"]));
    let links: Vec<&str> = record["links"]
        .as_array()
        .expect("a links array")
        .iter()
        .map(|link| link.as_str().expect("an address"))
        .collect();
    assert_eq!(links.len(), 11);
    assert_eq!(links[0], "http://www.grandconnaughtrooms.com/");
    assert_eq!([links[2], links[4], links[6], links[8], links[9]], SLIDES);
    let body = record["body"].as_str().expect("body");
    assert!(
        body.contains("View the presentation slides [10]."),
        "{body}"
    );
}

fn copied(state: &State) -> Vec<String> {
    state
        .effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Copy(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_browser_copies_a_govuk_link_by_its_number() {
    let archive = load(&fixture(EVENT), LoadOptions::default()).expect("loads");
    let mut state = State::new(archive.name(), archive.statements.clone(), 0);
    state.update(communique::keymap::Action::Resize(80, 24));
    // One burst: open the statement, copy [3], then [10], then [11].
    press(&mut state, "<Enter>#3<Enter>#10<Enter>#11<Enter>");
    assert_eq!(
        copied(&state),
        [
            SLIDES[0],
            SLIDES[4],
            "https://www.gov.uk/government/organisations/defence-science-and-technology-laboratory"
        ]
    );
}

const SPEECH: &str = "govuk-fidelity/speech__speech.json";
const SPEECH_ID: &str = "b22d5555-096a-4793-9f4d-779644191054";
const NOTES: &str = "govuk-fidelity/speech__speech-speaking-notes.json";
const NOTES_ID: &str = "fbacb9d5-14cc-4cdd-8951-0fb5973219aa";
const ORAL: &str = "govuk/speech__best-practice-oral-statement.json";
const ORAL_ID: &str = "5f5332ea-7631-11e4-a3cb-005056011aef";

#[test]
fn a_speech_shows_when_and_where_it_was_delivered_and_how_close_the_text_is() {
    let archive = fixture(SPEECH);
    let shown = text(&run(&archive, "", &["show", SPEECH_ID]));
    assert!(
        shown.contains("speech · 8 March 2016"),
        "published: {shown}"
    );
    assert!(
        shown.contains(
            "Delivered on: 2 February 2016 (Original script, may differ from delivered version)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Location: Women in Nuclear UK Conference, Church House Conference Centre, Dean's Yard, Westminster, London"),
        "{shown}"
    );
    let record = json(&run(&archive, "", &["show", SPEECH_ID, "--json"]));
    assert_eq!(record["published"], "2016-03-08T10:31:22.000+00:00");
    assert_eq!(record["speech"]["delivered"], "2016-02-02T00:00:00+00:00");
    assert_eq!(
        record["speech"]["caveat"],
        "Original script, may differ from delivered version"
    );
    assert_eq!(
        record["speech"]["location"],
        "Women in Nuclear UK Conference, Church House Conference Centre, Dean's Yard, Westminster, London"
    );

    let notes = fixture(NOTES);
    let shown = text(&run(&notes, "", &["show", NOTES_ID]));
    assert!(
        shown.contains(
            "Delivered on: 24 May 2016 (Speaker's notes, may differ from delivered version)"
        ),
        "{shown}"
    );
}

#[test]
fn date_filters_go_by_the_day_a_speech_was_delivered() {
    let archive = fixture(SPEECH);
    let found = text(&run(&archive, "", &["list", "--query", "year:2016-02-02"]));
    assert!(found.contains(SPEECH_ID), "{found}");
    let found = text(&run(&archive, "", &["list", "--query", "before:2016-03"]));
    assert!(found.contains(SPEECH_ID), "{found}");
    let missed = text(&run(&archive, "", &["list", "--query", "year:2016-03"]));
    assert!(!missed.contains(SPEECH_ID), "{missed}");
}

#[test]
fn a_speakers_role_is_shown_and_kept() {
    let archive = fixture(ORAL);
    let shown = text(&run(&archive, "", &["show", ORAL_ID]));
    assert!(
        shown.contains("The Rt Hon Theresa May MP, Secretary of State for the Home Department"),
        "{shown}"
    );
    let record = json(&run(&archive, "", &["show", ORAL_ID, "--json"]));
    assert_eq!(
        record["signatories"][0],
        serde_json::json!({
            "name": "The Rt Hon Theresa May MP",
            "role": "Secretary of State for the Home Department"
        })
    );
    assert_eq!(record["speech"]["delivered"], "2014-04-30T00:00:00+01:00");
    let found = text(&run(
        &archive,
        "",
        &["list", "--query", "sig:\"home department\""],
    ));
    assert!(found.contains(ORAL_ID), "search finds the role: {found}");
}

const RESPONSE: &str = "govuk/news_article__best-practice-government-response.json";
const RESPONSE_ID: &str = "5f5649ac-7631-11e4-a3cb-005056011aef";
const PRESS: &str = "govuk/news_article__news_article_press_release.json";
const COALITION: &str = "2010 to 2015 Conservative and Liberal Democrat coalition government";

#[test]
fn lead_organisations_come_first_as_on_govuk() {
    let shown = text(&run(&fixture(RESPONSE), "", &["show", RESPONSE_ID]));
    assert!(
        shown.contains(
            "From: Department of Health and Social Care; Department for Environment, Food & Rural Affairs; Department for Education\n"
        ),
        "{shown}"
    );
    let record = json(&run(&fixture(EVENT), "", &["show", EVENT_ID, "--json"]));
    assert_eq!(
        record["organisations"],
        serde_json::json!([
            "Centre for Defence Enterprise",
            "Defence Science and Technology Laboratory"
        ])
    );
    let found = text(&run(
        &fixture(EVENT),
        "",
        &["list", "--query", "org:\"centre for defence\""],
    ));
    assert!(found.contains(EVENT_ID), "{found}");
}

#[test]
fn last_updated_with_its_note_and_the_history_newest_first() {
    let shown = text(&run(&fixture(EVENT), "", &["show", EVENT_ID]));
    assert!(
        shown.contains(
            "\nLast updated: 13 July 2015: Presentation slides are now available to view online.\n"
        ),
        "{shown}"
    );
    let history = shown
        .split("Updates to this page")
        .nth(1)
        .expect("the change history");
    let july = history.find("13 July 2015").expect("July");
    let april = history
        .find("30 April 2015: Change of venue")
        .expect("April");
    let march = history
        .find("25 March 2015: First published.")
        .expect("March");
    assert!(july < april && april < march, "{history}");
    // An item never changed since it was published says no "Last updated".
    let response = text(&run(&fixture(RESPONSE), "", &["show", RESPONSE_ID]));
    assert!(!response.contains("Last updated"), "{response}");
}

#[test]
fn items_of_a_previous_government_say_so() {
    let shown = text(&run(&fixture(RESPONSE), "", &["show", RESPONSE_ID]));
    assert!(
        shown.contains(&format!("This was published under the {COALITION}")),
        "{shown}"
    );
    let record = json(&run(
        &fixture(RESPONSE),
        "",
        &["show", RESPONSE_ID, "--json"],
    ));
    assert_eq!(record["previous_government"], true);
    assert_eq!(record["government"], COALITION);

    // The current government's items carry no banner.
    let archive = fixture(PRESS);
    let listed = json(&run(&archive, "", &["list", "--json"]));
    let record = &listed.as_array().expect("records")[0];
    assert!(record.get("previous_government").is_none(), "{record}");
    let id = record["id"].as_str().expect("id");
    let shown = text(&run(&archive, "", &["show", id]));
    assert!(!shown.contains("This was published under"), "{shown}");
}

#[test]
fn a_history_written_oldest_first_is_kept_and_shown_newest_first() {
    let folder = tempfile::tempdir().expect("archive folder");
    // The DPRK joint statement's record with an update added after it, in
    // the order a person writing the file by hand might use.
    std::fs::write(
        folder.path().join("record.json"),
        r#"{"id": "dprk", "title": "DPRK-Russia ballistic missile transfers: joint statement",
            "published": "2024-01-12",
            "updates": [{"date": "2024-01-12", "note": "First published."},
                        {"date": "2024-01-15", "note": "Signatories added."}]}"#,
    )
    .expect("record");
    let record = json(&run(folder.path(), "", &["show", "dprk", "--json"]));
    assert_eq!(record["updates"][0]["note"], "Signatories added.");
    assert_eq!(record["updates"][1]["note"], "First published.");
    let shown = text(&run(folder.path(), "", &["show", "dprk"]));
    assert!(
        shown.contains("15 January 2024: Signatories added.\n12 January 2024: First published."),
        "{shown}"
    );
    assert!(
        shown.contains("Last updated: 15 January 2024: Signatories added."),
        "{shown}"
    );
}
