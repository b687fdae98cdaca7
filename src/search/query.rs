//! The query language: fuzzy words mixed with field terms, parsed into a
//! [`Query`] with no knowledge of the archive. A term that cannot be read is a
//! [`QueryError`] pointing at it, so the caller can keep its last good results.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::fold;
use super::text::TextTerm;

/// The fields a term can name, with the words that select them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Signatory,
    Kind,
    Organisation,
    Location,
    Topic,
    Person,
    Government,
    Id,
    /// A media contact's email, number, name or organisation.
    Contact,
}

impl Field {
    /// Every field with its query keyword(s), first the canonical one; the help
    /// overlay and the README list these.
    pub const ALL: &'static [(Self, &'static [&'static str], &'static str)] = &[
        (
            Self::Signatory,
            &["sig", "signatory"],
            "a signatory's name, role, country or organisation",
        ),
        (Self::Kind, &["kind", "type"], "press release, speech, …"),
        (
            Self::Organisation,
            &["org", "organisation", "organization"],
            "organisation name or initials (fcdo)",
        ),
        (Self::Location, &["loc", "location"], "world location"),
        (Self::Topic, &["topic"], "topic"),
        (Self::Person, &["person", "people"], "person named"),
        (Self::Government, &["gov", "government"], "government"),
        (Self::Id, &["id"], "record id"),
        (
            Self::Contact,
            &["contact"],
            "a media contact's email, number or name",
        ),
    ];

    fn from_keyword(keyword: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, words, _)| words.contains(&keyword))
            .map(|(field, _, _)| *field)
    }

    #[must_use]
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(field, _, _)| *field == self)
            .map_or("?", |(_, words, _)| words[0])
    }
}

/// A half-open range of days, `from <= day < until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl DayRange {
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| day >= from) && self.until.is_none_or(|until| day < until)
    }
}

/// One condition a statement must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Field value contains the folded text (or matches an organisation's initials).
    Field(Field, String),
    /// Field value is exactly the folded text (`kind:="news story"`, as the
    /// filter panel writes); for signatories, one of their name, role,
    /// country or organisation is.
    FieldIs(Field, String),
    /// Folded title or a signatory contains the text (`'exact`, `!word`).
    Exact(String),
    Published(DayRange),
    /// A triage mark (`is:flagged`, `tag:urgent`, …).
    Mark(MarkTest),
    /// The statement was withdrawn by its publisher (`is:withdrawn`).
    Withdrawn,
    /// The statement's text (title, summary, body) holds the word, phrase
    /// or prefix (`text:…`), as the full-text index finds it.
    Text(TextTerm),
}

/// What a triage term asks of a statement's marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkTest {
    Read,
    Flagged,
    /// Status name, folded ("in review").
    Status(String),
    /// A tag, folded; matched whole.
    Tag(String),
    HasNote,
    HasTags,
    /// Someone (folded) set any mark.
    By(String),
}

/// A condition, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub negated: bool,
    pub condition: Condition,
}

/// A parsed query: fuzzy words (each must match, scores add up) and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub fuzzy: Vec<String>,
    pub filters: Vec<Filter>,
}

impl Query {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fuzzy.is_empty() && self.filters.is_empty()
    }

    #[must_use]
    pub fn has_fuzzy(&self) -> bool {
        !self.fuzzy.is_empty()
    }

    /// Whether any term asks the full-text index (`text:`, negated or not).
    #[must_use]
    pub fn has_text(&self) -> bool {
        self.filters
            .iter()
            .any(|filter| matches!(filter.condition, Condition::Text(_)))
    }

    /// The `text:` terms a statement must match (not the negated ones):
    /// what snippets show and a statement opens at.
    pub fn text_terms(&self) -> impl Iterator<Item = &TextTerm> {
        self.filters
            .iter()
            .filter_map(|filter| match &filter.condition {
                Condition::Text(term) if !filter.negated => Some(term),
                _ => None,
            })
    }

    /// The first of `signatories` that the query's `sig:` terms (not the
    /// negated ones) name: a statement found by `sig:japan` opens with
    /// Japan's signatory chosen, as one found by the fuzzy word `japan`
    /// does. `None` when the query has no such term or none is named.
    #[must_use]
    pub fn signatory_named(
        &self,
        signatories: &[std::sync::Arc<crate::records::Signatory>],
    ) -> Option<usize> {
        let named: Vec<&Condition> = self
            .filters
            .iter()
            .filter(|filter| {
                !filter.negated
                    && matches!(
                        filter.condition,
                        Condition::Field(Field::Signatory, _)
                            | Condition::FieldIs(Field::Signatory, _)
                    )
            })
            .map(|filter| &filter.condition)
            .collect();
        if named.is_empty() {
            return None;
        }
        signatories.iter().position(|signatory| {
            let label = fold(&super::shown(&signatory.label()));
            let parts: Vec<String> = [
                &signatory.name,
                &signatory.role,
                &signatory.country,
                &signatory.organisation,
            ]
            .into_iter()
            .flatten()
            .map(|part| super::fold_shown(part))
            .collect();
            named.iter().any(|condition| match condition {
                Condition::Field(_, value) => label.contains(value.as_str()),
                Condition::FieldIs(_, value) => parts.iter().any(|part| part == value),
                _ => false,
            })
        })
    }

    /// Whether the query is full-text terms only (one at least not
    /// negated): its hits are ranked by relevance (BM25).
    #[must_use]
    pub fn is_text_only(&self) -> bool {
        !self.has_fuzzy()
            && self.text_terms().next().is_some()
            && self
                .filters
                .iter()
                .all(|filter| matches!(filter.condition, Condition::Text(_)))
    }

    /// Whether the hits can be ranked best first: by fuzzy score, or by
    /// full-text relevance.
    #[must_use]
    pub fn is_ranked(&self) -> bool {
        self.has_fuzzy() || self.is_text_only()
    }

    /// The query without its `text:` terms: what the fuzzy index answers.
    #[must_use]
    pub fn without_text(&self) -> Self {
        Self {
            fuzzy: self.fuzzy.clone(),
            filters: self
                .filters
                .iter()
                .filter(|filter| !matches!(filter.condition, Condition::Text(_)))
                .cloned()
                .collect(),
        }
    }
}

/// A term the parser could not read, with its character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column + 1, self.message)
    }
}

impl std::error::Error for QueryError {}

/// A raw term: its text (quotes removed) and where it started.
struct Token {
    text: String,
    column: usize,
    /// Whether any part was quoted; a quoted word is never a field term.
    quoted_start: bool,
}

fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().enumerate().peekable();
    while let Some(&(column, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut text = String::new();
        let mut quoted_start = false;
        let mut quote_open: Option<usize> = None;
        while let Some(&(position, c)) = chars.peek() {
            if quote_open.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '"' {
                if quote_open.is_some() {
                    quote_open = None;
                } else {
                    quoted_start |= text.is_empty();
                    quote_open = Some(position);
                }
            } else {
                text.push(c);
            }
        }
        if let Some(position) = quote_open {
            return Err(QueryError {
                column: position,
                message: "unclosed quote".into(),
            });
        }
        tokens.push(Token {
            text,
            column,
            quoted_start,
        });
    }
    Ok(tokens)
}

/// Parses a query line.
///
/// # Errors
/// An unknown field, a bad date or an unclosed quote.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let mut query = Query::default();
    for token in tokenize(input)? {
        parse_term(&token, &mut query)?;
    }
    Ok(query)
}

fn parse_term(token: &Token, query: &mut Query) -> Result<(), QueryError> {
    let error = |message: String| QueryError {
        column: token.column,
        message,
    };
    // Cleaned as archive text is for the screen and the index: an invisible
    // character pasted with a word must not stop it matching what it shows.
    let cleaned = crate::sanitize::clean_line(&token.text);
    let mut text = cleaned.as_ref();
    let negated = !token.quoted_start && text.len() > 1 && text.starts_with(['-', '!']);
    if negated {
        text = &text[1..];
    }
    if let Some(exact) = text.strip_prefix('\'').filter(|_| !token.quoted_start) {
        if !exact.is_empty() {
            let condition = Condition::Exact(fold(exact));
            query.filters.push(Filter { negated, condition });
        }
        return Ok(());
    }
    let field_term = (!token.quoted_start)
        .then(|| text.split_once(':'))
        .flatten()
        .filter(|(keyword, _)| !keyword.is_empty() && keyword.chars().all(char::is_alphabetic));
    let Some((keyword, value)) = field_term else {
        if negated {
            let condition = Condition::Exact(fold(text));
            query.filters.push(Filter { negated, condition });
        } else if !text.is_empty() {
            query.fuzzy.push(text.to_owned());
        }
        return Ok(());
    };
    let keyword = keyword.to_lowercase();
    let condition = match keyword.as_str() {
        "after" | "since" | "from" => Condition::Published(DayRange {
            from: Some(parse_period(value).map_err(error)?.0),
            until: None,
        }),
        "before" | "until" => Condition::Published(DayRange {
            from: None,
            until: Some(parse_period(value).map_err(error)?.0),
        }),
        "is" => {
            let test = match fold(value.trim()).as_str() {
                "" => return Ok(()),
                "read" => MarkTest::Read,
                "unread" => {
                    query.filters.push(Filter {
                        negated: !negated,
                        condition: Condition::Mark(MarkTest::Read),
                    });
                    return Ok(());
                }
                "flagged" => MarkTest::Flagged,
                "withdrawn" => {
                    query.filters.push(Filter {
                        negated,
                        condition: Condition::Withdrawn,
                    });
                    return Ok(());
                }
                "unflagged" => {
                    query.filters.push(Filter {
                        negated: !negated,
                        condition: Condition::Mark(MarkTest::Flagged),
                    });
                    return Ok(());
                }
                other => {
                    return Err(error(format!(
                        "unknown `is:{other}` (try is:read is:unread is:flagged is:unflagged is:withdrawn)"
                    )));
                }
            };
            Condition::Mark(test)
        }
        "status" => {
            let wanted = fold(value.trim()).replace(['-', '_'], " ");
            if wanted.is_empty() {
                return Ok(());
            }
            let known = ["new", "in review", "actioned", "no action"];
            if !known.iter().any(|status| status.contains(wanted.as_str())) {
                return Err(error(format!(
                    "unknown status {wanted:?} (new, \"in review\", actioned, \"no action\")"
                )));
            }
            Condition::Mark(MarkTest::Status(wanted))
        }
        "tag" => {
            if value.trim().is_empty() {
                return Ok(());
            }
            Condition::Mark(MarkTest::Tag(fold(value.trim())))
        }
        "has" => match fold(value.trim()).as_str() {
            "" => return Ok(()),
            "note" => Condition::Mark(MarkTest::HasNote),
            "tag" | "tags" => Condition::Mark(MarkTest::HasTags),
            other => {
                return Err(error(format!(
                    "unknown `has:{other}` (try has:note has:tags)"
                )));
            }
        },
        "by" => {
            if value.trim().is_empty() {
                return Ok(());
            }
            Condition::Mark(MarkTest::By(fold(value.trim())))
        }
        "text" => match TextTerm::parse(value) {
            Some(term) => Condition::Text(term),
            // Still being typed: no condition yet.
            None => return Ok(()),
        },
        "year" | "date" | "on" => {
            let (from, until) = parse_period(value).map_err(error)?;
            Condition::Published(DayRange {
                from: Some(from),
                until: Some(until),
            })
        }
        _ => {
            let field = Field::from_keyword(&keyword).ok_or_else(|| {
                error(format!(
                    "unknown field `{keyword}:` (try text: sig: kind: org: loc: topic: person: gov: after: before: year: is: status: tag: has: by:)"
                ))
            })?;
            if value.trim().trim_start_matches('=').is_empty() {
                // Still being typed: no condition yet, and no error to flash.
                return Ok(());
            }
            match value.trim().strip_prefix('=') {
                Some(exact) => Condition::FieldIs(field, fold(exact.trim())),
                None => Condition::Field(field, fold(value.trim())),
            }
        }
    };
    query.filters.push(Filter { negated, condition });
    Ok(())
}

/// `2024`, `2024-02` or `2024-02-15` → the first day and the day after the period.
fn parse_period(value: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let bad = || format!("bad date {value:?}: use YYYY, YYYY-MM or YYYY-MM-DD");
    let parts: Vec<&str> = value.split('-').collect();
    let number = |text: &str, digits: usize| -> Result<u32, String> {
        if text.len() == digits && text.chars().all(|c| c.is_ascii_digit()) {
            text.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let year =
        i32::try_from(number(parts.first().copied().unwrap_or_default(), 4)?).map_err(|_| bad())?;
    match parts.as_slice() {
        [_] => {
            let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
            let until = NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(bad)?;
            Ok((from, until))
        }
        [_, month] => {
            let from = NaiveDate::from_ymd_opt(year, number(month, 2)?, 1).ok_or_else(bad)?;
            let until = from
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(bad)?;
            Ok((from, until))
        }
        [_, month, day] => {
            let from = NaiveDate::from_ymd_opt(year, number(month, 2)?, number(day, 2)?)
                .ok_or_else(bad)?;
            let until = from.succ_opt().ok_or_else(bad)?;
            debug_assert!(until.year() >= year);
            Ok((from, until))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn filter(negated: bool, condition: Condition) -> Filter {
        Filter { negated, condition }
    }

    #[test]
    fn fuzzy_words_and_fields_mix() {
        let query = parse(r#"missiles sig:japan kind:"press release" -sig:Russia !org:fcdo"#)
            .expect("parse");
        assert_eq!(query.fuzzy, ["missiles"]);
        assert_eq!(
            query.filters,
            [
                filter(false, Condition::Field(Field::Signatory, "japan".into())),
                filter(false, Condition::Field(Field::Kind, "press release".into())),
                filter(true, Condition::Field(Field::Signatory, "russia".into())),
                filter(true, Condition::Field(Field::Organisation, "fcdo".into())),
            ]
        );
    }

    #[test]
    fn dates_take_year_month_or_day() {
        let query = parse("after:2024-01-01 before:2024-02 year:2023").expect("parse");
        assert_eq!(
            query.filters,
            [
                filter(
                    false,
                    Condition::Published(DayRange {
                        from: Some(day("2024-01-01")),
                        until: None
                    })
                ),
                filter(
                    false,
                    Condition::Published(DayRange {
                        from: None,
                        until: Some(day("2024-02-01"))
                    })
                ),
                filter(
                    false,
                    Condition::Published(DayRange {
                        from: Some(day("2023-01-01")),
                        until: Some(day("2024-01-01"))
                    })
                ),
            ]
        );
    }

    #[test]
    fn exact_and_negated_words() {
        let query = parse("'Korea !russia -").expect("parse");
        assert_eq!(query.fuzzy, ["-"]);
        assert_eq!(
            query.filters,
            [
                filter(false, Condition::Exact("korea".into())),
                filter(true, Condition::Exact("russia".into())),
            ]
        );
    }

    #[test]
    fn errors_point_at_the_term() {
        let cases = [
            ("japan colour:red", 6, "unknown field"),
            ("after:2024-13", 0, "bad date"),
            ("year:24", 0, "bad date"),
            ("before:soon", 0, "bad date"),
            (r#"kind:"press"#, 5, "unclosed quote"),
        ];
        for (input, column, message) in cases {
            let err = parse(input).expect_err(input);
            assert_eq!(err.column, column, "{input}");
            assert!(err.message.contains(message), "{input}: {}", err.message);
        }
    }

    #[test]
    fn triage_terms() {
        let query = parse("is:unread is:flagged status:review tag:Urgent has:note by:alice")
            .expect("parse");
        assert_eq!(
            query.filters,
            [
                filter(true, Condition::Mark(MarkTest::Read)),
                filter(false, Condition::Mark(MarkTest::Flagged)),
                filter(false, Condition::Mark(MarkTest::Status("review".into()))),
                filter(false, Condition::Mark(MarkTest::Tag("urgent".into()))),
                filter(false, Condition::Mark(MarkTest::HasNote)),
                filter(false, Condition::Mark(MarkTest::By("alice".into()))),
            ]
        );
        assert!(parse("is:sideways").is_err());
        assert!(parse("status:pending").is_err());
    }

    #[test]
    fn exact_field_values() {
        let query = parse(r#"kind:="news story" sig:=Japan"#).expect("parse");
        assert_eq!(
            query.filters,
            [
                filter(false, Condition::FieldIs(Field::Kind, "news story".into())),
                filter(false, Condition::FieldIs(Field::Signatory, "japan".into())),
            ]
        );
    }

    #[test]
    fn incomplete_field_is_not_an_error() {
        assert_eq!(parse("sig:").expect("parse"), Query::default());
    }

    #[test]
    fn quoted_word_with_colon_is_fuzzy() {
        let query = parse(r#""note: this""#).expect("parse");
        assert_eq!(query.fuzzy, ["note: this"]);
    }

    #[test]
    fn field_values_fold_accents_and_case() {
        let query = parse("loc:Côte").expect("parse");
        assert_eq!(
            query.filters,
            [filter(
                false,
                Condition::Field(Field::Location, "cote".into())
            )]
        );
    }
}
