//! The media-contacts directory: every press-office contact in an archive —
//! from statements' `media_contacts` and from GOV.UK contact, organisation and
//! media-enquiries items — merged so that one email address or one phone
//! number is one [`ContactEntry`], with every label, name, organisation and
//! citing statement kept. No terminal code; the browser's contacts view and
//! `communique contacts` both read [`Directory`].

mod merge;
mod numbers;
mod statement;
mod text;
pub mod vcard;

use std::cmp::Ordering;
use std::fmt;

use chrono::{Months, NaiveDate};
use serde::{Serialize, Serializer};

// What a format adapter needs to build contacts of its own (GOV.UK's
// contact items are read in `formats::govuk`).
pub use merge::Builder;
pub use numbers::{email_value, is_phone_value, number_in_title, phone_keys};
pub use statement::{Cited, from_media_contact, from_statement};

use crate::records::Statement;

/// How long after it was last seen a contact counts as stale.
pub const STALE_AFTER_MONTHS: u32 = 24;

/// One contact in the directory: possibly several sources merged because they
/// share an email address or a phone number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactEntry {
    /// Names or titles ("Media enquiries", "PHE press office"), first seen first.
    pub names: Vec<String>,
    /// Organisations: the contact's own first, then the publishers of the
    /// statements that printed it.
    pub organisations: Vec<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub addresses: Vec<Address>,
    /// Free text kept with the contact ("monitored 24 hours a day", …).
    pub notes: Vec<String>,
    /// Whether some source presents it as a press office or media contact
    /// (every statement's `media_contacts`, media enquiries pages, GOV.UK
    /// contacts titled like "Media enquiries" or "Press office").
    pub media: bool,
    /// Ids of the statements that print it, newest first as the archive is
    /// ordered.
    pub statements: Vec<String>,
    /// The newest publication date among its sources.
    #[serde(serialize_with = "iso_date")]
    pub last_seen: Option<NaiveDate>,
    /// Where it was read from, one per statement or GOV.UK item.
    pub sources: Vec<Source>,
}

/// An email address with the labels its sources gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Email {
    pub address: String,
    /// "Email", "Customs Hotline", …; empty when no source labelled it.
    pub labels: Vec<String>,
    pub description: Option<String>,
}

/// A phone number as first written, with every label its sources gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Phone {
    /// As written: "020 7008 3100", "020 7271 2465 / 2440 / 2516".
    pub number: String,
    /// "Main switchboard", "Out of hours", "Telephone", …; empty when no
    /// source labelled it.
    pub labels: Vec<String>,
    pub kind: PhoneKind,
    /// Opening hours, when GOV.UK gives them ("24 hours a day, 7 days a week").
    pub hours: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneKind {
    #[default]
    Voice,
    Fax,
    Textphone,
}

/// A postal address. Addresses from statement bodies arrive on one line and
/// are kept whole in `street`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Address {
    pub label: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
}

/// Where a contact was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    /// The statement id, or the GOV.UK `content_id` of the contact item, the
    /// organisation's ordered contact, or the media enquiries page.
    pub id: String,
    /// The statement's or item's title.
    pub title: String,
    pub url: Option<String>,
    /// The statement's publication date, or the item's newest date.
    #[serde(serialize_with = "iso_date")]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A statement's `media_contacts` (native, or a GOV.UK body contact block).
    Statement,
    /// A GOV.UK `contact` item.
    GovukContact,
    /// One of a GOV.UK `organisation` item's `links.ordered_contacts`.
    GovukOrganisation,
    /// The contact block of a GOV.UK `media_enquiries` page.
    GovukMediaEnquiries,
}

impl fmt::Display for Source {
    /// "statement “Title” (2024-01-12)", "GOV.UK contact “Title” (2015-09-30)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SourceKind::Statement => "statement",
            SourceKind::GovukContact => "GOV.UK contact",
            SourceKind::GovukOrganisation => "GOV.UK organisation",
            SourceKind::GovukMediaEnquiries => "GOV.UK media enquiries page",
        };
        write!(f, "{kind} “{}”", self.title)?;
        if let Some(date) = self.date {
            write!(f, " ({date})")?;
        }
        Ok(())
    }
}

impl Email {
    /// The labels joined with " / ", or "Email".
    #[must_use]
    pub fn label(&self) -> String {
        joined_or(&self.labels, "Email")
    }
}

impl Phone {
    /// The labels joined with " / " ("Telephone" when none), with "(fax)" or
    /// "(textphone)" after them for those kinds.
    #[must_use]
    pub fn label(&self) -> String {
        match self.kind {
            PhoneKind::Voice => joined_or(&self.labels, "Telephone"),
            PhoneKind::Fax if self.labels.is_empty() => "Fax".to_owned(),
            PhoneKind::Textphone if self.labels.is_empty() => "Textphone".to_owned(),
            PhoneKind::Fax => format!("{} (fax)", self.labels.join(" / ")),
            PhoneKind::Textphone => format!("{} (textphone)", self.labels.join(" / ")),
        }
    }

    /// Whether a label says it is the out-of-hours line.
    #[must_use]
    pub fn is_out_of_hours(&self) -> bool {
        self.labels.iter().any(|label| {
            let label = label.to_lowercase();
            label.contains("out of hours") || label.contains("out-of-hours")
        })
    }

    /// The comparison keys of the numbers it holds (see [`phone_keys`]).
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        phone_keys(&self.number)
    }
}

impl Address {
    /// The address on one line, its parts joined by ", ".
    #[must_use]
    pub fn one_line(&self) -> String {
        [
            &self.street,
            &self.locality,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
    }
}

fn joined_or(labels: &[String], default: &str) -> String {
    if labels.is_empty() {
        default.to_owned()
    } else {
        labels.join(" / ")
    }
}

impl ContactEntry {
    /// What to call it in a list: its first name, else its organisation,
    /// else its email address or number.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.names
            .first()
            .or_else(|| self.organisations.first())
            .map(String::as_str)
            .or_else(|| self.primary_email())
            .or_else(|| self.primary_phone())
            .unwrap_or("(unnamed contact)")
    }

    /// The first organisation.
    #[must_use]
    pub fn organisation(&self) -> Option<&str> {
        self.organisations.first().map(String::as_str)
    }

    /// The address to copy first: the first one any source gave.
    #[must_use]
    pub fn primary_email(&self) -> Option<&str> {
        self.emails.first().map(|email| email.address.as_str())
    }

    /// The number to copy first: the first voice number that is not only the
    /// out-of-hours line, else the first voice number.
    #[must_use]
    pub fn primary_phone(&self) -> Option<&str> {
        let voice = || self.phones.iter().filter(|p| p.kind == PhoneKind::Voice);
        voice()
            .find(|phone| !phone.is_out_of_hours())
            .or_else(|| voice().next())
            .map(|phone| phone.number.as_str())
    }

    /// The first out-of-hours number.
    #[must_use]
    pub fn out_of_hours_phone(&self) -> Option<&Phone> {
        self.phones.iter().find(|phone| phone.is_out_of_hours())
    }

    /// Whether it was last seen more than [`STALE_AFTER_MONTHS`] before `today`.
    #[must_use]
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        is_stale(self.last_seen, today)
    }

    /// The whole contact as plain text, one item a line. Not cleaned: the
    /// screen and the clipboard clean [`Self::text_lines`] line by line
    /// (`clean_line`, `clean_copy`), which this joins.
    #[must_use]
    pub fn as_text(&self) -> String {
        self.text_lines().join("\n")
    }

    /// The lines of [`Self::as_text`]: name(s), organisation(s), then every
    /// labelled email, phone and address (descriptions indented under them),
    /// then the notes.
    #[must_use]
    pub fn text_lines(&self) -> Vec<String> {
        text::lines(self)
    }
}

/// Whether a contact last seen on `last_seen` is stale on `today`: more than
/// [`STALE_AFTER_MONTHS`] old, or of unknown age.
#[must_use]
pub fn is_stale(last_seen: Option<NaiveDate>, today: NaiveDate) -> bool {
    let Some(last_seen) = last_seen else {
        return true;
    };
    today
        .checked_sub_months(Months::new(STALE_AFTER_MONTHS))
        .is_some_and(|limit| last_seen < limit)
}

/// Every contact of an archive, merged, sorted by organisation then name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub entries: Vec<ContactEntry>,
}

impl Directory {
    /// Builds the directory from the statements' `media_contacts` and the
    /// contacts read from GOV.UK items (the loader's `Archive::contacts`).
    #[must_use]
    pub fn build(statements: &[Statement], items: &[ContactEntry]) -> Self {
        // Made on all cores, in the statements' order.
        let mut raw: Vec<ContactEntry> = {
            use rayon::prelude::*;
            statements
                .par_iter()
                .flat_map_iter(from_statement)
                .collect()
        };
        raw.extend_from_slice(items);
        Self::from_entries(raw)
    }

    /// Builds the directory from contacts not yet merged: those of the
    /// statements newest first (see [`from_statement`]), then those of items.
    #[must_use]
    pub fn from_entries(raw: Vec<ContactEntry>) -> Self {
        let mut entries = merge::merge(raw);
        entries.sort_by(directory_order);
        Self { entries }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[must_use]
    pub fn get(&self, index: usize) -> Option<&ContactEntry> {
        self.entries.get(index)
    }

    /// Positions of the entries a statement cites, in directory order.
    #[must_use]
    pub fn for_statement(&self, id: &str) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.statements.iter().any(|cited| cited == id))
            .map(|(index, _)| index)
            .collect()
    }
}

/// Organisation, then name, case- and accent-insensitively; entries without
/// an organisation last.
fn directory_order(a: &ContactEntry, b: &ContactEntry) -> Ordering {
    let key = |entry: &ContactEntry| {
        (
            entry.organisation().is_none(),
            entry.organisation().map(crate::search::fold),
            crate::search::fold(entry.display_name()),
            entry.primary_email().map(str::to_lowercase),
        )
    };
    key(a).cmp(&key(b))
}

#[allow(clippy::ref_option)] // serde's `serialize_with` passes `&Option<_>`.
fn iso_date<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(&date.format("%Y-%m-%d")),
        None => serializer.serialize_none(),
    }
}

/// White space runs collapsed to one space; `None` when blank.
pub fn one_line(text: &str) -> Option<String> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn staleness_is_two_years() {
        let today = day("2026-11-27");
        assert!(!is_stale(Some(day("2024-11-27")), today));
        assert!(is_stale(Some(day("2024-11-26")), today));
        assert!(is_stale(None, today));
    }

    #[test]
    fn phone_labels_name_their_kind() {
        let fax = Phone {
            number: "0800 528 0506".into(),
            labels: vec!["Customs Hotline".into()],
            kind: PhoneKind::Fax,
            ..Phone::default()
        };
        assert_eq!(fax.label(), "Customs Hotline (fax)");
        assert_eq!(Phone::default().label(), "Telephone");
    }

    #[test]
    fn primary_phone_prefers_the_daytime_line() {
        let phone = |number: &str, label: &str| Phone {
            number: number.into(),
            labels: vec![label.into()],
            ..Phone::default()
        };
        let entry = ContactEntry {
            phones: vec![phone("1", "Out of hours"), phone("2", "Press office")],
            ..ContactEntry::default()
        };
        assert_eq!(entry.primary_phone(), Some("2"));
        assert_eq!(
            entry.out_of_hours_phone().map(|p| p.number.as_str()),
            Some("1")
        );
    }
}
