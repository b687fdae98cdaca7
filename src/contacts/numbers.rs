//! Recognising phone numbers and email addresses in free text, and the keys
//! that decide when two of them are the same: a number's digits with a
//! leading +44 or 0044 read as the national 0, an address in lower case.

/// The fewest digits a run needs to count as a whole phone number rather
/// than an extension ("/ 2440") or a figure in a sentence.
const MIN_DIGITS: usize = 7;

/// Characters a written phone number is made of.
fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, ' ' | '\u{a0}' | '(' | ')' | '-' | '.' | '+')
}

/// The runs of number characters in a text that hold a whole number, from
/// the first digit, "+" or "(" to the last digit or ")".
fn number_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_number_char(c))
        .map(|run| {
            run.trim_start_matches(|c: char| !(c.is_ascii_digit() || c == '+' || c == '('))
                .trim_end_matches(|c: char| !(c.is_ascii_digit() || c == ')'))
        })
        .filter(|run| digit_count(run) >= MIN_DIGITS)
}

fn digit_count(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// The comparison key of one written number: "020 7008 3100", "+44 20 7008
/// 3100", "0044 (0)20 7008 3100" all give "02070083100"; other international
/// numbers keep a "+" ("+80055595000").
fn number_key(run: &str) -> Option<String> {
    let digits: String = run.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < MIN_DIGITS {
        return None;
    }
    let international = if run.trim_start().starts_with('+') {
        digits.as_str()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest
    } else {
        return Some(digits);
    };
    Some(match international.strip_prefix("44") {
        // "+44 (0)20 …" keeps its 0 already.
        Some(national) if national.starts_with('0') => national.to_owned(),
        Some(national) => format!("0{national}"),
        None => format!("+{international}"),
    })
}

/// The keys of every whole number in a text, in order, each once. Two
/// phones are the same line when they share a key.
#[must_use]
pub fn phone_keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in number_runs(text).filter_map(number_key) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Words that may join numbers in a value that is still only numbers:
/// "0115 936 6135 or 0117 954 3208", "020 7271 2465 / 2440 / 2516".
fn is_connector(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "or" | "and" | "ext" | "ext." | "extension" | "x" | "/" | "," | ";" | "&"
    )
}

/// Whether a value is nothing but one or more phone numbers.
pub fn is_phone_value(value: &str) -> bool {
    number_runs(value).next().is_some()
        && value
            .split(is_number_char)
            .filter(|word| !word.is_empty())
            .all(is_connector)
}

/// A value holding several whole numbers ("0115 936 6135 or 0117 954 3208")
/// split into one per number; a value with extensions or anything else
/// ("020 7271 2465 / 2440 / 2516") stays whole.
pub(super) fn split_numbers(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value
        .split(" or ")
        .flat_map(|part| part.split(" and "))
        .flat_map(|part| part.split(['/', ',', ';']))
        .map(str::trim)
        .collect();
    if parts.len() > 1 && parts.iter().all(|part| phone_keys(part).len() == 1) {
        parts.into_iter().map(str::to_owned).collect()
    } else {
        vec![value.trim().to_owned()]
    }
}

/// The address in a value that is only an email address ("mailto:" allowed).
pub fn email_value(value: &str) -> Option<&str> {
    let value = value.trim();
    let value = value.strip_prefix("mailto:").unwrap_or(value);
    let (local, domain) = value.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.contains(char::is_whitespace)
        && !domain.contains('@');
    plausible.then_some(value)
}

/// The comparison key of an email address.
pub(super) fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// A label and a number run out of one text: "Telephone - 020 7271 2492" →
/// ("Telephone", "020 7271 2492"). GOV.UK sometimes puts the number in a
/// phone's title and a sentence in its number field.
pub fn number_in_title(title: &str) -> Option<(String, String)> {
    let run = number_runs(title).next()?;
    let number = run.trim().to_owned();
    let label = title
        .replacen(run, " ", 1)
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | ':' | ','))
        .to_owned();
    Some((label, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_numbers_share_a_key_however_written() {
        for written in [
            "020 7008 3100",
            "+44 20 7008 3100",
            "+44 (0)20 7008 3100",
            "0044 20 7008 3100",
            "020-7008-3100",
        ] {
            assert_eq!(phone_keys(written), ["02070083100"], "{written}");
        }
        assert_eq!(phone_keys("+800 555 95000"), ["+80055595000"]);
        assert_eq!(phone_keys("+44 (0)30 67704236"), ["03067704236"]);
    }

    #[test]
    fn extensions_and_figures_are_not_numbers() {
        assert_eq!(phone_keys("020 7271 2465 / 2440 / 2516"), ["02072712465"]);
        assert!(phone_keys("24 hours a day, 7 days a week").is_empty());
    }

    #[test]
    fn phone_values() {
        assert!(is_phone_value("020 7654 8000"));
        assert!(is_phone_value("0115 936 6135 or 0117 954 3208"));
        assert!(is_phone_value("020 7271 2465 / 2440 / 2516"));
        assert!(is_phone_value("+44 (0)30 67704236"));
        assert!(!is_phone_value("call 020 7654 8000 after 6pm"));
        assert!(!is_phone_value("monitored 24 hours a day"));
    }

    #[test]
    fn several_whole_numbers_split() {
        assert_eq!(
            split_numbers("0115 936 6135 or 0117 954 3208"),
            ["0115 936 6135", "0117 954 3208"]
        );
        assert_eq!(
            split_numbers("020 7271 2465 / 2440 / 2516"),
            ["020 7271 2465 / 2440 / 2516"]
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            email_value(" mailto:newsdesk@fcdo.gov.uk"),
            Some("newsdesk@fcdo.gov.uk")
        );
        assert_eq!(email_value("not an @ddress.uk"), None);
        assert_eq!(email_value("a@b"), None);
        assert_eq!(
            email_key("Des.Ryan@HMRC.gsi.gov.uk "),
            "des.ryan@hmrc.gsi.gov.uk"
        );
    }

    #[test]
    fn numbers_in_titles() {
        assert_eq!(
            number_in_title("Telephone - 020 7271 2492"),
            Some(("Telephone".to_owned(), "020 7271 2492".to_owned()))
        );
        assert_eq!(number_in_title("Media enquiries"), None);
    }
}
