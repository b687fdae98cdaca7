//! The statement record and its native JSON form. Nothing outside this module
//! (and the GOV.UK converter that produces these types) knows the JSON layout.

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

mod ids;

pub use ids::id_problem;

/// One statement: a press release, joint statement, speech, written statement…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub id: String,
    pub title: String,
    pub published: Published,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government: Option<String>,
    /// Published under a government no longer in office (GOV.UK's
    /// `government.current` false), which the statement says at its top.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub previous_government: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawn>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Shared: the loader keeps one copy of each distinct signatory.
    pub signatories: Vec<Arc<Signatory>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "body"
    )]
    pub body: Option<String>,
    /// How a speech was given: when, where, and how close the text is to
    /// what was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speech: Option<Speech>,
    /// The web addresses of the body's links, in order: `[3]` in the body
    /// is the third. GOV.UK bodies give them; the browser numbers any other
    /// address it finds in the text after these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_contacts: Vec<MediaContact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<Update>,
    /// The statement's language as a BCP 47 tag (`en`, `ur`, `cy`), when
    /// the record says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The same statement in other languages: separate statements, each
    /// named by its id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<Translation>,
    /// Where the record was read from; filled by the loader, never serialised.
    #[serde(skip)]
    pub origin: Origin,
}

thread_local! {
    /// Set while parsing for [`without_bodies`].
    static SKIP_BODIES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `parse` with statement bodies checked but not kept: a record's body,
/// when it has one, comes out as an empty string (and is never copied),
/// which is what loading with bodies left on disk wants.
pub fn without_bodies<T>(parse: impl FnOnce() -> T) -> T {
    let before = SKIP_BODIES.replace(true);
    let parsed = parse();
    SKIP_BODIES.set(before);
    parsed
}

fn body<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    if SKIP_BODIES.get() {
        deserializer.deserialize_option(SkippedBody)
    } else {
        Option::<String>::deserialize(deserializer)
    }
}

/// Accepts what `Option<String>` accepts, keeping nothing of the text.
struct SkippedBody;

impl<'de> Visitor<'de> for SkippedBody {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Some(String::new()))
    }
}

/// The names of every field the native format defines, for `check --strict`.
pub const NATIVE_FIELDS: &[&str] = &[
    "id",
    "title",
    "published",
    "kind",
    "summary",
    "organisations",
    "government",
    "previous_government",
    "locations",
    "topics",
    "people",
    "url",
    "withdrawn",
    "signatories",
    "body",
    "speech",
    "links",
    "body_html",
    "reflow",
    "media_contacts",
    "updates",
    "language",
    "translations",
];

/// Where a record came from: the file and the line its text starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Shared by every record of the file.
    pub path: Arc<Path>,
    pub line: usize,
    /// Where the record's text lies in the file, when the loader left its
    /// body there (see [`crate::loader::LoadOptions::bodies_on_disk`]).
    pub stored: Option<Stored>,
}

impl Default for Origin {
    fn default() -> Self {
        Self {
            path: Arc::from(Path::new("")),
            line: 0,
            stored: None,
        }
    }
}

/// A record's text in its file: a byte offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub offset: u64,
    pub len: u64,
    /// The file was reached through a symbolic link inside the archive, so
    /// reading it back follows that link (any other is refused).
    pub via_link: bool,
    /// The archive asked for plain bodies to be reflowed when it was read
    /// (`[archive] reflow`), so reading it back does too.
    pub reflow: bool,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A publication date: `YYYY-MM-DD` or an RFC 3339 date-time, kept as written
/// (JSON gives it back exactly, offset included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Published {
    raw: String,
    /// The instant used for ordering; a bare date counts as its midnight UTC.
    instant: DateTime<FixedOffset>,
    /// Written with a time of day (RFC 3339), not as a bare date.
    timed: bool,
    /// The time zone whose calendar day a timed date falls on (the
    /// archive's: Europe/London for GOV.UK); `None`, the offset written.
    zone: Option<Tz>,
}

impl Published {
    /// The Unix epoch's day, `1970-01-01`.
    #[must_use]
    pub fn epoch() -> Self {
        Self {
            raw: "1970-01-01".into(),
            instant: DateTime::UNIX_EPOCH.fixed_offset(),
            timed: false,
            zone: None,
        }
    }

    /// Parses a date as the record format allows it.
    ///
    /// # Errors
    /// When the text is neither `YYYY-MM-DD` nor an RFC 3339 date-time.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let (instant, timed) = if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            (
                date.and_time(NaiveTime::MIN).and_utc().fixed_offset(),
                false,
            )
        } else {
            let instant = DateTime::parse_from_rfc3339(trimmed).map_err(|_| {
                format!("bad date {trimmed:?}: expected YYYY-MM-DD or an RFC 3339 date-time")
            })?;
            (instant, true)
        };
        Ok(Self {
            raw: trimmed.to_owned(),
            instant,
            timed,
            zone: None,
        })
    }

    /// The same date read in `zone`: a timed one falls on that zone's
    /// calendar day (`2014-10-21T23:00:00Z` is 22 October in London); a bare
    /// date stays the day written.
    #[must_use]
    pub fn in_zone(mut self, zone: Tz) -> Self {
        self.zone = Some(zone);
        self
    }

    /// The zone its calendar day is read in, if one was given.
    #[must_use]
    pub fn zone(&self) -> Option<Tz> {
        self.zone
    }

    /// An instant read by another format (a feed's dates), kept as RFC 3339.
    #[must_use]
    pub fn from_instant(instant: DateTime<FixedOffset>) -> Self {
        Self {
            raw: instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            instant,
            timed: true,
            zone: None,
        }
    }

    /// The calendar date as published: in its zone when it has one (see
    /// [`Published::in_zone`]), else in the offset it was written with.
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        match self.zone.filter(|_| self.timed) {
            Some(zone) => self.instant.with_timezone(&zone).date_naive(),
            None => self.instant.date_naive(),
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant it stands for, and whether it was written with a time of
    /// day: with [`Published::as_str`] and [`Published::zone`], all a
    /// cache needs to make the same date again ([`Published::from_parts`]).
    #[must_use]
    pub fn instant(&self) -> (DateTime<FixedOffset>, bool) {
        (self.instant, self.timed)
    }

    /// A date made again from what [`Published::instant`] and the others
    /// gave, exactly as it was (a feed's instant may be finer than its
    /// text, so the text alone would not do).
    #[must_use]
    pub fn from_parts(
        raw: String,
        instant: DateTime<FixedOffset>,
        timed: bool,
        zone: Option<Tz>,
    ) -> Self {
        Self {
            raw,
            instant,
            timed,
            zone,
        }
    }

    #[must_use]
    pub fn timestamp(&self) -> i64 {
        self.instant.timestamp()
    }
}

impl Ord for Published {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant
            .cmp(&other.instant)
            .then_with(|| self.raw.cmp(&other.raw))
            // Consistent with equality, which counts the zone.
            .then_with(|| {
                self.zone
                    .map(|z| z.name())
                    .cmp(&other.zone.map(|z| z.name()))
            })
    }
}

impl PartialOrd for Published {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TryFrom<String> for Published {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Published> for String {
    fn from(published: Published) -> Self {
        published.raw
    }
}

/// A withdrawal notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    pub date: Published,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The details of a speech (GOV.UK's "Delivered on", location and the
/// note on how its text relates to what was said).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Speech {
    /// When it was delivered, which may be long before it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Published>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// "Speaker's notes, may differ from delivered version", "Transcript of
    /// the speech, exactly as it was delivered", …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// One entry of a page's change history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub date: Published,
    pub note: String,
}

/// Who signed or delivered a statement. In JSON either a plain string (taken
/// as the name) or an object with any of the four fields (others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Signatory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// Reads either form in one pass (an untagged enum would buffer every
/// signatory first, which dominated loading).
impl<'de> Deserialize<'de> for Signatory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SignatoryVisitor)
    }
}

struct SignatoryVisitor;

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum SignatoryKey {
    Name,
    Role,
    Country,
    Organisation,
    #[serde(other)]
    Other,
}

impl<'de> Visitor<'de> for SignatoryVisitor {
    type Value = Signatory;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a name, or an object with name, role, country and organisation")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Signatory, E> {
        Ok(Signatory {
            name: Some(name.to_owned()),
            ..Signatory::default()
        })
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Signatory, E> {
        Ok(Signatory {
            name: Some(name),
            ..Signatory::default()
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Signatory, A::Error> {
        let mut signatory = Signatory::default();
        while let Some(key) = map.next_key::<SignatoryKey>()? {
            let slot = match key {
                SignatoryKey::Name => &mut signatory.name,
                SignatoryKey::Role => &mut signatory.role,
                SignatoryKey::Country => &mut signatory.country,
                SignatoryKey::Organisation => &mut signatory.organisation,
                SignatoryKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value()?;
        }
        Ok(signatory)
    }
}

impl Signatory {
    /// A one-line description: "Minister of Foreign Affairs, Japan" or
    /// "Antony Blinken, Secretary of State, United States of America".
    #[must_use]
    pub fn label(&self) -> String {
        [&self.name, &self.role, &self.country, &self.organisation]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Another language's version of a statement: a statement of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// Its language, a BCP 47 tag.
    pub language: String,
    /// Its statement id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A press-office contact printed with a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The list's order by what it compares, a statement's date and id: newest
/// first, then by id so the order is stable.
#[must_use]
pub fn newest_first(a: (&Published, &str), b: (&Published, &str)) -> Ordering {
    b.0.cmp(a.0).then_with(|| a.1.cmp(b.1))
}

impl Statement {
    /// A statement of a title alone, dated the Unix epoch: what is shown in
    /// place of one that could not be read back, and what
    /// [`Statement::text_part`] starts from (every field is named here, so
    /// a new one is decided on).
    #[must_use]
    pub fn titled(title: String) -> Self {
        Self {
            id: String::new(),
            title,
            published: Published::epoch(),
            kind: None,
            summary: None,
            organisations: Vec::new(),
            government: None,
            previous_government: false,
            locations: Vec::new(),
            topics: Vec::new(),
            people: Vec::new(),
            url: None,
            withdrawn: None,
            signatories: Vec::new(),
            body: None,
            speech: None,
            links: Vec::new(),
            media_contacts: Vec::new(),
            updates: Vec::new(),
            language: None,
            translations: Vec::new(),
            origin: Origin::default(),
        }
    }

    /// Newest first, then by id so the order is stable.
    #[must_use]
    pub fn newest_first(a: &Self, b: &Self) -> Ordering {
        newest_first((&a.published, &a.id), (&b.published, &b.id))
    }

    /// What full-text indexing reads of the statement — its id, title,
    /// summary and body, and where the body lies on disk (read back in its
    /// date's zone) — and nothing else: the indexer's copy of a million
    /// statements, made on the drawing thread, at a third of a whole copy.
    #[must_use]
    pub fn text_part(&self) -> Self {
        Self {
            id: self.id.clone(),
            published: self.published.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            origin: self.origin.clone(),
            ..Self::titled(self.title.clone())
        }
    }

    /// Whether the body was left in the archive file, to be read when the
    /// statement is shown (see [`crate::loader::read_full`]).
    #[must_use]
    pub fn body_on_disk(&self) -> bool {
        self.body.is_none() && self.origin.stored.is_some()
    }

    /// Reads every date of the statement in `zone` (see
    /// [`Published::in_zone`]): the archive's time zone setting.
    pub fn set_time_zone(&mut self, zone: Tz) {
        let mut dates: Vec<&mut Published> = vec![&mut self.published];
        dates.extend(
            self.withdrawn
                .iter_mut()
                .map(|withdrawn| &mut withdrawn.date),
        );
        dates.extend(self.updates.iter_mut().map(|update| &mut update.date));
        dates.extend(
            self.speech
                .as_mut()
                .and_then(|speech| speech.delivered.as_mut()),
        );
        for date in dates {
            date.zone = Some(zone);
        }
    }

    /// The day the date filters (`after:`, `before:`, `year:`) and the year
    /// facet go by: when a speech was delivered, where it says, else when
    /// the statement was published.
    #[must_use]
    pub fn filter_date(&self) -> NaiveDate {
        self.speech
            .as_ref()
            .and_then(|speech| speech.delivered.as_ref())
            .unwrap_or(&self.published)
            .date()
    }

    /// The kind, or "statement" when the record does not say.
    #[must_use]
    pub fn kind_or_default(&self) -> &str {
        self.kind.as_deref().unwrap_or("statement")
    }

    /// Body paragraphs: blocks of text separated by blank lines.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.body
            .as_deref()
            .unwrap_or_default()
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_accepts_date_and_rfc3339() {
        let date = Published::parse("2024-01-12").expect("date");
        assert_eq!(
            date.date(),
            NaiveDate::from_ymd_opt(2024, 1, 12).expect("ymd")
        );
        let time = Published::parse("2016-12-28T00:00:19.000+00:00").expect("datetime");
        assert_eq!(time.as_str(), "2016-12-28T00:00:19.000+00:00");
        assert!(time < date);
    }

    #[test]
    fn a_zone_moves_the_calendar_day_of_timed_dates_only() {
        let late = Published::parse("2014-10-21T23:00:00Z").expect("datetime");
        assert_eq!(late.date().to_string(), "2014-10-21");
        let london = late.clone().in_zone(chrono_tz::Europe::London);
        assert_eq!(london.date().to_string(), "2014-10-22");
        assert_eq!(london.as_str(), "2014-10-21T23:00:00Z");
        assert!(late < london && late.timestamp() == london.timestamp());
        let winter = Published::parse("2014-12-21T23:00:00Z").expect("datetime");
        assert_eq!(
            winter.in_zone(chrono_tz::Europe::London).date().to_string(),
            "2014-12-21"
        );
        let bare = Published::parse("2014-10-22").expect("date");
        assert_eq!(
            bare.in_zone(chrono_tz::America::New_York)
                .date()
                .to_string(),
            "2014-10-22"
        );
    }

    #[test]
    fn published_rejects_other_forms() {
        for bad in ["12/01/2024", "2024-13-01", "2024-02-30", "", "yesterday"] {
            assert!(Published::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn signatory_plain_and_structured() {
        let sigs: Vec<Signatory> = serde_json::from_str(
            r#"["Jane Doe", {"role": "Minister of Foreign Affairs", "country": "Japan"}]"#,
        )
        .expect("parse");
        assert_eq!(sigs[0].name.as_deref(), Some("Jane Doe"));
        assert_eq!(sigs[1].label(), "Minister of Foreign Affairs, Japan");
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let statement: Statement = serde_json::from_str(
            r#"{"id":"a","title":"t","published":"2024-01-01","body":"one\nline\n\n\n two "}"#,
        )
        .expect("parse");
        assert_eq!(
            statement.paragraphs().collect::<Vec<_>>(),
            ["one\nline", "two"]
        );
    }
}
