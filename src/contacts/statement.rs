//! A statement's `media_contacts` as directory entries. GOV.UK body contact
//! blocks arrive with every labelled line in `notes` ("Main switchboard: 020
//! 7654 8000", "Email: …", "Address: …"); those lines become labelled phones,
//! emails and addresses again, and every other line stays a note.

use crate::records::{MediaContact, Statement};

use super::merge::Builder;
use super::numbers::{email_value, is_phone_value, split_numbers};
use super::{Address, ContactEntry, Email, Phone, PhoneKind, Source, SourceKind, one_line};

/// The longest text read as a label before ": ".
const MAX_LABEL_CHARS: usize = 60;

/// Every media contact a statement prints, one entry each, not yet merged
/// with other statements'. The detail view can show these directly.
#[must_use]
pub fn from_statement(statement: &Statement) -> Vec<ContactEntry> {
    Cited::of(statement).map_or_else(Vec::new, |cited| cited.entries())
}

/// A statement's media contacts with what their entries cite of it: taken
/// from the statement in a copy (a tenth of the time making the entries
/// takes), so a load hands each batch on without waiting for its contacts
/// to be read, and the entries are made after it ([`Cited::entries`]).
#[derive(Debug, Clone)]
pub struct Cited {
    source: Source,
    organisations: Vec<String>,
    contacts: Vec<MediaContact>,
}

impl Cited {
    /// `None` when the statement prints no media contact.
    #[must_use]
    pub fn of(statement: &Statement) -> Option<Self> {
        (!statement.media_contacts.is_empty()).then(|| Self {
            source: Source {
                kind: SourceKind::Statement,
                id: statement.id.clone(),
                title: statement.title.clone(),
                url: statement.url.clone(),
                date: Some(statement.published.date()),
            },
            organisations: statement.organisations.clone(),
            contacts: statement.media_contacts.clone(),
        })
    }

    /// The id of the statement that printed them.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.source.id
    }

    /// The directory entries of the contacts, as [`from_statement`] makes
    /// them.
    #[must_use]
    pub fn entries(&self) -> Vec<ContactEntry> {
        self.contacts
            .iter()
            .map(|contact| {
                let mut entry =
                    from_media_contact(contact, &self.organisations, self.source.clone());
                entry.statements.push(self.source.id.clone());
                entry
            })
            .collect()
    }
}

/// One printed contact. `publishers` are the organisations of the item that
/// printed it, added after the contact's own.
pub fn from_media_contact(
    contact: &MediaContact,
    publishers: &[String],
    source: Source,
) -> ContactEntry {
    let mut entry = Builder::from_source(source, true);
    entry.name(contact.name.as_deref().and_then(one_line));
    for organisation in contact.organisation.iter().chain(publishers) {
        entry.organisation(one_line(organisation));
    }
    if let Some(address) = contact.email.as_deref().and_then(email_value) {
        entry.email(email(address, None));
    }
    if let Some(phone) = contact.phone.as_deref() {
        add_phones(&mut entry, phone, None);
    }
    for line in contact.notes.iter().flat_map(|notes| notes.lines()) {
        read_note_line(&mut entry, line);
    }
    entry.finish()
}

fn email(address: &str, label: Option<&str>) -> Email {
    Email {
        address: address.to_owned(),
        labels: label.map(str::to_owned).into_iter().collect(),
        description: None,
    }
}

/// One phone per whole number in the value.
fn add_phones(entry: &mut Builder, value: &str, label: Option<&str>) {
    let Some(value) = one_line(value) else {
        return;
    };
    for number in split_numbers(&value) {
        entry.phone(Phone {
            number,
            labels: label.map(str::to_owned).into_iter().collect(),
            kind: PhoneKind::Voice,
            ..Phone::default()
        });
    }
}

/// "Label: value" lines whose value is an address, number or email become
/// those; every other line is kept as a note, whole.
fn read_note_line(entry: &mut Builder, line: &str) {
    let Some(line) = one_line(line) else {
        return;
    };
    if let Some((label, value)) = line.split_once(": ") {
        let label = label.trim();
        let is_label = !label.is_empty()
            && label.chars().count() <= MAX_LABEL_CHARS
            && !label.contains('@')
            && !label.contains("://");
        if is_label {
            if let Some(address) = email_value(value) {
                return entry.email(email(address, Some(label)));
            }
            if is_phone_value(value) {
                return add_phones(entry, value, Some(label));
            }
            if label.eq_ignore_ascii_case("address") {
                return entry.address(Address {
                    street: one_line(value),
                    ..Address::default()
                });
            }
        }
    }
    entry.note(Some(line));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(contacts: serde_json::Value) -> Statement {
        serde_json::from_value(serde_json::json!({
            "id": "s1", "title": "T", "published": "2024-01-12",
            "organisations": ["Public Health England"], "media_contacts": contacts,
        }))
        .expect("statement")
    }

    #[test]
    fn labelled_lines_become_labelled_numbers() {
        let entries = from_statement(&statement(serde_json::json!([{
            "name": "PHE press office", "phone": "020 7654 8000",
            "notes": "Main switchboard: 020 7654 8000\nOut of hours: 020 8200 4400\nWeb: https://example.org/x\nMonitored: 24 hours"
        }])));
        let entry = &entries[0];
        let phones: Vec<(&str, String)> = entry
            .phones
            .iter()
            .map(|p| (p.number.as_str(), p.label()))
            .collect();
        assert_eq!(
            phones,
            [
                ("020 7654 8000", "Main switchboard".to_owned()),
                ("020 8200 4400", "Out of hours".to_owned())
            ]
        );
        assert_eq!(
            entry.notes,
            ["Web: https://example.org/x", "Monitored: 24 hours"]
        );
        assert_eq!(entry.organisations, ["Public Health England"]);
        assert_eq!(entry.statements, ["s1"]);
    }

    #[test]
    fn one_value_with_two_numbers_is_two_phones() {
        let entries = from_statement(&statement(serde_json::json!([{
            "phone": "0115 936 6135 or 0117 954 3208",
            "notes": "Telephone: 0115 936 6135 or 0117 954 3208\nTelephone out of hours: 0115 936 6135"
        }])));
        let phones: Vec<(&str, &[String])> = entries[0]
            .phones
            .iter()
            .map(|p| (p.number.as_str(), p.labels.as_slice()))
            .collect();
        assert_eq!(
            phones,
            [
                (
                    "0115 936 6135",
                    &["Telephone".to_owned(), "Telephone out of hours".to_owned()][..]
                ),
                ("0117 954 3208", &["Telephone".to_owned()][..]),
            ]
        );
    }
}
