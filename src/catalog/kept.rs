//! The catalog snapshot's records: a statement, a contact and a problem as
//! they are written to the cache, each a plain copy of the loaded type with
//! no optional fields left out (postcard, the encoding, reads fields by
//! position, so every field is always written), signatories and file paths
//! written once and then named by number.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::contacts::{Address, ContactEntry, Email, Phone, PhoneKind, Source, SourceKind};
use crate::formats::{Problem, RecordRef, Severity};
use crate::records::{
    MediaContact, Origin, Published, Signatory, Speech, Statement, Stored, Translation, Update,
    Withdrawn,
};

/// A date as written, the instant it stands for (seconds, nanoseconds,
/// offset in seconds), whether it had a time of day, and the zone its day
/// is read in.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct KeptDate {
    raw: String,
    seconds: i64,
    nanos: u32,
    offset: i32,
    timed: bool,
    zone: Option<String>,
}

impl KeptDate {
    fn of(published: &Published) -> Self {
        let (instant, timed) = published.instant();
        Self {
            raw: published.as_str().to_owned(),
            seconds: instant.timestamp(),
            nanos: instant.timestamp_subsec_nanos(),
            offset: instant.offset().local_minus_utc(),
            timed,
            zone: published.zone().map(|zone| zone.name().to_owned()),
        }
    }

    fn restore(self) -> anyhow::Result<Published> {
        let offset = FixedOffset::east_opt(self.offset)
            .ok_or_else(|| anyhow::anyhow!("offset {} is out of range", self.offset))?;
        let instant = DateTime::from_timestamp(self.seconds, self.nanos)
            .ok_or_else(|| anyhow::anyhow!("instant {} is out of range", self.seconds))?
            .with_timezone(&offset);
        let zone = self
            .zone
            .map(|name| {
                name.parse()
                    .map_err(|_| anyhow::anyhow!("unknown time zone {name:?}"))
            })
            .transpose()?;
        Ok(Published::from_parts(self.raw, instant, self.timed, zone))
    }
}

/// The first fields of a kept statement, read in place without restoring
/// the rest: its id, its date as its newest-first place needs it, and how
/// many signatories it has (what the kept fuzzy index is checked against).
#[derive(Debug, Deserialize)]
pub struct KeptHead<'a> {
    pub id: &'a str,
    #[serde(borrow)]
    published: KeptDateRef<'a>,
    signatories: Count,
}

/// How many numbers a kept list holds, counted as they are read (none is
/// kept).
#[derive(Debug)]
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counting;
        impl<'de> serde::de::Visitor<'de> for Counting {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Count, A::Error> {
                let mut count = 0;
                while seq.next_element::<u32>()?.is_some() {
                    count += 1;
                }
                Ok(Count(count))
            }
        }
        deserializer.deserialize_seq(Counting)
    }
}

/// A [`KeptDate`] read in place.
#[derive(Debug, Deserialize)]
struct KeptDateRef<'a> {
    raw: &'a str,
    seconds: i64,
    nanos: u32,
    _offset: i32,
    _timed: bool,
    #[serde(borrow)]
    zone: Option<&'a str>,
}

impl KeptHead<'_> {
    /// How many signatories the statement has.
    #[must_use]
    pub fn signed(&self) -> usize {
        self.signatories.0
    }

    /// The order of [`Statement::newest_first`] (newest first, then by
    /// id), from the kept fields: the instant, then the date as written,
    /// then the zone's name, as [`Published`] orders them.
    #[must_use]
    pub fn newest_first(&self, other: &Self) -> std::cmp::Ordering {
        let key = |head: &Self| {
            let date = &head.published;
            (date.seconds, date.nanos, date.raw, date.zone)
        };
        key(other)
            .cmp(&key(self))
            .then_with(|| self.id.cmp(other.id))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct KeptSignatory {
    name: Option<String>,
    role: Option<String>,
    country: Option<String>,
    organisation: Option<String>,
}

impl KeptSignatory {
    fn of(signatory: &Signatory) -> Self {
        Self {
            name: signatory.name.clone(),
            role: signatory.role.clone(),
            country: signatory.country.clone(),
            organisation: signatory.organisation.clone(),
        }
    }

    pub fn restore(self) -> Arc<Signatory> {
        Arc::new(Signatory {
            name: self.name,
            role: self.role,
            country: self.country,
            organisation: self.organisation,
        })
    }
}

/// A path as the bytes the system names it by (not necessarily UTF-8).
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptPath(Vec<u8>);

impl KeptPath {
    pub fn of(path: &Path) -> Self {
        Self(path.as_os_str().as_bytes().to_vec())
    }

    pub fn restore(&self) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(&self.0))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeptOrigin {
    path: u32,
    line: u64,
    /// Offset, length, reached through a link, reflowed.
    stored: Option<(u64, u64, bool, bool)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptMediaContact {
    name: Option<String>,
    organisation: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptSpeech {
    delivered: Option<KeptDate>,
    location: Option<String>,
    caveat: Option<String>,
}

/// One statement, its signatories and file by number. Its first fields are
/// what a [`KeptHead`] reads without restoring the rest.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct KeptStatement {
    id: String,
    published: KeptDate,
    signatories: Vec<u32>,
    title: String,
    kind: Option<String>,
    summary: Option<String>,
    organisations: Vec<String>,
    government: Option<String>,
    previous_government: bool,
    locations: Vec<String>,
    topics: Vec<String>,
    people: Vec<String>,
    url: Option<String>,
    withdrawn: Option<(KeptDate, Option<String>)>,
    body: Option<String>,
    speech: Option<KeptSpeech>,
    links: Vec<String>,
    media_contacts: Vec<KeptMediaContact>,
    updates: Vec<(KeptDate, String)>,
    language: Option<String>,
    /// Language, id, address.
    translations: Vec<(String, String, Option<String>)>,
    origin: KeptOrigin,
}

/// Numbers for what repeats across statements (signatories, files), each
/// written the first time it is met.
#[derive(Debug, Default)]
pub struct Numbering {
    signatories: HashMap<Arc<Signatory>, u32, foldhash::fast::RandomState>,
    paths: HashMap<Arc<Path>, u32, foldhash::fast::RandomState>,
}

/// What one chunk adds to the numbering before its statements.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct NewNames {
    pub signatories: Vec<KeptSignatory>,
    pub paths: Vec<KeptPath>,
}

impl Numbering {
    fn number<T: ?Sized + Eq + std::hash::Hash>(
        map: &mut HashMap<Arc<T>, u32, foldhash::fast::RandomState>,
        value: &Arc<T>,
        new: &mut bool,
    ) -> u32 {
        let next = u32::try_from(map.len()).unwrap_or(u32::MAX);
        *map.entry(Arc::clone(value)).or_insert_with(|| {
            *new = true;
            next
        })
    }

    /// `statement` as kept, noting in `names` any signatory or file not
    /// numbered before.
    pub fn keep(&mut self, statement: &Statement, names: &mut NewNames) -> KeptStatement {
        let signatories = statement
            .signatories
            .iter()
            .map(|signatory| {
                let mut new = false;
                let number = Self::number(&mut self.signatories, signatory, &mut new);
                if new {
                    names.signatories.push(KeptSignatory::of(signatory));
                }
                number
            })
            .collect();
        let mut new = false;
        let path = Self::number(&mut self.paths, &statement.origin.path, &mut new);
        if new {
            names.paths.push(KeptPath::of(&statement.origin.path));
        }
        KeptStatement {
            id: statement.id.clone(),
            published: KeptDate::of(&statement.published),
            signatories,
            title: statement.title.clone(),
            kind: statement.kind.clone(),
            summary: statement.summary.clone(),
            organisations: statement.organisations.clone(),
            government: statement.government.clone(),
            previous_government: statement.previous_government,
            locations: statement.locations.clone(),
            topics: statement.topics.clone(),
            people: statement.people.clone(),
            url: statement.url.clone(),
            withdrawn: statement
                .withdrawn
                .as_ref()
                .map(|withdrawn| (KeptDate::of(&withdrawn.date), withdrawn.note.clone())),
            body: statement.body.clone(),
            speech: statement.speech.as_ref().map(|speech| KeptSpeech {
                delivered: speech.delivered.as_ref().map(KeptDate::of),
                location: speech.location.clone(),
                caveat: speech.caveat.clone(),
            }),
            links: statement.links.clone(),
            media_contacts: statement
                .media_contacts
                .iter()
                .map(|contact| KeptMediaContact {
                    name: contact.name.clone(),
                    organisation: contact.organisation.clone(),
                    email: contact.email.clone(),
                    phone: contact.phone.clone(),
                    notes: contact.notes.clone(),
                })
                .collect(),
            updates: statement
                .updates
                .iter()
                .map(|update| (KeptDate::of(&update.date), update.note.clone()))
                .collect(),
            language: statement.language.clone(),
            translations: statement
                .translations
                .iter()
                .map(|t| (t.language.clone(), t.id.clone(), t.url.clone()))
                .collect(),
            origin: KeptOrigin {
                path,
                line: statement.origin.line as u64,
                stored: statement
                    .origin
                    .stored
                    .map(|stored| (stored.offset, stored.len, stored.via_link, stored.reflow)),
            },
        }
    }
}

/// The signatories and files numbered so far, as a reader rebuilds them.
#[derive(Debug, Default)]
pub struct Names {
    pub signatories: Vec<Arc<Signatory>>,
    pub paths: Vec<Arc<Path>>,
}

impl Names {
    pub fn add(&mut self, new: NewNames) {
        self.signatories
            .extend(new.signatories.into_iter().map(KeptSignatory::restore));
        self.paths
            .extend(new.paths.iter().map(|path| Arc::from(path.restore())));
    }
}

impl KeptStatement {
    /// The statement again, its numbers looked up in `names`.
    ///
    /// # Errors
    /// A number no name has, or a date that does not read: the snapshot is
    /// not what was written.
    pub fn restore(self, names: &Names) -> anyhow::Result<Statement> {
        let signatories = self
            .signatories
            .iter()
            .map(|&number| {
                names
                    .signatories
                    .get(number as usize)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("signatory {number} was never written"))
            })
            .collect::<anyhow::Result<_>>()?;
        let path = names
            .paths
            .get(self.origin.path as usize)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("file {} was never written", self.origin.path))?;
        Ok(Statement {
            id: self.id,
            title: self.title,
            published: self.published.restore()?,
            kind: self.kind,
            summary: self.summary,
            organisations: self.organisations,
            government: self.government,
            previous_government: self.previous_government,
            locations: self.locations,
            topics: self.topics,
            people: self.people,
            url: self.url,
            withdrawn: self
                .withdrawn
                .map(|(date, note)| {
                    Ok::<_, anyhow::Error>(Withdrawn {
                        date: date.restore()?,
                        note,
                    })
                })
                .transpose()?,
            signatories,
            body: self.body,
            speech: self
                .speech
                .map(|speech| {
                    Ok::<_, anyhow::Error>(Speech {
                        delivered: speech.delivered.map(KeptDate::restore).transpose()?,
                        location: speech.location,
                        caveat: speech.caveat,
                    })
                })
                .transpose()?,
            links: self.links,
            media_contacts: self
                .media_contacts
                .into_iter()
                .map(|contact| MediaContact {
                    name: contact.name,
                    organisation: contact.organisation,
                    email: contact.email,
                    phone: contact.phone,
                    notes: contact.notes,
                })
                .collect(),
            updates: self
                .updates
                .into_iter()
                .map(|(date, note)| {
                    Ok(Update {
                        date: date.restore()?,
                        note,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            language: self.language,
            translations: self
                .translations
                .into_iter()
                .map(|(language, id, url)| Translation { language, id, url })
                .collect(),
            origin: Origin {
                path,
                line: usize::try_from(self.origin.line)?,
                stored: self
                    .origin
                    .stored
                    .map(|(offset, len, via_link, reflow)| Stored {
                        offset,
                        len,
                        via_link,
                        reflow,
                    }),
            },
        })
    }
}

/// A problem the loader reported.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptProblem {
    path: KeptPath,
    line: u64,
    column: u64,
    /// 0: none, 1: by position, 2: by id.
    record: (u8, u64, String),
    message: String,
    /// 0 error, 1 warning, 2 notice.
    severity: u8,
}

impl KeptProblem {
    pub fn of(problem: &Problem) -> Self {
        Self {
            path: KeptPath::of(&problem.path),
            line: problem.line as u64,
            column: problem.column as u64,
            record: match &problem.record {
                None => (0, 0, String::new()),
                Some(RecordRef::Index(at)) => (1, *at as u64, String::new()),
                Some(RecordRef::Id(id)) => (2, 0, id.clone()),
            },
            message: problem.message.clone(),
            severity: match problem.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Notice => 2,
            },
        }
    }

    /// # Errors
    /// A kind of record reference or severity never written.
    pub fn restore(self) -> anyhow::Result<Problem> {
        Ok(Problem {
            path: self.path.restore(),
            line: usize::try_from(self.line)?,
            column: usize::try_from(self.column)?,
            record: match self.record {
                (0, _, _) => None,
                (1, at, _) => Some(RecordRef::Index(usize::try_from(at)?)),
                (2, _, id) => Some(RecordRef::Id(id)),
                (other, _, _) => anyhow::bail!("unknown record reference {other}"),
            },
            message: self.message,
            severity: match self.severity {
                0 => Severity::Error,
                1 => Severity::Warning,
                2 => Severity::Notice,
                other => anyhow::bail!("unknown severity {other}"),
            },
        })
    }
}

/// A day as days since 1 January of year 1.
fn day_of(date: Option<NaiveDate>) -> Option<i32> {
    date.map(|date| chrono::Datelike::num_days_from_ce(&date))
}

fn date_of(days: Option<i32>) -> anyhow::Result<Option<NaiveDate>> {
    days.map(|days| {
        NaiveDate::from_num_days_from_ce_opt(days)
            .ok_or_else(|| anyhow::anyhow!("day {days} is out of range"))
    })
    .transpose()
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptPhone {
    number: String,
    labels: Vec<String>,
    /// 0 voice, 1 fax, 2 textphone.
    kind: u8,
    hours: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptSource {
    /// 0 statement, 1 GOV.UK contact, 2 organisation, 3 media enquiries.
    kind: u8,
    id: String,
    title: String,
    url: Option<String>,
    date: Option<i32>,
}

/// A contact from an item that holds no statement.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptContact {
    names: Vec<String>,
    organisations: Vec<String>,
    /// Address, labels, description.
    emails: Vec<(String, Vec<String>, Option<String>)>,
    phones: Vec<KeptPhone>,
    /// Label, street, locality, region, postal code, country, description.
    addresses: Vec<[Option<String>; 7]>,
    notes: Vec<String>,
    media: bool,
    statements: Vec<String>,
    last_seen: Option<i32>,
    sources: Vec<KeptSource>,
}

impl KeptContact {
    pub fn of(entry: &ContactEntry) -> Self {
        Self {
            names: entry.names.clone(),
            organisations: entry.organisations.clone(),
            emails: entry
                .emails
                .iter()
                .map(|email| {
                    (
                        email.address.clone(),
                        email.labels.clone(),
                        email.description.clone(),
                    )
                })
                .collect(),
            phones: entry
                .phones
                .iter()
                .map(|phone| KeptPhone {
                    number: phone.number.clone(),
                    labels: phone.labels.clone(),
                    kind: match phone.kind {
                        PhoneKind::Voice => 0,
                        PhoneKind::Fax => 1,
                        PhoneKind::Textphone => 2,
                    },
                    hours: phone.hours.clone(),
                    description: phone.description.clone(),
                })
                .collect(),
            addresses: entry
                .addresses
                .iter()
                .map(|address| {
                    [
                        address.label.clone(),
                        address.street.clone(),
                        address.locality.clone(),
                        address.region.clone(),
                        address.postal_code.clone(),
                        address.country.clone(),
                        address.description.clone(),
                    ]
                })
                .collect(),
            notes: entry.notes.clone(),
            media: entry.media,
            statements: entry.statements.clone(),
            last_seen: day_of(entry.last_seen),
            sources: entry
                .sources
                .iter()
                .map(|source| KeptSource {
                    kind: match source.kind {
                        SourceKind::Statement => 0,
                        SourceKind::GovukContact => 1,
                        SourceKind::GovukOrganisation => 2,
                        SourceKind::GovukMediaEnquiries => 3,
                    },
                    id: source.id.clone(),
                    title: source.title.clone(),
                    url: source.url.clone(),
                    date: day_of(source.date),
                })
                .collect(),
        }
    }

    /// # Errors
    /// A kind or a day never written.
    pub fn restore(self) -> anyhow::Result<ContactEntry> {
        Ok(ContactEntry {
            names: self.names,
            organisations: self.organisations,
            emails: self
                .emails
                .into_iter()
                .map(|(address, labels, description)| Email {
                    address,
                    labels,
                    description,
                })
                .collect(),
            phones: self
                .phones
                .into_iter()
                .map(|phone| {
                    Ok(Phone {
                        number: phone.number,
                        labels: phone.labels,
                        kind: match phone.kind {
                            0 => PhoneKind::Voice,
                            1 => PhoneKind::Fax,
                            2 => PhoneKind::Textphone,
                            other => anyhow::bail!("unknown kind of phone {other}"),
                        },
                        hours: phone.hours,
                        description: phone.description,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            addresses: self
                .addresses
                .into_iter()
                .map(
                    |[
                        label,
                        street,
                        locality,
                        region,
                        postal_code,
                        country,
                        description,
                    ]| {
                        Address {
                            label,
                            street,
                            locality,
                            region,
                            postal_code,
                            country,
                            description,
                        }
                    },
                )
                .collect(),
            notes: self.notes,
            media: self.media,
            statements: self.statements,
            last_seen: date_of(self.last_seen)?,
            sources: self
                .sources
                .into_iter()
                .map(|source| {
                    Ok(Source {
                        kind: match source.kind {
                            0 => SourceKind::Statement,
                            1 => SourceKind::GovukContact,
                            2 => SourceKind::GovukOrganisation,
                            3 => SourceKind::GovukMediaEnquiries,
                            other => anyhow::bail!("unknown kind of source {other}"),
                        },
                        id: source.id,
                        title: source.title,
                        url: source.url,
                        date: date_of(source.date)?,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        })
    }
}
