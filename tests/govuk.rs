//! GOV.UK conversion against the real Content API items in
//! `tests/fixtures/govuk/` (see the README there for where they come from).
//! Every expected value below is copied from those files.

use std::fs;
use std::path::{Path, PathBuf};

use communique::formats::govuk::{Conversion, convert};
use communique::records::{MediaContact, Statement};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .expect("fixture directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 file name")
}

fn is_statement_file(name: &str) -> bool {
    name.starts_with("news_article__") || name.starts_with("speech__")
}

fn load(name: &str) -> Statement {
    let text = fs::read_to_string(fixtures_dir().join(name)).expect("fixture");
    match convert(&text).unwrap_or_else(|err| panic!("{name}: {err}")) {
        Conversion::Statement(statement) => *statement,
        Conversion::Skipped { schema_name, .. } => panic!("{name} skipped as {schema_name}"),
    }
}

fn all_statements() -> Vec<(String, Statement)> {
    json_files(&fixtures_dir())
        .iter()
        .map(|path| file_name(path))
        .filter(|name| is_statement_file(name))
        .map(|name| (name.to_owned(), load(name)))
        .collect()
}

/// True when the text still holds something that looks like an HTML tag.
fn has_tag(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).any(|pair| {
        pair[0] == '<' && (pair[1].is_ascii_alphabetic() || pair[1] == '/' || pair[1] == '!')
    })
}

#[test]
fn fifteen_statements_convert_with_their_core_fields() {
    let statements = all_statements();
    assert_eq!(statements.len(), 15);
    let kinds = [
        "press release",
        "news story",
        "government response",
        "world news story",
        "speech",
        "oral statement",
        "written statement",
        "authored article",
    ];
    for (name, statement) in &statements {
        assert!(!statement.id.is_empty(), "{name}: id");
        assert!(!statement.title.is_empty(), "{name}: title");
        assert!(
            !statement.published.as_str().is_empty(),
            "{name}: published"
        );
        let kind = statement.kind.as_deref().unwrap_or_default();
        assert!(kinds.contains(&kind), "{name}: kind {kind:?}");
        assert!(
            statement
                .url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://www.gov.uk/government/")),
            "{name}: url {:?}",
            statement.url
        );
        assert!(statement.body.is_some(), "{name}: body");
        assert!(statement.government.is_some(), "{name}: government");
    }
    // Each of the eight document types occurs in the sample.
    for kind in kinds {
        assert!(
            statements
                .iter()
                .any(|(_, s)| s.kind.as_deref() == Some(kind)),
            "no {kind}"
        );
    }
}

#[test]
fn other_schemas_are_skipped() {
    let mut skipped = Vec::new();
    for path in json_files(&fixtures_dir()) {
        let name = file_name(&path);
        if is_statement_file(name) {
            continue;
        }
        let text = fs::read_to_string(&path).expect("fixture");
        match convert(&text).unwrap_or_else(|err| panic!("{name}: {err}")) {
            Conversion::Skipped {
                schema_name,
                document_type,
            } => skipped.push((name.to_owned(), schema_name, document_type)),
            Conversion::Statement(_) => panic!("{name} converted to a statement"),
        }
    }
    let expected = [
        ("contact__contact.json", "contact", "contact"),
        (
            "contact__contact_with_email_and_no_other_contacts.json",
            "contact",
            "contact",
        ),
        (
            "corporate_information_page__best-practice-media-enquiries.json",
            "corporate_information_page",
            "media_enquiries",
        ),
        (
            "organisation__attorney_general.json",
            "organisation",
            "organisation",
        ),
    ]
    .map(|(name, schema, doc)| (name.to_owned(), schema.to_owned(), Some(doc.to_owned())));
    assert_eq!(skipped, expected);
}

#[test]
fn no_markup_left_in_any_text() {
    for (name, statement) in all_statements() {
        let body = statement.body.as_deref().unwrap_or_default();
        assert!(!has_tag(body), "{name}: tag left in body");
        assert!(
            !body.contains("&amp;") && !body.contains("&nbsp;"),
            "{name}: entity"
        );
        for paragraph in statement.paragraphs() {
            assert_eq!(paragraph, paragraph.trim(), "{name}: untrimmed paragraph");
            assert!(
                !paragraph.contains("  "),
                "{name}: double space in {paragraph:?}"
            );
        }
        for contact in &statement.media_contacts {
            let notes = contact.notes.as_deref().unwrap_or_default();
            assert!(!has_tag(notes), "{name}: tag left in contact notes");
        }
        if let Some(note) = statement.withdrawn.as_ref().and_then(|w| w.note.as_deref()) {
            assert!(!has_tag(note), "{name}: tag left in withdrawal note");
        }
    }
}

#[test]
fn press_release_field_by_field() {
    let s = load("news_article__news_article_press_release.json");
    assert_eq!(s.id, "4ae92ddf-5ba6-4ec4-a7d5-7648ea4c9ffd");
    assert_eq!(
        s.title,
        "Modern life responsible for ‘worrying’ health in middle aged"
    );
    assert_eq!(s.kind.as_deref(), Some("press release"));
    assert_eq!(s.published.as_str(), "2016-12-28T00:00:19.000+00:00");
    assert_eq!(
        s.summary.as_deref(),
        Some(
            "PHE’s One You campaign is helping middle age people live more healthily by \
             asking ‘How are you?’ and providing free support and tools."
        )
    );
    assert_eq!(s.organisations, ["Public Health England"]);
    assert_eq!(
        s.government.as_deref(),
        Some("2015 Conservative government")
    );
    assert_eq!(
        s.url.as_deref(),
        Some(
            "https://www.gov.uk/government/news/modern-life-responsible-for-worrying-health-in-middle-aged"
        )
    );
    assert!(s.withdrawn.is_none());
    assert!(s.updates.is_empty(), "this item has no change_history");
    assert!(s.signatories.is_empty() && s.people.is_empty() && s.locations.is_empty());

    assert_eq!(
        s.media_contacts,
        [MediaContact {
            name: Some("PHE press office".to_owned()),
            organisation: None,
            email: None,
            phone: Some("020 7654 8000".to_owned()),
            notes: Some("Main switchboard: 020 7654 8000\nOut of hours: 020 8200 4400".to_owned()),
        }]
    );

    let paragraphs: Vec<&str> = s.paragraphs().collect();
    assert!(paragraphs[0].starts_with(
        "Eight out of 10 of the middle aged either weigh too much, drink too much or don’t \
         exercise enough, as new analysis from Public Health England (PHE) out today"
    ));
    assert!(
        paragraphs
            .contains(&"Professor Kevin Fenton, Director of Health and Wellbeing at PHE, said:")
    );
    assert!(paragraphs.contains(
        &"> People are busy with work, with families, with the daily grind and sometimes \
          their own health is the least of their priorities."
    ));
    assert!(paragraphs.contains(&"## Background"));
    let background = paragraphs
        .iter()
        .find(|p| p.starts_with("1. "))
        .expect("numbered background list");
    assert_eq!(background.lines().count(), 5);
    assert!(
        background
            .contains("\n2. Download content including images and a short animated film [2].")
    );
    assert!(
        paragraphs
            .last()
            .is_some_and(|p| p.ends_with("Follow us on Twitter @PHE_uk"))
    );
    let body = s.body.as_deref().unwrap_or_default();
    for contact_text in [
        "press office",
        "020 7654 8000",
        "Main switchboard",
        "Out of hours",
    ] {
        assert!(
            !body.contains(contact_text),
            "{contact_text:?} leaked into the body"
        );
    }
}

#[test]
fn news_story_with_roads_media_contact_and_lists() {
    let s = load("news_article__best-practice-news-story.json");
    assert_eq!(s.title, "Public approval for driving limits for 16 drugs");
    assert_eq!(s.kind.as_deref(), Some("news story"));
    assert_eq!(s.published.as_str(), "2014-03-27T09:35:00.000+00:00");
    assert_eq!(s.organisations, ["Department for Transport"]);
    assert_eq!(s.people, ["Robert Goodwill MP"]);
    assert_eq!(s.topics, ["Transport"]);
    assert_eq!(
        s.government.as_deref(),
        Some("2010 to 2015 Conservative and Liberal Democrat coalition government")
    );
    assert_eq!(s.updates.len(), 1);
    assert_eq!(s.updates[0].note, "First published.");

    assert_eq!(s.media_contacts.len(), 1);
    let contact = &s.media_contacts[0];
    assert_eq!(contact.name.as_deref(), Some("Roads media enquiries"));
    assert_eq!(contact.phone.as_deref(), Some("020 7944 3021"));
    assert_eq!(contact.email, None);
    assert_eq!(
        contact.notes.as_deref(),
        Some(
            "Press enquiries: 020 7944 3021\nOut of hours: 020 7944 4292\nSwitchboard: 0300 330 3000"
        )
    );

    let paragraphs: Vec<&str> = s.paragraphs().collect();
    // Headings are marked as headings (issue 15, item 6).
    assert!(paragraphs.contains(&"## Illicit drugs"));
    assert!(paragraphs.contains(&"## Generally prescription drugs"));
    let illicit = paragraphs
        .iter()
        .find(|p| p.starts_with("1. benzoylecgonine"))
        .expect("illicit drugs list");
    assert_eq!(
        illicit.lines().nth(2),
        Some("3. delta–9–tetrahydrocannabinol (cannabis and cannabinol), 2 µg/L")
    );
    assert_eq!(
        illicit.lines().nth(4),
        Some("5. lysergic acid diethylamide (LSD), 1 µg/L")
    );
    assert!(
        paragraphs.contains(&"• Drug driving written ministerial statement [3], 27 March 2014")
    );
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("> The results of the consultation"))
    );
    assert!(
        !s.body
            .as_deref()
            .unwrap_or_default()
            .contains("Roads media enquiries")
    );
}

#[test]
fn event_contact_keeps_address_email_and_both_numbers() {
    let s = load("news_article__best-practice-event.json");
    assert_eq!(s.media_contacts.len(), 1);
    let contact = &s.media_contacts[0];
    assert_eq!(
        contact.name.as_deref(),
        Some("Centre for Defence Enterprise")
    );
    assert_eq!(contact.email.as_deref(), Some("cde@dstl.gov.uk"));
    assert_eq!(contact.phone.as_deref(), Some("+44 (0)30 67704236"));
    let notes: Vec<&str> = contact
        .notes
        .as_deref()
        .unwrap_or_default()
        .lines()
        .collect();
    assert_eq!(
        notes,
        [
            "Address: Building R103, Fermi Avenue, Harwell Oxford, Oxfordshire, OX11 0QX",
            "Email: cde@dstl.gov.uk",
            "Telephone: +44 (0)30 67704236",
            "Alternative number: +44 (0)30 67704237",
            "Please email for the quickest response.",
        ]
    );
    // change_history stays newest first, as GOV.UK gives it.
    let updates: Vec<(&str, &str)> = s
        .updates
        .iter()
        .map(|u| (u.date.as_str(), u.note.as_str()))
        .collect();
    assert_eq!(
        updates,
        [
            (
                "2015-07-13T10:40:13.000+01:00",
                "Presentation slides are now available to view online."
            ),
            ("2015-04-30T11:36:33.000+01:00", "Change of venue"),
            ("2015-03-25T13:23:00.000+00:00", "First published."),
        ]
    );
    let body = s.body.as_deref().unwrap_or_default();
    // Images in the text are their alt text (issue 15, item 6).
    assert!(
        body.contains("[image: Presenter for 'what's inside that building?' CDE competition.]"),
        "{body}"
    );
    assert!(!body.contains("Fermi Avenue"));
    assert!(body.contains("\n\n## About CDE\n\n"));
    assert!(body.contains(
        "• what’s inside that building? [4] (up to £650,000 available). View the presentation slides [5]"
    ));
}

#[test]
fn speech_speaker_becomes_signatory() {
    let s = load("speech__best-practice-oral-statement.json");
    assert_eq!(s.title, "Reform of police stop and search powers");
    assert_eq!(s.kind.as_deref(), Some("oral statement"));
    assert_eq!(s.published.as_str(), "2014-04-30T11:59:35.000+00:00");
    assert_eq!(s.signatories.len(), 1);
    assert_eq!(
        s.signatories[0].name.as_deref(),
        Some("The Rt Hon Theresa May MP")
    );
    assert_eq!(
        s.signatories[0].role.as_deref(),
        Some("Secretary of State for the Home Department"),
        "links.roles is the role spoken in"
    );
    assert_eq!(s.organisations, ["Home Office"]);
    assert_eq!(s.topics, ["Crime and policing"]);
    assert_eq!(
        s.paragraphs().next(),
        Some(
            "With permission, Mr Speaker, I would like to make a statement about the use of stop and search powers by the police."
        )
    );

    let transcript = load("speech__speech-transcript.json");
    assert_eq!(transcript.kind.as_deref(), Some("speech"));
    assert_eq!(
        transcript.signatories[0].name.as_deref(),
        Some("The Rt Hon David Cameron MP")
    );
    assert_eq!(
        transcript.organisations,
        [
            "Prime Minister's Office, 10 Downing Street",
            "Cabinet Office"
        ]
    );
    assert_eq!(transcript.topics, ["Anti-Corruption Summit: London 2016"]);
    assert_eq!(transcript.paragraphs().next(), Some("## Introduction"));

    let written = load("speech__best-practice-written-statement.json");
    assert_eq!(written.kind.as_deref(), Some("written statement"));
    assert_eq!(
        written.signatories[0].name.as_deref(),
        Some("Robert Goodwill MP")
    );
    assert!(written.body.as_deref().unwrap_or_default().contains(
        "• the cycling time trials at Muirhead\n• the triathlon events at Strathclyde Country Park"
    ));
}

#[test]
fn withdrawn_item_has_date_and_note() {
    let s = load("news_article__news_article_withdrawn.json");
    assert_eq!(s.title, "Christmas 2016: Prime Minister's message");
    let withdrawn = s.withdrawn.expect("withdrawn");
    assert_eq!(withdrawn.date.as_str(), "2019-08-22T10:29:02+01:00");
    assert_eq!(
        withdrawn.note.as_deref(),
        Some("We’ve withdrawn this news article")
    );
    // first_published_at wins over the earlier details.first_public_at.
    assert_eq!(s.published.as_str(), "2016-12-25T00:15:06.000+00:00");
    assert_eq!(s.people, ["The Rt Hon Theresa May MP"]);
}

#[test]
fn empty_withdrawn_notice_is_not_a_withdrawal() {
    // These items carry `"withdrawn_notice": {}`.
    for name in [
        "news_article__best-practice-event.json",
        "news_article__news_article_with_image_caption.json",
        "speech__best-practice-oral-statement.json",
    ] {
        assert!(load(name).withdrawn.is_none(), "{name}");
    }
}

#[test]
fn arabic_translation_is_preserved() {
    let s = load("news_article__news_article_history_mode_translated_arabic.json");
    assert_eq!(
        s.title,
        "المملكة المتحدة والولايات المتحدة تفرضان عقوبات على شخصيات بارزة من الحوثيين لحماية أمن الملاحة في البحر الأحمر"
    );
    assert_eq!(s.id, "fe363564-f53b-4d59-afc4-c1a7df98159a:ar");
    assert_eq!(s.language.as_deref(), Some("ar"));
    assert_eq!(s.translations.len(), 1);
    assert_eq!(s.translations[0].id, "fe363564-f53b-4d59-afc4-c1a7df98159a");
    assert_eq!(s.translations[0].language, "en");
    assert_eq!(s.published.as_str(), "2024-01-25T00:00:00+00:00");
    assert_eq!(
        s.government.as_deref(),
        Some("2022 to 2024 Sunak Conservative government")
    );
    assert_eq!(
        s.organisations,
        ["Foreign, Commonwealth & Development Office"]
    );
    assert_eq!(s.people, ["The Rt Hon Lord Cameron"]);
    assert!(
        s.url
            .as_deref()
            .is_some_and(|url| url.ends_with("-in-the-red-sea.ar"))
    );
    assert!(
        s.body
            .as_deref()
            .unwrap_or_default()
            .contains("• محمد العاطفي – وزير الدفاع الحوثي")
    );

    let speech = load("speech__speech-translated.json");
    assert_eq!(
        speech.title,
        "\"هذا القرار بداية لنهاية برنامج الأسلحة الكيميائية في ليبيا\""
    );
    assert_eq!(
        speech.signatories[0].name.as_deref(),
        Some("The Rt Hon Boris Johnson MP")
    );
    assert_eq!(
        speech.locations,
        ["UK Mission to the United Nations, New York"]
    );
}

#[test]
fn world_news_story_uses_worldwide_organisations_and_locations() {
    let s = load("news_article__news_article_with_image_caption.json");
    assert_eq!(s.kind.as_deref(), Some("world news story"));
    assert_eq!(
        s.organisations,
        [
            "British Deputy High Commission Karachi",
            "British High Commission Islamabad"
        ]
    );
    assert_eq!(s.locations, ["Pakistan"]);
    assert_eq!(s.topics, ["International"]);
    assert_eq!(
        s.government.as_deref(),
        Some("2024 Starmer Labour government")
    );
    // The description ends in two spaces in the source.
    assert_eq!(
        s.summary.as_deref(),
        Some(
            "British High Commissioner, Jane Marriott CMG OBE, welcomed guests to celebrate \
             His Majesty King Charles III’s 76th birthday in Islamabad and Karachi."
        )
    );

    let azerbaijan = load("news_article__world_news_story_news_article.json");
    assert_eq!(azerbaijan.locations, ["Azerbaijan"]);
    assert_eq!(
        azerbaijan.organisations,
        ["British High Commission Singapore"]
    );
}

#[test]
fn government_falls_back_to_details_government() {
    // best-practice-event has no links.government, only the deprecated field.
    let s = load("news_article__best-practice-event.json");
    assert_eq!(
        s.government.as_deref(),
        Some("2010 to 2015 Conservative and Liberal Democrat coalition government")
    );
}

#[test]
fn topics_merge_taxons_and_policy_areas() {
    let s = load("news_article__best-practice-government-response.json");
    assert_eq!(
        s.topics,
        [
            "School food, accommodation, transport and uniform",
            "National Health Service",
            "Public health"
        ]
    );
    // Lead first, in the order of details.emphasised_organisations.
    assert_eq!(
        s.organisations,
        [
            "Department of Health and Social Care",
            "Department for Environment, Food & Rural Affairs",
            "Department for Education"
        ]
    );
}

#[test]
fn archive_sample_is_the_fifteen_statements() {
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("archive/govuk");
    let files = json_files(&archive);
    assert_eq!(files.len(), 15);
    for path in files {
        let name = file_name(&path);
        let archived = fs::read(&path).expect("archive file");
        let fixture = fs::read(fixtures_dir().join(name)).expect("same file among the fixtures");
        assert_eq!(archived, fixture, "{name} differs from its fixture");
    }
}

/// The folder of real items that share `content_id`s (see its PROVENANCE).
fn versions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-versions")
}

const CHRISTMAS: &str = "d0ee80cd-ed7a-4b04-b60f-3be2f03693af";
const SPEAKING_NOTE: &str = "5dffd904-7631-11e4-a3cb-005056011aef";

/// What a user checks of the versions folder loaded from `dir`: the later
/// copy of each item shown, the earlier one named as superseded, the Urdu
/// translation its own statement, and no problem counted.
fn assert_versions_resolved(dir: &Path) {
    let archive =
        communique::loader::load(dir, communique::loader::LoadOptions::default()).expect("loads");
    let counted: Vec<String> = archive
        .counted_problems()
        .map(ToString::to_string)
        .collect();
    assert!(counted.is_empty(), "{counted:#?}");
    let ids: Vec<&str> = archive.statements.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "d0ee80cd-ed7a-4b04-b60f-3be2f03693af",
            "d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur",
            SPEAKING_NOTE,
        ],
        "newest first, one statement an item and language"
    );

    // The withdrawn copy is the page as it stands, though its
    // public_updated_at is the same as the copy from before.
    let english = archive.find(CHRISTMAS).expect("English");
    let withdrawn = english.withdrawn.as_ref().expect("shown as withdrawn");
    assert_eq!(withdrawn.date.as_str(), "2019-08-22T10:29:02+01:00");
    assert_eq!(english.language.as_deref(), Some("en"));

    // The June 2012 update wins over the May original.
    let note = archive.find(SPEAKING_NOTE).expect("speaking note");
    assert_eq!(note.updates.len(), 2, "{:?}", note.updates);
    assert_eq!(
        note.updates[0].date.as_str(),
        "2012-06-13T14:33:09.000+01:00"
    );

    // Translations are statements of their own, linked both ways.
    let urdu = archive
        .find("d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur")
        .expect("Urdu");
    assert_eq!(urdu.title, "کرسمس 2016ء : وزیراعظم کا پیغام");
    assert_eq!(urdu.language.as_deref(), Some("ur"));
    assert_eq!(urdu.translations.len(), 1);
    assert_eq!(urdu.translations[0].id, CHRISTMAS);
    assert_eq!(urdu.translations[0].language, "en");
    assert_eq!(
        english
            .translations
            .iter()
            .map(|t| (t.language.as_str(), t.id.as_str()))
            .collect::<Vec<_>>(),
        [("ur", "d0ee80cd-ed7a-4b04-b60f-3be2f03693af:ur")]
    );

    // Each earlier copy is a notice naming where the later one is.
    let superseded: Vec<&communique::loader::Problem> = archive
        .problems
        .iter()
        .filter(|problem| problem.message.contains("superseded"))
        .collect();
    assert_eq!(superseded.len(), 2, "{:#?}", archive.problems);
    for problem in &superseded {
        assert_eq!(problem.severity, communique::loader::Severity::Notice);
        let name = file_name(&problem.path);
        let winner = if name.contains("speaking-notes") {
            assert!(problem.message.contains("2012-05-22"), "{problem}");
            "speech-with-updates"
        } else {
            assert!(name.ends_with("news_article.json"), "{problem}");
            "news_article_withdrawn"
        };
        assert!(problem.message.contains(winner), "{problem}");
        assert!(!problem.message.contains("duplicate"), "{problem}");
    }
}

#[test]
fn the_latest_version_of_an_item_wins_and_translations_are_their_own_statements() {
    assert_versions_resolved(&versions_dir());
}

#[test]
fn which_version_wins_does_not_depend_on_file_names() {
    // The same files under names that sort the other way round, and in one
    // JSON Lines file in each order.
    let files = json_files(&versions_dir());
    for reversed in [false, true] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut ordered = files.clone();
        if reversed {
            ordered.reverse();
        }
        for (at, path) in ordered.iter().enumerate() {
            let name = format!("{:02}-{}", 99 - at, file_name(path));
            fs::copy(path, dir.path().join(name)).expect("copied");
        }
        assert_versions_resolved(dir.path());

        let lines: Vec<String> = ordered
            .iter()
            .map(|path| {
                let value: serde_json::Value =
                    serde_json::from_str(&fs::read_to_string(path).expect("fixture"))
                        .expect("JSON");
                value.to_string()
            })
            .collect();
        let one_file = tempfile::tempdir().expect("a temporary folder");
        fs::write(one_file.path().join("items.jsonl"), lines.join("\n")).expect("written");
        let archive =
            communique::loader::load(one_file.path(), communique::loader::LoadOptions::default())
                .expect("loads");
        assert_eq!(
            archive.counted_problems().count(),
            0,
            "{:#?}",
            archive.problems
        );
        let english = archive.find(CHRISTMAS).expect("English");
        assert!(english.withdrawn.is_some(), "reversed: {reversed}");
        assert_eq!(archive.find(SPEAKING_NOTE).expect("note").updates.len(), 2);
    }
}

/// The folder of real items of the other schemas staff read (see its
/// PROVENANCE).
fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/govuk-schemas")
}

fn schema_item(name: &str) -> Statement {
    let text = fs::read_to_string(schemas_dir().join(name)).expect("fixture");
    match convert(&text).unwrap_or_else(|err| panic!("{name}: {err}")) {
        Conversion::Statement(statement) => *statement,
        Conversion::Skipped { schema_name, .. } => panic!("{name} skipped as {schema_name}"),
    }
}

#[test]
fn publications_fatality_notices_statistics_and_consultations_are_statements() {
    let archive =
        communique::loader::load(&schemas_dir(), communique::loader::LoadOptions::default())
            .expect("loads");
    assert!(archive.problems.is_empty(), "{:#?}", archive.problems);
    let mut kinds: Vec<&str> = archive
        .statements
        .iter()
        .map(|s| s.kind_or_default())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "consultation outcome",
            "fatality notice",
            "foi release",
            "national statistics announcement",
            "official statistics announcement",
            "policy paper",
            "policy paper",
        ]
    );
}

#[test]
fn a_policy_paper_keeps_its_text_and_history() {
    let s = schema_item("publication__best-practice-policy-paper.json");
    assert_eq!(
        s.title,
        "Strategy for dealing with safeguarding issues in charities"
    );
    assert_eq!(s.kind.as_deref(), Some("policy paper"));
    assert_eq!(s.organisations, ["The Charity Commission"]);
    assert_eq!(s.published.as_str(), "2013-05-23T12:52:00.000+00:00");
    assert_eq!(s.updates.len(), 2);
    assert!(
        s.body
            .as_deref()
            .unwrap_or_default()
            .contains("• its regulatory role in ensuring that trustees carry out their duties")
    );
}

#[test]
fn a_publication_lists_its_attachments_with_titles_and_links() {
    let s = schema_item("publication__publication-with-featured-attachments.json");
    assert_eq!(s.kind.as_deref(), Some("foi release"));
    let body = s.body.as_deref().unwrap_or_default();
    assert!(
        body.ends_with(
            "## Documents\n\n• Number of ex-regular service personnel now part of FR20 \
             (PDF, 1.84 MB, 2 pages)\n  https://assets.publishing.service.gov.uk/government/\
             uploads/system/uploads/attachment_data/file/315163/PUBLIC_1392629965.pdf"
        ),
        "{body}"
    );
}

#[test]
fn the_html_part_of_a_publication_is_a_statement_naming_its_publication() {
    // A communiqué published as a policy paper's HTML part.
    let s = schema_item("html_publication__prime_ministers_office.json");
    assert_eq!(s.title, "Canada-United Kingdom Joint Declaration");
    assert_eq!(s.kind.as_deref(), Some("policy paper"));
    assert_eq!(
        s.summary.as_deref(),
        Some(
            "Part of the publication “Canada-United Kingdom Joint Declaration”: \
             https://www.gov.uk/government/publications/canada-united-kingdom-joint-declaration"
        )
    );
    assert!(
        s.organisations
            .contains(&"Prime Minister's Office, 10 Downing Street".to_owned())
    );
    assert!(
        s.body
            .as_deref()
            .unwrap_or_default()
            .starts_with("We, the Prime Ministers of Canada and of the United Kingdom")
    );
}

#[test]
fn a_fatality_notice_keeps_its_roll_call_casualties_and_field_of_operation() {
    let s = schema_item("fatality_notice__fatality_notice.json");
    assert_eq!(s.title, "Sir George Pomeroy Colley killed in Boer War");
    assert_eq!(s.kind.as_deref(), Some("fatality notice"));
    assert_eq!(s.locations, ["Zululand"]);
    assert_eq!(s.published.as_str(), "1881-02-27T15:45:44.000+00:00");
    let body = s.body.as_deref().unwrap_or_default();
    assert!(
        body.contains(
            "## Roll call\n\nSir George Pomeroy Colley, died in battle in Zululand on 27 February 1881."
        ),
        "{body}"
    );
    assert!(
        body.ends_with(
            "## Casualties\n\n• A person has sadly died\n• Another person has sadly died"
        ),
        "{body}"
    );
}

#[test]
fn statistics_announcements_give_their_release_date_and_state() {
    let confirmed =
        schema_item("statistics_announcement__best-practice-statistics-announcement.json");
    assert_eq!(
        confirmed.title,
        "Vehicle licensing statistics: November 2017"
    );
    assert_eq!(
        confirmed.body.as_deref(),
        Some("Release date: 11 January 2018 9:30am (confirmed)")
    );
    let cancelled = schema_item("statistics_announcement__cancelled_official_statistics.json");
    assert_eq!(
        cancelled.kind.as_deref(),
        Some("official statistics announcement")
    );
    assert_eq!(
        cancelled.body.as_deref(),
        Some(
            "Release date: 20 January 2016 9:30am (cancelled)\n\
             Cancelled on 17 January 2016: Official Statistics"
        )
    );
}

#[test]
fn a_consultation_outcome_keeps_its_dates_outcome_and_feedback() {
    let s = schema_item("consultation__consultation_outcome_with_feedback.json");
    assert_eq!(s.kind.as_deref(), Some("consultation outcome"));
    let body = s.body.as_deref().unwrap_or_default();
    for expected in [
        "Opened: 22 April 2016\nClosed: 17 June 2016",
        "## Outcome\n\nWe have decided that:",
        "1. The first award of all new GCSEs will be based primarily on statistical predictions",
        "## Feedback received\n\nThe majority of respondents agreed or strongly agreed",
    ] {
        assert!(body.contains(expected), "{expected:?} not in\n{body}");
    }
    let outcome = body.find("## Outcome").expect("outcome");
    let feedback = body.find("## Feedback received").expect("feedback");
    assert!(outcome < feedback);
}

#[test]
fn a_world_location_news_page_is_skipped_with_its_reason() {
    // No public example of this schema exists in publishing-api; the item
    // below has the fields its schema requires.
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(
        dir.path().join("wln.json"),
        r#"{"schema_name":"world_location_news","document_type":"world_location_news",
            "content_id":"5e9ee5c6-7631-11e4-a3cb-005056011aef","title":"UK and France",
            "public_updated_at":"2024-01-01T00:00:00Z","locale":"en",
            "details":{"mission_statement":"","ordered_featured_links":[]}}"#,
    )
    .expect("written");
    let archive = communique::loader::load(dir.path(), communique::loader::LoadOptions::default())
        .expect("loads");
    assert!(archive.statements.is_empty());
    let messages: Vec<String> = archive.problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains(
            "notice: record #1: GOV.UK item of type world_location_news/world_location_news \
             is not a statement (a world location's news page lists news items, which are \
             items of their own); skipped"
        ),
        "{messages:?}"
    );
}

/// Items whose text was lost (see PROVENANCE in the folder).
fn text_item(name: &str) -> Statement {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/govuk-text")
        .join(name);
    let text = fs::read_to_string(path).expect("fixture");
    match convert(&text).unwrap_or_else(|err| panic!("{name}: {err}")) {
        Conversion::Statement(statement) => *statement,
        Conversion::Skipped { schema_name, .. } => panic!("{name} skipped as {schema_name}"),
    }
}

#[test]
fn fractions_drawn_as_images_read_as_gov_uk_shows_them() {
    let s = text_item("html_publication__fractions_and_unnumbered_headings.json");
    let body = s.body.as_deref().unwrap_or_default();
    assert!(
        body.contains(
            "recognise, find, name and write fractions 1/3 , 1/4 , 2/4 and 3/4 of a length"
        ),
        "{}",
        &body[body.find("write fractions").unwrap_or(0)..][..120]
    );
    assert!(!body.contains("fractions , ,"));
    // Laid out as a list at 78 columns: continued under the item's text.
    let lines = communique::document::layout(&s, 78);
    let at = lines
        .iter()
        .position(|line| {
            line.text
                .starts_with("• recognise, find, name and write fractions")
        })
        .expect("the list item");
    assert_eq!(
        lines[at + 1].text,
        "  length, shape, set of objects or quantity"
    );
}

#[test]
fn headings_are_shown_as_headings_on_screen_and_in_show() {
    let s = text_item("html_publication__fractions_and_unnumbered_headings.json");
    assert!(
        s.body
            .as_deref()
            .unwrap_or_default()
            .starts_with("### Purpose of study\n\n")
    );
    // On screen: a heading line, after a blank one, without the marks.
    let lines = communique::document::layout(&s, 80);
    let at = lines
        .iter()
        .position(|line| line.text == "Purpose of study")
        .expect("the heading shown");
    assert_eq!(lines[at].role, communique::document::Role::Heading);
    assert!(lines[at - 1].text.is_empty());
    assert!(!lines.iter().any(|line| line.text.starts_with("#")));
    // `show`: underlined.
    let text = communique::document::plain_text(&s);
    assert!(
        text.contains("\nPurpose of study\n----------------\n"),
        "{text}"
    );
}

#[test]
fn embedded_attachments_keep_title_and_link_and_hidden_text_stays_hidden() {
    let s = text_item("consultation__consultation_outcome.json");
    let body = s.body.as_deref().unwrap_or_default();
    assert!(
        body.contains(
            "• Employee Share Schemes: NIC elections - consulation response \
             (PDF (Portable Document Format), 258KB, 7 pages)\n  \
             https://www.gov.uk/government/uploads/system/uploads/attachment_data/file/560439/\
             Employee_Share_Schemes-NIC_elections-summary_responses.pdf"
        ),
        "{body}"
    );
    // The request text GOV.UK keeps hidden until asked for.
    assert!(!body.contains("If you use assistive technology"), "{body}");
    assert!(!body.contains("Request an accessible format"), "{body}");
}

#[test]
fn spanning_table_headers_sit_over_their_columns() {
    let s = text_item("html_publication__best-practice-HC-paper.json");
    let body = s.body.as_deref().unwrap_or_default();
    let lines: Vec<&str> = body.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.contains("|      |      | Forecast "))
        .unwrap_or_else(|| panic!("no Forecast row"));
    let years = lines[at + 1];
    assert!(years.contains("| 2015 | 2016 | 2017 |"), "{years}");
    // "Forecast" spans 2017 to 2021: it starts where 2017 does.
    assert_eq!(lines[at].find("Forecast"), years.find("2017"));
    let gdp = lines[at + 2];
    assert!(gdp.starts_with("| GDP "), "{gdp}");
    assert_eq!(gdp.find("| 2.2"), years.find("| 2015"));
    // Explained once.
    assert_eq!(body.matches("(Gross Domestic Product)").count(), 1);
}

#[test]
fn the_lead_image_caption_is_kept() {
    let s = load("news_article__news_article_with_image_caption.json");
    assert!(
        s.body.as_deref().unwrap_or_default().starts_with(
            "[image] British High Commissioner, Jane Marriott CMG OBE with Chief Guest, \
             Ahsan Iqbal at the Islamabad KBP.\n\nIn Islamabad, Ahsan Iqbal"
        ),
        "{:?}",
        s.body
    );
}

#[test]
fn a_media_contact_shows_each_address_and_number_once() {
    let s = load("news_article__best-practice-event.json");
    let contact = &s.media_contacts[0];
    let lines = communique::document::contact_lines(contact);
    assert_eq!(
        lines,
        [
            "Centre for Defence Enterprise",
            "  Address: Building R103, Fermi Avenue, Harwell Oxford, Oxfordshire, OX11 0QX",
            "  Email: cde@dstl.gov.uk",
            "  Telephone: +44 (0)30 67704236",
            "  Alternative number: +44 (0)30 67704237",
            "  Please email for the quickest response.",
        ]
    );
    let shown = communique::document::plain_text(&s);
    assert_eq!(shown.matches("cde@dstl.gov.uk").count(), 1, "{shown}");
    assert_eq!(shown.matches("67704236").count(), 1, "{shown}");
}

#[test]
fn a_later_version_read_after_the_earlier_was_handed_on_asks_for_a_reload() {
    // The browser takes statements batch by batch as they load: when the
    // earlier copy has already gone to the screen, the loader names the id
    // so the browser reloads (and the reload holds the later version).
    let dir = tempfile::tempdir().expect("a temporary folder");
    let source = versions_dir();
    fs::copy(
        source.join("speech__best-practice-speaking-notes.json"),
        dir.path().join("a-may.json"),
    )
    .expect("copied");
    // More files than one batch reads, between the two versions.
    for n in 0..300 {
        fs::write(
            dir.path().join(format!("m{n:03}.json")),
            format!(r#"{{"id":"filler-{n}","title":"Filler {n}","published":"2020-01-01"}}"#),
        )
        .expect("written");
    }
    fs::copy(
        source.join("speech__speech-with-updates.json"),
        dir.path().join("z-june.json"),
    )
    .expect("copied");
    let mut taken: Vec<Statement> = Vec::new();
    let archive = communique::loader::load_with(
        dir.path(),
        communique::loader::LoadOptions::default(),
        &mut |statements, _| taken.append(statements),
    )
    .expect("loads");
    assert_eq!(archive.withdrawn, [SPEAKING_NOTE]);
    let may = taken
        .iter()
        .find(|s| s.id == SPEAKING_NOTE)
        .expect("the May copy went on first");
    assert_eq!(may.updates.len(), 1);
    assert_eq!(archive.counted_problems().count(), 0);

    // Loaded whole, as a reload does: the June version.
    let reloaded = communique::loader::load(dir.path(), communique::loader::LoadOptions::default())
        .expect("loads");
    assert_eq!(
        reloaded
            .find(SPEAKING_NOTE)
            .expect("the note")
            .updates
            .len(),
        2
    );
    assert!(reloaded.withdrawn.is_empty(), "{:?}", reloaded.withdrawn);
}

#[test]
fn two_copies_of_one_version_and_a_later_one_load_the_later_in_any_order() {
    let source = versions_dir();
    let may = source.join("speech__best-practice-speaking-notes.json");
    let june = source.join("speech__speech-with-updates.json");
    let copies = [("may-a", &may), ("may-b", &may), ("june", &june)];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (rank, &which) in order.iter().enumerate() {
            let (name, path) = copies[which];
            fs::copy(path, dir.path().join(format!("{rank}-{name}.json"))).expect("copied");
        }
        let archive =
            communique::loader::load(dir.path(), communique::loader::LoadOptions::default())
                .expect("loads");
        let note = archive.find(SPEAKING_NOTE).expect("loaded");
        assert_eq!(note.updates.len(), 2, "the June version, order {order:?}");
        assert_eq!(
            archive.counted_problems().count(),
            0,
            "order {order:?}: {:#?}",
            archive.problems
        );
        let superseded: Vec<String> = archive
            .problems
            .iter()
            .map(|problem| file_name(&problem.path).to_owned())
            .collect();
        assert_eq!(superseded.len(), 2, "order {order:?}: {superseded:?}");
        assert!(superseded.iter().all(|name| name.contains("may")));
        assert!(
            archive
                .problems
                .iter()
                .all(|problem| problem.message.starts_with("superseded")
                    && problem.message.contains("june")),
            "{:#?}",
            archive.problems
        );
    }
    // Two copies of one version alone are duplicates, as for any record.
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::copy(&may, dir.path().join("a.json")).expect("copied");
    fs::copy(&may, dir.path().join("b.json")).expect("copied");
    let archive = communique::loader::load(dir.path(), communique::loader::LoadOptions::default())
        .expect("loads");
    assert!(archive.find(SPEAKING_NOTE).is_none());
    assert_eq!(archive.counted_problems().count(), 2);
}
