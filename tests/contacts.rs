//! The media-contacts directory against the real GOV.UK items in
//! `tests/fixtures/govuk/` and the seed statement in `archive/`: extraction
//! field by field, merging, search, and `communique contacts` as a built
//! binary (text, JSON, and vCard checked with a vCard parser).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use communique::contacts::{
    Address, ContactEntry, Directory, PhoneKind, SourceKind, from_statement,
};
use communique::formats::govuk::{Conversion, convert, read_item};
use communique::loader::{Archive, LoadOptions, Severity, load};
use communique::records::Statement;
use communique::search::contacts::search_contacts;
use serde_json::Value;

const SEED_ID: &str = "dprk-russia-ballistic-missile-transfers-2024-01-12";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn fixture_text(name: &str) -> String {
    fs::read_to_string(repo("tests/fixtures/govuk").join(name)).expect("fixture")
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).expect("JSON")
}

fn statement(name: &str) -> Statement {
    match convert(&fixture_text(name)).expect("converts") {
        Conversion::Statement(statement) => *statement,
        Conversion::Skipped { schema_name, .. } => panic!("{name} skipped as {schema_name}"),
    }
}

/// The contacts a non-statement GOV.UK item holds, as the loader reads them.
fn item_contacts(name: &str) -> Vec<ContactEntry> {
    let json = fixture_json(name);
    let schema = json["schema_name"].as_str().expect("schema_name");
    read_item(schema, json["document_type"].as_str(), &fixture_text(name))
        .expect("a schema with contacts")
        .expect("reads")
}

fn load_ok(path: &Path) -> Archive {
    load(path, LoadOptions::default()).expect("loads")
}

fn day(text: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date"))
}

/// (number, labels, kind) of every phone.
fn phones(entry: &ContactEntry) -> Vec<(&str, Vec<&str>, PhoneKind)> {
    entry
        .phones
        .iter()
        .map(|p| {
            (
                p.number.as_str(),
                p.labels.iter().map(String::as_str).collect(),
                p.kind,
            )
        })
        .collect()
}

/// (address, labels) of every email.
fn emails(entry: &ContactEntry) -> Vec<(&str, Vec<&str>)> {
    entry
        .emails
        .iter()
        .map(|e| {
            (
                e.address.as_str(),
                e.labels.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

/// GOV.UK's text with its white space trimmed and runs collapsed, as the
/// directory keeps every field.
fn collapsed(value: &Value) -> Option<String> {
    let text = value
        .as_str()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

// ------------------------------------------------- statements' body contacts

#[test]
fn press_release_phe_press_office() {
    let release = statement("news_article__news_article_press_release.json");
    let entries = from_statement(&release);
    assert_eq!(entries.len(), 1);
    let phe = &entries[0];
    assert_eq!(phe.names, ["PHE press office"]);
    assert_eq!(phe.organisations, ["Public Health England"]);
    assert!(phe.emails.is_empty());
    assert_eq!(
        phones(phe),
        [
            ("020 7654 8000", vec!["Main switchboard"], PhoneKind::Voice),
            ("020 8200 4400", vec!["Out of hours"], PhoneKind::Voice),
        ]
    );
    assert_eq!(phe.primary_phone(), Some("020 7654 8000"));
    assert_eq!(
        phe.out_of_hours_phone().map(|p| p.number.as_str()),
        Some("020 8200 4400")
    );
    assert!(phe.notes.is_empty() && phe.addresses.is_empty());
    assert!(phe.media);
    assert_eq!(phe.statements, ["4ae92ddf-5ba6-4ec4-a7d5-7648ea4c9ffd"]);
    assert_eq!(phe.last_seen, day("2016-12-28"));
    assert_eq!(phe.sources.len(), 1);
    assert_eq!(phe.sources[0].kind, SourceKind::Statement);
    assert_eq!(
        phe.sources[0].title,
        "Modern life responsible for ‘worrying’ health in middle aged"
    );
    assert_eq!(
        phe.as_text(),
        "PHE press office\nPublic Health England\n\
         Main switchboard: 020 7654 8000\nOut of hours: 020 8200 4400"
    );
}

#[test]
fn news_story_roads_media_enquiries() {
    let story = statement("news_article__best-practice-news-story.json");
    let entries = from_statement(&story);
    assert_eq!(entries.len(), 1);
    let roads = &entries[0];
    assert_eq!(roads.names, ["Roads media enquiries"]);
    assert_eq!(roads.organisations, ["Department for Transport"]);
    assert_eq!(
        phones(roads),
        [
            ("020 7944 3021", vec!["Press enquiries"], PhoneKind::Voice),
            ("020 7944 4292", vec!["Out of hours"], PhoneKind::Voice),
            ("0300 330 3000", vec!["Switchboard"], PhoneKind::Voice),
        ]
    );
    assert!(roads.emails.is_empty() && roads.notes.is_empty());
    assert_eq!(roads.last_seen, day("2014-03-27"));
}

#[test]
fn event_contact_keeps_address_alternative_number_and_comment() {
    let event = statement("news_article__best-practice-event.json");
    let entries = from_statement(&event);
    assert_eq!(entries.len(), 1);
    let cde = &entries[0];
    assert_eq!(cde.names, ["Centre for Defence Enterprise"]);
    assert_eq!(emails(cde), [("cde@dstl.gov.uk", vec!["Email"])]);
    assert_eq!(
        phones(cde),
        [
            ("+44 (0)30 67704236", vec!["Telephone"], PhoneKind::Voice),
            (
                "+44 (0)30 67704237",
                vec!["Alternative number"],
                PhoneKind::Voice
            ),
        ]
    );
    assert_eq!(
        cde.addresses,
        [Address {
            street: Some(
                "Building R103, Fermi Avenue, Harwell Oxford, Oxfordshire, OX11 0QX".into()
            ),
            ..Address::default()
        }]
    );
    assert_eq!(cde.notes, ["Please email for the quickest response."]);
}

// ------------------------------------------------------ GOV.UK contact items

/// Every email, phone (with its fax), post address, the title, description
/// and organisation of a contact item, compared with the JSON itself.
fn check_contact_item_against_json(name: &str) -> ContactEntry {
    let json = fixture_json(name);
    let entries = item_contacts(name);
    assert_eq!(entries.len(), 1, "{name}");
    let entry = entries.into_iter().next().expect("one");
    let details = &json["details"];

    assert_eq!(entry.names, [collapsed(&json["title"]).expect("title")]);
    assert_eq!(entry.organisations, ["HM Revenue & Customs"]);
    assert_eq!(
        entry.notes.first(),
        collapsed(&json["description"]).as_ref()
    );

    let expected_emails: Vec<(String, Vec<String>)> = details["email_addresses"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| {
            let address = e["email"].as_str().expect("email").trim().to_owned();
            (address, collapsed(&e["title"]).into_iter().collect())
        })
        .collect();
    let got_emails: Vec<(String, Vec<String>)> = entry
        .emails
        .iter()
        .map(|e| (e.address.clone(), e.labels.clone()))
        .collect();
    assert_eq!(got_emails, expected_emails, "{name}");

    let mut expected_phones = Vec::new();
    for phone in details["phone_numbers"].as_array().expect("phones") {
        let title: Vec<String> = collapsed(&phone["title"]).into_iter().collect();
        expected_phones.push((
            collapsed(&phone["number"]).expect("number"),
            title.clone(),
            PhoneKind::Voice,
        ));
        if let Some(fax) = collapsed(&phone["fax"]) {
            expected_phones.push((fax, title, PhoneKind::Fax));
        }
    }
    let got_phones: Vec<(String, Vec<String>, PhoneKind)> = entry
        .phones
        .iter()
        .map(|p| (p.number.clone(), p.labels.clone(), p.kind))
        .collect();
    assert_eq!(got_phones, expected_phones, "{name}");

    let expected_addresses: Vec<Address> = details["post_addresses"]
        .as_array()
        .expect("addresses")
        .iter()
        .map(|a| Address {
            label: collapsed(&a["title"]),
            street: collapsed(&a["street_address"]),
            locality: collapsed(&a["locality"]),
            region: collapsed(&a["region"]),
            postal_code: collapsed(&a["postal_code"]),
            country: collapsed(&a["world_location"]),
            description: None,
        })
        .collect();
    let got_addresses: Vec<Address> = entry
        .addresses
        .iter()
        .cloned()
        .map(|a| Address {
            description: None,
            ..a
        })
        .collect();
    assert_eq!(got_addresses, expected_addresses, "{name}");

    assert_eq!(entry.sources.len(), 1);
    assert_eq!(entry.sources[0].kind, SourceKind::GovukContact);
    assert_eq!(
        entry.sources[0].id,
        json["content_id"].as_str().expect("content_id")
    );
    assert!(entry.statements.is_empty());
    entry
}

#[test]
fn contact_item_customs_hotline() {
    let entry = check_contact_item_against_json("contact__contact.json");
    // The same, written out, as GOV.UK has it.
    assert_eq!(entry.names, ["Customs, Excise and VAT fraud reporting"]);
    assert_eq!(
        emails(&entry),
        [("customs.hotline@hmrc.gsi.gov.uk", vec!["Customs Hotline"])]
    );
    assert_eq!(
        phones(&entry),
        [
            ("0800 595 000", vec!["Customs Hotline"], PhoneKind::Voice),
            ("0800 528 0506", vec!["Customs Hotline"], PhoneKind::Fax),
            (
                "+800 555 95000",
                vec!["Belgium, Denmark, France, Germany, Republic of Ireland, Netherlands"],
                PhoneKind::Voice
            ),
            ("900 988 922", vec!["Mainland Spain"], PhoneKind::Voice),
            (
                "+44 208 929 0153",
                vec!["Any other country"],
                PhoneKind::Voice
            ),
        ]
    );
    let hotline = &entry.phones[0];
    assert_eq!(
        hotline.hours.as_deref(),
        Some("24 hours a day, 7 days a week")
    );
    assert_eq!(
        hotline.description.as_deref(),
        Some(
            "Call or fax HMRC to report suspicious activity in relation to smuggling, customs, \
             excise and VAT fraud. This number does not deal with questions about taxes, duty, \
             benefits or tax credits."
        )
    );
    assert_eq!(hotline.label(), "Customs Hotline");
    assert_eq!(entry.phones[1].label(), "Customs Hotline (fax)");
    assert_eq!(
        entry.addresses,
        [Address {
            label: Some("HM Revenue and Customs - Customs, Excise and VAT fraud reporting".into()),
            street: Some("Freepost NAT22785".into()),
            locality: None,
            region: Some("CARDIFF".into()),
            postal_code: Some("CF14 5GX".into()),
            country: Some("United Kingdom".into()),
            description: Some(
                "Write to this address to report suspicious activity in relation to smuggling, \
                 customs, excise and VAT fraud."
                    .into()
            ),
        }]
    );
    assert!(entry.notes.contains(
        &"Customs Hotline online form: https://online.hmrc.gov.uk/shortforms/form/CusConf_InformB?\
          dept-name=Customs&sub-dept-name=Hotline&location=48&origin=http://www.hmrc.gov.uk"
            .to_owned()
    ));
    assert!(entry.notes.contains(
        &"If HMRC needs to contact you about anything confidential they’ll reply by phone or post."
            .to_owned()
    ));
    assert!(!entry.media);
    // No first_published_at: public_updated_at dates it.
    assert_eq!(entry.last_seen, day("2015-09-30"));
}

#[test]
fn contact_item_creative_industry_tax_reliefs() {
    let entry =
        check_contact_item_against_json("contact__contact_with_email_and_no_other_contacts.json");
    assert_eq!(
        emails(&entry),
        [
            (
                "creative.industries@hmrc.gsi.gov.uk",
                vec!["Manchester Incentives and Reliefs Team"]
            ),
            (
                "kerry.pope@hmrc.gsi.gov.uk",
                vec![
                    "Contact Kerry Pope if you have any general or policy queries about the \
                     current rules or earlier reliefs for film production."
                ]
            ),
            (
                "Des.ryan@hmrc.gsi.gov.uk",
                vec!["Or alternatively contact Des Ryan."]
            ),
        ]
    );
    assert_eq!(
        entry.emails[0].description.as_deref(),
        Some("Contact the Creative Industry Unit with your questions about claiming the reliefs.")
    );
    assert_eq!(
        phones(&entry),
        [(
            "03000 510 191",
            vec!["Creative Industry Tax Reliefs"],
            PhoneKind::Voice
        )]
    );
    assert_eq!(
        entry.phones[0].hours.as_deref(),
        Some("8am to 4pm, Monday to Friday; Closed weekends")
    );
    let streets: Vec<(Option<&str>, Option<&str>, Option<&str>)> = entry
        .addresses
        .iter()
        .map(|a| {
            (
                a.street.as_deref(),
                a.locality.as_deref(),
                a.postal_code.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        streets,
        [
            (
                Some("Manchester Incentives and Reliefs Team S0717"),
                None,
                Some("NE98 1ZZ")
            ),
            (
                Some("Room 3-63"),
                Some("100 Parliament Street"),
                Some("SW1A 2BQ")
            ),
        ]
    );
    // first_published_at (2016) is newer than public_updated_at (2015).
    assert_eq!(entry.last_seen, day("2016-02-29"));
}

// ---------------------------------------------------- organisation contacts

#[test]
fn attorney_generals_ordered_contacts() {
    let json = fixture_json("organisation__attorney_general.json");
    let entries = item_contacts("organisation__attorney_general.json");
    let ordered = json["links"]["ordered_contacts"]
        .as_array()
        .expect("ordered");
    assert_eq!(entries.len(), ordered.len());
    for (entry, contact) in entries.iter().zip(ordered) {
        assert_eq!(
            entry.names,
            [contact["title"].as_str().expect("title")],
            "titles in order"
        );
        assert_eq!(entry.organisations, ["Attorney General's Office"]);
        assert_eq!(entry.sources[0].kind, SourceKind::GovukOrganisation);
        assert_eq!(
            entry.sources[0].id,
            contact["content_id"].as_str().expect("id")
        );
        let date = contact["public_updated_at"].as_str().expect("date");
        assert_eq!(entry.last_seen, day(&date[..10]));
        let expected: Vec<String> = contact["details"]["email_addresses"]
            .as_array()
            .expect("emails")
            .iter()
            .map(|e| e["email"].as_str().expect("email").trim().to_owned())
            .collect();
        let got: Vec<String> = entry.emails.iter().map(|e| e.address.clone()).collect();
        assert_eq!(got, expected);
        // Only the one titled "Media enquiries" is a media contact.
        assert_eq!(entry.media, entry.names[0] == "Media enquiries");
    }

    let media = &entries[1];
    assert_eq!(media.names, ["Media enquiries"]);
    assert_eq!(
        emails(media),
        [("press.office@attorneygeneral.gov.uk", vec![])]
    );
    assert_eq!(
        phones(media),
        [
            (
                "020 7271 2465 / 2440 / 2516",
                vec!["Media enquiries"],
                PhoneKind::Voice
            ),
            ("07548 212 146", vec!["Out of hours"], PhoneKind::Voice),
        ]
    );
    assert_eq!(
        media.notes,
        [
            "If you have an urgent media enquiry out of office hours, please contact the duty \
          press officer. Please note this number does not accept text messages."
        ]
    );

    // GOV.UK put this number in the title and a sentence in the number field.
    let correspondence = &entries[0];
    assert_eq!(
        phones(correspondence),
        [("020 7271 2492", vec!["Telephone"], PhoneKind::Voice)]
    );
    assert_eq!(
        correspondence.phones[0].description.as_deref(),
        Some("We are not able to provide legal advice to members of the public or businesses.")
    );
    assert_eq!(
        correspondence.addresses,
        [Address {
            label: Some("Attorney General’s Office".into()),
            street: Some("102 Petty France".into()),
            locality: Some("London".into()),
            postal_code: Some("SW1H 9EA".into()),
            country: Some("United Kingdom".into()),
            ..Address::default()
        }]
    );
    assert_eq!(correspondence.notes.len(), 3, "one note a paragraph");
    assert_eq!(
        entries[4].emails[0].address,
        "Contempt.SharedMailbox@attorneygeneral.gov.uk"
    );
}

#[test]
fn media_enquiries_page() {
    let entries = item_contacts("corporate_information_page__best-practice-media-enquiries.json");
    assert_eq!(entries.len(), 1);
    let dvsa = &entries[0];
    assert_eq!(dvsa.names, ["DVSA press office"]);
    assert_eq!(dvsa.organisations, ["Driver and Vehicle Standards Agency"]);
    assert_eq!(emails(dvsa), [("pressoffice@dvsa.gov.uk", vec!["Email"])]);
    // "0115 936 6135 or 0117 954 3208", and the first again out of hours.
    assert_eq!(
        phones(dvsa),
        [
            (
                "0115 936 6135",
                vec!["Telephone", "Telephone out of hours"],
                PhoneKind::Voice
            ),
            ("0117 954 3208", vec!["Telephone"], PhoneKind::Voice),
        ]
    );
    assert_eq!(
        dvsa.notes,
        [
            "Only contact the press office if you're a journalist. The press office can't help \
          with general customer support enquiries."
        ]
    );
    assert!(dvsa.media);
    assert_eq!(dvsa.sources[0].kind, SourceKind::GovukMediaEnquiries);
    assert_eq!(
        dvsa.sources[0].url.as_deref(),
        Some(
            "https://www.gov.uk/government/organisations/driver-and-vehicle-standards-agency/about/media-enquiries"
        )
    );
    assert_eq!(dvsa.last_seen, day("2014-03-28"));
}

// ------------------------------------------------------------------ loading

#[test]
fn govuk_fixtures_load_contacts_instead_of_skipping() {
    let archive = load_ok(&repo("tests/fixtures/govuk"));
    assert_eq!(archive.statements.len(), 15);
    assert!(
        archive
            .problems
            .iter()
            .all(|p| p.severity != Severity::Notice),
        "{:#?}",
        archive.problems
    );
    // 2 contact items, 6 ordered contacts, 1 media enquiries block.
    assert_eq!(archive.contacts.len(), 9);
}

#[test]
fn a_contact_item_of_the_wrong_shape_is_a_located_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.json");
    fs::write(
        &path,
        "{\"schema_name\": \"contact\",\n \"details\": {\"email_addresses\": 3}}",
    )
    .expect("write");
    let archive = load_ok(&path);
    assert!(archive.contacts.is_empty());
    assert_eq!(archive.problems.len(), 1);
    let problem = &archive.problems[0];
    assert_eq!(problem.severity, Severity::Error);
    assert_eq!(problem.line, 2);
}

// ---------------------------------------------------------------- the seed

fn seed_directory() -> Directory {
    Directory::from_archive(&load_ok(&repo("archive")))
}

#[test]
fn seed_fcdo_newsdesk() {
    let directory = seed_directory();
    let fcdo: Vec<&ContactEntry> = directory
        .entries
        .iter()
        .filter(|e| e.primary_email() == Some("newsdesk@fcdo.gov.uk"))
        .collect();
    assert_eq!(fcdo.len(), 1);
    let fcdo = fcdo[0];
    assert_eq!(fcdo.names, ["Media enquiries"]);
    assert_eq!(
        fcdo.organisations,
        [
            "FCDO Communication Team",
            "Foreign, Commonwealth & Development Office"
        ]
    );
    assert_eq!(emails(fcdo), [("newsdesk@fcdo.gov.uk", vec![])]);
    assert_eq!(phones(fcdo), [("020 7008 3100", vec![], PhoneKind::Voice)]);
    assert_eq!(fcdo.primary_phone(), Some("020 7008 3100"));
    assert_eq!(fcdo.notes.len(), 1);
    assert!(fcdo.notes[0].contains("monitored 24 hours a day"));
    assert_eq!(fcdo.statements, [SEED_ID]);
    assert_eq!(fcdo.last_seen, day("2024-01-12"));
    let today = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    assert!(!fcdo.is_stale(today));
    assert!(fcdo.is_stale(NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")));
    let at = directory
        .entries
        .iter()
        .position(|e| std::ptr::eq(e, fcdo))
        .expect("in directory");
    assert_eq!(directory.for_statement(SEED_ID), [at]);
}

// ------------------------------------------------------------------ merging

fn native(id: &str, date: &str, contacts: Value) -> Statement {
    serde_json::from_value(serde_json::json!({
        "id": id, "title": format!("Statement {id}"), "published": date,
        "organisations": ["Foreign, Commonwealth & Development Office"],
        "media_contacts": contacts,
    }))
    .expect("statement")
}

#[test]
fn same_email_with_different_labels_is_one_entry() {
    let statements = [
        native(
            "a",
            "2023-05-01",
            serde_json::json!([{"name": "Media enquiries",
                "notes": "Newsdesk: newsdesk@fcdo.gov.uk"}]),
        ),
        native(
            "b",
            "2024-01-12",
            serde_json::json!([{"name": "FCDO press office",
                "notes": "Press office: NEWSDESK@fcdo.gov.uk"}]),
        ),
    ];
    let directory = Directory::build(&statements, &[]);
    assert_eq!(directory.len(), 1);
    let entry = &directory.entries[0];
    assert_eq!(entry.names, ["Media enquiries", "FCDO press office"]);
    assert_eq!(
        emails(entry),
        [("newsdesk@fcdo.gov.uk", vec!["Newsdesk", "Press office"])]
    );
    assert_eq!(entry.statements, ["a", "b"]);
    assert_eq!(entry.last_seen, day("2024-01-12"));
    assert_eq!(entry.sources.len(), 2);
}

#[test]
fn same_number_written_two_ways_is_one_entry() {
    let statements = [
        native(
            "a",
            "2024-01-12",
            serde_json::json!([{"name": "Media enquiries", "phone": "020 7008 3100"}]),
        ),
        native(
            "b",
            "2022-02-02",
            serde_json::json!([{"name": "Newsdesk",
                "notes": "Out of hours: +44 20 7008 3100"}]),
        ),
        native(
            "c",
            "2022-02-02",
            serde_json::json!([{"name": "Someone else", "phone": "020 7008 3101"}]),
        ),
    ];
    let directory = Directory::build(&statements, &[]);
    assert_eq!(directory.len(), 2);
    let merged = directory
        .entries
        .iter()
        .find(|e| e.statements.len() == 2)
        .expect("merged entry");
    assert_eq!(
        phones(merged),
        [("020 7008 3100", vec!["Out of hours"], PhoneKind::Voice)]
    );
    assert_eq!(merged.statements, ["a", "b"]);
}

#[test]
fn directory_merges_across_items_and_sorts_by_organisation() {
    let archive = load_ok(&repo("tests/fixtures/govuk"));
    let directory = Directory::from_archive(&archive);
    // Correspondence and FOI share correspondence@attorneygeneral.gov.uk.
    let correspondence = directory
        .entries
        .iter()
        .find(|e| e.primary_email() == Some("correspondence@attorneygeneral.gov.uk"))
        .expect("merged");
    assert_eq!(
        correspondence.names,
        ["Correspondence address", "Freedom of Information requests"]
    );
    assert_eq!(correspondence.sources.len(), 2);
    assert_eq!(directory.len(), archive.contacts.len() + 3 - 1);
    let organisations: Vec<&str> = directory
        .entries
        .iter()
        .filter_map(ContactEntry::organisation)
        .collect();
    let mut sorted = organisations.clone();
    sorted.sort_by_key(|org| org.to_lowercase());
    assert_eq!(organisations, sorted);
}

// ------------------------------------------------------------------- search

fn everything() -> Directory {
    let mut archive = load_ok(&repo("archive"));
    let fixtures = load_ok(&repo("tests/fixtures/govuk"));
    archive.statements.extend(fixtures.statements);
    archive.contacts.extend(fixtures.contacts);
    Directory::from_archive(&archive)
}

fn first_email(directory: &Directory, query: &str) -> Option<String> {
    let hits = search_contacts(directory, query);
    let (index, _) = hits.first()?;
    directory.entries[*index].primary_email().map(str::to_owned)
}

#[test]
fn search_finds_the_newsdesk() {
    let directory = everything();
    for query in [
        "newsdesk",
        "fcdo",
        "FCDO news",
        "0207008",
        "020 7008",
        "foreign office",
    ] {
        assert_eq!(
            first_email(&directory, query).as_deref(),
            Some("newsdesk@fcdo.gov.uk"),
            "{query}"
        );
    }
    assert_eq!(search_contacts(&directory, "newsdesk").len(), 1);
}

#[test]
fn search_out_of_hours() {
    let directory = everything();
    let hits = search_contacts(&directory, "out of hours");
    let names: Vec<&str> = hits
        .iter()
        .map(|(index, _)| directory.entries[*index].display_name())
        .collect();
    for expected in [
        "PHE press office",
        "Roads media enquiries",
        "DVSA press office",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    let (best, _) = hits[0];
    assert!(directory.entries[best].out_of_hours_phone().is_some());
    // A digit fragment of the out-of-hours line finds it alone.
    let hits = search_contacts(&directory, "82004400");
    assert_eq!(hits.len(), 1);
    assert_eq!(
        directory.entries[hits[0].0].display_name(),
        "PHE press office"
    );
}

#[test]
fn empty_search_is_the_whole_directory_in_order() {
    let directory = everything();
    let hits = search_contacts(&directory, "");
    assert_eq!(hits.len(), directory.len());
    assert!(
        hits.iter()
            .enumerate()
            .all(|(i, &(index, score))| i == index && score == 0)
    );
}

// ---------------------------------------------------------------------- CLI

fn communique(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-state"),
        )
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(args)
        .env_remove("COMMUNIQUE_ARCHIVE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

#[test]
fn cli_finds_the_fcdo_newsdesk() {
    let output = communique(&["--archive", "archive", "contacts", "fcdo"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("Media enquiries\n"), "{text}");
    assert!(text.contains("  Email: newsdesk@fcdo.gov.uk\n"), "{text}");
    assert!(text.contains("  Telephone: 020 7008 3100\n"), "{text}");
    assert!(text.contains("monitored 24 hours a day"), "{text}");
    assert!(
        text.contains("cited by 1 statement, last seen 12 January 2024"),
        "{text}"
    );
}

#[test]
fn cli_no_match_is_exit_1_like_grep() {
    let output = communique(&["--archive", "archive", "contacts", "zzqqxxyy"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no contact matches \"zzqqxxyy\""),
        "{stderr}"
    );
}

#[test]
fn cli_json_parses() {
    let output = communique(&["--archive", "archive", "contacts", "newsdesk", "--json"]);
    assert!(output.status.success(), "{output:?}");
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON array");
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["emails"][0]["address"], "newsdesk@fcdo.gov.uk");
    assert_eq!(entry["phones"][0]["number"], "020 7008 3100");
    assert_eq!(entry["phones"][0]["kind"], "voice");
    assert_eq!(entry["statements"][0], SEED_ID);
    assert_eq!(entry["last_seen"], "2024-01-12");
    assert_eq!(entry["sources"][0]["kind"], "statement");
}

mod vcard {
    use vcard_parser::parse_vcards;
    use vcard_parser::traits::{HasGroup, HasName, HasParameters, HasValue};
    use vcard_parser::vcard::Vcard;
    use vcard_parser::vcard::property::Property;
    use vcard_parser::vcard::value::Value;

    use super::*;

    fn text(value: &Value) -> String {
        match value {
            Value::ValueText(data) => data.value.clone(),
            Value::ValueTextList(data) => data.value.join(";"),
            Value::ValueListComponent(data) => data
                .value
                .iter()
                .map(|part| part.join(","))
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        }
    }

    fn named<'a>(card: &'a [Property], name: &str) -> Vec<&'a Property> {
        card.iter()
            .filter(|p| p.name().eq_ignore_ascii_case(name))
            .collect()
    }

    fn values(card: &[Property], name: &str) -> Vec<String> {
        named(card, name)
            .iter()
            .map(|p| text(p.get_value()))
            .collect()
    }

    fn types(property: &Property) -> Vec<String> {
        property
            .get_parameters()
            .iter()
            .filter(|p| p.name().eq_ignore_ascii_case("TYPE"))
            .map(|p| text(p.get_value()).to_lowercase())
            .collect()
    }

    /// The X-ABLabel in the same group as a property.
    fn label(card: &[Property], property: &Property) -> Option<String> {
        let group = property.group().as_ref()?;
        named(card, "X-ABLabel")
            .into_iter()
            .find(|p| p.group().as_ref() == Some(group))
            .map(|p| text(p.get_value()))
    }

    fn vcard_output(archive: &str, query: &str) -> (String, Vec<Vcard>) {
        let output = communique(&["--archive", archive, "contacts", query, "--vcard"]);
        assert!(output.status.success(), "{output:?}");
        let raw = stdout(&output);
        let cards = parse_vcards(&raw).expect("a valid vCard 4.0 stream");
        (raw, cards)
    }

    /// CRLF line ends, no physical line over 75 octets, no control bytes.
    fn check_lines(raw: &str) {
        assert!(raw.ends_with("END:VCARD\r\n"));
        for line in raw.split_inclusive('\n') {
            assert!(line.ends_with("\r\n"), "{line:?}");
            let body = line.trim_end_matches("\r\n");
            assert!(body.len() <= 75, "{} octets: {body:?}", body.len());
            assert!(!body.chars().any(char::is_control), "{body:?}");
        }
    }

    #[test]
    fn fcdo_newsdesk_as_vcard() {
        let (raw, cards) = vcard_output("archive", "newsdesk");
        check_lines(&raw);
        assert_eq!(cards.len(), 1);
        let card = cards[0].get_properties();
        assert_eq!(values(&card, "FN"), ["Media enquiries"]);
        assert_eq!(
            values(&card, "ORG"),
            [
                "FCDO Communication Team",
                "Foreign, Commonwealth & Development Office"
            ]
        );
        assert_eq!(values(&card, "EMAIL"), ["newsdesk@fcdo.gov.uk"]);
        let tel = named(&card, "TEL");
        assert_eq!(tel.len(), 1);
        assert_eq!(text(tel[0].get_value()), "020 7008 3100");
        assert_eq!(types(tel[0]), ["voice"]);
        // The note is folded in the file and whole once parsed.
        assert!(raw.contains("\r\n "), "the long NOTE line is folded");
        let note = values(&card, "NOTE");
        assert_eq!(note.len(), 1);
        assert!(note[0].contains("(monitored 24 hours a day) in the first instance, and we"));
    }

    #[test]
    fn out_of_hours_numbers_keep_their_label() {
        let (raw, cards) = vcard_output("tests/fixtures/govuk", "phe press");
        check_lines(&raw);
        let card = cards[0].get_properties();
        assert_eq!(values(&card, "FN"), ["PHE press office"]);
        let labelled: Vec<(String, Vec<String>, Option<String>)> = named(&card, "TEL")
            .into_iter()
            .map(|tel| (text(tel.get_value()), types(tel), label(&card, tel)))
            .collect();
        assert_eq!(
            labelled,
            [
                (
                    "020 7654 8000".to_owned(),
                    vec!["voice".to_owned()],
                    Some("Main switchboard".to_owned())
                ),
                (
                    "020 8200 4400".to_owned(),
                    vec!["voice".to_owned()],
                    Some("Out of hours".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn every_fixture_contact_is_a_valid_vcard() {
        let output = communique(&["--archive", "tests/fixtures/govuk", "contacts", "--vcard"]);
        assert!(output.status.success(), "{output:?}");
        let raw = stdout(&output);
        check_lines(&raw);
        let cards = parse_vcards(&raw).expect("valid vCards");
        assert_eq!(cards.len(), 11);
        let customs = cards
            .iter()
            .map(Vcard::get_properties)
            .find(|card| values(card, "FN") == ["Customs, Excise and VAT fraud reporting"])
            .expect("customs card");
        let adr = named(&customs, "ADR");
        assert_eq!(
            text(adr[0].get_value()),
            ";;Freepost NAT22785;;CARDIFF;CF14 5GX;United Kingdom"
        );
        assert_eq!(
            label(&customs, adr[0]).as_deref(),
            Some("HM Revenue and Customs - Customs, Excise and VAT fraud reporting")
        );
        let fax = named(&customs, "TEL")
            .into_iter()
            .find(|tel| types(tel) == ["fax"])
            .expect("fax");
        assert_eq!(text(fax.get_value()), "0800 528 0506");
    }
}

#[test]
fn hostile_contact_text_never_reaches_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hostile.json");
    let record = serde_json::json!({
        "id": "hostile", "title": "T", "published": "2024-01-01",
        "media_contacts": [{
            "name": "Press\u{1b}]52;c;ZXZpbA==\u{7} office\u{202e}",
            "email": "press@example.gov.uk",
            "notes": "Out of hours: 020 7000 0000\nCall\u{9b}2J us\u{1b}[2J"
        }]
    });
    fs::write(&path, record.to_string()).expect("write");
    let archive = path.to_str().expect("UTF-8 path");
    for format in [None, Some("--json"), Some("--vcard")] {
        let mut args = vec!["--archive", archive, "contacts", "press"];
        args.extend(format);
        let output = communique(&args);
        assert!(output.status.success(), "{format:?}: {output:?}");
        let text = stdout(&output);
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r')),
            "{format:?}: {text:?}"
        );
        assert!(!text.contains('\u{202e}'), "{format:?}: {text:?}");
    }
}
