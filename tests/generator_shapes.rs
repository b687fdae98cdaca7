//! The benchmark generator's shapes (`examples/generate.rs --shape`, issue 16
//! item 4) make what they say: many signatories, long shared title phrases,
//! short titles, families of near-duplicates; every shape is deterministic,
//! the default archive is the one measured since issue 7 to the byte, and
//! an archive of every shape loads with `communique check` clean.

#[path = "../examples/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use generate::{FAMILY_SIZE, Format, Record, Shape, record, record_shaped, write_shaped};

const SEED: u64 = 7;

/// Records `1..=count` of `shape`.
fn records(shape: Shape, count: usize) -> Vec<Record> {
    (1..=count).map(|n| record_shaped(SEED, n, shape)).collect()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// FNV-1a, 64 bits: a fingerprint that never changes between builds.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_default_shape_writes_the_archive_measured_since_issue_7() {
    // The JSON Lines and search lines of the first 1,000 default records,
    // as the generator wrote them before shapes existed (the same bytes as
    // that build's `--count 1000 --lines`, checked with sha256 then).
    let mut jsonl = Vec::new();
    let mut lines = String::new();
    for n in 1..=1000 {
        let default = record(SEED, n);
        let shaped = record_shaped(SEED, n, Shape::Default);
        let json = serde_json::to_string(&default).expect("serialise");
        assert_eq!(json, serde_json::to_string(&shaped).expect("serialise"));
        jsonl.extend_from_slice(json.as_bytes());
        jsonl.push(b'\n');
        lines.push_str(&default.search_line());
        lines.push('\n');
    }
    assert_eq!(fingerprint(&jsonl), 0xc6b0_482c_2905_c83e);
    assert_eq!(fingerprint(lines.as_bytes()), 0x6b5e_e1e4_6c41_29f0);
}

#[test]
fn every_shape_is_deterministic_per_seed_and_record() {
    for shape in Shape::ALL {
        for n in [1, 2, 16, 17, 999] {
            let once = serde_json::to_string(&record_shaped(SEED, n, shape)).expect("serialise");
            let again = serde_json::to_string(&record_shaped(SEED, n, shape)).expect("serialise");
            assert_eq!(once, again, "{} record {n}", shape.name());
            let other_seed =
                serde_json::to_string(&record_shaped(SEED + 1, n, shape)).expect("serialise");
            assert_ne!(once, other_seed, "{} record {n}", shape.name());
        }
    }
}

#[test]
fn shapes_are_named_as_the_command_line_takes_them() {
    for shape in Shape::ALL {
        assert_eq!(Shape::parse(shape.name()).expect("a shape"), shape);
    }
    assert_eq!(Shape::default(), Shape::Default);
    assert!(Shape::parse("many").is_err());
}

#[test]
fn many_signatories_signs_every_statement_by_20_to_60() {
    let records = records(Shape::ManySignatories, 2000);
    for record in &records {
        let count = record.signatories.len();
        assert!((20..=60).contains(&count), "{}: {count}", record.id);
        let labels: BTreeSet<String> = record.signatories.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), count, "{}: a signatory twice", record.id);
    }
    let longest = records.iter().map(|r| r.signatories.len()).max();
    assert_eq!(longest, Some(60));
}

#[test]
fn shared_phrases_titles_share_a_long_phrase() {
    let records = records(Shape::SharedPhrases, 2000);
    let mut long = 0;
    for record in &records {
        assert!(
            record.title.contains("Ministers of"),
            "{}: {}",
            record.id,
            record.title
        );
        assert!(record.title.len() <= 200, "{}: {}", record.id, record.title);
        long += usize::from(record.title.len() > 100);
    }
    let joint = records
        .iter()
        .filter(|r| {
            r.title
                .starts_with("Joint statement by the Foreign Ministers of ")
        })
        .count();
    assert!(joint * 2 > records.len(), "{joint} of {}", records.len());
    assert!(
        long * 2 > records.len(),
        "{long} of {} over 100",
        records.len()
    );
}

#[test]
fn short_titles_are_two_to_five_words() {
    for record in records(Shape::ShortTitles, 2000) {
        let count = words(&record.title).len();
        assert!((2..=5).contains(&count), "{}: {}", record.id, record.title);
    }
}

/// A title without the ", 12 March 2004" a near-duplicate may end with.
fn undated(title: &str) -> &str {
    let Some((before, after)) = title.rsplit_once(", ") else {
        return title;
    };
    let date = words(after);
    let is_date = date.len() == 3
        && date[0].parse::<u8>().is_ok()
        && date[2].len() == 4
        && date[2].parse::<u16>().is_ok();
    if is_date { before } else { title }
}

#[test]
fn near_duplicates_differ_by_a_word_or_a_date_within_a_family() {
    let records = records(Shape::NearDuplicates, FAMILY_SIZE * 40);
    let mut same_words = 0;
    let mut pairs = 0;
    for family in records.chunks(FAMILY_SIZE) {
        for (at, one) in family.iter().enumerate() {
            for other in &family[at + 1..] {
                pairs += 1;
                let (a, b) = (words(undated(&one.title)), words(undated(&other.title)));
                assert_eq!(a.len(), b.len(), "{} / {}", one.title, other.title);
                // Each differs from the family's title by at most one word.
                let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
                assert!(differing <= 2, "{} / {}", one.title, other.title);
                same_words += usize::from(differing == 0);
                // And by at most one signatory dropped, added or replaced.
                let labels = |r: &Record| -> BTreeSet<String> {
                    r.signatories.iter().map(|s| s.label()).collect()
                };
                let (x, y) = (labels(one), labels(other));
                assert!(
                    x.symmetric_difference(&y).count() <= 4,
                    "{} / {}",
                    one.id,
                    other.id
                );
                assert_eq!(one.kind, other.kind);
            }
        }
    }
    // Many pairs are the same words, told apart only by a date or nothing.
    assert!(same_words * 10 > pairs, "{same_words} of {pairs}");
    // Families are not all alike.
    let titles: BTreeSet<&str> = records
        .chunks(FAMILY_SIZE)
        .map(|family| undated(&family[0].title))
        .collect();
    assert!(titles.len() > 20, "{} distinct families", titles.len());
}

/// `communique --archive <archive> check`, run as the built binary.
fn check(archive: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args([
            OsArg::from("--archive"),
            archive.as_os_str().to_owned(),
            OsArg::from("check"),
        ])
        .env_remove("COMMUNIQUE_ARCHIVE")
        .stdin(Stdio::null())
        .output()
        .expect("communique runs")
}

type OsArg = std::ffi::OsString;

#[test]
fn an_archive_of_every_shape_checks_clean() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let count = 300;
    for shape in Shape::ALL {
        let archive = folder.path().join(format!("{}.jsonl", shape.name()));
        let lines = folder.path().join(format!("{}.lines", shape.name()));
        write_shaped(&archive, Format::Jsonl, shape, count, SEED, Some(&lines)).expect("generate");
        let output = check(&archive);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {stdout}{}",
            shape.name(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            stdout.lines().collect::<Vec<_>>(),
            [format!("{count} statements, 0 problems")],
            "{}",
            shape.name()
        );
        let searched = std::fs::read_to_string(&lines).expect("the lines file");
        assert_eq!(searched.lines().count(), count, "{}", shape.name());
        let first = record_shaped(SEED, 1, shape);
        assert_eq!(searched.lines().next(), Some(first.search_line().as_str()));
    }
}
