//! The parts of a GOV.UK item's text that are not its body: the lead
//! image's caption above it, and after it the fields of the schemas beside
//! news and speeches (fatality notices, statistics announcements,
//! consultations) and a publication's documents, each section under a `## `
//! heading line (the record format's heading).

use serde::Deserialize;

use super::{ConvertError, Details, clean, date, gov_uk_url, html_to_text, present};

/// `details.image` or one of `details.images`.
#[derive(Deserialize, Default)]
pub(super) struct Image {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    alt_text: Option<String>,
    #[serde(default)]
    caption: Option<String>,
}

/// The lead image's caption, which GOV.UK shows under it above the text,
/// with its description when that says more (the image alone, which is
/// often the organisation's logo or a portrait, is not text).
pub(super) fn lead_image(details: &Details) -> Option<String> {
    let image = details
        .images
        .iter()
        .find(|image| image.kind.as_deref() == Some("lead"))
        .or(details.image.as_ref())?;
    let caption = image.caption.as_deref().and_then(clean)?;
    let alt = image
        .alt_text
        .as_deref()
        .and_then(clean)
        .filter(|alt| !alt.eq_ignore_ascii_case("placeholder") && *alt != caption);
    Some(match alt {
        Some(alt) => format!("[image: {alt}] {caption}"),
        None => format!("[image] {caption}"),
    })
}

/// One of `details.attachments`.
#[derive(Deserialize, Default)]
pub(super) struct Attachment {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    file_size: Option<u64>,
    #[serde(default)]
    number_of_pages: Option<u64>,
}

/// The paragraphs a schema adds after the body, from fields of its own,
/// each section under a `## ` heading line (the record format's heading).
pub(super) fn schema_sections(
    schema_name: &str,
    details: &Details,
) -> Result<Vec<String>, ConvertError> {
    let mut out = Vec::new();
    match schema_name {
        "fatality_notice" => {
            if let Some(intro) = details.roll_call_introduction.as_deref().and_then(clean) {
                out.push(format!("## Roll call\n\n{intro}"));
            }
            let casualties: Vec<String> =
                details.casualties.iter().filter_map(|c| clean(c)).collect();
            if !casualties.is_empty() {
                out.push("## Casualties".to_owned());
                out.push(bulleted(&casualties));
            }
        }
        "statistics_announcement" => {
            let mut lines = Vec::new();
            if let Some(date) = details.display_date.as_deref().and_then(clean) {
                let state = details.state.as_deref().and_then(clean);
                lines.push(match state {
                    Some(state) => format!("Release date: {date} ({state})"),
                    None => format!("Release date: {date}"),
                });
            }
            if let Some(previous) = details.previous_display_date.as_deref().and_then(clean) {
                let note = details.latest_change_note.as_deref().and_then(clean);
                lines.push(match note {
                    Some(note) => format!("Release date changed from {previous}: {note}"),
                    None => format!("Release date changed from {previous}"),
                });
            }
            if let Some(raw) = present(details.cancelled_at.as_ref()) {
                let when = long_date(&date(raw, "details.cancelled_at")?);
                let reason = details.cancellation_reason.as_deref().and_then(clean);
                lines.push(match reason {
                    Some(reason) => format!("Cancelled on {when}: {reason}"),
                    None => format!("Cancelled on {when}"),
                });
            }
            if !lines.is_empty() {
                out.push(lines.join("\n"));
            }
        }
        "consultation" => {
            let mut period = Vec::new();
            for (label, field, raw) in [
                ("Opened", "details.opening_date", &details.opening_date),
                ("Closed", "details.closing_date", &details.closing_date),
            ] {
                if let Some(raw) = present(raw.as_ref()) {
                    let when = long_date(&date(raw, field)?);
                    period.push(format!("{label}: {when}"));
                }
            }
            if !period.is_empty() {
                out.push(period.join("\n"));
            }
            for (heading, detail, documents) in [
                (
                    "Outcome",
                    &details.final_outcome_detail,
                    &details.final_outcome_documents,
                ),
                (
                    "Feedback received",
                    &details.public_feedback_detail,
                    &details.public_feedback_documents,
                ),
            ] {
                let texts: Vec<String> = detail
                    .iter()
                    .chain(documents)
                    .map(|html| html_to_text(html))
                    .filter(|text| !text.is_empty())
                    .collect();
                if !texts.is_empty() {
                    out.push(format!("## {heading}"));
                    out.extend(texts);
                }
            }
        }
        _ => {}
    }
    let documents = attachments(details);
    if !documents.is_empty() {
        out.push("## Documents".to_owned());
        out.push(documents.join("\n"));
    }
    Ok(out)
}

/// "17 January 2016", as GOV.UK writes dates in text.
fn long_date(date: &crate::records::Published) -> String {
    date.date().format("%-d %B %Y").to_string()
}

/// Lines marked as the HTML reader marks list items.
fn bulleted(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("• {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The item's attachments, featured ones first as GOV.UK shows them: the
/// title, what the file is, and its address on the next line.
fn attachments(details: &Details) -> Vec<String> {
    let mut ordered: Vec<&Attachment> = details
        .featured_attachments
        .iter()
        .filter_map(|id| {
            details
                .attachments
                .iter()
                .find(|attachment| attachment.id.as_deref() == Some(id.as_str()))
        })
        .collect();
    for attachment in &details.attachments {
        if !ordered.iter().any(|known| std::ptr::eq(*known, attachment)) {
            ordered.push(attachment);
        }
    }
    ordered
        .into_iter()
        .filter_map(|attachment| {
            let title = attachment.title.as_deref().and_then(clean)?;
            let mut about = Vec::new();
            if let Some(kind) = attachment.content_type.as_deref().and_then(file_kind) {
                about.push(kind.to_owned());
            }
            if let Some(size) = attachment.file_size {
                about.push(file_size(size));
            }
            match attachment.number_of_pages {
                Some(1) => about.push("1 page".to_owned()),
                Some(pages) => about.push(format!("{pages} pages")),
                None => {}
            }
            let mut line = format!("• {title}");
            if !about.is_empty() {
                line.push_str(&format!(" ({})", about.join(", ")));
            }
            let url = attachment.url.as_deref().map(str::trim).and_then(|url| {
                if url.starts_with('/') {
                    gov_uk_url(url)
                } else {
                    Some(url.to_owned()).filter(|url| !url.is_empty())
                }
            });
            if let Some(url) = url {
                line.push_str(&format!("\n  {url}"));
            }
            Some(line)
        })
        .collect()
}

/// The name GOV.UK gives a file type.
fn file_kind(content_type: &str) -> Option<&'static str> {
    Some(match content_type.trim() {
        "application/pdf" => "PDF",
        "text/html" => "HTML",
        "text/csv" => "CSV",
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            "MS Excel Spreadsheet"
        }
        "application/msword"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            "MS Word Document"
        }
        "application/vnd.oasis.opendocument.spreadsheet" => "ODS",
        "application/vnd.oasis.opendocument.text" => "ODT",
        _ => return None,
    })
}

/// "1.84 MB", as GOV.UK writes file sizes.
fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    #[allow(clippy::cast_precision_loss)]
    let scaled = |unit: u64| bytes as f64 / unit as f64;
    if bytes >= KB * KB {
        format!("{:.2} MB", scaled(KB * KB))
    } else if bytes >= KB {
        format!("{:.0} KB", scaled(KB))
    } else {
        format!("{bytes} bytes")
    }
}
