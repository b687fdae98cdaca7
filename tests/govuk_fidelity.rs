//! GOV.UK items shown as GOV.UK shows them (issue 15, items 2, 3, 4 and 7),
//! each checked on a real item in `tests/fixtures/govuk-fidelity/` or
//! `tests/fixtures/govuk/` (see the PROVENANCE.md and README beside them)
//! through the built binary's outputs: `list`, `show` and `show --json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
