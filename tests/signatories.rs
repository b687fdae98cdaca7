//! Signatory pages, timelines' counts, comparisons and CSV from the
//! headless commands (`stats`, `signatory`, `compare`, `list --csv`), run as
//! the built binary on `tests/fixtures/signatories` (the real DPRK–Russia
//! statement and four synthetic ones): every number is the hand count in
//! that folder's PROVENANCE.md.

use std::ffi::OsStr;
use std::fs;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/signatories";
const DPRK: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";
const FOLLOW_UP: &str = "synthetic-dprk-2024-06-20";
const JAPAN: &str = "Minister of Foreign Affairs, Japan";

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
        .env_remove("COMMUNIQUE_RESTRICTED")
        .env("COMMUNIQUE_STATE", "/nonexistent/communique-test/triage.db")
        .stdin(Stdio::null());
    command
}

fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    communique().args(args).output().expect("run communique")
}

fn on_fixture(args: &[&str]) -> Output {
    let mut all = vec!["--archive", FIXTURE];
    all.extend_from_slice(args);
    run(all)
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

fn fm(country: &str) -> String {
    format!("Minister of Foreign Affairs, {country}")
}

#[test]
fn japans_foreign_minister_is_one_page_across_names_and_years() {
    let output = on_fixture(&["signatory", "foreign", "affairs", "japan", "--json"]);
    assert_exit(&output, 0);
    let page = json(&output);
    assert_eq!(page["signatory"], JAPAN);
    assert_eq!(
        strings(&page["names"]),
        ["Hayashi Yoshimasa", "Kamikawa Yoko"]
    );
    let ids: Vec<&str> = page["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "synthetic-trilateral-2024-09-02",
            FOLLOW_UP,
            DPRK,
            "synthetic-g7-2023-11-08",
            "synthetic-g7-2023-04-18"
        ]
    );
    // 18 months, April 2023 to September 2024, one statement in five of them.
    let bins = page["timeline"]["bins"].as_array().expect("bins");
    assert_eq!(page["timeline"]["per"], "month");
    assert_eq!(bins.len(), 18);
    let busy: Vec<&str> = bins
        .iter()
        .filter(|bin| bin["count"] == 1)
        .map(|bin| bin["period"].as_str().expect("period"))
        .collect();
    assert_eq!(
        busy,
        ["2023-04", "2023-11", "2024-01", "2024-06", "2024-09"]
    );
    assert!(
        bins.iter()
            .all(|bin| bin["count"] == 0 || bin["count"] == 1)
    );
    let cosigners = page["cosigners"].as_array().expect("cosigners");
    let together = |label: &str| {
        let found = cosigners
            .iter()
            .find(|c| c["signatory"] == label)
            .unwrap_or_else(|| panic!("{label} among the co-signatories"));
        (
            found["together"].as_u64().expect("count"),
            found["share"].as_f64().expect("share"),
        )
    };
    assert_eq!(
        cosigners[0]["signatory"],
        "Secretary of State, United States of America"
    );
    assert_eq!(
        together("Secretary of State, United States of America"),
        (5, 1.0)
    );
    assert_eq!(together(&fm("United Kingdom")), (4, 0.8));
    assert_eq!(
        together("High Representative of the European Union, European Union"),
        (4, 0.8)
    );
    assert_eq!(together(&fm("Republic of Korea")), (3, 0.6));
    assert_eq!(together(&fm("Andorra")), (1, 0.2));
    assert_eq!(together(&fm("Slovakia")), (1, 0.2));
    assert!(cosigners.iter().all(|c| c["signatory"] != JAPAN));
}

#[test]
fn the_page_as_text_reads_as_the_json_says() {
    // By a holder's name, as a press officer remembers it.
    let output = on_fixture(&["signatory", "hayashi"]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], JAPAN);
    assert_eq!(lines[1], "Names: Hayashi Yoshimasa; Kamikawa Yoko");
    assert!(
        text.contains("Statements signed, newest first (5):"),
        "{text}"
    );
    assert!(
        text.contains("Timeline, per month:\n  2023-04     1  "),
        "{text}"
    );
    assert!(text.contains("\n  2023-05     0  \n"), "{text}");
    assert!(
        text.contains("     5   100%  Secretary of State, United States of America\n"),
        "{text}"
    );
    assert!(text.contains("     3    60%  Minister of Foreign Affairs, Republic of Korea\n"));
}

#[test]
fn a_name_that_matches_several_lists_them_and_one_that_matches_none_says_so() {
    let output = on_fixture(&["signatory", "minister"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("\"minister\" matches 50 signatories"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains(JAPAN));
    let output = on_fixture(&["signatory", "nobody", "here"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("no signatory matches \"nobody here\""));
}

#[test]
fn comparing_two_joint_statements_lists_exactly_who_differs() {
    // Given in either order, the earlier comes first.
    for (a, b) in [(DPRK, FOLLOW_UP), (FOLLOW_UP, DPRK)] {
        let output = on_fixture(&["compare", a, b, "--json"]);
        assert_exit(&output, 0);
        let comparison = json(&output);
        assert_eq!(comparison["earlier"]["id"], DPRK);
        assert_eq!(comparison["later"]["id"], FOLLOW_UP);
        assert_eq!(comparison["earlier"]["signatories"], 51);
        assert_eq!(comparison["both"].as_array().expect("both").len(), 49);
        assert_eq!(
            strings(&comparison["only_earlier"]),
            [fm("Andorra"), fm("Georgia")]
        );
        assert_eq!(strings(&comparison["new"]), [fm("Slovakia")]);
        assert_eq!(
            strings(&comparison["usual_missing"]),
            [fm("Andorra"), fm("Georgia")]
        );
    }
    let output = on_fixture(&["compare", DPRK, FOLLOW_UP]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("Signed both (49):"), "{text}");
    assert!(text.contains(&format!(
        "Only the earlier (2):\n  {}\n  {}\n",
        fm("Andorra"),
        fm("Georgia")
    )));
    assert!(text.contains(&format!("New in the later (1):\n  {}\n", fm("Slovakia"))));
    assert!(text.ends_with(&format!(
        "Usual co-signers missing: {}; {}\n",
        fm("Andorra"),
        fm("Georgia")
    )));
    // The G7 statements: the same eight offices, Japan's minister renamed.
    let output = on_fixture(&[
        "compare",
        "synthetic-g7-2023-04-18",
        "synthetic-g7-2023-11-08",
    ]);
    assert_exit(&output, 0);
    assert!(stdout(&output).contains("Signed both (8):"));
    assert!(stdout(&output).contains("Only the earlier (0):\n\nNew in the later (0):"));
    let output = on_fixture(&["compare", DPRK, "no-such-id"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("no statement with id \"no-such-id\""));
}

#[test]
fn stats_count_by_month_and_year_in_order_and_the_rest_most_first() {
    let output = on_fixture(&["stats", "--by", "year"]);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "2023  2\n2024  3\n");
    let output = on_fixture(&["stats", "--query", "sig:korea", "--by", "month", "--json"]);
    assert_exit(&output, 0);
    let report = json(&output);
    assert_eq!(report["statements"], 3);
    let counts: Vec<(String, u64)> = report["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            (
                c["value"].as_str().expect("value").to_owned(),
                c["count"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(counts.len(), 9, "2024-01 to 2024-09");
    assert_eq!(counts[0], ("2024-01".to_owned(), 1));
    assert_eq!(counts[5], ("2024-06".to_owned(), 1));
    assert_eq!(counts[8], ("2024-09".to_owned(), 1));
    assert_eq!(counts.iter().map(|c| c.1).sum::<u64>(), 3);
    let output = on_fixture(&["stats", "--by", "kind"]);
    assert_eq!(stdout(&output), "joint statement  4\nnews story       1\n");
    let output = on_fixture(&["stats", "--by", "signatory", "--query", "-sig:slovakia"]);
    let rows: Vec<(&str, &str)> = stdout(&output)
        .lines()
        .map(|line| {
            let (value, count) = line.rsplit_once(' ').expect("value and count");
            (value.trim_end(), count)
        })
        .collect();
    assert_eq!(
        rows[..2],
        [
            (JAPAN, "4"),
            ("Secretary of State, United States of America", "4")
        ]
    );
    // Aligned: every count ends in the same column.
    let widths: Vec<usize> = stdout(&output).lines().map(str::len).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{widths:?}");
    let output = on_fixture(&["stats", "--by", "country", "--json"]);
    let report = json(&output);
    assert_eq!(report["counts"][0]["value"], "Japan");
    assert_eq!(report["counts"][0]["count"], 5);
    let output = on_fixture(&["stats", "--by", "week"]);
    assert_exit(&output, 2);
}

/// An archive whose one statement would run formulas and terminal escapes.
fn hostile_archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let record = serde_json::json!({
        "id": "=HYPERLINK(\"http://evil\")",
        "title": "@SUM(1+1)\u{1b}]52;c;AAAA\u{7}\u{202e} evil\nsecond line",
        "published": "2024-02-01",
        "kind": "+press",
        "url": "-http://example.org",
        "signatories": [{"name": "\u{1b}[2JMallory", "country": "=Nowhere"}],
    });
    fs::write(dir.path().join("hostile.json"), record.to_string()).expect("write");
    dir
}

#[test]
fn csv_lists_what_list_lists_with_signatory_counts_and_marks() {
    let output = on_fixture(&["list", "--csv"]);
    assert_exit(&output, 0);
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        ["date", "kind", "title", "id", "signatories", "url", "marks"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][3], "synthetic-trilateral-2024-09-02");
    assert_eq!(&rows[0][4], "3");
    let dprk = rows
        .iter()
        .find(|row| &row[3] == DPRK)
        .expect("the DPRK statement");
    assert_eq!(&dprk[0], "2024-01-12");
    assert_eq!(&dprk[1], "news story");
    assert_eq!(
        &dprk[2],
        "DPRK-Russia ballistic missile transfers: joint statement, 12 January 2024"
    );
    assert_eq!(&dprk[4], "51");
    assert!(dprk[5].starts_with("https://www.gov.uk/government/news/dprk-russia"));
    // No state file: every statement is unread by you.
    assert!(rows.iter().all(|row| &row[6] == "N"));
    let output = on_fixture(&["list", "--csv", "--query", "sig:georgia", "-n", "1"]);
    assert_eq!(stdout(&output).lines().count(), 2);
}

#[test]
fn csv_cells_cannot_run_formulas_or_reach_the_terminal() {
    let dir = hostile_archive();
    let output = run([
        OsStr::new("--archive"),
        dir.path().as_os_str(),
        OsStr::new("list"),
        OsStr::new("--csv"),
    ]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c)),
        "{text:?}"
    );
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let row = reader.records().next().expect("a row").expect("row");
    assert_eq!(&row[1], "'+press");
    assert_eq!(
        &row[2],
        "'@SUM(1+1)\u{241b}]52;c;AAAA\u{2407} evil second line"
    );
    assert_eq!(&row[3], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&row[5], "'-http://example.org");
    // The same signatory through the page and the comparison.
    let output = run([
        OsStr::new("--archive"),
        dir.path().as_os_str(),
        OsStr::new("signatory"),
        OsStr::new("mallory"),
    ]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).starts_with("\u{241b}[2JMallory, =Nowhere\n"),
        "{}",
        stdout(&output)
    );
    // As JSON: escaped, so no raw control reaches the terminal, and the
    // exact text comes back when parsed.
    for args in [
        &["signatory", "mallory", "--json"][..],
        &["stats", "--by", "signatory", "--json"],
    ] {
        let output = communique()
            .args([OsStr::new("--archive"), dir.path().as_os_str()])
            .args(args)
            .output()
            .expect("run");
        assert_exit(&output, 0);
        let text = stdout(&output);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.contains("\\u001b[2JMallory"), "{text}");
        let report = json(&output);
        let label = report
            .get("signatory")
            .unwrap_or(&report["counts"][0]["value"]);
        assert_eq!(label, "\u{1b}[2JMallory, =Nowhere");
    }
    let id = "=HYPERLINK(\"http://evil\")";
    let output = communique()
        .args([OsStr::new("--archive"), dir.path().as_os_str()])
        .args(["compare", id, id])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
    assert!(stdout(&output).contains("Signed both (1):\n  \u{241b}[2JMallory, =Nowhere\n"));
}

#[test]
fn csv_to_a_file_is_refused_in_restricted_mode_and_stdout_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("briefing.csv");
    let output = communique()
        .args([
            OsStr::new("--archive"),
            OsStr::new(FIXTURE),
            OsStr::new("--restricted"),
        ])
        .args([
            OsStr::new("list"),
            OsStr::new("--csv"),
            OsStr::new("-o"),
            target.as_os_str(),
        ])
        .output()
        .expect("run");
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("not allowed in restricted mode"),
        "{}",
        stderr(&output)
    );
    assert!(!target.exists());
    let output = communique()
        .env("COMMUNIQUE_RESTRICTED", "")
        .args(["--archive", FIXTURE, "list", "--csv"])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 6);
    let output = communique()
        .args([OsStr::new("--archive"), OsStr::new(FIXTURE)])
        .args([
            OsStr::new("list"),
            OsStr::new("--csv"),
            OsStr::new("-o"),
            target.as_os_str(),
        ])
        .output()
        .expect("run");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "");
    let written = fs::read_to_string(&target).expect("the file");
    assert!(written.starts_with("date,kind,title,id,signatories,url,marks\n"));
    assert_eq!(written.lines().count(), 6);
    // --output without --csv is a usage error.
    let output = on_fixture(&["list", "-o", "x.csv"]);
    assert_exit(&output, 2);
}

#[test]
fn each_new_command_answers_help_with_examples() {
    for command in ["stats", "signatory", "compare"] {
        for flag in ["--help", "-h"] {
            let output = run([command, flag]);
            assert_exit(&output, 0);
            let text = stdout(&output);
            assert!(text.contains("Examples:"), "{command} {flag}: {text}");
            assert!(text.contains(&format!("communique {command} ")), "{text}");
        }
    }
    let output = run(["list", "--help"]);
    assert!(stdout(&output).contains("--csv > briefing.csv"));
}
