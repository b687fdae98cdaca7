//! Contacts from the GOV.UK items that carry no statement: `contact` items,
//! the `links.ordered_contacts` of `organisation` items, and the contact
//! block in the body of `media_enquiries` pages. Read with typed serde
//! structs holding just the fields used, every one optional, since GOV.UK
//! writes `null` for many empty fields.

use serde::Deserialize;

use crate::contacts::{
    Address, Builder, ContactEntry, Email, Phone, PhoneKind, Source, SourceKind, email_value,
    from_media_contact, is_phone_value, number_in_title, one_line,
};
use crate::records::Published;

use super::{contacts_from_html, html_to_text};

/// The contacts in one GOV.UK item, or `None` when its schema carries none
/// (then the caller treats it as before). Each contact is its own entry,
/// not yet merged.
///
/// # Errors
/// When a field used here has the wrong type.
pub fn read_item(
    schema_name: &str,
    document_type: Option<&str>,
    text: &str,
) -> Option<Result<Vec<ContactEntry>, serde_json::Error>> {
    let read = match (schema_name, document_type) {
        ("contact", _) => contact_item,
        ("organisation", _) => organisation_item,
        ("corporate_information_page", Some("media_enquiries")) => media_enquiries_item,
        _ => return None,
    };
    Some(serde_json::from_str::<Item>(text).map(read))
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    content_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    base_path: Option<String>,
    #[serde(default)]
    first_published_at: Option<String>,
    #[serde(default)]
    public_updated_at: Option<String>,
    #[serde(default)]
    details: Option<Details>,
    #[serde(default)]
    links: Option<Links>,
}

/// The contact fields of `details`, shared by contact items and the ordered
/// contacts of organisations.
#[derive(Deserialize, Default)]
struct Details {
    /// Only ordered contacts have it (plain text there).
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    email_addresses: Option<Vec<EmailAddress>>,
    #[serde(default)]
    phone_numbers: Option<Vec<PhoneNumber>>,
    #[serde(default)]
    post_addresses: Option<Vec<PostAddress>>,
    #[serde(default)]
    contact_form_links: Option<Vec<FormLink>>,
    #[serde(default)]
    more_info_email_address: Option<String>,
    #[serde(default)]
    more_info_phone_number: Option<String>,
    #[serde(default)]
    more_info_post_address: Option<String>,
    #[serde(default)]
    more_info_contact_form: Option<String>,
    /// A media enquiries page's HTML.
    #[serde(default)]
    body: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct EmailAddress {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct PhoneNumber {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    textphone: Option<String>,
    #[serde(default)]
    international_phone: Option<String>,
    #[serde(default)]
    fax: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    open_hours: Option<String>,
    #[serde(default)]
    best_time_to_call: Option<String>,
}

#[derive(Deserialize)]
struct PostAddress {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    street_address: Option<String>,
    #[serde(default)]
    locality: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    world_location: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct FormLink {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize, Default)]
struct Links {
    #[serde(default)]
    organisations: Option<Vec<Linked>>,
    #[serde(default)]
    ordered_contacts: Option<Vec<Linked>>,
}

/// A linked item: an organisation (only its title is used) or an ordered
/// contact.
#[derive(Deserialize)]
struct Linked {
    #[serde(default)]
    content_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    public_updated_at: Option<String>,
    #[serde(default)]
    details: Option<Details>,
}

impl Item {
    fn source(&self, kind: SourceKind) -> Source {
        let date = [&self.first_published_at, &self.public_updated_at]
            .into_iter()
            .filter_map(|raw| date(raw.as_deref()))
            .max();
        Source {
            kind,
            id: self
                .content_id
                .as_deref()
                .and_then(one_line)
                .unwrap_or_default(),
            title: self.title.as_deref().and_then(one_line).unwrap_or_default(),
            url: self
                .base_path
                .as_deref()
                .map(str::trim)
                .filter(|path| path.starts_with('/'))
                .map(|path| format!("https://www.gov.uk{path}")),
            date,
        }
    }

    fn organisations(&self) -> Vec<String> {
        let linked = self
            .links
            .as_ref()
            .and_then(|links| links.organisations.as_ref());
        linked
            .into_iter()
            .flatten()
            .filter_map(|org| org.title.as_deref().and_then(one_line))
            .collect()
    }
}

fn date(raw: Option<&str>) -> Option<chrono::NaiveDate> {
    raw.and_then(|raw| Published::parse(raw).ok())
        .map(|published| published.date())
}

/// Whether a title says the contact is for journalists.
fn is_media_title(text: &str) -> bool {
    let text = text.to_lowercase();
    ["media", "press", "journalist", "newsdesk", "news desk"]
        .iter()
        .any(|word| text.contains(word))
}

/// An HTML fragment as one line of text; `None` when it holds none.
fn html_line(html: Option<&str>, separator: &str) -> Option<String> {
    let text = html_to_text(html?);
    let paragraphs: Vec<String> = text.split("\n\n").filter_map(one_line).collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join(separator))
}

fn contact_item(item: Item) -> Vec<ContactEntry> {
    let title = item.title.as_deref().and_then(one_line);
    let media = title.as_deref().is_some_and(is_media_title);
    let mut entry = Builder::from_source(item.source(SourceKind::GovukContact), media);
    entry.name(title);
    for organisation in item.organisations() {
        entry.organisation(Some(organisation));
    }
    entry.note(item.description.as_deref().and_then(one_line));
    read_details(&mut entry, item.details.unwrap_or_default());
    vec![entry.finish()]
}

fn organisation_item(item: Item) -> Vec<ContactEntry> {
    let page = item.source(SourceKind::GovukOrganisation);
    let organisation = item.title.as_deref().and_then(one_line);
    let contacts = item
        .links
        .unwrap_or_default()
        .ordered_contacts
        .unwrap_or_default();
    contacts
        .into_iter()
        .map(|contact| {
            let mut source = page.clone();
            // The contact's own date says more about it than the page's.
            if let Some(date) = date(contact.public_updated_at.as_deref()) {
                source.date = Some(date);
            }
            source.id = contact.content_id.clone().unwrap_or(source.id);
            let title = contact.title.as_deref().and_then(one_line);
            let media = title.as_deref().is_some_and(is_media_title);
            let mut entry = Builder::from_source(source, media);
            entry.name(title);
            entry.organisation(organisation.clone());
            let details = contact.details.unwrap_or_default();
            // Plain text here, with blank lines (CRLF ones too) between
            // paragraphs: one note each.
            let description = details.description.as_deref().unwrap_or_default();
            for paragraph in description.replace("\r\n", "\n").split("\n\n") {
                entry.note(one_line(paragraph));
            }
            read_details(&mut entry, details);
            entry.finish()
        })
        .collect()
}

fn media_enquiries_item(item: Item) -> Vec<ContactEntry> {
    let source = item.source(SourceKind::GovukMediaEnquiries);
    let organisations = item.organisations();
    let html = item
        .details
        .as_ref()
        .and_then(|details| details.body.as_ref())
        .and_then(body_html)
        .unwrap_or_default();
    contacts_from_html(html)
        .iter()
        .map(|contact| from_media_contact(contact, &organisations, source.clone()))
        .collect()
}

/// `details.body`: HTML, or a list of renditions one of which is HTML.
fn body_html(body: &serde_json::Value) -> Option<&str> {
    match body {
        serde_json::Value::String(html) => Some(html),
        serde_json::Value::Array(renditions) => renditions
            .iter()
            .find(|r| r.get("content_type").and_then(|t| t.as_str()) == Some("text/html"))
            .and_then(|r| r.get("content"))
            .and_then(|c| c.as_str()),
        _ => None,
    }
}

fn read_details(entry: &mut Builder, details: Details) {
    for email in details.email_addresses.into_iter().flatten() {
        let Some(address) = email.email.as_deref().and_then(email_value) else {
            continue;
        };
        entry.email(Email {
            address: address.to_owned(),
            labels: email
                .title
                .as_deref()
                .and_then(one_line)
                .into_iter()
                .collect(),
            description: html_line(email.description.as_deref(), " "),
        });
    }
    for phone in details.phone_numbers.into_iter().flatten() {
        read_phone(entry, phone);
    }
    for address in details.post_addresses.into_iter().flatten() {
        let street = address.street_address.as_deref().map(|street| {
            street
                .lines()
                .filter_map(one_line)
                .collect::<Vec<_>>()
                .join(", ")
        });
        let field = |text: Option<&str>| text.and_then(one_line);
        entry.address(Address {
            label: field(address.title.as_deref()),
            street: street.filter(|street| !street.is_empty()),
            locality: field(address.locality.as_deref()),
            region: field(address.region.as_deref()),
            postal_code: field(address.postal_code.as_deref()),
            country: field(address.world_location.as_deref()),
            description: html_line(address.description.as_deref(), " "),
        });
    }
    for form in details.contact_form_links.into_iter().flatten() {
        let link = form.link.as_deref().and_then(one_line);
        let title = form.title.as_deref().and_then(one_line);
        let line = match (title, link) {
            (Some(title), Some(link)) => Some(format!("{title}: {link}")),
            (None, Some(link)) => Some(link),
            (_, None) => None,
        };
        entry.note(line);
        entry.note(html_line(form.description.as_deref(), " "));
    }
    for more in [
        details.more_info_email_address,
        details.more_info_phone_number,
        details.more_info_post_address,
        details.more_info_contact_form,
    ] {
        entry.note(html_line(more.as_deref(), " "));
    }
}

/// A GOV.UK phone entry: its number, and its textphone, international and
/// fax numbers as phones of their own under the same title.
fn read_phone(entry: &mut Builder, phone: PhoneNumber) {
    let title = phone.title.as_deref().and_then(one_line);
    let mut number = phone.number.as_deref().and_then(one_line);
    let mut label = title.clone();
    let mut description = html_line(phone.description.as_deref(), " ");
    // "Telephone - 020 7271 2492" as the title and a sentence as the number:
    // the number is the title's, the sentence is a description.
    if let (Some(text), Some(title)) = (&number, &title)
        && !is_phone_value(text)
        && let Some((title_label, title_number)) = number_in_title(title)
    {
        description = Some(match description {
            Some(more) => format!("{text} {more}"),
            None => text.clone(),
        });
        number = Some(title_number);
        label = (!title_label.is_empty()).then_some(title_label);
    }
    let mut hours = html_line(phone.open_hours.as_deref(), "; ");
    if let Some(best) = html_line(phone.best_time_to_call.as_deref(), "; ") {
        let best = format!("best time to call: {best}");
        hours = Some(match hours {
            Some(hours) => format!("{hours}; {best}"),
            None => best,
        });
    }
    let labelled = |suffix: &str| match (&label, suffix) {
        (Some(label), "") => vec![label.clone()],
        (Some(label), suffix) => vec![format!("{label} ({suffix})")],
        (None, "") => Vec::new(),
        (None, suffix) => vec![suffix.to_owned()],
    };
    let extras = [
        (phone.textphone, PhoneKind::Textphone, ""),
        (phone.international_phone, PhoneKind::Voice, "international"),
        (phone.fax, PhoneKind::Fax, ""),
    ];
    if let Some(number) = number {
        entry.phone(Phone {
            number,
            labels: labelled(""),
            kind: PhoneKind::Voice,
            hours: hours.clone(),
            description,
        });
    }
    for (number, kind, suffix) in extras {
        if let Some(number) = number.as_deref().and_then(one_line) {
            entry.phone(Phone {
                number,
                labels: labelled(suffix),
                kind,
                // A fax machine has no opening hours.
                hours: (kind != PhoneKind::Fax).then(|| hours.clone()).flatten(),
                description: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schemas_carry_no_contacts() {
        assert!(read_item("news_article", Some("press_release"), "{}").is_none());
        assert!(read_item("corporate_information_page", Some("about"), "{}").is_none());
    }

    #[test]
    fn nulls_read_as_empty() {
        let text = r#"{"schema_name":"contact","title":"T","details":{"email_addresses":null,
            "phone_numbers":null,"post_addresses":null},"links":null}"#;
        let entries = read_item("contact", None, text)
            .expect("a contact schema")
            .expect("reads");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].names, ["T"]);
    }

    #[test]
    fn wrong_types_are_errors() {
        let text = r#"{"details":{"email_addresses":"x"}}"#;
        assert!(matches!(read_item("contact", None, text), Some(Err(_))));
    }
}
