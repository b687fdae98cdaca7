//! A contact as plain text lines, for copying whole and for
//! `communique contacts`: what a press officer would paste into a message.

use super::{ContactEntry, Phone};

/// Name(s), organisation(s), each labelled email, phone and address with its
/// description indented under it, then the notes.
pub(super) fn lines(entry: &ContactEntry) -> Vec<String> {
    let mut lines = Vec::new();
    if entry.names.is_empty() {
        lines.push(entry.display_name().to_owned());
    } else {
        lines.push(entry.names.join(" / "));
    }
    if !entry.organisations.is_empty() && !entry.names.is_empty() {
        lines.push(entry.organisations.join("; "));
    }
    let described = |lines: &mut Vec<String>, line: String, description: Option<&String>| {
        lines.push(line);
        lines.extend(description.map(|text| format!("  {text}")));
    };
    for email in &entry.emails {
        let line = format!("{}: {}", email.label(), email.address);
        described(&mut lines, line, email.description.as_ref());
    }
    for phone in &entry.phones {
        described(&mut lines, phone_line(phone), phone.description.as_ref());
    }
    for address in &entry.addresses {
        let label = address.label.as_deref().unwrap_or("Address");
        let line = format!("{label}: {}", address.one_line());
        described(&mut lines, line, address.description.as_ref());
    }
    lines.extend(entry.notes.iter().cloned());
    lines
}

/// "Out of hours: 020 8200 4400", with the hours in brackets when known.
fn phone_line(phone: &Phone) -> String {
    match &phone.hours {
        Some(hours) => format!("{}: {} ({hours})", phone.label(), phone.number),
        None => format!("{}: {}", phone.label(), phone.number),
    }
}
