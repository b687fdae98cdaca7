//! Contacts as vCard 4.0 (RFC 6350), so one goes straight into a phone or an
//! address book: FN, ORG, EMAIL, TEL, ADR and NOTE, text escaped (§3.4),
//! lines folded at 75 octets (§3.2) and ended with CRLF.
//!
//! RFC 6350 has no parameter for a telephone's own label ("Out of hours"),
//! so a labelled EMAIL, TEL or ADR is put in a group with an `X-ABLabel`
//! property, the form Apple's and Google's address books read and write.
//! Every archive string is cleaned first (control and invisible format
//! characters are never useful in a contact card).

use crate::sanitize::{clean_line, clean_text};

use super::{ContactEntry, PhoneKind};

/// The longest a physical line may be, in octets, before its CRLF.
const LINE_OCTETS: usize = 75;

/// Every entry, one vCard after another.
#[must_use]
pub fn vcards<'a>(entries: impl IntoIterator<Item = &'a ContactEntry>) -> String {
    entries.into_iter().map(vcard).collect()
}

/// One entry as a vCard.
#[must_use]
pub fn vcard(entry: &ContactEntry) -> String {
    let mut card = Card::default();
    card.line("BEGIN:VCARD");
    card.line("VERSION:4.0");
    card.property("FN", &[], &text(entry.display_name()));
    for organisation in &entry.organisations {
        card.property("ORG", &[], &text(organisation));
    }
    for email in &entry.emails {
        let group = card.labelled(&email.labels);
        card.grouped(group, "EMAIL", &["TYPE=work"], &text(&email.address));
    }
    for phone in &entry.phones {
        let kind = match phone.kind {
            PhoneKind::Voice => "TYPE=voice",
            PhoneKind::Fax => "TYPE=fax",
            PhoneKind::Textphone => "TYPE=textphone",
        };
        let group = card.labelled(&phone.labels);
        card.grouped(group, "TEL", &[kind], &text(&phone.number));
    }
    for address in &entry.addresses {
        let group = card.labelled(address.label.as_slice());
        let components = [
            None,
            None,
            address.street.as_ref(),
            address.locality.as_ref(),
            address.region.as_ref(),
            address.postal_code.as_ref(),
            address.country.as_ref(),
        ];
        let value = components
            .iter()
            .map(|part| part.map_or_else(String::new, |part| text(part)))
            .collect::<Vec<_>>()
            .join(";");
        card.grouped(group, "ADR", &["TYPE=work"], &value);
    }
    let note = note_lines(entry).join("\n");
    if !note.is_empty() {
        card.property("NOTE", &[], &text(&note));
    }
    card.line("END:VCARD");
    card.out
}

/// What has no property of its own: other names, descriptions, hours, notes.
fn note_lines(entry: &ContactEntry) -> Vec<String> {
    let mut lines = Vec::new();
    if entry.names.len() > 1 {
        lines.push(format!("Also listed as: {}", entry.names[1..].join(" / ")));
    }
    for email in &entry.emails {
        if let Some(description) = &email.description {
            lines.push(format!("{}: {description}", email.address));
        }
    }
    for phone in &entry.phones {
        if let Some(hours) = &phone.hours {
            lines.push(format!("{} ({}): {hours}", phone.label(), phone.number));
        }
        if let Some(description) = &phone.description {
            lines.push(format!("{}: {description}", phone.number));
        }
    }
    for address in &entry.addresses {
        if let Some(description) = &address.description {
            let label = address.label.as_deref().unwrap_or("Address");
            lines.push(format!("{label}: {description}"));
        }
    }
    lines.extend(entry.notes.iter().cloned());
    lines
}

/// A cleaned, escaped text value (§3.4): backslash, comma, semicolon and
/// line breaks.
fn text(value: &str) -> String {
    let cleaned = clean_text(value);
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Default)]
struct Card {
    out: String,
    groups: usize,
}

impl Card {
    /// A group name for a labelled property, with its `X-ABLabel` written;
    /// `None` when there is no label.
    fn labelled(&mut self, labels: &[String]) -> Option<String> {
        if labels.is_empty() {
            return None;
        }
        self.groups += 1;
        let group = format!("item{}", self.groups);
        let label = clean_line(&labels.join(" / ")).into_owned();
        self.property(&format!("{group}.X-ABLabel"), &[], &text(&label));
        Some(group)
    }

    fn grouped(&mut self, group: Option<String>, name: &str, params: &[&str], value: &str) {
        match group {
            Some(group) => self.property(&format!("{group}.{name}"), params, value),
            None => self.property(name, params, value),
        }
    }

    fn property(&mut self, name: &str, params: &[&str], value: &str) {
        let mut line = name.to_owned();
        for param in params {
            line.push(';');
            line.push_str(param);
        }
        line.push(':');
        line.push_str(value);
        self.line(&line);
    }

    /// A content line, folded and ended with CRLF.
    fn line(&mut self, line: &str) {
        fold(&mut self.out, line);
    }
}

/// Folds a line into physical lines of at most 75 octets (a continuation's
/// leading space included), never inside a UTF-8 character. RFC 6350
/// unfolding removes only CRLF and one space, so any break is valid, but some
/// readers trim white space at either side of a fold or unescape each
/// physical line alone: where it can, it breaks between two non-space
/// characters and never inside an escape such as `\,`.
fn fold(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = LINE_OCTETS;
    while rest.len() > limit {
        let boundaries = || {
            (limit / 2..=limit)
                .rev()
                .filter(|&cut| rest.is_char_boundary(cut))
        };
        let cut = boundaries()
            .find(|&cut| !splits_escape(rest, cut) && !is_space_around(rest, cut))
            .or_else(|| boundaries().find(|&cut| !splits_escape(rest, cut)))
            .or_else(|| boundaries().next())
            .unwrap_or(rest.len());
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

fn is_space_around(text: &str, cut: usize) -> bool {
    text[..cut].ends_with(char::is_whitespace) || text[cut..].starts_with(char::is_whitespace)
}

/// Whether the text before `cut` ends with an escaping backslash (an odd
/// number of them).
fn splits_escape(text: &str, cut: usize) -> bool {
    let backslashes = text[..cut]
        .bytes()
        .rev()
        .take_while(|&b| b == b'\\')
        .count();
    backslashes % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold(&mut out, line);
        out
    }

    #[test]
    fn short_lines_are_not_folded() {
        assert_eq!(folded("FN:Press office"), "FN:Press office\r\n");
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_same() {
        let line = format!("NOTE:{}", "é".repeat(100));
        let out = folded(&line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= LINE_OCTETS, "{} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn folds_avoid_white_space() {
        let line = format!("NOTE:{}", "word ".repeat(40).trim_end());
        let out = folded(&line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(!physical.ends_with(' '), "{physical:?}");
            assert!(!physical.starts_with("  "), "{physical:?}");
        }
        assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), line);
    }

    #[test]
    fn folds_keep_escapes_whole() {
        let line = format!("NOTE:{}", "\\,".repeat(60));
        let out = folded(&line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= LINE_OCTETS);
            assert!(!splits_escape(physical, physical.len()), "{physical:?}");
        }
        assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), line);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(text("bell\u{7}"), "bell␇");
    }
}
