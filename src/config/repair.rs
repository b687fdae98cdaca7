//! Reading past TOML syntax errors. The parser's own recovery can swallow
//! the lines after a mistake into it (an unclosed `[` takes the next table
//! as array items), so instead the fewest whole lines around each mistake
//! are blanked out until the text parses, and one problem says which lines
//! were ignored. Blanked lines keep their newline, so every line and column
//! in the repaired text is the one in the file.

use toml::de::DeTable;

/// After this many mistakes the file is ignored whole.
const MAX_ROUNDS: usize = 20;

/// Text that parses, and the syntax problems as (line, column, message).
pub(super) struct Repaired {
    pub text: String,
    pub problems: Vec<(usize, usize, String)>,
}

pub(super) fn repair(text: &str) -> Repaired {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let mut problems = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let current = lines.concat();
        let Some((line, column, message)) = first_error(&current) else {
            return Repaired {
                text: current,
                problems,
            };
        };
        // The mistake begins on the last line whose start still parses
        // cleanly, and ends before the first line from which the rest does.
        let cut = (1..=line)
            .rev()
            .find(|&k| first_error(&lines[..k - 1].concat()).is_none())
            .unwrap_or(1);
        let resume = (cut + 1..=lines.len() + 1)
            .find(|&r| {
                let candidate = blanked(&lines, cut, r).concat();
                first_error(&candidate).is_none_or(|(at, ..)| at >= r)
            })
            .unwrap_or(lines.len() + 1);
        let indent = lines[cut - 1]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .count();
        lines = blanked(&lines, cut, resume);
        let ignored = if resume - cut == 1 {
            format!("line {cut} is ignored")
        } else {
            format!("lines {cut} to {} are ignored", resume - 1)
        };
        // Point at where the ignored lines begin, which is where the mistake
        // is, even when the parser only noticed it further on.
        let problem = if cut == line {
            (line, column, format!("invalid TOML: {message}; {ignored}"))
        } else {
            let message =
                format!("invalid TOML: {message} (noticed at {line}:{column}); {ignored}");
            (cut, indent + 1, message)
        };
        problems.push(problem);
    }
    problems.push((1, 1, "too many TOML mistakes; the file is ignored".into()));
    Repaired {
        text: String::new(),
        problems,
    }
}

/// Lines `from` up to (not including) `to`, one-based, emptied.
fn blanked(lines: &[String], from: usize, to: usize) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            if (from..to).contains(&(index + 1)) {
                if line.ends_with('\n') { "\n" } else { "" }.to_owned()
            } else {
                line.clone()
            }
        })
        .collect()
}

/// The earliest error in the text, as (line, column, message).
fn first_error(text: &str) -> Option<(usize, usize, String)> {
    let (_, errors) = DeTable::parse_recoverable(text);
    errors
        .iter()
        .map(|error| (error.span().map_or(0, |span| span.start), error))
        .min_by_key(|(offset, _)| *offset)
        .map(|(offset, error)| {
            let (line, column) = position(text, offset);
            (line, column, error.message().to_owned())
        })
}

/// The (line, column) of a byte offset, both one-based, columns in
/// characters.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(text: &str) -> (String, Vec<String>) {
        let repaired = repair(text);
        let problems = repaired
            .problems
            .iter()
            .map(|(line, column, message)| format!("{line}:{column}: {message}"))
            .collect();
        (repaired.text, problems)
    }

    #[test]
    fn clean_text_is_untouched() {
        let text = "[a]\nb = 1\n";
        assert_eq!(ignored(text), (text.to_owned(), vec![]));
    }

    #[test]
    fn a_bad_value_loses_only_its_line() {
        let (text, problems) = ignored("[a]\nb = j\nc = 1\n");
        assert_eq!(text, "[a]\n\nc = 1\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("2:5: invalid TOML: "),
            "{problems:?}"
        );
        assert!(problems[0].ends_with("; line 2 is ignored"), "{problems:?}");
    }

    #[test]
    fn an_unclosed_array_does_not_swallow_the_next_table() {
        let (text, problems) = ignored("[a]\nb = [\"j\"\n\n[c]\nd = 1\n");
        assert_eq!(text, "[a]\n\n\n[c]\nd = 1\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("2:1: invalid TOML: "),
            "{problems:?}"
        );
        assert!(problems[0].contains("(noticed at 4:1)"), "{problems:?}");
        assert!(problems[0].ends_with("; line 2 is ignored"), "{problems:?}");
    }

    #[test]
    fn two_mistakes_are_two_problems() {
        let (text, problems) = ignored("a = \nb = 1\nc = ]\n");
        assert_eq!(text, "\nb = 1\n\n");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn positions_are_one_based_characters() {
        let text = "ab\nçd\ne";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 3), (2, 1));
        assert_eq!(position(text, 5), (2, 2));
        assert_eq!(position(text, 4), (2, 1));
    }
}
