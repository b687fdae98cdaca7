//! Everything communique knows of GOV.UK: Content API items converted into
//! statement records, the contacts of contact, organisation and media
//! enquiries items, and the HTML of their bodies.
//!
//! The schemas in [`STATEMENT_SCHEMAS`] carry statements: news and speeches,
//! publications and their HTML parts, fatality notices, statistics
//! announcements and consultations, each with the fields of its own (see
//! [`schema_sections`]); every other schema (contacts, organisation pages,
//! world location news pages, …) converts to [`Conversion::Skipped`], with
//! the reason [`skip_reason`] gives, so a directory of mixed items can be
//! loaded whole.
//! The item is read with typed serde structs holding just the fields used
//! here, so any other field GOV.UK adds is ignored.

mod contacts;
mod html;
mod record;
mod sections;

use std::fmt;

use serde::{Deserialize, Deserializer};

pub use contacts::read_item;
pub use html::{
    contacts_from_html, counting_flattened, flattened_message, html_to_text,
    html_to_text_and_links, html_to_text_and_links_from,
};
pub use record::FORMAT;

use sections::{Attachment, Image, lead_image, schema_sections};

use crate::records::{Published, Signatory, Speech, Statement, Translation, Update, Withdrawn};

/// The outcome of converting one GOV.UK item.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversion {
    Statement(Box<Statement>),
    /// An item of a schema that holds no statement.
    Skipped {
        schema_name: String,
        document_type: Option<String>,
    },
}

/// Why a GOV.UK item could not be converted.
#[derive(Debug)]
pub enum ConvertError {
    /// Not JSON, or JSON of the wrong shape; line and column are relative to
    /// the text given to [`convert`].
    Json(serde_json::Error),
    /// Well-formed JSON missing something a statement needs.
    Invalid(String),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(err) => write!(f, "invalid GOV.UK item: {err}"),
            Self::Invalid(message) => write!(f, "invalid GOV.UK item: {message}"),
        }
    }
}

impl std::error::Error for ConvertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(err) => Some(err),
            Self::Invalid(_) => None,
        }
    }
}

impl From<serde_json::Error> for ConvertError {
    fn from(err: serde_json::Error) -> Self {
        Self::Json(err)
    }
}

/// Converts the JSON text of one GOV.UK Content API item.
///
/// # Errors
/// [`ConvertError::Json`] when the text is not JSON or a field used here has
/// the wrong type; [`ConvertError::Invalid`] when a statement lacks its
/// `schema_name`, `content_id`, title or publication date, or a date is not
/// RFC 3339.
pub fn convert(text: &str) -> Result<Conversion, ConvertError> {
    convert_versioned(text).map(|(conversion, _)| conversion)
}

/// As [`convert`], with the item's version: the later of its
/// `public_updated_at` and its withdrawal (GOV.UK withdraws a page without
/// changing `public_updated_at`), by which the loader keeps the latest of
/// several copies of one item.
///
/// # Errors
/// As [`convert`].
pub fn convert_versioned(text: &str) -> Result<(Conversion, Option<Published>), ConvertError> {
    // The schema is read on its own first so that items of other schemas are
    // skipped whatever shape their remaining fields have.
    let head: Head = serde_json::from_str(text)?;
    let schema_name = head
        .schema_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ConvertError::Invalid("missing schema_name".to_owned()))?;
    if !STATEMENT_SCHEMAS.contains(&schema_name.as_str()) {
        return Ok((
            Conversion::Skipped {
                schema_name,
                document_type: head.document_type,
            },
            None,
        ));
    }
    let item: Item = serde_json::from_str(text)?;
    let updated =
        present(item.public_updated_at.as_ref()).and_then(|raw| Published::parse(raw).ok());
    let statement = statement(item)?;
    let withdrawn = statement
        .withdrawn
        .as_ref()
        .map(|withdrawn| &withdrawn.date);
    let version = updated.into_iter().chain(withdrawn.cloned()).max();
    Ok((Conversion::Statement(Box::new(statement)), version))
}

/// The statement id of a GOV.UK item in one language: its `content_id`,
/// which every language shares, with `:<locale>` after it for languages
/// other than English (so ids of English items stay as they were, and their
/// triage marks with them).
#[must_use]
pub fn statement_id(content_id: &str, locale: Option<&str>) -> String {
    match locale.map(str::trim).filter(|locale| !locale.is_empty()) {
        Some(locale) if !locale.eq_ignore_ascii_case("en") => format!("{content_id}:{locale}"),
        _ => content_id.to_owned(),
    }
}

/// The schemas read as statements.
pub const STATEMENT_SCHEMAS: &[&str] = &[
    "news_article",
    "speech",
    "publication",
    "html_publication",
    "fatality_notice",
    "statistics_announcement",
    "consultation",
];

/// Why an item of a schema not in [`STATEMENT_SCHEMAS`] holds no statement.
#[must_use]
pub fn skip_reason(schema_name: &str) -> &'static str {
    match schema_name {
        "world_location_news" => {
            "a world location's news page lists news items, which are items of their own"
        }
        "world_location" | "worldwide_organisation" | "worldwide_office" | "organisation" => {
            "an organisation or location page, read for its media contacts only"
        }
        "contact" | "corporate_information_page" => "a page of contacts, read for them only",
        "document_collection" | "topical_event" | "taxon" | "finder" | "mainstream_browse_page" => {
            "a page that lists other items"
        }
        "redirect" | "gone" | "vanish" | "special_route" => {
            "no content: a redirect or removed page"
        }
        _ => "not a kind of page communique reads as a statement",
    }
}

/// The GOV.UK document type in plain words.
fn kind(document_type: &str) -> String {
    match document_type {
        "press_release" => "press release".to_owned(),
        "news_story" => "news story".to_owned(),
        "government_response" => "government response".to_owned(),
        "world_news_story" => "world news story".to_owned(),
        "speech" => "speech".to_owned(),
        "oral_statement" => "oral statement".to_owned(),
        "written_statement" => "written statement".to_owned(),
        "authored_article" => "authored article".to_owned(),
        other => other.replace('_', " "),
    }
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    schema_name: Option<String>,
    #[serde(default)]
    document_type: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    schema_name: Option<String>,
    #[serde(default)]
    content_id: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    document_type: Option<String>,
    #[serde(default)]
    base_path: Option<String>,
    #[serde(default)]
    first_published_at: Option<String>,
    #[serde(default)]
    public_updated_at: Option<String>,
    #[serde(default)]
    withdrawn_notice: Option<WithdrawnNotice>,
    #[serde(default, deserialize_with = "null_as_default")]
    details: Details,
    #[serde(default, deserialize_with = "null_as_default")]
    links: Links,
}

#[derive(Deserialize, Default)]
struct Details {
    #[serde(default)]
    body: Option<Body>,
    #[serde(default)]
    first_public_at: Option<String>,
    /// Deprecated in favour of `links.government`, but older items have only
    /// this.
    #[serde(default)]
    government: Option<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    change_history: Vec<Change>,
    /// A speaker who has no person page on GOV.UK, so no `links.speaker`.
    #[serde(default)]
    speaker_without_profile: Option<String>,
    /// Speeches: when and where it was given, and how the text relates to
    /// what was said ("Speaker's notes, may differ from delivered version").
    #[serde(default)]
    delivered_on: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    speech_type_explanation: Option<String>,
    /// The content ids of the lead organisations, lead first.
    #[serde(default, deserialize_with = "null_as_default")]
    emphasised_organisations: Vec<String>,
    /// The lead image (`type` `lead`) among others.
    #[serde(default, deserialize_with = "lenient")]
    images: Vec<Image>,
    /// Older items' lead image.
    #[serde(default, deserialize_with = "lenient")]
    image: Option<Image>,
    /// A publication's or consultation's documents.
    #[serde(default, deserialize_with = "lenient")]
    attachments: Vec<Attachment>,
    /// The ids of the attachments GOV.UK shows first, in order.
    #[serde(default, deserialize_with = "lenient")]
    featured_attachments: Vec<String>,
    /// Fatality notices.
    #[serde(default, deserialize_with = "lenient")]
    roll_call_introduction: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    casualties: Vec<String>,
    /// Statistics announcements.
    #[serde(default, deserialize_with = "lenient")]
    display_date: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    state: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    previous_display_date: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    latest_change_note: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    cancelled_at: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    cancellation_reason: Option<String>,
    /// Consultations.
    #[serde(default, deserialize_with = "lenient")]
    opening_date: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    closing_date: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    final_outcome_detail: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    final_outcome_documents: Vec<String>,
    #[serde(default, deserialize_with = "lenient")]
    public_feedback_detail: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    public_feedback_documents: Vec<String>,
}

/// `details.body`: HTML, or in some schemas a list of renditions.
#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Html(String),
    Renditions(Vec<Rendition>),
}

#[derive(Deserialize)]
struct Rendition {
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

impl Body {
    fn html(&self) -> Option<&str> {
        match self {
            Self::Html(html) => Some(html),
            Self::Renditions(renditions) => renditions
                .iter()
                .find(|r| r.content_type.as_deref() == Some("text/html"))
                .and_then(|r| r.content.as_deref()),
        }
    }
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    public_timestamp: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct WithdrawnNotice {
    #[serde(default)]
    withdrawn_at: Option<String>,
    #[serde(default)]
    explanation: Option<String>,
}

#[derive(Deserialize, Default)]
struct Links {
    #[serde(default, deserialize_with = "null_as_default")]
    organisations: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    worldwide_organisations: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    government: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    world_locations: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    speaker: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    primary_publishing_organisation: Vec<Titled>,
    /// The speaker's ministerial role when giving a speech.
    #[serde(default, deserialize_with = "null_as_default")]
    roles: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    people: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    topical_events: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    taxons: Vec<Titled>,
    #[serde(default, deserialize_with = "null_as_default")]
    policy_areas: Vec<Titled>,
    /// A fatality notice's field of operation.
    #[serde(default, deserialize_with = "null_as_default")]
    field_of_operation: Vec<Titled>,
    /// The publication an HTML publication is part of.
    #[serde(default, deserialize_with = "null_as_default")]
    parent: Vec<Parent>,
    /// Every language the item is published in, its own included.
    #[serde(default, deserialize_with = "null_as_default")]
    available_translations: Vec<TranslationLink>,
}

/// `links.parent` of an HTML publication.
#[derive(Deserialize)]
struct Parent {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    base_path: Option<String>,
    #[serde(default)]
    document_type: Option<String>,
}

/// One entry of `links.available_translations`.
#[derive(Deserialize)]
struct TranslationLink {
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    base_path: Option<String>,
}

/// A linked item (or `details.government`): its title, and what tells lead
/// organisations and past governments apart.
#[derive(Deserialize)]
struct Titled {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    content_id: Option<String>,
    /// A government's `current` (on the link's `details`, or on the
    /// deprecated `details.government` itself).
    #[serde(default)]
    current: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    details: LinkDetails,
}

#[derive(Deserialize, Default)]
struct LinkDetails {
    #[serde(default)]
    current: Option<bool>,
}

impl Titled {
    fn title(&self) -> Option<String> {
        self.title.as_deref().and_then(clean)
    }

    fn current(&self) -> Option<bool> {
        self.details.current.or(self.current)
    }
}

/// The organisations as GOV.UK lists them: the lead ones first (in the
/// order of `details.emphasised_organisations`, else the primary
/// publishing organisation), then the others as linked.
fn lead_first(links: &Links, details: &Details) -> Vec<String> {
    let all: Vec<&Titled> = links
        .organisations
        .iter()
        .chain(&links.worldwide_organisations)
        .collect();
    let mut lead_ids: Vec<&str> = details
        .emphasised_organisations
        .iter()
        .map(String::as_str)
        .collect();
    if lead_ids.is_empty() {
        lead_ids.extend(
            links
                .primary_publishing_organisation
                .iter()
                .filter_map(|org| org.content_id.as_deref()),
        );
    }
    let rank = |org: &Titled| {
        org.content_id
            .as_deref()
            .and_then(|id| lead_ids.iter().position(|lead| *lead == id))
            .unwrap_or(lead_ids.len())
    };
    let mut ordered = all;
    // Stable: organisations that are not lead keep their linked order.
    ordered.sort_by_key(|org| rank(org));
    let mut out: Vec<String> = Vec::new();
    for title in ordered.into_iter().filter_map(Titled::title) {
        if !out.contains(&title) {
            out.push(title);
        }
    }
    out
}

/// GOV.UK writes `null` for many empty fields that are otherwise lists or
/// objects.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A field only some schemas have, read as `T` when it has that shape and
/// as empty otherwise: a schema that uses the name for something else must
/// not make the whole item unreadable.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// Plain text with its white space runs collapsed; `None` when blank.
fn clean(text: &str) -> Option<String> {
    let cleaned = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// The titles of several link lists, first occurrence kept.
fn titles<'a>(lists: impl IntoIterator<Item = &'a [Titled]>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for title in lists.into_iter().flatten().filter_map(Titled::title) {
        if !out.contains(&title) {
            out.push(title);
        }
    }
    out
}

/// GOV.UK shows every date on its Europe/London calendar day: an item
/// published at `2014-10-21T23:00:00Z` (midnight in summer time) is dated
/// 22 October there, and so here.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::London;

/// A GOV.UK date, read in [`TIME_ZONE`] and kept as written.
fn date(raw: &str, field: &str) -> Result<Published, ConvertError> {
    Published::parse(raw)
        .map(|date| date.in_zone(TIME_ZONE))
        .map_err(|err| ConvertError::Invalid(format!("{field}: {err}")))
}

/// A date field that may be absent or blank.
fn present(raw: Option<&String>) -> Option<&str> {
    raw.map(String::as_str).filter(|raw| !raw.trim().is_empty())
}

/// `None` for the `{}` GOV.UK writes for an item that was never withdrawn.
fn withdrawal(notice: &WithdrawnNotice, id: &str) -> Result<Option<Withdrawn>, ConvertError> {
    let note = notice
        .explanation
        .as_deref()
        .map(html_to_text)
        .filter(|note| !note.is_empty());
    match present(notice.withdrawn_at.as_ref()) {
        Some(raw) => Ok(Some(Withdrawn {
            date: date(raw, "withdrawn_notice.withdrawn_at")?,
            note,
        })),
        // Dropping the notice would present a withdrawn item as current.
        None if note.is_some() => Err(ConvertError::Invalid(format!(
            "item {id}: withdrawn_notice has an explanation but no withdrawn_at"
        ))),
        None => Ok(None),
    }
}

/// The change history in GOV.UK's order, which is newest first.
fn updates(history: &[Change], id: &str) -> Result<Vec<Update>, ConvertError> {
    history
        .iter()
        .map(|change| {
            let raw = present(change.public_timestamp.as_ref()).ok_or_else(|| {
                ConvertError::Invalid(format!(
                    "item {id}: change_history entry without public_timestamp"
                ))
            })?;
            Ok(Update {
                date: date(raw, "details.change_history.public_timestamp")?,
                note: change.note.as_deref().and_then(clean).unwrap_or_default(),
            })
        })
        .collect()
}

/// The speakers by name, with the role they spoke in (`links.roles`): the
/// roles in the speakers' order when there is one for each, all of them
/// for a single speaker.
fn signatories(
    speakers: &[Titled],
    roles: &[Titled],
    details: &Details,
) -> Vec<std::sync::Arc<Signatory>> {
    let mut names = titles([speakers]);
    if names.is_empty() {
        names.extend(details.speaker_without_profile.as_deref().and_then(clean));
    }
    let roles = titles([roles]);
    let count = names.len();
    names
        .into_iter()
        .enumerate()
        .map(|(at, name)| {
            let role = match count {
                1 if !roles.is_empty() => Some(roles.join(" and ")),
                _ if roles.len() == count => roles.get(at).cloned(),
                _ => None,
            };
            std::sync::Arc::new(Signatory {
                name: Some(name),
                role,
                ..Signatory::default()
            })
        })
        .collect()
}

/// A speech's delivery details, when the item gives any.
fn speech(details: &Details) -> Result<Option<Speech>, ConvertError> {
    let delivered = present(details.delivered_on.as_ref())
        .map(|raw| date(raw, "details.delivered_on"))
        .transpose()?;
    let speech = Speech {
        delivered,
        location: details.location.as_deref().and_then(clean),
        caveat: details.speech_type_explanation.as_deref().and_then(clean),
    };
    Ok((speech != Speech::default()).then_some(speech))
}

/// The address of a GOV.UK path.
fn gov_uk_url(path: &str) -> Option<String> {
    let path = path.trim();
    path.starts_with('/')
        .then(|| format!("https://www.gov.uk{path}"))
}

/// The item's other languages, each a statement of its own, in GOV.UK's
/// order; the item's own language and repeated locales left out.
fn translations(links: &[TranslationLink], content_id: &str, own: &str) -> Vec<Translation> {
    let mut out: Vec<Translation> = Vec::new();
    for link in links {
        let Some(language) = link.locale.as_deref().and_then(clean) else {
            continue;
        };
        let id = statement_id(content_id, Some(&language));
        if id == own || out.iter().any(|known| known.id == id) {
            continue;
        }
        out.push(Translation {
            language,
            id,
            url: link.base_path.as_deref().and_then(gov_uk_url),
        });
    }
    out
}

fn statement(item: Item) -> Result<Statement, ConvertError> {
    let Item {
        schema_name,
        content_id,
        locale,
        title,
        description,
        document_type,
        base_path,
        first_published_at,
        public_updated_at,
        withdrawn_notice,
        details,
        links,
    } = item;

    let content_id = content_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ConvertError::Invalid("missing content_id".to_owned()))?
        .to_owned();
    let language = locale.as_deref().and_then(clean);
    let id = statement_id(&content_id, language.as_deref());
    let title = title
        .as_deref()
        .and_then(clean)
        .ok_or_else(|| ConvertError::Invalid(format!("item {id}: missing title")))?;

    let published = [
        ("first_published_at", present(first_published_at.as_ref())),
        (
            "details.first_public_at",
            present(details.first_public_at.as_ref()),
        ),
        ("public_updated_at", present(public_updated_at.as_ref())),
    ]
    .into_iter()
    .find_map(|(field, raw)| raw.map(|raw| date(raw, field)))
    .ok_or_else(|| {
        ConvertError::Invalid(format!(
            "item {id}: no first_published_at, details.first_public_at or public_updated_at"
        ))
    })??;

    let withdrawn = withdrawn_notice
        .map(|notice| withdrawal(&notice, &id))
        .transpose()?
        .flatten();
    let updates = updates(&details.change_history, &id)?;

    let government_link = links.government.first().or(details.government.as_ref());
    let government = links
        .government
        .first()
        .and_then(Titled::title)
        .or_else(|| details.government.as_ref().and_then(Titled::title));
    // GOV.UK's "history mode": a banner on everything a past government
    // published.
    let previous_government = government_link.and_then(Titled::current) == Some(false);

    let body_html = details.body.as_ref().and_then(Body::html);
    let (body_text, body_links) = body_html.map(html_to_text_and_links).unwrap_or_default();
    let mut paragraphs: Vec<String> = lead_image(&details).into_iter().collect();
    if !body_text.is_empty() {
        paragraphs.push(body_text);
    }
    paragraphs.extend(schema_sections(
        schema_name.as_deref().unwrap_or_default(),
        &details,
    )?);
    let body = (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"));
    let media_contacts = body_html.map(contacts_from_html).unwrap_or_default();
    // An HTML publication is shown as GOV.UK shows it: as its publication's
    // kind, with the publication named.
    let parent = links.parent.first();
    let kind = parent
        .and_then(|parent| parent.document_type.as_deref())
        .or(document_type.as_deref())
        .and_then(clean)
        .map(|t| kind(&t));
    let summary = description.as_deref().and_then(clean).or_else(|| {
        let parent = parent?;
        let title = parent.title.as_deref().and_then(clean)?;
        Some(match parent.base_path.as_deref().and_then(gov_uk_url) {
            Some(url) => format!("Part of the publication “{title}”: {url}"),
            None => format!("Part of the publication “{title}”"),
        })
    });

    let url = base_path.as_deref().and_then(gov_uk_url);
    let translations = translations(&links.available_translations, &content_id, &id);

    Ok(Statement {
        id,
        title,
        published,
        kind,
        summary,
        organisations: lead_first(&links, &details),
        government,
        previous_government,
        locations: titles([
            links.world_locations.as_slice(),
            links.field_of_operation.as_slice(),
        ]),
        topics: titles([
            links.topical_events.as_slice(),
            links.taxons.as_slice(),
            links.policy_areas.as_slice(),
        ]),
        people: titles([links.people.as_slice()]),
        url,
        withdrawn,
        signatories: signatories(&links.speaker, &links.roles, &details),
        body,
        speech: speech(&details)?,
        links: body_links,
        media_contacts,
        updates,
        language,
        translations,
        origin: crate::records::Origin::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(json: &str) -> Statement {
        match convert(json).expect("converts") {
            Conversion::Statement(statement) => *statement,
            Conversion::Skipped { schema_name, .. } => panic!("skipped {schema_name}"),
        }
    }

    const MINIMAL: &str = r#"{"schema_name":"speech","document_type":"oral_statement",
        "content_id":"c1","title":" A  title ","first_published_at":null,
        "public_updated_at":"2014-04-30T11:59:35.000+00:00","withdrawn_notice":{},
        "details":{"speaker_without_profile":"Jane Doe","change_history":null},"links":{"speaker":null}}"#;

    #[test]
    fn falls_back_to_public_updated_at_and_reads_nulls_as_empty() {
        let statement = converted(MINIMAL);
        assert_eq!(statement.title, "A title");
        assert_eq!(statement.kind.as_deref(), Some("oral statement"));
        assert_eq!(
            statement.published.as_str(),
            "2014-04-30T11:59:35.000+00:00"
        );
        assert_eq!(statement.withdrawn, None);
        assert_eq!(statement.signatories[0].name.as_deref(), Some("Jane Doe"));
        assert!(statement.updates.is_empty() && statement.body.is_none());
        assert_eq!(statement.url, None);
    }

    #[test]
    fn other_schemas_are_skipped_whatever_their_shape() {
        let conversion =
            convert(r#"{"schema_name":"contact","document_type":"contact","details":[1,2]}"#)
                .expect("converts");
        assert_eq!(
            conversion,
            Conversion::Skipped {
                schema_name: "contact".to_owned(),
                document_type: Some("contact".to_owned()),
            }
        );
    }

    #[test]
    fn missing_required_fields_are_invalid() {
        for (json, expect) in [
            (r#"{"title":"t"}"#, "schema_name"),
            (
                r#"{"schema_name":"news_article","title":"t","first_published_at":"2020-01-01"}"#,
                "content_id",
            ),
            (
                r#"{"schema_name":"news_article","content_id":"c","first_published_at":"2020-01-01"}"#,
                "title",
            ),
            (
                r#"{"schema_name":"news_article","content_id":"c","title":"t"}"#,
                "first_published_at",
            ),
            (
                r#"{"schema_name":"news_article","content_id":"c","title":"t","first_published_at":"28/12/2016"}"#,
                "bad date",
            ),
            (
                r#"{"schema_name":"news_article","content_id":"c","title":"t","first_published_at":"2020-01-01",
                   "withdrawn_notice":{"explanation":"<p>gone</p>"}}"#,
                "withdrawn_at",
            ),
        ] {
            match convert(json) {
                Err(err @ ConvertError::Invalid(_)) => {
                    assert!(err.to_string().contains(expect), "{err} lacks {expect}");
                }
                other => panic!("{json}: expected Invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn json_errors_keep_their_position() {
        let err = convert("{\n  \"schema_name\": \"speech\",\n  \"title\": 3\n}")
            .expect_err("title is a number");
        match err {
            ConvertError::Json(err) => assert_eq!(err.line(), 3),
            other => panic!("expected a JSON error, got {other:?}"),
        }
        assert!(matches!(convert("{"), Err(ConvertError::Json(_))));
    }

    #[test]
    fn kinds_are_plain_words() {
        assert_eq!(kind("press_release"), "press release");
        assert_eq!(kind("world_news_story"), "world news story");
        assert_eq!(kind("authored_article"), "authored article");
        assert_eq!(kind("speaking_notes"), "speaking notes");
    }
}
