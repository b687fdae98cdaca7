//! The config file being read: its text, the problems found so far, and the
//! typed look-ups every section uses, each reporting a wrong shape at the
//! line it is on and returning `None` so the caller keeps its default.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigProblem;
use super::lines::LineIndex;

/// A key of a table with its value, both with their places in the file.
pub(super) struct Entry<'t, 'i> {
    pub name: &'t str,
    pub span: Range<usize>,
    pub value: &'t Spanned<DeValue<'i>>,
}

pub(super) struct Source<'a> {
    pub path: &'a Path,
    lines: LineIndex<'a>,
    problems: Vec<ConfigProblem>,
    /// Problems found past [`MAX_PROBLEMS`]: counted, not located.
    unlisted: usize,
}

/// The most problems listed from one file. Nobody reads more, and past it
/// the rest are only counted, so a file of thousands of mistakes costs no
/// more than one pass (each listed problem is located and, for an unknown
/// name, given a suggestion).
pub(super) const MAX_PROBLEMS: usize = 100;

impl<'a> Source<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self {
            path,
            lines: LineIndex::new(text),
            problems: Vec::new(),
            unlisted: 0,
        }
    }

    /// Whether the next problem would only be counted.
    fn full(&self) -> bool {
        self.problems.len() >= MAX_PROBLEMS
    }

    /// The problems listed, then one saying how many more were found.
    pub fn into_problems(mut self) -> Vec<ConfigProblem> {
        if self.unlisted > 0 {
            let message = format!(
                "{} more problems not listed (only the first {MAX_PROBLEMS} are)",
                self.unlisted
            );
            self.problems.push(ConfigProblem {
                path: self.path.to_path_buf(),
                line: 1,
                column: 1,
                message,
            });
        }
        self.problems
    }

    pub fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        if self.full() {
            self.unlisted += 1;
            return;
        }
        let (line, column) = self.lines.position(span.start);
        self.problem_at(line, column, message);
    }

    pub fn problem_at(&mut self, line: usize, column: usize, message: impl Into<String>) {
        if self.full() {
            self.unlisted += 1;
            return;
        }
        self.problems.push(ConfigProblem {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        });
    }

    /// The one-based line of a byte offset.
    pub fn line(&mut self, offset: usize) -> usize {
        self.lines.position(offset).0
    }

    /// A table's entries in the order they are written (the parser keeps
    /// them sorted by name), so "the later binding" means the later line.
    pub fn entries<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
        let mut entries: Vec<_> = table
            .iter()
            .map(|(name, value)| Entry {
                name: name.get_ref(),
                span: name.span(),
                value,
            })
            .collect();
        entries.sort_by_key(|entry| entry.span.start);
        entries
    }

    /// The value as a table, or a problem naming `what`.
    pub fn table<'t, 'i>(
        &mut self,
        value: &'t Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                self.wrong_type(value.span(), what, "a table", other);
                None
            }
        }
    }

    /// The value as a string, or a problem naming `what`.
    pub fn string<'t>(&mut self, value: &'t Spanned<DeValue<'_>>, what: &str) -> Option<&'t str> {
        match value.get_ref() {
            DeValue::String(text) => Some(text),
            other => {
                self.wrong_type(value.span(), what, "a string", other);
                None
            }
        }
    }

    /// The value as true or false, or a problem naming `what`.
    pub fn boolean(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(flag) => Some(*flag),
            other => {
                self.wrong_type(value.span(), what, "true or false", other);
                None
            }
        }
    }

    /// A string that names one entry of `table` (a sort, a theme), or a
    /// problem: `key` is the setting, `kind` what its value names.
    pub fn choice<T: Copy>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        (key, kind, place): (&str, &str, &str),
        table: &[(&str, T)],
    ) -> Option<T> {
        let text = self.string(value, &format!("`{key}` {place}"))?;
        let found = table.iter().find(|(name, _)| *name == text);
        if found.is_none() {
            let names: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
            self.unknown(value.span(), kind, text, place, &names);
        }
        found.map(|(_, chosen)| *chosen)
    }

    /// One string or an array of strings, each with its place; a wrong
    /// element is reported and left out.
    pub fn strings<'t>(
        &mut self,
        value: &'t Spanned<DeValue<'_>>,
        what: &str,
    ) -> Option<Vec<(&'t str, Range<usize>)>> {
        match value.get_ref() {
            DeValue::String(text) => Some(vec![(text, value.span())]),
            DeValue::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| Some((self.string(item, what)?, item.span())))
                    .collect(),
            ),
            other => {
                self.wrong_type(value.span(), what, "a string or a list of strings", other);
                None
            }
        }
    }

    fn wrong_type(&mut self, span: Range<usize>, what: &str, expected: &str, found: &DeValue) {
        self.problem(
            span,
            format!(
                "{what} must be {expected}, not {}",
                article(found.type_str())
            ),
        );
    }

    /// Reports a name that is none of `known`, suggesting the closest:
    /// "unknown action `dwon` in [keys.list]; did you mean `down`?".
    pub fn unknown(
        &mut self,
        span: Range<usize>,
        what: &str,
        name: &str,
        place: &str,
        known: &[&str],
    ) {
        if self.full() {
            self.unlisted += 1;
            return;
        }
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" {place}")
        };
        let message = match closest(name, known) {
            Some(near) => format!("unknown {what} `{name}`{place}; did you mean `{near}`?"),
            None => format!(
                "unknown {what} `{name}`{place}; expected one of {}",
                known.join(", ")
            ),
        };
        self.problem(span, message);
    }
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

/// The known name nearest to a mistyped one, if it is near enough to be a
/// slip (about one edit in three characters).
pub(super) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let name = name.to_lowercase();
    let length = name.chars().count();
    known
        .iter()
        .filter_map(|candidate| {
            let their_length = candidate.chars().count();
            let allowed = (their_length.max(length) / 3).max(1);
            // Lengths further apart than that cannot be near: no table.
            if their_length.abs_diff(length) > allowed {
                return None;
            }
            let distance = edit_distance(&name, candidate);
            (distance <= allowed).then_some((distance, *candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two back, one back, this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let substitute = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            current[j] = substitute.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapped_letters_are_one_edit() {
        assert_eq!(edit_distance("dwon", "down"), 1);
        assert_eq!(edit_distance("", "up"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_only_near_names() {
        let known = ["down", "up", "page_down"];
        assert_eq!(closest("dwon", &known), Some("down"));
        assert_eq!(closest("Up", &known), Some("up"));
        assert_eq!(closest("sideways", &known), None);
    }
}
