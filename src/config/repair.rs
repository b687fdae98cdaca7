//! Reading past TOML syntax errors. The parser's own recovery can swallow
//! the lines after a mistake into it (an unclosed `[` takes the next table
//! as array items), so instead the fewest whole lines around each mistake
//! are blanked out until the text parses, and one problem says which lines
//! were ignored. Blanked lines keep their newline, so every line and column
//! in the repaired text is the one in the file.

use toml::de::DeTable;

use super::lines::LineIndex;

/// After this many mistakes the file is ignored whole.
const MAX_ROUNDS: usize = 20;

/// How many places are tried for where a mistake begins, and where reading
/// resumes after it, before settling for the line the parser named. Each
/// try parses the file, so this bound (with [`MAX_ROUNDS`]) keeps repairing
/// linear in the file's size: trying every earlier line in turn took
/// minutes on a 500 KB file with an unclosed array.
const MAX_TRIES: usize = 4;

/// A syntax error as (line, column, message).
type Error = (usize, usize, String);

/// Text that parses, and the syntax problems as (line, column, message).
pub(super) struct Repaired {
    pub text: String,
    pub problems: Vec<Error>,
}

pub(super) fn repair(text: &str) -> Repaired {
    Repairer::default().repair(text)
}

/// Counts the parses a repair makes (the work that must stay bounded).
#[derive(Default)]
struct Repairer {
    parses: usize,
}

impl Repairer {
    fn repair(&mut self, text: &str) -> Repaired {
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        let mut problems = Vec::new();
        // The first error of the text as repaired so far, when the last
        // round's resume already parsed exactly that text.
        let mut known = None;
        for _ in 0..MAX_ROUNDS {
            let current = lines.concat();
            let first = known.take().unwrap_or_else(|| self.first_error(&current));
            let Some((line, column, message)) = first else {
                return Repaired {
                    text: current,
                    problems,
                };
            };
            let cut = self.cut(&lines, line);
            let (resume, next) = self.resume(&lines, cut);
            known = next;
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
            // Point at where the ignored lines begin, which is where the
            // mistake is, even when the parser only noticed it further on.
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

    /// Where the mistake noticed on line `noticed` begins: the last line
    /// up to it that starts a statement (outside any string, array or
    /// inline table) and before which the file still parses cleanly.
    fn cut(&mut self, lines: &[String], noticed: usize) -> usize {
        let starts = statement_starts(lines);
        (1..=noticed)
            .rev()
            .filter(|&k| starts[k - 1])
            .take(MAX_TRIES)
            .find(|&k| self.first_error(&lines[..k - 1].concat()).is_none())
            .unwrap_or(noticed)
    }

    /// The first line after `cut` from which the rest reads without a
    /// mistake before it, when lines `cut` to it are left out; with the
    /// first error of that text when it was parsed to find out.
    fn resume(&mut self, lines: &[String], cut: usize) -> (usize, Option<Option<Error>>) {
        for r in (cut + 1..=lines.len() + 1).take(MAX_TRIES) {
            let error = self.first_error(&blanked(lines, cut, r).concat());
            if error.as_ref().is_none_or(|(at, ..)| *at >= r) {
                return (r, Some(error));
            }
        }
        (cut + 1, None)
    }

    /// The earliest error in the text.
    fn first_error(&mut self, text: &str) -> Option<Error> {
        self.parses += 1;
        let (_, errors) = DeTable::parse_recoverable(text);
        errors
            .iter()
            .map(|error| (error.span().map_or(0, |span| span.start), error))
            .min_by_key(|(offset, _)| *offset)
            .map(|(offset, error)| {
                let (line, column) = LineIndex::new(text).position(offset);
                (line, column, error.message().to_owned())
            })
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

/// For each line, whether it begins a statement: whether it starts outside
/// every string, array and inline table, found in one pass over the text.
/// A line that begins with `[` at the top is a table header, whose brackets
/// open nothing.
fn statement_starts(lines: &[String]) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum In {
        Code,
        /// `"""…"""` or `\'\'\'…\'\'\'`, which run over lines.
        Multiline(char),
    }
    let mut state = In::Code;
    let mut depth = 0_usize;
    let mut starts = Vec::with_capacity(lines.len());
    for line in lines {
        starts.push(state == In::Code && depth == 0);
        let header = state == In::Code && depth == 0 && line.trim_start().starts_with('[');
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match state {
                In::Multiline(quote) => {
                    if quote == '"' && c == '\\' {
                        chars.next();
                    } else if c == quote
                        && chars.next_if_eq(&quote).is_some()
                        && chars.next_if_eq(&quote).is_some()
                    {
                        state = In::Code;
                    }
                }
                In::Code => match c {
                    '#' => break,
                    '"' | '\'' => {
                        if chars.next_if_eq(&c).is_some() {
                            if chars.next_if_eq(&c).is_some() {
                                state = In::Multiline(c);
                            }
                            // Else an empty string.
                        } else {
                            // A one-line string ends at its quote or the line's end.
                            while let Some(inner) = chars.next() {
                                if c == '"' && inner == '\\' {
                                    chars.next();
                                } else if inner == c {
                                    break;
                                }
                            }
                        }
                    }
                    '[' | '{' if !header => depth += 1,
                    ']' | '}' if !header => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
        }
    }
    starts
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
    fn statements_start_outside_strings_arrays_and_tables() {
        let text = "[a]\nb = [\n  1,\n]\nc = \"\"\"\nx = [\n\"\"\"\nd = { e = 1 }\n# f = [\ng = 'h['\n[[i]]\n";
        let lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        assert_eq!(
            statement_starts(&lines),
            [
                true, true, false, false, true, false, false, true, true, true, true
            ]
        );
    }

    /// An unclosed array whose mistake is noticed thousands of lines on:
    /// where it begins is found with a few parses, not one per line.
    #[test]
    fn a_mistake_noticed_far_away_is_found_with_few_parses() {
        let text = format!(
            "[list]\ncolumns = [\n{}\n[keys.list]\ndown = \"j\"\n",
            "\"title\",\n".repeat(5_000)
        );
        let mut repairer = Repairer::default();
        let repaired = repairer.repair(&text);
        assert!(
            repaired.problems[0].2.contains("line 2 is ignored"),
            "{:?}",
            repaired.problems[0]
        );
        assert_eq!(repaired.problems[0].0, 2);
        let most = 1 + MAX_ROUNDS * 2 * MAX_TRIES;
        assert!(repairer.parses <= most, "{} parses", repairer.parses);
    }
}
