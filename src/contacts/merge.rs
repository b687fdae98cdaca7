//! Putting contacts together: sources that share an email address (any
//! case) or a phone number (however written, see [`super::phone_keys`])
//! become one entry, transitively, keeping every name, label, organisation,
//! note and citing statement. The same [`Builder`] assembles each source's
//! own contact, so "the same phone" means one thing everywhere.

use std::collections::{HashMap, HashSet};

use super::numbers::email_key;
use super::{Address, ContactEntry, Email, Phone, PhoneKind, Source};

/// Groups raw contacts that share a key, each group merged in the order the
/// contacts came (so the first source's spelling and labels lead).
pub(super) fn merge(raw: Vec<ContactEntry>) -> Vec<ContactEntry> {
    let mut sets = DisjointSets::new(raw.len());
    let mut first_with_key: HashMap<String, usize, foldhash::fast::RandomState> =
        HashMap::default();
    for (index, entry) in raw.iter().enumerate() {
        for key in keys(entry) {
            match first_with_key.get(&key) {
                Some(&first) => sets.union(first, index),
                None => {
                    first_with_key.insert(key, index);
                }
            }
        }
    }
    let mut slot_of_root: HashMap<usize, usize> = HashMap::new();
    let mut merged: Vec<Builder> = Vec::new();
    for (index, entry) in raw.into_iter().enumerate() {
        let root = sets.find(index);
        match slot_of_root.get(&root) {
            Some(&slot) => merged[slot].absorb(entry),
            None => {
                slot_of_root.insert(root, merged.len());
                let mut builder = Builder::default();
                builder.absorb(entry);
                merged.push(builder);
            }
        }
    }
    merged.into_iter().map(Builder::finish).collect()
}

/// The keys an entry is merged on; "e:" and "t:" keep the two kinds apart.
fn keys(entry: &ContactEntry) -> Vec<String> {
    let emails = entry
        .emails
        .iter()
        .map(|email| format!("e:{}", email_key(&email.address)));
    let phones = entry
        .phones
        .iter()
        .flat_map(Phone::keys)
        .map(|key| format!("t:{key}"));
    emails.chain(phones).collect()
}

/// Union-find over positions, with path halving.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(len: usize) -> Self {
        Self {
            parent: (0..len).collect(),
        }
    }

    fn find(&mut self, mut index: usize) -> usize {
        while self.parent[index] != index {
            self.parent[index] = self.parent[self.parent[index]];
            index = self.parent[index];
        }
        index
    }

    /// Joins two sets under the smaller root, so a group's root is its first
    /// member.
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
    }
}

/// A contact being assembled. Everything is deduplicated through indexes, so
/// an entry that thousands of statements cite (a department's newsdesk)
/// builds in linear time.
#[derive(Debug, Default)]
pub struct Builder {
    entry: ContactEntry,
    names: HashSet<String>,
    organisations: HashSet<String>,
    notes: HashSet<String>,
    email_at: HashMap<String, usize>,
    /// A phone's position by kind and number key; a phone with no whole
    /// number is keyed by its text.
    phone_at: HashMap<(PhoneKind, String), usize>,
    addresses: HashSet<Address>,
    statements: HashSet<String>,
    sources: HashSet<Source>,
}

impl Builder {
    /// A contact read from one source.
    pub fn from_source(source: Source, media: bool) -> Self {
        let mut builder = Self::default();
        builder.entry.media = media;
        builder.source(source);
        builder
    }

    pub fn finish(self) -> ContactEntry {
        self.entry
    }

    /// Adds everything another entry knows.
    pub fn absorb(&mut self, other: ContactEntry) {
        for name in other.names {
            self.name(Some(name));
        }
        for organisation in other.organisations {
            self.organisation(Some(organisation));
        }
        for email in other.emails {
            self.email(email);
        }
        for phone in other.phones {
            self.phone(phone);
        }
        for address in other.addresses {
            self.address(address);
        }
        for note in other.notes {
            self.note(Some(note));
        }
        self.entry.media |= other.media;
        for id in other.statements {
            self.statement(id);
        }
        self.entry.last_seen = self.entry.last_seen.max(other.last_seen);
        for source in other.sources {
            self.source(source);
        }
    }

    pub fn name(&mut self, name: Option<String>) {
        add_unique(&mut self.entry.names, &mut self.names, name);
    }

    pub fn organisation(&mut self, organisation: Option<String>) {
        add_unique(
            &mut self.entry.organisations,
            &mut self.organisations,
            organisation,
        );
    }

    pub fn note(&mut self, note: Option<String>) {
        add_unique(&mut self.entry.notes, &mut self.notes, note);
    }

    pub fn statement(&mut self, id: String) {
        if self.statements.insert(id.clone()) {
            self.entry.statements.push(id);
        }
    }

    /// Adds a source; the newest source date is when it was last seen.
    pub fn source(&mut self, source: Source) {
        self.entry.last_seen = self.entry.last_seen.max(source.date);
        if self.sources.insert(source.clone()) {
            self.entry.sources.push(source);
        }
    }

    /// Adds an email, or its labels to the same address already there.
    pub fn email(&mut self, email: Email) {
        let key = email_key(&email.address);
        match self.email_at.get(&key) {
            Some(&at) => {
                let have = &mut self.entry.emails[at];
                add_labels(&mut have.labels, email.labels);
                let extra = keep_first(&mut have.description, email.description);
                self.note(extra);
            }
            None => {
                self.email_at.insert(key, self.entry.emails.len());
                self.entry.emails.push(email);
            }
        }
    }

    /// Adds a phone, or its labels (and hours) to the same line already
    /// there: the same kind and a shared number key, or for text with no
    /// whole number the same text.
    pub fn phone(&mut self, phone: Phone) {
        let mut keys = phone.keys();
        if keys.is_empty() {
            keys.push(format!("={}", phone.number));
        }
        let found = keys
            .iter()
            .find_map(|key| self.phone_at.get(&(phone.kind, key.clone())).copied());
        let at = match found {
            Some(at) => {
                let have = &mut self.entry.phones[at];
                add_labels(&mut have.labels, phone.labels);
                let hours = keep_first(&mut have.hours, phone.hours);
                let description = keep_first(&mut have.description, phone.description);
                self.note(hours);
                self.note(description);
                at
            }
            None => {
                self.entry.phones.push(phone.clone());
                self.entry.phones.len() - 1
            }
        };
        for key in keys {
            self.phone_at.entry((phone.kind, key)).or_insert(at);
        }
    }

    pub fn address(&mut self, address: Address) {
        if self.addresses.insert(address.clone()) {
            self.entry.addresses.push(address);
        }
    }
}

/// Appends a text unless one equal to it, ignoring case, is there already.
fn add_unique(list: &mut Vec<String>, seen: &mut HashSet<String>, text: Option<String>) {
    if let Some(text) = text
        && seen.insert(text.to_lowercase())
    {
        list.push(text);
    }
}

/// Labels are few per email or phone, so a scan is enough.
fn add_labels(labels: &mut Vec<String>, more: Vec<String>) {
    for label in more {
        let folded = label.to_lowercase();
        if !labels.iter().any(|have| have.to_lowercase() == folded) {
            labels.push(label);
        }
    }
}

/// Keeps the first value; returns a different later one, which the caller
/// keeps as a note so that nothing is lost.
fn keep_first(have: &mut Option<String>, more: Option<String>) -> Option<String> {
    match (have.as_ref(), more) {
        (_, None) => None,
        (None, Some(more)) => {
            *have = Some(more);
            None
        }
        (Some(kept), Some(more)) if *kept == more => None,
        (Some(_), Some(more)) => Some(more),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, email: Option<&str>, phone: Option<&str>) -> ContactEntry {
        ContactEntry {
            names: vec![name.to_owned()],
            emails: email
                .map(|address| Email {
                    address: address.to_owned(),
                    ..Email::default()
                })
                .into_iter()
                .collect(),
            phones: phone
                .map(|number| Phone {
                    number: number.to_owned(),
                    ..Phone::default()
                })
                .into_iter()
                .collect(),
            ..ContactEntry::default()
        }
    }

    #[test]
    fn shared_keys_merge_transitively() {
        let merged = merge(vec![
            contact("a", Some("press@x.gov.uk"), None),
            contact("b", None, Some("020 7000 0000")),
            contact("c", Some("PRESS@x.gov.uk"), Some("+44 20 7000 0000")),
            contact("d", Some("other@x.gov.uk"), None),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].names, ["a", "b", "c"]);
        assert_eq!(merged[0].emails.len(), 1);
        assert_eq!(merged[0].phones.len(), 1);
        assert_eq!(merged[0].phones[0].number, "020 7000 0000");
        assert_eq!(merged[1].names, ["d"]);
    }

    #[test]
    fn a_fax_and_a_voice_line_on_one_number_stay_apart() {
        let mut builder = Builder::default();
        for kind in [PhoneKind::Voice, PhoneKind::Fax, PhoneKind::Voice] {
            builder.phone(Phone {
                number: "020 7000 0000".into(),
                kind,
                ..Phone::default()
            });
        }
        let kinds: Vec<PhoneKind> = builder.finish().phones.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PhoneKind::Voice, PhoneKind::Fax]);
    }

    #[test]
    fn a_different_description_becomes_a_note() {
        let mut builder = Builder::default();
        for description in ["Weekdays.", "Weekdays.", "Urgent calls only."] {
            builder.email(Email {
                address: "press@x.gov.uk".into(),
                description: Some(description.into()),
                ..Email::default()
            });
        }
        let entry = builder.finish();
        assert_eq!(entry.emails[0].description.as_deref(), Some("Weekdays."));
        assert_eq!(entry.notes, ["Urgent calls only."]);
    }
}
